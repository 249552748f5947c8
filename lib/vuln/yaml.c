/*
 * vuln/yaml.c: a YAML document (OSV records as google/oss-fuzz-vulns publishes them) read
 * into the same jansson tree a JSON record gives, so that one OSV reader serves both.
 *
 * libyaml's event parser drives an explicit stack of open collections (never recursion), at
 * most VULN_MAX_DEPTH deep. Every scalar becomes a JSON string (the OSV reader asks for
 * strings; YAML 1.1's implicit typing of `no` or `1.10` would only corrupt versions).
 * Aliases are refused, which makes "billion laughs" expansion impossible; only the first
 * document of a stream is read, and more than one is an error.
 */
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "vuln/yamljson.h"

typedef struct frame {
	json_t *coll; /* object or array */
	char *key;    /* pending key of an object (malloc'd by jansson's copy below) */
} frame;

static void
set_err(char *err, size_t errlen, const yaml_parser_t *p)
{
	snprintf(err, errlen, "YAML: %s (line %lu)", p->problem != NULL ? p->problem : "syntax error",
		 (unsigned long)p->problem_mark.line + 1);
}

/* Put v into the innermost open collection (steals the reference). */
static int
attach(frame *stack, size_t depth, json_t **root, json_t *v, char *err, size_t errlen)
{
	frame *f;

	if (depth == 0) {
		*root = v;
		return 0;
	}
	f = &stack[depth - 1];
	if (json_is_array(f->coll)) {
		return json_array_append_new(f->coll, v) == 0 ? 0 : -1;
	}
	if (f->key == NULL) {
		/* a key: only scalars are accepted as keys */
		if (!json_is_string(v)) {
			json_decref(v);
			snprintf(err, errlen, "YAML: a mapping key that is not a scalar");
			return -1;
		}
		f->key = strdup(json_string_value(v));
		json_decref(v);
		return f->key != NULL ? 0 : -1;
	}
	if (json_object_set_new(f->coll, f->key, v) != 0) {
		free(f->key);
		f->key = NULL;
		return -1;
	}
	free(f->key);
	f->key = NULL;
	return 0;
}

int
vouch_vuln_yaml_load(const uint8_t *p, size_t n, json_t **out, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	frame stack[VULN_MAX_DEPTH];
	size_t depth = 0;
	json_t *root = NULL;
	int docs = 0, rc = -1;
	bool done = false;

	*out = NULL;
	memset(stack, 0, sizeof(stack));
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "YAML: out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&parser, p, n);
	while (!done) {
		json_t *v = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			set_err(err, errlen, &parser);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT: done = true; break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				snprintf(err, errlen, "YAML: more than one document");
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_ALIAS_EVENT:
			snprintf(err, errlen, "YAML: aliases are not accepted (line %lu)",
				 (unsigned long)ev.start_mark.line + 1);
			yaml_event_delete(&ev);
			goto out;
		case YAML_SCALAR_EVENT:
			v = json_stringn((const char *)ev.data.scalar.value, ev.data.scalar.length);
			if (v == NULL) {
				snprintf(err, errlen, "YAML: a scalar that is not UTF-8 (line %lu)",
					 (unsigned long)ev.start_mark.line + 1);
				yaml_event_delete(&ev);
				goto out;
			}
			if (attach(stack, depth, &root, v, err, errlen) != 0) {
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (depth >= VULN_MAX_DEPTH) {
				snprintf(err, errlen, "YAML: nested more than %d deep", VULN_MAX_DEPTH);
				yaml_event_delete(&ev);
				goto out;
			}
			v = ev.type == YAML_SEQUENCE_START_EVENT ? json_array() : json_object();
			if (v == NULL) {
				snprintf(err, errlen, "YAML: out of memory");
				yaml_event_delete(&ev);
				goto out;
			}
			/* attach first (the parent holds the reference), then open it */
			json_incref(v);
			if (attach(stack, depth, &root, v, err, errlen) != 0) {
				json_decref(v);
				yaml_event_delete(&ev);
				goto out;
			}
			stack[depth].coll = v;
			stack[depth].key = NULL;
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth == 0) {
				snprintf(err, errlen, "YAML: unbalanced collection");
				yaml_event_delete(&ev);
				goto out;
			}
			depth--;
			json_decref(stack[depth].coll);
			free(stack[depth].key);
			stack[depth].coll = NULL;
			stack[depth].key = NULL;
			break;
		default: break;
		}
		yaml_event_delete(&ev);
	}
	if (root == NULL) {
		snprintf(err, errlen, "YAML: empty document");
		goto out;
	}
	*out = root;
	root = NULL;
	rc = 0;
out:
	while (depth > 0) {
		depth--;
		json_decref(stack[depth].coll);
		free(stack[depth].key);
	}
	json_decref(root);
	yaml_parser_delete(&parser);
	return rc;
}
