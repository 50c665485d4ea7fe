/*
 * rules_bench - ns per event for a rule set over a recorded event mix.
 *
 * The mix is an events file written by `vigil run --output-file` (JSON
 * lines): each event is turned back into a record (type, syscall, paths,
 * process, container) and judged by the rules ROUNDS times.
 *
 *   rules_bench RULES.yaml EVENTS.json [ROUNDS]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpf/decode.h"
#include "rules/rules.h"
#include "bpf/syscalls.h"

#define MAX_EVENTS 20000
#define REC_MAX (VIGIL_DATA_MAX + VIGIL_DATA_HALF)

struct recorded {
	unsigned char rec[1024];
	struct proc_info proc;
	struct ctr_info ctr;
	char argv[512];
	char exe[256], name[128], image[128];	/* copies: the JSON is freed */
};

static void put_str(unsigned char *rec, size_t *len, struct vigil_str *s, const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (!v || *len + n + 1 > 1024)
		return;
	memcpy(rec + *len, v, n + 1);
	s->off = *len;
	s->len = n;
	*len += n + 1;
}

/* A JSON event back into a record; 0 if it is one the rules judge. */
static int rebuild(json_t *ev, struct recorded *r)
{
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *sys = json_string_value(json_object_get(ev, "syscall"));
	json_t *proc = json_object_get(ev, "process"), *ctr = json_object_get(ev, "container");
	json_t *file = json_object_get(ev, "file"), *args;
	struct vigil_hdr *h = (struct vigil_hdr *)r->rec;
	size_t len, i, n = 0;

	memset(r, 0, sizeof(*r));
	if (!type || !proc || !sys)
		return -1;
	if (!strcmp(type, "exec") && json_object_get(ev, "exec")) {
		struct vigil_exec_event *e = (void *)r->rec;

		len = sizeof(*e);
		h->type = VIGIL_EV_EXEC;
		e->exe.flags = VIGIL_FILE_PRESENT | VIGIL_FILE_ROOT_MNT;
		put_str(r->rec, &len, &e->exe.path, json_string_value(json_object_get(json_object_get(ev, "exec"), "exe")));
	} else {
		struct vigil_syscall_event *e = (void *)r->rec;

		if (sys_nr(sys) < 0)
			return -1;
		len = sizeof(*e);
		h->type = VIGIL_EV_SYSCALL;
		e->nr = sys_nr(sys);
		e->ret = json_integer_value(json_object_get(ev, "result"));
		if (file && json_is_true(json_object_get(file, "resolved"))) {
			e->file.flags = VIGIL_FILE_PRESENT | VIGIL_FILE_ROOT_MNT;
			put_str(r->rec, &len, &e->file.path, json_string_value(json_object_get(file, "path")));
		} else if (file) {
			put_str(r->rec, &len, &e->path, json_string_value(json_object_get(file, "path")));
		}
		if (file)
			e->args[2] = json_integer_value(json_object_get(file, "flags_raw"));
	}
	h->version = VIGIL_ABI_VERSION;
	h->size = len;
	h->proc.pid = json_integer_value(json_object_get(proc, "pid"));
	h->proc.vpid = json_integer_value(json_object_get(proc, "vpid"));
	h->proc.ppid = json_integer_value(json_object_get(proc, "ppid"));
	h->proc.uid = json_integer_value(json_object_get(proc, "uid"));
	h->proc.ctr_cgroup_id = 1;
	if (json_is_true(json_object_get(proc, "runtime_setup")))
		h->proc.flags |= VIGIL_PROC_CTR_SETUP;
	snprintf(h->proc.comm, sizeof(h->proc.comm), "%s", json_string_value(json_object_get(proc, "name")) ?: "");
	snprintf(h->proc.pcomm, sizeof(h->proc.pcomm), "%s", json_string_value(json_object_get(proc, "pname")) ?: "");
	args = json_object_get(proc, "args");
	for (i = 0; i < json_array_size(args); i++) {
		const char *a = json_string_value(json_array_get(args, i));

		if (a && n + strlen(a) + 1 < sizeof(r->argv)) {
			memcpy(r->argv + n, a, strlen(a) + 1);
			n += strlen(a) + 1;
		}
	}
	r->proc.pid = h->proc.pid;
	r->proc.argv = r->argv;
	r->proc.argv_len = n;
	snprintf(r->exe, sizeof(r->exe), "%s", json_string_value(json_object_get(proc, "exe")) ?: "");
	snprintf(r->name, sizeof(r->name), "%s", json_string_value(json_object_get(ctr, "name")) ?: "");
	snprintf(r->image, sizeof(r->image), "%s", json_string_value(json_object_get(ctr, "image")) ?: "");
	r->proc.exe = r->exe;
	r->ctr.name = r->name;
	r->ctr.image = r->image;
	/* (NORMAL events carry only the short id) */
	snprintf(r->ctr.id, sizeof(r->ctr.id), "%s", json_string_value(json_object_get(ctr, "full_id")) ?:
		 json_string_value(json_object_get(ctr, "id")) ?: "x");
	return record_check(r->rec, len);
}

int main(int argc, char **argv)
{
	static struct recorded evs[MAX_EVENTS];
	static struct field_ctx fc;
	const struct rule *m[16];
	struct rules_diags d = { 0 };
	struct ruleset *rs;
	struct timespec t0, t1;
	size_t n = 0, cap = 0, i, insecure = 0;
	long rounds = argc > 3 ? atol(argv[3]) : 20, r;
	char *line = NULL;
	FILE *f;
	double ns;

	if (argc < 3) {
		fprintf(stderr, "usage: rules_bench RULES.yaml EVENTS.json [ROUNDS]\n");
		return 2;
	}
	rs = rules_load((const char *const *)argv + 1, 1, &d);
	if (!rs) {
		rules_diags_print(&d, stderr);
		return 1;
	}
	f = fopen(argv[2], "r");
	while (f && n < MAX_EVENTS && getline(&line, &cap, f) > 0) {
		json_t *ev = json_loads(line, 0, NULL);

		if (ev && !rebuild(ev, &evs[n]))
			n++;
		json_decref(ev);
	}
	free(line);
	if (f)
		fclose(f);
	if (!n) {
		fprintf(stderr, "rules_bench: no events in %s\n", argv[2]);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++) {
			struct event_view ev = { .rec = evs[i].rec, .proc = &evs[i].proc, .ctr = &evs[i].ctr };

			field_ctx_reset(&fc, &ev, i);
			insecure += ruleset_eval(rs, &fc, m, 16) > 0;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / (double)(n * rounds);
	printf("rules: %zu rules (%s); events: %zu from %s x %ld rounds; %.0f ns/event; %.1f%% INSECURE\n",
	       ruleset_rule_count(rs), argv[1], n, argv[2], rounds, ns, 100.0 * insecure / (n * rounds));
	ruleset_free(rs);
	rules_diags_free(&d);
	return 0;
}
