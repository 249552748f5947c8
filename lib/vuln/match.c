/*
 * vuln/match.c: components against the database, and what the database covers.
 *
 * Lookup: a component's names are the vendor:product of its CPE and of each alias, and its
 * `name` for OSV packages (vendor ""). Each name is one range scan of the product index
 * (vendor, product, rid), joined to the record's applicability blob; a record reached through
 * two names is evaluated once. Nothing is scanned: the cost is the number of records that
 * name the component's products (thousands for a Linux kernel, a handful for most).
 *
 * Evaluation of a record's nodes (vuln_int.h) against one component is four-valued:
 *   HIT      the component itself satisfies a vulnerable criterion (product and version);
 *   SAT      true, but not a vulnerability by itself: the component satisfies a criterion
 *            marked `vulnerable: false` (which never matches by itself), or a negated node
 *            is false;
 *   OTHER    unknown: a criterion naming another product (the platform "running on" in an
 *            NVD AND configuration, e.g. an OS or a device), which firmware contents alone
 *            cannot settle;
 *   NO       false: the component is named but its version is outside the range.
 * OR is HIT if any child is, else SAT, else OTHER, else NO; AND is NO if any child is, else
 * HIT if any is (depending on the platform when an OTHER child is there too), else OTHER if
 * any is, else SAT; negate turns HIT and SAT into NO, NO into SAT, and keeps OTHER. A record matches
 * when its root is HIT. So an AND of "curl <= 7.46.0" with "running on Windows" matches a
 * curl 7.40.0 found in firmware, and the reason says the configuration also requires the
 * platform, which firmware contents alone cannot confirm; a configuration made only of
 * other products never matches. One reverse pass over the flat node list (children always
 * follow their parent) evaluates the tree without recursion.
 *
 * CVE 5 and OSV groups: a version inside an "unaffected" entry is not affected; inside an
 * "affected" entry (exact version, or range) it is; otherwise the group's default status
 * decides ("affected" only counts when written so). Entries that cannot be evaluated (git
 * commits, "n/a") never match; a record that named the component but could only be decided
 * by them is reported as a note, not a match.
 *
 * Duplicates: hits are collected, sorted by (component, canonical id, source priority) and
 * merged: the canonical id of an OSV record with a CVE alias is that CVE, so NVD, CVE 5 and
 * OSV copies of one vulnerability give one match; each field comes from the best source that
 * has it (NVD, then CVE 5, then OSV), reasons and sources of all are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "vuln/db.h"

#define RESULT_BUDGET (4ULL << 30)
#define NONE UINT32_MAX

enum { EV_NO = 0, EV_OTHER = 1, EV_SAT = 2, EV_HIT = 3 };

typedef struct ckey {
	const char *vendor, *product;
} ckey;

typedef struct comp {
	const char *version, *update;
	ckey *keys;
	size_t nkeys;
} comp;

typedef struct evout {
	uint8_t val;
	uint32_t hl, ul, pl; /* hit leaf, a leaf making it OTHER, platform leaf a hit needs */
} evout;

typedef struct acc {
	uint8_t h, s, u, n;
	uint32_t hl, ul, pl;
} acc;

typedef struct hit {
	size_t comp;
	int64_t rid;
	int prio;
	const char *canon;
	const char *reason;
} hit;

typedef struct mctx {
	vouch_vulndb *db;
	vouch_vuln_result *res;
	vouch_appl appl;
	acc *accs;
	size_t capacc;
	hit *hits;
	size_t nhits, caphits;
	bool uneval; /* the record named the component only through undecidable entries */
	bool na_version; /* ... or through NVD criteria with version "-" and no range */
	bool gitonly;
	size_t *mcomp; /* component index of each match, for the final sort */
	size_t capcomp;
} mctx;

/* ---- results ------------------------------------------------------------------------- */

static int
result_new(vouch_vuln_result **out)
{
	vouch_vuln_result *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (vouch_arena_new(&r->ar, RESULT_BUDGET) != VOUCH_OK) {
		free(r);
		return VOUCH_E_NOMEM;
	}
	*out = r;
	return VOUCH_OK;
}

void
vouch_vuln_result_free(vouch_vuln_result *r)
{
	if (r == NULL) {
		return;
	}
	free(r->m);
	free(r->notes);
	vouch_arena_free(r->ar);
	free(r);
}

vouch_vuln_match *
vouch_vuln_result_matches(vouch_vuln_result *r, size_t *n)
{
	if (n != NULL) {
		*n = r != NULL ? r->n : 0;
	}
	return r != NULL ? r->m : NULL;
}

size_t
vouch_vuln_result_skipped(const vouch_vuln_result *r)
{
	return r != NULL ? r->skipped : 0;
}

const vouch_vuln_note *
vouch_vuln_result_notes(const vouch_vuln_result *r, size_t *n)
{
	if (n != NULL) {
		*n = r != NULL ? r->nnotes : 0;
	}
	return r != NULL ? r->notes : NULL;
}

static char *
rdup(vouch_vuln_result *r, const char *s)
{
	return s != NULL ? vouch_arena_strndup(r->ar, s, strlen(s)) : NULL;
}

/* ---- evaluation ---------------------------------------------------------------------- */

static bool
names_comp(const comp *c, const char *vendor, const char *product)
{
	for (size_t i = 0; i < c->nkeys; i++) {
		if (strcmp(c->keys[i].product, product) == 0 && strcmp(c->keys[i].vendor, vendor) == 0) {
			return true;
		}
	}
	return false;
}

static bool
in_range(const vouch_appl_leaf *l, const char *v)
{
	int c;

	if ((l->flags & LEAF_START) != 0) {
		c = vouch_version_cmp_loose(v, l->start);
		if (c < 0 || (c == 0 && (l->flags & LEAF_START_INCL) == 0)) {
			return false;
		}
	}
	if ((l->flags & LEAF_END) != 0) {
		c = vouch_version_cmp_loose(v, l->end);
		if (c > 0 || (c == 0 && (l->flags & LEAF_END_INCL) == 0)) {
			return false;
		}
	}
	return true;
}

/*
 * A criterion whose version is "-" (CPE's NA) and that gives no range says nothing about
 * versions: old NVD analyses file e.g. "linux_kernel:-" for a bug of some releases. Matching
 * it against every version would flag every kernel ever built; it becomes a note instead.
 */
static bool
na_version(const vouch_appl_leaf *l)
{
	return l->version != NULL && strcmp(l->version, "-") == 0 &&
	       (l->flags & (LEAF_START | LEAF_END)) == 0;
}

/*
 * A criterion whose target_sw (the 10th field of the CPE 2.3 name) is a language ecosystem
 * names a package of that ecosystem that happens to share the product name (NVD files a Ruby
 * gem "curl" as curl_project:curl with target_sw "ruby"): firmware components are native
 * software, so such a criterion is not theirs.
 */
static bool
other_ecosystem(const char *cpe)
{
	static const char *const eco[] = {"ruby", "node.js", "nodejs", "python", "perl", "php",
					  "wordpress", "java", "jenkins", "rust", "go", "golang",
					  ".net", "npm", "pypi", "rubygems", "drupal", "joomla\\!"};
	const char *p = cpe;
	int field = 0;

	if (p == NULL) {
		return false;
	}
	while (*p != '\0' && field < 10) { /* skip to the 10th field, honouring \: escapes */
		if (*p == '\\' && p[1] != '\0') {
			p += 2;
			continue;
		}
		if (*p++ == ':') {
			field++;
		}
	}
	if (field < 10) {
		return false;
	}
	size_t n = strcspn(p, ":");
	for (size_t i = 0; i < sizeof(eco) / sizeof(eco[0]); i++) {
		if (strlen(eco[i]) == n && strncasecmp(p, eco[i], n) == 0) {
			return true;
		}
	}
	return false;
}

/* Does the component's version satisfy the leaf (exact version + update, or range)? */
static bool
version_ok(const comp *c, const vouch_appl_leaf *l)
{
	if (!vouch_cpe_is_any(l->version)) {
		bool upd_any = vouch_cpe_is_any(l->update);

		if (vouch_version_cmp_loose(c->version, l->version) == 0 &&
		    (upd_any || (c->update != NULL && strcasecmp(c->update, l->update) == 0))) {
			return in_range(l, c->version);
		}
		if (!upd_any) {
			/* "1.0.1" + update "beta1" is the component version "1.0.1beta1" */
			char joined[2 * VULN_MAX_STR + 2];

			snprintf(joined, sizeof(joined), "%s%s", l->version, l->update);
			return vouch_version_cmp_loose(c->version, joined) == 0;
		}
		return false;
	}
	return in_range(l, c->version);
}

static void
fold(acc *a, const evout *o)
{
	if (o->val == EV_HIT) {
		if (!a->h) {
			a->hl = o->hl;
			a->pl = o->pl;
		}
		a->h = 1;
	} else if (o->val == EV_OTHER) {
		if (!a->u) {
			a->ul = o->ul;
		}
		a->u = 1;
	} else if (o->val == EV_SAT) {
		a->s = 1;
	} else {
		a->n = 1;
	}
}

static evout
eval_group(mctx *m, const comp *c, const vouch_appl_node *nd)
{
	const vouch_appl_leaf *lv = &m->appl.leaves[nd->first_leaf];
	evout o = {EV_NO, NONE, NONE, NONE};
	uint32_t aff = NONE;
	bool evaluable = false;

	if (nd->nleaves == 0 || !names_comp(c, lv[0].vendor, lv[0].product)) {
		return o;
	}
	if ((nd->flags & APPL_GIT_ONLY) != 0) {
		m->gitonly = true;
		return o;
	}
	for (uint32_t k = 0; k < nd->nleaves; k++) {
		const vouch_appl_leaf *l = &lv[k];
		bool in;

		if ((l->flags & LEAF_UNEVAL) != 0) {
			continue;
		}
		evaluable = true;
		in = vouch_cpe_is_any(l->version) ? in_range(l, c->version)
						  : vouch_version_cmp_loose(c->version, l->version) == 0;
		if (in && (l->flags & LEAF_VULN) == 0) {
			return o; /* explicitly unaffected */
		}
		if (in && aff == NONE) {
			aff = nd->first_leaf + k;
		}
	}
	if (aff != NONE) {
		o.val = EV_HIT;
		o.hl = aff;
	} else if ((nd->flags & APPL_DEFAULT_AFF) != 0) {
		o.val = EV_HIT;
		o.hl = nd->first_leaf; /* the reason names the default status */
		o.pl = NONE;
		o.ul = NONE;
	} else if (!evaluable) {
		m->uneval = true;
	}
	return o;
}

/* Evaluate the decoded record in m->appl against c. */
static evout
eval_record(mctx *m, const comp *c)
{
	vouch_appl *a = &m->appl;
	evout out = {EV_NO, NONE, NONE, NONE};

	if (a->nnodes > m->capacc) {
		acc *na = realloc(m->accs, a->nnodes * sizeof(*na));

		if (na == NULL) {
			return out; /* the caller sees no hit; memory errors surface elsewhere */
		}
		m->accs = na;
		m->capacc = a->nnodes;
	}
	for (size_t i = 0; i < a->nnodes; i++) {
		m->accs[i] = (acc){0, 0, 0, 0, NONE, NONE, NONE};
	}
	for (size_t i = a->nnodes; i-- > 0;) {
		const vouch_appl_node *nd = &a->nodes[i];
		acc *ac = &m->accs[i];
		evout o = {EV_NO, NONE, NONE, NONE};

		if (nd->op == APPL_GROUP) {
			o = eval_group(m, c, nd);
		} else {
			for (uint32_t k = 0; k < nd->nleaves; k++) {
				const vouch_appl_leaf *l = &a->leaves[nd->first_leaf + k];
				evout lo = {EV_OTHER, nd->first_leaf + k, nd->first_leaf + k, NONE};

				if (names_comp(c, l->vendor, l->product) && other_ecosystem(l->text)) {
					lo.val = EV_NO; /* a library of another language's ecosystem */
				} else if (names_comp(c, l->vendor, l->product) && na_version(l)) {
					/* "-" (NA) and no range: NVD names no version at all */
					lo.val = EV_NO;
					m->na_version = true;
				} else if (names_comp(c, l->vendor, l->product)) {
					lo.val = !version_ok(c, l) ? EV_NO
						 : (l->flags & LEAF_VULN) != 0 ? EV_HIT
									       : EV_SAT;
				}
				fold(ac, &lo);
			}
			if (nd->op == APPL_OR) {
				if (ac->h) {
					o = (evout){EV_HIT, ac->hl, NONE, ac->pl};
				} else if (ac->s) {
					o.val = EV_SAT;
				} else if (ac->u) {
					o = (evout){EV_OTHER, NONE, ac->ul, NONE};
				}
			} else if (!ac->n) {
				if (ac->h) {
					o = (evout){EV_HIT, ac->hl, NONE,
						    ac->pl != NONE ? ac->pl : (ac->u ? ac->ul : NONE)};
				} else if (ac->u) {
					o = (evout){EV_OTHER, NONE, ac->ul, NONE};
				} else {
					o.val = EV_SAT; /* all children satisfied (or none) */
				}
			}
			if ((nd->flags & APPL_NEGATE) != 0) {
				/* NOT: true becomes false; false becomes true (satisfied, no hit);
				 * unknown stays unknown */
				o = o.val == EV_HIT || o.val == EV_SAT ? (evout){EV_NO, NONE, NONE, NONE}
				    : o.val == EV_NO		  ? (evout){EV_SAT, NONE, NONE, NONE}
								  : o;
			}
		}
		if (i == 0) {
			out = o;
		} else {
			fold(&m->accs[nd->parent], &o);
		}
	}
	return out;
}

/* "versions from 3.0.0 (including) to 3.0.8 (excluding)" and friends. */
static const char *
range_words(vouch_vuln_result *r, const vouch_appl_leaf *l)
{
	bool s = (l->flags & LEAF_START) != 0, e = (l->flags & LEAF_END) != 0;
	const char *si = (l->flags & LEAF_START_INCL) ? "including" : "excluding";
	const char *ei = (l->flags & LEAF_END_INCL) ? "including" : "excluding";

	if (!vouch_cpe_is_any(l->version)) {
		return vouch_arena_printf(r->ar, "version %s", l->version);
	}
	if (s && e) {
		return vouch_arena_printf(r->ar, "versions from %s (%s) to %s (%s)", l->start, si,
					  l->end, ei);
	}
	if (s) {
		return vouch_arena_printf(r->ar, "versions from %s (%s)", l->start, si);
	}
	if (e) {
		return vouch_arena_printf(r->ar, "versions up to %s (%s)", l->end, ei);
	}
	return "all versions";
}

static const char *
reason(mctx *m, const comp *c, const evout *o, const char *format)
{
	vouch_vuln_result *r = m->res;
	const vouch_appl_leaf *l = &m->appl.leaves[o->hl];
	const vouch_appl_node *grp = NULL;
	const char *s;

	for (size_t i = 0; i < m->appl.nnodes; i++) {
		const vouch_appl_node *nd = &m->appl.nodes[i];

		if (nd->op == APPL_GROUP && o->hl >= nd->first_leaf &&
		    o->hl < nd->first_leaf + nd->nleaves) {
			grp = nd;
			break;
		}
	}
	if (grp != NULL) {
		bool by_default = (l->flags & LEAF_UNEVAL) != 0 || !in_range(l, c->version) ||
				  (!vouch_cpe_is_any(l->version) &&
				   vouch_version_cmp_loose(c->version, l->version) != 0);

		if (by_default) {
			s = vouch_arena_printf(r->ar,
					       "%s: %s %s is not listed as unaffected and the "
					       "default status is \"affected\"",
					       format, l->text, c->version);
		} else {
			s = vouch_arena_printf(r->ar, "%s: %s, %s affected", format, l->text,
					       range_words(r, l));
		}
	} else {
		s = vouch_arena_printf(r->ar, "%s: %s %s", format, l->text, range_words(r, l));
	}
	if (s != NULL && o->pl != NONE) {
		s = vouch_arena_printf(r->ar,
				       "%s; only in a configuration that also requires %s (a platform "
				       "or other software: not checked against firmware contents)",
				       s, m->appl.leaves[o->pl].text);
	}
	return s;
}

static int
add_hit(mctx *m, size_t ci, int64_t rid, const char *kind, const char *vid, const char *aliases,
	const char *why)
{
	hit h = {ci, rid, 0, NULL, why};

	h.prio = strcmp(kind, "nvd") == 0 ? 0 : strcmp(kind, "cve5") == 0 ? 1 : 2;
	h.canon = vid;
	if (h.prio == 2 && aliases != NULL) {
		/* an OSV record that names a CVE is that CVE */
		const char *p = strstr(aliases, "CVE-");

		if (p != NULL && (p == aliases || p[-1] == ',')) {
			size_t n = strcspn(p, ",");

			h.canon = vouch_arena_strndup(m->res->ar, p, n);
		}
	}
	h.canon = h.canon == vid ? rdup(m->res, vid) : h.canon;
	if (h.canon == NULL || why == NULL) {
		return VOUCH_E_NOMEM;
	}
	if (m->nhits == m->caphits) {
		size_t nc = m->caphits ? m->caphits * 2 : 64;
		hit *nh = realloc(m->hits, nc * sizeof(*nh));

		if (nh == NULL) {
			return VOUCH_E_NOMEM;
		}
		m->hits = nh;
		m->caphits = nc;
	}
	m->hits[m->nhits++] = h;
	return VOUCH_OK;
}

static int
add_note(mctx *m, const char *ref, const char *id, const char *why)
{
	vouch_vuln_result *r = m->res;

	for (size_t i = 0; i < r->nnotes; i++) {
		if (r->notes[i].component_ref == ref && strcmp(r->notes[i].id, id) == 0) {
			return VOUCH_OK;
		}
	}
	if (r->nnotes == r->capnotes) {
		size_t nc = r->capnotes ? r->capnotes * 2 : 16;
		vouch_vuln_note *nn = realloc(r->notes, nc * sizeof(*nn));

		if (nn == NULL) {
			return VOUCH_E_NOMEM;
		}
		r->notes = nn;
		r->capnotes = nc;
	}
	r->notes[r->nnotes] = (vouch_vuln_note){ref, rdup(r, id), why};
	if (r->notes[r->nnotes].id == NULL) {
		return VOUCH_E_NOMEM;
	}
	r->nnotes++;
	return VOUCH_OK;
}

/* ---- one component ------------------------------------------------------------------- */

static char *
lower_dup(vouch_arena *ar, const char *s, size_t n)
{
	char *d = vouch_arena_strndup(ar, s, n);

	for (size_t i = 0; d != NULL && i < n; i++) {
		if (d[i] >= 'A' && d[i] <= 'Z') {
			d[i] = (char)(d[i] + 32);
		}
	}
	return d;
}

/* Names and version of a component; false when it has no version. */
static int
comp_keys(vouch_arena *ar, const vouch_component *vc, comp *c)
{
	vouch_cpe cpe;
	size_t cap = vc->ncpe_aliases + 2;

	memset(c, 0, sizeof(*c));
	c->keys = vouch_arena_alloc(ar, cap * sizeof(*c->keys));
	if (c->keys == NULL) {
		return VOUCH_E_NOMEM;
	}
	c->version = vc->version;
	if (vc->cpe != NULL && vouch_cpe_parse(&cpe, vc->cpe) == VOUCH_OK) {
		c->keys[c->nkeys].vendor = lower_dup(ar, cpe.f[CPE_VENDOR], strlen(cpe.f[CPE_VENDOR]));
		c->keys[c->nkeys].product =
			lower_dup(ar, cpe.f[CPE_PRODUCT], strlen(cpe.f[CPE_PRODUCT]));
		if (c->keys[c->nkeys].vendor == NULL || c->keys[c->nkeys].product == NULL) {
			return VOUCH_E_NOMEM;
		}
		c->nkeys++;
		if ((c->version == NULL || c->version[0] == '\0') &&
		    !vouch_cpe_is_any(cpe.f[CPE_VERSION])) {
			c->version = lower_dup(ar, cpe.f[CPE_VERSION], strlen(cpe.f[CPE_VERSION]));
		}
		if (!vouch_cpe_is_any(cpe.f[CPE_UPDATE])) {
			c->update = lower_dup(ar, cpe.f[CPE_UPDATE], strlen(cpe.f[CPE_UPDATE]));
		}
	}
	for (size_t i = 0; i < vc->ncpe_aliases; i++) {
		const char *a = vc->cpe_aliases[i], *colon;

		if (a == NULL || (colon = strchr(a, ':')) == NULL || colon == a ||
		    colon[1] == '\0' || strlen(a) > VULN_MAX_STR) {
			continue;
		}
		c->keys[c->nkeys].vendor = lower_dup(ar, a, (size_t)(colon - a));
		c->keys[c->nkeys].product = lower_dup(ar, colon + 1, strlen(colon + 1));
		if (c->keys[c->nkeys].vendor == NULL || c->keys[c->nkeys].product == NULL) {
			return VOUCH_E_NOMEM;
		}
		if (!names_comp(c, c->keys[c->nkeys].vendor, c->keys[c->nkeys].product)) {
			c->nkeys++;
		}
	}
	if (vc->name != NULL && vc->name[0] != '\0' && strlen(vc->name) <= VULN_MAX_STR) {
		c->keys[c->nkeys].vendor = "";
		c->keys[c->nkeys].product = lower_dup(ar, vc->name, strlen(vc->name));
		if (c->keys[c->nkeys].product == NULL) {
			return VOUCH_E_NOMEM;
		}
		c->nkeys++;
	}
	return VOUCH_OK;
}

static int
match_one(mctx *m, size_t ci, const vouch_component *vc, const comp *c)
{
	vouch_vulndb *db = m->db;
	vouch_map seen = {0};
	int rc = VOUCH_OK, src;

	for (size_t k = 0; k < c->nkeys && rc == VOUCH_OK; k++) {
		sqlite3_stmt *st = db->st_lookup;

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, c->keys[k].vendor, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->keys[k].product, -1, SQLITE_STATIC);
		while ((src = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t rid = sqlite3_column_int64(st, 0);
			const char *kind = (const char *)sqlite3_column_text(st, 1);
			const char *vid = (const char *)sqlite3_column_text(st, 2);
			const char *aliases = (const char *)sqlite3_column_text(st, 3);
			const uint8_t *blob = sqlite3_column_blob(st, 4);
			int blen = sqlite3_column_bytes(st, 4);
			bool found = false;
			evout o;

			vouch_map_get(&seen, (uint64_t)rid, &found);
			if (found) {
				continue;
			}
			if ((rc = vouch_map_put(&seen, (uint64_t)rid, "")) != VOUCH_OK) {
				break;
			}
			if (kind == NULL || vid == NULL || blob == NULL ||
			    vouch_appl_decode(&m->appl, blob, (size_t)blen) != VOUCH_OK) {
				rc = vouch_errf(&db->err, VOUCH_E_MALFORMED, 0,
						"database record %lld (%s) is damaged: re-import it",
						(long long)rid, vid != NULL ? vid : "?");
				break;
			}
			m->uneval = m->gitonly = m->na_version = false;
			o = eval_record(m, c);
			if (o.val == EV_HIT && o.hl != NONE) {
				const char *fmt = strcmp(kind, "nvd") == 0 ? "NVD"
						  : strcmp(kind, "cve5") == 0 ? "CVE 5"
									      : "OSV";

				rc = add_hit(m, ci, rid, kind, vid, aliases, reason(m, c, &o, fmt));
			} else if (m->gitonly) {
				rc = add_note(m, vc->bom_ref, vid,
					      "the record gives only git commit ranges: it cannot be "
					      "decided without the source repository");
			} else if (m->na_version) {
				rc = add_note(m, vc->bom_ref, vid,
					      "NVD names the product with version \"-\" and no range: "
					      "the record does not say which versions are affected");
			} else if (m->uneval) {
				rc = add_note(m, vc->bom_ref, vid,
					      "the record names the component, but with versions that "
					      "cannot be compared (git commits or \"n/a\")");
			}
		}
		if (rc == VOUCH_OK && src != SQLITE_DONE) {
			rc = vouch_vulndb_sqlerr(db, src, "lookup");
		}
		sqlite3_reset(st);
	}
	vouch_map_free(&seen);
	return rc;
}

/* ---- merging -------------------------------------------------------------------------- */

static int
cmp_hit(const void *a, const void *b)
{
	const hit *x = a, *y = b;
	int c;

	if (x->comp != y->comp) {
		return x->comp < y->comp ? -1 : 1;
	}
	if ((c = strcmp(x->canon, y->canon)) != 0) {
		return c;
	}
	if (x->prio != y->prio) {
		return x->prio < y->prio ? -1 : 1;
	}
	return x->rid < y->rid ? -1 : x->rid > y->rid;
}

static const char *
list_union(vouch_vuln_result *r, const char *list, const char *items, const char *except)
{
	const char *p = items;

	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, ",");
		bool have = except != NULL && strlen(except) == n && strncmp(except, p, n) == 0;

		for (const char *q = list; !have && q != NULL && (q = strstr(q, p)) != NULL; q++) {
			have = strncmp(q, p, n) == 0 && (q == list || q[-1] == ',') &&
			       (q[n] == ',' || q[n] == '\0');
			if (have) {
				break;
			}
		}
		if (!have && n > 0) {
			list = list == NULL ? vouch_arena_strndup(r->ar, p, n)
					    : vouch_arena_printf(r->ar, "%s,%.*s", list, (int)n, p);
		}
		p += n;
		if (*p == ',') {
			p++;
		}
	}
	return list;
}

static const char *
severity_from(double s)
{
	return s >= 9.0 ? "critical" : s >= 7.0 ? "high" : s >= 4.0 ? "medium" : s > 0 ? "low" : "none";
}

static int
sev_rank(const char *s)
{
	static const char *const order[] = {"critical", "high", "medium", "low", "none"};

	for (size_t i = 0; s != NULL && i < VOUCH_ARRAY_LEN(order); i++) {
		if (strcmp(s, order[i]) == 0) {
			return (int)i;
		}
	}
	return 5;
}

typedef struct sorted {
	vouch_vuln_match m;
	size_t comp;
} sorted;

static int
cmp_match(const void *a, const void *b)
{
	const sorted *x = a, *y = b;
	int rx = sev_rank(x->m.severity), ry = sev_rank(y->m.severity);

	if (x->comp != y->comp) {
		return x->comp < y->comp ? -1 : 1;
	}
	if (rx != ry) {
		return rx < ry ? -1 : 1;
	}
	if (x->m.cvss3 != y->m.cvss3) {
		return x->m.cvss3 > y->m.cvss3 ? -1 : 1;
	}
	return strcmp(x->m.id, y->m.id);
}

static int
fill_from(mctx *m, vouch_vuln_match *mm, const hit *h, bool first)
{
	vouch_vuln_result *r = m->res;
	sqlite3_stmt *st = m->db->st_detail;
	int src, rc = VOUCH_OK;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, h->rid);
	if ((src = sqlite3_step(st)) != SQLITE_ROW) {
		rc = vouch_vulndb_sqlerr(m->db, src, "record details");
		goto out;
	}
#define COL(i) ((const char *)sqlite3_column_text(st, (i)))
	{
		const char *vid = COL(1), *format = COL(2), *origin = COL(13);

		if (first) {
			mm->id = h->canon;
		}
		if (vid != NULL && strcmp(vid, h->canon) != 0) {
			mm->aliases = list_union(r, mm->aliases, vid, h->canon);
		}
		mm->aliases = list_union(r, mm->aliases, COL(6), h->canon);
		if (mm->summary == NULL) {
			mm->summary = rdup(r, COL(5));
		}
		if (mm->cvss3 < 0 && sqlite3_column_type(st, 7) != SQLITE_NULL) {
			mm->cvss3 = sqlite3_column_double(st, 7);
			mm->cvss3_vector = rdup(r, COL(8));
			if (COL(11) != NULL) {
				mm->severity = rdup(r, COL(11));
			}
		} else if (mm->cvss3_vector == NULL && COL(8) != NULL) {
			mm->cvss3_vector = rdup(r, COL(8));
		}
		if (mm->cvss4 < 0 && sqlite3_column_type(st, 9) != SQLITE_NULL) {
			mm->cvss4 = sqlite3_column_double(st, 9);
			mm->cvss4_vector = rdup(r, COL(10));
		} else if (mm->cvss4_vector == NULL && COL(10) != NULL) {
			mm->cvss4_vector = rdup(r, COL(10));
		}
		if (mm->severity == NULL && COL(11) != NULL) {
			mm->severity = rdup(r, COL(11));
		}
		mm->cwe = list_union(r, mm->cwe, COL(12), NULL);
		if (mm->published == NULL) {
			mm->published = rdup(r, COL(3));
		}
		if (COL(4) != NULL && (mm->modified == NULL || strcmp(COL(4), mm->modified) > 0)) {
			mm->modified = rdup(r, COL(4));
		}
		mm->reason = mm->reason == NULL
				     ? h->reason
				     : vouch_arena_printf(r->ar, "%s; also %s", mm->reason, h->reason);
		mm->source = vouch_arena_printf(r->ar, "%s%s%s %s",
						mm->source != NULL ? mm->source : "",
						mm->source != NULL ? "; " : "", format != NULL ? format : "?",
						origin != NULL ? origin : "?");
		if (mm->reason == NULL || mm->source == NULL) {
			rc = VOUCH_E_NOMEM;
		}
	}
#undef COL
out:
	sqlite3_reset(st);
	return rc;
}

static int
merge(mctx *m, const vouch_component *c)
{
	vouch_vuln_result *r = m->res;
	int rc;

	if (m->nhits > 1) {
		qsort(m->hits, m->nhits, sizeof(*m->hits), cmp_hit);
	}
	for (size_t i = 0; i < m->nhits;) {
		size_t j = i;
		vouch_vuln_match *mm;

		if (r->n == r->cap) {
			size_t nc = r->cap ? r->cap * 2 : 32;
			vouch_vuln_match *nm = realloc(r->m, nc * sizeof(*nm));

			if (nm == NULL) {
				return VOUCH_E_NOMEM;
			}
			r->m = nm;
			r->cap = nc;
		}
		mm = &r->m[r->n++];
		memset(mm, 0, sizeof(*mm));
		mm->cvss3 = mm->cvss4 = -1;
		mm->component_ref = c[m->hits[i].comp].bom_ref;
		for (; j < m->nhits && m->hits[j].comp == m->hits[i].comp &&
		       strcmp(m->hits[j].canon, m->hits[i].canon) == 0;
		     j++) {
			if ((rc = fill_from(m, mm, &m->hits[j], j == i)) != VOUCH_OK) {
				return rc;
			}
		}
		if (mm->severity == NULL) {
			mm->severity = mm->cvss3 >= 0 ? severity_from(mm->cvss3)
				       : mm->cvss4 >= 0 ? severity_from(mm->cvss4)
							: "unknown";
		}
		if (r->n > m->capcomp) {
			size_t *nc = realloc(m->mcomp, r->cap * sizeof(*nc));

			if (nc == NULL) {
				return VOUCH_E_NOMEM;
			}
			m->mcomp = nc;
			m->capcomp = r->cap;
		}
		m->mcomp[r->n - 1] = m->hits[i].comp;
		i = j;
	}
	return VOUCH_OK;
}

int
vouch_vulndb_match(vouch_vulndb *db, const vouch_component *c, size_t n, vouch_vuln_result **out)
{
	vouch_vuln_result *res = NULL;
	vouch_arena *scratch = NULL;
	mctx m;
	int rc;

	if (db == NULL || out == NULL || (c == NULL && n > 0)) {
		return VOUCH_E_USAGE;
	}
	*out = NULL;
	memset(&m, 0, sizeof(m));
	if ((rc = result_new(&res)) != VOUCH_OK ||
	    (rc = vouch_arena_new(&scratch, RESULT_BUDGET)) != VOUCH_OK) {
		goto out;
	}
	m.db = db;
	m.res = res;
	if ((rc = vouch_vulndb_exec(db, "BEGIN")) != VOUCH_OK) {
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		comp k;

		if ((rc = comp_keys(scratch, &c[i], &k)) != VOUCH_OK) {
			break;
		}
		if (k.version == NULL || k.version[0] == '\0' || vouch_cpe_is_any(k.version)) {
			res->skipped++;
			continue;
		}
		if ((rc = match_one(&m, i, &c[i], &k)) != VOUCH_OK) {
			break;
		}
	}
	sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
	if (rc == VOUCH_OK) {
		rc = merge(&m, c);
	}
	if (rc == VOUCH_OK && res->n > 1) {
		sorted *tmp = malloc(res->n * sizeof(*tmp));

		if (tmp == NULL) {
			rc = VOUCH_E_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < res->n; i++) {
			tmp[i] = (sorted){res->m[i], m.mcomp[i]};
		}
		qsort(tmp, res->n, sizeof(*tmp), cmp_match);
		for (size_t i = 0; i < res->n; i++) {
			res->m[i] = tmp[i].m;
		}
		free(tmp);
	}
out:
	vouch_appl_free(&m.appl);
	free(m.accs);
	free(m.hits);
	free(m.mcomp);
	vouch_arena_free(scratch);
	if (rc != VOUCH_OK) {
		vouch_vuln_result_free(res);
		return rc;
	}
	*out = res;
	return VOUCH_OK;
}

/* ---- info ----------------------------------------------------------------------------- */

int
vouch_vulndb_info_get(vouch_vulndb *db, vouch_vuln_result **out, const vouch_vulndb_info **info)
{
	vouch_vuln_result *r = NULL;
	sqlite3_stmt *st = NULL;
	vouch_sha256 *h = NULL;
	vouch_vulndb_source *src = NULL;
	vouch_vulndb_year *yrs = NULL;
	size_t ns = 0, cs = 0, ny = 0, cy = 0;
	uint8_t dg[VOUCH_SHA256_LEN];
	char *hex;
	int rc, s;

	if (db == NULL || out == NULL || info == NULL) {
		return VOUCH_E_USAGE;
	}
	*out = NULL;
	if ((rc = result_new(&r)) != VOUCH_OK) {
		return rc;
	}
	if ((rc = vouch_vulndb_exec(db, "BEGIN")) != VOUCH_OK) {
		goto out;
	}
#define PREP(sql)                                                                          \
	do {                                                                               \
		sqlite3_finalize(st);                                                      \
		st = NULL;                                                                 \
		if ((s = sqlite3_prepare_v2(db->db, (sql), -1, &st, NULL)) != SQLITE_OK) { \
			rc = vouch_vulndb_sqlerr(db, s, "info");                           \
			goto out;                                                          \
		}                                                                          \
	} while (0)
	PREP("SELECT count(*), max(modified) FROM record");
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->info.records = (uint64_t)sqlite3_column_int64(st, 0);
		r->info.newest_modified = rdup(r, (const char *)sqlite3_column_text(st, 1));
	}
	PREP("SELECT s.format, s.origin, s.feed_time, s.imported, count(r.rid),"
	     " min(nullif(r.year, 0)), max(r.year) FROM source s LEFT JOIN record r"
	     " ON r.sid = s.sid GROUP BY s.sid ORDER BY s.format, s.origin");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		vouch_vulndb_source *e;

		if (ns == cs) {
			size_t nc = cs ? cs * 2 : 16;
			vouch_vulndb_source *nb = vouch_arena_alloc(r->ar, nc * sizeof(*nb));

			if (nb == NULL) {
				rc = VOUCH_E_NOMEM;
				goto out;
			}
			if (ns > 0) {
				memcpy(nb, src, ns * sizeof(*nb));
			}
			src = nb;
			cs = nc;
		}
		e = &src[ns++];
		e->format = rdup(r, (const char *)sqlite3_column_text(st, 0));
		e->origin = rdup(r, (const char *)sqlite3_column_text(st, 1));
		e->feed_time = rdup(r, (const char *)sqlite3_column_text(st, 2));
		e->imported = rdup(r, (const char *)sqlite3_column_text(st, 3));
		e->records = (uint64_t)sqlite3_column_int64(st, 4);
		e->min_year = sqlite3_column_int(st, 5);
		e->max_year = sqlite3_column_int(st, 6);
	}
	PREP("SELECT year, count(*) FROM record WHERE year > 0 GROUP BY year ORDER BY year");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (ny == cy) {
			size_t nc = cy ? cy * 2 : 32;
			vouch_vulndb_year *nb = vouch_arena_alloc(r->ar, nc * sizeof(*nb));

			if (nb == NULL) {
				rc = VOUCH_E_NOMEM;
				goto out;
			}
			if (ny > 0) {
				memcpy(nb, yrs, ny * sizeof(*nb));
			}
			yrs = nb;
			cy = nc;
		}
		yrs[ny].year = sqlite3_column_int(st, 0);
		yrs[ny].records = (uint64_t)sqlite3_column_int64(st, 1);
		ny++;
	}
	/* the digest: every record's kind, id and modification time, in a fixed order */
	if ((rc = vouch_sha256_new(&h)) != VOUCH_OK) {
		goto out;
	}
	PREP("SELECT kind, vid, modified FROM record ORDER BY kind, vid");
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 3; i++) {
			const char *t = (const char *)sqlite3_column_text(st, i);

			vouch_sha256_update(h, t != NULL ? t : "", t != NULL ? strlen(t) : 0);
			vouch_sha256_update(h, i < 2 ? "\t" : "\n", 1);
		}
	}
#undef PREP
	if ((rc = vouch_sha256_final(h, dg)) != VOUCH_OK) {
		goto out;
	}
	hex = vouch_arena_alloc(r->ar, 2 * VOUCH_SHA256_LEN + 1);
	if (hex == NULL) {
		rc = VOUCH_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < VOUCH_SHA256_LEN; i++) {
		snprintf(hex + 2 * i, 3, "%02x", dg[i]);
	}
	r->info.digest = hex;
	r->info.sources = src;
	r->info.nsources = ns;
	r->info.years = yrs;
	r->info.nyears = ny;
out:
	sqlite3_finalize(st);
	sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
	vouch_sha256_free(h);
	if (rc != VOUCH_OK) {
		vouch_vuln_result_free(r);
		return rc;
	}
	*out = r;
	*info = &r->info;
	return VOUCH_OK;
}
