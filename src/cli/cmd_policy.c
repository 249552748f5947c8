/*
 * cli/cmd_policy.c: `vouch policy check|show-default|apply`, the policy engine on its own
 * (include/vouch/policy.h, format in docs/policy.md).
 *
 * Thin: read the files whole (bounded by the library's own limits, so an oversized file is
 * refused before it is read), call the library, print. `check` prints a summary of the
 * normalised policy (every default made explicit; --json prints that JSON); `apply` prints
 * the verdict, one line per reason and per waiver (--json: the verdict document itself).
 * Strings from the report came from firmware: they are escaped before they reach the
 * terminal. Exit statuses: 0 approved or approved-with-conditions (and a valid policy),
 * 8 rejected, 2 usage or an invalid policy, 3 a file that cannot be read or a report that
 * is not a vouch report, 5 a file over its size limit. Rejected: a distinct exit status for
 * approved-with-conditions (a delivery pipeline must read the verdict's conditions anyway;
 * 0 keeps `set -e` scripts simple, and --json says which).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "vouch/policy.h"

void
help_policy(FILE *out)
{
	fputs("usage: vouch policy check FILE [--json]\n"
	      "       vouch policy show-default\n"
	      "       vouch policy apply [--policy FILE] REPORT.json [--now DATE] [--json]\n"
	      "\n"
	      "The lab's policy: a declarative file (JSON, or YAML) of severity and CVSS\n"
	      "thresholds, forbidden and conditional finding kinds, allowed endpoints and\n"
	      "jurisdictions, required hardening, and waivers (each with an author, a\n"
	      "justification and an expiry date). Its format is docs/policy.md.\n"
	      "\n"
	      "  check FILE      validate the policy strictly (unknown keys, wrong types, bad\n"
	      "                  dates or CIDRs are errors naming the key) and print a summary\n"
	      "                  of it; --json prints it normalised, every default explicit\n"
	      "  show-default    print the built-in lab policy (a starting point to edit)\n"
	      "  apply REPORT    apply the policy to REPORT, the JSON of 'vouch scan --json\n"
	      "                  --db DB IMAGE', and print the verdict: approved,\n"
	      "                  approved-with-conditions or rejected, then one line per reason\n"
	      "                  (the rule, the finding's path and offset or the CVE), then the\n"
	      "                  waivers with their status (applied, expired, unused)\n"
	      "\n"
	      "  --policy FILE   the policy to apply (default: the built-in one); '-' is stdin\n"
	      "  --now DATE      judge as at DATE, YYYY-MM-DD (midnight UTC) or\n"
	      "                  YYYY-MM-DDTHH:MM:SSZ, instead of now: a waiver is valid up to\n"
	      "                  the end of its expiry day (UTC)\n"
	      "  --json          the verdict (apply) or the normalised policy (check) as JSON\n"
	      "\n"
	      "Exit status: 0 approved or approved-with-conditions (check: the policy is valid);\n"
	      "8 rejected; 2 usage or an invalid policy; 3 a file cannot be read or the report is\n"
	      "not a vouch report; 5 a file is larger than its limit.\n",
	      out);
}

/* Read FILE ('-': stdin) whole, at most max bytes. */
static int
read_all(const char *path, size_t max, const char *what, char **out, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int ex = EXIT_OK;

	if (f == NULL) {
		cli_err("cannot open %s %s: %s", what, cli_esc(path, 0), strerror(errno));
		return EXIT_INPUT;
	}
	for (;;) {
		if (n == cap) {
			size_t nc = cap == 0 ? 65536 : cap * 2;
			char *nb;
			if (cap > max) {
				cli_err("%s %s is larger than %zu bytes", what, cli_esc(path, 0), max);
				ex = EXIT_LIMIT;
				goto out;
			}
			nb = realloc(buf, nc + 1);
			if (nb == NULL) {
				cli_err("out of memory reading %s", cli_esc(path, 0));
				ex = EXIT_INTERNAL;
				goto out;
			}
			buf = nb;
			cap = nc;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0) {
			break;
		}
	}
	if (ferror(f)) {
		cli_err("cannot read %s %s", what, cli_esc(path, 0));
		ex = EXIT_INPUT;
		goto out;
	}
	if (n > max) {
		cli_err("%s %s is larger than %zu bytes", what, cli_esc(path, 0), max);
		ex = EXIT_LIMIT;
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	if (f != stdin) {
		fclose(f);
	}
	return ex;
}

/* Load the policy at path (NULL: the built-in one). */
static int
load_policy(const char *path, vouch_policy **out)
{
	char why[512], *text = NULL;
	const char *t;
	size_t len;
	int ex, rc;

	if (path == NULL) {
		t = vouch_policy_default_text(&len);
	} else {
		if ((ex = read_all(path, VOUCH_POLICY_MAX_BYTES, "policy", &text, &len)) != EXIT_OK) {
			return ex;
		}
		t = text;
	}
	rc = vouch_policy_load(t, len, out, why, sizeof(why));
	free(text);
	if (rc != VOUCH_OK) {
		cli_err("policy %s is not valid: %s", path != NULL ? cli_esc(path, 0) : "(built-in)",
			cli_esc(why, 1));
		return rc == VOUCH_E_LIMIT ? EXIT_LIMIT : rc == VOUCH_E_NOMEM ? EXIT_INTERNAL
									   : EXIT_USAGE;
	}
	return EXIT_OK;
}

static void
print_list(const char *label, json_t *a)
{
	size_t i;
	json_t *v;

	printf("%s", label);
	if (json_array_size(a) == 0) {
		printf("(none)");
	}
	json_array_foreach(a, i, v) {
		printf("%s%s", i ? ", " : "", cli_text(json_string_value(v), 0));
	}
}

static const char *
sev_or_off(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "off";
}

static void
print_policy(json_t *p, int64_t now)
{
	json_t *o, *v;
	size_t i;

	printf("policy %s: valid (policy_version %lld)\n",
	       cli_text(json_string_value(json_object_get(p, "name")), 0),
	       (long long)json_integer_value(json_object_get(p, "policy_version")));
	if (json_is_string(json_object_get(p, "description"))) {
		printf("  %s\n", cli_text(json_string_value(json_object_get(p, "description")), 0));
	}
	o = json_object_get(p, "findings");
	printf("  findings: reject at %s and above, condition at %s and above",
	       sev_or_off(json_object_get(o, "reject_at")),
	       sev_or_off(json_object_get(o, "condition_at")));
	print_list("; exempt: ", json_object_get(o, "exempt"));
	printf("\n");
	for (int k = 0; k < 2; k++) {
		o = json_object_get(p, k == 0 ? "forbid" : "conditional");
		printf("  %s kinds (%s, %s and above): ", k == 0 ? "forbidden" : "conditional",
		       k == 0 ? "reject" : "condition",
		       json_string_value(json_object_get(o, "min_severity")));
		print_list("", json_object_get(o, "finding_kinds"));
		printf("\n");
	}
	o = json_object_get(p, "vulnerabilities");
	printf("  vulnerabilities: reject at CVSS ");
	v = json_object_get(o, "reject_cvss");
	json_is_number(v) ? printf("%.1f", json_number_value(v)) : printf("off");
	printf(" or severity %s; condition at CVSS ", sev_or_off(json_object_get(o, "reject_severity")));
	v = json_object_get(o, "condition_cvss");
	json_is_number(v) ? printf("%.1f", json_number_value(v)) : printf("off");
	printf(" or severity %s; unscored: %s (VEX not_affected/fixed never count)\n",
	       sev_or_off(json_object_get(o, "condition_severity")),
	       json_string_value(json_object_get(o, "unscored")));
	o = json_object_get(p, "endpoints");
	if (json_is_object(o)) {
		print_list("  endpoints: scopes ", json_object_get(o, "scopes"));
		printf(" not allowed -> %s%s\n", json_string_value(json_object_get(o, "action")),
		       json_is_true(json_object_get(o, "include_comments")) ? " (comments too)" : "");
		print_list("    allowed networks: ", json_object_get(o, "allow_cidrs"));
		print_list("\n    allowed hosts: ", json_object_get(o, "allow_hosts"));
		print_list("\n    allowed URL prefixes: ", json_object_get(o, "allow_urls"));
		printf("\n");
	} else {
		printf("  endpoints: no rule\n");
	}
	o = json_object_get(p, "jurisdictions");
	if (json_is_object(o)) {
		print_list("  jurisdictions: allow ", json_object_get(o, "allow"));
		print_list("; deny ", json_object_get(o, "deny"));
		printf(" -> %s; unknown country -> %s\n",
		       json_string_value(json_object_get(o, "action")),
		       json_string_value(json_object_get(o, "unknown")));
	} else {
		printf("  jurisdictions: no rule\n");
	}
	json_array_foreach(json_object_get(p, "hardening"), i, o) {
		printf("  hardening[%zu]: ", i);
		print_list("require ", json_object_get(o, "require"));
		print_list(" in ", json_object_get(o, "kinds"));
		if (json_array_size(json_object_get(o, "paths")) > 0) {
			print_list(" under ", json_object_get(o, "paths"));
		}
		printf(" -> %s\n", json_string_value(json_object_get(o, "action")));
	}
	printf("  waivers: %zu\n", json_array_size(json_object_get(p, "waivers")));
	json_array_foreach(json_object_get(p, "waivers"), i, o) {
		const char *exp = json_string_value(json_object_get(o, "expires"));
		int64_t t = 0;
		bool expired = vouch_policy_time_parse(exp, &t) == VOUCH_OK && now >= t + 86400;
		json_t *m = json_object_get(o, "finding");
		printf("    %s by %s, expires %s%s: ", cli_text(json_string_value(json_object_get(o, "id")), 0),
		       cli_text(json_string_value(json_object_get(o, "author")), 1), exp,
		       expired ? " (EXPIRED)" : "");
		if (m != NULL) {
			printf("finding %s", cli_text(json_string_value(json_object_get(m, "id")), 0));
			if (json_is_string(json_object_get(m, "path"))) {
				printf(" at %s", cli_text(json_string_value(json_object_get(m, "path")), 0));
			}
			if (json_is_string(json_object_get(m, "evidence"))) {
				printf(" with \"%s\"",
				       cli_text(json_string_value(json_object_get(m, "evidence")), 0));
			}
		} else {
			m = json_object_get(o, "vulnerability");
			printf("vulnerability %s", cli_text(json_string_value(json_object_get(m, "id")), 0));
			if (json_is_string(json_object_get(m, "component"))) {
				printf(" in %s", cli_text(json_string_value(json_object_get(m, "component")), 0));
			}
		}
		printf("\n      %s\n", cli_text(json_string_value(json_object_get(o, "justification")), 0));
	}
}

static int
do_check(const char *path, bool json)
{
	vouch_policy *p = NULL;
	char *norm = NULL;
	json_t *doc = NULL;
	int ex;

	if ((ex = load_policy(path, &p)) != EXIT_OK) {
		return ex;
	}
	if (vouch_policy_normalized(p, &norm) != VOUCH_OK) {
		cli_err("out of memory");
		ex = EXIT_INTERNAL;
		goto out;
	}
	if (json) {
		printf("%s\n", norm);
		goto out;
	}
	doc = json_loads(norm, 0, NULL);
	if (doc == NULL) {
		cli_err("internal error: the normalised policy is not JSON");
		ex = EXIT_INTERNAL;
		goto out;
	}
	print_policy(doc, (int64_t)time(NULL));
out:
	json_decref(doc);
	free(norm);
	vouch_policy_free(p);
	return ex;
}

/* One finding or vulnerability of a reason or waiver, on one line. */
static void
print_ref(json_t *r)
{
	json_t *f = json_object_get(r, "finding"), *v;

	if (f != NULL) {
		printf("%s at %s", cli_text(json_string_value(json_object_get(f, "id")), 0),
		       cli_text(json_string_value(json_object_get(f, "path")), 1));
		v = json_object_get(f, "offset");
		if (json_is_integer(v)) {
			printf("+0x%llx", (unsigned long long)json_integer_value(v));
		}
		return;
	}
	f = json_object_get(r, "vulnerability");
	printf("%s in %s %s", cli_text(json_string_value(json_object_get(f, "id")), 0),
	       cli_text(json_string_value(json_object_get(f, "component")), 1),
	       cli_text(json_string_value(json_object_get(f, "version")), 2));
	v = json_object_get(f, "cvss");
	if (json_is_number(v)) {
		printf(" (CVSS %.1f)", json_number_value(v));
	}
}

static void
print_verdict(json_t *d)
{
	json_t *o, *c, *s = json_object_get(d, "summary");
	size_t i, j;

	printf("%s  (policy %s, evaluated at %s)\n",
	       json_string_value(json_object_get(d, "verdict")),
	       cli_text(json_string_value(json_object_get(json_object_get(d, "policy"), "name")), 0),
	       json_string_value(json_object_get(d, "evaluated_at")));
	json_array_foreach(json_object_get(d, "reasons"), i, o) {
		printf("  %-9s %s: ", json_string_value(json_object_get(o, "outcome")),
		       json_string_value(json_object_get(o, "rule")));
		print_ref(o);
		printf(": %s\n", cli_text(json_string_value(json_object_get(o, "text")), 0));
	}
	if (json_array_size(json_object_get(d, "waivers")) > 0) {
		printf("waivers:\n");
	}
	json_array_foreach(json_object_get(d, "waivers"), i, o) {
		json_t *cov = json_object_get(o, "covers");
		printf("  %-7s %s by %s, expires %s, %zu covered: %s\n",
		       json_string_value(json_object_get(o, "status")),
		       cli_text(json_string_value(json_object_get(o, "id")), 0),
		       cli_text(json_string_value(json_object_get(o, "author")), 1),
		       json_string_value(json_object_get(o, "expires")), json_array_size(cov),
		       cli_text(json_string_value(json_object_get(o, "justification")), 2));
		json_array_foreach(cov, j, c) {
			printf("          ");
			print_ref(c);
			printf("\n");
		}
	}
	printf("summary: %lld findings, %lld vulnerabilities; %lld reject, %lld conditions, "
	       "%lld waived\n",
	       (long long)json_integer_value(json_object_get(s, "findings")),
	       (long long)json_integer_value(json_object_get(s, "vulnerabilities")),
	       (long long)json_integer_value(json_object_get(s, "reject")),
	       (long long)json_integer_value(json_object_get(s, "conditions")),
	       (long long)json_integer_value(json_object_get(s, "waived")));
}

static int
do_apply(const char *policy, const char *report, const char *now_s, bool json)
{
	vouch_policy *p = NULL;
	vouch_verdict v;
	char *text = NULL, *out = NULL, why[512];
	json_t *doc = NULL;
	int64_t now = (int64_t)time(NULL);
	size_t len;
	int ex, rc;

	if (now_s != NULL && vouch_policy_time_parse(now_s, &now) != VOUCH_OK) {
		cli_err("policy apply: --now '%s' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ",
			cli_esc(now_s, 0));
		return EXIT_USAGE;
	}
	if ((ex = load_policy(policy, &p)) != EXIT_OK) {
		return ex;
	}
	if ((ex = read_all(report, VOUCH_POLICY_REPORT_MAX_BYTES, "report", &text, &len)) !=
	    EXIT_OK) {
		goto out;
	}
	rc = vouch_policy_apply(p, text, len, now, &v, &out, why, sizeof(why));
	if (rc != VOUCH_OK) {
		cli_err("%s: %s", cli_esc(report, 0), cli_esc(why, 1));
		ex = rc == VOUCH_E_MALFORMED ? EXIT_INPUT : rc == VOUCH_E_LIMIT ? EXIT_LIMIT
										: EXIT_INTERNAL;
		goto out;
	}
	if (json) {
		fputs(out, stdout);
	} else {
		doc = json_loads(out, 0, NULL);
		if (doc == NULL) {
			cli_err("internal error: the verdict is not JSON");
			ex = EXIT_INTERNAL;
			goto out;
		}
		print_verdict(doc);
	}
	if (fflush(stdout) != 0) {
		cli_err("cannot write the verdict: %s", strerror(errno));
		ex = EXIT_INPUT;
		goto out;
	}
	ex = v == VOUCH_VERDICT_REJECTED ? EXIT_FINDINGS : EXIT_OK;
out:
	json_decref(doc);
	free(out);
	free(text);
	vouch_policy_free(p);
	return ex;
}

int
cmd_policy(int argc, char **argv)
{
	static const struct option opts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"now", required_argument, NULL, 'n'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	const char *policy = NULL, *now = NULL, *sub;
	bool json = false;
	int c;

	if (argc < 2) {
		help_policy(stderr);
		return EXIT_USAGE;
	}
	sub = argv[1];
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': policy = optarg; break;
		case 'n': now = optarg; break;
		case 'j': json = true; break;
		default:
			cli_err("policy %s: unknown option or missing argument (see 'vouch policy "
				"--help')",
				cli_esc(sub, 0));
			return EXIT_USAGE;
		}
	}
	argc -= 1 + optind;
	argv += 1 + optind;
	if (strcmp(sub, "check") == 0) {
		if (argc != 1 || policy != NULL || now != NULL) {
			cli_err("usage: vouch policy check FILE [--json]");
			return EXIT_USAGE;
		}
		return do_check(argv[0], json);
	}
	if (strcmp(sub, "show-default") == 0) {
		if (argc != 0 || policy != NULL || now != NULL || json) {
			cli_err("usage: vouch policy show-default (it prints JSON)");
			return EXIT_USAGE;
		}
		fputs(vouch_policy_default_text(NULL), stdout);
		return fflush(stdout) == 0 ? EXIT_OK : EXIT_INPUT;
	}
	if (strcmp(sub, "apply") == 0) {
		if (argc != 1) {
			cli_err("usage: vouch policy apply [--policy FILE] REPORT.json [--now DATE] "
				"[--json]");
			return EXIT_USAGE;
		}
		return do_apply(policy, argv[0], now, json);
	}
	cli_err("policy: no subcommand '%s' (check, show-default, apply)", cli_esc(sub, 0));
	return EXIT_USAGE;
}
