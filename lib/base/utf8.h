/*
 * base/utf8.h: strict UTF-8 decoding (RFC 3629): no overlong forms, no surrogates, nothing
 * above U+10FFFF. Used by every text format we sign (signed notes, checkpoints, canonical
 * JSON), where "valid UTF-8" must mean the same thing as in Go's unicode/utf8. libc only.
 */
#ifndef VOUCH_BASE_UTF8_H
#define VOUCH_BASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode one code point from p[0, n). Returns the number of bytes it takes (1-4) and sets
 * *cp, or 0 when the bytes are not a well-formed UTF-8 sequence (or n == 0).
 */
size_t vouch_utf8_next(const uint8_t *p, size_t n, uint32_t *cp);

/* Is p[0, n) entirely well-formed UTF-8? */
bool vouch_utf8_valid(const void *p, size_t n);

/* Unicode White_Space (as Go's unicode.IsSpace). */
bool vouch_utf8_is_space(uint32_t cp);

#endif
