/* novelty.c - learned behaviour per image (see novelty.h). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uthash.h>

#include "learn/novelty.h"
#include "util/log.h"
#include "util/safefile.h"

#define STATE_MAX_BYTES (16u << 20)

struct item {
	char *s;
	UT_hash_handle hh;
};

struct model {
	char *key;		/* image digest; else its name; else the container id */
	char *image;		/* its name, for people */
	struct item *items[NOV_KINDS];
	unsigned int count[NOV_KINDS];
	bool full_said[NOV_KINDS];
	uint64_t open_until_ns;	/* boot ns the first container's window ends, 0 = not opened */
	bool closed;		/* learned: nothing is added any more */
	bool saved;		/* in the state file (so gone from it means reset) */
	UT_hash_handle hh;
};

struct window {
	uint64_t cgid;
	uint64_t from_ns;
	struct item *reported;	/* "kind value" already reported for this container */
	UT_hash_handle hh;
};

struct novelty {
	uint64_t learn_ns;
	struct model *models;
	struct window *windows;
	char *state_dir;
	bool dirty;
};

static const char *const kind_names[NOV_KINDS] = { "exec", "write", "listen", "connect" };

const char *novelty_kind_name(enum novelty_kind kind)
{
	return kind < NOV_KINDS ? kind_names[kind] : "?";
}

static bool set_has(struct item *set, const char *s)
{
	struct item *it;

	HASH_FIND_STR(set, s, it);
	return it != NULL;
}

static int set_add(struct item **set, const char *s)
{
	struct item *it = calloc(1, sizeof(*it));

	if (!it || !(it->s = strdup(s))) {
		free(it);
		return -1;
	}
	HASH_ADD_KEYPTR(hh, *set, it->s, strlen(it->s), it);
	return 0;
}

static void set_free(struct item **set)
{
	struct item *it, *t;

	HASH_ITER(hh, *set, it, t) {
		HASH_DEL(*set, it);
		free(it->s);
		free(it);
	}
}

static void model_free(struct model *m)
{
	int k;

	for (k = 0; k < NOV_KINDS; k++)
		set_free(&m->items[k]);
	free(m->key);
	free(m->image);
	free(m);
}

static struct model *model_new(const char *key, const char *image)
{
	struct model *m = calloc(1, sizeof(*m));

	if (!m || !(m->key = strdup(key)) || (image && !(m->image = strdup(image)))) {
		if (m)
			free(m->key);
		free(m);
		return NULL;
	}
	return m;
}

/* ---- persistence: {"<image key>": {"image": NAME, "exec": [...], ...}}, learned models only ---- */

static struct model *model_from_json(const char *key, json_t *o)
{
	struct model *m = model_new(key, json_string_value(json_object_get(o, "image")));
	size_t i;
	json_t *v;
	int k;

	if (!m)
		return NULL;
	for (k = 0; k < NOV_KINDS; k++)
		json_array_foreach(json_object_get(o, kind_names[k]), i, v) {
			const char *s = json_string_value(v);

			if (s && m->count[k] < NOVELTY_MAX_ITEMS && !set_has(m->items[k], s) && !set_add(&m->items[k], s))
				m->count[k]++;
		}
	m->closed = true;	/* learned before: a restart does not reopen it */
	m->saved = true;
	return m;
}

/* The state file's models, or NULL (nothing there, or unreadable: said). */
static json_t *state_read(const char *dir)
{
	json_error_t err;
	size_t len;
	char *text = safefile_read_at(dir, NOVELTY_STATE_FILE, SAFEFILE_BENEATH, STATE_MAX_BYTES, &len);
	json_t *root;

	if (!text) {
		if (errno != ENOENT)
			log_warn("%s/%s: learned behaviour not loaded", dir, NOVELTY_STATE_FILE);
		return NULL;
	}
	root = json_loadb(text, len, 0, &err);
	free(text);
	if (!json_is_object(root)) {
		log_warnx("%s/%s:%d: %s: learned behaviour not loaded", dir, NOVELTY_STATE_FILE, err.line, err.text);
		json_decref(root);
		return NULL;
	}
	return root;
}

static void state_load(struct novelty *n)
{
	json_t *root = state_read(n->state_dir), *o;
	const char *key;

	json_object_foreach(root, key, o) {
		struct model *m;

		HASH_FIND_STR(n->models, key, m);
		if (m || !json_is_object(o) || !(m = model_from_json(key, o)))
			continue;
		HASH_ADD_KEYPTR(hh, n->models, m->key, strlen(m->key), m);
	}
	json_decref(root);
}

static void state_save(struct novelty *n)
{
	struct model *m, *t;
	struct item *it, *itt;
	json_t *root;
	char *text;
	int k, err = 0;

	if (!n->state_dir || !n->dirty)
		return;
	root = json_object();
	HASH_ITER(hh, n->models, m, t) {
		json_t *o;

		if (!m->closed)
			continue;
		o = json_object();
		if (m->image)
			json_object_set_new(o, "image", json_string(m->image));
		for (k = 0; k < NOV_KINDS; k++) {
			json_t *a = json_array();

			HASH_ITER(hh, m->items[k], it, itt)
				json_array_append_new(a, json_string(it->s));
			json_object_set_new(o, kind_names[k], a);
		}
		json_object_set_new(root, m->key, o);
	}
	text = json_dumps(root, JSON_SORT_KEYS | JSON_INDENT(1));
	if (!text || (err = safefile_replace(n->state_dir, NOVELTY_STATE_FILE, text, strlen(text)))) {
		log_warnx("%s/%s: learned behaviour not saved: %s", n->state_dir, NOVELTY_STATE_FILE,
			  strerror(text ? -err : ENOMEM));
	} else {
		n->dirty = false;
		HASH_ITER(hh, n->models, m, t)
			m->saved = m->saved || m->closed;
	}
	free(text);
	json_decref(root);
}

struct novelty *novelty_new(uint64_t learn_ns, const char *state_dir)
{
	struct novelty *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->learn_ns = learn_ns;
	if (state_dir) {
		if (mkdir(state_dir, 0700) && errno != EEXIST)
			log_warn("%s (learned behaviour kept in memory only)", state_dir);
		else if ((n->state_dir = strdup(state_dir)))
			state_load(n);
	}
	return n;
}

void novelty_flush(struct novelty *n)
{
	if (n)
		state_save(n);
}

void novelty_reload(struct novelty *n)
{
	struct model *m, *t;
	json_t *root;

	if (!n || !n->state_dir)
		return;
	root = state_read(n->state_dir);
	if (!root) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/%s", n->state_dir, NOVELTY_STATE_FILE);
		if (!access(path, F_OK))
			return;	/* there but unreadable (said): nothing is forgotten on its account */
	}
	HASH_ITER(hh, n->models, m, t) {
		/* (one closed since the last save is not in the file yet: kept, saved next) */
		if (!m->saved || json_object_get(root, m->key))
			continue;
		/* reset (vigil learn --reset): its next container learns it again */
		log_info("learned behaviour of %s forgotten: its next container learns it again",
			 m->image ? m->image : m->key);
		HASH_DEL(n->models, m);
		model_free(m);
	}
	json_decref(root);
	state_load(n);
}

void novelty_free(struct novelty *n)
{
	struct model *m, *t;
	struct window *w, *wt;

	if (!n)
		return;
	state_save(n);
	HASH_ITER(hh, n->models, m, t) {
		HASH_DEL(n->models, m);
		model_free(m);
	}
	HASH_ITER(hh, n->windows, w, wt) {
		HASH_DEL(n->windows, w);
		set_free(&w->reported);
		free(w);
	}
	free(n->state_dir);
	free(n);
}

static struct window *window_of(struct novelty *n, uint64_t cgid)
{
	struct window *w;

	HASH_FIND(hh, n->windows, &cgid, sizeof(cgid), w);
	return w;
}

void novelty_start(struct novelty *n, const struct ctr_info *c, uint64_t ts)
{
	struct window *w;

	if (!n || window_of(n, c->cgroup_id) || !(w = calloc(1, sizeof(*w))))
		return;
	w->cgid = c->cgroup_id;
	w->from_ns = ts;
	HASH_ADD(hh, n->windows, cgid, sizeof(w->cgid), w);
}

void novelty_forget(struct novelty *n, uint64_t cgid)
{
	struct window *w = n ? window_of(n, cgid) : NULL;

	if (w) {
		HASH_DEL(n->windows, w);
		set_free(&w->reported);
		free(w);
	}
}

struct novelty_judgement novelty_judge(struct novelty *n, const struct ctr_info *c, enum novelty_kind kind,
				       const char *value, uint64_t ts)
{
	struct novelty_judgement j = { 0 };
	char seen[4200];
	struct window *w;
	struct model *m;

	if (!n || kind >= NOV_KINDS || !value || !*value)
		return j;
	novelty_start(n, c, ts);
	w = window_of(n, c->cgroup_id);
	HASH_FIND_STR(n->models, ctr_image_key(c), m);
	if (!m) {
		if (!(m = model_new(ctr_image_key(c), c->image)))
			return j;
		HASH_ADD_KEYPTR(hh, n->models, m->key, strlen(m->key), m);
	}
	/*
	 * Once per image: every container of it adds to the model during the
	 * window its first container opened.  The model closes for good only
	 * when a container that was running before the window ended is still
	 * seen after it: it ran through the window, steady state included.  A
	 * container that starts after every earlier one ended opens a new
	 * window, so an image of short jobs keeps learning (and never alarms)
	 * rather than judging every job by the first.
	 */
	if (!m->closed && !m->open_until_ns)
		m->open_until_ns = (w ? w->from_ns : ts) + n->learn_ns;
	if (!m->closed && ts >= m->open_until_ns) {
		if (w && w->from_ns < m->open_until_ns) {
			m->closed = true;
			n->dirty = true;
		} else {
			m->open_until_ns = (w ? w->from_ns : ts) + n->learn_ns;
		}
	}
	if (!m->closed) {
		j.learning = true;
		if (set_has(m->items[kind], value))
			return j;
		if (m->count[kind] >= NOVELTY_MAX_ITEMS) {
			if (!m->full_said[kind])
				log_warnx("%s: more than %d %s items while learning: the rest are not learned",
					  m->image ? m->image : m->key, NOVELTY_MAX_ITEMS, kind_names[kind]);
			m->full_said[kind] = true;
			return j;
		}
		if (!set_add(&m->items[kind], value))
			m->count[kind]++;
		return j;
	}
	if (set_has(m->items[kind], value) || !w)
		return j;
	/* new for the image: said once per container */
	snprintf(seen, sizeof(seen), "%s %s", kind_names[kind], value);
	if (set_has(w->reported, seen))
		return j;
	set_add(&w->reported, seen);
	j.novel = true;
	return j;
}

void novelty_write_prefix(const char *path, size_t plen, char *out, size_t len)
{
	const char *slash = memrchr(path, '/', plen), *p = path;
	size_t n;
	int comps = 0;

	if (!slash || slash == path) {
		snprintf(out, len, "/");
		return;
	}
	/* the dirname, up to its third component */
	while (p < slash && comps < 3) {
		p++;
		while (p < slash && *p != '/')
			p++;
		comps++;
	}
	n = (size_t)(p - path);
	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), path);
}
