/*
 * adfa_eval - the anomaly detector checked on data no one here made:
 * ADFA-LD system-call traces (docs/anomaly.md).
 *
 *   adfa_eval TRAIN.csv TEST.csv
 *
 * Models are fitted on the normal training traces only (80% of them; the
 * other 20% set the alarm threshold at their 95th percentile).  The
 * abnormal training traces only choose the preprocessing (validation);
 * the test split is scored once, at the end.
 * Prints, per detector, the detection rate and false-positive rate at that
 * threshold and the ROC AUC, as a Markdown table.
 *
 *   iforest       isolation forest (learn/iforest.c) over a trace's syscalls:
 *                 their log frequency log(1 + 1000 * count / length), their
 *                 frequency, or their presence, over the syscalls seen in at
 *                 least 0, 5 or 20% of the fitted traces; the one of the nine
 *                 with the best validation AUC is reported
 *   iforest+novel the same, and any syscall never seen in training alarms
 *   stide-6       STIDE: the share of a trace's 6-grams never seen in training
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn/iforest.h"

#define NR 512		/* ADFA-LD is 32-bit x86: numbers below 400 */
#define DIM NR		/* a feature per syscall number */
#define NGRAM 6
#define SEED 20261202ULL

struct trace {
	int *s;
	size_t n;
	int abnormal;
};

struct set {
	size_t n;
	struct trace *t;
};

static void load(const char *path, struct set *out)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, have = 0;
	ssize_t len;

	if (!f) {
		perror(path);
		exit(1);
	}
	memset(out, 0, sizeof(*out));
	while ((len = getline(&line, &cap, f)) > 0) {
		char *c1 = strchr(line, ','), *c2 = c1 ? strrchr(line, ',') : NULL, *p, *end;
		struct trace t = { 0 };
		size_t tcap = 0;

		if (!c1 || c2 == c1 || !strncmp(line, "file_name,", 10))
			continue;
		t.abnormal = !strncmp(c2 + 1, "abnormal", 8);
		*c2 = '\0';
		for (p = c1 + 1;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			if (v < 0 || v >= NR)
				continue;
			if (t.n == tcap) {
				tcap = tcap ? tcap * 2 : 256;
				t.s = realloc(t.s, tcap * sizeof(*t.s));
				if (!t.s)
					exit(1);
			}
			t.s[t.n++] = (int)v;
		}
		if (!t.n)
			continue;
		if (out->n == have) {
			have = have ? have * 2 : 512;
			out->t = realloc(out->t, have * sizeof(*out->t));
			if (!out->t)
				exit(1);
		}
		out->t[out->n++] = t;
	}
	free(line);
	fclose(f);
}

static int variant;

static void features(const struct trace *t, double *x)
{
	size_t i;

	memset(x, 0, DIM * sizeof(*x));
	for (i = 0; i < t->n; i++)
		x[t->s[i]]++;
	for (i = 0; i < DIM; i++) {
		double c = x[i];

		switch (variant) {
		case 0: x[i] = log1p(1000.0 * c / (double)t->n); break;	/* log frequency */
		case 1: x[i] = c / (double)t->n; break;			/* frequency */
		default: x[i] = c > 0; break;				/* presence */
		}
	}
}

static int keep[DIM];
static size_t n_keep;

/* the kept features first, in place */
static void compress(double *x)
{
	size_t j;

	for (j = 0; j < n_keep; j++)
		x[j] = x[keep[j]];
}

/* compressed rows are read with stride n_keep: repack the fit matrix */
static void repack(double *x, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n_keep; j++)
			x[i * n_keep + j] = x[i * DIM + j];
}

/* ---- STIDE: a sorted table of the normal n-grams ---- */

struct gram {
	int s[NGRAM];
};

static int gram_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct gram));
}

static struct gram *grams;
static size_t n_grams;

static void stide_fit(struct trace *const *tr, size_t n)
{
	size_t i, j, cap = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j + NGRAM <= tr[i]->n; j++) {
			if (n_grams == cap) {
				cap = cap ? cap * 2 : 65536;
				grams = realloc(grams, cap * sizeof(*grams));
				if (!grams)
					exit(1);
			}
			memcpy(grams[n_grams++].s, tr[i]->s + j, sizeof(struct gram));
		}
	}
	qsort(grams, n_grams, sizeof(*grams), gram_cmp);
}

static double stide_score(const struct trace *t)
{
	size_t j, miss = 0, all = 0;

	for (j = 0; j + NGRAM <= t->n; j++, all++)
		if (!bsearch(t->s + j, grams, n_grams, sizeof(*grams), gram_cmp))
			miss++;
	return all ? (double)miss / (double)all : 1.0;
}

/* ---- metrics ---- */

/* ROC AUC as the Mann-Whitney statistic: P(score(abnormal) > score(normal)), ties half. */
static double auc(const double *s, const int *y, size_t n)
{
	double pairs = 0, wins = 0;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (y[i] && !y[j]) {
				pairs++;
				wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0;
			}
	return pairs ? wins / pairs : 0;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The 95th percentile of the calibration traces' scores: above it, an alarm. */
static double threshold(double *cal, size_t n)
{
	qsort(cal, n, sizeof(*cal), dbl_cmp);
	return cal[(size_t)floor(0.95 * (double)(n - 1))];
}

static void row(const char *name, const double *s, const int *y, size_t n, double thr)
{
	size_t i, tp = 0, fp = 0, pos = 0, neg = 0;

	for (i = 0; i < n; i++) {
		pos += y[i];
		neg += !y[i];
		tp += y[i] && s[i] > thr;
		fp += !y[i] && s[i] > thr;
	}
	printf("| %-13s | %5.1f%% (%zu/%zu) | %5.1f%% (%zu/%zu) | %.3f |\n", name, 100.0 * tp / pos, tp, pos,
	       100.0 * fp / neg, fp, neg, auc(s, y, n));
}

struct result {
	double val_auc, thr;
	double *s_if, *s_nov;
};

static const char *variant_name(int v)
{
	static const char *const names[] = { "log frequency", "frequency", "presence" };

	return v >= 0 && v < 3 ? names[v] : "?";
}

/*
 * Fits the forest for one preprocessing and scores: the held-out normal
 * traces (the threshold), validation on them against the abnormal
 * training traces (AUC), and the test split.
 */
static void eval_if(struct trace **fit, size_t n_fit, struct trace **cal, size_t n_cal, struct trace **val_ab,
		    size_t n_ab, const struct set *test, const int *seen, double minshare, struct result *r)
{
	double *x = malloc(n_fit * DIM * sizeof(*x)), xr[DIM], *c = malloc(n_cal * sizeof(*c));
	double *vs = malloc((n_cal + n_ab) * sizeof(*vs));
	int *vy = malloc((n_cal + n_ab) * sizeof(*vy));
	struct iforest *f;
	size_t i, j, k, d = 0;

	for (i = 0; i < n_fit; i++)
		features(fit[i], x + i * DIM);
	for (j = 0; j < DIM; j++) {
		size_t present = 0;

		for (i = 0; i < n_fit; i++)
			present += x[i * DIM + j] != 0;
		if (present && (double)present >= minshare * (double)n_fit)
			keep[d++] = (int)j;
	}
	n_keep = d;
	for (i = 0; i < n_fit; i++)
		compress(x + i * DIM);
	repack(x, n_fit);
	f = iforest_fit(x, n_fit, n_keep, IFOREST_TREES, IFOREST_SAMPLE, SEED);
	if (!f)
		exit(1);
	for (i = 0; i < n_cal; i++) {
		features(cal[i], xr);
		compress(xr);
		c[i] = vs[i] = iforest_score(f, xr);
		vy[i] = 0;
	}
	for (i = 0; i < n_ab; i++) {
		features(val_ab[i], xr);
		compress(xr);
		vs[n_cal + i] = iforest_score(f, xr);
		vy[n_cal + i] = 1;
	}
	r->val_auc = auc(vs, vy, n_cal + n_ab);
	r->thr = threshold(c, n_cal);
	r->s_if = malloc(test->n * sizeof(double));
	r->s_nov = malloc(test->n * sizeof(double));
	for (i = 0; i < test->n; i++) {
		int novel = 0;

		features(&test->t[i], xr);
		compress(xr);
		for (k = 0; k < test->t[i].n; k++)
			novel |= !seen[test->t[i].s[k]];
		r->s_if[i] = iforest_score(f, xr);
		r->s_nov[i] = novel ? 1.0 + r->s_if[i] : r->s_if[i];	/* a novel syscall outranks every score */
	}
	iforest_free(f);
	free(x);
	free(c);
	free(vs);
	free(vy);
}

int main(int argc, char **argv)
{
	static const double shares[] = { 0, 0.05, 0.2 };
	static const int variants[] = { 0, 1, 2 };
	struct set train, test;
	struct trace **fit, **cal, **ab;
	size_t n_fit = 0, n_cal = 0, n_ab = 0, i, k, a, b;
	double *s_st, *c_st, thr_st, best_auc = -1;
	struct result res[3][3], *best = NULL;
	static int seen[NR];
	int *y, best_v = 0;
	double best_m = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: adfa_eval TRAIN.csv TEST.csv\n");
		return 2;
	}
	load(argv[1], &train);
	load(argv[2], &test);
	fit = calloc(train.n, sizeof(*fit));
	cal = calloc(train.n, sizeof(*cal));
	ab = calloc(train.n, sizeof(*ab));
	/* normal training traces: every fifth is held out (threshold, validation), the rest fit */
	for (i = 0, k = 0; i < train.n; i++) {
		if (train.t[i].abnormal)
			ab[n_ab++] = &train.t[i];
		else if (k++ % 5 == 4)
			cal[n_cal++] = &train.t[i];
		else
			fit[n_fit++] = &train.t[i];
	}
	for (i = 0; i < n_fit; i++)
		for (k = 0; k < fit[i]->n; k++)
			seen[fit[i]->s[k]] = 1;
	y = malloc(test.n * sizeof(*y));
	for (i = 0; i < test.n; i++)
		y[i] = test.t[i].abnormal;
	printf("ADFA-LD: fitted on %zu normal training traces; %zu other normal ones set the threshold (their 95th\n"
	       "percentile) and, with the %zu abnormal training traces, choose the preprocessing (validation AUC);\n"
	       "tested on %zu traces. %d trees of %d, seed %llu.\n\n",
	       n_fit, n_cal, n_ab, test.n, IFOREST_TREES, IFOREST_SAMPLE, (unsigned long long)SEED);
	printf("| isolation forest: features | kept when in | validation AUC | test detection | test false positives | test AUC |\n");
	printf("|---|---|---|---|---|---|\n");
	for (a = 0; a < 3; a++) {
		for (b = 0; b < 3; b++) {
			struct result *r = &res[a][b];
			size_t tp = 0, fp = 0, pos = 0, neg = 0;

			variant = variants[a];
			eval_if(fit, n_fit, cal, n_cal, ab, n_ab, &test, seen, shares[b], r);
			for (i = 0; i < test.n; i++) {
				pos += y[i];
				neg += !y[i];
				tp += y[i] && r->s_if[i] > r->thr;
				fp += !y[i] && r->s_if[i] > r->thr;
			}
			printf("| %s (%zu) | %.0f%% of traces | %.3f | %.1f%% | %.1f%% | %.3f |\n", variant_name(variants[a]),
			       n_keep, 100 * shares[b], r->val_auc, 100.0 * tp / pos, 100.0 * fp / neg, auc(r->s_if, y, test.n));
			if (r->val_auc > best_auc) {
				best_auc = r->val_auc;
				best = r;
				best_v = variants[a];
				best_m = shares[b];
			}
		}
	}
	stide_fit(fit, n_fit);
	c_st = malloc(n_cal * sizeof(*c_st));
	for (i = 0; i < n_cal; i++)
		c_st[i] = stide_score(cal[i]);
	thr_st = threshold(c_st, n_cal);
	s_st = malloc(test.n * sizeof(*s_st));
	for (i = 0; i < test.n; i++)
		s_st[i] = stide_score(&test.t[i]);
	printf("\nChosen by validation: %s, features in at least %.0f%% of the fitted traces.\n\n",
	       variant_name(best_v), 100 * best_m);
	printf("| detector      | detection rate    | false positives   | ROC AUC |\n");
	printf("|---------------|-------------------|-------------------|---------|\n");
	row("iforest", best->s_if, y, test.n, best->thr);
	row("iforest+novel", best->s_nov, y, test.n, best->thr);
	row("stide-6", s_st, y, test.n, thr_st);
	return 0;
}
