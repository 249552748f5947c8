/*
 * base/b64.c: standard padded base64 (RFC 4648 §4), canonical decoding only.
 *
 * The decoder maps characters through a 256-entry table (0xff = invalid), requires the
 * length to be a multiple of four, allows '=' only as the last one or two characters, and
 * requires the bits that padding discards to be zero (RFC 4648 §3.5), matching Go's
 * base64.StdEncoding.Strict. Rejected: OpenSSL's EVP_DecodeBlock (lenient about white space
 * and trailing bits, and it would pull libcrypto into base).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "base/b64.h"
#include "vouch/error.h"

static const char enc_tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
vouch_b64_encode(char *dst, const void *src, size_t n)
{
	const uint8_t *s = src;
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8) | s[i + 2];

		dst[o++] = enc_tab[(v >> 18) & 63];
		dst[o++] = enc_tab[(v >> 12) & 63];
		dst[o++] = enc_tab[(v >> 6) & 63];
		dst[o++] = enc_tab[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)s[i] << 16;

		dst[o++] = enc_tab[(v >> 18) & 63];
		dst[o++] = enc_tab[(v >> 12) & 63];
		dst[o++] = '=';
		dst[o++] = '=';
	} else if (n - i == 2) {
		uint32_t v = ((uint32_t)s[i] << 16) | ((uint32_t)s[i + 1] << 8);

		dst[o++] = enc_tab[(v >> 18) & 63];
		dst[o++] = enc_tab[(v >> 12) & 63];
		dst[o++] = enc_tab[(v >> 6) & 63];
		dst[o++] = '=';
	}
	dst[o] = '\0';
	return o;
}

int
vouch_b64_encode_alloc(const void *src, size_t n, char **out)
{
	char *s;

	if (n > (SIZE_MAX - 4) / 4 * 3) {
		return VOUCH_E_NOMEM;
	}
	s = malloc(VOUCH_B64_ENC_LEN(n) + 1);
	if (s == NULL) {
		return VOUCH_E_NOMEM;
	}
	vouch_b64_encode(s, src, n);
	*out = s;
	return VOUCH_OK;
}

static uint8_t
dec(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return (uint8_t)(c - 'A');
	}
	if (c >= 'a' && c <= 'z') {
		return (uint8_t)(c - 'a' + 26);
	}
	if (c >= '0' && c <= '9') {
		return (uint8_t)(c - '0' + 52);
	}
	if (c == '+') {
		return 62;
	}
	if (c == '/') {
		return 63;
	}
	return 0xff;
}

int
vouch_b64_decode(uint8_t *dst, size_t cap, const char *src, size_t len, size_t *out_len)
{
	size_t o = 0;

	if (len % 4 != 0) {
		return VOUCH_E_MALFORMED;
	}
	for (size_t i = 0; i < len; i += 4) {
		uint8_t a = dec(src[i]), b = dec(src[i + 1]), c, d;
		bool last = i + 4 == len;
		uint32_t v;

		if (a == 0xff || b == 0xff) {
			return VOUCH_E_MALFORMED;
		}
		if (last && src[i + 2] == '=' && src[i + 3] == '=') {
			if ((b & 0x0f) != 0) {
				return VOUCH_E_MALFORMED; /* non-canonical trailing bits */
			}
			if (o + 1 > cap) {
				return VOUCH_E_LIMIT;
			}
			dst[o++] = (uint8_t)((a << 2) | (b >> 4));
			break;
		}
		c = dec(src[i + 2]);
		if (c == 0xff) {
			return VOUCH_E_MALFORMED;
		}
		if (last && src[i + 3] == '=') {
			if ((c & 0x03) != 0) {
				return VOUCH_E_MALFORMED;
			}
			if (o + 2 > cap) {
				return VOUCH_E_LIMIT;
			}
			dst[o++] = (uint8_t)((a << 2) | (b >> 4));
			dst[o++] = (uint8_t)((b << 4) | (c >> 2));
			break;
		}
		d = dec(src[i + 3]);
		if (d == 0xff) {
			return VOUCH_E_MALFORMED;
		}
		if (o + 3 > cap) {
			return VOUCH_E_LIMIT;
		}
		v = ((uint32_t)a << 18) | ((uint32_t)b << 12) | ((uint32_t)c << 6) | d;
		dst[o++] = (uint8_t)(v >> 16);
		dst[o++] = (uint8_t)(v >> 8);
		dst[o++] = (uint8_t)v;
	}
	*out_len = o;
	return VOUCH_OK;
}
