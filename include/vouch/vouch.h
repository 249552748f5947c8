/*
 * vouch/vouch.h: the umbrella header of libvouch, and what belongs to no single module.
 */
#ifndef VOUCH_VOUCH_H
#define VOUCH_VOUCH_H

#include <stddef.h>

#include "vouch/attest.h"
#include "vouch/elf.h"
#include "vouch/error.h"
#include "vouch/limits.h"
#include "vouch/note.h"
#include "vouch/scan.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version, "MAJOR.MINOR.PATCH". */
VOUCH_API const char *vouch_version(void);

/*
 * Escape a NUL-terminated string that came from firmware for a terminal or JSON: valid,
 * printable UTF-8 is kept; control bytes, backslash and invalid UTF-8 become \xNN.
 * Writes at most cap-1 bytes and a NUL; returns the length the full escape needs.
 */
VOUCH_API size_t vouch_escape_str(char *dst, size_t cap, const char *src);

/*
 * The same for text that is already escaped (every string of a vouch report, verdict or
 * diff) or was decoded from a JSON file: control bytes and invalid UTF-8 still become
 * \xNN, but a backslash is kept, so "\x00" in a report prints as itself, not "\x5cx00".
 */
VOUCH_API size_t vouch_escape_text_str(char *dst, size_t cap, const char *src);

#ifdef __cplusplus
}
#endif
#endif
