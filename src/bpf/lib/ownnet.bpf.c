// SPDX-License-Identifier: GPL-2.0
/* ownnet.bpf.c - the own-network lookup, verified once (see ownnet.bpf.h). */
#include "lib/common.bpf.h"

__noinline int vigil_own_network(__u64 hi, __u64 lo)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct net *net = BPF_CORE_READ(t, nsproxy, net_ns);
	__u8 a[16];
	__be32 v4;

	if (!net)
		return 0;
	__builtin_memcpy(a, &hi, 8);
	__builtin_memcpy(a + 8, &lo, 8);
	if (hi == 0 && a[8] == 0 && a[9] == 0 && a[10] == 0xff && a[11] == 0xff) {
		__builtin_memcpy(&v4, a + 12, 4);
		return own_v4(net, v4);
	}
	return own_v6(net, a);
}
