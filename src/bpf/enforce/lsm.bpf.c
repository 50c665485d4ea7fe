// SPDX-License-Identifier: GPL-2.0
/*
 * lsm.bpf.c - the LSM tier: where the kernel runs BPF LSM programs (the
 * "bpf" LSM is active and loading them is allowed), the syscall a kill
 * policy caught at its entry is also refused: its security hook returns
 * EPERM, so the mount is not made, the module not loaded, the tracee not
 * attached.  Without this tier the kill still comes, after the syscall.
 *
 * The decision is not made here: enforce/syscall.bpf.c marks the task
 * (VIGIL_TASK_DENY) when it sends the kill, and these hooks only read the
 * mark.  The agent loads them only when its start-up probe says they load
 * and attach (bpf/probe.c); on kernels without BPF LSM this file is never
 * loaded, so it stays this small.
 */
#include "lib/common.bpf.h"

#define EPERM 1

static __always_inline int refuse_marked(int ret)
{
	struct vigil_task *ts;

	if (ret)
		return ret;
	ts = task_state_of(bpf_get_current_task_btf(), false);
	return ts && (ts->flags & VIGIL_TASK_DENY) ? -EPERM : 0;
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(vigil_lsm_ptrace, struct task_struct *child, unsigned int mode, int ret)
{
	return refuse_marked(ret);
}

SEC("lsm/sb_mount")
int BPF_PROG(vigil_lsm_mount, const char *dev, const struct path *path, const char *type, unsigned long flags,
	     void *data, int ret)
{
	return refuse_marked(ret);
}

SEC("lsm/move_mount")
int BPF_PROG(vigil_lsm_move_mount, const struct path *from, const struct path *to, int ret)
{
	return refuse_marked(ret);
}

SEC("lsm/bpf")
int BPF_PROG(vigil_lsm_bpf, int cmd, union bpf_attr *attr, unsigned int size, int ret)
{
	return refuse_marked(ret);
}

SEC("lsm/kernel_read_file")
int BPF_PROG(vigil_lsm_read_file, struct file *file, int id, bool contents, int ret)
{
	return refuse_marked(ret);
}

SEC("lsm/kernel_load_data")
int BPF_PROG(vigil_lsm_load_data, int id, bool contents, int ret)
{
	return refuse_marked(ret);
}

SEC("lsm/file_open")
int BPF_PROG(vigil_lsm_file_open, struct file *file, int ret)
{
	return refuse_marked(ret);
}
