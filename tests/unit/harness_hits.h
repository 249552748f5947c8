/*
 * tests/unit/harness_hits.h: runs one pattern-driven analyser (keys) over in-memory files
 * the way the analysis driver does: its own patterns compiled with vectorscan (block mode,
 * HS_FLAG_SOM_LEFTMOST added), each file scanned whole, hits built with their context, then
 * the analyser's file() and finish(); findings in the library's real collection. Linked only
 * into the analyser tests.
 */
#ifndef VOUCH_TESTS_HARNESS_HITS_H
#define VOUCH_TESTS_HARNESS_HITS_H

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
