/*
 * attest.h - TPM anchors of the log chains and their check (docs/outputs.md,
 * "TPM anchors and remote attestation").
 *
 * A signed checkpoint (chain.h) proves a head was signed with the agent's
 * key, but root on the host can read that key and re-sign a rewritten
 * log.  A TPM cannot be talked into that: every --tpm-interval (and at
 * shutdown) the agent extends one of its PCRs with the digest of a
 * stream's chain head,
 *
 *   D = SHA-256("vigil-tpm-anchor-v1\n" stream "\n" covers_seq "\n" head_hex "\n")
 *   PCR := SHA-256(PCR || D)
 *
 * and stores a TPM quote over that PCR (with D as its qualifying data) in
 * the stream as a sealed record,
 *
 *   {"type":"tpm","stream":"exec","time":"...","covers_seq":N,"head":"<hex>",
 *    "pcr":14,"pcr_prev":"<hex>","pcr_new":"<hex>","ak":"sha256:<hex>",
 *    "reset_count":R,"clock":MS,"quote":"<b64 TPMS_ATTEST>","sig":"<b64 TPMT_SIGNATURE>"}
 *
 * A PCR only moves forward until the machine reboots (which the TPM
 * counts in reset_count), so a rewritten history can never make the PCR
 * show what the real one made it show: `vigil verify --ak` replays the
 * anchors of all streams, in the TPM's clock order, and each must start
 * where the one before ended.  Remote attestation quotes the PCR now,
 * over a verifier's fresh nonce and the agent's current chain heads:
 *
 *   extraData = SHA-256("vigil-attest-v1\n" nonce_hex "\n" claims)
 *   claims    = one "STREAM SEQ HEAD_HEX\n" line per stream
 *
 * This file is the part the verifier needs (no TPM): digests, records,
 * and the check of a quote against an attestation key (AK) in PEM.  The
 * TPM side is output/tpm.c.
 */
#ifndef VIGIL_ATTEST_H
#define VIGIL_ATTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ATTEST_HASH_LEN 32
#define ATTEST_HEX_LEN (ATTEST_HASH_LEN * 2 + 1)
#define ATTEST_AK_ID_LEN 72	/* "sha256:" and 64 hex, NUL */
#define ATTEST_TPM_PREFIX "{\"type\":\"tpm\","

/* The digest a head is extended into the PCR as (the anchor's D above). */
void attest_anchor_digest(const char *stream, uint64_t covers_seq, const char *head_hex,
			  unsigned char d[ATTEST_HASH_LEN]);
/* The qualifying data of a remote attestation's quote. */
void attest_answer_digest(const char *nonce_hex, const char *claims, unsigned char d[ATTEST_HASH_LEN]);
/* SHA-256 of p[0..n). */
void attest_digest(const void *p, size_t n, unsigned char out[ATTEST_HASH_LEN]);
/* PCR extend: out = SHA-256(prev || d). */
void attest_extend(const unsigned char prev[ATTEST_HASH_LEN], const unsigned char d[ATTEST_HASH_LEN],
		   unsigned char out[ATTEST_HASH_LEN]);

/* An AK's public key as PEM (the TPM's P-256 point), and its id "sha256:<hex of DER>". */
int attest_ak_pem(const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen, char *pem,
		  size_t cap, char id[ATTEST_AK_ID_LEN]);

struct attest_ak;
/* Reads an AK's PEM file.  NULL with the reason in err. */
struct attest_ak *attest_ak_load(const char *path, char *err, size_t errlen);
void attest_ak_free(struct attest_ak *ak);
const char *attest_ak_id(const struct attest_ak *ak);

/* What a verified quote says. */
struct attest_quote {
	unsigned int pcr;			/* the one SHA-256 PCR quoted */
	unsigned char pcr_digest[ATTEST_HASH_LEN];	/* SHA-256 of its value */
	uint64_t clock;				/* the TPM's clock, ms (monotonic while powered) */
	uint32_t reset_count, restart_count;
};

/*
 * Checks a quote (TPMS_ATTEST and TPMT_SIGNATURE as the TPM marshalled
 * them, base64): signed by ak, a quote of one SHA-256 PCR, over
 * extra[0..32).  0, or -1 with the reason in err.
 */
int attest_check_quote(const struct attest_ak *ak, const char *quote_b64, const char *sig_b64,
		       const unsigned char extra[ATTEST_HASH_LEN], struct attest_quote *q, char *err,
		       size_t errlen);

/* A "tpm" record's fields (the strings point into the record's own copy). */
struct attest_anchor {
	char stream[16];
	uint64_t seq;			/* of the record itself */
	uint64_t covers_seq;
	char head[ATTEST_HEX_LEN];
	unsigned int pcr;
	unsigned char pcr_prev[ATTEST_HASH_LEN], pcr_new[ATTEST_HASH_LEN];
	char quote[2048], sig[512];
	struct attest_quote q;		/* filled by attest_check_anchor */
};

/* Parses a "tpm" record (a JSON object).  0, or -1 with the reason. */
int attest_parse_anchor(const char *doc, size_t len, struct attest_anchor *a, char *err, size_t errlen);
/*
 * The anchor holds: its quote is by ak, over D of its own stream, seq and
 * head, of its pcr whose value is pcr_new = extend(pcr_prev, D).
 */
int attest_check_anchor(const struct attest_ak *ak, struct attest_anchor *a, char *err, size_t errlen);

#endif
