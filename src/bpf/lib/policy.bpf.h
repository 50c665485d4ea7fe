/* SPDX-License-Identifier: GPL-2.0 */
/*
 * policy.bpf.h - deciding a policy in the kernel (abi/policy.h): the maps
 * the agent fills, and the evaluation every enforcing hook shares.
 *
 * Facts and a copy of the entry are assembled in a per-CPU slot.  Some
 * hooks (the cgroup sock_addr ones) may be preempted on a preemptible
 * kernel, so a slot is claimed with a compare-and-swap; when all are taken
 * on this CPU the hook decides as if the policy matched, never as if it
 * did not (VIGIL_STAT_POL_BUSY counts it).  The clauses are walked with
 * bpf_loop so the verifier checks one clause, not every combination.
 */
#ifndef VIGIL_POLICY_BPF_H
#define VIGIL_POLICY_BPF_H

#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "ownnet.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct vigil_pol_key);
	__type(value, struct vigil_pol_entry);
} policy SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct vigil_pol_lpm_key);
	__type(value, __u8);
} pol_lpm SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, struct vigil_pol_val_key);
	__type(value, __u8);
} pol_vals SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_pol_cfg);
} pol_cfg SEC(".maps") __weak;

#define POL_SLOTS 4

struct pol_slot {
	__u64 busy;
	struct vigil_pol_facts f;
	struct vigil_pol_entry e;
	/* a clause index is masked to 15 for the verifier: room for c[12..15] */
	struct vigil_pol_clause spare[16 - VIGIL_POL_CLAUSES];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, POL_SLOTS);
	__type(key, __u32);
	__type(value, struct pol_slot);
} pol_slots SEC(".maps") __weak;

#define POL_INLINE __always_inline
#define POL_BOUND(x) asm volatile("" : "+r"(x))
#define POL_LPM_HAS(k) (bpf_map_lookup_elem(&pol_lpm, (k)) != NULL)
#define POL_VAL_HAS(k) (bpf_map_lookup_elem(&pol_vals, (k)) != NULL)
#define POL_OWN_HAS(f) own_network((f)->addr_key.data)
#include "abi/policy_eval.h"

/* The switch, or NULL when no policy is loaded: the hooks' first test. */
static __always_inline struct vigil_pol_cfg *pol_active(void)
{
	__u32 zero = 0;
	struct vigil_pol_cfg *cfg = bpf_map_lookup_elem(&pol_cfg, &zero);

	return cfg && cfg->active ? cfg : NULL;
}

/* A free slot of this CPU, zeroed facts; *idx for pol_release. */
static __always_inline struct pol_slot *pol_claim(__u32 *idx)
{
	struct pol_slot *s;
	__u32 i;

	for (i = 0; i < POL_SLOTS; i++) {
		s = bpf_map_lookup_elem(&pol_slots, &i);
		if (s && !__sync_val_compare_and_swap(&s->busy, 0ULL, 1ULL)) {
			*idx = i;
			__builtin_memset(&s->f, 0, sizeof(s->f));
			return s;
		}
	}
	stat_inc(VIGIL_STAT_POL_BUSY);
	return NULL;
}

static __always_inline void pol_release(struct pol_slot *s)
{
	__sync_lock_test_and_set(&s->busy, 0ULL);
}

struct pol_walk {
	__u32 slot;
	__u32 match;		/* clause that matched, VIGIL_POL_CLAUSES none */
};

static long pol_clause(__u32 i, struct pol_walk *w)
{
	__u32 idx = w->slot;
	struct pol_slot *s = bpf_map_lookup_elem(&pol_slots, &idx);
	struct vigil_pol_clause *c;
	int acc = POL_TRUE, j;
	__u64 ci = i;

	/* bound the 64-bit register the index is computed from, not a 32-bit copy */
	asm volatile("" : "+r"(ci));
	if (!s || ci >= VIGIL_POL_CLAUSES)
		return 1;
	c = &s->e.c[ci];
#pragma unroll
	for (j = 0; j < VIGIL_POL_ATOMS; j++) {
		if (j < c->n && acc != POL_FALSE)
			acc = pol_and(acc, pol_atom_eval(&c->a[j], &s->f));
	}
	if (acc == POL_TRUE && c->n) {
		w->match = ci;
		return 1;
	}
	return 0;
}

/* The entry for hook of container ctr: its own, else the one for every container. */
static __always_inline struct vigil_pol_entry *pol_entry(__u64 ctr, __u32 hook)
{
	struct vigil_pol_key k = { .ctr = ctr, .hook = hook };
	struct vigil_pol_entry *e = bpf_map_lookup_elem(&policy, &k);

	if (e)
		return e;
	k.ctr = 0;
	return bpf_map_lookup_elem(&policy, &k);
}

/* Decides entry e with the facts in slot s (index idx).  *out: action NONE when nothing matched. */
static __always_inline void pol_decide(struct pol_slot *s, __u32 idx, struct vigil_pol_entry *e, __u64 ctr,
				       __u32 hook, struct vigil_pol_outcome *out)
{
	struct pol_walk w = { .slot = idx, .match = VIGIL_POL_CLAUSES };
	struct vigil_pol_clause *c;
	__u64 m;
	__u32 n;

	__builtin_memset(out, 0, sizeof(*out));
	if (bpf_probe_read_kernel(&s->e, sizeof(s->e), e))
		return;
	n = s->e.n;
	if (n > VIGIL_POL_CLAUSES)
		n = VIGIL_POL_CLAUSES;
	s->f.ctr = ctr;
	bpf_loop(n, pol_clause, &w, 0);
	m = w.match;
	asm volatile("" : "+r"(m));
	if (m >= VIGIL_POL_CLAUSES)
		return;
	c = &s->e.c[m];
	out->rule = c->rule;
	out->action = c->action;
	out->flags = VIGIL_POL_MATCHED;
	out->gen = s->e.gen;
	out->hook = hook;
	stat_inc(VIGIL_STAT_POL_MATCH);
}

/*
 * No slot was free: decide as the entry's first clause would, had it
 * matched (refusing is the safe side); rule 0xffff says so.
 */
static __always_inline void pol_busy(struct vigil_pol_entry *e, __u32 hook, struct vigil_pol_outcome *out)
{
	__builtin_memset(out, 0, sizeof(*out));
	out->rule = 0xffff;
	out->action = e->c[0].action;
	out->flags = VIGIL_POL_MATCHED;
	out->gen = e->gen;
	out->hook = hook;
}

/* VIGIL_PROC_* flags of the task as its records carry them. */
static __always_inline __u32 pol_proc_flags(struct task_struct *t, __u32 ctr_flags)
{
	struct vigil_task *ts = task_state_of(t, false);
	__u32 f = 0;

	if (!(ctr_flags & VIGIL_CTR_PROGRAM))
		f |= VIGIL_PROC_CTR_SETUP;
	if (ts)
		f |= ts->flags & VIGIL_PROC_RUNTIME;
	return f;
}

/* Copies a path (len bytes, no NUL needed) into the facts' path key. */
static __always_inline void pol_set_path(struct pol_slot *s, const void *src, __u32 len, bool kernel)
{
	if (len > VIGIL_POL_PATH - 1)
		len = VIGIL_POL_PATH - 1;
	asm volatile("" : "+r"(len));
	len &= VIGIL_POL_PATH - 1;
	if (!len)
		return;
	if (kernel ? bpf_probe_read_kernel(s->f.path_key.data, len, src) :
		     bpf_probe_read_user(s->f.path_key.data, len, src))
		return;
	s->f.path_len = len + 1;	/* the NUL: memset by pol_claim */
}

/* SIGKILL to the current process when the policy says so and enforcement is on. */
static __always_inline void pol_kill(struct vigil_pol_cfg *cfg, struct vigil_pol_outcome *o)
{
	if (!(o->flags & VIGIL_POL_MATCHED) || o->action != VIGIL_ACT_KILL || !cfg->enforce)
		return;
	o->flags |= VIGIL_POL_ENFORCED;
	o->err = bpf_send_signal(9);
	if (!o->err) {
		o->flags |= VIGIL_POL_DONE;
		stat_inc(VIGIL_STAT_POL_ACTED);
	}
}

/* Task storage flag: the LSM tier refuses what this task's syscall attempts (enforce/lsm.bpf.c). */
#define VIGIL_TASK_DENY (1u << 16)

/*
 * A syscall's entry in a container (nr native, args as passed): when the
 * policy matches, SIGKILL (enforce mode) and a record.  The kill reaches
 * the process when the syscall returns; where BPF LSM is available the
 * task is also marked so its LSM hooks refuse what the syscall attempts.
 */
static __always_inline void pol_syscall(struct task_struct *t, __u64 cgid, __u64 ctr, __u32 ctr_flags, __u32 nr,
					const __u64 *args, __u32 abi)
{
	struct vigil_pol_cfg *cfg = pol_active();
	struct vigil_enforce_event *ev;
	struct vigil_pol_outcome o;
	struct vigil_pol_entry *e;
	struct vigil_scratch *sc;
	struct pol_slot *s;
	struct rec_buf b;
	__u32 idx;

	if (!cfg || !(e = pol_entry(ctr, nr)))
		return;
	if ((s = pol_claim(&idx))) {
		bpf_probe_read_kernel(s->f.args, sizeof(s->f.args), args);
		s->f.has_args = 1;
		s->f.proc_flags = pol_proc_flags(t, ctr_flags);
		pol_decide(s, idx, e, ctr, nr, &o);
		pol_release(s);
	} else {
		pol_busy(e, nr, &o);
	}
	if (!(o.flags & VIGIL_POL_MATCHED))
		return;
	pol_kill(cfg, &o);
	if (o.flags & VIGIL_POL_DONE) {
		struct vigil_task *ts = task_state_of(t, true);

		if (ts)
			ts->flags |= VIGIL_TASK_DENY;
	}
	if (!(sc = scratch_get()))
		return;
	ev = rec_start(&b, sc, sizeof(*ev), VIGIL_EV_ENFORCE, t, cgid, ctr);
	ev->nr = nr;
	ev->abi = abi;
	ev->pol = o;
	bpf_probe_read_kernel(ev->args, sizeof(ev->args), args);
	rec_send(&b);
}

/*
 * An exec in a container, decided before the new program runs one
 * instruction (sched_process_exec fires before the return to user space):
 * stamps the record, kills in enforce mode.  The facts are the record's:
 * its process flags and its executable's flags and path.
 */
static __always_inline void pol_exec(struct vigil_exec_event *ev, struct vigil_scratch *sc)
{
	__u64 ctr = ev->hdr.proc.ctr_cgroup_id;
	struct vigil_pol_cfg *cfg;
	struct vigil_pol_entry *e;
	struct pol_slot *s;
	__u32 idx, off, len;

	if (!ctr || !(cfg = pol_active()) || !(e = pol_entry(ctr, VIGIL_HOOK_EXEC)))
		return;
	if ((s = pol_claim(&idx))) {
		s->f.proc_flags = ev->hdr.proc.flags & (VIGIL_PROC_CTR_SETUP | VIGIL_PROC_RUNTIME);
		s->f.exe_flags = ev->exe.flags;
		off = ev->exe.path.off;
		len = ev->exe.path.len;
		if (off && off < VIGIL_DATA_MAX)
			pol_set_path(s, &sc->rec[off & (VIGIL_DATA_MAX - 1)], len, true);
		pol_decide(s, idx, e, ctr, VIGIL_HOOK_EXEC, &ev->pol);
		pol_release(s);
	} else {
		pol_busy(e, VIGIL_HOOK_EXEC, &ev->pol);
	}
	pol_kill(cfg, &ev->pol);
}

#endif
