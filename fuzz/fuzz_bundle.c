/*
 * fuzz/fuzz_bundle.c: libFuzzer harness for the operator's check of a lab bundle
 * (lab/verify.c: vouch_bundle_verify), the one parser an operator runs on what arrives
 * with a firmware file.
 *
 * Each input (at most 1 MiB) is a bundle, checked against the firmware digest and the two
 * verifier keys of the lab that made the seed corpus (fuzz/corpus/bundle: an approved, a
 * rejected and a revoked bundle of one delivery, made with `vouch bundle`). Properties,
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
	"vouch-lab/vm/attest+711678e6+Ad4UaMtU7//TzmZQAgQW5eJSGxBciQIO8jtePx04MzCi\n"
	"vouch-lab/vm+80390a27+AU3eu/kvC3UzBt9UoeakZD19KyHOkik1ldogeltI/9cz\n";

/* SHA-256 of the firmware artefact the corpus bundles attest. */
static const uint8_t firmware[32] = {
	0x30, 0x91, 0x9f, 0x81, 0x52, 0x5a, 0x84, 0x09, 0xb8, 0x65, 0x15, 0x10, 0x53, 0xef, 0xe0, 0x76,
	0xc9, 0x68, 0x34, 0xa9, 0x9d, 0xe4, 0x08, 0xb5, 0x89, 0x22, 0xa8, 0xc9, 0x25, 0xe0, 0x2a, 0xd2,
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
	if ((unsigned)a.check > VOUCH_BUNDLE_MALFORMED || a.reason[0] == '\0' ||
	    a.check != b.check || strcmp(a.reason, b.reason) != 0) {
		abort();
	}
	if (a.check == VOUCH_BUNDLE_PASS &&
	    (a.delivery[0] == '\0' || a.subject[0] == '\0' || a.index >= a.tree_size)) {
		abort();
	}
	return 0;
}
