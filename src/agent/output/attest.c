/* attest.c - TPM anchors and quotes, the verifier's side (see attest.h). */
#include <errno.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tss2/tss2_mu.h>

#include "output/attest.h"

struct attest_ak {
	EVP_PKEY *pkey;
	char id[ATTEST_AK_ID_LEN];
};

static void sha256(const void *a, size_t alen, const void *b, size_t blen, unsigned char out[ATTEST_HASH_LEN])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned int n = ATTEST_HASH_LEN;

	if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL) || !EVP_DigestUpdate(c, a, alen) ||
	    (blen && !EVP_DigestUpdate(c, b, blen)) || !EVP_DigestFinal_ex(c, out, &n))
		memset(out, 0, ATTEST_HASH_LEN);	/* matches no real digest: the check says so */
	EVP_MD_CTX_free(c);
}

void attest_anchor_digest(const char *stream, uint64_t covers_seq, const char *head_hex,
			  unsigned char d[ATTEST_HASH_LEN])
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "vigil-tpm-anchor-v1\n%s\n%llu\n%s\n", stream,
			 (unsigned long long)covers_seq, head_hex);

	sha256(msg, n > 0 && (size_t)n < sizeof(msg) ? (size_t)n : 0, NULL, 0, d);
}

void attest_answer_digest(const char *nonce_hex, const char *claims, unsigned char d[ATTEST_HASH_LEN])
{
	char head[256];
	int n = snprintf(head, sizeof(head), "vigil-attest-v1\n%s\n", nonce_hex);

	sha256(head, n > 0 && (size_t)n < sizeof(head) ? (size_t)n : 0, claims, strlen(claims), d);
}

void attest_digest(const void *p, size_t n, unsigned char out[ATTEST_HASH_LEN])
{
	sha256(p, n, NULL, 0, out);
}

void attest_extend(const unsigned char prev[ATTEST_HASH_LEN], const unsigned char d[ATTEST_HASH_LEN],
		   unsigned char out[ATTEST_HASH_LEN])
{
	sha256(prev, ATTEST_HASH_LEN, d, ATTEST_HASH_LEN, out);
}

/* "sha256:<hex>" of the key's DER SubjectPublicKeyInfo. */
static int key_id(EVP_PKEY *pkey, char id[ATTEST_AK_ID_LEN])
{
	unsigned char *der = NULL, h[ATTEST_HASH_LEN];
	char hex[ATTEST_HEX_LEN];
	int len = i2d_PUBKEY(pkey, &der);

	if (len <= 0)
		return -1;
	sha256(der, (size_t)len, NULL, 0, h);
	OPENSSL_free(der);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(id, ATTEST_AK_ID_LEN, "sha256:%s", hex);
	return 0;
}

int attest_ak_pem(const unsigned char *x, size_t xlen, const unsigned char *y, size_t ylen, char *pem,
		  size_t cap, char id[ATTEST_AK_ID_LEN])
{
	unsigned char point[1 + 2 * 66];
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;
	BIO *bio = NULL;
	char *data;
	long n;
	int rc = -1;

	if (xlen != 32 || ylen != 32 || !b || !ctx)
		goto out;
	point[0] = 0x04;	/* uncompressed */
	memcpy(point + 1, x, 32);
	memcpy(point + 33, y, 32);
	if (!OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point, 65) ||
	    !(params = OSSL_PARAM_BLD_to_param(b)) || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	if (!(bio = BIO_new(BIO_s_mem())) || !PEM_write_bio_PUBKEY(bio, pkey))
		goto out;
	n = BIO_get_mem_data(bio, &data);
	if (n <= 0 || (size_t)n >= cap || key_id(pkey, id))
		goto out;
	memcpy(pem, data, (size_t)n);
	pem[n] = '\0';
	rc = 0;
out:
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

struct attest_ak *attest_ak_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	struct attest_ak *ak;
	EVP_PKEY *pkey;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	pkey = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	if (!pkey || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC) {
		snprintf(err, errlen, "%s: not an EC public key in PEM (the agent's tpm-ak.pem)", path);
		EVP_PKEY_free(pkey);
		return NULL;
	}
	ak = calloc(1, sizeof(*ak));
	if (!ak || key_id(pkey, ak->id)) {
		snprintf(err, errlen, "%s: out of memory", path);
		EVP_PKEY_free(pkey);
		free(ak);
		return NULL;
	}
	ak->pkey = pkey;
	return ak;
}

void attest_ak_free(struct attest_ak *ak)
{
	if (!ak)
		return;
	EVP_PKEY_free(ak->pkey);
	free(ak);
}

const char *attest_ak_id(const struct attest_ak *ak)
{
	return ak->id;
}

static int b64(const char *s, unsigned char *out, size_t cap, size_t *len)
{
	return sodium_base642bin(out, cap, s, strlen(s), NULL, len, NULL, sodium_base64_VARIANT_ORIGINAL);
}

/* The TPM's ECDSA (r, s) as the DER OpenSSL verifies. */
static int sig_der(const TPMT_SIGNATURE *s, unsigned char **der, int *len)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r, *sv;

	if (!es)
		return -1;
	r = BN_bin2bn(s->signature.ecdsa.signatureR.buffer, s->signature.ecdsa.signatureR.size, NULL);
	sv = BN_bin2bn(s->signature.ecdsa.signatureS.buffer, s->signature.ecdsa.signatureS.size, NULL);
	if (!r || !sv || !ECDSA_SIG_set0(es, r, sv)) {
		BN_free(r);
		BN_free(sv);
		ECDSA_SIG_free(es);
		return -1;
	}
	*der = NULL;
	*len = i2d_ECDSA_SIG(es, der);
	ECDSA_SIG_free(es);
	return *len > 0 ? 0 : -1;
}

int attest_check_quote(const struct attest_ak *ak, const char *quote_b64, const char *sig_b64,
		       const unsigned char extra[ATTEST_HASH_LEN], struct attest_quote *q, char *err,
		       size_t errlen)
{
	unsigned char qb[sizeof(TPMS_ATTEST) + 64], sb[sizeof(TPMT_SIGNATURE) + 64], *der = NULL;
	size_t qlen = 0, slen = 0, off = 0;
	TPMS_ATTEST a;
	TPMT_SIGNATURE s;
	const TPML_PCR_SELECTION *sel;
	EVP_MD_CTX *v = NULL;
	unsigned int i, bits = 0, pcr = 0;
	int dlen, ok;

	memset(q, 0, sizeof(*q));
	if (sodium_init() < 0 || b64(quote_b64, qb, sizeof(qb), &qlen) || b64(sig_b64, sb, sizeof(sb), &slen)) {
		snprintf(err, errlen, "the quote or its signature is not base64");
		return -1;
	}
	memset(&a, 0, sizeof(a));
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(qb, qlen, &off, &a) || off != qlen) {
		snprintf(err, errlen, "the quote is not a TPMS_ATTEST");
		return -1;
	}
	off = 0;
	memset(&s, 0, sizeof(s));
	if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(sb, slen, &off, &s) || off != slen || s.sigAlg != TPM2_ALG_ECDSA ||
	    s.signature.ecdsa.hash != TPM2_ALG_SHA256) {
		snprintf(err, errlen, "the quote's signature is not ECDSA with SHA-256");
		return -1;
	}
	/* the signature first: nothing in an unsigned quote means anything */
	ok = !sig_der(&s, &der, &dlen) && (v = EVP_MD_CTX_new()) &&
	     EVP_DigestVerifyInit(v, NULL, EVP_sha256(), NULL, ak->pkey) > 0 &&
	     EVP_DigestVerify(v, der, (size_t)dlen, qb, qlen) == 1;
	EVP_MD_CTX_free(v);
	OPENSSL_free(der);
	if (!ok) {
		snprintf(err, errlen, "the quote is not signed by the attestation key %s (another TPM, or forged)",
			 ak->id);
		return -1;
	}
	if (a.magic != TPM2_GENERATED_VALUE || a.type != TPM2_ST_ATTEST_QUOTE) {
		snprintf(err, errlen, "signed by the AK but not a TPM-made quote");
		return -1;
	}
	if (a.extraData.size != ATTEST_HASH_LEN || memcmp(a.extraData.buffer, extra, ATTEST_HASH_LEN)) {
		snprintf(err, errlen, "the quote is over other data (a replayed answer, or one for another record)");
		return -1;
	}
	sel = &a.attested.quote.pcrSelect;
	if (sel->count != 1 || sel->pcrSelections[0].hash != TPM2_ALG_SHA256) {
		snprintf(err, errlen, "the quote is not of one SHA-256 PCR bank");
		return -1;
	}
	for (i = 0; i < sel->pcrSelections[0].sizeofSelect * 8u && i < 8u * TPM2_PCR_SELECT_MAX; i++) {
		if (sel->pcrSelections[0].pcrSelect[i / 8] & (1u << (i % 8))) {
			bits++;
			pcr = i;
		}
	}
	if (bits != 1 || a.attested.quote.pcrDigest.size != ATTEST_HASH_LEN) {
		snprintf(err, errlen, "the quote is not of exactly one PCR");
		return -1;
	}
	q->pcr = pcr;
	memcpy(q->pcr_digest, a.attested.quote.pcrDigest.buffer, ATTEST_HASH_LEN);
	q->clock = a.clockInfo.clock;
	q->reset_count = a.clockInfo.resetCount;
	q->restart_count = a.clockInfo.restartCount;
	return 0;
}

static int hex32(const char *s, unsigned char out[ATTEST_HASH_LEN])
{
	size_t n = 0;

	return s && strlen(s) == ATTEST_HASH_LEN * 2 &&
			       !sodium_hex2bin(out, ATTEST_HASH_LEN, s, ATTEST_HASH_LEN * 2, NULL, &n, NULL) &&
			       n == ATTEST_HASH_LEN
		       ? 0
		       : -1;
}

int attest_parse_anchor(const char *doc, size_t len, struct attest_anchor *a, char *err, size_t errlen)
{
	json_t *j = json_loadb(doc, len, 0, NULL);
	const char *stream, *head, *quote, *sig;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if (!j) {
		snprintf(err, errlen, "a tpm record that is not JSON");
		return -1;
	}
	stream = json_string_value(json_object_get(j, "stream"));
	head = json_string_value(json_object_get(j, "head"));
	quote = json_string_value(json_object_get(j, "quote"));
	sig = json_string_value(json_object_get(j, "sig"));
	if (!stream || strlen(stream) >= sizeof(a->stream) || !head || strlen(head) != ATTEST_HASH_LEN * 2 ||
	    !quote || strlen(quote) >= sizeof(a->quote) || !sig || strlen(sig) >= sizeof(a->sig) ||
	    !json_is_integer(json_object_get(j, "covers_seq")) || !json_is_integer(json_object_get(j, "pcr")) ||
	    hex32(json_string_value(json_object_get(j, "pcr_prev")), a->pcr_prev) ||
	    hex32(json_string_value(json_object_get(j, "pcr_new")), a->pcr_new)) {
		snprintf(err, errlen, "a tpm record without its fields");
		goto out;
	}
	snprintf(a->stream, sizeof(a->stream), "%s", stream);
	snprintf(a->head, sizeof(a->head), "%s", head);
	snprintf(a->quote, sizeof(a->quote), "%s", quote);
	snprintf(a->sig, sizeof(a->sig), "%s", sig);
	a->covers_seq = (uint64_t)json_integer_value(json_object_get(j, "covers_seq"));
	a->pcr = (unsigned int)json_integer_value(json_object_get(j, "pcr"));
	a->seq = (uint64_t)json_integer_value(json_object_get(j, "seq"));
	rc = 0;
out:
	json_decref(j);
	return rc;
}

int attest_check_anchor(const struct attest_ak *ak, struct attest_anchor *a, char *err, size_t errlen)
{
	unsigned char d[ATTEST_HASH_LEN], want[ATTEST_HASH_LEN], dig[ATTEST_HASH_LEN];
	char why[192];

	attest_anchor_digest(a->stream, a->covers_seq, a->head, d);
	if (attest_check_quote(ak, a->quote, a->sig, d, &a->q, why, sizeof(why))) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	attest_extend(a->pcr_prev, d, want);
	if (memcmp(want, a->pcr_new, ATTEST_HASH_LEN)) {
		snprintf(err, errlen, "pcr_new is not pcr_prev extended by this record's head");
		return -1;
	}
	sha256(a->pcr_new, ATTEST_HASH_LEN, NULL, 0, dig);
	if (a->q.pcr != a->pcr || memcmp(dig, a->q.pcr_digest, ATTEST_HASH_LEN)) {
		snprintf(err, errlen, "the TPM quoted PCR %u with another value than pcr_new (extended outside Vigil?)",
			 a->q.pcr);
		return -1;
	}
	return 0;
}
