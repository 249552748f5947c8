/*
 * vouch/attest.h: signed attestations (in-toto Statement v1 in a DSSE envelope, Ed25519)
 * and the signing keys behind them.
 *
 * An attestation says "these files (by SHA-256) have this predicate", e.g. "the lab
 * evaluated firmware X and found Y". The Statement is serialised with vouch's one canonical
 * JSON encoding (RFC 8785 rules on a subset: sorted keys, no white space, integers only; see
 * lib/attest/attest.h), and the DSSE signature covers
 * PAE("application/vnd.in-toto+json", those bytes).
 *
 * Keys are files in the signed-note private key form (PRIVATE+KEY+name+id+base64), created
 * mode 0600 and never overwritten; their public half is a signed-note verifier key
 * "name+id+base64(0x01||pub)". The attestation key and the transparency log's key are
 * separate files; docs/keys.md says how to rotate them.
 *
 * Every function takes an optional `why` buffer (why may be NULL, why_cap 0) that receives a
 * one-line reason when the answer is not VOUCH_OK.
 */
#ifndef VOUCH_ATTEST_H
#define VOUCH_ATTEST_H

#include <stddef.h>

#include "vouch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VOUCH_INTOTO_PAYLOAD_TYPE "application/vnd.in-toto+json"
#define VOUCH_INTOTO_STATEMENT_V1 "https://in-toto.io/Statement/v1"

/*
 * Generate an Ed25519 key signing as `name` and save it at `path` (0600, O_EXCL).
 * On success *vkey_out (may be NULL) receives the malloc'ed verifier key text.
 * Returns VOUCH_OK, VOUCH_E_USAGE (bad name), VOUCH_E_IO (e.g. the file exists),
 * VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
VOUCH_API int vouch_key_generate(const char *name, const char *path, char **vkey_out,
				 char *why, size_t why_cap);

/*
 * The verifier key text of the key file at `path` (malloc'ed into *vkey_out).
 * Returns VOUCH_OK, VOUCH_E_IO, VOUCH_E_UNSAFE (file readable by others, or a symlink),
 * VOUCH_E_MALFORMED, VOUCH_E_NOMEM.
 */
VOUCH_API int vouch_key_public(const char *path, char **vkey_out, char *why, size_t why_cap);

/*
 * Sign an attestation: subjects are the files at subject_paths (name = the path's last
 * component, digest = SHA-256 of the contents), predicate_json the predicate (a JSON object,
 * integers only). *envelope_out receives the malloc'ed DSSE envelope JSON (canonical, no
 * trailing newline). Returns VOUCH_OK, VOUCH_E_USAGE, VOUCH_E_IO, VOUCH_E_UNSAFE,
 * VOUCH_E_MALFORMED (bad key file or predicate JSON), VOUCH_E_UNSUPPORTED (non-integer
 * number in the predicate), VOUCH_E_LIMIT, VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
VOUCH_API int vouch_attest_sign(const char *key_path, const char *const *subject_paths,
				size_t nsubjects, const char *predicate_type,
				const char *predicate_json, size_t predicate_len,
				char **envelope_out, char *why, size_t why_cap);

/* A subject named and digested by the caller (e.g. a stored artefact under its own name). */
typedef struct vouch_attest_subject {
	const char *name;
	unsigned char sha256[32];
} vouch_attest_subject;

/* As vouch_attest_sign, with subjects given by name and SHA-256 instead of read from files. */
VOUCH_API int vouch_attest_sign_digests(const char *key_path, const vouch_attest_subject *subjects,
					size_t nsubjects, const char *predicate_type,
					const char *predicate_json, size_t predicate_len,
					char **envelope_out, char *why, size_t why_cap);

/*
 * Open a DSSE envelope signed by `vkey` holding an in-toto Statement v1, without checking
 * any subject: *statement_out receives the statement as canonical JSON (malloc'ed).
 * Returns as vouch_attest_verify.
 */
VOUCH_API int vouch_attest_open(const char *envelope, size_t len, const char *vkey,
				char **statement_out, char *why, size_t why_cap);

/*
 * Verify an attestation envelope with a verifier key (text form, type 0x01): a DSSE
 * signature by that key over the PAE of the payload, payload type in-toto, payload a
 * well-formed Statement v1, and, for each file in subject_paths, a subject with its
 * SHA-256. On success *statement_out (may be NULL) receives the statement re-encoded
 * canonically. Returns VOUCH_OK, VOUCH_E_VERIFY (any check answered no), VOUCH_E_MALFORMED
 * (envelope or vkey unreadable), VOUCH_E_IO (a subject file), VOUCH_E_LIMIT, VOUCH_E_NOMEM.
 */
VOUCH_API int vouch_attest_verify(const char *envelope, size_t len, const char *vkey,
				  const char *const *subject_paths, size_t nsubjects,
				  char **statement_out, char *why, size_t why_cap);

#ifdef __cplusplus
}
#endif
#endif
