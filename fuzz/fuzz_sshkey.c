/*
 * fuzz/fuzz_sshkey.c: libFuzzer harness for the SSH private-key parsers we wrote ourselves
 * (analyze/sshkey.c): the openssh-key-v1 container, Dropbear key files and SSH public blobs.
 *
 * Each input (at most 64 KiB) is given to all three parsers (each refuses what is not its
 * format quickly, so one corpus serves them all), and the properties sshkey.h promises are
 * asserted with abort():
 *   - openssh: on success the container lies inside the input (len <= size), declares
 *     1..VOUCH_SSHKEY_MAX_KEYS keys and every one was parsed; a described key has an SPKI
 *     digest; "verified" only for an unencrypted container;
 *   - dropbear: on success the key lies inside the input and is described with an SSH form
 *     (it passed the private/public check, so its type is one we rebuild);
 *   - public blob: on success a described key has an SPKI digest and a printable type name.
 * The input is copied into an exact-size heap buffer so that ASan sees any over-read.
 * Rejected: fuzzing the keys analyser as a whole here (it needs the analysis driver, which
 * lives in another branch; its PEM and DER paths end in libcrypto, fuzzed upstream).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/sshkey.h"
#include "vouch/error.h"

#define FUZZ_MAX_INPUT (64u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_type(const char *t)
{
	size_t n = strnlen(t, sizeof(((vouch_sshkey *)0)->type));

	if (n == 0 || n >= sizeof(((vouch_sshkey *)0)->type)) {
		abort();
	}
	for (size_t i = 0; i < n; i++) {
		if (t[i] < 0x21 || t[i] > 0x7e) {
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p;
	vouch_openssh o;
	vouch_dropbear d;
	vouch_sshkey k;

	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	p = malloc(size ? size : 1);
	if (p == NULL) {
		return 0;
	}
	memcpy(p, data, size);

	if (vouch_openssh_parse(p, size, &o) == VOUCH_OK) {
		if (o.len > size || o.nkeys == 0 || o.nkeys > VOUCH_SSHKEY_MAX_KEYS ||
		    o.nparsed != o.nkeys || (o.verified && o.encrypted)) {
			abort();
		}
		for (unsigned i = 0; i < o.nparsed; i++) {
			check_type(o.keys[i].type);
			if (o.keys[i].described && !o.keys[i].info.has_spki) {
				abort();
			}
		}
	}
	if (vouch_dropbear_parse(p, size, &d) == VOUCH_OK) {
		if (d.len > size || !d.key.described || !d.key.info.has_ssh || !d.key.info.has_spki) {
			abort();
		}
		check_type(d.key.type);
	}
	if (vouch_sshpub_parse(p, size, &k) == VOUCH_OK) {
		check_type(k.type);
		if (k.described && !k.info.has_spki) {
			abort();
		}
	}
	free(p);
	return 0;
}
