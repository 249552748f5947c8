/*
 * analyze/driver.c: the analysis driver: one visitor that runs every indicator analyser over
 * every file the unpacker yields, in the unpacker's one pass (contract: analyze/analyzer.h).
 *
 * Patterns. The patterns of all analysers are compiled once, at vouch_analysis_new(), into
 * one vectorscan block-mode database (HS_FLAG_SOM_LEFTMOST added, so a hit has a start);
 * pattern id i maps back to (analyser, tag). Each chunk the unpacker yields is scanned once.
 * Block mode, not streaming mode, because a hit needs bytes of context on both sides: the
 * driver scans a window made of the last WIN_OVERLAP bytes already seen plus the new chunk,
 * and takes a hit only when it ends at or after `handled_upto` (so no hit is taken twice)
 * and at least WIN_GUARD bytes before the window's end (so its after-context is whole);
 * the rest wait for the next window, which starts WIN_OVERLAP bytes earlier and so still
 * holds them with their before-context. The last window of a file takes everything. A match
 * longer than WIN_OVERLAP - 2 * VOUCH_AHIT_CTX may lose the start of its before-context at a
 * chunk boundary; the patterns we ship are bounded far below that.
 *
 * Holding. At the first bytes of a regular file each analyser says whether it `wants` the
 * whole content; if one does and the file is at most max_buffer, the driver keeps it (one
 * allocation of the file's size) and scans windows of the held copy without copying again.
 * Hits in files not held have their bytes and context copied into a per-file pool.
 *
 * Bounds. Hits are capped per pattern and file (HITS_PER_PATTERN), raw hits per window
 * (WINDOW_HITS_MAX) and copied context per file (POOL_MAX); when a cap cuts a result short
 * the file gets one "limit.matches" finding saying so. Vectorscan is linear in the input, so
 * time is bounded by bytes, not by how often patterns match.
 *
 * Containers. A file that is (or holds) a container (tar, cpio, ext2, a squashfs carved
 * from a flash image) would report every finding of its members a second time, and noise
 * from its compressed bytes. Findings therefore go to a held-back collection; at
 * vouch_analysis_finish(), those inside a region the unpacker opened are dropped (the
 * members report them), and those in unrecognised gaps or padding are kept (a URL appended
 * after the root filesystem is exactly what we look for).
 *
 * ELF. For a held ELF file some analyser wanted, the driver runs vouch_elf_analyze() once
 * and passes the report to every analyser (vouch_afile.elf).
 *
 * Rejected: one database per analyser (N passes over the bytes); vectorscan streaming mode
 * (no context around a hit without keeping our own copy anyway); buffering every file
 * (memory proportional to the image).
 */
#include <hs/hs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "base/base.h"
#include "vouch/elf.h"

/* The analysers, in the order they are called for each file. */
static const vouch_analyzer *const registry[] = {
	&vouch_analyzer_accounts,
	&vouch_analyzer_services,
	&vouch_analyzer_endpoints,
	&vouch_analyzer_secrets,
	&vouch_analyzer_keys,
	&vouch_analyzer_hardening,
	&vouch_analyzer_yara,
};
#define NAN_MAX 16

#define WIN_OVERLAP 8192                     /* bytes of the previous window scanned again */
#define WIN_GUARD VOUCH_AHIT_CTX             /* a hit ending this close to the end waits */
#define HEAD_WANTS 4096                      /* bytes given to `wants` */
#define MAX_BUFFER_DEFAULT (16ULL << 20)     /* a config, a script, most ELF files */
#define MAX_BUFFER_HARD (1ULL << 30)         /* held per file and thread: memory is real */
/* Hits of one pattern kept for one file: a config file has dozens, a binary a few hundred;
 * thousands means noise or an attack, and the analyser would learn nothing more. Counted
 * per pattern so that one flooding pattern does not starve the others. */
#define HITS_PER_PATTERN 4096
#define NPAT_MAX 256 /* patterns of all analysers together */
/* Raw vectorscan hits kept for one window before sorting out which to take. */
#define WINDOW_HITS_MAX 65536
/* Bytes of copied match + context per file not held (up to 4096 hits x ~2 KiB). */
#define POOL_MAX (8u << 20)

typedef struct rawhit {
	unsigned pat;
	uint64_t from, to;
} rawhit;

typedef struct fhit {
	unsigned an, tag, pat;
	uint64_t from, to;
	size_t pool;    /* offset of the copied before+match+after in the pool (not held) */
	uint32_t nbefore, len, nafter;
} fhit;

struct vouch_analysis {
	vouch_analysis_opts opts;
	char *yara_rules, *geoip_db;
	vouch_findings *sink, *held;
	vouch_actx ctx, hctx;
	const vouch_analyzer *an[NAN_MAX];
	void *st[NAN_MAX];
	size_t nan;
	unsigned *pat_an, *pat_tag;
	size_t npat;
	hs_database_t *db;
	hs_scratch_t *proto;
	pthread_mutex_t lock;
	hs_scratch_t **free_scratch;
	size_t nfree, capfree;
	char err[512];
};

typedef struct afstate {
	vouch_analysis *a;
	const char *path;
	uint64_t size, pos;
	bool decided, holding, cut, final_done;
	uint32_t want; /* bit i: analyser i wants the content */
	uint8_t *held;
	size_t heldcap;
	uint8_t *win; /* not held: tail of the previous window + this chunk */
	size_t wincap, taillen;
	uint64_t handled_upto;
	rawhit *wh;
	size_t nwh, capwh;
	bool wh_over;
	fhit *hits;
	size_t nhits, caphits;
	uint32_t count[NPAT_MAX];
	bool over[NAN_MAX];
	uint8_t *pool;
	size_t poollen, poolcap;
	bool pool_over;
	hs_scratch_t *scratch;
} afstate;

/* ---- setup ---- */

static char *
dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int
compile_patterns(vouch_analysis *a)
{
	const char **exprs = NULL;
	unsigned *flags = NULL, *ids = NULL;
	hs_compile_error_t *cerr = NULL;
	size_t n = 0;
	int rc = VOUCH_E_NOMEM;

	for (size_t i = 0; i < a->nan; i++) {
		n += a->an[i]->npatterns;
	}
	if (n == 0) {
		return VOUCH_OK;
	}
	if (n > NPAT_MAX) {
		snprintf(a->err, sizeof(a->err), "more than %d patterns", NPAT_MAX);
		return VOUCH_E_INTERNAL;
	}
	exprs = calloc(n, sizeof(*exprs));
	flags = calloc(n, sizeof(*flags));
	ids = calloc(n, sizeof(*ids));
	a->pat_an = calloc(n, sizeof(*a->pat_an));
	a->pat_tag = calloc(n, sizeof(*a->pat_tag));
	if (exprs == NULL || flags == NULL || ids == NULL || a->pat_an == NULL ||
	    a->pat_tag == NULL) {
		snprintf(a->err, sizeof(a->err), "out of memory");
		goto out;
	}
	for (size_t i = 0, k = 0; i < a->nan; i++) {
		for (size_t j = 0; j < a->an[i]->npatterns; j++, k++) {
			const vouch_apattern *p = &a->an[i]->patterns[j];
			exprs[k] = p->expr;
			flags[k] = p->flags | HS_FLAG_SOM_LEFTMOST;
			ids[k] = (unsigned)k;
			a->pat_an[k] = (unsigned)i;
			a->pat_tag[k] = p->tag;
		}
	}
	a->npat = n;
	if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &a->db, &cerr) !=
	    HS_SUCCESS) {
		int e = cerr != NULL ? cerr->expression : -1;
		snprintf(a->err, sizeof(a->err), "cannot compile pattern %d (%s: %s): %s", e,
			 e >= 0 && (size_t)e < n ? a->an[a->pat_an[e]]->name : "?",
			 e >= 0 && (size_t)e < n ? exprs[e] : "?",
			 cerr != NULL ? cerr->message : "unknown error");
		hs_free_compile_error(cerr);
		rc = VOUCH_E_INTERNAL;
		goto out;
	}
	if (hs_alloc_scratch(a->db, &a->proto) != HS_SUCCESS) {
		snprintf(a->err, sizeof(a->err), "cannot allocate vectorscan scratch space");
		goto out;
	}
	rc = VOUCH_OK;
out:
	free(exprs);
	free(flags);
	free(ids);
	return rc;
}

int
vouch_analysis_new(vouch_analysis **out, const vouch_analysis_opts *o, vouch_findings *sink)
{
	vouch_analysis *a;
	int rc;

	if (out == NULL || sink == NULL) {
		return VOUCH_E_USAGE;
	}
	*out = NULL;
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		return VOUCH_E_NOMEM;
	}
	*out = a; /* so the caller can read the message when this fails */
	pthread_mutex_init(&a->lock, NULL);
	if (o != NULL) {
		a->opts = *o;
	}
	a->yara_rules = dupstr(a->opts.yara_rules);
	a->geoip_db = dupstr(a->opts.geoip_db);
	a->opts.yara_rules = a->yara_rules;
	a->opts.geoip_db = a->geoip_db;
	if (a->opts.max_buffer == 0) {
		a->opts.max_buffer = MAX_BUFFER_DEFAULT;
	}
	if (a->opts.max_buffer > MAX_BUFFER_HARD) {
		snprintf(a->err, sizeof(a->err), "max_buffer above %llu bytes",
			 (unsigned long long)MAX_BUFFER_HARD);
		return VOUCH_E_LIMIT;
	}
	a->sink = sink;
	if (vouch_findings_new(&a->held) != VOUCH_OK) {
		snprintf(a->err, sizeof(a->err), "out of memory");
		return VOUCH_E_NOMEM;
	}
	a->ctx = (vouch_actx){.sink = sink, .opts = &a->opts, .err = a->err,
			      .errcap = sizeof(a->err)};
	a->hctx = a->ctx;
	a->hctx.sink = a->held;
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(registry) && i < NAN_MAX; i++) {
		a->an[a->nan] = registry[i];
		if (registry[i]->init != NULL) {
			a->err[0] = 0;
			rc = registry[i]->init(&a->ctx, &a->st[a->nan]);
			if (rc != VOUCH_OK) {
				if (a->err[0] == 0) {
					snprintf(a->err, sizeof(a->err), "analyser %s: %s",
						 registry[i]->name, vouch_err_str(rc));
				}
				return rc;
			}
		}
		a->nan++;
	}
	return compile_patterns(a);
}

void
vouch_analysis_free(vouch_analysis *a)
{
	if (a == NULL) {
		return;
	}
	for (size_t i = 0; i < a->nan; i++) {
		if (a->an[i]->free != NULL) {
			a->an[i]->free(a->st[i]);
		}
	}
	for (size_t i = 0; i < a->nfree; i++) {
		hs_free_scratch(a->free_scratch[i]);
	}
	free(a->free_scratch);
	hs_free_scratch(a->proto);
	hs_free_database(a->db);
	free(a->pat_an);
	free(a->pat_tag);
	vouch_findings_free(a->held);
	free(a->yara_rules);
	free(a->geoip_db);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

const char *
vouch_analysis_errmsg(const vouch_analysis *a)
{
	return a != NULL ? a->err : "out of memory";
}

/* ---- scanning ---- */

static int
on_hit(unsigned int id, unsigned long long from, unsigned long long to, unsigned int fl,
       void *ud)
{
	afstate *s = ud;

	(void)fl;
	if (s->nwh == s->capwh) {
		size_t nc = s->capwh ? s->capwh * 2 : 256;
		rawhit *h;
		if (nc > WINDOW_HITS_MAX || (h = realloc(s->wh, nc * sizeof(*h))) == NULL) {
			s->wh_over = true;
			return 0; /* keep scanning: other patterns' hits may still fit later */
		}
		s->wh = h;
		s->capwh = nc;
	}
	s->wh[s->nwh++] = (rawhit){id, from, to};
	return 0;
}

static bool
pool_put(afstate *s, const uint8_t *p, size_t n, size_t *off)
{
	if (s->poollen + n > POOL_MAX) {
		s->pool_over = true;
		return false;
	}
	if (s->poollen + n > s->poolcap) {
		size_t nc = VOUCH_MAX(s->poolcap * 2, s->poollen + n);
		uint8_t *q;
		nc = VOUCH_MIN(VOUCH_MAX(nc, (size_t)16384), (size_t)POOL_MAX);
		q = realloc(s->pool, nc);
		if (q == NULL) {
			s->pool_over = true;
			return false;
		}
		s->pool = q;
		s->poolcap = nc;
	}
	*off = s->poollen;
	memcpy(s->pool + s->poollen, p, n);
	s->poollen += n;
	return true;
}

/*
 * Scan the window w[0, n), whose first byte is at absolute offset base; take hits that end in
 * [handled_upto, limit). With `held` the window lies inside s->held and nothing is copied.
 */
static void
scan_window(afstate *s, const uint8_t *w, size_t n, uint64_t base, uint64_t limit, bool held)
{
	vouch_analysis *a = s->a;

	if (a->db == NULL || s->scratch == NULL || n == 0) {
		return;
	}
	s->nwh = 0;
	hs_scan(a->db, (const char *)w, (unsigned)n, 0, s->scratch, on_hit, s);
	for (size_t i = 0; i < s->nwh; i++) {
		const rawhit *r = &s->wh[i];
		uint64_t afrom = base + r->from, ato = base + r->to;
		unsigned an = a->pat_an[r->pat];
		fhit *h;

		if (ato < s->handled_upto || ato >= limit || r->to <= r->from) {
			continue;
		}
		/* the same pattern from the same start again (a longer match): keep the longer */
		if (s->nhits > 0) {
			fhit *p = &s->hits[s->nhits - 1];
			if (p->pat == r->pat && p->from == afrom &&
			    (held || p->pool + p->nbefore + p->len + p->nafter == s->poollen)) {
				s->nhits--;
				s->count[r->pat]--;
				if (!held) {
					s->poollen = p->pool;
				}
			}
		}
		if (s->count[r->pat] >= HITS_PER_PATTERN) {
			s->over[an] = true;
			continue;
		}
		if (s->nhits == s->caphits) {
			size_t nc = s->caphits ? s->caphits * 2 : 64;
			fhit *q = realloc(s->hits, nc * sizeof(*q));
			if (q == NULL) {
				s->over[an] = true;
				continue;
			}
			s->hits = q;
			s->caphits = nc;
		}
		h = &s->hits[s->nhits];
		h->an = an;
		h->pat = r->pat;
		h->tag = a->pat_tag[r->pat];
		h->from = afrom;
		h->to = ato;
		h->len = (uint32_t)VOUCH_MIN(r->to - r->from, (uint64_t)VOUCH_AHIT_MAX_LEN);
		/* held: the context may reach back before the window, into the held copy */
		h->nbefore = (uint32_t)VOUCH_MIN(held ? afrom : r->from, (uint64_t)VOUCH_AHIT_CTX);
		h->nafter = (uint32_t)VOUCH_MIN(n - r->to, (size_t)VOUCH_AHIT_CTX);
		h->pool = 0;
		if (!held) {
			size_t off, nb = h->nbefore, na = h->nafter;
			/* before + match (cut) + after, contiguous when the match is whole */
			if (!pool_put(s, w + r->from - nb, nb + h->len, &off)) {
				continue;
			}
			size_t off2;
			if (!pool_put(s, w + r->to, na, &off2)) {
				s->poollen = off;
				continue;
			}
			h->pool = off;
		}
		s->nhits++;
		s->count[r->pat]++;
	}
	if (s->wh_over) {
		for (size_t i = 0; i < a->nan; i++) {
			if (a->an[i]->npatterns > 0) {
				s->over[i] = true;
			}
		}
		s->wh_over = false;
	}
}

static void
decide(afstate *s, const uint8_t *head, size_t n)
{
	vouch_analysis *a = s->a;

	s->decided = true;
	for (size_t i = 0; i < a->nan; i++) {
		if (a->an[i]->wants != NULL &&
		    a->an[i]->wants(a->st[i], s->path, head, VOUCH_MIN(n, (size_t)HEAD_WANTS))) {
			s->want |= 1u << i;
		}
	}
	if (s->want == 0) {
		return;
	}
	if (s->size > a->opts.max_buffer) {
		s->cut = true;
		return;
	}
	s->heldcap = (size_t)VOUCH_MAX(s->size, (uint64_t)1);
	s->held = malloc(s->heldcap);
	if (s->held == NULL) {
		s->cut = true;
		return;
	}
	s->holding = true;
}

static int
a_begin(void *ud, const vouch_file *f, void **state)
{
	vouch_analysis *a = ud;
	afstate *s;

	*state = NULL;
	if (f->ftype != VOUCH_FT_REG) {
		return VOUCH_OK;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return VOUCH_E_NOMEM;
	}
	s->a = a;
	s->path = f->path;
	s->size = f->size;
	pthread_mutex_lock(&a->lock);
	if (a->nfree > 0) {
		s->scratch = a->free_scratch[--a->nfree];
	}
	pthread_mutex_unlock(&a->lock);
	if (s->scratch == NULL && a->proto != NULL &&
	    hs_clone_scratch(a->proto, &s->scratch) != HS_SUCCESS) {
		free(s);
		return VOUCH_E_NOMEM;
	}
	*state = s;
	return VOUCH_OK;
}

static int
a_data(void *ud, void *state, const uint8_t *p, size_t n, uint64_t offset)
{
	afstate *s = state;
	uint64_t end;

	(void)ud;
	if (s == NULL || n == 0) {
		return VOUCH_OK;
	}
	if (!s->decided) {
		decide(s, p, n);
	}
	if (offset != s->pos || !vouch_add_u64(offset, n, &end)) {
		return VOUCH_E_INTERNAL; /* the engine yields bytes in order */
	}
	bool last = end >= s->size;
	if (s->holding && end > s->heldcap) {
		/* more bytes than the size said: stop holding, carry on as not held */
		free(s->held);
		s->held = NULL;
		s->holding = false;
		s->cut = true;
		s->handled_upto = s->pos; /* hits before this were taken already */
		last = false;
	}
	if (s->holding) {
		memcpy(s->held + offset, p, n);
		uint64_t base = offset > WIN_OVERLAP ? offset - WIN_OVERLAP : 0;
		uint64_t limit = last ? UINT64_MAX : (end > WIN_GUARD ? end - WIN_GUARD : 0);
		scan_window(s, s->held + base, (size_t)(end - base), base, limit, true);
		if (limit > s->handled_upto) {
			s->handled_upto = limit;
		}
	} else {
		size_t need = s->taillen + n;
		if (need > s->wincap) {
			uint8_t *w = realloc(s->win, need);
			if (w == NULL) {
				return VOUCH_E_NOMEM;
			}
			s->win = w;
			s->wincap = need;
		}
		memcpy(s->win + s->taillen, p, n);
		uint64_t base = offset - s->taillen;
		uint64_t limit = last ? UINT64_MAX : (end > WIN_GUARD ? end - WIN_GUARD : 0);
		scan_window(s, s->win, need, base, limit, false);
		if (limit > s->handled_upto) {
			s->handled_upto = limit;
		}
		s->taillen = VOUCH_MIN(need, (size_t)WIN_OVERLAP);
		memmove(s->win, s->win + need - s->taillen, s->taillen);
	}
	s->pos = end;
	s->final_done = last;
	return VOUCH_OK;
}

static int
cmp_fhit(const void *x, const void *y)
{
	const fhit *a = x, *b = y;
	if (a->an != b->an) {
		return a->an < b->an ? -1 : 1;
	}
	if (a->from != b->from) {
		return a->from < b->from ? -1 : 1;
	}
	return a->to < b->to ? -1 : (a->to > b->to);
}

static void
release(afstate *s)
{
	vouch_analysis *a = s->a;

	if (s->scratch != NULL) {
		pthread_mutex_lock(&a->lock);
		if (a->nfree == a->capfree) {
			size_t nc = a->capfree ? a->capfree * 2 : 16;
			hs_scratch_t **q = realloc(a->free_scratch, nc * sizeof(*q));
			if (q != NULL) {
				a->free_scratch = q;
				a->capfree = nc;
			}
		}
		if (a->nfree < a->capfree) {
			a->free_scratch[a->nfree++] = s->scratch;
			s->scratch = NULL;
		}
		pthread_mutex_unlock(&a->lock);
		hs_free_scratch(s->scratch);
	}
	free(s->held);
	free(s->win);
	free(s->wh);
	free(s->hits);
	free(s->pool);
	free(s);
}

static int
a_end(void *ud, void *state, const vouch_file *f)
{
	vouch_analysis *a = ud;
	afstate *s = state;
	vouch_elf_report *elf = NULL;
	vouch_ahit *ah = NULL;
	const vouch_actx *ctx;

	if (s == NULL) {
		return VOUCH_OK;
	}
	if (!s->decided) {
		decide(s, (const uint8_t *)"", 0);
	}
	if (!s->final_done) {
		/* the size was not reached (a short read): take what waited for the next window */
		if (s->holding) {
			uint64_t base = s->pos > WIN_OVERLAP ? s->pos - WIN_OVERLAP : 0;
			scan_window(s, s->held + base, (size_t)(s->pos - base), base, UINT64_MAX,
				    true);
		} else {
			scan_window(s, s->win, s->taillen, s->pos - s->taillen, UINT64_MAX, false);
		}
	}
	/* every finding waits for vouch_analysis_finish(): the report's opened regions say
	 * which ones a container's members report again (a file's `container` names only
	 * the format found at its start, so it cannot decide this) */
	ctx = &a->hctx;
	if (s->holding && s->pos >= 4 && memcmp(s->held, "\177ELF", 4) == 0) {
		if (vouch_elf_analyze(s->held, (size_t)s->pos, &elf) != VOUCH_OK) {
			elf = NULL;
		}
	}
	if (s->nhits > 0) {
		qsort(s->hits, s->nhits, sizeof(*s->hits), cmp_fhit);
	}
	if (s->nhits > 0 && (ah = calloc(s->nhits, sizeof(*ah))) == NULL) {
		release(s);
		vouch_elf_report_free(elf);
		return VOUCH_E_NOMEM;
	}
	for (size_t i = 0; i < s->nhits; i++) {
		const fhit *h = &s->hits[i];
		vouch_ahit *x = &ah[i];
		x->tag = h->tag;
		x->from = h->from;
		x->to = h->to;
		x->len = h->len;
		x->nbefore = h->nbefore;
		x->nafter = h->nafter;
		if (s->holding) {
			x->bytes = s->held + h->from;
			x->before = x->bytes - h->nbefore;
			x->after = s->held + h->to;
		} else {
			x->before = s->pool + h->pool;
			x->bytes = x->before + h->nbefore;
			x->after = x->bytes + h->len;
		}
	}
	for (size_t i = 0, k = 0; i < a->nan; i++) {
		size_t j = k;
		while (j < s->nhits && s->hits[j].an == i) {
			j++;
		}
		bool wanted = (s->want >> i) & 1u;
		vouch_afile af = {
			.f = f,
			.data = wanted && s->holding ? (s->pos ? s->held : (const uint8_t *)"") : NULL,
			.len = wanted && s->holding ? (size_t)s->pos : 0,
			.cut = wanted && s->cut,
			.elf = wanted ? elf : NULL,
		};
		if (a->an[i]->file != NULL) {
			a->an[i]->file(ctx, a->st[i], &af, ah != NULL ? ah + k : NULL, j - k);
		}
		if (s->over[i] || (s->pool_over && j > k)) {
			char title[200];
			snprintf(title, sizeof(title),
				 "more than %d matches of one pattern of the %s analyser in this "
				 "file: the rest were not examined",
				 HITS_PER_PATTERN, a->an[i]->name);
			vouch_afind(ctx, "limit.matches", "limit", VOUCH_SEV_LOW, title, f,
				    UINT64_MAX, NULL, 0, NULL, NULL);
		}
		k = j;
	}
	free(ah);
	vouch_elf_report_free(elf);
	release(s);
	return VOUCH_OK;
}

void
vouch_analysis_visitor(vouch_analysis *a, vouch_visitor *out)
{
	out->ud = a;
	out->file_begin = a_begin;
	out->file_data = a_data;
	out->file_end = a_end;
}

/* ---- after the scan ---- */

typedef struct oreg {
	const char *node;
	uint64_t off, len;
} oreg;

static int
cmp_oreg(const void *x, const void *y)
{
	const oreg *a = x, *b = y;
	int c = strcmp(a->node, b->node);
	if (c != 0) {
		return c;
	}
	return a->off < b->off ? -1 : (a->off > b->off);
}

/* Is (path, off) inside a region the unpacker opened? */
static bool
in_opened(const oreg *r, size_t n, const char *path, uint64_t off)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* first region of this node */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(r[mid].node, path) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	for (size_t i = lo; i < n && strcmp(r[i].node, path) == 0; i++) {
		if (off >= r[i].off && off - r[i].off < r[i].len) {
			return true;
		}
	}
	return false;
}

int
vouch_analysis_finish(vouch_analysis *a, const vouch_report *rep)
{
	const vouch_finding *hf;
	oreg *regs = NULL;
	size_t nh = 0, nr = 0;

	if (a == NULL) {
		return VOUCH_E_USAGE;
	}
	if (rep != NULL && rep->nregions > 0) {
		regs = calloc(rep->nregions, sizeof(*regs));
		if (regs == NULL) {
			snprintf(a->err, sizeof(a->err), "out of memory");
			return VOUCH_E_NOMEM;
		}
		for (size_t i = 0; i < rep->nregions; i++) {
			const vouch_region *g = &rep->regions[i];
			if (g->kind == VOUCH_REGION_OPENED && g->node != NULL) {
				regs[nr++] = (oreg){g->node, g->offset, g->length};
			}
		}
		if (nr > 0) {
			qsort(regs, nr, sizeof(*regs), cmp_oreg);
		}
	}
	hf = vouch_findings_list(a->held, &nh);
	for (size_t i = 0; i < nh; i++) {
		if (hf[i].offset != UINT64_MAX && in_opened(regs, nr, hf[i].path, hf[i].offset)) {
			continue; /* a member of the container reports it */
		}
		vouch_findings_add(a->sink, &hf[i]);
	}
	free(regs);
	for (size_t i = 0; i < a->nan; i++) {
		if (a->an[i]->finish != NULL) {
			a->an[i]->finish(&a->ctx, a->st[i], rep);
		}
	}
	return VOUCH_OK;
}
