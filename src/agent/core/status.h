/*
 * status.h - the page at / of the metrics listener: the containers
 * watched, the latest INSECURE events and the traffic map, refreshed by
 * the browser from /status.json and /netmap.json.  The page is one
 * static HTML file (output/web/status.html, embedded at build time) that
 * writes every value with textContent: a container's name or a path in
 * an alert cannot become markup.
 */
#ifndef VIGIL_STATUS_H
#define VIGIL_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#define STATUS_ALERTS 50	/* latest INSECURE events kept for the page */

struct status_alert {
	int64_t real_ns;
	char container[96];
	char rule[128];
	char priority[16];
	char output[512];
};

struct status {
	struct status_alert alerts[STATUS_ALERTS];	/* a ring */
	unsigned int next, n;
	bool page_published;
};

struct agent;
struct event_view;
struct verdict;

/* An INSECURE event, for the page (a->fc is the event's). */
void status_alert(struct agent *a, const struct event_view *ev, const struct verdict *v);
/* Publishes /, and /status.json from the agent's state (with --metrics, once a second). */
void status_publish(struct agent *a);

#endif
