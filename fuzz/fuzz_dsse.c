/*
 * fuzz/fuzz_dsse.c: libFuzzer harness for attestations (attest/canon.c, dsse.c, intoto.c,
 * api.c): the canonical JSON encoder, DSSE envelope verification and in-toto Statement
 * checks.
 *
 * Each input (at most 64 KiB) is used as:
 *   - JSON read for signing: when vouch_json_read accepts it and the canonical encoder
 *     encodes it, the encoding is a fixed point (reading it back gives an equal value whose
 *     encoding is the same bytes), it holds no white space outside strings, and an
 *     in-toto check that accepts the value finds its first subject's digest;
 *   - a DSSE envelope, verified with the key that signed the seed corpus (`vouch attest
 *     sign`, fuzz/corpus/dsse): when accepted, the payload is re-read as a Statement; and
 *     through the public vouch_attest_verify with the same key as text (which must agree
 *     on "verified" whenever the payload is an in-toto Statement);
 *   - a payload: signed into an envelope by the harness's own key (fixed seed), which must
 *     be canonical JSON and must verify, giving back the same type and bytes; and the PAE of
 *     (first byte's worth of input as type, rest as body) is checked against its definition.
 * Properties are asserted with abort() so that libFuzzer reports them. Nothing is written.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "crypto/sign.h"
#include "tlog/note.h"
#include "vouch/attest.h"
#include "vouch/error.h"

#define FUZZ_MAX_INPUT (64u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key that signed the seed corpus envelopes (private half not kept). */
static const char corpus_vkey[] =
	"fuzz.vouch.example/corpus+5fb278fe+Ad0P7JSLXE4h/9cAcssiFJXPYjN/60a4ehJQarKIu4b7";

static struct {
	bool ready;
	vouch_ed25519_key *key;
	uint8_t own_pub[VOUCH_ED25519_PUB_LEN];
	uint8_t corpus_pub[VOUCH_ED25519_PUB_LEN];
} st;

static void
setup(void)
{
	static const uint8_t seed[VOUCH_ED25519_SEED_LEN] = {'d', 's', 's', 'e'};
	vouch_note_verifier *v = NULL;

	if (st.ready) {
		return;
	}
	if (vouch_ed25519_from_seed("fuzz.vouch.example/dsse", seed, &st.key) != VOUCH_OK ||
	    vouch_note_verifier_parse(corpus_vkey, strlen(corpus_vkey), &v) != VOUCH_OK) {
		abort();
	}
	vouch_ed25519_public(st.key, st.own_pub);
	memcpy(st.corpus_pub, vouch_note_verifier_pub(v), VOUCH_ED25519_PUB_LEN);
	vouch_note_verifier_free(v);
	st.ready = true;
}

/* No white space outside strings: the canonical form has none. */
static void
check_no_space(const char *s, size_t n)
{
	bool in = false;

	for (size_t i = 0; i < n; i++) {
		if (in) {
			if (s[i] == '\\') {
				i++;
			} else if (s[i] == '"') {
				in = false;
			} else if ((unsigned char)s[i] < 0x20) {
				abort(); /* control characters are escaped */
			}
		} else if (s[i] == '"') {
			in = true;
		} else if (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
			abort();
		}
	}
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void
check_statement(const json_t *v)
{
	const char *hex;
	uint8_t d[32];

	if (vouch_intoto_check(v) != VOUCH_OK) {
		return;
	}
	hex = json_string_value(json_object_get(
		json_object_get(json_array_get(json_object_get(v, "subject"), 0), "digest"),
		"sha256"));
	if (hex == NULL || strlen(hex) != 64) {
		abort(); /* the check promised a subject with a 64-hex-digit sha256 */
	}
	for (size_t i = 0; i < 32; i++) {
		int h = hexval(hex[2 * i]), l = hexval(hex[2 * i + 1]);

		if (h < 0 || l < 0) {
			abort();
		}
		d[i] = (uint8_t)(h << 4 | l);
	}
	if (vouch_intoto_has_digest(v, d) != 1) {
		abort();
	}
}

static void
check_canonical(const char *s, size_t size)
{
	json_t *v = NULL, *v2 = NULL;
	char *c1 = NULL, *c2 = NULL;
	size_t l1 = 0, l2 = 0;

	if (vouch_json_read(s, size, &v) != VOUCH_OK) {
		return;
	}
	check_statement(v);
	if (vouch_json_canonical(v, &c1, &l1) != VOUCH_OK) {
		goto out;
	}
	if (strlen(c1) != l1) {
		abort(); /* NUL is refused when reading, so none can come out */
	}
	check_no_space(c1, l1);
	if (vouch_json_read(c1, l1, &v2) != VOUCH_OK) {
		abort(); /* the canonical form must be readable JSON */
	}
	if (!json_equal(v, v2)) {
		abort(); /* the encoding changed the value */
	}
	if (vouch_json_canonical(v2, &c2, &l2) != VOUCH_OK || l2 != l1 ||
	    memcmp(c1, c2, l1) != 0) {
		abort(); /* not a fixed point */
	}
out:
	free(c2);
	free(c1);
	json_decref(v2);
	json_decref(v);
}

static void
check_envelope(const char *s, size_t size)
{
	vouch_dsse_payload p;
	char *stmt = NULL, why[256];
	int rc, api;

	rc = vouch_dsse_verify(s, size, st.corpus_pub, &p);
	api = vouch_attest_verify(s, size, corpus_vkey, NULL, 0, &stmt, why, sizeof(why));
	if (rc == VOUCH_OK) {
		json_t *v = NULL;
		bool statement = strcmp(p.type, VOUCH_INTOTO_PAYLOAD_TYPE) == 0 &&
				 vouch_json_read((const char *)p.body, p.body_len, &v) == VOUCH_OK &&
				 vouch_intoto_check(v) == VOUCH_OK;

		if (p.body[p.body_len] != '\0' || (statement != (api == VOUCH_OK))) {
			abort();
		}
		if (v != NULL) {
			check_statement(v);
		}
		json_decref(v);
		vouch_dsse_payload_clear(&p);
	} else if (api == VOUCH_OK) {
		abort(); /* the public API accepted what the envelope check refused */
	}
	free(stmt);
}

static void
check_sign(const uint8_t *data, size_t size)
{
	vouch_dsse_payload p;
	json_t *v = NULL;
	char *env = NULL, *c = NULL;
	size_t el = 0, cl = 0;

	if (vouch_dsse_sign(st.key, VOUCH_INTOTO_PAYLOAD_TYPE, data, size, "k", &env, &el) !=
	    VOUCH_OK) {
		abort();
	}
	if (vouch_dsse_verify(env, el, st.own_pub, &p) != VOUCH_OK ||
	    strcmp(p.type, VOUCH_INTOTO_PAYLOAD_TYPE) != 0 || p.body_len != size ||
	    (size > 0 && memcmp(p.body, data, size) != 0)) {
		abort();
	}
	vouch_dsse_payload_clear(&p);
	/* the envelope is canonical JSON: re-encoding it changes nothing */
	if (vouch_json_read(env, el, &v) != VOUCH_OK || vouch_json_canonical(v, &c, &cl) != VOUCH_OK ||
	    cl != el || memcmp(c, env, el) != 0) {
		abort();
	}
	/* and the corpus key does not verify it */
	if (vouch_dsse_verify(env, el, st.corpus_pub, &p) != VOUCH_E_VERIFY) {
		abort();
	}
	free(c);
	json_decref(v);
	free(env);
}

static void
check_pae(const uint8_t *data, size_t size)
{
	size_t tl = size > 0 ? data[0] % 64 : 0, hl, ol = 0;
	uint8_t *out = NULL;
	char head[64];

	if (tl + 1 > size) {
		return;
	}
	if (vouch_dsse_pae((const char *)data + 1, tl, data + 1 + tl, size - 1 - tl, &out, &ol) !=
	    VOUCH_OK) {
		return;
	}
	hl = (size_t)snprintf(head, sizeof(head), "DSSEv1 %zu ", tl);
	if (ol < hl || memcmp(out, head, hl) != 0 || memcmp(out + hl, data + 1, tl) != 0) {
		abort();
	}
	hl += tl;
	{
		char mid[32];
		size_t ml = (size_t)snprintf(mid, sizeof(mid), " %zu ", size - 1 - tl);

		if (ol != hl + ml + size - 1 - tl || memcmp(out + hl, mid, ml) != 0 ||
		    memcmp(out + hl + ml, data + 1 + tl, size - 1 - tl) != 0) {
			abort();
		}
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	setup();
	check_canonical((const char *)data, size);
	check_envelope((const char *)data, size);
	check_sign(data, size);
	check_pae(data, size);
	return 0;
}
