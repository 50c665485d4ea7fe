/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * pins.h - the maps the running agent pins in bpffs for `vigil stats` and
 * `vigil profile`, and the record that says which agent pinned them.
 *
 * A reader opens VIGIL_PIN_INFO first and refuses maps whose abi_version is
 * not its own: a new `vigil stats` must not misread an old agent's counts.
 */
#ifndef VIGIL_PINS_H
#define VIGIL_PINS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define VIGIL_PIN_DIR "/sys/fs/bpf/vigil"
/* vigil run --pin: everything, so enforcement outlives the agent (src/agent/bpf/persist.c) */
#define VIGIL_PIN_KEEP VIGIL_PIN_DIR "/keep"
#define VIGIL_PIN_INFO "info"		/* array[1] of struct vigil_pin_info */
#define VIGIL_PIN_COUNTS "syscall_counts"
#define VIGIL_PIN_CGROUPS "ctr_cgroups"
#define VIGIL_PIN_STATS "stats"

struct vigil_pin_info {
	__u32 abi_version;	/* VIGIL_ABI_VERSION of the agent that pinned */
	__u32 agent_pid;
	__u64 started_ns;	/* boot-time ns */
};

_Static_assert(sizeof(struct vigil_pin_info) == 16, "struct vigil_pin_info: layout changed");

#endif
