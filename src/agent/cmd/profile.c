/*
 * profile_cmd.c - `vigil profile`: a Docker/OCI seccomp profile from every
 * syscall a container made, counted in the kernel from the moment its
 * cgroup appeared.  The counts come from the running agent (pinned map), or
 * from container_exit / summary events in a JSON-lines file, so containers
 * that have exited can be profiled too.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/container.h"
#include "bpf/kstats.h"
#include "bpf/pinned.h"
#include "util/log.h"
#include "cmd/cmd.h"
#include "seccomp/syscall_set.h"
#include "bpf/syscalls.h"

/* From the running agent's map.  Returns the number of syscalls, or -errno. */
static int from_agent(const char *ctr_name, struct syscall_set *set)
{
	uint64_t counts[VIGIL_NR_SYSCALLS];
	struct ctr_registry *reg = ctr_registry_new();
	const char *root = cgroup2_root();
	struct ctr_info *c;
	int fd, i, n = 0, err;

	fd = pinned_open(VIGIL_PIN_COUNTS);
	if (fd < 0 || !reg || !root) {
		err = fd < 0 ? fd : -ENOMEM;
		log_warnx("profile: the running agent's counts are not readable; use --from-events FILE");
		ctr_registry_free(reg);
		return err;
	}
	ctr_scan_named(reg, NULL);
	c = ctr_find(reg, ctr_name);
	if (!c) {
		log_warnx("profile: no running container named '%s'", ctr_name);
		ctr_registry_free(reg);
		return -ENOENT;
	}
	err = syscall_counts_read(fd, c->cgroup_id, counts, NULL);
	ctr_registry_free(reg);
	if (err) {
		log_warnx("profile: no syscall counts for '%s' (was the agent running when it started?)",
			  ctr_name);
		return err;
	}
	for (i = 0; i < VIGIL_NR_SYSCALLS; i++)
		if (counts[i]) {
			sset_add(set, i);
			n++;
		}
	if (!n)
		log_warnx("profile: nothing counted for '%s': the agent counts a container's syscalls from its "
			  "start through its first --learn-seconds, while it has a --profile, or always with "
			  "--syscall-counts always", ctr_name);
	return n;
}

/* Union of the "syscalls" of every container_exit / summary event of the container. */
static int from_events(const char *path, const char *ctr_name, struct syscall_set *set)
{
	size_t len = strlen(ctr_name), cap = 0;
	char *line = NULL;
	int events = 0, lineno = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		log_warn("profile: %s", path);
		return -errno;
	}
	while (getline(&line, &cap, f) > 0) {
		json_t *ev, *ctr, *sys, *v;
		const char *type, *name, *id, *key;

		lineno++;
		if (!strstr(line, "\"syscalls\""))
			continue;	/* cheap pre-filter: most lines are other events */
		ev = json_loads(line, 0, NULL);
		if (!ev) {
			log_warnx("%s:%d: not JSON, skipped", path, lineno);
			continue;
		}
		type = json_string_value(json_object_get(ev, "type"));
		ctr = json_object_get(ev, "container");
		name = json_string_value(json_object_get(ctr, "name"));
		id = json_string_value(json_object_get(ctr, "full_id"));
		sys = json_object_get(ev, "syscalls");
		if (type && (!strcmp(type, "container_exit") || !strcmp(type, "summary")) &&
		    json_is_object(sys) &&
		    ((name && !strcmp(name, ctr_name)) || (id && len >= 4 && !strncmp(id, ctr_name, len)))) {
			json_object_foreach(sys, key, v)
				sset_add(set, sys_nr(key));
			events++;
		}
		json_decref(ev);
	}
	free(line);
	fclose(f);
	if (!events) {
		log_warnx("profile: %s has no container_exit or summary event of '%s'", path, ctr_name);
		return -ENOENT;
	}
	return sset_count(set);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: vigil profile [CONTAINER] [-o FILE] [--from-events EVENTS.json]\n"
"                     [--merge PROFILE.json]... [--no-baseline]\n"
"\n"
"Writes a Docker/OCI seccomp profile (default deny with EPERM) allowing every\n"
"syscall CONTAINER made since its cgroup appeared, as counted in the kernel.\n"
"  CONTAINER                name or id prefix; read from the running agent, or\n"
"      --from-events FILE   from the container_exit / summary events in FILE\n"
"                           (all runs of that name are united)\n"
"  -o, --output FILE        write here instead of stdout\n"
"      --merge PROFILE      unite with an existing profile (repeatable); with\n"
"                           no CONTAINER, just unites the profiles\n"
"      --no-baseline        leave out the runtime baseline (docs/seccomp.md)\n"
"Use: docker run --security-opt seccomp=FILE ...\n");
}

int profile_cmd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "from-events", required_argument, NULL, 'e' },
		{ "merge", required_argument, NULL, 'm' },
		{ "no-baseline", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct syscall_set set = { 0 }, merged;
	const char *out_path = NULL, *events = NULL;
	char err[512];
	int c, n, unknown, baseline = 1, merges = 0;
	FILE *out = stdout;

	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out_path = optarg; break;
		case 'e': events = optarg; break;
		case 'B': baseline = 0; break;
		case 'm':
			memset(&merged, 0, sizeof(merged));
			if (profile_read(optarg, &merged, &unknown, err, sizeof(err))) {
				log_warnx("profile: %s", err);
				return 1;
			}
			if (unknown)
				log_warnx("profile: %s: %d syscall name(s) unknown here, left out", optarg, unknown);
			sset_union(&set, &merged);
			merges++;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		n = events ? from_events(events, argv[optind], &set) : from_agent(argv[optind], &set);
		if (n < 0)
			return 1;
	} else if (!merges) {
		usage(stderr);
		return 2;
	}
	if (baseline)
		sset_add_runtime_baseline(&set);
	if (out_path && !(out = fopen(out_path, "w"))) {
		log_warn("profile: %s", out_path);
		return 1;
	}
	if (profile_write(&set, out)) {
		log_warn("profile: writing %s", out_path ? out_path : "stdout");
		return 1;
	}
	if (out != stdout && fclose(out)) {
		log_warn("profile: %s", out_path);
		return 1;
	}
	fprintf(stderr, "vigil: profile: %d syscalls allowed%s\n", sset_count(&set),
		baseline ? " (runtime baseline included)" : "");
	return 0;
}
