/*
 * unpack/formats/ext.c: ext2/ext3/ext4 filesystems through libext2fs (e2fsprogs).
 *
 * What. Every directory, regular file, symlink (fast, slow and inline-data), device, FIFO
 * and socket, with mode, uid/gid and mtime. A regular file met again under another name (an
 * inode with several links) is emitted as VOUCH_FT_HARDLINK to its first path, so its bytes
 * flow once, as squashfs.c and tar do.
 *
 * How. libext2fs, the library fsck and debugfs are built on, does all the on-disk work:
 * superblock and group descriptors, extents and indirect blocks, htree and inline
 * directories, inline data, checksums. It reads the image through a read-only io_manager of
 * our own whose read_blk64 goes through vouch_src_read: no temporary copy of the image, no
 * write path at all (every write entry point fails). Directories are listed with
 * ext2fs_dir_iterate2 from an explicit FIFO queue (never recursion); file contents are read
 * with ext2fs_file_read in 256 KiB chunks straight into the member.
 *
 * Bounds. probe() checks the superblock's geometry against the bytes present before
 * libext2fs sees it (so group descriptor tables are sized by the image, not by a lie);
 * every directory inode is entered once (a seen-set stops loops), nesting is limited to
 * EXT_MAX_DEPTH and paths to max_path; after EXT_MAX_ERRORS recorded errors the image is
 * abandoned. Checksum errors do not stop the walk: the image is reopened ignoring them and
 * that is recorded, because a lab wants what the image holds, flagged, not nothing.
 *
 * Rejected: mounting (needs privileges and trusts the kernel's parser with hostile bytes);
 * debugfs rdump to a temporary directory (host paths from image names, twice the I/O);
 * writing the image to a temporary file for unix_io_manager (a copy for nothing).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include "unpack/unpack.h"

#define EXT_SB_OFF 1024u
#define EXT_MAX_DEPTH 1024u
#define EXT_MAX_ERRORS 1000u
#define EXT_MAX_LINK 4096u
#define EXT_CHUNK (256u * 1024u)

/* ---- the read-only io_manager over a vouch_src ---------------------------------------- */

/*
 * ext2fs_open2() names the device by a string; the source to read is handed to our open()
 * through this per-thread slot instead (set right before the call, cleared right after),
 * which keeps pointers out of strings and is safe with one extraction per worker thread.
 */
static _Thread_local const vouch_src *ext_open_src;

typedef struct ext_chan {
	const vouch_src *src;
} ext_chan;

static struct struct_io_manager ext_io_manager;

static errcode_t
ext_io_open(const char *name, int flags, io_channel *out)
{
	io_channel ch;
	ext_chan *c;

	if (ext_open_src == NULL) {
		return EXT2_ET_BAD_DEVICE_NAME;
	}
	if ((flags & IO_FLAG_RW) != 0) {
		return EXT2_ET_RO_FILSYS; /* evidence is never written */
	}
	ch = calloc(1, sizeof(*ch));
	c = calloc(1, sizeof(*c));
	if (ch == NULL || c == NULL) {
		free(ch);
		free(c);
		return EXT2_ET_NO_MEMORY;
	}
	ch->name = strdup(name ? name : "vouch");
	if (ch->name == NULL) {
		free(ch);
		free(c);
		return EXT2_ET_NO_MEMORY;
	}
	c->src = ext_open_src;
	ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
	ch->manager = &ext_io_manager;
	ch->block_size = 1024;
	ch->refcount = 1;
	ch->private_data = c;
	*out = ch;
	return 0;
}

static errcode_t
ext_io_close(io_channel ch)
{
	if (--ch->refcount > 0) {
		return 0;
	}
	free(ch->private_data);
	free(ch->name);
	free(ch);
	return 0;
}

static errcode_t
ext_io_set_blksize(io_channel ch, int blksize)
{
	if (blksize < 1024 || blksize > 65536) {
		return EXT2_ET_INVALID_ARGUMENT;
	}
	ch->block_size = blksize;
	return 0;
}

static errcode_t
ext_io_read_blk64(io_channel ch, unsigned long long block, int count, void *data)
{
	const ext_chan *c = ch->private_data;
	uint64_t off, n;

	/* a negative count is a byte count (libext2fs' convention) */
	n = count < 0 ? (uint64_t)-(int64_t)count : (uint64_t)count * (uint64_t)ch->block_size;
	if (!vouch_mul_u64(block, (uint64_t)ch->block_size, &off) ||
	    !vouch_range_ok(off, n, c->src->len) || n > SIZE_MAX) {
		return EXT2_ET_SHORT_READ;
	}
	return vouch_src_read(c->src, off, data, (size_t)n) == VOUCH_OK ? 0 : EXT2_ET_SHORT_READ;
}

static errcode_t
ext_io_read_blk(io_channel ch, unsigned long block, int count, void *data)
{
	return ext_io_read_blk64(ch, block, count, data);
}

static errcode_t
ext_io_write_blk(io_channel ch, unsigned long block, int count, const void *data)
{
	(void)ch;
	(void)block;
	(void)count;
	(void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t
ext_io_write_blk64(io_channel ch, unsigned long long block, int count, const void *data)
{
	(void)ch;
	(void)block;
	(void)count;
	(void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t
ext_io_write_byte(io_channel ch, unsigned long offset, int count, const void *data)
{
	(void)ch;
	(void)offset;
	(void)count;
	(void)data;
	return EXT2_ET_RO_FILSYS;
}

static errcode_t
ext_io_flush(io_channel ch)
{
	(void)ch;
	return 0;
}

static errcode_t
ext_io_set_option(io_channel ch, const char *option, const char *arg)
{
	(void)ch;
	(void)option;
	(void)arg;
	return EXT2_ET_INVALID_ARGUMENT;
}

static struct struct_io_manager ext_io_manager = {
	.magic = EXT2_ET_MAGIC_IO_MANAGER,
	.name = "vouch read-only source",
	.open = ext_io_open,
	.close = ext_io_close,
	.set_blksize = ext_io_set_blksize,
	.read_blk = ext_io_read_blk,
	.write_blk = ext_io_write_blk,
	.flush = ext_io_flush,
	.write_byte = ext_io_write_byte,
	.set_option = ext_io_set_option,
	.read_blk64 = ext_io_read_blk64,
	.write_blk64 = ext_io_write_blk64,
};

/* ---- the walk ------------------------------------------------------------------------------ */

typedef struct ext_dir {
	struct ext_dir *next;
	ext2_ino_t ino;
	uint32_t depth;
	size_t len;
	char path[]; /* len bytes + NUL */
} ext_dir;

typedef struct ext {
	vouch_job *j;
	const vouch_limits *lim;
	ext2_filsys fs;
	ext_dir *qhead, *qtail;
	vouch_map dirs, links;
	const ext_dir *cur; /* the directory being listed */
	uint8_t *buf;
	char link[EXT_MAX_LINK + 1];
	char *path;
	unsigned nerr;
	int rc; /* the first fatal code met inside a callback */
} ext;

static int
ext_err(ext *x, int code, uint64_t off, const char *fmt, ...) VOUCH_PRINTF(4, 5);

/* Record an error; VOUCH_E_LIMIT once there have been too many to go on. */
static int
ext_err(ext *x, int code, uint64_t off, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (++x->nerr > EXT_MAX_ERRORS) {
		if (x->nerr == EXT_MAX_ERRORS + 1) {
			vouch_job_error(x->j, VOUCH_E_MALFORMED, off,
					"ext: more than %u errors; the rest of the image is not read",
					EXT_MAX_ERRORS);
		}
		return VOUCH_E_LIMIT;
	}
	vouch_job_error(x->j, code, off, "ext: %s", msg);
	return VOUCH_OK;
}

/* Where inode `ino` lives in the image, for error reports (0 when unknown). */
static uint64_t
ext_inode_off(const ext *x, ext2_ino_t ino)
{
	ext2_filsys fs = x->fs;
	dgrp_t g;
	uint64_t off;

	if (ino == 0 || fs->super->s_inodes_per_group == 0) {
		return 0;
	}
	g = (ino - 1) / fs->super->s_inodes_per_group;
	if (g >= fs->group_desc_count) {
		return 0;
	}
	off = (uint64_t)ext2fs_inode_table_loc(fs, g) * fs->blocksize +
	      (uint64_t)((ino - 1) % fs->super->s_inodes_per_group) * EXT2_INODE_SIZE(fs->super);
	return off;
}

static int
ext_push_dir(ext *x, ext2_ino_t ino, const char *path, size_t len, uint32_t depth)
{
	ext_dir *d = malloc(sizeof(*d) + len + 1);

	if (d == NULL) {
		return VOUCH_E_NOMEM;
	}
	d->next = NULL;
	d->ino = ino;
	d->depth = depth;
	d->len = len;
	memcpy(d->path, path, len);
	d->path[len] = '\0';
	if (x->qtail != NULL) {
		x->qtail->next = d;
	} else {
		x->qhead = d;
	}
	x->qtail = d;
	return VOUCH_OK;
}

static void
ext_meta_of(const struct ext2_inode *in, vouch_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	meta->mode = in->i_mode & 07777;
	meta->has_mode = true;
	meta->uid = inode_uid(*in);
	meta->gid = inode_gid(*in);
	meta->mtime = (int64_t)in->i_mtime;
}

/* Stream the regular file `ino` into a new member at x->path[0..len). */
static int
ext_file(ext *x, ext2_ino_t ino, const struct ext2_inode *in, size_t len, vouch_meta *meta)
{
	ext2_file_t f = NULL;
	vouch_member *m = NULL;
	uint64_t size = EXT2_I_SIZE(in), done = 0;
	errcode_t e;
	int rc;

	if (size > x->lim->max_member_bytes) {
		return ext_err(x, VOUCH_E_LIMIT, ext_inode_off(x, ino),
			       "inode %u: %llu bytes, more than max_member_bytes: not extracted",
			       ino, (unsigned long long)size);
	}
	meta->ftype = VOUCH_FT_REG;
	meta->size_hint = size;
	if ((rc = vouch_member_begin(x->j, x->path, len, meta, &m)) != VOUCH_OK) {
		return rc;
	}
	e = ext2fs_file_open(x->fs, ino, 0, &f);
	while (e == 0 && done < size) {
		unsigned int got = 0;
		unsigned int want = (unsigned int)VOUCH_MIN((uint64_t)EXT_CHUNK, size - done);
		e = ext2fs_file_read(f, x->buf, want, &got);
		if (e != 0) {
			break;
		}
		if (got == 0) {
			e = EXT2_ET_SHORT_READ;
			break;
		}
		if ((rc = vouch_member_write(m, x->buf, got)) != VOUCH_OK) {
			vouch_member_abort(m, rc, ext_inode_off(x, ino), "ext: stopped");
			ext2fs_file_close(f);
			return rc;
		}
		done += got;
	}
	if (f != NULL) {
		ext2fs_file_close(f);
	}
	if (e != 0) {
		rc = vouch_member_abort(m, VOUCH_E_MALFORMED, ext_inode_off(x, ino),
					"ext: inode %u: data unreadable after %llu of %llu bytes "
					"(libext2fs error %ld)",
					ino, (unsigned long long)done, (unsigned long long)size, (long)e);
		if (rc != VOUCH_OK) {
			return rc;
		}
		return ++x->nerr > EXT_MAX_ERRORS ? VOUCH_E_LIMIT : VOUCH_OK;
	}
	return vouch_member_end(m);
}

/* The target of symlink `ino` into x->link; *n its length. */
static errcode_t
ext_symlink(ext *x, ext2_ino_t ino, const struct ext2_inode *in, size_t *n)
{
	uint64_t size = EXT2_I_SIZE(in);
	ext2_file_t f = NULL;
	unsigned int got = 0;
	errcode_t e;

	if (size == 0 || size > EXT_MAX_LINK) {
		return EXT2_ET_INVALID_ARGUMENT;
	}
	if (ext2fs_is_fast_symlink((struct ext2_inode *)(uintptr_t)in)) {
		if (size > sizeof(in->i_block)) {
			return EXT2_ET_INVALID_ARGUMENT;
		}
		memcpy(x->link, in->i_block, (size_t)size);
		*n = (size_t)size;
		x->link[*n] = '\0';
		return 0;
	}
	/* slow and inline-data symlinks: ext2fs_file_read handles both */
	e = ext2fs_file_open(x->fs, ino, 0, &f);
	if (e == 0) {
		e = ext2fs_file_read(f, x->link, (unsigned int)size, &got);
		ext2fs_file_close(f);
	}
	if (e == 0 && got != size) {
		e = EXT2_ET_SHORT_READ;
	}
	*n = got;
	x->link[got] = '\0';
	return e;
}

/* One directory entry: x->path[0..len) names it; the parent is x->cur. */
static int
ext_entry(ext *x, ext2_ino_t ino, size_t len)
{
	struct ext2_inode in;
	vouch_meta meta;
	const char *first;
	char esc[256];
	bool found;
	errcode_t e;
	size_t n = 0;
	int rc;

	if (ino == 0 || ino > x->fs->super->s_inodes_count) {
		vouch_escape(esc, sizeof(esc), x->path, len);
		return ext_err(x, VOUCH_E_MALFORMED, ext_inode_off(x, x->cur->ino),
			       "'%s': inode number %u out of range", esc, ino);
	}
	e = ext2fs_read_inode(x->fs, ino, &in);
	if (e == EXT2_ET_INODE_CSUM_INVALID) {
		/* flagged, then read anyway: one bad checksum must not hide the file */
		vouch_escape(esc, sizeof(esc), x->path, len);
		if ((rc = ext_err(x, VOUCH_E_MALFORMED, ext_inode_off(x, ino),
				  "'%s': inode %u checksum mismatch", esc, ino)) != VOUCH_OK) {
			return rc;
		}
		x->fs->flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS;
		e = ext2fs_read_inode(x->fs, ino, &in);
		x->fs->flags &= ~EXT2_FLAG_IGNORE_CSUM_ERRORS;
	}
	if (e != 0) {
		vouch_escape(esc, sizeof(esc), x->path, len);
		return ext_err(x, VOUCH_E_MALFORMED, ext_inode_off(x, ino),
			       "'%s': inode %u unreadable (libext2fs error %ld)", esc, ino, (long)e);
	}
	ext_meta_of(&in, &meta);
	switch (in.i_mode & 0170000) {
	case 0040000: /* directory */
		meta.ftype = VOUCH_FT_DIR;
		vouch_map_get(&x->dirs, ino, &found);
		if (found) {
			vouch_escape(esc, sizeof(esc), x->path, len);
			return ext_err(x, VOUCH_E_MALFORMED, ext_inode_off(x, ino),
				       "'%s': directory loop (inode %u already entered)", esc, ino);
		}
		if ((rc = vouch_job_entry(x->j, x->path, len, &meta)) != VOUCH_OK) {
			return rc;
		}
		if (x->cur->depth + 1 > EXT_MAX_DEPTH) {
			return ext_err(x, VOUCH_E_LIMIT, ext_inode_off(x, ino),
				       "directories nested deeper than %u: not entered", EXT_MAX_DEPTH);
		}
		if ((rc = vouch_map_put(&x->dirs, ino, "")) != VOUCH_OK) {
			return rc;
		}
		return ext_push_dir(x, ino, x->path, len, x->cur->depth + 1);
	case 0100000: /* regular file */
		first = vouch_map_get(&x->links, ino, &found);
		if (found) {
			meta.ftype = VOUCH_FT_HARDLINK;
			meta.link = first;
			meta.link_len = strlen(first);
			return vouch_job_entry(x->j, x->path, len, &meta);
		}
		if (in.i_links_count > 1) {
			char *p = vouch_arena_strndup(vouch_job_arena(x->j), x->path, len);
			if (p == NULL || vouch_map_put(&x->links, ino, p) != VOUCH_OK) {
				return VOUCH_E_NOMEM;
			}
		}
		return ext_file(x, ino, &in, len, &meta);
	case 0120000: /* symlink */
		e = ext_symlink(x, ino, &in, &n);
		if (e != 0 || memchr(x->link, '\0', n) != NULL) {
			vouch_escape(esc, sizeof(esc), x->path, len);
			return ext_err(x, VOUCH_E_MALFORMED, ext_inode_off(x, ino),
				       "'%s': symlink target unreadable", esc);
		}
		meta.ftype = VOUCH_FT_SYMLINK;
		meta.link = x->link;
		meta.link_len = n;
		return vouch_job_entry(x->j, x->path, len, &meta);
	case 0020000:
		meta.ftype = VOUCH_FT_CHR;
		break;
	case 0060000:
		meta.ftype = VOUCH_FT_BLK;
		break;
	case 0010000:
		meta.ftype = VOUCH_FT_FIFO;
		break;
	case 0140000:
		meta.ftype = VOUCH_FT_SOCK;
		break;
	default:
		vouch_escape(esc, sizeof(esc), x->path, len);
		return ext_err(x, VOUCH_E_MALFORMED, ext_inode_off(x, ino),
			       "'%s': inode %u has no valid file type (mode 0%o)", esc, ino,
			       in.i_mode);
	}
	return vouch_job_entry(x->j, x->path, len, &meta);
}

static int
ext_dirent_cb(ext2_ino_t dir, int entry, struct ext2_dir_entry *de, int offset, int blocksize,
	      char *buf, void *priv)
{
	ext *x = priv;
	const ext_dir *d = x->cur;
	size_t nlen = (size_t)ext2fs_dirent_name_len(de), len = d->len;
	int rc;

	(void)dir;
	(void)entry;
	(void)offset;
	(void)blocksize;
	(void)buf;
	if (de->inode == 0 || (nlen == 1 && de->name[0] == '.') ||
	    (nlen == 2 && de->name[0] == '.' && de->name[1] == '.')) {
		return 0;
	}
	if ((rc = vouch_job_check(x->j)) != VOUCH_OK) {
		x->rc = rc;
		return DIRENT_ABORT;
	}
	if (memchr(de->name, '/', nlen) != NULL || memchr(de->name, '\0', nlen) != NULL) {
		char esc[256];
		vouch_escape(esc, sizeof(esc), de->name, nlen);
		rc = ext_err(x, VOUCH_E_MALFORMED, ext_inode_off(x, d->ino),
			     "directory entry '%s' is not a valid name: skipped", esc);
	} else if (len + 1 + nlen > x->lim->max_path) {
		rc = ext_err(x, VOUCH_E_LIMIT, ext_inode_off(x, d->ino),
			     "path longer than max_path: entry skipped");
	} else {
		memcpy(x->path, d->path, len);
		if (len > 0) {
			x->path[len++] = '/';
		}
		memcpy(x->path + len, de->name, nlen);
		len += nlen;
		x->path[len] = '\0';
		rc = ext_entry(x, de->inode, len);
	}
	if (rc != VOUCH_OK) {
		x->rc = rc;
		return DIRENT_ABORT;
	}
	return 0;
}

static int
ext_walk(ext *x)
{
	int rc;

	if ((rc = vouch_map_put(&x->dirs, EXT2_ROOT_INO, "")) != VOUCH_OK ||
	    (rc = ext_push_dir(x, EXT2_ROOT_INO, "", 0, 0)) != VOUCH_OK) {
		return rc;
	}
	while (x->qhead != NULL) {
		ext_dir *d = x->qhead;
		errcode_t e;

		x->cur = d;
		x->rc = VOUCH_OK;
		e = ext2fs_dir_iterate2(x->fs, d->ino, 0, NULL, ext_dirent_cb, x);
		if (x->rc != VOUCH_OK) {
			return x->rc;
		}
		if (e != 0) {
			char esc[256];
			vouch_escape(esc, sizeof(esc), d->path, d->len);
			rc = ext_err(x, VOUCH_E_MALFORMED, ext_inode_off(x, d->ino),
				     "directory '%s' (inode %u) unreadable (libext2fs error %ld)",
				     d->len ? esc : "/", d->ino, (long)e);
			if (rc != VOUCH_OK) {
				return rc;
			}
		}
		x->qhead = d->next;
		if (x->qhead == NULL) {
			x->qtail = NULL;
		}
		free(d);
	}
	return VOUCH_OK;
}

/* ---- probe and extract ---------------------------------------------------------------------- */

/* Superblock geometry; VOUCH_OK when it looks like a real ext2/3/4. *len: the fs size. */
static int
ext_check_super(const vouch_src *s, uint64_t *len, uint32_t *bs_out)
{
	uint8_t sb[1024];
	uint32_t log_bs, bpg, ipg, inodes, first, incompat;
	uint64_t blocks, bs, size;

	if (vouch_src_read(s, EXT_SB_OFF, sb, sizeof(sb)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (vouch_load_u16le(sb + 56) != 0xEF53) {
		return VOUCH_E_MALFORMED;
	}
	inodes = vouch_load_u32le(sb + 0);
	blocks = vouch_load_u32le(sb + 4);
	first = vouch_load_u32le(sb + 20);
	log_bs = vouch_load_u32le(sb + 24);
	bpg = vouch_load_u32le(sb + 32);
	ipg = vouch_load_u32le(sb + 40);
	incompat = vouch_load_u32le(sb + 0x60);
	if ((incompat & 0x80) != 0) { /* 64bit: blocks_count_hi */
		blocks |= (uint64_t)vouch_load_u32le(sb + 0x150) << 32;
	}
	if (log_bs > 6 || bpg == 0 || ipg == 0 || inodes == 0 || blocks == 0 ||
	    first >= blocks || bpg > 8u * (1024u << log_bs) || inodes / ipg > blocks / 1 ||
	    (log_bs == 0 && first != 1 && first != 0)) {
		return VOUCH_E_MALFORMED;
	}
	bs = 1024ull << log_bs;
	if (!vouch_mul_u64(blocks, bs, &size)) {
		return VOUCH_E_MALFORMED;
	}
	/* every inode takes >= 128 bytes of inode table: a count beyond that is a lie */
	if ((uint64_t)inodes > size / 128) {
		return VOUCH_E_MALFORMED;
	}
	*len = size;
	*bs_out = (uint32_t)bs;
	return VOUCH_OK;
}

static int
ext_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint64_t size;
	uint32_t bs;

	(void)j;
	if (ext_check_super(s, &size, &bs) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_MIN(size, s->len); /* a truncated image is claimed; extract says so */
	return VOUCH_OK;
}

static pthread_once_t ext_et_once = PTHREAD_ONCE_INIT;

static void
ext_et_init(void)
{
	initialize_ext2_error_table(); /* com_err's registry is not thread-safe: once */
}

static int
ext_extract(vouch_job *j, const vouch_src *s)
{
	ext x;
	uint64_t size;
	uint32_t bs;
	errcode_t e;
	int rc = VOUCH_OK;
	const int base = EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP | EXT2_FLAG_SOFTSUPP_FEATURES;

	memset(&x, 0, sizeof(x));
	x.j = j;
	x.lim = vouch_job_limits(j);
	if (ext_check_super(s, &size, &bs) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	if (size > s->len) {
		vouch_job_error(j, VOUCH_E_MALFORMED, s->len,
				"ext truncated: the superblock says %llu bytes, %llu present",
				(unsigned long long)size, (unsigned long long)s->len);
	}
	pthread_once(&ext_et_once, ext_et_init);
	ext_open_src = s;
	e = ext2fs_open2("vouch", NULL, base, 0, 0, &ext_io_manager, &x.fs);
	if (e != 0) {
		/* checksums or superblock details wrong: read what is there, flagged */
		long first = (long)e;
		e = ext2fs_open2("vouch", NULL,
				 base | EXT2_FLAG_IGNORE_CSUM_ERRORS | EXT2_FLAG_IGNORE_SB_ERRORS, 0,
				 0, &ext_io_manager, &x.fs);
		if (e == 0) {
			vouch_job_error(j, VOUCH_E_MALFORMED, EXT_SB_OFF,
					"ext: the filesystem does not open cleanly (libext2fs error "
					"%ld); read ignoring checksum and superblock errors",
					first);
		}
	}
	ext_open_src = NULL;
	if (e != 0) {
		vouch_job_error(j, VOUCH_E_MALFORMED, EXT_SB_OFF,
				"ext: libext2fs cannot open the filesystem (error %ld)", (long)e);
		return VOUCH_OK;
	}
	x.buf = malloc(EXT_CHUNK);
	x.path = malloc((size_t)x.lim->max_path + 1);
	if (x.buf == NULL || x.path == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	rc = ext_walk(&x);
	if (rc == VOUCH_E_LIMIT && x.nerr > EXT_MAX_ERRORS) {
		rc = VOUCH_OK; /* recorded in ext_err */
	}
out:
	while (x.qhead != NULL) {
		ext_dir *d = x.qhead;
		x.qhead = d->next;
		free(d);
	}
	vouch_map_free(&x.dirs);
	vouch_map_free(&x.links);
	free(x.buf);
	free(x.path);
	ext2fs_close_free(&x.fs);
	return rc;
}

const vouch_fmt vouch_fmt_ext = {
	.name = "ext",
	.desc = "ext2/ext3/ext4 filesystem",
	.magic = {{"\x53\xEF", 2, 1080}},
	.probe = ext_probe,
	.extract = ext_extract,
	.whole_only = true,
};
