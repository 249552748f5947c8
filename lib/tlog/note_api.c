/*
 * tlog/note_api.c: the public signed-note API (include/vouch/note.h) over tlog/note.h.
 *
 * Exists so that the command line (which sees only the public API) and library users can
 * sign and open notes with key files and verifier key texts, without the internal key and
 * verifier types. Rejected: exposing vouch_note_verifier publicly (one more opaque type to
 * keep stable for a two-call use).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sign.h"
#include "tlog/note.h"
#include "vouch/note.h"

static int
say(char *why, size_t cap, int err, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
say(char *why, size_t cap, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && cap > 0) {
		va_start(ap, fmt);
		vsnprintf(why, cap, fmt, ap);
		va_end(ap);
	}
	return err;
}

int
vouch_signed_note_sign(const char *key_path, const char *text, size_t len, char **note_out,
		       char *why, size_t why_cap)
{
	vouch_ed25519_key *k = NULL;
	int err;

	err = vouch_ed25519_load(key_path, &k);
	if (err != VOUCH_OK) {
		return say(why, why_cap, err, "%s: cannot load the key (%s)", key_path,
			   vouch_err_str(err));
	}
	err = vouch_note_sign(text, len, (const vouch_ed25519_key *const *)&k, 1, note_out, NULL);
	if (err == VOUCH_E_MALFORMED) {
		say(why, why_cap, err,
		    "the text must be UTF-8, end in a newline and hold no control characters");
	}
	vouch_ed25519_free(k);
	return err;
}

int
vouch_signed_note_verify(const char *note, size_t len, const char *const *vkeys, size_t nvkeys,
			 char **text_out, char *why, size_t why_cap)
{
	vouch_note_verifier **vs = NULL;
	vouch_note *n = NULL;
	size_t nv = 0;
	int err;

	if (nvkeys == 0 || nvkeys > VOUCH_NOTE_MAX_SIGS) {
		return say(why, why_cap, VOUCH_E_USAGE, "need 1-%d verifier keys",
			   VOUCH_NOTE_MAX_SIGS);
	}
	vs = calloc(nvkeys, sizeof(*vs));
	if (vs == NULL) {
		return VOUCH_E_NOMEM;
	}
	for (; nv < nvkeys; nv++) {
		err = vouch_note_verifier_parse(vkeys[nv], strlen(vkeys[nv]), &vs[nv]);
		if (err != VOUCH_OK) {
			say(why, why_cap, err, "not a verifier key: %.80s", vkeys[nv]);
			goto out;
		}
	}
	err = vouch_note_verify(note, len, (const vouch_note_verifier *const *)vs, nv, &n);
	if (err == VOUCH_E_VERIFY) {
		say(why, why_cap, err, "no valid signature by the given keys (or a bad one)");
		goto out;
	}
	if (err != VOUCH_OK) {
		say(why, why_cap, err, "not a well-formed signed note");
		goto out;
	}
	if (text_out != NULL) {
		char *t = malloc(n->text_len + 1);

		if (t == NULL) {
			err = VOUCH_E_NOMEM;
			goto out;
		}
		memcpy(t, n->msg, n->text_len);
		t[n->text_len] = '\0';
		*text_out = t;
	}
out:
	vouch_note_free(n);
	for (size_t i = 0; i < nv; i++) {
		vouch_note_verifier_free(vs[i]);
	}
	free(vs);
	return err;
}
