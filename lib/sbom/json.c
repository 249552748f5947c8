/*
 * sbom/json.c: the helpers of sbom_int.h: firmware strings into JSON (two roads, see the
 * header), times, serial numbers, bounded parsing and a small string map.
 *
 * Parsing goes through jansson with JSON_REJECT_DUPLICATES (a key given twice is ambiguous:
 * two readers could see two different documents) and without JSON_ALLOW_NUL (a NUL inside a
 * string would silently cut every C string we take from it). jansson's parser refuses
 * nesting deeper than its compiled JSON_PARSER_MAX_DEPTH (2048 in 2.14), which bounds its
 * own recursion and that of json_decref; our walkers never recurse on document depth.
 * Rejected: a hand-written JSON parser (jansson is maintained and already a dependency).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/utf8.h"
#include "crypto/crypto.h"
#include "sbom/sbom_int.h"
#include "vouch/vouch.h"

int
vouch_sbom_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

json_t *
vouch_sbomj_text(const char *s)
{
	char buf[1024];
	size_t need;
	char *big;
	json_t *j;

	if (s == NULL) {
		return json_null();
	}
	need = vouch_escape_str(buf, sizeof(buf), s);
	if (need < sizeof(buf)) {
		return json_string(buf);
	}
	big = malloc(need + 1);
	if (big == NULL) {
		return NULL;
	}
	vouch_escape_str(big, need + 1, s);
	j = json_string(big);
	free(big);
	return j;
}

/* U+FFFD in UTF-8 */
static const char repl[] = "\xef\xbf\xbd";

char *
vouch_sbom_ident_dup(const char *s)
{
	size_t n = strlen(s), cap, o = 0;
	const uint8_t *p = (const uint8_t *)s;
	char *out;

	/* each invalid byte becomes 3 bytes at most */
	if (n > (SIZE_MAX - 1) / 3) {
		return NULL;
	}
	cap = 3 * n + 1;
	out = malloc(cap);
	if (out == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = vouch_utf8_next(p + i, n - i, &cp);

		if (k == 0) {
			memcpy(out + o, repl, 3);
			o += 3;
			i++;
		} else {
			memcpy(out + o, p + i, k);
			o += k;
			i += k;
		}
	}
	out[o] = '\0';
	return out;
}

size_t
vouch_sbom_ident_len(const char *s)
{
	size_t n = strlen(s), cps = 0;
	const uint8_t *p = (const uint8_t *)s;

	for (size_t i = 0; i < n; cps++) {
		uint32_t cp;
		size_t k = vouch_utf8_next(p + i, n - i, &cp);

		i += k == 0 ? 1 : k;
	}
	return cps;
}

json_t *
vouch_sbomj_ident(const char *s)
{
	char *d;
	json_t *j;

	if (s == NULL) {
		return json_null();
	}
	if (vouch_utf8_valid(s, strlen(s))) {
		return json_string(s);
	}
	d = vouch_sbom_ident_dup(s);
	if (d == NULL) {
		return NULL;
	}
	j = json_string(d);
	free(d);
	return j;
}

void
vouch_sbom_hex(const uint8_t *p, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[p[i] >> 4];
		out[2 * i + 1] = h[p[i] & 15];
	}
	out[2 * n] = '\0';
}

bool
vouch_sbom_allzero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 0) {
			return false;
		}
	}
	return true;
}

bool
vouch_sbom_time_fmt(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 < 0 ||
	    tm.tm_year + 1900 > 9999) {
		return false;
	}
	return strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 20;
}

/* n decimal digits at s into *v. */
static bool
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's civil algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

bool
vouch_sbom_time_parse(const char *s, int64_t *t)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	size_t i = 19;

	if (s == NULL || strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &se)) {
		return false;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
		return false;
	}
	if (s[i] == '.') {
		i++;
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		while (s[i] >= '0' && s[i] <= '9') {
			i++;
		}
	}
	if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0') {
		sign = 0;
	} else if ((s[i] == '+' || s[i] == '-') && digits(s + i + 1, 2, &oh) && s[i + 3] == ':' &&
		   digits(s + i + 4, 2, &om) && s[i + 6] == '\0' && oh <= 23 && om <= 59) {
		sign = s[i] == '+' ? 1 : -1;
	} else {
		return false;
	}
	*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se -
	     sign * (oh * 3600 + om * 60);
	return true;
}

int
vouch_sbom_uuid(const uint8_t sha256[32], int64_t created, const char *label, char out[37])
{
	uint8_t buf[32 + 8 + 64], d[32];
	size_t n = strlen(label);
	char hex[33];
	int rc;

	if (n > 64) {
		return VOUCH_E_INTERNAL;
	}
	memcpy(buf, sha256, 32);
	for (int i = 0; i < 8; i++) {
		buf[32 + i] = (uint8_t)((uint64_t)created >> (56 - 8 * i));
	}
	memcpy(buf + 40, label, n);
	rc = vouch_sha256_oneshot(buf, 40 + n, d);
	if (rc != VOUCH_OK) {
		return rc;
	}
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x80); /* version 8 (RFC 9562 5.8) */
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80); /* variant 10 */
	vouch_sbom_hex(d, 16, hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
	return VOUCH_OK;
}

bool
vouch_sbom_ieq(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;

		if (x != y) {
			return false;
		}
		if (x == '\0') {
			return true;
		}
	}
}

double
vouch_sbom_conf(double c)
{
	if (isnan(c) || c < 0) {
		return 0;
	}
	return c > 1 ? 1 : c;
}

const char *
vouch_sbom_technique(const char *method)
{
	static const char *const manifest[] = {"opkg-status", "dpkg-status", "apk-installed",
					       "ipk-control", "deb-control"};
	static const char *const binary[] = {"elf-soname", "elf-comment", "kernel-banner",
					     "vermagic", "fingerprint"};

	if (method == NULL) {
		return "other";
	}
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(manifest); i++) {
		if (strcmp(method, manifest[i]) == 0) {
			return "manifest-analysis";
		}
	}
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(binary); i++) {
		if (strcmp(method, binary[i]) == 0) {
			return "binary-analysis";
		}
	}
	return "other";
}

int
vouch_sbomj_dump(json_t *root, char **out)
{
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(4));

	if (s == NULL) {
		return VOUCH_E_NOMEM;
	}
	*out = s;
	return VOUCH_OK;
}

int
vouch_sbomj_load(const char *json, size_t len, json_t **out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *v;

	if (json == NULL) {
		return vouch_sbom_errf(err, errlen, VOUCH_E_USAGE, "no document");
	}
	if (len > VOUCH_SBOM_DOC_MAX) {
		return vouch_sbom_errf(err, errlen, VOUCH_E_LIMIT,
				       "document of %zu bytes is larger than the limit of %u bytes",
				       len, (unsigned)VOUCH_SBOM_DOC_MAX);
	}
	v = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL) {
		return vouch_sbom_errf(err, errlen, VOUCH_E_MALFORMED,
				       "not JSON: %s at line %d column %d", je.text, je.line,
				       je.column);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return vouch_sbom_errf(err, errlen, VOUCH_E_MALFORMED,
				       "not a JSON object at the top level");
	}
	*out = v;
	return VOUCH_OK;
}

/* ---- string map: open addressing, FNV-1a, borrowed keys ---- */

static uint64_t
fnv(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
	}
	return h;
}

static size_t
slot(const vouch_strmap *m, const char *k, bool *found)
{
	size_t i = (size_t)fnv(k) & (m->cap - 1);

	while (m->keys[i] != NULL) {
		if (strcmp(m->keys[i], k) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & (m->cap - 1);
	}
	*found = false;
	return i;
}

const void *
vouch_strmap_get(const vouch_strmap *m, const char *k, bool *found)
{
	bool f = false;
	size_t i;

	if (m->cap == 0) {
		if (found != NULL) {
			*found = false;
		}
		return NULL;
	}
	i = slot(m, k, &f);
	if (found != NULL) {
		*found = f;
	}
	return f ? m->vals[i] : NULL;
}

int
vouch_strmap_add(vouch_strmap *m, const char *k, const void *v, bool *added)
{
	bool f;
	size_t i;

	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		vouch_strmap nm = {0};

		if (cap > SIZE_MAX / sizeof(char *) || cap < m->cap) {
			return VOUCH_E_NOMEM;
		}
		nm.keys = calloc(cap, sizeof(*nm.keys));
		nm.vals = calloc(cap, sizeof(*nm.vals));
		nm.cap = cap;
		if (nm.keys == NULL || nm.vals == NULL) {
			vouch_strmap_free(&nm);
			return VOUCH_E_NOMEM;
		}
		for (size_t j = 0; j < m->cap; j++) {
			if (m->keys[j] != NULL) {
				size_t s = slot(&nm, m->keys[j], &f);

				nm.keys[s] = m->keys[j];
				nm.vals[s] = m->vals[j];
			}
		}
		nm.n = m->n;
		vouch_strmap_free(m);
		*m = nm;
	}
	i = slot(m, k, &f);
	if (added != NULL) {
		*added = !f;
	}
	if (!f) {
		m->keys[i] = k;
		m->vals[i] = v;
		m->n++;
	}
	return VOUCH_OK;
}

void
vouch_strmap_free(vouch_strmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}
