/*
 * fuzz/fuzz_bundle.c: libFuzzer harness for the operator's check of a lab bundle
 * (lab/verify.c: vouch_bundle_verify), the one parser an operator runs on what arrives
 * with a firmware file.
 *
 * Each input (at most 1 MiB) is a bundle, checked against the firmware digest and the two
 * verifier keys of the lab that made the seed corpus (fuzz/corpus/bundle: an approved, a
 * revoked bundle of one delivery and a rejected bundle of another, made with `vouch bundle`
 * in a lab with origin vouch-lab/fuzz; bundle_version 2, with the signed index). Properties,
 * asserted with abort() so that libFuzzer reports them: the answer is one of the enum's
 * values with a non-empty reason; a pass names the delivery, the artefact and a log index
 * within the checkpoint's size; and the check is a pure function (the same input twice
 * gives the same answer and reason).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vouch/error.h"
#include "vouch/lab.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seed corpus's lab (its private keys were not kept). */
static const char keys[] =
	"vouch-lab/fuzz/attest+8b58c4ec+AYeJtXmPXf4gCiq9vKNkVvInON85qCOPyJzfGxmzHZOg\n"
	"vouch-lab/fuzz+a225cb73+AaLa/DBlN84j0H7SHPhtfjyM+yjLemI76Jfmb0Q89GXh\n";

/* SHA-256 of the firmware artefact the corpus bundles attest. */
static const uint8_t firmware[32] = {
	0x61, 0x20, 0x98, 0x59, 0x79, 0xf3, 0xd8, 0x30, 0xfd, 0x05, 0xaf, 0x2f, 0x9d, 0xa9, 0x4d, 0x55,
	0xec, 0x87, 0xd2, 0x9d, 0xde, 0x69, 0xe4, 0x9c, 0xaa, 0x65, 0xf6, 0x1d, 0x36, 0x14, 0x21, 0xbc,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	vouch_bundle_result a, b;

	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	if (vouch_bundle_verify(firmware, (const char *)data, size, keys, sizeof(keys) - 1, &a) !=
		    VOUCH_OK ||
	    vouch_bundle_verify(firmware, (const char *)data, size, keys, sizeof(keys) - 1, &b) !=
		    VOUCH_OK) {
		return 0; /* out of memory */
	}
	if ((unsigned)a.check > VOUCH_BUNDLE_INCOMPLETE || a.reason[0] == '\0' ||
	    a.check != b.check || strcmp(a.reason, b.reason) != 0) {
		abort();
	}
	if (a.check == VOUCH_BUNDLE_PASS &&
	    (a.delivery[0] == '\0' || a.subject[0] == '\0' || a.index >= a.tree_size)) {
		abort();
	}
	return 0;
}
