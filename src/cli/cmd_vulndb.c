/*
 * cli/cmd_vulndb.c: `vouch vulndb import` and `vouch vulndb info`, the offline vulnerability
 * database (include/vouch/vuln.h).
 *
 * Thin: parse arguments, call the library, print. The database is --db FILE, else
 * $VOUCH_VULNDB, else ./vouch-vulndb.sqlite. `import` goes on past a bad file and says at
 * the end what happened; its exit status is the worst outcome: 3 when a file could not be
 * read or is not a feed (truncated gzip, JSON that is not a feed), 4 when only single
 * records were refused, 5 when a limit stopped a file, 1 when the database itself failed.
 * When stderr is a terminal, a progress line is rewritten in place as files are read.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vouch/vouch.h"
#include "vouch/vuln.h"

#define DEFAULT_DB "./vouch-vulndb.sqlite"

void
help_vulndb(FILE *out)
{
	fputs("usage: vouch vulndb import [--db FILE] PATH...\n"
	      "       vouch vulndb info [--db FILE] [--json]\n"
	      "\n"
	      "The offline vulnerability database (one SQLite file).\n"
	      "\n"
	      "  import PATH...  read NVD 2.0 feeds or API pages, legacy NVD 1.1 feeds, CVE JSON 5\n"
	      "                  records (one or an array) and OSV records (JSON or YAML), plain\n"
	      "                  or gzip; a PATH may be a directory (walked in name order, only\n"
	      "                  *.json, *.yaml, *.yml, optionally .gz). A record already present\n"
	      "                  is replaced only by a newer copy (lastModified), so importing\n"
	      "                  the same data twice changes nothing. Each file is one\n"
	      "                  transaction: a bad file leaves the database as it was.\n"
	      "  info            what the database covers: records, CVE years present, every\n"
	      "                  source file with its format, feed time and import time, and a\n"
	      "                  digest naming this exact database content.\n"
	      "\n"
	      "  --db FILE       the database (default: $VOUCH_VULNDB, else " DEFAULT_DB ")\n"
	      "  --json          info as JSON\n"
	      "\n"
	      "Exit status: 0 ok; 2 usage; 3 a file could not be read or is not a feed (the\n"
	      "others are still imported); 4 records refused inside a feed; 5 a limit stopped a\n"
	      "file; 1 the database failed.\n",
	      out);
}

typedef struct prog {
	bool tty;
	bool line; /* a progress line is on screen */
	uint64_t files;
	const vouch_import_stats *st;
} prog;

static void
clear_line(prog *p)
{
	if (p->line) {
		fputs("\r\033[K", stderr);
		p->line = false;
	}
}

static void
on_log(void *ud, int level, const char *msg)
{
	prog *p = ud;

	if (level == VOUCH_VULNDB_LOG_WARN) {
		clear_line(p);
		cli_err("%s", cli_esc(msg, 0));
		return;
	}
	p->files++;
	if (p->tty) {
		fprintf(stderr, "\r\033[Kimporting: %llu files, %llu records",
			(unsigned long long)p->files,
			(unsigned long long)(p->st->records));
		p->line = true;
	}
}

/* --db FILE, else $VOUCH_VULNDB, else ./vouch-vulndb.sqlite (shared with `vouch vulns`). */
const char *
cli_vulndb_path(const char *opt)
{
	const char *env = getenv("VOUCH_VULNDB");

	if (opt != NULL) {
		return opt;
	}
	return env != NULL && env[0] != '\0' ? env : DEFAULT_DB;
}

/* Worse outcomes win: internal > input > limit > partial. */
static int
worse(int cur, int rc)
{
	int e;

	switch (rc) {
	case VOUCH_OK: return cur;
	case VOUCH_E_MALFORMED:
	case VOUCH_E_UNSUPPORTED:
	case VOUCH_E_IO:
	case VOUCH_E_NOTFOUND: e = EXIT_INPUT; break;
	case VOUCH_E_LIMIT: e = EXIT_LIMIT; break;
	default: e = EXIT_INTERNAL; break;
	}
	if (cur == EXIT_INTERNAL || e == EXIT_INTERNAL) {
		return EXIT_INTERNAL;
	}
	if (cur == EXIT_INPUT || e == EXIT_INPUT) {
		return EXIT_INPUT;
	}
	return e;
}

static int
open_db(const char *path, bool create, vouch_vulndb **db)
{
	int rc = vouch_vulndb_open(db, path, create);

	if (rc != VOUCH_OK) {
		if (rc == VOUCH_E_NOTFOUND) {
			cli_err("%s: no such database (create it with 'vouch vulndb import')",
				cli_esc(path, 0));
		} else {
			cli_err("%s", cli_esc(vouch_vulndb_errmsg(*db), 0));
		}
		vouch_vulndb_close(*db);
		*db = NULL;
		return rc == VOUCH_E_NOTFOUND || rc == VOUCH_E_IO || rc == VOUCH_E_MALFORMED ||
				       rc == VOUCH_E_UNSUPPORTED
			       ? EXIT_INPUT
			       : EXIT_INTERNAL;
	}
	return EXIT_OK;
}

static int
do_import(const char *dbpath, int argc, char **argv)
{
	vouch_vulndb *db = NULL;
	vouch_import_stats st = {0};
	prog p = {isatty(2) == 1, false, 0, &st};
	int ex = EXIT_OK, rc;

	if (argc < 1) {
		help_vulndb(stderr);
		return EXIT_USAGE;
	}
	if ((ex = open_db(dbpath, true, &db)) != EXIT_OK) {
		return ex;
	}
	for (int i = 0; i < argc; i++) {
		rc = vouch_vulndb_import(db, argv[i], &st, on_log, &p);
		if (rc != VOUCH_OK) {
			clear_line(&p);
			if (rc != VOUCH_E_MALFORMED && rc != VOUCH_E_NOTFOUND && rc != VOUCH_E_IO &&
			    rc != VOUCH_E_LIMIT && rc != VOUCH_E_UNSUPPORTED) {
				cli_err("%s: %s", cli_esc(argv[i], 0),
					cli_esc(vouch_vulndb_errmsg(db), 1));
			}
			ex = worse(ex, rc);
			if (ex == EXIT_INTERNAL) {
				break;
			}
		}
	}
	clear_line(&p);
	printf("files %llu, records %llu: added %llu, updated %llu, unchanged %llu, refused %llu\n",
	       (unsigned long long)st.files, (unsigned long long)st.records,
	       (unsigned long long)st.added, (unsigned long long)st.updated,
	       (unsigned long long)st.unchanged, (unsigned long long)st.rejected);
	if (ex == EXIT_OK && st.rejected > 0) {
		ex = EXIT_PARTIAL;
	}
	vouch_vulndb_close(db);
	return ex;
}

static int
info_json(const vouch_vulndb_info *in)
{
	json_t *o = json_object(), *srcs = json_array(), *years = json_object();
	char *s;

	if (o == NULL || srcs == NULL || years == NULL) {
		json_decref(o);
		json_decref(srcs);
		json_decref(years);
		return EXIT_INTERNAL;
	}
	json_object_set_new(o, "records", json_integer((json_int_t)in->records));
	json_object_set_new(o, "newest_modified",
			    in->newest_modified ? json_string(in->newest_modified) : json_null());
	json_object_set_new(o, "digest", json_string(in->digest));
	for (size_t i = 0; i < in->nyears; i++) {
		char y[16];

		snprintf(y, sizeof(y), "%d", in->years[i].year);
		json_object_set_new(years, y, json_integer((json_int_t)in->years[i].records));
	}
	json_object_set_new(o, "cve_years", years);
	for (size_t i = 0; i < in->nsources; i++) {
		const vouch_vulndb_source *e = &in->sources[i];
		json_t *j = json_object();

		if (j == NULL) {
			continue;
		}
		json_object_set_new(j, "format", json_string(e->format));
		json_object_set_new(j, "origin", json_string(e->origin));
		json_object_set_new(j, "feed_time", e->feed_time ? json_string(e->feed_time) : json_null());
		json_object_set_new(j, "imported", json_string(e->imported));
		json_object_set_new(j, "records", json_integer((json_int_t)e->records));
		json_object_set_new(j, "min_year", json_integer(e->min_year));
		json_object_set_new(j, "max_year", json_integer(e->max_year));
		json_array_append_new(srcs, j);
	}
	json_object_set_new(o, "sources", srcs);
	s = json_dumps(o, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	json_decref(o);
	if (s == NULL) {
		return EXIT_INTERNAL;
	}
	puts(s);
	free(s);
	return EXIT_OK;
}

static void
info_text(const vouch_vulndb_info *in)
{
	static const char *const formats[] = {"nvd-2.0", "nvd-1.1", "cve-5", "osv"};
	int prev = 0;

	printf("records:  %llu\n", (unsigned long long)in->records);
	printf("newest:   %s\n", in->newest_modified != NULL ? in->newest_modified : "-");
	printf("digest:   %s\n", in->digest);
	printf("CVE years present (records):");
	for (size_t i = 0; i < in->nyears; i++) {
		if (prev != 0 && in->years[i].year != prev + 1) {
			printf(" |gap|");
		}
		printf(" %d (%llu)", in->years[i].year, (unsigned long long)in->years[i].records);
		prev = in->years[i].year;
	}
	printf("\nby format:\n");
	for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
		uint64_t files = 0, recs = 0;
		const char *newest = NULL;

		for (size_t i = 0; i < in->nsources; i++) {
			const vouch_vulndb_source *e = &in->sources[i];

			if (strcmp(e->format, formats[f]) != 0) {
				continue;
			}
			files++;
			recs += e->records;
			if (e->feed_time != NULL && (newest == NULL || strcmp(e->feed_time, newest) > 0)) {
				newest = e->feed_time;
			}
		}
		if (files > 0) {
			printf("  %-8s %6llu files %8llu records  newest feed time %s\n", formats[f],
			       (unsigned long long)files, (unsigned long long)recs,
			       newest != NULL ? newest : "-");
		}
	}
	printf("sources:\n");
	printf("  %-8s %8s %-11s %-27s %-20s %s\n", "FORMAT", "RECORDS", "CVE YEARS", "FEED TIME",
	       "IMPORTED", "FILE");
	for (size_t i = 0; i < in->nsources; i++) {
		const vouch_vulndb_source *e = &in->sources[i];
		char yrs[24];

		if (e->min_year > 0) {
			snprintf(yrs, sizeof(yrs), "%d-%d", e->min_year, e->max_year);
		} else {
			snprintf(yrs, sizeof(yrs), "-");
		}
		printf("  %-8s %8llu %-11s %-27s %-20s %s\n", e->format,
		       (unsigned long long)e->records, yrs,
		       e->feed_time != NULL ? e->feed_time : "-", e->imported,
		       cli_esc(e->origin, 0));
	}
}

static int
do_info(const char *dbpath, bool json)
{
	vouch_vulndb *db = NULL;
	vouch_vuln_result *r = NULL;
	const vouch_vulndb_info *in = NULL;
	int ex, rc;

	if ((ex = open_db(dbpath, false, &db)) != EXIT_OK) {
		return ex;
	}
	rc = vouch_vulndb_info_get(db, &r, &in);
	if (rc != VOUCH_OK) {
		cli_err("%s", cli_esc(vouch_vulndb_errmsg(db), 0));
		vouch_vulndb_close(db);
		return EXIT_INTERNAL;
	}
	if (json) {
		ex = info_json(in);
	} else {
		info_text(in);
	}
	vouch_vuln_result_free(r);
	vouch_vulndb_close(db);
	return ex;
}

int
cmd_vulndb(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *sub;
	bool json = false;
	int c;

	if (argc < 2) {
		help_vulndb(stderr);
		return EXIT_USAGE;
	}
	sub = argv[1];
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'j': json = true; break;
		default:
			cli_err("vulndb %s: unknown option or missing argument (see 'vouch vulndb "
				"--help')",
				cli_esc(sub, 0));
			return EXIT_USAGE;
		}
	}
	argc -= 1 + optind;
	argv += 1 + optind;
	if (strcmp(sub, "import") == 0) {
		if (json) {
			cli_err("vulndb import: --json is for 'info'");
			return EXIT_USAGE;
		}
		return do_import(cli_vulndb_path(db), argc, argv);
	}
	if (strcmp(sub, "info") == 0) {
		if (argc != 0) {
			cli_err("vulndb info takes no arguments");
			return EXIT_USAGE;
		}
		return do_info(cli_vulndb_path(db), json);
	}
	cli_err("vulndb: no subcommand '%s' (import, info)", cli_esc(sub, 0));
	return EXIT_USAGE;
}
