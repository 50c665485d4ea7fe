// SPDX-License-Identifier: GPL-2.0
/*
 * proc.bpf.c - process life: exec, fork, exit.
 *
 * Who is "the runtime" is decided here from what the kernel saw, never
 * from a name a process gives itself: a task that entered a container's
 * cgroups from outside (the runtime's init joining it, for the container's
 * start or a `docker exec`), and its children, are the runtime until they
 * run a program in the container's own mount namespace; and a container's
 * set-up ends at the first such exec inside it, from whatever mount the
 * program comes (image, volume, memfd).  An exec in the host's mount
 * namespace is the runtime's own (runc re-executes itself from a memfd
 * inside the container's cgroup, before it enters the container).
 */
#include "lib/common.bpf.h"

#define CLONE_NEWNS 0x00020000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_NEWTIME 0x00000080

/* The container's own program has started: counts, profiles and capability use follow. */
static __always_inline void ctr_program_started(struct task_struct *cur, __u64 cgid, __u64 ctr_id)
{
	struct vigil_profile_bits *prof = bpf_map_lookup_elem(&ctr_profiles, &ctr_id);
	struct vigil_ctr_cgroup *top = bpf_map_lookup_elem(&ctr_cgroups, &ctr_id);

	if (prof && !prof->armed)
		prof->armed = 1;
	if (top && !(top->flags & VIGIL_CTR_PROGRAM))
		top->flags |= VIGIL_CTR_PROGRAM;	/* only ever set: a race is harmless */
	if (cgid == ctr_id) {
		struct vigil_ctr_cgroup *mark = cgrp_mark(cur->cgroups->dfl_cgrp);

		if (mark)
			mark->flags |= VIGIL_CTR_PROGRAM;
	}
}

/* fds 0..2 that are sockets (a reverse shell's stdio, however it got there). */
static __always_inline __u32 stdio_sockets(struct vigil_exec_event *e, struct task_struct *t)
{
	__u32 mask = 0;
	struct file *f;
	int fd;

	for (fd = 0; fd < 3; fd++) {
		f = fd_file(t, fd);
		if (!file_is_socket(f))
			continue;
		if (!mask)
			sock_describe(&e->stdio_sock, f);
		mask |= 1u << fd;
	}
	return mask;
}

/*
 * stdin and stdout as the kernel has them: a pipe's inode joins a decoder
 * to the shell it feeds, whatever the two call themselves.
 */
static __always_inline void stdio_ends(struct vigil_exec_event *e, struct task_struct *t)
{
	struct inode *ino;
	struct file *f;
	__u32 fd, mode;

	for (fd = 0; fd < 2; fd++) {
		f = fd_file(t, fd);
		if (!f)
			continue;
		ino = BPF_CORE_READ(f, f_inode);
		mode = BPF_CORE_READ(ino, i_mode) & S_IFMT;
		if (mode == S_IFIFO)
			e->stdio[fd].kind = VIGIL_STDIO_PIPE;
		else if (mode == S_IFREG)
			e->stdio[fd].kind = VIGIL_STDIO_FILE;
		else
			continue;
		e->stdio[fd].ino = BPF_CORE_READ(ino, i_ino);
		e->stdio[fd].dev = BPF_CORE_READ(ino, i_sb, s_dev);
	}
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vigil_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	struct vigil_exec_event *e;
	struct vigil_scratch *s;
	struct vigil_task *ts;
	struct rec_buf b;
	unsigned long arg_start, arg_end;
	__u64 cgid, ctr_id;
	__u32 argv_len, was_runtime = 0;
	bool in_ctr;

	if (!task_watched(cur, &cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_EXEC, p, cgid, ctr_id);
	e->old_pid = old_pid;
	in_ctr = !cfg_host_mntns || BPF_CORE_READ(cur, nsproxy, mnt_ns, ns.inum) != cfg_host_mntns;
	/* the record keeps the runtime flag the task had; the task itself now runs a program */
	ts = ctr_id && in_ctr ? task_state_of(cur, false) : NULL;
	if (ts && (ts->flags & VIGIL_PROC_RUNTIME)) {
		/* what it runs now is a program of the container, started by the runtime */
		ts->flags &= ~VIGIL_PROC_RUNTIME;
		e->hdr.proc.flags &= ~VIGIL_PROC_RUNTIME;
		was_runtime = 1;
		e->flags |= VIGIL_EXEC_FROM_RUNTIME;
	}
	file_describe(&b, &e->exe, (unsigned long)BPF_CORE_READ(bprm, file));
	/*
	 * The first exec inside the container is its program: before it only
	 * the runtime's init, which never execs, runs there.  Whatever mount
	 * the program is on (image, volume, memfd), the set-up is over.
	 */
	if (ctr_id && in_ctr)
		ctr_program_started(cur, cgid, ctr_id);
	(void)was_runtime;
	rec_put(&b, &e->filename, BPF_CORE_READ(bprm, filename), VIGIL_PATH_MAX, SRC_KERNEL_STR);

	arg_start = BPF_CORE_READ(p, mm, arg_start);
	arg_end = BPF_CORE_READ(p, mm, arg_end);
	argv_len = arg_end > arg_start ? arg_end - arg_start : 0;
	if (argv_len > cfg_argv_max) {
		argv_len = cfg_argv_max;
		e->flags |= VIGIL_EXEC_ARGV_TRUNC;
		stat_inc(VIGIL_STAT_ARGV_TRUNC);
	}
	if (argv_len)
		rec_put(&b, &e->argv, (void *)arg_start, argv_len, SRC_USER_BYTES);
	if (cfg_env_max) {
		/* the environment as exec laid it out, before the program can touch it */
		unsigned long env_start = BPF_CORE_READ(p, mm, env_start), env_end = BPF_CORE_READ(p, mm, env_end);
		__u32 env_len = env_end > env_start ? env_end - env_start : 0;

		if (env_len > cfg_env_max) {
			env_len = cfg_env_max;
			e->flags |= VIGIL_EXEC_ENV_TRUNC;
		}
		if (env_len)
			rec_put(&b, &e->env, (void *)env_start, env_len, SRC_USER_BYTES);
	}
	path_put(&b, &e->cwd, (unsigned long)BPF_CORE_READ(p, fs, pwd.dentry),
		 (unsigned long)BPF_CORE_READ(p, fs, pwd.mnt), 1);
	e->stdio_sockets = stdio_sockets(e, cur);
	stdio_ends(e, cur);
	e->sid = task_sid(cur);
	pol_exec(e, s);
	rec_send(&b);
	return 0;
}

/* Which namespaces the child does not share with its parent. */
static __always_inline __u64 new_namespaces(struct task_struct *parent, struct task_struct *child)
{
	struct nsproxy *pn = parent->nsproxy, *cn = child->nsproxy;
	__u64 m = 0;

	if (!pn || !cn)
		return 0;
	if (pn != cn) {
		if (pn->mnt_ns != cn->mnt_ns)
			m |= CLONE_NEWNS;
		if (pn->uts_ns != cn->uts_ns)
			m |= CLONE_NEWUTS;
		if (pn->ipc_ns != cn->ipc_ns)
			m |= CLONE_NEWIPC;
		if (pn->net_ns != cn->net_ns)
			m |= CLONE_NEWNET;
		if (pn->cgroup_ns != cn->cgroup_ns)
			m |= CLONE_NEWCGROUP;
		if (pn->pid_ns_for_children != cn->pid_ns_for_children)
			m |= CLONE_NEWPID;
		if (bpf_core_field_exists(pn->time_ns) && pn->time_ns != cn->time_ns)
			m |= CLONE_NEWTIME;
	}
	if (parent->cred->user_ns != child->cred->user_ns)
		m |= CLONE_NEWUSER;
	return m;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vigil_fork, struct task_struct *parent, struct task_struct *child)
{
	struct vigil_ctr_cgroup *pmark, *cmark;
	struct vigil_fork_event *e;
	struct vigil_scratch *s;
	struct vigil_task *pts, *cts;
	struct rec_buf b;
	__u64 cgid, ctr_id;

	if (child->pid != child->tgid)
		return 0;	/* a thread, not a process */
	/* the child's own cgroup: clone3(CLONE_INTO_CGROUP) may differ from its parent's */
	if (!task_watched(child, &cgid, &ctr_id))
		return 0;
	if (ctr_id) {
		/*
		 * A child born into the container from outside it is the
		 * runtime's; a child of the runtime's task stays the runtime's.
		 */
		pmark = cgrp_mark(parent->cgroups->dfl_cgrp);
		cmark = cgrp_mark(child->cgroups->dfl_cgrp);
		pts = task_state_of(parent, false);
		cts = task_state_of(child, true);
		if (cts) {
			/* where it is: a later move out of the container is seen */
			cts->ctr = ctr_id;
			if (!pmark || !cmark || pmark->ctr_cgroup_id != cmark->ctr_cgroup_id ||
			    (pts && (pts->flags & VIGIL_PROC_RUNTIME)))
				cts->flags |= VIGIL_PROC_RUNTIME;
		}
	}
	if (!(s = scratch_get()))
		return 0;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_FORK, child, cgid, ctr_id);
	e->new_ns = new_namespaces(parent, child);
	rec_send(&b);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vigil_exit, struct task_struct *p)
{
	struct vigil_exit_event *e;
	struct vigil_scratch *s;
	struct rec_buf b;
	__u64 cgid, ctr_id;

	if (p->pid != p->tgid)
		return 0;
	if (!task_watched(p, &cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_EXIT, p, cgid, ctr_id);
	e->exit_code = BPF_CORE_READ(p, exit_code);
	rec_send(&b);
	return 0;
}

/*
 * A name taken after the exec: prctl(PR_SET_NAME) or a write to
 * /proc/.../comm.  An exec names the task too (in_execve is set then);
 * that name is the program's file and the exec event has it.
 */
SEC("tp_btf/task_rename")
int BPF_PROG(vigil_rename, struct task_struct *task, const char *comm)
{
	struct vigil_rename_event *e;
	struct vigil_scratch *s;
	struct rec_buf b;
	__u64 cgid, ctr_id;

	if (BPF_CORE_READ_BITFIELD_PROBED(task, in_execve))
		return 0;
	if (!task_watched(task, &cgid, &ctr_id) || !ctr_id || !(s = scratch_get()))
		return 0;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_RENAME, task, cgid, ctr_id);
	/* runc names its steps (runc:[1:CHILD]...) while it sets a container up or joins one */
	if (e->hdr.proc.flags & (VIGIL_PROC_CTR_SETUP | VIGIL_PROC_RUNTIME))
		return 0;
	bpf_probe_read_kernel_str(e->newcomm, sizeof(e->newcomm), comm);
	e->thread = task->pid != task->tgid;
	rec_send(&b);
	return 0;
}
