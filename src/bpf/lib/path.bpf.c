// SPDX-License-Identifier: GPL-2.0
/*
 * path.bpf.c - paths rebuilt from the kernel's dentries and mounts, never
 * trusted from user memory; and what a struct file is.
 *
 * bpf_d_path() is not allowed in tracepoints, so the walk is done here, as
 * d_path() does it: up the dentries, crossing to the parent mount at each
 * mount root, stopping at the task's root (so a container process gets the
 * path it sees).  The path is built right to left in scratch->path.
 */
#include "lib/common.bpf.h"

/* One step up; returns 1 (stop the loop) when the walk is done. */
static long walk_step(__u32 i, void *unused)
{
	struct vigil_scratch *s = scratch_get();
	struct vigil_walk *w;
	struct dentry *d, *parent;
	struct vfsmount *m;
	const unsigned char *name;
	__u32 len, pos;

	if (!s)
		return 1;
	w = &s->walk;
	d = (struct dentry *)w->d;
	m = (struct vfsmount *)w->m;
	if (w->d == w->root_d && w->m == w->root_m)
		goto done;
	parent = BPF_CORE_READ(d, d_parent);
	if (w->cross_mounts && d == BPF_CORE_READ(m, mnt_root)) {
		struct mount *mnt = real_mount(m);
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (mnt == up)
			goto done;	/* the namespace's root mount */
		w->d = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		w->m = (__u64)__builtin_preserve_access_index(&up->mnt);
		return 0;
	}
	/*
	 * The root of a filesystem ends the walk.  A pseudo file (memfd,
	 * anonymous inode) is its own parent without being a mount root:
	 * name it, as d_path() does.
	 */
	if (d == parent && (w->pos != VIGIL_PATH_MAX || d == BPF_CORE_READ(m, mnt_root)))
		goto done;
	name = BPF_CORE_READ(d, d_name.name);
	len = BPF_CORE_READ(d, d_name.len);
	if (len > 255)
		len = 255;
	pos = w->pos;
	if (pos < len + 1 || pos > VIGIL_PATH_MAX) {
		w->truncated = 1;
		goto done;
	}
	pos -= len;
	bpf_probe_read_kernel(&s->path[pos & (VIGIL_PATH_MAX - 1)], len & 255, name);
	pos -= 1;
	s->path[pos & (VIGIL_PATH_MAX - 1)] = '/';
	w->pos = pos;
	if (d == parent)
		goto done;
	w->d = (__u64)parent;
	return 0;
done:
	w->done = 1;
	return 1;
}

/*
 * Rebuilds the path of (d, m) relative to the current task's root, or to the
 * root of d's filesystem when cross_mounts is false, and appends it to b.
 * Returns 1 if truncated, 0 if whole, -1 if nothing was written.
 */
__noinline int path_put(struct rec_buf *b, struct vigil_str *out, unsigned long dentry,
		       unsigned long vfsmount, int cross_mounts)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vigil_scratch *s = scratch_get();
	__u32 pos, truncated;

	if (!b || !out || !s || !dentry || !vfsmount)
		return -1;
	s->walk.d = dentry;
	s->walk.m = vfsmount;
	s->walk.root_d = (__u64)BPF_CORE_READ(task, fs, root.dentry);
	s->walk.root_m = (__u64)BPF_CORE_READ(task, fs, root.mnt);
	s->walk.pos = VIGIL_PATH_MAX;
	s->walk.truncated = 0;
	s->walk.done = 0;
	s->walk.cross_mounts = cross_mounts;
	bpf_loop(VIGIL_PATH_DEPTH, walk_step, NULL, 0);
	truncated = !s->walk.done || s->walk.truncated;
	if (truncated)
		stat_inc(VIGIL_STAT_PATH_TRUNC);
	pos = s->walk.pos;
	if (pos >= VIGIL_PATH_MAX) {
		pos = VIGIL_PATH_MAX - 1;
		s->path[pos] = '/';
	}
	if (rec_put(b, out, &s->path[pos & (VIGIL_PATH_MAX - 1)],
		    VIGIL_PATH_MAX - pos, SRC_KERNEL_BYTES))
		return -1;
	return truncated;
}

static __always_inline __u32 ovl_flags(struct inode *inode)
{
	struct ovl_inode *oi = container_of(inode, struct ovl_inode, vfs_inode);
	struct ovl_entry *oe;
	__u32 flags = 0;

	if (!bpf_core_type_exists(struct ovl_inode))
		return 0;
	if (BPF_CORE_READ(oi, __upperdentry))
		flags |= VIGIL_FILE_OVL_UPPER;
	oe = BPF_CORE_READ(oi, oe);
	if (oe && BPF_CORE_READ(oe, __numlower) > 0)
		flags |= VIGIL_FILE_OVL_LOWER;
	return flags;
}

/*
 * A procfs instance shows one pid namespace (its proc_fs_info).  The
 * container's own /proc shows the container's; one that shows another
 * (the host's /proc bound in) gives a view of processes outside.
 */
static __always_inline bool proc_is_foreign(struct task_struct *task, struct super_block *sb)
{
	struct proc_fs_info *fsi = BPF_CORE_READ(sb, s_fs_info);
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid upid = {};

	if (!fsi)
		return false;
	bpf_core_read(&upid, sizeof(upid), &pid->numbers[level & 31]);
	return BPF_CORE_READ(fsi, pid_ns) != upid.ns;
}

/* Fills *out from a struct file: path, inode, filesystem and mount. */
__noinline int file_describe(struct rec_buf *b, struct vigil_file *out, unsigned long file)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *f = (struct file *)file;
	struct inode *inode;
	struct super_block *sb;
	struct vfsmount *m;
	struct dentry *d;
	char prefix[8] = {};

	if (!b || !out || !f)
		return -1;
	inode = BPF_CORE_READ(f, f_inode);
	sb = BPF_CORE_READ(inode, i_sb);
	m = BPF_CORE_READ(f, f_path.mnt);
	d = BPF_CORE_READ(f, f_path.dentry);

	out->flags = VIGIL_FILE_PRESENT;
	out->mode = BPF_CORE_READ(inode, i_mode);
	out->ino = BPF_CORE_READ(inode, i_ino);
	out->dev = BPF_CORE_READ(sb, s_dev);
	out->f_flags = BPF_CORE_READ(f, f_flags);
	bpf_probe_read_kernel_str(out->fstype, sizeof(out->fstype),
				  BPF_CORE_READ(sb, s_type, name));
	if (BPF_CORE_READ(sb, s_bdev))
		out->flags |= VIGIL_FILE_BLOCKDEV_FS;
	if (BPF_CORE_READ(sb, s_magic) == OVERLAYFS_SUPER_MAGIC)
		out->flags |= ovl_flags(inode);
	if (BPF_CORE_READ(sb, s_magic) == PROC_SUPER_MAGIC && proc_is_foreign(task, sb))
		out->flags |= VIGIL_FILE_FOREIGN_NS;
	bpf_probe_read_kernel(prefix, 6, BPF_CORE_READ(d, d_name.name));
	if (prefix[0] == 'm' && prefix[1] == 'e' && prefix[2] == 'm' &&
	    prefix[3] == 'f' && prefix[4] == 'd' && prefix[5] == ':')
		out->flags |= VIGIL_FILE_MEMFD;

	if (path_put(b, &out->path, (unsigned long)d, (unsigned long)m, 1) > 0)
		out->flags |= VIGIL_FILE_PATH_TRUNC;
	if (m == BPF_CORE_READ(task, fs, root.mnt)) {
		out->flags |= VIGIL_FILE_ROOT_MNT;
		return 0;
	}
	/* Not the process's root: say which mount, and what of it is bound. */
	rec_put(b, &out->mnt_source, BPF_CORE_READ(real_mount(m), mnt_devname),
		VIGIL_PATH_MAX, SRC_KERNEL_STR);
	if (BPF_CORE_READ(m, mnt_root) != BPF_CORE_READ(sb, s_root)) {
		out->flags |= VIGIL_FILE_BIND;
		path_put(b, &out->mnt_root, (unsigned long)BPF_CORE_READ(m, mnt_root),
			 (unsigned long)m, 0);
	}
	return 0;
}

