/* SPDX-License-Identifier: GPL-2.0 */
/*
 * path.bpf.h - paths rebuilt from the kernel's dentries and mounts, never
 * trusted from user memory; and what a struct file or socket is.
 *
 * bpf_d_path() is not allowed in tracepoints, so the walk is done here, as
 * d_path() does it: up the dentries, crossing to the parent mount at each
 * mount root, stopping at the task's root (so a container process gets the
 * path it sees).  The path is built right to left in scratch->path.
 */
#ifndef VIGIL_PATH_BPF_H
#define VIGIL_PATH_BPF_H

#include "emit.bpf.h"

#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define PROC_SUPER_MAGIC 0x9fa0
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFIFO 0010000

static __always_inline struct mount *real_mount(struct vfsmount *m)
{
	return container_of(m, struct mount, mnt);
}

/*
 * Global functions (path.bpf.c): the verifier checks each once, not at every
 * call site.  Kernel pointers pass as scalars; they are only ever read with
 * BPF_CORE_READ.
 */
int path_put(struct rec_buf *b, struct vigil_str *out, unsigned long dentry,
	     unsigned long vfsmount, int cross_mounts);
int file_describe(struct rec_buf *b, struct vigil_file *out, unsigned long file);

/*
 * t must be a trusted task pointer (bpf_get_current_task_btf()): its fields
 * are read with direct loads, which the JIT turns into guarded moves, where
 * BPF_CORE_READ costs a helper call per pointer.  The fd array's slot is
 * read with one probe read: the verifier types it as a plain number.
 */
static __always_inline struct file *fd_file(struct task_struct *t, __u64 fd)
{
	struct fdtable *fdt = t->files->fdt;
	struct file *f = NULL;

	if (fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[fd]);
	return f;
}

static __always_inline bool file_is_socket(struct file *f)
{
	return f && (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) == S_IFSOCK;
}

/* Fills *out from a socket file's struct sock: family, type, endpoints. */
static __always_inline void sock_describe(struct vigil_sock *out, struct file *f)
{
	struct socket *so;
	struct sock *sk;

	if (!file_is_socket(f))
		return;
	so = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(so, sk);
	if (!sk)
		return;
	out->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	out->type = BPF_CORE_READ(sk, sk_type);
	out->protocol = BPF_CORE_READ(sk, sk_protocol);
	out->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	out->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (out->family == VIGIL_AF_INET) {
		bpf_core_read(out->laddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(out->raddr, 4, &sk->__sk_common.skc_daddr);
	} else if (out->family == VIGIL_AF_INET6) {
		bpf_core_read(out->laddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(out->raddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

/*
 * Reads a struct sockaddr from user memory into the local (bind) or remote
 * (connect, sendto) side of *out.
 */
static __always_inline void sockaddr_put(struct rec_buf *b, struct vigil_sock *out, const void *uaddr,
					 __u64 ulen, bool local)
{
	__u16 family = 0;
	__u8 *addr = local ? out->laddr : out->raddr;
	__u16 port;

	if (!uaddr || bpf_probe_read_user(&family, sizeof(family), uaddr))
		return;
	out->family = family;
	if (family == VIGIL_AF_INET) {
		struct sockaddr_in sin = {};

		bpf_probe_read_user(&sin, sizeof(sin), uaddr);
		port = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(addr, &sin.sin_addr, 4);
	} else if (family == VIGIL_AF_INET6) {
		struct sockaddr_in6 sin6 = {};

		bpf_probe_read_user(&sin6, sizeof(sin6), uaddr);
		port = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(addr, &sin6.sin6_addr, 16);
	} else if (family == VIGIL_AF_UNIX) {
		/* sun_path may be abstract (leading NUL): keep its bytes */
		__u32 n = ulen > 2 ? ulen - 2 : 0;

		if (n > 108)
			n = 108;
		if (n)
			rec_put(b, &out->unix_path, (const char *)uaddr + 2, n, SRC_USER_BYTES);
		return;
	} else {
		return;
	}
	if (local)
		out->lport = port;
	else
		out->rport = port;
}

#endif
