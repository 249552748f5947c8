/*
 * base/util.c: escaping of firmware strings, entropy, clock.
 *
 * Strings that came from an image (member names, link targets, version strings) may hold
 * newlines, terminal escape sequences or invalid UTF-8. vouch_escape() makes them safe for a
 * terminal and for JSON while staying reversible for a reader: valid UTF-8 is kept (names in
 * other scripts stay legible), everything else becomes \xNN.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/base.h"
#include "vouch/vouch.h"

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 when invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80) {
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2;
		cp = c & 0x1F;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		cp = c & 0x0F;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) {
			return 0;
		}
		cp = cp << 6 | (s[i] & 0x3F);
	}
	/* overlong forms, surrogates, beyond Unicode, and C1 controls are escaped */
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF || (cp >= 0x80 && cp < 0xA0)) {
		return 0;
	}
	return len;
}

/* keep_bs: leave backslashes alone (the input is escaped text already). */
static size_t
escape_bytes(char *dst, size_t cap, const char *src, size_t n, bool keep_bs)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t out = 0;

#define PUT(ch)                               \
	do {                                  \
		if (out + 1 < cap) {          \
			dst[out] = (char)(ch); \
		}                             \
		out++;                        \
	} while (0)

	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq(s + i, n - i);
		if (l == 1 && s[i] >= 0x20 && s[i] < 0x7F && (keep_bs || s[i] != '\\')) {
			PUT(s[i]);
			i++;
		} else if (l > 1) {
			for (size_t k = 0; k < l; k++) {
				PUT(s[i + k]);
			}
			i += l;
		} else {
			static const char hex[] = "0123456789abcdef";
			PUT('\\');
			PUT('x');
			PUT(hex[s[i] >> 4]);
			PUT(hex[s[i] & 15]);
			i++;
		}
	}
#undef PUT
	if (cap > 0) {
		dst[out < cap ? out : cap - 1] = '\0';
	}
	return out;
}

double
vouch_entropy(const uint64_t hist[256], uint64_t total)
{
	double h = 0.0;

	if (total == 0) {
		return 0.0;
	}
	for (int i = 0; i < 256; i++) {
		if (hist[i] != 0) {
			double p = (double)hist[i] / (double)total;
			h -= p * log2(p);
		}
	}
	return h;
}

double
vouch_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

size_t
vouch_escape(char *dst, size_t cap, const char *src, size_t n)
{
	return escape_bytes(dst, cap, src, n, false);
}

size_t
vouch_escape_str(char *dst, size_t cap, const char *src)
{
	return escape_bytes(dst, cap, src, strlen(src), false);
}

size_t
vouch_escape_text_str(char *dst, size_t cap, const char *src)
{
	return escape_bytes(dst, cap, src, strlen(src), true);
}

const char *
vouch_version(void)
{
	return VOUCH_VERSION;
}

int
vouch_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t first)
{
	size_t nc;
	void *p;

	if (n < *cap) {
		return VOUCH_OK;
	}
	nc = *cap ? *cap * 2 : first;
	if (nc < *cap || elem == 0 || nc > SIZE_MAX / elem) {
		return VOUCH_E_NOMEM;
	}
	p = realloc(*arr, nc * elem);
	if (p == NULL) {
		return VOUCH_E_NOMEM;
	}
	*arr = p;
	*cap = nc;
	return VOUCH_OK;
}

int
vouch_write_all(int fd, const void *p, size_t n)
{
	const char *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			if (w == 0) {
				errno = EIO;
			}
			return VOUCH_E_IO;
		}
		b += w;
		n -= (size_t)w;
	}
	return VOUCH_OK;
}
