// SPDX-License-Identifier: GPL-2.0
/*
 * sock_addr.bpf.c - connects and sends as they begin, seen by the cgroup
 * sock_addr hooks (connect4/6, sendmsg4/6; connect_unix where the kernel
 * has it, 6.7+).  These run inside the kernel's connect and sendmsg paths
 * with the kernel's own copy of the destination, so:
 *
 *   - a second thread rewriting the caller's sockaddr while a connect
 *     blocks cannot change what is reported (the exit record takes the
 *     address from sock_dest, not from user memory);
 *   - an attempt is reported when it starts, not when a blocking connect
 *     returns minutes later, or never;
 *   - TCP fast open (sendto/sendmsg with MSG_FASTOPEN) and io_uring
 *     connects pass through the same hook, so they are not invisible.
 *
 * The programs are attached once, at the root of the cgroup v2 hierarchy,
 * so every container is covered from its first instruction; a task not in
 * a container returns after one cgroup-storage lookup.  Where a network
 * policy holds for the container (abi/policy.h) they refuse what it
 * denies: the caller gets EPERM and nothing leaves the socket.
 */
#include "lib/common.bpf.h"

extern void *bpf_cast_to_kern_ctx(void *obj) __ksym __weak;

enum hook_family { HOOK_INET4, HOOK_INET6, HOOK_UNIX };

/* Each program may read only its own family's context fields: fam is a constant. */
static __always_inline void dest_of(struct bpf_sock_addr *ctx, struct vigil_sock *d, enum hook_family fam)
{
	__u32 v;

	d->family = ctx->user_family;
	d->type = ctx->type;
	d->protocol = ctx->protocol;
	if (fam == HOOK_UNIX)
		return;
	d->rport = bpf_ntohs(ctx->user_port);
	if (fam == HOOK_INET4) {
		v = ctx->user_ip4;
		__builtin_memcpy(d->raddr, &v, 4);
	} else {
		v = ctx->user_ip6[0];
		__builtin_memcpy(d->raddr, &v, 4);
		v = ctx->user_ip6[1];
		__builtin_memcpy(d->raddr + 4, &v, 4);
		v = ctx->user_ip6[2];
		__builtin_memcpy(d->raddr + 8, &v, 4);
		v = ctx->user_ip6[3];
		__builtin_memcpy(d->raddr + 12, &v, 4);
	}
}

static __always_inline bool same16(const __u8 *a, const __u8 *b)
{
	/* raddr is 4-byte aligned in struct vigil_sock */
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

static __always_inline __u8 l4_of(__u16 type, __u16 protocol)
{
	if (protocol == 6 || (protocol == 0 && type == 1))	/* IPPROTO_TCP, SOCK_STREAM */
		return VIGIL_L4_TCP;
	if (protocol == 17 || (protocol == 0 && type == 2))	/* IPPROTO_UDP, SOCK_DGRAM */
		return VIGIL_L4_UDP;
	return VIGIL_L4_OTHER;
}

/*
 * The network policy for this destination.  A unix path the caller gave
 * relative to its directory cannot be compared here; the check after the
 * connect (observe/sysevent.bpf.c) sees the peer's own path.
 */
static __always_inline void pol_net(struct task_struct *t, __u64 ctr, const struct vigil_sock_dest *d, __u32 kind,
				    struct vigil_pol_entry *e, struct vigil_pol_outcome *o)
{
	static const __u8 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	struct pol_slot *s;
	__u32 idx, flags = 0;

	if (!(s = pol_claim(&idx))) {
		pol_busy(e, VIGIL_HOOK_NET, o);
		return;
	}
	task_ctr_mark(t, &flags);
	s->f.proc_flags = pol_proc_flags(t, flags);
	s->f.family = d->addr.family;
	s->f.kind = kind == VIGIL_SOCK_CONNECT ? VIGIL_NET_CONNECT : VIGIL_NET_SEND;
	s->f.rport = d->addr.rport;
	s->f.l4 = l4_of(d->addr.type, d->addr.protocol);
	if (d->addr.family == VIGIL_AF_INET) {
		__builtin_memcpy(s->f.addr_key.data, v4mapped, 12);
		__builtin_memcpy(s->f.addr_key.data + 12, d->addr.raddr, 4);
	} else if (d->addr.family == VIGIL_AF_INET6) {
		__builtin_memcpy(s->f.addr_key.data, d->addr.raddr, 16);
	} else if (d->unix_len) {
		if (d->unix_path[0] == '/') {
			pol_set_path(s, d->unix_path, d->unix_len, true);
		} else if (d->unix_path[0] == 0 && d->unix_len > 1) {
			/* abstract: named "@..." as the rules write it */
			pol_set_path(s, d->unix_path, d->unix_len, true);
			s->f.path_key.data[0] = '@';
		} else {
			s->f.path_len = VIGIL_POL_PATH_UNKNOWN;
		}
	}
	pol_decide(s, idx, e, ctr, VIGIL_HOOK_NET, o);
	/* what the kernel found for fd.remote_is_own_network, for the agent's rules too */
	if (s->f.own)
		o->flags |= VIGIL_POL_OWN_KNOWN | (s->f.own == 2 ? VIGIL_POL_OWN : 0);
	pol_release(s);
}

static __always_inline int sock_begin(struct bpf_sock_addr *ctx, __u32 kind, enum hook_family fam)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vigil_sock_dest dest = {}, *old;
	struct vigil_pol_outcome pol = {};
	struct vigil_sock_event *e;
	struct vigil_pol_entry *pe = NULL;
	struct vigil_pol_cfg *cfg;
	struct vigil_scratch *s;
	struct rec_buf b;
	__u64 cgid, ctr_id, sk = (__u64)ctx->sk;
	int allow = 1;

	if (!task_watched(t, &cgid, &ctr_id))
		return 1;
	dest_of(ctx, &dest.addr, fam);
	if (fam == HOOK_UNIX && bpf_cast_to_kern_ctx) {
		/* the path as the kernel copied it from the caller */
		struct bpf_sock_addr_kern *k = bpf_cast_to_kern_ctx(ctx);
		struct sockaddr_un *un = (struct sockaddr_un *)k->uaddr;
		__u32 n = k->uaddrlen;

		dest.addr.family = VIGIL_AF_UNIX;
		n = n > 2 ? n - 2 : 0;
		if (n > 108)
			n = 108;
		/* keep clang from moving the bound away from the helper call */
		asm volatile("" : "+r"(n));
		n &= 127;
		dest.unix_len = n;
		if (n)
			bpf_probe_read_kernel(dest.unix_path, n, un->sun_path);
	}
	cfg = ctr_id ? pol_active() : NULL;
	if (cfg)
		pe = pol_entry(ctr_id, VIGIL_HOOK_NET);
	old = bpf_map_lookup_elem(&sock_dest, &sk);
	/*
	 * A datagram socket sending again to the same peer is nothing new,
	 * unless the policy changed since it was allowed (a refused peer is
	 * never remembered as allowed).
	 */
	if (kind == VIGIL_SOCK_SENDMSG && old && old->addr.family == dest.addr.family &&
	    old->addr.rport == dest.addr.rport && same16(old->addr.raddr, dest.addr.raddr) &&
	    (!pe || old->pol_gen == cfg->gen))
		return 1;
	if (pe) {
		pol_net(t, ctr_id, &dest, kind, pe, &pol);
		if ((pol.flags & VIGIL_POL_MATCHED) && cfg->enforce) {
			/* refused here: EPERM, and no packet leaves; kill is the agent's to add */
			pol.flags |= VIGIL_POL_ENFORCED | VIGIL_POL_DONE;
			stat_inc(VIGIL_STAT_POL_ACTED);
			allow = 0;
		}
		dest.pol_gen = allow ? cfg->gen : 0;
	}
	bpf_map_update_elem(&sock_dest, &sk, &dest, BPF_ANY);
	if (!(s = scratch_get()))
		return allow;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_SOCK, t, cgid, ctr_id);
	e->kind = kind;
	e->nr = -1;	/* the syscall's own record, joined by sock, says which */
	e->sock = sk;
	e->addr = dest.addr;
	e->pol = pol;
	if (dest.unix_len)
		rec_put(&b, &e->addr.unix_path, dest.unix_path, dest.unix_len & 127, SRC_KERNEL_BYTES);
	rec_send(&b);
	return allow;
}

SEC("cgroup/connect4")
int vigil_connect4(struct bpf_sock_addr *ctx)
{
	return sock_begin(ctx, VIGIL_SOCK_CONNECT, HOOK_INET4);
}

SEC("cgroup/connect6")
int vigil_connect6(struct bpf_sock_addr *ctx)
{
	return sock_begin(ctx, VIGIL_SOCK_CONNECT, HOOK_INET6);
}

SEC("cgroup/sendmsg4")
int vigil_sendmsg4(struct bpf_sock_addr *ctx)
{
	return sock_begin(ctx, VIGIL_SOCK_SENDMSG, HOOK_INET4);
}

SEC("cgroup/sendmsg6")
int vigil_sendmsg6(struct bpf_sock_addr *ctx)
{
	return sock_begin(ctx, VIGIL_SOCK_SENDMSG, HOOK_INET6);
}

/*
 * connect_unix: libbpf 1.1 does not know the section, so it is loaded as a
 * sock_addr program and given its attach type by the loader (Linux 6.7+).
 */
SEC("cgroup/connect4")
int vigil_connect_unix(struct bpf_sock_addr *ctx)
{
	return sock_begin(ctx, VIGIL_SOCK_CONNECT, HOOK_UNIX);
}
