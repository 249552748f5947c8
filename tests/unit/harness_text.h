/*
 * tests/unit/harness_text.h: runs a single text analyser (test_accounts.c, test_services.c)
 * over in-memory files as the driver would (content held when wanted; no pattern hits), with
 * the library's real findings collection and helpers.
 */
#ifndef VOUCH_TEST_HARNESS_TEXT_H
#define VOUCH_TEST_HARNESS_TEXT_H

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

/* Every regular file under root as stub_files named "tree/<path below root>" (symbolic
 * links not followed, at most 4096 files of at most 16 MiB); free with stub_free_tree. */
size_t stub_load_tree(const char *root, stub_file **out);
void stub_free_tree(stub_file *files, size_t n);
/* The first directory of the ':'-list $VOUCH_FIXTURES holding `sub`; NULL if none. */
const char *stub_fixture_dir(const char *sub, char *out, size_t cap);
/* Print each finding id with its count (for the test log). */
void stub_print_counts(vouch_findings *fs);

#endif
