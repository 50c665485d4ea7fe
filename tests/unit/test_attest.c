/*
 * Unit tests: the verifier's side of TPM anchors and quotes.  A quote is
 * made here as a TPM makes one (a TPMS_ATTEST marshalled by tpm2-tss, an
 * ECDSA P-256 signature over it) with a key OpenSSL generates, so every
 * check runs without a TPM; the e2e family "tpm" does the same with swtpm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <tss2/tss2_mu.h>

#include "output/attest.h"

static EVP_PKEY *key, *other_key;
static struct attest_ak *ak, *other_ak;

static struct attest_ak *ak_of(EVP_PKEY *k)
{
	BIGNUM *x = NULL, *y = NULL;
	unsigned char xb[32], yb[32];
	char pem[1024], id[ATTEST_AK_ID_LEN], path[] = "/tmp/vigil-test-ak-XXXXXX", err[256];
	struct attest_ak *a;
	int fd;

	assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x));
	assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y));
	assert_int_equal(BN_bn2binpad(x, xb, 32), 32);
	assert_int_equal(BN_bn2binpad(y, yb, 32), 32);
	BN_free(x);
	BN_free(y);
	assert_int_equal(attest_ak_pem(xb, 32, yb, 32, pem, sizeof(pem), id), 0);
	assert_non_null(strstr(pem, "BEGIN PUBLIC KEY"));
	assert_int_equal(strncmp(id, "sha256:", 7), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, pem, strlen(pem)), (ssize_t)strlen(pem));
	close(fd);
	a = attest_ak_load(path, err, sizeof(err));
	unlink(path);
	assert_non_null(a);
	assert_string_equal(attest_ak_id(a), id);	/* the id is the key's, however it was written */
	return a;
}

static int setup(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	key = EVP_EC_gen("P-256");
	other_key = EVP_EC_gen("P-256");
	assert_non_null(key);
	assert_non_null(other_key);
	ak = ak_of(key);
	other_ak = ak_of(other_key);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	attest_ak_free(ak);
	attest_ak_free(other_ak);
	EVP_PKEY_free(key);
	EVP_PKEY_free(other_key);
	return 0;
}

struct fake {
	TPM2_GENERATED magic;
	TPMI_ST_ATTEST type;
	unsigned int pcr;
	unsigned char pcr_value[32];
	unsigned char extra[32];
	uint64_t clock;
	uint32_t reset;
};

/* A quote as a TPM makes it: the attest structure and the TPMT_SIGNATURE, base64. */
static void make_quote(EVP_PKEY *k, const struct fake *f, char *q64, size_t qcap, char *s64, size_t scap)
{
	TPMS_ATTEST a = { 0 };
	TPMT_SIGNATURE s = { 0 };
	unsigned char qb[sizeof(TPMS_ATTEST)], sb[sizeof(TPMT_SIGNATURE)], der[128];
	const unsigned char *dp = der;
	size_t qlen = 0, slen = 0, dlen = sizeof(der);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	ECDSA_SIG *es;
	const BIGNUM *r, *sv;

	a.magic = f->magic;
	a.type = f->type;
	a.extraData.size = 32;
	memcpy(a.extraData.buffer, f->extra, 32);
	a.clockInfo.clock = f->clock;
	a.clockInfo.resetCount = f->reset;
	a.clockInfo.safe = 1;
	a.attested.quote.pcrSelect.count = 1;
	a.attested.quote.pcrSelect.pcrSelections[0].hash = TPM2_ALG_SHA256;
	a.attested.quote.pcrSelect.pcrSelections[0].sizeofSelect = 3;
	a.attested.quote.pcrSelect.pcrSelections[0].pcrSelect[f->pcr / 8] = (BYTE)(1u << (f->pcr % 8));
	a.attested.quote.pcrDigest.size = 32;
	attest_digest(f->pcr_value, 32, a.attested.quote.pcrDigest.buffer);
	assert_int_equal(Tss2_MU_TPMS_ATTEST_Marshal(&a, qb, sizeof(qb), &qlen), 0);
	assert_true(EVP_DigestSignInit(c, NULL, EVP_sha256(), NULL, k) > 0);
	assert_true(EVP_DigestSign(c, der, &dlen, qb, qlen) > 0);
	EVP_MD_CTX_free(c);
	es = d2i_ECDSA_SIG(NULL, &dp, (long)dlen);
	assert_non_null(es);
	ECDSA_SIG_get0(es, &r, &sv);
	s.sigAlg = TPM2_ALG_ECDSA;
	s.signature.ecdsa.hash = TPM2_ALG_SHA256;
	s.signature.ecdsa.signatureR.size = 32;
	s.signature.ecdsa.signatureS.size = 32;
	BN_bn2binpad(r, s.signature.ecdsa.signatureR.buffer, 32);
	BN_bn2binpad(sv, s.signature.ecdsa.signatureS.buffer, 32);
	ECDSA_SIG_free(es);
	assert_int_equal(Tss2_MU_TPMT_SIGNATURE_Marshal(&s, sb, sizeof(sb), &slen), 0);
	sodium_bin2base64(q64, qcap, qb, qlen, sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(s64, scap, sb, slen, sodium_base64_VARIANT_ORIGINAL);
}

static struct fake good(void)
{
	struct fake f = { .magic = TPM2_GENERATED_VALUE, .type = TPM2_ST_ATTEST_QUOTE, .pcr = 14, .clock = 123456, .reset = 3 };

	memset(f.pcr_value, 0xab, 32);
	attest_answer_digest("00112233445566778899aabbccddeeff", "exec 7 abcd\n", f.extra);
	return f;
}

static void test_quote(void **state)
{
	struct fake f = good();
	struct attest_quote q;
	unsigned char want[32], other[32];
	char q64[2048], s64[512], err[256];

	(void)state;
	make_quote(key, &f, q64, sizeof(q64), s64, sizeof(s64));
	assert_int_equal(attest_check_quote(ak, q64, s64, f.extra, &q, err, sizeof(err)), 0);
	assert_int_equal(q.pcr, 14);
	assert_int_equal(q.clock, 123456);
	assert_int_equal(q.reset_count, 3);
	attest_digest(f.pcr_value, 32, want);
	assert_memory_equal(q.pcr_digest, want, 32);

	/* a replayed answer: the quote is over another nonce */
	attest_answer_digest("ffeeddccbbaa99887766554433221100", "exec 7 abcd\n", other);
	assert_int_equal(attest_check_quote(ak, q64, s64, other, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "over other data"));
	/* ... or over other claims with the same nonce */
	attest_answer_digest("00112233445566778899aabbccddeeff", "exec 8 abcd\n", other);
	assert_int_equal(attest_check_quote(ak, q64, s64, other, &q, err, sizeof(err)), -1);

	/* another TPM's key */
	assert_int_equal(attest_check_quote(other_ak, q64, s64, f.extra, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not signed by the attestation key"));
}

static void test_quote_tampered(void **state)
{
	struct fake f = good();
	struct attest_quote q;
	char q64[2048], s64[512], err[256];
	size_t n;

	(void)state;
	/* one byte of the quote changed: the signature no longer holds */
	make_quote(key, &f, q64, sizeof(q64), s64, sizeof(s64));
	n = strlen(q64) / 2;
	q64[n] = q64[n] == 'A' ? 'B' : 'A';
	assert_int_equal(attest_check_quote(ak, q64, s64, f.extra, &q, err, sizeof(err)), -1);

	/* signed by the AK but not made by the TPM (wrong magic), or not a quote */
	f.magic = 0x12345678;
	make_quote(key, &f, q64, sizeof(q64), s64, sizeof(s64));
	assert_int_equal(attest_check_quote(ak, q64, s64, f.extra, &q, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a TPM-made quote"));
	f = good();
	f.type = TPM2_ST_ATTEST_CERTIFY;
	make_quote(key, &f, q64, sizeof(q64), s64, sizeof(s64));
	assert_int_equal(attest_check_quote(ak, q64, s64, f.extra, &q, err, sizeof(err)), -1);

	/* not base64, or not the structures: an error, never a crash */
	assert_int_equal(attest_check_quote(ak, "!!", s64, f.extra, &q, err, sizeof(err)), -1);
	assert_int_equal(attest_check_quote(ak, "AAAA", "AAAA", f.extra, &q, err, sizeof(err)), -1);
	assert_int_equal(attest_check_quote(ak, "", "", f.extra, &q, err, sizeof(err)), -1);
}

/* A "tpm" record for stream exec covering seq, extending prev; its quote by k. */
static void make_anchor(EVP_PKEY *k, const unsigned char prev[32], uint64_t covers, const char *head, char *doc,
			size_t cap, unsigned char next[32])
{
	struct fake f = good();
	char q64[2048], s64[512], ph[65], nh[65];
	unsigned char d[32];

	attest_anchor_digest("exec", covers, head, d);
	attest_extend(prev, d, next);
	memcpy(f.pcr_value, next, 32);
	memcpy(f.extra, d, 32);
	make_quote(k, &f, q64, sizeof(q64), s64, sizeof(s64));
	sodium_bin2hex(ph, sizeof(ph), prev, 32);
	sodium_bin2hex(nh, sizeof(nh), next, 32);
	snprintf(doc, cap,
		 "{\"type\":\"tpm\",\"stream\":\"exec\",\"covers_seq\":%llu,\"head\":\"%s\",\"pcr\":14,\"pcr_prev\":\"%s\","
		 "\"pcr_new\":\"%s\",\"quote\":\"%s\",\"sig\":\"%s\",\"seq\":%llu}",
		 (unsigned long long)covers, head, ph, nh, q64, s64, (unsigned long long)covers + 1);
}

static void test_anchor(void **state)
{
	static const char head[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	unsigned char prev[32] = { 0 }, next[32];
	struct attest_anchor a;
	char doc[4096], err[256], *p;

	(void)state;
	make_anchor(key, prev, 41, head, doc, sizeof(doc), next);
	assert_int_equal(attest_parse_anchor(doc, strlen(doc), &a, err, sizeof(err)), 0);
	assert_int_equal(a.covers_seq, 41);
	assert_int_equal(a.seq, 42);
	assert_int_equal(attest_check_anchor(ak, &a, err, sizeof(err)), 0);
	assert_memory_equal(a.pcr_new, next, 32);
	assert_int_equal(a.q.reset_count, 3);

	/* the head rewritten (root re-signed the chain): the quote is over the old one */
	assert_int_equal(attest_parse_anchor(doc, strlen(doc), &a, err, sizeof(err)), 0);
	a.head[0] = 'b';
	assert_int_equal(attest_check_anchor(ak, &a, err, sizeof(err)), -1);
	/* pcr_prev changed to hide a gap: pcr_new no longer follows from it */
	assert_int_equal(attest_parse_anchor(doc, strlen(doc), &a, err, sizeof(err)), 0);
	a.pcr_prev[0] ^= 1;
	assert_int_equal(attest_check_anchor(ak, &a, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "pcr_new is not pcr_prev extended"));
	/* another key */
	assert_int_equal(attest_parse_anchor(doc, strlen(doc), &a, err, sizeof(err)), 0);
	assert_int_equal(attest_check_anchor(other_ak, &a, err, sizeof(err)), -1);

	/* records without their fields, or not JSON */
	assert_int_equal(attest_parse_anchor("{\"type\":\"tpm\"}", 14, &a, err, sizeof(err)), -1);
	assert_int_equal(attest_parse_anchor("{\"type\":", 8, &a, err, sizeof(err)), -1);
	p = strstr(doc, "\"pcr_new\":\"");
	p[11] = 'x';	/* not hex */
	assert_int_equal(attest_parse_anchor(doc, strlen(doc), &a, err, sizeof(err)), -1);
}

static void test_digests(void **state)
{
	unsigned char a[32], b[32], z[32] = { 0 }, e1[32], e2[32];

	(void)state;
	/* every field of an anchor counts in its digest */
	attest_anchor_digest("exec", 1, "00", a);
	attest_anchor_digest("exec", 2, "00", b);
	assert_memory_not_equal(a, b, 32);
	attest_anchor_digest("file", 1, "00", b);
	assert_memory_not_equal(a, b, 32);
	attest_anchor_digest("exec", 1, "01", b);
	assert_memory_not_equal(a, b, 32);
	/* extend is ordered: the same digests in another order give another PCR */
	attest_extend(z, a, e1);
	attest_extend(e1, b, e1);
	attest_extend(z, b, e2);
	attest_extend(e2, a, e2);
	assert_memory_not_equal(e1, e2, 32);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_quote_tampered),
		cmocka_unit_test(test_anchor),
		cmocka_unit_test(test_digests),
	};

	return cmocka_run_group_tests_name("attest", tests, setup, teardown);
}
