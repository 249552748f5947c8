/*
 * cli/cmd_lab.c: the trusted delivery workflow on the command line:
 *   vouch lab init|pubkey            the lab's store, keys and log
 *   vouch delivery submit|list|show  a vendor's delivery, checked and stored
 *   vouch evaluate DELIVERY          every firmware artefact analysed, the policy applied,
 *                                    the verdict signed and logged
 *   vouch recheck                    approved releases re-matched against today's database
 *   vouch revoke DELIVERY            a logged revocation
 *   vouch bundle DELIVERY            what the operator receives with the firmware
 *   vouch verify FILE                the operator's offline check
 *
 * The lab's mechanics (store, attestations, log, bundles, verification) are libvouch's
 * (include/vouch/lab.h); the analysis of an image is report.c's, the same as `vouch scan`;
 * the verdict is the policy engine's (include/vouch/policy.h). This file composes them and
 * prints: human text on stdout, JSON with --json, messages on stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "sbom_run.h"
#include "vouch/lab.h"
#include "vouch/policy.h"
#include "vouch/tlog.h"
#include "vouch/vouch.h"

#define TEXT_MAX (512u << 20) /* a stored report or SBOM read back */
#define KEY_MAX 65536         /* a key file */
#define BUNDLE_MAX (64u << 20)
#define REASONS_SHOWN 8 /* conditions printed on a terminal */

/* Exit statuses of `vouch verify`, one per answer (vouch(1)). */
enum {
	EXIT_V_NOT_SUBJECT = 10,
	EXIT_V_SIGNATURE = 11,
	EXIT_V_INCLUSION = 12,
	EXIT_V_CHECKPOINT = 13,
	EXIT_V_NOT_APPROVED = 14,
	EXIT_V_REVOKED = 15,
	EXIT_V_MALFORMED = 16,
	EXIT_V_INCOMPLETE = 17,
	EXIT_V_STALE = 18,
};

static const char *
lab_dir(const char *opt)
{
	const char *e = getenv("VOUCH_LAB");
	return opt != NULL ? opt : (e != NULL && e[0] != '\0' ? e : "vouch-lab");
}

static int
exit_of(int err)
{
	switch (err) {
	case VOUCH_E_NOTFOUND:
	case VOUCH_E_IO:
	case VOUCH_E_MALFORMED: return EXIT_INPUT;
	case VOUCH_E_USAGE: return EXIT_USAGE;
	case VOUCH_E_VERIFY: return EXIT_VERIFY;
	case VOUCH_E_UNSAFE: return EXIT_UNSAFE;
	case VOUCH_E_LIMIT: return EXIT_LIMIT;
	default: return EXIT_INTERNAL;
	}
}

static int
open_lab(const char *dir, bool create, vouch_lab **lab)
{
	int rc = vouch_lab_open(dir, NULL, create, lab);
	if (rc != VOUCH_OK) {
		cli_err("%s", vouch_lab_errmsg(*lab));
		vouch_lab_close(*lab);
		*lab = NULL;
		return exit_of(rc);
	}
	return EXIT_OK;
}

/* Open the lab and resolve a delivery reference. */
static int
open_delivery(const char *dir, const char *ref, vouch_lab **lab, char id[65], json_t **d)
{
	char *text = NULL;
	int rc = open_lab(dir, false, lab);

	if (rc != EXIT_OK) {
		return rc;
	}
	if ((rc = vouch_lab_resolve(*lab, ref, id)) != VOUCH_OK ||
	    (rc = vouch_lab_delivery(*lab, id, &text)) != VOUCH_OK) {
		cli_err("%s", vouch_lab_errmsg(*lab));
		return exit_of(rc);
	}
	*d = json_loads(text, 0, NULL);
	free(text);
	return *d != NULL ? EXIT_OK : EXIT_INTERNAL;
}

static int
read_text(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL) {
		cli_err("%s: %s", path, strerror(errno));
		return EXIT_INPUT;
	}
	for (;;) {
		if (n + 65537 > cap) {
			size_t ncap = cap == 0 ? 262144 : cap * 2;
			char *nb = realloc(buf, ncap);
			if (nb == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap = ncap;
		}
		size_t r = fread(buf + n, 1, 65536, f);
		n += r;
		if (r == 0 || n > max) {
			break;
		}
	}
	bool failed = ferror(f) != 0;
	if (f != stdin) {
		fclose(f);
	}
	if (buf == NULL) {
		cli_err("%s: out of memory", path);
		return EXIT_INTERNAL;
	}
	if (failed || n > max) { /* both "cannot be read" (exit 3), as the help says */
		free(buf);
		if (failed) {
			cli_err("%s: read error", path);
		} else {
			cli_err("%s: larger than %zu bytes: not what this command reads", path, max);
		}
		return EXIT_INPUT;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return EXIT_OK;
}

static void
print_json(const char *text)
{
	fputs(text, stdout);
	if (text[0] != '\0' && text[strlen(text) - 1] != '\n') {
		fputc('\n', stdout);
	}
}

static const char *
jget(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s != NULL ? s : "";
}

/* ---- vouch lab ---------------------------------------------------------------------- */

void
help_lab(FILE *out)
{
	fputs("usage: vouch lab init [--origin NAME] [--lab DIR]\n"
	      "       vouch lab pubkey [--lab DIR]\n\n"
	      "The evaluation lab's store (default ./vouch-lab, or $VOUCH_LAB): a catalog of\n"
	      "deliveries and attestations, every artefact and report stored once under its\n"
	      "SHA-256, the attestation key and the transparency log. `init` makes one (submitting\n"
	      "a delivery makes one too); NAME is the log's origin, the name its checkpoints are\n"
	      "signed as (default vouch-lab/<host name>). `pubkey` prints the two verifier keys\n"
	      "operators need for `vouch verify --key`: the attestation key, then the log key.\n\n"
	      "Exit status: 0 ok, 2 usage, 3 the lab cannot be read or made.\n",
	      out);
}

int
cmd_lab(int argc, char **argv)
{
	static const struct option lo[] = {{"lab", required_argument, NULL, 'l'},
					   {"origin", required_argument, NULL, 'o'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	const char *dir = NULL, *origin = NULL;
	vouch_lab *lab = NULL;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'l': dir = optarg; break;
		case 'o': origin = optarg; break;
		case 'h': help_lab(stdout); return EXIT_OK;
		default: help_lab(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 ||
	    (strcmp(argv[optind], "init") != 0 && strcmp(argv[optind], "pubkey") != 0)) {
		cli_err("wanted: vouch lab init|pubkey");
		help_lab(stderr);
		return EXIT_USAGE;
	}
	bool init = strcmp(argv[optind], "init") == 0;
	rc = vouch_lab_open(lab_dir(dir), origin, init, &lab);
	if (rc != VOUCH_OK) {
		cli_err("%s", vouch_lab_errmsg(lab));
		vouch_lab_close(lab);
		return exit_of(rc);
	}
	char *keys = NULL;
	if (vouch_lab_pubkeys(lab, &keys) != VOUCH_OK) {
		cli_err("%s", vouch_lab_errmsg(lab));
		rc = EXIT_INPUT;
	} else {
		if (init) {
			fprintf(stderr, "vouch: lab in %s; operators verify with these keys "
					"(`vouch lab pubkey > lab.pub`):\n", lab_dir(dir));
		}
		fputs(keys, stdout);
		rc = EXIT_OK;
	}
	free(keys);
	vouch_lab_close(lab);
	return rc;
}

/* ---- vouch delivery ----------------------------------------------------------------- */

void
help_delivery(FILE *out)
{
	fputs("usage: vouch delivery submit [--vendor-key VKEY] [--json] [--lab DIR] PATH\n"
	      "       vouch delivery list [--json] [--lab DIR]\n"
	      "       vouch delivery show [--json] [--lab DIR] DELIVERY\n\n"
	      "submit: check a vendor's delivery (a directory or a tarball holding\n"
	      "vouch-delivery.json, see docs/delivery.md) and store every artefact in the lab,\n"
	      "content-addressed and read-only. Every problem is reported (a missing file, a\n"
	      "digest mismatch, an unknown role, a duplicate, an unsafe path), each on its own\n"
	      "line. Submitting the same delivery again changes nothing and gives the same id.\n"
	      "With --vendor-key (a verifier key, or a file holding one) the manifest's\n"
	      "\"signature\" (a DSSE envelope naming every artefact) must verify.\n"
	      "list: every delivery with its status. show: one delivery, its artefacts and every\n"
	      "attestation the lab logged about it. DELIVERY is an id or a unique prefix (>= 6).\n\n"
	      "  --lab DIR   the lab (default $VOUCH_LAB, else ./vouch-lab)\n"
	      "  --json      machine-readable output\n\n"
	      "Exit status: 0 ok, 2 usage, 3 the delivery or its manifest has problems or cannot\n"
	      "be read, 7 only digests or the vendor signature did not match.\n",
	      out);
}

static int
delivery_submit(const char *dir, const char *path, const char *vkey_arg, bool json)
{
	vouch_lab *lab = NULL;
	char *receipt = NULL, *vkey = NULL;
	int rc, err;

	if (vkey_arg != NULL) {
		size_t n;
		if (strchr(vkey_arg, '+') != NULL && access(vkey_arg, R_OK) != 0) {
			vkey = strdup(vkey_arg);
		} else if (read_text(vkey_arg, KEY_MAX, &vkey, &n) != EXIT_OK) {
			return EXIT_INPUT;
		}
		if (vkey != NULL) {
			vkey[strcspn(vkey, "\r\n")] = '\0';
		}
	}
	if ((rc = open_lab(dir, true, &lab)) != EXIT_OK) {
		free(vkey);
		return rc;
	}
	err = vouch_lab_submit(lab, path, vkey, &receipt);
	json_t *r = receipt ? json_loads(receipt, 0, NULL) : NULL;
	if (json && receipt != NULL) {
		print_json(receipt);
	}
	if (err != VOUCH_OK) {
		json_t *ps = json_object_get(r, "problems"), *p;
		size_t i;
		cli_err("%s", vouch_lab_errmsg(lab));
		json_array_foreach(ps, i, p) {
			const char *a = jget(p, "artefact");
			fprintf(stderr, "  %-10s %s%s%s\n", jget(p, "kind"), cli_text(a, 0),
				a[0] ? ": " : "", cli_text(jget(p, "problem"), 1));
		}
		if (json_array_size(ps) != 0) {
			fputs("nothing was stored; fix these and submit again\n", stderr);
		}
		rc = exit_of(err);
	} else if (!json) {
		size_t i;
		json_t *a;
		printf("delivery %s%s\n", jget(r, "id"),
		       json_is_true(json_object_get(r, "new")) ? "" : " (already submitted: nothing changed)");
		printf("  %s %s %s; vendor signature: %s\n", cli_text(jget(r, "vendor"), 0),
		       cli_text(jget(r, "product"), 1), cli_text(jget(r, "version"), 2),
		       jget(r, "vendor_signature"));
		json_array_foreach(json_object_get(r, "artefacts"), i, a) {
			printf("  %-12s %s  %s (%lld bytes)\n", jget(a, "role"), jget(a, "sha256"),
			       cli_text(jget(a, "name"), 0),
			       (long long)json_integer_value(json_object_get(a, "size")));
		}
		json_array_foreach(json_object_get(r, "ignored"), i, a) {
			printf("  ignored (not in the manifest): %s\n", cli_text(json_string_value(a), 0));
		}
		printf("next: vouch evaluate %.12s\n", jget(r, "id"));
	}
	json_decref(r);
	free(receipt);
	free(vkey);
	vouch_lab_close(lab);
	return rc;
}

int
cmd_delivery(int argc, char **argv)
{
	static const struct option lo[] = {{"lab", required_argument, NULL, 'l'},
					   {"vendor-key", required_argument, NULL, 'k'},
					   {"json", no_argument, NULL, 'J'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	const char *dir = NULL, *vkey = NULL;
	bool json = false;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'l': dir = optarg; break;
		case 'k': vkey = optarg; break;
		case 'J': json = true; break;
		case 'h': help_delivery(stdout); return EXIT_OK;
		default: help_delivery(stderr); return EXIT_USAGE;
		}
	}
	const char *verb = optind < argc ? argv[optind] : "";
	int nargs = argc - optind - 1;
	if (strcmp(verb, "submit") == 0 && nargs == 1) {
		return delivery_submit(lab_dir(dir), argv[optind + 1], vkey, json);
	}
	if ((strcmp(verb, "list") == 0 && nargs == 0) || (strcmp(verb, "show") == 0 && nargs == 1)) {
		vouch_lab *lab = NULL;
		char *text = NULL, id[65];
		json_t *d = NULL;
		if (strcmp(verb, "show") == 0) {
			rc = open_delivery(lab_dir(dir), argv[optind + 1], &lab, id, &d);
			if (rc == EXIT_OK) {
				text = json_dumps(d, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
			}
		} else if ((rc = open_lab(lab_dir(dir), false, &lab)) == EXIT_OK) {
			if (vouch_lab_list(lab, &text) != VOUCH_OK) {
				cli_err("%s", vouch_lab_errmsg(lab));
				rc = EXIT_INPUT;
			} else {
				d = json_loads(text, 0, NULL);
			}
		}
		if (rc == EXIT_OK && json) {
			print_json(text);
		} else if (rc == EXIT_OK && strcmp(verb, "list") == 0) {
			size_t i;
			json_t *x;
			printf("%-14s %-26s %-24s %-12s %s\n", "DELIVERY", "STATUS", "PRODUCT", "VERSION",
			       "VENDOR");
			json_array_foreach(d, i, x) {
				printf("%-14.12s %-26s %-24s %-12s %s\n", jget(x, "id"), jget(x, "status"),
				       cli_text(jget(x, "product"), 0), cli_text(jget(x, "version"), 1),
				       cli_text(jget(x, "vendor"), 2));
			}
		} else if (rc == EXIT_OK) {
			size_t i;
			json_t *x;
			printf("delivery %s: %s\n  %s %s %s, submitted %s, vendor signature %s\n", id,
			       jget(d, "status"), cli_text(jget(d, "vendor"), 0),
			       cli_text(jget(d, "product"), 1), cli_text(jget(d, "version"), 2),
			       jget(d, "submitted"), jget(d, "vendor_signature"));
			json_array_foreach(json_object_get(d, "artefacts"), i, x) {
				printf("  %-12s %s  %s\n", jget(x, "role"), jget(x, "sha256"),
				       cli_text(jget(x, "name"), 0));
			}
			json_array_foreach(json_object_get(d, "attestations"), i, x) {
				printf("  log #%lld %-10s %-26s %s%s%s\n",
				       (long long)json_integer_value(json_object_get(x, "index")),
				       jget(x, "kind"), jget(x, "verdict"), jget(x, "created"),
				       json_is_string(json_object_get(x, "reason")) ? "  " : "",
				       cli_text(jget(x, "reason"), 0));
			}
		}
		json_decref(d);
		free(text);
		vouch_lab_close(lab);
		return rc;
	}
	cli_err("wanted: vouch delivery submit PATH | list | show DELIVERY");
	help_delivery(stderr);
	return EXIT_USAGE;
}

/* ---- vouch evaluate / recheck -------------------------------------------------------- */

void
help_evaluate(FILE *out)
{
	fputs("usage: vouch evaluate [options] DELIVERY\n\n"
	      "Evaluate every firmware artefact of a submitted delivery in one pass each (unpack,\n"
	      "inventory, components, known vulnerabilities, indicators, hardening: the analysis\n"
	      "of `vouch scan`), apply the policy, and sign the verdict: an in-toto statement\n"
	      "(docs/attestation.md) whose subjects are the firmware artefacts, in a DSSE envelope\n"
	      "appended to the lab's transparency log. Reports, verdicts, SBOMs and the envelope\n"
	      "are stored in the lab. The verdict is approved, approved-with-conditions or\n"
	      "rejected, each reason pointing at the finding or vulnerability behind it.\n\n"
	      "  --policy FILE   the policy (JSON or YAML, docs/policy.md; default: the built-in\n"
	      "                  policy, `vouch policy show-default`)\n"
	      "  --db FILE       the vulnerability database (default $VOUCH_VULNDB, else\n"
	      "                  ./vouch-vulndb.sqlite when it exists; without one, vulnerabilities\n"
	      "                  are not matched and the attestation says so)\n"
	      "  --now WHEN      evaluate as of WHEN (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, UTC):\n"
	      "                  waivers expire relative to it (default: now)\n"
	      "  --lab DIR       the lab (default $VOUCH_LAB, else ./vouch-lab)\n"
	      "  --json          the outcome as JSON (delivery, log index, verdicts)\n"
	      "  -j, --threads N worker threads;  -L, --limit N=V  a safety limit;  -q  quiet\n\n"
	      "Exit status: 0 approved or approved-with-conditions, 8 rejected, 2 usage, 3 the\n"
	      "delivery, policy or database cannot be read, 1 internal error.\n",
	      out);
}

void
help_recheck(FILE *out)
{
	fputs("usage: vouch recheck [--db FILE] [--policy FILE] [--now WHEN] [--lab DIR] [--json]\n\n"
	      "Re-match every approved, unrevoked delivery against the current vulnerability\n"
	      "database (from the SBOM stored at evaluation; nothing is unpacked again) and\n"
	      "re-apply its policy (the one it was evaluated with, unless --policy). Where the\n"
	      "vulnerabilities or the verdict changed, a new attestation (kind recheck) is signed\n"
	      "and logged; it supersedes the earlier one in bundles made from then on.\n\n"
	      "Exit status: 0 nothing got worse, 8 some delivery is now rejected, 2 usage, 3 the\n"
	      "lab or the database cannot be read.\n",
	      out);
}

typedef struct eval_opts {
	const char *dir, *policy_path, *now_s;
	report_opts ro;
	bool json, quiet;
} eval_opts;

static int
load_policy(const char *path, const char *stored_text, vouch_policy **pol, char **text,
	    size_t *len)
{
	char why[256] = "";
	if (path != NULL) {
		int rc = read_text(path, 16u << 20, text, len);
		if (rc != EXIT_OK) {
			return rc;
		}
	} else if (stored_text != NULL) {
		*text = strdup(stored_text);
		*len = *text ? strlen(*text) : 0;
	} else {
		const char *t = vouch_policy_default_text(len);
		*text = malloc(*len + 1);
		if (*text != NULL) {
			memcpy(*text, t, *len + 1);
		}
	}
	if (*text == NULL) {
		cli_err("out of memory");
		return EXIT_INTERNAL;
	}
	if (vouch_policy_load(*text, *len, pol, why, sizeof(why)) != VOUCH_OK) {
		cli_err("%s: %s", path ? path : "the policy", why);
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

static const char *
worst(const char *a, const char *b)
{
	vouch_verdict va = VOUCH_VERDICT_APPROVED, vb = VOUCH_VERDICT_APPROVED;
	vouch_verdict_parse(a, &va);
	vouch_verdict_parse(b, &vb);
	return vouch_verdict_str(va > vb ? va : vb);
}

static void
print_reasons(json_t *verdict, const char *artefact)
{
	size_t i;
	json_t *r, *w;
	size_t shown = 0, hidden = 0;
	json_array_foreach(json_object_get(verdict, "reasons"), i, r) {
		json_t *f = json_object_get(r, "finding"), *v = json_object_get(r, "vulnerability");
		/* every reason to reject; the first conditions (all of them are in --json, in
		 * `vouch delivery show` and in the HTML report) */
		if (strcmp(jget(r, "outcome"), "reject") != 0 && shown >= REASONS_SHOWN) {
			hidden++;
			continue;
		}
		shown += strcmp(jget(r, "outcome"), "reject") != 0;
		printf("  %-9s %s: %s\n", jget(r, "outcome"), jget(r, "rule"), cli_text(jget(r, "text"), 0));
		if (f != NULL) {
			json_t *off = json_object_get(f, "offset");
			printf("            %s %s", jget(f, "id"), cli_text(jget(f, "path"), 0));
			if (json_is_integer(off)) {
				printf("@0x%llx", (unsigned long long)json_integer_value(off));
			}
			putchar('\n');
		} else if (v != NULL) {
			printf("            %s in %s %s\n", jget(v, "id"), cli_text(jget(v, "component"), 0),
			       cli_text(jget(v, "version"), 1));
		}
	}
	if (hidden != 0) {
		printf("  ... and %zu more conditions (--json or `vouch report --html` lists all)\n",
		       hidden);
	}
	json_array_foreach(json_object_get(verdict, "waivers"), i, w) {
		printf("  waiver %s %s (by %s, expires %s): %s\n", cli_text(jget(w, "id"), 0),
		       jget(w, "status"), cli_text(jget(w, "author"), 1), cli_text(jget(w, "expires"), 2),
		       cli_text(jget(w, "justification"), 3));
	}
	(void)artefact;
}

static char *
dumps(json_t *v)
{
	return json_dumps(v, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
}

int
cmd_evaluate(int argc, char **argv)
{
	static const struct option lo[] = {
		{"lab", required_argument, NULL, 'l'},	  {"policy", required_argument, NULL, 'p'},
		{"db", required_argument, NULL, 'D'},	  {"now", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'J'},	  {"threads", required_argument, NULL, 'j'},
		{"limit", required_argument, NULL, 'L'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},	  {NULL, 0, NULL, 0}};
	eval_opts o;
	vouch_lab *lab = NULL;
	vouch_policy *pol = NULL;
	json_t *d = NULL, *out = json_object(), *outparts = json_array();
	char id[65], *ptext = NULL;
	size_t plen = 0, nparts = 0;
	vouch_lab_part *parts = NULL;
	char **texts = NULL; /* report, verdict, sbom per part */
	int64_t now = (int64_t)time(NULL);
	int c, rc;
	uint64_t v;

	memset(&o, 0, sizeof(o));
	report_opts_default(&o.ro);
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:L:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'l': o.dir = optarg; break;
		case 'p': o.policy_path = optarg; break;
		case 'D': o.ro.db = optarg; break;
		case 'n': o.now_s = optarg; break;
		case 'J': o.json = true; break;
		case 'j':
			if (cli_parse_u64(optarg, &v) != 0 || v == 0 || v > 16) {
				cli_err("--threads wants a number from 1 to 16");
				return EXIT_USAGE;
			}
			o.ro.scan.threads = (unsigned)v;
			break;
		case 'L':
			if (cli_parse_limit(&o.ro.scan.limits, optarg) != 0) {
				return EXIT_USAGE;
			}
			break;
		case 'q': o.quiet = true; break;
		case 'h': help_evaluate(stdout); return EXIT_OK;
		default: help_evaluate(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_err("one DELIVERY, please (`vouch delivery list` shows them)");
		help_evaluate(stderr);
		return EXIT_USAGE;
	}
	if (o.now_s != NULL && vouch_policy_time_parse(o.now_s, &now) != VOUCH_OK) {
		cli_err("--now wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
		return EXIT_USAGE;
	}
	if (!o.quiet && isatty(STDERR_FILENO)) {
		o.ro.scan.progress = cli_progress;
	}
	if ((rc = open_delivery(lab_dir(o.dir), argv[optind], &lab, id, &d)) != EXIT_OK ||
	    (rc = load_policy(o.policy_path, NULL, &pol, &ptext, &plen)) != EXIT_OK) {
		goto out;
	}
	json_t *arts = json_object_get(d, "artefacts"), *a;
	size_t i;
	parts = calloc(json_array_size(arts) + 1, sizeof(*parts));
	texts = calloc(3 * (json_array_size(arts) + 1), sizeof(*texts));
	if (parts == NULL || texts == NULL) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	const char *overall = "approved";
	char vdigest[65] = "", vnewest[64] = "";
	int64_t vrecords = 0;
	bool have_db = false;
	json_array_foreach(arts, i, a) {
		if (strcmp(jget(a, "role"), "firmware") != 0) {
			continue;
		}
		const char *name = jget(a, "name"), *base = strrchr(name, '/');
		char *blob = NULL, why[256] = "";
		report_run r;
		vouch_verdict vd;

		if (vouch_lab_blob_path(lab, jget(a, "sha256"), &blob) != VOUCH_OK) {
			cli_err("%s", vouch_lab_errmsg(lab));
			rc = EXIT_INPUT;
			goto out;
		}
		if (!o.quiet) {
			fprintf(stderr, "vouch: evaluating %s ...\n", cli_text(name, 0));
		}
		o.ro.scan.root_name = base ? base + 1 : name;
		rc = report_run_image(blob, &o.ro, &r);
		if (rc != EXIT_OK) {
			report_run_free(&r);
			free(blob);
			goto out;
		}
		if (r.scan_rc != VOUCH_OK) {
			/* the report says so too ("outcome"); the verdict covers what could be read */
			fprintf(stderr, "vouch: warning: %s was not analysed completely (%s): the "
					"verdict covers what could be read\n",
				cli_text(name, 0), vouch_err_str(r.scan_rc));
		}
		json_t *rep = report_json(&r, name);
		char **t = &texts[3 * nparts];
		t[0] = rep ? dumps(rep) : NULL;
		json_decref(rep);
		if (r.sb == NULL || vouch_sbom_to_cyclonedx(r.sb, &t[2]) != VOUCH_OK) {
			t[2] = NULL; /* checked below: recheck re-matches this SBOM, so none, no record */
		}
		if (r.vinfo != NULL) {
			have_db = true;
			snprintf(vdigest, sizeof(vdigest), "%s", r.vinfo->digest ? r.vinfo->digest : "");
			snprintf(vnewest, sizeof(vnewest), "%s",
				 r.vinfo->newest_modified ? r.vinfo->newest_modified : "");
			vrecords = (int64_t)r.vinfo->records;
		}
		report_run_free(&r);
		free(blob);
		if (t[0] == NULL || t[2] == NULL) {
			cli_err("%s: the report or the SBOM could not be made (out of memory?): "
				"nothing recorded", cli_text(name, 0));
			rc = EXIT_INTERNAL;
			goto out;
		}
		if (vouch_policy_apply(pol, t[0], strlen(t[0]), now, &vd, &t[1], why, sizeof(why)) !=
		    VOUCH_OK) {
			cli_err("applying the policy to %s: %s", cli_text(name, 0), why);
			rc = EXIT_INTERNAL;
			goto out;
		}
		parts[nparts] = (vouch_lab_part){
			.artefact = name, .report = t[0], .report_len = strlen(t[0]),
			.verdict_json = t[1], .verdict_len = strlen(t[1]), .sbom = t[2],
			.sbom_len = t[2] ? strlen(t[2]) : 0, .verdict = vouch_verdict_str(vd)};
		overall = worst(overall, parts[nparts].verdict);
		nparts++;
	}
	vouch_lab_eval ev = {.kind = "evaluation", .verdict = overall,
			     .policy_name = vouch_policy_name(pol), .policy = ptext,
			     .policy_len = plen, .vulndb_digest = have_db ? vdigest : NULL,
			     .vulndb_records = vrecords, .vulndb_newest = vnewest[0] ? vnewest : NULL,
			     .tool_version = vouch_version(), .now = now, .supersedes = UINT64_MAX,
			     .parts = parts, .nparts = nparts};
	uint64_t idx = 0;
	if (vouch_lab_record(lab, id, &ev, &idx) != VOUCH_OK) {
		cli_err("%s", vouch_lab_errmsg(lab));
		rc = EXIT_INPUT;
		goto out;
	}
	json_object_set_new(out, "delivery", json_string(id));
	json_object_set_new(out, "verdict", json_string(overall));
	json_object_set_new(out, "log_index", json_integer((json_int_t)idx));
	json_object_set_new(out, "vulnerability_database",
			    have_db ? json_string(vdigest) : json_null());
	for (size_t k = 0; k < nparts; k++) {
		json_t *p = json_object();
		json_object_set_new(p, "artefact", json_string(parts[k].artefact));
		json_object_set_new(p, "verdict", json_loads(parts[k].verdict_json, 0, NULL));
		json_array_append_new(outparts, p);
	}
	json_object_set(out, "artefacts", outparts);
	if (o.json) {
		char *s = dumps(out);
		if (s != NULL) {
			print_json(s);
		}
		free(s);
	} else {
		printf("delivery %.12s  %s %s %s\n", id, cli_text(jget(d, "vendor"), 0),
		       cli_text(jget(d, "product"), 1), cli_text(jget(d, "version"), 2));
		for (size_t k = 0; k < nparts; k++) {
			json_t *vj = json_loads(parts[k].verdict_json, 0, NULL);
			json_t *sm = json_object_get(vj, "summary");
			printf("\n%s: %s (%lld findings, %lld vulnerabilities; %lld reasons to reject, "
			       "%lld conditions, %lld waived)\n",
			       cli_text(parts[k].artefact, 0), parts[k].verdict,
			       (long long)json_integer_value(json_object_get(sm, "findings")),
			       (long long)json_integer_value(json_object_get(sm, "vulnerabilities")),
			       (long long)json_integer_value(json_object_get(sm, "reject")),
			       (long long)json_integer_value(json_object_get(sm, "conditions")),
			       (long long)json_integer_value(json_object_get(sm, "waived")));
			print_reasons(vj, parts[k].artefact);
			json_decref(vj);
		}
		printf("\nVERDICT: %s\n", overall);
		printf("signed and logged: attestation #%llu in the lab's log (%s database)\n",
		       (unsigned long long)idx,
		       have_db ? "with the vulnerability" : "WITHOUT a vulnerability");
		printf("next: vouch bundle %.12s -o bundle.json  |  vouch report %.12s --html "
		       "report.html\n", id, id);
	}
	rc = strcmp(overall, "rejected") == 0 ? EXIT_FINDINGS : EXIT_OK;
out:
	for (size_t k = 0; texts != NULL && k < 3 * nparts + 3; k++) {
		free(texts[k]);
	}
	free(texts);
	free(parts);
	free(ptext);
	vouch_policy_free(pol);
	json_decref(d);
	json_decref(out);
	json_decref(outparts);
	vouch_lab_close(lab);
	return rc;
}

/* Re-match one stored part; *changed when its vulnerabilities differ from the report's. */
static int
recheck_part(vouch_lab *lab, vouch_vulndb *db, const vouch_vulndb_info *info, json_t *part,
	     const vouch_policy *pol, int64_t now, char **report_out, char **verdict_out,
	     const char **verdict, bool *changed)
{
	char *rtext = NULL, *stext = NULL, err[256] = "";
	size_t rlen = 0, slen = 0;
	vouch_sbom_doc *doc = NULL;
	vouch_vuln_result *res = NULL;
	json_t *rep = NULL, *va = json_array(), *oldids = json_object();
	int rc = EXIT_INPUT;

	if (jget(part, "sbom")[0] == '\0') {
		cli_err("%s was evaluated without an SBOM: `vouch evaluate` it again",
			cli_text(jget(part, "artefact"), 0));
		goto out;
	}
	if (vouch_lab_get(lab, jget(part, "report"), TEXT_MAX, &rtext, &rlen) != VOUCH_OK ||
	    vouch_lab_get(lab, jget(part, "sbom"), TEXT_MAX, &stext, &slen) != VOUCH_OK) {
		cli_err("%s", vouch_lab_errmsg(lab));
		goto out;
	}
	if (vouch_sbom_read(stext, slen, &doc, err, sizeof(err)) != VOUCH_OK) {
		cli_err("stored SBOM of %s: %s", cli_text(jget(part, "artefact"), 0), err);
		goto out;
	}
	const vouch_sbom *sb = vouch_sbom_doc_sbom(doc);
	if (vouch_vulndb_match(db, sb->components, sb->ncomponents, &res) != VOUCH_OK) {
		cli_err("%s", vouch_vulndb_errmsg(db));
		goto out;
	}
	size_t nm = 0, i;
	vouch_vuln_match *m = vouch_vuln_result_matches(res, &nm);
	rep = json_loads(rtext, 0, NULL);
	json_t *x;
	json_array_foreach(json_object_get(rep, "vulnerabilities"), i, x) {
		char key[512];
		snprintf(key, sizeof(key), "%s|%s", jget(x, "id"), jget(x, "component"));
		json_object_set_new(oldids, key, json_true());
	}
	size_t same = 0;
	for (i = 0; i < nm; i++) {
		json_t *mj = vulns_match_json(&m[i], vulns_comp_of(sb, m[i].component_ref));
		char key[512];
		snprintf(key, sizeof(key), "%s|%s", jget(mj, "id"), jget(mj, "component"));
		same += json_object_get(oldids, key) != NULL;
		json_array_append_new(va, mj);
	}
	*changed = same != json_object_size(oldids) || nm != json_object_size(oldids);
	json_object_set(rep, "vulnerabilities", va);
	json_object_set_new(rep, "database", vulns_coverage_json(info));
	*report_out = dumps(rep);
	vouch_verdict vd;
	if (*report_out == NULL ||
	    vouch_policy_apply(pol, *report_out, strlen(*report_out), now, &vd, verdict_out, err,
			       sizeof(err)) != VOUCH_OK) {
		cli_err("re-applying the policy: %s", err);
		rc = EXIT_INTERNAL;
		goto out;
	}
	*verdict = vouch_verdict_str(vd);
	*changed |= strcmp(*verdict, jget(part, "verdict")) != 0;
	rc = EXIT_OK;
out:
	free(rtext);
	free(stext);
	vouch_sbom_doc_free(doc);
	vouch_vuln_result_free(res);
	json_decref(rep);
	json_decref(va);
	json_decref(oldids);
	return rc;
}

int
cmd_recheck(int argc, char **argv)
{
	static const struct option lo[] = {
		{"lab", required_argument, NULL, 'l'}, {"db", required_argument, NULL, 'D'},
		{"policy", required_argument, NULL, 'p'}, {"now", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'J'},	   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *dir = NULL, *dbopt = NULL, *policy_path = NULL;
	int64_t now = (int64_t)time(NULL);
	bool json = false, worse = false;
	vouch_lab *lab = NULL;
	vouch_vulndb *db = NULL;
	vouch_vuln_result *inforef = NULL;
	const vouch_vulndb_info *info = NULL;
	char *list = NULL;
	json_t *all = NULL, *out = json_array();
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'l': dir = optarg; break;
		case 'D': dbopt = optarg; break;
		case 'p': policy_path = optarg; break;
		case 'n':
			if (vouch_policy_time_parse(optarg, &now) != VOUCH_OK) {
				cli_err("--now wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
				return EXIT_USAGE;
			}
			break;
		case 'J': json = true; break;
		case 'h': help_recheck(stdout); return EXIT_OK;
		default: help_recheck(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		help_recheck(stderr);
		return EXIT_USAGE;
	}
	const char *dbpath = cli_vulndb_path(dbopt);
	if (vouch_vulndb_open(&db, dbpath, false) != VOUCH_OK ||
	    vouch_vulndb_info_get(db, &inforef, &info) != VOUCH_OK) {
		cli_err("%s: %s (give the current database with --db)", dbpath,
			vouch_vulndb_errmsg(db));
		rc = EXIT_INPUT;
		goto out;
	}
	if ((rc = open_lab(lab_dir(dir), false, &lab)) != EXIT_OK) {
		goto out;
	}
	if (vouch_lab_list(lab, &list) != VOUCH_OK) {
		cli_err("%s", vouch_lab_errmsg(lab));
		rc = EXIT_INPUT;
		goto out;
	}
	all = json_loads(list, 0, NULL);
	size_t i;
	json_t *dl;
	json_array_foreach(all, i, dl) {
		const char *status = jget(dl, "status");
		if (strcmp(status, "approved") != 0 && strcmp(status, "approved-with-conditions") != 0) {
			continue;
		}
		char *dtext = NULL, *stored_policy = NULL;
		size_t splen = 0;
		json_t *d = NULL, *last, *o = json_object();
		size_t k;
		if (vouch_lab_delivery(lab, jget(dl, "id"), &dtext) != VOUCH_OK) {
			cli_err("%s", vouch_lab_errmsg(lab));
			json_decref(o);
			rc = EXIT_INPUT;
			goto out;
		}
		d = json_loads(dtext, 0, NULL);
		free(dtext);
		last = json_object_get(d, "current");
		vouch_policy *pol = NULL;
		char *ptext = NULL;
		size_t plen = 0;
		if (!json_is_object(last) ||
		    (policy_path == NULL &&
		     vouch_lab_get(lab, jget(last, "policy"), 16u << 20, &stored_policy, &splen) !=
			     VOUCH_OK) ||
		    load_policy(policy_path, stored_policy, &pol, &ptext, &plen) != EXIT_OK) {
			cli_err("%.12s: its evaluation's policy cannot be read", jget(dl, "id"));
			free(stored_policy);
			json_decref(d);
			json_decref(o);
			rc = EXIT_INPUT;
			goto out;
		}
		free(stored_policy);
		json_t *ps = json_object_get(last, "parts");
		size_t np = json_array_size(ps);
		vouch_lab_part *parts = calloc(np + 1, sizeof(*parts));
		char **t = calloc(3 * np + 3, sizeof(*t)); /* report, verdict, SBOM per part */
		bool changed = false, fail = parts == NULL || t == NULL;
		const char *overall = "approved";
		json_t *p;
		json_array_foreach(ps, k, p) {
			bool ch = false;
			const char *vd = NULL;
			if (fail || recheck_part(lab, db, info, p, pol, now, &t[3 * k], &t[3 * k + 1], &vd,
						 &ch) != EXIT_OK) {
				fail = true;
				break;
			}
			changed |= ch;
			parts[k] = (vouch_lab_part){.artefact = jget(p, "artefact"), .report = t[3 * k],
						    .report_len = strlen(t[3 * k]),
						    .verdict_json = t[3 * k + 1],
						    .verdict_len = strlen(t[3 * k + 1]), .verdict = vd};
			/* the SBOM is unchanged: the new attestation names it for the next re-check */
			if (vouch_lab_get(lab, jget(p, "sbom"), TEXT_MAX, &t[3 * k + 2],
					  &parts[k].sbom_len) == VOUCH_OK) {
				parts[k].sbom = t[3 * k + 2];
			}
			overall = worst(overall, vd);
		}
		json_object_set_new(o, "delivery", json_string(jget(dl, "id")));
		json_object_set_new(o, "was", json_string(status));
		json_object_set_new(o, "now", json_string(fail ? "error" : overall));
		json_object_set_new(o, "changed", json_boolean(changed));
		if (!fail && changed) {
			uint64_t idx = 0;
			vouch_lab_eval ev = {
				.kind = "recheck", .verdict = overall, .policy_name = vouch_policy_name(pol),
				.policy = ptext, .policy_len = plen, .vulndb_digest = info->digest,
				.vulndb_records = (int64_t)info->records,
				.vulndb_newest = info->newest_modified, .tool_version = vouch_version(),
				.now = now,
				.supersedes = (uint64_t)json_integer_value(json_object_get(last, "index")),
				.parts = parts, .nparts = np};
			if (vouch_lab_record(lab, jget(dl, "id"), &ev, &idx) != VOUCH_OK) {
				cli_err("%s", vouch_lab_errmsg(lab));
				fail = true;
			} else {
				json_object_set_new(o, "log_index", json_integer((json_int_t)idx));
			}
		}
		worse |= !fail && strcmp(overall, "rejected") == 0;
		if (!json) {
			printf("%.12s %-24s %-12s %s -> %s%s\n", jget(dl, "id"),
			       cli_text(jget(dl, "product"), 0), cli_text(jget(dl, "version"), 1), status,
			       fail ? "error" : overall,
			       fail ? "" : changed ? "  (changed: new attestation logged)" : "  (unchanged)");
		}
		json_array_append_new(out, o);
		for (k = 0; t != NULL && k < 3 * np; k++) {
			free(t[k]);
		}
		free(t);
		free(parts);
		free(ptext);
		vouch_policy_free(pol);
		json_decref(d);
		if (fail) {
			rc = EXIT_INPUT;
		}
	}
	if (json) {
		char *s = dumps(out);
		if (s != NULL) {
			print_json(s);
		}
		free(s);
	}
	if (rc == EXIT_OK && worse) {
		rc = EXIT_FINDINGS;
	}
out:
	free(list);
	json_decref(all);
	json_decref(out);
	vouch_vuln_result_free(inforef);
	vouch_vulndb_close(db);
	vouch_lab_close(lab);
	return rc;
}

/* ---- vouch revoke / bundle ---------------------------------------------------------- */

void
help_revoke(FILE *out)
{
	fputs("usage: vouch revoke --reason TEXT [--lab DIR] DELIVERY\n\n"
	      "Withdraw the lab's approval of a delivery: a revocation statement (subjects: its\n"
	      "firmware artefacts) signed and appended to the log. Bundles made from then on carry\n"
	      "it, and `vouch verify` refuses the firmware with exit status 15.\n\n"
	      "Exit status: 0 revoked, 2 usage, 3 no such delivery or lab.\n",
	      out);
}

int
cmd_revoke(int argc, char **argv)
{
	static const struct option lo[] = {{"lab", required_argument, NULL, 'l'},
					   {"reason", required_argument, NULL, 'r'},
					   {"now", required_argument, NULL, 'n'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	const char *dir = NULL, *reason = NULL;
	int64_t now = (int64_t)time(NULL);
	vouch_lab *lab = NULL;
	json_t *d = NULL;
	char id[65];
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'l': dir = optarg; break;
		case 'r': reason = optarg; break;
		case 'n':
			if (vouch_policy_time_parse(optarg, &now) != VOUCH_OK) {
				cli_err("--now wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
				return EXIT_USAGE;
			}
			break;
		case 'h': help_revoke(stdout); return EXIT_OK;
		default: help_revoke(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || reason == NULL || reason[0] == '\0') {
		cli_err("one DELIVERY and a --reason, please");
		help_revoke(stderr);
		return EXIT_USAGE;
	}
	if ((rc = open_delivery(lab_dir(dir), argv[optind], &lab, id, &d)) == EXIT_OK) {
		uint64_t idx = 0;
		if (vouch_lab_revoke(lab, id, reason, now, &idx) != VOUCH_OK) {
			cli_err("%s", vouch_lab_errmsg(lab));
			rc = EXIT_INPUT;
		} else {
			printf("delivery %.12s revoked: revocation #%llu in the lab's log\n", id,
			       (unsigned long long)idx);
		}
	}
	json_decref(d);
	vouch_lab_close(lab);
	return rc;
}

void
help_bundle(FILE *out)
{
	fputs("usage: vouch bundle [-o FILE] [--now WHEN] [--lab DIR] DELIVERY\n\n"
	      "The proof bundle an operator receives with the firmware: the delivery's current\n"
	      "verdict attestation and every revocation of it, each a DSSE envelope with a C2SP\n"
	      "tlog-proof (inclusion proof and signed checkpoint) from the lab's log, and the\n"
	      "bundle's index, signed by the lab, listing exactly those attestations and the\n"
	      "checkpoint (so that none can be left out). With the lab's public keys\n"
	      "(`vouch lab pubkey`) it is all `vouch verify` needs, offline.\n\n"
	      "  -o, --output FILE  write the bundle to FILE (default: standard output)\n"
	      "  --now WHEN         the time the index states (default: now)\n\n"
	      "Exit status: 0 ok, 2 usage, 3 no such delivery, never evaluated, or FILE unwritable.\n",
	      out);
}

int
cmd_bundle(int argc, char **argv)
{
	static const struct option lo[] = {{"lab", required_argument, NULL, 'l'},
					   {"output", required_argument, NULL, 'o'},
					   {"now", required_argument, NULL, 'n'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	const char *dir = NULL, *outp = NULL;
	vouch_lab *lab = NULL;
	json_t *d = NULL;
	char id[65], *b = NULL;
	int64_t now = (int64_t)time(NULL);
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'l': dir = optarg; break;
		case 'o': outp = optarg; break;
		case 'n':
			if (vouch_policy_time_parse(optarg, &now) != VOUCH_OK) {
				cli_err("--now wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
				return EXIT_USAGE;
			}
			break;
		case 'h': help_bundle(stdout); return EXIT_OK;
		default: help_bundle(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_err("one DELIVERY, please");
		help_bundle(stderr);
		return EXIT_USAGE;
	}
	if ((rc = open_delivery(lab_dir(dir), argv[optind], &lab, id, &d)) == EXIT_OK) {
		if (vouch_lab_bundle(lab, id, now, &b) != VOUCH_OK) {
			cli_err("%s", vouch_lab_errmsg(lab));
			rc = EXIT_INPUT;
		} else {
			rc = sbom_write_file(outp, b);
			if (rc == EXIT_OK && outp != NULL) {
				fprintf(stderr, "vouch: bundle of %.12s (%s) written to %s\n", id,
					jget(d, "status"), outp);
			}
		}
	}
	free(b);
	json_decref(d);
	vouch_lab_close(lab);
	return rc;
}

/* ---- vouch verify ------------------------------------------------------------------- */

void
help_verify(FILE *out)
{
	fputs("usage: vouch verify --bundle BUNDLE --key KEYS [--max-age DAYS] [--json] FILE\n\n"
	      "At the operator, offline: is FILE exactly a firmware the lab approved? Hash FILE;\n"
	      "check that the bundle's checkpoint is signed by the lab's log key, that every\n"
	      "attestation in it is in the log under that one checkpoint and signed by the lab's\n"
	      "attestation key, that the lab's signed index lists exactly these attestations,\n"
	      "that FILE's SHA-256 is a subject of the verdict, that the verdict is approved (or\n"
	      "approved with conditions) and that no revocation names it.\n"
	      "KEYS is the lab's public key file (`vouch lab pubkey`, two lines).\n\n"
	      "  --max-age DAYS  fail (18) when the lab made the bundle more than DAYS days ago:\n"
	      "                  a bundle cannot know of a revocation logged after it was made\n"
	      "  --now WHEN      the time to measure the age from (default: now)\n"
	      "  --json          the answer as JSON\n\n"
	      "Exit status (one per answer):\n"
	      "   0  pass: approved, unrevoked, logged\n"
	      "  10  FILE is not a firmware artefact the lab evaluated (wrong or altered file)\n"
	      "  11  an attestation is not signed by the lab's attestation key\n"
	      "  12  an attestation is not in the lab's log under the checkpoint\n"
	      "  13  the checkpoint is not signed by the lab's log key\n"
	      "  14  the lab's verdict is rejected\n"
	      "  15  the lab revoked its approval\n"
	      "  16  the bundle or the key file is malformed\n"
	      "  17  the bundle's attestations are not those its signed index lists\n"
	      "  18  the bundle is older than --max-age\n"
	      "   2  usage; 3 FILE, BUNDLE or KEYS cannot be read\n",
	      out);
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option lo[] = {{"bundle", required_argument, NULL, 'b'},
					   {"key", required_argument, NULL, 'k'},
					   {"json", no_argument, NULL, 'J'},
					   {"max-age", required_argument, NULL, 'A'},
					   {"now", required_argument, NULL, 'n'},
					   {"help", no_argument, NULL, 'h'},
					   {NULL, 0, NULL, 0}};
	const char *bpath = NULL, *kpath = NULL;
	bool json = false;
	int64_t now = (int64_t)time(NULL), made = 0;
	uint64_t max_age = 0;
	char *btext = NULL, *ktext = NULL;
	size_t blen = 0, klen = 0;
	vouch_tlog_hash fd;
	vouch_bundle_result res;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'b': bpath = optarg; break;
		case 'k': kpath = optarg; break;
		case 'J': json = true; break;
		case 'A':
			if (cli_parse_u64(optarg, &max_age) != 0 || max_age == 0 || max_age > 36500) {
				cli_err("--max-age wants a number of days, 1 to 36500");
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (vouch_policy_time_parse(optarg, &now) != VOUCH_OK) {
				cli_err("--now wants YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
				return EXIT_USAGE;
			}
			break;
		case 'h': help_verify(stdout); return EXIT_OK;
		default: help_verify(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1 || bpath == NULL || kpath == NULL) {
		cli_err("wanted: vouch verify --bundle BUNDLE --key KEYS FILE");
		help_verify(stderr);
		return EXIT_USAGE;
	}
	const char *file = argv[optind];
	if (vouch_tlog_digest_file(file, fd) != VOUCH_OK) {
		cli_err("%s: %s", file, strerror(errno));
		return EXIT_INPUT;
	}
	if ((rc = read_text(bpath, BUNDLE_MAX, &btext, &blen)) != EXIT_OK ||
	    (rc = read_text(kpath, KEY_MAX, &ktext, &klen)) != EXIT_OK) {
		goto out;
	}
	if (vouch_bundle_verify(fd, btext, blen, ktext, klen, &res) != VOUCH_OK) {
		cli_err("out of memory");
		rc = EXIT_INTERNAL;
		goto out;
	}
	static const int codes[] = {
		[VOUCH_BUNDLE_PASS] = EXIT_OK,
		[VOUCH_BUNDLE_NOT_SUBJECT] = EXIT_V_NOT_SUBJECT,
		[VOUCH_BUNDLE_SIGNATURE] = EXIT_V_SIGNATURE,
		[VOUCH_BUNDLE_INCLUSION] = EXIT_V_INCLUSION,
		[VOUCH_BUNDLE_CHECKPOINT] = EXIT_V_CHECKPOINT,
		[VOUCH_BUNDLE_NOT_APPROVED] = EXIT_V_NOT_APPROVED,
		[VOUCH_BUNDLE_REVOKED] = EXIT_V_REVOKED,
		[VOUCH_BUNDLE_MALFORMED] = EXIT_V_MALFORMED,
		[VOUCH_BUNDLE_INCOMPLETE] = EXIT_V_INCOMPLETE,
	};
	rc = codes[res.check];
	/* the age is the operator's rule, not the bundle's: only a bundle that passed has one
	 * worth measuring (its index is signed and checked) */
	bool stale = false;
	if (res.check == VOUCH_BUNDLE_PASS && max_age > 0) {
		if (vouch_policy_time_parse(res.created, &made) != VOUCH_OK ||
		    now - made > (int64_t)max_age * 86400) {
			stale = true;
			rc = EXIT_V_STALE;
		}
	}
	if (json) {
		json_t *o = json_object();
		char hex[65];
		static const char hx[] = "0123456789abcdef";
		for (int i = 0; i < 32; i++) {
			hex[2 * i] = hx[fd[i] >> 4];
			hex[2 * i + 1] = hx[fd[i] & 15];
		}
		hex[64] = '\0';
		json_object_set_new(o, "file", cli_jstr(file));
		json_object_set_new(o, "sha256", json_string(hex));
		json_object_set_new(o, "result", json_string(stale ? "stale"
								    : vouch_bundle_check_str(res.check)));
		json_object_set_new(o, "pass", json_boolean(rc == EXIT_OK));
		json_object_set_new(o, "bundle_created", res.created[0] ? cli_jstr(res.created)
									: json_null());
		json_object_set_new(o, "reason", cli_jstr(res.reason));
		json_object_set_new(o, "verdict", res.verdict[0] ? json_string(res.verdict) : json_null());
		json_object_set_new(o, "delivery", res.delivery[0] ? json_string(res.delivery) : json_null());
		json_object_set_new(o, "artefact", res.subject[0] ? cli_jstr(res.subject) : json_null());
		json_object_set_new(o, "log_index", res.index != UINT64_MAX
							    ? json_integer((json_int_t)res.index)
							    : json_null());
		json_object_set_new(o, "exit", json_integer(rc));
		char *s = dumps(o);
		if (s != NULL) {
			print_json(s);
		}
		free(s);
		json_decref(o);
	} else if (stale) {
		char nows[32] = "";
		struct tm tm;
		time_t nt = (time_t)now;
		if (gmtime_r(&nt, &tm) != NULL) {
			strftime(nows, sizeof(nows), "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		printf("FAIL (stale): the bundle was made %s, more than %llu days before %s; the lab "
		       "may have revoked its approval since: ask it for a fresh bundle\n",
		       cli_esc(res.created, 0), (unsigned long long)max_age, nows);
	} else if (res.check == VOUCH_BUNDLE_PASS) {
		printf("PASS: %s; bundle made %s\n", cli_esc(res.reason, 0),
		       cli_esc(res.created, 1));
	} else {
		printf("FAIL (%s): %s\n", vouch_bundle_check_str(res.check), cli_esc(res.reason, 0));
	}
out:
	free(btext);
	free(ktext);
	return rc;
}
