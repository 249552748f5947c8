/*
 * cli/cmd_vulns.c: `vouch vulns IMAGE` and `vouch vulns --sbom FILE`: known vulnerabilities
 * of the components inside an image, from the offline database.
 *
 * With IMAGE the components come from one scan (as `vouch sbom`); with --sbom they are read
 * back from a stored CycloneDX or SPDX document, so a release approved months ago is re-matched
 * against today's database without unpacking it again. VEX documents (--vex, CycloneDX VEX or
 * OpenVEX, repeatable) mark matches not_affected / fixed / under investigation; suppressed
 * matches are listed apart, with the statement that suppressed them. Every report says what
 * the database covers (records, formats, CVE years, newest record) because "no match" from a
 * partial database is not "no known vulnerability".
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "sbom_run.h"
#include "vouch/sbom.h"
#include "vouch/vouch.h"
#include "vouch/vuln.h"

#define MAX_VEX 16
#define SBOM_MAX_READ (128u << 20)

void
help_vulns(FILE *out)
{
	fputs("usage: vouch vulns [options] IMAGE\n"
	      "       vouch vulns [options] --sbom FILE\n\n"
	      "Match the components inside IMAGE (identified as `vouch sbom` does), or those of a\n"
	      "stored CycloneDX/SPDX SBOM, against the offline vulnerability database: CPE\n"
	      "configurations with version ranges (NVD), affected versions (CVE 5, OSV). Each\n"
	      "match names the CVE, CVSS score and vector, CWE, the component's evidence and why\n"
	      "it matched.\n\n"
	      "  --sbom FILE        read the components from an SBOM instead of scanning an image\n"
	      "  --db FILE          the database (default: $VOUCH_VULNDB, else\n"
	      "                     ./vouch-vulndb.sqlite; fill it with `vouch vulndb import`)\n"
	      "  --vex FILE         apply a CycloneDX VEX or OpenVEX document (repeatable)\n"
	      "      --json         the whole result as JSON on stdout\n"
	      "  -o, --output FILE  write the JSON to FILE\n"
	      "      --rules FILE   fingerprint rules instead of the built-in ones (with IMAGE)\n"
	      "  -j, --threads N    worker threads for the scan\n"
	      "  -L, --limit N=V    change a safety limit (see `vouch limits`)\n"
	      "  -q, --quiet        no progress bar, no summary line\n"
	      "  -h, --help         this help\n\n"
	      "Exit status: 0 ok (whether or not anything matched); 2 usage; 3 unreadable image,\n"
	      "SBOM, VEX or database; 4 the image was partly corrupt; 5 a limit cut the scan\n"
	      "short.\n",
	      out);
}

static const char *
vex_str(vouch_vex_state s)
{
	switch (s) {
	case VOUCH_VEX_AFFECTED: return "affected";
	case VOUCH_VEX_NOT_AFFECTED: return "not_affected";
	case VOUCH_VEX_FIXED: return "fixed";
	case VOUCH_VEX_UNDER_INVESTIGATION: return "under_investigation";
	default: return NULL;
	}
}

bool
vulns_suppressed(const vouch_vuln_match *m)
{
	return m->vex == VOUCH_VEX_NOT_AFFECTED || m->vex == VOUCH_VEX_FIXED;
}

static char *
slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	if (f == NULL) {
		cli_err("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(max + 1);
	n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (buf == NULL) {
		cli_err("out of memory");
		return NULL;
	}
	if (n > max) {
		cli_err("%s: larger than %zu MiB", path, max >> 20);
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

const vouch_component *
vulns_comp_of(const vouch_sbom *s, const char *ref)
{
	for (size_t i = 0; i < s->ncomponents; i++) {
		if (ref && s->components[i].bom_ref && strcmp(s->components[i].bom_ref, ref) == 0) {
			return &s->components[i];
		}
	}
	return NULL;
}

json_t *
vulns_match_json(const vouch_vuln_match *m, const vouch_component *c)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", cli_jstr(m->id));
	json_object_set_new(o, "component", cli_jstr(c ? c->name : NULL));
	json_object_set_new(o, "version", cli_jstr(c ? c->version : NULL));
	json_object_set_new(o, "component_ref", cli_jstr(m->component_ref));
	json_object_set_new(o, "aliases", cli_jstr(m->aliases));
	json_object_set_new(o, "severity", cli_jstr(m->severity));
	json_object_set_new(o, "cvss3", m->cvss3 >= 0 ? json_real(m->cvss3) : json_null());
	json_object_set_new(o, "cvss3_vector", cli_jstr(m->cvss3_vector));
	json_object_set_new(o, "cvss4", m->cvss4 >= 0 ? json_real(m->cvss4) : json_null());
	json_object_set_new(o, "cvss4_vector", cli_jstr(m->cvss4_vector));
	json_object_set_new(o, "cwe", cli_jstr(m->cwe));
	json_object_set_new(o, "reason", cli_jstr(m->reason));
	json_object_set_new(o, "source", cli_jstr(m->source));
	json_object_set_new(o, "published", cli_jstr(m->published));
	json_object_set_new(o, "modified", cli_jstr(m->modified));
	json_object_set_new(o, "summary", cli_jstr(m->summary));
	if (c != NULL && c->nevidence > 0) {
		json_t *ev = json_object();
		json_object_set_new(ev, "method", cli_jstr(c->evidence[0].method));
		json_object_set_new(ev, "path", cli_jstr(c->evidence[0].path));
		json_object_set_new(ev, "text", cli_jstr(c->evidence[0].text));
		json_object_set_new(o, "evidence", ev);
	}
	json_object_set_new(o, "vex", vex_str(m->vex) ? json_string(vex_str(m->vex)) : json_null());
	json_object_set_new(o, "vex_detail", cli_jstr(m->vex_detail));
	return o;
}

json_t *
vulns_coverage_json(const vouch_vulndb_info *in)
{
	json_t *o = json_object(), *years = json_object(), *fmts = json_object();
	json_object_set_new(o, "records", json_integer((json_int_t)in->records));
	json_object_set_new(o, "newest_modified", cli_jstr(in->newest_modified));
	json_object_set_new(o, "digest", cli_jstr(in->digest));
	for (size_t i = 0; i < in->nyears; i++) {
		char y[16];
		snprintf(y, sizeof(y), "%d", in->years[i].year);
		json_object_set_new(years, y, json_integer((json_int_t)in->years[i].records));
	}
	json_object_set_new(o, "cve_years", years);
	for (size_t i = 0; i < in->nsources; i++) {
		const char *f = in->sources[i].format;
		json_t *n = json_object_get(fmts, f);
		json_int_t prev = n ? json_integer_value(n) : 0;
		json_object_set_new(fmts, f, json_integer(prev + (json_int_t)in->sources[i].records));
	}
	json_object_set_new(o, "records_by_format", fmts);
	json_object_set_new(o, "note",
			    json_string("a component without a match has no match in THIS "
					"database; it is not proof of no known vulnerability"));
	return o;
}

static void
coverage_text(FILE *out, const vouch_vulndb_info *in)
{
	int lo = in->nyears ? in->years[0].year : 0;
	int hi = in->nyears ? in->years[in->nyears - 1].year : 0;
	fprintf(out, "database: %llu records, CVE years %d-%d (%zu of %d years present), newest "
		     "record %s; digest %.16s...\n",
		(unsigned long long)in->records, lo, hi, in->nyears, hi - lo + 1,
		in->newest_modified ? in->newest_modified : "-", in->digest ? in->digest : "-");
	fputs("          no match means no match in this database, not \"no known "
	      "vulnerability\" (`vouch vulndb info` lists what it holds)\n",
	      out);
}

int
cmd_vulns(int argc, char **argv)
{
	static const struct option lo[] = {
		{"sbom", required_argument, NULL, 'S'},   {"db", required_argument, NULL, 'D'},
		{"vex", required_argument, NULL, 'V'},    {"json", no_argument, NULL, 'J'},
		{"output", required_argument, NULL, 'o'}, {"rules", required_argument, NULL, 'R'},
		{"threads", required_argument, NULL, 'j'}, {"limit", required_argument, NULL, 'L'},
		{"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *sbom_path = NULL, *dbpath = NULL, *outpath = NULL, *vex[MAX_VEX];
	size_t nvex = 0;
	bool json = false;
	sbom_opts so;
	int c, rc, scan_rc = VOUCH_OK;

	memset(&so, 0, sizeof(so));
	vouch_scan_opts_default(&so.scan);
	so.scan.no_magic = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:j:L:qh", lo, NULL)) != -1) {
		int k = sbom_parse_common(c, optarg, &so);
		if (k < 0) {
			return -k;
		}
		if (k > 0) {
			continue;
		}
		switch (c) {
		case 'S': sbom_path = optarg; break;
		case 'D': dbpath = optarg; break;
		case 'V':
			if (nvex == MAX_VEX) {
				cli_err("at most %d --vex documents", MAX_VEX);
				return EXIT_USAGE;
			}
			vex[nvex++] = optarg;
			break;
		case 'J': json = true; break;
		case 'o': outpath = optarg; json = true; break;
		case 'h': help_vulns(stdout); return EXIT_OK;
		default: help_vulns(stderr); return EXIT_USAGE;
		}
	}
	if (!(sbom_path != NULL && optind == argc) && !(sbom_path == NULL && optind == argc - 1)) {
		cli_err("give one IMAGE, or --sbom FILE");
		help_vulns(stderr);
		return EXIT_USAGE;
	}
	dbpath = cli_vulndb_path(dbpath);
	if (access(dbpath, R_OK) != 0) {
		cli_err("%s: no vulnerability database there (%s); create it with `vouch vulndb "
			"import --db %s FEEDS...`",
			dbpath, strerror(errno), dbpath);
		return EXIT_INPUT;
	}
	if (!so.quiet && isatty(STDERR_FILENO)) {
		so.scan.progress = cli_progress;
	}

	vouch_scan *scan = NULL;
	vouch_ident *ident = NULL;
	vouch_sbom_doc *doc = NULL;
	vouch_vulndb *db = NULL;
	vouch_vuln_result *res = NULL, *inforef = NULL;
	vouch_vex_doc *vdocs[MAX_VEX] = {0};
	const vouch_sbom *s = NULL;
	const vouch_vulndb_info *info = NULL;
	char *text = NULL;

	if (sbom_path != NULL) {
		size_t len;
		char err[256] = "";
		text = slurp(sbom_path, SBOM_MAX_READ, &len);
		if (text == NULL) {
			rc = EXIT_INPUT;
			goto out;
		}
		if (vouch_sbom_read(text, len, &doc, err, sizeof(err)) != VOUCH_OK) {
			cli_err("%s: not an SBOM vouch can read: %s", sbom_path, err);
			rc = EXIT_INPUT;
			goto out;
		}
		s = vouch_sbom_doc_sbom(doc);
	} else {
		rc = sbom_scan(argv[optind], &so, &scan, &ident, &s, &scan_rc);
		if (rc != EXIT_OK) {
			goto out;
		}
	}
	if (vouch_vulndb_open(&db, dbpath, false) != VOUCH_OK) {
		cli_err("%s: %s", dbpath, vouch_vulndb_errmsg(db));
		rc = EXIT_INPUT;
		goto out;
	}
	if (vouch_vulndb_match(db, s->components, s->ncomponents, &res) != VOUCH_OK ||
	    vouch_vulndb_info_get(db, &inforef, &info) != VOUCH_OK) {
		cli_err("%s: %s", dbpath, vouch_vulndb_errmsg(db));
		rc = EXIT_INTERNAL;
		goto out;
	}
	size_t nm, applied = 0, unused = 0;
	vouch_vuln_match *m = vouch_vuln_result_matches(res, &nm);
	for (size_t i = 0; i < nvex; i++) {
		size_t len, a = 0, u = 0;
		char err[256] = "";
		char *vt = slurp(vex[i], SBOM_MAX_READ, &len);
		if (vt == NULL) {
			rc = EXIT_INPUT;
			goto out;
		}
		if (vouch_vex_read(vt, len, &vdocs[i], err, sizeof(err)) != VOUCH_OK) {
			cli_err("%s: not a VEX document vouch can read: %s", vex[i], err);
			free(vt);
			rc = EXIT_INPUT;
			goto out;
		}
		free(vt);
		vouch_vex_apply(vdocs[i], m, nm, s->components, s->ncomponents, &a, &u);
		applied += a;
		unused += u;
	}

	size_t nnotes, nsup = 0;
	const vouch_vuln_note *notes = vouch_vuln_result_notes(res, &nnotes);
	for (size_t i = 0; i < nm; i++) {
		nsup += vulns_suppressed(&m[i]);
	}
	if (json) {
		json_t *root = json_object(), *act = json_array(), *sup = json_array();
		json_t *nj = json_array();
		json_object_set_new(root, "source", cli_jstr(sbom_path ? sbom_path : argv[optind]));
		json_object_set_new(root, "components", sbom_components_json(s));
		for (size_t i = 0; i < nm; i++) {
			json_array_append_new(vulns_suppressed(&m[i]) ? sup : act,
					      vulns_match_json(&m[i], vulns_comp_of(s, m[i].component_ref)));
		}
		json_object_set_new(root, "vulnerabilities", act);
		json_object_set_new(root, "suppressed", sup);
		for (size_t i = 0; i < nnotes; i++) {
			json_t *o = json_object();
			json_object_set_new(o, "component_ref", cli_jstr(notes[i].component_ref));
			json_object_set_new(o, "id", cli_jstr(notes[i].id));
			json_object_set_new(o, "why", cli_jstr(notes[i].why));
			json_array_append_new(nj, o);
		}
		json_object_set_new(root, "undecided", nj);
		json_object_set_new(root, "components_without_version",
				    json_integer((json_int_t)vouch_vuln_result_skipped(res)));
		json_object_set_new(root, "vex_matches_changed", json_integer((json_int_t)applied));
		json_object_set_new(root, "vex_statements_unused", json_integer((json_int_t)unused));
		json_object_set_new(root, "database", vulns_coverage_json(info));
		if (sbom_path == NULL) {
			json_object_set_new(root, "outcome", json_string(vouch_err_str(scan_rc)));
		}
		char *dump = json_dumps(root, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		json_decref(root);
		rc = dump ? sbom_write_file(outpath, dump) : EXIT_INTERNAL;
		free(dump);
		if (rc != EXIT_OK) {
			goto out;
		}
	} else {
		printf("%-16s %-12s %-18s %-9s %-5s %s\n", "COMPONENT", "VERSION", "VULNERABILITY",
		       "SEVERITY", "CVSS", "WHY");
		for (size_t i = 0; i < nm; i++) {
			const vouch_component *cp = vulns_comp_of(s, m[i].component_ref);
			if (vulns_suppressed(&m[i])) {
				continue;
			}
			char score[16] = "-";
			if (m[i].cvss3 >= 0) {
				snprintf(score, sizeof(score), "%.1f", m[i].cvss3);
			}
			printf("%-16s %-12s %-18s %-9s %-5s %s\n", cli_esc(cp ? cp->name : "?", 0),
			       cli_esc(cp ? cp->version : "?", 1), cli_esc(m[i].id, 2),
			       m[i].severity ? m[i].severity : "unknown", score,
			       cli_esc(m[i].reason, 3));
		}
		if (nsup > 0) {
			printf("\nsuppressed by VEX (%zu):\n", nsup);
			for (size_t i = 0; i < nm; i++) {
				if (vulns_suppressed(&m[i])) {
					const vouch_component *cp = vulns_comp_of(s, m[i].component_ref);
					printf("  %-16s %-18s %-13s %s\n",
					       cli_esc(cp ? cp->name : "?", 0), cli_esc(m[i].id, 1),
					       vex_str(m[i].vex), cli_esc(m[i].vex_detail, 2));
				}
			}
		}
		if (nnotes > 0) {
			printf("\nnot decidable offline (%zu): ", nnotes);
			for (size_t i = 0; i < nnotes && i < 8; i++) {
				printf("%s%s", i ? ", " : "", cli_esc(notes[i].id, 0));
			}
			printf("%s\n", nnotes > 8 ? ", ..." : "");
		}
	}
	fflush(stdout); /* the table before the summary, also when both go to one pipe */
	if (!so.quiet) {
		size_t sev[5] = {0};
		static const char *const names[] = {"critical", "high", "medium", "low", "other"};
		for (size_t i = 0; i < nm; i++) {
			size_t k = 4;
			for (size_t j = 0; j < 4; j++) {
				if (!vulns_suppressed(&m[i]) && m[i].severity &&
				    strcmp(m[i].severity, names[j]) == 0) {
					k = j;
				}
			}
			sev[k] += !vulns_suppressed(&m[i]);
		}
		fprintf(stderr,
			"%zu components, %zu vulnerabilities (%zu critical, %zu high, %zu medium, "
			"%zu low, %zu other), %zu suppressed by VEX, %zu undecidable\n",
			s->ncomponents, nm - nsup, sev[0], sev[1], sev[2], sev[3], sev[4], nsup,
			nnotes);
		if (nvex > 0) {
			fprintf(stderr, "VEX: %zu matches annotated, %zu statements matched nothing\n",
				applied, unused);
		}
		coverage_text(stderr, info);
	}
	rc = sbom_path ? EXIT_OK : cli_exit_for(scan_rc);
out:
	for (size_t i = 0; i < nvex; i++) {
		vouch_vex_free(vdocs[i]);
	}
	vouch_vuln_result_free(res);
	vouch_vuln_result_free(inforef);
	vouch_vulndb_close(db);
	vouch_sbom_doc_free(doc);
	free(text);
	vouch_scan_free(scan);
	vouch_ident_free(ident);
	return rc;
}
