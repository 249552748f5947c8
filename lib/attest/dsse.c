/*
 * attest/dsse.c: DSSE envelopes (https://github.com/secure-systems-lab/dsse), Ed25519 only.
 *
 * The signature covers PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body,
 * never the envelope's JSON, so the envelope itself needs no canonical form; we still write
 * it with the canonical encoder so vouch's output is byte-stable. Verification decodes
 * payload and signatures in either base64 alphabet, padded or not (the spec's rule for
 * verifiers), tries every signature with the one trusted key, and returns the payload only
 * when one verifies: callers never see unauthenticated bytes.
 *
 * Rejected: verifying over the re-encoded payload (the signed bytes are the decoded
 * payload, whatever its JSON looks like), and thresholds over several keys (one lab key
 * signs attestations; a multi-key policy can call this per key).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "base/b64.h"
#include "vouch/error.h"

int
vouch_dsse_pae(const char *type, size_t type_len, const uint8_t *body, size_t body_len,
	       uint8_t **out, size_t *out_len)
{
	char head[64];
	char mid[32];
	int hl, ml;
	size_t total;
	uint8_t *p;

	hl = snprintf(head, sizeof(head), "DSSEv1 %zu ", type_len);
	ml = snprintf(mid, sizeof(mid), " %zu ", body_len);
	if (hl <= 0 || ml <= 0 || type_len > SIZE_MAX / 2 || body_len > SIZE_MAX / 2) {
		return VOUCH_E_INTERNAL;
	}
	total = (size_t)hl + type_len + (size_t)ml + body_len;
	p = malloc(total + 1);
	if (p == NULL) {
		return VOUCH_E_NOMEM;
	}
	memcpy(p, head, (size_t)hl);
	if (type_len > 0) {
		memcpy(p + hl, type, type_len);
	}
	memcpy(p + (size_t)hl + type_len, mid, (size_t)ml);
	if (body_len > 0) {
		memcpy(p + (size_t)hl + type_len + (size_t)ml, body, body_len);
	}
	p[total] = 0;
	*out = p;
	*out_len = total;
	return VOUCH_OK;
}

int
vouch_dsse_sign(const vouch_ed25519_key *k, const char *type, const uint8_t *body,
		size_t body_len, const char *keyid, char **out, size_t *out_len)
{
	uint8_t sig[VOUCH_ED25519_SIG_LEN];
	char sig64[VOUCH_B64_ENC_LEN(sizeof(sig)) + 1];
	uint8_t *pae = NULL;
	size_t pae_len = 0;
	char *payload64 = NULL;
	json_t *env = NULL, *s = NULL;
	int err;

	err = vouch_dsse_pae(type, strlen(type), body, body_len, &pae, &pae_len);
	if (err != VOUCH_OK) {
		return err;
	}
	if ((err = vouch_ed25519_sign(k, pae, pae_len, sig)) != VOUCH_OK ||
	    (err = vouch_b64_encode_alloc(body, body_len, &payload64)) != VOUCH_OK) {
		goto out;
	}
	vouch_b64_encode(sig64, sig, sizeof(sig));
	err = VOUCH_E_NOMEM;
	s = json_object();
	env = json_object();
	if (s == NULL || env == NULL || json_object_set_new(s, "sig", json_string(sig64)) != 0 ||
	    (keyid != NULL && json_object_set_new(s, "keyid", json_string(keyid)) != 0) ||
	    json_object_set_new(env, "payload", json_string(payload64)) != 0 ||
	    json_object_set_new(env, "payloadType", json_string(type)) != 0 ||
	    json_object_set_new(env, "signatures", json_pack("[O]", s)) != 0) {
		goto out;
	}
	err = vouch_json_canonical(env, out, out_len);
out:
	json_decref(s);
	json_decref(env);
	free(payload64);
	free(pae);
	return err;
}

/* Decode standard or URL-safe base64, padded or not, into a malloc'ed buffer. */
static int
b64_any(const char *s, size_t len, uint8_t **out, size_t *out_len)
{
	char *t = NULL;
	uint8_t *d = NULL;
	size_t tl = len, dl = 0;
	bool url = false, std = false;
	int err = VOUCH_E_MALFORMED;

	if (len > VOUCH_DSSE_MAX_ENVELOPE) {
		return VOUCH_E_LIMIT;
	}
	t = malloc(len + 3);
	d = malloc(VOUCH_B64_DEC_MAX(len + 3) + 1);
	if (t == NULL || d == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '-' || c == '_') {
			url = true;
			c = c == '-' ? '+' : '/';
		} else if (c == '+' || c == '/') {
			std = true;
		}
		t[i] = c;
	}
	if (url && std) {
		goto out; /* one alphabet per string */
	}
	if (tl % 4 != 0 && (tl == 0 || t[tl - 1] != '=')) {
		while (tl % 4 != 0) {
			t[tl++] = '='; /* unpadded form */
		}
	}
	err = vouch_b64_decode(d, VOUCH_B64_DEC_MAX(len + 3) + 1, t, tl, &dl);
	if (err != VOUCH_OK) {
		err = VOUCH_E_MALFORMED;
		goto out;
	}
	d[dl] = 0;
	*out = d;
	*out_len = dl;
	d = NULL;
out:
	free(t);
	free(d);
	return err;
}

void
vouch_dsse_payload_clear(vouch_dsse_payload *p)
{
	if (p == NULL) {
		return;
	}
	free(p->type);
	free(p->body);
	memset(p, 0, sizeof(*p));
}

int
vouch_dsse_verify(const char *env, size_t len, const uint8_t pub[VOUCH_ED25519_PUB_LEN],
		  vouch_dsse_payload *out)
{
	json_t *j = NULL, *jt, *jp, *js, *sig;
	uint8_t *body = NULL, *pae = NULL;
	size_t body_len = 0, pae_len = 0, i;
	const char *type;
	char *type_copy = NULL;
	bool ok = false;
	int err;

	memset(out, 0, sizeof(*out));
	err = vouch_json_read(env, len, &j);
	if (err != VOUCH_OK) {
		return err;
	}
	err = VOUCH_E_MALFORMED;
	jt = json_object_get(j, "payloadType");
	jp = json_object_get(j, "payload");
	js = json_object_get(j, "signatures");
	if (!json_is_object(j) || !json_is_string(jt) || !json_is_string(jp) ||
	    !json_is_array(js) || json_array_size(js) == 0) {
		goto out;
	}
	if (json_array_size(js) > VOUCH_DSSE_MAX_SIGS) {
		err = VOUCH_E_LIMIT;
		goto out;
	}
	type = json_string_value(jt);
	if ((err = b64_any(json_string_value(jp), json_string_length(jp), &body, &body_len)) !=
		    VOUCH_OK ||
	    (err = vouch_dsse_pae(type, json_string_length(jt), body, body_len, &pae, &pae_len)) !=
		    VOUCH_OK) {
		goto out;
	}
	json_array_foreach(js, i, sig) {
		json_t *sv = json_object_get(sig, "sig");
		uint8_t *raw = NULL;
		size_t rl = 0;

		if (!json_is_object(sig) || !json_is_string(sv)) {
			err = VOUCH_E_MALFORMED;
			goto out;
		}
		err = b64_any(json_string_value(sv), json_string_length(sv), &raw, &rl);
		if (err != VOUCH_OK) {
			goto out;
		}
		if (!ok && rl == VOUCH_ED25519_SIG_LEN) {
			err = vouch_ed25519_verify(pub, pae, pae_len, raw);
			if (err == VOUCH_OK) {
				ok = true;
			} else if (err != VOUCH_E_VERIFY) {
				free(raw);
				goto out;
			}
		}
		free(raw);
	}
	if (!ok) {
		err = VOUCH_E_VERIFY;
		goto out;
	}
	type_copy = malloc(json_string_length(jt) + 1);
	if (type_copy == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	memcpy(type_copy, type, json_string_length(jt) + 1);
	out->type = type_copy;
	out->body = body;
	out->body_len = body_len;
	body = NULL;
	err = VOUCH_OK;
out:
	free(body);
	free(pae);
	json_decref(j);
	return err;
}
