/*
 * tests/unit/tlog_vectors.h: shared helpers of the signing-layer unit tests: locate
 * ../shared (VOUCH_SHARED, set by tests/meson.build) and read files whole.
 * Tests that need the shared vectors skip cleanly when they are absent.
 */
#ifndef VOUCH_TEST_TLOG_VECTORS_H
#define VOUCH_TEST_TLOG_VECTORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read a whole file (at most 16 MiB) into a malloc'ed NUL-terminated buffer; NULL if absent. */
static inline char *
tv_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *buf;

	if (f == NULL) {
		return NULL;
	}
	buf = malloc(cap + 1);
	while (buf != NULL) {
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (n < cap || cap >= (16u << 20)) {
			break;
		}
		cap *= 2;
		char *nb = realloc(buf, cap + 1);
		if (nb == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
	}
	fclose(f);
	if (buf != NULL) {
		buf[n] = '\0';
		if (len != NULL) {
			*len = n;
		}
	}
	return buf;
}

/* Path of a file under $VOUCH_SHARED/vectors/tlog, in a static buffer; NULL without it. */
static inline const char *
tv_path(const char *rel)
{
	static char buf[4096];
	const char *root = getenv("VOUCH_SHARED");

	if (root == NULL || root[0] == '\0') {
		root = "../shared";
	}
	if ((size_t)snprintf(buf, sizeof(buf), "%s/vectors/tlog/%s", root, rel) >= sizeof(buf)) {
		return NULL;
	}
	return buf;
}

/* Read a vector file; NULL when the shared vectors are not there. */
static inline char *
tv_load(const char *rel, size_t *len)
{
	const char *p = tv_path(rel);

	return p == NULL ? NULL : tv_read(p, len);
}

#endif
