/*
 * vouch/limits.h: every limit that protects vouch from hostile input, in one place.
 *
 * A vendor image is hostile input by default: a gzip bomb, a 200-deep nesting, a cpio whose
 * header sizes lie, a symlink loop. Each limit below has a default chosen for real firmware
 * (the largest images we expect are a few GiB; real nesting rarely exceeds 8 levels) and a
 * hard maximum beyond which a command-line flag cannot raise it. When a limit is hit the work
 * in question stops with VOUCH_E_LIMIT, the event is recorded in the report with its offset,
 * and the rest of the image is still processed where that is safe.
 */
#ifndef VOUCH_LIMITS_H
#define VOUCH_LIMITS_H

#include <stdint.h>

#include "vouch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* name, default, hard maximum, reason */
#define VOUCH_LIMITS(X)                                                                        \
	X(max_output_bytes, 16ULL << 30, 1ULL << 40,                                           \
	  "total bytes produced by all decompression and extraction of one image")            \
	X(max_ratio, 10000, 1000000,                                                             \
	  "bytes out per byte in for one compressed stream (gzip/xz/zip bombs)")               \
	X(max_depth, 32, 256, "nesting depth of containers inside containers")                 \
	X(max_files, 1000000, 100000000, "number of files recorded for one image")             \
	X(max_path, 4096, 65536, "bytes in one nested path")                                   \
	X(max_symlink_hops, 40, 256, "links followed when resolving one symlink inside a tree") \
	X(max_seconds, 3600, 86400, "wall-clock seconds for one image")                       \
	X(max_member_bytes, 4ULL << 30, 1ULL << 40, "bytes in one extracted member")          \
	X(max_carve_candidates, 100000, 10000000,                                              \
	  "signature hits tried in one blob before carving gives up")                          \
	X(max_memory_spool, 64ULL << 20, 4ULL << 30,                                            \
	  "extracted bytes queued in memory before producers wait (twice that: spill to files)")

typedef struct vouch_limits {
#define VOUCH_LIMIT_FIELD(name, def, max, why) uint64_t name;
	VOUCH_LIMITS(VOUCH_LIMIT_FIELD)
#undef VOUCH_LIMIT_FIELD
} vouch_limits;

/* Fill *l with the defaults. */
VOUCH_API void vouch_limits_default(vouch_limits *l);

/*
 * Set the limit called `name` (as in VOUCH_LIMITS) to `value`.
 * Returns VOUCH_OK, VOUCH_E_NOTFOUND for an unknown name, VOUCH_E_LIMIT when value is 0 or
 * above the hard maximum.
 */
VOUCH_API int vouch_limits_set(vouch_limits *l, const char *name, uint64_t value);

/* Iterate the table: returns 0 and fills the out-parameters for i < count, else -1. */
VOUCH_API int vouch_limits_describe(unsigned i, const char **name, uint64_t *def, uint64_t *max,
			  const char **why);

#ifdef __cplusplus
}
#endif
#endif
