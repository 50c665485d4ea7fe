/* Unit tests: which installed package a file belongs to (dpkg's md5sums lists). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc/pkgdb.h"

/* md5("hello\n") */
#define HELLO_MD5 "b1946ac92492d2347c6235b4d2611184"

static void test_parse_line(void **state)
{
	static const struct { const char *line, *path; int want; } cases[] = {
		{ HELLO_MD5 "  usr/bin/hello", "usr/bin/hello", 1 },
		{ HELLO_MD5 " *usr/bin/hello", "usr/bin/hello", 1 },		/* binary mode mark */
		{ HELLO_MD5 "  usr/bin/hello2", "usr/bin/hello", 0 },	/* a longer name */
		{ HELLO_MD5 "  bin/hello", "usr/bin/hello", 0 },
		{ HELLO_MD5 " usr/bin/hello", "usr/bin/hello", 0 },		/* one space */
		{ "b1946ac92492d2347c6235b4d26111zz  usr/bin/hello", "usr/bin/hello", 0 },	/* not hex */
		{ "b1946ac9  usr/bin/hello", "usr/bin/hello", 0 },		/* short */
		{ "", "usr/bin/hello", 0 },
	};
	unsigned char md5[16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(pkgdb_parse_line(cases[i].line, strlen(cases[i].line), cases[i].path, md5),
				 cases[i].want);
	assert_int_equal(pkgdb_parse_line(HELLO_MD5 "  usr/bin/hello", 47, "usr/bin/hello", md5), 1);
	assert_int_equal(md5[0], 0xb1);
	assert_int_equal(md5[15], 0x84);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_owner(void **state)
{
	char root[] = "/tmp/vigil-pkgdb-XXXXXX", info[256], bin[256], pkg[64];
	int fd;

	assert_non_null(mkdtemp(root));
	snprintf(info, sizeof(info), "%s/var/lib/dpkg/info", root);
	snprintf(bin, sizeof(bin), "%s/usr/bin", root);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "mkdir -p %s %s", info, bin);
		assert_int_equal(system(cmd), 0);
	}
	put(bin, "hello", "hello\n");
	put(bin, "other", "other bytes\n");
	/* a list naming hello among others, one naming other with hello's md5 */
	put(info, "hello-pkg.md5sums", "d41d8cd98f00b204e9800998ecf8427e  usr/share/doc/hello/README\n"
				       HELLO_MD5 "  usr/bin/hello\n");
	put(info, "liar.md5sums", HELLO_MD5 "  usr/bin/other\n");
	put(info, "hello-pkg.list", "/usr/bin/hello\n");

	snprintf(bin, sizeof(bin), "%s/usr/bin/hello", root);
	fd = open(bin, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pkgdb_owner(root, "/usr/bin/hello", fd, pkg, sizeof(pkg)), 0);
	assert_string_equal(pkg, "hello-pkg");
	/* answered again from the cache */
	assert_int_equal(pkgdb_owner(root, "/usr/bin/hello", fd, pkg, sizeof(pkg)), 0);
	assert_string_equal(pkg, "hello-pkg");
	close(fd);

	/* listed, but its bytes are not what the list says */
	snprintf(bin, sizeof(bin), "%s/usr/bin/other", root);
	fd = open(bin, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pkgdb_owner(root, "/usr/bin/other", fd, pkg, sizeof(pkg)), -ENOENT);
	assert_string_equal(pkg, "");
	/* not listed at all; a relative path is refused */
	assert_int_equal(pkgdb_owner(root, "/usr/bin/nothere", fd, pkg, sizeof(pkg)), -ENOENT);
	assert_int_equal(pkgdb_owner(root, "usr/bin/other", fd, pkg, sizeof(pkg)), -EINVAL);
	close(fd);
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		assert_int_equal(system(cmd), 0);
	}
}

/* A root with no dpkg database: no package, no error beyond ENOENT. */
static void test_no_database(void **state)
{
	char root[] = "/tmp/vigil-pkgdb-XXXXXX", f[256], pkg[64];
	int fd;

	assert_non_null(mkdtemp(root));
	put(root, "x", "x\n");
	snprintf(f, sizeof(f), "%s/x", root);
	fd = open(f, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pkgdb_owner(root, "/x", fd, pkg, sizeof(pkg)), -ENOENT);
	close(fd);
	unlink(f);
	rmdir(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_no_database),
	};

	return cmocka_run_group_tests_name("pkgdb", tests, NULL, NULL);
}
