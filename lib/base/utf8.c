/*
 * base/utf8.c: strict UTF-8 decoding.
 *
 * A table-free decoder following RFC 3629 §4's byte ranges, so overlongs (C0, C1, E0 80..9F,
 * F0 80..8F), surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..FF) are
 * rejected at the first byte that makes them so. Rejected: iconv / mbrtowc (locale-dependent,
 * and glibc accepts what the signed formats must refuse).
 */
#include "base/utf8.h"

size_t
vouch_utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint8_t b0, lo = 0x80, hi = 0xbf;
	size_t len;
	uint32_t v;

	if (n == 0) {
		return 0;
	}
	b0 = p[0];
	if (b0 < 0x80) {
		*cp = b0;
		return 1;
	}
	if (b0 >= 0xc2 && b0 <= 0xdf) {
		len = 2;
		v = b0 & 0x1f;
	} else if (b0 >= 0xe0 && b0 <= 0xef) {
		len = 3;
		v = b0 & 0x0f;
		if (b0 == 0xe0) {
			lo = 0xa0; /* overlong below U+0800 */
		} else if (b0 == 0xed) {
			hi = 0x9f; /* surrogates U+D800..DFFF */
		}
	} else if (b0 >= 0xf0 && b0 <= 0xf4) {
		len = 4;
		v = b0 & 0x07;
		if (b0 == 0xf0) {
			lo = 0x90; /* overlong below U+10000 */
		} else if (b0 == 0xf4) {
			hi = 0x8f; /* above U+10FFFF */
		}
	} else {
		return 0;
	}
	if (n < len) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		uint8_t b = p[i];

		if (b < lo || b > hi) {
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
		v = (v << 6) | (b & 0x3f);
	}
	*cp = v;
	return len;
}

bool
vouch_utf8_valid(const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i = 0;

	while (i < n) {
		uint32_t cp;
		size_t k = vouch_utf8_next(s + i, n - i, &cp);

		if (k == 0) {
			return false;
		}
		i += k;
	}
	return true;
}

bool
vouch_utf8_is_space(uint32_t cp)
{
	switch (cp) {
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
	case ' ':
	case 0x85:
	case 0xa0:
	case 0x1680:
	case 0x2028:
	case 0x2029:
	case 0x202f:
	case 0x205f:
	case 0x3000:
		return true;
	default:
		return cp >= 0x2000 && cp <= 0x200a;
	}
}
