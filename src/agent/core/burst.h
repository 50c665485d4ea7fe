/*
 * burst.h - the state of burst rules: which distinct values (programs) a
 * session or a container showed within a rule's window.  A burst rule's
 * match is an alert only when it completes a burst; then the values seen
 * are listed in it (burst.items) and counting starts again, so one burst
 * of commands is one alert, not one per command.
 *
 * Bounded: BURST_KEYS sessions at most, the least recently active dropped
 * first; BURST_VALUES values per session and rule.  Main thread only.
 */
#ifndef VIGIL_BURST_H
#define VIGIL_BURST_H

#include <stddef.h>
#include <stdint.h>
#include "rules/rules.h"

#define BURST_KEYS 4096
#define BURST_VALUES 32

struct burst_table;

struct burst_table *burst_new(void);
void burst_free(struct burst_table *t);

/*
 * Records value for rule (by name) in (container, key) at ts_ns.  True when
 * it completes a burst (b->count distinct values within b->window_ns):
 * items then holds them, space-separated, in the order first seen (items
 * is left alone otherwise).
 */
bool burst_add(struct burst_table *t, const char *rule, const struct rule_burst *b, uint64_t ctr, uint64_t key,
	       const char *value, uint64_t ts_ns, char *items, size_t len);

/* Sessions tracked now. */
size_t burst_count(const struct burst_table *t);

#endif
