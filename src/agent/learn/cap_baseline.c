/* cap_baseline.c - learned capability use per image (see cap_baseline.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "learn/cap_baseline.h"

struct baseline {
	char *key;		/* image name, or the container id without one */
	uint64_t caps;
	UT_hash_handle hh;
};

struct cap_baselines {
	uint64_t learn_ns;
	struct baseline *by_key;
};

struct cap_baselines *cap_baselines_new(uint64_t learn_ns)
{
	struct cap_baselines *b = calloc(1, sizeof(*b));

	if (b)
		b->learn_ns = learn_ns;
	return b;
}

void cap_baselines_free(struct cap_baselines *b)
{
	struct baseline *e, *tmp;

	if (!b)
		return;
	HASH_ITER(hh, b->by_key, e, tmp) {
		HASH_DEL(b->by_key, e);
		free(e->key);
		free(e);
	}
	free(b);
}

static const char *key_of(const struct ctr_info *c)
{
	return c->image && *c->image ? c->image : c->id;
}

static struct baseline *find(const struct cap_baselines *b, const struct ctr_info *c)
{
	const char *k = key_of(c);
	struct baseline *e;

	HASH_FIND_STR(b->by_key, k, e);
	return e;
}

uint64_t cap_baseline_of(const struct cap_baselines *b, const struct ctr_info *c)
{
	struct baseline *e = find(b, c);

	return e ? e->caps : 0;
}

struct cap_judgement cap_baseline_judge(struct cap_baselines *b, struct ctr_info *c, int cap,
					uint64_t ts)
{
	struct cap_judgement j = { 0 };
	struct baseline *e = find(b, c);
	uint64_t bit;

	if (cap < 0 || cap > 63)
		return j;
	bit = 1ULL << cap;
	if (!c->learn_from_ns)
		c->learn_from_ns = ts;
	j.learning = ts < c->learn_from_ns + b->learn_ns;
	j.in_baseline = e && (e->caps & bit);
	if (!j.learning)
		return j;
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->key = strdup(key_of(c)))) {
			free(e);
			return j;	/* out of memory: judged, not learned */
		}
		HASH_ADD_KEYPTR(hh, b->by_key, e->key, strlen(e->key), e);
	}
	e->caps |= bit;
	j.in_baseline = true;
	return j;
}
