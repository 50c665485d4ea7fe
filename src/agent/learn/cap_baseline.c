/* cap_baseline.c - learned capability use per image (see cap_baseline.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "abi/abi.h"
#include "learn/cap_baseline.h"

struct baseline {
	char *key;		/* image name, or the container id without one */
	uint64_t caps;
	UT_hash_handle hh;
};

struct window {
	uint64_t cgid;
	uint64_t from_ns;
	UT_hash_handle hh;
};

struct cap_baselines {
	uint64_t learn_ns;
	struct baseline *by_key;
	struct window *windows;
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
	struct window *w, *wtmp;

	if (!b)
		return;
	HASH_ITER(hh, b->by_key, e, tmp) {
		HASH_DEL(b->by_key, e);
		free(e->key);
		free(e);
	}
	HASH_ITER(hh, b->windows, w, wtmp) {
		HASH_DEL(b->windows, w);
		free(w);
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

static struct window *window_of(struct cap_baselines *b, uint64_t cgid)
{
	struct window *w;

	HASH_FIND(hh, b->windows, &cgid, sizeof(cgid), w);
	return w;
}

void cap_baseline_start(struct cap_baselines *b, const struct ctr_info *c, uint64_t ts)
{
	struct window *w = window_of(b, c->cgroup_id);

	if (w)
		return;
	w = calloc(1, sizeof(*w));
	if (!w)
		return;
	w->cgid = c->cgroup_id;
	w->from_ns = ts;
	HASH_ADD(hh, b->windows, cgid, sizeof(w->cgid), w);
}

void cap_baseline_forget(struct cap_baselines *b, uint64_t cgid)
{
	struct window *w = window_of(b, cgid);

	if (w) {
		HASH_DEL(b->windows, w);
		free(w);
	}
}

struct cap_judgement cap_baseline_judge(struct cap_baselines *b, const struct ctr_info *c, int cap,
					uint64_t ts)
{
	struct cap_judgement j = { 0 };
	struct baseline *e = find(b, c);
	struct window *w;
	uint64_t bit;

	if (cap < 0 || cap > VIGIL_CAP_LAST)
		return j;
	bit = 1ULL << cap;
	cap_baseline_start(b, c, ts);
	w = window_of(b, c->cgroup_id);
	j.learning = w && ts < w->from_ns + b->learn_ns;
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
