/* Unit tests: learned behaviour per image (learn/novelty.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "learn/novelty.h"

#define S 1000000000ULL

static struct ctr_info ctr(uint64_t cgid, const char *image_id)
{
	struct ctr_info c = { .cgroup_id = cgid, .image = "web:1", .image_id = (char *)image_id };

	snprintf(c.id, sizeof(c.id), "%064llx", (unsigned long long)cgid);
	return c;
}

static void test_learn_then_judge(void **state)
{
	struct novelty *n = novelty_new(10 * S, NULL);
	struct ctr_info a = ctr(1, "sha256:aa"), b = ctr(2, "sha256:aa");
	struct novelty_judgement j;

	novelty_start(n, &a, 100 * S);
	j = novelty_judge(n, &a, NOV_EXEC, "/usr/sbin/nginx", 101 * S);
	assert_true(j.learning);
	assert_false(j.novel);
	novelty_judge(n, &a, NOV_LISTEN, "tcp/8080", 102 * S);
	/* the window ends: what was seen is normal, what was not is new */
	j = novelty_judge(n, &a, NOV_EXEC, "/usr/sbin/nginx", 111 * S);
	assert_false(j.learning);
	assert_false(j.novel);
	j = novelty_judge(n, &a, NOV_EXEC, "/bin/sh", 112 * S);
	assert_true(j.novel);
	/* once per container */
	j = novelty_judge(n, &a, NOV_EXEC, "/bin/sh", 113 * S);
	assert_false(j.novel);
	/* another container of the image learns nothing and is judged at once */
	novelty_start(n, &b, 200 * S);
	j = novelty_judge(n, &b, NOV_EXEC, "/bin/sh", 201 * S);
	assert_false(j.learning);
	assert_true(j.novel);
	j = novelty_judge(n, &b, NOV_LISTEN, "tcp/8080", 201 * S);
	assert_false(j.novel);
	/* kinds are apart: a port is not an executable */
	j = novelty_judge(n, &b, NOV_CONNECT, "tcp/8080", 202 * S);
	assert_true(j.novel);
	novelty_free(n);
}

/* An image of short jobs: no container ran through the window, so none is judged by the first. */
static void test_short_jobs_keep_learning(void **state)
{
	struct novelty *n = novelty_new(10 * S, NULL);
	struct ctr_info a = ctr(1, "sha256:dd"), b = ctr(2, "sha256:dd"), c = ctr(3, "sha256:dd");
	struct novelty_judgement j;

	novelty_start(n, &a, 0);
	novelty_judge(n, &a, NOV_EXEC, "/usr/bin/backup", 1 * S);
	novelty_forget(n, a.cgroup_id);	/* done in a second */
	novelty_start(n, &b, 60 * S);
	j = novelty_judge(n, &b, NOV_EXEC, "/usr/bin/rsync", 61 * S);
	assert_true(j.learning);
	assert_false(j.novel);
	/* b runs through its own window: now the image is learned, rsync and backup both */
	j = novelty_judge(n, &b, NOV_EXEC, "/usr/bin/rsync", 75 * S);
	assert_false(j.learning);
	novelty_start(n, &c, 100 * S);
	assert_false(novelty_judge(n, &c, NOV_EXEC, "/usr/bin/backup", 101 * S).novel);
	assert_true(novelty_judge(n, &c, NOV_EXEC, "/bin/sh", 101 * S).novel);
	novelty_free(n);
}

static void test_persist_and_reset(void **state)
{
	char dir[] = "/tmp/vigil-novelty.XXXXXX", path[64];
	struct ctr_info a = ctr(1, "sha256:bb"), c2 = ctr(3, "sha256:bb");
	struct novelty *n;
	struct novelty_judgement j;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	n = novelty_new(5 * S, dir);
	novelty_start(n, &a, 0);
	novelty_judge(n, &a, NOV_WRITE, "/var/log/nginx", 1 * S);
	novelty_judge(n, &a, NOV_WRITE, "/var/log/nginx", 6 * S);	/* closes the image */
	novelty_free(n);

	/* a restarted agent judges against what was learned; it does not learn again */
	n = novelty_new(5 * S, dir);
	novelty_start(n, &c2, 100 * S);
	j = novelty_judge(n, &c2, NOV_WRITE, "/var/log/nginx", 101 * S);
	assert_false(j.learning);
	assert_false(j.novel);
	j = novelty_judge(n, &c2, NOV_WRITE, "/etc", 101 * S);
	assert_true(j.novel);

	/* vigil learn --reset removes it from the file; the agent forgets it on reload */
	snprintf(path, sizeof(path), "%s/%s", dir, NOVELTY_STATE_FILE);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{}", f);
	fclose(f);
	novelty_reload(n);
	novelty_forget(n, c2.cgroup_id);
	novelty_start(n, &c2, 200 * S);
	j = novelty_judge(n, &c2, NOV_WRITE, "/etc", 201 * S);
	assert_true(j.learning);	/* learned again, from this container */
	novelty_free(n);
	unlink(path);
	rmdir(dir);
}

static void test_write_prefix(void **state)
{
	static const char *const cases[][2] = {
		{ "/var/log/nginx/access.log", "/var/log/nginx" },
		{ "/var/lib/app/data/x/y.db", "/var/lib/app" },
		{ "/tmp/x", "/tmp" },
		{ "/x", "/" },
		{ "relative", "/" },
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		novelty_write_prefix(cases[i][0], strlen(cases[i][0]), out, sizeof(out));
		assert_string_equal(out, cases[i][1]);
	}
	/* a short buffer is never overrun */
	novelty_write_prefix("/var/log/nginx/a", 16, out, 5);
	assert_string_equal(out, "/var");
}

/* A hostile state file is refused as a whole, not half-trusted. */
static void test_bad_state_file(void **state)
{
	char dir[] = "/tmp/vigil-novelty.XXXXXX", path[64];
	struct ctr_info a = ctr(1, "sha256:cc");
	struct novelty *n;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, NOVELTY_STATE_FILE);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"sha256:cc\": {\"exec\": [7, null, {}], \"write\": \"x\"}, \"x\": 3}", f);
	fclose(f);
	n = novelty_new(5 * S, dir);
	assert_non_null(n);
	/* the entry loaded with nothing usable in it: the image counts as learned, empty */
	assert_true(novelty_judge(n, &a, NOV_EXEC, "/bin/true", 1 * S).novel);
	novelty_free(n);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_then_judge),
		cmocka_unit_test(test_short_jobs_keep_learning),
		cmocka_unit_test(test_persist_and_reset),
		cmocka_unit_test(test_write_prefix),
		cmocka_unit_test(test_bad_state_file),
	};

	return cmocka_run_group_tests_name("novelty", tests, NULL, NULL);
}
