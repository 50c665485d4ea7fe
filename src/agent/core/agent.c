/*
 * agent.c - `vigil run`: load, attach, then turn ring-buffer records into
 * attributed events until told to stop.
 *
 * The ring-buffer callback never blocks on slow I/O except once per new
 * container (its metadata, fetched when the kernel reports its cgroup, so
 * later events of even a 100 ms container carry its name and image).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/agent.h"
#include "learn/cap_baseline.h"
#include "container/container.h"
#include "bpf/decode.h"
#include "output/format.h"
#include "output/jsonw.h"
#include "bpf/kstats.h"
#include "util/log.h"
#include "util/names.h"
#include "proc/proc_cache.h"
#include "rules/rules.h"
#include "seccomp/syscall_set.h"
#include "vigil.skel.h"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

struct agent {
	const struct agent_opts *opts;
	struct loader ld;
	struct ring_buffer *rb;
	struct proc_cache *procs;
	struct ctr_registry *ctrs;
	struct cap_baselines *caps;	/* learned capability use per image */
	struct fmt_ctx fmt;
	struct jw jw;
	FILE *file_out;
	char *file_buf;		/* stdio buffers, freed after fclose */
	char *stdout_buf;
	char host[256];
	char text[16384];
	struct ruleset *rules;		/* immutable; replaced whole on reload */
	const char *rule_paths[AGENT_MAX_RULE_FILES];
	size_t n_rule_paths;
	char default_rules[4096];
	struct field_ctx fc;		/* per-event state for the rules, reused */
	uint64_t received;
	uint64_t malformed;
	uint64_t write_errors;
	uint64_t insecure;
	time_t next_summary;
};

#define FILE_FLUSH_MS 100
#define DRAIN_MS 10
#define OUT_BUF_BYTES (1 << 20)

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

static int64_t boot_to_real_ns(void)
{
	struct timespec real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (real.tv_sec - boot.tv_sec) * 1000000000LL + (real.tv_nsec - boot.tv_nsec);
}

/* Writes the JSON document in a->jw to stdout (in JSON mode) and to the file. */
static void emit_json(struct agent *a)
{
	if (a->jw.err) {
		a->write_errors++;
		return;
	}
	if (a->opts->mode == OUTPUT_JSON) {
		fwrite(a->jw.buf, 1, a->jw.len, stdout);
		if (putchar('\n') == EOF)
			a->write_errors++;
	}
	if (a->file_out) {
		fwrite(a->jw.buf, 1, a->jw.len, a->file_out);
		if (fputc('\n', a->file_out) == EOF)
			a->write_errors++;
	}
}

#define MAX_MATCHES 16

/* A connect (syscall or io_uring) adds its destination to the container's window. */
static void track_connect(struct agent *a, const struct event_view *ev)
{
	const struct vigil_hdr *h = ev->rec;
	const struct vigil_sock *s = NULL;
	uint64_t key = 1469598103934665603ULL;
	size_t i;

	if (!ev->ctr)
		return;
	if (h->type == VIGIL_EV_SYSCALL && !strcmp(field_evt_type(ev), "connect"))
		s = &((const struct vigil_syscall_event *)ev->rec)->sock;
	else if (h->type == VIGIL_EV_URING && !strcmp(field_evt_type(ev), "connect"))
		s = &((const struct vigil_uring_event *)ev->rec)->sock;
	if (!s || (s->family != 2 && s->family != 10))
		return;
	/* FNV-1a over address and port */
	for (i = 0; i < sizeof(s->raddr); i++)
		key = (key ^ s->raddr[i]) * 1099511628211ULL;
	key = (key ^ s->rport) * 1099511628211ULL;
	ctr_targets_add(&((struct ctr_info *)ev->ctr)->targets, key, h->ts_ns);
}

/* Judges the event by the rules, then writes it with its verdict. */
static void emit_event(struct agent *a, const struct event_view *ev)
{
	const struct vigil_hdr *h = ev->rec;
	const struct rule *m[MAX_MATCHES];
	size_t n = 0, used, i;
	/* profile violations carry their verdict from the kernel */
	bool judged = a->rules && h->type != VIGIL_EV_PROFILE;

	track_connect(a, ev);
	if (judged) {
		field_ctx_reset(&a->fc, ev, a->received);
		n = ruleset_eval(a->rules, &a->fc, m, MAX_MATCHES);
	}
	if (n || h->type == VIGIL_EV_PROFILE)
		a->insecure++;
	if (a->opts->alerts_only && !n && h->type != VIGIL_EV_PROFILE)
		return;
	if (a->opts->mode == OUTPUT_TEXT) {
		char verdict[1024];

		used = 0;
		if (h->type == VIGIL_EV_PROFILE) {
			snprintf(verdict, sizeof(verdict), "[INSECURE] Unsafe:[syscall outside profile: %s]",
				 ev->ctr && ev->ctr->profile ? ev->ctr->profile : "?");
		} else if (judged && n) {
			used = snprintf(verdict, sizeof(verdict), "[INSECURE] Unsafe:");
			for (i = 0; i < n && used < sizeof(verdict); i++)
				used += snprintf(verdict + used, sizeof(verdict) - used, "%s[%s]", i ? ", " : "",
						 rule_reason(m[i]));
		} else {
			snprintf(verdict, sizeof(verdict), "[NORMAL]");
		}
		event_text(a->text, sizeof(a->text), &a->fmt, ev, judged || h->type == VIGIL_EV_PROFILE ? verdict : NULL);
		puts(a->text);
		if (!a->file_out)
			return;
	}
	event_json_open(&a->jw, &a->fmt, ev);
	if (judged)
		rules_verdict_json(&a->jw, m, n, &a->fc);
	jw_obj_close(&a->jw);
	emit_json(a);
}

/* The shipped policy: next to the binary (build/vigil -> rules/), or installed. */
static const char *default_rules_path(struct agent *a)
{
	char exe[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	static const char *const installed[] = { "/etc/vigil/vigil_rules.yaml",
						 "/usr/share/vigil/vigil_rules.yaml", NULL };
	int i;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			if (snprintf(a->default_rules, sizeof(a->default_rules), "%.4000s/../rules/vigil_rules.yaml",
				     exe) < (int)sizeof(a->default_rules) && !access(a->default_rules, R_OK))
				return a->default_rules;
		}
	}
	for (i = 0; installed[i]; i++)
		if (!access(installed[i], R_OK))
			return installed[i];
	return NULL;
}

/* Loads the rule files; diagnostics to stderr.  NULL if they do not load. */
static struct ruleset *load_rules(struct agent *a)
{
	struct rules_diags d = { 0 };
	struct ruleset *rs = rules_load(a->rule_paths, a->n_rule_paths, &d);

	rules_diags_print(&d, stderr);
	if (rs)
		fprintf(stderr, "vigil: rules: %zu loaded, %zu skipped (unsupported fields), %zu warning(s)\n",
			ruleset_rule_count(rs), ruleset_skipped_count(rs), d.warnings);
	else
		fprintf(stderr, "vigil: rules: %zu error(s): not loaded\n", d.errors);
	rules_diags_free(&d);
	return rs;
}

struct interest {
	const char *types[512];	/* evt.type names the rules test */
	size_t n;
	bool all;
};

static bool sys_wanted(const char *sys, void *arg)
{
	const struct interest *in = arg;
	size_t i;

	if (in->all)
		return true;
	for (i = 0; i < in->n; i++)
		if (!strcmp(in->types[i], sys))
			return true;
	return false;
}

/*
 * Which syscall events the kernel sends.  Every one when every event is
 * printed; with --alerts-only only those of the types the rules test,
 * derived from their evt.type conditions (a rule without one needs all).
 */
static int apply_interest(struct agent *a)
{
	struct interest in = { .all = true };
	size_t i;
	int err;

	if (a->opts->alerts_only && a->rules) {
		in.all = false;
		in.n = ruleset_event_types(a->rules, in.types, sizeof(in.types) / sizeof(in.types[0]));
		for (i = 0; i < in.n; i++)
			if (!strcmp(in.types[i], "*"))
				in.all = true;
	}
	err = loader_set_interest(&a->ld, sys_wanted, &in);
	if (!err)
		fprintf(stderr, "vigil: syscall events: %d syscalls (%s), %d not on this kernel\n",
			a->ld.n_sys_links, in.all ? "all reported" : "those the rules test",
			a->ld.n_sys_missing);
	return err;
}

/* SIGHUP: a new set replaces the old only if it loads; events keep flowing. */
static void reload_rules(struct agent *a)
{
	struct ruleset *rs;

	if (!a->n_rule_paths)
		return;
	rs = load_rules(a);
	if (!rs) {
		log_warnx("rules reload failed: keeping the rules in use");
		return;
	}
	ruleset_free(a->rules);
	a->rules = rs;
	if (apply_interest(a))
		log_warnx("syscall events for the new rules could not all be attached");
}

/* What the runtime was asked for (container_start). */
static void json_ctr_config(struct jw *w, const struct ctr_info *c)
{
	size_t i;

	if (c->privileged == CTR_UNKNOWN)
		return;	/* no OCI config found */
	jw_obj_open(w, "config");
	jw_bool(w, "privileged", c->privileged == CTR_YES);
	jw_bool(w, "host_network", c->host_network == CTR_YES);
	jw_bool(w, "host_pid", c->host_pid == CTR_YES);
	jw_bool(w, "host_ipc", c->host_ipc == CTR_YES);
	caps_json(w, "cap_bounding", c->cap_bounding);
	jw_arr_open(w, "bind_mounts");
	for (i = 0; i < c->n_mounts; i++) {
		jw_obj_open(w, NULL);
		jw_str(w, "source", c->mounts[i].source);
		jw_str(w, "dest", c->mounts[i].dest);
		jw_bool(w, "rw", c->mounts[i].rw);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

/* Capabilities the container's program was granted or refused (exit, summary). */
static void caps_used_json(struct agent *a, const struct ctr_info *c)
{
	struct vigil_cap_use use;

	if (!a->ld.capabilities)
		return;
	if (bpf_map_lookup_elem(bpf_map__fd(a->ld.skel->maps.ctr_caps), &c->cgroup_id, &use))
		memset(&use, 0, sizeof(use));
	jw_obj_open(&a->jw, "capabilities");
	caps_json(&a->jw, "granted", use.granted);
	caps_json(&a->jw, "denied", use.denied);
	caps_json(&a->jw, "baseline", cap_baseline_of(a->caps, c));
	jw_obj_close(&a->jw);
}

/* An agent-made event about a container (start, exit, summary). */
static void container_event(struct agent *a, const char *type, const struct ctr_info *c,
			    bool with_counts)
{
	uint64_t counts[VIGIL_NR_SYSCALLS], setup[VIGIL_NR_SYSCALLS], total;
	struct timespec now;
	char ts[48];

	if (a->opts->alerts_only)
		return;	/* lifecycle and summaries are not alerts */
	clock_gettime(CLOCK_REALTIME, &now);
	time_rfc3339(now.tv_sec * 1000000000LL + now.tv_nsec, ts, sizeof(ts));
	jw_reset(&a->jw);
	jw_obj_open(&a->jw, NULL);
	jw_str(&a->jw, "time", ts);
	jw_str(&a->jw, "type", type);
	jw_str(&a->jw, "host", a->host);
	json_container(&a->jw, c);
	if (!with_counts)
		json_ctr_config(&a->jw, c);
	else
		caps_used_json(a, c);
	if (with_counts &&
	    !syscall_counts_read(bpf_map__fd(a->ld.skel->maps.syscall_counts), c->cgroup_id, counts, setup)) {
		/* the program's syscalls; the runtime's set-up apart */
		total = syscall_counts_json(&a->jw, "syscalls", counts);
		jw_uint(&a->jw, "syscalls_total", total);
		total = syscall_counts_json(&a->jw, "setup_syscalls", setup);
		jw_uint(&a->jw, "setup_syscalls_total", total);
	}
	jw_obj_close(&a->jw);
	if (a->opts->mode == OUTPUT_TEXT)
		printf("%s %-8s container=%s(%.12s) image=%s\n", ts, type, c->name ? c->name : "?",
		       c->id, c->image ? c->image : "?");
	emit_json(a);
}

/*
 * A container given a profile (--profile NAME=FILE, or its label
 * vigil.profile=FILE) has its syscalls checked in the kernel.  armed: check
 * at once (a container already running); otherwise from its first exec.
 */
static void attach_profile(struct agent *a, struct ctr_info *c, bool armed)
{
	struct vigil_profile_bits bits = { .armed = armed };
	struct syscall_set set = { 0 };
	const char *path = c->profile_label;
	char err[512];
	unsigned int i;
	int unknown;

	for (i = 0; i < a->opts->n_profiles; i++)
		if (c->name && !strcmp(a->opts->profiles[i].container, c->name))
			path = a->opts->profiles[i].path;
	if (!path || c->profile)
		return;
	if (profile_read(path, &set, &unknown, err, sizeof(err))) {
		log_warnx("container %s: profile not applied: %s", c->name ? c->name : c->id, err);
		return;
	}
	memcpy(bits.allow, set.bits, sizeof(bits.allow));
	if (bpf_map_update_elem(bpf_map__fd(a->ld.skel->maps.ctr_profiles), &c->cgroup_id, &bits, BPF_ANY)) {
		log_warn("container %s: profile not applied", c->name ? c->name : c->id);
		return;
	}
	c->profile = strdup(path);
	c->profile_armed = armed;
	a->ld.skel->bss->profiles_active = 1;	/* sys_enter checks profiles from now on */
	log_info("container %s: checked against profile %s (%d syscalls)", c->name ? c->name : c->id,
		 path, sset_count(&set));
}

/*
 * The kernel arms a profile at the container's first exec from its root
 * filesystem; if that exec came before the agent attached the profile, arm
 * it here (events arrive in order, so this exec is seen after the attach).
 */
static void arm_profile(struct agent *a, struct ctr_info *c, const struct vigil_exec_event *e)
{
	struct vigil_profile_bits bits;
	int fd = bpf_map__fd(a->ld.skel->maps.ctr_profiles);

	if (!c || !c->profile || c->profile_armed || !(e->exe.flags & VIGIL_FILE_ROOT_MNT))
		return;
	if (!bpf_map_lookup_elem(fd, &c->cgroup_id, &bits) && !bits.armed) {
		bits.armed = 1;
		bpf_map_update_elem(fd, &c->cgroup_id, &bits, BPF_EXIST);
	}
	c->profile_armed = 1;
}

static void on_cgroup(struct agent *a, const struct vigil_cgroup_event *e)
{
	struct sv path = rec_sv(e, e->path);
	char p[VIGIL_PATH_MAX + 1];
	struct ctr_info *c;

	if (e->id != e->ctr_id)
		return;	/* a cgroup nested in a container: same container */
	snprintf(p, sizeof(p), "%.*s", (int)path.len, path.p ? path.p : "");
	if (e->kind == VIGIL_CGROUP_MKDIR) {
		c = ctr_add(a->ctrs, e->id, p);
		if (c) {
			c->learn_from_ns = e->hdr.ts_ns;
			attach_profile(a, c, false);
			container_event(a, "container_start", c, false);
		}
		return;
	}
	c = ctr_lookup(a->ctrs, e->id);
	if (c) {
		container_event(a, "container_exit", c, true);
		ctr_mark_exited(a->ctrs, e->id);
	}
	bpf_map_delete_elem(bpf_map__fd(a->ld.skel->maps.syscall_counts), &e->id);
	bpf_map_delete_elem(bpf_map__fd(a->ld.skel->maps.ctr_profiles), &e->id);
	bpf_map_delete_elem(bpf_map__fd(a->ld.skel->maps.ctr_caps), &e->id);
}

/* A container the kernel knows but the agent missed: ask /proc. */
static struct ctr_info *ctr_from_proc(struct agent *a, const struct vigil_hdr *h)
{
	char path[64], line[4096];
	struct ctr_info *c = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", h->proc.pid);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	while (!c && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "0::", 3))
			c = ctr_add(a->ctrs, h->proc.ctr_cgroup_id, line + 3);
	}
	fclose(f);
	return c;
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;
	const struct vigil_hdr *h = data;
	struct event_view ev = { .rec = data };
	bool show = true;

	a->received++;
	if (record_check(data, size)) {
		a->malformed++;
		return 0;
	}
	switch (h->type) {
	case VIGIL_EV_CGROUP:
		on_cgroup(a, data);
		return 0;
	case VIGIL_EV_EXEC: {
		const struct vigil_exec_event *e = data;
		struct sv exe = rec_sv(e, e->exe.path), argv = rec_sv(e, e->argv), cwd = rec_sv(e, e->cwd);

		proc_cache_exec(a->procs, h->proc.pid, h->proc.ppid, h->proc.comm, exe.p, exe.len,
				argv.p, argv.len, e->flags & VIGIL_EXEC_ARGV_TRUNC, cwd.p, cwd.len);
		proc_cache_set_exe_flags(a->procs, h->proc.pid, e->exe.flags);
		break;
	}
	case VIGIL_EV_FORK:
		proc_cache_fork(a->procs, h->proc.pid, h->proc.ppid, h->proc.comm);
		show = a->opts->proc_events;
		break;
	case VIGIL_EV_EXIT:
		show = a->opts->proc_events;
		break;
	}
	if (h->proc.ctr_cgroup_id) {
		ev.ctr = ctr_lookup(a->ctrs, h->proc.ctr_cgroup_id);
		if (!ev.ctr && show)
			ev.ctr = ctr_from_proc(a, h);
	}
	if (h->type == VIGIL_EV_EXEC)
		arm_profile(a, (struct ctr_info *)ev.ctr, data);
	if (h->type == VIGIL_EV_CAPABLE && ev.ctr) {
		struct cap_judgement j = cap_baseline_judge(a->caps, (struct ctr_info *)ev.ctr,
							    ((const struct vigil_capable_event *)data)->cap,
							    h->ts_ns);

		ev.cap_learning = j.learning;
		ev.cap_in_baseline = j.in_baseline;
	}
	if (show) {
		ev.proc = proc_cache_get(a->procs, h->proc.pid);
		emit_event(a, &ev);
	}
	if (h->type == VIGIL_EV_EXIT)
		proc_cache_exit(a->procs, h->proc.pid);
	return 0;
}

static int scan_cb(void *arg, const char *path, uint64_t cgid, uint64_t top)
{
	struct agent *a = arg;
	/* already running: past the runtime's set-up */
	struct vigil_ctr_cgroup val = { .ctr_cgroup_id = top,
					.flags = cgid == top ? VIGIL_CTR_PROGRAM : VIGIL_CTR_NESTED };
	struct vigil_syscall_counts *zero;
	struct ctr_info *c;
	int ncpu = libbpf_num_possible_cpus(), dfd;

	bpf_map_update_elem(bpf_map__fd(a->ld.skel->maps.ctr_cgroups), &cgid, &val, BPF_ANY);
	/* the mark on the cgroup itself, keyed by an fd of its directory */
	dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || bpf_map_update_elem(bpf_map__fd(a->ld.skel->maps.ctr_marks), &dfd, &val, BPF_ANY))
		log_warn("%s: cgroup mark (its syscalls are not counted)", path);
	if (dfd >= 0)
		close(dfd);
	if (cgid != top || ncpu <= 0)
		return 0;
	/* already running: its program runs, so a profile applies at once */
	if ((c = ctr_lookup(a->ctrs, top))) {
		struct timespec now;

		attach_profile(a, c, true);
		/* learning starts now: its start was not seen */
		clock_gettime(CLOCK_BOOTTIME, &now);
		c->learn_from_ns = now.tv_sec * 1000000000ULL + now.tv_nsec;
	}
	zero = calloc(ncpu, sizeof(*zero));
	if (zero) {
		bpf_map_update_elem(bpf_map__fd(a->ld.skel->maps.syscall_counts), &cgid, zero, BPF_NOEXIST);
		free(zero);
	}
	return 0;
}

static void summaries(struct agent *a)
{
	/* the registry has no iterator: walk the kernel's container table */
	int fd = bpf_map__fd(a->ld.skel->maps.syscall_counts);
	uint64_t key, next, *prev = NULL;
	struct ctr_info *c;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		c = ctr_lookup(a->ctrs, key);
		if (c && !c->exited)
			container_event(a, "summary", c, true);
	}
}

static void final_stats(struct agent *a)
{
	uint64_t k[VIGIL_STAT_MAX];
	struct rusage ru;
	unsigned int i;

	if (kstats_read(bpf_map__fd(a->ld.skel->maps.stats), k))
		memset(k, 0, sizeof(k));
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "vigil: stats: received=%llu malformed=%llu write_errors=%llu insecure=%llu",
		(unsigned long long)a->received, (unsigned long long)a->malformed,
		(unsigned long long)a->write_errors, (unsigned long long)a->insecure);
	for (i = 0; i < VIGIL_STAT_MAX; i++)
		fprintf(stderr, " %s=%llu", kstat_name(i), (unsigned long long)k[i]);
	fprintf(stderr, " processes=%zu max_rss_kb=%ld cpu_s=%.2f\n", proc_cache_count(a->procs),
		ru.ru_maxrss, ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
}

int agent_run(const struct agent_opts *o)
{
	struct ctr_registry_config rc = { .docker_socket = o->docker_socket };
	struct agent a = { .opts = o };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *cgroot;
	time_t deadline = o->duration ? time(NULL) + o->duration : 0;
	uint64_t last_file_flush = 0;
	int err, status = 1, n;

	jw_init(&a.jw);
	gethostname(a.host, sizeof(a.host) - 1);
	a.fmt.host = a.host;
	a.fmt.boot_to_real_ns = boot_to_real_ns();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (o->output_file && !(a.file_out = fopen(o->output_file, "ae"))) {
		log_warn("%s", o->output_file);
		goto out;
	}
	/*
	 * Few, large writes to the file: for an append into a page-cache folio
	 * that is not up to date the kernel zeroes the rest of the folio, and
	 * with large folios many small appends cost half the agent's time at
	 * 150k events/s.  The file is flushed every FILE_FLUSH_MS instead.
	 */
	/* glibc ignores the size unless given the buffer */
	a.file_buf = malloc(OUT_BUF_BYTES);
	a.stdout_buf = malloc(OUT_BUF_BYTES);
	if (a.file_out && a.file_buf)
		setvbuf(a.file_out, a.file_buf, _IOFBF, OUT_BUF_BYTES);
	if (a.stdout_buf)
		setvbuf(stdout, a.stdout_buf, _IOFBF, OUT_BUF_BYTES);
	if (!o->no_rules) {
		unsigned int i;

		for (i = 0; i < o->n_rules; i++)
			a.rule_paths[a.n_rule_paths++] = o->rules[i];
		if (!a.n_rule_paths) {
			const char *def = default_rules_path(&a);

			if (def)
				a.rule_paths[a.n_rule_paths++] = def;
			else
				log_warnx("no rules file found (rules/vigil_rules.yaml); every event will be NORMAL");
		}
		/* a broken rules file stops the start, it does not degrade to no rules */
		if (a.n_rule_paths && !(a.rules = load_rules(&a)))
			goto out;
	}
	a.fc.procs = NULL;
	a.procs = proc_cache_new();
	a.ctrs = ctr_registry_new(&rc);
	a.caps = cap_baselines_new((uint64_t)o->learn_seconds * 1000000000ULL);
	a.fc.procs = a.procs;
	if (!a.procs || !a.ctrs || !a.caps) {
		log_warn("start-up");
		goto out;
	}
	if ((err = loader_load(&a.ld, &o->bpf)))
		goto out;
	a.rb = ring_buffer__new(bpf_map__fd(a.ld.skel->maps.events), on_record, &a, NULL);
	if (!a.rb) {
		log_warn("ring buffer");
		goto out;
	}
	if ((err = loader_attach(&a.ld)) || (err = apply_interest(&a)))
		goto out;
	n = proc_cache_seed(a.procs, "/proc");
	cgroot = cgroup2_root();
	if (!cgroot)
		log_warnx("no cgroup v2 hierarchy mounted: containers cannot be told apart");
	else
		n = ctr_scan(a.ctrs, cgroot, scan_cb, &a);
	fprintf(stderr, "vigil: %s\n", a.ld.hooks);
	fprintf(stderr, "vigil: watching %s; %d container cgroup(s) found at start; cgroup v2 at %s\n",
		o->bpf.watch_host ? "containers and host" : "containers", n, cgroot ? cgroot : "-");

	a.next_summary = o->summary_interval ? time(NULL) + o->summary_interval : 0;
	while (!stop_requested) {
		/*
		 * The kernel side wakes us only when the ring fills up (see
		 * rec_send()), so drain it on a short timer as well.
		 */
		err = ring_buffer__poll(a.rb, DRAIN_MS);
		if (err >= 0)
			err = ring_buffer__consume(a.rb);
		if (err < 0 && err != -EINTR) {
			log_warnx("ring buffer: %s", strerror(-err));
			break;
		}
		fflush(stdout);
		if (a.file_out && mono_ms() - last_file_flush >= FILE_FLUSH_MS) {
			fflush(a.file_out);
			last_file_flush = mono_ms();
		}
		if (a.next_summary && time(NULL) >= a.next_summary) {
			summaries(&a);
			a.next_summary = time(NULL) + o->summary_interval;
		}
		if (deadline && time(NULL) >= deadline)
			break;
		if (reload_requested) {
			reload_requested = 0;
			reload_rules(&a);
		}
	}
	/* stop producing, then drain what is already in the ring */
	loader_detach(&a.ld);
	ring_buffer__consume(a.rb);
	summaries(&a);
	fflush(stdout);
	if (a.file_out)
		fflush(a.file_out);
	final_stats(&a);
	status = 0;
out:
	ring_buffer__free(a.rb);
	if (a.ld.skel)
		loader_close(&a.ld);
	ctr_registry_free(a.ctrs);
	cap_baselines_free(a.caps);
	proc_cache_free(a.procs);
	ruleset_free(a.rules);
	if (a.file_out)
		fclose(a.file_out);
	fflush(stdout);
	setvbuf(stdout, NULL, _IOLBF, 0);	/* before its buffer is freed */
	free(a.stdout_buf);
	free(a.file_buf);
	jw_free(&a.jw);
	return status;
}
