/* Unit tests: the process cache and its seeding from a procfs tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc/proc_cache.h"

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fclose(f);
}

static void test_exec_fork_exit(void **state)
{
	struct proc_cache *pc = proc_cache_new();
	const struct proc_info *p;

	assert_int_equal(proc_cache_exec(pc, 10, 1, "nginx", "/usr/sbin/nginx", 15,
					 "nginx\0-g\0", 9, 0, "/", 1), 0);
	assert_int_equal(proc_cache_fork(pc, 11, 10, "nginx"), 0);
	p = proc_cache_get(pc, 11);
	assert_non_null(p);
	assert_int_equal(p->ppid, 10);
	assert_string_equal(p->exe, "/usr/sbin/nginx");
	assert_int_equal(p->argv_len, 9);
	assert_memory_equal(p->argv, "nginx\0-g\0", 9);
	/* exec replaces what fork inherited */
	assert_int_equal(proc_cache_exec(pc, 11, 10, "sh", "/bin/sh", 7, "sh\0", 3, 1, "/tmp", 4), 0);
	p = proc_cache_get(pc, 11);
	assert_string_equal(p->exe, "/bin/sh");
	assert_string_equal(p->cwd, "/tmp");
	assert_int_equal(p->argv_truncated, 1);
	assert_int_equal(proc_cache_count(pc), 2);
	proc_cache_exit(pc, 11);
	proc_cache_exit(pc, 11);	/* twice is harmless */
	assert_null(proc_cache_get(pc, 11));
	/* fork of an unknown parent still records the child */
	assert_int_equal(proc_cache_fork(pc, 20, 999, "x"), 0);
	assert_null(proc_cache_get(pc, 20)->exe);
	assert_int_equal(proc_cache_count(pc), 2);
	proc_cache_free(pc);
	proc_cache_free(NULL);
}

static void test_seed_from_fake_procfs(void **state)
{
	char dir[] = "/tmp/vigil-procfs.XXXXXX", path[512];
	struct proc_cache *pc = proc_cache_new();
	const struct proc_info *p;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/123", dir);
	mkdir(path, 0755);
	/* a comm with spaces and a ')' must not confuse the parser */
	snprintf(path, sizeof(path), "%s/123/stat", dir);
	write_file(path, "123 (we ird) x) S 77 123 123 0 -1", 34);
	snprintf(path, sizeof(path), "%s/123/cmdline", dir);
	write_file(path, "python3\0app.py\0", 15);
	snprintf(path, sizeof(path), "%s/123/root", dir);
	assert_int_equal(symlink("/var/lib/docker/overlay2/x/merged", path), 0);
	snprintf(path, sizeof(path), "%s/123/exe", dir);
	assert_int_equal(symlink("/var/lib/docker/overlay2/x/merged/usr/bin/python3", path), 0);
	snprintf(path, sizeof(path), "%s/123/cwd", dir);
	assert_int_equal(symlink("/var/lib/docker/overlay2/x/merged", path), 0);
	snprintf(path, sizeof(path), "%s/notapid", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/456", dir);	/* no stat: skipped */
	mkdir(path, 0755);

	assert_int_equal(proc_cache_seed(pc, dir), 1);
	p = proc_cache_get(pc, 123);
	assert_non_null(p);
	assert_int_equal(p->ppid, 77);
	assert_string_equal(p->comm, "we ird) x");
	assert_string_equal(p->exe, "/usr/bin/python3");	/* container view */
	assert_string_equal(p->cwd, "/");
	assert_int_equal(p->argv_len, 14);
	assert_memory_equal(p->argv, "python3\0app.py", 14);
	proc_cache_free(pc);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static int alive_even(uint32_t pid)
{
	return pid % 2 == 0;
}

/* Exit events can be lost: the cache stays bounded, the oldest goes first, a sweep drops the dead. */
static void test_bounded(void **state)
{
	struct proc_cache *pc = proc_cache_new();
	uint32_t pid;

	assert_non_null(pc);
	proc_cache_set_max(pc, 4);
	for (pid = 100; pid < 110; pid++)
		assert_int_equal(proc_cache_fork(pc, pid, 1, "p"), 0);
	assert_int_equal(proc_cache_count(pc), 4);
	assert_true(proc_cache_evicted(pc) == 6);
	assert_null(proc_cache_get(pc, 100));
	assert_non_null(proc_cache_get(pc, 109));
	assert_int_equal(proc_cache_sweep(pc, alive_even), 2);
	assert_int_equal(proc_cache_count(pc), 2);
	assert_non_null(proc_cache_get(pc, 108));
	assert_null(proc_cache_get(pc, 109));
	proc_cache_free(pc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_exec_fork_exit),
		cmocka_unit_test(test_seed_from_fake_procfs),
	};

	return cmocka_run_group_tests_name("proc_cache", tests, NULL, NULL);
}
