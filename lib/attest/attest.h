/*
 * attest/attest.h: internals of attestations: the canonical JSON encoding, DSSE envelopes
 * and in-toto Statements. The public face is include/vouch/attest.h.
 *
 * THE canonical encoding (vouch_json_canonical), defined once and used for every byte that
 * is signed: the RFC 8785 (JCS) rules restricted to a subset on which they are simple and
 * unambiguous, so that for every accepted value the output equals JCS byte for byte:
 *   - no white space anywhere;
 *   - object members sorted by key, keys compared as sequences of UTF-16 code units
 *     (RFC 8785 §3.2.3); duplicate keys are refused when JSON is read;
 *   - strings in UTF-8, escaping only '"', '\\' and U+0000..U+001F (as \b \t \n \f \r, the
 *     rest as \u00xx with lowercase hex); everything else, U+007F and U+2028 included, is
 *     written as itself;
 *   - numbers: integers only, with magnitude at most 2^53 - 1 (the range where every JSON
 *     implementation agrees on the value), written in plain decimal; a fraction, exponent or
 *     larger integer is refused (VOUCH_E_UNSUPPORTED) rather than rounded, because
 *     shortest-round-trip float printing is where canonical encoders disagree;
 *   - true, false, null as such; nesting at most VOUCH_JSON_MAX_DEPTH (explicit stack).
 */
#ifndef VOUCH_ATTEST_INTERNAL_H
#define VOUCH_ATTEST_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sign.h"

#define VOUCH_JSON_MAX_DEPTH 64
#define VOUCH_JSON_MAX_OUT (64u << 20)     /* bytes of one canonical encoding */
#define VOUCH_DSSE_MAX_ENVELOPE (64u << 20) /* bytes of an envelope we read */
#define VOUCH_DSSE_MAX_SIGS 64              /* signatures in one envelope */
#define VOUCH_ATTEST_MAX_SUBJECTS 4096

/* Largest integer magnitude the canonical encoding accepts: 2^53 - 1. */
#define VOUCH_JSON_MAX_INT 9007199254740991LL

/*
 * Canonical bytes of v (see above) into a malloc'ed, NUL-terminated buffer.
 * Returns VOUCH_OK, VOUCH_E_UNSUPPORTED (a real number or an integer out of range),
 * VOUCH_E_LIMIT (too deep / too large), VOUCH_E_NOMEM.
 */
int vouch_json_canonical(const json_t *v, char **out, size_t *out_len);

/*
 * Read JSON text for signing or verifying: duplicate keys refused, NUL in strings refused,
 * exactly one value. Returns VOUCH_OK, VOUCH_E_MALFORMED, VOUCH_E_LIMIT, VOUCH_E_NOMEM.
 */
int vouch_json_read(const char *text, size_t len, json_t **out);

/*
 * DSSE pre-authentication encoding:
 *   "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 * with lengths as ASCII decimal byte counts. malloc'ed into *out.
 * Returns VOUCH_OK, VOUCH_E_NOMEM.
 */
int vouch_dsse_pae(const char *type, size_t type_len, const uint8_t *body, size_t body_len,
		   uint8_t **out, size_t *out_len);

/*
 * A DSSE envelope with one Ed25519 signature over PAE(type, body), as canonical JSON:
 *   {"payload":"<base64 body>","payloadType":"<type>","signatures":[{"keyid":"<keyid>",
 *    "sig":"<base64 sig>"}]}
 * keyid may be NULL (omitted). Returns VOUCH_OK, VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
int vouch_dsse_sign(const vouch_ed25519_key *k, const char *type, const uint8_t *body,
		    size_t body_len, const char *keyid, char **out, size_t *out_len);

/* What a verified envelope carried. */
typedef struct vouch_dsse_payload {
	char *type;      /* payloadType, NUL-terminated */
	uint8_t *body;   /* decoded payload (NUL-terminated for convenience) */
	size_t body_len;
} vouch_dsse_payload;

/*
 * Parse an envelope and check that at least one signature verifies with pub over
 * PAE(payloadType, payload). payload and sig are accepted in standard or URL-safe base64,
 * padded or not (the DSSE spec asks verifiers to accept both). Returns VOUCH_OK (*out
 * filled), VOUCH_E_VERIFY (no valid signature by this key), VOUCH_E_MALFORMED,
 * VOUCH_E_LIMIT, VOUCH_E_NOMEM. The payload type is NOT checked here: callers do.
 */
int vouch_dsse_verify(const char *env, size_t len, const uint8_t pub[VOUCH_ED25519_PUB_LEN],
		      vouch_dsse_payload *out);

void vouch_dsse_payload_clear(vouch_dsse_payload *p);

/* One subject of a Statement. */
typedef struct vouch_intoto_subject {
	const char *name;
	uint8_t sha256[32];
} vouch_intoto_subject;

/*
 * Build an in-toto Statement v1:
 *   {"_type":"https://in-toto.io/Statement/v1","subject":[{"name":..,"digest":{"sha256":
 *    "<lowercase hex>"}}...],"predicateType":..,"predicate":<object>}
 * The predicate is borrowed (a reference is taken). Returns VOUCH_OK, VOUCH_E_USAGE
 * (no subject, predicate not an object, empty type), VOUCH_E_NOMEM.
 */
int vouch_intoto_statement(const vouch_intoto_subject *subjects, size_t n,
			   const char *predicate_type, json_t *predicate, json_t **out);

/*
 * Check that a parsed JSON value is a well-formed Statement v1 (as above; subject names
 * are strings, every subject has a 64-hex-digit lowercase sha256). Returns VOUCH_OK or
 * VOUCH_E_MALFORMED.
 */
int vouch_intoto_check(const json_t *statement);

/* Does the statement name a subject whose sha256 is `digest`? 1 or 0. */
int vouch_intoto_has_digest(const json_t *statement, const uint8_t digest[32]);

#endif
