/* users.c - a container's passwd as a table (see users.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uthash.h>

#include "proc/users.h"
#include "util/safefile.h"

struct user {
	uint32_t uid;
	uint32_t line;		/* keeps the file order of duplicates (qsort is not stable) */
	char name[33];		/* longer names are cut (useradd allows 32) */
};

struct user_table {
	struct user *v;		/* sorted by uid */
	size_t n;
};

static int by_uid(const void *a, const void *b)
{
	const struct user *x = a, *y = b;

	return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static int by_uid_line(const void *a, const void *b)
{
	const struct user *x = a, *y = b;

	return x->uid != y->uid ? by_uid(a, b) : x->line < y->line ? -1 : x->line > y->line;
}

/* name:passwd:uid:...; a line that does not parse is skipped */
static int parse_line(const char *p, const char *end, struct user *u)
{
	const char *c1 = memchr(p, ':', end - p), *c2, *q;
	unsigned long uid = 0;
	size_t n;

	if (!c1 || c1 == p)
		return -1;
	c2 = memchr(c1 + 1, ':', end - c1 - 1);
	if (!c2)
		return -1;
	for (q = c2 + 1; q < end && *q != ':'; q++) {
		if (*q < '0' || *q > '9' || uid > 0xffffffffUL / 10)
			return -1;
		uid = uid * 10 + (*q - '0');
	}
	if (q == c2 + 1 || uid > 0xffffffffUL)
		return -1;
	n = c1 - p < (long)sizeof(u->name) - 1 ? (size_t)(c1 - p) : sizeof(u->name) - 1;
	memcpy(u->name, p, n);
	u->name[n] = '\0';
	if (memchr(u->name, '\0', n))
		return -1;	/* a NUL inside a name */
	u->uid = uid;
	return 0;
}

struct user_table *user_table_parse(const char *text, size_t n)
{
	struct user_table *t = calloc(1, sizeof(*t));
	const char *p = text, *end = text + n, *nl;
	size_t cap = 0, i, k;

	if (!t)
		return NULL;
	while (p < end && t->n < USERS_MAX) {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (t->n == cap) {
			struct user *v = realloc(t->v, (cap = cap ? cap * 2 : 32) * sizeof(*v));

			if (!v) {
				user_table_free(t);
				return NULL;
			}
			t->v = v;
		}
		if (!parse_line(p, nl, &t->v[t->n])) {
			t->v[t->n].line = t->n;
			t->n++;
		}
		p = nl + 1;
	}
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), by_uid_line);
	/* the first line for a uid wins, as getpwuid() finds it */
	for (i = k = 0; i < t->n; i++)
		if (!k || t->v[k - 1].uid != t->v[i].uid)
			t->v[k++] = t->v[i];
	t->n = k;
	return t;
}

struct user_table *user_table_load(const char *root)
{
	struct user_table *t;
	size_t n;
	char *text = safefile_read_at(root, "/etc/passwd", SAFEFILE_IN_ROOT, USERS_MAX_BYTES, &n);

	if (!text)
		return NULL;
	t = user_table_parse(text, n);
	free(text);
	if (!t)
		errno = ENOMEM;
	return t;
}

void user_table_free(struct user_table *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

const char *user_table_name(const struct user_table *t, uint32_t uid)
{
	struct user key = { .uid = uid }, *u;

	if (!t || !t->n)
		return NULL;
	u = bsearch(&key, t->v, t->n, sizeof(*t->v), by_uid);
	return u ? u->name : NULL;
}

size_t user_table_count(const struct user_table *t)
{
	return t ? t->n : 0;
}

struct store_entry {
	uint64_t cgid;
	struct user_table *t;
	bool live;
	UT_hash_handle hh;
};

struct user_store {
	struct store_entry *by_cgid;
};

struct user_store *user_store_new(void)
{
	return calloc(1, sizeof(struct user_store));
}

void user_store_free(struct user_store *s)
{
	struct store_entry *e, *tmp;

	if (!s)
		return;
	HASH_ITER(hh, s->by_cgid, e, tmp) {
		HASH_DEL(s->by_cgid, e);
		user_table_free(e->t);
		free(e);
	}
	free(s);
}

static struct store_entry *store_find(const struct user_store *s, uint64_t cgid)
{
	struct store_entry *e;

	HASH_FIND(hh, s->by_cgid, &cgid, sizeof(cgid), e);
	return e;
}

void user_store_set(struct user_store *s, uint64_t cgid, struct user_table *t)
{
	struct store_entry *e = store_find(s, cgid);

	if (!t) {
		if (e) {
			HASH_DEL(s->by_cgid, e);
			user_table_free(e->t);
			free(e);
		}
		return;
	}
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e) {
			user_table_free(t);
			return;
		}
		e->cgid = cgid;
		HASH_ADD(hh, s->by_cgid, cgid, sizeof(e->cgid), e);
	}
	user_table_free(e->t);
	e->t = t;
}

const struct user_table *user_store_get(const struct user_store *s, uint64_t cgid)
{
	struct store_entry *e = store_find(s, cgid);

	return e ? e->t : NULL;
}

bool user_store_live(const struct user_store *s, uint64_t cgid)
{
	struct store_entry *e = store_find(s, cgid);

	return e && e->live;
}

void user_store_mark_live(struct user_store *s, uint64_t cgid)
{
	struct store_entry *e = store_find(s, cgid);

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return;
		e->cgid = cgid;
		HASH_ADD(hh, s->by_cgid, cgid, sizeof(e->cgid), e);
	}
	e->live = true;
}
