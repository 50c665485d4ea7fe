/*
 * libFuzzer target: any bytes as an image archive (tar, compressed or
 * not) unpacked by vigil analyze: entries that climb out with "..", link
 * through symlinks, name devices or FIFOs, or claim absurd sizes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "seccomp/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char dir[] = "/tmp/vigil-fuzz-archive.XXXXXX", cmd[96];
	int fd = memfd_create("fuzz-archive", 0);

	if (fd < 0)
		return 0;
	if (pwrite(fd, data, size, 0) == (ssize_t)size && mkdtemp(dir)) {
		image_extract_fd(fd, "fuzz", dir);
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			abort();
	}
	close(fd);
	return 0;
}
