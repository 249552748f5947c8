/*
 * lab/verify.c: the operator's offline check of a firmware file against a lab bundle
 * (include/vouch/lab.h: vouch_bundle_verify).
 *
 * The order of the checks is the order of trust: the checkpoint must be signed by the lab's
 * log key (else nothing in the bundle is anchored); each attestation's envelope must be in
 * the log under that checkpoint (its SHA-256 is the entry the tlog-proof proves, so a
 * tampered envelope falls out here or at the signature); each envelope must be signed by
 * the lab's attestation key and carry a Statement of one of our predicate types about the
 * same delivery; all proofs must be against one checkpoint; the bundle's index (a statement
 * the attestation key signed, not logged) must list exactly these attestations, in order,
 * and that checkpoint, so that none can be left out (a revocation) or swapped (an older
 * approval for the current verdict); then the answers: the file's digest is a subject of
 * the verdict, no revocation names it, the verdict is not "rejected". Every attestation in
 * the bundle is checked, so a flipped byte anywhere fails; each failure kind is its own
 * answer.
 *
 * The keys are the two verifier-key lines vouch_lab_pubkeys() prints; the log key is the
 * one whose name is the checkpoint's origin, the attestation key the other.
 *
 * What offline cannot give: a revocation logged after the bundle was made is unknown to
 * it; the operator fetches a fresh bundle, or bounds its age (`vouch verify --max-age`,
 * judged from the index's signed "created").
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "crypto/crypto.h"
#include "store.h"
#include "vouch/attest.h"
#include "vouch/tlog.h"

#define BUNDLE_MAX_ATTESTATIONS 64
#define BUNDLE_TEXT_MAX (64u << 20)

const char *
vouch_bundle_check_str(vouch_bundle_check c)
{
	switch (c) {
	case VOUCH_BUNDLE_PASS: return "pass";
	case VOUCH_BUNDLE_NOT_SUBJECT: return "not-a-subject";
	case VOUCH_BUNDLE_SIGNATURE: return "bad-signature";
	case VOUCH_BUNDLE_INCLUSION: return "not-in-log";
	case VOUCH_BUNDLE_CHECKPOINT: return "bad-checkpoint";
	case VOUCH_BUNDLE_NOT_APPROVED: return "not-approved";
	case VOUCH_BUNDLE_REVOKED: return "revoked";
	case VOUCH_BUNDLE_MALFORMED: return "malformed";
	case VOUCH_BUNDLE_INCOMPLETE: return "incomplete";
	}
	return "malformed";
}

static int
answer(vouch_bundle_result *res, vouch_bundle_check c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
answer(vouch_bundle_result *res, vouch_bundle_check c, const char *fmt, ...)
{
	va_list ap;

	res->check = c;
	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	return VOUCH_OK;
}

/* Split the key file into its verifier-key lines (at most 4). */
static size_t
key_lines(char *text, char *lines[4])
{
	size_t n = 0;
	char *save = NULL;
	for (char *l = strtok_r(text, "\r\n", &save); l != NULL && n < 4;
	     l = strtok_r(NULL, "\r\n", &save)) {
		if (l[0] != '\0' && l[0] != '#') {
			lines[n++] = l;
		}
	}
	return n;
}

/* The checkpoint note inside a tlog-proof text: after the first empty line. */
static const char *
proof_note(const char *proof, size_t *len)
{
	const char *p = strstr(proof, "\n\n");
	if (p == NULL) {
		return NULL;
	}
	*len = strlen(p + 2);
	return p + 2;
}

int
lab_proof_checkpoint(const char *proof, uint64_t *size, char root_b64[45])
{
	size_t n = 0;
	const char *note = proof ? proof_note(proof, &n) : NULL, *l2, *l3;
	char *end;

	if (note == NULL || (l2 = strchr(note, '\n')) == NULL || !(l2[1] >= '0' && l2[1] <= '9') ||
	    (l3 = strchr(l2 + 1, '\n')) == NULL || strcspn(l3 + 1, "\n") != 44) {
		return VOUCH_E_MALFORMED;
	}
	errno = 0;
	*size = strtoull(l2 + 1, &end, 10);
	if (errno != 0 || end != l3) {
		return VOUCH_E_MALFORMED;
	}
	memcpy(root_b64, l3 + 1, 44);
	root_b64[44] = '\0';
	return VOUCH_OK;
}

static bool
has_subject(json_t *st, const char *hex, char *name_out, size_t cap)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(st, "subject"), i, s) {
		const char *d = json_string_value(json_object_get(json_object_get(s, "digest"), "sha256"));
		if (d != NULL && strcmp(d, hex) == 0) {
			snprintf(name_out, cap, "%s", json_string_value(json_object_get(s, "name")));
			return true;
		}
	}
	return false;
}

/* Only these keys, each present: the bundle has no field that is not checked. */
static bool
exact_keys(json_t *o, const char *const *keys, size_t n)
{
	if (!json_is_object(o) || json_object_size(o) != n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (json_object_get(o, keys[i]) == NULL) {
			return false;
		}
	}
	return true;
}

/* The tlog-proof's optional extra line must be the entry we computed: base64(digest). */
static bool
extra_matches(const char *proof, const uint8_t entry[32])
{
	const char *l = strchr(proof, '\n');
	char want[64];

	if (l == NULL || strncmp(l + 1, "extra ", 6) != 0) {
		return true; /* no extra line: nothing unauthenticated */
	}
	size_t n = vouch_b64_encode(want, entry, 32);
	return strncmp(l + 7, want, n) == 0 && l[7 + n] == '\n';
}

/*
 * The bundle's signed index must list exactly the attestations the bundle carries, in
 * order, and the one checkpoint (size, root) they were all proved against. eds[i] is the
 * SHA-256 of attestation i's envelope (computed once, for its inclusion proof).
 */
static bool
index_matches(json_t *pred, json_t *atts, uint8_t (*eds)[32], uint64_t size,
	      const char *root_b64, const char *did)
{
	static const char *const ek[] = {"kind", "index", "envelope_sha256"};
	json_t *list = json_object_get(pred, "attestations"), *cp = json_object_get(pred, "checkpoint");
	json_t *e, *a;
	const char *pdid = json_string_value(json_object_get(json_object_get(pred, "delivery"), "id"));
	const char *proot = json_string_value(json_object_get(cp, "root_hash"));
	json_t *psize = json_object_get(cp, "size");
	size_t i;

	if (pdid == NULL || did == NULL || strcmp(pdid, did) != 0 || !json_is_integer(psize) ||
	    (uint64_t)json_integer_value(psize) != size || proot == NULL ||
	    strcmp(proot, root_b64) != 0 || !json_is_array(list) ||
	    json_array_size(list) != json_array_size(atts)) {
		return false;
	}
	json_array_foreach(list, i, e) {
		const char *kind = json_string_value(json_object_get(e, "kind"));
		const char *hex = json_string_value(json_object_get(e, "envelope_sha256"));
		char want[65];

		a = json_array_get(atts, i);
		if (!exact_keys(e, ek, 3) || kind == NULL || hex == NULL ||
		    strcmp(kind, json_string_value(json_object_get(a, "kind"))) != 0 ||
		    !json_is_integer(json_object_get(e, "index")) ||
		    json_integer_value(json_object_get(e, "index")) !=
			    json_integer_value(json_object_get(a, "index"))) {
			return false;
		}
		lab_hex(eds[i], 32, want);
		if (strcmp(hex, want) != 0) {
			return false;
		}
	}
	return true;
}

/* The index is not in the log, so its envelope's one unsigned field is pinned too: one
 * signature whose keyid is the attestation key's "name+hexid" (vouch_attest_sign's). */
static bool
index_envelope_shape(const char *env, const char *att_vkey)
{
	static const char *const ek[] = {"payload", "payloadType", "signatures"};
	static const char *const sk[] = {"keyid", "sig"};
	json_t *e = json_loads(env, JSON_REJECT_DUPLICATES, NULL);
	json_t *sigs = json_object_get(e, "signatures"), *s = json_array_get(sigs, 0);
	const char *kid = json_string_value(json_object_get(s, "keyid"));
	const char *p1 = strchr(att_vkey, '+'), *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
	bool ok = exact_keys(e, ek, 3) && json_array_size(sigs) == 1 && exact_keys(s, sk, 2) &&
		  kid != NULL && p2 != NULL && strlen(kid) == (size_t)(p2 - att_vkey) &&
		  strncmp(kid, att_vkey, (size_t)(p2 - att_vkey)) == 0;
	json_decref(e);
	return ok;
}

/* The bundle's header repeats what the signed verdict says; it must say the same. */
static bool
header_matches(json_t *b, json_t *pred)
{
	static const char *const dk[] = {"id", "vendor", "product", "version"};
	json_t *h = json_object_get(b, "delivery"), *s = json_object_get(pred, "delivery");

	if (!exact_keys(h, dk, 4)) {
		return false;
	}
	for (size_t i = 0; i < 4; i++) {
		const char *x = json_string_value(json_object_get(h, dk[i]));
		const char *y = json_string_value(json_object_get(s, dk[i]));
		if (x == NULL || y == NULL || strcmp(x, y) != 0) {
			return false;
		}
	}
	return true;
}

int
vouch_bundle_verify(const uint8_t file_sha256[32], const char *bundle, size_t bundle_len,
		    const char *keys, size_t keys_len, vouch_bundle_result *res)
{
	json_t *b = NULL, *atts, *a, *verdict_st = NULL;
	char *ktext = NULL, *lines[4], filehex[65], why[256];
	const char *log_vkey = NULL, *att_vkey = NULL, *origin_seen = NULL;
	json_t *sts[BUNDLE_MAX_ATTESTATIONS] = {0}, *index_st = NULL;
	uint8_t eds[BUNDLE_MAX_ATTESTATIONS][32];
	char cp_root[45] = "";
	uint64_t cp_size = 0;
	size_t i, nk;
	int rc = VOUCH_OK;

	memset(res, 0, sizeof(*res));
	res->index = UINT64_MAX;
	lab_hex(file_sha256, 32, filehex);
	if (bundle_len > BUNDLE_TEXT_MAX || keys_len > 65536) {
		return answer(res, VOUCH_BUNDLE_MALFORMED, "the bundle or key file is too large");
	}
	ktext = malloc(keys_len + 1);
	if (ktext == NULL) {
		return VOUCH_E_NOMEM;
	}
	memcpy(ktext, keys, keys_len);
	ktext[keys_len] = '\0';
	nk = key_lines(ktext, lines);
	json_error_t jerr;
	b = json_loadb(bundle, bundle_len, JSON_REJECT_DUPLICATES, &jerr);
	atts = json_object_get(b, "attestations");
	static const char *const bk[] = {"bundle_version", "media_type", "delivery", "index",
					 "attestations"};
	if (b == NULL || !exact_keys(b, bk, 5) || !json_is_string(json_object_get(b, "index")) ||
	    !json_is_array(atts) ||
	    json_array_size(atts) == 0 || json_array_size(atts) > BUNDLE_MAX_ATTESTATIONS ||
	    json_integer_value(json_object_get(b, "bundle_version")) != VOUCH_BUNDLE_VERSION ||
	    !json_is_string(json_object_get(b, "media_type")) ||
	    strcmp(json_string_value(json_object_get(b, "media_type")), VOUCH_BUNDLE_MEDIA_TYPE) !=
		    0) {
		answer(res, VOUCH_BUNDLE_MALFORMED, "not a vouch bundle (version %d with an index and "
		       "attestations)%s%s",
		       VOUCH_BUNDLE_VERSION, b == NULL ? ": " : "", b == NULL ? jerr.text : "");
		goto out;
	}
	if (nk != 2) {
		answer(res, VOUCH_BUNDLE_MALFORMED,
		       "the key file must hold the lab's two verifier keys (`vouch lab pubkey`), "
		       "found %zu", nk);
		goto out;
	}
	/* 1. every checkpoint signed by the log key; 2. every envelope in the log */
	json_array_foreach(atts, i, a) {
		const char *env = json_string_value(json_object_get(a, "envelope"));
		const char *proof = json_string_value(json_object_get(a, "proof"));
		const char *kind = json_string_value(json_object_get(a, "kind"));
		size_t nlen = 0;
		const char *note = proof ? proof_note(proof, &nlen) : NULL;
		uint64_t size, idx;
		vouch_tlog_hash root;
		uint8_t *ed = eds[i];

		static const char *const ak[] = {"kind", "index", "envelope", "proof"};
		if (env == NULL || note == NULL || kind == NULL || !exact_keys(a, ak, 4) ||
		    (strcmp(kind, "verdict") != 0 && strcmp(kind, "revocation") != 0)) {
			answer(res, VOUCH_BUNDLE_MALFORMED, "attestation %zu lacks kind, envelope or proof", i);
			goto out;
		}
		/* which line is the log key: the one naming the checkpoint's origin */
		size_t olen = strcspn(note, "\n");
		log_vkey = att_vkey = NULL;
		for (size_t k = 0; k < nk; k++) {
			size_t nl = strcspn(lines[k], "+");
			if (nl == olen && strncmp(lines[k], note, olen) == 0) {
				log_vkey = lines[k];
				att_vkey = lines[1 - k];
			}
		}
		if (log_vkey == NULL) {
			answer(res, VOUCH_BUNDLE_CHECKPOINT,
			       "the checkpoint's origin \"%.*s\" is not the name of a key in the key file",
			       (int)(olen < 100 ? olen : 100), note);
			goto out;
		}
		if (origin_seen != NULL && strcmp(origin_seen, log_vkey) != 0) {
			answer(res, VOUCH_BUNDLE_CHECKPOINT, "the attestations are logged by two logs");
			goto out;
		}
		origin_seen = log_vkey;
		if (vouch_tlog_checkpoint_open(note, nlen, log_vkey, &size, root, why, sizeof(why)) !=
		    VOUCH_OK) {
			answer(res, VOUCH_BUNDLE_CHECKPOINT, "the checkpoint is not signed by the lab's "
			       "log key: %s", why);
			goto out;
		}
		/* one checkpoint for the whole bundle: the one its index names */
		char rb[45];
		vouch_tlog_hash_b64(root, rb);
		if (i > 0 && (size != cp_size || strcmp(rb, cp_root) != 0)) {
			answer(res, VOUCH_BUNDLE_CHECKPOINT, "the attestations are proved against two "
			       "different checkpoints (sizes %llu and %llu)",
			       (unsigned long long)cp_size, (unsigned long long)size);
			goto out;
		}
		cp_size = size;
		memcpy(cp_root, rb, sizeof(cp_root));
		vouch_sha256_oneshot(env, strlen(env), ed);
		int vr = vouch_tlog_verify_bundle(proof, strlen(proof), log_vkey, NULL, 0, 0, ed, 32,
						  &idx, why, sizeof(why));
		if (vr == VOUCH_E_NOMEM) {
			rc = vr;
			goto out;
		}
		if (vr == VOUCH_OK && !extra_matches(proof, ed)) {
			vr = VOUCH_E_VERIFY;
			snprintf(why, sizeof(why), "the proof's extra line is not the envelope's digest");
		}
		if (vr == VOUCH_OK && (!json_is_integer(json_object_get(a, "index")) ||
				       (uint64_t)json_integer_value(json_object_get(a, "index")) != idx)) {
			vr = VOUCH_E_VERIFY;
			snprintf(why, sizeof(why), "the bundle says index %lld, the proof %llu",
				 (long long)json_integer_value(json_object_get(a, "index")),
				 (unsigned long long)idx);
		}
		if (vr != VOUCH_OK) {
			answer(res, VOUCH_BUNDLE_INCLUSION, "the %s attestation is not in the lab's log "
			       "under the checkpoint: %s", kind, why);
			goto out;
		}
		res->tree_size = size;
		/* 3. signed by the attestation key */
		char *stext = NULL;
		if (vouch_attest_open(env, strlen(env), att_vkey, &stext, why, sizeof(why)) != VOUCH_OK) {
			answer(res, VOUCH_BUNDLE_SIGNATURE, "the %s attestation is not signed by the lab's "
			       "attestation key: %s", kind, why);
			goto out;
		}
		sts[i] = json_loads(stext, 0, NULL);
		free(stext);
		const char *ptype = json_string_value(json_object_get(sts[i], "predicateType"));
		bool rev = strcmp(kind, "revocation") == 0;
		if (ptype == NULL ||
		    strcmp(ptype, rev ? VOUCH_LAB_PREDICATE_REVOCATION : VOUCH_LAB_PREDICATE_VERDICT) !=
			    0) {
			answer(res, VOUCH_BUNDLE_MALFORMED, "attestation %zu is a %s but its statement's "
			       "predicate type is %.100s", i, kind, ptype ? ptype : "missing");
			goto out;
		}
		if (!rev) {
			if (verdict_st != NULL) {
				answer(res, VOUCH_BUNDLE_MALFORMED, "the bundle holds two verdicts");
				goto out;
			}
			verdict_st = sts[i];
			res->index = idx;
		}
	}
	if (verdict_st == NULL) {
		answer(res, VOUCH_BUNDLE_MALFORMED, "the bundle holds no verdict attestation");
		goto out;
	}
	json_t *pred = json_object_get(verdict_st, "predicate");
	if (!header_matches(b, pred)) {
		answer(res, VOUCH_BUNDLE_MALFORMED, "the bundle's delivery header differs from the "
		       "delivery its signed verdict names");
		goto out;
	}
	const char *did = json_string_value(json_object_get(json_object_get(pred, "delivery"), "id"));
	const char *v = json_string_value(json_object_get(pred, "verdict"));
	/* 4. the index: the lab's word that these are all of the delivery's attestations that
	 * count, as of this checkpoint (a revocation left out, or an older approval put in place
	 * of the current verdict, falls out here) */
	const char *itext = json_string_value(json_object_get(b, "index"));
	char *ist = NULL;
	if (vouch_attest_open(itext, strlen(itext), att_vkey, &ist, why, sizeof(why)) != VOUCH_OK) {
		answer(res, VOUCH_BUNDLE_SIGNATURE, "the bundle's index is not signed by the lab's "
		       "attestation key: %s", why);
		goto out;
	}
	if (!index_envelope_shape(itext, att_vkey)) {
		free(ist);
		answer(res, VOUCH_BUNDLE_MALFORMED, "the bundle's index envelope is not as the lab "
		       "writes it (one signature, keyid of the attestation key)");
		goto out;
	}
	index_st = json_loads(ist, 0, NULL);
	free(ist);
	const char *itype = json_string_value(json_object_get(index_st, "predicateType"));
	if (itype == NULL || strcmp(itype, VOUCH_LAB_PREDICATE_BUNDLE) != 0) {
		answer(res, VOUCH_BUNDLE_MALFORMED, "the bundle's index is not a bundle statement "
		       "(predicate type %.100s)", itype ? itype : "missing");
		goto out;
	}
	json_t *ipred = json_object_get(index_st, "predicate");
	if (!index_matches(ipred, atts, eds, cp_size, cp_root, did)) {
		answer(res, VOUCH_BUNDLE_INCOMPLETE, "the bundle's attestations are not the ones the "
		       "lab listed in its signed index (one left out, added or replaced)");
		goto out;
	}
	const char *created = json_string_value(json_object_get(ipred, "created"));
	snprintf(res->created, sizeof(res->created), "%s", created ? created : "");
	snprintf(res->delivery, sizeof(res->delivery), "%s", did ? did : "");
	snprintf(res->verdict, sizeof(res->verdict), "%s", v ? v : "");
	/* 5. the answers */
	if (!has_subject(verdict_st, filehex, res->subject, sizeof(res->subject))) {
		answer(res, VOUCH_BUNDLE_NOT_SUBJECT, "this file (SHA-256 %s) is not a firmware "
		       "artefact the lab evaluated in this delivery", filehex);
		goto out;
	}
	json_array_foreach(atts, i, a) {
		json_t *rp = json_object_get(sts[i], "predicate");
		if (sts[i] == verdict_st) {
			continue;
		}
		const char *rdid = json_string_value(json_object_get(json_object_get(rp, "delivery"), "id"));
		if ((rdid != NULL && did != NULL && strcmp(rdid, did) == 0) ||
		    has_subject(sts[i], filehex, why, sizeof(why))) {
			const char *reason = json_string_value(json_object_get(rp, "reason"));
			const char *at = json_string_value(json_object_get(rp, "revoked_at"));
			answer(res, VOUCH_BUNDLE_REVOKED, "the lab revoked its approval on %s: %.300s",
			       at ? at : "?", reason ? reason : "(no reason given)");
			goto out;
		}
	}
	if (v == NULL || (strcmp(v, "approved") != 0 && strcmp(v, "approved-with-conditions") != 0)) {
		answer(res, VOUCH_BUNDLE_NOT_APPROVED, "the lab's verdict on this delivery is \"%s\"",
		       v ? v : "missing");
		goto out;
	}
	answer(res, VOUCH_BUNDLE_PASS, "%s is %s by the lab (delivery %.12s, log index %llu of %llu)",
	       res->subject, v, res->delivery, (unsigned long long)res->index,
	       (unsigned long long)res->tree_size);
out:
	for (i = 0; i < BUNDLE_MAX_ATTESTATIONS; i++) {
		json_decref(sts[i]);
	}
	json_decref(index_st);
	json_decref(b);
	free(ktext);
	return rc;
}
