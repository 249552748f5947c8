/*
 * sbom/ident.c: identify the components of an image while the unpacker yields its files.
 *
 * The identifier is a scan visitor (vouch/scan.h). For every file it sees, in the one pass the
 * engine makes over the bytes:
 *   - content rules: each chunk is scanned with the vectorscan database of every prefix
 *     rule and anchor (rules.c). A chunk is scanned together with the last RULES_OVERLAP bytes of the one
 *     before, so a version string cut by a chunk boundary is still seen; a match is taken
 *     only once, by the first window that holds it whole and not within GUARD bytes of its
 *     end (a longer match may continue into the next chunk). ELF-only rules apply when the
 *     file starts with the ELF magic.
 *   - name rules: the base name against each rule's expression (uClibc, BIND libraries).
 *   - package databases: opkg/ipkg and dpkg `status`, opkg `*.control`, a `control` file
 *     from inside an .ipk/.deb, apk `installed`: buffered (bounded) and parsed at the end.
 * What a file yields is resolved when it ends (a standalone version needs its anchor in the
 * same file: only then is the held ELF file scanned with the second database, of standalone
 * version strings; of two versions of one component in one file, one a prefix of the other, the
 * longer wins: "OpenSSH_9.2" beside "OpenSSH_9.2p1") and appended to one list under a lock.
 * vouch_ident_finish() merges the list by (component, version) into components with all
 * their evidence, and lists the image's files with their digests and owning component.
 *
 * Everything read from the image is hostile: matches are bounded (VOUCH_RULE_MAX_MATCH),
 * candidates per file are bounded, package databases are bounded and parsed line by line.
 */
#include <hs/hs.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "crypto/crypto.h"
#include "sbom/ident_int.h"
#include "vouch/elf.h"
#include "sbom/rules.h"

#define RULES_OVERLAP 1024       /* bytes of the previous chunk scanned again */
#define RULES_GUARD 256          /* a match ending this close to a window's end waits */
#define FILE_MAX_CANDS 256       /* version candidates kept per file */
#define FILE_MAX_STANDALONE 64   /* standalone version strings kept per rule and file */
#define FILE_MAX_ANCHORS 8       /* anchor offsets kept per rule and file */
#define PKGDB_MAX (32u << 20)    /* a package database larger than this is not read */
#define IDENT_MAX_HITS 1000000   /* evidence records per image */
#define ELF_MAX_HELD (64u << 20) /* an ELF file larger than this gives no DT_NEEDED edges */
#define FILE_MAX_RAW_HITS 65536  /* pattern hits kept per window (thousands of matches) */

typedef enum pkgdb_kind {
	PKGDB_NONE = 0,
	PKGDB_OPKG,     /* opkg/ipkg status: stanzas with Status: ... installed */
	PKGDB_DPKG,     /* dpkg status */
	PKGDB_CONTROL,  /* one control file (opkg info/NAME.control, or from an .ipk/.deb) */
	PKGDB_APK,      /* apk installed: P:name / V:version lines */
} pkgdb_kind;

typedef struct cand {
	size_t rule;
	uint64_t offset;
	char version[64];
	char text[VOUCH_RULE_MAX_MATCH + 1];
} cand;

/* A NUL-bounded version string of a standalone rule: kept raw (the vectorscan pattern has
 * already checked its shape), judged at file end only if the rule's anchor was seen. */
typedef struct sa_hit {
	size_t rule;
	uint64_t offset;
	uint8_t len;
	char v[48];
} sa_hit;

typedef struct raw_hit {
	unsigned id;
	unsigned long long from, to;
} raw_hit;

struct fstate {
	vouch_ident *id;
	const char *path; /* the engine's string: valid until file_end */
	bool elf, first;
	pkgdb_kind pkg;
	uint8_t *db;
	size_t dblen;
	bool db_over;
	uint8_t *elfbuf;       /* the whole ELF file, for vouch_elf_analyze at the end */
	size_t elflen, elfcap;
	uint64_t size;         /* the file's size as its container says (a hint) */
	bool elf_over;
	vouch_sha1 *sha1;      /* SPDX wants SHA-1 per file (only when asked for) */
	uint8_t *win;
	size_t wincap;
	uint8_t tail[RULES_OVERLAP];
	size_t taillen;
	uint64_t pos;          /* bytes of the file seen */
	uint64_t handled_upto; /* matches ending before this (absolute) were taken */
	raw_hit *hits;
	size_t nhits, caphits;
	bool hits_over;
	cand *cands;
	size_t ncands;
	sa_hit *sa;            /* standalone version strings */
	size_t nsa, capsa;
	uint16_t *nsa_rule;    /* how many kept per rule */
	uint64_t (*anchors)[FILE_MAX_ANCHORS];
	uint8_t *nanchors;
	hs_scratch_t *scratch;
};

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && memcmp(s + a - b, suf, b) == 0;
}

static pkgdb_kind
pkgdb_of(const char *path)
{
	const char *b = base_name(path);

	if (ends_with(path, "/opkg/status") || ends_with(path, "/ipkg/status")) {
		return PKGDB_OPKG;
	}
	if (ends_with(path, "/dpkg/status")) {
		return PKGDB_DPKG;
	}
	if (ends_with(path, "/apk/db/installed")) {
		return PKGDB_APK;
	}
	if (strcmp(b, "control") == 0 ||
	    ((strstr(path, "/opkg/info/") || strstr(path, "/ipkg/info/")) &&
	     ends_with(b, ".control"))) {
		return PKGDB_CONTROL;
	}
	return PKGDB_NONE;
}

/* ---- the shared result list ---- */

static void
add_hit(vouch_ident *id, size_t comp, const char *version, const char *method,
	const char *rule, const char *path, uint64_t offset, const char *text, double conf,
	const char *pkgname, const char *pkgver, const char *arch)
{
	pthread_mutex_lock(&id->lock);
	if (id->nhits >= IDENT_MAX_HITS) {
		id->hits_dropped++;
		goto out;
	}
	if (vouch_grow((void **)&id->hits, &id->caphits, id->nhits, sizeof(*id->hits), 64)) {
		id->hits_dropped++;
		goto out;
	}
	ident_hit *h = &id->hits[id->nhits++];
	memset(h, 0, sizeof(*h));
	h->comp = comp;
	h->version = vouch_arena_strndup(id->arena, version, strlen(version));
	h->method = method;
	h->rule = rule ? vouch_arena_strndup(id->arena, rule, strlen(rule)) : NULL;
	h->path = vouch_arena_strndup(id->arena, path, strlen(path));
	h->offset = offset;
	h->text = text ? vouch_arena_strndup(id->arena, text, strlen(text)) : NULL;
	h->confidence = conf;
	h->pkgname = pkgname ? vouch_arena_strndup(id->arena, pkgname, strlen(pkgname)) : NULL;
	h->pkgver = pkgver ? vouch_arena_strndup(id->arena, pkgver, strlen(pkgver)) : NULL;
	h->arch = arch ? vouch_arena_strndup(id->arena, arch, strlen(arch)) : NULL;
	if (h->version == NULL || h->path == NULL) {
		id->nhits--;
		id->hits_dropped++;
	}
out:
	pthread_mutex_unlock(&id->lock);
}

/* ---- content rules ---- */

static int
on_match(unsigned int pid, unsigned long long from, unsigned long long to, unsigned int flags,
	 void *ctx)
{
	struct fstate *st = ctx;

	(void)flags;
	if (st->nhits >= FILE_MAX_RAW_HITS ||
	    vouch_grow((void **)&st->hits, &st->caphits, st->nhits, sizeof(*st->hits), 64)) {
		st->hits_over = true;
		return 0; /* keep scanning; later hits of this window are dropped */
	}
	st->hits[st->nhits++] = (raw_hit){pid, from, to};
	return 0;
}

static int
cmp_hit(const void *a, const void *b)
{
	const raw_hit *x = a, *y = b;
	if (x->id != y->id) {
		return x->id < y->id ? -1 : 1;
	}
	if (x->from != y->from) {
		return x->from < y->from ? -1 : 1;
	}
	return x->to < y->to ? 1 : (x->to > y->to ? -1 : 0); /* longest first */
}

/* Printable text of a match for the evidence (NUL and control bytes shown as '.'). */
static void
evidence_text(const uint8_t *p, size_t n, char *out)
{
	size_t i;
	for (i = 0; i < n && i < VOUCH_RULE_MAX_MATCH; i++) {
		out[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '.';
	}
	out[i] = 0;
}

/* libxml2 writes its version as one number: 20914 is 2.9.14. */
static bool
xmlnum(const char *in, char *out, size_t cap)
{
	size_t n = strlen(in);
	if (n < 5 || n > 9) {
		return false;
	}
	long v = strtol(in, NULL, 10);
	snprintf(out, cap, "%ld.%ld.%ld", v / 10000, (v / 100) % 100, v % 100);
	return true;
}

static void
add_cand(struct fstate *st, size_t rule, uint64_t off, const char *ver, const uint8_t *p,
	 size_t n)
{
	const vouch_rule *r = &st->id->rules.rules[rule];
	cand *c;

	if (st->ncands >= FILE_MAX_CANDS) {
		return;
	}
	c = &st->cands[st->ncands];
	if (r->xmlnum) {
		if (!xmlnum(ver, c->version, sizeof(c->version))) {
			return;
		}
	} else {
		snprintf(c->version, sizeof(c->version), "%s", ver);
	}
	c->rule = rule;
	c->offset = off;
	evidence_text(p, n, c->text);
	st->ncands++;
}

/* Cut the version out of [p, p+n) with the rule's ^(version) expression. */
static bool
extract(const vouch_rule *r, const uint8_t *p, size_t n, char *ver, size_t cap)
{
	char buf[VOUCH_RULE_MAX_MATCH + 1];
	regmatch_t m[2];
	size_t k;

	for (k = 0; k < n && k < VOUCH_RULE_MAX_MATCH && p[k] != 0; k++) {
		buf[k] = (char)p[k];
	}
	buf[k] = 0;
	if (regexec(&r->ver, buf, 2, m, 0) != 0 || m[1].rm_so != 0 || m[1].rm_eo <= 0 ||
	    (size_t)m[1].rm_eo >= cap) {
		return false;
	}
	memcpy(ver, buf, (size_t)m[1].rm_eo);
	ver[m[1].rm_eo] = 0;
	return true;
}

/*
 * Scan one window (the previous tail + this chunk) whose first byte is at absolute offset
 * `base`; take the matches that end in [handled_upto, limit).
 */
static void
scan_window(struct fstate *st, const uint8_t *w, size_t n, uint64_t base, uint64_t limit)
{
	const vouch_ruleset *rs = &st->id->rules;
	size_t i;

	if (rs->hsdb == NULL || n == 0 || st->scratch == NULL) {
		return;
	}
	st->nhits = 0;
	hs_scan(rs->hsdb, (const char *)w, (unsigned)n, 0, st->scratch, on_match, st);
	if (st->nhits > 0) {
		qsort(st->hits, st->nhits, sizeof(*st->hits), cmp_hit);
	}
	for (i = 0; i < st->nhits; i++) {
		raw_hit *h = &st->hits[i];
		size_t rule = h->id / 2;
		const vouch_rule *r = &rs->rules[rule];
		uint64_t aend = base + h->to;
		char ver[64];

		if (i > 0 && h->id == st->hits[i - 1].id && h->from == st->hits[i - 1].from) {
			continue; /* a shorter match from the same start */
		}
		if (aend < st->handled_upto || aend >= limit) {
			continue;
		}
		if (!r->any_file && !st->elf) {
			continue;
		}
		if (r->kind == RULE_STANDALONE && h->id % 2 == 0) {
			uint8_t k = st->nanchors[rule];
			if (k < FILE_MAX_ANCHORS) {
				st->anchors[rule][k] = aend - r->anchor_len;
				st->nanchors[rule] = (uint8_t)(k + 1);
			}
			continue;
		}
		if (h->to - h->from > VOUCH_RULE_MAX_MATCH) {
			continue;
		}
		const uint8_t *m = w + h->from;
		size_t mlen = (size_t)(h->to - h->from);
		if (r->kind == RULE_PREFIX) {
			if (extract(r, m + r->prefix_len, mlen - r->prefix_len, ver, sizeof(ver))) {
				add_cand(st, rule, base + h->from, ver, m, mlen);
			}
		}
	}
}

/* A standalone version string in a held ELF file (second database, rules with an anchor). */
static int
on_sa_match(unsigned int pid, unsigned long long from, unsigned long long to, unsigned int flags,
	    void *ctx)
{
	struct fstate *st = ctx;
	size_t rule = pid / 2, len;

	(void)flags;
	if (to <= from + 2 || to > st->elflen || st->nanchors[rule] == 0 ||
	    st->nsa_rule[rule] >= FILE_MAX_STANDALONE) {
		return 0;
	}
	len = (size_t)(to - from - 2);
	if (len >= sizeof(st->sa->v) ||
	    vouch_grow((void **)&st->sa, &st->capsa, st->nsa, sizeof(*st->sa), 16) != VOUCH_OK) {
		return 0;
	}
	sa_hit *sh = &st->sa[st->nsa++];
	sh->rule = rule;
	sh->offset = from + 1;
	sh->len = (uint8_t)len;
	memcpy(sh->v, st->elfbuf + from + 1, len);
	sh->v[len] = 0;
	st->nsa_rule[rule]++;
	return 0;
}

static int
v_begin(void *ud, const vouch_file *f, void **state)
{
	vouch_ident *id = ud;
	struct fstate *st;

	*state = NULL;
	if (f->ftype != VOUCH_FT_REG) {
		return VOUCH_OK;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		return VOUCH_E_NOMEM;
	}
	st->id = id;
	st->path = f->path;
	st->first = true;
	st->pkg = pkgdb_of(f->path);
	st->size = f->size;
	st->cands = calloc(FILE_MAX_CANDS, sizeof(*st->cands));
	st->anchors = calloc(id->rules.nrules + 1, sizeof(*st->anchors));
	st->nanchors = calloc(id->rules.nrules + 1, 1);
	st->nsa_rule = calloc(id->rules.nrules + 1, sizeof(*st->nsa_rule));
	if (st->cands == NULL || st->anchors == NULL || st->nanchors == NULL ||
	    st->nsa_rule == NULL) {
		free(st->nsa_rule);
		free(st->cands);
		free(st->anchors);
		free(st->nanchors);
		free(st);
		return VOUCH_E_NOMEM;
	}
	pthread_mutex_lock(&id->lock);
	if (id->nfree > 0) {
		st->scratch = id->free_scratch[--id->nfree];
	}
	pthread_mutex_unlock(&id->lock);
	if (st->scratch == NULL && id->proto != NULL) {
		hs_clone_scratch(id->proto, &st->scratch);
	}
	if (id->want_sha1 && f->depth > 0) {
		vouch_sha1_new(&st->sha1); /* on failure the file simply has no SHA-1 */
	}
	*state = st;
	return VOUCH_OK;
}

static int
v_data(void *ud, void *state, const uint8_t *p, size_t n, uint64_t offset)
{
	struct fstate *st = state;
	size_t need;

	(void)ud;
	if (st == NULL || n == 0) {
		return VOUCH_OK;
	}
	if (st->first) {
		st->first = false;
		st->elf = n >= 4 && p[0] == 0x7F && p[1] == 'E' && p[2] == 'L' && p[3] == 'F';
	}
	if (st->elf && !st->elf_over) {
		if (st->elflen + n > ELF_MAX_HELD) {
			st->elf_over = true;
			free(st->elfbuf);
			st->elfbuf = NULL;
		} else {
			/* grow to the announced size at once, else geometrically: a chunk-sized
			 * realloc per chunk copies a 100 MiB library hundreds of times */
			if (st->elflen + n > st->elfcap) {
				size_t want = st->elflen + n;
				size_t nc = VOUCH_MAX(want, VOUCH_MIN(st->elfcap * 2, (size_t)ELF_MAX_HELD));
				if (st->size >= want && st->size <= ELF_MAX_HELD) {
					nc = VOUCH_MAX(nc, (size_t)st->size);
				}
				uint8_t *d = realloc(st->elfbuf, nc);
				if (d == NULL) {
					st->elf_over = true;
					free(st->elfbuf);
					st->elfbuf = NULL;
					return VOUCH_OK;
				}
				st->elfbuf = d;
				st->elfcap = nc;
			}
			memcpy(st->elfbuf + st->elflen, p, n);
			st->elflen += n;
		}
	}
	if (st->sha1 != NULL) {
		vouch_sha1_update(st->sha1, p, n);
	}
	if (st->pkg != PKGDB_NONE && !st->db_over) {
		if (st->dblen + n > PKGDB_MAX) {
			st->db_over = true;
		} else {
			uint8_t *d = realloc(st->db, st->dblen + n + 1);
			if (d == NULL) {
				st->db_over = true;
			} else {
				memcpy(d + st->dblen, p, n);
				st->db = d;
				st->dblen += n;
			}
		}
	}
	need = st->taillen + n;
	if (need > st->wincap) {
		uint8_t *w = realloc(st->win, need);
		if (w == NULL) {
			return VOUCH_E_NOMEM;
		}
		st->win = w;
		st->wincap = need;
	}
	memcpy(st->win, st->tail, st->taillen);
	memcpy(st->win + st->taillen, p, n);
	uint64_t base = offset - st->taillen, end = offset + n;
	scan_window(st, st->win, need, base, end > RULES_GUARD ? end - RULES_GUARD : 0);
	if (end > RULES_GUARD && end - RULES_GUARD > st->handled_upto) {
		st->handled_upto = end - RULES_GUARD;
	}
	st->taillen = need < RULES_OVERLAP ? need : RULES_OVERLAP;
	memmove(st->tail, st->win + need - st->taillen, st->taillen);
	st->pos = end;
	return VOUCH_OK;
}

/* Debian/OpenWrt/Alpine package version -> upstream version: "1:1.2.13.dfsg-1" -> "1.2.13". */
void
vouch_upstream_version(const char *pv, char *out, size_t cap)
{
	const char *s = pv, *colon = strchr(pv, ':');
	size_t n;

	if (colon != NULL && colon - pv <= 3) {
		s = colon + 1; /* epoch */
	}
	n = strlen(s);
	const char *dash = memrchr(s, '-', n);
	if (dash != NULL && dash != s) {
		n = (size_t)(dash - s); /* Debian revision / OpenWrt release / apk -rN */
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+' || s[i] == '~') {
			n = i;
			break;
		}
	}
	if (n > 5 && memcmp(s + n - 5, ".dfsg", 5) == 0) {
		n -= 5;
	} else if (n > 4 && memcmp(s + n - 4, "dfsg", 4) == 0) {
		n -= 4;
	}
	if (n >= cap) {
		n = cap - 1;
	}
	memcpy(out, s, n);
	out[n] = 0;
}

static const char *
pkg_method(pkgdb_kind k)
{
	switch (k) {
	case PKGDB_OPKG: return "opkg-status";
	case PKGDB_DPKG: return "dpkg-status";
	case PKGDB_APK: return "apk-installed";
	default: return "package-control";
	}
}

/* One package record read from a database. */
static void
pkg_record(struct fstate *st, const char *name, const char *ver, const char *arch,
	   const char *status, uint64_t off)
{
	vouch_ident *id = st->id;
	char up[64], text[VOUCH_RULE_MAX_MATCH + 1];
	long comp;

	if (name[0] == 0 || ver[0] == 0) {
		return;
	}
	if (status[0] != 0 && strstr(status, " installed") == NULL) {
		return; /* dpkg/opkg keep records of removed packages: "deinstall ok config-files" */
	}
	vouch_upstream_version(ver, up, sizeof(up));
	if (up[0] == 0) {
		return;
	}
	snprintf(text, sizeof(text), "Package: %s Version: %s", name, ver);
	comp = vouch_ruleset_package(&id->rules, name);
	add_hit(id, comp < 0 ? SIZE_MAX : (size_t)comp, up, pkg_method(st->pkg), NULL, st->path,
		off, text, 1.0, name, ver, arch[0] ? arch : NULL);
}

static void
copy_field(char *dst, size_t cap, const char *v, size_t n)
{
	while (n > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\r' || v[n - 1] == '\t')) {
		n--;
	}
	if (n >= cap) {
		n = cap - 1;
	}
	for (size_t i = 0; i < n; i++) {
		dst[i] = (v[i] >= 0x20 && v[i] < 0x7f) ? v[i] : '?';
	}
	dst[n] = 0;
}

/* RFC 822-style stanzas (dpkg, opkg) or apk's one-letter lines. */
static void
parse_pkgdb(struct fstate *st)
{
	char name[128] = "", ver[128] = "", arch[64] = "", status[128] = "";
	uint64_t rec_off = 0;
	size_t i = 0, n = st->dblen;
	const char *d = (const char *)st->db;

	while (i <= n) {
		const char *ln = d + i;
		const char *nl = i < n ? memchr(ln, '\n', n - i) : NULL;
		size_t len = nl ? (size_t)(nl - ln) : n - i;
		bool blank = len == 0 || (len == 1 && ln[0] == '\r');

		if (blank || i == n) {
			pkg_record(st, name, ver, arch, st->pkg == PKGDB_CONTROL ? "" : status,
				   rec_off);
			name[0] = ver[0] = arch[0] = status[0] = 0;
			rec_off = (uint64_t)(i + len + 1);
		} else if (st->pkg == PKGDB_APK) {
			if (len > 2 && ln[1] == ':') {
				if (ln[0] == 'P') {
					copy_field(name, sizeof(name), ln + 2, len - 2);
				} else if (ln[0] == 'V') {
					copy_field(ver, sizeof(ver), ln + 2, len - 2);
				} else if (ln[0] == 'A') {
					copy_field(arch, sizeof(arch), ln + 2, len - 2);
				}
			}
		} else if (ln[0] != ' ' && ln[0] != '\t') {
			const char *c = memchr(ln, ':', len);
			if (c != NULL) {
				size_t k = (size_t)(c - ln), vl = len - k - 1;
				if (k == 7 && strncasecmp(ln, "Package", 7) == 0) {
					copy_field(name, sizeof(name), c + 1, vl);
				} else if (k == 7 && strncasecmp(ln, "Version", 7) == 0) {
					copy_field(ver, sizeof(ver), c + 1, vl);
				} else if (k == 12 && strncasecmp(ln, "Architecture", 12) == 0) {
					copy_field(arch, sizeof(arch), c + 1, vl);
				} else if (k == 6 && strncasecmp(ln, "Status", 6) == 0) {
					copy_field(status + 1, sizeof(status) - 1, c + 1, vl);
					status[0] = ' ';
				}
			}
		}
		if (nl == NULL) {
			break;
		}
		i += len + 1;
	}
}

static bool
needs_match(const vouch_elf_report *er, const regex_t *re)
{
	for (size_t i = 0; er != NULL && i < er->n_needed; i++) {
		if (regexec(re, er->needed[i], 0, NULL, 0) == 0) {
			return true;
		}
	}
	return false;
}

/* Keep what the SBOM needs of an ELF file: where it is, its SONAME, what it needs. */
static void
add_elf(vouch_ident *id, const vouch_file *f, const vouch_elf_report *er)
{
	pthread_mutex_lock(&id->lock);
	if (vouch_grow((void **)&id->elfs, &id->capelfs, id->nelfs, sizeof(*id->elfs), 64)) {
		goto out;
	}
	ident_elf *e = &id->elfs[id->nelfs];
	memset(e, 0, sizeof(*e));
	e->path = vouch_arena_strndup(id->arena, f->path, strlen(f->path));
	e->soname = er->soname ? vouch_arena_strndup(id->arena, er->soname, strlen(er->soname))
			       : NULL;
	e->machine = er->machine;
	e->cls = er->cls;
	e->needed = vouch_arena_alloc(id->arena, (er->n_needed + 1) * sizeof(char *));
	if (e->path == NULL || e->needed == NULL) {
		goto out;
	}
	for (size_t i = 0; i < er->n_needed && i < 256; i++) {
		const char *nd = vouch_arena_strndup(id->arena, er->needed[i], strlen(er->needed[i]));
		if (nd != NULL) {
			e->needed[e->nneeded++] = nd;
		}
	}
	id->nelfs++;
out:
	pthread_mutex_unlock(&id->lock);
}

static void
add_sha1(vouch_ident *id, const char *path, const uint8_t d[20])
{
	pthread_mutex_lock(&id->lock);
	if (vouch_grow((void **)&id->sha1s, &id->capsha1, id->nsha1, sizeof(*id->sha1s), 256)) {
		goto out;
	}
	id->sha1s[id->nsha1].path = vouch_arena_strndup(id->arena, path, strlen(path));
	memcpy(id->sha1s[id->nsha1].d, d, 20);
	if (id->sha1s[id->nsha1].path != NULL) {
		id->nsha1++;
	}
out:
	pthread_mutex_unlock(&id->lock);
}

static bool
is_prefix_version(const char *a, const char *b)
{
	size_t n = strlen(a);
	return strlen(b) > n && strncmp(a, b, n) == 0;
}

static int
v_end(void *ud, void *state, const vouch_file *f)
{
	vouch_ident *id = ud;
	struct fstate *st = state;
	const vouch_ruleset *rs = &id->rules;

	if (st == NULL) {
		return VOUCH_OK;
	}
	/* the last window: what the guard held back */
	if (st->taillen > 0) {
		scan_window(st, st->tail, st->taillen, st->pos - st->taillen, UINT64_MAX);
	}
	/* the ELF file's own facts: its DT_NEEDED edges, and rules void beside a library */
	vouch_elf_report *er = NULL;
	if (st->elf && st->elfbuf != NULL && !st->elf_over &&
	    vouch_elf_analyze(st->elfbuf, st->elflen, &er) == VOUCH_OK) {
		add_elf(id, f, er);
	}
	if (st->sha1 != NULL) {
		uint8_t d[VOUCH_SHA1_LEN];
		if (vouch_sha1_final(st->sha1, d) == VOUCH_OK) {
			add_sha1(id, f->path, d);
		}
		vouch_sha1_free(st->sha1);
		st->sha1 = NULL;
	}
	/* name rules */
	for (size_t r = 0; r < rs->nrules; r++) {
		const vouch_rule *rule = &rs->rules[r];
		regmatch_t m[10];
		const char *b = base_name(f->path);
		char ver[64];
		if (rule->kind != RULE_NAME || (!rule->any_file && !st->elf) ||
		    regexec(&rule->name, b, 10, m, 0) != 0 || m[rule->group].rm_so < 0) {
			continue;
		}
		size_t vl = (size_t)(m[rule->group].rm_eo - m[rule->group].rm_so);
		if (vl == 0 || vl >= sizeof(ver)) {
			continue;
		}
		memcpy(ver, b + m[rule->group].rm_so, vl);
		ver[vl] = 0;
		add_cand(st, r, UINT64_MAX, ver, (const uint8_t *)b, strlen(b));
	}
	/* standalone versions count only beside their anchor; the nearest one wins */
	bool anchored = false;
	for (size_t r = 0; r < rs->nrules && !anchored; r++) {
		anchored = rs->rules[r].kind == RULE_STANDALONE && st->nanchors[r] > 0;
	}
	if (anchored && rs->hsdb_sa != NULL && st->elfbuf != NULL && !st->elf_over &&
	    st->scratch != NULL) {
		hs_scan(rs->hsdb_sa, (const char *)st->elfbuf, (unsigned)st->elflen, 0, st->scratch,
			on_sa_match, st);
	}
	for (size_t r = 0; r < rs->nrules; r++) {
		const sa_hit *best = NULL;
		uint64_t bestd = UINT64_MAX;
		if (rs->rules[r].kind != RULE_STANDALONE || st->nanchors[r] == 0) {
			continue;
		}
		for (size_t i = 0; i < st->nsa; i++) {
			const sa_hit *sh = &st->sa[i];
			if (sh->rule != r) {
				continue;
			}
			for (uint8_t a = 0; a < st->nanchors[r]; a++) {
				uint64_t ao = st->anchors[r][a];
				uint64_t d = sh->offset > ao ? sh->offset - ao : ao - sh->offset;
				if (d < bestd) {
					bestd = d;
					best = sh;
				}
			}
		}
		if (best != NULL) {
			add_cand(st, r, best->offset, best->v, (const uint8_t *)best->v, best->len);
		}
	}
	/* per component: drop a version that is a prefix of another found in this file */
	for (size_t i = 0; i < st->ncands; i++) {
		cand *c = &st->cands[i];
		if (c->version[0] == 0) {
			continue;
		}
		for (size_t j = 0; j < st->ncands; j++) {
			cand *o = &st->cands[j];
			if (j != i && o->version[0] &&
			    rs->rules[o->rule].comp == rs->rules[c->rule].comp &&
			    is_prefix_version(c->version, o->version)) {
				c->version[0] = 0;
				break;
			}
		}
	}
	for (size_t i = 0; i < st->ncands; i++) {
		cand *c = &st->cands[i];
		const vouch_rule *r = &rs->rules[c->rule];
		if (c->version[0] == 0 ||
		    (r->has_files && regexec(&r->files, base_name(f->path), 0, NULL, 0) != 0) ||
		    (r->has_unless && needs_match(er, &r->unless))) {
			continue;
		}
		add_hit(id, r->comp, c->version,
			r->kind == RULE_NAME ? "file-name" : "fingerprint", r->id, f->path,
			c->offset, c->text, r->confidence, NULL, NULL, NULL);
	}
	if (st->pkg != PKGDB_NONE && st->db != NULL && !st->db_over) {
		st->db[st->dblen] = 0;
		parse_pkgdb(st);
	}
	if (st->hits_over) {
		pthread_mutex_lock(&id->lock);
		id->files_cut++;
		pthread_mutex_unlock(&id->lock);
	}
	if (st->scratch != NULL) {
		pthread_mutex_lock(&id->lock);
		if (id->nfree < VOUCH_ARRAY_LEN(id->free_scratch)) {
			id->free_scratch[id->nfree++] = st->scratch;
			st->scratch = NULL;
		}
		pthread_mutex_unlock(&id->lock);
		hs_free_scratch(st->scratch);
	}
	vouch_elf_report_free(er);
	free(st->elfbuf);
	free(st->db);
	free(st->win);
	free(st->hits);
	free(st->cands);
	free(st->sa);
	free(st->nsa_rule);
	free(st->anchors);
	free(st->nanchors);
	free(st);
	return VOUCH_OK;
}

int
vouch_ident_new(vouch_ident **out, const char *rules_path)
{
	vouch_ident *id;
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	id = calloc(1, sizeof(*id));
	if (id == NULL) {
		return VOUCH_E_NOMEM;
	}
	pthread_mutex_init(&id->lock, NULL);
	/* evidence of up to IDENT_MAX_HITS records with their paths and texts */
	if ((rc = vouch_arena_new(&id->arena, (uint64_t)1 << 31)) != VOUCH_OK) {
		free(id);
		return rc;
	}
	if (rules_path != NULL) {
		FILE *fp = fopen(rules_path, "rb");
		if (fp == NULL) {
			snprintf(id->err, sizeof(id->err), "%s: cannot open the rules file",
				 rules_path);
			*out = id;
			return VOUCH_E_IO;
		}
		text = malloc(8u << 20);
		len = text ? fread(text, 1, 8u << 20, fp) : 0;
		fclose(fp);
		if (text == NULL) {
			*out = id;
			return VOUCH_E_NOMEM;
		}
		if (len == 8u << 20) {
			free(text);
			snprintf(id->err, sizeof(id->err), "%s: rules file larger than 8 MiB",
				 rules_path);
			*out = id;
			return VOUCH_E_LIMIT;
		}
		rc = vouch_ruleset_load(&id->rules, text, len);
		free(text);
	} else {
		rc = vouch_ruleset_load(&id->rules, vouch_builtin_components_json,
					strlen(vouch_builtin_components_json));
	}
	*out = id;
	if (rc != VOUCH_OK) {
		snprintf(id->err, sizeof(id->err), "%s", id->rules.err);
		return rc;
	}
	if ((id->rules.hsdb != NULL && hs_alloc_scratch(id->rules.hsdb, &id->proto) != HS_SUCCESS) ||
	    (id->rules.hsdb_sa != NULL &&
	     hs_alloc_scratch(id->rules.hsdb_sa, &id->proto) != HS_SUCCESS)) {
		snprintf(id->err, sizeof(id->err), "vectorscan: cannot allocate scratch space");
		return VOUCH_E_NOMEM;
	}
	return VOUCH_OK;
}

void
vouch_ident_free(vouch_ident *id)
{
	if (id == NULL) {
		return;
	}
	for (size_t i = 0; i < id->nfree; i++) {
		hs_free_scratch(id->free_scratch[i]);
	}
	hs_free_scratch(id->proto);
	vouch_ruleset_free(&id->rules);
	free(id->hits);
	free(id->elfs);
	free(id->sha1s);
	vouch_arena_free(id->arena);
	pthread_mutex_destroy(&id->lock);
	free(id);
}

void
vouch_ident_visitor(vouch_ident *id, vouch_visitor *out)
{
	memset(out, 0, sizeof(*out));
	out->ud = id;
	out->file_begin = v_begin;
	out->file_data = v_data;
	out->file_end = v_end;
}

int
vouch_ident_reset(vouch_ident *id)
{
	vouch_arena *a;

	if (vouch_arena_new(&a, (uint64_t)1 << 31) != VOUCH_OK) {
		return VOUCH_E_NOMEM;
	}
	vouch_arena_free(id->arena);
	id->arena = a;
	id->nhits = id->nelfs = id->nsha1 = 0;
	id->hits_dropped = id->files_cut = 0;
	memset(&id->sbom, 0, sizeof(id->sbom));
	id->err[0] = 0;
	return VOUCH_OK;
}

void
vouch_ident_want_sha1(vouch_ident *id, bool on)
{
	id->want_sha1 = on;
}

const char *
vouch_ident_errmsg(const vouch_ident *id)
{
	return id ? id->err : "out of memory";
}
