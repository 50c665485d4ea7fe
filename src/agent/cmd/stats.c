/*
 * stats_cmd.c - `vigil stats`: per-container syscall counts and the kernel
 * side's counters, read from the maps the running agent pinned.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "output/format.h"
#include "output/jsonw.h"
#include "bpf/kstats.h"
#include "bpf/pinned.h"
#include "util/log.h"
#include "bpf/syscalls.h"

int stats_cmd(int argc, char **argv)
{
	uint64_t k[VIGIL_STAT_MAX], counts[VIGIL_NR_SYSCALLS], setup[VIGIL_NR_SYSCALLS];
	uint64_t key, next, *prev = NULL;
	int json = argc > 1 && !strcmp(argv[1], "--json");
	int counts_fd, stats_fd, i, status = 1;
	struct ctr_registry *reg = NULL;
	const char *root;
	struct jw w;

	jw_init(&w);
	if ((counts_fd = pinned_open(VIGIL_PIN_COUNTS)) < 0 || (stats_fd = pinned_open(VIGIL_PIN_STATS)) < 0)
		goto out;
	reg = ctr_registry_new();
	root = cgroup2_root();
	if (reg && root)
		ctr_scan_named(reg, NULL);
	if (kstats_read(stats_fd, k))
		goto out;

	jw_obj_open(&w, NULL);
	jw_obj_open(&w, "kernel");
	for (i = 0; i < VIGIL_STAT_MAX; i++)
		jw_uint(&w, kstat_name(i), k[i]);
	jw_obj_close(&w);
	jw_arr_open(&w, "containers");
	if (!json) {
		printf("kernel counters:");
		for (i = 0; i < VIGIL_STAT_MAX; i++)
			printf(" %s=%llu", kstat_name(i), (unsigned long long)k[i]);
		printf("\n");
	}
	while (!bpf_map_get_next_key(counts_fd, prev, &next)) {
		struct ctr_info *c;
		uint64_t total = 0;

		key = next;
		prev = &key;
		if (syscall_counts_read(counts_fd, key, counts, setup))
			continue;
		c = reg ? ctr_lookup(reg, key) : NULL;
		jw_obj_open(&w, NULL);
		jw_uint(&w, "cgroup_id", key);
		if (c) {
			jw_str(&w, "id", c->id);
			jw_str(&w, "name", c->name);
			jw_str(&w, "image", c->image);
		}
		total = syscall_counts_json(&w, "syscalls", counts);
		jw_uint(&w, "syscalls_total", total);
		jw_uint(&w, "setup_syscalls_total", syscall_counts_json(&w, "setup_syscalls", setup));
		jw_obj_close(&w);
		if (json)
			continue;
		printf("\ncontainer %s (%.12s) image %s cgroup %llu: %llu syscalls\n",
		       c && c->name ? c->name : "?", c ? c->id : "?", c && c->image ? c->image : "?",
		       (unsigned long long)key, (unsigned long long)total);
		for (i = 0; i < VIGIL_NR_SYSCALLS; i++)
			if (counts[i])
				printf("  %-24s %llu\n", sys_name(i), (unsigned long long)counts[i]);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	if (json)
		printf("%s\n", w.buf);
	status = 0;
out:
	ctr_registry_free(reg);
	jw_free(&w);
	return status;
}
