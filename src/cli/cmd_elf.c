/*
 * cli/cmd_elf.c: `vouch elf FILE... [--json]`: what each ELF file says about itself (SBOM
 * facts: interpreter, SONAME, DT_NEEDED, RPATH/RUNPATH, toolchain comments, build-id, kernel
 * module info) and its hardening (PIE, NX, RELRO, canary, FORTIFY_SOURCE, stripped,
 * dangerous imports), through vouch_elf_analyze().
 *
 * Each file is read whole into one buffer reused from file to file (no mapping: a file
 * truncated under us must not fault), analysed from memory, printed, and forgotten. Output
 * is a block of "key: value" lines per file, or with --json one document holding an array
 * of records. Every string from a file is escaped (vouch_escape_str) before it is printed.
 * Exit status: 0 every file analysed; 3 a file could not be read; 4 a file is not ELF
 * (the others are still printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "vouch/elf.h"
#include "vouch/vouch.h"

/* A file larger than this is refused: ELF files in firmware are a few MiB; a 1 GiB one is
 * not something to hold in memory for a symbol-table read. */
#define ELF_MAX_FILE (1ULL << 30)

void
help_elf(FILE *out)
{
	fputs("usage: vouch elf FILE... [--json]\n"
	      "\n"
	      "Print what each ELF file says about itself: kind (exec, pie, shared, rel, kmod),\n"
	      "machine, interpreter, SONAME, DT_NEEDED, RPATH/RUNPATH, .comment toolchain strings,\n"
	      "GNU build-id, kernel-module .modinfo (vermagic), and its hardening: PIE, NX,\n"
	      "RELRO, stack canary, FORTIFY_SOURCE (fortified/fortifiable), stripped, dangerous\n"
	      "imports. Malformed or inconsistent tables are listed as notes. Strings from the\n"
	      "file that are not printable UTF-8 are shown as \\xNN.\n"
	      "\n"
	      "      --json            one JSON document with an array of file records\n"
	      "  -h, --help            this help\n"
	      "\n"
	      "Exit status: 0 every file analysed; 2 usage; 3 a file could not be read; 4 a file\n"
	      "is not ELF (the others are still reported).\n",
	      out);
}

/* ---- reading ------------------------------------------------------------------------ */

typedef struct buf {
	uint8_t *p;
	size_t cap, n;
} buf;

static int
read_whole(const char *path, buf *b)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0) {
		cli_err("%s: %s", cli_esc(path, 0), strerror(errno));
		return EXIT_INPUT;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cli_err("%s: not a regular file", cli_esc(path, 0));
		close(fd);
		return EXIT_INPUT;
	}
	if ((uint64_t)st.st_size > ELF_MAX_FILE) {
		cli_err("%s: %lld bytes, larger than the %llu this command reads", cli_esc(path, 0),
			(long long)st.st_size, (unsigned long long)ELF_MAX_FILE);
		close(fd);
		return EXIT_INPUT;
	}
	if ((size_t)st.st_size > b->cap) {
		uint8_t *np = realloc(b->p, (size_t)st.st_size);
		if (np == NULL) {
			cli_err("%s: out of memory", cli_esc(path, 0));
			close(fd);
			return EXIT_INTERNAL;
		}
		b->p = np;
		b->cap = (size_t)st.st_size;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, b->p + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			cli_err("%s: %s", cli_esc(path, 0), strerror(errno));
			close(fd);
			return EXIT_INPUT;
		}
		if (r == 0) {
			break; /* shrank under us: analyse what is there */
		}
		got += (size_t)r;
	}
	close(fd);
	b->n = got;
	return EXIT_OK;
}

/* ---- JSON ----------------------------------------------------------------------------- */

static json_t *
jstr(const char *s)
{
	char small[1024];
	size_t need;
	char *big;
	json_t *j;

	if (s == NULL) {
		return json_null();
	}
	need = vouch_escape_str(small, sizeof(small), s);
	if (need < sizeof(small)) {
		return json_string(small);
	}
	big = malloc(need + 1);
	if (big == NULL) {
		return json_null();
	}
	vouch_escape_str(big, need + 1, s);
	j = json_string(big);
	free(big);
	return j;
}

static json_t *
jstrs(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++) {
		json_array_append_new(a, jstr(v[i]));
	}
	return a;
}

static const char *
stack_str(vouch_elf_stack s)
{
	switch (s) {
	case VOUCH_ELF_STACK_NOEXEC: return "noexec";
	case VOUCH_ELF_STACK_EXEC: return "exec";
	default: return "absent";
	}
}

static json_t *
report_json(const char *path, const vouch_elf_report *r)
{
	json_t *o = json_object(), *mi = json_array(), *dg = json_array();

	json_object_set_new(o, "path", jstr(path));
	json_object_set_new(o, "class", json_integer(r->cls));
	json_object_set_new(o, "endian", json_string(r->endian == 2 ? "big" : "little"));
	json_object_set_new(o, "machine", json_string(vouch_elf_machine_str(r->machine)));
	json_object_set_new(o, "e_machine", json_integer(r->machine));
	json_object_set_new(o, "e_type", json_integer(r->type));
	json_object_set_new(o, "e_flags", json_integer(r->flags));
	json_object_set_new(o, "osabi", json_integer(r->osabi));
	json_object_set_new(o, "kind", json_string(vouch_elf_kind_str(r->kind)));
	json_object_set_new(o, "static", json_boolean(r->is_static));
	json_object_set_new(o, "interp", jstr(r->interp));
	json_object_set_new(o, "soname", jstr(r->soname));
	json_object_set_new(o, "needed", jstrs(r->needed, r->n_needed));
	json_object_set_new(o, "rpath", jstr(r->rpath));
	json_object_set_new(o, "runpath", jstr(r->runpath));
	json_object_set_new(o, "comments", jstrs(r->comments, r->n_comments));
	json_object_set_new(o, "build_id", jstr(r->build_id));
	json_object_set_new(o, "vermagic", jstr(r->vermagic));
	for (size_t i = 0; i < r->n_modinfo; i++) {
		json_t *kv = json_object();
		json_object_set_new(kv, "key", jstr(r->modinfo[i].key));
		json_object_set_new(kv, "value", jstr(r->modinfo[i].value));
		json_array_append_new(mi, kv);
	}
	json_object_set_new(o, "modinfo", mi);
	json_object_set_new(o, "pie", json_boolean(r->pie));
	json_object_set_new(o, "nx", json_boolean(r->nx));
	json_object_set_new(o, "stack", json_string(stack_str(r->stack)));
	json_object_set_new(o, "relro", json_string(vouch_elf_relro_str(r->relro)));
	json_object_set_new(o, "bind_now", json_boolean(r->bind_now));
	json_object_set_new(o, "canary", json_boolean(r->canary));
	json_object_set_new(o, "fortify_source", json_boolean(r->fortify_source));
	json_object_set_new(o, "fortified", json_integer(r->fortified));
	json_object_set_new(o, "fortifiable", json_integer(r->fortifiable));
	json_object_set_new(o, "stripped", json_boolean(r->stripped));
	json_object_set_new(o, "debug_info", json_boolean(r->has_debug));
	json_object_set_new(o, "textrel", json_boolean(r->textrel));
	json_object_set_new(o, "imports", json_integer((json_int_t)r->n_imports));
	for (size_t i = 0; i < r->n_dangerous; i++) {
		json_t *d = json_object();
		json_object_set_new(d, "name", jstr(r->dangerous[i]));
		json_object_set_new(d, "why", json_string(vouch_elf_dangerous_why(r->dangerous[i])));
		json_array_append_new(dg, d);
	}
	json_object_set_new(o, "dangerous", dg);
	json_object_set_new(o, "dynamic_from", json_string(vouch_elf_source_str(r->dynamic_from)));
	json_object_set_new(o, "symbols_from", json_string(vouch_elf_source_str(r->symbols_from)));
	json_object_set_new(o, "notes", jstrs(r->notes, r->n_notes));
	return o;
}

/* ---- text ------------------------------------------------------------------------------ */

static void
print_list(const char *key, const char *const *v, size_t n)
{
	if (n == 0) {
		return;
	}
	printf("  %-12s", key);
	for (size_t i = 0; i < n; i++) {
		printf(" %s", cli_esc(v[i], 0));
	}
	putchar('\n');
}

static void
print_opt(const char *key, const char *v)
{
	if (v != NULL) {
		printf("  %-12s %s\n", key, cli_esc(v, 0));
	}
}

static void
report_text(const char *path, const vouch_elf_report *r)
{
	printf("%s: %s, %s, %u-bit %s%s\n", cli_esc(path, 0), vouch_elf_kind_str(r->kind),
	       vouch_elf_machine_str(r->machine), r->cls, r->endian == 2 ? "big" : "little",
	       r->is_static ? ", static" : "");
	print_opt("interp", r->interp);
	print_opt("soname", r->soname);
	print_list("needed", r->needed, r->n_needed);
	print_opt("rpath", r->rpath);
	print_opt("runpath", r->runpath);
	print_opt("build-id", r->build_id);
	for (size_t i = 0; i < r->n_comments; i++) {
		print_opt("comment", r->comments[i]);
	}
	print_opt("vermagic", r->vermagic);
	for (size_t i = 0; i < r->n_modinfo; i++) {
		if (strcmp(r->modinfo[i].key, "vermagic") != 0) {
			printf("  %-12s %s=%s\n", "modinfo", cli_esc(r->modinfo[i].key, 0),
			       cli_esc(r->modinfo[i].value, 1));
		}
	}
	printf("  %-12s PIE %s, NX %s (stack %s), RELRO %s, canary %s, FORTIFY %s "
	       "(%u of %u fortifiable), %s%s\n",
	       "hardening", r->pie ? "yes" : "no", r->nx ? "yes" : "no", stack_str(r->stack),
	       vouch_elf_relro_str(r->relro), r->canary ? "yes" : "no",
	       r->fortify_source ? "yes" : "no", r->fortified, r->fortifiable,
	       r->stripped ? "stripped" : "not stripped", r->textrel ? ", TEXTREL" : "");
	for (size_t i = 0; i < r->n_dangerous; i++) {
		printf("  %-12s %s (%s)\n", "dangerous", r->dangerous[i],
		       vouch_elf_dangerous_why(r->dangerous[i]));
	}
	printf("  %-12s dynamic table from %s, dynamic symbols from %s, %zu imports\n", "source",
	       vouch_elf_source_str(r->dynamic_from), vouch_elf_source_str(r->symbols_from),
	       r->n_imports);
	for (size_t i = 0; i < r->n_notes; i++) {
		print_opt("note", r->notes[i]);
	}
}

/* ---- the command ----------------------------------------------------------------------- */

int
cmd_elf(int argc, char **argv)
{
	static const struct option lopts[] = {
		{"json", no_argument, NULL, 'J'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int c, status = EXIT_OK;
	buf b = {NULL, 0, 0};
	json_t *root = NULL, *files = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'J': json = true; break;
		case 'h': help_elf(stdout); return EXIT_OK;
		default: help_elf(stderr); return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		help_elf(stderr);
		return EXIT_USAGE;
	}
	if (json) {
		root = json_object();
		files = json_array();
		json_object_set_new(root, "tool", json_string("vouch"));
		json_object_set_new(root, "version", json_string(vouch_version()));
	}
	for (int i = optind; i < argc; i++) {
		vouch_elf_report *r = NULL;
		int rc = read_whole(argv[i], &b);

		if (rc != EXIT_OK) {
			if (status == EXIT_OK || rc == EXIT_INTERNAL) {
				status = rc;
			}
			if (json) {
				json_t *o = json_object();
				json_object_set_new(o, "path", jstr(argv[i]));
				json_object_set_new(o, "error", json_string("unreadable"));
				json_array_append_new(files, o);
			}
			continue;
		}
		rc = vouch_elf_analyze(b.p, b.n, &r);
		if (rc != VOUCH_OK) {
			if (rc == VOUCH_E_MALFORMED) {
				cli_err("%s: not an ELF file", cli_esc(argv[i], 0));
			} else {
				cli_err("%s: %s", cli_esc(argv[i], 0), vouch_err_str(rc));
			}
			if (status == EXIT_OK) {
				status = cli_exit_for(rc);
			}
			if (json) {
				json_t *o = json_object();
				json_object_set_new(o, "path", jstr(argv[i]));
				json_object_set_new(o, "error", json_string(
					rc == VOUCH_E_MALFORMED ? "not an ELF file" : vouch_err_str(rc)));
				json_array_append_new(files, o);
			}
			continue;
		}
		if (json) {
			json_array_append_new(files, report_json(argv[i], r));
		} else {
			report_text(argv[i], r);
		}
		vouch_elf_report_free(r);
	}
	free(b.p);
	if (json) {
		json_object_set_new(root, "files", files);
		if (json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0 ||
		    fputc('\n', stdout) == EOF) {
			status = EXIT_INPUT;
		}
		json_decref(root);
	}
	if (fflush(stdout) != 0) {
		cli_err("cannot write the output");
		status = EXIT_INPUT;
	}
	return status;
}
