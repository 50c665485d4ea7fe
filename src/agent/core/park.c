/* park.c - records parked until their container is named (see park.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "core/park.h"

struct parked {
	struct parked *next;	/* in its container's list, arrival order */
	uint64_t at_ms;
	size_t size;
	unsigned char rec[];
};

struct ctr_queue {
	uint64_t cgid;
	struct parked *head, *tail;
	UT_hash_handle hh;
};

struct park {
	struct ctr_queue *by_cgid;
	size_t bytes;
};

struct park *park_new(void)
{
	return calloc(1, sizeof(struct park));
}

static void queue_drop(struct park *p, struct ctr_queue *q, park_cb cb, void *arg)
{
	struct parked *e, *next;

	/* out of the table first: cb may park again for this container */
	HASH_DEL(p->by_cgid, q);
	for (e = q->head; e; e = next) {
		next = e->next;
		p->bytes -= e->size;
		if (cb)
			cb(arg, e->rec, e->size);
		free(e);
	}
	free(q);
}

void park_free(struct park *p)
{
	struct ctr_queue *q, *tmp;

	if (!p)
		return;
	HASH_ITER(hh, p->by_cgid, q, tmp)
		queue_drop(p, q, NULL, NULL);
	free(p);
}

int park_add(struct park *p, uint64_t cgid, const void *rec, size_t size, uint64_t now_ms)
{
	struct ctr_queue *q;
	struct parked *e;

	if (p->bytes + size > PARK_MAX_BYTES)
		return -ENOSPC;
	e = malloc(sizeof(*e) + size);
	if (!e)
		return -ENOSPC;
	HASH_FIND(hh, p->by_cgid, &cgid, sizeof(cgid), q);
	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q) {
			free(e);
			return -ENOSPC;
		}
		q->cgid = cgid;
		HASH_ADD(hh, p->by_cgid, cgid, sizeof(q->cgid), q);
	}
	e->next = NULL;
	e->at_ms = now_ms;
	e->size = size;
	memcpy(e->rec, rec, size);
	if (q->tail)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	p->bytes += size;
	return 0;
}

bool park_holds(const struct park *p, uint64_t cgid)
{
	struct ctr_queue *q;

	HASH_FIND(hh, p->by_cgid, &cgid, sizeof(cgid), q);
	return q != NULL;
}

void park_release(struct park *p, uint64_t cgid, park_cb cb, void *arg)
{
	struct ctr_queue *q;

	HASH_FIND(hh, p->by_cgid, &cgid, sizeof(cgid), q);
	if (q)
		queue_drop(p, q, cb, arg);
}

void park_expire(struct park *p, uint64_t now_ms, park_cb cb, void *arg)
{
	struct ctr_queue *q, *tmp;

	/* a container's records go together: its oldest decides */
	HASH_ITER(hh, p->by_cgid, q, tmp)
		if (now_ms == UINT64_MAX || now_ms - q->head->at_ms >= PARK_WAIT_MS)
			queue_drop(p, q, cb, arg);
}

size_t park_bytes(const struct park *p)
{
	return p->bytes;
}
