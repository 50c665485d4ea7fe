/*
 * format.h - the output module: an event as JSON (stable keys,
 * docs/events.md) or as a text line, and the records the agent writes
 * about containers.
 *
 *   event_json.c  JSON objects      event_text.c  text lines
 *   jsonw.c       the JSON writer   sink.c        stdout and files
 *
 * Values a rule can also test are taken from the field table
 * (rules/fields.h), so the output and the rules agree.
 */
#ifndef VIGIL_FORMAT_H
#define VIGIL_FORMAT_H

#include <stdbool.h>
#include <stdint.h>
#include "abi/abi.h"
#include "container/container.h"
#include "output/jsonw.h"
#include "output/sink.h"
#include "rules/fields.h"

struct fmt_ctx {
	const char *host;
	int64_t boot_to_real_ns;	/* add to a boot-time ns for wall time */
};

/* Wall-clock ns of a record's boot-time ns. */
static inline int64_t fmt_real_ns(const struct fmt_ctx *f, uint64_t boot_ns)
{
	return (int64_t)boot_ns + f->boot_to_real_ns;
}

/* The "type" of the event in the output, e.g. "exec", "open", "connect". */
const char *event_type_name(const void *rec);
/* Which --log-dir file the event belongs in. */
enum sink_family event_family(const void *rec);

/* Writes one JSON object for fc's event (w is reset first). */
void event_json(struct jw *w, const struct fmt_ctx *f, struct field_ctx *fc);
/*
 * The same, left open so the caller can add keys (a verdict) and close it;
 * an alert is written in full (capabilities even when unchanged since exec).
 */
void event_json_open(struct jw *w, const struct fmt_ctx *f, struct field_ctx *fc, bool alert);

/*
 * Writes one text line (no newline) into buf; returns its length:
 *   2026/11/23 18:23:26 [INSECURE] Unsafe:[execve shell], Event:{host:h1, type: exec,
 *   syscall: execve, args: filename=/bin/sh, result: 0}, Container:{image: app,
 *   id: 7c963ca76858, name: web1}, Process:{proc: sh, pid: 1964363, parent: nginx,
 *   args: sh -c id, uid: 0, caps: CAP_CHOWN ...}
 * verdict is the bracketed part ("[NORMAL]", "[INSECURE] Unsafe:[...]"), or NULL.
 * Bytes the container chose (names, paths, argv) are printed as \xNN when
 * not printable ASCII, so a line cannot carry terminal escapes or forge
 * another line.
 */
size_t event_text(char *buf, size_t len, const struct fmt_ctx *f, struct field_ctx *fc, const char *verdict);
/* str made safe for a text line the same way; returns the length written. */
size_t text_safe(char *buf, size_t len, const char *str);

/* RFC 3339 UTC time with nanoseconds from wall-clock ns. */
void time_rfc3339(int64_t real_ns, char *buf, size_t len);

/* "container": {id, name, image, runtime, k8s} (NULL c: the host). */
void json_container(struct jw *w, const struct ctr_info *c);
/* "config": what the runtime was asked for (privileged, namespaces, mounts). */
void json_ctr_config(struct jw *w, const struct ctr_info *c);
/* Writes {"read": 12, ...} for the non-zero counts; returns their total. */
uint64_t syscall_counts_json(struct jw *w, const char *key, const uint64_t n[VIGIL_NR_SYSCALLS]);

#endif
