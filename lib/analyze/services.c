/*
 * analyze/services.c: the services analyser: what an image starts at boot that gives remote
 * or console access, and setuid-root programs.
 *
 * What it reports (evidence: the line, its offset, "line=N" in the detail):
 *   service.telnet             high      telnetd / utelnetd / in.telnetd started (scripts,
 *                                        inittab, inetd, xinetd, systemd, procd)
 *   service.bind-shell         critical  a shell served on a port: nc/netcat/ncat -l with
 *                                        -e/-c a shell (high for another program), busybox
 *                                        nc -ll, telnetd -l /bin/sh, socat *-LISTEN with
 *                                        EXEC/SYSTEM of a shell, inetd/xinetd serving a
 *                                        shell, a pipeline joining a shell and a listening nc
 *   service.reverse-shell      critical  the same toward a remote host (nc HOST PORT -e sh,
 *                                        socat TCP:... EXEC:sh, redirection to /dev/tcp/)
 *   service.console-shell      medium    inittab gives a shell without login on a console
 *                                        (`::respawn:/bin/sh`, `ttyS0::askfirst:-/bin/sh`)
 *   service.ssh-password       medium    dropbear without -s (password logins; detail says
 *                                        whether root may use a password: no -g, no -w),
 *                                        sshd_config PasswordAuthentication yes, OpenWrt
 *                                        /etc/config/dropbear PasswordAuth on (its default)
 *   service.ssh-root-login     medium    sshd_config PermitRootLogin yes
 *   service.ssh-empty-password high      dropbear -B, sshd PermitEmptyPasswords yes
 *   service.nonstandard-port   low       telnet not on 23, ssh not on 22 (-p 2323, Port)
 *   service.setuid-root        low       a regular file with mode 04000 owned by uid 0, unless
 *                                        its name is on the short list of programs that are
 *                                        setuid by design (setuid_expected below)
 *   limit.service-findings     info      more than SV_MAX_FINDINGS_PER_FILE in one file
 *
 * Which files: by path. inittab, inetd.conf, xinetd.conf and files in xinetd.d/, sshd_config
 * (and files in sshd_config.d/), OpenWrt's config/dropbear and *.service units each have their own
 * syntax; shell syntax is assumed for init scripts (init.d/, rc.d/, rcS.d/, rcN.d/, upstart
 * init/), rcS, rc.local and friends, and for "#!" shell scripts under etc/ or whose name
 * says start, boot, init or rc (vendor start-up scripts live anywhere). Setuid needs no
 * content: every regular file is checked from its mode and uid.
 *
 * How: lines are read with a bounded length (SV_MAX_LINE; a longer line is analysed by its
 * first SV_MAX_LINE bytes), joined across backslash-newline (at most SV_MAX_JOIN lines,
 * SV_MAX_LOGICAL bytes), and split into words with shell quoting ('...', "...", \x), comments
 * (# at a word start), separators (; & && || | ( ) and newline) and redirections (the target
 * word is set aside; "/dev/tcp/" there means a reverse shell). Each simple command is then
 * resolved to its program: leading assignments and keywords (if, then, do, exec, nohup, ...),
 * wrappers (busybox APPLET, env, nice, chroot DIR, setsid, timeout N) and start-stop-daemon
 * --start --exec PROG -- ARGS are looked through; "procd_set_param command" starts an OpenWrt
 * procd command, "procd_append_param command" extends it, and it is judged when the instance
 * closes. Variables assigned in the same script with a literal value (DAEMON=/usr/sbin/telnetd)
 * are substituted where a word is exactly $NAME or ${NAME}, split on blanks.
 * Only the program's basename and its options decide; `killall telnetd` or `echo telnetd` are
 * not services.
 *
 * Not handled (said here so nobody relies on it): command substitution $(...) and `...`,
 * functions (a command in a function body is judged where it is written, called or not),
 * conditions (a guarded `[ -x ... ] && telnetd` counts), here-documents (their bodies are
 * skipped, not run), ${VAR:-default} and other parameter expansions, variables set in other
 * files (/etc/default/), sshd Match blocks (reading stops at the first Match), Include
 * directives, and files too large for the driver to hold (max_buffer).
 * Rejected: pattern hits on every file (a word "telnetd" in a binary or a man page says
 * nothing about what starts at boot; scripts are small and held whole).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analyze/analyzer.h"
#include "analyze/text.h"
#include "base/base.h"

/* Bytes of one physical line analysed; real script lines are under 200 bytes. */
#define SV_MAX_LINE 4096
/* Bytes of one logical line (continuations joined) and physical lines joined into it. */
#define SV_MAX_LOGICAL 16384
#define SV_MAX_JOIN 64
/* Words of one logical line; the rest of a longer line is not looked at. */
#define SV_MAX_TOKENS 512
/* Findings per file: a hostile script repeating `telnetd` 100,000 times gives this many and
 * one limit.service-findings saying how many more there were. */
#define SV_MAX_FINDINGS_PER_FILE 64
/* Script variables remembered per file, and the longest name and value kept. */
#define SV_MAX_VARS 64
#define SV_MAX_VAR_NAME 32
#define SV_MAX_VAR_VALUE 256
/* Bytes of the head examined to decide whether a file is a shell script. */
#define SV_HEAD 4096

static const char *const shells[] = {"sh", "ash", "bash", "dash", "hush", "msh", "ksh",
				     "mksh", "zsh", "lash", "csh", "tcsh"};

/* Setuid-root by design: authentication and privilege tools whose whole job needs it, and
 * busybox, whose su/passwd/login applets need the binary setuid when built with
 * FEATURE_SUID. Anything else setuid root in firmware is worth a look (low). */
static const char *const setuid_expected[] = {
	"su", "sudo", "sudoedit", "passwd", "chsh", "chfn", "newgrp", "gpasswd", "mount",
	"umount", "fusermount", "fusermount3", "ping", "ping6", "pppd", "busybox",
	"ssh-keysign", "dbus-daemon-launch-helper", "unix_chkpwd", "pkexec", "crontab", "at",
	"expiry", "chage", "newuidmap", "newgidmap", "polkit-agent-helper-1",
};

enum { T_WORD, T_SEP, T_PIPE, T_REDIR };

typedef struct tok {
	int kind;
	const char *s; /* words (and redirection targets): NUL-terminated, dequoted */
} tok;

typedef struct toks {
	tok t[SV_MAX_TOKENS];
	size_t n;
	char buf[SV_MAX_LOGICAL + SV_MAX_TOKENS + 1];
	size_t used;
	char heredoc[64]; /* delimiter of a here-document that starts after this line */
	bool heredoc_strip;
} toks;

typedef struct var {
	char name[SV_MAX_VAR_NAME + 1];
	char value[SV_MAX_VAR_VALUE + 1];
} var;

/* A command after expansion: program and arguments. */
typedef struct cmdv {
	const char *w[SV_MAX_TOKENS];
	size_t n;
	char buf[SV_MAX_LOGICAL + SV_MAX_TOKENS + 1];
	size_t used;
} cmdv;

typedef enum mode {
	M_NONE,
	M_SHELL,
	M_INITTAB,
	M_INETD,
	M_XINETD,
	M_SYSTEMD,
	M_SSHD,
	M_UCI_DROPBEAR,
} mode;

/* sshd: the first value of each setting counts (sshd_config(5)); Port may repeat. */
typedef struct sshd_seen {
	bool root, password, empty;
} sshd_seen;

/* Per-file analysis state (heap: the buffers are large). */
typedef struct sv {
	const vouch_actx *ctx;
	const vouch_file *f;
	/* the logical line being judged: evidence */
	const char *line;
	size_t linelen;
	uint64_t off, lineno;
	unsigned nfind;
	uint64_t suppressed;
	toks tk;
	cmdv cv;
	var vars[SV_MAX_VARS];
	size_t nvars;
	char lbuf[SV_MAX_LOGICAL + 1];
	/* procd: the pending command, judged at procd_close_instance or end of file */
	bool procd;
	cmdv pcv;
	char pline[SV_MAX_LINE + 1];
	size_t plinelen;
	uint64_t poff, pno;
	/* pipeline state of the logical line */
	bool pipe_shell, pipe_nc_listen, pipe_nc_connect;
	char pipe_port[16];
	sshd_seen seen; /* settings already given in this sshd_config */
} sv;

/* ---- helpers ------------------------------------------------------------------------------ */

static void
copy_trunc(char *dst, size_t cap, const char *s, size_t n)
{
	n = VOUCH_MIN(n, cap - 1);
	memcpy(dst, s, n);
	dst[n] = 0;
}

static bool
in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s, list[i]) == 0) {
			return true;
		}
	}
	return false;
}

static bool
is_shell(const char *prog)
{
	return prog && in_list(vouch_basename(prog), shells, VOUCH_ARRAY_LEN(shells));
}

/* The first word of a command string ("/bin/sh -i" -> a shell). */
static bool
cmdstr_is_shell(const char *s)
{
	char w[128];
	size_t n = 0;
	while (*s == ' ' || *s == '\t') {
		s++;
	}
	while (s[n] && s[n] != ' ' && s[n] != '\t' && n < sizeof w - 1) {
		w[n] = s[n];
		n++;
	}
	w[n] = 0;
	return is_shell(w);
}

static bool
all_digits(const char *s)
{
	if (!*s) {
		return false;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9') {
			return false;
		}
	}
	return true;
}

/* Port number of "2222", "0.0.0.0:2222", "[::]:2222"; -1 if none. */
static long
port_of(const char *s)
{
	if (!s) {
		return -1;
	}
	const char *c = strrchr(s, ':');
	const char *p = c ? c + 1 : s;
	if (!all_digits(p) || strlen(p) > 5) {
		return -1;
	}
	long v = strtol(p, NULL, 10);
	return v > 0 && v <= 65535 ? v : -1;
}

static void
report(sv *v, const char *id, vouch_severity sev, const char *title, const char *extra)
{
	char det[512];
	if (v->nfind >= SV_MAX_FINDINGS_PER_FILE) {
		v->suppressed++;
		return;
	}
	v->nfind++;
	snprintf(det, sizeof det, "line=%llu%s%s", (unsigned long long)v->lineno,
		 extra ? "; " : "", extra ? extra : "");
	(void)vouch_afind(v->ctx, id, strncmp(id, "limit.", 6) == 0 ? "limit" : "service", sev,
			  title, v->f, v->off, v->line, v->linelen, det, NULL);
}

/* An escaped copy of a firmware string for a detail field. */
static const char *
esc(char *out, size_t cap, const char *s)
{
	(void)vouch_escape(out, cap, s, strlen(s));
	return out;
}

/* ---- tokenising --------------------------------------------------------------------------- */

static bool
tk_push(toks *tk, int kind, const char *s)
{
	if (tk->n >= SV_MAX_TOKENS) {
		return false;
	}
	tk->t[tk->n].kind = kind;
	tk->t[tk->n].s = s;
	tk->n++;
	return true;
}

/* Read one word at s[*i] (quotes and backslashes removed) into tk->buf; returns it. */
static char *
tk_word(toks *tk, const char *s, size_t n, size_t *i)
{
	char *w = tk->buf + tk->used;
	size_t cap = sizeof tk->buf - tk->used - 1, k = 0;
	size_t j = *i;
#define PUT(c)                                                                                 \
	do {                                                                                   \
		if (k < cap) {                                                                 \
			w[k++] = (char)(c);                                                    \
		}                                                                              \
	} while (0)
	while (j < n) {
		char c = s[j];
		if (c == ' ' || c == '\t' || c == '\n' || strchr(";&|()<>", c)) {
			break;
		}
		if (c == '\\') {
			if (j + 1 < n) {
				PUT(s[j + 1]);
			}
			j += 2;
		} else if (c == '\'') {
			j++;
			while (j < n && s[j] != '\'') {
				PUT(s[j]);
				j++;
			}
			j++;
		} else if (c == '"') {
			j++;
			while (j < n && s[j] != '"') {
				if (s[j] == '\\' && j + 1 < n && strchr("\"\\$`", s[j + 1])) {
					j++;
				}
				PUT(s[j]);
				j++;
			}
			j++;
		} else {
			PUT(c);
			j++;
		}
	}
#undef PUT
	w[k] = 0;
	tk->used += k + 1;
	*i = j;
	return w;
}

/* Split a logical line into words, separators and redirections. */
static void
tokenize(toks *tk, const char *s, size_t n)
{
	size_t i = 0;
	tk->n = 0;
	tk->used = 0;
	tk->heredoc[0] = 0;
	while (i < n && tk->n < SV_MAX_TOKENS) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		if (c == '#') {
			break; /* a comment: # at the start of a word */
		}
		if (c == '|') {
			bool two = i + 1 < n && s[i + 1] == '|';
			tk_push(tk, two ? T_SEP : T_PIPE, NULL);
			i += two ? 2 : 1;
			continue;
		}
		if (c == '&' && i + 1 < n && s[i + 1] == '>') {
			tk_push(tk, T_REDIR, NULL); /* &> file */
			i += 2;
			continue;
		}
		if (c == ';' || c == '&' || c == '(' || c == ')' || c == '\n') {
			tk_push(tk, T_SEP, NULL);
			i += (c == '&' && i + 1 < n && s[i + 1] == '&') ? 2 : 1;
			continue;
		}
		if (c == '<' && i + 2 < n && s[i + 1] == '<' && s[i + 2] != '<') {
			/* here-document: remember the delimiter; its body is skipped */
			i += 2;
			bool strip = false;
			if (i < n && s[i] == '-') {
				strip = true;
				i++;
			}
			while (i < n && (s[i] == ' ' || s[i] == '\t')) {
				i++;
			}
			const char *d = tk_word(tk, s, n, &i);
			if (d[0] && strlen(d) < sizeof tk->heredoc) {
				memcpy(tk->heredoc, d, strlen(d) + 1);
				tk->heredoc_strip = strip;
			}
			continue;
		}
		if (c == '<' || c == '>') {
			/* a word of digits just before is a file descriptor number, not an argument */
			if (tk->n > 0 && tk->t[tk->n - 1].kind == T_WORD &&
			    all_digits(tk->t[tk->n - 1].s) && i > 0 && s[i - 1] >= '0' &&
			    s[i - 1] <= '9') {
				tk->n--;
			}
			i++;
			while (i < n && (s[i] == '>' || s[i] == '<' || s[i] == '&' || s[i] == '|')) {
				i++;
			}
			tk_push(tk, T_REDIR, NULL);
			continue;
		}
		tk_push(tk, T_WORD, tk_word(tk, s, n, &i));
	}
}

/* ---- variables ---------------------------------------------------------------------------- */

/* NAME=value: true, with the name's length. */
static bool
is_assignment(const char *w, size_t *namelen)
{
	size_t k = 0;
	if (!((w[0] >= 'A' && w[0] <= 'Z') || (w[0] >= 'a' && w[0] <= 'z') || w[0] == '_')) {
		return false;
	}
	while (w[k] && w[k] != '=') {
		char c = w[k];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_')) {
			return false;
		}
		k++;
	}
	if (w[k] != '=') {
		return false;
	}
	*namelen = k;
	return true;
}

static void
set_var(sv *v, const char *w, size_t namelen)
{
	const char *val = w + namelen + 1;
	if (namelen > SV_MAX_VAR_NAME || strlen(val) > SV_MAX_VAR_VALUE) {
		return;
	}
	var *slot = NULL;
	for (size_t i = 0; i < v->nvars; i++) {
		if (strlen(v->vars[i].name) == namelen && memcmp(v->vars[i].name, w, namelen) == 0) {
			slot = &v->vars[i];
		}
	}
	if (!slot) {
		if (v->nvars >= SV_MAX_VARS) {
			return;
		}
		slot = &v->vars[v->nvars++];
		memcpy(slot->name, w, namelen);
		slot->name[namelen] = 0;
	}
	memcpy(slot->value, val, strlen(val) + 1);
}

/* The value of $NAME or ${NAME}, or NULL. */
static const char *
get_var(const sv *v, const char *w)
{
	char name[SV_MAX_VAR_NAME + 1];
	size_t n;
	if (w[0] != '$') {
		return NULL;
	}
	if (w[1] == '{') {
		n = strlen(w + 2);
		if (n == 0 || w[2 + n - 1] != '}') {
			return NULL;
		}
		n--;
		w += 2;
	} else {
		w += 1;
		n = strlen(w);
	}
	if (n == 0 || n > SV_MAX_VAR_NAME) {
		return NULL;
	}
	memcpy(name, w, n);
	name[n] = 0;
	for (size_t i = 0; i < v->nvars; i++) {
		if (strcmp(v->vars[i].name, name) == 0) {
			return v->vars[i].value;
		}
	}
	return NULL;
}

static void
cv_add(cmdv *cv, const char *s, size_t n)
{
	if (cv->n >= SV_MAX_TOKENS || cv->used + n + 1 > sizeof cv->buf) {
		return;
	}
	char *d = cv->buf + cv->used;
	memcpy(d, s, n);
	d[n] = 0;
	cv->used += n + 1;
	cv->w[cv->n++] = d;
}

/* Append word w, substituting a known variable (split on blanks). */
static void
cv_add_expanded(const sv *v, cmdv *cv, const char *w)
{
	const char *val = get_var(v, w);
	if (!val) {
		cv_add(cv, w, strlen(w));
		return;
	}
	const char *p = val;
	while (*p) {
		while (*p == ' ' || *p == '\t') {
			p++;
		}
		const char *e = p;
		while (*e && *e != ' ' && *e != '\t') {
			e++;
		}
		if (e > p) {
			cv_add(cv, p, (size_t)(e - p));
		}
		p = e;
	}
}

/* ---- option parsing ----------------------------------------------------------------------- */

/* Generic short-option walk: calls back for every option letter with its value (for letters
 * in `valued`: the rest of the word or the next word) and for every operand. */
typedef void (*opt_fn)(void *ud, char opt, const char *val);

static void
walk_opts(const char *const *w, size_t n, const char *valued, opt_fn fn, void *ud)
{
	for (size_t i = 0; i < n; i++) {
		const char *a = w[i];
		if (a[0] != '-' || a[1] == 0 || a[1] == '-') {
			if (a[0] == '-' && a[1] == '-' && a[2]) {
				fn(ud, '-', a); /* a long option, given whole */
				continue;
			}
			fn(ud, 0, a); /* operand */
			continue;
		}
		for (size_t k = 1; a[k]; k++) {
			if (strchr(valued, a[k])) {
				const char *val = a[k + 1] ? a + k + 1 : (i + 1 < n ? w[++i] : NULL);
				fn(ud, a[k], val);
				break;
			}
			fn(ud, a[k], NULL);
		}
	}
}

/* ---- judging one program ---------------------------------------------------------------- */

typedef struct optsum {
	bool flags[128];
	const char *val[128];
	const char *ports[8];
	size_t nports;
	const char *operands[8];
	size_t nops;
	const char *longs[8];
	size_t nlongs;
} optsum;

static void
sum_cb(void *ud, char opt, const char *val)
{
	optsum *o = ud;
	if (opt == 0) {
		if (o->nops < VOUCH_ARRAY_LEN(o->operands)) {
			o->operands[o->nops++] = val;
		}
		return;
	}
	if (opt == '-') {
		if (o->nlongs < VOUCH_ARRAY_LEN(o->longs)) {
			o->longs[o->nlongs++] = val;
		}
		return;
	}
	if ((unsigned char)opt >= 128) {
		return;
	}
	o->flags[(int)opt] = true;
	if (val) {
		o->val[(int)opt] = val;
		if (opt == 'p' && o->nports < VOUCH_ARRAY_LEN(o->ports)) {
			o->ports[o->nports++] = val;
		}
	}
}

/* The value of long option --name (--name=V or --name V); NULL if absent. */
static const char *
long_opt(const char *const *w, size_t n, const char *name)
{
	size_t ln = strlen(name);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(w[i], name, ln) == 0) {
			if (w[i][ln] == '=') {
				return w[i] + ln + 1;
			}
			if (w[i][ln] == 0) {
				return i + 1 < n ? w[i + 1] : "";
			}
		}
	}
	return NULL;
}

static void
judge_telnetd(sv *v, const char *prog, const char *const *args, size_t nargs,
	      const char *port_hint)
{
	optsum o = {0};
	char e1[128], det[512];
	walk_opts(args, nargs, "lLfpbw", sum_cb, &o);
	const char *login = o.val['l'] ? o.val['l'] : o.val['L'];
	long port = o.val['p'] ? port_of(o.val['p']) : port_of(o.val['b']);
	if (port < 0 && port_hint) {
		port = port_of(port_hint);
	}
	char e2[128];
	snprintf(det, sizeof det, "program=%s; port=%ld%s%s", esc(e1, sizeof e1, vouch_basename(prog)),
		 port < 0 ? 23 : port, login ? "; login=" : "", login ? esc(e2, sizeof e2, login) : "");
	report(v, "service.telnet", VOUCH_SEV_HIGH, "telnet server started", det);
	if (login && is_shell(login)) {
		report(v, "service.bind-shell", VOUCH_SEV_CRITICAL,
		       "telnet server hands out a shell without login", det);
	}
	if (port > 0 && port != 23) {
		report(v, "service.nonstandard-port", VOUCH_SEV_LOW,
		       "remote-access service on a non-standard port", det);
	}
}

static void
judge_dropbear(sv *v, const char *const *args, size_t nargs)
{
	optsum o = {0};
	char det[256];
	walk_opts(args, nargs, "brpPWKIcTD", sum_cb, &o);
	bool pw = !o.flags['s'];
	bool rootpw = pw && !o.flags['g'] && !o.flags['w'];
	char ports[64] = "22";
	size_t pl = 0;
	for (size_t i = 0; i < o.nports; i++) {
		long p = port_of(o.ports[i]);
		if (p > 0 && pl < sizeof ports - 8) {
			pl += (size_t)snprintf(ports + pl, sizeof ports - pl, "%s%ld", pl ? "," : "", p);
		}
	}
	snprintf(det, sizeof det, "program=dropbear; port=%s; root_password=%s", ports,
		 rootpw ? "yes" : "no");
	if (pw) {
		report(v, "service.ssh-password", VOUCH_SEV_MEDIUM,
		       "SSH server accepts password logins", det);
	}
	if (o.flags['B']) {
		report(v, "service.ssh-empty-password", VOUCH_SEV_HIGH,
		       "SSH server accepts empty passwords", det);
	}
	for (size_t i = 0; i < o.nports; i++) {
		long p = port_of(o.ports[i]);
		if (p > 0 && p != 22) {
			report(v, "service.nonstandard-port", VOUCH_SEV_LOW,
			       "remote-access service on a non-standard port", det);
			break;
		}
	}
}

static void sshd_setting(sv *v, const char *key, const char *val);

static void
judge_sshd(sv *v, const char *const *args, size_t nargs)
{
	optsum o = {0};
	walk_opts(args, nargs, "bcCEfghkoOp", sum_cb, &o);
	for (size_t i = 0; i < o.nports; i++) {
		sshd_setting(v, "port", o.ports[i]);
	}
	/* -o Key=Value (or "Key Value") */
	for (size_t i = 0; i + 1 < nargs; i++) {
		const char *kv = NULL;
		if (strcmp(args[i], "-o") == 0) {
			kv = args[i + 1];
		} else if (strncmp(args[i], "-o", 2) == 0) {
			kv = args[i] + 2;
		}
		if (!kv) {
			continue;
		}
		char key[64];
		size_t k = 0;
		while (kv[k] && kv[k] != '=' && kv[k] != ' ' && k < sizeof key - 1) {
			key[k] = kv[k];
			k++;
		}
		key[k] = 0;
		if (kv[k] == '=' || kv[k] == ' ') {
			sshd_setting(v, key, kv + k + 1);
		}
	}
	if (nargs > 0 && strncmp(args[nargs - 1], "-o", 2) == 0 && strlen(args[nargs - 1]) > 2) {
		/* handled above only when followed by another word; the last word alone */
		const char *kv = args[nargs - 1] + 2;
		const char *eq = strchr(kv, '=');
		if (eq) {
			char key[64];
			size_t k = VOUCH_MIN((size_t)(eq - kv), sizeof key - 1);
			memcpy(key, kv, k);
			key[k] = 0;
			sshd_setting(v, key, eq + 1);
		}
	}
}

typedef struct ncsum {
	bool listen;
	const char *exec;   /* -e PROG */
	const char *shcmd;  /* -c CMD (run by /bin/sh) */
	const char *port;
	const char *operands[4];
	size_t nops;
} ncsum;

static void
nc_cb(void *ud, char opt, const char *val)
{
	ncsum *o = ud;
	switch (opt) {
	case 0:
		if (o->nops < VOUCH_ARRAY_LEN(o->operands)) {
			o->operands[o->nops++] = val;
		}
		break;
	case 'l':
	case 'L':
		o->listen = true;
		break;
	case 'e':
		o->exec = val;
		break;
	case 'c':
		o->shcmd = val;
		break;
	case 'p':
		o->port = val;
		break;
	case '-':
		if (strcmp(val, "--listen") == 0) {
			o->listen = true;
		}
		break;
	default:
		break;
	}
}

static void
judge_nc(sv *v, const char *prog, const char *const *args, size_t nargs)
{
	ncsum o = {0};
	char det[512], e1[128], e2[128], e3[160];
	walk_opts(args, nargs, "ecpswiqxXOITVWMmPgGo", nc_cb, &o);
	const char *lx = long_opt(args, nargs, "--exec");
	const char *ls = long_opt(args, nargs, "--sh-exec");
	if (lx) {
		o.exec = lx;
	}
	if (ls) {
		o.shcmd = ls;
	}
	const char *runs = o.exec ? o.exec : o.shcmd;
	if (!runs) {
		/* no program attached: maybe part of a shell pipeline (mkfifo ... | sh | nc -l) */
		if (o.listen) {
			v->pipe_nc_listen = true;
		} else if (o.nops >= 2) {
			v->pipe_nc_connect = true;
		}
		const char *pp = o.port ? o.port : (o.nops ? o.operands[o.nops - 1] : "");
		copy_trunc(v->pipe_port, sizeof v->pipe_port, pp, strlen(pp));
		return;
	}
	bool shell = o.shcmd ? true : cmdstr_is_shell(runs);
	/* the port: -p, else the last operand that is not the value of a long option */
	const char *port = o.port;
	for (size_t i = o.nops; !port && i > 0; i--) {
		if (o.operands[i - 1] != lx && o.operands[i - 1] != ls) {
			port = o.operands[i - 1];
		}
	}
	if (!port) {
		port = "?";
	}
	snprintf(det, sizeof det, "program=%s; port=%s; runs=%s",
		 esc(e1, sizeof e1, vouch_basename(prog)), esc(e2, sizeof e2, port),
		 esc(e3, sizeof e3, runs));
	if (o.listen) {
		report(v, "service.bind-shell", shell ? VOUCH_SEV_CRITICAL : VOUCH_SEV_HIGH,
		       shell ? "shell served on a network port" : "program served on a network port",
		       det);
	} else {
		report(v, "service.reverse-shell", shell ? VOUCH_SEV_CRITICAL : VOUCH_SEV_HIGH,
		       "shell connected to a remote host", det);
	}
}

static void
judge_socat(sv *v, const char *const *args, size_t nargs)
{
	bool listen = false, connect = false, shell = false, exec = false;
	char det[384];
	for (size_t i = 0; i < nargs; i++) {
		const char *a = args[i];
		if (a[0] == '-') {
			continue;
		}
		if (strncasecmp(a, "exec:", 5) == 0 || strncasecmp(a, "system:", 7) == 0) {
			/* EXEC:cmd,opt,opt: the command ends at the first comma */
			char cmd[128];
			const char *c = strchr(a, ':') + 1;
			copy_trunc(cmd, sizeof cmd, c, strcspn(c, ","));
			exec = true;
			shell = shell || cmdstr_is_shell(cmd) || strncasecmp(a, "system:", 7) == 0;
		} else if (strncasecmp(a, "tcp-listen:", 11) == 0 ||
			   strncasecmp(a, "tcp4-listen:", 12) == 0 ||
			   strncasecmp(a, "tcp6-listen:", 12) == 0 ||
			   strncasecmp(a, "udp-listen:", 11) == 0 ||
			   strncasecmp(a, "openssl-listen:", 15) == 0) {
			listen = true;
		} else if (strncasecmp(a, "tcp:", 4) == 0 || strncasecmp(a, "tcp4:", 5) == 0 ||
			   strncasecmp(a, "tcp6:", 5) == 0 || strncasecmp(a, "openssl:", 8) == 0 ||
			   strncasecmp(a, "udp:", 4) == 0) {
			connect = true;
		}
	}
	if (!exec || (!listen && !connect)) {
		return;
	}
	snprintf(det, sizeof det, "program=socat; shell=%s", shell ? "yes" : "no");
	report(v, listen ? "service.bind-shell" : "service.reverse-shell",
	       shell ? VOUCH_SEV_CRITICAL : VOUCH_SEV_HIGH,
	       listen ? "shell served on a network port" : "shell connected to a remote host", det);
}

/* Judge one resolved command; port_hint: the port an inetd-style config binds it to. */
static void
judge(sv *v, const char *prog, const char *const *args, size_t nargs, const char *port_hint)
{
	const char *b = vouch_basename(prog);
	if (strcmp(b, "telnetd") == 0 || strcmp(b, "utelnetd") == 0 ||
	    strcmp(b, "in.telnetd") == 0) {
		judge_telnetd(v, prog, args, nargs, port_hint);
	} else if (strcmp(b, "dropbear") == 0) {
		judge_dropbear(v, args, nargs);
	} else if (strcmp(b, "sshd") == 0) {
		judge_sshd(v, args, nargs);
	} else if (strcmp(b, "nc") == 0 || strcmp(b, "netcat") == 0 || strcmp(b, "ncat") == 0 ||
		   strncmp(b, "nc.", 3) == 0) {
		judge_nc(v, prog, args, nargs);
	} else if (strcmp(b, "socat") == 0) {
		judge_socat(v, args, nargs);
	} else if (is_shell(b)) {
		/* a shell stage of a pipeline: interactive (no script operand, or -i) */
		bool script = false, inter = false;
		for (size_t i = 0; i < nargs; i++) {
			if (strcmp(args[i], "-i") == 0) {
				inter = true;
			} else if (args[i][0] != '-') {
				script = true;
				break;
			} else if (strcmp(args[i], "-c") == 0) {
				script = true;
				break;
			}
		}
		if (inter || !script) {
			v->pipe_shell = true;
		}
	}
}

/* ---- resolving a simple command ---------------------------------------------------------- */

static bool
is_keyword(const char *w)
{
	static const char *const kw[] = {"if",   "then", "do",      "else",    "elif",
					 "while", "until", "!",      "{",       "}",
					 "time", "exec", "nohup",   "setsid",  "command",
					 "builtin", "sudo", "doas", "respawn", "eval"};
	return in_list(w, kw, VOUCH_ARRAY_LEN(kw));
}

/* start-stop-daemon: its program (-x/--exec, -a/--startas) and the words after "--", if it
 * starts something. Returns false for --stop and friends. */
static bool
resolve_ssd(const char *const *w, size_t n, const char **prog, size_t *argstart)
{
	bool start = false;
	const char *exec = NULL, *startas = NULL;
	size_t i = 0;
	*argstart = n;
	for (; i < n; i++) {
		const char *a = w[i];
		if (strcmp(a, "--") == 0) {
			*argstart = i + 1;
			break;
		}
		if (strcmp(a, "--start") == 0) {
			start = true;
		} else if (strncmp(a, "--exec", 6) == 0 || strncmp(a, "--startas", 9) == 0) {
			bool isexec = a[2] == 'e';
			const char *eq = strchr(a, '=');
			const char *val = eq ? eq + 1 : (i + 1 < n ? w[++i] : NULL);
			if (isexec) {
				exec = val;
			} else {
				startas = val;
			}
		} else if (a[0] == '-' && a[1] == '-') {
			/* long options with a separate value */
			static const char *const lv[] = {"--pidfile", "--chuid", "--user",
							 "--name", "--nicelevel", "--chdir",
							 "--chroot", "--group", "--umask",
							 "--retry", "--signal", "--output",
							 "--procsched", "--iosched", "--ppid"};
			if (!strchr(a, '=') && in_list(a, lv, VOUCH_ARRAY_LEN(lv))) {
				i++;
			}
		} else if (a[0] == '-') {
			for (size_t k = 1; a[k]; k++) {
				if (a[k] == 'S') {
					start = true;
				} else if (strchr("xapucnNdrgkRsPI", a[k])) {
					const char *val = a[k + 1] ? a + k + 1 : (i + 1 < n ? w[++i] : NULL);
					if (a[k] == 'x') {
						exec = val;
					} else if (a[k] == 'a') {
						startas = val;
					}
					break;
				}
			}
		}
	}
	*prog = startas ? startas : exec;
	return start && *prog;
}

static void procd_flush(sv *v);

/* Judge one simple command (words w[0..n), already expanded). */
static void
simple_command(sv *v, const char *const *w, size_t n)
{
	size_t i = 0, nl;
	/* a command made only of assignments sets script variables */
	bool only_assign = n > 0;
	for (size_t k = 0; k < n; k++) {
		only_assign = only_assign && is_assignment(w[k], &nl);
	}
	if (only_assign) {
		for (size_t k = 0; k < n; k++) {
			(void)is_assignment(w[k], &nl);
			set_var(v, w[k], nl);
		}
		return;
	}
	while (i < n) {
		const char *b = vouch_basename(w[i]);
		if (is_assignment(w[i], &nl) || is_keyword(w[i])) {
			i++;
		} else if (strcmp(b, "busybox") == 0) {
			i++;
		} else if (strcmp(b, "env") == 0) {
			i++;
			while (i < n && (w[i][0] == '-' || is_assignment(w[i], &nl))) {
				i++;
			}
		} else if (strcmp(b, "nice") == 0 || strcmp(b, "ionice") == 0 ||
			   strcmp(b, "timeout") == 0 || strcmp(b, "taskset") == 0 ||
			   strcmp(b, "chrt") == 0 || strcmp(b, "stdbuf") == 0) {
			i++;
			while (i < n && (w[i][0] == '-' || all_digits(w[i]))) {
				i++;
			}
		} else if (strcmp(b, "chroot") == 0) {
			i += 2;
		} else {
			break;
		}
	}
	if (i >= n) {
		return;
	}
	const char *b = vouch_basename(w[i]);
	if (strcmp(b, "start-stop-daemon") == 0) {
		const char *prog;
		size_t as;
		if (resolve_ssd(w + i + 1, n - i - 1, &prog, &as)) {
			judge(v, prog, w + i + 1 + as, n - i - 1 - as, NULL);
		}
		return;
	}
	if (strcmp(w[i], "procd_set_param") == 0 && i + 2 < n && strcmp(w[i + 1], "command") == 0) {
		procd_flush(v);
		v->procd = true;
		v->pcv.n = 0;
		v->pcv.used = 0;
		for (size_t k = i + 2; k < n; k++) {
			cv_add(&v->pcv, w[k], strlen(w[k]));
		}
		v->plinelen = VOUCH_MIN(v->linelen, (size_t)SV_MAX_LINE);
		memcpy(v->pline, v->line, v->plinelen);
		v->poff = v->off;
		v->pno = v->lineno;
		return;
	}
	if (strcmp(w[i], "procd_append_param") == 0 && i + 1 < n &&
	    strcmp(w[i + 1], "command") == 0) {
		if (v->procd) {
			for (size_t k = i + 2; k < n; k++) {
				cv_add(&v->pcv, w[k], strlen(w[k]));
			}
		}
		return;
	}
	if (strcmp(w[i], "procd_close_instance") == 0) {
		procd_flush(v);
		return;
	}
	judge(v, w[i], w + i + 1, n - i - 1, NULL);
}

/* Judge the pending procd command against the line that set it. */
static void
procd_flush(sv *v)
{
	if (!v->procd || v->pcv.n == 0) {
		v->procd = false;
		return;
	}
	const char *line = v->line;
	size_t linelen = v->linelen;
	uint64_t off = v->off, no = v->lineno;
	v->procd = false;
	v->line = v->pline;
	v->linelen = v->plinelen;
	v->off = v->poff;
	v->lineno = v->pno;
	judge(v, v->pcv.w[0], v->pcv.w + 1, v->pcv.n - 1, NULL);
	v->line = line;
	v->linelen = linelen;
	v->off = off;
	v->lineno = no;
}

/* Pipeline verdict: a shell stage joined to a bare nc stage. */
static void
pipeline_end(sv *v)
{
	if (v->pipe_shell && (v->pipe_nc_listen || v->pipe_nc_connect)) {
		char det[160], e[64];
		snprintf(det, sizeof det, "program=nc; port=%s; via=pipeline",
			 v->pipe_port[0] ? esc(e, sizeof e, v->pipe_port) : "?");
		report(v, v->pipe_nc_listen ? "service.bind-shell" : "service.reverse-shell",
		       VOUCH_SEV_CRITICAL,
		       v->pipe_nc_listen ? "shell served on a network port"
					 : "shell connected to a remote host",
		       det);
	}
	v->pipe_shell = v->pipe_nc_listen = v->pipe_nc_connect = false;
	v->pipe_port[0] = 0;
}

/* Judge every command of the tokenised logical line in v->tk. */
static void
commands(sv *v)
{
	const toks *tk = &v->tk;
	cmdv *cv = &v->cv;
	bool devtcp = false;
	size_t i = 0;
	v->pipe_shell = v->pipe_nc_listen = v->pipe_nc_connect = false;
	v->pipe_port[0] = 0;
	while (i <= tk->n) {
		cv->n = 0;
		cv->used = 0;
		for (; i < tk->n && (tk->t[i].kind == T_WORD || tk->t[i].kind == T_REDIR); i++) {
			if (tk->t[i].kind == T_REDIR) {
				if (i + 1 < tk->n && tk->t[i + 1].kind == T_WORD) {
					const char *tgt = tk->t[++i].s;
					devtcp = devtcp || strncmp(tgt, "/dev/tcp/", 9) == 0 ||
						 strncmp(tgt, "/dev/udp/", 9) == 0;
				}
				continue;
			}
			cv_add_expanded(v, cv, tk->t[i].s);
		}
		if (cv->n > 0) {
			simple_command(v, cv->w, cv->n);
		}
		if (i >= tk->n || tk->t[i].kind == T_SEP) {
			pipeline_end(v);
		}
		i++;
	}
	if (devtcp) {
		report(v, "service.reverse-shell", VOUCH_SEV_CRITICAL,
		       "shell redirected to a network connection", "via=/dev/tcp");
	}
}

/* ---- line-oriented formats ---------------------------------------------------------------- */

/* Trim blanks at both ends of [*s, *s+*n). */
static void
trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) {
		(*n)--;
	}
}

static void
line_inittab(sv *v, const char *s, size_t n)
{
	const char *fld[4];
	size_t fl[4], nf = 0;
	const char *p = s, *end = s + n;
	if (n == 0 || s[0] == '#') {
		return;
	}
	while (nf < 3) {
		const char *c = memchr(p, ':', (size_t)(end - p));
		if (!c) {
			return; /* fewer than 4 fields: not an inittab entry */
		}
		fld[nf] = p;
		fl[nf] = (size_t)(c - p);
		nf++;
		p = c + 1;
	}
	fld[3] = p;
	fl[3] = (size_t)(end - p);
	const char *proc = fld[3];
	size_t pn = fl[3];
	trim(&proc, &pn);
	if (pn && proc[0] == '-') {
		proc++; /* "-" asks for a login shell: still no authentication */
		pn--;
	}
	tokenize(&v->tk, proc, pn);
	commands(v);
	/* a shell on a console without login */
	const toks *tk = &v->tk;
	if (tk->n == 0 || tk->t[0].kind != T_WORD || !is_shell(tk->t[0].s)) {
		return;
	}
	for (size_t i = 1; i < tk->n; i++) {
		if (tk->t[i].kind != T_WORD || tk->t[i].s[0] != '-' || strcmp(tk->t[i].s, "-c") == 0) {
			return; /* a script or a command, not an interactive shell */
		}
	}
	char action[32], id[64], det[256];
	size_t an = VOUCH_MIN(fl[2], sizeof action - 1);
	memcpy(action, fld[2], an);
	action[an] = 0;
	if (strcmp(action, "off") == 0 || strcmp(action, "shutdown") == 0 ||
	    strcmp(action, "restart") == 0 || strcmp(action, "ctrlaltdel") == 0) {
		return;
	}
	(void)vouch_escape(id, sizeof id, fld[0], fl[0]);
	char ea[64], es[64];
	snprintf(det, sizeof det, "tty=%s; action=%s; shell=%s", id[0] ? id : "console",
		 esc(ea, sizeof ea, action), esc(es, sizeof es, vouch_basename(tk->t[0].s)));
	report(v, "service.console-shell", VOUCH_SEV_MEDIUM, "console shell without login", det);
}

/* inetd.conf: service socket proto wait user server args... */
static void
line_inetd(sv *v, const char *s, size_t n)
{
	if (n == 0 || s[0] == '#') {
		return;
	}
	tokenize(&v->tk, s, n);
	const toks *tk = &v->tk;
	const char *w[SV_MAX_TOKENS];
	size_t nw = 0;
	for (size_t i = 0; i < tk->n; i++) {
		if (tk->t[i].kind == T_WORD) {
			w[nw++] = tk->t[i].s;
		}
	}
	if (nw < 6 || strcmp(w[5], "internal") == 0) {
		return;
	}
	const char *service = w[0];
	const char *c = strrchr(service, ':'); /* busybox: [addr:]service */
	if (c) {
		service = c + 1;
	}
	const char *port = strcmp(service, "telnet") == 0 ? "23"
			   : strcmp(service, "ssh") == 0   ? "22"
							   : service;
	const char *prog = w[5];
	size_t a = 7; /* w[6] is the program's argv[0] */
	if (strcmp(vouch_basename(prog), "tcpd") == 0 && nw > 6) {
		prog = w[6];
	}
	if (is_shell(prog)) {
		char det[256], e[64], e2[64];
		snprintf(det, sizeof det, "program=%s; port=%s; via=inetd",
			 esc(e2, sizeof e2, vouch_basename(prog)), esc(e, sizeof e, port));
		report(v, "service.bind-shell", VOUCH_SEV_CRITICAL, "shell served on a network port",
		       det);
		return;
	}
	judge(v, prog, w + VOUCH_MIN(a, nw), nw - VOUCH_MIN(a, nw), port);
}

typedef struct xsvc {
	bool open, disabled;
	char name[64], server[256], args[512], port[16];
	char line[SV_MAX_LINE + 1];
	size_t linelen;
	uint64_t off, no;
} xsvc;

static void
xinetd_flush(sv *v, xsvc *x)
{
	if (!x->open || x->disabled || !x->server[0]) {
		x->open = false;
		return;
	}
	x->open = false;
	const char *port = x->port[0] ? x->port
			   : strcmp(x->name, "telnet") == 0 ? "23"
							    : x->name;
	const char *line = v->line;
	size_t linelen = v->linelen;
	uint64_t off = v->off, no = v->lineno;
	v->line = x->line;
	v->linelen = x->linelen;
	v->off = x->off;
	v->lineno = x->no;
	if (is_shell(x->server)) {
		char det[256], e[64], e2[64];
		snprintf(det, sizeof det, "program=%s; port=%s; via=xinetd",
			 esc(e2, sizeof e2, vouch_basename(x->server)), esc(e, sizeof e, port));
		report(v, "service.bind-shell", VOUCH_SEV_CRITICAL, "shell served on a network port",
		       det);
	} else {
		tokenize(&v->tk, x->args, strlen(x->args));
		const char *w[SV_MAX_TOKENS];
		size_t nw = 0;
		for (size_t i = 0; i < v->tk.n; i++) {
			if (v->tk.t[i].kind == T_WORD) {
				w[nw++] = v->tk.t[i].s;
			}
		}
		judge(v, x->server, w, nw, port);
	}
	v->line = line;
	v->linelen = linelen;
	v->off = off;
	v->lineno = no;
}

static void
line_xinetd(sv *v, xsvc *x, const char *s, size_t n)
{
	if (n == 0 || s[0] == '#') {
		return;
	}
	if (n > 8 && strncmp(s, "service", 7) == 0 && (s[7] == ' ' || s[7] == '\t')) {
		xinetd_flush(v, x);
		memset(x, 0, sizeof *x);
		x->open = true;
		const char *nm = s + 8;
		size_t nn = n - 8;
		trim(&nm, &nn);
		copy_trunc(x->name, sizeof x->name, nm, nn);
		x->linelen = VOUCH_MIN(v->linelen, (size_t)SV_MAX_LINE);
		memcpy(x->line, v->line, x->linelen);
		x->off = v->off;
		x->no = v->lineno;
		return;
	}
	if (s[0] == '}') {
		xinetd_flush(v, x);
		return;
	}
	const char *eq = memchr(s, '=', n);
	if (!eq || !x->open) {
		return;
	}
	const char *k = s, *val = eq + 1;
	size_t kn = (size_t)(eq - s), vn = n - kn - 1;
	if (kn && (k[kn - 1] == '+' || k[kn - 1] == '-')) {
		kn--;
	}
	trim(&k, &kn);
	trim(&val, &vn);
	if (kn == 7 && strncmp(k, "disable", 7) == 0) {
		x->disabled = vn == 3 && strncmp(val, "yes", 3) == 0;
	} else if (kn == 6 && strncmp(k, "server", 6) == 0) {
		copy_trunc(x->server, sizeof x->server, val, vn);
		/* the finding points at the server line */
		x->linelen = VOUCH_MIN(v->linelen, (size_t)SV_MAX_LINE);
		memcpy(x->line, v->line, x->linelen);
		x->off = v->off;
		x->no = v->lineno;
	} else if (kn == 11 && strncmp(k, "server_args", 11) == 0) {
		copy_trunc(x->args, sizeof x->args, val, vn);
	} else if (kn == 4 && strncmp(k, "port", 4) == 0) {
		copy_trunc(x->port, sizeof x->port, val, vn);
	}
}

static void
line_systemd(sv *v, const char *s, size_t n)
{
	static const char *const keys[] = {"ExecStart=", "ExecStartPre=", "ExecStartPost="};
	if (n == 0 || s[0] == '#' || s[0] == ';') {
		return;
	}
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(keys); i++) {
		size_t kl = strlen(keys[i]);
		if (n >= kl && strncmp(s, keys[i], kl) == 0) {
			const char *val = s + kl;
			size_t vn = n - kl;
			while (vn && strchr("-@:+!|", val[0])) { /* systemd's exec prefixes */
				val++;
				vn--;
			}
			tokenize(&v->tk, val, vn);
			commands(v);
			return;
		}
	}
}

static void
sshd_setting(sv *v, const char *key, const char *val)
{
	char det[160], e[64];
	while (*val == ' ' || *val == '\t' || *val == '=') {
		val++;
	}
	bool yes = strncasecmp(val, "yes", 3) == 0 && (val[3] == 0 || val[3] == ' ');
	if (strcasecmp(key, "port") == 0) {
		long p = port_of(val);
		if (p > 0 && p != 22) {
			snprintf(det, sizeof det, "program=sshd; port=%ld", p);
			report(v, "service.nonstandard-port", VOUCH_SEV_LOW,
			       "remote-access service on a non-standard port", det);
		}
		return;
	}
	snprintf(det, sizeof det, "program=sshd; %s=%s", esc(e, sizeof e, key), yes ? "yes" : "no");
	sshd_seen *seen = &v->seen;
	if (strcasecmp(key, "permitrootlogin") == 0 && !seen->root) {
		seen->root = true;
		if (yes) {
			report(v, "service.ssh-root-login", VOUCH_SEV_MEDIUM,
			       "SSH server lets root log in with a password", det);
		}
	} else if (strcasecmp(key, "passwordauthentication") == 0 && !seen->password) {
		seen->password = true;
		if (yes) {
			report(v, "service.ssh-password", VOUCH_SEV_MEDIUM,
			       "SSH server accepts password logins", det);
		}
	} else if (strcasecmp(key, "permitemptypasswords") == 0 && !seen->empty) {
		seen->empty = true;
		if (yes) {
			report(v, "service.ssh-empty-password", VOUCH_SEV_HIGH,
			       "SSH server accepts empty passwords", det);
		}
	}
}

/* Returns false at a Match block (we stop there). */
static bool
line_sshd(sv *v, const char *s, size_t n)
{
	char key[64], val[256];
	size_t k = 0;
	if (n == 0 || s[0] == '#') {
		return true;
	}
	while (k < n && s[k] != ' ' && s[k] != '\t' && s[k] != '=') {
		k++;
	}
	copy_trunc(key, sizeof key, s, k);
	const char *vp = s + k;
	size_t vn = n - k;
	while (vn && (*vp == ' ' || *vp == '\t' || *vp == '=')) {
		vp++;
		vn--;
	}
	trim(&vp, &vn);
	copy_trunc(val, sizeof val, vp, vn);
	if (strcasecmp(key, "match") == 0) {
		return false;
	}
	sshd_setting(v, key, val);
	return true;
}

/* OpenWrt UCI: config dropbear / option Key 'value'. */
typedef struct uci_db {
	bool open, disabled, pw_set, pw_on, rootpw_set, rootpw_on;
	char port[16];
	char line[SV_MAX_LINE + 1]; /* the PasswordAuth line, else the config line */
	size_t linelen;
	uint64_t off, no;
	char pline[SV_MAX_LINE + 1]; /* the Port line */
	size_t plinelen;
	uint64_t poff, pno;
} uci_db;

static bool
uci_true(const char *s)
{
	return strcmp(s, "1") == 0 || strcasecmp(s, "on") == 0 || strcasecmp(s, "yes") == 0 ||
	       strcasecmp(s, "true") == 0 || strcasecmp(s, "enabled") == 0;
}

static void
uci_flush(sv *v, uci_db *u)
{
	if (!u->open || u->disabled) {
		u->open = false;
		return;
	}
	u->open = false;
	const char *line = v->line;
	size_t linelen = v->linelen;
	uint64_t off = v->off, no = v->lineno;
	bool pw = !u->pw_set || u->pw_on;        /* OpenWrt's default: on */
	bool root = !u->rootpw_set || u->rootpw_on;
	char det[160];
	long port = u->port[0] ? port_of(u->port) : 22;
	snprintf(det, sizeof det, "program=dropbear; port=%ld; root_password=%s; via=uci%s", port,
		 pw && root ? "yes" : "no", u->pw_set ? "" : "; PasswordAuth=default(on)");
	v->line = u->line;
	v->linelen = u->linelen;
	v->off = u->off;
	v->lineno = u->no;
	if (pw) {
		report(v, "service.ssh-password", VOUCH_SEV_MEDIUM,
		       "SSH server accepts password logins", det);
	}
	if (port > 0 && port != 22) {
		v->line = u->pline;
		v->linelen = u->plinelen;
		v->off = u->poff;
		v->lineno = u->pno;
		report(v, "service.nonstandard-port", VOUCH_SEV_LOW,
		       "remote-access service on a non-standard port", det);
	}
	v->line = line;
	v->linelen = linelen;
	v->off = off;
	v->lineno = no;
}

static void
line_uci(sv *v, uci_db *u, const char *s, size_t n)
{
	tokenize(&v->tk, s, n);
	const toks *tk = &v->tk;
	if (tk->n < 2 || tk->t[0].kind != T_WORD || tk->t[1].kind != T_WORD) {
		return;
	}
	const char *w0 = tk->t[0].s, *w1 = tk->t[1].s;
	const char *w2 = tk->n > 2 && tk->t[2].kind == T_WORD ? tk->t[2].s : "";
	size_t keep = VOUCH_MIN(v->linelen, (size_t)SV_MAX_LINE);
	if (strcmp(w0, "config") == 0) {
		uci_flush(v, u);
		memset(u, 0, sizeof *u);
		if (strcmp(w1, "dropbear") != 0) {
			return;
		}
		u->open = true;
		memcpy(u->line, v->line, keep);
		u->linelen = keep;
		u->off = v->off;
		u->no = v->lineno;
		return;
	}
	if (!u->open || strcmp(w0, "option") != 0) {
		return;
	}
	if (strcmp(w1, "enable") == 0) {
		u->disabled = !uci_true(w2);
	} else if (strcmp(w1, "PasswordAuth") == 0) {
		u->pw_set = true;
		u->pw_on = uci_true(w2);
		memcpy(u->line, v->line, keep);
		u->linelen = keep;
		u->off = v->off;
		u->no = v->lineno;
	} else if (strcmp(w1, "RootPasswordAuth") == 0) {
		u->rootpw_set = true;
		u->rootpw_on = uci_true(w2);
	} else if (strcmp(w1, "Port") == 0) {
		copy_trunc(u->port, sizeof u->port, w2, strlen(w2));
		memcpy(u->pline, v->line, keep);
		u->plinelen = keep;
		u->poff = v->off;
		u->pno = v->lineno;
	}
}

/* ---- which files ------------------------------------------------------------------------- */

static bool
path_has(const char *path, const char *part)
{
	return strstr(path, part) != NULL;
}

static mode
mode_of(const char *path)
{
	const char *b = vouch_basename(path);
	size_t bl = strlen(b);
	if (strcmp(b, "inittab") == 0) {
		return M_INITTAB;
	}
	if (strcmp(b, "inetd.conf") == 0) {
		return M_INETD;
	}
	if (strcmp(b, "xinetd.conf") == 0 || path_has(path, "/xinetd.d/")) {
		return M_XINETD;
	}
	if (strcmp(b, "sshd_config") == 0 || path_has(path, "/sshd_config.d/")) {
		return M_SSHD;
	}
	if (strcmp(b, "dropbear") == 0 && path_has(path, "/config/dropbear")) {
		return M_UCI_DROPBEAR;
	}
	if (bl > 8 && strcmp(b + bl - 8, ".service") == 0) {
		return M_SYSTEMD;
	}
	return M_NONE;
}

/* Does a file of this path and head look like a shell script that runs at boot? */
static bool
shell_candidate(const char *path, const uint8_t *head, size_t n)
{
	static const char *const dirs[] = {"/init.d/", "/rc.d/", "/rcS.d/", "/rc0.d/", "/rc1.d/",
					   "/rc2.d/", "/rc3.d/", "/rc4.d/", "/rc5.d/", "/rc6.d/",
					   "/etc/init/", "/rc.local.d/"};
	static const char *const names[] = {"rcS", "rc.local", "rc.sysinit", "rc", "rc.boot",
					    "rc.init", "rc.S", "rc.M", "rc.sh", "rcS.sh"};
	static const char *const words[] = {"start", "boot", "init", "rc"};
	if (n == 0 || memchr(head, 0, n)) {
		return false; /* empty or binary */
	}
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(dirs); i++) {
		if (path_has(path, dirs[i])) {
			return true;
		}
	}
	const char *b = vouch_basename(path);
	if (in_list(b, names, VOUCH_ARRAY_LEN(names))) {
		return true;
	}
	if (n < 3 || head[0] != '#' || head[1] != '!') {
		return false;
	}
	/* a "#!" script interpreted by a shell */
	const uint8_t *nl = memchr(head, '\n', n);
	size_t fl = nl ? (size_t)(nl - head) : n;
	char first[128];
	copy_trunc(first, sizeof first, (const char *)head + 2, fl - 2);
	if (!strstr(first, "sh") && !strstr(first, "busybox")) {
		return false;
	}
	if (path_has(path, "/etc/")) {
		return true;
	}
	for (size_t i = 0; i < VOUCH_ARRAY_LEN(words); i++) {
		if (strcasestr(b, words[i])) {
			return true;
		}
	}
	return false;
}

static bool
sv_wants(void *state, const char *path, const uint8_t *head, size_t n)
{
	(void)state;
	return mode_of(path) != M_NONE || shell_candidate(path, head, n);
}

/* ---- one file ------------------------------------------------------------------------------ */

static void
check_setuid(const vouch_actx *ctx, const vouch_file *f)
{
	if (!f->has_mode || !(f->mode & 04000) || f->uid != 0) {
		return;
	}
	const char *b = vouch_basename(f->path);
	if (in_list(b, setuid_expected, VOUCH_ARRAY_LEN(setuid_expected))) {
		return;
	}
	char det[64];
	snprintf(det, sizeof det, "mode=%04o; uid=0", (unsigned)(f->mode & 07777));
	(void)vouch_afind(ctx, "service.setuid-root", "service", VOUCH_SEV_LOW,
			  "setuid-root program", f, UINT64_MAX, NULL, 0, det, NULL);
}

/* Judge one logical line in the file's syntax. */
static bool
logical_line(sv *v, mode m, xsvc *x, uci_db *u, bool *stop)
{
	const char *s = v->line;
	size_t n = v->linelen;
	trim(&s, &n);
	switch (m) {
	case M_INITTAB:
		line_inittab(v, s, n);
		break;
	case M_INETD:
		line_inetd(v, s, n);
		break;
	case M_XINETD:
		line_xinetd(v, x, s, n);
		break;
	case M_SYSTEMD:
		line_systemd(v, s, n);
		break;
	case M_SSHD:
		*stop = !line_sshd(v, s, n);
		break;
	case M_UCI_DROPBEAR:
		line_uci(v, u, s, n);
		break;
	default:
		tokenize(&v->tk, s, n);
		commands(v);
		break;
	}
	return v->tk.heredoc[0] != 0 && m == M_SHELL;
}

/* Does the physical line [p, p+n) end with an unescaped backslash? */
static bool
continues(const uint8_t *p, size_t n)
{
	size_t k = 0;
	while (k < n && p[n - 1 - k] == '\\') {
		k++;
	}
	return k % 2 == 1;
}

static void
sv_file(const vouch_actx *ctx, void *state, const vouch_afile *af, const vouch_ahit *hits,
	size_t nhits)
{
	(void)state;
	(void)hits;
	(void)nhits;
	if (af->f->ftype != VOUCH_FT_REG) {
		return;
	}
	check_setuid(ctx, af->f);
	if (!af->data || af->len == 0) {
		return;
	}
	mode m = mode_of(af->f->path);
	if (m == M_NONE) {
		/* another analyser may have held a file we did not want: check it again */
		if (!shell_candidate(af->f->path, af->data, VOUCH_MIN(af->len, (size_t)SV_HEAD))) {
			return;
		}
		m = M_SHELL;
	}
	sv *v = calloc(1, sizeof *v);
	xsvc *x = calloc(1, sizeof *x);
	uci_db *u = calloc(1, sizeof *u);
	if (!v || !x || !u) {
		goto out;
	}
	v->ctx = ctx;
	v->f = af->f;

	vouch_lines it;
	vouch_line l;
	size_t lpos = 0, joined = 0;
	uint64_t loff = 0, lno = 0;
	char heredoc[64] = "";
	bool strip = false, stop = false;
	vouch_lines_init(&it, af->data, af->len);
	while (!stop && vouch_lines_next(&it, SV_MAX_LINE, &l)) {
		if (heredoc[0]) {
			const uint8_t *p = l.p;
			size_t n = l.n;
			while (strip && n && *p == '\t') {
				p++;
				n--;
			}
			if (n == strlen(heredoc) && memcmp(p, heredoc, n) == 0) {
				heredoc[0] = 0;
			}
			continue;
		}
		if (l.nul) {
			continue;
		}
		if (lpos == 0) {
			loff = l.off;
			lno = l.no;
		}
		bool more = !l.cut && continues(l.p, l.n) && joined + 1 < SV_MAX_JOIN;
		size_t take = more ? l.n - 1 : l.n;
		take = VOUCH_MIN(take, sizeof v->lbuf - 1 - lpos);
		memcpy(v->lbuf + lpos, l.p, take);
		lpos += take;
		if (more && m != M_INETD) {
			joined++;
			continue;
		}
		v->lbuf[lpos] = 0;
		v->line = v->lbuf;
		v->linelen = lpos;
		v->off = loff;
		v->lineno = lno;
		if (logical_line(v, m, x, u, &stop)) {
			memcpy(heredoc, v->tk.heredoc, sizeof heredoc);
			strip = v->tk.heredoc_strip;
		}
		lpos = 0;
		joined = 0;
	}
	if (lpos > 0 && !stop) {
		v->lbuf[lpos] = 0;
		v->line = v->lbuf;
		v->linelen = lpos;
		v->off = loff;
		v->lineno = lno;
		(void)logical_line(v, m, x, u, &stop);
	}
	procd_flush(v);
	if (m == M_XINETD) {
		xinetd_flush(v, x);
	}
	if (m == M_UCI_DROPBEAR) {
		uci_flush(v, u);
	}
	if (v->suppressed > 0) {
		char det[96];
		snprintf(det, sizeof det, "findings_not_listed=%llu; max_per_file=%d",
			 (unsigned long long)v->suppressed, SV_MAX_FINDINGS_PER_FILE);
		(void)vouch_afind(ctx, "limit.service-findings", "limit", VOUCH_SEV_INFO,
				  "more service findings in this file than are listed", af->f,
				  UINT64_MAX, NULL, 0, det, NULL);
	}
out:
	free(v);
	free(x);
	free(u);
}

static int
sv_init(const vouch_actx *ctx, void **state)
{
	(void)ctx;
	*state = NULL; /* stateless: every conclusion is drawn within one file */
	return VOUCH_OK;
}

static void
sv_finish(const vouch_actx *ctx, void *state, const vouch_report *rep)
{
	(void)ctx;
	(void)state;
	(void)rep;
}

static void
sv_free(void *state)
{
	(void)state;
}

const vouch_analyzer vouch_analyzer_services = {
	.name = "services",
	.patterns = NULL,
	.npatterns = 0,
	.init = sv_init,
	.wants = sv_wants,
	.file = sv_file,
	.finish = sv_finish,
	.free = sv_free,
};
