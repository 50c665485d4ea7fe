/*
 * libFuzzer target: any bytes as an ELF file for the syscall-site scanner
 * (vigil analyze reads the files of images it is given: crafted headers,
 * wrapping section addresses, truncated tables), and for the padding the
 * identity worker measures of a program a container wrote.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proc/identity.h"
#include "seccomp/elf_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct elf_info info;
	uint64_t pad;
	char path[64];

	if (fd < 0 && (fd = memfd_create("fuzz-elf", 0)) < 0)
		return 0;
	if (ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	/* padding is what lies past the headers' end: never more than the file */
	if (!identity_elf_padding(fd, &pad) && pad > size)
		__builtin_trap();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (!elf_scan_file(path, &info))
		elf_info_fini(&info);
	return 0;
}
