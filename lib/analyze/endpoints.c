/*
 * analyze/endpoints.c: egress endpoints: URLs, IPv4 and IPv6 literals and host names in
 * files and inside binaries, private and special-purpose addresses told from public ones,
 * jurisdiction from a MaxMind DB, cleartext schemes and SNMP v1/v2c communities.
 *
 * Works from hits alone (wants no file held): the patterns are short anchors that vectorscan
 * finds fast ("scheme://", a dotted quad, an IPv6 shape, ".<tld>", snmpd.conf directives),
 * and the candidate is then read and judged from the hit's context (256 bytes each side).
 *
 * How false positives are kept out (each rule is in vouch_ep_ipv4 / vouch_ep_hostname or
 * below, and tested in tests/unit/test_endpoints.c):
 *   - IPv4: four decimal octets 0..255 without leading zeros, bounded on both sides by
 *     characters that cannot continue a number or a name (no letter, digit, '_', no '-' or
 *     '.' joining a longer dotted run: "1.3.6.1.4.1" is an OID, "2.6.32.5-rc1" a version);
 *     no "version"/"ver"/"v"/"release"/"rev" word right before it; netmasks
 *     (255.x.x.x made of mask octets) are not addresses; in binaries a quad of single digits
 *     ("1.2.3.4", "2.5.4.3") is a version or an OID, and so is a quad starting with a
 *     common OID arc (1.2, 1.3, 2.5, 2.16, 2.23: "X25519:1.3.101.110" in libcrypto), unless
 *     an endpoint cue is next to it (":port", a "server"/"host"/"dns"/"addr"/"ip"/"peer"/
 *     "gateway" word before it).
 *   - IPv6: what inet_pton accepts, bounded like IPv4, with at least two groups beside
 *     "::" or all eight ("a::b" in C++ names is bounded by letters and refused), or "::1".
 *   - Host names: lower case labels ending in a public suffix of a small built-in table
 *     from which suffixes that are also file extensions were left out (so, sh, py, pl, md,
 *     rs, in, mo, am, pm, ac, la, ml, ps, st, zip, mov, ...), so "libc.so" or "snmpd.conf"
 *     never become hosts; not part of a path ('/' before), an e-mail address ('@') or an
 *     identifier ('_' or '$' before); at most 253 bytes with labels of 1..63.
 *   - Anything inside a URL is judged as the URL's host, once.
 *   - A value seen more than once in one file is reported once (at its first offset).
 * Severities: a public IP literal reached over a cleartext scheme (http, ftp, telnet, tftp)
 * is high; a bare public IP literal medium; a cleartext URL to a public name low; private,
 * special-purpose and local addresses and names, and URLs over TLS, info. SNMP: a default
 * community ("public", "private") high (critical on a read-write directive), any other
 * v1/v2c community medium (its value masked unless revealed).
 *
 * Jurisdiction: with --geoip, the country (ISO 3166 code) of every public address is looked
 * up in the MaxMind DB (country, else registered_country) and given as "country=XX";
 * host names are not resolved (no DNS from an analyser: the image says what it says).
 */
#include <arpa/inet.h>
#include <hs/hs.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/analyzer.h"
#include "analyze/endpoints.h"
#include "base/base.h"

enum { T_URL = 1, T_IP4, T_IP6, T_TLD, T_SNMPD, T_COMMUNITY };

/* Public suffixes we accept for a bare host name: the generic ones and the country codes
 * seen in network equipment, minus those that collide with file extensions. */
#define TLDS                                                                                    \
	"com|net|org|edu|gov|mil|info|biz|io|co|me|tv|cc|app|dev|cloud|online|site|tech|xyz|" \
	"top|mobi|us|uk|de|fr|cn|ru|jp|kr|tw|hk|br|it|nl|se|no|fi|dk|cz|at|"     \
	"ch|be|es|pt|ie|ca|au|nz|za|mx|ar|cl|il|tr|ua|by|kz|ir|sg|my|th|vn|id|ph|eu|gr|hu|"   \
	"ro|bg|sk|si|lt|lv|ee|is|lu|su|ws|to|fm|ly|gg|tk|ke|ng|eg|sa|ae|pk|bd|lk|np|ve|pe|"   \
	"uy|hr|rs|arpa"

/* The suffixes the scheme-less host pattern looks for (see pats[] for why so few). */
#define TLDS_SCAN                                                                         \
	"com|net|org|edu|gov|mil|info|biz|app|dev|cloud|online|site|tech|xyz|top|mobi|arpa|" \
	"io|cn|ru|de|uk|jp|kr|tw|eu|us|me|co"

static const vouch_apattern pats[] = {
	{"(https?|ftps?|tftp|telnet|sftp|wss?|mqtts?|rtsp|ldaps?|ssh|smb|nfs|coaps?|xmpp)://",
	 HS_FLAG_CASELESS, T_URL},
	{"[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}", 0, T_IP4},
	{"[0-9a-f]{1,4}(:[0-9a-f]{1,4}){7}|[0-9a-f]{1,4}(:[0-9a-f]{1,4}){0,5}::[0-9a-f]{1,4}"
	 "(:[0-9a-f]{1,4}){0,5}|::1",
	 HS_FLAG_CASELESS, T_IP6},
	/* a label character, the suffix, and a character that ends a host name: not '/' (Go
	 * module paths "github.com/x/y" are not endpoints) nor a further label. Only the
	 * suffixes of TLDS_SCAN: every two-letter suffix more makes vectorscan confirm a
	 * three-byte literal that binaries are full of (all of TLDS here: 0.8 GB/s for the
	 * whole database instead of 2.4). Names under other country codes are found in URLs,
	 * and as second-level names ("x.co.uk", "x.com.cn") by the next pattern. */
	{"[a-z0-9]\\.(" TLDS_SCAN ")([^a-zA-Z0-9_/.-]|\\.[^a-zA-Z0-9])", 0, T_TLD},
	{"\\.(com|net|org|co|gov|edu|ac)\\.[a-z][a-z]([^a-zA-Z0-9_/.-]|\\.[^a-zA-Z0-9])", 0,
	 T_TLD},
	{"(ro|rw)community6?[ \\t]|com2sec6?[ \\t]", HS_FLAG_CASELESS, T_SNMPD},
	{"community[\"']?[ \\t]*[=:]", HS_FLAG_CASELESS, T_COMMUNITY},
};

typedef struct epstate {
	MMDB_s mmdb;
	bool have_db;
} epstate;

/* ---- address scopes (RFC 6890 and the IANA special-purpose registries) ---- */

const char *
vouch_ipscope_str(vouch_ipscope s)
{
	static const char *const n[] = {"public",        "private",       "cgnat",
					"link-local",    "loopback",      "this-network",
					"documentation", "multicast",     "broadcast",
					"reserved"};
	return (unsigned)s < VOUCH_ARRAY_LEN(n) ? n[s] : "reserved";
}

static bool
in4(uint32_t a, uint32_t net, unsigned bits)
{
	uint32_t mask = bits == 0 ? 0 : 0xFFFFFFFFu << (32 - bits);
	return (a & mask) == net;
}

vouch_ipscope
vouch_ip4_scope(uint32_t a)
{
	if (a == 0xFFFFFFFFu) {
		return VOUCH_IP_BROADCAST;
	}
	if (in4(a, 0x00000000u, 8)) {
		return VOUCH_IP_THISNET;
	}
	if (in4(a, 0x0A000000u, 8) || in4(a, 0xAC100000u, 12) || in4(a, 0xC0A80000u, 16)) {
		return VOUCH_IP_PRIVATE;
	}
	if (in4(a, 0x64400000u, 10)) {
		return VOUCH_IP_CGNAT;
	}
	if (in4(a, 0x7F000000u, 8)) {
		return VOUCH_IP_LOOPBACK;
	}
	if (in4(a, 0xA9FE0000u, 16)) {
		return VOUCH_IP_LINKLOCAL;
	}
	if (in4(a, 0xC0000200u, 24) || in4(a, 0xC6336400u, 24) || in4(a, 0xCB007100u, 24)) {
		return VOUCH_IP_DOC;
	}
	if (in4(a, 0xE0000000u, 4)) {
		return VOUCH_IP_MULTICAST;
	}
	/* 192.0.0.0/24 IETF protocol assignments, 192.88.99.0/24 6to4 relay anycast (RFC
	 * 7526: deprecated), 198.18.0.0/15 benchmarking, 240.0.0.0/4 reserved */
	if (in4(a, 0xC0000000u, 24) || in4(a, 0xC0586300u, 24) || in4(a, 0xC6120000u, 15) ||
	    in4(a, 0xF0000000u, 4)) {
		return VOUCH_IP_RESERVED;
	}
	return VOUCH_IP_PUBLIC;
}

static bool
in6(const uint8_t a[16], const uint8_t *net, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	if (memcmp(a, net, full) != 0) {
		return false;
	}
	if (rest == 0) {
		return true;
	}
	uint8_t m = (uint8_t)(0xFF << (8 - rest));
	return (a[full] & m) == (net[full] & m);
}

vouch_ipscope
vouch_ip6_scope(const uint8_t a[16])
{
	static const uint8_t zero[16] = {0};
	static const uint8_t loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	static const uint8_t doc[16] = {0x20, 0x01, 0x0D, 0xB8};
	/* prefixes, padded to 16 bytes so in6() may read any byte of them */
	static const uint8_t ietf[16] = {0x20, 0x01};           /* 2001::/23 */
	static const uint8_t discard[16] = {0x01, 0x00};        /* 100::/64 */
	static const uint8_t nat64[16] = {0, 0x64, 0xFF, 0x9B}; /* 64:ff9b::/96 */
	static const uint8_t ula[16] = {0xFC}, ll[16] = {0xFE, 0x80}, mc[16] = {0xFF};
	static const uint8_t global[16] = {0x20};               /* 2000::/3 */

	if (memcmp(a, loop, 16) == 0) {
		return VOUCH_IP_LOOPBACK;
	}
	if (memcmp(a, zero, 16) == 0) {
		return VOUCH_IP_THISNET;
	}
	if (memcmp(a, mapped, 12) == 0) {
		uint32_t v4 = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 | (uint32_t)a[14] << 8 |
			      a[15];
		return vouch_ip4_scope(v4);
	}
	if (in6(a, ula, 7)) {
		return VOUCH_IP_PRIVATE;
	}
	if (in6(a, ll, 10)) {
		return VOUCH_IP_LINKLOCAL;
	}
	if (in6(a, mc, 8)) {
		return VOUCH_IP_MULTICAST;
	}
	if (in6(a, doc, 32)) {
		return VOUCH_IP_DOC;
	}
	if (in6(a, ietf, 23) || in6(a, discard, 64) || in6(a, nat64, 96)) {
		return VOUCH_IP_RESERVED;
	}
	if (!in6(a, global, 3)) {
		return VOUCH_IP_RESERVED; /* outside the global unicast space allocated so far */
	}
	return VOUCH_IP_PUBLIC;
}

/* ---- candidate rules ---- */

static bool
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Does s[0, n) end with the word w (case-insensitive), with no letter before it? */
static bool
ends_word(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);
	if (n < k) {
		return false;
	}
	for (size_t i = 0; i < k; i++) {
		if (lower((unsigned char)s[n - k + i]) != w[i]) {
			return false;
		}
	}
	return n == k || !is_alnum((unsigned char)s[n - k - 1]);
}

/* The text right before position `at`, separators (spaces, ':', '=', '"', '-') stripped. */
static size_t
before_word(const char *s, size_t at)
{
	size_t i = at;
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == ':' ||
			 s[i - 1] == '=' || s[i - 1] == '"' || s[i - 1] == '\'' || s[i - 1] == '-' ||
			 s[i - 1] == '(' || s[i - 1] == '[')) {
		i--;
	}
	return i;
}

static bool
cue_before(const char *s, size_t at)
{
	static const char *const cues[] = {"server", "servers", "host", "hostname", "dns",
					   "nameserver", "addr", "address", "ip", "peer",
					   "gateway", "gw", "proxy", "remote", "ntp", "connect",
					   "to", "target", "url", "upload", "dest"};
	size_t i = before_word(s, at);
	for (size_t k = 0; k < VOUCH_ARRAY_LEN(cues); k++) {
		if (ends_word(s, i, cues[k])) {
			return true;
		}
	}
	return false;
}

static bool
version_before(const char *s, size_t at)
{
	static const char *const words[] = {"version", "ver", "v", "release", "rev",
					    "revision", "build", "firmware", "fw"};
	size_t i = at;
	/* "v1.2.3.4", "version 1.2.3.4", "Version: 1.2.3.4" */
	while (i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == ':' ||
			 s[i - 1] == '=' || s[i - 1] == '.')) {
		i--;
	}
	for (size_t k = 0; k < VOUCH_ARRAY_LEN(words); k++) {
		if (ends_word(s, i, words[k])) {
			return true;
		}
	}
	return false;
}

static bool
mask_octet(unsigned v)
{
	return v == 0 || v == 128 || v == 192 || v == 224 || v == 240 || v == 248 || v == 252 ||
	       v == 254 || v == 255;
}

/* The first two arcs of the object identifiers that fill binaries' string tables: ISO
 * member bodies and identified organisations (1.2, 1.3: "ED25519:1.3.101.112" in libcrypto),
 * X.500 attributes (2.5), countries (2.16) and international organisations (2.23). */
static bool
oid_arc(unsigned a, unsigned b)
{
	return (a == 1 && (b == 2 || b == 3)) || (a == 2 && (b == 5 || b == 16 || b == 23));
}

bool
vouch_ep_ipv4(const char *s, size_t n, size_t at, size_t len, bool binary, uint32_t *ip)
{
	unsigned oct[4] = {0}, k = 0, digits = 0;
	bool single = true;

	if (at + len > n || len < 7) {
		return false;
	}
	for (size_t i = at; i < at + len; i++) {
		char c = s[i];
		if (c == '.') {
			if (digits == 0 || ++k > 3) {
				return false;
			}
			digits = 0;
			continue;
		}
		if (!is_digit(c) || ++digits > 3) {
			return false;
		}
		if (digits == 2 && oct[k] == 0) {
			return false; /* leading zero: "01" is a version, not an octet */
		}
		oct[k] = oct[k] * 10 + (unsigned)(c - '0');
		if (oct[k] > 255) {
			return false;
		}
	}
	if (k != 3 || digits == 0) {
		return false;
	}
	for (int i = 0; i < 4; i++) {
		if (oct[i] > 9) {
			single = false;
		}
	}
	/* left boundary: no letter, digit, '_', and no '.' or '-' joining a longer token */
	if (at > 0) {
		char c = s[at - 1];
		if (is_alnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '+') {
			return false;
		}
	}
	/* right boundary */
	if (at + len < n) {
		char c = s[at + len];
		char d = at + len + 1 < n ? s[at + len + 1] : 0;
		if (is_alnum((unsigned char)c) || c == '_' || c == '+' ||
		    ((c == '.' || c == '-') && is_alnum((unsigned char)d))) {
			return false;
		}
	}
	if (version_before(s, at)) {
		return false;
	}
	if (oct[0] == 255 && mask_octet(oct[1]) && mask_octet(oct[2]) && mask_octet(oct[3]) &&
	    !(oct[1] == 255 && oct[2] == 255 && oct[3] == 255)) {
		return false; /* a netmask */
	}
	/* "10.0.0.0/8": a network, not an endpoint */
	if (at + len + 1 < n && s[at + len] == '/' && is_digit(s[at + len + 1])) {
		return false;
	}
	if (binary && (single || oid_arc(oct[0], oct[1]))) {
		bool port = at + len + 1 < n && s[at + len] == ':' && is_digit(s[at + len + 1]);
		if (!port && !cue_before(s, at)) {
			return false;
		}
	}
	*ip = oct[0] << 24 | oct[1] << 16 | oct[2] << 8 | oct[3];
	return true;
}

/* The suffixes of TLDS, for checking a name found by other means (a URL's host). */
static bool
known_tld(const char *t, size_t n)
{
	const char *p = TLDS;
	while (*p) {
		const char *e = strchr(p, '|');
		size_t k = e ? (size_t)(e - p) : strlen(p);
		if (k == n && memcmp(p, t, n) == 0) {
			return true;
		}
		if (e == NULL) {
			break;
		}
		p = e + 1;
	}
	return false;
}

bool
vouch_ep_hostname(const char *name, size_t n)
{
	size_t labels = 0, lab = 0, last = 0;

	if (n < 4 || n > 253) {
		return false;
	}
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? name[i] : '.';
		if (c == '.') {
			if (lab == 0 || lab > 63 || name[i - 1] == '-' || name[i - lab] == '-') {
				return false;
			}
			labels++;
			last = i - lab;
			lab = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || is_digit(c) || c == '-')) {
			return false;
		}
		lab++;
	}
	if (labels < 2 || !known_tld(name + last, n - last)) {
		return false;
	}
	/* the label before the suffix: not all digits ("1.2.com" is not a name) */
	size_t p = last - 1, q = p;
	while (q > 0 && name[q - 1] != '.') {
		q--;
	}
	bool alldig = true;
	for (size_t i = q; i < p; i++) {
		if (!is_digit(name[i])) {
			alldig = false;
		}
	}
	return !alldig;
}

/* Names that never leave the site, or that RFC 2606/6761 reserve. */
static const char *
name_scope(const char *h)
{
	static const char *const local[] = {".local", ".lan", ".localdomain", ".internal",
					    ".home.arpa", ".intranet", ".corp", ".home",
					    ".localhost"};
	static const char *const doc[] = {".test", ".example", ".invalid"};
	size_t n = strlen(h);

	if (strchr(h, '.') == NULL || strcmp(h, "localhost") == 0) {
		return "local";
	}
	/* reverse-DNS zones (in-addr.arpa, ip6.arpa) name no host; home.arpa is local */
	if (n >= 5 && strcmp(h + n - 5, ".arpa") == 0 && strcmp(h, "home.arpa") != 0 &&
	    (n < 10 || strcmp(h + n - 10, ".home.arpa") != 0)) {
		return "reserved";
	}
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(local); i++) {
		size_t k = strlen(local[i]);
		if (n > k && strcmp(h + n - k, local[i]) == 0) {
			return "local";
		}
	}
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(doc); i++) {
		size_t k = strlen(doc[i]);
		if (n > k && strcmp(h + n - k, doc[i]) == 0) {
			return "documentation";
		}
	}
	const char *ex[] = {"example.com", "example.net", "example.org"};
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(ex); i++) {
		size_t k = strlen(ex[i]);
		if (strcmp(h, ex[i]) == 0 || (n > k && h[n - k - 1] == '.' &&
					      strcmp(h + n - k, ex[i]) == 0)) {
			return "documentation";
		}
	}
	return "public";
}

/* ---- per file ---- */

#define SEEN_MAX 512 /* distinct values remembered per file for de-duplication */

typedef struct fctx {
	const vouch_actx *ctx;
	epstate *st;
	const vouch_afile *af;
	uint64_t seen[SEEN_MAX];
	size_t nseen;
	uint64_t cover_to; /* hits that start before this are inside a URL already judged */
	bool comment;      /* the current hit sits in a comment line of a text file */
} fctx;

static uint64_t
fnv(const char *a, const char *b)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = a; *p; p++) {
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	}
	h = (h ^ 0xFF) * 1099511628211ULL;
	for (const char *p = b; *p; p++) {
		h = (h ^ (uint8_t)lower((unsigned char)*p)) * 1099511628211ULL;
	}
	return h;
}

/* true the first time (id, value) is seen in this file */
static bool
first_time(fctx *fc, const char *id, const char *value)
{
	uint64_t h = fnv(id, value);
	for (size_t i = 0; i < fc->nseen; i++) {
		if (fc->seen[i] == h) {
			return false;
		}
	}
	if (fc->nseen < SEEN_MAX) {
		fc->seen[fc->nseen++] = h;
	}
	return true;
}


static void
country(epstate *st, const char *ip, char *out, size_t cap)
{
	int gai = 0, merr = 0;
	MMDB_lookup_result_s r;
	MMDB_entry_data_s d;

	out[0] = 0;
	if (st == NULL || !st->have_db) {
		return;
	}
	r = MMDB_lookup_string(&st->mmdb, ip, &gai, &merr);
	if (gai != 0 || merr != MMDB_SUCCESS || !r.found_entry) {
		return;
	}
	for (int k = 0; k < 2; k++) {
		if (MMDB_get_value(&r.entry, &d, k == 0 ? "country" : "registered_country",
				   "iso_code", NULL) == MMDB_SUCCESS &&
		    d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING && d.data_size > 0 &&
		    d.data_size < cap) {
			/* an ISO 3166 code: letters only, or nothing (the DB is input too) */
			for (uint32_t i = 0; i < d.data_size; i++) {
				if (!is_alnum((unsigned char)d.utf8_string[i])) {
					return;
				}
			}
			memcpy(out, d.utf8_string, d.data_size);
			out[d.data_size] = 0;
			return;
		}
	}
}

static void
emit(fctx *fc, const char *id, vouch_severity sev, const char *title, uint64_t off,
     const char *ev, size_t evlen, const char *value, const char *scope, const char *scheme,
     const char *ip)
{
	char detail[400], cc[16] = "";
	size_t k;

	if (!first_time(fc, id, value)) {
		return;
	}
	if (ip != NULL && scope != NULL && strcmp(scope, "public") == 0) {
		country(fc->st, ip, cc, sizeof(cc));
	}
	k = (size_t)snprintf(detail, sizeof(detail), "value=%s; scope=%s", value, scope);
	if (scheme != NULL && k < sizeof(detail)) {
		k += (size_t)snprintf(detail + k, sizeof(detail) - k, "; scheme=%s", scheme);
	}
	if (cc[0] && k < sizeof(detail)) {
		k += (size_t)snprintf(detail + k, sizeof(detail) - k, "; country=%s", cc);
	}
	if (fc->comment && k < sizeof(detail)) {
		/* an example in a comment is documentation, not configuration */
		snprintf(detail + k, sizeof(detail) - k, "; in=comment");
		sev = VOUCH_SEV_INFO;
	}
	vouch_afind(fc->ctx, id, "endpoint", sev, title, fc->af->f, off, ev, evlen, detail, NULL);
}

static vouch_severity
ip_sev(vouch_ipscope sc, vouch_severity pub)
{
	return sc == VOUCH_IP_PUBLIC ? pub : VOUCH_SEV_INFO;
}

/* A text line that is a comment ('#', ';' or "//" first): examples and documentation. */
static bool
in_comment(const vouch_ahit *h)
{
	size_t i = h->nbefore, first = SIZE_MAX;

	while (i > 0 && h->before[i - 1] != '\n' && h->before[i - 1] != '\r') {
		i--;
		if (h->before[i] != ' ' && h->before[i] != '\t') {
			first = i;
		}
	}
	if (first == SIZE_MAX || (i == 0 && h->from > h->nbefore)) {
		return false; /* the line starts before the context: unknown */
	}
	uint8_t c = h->before[first];
	return c == '#' || c == ';' ||
	       (c == '/' && first + 1 < h->nbefore && h->before[first + 1] == '/');
}

static const char *
ip_id(vouch_ipscope sc)
{
	switch (sc) {
	case VOUCH_IP_PUBLIC: return "endpoint.ip-public";
	case VOUCH_IP_PRIVATE:
	case VOUCH_IP_CGNAT:
	case VOUCH_IP_LINKLOCAL: return "endpoint.ip-private";
	default: return "endpoint.ip-special";
	}
}

static const char *
ip_title(vouch_ipscope sc)
{
	switch (sc) {
	case VOUCH_IP_PUBLIC: return "hardcoded public IP address";
	case VOUCH_IP_PRIVATE:
	case VOUCH_IP_CGNAT:
	case VOUCH_IP_LINKLOCAL: return "private or link-local IP address";
	default: return "special-purpose IP address (loopback, documentation, multicast, ...)";
	}
}

static bool
url_char(uint8_t c)
{
	return is_alnum(c) || strchr("-._~%!$&*+=:@[]", c) != NULL;
}

static bool
cleartext(const char *scheme)
{
	return strcmp(scheme, "http") == 0 || strcmp(scheme, "ftp") == 0 ||
	       strcmp(scheme, "telnet") == 0 || strcmp(scheme, "tftp") == 0;
}

static void
do_url(fctx *fc, const vouch_ahit *h)
{
	char scheme[16], auth[256], host[256], ev[300], ipbuf[64];
	size_t na = 0, sl = h->len - 3, at = 0, evlen;
	const char *scope;
	vouch_severity sev;
	bool is_ip = false;

	if (sl == 0 || sl >= sizeof(scheme)) {
		return;
	}
	/* a scheme glued to a longer word ("xhttp://") is something else */
	if (h->nbefore > 0 && (is_alnum(h->before[h->nbefore - 1]) || h->before[h->nbefore - 1] == '+')) {
		return;
	}
	for (size_t i = 0; i < sl; i++) {
		scheme[i] = (char)lower(h->bytes[i]);
	}
	scheme[sl] = 0;
	while (na < h->nafter && na < sizeof(auth) - 1 && url_char(h->after[na])) {
		auth[na] = (char)h->after[na];
		na++;
	}
	auth[na] = 0;
	fc->cover_to = h->to + na;
	/* userinfo: up to the last '@' */
	char *hp = strrchr(auth, '@');
	size_t pw_from = 0, pw_len = 0;
	if (hp != NULL) {
		char *colon = memchr(auth, ':', (size_t)(hp - auth));
		if (colon != NULL) {
			pw_from = (size_t)(colon + 1 - auth);
			pw_len = (size_t)(hp - colon - 1);
		}
		hp++;
	} else {
		hp = auth;
	}
	/* host and port */
	size_t hl = 0;
	if (*hp == '[') {
		char *e = strchr(hp, ']');
		if (e == NULL || (size_t)(e - hp - 1) >= sizeof(ipbuf)) {
			return;
		}
		memcpy(ipbuf, hp + 1, (size_t)(e - hp - 1));
		ipbuf[e - hp - 1] = 0;
		uint8_t a6[16];
		if (inet_pton(AF_INET6, ipbuf, a6) != 1) {
			return;
		}
		snprintf(host, sizeof(host), "%s", ipbuf);
		scope = vouch_ipscope_str(vouch_ip6_scope(a6));
		is_ip = true;
	} else {
		while (hp[hl] && hp[hl] != ':' && hl < sizeof(host) - 1) {
			host[hl] = (char)lower((unsigned char)hp[hl]);
			hl++;
		}
		host[hl] = 0;
		if (hl == 0 || strpbrk(host, "%$*!&=[]@~") != NULL) {
			return; /* "http://%s/", "http://$SERVER/": a template, not an endpoint */
		}
		struct in_addr a4;
		if (strspn(host, "0123456789.") == hl && inet_pton(AF_INET, host, &a4) == 1) {
			scope = vouch_ipscope_str(vouch_ip4_scope(ntohl(a4.s_addr)));
			is_ip = true;
		} else if (strspn(host, "0123456789.") == hl) {
			return; /* "http://1.2.3/" */
		} else {
			if (host[hl - 1] == '.' || host[0] == '.' || strstr(host, "..") != NULL ||
			    host[0] == '-') {
				return;
			}
			scope = name_scope(host);
		}
	}
	bool clear = cleartext(scheme);
	bool pub = strcmp(scope, "public") == 0;
	if (clear) {
		sev = !pub ? VOUCH_SEV_INFO : (is_ip ? VOUCH_SEV_HIGH : VOUCH_SEV_LOW);
	} else {
		sev = VOUCH_SEV_INFO;
	}
	/* the evidence: the string around, the password masked unless revealed */
	evlen = vouch_ahit_text(h, ev, sizeof(ev), &at, NULL, NULL);
	if (pw_len > 0 && !fc->ctx->opts->reveal_secrets) {
		size_t p0 = at + h->len + pw_from;
		if (p0 + pw_len <= evlen) {
			char m[16], rest[300];
			vouch_mask(ev + p0, pw_len, m, sizeof(m));
			snprintf(rest, sizeof(rest), "%s", ev + p0 + pw_len);
			snprintf(ev + p0, sizeof(ev) - p0, "%s%s", m, rest);
			evlen = strlen(ev);
		}
	}
	char value[300];
	snprintf(value, sizeof(value), "%s://%s", scheme, host);
	emit(fc, clear ? "endpoint.cleartext-url" : "endpoint.url", sev,
	     clear ? (is_ip && pub ? "cleartext URL to a hardcoded public IP address"
			      : "URL with a cleartext scheme (http, ftp, telnet, tftp)")
		   : "URL",
	     h->from, ev, evlen, value, scope, scheme, is_ip ? host : NULL);
}

static void
do_ip4(fctx *fc, const vouch_ahit *h)
{
	char s[300], ipstr[20];
	size_t at = 0, n;
	uint32_t ip;

	if (h->from < fc->cover_to) {
		return;
	}
	n = vouch_ahit_text(h, s, sizeof(s), &at, NULL, NULL);
	if (!vouch_ep_ipv4(s, n, at, h->len, vouch_ahit_binary(h), &ip)) {
		return;
	}
	snprintf(ipstr, sizeof(ipstr), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
		 ip & 255);
	vouch_ipscope sc = vouch_ip4_scope(ip);
	emit(fc, ip_id(sc), ip_sev(sc, VOUCH_SEV_MEDIUM), ip_title(sc), h->from, s, n, ipstr,
	     vouch_ipscope_str(sc), NULL, ipstr);
}

static void
do_ip6(fctx *fc, const vouch_ahit *h)
{
	char s[300], ip[64];
	uint8_t a6[16];
	size_t at = 0, n, groups = 0, hex = 0;

	if (h->from < fc->cover_to || h->len >= sizeof(ip)) {
		return;
	}
	n = vouch_ahit_text(h, s, sizeof(s), &at, NULL, NULL);
	if (at > 0) {
		char c = s[at - 1];
		if (is_alnum((unsigned char)c) || c == '_' || c == ':' || c == '.' || c == '-') {
			return;
		}
	}
	if (at + h->len < n) {
		char c = s[at + h->len];
		if (is_alnum((unsigned char)c) || c == '_' || c == ':' || c == '.' || c == '-') {
			return;
		}
	}
	memcpy(ip, h->bytes, h->len);
	ip[h->len] = 0;
	for (size_t i = 0; i < h->len; i++) {
		ip[i] = (char)lower((unsigned char)ip[i]);
		if (ip[i] != ':') {
			hex++;
			if (i == 0 || ip[i - 1] == ':') {
				groups++;
			}
		}
	}
	if (inet_pton(AF_INET6, ip, a6) != 1) {
		return;
	}
	if (strcmp(ip, "::1") != 0 && (groups < 3 || hex < 5)) {
		return; /* "a::b", "de::ad": too little to be sure it is an address */
	}
	vouch_ipscope sc = vouch_ip6_scope(a6);
	emit(fc, ip_id(sc), ip_sev(sc, VOUCH_SEV_MEDIUM), ip_title(sc), h->from, s, n, ip,
	     vouch_ipscope_str(sc), NULL, ip);
}

static bool
host_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '.';
}

static void
do_host(fctx *fc, const vouch_ahit *h)
{
	char name[260], s[300];
	size_t nb = 0, at = 0, n, end;

	if (h->from < fc->cover_to || h->len < 3) {
		return;
	}
	/* the hit is "x.tld" or ".sld.cc", then one or two characters that end the name */
	end = h->bytes[0] == '.' ? 0 : 1;
	while (end < h->len &&
	       ((h->bytes[end] >= 'a' && h->bytes[end] <= 'z') ||
		(h->bytes[end] == '.' && end + 1 < h->len && h->bytes[end + 1] >= 'a' &&
		 h->bytes[end + 1] <= 'z'))) {
		end++;
	}
	while (nb < h->nbefore && host_char(h->before[h->nbefore - 1 - nb]) && nb < 200) {
		nb++;
	}
	/* the name starts after any leading dots or hyphens */
	while (nb > 0 && (h->before[h->nbefore - nb] == '.' || h->before[h->nbefore - nb] == '-')) {
		nb--;
	}
	if (nb < h->nbefore) {
		uint8_t c = h->before[h->nbefore - nb - 1];
		if (c == '/' || c == '\\' || c == '@' || c == '_' || c == '$' || c == '%' ||
		    c == '{' || (c >= 'A' && c <= 'Z') || c == '.' || c == '-') {
			return;
		}
	}
	if (nb + end >= sizeof(name)) {
		return;
	}
	memcpy(name, h->before + h->nbefore - nb, nb);
	memcpy(name + nb, h->bytes, end);
	name[nb + end] = 0;
	if (!vouch_ep_hostname(name, nb + end)) {
		return;
	}
	/* in a binary, a short two-label name under a country code ("k.fr", "gh.ee") is as
	 * likely a few random printable bytes as a host */
	const char *dot = strrchr(name, '.');
	if (vouch_ahit_binary(h) && strchr(name, '.') == dot && strlen(dot) == 3 &&
	    ((size_t)(dot - name) < 4 || strlen(name) < 8)) {
		return;
	}
	n = vouch_ahit_text(h, s, sizeof(s), &at, NULL, NULL);
	const char *scope = name_scope(name);
	emit(fc, "endpoint.host", VOUCH_SEV_INFO, "host name", h->from - nb, s, n, name, scope,
	     NULL, NULL);
}

static bool
default_community(const char *c)
{
	return strcasecmp(c, "public") == 0 || strcasecmp(c, "private") == 0;
}

/* The line around a hit when it starts (after blanks) at the hit: a directive. */
static bool
at_line_start(const vouch_ahit *h)
{
	for (size_t i = h->nbefore; i > 0; i--) {
		uint8_t c = h->before[i - 1];
		if (c == '\n' || c == '\r') {
			return true;
		}
		if (c != ' ' && c != '\t') {
			return false;
		}
	}
	return h->from == 0 || h->nbefore < VOUCH_AHIT_CTX;
}

/* The n-th blank-separated token of the rest of the line after the hit. */
static size_t
token(const vouch_ahit *h, unsigned nth, char *out, size_t cap, size_t *off)
{
	size_t i = 0, k = 0;
	for (unsigned t = 0;; t++) {
		while (i < h->nafter && (h->after[i] == ' ' || h->after[i] == '\t')) {
			i++;
		}
		size_t s = i;
		while (i < h->nafter && h->after[i] > ' ' && h->after[i] < 0x7F) {
			i++;
		}
		if (i == s) {
			out[0] = 0;
			return 0;
		}
		if (t == nth) {
			k = VOUCH_MIN(i - s, cap - 1);
			memcpy(out, h->after + s, k);
			out[k] = 0;
			*off = s;
			return k;
		}
	}
}

static void
snmp_emit(fctx *fc, const vouch_ahit *h, const char *comm, size_t coff, bool rw)
{
	char line[300], m[16];
	size_t at = 0, n, clen = strlen(comm);
	bool def = default_community(comm);

	if (clen == 0 || comm[0] == '$' || comm[0] == '%' || comm[0] == '<' || comm[0] == '{' ||
	    comm[0] == '#') {
		return;
	}
	n = vouch_ahit_text(h, line, sizeof(line), &at, NULL, NULL);
	size_t p0 = at + h->len + coff;
	if (!def && !fc->ctx->opts->reveal_secrets && p0 + clen <= n) {
		char rest[300];
		vouch_mask(comm, clen, m, sizeof(m));
		snprintf(rest, sizeof(rest), "%s", line + p0 + clen);
		snprintf(line + p0, sizeof(line) - p0, "%s%s", m, rest);
		n = strlen(line);
	}
	char detail[120];
	if (def) {
		snprintf(detail, sizeof(detail), "community=%s; access=%s", comm, rw ? "rw" : "ro");
		vouch_afind(fc->ctx, "endpoint.snmp-default-community", "endpoint",
			    rw ? VOUCH_SEV_CRITICAL : VOUCH_SEV_HIGH,
			    rw ? "SNMP read-write access with a default community"
			       : "SNMP v1/v2c with a default community",
			    fc->af->f, h->from, line, n, detail, NULL);
	} else {
		vouch_mask(comm, clen, m, sizeof(m));
		snprintf(detail, sizeof(detail), "community=%s; access=%s",
			 fc->ctx->opts->reveal_secrets ? comm : m, rw ? "rw" : "ro");
		vouch_afind(fc->ctx, "endpoint.snmp-community", "endpoint", VOUCH_SEV_MEDIUM,
			    "SNMP v1/v2c community (sent in cleartext)", fc->af->f, h->from, line,
			    n, detail, NULL);
	}
}

static void
do_snmpd(fctx *fc, const vouch_ahit *h)
{
	char tok[80], first[16];
	size_t off = 0;
	unsigned nth = 0;

	if (vouch_ahit_binary(h) || !at_line_start(h)) {
		return;
	}
	for (size_t i = 0; i < sizeof(first) - 1 && i < h->len; i++) {
		first[i] = (char)lower(h->bytes[i]);
		first[i + 1] = 0;
	}
	bool rw = first[0] == 'r' && first[1] == 'w';
	if (strncmp(first, "com2sec", 7) == 0) {
		/* com2sec [-Cn CONTEXT] SECNAME SOURCE COMMUNITY */
		token(h, 0, tok, sizeof(tok), &off);
		nth = strcmp(tok, "-Cn") == 0 ? 4 : 2;
	}
	if (token(h, nth, tok, sizeof(tok), &off) == 0) {
		return;
	}
	snmp_emit(fc, h, tok, off, rw);
}

static void
do_community(fctx *fc, const vouch_ahit *h)
{
	char v[80];
	size_t i = 0, k = 0;

	if (vouch_ahit_binary(h)) {
		return;
	}
	if (h->nbefore > 0 && is_alnum(h->before[h->nbefore - 1]) &&
	    !(h->before[h->nbefore - 1] == 'p' || h->before[h->nbefore - 1] == 'P')) {
		return; /* "rocommunity" is a directive (above); "snmpcommunity=" is a key */
	}
	while (i < h->nafter && (h->after[i] == ' ' || h->after[i] == '\t')) {
		i++;
	}
	if (i < h->nafter && (h->after[i] == '"' || h->after[i] == '\'')) {
		i++;
	}
	size_t s = i;
	while (i < h->nafter && k < sizeof(v) - 1 && h->after[i] > ' ' && h->after[i] < 0x7F &&
	       h->after[i] != '"' && h->after[i] != '\'' && h->after[i] != ',' &&
	       h->after[i] != ';' && h->after[i] != '}') {
		v[k++] = (char)h->after[i++];
	}
	v[k] = 0;
	snmp_emit(fc, h, v, s, false);
}

static int
ep_init(const vouch_actx *ctx, void **state)
{
	epstate *st;

	*state = NULL;
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (ctx->opts != NULL && ctx->opts->geoip_db != NULL) {
		int rc = MMDB_open(ctx->opts->geoip_db, MMDB_MODE_MMAP, &st->mmdb);
		if (rc != MMDB_SUCCESS) {
			snprintf(ctx->err, ctx->errcap, "%s: not a MaxMind DB: %s",
				 ctx->opts->geoip_db, MMDB_strerror(rc));
			free(st);
			return rc == MMDB_FILE_OPEN_ERROR || rc == MMDB_IO_ERROR ? VOUCH_E_IO
										 : VOUCH_E_MALFORMED;
		}
		st->have_db = true;
	}
	*state = st;
	return VOUCH_OK;
}

static void
ep_free(void *state)
{
	epstate *st = state;

	if (st != NULL && st->have_db) {
		MMDB_close(&st->mmdb);
	}
	free(st);
}

static void
ep_file(const vouch_actx *ctx, void *state, const vouch_afile *af, const vouch_ahit *hits,
	size_t nhits)
{
	fctx *fc;

	if (nhits == 0) {
		return;
	}
	fc = calloc(1, sizeof(*fc));
	if (fc == NULL) {
		return;
	}
	fc->ctx = ctx;
	fc->st = state;
	fc->af = af;
	for (size_t i = 0; i < nhits; i++) {
		const vouch_ahit *h = &hits[i];
		fc->comment = !vouch_ahit_binary(h) && in_comment(h);
		switch (h->tag) {
		case T_URL: do_url(fc, h); break;
		case T_IP4: do_ip4(fc, h); break;
		case T_IP6: do_ip6(fc, h); break;
		case T_TLD: do_host(fc, h); break;
		case T_SNMPD: do_snmpd(fc, h); break;
		case T_COMMUNITY: do_community(fc, h); break;
		default: break;
		}
	}
	free(fc);
}

const vouch_analyzer vouch_analyzer_endpoints = {
	.name = "endpoints",
	.patterns = pats,
	.npatterns = VOUCH_ARRAY_LEN(pats),
	.init = ep_init,
	.file = ep_file,
	.free = ep_free,
};
