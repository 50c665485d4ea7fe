/* SPDX-License-Identifier: GPL-2.0 */
/* common.bpf.h - what every hook file includes, in order. */
#ifndef VIGIL_COMMON_BPF_H
#define VIGIL_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#ifndef container_of
#define container_of(ptr, type, member) \
	((type *)((void *)(ptr) - bpf_core_field_offset(type, member)))
#endif

#define EEXIST 17

#include "maps.bpf.h"
#include "task.bpf.h"
#include "emit.bpf.h"
#include "path.bpf.h"
#include "policy.bpf.h"

#endif
