/* tpm.c - PCR anchors and quotes through tpm2-tss (see tpm.h). */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>
#include <unistd.h>

#include "output/attest.h"
#include "output/format.h"
#include "output/tpm.h"
#include "util/deadline.h"

#define QUEUE 8			/* async anchors pending, and finished ones not yet taken */
#define TPM_RECENT 8
#define CLAIMS_MAX 2048

struct anchor_req {
	unsigned int tag;
	char stream[16];
	uint64_t covers_seq;
	char head[ATTEST_HEX_LEN];
};

struct anchor_done {
	unsigned int tag;
	char *doc;
	size_t len;
};

struct tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR ak;
	unsigned int pcr;
	char tcti_conf[256];
	char ak_pem[1024];
	char ak_id[ATTEST_AK_ID_LEN];

	pthread_mutex_t cmd;		/* one TPM command sequence at a time; guards last and recent */
	char last[TPM_DOC_MAX];		/* the newest anchor record (for an attestation) */
	/*
	 * the newest anchors before it, oldest first: several streams anchor
	 * at once, and an attestation may come before their records reach the
	 * files (queued for the main thread, or not yet written)
	 */
	char recent[TPM_RECENT][TPM_DOC_MAX];
	unsigned int n_recent;

	pthread_mutex_t q;		/* guards what follows */
	pthread_cond_t wake, idle;
	struct anchor_req reqs[QUEUE];
	unsigned int n_reqs;
	bool busy, stop;
	struct anchor_done done[QUEUE];
	unsigned int n_done;
	char claims[CLAIMS_MAX];
	struct tpm_stats st;
	pthread_t thread;
	bool thread_started;
};

static void rc_err(char *err, size_t errlen, const char *what, TSS2_RC rc)
{
	snprintf(err, errlen, "%s: %s", what, Tss2_RC_Decode(rc));
}

static void b64(const unsigned char *p, size_t n, char *out, size_t cap)
{
	if (sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL) > cap) {
		out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
}

static TPML_PCR_SELECTION pcr_select(unsigned int pcr)
{
	TPML_PCR_SELECTION s = { .count = 1 };

	s.pcrSelections[0].hash = TPM2_ALG_SHA256;
	s.pcrSelections[0].sizeofSelect = 3;
	s.pcrSelections[0].pcrSelect[pcr / 8] = (BYTE)(1u << (pcr % 8));
	return s;
}

static int pcr_read(struct tpm *t, unsigned char out[ATTEST_HASH_LEN], char *err, size_t errlen)
{
	TPML_PCR_SELECTION sel = pcr_select(t->pcr), *sel_out = NULL;
	TPML_DIGEST *vals = NULL;
	UINT32 counter;
	TSS2_RC rc = Esys_PCR_Read(t->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, &counter, &sel_out, &vals);
	int ret = 0;

	if (rc) {
		rc_err(err, errlen, "PCR_Read", rc);
		return -1;
	}
	if (!vals || vals->count != 1 || vals->digests[0].size != ATTEST_HASH_LEN) {
		snprintf(err, errlen, "the TPM has no SHA-256 PCR %u", t->pcr);
		ret = -1;
	} else {
		memcpy(out, vals->digests[0].buffer, ATTEST_HASH_LEN);
	}
	Esys_Free(sel_out);
	Esys_Free(vals);
	return ret;
}

/* A quote over extra: base64 of the attest structure and of its signature, and its clock. */
static int quote(struct tpm *t, const unsigned char extra[ATTEST_HASH_LEN], char *q64, size_t qcap, char *s64,
		 size_t scap, TPMS_CLOCK_INFO *clock, char *err, size_t errlen)
{
	TPM2B_DATA data = { .size = ATTEST_HASH_LEN };
	TPMT_SIG_SCHEME scheme;
	TPML_PCR_SELECTION sel = pcr_select(t->pcr);
	TPM2B_ATTEST *att = NULL;
	TPMT_SIGNATURE *sig = NULL;
	unsigned char sb[sizeof(TPMT_SIGNATURE)];
	TPMS_ATTEST a;
	size_t off = 0, soff = 0;
	TSS2_RC rc;
	int ret = -1;

	memset(&scheme, 0, sizeof(scheme));
	scheme.scheme = TPM2_ALG_NULL;	/* the key's own: ECDSA, SHA-256 */
	memcpy(data.buffer, extra, ATTEST_HASH_LEN);
	rc = Esys_Quote(t->esys, t->ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &data, &scheme, &sel, &att, &sig);
	if (rc) {
		rc_err(err, errlen, "Quote", rc);
		return -1;
	}
	memset(&a, 0, sizeof(a));
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(att->attestationData, att->size, &off, &a) ||
	    Tss2_MU_TPMT_SIGNATURE_Marshal(sig, sb, sizeof(sb), &soff)) {
		snprintf(err, errlen, "the TPM's quote does not parse");
		goto out;
	}
	b64(att->attestationData, att->size, q64, qcap);
	b64(sb, soff, s64, scap);
	*clock = a.clockInfo;
	ret = q64[0] && s64[0] ? 0 : -1;
	if (ret)
		snprintf(err, errlen, "the TPM's quote is too large");
out:
	Esys_Free(att);
	Esys_Free(sig);
	return ret;
}

static int make_ak(struct tpm *t, char *err, size_t errlen)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC tmpl = { 0 }, *pub = NULL;
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	TPMT_PUBLIC *p = &tmpl.publicArea;
	TSS2_RC rc;
	int ret;

	p->type = TPM2_ALG_ECC;
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_FIXEDTPM |
			      TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH;
	p->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_NULL;
	p->parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
	p->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
	p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_ENDORSEMENT, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &sens,
				&tmpl, &outside, &none, &t->ak, &pub, NULL, NULL, NULL);
	if (rc) {
		rc_err(err, errlen, "CreatePrimary (attestation key, endorsement hierarchy)", rc);
		return -1;
	}
	ret = attest_ak_pem(pub->publicArea.unique.ecc.x.buffer, pub->publicArea.unique.ecc.x.size,
			    pub->publicArea.unique.ecc.y.buffer, pub->publicArea.unique.ecc.y.size, t->ak_pem,
			    sizeof(t->ak_pem), t->ak_id);
	Esys_Free(pub);
	if (ret)
		snprintf(err, errlen, "the attestation key's public part does not convert to PEM");
	return ret;
}

static void *worker(void *arg);

struct tpm *tpm_open(const char *tcti, unsigned int pcr, bool *absent, char *err, size_t errlen)
{
	struct tpm *t;
	TSS2_RC rc;

	*absent = false;
	if (pcr > 23) {
		snprintf(err, errlen, "PCR %u: a TPM has PCRs 0 to 23", pcr);
		return NULL;
	}
	if (!strcmp(tcti, "auto")) {
		if (access("/dev/tpmrm0", R_OK | W_OK)) {
			*absent = true;
			snprintf(err, errlen, "no TPM (/dev/tpmrm0)");
			return NULL;
		}
		tcti = "device:/dev/tpmrm0";
	}
	/* tpm2-tss writes its own errors to stderr; the agent reports them once, itself */
	setenv("TSS2_LOG", "all+NONE", 0);
	if (sodium_init() < 0 || !(t = calloc(1, sizeof(*t)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	snprintf(t->tcti_conf, sizeof(t->tcti_conf), "%s", tcti);
	t->pcr = pcr;
	t->ak = ESYS_TR_NONE;
	pthread_mutex_init(&t->cmd, NULL);
	pthread_mutex_init(&t->q, NULL);
	pthread_cond_init(&t->wake, NULL);
	pthread_cond_init(&t->idle, NULL);
	if ((rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti))) {
		rc_err(err, errlen, tcti, rc);
		goto fail;
	}
	if ((rc = Esys_Initialize(&t->esys, t->tcti, NULL))) {
		rc_err(err, errlen, "Esys_Initialize", rc);
		goto fail;
	}
	if (make_ak(t, err, errlen))
		goto fail;
	if (pthread_create(&t->thread, NULL, worker, t)) {
		snprintf(err, errlen, "cannot start the TPM thread");
		goto fail;
	}
	t->thread_started = true;
	return t;
fail:
	tpm_close(t);
	return NULL;
}

void tpm_close(struct tpm *t)
{
	unsigned int i;

	if (!t)
		return;
	if (t->thread_started) {
		pthread_mutex_lock(&t->q);
		t->stop = true;
		pthread_cond_signal(&t->wake);
		pthread_mutex_unlock(&t->q);
		pthread_join(t->thread, NULL);
	}
	for (i = 0; i < t->n_done; i++)
		free(t->done[i].doc);
	if (t->esys && t->ak != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, t->ak);
	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
	pthread_cond_destroy(&t->wake);
	pthread_cond_destroy(&t->idle);
	pthread_mutex_destroy(&t->q);
	pthread_mutex_destroy(&t->cmd);
	free(t);
}

const char *tpm_ak_pem(const struct tpm *t)
{
	return t->ak_pem;
}

const char *tpm_ak_id(const struct tpm *t)
{
	return t->ak_id;
}

const char *tpm_tcti(const struct tpm *t)
{
	return t->tcti_conf;
}

size_t tpm_anchor(struct tpm *t, const char *stream, uint64_t covers_seq, const char *head_hex, char *doc,
		  size_t cap, char *err, size_t errlen)
{
	unsigned char d[ATTEST_HASH_LEN], prev[ATTEST_HASH_LEN], next[ATTEST_HASH_LEN];
	char prev_hex[ATTEST_HEX_LEN], next_hex[ATTEST_HEX_LEN], ts[48], q64[2048], s64[512];
	TPML_DIGEST_VALUES ext = { .count = 1 };
	TPMS_CLOCK_INFO clock;
	struct timespec now, t0;
	TSS2_RC rc;
	int n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	attest_anchor_digest(stream, covers_seq, head_hex, d);
	ext.digests[0].hashAlg = TPM2_ALG_SHA256;
	memcpy(ext.digests[0].digest.sha256, d, ATTEST_HASH_LEN);
	pthread_mutex_lock(&t->cmd);
	/* the value before, read rather than remembered: an extend by anyone else shows as a gap */
	if (pcr_read(t, prev, err, errlen))
		goto fail;
	if ((rc = Esys_PCR_Extend(t->esys, ESYS_TR_PCR0 + t->pcr, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &ext))) {
		rc_err(err, errlen, "PCR_Extend", rc);
		goto fail;
	}
	attest_extend(prev, d, next);
	if (quote(t, d, q64, sizeof(q64), s64, sizeof(s64), &clock, err, errlen))
		goto fail;
	clock_gettime(CLOCK_REALTIME, &now);
	time_rfc3339(now.tv_sec * 1000000000LL + now.tv_nsec, ts, sizeof(ts));
	sodium_bin2hex(prev_hex, sizeof(prev_hex), prev, sizeof(prev));
	sodium_bin2hex(next_hex, sizeof(next_hex), next, sizeof(next));
	n = snprintf(doc, cap,
		     ATTEST_TPM_PREFIX "\"stream\":\"%s\",\"time\":\"%s\",\"covers_seq\":%llu,\"head\":\"%s\",\"pcr\":%u,"
		     "\"pcr_prev\":\"%s\",\"pcr_new\":\"%s\",\"ak\":\"%s\",\"reset_count\":%u,\"clock\":%llu,"
		     "\"quote\":\"%s\",\"sig\":\"%s\"}",
		     stream, ts, (unsigned long long)covers_seq, head_hex, t->pcr, prev_hex, next_hex, t->ak_id,
		     (unsigned int)clock.resetCount, (unsigned long long)clock.clock, q64, s64);
	if (n <= 0 || (size_t)n >= cap || (size_t)n >= sizeof(t->last)) {
		snprintf(err, errlen, "the tpm record is too large");
		goto fail;
	}
	if (t->last[0]) {
		if (t->n_recent == TPM_RECENT)
			memmove(t->recent[0], t->recent[1], (TPM_RECENT - 1) * sizeof(t->recent[0]));
		else
			t->n_recent++;
		memcpy(t->recent[t->n_recent - 1], t->last, sizeof(t->last));
	}
	memcpy(t->last, doc, (size_t)n + 1);
	pthread_mutex_unlock(&t->cmd);
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&t->q);
	t->st.anchors++;
	t->st.anchor_ns += (uint64_t)((now.tv_sec - t0.tv_sec) * 1000000000LL + (now.tv_nsec - t0.tv_nsec));
	pthread_mutex_unlock(&t->q);
	return (size_t)n;
fail:
	pthread_mutex_unlock(&t->cmd);
	pthread_mutex_lock(&t->q);
	t->st.failures++;
	pthread_mutex_unlock(&t->q);
	return 0;
}

static void *worker(void *arg)
{
	struct tpm *t = arg;
	char doc[TPM_DOC_MAX], err[256];
	bool failure_said = false;

	pthread_mutex_lock(&t->q);
	for (;;) {
		struct anchor_req r;
		size_t n;

		while (!t->n_reqs && !t->stop)
			pthread_cond_wait(&t->wake, &t->q);
		if (t->stop)
			break;
		r = t->reqs[0];
		memmove(t->reqs, t->reqs + 1, --t->n_reqs * sizeof(r));
		t->busy = true;
		pthread_mutex_unlock(&t->q);
		n = tpm_anchor(t, r.stream, r.covers_seq, r.head, doc, sizeof(doc), err, sizeof(err));
		pthread_mutex_lock(&t->q);
		t->busy = false;
		if (n && t->n_done < QUEUE && (t->done[t->n_done].doc = malloc(n + 1))) {
			memcpy(t->done[t->n_done].doc, doc, n + 1);
			t->done[t->n_done].len = n;
			t->done[t->n_done++].tag = r.tag;
		} else if (n) {
			t->st.skipped++;	/* the main loop did not take them: this one is covered by the next */
		} else if (!failure_said) {
			/* the first failure only: the rest are counted (vigil_tpm_anchor_failures_total) */
			fprintf(stderr, "vigil: TPM anchor failed: %s (retried at the next checkpoint)\n", err);
			failure_said = true;
		}
		if (!t->n_reqs)
			pthread_cond_broadcast(&t->idle);
	}
	pthread_mutex_unlock(&t->q);
	return NULL;
}

bool tpm_anchor_async(struct tpm *t, unsigned int tag, const char *stream, uint64_t covers_seq,
		      const char *head_hex)
{
	struct anchor_req *r;

	pthread_mutex_lock(&t->q);
	if (t->n_reqs == QUEUE) {
		t->st.skipped++;
		pthread_mutex_unlock(&t->q);
		return false;
	}
	r = &t->reqs[t->n_reqs++];
	r->tag = tag;
	snprintf(r->stream, sizeof(r->stream), "%s", stream);
	r->covers_seq = covers_seq;
	snprintf(r->head, sizeof(r->head), "%s", head_hex);
	pthread_cond_signal(&t->wake);
	pthread_mutex_unlock(&t->q);
	return true;
}

size_t tpm_anchor_take(struct tpm *t, unsigned int *tag, char *doc, size_t cap)
{
	size_t n = 0;

	pthread_mutex_lock(&t->q);
	if (t->n_done) {
		struct anchor_done d = t->done[0];

		memmove(t->done, t->done + 1, --t->n_done * sizeof(d));
		if (d.len < cap) {
			memcpy(doc, d.doc, d.len + 1);
			n = d.len;
			*tag = d.tag;
		}
		free(d.doc);
	}
	pthread_mutex_unlock(&t->q);
	return n;
}

void tpm_anchor_wait(struct tpm *t, unsigned int ms)
{
	struct timespec until = deadline_ms(ms);

	pthread_mutex_lock(&t->q);
	while ((t->n_reqs || t->busy) && pthread_cond_timedwait(&t->idle, &t->q, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&t->q);
}

void tpm_set_claims(struct tpm *t, const char *claims)
{
	pthread_mutex_lock(&t->q);
	snprintf(t->claims, sizeof(t->claims), "%s", claims);
	pthread_mutex_unlock(&t->q);
}

char *tpm_attest(struct tpm *t, const char *nonce_hex, char *err, size_t errlen)
{
	unsigned char d[ATTEST_HASH_LEN], pcr[ATTEST_HASH_LEN];
	char claims[CLAIMS_MAX], pcr_hex[ATTEST_HEX_LEN], q64[2048], s64[512];
	TPMS_CLOCK_INFO clock;
	json_t *j, *last, *recent;
	unsigned int i;
	char *out;

	pthread_mutex_lock(&t->q);
	snprintf(claims, sizeof(claims), "%s", t->claims);
	t->st.attests++;
	pthread_mutex_unlock(&t->q);
	attest_answer_digest(nonce_hex, claims, d);
	pthread_mutex_lock(&t->cmd);
	if (pcr_read(t, pcr, err, errlen) || quote(t, d, q64, sizeof(q64), s64, sizeof(s64), &clock, err, errlen)) {
		pthread_mutex_unlock(&t->cmd);
		return NULL;
	}
	last = t->last[0] ? json_loads(t->last, 0, NULL) : NULL;
	recent = json_array();
	for (i = 0; recent && i < t->n_recent; i++) {
		json_t *r = json_loads(t->recent[i], 0, NULL);

		if (r)
			json_array_append_new(recent, r);
	}
	pthread_mutex_unlock(&t->cmd);
	sodium_bin2hex(pcr_hex, sizeof(pcr_hex), pcr, sizeof(pcr));
	j = json_pack("{s:i, s:s, s:i, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:s, s:s}", "vigil_attest", 1, "nonce", nonce_hex,
		      "pcr", (int)t->pcr, "pcr_value", pcr_hex, "ak", t->ak_id, "claims", claims, "last",
		      last ? last : json_null(), "recent", recent ? recent : json_array(), "reset_count", (json_int_t)clock.resetCount, "clock",
		      (json_int_t)clock.clock, "quote", q64, "sig", s64);
	out = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!out)
		snprintf(err, errlen, "out of memory");
	return out;
}

void tpm_stats(struct tpm *t, struct tpm_stats *s)
{
	pthread_mutex_lock(&t->q);
	*s = t->st;
	pthread_mutex_unlock(&t->q);
}
