/*
 * fuzz/fuzz_sbom.c: libFuzzer harness for the SBOM and VEX readers (sbom/read.c, vex.c) and,
 * through them, the writers (cyclonedx.c, spdx.c, plan.c).
 *
 * Each input (at most 1 MiB) is used as:
 *   - an SBOM document: when vouch_sbom_read accepts it, the model is written as CycloneDX
 *     and as SPDX (both must succeed unless the creation time is outside years 0-9999), each
 *     output must be valid UTF-8 and must read back, with as many components (SPDX: when
 *     there is at least one, else the image package is all there is) and files;
 *   - a VEX document: when vouch_vex_read accepts it, it is applied to a few fixed matches
 *     and components, and the counts must be within bounds.
 * Properties are asserted with abort() so that libFuzzer reports them. Nothing is written.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "vouch/sbom.h"
#include "vouch/vuln.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
reread(const vouch_sbom *s, int (*w)(const vouch_sbom *, char **), int spdx)
{
	char *doc = NULL, err[256];
	vouch_sbom_doc *d = NULL;
	const vouch_sbom *r;
	int rc = w(s, &doc);

	if (rc == VOUCH_E_USAGE) {
		return; /* a creation time outside years 0-9999 cannot be written */
	}
	if (rc != VOUCH_OK || !vouch_utf8_valid(doc, strlen(doc))) {
		abort();
	}
	if (vouch_sbom_read(doc, strlen(doc), &d, err, sizeof(err)) != VOUCH_OK) {
		abort(); /* what we write we must read */
	}
	r = vouch_sbom_doc_sbom(d);
	if (r->nfiles != s->nfiles || ((!spdx || s->ncomponents > 0) &&
				       r->ncomponents != s->ncomponents)) {
		abort();
	}
	vouch_sbom_doc_free(d);
	free(doc);
}

static void
vex(const char *p, size_t n)
{
	static const vouch_component comps[] = {
		{"comp-openssl", "openssl", "3.0.11", NULL,
		 "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*", NULL, 0,
		 "pkg:generic/openssl@3.0.11", VOUCH_COMP_LIBRARY, 1.0, NULL, 0},
		{"comp-busybox", "busybox", "1.36.1", NULL, NULL, NULL, 0, NULL,
		 VOUCH_COMP_APPLICATION, 1.0, NULL, 0},
	};
	vouch_vuln_match m[3];
	vouch_vex_doc *d = NULL;
	size_t applied = 0, unused = 0;
	char err[256];

	if (vouch_vex_read(p, n, &d, err, sizeof(err)) != VOUCH_OK) {
		return;
	}
	memset(m, 0, sizeof(m));
	m[0].component_ref = "comp-openssl";
	m[0].id = "CVE-2023-0286";
	m[0].aliases = "GHSA-1, CVE-2023-9999";
	m[1].component_ref = "comp-busybox";
	m[1].id = "CVE-2022-28391";
	m[2].component_ref = "comp-missing";
	m[2].id = "cve-2023-0286";
	vouch_vex_apply(d, m, 3, comps, 2, &applied, &unused);
	if (applied > 3) {
		abort();
	}
	for (int i = 0; i < 3; i++) {
		if ((m[i].vex == VOUCH_VEX_NONE) != (m[i].vex_detail == NULL)) {
			abort(); /* a state always comes with its detail */
		}
	}
	vouch_vex_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	vouch_sbom_doc *d = NULL;
	char err[256];

	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	if (vouch_sbom_read(p, size, &d, err, sizeof(err)) == VOUCH_OK) {
		const vouch_sbom *s = vouch_sbom_doc_sbom(d);

		reread(s, vouch_sbom_to_cyclonedx, 0);
		reread(s, vouch_sbom_to_spdx, 1);
		vouch_sbom_doc_free(d);
	}
	vex(p, size);
	return 0;
}
