/*
 * tlog/checkpoint.h: the C2SP tlog-checkpoint body (https://c2sp.org/tlog-checkpoint).
 *
 * The body is the text of a signed note (tlog/note.h):
 *
 *     <origin>\n                  non-empty, no control characters, valid UTF-8
 *     <tree size>\n               ASCII decimal, no sign, no leading zeros ("0" is valid)
 *     <base64 root hash>\n        canonical padded base64 of exactly 32 bytes
 *     [<extension line>\n]...     optional, each non-empty (opaque to us)
 *
 * Parsing is strict: any deviation is VOUCH_E_MALFORMED. Formatting produces exactly the
 * bytes the parser accepts (round-trip tested).
 */
#ifndef VOUCH_TLOG_CHECKPOINT_H
#define VOUCH_TLOG_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#define VOUCH_CHECKPOINT_HASH_LEN 32
#define VOUCH_CHECKPOINT_ORIGIN_MAX 1024 /* bytes of the origin line */
#define VOUCH_CHECKPOINT_MAX_EXTS 64     /* extension lines accepted by the parser */
#define VOUCH_CHECKPOINT_MAX_SIZE (64u << 10)

typedef struct vouch_checkpoint {
	char *origin;                               /* NUL-terminated, malloc'ed */
	uint64_t size;                              /* tree size */
	uint8_t root[VOUCH_CHECKPOINT_HASH_LEN];    /* root hash */
	char **exts;                                /* extension lines without \n, malloc'ed */
	size_t nexts;
} vouch_checkpoint;

/*
 * Format a checkpoint body into a malloc'ed, NUL-terminated string *out (length in *out_len,
 * may be NULL). exts may be NULL when nexts == 0; each extension must be a non-empty line
 * without '\n' or control characters. Returns VOUCH_OK, VOUCH_E_USAGE (bad origin or
 * extension), VOUCH_E_NOMEM.
 */
int vouch_checkpoint_format(const char *origin, uint64_t size,
			    const uint8_t root[VOUCH_CHECKPOINT_HASH_LEN],
			    const char *const *exts, size_t nexts, char **out, size_t *out_len);

/*
 * Strictly parse a checkpoint body (the note text, ending in \n) into *out, which the
 * caller releases with vouch_checkpoint_clear. Returns VOUCH_OK, VOUCH_E_MALFORMED,
 * VOUCH_E_LIMIT (too long / too many extension lines), VOUCH_E_NOMEM. *out is zeroed on
 * failure.
 */
int vouch_checkpoint_parse(const char *body, size_t len, vouch_checkpoint *out);

/* Free what vouch_checkpoint_parse allocated and zero *c. Accepts NULL / a zeroed struct. */
void vouch_checkpoint_clear(vouch_checkpoint *c);

#endif
