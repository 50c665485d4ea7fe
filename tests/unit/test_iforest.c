/* Unit tests: the isolation forest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <cmocka.h>

#include "learn/iforest.h"

#define N 500
#define D 8

static double data[N * D];

/* normal points: each feature near 10, a little noise (deterministic) */
static void make_data(void)
{
	uint64_t s = 42;
	size_t i;

	for (i = 0; i < N * D; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		data[i] = 10.0 + (double)(s >> 40) / (double)(1ULL << 24);	/* [10, 11) */
	}
}

static void test_c(void **state)
{
	assert_true(iforest_c(0) == 0 && iforest_c(1) == 0 && iforest_c(2) == 1);
	/* c(256) = 2 H(255) - 2*255/256 ~ 10.24 */
	assert_true(fabs(iforest_c(256) - 10.244) < 0.01);
}

static void test_outlier_scores_higher(void **state)
{
	struct iforest *f;
	double normal[D], odd[D];
	int i;

	make_data();
	f = iforest_fit(data, N, D, IFOREST_TREES, IFOREST_SAMPLE, 7);
	assert_non_null(f);
	for (i = 0; i < D; i++) {
		normal[i] = 10.5;
		odd[i] = 30;	/* unlike every point it learned */
	}
	assert_true(iforest_score(f, normal) < 0.5);
	assert_true(iforest_score(f, odd) > 0.6);
	assert_true(iforest_score(f, odd) > iforest_score(f, normal) + 0.15);
	iforest_free(f);
}

static void test_same_seed_same_model(void **state)
{
	struct iforest *a, *b, *c;
	double row[D] = { 10, 11, 10.5, 10.2, 12, 10, 10, 9 };

	make_data();
	a = iforest_fit(data, N, D, 50, 128, 99);
	b = iforest_fit(data, N, D, 50, 128, 99);
	c = iforest_fit(data, N, D, 50, 128, 100);
	assert_true(iforest_score(a, row) == iforest_score(b, row));
	assert_true(iforest_score(a, row) != iforest_score(c, row));
	iforest_free(a);
	iforest_free(b);
	iforest_free(c);
	/* degenerate input: no rows, constant rows */
	assert_null(iforest_fit(data, 0, D, 10, 16, 1));
	{
		double flat[16 * 2] = { 0 };
		struct iforest *f = iforest_fit(flat, 16, 2, 10, 16, 1);

		assert_non_null(f);
		assert_true(iforest_score(f, flat) > 0);
		iforest_free(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c),
		cmocka_unit_test(test_outlier_scores_higher),
		cmocka_unit_test(test_same_seed_same_model),
	};

	return cmocka_run_group_tests_name("iforest", tests, NULL, NULL);
}
