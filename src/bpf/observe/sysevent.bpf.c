// SPDX-License-Identifier: GPL-2.0
/*
 * sysevent.bpf.c - one program for every syscall event.
 *
 * It is attached only to the syscalls:sys_exit_<name> tracepoints of the
 * syscalls the agent asks for, so other syscalls pay nothing for it.  The
 * arguments are read from the task's saved user registers (the exit
 * tracepoint carries only the return value), and sys_specs tells, per
 * syscall number, which arguments are paths, fds or socket addresses.
 *
 * Nothing the caller's memory says after the syscall is trusted where the
 * kernel has its own answer: an opened file is described from the file, a
 * connect's destination comes from the kernel's copy (sock_dest, filled by
 * net/sock_addr.bpf.c), a unix peer is named by the path its socket is
 * bound to.  The paths of the other path syscalls (unlink, rename, link,
 * mount...) are read at syscall entry, before the kernel copies them
 * (vigil_sys_enter_path), and read again at exit: if the caller changed
 * them in between, the event says so.
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
 * Did the caller's string change between entry and exit?  A global
 * function: the verifier checks its loop once, not at every call site.
 */
__noinline int entry_path_changed(struct vigil_entry_args *ea, struct vigil_scratch *s, __u32 k, __u32 exit_len)
{
	__u32 i, len;

	if (!ea || !s)
		return 0;
	k &= 1;
	len = ea->len[k];
	if (len != exit_len)
		return 1;
	for (i = 0; i < VIGIL_ENTRY_PATH; i++) {
		if (i >= len)
			break;
		if (s->tmp[i] != ea->p[k][i])
			return 1;
	}
	return 0;
}

/*
 * Puts path k of a path syscall.  With the copy read at entry (ea), that
 * copy is reported, and the caller's memory is read again to see whether
 * it changed meanwhile; without one, the memory as it is now.  Returns the
 * path's first byte when known.
 */
static __always_inline char path_arg_put(struct rec_buf *b, struct vigil_scratch *s, struct vigil_str *path,
					 const char *upath, struct vigil_entry_args *ea, __u32 k,
					 __u32 *flags)
{
	long r;

	k &= 1;
	if (!ea || (ea->unread & (1u << k)) || ea->len[k] >= VIGIL_ENTRY_PATH - 1 || !ea->len[k]) {
		if (ea && (ea->unread & (1u << k)))
			*flags |= VIGIL_SYSEV_ARG_UNREAD;
		rec_put(b, path, upath, VIGIL_PATH_MAX, SRC_USER_STR);
		return 0;
	}
	r = bpf_probe_read_user_str(s->tmp, sizeof(s->tmp), upath);
	if (entry_path_changed(ea, s, k, r > 0 ? r - 1 : 0))
		*flags |= VIGIL_SYSEV_ARG_RACED;
	rec_put(b, path, ea->p[k], ea->len[k] + 1, SRC_KERNEL_STR);
	return ea->p[k][0];
}

/*
 * A path and, when it is relative and want_dir is set, the directory it is
 * relative to (the dirfd's file or the cwd), resolved in the kernel.  The
 * agent joins the two.
 */
static __always_inline void user_path_put(struct rec_buf *b, struct vigil_scratch *s, struct task_struct *t,
					  struct vigil_str *path, struct vigil_str *dir, const char *upath,
					  __u8 dirfd_arg, __u64 *args, bool want_dir,
					  struct vigil_entry_args *ea, __u32 k, __u32 *flags)
{
	char first;
	__s32 dirfd = AT_FDCWD;
	struct file *f;

	first = path_arg_put(b, s, path, upath, ea, k, flags);
	if (!first && bpf_probe_read_user(&first, 1, upath))
		return;
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
#define O_WRONLY 00000001
#define O_CREAT 00000100
#define O_TRUNC 00001000
#define O_APPEND 00002000

/*
 * Was this open of this file, with this access, by this process reported
 * less than cfg_dedup_ns ago?  Then count it and say so; else remember it
 * and return the count of repeats since the last report in *repeats.
 */
static __always_inline bool open_is_repeat(struct task_struct *t, struct file *f, __u32 nr, __u32 asked,
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
		/* what the caller asked: the kernel clears O_TRUNC and O_CREAT from f_flags */
		.flags = asked & (O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND),
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

/* The flags an open asked for: its argument, creat's implied ones, openat2's open_how as read at entry. */
static __always_inline __u32 asked_open_flags(struct vigil_sys_spec *spec, __u64 *args, __u32 nr,
					      struct vigil_entry_args *ea, struct file *f)
{
	if (spec->flags_arg < 6)
		return args[spec->flags_arg & 7];
	if (ea)
		return ea->how_flags;
	if (nr == (__u32)cfg_nr_creat)
		return O_CREAT | O_WRONLY | O_TRUNC;
	return f ? kcast(struct file, f)->f_flags : 0;
}

/* Which path a unix socket's peer is bound to, resolved by the kernel. */
static __always_inline bool unix_peer_put(struct rec_buf *b, struct vigil_sock *out, struct file *f)
{
	struct socket *so = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(so, sk), *peer;
	struct unix_sock *u, *pu;
	struct dentry *d;

	if (!sk)
		return false;
	u = container_of(sk, struct unix_sock, sk);
	peer = BPF_CORE_READ(u, peer);
	if (!peer)
		return false;
	pu = container_of(peer, struct unix_sock, sk);
	d = BPF_CORE_READ(pu, path.dentry);
	if (!d)
		return false;	/* abstract or unbound: the caller's name stays */
	return path_put(b, &out->unix_path, (unsigned long)d, (unsigned long)BPF_CORE_READ(pu, path.mnt), 1) >= 0;
}

SEC("tracepoint")	/* attached to the sys_enter_<name> of the path syscalls by the agent */
int vigil_sys_enter_path(struct trace_event_raw_sys_enter *ctx)
{
	__u32 nr = ctx->id, tid = (__u32)bpf_get_current_pid_tgid();
	struct vigil_sys_spec *spec = bpf_map_lookup_elem(&sys_specs, &nr);
	struct vigil_entry_args *ea;
	struct vigil_scratch *s;
	__u64 cgid, ctr_id, args[8] = {};
	long n;

	if (!spec || !(spec->flags & VIGIL_SYS_ENTRY_PATHS))
		return 0;
	/* the context is read at constant offsets only: a copy, indexed on the stack */
	bpf_probe_read_kernel(args, 6 * sizeof(args[0]), ctx->args);
	if (!current_watched(&cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	/* a fresh value, copied from the scratch: only its header matters */
	if (bpf_map_update_elem(&entry_args, &tid, s->rec, BPF_ANY))
		return 0;
	ea = bpf_map_lookup_elem(&entry_args, &tid);
	if (!ea)
		return 0;
	ea->nr = nr;
	ea->unread = 0;
	ea->how_flags = 0;
	ea->len[0] = ea->len[1] = 0;
	if (spec->path_arg < 6) {
		n = bpf_probe_read_user_str(ea->p[0], VIGIL_ENTRY_PATH, (const void *)args[spec->path_arg & 7]);
		if (n > 0)
			ea->len[0] = n - 1;
		else
			ea->unread |= 1;
	}
	if (spec->path2_arg < 6) {
		n = bpf_probe_read_user_str(ea->p[1], VIGIL_ENTRY_PATH, (const void *)args[spec->path2_arg & 7]);
		if (n > 0)
			ea->len[1] = n - 1;
		else
			ea->unread |= 2;
	}
	/* openat2(dirfd, path, how, size): the flags live in the caller's struct */
	if ((spec->flags & VIGIL_SYS_OPEN) && spec->flags_arg == VIGIL_ARG_NONE)
		bpf_probe_read_user(&ea->how_flags, sizeof(ea->how_flags), (const void *)args[2]);
	return 0;
}

/*
 * A unix connect that succeeded, checked again with the path its peer is
 * bound to: a symlink, a bind mount elsewhere or a /proc/self/root/ path
 * names the same socket by another name, which the connect hook could not
 * see through.  Connected already: the only action left is the kill,
 * before the process runs another instruction.
 */
static __always_inline void pol_unix_peer(struct task_struct *t, struct vigil_syscall_event *ev,
					  struct vigil_scratch *sc)
{
	__u64 ctr = ev->hdr.proc.ctr_cgroup_id;
	struct vigil_pol_cfg *cfg;
	struct vigil_pol_entry *e;
	struct pol_slot *s;
	__u32 idx, off, len;

	if (!ctr || !(cfg = pol_active()) || !(e = pol_entry(ctr, VIGIL_HOOK_NET)))
		return;
	if ((s = pol_claim(&idx))) {
		s->f.proc_flags = ev->hdr.proc.flags & (VIGIL_PROC_CTR_SETUP | VIGIL_PROC_RUNTIME);
		s->f.family = VIGIL_AF_UNIX;
		s->f.kind = VIGIL_NET_CONNECT;
		off = ev->sock.unix_path.off;
		len = ev->sock.unix_path.len;
		if (off && off < VIGIL_DATA_MAX)
			pol_set_path(s, &sc->rec[off & (VIGIL_DATA_MAX - 1)], len, true);
		pol_decide(s, idx, e, ctr, VIGIL_HOOK_NET, &ev->pol);
		pol_release(s);
	} else {
		pol_busy(e, VIGIL_HOOK_NET, &ev->pol);
	}
	if (!(ev->pol.flags & VIGIL_POL_MATCHED))
		return;
	ev->pol.flags |= VIGIL_POL_AFTER;
	ev->pol.action = VIGIL_ACT_KILL;
	pol_kill(cfg, &ev->pol);
}

/* A reported syscall returned: nr native, ret its result.  Both hooks below share it. */
static __always_inline int sys_exit_handle(__u32 nr, __s64 ret)
{
	struct vigil_sys_spec *spec = bpf_map_lookup_elem(&sys_specs, &nr);
	struct task_struct *t;
	struct vigil_scratch *s;
	struct vigil_syscall_event *e;
	struct pt_regs *regs;
	struct rec_buf b;
	__u64 cgid, ctr_id;
	struct file *f = NULL;
	struct vigil_entry_args *ea = NULL;
	__u32 repeats = 0, flags = 0, asked = 0, tid;
	bool have_fd;
	int i;

	if (!spec || !(spec->flags & VIGIL_SYS_ON))
		return 0;
	if ((spec->flags & VIGIL_SYS_FAILED_ONLY) && ret >= 0)
		return 0;
	t = bpf_get_current_task_btf();
	if (!task_watched(t, &cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	if (spec->flags & VIGIL_SYS_ENTRY_PATHS) {
		tid = (__u32)bpf_get_current_pid_tgid();
		ea = bpf_map_lookup_elem(&entry_args, &tid);
		if (ea && ea->nr != nr)
			ea = NULL;	/* left by another syscall that never returned */
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	/* an opened file: aggregate repeats before any costly work */
	have_fd = (spec->flags & VIGIL_SYS_RET_FD) && ret >= 0;
	if (have_fd)
		f = fd_file(t, ret);
	if (spec->flags & VIGIL_SYS_OPEN) {
		__u64 a[6];

		for (i = 0; i < 6; i++)
			a[i] = reg_arg(regs, i);
		asked = asked_open_flags(spec, a, nr, ea, f);
		if (f && cfg_dedup_ns && !file_is_socket_fast(f) && open_is_repeat(t, f, nr, asked, &repeats)) {
			if (ea)
				bpf_map_delete_elem(&entry_args, &tid);
			return 0;
		}
	}

	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_SYSCALL, t, cgid, ctr_id);
	e->nr = nr;
	e->repeats = repeats;
	e->ret = ret;
	e->open_flags = asked;
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
		user_path_put(&b, s, t, &e->path, &e->dir, (const char *)e->args[spec->path_arg & 7],
			      spec->path_dirfd_arg, e->args, !have_fd, ea, 0, &flags);
	if (spec->path2_arg < 6)
		user_path_put(&b, s, t, &e->path2, &e->dir2, (const char *)e->args[spec->path2_arg & 7],
			      spec->path2_dirfd_arg, e->args, !(spec->flags & VIGIL_SYS_STR2), ea, 1, &flags);
	if (ea)
		bpf_map_delete_elem(&entry_args, &tid);
	if (flags & VIGIL_SYSEV_ARG_RACED)
		stat_inc(VIGIL_STAT_ARG_RACED);

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
		struct vigil_sock_dest *d = NULL;
		__u64 sk = 0;

		if (f && !(spec->flags & VIGIL_SYS_SOCKADDR_LOCAL)) {
			struct socket *so = BPF_CORE_READ(f, private_data);

			sk = (__u64)BPF_CORE_READ(so, sk);
			d = bpf_map_lookup_elem(&sock_dest, &sk);
		}
		if (d && d->addr.family == e->sock.family) {
			/* the kernel's copy, taken when the connect began */
			e->sock.rport = d->addr.rport;
			__builtin_memcpy(e->sock.raddr, d->addr.raddr, 16);
			flags |= VIGIL_SYSEV_ADDR_KERNEL;
			if (d->unix_len)
				rec_put(&b, &e->sock.unix_path, d->unix_path, d->unix_len & 127, SRC_KERNEL_BYTES);
		} else {
			sockaddr_put(&b, &e->sock, (const void *)e->args[spec->sockaddr_arg & 7], len,
				     spec->flags & VIGIL_SYS_SOCKADDR_LOCAL);
		}
		/* a connected unix socket: the file its peer is bound to, not the name asked for */
		if (f && e->sock.family == VIGIL_AF_UNIX && ret == 0 && !(spec->flags & VIGIL_SYS_SOCKADDR_LOCAL) &&
		    unix_peer_put(&b, &e->sock, f)) {
			flags |= VIGIL_SYSEV_UNIX_PEER;
			pol_unix_peer(t, e, s);
		}
	}
	e->flags = flags;
	rec_send(&b);
	return 0;
}

SEC("tracepoint")	/* attached to each chosen sys_exit_<name> by the agent */
int vigil_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	return sys_exit_handle((__u32)ctx->id, ctx->ret);
}

/*
 * The other design (vigil run --exit-hook dispatch): one program on the
 * raw sys_exit tracepoint, which every syscall runs, filtering first by
 * the syscall's entry in sys_specs (an array lookup the verifier inlines),
 * instead of a syscalls:sys_exit_<name> tracepoint per reported syscall,
 * which only those syscalls run but each at the perf-event dispatch's
 * price.  Which is cheaper depends on the mix: measured side by side with
 * bench/run.sh (CONFIGS=...'dispatch|--exit-hook dispatch'), see docs/performance.md.
 * 32-bit syscalls are skipped, as the syscalls:* tracepoints skip them:
 * their numbers are of another table.
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(vigil_sys_exit_all, struct pt_regs *regs, long ret)
{
#if defined(__TARGET_ARCH_x86)
	struct vigil_sys_spec *spec;
	struct task_struct *t;
	long id = regs->orig_ax;
	__u32 nr;

	if (id < 0 || id >= VIGIL_NR_SYSCALLS)
		return 0;	/* also the x32 bit */
	nr = id;
	spec = bpf_map_lookup_elem(&sys_specs, &nr);
	if (!spec || !(spec->flags & VIGIL_SYS_ON))
		return 0;
	t = bpf_get_current_task_btf();
	if (task_ia32_syscall(t))
		return 0;
	return sys_exit_handle(nr, ret);
#else
	return 0;
#endif
}
