/*
 * tlog/checkpoint.c: format and strictly parse the C2SP tlog-checkpoint body.
 *
 * The body is at most VOUCH_CHECKPOINT_MAX_SIZE bytes of UTF-8 lines; we take it apart line
 * by line (memchr within the known length) and accept exactly one spelling of each field:
 * the size in ASCII decimal with no sign, no leading zero and no overflow (strtoull would
 * accept " +12" and leading zeros, so it is not used), the root as canonical base64 of
 * exactly 32 bytes. Extension lines are opaque but must be non-empty lines of valid UTF-8
 * without control characters, since they are signed text.
 *
 * Rejected: parsing into borrowed pointers into the caller's buffer (checkpoints outlive the
 * note they were read from in the log and witness code).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/base.h"
#include "base/utf8.h"
#include "tlog/checkpoint.h"

/* A line is non-empty, valid UTF-8, and holds no control character (\n excluded too). */
static bool
line_ok(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	if (len == 0) {
		return false;
	}
	while (i < len) {
		uint32_t cp;
		size_t k = vouch_utf8_next(p + i, len - i, &cp);

		if (k == 0 || cp < 0x20 || cp == 0x7f) {
			return false;
		}
		i += k;
	}
	return true;
}

void
vouch_checkpoint_clear(vouch_checkpoint *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->nexts; i++) {
		free(c->exts[i]);
	}
	free(c->exts);
	free(c->origin);
	memset(c, 0, sizeof(*c));
}

int
vouch_checkpoint_format(const char *origin, uint64_t size,
			const uint8_t root[VOUCH_CHECKPOINT_HASH_LEN], const char *const *exts,
			size_t nexts, char **out, size_t *out_len)
{
	char b64[VOUCH_B64_ENC_LEN(VOUCH_CHECKPOINT_HASH_LEN) + 1];
	size_t olen, total, off;
	char num[24];
	int nl;
	char *s;

	if (origin == NULL || nexts > VOUCH_CHECKPOINT_MAX_EXTS || (nexts > 0 && exts == NULL)) {
		return VOUCH_E_USAGE;
	}
	olen = strlen(origin);
	if (olen > VOUCH_CHECKPOINT_ORIGIN_MAX || !line_ok(origin, olen)) {
		return VOUCH_E_USAGE;
	}
	nl = snprintf(num, sizeof(num), "%llu", (unsigned long long)size);
	vouch_b64_encode(b64, root, VOUCH_CHECKPOINT_HASH_LEN);
	total = olen + 1 + (size_t)nl + 1 + strlen(b64) + 1;
	for (size_t i = 0; i < nexts; i++) {
		size_t l = exts[i] == NULL ? 0 : strlen(exts[i]);

		if (!line_ok(exts[i] == NULL ? "" : exts[i], l)) {
			return VOUCH_E_USAGE;
		}
		total += l + 1;
	}
	if (total > VOUCH_CHECKPOINT_MAX_SIZE) {
		return VOUCH_E_USAGE;
	}
	s = malloc(total + 1);
	if (s == NULL) {
		return VOUCH_E_NOMEM;
	}
	off = (size_t)snprintf(s, total + 1, "%s\n%s\n%s\n", origin, num, b64);
	for (size_t i = 0; i < nexts; i++) {
		size_t l = strlen(exts[i]);

		memcpy(s + off, exts[i], l);
		off += l;
		s[off++] = '\n';
	}
	s[off] = '\0';
	*out = s;
	if (out_len != NULL) {
		*out_len = off;
	}
	return VOUCH_OK;
}

/* Strict decimal: [1-9][0-9]* or "0", no overflow. */
static int
parse_size(const char *s, size_t len, uint64_t *v)
{
	uint64_t x = 0;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0')) {
		return VOUCH_E_MALFORMED;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return VOUCH_E_MALFORMED;
		}
		if (!vouch_mul_u64(x, 10, &x) || !vouch_add_u64(x, (uint64_t)(s[i] - '0'), &x)) {
			return VOUCH_E_MALFORMED;
		}
	}
	*v = x;
	return VOUCH_OK;
}

/* Next line of body[*pos, len) without its '\n'; MALFORMED when unterminated. */
static int
next_line(const char *body, size_t len, size_t *pos, const char **l, size_t *ll)
{
	const char *p = body + *pos;
	const char *nl;

	if (*pos >= len) {
		return VOUCH_E_MALFORMED;
	}
	nl = memchr(p, '\n', len - *pos);
	if (nl == NULL) {
		return VOUCH_E_MALFORMED;
	}
	*l = p;
	*ll = (size_t)(nl - p);
	*pos += *ll + 1;
	return VOUCH_OK;
}

static char *
dup_line(const char *l, size_t ll)
{
	char *s = malloc(ll + 1);

	if (s != NULL) {
		memcpy(s, l, ll);
		s[ll] = '\0';
	}
	return s;
}

int
vouch_checkpoint_parse(const char *body, size_t len, vouch_checkpoint *out)
{
	vouch_checkpoint c = {0};
	size_t pos = 0, ll, rlen = 0, cap = 0;
	const char *l;
	uint8_t root[VOUCH_CHECKPOINT_HASH_LEN + 3];
	int err;

	memset(out, 0, sizeof(*out));
	if (len > VOUCH_CHECKPOINT_MAX_SIZE) {
		return VOUCH_E_LIMIT;
	}
	/* origin */
	if ((err = next_line(body, len, &pos, &l, &ll)) != VOUCH_OK) {
		return err;
	}
	if (ll > VOUCH_CHECKPOINT_ORIGIN_MAX || !line_ok(l, ll)) {
		return VOUCH_E_MALFORMED;
	}
	c.origin = dup_line(l, ll);
	if (c.origin == NULL) {
		return VOUCH_E_NOMEM;
	}
	/* tree size */
	if ((err = next_line(body, len, &pos, &l, &ll)) != VOUCH_OK ||
	    (err = parse_size(l, ll, &c.size)) != VOUCH_OK) {
		goto out;
	}
	/* root hash */
	if ((err = next_line(body, len, &pos, &l, &ll)) != VOUCH_OK) {
		goto out;
	}
	if (vouch_b64_decode(root, sizeof(root), l, ll, &rlen) != VOUCH_OK ||
	    rlen != VOUCH_CHECKPOINT_HASH_LEN) {
		err = VOUCH_E_MALFORMED;
		goto out;
	}
	memcpy(c.root, root, VOUCH_CHECKPOINT_HASH_LEN);
	/* extension lines */
	while (pos < len) {
		char *e;

		if ((err = next_line(body, len, &pos, &l, &ll)) != VOUCH_OK) {
			goto out;
		}
		if (!line_ok(l, ll)) {
			err = VOUCH_E_MALFORMED;
			goto out;
		}
		if (c.nexts == VOUCH_CHECKPOINT_MAX_EXTS) {
			err = VOUCH_E_LIMIT;
			goto out;
		}
		if (c.nexts == cap) {
			size_t nc = cap == 0 ? 4 : cap * 2;
			char **ne = realloc(c.exts, nc * sizeof(*ne));

			if (ne == NULL) {
				err = VOUCH_E_NOMEM;
				goto out;
			}
			c.exts = ne;
			cap = nc;
		}
		e = dup_line(l, ll);
		if (e == NULL) {
			err = VOUCH_E_NOMEM;
			goto out;
		}
		c.exts[c.nexts++] = e;
	}
	*out = c;
	memset(&c, 0, sizeof(c));
	err = VOUCH_OK;
out:
	vouch_checkpoint_clear(&c);
	return err;
}
