/*
 * unpack/formats/stream.c: single-stream compression formats (gzip, ...).
 *
 * Each stream is decoded with its own maintained library (zlib here) in fixed-size chunks,
 * straight into the member spool, so memory stays bounded whatever the expansion; the bomb
 * limits (ratio, total bytes) are enforced by the engine on every write. The decoder reports
 * exactly how many input bytes the stream used, which becomes the region's length, so data
 * after the stream is still accounted for (carved or listed as unrecognised).
 */
#include <string.h>
#include <zlib.h>

#include "unpack/unpack.h"

#define IN_CHUNK (64u * 1024u)
#define OUT_CHUNK (256u * 1024u)

static int
gzip_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[10];

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	/* magic, method deflate, reserved flag bits clear */
	if (h[0] != 0x1f || h[1] != 0x8b || h[2] != 8 || (h[3] & 0xE0) != 0) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
gzip_extract(vouch_job *j, const vouch_src *s)
{
	static uint8_t dummy;
	z_stream z;
	uint8_t *in = NULL, *out = NULL;
	vouch_member *m = NULL;
	vouch_meta meta;
	uint64_t inpos = 0;
	int rc = VOUCH_OK, zrc = Z_OK;

	memset(&z, 0, sizeof(z));
	memset(&meta, 0, sizeof(meta));
	in = vouch_arena_alloc(vouch_job_arena(j), IN_CHUNK);
	out = vouch_arena_alloc(vouch_job_arena(j), OUT_CHUNK);
	if (in == NULL || out == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		return VOUCH_E_NOMEM;
	}
	rc = vouch_member_begin(j, "data", 4, &meta, &m);
	if (rc != VOUCH_OK) {
		goto out;
	}
	z.next_in = &dummy;
	while (zrc != Z_STREAM_END) {
		if (z.avail_in == 0) {
			size_t got = 0;
			rc = vouch_src_read_some(s, inpos, in, IN_CHUNK, &got);
			if (rc != VOUCH_OK) {
				goto out;
			}
			if (got == 0) {
				rc = vouch_member_abort(m, VOUCH_E_MALFORMED, inpos,
							"gzip stream truncated");
				m = NULL;
				vouch_job_set_consumed(j, inpos);
				goto out;
			}
			z.next_in = in;
			z.avail_in = (uInt)got;
			inpos += got;
		}
		z.next_out = out;
		z.avail_out = OUT_CHUNK;
		zrc = inflate(&z, Z_NO_FLUSH);
		if (zrc != Z_OK && zrc != Z_STREAM_END) {
			rc = vouch_member_abort(m, VOUCH_E_MALFORMED, inpos - z.avail_in,
						"gzip: %s", z.msg ? z.msg : "corrupt data");
			m = NULL;
			vouch_job_set_consumed(j, inpos - z.avail_in);
			goto out;
		}
		rc = vouch_member_write(m, out, OUT_CHUNK - z.avail_out);
		if (rc != VOUCH_OK) {
			goto out;
		}
	}
	vouch_job_set_consumed(j, inpos - z.avail_in);
	rc = vouch_member_end(m);
	m = NULL;
out:
	if (m != NULL) {
		vouch_member_abort(m, rc, inpos, "gzip: stopped");
	}
	inflateEnd(&z);
	return rc;
}

const vouch_fmt vouch_fmt_gzip = {
	.name = "gzip",
	.desc = "gzip (RFC 1952) compressed stream",
	.magic = {{"\x1f\x8b\x08", 3, 0}},
	.probe = gzip_probe,
	.extract = gzip_extract,
};
