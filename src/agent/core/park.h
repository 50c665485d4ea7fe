/*
 * park.h - events waiting for their container's metadata.
 *
 * When the kernel reports a new container, its name and image are fetched
 * by the worker thread, usually within milliseconds.  Until they are known,
 * that container's records are copied here in arrival order and handled
 * when the metadata arrives (or when they have waited PARK_WAIT_MS), so
 * even a 100 ms container's events carry its name, and no request blocks
 * the ring buffer.  Bounded by PARK_MAX_BYTES: past it a record is handled
 * at once, without its metadata, and counted.
 */
#ifndef VIGIL_PARK_H
#define VIGIL_PARK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PARK_MAX_BYTES (16u << 20)
#define PARK_WAIT_MS 2000

struct park;

struct park *park_new(void);
void park_free(struct park *p);

/* Copies rec for container cgid.  0, or -ENOSPC when full. */
int park_add(struct park *p, uint64_t cgid, const void *rec, size_t size, uint64_t now_ms);
/* Does container cgid have records waiting? */
bool park_holds(const struct park *p, uint64_t cgid);

typedef void (*park_cb)(void *arg, const void *rec, size_t size);
/* Hands over, in order, every record of cgid. */
void park_release(struct park *p, uint64_t cgid, park_cb cb, void *arg);
/* Hands over, in order, every record older than PARK_WAIT_MS (all when now_ms is UINT64_MAX). */
void park_expire(struct park *p, uint64_t now_ms, park_cb cb, void *arg);

size_t park_bytes(const struct park *p);

#endif
