/*
 * cli/cmd_report.c: `vouch report --html FILE [--verdict V.json]... REPORT.json...`: the
 * evaluation report for people, one self-contained HTML page (vouch/html.h).
 *
 * Two steps, kept apart on purpose: collecting the inputs (report_inputs: texts of the
 * reports, their verdicts, the delivery description, a title) and rendering them
 * (vouch_report_html, then written atomically through sbom_write_file). Today the inputs
 * come from files named on the command line (inputs_from_files); the lab form `vouch report
 * DELIVERY --html FILE` will fill the same structure from the lab store and reuse the rest.
 * Verdicts pair with reports in order (the i-th --verdict with the i-th report; --no-verdict
 * holds a place), so an image can be shown without a policy verdict without ambiguity.
 * Rejected: rendering in the CLI (the page is library code so the lab service can serve it),
 * guessing which verdict belongs to which report from their contents (a verdict does not
 * name its image; a wrong guess would put one image's reasons beside another's findings).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <jansson.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vouch/lab.h"
#include "cmd_report.h"
#include "sbom_run.h"
#include "vouch/html.h"

/* One input text read from a file: the lab store's own ceiling for a stored report. */
#define REPORT_TEXT_MAX ((size_t)512 << 20)

void
help_report(FILE *out)
{
	fputs("usage: vouch report --html FILE [options] REPORT.json...\n"
	      "       vouch report --html FILE [--lab DIR] DELIVERY\n\n"
	      "Write the evaluation report for people: one self-contained HTML page with the\n"
	      "verdict and its reasons first (each linked to the finding or vulnerability it\n"
	      "comes from, waivers with author, justification and expiry), then for every image\n"
	      "its findings by severity, components, known vulnerabilities (with the database's\n"
	      "coverage), the unpacking tree, its regions and an entropy plot. The page loads\n"
	      "nothing and runs no script (a Content-Security-Policy says so to the browser);\n"
	      "every name from the firmware is escaped.\n\n"
	      "REPORT.json is what `vouch scan --json IMAGE [--db DB]` prints, one per image.\n"
	      "DELIVERY (an id or unique prefix) takes the reports and verdicts of the latest\n"
	      "evaluation of that delivery from the lab (--lab DIR, else $VOUCH_LAB, else\n"
	      "./vouch-lab), with its status, log index and attestation in the header.\n\n"
	      "  --html FILE        write the page to FILE (atomically; '-': stdout)\n"
	      "  --verdict FILE     the policy verdict JSON of the next report, in order: the\n"
	      "                     first --verdict goes with the first REPORT, and so on\n"
	      "  --no-verdict       the next report has no verdict (holds its place)\n"
	      "  --delivery FILE    a JSON object describing the delivery (id, vendor, product,\n"
	      "                     version, verdict, evaluated_at, policy, log_index,\n"
	      "                     attestation_sha256, artefacts) for the page's header\n"
	      "  --title TEXT       the page's title (default: from the delivery, else the\n"
	      "                     first image's name)\n"
	      "  -h, --help         this help\n\n"
	      "Exit status: 0 written, 2 usage (no --html, no report, more verdicts than\n"
	      "reports), 3 an input unreadable or not the JSON it should be, or FILE not\n"
	      "writable, 5 an input or the page larger than its limit.\n",
	      out);
}

/* What a page is made from: texts owned here, in report order. */
typedef struct report_inputs {
	char *delivery;  /* NULL: none */
	char **reports;
	char **verdicts; /* entries NULL: not evaluated */
	const char **names;  /* where each report came from, for messages */
	const char **vnames; /* where each verdict came from (NULL: none) */
	size_t n;
} report_inputs;

static void
inputs_free(report_inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		free(in->reports[i]);
		free(in->verdicts[i]);
	}
	free(in->reports);
	free(in->verdicts);
	free(in->names);
	free(in->vnames);
	free(in->delivery);
	memset(in, 0, sizeof(*in));
}

/* A whole file as a NUL-terminated text; prints the reason and returns an EXIT_* status. */
static int
read_text(const char *path, char **out)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = NULL;
	int fd, rc = EXIT_INPUT;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cli_err("%s: cannot read: %s", path, strerror(errno));
		return EXIT_INPUT;
	}
	buf = malloc(cap + 1);
	if (buf == NULL) {
		cli_err("out of memory");
		rc = EXIT_INTERNAL;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;
			if (cap >= REPORT_TEXT_MAX) {
				cli_err("%s: larger than %zu MiB: not a report vouch made", path,
					REPORT_TEXT_MAX >> 20);
				rc = EXIT_LIMIT;
				goto out;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				cli_err("out of memory");
				rc = EXIT_INTERNAL;
				goto out;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			cli_err("%s: cannot read: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0) {
			break;
		}
		n += (size_t)r;
	}
	if (memchr(buf, 0, n) != NULL) {
		cli_err("%s: holds a NUL byte: not a JSON text", path);
		goto out;
	}
	buf[n] = 0;
	*out = buf;
	buf = NULL;
	rc = EXIT_OK;
out:
	free(buf);
	close(fd);
	return rc;
}

/*
 * The inputs named on the command line: reports (paths), verdict paths in order (NULL
 * entries: --no-verdict; at most nrep), an optional delivery description.
 */
static int
inputs_from_files(const char *const *reports, size_t nrep, const char *const *verdicts,
		  size_t nver, const char *delivery, report_inputs *in)
{
	int rc;

	memset(in, 0, sizeof(*in));
	in->reports = calloc(nrep, sizeof(char *));
	in->verdicts = calloc(nrep, sizeof(char *));
	in->names = calloc(nrep, sizeof(char *));
	in->vnames = calloc(nrep, sizeof(char *));
	if (in->reports == NULL || in->verdicts == NULL || in->names == NULL ||
	    in->vnames == NULL) {
		cli_err("out of memory");
		return EXIT_INTERNAL;
	}
	in->n = nrep;
	if (delivery != NULL && (rc = read_text(delivery, &in->delivery)) != EXIT_OK) {
		return rc;
	}
	for (size_t i = 0; i < nrep; i++) {
		in->names[i] = reports[i];
		if ((rc = read_text(reports[i], &in->reports[i])) != EXIT_OK) {
			return rc;
		}
		in->vnames[i] = i < nver ? verdicts[i] : NULL;
		if (i < nver && verdicts[i] != NULL &&
		    (rc = read_text(verdicts[i], &in->verdicts[i])) != EXIT_OK) {
			return rc;
		}
	}
	return EXIT_OK;
}

/*
 * The latest evaluation of a delivery in the lab: its reports and verdicts, and the
 * delivery facts (status, log index, envelope digest, artefacts) for the page's header.
 */
static int
inputs_from_lab(const char *labdir, const char *ref, report_inputs *in)
{
	vouch_lab *lab = NULL;
	char id[65], *text = NULL;
	json_t *d = NULL, *last = NULL, *a, *hdr = json_object();
	size_t i;
	int rc = EXIT_INPUT, err;

	memset(in, 0, sizeof(*in));
	err = vouch_lab_open(labdir, NULL, false, &lab);
	if (err != VOUCH_OK || vouch_lab_resolve(lab, ref, id) != VOUCH_OK ||
	    vouch_lab_delivery(lab, id, &text) != VOUCH_OK) {
		cli_err("%s", vouch_lab_errmsg(lab));
		goto out;
	}
	d = json_loads(text, 0, NULL);
	last = json_object_get(d, "current");
	if (!json_is_object(last)) {
		cli_err("delivery %.12s was never evaluated: `vouch evaluate %.12s` first", id, id);
		goto out;
	}
	json_t *parts = json_object_get(last, "parts");
	in->n = json_array_size(parts);
	in->reports = calloc(in->n + 1, sizeof(char *));
	in->verdicts = calloc(in->n + 1, sizeof(char *));
	in->names = calloc(in->n + 1, sizeof(char *));
	if (in->reports == NULL || in->verdicts == NULL || in->names == NULL) {
		in->n = 0;
		rc = EXIT_INTERNAL;
		goto out;
	}
	json_array_foreach(parts, i, a) {
		in->names[i] = "the lab's stored report";
		if (vouch_lab_get(lab, json_string_value(json_object_get(a, "report")),
				  REPORT_TEXT_MAX, &in->reports[i], NULL) != VOUCH_OK ||
		    vouch_lab_get(lab, json_string_value(json_object_get(a, "verdict_json")),
				  REPORT_TEXT_MAX, &in->verdicts[i], NULL) != VOUCH_OK) {
			cli_err("%s", vouch_lab_errmsg(lab));
			goto out;
		}
	}
	static const char *const keep[] = {"id", "vendor", "product", "version", "artefacts"};
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		json_object_set(hdr, keep[i], json_object_get(d, keep[i]));
	}
	json_object_set(hdr, "verdict", json_object_get(d, "status"));
	json_object_set(hdr, "evaluated_at", json_object_get(last, "created"));
	json_object_set(hdr, "log_index", json_object_get(last, "index"));
	json_object_set(hdr, "attestation_sha256", json_object_get(last, "envelope"));
	in->delivery = json_dumps(hdr, JSON_COMPACT);
	rc = in->delivery != NULL ? EXIT_OK : EXIT_INTERNAL;
out:
	free(text);
	json_decref(d);
	json_decref(hdr);
	vouch_lab_close(lab);
	return rc;
}

/* Render the inputs and write the page to path. */
static int
write_html(const report_inputs *in, const char *title, const char *path)
{
	vouch_html_input hin = {
		.title = title,
		.delivery_json = in->delivery,
		.reports = (const char *const *)in->reports,
		.verdicts = (const char *const *)in->verdicts,
		.n = in->n,
	};
	char why[512], *html = NULL;
	int err, rc;

	err = vouch_report_html(&hin, &html, why, sizeof(why));
	if (err != VOUCH_OK) {
		/* the library names the input by its position; say which file that was */
		unsigned long k = 0;
		const char *file = NULL, *what = strncmp(why, "report ", 7) == 0    ? "report"
				   : strncmp(why, "verdict ", 8) == 0 ? "verdict"
								      : NULL;
		if (what != NULL) {
			k = strtoul(why + strlen(what) + 1, NULL, 10);
		}
		if (what != NULL && k >= 1 && k <= in->n) {
			/* either list may be absent (an input collector that has no file names) */
			const char *const *names = what[0] == 'r' ? in->names : in->vnames;
			file = names != NULL ? names[k - 1] : NULL;
		}
		if (file != NULL) {
			cli_err("%s (%s)", why, file);
		} else {
			cli_err("%s", why);
		}
		return err == VOUCH_E_MALFORMED ? EXIT_INPUT : cli_exit_for(err);
	}
	rc = sbom_write_file(path, html);
	free(html);
	return rc;
}

int
cmd_report(int argc, char **argv)
{
	static const struct option lo[] = {
		{"html", required_argument, NULL, 'H'},
		{"verdict", required_argument, NULL, 'V'},
		{"no-verdict", no_argument, NULL, 'N'},
		{"delivery", required_argument, NULL, 'D'},
		{"title", required_argument, NULL, 'T'},
		{"lab", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *html = NULL, *title = NULL, *delivery = NULL, *labdir = NULL;
	const char **verdicts = NULL;
	size_t nver = 0;
	report_inputs in = {0};
	int c, rc = EXIT_USAGE;

	verdicts = calloc((size_t)argc + 1, sizeof(char *));
	if (verdicts == NULL) {
		cli_err("out of memory");
		return EXIT_INTERNAL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'H':
			html = optarg;
			break;
		case 'V':
			verdicts[nver++] = optarg;
			break;
		case 'N':
			verdicts[nver++] = NULL;
			break;
		case 'D':
			delivery = optarg;
			break;
		case 'T':
			title = optarg;
			break;
		case 'l':
			labdir = optarg;
			break;
		case 'h':
			help_report(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			help_report(stderr);
			goto out;
		}
	}
	if (html == NULL) {
		cli_err("report: say where to write the page with --html FILE (the HTML report is "
			"the only form today)");
		goto out;
	}
	if (optind >= argc) {
		cli_err("report: name at least one report (the JSON of `vouch scan --json IMAGE`)");
		goto out;
	}
	if (nver > (size_t)(argc - optind)) {
		cli_err("report: %zu verdicts for %d reports: give one --verdict (or --no-verdict) "
			"per report, in the reports' order", nver, argc - optind);
		goto out;
	}
	/* one argument that is not a file: a delivery evaluated in the lab */
	if (argc - optind == 1 && access(argv[optind], F_OK) != 0) {
		const char *e = getenv("VOUCH_LAB");
		rc = inputs_from_lab(labdir ? labdir : (e && e[0] ? e : "vouch-lab"), argv[optind],
				     &in);
	} else {
		rc = inputs_from_files((const char *const *)argv + optind, (size_t)(argc - optind),
				       verdicts, nver, delivery, &in);
	}
	if (rc == EXIT_OK) {
		rc = write_html(&in, title, html);
	}
out:
	inputs_free(&in);
	free(verdicts);
	return rc;
}
