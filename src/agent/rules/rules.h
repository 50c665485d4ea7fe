/*
 * rules.h - rule sets: Falco-syntax YAML files of rules, macros and lists,
 * compiled once into an immutable set that judges events.
 *
 * A set is built by rules_load() and never changed; a reload builds a new
 * one and the caller swaps it in.  Diagnostics carry file:line:col.
 */
#ifndef VIGIL_RULES_H
#define VIGIL_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "output/jsonw.h"
#include "rules/fields.h"

enum rule_priority {
	PRI_EMERGENCY, PRI_ALERT, PRI_CRITICAL, PRI_ERROR, PRI_WARNING, PRI_NOTICE,
	PRI_INFORMATIONAL, PRI_DEBUG,
};

/*
 * What a matching event makes Vigil do besides reporting it (`action:`);
 * only with `vigil run --enforce`, else reported as what would be done.
 */
enum rule_action {
	RULE_ALERT = 0,		/* report only (the default) */
	RULE_KILL,		/* SIGKILL the process */
	RULE_DENY,		/* refuse the connect or send (network rules) */
};

enum diag_severity { DIAG_ERROR, DIAG_WARNING };

struct rules_diag {
	enum diag_severity severity;
	char *file;
	int line, col;
	char *msg;
};

struct rules_diags {
	struct rules_diag *items;
	size_t n, cap;
	size_t errors, warnings;
};

void rules_diags_free(struct rules_diags *d);
/* Prints "file:line:col: error: msg" lines. */
void rules_diags_print(const struct rules_diags *d, FILE *f);

struct rule;

/* What a burst rule counts within: the kernel's session of the process, or the whole container. */
enum rule_burst_by { BURST_BY_SESSION, BURST_BY_CONTAINER };

/* A burst rule's parameters (rule_burst() is false for other rules). */
struct rule_burst {
	unsigned int count;		/* distinct values that make a burst */
	uint64_t window_ns;		/* ... seen within this long */
	enum rule_burst_by by;
};
struct ruleset;

/*
 * Loads files in order (later files may append to / override earlier
 * elements).  Rules that use a field Vigil lacks are skipped with a
 * warning naming the rule and the field.  Returns the set, or NULL when
 * there were errors (all in diags).
 */
struct ruleset *rules_load(const char *const *paths, size_t n, struct rules_diags *diags);
void ruleset_free(struct ruleset *rs);

size_t ruleset_rule_count(const struct ruleset *rs);	/* enabled, compiled */
size_t ruleset_skipped_count(const struct ruleset *rs);
/* Some enabled rule's condition or output reads the field (exact name). */
bool ruleset_uses_field(const struct ruleset *rs, const char *name);

/*
 * The event types (evt.type values) some enabled rule can match; "*" when
 * a rule matches any type.  Returns the count; names point into rs.
 */
size_t ruleset_event_types(const struct ruleset *rs, const char **names, size_t max);

/* Judges one event: matching enabled rules, in file order, up to max. */
size_t ruleset_eval(const struct ruleset *rs, struct field_ctx *fc, const struct rule **out, size_t max);

const char *rule_name(const struct rule *r);
const char *rule_reason(const struct rule *r);	/* short label: `reason:`, else the name */
enum rule_priority rule_priority(const struct rule *r);
enum rule_action rule_action(const struct rule *r);
bool rule_burst(const struct rule *r, struct rule_burst *out);
/* The value a burst rule counts for this event (its `distinct` field) into buf; false when it has none. */
bool rule_burst_value(const struct rule *r, struct field_ctx *fc, char *buf, size_t len);
const char *rule_action_name(enum rule_action a);	/* "alert", "kill", "deny" */
const char *priority_name(enum rule_priority p);

/*
 * Writes the verdict keys of an event into the open JSON object: verdict,
 * rule, rules, priority, tags, output, output_fields.
 */
void rules_verdict_json(struct jw *w, const struct rule *const *m, size_t n, struct field_ctx *fc);

/* Falco's spelling of a priority ("Warning"). */
const char *priority_falco_name(enum rule_priority p);
/*
 * An alert in Falco's output schema, for receivers of Falco's HTTP output
 * (falcosidekick): time, rule, priority, output ("HH:MM:SS.ns: Priority
 * text"), source, hostname, tags, output_fields (the rule's fields and
 * evt.time, container.id, container.name, container.image.repository,
 * k8s.ns.name, k8s.pod.name).  The document is reset and closed.
 */
void rules_falco_json(struct jw *w, const struct rule *r, struct field_ctx *fc, int64_t real_ns, const char *host);
/* Its first keys, left open (for alerts no rule made: tags, output_fields and closing are the caller's). */
void falco_alert_open(struct jw *w, int64_t real_ns, const char *host, const char *rule, enum rule_priority pri,
		      const char *output);

/* Renders r's output template into buf. */
void rule_output(const struct rule *r, struct field_ctx *fc, char *buf, size_t len);

#endif
