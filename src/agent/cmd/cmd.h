/*
 * cmd.h - the subcommands of vigil, one file each; main.c dispatches.
 * Each takes argv from its own name on and returns the exit status.
 */
#ifndef VIGIL_CMD_H
#define VIGIL_CMD_H

#include <stdio.h>

int cmd_run(int argc, char **argv);	/* run.c: the agent (root) */
void run_usage(FILE *f);
int stats_cmd(int argc, char **argv);	/* stats.c: the running agent's counters */
int profile_cmd(int argc, char **argv);	/* profile.c: a seccomp profile from what a container did */
int analyze_cmd(int argc, char **argv);	/* analyze.c: ... from what an image's code can do */
int rules_cmd(int argc, char **argv);	/* rules.c: rules check FILE... */
int probe_cmd(int argc, char **argv);	/* probe.c: what this kernel offers Vigil */
int unpin_cmd(int argc, char **argv);	/* unpin.c: what run --pin left in the kernel */
int netmap_cmd(int argc, char **argv);	/* netmap.c: who talks to whom */
int verify_cmd(int argc, char **argv);	/* verify.c: are the log files as the agent wrote them? */
int top_cmd(int argc, char **argv);	/* top.c: a terminal view of the running agent */
int learn_cmd(int argc, char **argv);	/* learn.c: what each image was learned to do */

#endif
