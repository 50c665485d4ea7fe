/*
 * emit.c - the emit stage: an event and its verdict, as JSON or text, to
 * the sinks; and the records the agent makes itself about containers
 * (container_start, container_exit, summary) and about itself (the final
 * stats line).
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bpf/kstats.h"
#include "bpf/maps.h"
#include "core/agent.h"
#include "core/park.h"
#include "learn/cap_baseline.h"
#include "output/format.h"
#include "rules/rules.h"
#include "util/names.h"

/* "killed at syscall entry by the kernel", "would kill ...", "kill failed (ESRCH) ..." */
static size_t action_text(const struct action_report *r, char *buf, size_t len)
{
	const char *verb = r->kind == RULE_DENY ? "denied" : "killed";

	if (!r->enforce)
		return snprintf(buf, len, " Action:[would %s %s: %s]", r->kind == RULE_DENY ? "deny" : "kill",
				r->when, r->rule);
	if (!r->done)
		return snprintf(buf, len, " Action:[%s failed %s (%s): %s]", r->kind == RULE_DENY ? "deny" : "kill",
				r->when, r->err ? errno_name(-r->err) : "?", r->rule);
	return snprintf(buf, len, " Action:[%s%s %s by the %s: %s]", r->refused ? "refused, " : "", verb, r->when,
			r->by, r->rule);
}

static void action_json(struct jw *w, const struct action_report *r)
{
	jw_obj_open(w, "action");
	jw_str(w, "kind", rule_action_name(r->kind));
	jw_str(w, "mode", r->enforce ? "enforce" : "audit");
	jw_str(w, "by", r->by);
	jw_str(w, "when", r->when);
	jw_str(w, "rule", r->rule);
	jw_bool(w, "done", r->done);
	if (r->refused)
		jw_bool(w, "refused", true);
	if (r->enforce && !r->done && r->err)
		jw_str(w, "error", errno_name(-r->err));
	jw_obj_close(w);
}

/* ---- alerts to the webhook and syslog ---- */

static void fwd_syslog(struct agent *a, enum rule_priority pri, const char *rule, const char *container,
		       const char *msgid, int64_t real_ns, const char *doc, size_t len)
{
	char ts[48];
	size_t need = len + 2048, n;

	if (need > a->sbuf_cap) {
		char *b = realloc(a->sbuf, need);

		if (!b) {
			fwd_count_drop(a->syslog);
			return;
		}
		a->sbuf = b;
		a->sbuf_cap = need;
	}
	time_rfc3339(real_ns, ts, sizeof(ts));
	n = syslog_format(a->sbuf, a->sbuf_cap, a->opts->syslog_facility, (int)pri, ts, a->host, (unsigned int)getpid(),
			  msgid, rule, priority_name(pri), container, doc);
	if (n)
		fwd_push(a->syslog, a->sbuf, n);
}

/* Falco's schema has no place for a verdict no rule made: its own alert, with the container. */
static void fwd_webhook_plain(struct agent *a, int64_t real_ns, const char *rule, enum rule_priority pri,
			      const char *output, const struct ctr_info *c)
{
	falco_alert_open(&a->fjw, real_ns, a->host, rule, pri, output);
	jw_arr_open(&a->fjw, "tags");
	jw_str(&a->fjw, NULL, "vigil");
	jw_arr_close(&a->fjw);
	jw_obj_open(&a->fjw, "output_fields");
	jw_int(&a->fjw, "evt.time", real_ns);
	if (c) {
		jw_str(&a->fjw, "container.id", c->id);
		if (c->name)
			jw_str(&a->fjw, "container.name", c->name);
	}
	jw_obj_close(&a->fjw);
	jw_obj_close(&a->fjw);
	if (!a->fjw.err)
		fwd_push(a->webhook, a->fjw.buf, a->fjw.len);
}

/* An INSECURE event: to the webhook (one alert per rule, Falco's schema) and to syslog (the event). */
static void forward(struct agent *a, const struct event_view *ev, const struct verdict *v)
{
	char plain[256];
	const struct ctr_info *c = ev->ctr;
	int64_t t = fmt_real_ns(&a->fmt, ((const struct vigil_hdr *)ev->rec)->ts_ns);
	enum rule_priority top = v->n ? PRI_DEBUG : PRI_WARNING;
	const char *rule = v->n ? rule_name(v->m[0]) : ((const struct vigil_hdr *)ev->rec)->type == VIGIL_EV_PROFILE ?
			   "Syscall outside profile" : "Kernel policy";
	size_t i;

	for (i = 0; i < v->n; i++)
		if (rule_priority(v->m[i]) < top)
			top = rule_priority(v->m[i]);
	if (a->webhook) {
		for (i = 0; i < v->n; i++) {
			rules_falco_json(&a->fjw, v->m[i], &a->fc, t, a->host);
			if (!a->fjw.err)
				fwd_push(a->webhook, a->fjw.buf, a->fjw.len);
		}
		if (!v->n) {
			if (ev->profile || ((const struct vigil_hdr *)ev->rec)->type == VIGIL_EV_PROFILE)
				snprintf(plain, sizeof(plain), "Syscall outside profile %s", ev->profile ? ev->profile : "?");
			else
				snprintf(plain, sizeof(plain), "Unsafe:[policy] (decided in the kernel by an earlier rule set)");
			fwd_webhook_plain(a, t, rule, top, plain, c);
		}
	}
	if (a->syslog && !a->jw.err)
		fwd_syslog(a, top, rule, c && c->name ? c->name : c ? c->id : "host", event_type_name(ev->rec), t,
			   a->jw.buf, a->jw.len);
}

uint64_t emit_forward_dropped(struct agent *a)
{
	struct fwd_stats st;
	uint64_t n = 0;

	if (a->webhook) {
		fwd_stats(a->webhook, &st);
		n += st.dropped;
	}
	if (a->syslog) {
		fwd_stats(a->syslog, &st);
		n += st.dropped;
	}
	return n;
}

/* bold red, then back: only on a terminal, and NO_COLOR turns it off */
#define INSECURE_COLOR "\033[1;31m[INSECURE]\033[0m"

void emit(struct agent *a, const struct event_view *ev, const struct verdict *v)
{
	const struct vigil_hdr *h = ev->rec;
	char verdict[1024];
	size_t used = 0, i, n;

	metrics_event(a, ev, v);
	/* forks and exits are state for the cache; shown when asked, or when judged INSECURE */
	if ((h->type == VIGIL_EV_FORK || h->type == VIGIL_EV_EXIT) && !a->opts->proc_events && !v->insecure)
		return;
	if (a->opts->alerts_only && !v->insecure)
		return;
	field_ctx_reset(&a->fc, ev, a->received);
	if (v->insecure && a->metrics.on)
		status_alert(a, ev, v);
	if (a->out.mode == OUTPUT_TEXT) {
		if (h->type == VIGIL_EV_PROFILE) {
			snprintf(verdict, sizeof(verdict), "%s Unsafe:[syscall outside profile: %s]",
				 a->color ? INSECURE_COLOR : "[INSECURE]", ev->profile ? ev->profile : "?");
		} else if (v->n || v->insecure) {
			used = snprintf(verdict, sizeof(verdict), "%s Unsafe:", a->color ? INSECURE_COLOR : "[INSECURE]");
			for (i = 0; i < v->n && used < sizeof(verdict); i++)
				used += snprintf(verdict + used, sizeof(verdict) - used, "%s[%s]", i ? ", " : "",
						 rule_reason(v->m[i]));
			if (!v->n && used < sizeof(verdict))
				used += snprintf(verdict + used, sizeof(verdict) - used, "[policy]");
			if (v->action.kind != RULE_ALERT && used < sizeof(verdict))
				action_text(&v->action, verdict + used, sizeof(verdict) - used);
		} else {
			snprintf(verdict, sizeof(verdict), "[NORMAL]");
		}
		n = event_text(a->text, sizeof(a->text), &a->fmt, &a->fc,
			       v->judged || v->insecure ? verdict : NULL);
		sink_text(&a->out, a->text, n);
		if (!sinks_want_json(&a->out) && !(v->insecure && (a->webhook || a->syslog)))
			return;
	}
	event_json_open(&a->jw, &a->fmt, &a->fc, v->insecure);
	if (v->n) {
		rules_verdict_json(&a->jw, v->m, v->n, &a->fc);
	} else if (v->insecure && h->type != VIGIL_EV_PROFILE) {
		/* the kernel acted on a rule of an earlier rule set */
		jw_str(&a->jw, "verdict", "INSECURE");
		jw_str(&a->jw, "reasons", "Unsafe:[policy]");
	} else if (v->judged) {
		rules_verdict_json(&a->jw, v->m, v->n, &a->fc);
	}
	if (v->action.kind != RULE_ALERT)
		action_json(&a->jw, &v->action);
	/* an alert in a window where events were lost: what else happened is not all known */
	if (v->insecure && a->drops_recent && agent_now_ms() < a->drops_recent_until_ms)
		jw_uint(&a->jw, "events_dropped_nearby", a->drops_recent);
	jw_obj_close(&a->jw);
	if (!a->jw.err)
		sink_json(&a->out, event_family(ev->rec), v->insecure, a->jw.buf, a->jw.len);
	if (v->insecure && (a->webhook || a->syslog))
		forward(a, ev, v);
}

/* Capabilities the container's program was granted or refused (exit, summary). */
static void caps_used_json(struct agent *a, const struct ctr_info *c)
{
	struct vigil_cap_use use;

	if (!a->ld.capabilities)
		return;
	kmaps_caps_read(&a->ld, c->cgroup_id, &use);
	jw_obj_open(&a->jw, "capabilities");
	caps_json(&a->jw, "granted", use.granted);
	caps_json(&a->jw, "denied", use.denied);
	caps_json(&a->jw, "baseline", cap_baseline_of(a->caps, c));
	jw_obj_close(&a->jw);
}

/* Counted from its first syscall, the counter never paused (--syscall-counts auto). */
static bool counts_complete(const struct ctr_info *c)
{
	return c->created_ns && !c->counts_gap;
}

/* An event of the agent's own (not from a record): its object opened with time, type and host. */
static struct timespec agent_event_open(struct agent *a, const char *type)
{
	struct timespec now;
	char ts[48];

	clock_gettime(CLOCK_REALTIME, &now);
	time_rfc3339(now.tv_sec * 1000000000LL + now.tv_nsec, ts, sizeof(ts));
	jw_reset(&a->jw);
	jw_obj_open(&a->jw, NULL);
	jw_str(&a->jw, "time", ts);
	jw_str(&a->jw, "type", type);
	jw_str(&a->jw, "host", a->host);
	return now;
}

void emit_container(struct agent *a, const char *type, const struct ctr_info *c, bool with_counts)
{
	uint64_t counts[VIGIL_NR_SYSCALLS], setup[VIGIL_NR_SYSCALLS], total, program_total = 0;
	bool counted = false;
	struct timespec now = agent_event_open(a, type);
	char line[512];
	struct tm tm;
	int n;

	json_container(&a->jw, c);
	if (!with_counts)
		json_ctr_config(&a->jw, c);
	else
		caps_used_json(a, c);
	if (with_counts && !kmaps_counts_read(&a->ld, c->cgroup_id, counts, setup)) {
		/* the program's syscalls; the runtime's set-up apart */
		total = syscall_counts_json(&a->jw, "syscalls", counts);
		jw_uint(&a->jw, "syscalls_total", total);
		program_total = total;
		counted = true;
		total = syscall_counts_json(&a->jw, "setup_syscalls", setup);
		jw_uint(&a->jw, "setup_syscalls_total", total);
		jw_bool(&a->jw, "syscalls_complete", counts_complete(c));
		jw_bool(&a->jw, "setup_syscalls_complete", counts_complete(c) && !c->setup_counts_gap);
	}
	jw_obj_close(&a->jw);
	if (a->out.mode == OUTPUT_TEXT) {
		/* the events' own time format: one terminal, one style */
		gmtime_r(&now.tv_sec, &tm);
		n = (int)strftime(line, sizeof(line), "%Y/%m/%d %H:%M:%S ", &tm);
		n += snprintf(line + n, sizeof(line) - n, "%s container=", type);
		n += text_safe(line + n, sizeof(line) - n, c->name ? c->name : "?");
		n += snprintf(line + n, sizeof(line) - n, "(%.12s) image=", c->id);
		n += text_safe(line + n, sizeof(line) - n, c->image ? c->image : "?");
		if (counted && n < (int)sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, " syscalls=%llu%s", (unsigned long long)program_total,
				      counts_complete(c) ? "" : " (partial)");
		sink_text(&a->out, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	if (!a->jw.err)
		sink_json(&a->out, SINK_SYSCALL, false, a->jw.buf, a->jw.len);
}

void emit_policy(struct agent *a, const struct ctr_info *c, int n)
{
	struct timespec boot;
	char net[64];
	size_t i;

	agent_event_open(a, "container_policy");
	clock_gettime(CLOCK_BOOTTIME, &boot);
	json_container(&a->jw, c);
	jw_obj_open(&a->jw, "policy");
	jw_uint(&a->jw, "own_entries", n);
	jw_arr_open(&a->jw, "networks");
	for (i = 0; i < c->n_nets; i++) {
		const struct net_prefix *p = &c->nets[i].net;
		bool v4 = p->bits >= 96 && p->addr[10] == 0xff && p->addr[11] == 0xff;

		addr_str(v4 ? 2 : 10, v4 ? p->addr + 12 : p->addr, net, sizeof(net));
		snprintf(net + strlen(net), sizeof(net) - strlen(net), "/%u", (unsigned int)(v4 ? p->bits - 96 : p->bits));
		jw_str(&a->jw, NULL, net);
	}
	jw_arr_close(&a->jw);
	if (c->created_ns) {
		uint64_t t = boot.tv_sec * 1000000000ULL + boot.tv_nsec;

		jw_uint(&a->jw, "after_cgroup_ms", t > c->created_ns ? (t - c->created_ns) / 1000000 : 0);
	}
	jw_bool(&a->jw, "program_started", kmaps_program_started(&a->ld, c->cgroup_id));
	jw_obj_close(&a->jw);
	jw_obj_close(&a->jw);
	if (!a->jw.err)
		sink_json(&a->out, SINK_SYSCALL, false, a->jw.buf, a->jw.len);
}

static int summary_cb(void *arg, uint64_t cgid)
{
	struct agent *a = arg;
	struct ctr_info *c = ctr_lookup(a->ctrs, cgid);

	if (c && !c->exited)
		emit_container(a, "summary", c, true);
	return 0;
}

void emit_summaries(struct agent *a)
{
	kmaps_counts_each(&a->ld, summary_cb, a);
}

/*
 * Like Falco's "syscall event drop" alert: losses are put into the event
 * stream as they happen, not only in the final stats, and the alerts of
 * the next seconds say events were lost around them.
 */
void emit_drops(struct agent *a)
{
	uint64_t k[VIGIL_STAT_MAX], agent_lost, total = 0, now = agent_now_ms();
	struct timespec ts;
	unsigned int i;

	if (kmaps_stats_read(&a->ld, k))
		return;
	agent_lost = sinks_lost(&a->out) + a->malformed + a->jobs_refused + emit_forward_dropped(a);
	for (i = 0; i < VIGIL_STAT_MAX; i++)
		if (kstat_is_loss(i))
			total += k[i] - a->drops_seen[i];
	total += agent_lost - a->agent_drops_seen;
	if (!total)
		return;
	ts = agent_event_open(a, "drops");
	jw_str(&a->jw, "verdict", "INSECURE");
	jw_str(&a->jw, "rule", "Events dropped");
	jw_str(&a->jw, "reasons", "Unsafe:[events dropped]");
	jw_str(&a->jw, "priority", "WARNING");
	jw_uint(&a->jw, "lost", total);
	jw_obj_open(&a->jw, "since_last");
	for (i = 0; i < VIGIL_STAT_MAX; i++)
		if (kstat_is_loss(i) && k[i] != a->drops_seen[i])
			jw_uint(&a->jw, kstat_name(i), k[i] - a->drops_seen[i]);
	if (sinks_lost(&a->out))
		jw_uint(&a->jw, "write_errors", sinks_lost(&a->out));
	if (a->malformed)
		jw_uint(&a->jw, "malformed", a->malformed);
	if (a->jobs_refused)
		jw_uint(&a->jw, "lookups_refused", a->jobs_refused);
	if (emit_forward_dropped(a))
		jw_uint(&a->jw, "alerts_not_forwarded", emit_forward_dropped(a));
	jw_obj_close(&a->jw);
	jw_obj_close(&a->jw);
	if (!a->jw.err)
		sink_json(&a->out, SINK_ALERT, true, a->jw.buf, a->jw.len);
	if (a->webhook || a->syslog) {
		char out[128];
		int64_t t = ts.tv_sec * 1000000000LL + ts.tv_nsec;

		snprintf(out, sizeof(out), "Vigil lost %llu event(s) (see the drops event's since_last)",
			 (unsigned long long)total);
		if (a->webhook)
			fwd_webhook_plain(a, t, "Events dropped", PRI_WARNING, out, NULL);
		if (a->syslog && !a->jw.err)
			fwd_syslog(a, PRI_WARNING, "Events dropped", "-", "drops", t, a->jw.buf, a->jw.len);
	}
	if (a->out.mode == OUTPUT_TEXT) {
		char line[256], t[48];
		int n;

		time_rfc3339(ts.tv_sec * 1000000000LL + ts.tv_nsec, t, sizeof(t));
		n = snprintf(line, sizeof(line), "%s [INSECURE] Unsafe:[events dropped] lost=%llu", t,
			     (unsigned long long)total);

		sink_text(&a->out, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	memcpy(a->drops_seen, k, sizeof(k));
	a->agent_drops_seen = agent_lost;
	a->drops_recent = total;
	a->drops_recent_until_ms = now + 2000;
}

void emit_final_stats(struct agent *a)
{
	uint64_t k[VIGIL_STAT_MAX], lines, ns;
	struct rusage ru;
	unsigned int i;

	if (kmaps_stats_read(&a->ld, k))
		memset(k, 0, sizeof(k));
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr, "vigil: stats: received=%llu malformed=%llu write_errors=%llu insecure=%llu meta_late=%llu",
		(unsigned long long)a->received, (unsigned long long)a->malformed,
		(unsigned long long)sinks_lost(&a->out), (unsigned long long)a->insecure,
		(unsigned long long)a->meta_late);
	for (i = 0; i < VIGIL_STAT_MAX; i++)
		fprintf(stderr, " %s=%llu", kstat_name(i), (unsigned long long)k[i]);
	fprintf(stderr, " acted=%llu would_act=%llu act_failed=%llu", (unsigned long long)a->acted,
		(unsigned long long)a->would_act, (unsigned long long)a->act_failed);
	for (i = 0; i < 2; i++)
		if (a->opts->webhook.target && !i)
			fprintf(stderr, " webhook_sent=%llu webhook_dropped=%llu", (unsigned long long)a->fwd_final[0].sent,
				(unsigned long long)(a->fwd_final[0].dropped + a->fwd_final[0].rejected));
		else if (a->opts->syslog.target && i)
			fprintf(stderr, " syslog_sent=%llu syslog_dropped=%llu", (unsigned long long)a->fwd_final[1].sent,
				(unsigned long long)(a->fwd_final[1].dropped + a->fwd_final[1].rejected));
	if (sinks_seal_stats(&a->out, &lines, &ns))
		fprintf(stderr, " log_sealed=%llu seal_s=%.3f", (unsigned long long)lines, (double)ns / 1e9);
	fprintf(stderr, " processes=%zu max_rss_kb=%ld cpu_s=%.2f\n", proc_cache_count(a->procs), ru.ru_maxrss,
		ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
}
