/*
 * vouch/note.h: C2SP signed notes (https://c2sp.org/signed-note) for callers of libvouch:
 * sign a text with a key file, open a note with verifier keys.
 *
 * Verifier keys are "name+keyid+base64(type||pubkey)" with type 0x01 (Ed25519) or 0x04
 * (tlog-cosignature/v1 witness key). A note verifies when at least one signature by a given
 * key is valid; signatures by other keys are ignored; a signature by a given key that does
 * not verify rejects the note. See lib/tlog/note.h for every rule.
 */
#ifndef VOUCH_NOTE_H
#define VOUCH_NOTE_H

#include <stddef.h>

#include "vouch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Sign `text` (UTF-8, non-empty, ending in a newline, no control characters but newline)
 * with the key file at key_path (see vouch_key_generate). *note_out receives the malloc'ed
 * signed note. Returns VOUCH_OK, VOUCH_E_MALFORMED (bad text or key file), VOUCH_E_IO,
 * VOUCH_E_UNSAFE (key file readable by others), VOUCH_E_NOMEM, VOUCH_E_INTERNAL.
 */
VOUCH_API int vouch_signed_note_sign(const char *key_path, const char *text, size_t len,
				     char **note_out, char *why, size_t why_cap);

/*
 * Open a signed note with nvkeys verifier keys. On success *text_out (may be NULL) receives
 * the malloc'ed note text (the signed part). Returns VOUCH_OK, VOUCH_E_VERIFY, VOUCH_E_MALFORMED
 * (note or verifier key malformed), VOUCH_E_UNSUPPORTED (unknown key type), VOUCH_E_LIMIT,
 * VOUCH_E_NOMEM.
 */
VOUCH_API int vouch_signed_note_verify(const char *note, size_t len, const char *const *vkeys,
				       size_t nvkeys, char **text_out, char *why, size_t why_cap);

#ifdef __cplusplus
}
#endif
#endif
