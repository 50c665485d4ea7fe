/*
 * chain.h - tamper-evident log files (docs/outputs.md, "Tamper evidence").
 *
 * Every line of a --log-dir file is sealed: the JSON document gets a
 * sequence number and a chain hash,
 *
 *   {...,"seq":N,"chain":"<hex SHA-256(chain[N-1] || le64(N) || document)>"}
 *
 * where "document" is the line as it would be without the two keys.  Each
 * file starts with a checkpoint (and one follows every N records or T
 * seconds, at rotation and at shutdown): a sealed record
 *
 *   {"type":"checkpoint","stream":"file","time":"...","covers_seq":N-1,
 *    "head":"<chain[N-1]>","reason":"...","key":"ed25519:<b64>","sig":"<b64>"}
 *
 * whose Ed25519 signature (libsodium) binds the chain head to the agent's
 * key.  The hash needs no secret, so someone who edits a record can
 * recompute the chain after it; the next checkpoint's signed head then no
 * longer matches, and that is what `vigil verify` reports.  SHA-256 is
 * OpenSSL's (it uses the CPU's SHA instructions where there are some: the
 * hash runs once per line written).
 */
#ifndef VIGIL_CHAIN_H
#define VIGIL_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHAIN_HASH_LEN 32
#define CHAIN_PK_LEN 32
#define CHAIN_SK_LEN 64
#define CHAIN_KEY_TEXT 64		/* "ed25519:" and base64 of 32 bytes, NUL */

struct chain_key {
	unsigned char pk[CHAIN_PK_LEN];
	unsigned char sk[CHAIN_SK_LEN];
	char pk_text[CHAIN_KEY_TEXT];	/* "ed25519:..." */
};

/*
 * The signing key at path: read, or made there (0600) on first use, with
 * the public key beside it in path.pub.  0 or -errno with the reason.
 */
int chain_key_load(const char *path, struct chain_key *k, bool *made, char *err, size_t errlen);
/* "ed25519:<b64>", or a file holding it (path.pub), into pk.  0 or -EINVAL. */
int chain_pubkey_parse(const char *text_or_file, unsigned char pk[CHAIN_PK_LEN], char *err, size_t errlen);

struct chain {
	char stream[16];		/* the file's family: "exec", ..., or "vigil" */
	uint64_t seq;			/* of the last record sealed; 0: none yet */
	unsigned char head[CHAIN_HASH_LEN];	/* its chain hash (zeros before the first) */
	uint64_t since_checkpoint;	/* records since the last checkpoint */
	uint64_t checkpoint_ms;		/* when it was written (monotonic) */
	const struct chain_key *key;
};

/*
 * Seals doc[0..len) (a JSON object) as record seq+1 into out; returns
 * the line's length (no newline), or 0 when out is too small (it needs
 * len + 96).  Advances the chain.
 */
size_t chain_seal(struct chain *c, const char *doc, size_t len, char *out, size_t cap);
/* The checkpoint document over the chain's head (to be sealed next); its length, 0 when cap is too small. */
size_t chain_checkpoint(struct chain *c, const char *reason, char *out, size_t cap);

/* ---- verification ---- */

enum chain_damage {
	CHAIN_OK = 0,
	CHAIN_MODIFIED,		/* a record's bytes changed */
	CHAIN_DELETED,		/* records missing */
	CHAIN_INSERTED,		/* a line Vigil did not write */
	CHAIN_REORDERED,	/* records out of order */
	CHAIN_TRUNCATED,	/* the end cut: no shutdown checkpoint after the last record */
	CHAIN_FORGED,		/* a checkpoint whose signature does not verify */
	CHAIN_KEY_REPLACED,	/* checkpoints signed by another key */
	CHAIN_UNREADABLE,	/* a file could not be read */
};
const char *chain_damage_name(enum chain_damage d);

struct chain_line {
	const char *file;
	unsigned long lineno;
	const char *p;			/* the line, without its newline */
	size_t len;
};

struct chain_report {
	enum chain_damage damage;
	uint64_t seq;			/* the first bad sequence number (or where it was expected) */
	const char *file;
	unsigned long lineno;
	char detail[256];
	/* what was checked */
	uint64_t records, checkpoints;
	uint64_t first_seq, last_seq;
	uint64_t unsigned_tail;		/* records after the last checkpoint */
	bool ends_with_shutdown;
	unsigned char head[CHAIN_HASH_LEN];	/* the last record's chain hash */
};

/*
 * Checks one stream's lines, in file order (the oldest rotated file
 * first).  pk is the key the checkpoints must be signed with (NULL: the
 * key the first checkpoint names).  live: the agent still writes this
 * stream, so records after the last checkpoint are no damage.
 */
void chain_verify(const struct chain_line *lines, size_t n, const unsigned char *pk, bool live,
		  struct chain_report *r);

/*
 * The non-empty lines of dirfd/name (at most 1 GiB), labelled label, into
 * a new array *lines; returns the buffer they point into (free both), NULL
 * when the file cannot be read.
 */
char *chain_read_lines(int dirfd, const char *name, const char *label, struct chain_line **lines, size_t *n);

/* Parses a sealed line's seq and chain (hex).  false when it is not one. */
bool chain_parse(const char *line, size_t len, uint64_t *seq, unsigned char chain[CHAIN_HASH_LEN], size_t *doc_len);

#endif
