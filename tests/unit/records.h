/* records.h - building ring-buffer records by hand for unit tests. */
#ifndef VIGIL_TEST_RECORDS_H
#define VIGIL_TEST_RECORDS_H

#include <string.h>
#include "abi/abi.h"

struct rec_builder {
	unsigned char buf[VIGIL_DATA_MAX + VIGIL_DATA_HALF];
	size_t len;
};

/* Starts a record of the given type with a plausible process header. */
static inline void *rb_start(struct rec_builder *b, unsigned int type, size_t body)
{
	struct vigil_hdr *h = (struct vigil_hdr *)b->buf;

	memset(b->buf, 0, sizeof(b->buf));
	h->version = VIGIL_ABI_VERSION;
	h->type = type;
	h->ts_ns = 1000000000ULL;
	h->proc.pid = 4242;
	h->proc.tid = 4243;
	h->proc.ppid = 1;
	h->proc.vpid = 7;
	h->proc.cap_effective = 1ULL << 0 | 1ULL << 21;	/* CHOWN, SYS_ADMIN */
	h->proc.cap_permitted = h->proc.cap_effective | 1ULL << 13;	/* ... and NET_RAW */
	h->proc.loginuid = UINT32_MAX;			/* no login: a daemon's */
	h->proc.flags = VIGIL_PROC_PGRP_LEADER;
	memcpy(h->proc.comm, "cat", 4);
	memcpy(h->proc.pcomm, "sh", 3);
	b->len = body;
	return b->buf;
}

/* Appends bytes and points *s at them. */
static inline void rb_put(struct rec_builder *b, struct vigil_str *s, const void *data, size_t n)
{
	memcpy(b->buf + b->len, data, n);
	s->off = b->len;
	s->len = n;
	b->len += n;
}

static inline size_t rb_finish(struct rec_builder *b)
{
	((struct vigil_hdr *)b->buf)->size = b->len;
	return b->len;
}

#endif
