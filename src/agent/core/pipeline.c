/*
 * pipeline.c - what happens to every ring-buffer record, in named stages:
 *
 *   decode   record_check(): nothing reads a record that did not pass it
 *   (park)   a container's records wait while its metadata is fetched
 *   enrich   process cache, container, users, activity, baselines
 *   judge    the rules' verdict
 *   act      what the event makes the agent do
 *   emit     the event and its verdict to the sinks
 *
 * The ring-buffer callback does no I/O but the sinks' buffered writes; the
 * worker's answers are taken between polls (pipeline_tick).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpf/decode.h"
#include "container/container.h"
#include "core/agent.h"
#include "core/cpuwatch.h"
#include "core/join.h"
#include "core/netmap.h"
#include "core/park.h"
#include "core/worker.h"
#include "proc/users.h"
#include "rules/fields.h"
#include "util/log.h"
#include "util/names.h"
#include "util/netaddr.h"

/* Meta retries: 1 s, 2 s, 4 s ... when a runtime that should know did not answer. */
#define META_RETRY_MS 1000
#define META_MAX_TRIES 6
/* addresses Docker had not assigned at the first answer: 50 ms, 100 ms ... */
#define NETS_RETRY_MS 50

/* The kernel's policy decision a record carries, if it has one. */
static const struct vigil_pol_outcome *record_pol(const void *rec)
{
	const struct vigil_hdr *h = rec;
	const struct vigil_pol_outcome *p = NULL;

	switch (h->type) {
	case VIGIL_EV_EXEC: p = &((const struct vigil_exec_event *)rec)->pol; break;
	case VIGIL_EV_SOCK: p = &((const struct vigil_sock_event *)rec)->pol; break;
	case VIGIL_EV_SYSCALL: p = &((const struct vigil_syscall_event *)rec)->pol; break;
	case VIGIL_EV_ENFORCE: p = &((const struct vigil_enforce_event *)rec)->pol; break;
	}
	return p && (p->flags & VIGIL_POL_MATCHED) ? p : NULL;
}

/* A record's outcome that carries only the kernel's own-network lookup. */
static const struct vigil_pol_outcome *h_own_net(const void *rec)
{
	const struct vigil_hdr *h = rec;
	const struct vigil_pol_outcome *p = NULL;

	if (h->type == VIGIL_EV_SOCK)
		p = &((const struct vigil_sock_event *)rec)->pol;
	return p && (p->flags & VIGIL_POL_OWN_KNOWN) ? p : NULL;
}

/* The traffic map (core/netmap.h): a container's connect or first send, an accept from outside. */
static void map_traffic(struct agent *a, const struct event_view *ev)
{
	const struct vigil_sock *s = event_sock(ev);
	const struct vigil_hdr *h = ev->rec;
	int64_t t = fmt_real_ns(&a->fmt, h->ts_ns);
	const struct ctr_info *peer;
	uint8_t remote[16], local[16];
	const char *type;

	if (!ev->ctr || !s || (s->family != VIGIL_AF_INET && s->family != VIGIL_AF_INET6))
		return;
	type = event_type_name(ev->rec);
	addr_to16(s->family, s->raddr, remote);
	if (addr16_loopback(remote))
		return;	/* inside the container */
	if (!strcmp(type, "connect") || !strcmp(type, "sendto")) {
		/* every connect of every container: the runtimes' addresses, no /proc reads */
		peer = ctr_by_runtime_addr(a->ctrs, remote);
		if (peer != ev->ctr)
			netmap_add(a->netmap, ev->ctr, NULL, peer, remote, s->rport, l4proto_name(s->type, s->protocol), t);
		if (s->lport) {
			addr_to16(s->family, s->laddr, local);
			netmap_client(a->netmap, local, s->lport, agent_now_ms());
		}
	} else if (!strcmp(type, "accept") && h->type == VIGIL_EV_SYSCALL &&
		   ((const struct vigil_syscall_event *)h)->ret >= 0 && !ctr_by_addr(a->ctrs, remote)) {
		/* from a container (even one whose address is not known yet), its own connect made the edge */
		addr_to16(s->family, s->laddr, local);
		netmap_inbound(a->netmap, remote, s->rport, ev->ctr, local, s->lport,
			       l4proto_name(s->type, s->protocol), t, agent_now_ms());
	}
}

/*
 * enrich -> judge -> act -> emit, for one record (or a joined pair: pol
 * is the decision its other part carried, may be NULL).
 */
static void handle_one(struct agent *a, const void *rec, uint64_t began_ns, const struct vigil_pol_outcome *pol)
{
	struct event_view ev = { .rec = rec };
	struct verdict v = { 0 };
	const struct vigil_pol_outcome *own = record_pol(rec);

	enrich(a, rec, &ev);
	ev.began_ns = began_ns;
	/* the decision that acted comes first: a refusal at the connect before a kill after it */
	if (pol && (pol->flags & VIGIL_POL_MATCHED))
		ev.pol = *pol;
	else if (own)
		ev.pol = *own;
	else if (pol && (pol->flags & VIGIL_POL_OWN_KNOWN))
		ev.pol = *pol;	/* no decision, but the kernel's look at the caller's networks */
	else if (h_own_net(rec))
		ev.pol = *h_own_net(rec);
	judge(a, &ev, &v);
	act(a, &ev, &v);
	emit(a, &ev, &v);
	if (a->netmap)
		map_traffic(a, &ev);
	enrich_after(a, rec);
}

/*
 * The first part of a two-part action waits for the second (join.h); the
 * second takes it.  Returns true when rec was kept to wait.
 */
static bool join_first(struct agent *a, const void *rec, uint64_t key)
{
	const struct vigil_hdr *h = rec;

	if (!join_hold(a->join, key, rec, h->size, agent_now_ms()))
		return true;
	a->join_full++;
	return false;
}

static uint64_t join_connect_attempt(struct agent *a, uint32_t tgid, const struct vigil_sock *dest,
				     struct vigil_pol_outcome *pol)
{
	size_t n;
	void *att = join_take(a->join, join_key_connect(tgid, dest), &n);
	uint64_t began = 0;

	if (att) {
		began = ((const struct vigil_hdr *)att)->ts_ns;
		*pol = ((const struct vigil_sock_event *)att)->pol;
		free(att);
	}
	return began;
}

/* A kill at a syscall's entry: its record waits for the syscall's own. */
static uint64_t join_key_enforce(uint32_t tid, uint32_t nr)
{
	return ((uint64_t)tid << 32 | nr) ^ 0x656e666f72636500ULL;
}

/*
 * A kill at entry whose syscall returned unseen (not a syscall Vigil
 * reports, or the process died first): the syscall's event is made from
 * it, without a result, so the rules see what was attempted.
 */
static void handle_enforce_alone(struct agent *a, const struct vigil_enforce_event *k)
{
	struct vigil_syscall_event e;

	memset(&e, 0, sizeof(e));
	e.hdr = k->hdr;
	e.hdr.type = VIGIL_EV_SYSCALL;
	e.hdr.size = sizeof(e);
	e.nr = k->nr;
	e.flags = VIGIL_SYSEV_NO_RESULT;
	memcpy(e.args, k->args, sizeof(e.args));
	handle_one(a, &e, 0, &k->pol);
}

static void handle(struct agent *a, const void *rec)
{
	const struct vigil_hdr *h = rec;
	struct vigil_pol_outcome pol = { 0 };
	uint64_t began = 0;

	switch (h->type) {
	case VIGIL_EV_ENFORCE: {
		const struct vigil_enforce_event *e = rec;

		if (!join_first(a, rec, join_key_enforce(h->proc.tid, e->nr)))
			handle_enforce_alone(a, e);
		return;
	}
	case VIGIL_EV_SOCK: {
		const struct vigil_sock_event *e = rec;

		if (e->kind == VIGIL_SOCK_CONNECT &&
		    join_first(a, rec, join_key_connect(h->proc.pid, &e->addr)))
			return;
		break;
	}
	case VIGIL_EV_URING: {
		const struct vigil_uring_event *e = rec;
		void *sub, *merged;
		size_t n;

		if (e->kind == VIGIL_URING_SUBMIT && join_first(a, rec, join_key_uring(e->req)))
			return;
		if (e->kind != VIGIL_URING_OP)
			break;
		if (e->opcode == VIGIL_IORING_OP_CONNECT)
			began = join_connect_attempt(a, h->proc.pid, &e->sock, &pol);
		sub = join_take(a->join, join_key_uring(e->req), &n);
		if (!sub)
			break;
		merged = join_uring_merge(sub, e, &n);
		free(sub);
		if (merged && !record_check(merged, n)) {
			handle_one(a, merged, began, &pol);
			free(merged);
			return;
		}
		free(merged);
		break;
	}
	case VIGIL_EV_SYSCALL: {
		const struct vigil_syscall_event *e = rec;
		void *k;
		size_t n;

		if (!strcmp(field_evt_type(&(struct event_view){ .rec = rec }), "connect"))
			began = join_connect_attempt(a, h->proc.pid, &e->sock, &pol);
		/* a kill at its entry: one event says what was attempted and what was done */
		if ((k = join_take(a->join, join_key_enforce(h->proc.tid, e->nr), &n))) {
			pol = ((const struct vigil_enforce_event *)k)->pol;
			free(k);
		}
		break;
	}
	}
	handle_one(a, rec, began, &pol);
}

static void handle_lifecycle(struct agent *a, const void *rec)
{
	const struct vigil_hdr *h = rec;

	if (h->type != VIGIL_EV_CGROUP) {
		handle(a, rec);
		return;
	}
	{
		const struct vigil_cgroup_event *e = rec;
		struct ctr_info *c = enrich_cgroup(a, e);

		if (!c)
			return;
		if (e->kind == VIGIL_CGROUP_MKDIR) {
			emit_container(a, "container_start", c, false);
			return;
		}
		emit_container(a, "container_exit", c, true);
		enrich_forget(a, e->id);
	}
}

/* A first part whose second never came: an event of its own. */
static void handle_unjoined(void *arg, const void *rec, size_t size)
{
	if (((const struct vigil_hdr *)rec)->type == VIGIL_EV_ENFORCE)
		handle_enforce_alone(arg, rec);
	else
		handle_one(arg, rec, 0, NULL);
}

static void handle_released(void *arg, const void *rec, size_t size)
{
	handle_lifecycle(arg, rec);
}

static void handle_expired(void *arg, const void *rec, size_t size)
{
	struct agent *a = arg;

	a->meta_late++;
	handle_lifecycle(a, rec);
}

/* A container the kernel knows but the agent missed (started during start-up): ask /proc. */
static struct ctr_info *ctr_from_proc(struct agent *a, const struct vigil_hdr *h)
{
	char path[64], buf[4096], *line, *save = NULL;
	struct ctr_info *c = NULL;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/cgroup", h->proc.pid);
	/* procfs, generated by the kernel for a pid it gave us: bounded, never blocks */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line && !c; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, "0::", 3))
			c = ctr_add(a->ctrs, h->proc.ctr_cgroup_id, line + 3);
	return c;
}

bool pipeline_request_meta(struct agent *a, struct ctr_info *c)
{
	struct job *j = job_new(a->worker, JOB_META, c->cgroup_id);

	if (!j) {
		a->jobs_refused++;
		return false;
	}
	memcpy(j->id, c->id, sizeof(j->id));
	j->runtime = c->runtime;
	worker_submit(a->worker, j);
	return true;
}

/*
 * An executable the image does not vouch for (written in the container, a
 * memfd, on another mount): which program is it?  The worker hashes it;
 * the container's records wait for the answer.
 */
static bool request_identity(struct agent *a, struct ctr_info *c, const struct vigil_exec_event *e)
{
	unsigned int fl = e->exe.flags;
	struct sv exe = rec_sv(e, e->exe.path);
	char path[32];
	struct job *j;

	if ((fl & VIGIL_FILE_ROOT_MNT) && !(fl & (VIGIL_FILE_OVL_UPPER | VIGIL_FILE_MEMFD)))
		return false;	/* from the image's layers: its path says what it is */
	if (!(j = job_new(a->worker, JOB_IDENTITY, c->cgroup_id))) {
		a->jobs_refused++;
		return false;
	}
	j->pid = e->hdr.proc.pid;
	j->ts_ns = e->hdr.ts_ns;
	/* now, before the worker's queue: a short-lived program is gone by then */
	snprintf(path, sizeof(path), "/proc/%u/exe", j->pid);
	j->exe_fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	snprintf(j->exe, sizeof(j->exe), "%.*s", (int)exe.len, exe.p ? exe.p : "");
	if (c->rootfs)
		snprintf(j->root, sizeof(j->root), "%s", c->rootfs);
	else
		snprintf(j->root, sizeof(j->root), "/proc/%u/root", e->hdr.proc.pid);
	worker_submit(a->worker, j);
	return true;
}

const struct identity_result *agent_identity_of(struct agent *a, uint32_t pid, uint64_t ts_ns)
{
	unsigned int i;

	for (i = 0; i < AGENT_IDENTITIES; i++)
		if (a->identities[i].pid == pid && a->identities[i].ts_ns == ts_ns)
			return &a->identities[i];
	return NULL;
}

static void handle_released(void *arg, const void *rec, size_t size);

static void release(struct agent *a, struct ctr_info *c)
{
	if (c->meta != CTR_META_PENDING && !c->holds)
		park_release(a->park, c->cgroup_id, handle_released, a);
}

/* The container a record belongs to (its top cgroup), 0 for the host. */
static uint64_t record_container(const struct vigil_hdr *h)
{
	if (h->type == VIGIL_EV_CGROUP) {
		const struct vigil_cgroup_event *e = (const void *)h;

		/* a cgroup nested in a container is the same container: not a lifecycle event */
		return e->id == e->ctr_id ? e->id : UINT64_MAX;
	}
	return h->proc.ctr_cgroup_id;
}

int pipeline_record(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;
	const struct vigil_hdr *h = data;
	struct ctr_info *c = NULL;
	uint64_t cgid;

	a->received++;
	/* decode */
	if (record_check(data, size)) {
		a->malformed++;
		return 0;
	}
	cgid = record_container(h);
	if (cgid == UINT64_MAX)
		return 0;
	if (cgid) {
		c = ctr_lookup(a->ctrs, cgid);
		if (!c && h->type == VIGIL_EV_CGROUP && ((const struct vigil_cgroup_event *)h)->kind == VIGIL_CGROUP_MKDIR) {
			const struct vigil_cgroup_event *e = data;
			struct sv p = rec_sv(e, e->path);
			char path[VIGIL_PATH_MAX + 1];

			snprintf(path, sizeof(path), "%.*s", (int)p.len, p.p ? p.p : "");
			if ((c = ctr_add(a->ctrs, cgid, path))) {
				c->created_ns = h->ts_ns;
				/*
				 * The runtime's first syscalls run before the counter is
				 * back; its program cannot have started (it enters the
				 * cgroup after this), so only the set-up counts miss some.
				 */
				if (a->counts_on_demand && !loader_counter_on(&a->ld))
					c->setup_counts_gap = true;
				agent_counts_demand(a);
				pipeline_request_meta(a, c);
			}
		} else if (!c && h->type != VIGIL_EV_CGROUP) {
			if ((c = ctr_from_proc(a, h)))
				pipeline_request_meta(a, c);
		}
	}
	if (c && h->type == VIGIL_EV_EXEC && request_identity(a, c, data))
		c->holds++;
	/* (park) until the container is named, keeping its records in order */
	if (c && (c->meta == CTR_META_PENDING || c->holds || park_holds(a->park, cgid))) {
		if (!park_add(a->park, cgid, data, size, agent_now_ms()))
			return 0;
		a->meta_late++;	/* no room: handled now, unnamed */
	}
	handle_lifecycle(a, data);
	return 0;
}

static void schedule_retry(struct agent *a, struct ctr_info *c, unsigned int base_ms)
{
	if (c->meta_tries >= META_MAX_TRIES || a->n_retries == AGENT_MAX_RETRIES)
		return;
	a->retries[a->n_retries] = (struct meta_retry){
		.cgid = c->cgroup_id, .due_ms = agent_now_ms() + ((uint64_t)base_ms << (c->meta_tries - 1)) };
	a->n_retries++;
}

static void take_meta(struct agent *a, struct job *j)
{
	struct ctr_info *c = ctr_lookup(a->ctrs, j->cgid);
	bool first, had_nets;

	if (!c)
		return;
	first = c->meta == CTR_META_PENDING;
	had_nets = c->n_nets > 0;
	ctr_info_merge(c, &j->meta);
	c->meta = j->state;
	c->meta_tries++;
	if (j->users && !user_store_live(a->users, c->cgroup_id)) {
		user_store_set(a->users, c->cgroup_id, j->users);
		j->users = NULL;
	}
	log_info("container %.12s: name=%s image=%s runtime=%s%s", c->id, c->name ? c->name : "?",
		 c->image ? c->image : "?", ctr_runtime_name(c->runtime),
		 c->meta == CTR_META_PARTIAL ? " (runtime did not answer: asked again later)" : "");
	if (c->meta == CTR_META_PARTIAL)
		schedule_retry(a, c, META_RETRY_MS);
	else if (c->nets_pending)
		schedule_retry(a, c, NETS_RETRY_MS);	/* addresses: assigned while it starts */
	/* its own policy entries, now that its name, image and networks are known */
	if (a->enforce) {
		int n = enforce_container(a->enforce, c);
		bool nets_new = c->n_nets && !had_nets;

		if (n < 0)
			log_warnx("container %.12s: its policy could not all be written", c->id);
		else if ((n > 0 && !c->policy_entries) || (nets_new && c->policy_entries))
			emit_policy(a, c, n);
		if (n >= 0)
			c->policy_entries = n;
	}
	if (first)
		act_container_named(a, c);
	release(a, c);
}

void pipeline_tick(struct agent *a)
{
	uint64_t now = agent_now_ms();
	struct ctr_info *c;
	unsigned int i;
	struct job *j;

	while ((j = worker_take(a->worker))) {
		switch (j->kind) {
		case JOB_META:
			take_meta(a, j);
			break;
		case JOB_USERS:
			if (j->users) {
				user_store_set(a->users, j->cgid, j->users);
				user_store_mark_live(a->users, j->cgid);
				j->users = NULL;
			} else {
				log_debug("container users: %s", j->msg);
			}
			break;
		case JOB_IDENTITY: {
			struct identity_result *r = &a->identities[a->identities_next++ % AGENT_IDENTITIES];

			r->pid = j->pid;
			r->ts_ns = j->ts_ns;
			snprintf(r->origin, sizeof(r->origin), "%s", j->origin);
			snprintf(r->package, sizeof(r->package), "%s", j->package);
			r->padding = j->padding;
			if (j->err)
				log_debug("identity: %s", j->msg);
			if ((c = ctr_lookup(a->ctrs, j->cgid))) {
				if (c->holds)
					c->holds--;
				release(a, c);
			}
			break;
		}
		case JOB_PROFILE:
			if ((c = ctr_lookup(a->ctrs, j->cgid))) {
				if (j->err)
					log_warnx("container %s: profile not applied: %s", c->name ? c->name : c->id,
						  j->msg);
				else
					act_profile_loaded(a, c, j->name, &j->profile);
			}
			break;
		}
		job_free(a->worker, j);
	}
	for (i = 0; i < a->n_retries;) {
		if (a->retries[i].due_ms > now) {
			i++;
			continue;
		}
		struct meta_retry r = a->retries[i];

		a->retries[i] = a->retries[--a->n_retries];
		c = ctr_lookup(a->ctrs, r.cgid);
		if (!c || c->exited)
			continue;
		if (r.users)
			act_request_users(a, c, r.pid);
		else if (c->meta == CTR_META_PARTIAL || c->nets_pending)
			pipeline_request_meta(a, c);
	}
	/* a runtime that does not answer must not hold events for long */
	park_expire(a->park, now, handle_expired, a);
	join_expire(a->join, now, handle_unjoined, a);
	if (a->netmap)
		netmap_tick(a->netmap, now);
}

#define CPU_HOGS_PER_TICK 32

struct cpu_scan {
	struct agent *a;
	uint64_t now_ns;
	struct cpu_hog hogs[CPU_HOGS_PER_TICK];
	size_t n;
};

static void cpu_sample_one(void *arg, const struct proc_info *pi)
{
	struct cpu_scan *s = arg;
	uint64_t cpu, start;

	/* a full list leaves the rest unsampled: the next tick takes them */
	if (!pi->ctr_cgroup_id || s->n == CPU_HOGS_PER_TICK || !cpuwatch_read_stat("/proc", pi->pid, &cpu, &start))
		return;
	if (cpuwatch_sample(s->a->cpuwatch, pi->pid, start, cpu, s->now_ns, &s->hogs[s->n]))
		s->n++;
}

/* The event of a busy process, its context read from the cache and /proc as the kernel accounts it. */
static void cpu_event(struct agent *a, const struct cpu_hog *hog, uint64_t now_ns)
{
	const struct proc_info *pi = proc_cache_get(a->procs, hog->pid), *pp;
	long hz = sysconf(_SC_CLK_TCK);
	struct vigil_cpu_event e;

	if (!pi)
		return;
	memset(&e, 0, sizeof(e));
	e.hdr.version = VIGIL_ABI_VERSION;
	e.hdr.type = VIGIL_EV_CPU;
	e.hdr.size = sizeof(e);
	e.hdr.ts_ns = now_ns;
	e.hdr.proc.pid = e.hdr.proc.tid = pi->pid;
	e.hdr.proc.ppid = pi->ppid;
	e.hdr.proc.vpid = pi->vpid;
	e.hdr.proc.loginuid = (uint32_t)-1;
	e.hdr.proc.cgroup_id = e.hdr.proc.ctr_cgroup_id = pi->ctr_cgroup_id;
	e.hdr.proc.start_ns = hz > 0 ? hog->start_ticks * (1000000000ULL / (uint64_t)hz) : 0;
	if (!cpuwatch_read_status("/proc", pi->pid, &e.hdr.proc))
		return;	/* gone since the sample */
	/* the kernel's own bytes, as the ring's records carry them, not procfs's escaped text */
	memcpy(e.hdr.proc.comm, pi->comm, sizeof(e.hdr.proc.comm));
	if ((pp = proc_cache_get(a->procs, pi->ppid)))
		memcpy(e.hdr.proc.pcomm, pp->comm, sizeof(e.hdr.proc.pcomm));
	e.percent = hog->percent;
	e.seconds = hog->seconds;
	e.cpu_ns = hog->cpu_ns;
	handle(a, &e);
}

void pipeline_cpu_tick(struct agent *a)
{
	struct cpu_scan s = { .a = a };
	const char *types[256];
	struct timespec ts;
	size_t i, n;

	if (!a->cpuwatch || !a->rules)
		return;
	/* no rule judges cpu_usage: nothing is read */
	n = ruleset_event_types(a->rules, types, sizeof(types) / sizeof(types[0]));
	for (i = 0; i < n && strcmp(types[i], "cpu_usage"); i++)
		;
	if (i == n)
		return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	s.now_ns = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	/* the cache must not change while it is walked: judge after */
	proc_cache_each(a->procs, cpu_sample_one, &s);
	cpuwatch_sweep(a->cpuwatch);
	for (i = 0; i < s.n; i++)
		cpu_event(a, &s.hogs[i], s.now_ns);
}

void pipeline_flush(struct agent *a)
{
	park_expire(a->park, UINT64_MAX, handle_expired, a);
	join_expire(a->join, UINT64_MAX, handle_unjoined, a);
	if (a->netmap)
		netmap_tick(a->netmap, UINT64_MAX);
}
