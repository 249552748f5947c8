/*
 * sbom/rules.h: the component fingerprint rules (data/components.json) compiled for scanning.
 *
 * The rules file is data, not code: one entry per component (CPE names, package names that
 * carry it) with rules saying where its version is written. rules.c loads it with jansson,
 * checks every field, compiles every content pattern into ONE vectorscan block-mode database
 * (so each file's bytes are scanned once for all components), and compiles the version
 * expressions with POSIX regcomp for extraction (vectorscan reports where a match is, not its
 * groups). ident.c uses the compiled set; nothing here touches image bytes.
 */
#ifndef VOUCH_SBOM_RULES_H
#define VOUCH_SBOM_RULES_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "vouch/sbom.h"

typedef enum rule_kind {
	RULE_PREFIX = 0, /* literal prefix, version, optional suffix context */
	RULE_STANDALONE, /* NUL-bounded version string, valid when `anchor` is in the same file */
	RULE_NAME,       /* regular expression on the base name */
} rule_kind;

typedef struct vouch_rule {
	const char *id;
	size_t comp;        /* index into vouch_ruleset.comps */
	rule_kind kind;
	bool any_file;      /* "in": "any" (else ELF files only) */
	const char *prefix; /* RULE_PREFIX */
	size_t prefix_len;
	const char *anchor; /* RULE_STANDALONE */
	size_t anchor_len;
	regex_t ver;        /* ^(version), for extraction */
	regex_t name;       /* RULE_NAME */
	int group;          /* RULE_NAME: which group is the version */
	regex_t files;      /* "files": the rule holds only in files whose base name matches */
	bool has_files;
	regex_t unless;     /* "unless_needed": void in an ELF file that needs a matching library
			     * (its text then names the headers it was built with, not a copy) */
	bool has_unless;
	bool xmlnum;        /* transform 20914 -> 2.9.14 */
	double confidence;
} vouch_rule;

typedef struct vouch_compdef {
	const char *name, *supplier, *cpe; /* cpe: "vendor:product" */
	const char **aliases;
	size_t naliases;
	const char **packages;
	size_t npackages;
	vouch_component_kind kind;
} vouch_compdef;

typedef struct vouch_ruleset {
	vouch_compdef *comps;
	size_t ncomps;
	vouch_rule *rules;
	size_t nrules;
	void *hsdb;      /* hs_database_t *: prefixes and anchors, pattern id = rule * 2 */
	void *hsdb_sa;   /* standalone version strings, pattern id = rule * 2 + 1 */
	char err[256];
} vouch_ruleset;

/* Longest text a version match can span (prefix + version + suffix): bigger is not a version. */
#define VOUCH_RULE_MAX_MATCH 240

/* Load from a JSON text. VOUCH_E_MALFORMED with rs->err set on any bad field. */
int vouch_ruleset_load(vouch_ruleset *rs, const char *json, size_t len);
void vouch_ruleset_free(vouch_ruleset *rs);
/* Index of the component that a package of this name carries, or -1. */
long vouch_ruleset_package(const vouch_ruleset *rs, const char *pkg);

/* The rules built into the binary (data/components.json at build time). */
extern const char vouch_builtin_components_json[];

#endif
