/*
 * vuln/version.c: the order of version strings as embedded software writes them, and the
 * normalisation of release tags (OSS-Fuzz OSV records) into versions.
 *
 * A version is read as a sequence of tokens: digit runs (compared as numbers of any length,
 * leading zeros ignored, so no overflow), letter runs, and separators (any other byte), which
 * only delimit tokens. Each token has a class, and classes sort
 *
 *     pre-release word  <  end of string  <  other letters  <  number
 *
 * so that "1.0.0-rc1" < "1.0.0" < "1.0.0a" < "1.0.0.1": OpenSSL's patch letters ("1.1.1w" >
 * "1.1.1t" > "1.1.1"), OpenSSH's "8.9p1" (> "8.9", < "9.0p1"), Alpine's "2.4.57-r1" and
 * "1.0.2k-fips" all come after the release they extend, and "2.86rc1" / "v2.86test5" before
 * it. Pre-release words are dev/snapshot < alpha < beta < test < pre < rc. Two strings are
 * compared as their token sequences, lexicographically, with "end of string" padding the
 * shorter one: a lexicographic order over a totally ordered alphabet, hence a total preorder.
 * Strings equal under it ("1.01" and "1.1", "2.4-r1" and "2.4.r1", case) are finally ordered
 * by their bytes, which makes vouch_version_cmp a total order (0 only for identical strings);
 * the matcher uses the preorder (vouch_version_cmp_loose), where those count as the same.
 * The CPE values "-" (not applicable) and "*" (any) and the empty string sort before every
 * version, in that order.
 *
 * Rejected: strverscmp (no notion of pre-release, "1.0.0-rc1" > "1.0.0"), dpkg's algorithm
 * (puts letters before end of string: "1.1.1w" < "1.1.1"), and semver (most embedded
 * versions are not semver).
 */
#include <stdbool.h>
#include <string.h>

#include "vuln/vuln_int.h"

enum tok_class {
	TOK_PRE = 0,  /* pre-release word: rc, beta, ... */
	TOK_END = 1,  /* end of string */
	TOK_ALPHA = 2,
	TOK_NUM = 3,
};

typedef struct tok {
	enum tok_class cls;
	const char *p;
	size_t n;
	int rank; /* pre-release rank */
} tok;

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Letters, and bytes of non-ASCII text, form alphabetic tokens. */
static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static bool
word_is(const char *p, size_t n, const char *w)
{
	size_t wl = strlen(w);

	if (n != wl) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (lower((unsigned char)p[i]) != (unsigned char)w[i]) {
			return false;
		}
	}
	return true;
}

/* Rank of a pre-release word, or -1 when the word is not one. */
static int
pre_rank(const char *p, size_t n)
{
	static const struct {
		const char *w;
		int rank;
	} words[] = {
		{"dev", 0}, {"snapshot", 0}, {"alpha", 1}, {"beta", 2},
		{"test", 3}, {"pre", 4},      {"rc", 5},
	};

	for (size_t i = 0; i < VOUCH_ARRAY_LEN(words); i++) {
		if (word_is(p, n, words[i].w)) {
			return words[i].rank;
		}
	}
	return -1;
}

/* The next token of s at *i (separators skipped). */
static tok
next_tok(const char *s, size_t *i)
{
	tok t = {TOK_END, s + *i, 0, 0};
	size_t j;

	while (s[*i] != '\0' && !is_digit((unsigned char)s[*i]) && !is_alpha((unsigned char)s[*i])) {
		(*i)++;
	}
	j = *i;
	t.p = s + j;
	if (s[j] == '\0') {
		return t;
	}
	if (is_digit((unsigned char)s[j])) {
		while (is_digit((unsigned char)s[j])) {
			j++;
		}
		t.cls = TOK_NUM;
		/* leading zeros do not count ("01" == "1") */
		while (j - *i > 1 && s[*i] == '0') {
			(*i)++;
		}
		t.p = s + *i;
	} else {
		while (is_alpha((unsigned char)s[j])) {
			j++;
		}
		t.rank = pre_rank(s + *i, j - *i);
		t.cls = t.rank >= 0 ? TOK_PRE : TOK_ALPHA;
	}
	t.n = j - *i;
	*i = j;
	return t;
}

static int
sign(int v)
{
	return (v > 0) - (v < 0);
}

static int
tok_cmp(const tok *a, const tok *b)
{
	if (a->cls != b->cls) {
		return a->cls < b->cls ? -1 : 1;
	}
	switch (a->cls) {
	case TOK_END: return 0;
	case TOK_NUM:
		if (a->n != b->n) {
			return a->n < b->n ? -1 : 1;
		}
		return sign(memcmp(a->p, b->p, a->n));
	case TOK_PRE:
	case TOK_ALPHA:
		/* same rank: "dev" and "snapshot" are still different words */
		if (a->cls == TOK_PRE && a->rank != b->rank) {
			return a->rank < b->rank ? -1 : 1;
		}
		for (size_t k = 0; k < a->n && k < b->n; k++) {
			unsigned char x = lower((unsigned char)a->p[k]), y = lower((unsigned char)b->p[k]);

			if (x != y) {
				return x < y ? -1 : 1;
			}
		}
		return a->n == b->n ? 0 : (a->n < b->n ? -1 : 1);
	}
	return 0;
}

/* Whole-string specials of CPE: "" < "-" < "*" < every version. */
static int
special_rank(const char *s)
{
	if (s[0] == '\0') {
		return 0;
	}
	if (strcmp(s, "-") == 0) {
		return 1;
	}
	if (strcmp(s, "*") == 0) {
		return 2;
	}
	return 3;
}

int
vouch_version_cmp_loose(const char *a, const char *b)
{
	size_t i = 0, j = 0;
	int ra, rb;

	if (a == NULL || b == NULL) {
		return a == b ? 0 : (a == NULL ? -1 : 1);
	}
	ra = special_rank(a);
	rb = special_rank(b);
	if (ra != 3 || rb != 3) {
		return ra == rb ? 0 : (ra < rb ? -1 : 1);
	}
	for (;;) {
		tok ta = next_tok(a, &i), tb = next_tok(b, &j);
		int c = tok_cmp(&ta, &tb);

		if (c != 0) {
			return c;
		}
		if (ta.cls == TOK_END) {
			return 0;
		}
	}
}

int
vouch_version_cmp(const char *a, const char *b)
{
	int c = vouch_version_cmp_loose(a, b);

	if (c != 0 || a == NULL || b == NULL) {
		return c;
	}
	return sign(strcmp(a, b));
}

/*
 * "curl-7_50_0" -> "7.50.0", "OpenSSL_1_1_1w" -> "1.1.1w", "openssl-3.0.11" -> "3.0.11",
 * "v2.4" -> "2.4", "hostap_2_10" -> "2.10", curl's "rc-8_15_0-2" -> "8.15.0-rc2". The
 * project prefix is everything before the first digit; underscores become dots. A tag
 * without a digit is returned as it is (it cannot be ordered anyway).
 */
size_t
vouch_vuln_tag_to_version(const char *tag, char *out, size_t cap)
{
	size_t i = 0, o = 0, n = strlen(tag), start;
	bool rc = false;

	if (cap == 0) {
		return 0;
	}
	while (i < n && !is_digit((unsigned char)tag[i])) {
		i++;
	}
	if (i == n) {
		i = 0;
	} else {
		rc = i >= 3 && word_is(tag, 2, "rc") && (tag[2] == '-' || tag[2] == '_');
	}
	start = i;
	for (; i < n && o + 1 < cap; i++) {
		char c = tag[i];

		if (rc && c == '-' && i > start) {
			/* "rc-8_15_0-2": the number after the dash is the candidate's */
			const char *suffix = "-rc";

			for (size_t k = 0; suffix[k] != '\0' && o + 1 < cap; k++) {
				out[o++] = suffix[k];
			}
			rc = false;
			continue;
		}
		out[o++] = c == '_' ? '.' : c;
	}
	if (rc && o + 3 < cap) {
		memcpy(out + o, "-rc", 3);
		o += 3;
	}
	out[o] = '\0';
	return o;
}
