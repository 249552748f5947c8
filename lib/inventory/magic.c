/*
 * inventory/magic.c: file typing with libmagic, one handle per worker thread.
 *
 * libmagic handles are not thread-safe, so each worker owns one. Only the first bytes the
 * engine keeps of each file (16 KiB) are described: enough for every format libmagic's
 * database names by its header, and bounded on hostile input. Compressed-content peeking
 * (MAGIC_COMPRESS) is off: the unpacker itself opens compressed data. libmagic's ELF
 * section walk is off too (MAGIC_NO_CHECK_ELF): it cost ~1.1 ms of the ~1.2 ms per binary
 * measured on /usr/bin, and inventory/elf.c reads the ELF header itself.
 */
#include <magic.h>
#include <stdlib.h>

#include "unpack/engine.h"

struct vouch_magic_db {
	magic_t m;
};

int
vouch_magic_db_new(vouch_magic_db **out)
{
	vouch_magic_db *d = calloc(1, sizeof(*d));

	if (d == NULL) {
		return VOUCH_E_NOMEM;
	}
	d->m = magic_open(MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ENCODING | MAGIC_NO_CHECK_ELF |
			    MAGIC_ERROR);
	if (d->m == NULL || magic_load(d->m, NULL) != 0) {
		vouch_magic_db_free(d);
		return VOUCH_E_INTERNAL;
	}
	*out = d;
	return VOUCH_OK;
}

void
vouch_magic_db_free(vouch_magic_db *d)
{
	if (d == NULL) {
		return;
	}
	if (d->m != NULL) {
		magic_close(d->m);
	}
	free(d);
}

const char *
vouch_magic_db_describe(vouch_magic_db *d, const uint8_t *p, size_t n)
{
	const char *r;

	if (n == 0) {
		return "empty";
	}
	r = magic_buffer(d->m, p, n);
	return r != NULL ? r : "data";
}
