/*
 * agent.h - the core of `vigil run`: one context, and the pipeline every
 * ring-buffer record goes through.
 *
 *   agent.c     start-up, the main loop, reload, shutdown
 *   pipeline.c  per record: decode -> enrich -> judge -> act -> emit;
 *               records of a container not yet named wait in park.c
 *   enrich.c    process cache, container, users, activity, baselines
 *   judge.c     the rules: loading, reloading, the verdict of an event
 *   act.c       what an event makes the agent do (arm a profile, refresh
 *               a container's users; enforcement lands here)
 *   emit.c      events and container lifecycle records to the sinks
 *   worker.c    the helper thread for everything that may block
 *   activity.c  per-container recent activity (connect targets)
 */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "bpf/loader.h"
#include "enforce/enforce.h"
#include "core/event.h"
#include "core/metrics.h"
#include "core/status.h"
#include "output/format.h"
#include "output/forward.h"
#include "output/jsonw.h"
#include "output/sink.h"
#include "rules/fields.h"
#include "rules/rules.h"
#include "seccomp/syscall_set.h"

#define AGENT_MAX_PROFILES 64
#define AGENT_MAX_RULE_FILES 32
#define AGENT_MAX_MATCHES 16
#define AGENT_STATE_DIR "/var/lib/vigil"

/* --profile NAME=FILE: container NAME is checked against the profile FILE. */
struct agent_profile {
	const char *container;
	const char *path;
};

struct agent_opts {
	struct loader_opts bpf;
	enum output_mode mode;
	const char *output_file;	/* JSON lines appended, or NULL */
	struct sink_logdir_opts logs;	/* --log-dir */
	const char *log_key;		/* --log-key: the checkpoints' signing key; NULL: in the state dir */
	bool log_plain;			/* --log-plain: no seals, no checkpoints */
	const char *tpm;		/* --tpm: "auto", "off" or a TCTI */
	unsigned int tpm_pcr;		/* --tpm-pcr */
	const char *docker_socket;	/* NULL: default */
	const char *podman_root;	/* NULL: default */
	const char *profile_dir;	/* label profiles are names in it; NULL: default */
	const char *state_dir;		/* what is learned (and the traffic map, the log key) persists here */
	unsigned int summary_interval;	/* seconds; 0 = only at container exit */
	bool proc_events;		/* also print fork and exit */
	unsigned int duration;		/* seconds to run; 0 = until signalled */
	struct agent_profile profiles[AGENT_MAX_PROFILES];
	unsigned int n_profiles;
	const char *rules[AGENT_MAX_RULE_FILES];	/* none: the default policy */
	unsigned int n_rules;
	bool no_rules;			/* observe only: every event NORMAL */
	bool alerts_only;		/* --events alerts: INSECURE events and container lifecycle only */
	unsigned int learn_seconds;	/* capability learning window per container */
	unsigned int cpu_sustain;	/* seconds a process keeps a CPU busy before cpu_usage; 0 off */
	int ready_fd;			/* write "READY=1\n" here once watching; -1 none */
	struct enforce_opts enforce;	/* --enforce, SYN flood detection */
	const char *metrics;		/* --metrics ADDR: the Prometheus listener, or NULL */
	unsigned int metrics_top;	/* syscall series per container */
	bool bpf_stats;			/* --bpf-stats: the kernel times each program run */
	struct fwd_opts webhook;	/* --webhook: target NULL when off */
	struct fwd_opts syslog;		/* --syslog */
	int syslog_facility;
};

/* Runs until SIGINT/SIGTERM (or duration).  Returns the exit status. */
int agent_run(const struct agent_opts *o);

/* ---- inside the core ---- */

/* What a rule's action made Vigil do about an event (or, in audit mode, would have). */
struct action_report {
	enum rule_action kind;		/* RULE_ALERT: nothing to do */
	const char *rule;		/* the rule that asked for it */
	const char *by;			/* "kernel" or "agent" */
	const char *when;		/* "at syscall entry", "at exec", "at connect", "after connect", "after the event" */
	bool enforce;			/* false: audit mode, it would have been done */
	bool refused;			/* the kernel refused the connect (a kill rule on a connect) */
	bool done;			/* it was done (in enforce mode) */
	int err;			/* -errno when it was not */
};

struct verdict {
	const struct rule *m[AGENT_MAX_MATCHES];
	size_t n;			/* matching rules */
	bool judged;			/* the rules looked at it */
	bool insecure;			/* n > 0, or decided by the kernel (profile, policy) */
	struct action_report action;
};

/* Something to ask the worker for later: metadata again, or a container's users. */
struct meta_retry {
	uint64_t cgid;
	uint64_t due_ms;
	uint32_t pid;		/* users: read through this process's root */
	bool users;
};
#define AGENT_MAX_RETRIES 256

/* Which image program a new executable is, by exec (proc/identity.h). */
struct identity_result {
	uint32_t pid;
	uint64_t ts_ns;
	char origin[64];
	char package[64];
	uint64_t padding;
};
#define AGENT_IDENTITIES 256

struct agent {
	const struct agent_opts *opts;
	struct loader ld;
	struct ring_buffer *rb;
	struct proc_cache *procs;
	struct ctr_registry *ctrs;
	struct user_store *users;
	struct activity *activity;
	struct cpuwatch *cpuwatch;	/* NULL: --cpu-sustain 0 */
	uint64_t next_cpu_ms;
	struct cap_baselines *caps;
	struct novelty *novelty;	/* learned behaviour per image */
	struct profile_checks *profiles;
	struct enforce *enforce;
	struct worker *worker;
	struct park *park;
	struct join *join;
	struct sinks out;
	struct fmt_ctx fmt;
	struct jw jw;
	char host[256];
	char text[16384];
	/* judge */
	struct ruleset *rules;		/* immutable; replaced whole on reload */
	struct burst_table *bursts;	/* burst rules' sessions (burst.h); kept across reloads */
	const char *rule_paths[AGENT_MAX_RULE_FILES];
	size_t n_rule_paths;
	char default_rules[4096];
	struct field_ctx fc;		/* per-event state for the rules, reused */
	/* retries of metadata that a runtime did not give */
	struct meta_retry retries[AGENT_MAX_RETRIES];
	unsigned int n_retries;
	struct identity_result identities[AGENT_IDENTITIES];	/* a ring */
	unsigned int identities_next;
	/* counters */
	uint64_t received;
	uint64_t malformed;
	uint64_t insecure;
	uint64_t meta_late;		/* handled before the metadata arrived */
	uint64_t jobs_refused;		/* worker queue full */
	uint64_t join_full;		/* two-part actions handled apart: no room to wait */
	uint64_t acted;			/* kills and refusals done */
	uint64_t would_act;		/* ... that audit mode only reported */
	uint64_t act_failed;		/* ... that were asked for and did not work */
	time_t next_summary;
	/* drops, checked every second and put into the event stream */
	uint64_t drops_seen[VIGIL_STAT_MAX];
	uint64_t agent_drops_seen;
	uint64_t drops_recent;		/* lost in the last window: said on alerts */
	uint64_t drops_recent_until_ms;
	uint64_t next_drops_ms;
	bool counts_on_demand;		/* --syscall-counts auto, where it applies */
	bool env_read;			/* exec records carry the environment (rules read proc.env) */
	bool color;			/* text on a terminal: INSECURE highlighted */
	uint64_t counts_switches;	/* the counter attached or detached */
	struct agent_metrics metrics;	/* --metrics */
	/* --webhook, --syslog: alerts to other systems */
	struct forwarder *webhook, *syslog;
	struct jw fjw;			/* an alert in Falco's schema */
	char *sbuf;			/* a syslog line */
	size_t sbuf_cap;
	struct fwd_stats fwd_final[2];	/* webhook, syslog: their counts once stopped */
	struct netmap *netmap;		/* who talks to whom (core/netmap.h) */
	struct chain_key log_key;	/* signs the log files' checkpoints */
	struct tpm *tpm;		/* anchors them in a PCR; NULL: no TPM */
	struct status status;		/* the page at / (--metrics) */
	uint64_t next_netmap_ms;
};

uint64_t agent_now_ms(void);
/* The syscall counter attached while some container needs it (--syscall-counts auto). */
void agent_counts_demand(struct agent *a);

/* judge.c: the rules (and their actions) for every container known, after a (re)load */
void judge_enforce_all(struct agent *a);

/* The traffic map written to the state directory (and /netmap.json) when it changed, or now (force). */
void agent_netmap_save(struct agent *a, bool force);

/* pipeline.c */
int pipeline_record(void *ctx, void *data, size_t size);
/* Takes the worker's answers, releases and expires parked records. */
void pipeline_tick(struct agent *a);
/* Samples the container processes' CPU time; judges a cpu_usage event for each one busy too long. */
void pipeline_cpu_tick(struct agent *a);
/* Handles every parked record now (shutdown). */
void pipeline_flush(struct agent *a);
/* Asks the worker for container c's metadata; false when it refused. */
bool pipeline_request_meta(struct agent *a, struct ctr_info *c);

/* The identity found for the exec of pid at ts_ns, or NULL. */
const struct identity_result *agent_identity_of(struct agent *a, uint32_t pid, uint64_t ts_ns);

/* enrich.c: state updates and the view of one record */
void enrich(struct agent *a, const void *rec, struct event_view *ev);
/* after the event: what the record ends (a process exit) */
void enrich_after(struct agent *a, const void *rec);
/* a container's cgroup appeared or went: returns the container (or NULL) */
struct ctr_info *enrich_cgroup(struct agent *a, const struct vigil_cgroup_event *e);
void enrich_forget(struct agent *a, uint64_t cgid);

/* judge.c */
int judge_init(struct agent *a);
void judge_fini(struct agent *a);
void judge(struct agent *a, const struct event_view *ev, struct verdict *v);
void judge_reload(struct agent *a);
/* Attaches the syscall events the rules need (all when every event is printed). */
int judge_apply_interest(struct agent *a);

/* act.c */
void act(struct agent *a, const struct event_view *ev, struct verdict *v);
/* a container was named: attach its profile, follow its users */
void act_container_named(struct agent *a, struct ctr_info *c);
/* reads c's /etc/passwd again, through process pid's root */
void act_request_users(struct agent *a, struct ctr_info *c, uint32_t pid);
/* the worker read the profile c's label names */
void act_profile_loaded(struct agent *a, struct ctr_info *c, const char *name, const struct syscall_set *set);

/* emit.c */
void emit(struct agent *a, const struct event_view *ev, const struct verdict *v);
/* agent-made records: "container_start", "container_exit", "summary" */
void emit_container(struct agent *a, const char *type, const struct ctr_info *c, bool with_counts);
void emit_summaries(struct agent *a);
void emit_final_stats(struct agent *a);
/* A "drops" event when anything was lost since the last call (once a second). */
void emit_drops(struct agent *a);
/* Alerts lost on their way out: the webhook's and syslog's queues were full, or shut down. */
uint64_t emit_forward_dropped(struct agent *a);
/* A container's own policy entries are in the kernel (n of them): when, relative to its start. */
void emit_policy(struct agent *a, const struct ctr_info *c, int n);

#endif
