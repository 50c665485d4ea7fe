/*
 * act.c - the act stage: what an event makes the agent do.  Today: arm a
 * container's profile check when its program starts, and keep its user
 * names current (read through a process of the container once it runs, and
 * again after something writes its /etc/passwd).  Enforcement decisions
 * are made in the kernel; their outcome is reported from here.
 */
#include <stdio.h>
#include <string.h>

#include "bpf/decode.h"
#include "bpf/maps.h"
#include "core/agent.h"
#include "core/worker.h"
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

void act(struct agent *a, const struct event_view *ev, const struct verdict *v)
{
	const struct vigil_hdr *h = ev->rec;
	struct ctr_info *c = (struct ctr_info *)ev->ctr;

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
