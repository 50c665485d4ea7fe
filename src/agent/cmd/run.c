/* run.c - `vigil run`: the agent's options, then core/agent.c. */
#include <getopt.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/abi.h"
#include "cmd/cmd.h"
#include "cmd/config.h"
#include "core/agent.h"
#include "core/cpuwatch.h"
#include "output/httpd.h"
#include "output/tpm.h"
#include "seccomp/check.h"
#include "util/log.h"

void run_usage(FILE *f)
{
	fprintf(f,
"usage: vigil run [--config FILE] [options]\n"
"\n"
"      --config FILE        options from a YAML file: each key a long option\n"
"                           below without its dashes (deploy/vigil.yaml); the\n"
"                           command line's flags win over the file's\n"
"  -o, --output json|text   stdout format (default: json when stdout is not a\n"
"                           terminal, text when it is)\n"
"  -f, --output-file PATH   also append JSON lines to PATH\n"
"      --log-dir DIR        also write JSON lines into DIR (0700, files 0600): a\n"
"                           file per family (exec, file, net, priv, syscall;\n"
"                           every INSECURE event also in alert.json), rotated\n"
"                           by size (docs/events.md)\n"
"      --log-files split|unified\n"
"                           a file per family (default) or one vigil.json\n"
"      --log-max-size N[K|M|G]\n"
"                           rotate a file before it passes N bytes (default 64M)\n"
"      --log-keep N         rotated files kept per file (default 5)\n"
"      --log-key FILE       the Ed25519 key that signs the log files' checkpoints\n"
"                           (default STATE_DIR/log-signing.key, made on first\n"
"                           use; its public half beside it in .pub).  Every line\n"
"                           is chained; vigil verify checks the files\n"
"      --log-checkpoint N,S a signed checkpoint every N records or S seconds\n"
"                           (default 1000,10), at rotation and at shutdown\n"
"      --log-plain          log lines without seals or checkpoints\n"
"      --tpm auto|off|TCTI  anchor the chains in a TPM PCR every --tpm-interval\n"
"                           and at shutdown, and answer POST /attest on the\n"
"                           --metrics listener (auto, the default: /dev/tpmrm0\n"
"                           when there is one; TCTI e.g.\n"
"                           swtpm:host=127.0.0.1,port=2321).  The attestation\n"
"                           key's public half: STATE_DIR/tpm-ak.pem\n"
"      --tpm-pcr N          the SHA-256 PCR extended (default 14)\n"
"      --tpm-interval S     seconds between a stream's anchors (default 10)\n"
"      --rules FILE         rule file (repeatable; later files append to and\n"
"                           override earlier ones); default: the shipped\n"
"                           rules/vigil_rules.yaml.  SIGHUP reloads them\n"
"      --no-rules           observe only, no verdicts\n"
"      --events alerts|all  alerts (default): INSECURE events and each container's\n"
"                           start, exit and summary, and the kernel sends only\n"
"                           the syscalls the rules test; all: every event, each\n"
"                           judged NORMAL or INSECURE\n"
"      --alerts-only        the same as --events alerts\n"
"      --host               report host processes too (default: containers only)\n"
"      --syscall-counts auto|always|off\n"
"                           per-container counts of every syscall, the one hook\n"
"                           every syscall pays for.  auto (default): counted\n"
"                           while some container is in its first --learn-seconds\n"
"                           or has a --profile, and always where 32-bit syscalls\n"
"                           can run (docs/performance.md)\n"
"      --no-syscall-counts  the same as --syscall-counts off\n"
"      --exit-hook per-syscall|dispatch\n"
"                           how reported syscalls are seen at their return: a\n"
"                           syscalls:sys_exit_<name> tracepoint each (default),\n"
"                           or one tp_btf/sys_exit program every syscall runs,\n"
"                           filtering first (docs/performance.md)\n"
"      --summary-interval S per-container syscall summary every S seconds\n"
"                           (default 60; 0 = only when a container exits)\n"
"      --proc-events        also print fork and exit events\n"
"      --ringbuf-mb N       ring buffer size in MiB, a power of two (default 4;\n"
"                           it is mapped twice, so RSS shows 2x)\n"
"      --argv-max N         bytes of argv kept per exec (default %d, max %d)\n"
"      --dedup-window MS    a process opening the same file with the same access\n"
"                           again within MS ms is counted, not reported again\n"
"                           (default 5000; 0 reports every open)\n"
"      --docker-socket PATH Docker Engine API socket (default /var/run/docker.sock)\n"
"      --podman-root DIR    podman's container storage, read for names and images\n"
"                           (default /var/lib/containers/storage)\n"
"      --profile-dir DIR    where the profiles named by vigil.profile labels are\n"
"                           (default " PROFILE_DIR_DEFAULT ")\n"
"      --max-containers N   containers watched at once (default 8192); past it a\n"
"                           new container is reported as unwatched, never silently\n"
"      --ready-fd N         write READY=1 to fd N once every hook is attached and\n"
"                           the running containers are named (also sent to\n"
"                           systemd's NOTIFY_SOCKET when set)\n"
"      --profile NAME=FILE  check container NAME's syscalls against the seccomp\n"
"                           profile FILE (repeatable; a container label\n"
"                           vigil.profile=NAME names a file in --profile-dir):\n"
"                           the first use of\n"
"                           each syscall outside it is an INSECURE event\n"
"      --learn-seconds S    capabilities an image's first container is granted in\n"
"                           its first S seconds (default 120) are the image's\n"
"                           normal use, learned once; later grants outside it, in\n"
"                           any container of the image, are anomalies\n"
"      --cpu-sustain S      a container process that keeps %d%% of a CPU busy for S\n"
"                           seconds is a cpu_usage event the rules judge, read\n"
"                           from /proc every 5 s (default 120; 0 = off)\n"
"      --state-dir DIR      where learned baselines persist (default " AGENT_STATE_DIR ")\n"
"      --enforce            carry out the rules' actions (action: kill, deny);\n"
"                           without it they are decided all the same and\n"
"                           reported as \"would kill\" / \"would deny\" (audit)\n"
"      --pin                hooks and maps outlive the agent (bpffs): a crash or\n"
"                           an upgrade leaves enforcement in force and the next\n"
"                           agent with --pin takes it over; `vigil unpin` ends it\n"
"      --no-lsm             do not load the BPF LSM tier even where the kernel\n"
"                           allows it (docs/enforcement.md)\n"
"      --syn-flood-rate N   count TCP SYNs per source at the containers' veths\n"
"                           (XDP); above N per second an INSECURE syn_flood\n"
"                           event, and with --enforce that source's SYNs are\n"
"                           dropped for --syn-flood-block seconds (default 10).\n"
"                           Default off\n"
"      --syn-flood-iface IF also count on host interface IF (repeatable)\n"
"      --syn-flood-block S  how long a flooding source's SYNs are dropped\n"
"      --webhook URL        POST each alert to URL (http or https) as JSON in\n"
"                           Falco's output schema (falcosidekick accepts it);\n"
"                           queued, retried with backoff, never waited on\n"
"      --webhook-batch N    alerts per POST (default 1; more: NDJSON bodies)\n"
"      --webhook-ca FILE    CA bundle for an https URL\n"
"      --webhook-insecure   do not verify the https server's certificate\n"
"      --syslog TARGET      each alert as an RFC 5424 message: unix (/dev/log),\n"
"                           unix:/PATH, or tcp://HOST:PORT (octet-counted)\n"
"      --syslog-facility F  daemon (default), auth, user, local0 ... local7\n"
"      --metrics ADDR       serve Prometheus metrics at http://ADDR/metrics and\n"
"                           /healthz; ADDR is HOST:PORT, [V6]:PORT or a PORT on\n"
"                           loopback, e.g. 127.0.0.1:9464 (default off;\n"
"                           docs/outputs.md)\n"
"      --metrics-top N      syscall series per container (default %d, max %d;\n"
"                           the rest are summed as syscall=\"other\")\n"
"      --bpf-stats          have the kernel time every BPF program run while the\n"
"                           agent runs (vigil_bpf_program_run_seconds_total; each\n"
"                           run then costs ~20 ns more)\n"
"      --duration S         stop after S seconds\n"
"  -v, --verbose            more diagnostics (-vv: libbpf and verifier logs)\n"
"\n"
"Stop with Ctrl-C or SIGTERM: hooks are detached, buffered events flushed and a\n"
"final stats line (events, drops by reason, RSS, CPU) printed to stderr.\n"
"Event format: docs/events.md.\n", 2048, VIGIL_ARGV_MAX, CPUWATCH_BUSY_PERCENT, METRICS_TOP_DEFAULT, METRICS_TOP_MAX);
}

static unsigned int parse_uint(const char *opt, const char *s, unsigned int max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		fatalx("%s: '%s' is not a number from 0 to %u", opt, s, max);
	return v;
}

/* "64M": bytes, with an optional K, M or G (powers of 1024); at least 4K. */
static uint64_t parse_size(const char *opt, const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned int shift = 0;

	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (!*s || *s == '-' || *end || v > (1ULL << 40) >> shift || (v << shift) < 4096)
		fatalx("%s: '%s' is not a size from 4K to 1T (N, NK, NM or NG)", opt, s);
	return v << shift;
}

/* Options that may be given more than once: the command line's replace the file's. */
static const char *const repeatable[] = { "rules", "profile", "syn-flood-iface", NULL };

/* Is option key (a long name) on the command line?  The file's values of it are then dropped. */
static bool on_command_line(const char *key, void *arg)
{
	static const char *const shorts[][2] = { { "output", "-o" }, { "output-file", "-f" }, { "verbose", "-v" } };
	char **argv = arg;
	size_t i, n = strlen(key);

	for (; *argv && strcmp(*argv, "--"); argv++) {
		if (!strncmp(*argv, "--", 2) && !strncmp(*argv + 2, key, n) && ((*argv)[n + 2] == '=' || !(*argv)[n + 2]))
			return true;
		for (i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++)
			if (!strcmp(key, shorts[i][0]) && !strncmp(*argv, shorts[i][1], 2))
				return true;
	}
	return false;
}

/*
 * --config FILE: its options become words before the command line's
 * (cmd/config.h), so flags win.  The words live as long as the agent: the
 * options keep pointers into them.
 */
static void with_config(int *argc, char ***argv, const struct option *longopts)
{
	struct config_words cw;
	const char *path = NULL;
	char err[512], **av;
	int i;

	for (i = 1; i < *argc && strcmp((*argv)[i], "--"); i++) {
		if (!strcmp((*argv)[i], "--config") && i + 1 < *argc)
			path = (*argv)[i + 1];
		else if (!strncmp((*argv)[i], "--config=", 9))
			path = (*argv)[i] + 9;
	}
	if (!path)
		return;
	if (config_load(path, longopts, repeatable, on_command_line, *argv + 1, &cw, err, sizeof(err)))
		fatalx("%s", err);
	av = calloc(*argc + cw.n + 1, sizeof(*av));
	if (!av)
		fatalx("out of memory");
	av[0] = (*argv)[0];
	for (i = 0; i < cw.n; i++)
		av[1 + i] = cw.w[i];
	for (i = 1; i < *argc; i++)
		av[cw.n + i] = (*argv)[i];
	free(cw.w);	/* the words are av's now */
	*argc += cw.n;
	*argv = av;
}

int cmd_run(int argc, char **argv)
{
	enum { O_HOST = 1000, O_NOCOUNT, O_SUMMARY, O_PROCEV, O_RB, O_ARGV, O_DOCKER, O_PODMAN, O_DURATION, O_DEDUP, O_PROFILE, O_RULES, O_NORULES, O_ALERTS, O_LEARN, O_PROFILE_DIR, O_READY, O_MAXCTR, O_STATE, O_ENFORCE, O_NOLSM, O_SYN, O_SYN_IF, O_SYN_BLOCK, O_PIN, O_COUNTS, O_EVENTS, O_EXIT_HOOK, O_METRICS, O_METRICS_TOP, O_BPF_STATS, O_LOGDIR, O_LOGFILES, O_LOGMAX, O_LOGKEEP, O_WEBHOOK, O_WH_BATCH, O_WH_CA, O_WH_INSECURE, O_SYSLOG, O_SYSLOG_FAC, O_LOGKEY, O_LOGCKPT, O_LOGPLAIN, O_TPM, O_TPM_PCR, O_TPM_INTERVAL, O_CONFIG, O_CPU_SUSTAIN };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "output-file", required_argument, NULL, 'f' },
		{ "host", no_argument, NULL, O_HOST },
		{ "no-syscall-counts", no_argument, NULL, O_NOCOUNT },
		{ "syscall-counts", required_argument, NULL, O_COUNTS },
		{ "summary-interval", required_argument, NULL, O_SUMMARY },
		{ "proc-events", no_argument, NULL, O_PROCEV },
		{ "ringbuf-mb", required_argument, NULL, O_RB },
		{ "argv-max", required_argument, NULL, O_ARGV },
		{ "docker-socket", required_argument, NULL, O_DOCKER },
		{ "podman-root", required_argument, NULL, O_PODMAN },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "dedup-window", required_argument, NULL, O_DEDUP },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "rules", required_argument, NULL, O_RULES },
		{ "no-rules", no_argument, NULL, O_NORULES },
		{ "alerts-only", no_argument, NULL, O_ALERTS },
		{ "events", required_argument, NULL, O_EVENTS },
		{ "exit-hook", required_argument, NULL, O_EXIT_HOOK },
		{ "learn-seconds", required_argument, NULL, O_LEARN },
		{ "cpu-sustain", required_argument, NULL, O_CPU_SUSTAIN },
		{ "profile-dir", required_argument, NULL, O_PROFILE_DIR },
		{ "ready-fd", required_argument, NULL, O_READY },
		{ "max-containers", required_argument, NULL, O_MAXCTR },
		{ "state-dir", required_argument, NULL, O_STATE },
		{ "enforce", no_argument, NULL, O_ENFORCE },
		{ "no-lsm", no_argument, NULL, O_NOLSM },
		{ "pin", no_argument, NULL, O_PIN },
		{ "syn-flood-rate", required_argument, NULL, O_SYN },
		{ "syn-flood-iface", required_argument, NULL, O_SYN_IF },
		{ "syn-flood-block", required_argument, NULL, O_SYN_BLOCK },
		{ "log-dir", required_argument, NULL, O_LOGDIR },
		{ "log-files", required_argument, NULL, O_LOGFILES },
		{ "log-max-size", required_argument, NULL, O_LOGMAX },
		{ "log-keep", required_argument, NULL, O_LOGKEEP },
		{ "webhook", required_argument, NULL, O_WEBHOOK },
		{ "webhook-batch", required_argument, NULL, O_WH_BATCH },
		{ "webhook-ca", required_argument, NULL, O_WH_CA },
		{ "webhook-insecure", no_argument, NULL, O_WH_INSECURE },
		{ "syslog", required_argument, NULL, O_SYSLOG },
		{ "syslog-facility", required_argument, NULL, O_SYSLOG_FAC },
		{ "log-key", required_argument, NULL, O_LOGKEY },
		{ "log-checkpoint", required_argument, NULL, O_LOGCKPT },
		{ "log-plain", no_argument, NULL, O_LOGPLAIN },
		{ "tpm", required_argument, NULL, O_TPM },
		{ "tpm-pcr", required_argument, NULL, O_TPM_PCR },
		{ "tpm-interval", required_argument, NULL, O_TPM_INTERVAL },
		{ "metrics", required_argument, NULL, O_METRICS },
		{ "metrics-top", required_argument, NULL, O_METRICS_TOP },
		{ "bpf-stats", no_argument, NULL, O_BPF_STATS },
		{ "config", required_argument, NULL, O_CONFIG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct agent_opts o = {
		.bpf = { .syscall_counts = true, .counts_on_demand = true, .ringbuf_mb = 4, .argv_max = 2048, .dedup_ms = 5000, .lsm = true },
		.enforce = { .syn_window_ms = 1000, .syn_block_s = 10 },
		.mode = isatty(STDOUT_FILENO) ? OUTPUT_TEXT : OUTPUT_JSON,
		.summary_interval = 60,
		.learn_seconds = 120,
		.cpu_sustain = 120,
		.alerts_only = true,
		.ready_fd = -1,
		.metrics_top = METRICS_TOP_DEFAULT,
		.state_dir = AGENT_STATE_DIR,
		.logs = { .max_bytes = 64ULL << 20, .keep = 5, .checkpoint_records = 1000, .checkpoint_ms = 10000,
			  .anchor_ms = 10000 },
		.tpm = "auto",
		.tpm_pcr = TPM_DEFAULT_PCR,
		.webhook = { .kind = FWD_WEBHOOK, .batch = 1 },
		.syslog = { .kind = FWD_SYSLOG },
		.syslog_facility = 3,	/* daemon */
	};
	bool events_set = false;
	int c;

	with_config(&argc, &argv, longopts);
	while ((c = getopt_long(argc, argv, "o:f:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!strcmp(optarg, "json"))
				o.mode = OUTPUT_JSON;
			else if (!strcmp(optarg, "text"))
				o.mode = OUTPUT_TEXT;
			else
				fatalx("--output: '%s' is neither json nor text", optarg);
			break;
		case 'f': o.output_file = optarg; break;
		case O_HOST: o.bpf.watch_host = true; break;
		case O_NOCOUNT: o.bpf.syscall_counts = false; break;
		case O_COUNTS:
			if (!strcmp(optarg, "off")) {
				o.bpf.syscall_counts = false;
			} else if (!strcmp(optarg, "always") || !strcmp(optarg, "auto")) {
				o.bpf.syscall_counts = true;
				o.bpf.counts_on_demand = !strcmp(optarg, "auto");
			} else {
				fatalx("--syscall-counts: '%s' is none of auto, always, off", optarg);
			}
			break;
		case O_SUMMARY: o.summary_interval = parse_uint("--summary-interval", optarg, 86400); break;
		case O_PROCEV: o.proc_events = true; break;
		case O_RB:
			o.bpf.ringbuf_mb = parse_uint("--ringbuf-mb", optarg, 1024);
			if (!o.bpf.ringbuf_mb || (o.bpf.ringbuf_mb & (o.bpf.ringbuf_mb - 1)))
				fatalx("--ringbuf-mb: %u is not a power of two", o.bpf.ringbuf_mb);
			break;
		case O_ARGV: o.bpf.argv_max = parse_uint("--argv-max", optarg, VIGIL_ARGV_MAX); break;
		case O_DOCKER: o.docker_socket = optarg; break;
		case O_PODMAN: o.podman_root = optarg; break;
		case O_DURATION: o.duration = parse_uint("--duration", optarg, 1u << 30); break;
		case O_DEDUP: o.bpf.dedup_ms = parse_uint("--dedup-window", optarg, 3600000); break;
		case O_RULES:
			if (o.n_rules == AGENT_MAX_RULE_FILES)
				fatalx("--rules: at most %d files", AGENT_MAX_RULE_FILES);
			o.rules[o.n_rules++] = optarg;
			break;
		case O_NORULES: o.no_rules = true; break;
		case O_ALERTS: o.alerts_only = true, events_set = true; break;
		case O_EXIT_HOOK:
			if (strcmp(optarg, "per-syscall") && strcmp(optarg, "dispatch"))
				fatalx("--exit-hook: '%s' is neither per-syscall nor dispatch", optarg);
			o.bpf.exit_dispatch = !strcmp(optarg, "dispatch");
			break;
		case O_EVENTS:
			events_set = true;
			if (strcmp(optarg, "all") && strcmp(optarg, "alerts"))
				fatalx("--events: '%s' is neither alerts nor all", optarg);
			o.alerts_only = !strcmp(optarg, "alerts");
			break;
		case O_PROFILE_DIR: o.profile_dir = optarg; break;
		case O_READY: o.ready_fd = parse_uint("--ready-fd", optarg, 1 << 20); break;
		case O_STATE: o.state_dir = optarg; break;
		case O_ENFORCE: o.enforce.enforce = true; break;
		case O_NOLSM: o.bpf.lsm = false; break;
		case O_PIN: o.bpf.pin = true; break;
		case O_SYN:
			o.enforce.syn_rate = parse_uint("--syn-flood-rate", optarg, 10000000);
			break;
		case O_SYN_IF:
			if (o.enforce.n_syn_ifaces == sizeof(o.enforce.syn_ifaces) / sizeof(o.enforce.syn_ifaces[0]))
				fatalx("--syn-flood-iface: at most %zu",
				       sizeof(o.enforce.syn_ifaces) / sizeof(o.enforce.syn_ifaces[0]));
			o.enforce.syn_ifaces[o.enforce.n_syn_ifaces++] = optarg;
			break;
		case O_SYN_BLOCK: o.enforce.syn_block_s = parse_uint("--syn-flood-block", optarg, 86400); break;
		case O_MAXCTR:
			o.bpf.max_containers = parse_uint("--max-containers", optarg, 1 << 20);
			if (!o.bpf.max_containers)
				fatalx("--max-containers: at least 1");
			break;
		case O_LEARN: o.learn_seconds = parse_uint("--learn-seconds", optarg, 30 * 86400); break;
		case O_CPU_SUSTAIN: o.cpu_sustain = parse_uint("--cpu-sustain", optarg, 86400); break;
		case O_PROFILE: {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg || !eq[1])
				fatalx("--profile: '%s' is not CONTAINER=FILE", optarg);
			if (o.n_profiles == AGENT_MAX_PROFILES)
				fatalx("--profile: at most %d", AGENT_MAX_PROFILES);
			*eq = '\0';
			o.profiles[o.n_profiles].container = optarg;
			o.profiles[o.n_profiles++].path = eq + 1;
			break;
		}
		case O_LOGDIR: o.logs.dir = optarg; break;
		case O_LOGFILES:
			if (strcmp(optarg, "split") && strcmp(optarg, "unified"))
				fatalx("--log-files: '%s' is neither split nor unified", optarg);
			o.logs.unified = !strcmp(optarg, "unified");
			break;
		case O_LOGMAX: o.logs.max_bytes = parse_size("--log-max-size", optarg); break;
		case O_LOGKEEP: o.logs.keep = parse_uint("--log-keep", optarg, 1000); break;
		case O_LOGKEY: o.log_key = optarg; break;
		case O_LOGPLAIN: o.log_plain = true; break;
		case O_TPM: o.tpm = optarg; break;
		case O_TPM_PCR: o.tpm_pcr = parse_uint("--tpm-pcr", optarg, 23); break;
		case O_TPM_INTERVAL:
			o.logs.anchor_ms = parse_uint("--tpm-interval", optarg, 86400) * 1000;
			if (!o.logs.anchor_ms)
				fatalx("--tpm-interval: at least 1 second");
			break;
		case O_LOGCKPT: {
			unsigned int n, secs;
			char tail;

			if (sscanf(optarg, "%u,%u%c", &n, &secs, &tail) != 2 || !n || !secs || n > 10000000 || secs > 86400)
				fatalx("--log-checkpoint: '%s' is not N,S (records, seconds; both at least 1)", optarg);
			o.logs.checkpoint_records = n;
			o.logs.checkpoint_ms = secs * 1000;
			break;
		}
		case O_WEBHOOK:
		case O_SYSLOG: {
			struct fwd_opts *f = c == O_WEBHOOK ? &o.webhook : &o.syslog;
			char why[256];

			f->target = optarg;
			if (fwd_check_target(f, why, sizeof(why)))
				fatalx("%s: %s", c == O_WEBHOOK ? "--webhook" : "--syslog", why);
			break;
		}
		case O_WH_BATCH:
			o.webhook.batch = parse_uint("--webhook-batch", optarg, FWD_BATCH_MAX);
			if (!o.webhook.batch)
				fatalx("--webhook-batch: at least 1");
			break;
		case O_WH_CA: o.webhook.ca_file = optarg; break;
		case O_WH_INSECURE: o.webhook.insecure_tls = true; break;
		case O_SYSLOG_FAC:
			if ((o.syslog_facility = syslog_facility(optarg)) < 0)
				fatalx("--syslog-facility: '%s' is none of kern, user, daemon, auth, authpriv, local0..local7",
				       optarg);
			break;
		case O_METRICS: {
			struct sockaddr_storage ss;
			char why[160];

			if (httpd_parse_addr(optarg, &ss, why, sizeof(why)))
				fatalx("--metrics: %s", why);
			o.metrics = optarg;
			break;
		}
		case O_METRICS_TOP: o.metrics_top = parse_uint("--metrics-top", optarg, METRICS_TOP_MAX); break;
		case O_BPF_STATS: o.bpf_stats = true; break;
		case O_CONFIG: break;	/* read before the command line (with_config) */
		case 'v': log_verbose++; break;
		case 'h': run_usage(stdout); return 0;
		default: run_usage(stderr); return 2;
		}
	}
	if (optind < argc)
		fatalx("run: unexpected argument '%s'", argv[optind]);
	if (geteuid() != 0)
		fatalx("run: needs root (BPF programs and cgroup access)");
	if (o.enforce.n_syn_ifaces && !o.enforce.syn_rate)
		fatalx("run: --syn-flood-iface needs --syn-flood-rate");
	/* observing without rules: nothing would be an alert */
	if (o.no_rules && !events_set)
		o.alerts_only = false;
	if (o.n_profiles && !o.bpf.syscall_counts)
		fatalx("run: --profile needs the syscall counter that --syscall-counts off removes");
	o.bpf.agent_pid = getpid();
	return agent_run(&o);
}

