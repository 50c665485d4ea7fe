/*
 * persist.h - `vigil run --pin`: maps and links pinned under
 * VIGIL_PIN_KEEP, reused by the next agent (see persist.c).
 */
#ifndef VIGIL_PERSIST_H
#define VIGIL_PERSIST_H

#include <bpf/libbpf.h>
#include "abi/pins.h"

struct loader;

/* Before load: pinned maps of the same shape and ABI are reused, the rest pinned anew. */
int persist_prepare(struct loader *l);
/* A link attached (name: unique per attachment): pinned, replacing an earlier agent's. */
void persist_link(struct loader *l, struct bpf_link *link, const char *name);
/* A link detached on purpose: its pin goes. */
void persist_unlink(struct loader *l, const char *name);
/* An earlier agent's link of that name, to update in place (XDP allows one per interface), or NULL. */
struct bpf_link *persist_take_link(struct loader *l, const char *name);
/*
 * Once everything is attached: the skeleton's links pinned, and every link
 * an earlier agent left that this one did not take over removed.  Without
 * --pin, every pin an earlier agent left goes.
 */
int persist_finish(struct loader *l);
/* `vigil unpin`: removes every pin; returns how many. */
int persist_clear(void);

#endif
