/*
 * fuzz/fuzz_equiv.c: libFuzzer harness for the byte comparison of `vouch equiv`
 * (equiv/compare.c: ELF files cut into parts and paired by name, header fields, note
 * walking, module-signature trailers; equiv/spans.c: the string-span classifier).
 *
 * Input: a 4-byte little-endian split point (taken modulo the rest's length), then two
 * files back to back: the "delivered" and the "rebuilt" bytes. Each input (at most 1 MiB) is
 * compared both ways and each side with itself. Properties asserted with abort(), so that
 * libFuzzer reports a broken one as a crash:
 *   - the answer is VOUCH_OK (never NOMEM or INTERNAL at this size);
 *   - identical exactly when the bytes are equal; equivalent exactly when every class seen
 *     is benign; a side compared with itself is identical;
 *   - every part lies inside its file, kept ranges are at most max_ranges and at most
 *     ranges_total, every range's class is among its part's classes, and every part's
 *     classes are among the file's.
 * Rejected: comparing with diffoscope here (the differential check on real builds is
 * tests/e2e/test_equiv.sh).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "equiv/equiv_int.h"

#define FUZZ_MAX_INPUT (1u << 20)
#define FUZZ_RANGES 4u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	vouch_arena *ar = NULL;
	vouch_equiv_file f;
	bool same = na == nb && (na == 0 || memcmp(a, b, na) == 0);

	if (vouch_arena_new(&ar, 256u << 20) != VOUCH_OK) {
		abort();
	}
	memset(&f, 0, sizeof(f));
	if (vouch_equiv_compare_bytes(ar, FUZZ_RANGES, a, na, b, nb, &f) != VOUCH_OK) {
		abort();
	}
	if ((f.verdict == VOUCH_EQUIV_IDENTICAL) != same) {
		abort();
	}
	if (!same) {
		bool benign = f.classes != 0 && (f.classes & ~VOUCH_EQUIV_BENIGN) == 0;
		if ((f.verdict == VOUCH_EQUIV_EQUIVALENT) != benign ||
		    (f.verdict != VOUCH_EQUIV_EQUIVALENT && f.verdict != VOUCH_EQUIV_DIFFERENT)) {
			abort();
		}
	}
	for (size_t i = 0; i < f.nparts; i++) {
		const vouch_equiv_part *p = &f.parts[i];
		if (p->name == NULL || (p->classes & ~f.classes) != 0 ||
		    !vouch_range_ok(p->offset_d, p->size_d, na) ||
		    !vouch_range_ok(p->offset_r, p->size_r, nb) || p->nranges > FUZZ_RANGES ||
		    p->nranges > p->ranges_total) {
			abort();
		}
		for (size_t k = 0; k < p->nranges; k++) {
			if (!(p->classes & (1u << p->ranges[k].cls)) || p->ranges[k].length == 0) {
				abort();
			}
		}
	}
	vouch_arena_free(ar);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t split;
	size_t n;

	if (size < 4 || size > FUZZ_MAX_INPUT) {
		return 0;
	}
	split = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
		(uint32_t)data[3] << 24;
	n = size - 4;
	split = n > 0 ? (uint32_t)(split % (n + 1)) : 0;
	const uint8_t *a = data + 4, *b = data + 4 + split;
	size_t na = split, nb = n - split;
	check(a, na, b, nb);
	check(b, nb, a, na);
	check(a, na, a, na);
	return 0;
}
