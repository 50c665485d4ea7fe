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

/*
 * A kernel pointer known only as a number, made readable with direct loads
 * (a guarded move each, no helper call).  bpf_rdonly_cast is a kfunc every
 * program type may call (Linux 6.2+).  Declared in this file only: the
 * object linker of libbpf 1.1 cannot merge a kfunc extern seen in several
 * objects.
 */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define kcast(type, p) ((type *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))

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
 * A user path and, when it is relative and want_dir is set, the directory
 * it is relative to (the dirfd's file or the cwd), resolved in the kernel.
 * The agent joins the two.
 */
static __always_inline void user_path_put(struct rec_buf *b, struct task_struct *t, struct vigil_str *path,
					  struct vigil_str *dir, const char *upath,
					  __u8 dirfd_arg, __u64 *args, bool want_dir)
{
	char first = 0;
	__s32 dirfd = AT_FDCWD;
	struct file *f;

	if (rec_put(b, path, upath, VIGIL_PATH_MAX, SRC_USER_STR))
		return;
	bpf_probe_read_user(&first, 1, upath);
	if (first == '/' || !want_dir)
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

static __always_inline bool file_is_socket_fast(struct file *f)
{
	return (kcast(struct file, f)->f_inode->i_mode & S_IFMT) == S_IFSOCK;
}

#define O_ACCMODE 00000003
#define O_CREAT 00000100
#define O_TRUNC 00001000
#define O_APPEND 00002000

/*
 * Was this open of this file, with this access, by this process reported
 * less than cfg_dedup_ns ago?  Then count it and say so; else remember it
 * and return the count of repeats since the last report in *repeats.
 */
static __always_inline bool open_is_repeat(struct task_struct *t, struct file *f, __u32 nr,
					   __u32 *repeats)
{
	/* direct loads: this runs for every open, repeats included */
	struct task_struct *leader = t->group_leader;
	struct file *fk = kcast(struct file, f);
	struct inode *inode = fk->f_inode;
	struct vigil_open_key key = {
		.start_ns = leader->start_boottime,
		.exec_id = leader->self_exec_id,
		.ino = inode->i_ino,
		.tgid = t->tgid,
		.dev = inode->i_sb->s_dev,
		.flags = fk->f_flags & (O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND),
		.nr = nr,
	};
	struct vigil_open_seen *seen, fresh = {};
	__u64 now = bpf_ktime_get_boot_ns();

	seen = bpf_map_lookup_elem(&open_seen, &key);
	if (seen && now - seen->last_report_ns < cfg_dedup_ns) {
		__sync_fetch_and_add(&seen->repeats, 1);
		stat_inc(VIGIL_STAT_OPEN_REPEAT);
		return true;
	}
	if (seen) {
		*repeats = __sync_lock_test_and_set(&seen->repeats, 0);
		seen->last_report_ns = now;
	} else {
		fresh.last_report_ns = now;
		bpf_map_update_elem(&open_seen, &key, &fresh, BPF_ANY);
	}
	return false;
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
	__u32 repeats = 0;
	bool have_fd;
	int i;

	if (!spec || !(spec->flags & VIGIL_SYS_ON))
		return 0;
	if ((spec->flags & VIGIL_SYS_FAILED_ONLY) && ret >= 0)
		return 0;
	cgid = bpf_get_current_cgroup_id();
	if (!cgroup_watched(cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	t = bpf_get_current_task_btf();
	/* an opened file: aggregate repeats before any costly work */
	have_fd = (spec->flags & VIGIL_SYS_RET_FD) && ret >= 0;
	if (have_fd) {
		f = fd_file(t, ret);
		if (f && cfg_dedup_ns && !file_is_socket_fast(f) && open_is_repeat(t, f, nr, &repeats))
			return 0;
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(t);

	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_SYSCALL, t, cgid, ctr_id);
	e->nr = nr;
	e->repeats = repeats;
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

	/* an opened file has the kernel's own path: no directory walk needed */
	if (spec->path_arg < 6)
		user_path_put(&b, t, &e->path, &e->dir,
			      (const char *)e->args[spec->path_arg & 7],
			      spec->path_dirfd_arg, e->args, !have_fd);
	if (spec->path2_arg < 6)
		user_path_put(&b, t, &e->path2, &e->dir2,
			      (const char *)e->args[spec->path2_arg & 7],
			      spec->path2_dirfd_arg, e->args, true);

	/* with have_fd, f is already the returned fd's file */
	if (!have_fd && spec->fd_arg < 6 && (__s64)e->args[spec->fd_arg & 7] >= 0)
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
