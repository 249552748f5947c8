/*
 * bench/tlog_bench.c: transparency-log figures for `make bench` (bench/tlog.sh runs it).
 *
 *   1. appends/s: 1,000,000 entries of 256 bytes through vouch_tlog_append in durable
 *      batches of 10,000 (one transaction and one WAL fsync per batch);
 *   2. tile export of those 1,000,000 entries (vouch_tlog_export_tiles);
 *   3. inclusion-proof generation time (median and p99 of 2000 random indices, after an
 *      untimed warm-up pass of 2000 others) at tree
 *      sizes 10^3 .. 10^N (default N = 7), on one log grown with 32-byte entries (the
 *      product's entry size) in batches of 100,000, with the build time.
 *
 * Links libvouch's static library and uses the public API (include/vouch/tlog.h).
 * Usage: tlog_bench WORKDIR [MAX_EXPONENT]. Rejected: timing through the CLI (process
 * start-up and argument parsing would dominate a 20 µs proof).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vouch/tlog.h"

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

static vouch_tlog *
fresh(const char *work, const char *name)
{
	char dir[4096], why[256];
	vouch_tlog *t = NULL;

	snprintf(dir, sizeof(dir), "%s/%s", work, name);
	if (vouch_tlog_init(dir, "bench.example/log", NULL, why, sizeof(why)) != VOUCH_OK ||
	    vouch_tlog_open(dir, &t, why, sizeof(why)) != VOUCH_OK) {
		fprintf(stderr, "tlog_bench: %s: %s\n", dir, why);
		exit(1);
	}
	return t;
}

static void
append_many(vouch_tlog *t, uint64_t count, size_t esize, size_t batch, uint64_t base)
{
	uint8_t *buf = malloc(batch * esize);
	const void **ents = malloc(batch * sizeof(*ents));
	size_t *lens = malloc(batch * sizeof(*lens));
	uint64_t first;

	if (buf == NULL || ents == NULL || lens == NULL) {
		exit(1);
	}
	for (uint64_t done = 0; done < count;) {
		size_t n = (size_t)(count - done < batch ? count - done : batch);

		for (size_t i = 0; i < n; i++) {
			uint64_t v = base + done + i;

			memset(buf + i * esize, (int)(v & 0xff), esize);
			memcpy(buf + i * esize, &v, sizeof(v));
			ents[i] = buf + i * esize;
			lens[i] = esize;
		}
		if (vouch_tlog_append(t, ents, lens, n, &first) != VOUCH_OK) {
			fprintf(stderr, "tlog_bench: append: %s\n", vouch_tlog_errmsg(t));
			exit(1);
		}
		done += n;
	}
	free(buf);
	free(ents);
	free(lens);
}

int
main(int argc, char **argv)
{
	const char *work;
	int maxexp = 7;
	vouch_tlog *t;
	double t0, t1;
	char dir[4096];

	if (argc < 2) {
		fprintf(stderr, "usage: tlog_bench WORKDIR [MAX_EXPONENT]\n");
		return 2;
	}
	work = argv[1];
	if (argc > 2) {
		maxexp = (int)strtol(argv[2], NULL, 10);
		if (maxexp < 3 || maxexp > 8) {
			maxexp = 7;
		}
	}

	/* 1. appends */
	t = fresh(work, "append");
	t0 = now();
	append_many(t, 1000000, 256, 10000, 0);
	t1 = now();
	printf("appends: 1000000 entries of 256 bytes in batches of 10000: %.2f s, %.0f appends/s\n",
	       t1 - t0, 1e6 / (t1 - t0));

	/* 2. tile export */
	if (vouch_tlog_checkpoint(t, NULL) != VOUCH_OK) {
		fprintf(stderr, "tlog_bench: checkpoint: %s\n", vouch_tlog_errmsg(t));
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s/tiles", work);
	t0 = now();
	if (vouch_tlog_export_tiles(t, dir) != VOUCH_OK) {
		fprintf(stderr, "tlog_bench: tiles: %s\n", vouch_tlog_errmsg(t));
		return 1;
	}
	t1 = now();
	printf("tile export: 1000000 entries (hash tiles, entry bundles, checkpoint): %.2f s\n",
	       t1 - t0);
	vouch_tlog_close(t);

	/* 3. proofs as the tree grows */
	t = fresh(work, "proofs");
	{
		uint64_t size = 0;
		double build = 0;

		printf("inclusion proof generation (2000 random indices each):\n");
		printf("  %12s %12s %12s %8s %14s\n", "tree size", "median us", "p99 us", "hashes",
		       "build s");
		for (int e = 3; e <= maxexp; e++) {
			uint64_t target = 1;
			double us[2000];
			vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX];
			size_t n = 0;

			for (int i = 0; i < e; i++) {
				target *= 10;
			}
			t0 = now();
			append_many(t, target - size, 32, 100000, size);
			build += now() - t0;
			size = target;
			/* one untimed pass first: measure a warm server, not the first page faults */
			for (int i = 0; i < 2000; i++) {
				if (vouch_tlog_prove(t, rnd() % size, size, proof, &n) != VOUCH_OK) {
					return 1;
				}
			}
			for (int i = 0; i < 2000; i++) {
				uint64_t idx = rnd() % size;

				t0 = now();
				if (vouch_tlog_prove(t, idx, size, proof, &n) != VOUCH_OK) {
					fprintf(stderr, "tlog_bench: prove: %s\n", vouch_tlog_errmsg(t));
					return 1;
				}
				us[i] = (now() - t0) * 1e6;
			}
			qsort(us, 2000, sizeof(double), cmp_double);
			printf("  %12llu %12.1f %12.1f %8zu %14.1f\n", (unsigned long long)size,
			       us[1000], us[1980], n, build);
			fflush(stdout);
		}
	}
	vouch_tlog_close(t);
	return 0;
}
