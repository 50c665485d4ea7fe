/*
 * act.c - the act stage: what an event makes the agent do.  Today: arm a
 * container's profile check when its program starts, and keep its user
 * names current (read through a process of the container once it runs, and
 * again after something writes its /etc/passwd).  Enforcement decisions
 * are made in the kernel; their outcome is reported from here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bpf/decode.h"
#include "bpf/maps.h"
#include "core/agent.h"
#include "core/worker.h"
#include "enforce/enforce.h"
#include "rules/lower.h"
#include "rules/rules.h"
#include "proc/users.h"
#include "rules/fields.h"
#include "seccomp/check.h"
#include "util/log.h"

/* passwd is written after it is opened: read it again a moment later */
#define USERS_REREAD_MS 1000

void act_request_users(struct agent *a, struct ctr_info *c, uint32_t pid)
{
	struct job *j = job_new(a->worker, JOB_USERS, c->cgroup_id);

	if (!j) {
		a->jobs_refused++;
		return;
	}
	/* the container's own view: its mounts, as its processes see them */
	snprintf(j->root, sizeof(j->root), "/proc/%u/root", pid);
	worker_submit(a->worker, j);
}

static void later_users(struct agent *a, struct ctr_info *c, uint32_t pid)
{
	if (a->n_retries == AGENT_MAX_RETRIES)
		return;
	a->retries[a->n_retries++] = (struct meta_retry){
		.cgid = c->cgroup_id, .due_ms = agent_now_ms() + USERS_REREAD_MS, .pid = pid, .users = true };
}

static const char *hook_when(const struct vigil_pol_outcome *p)
{
	if (p->hook == VIGIL_HOOK_EXEC)
		return "at exec";
	if (p->hook == VIGIL_HOOK_NET)
		return p->flags & VIGIL_POL_AFTER ? "after connect" : "at connect";
	return "at syscall entry";
}

/* The rule a kernel decision names joins the event's matches (it is what acted). */
static void add_kernel_rule(struct agent *a, struct verdict *v, const struct vigil_pol_outcome *p)
{
	const struct rule *r = a->rules && enforce_rule_name(a->enforce, p) ? ruleset_rule(a->rules, p->rule) : NULL;
	size_t i;

	v->insecure = true;
	if (!r || strcmp(rule_name(r), enforce_rule_name(a->enforce, p)))
		return;	/* an earlier rule set's: named in the action only */
	for (i = 0; i < v->n; i++)
		if (v->m[i] == r)
			return;
	if (v->n < AGENT_MAX_MATCHES)
		v->m[v->n++] = r;
}

/*
 * Enforcement: what the kernel decided (its stamp on the record), and
 * for rules it could not decide, the agent's own kill after the event.
 * Only container processes are ever killed.
 */
static void act_enforce(struct agent *a, const struct event_view *ev, struct verdict *v)
{
	const struct vigil_hdr *h = ev->rec;
	struct action_report *r = &v->action;
	const struct rule *want = NULL;
	const char *name;
	size_t i;

	if (!a->enforce || !ev->ctr)
		return;
	for (i = 0; i < v->n && !want; i++)
		if (rule_action(v->m[i]) != RULE_ALERT)
			want = v->m[i];
	if (ev->pol.flags & VIGIL_POL_MATCHED) {
		const struct vigil_pol_outcome *p = &ev->pol;

		name = enforce_rule_name(a->enforce, p);
		r->rule = name ? name : p->rule == 0xffff ? "(no free policy slot: refused to be safe)"
							: "(a rule of the rule set before a reload)";
		r->by = "kernel";
		r->when = hook_when(p);
		r->enforce = p->flags & VIGIL_POL_ENFORCED;
		r->done = p->flags & VIGIL_POL_DONE;
		r->err = p->err;
		r->kind = p->action == VIGIL_ACT_DENY || (p->hook == VIGIL_HOOK_NET && !(p->flags & VIGIL_POL_AFTER)) ?
				  RULE_DENY : RULE_KILL;
		add_kernel_rule(a, v, p);
		/* a kill rule on a connect: refused by the kernel, killed by the agent */
		if (r->kind == RULE_DENY && want && rule_action(want) == RULE_KILL && !strcmp(rule_name(want), r->rule)) {
			r->refused = r->done;
			r->kind = RULE_KILL;
			r->by = "agent";
			r->when = "after the event";
			r->done = false;
			if (r->enforce) {
				r->err = enforce_kill(h->proc.pid, h->proc.start_ns);
				r->done = !r->err;
			}
		}
	} else if (want) {
		r->rule = rule_name(want);
		r->kind = rule_action(want);
		r->enforce = enforce_acting(a->enforce);
		if (r->kind == RULE_DENY) {
			/* deny rules are always the kernel's: it had no entry for this container yet */
			r->by = "kernel";
			r->when = "at connect";
			r->err = -ENOENT;
		} else {
			r->by = "agent";
			r->when = "after the event";
			if (r->enforce) {
				r->err = enforce_kill(h->proc.pid, h->proc.start_ns);
				r->done = !r->err;
			}
		}
	} else {
		return;
	}
	if (!r->enforce)
		a->would_act++;
	else if (r->done)
		a->acted++;
	else
		a->act_failed++;
}

void act(struct agent *a, const struct event_view *ev, struct verdict *v)
{
	const struct vigil_hdr *h = ev->rec;
	struct ctr_info *c = (struct ctr_info *)ev->ctr;

	act_enforce(a, ev, v);
	if (!c)
		return;
	if (h->type == VIGIL_EV_EXEC && (((const struct vigil_exec_event *)ev->rec)->exe.flags & VIGIL_FILE_ROOT_MNT)) {
		/* the container's own program runs */
		profile_checks_arm(a->profiles, c->cgroup_id);
		if (!user_store_live(a->users, c->cgroup_id)) {
			user_store_mark_live(a->users, c->cgroup_id);
			act_request_users(a, c, h->proc.pid);
		}
		return;
	}
	if (event_writes_file(ev, "/etc/passwd"))
		later_users(a, c, h->proc.pid);
}

void act_container_named(struct agent *a, struct ctr_info *c)
{
	struct job *j;

	if (!profile_checks_container(a->profiles, c, kmaps_program_started(&a->ld, c->cgroup_id)))
		return;
	j = job_new(a->worker, JOB_PROFILE, c->cgroup_id);
	if (!j) {
		a->jobs_refused++;
		return;
	}
	snprintf(j->name, sizeof(j->name), "%s", c->profile_label);
	worker_submit(a->worker, j);
}

void act_profile_loaded(struct agent *a, struct ctr_info *c, const char *name, const struct syscall_set *set)
{
	profile_checks_attach(a->profiles, c, name, set, kmaps_program_started(&a->ld, c->cgroup_id));
}
