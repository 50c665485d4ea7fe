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

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(vigil_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct vigil_ctr_cgroup val = {}, *parent_val;
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
	parent_val = bpf_map_lookup_elem(&ctr_cgroups, &parent_id);
	if (parent_val) {
		val.ctr_cgroup_id = parent_val->ctr_cgroup_id;
		val.flags = VIGIL_CTR_NESTED;
	} else {
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
	}
	if (bpf_map_update_elem(&ctr_cgroups, &id, &val, BPF_ANY)) {
		stat_inc(VIGIL_STAT_CTR_MAP_FULL);
		return 0;
	}
	if (!bpf_cgrp_storage_get(&ctr_marks, cgrp, &val, BPF_LOCAL_STORAGE_GET_F_CREATE))
		stat_inc(VIGIL_STAT_CTR_MAP_FULL);
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
	val = bpf_map_lookup_elem(&ctr_cgroups, &id);
	if (!val)
		return 0;
	ctr_id = val->ctr_cgroup_id;
	bpf_map_delete_elem(&ctr_cgroups, &id);
	/* the agent reads and deletes the syscall counts on this event */
	cgroup_event(cgrp, path, VIGIL_CGROUP_RMDIR, ctr_id);
	return 0;
}
