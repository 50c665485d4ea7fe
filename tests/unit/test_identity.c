/* Unit tests: what the identity worker reads of an executable's file (proc/identity.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc/identity.h"

#ifndef TEST_ELF_DIR
#define TEST_ELF_DIR "build/tests/elf"
#endif

/* A copy of src with extra bytes of zeros after it (extra may be negative: cut); returns an open fd. */
static int copy_of(const char *src, long extra)
{
	char tmpl[] = "/tmp/vigil-identity.XXXXXX", buf[65536];
	int in = open(src, O_RDONLY), out = mkstemp(tmpl);
	ssize_t n;
	off_t len;

	assert_true(in >= 0 && out >= 0);
	unlink(tmpl);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, n), n);
	close(in);
	len = lseek(out, 0, SEEK_END);
	assert_int_equal(ftruncate(out, len + extra), 0);
	return out;
}

static void test_elf_padding(void **state)
{
	uint64_t pad = 1;
	int fd;

	/* as the linker wrote them: nothing past the section headers */
	fd = copy_of(TEST_ELF_DIR "/sites_dynamic", 0);
	assert_int_equal(identity_elf_padding(fd, &pad), 0);
	assert_int_equal(pad, 0);
	close(fd);
	fd = copy_of(TEST_ELF_DIR "/sites_static", 0);
	assert_int_equal(identity_elf_padding(fd, &pad), 0);
	assert_int_equal(pad, 0);
	close(fd);
	/* 3 MiB appended, as a padded binary has */
	fd = copy_of(TEST_ELF_DIR "/sites_dynamic", 3 << 20);
	assert_int_equal(identity_elf_padding(fd, &pad), 0);
	assert_int_equal(pad, 3 << 20);
	close(fd);
	/* cut short: its headers point past the end, nothing is past its image */
	fd = copy_of(TEST_ELF_DIR "/sites_dynamic", -200);
	assert_int_equal(identity_elf_padding(fd, &pad), 0);
	assert_int_equal(pad, 0);
	close(fd);
}

static void test_not_elf_has_no_padding(void **state)
{
	char tmpl[] = "/tmp/vigil-identity.XXXXXX";
	uint64_t pad = 1;
	int fd = mkstemp(tmpl);

	unlink(tmpl);
	assert_int_equal(write(fd, "#!/bin/sh\necho hi\n", 18), 18);
	assert_int_equal(ftruncate(fd, 5 << 20), 0);
	assert_int_equal(identity_elf_padding(fd, &pad), 0);
	assert_int_equal(pad, 0);
	/* the magic of a 64-bit ELF with no header behind it is not read as one */
	assert_int_equal(pwrite(fd, "\177ELF\002", 5, 0), 5);
	assert_int_equal(identity_elf_padding(fd, &pad), 0);
	assert_int_equal(pad, 0);
	close(fd);
	assert_true(identity_elf_padding(-1, &pad) < 0);
}

static void test_renamed(void **state)
{
	static const struct { const char *exe, *origin; bool renamed; } t[] = {
		{ "/tmp/ls", "/bin/bash", true },
		{ "/work/sshd", "/usr/bin/nc.openbsd", true },
		{ "/work/bash", "/bin/bash", false },
		{ "/venv/bin/python3", "/usr/bin/python3.11", false },	/* a versioned name */
		{ "/venv/bin/python3.11", "/usr/bin/python3", false },
		{ "/work/tool", "/bin/busybox", false },		/* a multi-call binary is any applet */
		{ "/work/ls", NULL, false },				/* not a copy of an image program */
		{ "/work/ls", "", false },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(identity_renamed(t[i].exe, t[i].origin), t[i].renamed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_padding),
		cmocka_unit_test(test_not_elf_has_no_padding),
		cmocka_unit_test(test_renamed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
