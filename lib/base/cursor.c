/*
 * base/cursor.c: the bounds-checked byte cursor through which all image bytes are parsed.
 *
 * Every getter either consumes exactly what it reports or fails with VOUCH_E_MALFORMED and
 * leaves the cursor where it was, so a parser can report the offset of the short read.
 */
#include <string.h>

#include "base/base.h"

int
vouch_rd_seek(vouch_rd *r, uint64_t pos)
{
	if (pos > r->len) {
		return VOUCH_E_MALFORMED;
	}
	r->pos = (size_t)pos;
	return VOUCH_OK;
}

int
vouch_rd_skip(vouch_rd *r, uint64_t n)
{
	if (n > vouch_rd_left(r)) {
		return VOUCH_E_MALFORMED;
	}
	r->pos += (size_t)n;
	return VOUCH_OK;
}

int
vouch_rd_view(vouch_rd *r, size_t n, const uint8_t **p)
{
	if (n > vouch_rd_left(r)) {
		return VOUCH_E_MALFORMED;
	}
	*p = r->p + r->pos;
	r->pos += n;
	return VOUCH_OK;
}

int
vouch_rd_bytes(vouch_rd *r, void *dst, size_t n)
{
	const uint8_t *p;
	int rc = vouch_rd_view(r, n, &p);

	if (rc == VOUCH_OK && n > 0) {
		memcpy(dst, p, n);
	}
	return rc;
}

int
vouch_rd_sub(vouch_rd *r, size_t n, vouch_rd *sub)
{
	const uint8_t *p;
	int rc = vouch_rd_view(r, n, &p);

	if (rc == VOUCH_OK) {
		vouch_rd_init(sub, p, n);
	}
	return rc;
}

int
vouch_rd_u8(vouch_rd *r, uint8_t *v)
{
	const uint8_t *p;
	int rc = vouch_rd_view(r, 1, &p);

	if (rc == VOUCH_OK) {
		*v = p[0];
	}
	return rc;
}

#define RD_INT(fn, type, n, expr)                  \
	int fn(vouch_rd *r, type *v)               \
	{                                          \
		const uint8_t *p;                  \
		int rc = vouch_rd_view(r, (n), &p); \
		if (rc == VOUCH_OK) {              \
			*v = (expr);               \
		}                                  \
		return rc;                         \
	}

RD_INT(vouch_rd_u16le, uint16_t, 2, vouch_load_u16le(p))
RD_INT(vouch_rd_u16be, uint16_t, 2, vouch_load_u16be(p))
RD_INT(vouch_rd_u32le, uint32_t, 4, vouch_load_u32le(p))
RD_INT(vouch_rd_u32be, uint32_t, 4, vouch_load_u32be(p))
RD_INT(vouch_rd_u64le, uint64_t, 8, (uint64_t)vouch_load_u32le(p + 4) << 32 | vouch_load_u32le(p))
RD_INT(vouch_rd_u64be, uint64_t, 8, (uint64_t)vouch_load_u32be(p) << 32 | vouch_load_u32be(p + 4))
