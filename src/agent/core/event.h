/*
 * event.h - one event as it moves through the pipeline (pipeline.c):
 * a checked record and what the agent knows around it.  Every pointer is
 * borrowed for the duration of the stage that reads it.
 */
#ifndef VIGIL_EVENT_H
#define VIGIL_EVENT_H

#include <stdbool.h>
#include <stdint.h>
#include "container/container.h"
#include "core/activity.h"
#include "proc/proc_cache.h"
#include "proc/users.h"

struct event_view {
	const void *rec;		/* passed record_check() */
	const struct proc_info *proc;	/* cached process, may be NULL */
	const struct ctr_info *ctr;	/* NULL for a host process */
	const struct user_table *users;	/* the container's /etc/passwd, may be NULL */
	const struct ctr_activity *act;	/* the container's recent activity, may be NULL */
	const char *profile;		/* VIGIL_EV_PROFILE: the profile it broke */
	uint64_t began_ns;		/* a connect: when its attempt began (boot ns), 0 unknown */
	/* the kernel's policy decision on this event (abi/policy.h), flags 0 when none */
	struct vigil_pol_outcome pol;
	/* VIGIL_EV_SYNFLOOD: the container that sent the SYNs, NULL when none (ctr: the target) */
	const struct ctr_info *peer;
	/* VIGIL_EV_CAPABLE: judged against the image's learned baseline */
	bool cap_learning;		/* the container is still being learned */
	bool cap_in_baseline;		/* normal for the container's image */
	/* exec, write, bind, connect: judged against the image's learned behaviour (learn/novelty.h) */
	bool novelty_judged;		/* it is one of those behaviours */
	bool novelty_learning;		/* the image is still being learned */
	const char *novel_kind;		/* "exec", "write", ...: new for the image; NULL when not */
	char novel_what[512];		/* what was new: a path, a directory, tcp/PORT, IP:PORT */
};

#endif
