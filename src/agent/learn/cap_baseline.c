/* cap_baseline.c - learned capability use per image (see cap_baseline.h). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "abi/abi.h"
#include "learn/cap_baseline.h"
#include "util/log.h"
#include "util/names.h"
#include "util/safefile.h"

#define STATE_FILE "capabilities.json"
#define STATE_MAX_BYTES (4u << 20)

struct baseline {
	char *key;		/* image digest; else its name; else the container id */
	uint64_t caps;
	uint64_t open_until_ns;	/* boot ns the first container's window ends, 0 = not opened */
	bool closed;		/* learned: no container adds to it any more */
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
	char *state_dir;	/* NULL: kept in memory only */
	bool dirty;
};

/* ---- persistence: {"<image>": ["CAP_CHOWN", ...], ...}, closed baselines only ---- */

static void state_load(struct cap_baselines *b)
{
	json_t *root, *caps, *v;
	const char *key;
	json_error_t err;
	size_t len, i;
	char *text;
	int cap;

	text = safefile_read_at(b->state_dir, STATE_FILE, SAFEFILE_BENEATH, STATE_MAX_BYTES, &len);
	if (!text) {
		if (errno != ENOENT)
			log_warn("%s/%s: capability baselines not loaded", b->state_dir, STATE_FILE);
		return;
	}
	root = json_loadb(text, len, 0, &err);
	free(text);
	if (!json_is_object(root)) {
		log_warnx("%s/%s:%d: %s: capability baselines not loaded", b->state_dir, STATE_FILE, err.line,
			  err.text);
		json_decref(root);
		return;
	}
	json_object_foreach(root, key, caps) {
		struct baseline *e = calloc(1, sizeof(*e));

		if (!e || !(e->key = strdup(key))) {
			free(e);
			break;
		}
		json_array_foreach(caps, i, v)
			if ((cap = cap_number(json_string_value(v))) >= 0)
				e->caps |= 1ULL << cap;
		e->closed = true;	/* learned before: a restart does not reopen it */
		HASH_ADD_KEYPTR(hh, b->by_key, e->key, strlen(e->key), e);
	}
	json_decref(root);
}

static void state_save(struct cap_baselines *b)
{
	struct baseline *e, *t;
	json_t *root, *caps;
	char *text;
	int cap, err = 0;

	if (!b->state_dir || !b->dirty)
		return;
	root = json_object();
	HASH_ITER(hh, b->by_key, e, t) {
		if (!e->closed)
			continue;
		caps = json_array();
		for (cap = 0; cap <= VIGIL_CAP_LAST; cap++)
			if (e->caps & (1ULL << cap))
				json_array_append_new(caps, json_string(cap_name(cap)));
		json_object_set_new(root, e->key, caps);
	}
	text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
	if (!text || (err = safefile_replace(b->state_dir, STATE_FILE, text, strlen(text))))
		log_warnx("%s/%s: capability baselines not saved: %s", b->state_dir, STATE_FILE,
			  strerror(text ? -err : ENOMEM));
	else
		b->dirty = false;
	free(text);
	json_decref(root);
}

struct cap_baselines *cap_baselines_new(uint64_t learn_ns, const char *state_dir)
{
	struct cap_baselines *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->learn_ns = learn_ns;
	if (state_dir) {
		if (mkdir(state_dir, 0700) && errno != EEXIST)
			log_warn("%s (capability baselines kept in memory only)", state_dir);
		else if ((b->state_dir = strdup(state_dir)))
			state_load(b);
	}
	return b;
}

void cap_baselines_free(struct cap_baselines *b)
{
	struct baseline *e, *tmp;
	struct window *w, *wtmp;

	if (!b)
		return;
	state_save(b);
	HASH_ITER(hh, b->by_key, e, tmp) {
		HASH_DEL(b->by_key, e);
		free(e->key);
		free(e);
	}
	HASH_ITER(hh, b->windows, w, wtmp) {
		HASH_DEL(b->windows, w);
		free(w);
	}
	free(b->state_dir);
	free(b);
}

void cap_baselines_flush(struct cap_baselines *b)
{
	state_save(b);
}

static struct baseline *find(const struct cap_baselines *b, const struct ctr_info *c)
{
	const char *k = ctr_image_key(c);
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
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->key = strdup(ctr_image_key(c)))) {
			free(e);
			return j;	/* out of memory: judged as new, not learned */
		}
		HASH_ADD_KEYPTR(hh, b->by_key, e->key, strlen(e->key), e);
	}
	/*
	 * Once per image: the first container's window opens the baseline,
	 * and when it ends the baseline is closed for good.  A new container
	 * of the image (or a restarted agent) does not learn again, so an
	 * attacker cannot widen it by starting containers.
	 */
	if (!e->closed && !e->open_until_ns)
		e->open_until_ns = (w ? w->from_ns : ts) + b->learn_ns;
	if (!e->closed && ts >= e->open_until_ns) {
		e->closed = true;
		b->dirty = true;
	}
	j.learning = !e->closed;
	j.in_baseline = e->caps & bit;
	if (j.learning) {
		e->caps |= bit;
		j.in_baseline = true;
	}
	return j;
}
