// SPDX-License-Identifier: GPL-2.0
/*
 * syscalls.bpf.c - per-container count of every syscall number, kept in the
 * kernel: no event per syscall, the agent reads the map.  And, for a
 * container given a seccomp profile, an event the first time it makes a
 * syscall outside it.  This is the one hook every syscall pays for;
 * `vigil run --no-syscall-counts` leaves it out.
 *
 * A 32-bit syscall (ia32 `int 0x80`, or x32) has a number of another
 * table: it is mapped to the native syscall of the same name before it is
 * counted or checked against a profile, and a container's first one is
 * reported.  The syscalls:* tracepoints do not fire for those ABIs at all,
 * so this is where they are seen, and where a kill policy is checked for
 * them (enforce/syscall.bpf.c does it for the native ABI).
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

/* A container's first syscall of a 32-bit ABI. */
static __always_inline void compat_seen(struct task_struct *t, struct vigil_ctr_cgroup *c, __u64 cgid, long id,
					__u32 abi)
{
	struct vigil_ctr_cgroup *top = bpf_map_lookup_elem(&ctr_cgroups, &c->ctr_cgroup_id);
	struct vigil_notice_event *e;
	struct vigil_scratch *s;
	struct rec_buf b;

	stat_inc(VIGIL_STAT_COMPAT);
	if (!top || (top->flags & VIGIL_CTR_COMPAT) || !(s = scratch_get()))
		return;
	top->flags |= VIGIL_CTR_COMPAT;	/* only ever set: a second report in a race is harmless */
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_NOTICE, t, cgid, c->ctr_cgroup_id);
	e->kind = VIGIL_NOTICE_COMPAT_ABI;
	e->nr = id;
	e->abi = abi;
	rec_send(&b);
}

/* The native number of this syscall (-1 none); *abi: 0 native, 1 ia32, 2 x32. */
static __always_inline long native_nr(struct task_struct *t, long id, __u32 *abi)
{
	__s32 *m;
	__u32 k;

	*abi = 0;
	if (id & X32_SYSCALL_BIT) {
		*abi = 2;	/* x32 shares the native numbers below 512 */
		return id & ~X32_SYSCALL_BIT;
	}
	if (task_ia32_syscall(t)) {
		*abi = 1;
		k = id;
		m = bpf_map_lookup_elem(&compat_nr, &k);
		return m ? *m : -1;
	}
	return id;
}

/* A 32-bit syscall's arguments, as its ABI passes them. */
static __always_inline void compat_args(struct pt_regs *regs, __u32 abi, __u64 a[6])
{
#if defined(__TARGET_ARCH_x86)
	if (abi == 1) {	/* ia32: ebx, ecx, edx, esi, edi, ebp */
		a[0] = (__u32)BPF_CORE_READ(regs, bx);
		a[1] = (__u32)BPF_CORE_READ(regs, cx);
		a[2] = (__u32)BPF_CORE_READ(regs, dx);
		a[3] = (__u32)BPF_CORE_READ(regs, si);
		a[4] = (__u32)BPF_CORE_READ(regs, di);
		a[5] = (__u32)BPF_CORE_READ(regs, bp);
	} else {	/* x32: the native registers */
		a[0] = BPF_CORE_READ(regs, di);
		a[1] = BPF_CORE_READ(regs, si);
		a[2] = BPF_CORE_READ(regs, dx);
		a[3] = BPF_CORE_READ(regs, r10);
		a[4] = BPF_CORE_READ(regs, r8);
		a[5] = BPF_CORE_READ(regs, r9);
	}
#else
	__builtin_memset(a, 0, 6 * sizeof(a[0]));
#endif
}

SEC("tp_btf/sys_enter")
int BPF_PROG(vigil_sys_enter_count, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vigil_syscall_counts *counts;
	struct vigil_ctr_cgroup *c;
	__u32 flags, abi;
	long raw = id;

	/* the cgroup's own mark: no hashing for the host's many syscalls */
	if (!(c = task_ctr_mark(t, &flags)))
		return 0;
	id = native_nr(t, id, &abi);
	if (abi) {
		__u64 a[6];

		compat_seen(t, c, bpf_get_current_cgroup_id(), raw, abi);
		/* the sys_enter_<name> tracepoints never see these: the policy is checked here */
		if (id >= 0 && id < VIGIL_NR_SYSCALLS) {
			compat_args(regs, abi, a);
			pol_syscall(t, bpf_get_current_cgroup_id(), c->ctr_cgroup_id, flags, id, a, abi);
		}
	}
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
