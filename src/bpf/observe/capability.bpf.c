// SPDX-License-Identifier: GPL-2.0
/*
 * capability.bpf.c - which capabilities a container's program uses.
 *
 * The capability:cap_capable tracepoint (Linux 6.14+) fires on every
 * capability check, in the context of the task that asks.  Checks are
 * frequent (mmap tests CAP_SYS_ADMIN), so this program aggregates: a bitmap
 * per container, and a record only for the first grant of each capability
 * once the container's own program runs.  The agent learns from those
 * records which capabilities a container normally uses.
 */
#include "lib/common.bpf.h"

SEC("tp_btf/cap_capable")
int BPF_PROG(vigil_cap_capable, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vigil_cap_use *use, fresh = {};
	struct vigil_capable_event *e;
	struct vigil_ctr_cgroup *c;
	struct vigil_scratch *s;
	__u64 ctr_id, bit, old;
	struct rec_buf b;
	__u32 flags;
	__s64 nr;

	/* as sys_enter: a host task's check costs a few loads, no hash */
	c = task_ctr_mark(t, &flags);
	if (!c || cap < 0 || cap > VIGIL_CAP_LAST)
		return 0;
	/*
	 * Only the task's own credentials: the kernel also checks on borrowed
	 * ones (overlayfs copies up with its mounter's, access() with the
	 * real ids), and those say nothing of what the program may do.
	 */
	if ((void *)cred != (void *)t->real_cred)
		return 0;
	/* inside a syscall, its number; a kernel thread has none */
	nr = (t->flags & 0x00200000 /* PF_KTHREAD */) ? -1 :
	     BPF_CORE_READ((struct pt_regs *)bpf_task_pt_regs(t), orig_ax);
	/*
	 * Memory accounting asks for CAP_SYS_ADMIN on every brk/mmap/mremap
	 * that commits memory (cap_vm_enough_memory, no audit): a probe, not a
	 * use.  The numbers come from the agent (libseccomp), for this arch.
	 */
	if (cap == VIGIL_CAP_SYS_ADMIN && (nr == cfg_nr_brk || nr == cfg_nr_mmap || nr == cfg_nr_mremap))
		return 0;
	if (!(flags & VIGIL_CTR_PROGRAM))
		return 0;	/* the runtime's set-up needs what it needs */
	ctr_id = c->ctr_cgroup_id;
	use = bpf_map_lookup_elem(&ctr_caps, &ctr_id);
	if (!use) {
		bpf_map_update_elem(&ctr_caps, &ctr_id, &fresh, BPF_NOEXIST);
		use = bpf_map_lookup_elem(&ctr_caps, &ctr_id);
		if (!use)
			return 0;
	}
	bit = 1ULL << cap;
	if (ret) {
		if (!(use->denied & bit))
			__sync_fetch_and_or(&use->denied, bit);
		return 0;
	}
	if (use->granted & bit)
		return 0;
	old = __sync_fetch_and_or(&use->granted, bit);
	if ((old & bit) || !(s = scratch_get()))
		return 0;	/* another CPU reported it */
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_CAPABLE, t, bpf_get_current_cgroup_id(), ctr_id);
	e->cap = cap;
	e->ret = ret;
	e->syscall = nr;
	rec_send(&b);
	return 0;
}
