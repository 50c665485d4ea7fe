/*
 * agent.c - `vigil run`: start-up (rules, BPF, the containers already
 * running), the main loop (drain the ring buffer, take the worker's
 * answers, flush, summarise, reload), and an orderly shutdown that loses
 * nothing already in the ring.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bpf/maps.h"
#include "bpf/probe.h"
#include "core/agent.h"
#include "core/cpuwatch.h"
#include "core/join.h"
#include "core/netmap.h"
#include "core/park.h"
#include "core/worker.h"
#include "learn/cap_baseline.h"
#include "learn/novelty.h"
#include "proc/users.h"
#include "rules/rules.h"
#include "seccomp/check.h"
#include "output/httpd.h"
#include "output/tpm.h"
#include "util/log.h"
#include "util/safefile.h"

#define DRAIN_MS 10
/* containers running at start: how long to wait for their names before watching */
#define START_META_WAIT_MS 3000
/* at shutdown: how long the webhook and syslog may take to send what is queued */
#define FWD_DRAIN_MS 3000
/* how often the traffic map is written when it changed */
#define NETMAP_SAVE_MS 5000

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

uint64_t agent_now_ms(void)
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

/* A container running before the agent: marked in the kernel, named, learned from now. */
static int scan_cb(void *arg, const char *path, uint64_t cgid, uint64_t top)
{
	struct agent *a = arg;
	struct ctr_info *c;
	struct timespec now;

	if (kmaps_mark_cgroup(&a->ld, path, cgid, top))
		log_warn("%s: cgroup mark (its syscalls are not counted)", path);
	if (cgid != top || !(c = ctr_lookup(a->ctrs, top)))
		return 0;
	clock_gettime(CLOCK_BOOTTIME, &now);
	cap_baseline_start(a->caps, c, now.tv_sec * 1000000000ULL + now.tv_nsec);
	novelty_start(a->novelty, c, now.tv_sec * 1000000000ULL + now.tv_nsec);
	if (c->meta == CTR_META_PENDING)
		pipeline_request_meta(a, c);
	return 0;
}

/* --ready-fd, and systemd's NOTIFY_SOCKET (Type=notify): the agent watches. */
static void notify_ready(struct agent *a)
{
	const char *sock = getenv("NOTIFY_SOCKET");
	static const char msg[] = "READY=1\n";

	if (a->opts->ready_fd >= 0) {
		if (write(a->opts->ready_fd, msg, sizeof(msg) - 1) < 0)
			log_warn("--ready-fd %d", a->opts->ready_fd);
		close(a->opts->ready_fd);
	}
	if (sock && (sock[0] == '/' || sock[0] == '@') && strlen(sock) < sizeof(((struct sockaddr_un *)0)->sun_path)) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		socklen_t len;

		strcpy(sa.sun_path, sock);
		if (sa.sun_path[0] == '@')
			sa.sun_path[0] = '\0';	/* abstract */
		len = offsetof(struct sockaddr_un, sun_path) + strlen(sock);
		if (fd >= 0 && sendto(fd, msg, sizeof(msg) - 2, 0, (struct sockaddr *)&sa, len) < 0)
			log_warn("NOTIFY_SOCKET %s", sock);
		if (fd >= 0)
			close(fd);
	}
}

/*
 * --tpm: the TPM that anchors the signed log chains (output/tpm.h).  No
 * TPM under auto is said once and is no error: signatures still work.
 */
static int agent_tpm_open(struct agent *a, const struct agent_opts *o, struct sink_logdir_opts *lo)
{
	char why[256];
	bool absent;

	if (!strcmp(o->tpm, "off"))
		return 0;
	a->tpm = tpm_open(o->tpm, o->tpm_pcr, &absent, why, sizeof(why));
	if (!a->tpm && absent) {
		fprintf(stderr, "vigil: %s: log checkpoints are signed but not anchored in a TPM (--tpm)\n", why);
		return 0;
	}
	if (!a->tpm) {
		log_warnx("--tpm %s: %s", o->tpm, why);
		return -ENODEV;
	}
	if (safefile_replace(o->state_dir, "tpm-ak.pem", tpm_ak_pem(a->tpm), strlen(tpm_ak_pem(a->tpm))))
		log_warn("%s/tpm-ak.pem", o->state_dir);
	fprintf(stderr, "vigil: log chains anchored in PCR %u of the TPM at %s, quotes by attestation key %s (%s/tpm-ak.pem)\n",
		o->tpm_pcr, tpm_tcti(a->tpm), tpm_ak_id(a->tpm), o->state_dir);
	if (o->tpm_pcr == 16 || o->tpm_pcr == 23)
		log_warnx("--tpm-pcr %u can be reset without a reboot, so root can replay a rewritten history into it",
			  o->tpm_pcr);
	lo->tpm = a->tpm;
	return 0;
}

static int start(struct agent *a)
{
	const struct agent_opts *o = a->opts;
	struct worker_config wc = {
		.meta = { .docker_socket = o->docker_socket, .podman_root = o->podman_root },
		.profile_dir = o->profile_dir,
	};
	struct loader_opts lo;
	const char *cgroot;
	char why[256];
	unsigned int i;
	uint64_t until;
	int n = 0, swept, err;

	jw_init(&a->jw);
	a->color = o->mode == OUTPUT_TEXT && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	gethostname(a->host, sizeof(a->host) - 1);
	a->fmt.host = a->host;
	a->fmt.boot_to_real_ns = boot_to_real_ns();
	if ((err = sinks_open(&a->out, o->mode, o->output_file)))
		return err;
	if (o->logs.dir) {
		struct sink_logdir_opts lo = o->logs;

		if (!o->log_plain) {
			const char *dir = o->state_dir;
			char path[4096];
			bool made;

			snprintf(path, sizeof(path), "%s/log-signing.key", dir);
			/* the key's home, and the TPM's AK after it */
			if (mkdir(dir, 0700) && errno != EEXIST)
				log_warn("%s", dir);
			if ((err = chain_key_load(o->log_key ? o->log_key : path, &a->log_key, &made, why, sizeof(why)))) {
				log_warnx("--log-dir: signing key: %s", why);
				return err;
			}
			fprintf(stderr, "vigil: log checkpoints signed by %s%s (keep it off this host: vigil verify --pubkey)\n",
				a->log_key.pk_text, made ? ", a key made now" : "");
			lo.key = &a->log_key;
			if ((err = agent_tpm_open(a, o, &lo)))
				return err;
		}
		if ((err = sinks_open_logdir(&a->out, &lo)))
			return err;
	}
	jw_init(&a->fjw);
	if (o->webhook.target && !(a->webhook = fwd_start(&o->webhook, why, sizeof(why)))) {
		log_warnx("--webhook: %s", why);
		return -EINVAL;
	}
	if (o->syslog.target && !(a->syslog = fwd_start(&o->syslog, why, sizeof(why)))) {
		log_warnx("--syslog: %s", why);
		return -EINVAL;
	}
	a->procs = proc_cache_new();
	a->ctrs = ctr_registry_new();
	a->users = user_store_new();
	a->activity = activity_new();
	a->caps = cap_baselines_new((uint64_t)o->learn_seconds * 1000000000ULL,
				    o->state_dir);
	if (o->cpu_sustain && !(a->cpuwatch = cpuwatch_new(o->cpu_sustain)))
		return -ENOMEM;
	a->novelty = novelty_new((uint64_t)o->learn_seconds * 1000000000ULL, o->state_dir);
	a->park = park_new();
	a->netmap = netmap_new();
	a->join = join_new();
	a->profiles = profile_checks_new(&a->ld);
	a->worker = worker_new(&wc);
	if (!a->procs || !a->ctrs || !a->users || !a->activity || !a->caps || !a->park || !a->join || !a->profiles ||
	    !a->worker || !a->netmap) {
		log_warn("start-up");
		return -ENOMEM;
	}
	for (i = 0; i < o->n_profiles; i++)
		if ((err = profile_checks_add(a->profiles, o->profiles[i].container, o->profiles[i].path)))
			return err;
	if (judge_init(a))
		return -EINVAL;
	lo = o->bpf;
	if (lo.syscall_counts && lo.counts_on_demand) {
		char why[128];

		if (probe_compat_abi(why, sizeof(why))) {
			/* their only hook: a detached counter would leave them unseen and unkilled */
			lo.counts_on_demand = false;
			fprintf(stderr, "vigil: syscall counts: always on, %s and only the sys_enter hook sees them\n", why);
		} else {
			log_debug("syscall counts: while needed (%s)", why);
		}
	}
	a->counts_on_demand = lo.syscall_counts && lo.counts_on_demand;
	/* the environment leaves the kernel only for rules that read it */
	if (a->rules && ruleset_uses_field(a->rules, "proc.env"))
		lo.env_max = VIGIL_ENV_MAX;
	a->env_read = lo.env_max > 0;
	if ((err = loader_load(&a->ld, &lo)))
		return err;
	a->rb = ring_buffer__new(kmaps_events_fd(&a->ld), pipeline_record, a, NULL);
	if (!a->rb) {
		err = -errno;
		log_warn("ring buffer");
		return err;
	}
	if ((err = loader_attach(&a->ld)) || (err = judge_apply_interest(a)))
		return err;
	a->enforce = enforce_new(&a->ld, &o->enforce);
	if (!a->enforce)
		return -ENOMEM;
	if (a->rules && (err = enforce_rules(a->enforce, a->rules)))
		log_warnx("enforcement: %s", strerror(-err));
	/* our hooks are in: an earlier agent's (--pin) can go now, never before */
	loader_persist(&a->ld);
	if (o->bpf.pin)
		fprintf(stderr, "vigil: --pin: hooks and maps outlive this agent (%d map(s) taken over from an "
			"earlier one); `vigil unpin` removes them\n", a->ld.n_reused);
	proc_cache_seed(a->procs, "/proc");
	cgroot = cgroup2_root();
	if (!cgroot)
		log_warnx("no cgroup v2 hierarchy mounted: containers cannot be told apart");
	else
		n = ctr_scan(a->ctrs, cgroot, scan_cb, a);
	/* name the containers found before saying we watch: their first events carry names */
	until = agent_now_ms() + START_META_WAIT_MS;
	while (worker_pending(a->worker) && agent_now_ms() < until) {
		worker_wait(a->worker, 100);
		pipeline_tick(a);
	}
	/* policy an earlier agent (--pin) left for containers gone meanwhile, or rules no longer loaded */
	if (a->ld.n_reused && (swept = enforce_sweep(a->enforce)))
		log_info("enforcement: %d entries of an earlier agent removed", swept);
	fprintf(stderr, "vigil: %s\n", a->ld.hooks);
	{
		char desc[512];

		enforce_describe(a->enforce, desc, sizeof(desc));
		fprintf(stderr, "vigil: enforcement: %s%s%s\n", desc, a->ld.lsm_loaded ? "" : "; BPF LSM: ",
			a->ld.lsm_loaded ? "" : a->ld.lsm_why[0] ? a->ld.lsm_why : "not used");
	}
	fprintf(stderr, "vigil: watching %s; %d container cgroup(s) found at start; cgroup v2 at %s\n",
		o->bpf.watch_host ? "containers and host" : "containers", n, cgroot ? cgroot : "-");
	if (o->metrics && (err = metrics_start(a)))
		return err;
	agent_netmap_save(a, true);	/* this agent's map, from now */
	notify_ready(a);
	return 0;
}

struct demand {
	struct agent *a;
	uint64_t now_ns, learn_ns;
	bool need;
	bool detaching;
};

static int counts_needed_by(void *arg, struct ctr_info *c)
{
	struct demand *d = arg;

	if (d->detaching) {
		c->counts_gap = true;
		return 0;
	}
	if (c->exited)
		return 0;
	/* new while this agent runs, and young; or checked against a profile */
	if ((c->created_ns && d->now_ns - c->created_ns < d->learn_ns) ||
	    profile_checks_name(d->a->profiles, c->cgroup_id)) {
		d->need = true;
		return 1;
	}
	return 0;
}

/*
 * --syscall-counts auto: the counter is attached while a container needs
 * it (a young one: its profile is recorded; one with a --profile: checked)
 * and detached when none does, so the steady state pays nothing on any
 * syscall.  Containers alive while it was off have partial counts, and
 * say so (syscalls_complete: false).
 */
void agent_counts_demand(struct agent *a)
{
	struct demand d = { .a = a, .learn_ns = (uint64_t)a->opts->learn_seconds * 1000000000ULL };
	struct timespec ts;
	bool on;
	int err;

	if (!a->counts_on_demand)
		return;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	d.now_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	ctr_each(a->ctrs, counts_needed_by, &d);
	on = loader_counter_on(&a->ld);
	if (d.need == on)
		return;
	if ((err = loader_counter_set(&a->ld, d.need))) {
		log_warnx("syscall counter: %s", strerror(-err));
		return;
	}
	if (!d.need) {
		d.detaching = true;
		ctr_each(a->ctrs, counts_needed_by, &d);
	}
	a->counts_switches++;
	log_debug("syscall counter %s", d.need ? "attached: a container needs it" : "detached: no container needs it");
}

void agent_netmap_save(struct agent *a, bool force)
{
	const char *dir = a->opts->state_dir;
	int err;

	if (!force && !netmap_dirty(a->netmap))
		return;
	netmap_json(a->netmap, &a->jw);
	if (a->jw.err)
		return;
	if (a->metrics.on)
		httpd_publish(a->metrics.http, "/netmap.json", "application/json", a->jw.buf, a->jw.len);
	if ((err = safefile_replace(dir, NETMAP_FILE, a->jw.buf, a->jw.len)))
		log_warnx("%s/%s: traffic map not saved: %s", dir, NETMAP_FILE, strerror(-err));
}

/* A pid's process is there (a sweep of the cache, where exit events were lost). */
static int pid_alive(uint32_t pid)
{
	return kill((pid_t)pid, 0) == 0 || errno != ESRCH;
}

static void loop(struct agent *a)
{
	uint64_t next_sweep = agent_now_ms() + 60000;
	const struct agent_opts *o = a->opts;
	time_t deadline = o->duration ? time(NULL) + o->duration : 0;
	int err;

	a->next_summary = o->summary_interval ? time(NULL) + o->summary_interval : 0;
	while (!stop_requested) {
		/*
		 * The kernel side wakes us only when the ring fills up (see
		 * rec_send()), so drain it on a short timer as well.
		 */
		err = ring_buffer__poll(a->rb, DRAIN_MS);
		if (err >= 0)
			err = ring_buffer__consume(a->rb);
		if (err < 0 && err != -EINTR) {
			log_warnx("ring buffer: %s", strerror(-err));
			break;
		}
		pipeline_tick(a);
		enforce_poll(a->enforce);
		sinks_tick(&a->out, agent_now_ms(), false);
		if (agent_now_ms() >= next_sweep) {
			size_t gone = proc_cache_sweep(a->procs, pid_alive);

			if (gone)
				log_debug("process cache: %zu processes whose exit was not seen", gone);
			next_sweep = agent_now_ms() + 60000;
		}
		if (a->cpuwatch && agent_now_ms() >= a->next_cpu_ms) {
			pipeline_cpu_tick(a);
			a->next_cpu_ms = agent_now_ms() + CPUWATCH_INTERVAL_MS;
		}
		if (agent_now_ms() >= a->next_drops_ms) {
			emit_drops(a);
			cap_baselines_flush(a->caps);	/* a baseline learned is kept at once */
			novelty_flush(a->novelty);
			enforce_tick(a->enforce);
			agent_counts_demand(a);
			a->next_drops_ms = agent_now_ms() + 1000;
		}
		metrics_tick(a, agent_now_ms());
		if (agent_now_ms() >= a->next_netmap_ms) {
			agent_netmap_save(a, false);
			a->next_netmap_ms = agent_now_ms() + NETMAP_SAVE_MS;
		}
		if (a->next_summary && time(NULL) >= a->next_summary) {
			emit_summaries(a);
			a->next_summary = time(NULL) + o->summary_interval;
		}
		if (deadline && time(NULL) >= deadline)
			break;
		if (reload_requested) {
			reload_requested = 0;
			judge_reload(a);
			novelty_reload(a->novelty);	/* images vigil learn --reset started over */
		}
	}
}

static void stop(struct agent *a)
{
	uint64_t until;

	/* stop producing, then drain what is already in the ring */
	loader_detach(&a->ld);
	ring_buffer__consume(a->rb);
	/* give the runtime a moment to name what is parked, then let it all out */
	until = agent_now_ms() + 500;
	while (park_bytes(a->park) && agent_now_ms() < until) {
		worker_wait(a->worker, 50);
		pipeline_tick(a);
	}
	pipeline_flush(a);
	emit_summaries(a);
	sinks_tick(&a->out, agent_now_ms(), true);
	/* what is queued for the network gets a few seconds; the rest is counted */
	fwd_stop(a->webhook, FWD_DRAIN_MS, &a->fwd_final[0]);
	fwd_stop(a->syslog, FWD_DRAIN_MS, &a->fwd_final[1]);
	a->webhook = a->syslog = NULL;
	agent_netmap_save(a, true);
	emit_final_stats(a);
}

static void cleanup(struct agent *a)
{
	/* the listener first: it serves pages of the tables below */
	metrics_stop(a);
	/* the worker next: it may still hold jobs for the tables below */
	worker_free(a->worker);
	ring_buffer__free(a->rb);
	enforce_free(a->enforce);
	if (a->ld.skel)
		loader_close(&a->ld);
	park_free(a->park);
	netmap_free(a->netmap);
	join_free(a->join);
	profile_checks_free(a->profiles);
	ctr_registry_free(a->ctrs);
	user_store_free(a->users);
	activity_free(a->activity);
	cap_baselines_free(a->caps);
	novelty_free(a->novelty);
	cpuwatch_free(a->cpuwatch);
	proc_cache_free(a->procs);
	judge_fini(a);
	fwd_stop(a->webhook, 0, NULL);
	fwd_stop(a->syslog, 0, NULL);
	sinks_close(&a->out);
	tpm_close(a->tpm);	/* after the sinks: their shutdown anchors */
	jw_free(&a->jw);
	jw_free(&a->fjw);
	free(a->sbuf);
}

int agent_run(const struct agent_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct agent *a = calloc(1, sizeof(*a));
	int status = 1;

	if (!a) {
		log_warn("start-up");
		return 1;
	}
	a->opts = o;
	a->ld.pin_lock_fd = -1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!start(a)) {
		loop(a);
		stop(a);
		status = 0;
	}
	cleanup(a);
	free(a);
	return status;
}
