/*
 * cli/util.c: small helpers of the command line: exit statuses, number parsing, escaping.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vouch/vouch.h"

int
cli_exit_for(int err)
{
	switch (err) {
	case VOUCH_OK: return EXIT_OK;
	case VOUCH_E_USAGE: return EXIT_USAGE;
	case VOUCH_E_IO:
	case VOUCH_E_NOTFOUND: return EXIT_INPUT;
	case VOUCH_E_MALFORMED:
	case VOUCH_E_UNSUPPORTED: return EXIT_PARTIAL;
	case VOUCH_E_LIMIT: return EXIT_LIMIT;
	case VOUCH_E_UNSAFE: return EXIT_UNSAFE;
	case VOUCH_E_VERIFY: return EXIT_VERIFY;
	default: return EXIT_INTERNAL;
	}
}

void
cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("vouch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_parse_u64(const char *s, uint64_t *out)
{
	char *end = NULL;
	unsigned long long v;
	uint64_t mul = 1;

	if (s == NULL || *s < '0' || *s > '9') {
		return -1;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0) {
		return -1;
	}
	switch (*end) {
	case '\0': break;
	case 'K': case 'k': mul = 1ULL << 10; end++; break;
	case 'M': case 'm': mul = 1ULL << 20; end++; break;
	case 'G': case 'g': mul = 1ULL << 30; end++; break;
	case 'T': case 't': mul = 1ULL << 40; end++; break;
	default: return -1;
	}
	if (*end != '\0' || __builtin_mul_overflow((uint64_t)v, mul, out)) {
		return -1;
	}
	return 0;
}

int
cli_parse_limit(vouch_limits *l, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char name[64];
	uint64_t v;
	int rc;

	if (eq == NULL || (size_t)(eq - arg) >= sizeof(name)) {
		cli_err("--limit wants NAME=VALUE (see 'vouch limits'), got '%s'", arg);
		return -1;
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	if (cli_parse_u64(eq + 1, &v) != 0) {
		cli_err("--limit %s: '%s' is not a number (suffixes K, M, G, T allowed)", name, eq + 1);
		return -1;
	}
	rc = vouch_limits_set(l, name, v);
	if (rc == VOUCH_E_NOTFOUND) {
		cli_err("--limit: no limit called '%s' (see 'vouch limits')", name);
		return -1;
	}
	if (rc != VOUCH_OK) {
		cli_err("--limit %s: %s is 0 or above the hard maximum (see 'vouch limits')", name,
			eq + 1);
		return -1;
	}
	return 0;
}

const char *
cli_esc(const char *s, int slot)
{
	static char bufs[4][8192];
	char *b = bufs[slot & 3];

	if (s == NULL) {
		return "";
	}
	vouch_escape_str(b, sizeof(bufs[0]), s);
	return b;
}
