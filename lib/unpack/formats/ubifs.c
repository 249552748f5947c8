/*
 * unpack/formats/ubifs.c: UBIFS, the NAND filesystem that lives in a UBI volume, read from
 * the reassembled volume (ubi.c yields it) or from a mkfs.ubifs image.
 *
 * What. Every directory, regular file, symlink, device, FIFO and socket reachable from the
 * root inode (1), with mode, uid/gid and mtime; a regular file with several links is emitted
 * once and its later paths as VOUCH_FT_HARDLINK to the first. Data compressors: none, lzo
 * (liblzo2), zlib (raw deflate), zstd (libzstd).
 *
 * How. UBIFS is a wandering B+tree over LEBs. The superblock (LEB 0) gives the LEB size and
 * the key format; the master nodes (LEBs 1 and 2, several copies each, the highest sequence
 * number wins) give the root of the index. The index is walked with an explicit stack
 * (bounded depth and node count, never recursion) and every leaf reference is collected:
 * inode, directory-entry and data keys with where their node lies. Three sorted tables
 * (inodes by number, entries by parent, data by (inode, block)) then let the tree be walked
 * from inode 1 with a FIFO queue, each directory entered once, and each file rebuilt block by
 * block (4096 bytes; a missing block is a hole of zeros; the file is cut at i_size), each node
 * read through vouch_rd with its CRC checked, straight into the member.
 *
 * Not done (recorded as unsupported or simply not read): the journal (buds not yet committed
 * to the index: images made by mkfs.ubifs have none, live-device dumps may lose their newest
 * changes), authenticated images (HMAC'd branches), encrypted files, extended attributes, the
 * orphan area.
 * Rejected: the kernel driver via nandsim (root, and the kernel parses hostile bytes);
 * scanning all LEBs for nodes instead of the index (finds deleted and stale nodes as live).
 */
#include <lzo/lzo1x.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "unpack/unpack.h"

#define UF_MAGIC 0x06101831u
#define UF_CH 24u
#define UF_INO 0
#define UF_DATA 1
#define UF_DENT 2
#define UF_XENT 3
#define UF_PAD 5
#define UF_SB 6
#define UF_MST 7
#define UF_IDX 9

#define UF_KEY_INO 0u
#define UF_KEY_DATA 1u
#define UF_KEY_DENT 2u
#define UF_KEY_XENT 3u

#define UF_INO_SZ 160u
#define UF_DENT_SZ 56u
#define UF_DATA_SZ 48u
#define UF_IDX_SZ 28u
#define UF_BRANCH 20u /* lnum, offs, len, 8-byte key (no authentication hash) */
#define UF_MST_SZ 512u
#define UF_SB_SZ 4096u
#define UF_BLOCK 4096u

#define UF_COMPR_NONE 0
#define UF_COMPR_LZO 1
#define UF_COMPR_ZLIB 2
#define UF_COMPR_ZSTD 3

#define UF_FLG_AUTH 0x10u
#define UF_XATTR_FL 0x20u
#define UF_CRYPT_FL 0x40u

#define UF_MIN_LEB (15u * 1024u)
#define UF_MAX_LEB (2u * 1024u * 1024u)
#define UF_MAX_DEPTH 64u
#define UF_MAX_ERRORS 1000u
#define UF_MAX_ENTRIES (16u * 1024u * 1024u)
#define UF_MAX_LINK 4096u
#define UF_ROOT 1u

#define UF_IFMT 0170000u
#define UF_IFSOCK 0140000u
#define UF_IFLNK 0120000u
#define UF_IFREG 0100000u
#define UF_IFBLK 0060000u
#define UF_IFDIR 0040000u
#define UF_IFCHR 0020000u
#define UF_IFIFO 0010000u

typedef struct uf_ref {
	uint64_t pos;	    /* where the node is in the volume */
	uint32_t inum, aux; /* aux: block number (data), hash (dent) */
	uint32_t len;
} uf_ref;

typedef struct uf_ino {
	uint64_t pos;
	uint32_t inum;
	const char *path; /* first path (hard links) */
	bool visited;
} uf_ino;

typedef struct uf_qent {
	uint32_t inum;
	const char *path;
	size_t len;
} uf_qent;

typedef struct uf_vec {
	void *p;
	size_t n, cap, esz;
} uf_vec;

typedef struct uf_idx_ent {
	uint64_t pos;
	uint32_t len, depth;
} uf_idx_ent;

typedef struct ufs {
	vouch_job *j;
	vouch_arena *a;
	vouch_view v;
	uint32_t leb_size, leb_cnt, fanout;
	uf_vec inos, dents, data, queue;
	uint8_t *blk;
	unsigned nerr;
	ZSTD_DCtx *zd;
} ufs;

static uint32_t
uf_crc(const uint8_t *p, size_t n)
{
	/* UBIFS's crc32 starts from 0xffffffff and is not inverted at the end */
	return (uint32_t)~crc32(0, p, (uInt)n);
}

static int uf_err(ufs *u, int code, uint64_t off, const char *fmt, ...) VOUCH_PRINTF(4, 5);

static int
uf_err(ufs *u, int code, uint64_t off, const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (u->nerr < UF_MAX_ERRORS) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		vouch_job_error(u->j, code, off, "ubifs: %s", msg);
	}
	return ++u->nerr > UF_MAX_ERRORS ? VOUCH_E_LIMIT : VOUCH_OK;
}

static int
uf_push(ufs *u, uf_vec *v, const void *e)
{
	if (v->n == v->cap) {
		size_t ncap = v->cap ? v->cap * 2 : 256;
		void *np;
		if (ncap > UF_MAX_ENTRIES) {
			return VOUCH_E_LIMIT;
		}
		if ((np = vouch_arena_alloc(u->a, ncap * v->esz)) == NULL) {
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

/*
 * Check the common header of the node at `pos` of p[0..len): magic, length, CRC, and the
 * node type when want >= 0. On success *r is a cursor over the whole node, at its start.
 */
static bool
uf_node(const uint8_t *p, size_t len, uint64_t pos, int want, uint32_t minlen, vouch_rd *r,
	uint64_t *sqnum, uint32_t *nlen)
{
	vouch_rd c;
	uint32_t magic, crc, l;
	uint64_t sq;
	uint8_t type;

	vouch_rd_init(&c, p, len);
	if (vouch_rd_seek(&c, pos) != VOUCH_OK || vouch_rd_u32le(&c, &magic) != VOUCH_OK ||
	    magic != UF_MAGIC || vouch_rd_u32le(&c, &crc) != VOUCH_OK ||
	    vouch_rd_u64le(&c, &sq) != VOUCH_OK || vouch_rd_u32le(&c, &l) != VOUCH_OK ||
	    vouch_rd_u8(&c, &type) != VOUCH_OK) {
		return false;
	}
	if (l < UF_CH || l < minlen || !vouch_range_ok(pos, l, len) ||
	    (want >= 0 && type != (uint8_t)want)) {
		return false;
	}
	if (crc != uf_crc(p + pos + 8, l - 8)) {
		return false;
	}
	vouch_rd_init(r, p + pos, l);
	if (sqnum != NULL) {
		*sqnum = sq;
	}
	if (nlen != NULL) {
		*nlen = l;
	}
	return true;
}

/* ---- superblock, probe ----------------------------------------------------------------- */

typedef struct uf_sb {
	uint32_t flags, min_io, leb_size, leb_cnt, fanout, fmt_version;
	uint16_t default_compr;
	uint8_t key_hash, key_fmt;
} uf_sb;

static bool
uf_read_sb(const uint8_t *p, size_t len, uf_sb *sb)
{
	vouch_rd r;

	if (!uf_node(p, len, 0, UF_SB, 128, &r, NULL, NULL)) {
		return false;
	}
	if (vouch_rd_seek(&r, 26) != VOUCH_OK || vouch_rd_u8(&r, &sb->key_hash) != VOUCH_OK ||
	    vouch_rd_u8(&r, &sb->key_fmt) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &sb->flags) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &sb->min_io) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &sb->leb_size) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &sb->leb_cnt) != VOUCH_OK || vouch_rd_seek(&r, 72) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &sb->fanout) != VOUCH_OK || vouch_rd_seek(&r, 80) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &sb->fmt_version) != VOUCH_OK ||
	    vouch_rd_u16le(&r, &sb->default_compr) != VOUCH_OK) {
		return false;
	}
	return sb->leb_size >= UF_MIN_LEB && sb->leb_size <= UF_MAX_LEB && sb->min_io > 0 &&
	       (sb->min_io & (sb->min_io - 1)) == 0 && sb->min_io <= sb->leb_size &&
	       sb->leb_cnt >= 3 && sb->fanout >= 3 && sb->fanout <= 4096 && sb->key_fmt == 0;
}

static int
ubifs_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint8_t h[UF_SB_SZ];
	size_t got = 0;
	uf_sb sb;
	uint64_t total;

	(void)j;
	if (vouch_src_read_some(s, 0, h, sizeof(h), &got) != VOUCH_OK || !uf_read_sb(h, got, &sb)) {
		return VOUCH_E_MALFORMED;
	}
	total = (uint64_t)sb.leb_cnt * sb.leb_size;
	*len = VOUCH_MIN(total, vouch_src_size(s));
	return VOUCH_OK;
}

/* ---- the index ------------------------------------------------------------------------- */

static bool
uf_pos(const ufs *u, uint32_t lnum, uint32_t offs, uint64_t *pos)
{
	if (lnum >= u->leb_cnt || offs >= u->leb_size) {
		return false;
	}
	*pos = (uint64_t)lnum * u->leb_size + offs;
	return *pos < u->v.len;
}

/* The newest master node in LEBs 1 and 2: the index root. */
static bool
uf_master(ufs *u, uint32_t *root_lnum, uint32_t *root_offs, uint32_t *root_len)
{
	uint64_t best = 0;
	bool found = false;

	for (uint32_t lnum = 1; lnum <= 2; lnum++) {
		uint64_t base = (uint64_t)lnum * u->leb_size;
		for (uint32_t offs = 0; offs + UF_MST_SZ <= u->leb_size; offs += 8) {
			vouch_rd r;
			uint64_t sq;
			uint32_t rl, ro, rlen;
			if (!uf_node(u->v.p, u->v.len, base + offs, UF_MST, UF_MST_SZ, &r, &sq,
				     NULL)) {
				continue;
			}
			if (vouch_rd_seek(&r, 48) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &rl) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &ro) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &rlen) != VOUCH_OK) {
				continue;
			}
			if (!found || sq > best) {
				best = sq;
				*root_lnum = rl;
				*root_offs = ro;
				*root_len = rlen;
				found = true;
			}
		}
	}
	return found;
}

static int
uf_leaf(ufs *u, uint32_t k0, uint32_t k1, uint64_t pos, uint32_t len)
{
	uint32_t type = k1 >> 29;
	uf_ref ref = {pos, k0, k1 & 0x1fffffffu, len};

	switch (type) {
	case UF_KEY_INO: {
		uf_ino ino;
		memset(&ino, 0, sizeof(ino));
		ino.pos = pos;
		ino.inum = k0;
		return uf_push(u, &u->inos, &ino);
	}
	case UF_KEY_DATA: return uf_push(u, &u->data, &ref);
	case UF_KEY_DENT: return uf_push(u, &u->dents, &ref);
	default: return VOUCH_OK; /* extended attributes: not read */
	}
}

static int
uf_walk_index(ufs *u, uint32_t root_lnum, uint32_t root_offs, uint32_t root_len)
{
	uf_idx_ent *stack;
	size_t sp = 0, cap = (size_t)UF_MAX_DEPTH * u->fanout;
	uint64_t visited = 0, max_nodes = u->v.len / UF_IDX_SZ + 1;
	uint64_t pos;
	int rc;

	if (!uf_pos(u, root_lnum, root_offs, &pos)) {
		return uf_err(u, VOUCH_E_MALFORMED, 0, "index root outside the volume");
	}
	/*
	 * Depth first with an explicit stack: only index children are pushed, at most one node's
	 * fanout per level is pending, so depth x fanout entries always suffice for a tree of
	 * legal depth; a deeper (malformed) tree has its excess dropped and recorded.
	 */
	if ((stack = vouch_arena_alloc(u->a, cap * sizeof(*stack))) == NULL) {
		return VOUCH_E_NOMEM;
	}
	stack[sp++] = (uf_idx_ent){pos, root_len, 0};
	while (sp > 0) {
		uf_idx_ent e = stack[--sp];
		vouch_rd r;
		uint16_t cnt, level;

		if (++visited > max_nodes) {
			return uf_err(u, VOUCH_E_MALFORMED, e.pos, "index larger than the volume");
		}
		if ((visited & 1023u) == 0 && (rc = vouch_job_check(u->j)) != VOUCH_OK) {
			return rc;
		}
		if (!uf_node(u->v.p, u->v.len, e.pos, UF_IDX, UF_IDX_SZ, &r, NULL, NULL) ||
		    vouch_rd_seek(&r, 24) != VOUCH_OK || vouch_rd_u16le(&r, &cnt) != VOUCH_OK ||
		    vouch_rd_u16le(&r, &level) != VOUCH_OK) {
			if ((rc = uf_err(u, VOUCH_E_MALFORMED, e.pos, "corrupt index node")) !=
			    VOUCH_OK) {
				return rc;
			}
			continue;
		}
		if (cnt == 0 || cnt > u->fanout || level >= UF_MAX_DEPTH ||
		    (e.depth > 0 && level + e.depth >= UF_MAX_DEPTH)) {
			if ((rc = uf_err(u, VOUCH_E_MALFORMED, e.pos,
					 "index node with %u children at "
					 "level %u",
					 cnt, level)) != VOUCH_OK) {
				return rc;
			}
			continue;
		}
		/* children in reverse so the walk visits keys in order (not needed, but tidy) */
		for (uint32_t i = cnt; i-- > 0;) {
			uint32_t lnum, offs, len, k0, k1;
			uint64_t cpos;
			if (vouch_rd_seek(&r, UF_IDX_SZ + (uint64_t)i * UF_BRANCH) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &lnum) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &offs) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &len) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &k0) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &k1) != VOUCH_OK) {
				rc = uf_err(u, VOUCH_E_MALFORMED, e.pos,
					    "index node branches truncated");
				if (rc != VOUCH_OK) {
					return rc;
				}
				break;
			}
			if (!uf_pos(u, lnum, offs, &cpos)) {
				if ((rc = uf_err(u, VOUCH_E_MALFORMED, e.pos,
						 "branch to LEB %u:%u "
						 "outside the volume",
						 lnum, offs)) != VOUCH_OK) {
					return rc;
				}
				continue;
			}
			if (level > 0) {
				if (sp == cap) {
					/* a stack this full means a malformed tree: drop the
					 * subtree */
					if ((rc = uf_err(u, VOUCH_E_LIMIT, e.pos,
							 "index too deep")) != VOUCH_OK) {
						return rc;
					}
					continue;
				}
				stack[sp++] = (uf_idx_ent){cpos, len, e.depth + 1};
			} else if ((rc = uf_leaf(u, k0, k1, cpos, len)) != VOUCH_OK) {
				return rc;
			}
		}
	}
	return VOUCH_OK;
}

/* ---- tables ---------------------------------------------------------------------------- */

static int
uf_ino_cmp(const void *a, const void *b)
{
	const uf_ino *x = a, *y = b;
	return x->inum < y->inum ? -1 : x->inum > y->inum;
}

static int
uf_ref_cmp(const void *a, const void *b)
{
	const uf_ref *x = a, *y = b;
	if (x->inum != y->inum) {
		return x->inum < y->inum ? -1 : 1;
	}
	if (x->aux != y->aux) {
		return x->aux < y->aux ? -1 : 1;
	}
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static uf_ino *
uf_find_ino(ufs *u, uint32_t inum)
{
	uf_ino *t = u->inos.p;
	size_t lo = 0, hi = u->inos.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].inum == inum) {
			return &t[mid];
		}
		if (t[mid].inum < inum) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return NULL;
}

/* first index in a sorted ref table whose inum is >= inum */
static size_t
uf_lower(const uf_vec *v, uint32_t inum)
{
	const uf_ref *t = v->p;
	size_t lo = 0, hi = v->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid].inum < inum) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

/* ---- inodes and data ------------------------------------------------------------------- */

typedef struct uf_inode {
	uint64_t size, mtime;
	uint32_t nlink, uid, gid, mode, flags, data_len;
	const uint8_t *data;
} uf_inode;

static bool
uf_read_inode(ufs *u, const uf_ino *ino, uf_inode *out)
{
	vouch_rd r;
	uint32_t k0;

	if (!uf_node(u->v.p, u->v.len, ino->pos, UF_INO, UF_INO_SZ, &r, NULL, NULL)) {
		return false;
	}
	if (vouch_rd_seek(&r, 24) != VOUCH_OK || vouch_rd_u32le(&r, &k0) != VOUCH_OK ||
	    k0 != ino->inum || vouch_rd_seek(&r, 48) != VOUCH_OK ||
	    vouch_rd_u64le(&r, &out->size) != VOUCH_OK || vouch_rd_seek(&r, 72) != VOUCH_OK ||
	    vouch_rd_u64le(&r, &out->mtime) != VOUCH_OK || vouch_rd_seek(&r, 92) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &out->nlink) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &out->uid) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &out->gid) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &out->mode) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &out->flags) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &out->data_len) != VOUCH_OK ||
	    vouch_rd_seek(&r, UF_INO_SZ) != VOUCH_OK ||
	    vouch_rd_view(&r, out->data_len, &out->data) != VOUCH_OK) {
		return false;
	}
	return true;
}

static pthread_once_t uf_lzo_once = PTHREAD_ONCE_INIT;
static bool uf_lzo_ok;

static void
uf_lzo_init(void)
{
	uf_lzo_ok = lzo_init() == LZO_E_OK;
}

static bool
uf_inflate(const uint8_t *in, size_t n, uint8_t *out, size_t want)
{
	z_stream z;
	int zrc;
	bool ok;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -MAX_WBITS) != Z_OK) {
		return false;
	}
	z.next_in = (Bytef *)(uintptr_t)in; /* zlib's API is not const-correct */
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)want;
	zrc = inflate(&z, Z_FINISH);
	ok = (zrc == Z_STREAM_END || zrc == Z_OK || zrc == Z_BUF_ERROR) && z.avail_out == 0;
	inflateEnd(&z);
	return ok;
}

/* Decode the data node at `ref` (block ref->aux of inode ref->inum) into u->blk. */
static bool
uf_read_block(ufs *u, const uf_ref *ref, uint32_t *size, const char **why)
{
	vouch_rd r;
	uint32_t k0, k1, dlen;
	uint16_t compr;
	const uint8_t *d;

	*why = "corrupt data node";
	if (!uf_node(u->v.p, u->v.len, ref->pos, UF_DATA, UF_DATA_SZ, &r, NULL, &dlen)) {
		return false;
	}
	if (vouch_rd_seek(&r, 24) != VOUCH_OK || vouch_rd_u32le(&r, &k0) != VOUCH_OK ||
	    vouch_rd_u32le(&r, &k1) != VOUCH_OK || k0 != ref->inum ||
	    (k1 & 0x1fffffffu) != ref->aux || vouch_rd_seek(&r, 40) != VOUCH_OK ||
	    vouch_rd_u32le(&r, size) != VOUCH_OK || vouch_rd_u16le(&r, &compr) != VOUCH_OK ||
	    vouch_rd_seek(&r, UF_DATA_SZ) != VOUCH_OK ||
	    vouch_rd_view(&r, dlen - UF_DATA_SZ, &d) != VOUCH_OK || *size > UF_BLOCK) {
		*why = "data node does not match its key";
		return false;
	}
	dlen -= UF_DATA_SZ;
	switch (compr) {
	case UF_COMPR_NONE:
		if (dlen != *size) {
			return false;
		}
		memcpy(u->blk, d, dlen);
		return true;
	case UF_COMPR_LZO: {
		lzo_uint out = *size;
		pthread_once(&uf_lzo_once, uf_lzo_init);
		return uf_lzo_ok &&
		       lzo1x_decompress_safe(d, dlen, u->blk, &out, NULL) == LZO_E_OK &&
		       out == *size;
	}
	case UF_COMPR_ZLIB: return uf_inflate(d, dlen, u->blk, *size);
	case UF_COMPR_ZSTD: {
		size_t out;
		if (u->zd == NULL && (u->zd = ZSTD_createDCtx()) == NULL) {
			*why = "out of memory";
			return false;
		}
		out = ZSTD_decompressDCtx(u->zd, u->blk, *size, d, dlen);
		return !ZSTD_isError(out) && out == *size;
	}
	default: *why = "unknown compression"; return false;
	}
}

static int
uf_emit_file(ufs *u, uf_ino *ino, const uf_inode *in, const vouch_meta *meta, const char *path,
	     size_t plen)
{
	const uf_ref *d = u->data.p;
	size_t i = uf_lower(&u->data, ino->inum);
	vouch_member *m = NULL;
	uint64_t bad_at = UINT64_MAX;
	uint64_t nblocks = (in->size + UF_BLOCK - 1) / UF_BLOCK;
	int rc;

	if (in->size > vouch_job_limits(u->j)->max_member_bytes) {
		return uf_err(u, VOUCH_E_LIMIT, ino->pos,
			      "inode %u: size %llu over max_member_bytes", ino->inum,
			      (unsigned long long)in->size);
	}
	if ((in->flags & UF_CRYPT_FL) != 0) {
		return uf_err(u, VOUCH_E_UNSUPPORTED, ino->pos, "inode %u: encrypted", ino->inum);
	}
	if ((rc = vouch_member_begin(u->j, path, plen, meta, &m)) != VOUCH_OK) {
		return rc;
	}
	for (uint64_t b = 0; b < nblocks; b++) {
		size_t n = (size_t)VOUCH_MIN((uint64_t)UF_BLOCK, in->size - b * UF_BLOCK);
		uint32_t size = 0;
		const char *why;

		if ((b & 255u) == 0 && (rc = vouch_job_check(u->j)) != VOUCH_OK) {
			goto out;
		}
		while (i < u->data.n && d[i].inum == ino->inum && d[i].aux < b) {
			i++;
		}
		memset(u->blk, 0, UF_BLOCK);
		if (i < u->data.n && d[i].inum == ino->inum && d[i].aux == b) {
			if (!uf_read_block(u, &d[i], &size, &why)) {
				memset(u->blk, 0, UF_BLOCK);
				if (bad_at == UINT64_MAX) {
					bad_at = d[i].pos;
				}
				if ((rc = uf_err(u, VOUCH_E_MALFORMED, d[i].pos,
						 "inode %u block %llu: "
						 "%s",
						 ino->inum, (unsigned long long)b, why)) !=
				    VOUCH_OK) {
					goto out;
				}
			}
		}
		if ((rc = vouch_member_write(m, u->blk, n)) != VOUCH_OK) {
			goto out;
		}
	}
	if (bad_at != UINT64_MAX) {
		rc = vouch_member_abort(m, VOUCH_E_MALFORMED, bad_at,
					"ubifs: inode %u: some blocks unusable", ino->inum);
	} else {
		rc = vouch_member_end(m);
	}
	m = NULL;
out:
	if (m != NULL) {
		vouch_member_abort(m, rc, ino->pos, "ubifs: stopped");
	}
	return rc;
}

static int
uf_emit(ufs *u, uint32_t inum, const char *path, size_t plen, uint64_t at)
{
	uf_ino *ino = uf_find_ino(u, inum);
	uf_inode in;
	vouch_meta meta;
	int rc;

	if (ino == NULL) {
		return uf_err(u, VOUCH_E_MALFORMED, at, "entry for inode %u, which the index lacks",
			      inum);
	}
	if (!uf_read_inode(u, ino, &in)) {
		return uf_err(u, VOUCH_E_MALFORMED, ino->pos, "corrupt inode node %u", inum);
	}
	memset(&meta, 0, sizeof(meta));
	meta.mode = in.mode & 07777;
	meta.has_mode = true;
	meta.uid = in.uid;
	meta.gid = in.gid;
	meta.mtime = (int64_t)in.mtime;
	switch (in.mode & UF_IFMT) {
	case UF_IFDIR: {
		uf_qent q = {inum, path, plen};
		if (ino->visited) {
			return uf_err(u, VOUCH_E_MALFORMED, at, "directory inode %u entered twice",
				      inum);
		}
		ino->visited = true;
		meta.ftype = VOUCH_FT_DIR;
		if (plen > 0 && (rc = vouch_job_entry(u->j, path, plen, &meta)) != VOUCH_OK) {
			return rc;
		}
		return uf_push(u, &u->queue, &q);
	}
	case UF_IFREG:
		if (ino->visited) {
			meta.ftype = VOUCH_FT_HARDLINK;
			meta.link = ino->path;
			meta.link_len = strlen(ino->path);
			return vouch_job_entry(u->j, path, plen, &meta);
		}
		ino->visited = true;
		ino->path = path;
		meta.ftype = VOUCH_FT_REG;
		meta.size_hint = in.size;
		return uf_emit_file(u, ino, &in, &meta, path, plen);
	case UF_IFLNK: {
		char *t;
		if (in.data_len == 0 || in.data_len > UF_MAX_LINK) {
			return uf_err(u, VOUCH_E_MALFORMED, ino->pos,
				      "inode %u: symlink target of "
				      "%u bytes",
				      inum, in.data_len);
		}
		if ((t = vouch_arena_strndup(u->a, (const char *)in.data, in.data_len)) == NULL) {
			return VOUCH_E_NOMEM;
		}
		meta.ftype = VOUCH_FT_SYMLINK;
		meta.link = t;
		meta.link_len = in.data_len;
		break;
	}
	case UF_IFCHR: meta.ftype = VOUCH_FT_CHR; break;
	case UF_IFBLK: meta.ftype = VOUCH_FT_BLK; break;
	case UF_IFIFO: meta.ftype = VOUCH_FT_FIFO; break;
	case UF_IFSOCK: meta.ftype = VOUCH_FT_SOCK; break;
	default: return uf_err(u, VOUCH_E_MALFORMED, ino->pos, "inode %u: unknown file type", inum);
	}
	return vouch_job_entry(u->j, path, plen, &meta);
}

/* Walk the directory queue breadth first from the root. */
static int
uf_walk_tree(ufs *u)
{
	const vouch_limits *lim = vouch_job_limits(u->j);
	const uf_ref *d = u->dents.p;
	int rc;

	if ((rc = uf_emit(u, UF_ROOT, "", 0, 0)) != VOUCH_OK) {
		return rc;
	}
	for (size_t qi = 0; qi < u->queue.n; qi++) {
		uf_qent q = ((const uf_qent *)u->queue.p)[qi];

		for (size_t i = uf_lower(&u->dents, q.inum); i < u->dents.n && d[i].inum == q.inum;
		     i++) {
			vouch_rd r;
			uint64_t tinum;
			uint16_t nlen;
			uint32_t k0;
			const uint8_t *name;
			size_t plen;
			char *p;

			if ((rc = vouch_job_check(u->j)) != VOUCH_OK) {
				return rc;
			}
			if (!uf_node(u->v.p, u->v.len, d[i].pos, UF_DENT, UF_DENT_SZ, &r, NULL,
				     NULL) ||
			    vouch_rd_seek(&r, 24) != VOUCH_OK ||
			    vouch_rd_u32le(&r, &k0) != VOUCH_OK || k0 != q.inum ||
			    vouch_rd_seek(&r, 40) != VOUCH_OK ||
			    vouch_rd_u64le(&r, &tinum) != VOUCH_OK ||
			    vouch_rd_seek(&r, 50) != VOUCH_OK ||
			    vouch_rd_u16le(&r, &nlen) != VOUCH_OK ||
			    vouch_rd_seek(&r, UF_DENT_SZ) != VOUCH_OK ||
			    vouch_rd_view(&r, nlen, &name) != VOUCH_OK) {
				if ((rc = uf_err(u, VOUCH_E_MALFORMED, d[i].pos,
						 "corrupt directory entry node")) != VOUCH_OK) {
					return rc;
				}
				continue;
			}
			if (nlen == 0 || memchr(name, '/', nlen) != NULL ||
			    memchr(name, 0, nlen) != NULL || tinum > UINT32_MAX) {
				if ((rc =
					 uf_err(u, VOUCH_E_MALFORMED, d[i].pos,
						"directory entry with an invalid name or inode")) !=
				    VOUCH_OK) {
					return rc;
				}
				continue;
			}
			plen = q.len + (q.len ? 1u : 0u) + nlen;
			if (plen > lim->max_path) {
				if ((rc = uf_err(u, VOUCH_E_LIMIT, d[i].pos,
						 "path over max_path")) != VOUCH_OK) {
					return rc;
				}
				continue;
			}
			if ((p = vouch_arena_alloc(u->a, plen + 1)) == NULL) {
				return VOUCH_E_NOMEM;
			}
			if (q.len > 0) {
				memcpy(p, q.path, q.len);
				p[q.len] = '/';
			}
			memcpy(p + plen - nlen, name, nlen);
			p[plen] = 0;
			if ((rc = uf_emit(u, (uint32_t)tinum, p, plen, d[i].pos)) != VOUCH_OK) {
				return rc;
			}
		}
	}
	return VOUCH_OK;
}

static int
ubifs_extract(vouch_job *j, const vouch_src *s)
{
	ufs u;
	uf_sb sb;
	uint32_t rl = 0, ro = 0, rlen = 0;
	int rc;

	memset(&u, 0, sizeof(u));
	u.j = j;
	u.a = vouch_job_arena(j);
	u.inos.esz = sizeof(uf_ino);
	u.dents.esz = sizeof(uf_ref);
	u.data.esz = sizeof(uf_ref);
	u.queue.esz = sizeof(uf_qent);
	if ((rc = vouch_src_view(s, 0, vouch_src_size(s), &u.v)) != VOUCH_OK) {
		return rc;
	}
	if (!uf_read_sb(u.v.p, u.v.len, &sb)) {
		rc = VOUCH_E_MALFORMED;
		goto out;
	}
	u.leb_size = sb.leb_size;
	u.leb_cnt = sb.leb_cnt;
	u.fanout = sb.fanout;
	if ((sb.flags & UF_FLG_AUTH) != 0) {
		rc = uf_err(&u, VOUCH_E_UNSUPPORTED, 0, "authenticated UBIFS is not supported");
		goto out;
	}
	if ((u.blk = vouch_arena_alloc(u.a, UF_BLOCK)) == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	if (!uf_master(&u, &rl, &ro, &rlen)) {
		rc = uf_err(&u, VOUCH_E_MALFORMED, u.leb_size, "no valid master node");
		goto out;
	}
	rc = uf_walk_index(&u, rl, ro, rlen);
	if (rc == VOUCH_E_NOMEM || (rc == VOUCH_E_LIMIT && u.nerr <= UF_MAX_ERRORS)) {
		vouch_job_error(j, VOUCH_E_LIMIT, 0, "ubifs: index over the memory budget");
		rc = VOUCH_E_LIMIT;
	}
	if (rc != VOUCH_OK) {
		goto out;
	}
	if (u.inos.n > 0) {
		qsort(u.inos.p, u.inos.n, sizeof(uf_ino), uf_ino_cmp);
	}
	if (u.dents.n > 0) {
		qsort(u.dents.p, u.dents.n, sizeof(uf_ref), uf_ref_cmp);
	}
	if (u.data.n > 0) {
		qsort(u.data.p, u.data.n, sizeof(uf_ref), uf_ref_cmp);
	}
	rc = uf_walk_tree(&u);
out:
	ZSTD_freeDCtx(u.zd);
	vouch_view_free(&u.v);
	return rc;
}

const vouch_fmt vouch_fmt_ubifs = {
    .name = "ubifs",
    .desc = "UBIFS filesystem (a UBI volume or a mkfs.ubifs image)",
    .magic = {{"\x31\x18\x10\x06", 4, 0}},
    .probe = ubifs_probe,
    .extract = ubifs_extract,
    .whole_only = true,
};
