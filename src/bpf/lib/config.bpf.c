// SPDX-License-Identifier: GPL-2.0
/* config.bpf.c - the settings maps.bpf.h declares, and the licence. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lib/maps.bpf.h"

const volatile __u32 cfg_watch_host = 0;
const volatile __u32 cfg_agent_pid = 0;
const volatile __u32 cfg_argv_max = VIGIL_ARGV_MAX;
const volatile __u32 cfg_env_max = 0;	/* 0: the environment is not read */
const volatile __u64 cfg_dedup_ns = 0;
const volatile __s32 cfg_nr_brk = -1, cfg_nr_mmap = -1, cfg_nr_mremap = -1, cfg_nr_creat = -1;
const volatile __u32 cfg_host_mntns = 0;
__u32 profiles_active = 0;

char LICENSE[] SEC("license") = "GPL";
