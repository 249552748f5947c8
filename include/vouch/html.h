/*
 * vouch/html.h: the evaluation report for people: one self-contained HTML5 page.
 *
 * The page is made from the same JSON texts the machines read: the report of each firmware
 * image (what `vouch scan --json` prints, report_version 1), the policy verdict of each
 * (when it was evaluated against a policy), and optionally a description of the delivery.
 * It shows the verdict and its reasons first, each reason linked to the finding or
 * vulnerability it comes from, then per image the findings, components, vulnerabilities,
 * the unpacking tree, the regions and an entropy plot (inline SVG).
 *
 * Self-contained: no script, no external stylesheet, font or image; a Content-Security-Policy
 * meta tag (default-src 'none') makes the browser refuse anything else. Every string of the
 * inputs is treated as hostile firmware data: HTML-escaped wherever it appears (text, SVG
 * text, attributes), never part of a URL, an id or a class name.
 */
#ifndef VOUCH_HTML_H
#define VOUCH_HTML_H

#include <stddef.h>

#include "vouch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The page is at most this many bytes (VOUCH_E_LIMIT beyond): a report of 13,000 files
 * makes about 5 MiB; a page many times that is more than a browser shows comfortably. */
#define VOUCH_HTML_MAX (256u << 20)

typedef struct vouch_html_input {
	/* The page's title, e.g. "ACME R1 router 1.2.0"; NULL: from the delivery or the first
	 * image. */
	const char *title;
	/* NULL, or a JSON object describing the delivery and its overall outcome; every member
	 * below is shown when present, others are ignored: {"id", "vendor", "product",
	 * "version", "verdict", "evaluated_at", "policy", "log_index", "attestation_sha256",
	 * "artefacts": [{"name", "role", "sha256", "size"}]}. Its "verdict" is the overall
	 * verdict; without it, the overall verdict is the worst of the images' verdicts. */
	const char *delivery_json;
	/* n report JSON texts (report_version 1), one per firmware image. */
	const char *const *reports;
	/* n verdict JSON texts, verdicts[i] the verdict of reports[i]; NULL (the array, or an
	 * entry): that image was not evaluated against a policy. */
	const char *const *verdicts;
	size_t n;
} vouch_html_input;

/*
 * Render the page. On VOUCH_OK *html_out is a malloc'ed NUL-terminated HTML5 document the
 * caller frees; on failure it is left untouched and why[why_cap] (why may be NULL) says what
 * was wrong, naming the input ("report 2: ...").
 * Returns VOUCH_OK, VOUCH_E_USAGE (in or html_out NULL, n == 0, a report NULL),
 * VOUCH_E_MALFORMED (a text is not the JSON it should be: not JSON, not an object, a member
 * of the wrong type, a verdict other than approved / approved-with-conditions / rejected),
 * VOUCH_E_LIMIT (the page would exceed VOUCH_HTML_MAX), VOUCH_E_NOMEM.
 */
VOUCH_API int vouch_report_html(const vouch_html_input *in, char **html_out, char *why,
				size_t why_cap);

/*
 * HTML-escape a NUL-terminated string for text or a quoted attribute value: & < > " ' become
 * entities; C0 controls, DEL and the Unicode bidirectional controls (which can make a file
 * name read differently from what it is) become visible \xNN or \u+XXXX text; bytes that are
 * not valid UTF-8 become U+FFFD. Writes at most cap-1 bytes and a NUL (never a partial
 * entity or character); returns the length the full escape needs, like snprintf.
 */
VOUCH_API size_t vouch_html_escape(char *dst, size_t cap, const char *src);

#ifdef __cplusplus
}
#endif
#endif
