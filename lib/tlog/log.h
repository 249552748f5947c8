/*
 * tlog/log.h: the log handle shared by log.c (open, append, checkpoints, witnesses, audit),
 * tiles.c (tlog-tiles export) and bundle.c (tlog-proof bundles). Internal.
 */
#ifndef VOUCH_TLOG_LOG_H
#define VOUCH_TLOG_LOG_H

#include "base/base.h"
#include "crypto/sign.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/store.h"
#include "vouch/tlog.h"

struct vouch_tlog {
	char *dir;
	vouch_store *s;
	vouch_ed25519_key *key;       /* the log's signing key */
	vouch_note_verifier *ver;     /* its verifier (type 0x01) */
	vouch_errinfo err;
};

/* Record the store's last error on t and return it. */
int vouch_tlog_store_err(vouch_tlog *t, int rc);

/*
 * The latest checkpoint note with the stored cosignature lines appended (malloc'ed), its
 * size and root. VOUCH_E_NOTFOUND when none.
 */
int vouch_tlog_latest_full(vouch_tlog *t, char **note, uint64_t *size, vouch_hash *root);

/* Write one file beneath a directory fd, creating parent directories (names are ours). */
int vouch_tlog_write_at(int dirfd, const char *rel, const void *data, size_t len);

/* Printf-style reason into why[cap] (may be NULL); returns err. */
int vouch_tlog_say(char *why, size_t cap, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
