/*
 * tlog/note.c: C2SP signed-note and tlog-cosignature/v1 (see note.h for the format).
 *
 * Parsing copies the message once, checks it as a whole (size, UTF-8, no control bytes but
 * \n, ends in \n), splits it at the LAST "\n\n" into text and signature block, and walks the
 * signature block line by line (memchr for '\n' within the known length; notes are small
 * text, not image bytes, so no vouch_rd is needed): every line must be
 * "— " NAME " " BASE64 "\n". Verification then matches each signature to a known verifier
 * by (name, key id); the key id commits to the signature type, so a type 0x01 key can never
 * be confused with a 0x04 cosigner key of the same public key.
 *
 * Semantics follow Go's golang.org/x/mod/sumdb/note.Open, which the interop test checks,
 * with two deliberate tightenings: base64 must be canonical (Go tolerates non-zero padding
 * bits), and a repeated signature line by a known key is verified rather than silently
 * skipped (a note carrying one good and one bad signature by the same key is rejected).
 *
 * Rejected: verifying lazily on first use (the answer must not depend on call order), and
 * returning the first known valid signature only (witness policies need all of them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/base.h"
#include "base/utf8.h"
#include "crypto/sign.h"
#include "tlog/note.h"

struct vouch_note_verifier {
	char *name;
	uint32_t keyid;
	uint8_t type;
	uint8_t pub[VOUCH_ED25519_PUB_LEN];
};

/* "— " : U+2014 EM DASH in UTF-8, then a space. */
static const char sig_prefix[] = "\xe2\x80\x94 ";
#define SIG_PREFIX_LEN (sizeof(sig_prefix) - 1)
/* A signature line's base64 never needs more than this (4-byte id + 72-byte cosig, with
 * generous room for unknown future types we only carry). */
#define SIG_MAX_BYTES 1024

static const char cosig_header[] = "cosignature/v1\ntime ";

void
vouch_note_verifier_free(vouch_note_verifier *v)
{
	if (v == NULL) {
		return;
	}
	free(v->name);
	free(v);
}

int
vouch_note_verifier_new(const char *name, uint8_t type, const uint8_t pub[VOUCH_ED25519_PUB_LEN],
			vouch_note_verifier **out)
{
	vouch_note_verifier *v;
	size_t nlen;
	int err;

	if (name == NULL || !vouch_key_name_ok(name, strlen(name)) ||
	    (type != VOUCH_SIGTYPE_ED25519 && type != VOUCH_SIGTYPE_COSIG_V1)) {
		return VOUCH_E_USAGE;
	}
	nlen = strlen(name);
	v = calloc(1, sizeof(*v));
	if (v == NULL) {
		return VOUCH_E_NOMEM;
	}
	v->name = malloc(nlen + 1);
	if (v->name == NULL) {
		free(v);
		return VOUCH_E_NOMEM;
	}
	memcpy(v->name, name, nlen + 1);
	v->type = type;
	memcpy(v->pub, pub, VOUCH_ED25519_PUB_LEN);
	err = vouch_sig_keyid(name, nlen, type, pub, &v->keyid);
	if (err != VOUCH_OK) {
		vouch_note_verifier_free(v);
		return err;
	}
	*out = v;
	return VOUCH_OK;
}

int
vouch_note_verifier_of(const vouch_ed25519_key *k, uint8_t type, vouch_note_verifier **out)
{
	uint8_t pub[VOUCH_ED25519_PUB_LEN];

	vouch_ed25519_public(k, pub);
	return vouch_note_verifier_new(vouch_ed25519_name(k), type, pub, out);
}

const char *
vouch_note_verifier_name(const vouch_note_verifier *v)
{
	return v->name;
}

uint32_t
vouch_note_verifier_keyid(const vouch_note_verifier *v)
{
	return v->keyid;
}

uint8_t
vouch_note_verifier_type(const vouch_note_verifier *v)
{
	return v->type;
}

const uint8_t *
vouch_note_verifier_pub(const vouch_note_verifier *v)
{
	return v->pub;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	return -1;
}

int
vouch_note_verifier_parse(const char *vkey, size_t len, vouch_note_verifier **out)
{
	uint8_t raw[1 + VOUCH_ED25519_PUB_LEN + 3];
	char name[VOUCH_KEY_NAME_MAX + 1];
	const char *p1, *p2, *e = vkey + len;
	vouch_note_verifier *v = NULL;
	size_t nlen, rawlen = 0;
	uint32_t want = 0;
	int err;

	/* NAME '+' HEX8 '+' BASE64: names cannot hold '+', so the first two '+' split it. */
	p1 = memchr(vkey, '+', len);
	if (p1 == NULL) {
		return VOUCH_E_MALFORMED;
	}
	nlen = (size_t)(p1 - vkey);
	if (!vouch_key_name_ok(vkey, nlen) || (size_t)(e - p1) < 10 || p1[9] != '+') {
		return VOUCH_E_MALFORMED;
	}
	for (int i = 1; i <= 8; i++) {
		int d = hex_digit(p1[i]);

		if (d < 0) {
			return VOUCH_E_MALFORMED;
		}
		want = (want << 4) | (uint32_t)d;
	}
	p2 = p1 + 10;
	if (vouch_b64_decode(raw, sizeof(raw), p2, (size_t)(e - p2), &rawlen) != VOUCH_OK ||
	    rawlen == 0) {
		return VOUCH_E_MALFORMED;
	}
	if (raw[0] != VOUCH_SIGTYPE_ED25519 && raw[0] != VOUCH_SIGTYPE_COSIG_V1) {
		return VOUCH_E_UNSUPPORTED;
	}
	if (rawlen != 1 + VOUCH_ED25519_PUB_LEN) {
		return VOUCH_E_MALFORMED;
	}
	memcpy(name, vkey, nlen);
	name[nlen] = '\0';
	err = vouch_note_verifier_new(name, raw[0], raw + 1, &v);
	if (err != VOUCH_OK) {
		return err == VOUCH_E_USAGE ? VOUCH_E_MALFORMED : err;
	}
	if (v->keyid != want) {
		vouch_note_verifier_free(v);
		return VOUCH_E_MALFORMED;
	}
	*out = v;
	return VOUCH_OK;
}

int
vouch_note_verifier_format(const vouch_note_verifier *v, char **out)
{
	uint8_t raw[1 + VOUCH_ED25519_PUB_LEN];
	char b64[VOUCH_B64_ENC_LEN(sizeof(raw)) + 1];
	size_t cap = strlen(v->name) + 1 + 8 + 1 + sizeof(b64) + 1;
	char *s = malloc(cap);

	if (s == NULL) {
		return VOUCH_E_NOMEM;
	}
	raw[0] = v->type;
	memcpy(raw + 1, v->pub, VOUCH_ED25519_PUB_LEN);
	vouch_b64_encode(b64, raw, sizeof(raw));
	snprintf(s, cap, "%s+%08x+%s", v->name, (unsigned)v->keyid, b64);
	*out = s;
	return VOUCH_OK;
}

int
vouch_note_vkey(const vouch_ed25519_key *k, uint8_t type, char **out)
{
	vouch_note_verifier *v = NULL;
	int err = vouch_note_verifier_of(k, type, &v);

	if (err == VOUCH_OK) {
		err = vouch_note_verifier_format(v, out);
	}
	vouch_note_verifier_free(v);
	return err;
}

/*
 * The whole-message rules: size, well-formed UTF-8, no ASCII control byte but \n.
 */
static int
check_chars(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	if (len > VOUCH_NOTE_MAX_SIZE) {
		return VOUCH_E_LIMIT;
	}
	while (i < len) {
		uint32_t cp;
		size_t k = vouch_utf8_next(p + i, len - i, &cp);

		if (k == 0 || (cp < 0x20 && cp != '\n')) {
			return VOUCH_E_MALFORMED;
		}
		i += k;
	}
	return VOUCH_OK;
}

static int
check_text(const char *text, size_t len)
{
	int err;

	if (len == 0 || text[len - 1] != '\n') {
		return VOUCH_E_MALFORMED;
	}
	err = check_chars(text, len);
	return err;
}

static void
put_u64be(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_u64be(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++) {
		v = (v << 8) | p[i];
	}
	return v;
}

int
vouch_cosig_message(const char *text, size_t len, uint64_t timestamp, char **out,
		    size_t *out_len)
{
	char ts[24];
	int tl = snprintf(ts, sizeof(ts), "%llu\n", (unsigned long long)timestamp);
	size_t hl = sizeof(cosig_header) - 1, total;
	char *m;

	if (tl <= 0 || (size_t)tl >= sizeof(ts) || len > SIZE_MAX - hl - (size_t)tl - 1) {
		return VOUCH_E_INTERNAL;
	}
	total = hl + (size_t)tl + len;
	m = malloc(total + 1);
	if (m == NULL) {
		return VOUCH_E_NOMEM;
	}
	memcpy(m, cosig_header, hl);
	memcpy(m + hl, ts, (size_t)tl);
	if (len > 0) {
		memcpy(m + hl + (size_t)tl, text, len);
	}
	m[total] = '\0';
	*out = m;
	if (out_len != NULL) {
		*out_len = total;
	}
	return VOUCH_OK;
}

int
vouch_cosig_sign(const vouch_ed25519_key *k, const char *text, size_t len, uint64_t timestamp,
		 uint8_t sig_out[8 + VOUCH_ED25519_SIG_LEN])
{
	char *m = NULL;
	size_t mlen = 0;
	int err;

	err = vouch_cosig_message(text, len, timestamp, &m, &mlen);
	if (err != VOUCH_OK) {
		return err;
	}
	put_u64be(sig_out, timestamp);
	err = vouch_ed25519_sign(k, m, mlen, sig_out + 8);
	free(m);
	return err;
}

int
vouch_cosig_verify(const uint8_t pub[VOUCH_ED25519_PUB_LEN], const char *text, size_t len,
		   const uint8_t *sig, size_t sig_len, uint64_t *timestamp)
{
	uint64_t ts;
	char *m = NULL;
	size_t mlen = 0;
	int err;

	if (sig_len != 8 + VOUCH_ED25519_SIG_LEN) {
		return VOUCH_E_VERIFY;
	}
	ts = get_u64be(sig);
	err = vouch_cosig_message(text, len, ts, &m, &mlen);
	if (err != VOUCH_OK) {
		return err;
	}
	err = vouch_ed25519_verify(pub, m, mlen, sig + 8);
	free(m);
	if (err == VOUCH_OK && timestamp != NULL) {
		*timestamp = ts;
	}
	return err;
}

int
vouch_note_sign_line(const char *text, size_t len, const vouch_ed25519_key *k, uint8_t type,
		     uint64_t timestamp, char **line_out)
{
	uint8_t raw[4 + 8 + VOUCH_ED25519_SIG_LEN];
	char b64[VOUCH_B64_ENC_LEN(sizeof(raw)) + 1];
	const char *name = vouch_ed25519_name(k);
	uint8_t pub[VOUCH_ED25519_PUB_LEN];
	size_t rawlen, cap;
	uint32_t id;
	char *line;
	int err;

	err = check_text(text, len);
	if (err != VOUCH_OK) {
		return err;
	}
	vouch_ed25519_public(k, pub);
	if (type != VOUCH_SIGTYPE_ED25519 && type != VOUCH_SIGTYPE_COSIG_V1) {
		return VOUCH_E_USAGE;
	}
	err = vouch_sig_keyid(name, strlen(name), type, pub, &id);
	if (err != VOUCH_OK) {
		return err;
	}
	raw[0] = (uint8_t)(id >> 24);
	raw[1] = (uint8_t)(id >> 16);
	raw[2] = (uint8_t)(id >> 8);
	raw[3] = (uint8_t)id;
	if (type == VOUCH_SIGTYPE_ED25519) {
		err = vouch_ed25519_sign(k, text, len, raw + 4);
		rawlen = 4 + VOUCH_ED25519_SIG_LEN;
	} else {
		err = vouch_cosig_sign(k, text, len, timestamp, raw + 4);
		rawlen = 4 + 8 + VOUCH_ED25519_SIG_LEN;
	}
	if (err != VOUCH_OK) {
		return err;
	}
	vouch_b64_encode(b64, raw, rawlen);
	cap = SIG_PREFIX_LEN + strlen(name) + 1 + strlen(b64) + 2;
	line = malloc(cap);
	if (line == NULL) {
		return VOUCH_E_NOMEM;
	}
	snprintf(line, cap, "%s%s %s\n", sig_prefix, name, b64);
	*line_out = line;
	return VOUCH_OK;
}

int
vouch_note_sign(const char *text, size_t len, const vouch_ed25519_key *const *signers, size_t n,
		char **out, size_t *out_len)
{
	char **lines = NULL;
	size_t total, off;
	char *msg = NULL;
	int err;

	if (n == 0 || n > VOUCH_NOTE_MAX_SIGS) {
		return VOUCH_E_USAGE;
	}
	err = check_text(text, len);
	if (err != VOUCH_OK) {
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp(vouch_ed25519_name(signers[i]), vouch_ed25519_name(signers[j])) ==
			    0) {
				return VOUCH_E_USAGE; /* two lines with one name: ambiguous */
			}
		}
	}
	lines = calloc(n, sizeof(*lines));
	if (lines == NULL) {
		return VOUCH_E_NOMEM;
	}
	total = len + 1;
	for (size_t i = 0; i < n; i++) {
		err = vouch_note_sign_line(text, len, signers[i], VOUCH_SIGTYPE_ED25519, 0, &lines[i]);
		if (err != VOUCH_OK) {
			goto out;
		}
		total += strlen(lines[i]);
	}
	msg = malloc(total + 1);
	if (msg == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	memcpy(msg, text, len);
	msg[len] = '\n';
	off = len + 1;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(lines[i]);

		memcpy(msg + off, lines[i], l);
		off += l;
	}
	msg[off] = '\0';
	*out = msg;
	if (out_len != NULL) {
		*out_len = off;
	}
out:
	for (size_t i = 0; i < n; i++) {
		free(lines[i]);
	}
	free(lines);
	return err;
}

void
vouch_note_free(vouch_note *n)
{
	if (n == NULL) {
		return;
	}
	for (size_t i = 0; i < n->nsigs; i++) {
		free(n->sigs[i].name);
		free(n->sigs[i].sig);
	}
	free(n->sigs);
	free(n->msg);
	free(n);
}

/* Find the last "\n\n" in s[0, len): its index, or SIZE_MAX. */
static size_t
last_blank(const char *s, size_t len)
{
	for (size_t i = len; i >= 2; i--) {
		if (s[i - 2] == '\n' && s[i - 1] == '\n') {
			return i - 2;
		}
	}
	return SIZE_MAX;
}

/* Parse one signature line (without its \n) into sig. */
static int
parse_sig_line(const char *l, size_t len, vouch_note_sig *sig)
{
	const char *sp;
	size_t nlen, blen, rawlen = 0;
	uint8_t *raw = NULL;
	int err;

	if (len < SIG_PREFIX_LEN || memcmp(l, sig_prefix, SIG_PREFIX_LEN) != 0) {
		return VOUCH_E_MALFORMED;
	}
	l += SIG_PREFIX_LEN;
	len -= SIG_PREFIX_LEN;
	sp = memchr(l, ' ', len);
	if (sp == NULL) {
		return VOUCH_E_MALFORMED;
	}
	nlen = (size_t)(sp - l);
	blen = len - nlen - 1;
	if (!vouch_key_name_ok(l, nlen) || blen == 0 || blen > VOUCH_B64_ENC_LEN(SIG_MAX_BYTES)) {
		return VOUCH_E_MALFORMED;
	}
	raw = malloc(VOUCH_B64_DEC_MAX(blen) + 1);
	sig->name = malloc(nlen + 1);
	if (raw == NULL || sig->name == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	memcpy(sig->name, l, nlen);
	sig->name[nlen] = '\0';
	err = vouch_b64_decode(raw, VOUCH_B64_DEC_MAX(blen) + 1, sp + 1, blen, &rawlen);
	if (err != VOUCH_OK || rawlen < 5) {
		err = VOUCH_E_MALFORMED;
		goto out;
	}
	sig->keyid = vouch_load_u32be(raw);
	sig->sig_len = rawlen - 4;
	memmove(raw, raw + 4, sig->sig_len);
	sig->sig = raw;
	raw = NULL;
out:
	free(raw);
	return err;
}

int
vouch_note_parse(const char *msg, size_t len, vouch_note **out)
{
	vouch_note *n = NULL;
	size_t split, pos, cap = 0;
	int err;

	if (len > VOUCH_NOTE_MAX_SIZE) {
		return VOUCH_E_LIMIT;
	}
	err = check_chars(msg, len);
	if (err != VOUCH_OK) {
		return err;
	}
	if (len == 0 || msg[len - 1] != '\n') {
		return VOUCH_E_MALFORMED;
	}
	split = last_blank(msg, len);
	if (split == SIZE_MAX || split == 0 || split + 2 >= len) {
		return VOUCH_E_MALFORMED; /* no separator, empty text, or no signature */
	}
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		return VOUCH_E_NOMEM;
	}
	n->msg = malloc(len + 1);
	if (n->msg == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	memcpy(n->msg, msg, len);
	n->msg[len] = '\0';
	n->msg_len = len;
	n->text_len = split + 1;
	pos = split + 2;
	while (pos < len) {
		const char *l = n->msg + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t ll = (size_t)(nl - l); /* nl != NULL: the message ends in \n */
		vouch_note_sig s = {0};

		if (n->nsigs == VOUCH_NOTE_MAX_SIGS) {
			err = VOUCH_E_LIMIT;
			goto out;
		}
		err = parse_sig_line(l, ll, &s);
		if (err != VOUCH_OK) {
			free(s.name);
			goto out;
		}
		s.verifier = -1;
		s.line = l;
		s.line_len = ll + 1;
		if (n->nsigs == cap) {
			size_t nc = cap == 0 ? 4 : cap * 2;
			vouch_note_sig *ns = realloc(n->sigs, nc * sizeof(*ns));

			if (ns == NULL) {
				free(s.name);
				free(s.sig);
				err = VOUCH_E_NOMEM;
				goto out;
			}
			n->sigs = ns;
			cap = nc;
		}
		n->sigs[n->nsigs++] = s;
		pos += ll + 1;
	}
	*out = n;
	n = NULL;
out:
	vouch_note_free(n);
	return err;
}

/* Does signature i repeat an earlier (name, key id)? */
static bool
is_repeat(const vouch_note *n, size_t i)
{
	for (size_t j = 0; j < i; j++) {
		if (n->sigs[j].keyid == n->sigs[i].keyid &&
		    strcmp(n->sigs[j].name, n->sigs[i].name) == 0) {
			return true;
		}
	}
	return false;
}

/* Drop sigs[i] from the array (a repeat), keeping order. */
static void
drop_sig(vouch_note *n, size_t i)
{
	free(n->sigs[i].name);
	free(n->sigs[i].sig);
	memmove(&n->sigs[i], &n->sigs[i + 1], (n->nsigs - i - 1) * sizeof(n->sigs[0]));
	n->nsigs--;
}

int
vouch_note_verify(const char *msg, size_t len, const vouch_note_verifier *const *verifiers,
		  size_t nv, vouch_note **out)
{
	vouch_note *n = NULL;
	int err;

	err = vouch_note_parse(msg, len, &n);
	if (err != VOUCH_OK) {
		return err;
	}
	for (size_t i = 0; i < n->nsigs;) {
		vouch_note_sig *s = &n->sigs[i];
		const vouch_note_verifier *v = NULL;
		size_t k;

		for (k = 0; k < nv; k++) {
			if (verifiers[k]->keyid == s->keyid &&
			    strcmp(verifiers[k]->name, s->name) == 0) {
				v = verifiers[k];
				break;
			}
		}
		if (v != NULL) {
			if (v->type == VOUCH_SIGTYPE_ED25519) {
				err = s->sig_len == VOUCH_ED25519_SIG_LEN
					      ? vouch_ed25519_verify(v->pub, n->msg, n->text_len, s->sig)
					      : VOUCH_E_VERIFY;
			} else {
				err = vouch_cosig_verify(v->pub, n->msg, n->text_len, s->sig,
							 s->sig_len, &s->timestamp);
			}
			if (err != VOUCH_OK) {
				goto out; /* a known key that does not verify: reject the note */
			}
		}
		if (is_repeat(n, i)) {
			drop_sig(n, i);
			continue;
		}
		if (v != NULL) {
			s->verifier = (int)k;
			n->nverified++;
		}
		i++;
	}
	if (n->nverified == 0) {
		err = VOUCH_E_VERIFY;
		goto out;
	}
	if (out != NULL) {
		*out = n;
		n = NULL;
	}
	err = VOUCH_OK;
out:
	vouch_note_free(n);
	return err;
}
