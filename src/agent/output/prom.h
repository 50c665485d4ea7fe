/*
 * prom.h - the Prometheus text exposition format (version 0.0.4), written
 * into one growable buffer.
 *
 * Label values come from containers' names and images, which whoever
 * starts a container chooses: '\', '"' and newline are escaped as the
 * format asks, and in a value that is not valid UTF-8 every byte past
 * ASCII becomes '?', so a label can neither break a line nor make the
 * page unparsable.
 */
#ifndef VIGIL_PROM_H
#define VIGIL_PROM_H

#include <stddef.h>
#include <stdint.h>

struct prom {
	char *buf;
	size_t len, cap;
	int err;		/* -ENOMEM once an append failed */
};

void prom_init(struct prom *p);
void prom_reset(struct prom *p);
void prom_free(struct prom *p);

/* "# HELP name help" and "# TYPE name type" ("counter", "gauge"). */
void prom_family(struct prom *p, const char *name, const char *type, const char *help);
/*
 * One sample: name{k1="v1",...} value.  labels is NULL or a NULL-ended
 * list of key, value pairs.
 */
void prom_sample(struct prom *p, const char *name, const char *const *labels, double value);
/* The same for an exact integer count (no float rounding past 2^53). */
void prom_sample_u64(struct prom *p, const char *name, const char *const *labels, uint64_t value);

/* Appends v escaped for a label value (exposed for tests). */
void prom_label_escape(struct prom *p, const char *v);

#endif
