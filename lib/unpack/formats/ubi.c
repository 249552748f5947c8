/*
 * unpack/formats/ubi.c: UBI, the volume layer of NAND-flash routers (ubinize images and raw
 * flash dumps), reassembled into its volumes.
 *
 * What. Each volume of the volume table becomes one member named after the volume (the engine
 * sanitises the name and identifies the content: UBIFS, squashfs...). Dynamic volumes are
 * their logical erase blocks (LEBs) in order, LEBs that no PEB holds filled with 0xFF (erased
 * flash) up to the highest one present; static volumes are exactly their data_size bytes per
 * LEB, each LEB's data CRC checked.
 *
 * How. Every physical erase block (PEB) starts with an erase-counter header ("UBI#", CRC'd,
 * big-endian) that says where the volume-id header ("UBI!": volume, LEB number, sequence
 * number, data size) and the data start. The PEB size is not written anywhere: it is the
 * greatest common divisor of the offsets of the next erase-counter headers (at most 2 MiB). One
 * pass over the PEBs collects the VID headers whose CRC holds; the layout volume (id
 * 0x7fffefff) holds the volume table (records with their own CRCs: name, type, alignment,
 * data_pad). Per volume the PEBs are sorted by (LEB, sqnum) and the newest copy of each LEB
 * wins, as UBI's attach does. Data goes to the member straight from a view of the image, LEB
 * by LEB: memory is the PEB table, not the volumes.
 *
 * Bounds. The PEB table grows in the job's arena (its budget bounds it); LEB numbers beyond
 * the volume's reserved PEBs, volumes over limits.max_member_bytes and a corrupt table are
 * recorded, not trusted. The region ends after the last PEB that carries a UBI header (erased
 * PEBs in between are kept); a PEB that is neither ends it, so what follows is carved.
 * Rejected: ubiattach + nandsim (kernel, root, and the kernel's parser for hostile bytes);
 * handing UBIFS the raw PEBs (it needs the LEB order UBI defines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "unpack/unpack.h"

#define UBI_EC_MAGIC 0x55424923u  /* "UBI#" */
#define UBI_VID_MAGIC 0x55424921u /* "UBI!" */
#define UBI_HDR 64u
#define UBI_LAYOUT_VOL 0x7fffefffu
#define UBI_INTERNAL_START 0x7fffefffu
#define UBI_MAX_VOLUMES 128u
#define UBI_VTBL_REC 172u
#define UBI_NAME_MAX 127u
#define UBI_DYNAMIC 1u
#define UBI_STATIC 2u
#define UBI_MIN_PEB 512u
#define UBI_MAX_PEB (2u * 1024u * 1024u)
#define UBI_MAX_PEBS (4u * 1024u * 1024u)
#define UBI_MAX_ERRORS 1000u
#define UBI_FILL (64u * 1024u)

typedef struct ubi_ec {
	uint32_t vid_off, data_off;
} ubi_ec;

typedef struct ubi_leb {
	uint64_t pos; /* PEB start */
	uint64_t sqnum;
	uint32_t vol_id, lnum, data_size, used_ebs, data_pad, data_crc;
	uint8_t vol_type, copy_flag;
} ubi_leb;

typedef struct ubi_vol {
	bool present;
	uint32_t reserved_pebs, data_pad;
	uint8_t vol_type;
	char name[UBI_NAME_MAX + 1];
	size_t name_len;
} ubi_vol;

typedef struct ubi {
	vouch_job *j;
	vouch_arena *a;
	vouch_view v;
	uint32_t peb;
	uint64_t end;
	ubi_leb *lebs;
	size_t nlebs, cap;
	ubi_vol vols[UBI_MAX_VOLUMES];
	bool have_vtbl;
	unsigned nerr;
	uint8_t *ff;
} ubi;

static uint32_t
ubi_crc(const uint8_t *p, size_t n)
{
	/* UBI's crc32 starts from 0xffffffff and is not inverted at the end */
	return (uint32_t)~crc32(0, p, (uInt)n);
}

static int ubi_err(ubi *u, int code, uint64_t off, const char *fmt, ...) VOUCH_PRINTF(4, 5);

static int
ubi_err(ubi *u, int code, uint64_t off, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (u->nerr < UBI_MAX_ERRORS) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		vouch_job_error(u->j, code, off, "ubi: %s", msg);
	}
	return ++u->nerr > UBI_MAX_ERRORS ? VOUCH_E_LIMIT : VOUCH_OK;
}

/* A valid erase-counter header at `pos` of p[0..len)? */
static bool
ubi_ec_at(const uint8_t *p, size_t len, uint64_t pos, ubi_ec *ec)
{
	vouch_rd r;
	uint32_t magic, crc;
	uint8_t version;

	vouch_rd_init(&r, p, len);
	if (vouch_rd_seek(&r, pos) != VOUCH_OK || vouch_rd_left(&r) < UBI_HDR) {
		return false;
	}
	if (vouch_rd_u32be(&r, &magic) != VOUCH_OK || magic != UBI_EC_MAGIC ||
	    vouch_rd_u8(&r, &version) != VOUCH_OK || version != 1 ||
	    vouch_rd_seek(&r, pos + 16) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &ec->vid_off) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &ec->data_off) != VOUCH_OK ||
	    vouch_rd_seek(&r, pos + 60) != VOUCH_OK || vouch_rd_u32be(&r, &crc) != VOUCH_OK) {
		return false;
	}
	return crc == ubi_crc(p + pos, 60) && ec->vid_off >= UBI_HDR && ec->vid_off % 8 == 0 &&
	       ec->data_off >= ec->vid_off + UBI_HDR && ec->data_off < UBI_MAX_PEB;
}

/* A valid volume-id header at `pos`? */
static bool
ubi_vid_at(const uint8_t *p, size_t len, uint64_t pos, ubi_leb *l)
{
	vouch_rd r;
	uint32_t magic, crc;
	uint8_t version, compat;

	vouch_rd_init(&r, p, len);
	if (vouch_rd_seek(&r, pos) != VOUCH_OK || vouch_rd_left(&r) < UBI_HDR) {
		return false;
	}
	if (vouch_rd_u32be(&r, &magic) != VOUCH_OK || magic != UBI_VID_MAGIC ||
	    vouch_rd_u8(&r, &version) != VOUCH_OK || vouch_rd_u8(&r, &l->vol_type) != VOUCH_OK ||
	    vouch_rd_u8(&r, &l->copy_flag) != VOUCH_OK || vouch_rd_u8(&r, &compat) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &l->vol_id) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &l->lnum) != VOUCH_OK || vouch_rd_skip(&r, 4) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &l->data_size) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &l->used_ebs) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &l->data_pad) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &l->data_crc) != VOUCH_OK || vouch_rd_skip(&r, 4) != VOUCH_OK ||
	    vouch_rd_u64be(&r, &l->sqnum) != VOUCH_OK || vouch_rd_seek(&r, pos + 60) != VOUCH_OK ||
	    vouch_rd_u32be(&r, &crc) != VOUCH_OK) {
		return false;
	}
	(void)compat;
	return version == 1 && crc == ubi_crc(p + pos, 60) &&
	       (l->vol_type == UBI_DYNAMIC || l->vol_type == UBI_STATIC);
}

static bool
ubi_all_ff(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (p[i] != 0xff) {
			return false;
		}
	}
	return true;
}

static uint64_t
ubi_gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/*
 * The PEB size: the greatest common divisor of the offsets of the next few erase-counter
 * headers (looked for every 512 bytes up to 8 MiB), so that an erased PEB 1 does not double it.
 */
static uint32_t
ubi_peb_size(const uint8_t *p, size_t len, const ubi_ec *ec0)
{
	uint64_t g = 0;
	unsigned hits = 0;
	ubi_ec ec;

	for (uint64_t o = UBI_MIN_PEB; o <= 4ull * UBI_MAX_PEB && o < len && hits < 3;
	     o += UBI_MIN_PEB) {
		if (ubi_ec_at(p, len, o, &ec)) {
			g = ubi_gcd(o, g);
			hits++;
		}
	}
	if (hits > 0) {
		return g > ec0->data_off && g <= UBI_MAX_PEB ? (uint32_t)g : 0;
	}
	/* a single PEB: the whole image, if it is a plausible size */
	if (len > ec0->data_off && len <= UBI_MAX_PEB) {
		return (uint32_t)len;
	}
	return 0;
}

static int
ubi_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[UBI_HDR];
	ubi_ec ec;

	(void)j;
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK || !ubi_ec_at(h, sizeof(h), 0, &ec)) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

static int
ubi_push(ubi *u, const ubi_leb *l)
{
	if (u->nlebs == u->cap) {
		size_t ncap = u->cap ? u->cap * 2 : 256;
		ubi_leb *n;
		if (ncap > UBI_MAX_PEBS) {
			return VOUCH_E_LIMIT;
		}
		if ((n = vouch_arena_alloc(u->a, ncap * sizeof(*n))) == NULL) {
			return VOUCH_E_NOMEM;
		}
		if (u->nlebs > 0) {
			memcpy(n, u->lebs, u->nlebs * sizeof(*n));
		}
		u->lebs = n;
		u->cap = ncap;
	}
	u->lebs[u->nlebs++] = *l;
	return VOUCH_OK;
}

/* Collect the VID headers of every PEB; set u->end. */
static int
ubi_scan(ubi *u, const ubi_ec *ec0)
{
	uint64_t pos = 0;
	int rc;

	for (uint64_t k = 0; pos < u->v.len; k++, pos += u->peb) {
		ubi_ec ec = *ec0;
		ubi_leb l;
		bool have_ec, have_vid;
		uint64_t n = VOUCH_MIN((uint64_t)u->peb, u->v.len - pos);

		if ((k & 255u) == 0 && (rc = vouch_job_check(u->j)) != VOUCH_OK) {
			return rc;
		}
		memset(&l, 0, sizeof(l));
		have_ec = ubi_ec_at(u->v.p, u->v.len, pos, &ec);
		if (have_ec && (ec.vid_off >= u->peb || ec.data_off >= u->peb)) {
			have_ec = false;
			ec = *ec0;
		}
		have_vid = ubi_vid_at(u->v.p, u->v.len, pos + ec.vid_off, &l);
		if (!have_ec && !have_vid) {
			if (ubi_all_ff(u->v.p + pos, n)) {
				continue; /* an erased PEB: part of the flash, carries nothing */
			}
			break; /* not UBI any more */
		}
		u->end = pos + n;
		if (!have_ec && (rc = ubi_err(u, VOUCH_E_MALFORMED, pos,
					      "PEB %llu: corrupt erase-counter header",
					      (unsigned long long)k)) != VOUCH_OK) {
			return rc;
		}
		if (!have_vid) {
			/* free PEB (VID area erased), or a corrupt VID header */
			if (!ubi_all_ff(
				u->v.p + pos + ec.vid_off,
				VOUCH_MIN((uint64_t)UBI_HDR, n - VOUCH_MIN(n, ec.vid_off))) &&
			    (rc = ubi_err(u, VOUCH_E_MALFORMED, pos + ec.vid_off,
					  "PEB %llu: corrupt volume-id header",
					  (unsigned long long)k)) != VOUCH_OK) {
				return rc;
			}
			continue;
		}
		if (n < u->peb) {
			if ((rc = ubi_err(u, VOUCH_E_MALFORMED, pos, "PEB %llu is truncated",
					  (unsigned long long)k)) != VOUCH_OK) {
				return rc;
			}
			continue;
		}
		l.pos = pos;
		if (ec.data_off != ec0->data_off) {
			if ((rc = ubi_err(u, VOUCH_E_MALFORMED, pos,
					  "PEB %llu: data offset %u differs "
					  "from the first PEB's",
					  (unsigned long long)k, ec.data_off)) != VOUCH_OK) {
				return rc;
			}
			continue;
		}
		if ((rc = ubi_push(u, &l)) != VOUCH_OK) {
			if (rc == VOUCH_E_NOMEM || rc == VOUCH_E_LIMIT) {
				ubi_err(u, VOUCH_E_LIMIT, pos,
					"too many PEBs for the memory budget");
				return VOUCH_E_LIMIT;
			}
			return rc;
		}
	}
	return VOUCH_OK;
}

static int
ubi_leb_cmp(const void *a, const void *b)
{
	const ubi_leb *x = a, *y = b;
	if (x->vol_id != y->vol_id) {
		return x->vol_id < y->vol_id ? -1 : 1;
	}
	if (x->lnum != y->lnum) {
		return x->lnum < y->lnum ? -1 : 1;
	}
	if (x->sqnum != y->sqnum) {
		return x->sqnum < y->sqnum ? -1 : 1;
	}
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* [lo, hi) of the sorted table that belongs to vol_id */
static void
ubi_range(const ubi *u, uint32_t vol_id, size_t *lo, size_t *hi)
{
	size_t a = 0, b = u->nlebs;

	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (u->lebs[mid].vol_id < vol_id) {
			a = mid + 1;
		} else {
			b = mid;
		}
	}
	*lo = a;
	while (a < u->nlebs && u->lebs[a].vol_id == vol_id) {
		a++;
	}
	*hi = a;
}

/* Parse one copy of the volume table (a layout-volume LEB). */
static bool
ubi_vtbl(ubi *u, const ubi_leb *l, uint32_t data_off)
{
	uint64_t base = l->pos + data_off, leb = u->peb - data_off;
	size_t nrec = (size_t)VOUCH_MIN((uint64_t)UBI_MAX_VOLUMES, leb / UBI_VTBL_REC);
	ubi_vol vols[UBI_MAX_VOLUMES];

	memset(vols, 0, sizeof(vols));
	for (size_t i = 0; i < nrec; i++) {
		uint64_t at = base + i * UBI_VTBL_REC;
		vouch_rd r;
		uint32_t crc, align;
		uint16_t nlen;
		uint8_t upd;
		const uint8_t *name;

		vouch_rd_init(&r, u->v.p, u->v.len);
		if (vouch_rd_seek(&r, at) != VOUCH_OK ||
		    vouch_rd_u32be(&r, &vols[i].reserved_pebs) != VOUCH_OK ||
		    vouch_rd_u32be(&r, &align) != VOUCH_OK ||
		    vouch_rd_u32be(&r, &vols[i].data_pad) != VOUCH_OK ||
		    vouch_rd_u8(&r, &vols[i].vol_type) != VOUCH_OK ||
		    vouch_rd_u8(&r, &upd) != VOUCH_OK || vouch_rd_u16be(&r, &nlen) != VOUCH_OK ||
		    vouch_rd_view(&r, UBI_NAME_MAX + 1, &name) != VOUCH_OK ||
		    vouch_rd_seek(&r, at + 168) != VOUCH_OK ||
		    vouch_rd_u32be(&r, &crc) != VOUCH_OK) {
			return false;
		}
		if (crc != ubi_crc(u->v.p + at, 168)) {
			return false;
		}
		if (vols[i].reserved_pebs == 0) {
			continue; /* an empty slot */
		}
		if (nlen == 0 || nlen > UBI_NAME_MAX || memchr(name, 0, nlen) != NULL ||
		    (vols[i].vol_type != UBI_DYNAMIC && vols[i].vol_type != UBI_STATIC) ||
		    align == 0 || vols[i].data_pad >= leb) {
			return false;
		}
		memcpy(vols[i].name, name, nlen);
		vols[i].name[nlen] = 0;
		vols[i].name_len = nlen;
		vols[i].present = true;
	}
	memcpy(u->vols, vols, sizeof(vols));
	return true;
}

/* Write `n` bytes of 0xFF (erased flash) into the member. */
static int
ubi_fill(ubi *u, vouch_member *m, uint64_t n)
{
	int rc;

	while (n > 0) {
		size_t k = (size_t)VOUCH_MIN(n, (uint64_t)UBI_FILL);
		if ((rc = vouch_member_write(m, u->ff, k)) != VOUCH_OK) {
			return rc;
		}
		n -= k;
	}
	return VOUCH_OK;
}

static int
ubi_volume(ubi *u, uint32_t vol_id, const ubi_vol *vol, uint32_t data_off)
{
	const vouch_limits *lim = vouch_job_limits(u->j);
	uint64_t leb_size = u->peb - data_off, total = 0, bad_at = UINT64_MAX;
	uint32_t data_pad = vol ? vol->data_pad : 0, next = 0, last = 0;
	uint8_t type = vol ? vol->vol_type : 0;
	char namebuf[32];
	const char *name;
	size_t nlen, lo, hi;
	vouch_member *m = NULL;
	vouch_meta meta;
	int rc;

	ubi_range(u, vol_id, &lo, &hi);
	if (vol != NULL) {
		name = vol->name;
		nlen = vol->name_len;
	} else {
		nlen = (size_t)snprintf(namebuf, sizeof(namebuf), "vol%u", vol_id);
		name = namebuf;
	}
	if (lo == hi) {
		if (vol != NULL && type == UBI_STATIC) {
			/* an empty static volume is a legitimate (empty) volume */
		} else if (vol == NULL) {
			return VOUCH_OK;
		}
	} else {
		last = u->lebs[hi - 1].lnum;
		if (type == 0) {
			type = u->lebs[hi - 1].vol_type;
			data_pad = u->lebs[hi - 1].data_pad;
		}
	}
	if (data_pad >= leb_size) {
		return ubi_err(u, VOUCH_E_MALFORMED, 0, "volume %u: data_pad %u too large", vol_id,
			       data_pad);
	}
	leb_size -= data_pad;
	if (vol != NULL && lo < hi && last >= vol->reserved_pebs) {
		if ((rc = ubi_err(u, VOUCH_E_MALFORMED, u->lebs[hi - 1].pos,
				  "volume %u: LEB %u beyond its %u reserved PEBs", vol_id, last,
				  vol->reserved_pebs)) != VOUCH_OK) {
			return rc;
		}
	}
	if (lo < hi && !vouch_mul_u64((uint64_t)last + 1, leb_size, &total)) {
		return ubi_err(u, VOUCH_E_MALFORMED, 0, "volume %u: size overflows", vol_id);
	}
	if (total > lim->max_member_bytes) {
		return ubi_err(u, VOUCH_E_LIMIT, u->lebs[hi - 1].pos,
			       "volume %u: %llu bytes over max_member_bytes", vol_id,
			       (unsigned long long)total);
	}
	memset(&meta, 0, sizeof(meta));
	meta.ftype = VOUCH_FT_REG;
	meta.size_hint = total;
	if ((rc = vouch_member_begin(u->j, name, nlen, &meta, &m)) != VOUCH_OK) {
		return rc;
	}
	for (size_t i = lo; i < hi; i++) {
		const ubi_leb *l = &u->lebs[i];
		uint64_t at = l->pos + data_off;
		if (i + 1 < hi && u->lebs[i + 1].lnum == l->lnum) {
			continue; /* an older copy of this LEB: the newest (highest sqnum) wins */
		}
		if ((rc = vouch_job_check(u->j)) != VOUCH_OK) {
			goto out;
		}
		if (l->lnum > next) {
			if (type == UBI_STATIC) {
				bad_at = VOUCH_MIN(bad_at, l->pos);
				rc = ubi_err(u, VOUCH_E_MALFORMED, l->pos,
					     "static volume %u: LEBs %u..%u missing", vol_id, next,
					     l->lnum - 1);
				if (rc != VOUCH_OK) {
					goto out;
				}
			} else if ((rc = ubi_fill(u, m, (l->lnum - next) * leb_size)) != VOUCH_OK) {
				goto out;
			}
		}
		next = l->lnum + 1;
		if (type == UBI_STATIC) {
			if (l->data_size > leb_size ||
			    !vouch_range_ok(at, l->data_size, u->v.len)) {
				bad_at = VOUCH_MIN(bad_at, l->pos);
				rc = ubi_err(u, VOUCH_E_MALFORMED, l->pos,
					     "static volume %u LEB %u: data size %u", vol_id,
					     l->lnum, l->data_size);
				if (rc != VOUCH_OK) {
					goto out;
				}
				continue;
			}
			if (ubi_crc(u->v.p + at, l->data_size) != l->data_crc) {
				bad_at = VOUCH_MIN(bad_at, l->pos);
				if ((rc = ubi_err(u, VOUCH_E_MALFORMED, at,
						  "static volume %u LEB %u: "
						  "data CRC mismatch",
						  vol_id, l->lnum)) != VOUCH_OK) {
					goto out;
				}
			}
			rc = vouch_member_write(m, u->v.p + at, l->data_size);
		} else {
			if (!vouch_range_ok(at, leb_size, u->v.len)) {
				rc = VOUCH_E_INTERNAL; /* the scan only keeps whole PEBs */
				goto out;
			}
			rc = vouch_member_write(m, u->v.p + at, (size_t)leb_size);
		}
		if (rc != VOUCH_OK) {
			goto out;
		}
	}
	if (type == UBI_STATIC && lo < hi && next < u->lebs[hi - 1].used_ebs) {
		bad_at = VOUCH_MIN(bad_at, u->lebs[hi - 1].pos);
		if ((rc = ubi_err(u, VOUCH_E_MALFORMED, u->lebs[hi - 1].pos,
				  "static volume %u: %u of %u LEBs present", vol_id, next,
				  u->lebs[hi - 1].used_ebs)) != VOUCH_OK) {
			goto out;
		}
	}
	if (bad_at != UINT64_MAX) {
		rc = vouch_member_abort(m, VOUCH_E_MALFORMED, bad_at, "ubi: volume %u incomplete",
					vol_id);
	} else {
		rc = vouch_member_end(m);
	}
	m = NULL;
out:
	if (m != NULL) {
		vouch_member_abort(m, rc, 0, "ubi: stopped");
	}
	return rc;
}

static int
ubi_extract(vouch_job *j, const vouch_src *s)
{
	ubi u;
	ubi_ec ec0;
	size_t lo, hi;
	int rc;

	memset(&u, 0, sizeof(u));
	u.j = j;
	u.a = vouch_job_arena(j);
	if ((rc = vouch_src_view(s, 0, vouch_src_size(s), &u.v)) != VOUCH_OK) {
		return rc;
	}
	if (!ubi_ec_at(u.v.p, u.v.len, 0, &ec0)) {
		rc = VOUCH_E_MALFORMED;
		goto out;
	}
	if ((u.peb = ubi_peb_size(u.v.p, u.v.len, &ec0)) == 0) {
		rc = ubi_err(&u, VOUCH_E_MALFORMED, 0, "cannot tell the PEB size");
		vouch_job_set_consumed(j, UBI_HDR);
		goto out;
	}
	if (ec0.data_off >= u.peb || ec0.vid_off + UBI_HDR > u.peb) {
		rc = VOUCH_E_MALFORMED;
		goto out;
	}
	if ((u.ff = vouch_arena_alloc(u.a, UBI_FILL)) == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	memset(u.ff, 0xff, UBI_FILL);
	rc = ubi_scan(&u, &ec0);
	vouch_job_set_consumed(j, u.end);
	if (rc != VOUCH_OK) {
		goto out;
	}
	if (u.nlebs > 0) {
		qsort(u.lebs, u.nlebs, sizeof(*u.lebs), ubi_leb_cmp);
	}
	/* the volume table: either copy of the layout volume, the newest good one first */
	ubi_range(&u, UBI_LAYOUT_VOL, &lo, &hi);
	for (size_t i = hi; i-- > lo && !u.have_vtbl;) {
		u.have_vtbl = ubi_vtbl(&u, &u.lebs[i], ec0.data_off);
	}
	if (!u.have_vtbl && (rc = ubi_err(&u, VOUCH_E_MALFORMED, 0,
					  "no valid volume table: "
					  "volumes named by their id")) != VOUCH_OK) {
		goto out;
	}
	for (uint32_t v = 0; v < UBI_MAX_VOLUMES; v++) {
		const ubi_vol *vol = u.have_vtbl ? &u.vols[v] : NULL;
		if (u.have_vtbl && !vol->present) {
			ubi_range(&u, v, &lo, &hi);
			if (lo < hi && (rc = ubi_err(&u, VOUCH_E_MALFORMED, u.lebs[lo].pos,
						     "PEBs of volume %u, which the volume table "
						     "does not list",
						     v)) != VOUCH_OK) {
				goto out;
			}
			continue;
		}
		if ((rc = ubi_volume(&u, v, vol, ec0.data_off)) != VOUCH_OK) {
			goto out;
		}
	}
out:
	vouch_view_free(&u.v);
	return rc;
}

const vouch_fmt vouch_fmt_ubi = {
    .name = "ubi",
    .desc = "UBI flash volumes (erase-counter and volume-id headers, volume table)",
    .magic = {{"UBI#", 4, 0}},
    .probe = ubi_probe,
    .extract = ubi_extract,
};
