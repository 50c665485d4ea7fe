// SPDX-License-Identifier: GPL-2.0
/*
 * sysevent.bpf.c - one program for every syscall event.
 *
 * It is attached only to the syscalls:sys_exit_<name> tracepoints of the
 * syscalls the agent asks for, so other syscalls pay nothing for it.  The
 * arguments are read from the task's saved user registers (the exit
 * tracepoint carries only the return value), and sys_specs tells, per
 * syscall number, which arguments are paths, fds or socket addresses.
 */
#include "lib/common.bpf.h"

#define AT_FDCWD -100

/* x86_64 syscall argument registers, in order */
static __always_inline __u64 reg_arg(struct pt_regs *r, __u32 i)
{
	switch (i) {
	case 0: return BPF_CORE_READ(r, di);
	case 1: return BPF_CORE_READ(r, si);
	case 2: return BPF_CORE_READ(r, dx);
	case 3: return BPF_CORE_READ(r, r10);
	case 4: return BPF_CORE_READ(r, r8);
	default: return BPF_CORE_READ(r, r9);
	}
}

/*
 * A user path and, when it is relative, the directory it is relative to
 * (the dirfd's file or the cwd), resolved in the kernel.  The agent joins
 * the two.
 */
static __always_inline void user_path_put(struct rec_buf *b, struct task_struct *t, struct vigil_str *path,
					  struct vigil_str *dir, const char *upath,
					  __u8 dirfd_arg, __u64 *args)
{
	char first = 0;
	__s32 dirfd = AT_FDCWD;
	struct file *f;

	if (rec_put(b, path, upath, VIGIL_PATH_MAX, SRC_USER_STR))
		return;
	bpf_probe_read_user(&first, 1, upath);
	if (first == '/')
		return;
	if (dirfd_arg < 6)
		dirfd = (__s32)args[dirfd_arg];
	if (dirfd == AT_FDCWD) {
		path_put(b, dir, (unsigned long)BPF_CORE_READ(t, fs, pwd.dentry),
			 (unsigned long)BPF_CORE_READ(t, fs, pwd.mnt), 1);
		return;
	}
	f = dirfd >= 0 ? fd_file(t, dirfd) : NULL;
	if (f)
		path_put(b, dir, (unsigned long)BPF_CORE_READ(f, f_path.dentry),
			 (unsigned long)BPF_CORE_READ(f, f_path.mnt), 1);
}

SEC("tracepoint")	/* attached to each chosen sys_exit_<name> by the agent */
int vigil_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 nr = ctx->id;
	__s64 ret = ctx->ret;
	struct vigil_sys_spec *spec = bpf_map_lookup_elem(&sys_specs, &nr);
	struct task_struct *t;
	struct vigil_scratch *s;
	struct vigil_syscall_event *e;
	struct pt_regs *regs;
	struct rec_buf b;
	__u64 cgid, ctr_id;
	struct file *f = NULL;
	int i;

	if (!spec || !(spec->flags & VIGIL_SYS_ON))
		return 0;
	if ((spec->flags & VIGIL_SYS_FAILED_ONLY) && ret >= 0)
		return 0;
	cgid = bpf_get_current_cgroup_id();
	if (!cgroup_watched(cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	t = bpf_get_current_task_btf();
	regs = (struct pt_regs *)bpf_task_pt_regs(t);

	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_SYSCALL, t, cgid, ctr_id);
	e->nr = nr;
	e->ret = ret;
	for (i = 0; i < 6; i++)
		e->args[i] = reg_arg(regs, i);

	if (spec->flags & VIGIL_SYS_DUP_STDIO) {
		/* only "a socket became stdin/stdout/stderr" is of interest */
		if (ret < 0 || spec->fd_arg >= 6 || e->args[spec->fd_arg & 7] > 2)
			return 0;
		f = fd_file(t, e->args[spec->fd_arg & 7]);
		if (!file_is_socket(f))
			return 0;
	}

	if (spec->path_arg < 6)
		user_path_put(&b, t, &e->path, &e->dir,
			      (const char *)e->args[spec->path_arg & 7],
			      spec->path_dirfd_arg, e->args);
	if (spec->path2_arg < 6)
		user_path_put(&b, t, &e->path2, &e->dir2,
			      (const char *)e->args[spec->path2_arg & 7],
			      spec->path2_dirfd_arg, e->args);

	if ((spec->flags & VIGIL_SYS_RET_FD) && ret >= 0)
		f = fd_file(t, ret);
	else if (spec->fd_arg < 6 && (__s64)e->args[spec->fd_arg & 7] >= 0)
		f = fd_file(t, e->args[spec->fd_arg & 7]);
	if (f) {
		if (file_is_socket(f))
			sock_describe(&e->sock, f);
		else
			file_describe(&b, &e->file, (unsigned long)f);
	}
	if (spec->sockaddr_arg < 6) {
		__u64 len = spec->sockaddr_len_arg < 6 ? e->args[spec->sockaddr_len_arg & 7] : 0;

		sockaddr_put(&b, &e->sock, (const void *)e->args[spec->sockaddr_arg & 7],
			     len, spec->flags & VIGIL_SYS_SOCKADDR_LOCAL);
	}
	rec_send(&b);
	return 0;
}
