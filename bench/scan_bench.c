/*
 * bench/scan_bench.c: throughput of the analysis pass on one core, without the unpacker.
 *
 *   scan_bench DIR [BUDGET_MIB]
 *
 * Reads regular files under DIR (sorted walk, up to BUDGET_MIB, default 256) into memory,
 * then feeds them through the analysis visitor (vouch_analysis_visitor) on this one thread,
 * in 256 KiB chunks as the unpacker does, and prints the bytes per second of:
 *   patterns  the one vectorscan pass of every analyser's patterns and the analysers' work
 *             on the hits (max_buffer 1: no file held, no ELF parsing);
 *   full      the same with files held (default max_buffer) and every ELF file analysed
 *             for the hardening findings.
 * Each figure is the median of 3 passes. The first pass warms the caches.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "vouch/findings.h"

#define CHUNK (256u << 10)

typedef struct blob {
	char *path;
	uint8_t *p;
	size_t n;
} blob;

static blob *files;
static size_t nfiles, capfiles, total, budget;

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* An explicit stack of directories: no recursion on the tree's depth. */
static void
walk(const char *top)
{
	char **stack = NULL;
	size_t ns = 0, cap = 0;

	stack = realloc(stack, (cap = 64) * sizeof(*stack));
	stack[ns++] = strdup(top);
	while (ns > 0 && total < budget) {
		char *dir = stack[--ns];
		DIR *d = opendir(dir);
		char **names = NULL;
		size_t nn = 0, cn = 0;
		struct dirent *e;
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
				continue;
			}
			if (nn == cn) {
				names = realloc(names, (cn = cn ? cn * 2 : 64) * sizeof(*names));
			}
			names[nn++] = strdup(e->d_name);
		}
		if (d != NULL) {
			closedir(d);
		}
		qsort(names, nn, sizeof(*names), cmp_str);
		for (size_t i = nn; i-- > 0;) {
			char path[4096];
			struct stat st;
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			free(names[i]);
			if (lstat(path, &st) != 0) {
				continue;
			}
			if (S_ISDIR(st.st_mode)) {
				if (ns == cap) {
					stack = realloc(stack, (cap *= 2) * sizeof(*stack));
				}
				stack[ns++] = strdup(path);
			} else if (S_ISREG(st.st_mode) && st.st_size > 0 && total < budget) {
				FILE *f = fopen(path, "rb");
				if (f == NULL) {
					continue;
				}
				uint8_t *p = malloc((size_t)st.st_size);
				size_t got = p ? fread(p, 1, (size_t)st.st_size, f) : 0;
				fclose(f);
				if (got == 0) {
					free(p);
					continue;
				}
				if (nfiles == capfiles) {
					files = realloc(files, (capfiles = capfiles ? capfiles * 2 : 256) *
								       sizeof(*files));
				}
				files[nfiles++] = (blob){strdup(path), p, got};
				total += got;
			}
		}
		free(names);
		free(dir);
	}
	while (ns > 0) {
		free(stack[--ns]);
	}
	free(stack);
}

static double
now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
one_pass(uint64_t max_buffer, size_t *nfind)
{
	vouch_findings *fs;
	vouch_analysis *a;
	vouch_analysis_opts o = {.max_buffer = max_buffer};
	vouch_visitor v;
	double t0, t1;

	if (vouch_findings_new(&fs) != VOUCH_OK || vouch_analysis_new(&a, &o, fs) != VOUCH_OK) {
		fprintf(stderr, "scan_bench: cannot set up the analysis\n");
		exit(1);
	}
	vouch_analysis_visitor(a, &v);
	t0 = now();
	for (size_t i = 0; i < nfiles; i++) {
		vouch_file f = {.path = files[i].path, .ftype = VOUCH_FT_REG, .size = files[i].n};
		void *s = NULL;
		if (v.file_begin(v.ud, &f, &s) != VOUCH_OK) {
			continue;
		}
		for (size_t off = 0; off < files[i].n; off += CHUNK) {
			size_t m = files[i].n - off < CHUNK ? files[i].n - off : CHUNK;
			v.file_data(v.ud, s, files[i].p + off, m, off);
		}
		v.file_end(v.ud, s, &f);
	}
	vouch_analysis_finish(a, NULL);
	t1 = now();
	vouch_findings_list(fs, nfind);
	vouch_analysis_free(a);
	vouch_findings_free(fs);
	return t1 - t0;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: scan_bench DIR [BUDGET_MIB]\n");
		return 2;
	}
	budget = (size_t)(argc > 2 ? strtoul(argv[2], NULL, 10) : 256) << 20;
	walk(argv[1]);
	printf("scan_bench: %zu files, %.1f MiB from %s, one thread\n", nfiles,
	       (double)total / 1048576.0, argv[1]);
	const struct {
		const char *name;
		uint64_t maxbuf;
	} modes[] = {{"patterns", 1}, {"full", 0}};
	for (size_t m = 0; m < 2; m++) {
		double t[3];
		size_t nf = 0;
		one_pass(modes[m].maxbuf, &nf); /* warm-up */
		for (int r = 0; r < 3; r++) {
			t[r] = one_pass(modes[m].maxbuf, &nf);
		}
		qsort(t, 3, sizeof(t[0]), cmp_d);
		printf("  %-9s %7.3f s  %6.2f GB/s  (%zu findings)\n", modes[m].name, t[1],
		       (double)total / t[1] / 1e9, nf);
	}
	return 0;
}
