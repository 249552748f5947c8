/*
 * cli/cmd_attest.c: `vouch attest sign|verify`, `vouch key generate|public` and
 * `vouch note sign|verify` (C2SP signed notes, e.g. checkpoints).
 *
 * Thin wrappers over include/vouch/attest.h: parse arguments, read the files given (each
 * with a size ceiling), call the library, print the result to stdout and the library's
 * one-line reason to stderr. `attest verify` exits 7 when the answer is "no" (a bad
 * signature, the wrong key, a file that is not a subject), distinct from errors (2 usage,
 * 3 unreadable input, 4 malformed input).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_attest.h"
#include "vouch/attest.h"
#include "vouch/note.h"
#include "vouch/vouch.h"

#define INPUT_MAX (64u << 20) /* envelopes, predicates and key texts are small */
#define MAX_SUBJECTS 4096

void
help_attest(FILE *out)
{
	fputs("usage: vouch attest sign --key KEYFILE --subject FILE [--subject FILE...]\n"
	      "                         --predicate-type URI --predicate JSONFILE [-o OUT]\n"
	      "       vouch attest verify ENVELOPE --key VKEY|VKEYFILE [--subject FILE...]\n"
	      "\n"
	      "sign: make an in-toto Statement v1 whose subjects are the given files (name and\n"
	      "SHA-256) with the predicate (a JSON object; numbers must be integers), encode it\n"
	      "canonically and sign it in a DSSE envelope with the Ed25519 key; write the\n"
	      "envelope to OUT (refusing to overwrite) or stdout.\n"
	      "verify: check the envelope's signature with the verifier key (text, or a file\n"
	      "holding it), that it carries an in-toto Statement, and that every --subject file\n"
	      "is one of its subjects; print the statement.\n"
	      "\n"
	      "Exit status: 0 verified/signed; 7 verification failed; 2 usage; 3 unreadable\n"
	      "input; 4 malformed input; 6 key file refused (symlink, readable by others).\n",
	      out);
}

void
help_key(FILE *out)
{
	fputs("usage: vouch key generate --name NAME -o KEYFILE\n"
	      "       vouch key public KEYFILE\n"
	      "\n"
	      "generate: create an Ed25519 key signing as NAME in KEYFILE (mode 0600, never\n"
	      "overwritten) and print its verifier key (NAME+ID+BASE64) to stdout.\n"
	      "public: print the verifier key of a key file.\n"
	      "Key files use the signed-note private key form (readable by Go's\n"
	      "golang.org/x/mod/sumdb/note). See docs/keys.md for rotation.\n",
	      out);
}

static int
read_all(const char *path, char **out, size_t *out_len)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL;
	int fd, err = VOUCH_E_IO;

	fd = strcmp(path, "-") == 0 ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return VOUCH_E_IO;
	}
	buf = malloc(cap + 1);
	if (buf == NULL) {
		err = VOUCH_E_NOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap >= INPUT_MAX) {
				err = VOUCH_E_LIMIT;
				goto out;
			}
			cap *= 2;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				err = VOUCH_E_NOMEM;
				goto out;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r < 0) {
			goto out;
		}
		if (r == 0) {
			break;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	buf = NULL;
	err = VOUCH_OK;
out:
	free(buf);
	if (fd != STDIN_FILENO) {
		close(fd);
	}
	return err;
}

static int
write_new(const char *path, const char *s, size_t n)
{
	size_t off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

	if (fd < 0) {
		return VOUCH_E_IO;
	}
	while (off < n) {
		ssize_t w = write(fd, s + off, n - off);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w <= 0) {
			close(fd);
			unlink(path);
			return VOUCH_E_IO;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		unlink(path);
		return VOUCH_E_IO;
	}
	return VOUCH_OK;
}

static int
attest_sign(int argc, char **argv)
{
	static const struct option lo[] = {
		{"key", required_argument, NULL, 'k'},
		{"subject", required_argument, NULL, 's'},
		{"predicate-type", required_argument, NULL, 't'},
		{"predicate", required_argument, NULL, 'p'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *ptype = NULL, *pred = NULL, *outp = NULL;
	const char **subj = calloc(MAX_SUBJECTS, sizeof(*subj));
	char *ptext = NULL, *env = NULL, why[512] = "";
	size_t nsubj = 0, plen = 0;
	int c, err, rc = EXIT_USAGE;

	if (subj == NULL) {
		return EXIT_INTERNAL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 't': ptype = optarg; break;
		case 'p': pred = optarg; break;
		case 'o': outp = optarg; break;
		case 's':
			if (nsubj == MAX_SUBJECTS) {
				cli_err("too many subjects (at most %d)", MAX_SUBJECTS);
				goto out;
			}
			subj[nsubj++] = optarg;
			break;
		default: help_attest(stderr); goto out;
		}
	}
	/* extra operands are more subjects: `--subject a b c` reads naturally */
	for (; optind < argc && nsubj < MAX_SUBJECTS; optind++) {
		subj[nsubj++] = argv[optind];
	}
	if (key == NULL || ptype == NULL || pred == NULL || nsubj == 0 || optind < argc) {
		help_attest(stderr);
		goto out;
	}
	err = read_all(pred, &ptext, &plen);
	if (err != VOUCH_OK) {
		cli_err("%s: cannot read the predicate (%s)", pred, vouch_err_str(err));
		rc = cli_exit_for(err);
		goto out;
	}
	err = vouch_attest_sign(key, subj, nsubj, ptype, ptext, plen, &env, why, sizeof(why));
	if (err != VOUCH_OK) {
		cli_err("attest sign: %s", why[0] != '\0' ? why : vouch_err_str(err));
		rc = cli_exit_for(err);
		goto out;
	}
	if (outp != NULL) {
		size_t el = strlen(env);

		env[el] = '\n'; /* the buffer holds a NUL there: write it as the final newline */
		err = write_new(outp, env, el + 1);
		env[el] = '\0';
		if (err != VOUCH_OK) {
			cli_err("%s: %s", outp, strerror(errno));
			rc = EXIT_INPUT;
			goto out;
		}
	} else {
		printf("%s\n", env);
	}
	rc = EXIT_OK;
out:
	free(env);
	free(ptext);
	free(subj);
	return rc;
}

/* A verifier key given as text, or as the name of a file whose first line is one. */
static int
get_vkey(const char *arg, char **out)
{
	struct stat st;
	size_t n = 0;
	char *s = NULL;
	int err;

	if (stat(arg, &st) == 0) {
		err = read_all(arg, &s, &n);
		if (err != VOUCH_OK) {
			return err;
		}
		s[strcspn(s, "\r\n")] = '\0';
		*out = s;
		return VOUCH_OK;
	}
	s = strdup(arg);
	if (s == NULL) {
		return VOUCH_E_NOMEM;
	}
	*out = s;
	return VOUCH_OK;
}

static int
attest_verify(int argc, char **argv)
{
	static const struct option lo[] = {
		{"key", required_argument, NULL, 'k'},
		{"subject", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *key = NULL, *envp = NULL;
	const char **subj = calloc(MAX_SUBJECTS, sizeof(*subj));
	char *env = NULL, *vkey = NULL, *st = NULL, why[512] = "";
	size_t nsubj = 0, elen = 0;
	int c, err, rc = EXIT_USAGE;

	if (subj == NULL) {
		return EXIT_INTERNAL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'k': key = optarg; break;
		case 's':
			if (nsubj == MAX_SUBJECTS) {
				cli_err("too many subjects (at most %d)", MAX_SUBJECTS);
				goto out;
			}
			subj[nsubj++] = optarg;
			break;
		default: help_attest(stderr); goto out;
		}
	}
	if (optind + 1 != argc || key == NULL) {
		help_attest(stderr);
		goto out;
	}
	envp = argv[optind];
	if ((err = read_all(envp, &env, &elen)) != VOUCH_OK) {
		cli_err("%s: cannot read (%s)", envp, vouch_err_str(err));
		rc = cli_exit_for(err);
		goto out;
	}
	if ((err = get_vkey(key, &vkey)) != VOUCH_OK) {
		cli_err("%s: cannot read the verifier key (%s)", key, vouch_err_str(err));
		rc = cli_exit_for(err);
		goto out;
	}
	err = vouch_attest_verify(env, elen, vkey, subj, nsubj, &st, why, sizeof(why));
	if (err != VOUCH_OK) {
		cli_err("attest verify: %s", why[0] != '\0' ? why : vouch_err_str(err));
		rc = cli_exit_for(err);
		goto out;
	}
	printf("%s\n", st);
	rc = EXIT_OK;
out:
	free(st);
	free(vkey);
	free(env);
	free(subj);
	return rc;
}

int
cmd_attest(int argc, char **argv)
{
	if (argc < 2) {
		help_attest(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "sign") == 0) {
		return attest_sign(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "verify") == 0) {
		return attest_verify(argc - 1, argv + 1);
	}
	cli_err("attest: no subcommand '%s' (sign, verify)", argv[1]);
	return EXIT_USAGE;
}

static int
key_generate(int argc, char **argv)
{
	static const struct option lo[] = {
		{"name", required_argument, NULL, 'n'},
		{"output", required_argument, NULL, 'o'},
		{NULL, 0, NULL, 0},
	};
	const char *name = NULL, *path = NULL;
	char *vkey = NULL, why[512] = "";
	int c, err;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'o': path = optarg; break;
		default: help_key(stderr); return EXIT_USAGE;
		}
	}
	if (name == NULL || path == NULL || optind != argc) {
		help_key(stderr);
		return EXIT_USAGE;
	}
	err = vouch_key_generate(name, path, &vkey, why, sizeof(why));
	if (err != VOUCH_OK) {
		cli_err("key generate: %s", why[0] != '\0' ? why : vouch_err_str(err));
		return cli_exit_for(err);
	}
	printf("%s\n", vkey);
	free(vkey);
	return EXIT_OK;
}

static int
key_public(int argc, char **argv)
{
	char *vkey = NULL, why[512] = "";
	int err;

	if (argc != 2) {
		help_key(stderr);
		return EXIT_USAGE;
	}
	err = vouch_key_public(argv[1], &vkey, why, sizeof(why));
	if (err != VOUCH_OK) {
		cli_err("key public: %s", why[0] != '\0' ? why : vouch_err_str(err));
		return cli_exit_for(err);
	}
	printf("%s\n", vkey);
	free(vkey);
	return EXIT_OK;
}

int
cmd_key(int argc, char **argv)
{
	if (argc < 2) {
		help_key(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "generate") == 0) {
		return key_generate(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "public") == 0) {
		return key_public(argc - 1, argv + 1);
	}
	cli_err("key: no subcommand '%s' (generate, public)", argv[1]);
	return EXIT_USAGE;
}

void
help_note(FILE *out)
{
	fputs("usage: vouch note sign --key KEYFILE [FILE|-]\n"
	      "       vouch note verify --key VKEY|VKEYFILE [--key ...] [FILE|-]\n"
	      "\n"
	      "sign: sign the text (UTF-8, ending in a newline) as a C2SP signed note and print\n"
	      "the note. verify: open a signed note with the given verifier keys (Ed25519 0x01 or\n"
	      "witness cosignature 0x04); print its text. Signatures by other keys are ignored.\n"
	      "\n"
	      "Exit status: 0 signed/verified; 7 verification failed; 2 usage; 3 unreadable\n"
	      "input; 4 malformed input.\n",
	      out);
}

static int
note_main(int argc, char **argv, bool sign)
{
	static const struct option lo[] = {
		{"key", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	const char *keys[64], *in = "-";
	char *vkeys[64] = {0};
	char *text = NULL, *res = NULL, why[512] = "";
	size_t nkeys = 0, len = 0;
	int c, err, rc = EXIT_USAGE;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c != 'k' || nkeys == 64) {
			help_note(stderr);
			return EXIT_USAGE;
		}
		keys[nkeys++] = optarg;
	}
	if (optind + 1 == argc) {
		in = argv[optind];
	} else if (optind != argc) {
		help_note(stderr);
		return EXIT_USAGE;
	}
	if (nkeys == 0 || (sign && nkeys != 1)) {
		help_note(stderr);
		return EXIT_USAGE;
	}
	if ((err = read_all(in, &text, &len)) != VOUCH_OK) {
		cli_err("%s: cannot read (%s)", in, vouch_err_str(err));
		return cli_exit_for(err);
	}
	if (sign) {
		err = vouch_signed_note_sign(keys[0], text, len, &res, why, sizeof(why));
	} else {
		for (size_t i = 0; i < nkeys; i++) {
			if ((err = get_vkey(keys[i], &vkeys[i])) != VOUCH_OK) {
				cli_err("%s: cannot read the verifier key", keys[i]);
				rc = cli_exit_for(err);
				goto out;
			}
		}
		err = vouch_signed_note_verify(text, len, (const char *const *)vkeys, nkeys, &res,
					       why, sizeof(why));
	}
	if (err != VOUCH_OK) {
		cli_err("note %s: %s", sign ? "sign" : "verify",
			why[0] != '\0' ? why : vouch_err_str(err));
		rc = cli_exit_for(err);
		goto out;
	}
	fputs(res, stdout);
	rc = EXIT_OK;
out:
	for (size_t i = 0; i < nkeys; i++) {
		free(vkeys[i]);
	}
	free(res);
	free(text);
	return rc;
}

int
cmd_note(int argc, char **argv)
{
	if (argc < 2) {
		help_note(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "sign") == 0 || strcmp(argv[1], "verify") == 0) {
		return note_main(argc - 1, argv + 1, argv[1][0] == 's');
	}
	cli_err("note: no subcommand '%s' (sign, verify)", argv[1]);
	return EXIT_USAGE;
}
