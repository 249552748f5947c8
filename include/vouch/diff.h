/*
 * vouch/diff.h: the release diff: what changed between two evaluation reports.
 *
 * A patch is reviewed against what the lab approved: the report of the approved release (A)
 * and the report of the patch (B), both as `vouch scan --json` writes them (report_version
 * 1, the shape in docs/architecture.md "Release diff"), go in; one JSON document saying what
 * B changed comes out. The function is pure: it reads the two texts and nothing else (no
 * image, no database, no clock), so the same two reports always give the same bytes.
 *
 * Pairing. Files and findings are paired by their path *inside* the image: the first path
 * component (the image's own file name) is dropped, and every `@0x<hex>` that ends a path
 * component (a container's offset in its parent) is removed, so `v1.bin/squashfs@0xe0000/
 * etc/passwd` and `v2.bin/squashfs@0xf0000/etc/passwd` share the key `squashfs/etc/passwd`
 * when the kernel before the root filesystem grew. The real paths are kept in the output.
 * When a key is held by more than one file on a side, files are paired in report order and
 * every such pair says "ambiguous": true (and files.ambiguous lists the key with its counts).
 * The image's own entry (a path without '/') is not a file of the diff: a.sha256 and
 * b.sha256 say whether the images differ at all.
 *
 * The diff (diff_version 1; every list sorted by key, so the output is deterministic):
 *   tool "vouch", diff_version 1,
 *   a, b: {image, sha256, outcome, files, components, findings, vulnerabilities (count or
 *          null), database (the vulnerability database's digest, or null)}
 *   summary: {identical, files_added, files_removed, files_changed, files_metadata_changed,
 *          files_type_changed, files_unchanged, files_ambiguous, components_added,
 *          components_removed, components_upgraded, components_downgraded,
 *          components_unchanged, vulnerabilities_fixed, vulnerabilities_introduced (both
 *          null when not compared), indicators_added, indicators_removed,
 *          hardening_regressions, hardening_improvements, new_unhardened_binaries,
 *          regressions, regressions_by_kind {vulnerabilities, account, key, service, secret,
 *          public_endpoints, hardening, new_unhardened_binaries, downgrades}}
 *   files: {added, removed: [{key, path, kind, size, sha256, link, mode, uid, gid}],
 *           changed (content: sha256, size or symlink target), metadata_changed (mode, uid
 *           or gid; with "fields": the names that changed), type_changed (kind, e.g. file ->
 *           symlink): [{key, a: {path, ...}, b: {path, ...}, ambiguous}],
 *           ambiguous: [{key, a, b}] (how many files held the key on each side)}
 *   components: {added, removed: [{name, kind, version, cpe, purl, supplier}],
 *           upgraded, downgraded: [{name, kind, from, to}], unchanged: [{name, kind,
 *           version}]}: by (name, kind); versions ordered by vouch_version_cmp; when a
 *           component has several versions on a side, the versions only one side has are
 *           paired in version order, the rest are added or removed; two spellings of
 *           one version ("1.0" / "1.0.0") count as upgraded (seen, not a regression).
 *   vulnerabilities: {compared (false when either report has "vulnerabilities": null: the
 *           CVE changes are then unknown, not none), note (why not compared, or that the
 *           sides were matched against different databases, else null),
 *           fixed (in A, not in B), introduced (in B, not in A): [{id, component, version,
 *           severity, cvss3, cvss4, vex, summary, regression}] or null; unchanged (count
 *           or null)}:
 *           by (vulnerability id, component name).
 *   indicators: {CATEGORY: {added, removed: [{id, severity, title, key, path, evidence,
 *           detail, fingerprint, regression}], unchanged}} for every finding category
 *           present except "hardening": a finding is keyed by (id, normalised path, and
 *           its fingerprint when it has one, else for "endpoint", "account" and "service"
 *           its detail without the "line=" and "offset=" fields, else its evidence, else
 *           that detail). Offsets and line numbers are never part of a key: they move
 *           between releases. Equal keys are counted (a multiset), so a second copy of a
 *           finding is one added.
 *   hardening: {regressions, improvements, changed: [{id, severity, title, key, a_path,
 *           b_path, a_detail, b_detail; imports_added, imports_removed for
 *           hardening.dangerous-import in both}], new_binaries:
 *           [{key, path, findings: [{id, severity, title, detail}]}], unchanged}: for each
 *           pair of files, a hardening.* finding only B has is a regression and one only A
 *           has an improvement; hardening.dangerous-import in both is a regression when B
 *           imports a function A did not (imports_added), an improvement when it only lost
 *           some; any other detail change is "changed". A file only B has that carries
 *           hardening findings is a new binary lacking hardening.
 *   regressions (the summary's count of what makes B worse) = vulnerabilities introduced
 *           (except those a VEX statement calls not_affected or fixed) + account, key,
 *           service and secret indicators added + endpoint indicators added whose detail says
 *           scope=public + hardening regressions + new binaries lacking hardening +
 *           component downgrades.
 *
 * Reports are untrusted input: at most VOUCH_DIFF_REPORT_MAX bytes each, parsed by jansson
 * (whose parser bounds its own nesting), every member this function reads type-checked;
 * nothing about a report is trusted to be sorted, unique or consistent.
 */
#ifndef VOUCH_DIFF_H
#define VOUCH_DIFF_H

#include <stddef.h>

#include "vouch/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The largest report text accepted: a report of an image at the max_files default (1M
 * files, ~400 bytes of file_list each) with its findings fits; beyond that, parsing alone
 * would need tens of GiB. */
#define VOUCH_DIFF_REPORT_MAX (1ULL << 30)

/*
 * The diff of report A (a_json, alen bytes) against report B, as one JSON text (UTF-8, ASCII
 * only, indented) in *diff_json_out, NUL-terminated, which the caller releases with free().
 * Returns VOUCH_OK; VOUCH_E_MALFORMED when a text is not a vouch report (not JSON, not an
 * object, a member of the wrong type, a required member missing); VOUCH_E_UNSUPPORTED when
 * its report_version is not 1; VOUCH_E_LIMIT when a text is larger than
 * VOUCH_DIFF_REPORT_MAX; VOUCH_E_USAGE for NULL arguments; VOUCH_E_NOMEM. On failure
 * *diff_json_out is NULL and why (when why_cap > 0) holds a one-line reason naming the
 * report ("report B: findings[3].path: not a string").
 */
VOUCH_API int vouch_report_diff(const char *a_json, size_t alen, const char *b_json, size_t blen,
				char **diff_json_out, char *why, size_t why_cap);

#ifdef __cplusplus
}
#endif
#endif
