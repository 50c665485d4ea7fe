/*
 * judge.c - the judge stage: the rules that give each event its verdict,
 * and their life (load at start, reload on SIGHUP, which syscall events the
 * kernel must send for them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf/loader.h"
#include "core/agent.h"
#include "core/burst.h"
#include "rules/rules.h"
#include "util/log.h"

/* The shipped policy: next to the binary (build/vigil -> rules/), or installed. */
static const char *default_rules_path(struct agent *a)
{
	static const char *const installed[] = { "/etc/vigil/vigil_rules.yaml",
						 "/usr/share/vigil/vigil_rules.yaml", NULL };
	char exe[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
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

int judge_init(struct agent *a)
{
	const struct agent_opts *o = a->opts;
	const char *def;
	unsigned int i;

	a->fc.procs = a->procs;
	if (o->no_rules)
		return 0;
	if (!(a->bursts = burst_new()))
		return -1;
	for (i = 0; i < o->n_rules; i++)
		a->rule_paths[a->n_rule_paths++] = o->rules[i];
	if (!a->n_rule_paths) {
		if ((def = default_rules_path(a)))
			a->rule_paths[a->n_rule_paths++] = def;
		else
			log_warnx("no rules file found (rules/vigil_rules.yaml); every event will be NORMAL");
	}
	/* a broken rules file stops the start, it does not degrade to no rules */
	if (a->n_rule_paths && !(a->rules = load_rules(a)))
		return -1;
	return 0;
}

void judge_fini(struct agent *a)
{
	ruleset_free(a->rules);
	a->rules = NULL;
	burst_free(a->bursts);
	a->bursts = NULL;
}

/*
 * A burst rule's match completes a burst, or is only counted.  A session
 * is the kernel's (the exec's session leader); events other than execs
 * count by process.
 */
static bool burst_fires(struct agent *a, const struct event_view *ev, const struct rule *r,
			const struct rule_burst *b)
{
	const struct vigil_hdr *h = ev->rec;
	char value[128];
	uint64_t key = 0;

	if (!a->bursts || !rule_burst_value(r, &a->fc, value, sizeof(value)))
		return false;
	if (b->by == BURST_BY_SESSION)
		key = h->type == VIGIL_EV_EXEC ? ((const struct vigil_exec_event *)h)->sid : h->proc.pid;
	return burst_add(a->bursts, rule_name(r), b, h->proc.ctr_cgroup_id, key, value, h->ts_ns,
			 a->fc.burst_items, sizeof(a->fc.burst_items));
}

void judge(struct agent *a, const struct event_view *ev, struct verdict *v)
{
	const struct vigil_hdr *h = ev->rec;
	size_t i, k;

	memset(v, 0, sizeof(*v));
	/* profile violations carry their verdict from the kernel */
	if (h->type == VIGIL_EV_PROFILE) {
		v->insecure = true;
		a->insecure++;
		return;
	}
	if (!a->rules)
		return;
	v->judged = true;
	field_ctx_reset(&a->fc, ev, a->received);
	a->fc.burst_items[0] = '\0';
	v->n = ruleset_eval(a->rules, &a->fc, v->m, AGENT_MAX_MATCHES);
	for (i = k = 0; i < v->n; i++) {
		struct rule_burst b;

		if (rule_burst(v->m[i], &b) && !burst_fires(a, ev, v->m[i], &b))
			continue;	/* counted toward a burst, not one yet */
		v->m[k++] = v->m[i];
	}
	v->n = k;
	v->insecure = v->n > 0;
	if (v->insecure)
		a->insecure++;
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
int judge_apply_interest(struct agent *a)
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
void judge_reload(struct agent *a)
{
	struct ruleset *rs;

	if (!a->n_rule_paths)
		return;
	rs = load_rules(a);
	if (!rs) {
		log_warnx("rules reload failed: keeping the rules in use");
		a->metrics.reloads_failed++;
		return;
	}
	a->metrics.reloads_ok++;
	if (!a->env_read && ruleset_uses_field(rs, "proc.env"))
		log_warnx("rules read proc.env: the environment is read from the next start on, until then it is missing");
	/* the kernel's policy first: it must never name rules of a freed set */
	if (enforce_rules(a->enforce, rs))
		log_warnx("enforcement of the new rules: not all written");
	ruleset_free(a->rules);
	a->rules = rs;
	judge_enforce_all(a);
	if (judge_apply_interest(a))
		log_warnx("syscall events for the new rules could not all be attached");
}

static int enforce_one(void *arg, struct ctr_info *c)
{
	struct agent *a = arg;

	if (!c->exited && c->meta != CTR_META_PENDING)
		enforce_container(a->enforce, c);
	return 0;
}

void judge_enforce_all(struct agent *a)
{
	if (a->enforce && a->rules)
		ctr_each(a->ctrs, enforce_one, a);
}
