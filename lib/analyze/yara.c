/*
 * analyze/yara.c: the user's own YARA rules (`--yara RULES`), run with libyara over every
 * file the driver holds.
 *
 * The rules file is compiled once at init (a syntax error fails the run with libyara's
 * message, file and line). Each held file is scanned with yr_rules_scan_mem(), which is safe
 * from several threads on the same compiled rules (libyara 4 makes a scan context per call);
 * every matching rule becomes one finding "yara.<rule>" at the offset of its first string
 * match (or the whole file for a rule with a condition only), with the matched bytes as
 * evidence. Severity comes from the rule's meta `severity` ("info" ... "critical"), else
 * medium. A file larger than max_buffer is not given to YARA, and says so (one
 * "limit.yara-too-big" finding per such file), as does a scan that ran past
 * YARA_TIMEOUT_S ("limit.yara-timeout") or hit another libyara error.
 *
 * Rejected: scanning files not held through yr_rules_scan_mem_blocks (its iterator would
 * need the bytes again after the unpacker's one pass, i.e. the whole file kept anyway);
 * running the rules on the root image only (rules are written against unpacked files).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yara.h>

#include "analyze/analyzer.h"

#define YARA_TIMEOUT_S 20 /* one file; a rule set that takes longer is a pathological one */
#define VOUCH_STR2(x) #x
#define VOUCH_STR(x) VOUCH_STR2(x)
#define YARA_MAX_MATCH_FINDINGS 64 /* matching rules reported per file */

typedef struct yst {
	YR_RULES *rules;
} yst;

typedef struct ycb {
	const vouch_actx *ctx;
	const vouch_afile *af;
	unsigned n;
} ycb;

/* libyara's process-wide state: yr_initialize/yr_finalize are reference counted inside
 * libyara, but not thread-safe themselves. */
static pthread_mutex_t ylock = PTHREAD_MUTEX_INITIALIZER;

typedef struct cerr {
	char *buf;
	size_t cap;
	bool set;
} cerr;

static void
on_compile(int level, const char *file, int line, const YR_RULE *rule, const char *msg,
	   void *ud)
{
	cerr *e = ud;

	(void)rule;
	if (level == YARA_ERROR_LEVEL_ERROR && !e->set && e->buf != NULL) {
		snprintf(e->buf, e->cap, "%s:%d: %s", file ? file : "rules", line, msg);
		e->set = true;
	}
}

static int
y_init(const vouch_actx *ctx, void **state)
{
	YR_COMPILER *c = NULL;
	yst *s;
	FILE *fp;
	cerr e = {ctx->err, ctx->errcap, false};
	int rc = VOUCH_E_MALFORMED;

	*state = NULL;
	if (ctx->opts == NULL || ctx->opts->yara_rules == NULL) {
		return VOUCH_OK;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return VOUCH_E_NOMEM;
	}
	fp = fopen(ctx->opts->yara_rules, "r");
	if (fp == NULL) {
		snprintf(ctx->err, ctx->errcap, "%s: cannot open the YARA rules",
			 ctx->opts->yara_rules);
		free(s);
		return VOUCH_E_IO;
	}
	pthread_mutex_lock(&ylock);
	if (yr_initialize() != ERROR_SUCCESS) {
		pthread_mutex_unlock(&ylock);
		fclose(fp);
		free(s);
		snprintf(ctx->err, ctx->errcap, "libyara could not initialise");
		return VOUCH_E_INTERNAL;
	}
	pthread_mutex_unlock(&ylock);
	if (yr_compiler_create(&c) != ERROR_SUCCESS) {
		rc = VOUCH_E_NOMEM;
		goto fail;
	}
	yr_compiler_set_callback(c, on_compile, &e);
	if (yr_compiler_add_file(c, fp, NULL, ctx->opts->yara_rules) != 0) {
		if (!e.set) {
			snprintf(ctx->err, ctx->errcap, "%s: the YARA rules do not compile",
				 ctx->opts->yara_rules);
		}
		goto fail;
	}
	if (yr_compiler_get_rules(c, &s->rules) != ERROR_SUCCESS) {
		rc = VOUCH_E_NOMEM;
		goto fail;
	}
	yr_compiler_destroy(c);
	fclose(fp);
	*state = s;
	return VOUCH_OK;
fail:
	if (c != NULL) {
		yr_compiler_destroy(c);
	}
	fclose(fp);
	free(s);
	pthread_mutex_lock(&ylock);
	yr_finalize();
	pthread_mutex_unlock(&ylock);
	return rc;
}

static void
y_free(void *state)
{
	yst *s = state;

	if (s == NULL) {
		return;
	}
	if (s->rules != NULL) {
		yr_rules_destroy(s->rules);
	}
	free(s);
	pthread_mutex_lock(&ylock);
	yr_finalize();
	pthread_mutex_unlock(&ylock);
}

static bool
y_wants(void *state, const char *path, const uint8_t *head, size_t n)
{
	(void)path;
	(void)head;
	(void)n;
	return state != NULL; /* every file, when there are rules */
}

static vouch_severity
rule_severity(const YR_RULE *rule)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};
	const YR_META *m;

	yr_rule_metas_foreach(rule, m)
	{
		if (m->type == META_TYPE_STRING && m->identifier != NULL && m->string != NULL &&
		    strcmp(m->identifier, "severity") == 0) {
			for (int i = 0; i < 5; i++) {
				if (strcasecmp(m->string, names[i]) == 0) {
					return (vouch_severity)i;
				}
			}
		}
	}
	return VOUCH_SEV_MEDIUM;
}

#define YARA_MAX_MATCHES_WALKED 100000 /* match records read per string (libyara caps them too) */

static int
on_scan(YR_SCAN_CONTEXT *sc, int msg, void *data, void *ud)
{
	ycb *cb = ud;
	const YR_RULE *rule = data;
	const YR_STRING *str;
	uint64_t off = UINT64_MAX;
	const uint8_t *ev = NULL;
	size_t evlen = 0;
	char id[160], detail[200];

	if (msg != CALLBACK_MSG_RULE_MATCHING) {
		return CALLBACK_CONTINUE;
	}
	if (cb->n++ >= YARA_MAX_MATCH_FINDINGS) {
		return CALLBACK_ABORT;
	}
	yr_rule_strings_foreach(rule, str)
	{
		/*
		 * libyara's match records sit in its arena at addresses that are not always
		 * aligned for YR_MATCH (UBSan: "misaligned address"): copy each one out with
		 * memcpy instead of reading it through the pointer (yr_string_matches_foreach).
		 */
		const uint8_t *mp = (const uint8_t *)sc->matches[str->idx].head;
		unsigned guard = 0;
		while (mp != NULL && guard++ < YARA_MAX_MATCHES_WALKED) {
			YR_MATCH m;
			memcpy(&m, mp, sizeof(m));
			if (!m.is_private && m.offset >= 0 && (uint64_t)m.offset < off) {
				off = (uint64_t)m.offset;
				ev = m.data;
				evlen = (size_t)(m.data_length > 0 ? m.data_length : 0);
			}
			mp = (const uint8_t *)m.next;
		}
	}
	snprintf(id, sizeof(id), "yara.%s", rule->identifier);
	snprintf(detail, sizeof(detail), "rule=%s; namespace=%s", rule->identifier,
		 rule->ns != NULL && rule->ns->name != NULL ? rule->ns->name : "default");
	vouch_afind(cb->ctx, id, "yara", rule_severity(rule), "a YARA rule matched", cb->af->f,
		    off, (const char *)ev, evlen, detail, NULL);
	return CALLBACK_CONTINUE;
}

static void
y_file(const vouch_actx *ctx, void *state, const vouch_afile *af, const vouch_ahit *hits,
       size_t nhits)
{
	yst *s = state;
	ycb cb = {ctx, af, 0};
	char detail[160];
	int rc;

	(void)hits;
	(void)nhits;
	if (s == NULL) {
		return;
	}
	if (af->cut || af->data == NULL) {
		snprintf(detail, sizeof(detail), "size=%llu; max_buffer=%llu",
			 (unsigned long long)af->f->size,
			 (unsigned long long)ctx->opts->max_buffer);
		vouch_afind(ctx, "limit.yara-too-big", "limit", VOUCH_SEV_INFO,
			    "file too big to be given to YARA (not scanned with the rules)", af->f,
			    UINT64_MAX, NULL, 0, detail, NULL);
		return;
	}
	rc = yr_rules_scan_mem(s->rules, af->data, af->len, SCAN_FLAGS_FAST_MODE, on_scan, &cb,
			       YARA_TIMEOUT_S);
	if (rc == ERROR_SCAN_TIMEOUT) {
		vouch_afind(ctx, "limit.yara-timeout", "limit", VOUCH_SEV_LOW,
			    "YARA scan of this file stopped after its time limit", af->f,
			    UINT64_MAX, NULL, 0, "timeout_s=" VOUCH_STR(YARA_TIMEOUT_S), NULL);
	} else if (rc != ERROR_SUCCESS && rc != ERROR_CALLBACK_ERROR) {
		snprintf(detail, sizeof(detail), "libyara_error=%d", rc);
		vouch_afind(ctx, "limit.yara-error", "limit", VOUCH_SEV_LOW,
			    "YARA could not scan this file (too many matches or out of memory)",
			    af->f, UINT64_MAX, NULL, 0, detail, NULL);
	}
}

const vouch_analyzer vouch_analyzer_yara = {
	.name = "yara",
	.init = y_init,
	.wants = y_wants,
	.file = y_file,
	.free = y_free,
};
