/*
 * unpack/formats/cramfs.c: cramfs, the compressed read-only filesystem of older embedded
 * Linux (Linux fs/cramfs, util-linux mkfs.cramfs / fsck.cramfs), little- and big-endian.
 *
 * What. Every directory, regular file, symlink, device, FIFO and socket, with mode, uid and
 * gid (cramfs keeps no times). Layout: a 76-byte superblock (magic 0x28cd3d45, total size,
 * flags, "Compressed ROMFS", crc32, edition, block and file counts, a volume name, the root
 * inode) at offset 0, or at 512 when mkfs.cramfs -p left room for a boot loader. An inode is
 * 12 bytes of bit fields: mode:16 uid:16 | size:24 gid:8 | namelen:6 offset:26 (namelen and
 * offset in 4-byte units); a directory's entries are inodes each followed by its padded name;
 * a file is a table of u32 block end pointers then zlib blocks of 4096 bytes (the page size)
 * each (or the page size mkfs.cramfs -b was given, detected from the first file longer than
 * a block); a symlink's target is stored the same way; a device keeps its rdev in size. A big-
 * endian image stores the same words big-endian, with the bit fields allocated from the most
 * significant bit (what cramfsswap converts), so each word is decoded per endianness.
 *
 * How. Everything is read through vouch_src_read and decoded with the byte cursor; offsets
 * are 64-bit and checked against the image size before use. The superblock CRC (FSID v2) is
 * checked over [superblock, size) with its crc field zeroed, as fsck.cramfs does; a mismatch
 * is recorded and the files are still extracted. The tree is walked depth-first with an
 * explicit stack of directory iterators and one shared path buffer (memory: depth x frame,
 * not tree size); a directory already on the stack is a loop (recorded, skipped); all
 * directory entries visited are counted against the number of 12-byte inodes the image can
 * hold, so shared or overlapping directories cannot multiply the work. A bad block or
 * inode is recorded with its offset and the walk goes on; after CR_MAX_ERRORS, it stops.
 * Holes (a zero-length block, mkfs.cramfs -z) read as zeros.
 *
 * Rejected: fsck.cramfs --extract into a temporary directory (host paths from image names,
 * a process per image); the kernel's "extended block pointers" layout (flag 0x800, made by
 * no Debian tool) is reported as unsupported rather than guessed at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "unpack/unpack.h"

#define CR_MAGIC 0x28cd3d45u
#define CR_SUPER 76u
#define CR_PAD 512u
#define CR_INODE 12u
#define CR_PAGE 4096u                         /* the kernel's block size: its page size */
#define CR_MAX_BS 65536u                      /* mkfs.cramfs -b: up to 64 KiB pages */
#define CR_MAX_CBLOCK (2u * CR_MAX_BS + 64u)  /* zlib's worst case for one block */
#define CR_MAX_BLOCKS ((1u << 24) / CR_PAGE)  /* 24-bit file size */
#define CR_MAX_DEPTH 256u
#define CR_MAX_ERRORS 1000u
#define CR_MAX_LINK 4096u

#define CR_FLAG_FSID_V2 0x1u
#define CR_FLAG_HOLES 0x100u
#define CR_FLAG_WRONG_SIG 0x200u
#define CR_FLAG_SHIFTED_ROOT 0x400u
#define CR_FLAG_EXT_PTRS 0x800u
#define CR_FLAGS_KNOWN (0xFFu | CR_FLAG_HOLES | CR_FLAG_WRONG_SIG | CR_FLAG_SHIFTED_ROOT)

typedef struct cr_inode {
	uint32_t mode, uid, size, gid, namelen, offset; /* namelen, offset: in bytes */
} cr_inode;

typedef struct cr_super {
	bool be;
	uint64_t base; /* 0 or CR_PAD */
	uint32_t size, flags, crc, edition, blocks, files;
	cr_inode root;
} cr_super;

typedef struct cr_frame {
	uint64_t pos, end; /* next entry; end of the directory's entries */
	size_t path_len;   /* the path buffer's length for this directory */
} cr_frame;

typedef struct cr {
	vouch_job *j;
	const vouch_src *s;
	cr_super sb;
	uint64_t size; /* bytes of the image we may read: min(sb.size, source) */
	z_stream z;
	bool zlive;
	uint8_t *cbuf, *obuf, *ptrs;
	char *path;
	size_t path_cap;
	char link[CR_MAX_LINK + 1];
	unsigned nerr;
	uint32_t bs; /* block size, 0 until a file longer than 4 KiB decided it */
} cr;

static uint32_t
cr_bs(const cr *c)
{
	return c->bs ? c->bs : CR_PAGE;
}

static uint32_t
cr_word(const cr_super *sb, vouch_rd *r, int *rc)
{
	uint32_t v = 0;
	if (*rc == VOUCH_OK) {
		*rc = sb->be ? vouch_rd_u32be(r, &v) : vouch_rd_u32le(r, &v);
	}
	return v;
}

/* Decode the 12 bytes of an inode (bit fields per endianness). */
static int
cr_inode_decode(const cr_super *sb, const uint8_t raw[CR_INODE], cr_inode *ino)
{
	uint32_t w0, w1, w2;
	vouch_rd r;
	int rc = VOUCH_OK;

	vouch_rd_init(&r, raw, CR_INODE);
	w0 = cr_word(sb, &r, &rc);
	w1 = cr_word(sb, &r, &rc);
	w2 = cr_word(sb, &r, &rc);
	if (rc != VOUCH_OK) {
		return rc;
	}
	if (sb->be) {
		ino->mode = w0 >> 16;
		ino->uid = w0 & 0xFFFFu;
		ino->size = w1 >> 8;
		ino->gid = w1 & 0xFFu;
		ino->namelen = (w2 >> 26) * 4u;
		ino->offset = (w2 & 0x3FFFFFFu) * 4u;
	} else {
		ino->mode = w0 & 0xFFFFu;
		ino->uid = w0 >> 16;
		ino->size = w1 & 0xFFFFFFu;
		ino->gid = w1 >> 24;
		ino->namelen = (w2 & 0x3Fu) * 4u;
		ino->offset = (w2 >> 6) * 4u;
	}
	return VOUCH_OK;
}

/* Read and check the superblock at 0 or 512. */
static int
cr_super_read(const vouch_src *s, cr_super *sb)
{
	static const uint8_t le[4] = {0x45, 0x3d, 0xcd, 0x28}, be[4] = {0x28, 0xcd, 0x3d, 0x45};
	uint8_t raw[CR_SUPER];
	vouch_rd r;
	int rc = VOUCH_OK;

	memset(sb, 0, sizeof(*sb));
	for (unsigned k = 0; k < 2; k++) {
		sb->base = k == 0 ? 0 : CR_PAD;
		if (vouch_src_read(s, sb->base, raw, sizeof(raw)) != VOUCH_OK) {
			return VOUCH_E_MALFORMED;
		}
		if (memcmp(raw, le, 4) == 0 || memcmp(raw, be, 4) == 0) {
			sb->be = memcmp(raw, be, 4) == 0;
			break;
		}
		if (k == 1) {
			return VOUCH_E_MALFORMED;
		}
	}
	if (memcmp(raw + 16, "Compressed ROMFS", 16) != 0) {
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, raw, sizeof(raw));
	(void)cr_word(sb, &r, &rc); /* magic */
	sb->size = cr_word(sb, &r, &rc);
	sb->flags = cr_word(sb, &r, &rc);
	if (rc != VOUCH_OK || vouch_rd_skip(&r, 4 + 16) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	sb->crc = cr_word(sb, &r, &rc);
	sb->edition = cr_word(sb, &r, &rc);
	sb->blocks = cr_word(sb, &r, &rc);
	sb->files = cr_word(sb, &r, &rc);
	if (rc != VOUCH_OK || cr_inode_decode(sb, raw + 64, &sb->root) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	/* the root is a directory; its entries follow the superblock unless shifted */
	if ((sb->root.mode & 0170000u) != 0040000u) {
		return VOUCH_E_MALFORMED;
	}
	if (sb->root.offset != 0 && !(sb->flags & CR_FLAG_SHIFTED_ROOT) &&
	    sb->root.offset < sb->base + CR_SUPER) {
		return VOUCH_E_MALFORMED;
	}
	if ((sb->flags & CR_FLAG_FSID_V2) && sb->size < sb->base + CR_SUPER) {
		return VOUCH_E_MALFORMED;
	}
	return VOUCH_OK;
}

static int
cramfs_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	cr_super sb;

	(void)j;
	if (cr_super_read(s, &sb) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	/* version 1 images have no size: only extract() learns how far they go */
	*len = (sb.flags & CR_FLAG_FSID_V2) ? VOUCH_MIN((uint64_t)sb.size, vouch_src_size(s))
					      : VOUCH_LEN_UNKNOWN;
	return VOUCH_OK;
}

/* Record an error; VOUCH_E_LIMIT once there were too many. */
static int
cr_err(cr *c, int code, uint64_t off, const char *what)
{
	char esc[512];

	vouch_escape(esc, sizeof(esc), c->path, strlen(c->path));
	vouch_job_error(c->j, code, off, "cramfs %s: %s", esc[0] ? esc : "/", what);
	if (++c->nerr >= CR_MAX_ERRORS) {
		vouch_job_error(c->j, VOUCH_E_LIMIT, off, "cramfs: too many errors, giving up");
		return VOUCH_E_LIMIT;
	}
	return VOUCH_OK;
}

/* crc32 over [base, size) with the crc field zeroed. */
static int
cr_check_crc(cr *c)
{
	uLong crc = crc32(0L, Z_NULL, 0);
	uint64_t off = c->sb.base, end = c->sb.size;
	int rc;

	while (off < end) {
		size_t n = (size_t)VOUCH_MIN(end - off, (uint64_t)CR_MAX_CBLOCK);
		if ((rc = vouch_job_check(c->j)) != VOUCH_OK ||
		    (rc = vouch_src_read(c->s, off, c->cbuf, n)) != VOUCH_OK) {
			return rc;
		}
		/* the crc field sits at base + 32 */
		for (size_t i = 0; i < n; i++) {
			if (off + i >= c->sb.base + 32 && off + i < c->sb.base + 36) {
				c->cbuf[i] = 0;
			}
		}
		crc = crc32(crc, c->cbuf, (uInt)n);
		off += n;
	}
	if ((uint32_t)crc != c->sb.crc) {
		vouch_job_error(c->j, VOUCH_E_VERIFY, c->sb.base + 32,
				"cramfs: CRC 0x%08x, computed 0x%08x", (unsigned)c->sb.crc,
				(unsigned)crc);
	}
	return VOUCH_OK;
}

/*
 * Inflate block `i` of the data at `off` (pointer table first) into c->obuf.
 * *out_len: the bytes it decompressed to. VOUCH_E_MALFORMED (nothing recorded) on a bad one.
 */
static int
cr_block(cr *c, uint64_t tbl, uint32_t nblocks, uint32_t i, size_t want, size_t *out_len,
	 uint64_t *at)
{
	uint64_t start, end;
	vouch_rd r;
	uint32_t p;

	vouch_rd_init(&r, c->ptrs, (size_t)nblocks * 4);
	if (i == 0) {
		start = tbl + (uint64_t)nblocks * 4;
	} else {
		if (vouch_rd_seek(&r, (uint64_t)(i - 1) * 4) != VOUCH_OK ||
		    (c->sb.be ? vouch_rd_u32be(&r, &p) : vouch_rd_u32le(&r, &p)) != VOUCH_OK) {
			return VOUCH_E_MALFORMED;
		}
		start = p;
	}
	if (vouch_rd_seek(&r, (uint64_t)i * 4) != VOUCH_OK ||
	    (c->sb.be ? vouch_rd_u32be(&r, &p) : vouch_rd_u32le(&r, &p)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	end = p;
	*at = start;
	if (end < start || end > c->size || end - start > CR_MAX_CBLOCK) {
		return VOUCH_E_MALFORMED;
	}
	if (end == start) { /* a hole */
		memset(c->obuf, 0, want);
		*out_len = want;
		return VOUCH_OK;
	}
	if (vouch_src_read(c->s, start, c->cbuf, (size_t)(end - start)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (!c->zlive) {
		memset(&c->z, 0, sizeof(c->z));
		if (inflateInit(&c->z) != Z_OK) {
			return VOUCH_E_NOMEM;
		}
		c->zlive = true;
	} else if (inflateReset(&c->z) != Z_OK) {
		return VOUCH_E_INTERNAL;
	}
	c->z.next_in = c->cbuf;
	c->z.avail_in = (uInt)(end - start);
	c->z.next_out = c->obuf;
	c->z.avail_out = CR_MAX_BS;
	if (inflate(&c->z, Z_FINISH) != Z_STREAM_END) {
		return VOUCH_E_MALFORMED;
	}
	*out_len = CR_MAX_BS - c->z.avail_out;
	return VOUCH_OK;
}

/* Load the pointer table of data at `tbl` with `nblocks` blocks. */
static int
cr_ptrs(cr *c, uint64_t tbl, uint32_t nblocks)
{
	if (nblocks > CR_MAX_BLOCKS || !vouch_range_ok(tbl, (uint64_t)nblocks * 4, c->size)) {
		return VOUCH_E_MALFORMED;
	}
	return vouch_src_read(c->s, tbl, c->ptrs, (size_t)nblocks * 4);
}

/*
 * The block size is not in the superblock: it is the page size of the machine the image was
 * made for (mkfs.cramfs -b; 4 KiB on most, 16 or 64 KiB on some MIPS, ARM64 and PowerPC).
 * Files of one block read the same under every size; the first file longer than 4 KiB
 * decides: the smallest power of two whose pointer table and first block are consistent
 * (block 0 inflates to exactly min(size, bs)). None fits: 4 KiB, and the errors say why.
 */
static void
cr_detect_bs(cr *c, const cr_inode *ino)
{
	for (uint32_t bs = CR_PAGE; bs <= CR_MAX_BS; bs *= 2) {
		uint32_t nblocks = (ino->size + bs - 1) / bs;
		size_t got = 0;
		uint64_t at;
		if (cr_ptrs(c, ino->offset, nblocks) == VOUCH_OK &&
		    cr_block(c, ino->offset, nblocks, 0, VOUCH_MIN(bs, ino->size), &got, &at) ==
			    VOUCH_OK &&
		    got == VOUCH_MIN(bs, ino->size)) {
			c->bs = bs;
			return;
		}
	}
	c->bs = CR_PAGE;
}

static int
cr_file(cr *c, const cr_inode *ino, vouch_meta *meta)
{
	size_t plen = strlen(c->path);
	vouch_member *m = NULL;
	uint32_t nblocks;
	int rc;

	if (c->bs == 0 && ino->size > CR_PAGE) {
		cr_detect_bs(c, ino);
	}
	nblocks = (ino->size + cr_bs(c) - 1) / cr_bs(c);

	meta->ftype = VOUCH_FT_REG;
	meta->size_hint = ino->size;
	if (ino->size > 0 && cr_ptrs(c, ino->offset, nblocks) != VOUCH_OK) {
		return cr_err(c, VOUCH_E_MALFORMED, ino->offset, "block pointers out of range");
	}
	if ((rc = vouch_member_begin(c->j, c->path, plen, meta, &m)) != VOUCH_OK) {
		return rc;
	}
	for (uint32_t i = 0; i < nblocks; i++) {
		size_t want = VOUCH_MIN((size_t)cr_bs(c), (size_t)(ino->size - i * cr_bs(c)));
		size_t got = 0;
		uint64_t at = ino->offset;
		if ((rc = vouch_job_check(c->j)) != VOUCH_OK) {
			vouch_member_abort(m, rc, 0, "cramfs: stopped");
			return rc;
		}
		rc = cr_block(c, ino->offset, nblocks, i, want, &got, &at);
		if (rc == VOUCH_OK && got != want) {
			rc = VOUCH_E_MALFORMED;
		}
		if (rc != VOUCH_OK) {
			rc = vouch_member_abort(m, rc, 0, "cramfs: block %u at 0x%llx is corrupt",
						(unsigned)i, (unsigned long long)at);
			if (rc != VOUCH_OK) {
				return rc;
			}
			return ++c->nerr >= CR_MAX_ERRORS ? VOUCH_E_LIMIT : VOUCH_OK;
		}
		if ((rc = vouch_member_write(m, c->obuf, got)) != VOUCH_OK) {
			vouch_member_abort(m, rc, 0, "cramfs: stopped");
			return rc;
		}
	}
	return vouch_member_end(m);
}

static int
cr_symlink(cr *c, const cr_inode *ino, vouch_meta *meta)
{
	size_t got = 0;
	uint64_t at = ino->offset;

	if (ino->size == 0 || ino->size > CR_MAX_LINK || cr_ptrs(c, ino->offset, 1) != VOUCH_OK ||
	    cr_block(c, ino->offset, 1, 0, ino->size, &got, &at) != VOUCH_OK ||
	    got != ino->size || memchr(c->obuf, '\0', got) != NULL) {
		return cr_err(c, VOUCH_E_MALFORMED, at, "corrupt symlink target");
	}
	memcpy(c->link, c->obuf, got);
	c->link[got] = '\0';
	meta->ftype = VOUCH_FT_SYMLINK;
	meta->link = c->link;
	meta->link_len = got;
	return vouch_job_entry(c->j, c->path, strlen(c->path), meta);
}

/* Emit one inode at c->path; push a frame for a directory. */
static int
cr_emit(cr *c, const cr_inode *ino, cr_frame *stack, unsigned *depth)
{
	vouch_meta meta;

	memset(&meta, 0, sizeof(meta));
	meta.mode = ino->mode & 07777u;
	meta.has_mode = true;
	meta.uid = ino->uid;
	meta.gid = ino->gid;
	switch (ino->mode & 0170000u) {
	case 0040000u: {
		int rc;
		meta.ftype = VOUCH_FT_DIR;
		if ((rc = vouch_job_entry(c->j, c->path, strlen(c->path), &meta)) != VOUCH_OK) {
			return rc;
		}
		if (ino->size == 0) {
			return VOUCH_OK;
		}
		if (!vouch_range_ok(ino->offset, ino->size, c->size)) {
			return cr_err(c, VOUCH_E_MALFORMED, ino->offset, "directory out of range");
		}
		for (unsigned k = 0; k < *depth; k++) {
			if (stack[k].end == (uint64_t)ino->offset + ino->size) {
				return cr_err(c, VOUCH_E_MALFORMED, ino->offset, "directory loop");
			}
		}
		if (*depth >= CR_MAX_DEPTH) {
			return cr_err(c, VOUCH_E_LIMIT, ino->offset, "directories nested too deep");
		}
		stack[*depth] = (cr_frame){ino->offset, (uint64_t)ino->offset + ino->size,
					   strlen(c->path)};
		(*depth)++;
		return VOUCH_OK;
	}
	case 0100000u:
		return cr_file(c, ino, &meta);
	case 0120000u:
		return cr_symlink(c, ino, &meta);
	case 0020000u:
		meta.ftype = VOUCH_FT_CHR;
		break;
	case 0060000u:
		meta.ftype = VOUCH_FT_BLK;
		break;
	case 0010000u:
		meta.ftype = VOUCH_FT_FIFO;
		break;
	case 0140000u:
		meta.ftype = VOUCH_FT_SOCK;
		break;
	default:
		return cr_err(c, VOUCH_E_MALFORMED, ino->offset, "unknown inode type");
	}
	return vouch_job_entry(c->j, c->path, strlen(c->path), &meta);
}

static int
cr_walk(cr *c)
{
	cr_frame stack[CR_MAX_DEPTH];
	uint64_t budget = c->size / CR_INODE + 1; /* entries an image of this size can hold */
	unsigned depth = 0;
	uint8_t raw[CR_INODE];
	char name[64 * 4 + 1];
	int rc;

	/* the root itself is the container: only its entries are emitted */
	c->path[0] = '\0';
	if (c->sb.root.size > 0) {
		if (!vouch_range_ok(c->sb.root.offset, c->sb.root.size, c->size)) {
			return cr_err(c, VOUCH_E_MALFORMED, c->sb.base + 64, "root out of range");
		}
		stack[depth++] = (cr_frame){c->sb.root.offset,
					    (uint64_t)c->sb.root.offset + c->sb.root.size, 0};
	}
	while (depth > 0) {
		cr_frame *f = &stack[depth - 1];
		cr_inode ino;
		uint64_t at = f->pos;
		size_t nlen, need;

		if (f->pos >= f->end) {
			depth--;
			continue;
		}
		if ((rc = vouch_job_check(c->j)) != VOUCH_OK) {
			return rc;
		}
		if (budget-- == 0) {
			vouch_job_error(c->j, VOUCH_E_MALFORMED, at,
					"cramfs: more directory entries than the image can hold");
			return VOUCH_OK;
		}
		c->path[f->path_len] = '\0';
		if (at + CR_INODE > c->size ||
		    vouch_src_read(c->s, at, raw, sizeof(raw)) != VOUCH_OK ||
		    cr_inode_decode(&c->sb, raw, &ino) != VOUCH_OK || ino.namelen == 0 ||
		    !vouch_range_ok(at + CR_INODE, ino.namelen, f->end) ||
		    vouch_src_read(c->s, at + CR_INODE, name, ino.namelen) != VOUCH_OK) {
			f->pos = f->end; /* the rest of this directory cannot be trusted */
			if ((rc = cr_err(c, VOUCH_E_MALFORMED, at, "corrupt directory entry")) !=
			    VOUCH_OK) {
				return rc;
			}
			continue;
		}
		f->pos = at + CR_INODE + ino.namelen;
		nlen = strnlen(name, ino.namelen);
		if (nlen == 0) {
			if ((rc = cr_err(c, VOUCH_E_MALFORMED, at, "empty name")) != VOUCH_OK) {
				return rc;
			}
			continue;
		}
		need = f->path_len + 1 + nlen + 1;
		if (need > c->path_cap) {
			if ((rc = cr_err(c, VOUCH_E_LIMIT, at, "path too long")) != VOUCH_OK) {
				return rc;
			}
			continue;
		}
		if (f->path_len > 0) {
			c->path[f->path_len] = '/';
			memcpy(c->path + f->path_len + 1, name, nlen);
			c->path[f->path_len + 1 + nlen] = '\0';
		} else {
			memcpy(c->path, name, nlen);
			c->path[nlen] = '\0';
		}
		if ((rc = cr_emit(c, &ino, stack, &depth)) != VOUCH_OK) {
			return rc;
		}
	}
	return VOUCH_OK;
}

static int
cramfs_extract(vouch_job *j, const vouch_src *s)
{
	vouch_arena *a = vouch_job_arena(j);
	cr *c;
	int rc;

	if ((c = vouch_arena_alloc(a, sizeof(*c))) == NULL) {
		return VOUCH_E_NOMEM;
	}
	c->j = j;
	c->s = s;
	if ((rc = cr_super_read(s, &c->sb)) != VOUCH_OK) {
		return rc;
	}
	if (c->sb.flags & ~CR_FLAGS_KNOWN) {
		vouch_job_error(j, VOUCH_E_UNSUPPORTED, c->sb.base + 8,
				"cramfs: unsupported flags 0x%x%s", (unsigned)c->sb.flags,
				(c->sb.flags & CR_FLAG_EXT_PTRS) ? " (extended block pointers)"
								 : "");
		vouch_job_set_consumed(j, VOUCH_MIN((uint64_t)c->sb.size, vouch_src_size(s)));
		return VOUCH_E_UNSUPPORTED;
	}
	c->size = vouch_src_size(s);
	if (c->sb.flags & CR_FLAG_FSID_V2) {
		if (c->sb.size > c->size) {
			vouch_job_error(j, VOUCH_E_MALFORMED, c->size,
					"cramfs: truncated, %llu of %u bytes",
					(unsigned long long)c->size, (unsigned)c->sb.size);
		} else {
			c->size = c->sb.size;
		}
	}
	c->path_cap = (size_t)VOUCH_MIN(vouch_job_limits(j)->max_path, (uint64_t)65536);
	c->path = vouch_arena_alloc(a, c->path_cap);
	c->cbuf = vouch_arena_alloc(a, CR_MAX_CBLOCK);
	c->obuf = vouch_arena_alloc(a, CR_MAX_BS);
	c->ptrs = vouch_arena_alloc(a, CR_MAX_BLOCKS * 4);
	if (c->path == NULL || c->cbuf == NULL || c->obuf == NULL || c->ptrs == NULL) {
		return VOUCH_E_NOMEM;
	}
	if ((c->sb.flags & CR_FLAG_FSID_V2) && c->sb.size <= c->size &&
	    (rc = cr_check_crc(c)) != VOUCH_OK) {
		goto out;
	}
	vouch_job_set_consumed(j, c->size);
	rc = cr_walk(c);
out:
	if (c->zlive) {
		inflateEnd(&c->z);
	}
	return rc;
}

const vouch_fmt vouch_fmt_cramfs = {
	.name = "cramfs",
	.desc = "cramfs compressed ROM filesystem",
	.magic = {{"\x45\x3d\xcd\x28", 4, 0},
		  {"\x28\xcd\x3d\x45", 4, 0},
		  {"\x45\x3d\xcd\x28", 4, CR_PAD},
		  {"\x28\xcd\x3d\x45", 4, CR_PAD}},
	.probe = cramfs_probe,
	.extract = cramfs_extract,
};
