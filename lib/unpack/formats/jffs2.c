/*
 * unpack/formats/jffs2.c: JFFS2, the journalling flash filesystem of NOR-flash routers, read
 * from a raw flash dump, little- or big-endian.
 *
 * What. Every directory, regular file, symlink, device, FIFO and socket reachable from the
 * root (inode 1), with mode, uid/gid and mtime; a regular file met again under another name
 * is emitted as VOUCH_FT_HARDLINK to its first path. Inodes that have nodes but no live
 * directory entry (deleted files not yet garbage-collected, a lost parent) are emitted as
 * "orphans/<ino>", because a lab wants what the flash holds. Compressors: none, zero, zlib,
 * rtime (a few lines, done here), lzo (liblzo2), lzma (liblzma raw LZMA1 with JFFS2's fixed
 * properties lc=0 lp=0 pb=0, 8 KiB dictionary); rubin and dynrubin are recorded as
 * unsupported (no known firmware uses them).
 *
 * How. JFFS2 has no superblock and no index: the filesystem is the set of nodes in the
 * erase blocks, and the newest version of each wins. One linear pass over a view of the image
 * (through vouch_rd) collects inode nodes (ino, version, data range, compression) and
 * directory-entry nodes (parent, version, child, name) whose header and node CRCs hold
 * (JFFS2's crc32 is the reflected CRC-32 with seed 0 and no final inversion); 0xFF padding
 * and cleanmarkers are skipped, obsolete nodes (the ACCURATE bit cleared) ignored. Both
 * tables are sorted once: inode nodes by (ino, version) so an inode's nodes are one run,
 * directory entries by (parent, name, version) so the winner of each name is the last of its
 * run (ino 0 there means "deleted"). The tree is walked from the root with an explicit FIFO
 * queue (never recursion); each directory is entered once. A file is rebuilt in 256 KiB
 * windows: the data nodes that overlap the window are applied in version order (the run is
 * already in that order) over zeros (holes), so memory is one window plus one node whatever
 * the file size, and the file is cut at the i_size of its newest node.
 *
 * Bounds. All tables live in the job's arena (its budget bounds them); node counts, data
 * sizes per node (256 KiB), i_size (limits.max_member_bytes), path length (limits.max_path)
 * and the number of recorded errors are capped. The scan stops after 1 MiB of bytes that are
 * neither nodes nor padding, so a JFFS2 partition followed by something else claims only its
 * own nodes; the region ends at the last valid node, rounded up to the erase block when the
 * cleanmarkers tell its size and the rest of the block is erased flash.
 * Rejected: a frag tree per inode as the kernel keeps (memory grows with the file); holding
 * whole files in memory; jffs2dump/jffs2reader (they do not extract, or miss directories).
 */
#include <lzma.h>
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "unpack/unpack.h"

#define J_MAGIC 0x1985u
#define J_ACCURATE 0x2000u
#define J_FEATURE_MASK 0xc000u
#define J_INCOMPAT 0xc000u
#define J_DIRENT 0xe001u
#define J_INODE 0xe002u
#define J_CLEANMARKER 0x2003u
#define J_PADDING 0x2004u
#define J_SUMMARY 0x2006u
#define J_XATTR 0xe008u
#define J_XREF 0xe009u

#define J_HDR 12u
#define J_DIRENT_HDR 40u
#define J_INODE_HDR 68u

#define J_COMPR_NONE 0
#define J_COMPR_ZERO 1
#define J_COMPR_RTIME 2
#define J_COMPR_RUBINMIPS 3
#define J_COMPR_COPY 4
#define J_COMPR_DYNRUBIN 5
#define J_COMPR_ZLIB 6
#define J_COMPR_LZO 7
#define J_COMPR_LZMA 8

/* the kernel writes at most one page per data node; 256 KiB covers every page size */
#define J_MAX_DSIZE (256u * 1024u)
#define J_WINDOW (256u * 1024u)
#define J_MAX_NODES (8u * 1024u * 1024u)
#define J_MAX_GARBAGE (1u << 20)
#define J_MAX_ERRORS 1000u
#define J_MAX_LINK 4096u
#define J_LZMA_DICT 0x2000u
#define J_ROOT_INO 1u

/* S_IFMT values as JFFS2 stores them (Linux's) */
#define J_IFMT 0170000u
#define J_IFSOCK 0140000u
#define J_IFLNK 0120000u
#define J_IFREG 0100000u
#define J_IFBLK 0060000u
#define J_IFDIR 0040000u
#define J_IFCHR 0020000u
#define J_IFIFO 0010000u

typedef struct jinode {
	uint64_t pos; /* where the node starts in the source */
	uint32_t ino, version, mode, isize, mtime, offset, csize, dsize;
	uint16_t uid, gid;
	uint8_t compr;
	uint8_t bad; /* data already found unusable: do not report it twice */
} jinode;

typedef struct jdirent {
	uint64_t pos;
	const uint8_t *name; /* inside the view */
	uint32_t pino, version, ino;
	uint8_t nsize, type;
} jdirent;

/* one per distinct ino that has inode nodes */
typedef struct jfile {
	uint32_t ino;
	uint32_t first, count; /* its run in the sorted inode table */
	const char *path;      /* first path it was emitted under (hard links) */
	bool visited, has_parent;
} jfile;

typedef struct jqent {
	uint32_t ino;
	const char *path;
	size_t len;
} jqent;

typedef struct jvec {
	void *p;
	size_t n, cap, esz;
} jvec;

typedef struct jfs {
	vouch_job *j;
	vouch_arena *a;
	vouch_view v;
	bool be;
	jvec inodes, dirents, files, queue;
	uint32_t *idx; /* scratch: one file's data nodes by offset */
	uint8_t *win, *nbuf, *cbuf;
	unsigned nerr;
	uint64_t end;
	uint32_t erase;
	lzma_stream lz;
	bool lz_live;
} jfs;

/* ---- small helpers ------------------------------------------------------------------------- */

static uint32_t
j_crc(const uint8_t *p, size_t n)
{
	/* the kernel's crc32(0, p, n): zlib's CRC-32 without its pre- and post-inversion */
	uLong c = 0xffffffffu;
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, k);
		p += k;
		n -= k;
	}
	return (uint32_t)~c;
}

static int
j_u16(vouch_rd *r, bool be, uint16_t *v)
{
	return be ? vouch_rd_u16be(r, v) : vouch_rd_u16le(r, v);
}

static int
j_u32(vouch_rd *r, bool be, uint32_t *v)
{
	return be ? vouch_rd_u32be(r, v) : vouch_rd_u32le(r, v);
}

static int j_err(jfs *f, int code, uint64_t off, const char *fmt, ...) VOUCH_PRINTF(4, 5);

static int
j_err(jfs *f, int code, uint64_t off, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (f->nerr < J_MAX_ERRORS) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		vouch_job_error(f->j, code, off, "jffs2: %s", msg);
	}
	return ++f->nerr > J_MAX_ERRORS ? VOUCH_E_LIMIT : VOUCH_OK;
}

static int
vec_push(vouch_arena *a, jvec *v, const void *e)
{
	if (v->n == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 256;
		uint64_t bytes;
		void *np;
		if (ncap > J_MAX_NODES || !vouch_mul_u64(ncap, v->esz, &bytes) ||
		    bytes > SIZE_MAX) {
			return VOUCH_E_LIMIT;
		}
		if ((np = vouch_arena_alloc(a, (size_t)bytes)) == NULL) {
			return VOUCH_E_NOMEM;
		}
		if (v->n > 0) {
			memcpy(np, v->p, v->n * v->esz);
		}
		v->p = np;
		v->cap = ncap;
	}
	memcpy((uint8_t *)v->p + v->n * v->esz, e, v->esz);
	v->n++;
	return VOUCH_OK;
}

/* ---- node headers ---------------------------------------------------------------------------- */

typedef struct jhdr {
	uint16_t type;
	uint32_t totlen;
} jhdr;

/*
 * Is there a node header with a good CRC at `pos` of p[0..len)? Endianness `be`.
 * Returns true and fills *h; the node may still run past the end (caller checks).
 */
static bool
j_hdr_at(const uint8_t *p, size_t len, uint64_t pos, bool be, jhdr *h)
{
	vouch_rd r;
	uint16_t magic;
	uint32_t crc;

	vouch_rd_init(&r, p, len);
	if (vouch_rd_seek(&r, pos) != VOUCH_OK || vouch_rd_left(&r) < J_HDR) {
		return false;
	}
	if (j_u16(&r, be, &magic) != VOUCH_OK || magic != J_MAGIC ||
	    j_u16(&r, be, &h->type) != VOUCH_OK || j_u32(&r, be, &h->totlen) != VOUCH_OK ||
	    j_u32(&r, be, &crc) != VOUCH_OK) {
		return false;
	}
	return crc == j_crc(p + pos, 8) && h->totlen >= J_HDR;
}

static bool
j_known_type(uint16_t t)
{
	uint16_t acc = (uint16_t)(t | J_ACCURATE);
	return acc == J_DIRENT || acc == J_INODE || acc == J_CLEANMARKER || acc == J_PADDING ||
	       acc == J_SUMMARY || acc == J_XATTR || acc == J_XREF;
}

/* node CRC of a dirent or inode node (over its fixed header less the two CRCs) */
static bool
j_node_crc_ok(const uint8_t *p, size_t len, uint64_t pos, bool be, uint16_t type)
{
	size_t hl = (type | J_ACCURATE) == J_DIRENT ? J_DIRENT_HDR : J_INODE_HDR;
	size_t crc_at = (type | J_ACCURATE) == J_DIRENT ? 32u : 64u;
	size_t covered = hl - 8u; /* the header up to, not including, the data and node CRCs */
	vouch_rd r;
	uint32_t crc;

	if (!vouch_range_ok(pos, hl, len)) {
		return false;
	}
	vouch_rd_init(&r, p, len);
	if (vouch_rd_seek(&r, pos + crc_at) != VOUCH_OK || j_u32(&r, be, &crc) != VOUCH_OK) {
		return false;
	}
	return crc == j_crc(p + pos, covered);
}

static uint64_t
j_align4(uint64_t x)
{
	return (x + 3u) & ~(uint64_t)3u;
}

/* ---- probe ----------------------------------------------------------------------------------- */

#define J_PROBE_SPAN (256u * 1024u)
#define J_PROBE_NODES 4u

static int
jffs2_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	vouch_view v;
	uint64_t n = VOUCH_MIN(vouch_src_size(s), (uint64_t)J_PROBE_SPAN), pos = 0;
	unsigned nodes = 0, real = 0;
	uint8_t first[J_HDR];
	bool be, ok = false;
	jhdr h;
	int rc;

	(void)j;
	if (n < J_HDR) {
		return VOUCH_E_MALFORMED;
	}
	/* the 2-byte magic hits often: check the first header's CRC before mapping anything */
	if (vouch_src_read(s, 0, first, sizeof(first)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	be = first[0] == 0x19 && first[1] == 0x85;
	if (!j_hdr_at(first, sizeof(first), 0, be, &h)) {
		return VOUCH_E_MALFORMED;
	}
	if ((rc = vouch_src_view(s, 0, n, &v)) != VOUCH_OK) {
		return rc;
	}
	while (nodes < J_PROBE_NODES) {
		if (pos + J_HDR > v.len) {
			ok = real > 0 && n == vouch_src_size(s); /* the image ended */
			break;
		}
		if (!j_hdr_at(v.p, v.len, pos, be, &h)) {
			/* erased flash after a node ends the look; anything else is not ours */
			uint32_t w;
			vouch_rd r;
			vouch_rd_init(&r, v.p, v.len);
			ok = real > 0 && vouch_rd_seek(&r, pos) == VOUCH_OK &&
			     vouch_rd_u32le(&r, &w) == VOUCH_OK && w == 0xffffffffu;
			break;
		}
		if (!j_known_type(h.type)) {
			break;
		}
		if ((h.type == J_DIRENT || h.type == J_INODE)) {
			if (!vouch_range_ok(pos, h.totlen, vouch_src_size(s))) {
				break;
			}
			if (!j_node_crc_ok(v.p, v.len, pos, be, h.type)) {
				break;
			}
			real++;
		}
		nodes++;
		if (!vouch_add_u64(pos, j_align4(h.totlen), &pos)) {
			break;
		}
		if (nodes == J_PROBE_NODES) {
			ok = real > 0;
		}
	}
	vouch_view_free(&v);
	if (!ok) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

/* ---- the scan ----------------------------------------------------------------------------------
 */

static int
j_take_dirent(jfs *f, uint64_t pos, uint32_t totlen)
{
	vouch_rd r;
	jdirent d;
	uint32_t mctime, ncrc, name_crc;
	const uint8_t *name;

	memset(&d, 0, sizeof(d));
	vouch_rd_init(&r, f->v.p, f->v.len);
	if (totlen < J_DIRENT_HDR || vouch_rd_seek(&r, pos + J_HDR) != VOUCH_OK ||
	    j_u32(&r, f->be, &d.pino) != VOUCH_OK || j_u32(&r, f->be, &d.version) != VOUCH_OK ||
	    j_u32(&r, f->be, &d.ino) != VOUCH_OK || j_u32(&r, f->be, &mctime) != VOUCH_OK ||
	    vouch_rd_u8(&r, &d.nsize) != VOUCH_OK || vouch_rd_u8(&r, &d.type) != VOUCH_OK ||
	    vouch_rd_skip(&r, 2) != VOUCH_OK || j_u32(&r, f->be, &ncrc) != VOUCH_OK ||
	    j_u32(&r, f->be, &name_crc) != VOUCH_OK) {
		return j_err(f, VOUCH_E_MALFORMED, pos, "directory entry node truncated");
	}
	if (ncrc != j_crc(f->v.p + pos, 32)) {
		return j_err(f, VOUCH_E_MALFORMED, pos, "directory entry node CRC mismatch");
	}
	if (J_DIRENT_HDR + (uint32_t)d.nsize > totlen ||
	    vouch_rd_view(&r, d.nsize, &name) != VOUCH_OK) {
		return j_err(f, VOUCH_E_MALFORMED, pos, "directory entry name outside its node");
	}
	if (name_crc != j_crc(name, d.nsize)) {
		return j_err(f, VOUCH_E_MALFORMED, pos, "directory entry name CRC mismatch");
	}
	if (d.nsize == 0 || memchr(name, '/', d.nsize) != NULL ||
	    memchr(name, 0, d.nsize) != NULL) {
		return j_err(f, VOUCH_E_MALFORMED, pos, "directory entry with an invalid name");
	}
	d.pos = pos;
	d.name = name;
	return vec_push(f->a, &f->dirents, &d);
}

static int
j_take_inode(jfs *f, uint64_t pos, uint32_t totlen)
{
	vouch_rd r;
	jinode n;
	uint32_t atime, ctime, ncrc;
	uint16_t flags;
	uint8_t ucompr;

	memset(&n, 0, sizeof(n));
	vouch_rd_init(&r, f->v.p, f->v.len);
	if (totlen < J_INODE_HDR || vouch_rd_seek(&r, pos + J_HDR) != VOUCH_OK ||
	    j_u32(&r, f->be, &n.ino) != VOUCH_OK || j_u32(&r, f->be, &n.version) != VOUCH_OK ||
	    j_u32(&r, f->be, &n.mode) != VOUCH_OK || j_u16(&r, f->be, &n.uid) != VOUCH_OK ||
	    j_u16(&r, f->be, &n.gid) != VOUCH_OK || j_u32(&r, f->be, &n.isize) != VOUCH_OK ||
	    j_u32(&r, f->be, &atime) != VOUCH_OK || j_u32(&r, f->be, &n.mtime) != VOUCH_OK ||
	    j_u32(&r, f->be, &ctime) != VOUCH_OK || j_u32(&r, f->be, &n.offset) != VOUCH_OK ||
	    j_u32(&r, f->be, &n.csize) != VOUCH_OK || j_u32(&r, f->be, &n.dsize) != VOUCH_OK ||
	    vouch_rd_u8(&r, &n.compr) != VOUCH_OK || vouch_rd_u8(&r, &ucompr) != VOUCH_OK ||
	    j_u16(&r, f->be, &flags) != VOUCH_OK || vouch_rd_skip(&r, 4) != VOUCH_OK ||
	    j_u32(&r, f->be, &ncrc) != VOUCH_OK) {
		return j_err(f, VOUCH_E_MALFORMED, pos, "inode node truncated");
	}
	if (ncrc != j_crc(f->v.p + pos, 60)) {
		return j_err(f, VOUCH_E_MALFORMED, pos, "inode node CRC mismatch");
	}
	if ((uint64_t)J_INODE_HDR + n.csize > totlen) {
		return j_err(f, VOUCH_E_MALFORMED, pos, "inode node data outside its node");
	}
	if (n.ino == 0) {
		return j_err(f, VOUCH_E_MALFORMED, pos, "inode node for inode 0");
	}
	n.pos = pos;
	return vec_push(f->a, &f->inodes, &n);
}

static bool
j_all_ff(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		if (p[i] != 0xff) {
			return false;
		}
	}
	return true;
}

static int
j_scan(jfs *f)
{
	uint64_t pos = 0, garbage = 0, garbage_at = 0, last_cm = UINT64_MAX;
	uint32_t erase = 0;
	unsigned iter = 0;
	jhdr h;
	int rc;

	while (pos + J_HDR <= f->v.len) {
		if ((++iter & 1023u) == 0 && (rc = vouch_job_check(f->j)) != VOUCH_OK) {
			return rc;
		}
		if (!j_hdr_at(f->v.p, f->v.len, pos, f->be, &h)) {
			vouch_rd r;
			uint32_t w = 0;
			vouch_rd_init(&r, f->v.p, f->v.len);
			if (vouch_rd_seek(&r, pos) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &w) != VOUCH_OK) {
				break;
			}
			if (w != 0xffffffffu) {
				/* an error only if a node follows: trailing bytes are simply not
				 * ours */
				if (garbage == 0) {
					garbage_at = pos;
				}
				garbage += 4;
				if (garbage >= J_MAX_GARBAGE) {
					break; /* not JFFS2 any more: stop claiming */
				}
			}
			pos += 4;
			continue;
		}
		if (garbage > 0) {
			if ((rc = j_err(f, VOUCH_E_MALFORMED, garbage_at,
					"%llu bytes that are not JFFS2 nodes",
					(unsigned long long)garbage)) != VOUCH_OK) {
				return rc;
			}
			garbage = 0;
		}
		if (!vouch_range_ok(pos, h.totlen, f->v.len)) {
			if ((rc = j_err(f, VOUCH_E_MALFORMED, pos,
					"node of %u bytes runs past the end of the image",
					h.totlen)) != VOUCH_OK) {
				return rc;
			}
			pos += 4;
			continue;
		}
		if (h.type == J_DIRENT) {
			rc = j_take_dirent(f, pos, h.totlen);
		} else if (h.type == J_INODE) {
			rc = j_take_inode(f, pos, h.totlen);
		} else if (h.type == J_CLEANMARKER) {
			/* cleanmarkers open erase blocks: their spacing is the erase size */
			if (last_cm != UINT64_MAX && pos > last_cm &&
			    pos - last_cm <= (16u << 20) && (erase == 0 || pos - last_cm < erase)) {
				erase = (uint32_t)(pos - last_cm);
			}
			last_cm = pos;
			rc = VOUCH_OK;
		} else if (!j_known_type(h.type) && (h.type & J_FEATURE_MASK) == J_INCOMPAT) {
			rc = j_err(f, VOUCH_E_UNSUPPORTED, pos,
				   "unknown incompatible node type 0x%04x", h.type);
		} else {
			rc = VOUCH_OK; /* padding, summary, xattr, obsolete nodes */
		}
		if (rc != VOUCH_OK) {
			return rc;
		}
		f->end = pos + h.totlen;
		pos = j_align4(pos + h.totlen);
	}
	/* erase sizes are powers of two of at least 4 KiB */
	if (erase >= 4096 && (erase & (erase - 1)) == 0) {
		uint64_t r = (f->end + erase - 1) / erase * erase;
		if (r <= f->v.len && j_all_ff(f->v.p + f->end, r - f->end)) {
			f->end = r;
		}
		f->erase = erase;
	}
	return VOUCH_OK;
}

/* ---- tables -------------------------------------------------------------------------------- */

static int
j_inode_cmp(const void *a, const void *b)
{
	const jinode *x = a, *y = b;
	if (x->ino != y->ino) {
		return x->ino < y->ino ? -1 : 1;
	}
	if (x->version != y->version) {
		return x->version < y->version ? -1 : 1;
	}
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
j_dirent_cmp(const void *a, const void *b)
{
	const jdirent *x = a, *y = b;
	int c;
	if (x->pino != y->pino) {
		return x->pino < y->pino ? -1 : 1;
	}
	c = memcmp(x->name, y->name, VOUCH_MIN(x->nsize, y->nsize));
	if (c != 0) {
		return c;
	}
	if (x->nsize != y->nsize) {
		return x->nsize < y->nsize ? -1 : 1;
	}
	if (x->version != y->version) {
		return x->version < y->version ? -1 : 1;
	}
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static jfile *
j_file(jfs *f, uint32_t ino)
{
	jfile *t = f->files.p;
	size_t lo = 0, hi = f->files.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].ino == ino) {
			return &t[mid];
		}
		if (t[mid].ino < ino) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

/* Keep only the winning, live entry of each (parent, name); mark the inodes they name. */
static int
j_tables(jfs *f)
{
	jinode *in = f->inodes.p;
	jdirent *d = f->dirents.p;
	size_t w = 0, maxrun = 0;
	int rc;

	if (f->inodes.n > 0) {
		qsort(in, f->inodes.n, sizeof(*in), j_inode_cmp);
	}
	if (f->dirents.n > 0) {
		qsort(d, f->dirents.n, sizeof(*d), j_dirent_cmp);
	}
	for (size_t i = 0; i < f->inodes.n;) {
		jfile fl;
		size_t k = i;
		while (k < f->inodes.n && in[k].ino == in[i].ino) {
			k++;
		}
		memset(&fl, 0, sizeof(fl));
		fl.ino = in[i].ino;
		fl.first = (uint32_t)i;
		fl.count = (uint32_t)(k - i);
		maxrun = VOUCH_MAX(maxrun, k - i);
		if ((rc = vec_push(f->a, &f->files, &fl)) != VOUCH_OK) {
			return rc;
		}
		i = k;
	}
	for (size_t i = 0; i < f->dirents.n; i++) {
		bool last = i + 1 == f->dirents.n || d[i + 1].pino != d[i].pino ||
			    d[i + 1].nsize != d[i].nsize ||
			    memcmp(d[i + 1].name, d[i].name, d[i].nsize) != 0;
		if (!last || d[i].ino == 0) {
			continue; /* superseded, or the newest version is a deletion */
		}
		d[w++] = d[i];
		jfile *fl = j_file(f, d[i].ino);
		if (fl != NULL) {
			fl->has_parent = true;
		}
	}
	f->dirents.n = w;
	if (maxrun > 0) {
		/* twice: a file's data nodes by offset, then one window's by version */
		f->idx = vouch_arena_alloc(f->a, maxrun * 2 * sizeof(*f->idx));
		if (f->idx == NULL) {
			return VOUCH_E_NOMEM;
		}
	}
	return VOUCH_OK;
}

/* ---- decompression ------------------------------------------------------------------------- */

static pthread_once_t j_lzo_once = PTHREAD_ONCE_INIT;
static bool j_lzo_ok;

static void
j_lzo_init(void)
{
	j_lzo_ok = lzo_init() == LZO_E_OK;
}

/* rtime: (byte, repeat) pairs; a repeat copies from where that byte last appeared */
static bool
j_rtime(const uint8_t *in, size_t csize, uint8_t *out, size_t dsize)
{
	size_t last[256] = {0};
	size_t ip = 0, op = 0;

	while (op < dsize) {
		uint8_t val, rep;
		size_t back;
		if (ip + 2 > csize) {
			return false;
		}
		val = in[ip++];
		rep = in[ip++];
		out[op++] = val;
		back = last[val];
		last[val] = op;
		if (rep > dsize - op) {
			return false;
		}
		for (size_t i = 0; i < rep; i++) {
			/* back < op always holds: it is an earlier output position */
			out[op++] = out[back++];
		}
	}
	return true;
}

static bool
j_zlib(const uint8_t *in, size_t csize, uint8_t *out, size_t dsize)
{
	z_stream z;
	int wbits = MAX_WBITS, zrc;
	size_t skip = 0;
	bool ok;

	/* as the kernel: a valid zlib header is skipped and the deflate data inflated raw */
	if (csize >= 2 && (in[0] & 0x0f) == Z_DEFLATED && ((in[0] << 8) + in[1]) % 31 == 0 &&
	    (in[1] & 0x20) == 0) {
		wbits = -((in[0] >> 4) + 8);
		skip = 2;
		if (wbits < -MAX_WBITS) {
			return false;
		}
		if (wbits == -8) {
			wbits = -9; /* zlib refuses a raw 256-byte window; 512 decodes it too */
		}
	}
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, wbits) != Z_OK) {
		return false;
	}
	z.next_in = (Bytef *)(uintptr_t)(in + skip); /* zlib's API is not const-correct */
	z.avail_in = (uInt)(csize - skip);
	z.next_out = out;
	z.avail_out = (uInt)dsize;
	zrc = inflate(&z, Z_FINISH);
	ok = (zrc == Z_STREAM_END || zrc == Z_OK || zrc == Z_BUF_ERROR) && z.avail_out == 0;
	inflateEnd(&z);
	return ok;
}

static bool
j_lzma(jfs *f, const uint8_t *in, size_t csize, uint8_t *out, size_t dsize)
{
	lzma_options_lzma opt;
	lzma_filter filters[2];
	lzma_ret lr;

	memset(&opt, 0, sizeof(opt));
	opt.dict_size = J_LZMA_DICT;
	opt.lc = 0;
	opt.lp = 0;
	opt.pb = 0;
	filters[0].id = LZMA_FILTER_LZMA1;
	filters[0].options = &opt;
	filters[1].id = LZMA_VLI_UNKNOWN;
	filters[1].options = NULL;
	if (!f->lz_live) {
		lzma_stream init = LZMA_STREAM_INIT;
		f->lz = init;
	}
	/* lzma_raw_decoder reuses the stream's allocations when it is live */
	if (lzma_raw_decoder(&f->lz, filters) != LZMA_OK) {
		return false;
	}
	f->lz_live = true;
	f->lz.next_in = in;
	f->lz.avail_in = csize;
	f->lz.next_out = out;
	f->lz.avail_out = dsize;
	lr = lzma_code(&f->lz, LZMA_RUN);
	return (lr == LZMA_OK || lr == LZMA_STREAM_END) && f->lz.avail_out == 0;
}

/* Decode node n's data into f->nbuf (n->dsize bytes). Records why not. */
static int
j_decode(jfs *f, jinode *n, bool *ok)
{
	const uint8_t *data = f->v.p + n->pos + J_INODE_HDR;
	uint32_t dcrc;
	vouch_rd r;
	bool good = false;
	const char *why = "corrupt compressed data";

	*ok = false;
	if (n->bad) {
		return VOUCH_OK;
	}
	n->bad = 1;
	vouch_rd_init(&r, f->v.p, f->v.len);
	if (vouch_rd_seek(&r, n->pos + 60) != VOUCH_OK || j_u32(&r, f->be, &dcrc) != VOUCH_OK ||
	    !vouch_range_ok(n->pos + J_INODE_HDR, n->csize, f->v.len)) {
		return j_err(f, VOUCH_E_MALFORMED, n->pos, "inode %u: data outside the image",
			     n->ino);
	}
	if (dcrc != j_crc(data, n->csize)) {
		return j_err(f, VOUCH_E_MALFORMED, n->pos, "inode %u: data CRC mismatch", n->ino);
	}
	if (n->dsize > J_MAX_DSIZE) {
		return j_err(f, VOUCH_E_MALFORMED, n->pos, "inode %u: data node of %u bytes",
			     n->ino, n->dsize);
	}
	switch (n->compr) {
	case J_COMPR_NONE:
	case J_COMPR_COPY:
		good = n->csize == n->dsize;
		if (good) {
			memcpy(f->nbuf, data, n->dsize);
		}
		why = "stored data of the wrong size";
		break;
	case J_COMPR_ZERO:
		memset(f->nbuf, 0, n->dsize);
		good = true;
		break;
	case J_COMPR_RTIME: good = j_rtime(data, n->csize, f->nbuf, n->dsize); break;
	case J_COMPR_ZLIB: good = j_zlib(data, n->csize, f->nbuf, n->dsize); break;
	case J_COMPR_LZO: {
		lzo_uint dlen = n->dsize;
		pthread_once(&j_lzo_once, j_lzo_init);
		good = j_lzo_ok &&
		       lzo1x_decompress_safe(data, n->csize, f->nbuf, &dlen, NULL) == LZO_E_OK &&
		       dlen == n->dsize;
		break;
	}
	case J_COMPR_LZMA: good = j_lzma(f, data, n->csize, f->nbuf, n->dsize); break;
	case J_COMPR_RUBINMIPS:
	case J_COMPR_DYNRUBIN:
		return j_err(f, VOUCH_E_UNSUPPORTED, n->pos, "inode %u: rubin compression", n->ino);
	default:
		return j_err(f, VOUCH_E_UNSUPPORTED, n->pos, "inode %u: unknown compression %u",
			     n->ino, n->compr);
	}
	if (!good) {
		return j_err(f, VOUCH_E_MALFORMED, n->pos, "inode %u: %s", n->ino, why);
	}
	n->bad = 0;
	*ok = true;
	return VOUCH_OK;
}

/* ---- emitting ------------------------------------------------------------------------------ */

static void
j_meta(const jinode *n, vouch_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	if (n != NULL) {
		meta->mode = n->mode & 07777;
		meta->has_mode = true;
		meta->uid = n->uid;
		meta->gid = n->gid;
		meta->mtime = n->mtime;
	}
}

static int
j_idx_cmp(const void *a, const void *b, void *ctx)
{
	const jinode *in = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	if (in[x].offset != in[y].offset) {
		return in[x].offset < in[y].offset ? -1 : 1;
	}
	return x < y ? -1 : x > y;
}

static int
j_u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* Rebuild a regular file from its data nodes, window by window. */
static int
j_emit_file(jfs *f, jfile *fl, const char *path, size_t plen)
{
	jinode *in = (jinode *)f->inodes.p + fl->first;
	const jinode *latest = &in[fl->count - 1];
	uint64_t isize = latest->isize;
	vouch_member *m = NULL;
	vouch_meta meta;
	size_t nd = 0, lo = 0;
	uint64_t bad_at = UINT64_MAX;
	uint32_t *sel;
	int rc;

	j_meta(latest, &meta);
	meta.ftype = VOUCH_FT_REG;
	meta.size_hint = isize;
	if (isize > vouch_job_limits(f->j)->max_member_bytes) {
		return j_err(f, VOUCH_E_LIMIT, latest->pos,
			     "inode %u: size %llu over "
			     "max_member_bytes",
			     fl->ino, (unsigned long long)isize);
	}
	for (uint32_t i = 0; i < fl->count; i++) {
		if (in[i].dsize > 0 && (uint64_t)in[i].offset < isize) {
			f->idx[nd++] = i;
		}
	}
	if (nd > 1) {
		qsort_r(f->idx, nd, sizeof(*f->idx), j_idx_cmp, in);
	}
	/* the nodes of one window, in version order, go in the second half of the scratch */
	sel = f->idx + fl->count;
	if ((rc = vouch_member_begin(f->j, path, plen, &meta, &m)) != VOUCH_OK) {
		return rc;
	}
	for (uint64_t w = 0; w < isize; w += J_WINDOW) {
		uint64_t wend = VOUCH_MIN(isize, w + J_WINDOW);
		size_t hi, nsel = 0;

		if ((rc = vouch_job_check(f->j)) != VOUCH_OK) {
			goto out;
		}
		memset(f->win, 0, (size_t)(wend - w));
		/* nodes that end at or before w can not reach this window nor later ones */
		while (lo < nd && (uint64_t)in[f->idx[lo]].offset + J_MAX_DSIZE <= w) {
			lo++;
		}
		for (hi = lo; hi < nd && in[f->idx[hi]].offset < wend; hi++) {
			const jinode *n = &in[f->idx[hi]];
			if ((uint64_t)n->offset + n->dsize <= w) {
				continue;
			}
			sel[nsel++] = f->idx[hi]; /* nsel <= nd <= fl->count: fits */
		}
		if (nsel > 1) {
			qsort(sel, nsel, sizeof(*sel), j_u32_cmp); /* run order = version order */
		}
		for (size_t k = 0; k < nsel; k++) {
			jinode *n = &in[sel[k]];
			uint64_t a = VOUCH_MAX((uint64_t)n->offset, w);
			uint64_t b = VOUCH_MIN((uint64_t)n->offset + n->dsize, wend);
			bool ok;
			if ((rc = j_decode(f, n, &ok)) != VOUCH_OK) {
				goto out;
			}
			if (ok && b > a) {
				memcpy(f->win + (a - w), f->nbuf + (a - n->offset),
				       (size_t)(b - a));
			}
			if (!ok && bad_at == UINT64_MAX) {
				bad_at = n->pos;
			}
		}
		if ((rc = vouch_member_write(m, f->win, (size_t)(wend - w))) != VOUCH_OK) {
			goto out;
		}
	}
	if (bad_at != UINT64_MAX) {
		/* holes where data nodes failed: keep what there is, flagged as partial */
		rc = vouch_member_abort(m, VOUCH_E_MALFORMED, bad_at,
					"jffs2: inode %u: some data nodes unusable", fl->ino);
	} else {
		rc = vouch_member_end(m);
	}
	m = NULL;
out:
	if (m != NULL) {
		vouch_member_abort(m, rc, latest->pos, "jffs2: stopped");
	}
	return rc;
}

static int
j_emit_symlink(jfs *f, jfile *fl, const char *path, size_t plen)
{
	jinode *in = (jinode *)f->inodes.p + fl->first;
	vouch_meta meta;
	bool ok = false;
	int rc;

	j_meta(&in[fl->count - 1], &meta);
	meta.ftype = VOUCH_FT_SYMLINK;
	/* the target is the data of the newest node that has any */
	for (uint32_t i = fl->count; i-- > 0;) {
		if (in[i].dsize == 0) {
			continue;
		}
		if (in[i].dsize > J_MAX_LINK) {
			return j_err(f, VOUCH_E_MALFORMED, in[i].pos,
				     "inode %u: symlink target of "
				     "%u bytes",
				     fl->ino, in[i].dsize);
		}
		if ((rc = j_decode(f, &in[i], &ok)) != VOUCH_OK) {
			return rc;
		}
		if (ok) {
			f->nbuf[in[i].dsize] = 0;
			meta.link = (const char *)f->nbuf;
			meta.link_len = in[i].dsize;
		}
		break;
	}
	if (!ok) {
		return j_err(f, VOUCH_E_MALFORMED, in[fl->count - 1].pos,
			     "inode %u: symlink without a target", fl->ino);
	}
	return vouch_job_entry(f->j, path, plen, &meta);
}

static vouch_ftype
j_ftype(uint32_t mode, bool *ok)
{
	*ok = true;
	switch (mode & J_IFMT) {
	case J_IFREG: return VOUCH_FT_REG;
	case J_IFDIR: return VOUCH_FT_DIR;
	case J_IFLNK: return VOUCH_FT_SYMLINK;
	case J_IFCHR: return VOUCH_FT_CHR;
	case J_IFBLK: return VOUCH_FT_BLK;
	case J_IFIFO: return VOUCH_FT_FIFO;
	case J_IFSOCK: return VOUCH_FT_SOCK;
	default: *ok = false; return VOUCH_FT_REG;
	}
}

/* the dirent's DT_* type, for an entry whose inode has no node */
static vouch_ftype
j_dtype(uint8_t t, bool *ok)
{
	*ok = true;
	switch (t) {
	case 4: return VOUCH_FT_DIR;
	case 8: return VOUCH_FT_REG;
	case 10: return VOUCH_FT_SYMLINK;
	case 2: return VOUCH_FT_CHR;
	case 6: return VOUCH_FT_BLK;
	case 1: return VOUCH_FT_FIFO;
	case 12: return VOUCH_FT_SOCK;
	default: *ok = false; return VOUCH_FT_REG;
	}
}

/* Emit inode `ino` at `path`; queue it when it is a directory. */
static int
j_emit(jfs *f, uint32_t ino, uint8_t dtype, const char *path, size_t plen, uint64_t at)
{
	jfile *fl = j_file(f, ino);
	const jinode *latest = NULL;
	vouch_meta meta;
	vouch_ftype t;
	bool ok;
	int rc;

	if (fl != NULL) {
		latest = (const jinode *)f->inodes.p + fl->first + fl->count - 1;
		t = j_ftype(latest->mode, &ok);
	} else {
		t = j_dtype(dtype, &ok);
	}
	if (!ok) {
		return j_err(f, VOUCH_E_MALFORMED, latest ? latest->pos : at,
			     "inode %u: unknown file type", ino);
	}
	j_meta(latest, &meta);
	meta.ftype = t;
	if (t == VOUCH_FT_DIR) {
		jqent q = {ino, path, plen};
		if (fl != NULL && fl->visited) {
			return j_err(f, VOUCH_E_MALFORMED, at, "directory inode %u entered twice",
				     ino);
		}
		if (fl != NULL) {
			fl->visited = true;
		}
		if ((rc = vouch_job_entry(f->j, path, plen, &meta)) != VOUCH_OK) {
			return rc;
		}
		return vec_push(f->a, &f->queue, &q);
	}
	if (fl == NULL) {
		if ((rc = j_err(f, VOUCH_E_MALFORMED, at, "inode %u has no inode node", ino)) !=
		    VOUCH_OK) {
			return rc;
		}
		if (t == VOUCH_FT_REG || t == VOUCH_FT_SYMLINK) {
			return VOUCH_OK; /* no data to give */
		}
		return vouch_job_entry(f->j, path, plen, &meta);
	}
	if (fl->visited) {
		if (t != VOUCH_FT_REG || fl->path == NULL) {
			return j_err(f, VOUCH_E_MALFORMED, at, "inode %u linked twice", ino);
		}
		meta.ftype = VOUCH_FT_HARDLINK;
		meta.link = fl->path;
		meta.link_len = strlen(fl->path);
		return vouch_job_entry(f->j, path, plen, &meta);
	}
	fl->visited = true;
	fl->path = path;
	if (t == VOUCH_FT_REG) {
		return j_emit_file(f, fl, path, plen);
	}
	if (t == VOUCH_FT_SYMLINK) {
		return j_emit_symlink(f, fl, path, plen);
	}
	return vouch_job_entry(f->j, path, plen, &meta);
}

/* the winning entries of directory `pino`: [*lo, *hi) of the dirent table */
static void
j_children(jfs *f, uint32_t pino, size_t *lo, size_t *hi)
{
	const jdirent *d = f->dirents.p;
	size_t a = 0, b = f->dirents.n;

	while (a < b) {
		size_t mid = a + (b - a) / 2;
		if (d[mid].pino < pino) {
			a = mid + 1;
		} else {
			b = mid;
		}
	}
	*lo = a;
	while (a < f->dirents.n && d[a].pino == pino) {
		a++;
	}
	*hi = a;
}

/* Walk the queue: every directory's children, breadth first. */
static int
j_walk(jfs *f, size_t qi)
{
	const vouch_limits *lim = vouch_job_limits(f->j);
	int rc;

	for (; qi < f->queue.n; qi++) {
		jqent q = ((const jqent *)f->queue.p)[qi];
		size_t lo, hi;

		j_children(f, q.ino, &lo, &hi);
		for (size_t i = lo; i < hi; i++) {
			const jdirent *d = (const jdirent *)f->dirents.p + i;
			size_t plen = q.len + (q.len ? 1u : 0u) + d->nsize;
			char *p;

			if ((rc = vouch_job_check(f->j)) != VOUCH_OK) {
				return rc;
			}
			if (plen > lim->max_path) {
				if ((rc = j_err(f, VOUCH_E_LIMIT, d->pos,
						"path longer than max_path")) != VOUCH_OK) {
					return rc;
				}
				continue;
			}
			if ((p = vouch_arena_alloc(f->a, plen + 1)) == NULL) {
				return VOUCH_E_NOMEM;
			}
			if (q.len > 0) {
				memcpy(p, q.path, q.len);
				p[q.len] = '/';
			}
			memcpy(p + plen - d->nsize, d->name, d->nsize);
			p[plen] = 0;
			if ((rc = j_emit(f, d->ino, d->type, p, plen, d->pos)) != VOUCH_OK) {
				return rc;
			}
		}
	}
	return VOUCH_OK;
}

static int
j_orphans(jfs *f)
{
	jfile *t = f->files.p;
	int rc;

	/* first the inodes nothing points at, then what is left (parts of unreachable cycles) */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < f->files.n; i++) {
			char name[32];
			const char *p;
			size_t qn = f->queue.n;
			int n;

			if (t[i].visited || t[i].ino == J_ROOT_INO ||
			    (pass == 0 && t[i].has_parent)) {
				continue;
			}
			n = snprintf(name, sizeof(name), "orphans/%u", t[i].ino);
			if ((p = vouch_arena_strndup(f->a, name, (size_t)n)) == NULL) {
				return VOUCH_E_NOMEM;
			}
			if ((rc = j_err(f, VOUCH_E_MALFORMED,
					((const jinode *)f->inodes.p)[t[i].first].pos,
					"inode %u is not reachable from the root: kept as %s",
					t[i].ino, p)) != VOUCH_OK) {
				return rc;
			}
			if ((rc = j_emit(f, t[i].ino, 0, p, (size_t)n, 0)) != VOUCH_OK) {
				return rc;
			}
			if ((rc = j_walk(f, qn)) != VOUCH_OK) {
				return rc;
			}
		}
	}
	return VOUCH_OK;
}

static int
jffs2_extract(vouch_job *j, const vouch_src *s)
{
	jfs f;
	jqent root = {J_ROOT_INO, "", 0};
	jfile *rf;
	int rc;

	memset(&f, 0, sizeof(f));
	f.j = j;
	f.a = vouch_job_arena(j);
	f.inodes.esz = sizeof(jinode);
	f.dirents.esz = sizeof(jdirent);
	f.files.esz = sizeof(jfile);
	f.queue.esz = sizeof(jqent);
	if ((rc = vouch_src_view(s, 0, vouch_src_size(s), &f.v)) != VOUCH_OK) {
		return rc;
	}
	if (f.v.len < 2) {
		rc = VOUCH_E_MALFORMED;
		goto out;
	}
	f.be = f.v.p[0] == 0x19 && f.v.p[1] == 0x85;
	f.win = vouch_arena_alloc(f.a, J_WINDOW);
	f.nbuf = vouch_arena_alloc(f.a, J_MAX_DSIZE + 1);
	if (f.win == NULL || f.nbuf == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	rc = j_scan(&f);
	vouch_job_set_consumed(j, f.end);
	if (rc == VOUCH_E_LIMIT && f.inodes.n + f.dirents.n >= J_MAX_NODES) {
		vouch_job_error(j, VOUCH_E_LIMIT, f.end, "jffs2: more than %u nodes", J_MAX_NODES);
	}
	if (rc == VOUCH_E_NOMEM) {
		vouch_job_error(j, VOUCH_E_LIMIT, f.end,
				"jffs2: node tables over the memory budget");
		rc = VOUCH_E_LIMIT;
	}
	if (rc != VOUCH_OK) {
		goto out;
	}
	if ((rc = j_tables(&f)) != VOUCH_OK) {
		goto out;
	}
	if ((rf = j_file(&f, J_ROOT_INO)) != NULL) {
		rf->visited = true;
	}
	if ((rc = vec_push(f.a, &f.queue, &root)) != VOUCH_OK || (rc = j_walk(&f, 0)) != VOUCH_OK) {
		goto out;
	}
	rc = j_orphans(&f);
out:
	if (f.lz_live) {
		lzma_end(&f.lz);
	}
	vouch_view_free(&f.v);
	return rc;
}

const vouch_fmt vouch_fmt_jffs2 = {
    .name = "jffs2",
    .desc = "JFFS2 flash filesystem (little or big endian)",
    .magic = {{"\x85\x19", 2, 0}, {"\x19\x85", 2, 0}},
    .probe = jffs2_probe,
    .extract = jffs2_extract,
};
