/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ownnet.bpf.h - is an address on the caller's own networks?  Answered
 * from the kernel's own state: the interface addresses of the current
 * task's network namespace (a container's veth and its subnet, loopback),
 * not from what the runtime says, so it holds from the container's first
 * connect, before any metadata.  Bounded walks: OWN_DEVS interfaces,
 * OWN_ADDRS addresses each; a namespace with more is looked at in part
 * (an address past the bound is "not own": a deny errs on refusing).
 */
#ifndef VIGIL_OWNNET_BPF_H
#define VIGIL_OWNNET_BPF_H

#include "maps.bpf.h"

#define OWN_DEVS 16
#define OWN_ADDRS 8

static __always_inline bool own_v4(struct net *net, __be32 a)
{
	struct list_head *head = (void *)net + bpf_core_field_offset(struct net, dev_base_head);
	struct list_head *pos = BPF_CORE_READ(net, dev_base_head.next);
	int i, j;

	for (i = 0; i < OWN_DEVS && pos && pos != head; i++) {
		struct net_device *dev = container_of(pos, struct net_device, dev_list);
		struct in_device *in = BPF_CORE_READ(dev, ip_ptr);
		struct in_ifaddr *ifa = in ? BPF_CORE_READ(in, ifa_list) : NULL;

		for (j = 0; j < OWN_ADDRS && ifa; j++) {
			__be32 local = BPF_CORE_READ(ifa, ifa_local), mask = BPF_CORE_READ(ifa, ifa_mask);

			if (!((local ^ a) & mask))
				return true;
			ifa = BPF_CORE_READ(ifa, ifa_next);
		}
		pos = BPF_CORE_READ(pos, next);
	}
	return false;
}

static __always_inline bool prefix6_eq(const __u32 *x, const __u32 *y, __u32 bits)
{
	int w;

	for (w = 0; w < 4; w++) {
		__u32 keep = bits > 32 * w ? bits - 32 * w : 0, m;

		if (!keep)
			return true;
		m = keep >= 32 ? 0xffffffff : bpf_htonl(~(0xffffffffu >> keep));
		if ((x[w] ^ y[w]) & m)
			return false;
	}
	return true;
}

static __always_inline bool own_v6(struct net *net, const __u8 *a)
{
	struct list_head *head = (void *)net + bpf_core_field_offset(struct net, dev_base_head);
	struct list_head *pos = BPF_CORE_READ(net, dev_base_head.next);
	__u32 want[4];
	int i, j;

	__builtin_memcpy(want, a, 16);
	for (i = 0; i < OWN_DEVS && pos && pos != head; i++) {
		struct net_device *dev = container_of(pos, struct net_device, dev_list);
		struct inet6_dev *in6 = BPF_CORE_READ(dev, ip6_ptr);
		struct list_head *ahead, *ap;

		if (in6) {
			ahead = (void *)in6 + bpf_core_field_offset(struct inet6_dev, addr_list);
			ap = BPF_CORE_READ(in6, addr_list.next);
			for (j = 0; j < OWN_ADDRS && ap && ap != ahead; j++) {
				struct inet6_ifaddr *ifa = container_of(ap, struct inet6_ifaddr, if_list);
				__u32 have[4];

				bpf_probe_read_kernel(have, 16, &ifa->addr);
				if (prefix6_eq(have, want, BPF_CORE_READ(ifa, prefix_len)))
					return true;
				ap = BPF_CORE_READ(ap, next);
			}
		}
		pos = BPF_CORE_READ(pos, next);
	}
	return false;
}

/*
 * The lookup, as a global function (lib/ownnet.bpf.c): the verifier checks
 * its walks once, not at every atom that asks.  The address as two
 * 64-bit halves, in memory order; IPv4 as IPv4-mapped.
 */
__noinline int vigil_own_network(__u64 hi, __u64 lo);

static __always_inline bool own_network(const __u8 *addr)
{
	__u64 hi, lo;

	__builtin_memcpy(&hi, addr, 8);
	__builtin_memcpy(&lo, addr + 8, 8);
	return vigil_own_network(hi, lo) > 0;
}

#endif
