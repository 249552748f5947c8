/*
 * vuln/cpe.c: CPE names (NIST IR 7695) as the feeds write them, and the feeds' timestamps.
 *
 * A CPE 2.3 formatted string is "cpe:2.3:" and eleven colon-separated attributes, where a
 * backslash quotes the next character ("1.0\:beta" is one version); the 2.2 URI form is
 * "cpe:/" and up to seven attributes, percent-encoded. Both are split into the same eleven
 * fields, unescaped into a fixed buffer inside the struct (no allocation, bounded by
 * VULN_MAX_STR). Matching only needs vendor, product, version and update; the others are
 * kept for completeness. Wildcards inside a value ("1.0.*") are kept as text: NVD match
 * criteria use them only as whole values.
 *
 * Timestamps are brought to one spelling so that "newer lastModified wins" is a string
 * comparison that is right across NVD 1.1 (minutes, no zone), NVD 2.0 (milliseconds, no
 * zone: UTC), CVE 5 and OSV (Z or an offset).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "vuln/vuln_int.h"

bool
vouch_cpe_is_any(const char *v)
{
	return v == NULL || v[0] == '\0' || strcmp(v, "*") == 0 || strcmp(v, "-") == 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9') {
		return c - '0';
	}
	if (c >= 'a' && c <= 'f') {
		return c - 'a' + 10;
	}
	if (c >= 'A' && c <= 'F') {
		return c - 'A' + 10;
	}
	return -1;
}

int
vouch_cpe_parse(vouch_cpe *c, const char *s)
{
	size_t n, i, o = 0, field = 0;
	bool uri;

	if (s == NULL) {
		return VOUCH_E_MALFORMED;
	}
	n = strlen(s);
	if (n > VULN_MAX_STR) {
		return VOUCH_E_MALFORMED;
	}
	if (strncmp(s, "cpe:2.3:", 8) == 0) {
		uri = false;
		i = 8;
	} else if (strncmp(s, "cpe:/", 5) == 0) {
		uri = true;
		i = 5;
	} else {
		return VOUCH_E_MALFORMED;
	}
	c->f[0] = c->buf;
	for (; i < n; i++) {
		char ch = s[i];

		if (ch == ':') {
			if (field + 1 >= CPE_NFIELDS) {
				return VOUCH_E_MALFORMED; /* too many attributes */
			}
			c->buf[o++] = '\0';
			c->f[++field] = c->buf + o;
			continue;
		}
		if (!uri && ch == '\\') {
			if (i + 1 >= n) {
				return VOUCH_E_MALFORMED; /* a quote with nothing to quote */
			}
			ch = s[++i];
		} else if (uri && ch == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
			   hexval(s[i + 2]) >= 0) {
			ch = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
			if (ch == '\0') {
				return VOUCH_E_MALFORMED;
			}
		}
		if ((field == CPE_VENDOR || field == CPE_PRODUCT) && ch >= 'A' && ch <= 'Z') {
			ch = (char)(ch + 32);
		}
		c->buf[o++] = ch;
	}
	c->buf[o++] = '\0';
	if (!uri && field != CPE_NFIELDS - 1) {
		return VOUCH_E_MALFORMED; /* a 2.3 name has all eleven attributes */
	}
	for (size_t k = field + 1; k < CPE_NFIELDS; k++) {
		c->f[k] = "*";
	}
	if (uri) {
		/* in a URI an empty attribute means ANY */
		for (size_t k = 0; k <= field; k++) {
			if (c->f[k][0] == '\0') {
				c->f[k] = "*";
			}
		}
	}
	if (c->f[CPE_PART][0] == '\0' || strlen(c->f[CPE_PART]) != 1 ||
	    vouch_cpe_is_any(c->f[CPE_VENDOR]) || vouch_cpe_is_any(c->f[CPE_PRODUCT])) {
		return VOUCH_E_MALFORMED;
	}
	return VOUCH_OK;
}

static bool
digits(const char *s, size_t n, int *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

bool
vouch_vuln_ts_canon(const char *in, char out[32])
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	char frac[7] = "000000";
	const char *p = in;
	struct tm tm;
	time_t t;

	if (in == NULL || strlen(in) < 10 || !digits(p, 4, &y) || p[4] != '-' ||
	    !digits(p + 5, 2, &mo) || p[7] != '-' || !digits(p + 8, 2, &d)) {
		return false;
	}
	p += 10;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!digits(p, 2, &h) || p[2] != ':' || !digits(p + 3, 2, &mi)) {
			return false;
		}
		p += 5;
		if (*p == ':') {
			if (!digits(p + 1, 2, &sec)) {
				return false;
			}
			p += 3;
			if (*p == '.') {
				size_t k = 0;

				for (p++; *p >= '0' && *p <= '9'; p++) {
					if (k < 6) {
						frac[k++] = *p;
					}
				}
			}
		}
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		if (!digits(p + 1, 2, &oh)) {
			return false;
		}
		p += 3;
		if (*p == ':') {
			p++;
		}
		if (*p != '\0' && !digits(p, 2, &om)) {
			return false;
		}
		p += *p != '\0' ? 2 : 0;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
	    oh > 23 || om > 59) {
		return false;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm) - (time_t)sign * (oh * 3600 + om * 60);
	if (gmtime_r(&t, &tm) == NULL) {
		return false;
	}
	if (tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999) {
		return false;
	}
	snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02u.%.6sZ", (unsigned)(tm.tm_year + 1900) % 10000u,
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
		 (unsigned)tm.tm_sec % 100u, frac);
	return true;
}
