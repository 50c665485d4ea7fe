/*
 * tpm.h - the agent's TPM: PCR anchors of the log chains and quotes for
 * remote attestation (the records and digests: output/attest.h).
 *
 * tpm2-tss's ESAPI over a TCTI ("device:/dev/tpmrm0",
 * "swtpm:host=127.0.0.1,port=2321", ...).  The attestation key is a
 * primary ECDSA P-256 signing key made under the endorsement hierarchy
 * from a fixed template, so the same TPM gives the same key on every
 * start without storing anything in it; its public half is written to
 * STATE_DIR/tpm-ak.pem for verifiers.
 *
 * A TPM command takes milliseconds to a few hundred on real chips, so no
 * command runs on the event path: periodic anchors are made by a thread
 * of this module and handed back as records (tpm_anchor_async, then
 * tpm_anchor_take on the main loop); the metrics listener's thread calls
 * tpm_attest.  One lock orders all TPM commands.
 */
#ifndef VIGIL_TPM_H
#define VIGIL_TPM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TPM_DEFAULT_PCR 14
#define TPM_DOC_MAX 4096	/* a tpm record, unsealed, at most */

struct tpm;

/*
 * Opens the TPM at tcti ("auto": /dev/tpmrm0 when there is one) and makes
 * the AK.  NULL with the reason in err; *absent is set when there is no
 * TPM at all (auto found none), which is no error.
 */
struct tpm *tpm_open(const char *tcti, unsigned int pcr, bool *absent, char *err, size_t errlen);
void tpm_close(struct tpm *t);

const char *tpm_ak_pem(const struct tpm *t);
const char *tpm_ak_id(const struct tpm *t);
const char *tpm_tcti(const struct tpm *t);

/*
 * Extends the PCR with stream's head at covers_seq and quotes it, now, on
 * the caller's thread; the "tpm" record into doc (unsealed).  Its length,
 * or 0 with the reason in err.
 */
size_t tpm_anchor(struct tpm *t, const char *stream, uint64_t covers_seq, const char *head_hex, char *doc,
		  size_t cap, char *err, size_t errlen);
/* The same on the module's thread; false when its queue is full (the next anchor covers this one). */
bool tpm_anchor_async(struct tpm *t, unsigned int tag, const char *stream, uint64_t covers_seq,
		      const char *head_hex);
/* A finished async anchor's record into doc, and the tag it was asked with; 0 when none is ready. */
size_t tpm_anchor_take(struct tpm *t, unsigned int *tag, char *doc, size_t cap);
/* Waits (at most ms) until no async anchor is pending. */
void tpm_anchor_wait(struct tpm *t, unsigned int ms);

/* The chain heads an attestation reports: "STREAM SEQ HEAD\n" lines (attest.h). */
void tpm_set_claims(struct tpm *t, const char *claims);
/* A remote attestation's answer over nonce_hex (JSON, malloc'd), or NULL with the reason. */
char *tpm_attest(struct tpm *t, const char *nonce_hex, char *err, size_t errlen);

struct tpm_stats {
	uint64_t anchors, failures, skipped, attests;
	uint64_t anchor_ns;	/* time in the TPM's commands for the anchors made */
};
void tpm_stats(struct tpm *t, struct tpm_stats *s);

#endif
