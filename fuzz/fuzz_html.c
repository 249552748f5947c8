/*
 * fuzz/fuzz_html.c: libFuzzer harness for the HTML report (lab/html.c: vouch_report_html).
 *
 * The input is up to three texts separated by NUL bytes (JSON never holds one): a report,
 * then optionally its verdict, then optionally a delivery description; an empty verdict or
 * delivery counts as none. The same report is also rendered twice as a two-image page (the
 * verdict going with the second), which exercises the per-image anchors and the overall
 * verdict. Properties, asserted with abort() so that libFuzzer reports them:
 *   - the result is VOUCH_OK, VOUCH_E_MALFORMED or VOUCH_E_LIMIT (never USAGE or INTERNAL),
 *     and the reason is set when it is not OK;
 *   - a page is valid UTF-8 and every '<' in it opens or closes one of the elements the
 *     renderer writes (a '<' that came from the input unescaped would start anything else),
 *     outside the <style> element, which holds no '<' at all; every attribute in a tag is
 *     one the renderer writes (no on*, no src) with a double-quoted value (a '"' from the
 *     input unescaped would end a value early and start an attribute of the input's);
 *   - <details>, <ul>, <table>, <tr> and <svg> open exactly as often as they close (the
 *     tree's explicit stack closes everything it opened);
 *   - no "<script" anywhere.
 * Nothing is written. Seeds: fuzz/corpus/html (see fuzz/corpus/README.md).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/utf8.h"
#include "vouch/html.h"

#define FUZZ_MAX_INPUT (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the elements lab/html.c writes */
static const char *const tags[] = {
	"!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3",
	"div", "dl", "dt", "dd", "table", "thead", "tbody", "tr", "th", "td", "nav", "ul", "li",
	"a", "section", "p", "span", "code", "details", "summary", "strong", "br", "svg", "rect",
	"text", "line", "polyline", "footer",
};

/* the attributes lab/html.c writes */
static const char *const attrs[] = {
	"lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "title",
	"style", "open", "colspan", "xmlns", "viewBox", "role", "x", "y", "x1", "y1", "x2", "y2",
	"width", "height", "fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray",
	"text-anchor", "transform", "points", "html",
};

static size_t
count(const char *s, const char *needle)
{
	size_t k = 0, n = strlen(needle);
	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += n) {
		k++;
	}
	return k;
}

static bool
known(const char *p, size_t n, const char *const *list, size_t nlist)
{
	for (size_t i = 0; i < nlist; i++) {
		if (strlen(list[i]) == n && strncmp(p, list[i], n) == 0) {
			return true;
		}
	}
	return false;
}

/* The tag at p ('<') is one we write, with only our attributes, values double-quoted. */
static bool
known_tag(const char *p)
{
	size_t n;

	p += p[1] == '/' ? 2 : 1;
	n = strcspn(p, " />");
	if (!known(p, n, tags, sizeof(tags) / sizeof(tags[0]))) {
		return false;
	}
	for (p += n;;) {
		while (*p == ' ') {
			p++;
		}
		if (*p == '>' || (p[0] == '/' && p[1] == '>')) {
			return true;
		}
		n = strcspn(p, " =/>");
		if (n == 0 || !known(p, n, attrs, sizeof(attrs) / sizeof(attrs[0]))) {
			return false;
		}
		p += n;
		if (*p == '=') {
			const char *end;
			if (p[1] != '"' || (end = strchr(p + 2, '"')) == NULL) {
				return false;
			}
			p = end + 1;
			if (*p != ' ' && *p != '>' && *p != '/') {
				return false;
			}
		}
	}
}

static void
check_page(const char *html)
{
	const char *style = strstr(html, "<style>"), *style_end = strstr(html, "</style>");
	static const char *const pairs[][2] = {
		{"<details", "</details>"}, {"<ul", "</ul>"}, {"<table", "</table>"},
		{"<tr", "</tr>"}, {"<svg", "</svg>"},
	};

	if (!vouch_utf8_valid(html, strlen(html)) || style == NULL || style_end == NULL ||
	    strstr(html, "<script") != NULL) {
		abort();
	}
	for (const char *p = html; (p = strchr(p, '<')) != NULL; p++) {
		if (p > style && p < style_end) {
			abort(); /* the stylesheet is ours and holds no '<' */
		}
		if (!known_tag(p)) {
			abort();
		}
	}
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		/* "<tr" also counts "<tr " only: no other element we write starts with "tr" */
		if (count(html, pairs[i][0]) != count(html, pairs[i][1])) {
			abort();
		}
	}
}

static void
run(const vouch_html_input *in)
{
	char *html = NULL, why[256] = "";
	int rc = vouch_report_html(in, &html, why, sizeof(why));

	if (rc == VOUCH_OK) {
		check_page(html);
		free(html);
		return;
	}
	if ((rc != VOUCH_E_MALFORMED && rc != VOUCH_E_LIMIT && rc != VOUCH_E_NOMEM) ||
	    why[0] == 0 || html != NULL) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *part[3] = {NULL, NULL, NULL};
	size_t k = 0;

	if (size > FUZZ_MAX_INPUT) {
		return 0;
	}
	buf = malloc(size + 1);
	if (buf == NULL) {
		return 0;
	}
	memcpy(buf, data, size);
	buf[size] = 0;
	part[0] = buf;
	for (size_t i = 0; i < size && k < 2; i++) {
		if (buf[i] == 0) {
			part[++k] = buf + i + 1;
		}
	}
	{
		const char *reports[2] = {part[0], part[0]};
		const char *verdicts[2] = {part[1] && *part[1] ? part[1] : NULL, NULL};
		const char *verdicts2[2] = {NULL, verdicts[0]};
		const char *delivery = part[2] && *part[2] ? part[2] : NULL;
		vouch_html_input one = {NULL, delivery, reports, verdicts, 1};
		vouch_html_input two = {"fuzz <title>", NULL, reports, verdicts2, 2};

		run(&one);
		run(&two);
	}
	free(buf);
	return 0;
}
