/* SPDX-License-Identifier: GPL-2.0 */
/*
 * maps.bpf.h - every map and setting of Vigil's BPF side, in one place.
 *
 * Each hook family is its own object file; they are linked into one object
 * (bpftool gen object), so maps are __weak and settings extern here, defined
 * once in config.bpf.c.
 */
#ifndef VIGIL_MAPS_BPF_H
#define VIGIL_MAPS_BPF_H

#include "abi/abi.h"
#include "abi/ctr_id.h"
#include "abi/pins.h"

/* Settings written by the agent before load (see src/agent/loader.c). */
extern const volatile __u32 cfg_watch_host;	/* report host processes */
extern const volatile __u32 cfg_agent_pid;	/* never report the agent */
extern const volatile __u32 cfg_argv_max;	/* <= VIGIL_ARGV_MAX */
extern const volatile __u32 cfg_env_max;	/* <= VIGIL_ENV_MAX, 0 = not read */
extern const volatile __u64 cfg_dedup_ns;	/* open aggregation window, 0 = off */
/* this arch's numbers of the syscalls capability.bpf.c must recognise */
extern const volatile __s32 cfg_nr_brk, cfg_nr_mmap, cfg_nr_mremap, cfg_nr_creat;
/* the host's mount namespace (inode of /proc/1/ns/mnt), 0 = unknown */
extern const volatile __u32 cfg_host_mntns;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);	/* resized by the agent */
} events SEC(".maps") __weak;

/*
 * Top cgroup of a container (v2 id) -> its flags; set in cgroup_mkdir and at
 * start.  Nested cgroups are marked in ctr_marks only, so a container that
 * makes cgroups cannot fill this table.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct vigil_ctr_cgroup);
} ctr_cgroups SEC(".maps") __weak;

/*
 * The same marks kept on the cgroups themselves, for the sys_enter hook
 * every syscall pays for: a cgroup without storage answers in a few loads,
 * where the hash costs a hash of the id and a bucket walk.
 */
struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vigil_ctr_cgroup);
} ctr_marks SEC(".maps") __weak;

/* Per task: whether it entered its container from outside (struct vigil_task). */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vigil_task);
} task_state SEC(".maps") __weak;

/*
 * socket -> where it connects or sends, as the kernel copied the address
 * when the connect began (net/sock_addr.bpf.c); the syscall's exit record
 * takes it from here, never from the caller's memory.
 */
struct vigil_sock_dest {
	struct vigil_sock addr;		/* unix_path unused: the bytes follow */
	__u32 unix_len;
	char unix_path[128];		/* sun_path is 108; masks need the room */
	__u32 pol_gen;			/* the policy generation that allowed it, 0 = none looked */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct vigil_sock_dest);
} sock_dest SEC(".maps") __weak;

/*
 * A path syscall's user strings as read at entry (thread id -> strings),
 * just before the kernel copies them: the exit record reports these, and
 * says when the caller's memory changed in between.
 */
#define VIGIL_ENTRY_PATH 1024
struct vigil_entry_args {
	__u32 nr;
	__u32 unread;			/* bit n: path n could not be read */
	__u64 how_flags;		/* openat2: open_how.flags as asked */
	__u32 len[2];			/* bytes read, NUL included */
	__u64 hash[2];
	char p[2][VIGIL_ENTRY_PATH];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct vigil_entry_args);
} entry_args SEC(".maps") __weak;

/* ia32 syscall number -> native one (filled by the agent from libseccomp), -1 none. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_NR_SYSCALLS);
	__type(key, __u32);
	__type(value, __s32);
} compat_nr SEC(".maps") __weak;

/* Set by the agent once any container has a profile (sys_enter checks then). */
extern __u32 profiles_active;

/*
 * container top cgroup id -> per-CPU count of every syscall number.  8 KiB
 * per CPU per container: allocated when a container appears, not up front.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct vigil_syscall_counts);
} syscall_counts SEC(".maps") __weak;

/* Never written: the zeroed value a new syscall_counts slot starts from. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_syscall_counts);
} zero_counts SEC(".maps") __weak;

/* container top cgroup id -> the profile its syscalls are checked against. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct vigil_profile_bits);
} ctr_profiles SEC(".maps") __weak;

/* container top cgroup id -> capabilities its program used (capability.bpf.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct vigil_cap_use);
} ctr_caps SEC(".maps") __weak;

/* syscall number -> what to capture; filled by the agent. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, VIGIL_NR_SYSCALLS);
	__type(key, __u32);
	__type(value, struct vigil_sys_spec);
} sys_specs SEC(".maps") __weak;

/* (process, file, access) -> when last reported; see struct vigil_open_key. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct vigil_open_key);
	__type(value, struct vigil_open_seen);
} open_seen SEC(".maps") __weak;

/* Which agent pinned the maps, for readers of the pins (abi/pins.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_pin_info);
} pin_info SEC(".maps") __weak;

/* Per-reason counters; the agent sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, VIGIL_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps") __weak;

/*
 * Per-CPU scratch: a record is assembled here, then copied into the ring
 * buffer with its real size (a fixed-size reservation would waste ring space
 * on short events).  Syscall tracepoints run BPF with preemption disabled, so
 * one slot per CPU is enough.
 */
/*
 * State of one path walk (path.bpf.c).  It lives in the map, not on the
 * stack: values loaded from a map are unknown to the verifier, so the walk's
 * loop body is checked once instead of once per possible position.
 */
struct vigil_walk {
	__u64 d, m, root_d, root_m;	/* dentry / vfsmount pointers */
	__u32 pos;			/* path is scratch->path[pos .. VIGIL_PATH_MAX) */
	__u32 truncated;
	__u32 done;
	__u32 cross_mounts;
};

struct vigil_scratch {
	struct vigil_walk walk;
	/* a write may start anywhere below VIGIL_DATA_MAX and be HALF long */
	__u8 rec[VIGIL_DATA_MAX + VIGIL_DATA_HALF];
	/* a component write may start at VIGIL_PATH_MAX - 1 and be 255 long */
	char path[VIGIL_PATH_MAX + 256];
	char name[VIGIL_LEAF_BUF];	/* a cgroup leaf name (abi/ctr_id.h) */
	char tmp[VIGIL_ENTRY_PATH];	/* a user string re-read at exit */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vigil_scratch);
} scratch SEC(".maps") __weak;

/* io_uring request -> what its submission asked for, until it completes. */
struct vigil_uring_pending {
	__u32 opcode;
	__s32 dfd;
	__u8 sockaddr[128];
	__u32 sockaddr_len;
	char path[256];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct vigil_uring_pending);
} uring_pending SEC(".maps") __weak;

static __always_inline void stat_inc(__u32 reason)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &reason);

	if (v)
		*v += 1;
}

#endif
