/*
 * metrics.h - what `vigil run --metrics ADDR` exports (docs/metrics.md):
 * counters the pipeline keeps as it goes, and once a second a Prometheus
 * page rendered from them and from the kernel side (drops, ring fill,
 * each program's bpf_stats, per-container syscall counts), handed to the
 * listener (output/httpd.h).  Nothing here runs on the listener's thread.
 */
#ifndef VIGIL_METRICS_H
#define VIGIL_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "output/prom.h"

#define METRICS_TYPES 128		/* distinct event types (the ABI has ~70) */
#define METRICS_RULES 256		/* rules with their own INSECURE series; past it: rule="other" */
#define METRICS_CONTAINERS 200		/* containers with syscall series, the busiest first */
#define METRICS_TOP_DEFAULT 10		/* syscall series per container, plus syscall="other" */
#define METRICS_TOP_MAX 64

struct metrics_type {
	const char *type;		/* a static name (event_type_name) */
	uint64_t n;
};

struct metrics_rule {
	char rule[128];
	const char *priority;		/* a static name */
	uint64_t n;
};

struct agent_metrics {
	bool on;
	struct httpd *http;
	struct prom page;
	struct metrics_type types[METRICS_TYPES];	/* open addressing by name pointer */
	uint64_t types_other;
	struct metrics_rule rules[METRICS_RULES];
	unsigned int n_rules;
	uint64_t rules_other;
	uint64_t reloads_ok, reloads_failed;
	uint64_t next_ms;
	unsigned int top;		/* --metrics-top */
	double start_time;		/* wall clock, seconds */
	/* the ring buffer's positions, mapped read-only */
	void *rb_cons, *rb_prod;
	uint64_t rb_size;
	int stats_fd;			/* --bpf-stats: the kernel times every program run */
};

struct agent;
struct verdict;

/* Starts the listener (a->opts->metrics).  0 or -errno (reported). */
int metrics_start(struct agent *a);
/* One event through the pipeline, and its verdict. */
struct event_view;
void metrics_event(struct agent *a, const struct event_view *ev, const struct verdict *v);
/* Renders and publishes the page once a second. */
void metrics_tick(struct agent *a, uint64_t now_ms);
void metrics_stop(struct agent *a);

/* Renders the page into p (exposed for the tests of its names). */
void metrics_render(struct agent *a, struct prom *p);

#endif
