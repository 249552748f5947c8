/*
 * bench/vuln_bench.c: vulnerability-matching figures for `make bench` (bench/vuln.sh runs it).
 *
 *   1. builds a synthetic database of N records (default 300,000) as NVD 2.0 feed files and
 *      times their import (vouch_vulndb_import of the directory);
 *   2. times matching 1,000 components against it (one vouch_vulndb_match call; an untimed
 *      warm-up, then the median of 5 runs).
 *
 * The records are shaped like real ones: each takes the `configurations` of a real NVD 2.0
 * record (from ../shared/vulndb/nvd-2.0 when present, else a few built-in shapes: a range,
 * exact versions, an AND with a platform) and renames its vulnerable products. Products are
 * skewed as in the real NVD: 5 "kernel-like" products own 8,000 records each, 50 own 1,000,
 * and the remaining records spread over ~20,000 products with about ten each. The 1,000
 * components queried are the 55 busy products and 945 of the others, so most products in
 * the database are never asked about, and the busy ones cost what they cost in reality.
 * Component versions are random "A.B.C" in the ranges the templates use.
 *
 * Usage: vuln_bench WORKDIR [NVD20_DIR|-] [N]. Links libvouch's static library, public API
 * only (include/vouch/vuln.h) plus jansson to write the feeds.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <zlib.h>

#include "vouch/vuln.h"

#define PER_FILE 10000
#define NCOMP 1000
#define HOT 5
#define HOT_RECORDS 8000
#define WARM 50
#define WARM_RECORDS 1000
#define RUNS 5

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* ---- templates ---------------------------------------------------------------------- */

static json_t **tmpl;
static size_t ntmpl, captmpl;

static void
add_template(json_t *configs)
{
	if (ntmpl == captmpl) {
		captmpl = captmpl ? captmpl * 2 : 256;
		tmpl = realloc(tmpl, captmpl * sizeof(*tmpl));
		if (tmpl == NULL) {
			exit(1);
		}
	}
	tmpl[ntmpl++] = json_incref(configs);
}

static const char *const builtin[] = {
	"[{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
	"\"criteria\":\"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\",\"versionStartIncluding\":\"1.0.0\","
	"\"versionEndExcluding\":\"1.4.7\"}]}]}]",
	"[{\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{\"vulnerable\":true,"
	"\"criteria\":\"cpe:2.3:a:v:p:2.1.0:*:*:*:*:*:*:*\"},{\"vulnerable\":true,\"criteria\":"
	"\"cpe:2.3:a:v:p:2.1.1:*:*:*:*:*:*:*\"},{\"vulnerable\":true,\"criteria\":"
	"\"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\",\"versionEndIncluding\":\"0.9.8\"}]}]}]",
	"[{\"operator\":\"AND\",\"nodes\":[{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":[{"
	"\"vulnerable\":true,\"criteria\":\"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\","
	"\"versionEndExcluding\":\"3.2.0\"}]},{\"operator\":\"OR\",\"negate\":false,\"cpeMatch\":"
	"[{\"vulnerable\":false,\"criteria\":\"cpe:2.3:o:linux:linux_kernel:-:*:*:*:*:*:*:*\"}]}]}]",
};

static void
load_templates(const char *dir)
{
	DIR *d = dir != NULL && strcmp(dir, "-") != 0 ? opendir(dir) : NULL;
	struct dirent *de;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char path[4096];
		gzFile gz;
		char *buf = NULL;
		size_t n = 0, cap = 0;
		int r;
		json_t *root;
		size_t i;
		json_t *v;

		if (strstr(de->d_name, ".json.gz") == NULL) {
			continue;
		}
		snprintf(path, sizeof(path), "%.3800s/%s", dir, de->d_name);
		if ((gz = gzopen(path, "rb")) == NULL) {
			continue;
		}
		do {
			if (cap - n < 65536) {
				cap = cap ? cap * 2 : 1 << 20;
				buf = realloc(buf, cap);
				if (buf == NULL) {
					exit(1);
				}
			}
			r = gzread(gz, buf + n, 65536);
			n += r > 0 ? (size_t)r : 0;
		} while (r > 0);
		gzclose(gz);
		root = json_loadb(buf, n, 0, NULL);
		free(buf);
		json_array_foreach (json_object_get(root, "vulnerabilities"), i, v) {
			json_t *c = json_object_get(json_object_get(v, "cve"), "configurations");

			if (json_array_size(c) > 0) {
				add_template(c);
			}
		}
		json_decref(root);
	}
	if (d != NULL) {
		closedir(d);
	}
	if (ntmpl == 0) {
		for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
			json_t *c = json_loads(builtin[i], 0, NULL);

			add_template(c);
			json_decref(c);
		}
	}
}

/* A copy of a template with every vulnerable criterion renamed to vendor:product. */
static json_t *
instantiate(const json_t *t, const char *vendor, const char *product)
{
	json_t *c = json_deep_copy(t), *cfg, *node, *m;
	size_t i, j, k;

	json_array_foreach (c, i, cfg) {
		json_array_foreach (json_object_get(cfg, "nodes"), j, node) {
			json_array_foreach (json_object_get(node, "cpeMatch"), k, m) {
				const char *crit = json_string_value(json_object_get(m, "criteria"));
				char out[1200];
				const char *p = crit;
				int colons = 0;

				if (!json_is_true(json_object_get(m, "vulnerable")) || crit == NULL) {
					continue;
				}
				/* keep "cpe:2.3:a:", replace vendor and product, keep the rest */
				while (*p != '\0' && colons < 5) {
					colons += *p++ == ':';
				}
				if (colons < 5) {
					continue;
				}
				snprintf(out, sizeof(out), "%.10s%s:%s:%s", crit, vendor, product, p);
				json_object_set_new(m, "criteria", json_string(out));
			}
		}
	}
	return c;
}

/* ---- the synthetic database ---------------------------------------------------------- */

/* Product of record i: the first HOT*HOT_RECORDS records go to the hot products, the next
 * WARM*WARM_RECORDS to the warm ones, the rest round-robin over `cold` products. */
static void
product_of(size_t i, size_t cold, char *vendor, char *product, size_t cap)
{
	if (i < (size_t)HOT * HOT_RECORDS) {
		snprintf(vendor, cap, "hotvendor%zu", i % HOT);
		snprintf(product, cap, "hot_product%zu", i % HOT);
	} else if (i < (size_t)HOT * HOT_RECORDS + (size_t)WARM * WARM_RECORDS) {
		snprintf(vendor, cap, "warmvendor%zu", i % WARM);
		snprintf(product, cap, "warm-product%zu", i % WARM);
	} else {
		snprintf(vendor, cap, "vendor%zu", i % cold);
		snprintf(product, cap, "product_%zu", i % cold);
	}
}

static void
write_feeds(const char *dir, size_t n, size_t cold)
{
	for (size_t f = 0; f * PER_FILE < n; f++) {
		char path[8192];
		json_t *root = json_object(), *vulns = json_array();
		size_t end = (f + 1) * PER_FILE < n ? (f + 1) * PER_FILE : n;

		for (size_t i = f * PER_FILE; i < end; i++) {
			char id[64], vendor[64], product[64], mod[64];
			json_t *cve = json_object(), *wrap = json_object(), *desc = json_array();
			json_t *metric = json_object(), *data = json_object(), *arr = json_array();
			json_t *metrics = json_object(), *d = json_object();
			double score = (double)(rnd() % 100) / 10.0;

			snprintf(id, sizeof(id), "CVE-%zu-%zu", 1999 + i % 27, 10000 + i);
			snprintf(mod, sizeof(mod), "2025-%02zu-%02zuT10:00:00.000", 1 + i % 12,
				 1 + i % 28);
			product_of(i, cold, vendor, product, sizeof(vendor));
			json_object_set_new(cve, "id", json_string(id));
			json_object_set_new(cve, "published", json_string("2020-01-01T00:00:00.000"));
			json_object_set_new(cve, "lastModified", json_string(mod));
			json_object_set_new(d, "lang", json_string("en"));
			json_object_set_new(d, "value",
					    json_string("A synthetic record shaped like a real one."));
			json_array_append_new(desc, d);
			json_object_set_new(cve, "descriptions", desc);
			json_object_set_new(data, "version", json_string("3.1"));
			json_object_set_new(data, "vectorString",
					    json_string("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));
			json_object_set_new(data, "baseScore", json_real(score));
			json_object_set_new(data, "baseSeverity",
					    json_string(score >= 9 ? "CRITICAL" : score >= 7 ? "HIGH"
										     : score >= 4 ? "MEDIUM"
												  : "LOW"));
			json_object_set_new(metric, "type", json_string("Primary"));
			json_object_set_new(metric, "cvssData", data);
			json_array_append_new(arr, metric);
			json_object_set_new(metrics, "cvssMetricV31", arr);
			json_object_set_new(cve, "metrics", metrics);
			json_object_set_new(cve, "configurations",
					    instantiate(tmpl[rnd() % ntmpl], vendor, product));
			json_object_set_new(wrap, "cve", cve);
			json_array_append_new(vulns, wrap);
		}
		json_object_set_new(root, "format", json_string("NVD_CVE"));
		json_object_set_new(root, "version", json_string("2.0"));
		json_object_set_new(root, "timestamp", json_string("2026-01-01T00:00:00.000"));
		json_object_set_new(root, "vulnerabilities", vulns);
		snprintf(path, sizeof(path), "%s/synthetic-%03zu.json", dir, f);
		if (json_dump_file(root, path, JSON_COMPACT) != 0) {
			fprintf(stderr, "vuln_bench: cannot write %s\n", path);
			exit(1);
		}
		json_decref(root);
	}
}

int
main(int argc, char **argv)
{
	const char *work = argc > 1 ? argv[1] : NULL;
	size_t n = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 300000;
	size_t fixed = (size_t)HOT * HOT_RECORDS + (size_t)WARM * WARM_RECORDS, cold;
	char feeds[4096], dbp[4096];
	vouch_vulndb *db = NULL;
	vouch_import_stats st = {0};
	vouch_component *comps;
	char (*names)[3][256];
	double t0, times[RUNS];
	size_t nm = 0;
	int rc;

	if (work == NULL || n <= fixed) {
		fprintf(stderr, "usage: vuln_bench WORKDIR [NVD20_DIR|-] [N > %zu]\n", fixed);
		return 2;
	}
	cold = (n - fixed) / 10;
	load_templates(argc > 2 ? argv[2] : NULL);
	snprintf(feeds, sizeof(feeds), "%s/feeds", work);
	snprintf(dbp, sizeof(dbp), "%s/bench.sqlite", work);
	mkdir(feeds, 0755);
	if (getenv("VULN_BENCH_REUSE") != NULL) {
		/* iterate on the matcher: reuse WORKDIR/bench.sqlite as built by an earlier run */
		if (vouch_vulndb_open(&db, dbp, false) != VOUCH_OK) {
			fprintf(stderr, "vuln_bench: %s\n", vouch_vulndb_errmsg(db));
			return 1;
		}
		goto match;
	}
	t0 = now();
	write_feeds(feeds, n, cold);
	printf("synthetic feeds: %zu records from %zu real configurations, %zu busy products "
	       "(%d x %d, %d x %d records), %zu others: %.1f s to write\n",
	       n, ntmpl, (size_t)HOT + WARM, HOT, HOT_RECORDS, WARM, WARM_RECORDS, cold, now() - t0);
	fflush(stdout);
	if (vouch_vulndb_open(&db, dbp, true) != VOUCH_OK) {
		fprintf(stderr, "vuln_bench: %s\n", vouch_vulndb_errmsg(db));
		return 1;
	}
	t0 = now();
	rc = vouch_vulndb_import(db, feeds, &st, NULL, NULL);
	if (rc != VOUCH_OK || st.added != n) {
		fprintf(stderr, "vuln_bench: import: %s (%llu added)\n", vouch_vulndb_errmsg(db),
			(unsigned long long)st.added);
		return 1;
	}
	printf("import of %llu records: %.1f s (%.0f records/s)\n", (unsigned long long)st.added,
	       now() - t0, (double)st.added / (now() - t0));
	fflush(stdout);
match:
	comps = calloc(NCOMP, sizeof(*comps));
	names = calloc(NCOMP, sizeof(*names));
	if (comps == NULL || names == NULL) {
		return 1;
	}
	for (size_t i = 0; i < NCOMP; i++) {
		char vendor[64], product[64];
		/* the busy products first, then cold ones spread over the whole range */
		size_t rec = i < HOT ? i
			     : i < HOT + WARM ? (size_t)HOT * HOT_RECORDS + (i - HOT)
					      : fixed + (i * 7919) % cold;

		product_of(rec, cold, vendor, product, sizeof(vendor));
		snprintf(names[i][0], 256, "%s", product);
		snprintf(names[i][1], 256, "%llu.%llu.%llu", (unsigned long long)(rnd() % 4),
			 (unsigned long long)(rnd() % 10), (unsigned long long)(rnd() % 12));
		snprintf(names[i][2], 256, "cpe:2.3:a:%s:%s:%s:*:*:*:*:*:*:*", vendor, product,
			 names[i][1]);
		comps[i].bom_ref = names[i][0];
		comps[i].name = names[i][0];
		comps[i].version = names[i][1];
		comps[i].cpe = names[i][2];
	}
	for (int r = -1; r < RUNS; r++) {
		vouch_vuln_result *res = NULL;

		t0 = now();
		if (vouch_vulndb_match(db, comps, NCOMP, &res) != VOUCH_OK) {
			fprintf(stderr, "vuln_bench: match: %s\n", vouch_vulndb_errmsg(db));
			return 1;
		}
		if (r >= 0) {
			times[r] = now() - t0;
		}
		vouch_vuln_result_matches(res, &nm);
		vouch_vuln_result_free(res);
	}
	qsort(times, RUNS, sizeof(times[0]), cmp_double);
	printf("match %d components against %zu records: median %.3f s (min %.3f, max %.3f) "
	       "over %d runs, %zu matches; target < 1 s: %s\n",
	       NCOMP, n, times[RUNS / 2], times[0], times[RUNS - 1], RUNS, nm,
	       times[RUNS / 2] < 1.0 ? "met" : "NOT MET");
	vouch_vulndb_close(db);
	free(comps);
	free(names);
	for (size_t i = 0; i < ntmpl; i++) {
		json_decref(tmpl[i]);
	}
	free(tmpl);
	return 0;
}
