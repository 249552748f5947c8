/*
 * tests/unit/analyzer_stub.c: stand-ins for the analysis driver and its helpers, for the
 * analysers' unit tests (see analyzer_stub.h). Deliberately simple: findings are copied into
 * a growing array under a mutex and sorted by (path, offset, id) when listed, as findings.h
 * specifies; vouch_afind escapes the evidence and cuts it to 512 bytes; vouch_mask keeps two
 * characters and "***" as analyzer.h specifies.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer_stub.h"
#include "base/base.h"

struct vouch_findings {
	pthread_mutex_t mu;
	vouch_finding *v;
	size_t n, cap;
};

/* free a string the finding holds as const (we allocated it) */
static void
xfree(const char *p)
{
	free((void *)(uintptr_t)p);
}

static char *
dup0(const char *s)
{
	return s ? strdup(s) : NULL;
}

const char *
vouch_severity_str(vouch_severity s)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};
	return (unsigned)s < 5 ? names[s] : "?";
}

int
vouch_findings_new(vouch_findings **out)
{
	vouch_findings *fs = calloc(1, sizeof *fs);
	if (!fs) {
		return VOUCH_E_NOMEM;
	}
	pthread_mutex_init(&fs->mu, NULL);
	*out = fs;
	return VOUCH_OK;
}

void
vouch_findings_free(vouch_findings *fs)
{
	if (!fs) {
		return;
	}
	for (size_t i = 0; i < fs->n; i++) {
		vouch_finding *f = &fs->v[i];
		xfree(f->id);
		xfree(f->category);
		xfree(f->title);
		xfree(f->path);
		xfree(f->evidence);
		xfree(f->detail);
		xfree(f->fingerprint);
	}
	free(fs->v);
	pthread_mutex_destroy(&fs->mu);
	free(fs);
}

int
vouch_findings_add(vouch_findings *fs, const vouch_finding *f)
{
	int rc = VOUCH_OK;
	pthread_mutex_lock(&fs->mu);
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 64;
		vouch_finding *n = realloc(fs->v, cap * sizeof *n);
		if (!n) {
			rc = VOUCH_E_NOMEM;
			goto out;
		}
		fs->v = n;
		fs->cap = cap;
	}
	vouch_finding *d = &fs->v[fs->n++];
	*d = *f;
	d->id = dup0(f->id);
	d->category = dup0(f->category);
	d->title = dup0(f->title);
	d->path = dup0(f->path);
	d->evidence = dup0(f->evidence);
	d->detail = dup0(f->detail);
	d->fingerprint = dup0(f->fingerprint);
out:
	pthread_mutex_unlock(&fs->mu);
	return rc;
}

static int
cmp_finding(const void *a, const void *b)
{
	const vouch_finding *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	if (c) {
		return c;
	}
	if (x->offset != y->offset) {
		return x->offset < y->offset ? -1 : 1;
	}
	return strcmp(x->id, y->id);
}

const vouch_finding *
vouch_findings_list(vouch_findings *fs, size_t *n)
{
	pthread_mutex_lock(&fs->mu);
	qsort(fs->v, fs->n, sizeof *fs->v, cmp_finding);
	*n = fs->n;
	pthread_mutex_unlock(&fs->mu);
	return fs->v;
}

int
vouch_afind(const vouch_actx *ctx, const char *id, const char *category, vouch_severity sev,
	    const char *title, const vouch_file *f, uint64_t offset, const char *evidence,
	    size_t evlen, const char *detail, const char *fingerprint)
{
	char ev[512];
	ev[0] = 0;
	if (evidence) {
		(void)vouch_escape(ev, sizeof ev, evidence, evlen);
	}
	vouch_finding fd = {
		.id = id,
		.category = category,
		.severity = sev,
		.title = title,
		.path = f->path,
		.offset = offset,
		.evidence = ev,
		.detail = detail,
		.fingerprint = fingerprint,
	};
	return vouch_findings_add(ctx->sink, &fd);
}

void
vouch_mask(const char *secret, size_t n, char *out, size_t cap)
{
	if (cap == 0) {
		return;
	}
	if (n >= 6) {
		snprintf(out, cap, "%.2s***", secret);
	} else {
		snprintf(out, cap, "***");
	}
}

double
vouch_str_entropy(const char *s, size_t n)
{
	uint64_t h[256] = {0};
	for (size_t i = 0; i < n; i++) {
		h[(uint8_t)s[i]]++;
	}
	return vouch_entropy(h, n);
}

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
