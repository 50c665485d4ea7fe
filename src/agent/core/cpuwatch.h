/*
 * cpuwatch.h - container processes that keep a CPU busy (resource
 * hijacking: a miner started in a running container).
 *
 * The kernel accounts every process's CPU time; the agent samples it from
 * /proc/PID/stat every CPUWATCH_INTERVAL_MS for the container processes it
 * knows, and a process that used at least CPUWATCH_BUSY_PERCENT of one CPU
 * in every sample for the sustain time is reported once (an agent-made
 * cpu_usage event the rules judge).  Sampling reads procfs, not a hook: no
 * syscall of any process pays for it.  Main thread only.
 */
#ifndef VIGIL_CPUWATCH_H
#define VIGIL_CPUWATCH_H

#include <stdbool.h>
#include <stdint.h>

#define CPUWATCH_INTERVAL_MS 5000
#define CPUWATCH_BUSY_PERCENT 90

struct cpuwatch;

struct cpuwatch *cpuwatch_new(unsigned int sustain_s);
void cpuwatch_free(struct cpuwatch *w);

/* What a sample found: a process busy for the sustain time, not reported before. */
struct cpu_hog {
	uint32_t pid;
	uint32_t percent;	/* of one CPU, over the busy stretch */
	uint32_t seconds;	/* how long it has been busy */
	uint64_t cpu_ns;	/* CPU time it used in that stretch */
	uint64_t start_ticks;	/* its start, clock ticks after boot */
};

/*
 * One sample of process pid (started at start_ticks, clock ticks after
 * boot, so a reused pid is a new process) that has used cpu_ns of CPU in
 * all at now_ns.  Returns true and fills *hog the first time the process
 * crosses the sustain time.
 */
bool cpuwatch_sample(struct cpuwatch *w, uint32_t pid, uint64_t start_ticks, uint64_t cpu_ns, uint64_t now_ns,
		     struct cpu_hog *hog);
/* Forgets the processes not sampled since the last call (they exited). */
void cpuwatch_sweep(struct cpuwatch *w);

struct vigil_proc;
/* Fills the ids, capabilities and name of a process from /proc/PID/status; false when gone. */
bool cpuwatch_read_status(const char *procfs, uint32_t pid, struct vigil_proc *out);

/* Reads utime + stime and the start time of /proc/PID/stat; false when gone. */
bool cpuwatch_read_stat(const char *procfs, uint32_t pid, uint64_t *cpu_ns, uint64_t *start_ticks);

#endif
