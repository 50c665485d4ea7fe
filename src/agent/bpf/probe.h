/*
 * probe.h - what this kernel offers Vigil, found before anything loads.
 *
 * Each feature is looked up where the kernel itself describes it (its BTF:
 * map types, helpers, kfuncs, tracepoints; tracefs; cgroupfs), so the
 * answer does not depend on a version number a distribution may have
 * patched.  A required feature missing stops `vigil run` with the list of
 * what is missing and the Linux version that brings each.
 */
#ifndef VIGIL_PROBE_H
#define VIGIL_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum probe_feature {
	PROBE_BTF,		/* /sys/kernel/btf/vmlinux */
	PROBE_RINGBUF,
	PROBE_CGRP_STORAGE,
	PROBE_LOOP,
	PROBE_RDONLY_CAST,
	PROBE_TP_BTF_SYSCALLS,
	PROBE_TP_BTF_SCHED,
	PROBE_TP_BTF_CGROUP,
	PROBE_SYSCALL_TRACEPOINTS,
	PROBE_CGROUP2,
	/* optional: a hook family works without them */
	PROBE_IO_URING,
	PROBE_CAP_CAPABLE,
	PROBE_LSM,
	PROBE_UNIX_CONNECT,
	PROBE_MAX,
};

struct probe_result {
	bool have[PROBE_MAX];
	char release[65];	/* uname -r */
	char lsm_why[96];	/* PROBE_LSM absent: the step that failed and its error */
};

/* Probes every feature.  Never fails: what cannot be probed is missing. */
void probe_kernel(struct probe_result *r);

/*
 * 32-bit syscalls (ia32, x32) can run here: tried in a child.  why says
 * what was found.
 */
bool probe_compat_abi(char *why, size_t len);

/* true when every required feature is there. */
bool probe_required_ok(const struct probe_result *r);

/* One line per feature: have/missing, what it is for, the version bringing it. */
void probe_print(const struct probe_result *r, FILE *f, bool only_missing);

#endif
