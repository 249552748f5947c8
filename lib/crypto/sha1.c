/*
 * crypto/sha1.c: SHA-1 over OpenSSL's EVP interface, for one purpose only: SPDX 2.3 requires a
 * SHA1 checksum for every file (clause 8.4), so the SBOM model carries one beside SHA-256.
 * Never used for anything that must resist collisions (signatures, identities, the log):
 * those use SHA-256. Same shape as sha256.c (EVP_MD fetched once, context reset per file).
 */
#include <openssl/evp.h>
#include <stdlib.h>

#include "base/base.h"
#include "crypto/crypto.h"

struct vouch_sha1 {
	EVP_MD_CTX *ctx;
	EVP_MD *md;
};

int
vouch_sha1_new(vouch_sha1 **out)
{
	vouch_sha1 *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		return VOUCH_E_NOMEM;
	}
	h->ctx = EVP_MD_CTX_new();
	h->md = EVP_MD_fetch(NULL, "SHA1", NULL);
	if (h->ctx == NULL || h->md == NULL || EVP_DigestInit_ex(h->ctx, h->md, NULL) != 1) {
		vouch_sha1_free(h);
		return VOUCH_E_INTERNAL;
	}
	*out = h;
	return VOUCH_OK;
}

void
vouch_sha1_free(vouch_sha1 *h)
{
	if (h == NULL) {
		return;
	}
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

int
vouch_sha1_update(vouch_sha1 *h, const void *p, size_t n)
{
	if (n == 0) {
		return VOUCH_OK;
	}
	return EVP_DigestUpdate(h->ctx, p, n) == 1 ? VOUCH_OK : VOUCH_E_INTERNAL;
}

int
vouch_sha1_final(vouch_sha1 *h, uint8_t out[VOUCH_SHA1_LEN])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != VOUCH_SHA1_LEN) {
		return VOUCH_E_INTERNAL;
	}
	return EVP_DigestInit_ex(h->ctx, h->md, NULL) == 1 ? VOUCH_OK : VOUCH_E_INTERNAL;
}

int
vouch_sha1_oneshot(const void *p, size_t n, uint8_t out[VOUCH_SHA1_LEN])
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, EVP_sha1(), NULL) != 1 || len != VOUCH_SHA1_LEN) {
		return VOUCH_E_INTERNAL;
	}
	return VOUCH_OK;
}
