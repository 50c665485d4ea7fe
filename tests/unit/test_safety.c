/*
 * Unit tests: reading what a container controls.  Its /etc/passwd (any
 * bytes), files reached through symlinks it made, FIFOs and endless files
 * where a regular file was expected; records parked until their container
 * is named; the one decision of what a host mount is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/park.h"
#include "proc/users.h"
#include "rules/fields.h"
#include "util/safefile.h"

static void test_passwd_parse(void **state)
{
	static const char text[] = "root:x:0:0:root:/root:/bin/sh\n"
				   "www-data:x:33:33:www:/var/www:/usr/sbin/nologin\n"
				   "dup:x:33:33::/:/bin/false\n"		/* a second uid 33: the first wins */
				   "broken line without colons\n"
				   "noid:x::0::/:\n"
				   "big:x:99999999999:0::/:\n"			/* past 32 bits: skipped */
				   "short:x:1001\n"				/* no trailing fields: fine */
				   "\xff\xfe:x:1002:0::/:\n"			/* odd bytes are kept as they are */
				   "a\0b:x:1003:0::/:\n"			/* a NUL inside a name: skipped */
				   "last:x:4294967295:0::/:";			/* no newline at the end */
	struct user_table *t = user_table_parse(text, sizeof(text) - 1);

	assert_non_null(t);
	assert_string_equal(user_table_name(t, 0), "root");
	assert_string_equal(user_table_name(t, 33), "www-data");
	assert_string_equal(user_table_name(t, 1001), "short");
	assert_string_equal(user_table_name(t, 1002), "\xff\xfe");
	assert_null(user_table_name(t, 1003));
	assert_string_equal(user_table_name(t, 4294967295u), "last");
	assert_null(user_table_name(t, 7));
	assert_int_equal(user_table_count(t), 5);
	user_table_free(t);
	t = user_table_parse("", 0);
	assert_non_null(t);
	assert_null(user_table_name(t, 0));
	user_table_free(t);
	assert_null(user_table_name(NULL, 0));
}

static char dir[64];

static int mkroot(void **state)
{
	char p[128];
	FILE *f;

	snprintf(dir, sizeof(dir), "/tmp/vigil-safe.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(p, sizeof(p), "%s/etc", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/etc/passwd", dir);
	f = fopen(p, "w");
	fputs("root:x:0:0::/:\napp:x:1000:1000::/:\n", f);
	fclose(f);
	/* a container's own "/etc/shadow" and links out of its root */
	snprintf(p, sizeof(p), "%s/etc/shadow", dir);
	f = fopen(p, "w");
	fputs("inside\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/abs-link", dir);
	symlink("/etc/shadow", p);
	snprintf(p, sizeof(p), "%s/up-link", dir);
	symlink("../../../../../../etc/shadow", p);
	snprintf(p, sizeof(p), "%s/fifo", dir);
	mkfifo(p, 0600);
	snprintf(p, sizeof(p), "%s/zero", dir);
	symlink("/dev/zero", p);
	snprintf(p, sizeof(p), "%s/magic", dir);
	symlink("/proc/self/root/etc/hostname", p);
	snprintf(p, sizeof(p), "%s/big", dir);
	f = fopen(p, "w");
	for (int i = 0; i < 3000; i++)
		fputs("0123456789", f);
	fclose(f);
	return 0;
}

static int rmroot(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_safefile_in_root(void **state)
{
	size_t n;
	char *s;

	/* a symlink to /etc/shadow resolves to the root's own /etc/shadow, not the host's */
	s = safefile_read_at(dir, "abs-link", SAFEFILE_IN_ROOT, 1024, &n);
	assert_non_null(s);
	assert_string_equal(s, "inside\n");
	free(s);
	s = safefile_read_at(dir, "up-link", SAFEFILE_IN_ROOT, 1024, &n);
	assert_non_null(s);
	assert_string_equal(s, "inside\n");
	free(s);
	/* passwd read as the agent reads it */
	{
		struct user_table *t = user_table_load(dir);

		assert_non_null(t);
		assert_string_equal(user_table_name(t, 1000), "app");
		user_table_free(t);
	}
}

static void alarm_fail(int sig)
{
	(void)sig;
	fail_msg("a read blocked");
}

static void test_safefile_refuses(void **state)
{
	size_t n;

	signal(SIGALRM, alarm_fail);
	alarm(5);
	/* a FIFO would block a plain open: refused at once */
	assert_null(safefile_read_at(dir, "fifo", SAFEFILE_IN_ROOT, 1024, &n));
	assert_int_equal(errno, EINVAL);
	/* /dev/zero never ends: not a regular file */
	assert_null(safefile_read_at(dir, "zero", SAFEFILE_IN_ROOT, 1024, &n));
	/* an absolute link into /proc stays inside the root (no such file there) */
	assert_null(safefile_read_at(dir, "magic", SAFEFILE_IN_ROOT, 1024, &n));
	/* and a magic link (/proc/PID/root) is never followed */
	assert_null(safefile_read_at("/proc/self", "root/etc/hostname", SAFEFILE_IN_ROOT, 1024, &n));
	assert_int_equal(errno, ELOOP);
	/* larger than allowed */
	assert_null(safefile_read_at(dir, "big", SAFEFILE_IN_ROOT, 1024, &n));
	assert_int_equal(errno, EFBIG);
	/* beneath: neither .. nor an absolute path nor a symlink out */
	assert_null(safefile_read_at(dir, "../etc/passwd", SAFEFILE_BENEATH, 1024, &n));
	assert_null(safefile_read_at(dir, "/etc/passwd", SAFEFILE_BENEATH, 1024, &n));
	assert_null(safefile_read_at(dir, "abs-link", SAFEFILE_BENEATH, 1024, &n));
	assert_null(safefile_read_at("/nonexistent-dir", "x", SAFEFILE_BENEATH, 1024, &n));
	alarm(0);
}

struct seen {
	char order[16];
	size_t n;
};

static void collect(void *arg, const void *rec, size_t size)
{
	struct seen *s = arg;

	s->order[s->n++] = *(const char *)rec;
}

static void test_park(void **state)
{
	struct park *p = park_new();
	struct seen s = { 0 };
	static char big[PARK_MAX_BYTES];

	assert_non_null(p);
	assert_false(park_holds(p, 1));
	assert_int_equal(park_add(p, 1, "a", 1, 100), 0);
	assert_int_equal(park_add(p, 2, "x", 1, 100), 0);
	assert_int_equal(park_add(p, 1, "b", 1, 200), 0);
	assert_true(park_holds(p, 1));
	assert_int_equal(park_bytes(p), 3);
	/* a container's records come out in arrival order, others stay */
	park_release(p, 1, collect, &s);
	assert_int_equal(s.n, 2);
	assert_memory_equal(s.order, "ab", 2);
	assert_false(park_holds(p, 1));
	assert_true(park_holds(p, 2));
	/* not yet waited long enough, then past PARK_WAIT_MS */
	park_expire(p, 100 + PARK_WAIT_MS - 1, collect, &s);
	assert_int_equal(s.n, 2);
	park_expire(p, 100 + PARK_WAIT_MS, collect, &s);
	assert_int_equal(s.n, 3);
	assert_int_equal(park_bytes(p), 0);
	/* bounded: what does not fit is refused, not lost silently */
	assert_int_equal(park_add(p, 3, big, sizeof(big), 0), 0);
	assert_int_equal(park_add(p, 3, "c", 1, 0), -ENOSPC);
	park_free(p);
}

/*
 * The host-mount decision the rules (fd.is_host_mount) and the JSON
 * (file.mount.host) share.
 */
static void test_host_mount(void **state)
{
	static const struct {
		const char *fstype;
		unsigned int flags;
		bool host;
	} cases[] = {
		{ "overlay", VIGIL_FILE_ROOT_MNT, false },		/* the image */
		{ "ext4", VIGIL_FILE_BIND | VIGIL_FILE_BLOCKDEV_FS, true },	/* -v /data:/data */
		{ "ext4", VIGIL_FILE_BLOCKDEV_FS, true },		/* a volume */
		/* docker re-binds the container's own /proc/sys read-only: not the host's */
		{ "proc", VIGIL_FILE_BIND, false },
		{ "sysfs", VIGIL_FILE_BIND, false },
		/* the host's /proc bound in: another pid namespace's procfs */
		{ "proc", VIGIL_FILE_BIND | VIGIL_FILE_FOREIGN_NS, true },
		{ "tmpfs", 0, false },					/* --tmpfs /run */
		{ "tmpfs", VIGIL_FILE_BIND, true },			/* -v /dev/shm:/dev/shm */
		{ "devpts", 0, false },
	};
	struct vigil_file f;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&f, 0, sizeof(f));
		f.flags = VIGIL_FILE_PRESENT | cases[i].flags;
		snprintf(f.fstype, sizeof(f.fstype), "%s", cases[i].fstype);
		if (file_is_host_mount(&f) != cases[i].host)
			fail_msg("case %zu (%s, flags %#x): want host=%d", i, cases[i].fstype, cases[i].flags,
				 cases[i].host);
	}
	memset(&f, 0, sizeof(f));
	assert_false(file_is_host_mount(&f));	/* no file */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwd_parse),
		cmocka_unit_test_setup_teardown(test_safefile_in_root, mkroot, rmroot),
		cmocka_unit_test_setup_teardown(test_safefile_refuses, mkroot, rmroot),
		cmocka_unit_test(test_park),
		cmocka_unit_test(test_host_mount),
	};

	return cmocka_run_group_tests_name("safety", tests, NULL, NULL);
}
