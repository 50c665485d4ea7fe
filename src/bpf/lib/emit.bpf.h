/* SPDX-License-Identifier: GPL-2.0 */
/*
 * emit.bpf.h - assembling a record in the per-CPU scratch and sending it.
 *
 * Strings are appended to the record's data area.  Every write offset is
 * checked against VIGIL_DATA_MAX and masked, and every length is at most
 * VIGIL_DATA_HALF, so the verifier can prove each write stays inside the
 * scratch record; what does not fit is counted (VIGIL_STAT_DATA_TRUNC).
 */
#ifndef VIGIL_EMIT_BPF_H
#define VIGIL_EMIT_BPF_H

#include "maps.bpf.h"

#define REC_BYTES (sizeof(((struct vigil_scratch *)0)->rec))

/*
 * Only the length: global functions get &rec_buf, and the verifier forgets
 * pointers kept in memory they may write, so the scratch is looked up where
 * it is needed (an inlined array lookup).
 */
struct rec_buf {
	__u32 len;		/* bytes used, fixed body included */
};

static __always_inline struct vigil_scratch *scratch_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&scratch, &zero);
}

static __always_inline void *rec_start(struct rec_buf *b, struct vigil_scratch *s,
				       __u32 body_size, __u16 type, struct task_struct *t,
				       __u64 cgid, __u64 ctr_id)
{
	struct vigil_hdr *h = (struct vigil_hdr *)s->rec;

	b->len = body_size;
	__builtin_memset(s->rec, 0, body_size);
	h->version = VIGIL_ABI_VERSION;
	h->type = type;
	h->ts_ns = bpf_ktime_get_boot_ns();
	proc_fill(&h->proc, t, cgid, ctr_id);
	if (ctr_id) {
		struct vigil_ctr_cgroup *top = bpf_map_lookup_elem(&ctr_cgroups, &ctr_id);

		if (top && !(top->flags & VIGIL_CTR_PROGRAM))
			h->proc.flags |= VIGIL_PROC_CTR_SETUP;
	}
	return s->rec;
}

enum str_src { SRC_KERNEL_STR, SRC_USER_STR, SRC_KERNEL_BYTES, SRC_USER_BYTES };

/* Appends up to max bytes (<= VIGIL_DATA_HALF) and points *str at them. */
static __always_inline int rec_put(struct rec_buf *b, struct vigil_str *str,
				   const void *src, __u32 max, enum str_src kind)
{
	struct vigil_scratch *s = scratch_get();
	__u32 off = b->len;
	long n;

	if (!s)
		return -1;
	if (off >= VIGIL_DATA_MAX || max == 0) {
		stat_inc(VIGIL_STAT_DATA_TRUNC);
		return -1;
	}
	off &= VIGIL_DATA_MAX - 1;
	if (max > VIGIL_DATA_HALF - 1)
		max = VIGIL_DATA_HALF - 1;
	/* keep clang from moving the bound away from the helper call */
	asm volatile("" : "+r"(max));
	max &= VIGIL_DATA_HALF - 1;
	switch (kind) {
	case SRC_KERNEL_STR:
		n = bpf_probe_read_kernel_str(&s->rec[off], max, src);
		break;
	case SRC_USER_STR:
		n = bpf_probe_read_user_str(&s->rec[off], max, src);
		break;
	case SRC_KERNEL_BYTES:
		n = bpf_probe_read_kernel(&s->rec[off], max, src) ? -1 : max;
		break;
	default:
		n = bpf_probe_read_user(&s->rec[off], max, src) ? -1 : max;
		break;
	}
	if (n <= 0) {
		stat_inc(VIGIL_STAT_READ_FAIL);
		return -1;
	}
	str->off = off;
	/* strings: drop the NUL from len but keep it in the record */
	str->len = (kind == SRC_KERNEL_STR || kind == SRC_USER_STR) ? n - 1 : n;
	b->len = off + n;
	return 0;
}

/*
 * Waking the agent for every record costs an irq_work (an IPI, a VM exit
 * under virtualisation) per event: microseconds.  The agent drains the ring
 * every few milliseconds on its own; the kernel wakes it early only when
 * this much is waiting.
 */
#define WAKEUP_BYTES (256 << 10)

static __always_inline void rec_send(struct rec_buf *b)
{
	struct vigil_scratch *s = scratch_get();
	struct vigil_hdr *h;
	__u32 size = b->len;

	if (!s)
		return;
	h = (struct vigil_hdr *)s->rec;
	if (size > REC_BYTES)
		size = REC_BYTES;
	h->size = size;
	if (bpf_ringbuf_output(&events, s->rec, size,
			       bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKEUP_BYTES ?
			       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP)) {
		stat_inc(VIGIL_STAT_RB_FULL);
		return;
	}
	stat_inc(VIGIL_STAT_EVENTS);
}

#endif
