/*
 * lab/match.c: the small matchers of the policy engine: IP networks (CIDR, IPv4 and IPv6),
 * globs, URL prefixes and calendar dates.
 *
 * CIDRs are parsed with inet_pton (which refuses zones, short IPv4 forms like "10.1" and
 * octal-looking "010.0.0.1" ambiguity is left to it: glibc's inet_pton takes only dotted
 * decimal) and a prefix length of plain decimal digits; a network with host bits set is
 * refused rather than silently masked, since "10.0.0.1/8" is usually a typo for /32 or for
 * 10.0.0.0/8 and the policy author should say which. IPv4-mapped IPv6 (::ffff:a.b.c.d) is
 * folded to IPv4 on both sides, so one allow-list entry covers both spellings.
 *
 * Globs are fnmatch(3) with no flags: '*' crosses '/' and '.', so "/usr/" followed by '*'
 * is everything under /usr and "*.vendor.example" every name below vendor.example (not
 * vendor.example itself). Rejected: a glob engine of our own with "**" (fnmatch is in libc, its behaviour is
 * documented, and one '*' crossing '/' covers what "**" would).
 *
 * Dates are computed with the days-from-civil algorithm (proleptic Gregorian), not timegm,
 * so the result does not depend on the process's time zone or on libc extensions.
 */
#include <arpa/inet.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "lab/lab_int.h"

const char *const vouch_lab_scopes[LAB_SCOPE_N] = {
	"public",    "private",      "cgnat",       "link-local", "loopback", "this-network",
	"documentation", "multicast", "broadcast", "reserved",   "local",
};

const char *const vouch_lab_sev_names[LAB_SEV_N] = {"info", "low", "medium", "high",
						    "critical"};

int
vouch_lab_sev_parse(const char *s)
{
	for (int i = 0; i < LAB_SEV_N; i++) {
		if (s != NULL && strcmp(s, vouch_lab_sev_names[i]) == 0) {
			return i;
		}
	}
	return -1;
}

/* ---- IP networks ---- */

static const uint8_t mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool
vouch_lab_ip_parse(const char *s, uint8_t *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (strchr(s, ':') == NULL) {
		if (inet_pton(AF_INET, s, addr) != 1) {
			return false;
		}
		*family = 4;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr) != 1) {
		return false;
	}
	*family = 6;
	if (memcmp(addr, mapped_prefix, sizeof(mapped_prefix)) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		*family = 4;
	}
	return true;
}

int
vouch_lab_cidr_parse(const char *s, lab_cidr *out, char *why, size_t cap)
{
	char a[64];
	const char *slash = strchr(s, '/');
	size_t alen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	unsigned bits = 0, max;
	uint8_t fam, addr[16];

	if (alen == 0 || alen >= sizeof(a)) {
		snprintf(why, cap, "not an IP network (ADDRESS/BITS)");
		return -1;
	}
	memcpy(a, s, alen);
	a[alen] = '\0';
	if (strchr(a, '%') != NULL) {
		snprintf(why, cap, "an address with a zone (%%...) names no network");
		return -1;
	}
	bool v6 = strchr(a, ':') != NULL;
	memset(addr, 0, sizeof(addr));
	if (inet_pton(v6 ? AF_INET6 : AF_INET, a, addr) != 1) {
		snprintf(why, cap, "'%s' is not an IPv%c address", a, v6 ? '6' : '4');
		return -1;
	}
	max = v6 ? 128 : 32;
	if (slash == NULL) {
		bits = max;
	} else {
		const char *p = slash + 1;
		size_t n = strlen(p);
		if (n == 0 || n > 3 || strspn(p, "0123456789") != n || (n > 1 && p[0] == '0')) {
			snprintf(why, cap, "the prefix length after '/' must be a decimal number "
					   "without leading zeros");
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			bits = bits * 10 + (unsigned)(p[i] - '0');
		}
		if (bits > max) {
			snprintf(why, cap, "prefix length %u is more than %u", bits, max);
			return -1;
		}
	}
	/* host bits must be zero */
	for (unsigned i = bits; i < max; i++) {
		if (addr[i / 8] & (0x80u >> (i % 8))) {
			lab_cidr c = {.family = v6 ? 6 : 4, .bits = (uint8_t)bits};
			memcpy(c.addr, addr, 16);
			for (unsigned k = bits; k < max; k++) {
				c.addr[k / 8] &= (uint8_t) ~(0x80u >> (k % 8));
			}
			char norm[64];
			vouch_lab_cidr_str(&c, norm, sizeof(norm));
			snprintf(why, cap, "host bits are set past /%u (the network is %s; for one "
					   "address write /%u)",
				 bits, norm, max);
			return -1;
		}
	}
	fam = v6 ? 6 : 4;
	if (v6 && bits >= 96 && memcmp(addr, mapped_prefix, sizeof(mapped_prefix)) == 0) {
		memmove(addr, addr + 12, 4);
		memset(addr + 4, 0, 12);
		fam = 4;
		bits -= 96;
	}
	out->family = fam;
	out->bits = (uint8_t)bits;
	memcpy(out->addr, addr, 16);
	return 0;
}

bool
vouch_lab_cidr_has(const lab_cidr *c, uint8_t family, const uint8_t addr[16])
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (c->family != family) {
		return false;
	}
	if (memcmp(c->addr, addr, full) != 0) {
		return false;
	}
	if (rest != 0) {
		uint8_t mask = (uint8_t)(0xffu << (8 - rest));
		if ((c->addr[full] & mask) != (addr[full] & mask)) {
			return false;
		}
	}
	return true;
}

void
vouch_lab_cidr_str(const lab_cidr *c, char *out, size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a, sizeof(a)) == NULL) {
		snprintf(out, cap, "?");
		return;
	}
	snprintf(out, cap, "%s/%u", a, c->bits);
}

/* ---- globs and URLs ---- */

bool
vouch_lab_glob(const char *glob, const char *s)
{
	return s != NULL && fnmatch(glob, s, 0) == 0;
}

bool
vouch_lab_glob_nocase(const char *glob, const char *s)
{
	return s != NULL && fnmatch(glob, s, FNM_CASEFOLD) == 0;
}

bool
vouch_lab_url_prefix(const char *prefix, const char *url)
{
	size_t n = strlen(prefix);

	if (n == 0 || strncmp(prefix, url, n) != 0) {
		return false;
	}
	if (prefix[n - 1] == '/') {
		return true;
	}
	return url[n] == '\0' || url[n] == '/' || url[n] == '?' || url[n] == '#';
}

void
vouch_lab_url_norm(char *url)
{
	char *p = strstr(url, "://");
	char *end;

	if (p == NULL) {
		return;
	}
	end = p + 3 + strcspn(p + 3, "/?#");
	for (char *q = url; q < end; q++) {
		if (*q >= 'A' && *q <= 'Z') {
			*q = (char)(*q - 'A' + 'a');
		}
	}
}

/* ---- dates ---- */

int64_t
vouch_lab_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static unsigned
days_in_month(unsigned y, unsigned m)
{
	static const unsigned dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : dm[m - 1];
}

int
vouch_lab_date_parse(const char *s, int64_t *midnight)
{
	unsigned y = 0, m = 0, d = 0;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') {
		return -1;
	}
	for (int i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			continue;
		}
		if (s[i] < '0' || s[i] > '9') {
			return -1;
		}
		unsigned v = (unsigned)(s[i] - '0');
		if (i < 4) {
			y = y * 10 + v;
		} else if (i < 7) {
			m = m * 10 + v;
		} else {
			d = d * 10 + v;
		}
	}
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) {
		return -1;
	}
	*midnight = vouch_lab_days_from_civil(y, m, d) * 86400;
	return 0;
}

void
vouch_lab_rfc3339(int64_t t, char *out, size_t cap)
{
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400;
	/* civil_from_days (the inverse of the above) */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, d,
		 (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60), (unsigned)(secs % 60));
}
