/*
 * sink.h - where events go: stdout (JSON lines or text) and an optional
 * JSON-lines file.  Writes are buffered in large blocks (see sink.c), so
 * a write error shows at a flush: every line buffered since the last good
 * flush is then counted as lost, and the error is reported at once (and
 * every 10 s while it lasts), never swallowed.
 */
#ifndef VIGIL_SINK_H
#define VIGIL_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum output_mode { OUTPUT_JSON, OUTPUT_TEXT };

struct sink_file {
	FILE *f;
	char *buf;
	const char *name;
	uint64_t pending;	/* lines written since the last good flush */
	uint64_t lost;		/* lines a write error lost */
	uint64_t last_report_ms;
	int last_errno;
};

struct sinks {
	enum output_mode mode;	/* of stdout */
	struct sink_file out;	/* stdout */
	struct sink_file file;	/* --output-file, f NULL when none */
	uint64_t last_flush_ms;
};

/* Opens the file (created 0600, never through a symlink).  0 or -errno (reported). */
int sinks_open(struct sinks *s, enum output_mode mode, const char *file);
void sinks_close(struct sinks *s);

/* One JSON document (no newline): to stdout in JSON mode, and to the file. */
void sink_json(struct sinks *s, const char *doc, size_t len);
/* One text line (no newline), to stdout in text mode. */
void sink_text(struct sinks *s, const char *line, size_t len);

/* Flushes stdout now and the file every 100 ms; reports errors. */
void sinks_tick(struct sinks *s, uint64_t now_ms, bool force);

/* Lines lost to write errors, stdout and file together. */
uint64_t sinks_lost(const struct sinks *s);

#endif
