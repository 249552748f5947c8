/*
 * unpack/formats/fit.c: flattened device trees: U-Boot FIT images ("fit") and plain device
 * tree blobs ("dtb"). Both start with the magic 0xd00dfeed; "fit" is tried first and takes a
 * tree that has an /images node, "dtb" takes any other valid tree.
 *
 * What. A FIT is a device tree whose /images/<name> nodes each carry one payload: inline in a
 * "data" property, or outside the tree ("mkimage -E") at "data-offset" (from the end of the
 * tree, 4-byte aligned) or "data-position" (from the start of the FIT), "data-size" bytes
 * long. Each payload is yielded without copying as a sub-region named after its node (the
 * engine sanitises the name), opened with the format its "compression" property names. The
 * hashes U-Boot checks at boot (hash-N subnodes with algo crc32 or sha256) are verified
 * here too; a mismatch is recorded (VOUCH_E_VERIFY) and the payload still opened. A plain
 * device tree is a leaf: identified, its length the header's totalsize, nothing extracted
 * (the lab inventories it; what it describes is for the analysers).
 *
 * How. The 40-byte header is read through the byte cursor and bounded (totalsize within the
 * source and below INT_MAX, libfdt's offset type); the tree is then mapped read-only with
 * vouch_src_view and handed to libfdt (Debian's libfdt-dev), whose fdt_check_full walks the
 * whole structure block once and checks every tag, name and string offset, so that the
 * lookups that follow (fdt_path_offset, fdt_first/next_subnode, fdt_getprop) stay inside the
 * buffer. Offsets of inline data are derived from the pointer libfdt returns and re-checked
 * against the mapped range; external ranges are checked with the overflow-checked helpers.
 * Image and hash nodes are counted with fixed ceilings (FIT_MAX_IMAGES, FIT_MAX_HASHES).
 *
 * Rejected: a parser of our own for the tree (libfdt is maintained and fuzzed upstream);
 * fdt_check_header alone (it leaves the structure block unchecked, and libfdt's readers
 * then trust it); extracting the FIT through dumpimage (a process per image, host paths).
 */
#include <libfdt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "crypto/crypto.h"
#include "unpack/unpack.h"

#define FDT_HDR 40u
#define FDT_MAGIC_BE 0xd00dfeedu
#define FIT_MAX_IMAGES 1024u /* images in one FIT; real ones have a handful */
#define FIT_MAX_HASHES 16u   /* hash nodes checked per image */
#define FIT_MAX_NAME 256u

typedef struct fdt_hdr {
	uint32_t magic, totalsize, off_struct, off_strings, off_rsv, version, last_comp;
	uint32_t boot_cpu, size_strings, size_struct;
} fdt_hdr;

/* The header fields we bound before libfdt sees the bytes. */
static int
fdt_hdr_read(const vouch_src *s, fdt_hdr *h)
{
	uint8_t raw[FDT_HDR];
	vouch_rd r;

	if (vouch_src_read(s, 0, raw, sizeof(raw)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, raw, sizeof(raw));
	if (vouch_rd_u32be(&r, &h->magic) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &h->totalsize) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &h->off_struct) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &h->off_strings) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &h->off_rsv) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &h->version) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &h->last_comp) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &h->boot_cpu) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &h->size_strings) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &h->size_struct) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	/*
	 * Cheap consistency first (carving probes every 0xd00dfeed): version 16 or 17 (libfdt's
	 * range, and every tree made since 2008), blocks inside totalsize, the reserve map
	 * aligned after the header. Only then is the tree mapped (maybe copied) and walked.
	 */
	if (h->magic != FDT_MAGIC_BE || h->totalsize < FDT_HDR || h->totalsize > INT_MAX ||
	    h->totalsize > vouch_src_size(s) || h->version < 16 || h->last_comp > 17 ||
	    h->off_rsv < FDT_HDR || (h->off_rsv & 7u) != 0 || h->off_rsv >= h->totalsize ||
	    (h->off_struct & 3u) != 0 ||
	    !vouch_range_ok(h->off_strings, h->size_strings, h->totalsize) ||
	    (h->version >= 17 && !vouch_range_ok(h->off_struct, h->size_struct, h->totalsize)) ||
	    h->off_struct >= h->totalsize) {
		return VOUCH_E_MALFORMED;
	}
	return VOUCH_OK;
}

/*
 * The mapped tree. libfdt refuses a tree that is not 8-byte aligned (FDT_ERR_ALIGNMENT); a
 * tree embedded at an odd offset of its parent (a FIT's inline fdt image, a dtb carved out
 * of a kernel) is copied once into aligned heap memory, at most FDT_MAX_COPY bytes. Only
 * the tree is copied: payload bytes (inline or external) are read from the mapping.
 */
typedef struct fdt_buf {
	vouch_view v;
	uint8_t *copy;
	const uint8_t *p;    /* the tree, for libfdt: the mapping or its aligned copy */
	const uint8_t *data; /* the mapping: offset o of the FIT is data[o] */
	uint64_t len;
} fdt_buf;

#define FDT_MAX_COPY (64ULL << 20)

static void
fdt_unmap(fdt_buf *b)
{
	vouch_view_free(&b->v);
	free(b->copy);
	memset(b, 0, sizeof(*b));
}

/* Map [0, len) and check the tree in its first totalsize bytes with libfdt. */
static int
fdt_map(const vouch_src *s, const fdt_hdr *h, uint64_t len, fdt_buf *b)
{
	int rc;

	memset(b, 0, sizeof(*b));
	if ((rc = vouch_src_view(s, 0, len, &b->v)) != VOUCH_OK) {
		return rc;
	}
	b->p = b->data = b->v.p;
	b->len = len;
	if (((uintptr_t)b->p & 7u) != 0) {
		if (h->totalsize > FDT_MAX_COPY || (b->copy = malloc(h->totalsize)) == NULL) {
			fdt_unmap(b);
			return h->totalsize > FDT_MAX_COPY ? VOUCH_E_LIMIT : VOUCH_E_NOMEM;
		}
		memcpy(b->copy, b->v.p, h->totalsize);
		b->p = b->copy;
	}
	if (fdt_check_full(b->p, h->totalsize) != 0) {
		fdt_unmap(b);
		return VOUCH_E_MALFORMED;
	}
	return VOUCH_OK;
}

/* A big-endian u32 property (read through the cursor); false when absent or not 4 bytes. */
static bool
prop_u32(const void *fdt, int node, const char *name, uint32_t *v)
{
	const void *p;
	int plen = 0;
	vouch_rd r;

	p = fdt_getprop(fdt, node, name, &plen);
	if (p == NULL || plen != 4) {
		return false;
	}
	vouch_rd_init(&r, p, (size_t)plen);
	return vouch_rd_u32be(&r, v) == VOUCH_OK;
}

/* A string property as (pointer, length without the NUL); false when absent or unterminated. */
static bool
prop_str(const void *fdt, int node, const char *name, const char **str, size_t *len)
{
	const char *p;
	int plen = 0;

	p = fdt_getprop(fdt, node, name, &plen);
	if (p == NULL || plen <= 0) {
		return false;
	}
	*len = strnlen(p, (size_t)plen);
	if (*len == (size_t)plen) {
		return false;
	}
	*str = p;
	return true;
}

static bool
str_is(const char *p, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(p, want, n) == 0;
}

/*
 * Where an image's payload is: inline "data" (offset from the pointer libfdt returns, checked
 * against the map) or external. Offset and length are relative to the FIT start; false when
 * it has none.
 */
static bool
fit_image_range(const fdt_buf *v, const fdt_hdr *h, int node, uint64_t *off, uint64_t *len,
		bool *external)
{
	const uint8_t *p;
	uint32_t doff, dsize;
	int plen = 0;

	p = fdt_getprop(v->p, node, "data", &plen);
	if (p != NULL && plen >= 0) {
		if (p < v->p || (uint64_t)(p - v->p) > h->totalsize ||
		    !vouch_range_ok((uint64_t)(p - v->p), (uint64_t)plen, h->totalsize)) {
			return false;
		}
		*off = (uint64_t)(p - v->p);
		*len = (uint64_t)plen;
		*external = false;
		return true;
	}
	if (!prop_u32(v->p, node, "data-size", &dsize)) {
		return false;
	}
	if (prop_u32(v->p, node, "data-position", &doff)) {
		*off = doff;
	} else if (prop_u32(v->p, node, "data-offset", &doff)) {
		/* mkimage -E: relative to the end of the tree, rounded up to 4 bytes */
		*off = (((uint64_t)h->totalsize + 3) & ~(uint64_t)3) + doff;
	} else {
		return false;
	}
	*len = dsize;
	*external = true;
	return true;
}

/* The end of the FIT's region: the tree, or the furthest external payload within the source. */
static uint64_t
fit_extent(const fdt_buf *v, const fdt_hdr *h, int images, uint64_t src_len)
{
	uint64_t end = h->totalsize;
	unsigned n = 0;
	int node;

	fdt_for_each_subnode(node, v->p, images)
	{
		uint64_t off, len, e;
		bool ext;
		if (++n > FIT_MAX_IMAGES) {
			break;
		}
		if (fit_image_range(v, h, node, &off, &len, &ext) && ext &&
		    vouch_add_u64(off, len, &e) && e > end) {
			end = VOUCH_MIN(e, src_len);
		}
	}
	return end;
}

static int
fit_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	fdt_buf v;
	fdt_hdr h;
	int images;

	(void)j;
	if (fdt_hdr_read(s, &h) != VOUCH_OK || fdt_map(s, &h, h.totalsize, &v) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	images = fdt_path_offset(v.p, "/images");
	fdt_unmap(&v);
	if (images < 0) {
		return VOUCH_E_MALFORMED;
	}
	/* the external extent needs the whole source mapped: extract() sets it exactly */
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

/* The forced format for a "compression" value. */
static const vouch_fmt *
fit_comp_fmt(vouch_job *j, const fdt_buf *v, int node, uint64_t off, uint64_t len,
	     uint64_t at)
{
	static const uint8_t lzop_magic[9] = {0x89, 'L', 'Z', 'O', 0, '\r', '\n', 0x1a, '\n'};
	char esc[64];
	const char *c;
	size_t n;

	if (!prop_str(v->p, node, "compression", &c, &n) || str_is(c, n, "none")) {
		return NULL;
	}
	if (str_is(c, n, "gzip") || str_is(c, n, "lzma") || str_is(c, n, "lz4") ||
	    str_is(c, n, "zstd") || str_is(c, n, "bzip2")) {
		char name[8];
		memcpy(name, c, n);
		name[n] = '\0';
		return vouch_fmt_by_name(name);
	}
	if (str_is(c, n, "lzo")) {
		if (len >= sizeof(lzop_magic) && memcmp(v->data + off, lzop_magic, 9) == 0) {
			return vouch_fmt_by_name("lzop");
		}
		vouch_job_error(j, VOUCH_E_UNSUPPORTED, at,
				"fit: raw LZO payload (no lzop framing) is not decompressed");
		return NULL;
	}
	vouch_escape(esc, sizeof(esc), c, n);
	vouch_job_error(j, VOUCH_E_UNSUPPORTED, at, "fit: unknown compression \"%s\"", esc);
	return NULL;
}

/* Check the crc32 and sha256 hash-N subnodes of one image against its payload. */
static void
fit_check_hashes(vouch_job *j, const fdt_buf *v, int node, const char *iname, uint64_t off,
		 uint64_t len)
{
	unsigned n = 0;
	int sub;

	fdt_for_each_subnode(sub, v->p, node)
	{
		const char *algo, *sname;
		const uint8_t *want;
		uint8_t got[VOUCH_SHA256_LEN];
		size_t alen;
		int wlen = 0, nlen = 0;

		sname = fdt_get_name(v->p, sub, &nlen);
		if (sname == NULL || nlen < 4 || memcmp(sname, "hash", 4) != 0) {
			continue;
		}
		if (++n > FIT_MAX_HASHES || !prop_str(v->p, sub, "algo", &algo, &alen)) {
			continue;
		}
		want = fdt_getprop(v->p, sub, "value", &wlen);
		if (want == NULL) {
			continue;
		}
		if (str_is(algo, alen, "crc32") && wlen == 4) {
			uLong c = crc32(0L, Z_NULL, 0);
			uint64_t done = 0;
			vouch_rd r;
			uint32_t w = 0;
			while (done < len) {
				uInt step = (uInt)VOUCH_MIN(len - done, (uint64_t)(1u << 30));
				c = crc32(c, v->data + off + done, step);
				done += step;
			}
			vouch_rd_init(&r, want, 4);
			(void)vouch_rd_u32be(&r, &w);
			if ((uint32_t)c != w) {
				vouch_job_error(j, VOUCH_E_VERIFY, off,
						"fit image %s: crc32 0x%08x, computed 0x%08x",
						iname, (unsigned)w, (unsigned)c);
			}
		} else if (str_is(algo, alen, "sha256") && wlen == VOUCH_SHA256_LEN) {
			if (vouch_sha256_oneshot(v->data + off, (size_t)len, got) == VOUCH_OK &&
			    !vouch_ct_equal(got, want, VOUCH_SHA256_LEN)) {
				vouch_job_error(j, VOUCH_E_VERIFY, off,
						"fit image %s: sha256 does not match", iname);
			}
		}
	}
}

static int
fit_extract(vouch_job *j, const vouch_src *s)
{
	fdt_buf v = {0};
	uint64_t end;
	unsigned n = 0;
	fdt_hdr h;
	int images, node, rc;

	/* map the tree to learn the extent of external data, then the tree and that data */
	if ((rc = fdt_hdr_read(s, &h)) != VOUCH_OK ||
	    (rc = fdt_map(s, &h, h.totalsize, &v)) != VOUCH_OK) {
		return rc;
	}
	if ((images = fdt_path_offset(v.p, "/images")) < 0) {
		rc = VOUCH_E_MALFORMED;
		goto out;
	}
	end = fit_extent(&v, &h, images, vouch_src_size(s));
	fdt_unmap(&v);
	if ((rc = fdt_map(s, &h, end, &v)) != VOUCH_OK) {
		return rc;
	}
	images = fdt_path_offset(v.p, "/images");
	vouch_job_set_consumed(j, end);
	fdt_for_each_subnode(node, v.p, images)
	{
		char iname[FIT_MAX_NAME], esc[FIT_MAX_NAME * 4];
		const char *nm;
		uint64_t off, len;
		bool ext;
		int nlen = 0;

		if ((rc = vouch_job_check(j)) != VOUCH_OK) {
			goto out;
		}
		if (++n > FIT_MAX_IMAGES) {
			vouch_job_error(j, VOUCH_E_LIMIT, 0, "fit: more than %u images",
					FIT_MAX_IMAGES);
			break;
		}
		nm = fdt_get_name(v.p, node, &nlen);
		if (nm == NULL || nlen <= 0) {
			snprintf(iname, sizeof(iname), "image.%u", n - 1);
		} else {
			size_t k = VOUCH_MIN((size_t)nlen, sizeof(iname) - 1);
			memcpy(iname, nm, k);
			iname[k] = '\0';
			k = strlen(iname); /* a NUL inside the name ends it */
			if (k == 0) {
				snprintf(iname, sizeof(iname), "image.%u", n - 1);
			}
		}
		vouch_escape(esc, sizeof(esc), iname, strlen(iname));
		if (!fit_image_range(&v, &h, node, &off, &len, &ext)) {
			vouch_job_error(j, VOUCH_E_MALFORMED, 0, "fit image %s: no usable data",
					esc);
			continue;
		}
		if (!vouch_range_ok(off, len, end)) {
			vouch_job_error(j, VOUCH_E_MALFORMED, off,
					"fit image %s: %s data [%llu, +%llu) runs past the image",
					esc, ext ? "external" : "inline",
					(unsigned long long)off, (unsigned long long)len);
			if (off >= end) {
				continue;
			}
			len = end - off;
		} else {
			fit_check_hashes(j, &v, node, esc, off, len);
		}
		if (len == 0) {
			continue;
		}
		rc = vouch_job_subregion(j, iname, off, len,
					 fit_comp_fmt(j, &v, node, off, len, off));
		if (rc != VOUCH_OK) {
			goto out;
		}
	}
	rc = VOUCH_OK;
out:
	fdt_unmap(&v);
	return rc;
}

static int
dtb_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	fdt_buf v;
	fdt_hdr h;

	(void)j;
	if (fdt_hdr_read(s, &h) != VOUCH_OK || fdt_map(s, &h, h.totalsize, &v) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	fdt_unmap(&v);
	*len = h.totalsize;
	return VOUCH_OK;
}

const vouch_fmt vouch_fmt_fit = {
	.name = "fit",
	.desc = "U-Boot FIT image (flattened image tree)",
	.magic = {{"\xd0\x0d\xfe\xed", 4, 0}},
	.probe = fit_probe,
	.extract = fit_extract,
};

const vouch_fmt vouch_fmt_dtb = {
	.name = "dtb",
	.desc = "flattened device tree blob",
	.magic = {{"\xd0\x0d\xfe\xed", 4, 0}},
	.probe = dtb_probe,
	.leaf = true,
};
