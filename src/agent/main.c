/* main.c - the vigil command line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/abi.h"
#include "core/agent.h"
#include "util/log.h"
#include "cmd/analyze.h"
#include "cmd/profile.h"
#include "cmd/rules.h"
#include "cmd/stats.h"

#define VIGIL_VERSION "0.1.0"

static void usage(FILE *f)
{
	fprintf(f,
"usage: vigil <command> [options]\n"
"\n"
"Vigil watches every container from the kernel (eBPF) and reports what its\n"
"processes do - execs, file opens, connections, privilege changes - each\n"
"event attributed to its container (id, name, image, Kubernetes pod).\n"
"\n"
"commands:\n"
"  run            start the agent (root); events go to stdout\n"
"  stats          per-container syscall counts and kernel drop counters of\n"
"                 the running agent\n"
"  profile        a seccomp profile from what a container did (vigil profile -h)\n"
"  analyze        a seccomp profile from an image's code (vigil analyze -h)\n"
"  rules check F  validate rule files (no root needed)\n"
"  version        print the version\n"
"  help           this text\n"
"\n"
"run options:\n"
"  -o, --output json|text   stdout format (default: json when stdout is not a\n"
"                           terminal, text when it is)\n"
"  -f, --output-file PATH   also append JSON lines to PATH\n"
"      --rules FILE         rule file (repeatable; later files append to and\n"
"                           override earlier ones); default: the shipped\n"
"                           rules/vigil_rules.yaml.  SIGHUP reloads them\n"
"      --no-rules           observe only, no verdicts\n"
"      --alerts-only        print only INSECURE events\n"
"      --host               report host processes too (default: containers only)\n"
"      --no-syscall-counts  do not count syscalls per container (saves the one\n"
"                           hook every syscall pays for)\n"
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
"      --profile NAME=FILE  check container NAME's syscalls against the seccomp\n"
"                           profile FILE (repeatable; a container label\n"
"                           vigil.profile=FILE does the same): the first use of\n"
"                           each syscall outside it is an INSECURE event\n"
"      --learn-seconds S    capabilities a container's program is granted in its\n"
"                           first S seconds (default 120) are its image's normal\n"
"                           use; later grants outside it are anomalies\n"
"      --duration S         stop after S seconds\n"
"  -v, --verbose            more diagnostics (-vv: libbpf and verifier logs)\n"
"\n"
"stats options:\n"
"      --json               JSON instead of a table\n"
"\n"
"Stop with Ctrl-C or SIGTERM: hooks are detached, buffered events flushed and a\n"
"final stats line (events, drops by reason, RSS, CPU) printed to stderr.\n"
"Event format: docs/events.md.\n", 2048, VIGIL_ARGV_MAX);
}

static unsigned int parse_uint(const char *opt, const char *s, unsigned int max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > max)
		fatalx("%s: '%s' is not a number from 0 to %u", opt, s, max);
	return v;
}

static int cmd_run(int argc, char **argv)
{
	enum { O_HOST = 1000, O_NOCOUNT, O_SUMMARY, O_PROCEV, O_RB, O_ARGV, O_DOCKER, O_DURATION, O_DEDUP, O_PROFILE, O_RULES, O_NORULES, O_ALERTS, O_LEARN };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "output-file", required_argument, NULL, 'f' },
		{ "host", no_argument, NULL, O_HOST },
		{ "no-syscall-counts", no_argument, NULL, O_NOCOUNT },
		{ "summary-interval", required_argument, NULL, O_SUMMARY },
		{ "proc-events", no_argument, NULL, O_PROCEV },
		{ "ringbuf-mb", required_argument, NULL, O_RB },
		{ "argv-max", required_argument, NULL, O_ARGV },
		{ "docker-socket", required_argument, NULL, O_DOCKER },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "dedup-window", required_argument, NULL, O_DEDUP },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "rules", required_argument, NULL, O_RULES },
		{ "no-rules", no_argument, NULL, O_NORULES },
		{ "alerts-only", no_argument, NULL, O_ALERTS },
		{ "learn-seconds", required_argument, NULL, O_LEARN },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct agent_opts o = {
		.bpf = { .syscall_counts = true, .ringbuf_mb = 4, .argv_max = 2048, .dedup_ms = 5000 },
		.mode = isatty(STDOUT_FILENO) ? OUTPUT_TEXT : OUTPUT_JSON,
		.summary_interval = 60,
		.learn_seconds = 120,
	};
	int c;

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
		case O_SUMMARY: o.summary_interval = parse_uint("--summary-interval", optarg, 86400); break;
		case O_PROCEV: o.proc_events = true; break;
		case O_RB:
			o.bpf.ringbuf_mb = parse_uint("--ringbuf-mb", optarg, 1024);
			if (!o.bpf.ringbuf_mb || (o.bpf.ringbuf_mb & (o.bpf.ringbuf_mb - 1)))
				fatalx("--ringbuf-mb: %u is not a power of two", o.bpf.ringbuf_mb);
			break;
		case O_ARGV: o.bpf.argv_max = parse_uint("--argv-max", optarg, VIGIL_ARGV_MAX); break;
		case O_DOCKER: o.docker_socket = optarg; break;
		case O_DURATION: o.duration = parse_uint("--duration", optarg, 1u << 30); break;
		case O_DEDUP: o.bpf.dedup_ms = parse_uint("--dedup-window", optarg, 3600000); break;
		case O_RULES:
			if (o.n_rules == AGENT_MAX_RULE_FILES)
				fatalx("--rules: at most %d files", AGENT_MAX_RULE_FILES);
			o.rules[o.n_rules++] = optarg;
			break;
		case O_NORULES: o.no_rules = true; break;
		case O_ALERTS: o.alerts_only = true; break;
		case O_LEARN: o.learn_seconds = parse_uint("--learn-seconds", optarg, 30 * 86400); break;
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
		case 'v': log_verbose++; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc)
		fatalx("run: unexpected argument '%s'", argv[optind]);
	if (geteuid() != 0)
		fatalx("run: needs root (BPF programs and cgroup access)");
	if (o.n_profiles && !o.bpf.syscall_counts)
		fatalx("run: --profile needs the syscall hook that --no-syscall-counts removes");
	o.bpf.agent_pid = getpid();
	return agent_run(&o);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";

	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "stats"))
		return stats_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "profile"))
		return profile_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "analyze"))
		return analyze_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "rules"))
		return rules_cmd(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("vigil %s (event ABI %d)\n", VIGIL_VERSION, VIGIL_ABI_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "vigil: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return 2;
}
