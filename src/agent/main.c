/* main.c - the vigil command line: the table of subcommands (src/agent/cmd/). */
#include <stdio.h>
#include <string.h>

#include "abi/abi.h"
#include "cmd/cmd.h"
#include "util/version.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "start the agent (root); events go to stdout (vigil run -h)" },
	{ "stats", stats_cmd, "per-container syscall counts and kernel drop counters of the\n"
			      "                 running agent (--json)" },
	{ "profile", profile_cmd, "a seccomp profile from what a container did (vigil profile -h)" },
	{ "analyze", analyze_cmd, "a seccomp profile from an image's code (vigil analyze -h)" },
	{ "rules", rules_cmd, "rules check FILE...: validate rule files (no root needed)" },
	{ "probe", probe_cmd, "which kernel features Vigil needs and this kernel has" },
	{ "netmap", netmap_cmd, "who talks to whom: the traffic map as JSON, dot or SVG\n"
				"                 (vigil netmap -h)" },
	{ "verify", verify_cmd, "check --log-dir files: chain, signed checkpoints, TPM anchors,\n"
				"                 a cut end; --remote: the agent's TPM attests them\n"
				"                 (vigil verify --pubkey KEY [--ak AK] DIR)" },
	{ "top", top_cmd, "the running agent's containers and alerts, refreshed each\n"
			  "                 second (needs vigil run --metrics)" },
	{ "learn", learn_cmd, "what each image was learned to do; start one over\n"
			      "                 (vigil learn --status | --reset IMAGE)" },
	{ "unpin", unpin_cmd, "remove the hooks and maps `vigil run --pin` left in the kernel" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: vigil <command> [options]\n"
		   "\n"
		   "Vigil watches every container from the kernel (eBPF) and reports what its\n"
		   "processes do - execs, file opens, connections, privilege changes - each\n"
		   "event attributed to its container (id, name, image, Kubernetes pod) and\n"
		   "judged by rules as NORMAL or INSECURE.\n"
		   "\n"
		   "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "  %-14s %s\n  %-14s %s\n\n", "version", "print the version", "help", "this text");
	run_usage(f);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "help";
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
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
