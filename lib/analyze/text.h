/*
 * analyze/text.h: bounded line reading for the analysers that parse configuration files and
 * scripts (accounts.c, services.c).
 *
 * A line ends at '\n' (a trailing '\r' is dropped). The reader never copies: it hands out a
 * pointer into the file's content, the line's offset and number, and its length cut to the
 * caller's maximum (`cut` says so), so a 1 MiB line costs one memchr and nothing else.
 * A line that contains a NUL byte is reported as such (`nul`): text parsers skip it, since
 * no configuration file or script of a real system holds one.
 */
#ifndef VOUCH_ANALYZE_TEXT_H
#define VOUCH_ANALYZE_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct vouch_lines {
	const uint8_t *p;
	size_t len;
	size_t pos;
	uint64_t lineno; /* number of the line last returned, from 1 */
} vouch_lines;

typedef struct vouch_line {
	const uint8_t *p; /* start of the line in the content */
	size_t n;         /* bytes, at most the reader's max, without '\n' or trailing '\r' */
	uint64_t off;     /* offset of the line's first byte in the file */
	uint64_t no;      /* line number, from 1 */
	bool cut;         /* the line was longer than max: n holds only the first max bytes */
	bool nul;         /* a NUL byte is within the first n bytes */
} vouch_line;

static inline void
vouch_lines_init(vouch_lines *it, const uint8_t *p, size_t len)
{
	it->p = p;
	it->len = p ? len : 0;
	it->pos = 0;
	it->lineno = 0;
}

/* The next line, at most max bytes of it; false at the end of the content. */
static inline bool
vouch_lines_next(vouch_lines *it, size_t max, vouch_line *l)
{
	if (it->pos >= it->len) {
		return false;
	}
	const uint8_t *s = it->p + it->pos;
	size_t left = it->len - it->pos;
	const uint8_t *nl = memchr(s, '\n', left);
	size_t full = nl ? (size_t)(nl - s) : left;
	l->p = s;
	l->off = it->pos;
	l->no = ++it->lineno;
	it->pos += nl ? full + 1 : full;
	if (full > 0 && s[full - 1] == '\r') {
		full--;
	}
	l->cut = full > max;
	l->n = l->cut ? max : full;
	l->nul = memchr(s, 0, l->n) != NULL;
	return true;
}

/* The last path component of a nested path ("" when the path ends with '/'). */
static inline const char *
vouch_basename(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

#endif
