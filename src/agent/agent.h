/* agent.h - `vigil run`: the event loop from ring buffer to output. */
#ifndef VIGIL_AGENT_H
#define VIGIL_AGENT_H

#include <stdbool.h>
#include "loader.h"

enum output_mode { OUTPUT_JSON, OUTPUT_TEXT };

struct agent_opts {
	struct loader_opts bpf;
	enum output_mode mode;
	const char *output_file;	/* JSON lines appended, or NULL */
	const char *docker_socket;	/* NULL: default */
	unsigned int summary_interval;	/* seconds; 0 = only at container exit */
	bool proc_events;		/* also print fork and exit */
	unsigned int duration;		/* seconds to run; 0 = until signalled */
};

/* Runs until SIGINT/SIGTERM (or duration).  Returns the exit status. */
int agent_run(const struct agent_opts *o);

#endif
