/* Unit tests: burst rules' state - distinct values per session within a window. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/burst.h"

#define S 1000000000ull

static const struct rule_burst four_a_minute = { .count = 4, .window_ns = 60 * S, .by = BURST_BY_SESSION };

static void test_one_alert_per_burst(void **state)
{
	struct burst_table *t = burst_new();
	const char *progs[] = { "id", "uname", "id", "ps", "hostname", "netstat" };
	char items[256] = "untouched";
	int fired = 0;
	size_t i;

	assert_non_null(t);
	for (i = 0; i < 6; i++) {
		if (burst_add(t, "Discovery", &four_a_minute, 7, 100, progs[i], (10 + i) * S, items, sizeof(items))) {
			fired++;
			/* the fourth distinct program completes it; the repeated id counts once */
			assert_int_equal(i, 4);
			assert_string_equal(items, "id uname ps hostname");
		}
	}
	assert_int_equal(fired, 1);
	/* netstat, after the alert, starts the next count */
	assert_false(burst_add(t, "Discovery", &four_a_minute, 7, 100, "lsof", 20 * S, items, sizeof(items)));
	assert_string_equal(items, "id uname ps hostname");	/* left alone when nothing fires */
	burst_free(t);
}

static void test_window_and_keys(void **state)
{
	struct burst_table *t = burst_new();
	char items[256];

	/* three, then the fourth two minutes later: the first ones have expired */
	assert_false(burst_add(t, "D", &four_a_minute, 7, 1, "id", 0, items, sizeof(items)));
	assert_false(burst_add(t, "D", &four_a_minute, 7, 1, "uname", 1 * S, items, sizeof(items)));
	assert_false(burst_add(t, "D", &four_a_minute, 7, 1, "ps", 2 * S, items, sizeof(items)));
	assert_false(burst_add(t, "D", &four_a_minute, 7, 1, "hostname", 120 * S, items, sizeof(items)));
	/* other sessions, containers and rules count apart */
	assert_false(burst_add(t, "D", &four_a_minute, 7, 2, "id", 121 * S, items, sizeof(items)));
	assert_false(burst_add(t, "D", &four_a_minute, 8, 1, "uname", 121 * S, items, sizeof(items)));
	assert_false(burst_add(t, "E", &four_a_minute, 7, 1, "ps", 121 * S, items, sizeof(items)));
	assert_int_equal(burst_count(t), 4);
	/* session 1 of container 7 in rule D: hostname, then three more */
	assert_false(burst_add(t, "D", &four_a_minute, 7, 1, "id", 122 * S, items, sizeof(items)));
	assert_false(burst_add(t, "D", &four_a_minute, 7, 1, "uname", 123 * S, items, sizeof(items)));
	assert_true(burst_add(t, "D", &four_a_minute, 7, 1, "ps", 124 * S, items, sizeof(items)));
	assert_string_equal(items, "hostname id uname ps");
	burst_free(t);
}

/* Bounded: many sessions drop the least recently active; long values are cut, small buffers too. */
static void test_bounds(void **state)
{
	struct rule_burst two = { .count = 2, .window_ns = 60 * S };
	struct burst_table *t = burst_new();
	char items[8], v[300];
	uint64_t k;

	for (k = 0; k < BURST_KEYS + 100; k++)
		assert_false(burst_add(t, "D", &two, 1, k, "id", S, items, sizeof(items)));
	assert_int_equal(burst_count(t), BURST_KEYS);
	/* session 0 was dropped: its id is forgotten */
	assert_false(burst_add(t, "D", &two, 1, 0, "ps", 2 * S, items, sizeof(items)));
	memset(v, 'x', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	assert_true(burst_add(t, "D", &two, 1, 0, v, 3 * S, items, sizeof(items)));
	assert_true(strlen(items) < sizeof(items));
	assert_string_equal(items, "ps");	/* the long one did not fit: left out, not cut mid-way */
	burst_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_alert_per_burst),
		cmocka_unit_test(test_window_and_keys),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests_name("burst", tests, NULL, NULL);
}
