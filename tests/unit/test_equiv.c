/*
 * tests/unit/test_equiv.c: the string-span classifier of lib/equiv/spans.c and the byte
 * comparison of lib/equiv/compare.c on inputs written here.
 *
 * The classifier decides whether a differing run inside a data section is only a build path
 * or a timestamp; a wrong "benign" would hide a real change, so most cases below are the
 * ones that must stay data: a changed file name (last path component), a one-component
 * path, a URL, a changed message, a run crossing a NUL, non-printable bytes, a string longer
 * than VOUCH_EQUIV_STR_MAX. Timestamps in the four shapes (__DATE__, __TIME__, ISO 8601,
 * date(1)) and build-directory differences must be benign. The expected classes follow from
 * the rules in spans.c's design comment, not from running the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "equiv/equiv_int.h"

/* Two strings of the same length embedded as NUL-terminated strings in a small "section";
 * classify every differing run; return the classes seen (bit mask). */
static uint32_t
classify(const char *sa, const char *sb)
{
	static vouch_equiv_spanctx c;
	uint8_t a[256], b[256];
	size_t la = strlen(sa), n = la + 6;
	uint32_t m = 0;

	assert_int_equal(la, strlen(sb));
	assert_true(n <= sizeof(a));
	/* "\0ab\0" + string + "\0\0": a neighbouring string and the terminator */
	memcpy(a, "\0ab\0", 4);
	memcpy(b, "\0ab\0", 4);
	memcpy(a + 4, sa, la);
	memcpy(b + 4, sb, la);
	a[4 + la] = b[4 + la] = 0;
	a[5 + la] = b[5 + la] = 0;
	vouch_equiv_span_reset(&c);
	for (size_t i = 0; i < n;) {
		if (a[i] == b[i]) {
			i++;
			continue;
		}
		size_t e = i;
		while (e < n && a[e] != b[e]) {
			e++;
		}
		m |= 1u << vouch_equiv_span_class(&c, a, b, n, i, e - i);
		i = e;
	}
	return m;
}

#define PATH (1u << VOUCH_EQUIV_PATH)
#define TS (1u << VOUCH_EQUIV_TIMESTAMP)
#define DATA (1u << VOUCH_EQUIV_DATA)

static void
test_paths(void **st)
{
	(void)st;
	/* the build directory differs: benign */
	assert_int_equal(classify("/home/ci/build-a/src/main.c", "/home/ci/build-b/src/main.c"),
			 PATH);
	assert_int_equal(classify("../build-1/x.c", "../build-2/x.c"), PATH);
	assert_int_equal(classify("assertion failed at /tmp/aaa/u.c:12",
				  "assertion failed at /tmp/bbb/u.c:12"),
			 PATH);
	/* the file itself differs: data */
	assert_int_equal(classify("/usr/share/app/data1.bin", "/usr/share/app/data2.bin"), DATA);
	/* one component: a command or URL path, not a build path */
	assert_int_equal(classify("GET /admin HTTP/1.0", "GET /bckdr HTTP/1.0"), DATA);
	/* URLs split at ':' give "//host/...": data */
	assert_int_equal(classify("http://10.0.0.1/x/y", "http://10.6.6.6/x/y"), DATA);
	/* not a path at all */
	assert_int_equal(classify("password=hunter2", "password=hunter3"), DATA);
	assert_int_equal(classify("listening on port 8080", "listening on port 8081"), DATA);
}

static void
test_timestamps(void **st)
{
	(void)st;
	assert_int_equal(classify("built Nov 14 2023 22:13:20", "built Mar  9 2024 16:00:00"), TS);
	assert_int_equal(classify("Jan  1 1970", "Dec 31 2037"), TS);
	assert_int_equal(classify("v1 (2023-11-14T22:13:20Z)", "v1 (2024-03-09T16:00:00Z)"), TS);
	assert_int_equal(classify("2023-11-14 22:13:20+01:00", "2024-03-09 16:00:00-05:00"), TS);
	assert_int_equal(classify("Tue Nov 14 22:13:20 UTC 2023", "Sat Mar  9 16:00:00 CET 2024"),
			 TS);
	/* digits near a date that are not part of it: data */
	assert_int_equal(classify("Nov 14 2023 build 17", "Nov 14 2023 build 18"), DATA);
	/* a month name alone, a malformed clock: data */
	assert_int_equal(classify("Nov", "Mar"), DATA);
	assert_int_equal(classify("22:13", "16:00"), DATA);
	/* a path and a date in one string */
	assert_int_equal(classify("/b/x-1/a.c Nov 14 2023", "/b/x-2/a.c Mar 09 2024"), PATH | TS);
	assert_int_equal(vouch_equiv_timestamp_len((const uint8_t *)"Jan  9 2024!", 12), 11);
	assert_int_equal(vouch_equiv_timestamp_len((const uint8_t *)"10:32:01", 8), 8);
	assert_int_equal(vouch_equiv_timestamp_len((const uint8_t *)"10:32:0", 7), 0);
	assert_int_equal(vouch_equiv_timestamp_len((const uint8_t *)"Foo  9 2024", 11), 0);
}

static void
test_not_strings(void **st)
{
	static vouch_equiv_spanctx c;
	uint8_t a[64] = "\0/x/aa/b.c\0", b[64] = "\0/x/bb/b.c\0";
	(void)st;

	/* inside a string: benign; the same run with a non-printable byte after: data */
	vouch_equiv_span_reset(&c);
	assert_int_equal(vouch_equiv_span_class(&c, a, b, 64, 4, 2), VOUCH_EQUIV_PATH);
	a[10] = b[10] = 0x01;
	vouch_equiv_span_reset(&c);
	assert_int_equal(vouch_equiv_span_class(&c, a, b, 64, 4, 2), VOUCH_EQUIV_DATA);
	/* a run holding a NUL on one side: data */
	memcpy(a, "\0/x/a\0/b.c\0", 11);
	memcpy(b, "\0/x/bb/b.c\0", 11);
	vouch_equiv_span_reset(&c);
	assert_int_equal(vouch_equiv_span_class(&c, a, b, 64, 4, 2), VOUCH_EQUIV_DATA);
	/* out of range runs: data, no read past n */
	assert_int_equal(vouch_equiv_span_class(&c, a, b, 8, 6, 4), VOUCH_EQUIV_DATA);
	assert_int_equal(vouch_equiv_span_class(&c, a, b, 8, 2, 0), VOUCH_EQUIV_DATA);
}

static void
test_long_string(void **st)
{
	static vouch_equiv_spanctx c;
	size_t n = VOUCH_EQUIV_STR_MAX + 64;
	uint8_t *a = malloc(n), *b = malloc(n);
	(void)st;

	assert_non_null(a);
	assert_non_null(b);
	/* "/x/.../aaaa/f" longer than the bound, ending in a NUL: data */
	memset(a, 'd', n);
	a[0] = 0;
	a[1] = '/';
	a[n - 3] = '/';
	a[n - 2] = 'f';
	a[n - 1] = 0;
	memcpy(b, a, n);
	b[40] = 'e';
	vouch_equiv_span_reset(&c);
	assert_int_equal(vouch_equiv_span_class(&c, a, b, n, 40, 1), VOUCH_EQUIV_DATA);
	free(a);
	free(b);
}

/* compare.c on non-ELF bytes: first difference, count, gzip MTIME. */
static void
test_raw(void **st)
{
	vouch_arena *a = NULL;
	vouch_equiv_file f;
	uint8_t x[32], y[40];
	(void)st;

	assert_int_equal(vouch_arena_new(&a, 1 << 20), VOUCH_OK);
	memset(x, 'x', sizeof(x));
	memset(y, 'x', sizeof(y));
	y[5] = 'y';
	y[6] = 'y';
	memset(&f, 0, sizeof(f));
	assert_int_equal(vouch_equiv_compare_bytes(a, 8, x, sizeof(x), y, sizeof(y), &f), VOUCH_OK);
	assert_int_equal(f.verdict, VOUCH_EQUIV_DIFFERENT);
	assert_int_equal(f.first_diff, 5);
	assert_int_equal(f.diff_bytes, 2 + 8);
	assert_int_equal(f.classes, DATA);
	/* two gzip members differing in MTIME only (RFC 1952 header) */
	static const uint8_t g1[20] = {0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 2, 3, 'a', 'b'};
	uint8_t g2[20];
	memcpy(g2, g1, sizeof(g2));
	g2[5] = 9;
	memset(&f, 0, sizeof(f));
	assert_int_equal(vouch_equiv_compare_bytes(a, 8, g1, 20, g2, 20, &f), VOUCH_OK);
	assert_int_equal(f.verdict, VOUCH_EQUIV_EQUIVALENT);
	assert_int_equal(f.classes, TS);
	/* ... and in a byte after the header: data */
	g2[12] = 'z';
	memset(&f, 0, sizeof(f));
	assert_int_equal(vouch_equiv_compare_bytes(a, 8, g1, 20, g2, 20, &f), VOUCH_OK);
	assert_int_equal(f.verdict, VOUCH_EQUIV_DIFFERENT);
	vouch_arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_not_strings),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_raw),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
