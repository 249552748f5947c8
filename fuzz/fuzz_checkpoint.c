/*
 * fuzz/fuzz_checkpoint.c: libFuzzer harness for the C2SP tlog-checkpoint body
 * (tlog/checkpoint.c) and for opening signed checkpoints (vouch_tlog_checkpoint_open).
 *
 * Each input (at most 64 KiB) is used as:
 *   - a checkpoint body: when the strict parser accepts it, vouch_checkpoint_format of the
 *     parsed fields must give the input back byte for byte (one spelling per checkpoint),
 *     and the formatted text must parse to the same fields. Then the body is signed as a
 *     note by a key named after its origin (fixed seed), and vouch_tlog_checkpoint_open
 *     with that key's verifier must accept the note and return the same size and root;
 *   - a signed checkpoint note: opened with the key of the seed corpus log (the checkpoints
 *     in fuzz/corpus/checkpoint were published by `vouch log checkpoint` with it). When
 *     accepted, the note's text must itself parse as a checkpoint with that size and root.
 * Properties are asserted with abort() so that libFuzzer reports them. Nothing is written.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sign.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "vouch/error.h"
#include "vouch/tlog.h"

#define FUZZ_MAX_INPUT (64u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char log_vkey[] =
	"fuzz.vouch.example/log+9420532f+Aax0DFSMK5eQSROB8P6ohIdNFJPpmY2kM8qnIwgrTUqH";

static bool
same(const vouch_checkpoint *a, const vouch_checkpoint *b)
{
	if (strcmp(a->origin, b->origin) != 0 || a->size != b->size ||
	    memcmp(a->root, b->root, sizeof(a->root)) != 0 || a->nexts != b->nexts) {
		return false;
	}
	for (size_t i = 0; i < a->nexts; i++) {
		if (strcmp(a->exts[i], b->exts[i]) != 0) {
			return false;
		}
	}
	return true;
}

/* Sign the body with a key named after the origin; opening it must give size and root. */
static void
sign_and_open(const vouch_checkpoint *c, const char *body, size_t len)
{
	static const uint8_t seed[VOUCH_ED25519_SEED_LEN] = {'c', 'h', 'e', 'c', 'k', 'p', 'o'};
	const vouch_ed25519_key *signers[1];
	vouch_ed25519_key *k = NULL;
	char *vkey = NULL, *note = NULL, why[256];
	vouch_tlog_hash root;
	uint64_t size = 0;
	size_t nl = 0;

	if (!vouch_key_name_ok(c->origin, strlen(c->origin))) {
		return; /* an origin may hold spaces or '+'; then no key can be named after it */
	}
	if (vouch_ed25519_from_seed(c->origin, seed, &k) != VOUCH_OK ||
	    vouch_note_vkey(k, VOUCH_SIGTYPE_ED25519, &vkey) != VOUCH_OK) {
		abort();
	}
	signers[0] = k;
	if (vouch_note_sign(body, len, signers, 1, &note, &nl) != VOUCH_OK) {
		abort(); /* a valid checkpoint body is valid note text */
	}
	if (vouch_tlog_checkpoint_open(note, nl, vkey, &size, root, why, sizeof(why)) !=
		    VOUCH_OK ||
	    size != c->size || memcmp(root, c->root, sizeof(root)) != 0) {
		abort();
	}
	free(note);
	free(vkey);
	vouch_ed25519_free(k);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	vouch_checkpoint c, back;
	vouch_tlog_hash root;
	uint64_t tsize = 0;
	char *out = NULL, why[256];
	size_t ol = 0;
	int rc;

	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	rc = vouch_checkpoint_parse(s, size, &c);
	if (rc == VOUCH_OK) {
		if (vouch_checkpoint_format(c.origin, c.size, c.root, (const char *const *)c.exts,
					    c.nexts, &out, &ol) != VOUCH_OK) {
			abort(); /* what the parser accepts, the formatter must write */
		}
		if (ol != size || memcmp(out, data, size) != 0) {
			abort(); /* a second spelling of the same checkpoint */
		}
		if (vouch_checkpoint_parse(out, ol, &back) != VOUCH_OK || !same(&c, &back)) {
			abort();
		}
		vouch_checkpoint_clear(&back);
		sign_and_open(&c, out, ol);
		free(out);
		vouch_checkpoint_clear(&c);
	} else if (c.origin != NULL || c.exts != NULL || c.nexts != 0) {
		abort(); /* *out is zeroed on failure */
	}

	rc = vouch_tlog_checkpoint_open(s, size, log_vkey, &tsize, root, why, sizeof(why));
	if (rc == VOUCH_OK) {
		vouch_note *n = NULL;

		if (vouch_note_parse(s, size, &n) != VOUCH_OK ||
		    vouch_checkpoint_parse(n->msg, n->text_len, &c) != VOUCH_OK ||
		    c.size != tsize || memcmp(c.root, root, sizeof(root)) != 0 ||
		    strcmp(c.origin, "fuzz.vouch.example/log") != 0) {
			abort();
		}
		vouch_checkpoint_clear(&c);
		vouch_note_free(n);
	}
	return 0;
}
