/*
 * base/base.h: the foundation every other module stands on: arena, byte cursor, checked
 * arithmetic, error detail, logging hook. Depends on libc only.
 *
 * Design: input bytes are only ever read through vouch_rd (a bounds-checked cursor whose
 * every getter returns an error on a short read); offsets and sizes are uint64_t and combined
 * with the overflow-checked helpers below. An arena owns everything derived from one scan and
 * is freed in one call; it has a byte budget so that hostile input cannot exhaust memory
 * through it. Building with -Dplain_malloc=true turns each arena allocation into its own
 * malloc() so that AddressSanitizer sees overflows between objects.
 */
#ifndef VOUCH_BASE_H
#define VOUCH_BASE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/error.h"
#include "vouch/limits.h"

#define VOUCH_HIDDEN __attribute__((visibility("hidden")))
#define VOUCH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define VOUCH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define VOUCH_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VOUCH_MAX(a, b) ((a) > (b) ? (a) : (b))

/* ---- checked arithmetic ------------------------------------------------------------ */

/* *r = a + b; false on overflow (and *r is then unspecified). */
static inline bool
vouch_add_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_add_overflow(a, b, r);
}

static inline bool
vouch_mul_u64(uint64_t a, uint64_t b, uint64_t *r)
{
	return !__builtin_mul_overflow(a, b, r);
}

/* true when [off, off+len) lies inside [0, size). */
static inline bool
vouch_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	uint64_t end;
	return vouch_add_u64(off, len, &end) && end <= size;
}

/* ---- error detail ------------------------------------------------------------------ */

/* The detail of the last error on a handle: fixed-size, so recording never allocates. */
typedef struct vouch_errinfo {
	int code;
	int sys_errno;
	uint64_t offset;
	char msg[256];
} vouch_errinfo;

/* Record an error on `e` and return `code` so callers can `return vouch_errf(...)`. */
int vouch_errf(vouch_errinfo *e, int code, uint64_t offset, const char *fmt, ...)
	VOUCH_PRINTF(4, 5);
int vouch_verrf(vouch_errinfo *e, int code, uint64_t offset, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* ---- arena ------------------------------------------------------------------------- */

typedef struct vouch_arena vouch_arena;

/* A new arena that will refuse to hand out more than `budget` bytes in total. */
int vouch_arena_new(vouch_arena **out, uint64_t budget);
void vouch_arena_free(vouch_arena *a);
/* Zeroed memory, aligned for any type; NULL when the budget or memory is exhausted. */
void *vouch_arena_alloc(vouch_arena *a, size_t n);
void *vouch_arena_memdup(vouch_arena *a, const void *p, size_t n);
/* A NUL-terminated copy of n bytes. */
char *vouch_arena_strndup(vouch_arena *a, const char *s, size_t n);
char *vouch_arena_printf(vouch_arena *a, const char *fmt, ...) VOUCH_PRINTF(2, 3);
uint64_t vouch_arena_used(const vouch_arena *a);

/* ---- map: 64-bit key -> borrowed string (map.c) ------------------------------------- */

typedef struct vouch_map {
	uint64_t *keys; /* key + 1; 0 marks an empty slot */
	const char **vals;
	size_t cap, n;
} vouch_map;

/* The value of k, or NULL; *found (may be NULL) says whether k is present. */
const char *vouch_map_get(const vouch_map *m, uint64_t k, bool *found);
/* Set k to v (not copied). VOUCH_E_NOMEM leaves the map as it was. */
int vouch_map_put(vouch_map *m, uint64_t k, const char *v);
void vouch_map_free(vouch_map *m);

/* ---- byte cursor ------------------------------------------------------------------- */

/*
 * A read cursor over bytes that came from an image. All multi-byte getters check bounds and
 * return VOUCH_E_MALFORMED on a short read, leaving the cursor unchanged.
 */
typedef struct vouch_rd {
	const uint8_t *p;
	size_t len;
	size_t pos;
} vouch_rd;

static inline void
vouch_rd_init(vouch_rd *r, const void *p, size_t len)
{
	r->p = (const uint8_t *)p;
	r->len = len;
	r->pos = 0;
}

static inline size_t
vouch_rd_left(const vouch_rd *r)
{
	return r->len - r->pos;
}

int vouch_rd_seek(vouch_rd *r, uint64_t pos);
int vouch_rd_skip(vouch_rd *r, uint64_t n);
int vouch_rd_u8(vouch_rd *r, uint8_t *v);
int vouch_rd_u16le(vouch_rd *r, uint16_t *v);
int vouch_rd_u16be(vouch_rd *r, uint16_t *v);
int vouch_rd_u32le(vouch_rd *r, uint32_t *v);
int vouch_rd_u32be(vouch_rd *r, uint32_t *v);
int vouch_rd_u64le(vouch_rd *r, uint64_t *v);
int vouch_rd_u64be(vouch_rd *r, uint64_t *v);
/* Copy n bytes out. */
int vouch_rd_bytes(vouch_rd *r, void *dst, size_t n);
/* Borrow n bytes in place (no copy): *p points into the cursor's buffer. */
int vouch_rd_view(vouch_rd *r, size_t n, const uint8_t **p);
/* A sub-cursor over the next n bytes; the parent advances past them. */
int vouch_rd_sub(vouch_rd *r, size_t n, vouch_rd *sub);

/* Unchecked loads for code that already proved the bounds (e.g. a fixed-size header). */
static inline uint32_t
vouch_load_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint32_t
vouch_load_u32le(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline uint16_t
vouch_load_u16le(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint16_t
vouch_load_u16be(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- strings from firmware ---------------------------------------------------------- */

/*
 * Escape bytes from an image for display or JSON: printable ASCII and valid UTF-8 pass
 * through; control bytes, backslash and invalid UTF-8 become \xNN. Writes at most cap-1
 * bytes plus NUL; returns the length the full escape needs (like snprintf).
 */
size_t vouch_escape(char *dst, size_t cap, const char *src, size_t n);

/*
 * Make room for one more element in a malloc'd array: when *n == *cap, double *cap (at least
 * `first`) with an overflow-checked realloc. *arr is unchanged on failure (VOUCH_E_NOMEM).
 */
int vouch_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t first);

/* Write all n bytes to fd, retrying short writes and EINTR. VOUCH_OK, or VOUCH_E_IO with
 * errno saying why (EIO when write made no progress). */
int vouch_write_all(int fd, const void *p, size_t n);

/* Shannon entropy in bits per byte (0..8) of a byte histogram. */
double vouch_entropy(const uint64_t hist[256], uint64_t total);

/* Monotonic seconds. */
double vouch_now(void);

#endif
