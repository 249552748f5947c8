/*
 * analyze/sshkey.h: parsers for the SSH private-key formats OpenSSL does not read: the
 * OpenSSH "openssh-key-v1" container (OpenSSH's PROTOCOL.key) and Dropbear's key files (what
 * `dropbearkey` writes), plus the SSH public key blob both of them carry (RFC 4253 §6.6,
 * RFC 5656 §3.1, RFC 8709 §4).
 *
 * All reading goes through vouch_rd; every length is checked against what is left and against
 * the caps below. The numbers found are handed to crypto/keys.h, which rebuilds the public key
 * (its SPKI and SSH digests) and checks that the private numbers belong to it: a Dropbear
 * file has no magic, so that check is what tells a key from bytes that only look like one.
 */
#ifndef VOUCH_ANALYZE_SSHKEY_H
#define VOUCH_ANALYZE_SSHKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/keys.h"

/* Keys described per openssh-key-v1 container: OpenSSH itself writes exactly one. */
#define VOUCH_SSHKEY_MAX_KEYS 4
/* Longest SSH string accepted: an RSA-16384 modulus is 2049 bytes; comments and the
 * encrypted section of a real key file are far below 64 KiB. */
#define VOUCH_SSHKEY_MAX_STRING (64u << 10)
/* Longest mpint: one sign byte over VOUCH_KEY_RSA_MAX_BITS. */
#define VOUCH_SSHKEY_MAX_MPINT (VOUCH_KEY_RSA_MAX_BITS / 8 + 1)

#define VOUCH_OPENSSH_MAGIC "openssh-key-v1"
#define VOUCH_OPENSSH_MAGIC_LEN 15 /* with its NUL */

typedef struct vouch_sshkey {
	char type[40];          /* the SSH key type name, e.g. "ssh-ed25519" (printable only) */
	bool described;         /* info is filled (a type crypto/keys.h can rebuild) */
	vouch_keyinfo info;
	uint8_t blob_sha256[32]; /* SHA-256 of the public blob: ssh-keygen's fingerprint */
} vouch_sshkey;

typedef struct vouch_openssh {
	char cipher[32];        /* "none", "aes256-ctr", ... (printable only) */
	char kdf[16];           /* "none", "bcrypt" */
	uint32_t rounds;        /* bcrypt rounds, 0 without a KDF */
	bool encrypted;         /* cipher is not "none" */
	bool verified;          /* unencrypted: check integers agree and every private key
				 * matches its public key */
	uint32_t nkeys;         /* keys the container declares */
	unsigned nparsed;       /* entries of keys[] filled */
	vouch_sshkey keys[VOUCH_SSHKEY_MAX_KEYS];
	size_t len;             /* bytes of the container, from the magic to its end */
} vouch_openssh;

/*
 * Parse the binary container (after base64 decoding, or found raw inside a binary) starting
 * with the magic at p[0]. Trailing bytes after the container are allowed (out->len says
 * where it ended). Returns VOUCH_OK, VOUCH_E_MALFORMED (including an unencrypted container
 * whose private keys do not match), VOUCH_E_LIMIT (a declared count or size above the caps).
 */
int vouch_openssh_parse(const uint8_t *p, size_t n, vouch_openssh *out);

typedef struct vouch_dropbear {
	vouch_sshkey key;       /* always described on success */
	size_t len;             /* bytes of the key */
} vouch_dropbear;

/*
 * Parse a Dropbear private key starting at p[0]: string type ("ssh-rsa", "ssh-dss",
 * "ssh-ed25519", "ecdsa-sha2-nistp256/384/521") then that type's numbers. Succeeds only when
 * the private numbers match the public ones (so random bytes after a type name are refused).
 * Returns VOUCH_OK, VOUCH_E_MALFORMED, VOUCH_E_UNSUPPORTED (another type name).
 */
int vouch_dropbear_parse(const uint8_t *p, size_t n, vouch_dropbear *out);

/*
 * Parse one SSH public key blob (the whole n bytes). Types crypto/keys.h cannot rebuild
 * (security keys, certificates) are returned with described = false and their blob digest.
 * Returns VOUCH_OK, VOUCH_E_MALFORMED.
 */
int vouch_sshpub_parse(const uint8_t *blob, size_t n, vouch_sshkey *out);

#endif
