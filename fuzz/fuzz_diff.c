/*
 * fuzz/fuzz_diff.c: libFuzzer harness for the release diff (lab/diff.c, vouch_report_diff).
 *
 * An input is two report texts: its first two bytes (little endian) say where A ends in the
 * rest (modulo its length), A is before that point and B after, neither NUL-terminated. Each
 * input (at most 1 MiB) checks:
 *   - diff(A, B): any result; when it succeeds, the output parses as JSON with a summary;
 *   - diff(B, A) succeeds exactly when diff(A, B) does, and then files added and removed,
 *     and indicators added and removed, swap, and the same number of files changed;
 *   - diff(A, A) and diff(B, B), when they succeed, say "identical" with no regression.
 * Properties are asserted with abort() so that libFuzzer reports them. The seeds
 * (fuzz/corpus/diff, see corpus/README.md) are small reports in this framing.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/diff.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *
run(const char *a, size_t alen, const char *b, size_t blen)
{
	char *out = NULL, why[128];
	json_t *d;
	int rc = vouch_report_diff(a, alen, b, blen, &out, why, sizeof(why));

	if (rc != VOUCH_OK) {
		if (out != NULL || rc > 0) {
			abort(); /* failure leaves no output and is a negative code */
		}
		return NULL;
	}
	d = json_loads(out, 0, NULL);
	free(out);
	if (d == NULL) {
		abort(); /* our output is JSON; only memory could fail here */
	}
	if (!json_is_object(json_object_get(d, "summary"))) {
		abort();
	}
	return d;
}

static json_int_t
count(json_t *d, const char *a, const char *b)
{
	return json_integer_value(json_object_get(json_object_get(d, a), b));
}

static void
self_identical(const char *p, size_t n)
{
	json_t *d = run(p, n, p, n);
	if (d == NULL) {
		return;
	}
	if (!json_is_true(json_object_get(json_object_get(d, "summary"), "identical")) ||
	    count(d, "summary", "regressions") != 0) {
		abort();
	}
	json_decref(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > FUZZ_MAX_INPUT) {
		return 0;
	}
	size_t n = size - 2, k = n ? (size_t)(data[0] | (data[1] << 8)) % (n + 1) : 0;
	const char *a = (const char *)data + 2, *b = a + k;
	size_t alen = k, blen = n - k;
	json_t *ab = run(a, alen, b, blen), *ba = run(b, blen, a, alen);

	if ((ab == NULL) != (ba == NULL)) {
		abort();
	}
	if (ab != NULL) {
		if (count(ab, "summary", "files_added") != count(ba, "summary", "files_removed") ||
		    count(ab, "summary", "files_removed") != count(ba, "summary", "files_added") ||
		    count(ab, "summary", "files_changed") != count(ba, "summary", "files_changed") ||
		    count(ab, "summary", "indicators_added") !=
			    count(ba, "summary", "indicators_removed") ||
		    count(ab, "summary", "indicators_removed") !=
			    count(ba, "summary", "indicators_added")) {
			abort();
		}
		self_identical(a, alen);
		self_identical(b, blen);
	}
	json_decref(ab);
	json_decref(ba);
	return 0;
}
