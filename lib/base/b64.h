/*
 * base/b64.h: standard base64 (RFC 4648 §4, with '=' padding), strict decoding.
 *
 * Decoding is canonical-only: padding is required, no white space, and the unused low bits
 * of the last character must be zero, so that one byte string has exactly one accepted
 * encoding (signed notes and proofs compare encodings, and malleable encodings would let
 * two different texts carry the same signature). libc only.
 */
#ifndef VOUCH_BASE_B64_H
#define VOUCH_BASE_B64_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed to encode n bytes, without the NUL. */
#define VOUCH_B64_ENC_LEN(n) ((((n) + 2) / 3) * 4)
/* Upper bound of bytes decoded from n characters. */
#define VOUCH_B64_DEC_MAX(n) (((n) / 4) * 3)

/*
 * Encode n bytes into dst, which must hold VOUCH_B64_ENC_LEN(n) + 1 bytes; writes a NUL.
 * Returns the number of characters written (without the NUL).
 */
size_t vouch_b64_encode(char *dst, const void *src, size_t n);

/*
 * Decode `len` characters of canonical padded base64 into dst (capacity cap). Sets *out_len.
 * Returns VOUCH_OK, VOUCH_E_MALFORMED (bad character, padding, length or non-canonical
 * trailing bits), VOUCH_E_LIMIT (dst too small). dst is unspecified on failure.
 */
int vouch_b64_decode(uint8_t *dst, size_t cap, const char *src, size_t len, size_t *out_len);

/* Encode into a malloc'ed NUL-terminated string (caller frees). Returns VOUCH_OK or NOMEM. */
int vouch_b64_encode_alloc(const void *src, size_t n, char **out);

#endif
