/*
 * tests/unit/test_html.c: the HTML report's escaping (vouch_html_escape) and the page's
 * handling of hostile and malformed inputs (vouch_report_html).
 *
 * Expected escapes are written by hand from the HTML specification's five special
 * characters and the Unicode bidirectional controls (UAX #9), not from our output. A
 * property check runs 20,000 random byte strings through the escape: the result never holds
 * a raw < > " ' or an & that does not start one of our entities, is valid UTF-8, is never
 * cut inside an entity or a character when the buffer is short, and its length is the
 * returned length. The page tests plant a marker tag in every string of a report and a
 * verdict (paths, evidence, component names, region formats, waiver texts...) and require
 * that the tag never reaches the page as markup; shapes the contract forbids must be refused
 * as VOUCH_E_MALFORMED naming the input.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"
#include "vouch/html.h"

static char *
esc(const char *s)
{
	size_t n = vouch_html_escape(NULL, 0, s);
	char *out = malloc(n + 1);

	assert_non_null(out);
	assert_int_equal(vouch_html_escape(out, n + 1, s), n);
	assert_int_equal(strlen(out), n);
	return out;
}

static void
expect_esc(const char *in, const char *want)
{
	char *got = esc(in);
	assert_string_equal(got, want);
	free(got);
}

static void
test_escape_fixed(void **state)
{
	(void)state;
	expect_esc("", "");
	expect_esc("plain/path-1.2_x", "plain/path-1.2_x");
	expect_esc("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
	expect_esc("\"><img src=x onerror=alert(2)>",
		   "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;");
	expect_esc("a&b'c", "a&amp;b&#39;c");
	expect_esc("&amp;", "&amp;amp;"); /* already-escaped text is text too */
	expect_esc("tab\there\nnl\r\x1b[31m\x7f", "tab\\x09here\\x0anl\\x0d\\x1b[31m\\x7f");
	expect_esc("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x94\x91", "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x94\x91");
	/* U+202E RIGHT-TO-LEFT OVERRIDE, U+2066 LRI, U+200F RLM, U+061C ALM */
	expect_esc("report\xe2\x80\xae" "fdp.exe", "report\\u+202Efdp.exe");
	expect_esc("\xe2\x81\xa6x\xe2\x80\x8f\xd8\x9c", "\\u+2066x\\u+200F\\u+061C");
	/* C1 control U+0085 (NEL) */
	expect_esc("a\xc2\x85" "b", "a\\u+0085b");
	/* not UTF-8: a lone continuation, 0xff, an overlong '/', a surrogate, a truncated
	 * sequence: each bad byte becomes U+FFFD */
	expect_esc("\x80", "\xef\xbf\xbd");
	expect_esc("x\xffy", "x\xef\xbf\xbdy");
	expect_esc("\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	expect_esc("\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	expect_esc("\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_escape_short_buffer(void **state)
{
	char buf[8];

	(void)state;
	/* "a&lt;" is 5 bytes; with cap 5 only "a" fits (never a partial entity) */
	assert_int_equal(vouch_html_escape(buf, 5, "a<b"), strlen("a&lt;b"));
	assert_string_equal(buf, "a");
	assert_int_equal(vouch_html_escape(buf, 6, "a<b"), 6);
	assert_string_equal(buf, "a&lt;");
	/* a 3-byte character is not cut */
	assert_int_equal(vouch_html_escape(buf, 3, "a\xe4\xb8\xad"), 4);
	assert_string_equal(buf, "a");
	assert_int_equal(vouch_html_escape(buf, 1, "<"), 4);
	assert_string_equal(buf, "");
	assert_int_equal(vouch_html_escape(NULL, 0, "<>"), 8);
}

/* Every '&' of an escaped text starts one of the five entities we write. */
static void
check_escaped(const char *s, size_t n)
{
	static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};

	assert_true(vouch_utf8_valid(s, n));
	for (size_t i = 0; i < n; i++) {
		assert_true(s[i] != '<' && s[i] != '>' && s[i] != '"' && s[i] != '\'');
		assert_true((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
		if (s[i] == '&') {
			bool found = false;
			for (size_t k = 0; k < 5; k++) {
				found |= strncmp(s + i, ent[k], strlen(ent[k])) == 0;
			}
			assert_true(found);
		}
	}
}

static void
test_escape_random(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;
	static const char alpha[] = "<>\"'&a/\n\x7f\xc3\xa9\xe2\x80\xae\x80\xff";

	(void)state;
	for (int round = 0; round < 20000; round++) {
		char in[64], full[64 * 12 + 1], cut[40];
		size_t n, need, len;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = x % 63;
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* half the bytes from a hostile alphabet, half anything but NUL */
			in[i] = (x & 1) ? alpha[(x >> 8) % (sizeof(alpha) - 1)] : (char)(1 + (x >> 16) % 255);
		}
		in[len] = 0;
		need = vouch_html_escape(full, sizeof(full), in);
		n = strlen(full);
		assert_int_equal(n, need);
		check_escaped(full, n);
		/* a short buffer holds a prefix of the full escape that is itself whole */
		vouch_html_escape(cut, sizeof(cut), in);
		assert_true(strlen(cut) < sizeof(cut));
		assert_memory_equal(cut, full, strlen(cut));
		check_escaped(cut, strlen(cut));
	}
}

/* ---- the page ---------------------------------------------------------------------------- */

/* A report whose every string carries the marker <i>...</i> (the page never writes <i>). */
static const char *report_hostile =
	"{\"tool\":\"<i>t</i>\",\"version\":\"<i>v</i>\",\"report_version\":1,"
	"\"image\":\"<i>img</i>\",\"outcome\":\"<i>o</i>\","
	"\"inventory\":{\"files\":4,\"file_list\":["
	"{\"path\":\"fw<i>.bin\",\"kind\":\"file\",\"depth\":0,\"size\":4096,"
	"\"sha256\":\"<i>sha</i>\",\"container\":\"<i>c</i>\"},"
	"{\"path\":\"fw<i>.bin/sq<i>/etc\",\"kind\":\"dir\",\"depth\":1},"
	"{\"path\":\"fw<i>.bin/sq<i>/etc/<i>x</i>\",\"kind\":\"file\",\"depth\":1,"
	"\"type\":\"<i>type</i>\",\"size\":3},"
	"{\"path\":\"fw<i>.bin/sq<i>/ln\",\"kind\":\"<i>symlink</i>\",\"depth\":1,"
	"\"link\":\"<i>target</i>\"}]},"
	"\"regions\":[{\"node\":\"fw<i>.bin\",\"format\":\"<i>fmt</i> header\",\"offset\":0,"
	"\"length\":2048,\"kind\":\"opened\",\"entropy\":null},"
	"{\"node\":\"fw<i>.bin\",\"format\":null,\"offset\":2048,\"length\":2048,"
	"\"kind\":\"<i>k</i>\",\"entropy\":3.5},"
	"{\"node\":\"fw<i>.bin/sq<i>/etc/<i>x</i>\",\"format\":null,\"offset\":0,\"length\":3,"
	"\"kind\":\"unrecognised\",\"entropy\":1.0}],"
	"\"entropy\":{\"path\":\"<i>p</i>\",\"size\":4096,\"block_size\":1024,"
	"\"values\":[0,8,4.5,7.99]},"
	"\"components\":[{\"bom_ref\":\"<i>r</i>\",\"name\":\"<i>busybox</i>\",\"version\":\"<i>1</i>\","
	"\"kind\":\"<i>k</i>\",\"supplier\":\"<i>s</i>\",\"cpe\":\"<i>cpe</i>\","
	"\"cpe_aliases\":[\"<i>a</i>\"],\"purl\":\"<i>purl</i>\",\"confidence\":0.9,\"evidence\":["
	"{\"method\":\"<i>m</i>\",\"rule\":\"<i>r</i>\",\"path\":\"<i>p</i>\",\"offset\":1,\"text\":\"<i>t</i>\"},"
	"{\"method\":\"<i>m</i>\"},{\"method\":\"<i>m</i>\"},{\"method\":\"<i>m</i>\"}]}],"
	"\"findings\":["
	"{\"id\":\"<i>secret.password</i>\",\"category\":\"<i>secret</i>\",\"severity\":\"<i>high</i>\","
	"\"title\":\"<i>title</i>\",\"path\":\"fw<i>.bin/sq<i>/etc/<i>x</i>\",\"offset\":null,"
	"\"evidence\":\"<i>ev</i>\",\"detail\":\"<i>d</i>\"},"
	"{\"id\":\"service.telnet\",\"category\":\"service\",\"severity\":\"high\","
	"\"title\":\"telnet\",\"path\":\"fw<i>.bin/sq<i>/etc/<i>x</i>\",\"offset\":10,"
	"\"evidence\":\"telnetd\",\"detail\":null}],"
	"\"vulnerabilities\":[{\"id\":\"<i>CVE</i>\",\"component\":\"<i>busybox</i>\","
	"\"version\":\"<i>1</i>\",\"severity\":\"<i>s</i>\",\"cvss3\":9.8,\"cvss3_vector\":\"<i>v</i>\","
	"\"summary\":\"<i>sum</i>\",\"reason\":\"<i>why</i>\",\"vex\":\"<i>vex</i>\","
	"\"vex_detail\":\"<i>vd</i>\"}],"
	"\"database\":{\"records\":1,\"digest\":\"<i>dg</i>\",\"note\":\"<i>note</i>\"}}";

static const char *verdict_hostile =
	"{\"verdict\":\"rejected\",\"policy\":{\"name\":\"<i>pol</i>\",\"policy_version\":1},"
	"\"evaluated_at\":\"<i>at</i>\",\"reasons\":["
	"{\"outcome\":\"reject\",\"rule\":\"<i>rule</i>\",\"text\":\"<i>text</i>\",\"finding\":"
	"{\"id\":\"service.telnet\",\"path\":\"fw<i>.bin/sq<i>/etc/<i>x</i>\",\"offset\":10,"
	"\"evidence\":\"telnetd\",\"severity\":\"high\"}},"
	"{\"outcome\":\"<i>o</i>\",\"rule\":\"r\",\"text\":\"t\",\"vulnerability\":"
	"{\"id\":\"<i>CVE</i>\",\"component\":\"<i>busybox</i>\",\"version\":\"<i>1</i>\","
	"\"severity\":\"<i>s</i>\",\"cvss\":\"<i>9</i>\"}}],"
	"\"waivers\":[{\"id\":\"<i>W</i>\",\"author\":\"<i>au</i>\",\"justification\":\"<i>j</i>\","
	"\"expires\":\"<i>e</i>\",\"status\":\"applied\",\"covers\":[{\"finding\":"
	"{\"id\":\"<i>secret.password</i>\",\"path\":\"fw<i>.bin/sq<i>/etc/<i>x</i>\",\"offset\":null,"
	"\"evidence\":null,\"severity\":\"high\"}}]}],"
	"\"summary\":{\"findings\":\"<i>2</i>\",\"vulnerabilities\":1,\"reject\":1,\"conditions\":0,"
	"\"waived\":1}}";

static const char *delivery_hostile =
	"{\"id\":\"<i>id</i>\",\"vendor\":\"<i>ACME</i>\",\"product\":\"<i>R1</i>\","
	"\"version\":\"<i>1</i>\",\"verdict\":\"<i>rejected</i>\",\"policy\":{\"name\":\"<i>p</i>\"},"
	"\"log_index\":7,\"artefacts\":[{\"name\":\"<i>a</i>\",\"role\":\"<i>r</i>\","
	"\"sha256\":\"<i>s</i>\",\"size\":10}]}";

static int
render(const char *delivery, const char *const *reports, const char *const *verdicts, size_t n,
       char **html, char *why, size_t cap)
{
	vouch_html_input in = {NULL, delivery, reports, verdicts, n};
	return vouch_report_html(&in, html, why, cap);
}

static size_t
count(const char *hay, const char *needle)
{
	size_t k = 0;
	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle)) {
		k++;
	}
	return k;
}

static void
test_page_hostile(void **state)
{
	const char *reps[] = {report_hostile}, *vers[] = {verdict_hostile};
	char *html = NULL, why[256];
	const char *s, *plot;

	(void)state;
	assert_int_equal(render(delivery_hostile, reps, vers, 1, &html, why, sizeof(why)), VOUCH_OK);
	/* the marker never became markup, and it is there as text (&lt;i&gt;) many times */
	assert_null(strstr(html, "<i>"));
	assert_null(strstr(html, "</i>"));
	assert_true(count(html, "&lt;i&gt;") > 50);
	/* no script and nothing fetched; the CSP says so to the browser */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "src="));
	assert_non_null(strstr(html, "<meta http-equiv=\"Content-Security-Policy\" "
				     "content=\"default-src 'none'; style-src 'unsafe-inline'; "
				     "img-src data:\">"));
	for (s = html; (s = strstr(s, "href=\"")) != NULL; s += 6) {
		assert_int_equal(s[6], '#');
	}
	/* the reason is linked to finding 1 and the finding back to the reason; the waiver's
	 * finding 0 (offset null) is marked waived; the vulnerability reason links to row 0 */
	assert_non_null(strstr(html, "href=\"#i0-f1\""));
	assert_non_null(strstr(html, "href=\"#i0-r0\""));
	assert_non_null(strstr(html, "href=\"#i0-w0\""));
	assert_non_null(strstr(html, "href=\"#i0-v0\""));
	assert_null(strstr(html, "no such finding"));
	/* the verdict precedes the findings */
	assert_true(strstr(html, "id=\"verdict\"") < strstr(html, "id=\"i0-findings\""));
	/* one polyline point per entropy value, heights inside the plot */
	plot = strstr(html, "class=\"entropy-line\"");
	assert_non_null(plot);
	plot = strstr(plot, "points=\"");
	assert_non_null(plot);
	assert_int_equal(count(plot, ",") - count(strstr(plot, "\"/>"), ","), 4);
	/* the delivery's verdict is not one of the three words: shown, neutral, escaped */
	assert_non_null(strstr(html, "<div class=\"banner v-none\">&lt;i&gt;rejected"));
	free(html);
}

/* How many lists of the tree are open at p. */
static long
tree_depth(const char *html, const char *p)
{
	long d = 0;
	const char *s = strstr(html, "<ul class=\"tree\">");

	for (; s != NULL && s < p; s++) {
		if (strncmp(s, "<ul class=\"tree\">", 17) == 0) {
			d++;
		} else if (strncmp(s, "</ul>", 5) == 0) {
			d--;
		}
	}
	return d;
}

static void
test_page_tree_order(void **state)
{
	/* "a-b" sorts between "a" and "a/b" by strcmp; the tree must still nest a/b under a */
	const char *rep =
		"{\"inventory\":{\"file_list\":["
		"{\"path\":\"a\",\"kind\":\"file\",\"depth\":0},"
		"{\"path\":\"a-b\",\"kind\":\"file\",\"depth\":1},"
		"{\"path\":\"a/b\",\"kind\":\"dir\",\"depth\":1},"
		"{\"path\":\"a/b/c\",\"kind\":\"file\",\"depth\":1},"
		"{\"path\":\"a/x@0x10/d/e\",\"kind\":\"file\",\"depth\":2},"
		"{\"path\":\"a/q/e\",\"kind\":\"file\",\"depth\":1}]},"
		"\"findings\":[],\"components\":[],\"regions\":[]}";
	const char *reps[] = {rep};
	char *html = NULL, why[256];
	const char *a, *ab, *abc, *amb, *x, *d, *aqe, *q;

	(void)state;
	assert_int_equal(render(NULL, reps, NULL, 1, &html, why, sizeof(why)), VOUCH_OK);
	a = strstr(html, "id=\"i0-t0\"");
	ab = strstr(html, "id=\"i0-t2\"");
	abc = strstr(html, "id=\"i0-t3\"");
	amb = strstr(html, "id=\"i0-t1\"");
	assert_true(a && ab && abc && amb);
	assert_true(a < ab && ab < abc && abc < amb);
	/* a/b is a directory: collapsed; "x@0x10" and "d" stand for no entry: made levels, the
	 * container level (under the file a) open, the directory level d collapsed */
	assert_non_null(strstr(html, "<li id=\"i0-t2\"><details><summary>"));
	x = strstr(html, "<li><details open><summary><span class=\"name\">x@0x10</span>");
	d = strstr(html, "<li><details><summary><span class=\"name\">d</span>");
	assert_true(x != NULL && d != NULL && x < d);
	/* a/q/e is not inside a/b's subtree: under a level "q" of its own, as deep as a/b/c */
	aqe = strstr(html, "id=\"i0-t5\"");
	assert_non_null(aqe);
	assert_int_equal(tree_depth(html, aqe), tree_depth(html, abc));
	assert_int_equal(tree_depth(html, abc), 3);
	assert_true(abc < aqe && aqe < x);
	q = strstr(html, "<span class=\"name\">q</span>");
	assert_true(q != NULL && abc < q && q < aqe);
	/* not evaluated against a policy */
	assert_non_null(strstr(html, "not evaluated against a policy"));
	free(html);
}

static void
expect_bad(const char *rep, const char *ver, int code, const char *why_start)
{
	const char *reps[] = {"{}", rep}, *vers[] = {NULL, ver};
	char *html = (char *)"untouched", why[256];

	assert_int_equal(render(NULL, reps, vers, 2, &html, why, sizeof(why)), code);
	assert_string_equal(html, "untouched");
	if (strncmp(why, why_start, strlen(why_start)) != 0) {
		fail_msg("why \"%s\" does not start with \"%s\"", why, why_start);
	}
}

static void
test_page_malformed(void **state)
{
	static char big[64 * 4096];
	size_t k;

	(void)state;
	expect_bad("not json", NULL, VOUCH_E_MALFORMED, "report 2: not JSON");
	expect_bad("[1]", NULL, VOUCH_E_MALFORMED, "report 2: not a JSON object");
	expect_bad("{\"a\":1,\"a\":2}", NULL, VOUCH_E_MALFORMED, "report 2: not JSON");
	expect_bad("{\"findings\":{}}", NULL, VOUCH_E_MALFORMED, "report 2: \"findings\" is not");
	expect_bad("{\"findings\":[1]}", NULL, VOUCH_E_MALFORMED, "report 2: \"findings\"[0]");
	expect_bad("{\"findings\":[{\"id\":7}]}", NULL, VOUCH_E_MALFORMED, "report 2: finding 0");
	expect_bad("{\"findings\":[{\"offset\":\"7\"}]}", NULL, VOUCH_E_MALFORMED,
		   "report 2: finding 0");
	expect_bad("{\"inventory\":[]}", NULL, VOUCH_E_MALFORMED, "report 2: \"inventory\"");
	expect_bad("{\"inventory\":{\"file_list\":[[]]}}", NULL, VOUCH_E_MALFORMED,
		   "report 2: \"file_list\"[0]");
	expect_bad("{\"entropy\":{\"values\":[1,\"x\"]}}", NULL, VOUCH_E_MALFORMED,
		   "report 2: entropy value 1");
	expect_bad("{\"vulnerabilities\":\"none\"}", NULL, VOUCH_E_MALFORMED,
		   "report 2: \"vulnerabilities\"");
	expect_bad("{}", "{}", VOUCH_E_MALFORMED, "verdict 2: \"verdict\" must be");
	expect_bad("{}", "{\"verdict\":\"approved \"}", VOUCH_E_MALFORMED, "verdict 2: \"verdict\"");
	expect_bad("{}", "{\"verdict\":\"approved\",\"reasons\":{}}", VOUCH_E_MALFORMED,
		   "verdict 2: \"reasons\"");
	expect_bad("{}", "{\"verdict\":\"approved\",\"reasons\":[{\"finding\":{},"
		   "\"vulnerability\":{}}]}", VOUCH_E_MALFORMED, "verdict 2: reason 1");
	expect_bad("{}", "{\"verdict\":\"approved\",\"waivers\":[{\"covers\":[{\"finding\":1}]}]}",
		   VOUCH_E_MALFORMED, "verdict 2: waiver cover 1");
	/* more entropy values than a plot takes */
	k = (size_t)snprintf(big, sizeof(big), "{\"entropy\":{\"values\":[0");
	for (int i = 0; i < 5000; i++) {
		k += (size_t)snprintf(big + k, sizeof(big) - k, ",1");
	}
	snprintf(big + k, sizeof(big) - k, "]}}");
	expect_bad(big, NULL, VOUCH_E_LIMIT, "report 2: 5001 entropy values");
}

static void
test_page_usage(void **state)
{
	const char *reps[] = {NULL};
	char *html = NULL, why[64];
	vouch_html_input in = {0};

	(void)state;
	assert_int_equal(vouch_report_html(NULL, &html, why, sizeof(why)), VOUCH_E_USAGE);
	assert_int_equal(vouch_report_html(&in, &html, why, sizeof(why)), VOUCH_E_USAGE);
	assert_int_equal(render(NULL, reps, NULL, 1, &html, why, sizeof(why)), VOUCH_E_USAGE);
	assert_int_equal(render("[]", (const char *[]){"{}"}, NULL, 1, &html, NULL, 0),
			 VOUCH_E_MALFORMED);
	assert_null(html);
	/* a minimal report is a page */
	assert_int_equal(render(NULL, (const char *[]){"{}"}, NULL, 1, &html, NULL, 0), VOUCH_OK);
	assert_non_null(strstr(html, "</html>"));
	free(html);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_fixed),
		cmocka_unit_test(test_escape_short_buffer),
		cmocka_unit_test(test_escape_random),
		cmocka_unit_test(test_page_hostile),
		cmocka_unit_test(test_page_tree_order),
		cmocka_unit_test(test_page_malformed),
		cmocka_unit_test(test_page_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
