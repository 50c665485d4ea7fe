/* Unit tests: static syscall analysis and seccomp filter evaluation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <elf.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "seccomp/docker_filter.h"
#include "seccomp/elf_scan.h"
#include "bpf/syscalls.h"

#ifndef TEST_ELF_DIR
#define TEST_ELF_DIR "build/tests/elf"
#endif
#define LIBC "/usr/lib/x86_64-linux-gnu/libc.so.6"

static void test_static_sites(void **state)
{
	struct elf_info info;

	assert_int_equal(elf_scan_file(TEST_ELF_DIR "/sites_static", &info), 0);
	assert_int_equal(info.kind, ELF_STATIC_EXEC);
	assert_int_equal(info.n_sites, 5);
	assert_int_equal(info.n_unknown, 1);		/* the number loaded from memory */
	assert_true(sset_has(&info.sites, sys_nr("getpid")));
	assert_true(sset_has(&info.sites, sys_nr("read")));
	assert_true(sset_has(&info.sites, sys_nr("getuid")));	/* via edi */
	assert_true(sset_has(&info.sites, sys_nr("exit_group")));
	assert_int_equal(sset_count(&info.sites), 4);
	elf_info_fini(&info);
}

static void test_dynamic_imports_and_wrapper_map(void **state)
{
	struct wrapper_map *m = wrapper_map_build(LIBC);
	const struct syscall_set *s;
	struct elf_info info;
	size_t i;
	int found_write = 0, found_getpid = 0;

	assert_int_equal(elf_scan_file(TEST_ELF_DIR "/sites_dynamic", &info), 0);
	assert_int_equal(info.kind, ELF_DYNAMIC);
	assert_int_equal(info.n_sites, 0);
	for (i = 0; i < info.n_imports; i++) {
		found_write |= !strcmp(info.imports[i], "write");
		found_getpid |= !strcmp(info.imports[i], "getpid");
	}
	assert_true(found_write && found_getpid);
	elf_info_fini(&info);

	assert_non_null(m);
	assert_true(wrapper_map_size(m) > 1000);
	s = wrapper_map_get(m, "getpid");
	assert_non_null(s);
	assert_true(sset_has(s, sys_nr("getpid")));
	s = wrapper_map_get(m, "write");
	assert_true(sset_has(s, sys_nr("write")));
	s = wrapper_map_get(m, "openat");
	assert_true(sset_has(s, sys_nr("openat")));
	/* a wrapper reaches its own syscall, not the whole library */
	assert_true(sset_count(wrapper_map_get(m, "getpid")) < 10);
	assert_null(wrapper_map_get(m, "no_such_function"));
	wrapper_map_free(m);
}

static void test_not_elf(void **state)
{
	struct elf_info info;

	assert_int_equal(elf_scan_file("/etc/passwd", &info), 0);
	assert_int_equal(info.kind, ELF_NOT);
	assert_int_equal(elf_scan_file("/no/such/file", &info), 0);
	assert_int_equal(info.kind, ELF_NOT);
	assert_null(wrapper_map_build("/etc/passwd"));
}

/* A filter from libseccomp, evaluated by Vigil's interpreter. */
static void test_filter_eval(void **state)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(1));
	struct syscall_set allowed = { 0 };
	struct sock_filter *prog;
	size_t len;
	int fd;

	seccomp_arch_add(ctx, SCMP_ARCH_X86);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sys_nr("read"), 0);
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sys_nr("getpid"), 0);
	/* allowed only for some arguments: counts as allowed with args 0 */
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sys_nr("personality"), 1, SCMP_A0(SCMP_CMP_EQ, 0));
	seccomp_rule_add(ctx, SCMP_ACT_ALLOW, sys_nr("socket"), 1, SCMP_A0(SCMP_CMP_EQ, 2));
	fd = memfd_create("filter", 0);
	assert_int_equal(seccomp_export_bpf(ctx, fd), 0);
	len = lseek(fd, 0, SEEK_END);
	prog = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_true(prog != MAP_FAILED);
	seccomp_filter_allowed(prog, len / sizeof(*prog), &allowed);
	assert_true(sset_has(&allowed, sys_nr("read")));
	assert_true(sset_has(&allowed, sys_nr("getpid")));
	assert_true(sset_has(&allowed, sys_nr("personality")));
	assert_false(sset_has(&allowed, sys_nr("socket")));	/* not with family 0 */
	assert_false(sset_has(&allowed, sys_nr("ptrace")));
	assert_int_equal(sset_count(&allowed), 3);
	assert_int_equal(seccomp_filter_eval(prog, len / sizeof(*prog), sys_nr("ptrace")),
			 SECCOMP_RET_ERRNO | 1);
	munmap(prog, len);
	close(fd);
	seccomp_release(ctx);
}

/*
 * A crafted section header whose end wraps around the address space: the
 * scanner must neither write outside its buffer (ASan would say so) nor
 * fail on the rest of the file.
 */
static void test_wrapping_section(void **state)
{
	const char *out = "/tmp/vigil-elf-wrap";
	struct elf_info info;
	Elf64_Ehdr eh;
	Elf64_Shdr sh;
	FILE *f, *g;
	char buf[1 << 16];
	size_t n, i;

	f = fopen(TEST_ELF_DIR "/sites_static", "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	memcpy(&eh, buf, sizeof(eh));
	assert_true(eh.e_shoff + (size_t)eh.e_shnum * sizeof(sh) <= n);
	/*
	 * Beside the real code, another section made executable whose end wraps
	 * past the top of the address space (its bytes are the symbol table's).
	 */
	for (i = 1; i < eh.e_shnum; i++) {
		memcpy(&sh, buf + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_STRTAB) {
			sh.sh_type = SHT_PROGBITS;
			sh.sh_flags = SHF_ALLOC | SHF_EXECINSTR;
			sh.sh_addr = 0xffffffffffffff00ULL;
			if (sh.sh_size > 0x200)
				sh.sh_size = 0x200;
			memcpy(buf + eh.e_shoff + i * sizeof(sh), &sh, sizeof(sh));
			break;
		}
	}
	assert_true(i < eh.e_shnum);
	g = fopen(out, "wb");
	assert_non_null(g);
	assert_int_equal(fwrite(buf, 1, n, g), n);
	fclose(g);
	/* scanned or refused, but never past the buffer */
	if (!elf_scan_file(out, &info))
		elf_info_fini(&info);
	unlink(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrapping_section),
		cmocka_unit_test(test_static_sites),
		cmocka_unit_test(test_dynamic_imports_and_wrapper_map),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_filter_eval),
	};

	return cmocka_run_group_tests_name("elf_scan", tests, NULL, NULL);
}
