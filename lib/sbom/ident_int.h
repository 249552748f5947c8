/*
 * sbom/ident_int.h: the identifier's state, shared by ident.c (the visitor: what each file
 * shows) and build.c (merging what all files showed into the SBOM model).
 */
#ifndef VOUCH_SBOM_IDENT_INT_H
#define VOUCH_SBOM_IDENT_INT_H

#include <hs/hs.h>
#include <pthread.h>

#include "base/base.h"
#include "sbom/rules.h"
#include "vouch/sbom.h"

/* One piece of evidence: component `comp` (SIZE_MAX: a package the rules do not know). */
typedef struct ident_hit {
	size_t comp;
	const char *version; /* upstream version */
	const char *method, *rule, *path, *text;
	uint64_t offset;
	double confidence;
	const char *pkgname, *pkgver, *arch; /* package databases only */
} ident_hit;

/* An ELF file of the image: the ends of its DT_NEEDED edges. */
typedef struct ident_elf {
	const char *path, *soname;
	const char **needed;
	size_t nneeded;
	uint16_t machine;
	uint8_t cls;
} ident_elf;

typedef struct ident_sha1 {
	const char *path;
	uint8_t d[20];
} ident_sha1;

struct vouch_ident {
	vouch_ruleset rules;
	hs_scratch_t *proto;          /* cloned per file in flight */
	hs_scratch_t *free_scratch[16];
	size_t nfree;
	pthread_mutex_t lock;         /* guards hits, arena, counters, scratch pool */
	vouch_arena *arena;
	ident_hit *hits;
	size_t nhits, caphits;
	uint64_t hits_dropped, files_cut;
	ident_elf *elfs;
	size_t nelfs, capelfs;
	ident_sha1 *sha1s;
	size_t nsha1, capsha1;
	bool want_sha1;
	/* the built SBOM (build.c) */
	vouch_sbom sbom;
	char err[256];
};

void vouch_upstream_version(const char *pv, char *out, size_t cap);

#endif
