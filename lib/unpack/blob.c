/*
 * unpack/blob.c: byte sources (blobs and windows onto them) and the member spool.
 *
 * A blob holds bytes in memory or in a file: the input image itself (read with pread, never
 * mapped whole, so a 1 GiB image does not become 1 GiB of resident memory) or an unlinked
 * temporary file that a large extracted member spilled to. Small members stay in memory up
 * to a per-scan budget (limits.max_memory_spool); past it, or past 8 MiB for one member, the
 * spool moves to a temporary file. Blobs are refcounted because sub-regions (a uImage payload,
 * a TRX partition) are windows onto their parent's blob, queued without copying.
 * Rejected: mapping every input whole (simple, but resident memory grows with image size).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "unpack/engine.h"

struct vouch_blob {
	atomic_int refs;
	int fd;          /* -1 for memory blobs */
	uint8_t *mem;
	uint64_t size;
	uint64_t charged; /* bytes counted against the scan's memory spool budget */
	atomic_uint_fast64_t nread; /* bytes read by format handlers: the progress measure */
	atomic_uint_fast64_t *budget; /* where `charged` is returned on free */
};

static vouch_blob *
blob_alloc(void)
{
	vouch_blob *b = calloc(1, sizeof(*b));

	if (b != NULL) {
		atomic_init(&b->refs, 1);
		b->fd = -1;
	}
	return b;
}

int
vouch_blob_from_fd(int fd, uint64_t size, vouch_blob **out)
{
	vouch_blob *b = blob_alloc();

	if (b == NULL) {
		return VOUCH_E_NOMEM;
	}
	b->fd = fd;
	b->size = size;
	*out = b;
	return VOUCH_OK;
}

int
vouch_blob_from_mem(uint8_t *mem, uint64_t size, uint64_t charged, atomic_uint_fast64_t *budget,
		    vouch_blob **out)
{
	vouch_blob *b = blob_alloc();

	if (b == NULL) {
		return VOUCH_E_NOMEM;
	}
	b->mem = mem;
	b->size = size;
	b->charged = charged;
	b->budget = budget;
	*out = b;
	return VOUCH_OK;
}

vouch_blob *
vouch_blob_ref(vouch_blob *b)
{
	atomic_fetch_add(&b->refs, 1);
	return b;
}

void
vouch_blob_unref(vouch_blob *b)
{
	if (b == NULL || atomic_fetch_sub(&b->refs, 1) != 1) {
		return;
	}
	if (b->fd >= 0) {
		close(b->fd);
	}
	free(b->mem);
	if (b->budget != NULL) {
		atomic_fetch_sub(b->budget, b->charged);
	}
	free(b);
}

uint64_t
vouch_blob_size(const vouch_blob *b)
{
	return b->size;
}

static int
src_read(const vouch_src *s, uint64_t off, void *buf, size_t n, size_t *got);

int
vouch_src_read_some(const vouch_src *s, uint64_t off, void *buf, size_t n, size_t *got)
{
	int rc = src_read(s, off, buf, n, got);

	atomic_fetch_add_explicit(&s->blob->nread, *got, memory_order_relaxed);
	return rc;
}

int
vouch_src_pass(const vouch_src *s, uint64_t off, void *buf, size_t n, size_t *got)
{
	return src_read(s, off, buf, n, got);
}

uint64_t
vouch_blob_nread(const vouch_blob *b)
{
	return atomic_load_explicit(&b->nread, memory_order_relaxed);
}

static int
src_read(const vouch_src *s, uint64_t off, void *buf, size_t n, size_t *got)
{
	uint64_t abs;
	size_t want;

	*got = 0;
	if (off >= s->len) {
		return VOUCH_OK;
	}
	want = (size_t)VOUCH_MIN((uint64_t)n, s->len - off);
	if (!vouch_add_u64(s->off, off, &abs) || !vouch_range_ok(abs, want, s->blob->size)) {
		return VOUCH_E_INTERNAL;
	}
	if (s->blob->fd < 0) {
		memcpy(buf, s->blob->mem + abs, want);
		*got = want;
		return VOUCH_OK;
	}
	while (*got < want) {
		ssize_t r = pread(s->blob->fd, (char *)buf + *got, want - *got, (off_t)(abs + *got));
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return VOUCH_E_IO;
		}
		*got += (size_t)r;
	}
	return VOUCH_OK;
}

int
vouch_src_read(const vouch_src *s, uint64_t off, void *buf, size_t n)
{
	size_t got;
	int rc;

	if (!vouch_range_ok(off, n, s->len)) {
		return VOUCH_E_MALFORMED;
	}
	rc = vouch_src_read_some(s, off, buf, n, &got);
	if (rc == VOUCH_OK && got != n) {
		rc = VOUCH_E_MALFORMED;
	}
	return rc;
}

int
vouch_src_slice(const vouch_src *s, uint64_t off, uint64_t len, vouch_src *out)
{
	if (!vouch_range_ok(off, len, s->len)) {
		return VOUCH_E_MALFORMED;
	}
	out->blob = s->blob;
	out->off = s->off + off;
	out->len = len;
	return VOUCH_OK;
}

int
vouch_src_view(const vouch_src *s, uint64_t off, uint64_t len, vouch_view *v)
{
	uint64_t abs;

	memset(v, 0, sizeof(*v));
	if (!vouch_range_ok(off, len, s->len) || len > SIZE_MAX) {
		return VOUCH_E_MALFORMED;
	}
	abs = s->off + off;
	if (s->blob->fd < 0) {
		v->p = s->blob->mem + abs;
		v->len = len;
		return VOUCH_OK;
	}
	if (len == 0) {
		v->p = (const uint8_t *)"";
		return VOUCH_OK;
	}
	long page = sysconf(_SC_PAGESIZE);
	uint64_t base = abs - abs % (uint64_t)page;
	size_t maplen = (size_t)(len + (abs - base));
	void *m = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, s->blob->fd, (off_t)base);
	if (m == MAP_FAILED) {
		return VOUCH_E_IO;
	}
	v->map_base = m;
	v->map_len = maplen;
	v->p = (const uint8_t *)m + (abs - base);
	v->len = len;
	return VOUCH_OK;
}

void
vouch_view_free(vouch_view *v)
{
	if (v->map_base != NULL) {
		munmap(v->map_base, v->map_len);
	}
	memset(v, 0, sizeof(*v));
}

/* ---- spool ------------------------------------------------------------------------- */

#define SPOOL_MEM_MAX (8u << 20)

int
vouch_tmpfile(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0) {
		char tmpl[4096];
		int n = snprintf(tmpl, sizeof(tmpl), "%s/vouch-spool-XXXXXX", dir);
		if (n < 0 || (size_t)n >= sizeof(tmpl)) {
			return -1;
		}
		fd = mkstemp(tmpl);
		if (fd >= 0) {
			unlink(tmpl);
		}
	}
	return fd;
}

void
vouch_spool_init(vouch_spool *sp, atomic_uint_fast64_t *budget, uint64_t budget_max,
		 const char *tmpdir)
{
	memset(sp, 0, sizeof(*sp));
	sp->fd = -1;
	sp->budget = budget;
	sp->budget_max = budget_max;
	sp->tmpdir = tmpdir;
}

static int
spool_spill(vouch_spool *sp)
{
	sp->fd = sp->spill_open != NULL ? sp->spill_open(sp->spill_ud) : -1;
	sp->spilled_out = sp->fd >= 0;
	if (sp->fd < 0) {
		sp->fd = vouch_tmpfile(sp->tmpdir);
	}
	if (sp->fd < 0) {
		return VOUCH_E_IO;
	}
	if (vouch_write_all(sp->fd, sp->buf, sp->len) != VOUCH_OK) {
		return VOUCH_E_IO;
	}
	free(sp->buf);
	sp->buf = NULL;
	atomic_fetch_sub(sp->budget, sp->charged);
	sp->charged = 0;
	sp->cap = 0;
	return VOUCH_OK;
}

uint64_t
vouch_spool_growth(const vouch_spool *sp, size_t n)
{
	size_t need = sp->len + n, ncap;

	if (sp->fd >= 0 || need <= sp->cap) {
		return 0;
	}
	ncap = sp->cap ? sp->cap * 2 : 16384;
	while (ncap < need) {
		ncap *= 2;
	}
	return ncap - sp->cap;
}

int
vouch_spool_write(vouch_spool *sp, const void *p, size_t n)
{
	if (n == 0) {
		return VOUCH_OK;
	}
	if (sp->fd < 0) {
		size_t need = sp->len + n;
		if (need <= sp->cap) {
			memcpy(sp->buf + sp->len, p, n);
			sp->len = need;
			return VOUCH_OK;
		}
		size_t ncap = sp->cap ? sp->cap * 2 : 16384;
		while (ncap < need) {
			ncap *= 2;
		}
		uint64_t extra = ncap - sp->cap;
		uint64_t cur = atomic_fetch_add(sp->budget, extra);
		if (need <= SPOOL_MEM_MAX && cur + extra <= sp->budget_max) {
			uint8_t *nb = realloc(sp->buf, ncap);
			if (nb != NULL) {
				sp->buf = nb;
				sp->cap = ncap;
				sp->charged += extra;
				memcpy(sp->buf + sp->len, p, n);
				sp->len = need;
				return VOUCH_OK;
			}
		}
		atomic_fetch_sub(sp->budget, extra);
		int rc = spool_spill(sp);
		if (rc != VOUCH_OK) {
			return rc;
		}
	}
	if (vouch_write_all(sp->fd, p, n) != VOUCH_OK) {
		return VOUCH_E_IO;
	}
	sp->len += n;
	return VOUCH_OK;
}

int
vouch_spool_finish(vouch_spool *sp, vouch_blob **out)
{
	int rc;

	if (sp->fd >= 0) {
		rc = vouch_blob_from_fd(sp->fd, sp->len, out);
		if (rc == VOUCH_OK) {
			sp->fd = -1;
		}
		return rc;
	}
	rc = vouch_blob_from_mem(sp->buf, sp->len, sp->charged, sp->budget, out);
	if (rc == VOUCH_OK) {
		sp->buf = NULL;
		sp->charged = 0;
	}
	return rc;
}

void
vouch_spool_discard(vouch_spool *sp)
{
	if (sp->fd >= 0) {
		close(sp->fd);
	}
	free(sp->buf);
	if (sp->charged && sp->budget) {
		atomic_fetch_sub(sp->budget, sp->charged);
	}
	memset(sp, 0, sizeof(*sp));
	sp->fd = -1;
}
