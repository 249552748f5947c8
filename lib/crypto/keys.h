/*
 * crypto/keys.h: facts about private keys, public keys, certificates and PKCS#12 files,
 * computed by OpenSSL's libcrypto behind plain-byte interfaces (no OpenSSL type leaks out).
 *
 * Callers (the keys analyser) find candidate objects in firmware bytes and hand exact DER
 * ranges, or the numbers of a key they parsed themselves (OpenSSH, Dropbear), to these
 * functions. Every answer is a vouch_keyinfo: the algorithm, its size (bits, curve), the
 * SHA-256 of the DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7; what `openssl pkey -pubout
 * -outform DER | sha256sum` hashes) and the SHA-256 of the SSH wire public key blob (RFC
 * 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4; what `ssh-keygen -l -E sha256` prints as
 * "SHA256:<base64>"). The SPKI digest is the identity used to compare keys across formats
 * and images: the same key in PEM, OpenSSH and Dropbear form has one SPKI digest.
 *
 * Inputs are hostile: sizes are capped below (RSA and DSA moduli, iteration counts) before
 * any costly operation, and every function returns VOUCH_E_MALFORMED for bytes that do not
 * parse, VOUCH_E_UNSUPPORTED for a recognised algorithm we do not describe, VOUCH_E_VERIFY
 * when the numbers of a private key do not belong together (n != p*q, Q != d*G, ...).
 */
#ifndef VOUCH_CRYPTO_KEYS_H
#define VOUCH_CRYPTO_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* Largest RSA modulus accepted: OpenSSL's own ceiling (OPENSSL_RSA_MAX_MODULUS_BITS). */
#define VOUCH_KEY_RSA_MAX_BITS 16384
/* Largest DSA prime accepted: real DSA keys are 1024..3072 bits; a y = g^x mod p check on a
 * larger hostile prime would cost time for nothing. */
#define VOUCH_KEY_DSA_MAX_BITS 4096
/* Largest PKCS#12 / PKCS#8 key-derivation iteration count we will run: OpenSSL writes 2048,
 * Windows 2000, Java 10000; 100000 keeps one password attempt under ~0.1 s, and a file that
 * asks for more is reported with its count instead of being tried (a hostile count of 2^31
 * would otherwise spin for minutes). */
#define VOUCH_P12_MAX_ITER 100000
/* Passwords one PKCS#12 is tried with, at most (see vouch_p12_inspect). */
#define VOUCH_P12_MAX_PASSWORDS 8
/* Keys and certificates described per PKCS#12 file; more are counted, not described. */
#define VOUCH_P12_MAX_KEYS 4

typedef struct vouch_keyinfo {
	char type[16];     /* "RSA", "DSA", "EC", "ED25519", "ED448", "X25519", "X448" */
	char curve[16];    /* "P-256", "P-384", "P-521", other EC curves by OpenSSL's short name;
			    * "" when not EC */
	unsigned bits;     /* modulus bits (RSA, DSA p), field bits (EC), 255/448 (Edwards) */
	bool has_spki;
	uint8_t spki_sha256[VOUCH_SHA256_LEN];
	bool has_ssh;      /* the key has an SSH encoding (RSA, DSA, EC P-256/384/521, Ed25519) */
	uint8_t ssh_sha256[VOUCH_SHA256_LEN];
} vouch_keyinfo;

/*
 * A private key in DER: PKCS#1 RSAPrivateKey, the traditional DSA form, SEC1 ECPrivateKey or
 * an unencrypted PKCS#8 PrivateKeyInfo / OneAsymmetricKey. All n bytes must be the key.
 * Returns VOUCH_OK, VOUCH_E_MALFORMED, VOUCH_E_UNSUPPORTED, VOUCH_E_LIMIT (too large),
 * VOUCH_E_INTERNAL. *out is untouched on failure.
 */
int vouch_key_private_der(const uint8_t *der, size_t n, vouch_keyinfo *out);

/*
 * A public key from its numbers (big-endian unsigned magnitudes), optionally checked against
 * the private numbers of the same key when they are given (non-NULL):
 *   RSA:     n, e; private p, q: checks n == p * q.
 *   DSA:     p, q, g, y; private x: checks y == g^x mod p.
 *   EC:      ssh curve name ("nistp256", "nistp384", "nistp521"), uncompressed point Q;
 *            private d: checks Q == d * G.
 *   Ed25519: 32-byte public key; private 32-byte seed: checks the public key derives from it.
 * Returns VOUCH_OK, VOUCH_E_MALFORMED, VOUCH_E_UNSUPPORTED, VOUCH_E_LIMIT, VOUCH_E_VERIFY
 * (the private numbers do not match), VOUCH_E_INTERNAL.
 */
typedef struct vouch_bytes {
	const uint8_t *p;
	size_t n;
} vouch_bytes;

int vouch_key_from_rsa(vouch_bytes n, vouch_bytes e, const vouch_bytes *p, const vouch_bytes *q,
		       vouch_keyinfo *out);
int vouch_key_from_dsa(vouch_bytes p, vouch_bytes q, vouch_bytes g, vouch_bytes y,
		       const vouch_bytes *x, vouch_keyinfo *out);
int vouch_key_from_ec(const char *ssh_curve, vouch_bytes q, const vouch_bytes *d,
		      vouch_keyinfo *out);
int vouch_key_from_ed25519(vouch_bytes pub, const vouch_bytes *seed, vouch_keyinfo *out);

/*
 * An EncryptedPrivateKeyInfo (RFC 5958 §3) in DER: only its encryption algorithm can be
 * described without the password. alg gets OpenSSL's short name of the scheme ("PBES2",
 * "pbeWithSHA1And3-KeyTripleDES-CBC", ...), and *iter its iteration count (0 if unknown).
 * Returns VOUCH_OK, VOUCH_E_MALFORMED.
 */
int vouch_key_encrypted_der(const uint8_t *der, size_t n, char alg[48], uint64_t *iter);

/* ---- certificates -------------------------------------------------------------------- */

#define VOUCH_CERT_NAME_MAX 256

typedef struct vouch_certinfo {
	char subject[VOUCH_CERT_NAME_MAX]; /* RFC 2253 one-line form, UTF-8, cut if longer */
	char issuer[VOUCH_CERT_NAME_MAX];
	int64_t not_before, not_after;     /* seconds since the epoch (UTC) */
	char not_after_str[24];            /* "2031-01-01T00:00:00Z" */
	char sig_alg[48];                  /* OpenSSL long name, "sha256WithRSAEncryption" */
	char sig_hash[16];                 /* digest of the signature: "SHA1", "MD5", "SHA256";
					    * "" for Ed25519/Ed448 (no separate digest) */
	bool is_ca;                        /* basicConstraints cA = TRUE */
	bool self_signed;                  /* issuer == subject and the key ids agree */
	bool key_ok;                       /* key below was described */
	vouch_keyinfo key;
} vouch_certinfo;

/*
 * An X.509 certificate in DER (all n bytes), or with aux = true the OpenSSL "TRUSTED
 * CERTIFICATE" form (a certificate followed by trust settings). Returns VOUCH_OK,
 * VOUCH_E_MALFORMED, VOUCH_E_INTERNAL. The key fields are filled when the certificate's key
 * can be described (key_ok); a certificate is still reported when it cannot.
 */
int vouch_cert_der(const uint8_t *der, size_t n, bool aux, vouch_certinfo *out);

/* ---- PKCS#12 --------------------------------------------------------------------------- */

typedef struct vouch_p12info {
	bool mac;              /* the file carries a MAC (password integrity) */
	uint64_t max_iter;     /* the largest iteration count seen (MAC and encryption) */
	bool iter_refused;     /* some count exceeded VOUCH_P12_MAX_ITER: not tried */
	int password;          /* index in the passwords tried that opened it, -1: none did */
	unsigned tried;        /* passwords tried (each costs one key derivation) */
	unsigned nkeys, ncerts; /* keys and certificates found (after decryption) */
	unsigned nencrypted;   /* bags or safes that stayed encrypted */
	unsigned nkeyinfo;     /* keys described in key[] */
	vouch_keyinfo key[VOUCH_P12_MAX_KEYS];
} vouch_p12info;

/*
 * Inspect a PKCS#12 PFX (RFC 7292) in DER: every iteration count is checked against
 * VOUCH_P12_MAX_ITER before any key derivation runs; then up to VOUCH_P12_MAX_PASSWORDS of
 * `passwords` are tried (a NULL entry means "no password", which PKCS#12 distinguishes from
 * the empty one) against the MAC, or, without a MAC, against the first encrypted item; with
 * the password that works, shrouded key bags and encrypted safes are opened and their keys
 * described. Nested SafeContents bags are counted, not opened (no recursion on input).
 * Returns VOUCH_OK (even when no password worked: see password and iter_refused),
 * VOUCH_E_MALFORMED (not a PFX), VOUCH_E_INTERNAL.
 */
int vouch_p12_inspect(const uint8_t *der, size_t n, const char *const *passwords,
		      size_t npasswords, vouch_p12info *out);

#endif
