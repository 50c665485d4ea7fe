/* join.c - two-part actions made one event (see join.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "bpf/decode.h"
#include "core/join.h"

struct held {
	struct held *next;	/* same key, and arrival order overall */
	struct held *older, *newer;
	uint64_t key;
	uint64_t at_ms;
	size_t size;
	unsigned char rec[];
};

struct slot {
	uint64_t key;
	struct held *head, *tail;	/* of this key */
	UT_hash_handle hh;
};

struct join {
	struct slot *by_key;
	struct held *oldest, *newest;	/* every record, arrival order */
	size_t n;
};

struct join *join_new(void)
{
	return calloc(1, sizeof(struct join));
}

static void unlink_all(struct join *j, struct held *h)
{
	if (h->older)
		h->older->newer = h->newer;
	else
		j->oldest = h->newer;
	if (h->newer)
		h->newer->older = h->older;
	else
		j->newest = h->older;
	j->n--;
}

/* Takes h, which is the head of its key's list, out of everything. */
static void take_head(struct join *j, struct slot *s, struct held *h)
{
	s->head = h->next;
	if (!s->head) {
		HASH_DEL(j->by_key, s);
		free(s);
	}
	unlink_all(j, h);
}

void join_free(struct join *j)
{
	struct slot *s, *tmp;
	struct held *h, *next;

	if (!j)
		return;
	for (h = j->oldest; h; h = next) {
		next = h->newer;
		free(h);
	}
	HASH_ITER(hh, j->by_key, s, tmp) {
		HASH_DEL(j->by_key, s);
		free(s);
	}
	free(j);
}

int join_hold(struct join *j, uint64_t key, const void *rec, size_t size, uint64_t now_ms)
{
	struct slot *s;
	struct held *h;

	if (j->n >= JOIN_MAX || !(h = malloc(sizeof(*h) + size)))
		return -ENOSPC;
	HASH_FIND(hh, j->by_key, &key, sizeof(key), s);
	if (!s) {
		if (!(s = calloc(1, sizeof(*s)))) {
			free(h);
			return -ENOSPC;
		}
		s->key = key;
		HASH_ADD(hh, j->by_key, key, sizeof(s->key), s);
	}
	h->next = NULL;
	h->key = key;
	h->at_ms = now_ms;
	h->size = size;
	memcpy(h->rec, rec, size);
	if (s->tail)
		s->tail->next = h;
	else
		s->head = h;
	s->tail = h;
	h->older = j->newest;
	h->newer = NULL;
	if (j->newest)
		j->newest->newer = h;
	else
		j->oldest = h;
	j->newest = h;
	j->n++;
	return 0;
}

void *join_take(struct join *j, uint64_t key, size_t *size)
{
	struct slot *s;
	struct held *h;
	void *rec;

	HASH_FIND(hh, j->by_key, &key, sizeof(key), s);
	if (!s)
		return NULL;
	h = s->head;
	take_head(j, s, h);
	rec = malloc(h->size);
	if (rec) {
		memcpy(rec, h->rec, h->size);
		*size = h->size;
	}
	free(h);
	return rec;
}

void join_expire(struct join *j, uint64_t now_ms, join_cb cb, void *arg)
{
	struct held *h;
	struct slot *s;

	/* records of a key are in arrival order too, so the oldest overall heads its list */
	while ((h = j->oldest) && (now_ms == UINT64_MAX || now_ms - h->at_ms >= JOIN_WAIT_MS)) {
		HASH_FIND(hh, j->by_key, &h->key, sizeof(h->key), s);
		if (!s || s->head != h)
			break;	/* cannot happen: keep the table sane rather than loop */
		take_head(j, s, h);
		cb(arg, h->rec, h->size);
		free(h);
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

uint64_t join_key_connect(uint32_t tgid, const struct vigil_sock *dest)
{
	uint64_t h = fnv(1469598103934665603ULL, "connect", 7);

	h = fnv(h, &tgid, sizeof(tgid));
	h = fnv(h, &dest->family, sizeof(dest->family));
	h = fnv(h, &dest->rport, sizeof(dest->rport));
	return fnv(h, dest->raddr, sizeof(dest->raddr));
}

uint64_t join_key_uring(uint64_t req)
{
	return fnv(fnv(1469598103934665603ULL, "uring", 5), &req, sizeof(req));
}

/* Appends the bytes of s (from rec) to out's data area; returns the new reference. */
static struct vigil_str append(unsigned char *out, size_t *len, const void *rec, struct vigil_str s)
{
	struct vigil_str r = { 0, 0 };
	struct sv v = rec_sv(rec, s);

	if (!v.p || *len + v.len + 1 > 0xffff)
		return r;
	memcpy(out + *len, v.p, v.len);
	out[*len + v.len] = '\0';
	r.off = *len;
	r.len = v.len;
	*len += v.len + 1;
	return r;
}

void *join_uring_merge(const struct vigil_uring_event *sub, const struct vigil_uring_event *done, size_t *size)
{
	size_t cap = done->hdr.size + sub->hdr.size, len = sizeof(struct vigil_uring_event);
	unsigned char *out = malloc(cap);
	struct vigil_uring_event *e = (void *)out;

	if (!out)
		return NULL;
	memcpy(out, done, sizeof(*e));
	/* the completion's own strings: the file it opened, the socket's unix path */
	e->file.path = append(out, &len, done, done->file.path);
	e->file.mnt_source = append(out, &len, done, done->file.mnt_source);
	e->file.mnt_root = append(out, &len, done, done->file.mnt_root);
	e->sock.unix_path = append(out, &len, done, done->sock.unix_path);
	/* what the kernel copied at submission */
	e->path = append(out, &len, sub, sub->path);
	e->path2 = append(out, &len, sub, sub->path2);
	e->dir = append(out, &len, sub, sub->dir);
	e->dir2 = append(out, &len, sub, sub->dir2);
	e->dfd = sub->dfd;
	e->dfd2 = sub->dfd2;
	e->sqe_flags = sub->sqe_flags;
	e->open_flags = sub->open_flags;
	e->file_slot = sub->file_slot;
	memcpy(e->args, sub->args, sizeof(e->args));
	e->hdr.size = len;
	*size = len;
	return out;
}
