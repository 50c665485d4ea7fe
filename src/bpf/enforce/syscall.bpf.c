// SPDX-License-Identifier: GPL-2.0
/*
 * syscall.bpf.c - kill at a forbidden syscall's entry.
 *
 * The agent attaches this one program to the syscalls:sys_enter_<name>
 * tracepoint of each syscall some policy entry names (the union over all
 * containers), and to nothing else: only those syscalls pay for it.  The
 * decision (container, arguments, runtime or not) is the kernel's, from
 * the policy maps; the agent is not asked.  32-bit syscalls never reach
 * these tracepoints: the sys_enter counter checks them (observe/syscalls.bpf.c).
 */
#include "lib/common.bpf.h"

SEC("tracepoint")	/* attached per syscall by the agent */
int vigil_enforce_enter(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vigil_ctr_cgroup *c;
	__u64 args[6];
	__u32 flags = 0, nr = ctx->id;

	if (!(c = task_ctr_mark(t, &flags)))
		return 0;	/* the host: policies are for containers */
	bpf_probe_read_kernel(args, sizeof(args), ctx->args);
	pol_syscall(t, bpf_get_current_cgroup_id(), c->ctr_cgroup_id, flags, nr, args, 0);
	return 0;
}
