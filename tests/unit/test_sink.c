/* Unit tests: --log-dir's files, families and rotation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "output/sink.h"

static char dir[64];
static char cur[128];	/* the log directory the helpers read */

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vigil-sink.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cur, sizeof(cur), "%s", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

/* Lines of DIR/name; -1 when it is missing.  Each must be whole: "{"n":N}". */
static int lines_of(const char *name, long *first, long *last)
{
	char path[256], line[256];
	FILE *f;
	int n = 0;
	long v;

	snprintf(path, sizeof(path), "%s/%s", cur, name);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f)) {
		assert_int_equal(sscanf(line, "{\"n\":%ld}\n", &v), 1);
		assert_int_equal(line[strlen(line) - 1], '\n');
		if (!n)
			*first = v;
		*last = v;
		n++;
	}
	fclose(f);
	return n;
}

static mode_t mode_of(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", cur, name);
	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static void test_rotation_keeps_whole_lines(void **state)
{
	struct sink_logdir_opts o = { .dir = dir, .unified = true, .max_bytes = 4096, .keep = 3 };
	struct sinks s;
	char doc[64], name[64], path[256];
	long first, last, expect_next = -1;
	int i, n, g, total = 0;
	struct stat st;

	assert_int_equal(sinks_open(&s, OUTPUT_TEXT, NULL), 0);
	assert_int_equal(sinks_open_logdir(&s, &o), 0);
	for (i = 0; i < 5000; i++) {
		n = snprintf(doc, sizeof(doc), "{\"n\":%d}", i);
		sink_json(&s, SINK_FILE, false, doc, (size_t)n);
	}
	assert_true(s.logs.rotations > 3);
	sinks_close(&s);
	/* oldest kept first: vigil.json.3, .2, .1, then vigil.json; numbers run on across them */
	for (g = 3; g >= 0; g--) {
		snprintf(name, sizeof(name), g ? "vigil.json.%d" : "vigil.json", g);
		n = lines_of(name, &first, &last);
		assert_true(n > 0);
		if (expect_next >= 0)
			assert_int_equal(first, expect_next);
		expect_next = last + 1;
		total += n;
		assert_int_equal(mode_of(name), 0600);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		assert_int_equal(stat(path, &st), 0);
		assert_true(st.st_size <= 4096);
	}
	assert_int_equal(expect_next, 5000);	/* nothing after the last line written */
	assert_int_equal(lines_of("vigil.json.4", &first, &last), -1);	/* only --log-keep of them */
}

static void test_families(void **state)
{
	struct sink_logdir_opts o = { .max_bytes = 1 << 20, .keep = 1 };
	struct sinks s;
	long first, last;
	char sub[128];

	/* made by the agent when missing: 0700 */
	snprintf(sub, sizeof(sub), "%s/logs", dir);
	o.dir = sub;
	snprintf(cur, sizeof(cur), "%s", sub);
	assert_int_equal(sinks_open(&s, OUTPUT_TEXT, NULL), 0);
	assert_int_equal(sinks_open_logdir(&s, &o), 0);
	sink_json(&s, SINK_EXEC, false, "{\"n\":1}", 7);
	sink_json(&s, SINK_NET, true, "{\"n\":2}", 7);	/* an INSECURE connect */
	sink_json(&s, SINK_ALERT, true, "{\"n\":3}", 7);	/* the agent's own alert (drops) */
	sink_json(&s, SINK_SYSCALL, false, "{\"n\":4}", 7);
	sinks_close(&s);
	assert_int_equal(lines_of("exec.json", &first, &last), 1);
	assert_int_equal(first, 1);
	assert_int_equal(lines_of("net.json", &first, &last), 1);
	assert_int_equal(first, 2);
	assert_int_equal(lines_of("alert.json", &first, &last), 2);
	assert_int_equal(first, 2);
	assert_int_equal(last, 3);
	assert_int_equal(lines_of("syscall.json", &first, &last), 1);
	assert_int_equal(lines_of("file.json", &first, &last), 0);	/* there, empty */
	assert_int_equal(mode_of("file.json"), 0600);
	assert_int_equal(mode_of("."), 0700);
}

static void test_refuses_open_dir_and_symlink(void **state)
{
	struct sink_logdir_opts o = { .max_bytes = 1 << 20, .keep = 1 };
	char sub[128], link[128];
	struct sinks s;

	snprintf(sub, sizeof(sub), "%s/open", dir);
	assert_int_equal(mkdir(sub, 0777), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	o.dir = sub;
	assert_int_equal(sinks_open(&s, OUTPUT_TEXT, NULL), 0);
	assert_int_not_equal(sinks_open_logdir(&s, &o), 0);	/* writable by others */
	sinks_close(&s);
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink("/tmp", link), 0);
	o.dir = link;
	assert_int_equal(sinks_open(&s, OUTPUT_TEXT, NULL), 0);
	assert_int_not_equal(sinks_open_logdir(&s, &o), 0);	/* never through a symlink */
	sinks_close(&s);
	/* a file of the directory that is a symlink is refused, not followed */
	snprintf(sub, sizeof(sub), "%s/own", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(link, sizeof(link), "%s/own/exec.json", dir);
	assert_int_equal(symlink("/etc/passwd", link), 0);
	o.dir = sub;
	assert_int_equal(sinks_open(&s, OUTPUT_TEXT, NULL), 0);
	assert_int_not_equal(sinks_open_logdir(&s, &o), 0);
	sinks_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rotation_keeps_whole_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_families, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_open_dir_and_symlink, setup, teardown),
	};

	return cmocka_run_group_tests_name("sink", tests, NULL, NULL);
}
