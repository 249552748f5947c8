/*
 * tests/unit/analyzer_stub.h: a stand-in for the analysis driver, for analyser unit tests.
 *
 * The real driver (analyze/driver.c) and the findings collection (analyze/common.c) are
 * written in another branch; this stub implements the same contracts (analyze/analyzer.h,
 * vouch/findings.h) just far enough to run one analyser over in-memory files: it compiles
 * the analyser's own patterns with vectorscan exactly as the driver will (block mode,
 * HS_FLAG_SOM_LEFTMOST added), scans a whole file, builds the hits with their context, and
 * calls the analyser's file(). Linked only into the analyser tests.
 */
#ifndef VOUCH_TESTS_ANALYZER_STUB_H
#define VOUCH_TESTS_ANALYZER_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/analyzer.h"
#include "vouch/findings.h"

typedef struct stub_run {
	const vouch_analyzer *a;
	void *state;
	vouch_actx ctx;
	vouch_analysis_opts opts;
	vouch_findings *fs;
	void *db;      /* hs_database_t */
	void *scratch; /* hs_scratch_t */
	size_t last_nhits; /* hits given for the last file */
} stub_run;

/* Compile the patterns and init the analyser. Returns 0 or -1. */
int stub_open(stub_run *r, const vouch_analyzer *a, const char *key_registry);
/*
 * One regular file: scan `data`, build hits, call file() with the content when `hold` (else
 * with hits only, as the driver does for files larger than max_buffer). `container` is set
 * as the file's container format (NULL: not a container).
 */
void stub_file(stub_run *r, const char *path, const uint8_t *data, size_t len, bool hold,
	       const char *container);
/* finish() with a report naming `root` as the image (depth 0) with sha256 `digest`, plus
 * optional regions. */
void stub_finish(stub_run *r, const char *root, const uint8_t digest[32],
		 const vouch_region *regions, size_t nregions);
void stub_close(stub_run *r);

/* Findings with this id (and, when path is non-NULL, that path). */
size_t stub_count(stub_run *r, const char *id, const char *path);
/* The first finding with this id, or NULL. */
const vouch_finding *stub_get(stub_run *r, const char *id, size_t nth);

#endif
