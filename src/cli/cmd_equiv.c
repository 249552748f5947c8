/*
 * cli/cmd_equiv.c: `vouch equiv DELIVERED REBUILT [--json] [-q]`: is what the vendor
 * delivered the build of the reviewed source? Through vouch_equiv_run() (vouch/equiv.h).
 *
 * Human output: one summary line first (counts per verdict, and how many bytes of the
 * delivery are proven equivalent), then every pair that is not identical with its verdict
 * and classes, and for ELF files every part that is not the same, with its differing ranges.
 * --json prints everything, identical pairs and unchanged parts included. Paths, section
 * names and link targets come from images: they are escaped before printing.
 * Exit status: 0 every delivered file identical or equivalent and nothing missing; 7 a file
 * differs in code or data, or is only on one side; 4 / 5 an image was corrupt or a limit
 * stopped its unpacking (the rest equivalent); 3 an input could not be read; 2 usage.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vouch/equiv.h"
#include "vouch/vouch.h"

void
help_equiv(FILE *out)
{
	fputs("usage: vouch equiv DELIVERED REBUILT [--json] [-q] [-L NAME=VALUE]\n"
	      "\n"
	      "Binary equivalence between what a vendor delivered and the lab's own rebuild\n"
	      "from the reviewed source. Each side is a firmware image (unpacked in memory), a\n"
	      "directory or a single file. Files pair by their path inside the image without\n"
	      "the image's name (fw.bin/squashfs/usr/bin/x with rebuilt.bin/squashfs/usr/bin/x),\n"
	      "or relative to the directory. Each pair is:\n"
	      "  identical       same SHA-256 (links: same target)\n"
	      "  equivalent      differs only in build-id, debug-link, comment, debug info,\n"
	      "                  embedded build paths, timestamps, signatures, moved offsets\n"
	      "  different       code or data differ\n"
	      "  only-delivered, only-rebuilt\n"
	      "ELF files are compared part by part (ELF header, program headers, each section\n"
	      "by name, the bytes between them, an appended module signature) and every\n"
	      "differing byte range is classified: build-id, debug-link, comment, debug, path,\n"
	      "timestamp, signature, layout (benign), code, data. Other files give their first\n"
	      "differing offset and the number of differing bytes.\n"
	      "\n"
	      "      --json            everything as one JSON document\n"
	      "  -q, --quiet           only the summary line; no progress bar\n"
	      "  -L, --limit N=V       change an unpacking limit (see 'vouch limits')\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 every delivered file identical or equivalent; 7 something differs\n"
	      "in code or data or is missing on one side; 4 an image was corrupt and 5 a limit\n"
	      "stopped its unpacking (everything read was equivalent); 3 an input could not be\n"
	      "read; 2 usage.\n",
	      out);
}

/* ---- text ------------------------------------------------------------------------------ */

static void
print_classes(uint32_t m)
{
	bool first = true;

	for (int c = 0; c < VOUCH_EQUIV_NCLASSES; c++) {
		if (m & (1u << c)) {
			printf("%s%s", first ? "" : ",", vouch_equiv_class_str(c));
			first = false;
		}
	}
	if (first) {
		fputs("-", stdout);
	}
}

static double
mib(uint64_t b)
{
	return (double)b / 1048576.0;
}

static double
percent(const vouch_equiv_summary *s)
{
	return s->bytes_delivered ? 100.0 * (double)s->bytes_proven / (double)s->bytes_delivered
				  : 100.0;
}

static void
summary_text(const char *d, const char *r, const vouch_equiv_summary *s)
{
	uint64_t n = 0;

	for (int v = 0; v < VOUCH_EQUIV_NVERDICTS; v++) {
		n += s->files[v];
	}
	printf("equiv: %llu pairs: %llu identical, %llu equivalent, %llu different, "
	       "%llu only delivered, %llu only rebuilt; %.2f of %.2f MiB delivered proven "
	       "equivalent (%.1f%%)  [%s %s vs %s %s]\n",
	       (unsigned long long)n, (unsigned long long)s->files[VOUCH_EQUIV_IDENTICAL],
	       (unsigned long long)s->files[VOUCH_EQUIV_EQUIVALENT],
	       (unsigned long long)s->files[VOUCH_EQUIV_DIFFERENT],
	       (unsigned long long)s->files[VOUCH_EQUIV_ONLY_DELIVERED],
	       (unsigned long long)s->files[VOUCH_EQUIV_ONLY_REBUILT], mib(s->bytes_proven),
	       mib(s->bytes_delivered), percent(s), s->delivered.kind, cli_esc(d, 0),
	       s->rebuilt.kind, cli_esc(r, 1));
}

static void
part_text(const vouch_equiv_part *p)
{
	printf("    %-24s %-14s ", cli_esc(p->name, 0), vouch_equiv_part_status_str(p->status));
	print_classes(p->classes);
	if (p->fields != NULL) {
		printf("  fields %s", p->fields);
	}
	for (size_t i = 0; i < p->nranges; i++) {
		const vouch_equiv_range *g = &p->ranges[i];
		printf("%s0x%llx+%llu %s", i == 0 ? "  ranges " : ", ",
		       (unsigned long long)g->offset, (unsigned long long)g->length,
		       vouch_equiv_class_str(g->cls));
	}
	if (p->ranges_total > p->nranges) {
		printf(" (+%llu more)", (unsigned long long)(p->ranges_total - p->nranges));
	}
	if (p->status == VOUCH_EQUIV_PART_ONLY_DELIVERED ||
	    p->status == VOUCH_EQUIV_PART_ONLY_REBUILT) {
		printf("  %llu bytes", (unsigned long long)(p->size_d + p->size_r));
	}
	putchar('\n');
}

static void
file_text(const vouch_equiv_file *f)
{
	printf("%-14s %s  ", vouch_equiv_verdict_str(f->verdict), cli_esc(f->path, 0));
	if (f->verdict == VOUCH_EQUIV_ONLY_DELIVERED || f->verdict == VOUCH_EQUIV_ONLY_REBUILT) {
		printf("(%s, %llu bytes)\n",
		       vouch_ftype_str(f->verdict == VOUCH_EQUIV_ONLY_DELIVERED ? f->ftype_d
										: f->ftype_r),
		       (unsigned long long)(f->size_d + f->size_r));
		return;
	}
	putchar('[');
	print_classes(f->classes);
	putchar(']');
	if (f->link_d != NULL || f->link_r != NULL) {
		printf("  -> %s vs %s", cli_esc(f->link_d, 0), cli_esc(f->link_r, 1));
	} else if (!f->elf && f->diff_bytes > 0) {
		printf("  first difference at 0x%llx, %llu bytes differ (%llu vs %llu bytes)",
		       (unsigned long long)f->first_diff, (unsigned long long)f->diff_bytes,
		       (unsigned long long)f->size_d, (unsigned long long)f->size_r);
	}
	if (f->note != NULL) {
		printf("  (%s)", f->note);
	}
	putchar('\n');
	for (size_t i = 0; i < f->nparts; i++) {
		if (f->parts[i].status != VOUCH_EQUIV_PART_SAME) {
			part_text(&f->parts[i]);
		}
	}
}

/* ---- JSON ------------------------------------------------------------------------------- */

static json_t *
classes_json(uint32_t m)
{
	json_t *a = json_array();

	for (int c = 0; c < VOUCH_EQUIV_NCLASSES; c++) {
		if (m & (1u << c)) {
			json_array_append_new(a, json_string(vouch_equiv_class_str(c)));
		}
	}
	return a;
}

static json_t *
hex(const uint8_t *p, bool has)
{
	char s[65];

	if (!has) {
		return json_null();
	}
	for (int i = 0; i < 32; i++) {
		snprintf(s + 2 * i, 3, "%02x", p[i]);
	}
	return json_string(s);
}

static json_t *
part_json(const vouch_equiv_part *p)
{
	json_t *o = json_object(), *rs = json_array();

	json_object_set_new(o, "name", cli_jstr(p->name));
	json_object_set_new(o, "status", json_string(vouch_equiv_part_status_str(p->status)));
	json_object_set_new(o, "classes", classes_json(p->classes));
	json_object_set_new(o, "offset_delivered", json_integer((json_int_t)p->offset_d));
	json_object_set_new(o, "size_delivered", json_integer((json_int_t)p->size_d));
	json_object_set_new(o, "offset_rebuilt", json_integer((json_int_t)p->offset_r));
	json_object_set_new(o, "size_rebuilt", json_integer((json_int_t)p->size_r));
	json_object_set_new(o, "diff_bytes", json_integer((json_int_t)p->diff_bytes));
	json_object_set_new(o, "fields", p->fields ? json_string(p->fields) : json_null());
	for (size_t i = 0; i < p->nranges; i++) {
		json_t *g = json_object();
		json_object_set_new(g, "offset", json_integer((json_int_t)p->ranges[i].offset));
		json_object_set_new(g, "length", json_integer((json_int_t)p->ranges[i].length));
		json_object_set_new(g, "class",
				    json_string(vouch_equiv_class_str(p->ranges[i].cls)));
		json_array_append_new(rs, g);
	}
	json_object_set_new(o, "ranges", rs);
	json_object_set_new(o, "ranges_total", json_integer((json_int_t)p->ranges_total));
	return o;
}

static json_t *
file_json(const vouch_equiv_file *f)
{
	json_t *o = json_object(), *ps = json_array();
	bool d = f->delivered != NULL, r = f->rebuilt != NULL;

	json_object_set_new(o, "path", cli_jstr(f->path));
	json_object_set_new(o, "verdict", json_string(vouch_equiv_verdict_str(f->verdict)));
	json_object_set_new(o, "classes", classes_json(f->classes));
	json_object_set_new(o, "delivered", cli_jstr(f->delivered));
	json_object_set_new(o, "rebuilt", cli_jstr(f->rebuilt));
	json_object_set_new(o, "type_delivered", d ? json_string(vouch_ftype_str(f->ftype_d))
						   : json_null());
	json_object_set_new(o, "type_rebuilt", r ? json_string(vouch_ftype_str(f->ftype_r))
						 : json_null());
	json_object_set_new(o, "size_delivered", d ? json_integer((json_int_t)f->size_d)
						   : json_null());
	json_object_set_new(o, "size_rebuilt", r ? json_integer((json_int_t)f->size_r)
						 : json_null());
	json_object_set_new(o, "sha256_delivered", hex(f->sha_d, f->has_sha_d));
	json_object_set_new(o, "sha256_rebuilt", hex(f->sha_r, f->has_sha_r));
	if (f->link_d != NULL || f->link_r != NULL) {
		json_object_set_new(o, "link_delivered", cli_jstr(f->link_d));
		json_object_set_new(o, "link_rebuilt", cli_jstr(f->link_r));
	}
	json_object_set_new(o, "elf", json_boolean(f->elf));
	if (f->verdict == VOUCH_EQUIV_EQUIVALENT || f->verdict == VOUCH_EQUIV_DIFFERENT) {
		json_object_set_new(o, "first_diff", json_integer((json_int_t)f->first_diff));
		json_object_set_new(o, "diff_bytes", json_integer((json_int_t)f->diff_bytes));
	}
	json_object_set_new(o, "note", f->note ? json_string(f->note) : json_null());
	for (size_t i = 0; i < f->nparts; i++) {
		json_array_append_new(ps, part_json(&f->parts[i]));
	}
	json_object_set_new(o, "parts", ps);
	return o;
}

static json_t *
side_json(const char *input, const vouch_equiv_side *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "input", cli_jstr(input));
	json_object_set_new(o, "kind", json_string(s->kind));
	json_object_set_new(o, "scan", json_string(vouch_err_str(s->scan)));
	json_object_set_new(o, "entries", json_integer((json_int_t)s->files));
	json_object_set_new(o, "containers", json_integer((json_int_t)s->containers));
	json_object_set_new(o, "scan_errors", json_integer((json_int_t)s->scan_errors));
	json_object_set_new(o, "scan_passes", json_integer((json_int_t)s->passes));
	return o;
}

static json_t *
summary_json(const vouch_equiv_summary *s)
{
	json_t *o = json_object(), *fs = json_object(), *bs = json_object();

	for (int v = 0; v < VOUCH_EQUIV_NVERDICTS; v++) {
		json_object_set_new(fs, vouch_equiv_verdict_str(v),
				    json_integer((json_int_t)s->files[v]));
		json_object_set_new(bs, vouch_equiv_verdict_str(v),
				    json_integer((json_int_t)s->bytes[v]));
	}
	json_object_set_new(o, "files", fs);
	json_object_set_new(o, "bytes", bs);
	json_object_set_new(o, "bytes_delivered", json_integer((json_int_t)s->bytes_delivered));
	json_object_set_new(o, "bytes_proven", json_integer((json_int_t)s->bytes_proven));
	json_object_set_new(o, "proven_percent", json_real(percent(s)));
	json_object_set_new(o, "classes", classes_json(s->classes));
	json_object_set_new(o, "seconds", json_real(s->seconds));
	return o;
}

/* ---- the command -------------------------------------------------------------------------- */

static int
status_of(const vouch_equiv_summary *s)
{
	if (s->files[VOUCH_EQUIV_DIFFERENT] + s->files[VOUCH_EQUIV_ONLY_DELIVERED] +
		    s->files[VOUCH_EQUIV_ONLY_REBUILT] >
	    0) {
		return EXIT_VERIFY;
	}
	if (s->delivered.scan != VOUCH_OK) {
		return cli_exit_for(s->delivered.scan);
	}
	if (s->rebuilt.scan != VOUCH_OK) {
		return cli_exit_for(s->rebuilt.scan);
	}
	return EXIT_OK;
}

int
cmd_equiv(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"json", no_argument, NULL, 'J'},
		{"quiet", no_argument, NULL, 'q'},
		{"limit", required_argument, NULL, 'L'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	vouch_equiv_opts o;
	vouch_equiv *q = NULL;
	bool json = false, quiet = false, tty;
	char why[512];
	int c, rc, status;
	size_t n;

	vouch_equiv_opts_default(&o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "qhL:", lopts, NULL)) != -1) {
		switch (c) {
		case 'J': json = true; break;
		case 'q': quiet = true; break;
		case 'L':
			if (cli_parse_limit(&o.limits, optarg) != 0) {
				return EXIT_USAGE;
			}
			break;
		case 'h': help_equiv(stdout); return EXIT_OK;
		default: help_equiv(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		help_equiv(stderr);
		return EXIT_USAGE;
	}
	tty = isatty(STDERR_FILENO) && !quiet;
	if (tty) {
		o.progress = cli_progress;
	}
	rc = vouch_equiv_run(&q, argv[optind], argv[optind + 1], &o, why, sizeof(why));
	if (tty) {
		fputs("\r\033[K", stderr);
	}
	if (rc != VOUCH_OK) {
		cli_err("equiv: %s", why[0] ? cli_esc(why, 0) : vouch_err_str(rc));
		if (rc == VOUCH_E_LIMIT) {
			cli_err("raise the limit with --limit NAME=VALUE (see 'vouch limits')");
		}
		return rc == VOUCH_E_USAGE ? EXIT_USAGE : cli_exit_for(rc);
	}
	const vouch_equiv_summary *s = vouch_equiv_get_summary(q);
	const vouch_equiv_file *fs = vouch_equiv_files(q, &n);
	status = status_of(s);
	if (json) {
		json_t *root = json_object(), *files = json_array();
		json_object_set_new(root, "tool", json_string("vouch"));
		json_object_set_new(root, "version", json_string(vouch_version()));
		json_object_set_new(root, "delivered", side_json(argv[optind], &s->delivered));
		json_object_set_new(root, "rebuilt", side_json(argv[optind + 1], &s->rebuilt));
		json_object_set_new(root, "summary", summary_json(s));
		json_object_set_new(root, "exit", json_integer(status));
		for (size_t i = 0; i < n; i++) {
			json_array_append_new(files, file_json(&fs[i]));
		}
		json_object_set_new(root, "files", files);
		if (json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0 ||
		    fputc('\n', stdout) == EOF) {
			status = EXIT_INPUT;
		}
		json_decref(root);
	} else {
		summary_text(argv[optind], argv[optind + 1], s);
		if (s->delivered.scan != VOUCH_OK || s->rebuilt.scan != VOUCH_OK) {
			printf("note: unpacking was incomplete (delivered: %s, rebuilt: %s); "
			       "see 'vouch inventory'\n",
			       vouch_err_str(s->delivered.scan), vouch_err_str(s->rebuilt.scan));
		}
		for (size_t i = 0; i < n && !quiet; i++) {
			if (fs[i].verdict != VOUCH_EQUIV_IDENTICAL) {
				file_text(&fs[i]);
			}
		}
	}
	vouch_equiv_free(q);
	if (fflush(stdout) != 0) {
		cli_err("cannot write the output");
		status = EXIT_INPUT;
	}
	return status;
}
