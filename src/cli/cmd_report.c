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
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_report.h"
#include "sbom_run.h"
#include "vouch/html.h"

/* One input text read from a file: the lab store's own ceiling for a stored report. */
#define REPORT_TEXT_MAX ((size_t)512 << 20)

void
help_report(FILE *out)
{
	fputs("usage: vouch report --html FILE [options] REPORT.json...\n\n"
	      "Write the evaluation report for people: one self-contained HTML page with the\n"
	      "verdict and its reasons first (each linked to the finding or vulnerability it\n"
	      "comes from, waivers with author, justification and expiry), then for every image\n"
	      "its findings by severity, components, known vulnerabilities (with the database's\n"
	      "coverage), the unpacking tree, its regions and an entropy plot. The page loads\n"
	      "nothing and runs no script (a Content-Security-Policy says so to the browser);\n"
	      "every name from the firmware is escaped.\n\n"
	      "REPORT.json is what `vouch scan --json IMAGE [--db DB]` prints, one per image.\n\n"
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *html = NULL, *title = NULL, *delivery = NULL;
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
	rc = inputs_from_files((const char *const *)argv + optind, (size_t)(argc - optind),
			       verdicts, nver, delivery, &in);
	if (rc == EXIT_OK) {
		rc = write_html(&in, title, html);
	}
out:
	inputs_free(&in);
	free(verdicts);
	return rc;
}
