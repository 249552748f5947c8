/*
 * crypto/sha256.c: SHA-256 over OpenSSL's EVP interface.
 *
 * The EVP_MD is fetched once per context and the context is reset between files, so hashing
 * a million small files costs no repeated provider look-ups. Rejected: a hand-written SHA-256
 * (libcrypto's uses SHA-NI/AVX2 and is maintained).
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include "base/base.h"
#include "crypto/crypto.h"

struct vouch_sha256 {
	EVP_MD_CTX *ctx;
	EVP_MD *md;
};

int
vouch_sha256_new(vouch_sha256 **out)
{
	vouch_sha256 *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		return VOUCH_E_NOMEM;
	}
	h->ctx = EVP_MD_CTX_new();
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (h->ctx == NULL || h->md == NULL || EVP_DigestInit_ex(h->ctx, h->md, NULL) != 1) {
		vouch_sha256_free(h);
		return VOUCH_E_INTERNAL;
	}
	*out = h;
	return VOUCH_OK;
}

void
vouch_sha256_free(vouch_sha256 *h)
{
	if (h == NULL) {
		return;
	}
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

int
vouch_sha256_reset(vouch_sha256 *h)
{
	return EVP_DigestInit_ex(h->ctx, h->md, NULL) == 1 ? VOUCH_OK : VOUCH_E_INTERNAL;
}

int
vouch_sha256_update(vouch_sha256 *h, const void *p, size_t n)
{
	if (n == 0) {
		return VOUCH_OK;
	}
	return EVP_DigestUpdate(h->ctx, p, n) == 1 ? VOUCH_OK : VOUCH_E_INTERNAL;
}

int
vouch_sha256_final(vouch_sha256 *h, uint8_t out[VOUCH_SHA256_LEN])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != VOUCH_SHA256_LEN) {
		return VOUCH_E_INTERNAL;
	}
	return vouch_sha256_reset(h);
}

int
vouch_sha256_oneshot(const void *p, size_t n, uint8_t out[VOUCH_SHA256_LEN])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != VOUCH_SHA256_LEN) {
		return VOUCH_E_INTERNAL;
	}
	return VOUCH_OK;
}

int
vouch_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
