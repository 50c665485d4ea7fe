// SPDX-License-Identifier: GPL-2.0
/*
 * uring.bpf.c - io_uring: a ring set up in a container is an event, and
 * the file, directory and socket operations it performs are not invisible.
 * They never pass through the syscalls, so they are taken from io_uring's
 * own tracepoints:
 *
 *   submit   every op of interest, with what the kernel copied from the
 *            submission at prep time (struct filename paths, open_how
 *            flags, the fixed-file slot): kernel memory, not the caller's;
 *   complete the result, joined by the agent with the submission by req.
 *
 * An op whose completion is never posted (IOSQE_CQE_SKIP_SUCCESS, a CQ
 * that overflowed) is still reported, by its submission.  A connect's
 * destination is the one the cgroup connect hook saw (sock_dest).
 */
#include "lib/common.bpf.h"

SEC("tp_btf/io_uring_create")
int BPF_PROG(vigil_uring_create, int fd, void *ring, u32 sq_entries, u32 cq_entries, u32 flags)
{
	struct vigil_uring_event *e;
	struct vigil_scratch *s;
	struct rec_buf b;
	__u64 cgid, ctr_id;

	if (!current_watched(&cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_URING, bpf_get_current_task_btf(), cgid, ctr_id);
	e->kind = VIGIL_URING_SETUP;
	e->res = fd;
	e->sq_entries = sq_entries;
	e->cq_entries = cq_entries;
	e->setup_flags = flags;
	rec_send(&b);
	return 0;
}

static __always_inline bool op_watched(__u8 op)
{
	switch (op) {
	case VIGIL_IORING_OP_OPENAT:
	case VIGIL_IORING_OP_OPENAT2:
	case VIGIL_IORING_OP_CONNECT:
	case VIGIL_IORING_OP_ACCEPT:
	case VIGIL_IORING_OP_UNLINKAT:
	case VIGIL_IORING_OP_RENAMEAT:
	case VIGIL_IORING_OP_MKDIRAT:
	case VIGIL_IORING_OP_SYMLINKAT:
	case VIGIL_IORING_OP_LINKAT:
	case VIGIL_IORING_OP_SOCKET:
	case VIGIL_IORING_OP_BIND:
	case VIGIL_IORING_OP_LISTEN:
		return true;
	}
	return false;
}

#define AT_FDCWD -100

/*
 * A path the kernel copied at prep, and, when it is relative, the
 * directory it is relative to (the dfd's file or the cwd), resolved now.
 */
static __always_inline void fname_put(struct rec_buf *b, struct vigil_str *out, struct vigil_str *dir,
				      struct filename *fn, __s32 dfd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	const char *name;
	struct file *f;
	char first = 0;

	if (!fn)
		return;
	name = BPF_CORE_READ(fn, name);
	if (rec_put(b, out, name, VIGIL_PATH_MAX, SRC_KERNEL_STR))
		return;
	bpf_probe_read_kernel(&first, 1, name);
	if (first == '/' || !dir)
		return;
	if (dfd == AT_FDCWD) {
		path_put(b, dir, (unsigned long)BPF_CORE_READ(t, fs, pwd.dentry),
			 (unsigned long)BPF_CORE_READ(t, fs, pwd.mnt), 1);
		return;
	}
	f = dfd >= 0 ? fd_file(t, dfd) : NULL;
	if (f)
		path_put(b, dir, (unsigned long)BPF_CORE_READ(f, f_path.dentry),
			 (unsigned long)BPF_CORE_READ(f, f_path.mnt), 1);
}

/* The op's own data overlays the start of the request (io_kiocb_to_cmd). */
static __always_inline void op_detail(struct rec_buf *b, struct vigil_uring_event *e, struct io_kiocb *req, __u8 op)
{
	switch (op) {
	case VIGIL_IORING_OP_OPENAT:
	case VIGIL_IORING_OP_OPENAT2: {
		struct io_open *o = (void *)req;

		e->dfd = BPF_CORE_READ(o, dfd);
		e->open_flags = BPF_CORE_READ(o, how.flags);
		e->file_slot = BPF_CORE_READ(o, file_slot);
		fname_put(b, &e->path, &e->dir, BPF_CORE_READ(o, filename), e->dfd);
		break;
	}
	case VIGIL_IORING_OP_UNLINKAT: {
		struct io_unlink *u = (void *)req;

		e->dfd = BPF_CORE_READ(u, dfd);
		e->args[0] = BPF_CORE_READ(u, flags);
		fname_put(b, &e->path, &e->dir, BPF_CORE_READ(u, filename), e->dfd);
		break;
	}
	case VIGIL_IORING_OP_MKDIRAT: {
		struct io_mkdir *m = (void *)req;

		e->dfd = BPF_CORE_READ(m, dfd);
		e->args[0] = BPF_CORE_READ(m, mode);
		fname_put(b, &e->path, &e->dir, BPF_CORE_READ(m, filename), e->dfd);
		break;
	}
	case VIGIL_IORING_OP_RENAMEAT: {
		struct io_rename *r = (void *)req;

		e->dfd = BPF_CORE_READ(r, old_dfd);
		e->dfd2 = BPF_CORE_READ(r, new_dfd);
		e->args[0] = BPF_CORE_READ(r, flags);
		fname_put(b, &e->path, &e->dir, BPF_CORE_READ(r, oldpath), e->dfd);
		fname_put(b, &e->path2, &e->dir2, BPF_CORE_READ(r, newpath), e->dfd2);
		break;
	}
	case VIGIL_IORING_OP_SYMLINKAT:
	case VIGIL_IORING_OP_LINKAT: {
		struct io_link *l = (void *)req;

		e->dfd = BPF_CORE_READ(l, old_dfd);
		e->dfd2 = BPF_CORE_READ(l, new_dfd);
		e->args[0] = BPF_CORE_READ(l, flags);
		/* symlinkat's old path is the link's text: no directory */
		fname_put(b, &e->path, op == VIGIL_IORING_OP_SYMLINKAT ? NULL : &e->dir, BPF_CORE_READ(l, oldpath),
			  op == VIGIL_IORING_OP_SYMLINKAT ? 0 : e->dfd);
		fname_put(b, &e->path2, &e->dir2, BPF_CORE_READ(l, newpath), e->dfd2);
		break;
	}
	case VIGIL_IORING_OP_SOCKET: {
		struct io_socket *so = (void *)req;

		e->args[0] = BPF_CORE_READ(so, domain);
		e->args[1] = BPF_CORE_READ(so, type);
		e->args[2] = BPF_CORE_READ(so, protocol);
		e->file_slot = BPF_CORE_READ(so, file_slot);
		break;
	}
	}
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(vigil_uring_submit, struct io_kiocb *req)
{
	struct vigil_uring_event *e;
	struct vigil_scratch *s;
	struct rec_buf b;
	__u64 cgid, ctr_id;
	__u8 op = req->opcode;

	if (!op_watched(op) || !current_watched(&cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_URING, bpf_get_current_task_btf(), cgid, ctr_id);
	e->kind = VIGIL_URING_SUBMIT;
	e->opcode = op;
	e->req = (__u64)req;
	/* the request's low flag bits are the submission's IOSQE_* bits */
	e->sqe_flags = BPF_CORE_READ(req, flags) & 0xff;
	op_detail(&b, e, req, op);
	rec_send(&b);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(vigil_uring_complete, void *ring, struct io_kiocb *req, struct io_uring_cqe *cqe)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vigil_uring_event *e;
	struct vigil_scratch *s;
	struct rec_buf b;
	__u64 cgid, ctr_id;
	__u8 op;

	if (!req)
		return 0;
	op = BPF_CORE_READ(req, opcode);
	if (!op_watched(op) || !task_watched(t, &cgid, &ctr_id) || !(s = scratch_get()))
		return 0;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_URING, t, cgid, ctr_id);
	e->kind = VIGIL_URING_OP;
	e->opcode = op;
	e->req = (__u64)req;
	e->res = BPF_CORE_READ(cqe, res);
	if (op == VIGIL_IORING_OP_CONNECT || op == VIGIL_IORING_OP_ACCEPT || op == VIGIL_IORING_OP_BIND ||
	    op == VIGIL_IORING_OP_LISTEN) {
		struct file *f = BPF_CORE_READ(req, file);
		struct vigil_sock_dest *d;
		__u64 sk;

		/* accept's new socket is the result fd */
		if (op == VIGIL_IORING_OP_ACCEPT && e->res >= 0)
			f = fd_file(t, e->res);
		sock_describe(&e->sock, f);
		if (op == VIGIL_IORING_OP_CONNECT && f) {
			struct socket *so = BPF_CORE_READ(f, private_data);

			sk = (__u64)BPF_CORE_READ(so, sk);
			d = bpf_map_lookup_elem(&sock_dest, &sk);
			if (d) {
				/* the destination as the kernel copied it */
				e->sock.family = d->addr.family;
				e->sock.rport = d->addr.rport;
				__builtin_memcpy(e->sock.raddr, d->addr.raddr, 16);
			}
		}
	} else if ((op == VIGIL_IORING_OP_OPENAT || op == VIGIL_IORING_OP_OPENAT2) && e->res >= 0) {
		struct io_open *o = (void *)req;

		/* into a fixed-file slot the result is 0, not an fd: nothing to describe */
		e->file_slot = BPF_CORE_READ(o, file_slot);
		if (!e->file_slot)
			file_describe(&b, &e->file, (unsigned long)fd_file(t, e->res));
	}
	rec_send(&b);
	return 0;
}
