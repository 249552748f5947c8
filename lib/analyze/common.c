/*
 * analyze/common.c: what every analyser shares: the thread-safe findings collection, the
 * one way to add a finding (vouch_afind: evidence escaped and cut to an excerpt), masking of
 * secrets and the entropy of a string.
 *
 * Design: each finding is copied into one malloc'd block holding the struct and all of its
 * strings, so adding is one allocation under the lock and freeing is one free per finding.
 * The array is sorted (path, offset, id, evidence) lazily when it is read, which makes the
 * order independent of which worker thread found what first. The collection holds at most
 * FINDINGS_MAX findings; past that, adds are counted and one "limit.findings" finding says
 * how many were dropped (rejected: a per-category cap, which would hide that the image is
 * flooding one category, and that is itself worth seeing).
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "base/base.h"

/* Findings held for one image. A real image yields hundreds; an image that yields more than
 * this is flooding us on purpose (or every file repeats one string), and a report longer
 * than this helps nobody. */
#define FINDINGS_MAX 100000

/* Bytes of evidence (before escaping) kept in one finding: one line of a config file or the
 * string around a match in a binary; longer evidence is cut with "..." appended. */
#define EVIDENCE_MAX 240

struct vouch_findings {
	pthread_mutex_t lock;
	vouch_finding **items;
	size_t n, cap;
	uint64_t dropped;
	bool sorted;
	vouch_finding *limit; /* the "limit.findings" finding, once needed */
	vouch_finding *view;  /* flat array handed out by vouch_findings_list() */
	size_t nview;
};

const char *
vouch_severity_str(vouch_severity s)
{
	switch (s) {
	case VOUCH_SEV_INFO: return "info";
	case VOUCH_SEV_LOW: return "low";
	case VOUCH_SEV_MEDIUM: return "medium";
	case VOUCH_SEV_HIGH: return "high";
	case VOUCH_SEV_CRITICAL: return "critical";
	}
	return "info";
}

int
vouch_findings_new(vouch_findings **out)
{
	vouch_findings *fs;

	if (out == NULL) {
		return VOUCH_E_USAGE;
	}
	fs = calloc(1, sizeof(*fs));
	if (fs == NULL) {
		return VOUCH_E_NOMEM;
	}
	pthread_mutex_init(&fs->lock, NULL);
	fs->sorted = true;
	*out = fs;
	return VOUCH_OK;
}

void
vouch_findings_free(vouch_findings *fs)
{
	if (fs == NULL) {
		return;
	}
	for (size_t i = 0; i < fs->n; i++) {
		free(fs->items[i]);
	}
	free(fs->items);
	free(fs->limit);
	free(fs->view);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

static size_t
slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* Copy s into the block at *p; NULL stays NULL. */
static const char *
put(char **p, const char *s)
{
	size_t n;
	char *d;

	if (s == NULL) {
		return NULL;
	}
	n = strlen(s) + 1;
	d = *p;
	memcpy(d, s, n);
	*p += n;
	return d;
}

static vouch_finding *
copy_finding(const vouch_finding *f)
{
	size_t total = sizeof(vouch_finding) + slen(f->id) + slen(f->category) + slen(f->title) +
		       slen(f->path) + slen(f->evidence) + slen(f->detail) + slen(f->fingerprint);
	vouch_finding *c = malloc(total);
	char *p;

	if (c == NULL) {
		return NULL;
	}
	*c = *f;
	p = (char *)(c + 1);
	c->id = put(&p, f->id ? f->id : "unknown");
	c->category = put(&p, f->category ? f->category : "unknown");
	c->title = put(&p, f->title ? f->title : "");
	c->path = put(&p, f->path ? f->path : "");
	c->evidence = put(&p, f->evidence);
	c->detail = put(&p, f->detail);
	c->fingerprint = put(&p, f->fingerprint);
	return c;
}

int
vouch_findings_add(vouch_findings *fs, const vouch_finding *f)
{
	vouch_finding *c;
	int rc = VOUCH_OK;

	if (fs == NULL || f == NULL) {
		return VOUCH_E_USAGE;
	}
	pthread_mutex_lock(&fs->lock);
	if (fs->n >= FINDINGS_MAX) {
		fs->dropped++;
		rc = VOUCH_E_LIMIT;
		goto out;
	}
	if (fs->n == fs->cap) {
		size_t nc = fs->cap ? fs->cap * 2 : 64;
		vouch_finding **it = realloc(fs->items, nc * sizeof(*it));
		if (it == NULL) {
			fs->dropped++;
			rc = VOUCH_E_NOMEM;
			goto out;
		}
		fs->items = it;
		fs->cap = nc;
	}
	c = copy_finding(f);
	if (c == NULL) {
		fs->dropped++;
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	fs->items[fs->n++] = c;
	fs->sorted = false;
out:
	pthread_mutex_unlock(&fs->lock);
	return rc;
}

static int
strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int
cmp_finding(const void *pa, const void *pb)
{
	const vouch_finding *a = *(vouch_finding *const *)pa, *b = *(vouch_finding *const *)pb;
	int c = strcmp(a->path, b->path);

	if (c != 0) {
		return c;
	}
	if (a->offset != b->offset) {
		return a->offset < b->offset ? -1 : 1;
	}
	if ((c = strcmp(a->id, b->id)) != 0) {
		return c;
	}
	if ((c = strcmp0(a->evidence, b->evidence)) != 0) {
		return c;
	}
	return strcmp0(a->detail, b->detail);
}

const vouch_finding *
vouch_findings_list(vouch_findings *fs, size_t *n)
{
	const vouch_finding *res = NULL;
	size_t total;

	if (n != NULL) {
		*n = 0;
	}
	if (fs == NULL) {
		return NULL;
	}
	pthread_mutex_lock(&fs->lock);
	if (fs->sorted && fs->view != NULL) {
		/* nothing added since the last call: the same array (it lives until an add) */
		if (n != NULL) {
			*n = fs->nview;
		}
		res = fs->view;
		pthread_mutex_unlock(&fs->lock);
		return res;
	}
	if (!fs->sorted) {
		if (fs->n > 0) {
			qsort(fs->items, fs->n, sizeof(*fs->items), cmp_finding);
		}
		fs->sorted = true;
	}
	if (fs->dropped > 0 && fs->limit == NULL) {
		char title[160];
		vouch_finding lf = {
			.id = "limit.findings",
			.category = "limit",
			.severity = VOUCH_SEV_MEDIUM,
			.title = title,
			.path = "",
			.offset = UINT64_MAX,
		};
		snprintf(title, sizeof(title),
			 "%llu findings were dropped: the report holds at most %d",
			 (unsigned long long)fs->dropped, FINDINGS_MAX);
		fs->limit = copy_finding(&lf);
	}
	total = fs->n + (fs->limit != NULL);
	free(fs->view);
	fs->view = total ? malloc(total * sizeof(*fs->view)) : NULL;
	fs->nview = 0;
	if (fs->view != NULL) {
		if (fs->limit != NULL) {
			fs->view[fs->nview++] = *fs->limit; /* path "": sorts first */
		}
		for (size_t i = 0; i < fs->n; i++) {
			fs->view[fs->nview++] = *fs->items[i];
		}
		res = fs->view;
		if (n != NULL) {
			*n = fs->nview;
		}
	}
	pthread_mutex_unlock(&fs->lock);
	return res;
}

int
vouch_afind(const vouch_actx *ctx, const char *id, const char *category, vouch_severity sev,
	    const char *title, const vouch_file *f, uint64_t offset, const char *evidence,
	    size_t evlen, const char *detail, const char *fingerprint)
{
	char ev[EVIDENCE_MAX * 4 + 8];
	vouch_finding fd = {
		.id = id,
		.category = category,
		.severity = sev,
		.title = title,
		.path = f != NULL ? f->path : "",
		.offset = offset,
		.detail = detail,
		.fingerprint = fingerprint,
	};

	if (ctx == NULL || ctx->sink == NULL) {
		return VOUCH_E_USAGE;
	}
	if (evidence != NULL) {
		bool cut = evlen > EVIDENCE_MAX;
		size_t k = vouch_escape(ev, sizeof(ev) - 4, evidence, cut ? EVIDENCE_MAX : evlen);
		if (k >= sizeof(ev) - 4) {
			k = sizeof(ev) - 5;
		}
		if (cut) {
			memcpy(ev + k, "...", 4);
		}
		fd.evidence = ev;
	}
	return vouch_findings_add(ctx->sink, &fd);
}

void
vouch_mask(const char *secret, size_t n, char *out, size_t cap)
{
	if (out == NULL || cap == 0) {
		return;
	}
	if (secret != NULL && n >= 6 && cap >= 6) {
		/* the first two characters, only when both are plain ASCII (no half of a UTF-8
		 * sequence, no control byte) */
		char a = secret[0], b = secret[1];
		if (a > 0x20 && a < 0x7F && b > 0x20 && b < 0x7F && a != '\\' && b != '\\') {
			snprintf(out, cap, "%c%c***", a, b);
			return;
		}
	}
	snprintf(out, cap, "***");
}

double
vouch_str_entropy(const char *s, size_t n)
{
	unsigned cnt[256] = {0};
	double h = 0.0;

	if (s == NULL || n == 0) {
		return 0.0;
	}
	for (size_t i = 0; i < n; i++) {
		cnt[(unsigned char)s[i]]++;
	}
	for (unsigned i = 0; i < 256; i++) {
		if (cnt[i] != 0) {
			double p = (double)cnt[i] / (double)n;
			h -= p * log2(p);
		}
	}
	return h;
}

static bool
text_byte(uint8_t c)
{
	return (c >= 0x20 && c < 0x7F) || c == '\t';
}

size_t
vouch_ahit_text(const vouch_ahit *h, char *out, size_t cap, size_t *at, bool *bounded_before,
		bool *bounded_after)
{
	size_t nb = 0, na = 0, len, k = 0, room;
	bool bb = false, ba = false;

	if (out == NULL || cap == 0 || h == NULL) {
		return 0;
	}
	while (nb < h->nbefore && text_byte(h->before[h->nbefore - 1 - nb])) {
		nb++;
	}
	bb = nb < h->nbefore || h->from == 0; /* the start of the file bounds it too */
	while (na < h->nafter && text_byte(h->after[na])) {
		na++;
	}
	ba = na < h->nafter;
	/* the match first, then as much of each side as fits, split evenly */
	len = VOUCH_MIN(h->len, cap - 1);
	room = cap - 1 - len;
	if (nb + na > room) {
		size_t half = room / 2;
		if (nb > half && na > half) {
			nb = half;
			na = room - half;
		} else if (nb > half) {
			nb = room - na;
		} else {
			na = room - nb;
		}
	}
	memcpy(out, h->before + h->nbefore - nb, nb);
	k = nb;
	memcpy(out + k, h->bytes, len);
	k += len;
	memcpy(out + k, h->after, na);
	k += na;
	out[k] = 0;
	if (at != NULL) {
		*at = nb;
	}
	if (bounded_before != NULL) {
		*bounded_before = bb;
	}
	if (bounded_after != NULL) {
		*bounded_after = ba;
	}
	return k;
}

/* The context of a hit holds control bytes: the string sits inside a binary. */
bool
vouch_ahit_binary(const vouch_ahit *h)
{
	for (size_t i = 0; i < h->nbefore; i++) {
		uint8_t c = h->before[i];
		if (c < 0x09 || (c > 0x0D && c < 0x20)) {
			return true;
		}
	}
	for (size_t i = 0; i < h->nafter; i++) {
		uint8_t c = h->after[i];
		if (c < 0x09 || (c > 0x0D && c < 0x20)) {
			return true;
		}
	}
	return false;
}
