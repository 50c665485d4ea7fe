/*
 * iforest.h - an isolation forest (Liu, Ting and Zhou, ICDM 2008) over
 * fixed-length feature vectors: the detector of docs/anomaly.md.
 *
 * Each tree isolates points of a random subsample by random cuts
 * (a random feature, a random split between its minimum and maximum in
 * the node); a point that is isolated in few cuts is anomalous.  The
 * score is 2^(-E[h(x)] / c(psi)): near 1 anomalous, about 0.5 or less
 * normal.  Splits are drawn within the fitted data's range, so a point
 * far outside it on one feature of many is isolated only about as fast
 * as the data's own extremes on that feature: the forest finds points
 * unlike the data as a whole, not one odd value (the novelty checks of
 * docs/anomaly.md do that).  Every random choice comes from one seeded generator, so a
 * model is the same on every machine for the same data and seed.
 */
#ifndef VIGIL_IFOREST_H
#define VIGIL_IFOREST_H

#include <stddef.h>
#include <stdint.h>

#define IFOREST_TREES 100
#define IFOREST_SAMPLE 256

struct iforest;

/*
 * Fits a forest of ntrees trees on the n rows of x (n x dim, row-major),
 * each tree on a subsample of at most psi rows.  NULL without memory.
 */
struct iforest *iforest_fit(const double *x, size_t n, size_t dim, unsigned int ntrees, size_t psi, uint64_t seed);
void iforest_free(struct iforest *f);
/* The anomaly score of one row, in (0, 1]. */
double iforest_score(const struct iforest *f, const double *row);

/* The average path length of an unsuccessful search in a binary tree of n points. */
double iforest_c(size_t n);

#endif
