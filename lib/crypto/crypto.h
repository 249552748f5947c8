/*
 * crypto/crypto.h: the only module that includes OpenSSL headers.
 *
 * SHA-256 through libcrypto's EVP interface (it picks the CPU's SHA extensions when present).
 * The digest context is opaque here so that no other module sees an OpenSSL type.
 */
#ifndef VOUCH_CRYPTO_H
#define VOUCH_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define VOUCH_SHA256_LEN 32

typedef struct vouch_sha256 vouch_sha256;

int vouch_sha256_new(vouch_sha256 **out);
void vouch_sha256_free(vouch_sha256 *h);
int vouch_sha256_reset(vouch_sha256 *h);
int vouch_sha256_update(vouch_sha256 *h, const void *p, size_t n);
int vouch_sha256_final(vouch_sha256 *h, uint8_t out[VOUCH_SHA256_LEN]);
/* One-shot digest. */
int vouch_sha256_oneshot(const void *p, size_t n, uint8_t out[VOUCH_SHA256_LEN]);
/*
 * SHA-1, only because SPDX 2.3 requires a SHA1 checksum for each file (sha256.c); never for
 * anything that must resist collisions. Same contract as the SHA-256 functions; _final
 * resets the context for the next file.
 */
#define VOUCH_SHA1_LEN 20

typedef struct vouch_sha1 vouch_sha1;

int vouch_sha1_new(vouch_sha1 **out);
void vouch_sha1_free(vouch_sha1 *h);
int vouch_sha1_update(vouch_sha1 *h, const void *p, size_t n);
int vouch_sha1_final(vouch_sha1 *h, uint8_t out[VOUCH_SHA1_LEN]);
int vouch_sha1_oneshot(const void *p, size_t n, uint8_t out[VOUCH_SHA1_LEN]);

/* Constant-time comparison of n bytes: 1 when equal. */
int vouch_ct_equal(const void *a, const void *b, size_t n);

#endif
