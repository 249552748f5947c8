/*
 * unpack/formats/stream.c: single-stream compression formats: gzip, xz, lzma (legacy .lzma),
 * bzip2, zstd, lz4 (frame and legacy), lzop and raw zlib.
 *
 * Each stream is decoded with its own maintained library (zlib, liblzma, libbz2, libzstd,
 * liblz4, liblzo2) in fixed-size chunks (64 KiB in, 256 KiB out), straight into the member
 * spool, so memory stays bounded whatever the expansion; the bomb limits (ratio, total bytes)
 * are enforced by the engine on every write. The decoder reports exactly how many input bytes
 * the stream used, which becomes the region's length, so data after the stream is still
 * accounted for (carved or listed as unrecognised). The one member is called "data" (never a
 * name from the stream: a gzip FNAME is attacker-chosen and adds nothing).
 *
 * How. The streaming codecs share one driver (stream_run): a codec is three small functions
 * (begin a member, decode one step, is another member next), the driver owns buffers, input
 * positions, truncation and corruption handling. Concatenated members (gzip, xz with its
 * stream padding, bzip2, zstd and lz4 frames) continue into the same "data", as their own
 * tools do; a member is continued only when the bytes after the previous one carry a valid
 * header, so trailing data is never fed to the decoder. lzop and legacy lz4 are block formats:
 * each has a short block loop of its own; the lzop file header is parsed by hand through the
 * byte cursor (there is no library for it) and its checksums are verified.
 *
 * Probes are cheap but strict, as carving tries them at every signature hit: header fields
 * and header checksums (xz, lzop, lz4), and for the weak signatures (legacy lzma, whose first
 * bytes are common, and zlib) a trial decode of the first bytes. zlib is whole_only even so:
 * zlib streams live inside other formats (PNG, ELF sections) that are not ours to take apart.
 * Rejected: libarchive's filters (nesting would be hidden, exact input consumption lost);
 * decoding whole buffers (memory = output size); LZMA_CONCATENATED (it would try to decode
 * trailing data as another stream and report an error that is not one).
 */
#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "unpack/unpack.h"

#define IN_CHUNK (64u * 1024u)
#define OUT_CHUNK (256u * 1024u)
/* liblzma dictionary memory for one stream: xz -9 needs 65 MiB, real firmware less */
#define LZMA_MEMLIMIT (256ULL << 20)
/* lzop's own ceiling on one block (MAX_BLOCK_SIZE in lzop) */
#define LZOP_MAX_BLOCK (64u << 20)
/* a legacy lz4 block decompresses to at most 8 MiB */
#define LZ4_LEGACY_BLOCK (8u << 20)
/* how far past a member stream padding (zeros) is followed before giving up */
#define MAX_PADDING 4096u

/* ---- the shared driver ----------------------------------------------------------------- */

typedef enum step_rc { STEP_OK, STEP_END, STEP_ERR } step_rc;

typedef struct codec codec;
struct codec {
	const char *name;
	/* (Re)start decoding a member that begins at `at`; *in_start = where input begins. */
	int (*begin)(codec *c, const vouch_src *s, uint64_t at, uint64_t *in_start);
	/* Decode from in[0..inlen) into out[0..outlen); report bytes used and produced. */
	step_rc (*step)(codec *c, const uint8_t *in, size_t inlen, size_t *used, uint8_t *out,
			size_t outlen, size_t *produced);
	/* Does another member follow at `at`? *next = where it starts (after padding). */
	bool (*more)(const vouch_src *s, uint64_t at, uint64_t *next);
	void (*end)(codec *c);
	const char *msg; /* detail of the last STEP_ERR */
	int err;         /* vouch_err of the last STEP_ERR (default MALFORMED) */
	union {
		z_stream z;
		lzma_stream x;
		bz_stream b;
	} u;
	ZSTD_DCtx *zd;
	LZ4F_dctx *ld;
	bool live;
};

static int
stream_run(vouch_job *j, const vouch_src *s, codec *c)
{
	uint8_t *in, *out;
	vouch_member *m = NULL;
	vouch_meta meta;
	uint64_t inpos = 0, bufpos = 0; /* next read offset; source offset of in[0] */
	size_t have = 0, off = 0;       /* bytes in `in`; bytes of them used */
	bool flush = false;
	int rc;

	memset(&meta, 0, sizeof(meta));
	in = vouch_arena_alloc(vouch_job_arena(j), IN_CHUNK);
	out = vouch_arena_alloc(vouch_job_arena(j), OUT_CHUNK);
	if (in == NULL || out == NULL) {
		return VOUCH_E_NOMEM;
	}
	if ((rc = c->begin(c, s, 0, &inpos)) != VOUCH_OK) {
		goto out;
	}
	bufpos = inpos;
	if ((rc = vouch_member_begin(j, "data", 4, &meta, &m)) != VOUCH_OK) {
		goto out;
	}
	for (;;) {
		size_t used = 0, produced = 0;
		step_rc sr;

		if (off == have && !flush) {
			size_t got = 0;
			if ((rc = vouch_src_read_some(s, inpos, in, IN_CHUNK, &got)) != VOUCH_OK) {
				goto out;
			}
			if (got == 0) {
				vouch_job_set_consumed(j, inpos);
				rc = vouch_member_abort(m, VOUCH_E_MALFORMED, inpos,
							"%s stream truncated", c->name);
				m = NULL;
				goto out;
			}
			bufpos = inpos;
			inpos += got;
			have = got;
			off = 0;
		}
		sr = c->step(c, in + off, have - off, &used, out, OUT_CHUNK, &produced);
		off += used;
		if (produced > 0 && (rc = vouch_member_write(m, out, produced)) != VOUCH_OK) {
			goto out;
		}
		flush = produced == OUT_CHUNK;
		if (sr == STEP_ERR) {
			vouch_job_set_consumed(j, bufpos + off);
			rc = vouch_member_abort(m, c->err, bufpos + off, "%s: %s", c->name,
						c->msg ? c->msg : "corrupt data");
			m = NULL;
			goto out;
		}
		if (sr == STEP_END) {
			uint64_t end = bufpos + off, next;
			flush = false;
			if (!c->more(s, end, &next)) {
				vouch_job_set_consumed(j, end);
				break;
			}
			if ((rc = c->begin(c, s, next, &inpos)) != VOUCH_OK) {
				vouch_job_set_consumed(j, end);
				goto out;
			}
			bufpos = inpos;
			have = off = 0;
			continue;
		}
		if (used == 0 && produced == 0 && off < have && !flush) {
			/* a decoder that neither reads nor writes would spin forever */
			vouch_job_set_consumed(j, bufpos + off);
			rc = vouch_member_abort(m, VOUCH_E_MALFORMED, bufpos + off,
						"%s: decoder made no progress", c->name);
			m = NULL;
			goto out;
		}
	}
	rc = vouch_member_end(m);
	m = NULL;
out:
	if (m != NULL) {
		vouch_member_abort(m, rc, bufpos + off, "%s: stopped", c->name);
	}
	if (c->live && c->end != NULL) {
		c->end(c);
	}
	return rc;
}

/* Skip zero padding (in steps of `align`, at most MAX_PADDING) and read `n` bytes after it. */
static bool
after_padding(const vouch_src *s, uint64_t at, unsigned align, uint8_t *b, size_t n,
	      uint64_t *next)
{
	uint8_t pad[MAX_PADDING];
	size_t got = 0, z = 0;

	if (vouch_src_read_some(s, at, pad, sizeof(pad), &got) != VOUCH_OK) {
		return false;
	}
	while (align > 0 && z + align <= got) {
		bool allz = true;
		for (unsigned i = 0; i < align; i++) {
			allz = allz && pad[z + i] == 0;
		}
		if (!allz) {
			break;
		}
		z += align;
	}
	if (vouch_src_read(s, at + z, b, n) != VOUCH_OK) {
		return false;
	}
	*next = at + z;
	return true;
}

/* ---- gzip ------------------------------------------------------------------------------- */

static bool
gzip_header_ok(const uint8_t h[10])
{
	/* magic, method deflate, reserved flag bits clear, a known XFL and OS */
	return h[0] == 0x1f && h[1] == 0x8b && h[2] == 8 && (h[3] & 0xE0) == 0 &&
	       (h[8] == 0 || h[8] == 2 || h[8] == 4) && (h[9] <= 13 || h[9] == 255);
}

/*
 * Trial: inflate the first 64 KiB of input (at most 1 MiB out) and require no error. A
 * false signature hit fails within a few bytes (a bad block type, stored length, code set
 * or distance), so carving does not record a "corrupt" stream for every stray 1f 8b 08.
 */
static int
inflate_trial(vouch_job *j, const vouch_src *s, int wbits)
{
	uint8_t *in, *out;
	size_t got = 0;
	z_stream z;
	int zrc;

	in = vouch_arena_alloc(vouch_job_arena(j), IN_CHUNK);
	out = vouch_arena_alloc(vouch_job_arena(j), OUT_CHUNK);
	if (in == NULL || out == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (vouch_src_read_some(s, 0, in, IN_CHUNK, &got) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, wbits) != Z_OK) {
		return VOUCH_E_NOMEM;
	}
	z.next_in = in;
	z.avail_in = (uInt)got;
	do {
		z.next_out = out;
		z.avail_out = OUT_CHUNK;
		zrc = inflate(&z, Z_NO_FLUSH);
	} while (zrc == Z_OK && z.avail_out == 0 && z.total_out < 4 * OUT_CHUNK);
	inflateEnd(&z);
	if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR) {
		return VOUCH_E_MALFORMED;
	}
	return VOUCH_OK;
}

static int
gzip_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[10];
	int rc;

	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK || !gzip_header_ok(h)) {
		return VOUCH_E_MALFORMED;
	}
	if ((rc = inflate_trial(j, s, 16 + MAX_WBITS)) != VOUCH_OK) {
		return rc;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
z_begin(codec *c, int wbits, uint64_t at, uint64_t *in_start)
{
	if (c->live) {
		if (inflateReset2(&c->u.z, wbits) != Z_OK) {
			return VOUCH_E_INTERNAL;
		}
	} else {
		memset(&c->u.z, 0, sizeof(c->u.z));
		if (inflateInit2(&c->u.z, wbits) != Z_OK) {
			return VOUCH_E_NOMEM;
		}
		c->live = true;
	}
	*in_start = at;
	return VOUCH_OK;
}

static int
gzip_begin(codec *c, const vouch_src *s, uint64_t at, uint64_t *in_start)
{
	(void)s;
	return z_begin(c, 16 + MAX_WBITS, at, in_start);
}

static int
zlib_begin(codec *c, const vouch_src *s, uint64_t at, uint64_t *in_start)
{
	(void)s;
	return z_begin(c, MAX_WBITS, at, in_start);
}

static step_rc
z_step(codec *c, const uint8_t *in, size_t inlen, size_t *used, uint8_t *out, size_t outlen,
       size_t *produced)
{
	z_stream *z = &c->u.z;
	int zrc;

	z->next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const-correct */
	z->avail_in = (uInt)inlen;
	z->next_out = out;
	z->avail_out = (uInt)outlen;
	zrc = inflate(z, Z_NO_FLUSH);
	*used = inlen - z->avail_in;
	*produced = outlen - z->avail_out;
	if (zrc == Z_STREAM_END) {
		return STEP_END;
	}
	if (zrc == Z_OK || (zrc == Z_BUF_ERROR && (*used > 0 || *produced > 0 || inlen == 0))) {
		return STEP_OK;
	}
	c->msg = z->msg ? z->msg : "corrupt deflate data";
	return STEP_ERR;
}

static void
z_end(codec *c)
{
	inflateEnd(&c->u.z);
}

static bool
gzip_more(const vouch_src *s, uint64_t at, uint64_t *next)
{
	uint8_t h[10];

	/* another member right after this one (no padding: gzip has none) */
	if (vouch_src_read(s, at, h, sizeof(h)) != VOUCH_OK || !gzip_header_ok(h)) {
		return false;
	}
	*next = at;
	return true;
}

static int
gzip_extract(vouch_job *j, const vouch_src *s)
{
	codec c = {.name = "gzip", .begin = gzip_begin, .step = z_step, .more = gzip_more,
		   .end = z_end, .err = VOUCH_E_MALFORMED};
	return stream_run(j, s, &c);
}

/* ---- zlib ------------------------------------------------------------------------------- */

static bool
no_more(const vouch_src *s, uint64_t at, uint64_t *next)
{
	(void)s;
	(void)at;
	(void)next;
	return false;
}

static int
zlib_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[2];
	int rc;

	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	/* deflate with a 32 KiB window, header check, no preset dictionary */
	if (h[0] != 0x78 || ((unsigned)h[0] << 8 | h[1]) % 31 != 0 || (h[1] & 0x20)) {
		return VOUCH_E_MALFORMED;
	}
	if ((rc = inflate_trial(j, s, MAX_WBITS)) != VOUCH_OK) {
		return rc;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
zlib_extract(vouch_job *j, const vouch_src *s)
{
	codec c = {.name = "zlib", .begin = zlib_begin, .step = z_step, .more = no_more,
		   .end = z_end, .err = VOUCH_E_MALFORMED};
	return stream_run(j, s, &c);
}

/* ---- xz and lzma ------------------------------------------------------------------------ */

static step_rc
x_step(codec *c, const uint8_t *in, size_t inlen, size_t *used, uint8_t *out, size_t outlen,
       size_t *produced)
{
	lzma_stream *x = &c->u.x;
	lzma_ret r;

	x->next_in = in;
	x->avail_in = inlen;
	x->next_out = out;
	x->avail_out = outlen;
	r = lzma_code(x, LZMA_RUN);
	*used = inlen - x->avail_in;
	*produced = outlen - x->avail_out;
	switch (r) {
	case LZMA_OK:
		return STEP_OK;
	case LZMA_STREAM_END:
		return STEP_END;
	case LZMA_BUF_ERROR:
		return STEP_OK; /* the driver decides whether this is a stall */
	case LZMA_MEMLIMIT_ERROR:
	case LZMA_MEM_ERROR:
		c->err = VOUCH_E_UNSUPPORTED;
		c->msg = "stream needs more than 256 MiB of decoder memory";
		return STEP_ERR;
	case LZMA_OPTIONS_ERROR:
		c->err = VOUCH_E_UNSUPPORTED;
		c->msg = "unsupported options (filter or check)";
		return STEP_ERR;
	case LZMA_DATA_ERROR:
		c->msg = "corrupt compressed data";
		return STEP_ERR;
	case LZMA_FORMAT_ERROR:
		c->msg = "not a valid stream header";
		return STEP_ERR;
	default:
		c->msg = "decoder error";
		return STEP_ERR;
	}
}

static void
x_end(codec *c)
{
	lzma_end(&c->u.x);
	c->live = false;
}

static bool
xz_header_ok(const uint8_t h[12])
{
	/* magic, stream flags (reserved bits clear, a defined check type), their CRC32 */
	static const uint8_t magic[6] = {0xFD, '7', 'z', 'X', 'Z', 0};
	return memcmp(h, magic, 6) == 0 && h[6] == 0 && (h[7] & 0xF0) == 0 &&
	       crc32(0, h + 6, 2) == vouch_load_u32le(h + 8);
}

static int
xz_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[12];

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK || !xz_header_ok(h)) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
xz_begin(codec *c, const vouch_src *s, uint64_t at, uint64_t *in_start)
{
	(void)s;
	if (c->live) {
		x_end(c);
	}
	c->u.x = (lzma_stream)LZMA_STREAM_INIT;
	if (lzma_stream_decoder(&c->u.x, LZMA_MEMLIMIT, 0) != LZMA_OK) {
		return VOUCH_E_NOMEM;
	}
	c->live = true;
	*in_start = at;
	return VOUCH_OK;
}

static bool
xz_more(const vouch_src *s, uint64_t at, uint64_t *next)
{
	uint8_t h[12];

	/* stream padding is a multiple of four zero bytes */
	return after_padding(s, at, 4, h, sizeof(h), next) && xz_header_ok(h);
}

static int
xz_extract(vouch_job *j, const vouch_src *s)
{
	codec c = {.name = "xz", .begin = xz_begin, .step = x_step, .more = xz_more, .end = x_end,
		   .err = VOUCH_E_MALFORMED};
	return stream_run(j, s, &c);
}

/*
 * Legacy .lzma header: properties byte (lc/lp/pb), dictionary size, uncompressed size
 * (UINT64_MAX = unknown, then an end marker is required). We hold it to what the LZMA SDK
 * and xz write: dictionary 2^n or 2^n + 2^(n-1) between 4 KiB and 1.5 GiB, size < 2^48.
 */
static bool
lzma_header_ok(const uint8_t h[13], uint32_t *dict, uint64_t *size)
{
	vouch_rd r;
	uint8_t props;

	vouch_rd_init(&r, h, 13);
	if (vouch_rd_u8(&r, &props) || vouch_rd_u32le(&r, dict) || vouch_rd_u64le(&r, size)) {
		return false;
	}
	if (props > 224 || *dict < 4096 || *dict > (3u << 29)) {
		return false;
	}
	uint32_t d = *dict;
	uint32_t lowbit = d & (~d + 1);
	if (d != lowbit && d != lowbit * 3) {
		return false;
	}
	return *size == UINT64_MAX || (*size > 0 && *size < (1ULL << 48));
}

/* The header handed to liblzma: a dictionary no larger than the known output needs. */
static void
lzma_shrink_dict(const uint8_t h[13], uint8_t o[13], uint32_t cap)
{
	uint32_t dict = vouch_load_u32le(h + 1);
	uint64_t size = UINT64_MAX;
	vouch_rd r;

	memcpy(o, h, 13);
	vouch_rd_init(&r, h + 5, 8);
	(void)vouch_rd_u64le(&r, &size);
	if (size != UINT64_MAX && size < dict) {
		dict = (uint32_t)VOUCH_MAX(size, 4096u);
	}
	dict = VOUCH_MIN(dict, cap);
	o[1] = (uint8_t)dict;
	o[2] = (uint8_t)(dict >> 8);
	o[3] = (uint8_t)(dict >> 16);
	o[4] = (uint8_t)(dict >> 24);
}

static int
lzma_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[13], hh[13], *in, *out;
	uint32_t dict;
	uint64_t size;
	size_t got = 0;
	lzma_stream x = LZMA_STREAM_INIT;
	lzma_ret r;

	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK || !lzma_header_ok(h, &dict, &size)) {
		return VOUCH_E_MALFORMED;
	}
	in = vouch_arena_alloc(vouch_job_arena(j), 16u * 1024u);
	out = vouch_arena_alloc(vouch_job_arena(j), 64u * 1024u);
	if (in == NULL || out == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (vouch_src_read_some(s, 13, in, 16u * 1024u, &got) != VOUCH_OK || got == 0) {
		return VOUCH_E_MALFORMED;
	}
	/* trial decode of the first bytes: distances cannot exceed the 64 KiB written, so a
	 * 64 KiB dictionary decodes them exactly and keeps a false positive cheap */
	lzma_shrink_dict(h, hh, 64u * 1024u);
	if (lzma_alone_decoder(&x, LZMA_MEMLIMIT) != LZMA_OK) {
		return VOUCH_E_NOMEM;
	}
	x.next_in = hh;
	x.avail_in = sizeof(hh);
	x.next_out = out;
	x.avail_out = 64u * 1024u;
	r = lzma_code(&x, LZMA_RUN);
	if (r == LZMA_OK) {
		x.next_in = in;
		x.avail_in = got;
		r = lzma_code(&x, LZMA_RUN);
	}
	uint64_t produced = x.total_out;
	lzma_end(&x);
	if (r != LZMA_OK && r != LZMA_STREAM_END && r != LZMA_BUF_ERROR) {
		return VOUCH_E_MALFORMED;
	}
	if (produced == 0) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
lzma_begin(codec *c, const vouch_src *s, uint64_t at, uint64_t *in_start)
{
	uint8_t h[13], hh[13];
	uint8_t none[16];

	if (vouch_src_read(s, at, h, sizeof(h)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	c->u.x = (lzma_stream)LZMA_STREAM_INIT;
	if (lzma_alone_decoder(&c->u.x, LZMA_MEMLIMIT) != LZMA_OK) {
		return VOUCH_E_NOMEM;
	}
	c->live = true;
	/* feed the header (with a dictionary no larger than needed) ahead of the data */
	lzma_shrink_dict(h, hh, UINT32_MAX);
	c->u.x.next_in = hh;
	c->u.x.avail_in = sizeof(hh);
	c->u.x.next_out = none; /* the header alone yields no output: the range coder needs data */
	c->u.x.avail_out = sizeof(none);
	lzma_ret r = lzma_code(&c->u.x, LZMA_RUN);
	if ((r != LZMA_OK && r != LZMA_BUF_ERROR) || c->u.x.avail_in != 0 ||
	    c->u.x.total_out != 0) {
		return r == LZMA_MEMLIMIT_ERROR ? VOUCH_E_UNSUPPORTED : VOUCH_E_MALFORMED;
	}
	*in_start = at + 13;
	return VOUCH_OK;
}

static int
lzma_extract(vouch_job *j, const vouch_src *s)
{
	codec c = {.name = "lzma", .begin = lzma_begin, .step = x_step, .more = no_more,
		   .end = x_end, .err = VOUCH_E_MALFORMED};
	return stream_run(j, s, &c);
}

/* ---- bzip2 ------------------------------------------------------------------------------ */

static bool
bzip2_header_ok(const uint8_t h[10])
{
	/* "BZh", block size 1-9, then a block (pi) or the end of stream (sqrt pi) */
	return h[0] == 'B' && h[1] == 'Z' && h[2] == 'h' && h[3] >= '1' && h[3] <= '9' &&
	       (memcmp(h + 4, "\x31\x41\x59\x26\x53\x59", 6) == 0 ||
		memcmp(h + 4, "\x17\x72\x45\x38\x50\x90", 6) == 0);
}

static int
bzip2_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[10];

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK || !bzip2_header_ok(h)) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static void
bz_end(codec *c)
{
	BZ2_bzDecompressEnd(&c->u.b);
	c->live = false;
}

static int
bzip2_begin(codec *c, const vouch_src *s, uint64_t at, uint64_t *in_start)
{
	(void)s;
	if (c->live) {
		bz_end(c);
	}
	memset(&c->u.b, 0, sizeof(c->u.b));
	if (BZ2_bzDecompressInit(&c->u.b, 0, 0) != BZ_OK) {
		return VOUCH_E_NOMEM;
	}
	c->live = true;
	*in_start = at;
	return VOUCH_OK;
}

static step_rc
bz_step(codec *c, const uint8_t *in, size_t inlen, size_t *used, uint8_t *out, size_t outlen,
	size_t *produced)
{
	bz_stream *b = &c->u.b;
	unsigned cin = (unsigned)VOUCH_MIN(inlen, (size_t)UINT32_MAX);
	int r;

	b->next_in = (char *)(uintptr_t)in; /* libbz2's API is not const-correct */
	b->avail_in = cin;
	b->next_out = (char *)out;
	b->avail_out = (unsigned)outlen;
	r = BZ2_bzDecompress(b);
	*used = cin - b->avail_in;
	*produced = outlen - b->avail_out;
	if (r == BZ_STREAM_END) {
		return STEP_END;
	}
	if (r == BZ_OK) {
		return STEP_OK;
	}
	c->msg = r == BZ_MEM_ERROR ? "out of memory" : "corrupt compressed data";
	return STEP_ERR;
}

static bool
bzip2_more(const vouch_src *s, uint64_t at, uint64_t *next)
{
	uint8_t h[10];

	if (vouch_src_read(s, at, h, sizeof(h)) != VOUCH_OK || !bzip2_header_ok(h)) {
		return false;
	}
	*next = at;
	return true;
}

static int
bzip2_extract(vouch_job *j, const vouch_src *s)
{
	codec c = {.name = "bzip2", .begin = bzip2_begin, .step = bz_step, .more = bzip2_more,
		   .end = bz_end, .err = VOUCH_E_MALFORMED};
	return stream_run(j, s, &c);
}

/* ---- zstd ------------------------------------------------------------------------------- */

#define ZSTD_SKIP_MAGIC 0x184D2A50u

/* A zstd frame header (RFC 8878 3.1.1) with a valid first block header, or a skippable
 * frame that fits. */
static bool
zstd_frame_ok(const vouch_src *s, uint64_t at)
{
	uint8_t h[18 + 3];
	size_t got = 0, hl;
	uint32_t magic;
	uint8_t fhd;

	if (vouch_src_read_some(s, at, h, sizeof(h), &got) != VOUCH_OK || got < 8) {
		return false;
	}
	magic = vouch_load_u32le(h);
	if ((magic & 0xFFFFFFF0u) == ZSTD_SKIP_MAGIC) {
		uint64_t end;
		return vouch_add_u64(at + 8, vouch_load_u32le(h + 4), &end) && end <= s->len;
	}
	if (magic != 0xFD2FB528u) {
		return false;
	}
	fhd = h[4];
	if (fhd & 0x08) {
		return false; /* reserved bit */
	}
	static const uint8_t did_size[4] = {0, 1, 2, 4};
	static const uint8_t fcs_size[4] = {0, 2, 4, 8};
	bool single = fhd & 0x20;
	hl = 5;
	if (!single) {
		if ((h[5] >> 3) > 31 - 10) {
			return false; /* window log above 31 */
		}
		hl++;
	}
	hl += did_size[fhd & 3];
	hl += (fhd >> 6) == 0 ? (single ? 1u : 0u) : fcs_size[fhd >> 6];
	if (got < hl + 3) {
		return false;
	}
	/* first block: type 3 is reserved */
	return ((h[hl] >> 1) & 3) != 3;
}

static int
zstd_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	(void)j;
	if (!zstd_frame_ok(s, 0)) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
zstd_begin(codec *c, const vouch_src *s, uint64_t at, uint64_t *in_start)
{
	(void)s;
	if (c->zd == NULL) {
		c->zd = ZSTD_createDCtx();
		if (c->zd == NULL) {
			return VOUCH_E_NOMEM;
		}
		c->live = true;
	} else {
		ZSTD_DCtx_reset(c->zd, ZSTD_reset_session_only);
	}
	*in_start = at;
	return VOUCH_OK;
}

static step_rc
zstd_step(codec *c, const uint8_t *in, size_t inlen, size_t *used, uint8_t *out, size_t outlen,
	  size_t *produced)
{
	ZSTD_inBuffer ib = {in, inlen, 0};
	ZSTD_outBuffer ob = {out, outlen, 0};
	size_t r = ZSTD_decompressStream(c->zd, &ob, &ib);

	*used = ib.pos;
	*produced = ob.pos;
	if (ZSTD_isError(r)) {
		c->msg = ZSTD_getErrorName(r);
		if (ZSTD_getErrorCode(r) == ZSTD_error_frameParameter_windowTooLarge) {
			c->err = VOUCH_E_UNSUPPORTED;
		}
		return STEP_ERR;
	}
	/* 0: a frame is complete and flushed; the decoder stops at the frame's end */
	return r == 0 ? STEP_END : STEP_OK;
}

static void
zstd_end(codec *c)
{
	ZSTD_freeDCtx(c->zd);
	c->zd = NULL;
	c->live = false;
}

static bool
zstd_more(const vouch_src *s, uint64_t at, uint64_t *next)
{
	if (!zstd_frame_ok(s, at)) {
		return false;
	}
	*next = at;
	return true;
}

static int
zstd_extract(vouch_job *j, const vouch_src *s)
{
	codec c = {.name = "zstd", .begin = zstd_begin, .step = zstd_step, .more = zstd_more,
		   .end = zstd_end, .err = VOUCH_E_MALFORMED};
	return stream_run(j, s, &c);
}

/* ---- lz4 frames ------------------------------------------------------------------------- */

#define LZ4_FRAME_MAGIC 0x184D2204u
#define LZ4_LEGACY_MAGIC 0x184C2102u

/* An lz4 frame header whose checksum liblz4 accepts, or a skippable frame that fits. */
static bool
lz4_frame_ok(const vouch_src *s, uint64_t at)
{
	uint8_t h[LZ4F_HEADER_SIZE_MAX];
	size_t got = 0, hsize;
	LZ4F_dctx *d = NULL;
	LZ4F_frameInfo_t fi;
	uint32_t magic;
	bool ok;

	if (vouch_src_read_some(s, at, h, sizeof(h), &got) != VOUCH_OK || got < 8) {
		return false;
	}
	magic = vouch_load_u32le(h);
	if ((magic & 0xFFFFFFF0u) == ZSTD_SKIP_MAGIC) {
		uint64_t end;
		return vouch_add_u64(at + 8, vouch_load_u32le(h + 4), &end) && end <= s->len;
	}
	/* FLG: version 01, reserved bit clear; BD: reserved bits clear, block size 4-7 */
	if (magic != LZ4_FRAME_MAGIC || got < 7 || (h[4] >> 6) != 1 || (h[4] & 0x02) ||
	    (h[5] & 0x8F) || ((h[5] >> 4) & 7) < 4) {
		return false;
	}
	hsize = LZ4F_headerSize(h, got);
	if (LZ4F_isError(hsize) || hsize > got) {
		return false;
	}
	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION))) {
		return false;
	}
	ok = !LZ4F_isError(LZ4F_getFrameInfo(d, &fi, h, &hsize));
	LZ4F_freeDecompressionContext(d);
	return ok;
}

static int
lz4_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[8];

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (vouch_load_u32le(h) == LZ4_LEGACY_MAGIC) {
		/* legacy: the first block's size must be one an lz4 compressor could write */
		uint32_t bs = vouch_load_u32le(h + 4);
		if (bs == 0 || bs > (uint32_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK)) {
			return VOUCH_E_MALFORMED;
		}
	} else if (!lz4_frame_ok(s, 0)) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
lz4f_begin(codec *c, const vouch_src *s, uint64_t at, uint64_t *in_start)
{
	(void)s;
	if (c->ld == NULL) {
		if (LZ4F_isError(LZ4F_createDecompressionContext(&c->ld, LZ4F_VERSION))) {
			c->ld = NULL;
			return VOUCH_E_NOMEM;
		}
		c->live = true;
	} else {
		LZ4F_resetDecompressionContext(c->ld);
	}
	*in_start = at;
	return VOUCH_OK;
}

static step_rc
lz4f_step(codec *c, const uint8_t *in, size_t inlen, size_t *used, uint8_t *out, size_t outlen,
	  size_t *produced)
{
	size_t sn = inlen, dn = outlen;
	size_t r = LZ4F_decompress(c->ld, out, &dn, in, &sn, NULL);

	*used = sn;
	*produced = dn;
	if (LZ4F_isError(r)) {
		c->msg = LZ4F_getErrorName(r);
		return STEP_ERR;
	}
	/* 0: the frame is fully decoded (and its checksum, if any, verified) */
	return r == 0 ? STEP_END : STEP_OK;
}

static void
lz4f_end(codec *c)
{
	LZ4F_freeDecompressionContext(c->ld);
	c->ld = NULL;
	c->live = false;
}

static bool
lz4f_more(const vouch_src *s, uint64_t at, uint64_t *next)
{
	if (!lz4_frame_ok(s, at)) {
		return false;
	}
	*next = at;
	return true;
}

/*
 * Legacy lz4 (the Linux kernel's): the magic, then blocks of (u32 LE compressed size, data),
 * each decompressing to at most 8 MiB, with no end marker: the stream ends at the end of the
 * input, or at a size no compressor could write (another magic, the kernel's appended size).
 */
static int
lz4_legacy_extract(vouch_job *j, const vouch_src *s)
{
	uint8_t *in = NULL, *out = NULL;
	vouch_member *m = NULL;
	vouch_meta meta;
	uint64_t pos = 4;
	uint32_t maxc = (uint32_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK);
	int rc;

	memset(&meta, 0, sizeof(meta));
	in = malloc(maxc);
	out = malloc(LZ4_LEGACY_BLOCK);
	if (in == NULL || out == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	if ((rc = vouch_member_begin(j, "data", 4, &meta, &m)) != VOUCH_OK) {
		goto out;
	}
	for (;;) {
		uint8_t b[4];
		uint32_t bs;
		int n;

		if (vouch_src_read(s, pos, b, 4) != VOUCH_OK) {
			break; /* end of input */
		}
		bs = vouch_load_u32le(b);
		if (bs == 0 || bs > maxc) {
			break; /* not a block: the stream has ended */
		}
		if (vouch_src_read(s, pos + 4, in, bs) != VOUCH_OK) {
			vouch_job_set_consumed(j, s->len);
			rc = vouch_member_abort(m, VOUCH_E_MALFORMED, pos, "lz4: block truncated");
			m = NULL;
			goto out;
		}
		n = LZ4_decompress_safe((const char *)in, (char *)out, (int)bs,
					(int)LZ4_LEGACY_BLOCK);
		if (n < 0) {
			vouch_job_set_consumed(j, pos);
			rc = vouch_member_abort(m, VOUCH_E_MALFORMED, pos, "lz4: corrupt block");
			m = NULL;
			goto out;
		}
		for (size_t o = 0; o < (size_t)n; o += OUT_CHUNK) {
			size_t c = VOUCH_MIN((size_t)n - o, (size_t)OUT_CHUNK);
			if ((rc = vouch_member_write(m, out + o, c)) != VOUCH_OK) {
				goto out;
			}
		}
		pos += 4 + (uint64_t)bs;
	}
	vouch_job_set_consumed(j, pos);
	rc = vouch_member_end(m);
	m = NULL;
out:
	if (m != NULL) {
		vouch_member_abort(m, rc, pos, "lz4: stopped");
	}
	free(in);
	free(out);
	return rc;
}

static int
lz4_extract(vouch_job *j, const vouch_src *s)
{
	uint8_t h[4];

	if (vouch_src_read(s, 0, h, sizeof(h)) == VOUCH_OK &&
	    vouch_load_u32le(h) == LZ4_LEGACY_MAGIC) {
		return lz4_legacy_extract(j, s);
	}
	codec c = {.name = "lz4", .begin = lz4f_begin, .step = lz4f_step, .more = lz4f_more,
		   .end = lz4f_end, .err = VOUCH_E_MALFORMED};
	return stream_run(j, s, &c);
}

/* ---- lzop ------------------------------------------------------------------------------- */

/* flags of the lzop file header (lzop's conf.h) */
#define LZOP_F_ADLER32_D 0x00000001u
#define LZOP_F_ADLER32_C 0x00000002u
#define LZOP_F_H_EXTRA_FIELD 0x00000040u
#define LZOP_F_CRC32_D 0x00000100u
#define LZOP_F_CRC32_C 0x00000200u
#define LZOP_F_H_FILTER 0x00000800u
#define LZOP_F_H_CRC32 0x00001000u
#define LZOP_MAGIC "\x89LZO\x00\r\n\x1a\n"

typedef struct lzop_hdr {
	uint16_t version;
	uint8_t method;
	uint32_t flags;
	uint32_t mode;
	uint64_t data; /* offset of the first block */
} lzop_hdr;

/*
 * Parse the lzop file header: magic, versions, method, level, flags, [filter], mode, mtime,
 * name, and the header checksum (Adler-32, or CRC-32 with F_H_CRC32) over everything from
 * the version to the end of the name; then the optional extra field.
 */
static int
lzop_header(const vouch_src *s, lzop_hdr *hd)
{
	uint8_t b[9 + 2 + 2 + 2 + 1 + 1 + 4 + 4 + 4 + 4 + 4 + 1 + 255 + 4];
	size_t got = 0;
	vouch_rd r;
	uint16_t libver, needed = 0;
	uint8_t level = 0, nlen;
	uint32_t u32, sum, want;
	size_t start;

	memset(hd, 0, sizeof(*hd));
	if (vouch_src_read_some(s, 0, b, sizeof(b), &got) != VOUCH_OK || got < 9 ||
	    memcmp(b, LZOP_MAGIC, 9) != 0) {
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, b, got);
	if (vouch_rd_skip(&r, 9) || vouch_rd_u16be(&r, &hd->version) ||
	    vouch_rd_u16be(&r, &libver)) {
		return VOUCH_E_MALFORMED;
	}
	start = 9;
	if (hd->version < 0x0900 || libver < 0x0900) {
		return VOUCH_E_MALFORMED;
	}
	if (hd->version >= 0x0940 && vouch_rd_u16be(&r, &needed)) {
		return VOUCH_E_MALFORMED;
	}
	if (vouch_rd_u8(&r, &hd->method)) {
		return VOUCH_E_MALFORMED;
	}
	if (hd->version >= 0x0940 && vouch_rd_u8(&r, &level)) {
		return VOUCH_E_MALFORMED;
	}
	if (vouch_rd_u32be(&r, &hd->flags)) {
		return VOUCH_E_MALFORMED;
	}
	if ((hd->flags & LZOP_F_H_FILTER) && vouch_rd_u32be(&r, &u32)) {
		return VOUCH_E_MALFORMED;
	}
	if (vouch_rd_u32be(&r, &hd->mode) || vouch_rd_u32be(&r, &u32) /* mtime low */) {
		return VOUCH_E_MALFORMED;
	}
	if (hd->version >= 0x0940 && vouch_rd_u32be(&r, &u32) /* mtime high */) {
		return VOUCH_E_MALFORMED;
	}
	if (vouch_rd_u8(&r, &nlen) || vouch_rd_skip(&r, nlen)) {
		return VOUCH_E_MALFORMED;
	}
	size_t hend = r.pos;
	if (vouch_rd_u32be(&r, &want)) {
		return VOUCH_E_MALFORMED;
	}
	if (hd->flags & LZOP_F_H_CRC32) {
		sum = (uint32_t)crc32(0, b + start, (uInt)(hend - start));
	} else {
		sum = (uint32_t)adler32(1, b + start, (uInt)(hend - start));
	}
	if (sum != want) {
		return VOUCH_E_MALFORMED;
	}
	hd->data = r.pos;
	if (hd->flags & LZOP_F_H_EXTRA_FIELD) {
		uint8_t e[4];
		uint64_t end;
		if (vouch_src_read(s, hd->data, e, 4) != VOUCH_OK) {
			return VOUCH_E_MALFORMED;
		}
		/* length, the field, its checksum */
		if (!vouch_add_u64(hd->data + 4 + 4, vouch_load_u32be(e), &end) || end > s->len) {
			return VOUCH_E_MALFORMED;
		}
		hd->data = end;
	}
	return VOUCH_OK;
}

static int
lzop_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	lzop_hdr hd;

	(void)j;
	if (lzop_header(s, &hd) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
lzop_extract(vouch_job *j, const vouch_src *s)
{
	lzop_hdr hd;
	uint8_t *in = NULL, *out = NULL;
	size_t cap = 0;
	vouch_member *m = NULL;
	vouch_meta meta;
	uint64_t pos;
	const char *why = NULL;
	int rc;

	if ((rc = lzop_header(s, &hd)) != VOUCH_OK) {
		return rc;
	}
	if (hd.method < 1 || hd.method > 3) {
		vouch_job_error(j, VOUCH_E_UNSUPPORTED, 0, "lzop: method %u is not LZO1X",
				(unsigned)hd.method);
		return VOUCH_E_UNSUPPORTED;
	}
	if (lzo_init() != LZO_E_OK) {
		return VOUCH_E_INTERNAL;
	}
	memset(&meta, 0, sizeof(meta));
	meta.mode = hd.mode & 07777;
	meta.has_mode = hd.mode != 0;
	if ((rc = vouch_member_begin(j, "data", 4, &meta, &m)) != VOUCH_OK) {
		return rc;
	}
	pos = hd.data;
	for (;;) {
		uint8_t b[16];
		vouch_rd r;
		uint32_t dlen, clen, dsum[2] = {0, 0}, csum[2] = {0, 0};
		size_t hl;

		if ((rc = vouch_job_check(j)) != VOUCH_OK) {
			goto out;
		}
		if (vouch_src_read(s, pos, b, 4) != VOUCH_OK) {
			why = "stream truncated (no end marker)";
			break;
		}
		dlen = vouch_load_u32be(b);
		if (dlen == 0) {
			pos += 4;
			break; /* end of stream */
		}
		if (dlen > LZOP_MAX_BLOCK) {
			why = "block larger than 64 MiB";
			break;
		}
		/* compressed length, data checksums, compressed-data checksums */
		hl = 4 + ((hd.flags & LZOP_F_ADLER32_D) ? 4 : 0) +
		     ((hd.flags & LZOP_F_CRC32_D) ? 4 : 0);
		if (vouch_src_read(s, pos + 4, b, hl) != VOUCH_OK) {
			why = "block header truncated";
			break;
		}
		vouch_rd_init(&r, b, hl);
		(void)vouch_rd_u32be(&r, &clen);
		if (hd.flags & LZOP_F_ADLER32_D) {
			(void)vouch_rd_u32be(&r, &dsum[0]);
		}
		if (hd.flags & LZOP_F_CRC32_D) {
			(void)vouch_rd_u32be(&r, &dsum[1]);
		}
		pos += 4 + hl;
		if (clen > dlen || clen == 0) {
			why = "block compressed size is larger than its data";
			break;
		}
		if (clen < dlen) {
			size_t cl = ((hd.flags & LZOP_F_ADLER32_C) ? 4 : 0) +
				    ((hd.flags & LZOP_F_CRC32_C) ? 4 : 0);
			if (cl > 0 && vouch_src_read(s, pos, b, cl) != VOUCH_OK) {
				why = "block header truncated";
				break;
			}
			vouch_rd_init(&r, b, cl);
			if (hd.flags & LZOP_F_ADLER32_C) {
				(void)vouch_rd_u32be(&r, &csum[0]);
			}
			if (hd.flags & LZOP_F_CRC32_C) {
				(void)vouch_rd_u32be(&r, &csum[1]);
			}
			pos += cl;
		}
		if (dlen > cap) {
			/* blocks are usually 256 KiB; grow to the largest seen, at most 64 MiB */
			uint8_t *ni = realloc(in, dlen), *no;
			if (ni == NULL) {
				rc = VOUCH_E_NOMEM;
				goto out;
			}
			in = ni;
			no = realloc(out, dlen);
			if (no == NULL) {
				rc = VOUCH_E_NOMEM;
				goto out;
			}
			out = no;
			cap = dlen;
		}
		if (vouch_src_read(s, pos, in, clen) != VOUCH_OK) {
			why = "block data truncated";
			break;
		}
		const uint8_t *data = in;
		if (clen < dlen) {
			lzo_uint olen = dlen;
			if (((hd.flags & LZOP_F_ADLER32_C) && adler32(1, in, clen) != csum[0]) ||
			    ((hd.flags & LZOP_F_CRC32_C) && crc32(0, in, clen) != csum[1])) {
				why = "compressed block checksum mismatch";
				break;
			}
			if (lzo1x_decompress_safe(in, clen, out, &olen, NULL) != LZO_E_OK ||
			    olen != dlen) {
				why = "corrupt LZO1X block";
				break;
			}
			data = out;
		}
		if (((hd.flags & LZOP_F_ADLER32_D) && adler32(1, data, dlen) != dsum[0]) ||
		    ((hd.flags & LZOP_F_CRC32_D) && crc32(0, data, dlen) != dsum[1])) {
			why = "block checksum mismatch";
			break;
		}
		if ((rc = vouch_member_write(m, data, dlen)) != VOUCH_OK) {
			goto out;
		}
		pos += clen;
	}
	vouch_job_set_consumed(j, VOUCH_MIN(pos, s->len));
	if (why != NULL) {
		rc = vouch_member_abort(m, VOUCH_E_MALFORMED, pos, "lzop: %s", why);
	} else {
		rc = vouch_member_end(m);
	}
	m = NULL;
out:
	if (m != NULL) {
		vouch_member_abort(m, rc, pos, "lzop: stopped");
	}
	free(in);
	free(out);
	return rc;
}

/* ---- the formats ------------------------------------------------------------------------ */

const vouch_fmt vouch_fmt_gzip = {
	.name = "gzip",
	.desc = "gzip (RFC 1952) compressed stream",
	.magic = {{"\x1f\x8b\x08", 3, 0}},
	.probe = gzip_probe,
	.extract = gzip_extract,
};

const vouch_fmt vouch_fmt_xz = {
	.name = "xz",
	.desc = "xz compressed stream",
	.magic = {{"\xfd" "7zXZ\0", 6, 0}},
	.probe = xz_probe,
	.extract = xz_extract,
};

const vouch_fmt vouch_fmt_lzma = {
	.name = "lzma",
	.desc = "legacy LZMA (.lzma, LZMA_Alone) compressed stream",
	/* lc=3 lp=0 pb=2 (the default), lc=1 lp=2 pb=2 (OpenWrt) and lc=3 lp=1 pb=1 (HP
	 * printer update streams), dictionary >= 64 KiB; the probe's trial decode decides */
	.magic = {{"\x5d\x00\x00", 3, 0}, {"\x6d\x00\x00", 3, 0}, {"\x39\x00\x00", 3, 0}},
	.probe = lzma_probe,
	.extract = lzma_extract,
};

const vouch_fmt vouch_fmt_bzip2 = {
	.name = "bzip2",
	.desc = "bzip2 compressed stream",
	.magic = {{"BZh", 3, 0}},
	.probe = bzip2_probe,
	.extract = bzip2_extract,
};

const vouch_fmt vouch_fmt_zstd = {
	.name = "zstd",
	.desc = "Zstandard compressed frames",
	/* frames, and the skippable frame pzstd and seekable zstd start with */
	.magic = {{"\x28\xb5\x2f\xfd", 4, 0}, {"\x50\x2a\x4d\x18", 4, 0}},
	.probe = zstd_probe,
	.extract = zstd_extract,
};

const vouch_fmt vouch_fmt_lz4 = {
	.name = "lz4",
	.desc = "LZ4 frame or legacy LZ4 stream",
	.magic = {{"\x04\x22\x4d\x18", 4, 0}, {"\x02\x21\x4c\x18", 4, 0}},
	.probe = lz4_probe,
	.extract = lz4_extract,
};

const vouch_fmt vouch_fmt_lzop = {
	.name = "lzop",
	.desc = "lzop compressed file",
	.magic = {{LZOP_MAGIC, 9, 0}},
	.probe = lzop_probe,
	.extract = lzop_extract,
};

const vouch_fmt vouch_fmt_zlib = {
	.name = "zlib",
	.desc = "raw zlib (RFC 1950) stream",
	.magic = {{"\x78\x01", 2, 0}, {"\x78\x5e", 2, 0}, {"\x78\x9c", 2, 0}, {"\x78\xda", 2, 0}},
	.probe = zlib_probe,
	.extract = zlib_extract,
	.whole_only = true,
};
