/*
 * fuzz/fuzz_b64.c: libFuzzer harness for strict base64 (base/b64.c) and strict UTF-8
 * (base/utf8.c), the two primitives under every signed text format.
 *
 * Each input is used three ways, with the properties the headers promise asserted (abort()
 * so that libFuzzer reports a broken property as a crash):
 *   - as base64 text: when the strict decoder accepts it, re-encoding the bytes gives the
 *     input back exactly (one byte string has exactly one accepted encoding), and no more
 *     than VOUCH_B64_DEC_MAX bytes come out; a too-small destination is refused, not
 *     overrun (the decode into an exact-size heap buffer lets ASan see an overrun);
 *   - as bytes: encode then decode gives the bytes back, with the length VOUCH_B64_ENC_LEN
 *     announces, and the _alloc variant produces the same text;
 *   - as UTF-8: vouch_utf8_valid agrees with walking vouch_utf8_next over the input, and
 *     every code point it returns is a scalar value (no surrogate, <= U+10FFFF) whose
 *     shortest encoding, computed here independently, is exactly the bytes consumed (so no
 *     overlong form is ever accepted).
 * Rejected: comparing against OpenSSL's EVP_DecodeBlock (it is lenient about padding and
 * trailing bits, so it is not an oracle for the strict decoder).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/b64.h"
#include "base/utf8.h"
#include "vouch/error.h"

#define FUZZ_MAX_INPUT (64u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The shortest UTF-8 encoding of a scalar value (RFC 3629 table), into out[4]. */
static size_t
utf8_encode(uint32_t cp, uint8_t out[4])
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | (cp >> 6));
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | (cp >> 12));
		out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | (cp >> 18));
	out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

static void
check_utf8(const uint8_t *data, size_t size)
{
	size_t i = 0;
	bool all = true;

	while (i < size) {
		uint32_t cp = 0;
		uint8_t enc[4];
		size_t n = vouch_utf8_next(data + i, size - i, &cp);

		if (n == 0) {
			all = false;
			break;
		}
		if (n > 4 || n > size - i || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
			abort();
		}
		if (utf8_encode(cp, enc) != n || memcmp(enc, data + i, n) != 0) {
			abort(); /* overlong or mis-decoded */
		}
		(void)vouch_utf8_is_space(cp);
		i += n;
	}
	if (vouch_utf8_valid(data, size) != all) {
		abort();
	}
	if (vouch_utf8_next(data, 0, &(uint32_t){0}) != 0) {
		abort();
	}
}

static void
check_decode(const uint8_t *data, size_t size)
{
	size_t cap = VOUCH_B64_DEC_MAX(size), dl = 0;
	uint8_t *dec = malloc(cap + 1);
	char *re = NULL;

	if (dec == NULL) {
		return;
	}
	if (vouch_b64_decode(dec, cap, (const char *)data, size, &dl) == VOUCH_OK) {
		if (dl > cap) {
			abort();
		}
		re = malloc(VOUCH_B64_ENC_LEN(dl) + 1);
		if (re == NULL) {
			goto out;
		}
		if (vouch_b64_encode(re, dec, dl) != size || memcmp(re, data, size) != 0) {
			abort(); /* an accepted text that is not THE encoding of its bytes */
		}
		/* exact capacity must work, one byte less must be refused without overrun */
		free(dec);
		dec = malloc(dl > 0 ? dl : 1);
		if (dec == NULL) {
			goto out;
		}
		if (vouch_b64_decode(dec, dl, (const char *)data, size, &cap) != VOUCH_OK ||
		    cap != dl) {
			abort();
		}
		if (dl > 0 &&
		    vouch_b64_decode(dec, dl - 1, (const char *)data, size, &cap) != VOUCH_E_LIMIT) {
			abort();
		}
	}
out:
	free(re);
	free(dec);
}

static void
check_encode(const uint8_t *data, size_t size)
{
	size_t el = VOUCH_B64_ENC_LEN(size), dl = 0;
	char *enc = malloc(el + 1), *enc2 = NULL;
	uint8_t *dec = malloc(size + 1);

	if (enc == NULL || dec == NULL) {
		goto out;
	}
	if (vouch_b64_encode(enc, data, size) != el || enc[el] != '\0') {
		abort();
	}
	if (vouch_b64_decode(dec, size + 1, enc, el, &dl) != VOUCH_OK || dl != size ||
	    memcmp(dec, data, size) != 0) {
		abort();
	}
	if (vouch_b64_encode_alloc(data, size, &enc2) == VOUCH_OK &&
	    (strlen(enc2) != el || memcmp(enc2, enc, el) != 0)) {
		abort();
	}
out:
	free(enc2);
	free(dec);
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	check_decode(data, size);
	check_encode(data, size);
	check_utf8(data, size);
	return 0;
}
