/*
 * loader.h - the BPF side's life: feature probes, settings, load, attach,
 * pinning for `vigil stats`, detach.
 */
#ifndef VIGIL_LOADER_H
#define VIGIL_LOADER_H

#include <stdbool.h>
#include "abi/abi.h"
#include "abi/pins.h"
#include <stdint.h>

/* Held (flock) by the agent whose maps are pinned: one owner at a time. */
#define VIGIL_PIN_LOCK "/run/vigil.lock"

struct loader_opts {
	bool watch_host;	/* report host processes too */
	bool syscall_counts;	/* load the per-syscall counter */
	bool counts_on_demand;	/* ... but attach it only when asked (loader_counter_set) */
	bool exit_dispatch;	/* one tp_btf/sys_exit program instead of a tracepoint per syscall */
	unsigned int ringbuf_mb;	/* power of two */
	unsigned int argv_max;	/* bytes of argv kept, <= VIGIL_ARGV_MAX */
	unsigned int env_max;	/* bytes of the environment kept at exec (proc.env), 0 = none */
	unsigned int agent_pid;
	unsigned int dedup_ms;	/* open aggregation window; 0 = report every open */
	unsigned int max_containers;	/* size of the container table (top cgroups) */
	bool lsm;		/* load the LSM tier where the kernel allows it */
	bool pin;		/* --pin: maps and links outlive the agent (bpf/persist.h) */
};

#define LOADER_MAX_XDP 256
#define LOADER_MAX_PINS 2048

struct loader {
	struct vigil_bpf *skel;
	struct bpf_link **sys_links;	/* per sys_descs entry, NULL = not attached */
	struct bpf_link **enter_links;	/* sys_enter_<name> of path syscalls, same index */
	struct bpf_link *sock_links[5];	/* cgroup sock_addr hooks at the v2 root */
	int n_sock_links;
	bool unix_connect;	/* cgroup/connect_unix exists (6.7+) */
	bool exit_dispatch;	/* reported syscalls: one tp_btf/sys_exit program, by sys_specs */
	int n_sys_descs;
	int n_sys_links;		/* attached */
	int n_sys_missing;		/* not on this kernel */
	bool pinned;
	int pin_lock_fd;	/* VIGIL_PIN_LOCK, -1 when not the owner */
	bool capabilities;	/* capability use is reported (cap_capable) */
	bool lsm;		/* BPF LSM programs load here (probe) */
	bool lsm_loaded;	/* ... and the LSM tier is loaded and attached */
	char lsm_why[96];	/* the probe's reason when they do not */
	struct bpf_link *kill_links[VIGIL_NR_SYSCALLS];	/* kill at sys_enter_<name> */
	int n_kill_links;
	struct { int ifindex; struct bpf_link *link; } xdp[LOADER_MAX_XDP];
	int n_xdp;
	bool pin;		/* --pin */
	int n_reused;		/* maps taken over from an earlier agent */
	char (*pin_names)[64];	/* links this agent pinned */
	int n_pin_names;
	char hooks[768];	/* one line: which hooks are active */
};

/*
 * The syscall counter, the one hook every syscall pays for: attached or
 * detached while the agent runs (loaded with syscall_counts).  0 or -errno.
 */
int loader_counter_set(struct loader *l, bool on);
bool loader_counter_on(const struct loader *l);

/* Probes, opens, configures and loads.  0 or -errno (reported). */
int loader_load(struct loader *l, const struct loader_opts *o);
/*
 * Attaches every hook but the syscall events, and pins the maps `vigil
 * stats` reads.
 */
int loader_attach(struct loader *l);
/*
 * Attaches the syscall event program to the syscalls wanted() accepts (by
 * kernel name) and detaches it from the rest; again on every call.
 */
int loader_set_interest(struct loader *l, bool (*wanted)(const char *sys, void *arg), void *arg);
/*
 * Attaches the kill-at-entry program to the sys_enter_<name> tracepoint of
 * each syscall whose bit is set in nrs, and detaches it from the others.
 * Returns how many could not be attached (no tracepoint), or -errno.
 */
int loader_set_kill_syscalls(struct loader *l, const uint64_t nrs[VIGIL_NR_SYSCALLS / 64]);
/* The SYN counter on an interface's ingress (XDP, the driver's mode where it has one). */
int loader_xdp_attach(struct loader *l, int ifindex);
void loader_xdp_detach(struct loader *l, int ifindex);
bool loader_xdp_attached(const struct loader *l, int ifindex);

/* Everything attached: --pin's links pinned, an earlier agent's left-overs removed. */
int loader_persist(struct loader *l);

/* Detaches every hook; maps stay readable until loader_close(). */
void loader_detach(struct loader *l);
void loader_close(struct loader *l);

/* Mounts tracefs / bpffs where they are missing.  0 or -errno. */
int loader_mount_fs(void);

#endif
