/*
 * libFuzzer: what `vigil verify --ak` and `--remote` read from a log or
 * an answer they do not trust: a "tpm" record, and a quote and its
 * signature as bytes (split at the first NUL), through the TPM
 * structures' unmarshalling and the checks after it.
 */
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/attest.h"

static struct attest_ak *ak;

static void init(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	BIGNUM *x = NULL, *y = NULL;
	unsigned char xb[32], yb[32];
	char pem[1024], id[ATTEST_AK_ID_LEN], path[] = "/tmp/vigil-fuzz-ak-XXXXXX", err[256];
	int fd;

	if (sodium_init() < 0 || !k || !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
	    !EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
		abort();
	BN_bn2binpad(x, xb, 32);
	BN_bn2binpad(y, yb, 32);
	if (attest_ak_pem(xb, 32, yb, 32, pem, sizeof(pem), id) || (fd = mkstemp(path)) < 0)
		abort();
	if (write(fd, pem, strlen(pem)) < 0)
		abort();
	close(fd);
	ak = attest_ak_load(path, err, sizeof(err));
	unlink(path);
	if (!ak)
		abort();
	BN_free(x);
	BN_free(y);
	EVP_PKEY_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attest_anchor a;
	struct attest_quote q;
	unsigned char extra[ATTEST_HASH_LEN] = { 0 };
	char err[256], *q64, *s64;
	const uint8_t *nul = memchr(data, 0, size);
	size_t qlen = nul ? (size_t)(nul - data) : size, slen = nul ? size - qlen - 1 : 0;

	if (!ak)
		init();
	if (!attest_parse_anchor((const char *)data, size, &a, err, sizeof(err)))
		attest_check_anchor(ak, &a, err, sizeof(err));
	q64 = malloc(sodium_base64_ENCODED_LEN(qlen, sodium_base64_VARIANT_ORIGINAL));
	s64 = malloc(sodium_base64_ENCODED_LEN(slen, sodium_base64_VARIANT_ORIGINAL));
	if (!q64 || !s64)
		abort();
	sodium_bin2base64(q64, sodium_base64_ENCODED_LEN(qlen, sodium_base64_VARIANT_ORIGINAL), data, qlen,
			  sodium_base64_VARIANT_ORIGINAL);
	sodium_bin2base64(s64, sodium_base64_ENCODED_LEN(slen, sodium_base64_VARIANT_ORIGINAL), nul ? nul + 1 : data,
			  slen, sodium_base64_VARIANT_ORIGINAL);
	attest_check_quote(ak, q64, s64, extra, &q, err, sizeof(err));
	free(q64);
	free(s64);
	return 0;
}
