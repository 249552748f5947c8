/*
 * analyze/secrets.c: passwords, tokens and API keys left in configuration files, scripts and
 * binaries.
 *
 * Works from hits and their context (wants no file held). Two kinds of pattern:
 *   - well-known token formats, recognisable anywhere, binaries included: AWS access key
 *     ids (AKIA/ASIA/... + 16), GitHub tokens (ghp_/gho_/ghu_/ghs_/ghr_ + 36,
 *     github_pat_), Slack tokens (xox?-) and webhooks, Google API keys (AIza + 35), Stripe
 *     live keys, credentials in URLs (scheme://user:password@host), HTTP Authorization
 *     headers, and command-line passwords (openssl -passin/-passout pass:X, curl/wget
 *     --password X, curl -u user:X);
 *   - key = value assignments whose key names a secret (password, passwd, pwd, passphrase,
 *     secret, token, api_key, access_key, auth_key, private_key_password, client_secret,
 *     credentials), in the forms of config files, shell, JSON and YAML ("key=v", "key: v",
 *     "\"key\": \"v\""). Only in text (a line of printable bytes): in a binary these are
 *     format strings and prompts.
 * A value becomes a finding only if it is a literal, not a placeholder or a reference:
 * not empty, not "${VAR}", "$VAR", "$(cmd)", "%s", "{{ x }}", "<x>", not a call or an
 * attribute in a script (unquoted "f(x)", "self.pw", "os.environ[...]"), not a path or a URL,
 * not made of one repeated character ("xxxx", "****"), not a word from the placeholder list
 * ("changeme", "password", "secret", "example", "none", "null", "true", ...), and, for the
 * key names that also name non-secrets (token, secret, key), of at least KV_TOKEN_MIN
 * characters with an entropy of at least KV_TOKEN_ENTROPY bits per character. Keys that
 * describe a secret rather than hold it ("password_file", "token_url", "passwd_min_len",
 * "pass_max_days", ...) are skipped, as is nsswitch.conf ("passwd: files").
 * Severity: high for every accepted secret (a leaked credential is always worth a look);
 * the AWS/GitHub/Slack/Google/Stripe formats are critical when live-looking.
 * Evidence: the line, with the value masked (vouch_mask) unless --reveal.
 */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/analyzer.h"
#include "base/base.h"

#define KV_MIN 4             /* a password shorter than this is a flag or a prompt */
#define KV_TOKEN_MIN 12      /* tokens and keys are long */
#define KV_TOKEN_ENTROPY 3.0 /* bits per character: random tokens score 4 and more */
#define VALUE_MAX 200        /* longer values are cut (and still masked) */
#define SEEN_MAX 256

enum {
	T_KV = 1,
	T_AWS,
	T_GITHUB,
	T_GITHUB_PAT,
	T_SLACK,
	T_SLACK_HOOK,
	T_GOOGLE,
	T_STRIPE,
	T_URLCRED,
	T_AUTH,
	T_PASSARG,
	T_CLIPW,
	T_CURLU,
};

static const vouch_apattern pats[] = {
	/* the key right before its separator: a suffix ("password_file") would need a bounded
	 * repeat, which costs vectorscan 10x here; keys with a prefix ("db_password") are
	 * matched from the key word and the prefix is read from the context */
	{"(passw(or)?d|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|"
	 "credentials?)[\"']?[ \\t]*[=:]",
	 HS_FLAG_CASELESS, T_KV},
	{"pass[\"']?[ \\t]*[=:]", HS_FLAG_CASELESS, T_KV},
	{"(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}", 0, T_AWS},
	{"gh[pousr]_[A-Za-z0-9]{36}", 0, T_GITHUB},
	{"github_pat_[A-Za-z0-9_]{82}", 0, T_GITHUB_PAT},
	{"xox[abposr]-[0-9A-Za-z-]{10,72}", 0, T_SLACK},
	{"hooks\\.slack\\.com/services/T[A-Z0-9]{6,12}/B[A-Z0-9]{6,12}/[A-Za-z0-9]{20,32}", 0,
	 T_SLACK_HOOK},
	{"AIza[0-9A-Za-z_-]{35}", 0, T_GOOGLE},
	{"(sk|rk)_live_[0-9A-Za-z]{20,99}", 0, T_STRIPE},
	{"://", 0, T_URLCRED}, /* the userinfo is read from the context */
	{"authorization:[ \\t]*(basic|bearer)[ \\t]+", HS_FLAG_CASELESS, T_AUTH},
	{"-pass(in|out)?[ \\t]+pass:", 0, T_PASSARG},
	{"--(ftp-|http-|proxy-)?passw(or)?d[= ]", 0, T_CLIPW},
	{"[ \\t](-u|--user)[ \\t]+[^ \\t:'\"]{1,64}:", 0, T_CURLU},
};

typedef struct sctx {
	const vouch_actx *ctx;
	const vouch_afile *af;
	uint64_t seen[SEEN_MAX];
	size_t nseen;
} sctx;

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool
is_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
first_time(sctx *sc, const char *id, const char *v, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = id; *p; p++) {
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	}
	for (size_t i = 0; i < n; i++) {
		h = (h ^ (uint8_t)v[i]) * 1099511628211ULL;
	}
	for (size_t i = 0; i < sc->nseen; i++) {
		if (sc->seen[i] == h) {
			return false;
		}
	}
	if (sc->nseen < SEEN_MAX) {
		sc->seen[sc->nseen++] = h;
	}
	return true;
}


/* Placeholders, examples and values that describe rather than hold a secret. */
static bool
placeholder(const char *v, size_t n)
{
	static const char *const words[] = {
		"changeme", "change_me", "change-me", "changeit", "password", "passwd",
		"secret", "example", "sample", "dummy", "none", "null", "nil", "undefined",
		"true", "false", "yes", "no", "on", "off", "empty", "default", "redacted",
		"removed", "hidden", "placeholder", "todo", "fixme", "your_password",
		"yourpassword", "your-password", "mypassword", "my_password", "your_token",
		"your_api_key", "your-api-key", "api_key", "apikey", "token", "required",
		"optional", "string", "str", "int", "bool", "files", "prompt", "ask", "test",
		"xxx", "<password>", "<secret>", "enter", "input", "value", "notset", "unset",
		"required", "disabled", "enabled", "auto", "user", "username",
	};
	bool same = true;

	if (n == 0) {
		return true;
	}
	for (size_t i = 1; i < n; i++) {
		if (v[i] != v[0]) {
			same = false;
		}
	}
	if (same) {
		return true; /* "xxxx", "****", "0000" */
	}
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(words); i++) {
		if (strlen(words[i]) == n && strncasecmp(v, words[i], n) == 0) {
			return true;
		}
	}
	/* references and templates */
	if (v[0] == '$' || v[0] == '%' || v[0] == '<' || v[0] == '{' || v[0] == '@' ||
	    v[0] == '/' || v[0] == '~' || v[0] == '`' || v[0] == '&' || v[0] == '*' ||
	    v[0] == '[' || v[0] == '(') {
		return true;
	}
	if (memchr(v, '<', n) || memchr(v, '>', n) || memmem(v, n, "${", 2) || memmem(v, n, "$(", 2) || memmem(v, n, "{{", 2) ||
	    memmem(v, n, "%s", 2) || memmem(v, n, "%(", 2) || memmem(v, n, "://", 3) ||
	    memmem(v, n, "EXAMPLE", 7) || memmem(v, n, "example", 7) || memmem(v, n, "xxxx", 4) ||
	    memmem(v, n, "XXXX", 4) || memmem(v, n, "****", 4)) {
		return true;
	}
	return false;
}

/* An unquoted value in a script that is code, not a literal. */
static bool
expression(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '(' || v[i] == '[' || v[i] == '$' || v[i] == '`') {
			return true;
		}
	}
	/* "self.password", "os.environ", "config.get": identifier.identifier */
	const char *dot = memchr(v, '.', n);
	if (dot != NULL && dot > v && dot + 1 < v + n &&
	    ((dot[1] >= 'a' && dot[1] <= 'z') || dot[1] == '_') && (v[0] < '0' || v[0] > '9')) {
		bool ident = true;
		for (size_t i = 0; i < n; i++) {
			if (!is_alnum((unsigned char)v[i]) && v[i] != '_' && v[i] != '.') {
				ident = false;
			}
		}
		return ident;
	}
	return false;
}

/* Key words that describe a secret rather than hold it. */
static bool
descriptive_key(const char *k, size_t n)
{
	static const char *const parts[] = {
		"file", "path", "len", "min", "max", "policy", "prompt", "hash", "type", "mode",
		"expir", "age", "change", "reset", "field", "label", "name", "format", "url",
		"dir", "cmd", "command", "program", "helper", "endpoint", "uri", "days", "warn",
		"inactive", "complex", "length", "retry", "lifetime", "timeout", "size",
		"count", "enable", "disable", "required", "algorithm", "salt", "digest",
		"chars", "strength", "store", "_id", "env", "var", "method", "auth_type",
		"backend", "source", "encrypt",
	};
	char low[64];
	size_t m = VOUCH_MIN(n, sizeof(low) - 1);

	for (size_t i = 0; i < m; i++) {
		low[i] = (char)lower((unsigned char)k[i]);
	}
	low[m] = 0;
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(parts); i++) {
		if (strstr(low, parts[i]) != NULL) {
			return true;
		}
	}
	return false;
}

/* Add the finding: evidence = the line with the value at [voff, voff+vlen) of `line`
 * masked unless revealed. */
static void
report(sctx *sc, const char *id, vouch_severity sev, const char *title, uint64_t off,
       char *line, size_t n, size_t voff, size_t vlen, const char *kind)
{
	char m[16], ev[400], detail[120];

	if (voff + vlen > n || !first_time(sc, id, line + voff, vlen)) {
		return;
	}
	if (!sc->ctx->opts->reveal_secrets) {
		vouch_mask(line + voff, vlen, m, sizeof(m));
		snprintf(ev, sizeof(ev), "%.*s%s%s", (int)voff, line, m, line + voff + vlen);
	} else {
		snprintf(ev, sizeof(ev), "%s", line);
	}
	snprintf(detail, sizeof(detail), "kind=%s; length=%zu; entropy=%.2f", kind, vlen,
		 vouch_str_entropy(line + voff, vlen));
	vouch_afind(sc->ctx, id, "secret", sev, title, sc->af->f, off, ev, strlen(ev), detail,
		    NULL);
}

/* A value starting at after[i]: quoted or bare. Returns its length; *q says quoted. */
static size_t
value_at(const vouch_ahit *h, size_t i, size_t *start, bool *q)
{
	size_t s, e;
	uint8_t quote = 0;

	while (i < h->nafter && (h->after[i] == ' ' || h->after[i] == '\t')) {
		i++;
	}
	if (i < h->nafter && (h->after[i] == '"' || h->after[i] == '\'')) {
		quote = h->after[i++];
	}
	s = e = i;
	while (e < h->nafter && e - s < VALUE_MAX) {
		uint8_t c = h->after[e];
		if (c < 0x20 || c >= 0x7F) {
			break;
		}
		if (quote ? c == quote : (c == ' ' || c == '\t' || c == '"' || c == '\'' ||
					  c == ',' || c == ';' || c == '}' || c == '#')) {
			break;
		}
		e++;
	}
	if (quote && (e >= h->nafter || h->after[e] != quote)) {
		return 0; /* the quote does not close on this line */
	}
	*start = s;
	*q = quote != 0;
	return e - s;
}

static void
do_kv(sctx *sc, const vouch_ahit *h)
{
	char line[400];
	size_t at = 0, n, vs = 0, vl;
	bool quoted = false;
	const char *base = strrchr(sc->af->f->path, '/');

	base = base ? base + 1 : sc->af->f->path;
	if (strcmp(base, "nsswitch.conf") == 0 || vouch_ahit_binary(h)) {
		return;
	}
	/* the key starts the hit; a letter before it makes it part of a longer word that
	 * is not a secret's name ("bypass:", "compass="), except the usual prefixes */
	if (h->nbefore > 0) {
		uint8_t c = h->before[h->nbefore - 1];
		if (is_alnum(c)) {
			static const char *const pre[] = {"db", "admin", "root", "user", "wifi",
							  "wpa", "mysql", "smtp", "ftp", "ldap",
							  "bind", "api", "login", "default", "web",
							  "http", "proxy", "aws", "mqtt", "redis",
							  "snmp", "radius", "ppp", "pppoe", "vpn",
							  "psk", "key", "auth", "super", "mail"};
			bool ok = false;
			for (size_t i = 0; i < VOUCH_ARRAY_LEN(pre) && !ok; i++) {
				size_t k = strlen(pre[i]);
				if (h->nbefore >= k) {
					ok = strncasecmp((const char *)h->before + h->nbefore - k,
							 pre[i], k) == 0 &&
					     (h->nbefore == k ||
					      !is_alnum(h->before[h->nbefore - k - 1]));
				}
			}
			if (!ok) {
				return;
			}
		}
	}
	/* the key's own text, without the separator */
	size_t klen = h->len;
	while (klen > 0 && (h->bytes[klen - 1] == '=' || h->bytes[klen - 1] == ':' ||
			    h->bytes[klen - 1] == ' ' || h->bytes[klen - 1] == '\t' ||
			    h->bytes[klen - 1] == '"' || h->bytes[klen - 1] == '\'')) {
		klen--;
	}
	if (descriptive_key((const char *)h->bytes, klen)) {
		return;
	}
	/* "key :" with a blank before the colon is prose or help text ("--passwords : ...")
	 * unless the key was quoted (JSON) */
	if (h->bytes[h->len - 1] == ':' && h->len >= 2 &&
	    (h->bytes[h->len - 2] == ' ' || h->bytes[h->len - 2] == '\t')) {
		size_t q = h->len - 2;
		while (q > 0 && (h->bytes[q] == ' ' || h->bytes[q] == '\t')) {
			q--;
		}
		if (h->bytes[q] != '"' && h->bytes[q] != '\'') {
			return;
		}
	}
	/* a command-line option in help text ("--password=FILE") */
	if (h->nbefore > 0 && h->before[h->nbefore - 1] == '-') {
		return;
	}
	/* "password==" or "password:=": a comparison or a Makefile, and "::" a C++ scope */
	if (h->nafter > 0 && (h->after[0] == '=' || h->after[0] == ':')) {
		return;
	}
	vl = value_at(h, 0, &vs, &quoted);
	if (vl < KV_MIN || placeholder((const char *)h->after + vs, vl)) {
		return;
	}
	if (!quoted && expression((const char *)h->after + vs, vl)) {
		return;
	}
	const char *v = (const char *)h->after + vs;
	char k0 = (char)lower(h->bytes[0]);
	bool passwordish = k0 == 'p' || (k0 == 'c' && lower(h->bytes[1]) == 'r');
	if (!passwordish || strncasecmp((const char *)h->bytes, "passphrase", 10) == 0) {
		/* token, secret, api_key, ...: the value must look random */
		if (!passwordish && (vl < KV_TOKEN_MIN || vouch_str_entropy(v, vl) < KV_TOKEN_ENTROPY)) {
			return;
		}
	}
	n = vouch_ahit_text(h, line, sizeof(line), &at, NULL, NULL);
	size_t voff = at + h->len + vs;
	if (voff + vl > n) {
		return;
	}
	report(sc, passwordish ? "secret.password" : "secret.token", VOUCH_SEV_HIGH,
	       passwordish ? "password in a configuration file or script"
			   : "token, API key or secret in a configuration file or script",
	       h->from, line, n, voff, vl, "key-value");
}

/* A token format: the whole match is the secret, bounded by non-token characters. */
static void
do_token(sctx *sc, const vouch_ahit *h, const char *id, const char *title, const char *kind)
{
	char line[400];
	size_t at = 0, n;

	if (h->nbefore > 0 && (is_alnum(h->before[h->nbefore - 1]) || h->before[h->nbefore - 1] == '_')) {
		return;
	}
	if (h->nafter > 0 && (is_alnum(h->after[0]) || h->after[0] == '_')) {
		return;
	}
	if (placeholder((const char *)h->bytes, h->len)) {
		return;
	}
	n = vouch_ahit_text(h, line, sizeof(line), &at, NULL, NULL);
	if (at + h->len > n) {
		return;
	}
	report(sc, id, VOUCH_SEV_CRITICAL, title, h->from, line, n, at, h->len, kind);
}

static void
do_urlcred(sctx *sc, const vouch_ahit *h)
{
	char line[400];
	size_t at = 0, n, i = 0, colon = SIZE_MAX, atsign = SIZE_MAX;
	const uint8_t *a = h->after;

	/* a scheme of letters right before "://" */
	if (h->nbefore == 0 || !is_alnum(h->before[h->nbefore - 1])) {
		return;
	}
	/* user:password@ up to the first '/', blank or quote: the last '@' ends the userinfo */
	for (i = 0; i < h->nafter && i < 256; i++) {
		uint8_t c = a[i];
		if (c <= ' ' || c >= 0x7F || c == '/' || c == '"' || c == '\'' || c == '<' ||
		    c == '>' || c == '?' || c == '#') {
			break;
		}
		if (c == ':' && colon == SIZE_MAX) {
			colon = i;
		}
		if (c == '@') {
			atsign = i;
		}
	}
	if (atsign == SIZE_MAX || colon == SIZE_MAX || colon == 0 || colon > atsign) {
		return;
	}
	size_t ps = colon + 1, pl = atsign - ps;
	if (pl == 0 || placeholder((const char *)a + ps, pl)) {
		return;
	}
	n = vouch_ahit_text(h, line, sizeof(line), &at, NULL, NULL);
	if (at + h->len + ps + pl > n) {
		return;
	}
	report(sc, "secret.url-credentials", VOUCH_SEV_HIGH, "password inside a URL", h->from,
	       line, n, at + h->len + ps, pl, "url-userinfo");
}

/* A value right after the hit (Authorization header, -passin pass:X, --password X, -u u:X). */
static void
do_after(sctx *sc, const vouch_ahit *h, const char *id, const char *title, const char *kind,
	 size_t min)
{
	char line[400];
	size_t at = 0, n, vs = 0, vl;
	bool q = false;

	if (vouch_ahit_binary(h)) {
		return;
	}
	vl = value_at(h, 0, &vs, &q);
	if (vl < min || placeholder((const char *)h->after + vs, vl)) {
		return;
	}
	n = vouch_ahit_text(h, line, sizeof(line), &at, NULL, NULL);
	if (at + h->len + vs + vl > n) {
		return;
	}
	report(sc, id, VOUCH_SEV_HIGH, title, h->from, line, n, at + h->len + vs, vl, kind);
}

/* "-u user:password" is curl's or wget's (ntpd's -u is user:group). */
static bool
tool_on_line(const vouch_ahit *h)
{
	size_t i = h->nbefore;

	while (i > 0 && h->before[i - 1] != '\n' && h->before[i - 1] != '\r') {
		i--;
	}
	return memmem(h->before + i, h->nbefore - i, "curl", 4) != NULL ||
	       memmem(h->before + i, h->nbefore - i, "wget", 4) != NULL;
}

static void
sec_file(const vouch_actx *ctx, void *state, const vouch_afile *af, const vouch_ahit *hits,
	 size_t nhits)
{
	sctx *sc;

	(void)state;
	if (nhits == 0) {
		return;
	}
	sc = calloc(1, sizeof(*sc));
	if (sc == NULL) {
		return;
	}
	sc->ctx = ctx;
	sc->af = af;
	for (size_t i = 0; i < nhits; i++) {
		const vouch_ahit *h = &hits[i];
		switch (h->tag) {
		case T_KV: do_kv(sc, h); break;
		case T_AWS:
			do_token(sc, h, "secret.aws-access-key-id", "AWS access key id", "aws");
			break;
		case T_GITHUB:
		case T_GITHUB_PAT:
			do_token(sc, h, "secret.github-token", "GitHub token", "github");
			break;
		case T_SLACK: do_token(sc, h, "secret.slack-token", "Slack token", "slack"); break;
		case T_SLACK_HOOK:
			do_token(sc, h, "secret.slack-webhook", "Slack incoming webhook", "slack");
			break;
		case T_GOOGLE:
			do_token(sc, h, "secret.google-api-key", "Google API key", "google");
			break;
		case T_STRIPE:
			do_token(sc, h, "secret.stripe-key", "Stripe live secret key", "stripe");
			break;
		case T_URLCRED: do_urlcred(sc, h); break;
		case T_AUTH:
			do_after(sc, h, "secret.http-authorization",
				 "HTTP Authorization credentials", "authorization", 8);
			break;
		case T_PASSARG:
			do_after(sc, h, "secret.password",
				 "private key passphrase on a command line", "openssl-pass", KV_MIN);
			break;
		case T_CURLU:
			if (tool_on_line(h)) {
				do_after(sc, h, "secret.password", "password on a command line",
					 "command-line", KV_MIN);
			}
			break;
		case T_CLIPW:
			do_after(sc, h, "secret.password", "password on a command line",
				 "command-line", KV_MIN);
			break;
		default: break;
		}
	}
	free(sc);
}

const vouch_analyzer vouch_analyzer_secrets = {
	.name = "secrets",
	.patterns = pats,
	.npatterns = VOUCH_ARRAY_LEN(pats),
	.file = sec_file,
};
