/*
 * tests/unit/test_note.c: Ed25519 keys, C2SP signed-note and tlog-cosignature/v1.
 *
 * Against published data (../shared/vectors/tlog, skipped when absent): the golang/mod
 * note vectors (every listed signature verifies, bad vkeys are rejected, deterministic
 * re-signing reproduces Peter's signature byte for byte, the private key file round-trips
 * exactly), the C2SP spec example, and the Sunlight skylight witness cosignatures (type
 * 0x04). Then properties: flipping any bit of a note, of its key or of a cosigned
 * checkpoint makes verification fail; malformed notes are rejected; key files are 0600,
 * never overwritten, and refused when others can read them.
 */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/sign.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "tlog_vectors.h"
#include "vouch/error.h"

static json_t *
load_vectors(void)
{
	char *s = tv_load("signed-note-vectors.json", NULL);
	json_t *j;

	if (s == NULL) {
		return NULL;
	}
	j = json_loads(s, 0, NULL);
	free(s);
	return j;
}

static json_t *
find_vector(json_t *root, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach(json_object_get(root, "vectors"), i, v) {
		if (strcmp(json_string_value(json_object_get(v, "id")), id) == 0) {
			return v;
		}
	}
	return NULL;
}

static vouch_note_verifier *
vk(const char *s)
{
	vouch_note_verifier *v = NULL;

	assert_int_equal(vouch_note_verifier_parse(s, strlen(s), &v), VOUCH_OK);
	return v;
}

/* Every vector with a note: all its verifier keys together verify every listed signer. */
static void
test_vectors_verify(void **state)
{
	json_t *root = load_vectors(), *v;
	size_t i, checked = 0;

	(void)state;
	if (root == NULL) {
		skip();
	}
	json_array_foreach(json_object_get(root, "vectors"), i, v) {
		json_t *keys = json_object_get(v, "verifier_keys"), *k;
		const char *note = json_string_value(json_object_get(v, "note"));
		vouch_note_verifier *vs[8] = {0};
		vouch_note *n = NULL;
		size_t nk = 0, j;

		if (note == NULL) {
			continue;
		}
		json_array_foreach(keys, j, k) {
			assert_true(nk < 8);
			vs[nk++] = vk(json_string_value(k));
			/* formatting the parsed key gives the same text back */
			char *again = NULL;
			assert_int_equal(vouch_note_verifier_format(vs[nk - 1], &again), VOUCH_OK);
			assert_string_equal(again, json_string_value(k));
			free(again);
		}
		assert_int_equal(vouch_note_verify(note, strlen(note),
						   (const vouch_note_verifier *const *)vs, nk, &n),
				 VOUCH_OK);
		json_t *exp = json_object_get(v, "expected");
		assert_int_equal(n->nverified, json_object_size(exp));
		for (size_t s = 0; s < n->nsigs; s++) {
			json_t *want = json_object_get(exp, n->sigs[s].name);

			assert_non_null(want);
			assert_string_equal(json_string_value(want), "valid");
			assert_true(n->sigs[s].verifier >= 0);
			checked++;
		}
		vouch_note_free(n);
		/* with no known key the note has no verifiable signature */
		assert_int_equal(vouch_note_verify(note, strlen(note), NULL, 0, NULL), VOUCH_E_VERIFY);
		for (j = 0; j < nk; j++) {
			vouch_note_verifier_free(vs[j]);
		}
	}
	assert_int_equal(checked, 3); /* Peter, Enoch, example.com/foo */
	json_decref(root);
}

/* Only Peter known: Peter verified, Enoch kept as unverified, the note accepted. */
static void
test_unknown_signer_ignored(void **state)
{
	json_t *root = load_vectors(), *v;
	vouch_note_verifier *peter;
	vouch_note *n = NULL;
	const char *note;

	(void)state;
	if (root == NULL) {
		skip();
	}
	v = find_vector(root, "x-mod-note-peter-enoch");
	assert_non_null(v);
	peter = vk(json_string_value(json_array_get(json_object_get(v, "verifier_keys"), 0)));
	note = json_string_value(json_object_get(v, "note"));
	assert_int_equal(vouch_note_verify(note, strlen(note),
					   (const vouch_note_verifier *const *)&peter, 1, &n),
			 VOUCH_OK);
	assert_int_equal(n->nsigs, 2);
	assert_int_equal(n->nverified, 1);
	assert_string_equal(n->sigs[0].name, "PeterNeumann");
	assert_int_equal(n->sigs[0].verifier, 0);
	assert_string_equal(n->sigs[1].name, "EnochRoot");
	assert_int_equal(n->sigs[1].verifier, -1);
	assert_int_equal(n->sigs[1].keyid, 0xaf0cfe78);
	vouch_note_free(n);
	vouch_note_verifier_free(peter);
	json_decref(root);
}

/* Re-signing with the published private key reproduces Peter's signature line exactly. */
static void
test_deterministic_resign(void **state)
{
	json_t *root = load_vectors(), *v;
	vouch_ed25519_key *k = NULL;
	const char *skey, *text, *note, *vkey0;
	char *signed_note = NULL, *again = NULL, *vkey = NULL;
	size_t slen = 0;

	(void)state;
	if (root == NULL) {
		skip();
	}
	v = find_vector(root, "x-mod-note-peter-enoch");
	skey = json_string_value(json_object_get(v, "signer_key"));
	text = json_string_value(json_object_get(v, "text"));
	note = json_string_value(json_object_get(v, "note"));
	vkey0 = json_string_value(json_array_get(json_object_get(v, "verifier_keys"), 0));
	assert_int_equal(vouch_ed25519_parse(skey, strlen(skey), &k), VOUCH_OK);
	assert_string_equal(vouch_ed25519_name(k), "PeterNeumann");
	/* the private key text round-trips byte for byte */
	assert_int_equal(vouch_ed25519_format(k, &again), VOUCH_OK);
	assert_int_equal(strlen(again), strlen(skey) + 1);
	assert_memory_equal(again, skey, strlen(skey));
	/* the public key derived from the seed is the published verifier key */
	assert_int_equal(vouch_note_vkey(k, VOUCH_SIGTYPE_ED25519, &vkey), VOUCH_OK);
	assert_string_equal(vkey, vkey0);
	/* the signed note equals the published note up to Peter's line */
	assert_int_equal(vouch_note_sign(text, strlen(text),
					 (const vouch_ed25519_key *const *)&k, 1, &signed_note,
					 &slen),
			 VOUCH_OK);
	assert_true(slen < strlen(note));
	assert_memory_equal(signed_note, note, slen);
	assert_int_equal(note[slen], '\xe2'); /* next comes Enoch's line */
	vouch_secure_free(again, strlen(again));
	free(signed_note);
	free(vkey);
	vouch_ed25519_free(k);
	json_decref(root);
}

/* Published bad vkeys, plus (as x/mod tests) every proper prefix and +1 mutation. */
static void
test_bad_vkeys(void **state)
{
	json_t *root = load_vectors(), *v, *b;
	vouch_note_verifier *out = NULL;
	const char *good;
	char buf[256];
	size_t i, len;

	(void)state;
	if (root == NULL) {
		skip();
	}
	v = find_vector(root, "x-mod-note-bad-vkeys");
	assert_non_null(v);
	json_array_foreach(json_object_get(v, "invalid_verifier_keys"), i, b) {
		const char *s = json_string_value(json_object_get(b, "vkey"));

		assert_int_not_equal(vouch_note_verifier_parse(s, strlen(s), &out), VOUCH_OK);
	}
	good = json_string_value(json_array_get(
		json_object_get(find_vector(root, "x-mod-note-peter-enoch"), "verifier_keys"), 0));
	len = strlen(good);
	assert_true(len < sizeof(buf));
	for (i = 0; i < len; i++) {
		assert_int_not_equal(vouch_note_verifier_parse(good, i, &out), VOUCH_OK);
		memcpy(buf, good, len);
		buf[i]++;
		assert_int_not_equal(vouch_note_verifier_parse(buf, len, &out), VOUCH_OK);
	}
	/* and the private key form: every prefix and mutation is refused */
	{
		const char *sk = json_string_value(json_object_get(
			find_vector(root, "x-mod-note-peter-enoch"), "signer_key"));
		vouch_ed25519_key *k = NULL;

		len = strlen(sk);
		for (i = 0; i < len; i++) {
			assert_int_not_equal(vouch_ed25519_parse(sk, i, &k), VOUCH_OK);
			memcpy(buf, sk, len);
			buf[i]++;
			assert_int_not_equal(vouch_ed25519_parse(buf, len, &k), VOUCH_OK);
		}
	}
	json_decref(root);
}

/* The Sunlight skylight witness cosignatures (type 0x04) verify with their vkeys. */
static void
check_cosigned(const char *cp_rel, const char *meta_rel, uint64_t want_ts, bool flip)
{
	char *cp = tv_load(cp_rel, NULL), *meta = tv_load(meta_rel, NULL);
	json_t *j;
	const char *vks;
	vouch_note_verifier *w;
	vouch_note *n = NULL;
	size_t len;

	assert_non_null(cp);
	assert_non_null(meta);
	j = json_loads(meta, 0, NULL);
	assert_non_null(j);
	vks = json_string_value(json_array_get(json_object_get(j, "verifier_keys"), 0));
	w = vk(vks);
	assert_int_equal(vouch_note_verifier_type(w), VOUCH_SIGTYPE_COSIG_V1);
	len = strlen(cp);
	assert_int_equal(vouch_note_verify(cp, len, (const vouch_note_verifier *const *)&w, 1, &n),
			 VOUCH_OK);
	assert_int_equal(n->nverified, 1);
	for (size_t i = 0; i < n->nsigs; i++) {
		if (n->sigs[i].verifier == 0) {
			assert_int_equal(n->sigs[i].timestamp, want_ts);
		}
	}
	/* the body is a well-formed checkpoint of size 300 */
	{
		vouch_checkpoint c;

		assert_int_equal(vouch_checkpoint_parse(n->msg, n->text_len, &c), VOUCH_OK);
		assert_int_equal(c.size, 300);
		vouch_checkpoint_clear(&c);
	}
	/* the unknown signer's line (the log's own RFC 6962 signature, type 0x05) is ignored,
	 * so bit flips inside it may leave the note valid: exclude its bytes below */
	size_t skip_from = len, skip_to = len;
	for (size_t i = 0; i < n->nsigs; i++) {
		if (n->sigs[i].verifier < 0) {
			skip_from = (size_t)(n->sigs[i].line - n->msg);
			skip_to = skip_from + n->sigs[i].line_len - 1; /* its \n still counts */
		}
	}
	vouch_note_free(n);
	/* a type 0x01 verifier with the same key and name must not accept a cosignature */
	{
		vouch_note_verifier *plain = NULL;

		assert_int_equal(vouch_note_verifier_new(vouch_note_verifier_name(w),
							 VOUCH_SIGTYPE_ED25519,
							 vouch_note_verifier_pub(w), &plain),
				 VOUCH_OK);
		assert_int_equal(vouch_note_verify(cp, len,
						   (const vouch_note_verifier *const *)&plain, 1,
						   NULL),
				 VOUCH_E_VERIFY);
		vouch_note_verifier_free(plain);
	}
	if (flip) {
		/* flipping any bit of the cosigned checkpoint makes verification fail */
		for (size_t i = 0; i < len * 8; i++) {
			if (i / 8 >= skip_from && i / 8 < skip_to) {
				continue;
			}
			cp[i / 8] ^= (char)(1u << (i % 8));
			assert_int_not_equal(vouch_note_verify(cp, len,
							       (const vouch_note_verifier *const *)&w,
							       1, NULL),
					     VOUCH_OK);
			cp[i / 8] ^= (char)(1u << (i % 8));
		}
	}
	vouch_note_verifier_free(w);
	json_decref(j);
	free(cp);
	free(meta);
}

static void
test_skylight_cosignatures(void **state)
{
	char *probe = tv_load("sunlight-skylight-testdata/witness/witness.v0.json", NULL);
	const char *d = "sunlight-skylight-testdata/";
	char a[512], b[512];

	(void)state;
	if (probe == NULL) {
		skip();
	}
	free(probe);
	snprintf(a, sizeof(a), "%switness/000de184301123b9278c086a7d9f68c9577e83872224c197058fd90784ea9706/checkpoint", d);
	snprintf(b, sizeof(b), "%switness/witness.v0.json", d);
	check_cosigned(a, b, 1767139200, true);
	snprintf(a, sizeof(a), "%switness/mirror/000de184301123b9278c086a7d9f68c9577e83872224c197058fd90784ea9706/checkpoint", d);
	snprintf(b, sizeof(b), "%switness/mirror/mirror.v0.json", d);
	check_cosigned(a, b, 1767139200, false);
	snprintf(a, sizeof(a), "%switness2/88ad7a28caeb0b2aa890fdf0304c2fcaf59fca2ee140134ff8c1300bac493482/checkpoint", d);
	snprintf(b, sizeof(b), "%switness2/witness.v0.json", d);
	check_cosigned(a, b, 1767139200, false);
}

/* The spec examples parse; the cosignature line decodes to 4 + 8 + 64 bytes. */
static void
test_parse_only_examples(void **state)
{
	json_t *root = load_vectors(), *ex;
	vouch_note *n = NULL;
	const char *s;

	(void)state;
	if (root == NULL) {
		skip();
	}
	ex = json_object_get(root, "parse_only_examples");
	s = json_string_value(json_object_get(ex, "checkpoint_with_cosignature"));
	assert_int_equal(vouch_note_parse(s, strlen(s), &n), VOUCH_OK);
	assert_int_equal(n->nsigs, 2);
	assert_int_equal(n->sigs[0].sig_len, 64);
	assert_int_equal(n->sigs[1].sig_len, 72);
	assert_string_equal(n->sigs[1].name, "witness.example.com/w1");
	{
		vouch_checkpoint c;

		assert_int_equal(vouch_checkpoint_parse(n->msg, n->text_len, &c), VOUCH_OK);
		assert_string_equal(c.origin, "example.com/behind-the-sofa");
		assert_int_equal(c.size, 20852163);
		vouch_checkpoint_clear(&c);
	}
	vouch_note_free(n);
	s = json_string_value(json_object_get(ex, "note_multiline_text"));
	assert_int_equal(vouch_note_parse(s, strlen(s), &n), VOUCH_OK);
	/* the text keeps its inner blank line: the LAST blank line separates */
	assert_int_equal(n->text_len, strlen("Ognuno sta solo sul cuor della terra\ntrafitto da "
					     "un raggio di sole:\n\ned \xc3\xa8 subito sera.\n"));
	assert_int_equal(n->nsigs, 1);
	vouch_note_free(n);
	json_decref(root);
}

/* Sign with fresh keys, verify; flip every bit of note and of vkey: never OK. */
static void
test_roundtrip_and_bitflips(void **state)
{
	const char *text = "vouch.example/log\n42\nq2bAbEoRo7bKlVTmRJ6+7hLpW5KsGLPhBbGUJxpVAkQ=\n";
	vouch_ed25519_key *k = NULL, *w = NULL;
	vouch_note_verifier *vs[2] = {0};
	char *note = NULL, *line = NULL, *vkey = NULL, *cos = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(vouch_ed25519_generate("vouch.example/log", &k), VOUCH_OK);
	assert_int_equal(vouch_ed25519_generate("witness.example", &w), VOUCH_OK);
	assert_int_equal(vouch_note_verifier_of(k, VOUCH_SIGTYPE_ED25519, &vs[0]), VOUCH_OK);
	assert_int_equal(vouch_note_verifier_of(w, VOUCH_SIGTYPE_COSIG_V1, &vs[1]), VOUCH_OK);
	assert_int_equal(vouch_note_sign(text, strlen(text), (const vouch_ed25519_key *const *)&k,
					 1, &note, &len),
			 VOUCH_OK);
	assert_int_equal(vouch_note_verify(note, len, (const vouch_note_verifier *const *)vs, 1,
					   NULL),
			 VOUCH_OK);
	for (size_t i = 0; i < len * 8; i++) {
		note[i / 8] ^= (char)(1u << (i % 8));
		assert_int_not_equal(vouch_note_verify(note, len,
						       (const vouch_note_verifier *const *)vs, 1,
						       NULL),
				     VOUCH_OK);
		note[i / 8] ^= (char)(1u << (i % 8));
	}
	/* every bit of the verifier key: the flipped key does not verify the note */
	assert_int_equal(vouch_note_verifier_format(vs[0], &vkey), VOUCH_OK);
	for (size_t i = 0; i < strlen(vkey) * 8; i++) {
		size_t vl = strlen(vkey);
		vouch_note_verifier *fv = NULL;

		vkey[i / 8] ^= (char)(1u << (i % 8));
		if (vouch_note_verifier_parse(vkey, vl, &fv) == VOUCH_OK) {
			assert_int_not_equal(vouch_note_verify(note, len,
							       (const vouch_note_verifier *const *)&fv,
							       1, NULL),
					     VOUCH_OK);
			vouch_note_verifier_free(fv);
		}
		vkey[i / 8] ^= (char)(1u << (i % 8));
	}
	/* a cosignature line appended verifies with the witness key, reports the time */
	assert_int_equal(vouch_note_sign_line(text, strlen(text), w, VOUCH_SIGTYPE_COSIG_V1,
					      1700000000, &line),
			 VOUCH_OK);
	cos = malloc(len + strlen(line) + 1);
	memcpy(cos, note, len);
	memcpy(cos + len, line, strlen(line) + 1);
	{
		vouch_note *n = NULL;

		assert_int_equal(vouch_note_verify(cos, strlen(cos),
						   (const vouch_note_verifier *const *)vs, 2, &n),
				 VOUCH_OK);
		assert_int_equal(n->nverified, 2);
		assert_int_equal(n->sigs[1].verifier, 1);
		assert_int_equal(n->sigs[1].timestamp, 1700000000);
		vouch_note_free(n);
		/* only the witness known: still a valid note (the cosignature is a signature) */
		assert_int_equal(vouch_note_verify(cos, strlen(cos),
						   (const vouch_note_verifier *const *)&vs[1], 1,
						   NULL),
				 VOUCH_OK);
	}
	/* a wrong time in the cosignature's timestamp field breaks it */
	{
		uint8_t sig[72];
		assert_int_equal(vouch_cosig_sign(w, text, strlen(text), 5, sig), VOUCH_OK);
		assert_int_equal(vouch_cosig_verify(vouch_note_verifier_pub(vs[1]), text,
						    strlen(text), sig, sizeof(sig), NULL),
				 VOUCH_OK);
		sig[7] ^= 1;
		assert_int_equal(vouch_cosig_verify(vouch_note_verifier_pub(vs[1]), text,
						    strlen(text), sig, sizeof(sig), NULL),
				 VOUCH_E_VERIFY);
	}
	free(cos);
	free(line);
	free(vkey);
	free(note);
	vouch_note_verifier_free(vs[0]);
	vouch_note_verifier_free(vs[1]);
	vouch_ed25519_free(k);
	vouch_ed25519_free(w);
}

/* A known key whose signature is bad rejects the note even if another known key signed. */
static void
test_bad_known_signature_rejects(void **state)
{
	const char *text = "hello\n";
	vouch_ed25519_key *a = NULL, *b = NULL;
	const vouch_ed25519_key *both[2];
	vouch_note_verifier *vs[2] = {0};
	char *note = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(vouch_ed25519_generate("a", &a), VOUCH_OK);
	assert_int_equal(vouch_ed25519_generate("b", &b), VOUCH_OK);
	both[0] = a;
	both[1] = b;
	assert_int_equal(vouch_note_sign(text, strlen(text), both, 2, &note, &len), VOUCH_OK);
	assert_int_equal(vouch_note_verifier_of(a, VOUCH_SIGTYPE_ED25519, &vs[0]), VOUCH_OK);
	assert_int_equal(vouch_note_verifier_of(b, VOUCH_SIGTYPE_ED25519, &vs[1]), VOUCH_OK);
	assert_int_equal(vouch_note_verify(note, len, (const vouch_note_verifier *const *)vs, 2,
					   NULL),
			 VOUCH_OK);
	/* corrupt b's signature (the last base64 char before '=' of the last line) */
	note[len - 4] = note[len - 4] == 'A' ? 'B' : 'A';
	assert_int_equal(vouch_note_verify(note, len, (const vouch_note_verifier *const *)vs, 2,
					   NULL),
			 VOUCH_E_VERIFY);
	/* with only a known, b's bad line is an unknown signer's: accepted */
	assert_int_equal(vouch_note_verify(note, len, (const vouch_note_verifier *const *)vs, 1,
					   NULL),
			 VOUCH_OK);
	/* duplicate signer names are refused when signing */
	both[1] = a;
	free(note);
	note = NULL;
	assert_int_equal(vouch_note_sign(text, strlen(text), both, 2, &note, &len), VOUCH_E_USAGE);
	vouch_note_verifier_free(vs[0]);
	vouch_note_verifier_free(vs[1]);
	vouch_ed25519_free(a);
	vouch_ed25519_free(b);
}

static void
test_malformed_notes(void **state)
{
	static const char sig[] =
		"\xe2\x80\x94 a x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
	static const char *bad[] = {
		"",
		"hello\n",                  /* no signatures */
		"hello\n\n",                /* blank line but no signature */
		"hello\n\nnot a signature\n",
		"hello\n\n\xe2\x80\x94 a\n",          /* no base64 */
		"hello\n\n\xe2\x80\x94 a \n",         /* empty base64 */
		"hello\n\n\xe2\x80\x94 a AAAA\n",     /* 3 bytes: shorter than a key id + 1 */
		"hello\n\n\xe2\x80\x94 a+b AAAAAAAA\n", /* '+' in the name */
		"hello\n\n\xe2\x80\x94  AAAAAAAA\n",   /* empty name */
		"hello\n\n\xe2\x80\x94 a AAAAAAB=\n",  /* non-canonical padding bits */
		"hello\n\n\xe2\x80\x94 a AAAAAAAA",    /* no final newline */
		"hel\x01lo\n\n\xe2\x80\x94 a AAAAAAAA\n", /* control character */
		"hel\xc0\xafo\n\n\xe2\x80\x94 a AAAAAAAA\n", /* overlong UTF-8 */
		"hello\r\n\n\xe2\x80\x94 a AAAAAAAA\n",    /* CR */
		"\n\n\xe2\x80\x94 a AAAAAAAA\n",           /* empty text */
		"- a AAAAAAAA\n\n",
	};
	vouch_note *n = NULL;
	char *big;
	size_t off;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = vouch_note_parse(bad[i], strlen(bad[i]), &n);

		if (err == VOUCH_OK) {
			fail_msg("accepted bad note %zu", i);
		}
	}
	/* a valid shape parses */
	{
		char ok[256];

		snprintf(ok, sizeof(ok), "hello\n\n%s", sig);
		assert_int_equal(vouch_note_parse(ok, strlen(ok), &n), VOUCH_OK);
		assert_int_equal(n->nsigs, 1);
		vouch_note_free(n);
	}
	/* 100 signature lines are accepted, 101 are a limit */
	big = malloc(8 + 101 * sizeof(sig));
	memcpy(big, "hello\n\n", 7);
	off = 7;
	for (int i = 0; i < 101; i++) {
		memcpy(big + off, sig, sizeof(sig) - 1);
		off += sizeof(sig) - 1;
		if (i == 99) {
			assert_int_equal(vouch_note_parse(big, off, &n), VOUCH_OK);
			assert_int_equal(n->nsigs, 100);
			vouch_note_free(n);
		}
	}
	assert_int_equal(vouch_note_parse(big, off, &n), VOUCH_E_LIMIT);
	free(big);
	/* signing refuses bad text */
	{
		vouch_ed25519_key *k = NULL;
		char *out = NULL;

		assert_int_equal(vouch_ed25519_generate("k", &k), VOUCH_OK);
		assert_int_equal(vouch_note_sign("no newline", 10,
						 (const vouch_ed25519_key *const *)&k, 1, &out,
						 NULL),
				 VOUCH_E_MALFORMED);
		assert_int_equal(vouch_note_sign("a\x02\n", 3, (const vouch_ed25519_key *const *)&k,
						 1, &out, NULL),
				 VOUCH_E_MALFORMED);
		assert_int_equal(vouch_ed25519_generate("bad name", &k), VOUCH_E_USAGE);
		assert_int_equal(vouch_ed25519_generate("bad+name", &k), VOUCH_E_USAGE);
		assert_int_equal(vouch_ed25519_generate("", &k), VOUCH_E_USAGE);
		assert_int_equal(vouch_ed25519_generate("nb\xc2\xa0sp", &k), VOUCH_E_USAGE);
		vouch_ed25519_free(k);
	}
}

/* Key files: 0600, O_EXCL, loaded back equal, refused when others can read or via link. */
static void
test_key_files(void **state)
{
	char dir[] = "/tmp/vouch-test-keys-XXXXXX";
	char path[512], link[512];
	vouch_ed25519_key *k = NULL, *k2 = NULL;
	uint8_t p1[32], p2[32], sig[64];
	struct stat st;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log.key", dir);
	snprintf(link, sizeof(link), "%s/link.key", dir);
	assert_int_equal(vouch_ed25519_generate("vouch.example/log", &k), VOUCH_OK);
	assert_int_equal(vouch_ed25519_save(k, path), VOUCH_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(vouch_ed25519_save(k, path), VOUCH_E_IO); /* never overwritten */
	assert_int_equal(errno, EEXIST);
	assert_int_equal(vouch_ed25519_load(path, &k2), VOUCH_OK);
	assert_string_equal(vouch_ed25519_name(k2), "vouch.example/log");
	vouch_ed25519_public(k, p1);
	vouch_ed25519_public(k2, p2);
	assert_memory_equal(p1, p2, 32);
	assert_int_equal(vouch_ed25519_sign(k2, "m", 1, sig), VOUCH_OK);
	assert_int_equal(vouch_ed25519_verify(p1, "m", 1, sig), VOUCH_OK);
	assert_int_equal(vouch_ed25519_verify(p1, "n", 1, sig), VOUCH_E_VERIFY);
	vouch_ed25519_free(k2);
	k2 = NULL;
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(vouch_ed25519_load(link, &k2), VOUCH_E_UNSAFE);
	assert_int_equal(vouch_ed25519_save(k, link), VOUCH_E_IO); /* no write through a link */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(vouch_ed25519_load(path, &k2), VOUCH_E_UNSAFE);
	assert_null(k2);
	unlink(link);
	unlink(path);
	rmdir(dir);
	vouch_ed25519_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_verify),
		cmocka_unit_test(test_unknown_signer_ignored),
		cmocka_unit_test(test_deterministic_resign),
		cmocka_unit_test(test_bad_vkeys),
		cmocka_unit_test(test_skylight_cosignatures),
		cmocka_unit_test(test_parse_only_examples),
		cmocka_unit_test(test_roundtrip_and_bitflips),
		cmocka_unit_test(test_bad_known_signature_rejects),
		cmocka_unit_test(test_malformed_notes),
		cmocka_unit_test(test_key_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
