/* Unit tests: lexical joining of user paths to kernel-resolved directories. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "util/pathutil.h"

static void test_join_table(void **state)
{
	static const struct { const char *dir, *path, *out; } cases[] = {
		{ "/etc", "shadow", "/etc/shadow" },
		{ "/etc/", "shadow", "/etc/shadow" },
		{ "/etc", "/root/.ssh/id_rsa", "/root/.ssh/id_rsa" },
		{ "/tmp", "../etc/./passwd", "/etc/passwd" },
		{ "/", "../../..", "/" },
		{ "/a/b", "../../../x", "/x" },
		{ "/a", "b//c///d", "/a/b/c/d" },
		{ "/a", ".", "/a" },
		{ "/a", "", "/a" },
		{ NULL, "rel", "/rel" },
		{ "/x", "..a/b..", "/x/..a/b.." },
	};
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *d = cases[i].dir;
		int n = path_join(d, d ? strlen(d) : 0, cases[i].path, strlen(cases[i].path),
				  out, sizeof(out));

		assert_string_equal(out, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
	}
}

static void test_too_long(void **state)
{
	char out[8];
	int n = path_join("/abc", 4, "defghij", 7, out, sizeof(out));

	assert_int_equal(n, -ENAMETOOLONG);
	assert_true(strlen(out) < sizeof(out));
	assert_int_equal(path_join("/", 1, "x", 1, out, 1), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_table),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests_name("pathutil", tests, NULL, NULL);
}
