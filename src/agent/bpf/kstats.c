/* kstats.c - kernel counters and syscall counts (see kstats.h). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/kstats.h"
#include "bpf/syscalls.h"

const char *kstat_name(unsigned int i)
{
	static const char *const names[VIGIL_STAT_MAX] = {
		[VIGIL_STAT_EVENTS] = "events",
		[VIGIL_STAT_RB_FULL] = "ringbuf_full",
		[VIGIL_STAT_PATH_TRUNC] = "path_truncated",
		[VIGIL_STAT_ARGV_TRUNC] = "argv_truncated",
		[VIGIL_STAT_DATA_TRUNC] = "data_truncated",
		[VIGIL_STAT_CTR_MAP_FULL] = "container_table_full",
		[VIGIL_STAT_COUNTS_MISS] = "syscall_counts_missing",
		[VIGIL_STAT_READ_FAIL] = "read_failed",
		[VIGIL_STAT_OPEN_REPEAT] = "open_repeats",
		[VIGIL_STAT_ARG_RACED] = "args_changed_during_syscall",
		[VIGIL_STAT_COMPAT] = "compat_syscalls",
		[VIGIL_STAT_POL_MATCH] = "policy_matches",
		[VIGIL_STAT_POL_ACTED] = "policy_actions",
		[VIGIL_STAT_POL_BUSY] = "policy_slot_busy",
		[VIGIL_STAT_SYN_DROP] = "syn_dropped",
	};

	return i < VIGIL_STAT_MAX && names[i] ? names[i] : "unknown";
}

bool kstat_is_loss(unsigned int i)
{
	return i == VIGIL_STAT_RB_FULL || i == VIGIL_STAT_CTR_MAP_FULL || i == VIGIL_STAT_COUNTS_MISS ||
	       i == VIGIL_STAT_READ_FAIL || i == VIGIL_STAT_DATA_TRUNC;
}

int kstats_read(int fd, uint64_t out[VIGIL_STAT_MAX])
{
	int ncpu = libbpf_num_possible_cpus(), c;
	uint64_t *vals;
	uint32_t i;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (i = 0; i < VIGIL_STAT_MAX; i++) {
		out[i] = 0;
		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (c = 0; c < ncpu; c++)
			out[i] += vals[c];
	}
	free(vals);
	return 0;
}

int syscall_counts_read(int fd, uint64_t cgid, uint64_t program[VIGIL_NR_SYSCALLS],
			uint64_t setup[VIGIL_NR_SYSCALLS])
{
	int ncpu = libbpf_num_possible_cpus(), c, i, err = 0;
	struct vigil_syscall_counts *vals;

	if (ncpu <= 0)
		return -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(program, 0, sizeof(uint64_t) * VIGIL_NR_SYSCALLS);
	if (setup)
		memset(setup, 0, sizeof(uint64_t) * VIGIL_NR_SYSCALLS);
	if (bpf_map_lookup_elem(fd, &cgid, vals)) {
		err = -errno;
	} else {
		for (c = 0; c < ncpu; c++)
			for (i = 0; i < VIGIL_NR_SYSCALLS; i++) {
				program[i] += vals[c].program[i];
				if (setup)
					setup[i] += vals[c].setup[i];
			}
	}
	free(vals);
	return err;
}
