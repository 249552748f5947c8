/*
 * cli/cmd_sbom.c: `vouch sbom IMAGE`: what is inside an image, as an SBOM.
 *
 * Scans the image with the identifier as the visitor (one pass; nothing is written to disk),
 * then prints the components as a table (the default on a terminal), as vouch's own JSON
 * (`--json`: every component with all its evidence), or as a CycloneDX 1.6 / SPDX 2.3
 * document (`--format`). `-o FILE` writes the document to FILE (through a temporary name,
 * renamed when complete) and prints the table's summary line on stderr. The scan's own
 * outcome decides the exit status, as for `vouch inventory`: a component list from a
 * truncated image is still printed, with status 4.
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

void
help_sbom(FILE *out)
{
	fputs("usage: vouch sbom [options] IMAGE\n\n"
	      "Identify the third-party components inside IMAGE (package databases, ELF\n"
	      "metadata, version fingerprints of binaries, kernel banners) and print them with\n"
	      "their evidence: file path with nesting, offset, and the matched text.\n\n"
	      "  -f, --format FMT   table (default), cyclonedx (CycloneDX 1.6 JSON) or\n"
	      "                     spdx (SPDX 2.3 JSON)\n"
	      "      --json         vouch's own JSON: every component with all its evidence\n"
	      "  -o, --output FILE  write the document to FILE instead of stdout\n"
	      "      --rules FILE   fingerprint rules to use instead of the built-in ones\n"
	      "                     (format: data/components.json in the source tree)\n"
	      "  -j, --threads N    worker threads (default: number of CPUs)\n"
	      "  -L, --limit N=V    change a safety limit (see `vouch limits`)\n"
	      "  -q, --quiet        no progress bar, no summary line\n"
	      "  -h, --help         this help\n\n"
	      "Exit status: 0 ok, 2 usage, 3 unreadable image or unwritable output, 4 the image\n"
	      "was partly corrupt (components of what could be read are listed), 5 a limit cut\n"
	      "the scan short.\n",
	      out);
}

static const char *
kind_str(vouch_component_kind k)
{
	switch (k) {
	case VOUCH_COMP_LIBRARY: return "library";
	case VOUCH_COMP_APPLICATION: return "application";
	case VOUCH_COMP_OS: return "operating-system";
	case VOUCH_COMP_FIRMWARE: return "firmware";
	}
	return "application";
}

json_t *
sbom_components_json(const vouch_sbom *s)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < s->ncomponents; i++) {
		const vouch_component *c = &s->components[i];
		json_t *o = json_object(), *ev = json_array(), *al = json_array();
		json_object_set_new(o, "bom_ref", cli_jstr(c->bom_ref));
		json_object_set_new(o, "name", cli_jstr(c->name));
		json_object_set_new(o, "version", cli_jstr(c->version));
		json_object_set_new(o, "kind", json_string(kind_str(c->kind)));
		json_object_set_new(o, "supplier", cli_jstr(c->supplier));
		json_object_set_new(o, "cpe", cli_jstr(c->cpe));
		for (size_t k = 0; k < c->ncpe_aliases; k++) {
			json_array_append_new(al, cli_jstr(c->cpe_aliases[k]));
		}
		json_object_set_new(o, "cpe_aliases", al);
		json_object_set_new(o, "purl", cli_jstr(c->purl));
		json_object_set_new(o, "confidence", json_real(c->confidence));
		for (size_t k = 0; k < c->nevidence; k++) {
			const vouch_evidence *e = &c->evidence[k];
			json_t *eo = json_object();
			json_object_set_new(eo, "method", json_string(e->method));
			json_object_set_new(eo, "rule", cli_jstr(e->rule));
			json_object_set_new(eo, "path", cli_jstr(e->path));
			json_object_set_new(eo, "offset", e->offset == UINT64_MAX
								 ? json_null()
								 : json_integer((json_int_t)e->offset));
			json_object_set_new(eo, "text", cli_jstr(e->text));
			json_array_append_new(ev, eo);
		}
		json_object_set_new(o, "evidence", ev);
		json_array_append_new(arr, o);
	}
	return arr;
}

void
sbom_print_table(FILE *out, const vouch_sbom *s)
{
	fprintf(out, "%-16s %-14s %-5s %-9s %s\n", "COMPONENT", "VERSION", "CONF", "EVIDENCE",
		"FIRST SEEN IN");
	for (size_t i = 0; i < s->ncomponents; i++) {
		const vouch_component *c = &s->components[i];
		fprintf(out, "%-16s %-14s %-5.2f %-9zu %s\n", cli_esc(c->name, 0),
			cli_esc(c->version, 1), c->confidence, c->nevidence,
			c->nevidence ? cli_esc(c->evidence[0].path, 2) : "");
	}
}

int
sbom_write_file(const char *path, const char *text)
{
	char tmp[4096];
	FILE *f;

	if (path == NULL || strcmp(path, "-") == 0) {
		return fputs(text, stdout) < 0 || fputc('\n', stdout) < 0 ? EXIT_INPUT : EXIT_OK;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= sizeof(tmp)) {
		cli_err("%s: path too long", path);
		return EXIT_USAGE;
	}
	f = fopen(tmp, "wx");
	if (f == NULL || fputs(text, f) < 0 || fputc('\n', f) < 0 || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		cli_err("%s: cannot write: %s", path, strerror(errno));
		if (f != NULL) {
			fclose(f);
			unlink(tmp);
		}
		return EXIT_INPUT;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		cli_err("%s: cannot write: %s", path, strerror(errno));
		unlink(tmp);
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

int
sbom_scan(const char *image, const sbom_opts *so, vouch_scan **scan, vouch_ident **ident,
	  const vouch_sbom **out, int *scan_rc)
{
	vouch_visitor v;
	int rc;

	*scan = NULL;
	*out = NULL;
	rc = vouch_ident_new(ident, so->rules);
	if (rc != VOUCH_OK) {
		cli_err("%s", vouch_ident_errmsg(*ident));
		return rc == VOUCH_E_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
	}
	if (vouch_scan_new(scan, &so->scan) != VOUCH_OK) {
		cli_err("out of memory");
		return EXIT_INTERNAL;
	}
	vouch_ident_want_sha1(*ident, so->sha1);
	vouch_ident_visitor(*ident, &v);
	vouch_scan_set_visitor(*scan, &v);
	rc = vouch_scan_run(*scan, image);
	if (so->scan.progress != NULL) {
		fputs("\r\033[K", stderr);
	}
	*scan_rc = rc;
	if ((rc == VOUCH_E_USAGE || rc == VOUCH_E_IO || rc == VOUCH_E_NOTFOUND ||
	     rc == VOUCH_E_NOMEM) &&
	    vouch_scan_report(*scan)->nfiles == 0) {
		cli_err("%s", vouch_scan_errmsg(*scan));
		return rc == VOUCH_E_USAGE ? EXIT_INPUT : cli_exit_for(rc);
	}
	const char *slash = strrchr(image, '/');
	rc = vouch_ident_finish(*ident, vouch_scan_report(*scan), slash ? slash + 1 : image, out);
	if (rc != VOUCH_OK) {
		cli_err("%s", vouch_ident_errmsg(*ident));
		return EXIT_INTERNAL;
	}
	return EXIT_OK;
}

/* Options shared with `vouch vulns`; returns the index of the first non-option or <0. */
int
sbom_parse_common(int c, const char *arg, sbom_opts *so)
{
	uint64_t v;

	switch (c) {
	case 'R': so->rules = arg; return 1;
	case 'q': so->quiet = true; return 1;
	case 'j':
		if (cli_parse_u64(arg, &v) != 0 || v == 0 || v > 16) {
			cli_err("--threads wants a number from 1 to 16");
			return -EXIT_USAGE;
		}
		so->scan.threads = (unsigned)v;
		return 1;
	case 'L': return cli_parse_limit(&so->scan.limits, arg) != 0 ? -EXIT_USAGE : 1;
	default: return 0;
	}
}

int
cmd_sbom(int argc, char **argv)
{
	static const struct option lo[] = {
		{"format", required_argument, NULL, 'f'}, {"json", no_argument, NULL, 'J'},
		{"output", required_argument, NULL, 'o'}, {"rules", required_argument, NULL, 'R'},
		{"threads", required_argument, NULL, 'j'}, {"limit", required_argument, NULL, 'L'},
		{"quiet", no_argument, NULL, 'q'},         {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = "table", *outpath = NULL;
	bool json = false;
	sbom_opts so;
	int c, rc, scan_rc = VOUCH_OK;

	memset(&so, 0, sizeof(so));
	vouch_scan_opts_default(&so.scan);
	so.scan.no_magic = true; /* the identifier reads bytes, not libmagic descriptions */
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:j:L:qh", lo, NULL)) != -1) {
		int k = sbom_parse_common(c, optarg, &so);
		if (k < 0) {
			return -k;
		}
		if (k > 0) {
			continue;
		}
		switch (c) {
		case 'f': format = optarg; break;
		case 'J': json = true; break;
		case 'o': outpath = optarg; break;
		case 'h': help_sbom(stdout); return EXIT_OK;
		default: help_sbom(stderr); return EXIT_USAGE;
		}
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "cyclonedx") != 0 &&
	    strcmp(format, "spdx") != 0) {
		cli_err("--format wants table, cyclonedx or spdx, not \"%s\"", format);
		return EXIT_USAGE;
	}
	if (optind != argc - 1) {
		cli_err(optind >= argc ? "no IMAGE given" : "exactly one IMAGE, please");
		help_sbom(stderr);
		return EXIT_USAGE;
	}
	so.sha1 = strcmp(format, "spdx") == 0;
	if (!so.quiet && isatty(STDERR_FILENO)) {
		so.scan.progress = cli_progress;
	}

	vouch_scan *scan = NULL;
	vouch_ident *ident = NULL;
	const vouch_sbom *s = NULL;
	rc = sbom_scan(argv[optind], &so, &scan, &ident, &s, &scan_rc);
	if (rc != EXIT_OK) {
		goto out;
	}
	char *text = NULL;
	if (json) {
		json_t *root = json_object();
		json_object_set_new(root, "image", cli_jstr(s->name));
		json_object_set_new(root, "components", sbom_components_json(s));
		json_object_set_new(root, "files", json_integer((json_int_t)s->nfiles));
		json_object_set_new(root, "outcome", json_string(vouch_err_str(scan_rc)));
		text = json_dumps(root, JSON_INDENT(1) | JSON_ENSURE_ASCII);
		json_decref(root);
	} else if (strcmp(format, "cyclonedx") == 0) {
		rc = vouch_sbom_to_cyclonedx(s, &text);
	} else if (strcmp(format, "spdx") == 0) {
		rc = vouch_sbom_to_spdx(s, &text);
	}
	if (rc != VOUCH_OK) {
		cli_err("cannot write the SBOM: %s", vouch_err_str(rc));
		rc = cli_exit_for(rc);
		goto out;
	}
	if (text != NULL) {
		rc = sbom_write_file(outpath, text);
		free(text);
		if (rc != EXIT_OK) {
			goto out;
		}
	} else {
		sbom_print_table(stdout, s);
	}
	if (!so.quiet) {
		fprintf(stderr, "%s: %zu components in %zu files%s%s\n", cli_esc(s->name, 3),
			s->ncomponents, s->nfiles, scan_rc == VOUCH_OK ? "" : " — ",
			scan_rc == VOUCH_OK ? "" : vouch_err_str(scan_rc));
	}
	rc = cli_exit_for(scan_rc);
out:
	vouch_scan_free(scan);
	vouch_ident_free(ident);
	return rc;
}
