/*
 * unpack/formats/romfs.c: romfs, the tiny uncompressed read-only filesystem of Linux
 * (fs/romfs, Documentation/filesystems/romfs.rst; images made by genromfs).
 *
 * What. Every directory, regular file, hard link, symlink, device, socket and FIFO. Layout,
 * all big-endian and 16-byte aligned: a superblock ("-rom1fs-", full size, a checksum that
 * makes the first min(512, size) bytes sum to zero as u32 words, a NUL-terminated volume
 * name), then file headers: next (offset of the next header in the same directory, low 4
 * bits = type and executable bit), spec.info (dir: first entry; hard link: target header;
 * device: major<<16|minor), size, a checksum over the header and name, the NUL-terminated
 * name; data follows the name. romfs keeps no owners or modes: the mode reported is the one
 * the kernel shows (its per-type mode map, plus the executable bit), uid/gid 0.
 *
 * How. Everything through vouch_src_read and the byte cursor, offsets checked against the
 * image size. Both checksums are verified; a mismatch is recorded and the walk goes on. The
 * walk is depth-first with an explicit stack of directory iterators sharing one path buffer;
 * a directory already on the stack is a cycle (recorded, not entered); a loop in one
 * directory's next-pointer chain is caught by Brent's cycle detection within twice its
 * length; every header visited counts against the number of 16-byte headers the image can
 * hold, so shared directories cannot multiply the work either. "." and ".." (genromfs
 * writes them as hard links) are skipped. A hard link to a file already emitted becomes
 * VOUCH_FT_HARDLINK to its path; one to a file not yet seen is emitted with the target's
 * data (what a mount would read).
 *
 * Rejected: mounting (needs root and a kernel romfs driver, and trusts the image); a
 * recursive walk (depth is input-controlled).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/unpack.h"

#define RF_SUPER_MIN 32u
#define RF_HDR 16u
#define RF_MAX_NAME 1024u /* bytes of one name (genromfs allows far less) */
#define RF_MAX_DEPTH 256u
#define RF_MAX_ERRORS 1000u
#define RF_MAX_LINK 4096u
#define RF_CHUNK (64u * 1024u)
#define RF_MAP_MAX (1u << 20) /* file headers remembered for hard links */

enum { RF_HARD, RF_DIR, RF_REG, RF_LNK, RF_BLK, RF_CHR, RF_SOCK, RF_FIFO };

typedef struct rf_hdr {
	uint32_t next, type, exec, spec, size, sum;
	uint64_t off, data; /* header and data offsets */
	char name[RF_MAX_NAME + 1];
	size_t name_len;
} rf_hdr;

typedef struct rf_frame {
	uint64_t next; /* next header of this directory, 0 at the end */
	uint64_t dir;  /* the directory's own header */
	size_t path_len;
	/* Brent's cycle detection on the next-pointer chain: a saved offset, and the steps
	 * taken since it was saved, up to a doubling power */
	uint64_t tort, lam, power;
} rf_frame;

typedef struct rf {
	vouch_job *j;
	const vouch_src *s;
	uint64_t size;
	char *path;
	size_t path_cap;
	uint8_t *buf;
	char link[RF_MAX_LINK + 1];
	unsigned nerr;
	vouch_map seen; /* file header offset -> path of the file emitted from it */
} rf;

/* Sum of big-endian u32 words of [off, off+len) (len a multiple of 4). */
static int
rf_sum(const vouch_src *s, uint64_t off, uint64_t len, uint32_t *out)
{
	uint8_t b[512];
	uint32_t sum = 0;

	while (len > 0) {
		size_t n = (size_t)VOUCH_MIN(len, (uint64_t)sizeof(b));
		vouch_rd r;
		if (vouch_src_read(s, off, b, n) != VOUCH_OK) {
			return VOUCH_E_MALFORMED;
		}
		vouch_rd_init(&r, b, n);
		for (size_t i = 0; i + 4 <= n; i += 4) {
			uint32_t w = 0;
			(void)vouch_rd_u32be(&r, &w);
			sum += w;
		}
		off += n;
		len -= n;
	}
	*out = sum;
	return VOUCH_OK;
}

/* Read a NUL-terminated, 16-byte padded name at off; *end = offset after the padding. */
static int
rf_name(const vouch_src *s, uint64_t off, uint64_t limit, char *name, size_t *len,
	uint64_t *end)
{
	size_t have = 0;

	while (have < RF_MAX_NAME) {
		char *nul;
		if (off + have + 16 > limit || vouch_src_read(s, off + have, name + have, 16) !=
							     VOUCH_OK) {
			return VOUCH_E_MALFORMED;
		}
		nul = memchr(name + have, '\0', 16);
		if (nul != NULL) {
			*len = (size_t)(nul - name);
			*end = off + have + 16;
			return VOUCH_OK;
		}
		have += 16;
	}
	return VOUCH_E_MALFORMED;
}

static int
rf_super(const vouch_src *s, uint64_t *size, uint64_t *first, bool *sum_ok)
{
	uint8_t raw[16];
	char vol[RF_MAX_NAME + 1];
	uint32_t full = 0, sum = 0;
	size_t vlen;
	vouch_rd r;

	if (vouch_src_read(s, 0, raw, sizeof(raw)) != VOUCH_OK || memcmp(raw, "-rom1fs-", 8) != 0) {
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, raw + 8, 4);
	if (vouch_rd_u32be(&r, &full) != VOUCH_OK || full < RF_SUPER_MIN) {
		return VOUCH_E_MALFORMED;
	}
	if (rf_name(s, 16, VOUCH_MIN((uint64_t)full, vouch_src_size(s)), vol, &vlen, first) !=
	    VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	*sum_ok = rf_sum(s, 0, VOUCH_MIN(512u, full), &sum) == VOUCH_OK && sum == 0;
	*size = full;
	return VOUCH_OK;
}

static int
romfs_probe(vouch_job *j, const vouch_src *s, uint64_t *len)
{
	uint64_t size, first;
	bool sum_ok;

	(void)j;
	/* the checksum is what makes eight ASCII bytes a romfs: the probe insists on it */
	if (rf_super(s, &size, &first, &sum_ok) != VOUCH_OK || !sum_ok) {
		return VOUCH_E_MALFORMED;
	}
	*len = VOUCH_MIN(size, vouch_src_size(s));
	return VOUCH_OK;
}

static int
rf_err(rf *f, int code, uint64_t off, const char *what)
{
	char esc[512];

	vouch_escape(esc, sizeof(esc), f->path, strlen(f->path));
	vouch_job_error(f->j, code, off, "romfs %s: %s", esc[0] ? esc : "/", what);
	if (++f->nerr >= RF_MAX_ERRORS) {
		vouch_job_error(f->j, VOUCH_E_LIMIT, off, "romfs: too many errors, giving up");
		return VOUCH_E_LIMIT;
	}
	return VOUCH_OK;
}

/* Read the file header at off. */
static int
rf_read_hdr(rf *f, uint64_t off, rf_hdr *h)
{
	uint8_t raw[RF_HDR];
	uint32_t w[4];
	vouch_rd r;

	if ((off & 15u) != 0 || off + RF_HDR > f->size ||
	    vouch_src_read(f->s, off, raw, sizeof(raw)) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	vouch_rd_init(&r, raw, sizeof(raw));
	for (unsigned i = 0; i < 4; i++) {
		if (vouch_rd_u32be(&r, &w[i]) != VOUCH_OK) {
			return VOUCH_E_MALFORMED;
		}
	}
	h->off = off;
	h->next = w[0] & ~15u;
	h->type = w[0] & 7u;
	h->exec = w[0] & 8u;
	h->spec = w[1];
	h->size = w[2];
	h->sum = w[3];
	if (rf_name(f->s, off + RF_HDR, f->size, h->name, &h->name_len, &h->data) != VOUCH_OK) {
		return VOUCH_E_MALFORMED;
	}
	return VOUCH_OK;
}

/* Remember a file's path; silently skipped when the map is full or memory is short (a later
 * hard link then carries a copy of the data instead). */
static void
rf_map_put(rf *f, uint64_t off, const char *path)
{
	char *p;

	if (f->seen.n >= RF_MAP_MAX / 2 ||
	    (p = vouch_arena_strndup(vouch_job_arena(f->j), path, strlen(path))) == NULL) {
		return;
	}
	(void)vouch_map_put(&f->seen, off, p);
}

/* The data of file header h, as member c->path. */
static int
rf_file(rf *f, const rf_hdr *h, vouch_meta *meta)
{
	vouch_member *m = NULL;
	uint64_t done = 0;
	int rc;

	if (!vouch_range_ok(h->data, h->size, f->size)) {
		return rf_err(f, VOUCH_E_MALFORMED, h->off, "file data runs past the image");
	}
	meta->ftype = VOUCH_FT_REG;
	meta->size_hint = h->size;
	if ((rc = vouch_member_begin(f->j, f->path, strlen(f->path), meta, &m)) != VOUCH_OK) {
		return rc;
	}
	while (done < h->size) {
		size_t n = (size_t)VOUCH_MIN((uint64_t)(h->size - done), (uint64_t)RF_CHUNK);
		if ((rc = vouch_job_check(f->j)) != VOUCH_OK ||
		    (rc = vouch_src_read(f->s, h->data + done, f->buf, n)) != VOUCH_OK ||
		    (rc = vouch_member_write(m, f->buf, n)) != VOUCH_OK) {
			vouch_member_abort(m, rc, 0, "romfs: stopped");
			return rc;
		}
		done += n;
	}
	return vouch_member_end(m);
}

/* Emit the entry of header h at f->path; push a frame for a directory. */
static int
rf_emit(rf *f, const rf_hdr *h, rf_frame *stack, unsigned *depth)
{
	/* the kernel's mode map (fs/romfs/super.c), executable bit added to all three x bits */
	static const uint32_t modes[8] = {0, 0644, 0644, 0777, 0600, 0600, 0644, 0644};
	vouch_meta meta;
	const char *prev;
	rf_hdr *t;
	int rc;

	memset(&meta, 0, sizeof(meta));
	meta.mode = modes[h->type] | (h->exec ? 0111u : 0u);
	meta.has_mode = true;
	switch (h->type) {
	case RF_DIR:
		meta.ftype = VOUCH_FT_DIR;
		if ((rc = vouch_job_entry(f->j, f->path, strlen(f->path), &meta)) != VOUCH_OK) {
			return rc;
		}
		for (unsigned k = 0; k < *depth; k++) {
			if (stack[k].dir == h->off) {
				return rf_err(f, VOUCH_E_MALFORMED, h->off, "directory cycle");
			}
		}
		if (*depth >= RF_MAX_DEPTH) {
			return rf_err(f, VOUCH_E_LIMIT, h->off, "directories nested too deep");
		}
		stack[(*depth)++] = (rf_frame){h->spec & ~15u, h->off, strlen(f->path),
					       h->spec & ~15u, 0, 1};
		return VOUCH_OK;
	case RF_REG:
		rf_map_put(f, h->off, f->path);
		return rf_file(f, h, &meta);
	case RF_HARD:
		if ((prev = vouch_map_get(&f->seen, h->spec, NULL)) != NULL) {
			meta.ftype = VOUCH_FT_HARDLINK;
			meta.link = prev;
			meta.link_len = strlen(prev);
			meta.has_mode = false;
			return vouch_job_entry(f->j, f->path, strlen(f->path), &meta);
		}
		/* a link to a file not seen yet: emit the target's data under this name */
		if ((t = vouch_arena_alloc(vouch_job_arena(f->j), sizeof(*t))) == NULL) {
			return VOUCH_E_NOMEM;
		}
		if (rf_read_hdr(f, h->spec, t) != VOUCH_OK || t->type != RF_REG) {
			return rf_err(f, VOUCH_E_MALFORMED, h->off, "hard link to a non-file");
		}
		meta.mode = modes[RF_REG] | (t->exec ? 0111u : 0u);
		rf_map_put(f, t->off, f->path);
		return rf_file(f, t, &meta);
	case RF_LNK:
		if (h->size == 0 || h->size > RF_MAX_LINK ||
		    !vouch_range_ok(h->data, h->size, f->size) ||
		    vouch_src_read(f->s, h->data, f->link, h->size) != VOUCH_OK ||
		    memchr(f->link, '\0', h->size) != NULL) {
			return rf_err(f, VOUCH_E_MALFORMED, h->off, "corrupt symlink target");
		}
		f->link[h->size] = '\0';
		meta.ftype = VOUCH_FT_SYMLINK;
		meta.link = f->link;
		meta.link_len = h->size;
		break;
	case RF_BLK:
		meta.ftype = VOUCH_FT_BLK;
		break;
	case RF_CHR:
		meta.ftype = VOUCH_FT_CHR;
		break;
	case RF_SOCK:
		meta.ftype = VOUCH_FT_SOCK;
		break;
	default:
		meta.ftype = VOUCH_FT_FIFO;
		break;
	}
	return vouch_job_entry(f->j, f->path, strlen(f->path), &meta);
}

static int
rf_walk(rf *f, uint64_t first)
{
	rf_frame stack[RF_MAX_DEPTH];
	uint64_t budget = f->size / RF_HDR + 1; /* headers an image of this size can hold */
	unsigned depth = 0;
	rf_hdr *h;
	int rc;

	if ((h = vouch_arena_alloc(vouch_job_arena(f->j), sizeof(*h))) == NULL) {
		return VOUCH_E_NOMEM;
	}
	f->path[0] = '\0';
	stack[depth++] = (rf_frame){first, 0, 0, first, 0, 1};
	while (depth > 0) {
		rf_frame *fr = &stack[depth - 1];
		uint32_t sum = 0;
		size_t need;

		if (fr->next == 0) {
			depth--;
			continue;
		}
		if ((rc = vouch_job_check(f->j)) != VOUCH_OK) {
			return rc;
		}
		if (budget-- == 0) {
			vouch_job_error(f->j, VOUCH_E_MALFORMED, fr->next,
					"romfs: more file headers than the image holds (a loop)");
			return VOUCH_OK;
		}
		f->path[fr->path_len] = '\0';
		if (rf_read_hdr(f, fr->next, h) != VOUCH_OK) {
			uint64_t at = fr->next;
			fr->next = 0; /* the rest of this directory cannot be reached */
			if ((rc = rf_err(f, VOUCH_E_MALFORMED, at, "corrupt file header")) !=
			    VOUCH_OK) {
				return rc;
			}
			continue;
		}
		fr->next = h->next;
		if (fr->next != 0 && fr->next == fr->tort) {
			fr->next = 0;
			rc = rf_err(f, VOUCH_E_MALFORMED, h->off, "loop in a directory's list");
			if (rc != VOUCH_OK) {
				return rc;
			}
		} else if (++fr->lam == fr->power) {
			fr->tort = fr->next;
			fr->power *= 2;
			fr->lam = 0;
		}
		if (rf_sum(f->s, h->off, h->data - h->off, &sum) != VOUCH_OK || sum != 0) {
			if ((rc = rf_err(f, VOUCH_E_VERIFY, h->off, "file header checksum")) !=
			    VOUCH_OK) {
				return rc;
			}
		}
		if (h->name_len == 0 || (h->name_len == 1 && h->name[0] == '.') ||
		    (h->name_len == 2 && h->name[0] == '.' && h->name[1] == '.')) {
			continue;
		}
		need = fr->path_len + 1 + h->name_len + 1;
		if (need > f->path_cap) {
			if ((rc = rf_err(f, VOUCH_E_LIMIT, h->off, "path too long")) != VOUCH_OK) {
				return rc;
			}
			continue;
		}
		if (fr->path_len > 0) {
			f->path[fr->path_len] = '/';
			memcpy(f->path + fr->path_len + 1, h->name, h->name_len);
			f->path[fr->path_len + 1 + h->name_len] = '\0';
		} else {
			memcpy(f->path, h->name, h->name_len);
			f->path[h->name_len] = '\0';
		}
		if ((rc = rf_emit(f, h, stack, &depth)) != VOUCH_OK) {
			return rc;
		}
	}
	return VOUCH_OK;
}

static int
romfs_extract(vouch_job *j, const vouch_src *s)
{
	vouch_arena *a = vouch_job_arena(j);
	uint64_t size, first;
	bool sum_ok;
	rf *f;
	int rc;

	if ((rc = rf_super(s, &size, &first, &sum_ok)) != VOUCH_OK) {
		return rc;
	}
	if ((f = vouch_arena_alloc(a, sizeof(*f))) == NULL) {
		return VOUCH_E_NOMEM;
	}
	f->j = j;
	f->s = s;
	f->size = size;
	if (!sum_ok) {
		vouch_job_error(j, VOUCH_E_VERIFY, 12, "romfs: superblock checksum");
	}
	if (size > vouch_src_size(s)) {
		vouch_job_error(j, VOUCH_E_MALFORMED, vouch_src_size(s),
				"romfs: truncated, %llu of %llu bytes",
				(unsigned long long)vouch_src_size(s), (unsigned long long)size);
		f->size = vouch_src_size(s);
	}
	vouch_job_set_consumed(j, f->size);
	f->path_cap = (size_t)VOUCH_MIN(vouch_job_limits(j)->max_path, (uint64_t)65536);
	f->path = vouch_arena_alloc(a, f->path_cap);
	f->buf = vouch_arena_alloc(a, RF_CHUNK);
	if (f->path == NULL || f->buf == NULL) {
		return VOUCH_E_NOMEM;
	}
	rc = rf_walk(f, first);
	vouch_map_free(&f->seen);
	return rc;
}

const vouch_fmt vouch_fmt_romfs = {
	.name = "romfs",
	.desc = "romfs ROM filesystem",
	.magic = {{"-rom1fs-", 8, 0}},
	.probe = romfs_probe,
	.extract = romfs_extract,
};
