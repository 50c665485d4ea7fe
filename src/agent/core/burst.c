/*
 * burst.c - distinct values per (rule, container, session) within a window
 * (see burst.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "core/burst.h"
#include "util/hash.h"

#define BURST_VALUE_LEN 48

struct burst_key {
	uint64_t rule;		/* FNV-1a of the rule's name: a reload keeps the state of a rule */
	uint64_t ctr;
	uint64_t key;
};

struct burst_entry {
	struct burst_key k;
	size_t n;
	struct {
		char v[BURST_VALUE_LEN];
		uint64_t ts;
	} vals[BURST_VALUES];
	UT_hash_handle hh;
};

struct burst_table {
	struct burst_entry *by_key;	/* in order of last activity, oldest first */
	size_t n;
};

struct burst_table *burst_new(void)
{
	return calloc(1, sizeof(struct burst_table));
}

void burst_free(struct burst_table *t)
{
	struct burst_entry *e, *tmp;

	if (!t)
		return;
	HASH_ITER(hh, t->by_key, e, tmp) {
		HASH_DEL(t->by_key, e);
		free(e);
	}
	free(t);
}

size_t burst_count(const struct burst_table *t)
{
	return t ? t->n : 0;
}

/* Drops the values older than the window. */
static void expire(struct burst_entry *e, uint64_t now, uint64_t window)
{
	size_t i, k = 0;

	for (i = 0; i < e->n; i++)
		if (now < e->vals[i].ts || now - e->vals[i].ts <= window)
			e->vals[k++] = e->vals[i];
	e->n = k;
}

bool burst_add(struct burst_table *t, const char *rule, const struct rule_burst *b, uint64_t ctr, uint64_t key,
	       const char *value, uint64_t ts_ns, char *items, size_t len)
{
	struct burst_key k = { fnv1a_str(rule), ctr, key };
	struct burst_entry *e;
	size_t i, off = 0;

	HASH_FIND(hh, t->by_key, &k, sizeof(k), e);
	if (e) {
		HASH_DEL(t->by_key, e);	/* re-added last: the most recently active */
	} else {
		if (t->n >= BURST_KEYS && t->by_key) {
			struct burst_entry *old = t->by_key;

			HASH_DEL(t->by_key, old);
			free(old);
			t->n--;
		}
		if (!(e = calloc(1, sizeof(*e))))
			return false;
		e->k = k;
		t->n++;
	}
	HASH_ADD(hh, t->by_key, k, sizeof(e->k), e);
	expire(e, ts_ns, b->window_ns);
	for (i = 0; i < e->n; i++)
		if (!strncmp(e->vals[i].v, value, BURST_VALUE_LEN - 1))
			break;
	if (i < e->n) {
		e->vals[i].ts = ts_ns;	/* seen again: still in the burst */
		return false;
	}
	if (e->n == BURST_VALUES) {
		memmove(&e->vals[0], &e->vals[1], (BURST_VALUES - 1) * sizeof(e->vals[0]));
		e->n--;
	}
	snprintf(e->vals[e->n].v, BURST_VALUE_LEN, "%s", value);
	e->vals[e->n++].ts = ts_ns;
	if (e->n < b->count)
		return false;
	if (items && len)
		items[0] = '\0';
	for (i = 0; i < e->n && items; i++) {
		int w = snprintf(items + off, len > off ? len - off : 0, "%s%s", i ? " " : "", e->vals[i].v);

		if (w < 0 || (size_t)w >= len - off) {
			items[off] = '\0';	/* whole values only */
			break;
		}
		off += w;
	}
	e->n = 0;	/* one alert per burst; the next one counts afresh */
	return true;
}
