/*
 * vuln/import.c: feeds into the database: NVD 2.0 (year feeds, API pages, single cve
 * objects), legacy NVD 1.1 feeds, CVE JSON 5 records (one or an array) and OSV records (JSON,
 * YAML, one or {"vulns": [...]}), plain or gzip, one file or a directory tree.
 *
 * How: a file is read whole (at most VULN_MAX_FILE_BYTES after decompression), parsed by
 * jansson (JSON; jansson bounds nesting itself) or libyaml (yaml.c), and its format is
 * recognised from its content, never from its name. Each record is reduced to a vouch_vrec
 * (identity, dates, text, scores, weaknesses, and its applicability in the model of
 * vuln_int.h) and stored; a record that breaks the format (no id, a broken CPE, an operator
 * that is not AND/OR, a string over VULN_MAX_STR) is refused alone, with a message naming
 * the file, the record's position and id. A file that is not a feed at all, or truncated,
 * is refused whole: each file is one transaction. NVD 1.1 `children` are walked with an
 * explicit stack, as is a directory tree (name order, symlinks not followed, only
 * names ending .json, .yaml or .yml, optionally .gz: a mirror's README or .meta files are
 * skipped).
 *
 * What is kept of a record: the first English description (cut at VULN_MAX_TEXT), the
 * CVSS v3.x and v4 score and vector (NVD: the "Primary" metric, else the first; CVE 5: the
 * CNA's, else the first ADP's), the severity (v3, else v4, else v2, else the source's own
 * word), the CWE ids, the aliases (OSV), and for the CPE/affected data everything the
 * matcher needs. Rejected: keeping references and the full metric sets (not used by any
 * report, and they are most of a feed's bytes).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "vuln/db.h"
#include "vuln/yamljson.h"

/* Bytes any one record's derived strings may take (descriptions are cut, strings bounded). */
#define REC_ARENA_BUDGET (256ULL << 20)

typedef struct imp {
	vouch_vulndb *db;
	vouch_import_stats *st;
	vouch_vulndb_log_fn log;
	void *ud;
	const char *path;
	vouch_arena *ar;     /* the current record's */
	char why[300];       /* why the current record is refused */
	int failed;          /* last file-level failure */
	bool fatal;          /* the database failed: stop */
	uint64_t nrec, nadd, nupd, nsame, nrej; /* this file */
} imp;

static void VOUCH_PRINTF(3, 4)
say(imp *im, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (im->log == NULL) {
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	im->log(im->ud, level, buf);
}

/* Record the reason the current record is refused; returns VOUCH_E_MALFORMED. */
static int VOUCH_PRINTF(2, 3)
bad(imp *im, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(im->why, sizeof(im->why), fmt, ap);
	va_end(ap);
	return VOUCH_E_MALFORMED;
}

/* ---- reading a file ---------------------------------------------------------------- */

static int
read_all(imp *im, const char *path, uint8_t **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	uint8_t *buf = NULL;
	size_t n = 0, cap;

	if (fd < 0) {
		return vouch_errf(&im->db->err, errno == ENOENT ? VOUCH_E_NOTFOUND : VOUCH_E_IO, 0,
				  "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return vouch_errf(&im->db->err, VOUCH_E_IO, 0, "%s: not a regular file", path);
	}
	if ((uint64_t)sb.st_size > VULN_MAX_FILE_BYTES) {
		close(fd);
		return vouch_errf(&im->db->err, VOUCH_E_LIMIT, 0, "%s: larger than %llu bytes", path,
				  (unsigned long long)VULN_MAX_FILE_BYTES);
	}
	cap = (size_t)sb.st_size + 1;
	if ((buf = malloc(cap)) == NULL) {
		close(fd);
		return VOUCH_E_NOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			int e = errno;

			free(buf);
			close(fd);
			return vouch_errf(&im->db->err, VOUCH_E_IO, 0, "%s: %s", path, strerror(e));
		}
		if (r == 0) {
			break;
		}
		n += (size_t)r;
		if (n == cap) {
			/* the file grew while we read it: read no more than was promised */
			break;
		}
	}
	close(fd);
	*out = buf;
	*len = n;
	return VOUCH_OK;
}

/* gzip (one or more members) -> bytes, at most VULN_MAX_FILE_BYTES. */
static int
gunzip(imp *im, const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen)
{
	z_stream z;
	uint8_t *buf = NULL;
	size_t cap = inlen * 4 + 4096, n = 0;
	int zr = Z_OK, rc = VOUCH_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		return VOUCH_E_NOMEM;
	}
	if (cap > VULN_MAX_FILE_BYTES) {
		cap = VULN_MAX_FILE_BYTES;
	}
	if ((buf = malloc(cap + 1)) == NULL) {
		inflateEnd(&z);
		return VOUCH_E_NOMEM;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = 0;
	for (size_t used = 0;;) {
		if (z.avail_in == 0 && used < inlen) {
			size_t chunk = VOUCH_MIN(inlen - used, (size_t)1 << 30);

			z.next_in = (Bytef *)(uintptr_t)(in + used);
			z.avail_in = (uInt)chunk;
			used += chunk;
		}
		if (n == cap) {
			size_t nc = cap * 2 > VULN_MAX_FILE_BYTES ? VULN_MAX_FILE_BYTES : cap * 2;
			uint8_t *nb;

			if (nc <= cap) {
				rc = vouch_errf(&im->db->err, VOUCH_E_LIMIT, 0,
						"%s: decompresses to more than %llu bytes", im->path,
						(unsigned long long)VULN_MAX_FILE_BYTES);
				goto out;
			}
			if ((nb = realloc(buf, nc + 1)) == NULL) {
				rc = VOUCH_E_NOMEM;
				goto out;
			}
			buf = nb;
			cap = nc;
		}
		z.next_out = buf + n;
		z.avail_out = (uInt)VOUCH_MIN(cap - n, (size_t)1 << 30);
		{
			size_t before = z.avail_out;

			zr = inflate(&z, Z_NO_FLUSH);
			n += before - z.avail_out;
		}
		if (zr == Z_STREAM_END) {
			size_t left = z.avail_in + (inlen - used);

			if (left == 0) {
				break;
			}
			if (left >= 2 && z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
				inflateReset(&z); /* another gzip member follows */
				continue;
			}
			rc = vouch_errf(&im->db->err, VOUCH_E_MALFORMED, 0,
					"%s: %zu bytes of trailing garbage after the gzip stream",
					im->path, left);
			goto out;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && used == inlen) {
			rc = vouch_errf(&im->db->err, VOUCH_E_MALFORMED, 0,
					"%s: truncated gzip stream (after %zu bytes of output)", im->path,
					n);
			goto out;
		}
		if (zr != Z_OK && zr != Z_BUF_ERROR) {
			rc = vouch_errf(&im->db->err, VOUCH_E_MALFORMED, 0, "%s: corrupt gzip data: %s",
					im->path, z.msg != NULL ? z.msg : "inflate failed");
			goto out;
		}
	}
	*out = buf;
	*outlen = n;
	buf = NULL;
out:
	free(buf);
	inflateEnd(&z);
	return rc;
}

/* ---- small helpers over jansson ----------------------------------------------------- */

static const char *
js(const json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* A bounded string member: NULL when absent; refused when too long. */
static int
jsb(imp *im, const json_t *o, const char *k, const char **out)
{
	json_t *v = json_object_get(o, k);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		return VOUCH_OK;
	}
	if (!json_is_string(v)) {
		return bad(im, "\"%s\" is not a string", k);
	}
	if (json_string_length(v) > VULN_MAX_STR) {
		return bad(im, "\"%s\" is %zu bytes long (limit %d)", k, json_string_length(v),
			   VULN_MAX_STR);
	}
	*out = json_string_value(v);
	return VOUCH_OK;
}

static char *
adup(imp *im, const char *s)
{
	return s != NULL ? vouch_arena_strndup(im->ar, s, strlen(s)) : NULL;
}

static char *
alower(imp *im, const char *s, bool underscores)
{
	size_t n = strlen(s);
	char *d;

	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
		n--;
	}
	d = vouch_arena_strndup(im->ar, s, n);
	for (size_t i = 0; d != NULL && i < n; i++) {
		if (d[i] >= 'A' && d[i] <= 'Z') {
			d[i] = (char)(d[i] + 32);
		} else if (underscores && d[i] == ' ') {
			d[i] = '_';
		}
	}
	return d;
}

/* A description for display: at most VULN_MAX_TEXT bytes, cut at a UTF-8 boundary. */
static const char *
text_cut(imp *im, const char *s)
{
	size_t n;
	char *d;

	if (s == NULL) {
		return NULL;
	}
	n = strlen(s);
	if (n <= VULN_MAX_TEXT) {
		return s;
	}
	n = VULN_MAX_TEXT;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) {
		n--;
	}
	d = vouch_arena_alloc(im->ar, n + 4);
	if (d != NULL) {
		memcpy(d, s, n);
		memcpy(d + n, "...", 4);
	}
	return d;
}

/* Append `s` to a comma-separated list unless already present. */
static const char *
list_add(imp *im, const char *list, const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '\0' || strlen(s) > VULN_MAX_STR) {
		return list;
	}
	if (list != NULL) {
		n = strlen(s);
		for (const char *p = list; (p = strstr(p, s)) != NULL; p++) {
			if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) {
				return list;
			}
		}
		return vouch_arena_printf(im->ar, "%s,%s", list, s);
	}
	return adup(im, s);
}

static int
cve_year(const char *id)
{
	int y = 0;

	if (id == NULL || strncmp(id, "CVE-", 4) != 0) {
		return 0;
	}
	for (int i = 4; i < 8; i++) {
		if (id[i] < '0' || id[i] > '9') {
			return 0;
		}
		y = y * 10 + (id[i] - '0');
	}
	return id[8] == '-' ? y : 0;
}

static const char *
severity_word(const char *s)
{
	static const char *const words[] = {"critical", "high", "medium", "moderate", "low", "none"};

	if (s == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(words); i++) {
		if (strcasecmp(s, words[i]) == 0) {
			return i == 3 ? "medium" : words[i];
		}
	}
	return NULL;
}

static void
ts(const char *in, char out[32])
{
	if (!vouch_vuln_ts_canon(in, out)) {
		out[0] = '\0';
	}
}

static int
check_id(imp *im, const char *id)
{
	if (id == NULL || id[0] == '\0') {
		return bad(im, "no id");
	}
	if (strlen(id) > 128) {
		return bad(im, "an id of %zu bytes", strlen(id));
	}
	for (const char *p = id; *p != '\0'; p++) {
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == ',') {
			return bad(im, "an id with a space, comma or non-ASCII byte");
		}
	}
	return VOUCH_OK;
}

/* ---- NVD (2.0 and 1.1) ---------------------------------------------------------------- */

/* One cpeMatch / cpe_match entry -> a leaf of the node added last. */
static int
leaf_nvd(imp *im, vouch_appl *a, const json_t *m, const char *crit_key)
{
	vouch_cpe cpe;
	vouch_appl_leaf l = {0};
	const char *crit, *si, *se, *ei, *ee;
	int rc;

	if (!json_is_object(m)) {
		return bad(im, "a CPE match that is not an object");
	}
	if ((rc = jsb(im, m, crit_key, &crit)) != VOUCH_OK ||
	    (rc = jsb(im, m, "versionStartIncluding", &si)) != VOUCH_OK ||
	    (rc = jsb(im, m, "versionStartExcluding", &se)) != VOUCH_OK ||
	    (rc = jsb(im, m, "versionEndIncluding", &ei)) != VOUCH_OK ||
	    (rc = jsb(im, m, "versionEndExcluding", &ee)) != VOUCH_OK) {
		return rc;
	}
	if (crit == NULL) {
		return bad(im, "a CPE match without \"%s\"", crit_key);
	}
	if (vouch_cpe_parse(&cpe, crit) != VOUCH_OK) {
		return bad(im, "a broken CPE name \"%.80s\"", crit);
	}
	if ((si != NULL && se != NULL) || (ei != NULL && ee != NULL)) {
		return bad(im, "a CPE match with both an including and an excluding bound");
	}
	l.flags = json_is_true(json_object_get(m, "vulnerable")) ? LEAF_VULN : 0;
	if (si != NULL || se != NULL) {
		l.flags |= LEAF_START | (si != NULL ? LEAF_START_INCL : 0);
		l.start = si != NULL ? si : se;
	}
	if (ei != NULL || ee != NULL) {
		l.flags |= LEAF_END | (ei != NULL ? LEAF_END_INCL : 0);
		l.end = ei != NULL ? ei : ee;
	}
	l.vendor = adup(im, cpe.f[CPE_VENDOR]);
	l.product = adup(im, cpe.f[CPE_PRODUCT]);
	l.version = adup(im, cpe.f[CPE_VERSION]);
	l.update = adup(im, cpe.f[CPE_UPDATE]);
	l.text = crit;
	if (l.vendor == NULL || l.product == NULL || l.version == NULL || l.update == NULL) {
		return VOUCH_E_LIMIT;
	}
	return vouch_appl_add_leaf(a, &l);
}

static int
nvd_op(imp *im, const json_t *o, uint8_t *op, uint8_t *flags)
{
	const char *s = js(o, "operator");
	json_t *neg = json_object_get(o, "negate");

	if (s == NULL || strcmp(s, "OR") == 0) {
		*op = APPL_OR;
	} else if (strcmp(s, "AND") == 0) {
		*op = APPL_AND;
	} else {
		return bad(im, "operator \"%.20s\" is neither AND nor OR", s);
	}
	*flags = json_is_true(neg) ? APPL_NEGATE : 0;
	return VOUCH_OK;
}

/* NVD 2.0: configurations[] { operator, negate, nodes[] { operator, negate, cpeMatch[] } } */
static int
appl_nvd20(imp *im, vouch_appl *a, const json_t *configs)
{
	size_t i, j, k;
	json_t *cfg, *node, *m;
	int rc;

	if ((rc = vouch_appl_add_node(a, APPL_OR, 0, UINT32_MAX, NULL)) != VOUCH_OK) {
		return rc;
	}
	if (configs == NULL) {
		return VOUCH_OK;
	}
	if (!json_is_array(configs)) {
		return bad(im, "\"configurations\" is not an array");
	}
	json_array_foreach (configs, i, cfg) {
		uint8_t op, fl;
		uint32_t ci;
		json_t *nodes = json_object_get(cfg, "nodes");

		if (!json_is_object(cfg) || !json_is_array(nodes)) {
			return bad(im, "a configuration without \"nodes\"");
		}
		if ((rc = nvd_op(im, cfg, &op, &fl)) != VOUCH_OK ||
		    (rc = vouch_appl_add_node(a, op, fl, 0, &ci)) != VOUCH_OK) {
			return rc;
		}
		json_array_foreach (nodes, j, node) {
			json_t *ms = json_object_get(node, "cpeMatch");

			if (!json_is_object(node) || (ms != NULL && !json_is_array(ms))) {
				return bad(im, "a configuration node that is not an object");
			}
			if ((rc = nvd_op(im, node, &op, &fl)) != VOUCH_OK ||
			    (rc = vouch_appl_add_node(a, op, fl, ci, NULL)) != VOUCH_OK) {
				return rc;
			}
			json_array_foreach (ms, k, m) {
				if ((rc = leaf_nvd(im, a, m, "criteria")) != VOUCH_OK) {
					return rc;
				}
			}
		}
	}
	return VOUCH_OK;
}

/* NVD 1.1: configurations.nodes[] { operator, negate, children[], cpe_match[] }, nested. */
static int
appl_nvd11(imp *im, vouch_appl *a, const json_t *configs)
{
	struct item {
		const json_t *node;
		uint32_t parent;
		unsigned depth;
	} *stack = NULL;
	size_t sp = 0, cap = 0, i;
	json_t *nodes = json_object_get(configs, "nodes");
	int rc;

	if ((rc = vouch_appl_add_node(a, APPL_OR, 0, UINT32_MAX, NULL)) != VOUCH_OK) {
		return rc;
	}
	if (nodes == NULL) {
		return VOUCH_OK;
	}
	if (!json_is_array(nodes)) {
		return bad(im, "\"configurations.nodes\" is not an array");
	}
	/* push in reverse so that nodes come out in document order */
#define PUSH(nd, par, dep)                                                                 \
	do {                                                                               \
		if (sp == cap) {                                                           \
			size_t nc_ = cap ? cap * 2 : 16;                                   \
			struct item *ns_ = realloc(stack, nc_ * sizeof(*ns_));             \
			if (ns_ == NULL) {                                                 \
				rc = VOUCH_E_NOMEM;                                        \
				goto out;                                                  \
			}                                                                  \
			stack = ns_;                                                       \
			cap = nc_;                                                         \
		}                                                                          \
		stack[sp++] = (struct item){(nd), (par), (dep)};                           \
	} while (0)
	for (i = json_array_size(nodes); i > 0; i--) {
		PUSH(json_array_get(nodes, i - 1), 0, 1);
	}
	while (sp > 0) {
		struct item it = stack[--sp];
		json_t *kids, *ms, *m;
		uint8_t op, fl;
		uint32_t me;
		size_t k;

		if (!json_is_object(it.node)) {
			rc = bad(im, "a configuration node that is not an object");
			goto out;
		}
		if (it.depth > VULN_MAX_DEPTH) {
			rc = bad(im, "configuration nodes nested more than %d deep", VULN_MAX_DEPTH);
			goto out;
		}
		kids = json_object_get(it.node, "children");
		ms = json_object_get(it.node, "cpe_match");
		if ((kids != NULL && !json_is_array(kids)) || (ms != NULL && !json_is_array(ms))) {
			rc = bad(im, "\"children\" or \"cpe_match\" is not an array");
			goto out;
		}
		if ((rc = nvd_op(im, it.node, &op, &fl)) != VOUCH_OK ||
		    (rc = vouch_appl_add_node(a, op, fl, it.parent, &me)) != VOUCH_OK) {
			goto out;
		}
		json_array_foreach (ms, k, m) {
			if ((rc = leaf_nvd(im, a, m, "cpe23Uri")) != VOUCH_OK) {
				goto out;
			}
		}
		for (k = json_array_size(kids); k > 0; k--) {
			PUSH(json_array_get(kids, k - 1), me, it.depth + 1);
		}
	}
#undef PUSH
	rc = VOUCH_OK;
out:
	free(stack);
	return rc;
}

/* The "Primary" metric of an NVD 2.0 metric array, else the first. */
static const json_t *
pick_metric(const json_t *arr)
{
	size_t i;
	json_t *m;

	json_array_foreach (arr, i, m) {
		const char *t = js(m, "type");

		if (t != NULL && strcmp(t, "Primary") == 0) {
			return m;
		}
	}
	return json_array_get(arr, 0);
}

static void
score(const json_t *data, double *score_out, const char **vec)
{
	json_t *s = json_object_get(data, "baseScore");
	const char *v = js(data, "vectorString");

	if (json_is_number(s) && json_number_value(s) >= 0 && json_number_value(s) <= 10) {
		*score_out = json_number_value(s);
	} else if (json_is_string(s)) {
		/* YAML-sourced or sloppy: a score written as text */
		char *end = NULL;
		double d = strtod(json_string_value(s), &end);

		if (end != NULL && *end == '\0' && d >= 0 && d <= 10) {
			*score_out = d;
		}
	}
	if (v != NULL && strlen(v) <= VULN_MAX_STR) {
		*vec = v;
	}
}

static const char *
first_en(const json_t *arr, const char *textkey)
{
	size_t i;
	json_t *d;

	json_array_foreach (arr, i, d) {
		const char *lang = js(d, "lang");

		if (lang != NULL && strncmp(lang, "en", 2) == 0 && js(d, textkey) != NULL) {
			return js(d, textkey);
		}
	}
	return NULL;
}

static int
rec_nvd20(imp *im, const json_t *item, vouch_vrec *r)
{
	const json_t *cve = json_object_get(item, "cve"), *metrics, *m;
	const char *sev = NULL;
	size_t i, j;
	json_t *w, *d;
	int rc;

	if (cve == NULL) {
		cve = item; /* a bare cve object (per-CVE files) */
	}
	if (!json_is_object(cve)) {
		return bad(im, "\"cve\" is not an object");
	}
	r->kind = "nvd";
	r->format = "nvd-2.0";
	r->id = js(cve, "id");
	if ((rc = check_id(im, r->id)) != VOUCH_OK) {
		return rc;
	}
	ts(js(cve, "published"), r->published);
	ts(js(cve, "lastModified"), r->modified);
	r->summary = text_cut(im, first_en(json_object_get(cve, "descriptions"), "value"));
	metrics = json_object_get(cve, "metrics");
	if ((m = pick_metric(json_object_get(metrics, "cvssMetricV31"))) != NULL ||
	    (m = pick_metric(json_object_get(metrics, "cvssMetricV30"))) != NULL) {
		score(json_object_get(m, "cvssData"), &r->cvss3, &r->cvss3_vector);
		sev = severity_word(js(json_object_get(m, "cvssData"), "baseSeverity"));
	}
	if ((m = pick_metric(json_object_get(metrics, "cvssMetricV40"))) != NULL) {
		score(json_object_get(m, "cvssData"), &r->cvss4, &r->cvss4_vector);
		if (sev == NULL) {
			sev = severity_word(js(json_object_get(m, "cvssData"), "baseSeverity"));
		}
	}
	if (sev == NULL && (m = pick_metric(json_object_get(metrics, "cvssMetricV2"))) != NULL) {
		sev = severity_word(js(m, "baseSeverity"));
	}
	r->severity = sev;
	json_array_foreach (json_object_get(cve, "weaknesses"), i, w) {
		json_array_foreach (json_object_get(w, "description"), j, d) {
			const char *v = js(d, "value");

			if (v != NULL && strncmp(v, "CWE-", 4) == 0) {
				r->cwe = list_add(im, r->cwe, v);
			}
		}
	}
	return appl_nvd20(im, &r->appl, json_object_get(cve, "configurations"));
}

static int
rec_nvd11(imp *im, const json_t *item, vouch_vrec *r)
{
	const json_t *cve = json_object_get(item, "cve"), *impact = json_object_get(item, "impact");
	const json_t *v3 = json_object_get(json_object_get(impact, "baseMetricV3"), "cvssV3");
	size_t i, j;
	json_t *p, *d;
	int rc;

	if (!json_is_object(cve)) {
		return bad(im, "no \"cve\" object");
	}
	r->kind = "nvd";
	r->format = "nvd-1.1";
	r->id = js(json_object_get(cve, "CVE_data_meta"), "ID");
	if ((rc = check_id(im, r->id)) != VOUCH_OK) {
		return rc;
	}
	ts(js(item, "publishedDate"), r->published);
	ts(js(item, "lastModifiedDate"), r->modified);
	r->summary = text_cut(
		im, first_en(json_object_get(json_object_get(cve, "description"), "description_data"),
			     "value"));
	if (v3 != NULL) {
		score(v3, &r->cvss3, &r->cvss3_vector);
		r->severity = severity_word(js(v3, "baseSeverity"));
	}
	if (r->severity == NULL) {
		r->severity = severity_word(js(json_object_get(impact, "baseMetricV2"), "severity"));
	}
	json_array_foreach (json_object_get(json_object_get(cve, "problemtype"), "problemtype_data"),
			    i, p) {
		json_array_foreach (json_object_get(p, "description"), j, d) {
			const char *v = js(d, "value");

			if (v != NULL && strncmp(v, "CWE-", 4) == 0) {
				r->cwe = list_add(im, r->cwe, v);
			}
		}
	}
	return appl_nvd11(im, &r->appl, json_object_get(item, "configurations"));
}

/* ---- CVE JSON 5 --------------------------------------------------------------------- */

static bool
cve5_unknown_version(const char *v)
{
	return v == NULL || v[0] == '\0' || strcmp(v, "*") == 0 || strcasecmp(v, "n/a") == 0 ||
	       strcasecmp(v, "unspecified") == 0 || strcasecmp(v, "unknown") == 0 ||
	       strcasecmp(v, "all") == 0;
}

/*
 * A git commit id where a version should be: 7 to 40 lowercase hex digits with at least one
 * letter (so "20230101" stays a version). CISA's ADP containers copy the kernel CNA's commit
 * ranges with versionType "custom", not "git": the type alone does not tell.
 */
static bool
cve5_commit(const char *v)
{
	size_t n = 0;
	bool letter = false;

	if (v == NULL) {
		return false;
	}
	for (; v[n] != '\0'; n++) {
		if (v[n] >= 'a' && v[n] <= 'f') {
			letter = true;
		} else if (v[n] < '0' || v[n] > '9') {
			return false;
		}
	}
	return n >= 7 && n <= 40 && letter;
}

/* The leaves of one versions[] list, appended to the group added last. */
static int
cve5_versions(imp *im, vouch_appl *a, const json_t *versions, const char *text)
{
	size_t i;
	json_t *v;
	int rc;

	json_array_foreach (versions, i, v) {
		vouch_appl_leaf l = {0};
		const char *ver, *lt, *le, *status, *type;

		if (!json_is_object(v)) {
			return bad(im, "a versions[] entry that is not an object");
		}
		if ((rc = jsb(im, v, "version", &ver)) != VOUCH_OK ||
		    (rc = jsb(im, v, "lessThan", &lt)) != VOUCH_OK ||
		    (rc = jsb(im, v, "lessThanOrEqual", &le)) != VOUCH_OK ||
		    (rc = jsb(im, v, "status", &status)) != VOUCH_OK ||
		    (rc = jsb(im, v, "versionType", &type)) != VOUCH_OK) {
			return rc;
		}
		l.vendor = "";
		l.product = "";
		l.update = "*";
		l.version = "*";
		l.text = text;
		if (status != NULL && strcmp(status, "affected") == 0) {
			l.flags |= LEAF_VULN;
		} else if (status == NULL || strcmp(status, "unaffected") != 0) {
			l.flags |= LEAF_UNEVAL; /* "unknown" */
		}
		if ((type != NULL && strcmp(type, "git") == 0) || cve5_commit(ver) ||
		    cve5_commit(lt) || cve5_commit(le)) {
			l.flags |= LEAF_UNEVAL;
		}
		if (lt != NULL || le != NULL) {
			if (!cve5_unknown_version(ver) && strcmp(ver, "0") != 0) {
				l.flags |= LEAF_START | LEAF_START_INCL;
				l.start = ver;
			}
			if (lt != NULL && strcmp(lt, "*") != 0) {
				l.flags |= LEAF_END;
				l.end = lt;
			} else if (le != NULL && strcmp(le, "*") != 0) {
				l.flags |= LEAF_END | LEAF_END_INCL;
				l.end = le;
			}
		} else if (cve5_unknown_version(ver)) {
			l.flags |= LEAF_UNEVAL;
			l.version = ver != NULL ? ver : "";
		} else {
			l.version = ver;
		}
		if ((rc = vouch_appl_add_leaf(a, &l)) != VOUCH_OK) {
			return rc;
		}
	}
	return VOUCH_OK;
}

/* One affected[] entry: a group per product name it goes by (vendor:product, cpes[]). */
static int
cve5_affected(imp *im, vouch_appl *a, const json_t *aff)
{
	const char *vendor, *product, *dflt;
	const char *keys_v[17], *keys_p[17];
	size_t nk = 0, i;
	const json_t *versions = json_object_get(aff, "versions");
	json_t *c;
	const char *text;
	int rc;

	if (!json_is_object(aff)) {
		return bad(im, "an affected[] entry that is not an object");
	}
	if ((rc = jsb(im, aff, "vendor", &vendor)) != VOUCH_OK ||
	    (rc = jsb(im, aff, "product", &product)) != VOUCH_OK ||
	    (rc = jsb(im, aff, "defaultStatus", &dflt)) != VOUCH_OK) {
		return rc;
	}
	if (versions != NULL && !json_is_array(versions)) {
		return bad(im, "\"versions\" is not an array");
	}
	if (vendor != NULL && product != NULL && !cve5_unknown_version(vendor) &&
	    !cve5_unknown_version(product)) {
		keys_v[nk] = alower(im, vendor, true);
		keys_p[nk] = alower(im, product, true);
		if (keys_v[nk] == NULL || keys_p[nk] == NULL) {
			return VOUCH_E_LIMIT;
		}
		nk++;
	}
	json_array_foreach (json_object_get(aff, "cpes"), i, c) {
		vouch_cpe cpe;

		if (!json_is_string(c) || vouch_cpe_parse(&cpe, json_string_value(c)) != VOUCH_OK) {
			return bad(im, "a broken CPE name in cpes[]");
		}
		if (nk < VOUCH_ARRAY_LEN(keys_v)) {
			keys_v[nk] = adup(im, cpe.f[CPE_VENDOR]);
			keys_p[nk] = adup(im, cpe.f[CPE_PRODUCT]);
			if (keys_v[nk] == NULL || keys_p[nk] == NULL) {
				return VOUCH_E_LIMIT;
			}
			nk++;
		}
	}
	text = vouch_arena_printf(im->ar, "%s %s", vendor != NULL ? vendor : "?",
				  product != NULL ? product : "?");
	if (text == NULL) {
		return VOUCH_E_LIMIT;
	}
	for (size_t k = 0; k < nk; k++) {
		bool dup = false;
		size_t first;

		for (size_t q = 0; q < k; q++) {
			dup |= strcmp(keys_v[q], keys_v[k]) == 0 && strcmp(keys_p[q], keys_p[k]) == 0;
		}
		if (dup) {
			continue;
		}
		if ((rc = vouch_appl_add_node(a, APPL_GROUP,
					      dflt != NULL && strcmp(dflt, "affected") == 0
						      ? APPL_DEFAULT_AFF
						      : 0,
					      0, NULL)) != VOUCH_OK) {
			return rc;
		}
		first = a->nleaves;
		if ((rc = cve5_versions(im, a, versions, text)) != VOUCH_OK) {
			return rc;
		}
		for (size_t q = first; q < a->nleaves; q++) {
			a->leaves[q].vendor = keys_v[k];
			a->leaves[q].product = keys_p[k];
		}
		if (a->nleaves == first) {
			/* no versions: the group still names the product (for the index) through
			 * one leaf that can never be decided */
			vouch_appl_leaf l = {LEAF_UNEVAL, keys_v[k], keys_p[k], "", "*", "", "", text};

			if ((rc = vouch_appl_add_leaf(a, &l)) != VOUCH_OK) {
				return rc;
			}
		}
	}
	return VOUCH_OK;
}

static void
cve5_metrics(const json_t *container, vouch_vrec *r)
{
	size_t i;
	json_t *m, *d;

	json_array_foreach (json_object_get(container, "metrics"), i, m) {
		if (r->cvss3 < 0 && ((d = json_object_get(m, "cvssV3_1")) != NULL ||
				     (d = json_object_get(m, "cvssV3_0")) != NULL)) {
			score(d, &r->cvss3, &r->cvss3_vector);
			r->severity = severity_word(js(d, "baseSeverity"));
		}
		if (r->cvss4 < 0 && (d = json_object_get(m, "cvssV4_0")) != NULL) {
			score(d, &r->cvss4, &r->cvss4_vector);
			if (r->severity == NULL) {
				r->severity = severity_word(js(d, "baseSeverity"));
			}
		}
	}
}

static int
rec_cve5(imp *im, const json_t *rec, vouch_vrec *r)
{
	const json_t *meta = json_object_get(rec, "cveMetadata");
	const json_t *cont = json_object_get(rec, "containers");
	const json_t *cna = json_object_get(cont, "cna"), *adp = json_object_get(cont, "adp");
	const json_t *all[65];
	size_t nall = 0, i, j, k;
	json_t *c, *p, *d, *aff;
	int rc;

	if (!json_is_object(meta) || !json_is_object(cont)) {
		return bad(im, "not a CVE 5 record (no cveMetadata / containers)");
	}
	r->kind = "cve5";
	r->format = "cve-5";
	r->id = js(meta, "cveId");
	if ((rc = check_id(im, r->id)) != VOUCH_OK) {
		return rc;
	}
	ts(js(meta, "datePublished"), r->published);
	ts(js(meta, "dateUpdated"), r->modified);
	if (r->modified[0] == '\0') {
		memcpy(r->modified, r->published, sizeof(r->modified));
	}
	if (cna != NULL) {
		all[nall++] = cna;
	}
	json_array_foreach (adp, i, c) {
		if (nall < VOUCH_ARRAY_LEN(all)) {
			all[nall++] = c;
		}
	}
	r->summary = text_cut(im, first_en(json_object_get(cna, "descriptions"), "value"));
	if (r->summary == NULL) {
		r->summary = text_cut(im, first_en(json_object_get(cna, "rejectedReasons"), "value"));
	}
	if ((rc = vouch_appl_add_node(&r->appl, APPL_OR, 0, UINT32_MAX, NULL)) != VOUCH_OK) {
		return rc;
	}
	for (k = 0; k < nall; k++) {
		if (!json_is_object(all[k])) {
			return bad(im, "a container that is not an object");
		}
		cve5_metrics(all[k], r);
		json_array_foreach (json_object_get(all[k], "problemTypes"), i, p) {
			json_array_foreach (json_object_get(p, "descriptions"), j, d) {
				r->cwe = list_add(im, r->cwe, js(d, "cweId"));
			}
		}
		json_array_foreach (json_object_get(all[k], "affected"), i, aff) {
			if ((rc = cve5_affected(im, &r->appl, aff)) != VOUCH_OK) {
				return rc;
			}
		}
	}
	return VOUCH_OK;
}

/* ---- OSV ------------------------------------------------------------------------------ */

static int
osv_affected(imp *im, vouch_appl *a, const json_t *aff, const char **sev)
{
	const json_t *pkg = json_object_get(aff, "package");
	const json_t *ranges = json_object_get(aff, "ranges");
	const char *name, *eco;
	char *key;
	size_t i, j, git = 0, first;
	json_t *v, *rg, *ev;
	const char *text;
	int rc;

	if (!json_is_object(aff)) {
		return bad(im, "an affected[] entry that is not an object");
	}
	if (*sev == NULL) {
		*sev = severity_word(js(json_object_get(aff, "ecosystem_specific"), "severity"));
	}
	if (!json_is_object(pkg)) {
		return VOUCH_OK; /* e.g. a git-only entry without a package: nothing to index */
	}
	if ((rc = jsb(im, pkg, "name", &name)) != VOUCH_OK ||
	    (rc = jsb(im, pkg, "ecosystem", &eco)) != VOUCH_OK) {
		return rc;
	}
	if (name == NULL || name[0] == '\0') {
		return bad(im, "a package without a name");
	}
	key = alower(im, name, false);
	text = vouch_arena_printf(im->ar, "%s package %s", eco != NULL ? eco : "OSV", name);
	if (key == NULL || text == NULL) {
		return VOUCH_E_LIMIT;
	}
	if ((rc = vouch_appl_add_node(a, APPL_GROUP, 0, 0, NULL)) != VOUCH_OK) {
		return rc;
	}
	first = a->nleaves;
	json_array_foreach (json_object_get(aff, "versions"), i, v) {
		char norm[VULN_MAX_STR + 8];
		vouch_appl_leaf l = {LEAF_VULN, "", key, NULL, "*", "", "", NULL};

		if (!json_is_string(v) || json_string_length(v) > VULN_MAX_STR) {
			return bad(im, "a versions[] entry that is not a short string");
		}
		vouch_vuln_tag_to_version(json_string_value(v), norm, sizeof(norm));
		l.version = adup(im, norm);
		l.text = vouch_arena_printf(im->ar, "%s, listed version \"%s\"", text,
					    json_string_value(v));
		if (l.version == NULL || l.text == NULL) {
			return VOUCH_E_LIMIT;
		}
		if ((rc = vouch_appl_add_leaf(a, &l)) != VOUCH_OK) {
			return rc;
		}
	}
	if (ranges != NULL && !json_is_array(ranges)) {
		return bad(im, "\"ranges\" is not an array");
	}
	json_array_foreach (ranges, i, rg) {
		const char *type = js(rg, "type");
		vouch_appl_leaf l = {0};
		bool open = false;

		if (type == NULL) {
			return bad(im, "a range without a type");
		}
		if (strcmp(type, "GIT") == 0) {
			git++;
			continue;
		}
		if (strcmp(type, "SEMVER") != 0 && strcmp(type, "ECOSYSTEM") != 0) {
			return bad(im, "a range of unknown type \"%.20s\"", type);
		}
		json_array_foreach (json_object_get(rg, "events"), j, ev) {
			const char *intro, *fixed, *last, *limit;

			if ((rc = jsb(im, ev, "introduced", &intro)) != VOUCH_OK ||
			    (rc = jsb(im, ev, "fixed", &fixed)) != VOUCH_OK ||
			    (rc = jsb(im, ev, "last_affected", &last)) != VOUCH_OK ||
			    (rc = jsb(im, ev, "limit", &limit)) != VOUCH_OK) {
				return rc;
			}
			if (intro != NULL) {
				l = (vouch_appl_leaf){LEAF_VULN, "", key, "*", "*", "", "", text};
				if (strcmp(intro, "0") != 0) {
					l.flags |= LEAF_START | LEAF_START_INCL;
					l.start = intro;
				}
				open = true;
			} else if (open && (fixed != NULL || last != NULL || limit != NULL)) {
				l.flags |= LEAF_END | (last != NULL ? LEAF_END_INCL : 0);
				l.end = fixed != NULL ? fixed : (last != NULL ? last : limit);
				if ((rc = vouch_appl_add_leaf(a, &l)) != VOUCH_OK) {
					return rc;
				}
				open = false;
			}
		}
		if (open && (rc = vouch_appl_add_leaf(a, &l)) != VOUCH_OK) {
			return rc;
		}
	}
	if (a->nleaves == first) {
		/* nothing decidable: keep the product in the index through a leaf that says so */
		vouch_appl_leaf l = {LEAF_UNEVAL, "", key, "", "*", "", "", text};

		if (git > 0) {
			a->nodes[a->nnodes - 1].flags |= APPL_GIT_ONLY;
		}
		if ((rc = vouch_appl_add_leaf(a, &l)) != VOUCH_OK) {
			return rc;
		}
	}
	return VOUCH_OK;
}

static int
rec_osv(imp *im, const json_t *rec, vouch_vrec *r)
{
	size_t i;
	json_t *v;
	const char *sev = NULL;
	int rc;

	if (!json_is_object(rec)) {
		return bad(im, "an OSV record that is not an object");
	}
	r->kind = "osv";
	r->format = "osv";
	r->id = js(rec, "id");
	if ((rc = check_id(im, r->id)) != VOUCH_OK) {
		return rc;
	}
	ts(js(rec, "published"), r->published);
	ts(js(rec, "modified"), r->modified);
	r->summary = text_cut(im, js(rec, "summary") != NULL ? js(rec, "summary")
							     : js(rec, "details"));
	json_array_foreach (json_object_get(rec, "aliases"), i, v) {
		if (json_is_string(v) && check_id(im, json_string_value(v)) == VOUCH_OK) {
			r->aliases = list_add(im, r->aliases, json_string_value(v));
			if (r->year == 0) {
				r->year = cve_year(json_string_value(v));
			}
		}
	}
	json_array_foreach (json_object_get(rec, "severity"), i, v) {
		const char *type = js(v, "type"), *sc = js(v, "score");

		if (type == NULL || sc == NULL || strlen(sc) > VULN_MAX_STR) {
			continue;
		}
		if (strncmp(type, "CVSS_V3", 7) == 0 && r->cvss3_vector == NULL) {
			r->cvss3_vector = sc;
		} else if (strcmp(type, "CVSS_V4") == 0 && r->cvss4_vector == NULL) {
			r->cvss4_vector = sc;
		}
	}
	json_array_foreach (json_object_get(json_object_get(rec, "database_specific"), "cwe_ids"),
			    i, v) {
		r->cwe = list_add(im, r->cwe, json_string_value(v));
	}
	sev = severity_word(js(json_object_get(rec, "database_specific"), "severity"));
	if ((rc = vouch_appl_add_node(&r->appl, APPL_OR, 0, UINT32_MAX, NULL)) != VOUCH_OK) {
		return rc;
	}
	if (json_object_get(rec, "affected") != NULL &&
	    !json_is_array(json_object_get(rec, "affected"))) {
		return bad(im, "\"affected\" is not an array");
	}
	json_array_foreach (json_object_get(rec, "affected"), i, v) {
		if ((rc = osv_affected(im, &r->appl, v, &sev)) != VOUCH_OK) {
			return rc;
		}
	}
	r->severity = sev;
	return VOUCH_OK;
}

/* ---- formats ---------------------------------------------------------------------------- */

typedef int (*rec_fn)(imp *, const json_t *, vouch_vrec *);

typedef struct feed {
	const char *format;
	rec_fn fn;
	const json_t *items; /* array of records, or NULL for one record */
	const json_t *one;
	const char *feed_time;
} feed;

static bool
looks_cve5(const json_t *o)
{
	const char *t = js(o, "dataType");

	return json_is_object(o) && ((t != NULL && strcmp(t, "CVE_RECORD") == 0) ||
				     json_is_object(json_object_get(o, "cveMetadata")));
}

static bool
looks_osv(const json_t *o)
{
	return json_is_object(o) && js(o, "id") != NULL && js(o, "modified") != NULL &&
	       (json_object_get(o, "affected") != NULL || json_object_get(o, "schema_version") ||
		json_object_get(o, "aliases") != NULL || json_object_get(o, "withdrawn") != NULL);
}

static bool
looks_nvd20_cve(const json_t *o)
{
	const char *id = js(o, "id");

	return json_is_object(o) && id != NULL && strncmp(id, "CVE-", 4) == 0 &&
	       js(o, "lastModified") != NULL && json_object_get(o, "descriptions") != NULL;
}

static int
detect(const json_t *root, feed *f)
{
	memset(f, 0, sizeof(*f));
	if (json_is_object(root)) {
		const json_t *v;

		if (json_is_array(v = json_object_get(root, "vulnerabilities"))) {
			*f = (feed){"nvd-2.0", rec_nvd20, v, NULL, js(root, "timestamp")};
		} else if (json_is_array(v = json_object_get(root, "CVE_Items"))) {
			*f = (feed){"nvd-1.1", rec_nvd11, v, NULL, js(root, "CVE_data_timestamp")};
		} else if (looks_cve5(root)) {
			*f = (feed){"cve-5", rec_cve5, NULL, root, NULL};
		} else if (looks_nvd20_cve(root)) {
			*f = (feed){"nvd-2.0", rec_nvd20, NULL, root, NULL};
		} else if (looks_osv(root)) {
			*f = (feed){"osv", rec_osv, NULL, root, NULL};
		} else if (json_is_array(v = json_object_get(root, "vulns"))) {
			*f = (feed){"osv", rec_osv, v, NULL, NULL};
		} else {
			return -1;
		}
		return 0;
	}
	if (json_is_array(root) && json_array_size(root) > 0) {
		const json_t *e = json_array_get(root, 0);

		if (looks_cve5(e)) {
			*f = (feed){"cve-5", rec_cve5, root, NULL, NULL};
		} else if (looks_osv(e)) {
			*f = (feed){"osv", rec_osv, root, NULL, NULL};
		} else {
			return -1;
		}
		return 0;
	}
	return -1;
}

/* ---- one file ------------------------------------------------------------------------- */

static int
one_record(imp *im, const feed *f, const json_t *item, size_t idx, int64_t sid)
{
	vouch_vrec r;
	int rc, outcome = 0;

	memset(&r, 0, sizeof(r));
	r.cvss3 = r.cvss4 = -1;
	im->why[0] = '\0';
	im->nrec++;
	if ((rc = vouch_arena_new(&im->ar, REC_ARENA_BUDGET)) != VOUCH_OK) {
		return rc;
	}
	rc = f->fn(im, item, &r);
	if (rc == VOUCH_OK) {
		if (r.year == 0) {
			r.year = cve_year(r.id);
		}
		rc = vouch_vulndb_store(im->db, &r, sid, &outcome);
		if (rc != VOUCH_OK) {
			im->fatal = rc != VOUCH_E_LIMIT;
			if (!im->fatal) {
				bad(im, "%s", im->db->err.msg);
				rc = VOUCH_E_MALFORMED;
			}
		}
	} else if (rc == VOUCH_E_LIMIT) {
		bad(im, "too large (more than %d nodes, %d CPE matches, or %llu bytes of text)",
		    VULN_MAX_NODES, VULN_MAX_LEAVES, (unsigned long long)REC_ARENA_BUDGET);
		rc = VOUCH_E_MALFORMED;
	}
	if (rc == VOUCH_E_MALFORMED && !im->fatal) {
		char idbuf[160];

		vouch_escape(idbuf, sizeof(idbuf), r.id != NULL ? r.id : "?",
			     r.id != NULL ? VOUCH_MIN(strlen(r.id), (size_t)128) : 1);
		say(im, VOUCH_VULNDB_LOG_WARN, "%s: record %zu (%s) refused: %s", im->path, idx + 1,
		    idbuf, im->why);
		im->nrej++;
		rc = VOUCH_OK;
	} else if (rc == VOUCH_OK) {
		uint64_t *cnt[] = {&im->nadd, &im->nupd, &im->nsame};

		(*cnt[outcome])++;
	} else {
		im->fatal = true;
	}
	vouch_appl_free(&r.appl);
	vouch_arena_free(im->ar);
	im->ar = NULL;
	return rc;
}

static int
parse_doc(imp *im, const uint8_t *p, size_t n, json_t **root)
{
	size_t i = 0;
	char err[256];

	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
		i++;
	}
	if (i == n) {
		return vouch_errf(&im->db->err, VOUCH_E_MALFORMED, 0, "%s: empty file", im->path);
	}
	if (i + 3 <= n && p[i] == 0xef && p[i + 1] == 0xbb && p[i + 2] == 0xbf) {
		i += 3; /* a UTF-8 byte-order mark */
	}
	if (p[i] == '{' || p[i] == '[') {
		json_error_t je;

		*root = json_loadb((const char *)p + i, n - i, 0, &je);
		if (*root == NULL) {
			return vouch_errf(&im->db->err, VOUCH_E_MALFORMED, 0,
					  "%s: not valid JSON: %s (line %d, column %d)", im->path,
					  je.text, je.line, je.column);
		}
		return VOUCH_OK;
	}
	if (vouch_vuln_yaml_load(p + i, n - i, root, err, sizeof(err)) != 0) {
		return vouch_errf(&im->db->err, VOUCH_E_MALFORMED, 0,
				  "%s: neither JSON nor a YAML record: %s", im->path, err);
	}
	return VOUCH_OK;
}

static int
import_file(imp *im, const char *path)
{
	uint8_t *raw = NULL, *data = NULL;
	size_t rawlen = 0, len = 0;
	json_t *root = NULL;
	char real[PATH_MAX], ft[32];
	feed f;
	int64_t sid = 0;
	int rc;

	im->path = path;
	im->nrec = im->nadd = im->nupd = im->nsame = im->nrej = 0;
	if ((rc = read_all(im, path, &raw, &rawlen)) != VOUCH_OK) {
		goto out;
	}
	if (rawlen >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
		if ((rc = gunzip(im, raw, rawlen, &data, &len)) != VOUCH_OK) {
			goto out;
		}
		free(raw);
		raw = NULL;
	} else {
		data = raw;
		len = rawlen;
		raw = NULL;
	}
	if ((rc = parse_doc(im, data, len, &root)) != VOUCH_OK) {
		goto out;
	}
	if (detect(root, &f) != 0) {
		rc = vouch_errf(&im->db->err, VOUCH_E_MALFORMED, 0,
				"%s: not a known feed (expected an NVD 2.0 or 1.1 feed, a CVE JSON 5 "
				"record or array, or an OSV record)",
				path);
		goto out;
	}
	if (realpath(path, real) == NULL) {
		snprintf(real, sizeof(real), "%s", path);
	}
	if (f.feed_time != NULL && !vouch_vuln_ts_canon(f.feed_time, ft)) {
		f.feed_time = NULL;
	}
	if ((rc = vouch_vulndb_exec(im->db, "BEGIN IMMEDIATE")) != VOUCH_OK) {
		im->fatal = true;
		goto out;
	}
	if ((rc = vouch_vulndb_source_row(im->db, f.format, real, f.feed_time != NULL ? ft : NULL,
				      &sid)) != VOUCH_OK) {
		im->fatal = true;
		goto rollback;
	}
	if (f.items != NULL) {
		size_t i;
		json_t *item;

		json_array_foreach (f.items, i, item) {
			if ((rc = one_record(im, &f, item, i, sid)) != VOUCH_OK) {
				goto rollback;
			}
		}
	} else if ((rc = one_record(im, &f, f.one, 0, sid)) != VOUCH_OK) {
		goto rollback;
	}
	if (im->nadd + im->nupd > 0) {
		char *sql = sqlite3_mprintf("UPDATE source SET imported=%Q WHERE sid=%lld",
					    im->db->now, (long long)sid);

		rc = sql != NULL ? vouch_vulndb_exec(im->db, sql) : VOUCH_E_NOMEM;
		sqlite3_free(sql);
		if (rc != VOUCH_OK) {
			im->fatal = true;
			goto rollback;
		}
	}
	if ((rc = vouch_vulndb_exec(im->db, "COMMIT")) != VOUCH_OK) {
		im->fatal = true;
		goto rollback;
	}
	im->st->files++;
	im->st->records += im->nrec;
	im->st->added += im->nadd;
	im->st->updated += im->nupd;
	im->st->unchanged += im->nsame;
	im->st->rejected += im->nrej;
	say(im, VOUCH_VULNDB_LOG_PROGRESS,
	    "%s: %s, %llu records: %llu added, %llu updated, %llu unchanged, %llu refused", path,
	    f.format, (unsigned long long)im->nrec, (unsigned long long)im->nadd,
	    (unsigned long long)im->nupd, (unsigned long long)im->nsame,
	    (unsigned long long)im->nrej);
	goto out;
rollback:
	sqlite3_exec(im->db->db, "ROLLBACK", NULL, NULL, NULL);
out:
	if (rc != VOUCH_OK && !im->fatal) {
		im->failed = rc;
		say(im, VOUCH_VULNDB_LOG_WARN, "%s", im->db->err.msg);
	}
	json_decref(root);
	free(raw);
	free(data);
	return rc;
}

/* ---- walking -------------------------------------------------------------------------- */

static bool
feed_name(const char *name)
{
	static const char *const ext[] = {".json", ".yaml", ".yml", ".json.gz", ".yaml.gz",
					  ".yml.gz"};
	size_t n = strlen(name);

	for (size_t i = 0; i < VOUCH_ARRAY_LEN(ext); i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(name + n - e, ext[i]) == 0) {
			return true;
		}
	}
	return false;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct wentry {
	char *path;
	unsigned depth;
} wentry;

static int
walk(imp *im, const char *top)
{
	wentry *stack = NULL;
	size_t sp = 0, cap = 0;
	uint64_t visited = 0;
	int rc = VOUCH_OK;

#define WPUSH(p, d)                                                                        \
	do {                                                                               \
		if (sp == cap) {                                                           \
			size_t nc_ = cap ? cap * 2 : 64;                                   \
			wentry *ns_ = realloc(stack, nc_ * sizeof(*ns_));                  \
			if (ns_ == NULL) {                                                 \
				free(p);                                                   \
				rc = VOUCH_E_NOMEM;                                        \
				goto out;                                                  \
			}                                                                  \
			stack = ns_;                                                       \
			cap = nc_;                                                         \
		}                                                                          \
		stack[sp++] = (wentry){(p), (d)};                                          \
	} while (0)
	{
		char *t = strdup(top);

		if (t == NULL) {
			return VOUCH_E_NOMEM;
		}
		WPUSH(t, 0);
	}
	while (sp > 0 && !im->fatal) {
		wentry e = stack[--sp];
		struct stat sb;

		if ((e.depth == 0 ? stat(e.path, &sb) : lstat(e.path, &sb)) != 0) {
			im->failed = vouch_errf(&im->db->err, VOUCH_E_NOTFOUND, 0, "%s: %s", e.path,
						strerror(errno));
			say(im, VOUCH_VULNDB_LOG_WARN, "%s", im->db->err.msg);
		} else if (S_ISDIR(sb.st_mode)) {
			DIR *d = opendir(e.path);
			struct dirent *de;
			char **names = NULL;
			size_t nn = 0, nc = 0;

			if (e.depth >= VULN_MAX_WALK_DEPTH) {
				im->failed = vouch_errf(&im->db->err, VOUCH_E_LIMIT, 0,
							"%s: directories nested deeper than %d", e.path,
							VULN_MAX_WALK_DEPTH);
				say(im, VOUCH_VULNDB_LOG_WARN, "%s", im->db->err.msg);
				if (d != NULL) {
					closedir(d);
				}
				free(e.path);
				continue;
			}
			if (d == NULL) {
				im->failed = vouch_errf(&im->db->err, VOUCH_E_IO, 0, "%s: %s", e.path,
							strerror(errno));
				say(im, VOUCH_VULNDB_LOG_WARN, "%s", im->db->err.msg);
				free(e.path);
				continue;
			}
			while ((de = readdir(d)) != NULL) {
				char *p;

				if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) {
					continue;
				}
				if (nn == nc) {
					size_t ncap = nc ? nc * 2 : 32;
					char **nb = realloc(names, ncap * sizeof(*nb));

					if (nb == NULL) {
						rc = VOUCH_E_NOMEM;
						break;
					}
					names = nb;
					nc = ncap;
				}
				if (asprintf(&p, "%s/%s", e.path, de->d_name) < 0) {
					rc = VOUCH_E_NOMEM;
					break;
				}
				names[nn++] = p;
			}
			closedir(d);
			if (nn > 1) {
				qsort(names, nn, sizeof(*names), cmp_str);
			}
			for (size_t i = nn; i > 0; i--) {
				if (rc == VOUCH_OK) {
					char *p = names[i - 1];

					names[i - 1] = NULL;
					WPUSH(p, e.depth + 1);
				} else {
					free(names[i - 1]);
				}
			}
			free(names);
			if (rc != VOUCH_OK) {
				free(e.path);
				goto out;
			}
		} else if (S_ISREG(sb.st_mode)) {
			const char *base = strrchr(e.path, '/');

			base = base != NULL ? base + 1 : e.path;
			if (e.depth == 0 || feed_name(base)) {
				if (++visited > VULN_MAX_WALK_FILES) {
					im->failed = vouch_errf(&im->db->err, VOUCH_E_LIMIT, 0,
								"%s: more than %d files", top,
								VULN_MAX_WALK_FILES);
					free(e.path);
					break;
				}
				rc = import_file(im, e.path);
				if (im->fatal) {
					free(e.path);
					goto out;
				}
				rc = VOUCH_OK;
			}
		} else if (e.depth > 0 && S_ISLNK(sb.st_mode)) {
			say(im, VOUCH_VULNDB_LOG_WARN, "%s: a symbolic link, not followed", e.path);
		}
		free(e.path);
	}
#undef WPUSH
out:
	while (sp > 0) {
		free(stack[--sp].path);
	}
	free(stack);
	return rc;
}

int
vouch_vulndb_import(vouch_vulndb *db, const char *path, vouch_import_stats *st,
		    vouch_vulndb_log_fn log, void *log_ud)
{
	imp im;
	vouch_import_stats dummy = {0};
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (db == NULL || path == NULL) {
		return VOUCH_E_USAGE;
	}
	memset(&im, 0, sizeof(im));
	im.db = db;
	im.st = st != NULL ? st : &dummy;
	im.log = log;
	im.ud = log_ud;
	gmtime_r(&now, &tm);
	strftime(db->now, sizeof(db->now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	rc = walk(&im, path);
	if (rc != VOUCH_OK) {
		return rc;
	}
	if (im.fatal) {
		return db->err.code != 0 ? db->err.code : VOUCH_E_IO;
	}
	return im.failed;
}
