/*
 * vuln/yamljson.h: a YAML document read into a jansson tree (yaml.c).
 */
#ifndef VOUCH_VULN_YAMLJSON_H
#define VOUCH_VULN_YAMLJSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "vuln/vuln_int.h"

/* Parse the one YAML document in p[0..n) into *out (caller decrefs). Scalars become strings.
 * -1 with a message in err when it is not YAML, has aliases, more than one document or
 * nests deeper than VULN_MAX_DEPTH. */
int vouch_vuln_yaml_load(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen);

#endif
