/*
 * cli/cli.h: what the subcommands of the `vouch` command share.
 *
 * The command line uses libvouch's public API only. Results go to stdout, messages to
 * stderr, and every string that came from firmware is escaped before it is printed.
 */
#ifndef VOUCH_CLI_H
#define VOUCH_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vouch/error.h"
#include "vouch/limits.h"

/* Exit statuses, documented in vouch(1). */
enum {
	EXIT_OK = 0,
	EXIT_INTERNAL = 1,  /* a bug or an unexpected failure */
	EXIT_USAGE = 2,     /* wrong arguments */
	EXIT_INPUT = 3,     /* the input could not be read / output could not be written */
	EXIT_PARTIAL = 4,   /* malformed, truncated or corrupt data: partial result */
	EXIT_LIMIT = 5,     /* a safety limit stopped part of the work */
	EXIT_UNSAFE = 6,    /* unsafe content refused (path traversal, link escape) */
	EXIT_VERIFY = 7,    /* a verification answered "no" */
	EXIT_FINDINGS = 8,  /* vouch scan: a finding at or above --fail-on (default high) */
};

typedef struct cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	void (*help)(FILE *out);
} cli_cmd;

/* Map a libvouch error to an exit status. */
int cli_exit_for(int err);

/* Print an error message "vouch: ..." to stderr. */
void cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse "NAME=VALUE" (VALUE with optional K/M/G/T suffix) into limits. */
int cli_parse_limit(vouch_limits *l, const char *arg);
/* strtonum-like: a decimal unsigned number with an optional K/M/G/T binary suffix. */
int cli_parse_u64(const char *s, uint64_t *out);

/* Escape firmware bytes for printing; returns a pointer to a static per-slot buffer. */
const char *cli_esc(const char *s, int slot);
/* The same for strings read from JSON (reports, verdicts, diffs, policies, manifests): they
 * are escaped already or are people's text, so backslashes are kept; control bytes are not. */
const char *cli_text(const char *s, int slot);

/* A JSON string of firmware bytes, escaped (jansson's json_t; NULL -> null). */
struct json_t;
struct json_t *cli_jstr(const char *s);

/* The vulnerability database: --db FILE, else $VOUCH_VULNDB, else ./vouch-vulndb.sqlite. */
const char *cli_vulndb_path(const char *opt);
/* One file of a scan report as JSON (path, kind, size, sha256, type, mode, ELF, ...). */
struct vouch_file;
struct json_t *cli_file_json(const struct vouch_file *f);

/* The scan progress bar (vouch_progress_fn) for stderr on a terminal. */
void cli_progress(void *ud, uint64_t done, uint64_t total, uint64_t files);

/* Subcommands */
int cmd_unpack(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
void help_unpack(FILE *out);
void help_inventory(FILE *out);
int cmd_sbom(int argc, char **argv);
void help_sbom(FILE *out);
int cmd_vulns(int argc, char **argv);
int cmd_scan(int argc, char **argv);
void help_scan(FILE *out);
void help_vulns(FILE *out);
int cmd_elf(int argc, char **argv);
void help_elf(FILE *out);
int cmd_vulndb(int argc, char **argv);
void help_vulndb(FILE *out);
int cmd_lab(int argc, char **argv);
void help_lab(FILE *out);
int cmd_delivery(int argc, char **argv);
void help_delivery(FILE *out);
int cmd_evaluate(int argc, char **argv);
void help_evaluate(FILE *out);
int cmd_recheck(int argc, char **argv);
void help_recheck(FILE *out);
int cmd_revoke(int argc, char **argv);
void help_revoke(FILE *out);
int cmd_bundle(int argc, char **argv);
void help_bundle(FILE *out);
int cmd_verify(int argc, char **argv);
void help_verify(FILE *out);
int cmd_policy(int argc, char **argv);
void help_policy(FILE *out);
int cmd_equiv(int argc, char **argv);
void help_equiv(FILE *out);
int cmd_diff(int argc, char **argv);
void help_diff(FILE *out);

#endif
