/*
 * cli/report.c: one evaluation of one image (see report.h for the report's shape).
 *
 * What `vouch scan` used to do inline, taken out so `vouch evaluate` runs exactly the same
 * analysis and writes exactly the same report. The entropy profile is a third visitor on the
 * scan's chain: it only looks at the image itself (depth 0), keeping one byte histogram for
 * the block in progress, so it costs one table update per byte of the image and no second
 * read. Blocks are sized so an image gives at most REPORT_ENTROPY_BLOCKS of them.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "sbom_run.h"
#include "vouch/vouch.h"

void
report_opts_default(report_opts *o)
{
	memset(o, 0, sizeof(*o));
	vouch_scan_opts_default(&o->scan);
	o->scan.no_magic = true; /* the analysers read bytes, not libmagic descriptions */
}

/* ---- the entropy profile of the image ---------------------------------------------- */

static double
block_entropy(const uint64_t hist[256], uint64_t total)
{
	double e = 0;
	for (int i = 0; i < 256; i++) {
		if (hist[i] != 0) {
			double p = (double)hist[i] / (double)total;
			e -= p * log2(p);
		}
	}
	return e;
}

static void
ent_close_block(report_entropy *e)
{
	if (e->in_block != 0 && e->n < REPORT_ENTROPY_BLOCKS) {
		e->values[e->n++] = block_entropy(e->hist, e->in_block);
	}
	memset(e->hist, 0, sizeof(e->hist));
	e->in_block = 0;
}

static int
ent_begin(void *ud, const vouch_file *f, void **state)
{
	report_entropy *e = ud;

	*state = NULL;
	if (f->depth != 0 || f->ftype != VOUCH_FT_REG) {
		return VOUCH_OK;
	}
	uint64_t b = (f->size + REPORT_ENTROPY_BLOCKS - 1) / REPORT_ENTROPY_BLOCKS;
	if (b < REPORT_ENTROPY_MIN_BLOCK) {
		b = REPORT_ENTROPY_MIN_BLOCK;
	}
	e->size = f->size;
	e->block_size = b;
	*state = e;
	return VOUCH_OK;
}

static int
ent_data(void *ud, void *state, const uint8_t *p, size_t n, uint64_t offset)
{
	report_entropy *e = state;

	(void)ud;
	(void)offset;
	while (e != NULL && n > 0) {
		uint64_t room = e->block_size - e->in_block;
		size_t k = n < room ? n : (size_t)room;
		for (size_t i = 0; i < k; i++) {
			e->hist[p[i]]++;
		}
		e->in_block += k;
		p += k;
		n -= k;
		if (e->in_block == e->block_size) {
			ent_close_block(e);
		}
	}
	return VOUCH_OK;
}

static int
ent_end(void *ud, void *state, const vouch_file *f)
{
	(void)ud;
	(void)f;
	if (state != NULL) {
		ent_close_block(state);
	}
	return VOUCH_OK;
}

/* ---- the run ------------------------------------------------------------------------- */

int
report_run_image(const char *image, const report_opts *o, report_run *r)
{
	vouch_visitor vv[3];
	int rc;

	memset(r, 0, sizeof(*r));
	if (vouch_findings_new(&r->fs) != VOUCH_OK) {
		cli_err("out of memory");
		return EXIT_INTERNAL;
	}
	if (o->analysis.key_registry != NULL) {
		struct stat kst;
		if (mkdir(o->analysis.key_registry, 0700) != 0 && errno != EEXIST) {
			cli_err("--key-registry %s: cannot create it: %s", o->analysis.key_registry,
				strerror(errno));
			return EXIT_INPUT;
		}
		if (stat(o->analysis.key_registry, &kst) != 0 || !S_ISDIR(kst.st_mode)) {
			cli_err("--key-registry %s: not a directory", o->analysis.key_registry);
			return EXIT_INPUT;
		}
	}
	rc = vouch_analysis_new(&r->an, &o->analysis, r->fs);
	if (rc != VOUCH_OK) {
		cli_err("%s", vouch_analysis_errmsg(r->an));
		return rc == VOUCH_E_IO || rc == VOUCH_E_MALFORMED ? EXIT_INPUT
		       : rc == VOUCH_E_LIMIT			   ? EXIT_USAGE
								   : EXIT_INTERNAL;
	}
	if (vouch_ident_new(&r->ident, NULL) != VOUCH_OK) {
		cli_err("%s", vouch_ident_errmsg(r->ident));
		return EXIT_INTERNAL;
	}
	vouch_analysis_visitor(r->an, &vv[0]);
	vouch_ident_visitor(r->ident, &vv[1]);
	vv[2] = (vouch_visitor){.ud = &r->ent, .file_begin = ent_begin, .file_data = ent_data,
			       .file_end = ent_end};
	if (vouch_visitor_chain(vv, 3, &r->chain) != VOUCH_OK ||
	    vouch_scan_new(&r->scan, &o->scan) != VOUCH_OK) {
		cli_err("out of memory");
		return EXIT_INTERNAL;
	}
	vouch_scan_set_visitor(r->scan, &r->chain);
	r->scan_rc = vouch_scan_run(r->scan, image);
	if (o->scan.progress != NULL) {
		fputs("\r\033[K", stderr);
	}
	r->rep = vouch_scan_report(r->scan);
	if ((r->scan_rc == VOUCH_E_USAGE || r->scan_rc == VOUCH_E_IO ||
	     r->scan_rc == VOUCH_E_NOTFOUND || r->scan_rc == VOUCH_E_NOMEM) &&
	    r->rep->nfiles == 0) {
		cli_err("%s", vouch_scan_errmsg(r->scan));
		return r->scan_rc == VOUCH_E_USAGE ? EXIT_INPUT : cli_exit_for(r->scan_rc);
	}
	if (vouch_analysis_finish(r->an, r->rep) != VOUCH_OK) {
		cli_err("%s", vouch_analysis_errmsg(r->an));
		return EXIT_INTERNAL;
	}
	const char *slash = strrchr(image, '/');
	const char *name = o->scan.root_name != NULL ? o->scan.root_name
			   : slash != NULL	      ? slash + 1
						      : image;
	/* the SBOM borrows the name: it must outlive r (the caller's strings do) */
	if (vouch_ident_finish(r->ident, r->rep, name, &r->sb) != VOUCH_OK) {
		r->sb = NULL; /* the findings stand on their own */
		cli_err("component identification failed: %s", vouch_ident_errmsg(r->ident));
	}
	/* known vulnerabilities of the components, when a database is there */
	const char *dbpath = cli_vulndb_path(o->db);
	if (r->sb != NULL && (o->db != NULL || access(dbpath, R_OK) == 0)) {
		if (vouch_vulndb_open(&r->vdb, dbpath, false) != VOUCH_OK ||
		    vouch_vulndb_match(r->vdb, r->sb->components, r->sb->ncomponents, &r->vres) !=
			    VOUCH_OK ||
		    vouch_vulndb_info_get(r->vdb, &r->vinfo_ref, &r->vinfo) != VOUCH_OK) {
			cli_err("%s: %s", dbpath, vouch_vulndb_errmsg(r->vdb));
			return EXIT_INPUT;
		}
		r->vm = vouch_vuln_result_matches(r->vres, &r->nvm);
	}
	r->list = vouch_findings_list(r->fs, &r->nf);
	return EXIT_OK;
}

void
report_run_free(report_run *r)
{
	vouch_scan_free(r->scan);
	vouch_visitor_chain_free(&r->chain);
	vouch_ident_free(r->ident);
	vouch_vuln_result_free(r->vres);
	vouch_vuln_result_free(r->vinfo_ref);
	vouch_vulndb_close(r->vdb);
	vouch_analysis_free(r->an);
	vouch_findings_free(r->fs);
	memset(r, 0, sizeof(*r));
}

/* ---- the JSON ------------------------------------------------------------------------ */

json_t *
report_finding_json(const vouch_finding *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(f->id));
	json_object_set_new(o, "category", json_string(f->category));
	json_object_set_new(o, "severity", json_string(vouch_severity_str(f->severity)));
	json_object_set_new(o, "title", cli_jstr(f->title));
	json_object_set_new(o, "path", cli_jstr(f->path));
	json_object_set_new(o, "offset",
			    f->offset == UINT64_MAX ? json_null() : json_integer((json_int_t)f->offset));
	/* evidence is escaped by the library already (ASCII and valid UTF-8 only) */
	json_object_set_new(o, "evidence", f->evidence ? json_string(f->evidence) : json_null());
	json_object_set_new(o, "detail", cli_jstr(f->detail));
	if (f->fingerprint != NULL) {
		json_object_set_new(o, "fingerprint", cli_jstr(f->fingerprint));
	}
	return o;
}

/* Two decimals are what a plot or a person can use; fewer bytes in every stored report. */
static json_t *
real2(double v)
{
	return json_real(round(v * 100.0) / 100.0);
}

json_t *
report_json(const report_run *r, const char *image)
{
	const vouch_report *rep = r->rep;
	json_t *root = json_object(), *inv = json_object(), *files = json_array(),
	       *regions = json_array(), *arr = json_array(), *ent = json_object(),
	       *vals = json_array();

	if (root == NULL || inv == NULL || files == NULL || regions == NULL || arr == NULL ||
	    ent == NULL || vals == NULL) {
		json_decref(root);
		json_decref(inv);
		json_decref(files);
		json_decref(regions);
		json_decref(arr);
		json_decref(ent);
		json_decref(vals);
		return NULL;
	}
	json_object_set_new(root, "tool", json_string("vouch"));
	json_object_set_new(root, "version", json_string(vouch_version()));
	json_object_set_new(root, "report_version", json_integer(1));
	json_object_set_new(root, "image", cli_jstr(image));
	json_object_set_new(root, "outcome", json_string(vouch_err_str(r->scan_rc)));
	json_object_set_new(inv, "files", json_integer((json_int_t)rep->nfiles));
	json_object_set_new(inv, "regions", json_integer((json_int_t)rep->nregions));
	json_object_set_new(inv, "errors", json_integer((json_int_t)rep->nerrors));
	json_object_set_new(inv, "bytes_in", json_integer((json_int_t)rep->bytes_in));
	json_object_set_new(inv, "bytes_out", json_integer((json_int_t)rep->bytes_out));
	json_object_set_new(inv, "seconds", json_real(rep->seconds));
	json_object_set_new(inv, "limit_hit", json_boolean(rep->limit_hit));
	json_object_set_new(inv, "truncated", json_boolean(rep->truncated));
	for (size_t i = 0; i < rep->nfiles; i++) {
		json_array_append_new(files, cli_file_json(&rep->files[i]));
	}
	json_object_set_new(inv, "file_list", files);
	json_object_set_new(root, "inventory", inv);
	for (size_t i = 0; i < rep->nregions; i++) {
		const vouch_region *g = &rep->regions[i];
		json_t *o = json_object();
		json_object_set_new(o, "node", cli_jstr(g->node));
		json_object_set_new(o, "format", cli_jstr(g->format));
		json_object_set_new(o, "offset", json_integer((json_int_t)g->offset));
		json_object_set_new(o, "length", json_integer((json_int_t)g->length));
		json_object_set_new(o, "kind", json_string(vouch_region_kind_str(g->kind)));
		/* regions that were opened have no entropy of their own (negative) */
		json_object_set_new(o, "entropy", g->entropy < 0 ? json_null() : real2(g->entropy));
		json_array_append_new(regions, o);
	}
	json_object_set_new(root, "regions", regions);
	json_object_set_new(ent, "path", cli_jstr(image));
	json_object_set_new(ent, "size", json_integer((json_int_t)r->ent.size));
	json_object_set_new(ent, "block_size", json_integer((json_int_t)r->ent.block_size));
	for (size_t i = 0; i < r->ent.n; i++) {
		json_array_append_new(vals, real2(r->ent.values[i]));
	}
	json_object_set_new(ent, "values", vals);
	json_object_set_new(root, "entropy", ent);
	json_object_set_new(root, "components",
			    r->sb != NULL ? sbom_components_json(r->sb) : json_array());
	for (size_t i = 0; i < r->nf; i++) {
		json_array_append_new(arr, report_finding_json(&r->list[i]));
	}
	json_object_set_new(root, "findings", arr);
	if (r->vres != NULL) {
		json_t *va = json_array();
		for (size_t i = 0; i < r->nvm; i++) {
			json_array_append_new(va, vulns_match_json(&r->vm[i],
					      vulns_comp_of(r->sb, r->vm[i].component_ref)));
		}
		json_object_set_new(root, "vulnerabilities", va);
		json_object_set_new(root, "database", vulns_coverage_json(r->vinfo));
	} else {
		json_object_set_new(root, "vulnerabilities", json_null());
		json_object_set_new(root, "database",
				    json_string("none: vulnerabilities were not matched"));
	}
	return root;
}
