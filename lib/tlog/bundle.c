/*
 * tlog/bundle.c: offline proof bundles in the C2SP tlog-proof format
 * (https://c2sp.org/tlog-proof):
 *
 *     c2sp.org/tlog-proof@v1\n
 *     extra <base64 of the entry>\n           optional, unauthenticated
 *     index <decimal, no leading zeros>\n
 *     <base64 hash>\n ...                      inclusion proof, leaf sibling first
 *     \n
 *     <signed checkpoint note, with witness cosignature lines>
 *
 * vouch puts the log entry (for `vouch log append`, the object's 32-byte SHA-256) in the
 * extra line so that the bundle is self-contained; the verifier recomputes the leaf from
 * the entry it is given (or, failing that, from extra), so the extra data is never trusted
 * by itself: only its inclusion under a signed checkpoint is.
 *
 * Parsing is strict (the spec's grammar, canonical base64, bounded sizes) and reads the text
 * through a bounds-checked line cursor; the checkpoint is opened with the log's key and the
 * witnesses' keys, and the cosignature count is a policy of the caller (min_cosigs).
 * Rejected: a JSON bundle (the spec's text form is what other verifiers read).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "tlog/checkpoint.h"
#include "tlog/log.h"

#define BUNDLE_HEADER "c2sp.org/tlog-proof@v1"
#define BUNDLE_MAX (VOUCH_NOTE_MAX_SIZE + 256 * 1024)

int
vouch_tlog_bundle(vouch_tlog *t, uint64_t index, char **out)
{
	vouch_hash proof[VOUCH_MERKLE_MAX_PROOF], root;
	char *note = NULL, *extra = NULL, *buf = NULL;
	uint8_t *entry = NULL;
	size_t elen = 0, n = 0, cap, len = 0;
	uint64_t size;
	int rc;

	if ((rc = vouch_tlog_latest_full(t, &note, &size, &root)) != VOUCH_OK) {
		return rc;
	}
	if (index >= size) {
		rc = vouch_errf(&t->err, VOUCH_E_NOTFOUND, index,
				"no checkpoint covers index %llu yet (latest size %llu): run "
				"'vouch log checkpoint'",
				(unsigned long long)index, (unsigned long long)size);
		goto out;
	}
	if ((rc = vouch_store_prove_inclusion(t->s, index, size, proof, &n)) != VOUCH_OK ||
	    (rc = vouch_store_entry(t->s, index, &entry, &elen)) != VOUCH_OK) {
		rc = vouch_tlog_store_err(t, rc);
		goto out;
	}
	if ((rc = vouch_b64_encode_alloc(entry, elen, &extra)) != VOUCH_OK) {
		goto out;
	}
	cap = strlen(BUNDLE_HEADER) + strlen(extra) + strlen(note) + 64 + n * 46;
	buf = malloc(cap);
	if (buf == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	len = (size_t)snprintf(buf, cap, "%s\nextra %s\nindex %llu\n", BUNDLE_HEADER, extra,
			       (unsigned long long)index);
	for (size_t i = 0; i < n; i++) {
		len += vouch_b64_encode(buf + len, proof[i].b, VOUCH_HASH_LEN);
		buf[len++] = '\n';
	}
	snprintf(buf + len, cap - len, "\n%s", note);
	*out = buf;
	buf = NULL;
out:
	free(note);
	free(extra);
	free(entry);
	free(buf);
	return rc;
}

/* The next line (without '\n') of [*pos, len); -1 when there is no complete line. */
static int
next_line(const char *s, size_t len, size_t *pos, const char **line, size_t *llen)
{
	const char *nl;

	if (*pos >= len) {
		return -1;
	}
	nl = memchr(s + *pos, '\n', len - *pos);
	if (nl == NULL) {
		return -1;
	}
	*line = s + *pos;
	*llen = (size_t)(nl - (s + *pos));
	*pos += *llen + 1;
	return 0;
}

static int
parse_dec(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0')) {
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || !vouch_mul_u64(x, 10, &x) ||
		    !vouch_add_u64(x, (uint64_t)(s[i] - '0'), &x)) {
			return -1;
		}
	}
	*v = x;
	return 0;
}

int
vouch_tlog_verify_bundle(const char *bundle, size_t len, const char *log_vkey,
			 const char *const *witness_vkeys, size_t nw, size_t min_cosigs,
			 const void *entry, size_t entry_len, uint64_t *index_out, char *why,
			 size_t why_cap)
{
	vouch_note_verifier **vs = NULL;
	vouch_hash proof[VOUCH_MERKLE_MAX_PROOF], leaf;
	uint8_t *extra = NULL;
	size_t extra_len = 0, pos = 0, ll, n = 0, nv = 0, cosigned = 0;
	const char *line;
	vouch_note *note = NULL;
	vouch_checkpoint c;
	uint64_t index;
	int rc = VOUCH_E_MALFORMED;

	memset(&c, 0, sizeof(c));
	if (len > BUNDLE_MAX || nw >= VOUCH_NOTE_MAX_SIGS) {
		return vouch_tlog_say(why, why_cap, VOUCH_E_LIMIT, "bundle or key list too large");
	}
	if (next_line(bundle, len, &pos, &line, &ll) != 0 || ll != strlen(BUNDLE_HEADER) ||
	    memcmp(line, BUNDLE_HEADER, ll) != 0) {
		return vouch_tlog_say(why, why_cap, rc, "not a %s proof", BUNDLE_HEADER);
	}
	if (next_line(bundle, len, &pos, &line, &ll) != 0) {
		return vouch_tlog_say(why, why_cap, rc, "truncated proof");
	}
	if (ll >= 6 && memcmp(line, "extra ", 6) == 0) {
		if (ll - 6 > VOUCH_B64_ENC_LEN(VOUCH_TLOG_MAX_ENTRY)) {
			return vouch_tlog_say(why, why_cap, VOUCH_E_LIMIT, "extra data too large");
		}
		extra = malloc(VOUCH_B64_DEC_MAX(ll - 6) + 1);
		if (extra == NULL) {
			return VOUCH_E_NOMEM;
		}
		if (vouch_b64_decode(extra, VOUCH_B64_DEC_MAX(ll - 6) + 1, line + 6, ll - 6,
				     &extra_len) != VOUCH_OK) {
			rc = vouch_tlog_say(why, why_cap, rc, "bad base64 in the extra line");
			goto out;
		}
		if (next_line(bundle, len, &pos, &line, &ll) != 0) {
			rc = vouch_tlog_say(why, why_cap, rc, "truncated proof");
			goto out;
		}
	}
	if (ll < 7 || memcmp(line, "index ", 6) != 0 || parse_dec(line + 6, ll - 6, &index) != 0) {
		rc = vouch_tlog_say(why, why_cap, rc, "bad index line");
		goto out;
	}
	for (;;) {
		if (next_line(bundle, len, &pos, &line, &ll) != 0) {
			rc = vouch_tlog_say(why, why_cap, rc, "no checkpoint after the proof");
			goto out;
		}
		if (ll == 0) {
			break;
		}
		if (n >= VOUCH_MERKLE_MAX_PROOF ||
		    vouch_merkle_hash_decode(line, ll, &proof[n]) != VOUCH_OK) {
			rc = vouch_tlog_say(why, why_cap, rc, "bad proof hash line %zu", n + 1);
			goto out;
		}
		n++;
	}
	/* the checkpoint: signed by the log (verifier 0), cosigned by witnesses (1..nw) */
	vs = calloc(nw + 1, sizeof(*vs));
	if (vs == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	if ((rc = vouch_note_verifier_parse(log_vkey, strlen(log_vkey), &vs[0])) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "the log key is not a verifier key");
		goto out;
	}
	nv = 1;
	for (size_t i = 0; i < nw; i++, nv++) {
		rc = vouch_note_verifier_parse(witness_vkeys[i], strlen(witness_vkeys[i]), &vs[nv]);
		if (rc != VOUCH_OK) {
			vouch_tlog_say(why, why_cap, rc, "witness key %zu is not a verifier key", i + 1);
			goto out;
		}
	}
	rc = vouch_note_verify(bundle + pos, len - pos, (const vouch_note_verifier *const *)vs, nv,
			       &note);
	if (rc != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "the checkpoint does not verify (%s)",
			       vouch_err_str(rc));
		goto out;
	}
	{
		int log_signed = 0;

		for (size_t i = 0; i < note->nsigs; i++) {
			if (note->sigs[i].verifier == 0) {
				log_signed = 1;
			} else if (note->sigs[i].verifier > 0) {
				cosigned++;
			}
		}
		if (!log_signed) {
			rc = vouch_tlog_say(why, why_cap, VOUCH_E_VERIFY,
					    "the checkpoint is not signed by the log key");
			goto out;
		}
	}
	if (cosigned < min_cosigs) {
		rc = vouch_tlog_say(why, why_cap, VOUCH_E_VERIFY,
				    "%zu valid witness cosignatures, %zu required", cosigned,
				    min_cosigs);
		goto out;
	}
	if ((rc = vouch_checkpoint_parse(note->msg, note->text_len, &c)) != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc, "the note is not a checkpoint");
		goto out;
	}
	if (strcmp(c.origin, vouch_note_verifier_name(vs[0])) != 0) {
		rc = vouch_tlog_say(why, why_cap, VOUCH_E_VERIFY,
				    "the checkpoint's origin is not the log key's name");
		goto out;
	}
	if (entry == NULL) {
		if (extra == NULL) {
			rc = vouch_tlog_say(why, why_cap, VOUCH_E_USAGE,
					    "no entry given and none in the bundle");
			goto out;
		}
		entry = extra;
		entry_len = extra_len;
	}
	if ((rc = vouch_merkle_leaf(NULL, entry, entry_len, &leaf)) != VOUCH_OK) {
		goto out;
	}
	rc = vouch_merkle_verify_inclusion(NULL, index, c.size, &leaf, proof, n,
					   (const vouch_hash *)c.root);
	if (rc != VOUCH_OK) {
		vouch_tlog_say(why, why_cap, rc,
			       "the entry is not included at index %llu of the checkpointed tree",
			       (unsigned long long)index);
		goto out;
	}
	if (index_out != NULL) {
		*index_out = index;
	}
out:
	for (size_t i = 0; i < nv; i++) {
		vouch_note_verifier_free(vs[i]);
	}
	free(vs);
	vouch_note_free(note);
	vouch_checkpoint_clear(&c);
	free(extra);
	return rc;
}

/* ---- proofs as JSON ------------------------------------------------------------------------ */

void
vouch_tlog_hash_b64(const vouch_tlog_hash h, char out[45])
{
	vouch_b64_encode(out, h, VOUCH_HASH_LEN);
}

int
vouch_tlog_hash_parse(const char *b64, size_t len, vouch_tlog_hash out)
{
	vouch_hash h;
	int rc = vouch_merkle_hash_decode(b64, len, &h);

	if (rc == VOUCH_OK) {
		memcpy(out, h.b, VOUCH_HASH_LEN);
	}
	return rc;
}

int
vouch_tlog_proof_format(const char *k1, uint64_t a, const char *k2, uint64_t b,
			const uint8_t *proof, size_t n, char **out)
{
	/* printed by hand: integers beyond 2^63 and a fixed key order, no JSON printer quirks */
	size_t cap = strlen(k1) + strlen(k2) + 80 + n * 48, len;
	char *buf = malloc(cap);

	if (buf == NULL) {
		return VOUCH_E_NOMEM;
	}
	len = (size_t)snprintf(buf, cap, "{\"%s\":%llu,\"%s\":%llu,\"hashes\":[", k1,
			       (unsigned long long)a, k2, (unsigned long long)b);
	for (size_t i = 0; i < n; i++) {
		buf[len++] = i > 0 ? ',' : '"';
		if (i > 0) {
			buf[len++] = '"';
		}
		len += vouch_b64_encode(buf + len, proof + i * VOUCH_HASH_LEN, VOUCH_HASH_LEN);
		buf[len++] = '"';
	}
	snprintf(buf + len, cap - len, "]}");
	*out = buf;
	return VOUCH_OK;
}

int
vouch_tlog_proof_parse(const char *json, size_t len, const char *k1, uint64_t *a, const char *k2,
		       uint64_t *b, vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX], size_t *n)
{
	json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *ja, *jb, *hs, *v;
	size_t i;
	int rc = VOUCH_E_MALFORMED;

	if (j == NULL) {
		return VOUCH_E_MALFORMED;
	}
	ja = json_object_get(j, k1);
	jb = json_object_get(j, k2);
	hs = json_object_get(j, "hashes");
	if (!json_is_integer(ja) || !json_is_integer(jb) || json_integer_value(ja) < 0 ||
	    json_integer_value(jb) < 0 || !json_is_array(hs) ||
	    json_array_size(hs) > VOUCH_TLOG_PROOF_MAX) {
		goto out;
	}
	json_array_foreach(hs, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || vouch_tlog_hash_parse(s, strlen(s), proof[i]) != VOUCH_OK) {
			goto out;
		}
	}
	*a = (uint64_t)json_integer_value(ja);
	*b = (uint64_t)json_integer_value(jb);
	*n = json_array_size(hs);
	rc = VOUCH_OK;
out:
	json_decref(j);
	return rc;
}
