/*
 * enrich.c - the enrich stage: what the agent knows around a record.
 * Updates the process cache (exec, fork; exit after the event), finds the
 * container, its users and recent activity, and judges a capability grant,
 * an exec, a write, a bind and a connect against what the image was seen
 * to do while it was learned.  Reads caches only: no I/O here.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bpf/decode.h"
#include "bpf/maps.h"
#include "core/agent.h"
#include "core/park.h"
#include "bpf/syscalls.h"
#include "learn/cap_baseline.h"
#include "learn/novelty.h"
#include "proc/identity.h"
#include "proc/proc_cache.h"
#include "proc/users.h"
#include "rules/fields.h"
#include "seccomp/check.h"
#include "util/names.h"

/* What of the event is a behaviour the image's model knows or not: its kind, into what; NOV_KINDS none. */
static enum novelty_kind behaviour_of(const struct event_view *ev, char *what, size_t len)
{
	const struct vigil_hdr *h = ev->rec;
	const struct vigil_sock *s;
	char ip[64];

	switch (h->type) {
	case VIGIL_EV_EXEC: {
		const struct vigil_exec_event *e = ev->rec;
		struct sv exe = rec_sv(e, e->exe.path);

		if (!exe.p)
			return NOV_KINDS;
		snprintf(what, len, "%.*s", (int)exe.len, exe.p);
		return NOV_EXEC;
	}
	case VIGIL_EV_SYSCALL: {
		const struct vigil_syscall_event *e = ev->rec;
		const struct sys_desc *d = sys_desc_by_nr(e->nr);

		if (!d)
			return NOV_KINDS;
		/* (a failed connect is still a peer asked for: below) */
		if (e->ret >= 0 && d->cls == SC_OPEN && (e->file.flags & VIGIL_FILE_PRESENT)) {
			struct sv p = rec_sv(e, e->file.path);

			if (!p.p || !(sys_open_flags(d, e) & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC)))
				return NOV_KINDS;
			novelty_write_prefix(p.p, p.len, what, len);
			return NOV_WRITE;
		}
		if (e->ret >= 0 && d->cls == SC_NET && !strcmp(d->name, "bind") &&
		    (e->sock.family == VIGIL_AF_INET || e->sock.family == VIGIL_AF_INET6) && e->sock.lport) {
			snprintf(what, len, "%s/%u", l4proto_name(e->sock.type, e->sock.protocol), e->sock.lport);
			return NOV_LISTEN;
		}
		break;
	}
	default:
		break;
	}
	s = event_connect_sock(ev);
	if (s && (s->family == VIGIL_AF_INET || s->family == VIGIL_AF_INET6) && s->rport) {
		snprintf(what, len, "%s:%u", addr_str(s->family, s->raddr, ip, sizeof(ip)), s->rport);
		return NOV_CONNECT;
	}
	return NOV_KINDS;
}

/* The exec's stdin and stdout, kept for the rules that join programs by a pipe or a file. */
static void note_stdio(struct ctr_activity *act, const struct vigil_exec_event *e, const struct proc_info *pi)
{
	struct stdio_use u;
	char name[sizeof(u.name)];
	unsigned int fd;

	if (!pi || !pi->exe)
		return;
	for (fd = 0; fd < 2; fd++) {
		if (e->stdio[fd].kind == VIGIL_STDIO_OTHER)
			continue;
		memset(&u, 0, sizeof(u));
		u.ts = e->hdr.ts_ns;
		u.ino = e->stdio[fd].ino;
		u.dev = e->stdio[fd].dev;
		u.pid = e->hdr.proc.pid;
		u.fd = fd;
		u.kind = e->stdio[fd].kind;
		snprintf(u.name, sizeof(u.name), "%s", identity_name(pi->exe, pi->exe_origin, pi->argv, name, sizeof(name)));
		/* the name, then argv[1...], as proc.cmdline joins them */
		proc_argv_join(pi, 1, u.name, u.cmdline, sizeof(u.cmdline));
		activity_stdio(act, &u);
	}
}

/* Judged against the image's learned behaviour; the runtime's set-up is none of the image's. */
static void judge_novelty(struct agent *a, struct event_view *ev, const struct ctr_info *c)
{
	const struct vigil_hdr *h = ev->rec;
	struct novelty_judgement j;
	enum novelty_kind kind;

	if (h->proc.flags & (VIGIL_PROC_CTR_SETUP | VIGIL_PROC_RUNTIME))
		return;
	kind = behaviour_of(ev, ev->novel_what, sizeof(ev->novel_what));
	if (kind == NOV_KINDS)
		return;
	j = novelty_judge(a->novelty, c, kind, ev->novel_what, h->ts_ns);
	ev->novelty_judged = true;
	ev->novelty_learning = j.learning;
	ev->novel_kind = j.novel ? novelty_kind_name(kind) : NULL;
}

void enrich(struct agent *a, const void *rec, struct event_view *ev)
{
	const struct vigil_hdr *h = rec;
	struct ctr_info *c = NULL;

	switch (h->type) {
	case VIGIL_EV_EXEC: {
		const struct vigil_exec_event *e = rec;
		struct sv exe = rec_sv(e, e->exe.path), argv = rec_sv(e, e->argv), cwd = rec_sv(e, e->cwd);
		const struct identity_result *id;

		proc_cache_exec(a->procs, h->proc.pid, h->proc.ppid, h->proc.comm, exe.p, exe.len, argv.p,
				argv.len, e->flags & VIGIL_EXEC_ARGV_TRUNC, cwd.p, cwd.len);
		proc_cache_set_exe_flags(a->procs, h->proc.pid, e->exe.flags);
		proc_cache_set_exec_caps(a->procs, h->proc.pid, h->proc.cap_effective);
		proc_cache_set_place(a->procs, h->proc.pid, h->proc.ctr_cgroup_id, h->proc.vpid);
		id = agent_identity_of(a, h->proc.pid, h->ts_ns);
		proc_cache_set_origin(a->procs, h->proc.pid, id ? id->origin : NULL, id ? id->package : NULL);
		proc_cache_set_padding(a->procs, h->proc.pid, id ? id->padding : 0);
		break;
	}
	case VIGIL_EV_FORK:
		proc_cache_fork(a->procs, h->proc.pid, h->proc.ppid, h->proc.comm);
		proc_cache_set_place(a->procs, h->proc.pid, h->proc.ctr_cgroup_id, h->proc.vpid);
		break;
	}
	ev->rec = rec;
	if (h->type == VIGIL_EV_SYNFLOOD) {
		/* no process: the SYNs' source and target, by the containers' addresses (16-byte form) */
		const struct vigil_synflood_event *e = rec;
		const uint8_t *src = e->saddr, *dst = e->daddr;

		/* the event is the target's (what is attacked); the source is named beside it */
		ev->ctr = ctr_by_addr(a->ctrs, dst);
		ev->peer = ctr_by_addr(a->ctrs, src);
		return;
	}
	ev->proc = proc_cache_get(a->procs, h->proc.pid);
	if (h->proc.ctr_cgroup_id)
		c = ctr_lookup(a->ctrs, h->proc.ctr_cgroup_id);
	ev->ctr = c;
	if (!c)
		return;
	ev->users = user_store_get(a->users, c->cgroup_id);
	ev->act = activity_of(a->activity, c->cgroup_id);
	if (ev->act && h->type == VIGIL_EV_EXEC) {
		activity_exec((struct ctr_activity *)ev->act, ev->proc ? ev->proc->exe : NULL, h->ts_ns, c->created_ns);
		note_stdio((struct ctr_activity *)ev->act, rec, ev->proc);
	}
	if (ev->act) {
		const struct vigil_sock *s = event_connect_sock(ev);

		if (s && (s->family == VIGIL_AF_INET || s->family == VIGIL_AF_INET6))
			activity_connect((struct ctr_activity *)ev->act, s->raddr, s->rport, h->ts_ns);
	}
	if (h->type == VIGIL_EV_CAPABLE) {
		struct cap_judgement j = cap_baseline_judge(a->caps, c, ((const struct vigil_capable_event *)rec)->cap,
							    h->ts_ns);

		ev->cap_learning = j.learning;
		ev->cap_in_baseline = j.in_baseline;
	}
	if (h->type == VIGIL_EV_PROFILE)
		ev->profile = profile_checks_name(a->profiles, c->cgroup_id);
	judge_novelty(a, ev, c);
}

void enrich_after(struct agent *a, const void *rec)
{
	const struct vigil_hdr *h = rec;

	if (h->type == VIGIL_EV_EXIT)
		proc_cache_exit(a->procs, h->proc.pid);
}

struct ctr_info *enrich_cgroup(struct agent *a, const struct vigil_cgroup_event *e)
{
	struct ctr_info *c = ctr_lookup(a->ctrs, e->id);

	if (c && e->kind == VIGIL_CGROUP_MKDIR) {
		cap_baseline_start(a->caps, c, e->hdr.ts_ns);
		novelty_start(a->novelty, c, e->hdr.ts_ns);
		if (!c->created_ns)
			c->created_ns = e->hdr.ts_ns;
	}
	return c;
}

void enrich_forget(struct agent *a, uint64_t cgid)
{
	ctr_mark_exited(a->ctrs, cgid);
	enforce_forget(a->enforce, cgid);
	kmaps_forget_container(&a->ld, cgid);
	activity_forget(a->activity, cgid);
	cap_baseline_forget(a->caps, cgid);
	novelty_forget(a->novelty, cgid);
	profile_checks_forget(a->profiles, cgid);
	user_store_set(a->users, cgid, NULL);
}
