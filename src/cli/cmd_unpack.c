/*
 * cli/cmd_unpack.c: `vouch unpack` and `vouch inventory`.
 *
 * Both run one scan. `unpack` writes what it finds beneath -o DIR and prints a summary;
 * `inventory` prints one record per file at any depth, then every region and every error.
 * With --json both print the same complete report as one JSON document. Exit statuses say
 * whether the result is complete, partial, limited or had unsafe content refused.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vouch/vouch.h"

typedef struct opts {
	vouch_scan_opts so;
	const char *image;
	const char *outdir;
	bool json, quiet, tty;
} opts;

static void
common_help(FILE *out)
{
	fputs("  -o, --output DIR      write every extracted file beneath DIR\n"
	      "      --json            print the report as JSON on stdout\n"
	      "  -q, --quiet           no progress line, no summary on stderr\n"
	      "  -j, --threads N       worker threads (default: number of CPUs)\n"
	      "      --no-magic        skip libmagic typing (faster)\n"
	      "  -L, --limit NAME=N    change a safety limit (see 'vouch limits'); repeatable\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 complete; 2 usage; 3 input unreadable; 4 partial (corrupt or\n"
	      "truncated data, see the errors); 5 a limit stopped part of the work; 6 unsafe\n"
	      "content refused (path traversal, link escape); 1 internal error.\n",
	      out);
}

void
help_unpack(FILE *out)
{
	fputs("usage: vouch unpack IMAGE -o DIR [options]\n"
	      "\n"
	      "Take a firmware image apart recursively and write every file found, at any depth,\n"
	      "beneath DIR. A file's children go into '<file>.extracted/<format>[@0xOFFSET]/'.\n"
	      "Nothing is ever written outside DIR; device nodes are never created; symlinks are\n"
	      "created only when they stay inside their own container.\n\n",
	      out);
	common_help(out);
}

void
help_inventory(FILE *out)
{
	fputs("usage: vouch inventory IMAGE [options]\n"
	      "\n"
	      "List every file found at any depth of IMAGE (nested path, size, sha256, type,\n"
	      "mode, owner, link target, ELF machine/class/endianness), every region of every\n"
	      "container (opened, identified, padding, or unrecognised with its entropy) and every\n"
	      "error with its offset. Bytes from the image that are not printable UTF-8 are shown\n"
	      "as \\xNN.\n\n",
	      out);
	common_help(out);
}

/* ---- progress ---------------------------------------------------------------------- */

/* ---- JSON -------------------------------------------------------------------------- */

static void
hex(const uint8_t *p, size_t n, char *out)
{
	static const char h[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = h[p[i] >> 4];
		out[2 * i + 1] = h[p[i] & 15];
	}
	out[2 * n] = '\0';
}

json_t *
cli_file_json(const vouch_file *f)
{
	json_t *o = json_object();
	char sha[65];

	json_object_set_new(o, "path", cli_jstr(f->path));
	json_object_set_new(o, "kind", json_string(vouch_ftype_str(f->ftype)));
	json_object_set_new(o, "depth", json_integer(f->depth));
	if (f->ftype == VOUCH_FT_REG) {
		json_object_set_new(o, "size", json_integer((json_int_t)f->size));
		if (f->has_sha256) {
			hex(f->sha256, 32, sha);
			json_object_set_new(o, "sha256", json_string(sha));
		}
		if (f->entropy >= 0) {
			json_object_set_new(o, "entropy", json_real(f->entropy));
		}
		if (f->type != NULL) {
			json_object_set_new(o, "type", cli_jstr(f->type));
		}
	}
	if (f->has_mode) {
		char mode[8];
		snprintf(mode, sizeof(mode), "%04o", f->mode & 07777);
		json_object_set_new(o, "mode", json_string(mode));
	}
	json_object_set_new(o, "uid", json_integer(f->uid));
	json_object_set_new(o, "gid", json_integer(f->gid));
	if (f->link != NULL) {
		json_object_set_new(o, "link", cli_jstr(f->link));
	}
	if (f->container != NULL) {
		json_object_set_new(o, "container", json_string(f->container));
	}
	if (f->has_elf) {
		json_t *e = json_object();
		json_object_set_new(e, "machine", json_string(vouch_elf_machine_str(f->elf.machine)));
		json_object_set_new(e, "e_machine", json_integer(f->elf.machine));
		json_object_set_new(e, "class", json_integer(f->elf.cls == 2 ? 64 : 32));
		json_object_set_new(e, "endian", json_string(f->elf.endian == 2 ? "big" : "little"));
		json_object_set_new(o, "elf", e);
	}
	return o;
}

static void
print_json(const opts *o, const vouch_report *r, int rc)
{
	json_t *root = json_object();
	json_t *files = json_array(), *regions = json_array(), *errors = json_array();

	json_object_set_new(root, "tool", json_string("vouch"));
	json_object_set_new(root, "version", json_string(vouch_version()));
	json_object_set_new(root, "image", cli_jstr(o->image));
	json_object_set_new(root, "status", json_string(rc == VOUCH_OK ? "complete"
						       : rc == VOUCH_E_LIMIT ? "limited"
						       : rc == VOUCH_E_UNSAFE ? "unsafe-content-refused"
									      : "partial"));
	json_object_set_new(root, "bytes_in", json_integer((json_int_t)r->bytes_in));
	json_object_set_new(root, "bytes_out", json_integer((json_int_t)r->bytes_out));
	json_object_set_new(root, "seconds", json_real(r->seconds));
	for (size_t i = 0; i < r->nfiles; i++) {
		json_array_append_new(files, cli_file_json(&r->files[i]));
	}
	for (size_t i = 0; i < r->nregions; i++) {
		const vouch_region *g = &r->regions[i];
		json_t *x = json_object();
		json_object_set_new(x, "node", cli_jstr(g->node));
		json_object_set_new(x, "offset", json_integer((json_int_t)g->offset));
		json_object_set_new(x, "length", json_integer((json_int_t)g->length));
		json_object_set_new(x, "kind", json_string(vouch_region_kind_str(g->kind)));
		if (g->format != NULL) {
			json_object_set_new(x, "format", json_string(g->format));
		}
		if (g->entropy >= 0) {
			json_object_set_new(x, "entropy", json_real(g->entropy));
		}
		json_array_append_new(regions, x);
	}
	for (size_t i = 0; i < r->nerrors; i++) {
		const vouch_event *e = &r->errors[i];
		json_t *x = json_object();
		json_object_set_new(x, "node", cli_jstr(e->node));
		if (e->format != NULL) {
			json_object_set_new(x, "format", json_string(e->format));
		}
		json_object_set_new(x, "offset", json_integer((json_int_t)e->offset));
		json_object_set_new(x, "code", json_string(vouch_err_str(e->code)));
		json_object_set_new(x, "message", cli_jstr(e->message));
		json_array_append_new(errors, x);
	}
	json_object_set_new(root, "files", files);
	json_object_set_new(root, "regions", regions);
	json_object_set_new(root, "errors", errors);
	json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(root);
}

/* ---- human output ------------------------------------------------------------------ */

static void
print_inventory(const vouch_report *r)
{
	char sha[65];

	for (size_t i = 0; i < r->nfiles; i++) {
		const vouch_file *f = &r->files[i];
		if (f->has_sha256) {
			hex(f->sha256, 32, sha);
		} else {
			memset(sha, '-', 64);
			sha[64] = '\0';
		}
		printf("%s %10llu %04o %-8s %s", sha, (unsigned long long)f->size, f->mode & 07777,
		       vouch_ftype_str(f->ftype), cli_esc(f->path, 0));
		if (f->link != NULL) {
			printf(" -> %s", cli_esc(f->link, 1));
		}
		if (f->has_elf) {
			printf("  [ELF %s %d-bit %s]", vouch_elf_machine_str(f->elf.machine),
			       f->elf.cls == 2 ? 64 : 32, f->elf.endian == 2 ? "BE" : "LE");
		}
		if (f->type != NULL && !f->has_elf) {
			printf("  (%.60s)", cli_esc(f->type, 2));
		}
		putchar('\n');
	}
	if (r->nregions > 0) {
		printf("\nregions:\n");
	}
	for (size_t i = 0; i < r->nregions; i++) {
		const vouch_region *g = &r->regions[i];
		printf("  %s  0x%08llx +0x%llx  %-12s %s", cli_esc(g->node, 0),
		       (unsigned long long)g->offset, (unsigned long long)g->length,
		       vouch_region_kind_str(g->kind), g->format ? g->format : "");
		if (g->entropy >= 0) {
			printf("entropy %.3f", g->entropy);
		}
		putchar('\n');
	}
}

static void
print_errors(FILE *out, const vouch_report *r)
{
	if (r->nerrors > 0) {
		fprintf(out, "\nerrors:\n");
	}
	for (size_t i = 0; i < r->nerrors; i++) {
		const vouch_event *e = &r->errors[i];
		fprintf(out, "  %s @0x%llx [%s%s%s] %s\n", cli_esc(e->node, 0),
			(unsigned long long)e->offset, vouch_err_str(e->code), e->format ? ", " : "",
			e->format ? e->format : "", cli_esc(e->message, 1));
	}
}

static void
print_summary(FILE *out, const opts *o, const vouch_report *r, int rc)
{
	size_t reg = 0, dirs = 0, links = 0, other = 0, unknown = 0;

	for (size_t i = 0; i < r->nfiles; i++) {
		switch (r->files[i].ftype) {
		case VOUCH_FT_REG: reg++; break;
		case VOUCH_FT_DIR: dirs++; break;
		case VOUCH_FT_SYMLINK:
		case VOUCH_FT_HARDLINK: links++; break;
		default: other++; break;
		}
	}
	for (size_t i = 0; i < r->nregions; i++) {
		unknown += r->regions[i].kind == VOUCH_REGION_UNKNOWN;
	}
	fprintf(out,
		"%s: %zu files, %zu directories, %zu links, %zu other; %zu unrecognised regions; "
		"%zu errors; %.1f MiB in, %.1f MiB out, %.2f s%s%s\n",
		cli_esc(o->image, 3), reg, dirs, links, other, unknown, r->nerrors,
		(double)r->bytes_in / 1048576.0, (double)r->bytes_out / 1048576.0, r->seconds,
		rc == VOUCH_OK ? "" : " — ", rc == VOUCH_OK ? "" : vouch_err_str(rc));
}

/* ---- argument parsing and the run -------------------------------------------------- */

static int
parse(int argc, char **argv, opts *o, bool need_out, void (*help)(FILE *))
{
	static const struct option lo[] = {
		{"output", required_argument, NULL, 'o'}, {"json", no_argument, NULL, 'J'},
		{"quiet", no_argument, NULL, 'q'},        {"threads", required_argument, NULL, 'j'},
		{"limit", required_argument, NULL, 'L'},  {"no-magic", no_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	int c;
	uint64_t v;

	memset(o, 0, sizeof(*o));
	vouch_scan_opts_default(&o->so);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qj:L:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': o->outdir = optarg; break;
		case 'J': o->json = true; break;
		case 'q': o->quiet = true; break;
		case 'M': o->so.no_magic = true; break;
		case 'j':
			if (cli_parse_u64(optarg, &v) != 0 || v == 0 || v > 16) {
				cli_err("--threads wants a number from 1 to 16");
				return EXIT_USAGE;
			}
			o->so.threads = (unsigned)v;
			break;
		case 'L':
			if (cli_parse_limit(&o->so.limits, optarg) != 0) {
				return EXIT_USAGE;
			}
			break;
		case 'h': help(stdout); return -1;
		default: help(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		cli_err(optind >= argc ? "no IMAGE given" : "exactly one IMAGE, please");
		help(stderr);
		return EXIT_USAGE;
	}
	o->image = argv[optind];
	if (need_out && o->outdir == NULL) {
		cli_err("unpack needs -o DIR (where to write what it finds)");
		return EXIT_USAGE;
	}
	o->so.extract_dir = o->outdir;
	o->tty = isatty(STDERR_FILENO) && !o->quiet;
	if (o->tty) {
		o->so.progress = cli_progress;
	}
	return EXIT_OK;
}

static int
run(int argc, char **argv, bool unpack)
{
	opts o;
	vouch_scan *s = NULL;
	int rc = parse(argc, argv, &o, unpack, unpack ? help_unpack : help_inventory);

	if (rc != EXIT_OK) {
		return rc < 0 ? EXIT_OK : rc;
	}
	if (vouch_scan_new(&s, &o.so) != VOUCH_OK) {
		cli_err("out of memory");
		return EXIT_INTERNAL;
	}
	rc = vouch_scan_run(s, o.image);
	if (o.tty) {
		fputs("\r\033[K", stderr);
	}
	if (rc == VOUCH_E_USAGE || rc == VOUCH_E_IO || rc == VOUCH_E_NOTFOUND || rc == VOUCH_E_NOMEM) {
		if (vouch_scan_report(s)->nfiles == 0) {
			cli_err("%s", vouch_scan_errmsg(s));
			vouch_scan_free(s);
			return rc == VOUCH_E_USAGE ? EXIT_INPUT : cli_exit_for(rc);
		}
	}
	const vouch_report *r = vouch_scan_report(s);
	if (o.json) {
		print_json(&o, r, rc);
	} else if (!unpack) {
		print_inventory(r);
		print_errors(stdout, r);
	}
	if (!o.quiet && (unpack || o.json)) {
		if (unpack && !o.json) {
			print_errors(stderr, r);
		}
		print_summary(stderr, &o, r, rc);
	} else if (!o.quiet && !o.json) {
		print_summary(stderr, &o, r, rc);
	}
	vouch_scan_free(s);
	return cli_exit_for(rc);
}

int
cmd_unpack(int argc, char **argv)
{
	return run(argc, argv, true);
}

int
cmd_inventory(int argc, char **argv)
{
	return run(argc, argv, false);
}
