/*
 * tests/unit/analyzer_stub.h: a minimal stand-in for the analysis driver, for the unit tests
 * of single analysers (test_accounts.c, test_services.c) while the real driver
 * (analyze/driver.c) and helpers (analyze/common.c) live on another branch.
 *
 * It calls an analyser's init / wants / file / finish / free directly with in-memory files,
 * as the driver would (file content held when wanted; no pattern hits), and collects findings
 * in a simple thread-safe list. analyzer_stub.c also defines the helpers the analysers call
 * (vouch_afind, vouch_mask, vouch_findings_*): delete it when common.c and findings.c land.
 */
#ifndef VOUCH_TEST_ANALYZER_STUB_H
#define VOUCH_TEST_ANALYZER_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"

/* One in-memory file handed to an analyser. */
typedef struct stub_file {
	const char *path;
	const void *data;
	size_t len;
	uint32_t mode, uid; /* has_mode is set when mode != 0 */
} stub_file;

/* Run `an` over files[0..n) in order (init, wants+file per file, finish, free). Findings go
 * to fs. Returns the init result. */
int stub_run(const vouch_analyzer *an, const vouch_analysis_opts *opts, const stub_file *files,
	     size_t n, vouch_findings *fs);

/* The number of findings with this id (and, if non-NULL, this path suffix and offset). */
size_t stub_count(vouch_findings *fs, const char *id, const char *path_suffix, uint64_t offset);
/* The first finding with this id and path suffix, or NULL. */
const vouch_finding *stub_find(vouch_findings *fs, const char *id, const char *path_suffix);
/* Print every finding to stdout (for the test log). */
void stub_print(vouch_findings *fs);

/* Read a whole file (at most max bytes) into a malloc'd buffer; NULL on failure. */
void *stub_slurp(const char *path, size_t max, size_t *len);

#endif
