/*
 * tests/unit/test_checkpoint.c: the C2SP tlog-checkpoint body, formatted and strictly parsed,
 * and signed inside a note.
 *
 * Expected values come from outside vouch: the golang/mod sumdb tree golden (size
 * 123456789012, root = SHA-256(0x00 || "hello world"), re-derived here with our SHA-256 and
 * compared with the published base64) and the C2SP spec examples; the strictness cases are
 * the spec's rules (decimal without leading zeros, 32-byte canonical base64, \n endings).
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/b64.h"
#include "crypto/crypto.h"
#include "crypto/sign.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "tlog_vectors.h"
#include "vouch/error.h"

static const char root_b64[] = "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=";

static void
test_go_golden(void **state)
{
	char *s = tv_load("signed-note-vectors.json", NULL);
	json_t *j, *g;
	const char *golden;
	vouch_checkpoint c;
	uint8_t leaf[12] = {0}, want[32];
	char *again = NULL;
	size_t i, len = 0;
	json_t *b;

	(void)state;
	if (s == NULL) {
		skip();
	}
	j = json_loads(s, 0, NULL);
	free(s);
	g = json_object_get(j, "go_sumdb_tree_note");
	golden = json_string_value(json_object_get(g, "golden"));
	assert_int_equal(vouch_checkpoint_parse(golden, strlen(golden), &c), VOUCH_OK);
	assert_string_equal(c.origin, "go.sum database tree");
	assert_int_equal(c.size, (uint64_t)json_integer_value(json_object_get(g, "tree_size")));
	memcpy(leaf + 1, "hello world", 11);
	assert_int_equal(vouch_sha256_oneshot(leaf, sizeof(leaf), want), VOUCH_OK);
	assert_memory_equal(c.root, want, 32);
	{
		char enc[VOUCH_B64_ENC_LEN(32) + 1];

		vouch_b64_encode(enc, want, 32);
		assert_string_equal(enc, root_b64);
	}
	assert_int_equal(c.nexts, 0);
	assert_int_equal(vouch_checkpoint_format(c.origin, c.size, c.root, NULL, 0, &again, &len),
			 VOUCH_OK);
	assert_int_equal(len, strlen(golden));
	assert_string_equal(again, golden);
	free(again);
	vouch_checkpoint_clear(&c);
	json_array_foreach(json_object_get(g, "bad"), i, b) {
		const char *t = json_string_value(b);

		/* the first "bad" case differs only in origin: it parses, but names another log */
		if (vouch_checkpoint_parse(t, strlen(t), &c) == VOUCH_OK) {
			assert_string_not_equal(c.origin, "go.sum database tree");
			vouch_checkpoint_clear(&c);
		}
	}
	/* the others must fail */
	for (i = 1; i < json_array_size(json_object_get(g, "bad")); i++) {
		const char *t = json_string_value(json_array_get(json_object_get(g, "bad"), i));

		assert_int_equal(vouch_checkpoint_parse(t, strlen(t), &c), VOUCH_E_MALFORMED);
	}
	/* Go's pre-C2SP parser ignores trailing text; C2SP makes it an extension line, which
	 * must end in \n like every line of a note text */
	g = json_object_get(g, "good_with_trailing");
	golden = json_string_value(json_array_get(g, 0));
	assert_int_equal(vouch_checkpoint_parse(golden, strlen(golden), &c), VOUCH_E_MALFORMED);
	golden = json_string_value(json_array_get(g, 1));
	assert_int_equal(vouch_checkpoint_parse(golden, strlen(golden), &c), VOUCH_OK);
	assert_int_equal(c.nexts, 1);
	assert_string_equal(c.exts[0], "JOE");
	vouch_checkpoint_clear(&c);
	json_decref(j);
}

static void
test_spec_example(void **state)
{
	char *s = tv_load("signed-note-vectors.json", NULL);
	json_t *j;
	const char *cp;
	vouch_note *n = NULL;
	vouch_checkpoint c;

	(void)state;
	if (s == NULL) {
		skip();
	}
	j = json_loads(s, 0, NULL);
	free(s);
	cp = json_string_value(json_object_get(json_object_get(j, "parse_only_examples"),
					       "checkpoint"));
	assert_int_equal(vouch_note_parse(cp, strlen(cp), &n), VOUCH_OK);
	assert_int_equal(vouch_checkpoint_parse(n->msg, n->text_len, &c), VOUCH_OK);
	assert_string_equal(c.origin, "example.com/behind-the-sofa");
	assert_int_equal(c.size, 20852163);
	vouch_checkpoint_clear(&c);
	vouch_note_free(n);
	json_decref(j);
}

static void
test_strict(void **state)
{
	static const char *bad[] = {
		"",
		"origin\n",
		"origin\n1\n",
		"origin\n01\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"origin\n+1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"origin\n-1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"origin\n 1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"origin\n1 \nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"origin\n\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"origin\n18446744073709551616\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"origin\n99999999999999999999\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"origin\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0\n",   /* no padding */
		"origin\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb1=\n",  /* trailing bits */
		"origin\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBQ==\n",  /* 31 bytes */
		"origin\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0AAAA=\n", /* 34 bytes */
		"origin\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=",    /* no newline */
		"origin\r\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
		"\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",        /* empty origin */
		"origin\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n\n", /* empty ext */
		"origin\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\next\x01\n",
		"or\xffigin\n1\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n",
	};
	vouch_checkpoint c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (vouch_checkpoint_parse(bad[i], strlen(bad[i]), &c) != VOUCH_E_MALFORMED) {
			fail_msg("case %zu not rejected as malformed", i);
		}
		assert_null(c.origin);
	}
	{
		const char *ok = "o\n18446744073709551615\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0="
				 "\n0\n";
		assert_int_equal(vouch_checkpoint_parse(ok, strlen(ok), &c), VOUCH_OK);
		assert_int_equal(c.size, UINT64_MAX);
		assert_int_equal(c.nexts, 1);
		vouch_checkpoint_clear(&c);
		ok = "o\n0\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n";
		assert_int_equal(vouch_checkpoint_parse(ok, strlen(ok), &c), VOUCH_OK);
		assert_int_equal(c.size, 0);
		vouch_checkpoint_clear(&c);
	}
}

/* format -> parse round trip with extensions; bad inputs to format refused. */
static void
test_format_roundtrip(void **state)
{
	const char *exts[] = {"ext one", "\xe2\x80\x94 looks like a signature but is text"};
	uint8_t root[32];
	char *s = NULL, *b64 = NULL;
	size_t len = 0;
	vouch_checkpoint c;

	(void)state;
	for (int i = 0; i < 32; i++) {
		root[i] = (uint8_t)(i * 7 + 1);
	}
	assert_int_equal(vouch_checkpoint_format("vouch.example/log", 1234567, root, exts, 2, &s,
						 &len),
			 VOUCH_OK);
	assert_int_equal(vouch_b64_encode_alloc(root, 32, &b64), VOUCH_OK);
	{
		char want[512];

		snprintf(want, sizeof(want), "vouch.example/log\n1234567\n%s\n%s\n%s\n", b64, exts[0],
			 exts[1]);
		assert_string_equal(s, want);
	}
	assert_int_equal(vouch_checkpoint_parse(s, len, &c), VOUCH_OK);
	assert_string_equal(c.origin, "vouch.example/log");
	assert_int_equal(c.size, 1234567);
	assert_memory_equal(c.root, root, 32);
	assert_int_equal(c.nexts, 2);
	assert_string_equal(c.exts[1], exts[1]);
	vouch_checkpoint_clear(&c);
	free(s);
	free(b64);
	{
		const char *badext[] = {"a\nb"};
		const char *empty[] = {""};

		assert_int_equal(vouch_checkpoint_format("o", 1, root, badext, 1, &s, NULL),
				 VOUCH_E_USAGE);
		assert_int_equal(vouch_checkpoint_format("o", 1, root, empty, 1, &s, NULL),
				 VOUCH_E_USAGE);
		assert_int_equal(vouch_checkpoint_format("", 1, root, NULL, 0, &s, NULL),
				 VOUCH_E_USAGE);
		assert_int_equal(vouch_checkpoint_format("o\n", 1, root, NULL, 0, &s, NULL),
				 VOUCH_E_USAGE);
	}
}

/* A signed checkpoint: sign, verify, parse the verified text; bit flips in size/root fail. */
static void
test_signed_checkpoint(void **state)
{
	vouch_ed25519_key *k = NULL;
	vouch_note_verifier *v = NULL;
	vouch_note *n = NULL;
	vouch_checkpoint c;
	uint8_t root[32] = {1, 2, 3};
	char *body = NULL, *note = NULL;
	size_t blen = 0, nlen = 0;

	(void)state;
	assert_int_equal(vouch_ed25519_generate("vouch.example/log", &k), VOUCH_OK);
	assert_int_equal(vouch_note_verifier_of(k, VOUCH_SIGTYPE_ED25519, &v), VOUCH_OK);
	assert_int_equal(vouch_checkpoint_format("vouch.example/log", 8, root, NULL, 0, &body,
						 &blen),
			 VOUCH_OK);
	assert_int_equal(vouch_note_sign(body, blen, (const vouch_ed25519_key *const *)&k, 1,
					 &note, &nlen),
			 VOUCH_OK);
	assert_int_equal(vouch_note_verify(note, nlen, (const vouch_note_verifier *const *)&v, 1,
					   &n),
			 VOUCH_OK);
	assert_int_equal(n->text_len, blen);
	assert_int_equal(vouch_checkpoint_parse(n->msg, n->text_len, &c), VOUCH_OK);
	assert_int_equal(c.size, 8);
	vouch_checkpoint_clear(&c);
	vouch_note_free(n);
	/* change the size digit: the note no longer verifies */
	note[strlen("vouch.example/log\n")] = '9';
	assert_int_equal(vouch_note_verify(note, nlen, (const vouch_note_verifier *const *)&v, 1,
					   NULL),
			 VOUCH_E_VERIFY);
	free(body);
	free(note);
	vouch_note_verifier_free(v);
	vouch_ed25519_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_golden),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_format_roundtrip),
		cmocka_unit_test(test_signed_checkpoint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
