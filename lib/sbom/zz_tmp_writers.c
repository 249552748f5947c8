/* PLACEHOLDER until lib/sbom/cyclonedx.c and spdx.c land (branch sbom): say "unsupported". */
#include "vouch/sbom.h"
int vouch_sbom_to_cyclonedx(const vouch_sbom *s, char **out) { (void)s; *out = 0; return VOUCH_E_UNSUPPORTED; }
int vouch_sbom_to_spdx(const vouch_sbom *s, char **out) { (void)s; *out = 0; return VOUCH_E_UNSUPPORTED; }
