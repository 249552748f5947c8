/*
 * tests/unit/harness_text.c: drive one text analyser (accounts, services) the way the
 * analysis driver does, without an image: init, wants + file per in-memory file (content
 * held, no pattern hits), finish, free; the findings go to the real collection
 * (analyze/common.c). See harness_text.h.
 */
#include <ftw.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness_text.h"
#include "base/base.h"

int
stub_run(const vouch_analyzer *an, const vouch_analysis_opts *opts, const stub_file *files,
	 size_t n, vouch_findings *fs)
{
	vouch_actx ctx = {.sink = fs, .opts = opts};
	void *st = NULL;
	int rc = an->init(&ctx, &st);
	if (rc != VOUCH_OK) {
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		vouch_file f = {0};
		f.path = files[i].path;
		f.ftype = VOUCH_FT_REG;
		f.size = files[i].len;
		f.mode = files[i].mode;
		f.uid = files[i].uid;
		f.has_mode = files[i].mode != 0;
		bool want = an->wants(st, f.path, files[i].data, files[i].len < 4096 ? files[i].len : 4096);
		vouch_afile af = {
			.f = &f,
			.data = want ? files[i].data : NULL,
			.len = want ? files[i].len : 0,
		};
		an->file(&ctx, st, &af, NULL, 0);
	}
	vouch_report rep = {0};
	an->finish(&ctx, st, &rep);
	an->free(st);
	return VOUCH_OK;
}

static bool
suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

size_t
stub_count(vouch_findings *fs, const char *id, const char *path_suffix, uint64_t offset)
{
	size_t n, c = 0;
	const vouch_finding *v = vouch_findings_list(fs, &n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].id, id) == 0 && (!path_suffix || suffix(v[i].path, path_suffix)) &&
		    (offset == UINT64_MAX || v[i].offset == offset)) {
			c++;
		}
	}
	return c;
}

const vouch_finding *
stub_find(vouch_findings *fs, const char *id, const char *path_suffix)
{
	size_t n;
	const vouch_finding *v = vouch_findings_list(fs, &n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].id, id) == 0 && (!path_suffix || suffix(v[i].path, path_suffix))) {
			return &v[i];
		}
	}
	return NULL;
}

void
stub_print(vouch_findings *fs)
{
	size_t n;
	const vouch_finding *v = vouch_findings_list(fs, &n);
	for (size_t i = 0; i < n; i++) {
		printf("  %-8s %-26s %s @%lld | %s | %s\n", vouch_severity_str(v[i].severity),
		       v[i].id, v[i].path,
		       v[i].offset == UINT64_MAX ? -1LL : (long long)v[i].offset,
		       v[i].evidence ? v[i].evidence : "", v[i].detail ? v[i].detail : "");
	}
}

void *
stub_slurp(const char *path, size_t max, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		return NULL;
	}
	/* the file's own size (at most max), not max: a tree of 500 files must not ask for
	 * 500 x max bytes (meson's MALLOC_PERTURB_ touches every byte allocated) */
	struct stat st;
	size_t want = fstat(fileno(fp), &st) == 0 && st.st_size >= 0 && (uint64_t)st.st_size < max
			      ? (size_t)st.st_size
			      : max;
	char *buf = malloc(want + 1);
	size_t n = buf ? fread(buf, 1, want, fp) : 0;
	fclose(fp);
	if (buf) {
		buf[n] = 0;
	}
	*len = n;
	return buf;
}

/* ---- real trees (the fixture generators' output) ---- */

#define TREE_MAX_FILES 4096
static stub_file *tree_files;
static size_t tree_n;
static const char *tree_root;

static int
tree_cb(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || !S_ISREG(sb->st_mode) || tree_n >= TREE_MAX_FILES) {
		return 0;
	}
	size_t len;
	void *data = stub_slurp(fpath, 16u << 20, &len);
	if (!data) {
		return 0;
	}
	char *path = malloc(strlen(fpath) + 8);
	if (path == NULL) {
		free(data);
		return 1; /* stop the walk: stub_load_tree then returns 0 files */
	}
	snprintf(path, strlen(fpath) + 8, "tree%s", fpath + strlen(tree_root));
	tree_files[tree_n++] = (stub_file){path, data, len, sb->st_mode, sb->st_uid};
	return 0;
}

size_t
stub_load_tree(const char *root, stub_file **out)
{
	*out = NULL;
	tree_n = 0;
	tree_root = root;
	tree_files = calloc(TREE_MAX_FILES, sizeof(*tree_files));
	if (tree_files == NULL || nftw(root, tree_cb, 16, FTW_PHYS) != 0) {
		stub_free_tree(tree_files, tree_n);
		return 0;
	}
	*out = tree_files;
	return tree_n;
}

void
stub_free_tree(stub_file *files, size_t n)
{
	for (size_t i = 0; files != NULL && i < n; i++) {
		free((void *)(uintptr_t)files[i].path);
		free((void *)(uintptr_t)files[i].data);
	}
	free(files);
}

/* The first directory of the ':'-list VOUCH_FIXTURES holding `sub`; NULL if none. */
const char *
stub_fixture_dir(const char *sub, char *out, size_t cap)
{
	const char *env = getenv("VOUCH_FIXTURES");
	while (env && *env) {
		size_t n = strcspn(env, ":");
		snprintf(out, cap, "%.*s/%s", (int)n, env, sub);
		struct stat sb;
		if (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			return out;
		}
		env += n + (env[n] == ':');
	}
	return NULL;
}

void
stub_print_counts(vouch_findings *fs)
{
	size_t n;
	const vouch_finding *v = vouch_findings_list(fs, &n);
	const char *seen[64];
	size_t ns = 0;
	for (size_t i = 0; i < n && ns < 64; i++) {
		bool dup = false;
		for (size_t k = 0; k < ns; k++) {
			dup = dup || strcmp(seen[k], v[i].id) == 0;
		}
		if (!dup) {
			seen[ns++] = v[i].id;
			printf("  %-28s %zu\n", v[i].id, stub_count(fs, v[i].id, NULL, UINT64_MAX));
		}
	}
	printf("  (%zu findings)\n", n);
}
