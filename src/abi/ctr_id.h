/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * ctr_id.h - the one decision "is this cgroup directory a container's",
 * compiled into both sides: the kernel marks a cgroup as a container when
 * it is created (src/bpf/observe/cgroup.bpf.c), the agent names it from
 * its path (src/agent/container/cgroup_path.c).  They must never disagree,
 * so both call vigil_leaf_ctr_id(), and one corpus of names
 * (tests/unit/data/cgroup_leaves.txt) is run against each.
 *
 * A container's cgroup is named by its runtime, with the 64-hex-digit id:
 *   <id>                        cgroupfs drivers (docker, containerd, kubepods)
 *   <prefix><id>.scope          systemd drivers
 *   libpod-<id>                 podman's cgroupfs driver
 * where prefix is one of docker-, cri-containerd-, crio-, libpod-.
 * Anything else (crio-conmon-<id>.scope, docker-<id> without .scope,
 * <id>.mount, a 63-digit id, upper-case hex) is not a container.
 *
 * The name must sit in a buffer of at least VIGIL_LEAF_BUF bytes: indexes
 * are masked so the BPF verifier can bound every read.
 */
#ifndef VIGIL_CTR_ID_H
#define VIGIL_CTR_ID_H

#define VIGIL_CTR_ID_HEX 64
#define VIGIL_LEAF_BUF 256
#define VIGIL_LEAF_IDX(i) ((i) & (VIGIL_LEAF_BUF - 1))

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Which runtime's prefix named the cgroup (0: a bare id). */
enum vigil_leaf_prefix {
	VIGIL_LEAF_BARE = 0,
	VIGIL_LEAF_DOCKER,
	VIGIL_LEAF_CONTAINERD,
	VIGIL_LEAF_CRIO,
	VIGIL_LEAF_PODMAN,
};

static __always_inline int vigil_leaf_starts(const char *b, const char *lit, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (b[VIGIL_LEAF_IDX(i)] != lit[i])
			return 0;
	return 1;
}

static __always_inline int vigil_leaf_hex_at(const char *b, unsigned int off)
{
	unsigned int i;
	char c;

	for (i = 0; i < VIGIL_CTR_ID_HEX; i++) {
		c = b[VIGIL_LEAF_IDX(off + i)];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
	}
	return 1;
}

/*
 * len is the name's length without a NUL.  Returns the offset of the id in
 * b (>= 0) when the name is a container's, with *prefix set; -1 otherwise.
 */
static __always_inline int vigil_leaf_ctr_id(const char *b, unsigned int len, int *prefix)
{
	unsigned int plen = 0;
	int kind = VIGIL_LEAF_BARE;

	if (len < VIGIL_CTR_ID_HEX || len >= VIGIL_LEAF_BUF)
		return -1;
	if (vigil_leaf_starts(b, "docker-", 7)) {
		plen = 7;
		kind = VIGIL_LEAF_DOCKER;
	} else if (vigil_leaf_starts(b, "cri-containerd-", 15)) {
		plen = 15;
		kind = VIGIL_LEAF_CONTAINERD;
	} else if (vigil_leaf_starts(b, "crio-", 5)) {
		plen = 5;
		kind = VIGIL_LEAF_CRIO;
	} else if (vigil_leaf_starts(b, "libpod-", 7)) {
		plen = 7;
		kind = VIGIL_LEAF_PODMAN;
	}
	if (len == plen + VIGIL_CTR_ID_HEX) {
		/* <id>, or libpod-<id> */
		if (plen && kind != VIGIL_LEAF_PODMAN)
			return -1;
	} else if (plen && len == plen + VIGIL_CTR_ID_HEX + 6) {
		if (!vigil_leaf_starts(b + plen + VIGIL_CTR_ID_HEX, ".scope", 6))
			return -1;
	} else {
		return -1;
	}
	if (!vigil_leaf_hex_at(b, plen))
		return -1;
	*prefix = kind;
	return (int)plen;
}

#endif
