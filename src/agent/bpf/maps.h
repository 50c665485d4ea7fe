/*
 * maps.h - every operation the agent makes on the kernel side's maps, typed.
 * Nothing outside src/agent/bpf/ touches the skeleton: the rest of the
 * agent says what it wants ("mark this cgroup", "read these counts"), and
 * this module knows which map, key and value that is.
 *
 * All functions return 0 or -errno unless said otherwise.
 */
#ifndef VIGIL_MAPS_H
#define VIGIL_MAPS_H

#include <stdbool.h>
#include <stdint.h>
#include "abi/abi.h"
#include "bpf/loader.h"

/*
 * Marks cgroup cgid (directory dir) as belonging to the container whose top
 * cgroup is top, for a container that was running before the agent; its
 * program has started.  The top cgroup also gets a syscall-count slot.
 */
int kmaps_mark_cgroup(struct loader *l, const char *dir, uint64_t cgid, uint64_t top);

/* The container's syscall counts, summed over CPUs (setup may be NULL). */
int kmaps_counts_read(struct loader *l, uint64_t cgid, uint64_t program[VIGIL_NR_SYSCALLS],
		      uint64_t setup[VIGIL_NR_SYSCALLS]);

/* Calls cb for every container that has a count slot; stops when cb returns non-zero. */
int kmaps_counts_each(struct loader *l, int (*cb)(void *arg, uint64_t cgid), void *arg);

/* Capabilities the container's program was granted and refused. */
int kmaps_caps_read(struct loader *l, uint64_t cgid, struct vigil_cap_use *out);

/* Installs a profile to check the container's syscalls against. */
int kmaps_profile_set(struct loader *l, uint64_t cgid, const uint64_t allow[VIGIL_NR_SYSCALLS / 64],
		      bool armed);
/* Arms an installed profile (the container's program started). */
int kmaps_profile_arm(struct loader *l, uint64_t cgid);

/* Has the container's own program started (an exec from its root filesystem)? */
bool kmaps_program_started(struct loader *l, uint64_t cgid);

/* Forgets a container that is gone: its counts, profile and capabilities. */
void kmaps_forget_container(struct loader *l, uint64_t cgid);

/* The kernel side's counters, summed over CPUs. */
int kmaps_stats_read(struct loader *l, uint64_t out[VIGIL_STAT_MAX]);

/* Enforcement: policy entries, the sets their atoms look in, the switch (abi/policy.h). */
int kmaps_policy_put(struct loader *l, uint64_t ctr, uint32_t hook, const struct vigil_pol_entry *e);
int kmaps_policy_del(struct loader *l, uint64_t ctr, uint32_t hook);
int kmaps_pol_lpm(struct loader *l, const struct vigil_pol_lpm_key *k, bool add);
int kmaps_pol_val(struct loader *l, const struct vigil_pol_val_key *k, bool add);
int kmaps_pol_cfg(struct loader *l, const struct vigil_pol_cfg *c);
/* Every key of the policy maps (a --pin restart sweeps what the old agent left). */
int kmaps_policy_each(struct loader *l, int (*cb)(void *arg, const void *key), void *arg);
int kmaps_pol_lpm_each(struct loader *l, int (*cb)(void *arg, const void *key), void *arg);
int kmaps_pol_val_each(struct loader *l, int (*cb)(void *arg, const void *key), void *arg);
/* SYN flood detection (net/synflood.bpf.c): rate 0 turns it off. */
int kmaps_syn_cfg(struct loader *l, uint32_t rate, uint32_t window_ms, uint64_t block_ns, bool enforce);

/* The ring buffer's fd, for ring_buffer__new(). */
int kmaps_events_fd(struct loader *l);
/*
 * Each loaded program: its name and the kernel's bpf_stats (runs and run
 * time, counted only while kernel.bpf_stats_enabled or a stats fd is on).
 * Returns how many.
 */
int kmaps_prog_each(struct loader *l, int (*cb)(void *arg, const char *name, uint64_t runs, uint64_t run_ns),
		    void *arg);

#endif
