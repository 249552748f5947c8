/*
 * tests/tools/sbom_emit.c: print an SBOM document of the hand-built test model
 * (sbom_model.c) so tests/e2e/test_sbom_schema.sh can validate it against the official
 * schemas with an independent validator (ajv).
 *
 *   sbom-emit cyclonedx|spdx [plain|hostile|empty]
 *
 * plain: the real-looking components only; hostile (default): with the hostile strings;
 * empty: an image with no components, files or edges. Exit 0, or 1 when the writer fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbom_model.h"

int
main(int argc, char **argv)
{
	test_model m;
	const char *variant = argc > 2 ? argv[2] : "hostile";
	char *doc = NULL;
	int rc;

	if (argc < 2 || (strcmp(argv[1], "cyclonedx") != 0 && strcmp(argv[1], "spdx") != 0)) {
		fprintf(stderr, "usage: sbom-emit cyclonedx|spdx [plain|hostile|empty]\n");
		return 2;
	}
	if (test_model_build(&m, strcmp(variant, "hostile") == 0) != 0) {
		fprintf(stderr, "sbom-emit: out of memory\n");
		return 1;
	}
	if (strcmp(variant, "empty") == 0) {
		m.s.ncomponents = m.s.nfiles = m.s.ndeps = 0;
	}
	rc = strcmp(argv[1], "cyclonedx") == 0 ? vouch_sbom_to_cyclonedx(&m.s, &doc)
					       : vouch_sbom_to_spdx(&m.s, &doc);
	if (rc != VOUCH_OK) {
		fprintf(stderr, "sbom-emit: %s\n", vouch_err_str(rc));
		test_model_free(&m);
		return 1;
	}
	fputs(doc, stdout);
	fputc('\n', stdout);
	free(doc);
	test_model_free(&m);
	return 0;
}
