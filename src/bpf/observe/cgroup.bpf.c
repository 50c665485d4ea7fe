// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup.bpf.c - which cgroups are containers, decided when they appear.
 *
 * A container runtime creates the container's cgroup before it moves the
 * first process in, so marking it here (not later, from user space) means
 * the container is watched from its first instruction, and a container that
 * lives 100 ms is still seen.  A cgroup created below a watched one belongs
 * to the same container: nesting cannot escape the filter.
 */
#include "lib/common.bpf.h"
#include "abi/ctr_id.h"

static __always_inline void cgroup_event(struct cgroup *cgrp, const char *path,
					 __u32 kind, __u64 ctr_id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct vigil_scratch *s = scratch_get();
	struct vigil_cgroup_event *e;
	struct rec_buf b;

	if (!s)
		return;
	/* hdr.proc is the runtime process doing it: not a container event */
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_CGROUP, t, bpf_get_current_cgroup_id(), 0);
	e->kind = kind;
	e->level = BPF_CORE_READ(cgrp, level);
	e->id = BPF_CORE_READ(cgrp, kn, id);
	e->ctr_id = ctr_id;
	rec_put(&b, &e->path, path, VIGIL_PATH_MAX, SRC_KERNEL_STR);
	rec_send(&b);
}

/*
 * kfuncs (Linux 6.3+) for a trusted pointer to the parent cgroup.  Declared
 * in this file only: libbpf 1.1's object linker cannot merge a kfunc
 * extern seen in several objects.
 */
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

/* The mark of cgroup id (the parent of a new one), copied out. */
static __always_inline bool mark_of_id(__u64 id, struct vigil_ctr_cgroup *out)
{
	struct cgroup *cg = bpf_cgroup_from_id(id);
	struct vigil_ctr_cgroup *m;
	bool found = false;

	if (!cg)
		return false;
	m = cgrp_mark(cg);
	if (m) {
		*out = *m;
		found = true;
	}
	bpf_cgroup_release(cg);
	return found;
}

/* A container the kernel could not mark: said at once, never silent. */
static __always_inline void table_full(struct cgroup *cgrp, const char *path, __u64 id)
{
	struct vigil_scratch *s = scratch_get();
	struct vigil_notice_event *e;
	struct rec_buf b;

	stat_inc(VIGIL_STAT_CTR_MAP_FULL);
	if (!s)
		return;
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_NOTICE, bpf_get_current_task_btf(), bpf_get_current_cgroup_id(), 0);
	e->kind = VIGIL_NOTICE_CTR_TABLE_FULL;
	e->cgid = id;
	rec_put(&b, &e->path, path, VIGIL_PATH_MAX, SRC_KERNEL_STR);
	rec_send(&b);
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(vigil_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct vigil_ctr_cgroup val = {}, parent_val;
	struct vigil_syscall_counts *zero;
	__u32 zero_key = 0;
	struct vigil_scratch *s;
	__u64 id, parent_id;
	int prefix;
	long n;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;	/* a cgroup v1 hierarchy */
	id = BPF_CORE_READ(cgrp, kn, id);
	parent_id = BPF_CORE_READ(cgrp, self.parent, cgroup, kn, id);
	if (mark_of_id(parent_id, &parent_val)) {
		/* below a container: its mark only, no table entry a container could exhaust */
		val.ctr_cgroup_id = parent_val.ctr_cgroup_id;
		val.flags = VIGIL_CTR_NESTED;
		if (!bpf_cgrp_storage_get(&ctr_marks, cgrp, &val, BPF_LOCAL_STORAGE_GET_F_CREATE))
			table_full(cgrp, path, id);
		return 0;
	}
	if (!(s = scratch_get()))
		return 0;
	/* the cgroup's own name: the container id is in it, not in its parents */
	n = bpf_probe_read_kernel_str(s->name, sizeof(s->name), BPF_CORE_READ(cgrp, kn, name));
	if (n <= 1 || vigil_leaf_ctr_id(s->name, n - 1, &prefix) < 0)
		return 0;
	val.ctr_cgroup_id = id;
	/* the count slot is made now so the first syscall is counted */
	zero = bpf_map_lookup_elem(&zero_counts, &zero_key);
	if (!zero)
		return 0;
	n = bpf_map_update_elem(&syscall_counts, &id, zero, BPF_NOEXIST);
	if (n && n != -EEXIST)
		stat_inc(VIGIL_STAT_COUNTS_MISS);
	if (bpf_map_update_elem(&ctr_cgroups, &id, &val, BPF_ANY) ||
	    !bpf_cgrp_storage_get(&ctr_marks, cgrp, &val, BPF_LOCAL_STORAGE_GET_F_CREATE)) {
		bpf_map_delete_elem(&ctr_cgroups, &id);
		table_full(cgrp, path, id);
		return 0;
	}
	cgroup_event(cgrp, path, VIGIL_CGROUP_MKDIR, val.ctr_cgroup_id);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(vigil_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	struct vigil_ctr_cgroup *val;
	__u64 id, ctr_id;

	if (BPF_CORE_READ(cgrp, root, hierarchy_id) != 0)
		return 0;
	id = BPF_CORE_READ(cgrp, kn, id);
	/* only a container's top cgroup is in the table; nested marks go with their cgroup */
	val = bpf_map_lookup_elem(&ctr_cgroups, &id);
	if (!val)
		return 0;
	ctr_id = val->ctr_cgroup_id;
	bpf_map_delete_elem(&ctr_cgroups, &id);
	/* the agent reads and deletes the syscall counts on this event */
	cgroup_event(cgrp, path, VIGIL_CGROUP_RMDIR, ctr_id);
	return 0;
}

/*
 * A task moved between cgroups.  The move is done when the tracepoint
 * fires, so where the task was comes from its own state (the container it
 * was last seen in, kept since its fork).  Entering a container from
 * outside makes the task the runtime's (the init of `docker exec`);
 * leaving one - a task of the container moved to the host's cgroups or
 * another container's - is an escape from the filter, and reported.
 */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(vigil_cgroup_attach, struct cgroup *dst, const char *path, struct task_struct *task, bool threadgroup)
{
	struct vigil_ctr_cgroup *mark;
	struct vigil_migrate_event *e;
	struct vigil_scratch *s;
	struct vigil_task *ts;
	struct rec_buf b;
	__u64 from, to;

	if (BPF_CORE_READ(dst, root, hierarchy_id) != 0)
		return 0;
	mark = cgrp_mark(dst);
	to = mark ? mark->ctr_cgroup_id : 0;
	ts = task_state_of(task, to != 0);
	from = ts ? ts->ctr : 0;
	if (from == to)
		return 0;
	if (ts) {
		ts->ctr = to;
		if (to)
			ts->flags |= VIGIL_PROC_RUNTIME;	/* came from elsewhere */
		else
			ts->flags &= ~VIGIL_PROC_RUNTIME;
	}
	if (!from || !(s = scratch_get()))
		return 0;	/* entering from the host: the runtime's ordinary work */
	e = rec_start(&b, s, sizeof(*e), VIGIL_EV_MIGRATE, task, BPF_CORE_READ(dst, kn, id), from);
	e->from_ctr = from;
	e->to_cgid = BPF_CORE_READ(dst, kn, id);
	e->to_ctr = to;
	rec_send(&b);
	return 0;
}
