/* agent.h - `vigil run`: the event loop from ring buffer to output. */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <stdbool.h>
#include "bpf/loader.h"

enum output_mode { OUTPUT_JSON, OUTPUT_TEXT };

#define AGENT_MAX_PROFILES 64
#define AGENT_MAX_RULE_FILES 32

/* --profile NAME=FILE: container NAME is checked against the profile FILE. */
struct agent_profile {
	const char *container;
	const char *path;
};

struct agent_opts {
	struct loader_opts bpf;
	enum output_mode mode;
	const char *output_file;	/* JSON lines appended, or NULL */
	const char *docker_socket;	/* NULL: default */
	unsigned int summary_interval;	/* seconds; 0 = only at container exit */
	bool proc_events;		/* also print fork and exit */
	unsigned int duration;		/* seconds to run; 0 = until signalled */
	struct agent_profile profiles[AGENT_MAX_PROFILES];
	unsigned int n_profiles;
	const char *rules[AGENT_MAX_RULE_FILES];	/* none: the default policy */
	unsigned int n_rules;
	bool no_rules;			/* observe only: every event NORMAL */
	bool alerts_only;		/* print only INSECURE events */
	unsigned int learn_seconds;	/* capability learning window per container */
};

/* Runs until SIGINT/SIGTERM (or duration).  Returns the exit status. */
int agent_run(const struct agent_opts *o);

#endif
