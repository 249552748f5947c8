/*
 * unpack/formats/squashfs.c: SquashFS 4.0 (little-endian) through libsquashfs.
 *
 * What. Every directory, regular file (data blocks, sparse blocks, fragment tails), symlink,
 * device, FIFO and socket of a SquashFS 4.0 image, with mode, uid/gid and mtime. A file
 * whose inode was already emitted under another name (a hard link: mksquashfs stores one
 * inode referenced by several directory entries) is emitted as VOUCH_FT_HARDLINK to the
 * first path, so its bytes are decompressed, hashed and stored once, as tar does. Older or
 * big-endian SquashFS (1.x-3.x, "sqsh") is recognised and its region claimed, with an
 * UNSUPPORTED error that names the variant, so it is never silently skipped.
 *
 * How. libsquashfs (squashfs-tools-ng) does the format's hard parts: the superblock check,
 * the compressors (gzip, xz, lzma, lz4, zstd, with their options; LZO through liblzo2 behind
 * the same interface, see below), the metadata block reader, directory listing
 * (sqfs_meta_reader_readdir), the id and fragment tables. It reads
 * the image through our sqfs_file_t, whose read_at goes through vouch_src_read (bounded to
 * the image, never writes). We decode each inode's fixed fields ourselves from the metadata
 * reader with the bounds-checked cursor, because libsquashfs' inode reader allocates the
 * block list and symlink target from sizes it has not checked (an 8-byte file size can ask
 * for a terabyte) and its directory reader hides the inode reference we need for hard links
 * and loop detection. File data is streamed one block at a time, in on-disk order: read the
 * compressed block, decompress it with the library's compressor into one reused buffer,
 * hand it to the engine (which hashes and writes it on the other worker thread meanwhile);
 * with two or more threads a helper decompresses every other block of a file (see below).
 * Fragment blocks are cached (the last one), since consecutive small files share them.
 *
 * Bounds. The tree walk is an explicit stack (depth <= SQ_MAX_DEPTH, path <= max_path);
 * each directory inode is entered once (a set of inode references stops loops); inode
 * counts and file sizes are checked against the image and the limits before anything is
 * allocated from them; after SQ_MAX_ERRORS recorded errors the image is abandoned. A corrupt
 * inode or block is recorded with its offset and the walk continues with the next entry.
 *
 * Rejected: sqfs_dir_reader_get_full_hierarchy (recursive, builds the whole tree in memory
 * before the first byte flows); sqfs_data_reader_read (one more copy of every block and a
 * malloc per block); unsquashfs to a temporary directory (twice the I/O and host paths built
 * from image names).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <sqfs/block.h>
#include <sqfs/compressor.h>
#include <sqfs/dir.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_reader.h>
#include <sqfs/super.h>

#include "unpack/unpack.h"

#define SQ_SUPER_SIZE 96u
#define SQ_MAX_DEPTH 1024u  /* directory nesting; far beyond any real firmware */
#define SQ_MAX_ERRORS 1000u /* recorded errors before the image is abandoned */
#define SQ_MAX_LINK 4096u   /* symlink target bytes (PATH_MAX) */
#define SQ_NO_FRAG 0xFFFFFFFFu
#define SQ_NO_TABLE 0xFFFFFFFFFFFFFFFFull

/* ---- the image as a libsquashfs file ------------------------------------------------- */

typedef struct sq_file {
	sqfs_file_t base; /* first: libsquashfs casts the object pointer */
	const vouch_src *src;
} sq_file;

static int
sq_read_at(sqfs_file_t *file, sqfs_u64 offset, void *buffer, size_t size)
{
	const sq_file *f = (const sq_file *)file;

	if (!vouch_range_ok(offset, size, f->src->len)) {
		return SQFS_ERROR_OUT_OF_BOUNDS;
	}
	return vouch_src_read(f->src, offset, buffer, size) == VOUCH_OK ? 0 : SQFS_ERROR_IO;
}

static int
sq_write_at(sqfs_file_t *file, sqfs_u64 offset, const void *buffer, size_t size)
{
	(void)file;
	(void)offset;
	(void)buffer;
	(void)size;
	return SQFS_ERROR_UNSUPPORTED; /* images are read-only evidence */
}

static sqfs_u64
sq_get_size(const sqfs_file_t *file)
{
	return ((const sq_file *)file)->src->len;
}

static int
sq_truncate(sqfs_file_t *file, sqfs_u64 size)
{
	(void)file;
	(void)size;
	return SQFS_ERROR_UNSUPPORTED;
}

static void
sq_file_destroy(sqfs_object_t *obj)
{
	(void)obj; /* lives in the extract() frame */
}

static const char *
sq_strerror(int err)
{
	switch (err) {
	case SQFS_ERROR_ALLOC: return "out of memory";
	case SQFS_ERROR_IO: return "read error";
	case SQFS_ERROR_COMPRESSOR: return "decompression failed";
	case SQFS_ERROR_CORRUPTED: return "corrupt metadata";
	case SQFS_ERROR_UNSUPPORTED: return "unsupported feature";
	case SQFS_ERROR_OVERFLOW: return "size overflow";
	case SQFS_ERROR_OUT_OF_BOUNDS: return "reference outside its table or the image";
	case SFQS_ERROR_SUPER_MAGIC: return "bad superblock magic";
	case SFQS_ERROR_SUPER_VERSION: return "unsupported version";
	case SQFS_ERROR_SUPER_BLOCK_SIZE: return "bad block size";
	default: return "corrupt";
	}
}

/*
 * LZO: Debian's libsquashfs is built without it (LZO is GPL, the library LGPL; upstream
 * keeps LZO in its tools only), so squashfs-lzo images get a decompress-only compressor
 * object of our own over liblzo2, plugged into the same interface.
 */
static pthread_once_t sq_lzo_once = PTHREAD_ONCE_INIT;
static bool sq_lzo_ok;

static void
sq_lzo_init(void)
{
	sq_lzo_ok = lzo_init() == LZO_E_OK;
}

static sqfs_s32
sq_lzo_do_block(sqfs_compressor_t *cmp, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
		sqfs_u32 outsize)
{
	lzo_uint n = outsize;

	(void)cmp;
	if (lzo1x_decompress_safe(in, size, out, &n, NULL) != LZO_E_OK || n > outsize ||
	    n > INT32_MAX) {
		return SQFS_ERROR_COMPRESSOR;
	}
	return (sqfs_s32)n;
}

static int
sq_lzo_read_options(sqfs_compressor_t *cmp, sqfs_file_t *file)
{
	(void)cmp;
	(void)file;
	return 0; /* algorithm and level only matter when compressing */
}

static void
sq_lzo_destroy(sqfs_object_t *obj)
{
	free(obj);
}

static int
sq_lzo_create(sqfs_compressor_t **out)
{
	sqfs_compressor_t *c;

	pthread_once(&sq_lzo_once, sq_lzo_init);
	if (!sq_lzo_ok || (c = calloc(1, sizeof(*c))) == NULL) {
		return SQFS_ERROR_ALLOC;
	}
	c->base.destroy = sq_lzo_destroy;
	c->read_options = sq_lzo_read_options;
	c->do_block = sq_lzo_do_block;
	*out = c;
	return 0;
}

/* ---- the extraction state ------------------------------------------------------------ */

/* One directory being listed; its path is path[0 .. path_len) of the shared buffer. */
typedef struct sq_frame {
	sqfs_readdir_state_t st;
	size_t path_len;
} sq_frame;

/* The fields of an inode that we use, decoded from its metadata bytes. */
typedef struct sq_inode {
	uint16_t type, mode, uid_idx, gid_idx;
	uint32_t mtime, number, nlink;
	uint64_t blocks_start, file_size;
	uint32_t frag_idx, frag_off;
	uint64_t where; /* image offset of the inode's metadata block, for error reports */
	sqfs_inode_dir_t dir;
	sqfs_inode_dir_ext_t dir_ext;
	uint32_t link_len;
	uint64_t nblocks;
} sq_inode;

typedef struct sq {
	vouch_job *j;
	const vouch_src *s;
	const vouch_limits *lim;
	sq_file file;
	sqfs_super_t super;
	sqfs_compressor_t *cmp;
	sqfs_id_table_t *ids;
	sqfs_frag_table_t *frags;
	sqfs_meta_reader_t *ir, *dr;
	sqfs_inode_generic_t *dirino; /* what sqfs_readdir_state_init reads (heap: flexible) */
	bool ids_ok, frags_ok;
	uint8_t *in, *out, *frag;
	uint32_t frag_cur;
	size_t frag_len;
	bool frag_valid;
	uint32_t *blocks;
	size_t blocks_cap;
	char *path;
	size_t path_cap;
	char link[SQ_MAX_LINK + 1];
	vouch_map dirs_seen, links;
	unsigned nerr;
	struct sq_helper *helper; /* second decompressor, or NULL */
	bool helper_tried;
} sq;

/* Record an error; VOUCH_E_LIMIT once there have been too many to go on. */
static int
sq_err(sq *q, int code, uint64_t off, const char *fmt, ...) VOUCH_PRINTF(4, 5);

static int
sq_err(sq *q, int code, uint64_t off, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (++q->nerr > SQ_MAX_ERRORS) {
		if (q->nerr == SQ_MAX_ERRORS + 1) {
			vouch_job_error(q->j, VOUCH_E_MALFORMED, off,
					"squashfs: more than %u errors; the rest of the image is "
					"not read",
					SQ_MAX_ERRORS);
		}
		return VOUCH_E_LIMIT;
	}
	vouch_job_error(q->j, code, off, "squashfs: %s", msg);
	return VOUCH_OK;
}

/* An escaped copy of the current path for messages. */
static const char *
sq_esc(const sq *q, size_t len, char *buf, size_t cap)
{
	vouch_escape(buf, cap, q->path, len);
	return buf;
}

/* ---- inodes ---------------------------------------------------------------------------- */

/* Read n bytes of inode metadata; VOUCH_E_MALFORMED on any libsquashfs error. */
static int
sq_meta(sq *q, void *p, size_t n, int *serr)
{
	*serr = sqfs_meta_reader_read(q->ir, p, n);
	return *serr == 0 ? VOUCH_OK : VOUCH_E_MALFORMED;
}

/*
 * Decode the inode at `ref` (metadata block << 16 | offset) into *ino. For files the block
 * list is read into q->blocks, for symlinks the target into q->link. Every size is checked
 * before it is used. Returns VOUCH_OK, VOUCH_E_MALFORMED (with *why set), VOUCH_E_LIMIT for
 * a file bigger than max_member_bytes, VOUCH_E_NOMEM.
 */
static int
sq_read_inode(sq *q, uint64_t ref, sq_inode *ino, const char **why)
{
	uint8_t b[40];
	vouch_rd r;
	int serr = 0;
	uint64_t blk = ref >> 16;
	size_t off = (size_t)(ref & 0xFFFF);
	uint32_t u32 = 0;

	memset(ino, 0, sizeof(*ino));
	*why = "inode reference outside the inode table";
	if (!vouch_add_u64(q->super.inode_table_start, blk, &ino->where) ||
	    ino->where >= q->super.directory_table_start || off >= SQFS_META_BLOCK_SIZE) {
		return VOUCH_E_MALFORMED;
	}
	*why = "unreadable inode";
	if (sqfs_meta_reader_seek(q->ir, ino->where, off) != 0 || sq_meta(q, b, 16, &serr) != 0) {
		*why = sq_strerror(serr);
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, b, 16);
	vouch_rd_u16le(&r, &ino->type);
	vouch_rd_u16le(&r, &ino->mode);
	vouch_rd_u16le(&r, &ino->uid_idx);
	vouch_rd_u16le(&r, &ino->gid_idx);
	vouch_rd_u32le(&r, &ino->mtime);
	vouch_rd_u32le(&r, &ino->number);
	ino->nlink = 1;

	static const uint8_t fixed[] = {
		[SQFS_INODE_DIR] = 16,	    [SQFS_INODE_FILE] = 16,	   [SQFS_INODE_SLINK] = 8,
		[SQFS_INODE_BDEV] = 8,	    [SQFS_INODE_CDEV] = 8,	   [SQFS_INODE_FIFO] = 4,
		[SQFS_INODE_SOCKET] = 4,    [SQFS_INODE_EXT_DIR] = 24,	   [SQFS_INODE_EXT_FILE] = 40,
		[SQFS_INODE_EXT_SLINK] = 8, [SQFS_INODE_EXT_BDEV] = 12,  [SQFS_INODE_EXT_CDEV] = 12,
		[SQFS_INODE_EXT_FIFO] = 8,  [SQFS_INODE_EXT_SOCKET] = 8,
	};
	if (ino->type == 0 || ino->type >= VOUCH_ARRAY_LEN(fixed)) {
		*why = "unknown inode type";
		return VOUCH_E_MALFORMED;
	}
	if (sq_meta(q, b, fixed[ino->type], &serr) != VOUCH_OK) {
		*why = sq_strerror(serr);
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, b, fixed[ino->type]);
	/* the cursor cannot run short below: `fixed` sized the buffer for each type */
	switch (ino->type) {
	case SQFS_INODE_DIR: {
		sqfs_inode_dir_t *d = &ino->dir;
		vouch_rd_u32le(&r, &d->start_block);
		vouch_rd_u32le(&r, &d->nlink);
		vouch_rd_u16le(&r, &d->size);
		vouch_rd_u16le(&r, &d->offset);
		vouch_rd_u32le(&r, &d->parent_inode);
		break;
	}
	case SQFS_INODE_EXT_DIR: {
		sqfs_inode_dir_ext_t *d = &ino->dir_ext;
		vouch_rd_u32le(&r, &d->nlink);
		vouch_rd_u32le(&r, &d->size);
		vouch_rd_u32le(&r, &d->start_block);
		vouch_rd_u32le(&r, &d->parent_inode);
		vouch_rd_u16le(&r, &d->inodex_count);
		vouch_rd_u16le(&r, &d->offset);
		/* the directory index that follows only speeds up lookups: not read */
		break;
	}
	case SQFS_INODE_FILE:
		vouch_rd_u32le(&r, &u32);
		ino->blocks_start = u32;
		vouch_rd_u32le(&r, &ino->frag_idx);
		vouch_rd_u32le(&r, &ino->frag_off);
		vouch_rd_u32le(&r, &u32);
		ino->file_size = u32;
		break;
	case SQFS_INODE_EXT_FILE: {
		uint64_t sparse;
		vouch_rd_u64le(&r, &ino->blocks_start);
		vouch_rd_u64le(&r, &ino->file_size);
		vouch_rd_u64le(&r, &sparse);
		vouch_rd_u32le(&r, &ino->nlink);
		vouch_rd_u32le(&r, &ino->frag_idx);
		vouch_rd_u32le(&r, &ino->frag_off);
		break;
	}
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK:
		vouch_rd_u32le(&r, &ino->nlink);
		vouch_rd_u32le(&r, &ino->link_len);
		if (ino->link_len == 0 || ino->link_len > SQ_MAX_LINK) {
			*why = "symlink target size out of range";
			return VOUCH_E_MALFORMED;
		}
		if (sq_meta(q, q->link, ino->link_len, &serr) != VOUCH_OK) {
			*why = "symlink target unreadable";
			return VOUCH_E_MALFORMED;
		}
		q->link[ino->link_len] = '\0';
		return VOUCH_OK;
	default: /* devices, FIFOs, sockets: nlink first, then device number / xattr */
		vouch_rd_u32le(&r, &ino->nlink);
		return VOUCH_OK;
	}
	if (ino->type != SQFS_INODE_FILE && ino->type != SQFS_INODE_EXT_FILE) {
		return VOUCH_OK;
	}
	/* the block list: one word per full block, plus the tail unless it is a fragment */
	uint64_t bs = q->super.block_size;
	if (ino->file_size > q->lim->max_member_bytes) {
		*why = "file larger than max_member_bytes";
		return VOUCH_E_LIMIT;
	}
	ino->nblocks = ino->file_size / bs;
	if (ino->file_size % bs != 0 && ino->frag_idx == SQ_NO_FRAG) {
		ino->nblocks++;
	}
	if (ino->nblocks > q->blocks_cap) {
		size_t ncap = (size_t)VOUCH_MAX(ino->nblocks, (uint64_t)q->blocks_cap * 2);
		uint32_t *nb = realloc(q->blocks, ncap * sizeof(*nb));
		if (nb == NULL) {
			return VOUCH_E_NOMEM;
		}
		q->blocks = nb;
		q->blocks_cap = ncap;
	}
	if (ino->nblocks > 0 &&
	    sq_meta(q, q->blocks, (size_t)ino->nblocks * sizeof(uint32_t), &serr) != VOUCH_OK) {
		*why = "block list unreadable";
		return VOUCH_E_MALFORMED;
	}
	for (uint64_t i = 0; i < ino->nblocks; i++) {
		q->blocks[i] = vouch_load_u32le((const uint8_t *)&q->blocks[i]);
	}
	return VOUCH_OK;
}

/* ---- file data --------------------------------------------------------------------------- */

/*
 * Read the block whose size word is `word` at image offset `loc` into `dst` (block_size
 * bytes). *n is its uncompressed size. Returns VOUCH_OK or VOUCH_E_MALFORMED with *why.
 */
static int
sq_block_with(const sq *q, sqfs_compressor_t *cmp, uint8_t *in, uint64_t loc, uint32_t word,
	      uint8_t *dst, size_t *n, const char **why)
{
	uint32_t dsz = SQFS_ON_DISK_BLOCK_SIZE(word);

	if (dsz > q->super.block_size) {
		*why = "block larger than the block size";
		return VOUCH_E_MALFORMED;
	}
	if (!SQFS_IS_BLOCK_COMPRESSED(word)) {
		if (vouch_src_read(q->s, loc, dst, dsz) != VOUCH_OK) {
			*why = "block outside the image";
			return VOUCH_E_MALFORMED;
		}
		*n = dsz;
		return VOUCH_OK;
	}
	if (vouch_src_read(q->s, loc, in, dsz) != VOUCH_OK) {
		*why = "block outside the image";
		return VOUCH_E_MALFORMED;
	}
	sqfs_s32 got = cmp->do_block(cmp, in, dsz, dst, q->super.block_size);
	if (got <= 0) {
		*why = "block does not decompress";
		return VOUCH_E_MALFORMED;
	}
	*n = (size_t)got;
	return VOUCH_OK;
}

static int
sq_block(sq *q, uint64_t loc, uint32_t word, uint8_t *dst, size_t *n, const char **why)
{
	return sq_block_with(q, q->cmp, q->in, loc, word, dst, n, why);
}

/*
 * Block `word` at `loc` of a file, `want` bytes uncompressed (a sparse block is zeros), into
 * dst through cmp/in. VOUCH_OK or VOUCH_E_MALFORMED with *why.
 */
static int
sq_data_block(const sq *q, sqfs_compressor_t *cmp, uint8_t *in, uint64_t loc, uint32_t word,
	      size_t want, uint8_t *dst, const char **why)
{
	size_t n = 0;

	if (want == 0) {
		*why = "more blocks than the file size needs";
		return VOUCH_E_MALFORMED;
	}
	if (SQFS_IS_SPARSE_BLOCK(word)) {
		memset(dst, 0, want);
		return VOUCH_OK;
	}
	if (sq_block_with(q, cmp, in, loc, word, dst, &n, why) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (n != want) {
		*why = "block has the wrong size";
		return VOUCH_E_MALFORMED;
	}
	return VOUCH_OK;
}

/* ---- a second decompressor ----------------------------------------------------------------- */

/*
 * While the walker decompresses block i of a file, a helper thread with its own compressor
 * and buffers decompresses block i + 1: decompression is the slow part of a squashfs (xz),
 * and unsquashfs spreads it over every core, so this is what keeps vouch near it on 2 cores
 * (the engine's other worker hashes and writes the members meanwhile). One handoff per pair
 * of blocks (128 KiB each by default, a millisecond of xz) costs little. The helper starts
 * with the first file of two or more blocks and only when the scan has more than one thread.
 */
typedef struct sq_helper {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, posted, done, quit;
	sqfs_compressor_t *cmp;
	uint8_t *in, *out;
	const sq *q;
	uint64_t loc;
	uint32_t word;
	size_t want;
	int rc;
	const char *why;
} sq_helper;

static void *
sq_helper_main(void *arg)
{
	sq_helper *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->posted && !h->quit) {
			pthread_cond_wait(&h->cv, &h->mu);
		}
		if (h->quit) {
			break;
		}
		h->posted = false;
		pthread_mutex_unlock(&h->mu);
		const char *why = NULL;
		int rc = sq_data_block(h->q, h->cmp, h->in, h->loc, h->word, h->want, h->out, &why);
		pthread_mutex_lock(&h->mu);
		h->rc = rc;
		h->why = why;
		h->done = true;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static void
sq_helper_post(sq_helper *h, uint64_t loc, uint32_t word, size_t want)
{
	pthread_mutex_lock(&h->mu);
	h->loc = loc;
	h->word = word;
	h->want = want;
	h->done = false;
	h->posted = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static int
sq_helper_wait(sq_helper *h, const char **why)
{
	pthread_mutex_lock(&h->mu);
	while (!h->done) {
		pthread_cond_wait(&h->cv, &h->mu);
	}
	int rc = h->rc;
	*why = h->why;
	pthread_mutex_unlock(&h->mu);
	return rc;
}

static void
sq_helper_stop(sq_helper *h)
{
	if (h == NULL) {
		return;
	}
	if (h->running) {
		pthread_mutex_lock(&h->mu);
		h->quit = true;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->th, NULL);
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
	}
	sqfs_destroy(h->cmp);
	free(h->in);
	free(h->out);
	free(h);
}

/* A decompressor for this image's compressor (options not yet read). 0 or an sqfs error. */
static int
sq_make_cmp(sq *q, sqfs_compressor_t **out)
{
	sqfs_compressor_config_t cfg;
	int e;

	if (q->super.compression_id == SQFS_COMP_LZO) {
		return sq_lzo_create(out);
	}
	e = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)q->super.compression_id,
					q->super.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
	return e != 0 ? e : sqfs_compressor_create(&cfg, out);
}

/* Start the helper (once per image); on any failure the walker simply works alone. */
static void
sq_helper_start(sq *q)
{
	sq_helper *h;

	q->helper_tried = true;
	if (vouch_job_threads(q->j) < 2 || (h = calloc(1, sizeof(*h))) == NULL) {
		return;
	}
	h->q = q;
	h->in = malloc(q->super.block_size);
	h->out = malloc(q->super.block_size);
	if (h->in == NULL || h->out == NULL || sq_make_cmp(q, &h->cmp) != 0 ||
	    ((q->super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS) != 0 &&
	     h->cmp->read_options(h->cmp, &q->file.base) != 0)) {
		sq_helper_stop(h);
		return;
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->th, NULL, sq_helper_main, h) != 0) {
		pthread_mutex_destroy(&h->mu);
		pthread_cond_destroy(&h->cv);
		sq_helper_stop(h);
		return;
	}
	h->running = true;
	q->helper = h;
}

/* Make fragment block `idx` the cached one. */
static int
sq_load_frag(sq *q, uint32_t idx, uint64_t *where, const char **why)
{
	sqfs_fragment_t fe;

	*where = 0;
	if (q->frag_valid && q->frag_cur == idx) {
		return VOUCH_OK;
	}
	q->frag_valid = false;
	if (!q->frags_ok || sqfs_frag_table_lookup(q->frags, idx, &fe) != 0) {
		*why = q->frags_ok ? "fragment index out of range" : "fragment table unreadable";
		return VOUCH_E_MALFORMED;
	}
	*where = fe.start_offset;
	if (sq_block(q, fe.start_offset, fe.size, q->frag, &q->frag_len, why) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	q->frag_cur = idx;
	q->frag_valid = true;
	return VOUCH_OK;
}

/* Stream the file described by ino (block list in q->blocks) into member m; ends m. */
static int
sq_file_data(sq *q, const sq_inode *ino, vouch_member *m)
{
	uint64_t loc = ino->blocks_start, left = ino->file_size;
	const char *why = NULL;
	int rc;

	if (ino->nblocks >= 2 && !q->helper_tried) {
		sq_helper_start(q);
	}
	for (uint64_t i = 0; i < ino->nblocks;) {
		uint32_t word = q->blocks[i];
		size_t want = (size_t)VOUCH_MIN(left, (uint64_t)q->super.block_size);
		sq_helper *h = i + 1 < ino->nblocks ? q->helper : NULL;
		uint64_t loc2 = loc + SQFS_ON_DISK_BLOCK_SIZE(word);
		size_t want2 = (size_t)VOUCH_MIN(left - want, (uint64_t)q->super.block_size);
		const char *why2 = NULL;
		int rc2 = VOUCH_OK;

		if (h != NULL) {
			sq_helper_post(h, loc2, q->blocks[i + 1], want2);
		}
		rc = sq_data_block(q, q->cmp, q->in, loc, word, want, q->out, &why);
		if (h != NULL) {
			rc2 = sq_helper_wait(h, &why2); /* its buffers are free only after this */
		}
		if (rc != VOUCH_OK) {
			goto bad;
		}
		if ((rc = vouch_member_write(m, q->out, want)) != VOUCH_OK) {
			vouch_member_abort(m, rc, loc, "squashfs: stopped");
			return rc;
		}
		loc = loc2;
		left -= want;
		i++;
		if (h == NULL) {
			continue;
		}
		if (rc2 != VOUCH_OK) {
			why = why2;
			goto bad;
		}
		if ((rc = vouch_member_write(m, h->out, want2)) != VOUCH_OK) {
			vouch_member_abort(m, rc, loc, "squashfs: stopped");
			return rc;
		}
		loc += SQFS_ON_DISK_BLOCK_SIZE(q->blocks[i]);
		left -= want2;
		i++;
	}
	if (left > 0) {
		uint64_t where = 0;
		if (ino->frag_idx == SQ_NO_FRAG) {
			why = "file shorter than its size";
			goto bad;
		}
		if (sq_load_frag(q, ino->frag_idx, &where, &why) != VOUCH_OK) {
			loc = where;
			goto bad;
		}
		if (!vouch_range_ok(ino->frag_off, left, q->frag_len)) {
			loc = where;
			why = "tail outside its fragment block";
			goto bad;
		}
		if ((rc = vouch_member_write(m, q->frag + ino->frag_off, (size_t)left)) != VOUCH_OK) {
			vouch_member_abort(m, rc, where, "squashfs: stopped");
			return rc;
		}
	}
	return vouch_member_end(m);
bad:
	rc = vouch_member_abort(m, VOUCH_E_MALFORMED, loc, "squashfs: %s", why);
	if (rc != VOUCH_OK) {
		return rc;
	}
	return ++q->nerr > SQ_MAX_ERRORS ? VOUCH_E_LIMIT : VOUCH_OK;
}

/* ---- the walk ------------------------------------------------------------------------------- */

static void
sq_meta_of(sq *q, const sq_inode *ino, vouch_meta *meta, uint64_t at)
{
	uint32_t id;

	memset(meta, 0, sizeof(*meta));
	meta->mode = ino->mode & 07777;
	meta->has_mode = true;
	meta->mtime = ino->mtime;
	if (q->ids_ok) {
		if (sqfs_id_table_index_to_id(q->ids, ino->uid_idx, &id) == 0) {
			meta->uid = id;
		} else {
			sq_err(q, VOUCH_E_MALFORMED, at, "uid index %u out of range", ino->uid_idx);
		}
		if (sqfs_id_table_index_to_id(q->ids, ino->gid_idx, &id) == 0) {
			meta->gid = id;
		} else {
			sq_err(q, VOUCH_E_MALFORMED, at, "gid index %u out of range", ino->gid_idx);
		}
	}
}

/* Emit the entry whose path is q->path[0..len); push it when it is a directory. */
static int
sq_entry(sq *q, uint64_t ref, size_t len, sq_frame *stack, size_t *depth)
{
	sq_inode ino;
	vouch_meta meta;
	vouch_member *m = NULL;
	const char *why = NULL, *first;
	char esc[256];
	bool found;
	int rc;

	rc = sq_read_inode(q, ref, &ino, &why);
	if (rc == VOUCH_E_NOMEM) {
		return rc;
	}
	if (rc != VOUCH_OK) {
		return sq_err(q, rc, ino.where, "%s: %s", sq_esc(q, len, esc, sizeof(esc)), why);
	}
	sq_meta_of(q, &ino, &meta, ino.where);
	switch (ino.type) {
	case SQFS_INODE_DIR:
	case SQFS_INODE_EXT_DIR:
		meta.ftype = VOUCH_FT_DIR;
		vouch_map_get(&q->dirs_seen, ref, &found);
		if (found) {
			return sq_err(q, VOUCH_E_MALFORMED, ino.where,
				      "%s: directory loop (inode already entered)",
				      sq_esc(q, len, esc, sizeof(esc)));
		}
		if ((rc = vouch_job_entry(q->j, q->path, len, &meta)) != VOUCH_OK) {
			return rc;
		}
		if (*depth >= SQ_MAX_DEPTH) {
			return sq_err(q, VOUCH_E_LIMIT, ino.where, "%s: directories nested deeper "
				      "than %u: not entered", sq_esc(q, len, esc, sizeof(esc)),
				      SQ_MAX_DEPTH);
		}
		if ((rc = vouch_map_put(&q->dirs_seen, ref, "")) != VOUCH_OK) {
			return rc;
		}
		memset(q->dirino, 0, sizeof(*q->dirino));
		q->dirino->base.type = ino.type;
		if (ino.type == SQFS_INODE_DIR) {
			q->dirino->data.dir = ino.dir;
		} else {
			q->dirino->data.dir_ext = ino.dir_ext;
		}
		if (sqfs_readdir_state_init(&stack[*depth].st, &q->super, q->dirino) != 0) {
			return sq_err(q, VOUCH_E_MALFORMED, ino.where, "%s: bad directory inode",
				      sq_esc(q, len, esc, sizeof(esc)));
		}
		stack[*depth].path_len = len;
		(*depth)++;
		return VOUCH_OK;
	case SQFS_INODE_FILE:
	case SQFS_INODE_EXT_FILE:
		first = vouch_map_get(&q->links, ref, &found);
		if (found) {
			meta.ftype = VOUCH_FT_HARDLINK;
			meta.link = first;
			meta.link_len = strlen(first);
			return vouch_job_entry(q->j, q->path, len, &meta);
		}
		if (ino.nlink > 1) {
			char *p = vouch_arena_strndup(vouch_job_arena(q->j), q->path, len);
			if (p == NULL || vouch_map_put(&q->links, ref, p) != VOUCH_OK) {
				return VOUCH_E_NOMEM;
			}
		}
		meta.ftype = VOUCH_FT_REG;
		meta.size_hint = ino.file_size;
		if ((rc = vouch_member_begin(q->j, q->path, len, &meta, &m)) != VOUCH_OK) {
			return rc;
		}
		return sq_file_data(q, &ino, m);
	case SQFS_INODE_SLINK:
	case SQFS_INODE_EXT_SLINK:
		meta.ftype = VOUCH_FT_SYMLINK;
		meta.link = q->link;
		meta.link_len = ino.link_len;
		if (memchr(q->link, '\0', ino.link_len) != NULL) {
			return sq_err(q, VOUCH_E_MALFORMED, ino.where, "%s: NUL byte in symlink target",
				      sq_esc(q, len, esc, sizeof(esc)));
		}
		return vouch_job_entry(q->j, q->path, len, &meta);
	case SQFS_INODE_BDEV:
	case SQFS_INODE_EXT_BDEV:
		meta.ftype = VOUCH_FT_BLK;
		break;
	case SQFS_INODE_CDEV:
	case SQFS_INODE_EXT_CDEV:
		meta.ftype = VOUCH_FT_CHR;
		break;
	case SQFS_INODE_FIFO:
	case SQFS_INODE_EXT_FIFO:
		meta.ftype = VOUCH_FT_FIFO;
		break;
	default:
		meta.ftype = VOUCH_FT_SOCK;
		break;
	}
	return vouch_job_entry(q->j, q->path, len, &meta);
}

static int
sq_walk(sq *q)
{
	sq_frame *stack = NULL;
	sqfs_dir_entry_t *ent = NULL;
	size_t depth = 0;
	int rc = VOUCH_OK;

	stack = calloc(SQ_MAX_DEPTH, sizeof(*stack));
	q->path_cap = (size_t)q->lim->max_path + 1;
	q->path = malloc(q->path_cap);
	if (stack == NULL || q->path == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	/* the root directory: entered, not emitted (the engine names it after the format) */
	rc = sq_entry(q, q->super.root_inode_ref, 0, stack, &depth);
	if (rc != VOUCH_OK) {
		goto out;
	}
	if (depth == 0) {
		sq_err(q, VOUCH_E_MALFORMED, q->super.inode_table_start,
		       "the root inode is not a readable directory");
		goto out;
	}
	while (depth > 0) {
		sq_frame *f = &stack[depth - 1];
		sqfs_u64 iref = 0;
		int e;

		if ((rc = vouch_job_check(q->j)) != VOUCH_OK) {
			goto out;
		}
		e = sqfs_meta_reader_readdir(q->dr, &f->st, &ent, NULL, &iref);
		if (e > 0) {
			depth--; /* end of this directory */
			continue;
		}
		if (e < 0) {
			char esc[256];
			rc = sq_err(q, VOUCH_E_MALFORMED, f->st.current.block,
				    "directory '%s': %s; the rest of it is not read",
				    sq_esc(q, f->path_len, esc, sizeof(esc)), sq_strerror(e));
			depth--;
			if (rc != VOUCH_OK) {
				goto out;
			}
			continue;
		}
		size_t nlen = (size_t)ent->size + 1, len = f->path_len;
		const char *name = (const char *)ent->name;
		if ((nlen == 1 && name[0] == '.') || (nlen == 2 && name[0] == '.' && name[1] == '.') ||
		    memchr(name, '/', nlen) != NULL || memchr(name, '\0', nlen) != NULL) {
			char esc[256];
			vouch_escape(esc, sizeof(esc), name, nlen);
			rc = sq_err(q, VOUCH_E_MALFORMED, f->st.current.block,
				    "directory entry '%s' is not a valid name: skipped", esc);
		} else if (len + 1 + nlen > q->lim->max_path) {
			rc = sq_err(q, VOUCH_E_LIMIT, f->st.current.block,
				    "path longer than max_path: entry skipped");
		} else {
			if (len > 0) {
				q->path[len++] = '/';
			}
			memcpy(q->path + len, name, nlen);
			len += nlen;
			q->path[len] = '\0';
			rc = sq_entry(q, iref, len, stack, &depth);
		}
		sqfs_free(ent);
		ent = NULL;
		if (rc != VOUCH_OK) {
			goto out;
		}
	}
out:
	free(stack);
	return rc;
}

/* ---- probe and extract ---------------------------------------------------------------------- */

/* Which SquashFS this superblock is: 4 = 4.0 LE (openable); 1..3 = older; 0 = not one. */
typedef struct sq_variant {
	unsigned major, minor;
	bool be;
	uint64_t bytes_used;
} sq_variant;

static bool
sq_pow2_in(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

static int
sq_identify(const vouch_src *s, sq_variant *v)
{
	uint8_t h[SQ_SUPER_SIZE];

	memset(v, 0, sizeof(*v));
	if (vouch_src_read(s, 0, h, sizeof(h)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (memcmp(h, "hsqs", 4) == 0) {
		v->be = false;
	} else if (memcmp(h, "sqsh", 4) == 0) {
		v->be = true;
	} else {
		return VOUCH_E_MALFORMED;
	}
	v->major = v->be ? vouch_load_u16be(h + 28) : vouch_load_u16le(h + 28);
	v->minor = v->be ? vouch_load_u16be(h + 30) : vouch_load_u16le(h + 30);
	if (v->major == 4 && !v->be) {
		uint32_t bs = vouch_load_u32le(h + 12);
		uint16_t blog = vouch_load_u16le(h + 22);
		uint64_t used = (uint64_t)vouch_load_u32le(h + 40) |
				(uint64_t)vouch_load_u32le(h + 44) << 32;
		if (v->minor != 0 || !sq_pow2_in(bs, SQFS_MIN_BLOCK_SIZE, SQFS_MAX_BLOCK_SIZE) ||
		    blog < 12 || blog > 20 || (1u << blog) != bs || used < SQ_SUPER_SIZE) {
			return VOUCH_E_MALFORMED;
		}
		v->bytes_used = used;
		return VOUCH_OK;
	}
	/*
	 * 1.x-3.x (either byte order) and 4.0 big-endian: only identified. Their superblock is
	 * packed; the fields we check: block size (u16 at 32 for 1.x, u32 at 51 for 2.x/3.x)
	 * and bytes used (u32 at 8 for 1.x/2.x, u64 at 63 for 3.x).
	 */
	if (v->major >= 1 && v->major <= 3 && v->minor <= 1) {
		uint64_t bs, used;
		if (v->major == 1) {
			bs = v->be ? vouch_load_u16be(h + 32) : vouch_load_u16le(h + 32);
		} else {
			bs = v->be ? vouch_load_u32be(h + 51) : vouch_load_u32le(h + 51);
		}
		if (v->major == 3) {
			uint64_t hi = v->be ? vouch_load_u32be(h + 63) : vouch_load_u32le(h + 67);
			uint64_t lo = v->be ? vouch_load_u32be(h + 67) : vouch_load_u32le(h + 63);
			used = hi << 32 | lo;
		} else {
			used = v->be ? vouch_load_u32be(h + 8) : vouch_load_u32le(h + 8);
		}
		if (!sq_pow2_in(bs, 4096, SQFS_MAX_BLOCK_SIZE) || used < SQ_SUPER_SIZE) {
			return VOUCH_E_MALFORMED;
		}
		v->bytes_used = used;
		return VOUCH_OK;
	}
	if (v->major == 4 && v->be && v->minor == 0) {
		uint64_t used = (uint64_t)vouch_load_u32be(h + 40) << 32 | vouch_load_u32be(h + 44);
		v->bytes_used = used;
		return used >= SQ_SUPER_SIZE ? VOUCH_OK : VOUCH_E_MALFORMED;
	}
	return VOUCH_E_MALFORMED;
}

static int
sq_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	sq_variant v;

	(void)j;
	if (sq_identify(s, &v) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	/* a truncated image is still claimed (extract reports the truncation) */
	*len = VOUCH_MIN(v.bytes_used, s->len);
	return VOUCH_OK;
}

/* Upper bound of the table that starts at `start`: the next table start above it. */
static uint64_t
sq_table_end(const sqfs_super_t *sb, uint64_t start)
{
	const uint64_t cand[] = {sb->directory_table_start, sb->fragment_table_start,
				 sb->export_table_start,    sb->id_table_start,
				 sb->xattr_id_table_start,  sb->bytes_used};
	uint64_t end = sb->bytes_used;

	for (size_t i = 0; i < VOUCH_ARRAY_LEN(cand); i++) {
		if (cand[i] != SQ_NO_TABLE && cand[i] > start && cand[i] < end) {
			end = cand[i];
		}
	}
	return end;
}

static int
sq_extract(vouch_job *j, const vouch_src *s)
{
	sq q;
	sq_variant v;
	int rc = VOUCH_OK, e;

	memset(&q, 0, sizeof(q));
	q.j = j;
	q.s = s;
	q.lim = vouch_job_limits(j);
	if (sq_identify(s, &v) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (v.major != 4 || v.be) {
		vouch_job_error(j, VOUCH_E_UNSUPPORTED, 0,
				"squashfs %u.%u %s-endian: not supported yet (libsquashfs opens "
				"4.0 little-endian only); %llu bytes not unpacked",
				v.major, v.minor, v.be ? "big" : "little",
				(unsigned long long)VOUCH_MIN(v.bytes_used, s->len));
		return VOUCH_OK;
	}
	if (v.bytes_used > s->len) {
		vouch_job_error(j, VOUCH_E_MALFORMED, s->len,
				"squashfs truncated: the superblock says %llu bytes, %llu present",
				(unsigned long long)v.bytes_used, (unsigned long long)s->len);
	}
	q.file.src = s;
	q.file.base.base.destroy = sq_file_destroy;
	q.file.base.read_at = sq_read_at;
	q.file.base.write_at = sq_write_at;
	q.file.base.get_size = sq_get_size;
	q.file.base.truncate = sq_truncate;

	e = sqfs_super_read(&q.super, &q.file.base);
	if (e != 0) {
		vouch_job_error(j, VOUCH_E_MALFORMED, 0, "squashfs superblock: %s", sq_strerror(e));
		return VOUCH_OK;
	}
	const sqfs_super_t *sb = &q.super;
	if (sb->inode_table_start >= sb->directory_table_start ||
	    sb->directory_table_start >= sb->bytes_used || sb->id_table_start >= sb->bytes_used ||
	    sb->inode_count == 0 ||
	    (sb->fragment_entry_count > 0 && sb->fragment_entry_count > sb->bytes_used / 16)) {
		vouch_job_error(j, VOUCH_E_MALFORMED, 0,
				"squashfs superblock: table locations or counts are inconsistent");
		return VOUCH_OK;
	}
	e = sq_make_cmp(&q, &q.cmp);
	if (e != 0) {
		const char *name = sqfs_compressor_name_from_id((SQFS_COMPRESSOR)sb->compression_id);
		vouch_job_error(j, VOUCH_E_UNSUPPORTED, 20, "squashfs compressor %u (%s) unavailable",
				sb->compression_id, name ? name : "unknown");
		return VOUCH_OK;
	}
	if ((sb->flags & SQFS_FLAG_COMPRESSOR_OPTIONS) != 0 &&
	    (e = q.cmp->read_options(q.cmp, &q.file.base)) != 0) {
		vouch_job_error(j, VOUCH_E_MALFORMED, SQ_SUPER_SIZE,
				"squashfs compressor options: %s", sq_strerror(e));
		goto out;
	}
	q.ids = sqfs_id_table_create(0);
	q.frags = sqfs_frag_table_create(0);
	q.ir = sqfs_meta_reader_create(&q.file.base, q.cmp, sb->inode_table_start,
				       sb->directory_table_start);
	q.dr = sqfs_meta_reader_create(&q.file.base, q.cmp, sb->directory_table_start,
				       sq_table_end(sb, sb->directory_table_start));
	q.in = malloc(sb->block_size);
	q.out = malloc(sb->block_size);
	q.frag = malloc(sb->block_size);
	q.dirino = calloc(1, sizeof(*q.dirino));
	if (q.dirino == NULL || q.ids == NULL || q.frags == NULL || q.ir == NULL || q.dr == NULL || q.in == NULL ||
	    q.out == NULL || q.frag == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	/* a missing id or fragment table costs owners or tails, not the whole image */
	e = sqfs_id_table_read(q.ids, &q.file.base, sb, q.cmp);
	q.ids_ok = e == 0;
	if (!q.ids_ok) {
		vouch_job_error(j, VOUCH_E_MALFORMED, sb->id_table_start,
				"squashfs id table: %s; owners are reported as 0", sq_strerror(e));
	}
	e = sqfs_frag_table_read(q.frags, &q.file.base, sb, q.cmp);
	q.frags_ok = e == 0;
	if (!q.frags_ok) {
		vouch_job_error(j, VOUCH_E_MALFORMED, sb->fragment_table_start,
				"squashfs fragment table: %s; file tails are lost", sq_strerror(e));
	}
	rc = sq_walk(&q);
	if (rc == VOUCH_E_LIMIT && q.nerr > SQ_MAX_ERRORS) {
		rc = VOUCH_OK; /* recorded in sq_err, not a limit of the scan */
	}
out:
	sq_helper_stop(q.helper);
	vouch_map_free(&q.dirs_seen);
	vouch_map_free(&q.links);
	free(q.path);
	free(q.blocks);
	free(q.in);
	free(q.out);
	free(q.frag);
	free(q.dirino);
	sqfs_destroy(q.ir);
	sqfs_destroy(q.dr);
	sqfs_destroy(q.ids);
	sqfs_destroy(q.frags);
	sqfs_destroy(q.cmp);
	return rc;
}

const vouch_fmt vouch_fmt_squashfs = {
	.name = "squashfs",
	.desc = "SquashFS filesystem (4.0 opened; 1.x-3.x and big-endian identified)",
	.magic = {{"hsqs", 4, 0}, {"sqsh", 4, 0}},
	.probe = sq_probe,
	.extract = sq_extract,
};
