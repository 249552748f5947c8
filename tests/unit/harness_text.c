/*
 * tests/unit/harness_text.c: drive one text analyser (accounts, services) the way the
 * analysis driver does, without an image: init, wants + file per in-memory file (content
 * held, no pattern hits), finish, free; the findings go to the real collection
 * (analyze/common.c). See harness_text.h.
 */
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
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max, fp) : 0;
	fclose(fp);
	if (buf) {
		buf[n] = 0;
	}
	*len = n;
	return buf;
}
