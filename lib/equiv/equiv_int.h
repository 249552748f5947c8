/*
 * equiv/equiv_int.h: the parts of lib/equiv shared between its files and with the unit
 * tests and the fuzz harness (internal, not installed).
 *
 *   spans.c    which differing byte runs inside strings are benign (paths, timestamps);
 *   compare.c  two files' bytes compared: ELF part by part, others byte by byte;
 *   equiv.c    the driver: inputs, listing, pairing, batches, the summary.
 */
#ifndef VOUCH_EQUIV_INT_H
#define VOUCH_EQUIV_INT_H

#include "base/base.h"
#include "vouch/equiv.h"

/* Longest NUL-terminated string examined around a differing run: __FILE__ paths and
 * version banners are < 300 bytes; PATH_MAX is 4096. Longer printable stretches are data. */
#define VOUCH_EQUIV_STR_MAX 4096u
/* Equal bytes between two differing runs of the same class that still join them into one
 * reported range: a timestamp "10:32:01" vs "11:45:17" is one range, not three. */
#define VOUCH_EQUIV_MERGE_GAP 8u
/* Arena of one comparison's results (names, parts, ranges): parts are bounded by
 * VOUCH_ELFP_MAX_SHDRS per side and ranges by max_ranges per part. */
#define VOUCH_EQUIV_ARENA_BUDGET (2ULL << 30)

/*
 * What one side's bytes around a differing run say, cached between runs of the same
 * string: the NUL-bounded printable string [lo, hi) holding the last run, and per byte of it
 * whether it lies in a timestamp (bit 1) or in the directory part of a path (bit 2).
 */
typedef struct vouch_equiv_str {
	size_t lo, hi;
	bool valid;    /* lo/hi describe a string (else no cache) */
	bool ok;       /* it is a printable string (else the run is data) */
	uint8_t cov[VOUCH_EQUIV_STR_MAX];
} vouch_equiv_str;

typedef struct vouch_equiv_spanctx {
	vouch_equiv_str a, b;
} vouch_equiv_spanctx;

/* Forget the cached strings (a new pair of views). */
void vouch_equiv_span_reset(vouch_equiv_spanctx *c);

/*
 * Classify the differing run [off, off+len) of two views of the same length n (the common
 * part of one section on each side): VOUCH_EQUIV_TIMESTAMP when on both sides every byte of
 * the run lies in a timestamp string, VOUCH_EQUIV_PATH when every byte lies in a timestamp
 * or in the directory part of a file-system path, else VOUCH_EQUIV_DATA. The run must sit
 * inside one NUL-terminated printable string on each side (at most VOUCH_EQUIV_STR_MAX
 * bytes). Calls for increasing offsets over the same views reuse the cached strings.
 */
vouch_equiv_class vouch_equiv_span_class(vouch_equiv_spanctx *c, const uint8_t *a,
					 const uint8_t *b, size_t n, size_t off, size_t len);

/* Length of a timestamp starting at s[0] (of n bytes), 0 if none (exported for the tests). */
size_t vouch_equiv_timestamp_len(const uint8_t *s, size_t n);

/*
 * Compare two files' contents, known to differ (compare.c). Sets f->elf, classes,
 * first_diff, diff_bytes, note, parts and the verdict (EQUIVALENT or DIFFERENT); results are
 * allocated from `a`. ELF files are compared part by part when both parse; others byte by
 * byte. Returns VOUCH_OK, or VOUCH_E_NOMEM (f then says nothing useful).
 */
int vouch_equiv_compare_bytes(vouch_arena *a, uint32_t max_ranges, const uint8_t *pd, size_t nd,
			      const uint8_t *pr, size_t nr, vouch_equiv_file *f);

#endif
