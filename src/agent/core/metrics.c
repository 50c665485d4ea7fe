/*
 * metrics.c - the Prometheus page (see metrics.h; the names and their
 * labels are listed in docs/metrics.md, and deploy/grafana/vigil.json is
 * built on them).
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "bpf/kstats.h"
#include "bpf/maps.h"
#include "bpf/syscalls.h"
#include "core/agent.h"
#include "core/metrics.h"
#include "output/httpd.h"
#include "output/tpm.h"
#include "util/log.h"
#include "util/version.h"

#define PUBLISH_MS 1000


/* The ring's consumer and producer positions: two read-only pages of the map. */
static void ring_map(struct agent_metrics *m, int fd)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	m->rb_cons = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	m->rb_prod = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
	if (m->rb_cons == MAP_FAILED || m->rb_prod == MAP_FAILED) {
		log_debug("ring buffer positions: %s (no fill gauge)", strerror(errno));
		if (m->rb_cons != MAP_FAILED)
			munmap(m->rb_cons, page);
		if (m->rb_prod != MAP_FAILED)
			munmap(m->rb_prod, page);
		m->rb_cons = m->rb_prod = NULL;
		return;
	}
	m->rb_size = info.max_entries;
}

/*
 * POST /attest {"nonce":"<hex, 16 to 64 bytes>"}: the TPM's quote over it
 * and the chain heads (output/attest.h), on the listener's thread.
 */
#define ATTEST_PER_S 5
static uint64_t attest_window_ms;
static unsigned int attest_in_window;

static char *attest_post(void *arg, const char *body, size_t len, unsigned int *status)
{
	json_t *j = json_loadb(body, len, 0, NULL);
	const char *nonce = json_string_value(json_object_get(j, "nonce"));
	char err[256], *out;
	size_t n = nonce ? strlen(nonce) : 0;

	if (!nonce || n < 32 || n > 128 || n % 2 || strspn(nonce, "0123456789abcdef") != n) {
		json_decref(j);
		*status = 400;
		return strdup("{\"error\":\"the body must be {\\\"nonce\\\":\\\"<hex of 16 to 64 random bytes, lower case>\\\"}\"}");
	}
	/* each answer is a TPM quote: a flood of them must not starve the anchors (one server thread: no lock) */
	if (agent_now_ms() - attest_window_ms >= 1000) {
		attest_window_ms = agent_now_ms();
		attest_in_window = 0;
	}
	if (++attest_in_window > ATTEST_PER_S) {
		json_decref(j);
		*status = 429;
		return strdup("{\"error\":\"too many attestations this second\"}");
	}
	out = tpm_attest(arg, nonce, err, sizeof(err));
	json_decref(j);
	if (out)
		return out;
	*status = 503;
	j = json_pack("{s:s}", "error", err);
	out = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	return out;
}

int metrics_start(struct agent *a)
{
	struct agent_metrics *m = &a->metrics;
	char err[160];

	m->on = true;
	m->stats_fd = -1;
	m->top = a->opts->metrics_top;
	m->start_time = (double)time(NULL);
	prom_init(&m->page);
	ring_map(m, kmaps_events_fd(&a->ld));
	if (a->opts->bpf_stats) {
		m->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (m->stats_fd < 0)
			log_warnx("--bpf-stats: %s (programs' run time not counted)", strerror(errno));
	}
	m->http = httpd_start(a->opts->metrics, err, sizeof(err));
	if (!m->http) {
		log_warnx("--metrics: %s", err);
		return -EADDRNOTAVAIL;
	}
	if (a->tpm)
		httpd_on_post(m->http, "/attest", attest_post, a->tpm);
	metrics_tick(a, agent_now_ms());
	return 0;
}

void metrics_stop(struct agent *a)
{
	struct agent_metrics *m = &a->metrics;
	long page = sysconf(_SC_PAGESIZE);

	if (!m->on)
		return;
	httpd_stop(m->http);
	if (m->rb_cons)
		munmap(m->rb_cons, page);
	if (m->rb_prod)
		munmap(m->rb_prod, page);
	if (m->stats_fd >= 0)
		close(m->stats_fd);
	prom_free(&m->page);
	memset(m, 0, sizeof(*m));
}

static void count_type(struct agent_metrics *m, const char *type)
{
	size_t i = ((uintptr_t)type >> 3) % METRICS_TYPES, k;

	for (k = 0; k < METRICS_TYPES; k++, i = (i + 1) % METRICS_TYPES) {
		if (m->types[i].type == type) {
			m->types[i].n++;
			return;
		}
		if (!m->types[i].type) {
			m->types[i].type = type;
			m->types[i].n = 1;
			return;
		}
	}
	m->types_other++;
}

static void count_rule(struct agent_metrics *m, const char *rule, const char *priority)
{
	unsigned int i;

	for (i = 0; i < m->n_rules; i++) {
		if (m->rules[i].priority == priority && !strcmp(m->rules[i].rule, rule)) {
			m->rules[i].n++;
			return;
		}
	}
	if (m->n_rules == METRICS_RULES) {
		m->rules_other++;	/* rule="other", priority="any" */
		return;
	}
	snprintf(m->rules[i].rule, sizeof(m->rules[i].rule), "%s", rule);
	m->rules[i].priority = priority;
	m->rules[i].n = 1;
	m->n_rules++;
}

void metrics_event(struct agent *a, const struct event_view *ev, const struct verdict *v)
{
	struct agent_metrics *m = &a->metrics;
	const struct vigil_hdr *h = ev->rec;
	struct ctr_info *c;
	size_t i;

	if (!m->on)
		return;
	count_type(m, event_type_name(ev->rec));
	/* per container, for vigil top (the view holds it const) */
	if (ev->ctr && (c = ctr_lookup(a->ctrs, ev->ctr->cgroup_id))) {
		c->events++;
		c->alerts += v->insecure;
	}
	if (!v->insecure)
		return;
	for (i = 0; i < v->n; i++)
		count_rule(m, rule_name(v->m[i]), priority_name(rule_priority(v->m[i])));
	/* as the webhook, syslog and the status page name them */
	if (!v->n)
		count_rule(m, h->type == VIGIL_EV_PROFILE ? "Syscall outside profile" : "Kernel policy", "WARNING");
}

/* ---- the page ---- */

static void counter1(struct prom *p, const char *name, const char *help, uint64_t v)
{
	prom_family(p, name, "counter", help);
	prom_sample_u64(p, name, NULL, v);
}

static void gauge1(struct prom *p, const char *name, const char *help, double v)
{
	prom_family(p, name, "gauge", help);
	prom_sample(p, name, NULL, v);
}

struct prog_arg {
	struct prom *p;
	bool time;
};

static int prog_cb(void *arg, const char *name, uint64_t runs, uint64_t run_ns)
{
	struct prog_arg *pa = arg;
	const char *l[] = { "program", name, NULL };

	if (pa->time)
		prom_sample(pa->p, "vigil_bpf_program_run_seconds_total", l, run_ns / 1e9);
	else
		prom_sample_u64(pa->p, "vigil_bpf_program_runs_total", l, runs);
	return 0;
}

struct ctr_total {
	uint64_t cgid;
	uint64_t total;
};

struct counts_arg {
	struct agent *a;
	struct ctr_total *t;
	size_t n, cap;
	uint64_t *prog, *setup;
};

static int total_cb(void *arg, uint64_t cgid)
{
	struct counts_arg *ca = arg;
	uint64_t sum = 0;
	int i;

	if (ca->n == ca->cap)
		return 1;
	if (kmaps_counts_read(&ca->a->ld, cgid, ca->prog, ca->setup))
		return 0;
	for (i = 0; i < VIGIL_NR_SYSCALLS; i++)
		sum += ca->prog[i] + ca->setup[i];
	ca->t[ca->n].cgid = cgid;
	ca->t[ca->n++].total = sum;
	return 0;
}

static int by_total(const void *x, const void *y)
{
	const struct ctr_total *a = x, *b = y;

	return a->total < b->total ? 1 : a->total > b->total ? -1 : 0;
}

/*
 * vigil_container_syscalls_total{container,container_id,syscall}: the
 * runtime's set-up and the program's together; per container its top
 * syscalls and "other" for the rest, for the busiest METRICS_CONTAINERS.
 * At most METRICS_CONTAINERS * (top + 1) series, whatever the workload.
 */
static void container_syscalls(struct agent *a, struct prom *p)
{
	struct counts_arg ca = { .a = a, .cap = 4096 };
	uint64_t sums[VIGIL_NR_SYSCALLS];
	unsigned int top = a->metrics.top;
	size_t i, k;

	prom_family(p, "vigil_container_syscalls_total", "counter",
		    "Syscalls a container made, by name: its busiest ones, the rest as syscall=\"other\"");
	ca.t = calloc(ca.cap, sizeof(*ca.t));
	ca.prog = malloc(sizeof(uint64_t) * VIGIL_NR_SYSCALLS);
	ca.setup = malloc(sizeof(uint64_t) * VIGIL_NR_SYSCALLS);
	if (!ca.t || !ca.prog || !ca.setup)
		goto out;
	kmaps_counts_each(&a->ld, total_cb, &ca);
	qsort(ca.t, ca.n, sizeof(*ca.t), by_total);
	for (i = 0; i < ca.n && i < METRICS_CONTAINERS; i++) {
		struct ctr_info *c = ctr_lookup(a->ctrs, ca.t[i].cgid);
		char id[16], cg[32];
		const char *name;
		uint64_t shown = 0;
		int j;

		if (!ca.t[i].total || kmaps_counts_read(&a->ld, ca.t[i].cgid, ca.prog, ca.setup))
			continue;
		snprintf(cg, sizeof(cg), "cgroup:%llu", (unsigned long long)ca.t[i].cgid);
		snprintf(id, sizeof(id), "%.12s", c && c->id[0] ? c->id : "");
		name = c && c->name ? c->name : id[0] ? id : cg;
		for (j = 0; j < VIGIL_NR_SYSCALLS; j++)
			sums[j] = ca.prog[j] + ca.setup[j];
		for (k = 0; k < top; k++) {
			int best = -1;

			for (j = 0; j < VIGIL_NR_SYSCALLS; j++)
				if (sums[j] && (best < 0 || sums[j] > sums[best]))
					best = j;
			if (best < 0)
				break;
			{
				const char *l[] = { "container", name, "container_id", id, "syscall", sys_name(best), NULL };

				prom_sample_u64(p, "vigil_container_syscalls_total", l, sums[best]);
			}
			shown += sums[best];
			sums[best] = 0;
		}
		{
			const char *l[] = { "container", name, "container_id", id, "syscall", "other", NULL };

			prom_sample_u64(p, "vigil_container_syscalls_total", l, ca.t[i].total - shown);
		}
	}
out:
	free(ca.t);
	free(ca.prog);
	free(ca.setup);
}

static int watched_cb(void *arg, struct ctr_info *c)
{
	if (!c->exited)
		(*(size_t *)arg)++;
	return 0;
}

static uint64_t rss_bytes(void)
{
	unsigned long size, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static int bpf_stats_sysctl(void)
{
	FILE *f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	int v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static struct forwarder *fwd_of(struct agent *a, int i)
{
	return i ? a->syslog : a->webhook;
}

/* Alerts the webhook's or syslog's queue could not take (or held at shutdown). */
static void fwd_dropped(struct agent *a, struct prom *p)
{
	struct fwd_stats st;
	char reason[32];
	int i;

	for (i = 0; i < 2; i++) {
		const char *l[] = { "reason", reason, NULL };

		if (!fwd_of(a, i))
			continue;
		fwd_stats(fwd_of(a, i), &st);
		snprintf(reason, sizeof(reason), "%s_queue_full", fwd_name(fwd_of(a, i)));
		prom_sample_u64(p, "vigil_events_dropped_total", l, st.dropped);
	}
}

static void fwd_metrics(struct agent *a, struct prom *p)
{
	static const struct { const char *name, *type, *help; } fam[] = {
		{ "vigil_alerts_forwarded_total", "counter", "Alerts delivered to the webhook or syslog" },
		{ "vigil_alerts_forward_retries_total", "counter", "Failed attempts to deliver, tried again" },
		{ "vigil_alerts_rejected_total", "counter", "Alerts the receiver refused (HTTP 4xx), not sent again" },
		{ "vigil_alerts_queued", "gauge", "Alerts waiting to be delivered" },
		{ "vigil_alerts_forward_up", "gauge", "1 while the last delivery attempt worked" },
	};
	struct fwd_stats st[2];
	size_t f;
	int i;

	if (!a->webhook && !a->syslog)
		return;
	for (i = 0; i < 2; i++)
		if (fwd_of(a, i))
			fwd_stats(fwd_of(a, i), &st[i]);
	for (f = 0; f < sizeof(fam) / sizeof(fam[0]); f++) {
		prom_family(p, fam[f].name, fam[f].type, fam[f].help);
		for (i = 0; i < 2; i++) {
			const char *l[] = { "output", fwd_of(a, i) ? fwd_name(fwd_of(a, i)) : "", NULL };
			uint64_t v[] = { st[i].sent, st[i].retries, st[i].rejected, st[i].queued, st[i].up };

			if (fwd_of(a, i))
				prom_sample_u64(p, fam[f].name, l, v[f]);
		}
	}
}

void metrics_render(struct agent *a, struct prom *p)
{
	struct agent_metrics *m = &a->metrics;
	uint64_t k[VIGIL_STAT_MAX], lines, ns;
	struct prog_arg pa = { .p = p };
	struct rusage ru;
	size_t watched = 0;
	unsigned int i;

	prom_reset(p);
	prom_family(p, "vigil_build_info", "gauge", "Always 1: the agent's version");
	{
		const char *l[] = { "version", VIGIL_VERSION, NULL };

		prom_sample(p, "vigil_build_info", l, 1);
	}
	prom_family(p, "vigil_events_total", "counter", "Events the pipeline handled, by type");
	for (i = 0; i < METRICS_TYPES; i++) {
		const char *l[] = { "type", m->types[i].type, NULL };

		if (m->types[i].type)
			prom_sample_u64(p, "vigil_events_total", l, m->types[i].n);
	}
	if (m->types_other) {
		const char *l[] = { "type", "other", NULL };

		prom_sample_u64(p, "vigil_events_total", l, m->types_other);
	}
	prom_family(p, "vigil_insecure_events_total", "counter", "INSECURE events, by rule and priority");
	for (i = 0; i < m->n_rules; i++) {
		const char *l[] = { "rule", m->rules[i].rule, "priority", m->rules[i].priority, NULL };

		prom_sample_u64(p, "vigil_insecure_events_total", l, m->rules[i].n);
	}
	if (m->rules_other) {
		const char *l[] = { "rule", "other", "priority", "any", NULL };

		prom_sample_u64(p, "vigil_insecure_events_total", l, m->rules_other);
	}
	/* losses: the kernel's, then the agent's own */
	if (kmaps_stats_read(&a->ld, k))
		memset(k, 0, sizeof(k));
	prom_family(p, "vigil_events_dropped_total", "counter", "Events lost, by reason");
	for (i = 0; i < VIGIL_STAT_MAX; i++) {
		const char *l[] = { "reason", kstat_name(i), NULL };

		if (kstat_is_loss(i))
			prom_sample_u64(p, "vigil_events_dropped_total", l, k[i]);
	}
	{
		const char *we[] = { "reason", "write_errors", NULL };
		const char *mf[] = { "reason", "malformed", NULL };
		const char *lr[] = { "reason", "lookups_refused", NULL };

		prom_sample_u64(p, "vigil_events_dropped_total", we, sinks_lost(&a->out));
		prom_sample_u64(p, "vigil_events_dropped_total", mf, a->malformed);
		prom_sample_u64(p, "vigil_events_dropped_total", lr, a->jobs_refused);
	}
	fwd_dropped(a, p);
	prom_family(p, "vigil_kernel_events_total", "counter",
		    "What the kernel side counted that is not a loss (truncations, repeats, policy matches)");
	for (i = 0; i < VIGIL_STAT_MAX; i++) {
		const char *l[] = { "counter", kstat_name(i), NULL };

		if (!kstat_is_loss(i))
			prom_sample_u64(p, "vigil_kernel_events_total", l, k[i]);
	}
	counter1(p, "vigil_records_received_total", "Ring-buffer records the agent read", a->received);
	if (m->rb_cons && m->rb_size) {
		uint64_t cons = __atomic_load_n((uint64_t *)m->rb_cons, __ATOMIC_ACQUIRE);
		uint64_t prod = __atomic_load_n((uint64_t *)m->rb_prod, __ATOMIC_ACQUIRE);

		gauge1(p, "vigil_ringbuf_size_bytes", "The ring buffer's size", (double)m->rb_size);
		gauge1(p, "vigil_ringbuf_used_bytes", "Bytes in the ring buffer not yet read",
		       (double)(prod >= cons ? prod - cons : 0));
	}
	gauge1(p, "vigil_bpf_stats_enabled", "1 while the kernel counts programs' runs and run time",
	       m->stats_fd >= 0 || bpf_stats_sysctl() ? 1 : 0);
	prom_family(p, "vigil_bpf_program_runs_total", "counter", "Runs of each BPF program (kernel bpf_stats)");
	kmaps_prog_each(&a->ld, prog_cb, &pa);
	pa.time = true;
	prom_family(p, "vigil_bpf_program_run_seconds_total", "counter",
		    "Time spent in each BPF program (kernel bpf_stats)");
	kmaps_prog_each(&a->ld, prog_cb, &pa);
	gauge1(p, "vigil_rules_loaded", "Rules compiled and in use", a->rules ? (double)ruleset_rule_count(a->rules) : 0);
	gauge1(p, "vigil_rules_skipped", "Rules of the loaded files that could not be used",
	       a->rules ? (double)ruleset_skipped_count(a->rules) : 0);
	prom_family(p, "vigil_rule_reloads_total", "counter", "Rule reloads (SIGHUP), by result");
	{
		const char *ok[] = { "result", "ok", NULL };
		const char *bad[] = { "result", "failed", NULL };

		prom_sample_u64(p, "vigil_rule_reloads_total", ok, m->reloads_ok);
		prom_sample_u64(p, "vigil_rule_reloads_total", bad, m->reloads_failed);
	}
	prom_family(p, "vigil_actions_total", "counter", "Rule actions (kill, deny), by result");
	{
		const char *d[] = { "result", "done", NULL };
		const char *w[] = { "result", "audit", NULL };
		const char *f[] = { "result", "failed", NULL };

		prom_sample_u64(p, "vigil_actions_total", d, a->acted);
		prom_sample_u64(p, "vigil_actions_total", w, a->would_act);
		prom_sample_u64(p, "vigil_actions_total", f, a->act_failed);
	}
	ctr_each(a->ctrs, watched_cb, &watched);
	gauge1(p, "vigil_containers_watched", "Containers running and watched", (double)watched);
	gauge1(p, "vigil_syscall_counting", "1 while the per-syscall counter is attached",
	       loader_counter_on(&a->ld) ? 1 : 0);
	getrusage(RUSAGE_SELF, &ru);
	prom_family(p, "process_cpu_seconds_total", "counter", "The agent's user and system CPU time");
	prom_sample(p, "process_cpu_seconds_total", NULL,
		    ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	gauge1(p, "process_resident_memory_bytes", "The agent's resident memory", (double)rss_bytes());
	gauge1(p, "process_start_time_seconds", "When the agent started, Unix time", m->start_time);
	fwd_metrics(a, p);
	if (sinks_seal_stats(&a->out, &lines, &ns)) {
		counter1(p, "vigil_log_sealed_total", "Log lines sealed into their file's chain", lines);
		prom_family(p, "vigil_log_seal_seconds_total", "counter",
			    "Time the agent spent sealing them and signing checkpoints (sampled)");
		prom_sample(p, "vigil_log_seal_seconds_total", NULL, (double)ns / 1e9);
	}
	if (a->tpm) {
		struct tpm_stats ts;

		tpm_stats(a->tpm, &ts);
		counter1(p, "vigil_tpm_anchors_total", "Log chain heads extended into the TPM's PCR and quoted", ts.anchors);
		prom_family(p, "vigil_tpm_anchor_seconds_total", "counter", "Time the TPM's commands took for those anchors");
		prom_sample(p, "vigil_tpm_anchor_seconds_total", NULL, (double)ts.anchor_ns / 1e9);
		counter1(p, "vigil_tpm_anchor_failures_total", "Anchors the TPM refused (retried at the next checkpoint)",
			 ts.failures);
		counter1(p, "vigil_tpm_attestations_total", "Answers to POST /attest", ts.attests);
	}
	container_syscalls(a, p);
}

void metrics_tick(struct agent *a, uint64_t now_ms)
{
	struct agent_metrics *m = &a->metrics;

	if (!m->on || now_ms < m->next_ms)
		return;
	m->next_ms = now_ms + PUBLISH_MS;
	metrics_render(a, &m->page);
	status_publish(a);
	if (!m->page.err)
		httpd_publish(m->http, "/metrics", "text/plain; version=0.0.4; charset=utf-8", m->page.buf, m->page.len);
}
