/*
 * tlog/tiles.c: export the log as C2SP tlog-tiles (https://c2sp.org/tlog-tiles) for static
 * serving: `checkpoint`, hash tiles `tile/<L>/<N>[.p/<W>]` and entry bundles
 * `tile/entries/<N>[.p/<W>]`, for the tree of the latest published checkpoint.
 *
 * How: a tile at level L holds up to 256 consecutive hashes of Merkle level 8L, which the
 * store keeps as rows (level 8L, index), so each tile is one ordered range read. <N> is
 * written in 3-digit groups, every group but the last prefixed with "x" (1234067 ->
 * x001/x234/067); a tile of W < 256 hashes is the partial tile <N>.p/<W>. An entry bundle is
 * each entry as a 2-byte big-endian length and its bytes. Files are written beneath one
 * directory fd with our own generated names (digits, "x", ".p"), each through a temporary
 * name and renameat, so a mirror never serves a half-written tile.
 *
 * Rejected: computing tiles from the leaves at export time (O(n log n) hashing per export,
 * and the stored hashes are what proofs are made from: the export shows exactly those).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlog/log.h"

#define TILE_WIDTH 256
#define TILE_HEIGHT 8

/* "x001/x234/067" for 1234067; "000" for 0. Returns the length or -1 when cap is short. */
static int
tile_index_path(char *buf, size_t cap, uint64_t n)
{
	unsigned groups[8];
	int ng = 0, len = 0;

	do {
		groups[ng++] = (unsigned)(n % 1000);
		n /= 1000;
	} while (n > 0 && ng < 8);
	for (int i = ng - 1; i >= 0; i--) {
		int w = snprintf(buf + len, cap - (size_t)len, i > 0 ? "x%03u/" : "%03u", groups[i]);

		if (w < 0 || (size_t)w >= cap - (size_t)len) {
			return -1;
		}
		len += w;
	}
	return len;
}

/* The path of a tile (level >= 0) or entry bundle (level < 0) of width w. */
static int
tile_path(char *buf, size_t cap, int level, uint64_t n, unsigned w)
{
	int len = level < 0 ? snprintf(buf, cap, "tile/entries/") : snprintf(buf, cap, "tile/%d/", level);
	int k;

	if (len < 0 || (size_t)len >= cap) {
		return -1;
	}
	k = tile_index_path(buf + len, cap - (size_t)len, n);
	if (k < 0) {
		return -1;
	}
	len += k;
	if (w < TILE_WIDTH) {
		k = snprintf(buf + len, cap - (size_t)len, ".p/%u", w);
		if (k < 0 || (size_t)k >= cap - (size_t)len) {
			return -1;
		}
		len += k;
	}
	return len;
}

int
vouch_tlog_write_at(int dirfd, const char *rel, const void *data, size_t len)
{
	char path[256], tmp[280];
	const uint8_t *p = data;
	int fd, rc = VOUCH_OK;

	if (snprintf(path, sizeof(path), "%s", rel) >= (int)sizeof(path)) {
		return VOUCH_E_USAGE;
	}
	/* parents: each '/' ends a directory to create (names are ours, never input) */
	for (char *s = strchr(path, '/'); s != NULL; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdirat(dirfd, path, 0755) != 0 && errno != EEXIST) {
			return VOUCH_E_IO;
		}
		*s = '/';
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		return VOUCH_E_IO;
	}
	rc = vouch_write_all(fd, p, len);
	if (close(fd) != 0) {
		rc = VOUCH_E_IO;
	}
	if (rc == VOUCH_OK && renameat(dirfd, tmp, dirfd, path) != 0) {
		rc = VOUCH_E_IO;
	}
	if (rc != VOUCH_OK) {
		unlinkat(dirfd, tmp, 0);
	}
	return rc;
}

typedef struct bundle_buf {
	uint8_t *p;
	size_t len, cap;
} bundle_buf;

static int
bundle_add(void *ctx, uint64_t index, const uint8_t *data, size_t len)
{
	bundle_buf *b = ctx;

	(void)index;
	if (len > 0xffff) {
		return VOUCH_E_LIMIT;
	}
	if (b->len + 2 + len > b->cap) {
		size_t cap = (b->cap + 2 + len) * 2;
		uint8_t *np = realloc(b->p, cap);

		if (np == NULL) {
			return VOUCH_E_NOMEM;
		}
		b->p = np;
		b->cap = cap;
	}
	b->p[b->len] = (uint8_t)(len >> 8);
	b->p[b->len + 1] = (uint8_t)len;
	if (len > 0) {
		memcpy(b->p + b->len + 2, data, len);
	}
	b->len += 2 + len;
	return VOUCH_OK;
}

int
vouch_tlog_export_tiles(vouch_tlog *t, const char *outdir)
{
	vouch_hash *hs = malloc(TILE_WIDTH * sizeof(vouch_hash));
	bundle_buf b = {NULL, 0, 0};
	char *note = NULL, path[256];
	uint64_t size = 0;
	vouch_hash root;
	int dirfd = -1, rc;

	if (hs == NULL) {
		return VOUCH_E_NOMEM;
	}
	if ((rc = vouch_tlog_latest_full(t, &note, &size, &root)) != VOUCH_OK) {
		goto out;
	}
	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "%s: %s", outdir, strerror(errno));
		goto out;
	}
	dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "%s: %s", outdir, strerror(errno));
		goto out;
	}
	for (int level = 0; level * TILE_HEIGHT < 64 && (size >> (level * TILE_HEIGHT)) > 0;
	     level++) {
		uint64_t count = size >> (level * TILE_HEIGHT);

		for (uint64_t n = 0; n * TILE_WIDTH < count; n++) {
			unsigned w = (unsigned)VOUCH_MIN(TILE_WIDTH, count - n * TILE_WIDTH);

			rc = vouch_store_read_hashes(t->s, (unsigned)(level * TILE_HEIGHT),
						     n * TILE_WIDTH, w, hs);
			if (rc != VOUCH_OK) {
				rc = vouch_tlog_store_err(t, rc);
				goto out;
			}
			if (tile_path(path, sizeof(path), level, n, w) < 0 ||
			    (rc = vouch_tlog_write_at(dirfd, path, hs, w * sizeof(vouch_hash))) !=
				    VOUCH_OK) {
				rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "%s/%s: %s", outdir, path,
						strerror(errno));
				goto out;
			}
		}
	}
	for (uint64_t n = 0; n * TILE_WIDTH < size; n++) {
		unsigned w = (unsigned)VOUCH_MIN(TILE_WIDTH, size - n * TILE_WIDTH);

		b.len = 0;
		rc = vouch_store_entries(t->s, n * TILE_WIDTH, w, bundle_add, &b);
		if (rc != VOUCH_OK) {
			rc = vouch_tlog_store_err(t, rc);
			goto out;
		}
		if (tile_path(path, sizeof(path), -1, n, w) < 0 ||
		    vouch_tlog_write_at(dirfd, path, b.p, b.len) != VOUCH_OK) {
			rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "%s/%s: %s", outdir, path,
					strerror(errno));
			goto out;
		}
	}
	/* the checkpoint last: a mirror that sees it can already fetch every tile it names */
	if (vouch_tlog_write_at(dirfd, "checkpoint", note, strlen(note)) != VOUCH_OK) {
		rc = vouch_errf(&t->err, VOUCH_E_IO, 0, "%s/checkpoint: %s", outdir, strerror(errno));
	}
out:
	if (dirfd >= 0) {
		close(dirfd);
	}
	free(hs);
	free(b.p);
	free(note);
	return rc;
}
