/*
 * unpack/formats/trx.c: Broadcom TRX firmware containers (v1 and v2), as shipped by many
 * Broadcom-based routers (Linksys, Netgear, ASUS, OpenWrt's bcm47xx images).
 *
 * What. A little-endian header: magic "HDR0", len (the whole container, header included),
 * crc32, flags (low 16 bits) and version (high 16), then 3 (v1) or 4 (v2) partition offsets
 * from the start of the header (0 = unused). The CRC covers [12, len) -- everything after
 * the crc field -- and is stored complemented (Broadcom's hndcrc32 seeds with ~0 and does not
 * invert at the end, i.e. ~zlib crc32). Each used partition becomes a sub-region
 * "partition.N" (N = its slot) running to the next larger used offset, or to len; it is
 * identified like any file (usually a LZMA loader, a kernel and a squashfs or jffs2).
 *
 * How. The header is read through the byte cursor; len is clamped to the source (a truncated
 * container is recorded as an error and what is there still opened); the CRC is computed in
 * chunks over the source. A mismatch is recorded with vouch_job_error and the partitions are
 * opened anyway: a bad CRC is a finding, not a reason to look away.
 *
 * Rejected: requiring a good CRC in the probe (corrupt or patched images would disappear
 * from the report); the probe checks the version, len and the offsets' plausibility instead,
 * since "HDR0" alone is four ASCII letters that text can contain.
 */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "unpack/unpack.h"

#define TRX_MAGIC 0x30524448u /* "HDR0" read little-endian */
#define TRX_V1_HDR 28u
#define TRX_V2_HDR 32u
#define TRX_MAX_PARTS 4u
#define TRX_CHUNK (64u * 1024u)

typedef struct trx_hdr {
	uint32_t magic, len, crc, flags, version;
	uint32_t off[TRX_MAX_PARTS];
	unsigned nparts, hdr_len;
} trx_hdr;

static int
trx_parse(const vouch_src *s, trx_hdr *h)
{
	uint8_t raw[TRX_V2_HDR];
	uint32_t fv;
	size_t got = 0;
	vouch_rd r;

	memset(h, 0, sizeof(*h));
	if (vouch_src_read_some(s, 0, raw, sizeof(raw), &got) != VOUCH_OK || got < TRX_V1_HDR) {
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, raw, got);
	if (vouch_rd_u32le(&r, &h->magic) != VOUCH_OK || vouch_rd_u32le(&r, &h->len) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &h->crc) != VOUCH_OK || vouch_rd_u32le(&r, &fv) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	h->flags = fv & 0xFFFFu;
	h->version = fv >> 16;
	if (h->magic != TRX_MAGIC || (h->version != 1 && h->version != 2)) {
		return VOUCH_E_MALFORMED;
	}
	h->nparts = h->version == 1 ? 3 : 4;
	h->hdr_len = h->version == 1 ? TRX_V1_HDR : TRX_V2_HDR;
	for (unsigned i = 0; i < h->nparts; i++) {
		if (vouch_rd_u32le(&r, &h->off[i]) != VOUCH_OK) {
			return VOUCH_E_MALFORMED;
		}
	}
	if (h->len < h->hdr_len) {
		return VOUCH_E_MALFORMED;
	}
	/* at least one partition, every used one inside [hdr_len, len) */
	bool any = false;
	for (unsigned i = 0; i < h->nparts; i++) {
		if (h->off[i] == 0) {
			continue;
		}
		if (h->off[i] < h->hdr_len || h->off[i] >= h->len) {
			return VOUCH_E_MALFORMED;
		}
		any = true;
	}
	return any ? VOUCH_OK : VOUCH_E_MALFORMED;
}

static int
trx_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	trx_hdr h;

	(void)j;
	if (trx_parse(s, &h) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_MIN((uint64_t)h.len, vouch_src_size(s));
	return VOUCH_OK;
}

/* ~crc32 of [12, len): Broadcom's hndcrc32 seeded with ~0, not inverted at the end. */
static int
trx_crc(vouch_job *j, const vouch_src *s, uint64_t len, uint32_t *out)
{
	uint8_t *buf = vouch_arena_alloc(vouch_job_arena(j), TRX_CHUNK);
	uLong c = crc32(0L, Z_NULL, 0);
	uint64_t off = 12;
	int rc;

	if (buf == NULL) {
		return VOUCH_E_NOMEM;
	}
	while (off < len) {
		size_t n = (size_t)VOUCH_MIN(len - off, (uint64_t)TRX_CHUNK);
		if ((rc = vouch_job_check(j)) != VOUCH_OK ||
		    (rc = vouch_src_read(s, off, buf, n)) != VOUCH_OK) {
			return rc;
		}
		c = crc32(c, buf, (uInt)n);
		off += n;
	}
	*out = ~(uint32_t)c;
	return VOUCH_OK;
}

static int
trx_extract(vouch_job *j, const vouch_src *s)
{
	uint64_t len;
	char desc[96], name[32];
	uint32_t c;
	trx_hdr h;
	int rc;

	if ((rc = trx_parse(s, &h)) != VOUCH_OK) {
		return rc;
	}
	snprintf(desc, sizeof(desc), "trx v%u header: flags 0x%04x, %u bytes", (unsigned)h.version,
		 (unsigned)h.flags, (unsigned)h.len);
	vouch_job_region(j, 0, h.hdr_len, VOUCH_REGION_IDENTIFIED, desc);
	len = h.len;
	if (len > vouch_src_size(s)) {
		vouch_job_error(j, VOUCH_E_MALFORMED, vouch_src_size(s),
				"trx: truncated, %llu of %llu bytes",
				(unsigned long long)vouch_src_size(s), (unsigned long long)len);
		len = vouch_src_size(s);
	} else {
		if ((rc = trx_crc(j, s, len, &c)) != VOUCH_OK) {
			return rc;
		}
		if (c != h.crc) {
			vouch_job_error(j, VOUCH_E_VERIFY, 8, "trx: CRC 0x%08x, computed 0x%08x",
					(unsigned)h.crc, (unsigned)c);
		}
	}
	vouch_job_set_consumed(j, len);
	for (unsigned i = 0; i < h.nparts; i++) {
		uint64_t start = h.off[i], end = h.len;
		if (start == 0) {
			continue;
		}
		/* the partition ends where the next larger used offset starts */
		for (unsigned k = 0; k < h.nparts; k++) {
			if (h.off[k] > start && h.off[k] < end) {
				end = h.off[k];
			}
		}
		if (i > 0 && h.off[i - 1] != 0 && h.off[i - 1] >= start) {
			vouch_job_error(j, VOUCH_E_MALFORMED, 12 + 4 * (uint64_t)i,
					"trx: partition offsets out of order");
		}
		end = VOUCH_MIN(end, len);
		if (start >= end) {
			continue;
		}
		snprintf(name, sizeof(name), "partition.%u", i);
		if ((rc = vouch_job_subregion(j, name, start, end - start, NULL)) != VOUCH_OK) {
			return rc;
		}
	}
	return VOUCH_OK;
}

const vouch_fmt vouch_fmt_trx = {
	.name = "trx",
	.desc = "Broadcom TRX firmware container",
	.magic = {{"HDR0", 4, 0}},
	.probe = trx_probe,
	.extract = trx_extract,
};
