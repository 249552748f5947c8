/*
 * crypto/sign.h: Ed25519 keys, signatures and key files, over OpenSSL's EVP interface.
 *
 * Only lib/crypto/ includes OpenSSL headers; everything here is plain bytes. A key is one
 * Ed25519 key pair plus the name it signs under (signed-note names, e.g. a log origin or a
 * witness name). Ed25519 is deterministic (RFC 8032), so re-signing a message reproduces
 * the signature byte for byte, which the tests rely on.
 *
 * Key file format (the C2SP signed-note / Go golang.org/x/mod/sumdb/note private key form,
 * one line, newline-terminated):
 *
 *     PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte Ed25519 seed)>
 *
 * where the key id is the signed-note id of the public key (see vouch_sig_keyid). Chosen
 * over PEM PKCS#8 because it carries the signing name and the key id with the key, and
 * because Go's note.NewSigner reads it unchanged (the interop test uses that). Key files
 * are created with O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600, and never overwritten; loading
 * refuses a file that is readable or writable by group or others. See docs/keys.md.
 */
#ifndef VOUCH_CRYPTO_SIGN_H
#define VOUCH_CRYPTO_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define VOUCH_ED25519_PUB_LEN 32
#define VOUCH_ED25519_SEED_LEN 32
#define VOUCH_ED25519_SIG_LEN 64
/* Longest key name accepted (signed-note names are short: origins, hostnames). */
#define VOUCH_KEY_NAME_MAX 255
/* Largest key file read (one line). */
#define VOUCH_KEY_FILE_MAX 1024

/* signed-note signature types (the byte before the public key in a vkey). */
#define VOUCH_SIGTYPE_ED25519 0x01
#define VOUCH_SIGTYPE_COSIG_V1 0x04

typedef struct vouch_ed25519_key vouch_ed25519_key;

/*
 * Is `name` a valid signed-note key name: non-empty, at most VOUCH_KEY_NAME_MAX bytes,
 * well-formed UTF-8, no '+', no ASCII control characters and no Unicode white space.
 * Returns 1 or 0.
 */
int vouch_key_name_ok(const char *name, size_t len);

/*
 * The 4-byte signed-note key id: the first four bytes of
 * SHA-256(name || 0x0A || type || pub), returned big-endian as a uint32.
 * Returns VOUCH_OK, VOUCH_E_INTERNAL.
 */
int vouch_sig_keyid(const char *name, size_t name_len, uint8_t type,
		    const uint8_t pub[VOUCH_ED25519_PUB_LEN], uint32_t *id);

/*
 * A fresh key pair from the OS random generator, signing as `name` (copied; must satisfy
 * vouch_key_name_ok). Returns VOUCH_OK, VOUCH_E_USAGE (bad name), VOUCH_E_NOMEM,
 * VOUCH_E_INTERNAL. *out untouched on failure; free with vouch_ed25519_free.
 */
int vouch_ed25519_generate(const char *name, vouch_ed25519_key **out);

/* A key pair from a 32-byte RFC 8032 seed (tests, key import). Returns as _generate. */
int vouch_ed25519_from_seed(const char *name, const uint8_t seed[VOUCH_ED25519_SEED_LEN],
			    vouch_ed25519_key **out);

/*
 * Parse the key file text above (trailing newline optional). Checks the name, the key id
 * against the seed's public key, and the type byte 0x01. Returns VOUCH_OK,
 * VOUCH_E_MALFORMED, VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
int vouch_ed25519_parse(const char *text, size_t len, vouch_ed25519_key **out);

/*
 * Format the key file text (with trailing newline) into a malloc'ed NUL-terminated string
 * *out (caller frees; it holds the secret: use vouch_secure_free). Returns VOUCH_OK,
 * VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
int vouch_ed25519_format(const vouch_ed25519_key *k, char **out);

/*
 * Load a key file. Refuses symlinks, non-regular files, files larger than
 * VOUCH_KEY_FILE_MAX and files with any group/other permission bit (VOUCH_E_UNSAFE).
 * Returns VOUCH_OK, VOUCH_E_IO (errno kept), VOUCH_E_UNSAFE, VOUCH_E_MALFORMED,
 * VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
int vouch_ed25519_load(const char *path, vouch_ed25519_key **out);

/*
 * Save a key file: created O_EXCL|O_NOFOLLOW mode 0600, written and fsync'ed. An existing
 * file is never overwritten (VOUCH_E_IO with errno EEXIST). On a write failure the partial
 * file is removed. Returns VOUCH_OK, VOUCH_E_IO, VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
int vouch_ed25519_save(const vouch_ed25519_key *k, const char *path);

/* Free a key, wiping the secret. Accepts NULL. */
void vouch_ed25519_free(vouch_ed25519_key *k);

/* The key's name (borrowed, NUL-terminated, lives as long as the key). */
const char *vouch_ed25519_name(const vouch_ed25519_key *k);

/* The 32-byte public key. */
void vouch_ed25519_public(const vouch_ed25519_key *k, uint8_t pub[VOUCH_ED25519_PUB_LEN]);

/*
 * Sign n bytes (pure Ed25519, RFC 8032; deterministic). Returns VOUCH_OK,
 * VOUCH_E_INTERNAL.
 */
int vouch_ed25519_sign(const vouch_ed25519_key *k, const void *msg, size_t n,
		       uint8_t sig[VOUCH_ED25519_SIG_LEN]);

/*
 * Verify an Ed25519 signature over n bytes with a 32-byte public key. Returns VOUCH_OK when
 * valid, VOUCH_E_VERIFY when not (including a public key that is not a valid point),
 * VOUCH_E_INTERNAL when libcrypto itself fails.
 */
int vouch_ed25519_verify(const uint8_t pub[VOUCH_ED25519_PUB_LEN], const void *msg, size_t n,
			 const uint8_t sig[VOUCH_ED25519_SIG_LEN]);

/* Wipe n bytes so the compiler cannot elide it, then free(p). Accepts NULL. */
void vouch_secure_free(void *p, size_t n);

#endif
