// SPDX-License-Identifier: GPL-2.0
/*
 * synflood.bpf.c - TCP SYNs per source address, counted at the ingress of
 * the host side of each container's veth (what a container sends) and of
 * any host interface the agent is told to watch (what reaches the host).
 *
 * Over a window of syn_cfg.window_ms a source may send rate * window / 1000
 * SYNs; the first SYN above that is reported once per window, and in
 * enforce mode that source's SYNs (only SYNs: its established connections
 * and everyone else's traffic pass) are dropped for syn_cfg.block_ns.
 * XDP runs before the kernel allocates anything for the packet, so a
 * flood costs the host a table lookup per packet and nothing more.
 */
#include "lib/common.bpf.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define IPPROTO_TCP_ 6
#define TCP_SYN 0x02
#define TCP_ACK 0x10

struct syn_cfg {
	__u32 rate;		/* SYNs per second per source; 0 = off */
	__u32 window_ms;
	__u64 block_ns;		/* enforce: how long a flooding source's SYNs are dropped */
	__u32 enforce;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syn_cfg);
} syn_cfg SEC(".maps") __weak;

struct syn_src {
	__u64 win_start;
	__u64 block_until;
	__u32 count;
	__u32 reported;
};

/*
 * A source is an address on an interface: a container's SYNs arrive on the
 * host side of its own veth, so its counter and its block go away with it.
 * Keyed by the address alone, a block would pass to the next container
 * Docker gives the address to.
 */
struct syn_key {
	__u32 ifindex;
	__u8 src[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct syn_key);
	__type(value, struct syn_src);
} syn_rate SEC(".maps") __weak;

struct syn_pkt {
	__u8 src[16], dst[16];
	__u16 family, dport;
};

/* Fills *p for a TCP SYN (not SYN-ACK); false for anything else. */
static __always_inline bool parse_syn(struct xdp_md *ctx, struct syn_pkt *p)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct tcphdr *tcp;
	__u16 proto;
	void *l3;

	if ((void *)(eth + 1) > end)
		return false;
	proto = eth->h_proto;
	l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		if (l3 + 4 > end)
			return false;
		proto = *(__u16 *)(l3 + 2);
		l3 += 4;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_TCP_ || ip->ihl < 5)
			return false;
		/* a fragment other than the first has no TCP header */
		if (ip->frag_off & bpf_htons(0x1fff))
			return false;
		tcp = l3 + ip->ihl * 4;
		p->family = VIGIL_AF_INET;
		p->src[10] = p->src[11] = 0xff;
		__builtin_memcpy(p->src + 12, &ip->saddr, 4);
		p->dst[10] = p->dst[11] = 0xff;
		__builtin_memcpy(p->dst + 12, &ip->daddr, 4);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;

		/* extension headers before TCP: not followed (a SYN flood does not need them) */
		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_TCP_)
			return false;
		tcp = (void *)(ip6 + 1);
		p->family = VIGIL_AF_INET6;
		__builtin_memcpy(p->src, &ip6->saddr, 16);
		__builtin_memcpy(p->dst, &ip6->daddr, 16);
	} else {
		return false;
	}
	if ((void *)(tcp + 1) > end)
		return false;
	if ((((__u8 *)tcp)[13] & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		return false;
	p->dport = bpf_ntohs(tcp->dest);
	return true;
}

static __always_inline void report(struct xdp_md *ctx, const struct syn_pkt *p, const struct syn_src *v,
				   const struct syn_cfg *cfg, __u32 flags)
{
	struct vigil_synflood_event e = {};

	e.hdr.version = VIGIL_ABI_VERSION;
	e.hdr.type = VIGIL_EV_SYNFLOOD;
	e.hdr.size = sizeof(e);
	e.hdr.ts_ns = bpf_ktime_get_boot_ns();
	e.ifindex = ctx->ingress_ifindex;
	e.flags = flags;
	e.family = p->family;
	e.dport = p->dport;
	e.count = v->count;
	e.rate = cfg->rate;
	__builtin_memcpy(e.saddr, p->src, 16);
	__builtin_memcpy(e.daddr, p->dst, 16);
	if (bpf_ringbuf_output(&events, &e, sizeof(e), BPF_RB_FORCE_WAKEUP))
		stat_inc(VIGIL_STAT_RB_FULL);
	else
		stat_inc(VIGIL_STAT_EVENTS);
}

SEC("xdp")
int vigil_xdp_syn(struct xdp_md *ctx)
{
	struct syn_pkt p = {};
	struct syn_key key = {};
	struct syn_src *v, fresh = {};
	struct syn_cfg *cfg;
	__u64 now, window, limit;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&syn_cfg, &zero);
	if (!cfg || !cfg->rate || !parse_syn(ctx, &p))
		return XDP_PASS;
	now = bpf_ktime_get_ns();
	key.ifindex = ctx->ingress_ifindex;
	__builtin_memcpy(key.src, p.src, sizeof(key.src));
	v = bpf_map_lookup_elem(&syn_rate, &key);
	if (!v) {
		fresh.win_start = now;
		fresh.count = 1;
		bpf_map_update_elem(&syn_rate, &key, &fresh, BPF_NOEXIST);
		return XDP_PASS;
	}
	window = (__u64)cfg->window_ms * 1000000;
	if (now - v->win_start > window) {
		v->win_start = now;
		v->count = 0;
		v->reported = 0;
	}
	__sync_fetch_and_add(&v->count, 1);
	if (v->block_until > now) {
		stat_inc(VIGIL_STAT_SYN_DROP);
		return XDP_DROP;
	}
	limit = (__u64)cfg->rate * cfg->window_ms / 1000;
	if (v->count <= limit || v->reported)
		return XDP_PASS;
	v->reported = 1;
	if (cfg->enforce)
		v->block_until = now + cfg->block_ns;
	report(ctx, &p, v, cfg, cfg->enforce ? VIGIL_SYN_DROPPING : 0);
	if (!cfg->enforce)
		return XDP_PASS;
	stat_inc(VIGIL_STAT_SYN_DROP);
	return XDP_DROP;
}
