/*
 * unpack/formats.c: the registry of container formats, in the order they are tried.
 *
 * Order matters only when two formats claim the same offset: the one listed first wins.
 * Archives and filesystems come before raw compression streams so that, say, a squashfs is
 * opened as a filesystem rather than mistaken for something its first bytes resemble.
 * Each format lives in unpack/formats/<name>.c and declares its signatures there.
 */
#include <string.h>

#include "unpack/unpack.h"

/* firmware headers and filesystems */
extern const vouch_fmt vouch_fmt_squashfs;
extern const vouch_fmt vouch_fmt_gzip;

const vouch_fmt *const vouch_fmt_table[] = {
	/* filesystems */
	&vouch_fmt_squashfs,
	/* compression streams */
	&vouch_fmt_gzip,
	NULL,
};

const vouch_fmt *
vouch_fmt_by_name(const char *name)
{
	for (size_t i = 0; vouch_fmt_table[i] != NULL; i++) {
		if (strcmp(vouch_fmt_table[i]->name, name) == 0) {
			return vouch_fmt_table[i];
		}
	}
	return NULL;
}

const char *const *
vouch_formats(void)
{
	static const char *names[VOUCH_ARRAY_LEN(vouch_fmt_table)];

	for (size_t i = 0; vouch_fmt_table[i] != NULL; i++) {
		names[i] = vouch_fmt_table[i]->name;
	}
	return names;
}
