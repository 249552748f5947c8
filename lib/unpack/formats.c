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

/* firmware headers (formats/uimage.c, fit.c, trx.c) */
extern const vouch_fmt vouch_fmt_uimage, vouch_fmt_fit, vouch_fmt_dtb, vouch_fmt_trx;
/* small read-only filesystems of our own (formats/cramfs.c, romfs.c) */
extern const vouch_fmt vouch_fmt_cramfs, vouch_fmt_romfs;
/* firmware headers and filesystems */
extern const vouch_fmt vouch_fmt_squashfs;
extern const vouch_fmt vouch_fmt_ext;
/* raw-flash filesystems (formats/jffs2.c, ubi.c, ubifs.c) */
extern const vouch_fmt vouch_fmt_jffs2, vouch_fmt_ubi, vouch_fmt_ubifs;
/* archives (formats/archive.c) */
extern const vouch_fmt vouch_fmt_tar, vouch_fmt_cpio, vouch_fmt_cpiobin, vouch_fmt_zip,
	vouch_fmt_7z, vouch_fmt_ar, vouch_fmt_iso9660, vouch_fmt_cab, vouch_fmt_rar;
/* compression streams (formats/stream.c) */
extern const vouch_fmt vouch_fmt_gzip, vouch_fmt_xz, vouch_fmt_lzma, vouch_fmt_bzip2,
	vouch_fmt_zstd, vouch_fmt_lz4, vouch_fmt_lzop, vouch_fmt_zlib;

const vouch_fmt *const vouch_fmt_table[] = {
	/* firmware headers: they wrap everything else, so they go first */
	&vouch_fmt_uimage,
	&vouch_fmt_fit,
	&vouch_fmt_dtb,
	&vouch_fmt_trx,
	/* filesystems */
	&vouch_fmt_cramfs,
	&vouch_fmt_romfs,
	&vouch_fmt_squashfs,
	&vouch_fmt_ext,
	&vouch_fmt_jffs2,
	&vouch_fmt_ubi,
	&vouch_fmt_ubifs,
	/* archives */
	&vouch_fmt_tar,
	&vouch_fmt_cpio,
	&vouch_fmt_cpiobin,
	&vouch_fmt_zip,
	&vouch_fmt_7z,
	&vouch_fmt_ar,
	&vouch_fmt_iso9660,
	&vouch_fmt_cab,
	&vouch_fmt_rar,
	/* compression streams */
	&vouch_fmt_gzip,
	&vouch_fmt_xz,
	&vouch_fmt_lzma,
	&vouch_fmt_bzip2,
	&vouch_fmt_zstd,
	&vouch_fmt_lz4,
	&vouch_fmt_lzop,
	&vouch_fmt_zlib,
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
