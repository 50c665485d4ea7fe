// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls.bpf.c - per-container count of every syscall number, kept in the
 * kernel: no event per syscall, the agent reads the map.  This is the one
 * hook every syscall pays for; `vigil run --no-syscall-counts` leaves it out.
 */
#include "lib/common.bpf.h"

SEC("tp_btf/sys_enter")
int BPF_PROG(vigil_sys_enter_count, struct pt_regs *regs, long id)
{
	__u64 cgid = bpf_get_current_cgroup_id();
	struct vigil_ctr_cgroup *c = bpf_map_lookup_elem(&ctr_cgroups, &cgid);
	struct vigil_syscall_counts *counts;

	if (!c)
		return 0;
	counts = bpf_map_lookup_elem(&syscall_counts, &c->ctr_cgroup_id);
	if (!counts) {
		stat_inc(VIGIL_STAT_COUNTS_MISS);
		return 0;
	}
	if (id >= 0 && id < VIGIL_NR_SYSCALLS)
		counts->n[id] += 1;	/* per-CPU value: no atomic needed */
	return 0;
}
