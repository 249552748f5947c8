/*
 * tlog/note.h: C2SP signed-note (https://c2sp.org/signed-note) and C2SP tlog-cosignature/v1.
 *
 * A note is UTF-8 text followed by a blank line and one or more signature lines:
 *
 *     <text, every line ending in \n>
 *     \n
 *     — <name> <base64(4-byte key id || signature)>\n     (U+2014 EM DASH, then a space)
 *
 * Rules enforced (the spec's and Go's golang.org/x/mod/sumdb/note's):
 *   - the whole note is well-formed UTF-8 with no ASCII control character except \n;
 *   - the text is non-empty and ends in \n; it may contain blank lines, since the LAST
 *     blank line ("\n\n") of a note separates text from signatures (as the spec's own
 *     multi-line example and Go do);
 *   - every signature line is "— name base64" with a valid key name, canonical base64
 *     and at least 5 decoded bytes; at most VOUCH_NOTE_MAX_SIGS lines;
 *   - the note is at most VOUCH_NOTE_MAX_SIZE bytes.
 *
 * Verification against a set of known verifiers (matched by name AND key id): signatures
 * by unknown keys are ignored (kept in the result, unverified); a known key whose signature
 * does not verify rejects the whole note (VOUCH_E_VERIFY), as does a note with no valid
 * signature by a known key. Repeated signatures by the same (name, key id) count once.
 *
 * Signature types:
 *   0x01 Ed25519: signature over the note text.
 *   0x04 cosignature/v1 (https://c2sp.org/tlog-cosignature): the signature bytes are
 *        8-byte big-endian UNIX seconds || Ed25519 signature over
 *        "cosignature/v1\ntime <decimal seconds>\n" || note text.
 *        Key id = SHA-256(name || 0x0A || 0x04 || pub)[:4].
 *
 * Signers are vouch_ed25519_key (crypto/sign.h), which carry their name.
 */
#ifndef VOUCH_TLOG_NOTE_H
#define VOUCH_TLOG_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sign.h"

#define VOUCH_NOTE_MAX_SIZE (1u << 20) /* a checkpoint is < 1 KiB; notes are small */
#define VOUCH_NOTE_MAX_SIGS 100        /* as Go's note.Open: bounds verification work */

/* A known public key: name, key id, type (0x01 or 0x04) and Ed25519 public key. */
typedef struct vouch_note_verifier vouch_note_verifier;

/*
 * Parse a verifier key "<name>+<8 lowercase hex key id>+<base64(type || pub)>" (exactly
 * `len` bytes, no trailing newline or space). Accepted types: 0x01 and 0x04 with a 32-byte
 * key; the key id must match the name, type and key. Returns VOUCH_OK, VOUCH_E_MALFORMED,
 * VOUCH_E_UNSUPPORTED (another type byte), VOUCH_E_NOMEM. Free with vouch_note_verifier_free.
 */
int vouch_note_verifier_parse(const char *vkey, size_t len, vouch_note_verifier **out);

/* A verifier from parts. Returns VOUCH_OK, VOUCH_E_USAGE (bad name/type), VOUCH_E_NOMEM. */
int vouch_note_verifier_new(const char *name, uint8_t type,
			    const uint8_t pub[VOUCH_ED25519_PUB_LEN], vouch_note_verifier **out);

/* The verifier of a signing key for the given type (0x01 or 0x04). Returns as _new. */
int vouch_note_verifier_of(const vouch_ed25519_key *k, uint8_t type,
			   vouch_note_verifier **out);

void vouch_note_verifier_free(vouch_note_verifier *v);

/* Getters (borrowed). */
const char *vouch_note_verifier_name(const vouch_note_verifier *v);
uint32_t vouch_note_verifier_keyid(const vouch_note_verifier *v);
uint8_t vouch_note_verifier_type(const vouch_note_verifier *v);
const uint8_t *vouch_note_verifier_pub(const vouch_note_verifier *v); /* 32 bytes */

/*
 * The verifier key text of v (no newline) into a malloc'ed string. VOUCH_OK or NOMEM.
 */
int vouch_note_verifier_format(const vouch_note_verifier *v, char **out);

/*
 * Convenience: the vkey text of a signing key for type 0x01 (log / note signer) or 0x04
 * (witness cosigner), malloc'ed. Returns VOUCH_OK, VOUCH_E_USAGE, VOUCH_E_NOMEM.
 */
int vouch_note_vkey(const vouch_ed25519_key *k, uint8_t type, char **out);

/*
 * Sign note text with n Ed25519 (type 0x01) signers: *out = text || "\n" || one signature
 * line per signer, malloc'ed and NUL-terminated, length in *out_len (may be NULL).
 * The text must satisfy the rules above. Signer names must be distinct.
 * Returns VOUCH_OK, VOUCH_E_MALFORMED (bad text), VOUCH_E_USAGE (n == 0),
 * VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
int vouch_note_sign(const char *text, size_t len, const vouch_ed25519_key *const *signers,
		    size_t n, char **out, size_t *out_len);

/*
 * One signature line ("— name base64\n", malloc'ed, NUL-terminated) over note text:
 * type 0x01 (timestamp ignored) or 0x04 (cosignature/v1 at `timestamp` UNIX seconds).
 * Append it to a signed note to add a signature or cosignature. Same text rules and
 * returns as vouch_note_sign.
 */
int vouch_note_sign_line(const char *text, size_t len, const vouch_ed25519_key *k,
			 uint8_t type, uint64_t timestamp, char **line_out);

/* One signature line of a note. */
typedef struct vouch_note_sig {
	char *name;          /* signer name as written (NUL-terminated) */
	uint32_t keyid;      /* the 4-byte key id, big-endian */
	uint8_t *sig;        /* signature bytes after the key id */
	size_t sig_len;
	int verifier;        /* index in the verifiers array that verified it, or -1 (unknown) */
	uint64_t timestamp;  /* cosignature/v1 time (type 0x04 verifiers), else 0 */
	const char *line;    /* the whole line in vouch_note.msg, including "— " and "\n" */
	size_t line_len;
} vouch_note_sig;

/* A parsed (and possibly verified) note. Owns its copy of the message. */
typedef struct vouch_note {
	char *msg;           /* copy of the whole note, NUL-terminated */
	size_t msg_len;
	size_t text_len;     /* the text is msg[0, text_len), ending in \n: the signed bytes */
	vouch_note_sig *sigs; /* every signature line, in order, duplicates dropped */
	size_t nsigs;
	size_t nverified;    /* how many sigs[] have verifier >= 0 */
} vouch_note;

/*
 * Parse a note without verifying any signature (all sigs[].verifier = -1).
 * Returns VOUCH_OK, VOUCH_E_MALFORMED, VOUCH_E_LIMIT (too large / too many signatures),
 * VOUCH_E_NOMEM. Free with vouch_note_free.
 */
int vouch_note_parse(const char *msg, size_t len, vouch_note **out);

/*
 * Parse and verify a note against nv known verifiers (types 0x01 and 0x04 may be mixed).
 * Returns VOUCH_OK (at least one known verifier signed validly; *out filled),
 * VOUCH_E_VERIFY (a known verifier's signature is invalid, or no known verifier signed;
 * *out untouched), VOUCH_E_MALFORMED, VOUCH_E_LIMIT, VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 * out may be NULL when only the answer matters.
 */
int vouch_note_verify(const char *msg, size_t len, const vouch_note_verifier *const *verifiers,
		      size_t nv, vouch_note **out);

void vouch_note_free(vouch_note *n);

/*
 * The cosignature/v1 signed message for note text at `timestamp`:
 * "cosignature/v1\ntime <ts>\n" || text, malloc'ed. Exposed for tests and witnesses.
 * Returns VOUCH_OK, VOUCH_E_NOMEM.
 */
int vouch_cosig_message(const char *text, size_t len, uint64_t timestamp, char **out,
			size_t *out_len);

/*
 * Cosign (type 0x04): sig_out = 8-byte big-endian timestamp || Ed25519 signature over
 * vouch_cosig_message(text, timestamp). Returns VOUCH_OK, VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
int vouch_cosig_sign(const vouch_ed25519_key *k, const char *text, size_t len,
		     uint64_t timestamp, uint8_t sig_out[8 + VOUCH_ED25519_SIG_LEN]);

/*
 * Verify a cosignature (72 bytes as above) over note text with a 32-byte public key; the
 * timestamp is returned in *timestamp (may be NULL). Returns VOUCH_OK, VOUCH_E_VERIFY,
 * VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
int vouch_cosig_verify(const uint8_t pub[VOUCH_ED25519_PUB_LEN], const char *text, size_t len,
		       const uint8_t *sig, size_t sig_len, uint64_t *timestamp);

#endif
