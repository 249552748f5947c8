/*
 * equiv/spans.c: is a differing run of bytes inside a data section only a build path or a
 * timestamp?
 *
 * Two builds of the same source from different directories at different times differ in
 * strings the compiler or the program embeds: __FILE__ and assertion paths, __DATE__
 * ("Jan  9 2024") and __TIME__ ("10:32:01"), ISO 8601 dates, `date` output pasted into a
 * version banner. Such a run is benign only when, on BOTH sides, it lies inside one
 * NUL-terminated string of printable bytes and every byte of the run lies in
 *   - a timestamp: one of the four shapes above, matched literally (month and weekday
 *     names, digit counts, separators), or
 *   - the directory part of a path token: a maximal run of [A-Za-z0-9._+-@~/] that contains
 *     a '/', does not start with "//" (URLs are split at ':' and give "//host/..."), and
 *     only the bytes before its last '/' count. A differing final component names another
 *     file ("/admin/cgi" vs "/admin/cgx"), and a one-component token ("/admin" vs
 *     "/backdoor") is more likely a URL path or a command than a build path: both are data.
 * Anything else is data, so a changed message, address or key stays visible.
 *
 * How: the string around a run is found by scanning back and forward from the run to a NUL
 * (stopping at the first non-printable byte, at most VOUCH_EQUIV_STR_MAX bytes), then every
 * byte of it is marked once (timestamps tried at every position, path tokens split once);
 * the marks are cached per side, so the runs of one string cost one scan of it.
 * Rejected: regular expressions (regcomp/regexec per run is slower and says less about
 * which bytes matched); classifying by "the string contains a '/'" (too generous: a
 * changed URL would pass).
 */
#include <string.h>

#include "equiv/equiv_int.h"

#define COV_TS 1u
#define COV_PATH 2u

void
vouch_equiv_span_reset(vouch_equiv_spanctx *c)
{
	c->a.valid = false;
	c->b.valid = false;
}

static bool
printable(uint8_t c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t';
}

static bool
digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static bool
digits(const uint8_t *s, size_t n, size_t at, size_t count)
{
	if (at + count > n) {
		return false;
	}
	for (size_t i = 0; i < count; i++) {
		if (!digit(s[at + i])) {
			return false;
		}
	}
	return true;
}

static bool
word3(const uint8_t *s, size_t n, size_t at, const char *list)
{
	if (at + 3 > n) {
		return false;
	}
	for (size_t i = 0; list[i] != '\0'; i += 3) {
		if (memcmp(s + at, list + i, 3) == 0) {
			return true;
		}
	}
	return false;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char wdays[] = "MonTueWedThuFriSatSun";

/* hh:mm:ss at s[at]; its length (8) or 0. */
static size_t
clock_at(const uint8_t *s, size_t n, size_t at)
{
	if (digits(s, n, at, 2) && at + 8 <= n && s[at + 2] == ':' && digits(s, n, at + 3, 2) &&
	    s[at + 5] == ':' && digits(s, n, at + 6, 2)) {
		return 8;
	}
	return 0;
}

/* A day of month after "Mmm ": " 9", "09", "9" (then a space must follow: checked by the
 * caller). Returns the bytes taken, 0 if none. */
static size_t
day_at(const uint8_t *s, size_t n, size_t at)
{
	if (at + 2 <= n && s[at] == ' ' && digit(s[at + 1])) {
		return 2;
	}
	if (digits(s, n, at, 2)) {
		return 2;
	}
	if (at < n && digit(s[at])) {
		return 1;
	}
	return 0;
}

/* "Mmm dd yyyy" (__DATE__); with `need_year` false, "Mmm dd " only (date(1)'s middle). */
static size_t
mdy_at(const uint8_t *s, size_t n, size_t at, bool need_year)
{
	size_t d, p;

	if (!word3(s, n, at, months) || at + 3 >= n || s[at + 3] != ' ') {
		return 0;
	}
	d = day_at(s, n, at + 4);
	if (d == 0) {
		return 0;
	}
	p = at + 4 + d;
	if (p >= n || s[p] != ' ') {
		return 0;
	}
	if (!need_year) {
		return p + 1 - at;
	}
	return digits(s, n, p + 1, 4) ? p + 5 - at : 0;
}

/* `date` in the C locale: "Tue Jan  9 10:32:01 UTC 2024" (zone optional, letters or
 * +hhmm). */
static size_t
date1_at(const uint8_t *s, size_t n, size_t at)
{
	size_t p, m, z = 0;

	if (!word3(s, n, at, wdays) || at + 3 >= n || s[at + 3] != ' ') {
		return 0;
	}
	m = mdy_at(s, n, at + 4, false);
	if (m == 0) {
		return 0;
	}
	p = at + 4 + m;
	if (clock_at(s, n, p) == 0) {
		return 0;
	}
	p += 8;
	if (p >= n || s[p] != ' ') {
		return 0;
	}
	p++;
	if (p < n && (s[p] == '+' || s[p] == '-') && digits(s, n, p + 1, 4)) {
		z = 5;
	} else {
		while (z < 5 && p + z < n && s[p + z] >= 'A' && s[p + z] <= 'Z') {
			z++;
		}
	}
	if (z > 0) {
		if (p + z >= n || s[p + z] != ' ') {
			return 0;
		}
		p += z + 1;
	}
	return digits(s, n, p, 4) ? p + 4 - at : 0;
}

/* ISO 8601: yyyy-mm-dd, optionally [T ]hh:mm[:ss[.frac]] and Z or +hh[:]mm. */
static size_t
iso_at(const uint8_t *s, size_t n, size_t at)
{
	size_t p;

	if (!digits(s, n, at, 4) || at + 10 > n || s[at + 4] != '-' || !digits(s, n, at + 5, 2) ||
	    s[at + 7] != '-' || !digits(s, n, at + 8, 2)) {
		return 0;
	}
	p = at + 10;
	if (p + 6 <= n && (s[p] == 'T' || s[p] == ' ') && digits(s, n, p + 1, 2) &&
	    s[p + 3] == ':' && digits(s, n, p + 4, 2)) {
		p += 6;
		if (p + 3 <= n && s[p] == ':' && digits(s, n, p + 1, 2)) {
			p += 3;
			if (p + 2 <= n && s[p] == '.' && digit(s[p + 1])) {
				p++;
				while (p < n && digit(s[p])) {
					p++;
				}
			}
		}
		if (p < n && s[p] == 'Z') {
			p++;
		} else if (p + 3 <= n && (s[p] == '+' || s[p] == '-') && digits(s, n, p + 1, 2)) {
			size_t q = p + 3;
			if (q < n && s[q] == ':') {
				q++;
			}
			if (digits(s, n, q, 2)) {
				p = q + 2;
			}
		}
	}
	return p - at;
}

size_t
vouch_equiv_timestamp_len(const uint8_t *s, size_t n)
{
	size_t m;

	if ((m = date1_at(s, n, 0)) != 0 || (m = iso_at(s, n, 0)) != 0 ||
	    (m = mdy_at(s, n, 0, true)) != 0 || (m = clock_at(s, n, 0)) != 0) {
		return m;
	}
	return 0;
}

static bool
pathchar(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || digit(c) || c == '.' ||
	       c == '_' || c == '+' || c == '-' || c == '@' || c == '~' || c == '/';
}

/* Mark the bytes of s[0..n) that lie in a timestamp or in a path's directory part. */
static void
mark(const uint8_t *s, size_t n, uint8_t *cov)
{
	memset(cov, 0, n);
	for (size_t i = 0; i < n; i++) {
		size_t m = vouch_equiv_timestamp_len(s + i, n - i);
		for (size_t k = 0; k < m; k++) {
			cov[i + k] |= COV_TS;
		}
	}
	for (size_t i = 0; i < n;) {
		size_t j = i, last = SIZE_MAX;
		if (!pathchar(s[i])) {
			i++;
			continue;
		}
		while (j < n && pathchar(s[j])) {
			if (s[j] == '/') {
				last = j;
			}
			j++;
		}
		bool url = j - i >= 2 && s[i] == '/' && s[i + 1] == '/';
		if (last != SIZE_MAX && last > i && !url) {
			for (size_t k = i; k < last; k++) {
				cov[k] |= COV_PATH;
			}
		}
		i = j;
	}
}

/*
 * Find (or reuse) the printable NUL-bounded string of p[0..n) holding [off, off+len);
 * false when there is none.
 */
static bool
locate(vouch_equiv_str *st, const uint8_t *p, size_t n, size_t off, size_t len)
{
	size_t lo = off, hi = off + len;

	if (st->valid && off >= st->lo && off + len <= st->hi) {
		return st->ok;
	}
	for (size_t i = off; i < off + len; i++) {
		if (!printable(p[i])) {
			st->valid = false;
			return false;
		}
	}
	while (lo > 0 && hi - lo < VOUCH_EQUIV_STR_MAX && printable(p[lo - 1])) {
		lo--;
	}
	bool start_ok = lo == 0 || p[lo - 1] == 0;
	while (hi < n && hi - lo < VOUCH_EQUIV_STR_MAX && printable(p[hi])) {
		hi++;
	}
	bool end_ok = hi < n && p[hi] == 0;
	st->lo = lo;
	st->hi = hi;
	st->valid = true;
	st->ok = start_ok && end_ok && hi - lo <= VOUCH_EQUIV_STR_MAX;
	if (st->ok) {
		mark(p + lo, hi - lo, st->cov);
	}
	return st->ok;
}

vouch_equiv_class
vouch_equiv_span_class(vouch_equiv_spanctx *c, const uint8_t *a, const uint8_t *b, size_t n,
		       size_t off, size_t len)
{
	bool all_ts = true;

	if (len == 0 || off > n || len > n - off || !locate(&c->a, a, n, off, len) ||
	    !locate(&c->b, b, n, off, len)) {
		return VOUCH_EQUIV_DATA;
	}
	for (size_t i = off; i < off + len; i++) {
		uint8_t ca = c->a.cov[i - c->a.lo], cb = c->b.cov[i - c->b.lo];
		if (ca == 0 || cb == 0) {
			return VOUCH_EQUIV_DATA;
		}
		if (!(ca & COV_TS) || !(cb & COV_TS)) {
			all_ts = false;
		}
	}
	return all_ts ? VOUCH_EQUIV_TIMESTAMP : VOUCH_EQUIV_PATH;
}
