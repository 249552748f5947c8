/*
 * tests/unit/test_base.c: the foundation: byte cursor, checked arithmetic, arena budget,
 * limits table, escaping of firmware strings, entropy.
 *
 * Every cursor getter is tried at each boundary (exactly enough bytes, one byte short, an
 * empty cursor, a cursor already at its end) and a short read must leave the position where
 * it was. The arena must refuse, never over-allocate: the sum of what it handed out never
 * exceeds its budget. Escaping is compared with hand-written expectations derived from the
 * UTF-8 definition (RFC 3629: overlong forms, surrogates and code points past U+10FFFF are
 * invalid), and truncation must behave like snprintf. Entropy is checked at its two ends,
 * computed independently: a constant buffer has 0 bits per byte, a ramp of 256 distinct
 * bytes exactly 8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/base.h"
#include "vouch/vouch.h"

/* ---- cursor ----------------------------------------------------------------------------- */

static const uint8_t bytes8[8] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};

static void
test_rd_exact_and_short(void **state)
{
	(void)state;
	/* for each width: with exactly w bytes it succeeds; with w-1 it fails and stays put */
	for (size_t w = 1; w <= 8; w *= 2) {
		for (size_t have = 0; have <= 8; have++) {
			vouch_rd r;
			vouch_rd_init(&r, bytes8, have);
			uint8_t v8 = 0xAA;
			uint16_t v16 = 0xAAAA;
			uint32_t v32 = 0xAAAAAAAA;
			uint64_t v64 = 0xAAAAAAAAAAAAAAAAULL;
			int rc;
			switch (w) {
			case 1: rc = vouch_rd_u8(&r, &v8); break;
			case 2: rc = vouch_rd_u16le(&r, &v16); break;
			case 4: rc = vouch_rd_u32le(&r, &v32); break;
			default: rc = vouch_rd_u64le(&r, &v64); break;
			}
			if (have >= w) {
				assert_int_equal(rc, VOUCH_OK);
				assert_int_equal(r.pos, w);
			} else {
				assert_int_equal(rc, VOUCH_E_MALFORMED);
				assert_int_equal(r.pos, 0);
				/* the out-parameter is untouched on failure */
				assert_int_equal(v8, 0xAA);
				assert_int_equal(v16, 0xAAAA);
				assert_int_equal(v32, 0xAAAAAAAA);
				assert_true(v64 == 0xAAAAAAAAAAAAAAAAULL);
			}
		}
	}
}

static void
test_rd_values_and_endianness(void **state)
{
	vouch_rd r;
	uint16_t a, b;
	uint32_t c, d;
	uint64_t e, f;

	(void)state;
	vouch_rd_init(&r, bytes8, 8);
	assert_int_equal(vouch_rd_u16le(&r, &a), VOUCH_OK);
	assert_int_equal(vouch_rd_u16be(&r, &b), VOUCH_OK);
	assert_int_equal(a, 0x0201);
	assert_int_equal(b, 0x0304);
	assert_int_equal(vouch_rd_seek(&r, 0), VOUCH_OK);
	assert_int_equal(vouch_rd_u32le(&r, &c), VOUCH_OK);
	assert_int_equal(vouch_rd_u32be(&r, &d), VOUCH_OK);
	assert_int_equal(c, 0x04030201u);
	assert_int_equal(d, 0x05060708u);
	assert_int_equal(vouch_rd_left(&r), 0);
	assert_int_equal(vouch_rd_seek(&r, 0), VOUCH_OK);
	assert_int_equal(vouch_rd_u64le(&r, &e), VOUCH_OK);
	assert_int_equal(vouch_rd_seek(&r, 0), VOUCH_OK);
	assert_int_equal(vouch_rd_u64be(&r, &f), VOUCH_OK);
	assert_true(e == 0x0807060504030201ULL);
	assert_true(f == 0x0102030405060708ULL);
}

static void
test_rd_at_end(void **state)
{
	vouch_rd r;
	uint8_t v;
	uint32_t v32;
	const uint8_t *p = NULL;
	uint8_t buf[4];
	vouch_rd sub;

	(void)state;
	vouch_rd_init(&r, bytes8, 8);
	assert_int_equal(vouch_rd_skip(&r, 7), VOUCH_OK);
	assert_int_equal(vouch_rd_u32be(&r, &v32), VOUCH_E_MALFORMED);
	assert_int_equal(r.pos, 7);
	assert_int_equal(vouch_rd_u8(&r, &v), VOUCH_OK);
	assert_int_equal(v, 0x08);
	/* at the end: every getter fails, nothing moves */
	assert_int_equal(vouch_rd_u8(&r, &v), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_rd_bytes(&r, buf, 1), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_rd_view(&r, 1, &p), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_rd_sub(&r, 1, &sub), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_rd_skip(&r, 1), VOUCH_E_MALFORMED);
	assert_int_equal(r.pos, 8);
	/* zero-length reads at the end are fine */
	assert_int_equal(vouch_rd_bytes(&r, buf, 0), VOUCH_OK);
	assert_int_equal(vouch_rd_skip(&r, 0), VOUCH_OK);
	assert_int_equal(r.pos, 8);
}

static void
test_rd_empty_cursor(void **state)
{
	vouch_rd r;
	uint8_t v;
	uint16_t v16;

	(void)state;
	vouch_rd_init(&r, NULL, 0);
	assert_int_equal(vouch_rd_left(&r), 0);
	assert_int_equal(vouch_rd_u8(&r, &v), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_rd_u16be(&r, &v16), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_rd_seek(&r, 0), VOUCH_OK);
	assert_int_equal(vouch_rd_seek(&r, 1), VOUCH_E_MALFORMED);
	assert_int_equal(r.pos, 0);
}

static void
test_rd_seek_skip_huge(void **state)
{
	vouch_rd r;

	(void)state;
	vouch_rd_init(&r, bytes8, 8);
	assert_int_equal(vouch_rd_skip(&r, 3), VOUCH_OK);
	/* sizes that would wrap a size_t must not */
	assert_int_equal(vouch_rd_skip(&r, UINT64_MAX), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_rd_skip(&r, (uint64_t)SIZE_MAX - 1), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_rd_seek(&r, UINT64_MAX), VOUCH_E_MALFORMED);
	assert_int_equal(vouch_rd_seek(&r, 9), VOUCH_E_MALFORMED);
	assert_int_equal(r.pos, 3);
	assert_int_equal(vouch_rd_seek(&r, 8), VOUCH_OK);
	assert_int_equal(vouch_rd_left(&r), 0);
}

static void
test_rd_sub_and_view(void **state)
{
	vouch_rd r, sub;
	const uint8_t *p = NULL;
	uint32_t v;
	uint8_t buf[8];

	(void)state;
	vouch_rd_init(&r, bytes8, 8);
	assert_int_equal(vouch_rd_sub(&r, 9, &sub), VOUCH_E_MALFORMED);
	assert_int_equal(r.pos, 0);
	assert_int_equal(vouch_rd_sub(&r, 3, &sub), VOUCH_OK);
	assert_int_equal(r.pos, 3);
	/* the sub-cursor cannot read past its own end into the parent's bytes */
	assert_int_equal(vouch_rd_u32le(&sub, &v), VOUCH_E_MALFORMED);
	assert_int_equal(sub.pos, 0);
	assert_int_equal(vouch_rd_view(&sub, 3, &p), VOUCH_OK);
	assert_ptr_equal(p, bytes8);
	assert_int_equal(vouch_rd_bytes(&r, buf, 6), VOUCH_E_MALFORMED);
	assert_int_equal(r.pos, 3);
	assert_int_equal(vouch_rd_bytes(&r, buf, 5), VOUCH_OK);
	assert_memory_equal(buf, bytes8 + 3, 5);
	assert_int_equal(vouch_rd_view(&r, SIZE_MAX, &p), VOUCH_E_MALFORMED);
}

/* ---- checked arithmetic ----------------------------------------------------------------- */

static void
test_checked_arith(void **state)
{
	uint64_t r = 0;

	(void)state;
	assert_true(vouch_add_u64(1, 2, &r));
	assert_true(r == 3);
	assert_true(vouch_add_u64(UINT64_MAX - 1, 1, &r));
	assert_true(r == UINT64_MAX);
	assert_false(vouch_add_u64(UINT64_MAX, 1, &r));
	assert_false(vouch_add_u64(UINT64_MAX / 2 + 1, UINT64_MAX / 2 + 1, &r));
	assert_true(vouch_mul_u64(0, UINT64_MAX, &r));
	assert_true(r == 0);
	assert_true(vouch_mul_u64(1ULL << 31, 1ULL << 32, &r));
	assert_true(r == 1ULL << 63);
	assert_false(vouch_mul_u64(1ULL << 32, 1ULL << 32, &r));
	assert_false(vouch_mul_u64(UINT64_MAX, 2, &r));

	assert_true(vouch_range_ok(0, 0, 0));
	assert_true(vouch_range_ok(0, 10, 10));
	assert_true(vouch_range_ok(10, 0, 10));
	assert_false(vouch_range_ok(10, 1, 10));
	assert_false(vouch_range_ok(11, 0, 10));
	assert_false(vouch_range_ok(1, 10, 10));
	assert_false(vouch_range_ok(UINT64_MAX, 1, UINT64_MAX));
	assert_false(vouch_range_ok(1, UINT64_MAX, UINT64_MAX));
	assert_true(vouch_range_ok(UINT64_MAX - 1, 1, UINT64_MAX));
}

/* ---- arena ------------------------------------------------------------------------------ */

static void
test_arena_budget(void **state)
{
	vouch_arena *a = NULL;
	uint64_t handed = 0;

	(void)state;
	assert_int_equal(vouch_arena_new(&a, 4096), VOUCH_OK);
	/* fill it with odd sizes until it refuses */
	for (size_t i = 0; i < 1000; i++) {
		size_t n = 1 + (i * 37) % 200;
		uint8_t *p = vouch_arena_alloc(a, n);
		if (p == NULL) {
			break;
		}
		for (size_t k = 0; k < n; k++) {
			assert_int_equal(p[k], 0); /* zeroed */
		}
		memset(p, 0xA5, n);
		assert_int_equal((uintptr_t)p % 16, 0);
		handed += n;
	}
	assert_true(handed <= 4096);
	assert_true(vouch_arena_used(a) <= 4096);
	/* once exhausted, even a byte is refused, and the accounting does not move */
	uint64_t used = vouch_arena_used(a);
	assert_null(vouch_arena_alloc(a, 4096));
	assert_int_equal(vouch_arena_used(a), used);
	vouch_arena_free(a);

	/* sizes that overflow the rounding, or the budget, are refused */
	assert_int_equal(vouch_arena_new(&a, 1 << 20), VOUCH_OK);
	assert_null(vouch_arena_alloc(a, SIZE_MAX));
	assert_null(vouch_arena_alloc(a, SIZE_MAX - 8));
	assert_null(vouch_arena_alloc(a, (1 << 20) + 1));
	assert_int_equal(vouch_arena_used(a), 0);
	assert_null(vouch_arena_strndup(a, "x", SIZE_MAX));
	/* exactly the budget is fine */
	assert_non_null(vouch_arena_alloc(a, 1 << 20));
	assert_null(vouch_arena_alloc(a, 1));
	vouch_arena_free(a);
	vouch_arena_free(NULL);
}

/* A request near SIZE_MAX once something is already allocated: used + need must not wrap
 * past the budget check (it would then malloc a wrapped, tiny size and zero a huge one). */
static void
test_arena_budget_wrap(void **state)
{
	vouch_arena *a = NULL;

	(void)state;
	assert_int_equal(vouch_arena_new(&a, 1 << 20), VOUCH_OK);
	assert_non_null(vouch_arena_alloc(a, 16));
	assert_null(vouch_arena_alloc(a, SIZE_MAX - 30));
	assert_null(vouch_arena_alloc(a, SIZE_MAX - 16 - 15));
	assert_int_equal(vouch_arena_used(a), 16);
	vouch_arena_free(a);
}

/* The walkers' map: key 0 and large keys allowed, growth keeps every entry, overwrite. */
static void
test_map(void **state)
{
	vouch_map m;
	bool found = true;
	static const char *const vals[] = {"a", "b", "c"};

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_null(vouch_map_get(&m, 7, &found));
	assert_false(found);
	for (uint64_t k = 0; k < 1000; k++) {
		assert_int_equal(vouch_map_put(&m, k * 0x100000001ULL, vals[k % 3]), VOUCH_OK);
	}
	assert_int_equal(vouch_map_put(&m, UINT64_MAX - 1, "top"), VOUCH_OK);
	assert_int_equal(m.n, 1001);
	for (uint64_t k = 0; k < 1000; k++) {
		assert_string_equal(vouch_map_get(&m, k * 0x100000001ULL, &found), vals[k % 3]);
		assert_true(found);
	}
	assert_string_equal(vouch_map_get(&m, UINT64_MAX - 1, NULL), "top");
	assert_null(vouch_map_get(&m, 5, &found));
	assert_false(found);
	assert_int_equal(vouch_map_put(&m, 0, "zero"), VOUCH_OK);
	assert_string_equal(vouch_map_get(&m, 0, NULL), "zero");
	assert_int_equal(m.n, 1001);
	vouch_map_free(&m);
	assert_int_equal(m.cap, 0);
}

static void
test_arena_helpers(void **state)
{
	vouch_arena *a = NULL;
	char *s;

	(void)state;
	assert_int_equal(vouch_arena_new(&a, 1 << 16), VOUCH_OK);
	s = vouch_arena_strndup(a, "abcdef", 3);
	assert_string_equal(s, "abc");
	s = vouch_arena_printf(a, "%s-%d", "x", 42);
	assert_string_equal(s, "x-42");
	s = vouch_arena_memdup(a, "\0\1\2", 3);
	assert_memory_equal(s, "\0\1\2", 3);
	/* a printf that does not fit the budget is refused */
	char big[1024];
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 100 && s != NULL; i++) {
		s = vouch_arena_printf(a, "%s", big);
	}
	assert_null(s);
	assert_true(vouch_arena_used(a) <= 1 << 16);
	vouch_arena_free(a);
}

/* ---- limits ----------------------------------------------------------------------------- */

static void
test_limits(void **state)
{
	vouch_limits l;
	const char *name, *why;
	uint64_t def, max;
	unsigned n = 0;

	(void)state;
	vouch_limits_default(&l);
	for (unsigned i = 0; vouch_limits_describe(i, &name, &def, &max, &why) == 0; i++) {
		n++;
		assert_non_null(name);
		assert_non_null(why);
		assert_true(strlen(why) > 10); /* every limit says why it exists */
		assert_true(def > 0 && def <= max);
		assert_int_equal(vouch_limits_set(&l, name, def), VOUCH_OK);
		assert_int_equal(vouch_limits_set(&l, name, max), VOUCH_OK);
		assert_int_equal(vouch_limits_set(&l, name, 0), VOUCH_E_LIMIT);
		assert_int_equal(vouch_limits_set(&l, name, max + 1), VOUCH_E_LIMIT);
		assert_int_equal(vouch_limits_set(&l, name, UINT64_MAX), VOUCH_E_LIMIT);
		assert_int_equal(vouch_limits_set(&l, name, 1), VOUCH_OK);
	}
	assert_true(n >= 10); /* the ten of vouch/limits.h, and any added since */
	assert_int_equal(vouch_limits_describe(n, &name, &def, &max, &why), -1);
	assert_int_equal(vouch_limits_describe(UINT32_MAX, &name, &def, &max, &why), -1);

	/* a rejected value leaves the field alone */
	vouch_limits_default(&l);
	uint64_t depth0 = l.max_depth;
	assert_int_equal(vouch_limits_set(&l, "max_depth", 0), VOUCH_E_LIMIT);
	assert_int_equal(vouch_limits_set(&l, "max_depth", 257), VOUCH_E_LIMIT);
	assert_true(l.max_depth == depth0);
	assert_int_equal(vouch_limits_set(&l, "max_depth", 256), VOUCH_OK);
	assert_true(l.max_depth == 256);
	assert_int_equal(vouch_limits_set(&l, "max_files", 7), VOUCH_OK);
	assert_true(l.max_files == 7);
	assert_true(l.max_depth == 256); /* the neighbour did not move */

	/* unknown names, and near misses */
	assert_int_equal(vouch_limits_set(&l, "max_dept", 1), VOUCH_E_NOTFOUND);
	assert_int_equal(vouch_limits_set(&l, "max_depth ", 1), VOUCH_E_NOTFOUND);
	assert_int_equal(vouch_limits_set(&l, "MAX_DEPTH", 1), VOUCH_E_NOTFOUND);
	assert_int_equal(vouch_limits_set(&l, "", 1), VOUCH_E_NOTFOUND);
}

/* ---- escaping --------------------------------------------------------------------------- */

static void
expect_escape(const char *in, size_t n, const char *want)
{
	char out[256];
	size_t need = vouch_escape(out, sizeof(out), in, n);

	assert_string_equal(out, want);
	assert_int_equal(need, strlen(want));
}

static void
test_escape(void **state)
{
	(void)state;
	expect_escape("plain text/ok", 13, "plain text/ok");
	expect_escape("", 0, "");
	expect_escape("a\nb\tc\r", 6, "a\\x0ab\\x09c\\x0d");
	expect_escape("\x1b[31mred", 8, "\\x1b[31mred");
	expect_escape("\x7f", 1, "\\x7f");
	expect_escape("back\\slash", 10, "back\\x5cslash");
	expect_escape("nul\0x", 5, "nul\\x00x");
	/* valid UTF-8 passes: é (2 bytes), € (3), 😀 (4), U+10FFFF */
	expect_escape("\xc3\xa9", 2, "\xc3\xa9");
	expect_escape("\xe2\x82\xac", 3, "\xe2\x82\xac");
	expect_escape("\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80");
	expect_escape("\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf");
	/* invalid: lone bytes, truncated sequences, overlong forms, surrogates, > U+10FFFF */
	expect_escape("\xff\xfe", 2, "\\xff\\xfe");
	expect_escape("\xc3", 1, "\\xc3");
	expect_escape("\xe2\x82", 2, "\\xe2\\x82");
	expect_escape("\xc0\xaf", 2, "\\xc0\\xaf");         /* overlong '/' */
	expect_escape("\xc0\xae\xc0\xae", 4, "\\xc0\\xae\\xc0\\xae"); /* overlong ".." */
	expect_escape("\xe0\x80\xaf", 3, "\\xe0\\x80\\xaf");
	expect_escape("\xf0\x80\x80\xaf", 4, "\\xf0\\x80\\x80\\xaf");
	expect_escape("\xed\xa0\x80", 3, "\\xed\\xa0\\x80"); /* U+D800 */
	expect_escape("\xed\xbf\xbf", 3, "\\xed\\xbf\\xbf"); /* U+DFFF */
	expect_escape("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"); /* U+110000 */
	expect_escape("\xf8\x88\x80\x80\x80", 5, "\\xf8\\x88\\x80\\x80\\x80");
	expect_escape("\xc2\x9b", 2, "\\xc2\\x9b"); /* C1 CSI: a terminal escape */
	/* an invalid byte does not swallow the valid character after it */
	expect_escape("\xe2\x28\xa1", 3, "\\xe2(\\xa1");
}

static void
test_escape_truncation(void **state)
{
	char buf[8];
	size_t need;

	(void)state;
	/* like snprintf: returns the full length, writes at most cap-1 and a NUL */
	memset(buf, 'Z', sizeof(buf));
	need = vouch_escape(buf, 5, "abcdefgh", 8);
	assert_int_equal(need, 8);
	assert_string_equal(buf, "abcd");
	assert_int_equal(buf[5], 'Z'); /* nothing past cap */

	memset(buf, 'Z', sizeof(buf));
	need = vouch_escape(buf, 4, "\n\n", 2);
	assert_int_equal(need, 8);
	assert_int_equal(strlen(buf), 3);
	assert_int_equal(buf[4], 'Z');

	need = vouch_escape(buf, 1, "abc", 3);
	assert_int_equal(need, 3);
	assert_string_equal(buf, "");

	memset(buf, 'Z', sizeof(buf));
	need = vouch_escape(buf, 0, "abc", 3); /* cap 0: nothing written at all */
	assert_int_equal(need, 3);
	assert_int_equal(buf[0], 'Z');
	need = vouch_escape(NULL, 0, "\xff", 1);
	assert_int_equal(need, 4);

	/* exactly fitting */
	need = vouch_escape(buf, 4, "abc", 3);
	assert_int_equal(need, 3);
	assert_string_equal(buf, "abc");

	/* the full-length answer lets a caller retry with the right size */
	char big[64];
	need = vouch_escape(buf, sizeof(buf), "\x1b\x1b\x1b\x1b", 4);
	assert_true(need < sizeof(big));
	assert_int_equal(vouch_escape(big, need + 1, "\x1b\x1b\x1b\x1b", 4), need);
	assert_string_equal(big, "\\x1b\\x1b\\x1b\\x1b");
	assert_int_equal(vouch_escape_str(big, sizeof(big), "x\ny"), 6);
	assert_string_equal(big, "x\\x0ay");

	/* escaped text (a report's strings): backslashes kept, control bytes still escaped */
	assert_int_equal(vouch_escape_text_str(big, sizeof(big), "a\\x00b\x1b"), 10);
	assert_string_equal(big, "a\\x00b\\x1b");
	assert_int_equal(vouch_escape_str(big, sizeof(big), "a\\x00b"), 9);
	assert_string_equal(big, "a\\x5cx00b");
}

/* ---- entropy ---------------------------------------------------------------------------- */

static void
test_entropy(void **state)
{
	uint64_t h[256];

	(void)state;
	memset(h, 0, sizeof(h));
	assert_true(vouch_entropy(h, 0) == 0.0);
	h[0x41] = 1000;
	assert_true(vouch_entropy(h, 1000) == 0.0);
	for (int i = 0; i < 256; i++) {
		h[i] = 1; /* a ramp 00 01 .. ff */
	}
	assert_true(vouch_entropy(h, 256) > 8.0 - 1e-9 && vouch_entropy(h, 256) < 8.0 + 1e-9);
	for (int i = 0; i < 256; i++) {
		h[i] = 4096;
	}
	assert_true(vouch_entropy(h, 256 * 4096) > 8.0 - 1e-9);
	/* two equally likely symbols: one bit */
	memset(h, 0, sizeof(h));
	h[0] = 500;
	h[0xff] = 500;
	assert_true(vouch_entropy(h, 1000) > 1.0 - 1e-9 && vouch_entropy(h, 1000) < 1.0 + 1e-9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_exact_and_short),
		cmocka_unit_test(test_rd_values_and_endianness),
		cmocka_unit_test(test_rd_at_end),
		cmocka_unit_test(test_rd_empty_cursor),
		cmocka_unit_test(test_rd_seek_skip_huge),
		cmocka_unit_test(test_rd_sub_and_view),
		cmocka_unit_test(test_checked_arith),
		cmocka_unit_test(test_arena_budget),
		cmocka_unit_test(test_arena_helpers),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_escape_truncation),
		cmocka_unit_test(test_entropy),
		/* last: when it fails it corrupts the heap and ends the run */
		cmocka_unit_test(test_arena_budget_wrap),
		cmocka_unit_test(test_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
