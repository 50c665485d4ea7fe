/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * policy.h - enforcement as the kernel holds it: rules with an action,
 * lowered by the agent (src/agent/enforce/lower.c) into clauses of atoms
 * the BPF side can decide on its own, without a round trip to user space.
 *
 * A policy entry is keyed by (container, hook).  The hook is a syscall
 * number (kill at that syscall's entry), VIGIL_HOOK_EXEC (kill at exec,
 * before the new program runs an instruction) or VIGIL_HOOK_NET (refuse a
 * connect or send in the cgroup sock_addr hooks; kill after a unix connect
 * whose peer matches).  Container 0 holds the rules that hold for every
 * container whatever its name or image: they apply from a container's
 * first instruction, before its metadata is known; a container's own entry
 * is a superset and replaces it once written.
 *
 * An entry is a disjunction of clauses, a clause a conjunction of atoms,
 * an atom one fact compared with a constant or a set, optionally negated.
 * An atom on a fact the event does not have is false (so its negation is
 * true), as a comparison on a missing field is in the rules.
 *
 * The same evaluation runs in user space over decoded records (policy_eval.h),
 * which is how the unit tests check the lowering against the rules.
 */
#ifndef VIGIL_POLICY_H
#define VIGIL_POLICY_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VIGIL_HOOK_EXEC 0x10000
#define VIGIL_HOOK_NET 0x10001

#define VIGIL_POL_ATOMS 6
#define VIGIL_POL_CLAUSES 12
#define VIGIL_POL_PATH 128	/* path bytes an atom compares: longer ones by their prefix */

enum vigil_pol_atom_kind {
	VIGIL_A_NONE = 0,
	VIGIL_A_TRUE,
	VIGIL_A_SETUP,		/* the container's program has not started (container.in_setup) */
	VIGIL_A_RUNTIME,	/* the task is the runtime's (proc.is_runtime) */
	VIGIL_A_ARG_SET,	/* syscall argument [arg] is in value set `set` */
	VIGIL_A_ARG_MASK,	/* syscall argument [arg] & set != 0 */
	VIGIL_A_EXE_FLAGS,	/* the executable's file flags & set != 0 */
	VIGIL_A_PATH_SET,	/* the exe or unix socket path is in path set `set` */
	VIGIL_A_FAMILY,		/* bit (1 << family) & set */
	VIGIL_A_L4,		/* bit VIGIL_L4_* & set */
	VIGIL_A_KIND,		/* bit VIGIL_NET_* & set */
	VIGIL_A_PORT_RANGE,	/* (set & 0xffff) <= rport <= (set >> 16) */
	VIGIL_A_PORT_SET,	/* rport is in value set `set` */
	VIGIL_A_ADDR_SET,	/* remote address is in address set `set` (CIDRs) */
	VIGIL_A_ADDR_OWN,	/* remote address is on the caller's own networks (its netns's interfaces) */
	VIGIL_A_KIND_MAX,
};

/* connect or send (VIGIL_A_KIND) */
#define VIGIL_NET_CONNECT 1
#define VIGIL_NET_SEND 2
/* transport (VIGIL_A_L4) */
#define VIGIL_L4_TCP 1
#define VIGIL_L4_UDP 2
#define VIGIL_L4_OTHER 4

struct vigil_pol_atom {
	__u8 kind;		/* enum vigil_pol_atom_kind */
	__u8 neg;		/* 1: the atom's negation */
	__u8 arg;		/* VIGIL_A_ARG_*: argument index 0..5 */
	__u8 pad[5];
	__u64 set;		/* set id, mask, bits or range, by kind */
};

enum vigil_act {
	VIGIL_ACT_NONE = 0,
	VIGIL_ACT_KILL = 1,	/* SIGKILL the process */
	VIGIL_ACT_DENY = 2,	/* refuse the connect or send (EPERM) */
};

struct vigil_pol_clause {
	__u16 rule;		/* the rule's index in the agent's set of generation `gen` */
	__u8 action;		/* enum vigil_act */
	__u8 n;			/* atoms used */
	__u32 pad;
	struct vigil_pol_atom a[VIGIL_POL_ATOMS];
};

struct vigil_pol_entry {
	__u32 n;		/* clauses used */
	__u32 gen;		/* policy generation that wrote it */
	struct vigil_pol_clause c[VIGIL_POL_CLAUSES];
};

struct vigil_pol_key {
	__u64 ctr;		/* container top cgroup, 0 = every container */
	__u32 hook;		/* syscall number or VIGIL_HOOK_* */
	__u32 pad;
};

/*
 * Address and path sets share one LPM trie: an IPv4 network is stored as
 * its IPv4-mapped IPv6 prefix; a path prefix as its bytes, an exact path
 * with its NUL.  `set` is part of every prefix.
 */
struct vigil_pol_lpm_key {
	__u32 prefixlen;	/* bits, the 64 of set included */
	__u32 set_lo;
	__u32 set_hi;
	__u8 data[VIGIL_POL_PATH];
};
#define VIGIL_POL_LPM_BITS(nbytes) (64 + 8 * (nbytes))

/* Value sets (ports, syscall arguments): present = member. */
struct vigil_pol_val_key {
	__u64 set;
	__u64 val;
};

/* Global switch (array[1]): enforce, or only say what would be done. */
struct vigil_pol_cfg {
	__u32 enforce;		/* 0 audit, 1 act */
	__u32 gen;
	__u32 active;		/* some entry exists: the hooks look */
	__u32 pad;
};

/* What a hook decided, stamped on its record. */
enum vigil_pol_flags {
	VIGIL_POL_MATCHED = 1 << 0,	/* a clause matched */
	VIGIL_POL_ENFORCED = 1 << 1,	/* in enforce mode: the action was taken */
	VIGIL_POL_DONE = 1 << 2,	/* it worked (signal queued, connect refused) */
	VIGIL_POL_AFTER = 1 << 3,	/* decided after the syscall (unix peer): kill only */
	/* the remote address was looked up in the caller's own networks (its netns's interfaces) */
	VIGIL_POL_OWN_KNOWN = 1 << 4,
	VIGIL_POL_OWN = 1 << 5,		/* ... and it is on one of them */
};

struct vigil_pol_outcome {
	__u16 rule;
	__u8 action;		/* enum vigil_act */
	__u8 flags;		/* enum vigil_pol_flags */
	__s32 err;		/* the helper's result when it failed */
	__u32 gen;
	__u32 hook;
};

/* Facts a hook compares (also built by the user-space evaluator). */
struct vigil_pol_facts {
	__u64 args[6];
	__u64 ctr;
	__u32 proc_flags;	/* VIGIL_PROC_CTR_SETUP | VIGIL_PROC_RUNTIME, as in the record */
	__u32 exe_flags;	/* enum vigil_file_flags; 0 = not an exec */
	__u16 family;		/* 0 = no socket */
	__u8 l4;		/* VIGIL_L4_* */
	__u8 kind;		/* VIGIL_NET_* */
	__u16 rport;
	__u16 path_len;		/* 0 = no path; else bytes in path_key.data, NUL included */
	__u32 has_args;
	__u32 own;		/* VIGIL_A_ADDR_OWN, once looked up: 1 not own, 2 own; 0 not yet */
	struct vigil_pol_lpm_key addr_key;	/* data: the remote address, v4 mapped */
	struct vigil_pol_lpm_key path_key;	/* data: the path, NUL-terminated */
	struct vigil_pol_val_key val_key;
};

_Static_assert(sizeof(struct vigil_pol_atom) == 16, "struct vigil_pol_atom: layout changed");
_Static_assert(sizeof(struct vigil_pol_clause) == 8 + 16 * VIGIL_POL_ATOMS, "struct vigil_pol_clause");
_Static_assert(sizeof(struct vigil_pol_entry) == 8 + sizeof(struct vigil_pol_clause) * VIGIL_POL_CLAUSES,
	       "struct vigil_pol_entry");
_Static_assert(sizeof(struct vigil_pol_key) == 16, "struct vigil_pol_key");
_Static_assert(sizeof(struct vigil_pol_lpm_key) == 12 + VIGIL_POL_PATH, "struct vigil_pol_lpm_key");
_Static_assert(sizeof(struct vigil_pol_outcome) == 16, "struct vigil_pol_outcome");

#endif /* VIGIL_POLICY_H */
