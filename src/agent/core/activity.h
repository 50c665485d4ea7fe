/*
 * activity.h - what each container did recently, for rules that look at
 * more than one event: the distinct destinations it connected to in the
 * last CTR_RECENT_WINDOW_NS (port scans).  Keyed by the container's top
 * cgroup; main thread only.
 */
#ifndef VIGIL_ACTIVITY_H
#define VIGIL_ACTIVITY_H

#include <stdint.h>

#define CTR_RECENT_TARGETS 64
#define CTR_RECENT_WINDOW_NS 10000000000ULL

struct ctr_activity {
	uint64_t cgid;
	uint64_t key[CTR_RECENT_TARGETS];	/* address and port, hashed */
	uint64_t ts[CTR_RECENT_TARGETS];	/* boot-time ns */
	unsigned int next;
};

struct activity;

struct activity *activity_new(void);
void activity_free(struct activity *a);

/* The container's record, made on first use (NULL only without memory). */
struct ctr_activity *activity_of(struct activity *a, uint64_t cgid);
void activity_forget(struct activity *a, uint64_t cgid);

/* Records a connect to (family, 16-byte address, port) at boot-time ns ts. */
void activity_connect(struct ctr_activity *c, const uint8_t addr[16], uint16_t port, uint64_t ts);
/* Distinct destinations within CTR_RECENT_WINDOW_NS before now. */
unsigned int activity_recent_targets(const struct ctr_activity *c, uint64_t now);

#endif
