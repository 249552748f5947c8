/*
 * analyze/accounts.c: the accounts analyser: local accounts in passwd, shadow and group
 * files (and their busybox, BSD and vendor variants), and what is wrong with them.
 *
 * What it reports:
 *   account.uid0-nonroot      high      an account other than root with uid 0
 *   account.empty-password    critical  an empty password field and a login shell (high when
 *                                       the shell is unknown because no passwd entry was seen,
 *                                       medium when the shell refuses logins)
 *   account.weak-hash         high      DES crypt (13 chars, 8-char passwords), BSDi extended
 *                                       DES, NT hash; medium: MD5-crypt "$1$", Sun MD5
 *   account.default-password  critical  the hash is of a known vendor default password
 *                                       (data/default-passwords.txt, built in) or of the
 *                                       account's own name; the password is masked unless
 *                                       opts->reveal_secrets
 *   limit.crack-time          low       the time budget ran out before every hash was tried
 *   limit.crack-cost          info      hashes whose cost parameters exceed our caps were not
 *                                       tried (a hostile "rounds=999999999" would stall us)
 *   limit.accounts            info      more account lines than we keep, or findings dropped
 * sha256-crypt, sha512-crypt, bcrypt, yescrypt, gost-yescrypt, scrypt and sha1-crypt are
 * fine schemes: only cracking can fault them. Locked fields ('*', '!', '!!', "!<hash>", "x"
 * without a shadow entry, "*LK*") are not weak and are never tried.
 *
 * How: which files are account files is decided by name (passwd, shadow, group, gshadow,
 * master.passwd and their backups such as passwd- or shadow.bak, wherever they live, so
 * /var/passwd, /etc/config/shadow and /etc/default/passwd are covered) and then by the shape
 * of each line: 7 or 10 colon-separated fields with numeric uid and gid is a passwd entry
 * (10 is BSD master.passwd, whose shell is the last field), 2 to 9 fields in a shadow-named
 * file or exactly 9 anywhere is a shadow entry, 4 in a group-named file is a group entry.
 * Content decides over the name, so a "passwd" that holds shadow lines is read as shadow.
 * `file` only parses and remembers (under the state lock: files arrive on several threads);
 * uid-0 accounts are reported at once. `finish` joins each passwd entry whose field 2 is "x"
 * to the shadow entry of the same name, preferring a shadow file in the same directory
 * (an image can hold several root filesystems), then evaluates every credential once and
 * cracks the distinct hashes with crypt_r (libcrypt, thread-safe) in priority order: root
 * first, then other uid-0 accounts, then accounts with a login shell; cheap schemes before
 * expensive ones within a priority. The budget (opts->crack_seconds, default
 * ACC_CRACK_DEFAULT_S) is checked after every crypt_r call; one call is bounded by refusing
 * settings whose cost exceeds the caps below, so the budget is overshot by at most one call.
 *
 * Not handled: NIS "+"/"-" compatibility lines (skipped), passwords in other files (web
 * interface configs: that is the secrets analyser), files too large to hold (the driver's
 * max_buffer; account files are kilobytes).
 * Rejected: cracking at file time on the worker threads (the budget is per image, and the
 * join needs every file); a general-purpose cracker (a short list of vendor defaults is what
 * firmware review needs; dictionaries belong to dedicated tools).
 */
#include <crypt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyzer.h"
#include "analyze/text.h"
#include "base/base.h"

/* the bundled list, embedded by scripts/embed.py from data/default-passwords.txt */
extern const char vouch_builtin_default_passwords[];

/* Longest account line read; real ones are under 300 bytes. Longer lines are skipped. */
#define ACC_MAX_LINE 4096
/* Most fields on a line (master.passwd has 10); a line with more is not an account line. */
#define ACC_MAX_FIELDS 12
/* Longest account name kept (Linux allows 32; vendors are shorter). */
#define ACC_MAX_NAME 64
/* Account lines remembered per image for the join: far above any real system (a few dozen),
 * low enough that a hostile 16 MiB passwd cannot make the join or the cracking quadratic. */
#define ACC_MAX_RECS 100000
/* Bytes of strings kept per image (names, hashes, shells, evidence lines). */
#define ACC_ARENA_BUDGET (64u << 20)
/* Findings of one id per image; past this they are counted in one limit.accounts finding. */
#define ACC_MAX_FINDINGS_PER_ID 1000
/* Candidate passwords: the bundled list is ~120; the cap guards a mistaken data file. */
#define ACC_MAX_CANDS 4096
#define ACC_MAX_CAND_LEN 128
/* Default and hard-maximum cracking budget, in seconds of wall-clock time per image. */
#define ACC_CRACK_DEFAULT_S 20.0
#define ACC_CRACK_MAX_S 3600.0
/* Cost caps, so one crypt_r call stays short (measured on one core, order of magnitude):
 * sha256/sha512-crypt rounds (default 5000 ~ 2 ms; 1e6 ~ 0.4 s), bcrypt cost (12 ~ 0.25 s),
 * BSDi DES iterations (2^18 ~ 0.1 s), yescrypt/gost-yescrypt: only the parameter strings
 * libcrypt itself generates for costs 1..ACC_YESCRYPT_MAX_COST (7: N = 2^14, r = 32,
 * 64 MiB of memory per call; Debian's default is cost 5, 16 MiB). */
#define ACC_MAX_SHA_ROUNDS 1000000ul
#define ACC_MAX_BCRYPT_COST 12
#define ACC_MAX_BSDI_COUNT (1ul << 18)
#define ACC_YESCRYPT_MAX_COST 7
/* Account names tried as passwords per hash (several accounts may share one hash). */
#define ACC_MAX_NAME_CANDS 4

enum { K_PASSWD, K_SHADOW, K_GROUP };

enum {
	ID_UID0,
	ID_EMPTY,
	ID_WEAK,
	ID_DEFAULT,
	ID_NIDS,
};
static const char *const id_names[ID_NIDS] = {
	"account.uid0-nonroot",
	"account.empty-password",
	"account.weak-hash",
	"account.default-password",
};

typedef struct arec {
	int kind;
	const char *name, *pw, *shell; /* shell: passwd entries only */
	uint32_t uid;
	uint32_t file;   /* index in files */
	uint64_t off, lineno;
	const char *line;
	size_t linelen;
	bool joined;     /* a passwd entry took this shadow entry's field */
	bool judged;     /* judge_field ran at file time (passwd field holding the password) */
	bool crack;      /* ... and said the hash is to be cracked */
} arec;

typedef struct afrec {
	vouch_file f;    /* shallow copy; path owned by the arena, other strings cleared */
	const char *dir;
	size_t dirlen;
} afrec;

typedef struct acc_state {
	pthread_mutex_t mu;
	vouch_arena *arena;
	arec *recs;
	size_t nrecs, caprecs;
	afrec *files;
	size_t nfiles, capfiles;
	char **cands;
	size_t ncands;
	char yparams[ACC_YESCRYPT_MAX_COST][8]; /* allowed yescrypt parameter strings */
	size_t nyparams;
	uint64_t lines_dropped;  /* account lines not kept: record or arena limit */
	uint64_t nfound[ID_NIDS];
	uint64_t suppressed;     /* findings past ACC_MAX_FINDINGS_PER_ID */
	uint64_t costly;         /* hashes not tried: cost above our caps */
	uint32_t costly_file;    /* the file of the first of them */
} acc_state;

/* ---- schemes ----------------------------------------------------------------------------- */

typedef enum scheme {
	S_UNKNOWN = 0,
	S_DES,
	S_BSDI,
	S_MD5,
	S_SUNMD5,
	S_NT,
	S_SHA256,
	S_SHA512,
	S_BCRYPT,
	S_YESCRYPT,
	S_GOST_YESCRYPT,
	S_SCRYPT,
	S_SHA1,
} scheme;

typedef struct scheme_info {
	const char *prefix; /* NULL: recognised by shape (DES, BSDi) */
	const char *name;
	int weak;           /* -1: fine; else the severity of account.weak-hash */
	int cost;           /* rank for cracking order, cheap first; 0: never cracked */
} scheme_info;

static const scheme_info schemes[] = {
	[S_UNKNOWN] = {NULL, "unknown", -1, 0},
	[S_DES] = {NULL, "descrypt", VOUCH_SEV_HIGH, 1},
	[S_BSDI] = {"_", "bsdicrypt", VOUCH_SEV_HIGH, 2},
	[S_MD5] = {"$1$", "md5crypt", VOUCH_SEV_MEDIUM, 1},
	[S_SUNMD5] = {"$md5", "sunmd5", VOUCH_SEV_MEDIUM, 0},
	[S_NT] = {"$3$", "nthash", VOUCH_SEV_HIGH, 0},
	[S_SHA256] = {"$5$", "sha256crypt", -1, 3},
	[S_SHA512] = {"$6$", "sha512crypt", -1, 3},
	[S_BCRYPT] = {"$2", "bcrypt", -1, 5},
	[S_YESCRYPT] = {"$y$", "yescrypt", -1, 4},
	[S_GOST_YESCRYPT] = {"$gy$", "gost-yescrypt", -1, 4},
	[S_SCRYPT] = {"$7$", "scrypt", -1, 0},
	[S_SHA1] = {"$sha1$", "sha1crypt", -1, 0},
};

static bool
is_itoa64(char c)
{
	return c == '.' || c == '/' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

static int
itoa64_val(char c)
{
	if (c == '.') {
		return 0;
	}
	if (c == '/') {
		return 1;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 2;
	}
	if (c >= 'A' && c <= 'Z') {
		return c - 'A' + 12;
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 38;
	}
	return -1;
}

static bool
all_itoa64(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!is_itoa64(s[i])) {
			return false;
		}
	}
	return true;
}

static scheme
classify(const char *pw)
{
	size_t n = strlen(pw);
	if (n == 13 && all_itoa64(pw, 13)) {
		return S_DES;
	}
	if (n == 20 && pw[0] == '_' && all_itoa64(pw + 1, 19)) {
		return S_BSDI;
	}
	if (strncmp(pw, "$2", 2) == 0 && n > 4 && strchr("abxy", pw[2]) && pw[3] == '$') {
		return S_BCRYPT;
	}
	for (size_t i = S_MD5; i < VOUCH_ARRAY_LEN(schemes); i++) {
		if (i == S_BCRYPT) {
			continue;
		}
		const char *p = schemes[i].prefix;
		if (strncmp(pw, p, strlen(p)) == 0) {
			return (scheme)i;
		}
	}
	return S_UNKNOWN;
}

/* A field that does not hold a usable password: nobody can log in with it. */
static bool
is_locked(const char *pw)
{
	return pw[0] == '*' || pw[0] == '!' || strcmp(pw, "x") == 0;
}

/* Parse decimal digits [s, s+n) into *v; false if not all digits or above max. */
static bool
parse_uint(const char *s, size_t n, unsigned long max, unsigned long *v)
{
	unsigned long r = 0;
	if (n == 0 || n > 10) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		r = r * 10 + (unsigned long)(s[i] - '0');
	}
	if (r > max) {
		return false;
	}
	*v = r;
	return true;
}

/* Can crypt_r be run on this setting within our caps? */
static bool
cost_ok(const acc_state *st, const char *pw, scheme s)
{
	unsigned long v;
	switch (s) {
	case S_DES:
	case S_MD5:
		return true;
	case S_BSDI: {
		unsigned long count = 0;
		for (int i = 0; i < 4; i++) {
			count |= (unsigned long)itoa64_val(pw[1 + i]) << (6 * i);
		}
		return count <= ACC_MAX_BSDI_COUNT;
	}
	case S_SHA256:
	case S_SHA512: {
		const char *r = pw + 3;
		if (strncmp(r, "rounds=", 7) != 0) {
			return true; /* the default, 5000 */
		}
		r += 7;
		const char *e = strchr(r, '$');
		return e && parse_uint(r, (size_t)(e - r), ACC_MAX_SHA_ROUNDS, &v);
	}
	case S_BCRYPT:
		return parse_uint(pw + 4, 2, ACC_MAX_BCRYPT_COST, &v) && pw[6] == '$';
	case S_YESCRYPT:
	case S_GOST_YESCRYPT: {
		const char *p = pw + (s == S_YESCRYPT ? 3 : 4);
		const char *e = strchr(p, '$');
		if (!e) {
			return false;
		}
		for (size_t i = 0; i < st->nyparams; i++) {
			size_t n = strlen(st->yparams[i]);
			if ((size_t)(e - p) == n && memcmp(p, st->yparams[i], n) == 0) {
				return true;
			}
		}
		return false;
	}
	default:
		return false;
	}
}

/* ---- findings ----------------------------------------------------------------------------- */

/* Report one finding of id index `id`, at most ACC_MAX_FINDINGS_PER_ID of each; caller holds
 * the lock. */
static void
emit(const vouch_actx *ctx, acc_state *st, int id, vouch_severity sev, const char *title,
     const vouch_file *f, uint64_t off, const char *ev, size_t evlen, const char *detail)
{
	if (st->nfound[id] >= ACC_MAX_FINDINGS_PER_ID) {
		st->suppressed++;
		return;
	}
	st->nfound[id]++;
	(void)vouch_afind(ctx, id_names[id], "account", sev, title, f, off, ev, evlen, detail,
			  NULL);
}

/* Escape an account name for a detail string (names come from the image). */
static void
esc_name(char *out, size_t cap, const char *name)
{
	(void)vouch_escape(out, cap, name, strlen(name));
}

/* ---- init / free ------------------------------------------------------------------------- */

static void
acc_free(void *state)
{
	acc_state *st = state;
	if (!st) {
		return;
	}
	pthread_mutex_destroy(&st->mu);
	vouch_arena_free(st->arena);
	free(st->recs);
	free(st->files);
	if (st->cands) {
		for (size_t i = 0; i < st->ncands; i++) {
			free(st->cands[i]);
		}
		free(st->cands);
	}
	free(st);
}

/* Split the bundled list into candidates: one per line, '#' comments and blanks skipped. */
static int
load_cands(acc_state *st, const char *list)
{
	vouch_lines it;
	vouch_line l;
	st->cands = calloc(ACC_MAX_CANDS, sizeof *st->cands);
	if (!st->cands) {
		return VOUCH_E_NOMEM;
	}
	vouch_lines_init(&it, (const uint8_t *)list, strlen(list));
	while (st->ncands < ACC_MAX_CANDS && vouch_lines_next(&it, ACC_MAX_CAND_LEN, &l)) {
		if (l.n == 0 || l.p[0] == '#' || l.cut || l.nul) {
			continue;
		}
		st->cands[st->ncands] = strndup((const char *)l.p, l.n);
		if (!st->cands[st->ncands]) {
			return VOUCH_E_NOMEM;
		}
		st->ncands++;
	}
	return VOUCH_OK;
}

/* The yescrypt parameter strings libcrypt generates for costs 1..ACC_YESCRYPT_MAX_COST. */
static void
load_yparams(acc_state *st)
{
	char out[CRYPT_GENSALT_OUTPUT_SIZE];
	static const char rb[16] = "vouch-yescrypt!!"; /* fixed bytes: only the params matter */
	for (unsigned long c = 1; c <= ACC_YESCRYPT_MAX_COST; c++) {
		const char *g = crypt_gensalt_rn("$y$", c, rb, (int)sizeof rb, out, sizeof out);
		if (!g || strncmp(g, "$y$", 3) != 0) {
			continue;
		}
		const char *e = strchr(g + 3, '$');
		size_t n = e ? (size_t)(e - (g + 3)) : 0;
		if (n == 0 || n >= sizeof st->yparams[0]) {
			continue;
		}
		memcpy(st->yparams[st->nyparams], g + 3, n);
		st->yparams[st->nyparams][n] = 0;
		st->nyparams++;
	}
}

static int
acc_init(const vouch_actx *ctx, void **state)
{
	acc_state *st = calloc(1, sizeof *st);
	int rc;
	(void)ctx;
	if (!st) {
		return VOUCH_E_NOMEM;
	}
	if (pthread_mutex_init(&st->mu, NULL) != 0) {
		free(st);
		return VOUCH_E_NOMEM;
	}
	rc = vouch_arena_new(&st->arena, ACC_ARENA_BUDGET);
	if (rc == VOUCH_OK) {
		rc = load_cands(st, vouch_builtin_default_passwords);
	}
	if (rc != VOUCH_OK) {
		acc_free(st);
		return rc;
	}
	load_yparams(st);
	*state = st;
	return VOUCH_OK;
}

/* ---- which files ------------------------------------------------------------------------ */

enum { HINT_NONE, HINT_PASSWD, HINT_SHADOW, HINT_GROUP };

/* From the basename: passwd, passwd-, passwd.bak, shadow, shadow~, group, gshadow,
 * master.passwd, ... A basename that merely contains the word (passwd.conf, passwd.c) is
 * not an account file. */
static int
name_hint(const char *path)
{
	static const struct {
		const char *stem;
		int hint;
	} stems[] = {
		{"master.passwd", HINT_PASSWD}, {"passwd", HINT_PASSWD}, {"shadow", HINT_SHADOW},
		{"gshadow", HINT_GROUP},        {"group", HINT_GROUP},
	};
	static const char *const suffixes[] = {"", "-", "~", ".bak", ".old", ".orig", ".save",
					       ".default", ".dist", ".ori", "+"};
	const char *b = vouch_basename(path);
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(stems); i++) {
		size_t n = strlen(stems[i].stem);
		if (strncmp(b, stems[i].stem, n) != 0) {
			continue;
		}
		for (size_t j = 0; j < VOUCH_ARRAY_LEN(suffixes); j++) {
			if (strcmp(b + n, suffixes[j]) == 0) {
				return stems[i].hint;
			}
		}
	}
	return HINT_NONE;
}

/* Content shape of the head: the first line that is not blank or a comment has a name,
 * a colon and no NUL or control bytes before its colon. */
static bool
head_shape(const uint8_t *head, size_t n)
{
	vouch_lines it;
	vouch_line l;
	vouch_lines_init(&it, head, n);
	while (vouch_lines_next(&it, ACC_MAX_LINE, &l)) {
		if (l.n == 0 || l.p[0] == '#') {
			continue;
		}
		const uint8_t *c = memchr(l.p, ':', l.n);
		if (!c || c == l.p || (size_t)(c - l.p) > ACC_MAX_NAME) {
			return false;
		}
		for (const uint8_t *q = l.p; q < c; q++) {
			if (*q < 0x21 || *q == 0x7f) {
				return false;
			}
		}
		return true;
	}
	return false;
}

static bool
acc_wants(void *state, const char *path, const uint8_t *head, size_t n)
{
	(void)state;
	return name_hint(path) != HINT_NONE && head_shape(head, n);
}

/* ---- parsing one file --------------------------------------------------------------------- */

static bool
valid_name(const uint8_t *p, size_t n)
{
	if (n == 0 || n > ACC_MAX_NAME || p[0] == '+' || p[0] == '-') {
		return false; /* NIS compatibility lines (+user, -@netgroup) are not accounts */
	}
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x21 || p[i] == 0x7f) {
			return false;
		}
	}
	return true;
}

static bool
login_shell(const char *shell)
{
	static const char *const nologin[] = {"false", "nologin", "sync", "shutdown", "halt",
					      "true"};
	if (!shell || !shell[0]) {
		return true; /* an empty shell field means /bin/sh */
	}
	const char *b = vouch_basename(shell);
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(nologin); i++) {
		if (strcmp(b, nologin[i]) == 0) {
			return false;
		}
	}
	return true;
}

static uint32_t
add_file(acc_state *st, const vouch_file *f)
{
	if (st->nfiles == st->capfiles) {
		size_t cap = st->capfiles ? st->capfiles * 2 : 16;
		afrec *n = realloc(st->files, cap * sizeof *n);
		if (!n) {
			return UINT32_MAX;
		}
		st->files = n;
		st->capfiles = cap;
	}
	afrec *r = &st->files[st->nfiles];
	memset(r, 0, sizeof *r);
	r->f = *f;
	r->f.link = r->f.type = r->f.container = NULL;
	r->f.path = vouch_arena_strndup(st->arena, f->path, strlen(f->path));
	if (!r->f.path) {
		return UINT32_MAX;
	}
	const char *slash = strrchr(r->f.path, '/');
	r->dir = r->f.path;
	r->dirlen = slash ? (size_t)(slash - r->f.path) : 0;
	return (uint32_t)st->nfiles++;
}

static bool
add_rec(acc_state *st, const arec *r)
{
	if (st->nrecs >= ACC_MAX_RECS) {
		return false;
	}
	if (st->nrecs == st->caprecs) {
		size_t cap = st->caprecs ? st->caprecs * 2 : 64;
		arec *n = realloc(st->recs, cap * sizeof *n);
		if (!n) {
			return false;
		}
		st->recs = n;
		st->caprecs = cap;
	}
	st->recs[st->nrecs++] = *r;
	return true;
}

static char *
dupf(acc_state *st, const uint8_t *p, size_t n)
{
	return vouch_arena_strndup(st->arena, (const char *)p, n);
}

/* One credential: the record holding the password field, and what we know of the account. */
typedef struct cred {
	const arec *r;       /* the line with the password field (passwd, shadow or group) */
	const char *shell;   /* NULL: unknown (shadow entry with no passwd entry seen) */
	bool has_uid;
	uint32_t uid;
	int prio;            /* cracking order: 0 root, 1 uid 0, 2 login shell, 3 other */
	scheme sch;
} cred;

static void
cred_detail(char *out, size_t cap, const cred *c, const char *extra)
{
	char en[96];
	esc_name(en, sizeof en, c->r->name);
	snprintf(out, cap, "line=%llu; %s=%s; scheme=%s%s%s",
		 (unsigned long long)c->r->lineno, c->r->kind == K_GROUP ? "group" : "account", en,
		 c->r->pw[0] ? schemes[c->sch].name : "none", extra ? "; " : "", extra ? extra : "");
}

static void
report_default(const vouch_actx *ctx, acc_state *st, const cred *c, const char *pw,
	       const char *how)
{
	char masked[ACC_MAX_CAND_LEN + 8], shown[2 * ACC_MAX_CAND_LEN + 8], extra[512], det[768];
	bool reveal = ctx->opts && ctx->opts->reveal_secrets;
	if (reveal) {
		(void)vouch_escape(shown, sizeof shown, pw, strlen(pw));
	} else {
		vouch_mask(pw, strlen(pw), masked, sizeof masked);
		(void)vouch_escape(shown, sizeof shown, masked, strlen(masked));
	}
	snprintf(extra, sizeof extra, "password=%s; found=%s", shown, how);
	cred_detail(det, sizeof det, c, extra);
	emit(ctx, st, ID_DEFAULT, VOUCH_SEV_CRITICAL, "account with a known default password",
	     &st->files[c->r->file].f, c->r->off, c->r->line, c->r->linelen, det);
}

/* Everything but cracking: empty, locked, weak or plaintext fields. Returns true when the
 * field is a hash we should crack. */
static bool
judge_field(const vouch_actx *ctx, acc_state *st, const cred *c)
{
	const arec *r = c->r;
	const vouch_file *f = &st->files[r->file].f;
	char det[512];
	if (r->pw[0] == 0) {
		if (r->kind == K_GROUP) {
			return false;
		}
		vouch_severity sev = !c->shell ? VOUCH_SEV_HIGH
				     : login_shell(c->shell) ? VOUCH_SEV_CRITICAL
							     : VOUCH_SEV_MEDIUM;
		char extra[160], es[96];
		if (c->shell) {
			esc_name(es, sizeof es, c->shell);
		}
		snprintf(extra, sizeof extra, "shell=%s", c->shell ? es : "unknown (no passwd entry)");
		cred_detail(det, sizeof det, c, extra);
		emit(ctx, st, ID_EMPTY, sev, "account with an empty password", f, r->off, r->line,
		     r->linelen, det);
		return false;
	}
	if (is_locked(r->pw)) {
		return false;
	}
	if (schemes[c->sch].weak >= 0) {
		cred_detail(det, sizeof det, c, NULL);
		emit(ctx, st, ID_WEAK, (vouch_severity)schemes[c->sch].weak,
		     "password hash with a weak scheme", f, r->off, r->line, r->linelen, det);
	}
	if (c->sch == S_UNKNOWN) {
		/* not a crypt(3) hash: some vendors store the password itself */
		for (size_t i = 0; i < st->ncands; i++) {
			if (strcmp(r->pw, st->cands[i]) == 0) {
				report_default(ctx, st, c, r->pw, "plaintext");
				break;
			}
		}
		return false;
	}
	if (schemes[c->sch].cost == 0) {
		return false; /* a scheme we do not crack (rare, or unbounded cost) */
	}
	if (!cost_ok(st, r->pw, c->sch)) {
		if (st->costly++ == 0) {
			st->costly_file = r->file;
		}
		return false;
	}
	return true;
}

static int
prio_of(const char *name, bool has_uid, uint32_t uid, const char *shell)
{
	if (strcmp(name, "root") == 0) {
		return 0;
	}
	if (has_uid && uid == 0) {
		return 1;
	}
	if (!shell || login_shell(shell)) {
		return 2;
	}
	return 3;
}

static void
parse_line(const vouch_actx *ctx, acc_state *st, int hint, uint32_t fi, const vouch_line *l)
{
	const uint8_t *fp[ACC_MAX_FIELDS];
	size_t fl[ACC_MAX_FIELDS];
	size_t nf = 0;
	const uint8_t *s = l->p, *end = l->p + l->n;

	for (;;) {
		const uint8_t *c = memchr(s, ':', (size_t)(end - s));
		if (nf == ACC_MAX_FIELDS) {
			return; /* too many fields: not an account line */
		}
		fp[nf] = s;
		fl[nf] = c ? (size_t)(c - s) : (size_t)(end - s);
		nf++;
		if (!c) {
			break;
		}
		s = c + 1;
	}
	if (!valid_name(fp[0], fl[0])) {
		return;
	}
	unsigned long uid = 0, gid = 0;
	arec r = {0};
	r.file = fi;
	r.off = l->off;
	r.lineno = l->no;
	if (hint == HINT_GROUP) {
		if (nf != 4) {
			return;
		}
		r.kind = K_GROUP;
	} else if ((nf == 7 || nf == 10) && parse_uint((const char *)fp[2], fl[2], UINT32_MAX, &uid) &&
		   parse_uint((const char *)fp[3], fl[3], UINT32_MAX, &gid)) {
		r.kind = K_PASSWD;
	} else if (nf == 9 || (hint == HINT_SHADOW && nf >= 2 && nf <= 9)) {
		r.kind = K_SHADOW;
	} else {
		return;
	}
	if (r.kind == K_GROUP) {
		/* only a real hash in a group line is worth remembering (gshadow, old group) */
		char tmp[16];
		size_t n = VOUCH_MIN(fl[1], sizeof tmp - 1);
		memcpy(tmp, fp[1], n);
		tmp[n] = 0;
		if (fl[1] == 0 || is_locked(tmp)) {
			return;
		}
	}
	r.uid = (uint32_t)uid;
	r.name = dupf(st, fp[0], fl[0]);
	r.pw = dupf(st, fp[1], fl[1]);
	r.shell = r.kind == K_PASSWD ? dupf(st, fp[nf - 1], fl[nf - 1]) : NULL;
	r.line = dupf(st, l->p, l->n);
	r.linelen = l->n;
	bool ok = r.name && r.pw && r.line && (r.kind != K_PASSWD || r.shell);
	if (ok && r.kind == K_PASSWD && strcmp(r.pw, "x") != 0) {
		/* the password is in passwd itself: judge it now, so the findings do not depend
		 * on the record being kept for the join (ACC_MAX_RECS) */
		cred c = {.r = &r, .shell = r.shell, .has_uid = true, .uid = r.uid};
		c.sch = classify(r.pw);
		c.prio = prio_of(r.name, true, r.uid, r.shell);
		r.crack = judge_field(ctx, st, &c);
		r.judged = true;
	}
	if (!ok || !add_rec(st, &r)) {
		st->lines_dropped++;
	}
	if (r.kind == K_PASSWD && uid == 0 && r.name && strcmp(r.name, "root") != 0) {
		char det[160], en[96];
		esc_name(en, sizeof en, r.name);
		snprintf(det, sizeof det, "line=%llu; account=%s; uid=0", (unsigned long long)l->no,
			 en);
		emit(ctx, st, ID_UID0, VOUCH_SEV_HIGH, "uid 0 account other than root",
		     &st->files[fi].f, l->off, (const char *)l->p, l->n, det);
	}
}

static void
acc_file(const vouch_actx *ctx, void *state, const vouch_afile *af, const vouch_ahit *hits,
	 size_t nhits)
{
	acc_state *st = state;
	(void)hits;
	(void)nhits;
	if (!st || !af->data || af->len == 0 || af->f->ftype != VOUCH_FT_REG) {
		return;
	}
	int hint = name_hint(af->f->path);
	/* another analyser may have held a file we did not want: check it as wants() would */
	if (hint == HINT_NONE || !head_shape(af->data, VOUCH_MIN(af->len, 4096))) {
		return;
	}
	pthread_mutex_lock(&st->mu);
	uint32_t fi = add_file(st, af->f);
	if (fi == UINT32_MAX) {
		st->lines_dropped++;
		goto out;
	}
	vouch_lines it;
	vouch_line l;
	vouch_lines_init(&it, af->data, af->len);
	while (vouch_lines_next(&it, ACC_MAX_LINE, &l)) {
		if (l.n == 0 || l.p[0] == '#' || l.cut || l.nul) {
			continue;
		}
		parse_line(ctx, st, hint, fi, &l);
	}
out:
	pthread_mutex_unlock(&st->mu);
}

/* ---- finish: join, evaluate, crack -------------------------------------------------------- */

typedef struct job {
	const char *hash;
	size_t cred;
} job;

typedef struct group {
	size_t first, n; /* jobs[first .. first+n) share one hash */
	int prio, cost;
} group;

static int
cmp_shadow(const void *a, const void *b)
{
	const arec *x = *(arec *const *)a;
	const arec *y = *(arec *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x < y ? -1 : x > y);
}

static int
cmp_job(const void *a, const void *b)
{
	const job *x = a, *y = b;
	int c = strcmp(x->hash, y->hash);
	if (c) {
		return c;
	}
	return x->cred < y->cred ? -1 : x->cred > y->cred;
}

static int
cmp_group(const void *a, const void *b)
{
	const group *x = a, *y = b;
	if (x->prio != y->prio) {
		return x->prio - y->prio;
	}
	if (x->cost != y->cost) {
		return x->cost - y->cost;
	}
	return x->first < y->first ? -1 : x->first > y->first;
}

/* The shadow entry for passwd entry p: same name, same directory preferred. */
static arec *
find_shadow(acc_state *st, arec *const *idx, size_t n, const arec *p)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(idx[mid]->name, p->name) < 0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	const afrec *pf = &st->files[p->file];
	arec *any = NULL;
	for (size_t i = lo; i < n && strcmp(idx[i]->name, p->name) == 0; i++) {
		arec *s = idx[i];
		const afrec *sf = &st->files[s->file];
		if (sf->dirlen == pf->dirlen && memcmp(sf->dir, pf->dir, pf->dirlen) == 0) {
			return s;
		}
		if (!any) {
			any = s;
		}
	}
	return any;
}

/* Try the candidates against each group's hash until the deadline. Returns the number of
 * groups not finished. */
static size_t
crack(const vouch_actx *ctx, acc_state *st, const cred *creds, const job *jobs, group *groups,
      size_t ngroups, double deadline, uint64_t *calls)
{
	struct crypt_data *cd = calloc(1, sizeof *cd);
	size_t g = 0;
	if (!cd) {
		return ngroups;
	}
	for (; g < ngroups; g++) {
		const group *gr = &groups[g];
		const char *hash = jobs[gr->first].hash;
		const char *names[ACC_MAX_NAME_CANDS];
		size_t nnames = 0;
		const char *found = NULL, *how = NULL;
		bool out_of_time = false;

		for (size_t j = 0; j < gr->n && nnames < ACC_MAX_NAME_CANDS; j++) {
			const char *nm = creds[jobs[gr->first + j].cred].r->name;
			bool dup = false;
			for (size_t k = 0; k < nnames; k++) {
				dup = dup || strcmp(names[k], nm) == 0;
			}
			if (!dup) {
				names[nnames++] = nm;
			}
		}
		if (vouch_now() >= deadline) {
			break;
		}
		for (size_t k = 0; k < nnames + st->ncands && !found; k++) {
			const char *cand = k < nnames ? names[k] : st->cands[k - nnames];
			const char *res = crypt_r(cand, hash, cd);
			(*calls)++;
			if (res && res[0] != '*' && strcmp(res, hash) == 0) {
				found = cand;
				how = k < nnames ? "account name" : "default list";
			}
			if (!found && vouch_now() >= deadline) {
				out_of_time = true;
				break;
			}
		}
		if (found) {
			for (size_t j = 0; j < gr->n; j++) {
				report_default(ctx, st, &creds[jobs[gr->first + j].cred], found, how);
			}
		}
		if (out_of_time) {
			break;
		}
	}
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ngroups - g;
}

static void
acc_finish(const vouch_actx *ctx, void *state, const vouch_report *rep)
{
	acc_state *st = state;
	arec **sidx = NULL;
	size_t nsh = 0, ncreds = 0, njobs = 0, ngroups = 0;
	cred *creds = NULL;
	job *jobs = NULL;
	group *groups = NULL;
	uint64_t calls = 0;
	(void)rep;
	if (!st) {
		return;
	}
	pthread_mutex_lock(&st->mu);
	if (st->nrecs == 0) {
		goto out;
	}
	sidx = malloc(st->nrecs * sizeof *sidx);
	creds = malloc(st->nrecs * sizeof *creds);
	jobs = malloc(st->nrecs * sizeof *jobs);
	groups = malloc(st->nrecs * sizeof *groups);
	if (!sidx || !creds || !jobs || !groups) {
		goto out;
	}
	for (size_t i = 0; i < st->nrecs; i++) {
		if (st->recs[i].kind == K_SHADOW) {
			sidx[nsh++] = &st->recs[i];
		}
	}
	if (nsh > 0) {
		qsort(sidx, nsh, sizeof *sidx, cmp_shadow);
	}

	/* passwd entries first: they take their shadow entries */
	for (size_t i = 0; i < st->nrecs; i++) {
		arec *p = &st->recs[i];
		if (p->kind != K_PASSWD) {
			continue;
		}
		cred c = {.r = p, .shell = p->shell, .has_uid = true, .uid = p->uid};
		if (strcmp(p->pw, "x") == 0) {
			arec *s = find_shadow(st, sidx, nsh, p);
			if (!s) {
				continue; /* "x" and no shadow: nobody can log in */
			}
			s->joined = true;
			c.r = s;
		}
		creds[ncreds++] = c;
	}
	for (size_t i = 0; i < st->nrecs; i++) {
		arec *r = &st->recs[i];
		if ((r->kind == K_SHADOW && !r->joined) || r->kind == K_GROUP) {
			creds[ncreds++] = (cred){.r = r, .shell = NULL};
		}
	}
	for (size_t i = 0; i < ncreds; i++) {
		cred *c = &creds[i];
		c->sch = classify(c->r->pw);
		c->prio = c->r->kind == K_GROUP ? 3 : prio_of(c->r->name, c->has_uid, c->uid, c->shell);
		bool crack_it = c->r->judged ? c->r->crack : judge_field(ctx, st, c);
		if (crack_it) {
			jobs[njobs].hash = c->r->pw;
			jobs[njobs].cred = i;
			njobs++;
		}
	}

	/* one crack per distinct hash, in priority order */
	if (njobs > 0) {
		qsort(jobs, njobs, sizeof *jobs, cmp_job);
	}
	for (size_t i = 0; i < njobs;) {
		size_t j = i;
		int prio = 4;
		while (j < njobs && strcmp(jobs[j].hash, jobs[i].hash) == 0) {
			prio = VOUCH_MIN(prio, creds[jobs[j].cred].prio);
			j++;
		}
		groups[ngroups++] = (group){.first = i, .n = j - i, .prio = prio,
					    .cost = schemes[creds[jobs[i].cred].sch].cost};
		i = j;
	}
	if (ngroups > 0) {
		qsort(groups, ngroups, sizeof *groups, cmp_group);
	}
	double budget = ctx->opts && ctx->opts->crack_seconds > 0 ? ctx->opts->crack_seconds
								   : ACC_CRACK_DEFAULT_S;
	budget = VOUCH_MIN(budget, ACC_CRACK_MAX_S);
	double t0 = vouch_now();
	size_t left = crack(ctx, st, creds, jobs, groups, ngroups, t0 + budget, &calls);

	if (left > 0) {
		char det[256];
		snprintf(det, sizeof det,
			 "budget_s=%.1f; hashes=%zu; untried_or_unfinished=%zu; crypt_calls=%llu",
			 budget, ngroups, left, (unsigned long long)calls);
		/* the first hash not finished names the file; the finding is about the run */
		const cred *c = &creds[jobs[groups[ngroups - left].first].cred];
		(void)vouch_afind(ctx, "limit.crack-time", "limit", VOUCH_SEV_LOW,
				  "default-password cracking stopped by its time budget",
				  &st->files[c->r->file].f, UINT64_MAX, NULL, 0, det, NULL);
	}
	if (st->costly > 0) {
		char det[160];
		snprintf(det, sizeof det,
			 "hashes=%llu; caps: sha rounds<=%lu, bcrypt cost<=%d, yescrypt cost<=%d",
			 (unsigned long long)st->costly, ACC_MAX_SHA_ROUNDS, ACC_MAX_BCRYPT_COST,
			 ACC_YESCRYPT_MAX_COST);
		(void)vouch_afind(ctx, "limit.crack-cost", "limit", VOUCH_SEV_INFO,
				  "password hashes too costly to try were skipped",
				  &st->files[st->costly_file].f, UINT64_MAX, NULL, 0, det, NULL);
	}
out:
	if (st->lines_dropped > 0 || st->suppressed > 0) {
		char det[160];
		snprintf(det, sizeof det, "lines_not_kept=%llu; findings_not_listed=%llu",
			 (unsigned long long)st->lines_dropped, (unsigned long long)st->suppressed);
		if (st->nfiles > 0) {
			(void)vouch_afind(ctx, "limit.accounts", "limit", VOUCH_SEV_INFO,
					  "account analysis limits were reached", &st->files[0].f,
					  UINT64_MAX, NULL, 0, det, NULL);
		}
	}
	pthread_mutex_unlock(&st->mu);
	free(sidx);
	free(creds);
	free(jobs);
	free(groups);
}

const vouch_analyzer vouch_analyzer_accounts = {
	.name = "accounts",
	.patterns = NULL,
	.npatterns = 0,
	.init = acc_init,
	.wants = acc_wants,
	.file = acc_file,
	.finish = acc_finish,
	.free = acc_free,
};
