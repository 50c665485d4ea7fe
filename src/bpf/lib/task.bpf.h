/* SPDX-License-Identifier: GPL-2.0 */
/* task.bpf.h - which tasks Vigil watches, and their process context. */
#ifndef VIGIL_TASK_BPF_H
#define VIGIL_TASK_BPF_H

#include "maps.bpf.h"

#define TS_COMPAT 0x0002		/* x86 thread_info.status: an ia32 syscall */
#define X32_SYSCALL_BIT 0x40000000

/* t's current syscall is an ia32 one: its number is of the 32-bit table. */
static __always_inline bool task_ia32_syscall(struct task_struct *t)
{
	return bpf_core_field_exists(t->thread_info.status) && (t->thread_info.status & TS_COMPAT);
}

static __always_inline __u64 task_cgroup_id(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

/* The container mark of a cgroup (its own storage), or NULL. cg must be trusted. */
static __always_inline struct vigil_ctr_cgroup *cgrp_mark(struct cgroup *cg)
{
	return bpf_cgrp_storage_get(&ctr_marks, cg, 0, 0);
}

/*
 * The first test of every hook: is the task in a container (a mark on its
 * cgroup, a few loads: no hash, and a cgroup nested in a container needs
 * no table entry), or are host processes wanted too?  t must be trusted
 * (the current task, or a tp_btf argument).  Sets *cgid and *ctr_id (0 =
 * the host).
 */
static __always_inline bool task_watched(struct task_struct *t, __u64 *cgid, __u64 *ctr_id)
{
	struct cgroup *cg = t->cgroups->dfl_cgrp;
	struct vigil_ctr_cgroup *c = cgrp_mark(cg);

	*cgid = cg->kn->id;
	if (c) {
		*ctr_id = c->ctr_cgroup_id;
		return true;
	}
	*ctr_id = 0;
	if (!cfg_watch_host)
		return false;
	return t->tgid != cfg_agent_pid;
}

/* The current task, the same test. */
static __always_inline bool current_watched(__u64 *cgid, __u64 *ctr_id)
{
	return task_watched(bpf_get_current_task_btf(), cgid, ctr_id);
}

/*
 * The container mark of t's cgroup, or NULL for a host task.  t must be
 * trusted.  *flags gets the container's flags; a nested cgroup's come from
 * its container's top cgroup.
 */
static __always_inline struct vigil_ctr_cgroup *task_ctr_mark(struct task_struct *t, __u32 *flags)
{
	struct vigil_ctr_cgroup *c = cgrp_mark(t->cgroups->dfl_cgrp), *top;

	if (!c)
		return NULL;
	*flags = c->flags;
	if (c->flags & VIGIL_CTR_NESTED) {
		top = bpf_map_lookup_elem(&ctr_cgroups, &c->ctr_cgroup_id);
		*flags = top ? top->flags : 0;
	}
	return c;
}

/* The task's own state (runtime flag), made when create is set; t trusted. */
static __always_inline struct vigil_task *task_state_of(struct task_struct *t, bool create)
{
	return bpf_task_storage_get(&task_state, t, 0, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
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

/* The audit login uid: -1 when never set, or on a kernel without audit syscalls. */
static __always_inline __u32 task_loginuid(struct task_struct *t)
{
	if (!bpf_core_field_exists(t->loginuid))
		return (__u32)-1;
	return BPF_CORE_READ(t, loginuid.val);
}

/*
 * Whether the thread group leads its process group and its session: the
 * signal struct's pgid and sid pids are the group leader's own.
 */
static __always_inline __u32 task_leads(struct task_struct *t)
{
	struct pid *tgid = BPF_CORE_READ(t, group_leader, thread_pid);
	struct pid *pgid = BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]);
	struct pid *sid = BPF_CORE_READ(t, signal, pids[PIDTYPE_SID]);
	__u32 f = 0;

	if (tgid && pgid == tgid)
		f |= VIGIL_PROC_PGRP_LEADER;
	if (tgid && sid == tgid)
		f |= VIGIL_PROC_SID_LEADER;
	return f;
}

/* The host pid of the task's session leader: the kernel's session, not what the process says. */
static __always_inline __u32 task_sid(struct task_struct *t)
{
	struct pid *sid = BPF_CORE_READ(t, signal, pids[PIDTYPE_SID]);

	return sid ? BPF_CORE_READ(sid, numbers[0].nr) : 0;
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
	bpf_core_read(&p->cap_permitted, sizeof(p->cap_permitted), &cred->cap_permitted);
	p->loginuid = task_loginuid(t);
	p->flags |= task_leads(t);
	p->start_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	p->cgroup_id = cgid;
	p->ctr_cgroup_id = ctr_id;
	if (ctr_id) {
		struct vigil_task *ts = bpf_task_storage_get(&task_state, t, 0, 0);

		if (ts)
			p->flags |= ts->flags & VIGIL_PROC_RUNTIME;
	}
	bpf_probe_read_kernel_str(p->comm, sizeof(p->comm), &t->comm);
	bpf_probe_read_kernel_str(p->pcomm, sizeof(p->pcomm), &parent->comm);
}

#endif
