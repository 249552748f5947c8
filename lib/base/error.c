/*
 * base/error.c: names for error codes and the fixed-size error detail recorder.
 *
 * The detail is formatted into a buffer inside the handle (vouch_errinfo) so that recording
 * an error never allocates: an out-of-memory error must be reportable too.
 */
#include <stdio.h>

#include "base/base.h"

const char *
vouch_err_str(int err)
{
	switch (err) {
	case VOUCH_OK: return "success";
	case VOUCH_E_NOMEM: return "out of memory";
	case VOUCH_E_IO: return "input/output error";
	case VOUCH_E_MALFORMED: return "malformed input";
	case VOUCH_E_LIMIT: return "limit reached";
	case VOUCH_E_VERIFY: return "verification failed";
	case VOUCH_E_UNSUPPORTED: return "unsupported format variant";
	case VOUCH_E_USAGE: return "invalid usage";
	case VOUCH_E_UNSAFE: return "refused as unsafe";
	case VOUCH_E_NOTFOUND: return "not found";
	case VOUCH_E_INTERNAL: return "internal error";
	default: return "unknown error";
	}
}

int
vouch_verrf(vouch_errinfo *e, int code, uint64_t offset, const char *fmt, va_list ap)
{
	if (e == NULL) {
		return code;
	}
	e->code = code;
	e->offset = offset;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return code;
}

int
vouch_errf(vouch_errinfo *e, int code, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vouch_verrf(e, code, offset, fmt, ap);
	va_end(ap);
	return code;
}
