/*
 * equiv/equiv.c: `vouch equiv` behind vouch/equiv.h: list both sides, pair their files,
 * settle identical pairs by digest, then compare the differing ones in bounded batches.
 *
 * How:
 *   1. Each side is listed. A directory is walked from an explicit stack (openat/fdopendir,
 *      never following symlinks), every regular file hashed with SHA-256. A regular file is
 *      scanned (vouch_scan_run, no extraction, no libmagic) unless it starts with an ELF
 *      identification; when the scanner found files inside it, it is an image and the
 *      scan's report is the listing (paths, types, sizes, digests, link targets), else it is
 *      a single file. ELF files are never containers for the scanner, so they skip the scan.
 *   2. Keys: an image's nested paths lose their first component (the image's own name) and
 *      the `@0x<offset>` of container components (a root file system that moved still
 *      pairs); a key that still repeats within one side gets "#2", "#3" in path order. Both
 *      sides are sorted by key and merged.
 *   3. Regular pairs with equal digests are identical and never read again. The rest are
 *      compared in detail (compare.c) in batches whose contents fit max_held: for an image
 *      side, one more scan of the image with a visitor that copies exactly the batch's files
 *      into memory (checking each copy against the digest of the listing); for a directory
 *      or single file, a read from disk.
 *
 * Why in memory and not `extract_dir`: extraction writes every file of the image to disk
 * to read back a few; the visitor sees every file's bytes in the scanner's one pass and keeps
 * only the differing ones, so memory is bounded by max_held (plus the scanner's own spool
 * limit), disk is not touched, and no host path is built from an image's member names. The
 * cost is one extra scan per image per batch, paid only when something differs.
 * Rejected: holding every file of one side while scanning the other (memory grows with the
 * image); comparing per-block digests only (no classification of what differs).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "equiv/equiv_int.h"
#include "vouch/scan.h"

/* Bytes read per call while hashing a file of a directory side. */
#define READ_CHUNK (256u << 10)
/* Arena of one side's listing (keys, host paths, link targets): a million files with
 * 4 KiB paths would need more, but max_files and max_path bound what is recorded. */
#define SIDE_ARENA_BUDGET (4ULL << 30)

typedef enum skind { K_IMAGE, K_DIR, K_FILE } skind;

typedef struct entry {
	const char *key;
	const char *path;  /* shown: nested path (image), relative path (directory) */
	const char *host;  /* for reading from disk (directory, file); NULL for image members */
	vouch_ftype ftype;
	uint64_t size;
	const char *link;
	bool has_sha;
	uint8_t sha[32];
	/* held content (one batch) */
	uint8_t *buf;
	bool held;
	bool bad;
} entry;

typedef struct side {
	const char *input;
	skind kind;
	vouch_arena *a;
	vouch_scan *scan; /* the listing's scan (its report's strings are borrowed) */
	entry *ents;
	size_t n, cap;
	vouch_equiv_side info;
} side;

struct vouch_equiv {
	vouch_arena *a;
	vouch_equiv_file *files;
	size_t nfiles;
	vouch_equiv_summary sum;
};

/* ---- names ---------------------------------------------------------------------------------- */

const char *
vouch_equiv_verdict_str(int v)
{
	static const char *const n[] = {"identical", "equivalent", "different", "only-delivered",
					"only-rebuilt"};
	return v >= 0 && (size_t)v < VOUCH_ARRAY_LEN(n) ? n[v] : "unknown";
}

const char *
vouch_equiv_class_str(int c)
{
	static const char *const n[] = {"build-id", "debug-link", "comment", "debug",
					"path",     "timestamp",  "signature", "layout",
					"code",     "data"};
	return c >= 0 && (size_t)c < VOUCH_ARRAY_LEN(n) ? n[c] : "unknown";
}

const char *
vouch_equiv_part_status_str(int s)
{
	static const char *const n[] = {"same", "moved", "differs", "only-delivered",
					"only-rebuilt"};
	return s >= 0 && (size_t)s < VOUCH_ARRAY_LEN(n) ? n[s] : "unknown";
}

void
vouch_equiv_opts_default(vouch_equiv_opts *o)
{
	memset(o, 0, sizeof(*o));
	vouch_limits_default(&o->limits);
	o->max_file = VOUCH_EQUIV_MAX_FILE;
	o->max_held = VOUCH_EQUIV_MAX_HELD;
	o->max_ranges = VOUCH_EQUIV_MAX_RANGES;
}

static void
say(char *why, size_t cap, const char *fmt, ...) VOUCH_PRINTF(3, 4);

static void
say(char *why, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || cap == 0) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(why, cap, fmt, ap);
	va_end(ap);
}

/* ---- listing ------------------------------------------------------------------------------- */

static entry *
add_entry(side *s)
{
	if (vouch_grow((void **)&s->ents, &s->cap, s->n, sizeof(*s->ents), 256) != VOUCH_OK) {
		return NULL;
	}
	memset(&s->ents[s->n], 0, sizeof(s->ents[0]));
	return &s->ents[s->n++];
}

/* SHA-256 of an open file, streamed; *elf when it starts with an ELF identification. */
static int
hash_fd(int fd, vouch_sha256 *h, uint8_t *buf, uint8_t out[32], uint64_t *size)
{
	uint64_t total = 0;

	if (vouch_sha256_reset(h) != VOUCH_OK) {
		return VOUCH_E_INTERNAL;
	}
	for (;;) {
		ssize_t r = read(fd, buf, READ_CHUNK);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			return VOUCH_E_IO;
		}
		if (r == 0) {
			break;
		}
		vouch_sha256_update(h, buf, (size_t)r);
		total += (uint64_t)r;
	}
	*size = total;
	return vouch_sha256_final(h, out) == VOUCH_OK ? VOUCH_OK : VOUCH_E_INTERNAL;
}

static vouch_ftype
ftype_of(mode_t m)
{
	if (S_ISREG(m)) {
		return VOUCH_FT_REG;
	}
	if (S_ISDIR(m)) {
		return VOUCH_FT_DIR;
	}
	if (S_ISLNK(m)) {
		return VOUCH_FT_SYMLINK;
	}
	if (S_ISCHR(m)) {
		return VOUCH_FT_CHR;
	}
	if (S_ISBLK(m)) {
		return VOUCH_FT_BLK;
	}
	if (S_ISFIFO(m)) {
		return VOUCH_FT_FIFO;
	}
	return VOUCH_FT_SOCK;
}

/* Walk a directory tree from an explicit stack of relative paths. */
static int
list_dir(side *s, const vouch_equiv_opts *o, char *why, size_t why_cap)
{
	char **stack = NULL;
	size_t sn = 0, scap = 0;
	uint8_t *buf = malloc(READ_CHUNK);
	vouch_sha256 *h = NULL;
	int rc = VOUCH_OK;

	if (buf == NULL || vouch_sha256_new(&h) != VOUCH_OK ||
	    vouch_grow((void **)&stack, &scap, 0, sizeof(*stack), 64) != VOUCH_OK) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	stack[sn++] = NULL; /* the root */
	while (sn > 0) {
		char *rel = stack[--sn];
		const char *dpath = rel == NULL ? s->input
				    : vouch_arena_printf(s->a, "%s/%s", s->input, rel);
		/* the root may be a symlink the user named; below it, links are entries */
		int dfd = dpath ? open(dpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
						  (rel != NULL ? O_NOFOLLOW : 0))
				: -1;
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		struct dirent *de;

		if (d == NULL) {
			say(why, why_cap, "%s: %s", dpath ? dpath : s->input, strerror(errno));
			if (dfd >= 0) {
				close(dfd);
			}
			free(rel);
			rc = dpath == NULL ? VOUCH_E_NOMEM : VOUCH_E_IO;
			goto out;
		}
		while ((de = readdir(d)) != NULL) {
			struct stat st;
			const char *name = de->d_name;
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
				continue;
			}
			char *crel = rel == NULL ? vouch_arena_strndup(s->a, name, strlen(name))
					       : vouch_arena_printf(s->a, "%s/%s", rel, name);
			if (crel == NULL) {
				rc = VOUCH_E_NOMEM;
			} else if (strlen(crel) > o->limits.max_path) {
				say(why, why_cap, "%s/%s: path longer than max_path (%llu)", s->input,
				    crel, (unsigned long long)o->limits.max_path);
				rc = VOUCH_E_LIMIT;
			} else if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
				say(why, why_cap, "%s/%s: %s", s->input, crel, strerror(errno));
				rc = VOUCH_E_IO;
			}
			if (rc != VOUCH_OK) {
				break;
			}
			if (S_ISDIR(st.st_mode)) {
				char *copy = strdup(crel);
				if (copy == NULL ||
				    vouch_grow((void **)&stack, &scap, sn, sizeof(*stack), 64) != 0) {
					free(copy);
					rc = VOUCH_E_NOMEM;
					break;
				}
				stack[sn++] = copy;
				continue;
			}
			if (s->n >= o->limits.max_files) {
				say(why, why_cap, "%s: more than max_files (%llu) entries", s->input,
				    (unsigned long long)o->limits.max_files);
				rc = VOUCH_E_LIMIT;
				break;
			}
			entry *e = add_entry(s);
			if (e == NULL) {
				rc = VOUCH_E_NOMEM;
				break;
			}
			e->key = crel;
			e->path = crel;
			e->host = vouch_arena_printf(s->a, "%s/%s", s->input, crel);
			e->ftype = ftype_of(st.st_mode);
			if (e->host == NULL) {
				rc = VOUCH_E_NOMEM;
				break;
			}
			if (e->ftype == VOUCH_FT_SYMLINK) {
				char tgt[4096];
				ssize_t l = readlinkat(dirfd(d), name, tgt, sizeof(tgt));
				if (l < 0) {
					say(why, why_cap, "%s: %s", e->host, strerror(errno));
					rc = VOUCH_E_IO;
					break;
				}
				e->link = vouch_arena_strndup(s->a, tgt, (size_t)l);
				if (e->link == NULL) {
					rc = VOUCH_E_NOMEM;
					break;
				}
			} else if (e->ftype == VOUCH_FT_REG) {
				int fd = openat(dirfd(d), name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
				if (fd < 0 || hash_fd(fd, h, buf, e->sha, &e->size) != VOUCH_OK) {
					say(why, why_cap, "%s: %s", e->host,
					    fd < 0 ? strerror(errno) : "read failed");
					if (fd >= 0) {
						close(fd);
					}
					rc = VOUCH_E_IO;
					break;
				}
				close(fd);
				e->has_sha = true;
			}
		}
		closedir(d);
		free(rel);
		if (rc != VOUCH_OK) {
			goto out;
		}
	}
out:
	while (sn > 0) {
		free(stack[--sn]);
	}
	free(stack);
	free(buf);
	vouch_sha256_free(h);
	return rc;
}

static bool
is_format(const char *s, size_t n)
{
	for (const char *const *f = vouch_formats(); *f != NULL; f++) {
		if (strlen(*f) == n && memcmp(*f, s, n) == 0) {
			return true;
		}
	}
	return false;
}

/* A nested path without its first component, container components without "@0x...". */
static char *
image_key(vouch_arena *a, const char *path)
{
	const char *p = strchr(path, '/');
	size_t n, o = 0;
	char *k;

	if (p == NULL) {
		return vouch_arena_strndup(a, "", 0);
	}
	p++;
	n = strlen(p);
	k = vouch_arena_alloc(a, n + 1);
	if (k == NULL) {
		return NULL;
	}
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p);
		const char *at = memchr(p, '@', len);
		size_t keep = len;
		if (at != NULL && (size_t)(at - p) + 3 < len && at[1] == '0' && at[2] == 'x' &&
		    is_format(p, (size_t)(at - p))) {
			bool hex = true;
			for (const char *q = at + 3; q < p + len; q++) {
				hex = hex && ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'));
			}
			if (hex) {
				keep = (size_t)(at - p);
			}
		}
		memcpy(k + o, p, keep);
		o += keep;
		p += len;
		if (*p == '/') {
			k[o++] = '/';
			p++;
		}
	}
	k[o] = '\0';
	return k;
}

static int
scan_image(side *s, const vouch_equiv_opts *o, const vouch_visitor *v, vouch_scan **out,
	   char *why, size_t why_cap)
{
	vouch_scan_opts so;
	vouch_scan *sc = NULL;
	int rc;

	vouch_scan_opts_default(&so);
	so.limits = o->limits;
	so.threads = o->threads;
	so.no_magic = true;
	so.progress = o->progress;
	so.progress_ud = o->progress_ud;
	if ((rc = vouch_scan_new(&sc, &so)) != VOUCH_OK) {
		say(why, why_cap, "%s: cannot start the scanner: %s", s->input, vouch_err_str(rc));
		return rc;
	}
	if (v != NULL) {
		vouch_scan_set_visitor(sc, v);
	}
	rc = vouch_scan_run(sc, s->input);
	s->info.passes++;
	if (rc != VOUCH_OK && rc != VOUCH_E_MALFORMED && rc != VOUCH_E_LIMIT) {
		say(why, why_cap, "%s: %s", s->input,
		    vouch_scan_errmsg(sc)[0] ? vouch_scan_errmsg(sc) : vouch_err_str(rc));
		vouch_scan_free(sc);
		return rc;
	}
	*out = sc;
	return rc;
}

/* Whether the scanner found anything inside report file i: a path "<its path>/..." exists.
 * The report is sorted by path (strcmp), so the first candidate is found by bisection. */
static bool
has_children(const vouch_report *r, size_t i)
{
	const char *p = r->files[i].path;
	size_t n = strlen(p), lo = i + 1, hi = r->nfiles;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *q = r->files[mid].path;
		int d = strncmp(q, p, n);
		if (d == 0) {
			d = (unsigned char)q[n] < '/' ? -1 : (unsigned char)q[n] > '/' ? 1 : 0;
		}
		if (d < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo < r->nfiles && strncmp(r->files[lo].path, p, n) == 0 &&
	       r->files[lo].path[n] == '/';
}

static int
list_image(side *s, const vouch_equiv_opts *o, char *why, size_t why_cap)
{
	const vouch_report *r;
	const vouch_file *root = NULL;
	size_t ri = 0;
	int rc = scan_image(s, o, NULL, &s->scan, why, why_cap);

	if (rc != VOUCH_OK && rc != VOUCH_E_MALFORMED && rc != VOUCH_E_LIMIT) {
		return rc;
	}
	s->info.scan = rc;
	r = vouch_scan_report(s->scan);
	s->info.scan_errors = r->nerrors;
	for (size_t i = 0; i < r->nfiles; i++) {
		if (r->files[i].depth == 0) {
			root = &r->files[i];
			ri = i;
			break;
		}
	}
	if (root == NULL) {
		say(why, why_cap, "%s: the scanner reported no root file", s->input);
		return VOUCH_E_INTERNAL;
	}
	if (root->container == NULL && !has_children(r, ri)) {
		/* nothing opened: a single file, read back from disk when it differs */
		entry *e = add_entry(s);
		if (e == NULL) {
			return VOUCH_E_NOMEM;
		}
		s->kind = K_FILE;
		e->key = "";
		e->path = root->path;
		e->host = s->input;
		e->ftype = VOUCH_FT_REG;
		e->size = root->size;
		e->has_sha = root->has_sha256;
		memcpy(e->sha, root->sha256, 32);
		return VOUCH_OK;
	}
	s->kind = K_IMAGE;
	for (size_t i = 0; i < r->nfiles; i++) {
		const vouch_file *f = &r->files[i];
		if (f->depth == 0 || f->ftype == VOUCH_FT_DIR) {
			continue;
		}
		if (f->ftype == VOUCH_FT_REG && !f->has_elf &&
		    (f->container != NULL || has_children(r, i))) {
			s->info.containers++;
			continue;
		}
		entry *e = add_entry(s);
		if (e == NULL) {
			return VOUCH_E_NOMEM;
		}
		e->key = image_key(s->a, f->path);
		if (e->key == NULL) {
			return VOUCH_E_NOMEM;
		}
		e->path = f->path;
		e->ftype = f->ftype;
		e->size = f->ftype == VOUCH_FT_REG ? f->size : 0;
		e->link = f->link;
		e->has_sha = f->ftype == VOUCH_FT_REG && f->has_sha256;
		memcpy(e->sha, f->sha256, 32);
	}
	return VOUCH_OK;
}

static int
entry_cmp(const void *x, const void *y)
{
	const entry *a = x, *b = y;
	int d = strcmp(a->key, b->key);
	return d != 0 ? d : strcmp(a->path, b->path);
}

/* Sort by key; a key that repeats gets "#2", "#3" (then sort again). */
static int
unique_keys(side *s)
{
	bool dup = false;

	qsort(s->ents, s->n, sizeof(*s->ents), entry_cmp);
	for (size_t i = 1; i < s->n; i++) {
		if (strcmp(s->ents[i].key, s->ents[i - 1].key) == 0) {
			dup = true;
			size_t k = i, base = i - 1;
			while (k < s->n && strcmp(s->ents[k].key, s->ents[base].key) == 0) {
				k++;
			}
			for (size_t j = i; j < k; j++) {
				s->ents[j].key = vouch_arena_printf(s->a, "%s#%zu", s->ents[base].key,
								    j - base + 1);
				if (s->ents[j].key == NULL) {
					return VOUCH_E_NOMEM;
				}
			}
			i = k - 1;
		}
	}
	if (dup) {
		qsort(s->ents, s->n, sizeof(*s->ents), entry_cmp);
	}
	return VOUCH_OK;
}

static int
list_side(side *s, const vouch_equiv_opts *o, char *why, size_t why_cap)
{
	struct stat st;
	int rc;

	if (vouch_arena_new(&s->a, SIDE_ARENA_BUDGET) != VOUCH_OK) {
		return VOUCH_E_NOMEM;
	}
	if (stat(s->input, &st) != 0) {
		say(why, why_cap, "%s: %s", s->input, strerror(errno));
		return errno == ENOENT ? VOUCH_E_NOTFOUND : VOUCH_E_IO;
	}
	if (S_ISDIR(st.st_mode)) {
		s->kind = K_DIR;
		rc = list_dir(s, o, why, why_cap);
	} else if (S_ISREG(st.st_mode)) {
		uint8_t head[4] = {0};
		int fd = open(s->input, O_RDONLY | O_CLOEXEC);
		ssize_t got = fd >= 0 ? pread(fd, head, sizeof(head), 0) : -1;
		if (fd < 0 || got < 0) {
			say(why, why_cap, "%s: %s", s->input, strerror(errno));
			if (fd >= 0) {
				close(fd);
			}
			return VOUCH_E_IO;
		}
		if (got == 4 && memcmp(head, "\x7f" "ELF", 4) == 0) {
			/* a single ELF file: hashed here, no scan */
			uint8_t *buf = malloc(READ_CHUNK);
			vouch_sha256 *h = NULL;
			entry *e = add_entry(s);
			s->kind = K_FILE;
			rc = buf == NULL || e == NULL || vouch_sha256_new(&h) != VOUCH_OK
				     ? VOUCH_E_NOMEM
				     : hash_fd(fd, h, buf, e->sha, &e->size);
			if (rc == VOUCH_OK) {
				const char *b = strrchr(s->input, '/');
				e->key = "";
				e->path = b ? b + 1 : s->input;
				e->host = s->input;
				e->ftype = VOUCH_FT_REG;
				e->has_sha = true;
			} else if (rc == VOUCH_E_IO) {
				say(why, why_cap, "%s: read failed", s->input);
			}
			free(buf);
			vouch_sha256_free(h);
			close(fd);
		} else {
			close(fd);
			rc = list_image(s, o, why, why_cap);
			if (rc == VOUCH_E_MALFORMED || rc == VOUCH_E_LIMIT) {
				rc = VOUCH_OK; /* partial: the summary says so */
			}
		}
	} else {
		say(why, why_cap, "%s: neither a regular file nor a directory", s->input);
		return VOUCH_E_USAGE;
	}
	if (rc != VOUCH_OK) {
		return rc;
	}
	s->info.kind = s->kind == K_IMAGE ? "image" : s->kind == K_DIR ? "directory" : "file";
	s->info.files = s->n;
	return unique_keys(s);
}

/* ---- holding contents --------------------------------------------------------------------- */

typedef struct want {
	entry **e; /* sorted by path */
	size_t n;
} want;

static int
want_cmp(const void *x, const void *y)
{
	const entry *const *a = x, *const *b = y;
	return strcmp((*a)->path, (*b)->path);
}

static entry *
want_find(const want *w, const char *path)
{
	size_t lo = 0, hi = w->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(path, w->e[mid]->path);
		if (d == 0) {
			return w->e[mid];
		}
		if (d < 0) {
			hi = mid;
		} else {
			lo = mid + 1;
		}
	}
	return NULL;
}

/* Visitor callbacks: each wanted file is visited by one thread, so no lock is needed. */
static int
hold_begin(void *ud, const vouch_file *f, void **state)
{
	entry *e = want_find(ud, f->path);

	*state = NULL;
	if (e == NULL || e->buf != NULL || f->ftype != VOUCH_FT_REG || f->size != e->size) {
		return VOUCH_OK;
	}
	e->buf = malloc(e->size > 0 ? (size_t)e->size : 1);
	e->bad = e->buf == NULL;
	*state = e->buf != NULL ? e : NULL;
	return VOUCH_OK;
}

static int
hold_data(void *ud, void *state, const uint8_t *p, size_t n, uint64_t off)
{
	entry *e = state;

	(void)ud;
	if (e == NULL || e->bad) {
		return VOUCH_OK;
	}
	if (!vouch_range_ok(off, n, e->size)) {
		e->bad = true;
		return VOUCH_OK;
	}
	memcpy(e->buf + off, p, n);
	return VOUCH_OK;
}

static int
hold_end(void *ud, void *state, const vouch_file *f)
{
	entry *e = state;

	(void)ud;
	if (e == NULL) {
		return VOUCH_OK;
	}
	e->held = !e->bad && f->has_sha256 && e->has_sha && memcmp(f->sha256, e->sha, 32) == 0;
	if (!e->held) {
		free(e->buf);
		e->buf = NULL;
	}
	return VOUCH_OK;
}

/* Read a directory side's file whole (its size was recorded by the listing). */
static void
hold_from_disk(entry *e)
{
	int fd = open(e->host, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	uint64_t got = 0;

	if (fd < 0) {
		return;
	}
	e->buf = malloc(e->size > 0 ? (size_t)e->size : 1);
	while (e->buf != NULL && got < e->size) {
		ssize_t r = read(fd, e->buf + got, (size_t)(e->size - got));
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			break;
		}
		got += (uint64_t)r;
	}
	close(fd);
	e->held = e->buf != NULL && got == e->size;
	if (!e->held) {
		free(e->buf);
		e->buf = NULL;
	}
}

static void
release(entry *e)
{
	free(e->buf);
	e->buf = NULL;
	e->held = false;
	e->bad = false;
}

/* Make every wanted entry of one side held (a scan for an image, reads otherwise). */
static int
hold_side(side *s, entry **list, size_t n, const vouch_equiv_opts *o, char *why,
	  size_t why_cap)
{
	want w = {list, n};
	vouch_visitor v = {&w, hold_begin, hold_data, hold_end};
	vouch_scan *sc = NULL;
	int rc;

	if (n == 0) {
		return VOUCH_OK;
	}
	if (s->kind != K_IMAGE) {
		for (size_t i = 0; i < n; i++) {
			hold_from_disk(list[i]);
		}
		return VOUCH_OK;
	}
	qsort(list, n, sizeof(*list), want_cmp);
	rc = scan_image(s, o, &v, &sc, why, why_cap);
	vouch_scan_free(sc);
	return rc == VOUCH_E_MALFORMED || rc == VOUCH_E_LIMIT ? VOUCH_OK : rc;
}

/* ---- pairing and the result ----------------------------------------------------------------- */

static int
set_entry(vouch_equiv *q, vouch_equiv_file *f, const entry *e, bool delivered)
{
	const char *path = e->path ? vouch_arena_strndup(q->a, e->path, strlen(e->path)) : NULL;
	const char *link = e->link ? vouch_arena_strndup(q->a, e->link, strlen(e->link)) : NULL;

	if ((e->path && path == NULL) || (e->link && link == NULL)) {
		return VOUCH_E_NOMEM;
	}
	if (delivered) {
		f->delivered = path;
		f->ftype_d = e->ftype;
		f->size_d = e->size;
		f->link_d = link;
		f->has_sha_d = e->has_sha;
		memcpy(f->sha_d, e->sha, 32);
	} else {
		f->rebuilt = path;
		f->ftype_r = e->ftype;
		f->size_r = e->size;
		f->link_r = link;
		f->has_sha_r = e->has_sha;
		memcpy(f->sha_r, e->sha, 32);
	}
	return VOUCH_OK;
}

/* One pair: settle it now, or leave it DIFFERENT with detail pending (returns true). */
static bool
settle(vouch_equiv_file *f, const entry *d, const entry *r, const vouch_equiv_opts *o)
{
	if (d == NULL || r == NULL) {
		f->verdict = d == NULL ? VOUCH_EQUIV_ONLY_REBUILT : VOUCH_EQUIV_ONLY_DELIVERED;
		return false;
	}
	f->verdict = VOUCH_EQUIV_DIFFERENT;
	if (d->ftype != r->ftype) {
		f->classes = 1u << VOUCH_EQUIV_DATA;
		f->note = "the two sides are files of different types";
		return false;
	}
	if (d->ftype == VOUCH_FT_SYMLINK || d->ftype == VOUCH_FT_HARDLINK) {
		bool same = d->link != NULL && r->link != NULL && strcmp(d->link, r->link) == 0;
		f->verdict = same ? VOUCH_EQUIV_IDENTICAL : VOUCH_EQUIV_DIFFERENT;
		f->classes = same ? 0 : 1u << VOUCH_EQUIV_DATA;
		return false;
	}
	if (d->ftype != VOUCH_FT_REG) {
		f->verdict = VOUCH_EQUIV_IDENTICAL; /* devices, FIFOs: the type is all there is */
		return false;
	}
	if (d->has_sha && r->has_sha && d->size == r->size && memcmp(d->sha, r->sha, 32) == 0) {
		f->verdict = VOUCH_EQUIV_IDENTICAL;
		return false;
	}
	f->classes = 1u << VOUCH_EQUIV_DATA;
	if (d->size > o->max_file || r->size > o->max_file) {
		f->note = "larger than max_file: compared by digest only";
		return false;
	}
	return true;
}

typedef struct pending {
	size_t file;
	entry *d, *r;
} pending;

static int
compare_batch(vouch_equiv *q, side *sd, side *sr, pending *p, size_t n,
	      const vouch_equiv_opts *o, char *why, size_t why_cap)
{
	entry **ld = malloc((n + 1) * sizeof(*ld)), **lr = malloc((n + 1) * sizeof(*lr));
	int rc = VOUCH_OK;

	if (ld == NULL || lr == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		ld[i] = p[i].d;
		lr[i] = p[i].r;
	}
	if ((rc = hold_side(sd, ld, n, o, why, why_cap)) != VOUCH_OK ||
	    (rc = hold_side(sr, lr, n, o, why, why_cap)) != VOUCH_OK) {
		goto out;
	}
	for (size_t i = 0; i < n && rc == VOUCH_OK; i++) {
		vouch_equiv_file *f = &q->files[p[i].file];
		if (!p[i].d->held || !p[i].r->held) {
			f->note = "the content could not be read again for the detailed comparison";
			continue;
		}
		rc = vouch_equiv_compare_bytes(q->a, o->max_ranges, p[i].d->buf,
					       (size_t)p[i].d->size, p[i].r->buf,
					       (size_t)p[i].r->size, f);
		release(p[i].d);
		release(p[i].r);
	}
out:
	for (size_t i = 0; i < n; i++) {
		release(p[i].d);
		release(p[i].r);
	}
	free(ld);
	free(lr);
	return rc;
}

static int
pair_all(vouch_equiv *q, side *sd, side *sr, const vouch_equiv_opts *o, char *why,
	 size_t why_cap)
{
	size_t i = 0, j = 0, np = 0, cap = sd->n + sr->n + 1;
	pending *pend = NULL;
	int rc = VOUCH_OK;

	q->files = vouch_arena_alloc(q->a, cap * sizeof(*q->files));
	pend = malloc(cap * sizeof(*pend));
	if (q->files == NULL || pend == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	while (i < sd->n || j < sr->n) {
		entry *d = NULL, *r = NULL;
		int c = i >= sd->n ? 1 : j >= sr->n ? -1 : strcmp(sd->ents[i].key, sr->ents[j].key);
		if (c <= 0) {
			d = &sd->ents[i++];
		}
		if (c >= 0) {
			r = &sr->ents[j++];
		}
		vouch_equiv_file *f = &q->files[q->nfiles];
		memset(f, 0, sizeof(*f));
		const char *key = d ? d->key : r->key;
		if (key[0] == '\0') {
			/* two single files: shown by the delivered file's name */
			const entry *e = d ? d : r;
			const char *b = strrchr(e->path, '/');
			key = b ? b + 1 : e->path;
		}
		f->path = vouch_arena_strndup(q->a, key, strlen(key));
		if (f->path == NULL || (d && (rc = set_entry(q, f, d, true)) != VOUCH_OK) ||
		    (r && (rc = set_entry(q, f, r, false)) != VOUCH_OK)) {
			rc = rc != VOUCH_OK ? rc : VOUCH_E_NOMEM;
			goto out;
		}
		if (settle(f, d, r, o)) {
			pend[np++] = (pending){q->nfiles, d, r};
		}
		q->nfiles++;
	}
	/* batches of pending pairs whose contents fit max_held */
	for (size_t k = 0; k < np;) {
		uint64_t held = 0;
		size_t e = k;
		while (e < np && (e == k || held + pend[e].d->size + pend[e].r->size <= o->max_held)) {
			held += pend[e].d->size + pend[e].r->size;
			e++;
		}
		if ((rc = compare_batch(q, sd, sr, pend + k, e - k, o, why, why_cap)) != VOUCH_OK) {
			goto out;
		}
		k = e;
	}
out:
	free(pend);
	return rc;
}

static void
summarise(vouch_equiv *q)
{
	vouch_equiv_summary *s = &q->sum;

	for (size_t i = 0; i < q->nfiles; i++) {
		const vouch_equiv_file *f = &q->files[i];
		bool has_d = f->delivered != NULL;
		uint64_t b = f->verdict == VOUCH_EQUIV_ONLY_REBUILT ? f->size_r : f->size_d;
		s->files[f->verdict]++;
		s->bytes[f->verdict] += b;
		s->classes |= f->classes;
		if (has_d) {
			s->bytes_delivered += f->size_d;
			if (f->verdict == VOUCH_EQUIV_IDENTICAL || f->verdict == VOUCH_EQUIV_EQUIVALENT) {
				s->bytes_proven += f->size_d;
			}
		}
	}
}

static void
side_free(side *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->ents[i].buf);
	}
	free(s->ents);
	vouch_scan_free(s->scan);
	vouch_arena_free(s->a);
}

int
vouch_equiv_run(vouch_equiv **out, const char *delivered, const char *rebuilt,
		const vouch_equiv_opts *opts, char *why, size_t why_cap)
{
	vouch_equiv_opts o;
	side sd, sr;
	vouch_equiv *q = NULL;
	double t0 = vouch_now();
	int rc;

	memset(&sd, 0, sizeof(sd));
	memset(&sr, 0, sizeof(sr));
	if (why != NULL && why_cap > 0) {
		why[0] = '\0';
	}
	if (out == NULL || delivered == NULL || rebuilt == NULL) {
		say(why, why_cap, "vouch_equiv_run: NULL argument");
		return VOUCH_E_USAGE;
	}
	*out = NULL;
	if (opts != NULL) {
		o = *opts;
	} else {
		vouch_equiv_opts_default(&o);
	}
	if (o.max_file == 0 || o.max_held < o.max_file * 2 || o.max_ranges == 0) {
		say(why, why_cap, "max_file, max_ranges must be > 0 and max_held >= 2 max_file");
		return VOUCH_E_USAGE;
	}
	sd.input = delivered;
	sr.input = rebuilt;
	q = calloc(1, sizeof(*q));
	if (q == NULL || vouch_arena_new(&q->a, VOUCH_EQUIV_ARENA_BUDGET) != VOUCH_OK) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	if ((rc = list_side(&sd, &o, why, why_cap)) != VOUCH_OK ||
	    (rc = list_side(&sr, &o, why, why_cap)) != VOUCH_OK) {
		goto out;
	}
	if ((rc = pair_all(q, &sd, &sr, &o, why, why_cap)) != VOUCH_OK) {
		goto out;
	}
	summarise(q);
	q->sum.delivered = sd.info;
	q->sum.rebuilt = sr.info;
	q->sum.seconds = vouch_now() - t0;
	*out = q;
	q = NULL;
out:
	if (rc == VOUCH_E_NOMEM && why != NULL && why_cap > 0 && why[0] == '\0') {
		say(why, why_cap, "out of memory");
	}
	side_free(&sd);
	side_free(&sr);
	vouch_equiv_free(q);
	return rc;
}

void
vouch_equiv_free(vouch_equiv *e)
{
	if (e == NULL) {
		return;
	}
	vouch_arena_free(e->a);
	free(e);
}

const vouch_equiv_file *
vouch_equiv_files(const vouch_equiv *e, size_t *n)
{
	*n = e->nfiles;
	return e->files;
}

const vouch_equiv_summary *
vouch_equiv_get_summary(const vouch_equiv *e)
{
	return &e->sum;
}
