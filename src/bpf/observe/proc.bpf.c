// SPDX-License-Identifier: GPL-2.0
/* proc.bpf.c - process life: exec, fork, exit. */
#include "lib/common.bpf.h"

SEC("tp_btf/sched_process_exec")
int BPF_PROG(vigil_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u64 cgid = bpf_get_current_cgroup_id(), ctr_id;
	struct vigil_scratch *s;
	struct vigil_exec_event *e;
	struct rec_buf b;
	unsigned long arg_start, arg_end;
	__u32 argv_len;

	if (!cgroup_watched(cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_EXEC, p, cgid, ctr_id);
	e->old_pid = old_pid;

	file_describe(&b, &e->exe, (unsigned long)BPF_CORE_READ(bprm, file));
	/*
	 * An exec from the container's root filesystem: its own program runs,
	 * the runtime's set-up is over.  Counts and profile checks follow.
	 */
	if (ctr_id && (e->exe.flags & VIGIL_FILE_ROOT_MNT)) {
		struct vigil_profile_bits *prof = bpf_map_lookup_elem(&ctr_profiles, &ctr_id);
		struct vigil_ctr_cgroup *top = bpf_map_lookup_elem(&ctr_cgroups, &ctr_id);

		if (prof && !prof->armed)
			prof->armed = 1;
		if (top && !(top->flags & VIGIL_CTR_PROGRAM))
			top->flags |= VIGIL_CTR_PROGRAM;	/* only ever set: a race is harmless */
		if (cgid == ctr_id) {
			struct task_struct *cur = bpf_get_current_task_btf();
			struct vigil_ctr_cgroup *mark =
				bpf_cgrp_storage_get(&ctr_marks, cur->cgroups->dfl_cgrp, 0, 0);

			if (mark)
				mark->flags |= VIGIL_CTR_PROGRAM;
		}
	}
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
	path_put(&b, &e->cwd, (unsigned long)BPF_CORE_READ(p, fs, pwd.dentry),
		 (unsigned long)BPF_CORE_READ(p, fs, pwd.mnt), 1);
	rec_send(&b);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(vigil_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 cgid, ctr_id;
	struct vigil_scratch *s;
	struct rec_buf b;

	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;	/* a thread, not a process */
	/* the child's own cgroup: clone3(CLONE_INTO_CGROUP) may differ from ours */
	cgid = task_cgroup_id(child);
	if (!cgroup_watched(cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	rec_start(&b, s, sizeof(struct vigil_fork_event), VIGIL_EV_FORK, child, cgid, ctr_id);
	rec_send(&b);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(vigil_exit, struct task_struct *p)
{
	__u64 cgid = bpf_get_current_cgroup_id(), ctr_id;
	struct vigil_scratch *s;
	struct vigil_exit_event *e;
	struct rec_buf b;

	if (BPF_CORE_READ(p, pid) != BPF_CORE_READ(p, tgid))
		return 0;
	if (!cgroup_watched(cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_EXIT, p, cgid, ctr_id);
	e->exit_code = BPF_CORE_READ(p, exit_code);
	rec_send(&b);
	return 0;
}
