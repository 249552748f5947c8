/*
 * fuzz/fuzz_ident.c: libFuzzer harness for component identification (lib/sbom/ident.c,
 * rules.c, build.c): the package-database parsers, the chunk-overlap scanning of the
 * fingerprint rules, version extraction, the DT_NEEDED edges, and the SBOM model built from
 * all of it.
 *
 * The first byte of an input picks the name the rest is scanned under: "control" (the
 * control-file parser gets it whole) or "fw.bin" (the unpacker opens whatever it recognises
 * and the identifier sees every nested file: the seed corpus has tar archives holding dpkg
 * and opkg status files and an apk database at their usual paths, so those parsers are
 * reached through nesting, as in a real image).
 * Properties (abort() so libFuzzer reports them): the scan and the SBOM build never fail for
 * a reason other than the input; every component has a name, a version shorter than 64
 * bytes and at least one piece of evidence whose path starts with the root name; every edge
 * names two files of the SBOM; CycloneDX and SPDX serialisation of the model succeed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/sbom.h"
#include "vouch/scan.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {"control", "fw.bin"};

static bool
has_file(const vouch_sbom *s, const char *ref)
{
	for (size_t i = 0; i < s->nfiles; i++) {
		if (strcmp(s->files[i].bom_ref, ref) == 0) {
			return true;
		}
	}
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vouch_scan_opts o;
	vouch_scan *scan = NULL;
	static vouch_ident *id; /* rules compiled once; reset per input */
	vouch_visitor v;
	const vouch_sbom *s = NULL;
	const char *name;

	if (size < 1 || size > FUZZ_MAX_INPUT) {
		return 0;
	}
	name = names[data[0] % (sizeof(names) / sizeof(names[0]))];
	vouch_scan_opts_default(&o);
	o.threads = 1;
	o.no_magic = true;
	if ((id == NULL && vouch_ident_new(&id, NULL) != VOUCH_OK) ||
	    vouch_ident_reset(id) != VOUCH_OK || vouch_scan_new(&scan, &o) != VOUCH_OK) {
		abort();
	}
	vouch_ident_want_sha1(id, true);
	vouch_ident_visitor(id, &v);
	vouch_scan_set_visitor(scan, &v);
	(void)vouch_scan_run_buffer(scan, name, data + 1, size - 1);
	if (vouch_ident_finish(id, vouch_scan_report(scan), name, &s) != VOUCH_OK) {
		abort();
	}
	for (size_t i = 0; i < s->ncomponents; i++) {
		const vouch_component *c = &s->components[i];
		if (c->name == NULL || c->name[0] == 0 || c->version == NULL || c->nevidence == 0) {
			abort();
		}
		if (c->cpe != NULL && strlen(c->version) >= 64) {
			abort(); /* a fingerprinted version is cut at 63 bytes */
		}
		for (size_t k = 0; k < c->nevidence; k++) {
			if (strncmp(c->evidence[k].path, name, strlen(name)) != 0) {
				abort();
			}
		}
	}
	for (size_t i = 0; i < s->ndeps; i++) {
		if (!has_file(s, s->deps[i].from) || !has_file(s, s->deps[i].to)) {
			abort();
		}
	}
	char *doc = NULL;
	if (vouch_sbom_to_cyclonedx(s, &doc) != VOUCH_OK) {
		abort();
	}
	free(doc);
	doc = NULL;
	if (vouch_sbom_to_spdx(s, &doc) != VOUCH_OK) {
		abort();
	}
	free(doc);
	vouch_scan_free(scan);
	return 0;
}
