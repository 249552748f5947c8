/*
 * cli/cmd_diff.c: `vouch diff A B`: what release B changed against release A.
 *
 * Each side is resolved to the text of an evaluation report by diff_side_load(): a file
 * whose first non-blank byte is '{' is a report as `vouch scan --json` writes it (read
 * whole, at most VOUCH_DIFF_REPORT_MAX bytes); anything else is a firmware image, evaluated
 * here exactly as `vouch scan` evaluates it (report.c: report_run_image, report_json), both
 * sides with the same --db. The library (vouch/diff.h) then compares the two texts; this
 * file prints its JSON (--json) or a summary line and one line per change, section by
 * section, every string escaped (a report may come from anywhere, and its strings are
 * firmware's).
 *
 * Detection by content, not by file name: reports are stored under content addresses in the
 * lab, and a firmware image starting with '{' is not one anybody ships (a JSON config blob
 * given by mistake fails as a report, with the reason, instead of being "evaluated").
 * Rejected: a --report-a/--report-b flag pair (one more thing to get wrong; the content
 * says it), running the two evaluations in parallel (each scan already uses every CPU).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "vouch/diff.h"
#include "vouch/lab.h"
#include "vouch/vouch.h"

/* Bytes looked at to tell a report from an image (leading blanks of a JSON text). */
#define DIFF_SNIFF_BYTES 4096

void
help_diff(FILE *out)
{
	fputs("usage: vouch diff [options] A B\n\n"
	      "What release B changed against release A: files added, removed and changed\n"
	      "(content, type, mode or owner), components added, removed, upgraded and\n"
	      "downgraded, vulnerabilities fixed and introduced, indicators (accounts, keys,\n"
	      "services, endpoints, secrets, ...) added and removed, and hardening regressions.\n"
	      "This is how a patch is reviewed against what was approved.\n\n"
	      "A and B are each a report (the output of `vouch scan --json`, recognised by its\n"
	      "content), a firmware image, which is evaluated first exactly as `vouch scan`\n"
	      "does it, or an evaluated delivery in the lab (its id or a unique prefix; the\n"
	      "report of its latest evaluation; DELIVERY:ARTEFACT when it has several firmware\n"
	      "artefacts). Files are paired by their path inside the image, without\n"
	      "the image's own name and without container offsets (squashfs@0xe0000 and\n"
	      "squashfs@0xf0000 are the same file system).\n\n"
	      "  --json                the diff as JSON (its members: include/vouch/diff.h)\n"
	      "  --fail-on-regression  exit 8 when B is worse than A: a vulnerability\n"
	      "                        introduced, an account, key, service or secret added, a\n"
	      "                        public endpoint added, a hardening regression, a new\n"
	      "                        binary lacking hardening, a component downgraded\n"
	      "  --db FILE             the vulnerability database for sides that are images\n"
	      "                        (default: $VOUCH_VULNDB, else ./vouch-vulndb.sqlite when\n"
	      "                        it exists; without one, CVE changes are unknown)\n"
	      "  --lab DIR             the lab for delivery sides (default $VOUCH_LAB, else\n"
	      "                        ./vouch-lab)\n"
	      "  -q, --quiet           no progress bar, no warnings on stderr\n"
	      "  -h, --help            this help\n\n"
	      "Exit status: 0 the diff was made, 2 usage, 3 a side cannot be read or is not a\n"
	      "vouch report (the message says why), 4 or 5 a side's evaluation was incomplete\n"
	      "(corrupt data, a limit: the diff may miss changes), 8 with --fail-on-regression\n"
	      "when the diff counts a regression (8 wins over 4 and 5), 1 internal error.\n",
	      out);
}

/* One side of the diff, resolved to report text. */
typedef struct diff_side {
	const char *arg;
	const char *form; /* "report" or "image" */
	char *text;       /* the report JSON (malloc'd) */
	size_t len;
} diff_side;

/* The outcome string of a report back to its code ("limit reached" -> VOUCH_E_LIMIT). */
static int
outcome_code(const char *s)
{
	if (s == NULL) {
		return VOUCH_OK;
	}
	for (int e = 0; e >= VOUCH_E_INTERNAL; e--) {
		if (strcmp(vouch_err_str(e), s) == 0) {
			return e;
		}
	}
	return VOUCH_E_INTERNAL;
}

/* A report file, read whole (at most VOUCH_DIFF_REPORT_MAX bytes). */
static int
read_report(FILE *f, diff_side *s)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);

	if (buf == NULL) {
		cli_err("out of memory");
		return EXIT_INTERNAL;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= VOUCH_DIFF_REPORT_MAX) {
				cli_err("%s: a report larger than %llu MiB: refused", s->arg,
					(unsigned long long)(VOUCH_DIFF_REPORT_MAX >> 20));
				free(buf);
				return EXIT_INPUT;
			}
			char *nb = realloc(buf, cap * 2 + 1);
			if (nb == NULL) {
				cli_err("out of memory");
				free(buf);
				return EXIT_INTERNAL;
			}
			buf = nb;
			cap *= 2;
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0) {
			break;
		}
	}
	if (ferror(f)) {
		cli_err("%s: cannot read: %s", s->arg, strerror(errno));
		free(buf);
		return EXIT_INPUT;
	}
	buf[n] = '\0';
	s->text = buf;
	s->len = n;
	s->form = "report";
	return EXIT_OK;
}

/* An image, evaluated as `vouch scan` does it, its report as text. */
static int
eval_image(diff_side *s, const report_opts *ro)
{
	report_run r;
	int rc = report_run_image(s->arg, ro, &r);

	if (rc == EXIT_OK) {
		json_t *root = report_json(&r, s->arg);
		s->text = root != NULL ? json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
							    JSON_ENSURE_ASCII)
				       : NULL;
		json_decref(root);
		if (s->text == NULL) {
			cli_err("out of memory");
			rc = EXIT_INTERNAL;
		} else {
			s->len = strlen(s->text);
			s->form = "image";
		}
	}
	report_run_free(&r);
	return rc;
}

static const char *js(json_t *o, const char *key);

/*
 * An evaluated delivery in the lab (--lab DIR, else $VOUCH_LAB, else ./vouch-lab): the
 * report of its latest evaluation; DELIVERY:ARTEFACT names one firmware artefact when the
 * delivery has several.
 */
static int
lab_side(const char *labdir, diff_side *s)
{
	char ref[80], id[65], *text = NULL;
	const char *colon = strchr(s->arg, ':'), *want = colon ? colon + 1 : NULL;
	vouch_lab *lab = NULL;
	json_t *d = NULL, *last = NULL, *a, *pick = NULL;
	size_t i, nparts = 0;
	int rc = EXIT_INPUT;

	snprintf(ref, sizeof(ref), "%.*s", colon ? (int)(colon - s->arg) : 79, s->arg);
	if (vouch_lab_open(labdir, NULL, false, &lab) != VOUCH_OK ||
	    vouch_lab_resolve(lab, ref, id) != VOUCH_OK ||
	    vouch_lab_delivery(lab, id, &text) != VOUCH_OK) {
		cli_err("%s: not a file, and not a delivery in the lab: %s", s->arg,
			vouch_lab_errmsg(lab));
		goto out;
	}
	d = json_loads(text, 0, NULL);
	last = json_object_get(d, "current");
	json_array_foreach(json_object_get(last, "parts"), i, a) {
		nparts++;
		if (want == NULL || strcmp(js(a, "artefact"), want) == 0) {
			pick = pick == NULL ? a : pick;
		}
	}
	if (!json_is_object(last) || pick == NULL || (want == NULL && nparts > 1)) {
		cli_err("%s: %s", s->arg,
			!json_is_object(last) ? "the delivery was never evaluated"
			: nparts > 1 && want == NULL
				? "the delivery has several firmware artefacts: name one as "
				  "DELIVERY:ARTEFACT"
				: "no such firmware artefact in its evaluation");
		goto out;
	}
	if (vouch_lab_get(lab, js(pick, "report"), VOUCH_DIFF_REPORT_MAX, &s->text, &s->len) !=
	    VOUCH_OK) {
		cli_err("%s: %s", s->arg, vouch_lab_errmsg(lab));
		goto out;
	}
	s->form = "delivery";
	rc = EXIT_OK;
out:
	free(text);
	json_decref(d);
	vouch_lab_close(lab);
	return rc;
}

/*
 * Resolve one side: ARG is a report file (first non-blank byte '{') or an image. Returns
 * an EXIT_* status (the reason printed); on EXIT_OK s->text is the report, caller frees.
 */
static int
diff_side_load(const char *arg, const char *labdir, const report_opts *ro, diff_side *s)
{
	char head[DIFF_SNIFF_BYTES];
	struct stat st;
	size_t n, i = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->arg = arg;
	f = fopen(arg, "rb");
	if (f == NULL && errno == ENOENT && strspn(arg, "0123456789abcdef") >= 6) {
		return lab_side(labdir, s);
	}
	if (f == NULL) {
		cli_err("%s: cannot open: %s", arg, strerror(errno));
		return EXIT_INPUT;
	}
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		cli_err("%s: not a regular file (give a report or a firmware image)", arg);
		fclose(f);
		return EXIT_INPUT;
	}
	n = fread(head, 1, sizeof(head), f);
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r')) {
		i++;
	}
	if (i < n && head[i] == '{') {
		rewind(f);
		int rc = read_report(f, s);
		fclose(f);
		return rc;
	}
	fclose(f);
	return eval_image(s, ro);
}

/* ---- human output ------------------------------------------------------------------ */

static const char *
js(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s != NULL ? s : "";
}

static long long
ji(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* A key, or the two real paths when the pairing was ambiguous. */
static void
print_pair_name(json_t *p)
{
	printf("%s", cli_text(js(p, "key"), 0));
	if (json_is_true(json_object_get(p, "ambiguous"))) {
		printf(" (ambiguous: %s <-> %s)", cli_text(js(json_object_get(p, "a"), "path"), 1),
		       cli_text(js(json_object_get(p, "b"), "path"), 2));
	}
}

static void
print_files(json_t *d)
{
	json_t *fs = json_object_get(d, "files"), *e;
	size_t i, shown = 0;

	puts("\nfiles");
	json_array_foreach(json_object_get(fs, "added"), i, e) {
		printf("  + %s  (%s", cli_text(js(e, "key"), 0), cli_text(js(e, "kind"), 1));
		if (json_is_integer(json_object_get(e, "size"))) {
			printf(", %lld bytes", ji(e, "size"));
		}
		printf(")\n");
		shown++;
	}
	json_array_foreach(json_object_get(fs, "removed"), i, e) {
		printf("  - %s  (%s)\n", cli_text(js(e, "key"), 0), cli_text(js(e, "kind"), 1));
		shown++;
	}
	json_array_foreach(json_object_get(fs, "changed"), i, e) {
		json_t *a = json_object_get(e, "a"), *b = json_object_get(e, "b");
		printf("  ~ ");
		print_pair_name(e);
		if (json_is_string(json_object_get(b, "link")) ||
		    json_is_string(json_object_get(a, "link"))) {
			printf("  link %s -> %s\n", cli_text(js(a, "link"), 0), cli_text(js(b, "link"), 1));
		} else {
			printf("  content %lld -> %lld bytes, sha256 %.12s -> %.12s\n", ji(a, "size"),
			       ji(b, "size"), cli_text(js(a, "sha256"), 0), cli_text(js(b, "sha256"), 1));
		}
		shown++;
	}
	json_array_foreach(json_object_get(fs, "type_changed"), i, e) {
		printf("  ~ ");
		print_pair_name(e);
		printf("  type %s -> %s\n", cli_text(js(json_object_get(e, "a"), "kind"), 0),
		       cli_text(js(json_object_get(e, "b"), "kind"), 1));
		shown++;
	}
	json_array_foreach(json_object_get(fs, "metadata_changed"), i, e) {
		json_t *a = json_object_get(e, "a"), *b = json_object_get(e, "b"), *fl;
		size_t k;
		printf("  ~ ");
		print_pair_name(e);
		json_array_foreach(json_object_get(e, "fields"), k, fl) {
			const char *name = json_string_value(fl);
			if (name == NULL) {
				continue;
			}
			if (strcmp(name, "mode") == 0) {
				printf("  mode %s -> %s", cli_text(js(a, "mode"), 0),
				       cli_text(js(b, "mode"), 1));
			} else {
				printf("  %s %lld -> %lld", name, ji(a, name), ji(b, name));
			}
		}
		putchar('\n');
		shown++;
	}
	json_array_foreach(json_object_get(fs, "ambiguous"), i, e) {
		printf("  ! %s  held by %lld files in A and %lld in B: paired in order\n",
		       cli_text(js(e, "key"), 0), ji(e, "a"), ji(e, "b"));
	}
	if (shown == 0) {
		puts("  (no change)");
	}
}

static void
print_components(json_t *d)
{
	json_t *cs = json_object_get(d, "components"), *e;
	size_t i, shown = 0;

	puts("\ncomponents");
	json_array_foreach(json_object_get(cs, "added"), i, e) {
		printf("  + %s %s\n", cli_text(js(e, "name"), 0), cli_text(js(e, "version"), 1));
		shown++;
	}
	json_array_foreach(json_object_get(cs, "removed"), i, e) {
		printf("  - %s %s\n", cli_text(js(e, "name"), 0), cli_text(js(e, "version"), 1));
		shown++;
	}
	json_array_foreach(json_object_get(cs, "upgraded"), i, e) {
		printf("  ~ %s %s -> %s (upgraded)\n", cli_text(js(e, "name"), 0),
		       cli_text(js(e, "from"), 1), cli_text(js(e, "to"), 2));
		shown++;
	}
	json_array_foreach(json_object_get(cs, "downgraded"), i, e) {
		printf("  ~ %s %s -> %s (DOWNGRADED)\n", cli_text(js(e, "name"), 0),
		       cli_text(js(e, "from"), 1), cli_text(js(e, "to"), 2));
		shown++;
	}
	if (shown == 0) {
		puts("  (no change)");
	}
}

static void
print_vuln(const char *mark, json_t *e, const char *what)
{
	char score[32] = "";
	json_t *c3 = json_object_get(e, "cvss3"), *c4 = json_object_get(e, "cvss4");
	if (json_is_number(c3)) {
		snprintf(score, sizeof(score), " %.1f", json_number_value(c3));
	} else if (json_is_number(c4)) {
		snprintf(score, sizeof(score), " %.1f (CVSS 4)", json_number_value(c4));
	}
	printf("  %s %s  %s %s  %s%s  %s", mark, cli_text(js(e, "id"), 0),
	       cli_text(js(e, "component"), 1), cli_text(js(e, "version"), 2),
	       js(e, "severity")[0] ? cli_text(js(e, "severity"), 3) : "unrated", score, what);
	if (json_is_string(json_object_get(e, "vex"))) {
		printf(", VEX: %s", cli_text(js(e, "vex"), 0));
	}
	putchar('\n');
}

static void
print_vulns(json_t *d)
{
	json_t *vs = json_object_get(d, "vulnerabilities"), *e;
	size_t i, shown = 0;

	puts("\nvulnerabilities");
	json_array_foreach(json_object_get(vs, "fixed"), i, e) {
		print_vuln("-", e, "fixed");
		shown++;
	}
	json_array_foreach(json_object_get(vs, "introduced"), i, e) {
		print_vuln("+", e, "introduced");
		shown++;
	}
	if (json_is_string(json_object_get(vs, "note"))) {
		printf("  note: %s\n", cli_text(js(vs, "note"), 0));
	} else if (shown == 0) {
		puts("  (no change)");
	}
}

static void
print_finding(const char *mark, json_t *e)
{
	printf("    %s %s  %s", mark, cli_text(js(e, "id"), 0), cli_text(js(e, "key"), 1));
	if (json_is_string(json_object_get(e, "detail"))) {
		printf("  [%s]", cli_text(js(e, "detail"), 2));
	}
	putchar('\n');
	if (json_is_string(json_object_get(e, "evidence"))) {
		printf("        | %s\n", cli_text(js(e, "evidence"), 3));
	}
}

static void
print_indicators(json_t *d)
{
	json_t *ind = json_object_get(d, "indicators"), *cat, *e;
	const char *name;
	size_t i, shown = 0;

	puts("\nindicators");
	json_object_foreach(ind, name, cat) {
		json_t *add = json_object_get(cat, "added"), *rem = json_object_get(cat, "removed");
		if (json_array_size(add) + json_array_size(rem) == 0) {
			continue;
		}
		printf("  %s: +%zu -%zu\n", cli_text(name, 0), json_array_size(add),
		       json_array_size(rem));
		json_array_foreach(rem, i, e) {
			print_finding("-", e);
		}
		json_array_foreach(add, i, e) {
			print_finding("+", e);
		}
		shown++;
	}
	if (shown == 0) {
		puts("  (no change)");
	}
}

static void
print_hard(const char *mark, json_t *e, const char *what)
{
	printf("  %s %s  %s  %s", mark, cli_text(js(e, "id"), 0), cli_text(js(e, "key"), 1), what);
	json_t *add = json_object_get(e, "imports_added"), *x;
	size_t k;
	if (json_array_size(add) > 0) {
		printf(", imports now");
		json_array_foreach(add, k, x) {
			printf(" %s", cli_text(json_string_value(x), 2));
		}
	} else if (json_is_string(json_object_get(e, "a_detail")) &&
		   json_is_string(json_object_get(e, "b_detail"))) {
		printf(" [%s -> %s]", cli_text(js(e, "a_detail"), 2), cli_text(js(e, "b_detail"), 3));
	} else if (json_is_string(json_object_get(e, "b_detail"))) {
		printf(" [%s]", cli_text(js(e, "b_detail"), 2));
	} else if (json_is_string(json_object_get(e, "a_detail"))) {
		printf(" [%s]", cli_text(js(e, "a_detail"), 2));
	}
	putchar('\n');
}

static void
print_hardening(json_t *d)
{
	json_t *h = json_object_get(d, "hardening"), *e, *x;
	size_t i, k, shown = 0;

	puts("\nhardening");
	json_array_foreach(json_object_get(h, "regressions"), i, e) {
		print_hard("+", e, "regression");
		shown++;
	}
	json_array_foreach(json_object_get(h, "improvements"), i, e) {
		print_hard("-", e, "improvement");
		shown++;
	}
	json_array_foreach(json_object_get(h, "changed"), i, e) {
		print_hard("~", e, "changed");
		shown++;
	}
	json_array_foreach(json_object_get(h, "new_binaries"), i, e) {
		printf("  + new binary %s lacks:", cli_text(js(e, "key"), 0));
		json_array_foreach(json_object_get(e, "findings"), k, x) {
			printf(" %s", cli_text(js(x, "id"), 1));
		}
		putchar('\n');
		shown++;
	}
	if (shown == 0) {
		puts("  (no change)");
	}
}

static void
print_human(json_t *d, const diff_side *a, const diff_side *b)
{
	json_t *s = json_object_get(d, "summary");
	char vul[96];

	if (json_is_integer(json_object_get(s, "vulnerabilities_fixed"))) {
		snprintf(vul, sizeof(vul), "%lld fixed, %lld introduced",
			 ji(s, "vulnerabilities_fixed"), ji(s, "vulnerabilities_introduced"));
	} else {
		snprintf(vul, sizeof(vul), "not compared");
	}
	printf("A: %s (%s)\nB: %s (%s)\n", cli_text(a->arg, 0), a->form, cli_text(b->arg, 1),
	       b->form);
	printf("%s: files +%lld -%lld ~%lld (type %lld, mode/owner %lld); components +%lld "
	       "-%lld, %lld upgraded, %lld downgraded; vulnerabilities %s; indicators +%lld "
	       "-%lld; hardening %lld regressions, %lld new binaries lacking hardening; "
	       "%lld regressions in all\n",
	       json_is_true(json_object_get(s, "identical")) ? "identical" : "changed",
	       ji(s, "files_added"), ji(s, "files_removed"), ji(s, "files_changed"),
	       ji(s, "files_type_changed"), ji(s, "files_metadata_changed"),
	       ji(s, "components_added"), ji(s, "components_removed"),
	       ji(s, "components_upgraded"), ji(s, "components_downgraded"), vul,
	       ji(s, "indicators_added"), ji(s, "indicators_removed"),
	       ji(s, "hardening_regressions"), ji(s, "new_unhardened_binaries"),
	       ji(s, "regressions"));
	print_files(d);
	print_components(d);
	print_vulns(d);
	print_indicators(d);
	print_hardening(d);
}

int
cmd_diff(int argc, char **argv)
{
	static const struct option lo[] = {
		{"json", no_argument, NULL, 'J'},
		{"fail-on-regression", no_argument, NULL, 'F'},
		{"db", required_argument, NULL, 'D'},
		{"lab", required_argument, NULL, 'l'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	report_opts ro;
	diff_side sa = {0}, sb = {0};
	bool json = false, fail_on = false, quiet = false;
	const diff_side *sides[2] = {&sa, &sb};
	char *text = NULL, why[512];
	json_t *d = NULL;
	json_int_t reg;
	int c, rc, drc;
	const char *lab_dir = getenv("VOUCH_LAB");

	if (lab_dir == NULL || lab_dir[0] == '\0') {
		lab_dir = "vouch-lab";
	}
	report_opts_default(&ro);
	optind = 1;
	while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		switch (c) {
		case 'J': json = true; break;
		case 'F': fail_on = true; break;
		case 'D': ro.db = optarg; break;
		case 'l': lab_dir = optarg; break;
		case 'q': quiet = true; break;
		case 'h': help_diff(stdout); return EXIT_OK;
		default: help_diff(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		cli_err("%s", argc - optind < 2 ? "two sides, A and B, please"
						 : "exactly two sides, A and B, please");
		help_diff(stderr);
		return EXIT_USAGE;
	}
	if (!quiet && isatty(STDERR_FILENO)) {
		ro.scan.progress = cli_progress;
	}
	ro.quiet = quiet;
	rc = diff_side_load(argv[optind], lab_dir, &ro, &sa);
	if (rc == EXIT_OK) {
		rc = diff_side_load(argv[optind + 1], lab_dir, &ro, &sb);
	}
	if (rc != EXIT_OK) {
		goto out;
	}
	drc = vouch_report_diff(sa.text, sa.len, sb.text, sb.len, &text, why, sizeof(why));
	if (drc != VOUCH_OK) {
		/* name the argument: "report A" is the first side, "report B" the second */
		cli_err("%s; A is %s, B is %s (a report must be what `vouch scan --json` writes)",
			why, cli_text(sa.arg, 0), cli_text(sb.arg, 1));
		rc = drc == VOUCH_E_NOMEM ? EXIT_INTERNAL : EXIT_INPUT;
		goto out;
	}
	d = json_loads(text, 0, NULL);
	if (d == NULL) {
		cli_err("out of memory");
		rc = EXIT_INTERNAL;
		goto out;
	}
	if (json) {
		fputs(text, stdout);
		fputc('\n', stdout);
	} else {
		print_human(d, &sa, &sb);
	}
	/* the outcome each evaluation recorded (the diff carries it): an incomplete one may
	 * hide changes */
	for (int k = 0; k < 2; k++) {
		int orc = outcome_code(json_string_value(
			json_object_get(json_object_get(d, k == 0 ? "a" : "b"), "outcome")));
		if (orc != VOUCH_OK) {
			if (!quiet) {
				fprintf(stderr,
					"vouch: the evaluation of %s was not complete (%s): the diff "
					"may miss changes\n",
					cli_text(sides[k]->arg, 0), vouch_err_str(orc));
			}
			if (rc == EXIT_OK) {
				rc = cli_exit_for(orc);
			}
		}
	}
	reg = json_integer_value(
		json_object_get(json_object_get(d, "summary"), "regressions"));
	if (fail_on && reg > 0) {
		rc = EXIT_FINDINGS;
	}
out:
	json_decref(d);
	free(text);
	free(sa.text);
	free(sb.text);
	return rc;
}
