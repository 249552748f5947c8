/*
 * fuzz/fuzz_note.c: libFuzzer harness for C2SP signed notes (tlog/note.c, tlog/note_api.c):
 * note parsing, verification against known keys (Ed25519 0x01 and cosignature/v1 0x04),
 * and verifier-key parsing.
 *
 * Each input (at most 64 KiB) is used as:
 *   - a note, parsed: when accepted, the structure must describe the input (the copy is
 *     the input, the text is non-empty and ends in \n followed by the blank separator line,
 *     every signature line lies inside the message after the text and starts with "— ",
 *     nothing is verified). Then the round trip: signing the parsed text with the harness's
 *     own key (fixed seed) must verify with that key, and appending that key's signature
 *     line and cosignature line to the input must make the input verify with that key
 *     (unless the input already carries a line by that key, or is at the signature limit);
 *   - a note, verified against the published keys of the vectors in
 *     ../shared/vectors/tlog (Go x/mod PeterNeumann and EnochRoot, the C2SP example key,
 *     the Sunlight witnesses) and the key of the seed corpus: when accepted, every verified
 *     signature names its verifier and at least one is verified; through the public API
 *     too (vouch_signed_note_verify with the same keys as text);
 *   - a verifier key: when accepted, formatting it again gives the input bytes exactly
 *     (the key id is lowercase hex, the base64 canonical) and its key id is the one
 *     computed from name, type and key.
 * Properties are asserted with abort() so that libFuzzer reports them. Nothing is written.
 * Rejected: letting the fuzzer pick the verifier set from the input (it cannot forge
 * Ed25519, so known published keys plus our own signer reach every branch more cheaply).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sign.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "vouch/error.h"
#include "vouch/note.h"

#define FUZZ_MAX_INPUT (64u << 10)
#define FUZZ_COSIG_TIME 1767139200u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Published verifier keys (see the README of ../shared/vectors/tlog) and the key that
 * signed the seed corpus (`vouch key generate`, private half not kept). */
static const char *const known_vkeys[] = {
	"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	"EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
	"example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
	"witness.example.org+b8a2cf20+BFLN3yikSfFkVAJtrnh/CiY3Zozkoy7clp+P7XB28qUN",
	"witness2.example.org+2e55b896+BIZ7fpceQWd60IfqQeS9IAnmNOCZjMDne8lZuguz/bi9",
	"mirror.example.org+3fb148ef+BAAjjch9GyYz0sJsJx7ALhbdAtz2ov0unbzSl1vMp94O",
	"fuzz.vouch.example/corpus+5fb278fe+Ad0P7JSLXE4h/9cAcssiFJXPYjN/60a4ehJQarKIu4b7",
};
#define NKNOWN (sizeof(known_vkeys) / sizeof(known_vkeys[0]))

static struct {
	bool ready;
	vouch_ed25519_key *key;          /* the harness's own signer */
	vouch_note_verifier *own[2];     /* its 0x01 and 0x04 verifiers */
	vouch_note_verifier *known[NKNOWN];
	size_t nknown;
} st;

static bool
setup(void)
{
	static const uint8_t seed[VOUCH_ED25519_SEED_LEN] = {
		'v', 'o', 'u', 'c', 'h', ' ', 'f', 'u', 'z', 'z', ' ', 'n', 'o', 't', 'e', 's',
	};

	if (st.ready) {
		return true;
	}
	if (vouch_ed25519_from_seed("fuzz.vouch.example/note", seed, &st.key) != VOUCH_OK ||
	    vouch_note_verifier_of(st.key, VOUCH_SIGTYPE_ED25519, &st.own[0]) != VOUCH_OK ||
	    vouch_note_verifier_of(st.key, VOUCH_SIGTYPE_COSIG_V1, &st.own[1]) != VOUCH_OK) {
		abort();
	}
	for (size_t i = 0; i < NKNOWN; i++) {
		if (vouch_note_verifier_parse(known_vkeys[i], strlen(known_vkeys[i]),
					      &st.known[i]) != VOUCH_OK) {
			abort(); /* a published key must parse */
		}
	}
	st.nknown = NKNOWN;
	st.ready = true;
	return true;
}

/* The structure of an accepted note describes the message. */
static void
check_shape(const vouch_note *n, const uint8_t *data, size_t size, bool verified)
{
	static const char dash[] = "\xe2\x80\x94 ";
	size_t nv = 0;

	if (n->msg_len != size || memcmp(n->msg, data, size) != 0 || n->msg[size] != '\0') {
		abort();
	}
	if (n->text_len == 0 || n->text_len + 1 >= size || n->msg[n->text_len - 1] != '\n' ||
	    n->msg[n->text_len] != '\n' || n->nsigs == 0 || n->nsigs > VOUCH_NOTE_MAX_SIGS) {
		abort();
	}
	for (size_t i = 0; i < n->nsigs; i++) {
		const vouch_note_sig *s = &n->sigs[i];

		if (s->line < n->msg + n->text_len + 1 || s->line_len < sizeof(dash) ||
		    s->line_len > size || (size_t)(s->line - n->msg) > size - s->line_len ||
		    memcmp(s->line, dash, sizeof(dash) - 1) != 0 ||
		    s->line[s->line_len - 1] != '\n' || s->sig_len == 0 ||
		    !vouch_key_name_ok(s->name, strlen(s->name))) {
			abort();
		}
		if (!verified && s->verifier != -1) {
			abort();
		}
		if (s->verifier >= 0) {
			const vouch_note_verifier *v = st.known[s->verifier];

			if ((size_t)s->verifier >= st.nknown || vouch_note_verifier_keyid(v) != s->keyid ||
			    strcmp(vouch_note_verifier_name(v), s->name) != 0) {
				abort();
			}
			nv++;
		}
	}
	if (nv != n->nverified || (verified && nv == 0) || (!verified && nv != 0)) {
		abort();
	}
}

/* Sign the parsed text with our key: the result must open with our key. */
static void
round_trip(const vouch_note *n, const uint8_t *data, size_t size)
{
	const vouch_ed25519_key *signers[1] = {st.key};
	const vouch_note_verifier *own = st.own[0];
	vouch_note *back = NULL;
	char *signed_note = NULL, *line = NULL, *cline = NULL, *both = NULL;
	size_t sl = 0, ll, cl;
	bool ours = false;
	int rc;

	rc = vouch_note_sign(n->msg, n->text_len, signers, 1, &signed_note, &sl);
	if (rc != VOUCH_OK) {
		abort(); /* the parser accepted this text, so the signer must too */
	}
	if (vouch_note_verify(signed_note, sl, &own, 1, &back) != VOUCH_OK ||
	    back->text_len != n->text_len || memcmp(back->msg, n->msg, n->text_len) != 0 ||
	    back->nsigs != 1 || back->nverified != 1) {
		abort();
	}
	/* append our signature and cosignature lines to the input itself */
	for (size_t i = 0; i < n->nsigs; i++) {
		if (strcmp(n->sigs[i].name, vouch_ed25519_name(st.key)) == 0) {
			ours = true; /* a line by our name may carry our key id with a bad signature */
		}
	}
	if (ours || n->nsigs + 2 > VOUCH_NOTE_MAX_SIGS ||
	    size + 2048 > VOUCH_NOTE_MAX_SIZE) {
		goto out;
	}
	if (vouch_note_sign_line(n->msg, n->text_len, st.key, VOUCH_SIGTYPE_ED25519, 0, &line) !=
		    VOUCH_OK ||
	    vouch_note_sign_line(n->msg, n->text_len, st.key, VOUCH_SIGTYPE_COSIG_V1,
				 FUZZ_COSIG_TIME, &cline) != VOUCH_OK) {
		abort();
	}
	ll = strlen(line);
	cl = strlen(cline);
	both = malloc(size + ll + cl);
	if (both == NULL) {
		goto out;
	}
	memcpy(both, data, size);
	memcpy(both + size, line, ll);
	memcpy(both + size + ll, cline, cl);
	vouch_note_free(back);
	back = NULL;
	if (vouch_note_verify(both, size + ll + cl, (const vouch_note_verifier *const *)st.own, 2,
			      &back) != VOUCH_OK ||
	    back->nverified != 2 || back->sigs[back->nsigs - 1].timestamp != FUZZ_COSIG_TIME) {
		abort();
	}
out:
	vouch_note_free(back);
	free(both);
	free(cline);
	free(line);
	free(signed_note);
}

static void
check_vkey(const uint8_t *data, size_t size)
{
	vouch_note_verifier *v = NULL, *again = NULL;
	char *text = NULL;
	int rc = vouch_note_verifier_parse((const char *)data, size, &v);

	if (rc != VOUCH_OK) {
		return;
	}
	if (vouch_note_verifier_format(v, &text) != VOUCH_OK) {
		goto out;
	}
	if (strlen(text) != size || memcmp(text, data, size) != 0) {
		abort(); /* two texts for one key */
	}
	if (vouch_note_verifier_new(vouch_note_verifier_name(v), vouch_note_verifier_type(v),
				    vouch_note_verifier_pub(v), &again) != VOUCH_OK ||
	    vouch_note_verifier_keyid(again) != vouch_note_verifier_keyid(v)) {
		abort();
	}
out:
	vouch_note_verifier_free(again);
	free(text);
	vouch_note_verifier_free(v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *msg = (const char *)data;
	vouch_note *n = NULL;
	vouch_checkpoint c;
	char *text = NULL;
	char why[256];
	int rc;

	if (size > FUZZ_MAX_INPUT || !setup()) {
		return 0;
	}
	check_vkey(data, size);

	rc = vouch_note_parse(msg, size, &n);
	if (rc == VOUCH_OK) {
		check_shape(n, data, size, false);
		round_trip(n, data, size);
	}
	vouch_note_free(n);
	n = NULL;

	rc = vouch_note_verify(msg, size, (const vouch_note_verifier *const *)st.known, st.nknown,
			       &n);
	if (rc == VOUCH_OK) {
		check_shape(n, data, size, true);
		memset(&c, 0, sizeof(c));
		if (vouch_checkpoint_parse(n->msg, n->text_len, &c) == VOUCH_OK) {
			vouch_checkpoint_clear(&c);
		}
	}
	if (vouch_note_verify(msg, size, (const vouch_note_verifier *const *)st.known, st.nknown,
			      NULL) != rc) {
		abort(); /* the answer must not depend on whether the result is wanted */
	}
	vouch_note_free(n);

	/* the public API, with the same keys as text: the same answer */
	if (vouch_signed_note_verify(msg, size, known_vkeys, NKNOWN, &text, why, sizeof(why)) !=
	    rc) {
		abort();
	}
	free(text);
	return 0;
}
