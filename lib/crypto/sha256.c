/*
 * crypto/sha256.c: SHA-256 (and, for SPDX only, SHA-1) over OpenSSL's EVP interface.
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

/* One EVP digest: the context and the fetched algorithm, shared by SHA-256 and SHA-1. */
typedef struct md {
	EVP_MD_CTX *ctx;
	EVP_MD *md;
} md;

struct vouch_sha256 {
	md m;
};

/*
 * SHA-1, for one purpose only: SPDX 2.3 requires a SHA1 checksum for every file (clause
 * 8.4), so the SBOM model carries one beside SHA-256. Never used for anything that must
 * resist collisions (signatures, identities, the log).
 */
struct vouch_sha1 {
	md m;
};

static void
md_close(md *m)
{
	EVP_MD_CTX_free(m->ctx);
	EVP_MD_free(m->md);
}

static int
md_open(md *m, const char *alg)
{
	m->ctx = EVP_MD_CTX_new();
	m->md = EVP_MD_fetch(NULL, alg, NULL);
	if (m->ctx == NULL || m->md == NULL || EVP_DigestInit_ex(m->ctx, m->md, NULL) != 1) {
		md_close(m);
		return VOUCH_E_INTERNAL;
	}
	return VOUCH_OK;
}

static int
md_reset(md *m)
{
	return EVP_DigestInit_ex(m->ctx, m->md, NULL) == 1 ? VOUCH_OK : VOUCH_E_INTERNAL;
}

static int
md_update(md *m, const void *p, size_t n)
{
	if (n == 0) {
		return VOUCH_OK;
	}
	return EVP_DigestUpdate(m->ctx, p, n) == 1 ? VOUCH_OK : VOUCH_E_INTERNAL;
}

/* The digest of everything since the last reset, then reset for the next file. */
static int
md_final(md *m, uint8_t *out, unsigned int want)
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(m->ctx, out, &n) != 1 || n != want) {
		return VOUCH_E_INTERNAL;
	}
	return md_reset(m);
}

static int
md_oneshot(const EVP_MD *alg, const void *p, size_t n, uint8_t *out, unsigned int want)
{
	unsigned int len = 0;

	if (EVP_Digest(p, n, out, &len, alg, NULL) != 1 || len != want) {
		return VOUCH_E_INTERNAL;
	}
	return VOUCH_OK;
}

int
vouch_sha256_new(vouch_sha256 **out)
{
	vouch_sha256 *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (md_open(&h->m, "SHA256") != VOUCH_OK) {
		free(h);
		return VOUCH_E_INTERNAL;
	}
	*out = h;
	return VOUCH_OK;
}

void
vouch_sha256_free(vouch_sha256 *h)
{
	if (h != NULL) {
		md_close(&h->m);
		free(h);
	}
}

int
vouch_sha256_reset(vouch_sha256 *h)
{
	return md_reset(&h->m);
}

int
vouch_sha256_update(vouch_sha256 *h, const void *p, size_t n)
{
	return md_update(&h->m, p, n);
}

int
vouch_sha256_final(vouch_sha256 *h, uint8_t out[VOUCH_SHA256_LEN])
{
	return md_final(&h->m, out, VOUCH_SHA256_LEN);
}

int
vouch_sha256_oneshot(const void *p, size_t n, uint8_t out[VOUCH_SHA256_LEN])
{
	return md_oneshot(EVP_sha256(), p, n, out, VOUCH_SHA256_LEN);
}

int
vouch_sha1_new(vouch_sha1 **out)
{
	vouch_sha1 *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (md_open(&h->m, "SHA1") != VOUCH_OK) {
		free(h);
		return VOUCH_E_INTERNAL;
	}
	*out = h;
	return VOUCH_OK;
}

void
vouch_sha1_free(vouch_sha1 *h)
{
	if (h != NULL) {
		md_close(&h->m);
		free(h);
	}
}

int
vouch_sha1_update(vouch_sha1 *h, const void *p, size_t n)
{
	return md_update(&h->m, p, n);
}

int
vouch_sha1_final(vouch_sha1 *h, uint8_t out[VOUCH_SHA1_LEN])
{
	return md_final(&h->m, out, VOUCH_SHA1_LEN);
}

int
vouch_sha1_oneshot(const void *p, size_t n, uint8_t out[VOUCH_SHA1_LEN])
{
	return md_oneshot(EVP_sha1(), p, n, out, VOUCH_SHA1_LEN);
}

int
vouch_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
