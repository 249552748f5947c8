/*
 * cli/util.c: small helpers of the command line: exit statuses, number parsing, escaping.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

typedef char cli_slots[4][8192];

/* s escaped by `esc` into one of four static buffers (each function has its own four, so
 * one printf may mix cli_esc and cli_text with the same slot numbers). */
static const char *
esc_into(cli_slots *bufs, int slot, const char *s, size_t (*esc)(char *, size_t, const char *))
{
	char *b = (*bufs)[slot & 3];

	if (s == NULL) {
		return "";
	}
	esc(b, sizeof((*bufs)[0]), s);
	return b;
}

const char *
cli_esc(const char *s, int slot)
{
	static cli_slots bufs;
	return esc_into(&bufs, slot, s, vouch_escape_str);
}

const char *
cli_text(const char *s, int slot)
{
	static cli_slots bufs;
	return esc_into(&bufs, slot, s, vouch_escape_text_str);
}

/* A progress bar on stderr (only installed when stderr is a terminal). */
void
cli_progress(void *ud, uint64_t done, uint64_t total, uint64_t files)
{
	char bar[33];
	unsigned fill = total ? (unsigned)(done * 32 / total) : 0;
	(void)ud;
	for (unsigned i = 0; i < 32; i++) {
		bar[i] = i < fill ? '#' : '.';
	}
	bar[32] = '\0';
	/* done = bytes of the image read by the unpackers so far: an estimate of the share of
	 * the image opened, not of the time left (nested containers follow) */
	fprintf(stderr, "\r\033[K[%s] %3u%% of %.1f MiB opened, %llu files", bar,
		total ? (unsigned)(done * 100 / total) : 0, (double)total / 1048576.0,
		(unsigned long long)files);
	fflush(stderr);
}

/* A JSON string of firmware bytes (escaped as vouch_escape_str does), null for NULL. */
json_t *
cli_jstr(const char *s)
{
	char buf[8192];

	if (s == NULL) {
		return json_null();
	}
	size_t need = vouch_escape_str(buf, sizeof(buf), s);
	if (need < sizeof(buf)) {
		return json_string(buf);
	}
	char *big = malloc(need + 1);
	if (big == NULL) {
		return json_null();
	}
	vouch_escape_str(big, need + 1, s);
	json_t *j = json_string(big);
	free(big);
	return j;
}
