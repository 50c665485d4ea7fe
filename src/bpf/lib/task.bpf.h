/* SPDX-License-Identifier: GPL-2.0 */
/* task.bpf.h - which tasks Vigil watches, and their process context. */
#ifndef VIGIL_TASK_BPF_H
#define VIGIL_TASK_BPF_H

#include "maps.bpf.h"

static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

/*
 * The first test of every hook: is the task in a container cgroup (one hash
 * lookup), or are host processes wanted too?  Sets *ctr_id (0 = host).
 */
static __always_inline bool cgroup_watched(__u64 cgid, __u64 *ctr_id)
{
	struct vigil_ctr_cgroup *c = bpf_map_lookup_elem(&ctr_cgroups, &cgid);

	if (c) {
		*ctr_id = c->ctr_cgroup_id;
		return true;
	}
	*ctr_id = 0;
	if (!cfg_watch_host)
		return false;
	return (bpf_get_current_pid_tgid() >> 32) != cfg_agent_pid;
}

/*
 * The container mark of t's cgroup, from the cgroup's own storage (a few
 * loads, no hash: for hooks that fire on every syscall or capability
 * check), or NULL for a host task.  t must be trusted (the current task in
 * a tp_btf program).  *flags gets the container's flags; a nested cgroup's
 * come from its container's top cgroup.
 */
static __always_inline struct vigil_ctr_cgroup *task_ctr_mark(struct task_struct *t, __u32 *flags)
{
	struct vigil_ctr_cgroup *c = bpf_cgrp_storage_get(&ctr_marks, t->cgroups->dfl_cgrp, 0, 0), *top;

	if (!c)
		return NULL;
	*flags = c->flags;
	if (c->flags & VIGIL_CTR_NESTED) {
		top = bpf_map_lookup_elem(&ctr_cgroups, &c->ctr_cgroup_id);
		*flags = top ? top->flags : 0;
	}
	return c;
}

static __always_inline __u32 task_vpid(struct task_struct *t)
{
	struct pid *pid = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return upid.nr;
}

static __always_inline __u32 task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	__u32 major, minor;

	if (!tty)
		return 0;
	major = BPF_CORE_READ(tty, driver, major);
	minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);
	/* new_encode_dev(), as /proc/PID/stat shows tty_nr */
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

static __always_inline void proc_fill(struct vigil_proc *p, struct task_struct *t,
				      __u64 cgid, __u64 ctr_id)
{
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);

	p->pid = BPF_CORE_READ(t, tgid);
	p->tid = BPF_CORE_READ(t, pid);
	p->ppid = BPF_CORE_READ(parent, tgid);
	p->vpid = task_vpid(t);
	p->uid = BPF_CORE_READ(cred, uid.val);
	p->gid = BPF_CORE_READ(cred, gid.val);
	p->euid = BPF_CORE_READ(cred, euid.val);
	p->tty = task_tty(t);
	/* kernel_cap_t is one u64 since 6.3 and two u32 before: same bytes */
	bpf_core_read(&p->cap_effective, sizeof(p->cap_effective), &cred->cap_effective);
	p->start_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	p->cgroup_id = cgid;
	p->ctr_cgroup_id = ctr_id;
	bpf_probe_read_kernel_str(p->comm, sizeof(p->comm), &t->comm);
	bpf_probe_read_kernel_str(p->pcomm, sizeof(p->pcomm), &parent->comm);
}

#endif
