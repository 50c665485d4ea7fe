/*
 * format.h - an event as JSON (stable keys, docs/events.md) or as a text line.
 *
 * The view bundles a checked record with what the agent knows around it;
 * everything in it is borrowed for the duration of the call.
 */
#ifndef VIGIL_FORMAT_H
#define VIGIL_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include "container/container.h"
#include "output/jsonw.h"
#include "proc/proc_cache.h"

struct fmt_ctx {
	const char *host;
	int64_t boot_to_real_ns;	/* add to a boot-time ns for wall time */
};

struct event_view {
	const void *rec;		/* passed record_check() */
	const struct proc_info *proc;	/* cached process, may be NULL */
	const struct ctr_info *ctr;	/* NULL for a host process */
	/* VIGIL_EV_CAPABLE: judged against the image's learned baseline */
	bool cap_learning;		/* the container is still being learned */
	bool cap_in_baseline;		/* normal for the container's image */
};

/* The "type" of the event in the output, e.g. "exec", "open", "connect". */
const char *event_type_name(const void *rec);

/* Writes one JSON object for the event (w is reset first). */
void event_json(struct jw *w, const struct fmt_ctx *f, const struct event_view *ev);
/* The same, left open so the caller can add keys (a verdict) and close it. */
void event_json_open(struct jw *w, const struct fmt_ctx *f, const struct event_view *ev);

/*
 * Writes one text line (no newline) into buf; returns its length:
 *   2026/11/23 18:23:26 [INSECURE] Unsafe:[execve shell], Event:{host:h1, type: exec,
 *   syscall: execve, args: filename=/bin/sh, result: 0}, Container:{image: app,
 *   id: 7c963ca76858, name: web1}, Process:{proc: sh, pid: 1964363, parent: nginx,
 *   args: sh -c id, uid: 0, caps: CAP_CHOWN ...}
 * verdict is the bracketed part ("[NORMAL]", "[INSECURE] Unsafe:[...]"), or NULL.
 */
size_t event_text(char *buf, size_t len, const struct fmt_ctx *f, const struct event_view *ev,
		  const char *verdict);

/* RFC 3339 UTC time with nanoseconds from wall-clock ns. */
void time_rfc3339(int64_t real_ns, char *buf, size_t len);

/* Shared by the agent for its own events (summaries, container start). */
void json_container(struct jw *w, const struct ctr_info *c);

#endif
