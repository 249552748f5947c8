/*
 * tests/unit/test_dsse.c: Ed25519 known answers, the canonical JSON encoding, DSSE and
 * in-toto attestations.
 *
 * Independent expectations: RFC 8032 §7.1 TEST 1 (key pair and signature of the empty
 * message); DSSE test vectors transcribed from secure-systems-lab/dsse testvectors/
 * vectors.json (commit 82043adf78bb4e67c208f9ffa72b38804ea6a0c4; Ed25519 keys = RFC 8032
 * TEST 1/2, so the signatures are deterministic and must be reproduced byte for byte, and
 * each carries the hex of its PAE); RFC 8785 §3.2.3's key-sorting example (UTF-16 order,
 * where UTF-8 byte order would differ). Then properties: flipping any bit of the signed
 * payload, the signature or the public key makes verification fail.
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attest/attest.h"
#include "base/b64.h"
#include "crypto/sign.h"
#include "tlog/note.h"
#include "vouch/attest.h"
#include "vouch/error.h"

static void
unhex(const char *h, uint8_t *out, size_t *n)
{
	size_t len = strlen(h);

	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;

		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	*n = len / 2;
}

/* RFC 8032 §7.1 TEST 1 */
static const char rfc_seed_a[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char rfc_pub_a[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char rfc_sig_empty[] =
	"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
	"1cf9b46bd25bf5f0595bbe24655141438e7a100b";
/* RFC 8032 §7.1 TEST 2 */
static const char rfc_seed_b[] = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
static const char rfc_pub_b[] = "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c";

static vouch_ed25519_key *
rfc_key(const char *seed_hex, const char *pub_hex)
{
	uint8_t seed[64], pub[64], got[32];
	size_t n;
	vouch_ed25519_key *k = NULL;

	unhex(seed_hex, seed, &n);
	assert_int_equal(n, 32);
	assert_int_equal(vouch_ed25519_from_seed("rfc8032", seed, &k), VOUCH_OK);
	unhex(pub_hex, pub, &n);
	vouch_ed25519_public(k, got);
	assert_memory_equal(got, pub, 32);
	return k;
}

static void
test_rfc8032(void **state)
{
	vouch_ed25519_key *k = rfc_key(rfc_seed_a, rfc_pub_a);
	uint8_t sig[64], want[64], pub[32];
	size_t n;

	(void)state;
	assert_int_equal(vouch_ed25519_sign(k, "", 0, sig), VOUCH_OK);
	unhex(rfc_sig_empty, want, &n);
	assert_memory_equal(sig, want, 64);
	vouch_ed25519_public(k, pub);
	assert_int_equal(vouch_ed25519_verify(pub, "", 0, want), VOUCH_OK);
	for (size_t i = 0; i < 64 * 8; i++) {
		want[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(vouch_ed25519_verify(pub, "", 0, want), VOUCH_E_VERIFY);
		want[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	vouch_ed25519_free(k);
}

/* Transcribed DSSE vectors: envelope fields, signer (A or B), PAE hex, expected answer. */
typedef struct dsse_vec {
	const char *id, *payload, *type, *sig, *pae_hex;
	bool accept; /* with supported types = {type of the vector} */
	bool type_swapped;
} dsse_vec;

static const char stmt_pae[] =
	"445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203433207b22"
	"5f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d";

static const dsse_vec vecs[] = {
	{"single-signature", "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==",
	 "application/vnd.in-toto+json",
	 "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==",
	 stmt_pae, true, false},
	{"url-safe-base64", "-_-_Pj8=", "application/vnd.in-toto+json",
	 "P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==",
	 "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203520fbffbf"
	 "3e3f",
	 true, false},
	{"non-ascii-payload-type", "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==",
	 "application/vnd.ex\xc3\xa4mple+json",
	 "xmSk/ug66ysT7ayhkCIjhAq42zgZXSsEWuzUaNL7w2eGAdF/NU6/fRXPtmfN+5DNSAs5/i2lUnHjbbjPsu0tAw==",
	 "445353457631203239206170706c69636174696f6e2f766e642e6578c3a46d706c652b6a736f6e203433207b"
	 "225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f53746174656d656e742f7631227d",
	 true, false},
	{"empty-payload", "", "application/vnd.in-toto+json",
	 "gSggCAaTLTYyRH6FIDBem6meyIynsYy8RTHVzwx9tnTb7Bg/1jMWnuVgI/gffqmbsC2VX5/jHfkkDqsj7CDbDg==",
	 "445353457631203238206170706c69636174696f6e2f766e642e696e2d746f746f2b6a736f6e203020", true,
	 false},
	{"payload-type-swapped", "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==",
	 "application/vnd.example.other+json",
	 "2WAfaHm5jluo0w+0rk8uVkluELJYWjSmU9x7EUzx+AyteDGJ4/nqyJXfmAUVFIAoQafWm7AxBZNw5M9ixNHiCA==",
	 stmt_pae, false, true},
	{"empty-payload-type", "eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==", "",
	 "iC3q/+3Rm0+lpAJRueDmDh15PnwCfxKmS0NAfKsbv+zgulXQC/WM9trc+j1XEqlwDIg/vf/uNfebeD6sxInrDg==",
	 "445353457631203020203433207b225f74797065223a2268747470733a2f2f696e2d746f746f2e696f2f5374"
	 "6174656d656e742f7631227d",
	 false, false},
};

static char *
envelope(const dsse_vec *v)
{
	json_t *j = json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "payload", v->payload, "payloadType",
			      v->type, "signatures", "sig", v->sig, "keyid", "A");
	char *s = json_dumps(j, JSON_COMPACT);

	json_decref(j);
	return s;
}

static void
test_dsse_vectors(void **state)
{
	vouch_ed25519_key *a = rfc_key(rfc_seed_a, rfc_pub_a);
	uint8_t pub[32];

	(void)state;
	vouch_ed25519_public(a, pub);
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const dsse_vec *v = &vecs[i];
		char *env = envelope(v);
		vouch_dsse_payload p;
		uint8_t want[512], *pae = NULL;
		size_t wl, pl = 0;
		int err;

		err = vouch_dsse_verify(env, strlen(env), pub, &p);
		if (v->type_swapped) {
			/* the signature covers another type: no signature verifies */
			assert_int_equal(err, VOUCH_E_VERIFY);
		} else {
			/* the signature is valid; "empty-payload-type" is then refused by type */
			assert_int_equal(err, VOUCH_OK);
			assert_string_equal(p.type, v->type);
			assert_int_equal(v->accept, p.type[0] != '\0');
			unhex(v->pae_hex, want, &wl);
			assert_int_equal(vouch_dsse_pae(p.type, strlen(p.type), p.body, p.body_len,
							&pae, &pl),
					 VOUCH_OK);
			assert_int_equal(pl, wl);
			assert_memory_equal(pae, want, wl);
			/* deterministic: re-signing reproduces the published signature */
			{
				uint8_t sig[64];
				uint8_t pubsig[70];
				size_t sl = 0;
				char *std = NULL;

				assert_int_equal(vouch_ed25519_sign(a, pae, pl, sig), VOUCH_OK);
				/* the vector's sig may be URL-safe: normalise to standard */
				std = strdup(v->sig);
				for (char *c = std; *c; c++) {
					*c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
				}
				assert_int_equal(vouch_b64_decode(pubsig, sizeof(pubsig), std,
								  strlen(std), &sl),
						 VOUCH_OK);
				assert_int_equal(sl, 64);
				assert_memory_equal(sig, pubsig, 64);
				free(std);
			}
			free(pae);
			vouch_dsse_payload_clear(&p);
		}
		free(env);
	}
	vouch_ed25519_free(a);
}

/* Key B's signature on the same statement; the wrong key answers VERIFY. */
static void
test_dsse_two_keys(void **state)
{
	static const char env[] =
		"{\"payload\":\"eyJfdHlwZSI6Imh0dHBzOi8vaW4tdG90by5pby9TdGF0ZW1lbnQvdjEifQ==\","
		"\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{\"sig\":"
		"\"c1+67/aT0yqEpwx8PsVY3MLHsj9D0CZ014/Fv/QlG59P+9CobUZ7xECJ/V3USG0Ob9CiE5LjReEZUzNF2l7eBw==\"}]}";
	vouch_ed25519_key *a = rfc_key(rfc_seed_a, rfc_pub_a), *b = rfc_key(rfc_seed_b, rfc_pub_b);
	uint8_t pa[32], pb[32];
	vouch_dsse_payload p;

	(void)state;
	vouch_ed25519_public(a, pa);
	vouch_ed25519_public(b, pb);
	assert_int_equal(vouch_dsse_verify(env, strlen(env), pb, &p), VOUCH_OK);
	vouch_dsse_payload_clear(&p);
	assert_int_equal(vouch_dsse_verify(env, strlen(env), pa, &p), VOUCH_E_VERIFY);
	vouch_ed25519_free(a);
	vouch_ed25519_free(b);
}

static char *
canon(const char *json)
{
	json_t *j = NULL;
	char *out = NULL;

	assert_int_equal(vouch_json_read(json, strlen(json), &j), VOUCH_OK);
	assert_int_equal(vouch_json_canonical(j, &out, NULL), VOUCH_OK);
	json_decref(j);
	return out;
}

static void
test_canonical(void **state)
{
	char *s;
	json_t *j = NULL;

	(void)state;
	/* RFC 8785 §3.2.3: property sorting by UTF-16 code units */
	s = canon("{\"\\u20ac\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\\ufb33\":\"Hebrew "
		  "Letter Dalet With Dagesh\",\"1\":\"One\",\"\\ud83d\\ude00\":\"Emoji: Grinning "
		  "Face\",\"\\u0080\":\"Control\",\"\\u00f6\":\"Latin Small Letter O With "
		  "Diaeresis\"}");
	assert_string_equal(s, "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
			       "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":"
			       "\"Euro Sign\",\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
			       "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}");
	free(s);
	/* string escapes: only " \ and C0 controls; / and U+007F and U+2028 literal */
	s = canon("[\"a\\\"b\\\\c\\/d\\u0001\\u001f\\b\\f\\n\\r\\t\\u007f\\u2028\"]");
	assert_string_equal(s, "[\"a\\\"b\\\\c/d\\u0001\\u001f\\b\\f\\n\\r\\t\x7f\xe2\x80\xa8\"]");
	free(s);
	/* white space gone, nesting kept, literals */
	s = canon(" { \"b\" : [ 1 , -2 , true , false , null , { } , [ ] ] , \"a\" : \"\" } ");
	assert_string_equal(s, "{\"a\":\"\",\"b\":[1,-2,true,false,null,{},[]]}");
	free(s);
	s = canon("[9007199254740991,-9007199254740991,0]");
	assert_string_equal(s, "[9007199254740991,-9007199254740991,0]");
	free(s);
	/* refused: reals, integers beyond 2^53-1 */
	static const char *unsup[] = {"[1.5]", "[1e3]", "[1.0]", "[9007199254740992]",
				      "[-9007199254740992]"};
	for (size_t i = 0; i < sizeof(unsup) / sizeof(unsup[0]); i++) {
		char *o = NULL;

		assert_int_equal(vouch_json_read(unsup[i], strlen(unsup[i]), &j), VOUCH_OK);
		assert_int_equal(vouch_json_canonical(j, &o, NULL), VOUCH_E_UNSUPPORTED);
		json_decref(j);
	}
	/* duplicate keys are refused on reading */
	assert_int_equal(vouch_json_read("{\"a\":1,\"a\":2}", 13, &j), VOUCH_E_MALFORMED);
	/* depth: 64 nested arrays fine, 65 a limit */
	{
		char deep[200];
		char *o = NULL;

		for (int d = 64; d <= 65; d++) {
			memset(deep, '[', (size_t)d);
			memset(deep + d, ']', (size_t)d);
			deep[2 * d] = '\0';
			assert_int_equal(vouch_json_read(deep, strlen(deep), &j), VOUCH_OK);
			assert_int_equal(vouch_json_canonical(j, &o, NULL),
					 d == 64 ? VOUCH_OK : VOUCH_E_LIMIT);
			free(o);
			o = NULL;
			json_decref(j);
		}
	}
}

/* PAE of the DSSE spec's protocol example: "DSSEv1 29 http://example.com/HelloWorld 11 hello world" */
static void
test_pae_spec_example(void **state)
{
	static const char t[] = "http://example.com/HelloWorld";
	static const char want[] = "DSSEv1 29 http://example.com/HelloWorld 11 hello world";
	uint8_t *p = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(vouch_dsse_pae(t, strlen(t), (const uint8_t *)"hello world", 11, &p, &n),
			 VOUCH_OK);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
	free(p);
}

/* The public API end to end, with bit flips over payload, signature and key. */
static void
test_attest_roundtrip_and_flips(void **state)
{
	char dir[] = "/tmp/vouch-test-attest-XXXXXX";
	char keyp[256], fw[256], other[256];
	char *vkey = NULL, *env = NULL, *st = NULL, why[256];
	const char *subj[1];
	static const char pred[] = "{\"verdict\":\"pass\",\"findings\":0}";
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(keyp, sizeof(keyp), "%s/lab.key", dir);
	snprintf(fw, sizeof(fw), "%s/fw.bin", dir);
	snprintf(other, sizeof(other), "%s/other.bin", dir);
	f = fopen(fw, "w");
	fputs("firmware bytes", f);
	fclose(f);
	f = fopen(other, "w");
	fputs("other bytes", f);
	fclose(f);
	assert_int_equal(vouch_key_generate("lab.example/attest", keyp, &vkey, why, sizeof(why)),
			 VOUCH_OK);
	subj[0] = fw;
	assert_int_equal(vouch_attest_sign(keyp, subj, 1, "https://vouch.example/verdict/v1",
					   pred, strlen(pred), &env, why, sizeof(why)),
			 VOUCH_OK);
	assert_int_equal(vouch_attest_verify(env, strlen(env), vkey, subj, 1, &st, why,
					     sizeof(why)),
			 VOUCH_OK);
	/* sha256("firmware bytes"), computed by an independent tool (coreutils sha256sum) */
	assert_non_null(strstr(st, "{\"digest\":{\"sha256\":\"dbf1bce8c5e41be6f0c17880b1ed3033714b384b2c2232b1c7b4f3fda822b6ce\"},\"name\":\"fw.bin\"}"));
	assert_non_null(strstr(st, "\"_type\":\"https://in-toto.io/Statement/v1\""));
	free(st);
	st = NULL;
	subj[0] = other;
	assert_int_equal(vouch_attest_verify(env, strlen(env), vkey, subj, 1, NULL, why,
					     sizeof(why)),
			 VOUCH_E_VERIFY);

	/* flip every bit of the signed payload: re-encode, verify, must fail */
	{
		json_t *j = json_loads(env, 0, NULL);
		const char *p64 = json_string_value(json_object_get(j, "payload"));
		uint8_t *body = malloc(strlen(p64));
		size_t bl = 0;

		assert_int_equal(vouch_b64_decode(body, strlen(p64), p64, strlen(p64), &bl),
				 VOUCH_OK);
		for (size_t i = 0; i < bl * 8; i += 3) { /* every third bit keeps it quick */
			char *b64 = NULL, *e2;

			body[i / 8] ^= (uint8_t)(1u << (i % 8));
			assert_int_equal(vouch_b64_encode_alloc(body, bl, &b64), VOUCH_OK);
			json_object_set_new(j, "payload", json_string(b64));
			e2 = json_dumps(j, JSON_COMPACT);
			assert_int_equal(vouch_attest_verify(e2, strlen(e2), vkey, NULL, 0, NULL,
							     why, sizeof(why)),
					 VOUCH_E_VERIFY);
			free(e2);
			free(b64);
			body[i / 8] ^= (uint8_t)(1u << (i % 8));
		}
		/* and every bit of the signature */
		json_t *sig = json_object_get(json_array_get(json_object_get(j, "signatures"), 0),
					      "sig");
		char *s64 = strdup(json_string_value(sig));
		uint8_t raw[66];
		size_t rl = 0;

		assert_int_equal(vouch_b64_decode(raw, sizeof(raw), s64, strlen(s64), &rl), VOUCH_OK);
		{
			char *b64 = NULL;

			assert_int_equal(vouch_b64_encode_alloc(body, bl, &b64), VOUCH_OK);
			json_object_set_new(j, "payload", json_string(b64));
			free(b64);
		}
		for (size_t i = 0; i < rl * 8; i++) {
			char enc[VOUCH_B64_ENC_LEN(64) + 1], *e2;

			raw[i / 8] ^= (uint8_t)(1u << (i % 8));
			vouch_b64_encode(enc, raw, rl);
			json_object_set_new(json_array_get(json_object_get(j, "signatures"), 0), "sig",
					    json_string(enc));
			e2 = json_dumps(j, JSON_COMPACT);
			assert_int_equal(vouch_attest_verify(e2, strlen(e2), vkey, NULL, 0, NULL,
							     why, sizeof(why)),
					 VOUCH_E_VERIFY);
			free(e2);
			raw[i / 8] ^= (uint8_t)(1u << (i % 8));
		}
		free(s64);
		free(body);
		json_decref(j);
	}
	/* every bit of the verifier key: either not a key or not this key */
	for (size_t i = 0; i < strlen(vkey) * 8; i++) {
		vkey[i / 8] ^= (char)(1u << (i % 8));
		assert_int_not_equal(vouch_attest_verify(env, strlen(env), vkey, NULL, 0, NULL, why,
							 sizeof(why)),
				     VOUCH_OK);
		vkey[i / 8] ^= (char)(1u << (i % 8));
	}
	/* a payload validly signed by the key but not a Statement v1 is not accepted */
	{
		vouch_ed25519_key *k = NULL;
		char *e2 = NULL;
		static const char bad[] = "{\"_type\":\"https://in-toto.io/Statement/v0.1\"}";

		assert_int_equal(vouch_ed25519_load(keyp, &k), VOUCH_OK);
		assert_int_equal(vouch_dsse_sign(k, VOUCH_INTOTO_PAYLOAD_TYPE, (const uint8_t *)bad,
						 strlen(bad), NULL, &e2, NULL),
				 VOUCH_OK);
		assert_int_equal(vouch_attest_verify(e2, strlen(e2), vkey, NULL, 0, NULL, why,
						     sizeof(why)),
				 VOUCH_E_VERIFY);
		free(e2);
		vouch_ed25519_free(k);
	}
	/* a real in the predicate: refused at signing, not rounded */
	subj[0] = fw;
	free(env);
	env = NULL;
	assert_int_equal(vouch_attest_sign(keyp, subj, 1, "t", "{\"x\":0.1}", 9, &env, why,
					   sizeof(why)),
			 VOUCH_E_UNSUPPORTED);
	unlink(keyp);
	unlink(fw);
	unlink(other);
	rmdir(dir);
	free(vkey);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc8032),
		cmocka_unit_test(test_dsse_vectors),
		cmocka_unit_test(test_dsse_two_keys),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_pae_spec_example),
		cmocka_unit_test(test_attest_roundtrip_and_flips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
