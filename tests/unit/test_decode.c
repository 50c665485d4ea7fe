/* Unit tests: validation of short, corrupt and hostile ring-buffer records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <cmocka.h>

#include "bpf/decode.h"
#include "records.h"

static struct rec_builder b;

static size_t valid_exec(void)
{
	struct vigil_exec_event *e = rb_start(&b, VIGIL_EV_EXEC, sizeof(*e));

	rb_put(&b, &e->exe.path, "/bin/busybox", 12);
	rb_put(&b, &e->argv, "cat\0shadow\0", 11);
	rb_put(&b, &e->cwd, "/etc", 4);
	return rb_finish(&b);
}

static void test_valid_records(void **state)
{
	struct vigil_exec_event *e;
	struct sv v;
	size_t n = valid_exec();

	assert_int_equal(record_check(b.buf, n), 0);
	e = (struct vigil_exec_event *)b.buf;
	v = rec_sv(e, e->argv);
	assert_int_equal(v.len, 11);
	assert_memory_equal(v.p, "cat\0shadow\0", 11);
	v = rec_sv(e, e->filename);	/* absent */
	assert_null(v.p);

	rb_start(&b, VIGIL_EV_FORK, sizeof(struct vigil_fork_event));
	assert_int_equal(record_check(b.buf, rb_finish(&b)), 0);
}

static void test_short_and_bad_headers(void **state)
{
	size_t n = valid_exec(), i;
	struct vigil_hdr *h = (struct vigil_hdr *)b.buf;

	assert_int_equal(record_check(NULL, 0), -EBADMSG);
	/* every truncation of a valid record is refused */
	for (i = 0; i < n; i++)
		assert_int_equal(record_check(b.buf, i), -EBADMSG);
	/* size field disagrees with the ring-buffer size */
	h->size = n + 1;
	assert_int_equal(record_check(b.buf, n), -EBADMSG);
	h->size = n;
	h->version = VIGIL_ABI_VERSION + 1;
	assert_int_equal(record_check(b.buf, n), -EPROTO);
	h->version = VIGIL_ABI_VERSION;
	h->type = 0;
	assert_int_equal(record_check(b.buf, n), -EBADMSG);
	h->type = VIGIL_EV_TYPE_MAX;
	assert_int_equal(record_check(b.buf, n), -EBADMSG);
}

static void test_strings_out_of_bounds(void **state)
{
	struct vigil_exec_event *e;
	size_t n;

	n = valid_exec();
	e = (struct vigil_exec_event *)b.buf;
	e->argv.len = n;			/* runs past the end */
	assert_int_equal(record_check(b.buf, n), -EBADMSG);

	n = valid_exec();
	e->cwd.off = 8;				/* points into the header */
	assert_int_equal(record_check(b.buf, n), -EBADMSG);

	n = valid_exec();
	e->filename.off = 0;
	e->filename.len = 5;			/* absent but with a length */
	assert_int_equal(record_check(b.buf, n), -EBADMSG);

	n = valid_exec();
	e->exe.mnt_root.off = 0xffff;
	e->exe.mnt_root.len = 0xffff;		/* off + len overflows 16 bits */
	assert_int_equal(record_check(b.buf, n), -EBADMSG);
}

/* Random bytes never crash the checker, and what passes is in bounds. */
static void test_random_records(void **state)
{
	unsigned int seed = 1234, i, j, accepted = 0;
	unsigned char *buf = malloc(4096);

	for (i = 0; i < 20000; i++) {
		size_t n = rand_r(&seed) % 1200;
		struct vigil_hdr *h = (struct vigil_hdr *)buf;

		for (j = 0; j < n; j++)
			buf[j] = rand_r(&seed);
		if (n >= sizeof(*h)) {
			h->version = VIGIL_ABI_VERSION;
			h->type = 1 + rand_r(&seed) % (VIGIL_EV_TYPE_MAX - 1);
			h->size = n;
		}
		if (record_check(buf, n) == 0)
			accepted++;
	}
	free(buf);
	/* a random string table passing is possible but rare */
	assert_true(accepted < 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_records),
		cmocka_unit_test(test_short_and_bad_headers),
		cmocka_unit_test(test_strings_out_of_bounds),
		cmocka_unit_test(test_random_records),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
