// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls.bpf.c - per-container count of every syscall number, kept in the
 * kernel: no event per syscall, the agent reads the map.  And, for a
 * container given a seccomp profile, an event the first time it makes a
 * syscall outside it.  This is the one hook every syscall pays for;
 * `vigil run --no-syscall-counts` leaves it out.
 */
#include "lib/common.bpf.h"

/* Outside the container's profile?  Report once per syscall per container. */
static __always_inline void profile_check(__u64 ctr_id, __u64 cgid, long id)
{
	struct vigil_profile_bits *p = bpf_map_lookup_elem(&ctr_profiles, &ctr_id);
	struct vigil_profile_event *e;
	struct vigil_scratch *s;
	/* id is 0..VIGIL_NR_SYSCALLS-1 here: shifts, not signed division */
	__u32 word = ((__u64)id >> 6) & (VIGIL_NR_SYSCALLS / 64 - 1);
	__u64 bit = 1ULL << ((__u64)id & 63);
	struct rec_buf b;

	if (!p || !p->armed || (p->allow[word] & bit))
		return;
	if (__sync_fetch_and_or(&p->reported[word], bit) & bit)
		return;	/* reported already */
	if (!(s = scratch_get()))
		return;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_PROFILE, bpf_get_current_task_btf(), cgid, ctr_id);
	e->nr = id;
	rec_send(&b);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(vigil_sys_enter_count, struct pt_regs *regs, long id)
{
	struct vigil_syscall_counts *counts;
	struct vigil_ctr_cgroup *c;
	__u32 flags;

	/* the cgroup's own mark: no hashing for the host's many syscalls */
	if (!(c = task_ctr_mark(bpf_get_current_task_btf(), &flags)))
		return 0;
	counts = bpf_map_lookup_elem(&syscall_counts, &c->ctr_cgroup_id);
	if (!counts) {
		stat_inc(VIGIL_STAT_COUNTS_MISS);
		return 0;
	}
	if (id < 0 || id >= VIGIL_NR_SYSCALLS)
		return 0;
	/* per-CPU value: no atomic needed */
	if (flags & VIGIL_CTR_PROGRAM)
		counts->program[id] += 1;
	else
		counts->setup[id] += 1;
	if (profiles_active)
		profile_check(c->ctr_cgroup_id, bpf_get_current_cgroup_id(), id);
	return 0;
}
