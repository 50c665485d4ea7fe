/*
 * cap_baseline.h - which capabilities a container normally uses, learned.
 *
 * The kernel reports the first grant of each capability to a container's
 * program.  For a while after the agent first sees a container (its
 * learning window), those grants are taken as normal and added to the
 * baseline of its image; later, a grant outside the image's baseline is
 * an anomaly.  An image (by content: its digest) is learned once, in its
 * first container's window; later containers of it, and a restarted agent,
 * are judged against what was learned and add nothing, so starting
 * containers cannot widen a baseline.  Learned baselines are kept in the
 * state directory.  Each container's window is kept here, keyed by its top
 * cgroup.
 */
#ifndef VIGIL_CAP_BASELINE_H
#define VIGIL_CAP_BASELINE_H

#include <stdbool.h>
#include <stdint.h>
#include "container/container.h"

struct cap_baselines;

/*
 * learn_ns: the learning window.  state_dir (may be NULL) keeps the learned
 * baselines across restarts.  NULL with errno set.
 */
struct cap_baselines *cap_baselines_new(uint64_t learn_ns, const char *state_dir);
/* Saves and frees. */
void cap_baselines_free(struct cap_baselines *b);
/* Saves what was learned since the last save. */
void cap_baselines_flush(struct cap_baselines *b);

struct cap_judgement {
	bool learning;		/* inside the container's learning window */
	bool in_baseline;	/* the image's baseline had it (or learning) */
};

/* Container c's learning window starts at boot-time ts (its cgroup appeared). */
void cap_baseline_start(struct cap_baselines *b, const struct ctr_info *c, uint64_t ts);
/* Forgets c's window (its cgroup is gone). */
void cap_baseline_forget(struct cap_baselines *b, uint64_t cgid);

/*
 * A first grant of capability cap (0..63) to container c at boot-time ts.
 * A container whose window was never started starts it now.
 */
struct cap_judgement cap_baseline_judge(struct cap_baselines *b, const struct ctr_info *c, int cap,
					uint64_t ts);

/* The learned baseline of c's image (0 when nothing was learned). */
uint64_t cap_baseline_of(const struct cap_baselines *b, const struct ctr_info *c);

#endif
