/* Unit tests: seccomp profiles written and read back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "seccomp/syscall_set.h"
#include "bpf/syscalls.h"

static void test_round_trip(void **state)
{
	struct syscall_set s = { 0 }, back = { 0 };
	char path[] = "/tmp/vigil-profile.XXXXXX", err[256];
	json_t *doc, *names;
	int fd = mkstemp(path), unknown;
	FILE *f = fdopen(fd, "w");

	sset_add(&s, sys_nr("write"));
	sset_add(&s, sys_nr("read"));
	sset_add(&s, sys_nr("exit_group"));
	sset_add(&s, -1);		/* ignored */
	sset_add(&s, 100000);		/* ignored */
	assert_int_equal(sset_count(&s), 3);
	assert_int_equal(profile_write(&s, f), 0);
	fclose(f);

	doc = json_load_file(path, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "defaultAction")), "SCMP_ACT_ERRNO");
	assert_int_equal(json_integer_value(json_object_get(doc, "defaultErrnoRet")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "architectures"), 0)),
			    "SCMP_ARCH_X86_64");
	names = json_object_get(json_array_get(json_object_get(doc, "syscalls"), 0), "names");
	/* sorted by name */
	assert_string_equal(json_string_value(json_array_get(names, 0)), "exit_group");
	assert_string_equal(json_string_value(json_array_get(names, 1)), "read");
	assert_string_equal(json_string_value(json_array_get(names, 2)), "write");
	json_decref(doc);

	assert_int_equal(profile_read(path, &back, &unknown, err, sizeof(err)), 0);
	assert_int_equal(unknown, 0);
	assert_memory_equal(&s, &back, sizeof(s));
	unlink(path);
}

static void test_read_errors(void **state)
{
	char path[] = "/tmp/vigil-profile.XXXXXX", err[256];
	struct syscall_set s = { 0 };
	int fd = mkstemp(path), unknown;
	FILE *f = fdopen(fd, "w");

	fputs("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [ {\"names\": [\"read\", \"no_such\", 7],"
	      " \"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ERRNO\"} ]}", f);
	fclose(f);
	assert_int_equal(profile_read(path, &s, &unknown, err, sizeof(err)), 0);
	assert_int_equal(unknown, 2);
	assert_true(sset_has(&s, sys_nr("read")));
	assert_false(sset_has(&s, sys_nr("ptrace")));

	f = fopen(path, "w");
	fputs("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": []}", f);
	fclose(f);
	assert_int_equal(profile_read(path, &s, &unknown, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "must deny"));

	f = fopen(path, "w");
	fputs("{\n\"defaultAction\": ", f);
	fclose(f);
	assert_int_equal(profile_read(path, &s, &unknown, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2:"));	/* file:line:col */
	unlink(path);
}

static void test_baseline(void **state)
{
	struct syscall_set s = { 0 };

	sset_add_runtime_baseline(&s);
	assert_true(sset_has(&s, sys_nr("execve")));
	assert_true(sset_has(&s, sys_nr("futex")));
	assert_false(sset_has(&s, sys_nr("ptrace")));
	assert_false(sset_has(&s, sys_nr("mount")));
}

/*
 * A 32-bit (ia32) syscall is counted and checked as the native syscall of
 * the same name: the kernel side's compat_nr map is built from this.
 */
static void test_compat_map(void **state)
{
	assert_int_equal(sys_compat_to_native(11), sys_nr("execve"));	/* ia32 11 is execve, native 59 */
	assert_int_equal(sys_compat_to_native(5), sys_nr("open"));
	assert_int_equal(sys_compat_to_native(1), sys_nr("exit"));
	assert_int_equal(sys_compat_to_native(26), sys_nr("ptrace"));
	/* socketcall multiplexes ia32 sockets and has no native twin */
	assert_int_equal(sys_compat_to_native(102), -1);
	assert_int_equal(sys_compat_to_native(100000), -1);
	assert_true(sys_nr("execve") != 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compat_map),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_baseline),
	};

	return cmocka_run_group_tests_name("syscall_set", tests, NULL, NULL);
}
