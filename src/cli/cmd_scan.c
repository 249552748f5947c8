/*
 * cli/cmd_scan.c: `vouch scan IMAGE`: every indicator analyser over every file of an image,
 * in the unpacker's one pass, with the components identified on the way.
 *
 * One scan (report.c, shared with `vouch evaluate`); its visitor is a chain of the analysis
 * (findings.h), the component identifier (sbom.h) and the image's entropy profile, so the
 * bytes are read once for all. Then the report:
 *   - on a terminal (the default): counts per category and severity, then every high and
 *     critical finding with its file, offset and evidence;
 *   - --json: the inventory (counts and the file list, as `vouch inventory --json` gives
 *     them), the components, and every finding;
 *   - --sarif FILE: SARIF 2.1.0 for code-scanning tools: one rule per finding id, one result
 *     per finding, located by the nested path (a relative URI, percent-encoded) and the
 *     byte offset.
 * Evidence is escaped and secrets masked by the library (unless --reveal). The exit status
 * says first whether a finding reached --fail-on (8), then how the scan itself went.
 */
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "sbom_run.h"
#include "vouch/vuln.h"
#include "vouch/findings.h"
#include "vouch/sbom.h"
#include "vouch/vouch.h"

#define NSEV 5

void
help_scan(FILE *out)
{
	fputs("usage: vouch scan [options] IMAGE\n\n"
	      "Unpack IMAGE in memory and look at every file for backdoor indicators: egress\n"
	      "endpoints (URLs, IP addresses, host names, cleartext protocols, SNMP communities),\n"
	      "secrets (passwords, tokens, API keys), binary hardening, and your own YARA rules;\n"
	      "identify the components on the way. Every finding has a rule id, a severity, the\n"
	      "file's nested path, an offset and an evidence excerpt (secrets masked).\n\n"
	      "  --json             the whole report as JSON: inventory, components, findings\n"
	      "  --sarif FILE       also write the findings as SARIF 2.1.0 to FILE\n"
	      "  --yara RULES       run the YARA rules in RULES over every file held in memory\n"
	      "  --geoip DB         MaxMind DB (GeoLite2-Country format): the country of every\n"
	      "                     public address is reported as country=XX\n"
	      "  --reveal           show secrets, communities and cracked passwords unmasked\n"
	      "  --db FILE          the vulnerability database for the components found\n"
	      "                     (default: $VOUCH_VULNDB, else ./vouch-vulndb.sqlite when it\n"
	      "                     exists; without one, vulnerabilities are not matched)\n"
	      "  --key-registry DIR remember the private keys of every image scanned with this\n"
	      "                     DIR (DIR/keys.tsv) and flag a key seen in another image\n"
	      "                     (key.shared-private-key: every unit shares it)\n"
	      "  --max-buffer N     hold files up to N bytes for the analysers and YARA\n"
	      "                     (default 16M; larger files are scanned for patterns only)\n"
	      "  --fail-on SEV      exit 8 when a finding is at least SEV: info, low, medium,\n"
	      "                     high (default), critical, or never\n"
	      "  -j, --threads N    worker threads (default: number of CPUs)\n"
	      "  -L, --limit N=V    change a safety limit (see `vouch limits`)\n"
	      "  -q, --quiet        no progress bar, no summary on stderr\n"
	      "  -h, --help         this help\n\n"
	      "Exit status: 0 ok, 1 internal error, 2 usage, 3 unreadable image, rules or\n"
	      "database, or unwritable output, 4 the image was partly corrupt (what could be read\n"
	      "was analysed), 5 a limit cut the scan short, 8 a finding at or above --fail-on\n"
	      "(8 wins over 4 and 5).\n",
	      out);
}

static const char *
sarif_level(vouch_severity s)
{
	return s >= VOUCH_SEV_HIGH ? "error" : (s == VOUCH_SEV_MEDIUM ? "warning" : "note");
}

/* GitHub's convention for security results: a CVSS-like number as a string. */
static const char *
security_severity(vouch_severity s)
{
	static const char *const v[NSEV] = {"0.0", "3.0", "5.5", "8.0", "9.5"};
	return v[s < NSEV ? s : 0];
}

/* A nested path as a relative URI reference: unreserved bytes and '/' kept, the rest
 * percent-encoded (RFC 3986), so every byte a firmware name holds survives. */
static char *
path_uri(const char *p)
{
	size_t n = strlen(p), k = 0;
	char *u = malloc(n * 3 + 1);
	static const char hex[] = "0123456789ABCDEF";

	if (u == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || (c == '/' && i > 0)) {
			u[k++] = (char)c;
		} else {
			u[k++] = '%';
			u[k++] = hex[c >> 4];
			u[k++] = hex[c & 15];
		}
	}
	u[k] = 0;
	return u;
}

static char *
sarif_doc(const char *image, const vouch_finding *fs, size_t n)
{
	json_t *root = json_object(), *run = json_object(), *tool = json_object(),
	       *drv = json_object(), *rules = json_array(), *results = json_array();
	json_t *ids = json_object(); /* rule id -> index */
	char *text;

	json_object_set_new(root, "$schema",
			    json_string("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/"
					"os/schemas/sarif-schema-2.1.0.json"));
	json_object_set_new(root, "version", json_string("2.1.0"));
	json_object_set_new(drv, "name", json_string("vouch"));
	json_object_set_new(drv, "version", json_string(vouch_version()));
	json_object_set_new(drv, "semanticVersion", json_string(vouch_version()));
	for (size_t i = 0; i < n; i++) {
		const vouch_finding *f = &fs[i];
		json_t *idx = json_object_get(ids, f->id);
		if (idx == NULL) {
			json_t *r = json_object(), *sd = json_object(), *dc = json_object(),
			       *pr = json_object();
			json_object_set_new(r, "id", json_string(f->id));
			json_object_set_new(sd, "text", cli_jstr(f->title));
			json_object_set_new(r, "shortDescription", sd);
			json_object_set_new(dc, "level", json_string(sarif_level(f->severity)));
			json_object_set_new(r, "defaultConfiguration", dc);
			json_object_set_new(pr, "category", json_string(f->category));
			json_object_set_new(pr, "security-severity",
					    json_string(security_severity(f->severity)));
			json_object_set_new(r, "properties", pr);
			idx = json_integer((json_int_t)json_array_size(rules));
			json_object_set_new(ids, f->id, idx);
			json_array_append_new(rules, r);
		}
		json_t *res = json_object(), *msg = json_object(), *locs = json_array();
		json_object_set_new(res, "ruleId", json_string(f->id));
		json_object_set_new(res, "ruleIndex", json_integer(json_integer_value(idx)));
		json_object_set_new(res, "level", json_string(sarif_level(f->severity)));
		json_object_set_new(msg, "text", cli_jstr(f->title));
		json_object_set_new(res, "message", msg);
		char *uri = f->path[0] ? path_uri(f->path) : NULL;
		if (uri != NULL) {
			json_t *loc = json_object(), *pl = json_object(), *al = json_object();
			json_object_set_new(al, "uri", json_string(uri));
			json_object_set_new(pl, "artifactLocation", al);
			if (f->offset != UINT64_MAX) {
				json_t *rg = json_object();
				json_object_set_new(rg, "byteOffset", json_integer((json_int_t)f->offset));
				if (f->evidence != NULL) {
					json_t *sn = json_object();
					json_object_set_new(sn, "text", json_string(f->evidence));
					json_object_set_new(rg, "snippet", sn);
				}
				json_object_set_new(pl, "region", rg);
			}
			json_object_set_new(loc, "physicalLocation", pl);
			json_array_append_new(locs, loc);
			free(uri);
		}
		json_object_set_new(res, "locations", locs);
		json_t *props = json_object();
		json_object_set_new(props, "severity", json_string(vouch_severity_str(f->severity)));
		json_object_set_new(props, "category", json_string(f->category));
		if (f->detail != NULL) {
			json_object_set_new(props, "detail", cli_jstr(f->detail));
		}
		if (f->evidence != NULL) {
			json_object_set_new(props, "evidence", json_string(f->evidence));
		}
		json_object_set_new(res, "properties", props);
		json_array_append_new(results, res);
	}
	json_object_set_new(drv, "rules", rules);
	json_object_set_new(tool, "driver", drv);
	json_object_set_new(run, "tool", tool);
	json_t *props = json_object();
	json_object_set_new(props, "image", cli_jstr(image));
	json_object_set_new(run, "properties", props);
	json_object_set_new(run, "results", results);
	json_t *runs = json_array();
	json_array_append_new(runs, run);
	json_object_set_new(root, "runs", runs);
	text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
	json_decref(root);
	json_decref(ids);
	return text;
}

typedef struct tally {
	const char *category;
	size_t n[NSEV];
} tally;

static void
print_table(FILE *out, const vouch_finding *fs, size_t n, const vouch_report *rep,
	    const vouch_sbom *sb)
{
	tally t[32];
	size_t nt = 0, high = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < nt && strcmp(t[k].category, fs[i].category) != 0; k++) {
		}
		if (k == nt) {
			if (nt == sizeof(t) / sizeof(t[0])) {
				continue;
			}
			memset(&t[nt], 0, sizeof(t[nt]));
			t[nt++].category = fs[i].category;
		}
		t[k].n[fs[i].severity < NSEV ? fs[i].severity : 0]++;
	}
	fprintf(out, "%zu files, %zu components, %zu findings\n\n", rep->nfiles,
		sb ? sb->ncomponents : 0, n);
	fprintf(out, "%-12s %8s %8s %8s %8s %8s\n", "CATEGORY", "CRITICAL", "HIGH", "MEDIUM",
		"LOW", "INFO");
	for (size_t k = 0; k < nt; k++) {
		fprintf(out, "%-12s %8zu %8zu %8zu %8zu %8zu\n", t[k].category, t[k].n[4],
			t[k].n[3], t[k].n[2], t[k].n[1], t[k].n[0]);
		high += t[k].n[4] + t[k].n[3];
	}
	if (high == 0) {
		fputs("\nno high or critical findings\n", out);
		return;
	}
	fputs("\nhigh and critical findings:\n", out);
	for (size_t i = 0; i < n; i++) {
		const vouch_finding *f = &fs[i];
		if (f->severity < VOUCH_SEV_HIGH) {
			continue;
		}
		char off[32] = "";
		if (f->offset != UINT64_MAX) {
			snprintf(off, sizeof(off), "@0x%llx", (unsigned long long)f->offset);
		}
		fprintf(out, "%-8s %s  %s%s\n", vouch_severity_str(f->severity), f->id,
			cli_esc(f->path, 0), off);
		fprintf(out, "         %s\n", cli_esc(f->title, 1));
		if (f->evidence != NULL) {
			fprintf(out, "         | %s\n", f->evidence);
		}
	}
}

static int
parse_sev(const char *s, int *out)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};
	if (strcmp(s, "never") == 0) {
		*out = NSEV;
		return 0;
	}
	for (int i = 0; i < NSEV; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

int
cmd_scan(int argc, char **argv)
{
	static const struct option lo[] = {
		{"json", no_argument, NULL, 'J'},        {"sarif", required_argument, NULL, 'S'},
		{"yara", required_argument, NULL, 'Y'},  {"geoip", required_argument, NULL, 'G'},
		{"reveal", no_argument, NULL, 'R'},      {"key-registry", required_argument, NULL, 'K'},
		{"db", required_argument, NULL, 'D'},      {"max-buffer", required_argument, NULL, 'B'},
		{"fail-on", required_argument, NULL, 'F'}, {"threads", required_argument, NULL, 'j'},
		{"limit", required_argument, NULL, 'L'}, {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	report_opts ro;
	vouch_analysis_opts *ao = &ro.analysis;
	vouch_scan_opts *so = &ro.scan;
	const char *sarif = NULL;
	bool json = false, quiet = false;
	int c, rc, fail_on = VOUCH_SEV_HIGH;
	uint64_t v;

	report_opts_default(&ro);
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:L:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'J': json = true; break;
		case 'S': sarif = optarg; break;
		case 'Y': ao->yara_rules = optarg; break;
		case 'G': ao->geoip_db = optarg; break;
		case 'R': ao->reveal_secrets = true; break;
		case 'K': ao->key_registry = optarg; break;
		case 'D': ro.db = optarg; break;
		case 'B':
			if (cli_parse_u64(optarg, &v) != 0 || v == 0) {
				cli_err("--max-buffer wants a size, e.g. 64M");
				return EXIT_USAGE;
			}
			ao->max_buffer = v;
			break;
		case 'F':
			if (parse_sev(optarg, &fail_on) != 0) {
				cli_err("--fail-on wants info, low, medium, high, critical or never");
				return EXIT_USAGE;
			}
			break;
		case 'j':
			if (cli_parse_u64(optarg, &v) != 0 || v == 0 || v > 16) {
				cli_err("--threads wants a number from 1 to 16");
				return EXIT_USAGE;
			}
			so->threads = (unsigned)v;
			break;
		case 'L':
			if (cli_parse_limit(&so->limits, optarg) != 0) {
				return EXIT_USAGE;
			}
			break;
		case 'q': quiet = true; break;
		case 'h': help_scan(stdout); return EXIT_OK;
		default: help_scan(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_err(optind >= argc ? "no IMAGE given" : "exactly one IMAGE, please");
		help_scan(stderr);
		return EXIT_USAGE;
	}
	const char *image = argv[optind];
	if (!quiet && isatty(STDERR_FILENO)) {
		so->progress = cli_progress;
	}
	ro.quiet = quiet;

	report_run r;
	char *text = NULL;

	rc = report_run_image(image, &ro, &r);
	if (rc != EXIT_OK) {
		goto out;
	}
	if (sarif != NULL) {
		text = sarif_doc(image, r.list, r.nf);
		if (text == NULL) {
			cli_err("out of memory");
			rc = EXIT_INTERNAL;
			goto out;
		}
		rc = sbom_write_file(sarif, text);
		if (rc != EXIT_OK) {
			goto out;
		}
	}
	if (json) {
		json_t *root = report_json(&r, image);
		if (root == NULL) {
			cli_err("out of memory");
			rc = EXIT_INTERNAL;
			goto out;
		}
		json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
		json_decref(root);
	} else {
		print_table(stdout, r.list, r.nf, r.rep, r.sb);
		if (r.vres != NULL) {
			size_t crit = 0, high = 0;
			for (size_t i = 0; i < r.nvm; i++) {
				crit += r.vm[i].severity && strcmp(r.vm[i].severity, "critical") == 0;
				high += r.vm[i].severity && strcmp(r.vm[i].severity, "high") == 0;
			}
			printf("\nknown vulnerabilities of the components: %zu (%zu critical, %zu high) "
			       "in a database of %llu records (`vouch vulns` lists them)\n",
			       r.nvm, crit, high, (unsigned long long)r.vinfo->records);
		} else {
			printf("\nknown vulnerabilities: not matched (no database; see --db)\n");
		}
	}
	if (!quiet && r.scan_rc != VOUCH_OK) {
		fprintf(stderr, "vouch: the scan was not complete: %s\n", vouch_err_str(r.scan_rc));
	}
	rc = cli_exit_for(r.scan_rc);
	for (size_t i = 0; i < r.nf; i++) {
		if ((int)r.list[i].severity >= fail_on) {
			rc = EXIT_FINDINGS;
			break;
		}
	}
out:
	free(text);
	report_run_free(&r);
	return rc;
}
