/*
 * attest/intoto.c: in-toto Statement v1 (https://github.com/in-toto/attestation, spec v1):
 * build one from subjects and a predicate, and check the shape of one that was verified.
 *
 * Only the fields vouch relies on are checked (type, subjects with sha256 digests, predicate
 * type, predicate object); other digest algorithms in a subject's DigestSet are allowed and
 * ignored, as the spec asks consumers to. Rejected: a schema validator dependency for four
 * fields.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "attest/attest.h"
#include "crypto/crypto.h"
#include "vouch/attest.h"
#include "vouch/error.h"

static void
to_hex(const uint8_t *d, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * n] = '\0';
}

int
vouch_intoto_statement(const vouch_intoto_subject *subjects, size_t n,
		       const char *predicate_type, json_t *predicate, json_t **out)
{
	json_t *st = NULL, *subj = NULL;
	int err = VOUCH_E_NOMEM;

	if (n == 0 || n > VOUCH_ATTEST_MAX_SUBJECTS || predicate_type == NULL ||
	    predicate_type[0] == '\0' || !json_is_object(predicate)) {
		return VOUCH_E_USAGE;
	}
	st = json_object();
	subj = json_array();
	if (st == NULL || subj == NULL) {
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		char hex[65];
		json_t *s;

		to_hex(subjects[i].sha256, 32, hex);
		s = json_pack("{s:s, s:{s:s}}", "name", subjects[i].name, "digest", "sha256", hex);
		if (s == NULL || json_array_append_new(subj, s) != 0) {
			goto out;
		}
	}
	if (json_object_set_new(st, "_type", json_string(VOUCH_INTOTO_STATEMENT_V1)) != 0 ||
	    json_object_set(st, "subject", subj) != 0 ||
	    json_object_set_new(st, "predicateType", json_string(predicate_type)) != 0 ||
	    json_object_set(st, "predicate", predicate) != 0) {
		goto out;
	}
	*out = st;
	st = NULL;
	err = VOUCH_OK;
out:
	json_decref(subj);
	json_decref(st);
	return err;
}

static bool
is_hex64(const json_t *v)
{
	const char *s = json_string_value(v);

	if (s == NULL || json_string_length(v) != 64) {
		return false;
	}
	for (size_t i = 0; i < 64; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
			return false;
		}
	}
	return true;
}

int
vouch_intoto_check(const json_t *st)
{
	const json_t *t = json_object_get(st, "_type"), *subj = json_object_get(st, "subject");
	const json_t *pt = json_object_get(st, "predicateType"), *s;
	size_t i;

	if (!json_is_object(st) || !json_is_string(t) ||
	    strcmp(json_string_value(t), VOUCH_INTOTO_STATEMENT_V1) != 0 || !json_is_array(subj) ||
	    json_array_size(subj) == 0 || json_array_size(subj) > VOUCH_ATTEST_MAX_SUBJECTS ||
	    !json_is_string(pt) || json_string_length(pt) == 0 ||
	    !json_is_object(json_object_get(st, "predicate"))) {
		return VOUCH_E_MALFORMED;
	}
	json_array_foreach(subj, i, s) {
		const json_t *d = json_object_get(s, "digest");

		if (!json_is_object(s) || !json_is_string(json_object_get(s, "name")) ||
		    !json_is_object(d) || !is_hex64(json_object_get(d, "sha256"))) {
			return VOUCH_E_MALFORMED;
		}
	}
	return VOUCH_OK;
}

int
vouch_intoto_has_digest(const json_t *st, const uint8_t digest[32])
{
	const json_t *s;
	char hex[65];
	size_t i;

	to_hex(digest, 32, hex);
	json_array_foreach(json_object_get(st, "subject"), i, s) {
		const char *h = json_string_value(json_object_get(json_object_get(s, "digest"),
								  "sha256"));

		if (h != NULL && vouch_ct_equal(h, hex, 64)) {
			return 1;
		}
	}
	return 0;
}
