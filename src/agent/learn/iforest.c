/* iforest.c - the isolation forest (see iforest.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "learn/iforest.h"

struct node {
	int feature;		/* -1: a leaf */
	double split;
	unsigned int left, right;	/* node indexes */
	size_t size;		/* a leaf's points */
};

struct tree {
	struct node *nodes;
	unsigned int n, cap;
};

struct iforest {
	size_t dim, psi;
	unsigned int ntrees;
	struct tree *trees;
};

/* splitmix64: small, fast, and the same everywhere */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
	return (double)(next(s) >> 11) / 9007199254740992.0;	/* [0, 1) */
}

double iforest_c(size_t n)
{
	if (n <= 1)
		return 0;
	if (n == 2)
		return 1;
	return 2.0 * (log((double)(n - 1)) + 0.5772156649015329) - 2.0 * (double)(n - 1) / (double)n;
}

static int add_node(struct tree *t, struct node nd)
{
	if (t->n == t->cap) {
		unsigned int cap = t->cap ? t->cap * 2 : 64;
		struct node *n = realloc(t->nodes, cap * sizeof(*n));

		if (!n)
			return -1;
		t->nodes = n;
		t->cap = cap;
	}
	t->nodes[t->n] = nd;
	return (int)t->n++;
}

/* Builds the subtree over rows idx[0..n); returns its node, -1 without memory. */
static int grow(struct tree *t, const double *x, size_t dim, size_t *idx, size_t n, unsigned int depth,
		unsigned int limit, uint64_t *rng)
{
	struct node nd = { .feature = -1, .size = n };
	size_t i, lo, tries;
	int me, l, r;

	if (depth >= limit || n <= 1)
		return add_node(t, nd);
	/* a feature with a spread among these rows; a few tries, then a leaf */
	for (tries = 0; tries < 2 * dim; tries++) {
		size_t f = (size_t)(next(rng) % dim);
		double mn = x[idx[0] * dim + f], mx = mn;

		for (i = 1; i < n; i++) {
			double v = x[idx[i] * dim + f];

			mn = v < mn ? v : mn;
			mx = v > mx ? v : mx;
		}
		if (mx > mn) {
			nd.feature = (int)f;
			nd.split = mn + uniform(rng) * (mx - mn);
			break;
		}
	}
	if (nd.feature < 0)
		return add_node(t, nd);
	/* partition: rows below the split first */
	for (lo = 0, i = 0; i < n; i++) {
		if (x[idx[i] * dim + (size_t)nd.feature] < nd.split) {
			size_t tmp = idx[i];

			idx[i] = idx[lo];
			idx[lo++] = tmp;
		}
	}
	if ((me = add_node(t, nd)) < 0)
		return -1;
	if ((l = grow(t, x, dim, idx, lo, depth + 1, limit, rng)) < 0 ||
	    (r = grow(t, x, dim, idx + lo, n - lo, depth + 1, limit, rng)) < 0)
		return -1;
	t->nodes[me].left = (unsigned int)l;
	t->nodes[me].right = (unsigned int)r;
	return me;
}

struct iforest *iforest_fit(const double *x, size_t n, size_t dim, unsigned int ntrees, size_t psi, uint64_t seed)
{
	struct iforest *f = calloc(1, sizeof(*f));
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), i, k;
	uint64_t rng = seed;
	unsigned int limit, t;

	if (!f || !idx || !n || !dim)
		goto fail;
	f->dim = dim;
	f->ntrees = ntrees;
	f->psi = psi < n ? psi : n;
	f->trees = calloc(ntrees, sizeof(*f->trees));
	if (!f->trees)
		goto fail;
	limit = (unsigned int)ceil(log2((double)(f->psi > 1 ? f->psi : 2)));
	for (t = 0; t < ntrees; t++) {
		/* a subsample without replacement: a partial Fisher-Yates shuffle */
		for (i = 0; i < n; i++)
			idx[i] = i;
		for (i = 0; i < f->psi; i++) {
			k = i + (size_t)(next(&rng) % (n - i));
			size_t tmp = idx[i];

			idx[i] = idx[k];
			idx[k] = tmp;
		}
		if (grow(&f->trees[t], x, dim, idx, f->psi, 0, limit, &rng) < 0)
			goto fail;
	}
	free(idx);
	return f;
fail:
	free(idx);
	iforest_free(f);
	return NULL;
}

void iforest_free(struct iforest *f)
{
	unsigned int t;

	if (!f)
		return;
	for (t = 0; f->trees && t < f->ntrees; t++)
		free(f->trees[t].nodes);
	free(f->trees);
	free(f);
}

/* The path length of row in tree t. */
static double path(const struct tree *t, const double *row)
{
	const struct node *nd = &t->nodes[0];
	double depth = 0;

	while (nd->feature >= 0) {
		nd = &t->nodes[row[nd->feature] < nd->split ? nd->left : nd->right];
		depth++;
	}
	return depth + iforest_c(nd->size);
}

double iforest_score(const struct iforest *f, const double *row)
{
	double sum = 0;
	unsigned int t;

	for (t = 0; t < f->ntrees; t++)
		sum += path(&f->trees[t], row);
	return pow(2.0, -(sum / f->ntrees) / iforest_c(f->psi));
}
