/*
 * tests/unit/test_engine.c: the unpacking engine on in-memory images.
 *
 * Images are built here with zlib (gzip streams, nested N times) and by hand (a ustar
 * archive), scanned with vouch_scan_run_buffer, and the report is checked against what the
 * test itself knows: a gzip stream placed at an offset of random bytes is found there, and
 * the regions of the image cover every byte exactly once; the nesting-depth, file-count,
 * total-output and expansion-ratio limits stop the work, are recorded, and bound what came
 * out; a visitor sees every file's bytes exactly once, in order, and the SHA-256 the test
 * computes over them with OpenSSL's one-shot SHA256() equals the one in the report.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>
#include <zlib.h>

#include "vouch/vouch.h"

/* ---- building images --------------------------------------------------------------------- */

typedef struct buf {
	uint8_t *p;
	size_t len, cap;
} buf;

static void
buf_put(buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n) {
			cap *= 2;
		}
		b->p = realloc(b->p, cap);
		assert_non_null(b->p);
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Deterministic pseudo-random bytes (xorshift64), so that failures reproduce. */
static void
fill_random(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed | 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (uint8_t)(x >> 24);
	}
}

/* gzip (RFC 1952) of p[0..n) via zlib's gzip wrapper. */
static buf
gzip_of(const uint8_t *p, size_t n)
{
	z_stream z;
	buf out = {0};
	uint8_t chunk[65536];
	int rc;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, Z_FINISH);
		assert_true(rc == Z_OK || rc == Z_STREAM_END || rc == Z_BUF_ERROR);
		buf_put(&out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
	return out;
}

/* A ustar archive of `count` small regular files "f<i>" (POSIX.1-1988 header layout). */
static buf
tar_of(unsigned count)
{
	buf out = {0};
	uint8_t h[512], data[512];

	for (unsigned i = 0; i < count; i++) {
		unsigned sum = 0;
		int dl = snprintf((char *)data, sizeof(data), "file number %u\n", i);
		memset(h, 0, sizeof(h));
		snprintf((char *)h, 100, "f%u", i);
		memcpy(h + 100, "0000644", 8);
		memcpy(h + 108, "0000000", 8);
		memcpy(h + 116, "0000000", 8);
		snprintf((char *)h + 124, 12, "%011o", (unsigned)dl);
		memcpy(h + 136, "14540000000", 12);
		h[156] = '0';
		memcpy(h + 257, "ustar", 6);
		memcpy(h + 263, "00", 2);
		memset(h + 148, ' ', 8);
		for (size_t k = 0; k < sizeof(h); k++) {
			sum += h[k];
		}
		snprintf((char *)h + 148, 8, "%06o", sum);
		buf_put(&out, h, sizeof(h));
		memset(data + dl, 0, sizeof(data) - (size_t)dl);
		buf_put(&out, data, sizeof(data));
	}
	memset(h, 0, sizeof(h));
	buf_put(&out, h, sizeof(h));
	buf_put(&out, h, sizeof(h));
	return out;
}

static vouch_scan *
scan_new(void (*tweak)(vouch_scan_opts *))
{
	vouch_scan_opts o;
	vouch_scan *s = NULL;

	vouch_scan_opts_default(&o);
	o.threads = 2;
	o.no_magic = true;
	if (tweak != NULL) {
		tweak(&o);
	}
	assert_int_equal(vouch_scan_new(&s, &o), VOUCH_OK);
	return s;
}

/* The report's record for path; fails the test when there is none (never returns NULL, so
 * that the callers need no null checks the compiler cannot see through cmocka's asserts). */
static const vouch_file *
find_file(const vouch_report *r, const char *path)
{
	static const vouch_file missing = {.path = ""};

	for (size_t i = 0; i < r->nfiles; i++) {
		if (strcmp(r->files[i].path, path) == 0) {
			return &r->files[i];
		}
	}
	fail_msg("no file '%s' in the report", path);
	return &missing;
}

static bool
has_error(const vouch_report *r, int code, const char *needle)
{
	for (size_t i = 0; i < r->nerrors; i++) {
		if (r->errors[i].code == code && strstr(r->errors[i].message, needle) != NULL) {
			return true;
		}
	}
	return false;
}

/* ---- carving and accounting -------------------------------------------------------------- */

static void
test_gzip_at_offset_and_regions(void **state)
{
	enum { PRE = 1000, PAY = 50000, PAD = 4096, POST = 300 };
	uint8_t pre[PRE], post[POST], pad[PAD];
	uint8_t *payload = malloc(PAY);
	uint8_t want[32];
	buf img = {0};
	char path[128];

	(void)state;
	assert_non_null(payload);
	for (size_t i = 0; i < PAY; i++) {
		payload[i] = (uint8_t)("firmware text line\n"[i % 19]);
	}
	SHA256(payload, PAY, want);
	fill_random(pre, sizeof(pre), 42);
	fill_random(post, sizeof(post), 43);
	memset(pad, 0xFF, sizeof(pad));
	buf gz = gzip_of(payload, PAY);
	buf_put(&img, pre, sizeof(pre));
	buf_put(&img, gz.p, gz.len);
	buf_put(&img, pad, sizeof(pad));
	buf_put(&img, post, sizeof(post));

	vouch_scan *s = scan_new(NULL);
	int rc = vouch_scan_run_buffer(s, "img.bin", img.p, img.len);
	const vouch_report *r = vouch_scan_report(s);
	assert_int_equal(rc, VOUCH_OK);
	assert_int_equal(r->nerrors, 0);
	snprintf(path, sizeof(path), "img.bin/gzip@0x%x/data", PRE);
	const vouch_file *f = find_file(r, path);
	assert_int_equal(f->size, PAY);
	assert_true(f->has_sha256);
	assert_memory_equal(f->sha256, want, 32);
	assert_int_equal(f->depth, 1);
	const vouch_file *root = find_file(r, "img.bin");
	assert_int_equal(root->size, img.len);
	assert_int_equal(root->depth, 0);

	/* the regions of the image: sorted, contiguous, no overlap, cover every byte */
	uint64_t pos = 0;
	bool saw_gzip = false, saw_pad = false;
	for (size_t i = 0; i < r->nregions; i++) {
		const vouch_region *g = &r->regions[i];
		if (strcmp(g->node, "img.bin") != 0) {
			continue;
		}
		assert_int_equal(g->offset, pos);
		assert_true(g->length > 0);
		pos = g->offset + g->length;
		if (g->kind == VOUCH_REGION_OPENED && g->format != NULL &&
		    strcmp(g->format, "gzip") == 0) {
			assert_int_equal(g->offset, PRE);
			assert_int_equal(g->length, gz.len);
			saw_gzip = true;
		}
		if (g->kind == VOUCH_REGION_PADDING) {
			assert_true(g->offset >= PRE + gz.len);
			assert_true(g->offset + g->length <= PRE + gz.len + PAD);
			saw_pad = true;
		}
		if (g->kind == VOUCH_REGION_UNKNOWN) {
			assert_true(g->entropy >= 0.0 && g->entropy <= 8.0);
		}
	}
	assert_int_equal(pos, img.len);
	assert_true(saw_gzip);
	assert_true(saw_pad);
	vouch_scan_free(s);
	free(img.p);
	free(gz.p);
	free(payload);
}

/* ---- limits ----------------------------------------------------------------------------- */

static buf
gzip_nested(const char *bottom, unsigned times)
{
	buf cur = {0};

	buf_put(&cur, bottom, strlen(bottom));
	for (unsigned i = 0; i < times; i++) {
		buf next = gzip_of(cur.p, cur.len);
		free(cur.p);
		cur = next;
	}
	return cur;
}

static void
depth4(vouch_scan_opts *o)
{
	assert_int_equal(vouch_limits_set(&o->limits, "max_depth", 4), VOUCH_OK);
}

static void
test_depth_limit(void **state)
{
	const char *bottom = "the bottom of the nest\n";
	uint8_t want[32];
	buf img = gzip_nested(bottom, 10);
	vouch_scan *s;
	const vouch_report *r;

	(void)state;
	SHA256((const uint8_t *)bottom, strlen(bottom), want);
	/* the default depth (32) reaches the bottom */
	s = scan_new(NULL);
	assert_int_equal(vouch_scan_run_buffer(s, "nest", img.p, img.len), VOUCH_OK);
	r = vouch_scan_report(s);
	bool found = false;
	for (size_t i = 0; i < r->nfiles; i++) {
		if (r->files[i].depth == 10) {
			assert_memory_equal(r->files[i].sha256, want, 32);
			found = true;
		}
		assert_true(r->files[i].depth <= 10);
	}
	assert_true(found);
	assert_int_equal(r->nfiles, 11);
	vouch_scan_free(s);

	/* max_depth 4 stops it, says so, and nothing deeper appears */
	s = scan_new(depth4);
	assert_int_equal(vouch_scan_run_buffer(s, "nest", img.p, img.len), VOUCH_E_LIMIT);
	r = vouch_scan_report(s);
	assert_true(r->limit_hit);
	assert_true(has_error(r, VOUCH_E_LIMIT, "depth"));
	for (size_t i = 0; i < r->nfiles; i++) {
		assert_true(r->files[i].depth <= 4);
	}
	assert_true(r->nfiles >= 4 && r->nfiles <= 5);
	vouch_scan_free(s);
	free(img.p);
}

static void
files5(vouch_scan_opts *o)
{
	assert_int_equal(vouch_limits_set(&o->limits, "max_files", 5), VOUCH_OK);
}

static void
test_file_limit(void **state)
{
	buf tar = tar_of(20);
	vouch_scan *s;
	const vouch_report *r;

	(void)state;
	/* without the limit: 20 members and the archive itself */
	s = scan_new(NULL);
	assert_int_equal(vouch_scan_run_buffer(s, "a.tar", tar.p, tar.len), VOUCH_OK);
	r = vouch_scan_report(s);
	assert_int_equal(r->nfiles, 21);
	assert_int_equal(find_file(r, "a.tar/tar/f19")->size, 15);
	vouch_scan_free(s);

	s = scan_new(files5);
	assert_int_equal(vouch_scan_run_buffer(s, "a.tar", tar.p, tar.len), VOUCH_E_LIMIT);
	r = vouch_scan_report(s);
	assert_true(r->limit_hit);
	assert_true(has_error(r, VOUCH_E_LIMIT, "max_files"));
	assert_true(r->nfiles <= 5 + 1); /* five members and the root */
	vouch_scan_free(s);
	free(tar.p);
}

#define BOMB_BYTES (64u << 20)
#define SLACK (1u << 20)

static buf
small_bomb(void)
{
	uint8_t *zeros = calloc(1, BOMB_BYTES);
	buf gz;

	assert_non_null(zeros);
	gz = gzip_of(zeros, BOMB_BYTES);
	free(zeros);
	return gz;
}

static void
out8m(vouch_scan_opts *o)
{
	assert_int_equal(vouch_limits_set(&o->limits, "max_output_bytes", 8u << 20), VOUCH_OK);
}

static void
ratio10(vouch_scan_opts *o)
{
	assert_int_equal(vouch_limits_set(&o->limits, "max_ratio", 10), VOUCH_OK);
}

static uint64_t
bytes_below_root(const vouch_report *r)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < r->nfiles; i++) {
		if (r->files[i].depth > 0 && r->files[i].ftype == VOUCH_FT_REG) {
			sum += r->files[i].size;
		}
	}
	return sum;
}

static void
test_output_and_ratio_limits(void **state)
{
	buf gz = small_bomb();
	vouch_scan *s;
	const vouch_report *r;

	(void)state;
	assert_true(gz.len < BOMB_BYTES / 500);
	/* total output */
	s = scan_new(out8m);
	assert_int_equal(vouch_scan_run_buffer(s, "bomb.gz", gz.p, gz.len), VOUCH_E_LIMIT);
	r = vouch_scan_report(s);
	assert_true(r->limit_hit);
	assert_true(has_error(r, VOUCH_E_LIMIT, "max_output_bytes"));
	assert_true(r->bytes_out <= (8u << 20) + SLACK);
	assert_true(bytes_below_root(r) <= 8u << 20);
	vouch_scan_free(s);

	/* expansion ratio: 10x the compressed size (the engine lets any stream make 1 MiB) */
	s = scan_new(ratio10);
	assert_int_equal(vouch_scan_run_buffer(s, "bomb.gz", gz.p, gz.len), VOUCH_E_LIMIT);
	r = vouch_scan_report(s);
	assert_true(r->limit_hit);
	assert_true(has_error(r, VOUCH_E_LIMIT, "ratio"));
	uint64_t cap = 10 * (uint64_t)gz.len > (1u << 20) ? 10 * (uint64_t)gz.len : (1u << 20);
	assert_true(bytes_below_root(r) <= cap);
	assert_true(r->bytes_out <= cap + SLACK);
	vouch_scan_free(s);
	free(gz.p);
}

/* ---- the visitor ------------------------------------------------------------------------- */

typedef struct vfile {
	char *path;
	buf data;
	uint64_t next_off;
	int begins, ends;
	bool order_ok, size_ok;
	uint8_t sha_report[32];
	bool has_sha;
} vfile;

typedef struct vstate {
	pthread_mutex_t mu;
	vfile files[64];
	size_t n;
	int dup_begins;
} vstate;

static int
v_begin(void *ud, const vouch_file *f, void **state)
{
	vstate *vs = ud;
	vfile *vf = NULL;

	pthread_mutex_lock(&vs->mu);
	for (size_t i = 0; i < vs->n; i++) {
		if (strcmp(vs->files[i].path, f->path) == 0) {
			vs->dup_begins++;
			vf = &vs->files[i];
		}
	}
	if (vf == NULL && vs->n < sizeof(vs->files) / sizeof(vs->files[0])) {
		vf = &vs->files[vs->n++];
		vf->path = strdup(f->path);
		vf->order_ok = true;
	}
	if (vf != NULL) {
		vf->begins++;
	}
	pthread_mutex_unlock(&vs->mu);
	*state = vf;
	return VOUCH_OK;
}

static int
v_data(void *ud, void *state, const uint8_t *p, size_t n, uint64_t offset)
{
	vfile *vf = state;

	(void)ud;
	if (vf == NULL) {
		return VOUCH_OK;
	}
	/* one file's callbacks run on one thread, in order: no lock needed for vf */
	if (offset != vf->next_off) {
		vf->order_ok = false;
	}
	vf->next_off = offset + n;
	buf_put(&vf->data, p, n);
	return VOUCH_OK;
}

static int
v_end(void *ud, void *state, const vouch_file *f)
{
	vfile *vf = state;

	(void)ud;
	if (vf == NULL) {
		return VOUCH_OK;
	}
	vf->ends++;
	vf->size_ok = f->ftype != VOUCH_FT_REG || f->size == vf->data.len;
	vf->has_sha = f->has_sha256;
	memcpy(vf->sha_report, f->sha256, 32);
	return VOUCH_OK;
}

static void
test_visitor_sees_bytes_once(void **state)
{
	enum { N1 = 300000, N2 = 777 };
	uint8_t *a = malloc(N1), b[N2];
	buf img = {0}, inner = {0};
	vstate *vs = calloc(1, sizeof(*vs));

	(void)state;
	assert_non_null(a);
	assert_non_null(vs);
	pthread_mutex_init(&vs->mu, NULL);
	fill_random(a, N1, 7); /* incompressible: more than one engine chunk after gunzip */
	fill_random(b, N2, 8);
	/* image: random, gzip(a), random, gzip(gzip(b)) */
	buf ga = gzip_of(a, N1);
	buf gb = gzip_of(b, N2);
	inner = gzip_of(gb.p, gb.len);
	buf_put(&img, b, 100);
	buf_put(&img, ga.p, ga.len);
	buf_put(&img, b, 200);
	buf_put(&img, inner.p, inner.len);

	vouch_scan *s = scan_new(NULL);
	vouch_visitor v = {.ud = vs, .file_begin = v_begin, .file_data = v_data, .file_end = v_end};
	vouch_scan_set_visitor(s, &v);
	assert_int_equal(vouch_scan_run_buffer(s, "vis.bin", img.p, img.len), VOUCH_OK);
	const vouch_report *r = vouch_scan_report(s);

	assert_int_equal(vs->dup_begins, 0);
	assert_int_equal(vs->n, r->nfiles);
	assert_true(r->nfiles >= 4); /* root, data(a), data(gb), data(b) */
	size_t matched = 0;
	for (size_t i = 0; i < vs->n; i++) {
		vfile *vf = &vs->files[i];
		uint8_t mine[32];
		const vouch_file *f = find_file(r, vf->path);
		assert_int_equal(vf->begins, 1);
		assert_int_equal(vf->ends, 1);
		assert_true(vf->order_ok);
		assert_true(vf->size_ok);
		if (f->ftype != VOUCH_FT_REG) {
			continue;
		}
		SHA256(vf->data.p ? vf->data.p : (const uint8_t *)"", vf->data.len, mine);
		assert_true(vf->has_sha && f->has_sha256);
		assert_memory_equal(mine, vf->sha_report, 32);
		assert_memory_equal(mine, f->sha256, 32);
		/* and the bytes are the ones the test put in */
		if (vf->data.len == N1) {
			assert_memory_equal(vf->data.p, a, N1);
			matched++;
		} else if (vf->data.len == N2) {
			assert_memory_equal(vf->data.p, b, N2);
			matched++;
		} else if (vf->data.len == img.len) {
			assert_memory_equal(vf->data.p, img.p, img.len);
			matched++;
		}
	}
	assert_int_equal(matched, 3);
	vouch_scan_free(s);
	for (size_t i = 0; i < vs->n; i++) {
		free(vs->files[i].path);
		free(vs->files[i].data.p);
	}
	pthread_mutex_destroy(&vs->mu);
	free(vs);
	free(ga.p);
	free(gb.p);
	free(inner.p);
	free(img.p);
	free(a);
}

static void
test_empty_and_tiny(void **state)
{
	vouch_scan *s;
	const vouch_report *r;

	(void)state;
	s = scan_new(NULL);
	assert_int_equal(vouch_scan_run_buffer(s, "empty", "", 0), VOUCH_OK);
	r = vouch_scan_report(s);
	assert_int_equal(r->nfiles, 1);
	assert_int_equal(find_file(r, "empty")->size, 0);
	vouch_scan_free(s);

	s = scan_new(NULL);
	assert_int_equal(vouch_scan_run_buffer(s, "magic", "\x1f\x8b\x08", 3) == VOUCH_OK ||
				 vouch_scan_report(s)->truncated,
			 1);
	vouch_scan_free(s);

	/* a scan runs once */
	s = scan_new(NULL);
	assert_int_equal(vouch_scan_run_buffer(s, "x", "x", 1), VOUCH_OK);
	assert_int_equal(vouch_scan_run_buffer(s, "x", "x", 1), VOUCH_E_USAGE);
	vouch_scan_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gzip_at_offset_and_regions),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_file_limit),
		cmocka_unit_test(test_output_and_ratio_limits),
		cmocka_unit_test(test_visitor_sees_bytes_once),
		cmocka_unit_test(test_empty_and_tiny),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
