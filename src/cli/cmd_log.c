/*
 * cli/cmd_log.c: `vouch log ...`, the lab's transparency log (include/vouch/tlog.h).
 *
 * Thin wrappers: parse arguments, read small inputs with a size ceiling, call the library,
 * print results to stdout and reasons to stderr. `--log DIR` (anywhere) selects the log,
 * default ./vouch-lab/log. Verification commands exit 7 when the answer is "no" (a proof,
 * signature or stored state that does not check out), distinct from errors (2 usage, 3
 * unreadable input, 4 malformed input). `append` prints an index only after the batch is
 * durable, so a printed index is an acknowledged one.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_log.h"
#include "vouch/tlog.h"
#include "vouch/vouch.h"

#define INPUT_MAX (4u << 20) /* notes, proofs, bundles and keys are small */
#define DEFAULT_LOG "./vouch-lab/log"

void
help_log(FILE *out)
{
	fputs("usage: vouch log [--log DIR] COMMAND ...\n"
	      "\n"
	      "  init --origin NAME          create the log and its key; print the verifier key\n"
	      "  append [FILE...|-]          append the SHA-256 of each object (stored in\n"
	      "                              DIR/objects/<hex>); print each index once durable\n"
	      "  checkpoint                  sign and publish a checkpoint for the current size\n"
	      "  prove INDEX [--size N]      inclusion proof (JSON); default size: latest checkpoint\n"
	      "  consistency OLD NEW         consistency proof (JSON)\n"
	      "  tiles -o DIR                export C2SP tlog-tiles of the latest checkpoint\n"
	      "  bundle INDEX                C2SP tlog-proof for INDEX (latest checkpoint)\n"
	      "  verify                      full audit of the stored log\n"
	      "  verify-proof --key VKEY --checkpoint CP (--file F | --entry-hex HEX) PROOF.json\n"
	      "  verify-proof --key VKEY --old CP1 --checkpoint CP2 CONSISTENCY.json\n"
	      "  verify-bundle --key VKEY [--witness WKEY]... [--min-cosigs N] [--file F] BUNDLE\n"
	      "  witness add-key WKEY        accept cosignatures from this witness key\n"
	      "  witness add-cosig NOTE      store the cosignatures of a published checkpoint\n"
	      "  witness cosign --key KEYFILE --log-key VKEY --new CP [--old CP --proof JSON]\n"
	      "                              act as a witness: verify, print a cosignature line\n"
	      "\n"
	      "VKEY/WKEY arguments are verifier key text or a file holding it. Entries of\n"
	      "`append` are 32-byte SHA-256 digests: the log commits to objects stored beside it.\n"
	      "Exit status: 0 ok; 7 verification failed; 2 usage; 3 unreadable input;\n"
	      "4 malformed input; 6 key file refused.\n",
	      out);
}

static int
fail(int rc, const char *what, const char *detail)
{
	cli_err("%s: %s", what, detail != NULL && detail[0] != '\0' ? detail : vouch_err_str(rc));
	return cli_exit_for(rc);
}

/* Read a whole small file ("-" = stdin) into a NUL-terminated buffer. */
static char *
slurp(const char *path, size_t *len)
{
	int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0, cap = 4096;
	char *buf;

	if (fd < 0) {
		return NULL;
	}
	buf = malloc(cap + 1);
	while (buf != NULL) {
		ssize_t r;

		if (n == cap) {
			char *nb = cap >= INPUT_MAX ? NULL : realloc(buf, cap * 2 + 1);

			if (nb == NULL) {
				free(buf);
				buf = NULL;
				errno = EFBIG;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			free(buf);
			buf = NULL;
			break;
		}
		if (r == 0) {
			buf[n] = '\0';
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	if (buf != NULL && len != NULL) {
		*len = n;
	}
	return buf;
}

/* A verifier key given as text or as a file holding it (trailing newline dropped). */
static char *
vkey_arg(const char *arg)
{
	char *s = NULL;
	size_t n = 0;

	if (strchr(arg, '+') == NULL || access(arg, F_OK) == 0) {
		s = slurp(arg, &n);
	}
	if (s == NULL) {
		s = strdup(arg);
		n = s != NULL ? strlen(s) : 0;
	}
	while (s != NULL && n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ')) {
		s[--n] = '\0';
	}
	return s;
}

static int
parse_index(const char *s, uint64_t *v)
{
	char *end = NULL;

	if (s == NULL || *s < '0' || *s > '9') {
		return -1;
	}
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

static int
open_log(const char *dir, vouch_tlog **t)
{
	char why[512] = "";
	int rc = vouch_tlog_open(dir, t, why, sizeof(why));

	if (rc != VOUCH_OK) {
		cli_err("%s: %s", dir, why[0] != '\0' ? why : vouch_err_str(rc));
		if (rc == VOUCH_E_VERIFY) {
			cli_err("the log's stored state is inconsistent: refusing to start");
		}
		return cli_exit_for(rc);
	}
	return EXIT_OK;
}

static void
print_proof(const char *k1, uint64_t a, const char *k2, uint64_t b, const uint8_t *p,
	    size_t n)
{
	char *s = NULL;

	if (vouch_tlog_proof_format(k1, a, k2, b, p, n, &s) == VOUCH_OK) {
		puts(s);
	}
	free(s);
}

/* ---- subcommands ---------------------------------------------------------------------- */

static int
log_init(const char *dir, int argc, char **argv)
{
	const char *origin = NULL;
	char why[512] = "", *vkey = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--origin") == 0 && i + 1 < argc) {
			origin = argv[++i];
		} else {
			cli_err("log init: unexpected '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (origin == NULL) {
		cli_err("log init: --origin NAME is required");
		return EXIT_USAGE;
	}
	{
		/* the default lives under ./vouch-lab: create its parent */
		char parent[4096];
		const char *slash = strrchr(dir, '/');

		if (slash != NULL && (size_t)(slash - dir) < sizeof(parent) && slash != dir) {
			memcpy(parent, dir, (size_t)(slash - dir));
			parent[slash - dir] = '\0';
			if (mkdir(parent, 0755) != 0 && errno != EEXIST) {
				cli_err("%s: %s", parent, strerror(errno));
				return EXIT_INPUT;
			}
		}
	}
	rc = vouch_tlog_init(dir, origin, &vkey, why, sizeof(why));
	if (rc != VOUCH_OK) {
		return fail(rc, "log init", why);
	}
	puts(vkey);
	free(vkey);
	return EXIT_OK;
}

static int
log_append(vouch_tlog *t, int argc, char **argv)
{
	const char *dash = "-";
	const char *const *paths = (const char *const *)argv + 1;
	size_t n = (size_t)argc - 1;
	uint64_t first = 0;
	int rc;

	if (n == 0) {
		paths = &dash;
		n = 1;
	}
	rc = vouch_tlog_append_files(t, paths, n, &first);
	if (rc != VOUCH_OK) {
		return fail(rc, "log append", vouch_tlog_errmsg(t));
	}
	/* durable now: acknowledge */
	for (size_t i = 0; i < n; i++) {
		printf("%llu\n", (unsigned long long)(first + i));
	}
	fflush(stdout);
	return EXIT_OK;
}

static int
log_checkpoint(vouch_tlog *t)
{
	char *note = NULL;
	int rc = vouch_tlog_checkpoint(t, &note);

	if (rc != VOUCH_OK) {
		return fail(rc, "log checkpoint", vouch_tlog_errmsg(t));
	}
	fputs(note, stdout);
	free(note);
	return EXIT_OK;
}

/* The size of the latest checkpoint, or the tree size when none. */
static int
default_size(vouch_tlog *t, uint64_t *size)
{
	char *note = NULL;
	int rc = vouch_tlog_latest(t, &note);

	if (rc == VOUCH_OK) {
		const char *nl = strchr(note, '\n');

		rc = nl != NULL && parse_index(nl + 1, size) == 0 ? VOUCH_OK : VOUCH_E_INTERNAL;
		if (rc != VOUCH_OK) {
			/* "size\n": parse up to the newline */
			char buf[32];
			const char *e = nl != NULL ? strchr(nl + 1, '\n') : NULL;

			if (e != NULL && (size_t)(e - nl - 1) < sizeof(buf)) {
				memcpy(buf, nl + 1, (size_t)(e - nl - 1));
				buf[e - nl - 1] = '\0';
				rc = parse_index(buf, size) == 0 ? VOUCH_OK : VOUCH_E_INTERNAL;
			}
		}
		free(note);
		return rc;
	}
	return vouch_tlog_size(t, size);
}

static int
log_prove(vouch_tlog *t, int argc, char **argv)
{
	vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX];
	uint64_t index, size;
	int have_size = 0, rc;
	size_t n = 0;
	const char *idx = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--size") == 0 && i + 1 < argc) {
			if (parse_index(argv[++i], &size) != 0) {
				cli_err("log prove: bad --size");
				return EXIT_USAGE;
			}
			have_size = 1;
		} else if (idx == NULL) {
			idx = argv[i];
		} else {
			cli_err("log prove: unexpected '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (idx == NULL || parse_index(idx, &index) != 0) {
		cli_err("log prove: INDEX required");
		return EXIT_USAGE;
	}
	if (!have_size && (rc = default_size(t, &size)) != VOUCH_OK) {
		return fail(rc, "log prove", vouch_tlog_errmsg(t));
	}
	rc = vouch_tlog_prove(t, index, size, proof, &n);
	if (rc != VOUCH_OK) {
		return fail(rc, "log prove", vouch_tlog_errmsg(t));
	}
	print_proof("index", index, "tree_size", size, proof[0], n);
	return EXIT_OK;
}

static int
log_consistency(vouch_tlog *t, int argc, char **argv)
{
	vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX];
	uint64_t a, b;
	size_t n = 0;
	int rc;

	if (argc != 3 || parse_index(argv[1], &a) != 0 || parse_index(argv[2], &b) != 0) {
		cli_err("log consistency: OLD NEW required");
		return EXIT_USAGE;
	}
	rc = vouch_tlog_prove_consistency(t, a, b, proof, &n);
	if (rc != VOUCH_OK) {
		return fail(rc, "log consistency", vouch_tlog_errmsg(t));
	}
	print_proof("old_size", a, "new_size", b, proof[0], n);
	return EXIT_OK;
}

static int
log_tiles(vouch_tlog *t, int argc, char **argv)
{
	int rc;

	if (argc != 3 || strcmp(argv[1], "-o") != 0) {
		cli_err("log tiles: -o DIR required");
		return EXIT_USAGE;
	}
	rc = vouch_tlog_export_tiles(t, argv[2]);
	return rc == VOUCH_OK ? EXIT_OK : fail(rc, "log tiles", vouch_tlog_errmsg(t));
}

static int
log_bundle(vouch_tlog *t, int argc, char **argv)
{
	uint64_t index;
	char *b = NULL;
	int rc;

	if (argc != 2 || parse_index(argv[1], &index) != 0) {
		cli_err("log bundle: INDEX required");
		return EXIT_USAGE;
	}
	rc = vouch_tlog_bundle(t, index, &b);
	if (rc != VOUCH_OK) {
		return fail(rc, "log bundle", vouch_tlog_errmsg(t));
	}
	fputs(b, stdout);
	free(b);
	return EXIT_OK;
}

static int
log_verify(vouch_tlog *t)
{
	uint64_t e = 0, c = 0;
	int rc = vouch_tlog_audit(t, &e, &c);

	if (rc != VOUCH_OK) {
		return fail(rc, "log verify", vouch_tlog_errmsg(t));
	}
	printf("ok: %llu entries and %llu checkpoints verified\n", (unsigned long long)e,
	       (unsigned long long)c);
	return EXIT_OK;
}

/* The entry `append` makes for a file: its SHA-256, streamed. */
static int
file_entry(const char *path, uint8_t **entry, size_t *len)
{
	int rc;

	*entry = malloc(VOUCH_TLOG_HASH_LEN);
	if (*entry == NULL) {
		return VOUCH_E_NOMEM;
	}
	rc = vouch_tlog_digest_file(path, *entry);
	*len = VOUCH_TLOG_HASH_LEN;
	return rc;
}

static int
log_verify_proof(int argc, char **argv)
{
	const char *key = NULL, *cp = NULL, *old = NULL, *file = NULL, *hex = NULL, *pf = NULL;
	char *vkey = NULL, *cpt = NULL, *oldt = NULL, *pj = NULL, why[512] = "";
	vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX], root, root1, leaf;
	uint64_t size = 0, size1 = 0, a = 0, b = 0;
	uint8_t *entry = NULL;
	size_t cl = 0, ol = 0, pl = 0, n = 0, el = 0;
	int rc, ex = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--key") == 0) {
			key = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--checkpoint") == 0) {
			cp = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--old") == 0) {
			old = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--file") == 0) {
			file = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--entry-hex") == 0) {
			hex = argv[++i];
		} else if (pf == NULL) {
			pf = argv[i];
		} else {
			cli_err("log verify-proof: unexpected '%s'", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (key == NULL || cp == NULL || pf == NULL || (old == NULL && file == NULL && hex == NULL)) {
		help_log(stderr);
		return EXIT_USAGE;
	}
	vkey = vkey_arg(key);
	cpt = slurp(cp, &cl);
	pj = slurp(pf, &pl);
	if (vkey == NULL || cpt == NULL || pj == NULL) {
		ex = fail(VOUCH_E_IO, "log verify-proof", "cannot read the key, checkpoint or proof");
		goto out;
	}
	rc = vouch_tlog_checkpoint_open(cpt, cl, vkey, &size, root, why, sizeof(why));
	if (rc != VOUCH_OK) {
		ex = fail(rc, "checkpoint", why);
		goto out;
	}
	if (old != NULL) {
		oldt = slurp(old, &ol);
		if (oldt == NULL) {
			ex = fail(VOUCH_E_IO, "log verify-proof", old);
			goto out;
		}
		rc = vouch_tlog_checkpoint_open(oldt, ol, vkey, &size1, root1, why, sizeof(why));
		if (rc != VOUCH_OK) {
			ex = fail(rc, "old checkpoint", why);
			goto out;
		}
		if (vouch_tlog_proof_parse(pj, pl, "old_size", &a, "new_size", &b, proof, &n) !=
		    VOUCH_OK) {
			ex = fail(VOUCH_E_MALFORMED, "log verify-proof", "not a consistency proof");
			goto out;
		}
		if (a != size1 || b != size) {
			ex = fail(VOUCH_E_VERIFY, "log verify-proof",
				  "the proof's sizes are not the checkpoints'");
			goto out;
		}
		rc = vouch_tlog_verify_consistency(a, b, proof[0], n, root1, root);
		if (rc != VOUCH_OK) {
			ex = fail(rc, "log verify-proof", "the consistency proof does not verify");
			goto out;
		}
		printf("ok: consistent %llu -> %llu\n", (unsigned long long)a, (unsigned long long)b);
		goto out;
	}
	if (vouch_tlog_proof_parse(pj, pl, "index", &a, "tree_size", &b, proof, &n) != VOUCH_OK) {
		ex = fail(VOUCH_E_MALFORMED, "log verify-proof", "not an inclusion proof");
		goto out;
	}
	if (b != size) {
		ex = fail(VOUCH_E_VERIFY, "log verify-proof",
			  "the proof's tree size is not the checkpoint's");
		goto out;
	}
	if (file != NULL) {
		rc = file_entry(file, &entry, &el);
	} else {
		size_t hl = strlen(hex);

		rc = hl % 2 == 0 && hl <= 2 * 65535 ? VOUCH_OK : VOUCH_E_MALFORMED;
		entry = malloc(hl / 2 + 1);
		for (size_t i = 0; rc == VOUCH_OK && entry != NULL && i < hl / 2; i++) {
			unsigned v;

			if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
				rc = VOUCH_E_MALFORMED;
			}
			entry[i] = (uint8_t)v;
		}
		el = hl / 2;
	}
	if (rc != VOUCH_OK || entry == NULL) {
		ex = fail(rc != VOUCH_OK ? rc : VOUCH_E_NOMEM, "log verify-proof", "entry");
		goto out;
	}
	vouch_tlog_leaf_hash(entry, el, leaf);
	rc = vouch_tlog_verify_inclusion(a, b, leaf, proof[0], n, root);
	if (rc != VOUCH_OK) {
		ex = fail(rc, "log verify-proof", "the inclusion proof does not verify");
		goto out;
	}
	printf("ok: entry %llu included in the checkpoint of size %llu\n", (unsigned long long)a,
	       (unsigned long long)b);
out:
	free(vkey);
	free(cpt);
	free(oldt);
	free(pj);
	free(entry);
	return ex;
}

static int
log_verify_bundle(int argc, char **argv)
{
	const char *key = NULL, *file = NULL, *bf = NULL;
	char *wk[64], *vkey = NULL, *bt = NULL, why[512] = "";
	size_t nw = 0, bl = 0, el = 0;
	uint64_t min = 0, index = 0;
	uint8_t *entry = NULL;
	int rc, ex = EXIT_OK;

	for (int i = 1; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "--key") == 0) {
			key = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--witness") == 0 && nw < 64) {
			wk[nw] = vkey_arg(argv[++i]);
			if (wk[nw] == NULL) {
				return EXIT_INTERNAL;
			}
			nw++;
		} else if (i + 1 < argc && strcmp(argv[i], "--min-cosigs") == 0) {
			if (parse_index(argv[++i], &min) != 0) {
				return EXIT_USAGE;
			}
		} else if (i + 1 < argc && strcmp(argv[i], "--file") == 0) {
			file = argv[++i];
		} else if (bf == NULL) {
			bf = argv[i];
		} else {
			cli_err("log verify-bundle: unexpected '%s'", argv[i]);
			ex = EXIT_USAGE;
			goto out;
		}
	}
	if (key == NULL || bf == NULL) {
		help_log(stderr);
		ex = EXIT_USAGE;
		goto out;
	}
	vkey = vkey_arg(key);
	bt = slurp(bf, &bl);
	if (vkey == NULL || bt == NULL) {
		ex = fail(VOUCH_E_IO, "log verify-bundle", "cannot read the key or bundle");
		goto out;
	}
	if (file != NULL && (rc = file_entry(file, &entry, &el)) != VOUCH_OK) {
		ex = fail(rc, "log verify-bundle", file);
		goto out;
	}
	rc = vouch_tlog_verify_bundle(bt, bl, vkey, (const char *const *)wk, nw, (size_t)min, entry,
				      el, &index, why, sizeof(why));
	if (rc != VOUCH_OK) {
		ex = fail(rc, "log verify-bundle", why);
		goto out;
	}
	printf("ok: entry %llu included under a valid checkpoint\n", (unsigned long long)index);
out:
	for (size_t i = 0; i < nw; i++) {
		free(wk[i]);
	}
	free(vkey);
	free(bt);
	free(entry);
	return ex;
}

static int
log_witness(const char *dir, int argc, char **argv)
{
	vouch_tlog *t = NULL;
	int ex;

	if (argc < 2) {
		help_log(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "cosign") == 0) {
		const char *key = NULL, *lk = NULL, *nf = NULL, *of = NULL, *pf = NULL;
		char *vkey = NULL, *nt = NULL, *ot = NULL, *pj = NULL, *line = NULL, why[512] = "";
		vouch_tlog_hash proof[VOUCH_TLOG_PROOF_MAX];
		size_t nl = 0, ol = 0, pl = 0, n = 0;
		uint64_t a, b;
		int rc;

		for (int i = 2; i + 1 < argc; i += 2) {
			if (strcmp(argv[i], "--key") == 0) {
				key = argv[i + 1];
			} else if (strcmp(argv[i], "--log-key") == 0) {
				lk = argv[i + 1];
			} else if (strcmp(argv[i], "--new") == 0) {
				nf = argv[i + 1];
			} else if (strcmp(argv[i], "--old") == 0) {
				of = argv[i + 1];
			} else if (strcmp(argv[i], "--proof") == 0) {
				pf = argv[i + 1];
			} else {
				cli_err("log witness cosign: unexpected '%s'", argv[i]);
				return EXIT_USAGE;
			}
		}
		if (key == NULL || lk == NULL || nf == NULL || (argc % 2) != 0 ||
		    (of != NULL) != (pf != NULL)) {
			help_log(stderr);
			return EXIT_USAGE;
		}
		ex = EXIT_OK;
		vkey = vkey_arg(lk);
		nt = slurp(nf, &nl);
		if (of != NULL) {
			ot = slurp(of, &ol);
			pj = slurp(pf, &pl);
		}
		if (vkey == NULL || nt == NULL || (of != NULL && (ot == NULL || pj == NULL))) {
			ex = fail(VOUCH_E_IO, "log witness cosign", "cannot read an input");
			goto cosign_out;
		}
		if (pj != NULL && vouch_tlog_proof_parse(pj, pl, "old_size", &a, "new_size", &b,
							 proof, &n) != VOUCH_OK) {
			ex = fail(VOUCH_E_MALFORMED, "log witness cosign", "bad consistency proof");
			goto cosign_out;
		}
		rc = vouch_tlog_witness_cosign(key, vkey, ot, ol, nt, nl, proof[0], n,
					       (uint64_t)time(NULL), &line, why, sizeof(why));
		if (rc != VOUCH_OK) {
			ex = fail(rc, "log witness cosign", why);
			goto cosign_out;
		}
		fputs(line, stdout);
cosign_out:
		free(vkey);
		free(nt);
		free(ot);
		free(pj);
		free(line);
		return ex;
	}
	if ((ex = open_log(dir, &t)) != EXIT_OK) {
		return ex;
	}
	if (strcmp(argv[1], "add-key") == 0 && argc == 3) {
		char *vk = vkey_arg(argv[2]);
		int rc = vk != NULL ? vouch_tlog_witness_add(t, vk) : VOUCH_E_NOMEM;

		ex = rc == VOUCH_OK ? EXIT_OK : fail(rc, "log witness add-key", vouch_tlog_errmsg(t));
		free(vk);
	} else if (strcmp(argv[1], "add-cosig") == 0 && argc == 3) {
		size_t len = 0, acc = 0;
		char *note = slurp(argv[2], &len);
		int rc = note != NULL ? vouch_tlog_cosig_add(t, note, len, &acc) : VOUCH_E_IO;

		if (rc == VOUCH_OK) {
			printf("%zu cosignature(s) accepted\n", acc);
			ex = EXIT_OK;
		} else {
			ex = fail(rc, "log witness add-cosig", vouch_tlog_errmsg(t));
		}
		free(note);
	} else {
		help_log(stderr);
		ex = EXIT_USAGE;
	}
	vouch_tlog_close(t);
	return ex;
}

int
cmd_log(int argc, char **argv)
{
	const char *dir = getenv("VOUCH_LOG");
	char **args = calloc((size_t)argc + 1, sizeof(*args));
	vouch_tlog *t = NULL;
	int n = 0, ex;

	if (args == NULL) {
		return EXIT_INTERNAL;
	}
	if (dir == NULL || dir[0] == '\0') {
		dir = DEFAULT_LOG;
	}
	/* --log DIR anywhere; everything else in order */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--log") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else {
			args[n++] = argv[i];
		}
	}
	if (n == 0) {
		help_log(stderr);
		free(args);
		return EXIT_USAGE;
	}
	if (strcmp(args[0], "init") == 0) {
		ex = log_init(dir, n, args);
	} else if (strcmp(args[0], "verify-proof") == 0) {
		ex = log_verify_proof(n, args);
	} else if (strcmp(args[0], "verify-bundle") == 0) {
		ex = log_verify_bundle(n, args);
	} else if (strcmp(args[0], "witness") == 0) {
		ex = log_witness(dir, n, args);
	} else if (strcmp(args[0], "append") != 0 && strcmp(args[0], "checkpoint") != 0 &&
		   strcmp(args[0], "prove") != 0 && strcmp(args[0], "consistency") != 0 &&
		   strcmp(args[0], "tiles") != 0 && strcmp(args[0], "bundle") != 0 &&
		   strcmp(args[0], "verify") != 0) {
		cli_err("log: no command '%s'", args[0]);
		ex = EXIT_USAGE;
	} else if ((ex = open_log(dir, &t)) == EXIT_OK) {
		if (strcmp(args[0], "append") == 0) {
			ex = log_append(t, n, args);
		} else if (strcmp(args[0], "checkpoint") == 0) {
			ex = log_checkpoint(t);
		} else if (strcmp(args[0], "prove") == 0) {
			ex = log_prove(t, n, args);
		} else if (strcmp(args[0], "consistency") == 0) {
			ex = log_consistency(t, n, args);
		} else if (strcmp(args[0], "tiles") == 0) {
			ex = log_tiles(t, n, args);
		} else if (strcmp(args[0], "bundle") == 0) {
			ex = log_bundle(t, n, args);
		} else {
			ex = log_verify(t);
		}
		vouch_tlog_close(t);
	}
	free(args);
	return ex;
}
