/*
 * lab/lab_int.h: what the policy loader (policy.c), the verdict (verdict.c) and the small
 * matchers (match.c: globs, CIDRs, URL prefixes, dates) share inside lib/lab. Not public:
 * the public API is include/vouch/policy.h. The unit tests include it to test the matchers
 * on their own.
 */
#ifndef VOUCH_LAB_INT_H
#define VOUCH_LAB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vouch/policy.h"

/* Severities in the order of the report's "severity" values; LAB_SEV_OFF disables a
 * threshold (null in the policy). */
enum { LAB_SEV_INFO, LAB_SEV_LOW, LAB_SEV_MEDIUM, LAB_SEV_HIGH, LAB_SEV_CRITICAL, LAB_SEV_N };
#define LAB_SEV_OFF (-1)

/* What a rule does when it is hit. */
enum { LAB_ACT_IGNORE = 0, LAB_ACT_CONDITION = 1, LAB_ACT_REJECT = 2 };

/* Hardening properties (the hardening.no-* finding each one's absence gives). */
enum { LAB_H_NX = 1u << 0, LAB_H_PIE = 1u << 1, LAB_H_RELRO = 1u << 2, LAB_H_CANARY = 1u << 3 };
/* ELF kinds of the hardening findings' "kind=" detail (vouch_elf_kind_str). */
enum { LAB_K_EXEC = 1u << 0, LAB_K_PIE = 1u << 1, LAB_K_SHARED = 1u << 2, LAB_K_ALL = 7u };

/* Address and name scopes of the endpoint findings' "scope=" detail (analyze/endpoints.c). */
#define LAB_SCOPE_N 11
extern const char *const vouch_lab_scopes[LAB_SCOPE_N];
extern const char *const vouch_lab_sev_names[LAB_SEV_N];

/* The limits of one policy string, with their reasons. */
#define LAB_STR_MAX 4096 /* a glob, a URL prefix, a justification: longer is a mistake */
#define LAB_NAME_MAX 128 /* the policy name: shown in every verdict and on one line */

typedef struct lab_strs {
	char **v; /* malloc'ed, normalised (host globs lower case, countries upper case) */
	size_t n;
} lab_strs;

typedef struct lab_cidr {
	uint8_t family; /* 4 or 6 (IPv4-mapped IPv6 networks are stored as IPv4) */
	uint8_t bits;
	uint8_t addr[16];
} lab_cidr;

typedef struct lab_hrule {
	unsigned require; /* LAB_H_* */
	unsigned kinds;   /* LAB_K_* */
	lab_strs paths;   /* empty: every path */
	int action;
} lab_hrule;

typedef struct lab_waiver {
	char *id, *author, *justification;
	char expires[11];  /* YYYY-MM-DD */
	int64_t until;     /* first second (unix, UTC) at which it no longer applies */
	bool is_vuln;      /* matches a vulnerability, else a finding */
	char *match_id;    /* finding id glob, or vulnerability id (exact, any case) */
	char *path;        /* finding: optional path glob */
	char *evidence;    /* finding: optional evidence substring */
	char *component;   /* vulnerability: optional component-name glob */
} lab_waiver;

struct vouch_policy {
	char *name, *description;
	/* findings: severity thresholds */
	int f_reject_at, f_condition_at; /* LAB_SEV_* or LAB_SEV_OFF */
	lab_strs f_exempt;
	/* finding kinds */
	lab_strs forbid, conditional;
	int forbid_min, conditional_min;
	/* vulnerabilities */
	double v_reject_cvss, v_condition_cvss; /* < 0: off */
	int v_reject_sev, v_condition_sev;
	int v_unscored;
	/* endpoints */
	bool ep_on;
	int ep_action;
	unsigned ep_scopes; /* bit i: vouch_lab_scopes[i] is egress */
	lab_cidr *cidrs;
	size_t ncidrs;
	lab_strs allow_hosts, allow_urls;
	bool ep_comments;
	/* jurisdictions */
	bool j_on;
	lab_strs j_allow, j_deny;
	int j_action, j_unknown;
	/* hardening */
	lab_hrule *hard;
	size_t nhard;
	/* waivers */
	lab_waiver *waivers;
	size_t nwaivers;
};

/* ---- match.c ---- */

/* Parse "ADDR/BITS" or a bare address (IPv4 or IPv6; a bare address is /32 or /128).
 * Refused: a zone ("%eth0"), a prefix with a sign, leading zeros or out of range, and host
 * bits set past the prefix ("10.0.0.1/8"). 0, or -1 with a reason in why. */
int vouch_lab_cidr_parse(const char *s, lab_cidr *out, char *why, size_t cap);
/* The text of an IP address into family (4 or 6) and bytes; IPv4-mapped IPv6 becomes 4. */
bool vouch_lab_ip_parse(const char *s, uint8_t *family, uint8_t addr[16]);
/* Whether the address is inside the network. */
bool vouch_lab_cidr_has(const lab_cidr *c, uint8_t family, const uint8_t addr[16]);
/* The normal text of a network ("10.0.0.0/8", "2001:db8::/32"). */
void vouch_lab_cidr_str(const lab_cidr *c, char *out, size_t cap);

/* fnmatch(3) without flags ('*' crosses '/' and '.'), or with case folding. */
bool vouch_lab_glob(const char *glob, const char *s);
bool vouch_lab_glob_nocase(const char *glob, const char *s);

/* Whether url starts with prefix at a boundary: the prefix ends with '/', or the url goes on
 * with '/', '?', '#' or ends there ("https://a.example" is no prefix of
 * "https://a.example.evil.test"). Both already normalised (lower-case scheme and host). */
bool vouch_lab_url_prefix(const char *prefix, const char *url);
/* Lower-case the scheme and the host of a URL in place (up to the first '/', '?' or '#'
 * after "://"). */
void vouch_lab_url_norm(char *url);

/* "YYYY-MM-DD" (a real calendar date, years 1970..9999) into the unix time of its midnight
 * UTC. 0 or -1. */
int vouch_lab_date_parse(const char *s, int64_t *midnight);
/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t vouch_lab_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Unix time into "YYYY-MM-DDTHH:MM:SSZ" (out holds at least 21 bytes). */
void vouch_lab_rfc3339(int64_t t, char *out, size_t cap);

/* A severity name ("info".."critical", exact lower case) to LAB_SEV_*, or -1. */
int vouch_lab_sev_parse(const char *s);

#endif
