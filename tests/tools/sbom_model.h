/*
 * tests/tools/sbom_model.h: a hand-built SBOM model for the document tests (the unit test
 * test_sbomdoc.c and the schema test's emitter sbom_emit.c): real-looking components
 * (openssl, busybox, linux, u-boot, zlib twice under one bom-ref) and hostile ones (invalid
 * UTF-8, quotes, control characters, 100 KB strings, refs that collide), files whose
 * digests are those of known contents, and dependency edges (DT_NEEDED, one to a ref that
 * does not exist, a self-loop, a duplicate).
 */
#ifndef VOUCH_TEST_SBOM_MODEL_H
#define VOUCH_TEST_SBOM_MODEL_H

#include "vouch/sbom.h"

/* Contents of the model's files, so tests can check the digests with other tools. */
#define MODEL_BUSYBOX_BYTES "busybox binary\n"
#define MODEL_LIBSSL_BYTES "libssl.so.3\n"
#define MODEL_BIG (100u * 1024u)

enum { MODEL_NCOMP = 10, MODEL_NFILE = 5, MODEL_NDEP = 7 };

typedef struct test_model {
	vouch_sbom s;
	vouch_component comp[MODEL_NCOMP];
	vouch_evidence ev[8];
	vouch_sbom_file file[MODEL_NFILE];
	vouch_sbom_dep dep[MODEL_NDEP];
	char *big_name, *big_version, *big_text;
} test_model;

/* Fill *m (it allocates the 100 KB strings; `hostile` false leaves them and the hostile
 * components out). Returns 0, -1 when out of memory. */
int test_model_build(test_model *m, int hostile);
void test_model_free(test_model *m);

#endif
