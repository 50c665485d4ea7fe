/*
 * sink.h - where events go: stdout (JSON lines or text), an optional
 * JSON-lines file, and an optional log directory (--log-dir): JSON lines
 * per event family or in one file, rotated by size.  Writes are buffered in large blocks (see sink.c), so
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
#include "output/chain.h"

struct tpm;

enum output_mode { OUTPUT_JSON, OUTPUT_TEXT };

/* The files of --log-dir: a family each (every INSECURE event also in alert.json). */
enum sink_family {
	SINK_EXEC,	/* exec.json: exec, fork, exit */
	SINK_FILE,	/* file.json: opens and file changes */
	SINK_NET,	/* net.json: connect, accept, send, bind, listen, SYN floods */
	SINK_PRIV,	/* priv.json: ptrace, mount, modules, namespaces, capabilities, set*id */
	SINK_SYSCALL,	/* syscall.json: container start/exit/summary with syscall counts, profiles */
	SINK_ALERT,	/* alert.json */
	SINK_FAMILIES,
};
const char *sink_family_name(enum sink_family f);

struct sink_file {
	FILE *f;
	char *buf;
	const char *name;
	uint64_t pending;	/* lines written since the last good flush */
	uint64_t bytes;		/* in the file (--log-dir: rotated past max_bytes) */
	uint64_t lost;		/* lines a write error lost */
	uint64_t last_report_ms;
	int last_errno;
	/* --log-dir with a key: the file's chain (output/chain.h) */
	struct chain chain;
	char *seal;
	size_t seal_cap;
	uint64_t anchor_ms;	/* when its head was last sent to the TPM (monotonic) */
	uint64_t anchor_seq;	/* ... at which seq */
};

struct sink_logdir_opts {
	const char *dir;	/* NULL: none */
	bool unified;		/* one vigil.json, not a file per family */
	uint64_t max_bytes;	/* a file is rotated before it would pass this */
	unsigned int keep;	/* rotated files kept per name (name.1 newest) */
	const struct chain_key *key;	/* seal lines and sign checkpoints; NULL: plain lines */
	unsigned int checkpoint_records;	/* a checkpoint after this many records */
	unsigned int checkpoint_ms;	/* ... or this long after the last one */
	struct tpm *tpm;	/* anchor chain heads in a PCR (output/tpm.h); NULL: none */
	unsigned int anchor_ms;	/* at a checkpoint this long after the last anchor, and at shutdown */
};

struct sink_logdir {
	int dirfd;		/* -1: none */
	struct sink_logdir_opts o;
	struct sink_file files[SINK_FAMILIES];	/* unified: files[0] only */
	uint64_t rotations;
	uint64_t sealed;	/* lines sealed into a chain */
	uint64_t seal_ns;	/* time in sealing and signing them (one line in SINK_SEAL_SAMPLE timed) */
};

/* One sealed line in this many is timed: two clock reads cost a tenth of a seal. */
#define SINK_SEAL_SAMPLE 8

struct sinks {
	enum output_mode mode;	/* of stdout */
	struct sink_file out;	/* stdout */
	struct sink_file file;	/* --output-file, f NULL when none */
	struct sink_logdir logs;
	uint64_t last_flush_ms;
};

/* Opens the file (created 0600, never through a symlink).  0 or -errno (reported). */
int sinks_open(struct sinks *s, enum output_mode mode, const char *file);
void sinks_close(struct sinks *s);

/*
 * The log directory: created 0700 when missing, never through a symlink;
 * its files 0600.  A file is rotated (NAME -> NAME.1 -> ... NAME.keep,
 * the oldest removed) before a line would take it past max_bytes, so a
 * line is never split across two files and none is lost by a rotation.
 * With a key every line is sealed and checkpoints signed (chain.h); an
 * existing file's chain is checked and continued.  0 or -errno (reported).
 */
int sinks_open_logdir(struct sinks *s, const struct sink_logdir_opts *o);

/*
 * One JSON document (no newline): to stdout in JSON mode, to the file,
 * and to the log directory's file of family fam (and alert.json when alert).
 */
void sink_json(struct sinks *s, enum sink_family fam, bool alert, const char *doc, size_t len);
/* One text line (no newline), to stdout in text mode. */
void sink_text(struct sinks *s, const char *line, size_t len);

/* Flushes stdout now and the file every 100 ms; reports errors. */
void sinks_tick(struct sinks *s, uint64_t now_ms, bool force);

/* Is there a JSON output besides a text stdout (the file, the log directory)? */
static inline bool sinks_want_json(const struct sinks *s)
{
	return s->mode == OUTPUT_JSON || s->file.f || s->logs.dirfd >= 0;
}

/* Lines lost to write errors, stdout, file and log files together. */
uint64_t sinks_lost(const struct sinks *s);

/*
 * What sealing the log files cost: lines sealed and the time in it (chain
 * hashes, checkpoints' signatures).  False when the log files are not sealed.
 */
bool sinks_seal_stats(const struct sinks *s, uint64_t *lines, uint64_t *ns);

#endif
