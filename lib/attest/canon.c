/*
 * attest/canon.c: THE canonical JSON encoding of vouch (rules in attest/attest.h), and
 * the one way JSON that will be signed or verified is read.
 *
 * The encoder walks the jansson value with an explicit stack of frames (no recursion on
 * input-controlled structure, depth bounded by VOUCH_JSON_MAX_DEPTH), writes into one
 * growing buffer bounded by VOUCH_JSON_MAX_OUT, and sorts each object's keys by UTF-16 code
 * units, as RFC 8785 requires (UTF-8 byte order differs from it only when a key mixes
 * U+E000..U+FFFF with supplementary characters, but "differs only rarely" is not "equal").
 *
 * Rejected: json_dumps(JSON_SORT_KEYS | JSON_COMPACT) (sorts by bytes, escapes '/', prints
 * reals with "%.17g": none of which is a specification we could promise verifiers), and
 * accepting reals (see attest.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attest/attest.h"
#include "base/utf8.h"
#include "vouch/error.h"

typedef struct buf {
	char *p;
	size_t len, cap;
} buf;

static int
put(buf *b, const void *s, size_t n)
{
	if (n > VOUCH_JSON_MAX_OUT - b->len) {
		return VOUCH_E_LIMIT;
	}
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap == 0 ? 256 : b->cap;
		char *np;

		while (nc < b->len + n + 1) {
			nc *= 2;
		}
		np = realloc(b->p, nc);
		if (np == NULL) {
			return VOUCH_E_NOMEM;
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return VOUCH_OK;
}

static int
put_string(buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t start = 0;
	int err;

	if ((err = put(b, "\"", 1)) != VOUCH_OK) {
		return err;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t el = 2;

		if (c >= 0x20 && c != '"' && c != '\\') {
			continue;
		}
		if ((err = put(b, s + start, i - start)) != VOUCH_OK) {
			return err;
		}
		start = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\t': esc[1] = 't'; break;
		case '\n': esc[1] = 'n'; break;
		case '\f': esc[1] = 'f'; break;
		case '\r': esc[1] = 'r'; break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			el = 6;
			break;
		}
		if ((err = put(b, esc, el)) != VOUCH_OK) {
			return err;
		}
	}
	if ((err = put(b, s + start, n - start)) != VOUCH_OK) {
		return err;
	}
	return put(b, "\"", 1);
}

/* The next UTF-16 code unit of a valid UTF-8 string; *pending holds a low surrogate. */
static uint32_t
next_unit(const char *s, size_t n, size_t *i, uint32_t *pending)
{
	uint32_t cp = 0;
	size_t k;

	if (*pending != 0) {
		cp = *pending;
		*pending = 0;
		return cp;
	}
	k = vouch_utf8_next((const uint8_t *)s + *i, n - *i, &cp);
	if (k == 0) {
		/* jansson validated the key; if not, order by the byte, deterministically */
		cp = (unsigned char)s[*i];
		k = 1;
	}
	*i += k;
	if (cp >= 0x10000) {
		cp -= 0x10000;
		*pending = 0xdc00 + (cp & 0x3ff);
		return 0xd800 + (cp >> 10);
	}
	return cp;
}

static int
cmp_utf16(const void *pa, const void *pb)
{
	const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
	size_t na = strlen(a), nb = strlen(b), ia = 0, ib = 0;
	uint32_t qa = 0, qb = 0;

	while ((ia < na || qa != 0) && (ib < nb || qb != 0)) {
		uint32_t ua = next_unit(a, na, &ia, &qa);
		uint32_t ub = next_unit(b, nb, &ib, &qb);

		if (ua != ub) {
			return ua < ub ? -1 : 1;
		}
	}
	if (ia < na || qa != 0) {
		return 1;
	}
	if (ib < nb || qb != 0) {
		return -1;
	}
	return 0;
}

typedef struct frame {
	const json_t *v;
	const char **keys; /* objects: sorted keys */
	size_t n, i;
} frame;

/* Write a scalar, or open a container by pushing a frame. */
static int
emit(buf *b, const json_t *v, frame *stack, size_t *depth)
{
	char num[32];
	int err;

	switch (json_typeof(v)) {
	case JSON_NULL: return put(b, "null", 4);
	case JSON_TRUE: return put(b, "true", 4);
	case JSON_FALSE: return put(b, "false", 5);
	case JSON_STRING: return put_string(b, json_string_value(v), json_string_length(v));
	case JSON_REAL: return VOUCH_E_UNSUPPORTED;
	case JSON_INTEGER: {
		json_int_t x = json_integer_value(v);

		if (x > VOUCH_JSON_MAX_INT || x < -VOUCH_JSON_MAX_INT) {
			return VOUCH_E_UNSUPPORTED;
		}
		snprintf(num, sizeof(num), "%lld", (long long)x);
		return put(b, num, strlen(num));
	}
	case JSON_ARRAY:
	case JSON_OBJECT: break;
	default: return VOUCH_E_INTERNAL;
	}
	if (*depth == VOUCH_JSON_MAX_DEPTH) {
		return VOUCH_E_LIMIT;
	}
	frame *f = &stack[(*depth)++];
	memset(f, 0, sizeof(*f));
	f->v = v;
	if (json_is_array(v)) {
		f->n = json_array_size(v);
		return put(b, "[", 1);
	}
	f->n = json_object_size(v);
	if (f->n > 0) {
		const char *key;
		json_t *val;
		size_t k = 0;

		f->keys = malloc(f->n * sizeof(*f->keys));
		if (f->keys == NULL) {
			return VOUCH_E_NOMEM;
		}
		json_object_foreach((json_t *)(uintptr_t)v, key, val) {
			(void)val;
			if (k < f->n) {
				f->keys[k++] = key;
			}
		}
		qsort(f->keys, f->n, sizeof(*f->keys), cmp_utf16);
	}
	err = put(b, "{", 1);
	return err;
}

int
vouch_json_canonical(const json_t *v, char **out, size_t *out_len)
{
	frame stack[VOUCH_JSON_MAX_DEPTH];
	size_t depth = 0;
	buf b = {0};
	int err;

	err = emit(&b, v, stack, &depth);
	while (err == VOUCH_OK && depth > 0) {
		frame *f = &stack[depth - 1];
		const json_t *child;

		if (f->i == f->n) {
			err = put(&b, json_is_array(f->v) ? "]" : "}", 1);
			free(f->keys);
			f->keys = NULL;
			depth--;
			continue;
		}
		if (f->i > 0 && (err = put(&b, ",", 1)) != VOUCH_OK) {
			break;
		}
		if (json_is_array(f->v)) {
			child = json_array_get(f->v, f->i);
		} else {
			const char *key = f->keys[f->i];

			if ((err = put_string(&b, key, strlen(key))) != VOUCH_OK ||
			    (err = put(&b, ":", 1)) != VOUCH_OK) {
				break;
			}
			child = json_object_get(f->v, key);
		}
		f->i++;
		err = emit(&b, child, stack, &depth);
	}
	while (depth > 0) {
		free(stack[--depth].keys);
	}
	if (err != VOUCH_OK) {
		free(b.p);
		return err;
	}
	if (b.p == NULL && (err = put(&b, "", 0)) != VOUCH_OK) {
		return err;
	}
	*out = b.p;
	if (out_len != NULL) {
		*out_len = b.len;
	}
	return VOUCH_OK;
}

int
vouch_json_read(const char *text, size_t len, json_t **out)
{
	json_error_t jerr;
	json_t *j;

	if (len > VOUCH_DSSE_MAX_ENVELOPE) {
		return VOUCH_E_LIMIT;
	}
	/* jansson parses nesting recursively but bounds it (JSON_PARSER_MAX_DEPTH, 2048) */
	j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		return json_error_code(&jerr) == json_error_out_of_memory ? VOUCH_E_NOMEM
									   : VOUCH_E_MALFORMED;
	}
	*out = j;
	return VOUCH_OK;
}
