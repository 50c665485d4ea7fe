/* kstats.h - reading the kernel side's counters and syscall counts. */
#ifndef VIGIL_KSTATS_H
#define VIGIL_KSTATS_H

#include <stdbool.h>
#include <stdint.h>
#include "abi/abi.h"

/* Name of a counter ("ringbuf_full", ...). */
const char *kstat_name(unsigned int i);
/* Does counter i count records lost in the kernel (the others count what happened)? */
bool kstat_is_loss(unsigned int i);

/* Sums the per-CPU "stats" map (fd) into out[VIGIL_STAT_MAX].  0 or -errno. */
int kstats_read(int stats_fd, uint64_t out[VIGIL_STAT_MAX]);

/*
 * Sums the per-CPU syscall counts of one container: its program's, and the
 * runtime's set-up before the program started (setup may be NULL).
 * 0 or -errno (-ENOENT).
 */
int syscall_counts_read(int counts_fd, uint64_t cgid, uint64_t program[VIGIL_NR_SYSCALLS],
			uint64_t setup[VIGIL_NR_SYSCALLS]);

#endif
