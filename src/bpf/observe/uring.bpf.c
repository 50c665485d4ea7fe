// SPDX-License-Identifier: GPL-2.0
/*
 * uring.bpf.c - io_uring: a ring set up in a container is an event, and the
 * opens and connects it performs are not invisible.  Those never pass
 * through the open/connect syscalls, so they are taken from io_uring's own
 * tracepoints: what was asked at submission, the result at completion.
 */
#include "lib/common.bpf.h"

SEC("tp_btf/io_uring_create")
int BPF_PROG(vigil_uring_create, int fd, void *ring, u32 sq_entries, u32 cq_entries, u32 flags)
{
	__u64 cgid = bpf_get_current_cgroup_id(), ctr_id;
	struct vigil_uring_event *e;
	struct vigil_scratch *s;
	struct rec_buf b;

	if (!cgroup_watched(cgid, &ctr_id) || !(s = scratch_get()))
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
	return op == VIGIL_IORING_OP_OPENAT || op == VIGIL_IORING_OP_OPENAT2 || op == VIGIL_IORING_OP_CONNECT;
}

SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(vigil_uring_submit, struct io_kiocb *req)
{
	__u64 cgid = bpf_get_current_cgroup_id(), ctr_id, key = (__u64)req;
	struct vigil_uring_pending p = {};
	__u8 op = BPF_CORE_READ(req, opcode);

	if (!op_watched(op) || !cgroup_watched(cgid, &ctr_id))
		return 0;
	p.opcode = op;
	if (op == VIGIL_IORING_OP_CONNECT) {
		/* the op's own data overlays the start of the request */
		struct io_connect *c = (void *)req;
		void *uaddr = BPF_CORE_READ(c, addr);
		int len = BPF_CORE_READ(c, addr_len);

		p.sockaddr_len = len > 0 && len <= sizeof(p.sockaddr) ? len : sizeof(p.sockaddr);
		bpf_probe_read_user(p.sockaddr, sizeof(p.sockaddr), uaddr);
	} else {
		struct io_open *o = (void *)req;

		p.dfd = BPF_CORE_READ(o, dfd);
		/* already copied into the kernel at prep time: not user memory */
		bpf_probe_read_kernel_str(p.path, sizeof(p.path), BPF_CORE_READ(o, filename, name));
	}
	bpf_map_update_elem(&uring_pending, &key, &p, BPF_ANY);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(vigil_uring_complete, void *ring, struct io_kiocb *req, struct io_uring_cqe *cqe)
{
	__u64 cgid = bpf_get_current_cgroup_id(), ctr_id, key = (__u64)req;
	struct task_struct *t = bpf_get_current_task_btf();
	struct vigil_uring_pending *p;
	struct vigil_uring_event *e;
	struct vigil_scratch *s;
	struct rec_buf b;

	p = bpf_map_lookup_elem(&uring_pending, &key);
	if (!p)
		return 0;
	if (!cgroup_watched(cgid, &ctr_id) || !(s = scratch_get()))
		goto out;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_URING, t, cgid, ctr_id);
	e->kind = VIGIL_URING_OP;
	e->opcode = p->opcode;
	e->res = BPF_CORE_READ(cqe, res);
	if (p->opcode == VIGIL_IORING_OP_CONNECT) {
		struct file *f = BPF_CORE_READ(req, file);

		sock_describe(&e->sock, f);
		/* the destination as asked, kept in the pending map (kernel memory) */
		__u16 family = *(__u16 *)p->sockaddr;
		if (family == VIGIL_AF_INET) {
			struct sockaddr_in *sin = (void *)p->sockaddr;

			e->sock.family = VIGIL_AF_INET;
			e->sock.rport = bpf_ntohs(sin->sin_port);
			__builtin_memcpy(e->sock.raddr, &sin->sin_addr, 4);
		} else if (family == VIGIL_AF_INET6) {
			struct sockaddr_in6 *sin6 = (void *)p->sockaddr;

			e->sock.family = VIGIL_AF_INET6;
			e->sock.rport = bpf_ntohs(sin6->sin6_port);
			__builtin_memcpy(e->sock.raddr, &sin6->sin6_addr, 16);
		}
	} else {
		e->dfd = p->dfd;
		rec_put(&b, &e->path, p->path, sizeof(p->path), SRC_KERNEL_STR);
		if (e->res >= 0)
			file_describe(&b, &e->file, (unsigned long)fd_file(t, e->res));
	}
	rec_send(&b);
out:
	bpf_map_delete_elem(&uring_pending, &key);
	return 0;
}
