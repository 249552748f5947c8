/*
 * vouch/error.h: the one error enum of libvouch.
 *
 * Every fallible function returns a vouch_err: zero for success, negative for failure.
 * Three codes deserve care from callers:
 *   VOUCH_E_MALFORMED  the input is not what it claims to be (hostile input is normal);
 *   VOUCH_E_LIMIT      a configured limit stopped the work (see vouch/limits.h);
 *   VOUCH_E_VERIFY     a verification answered "no": an answer, not a program error.
 * The detail (message, input offset, errno) lives on the handle that failed, never in a
 * global, and recording it never allocates.
 */
#ifndef VOUCH_ERROR_H
#define VOUCH_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VOUCH_API
#define VOUCH_API __attribute__((visibility("default")))
#endif

typedef enum vouch_err {
	VOUCH_OK = 0,
	VOUCH_E_NOMEM = -1,     /* an allocation failed or an arena budget ran out */
	VOUCH_E_IO = -2,        /* the operating system refused a read or write (errno kept) */
	VOUCH_E_MALFORMED = -3, /* input is truncated, corrupt or inconsistent */
	VOUCH_E_LIMIT = -4,     /* a configured limit was hit */
	VOUCH_E_VERIFY = -5,    /* verification failed: a valid "no" */
	VOUCH_E_UNSUPPORTED = -6, /* a recognised format variant we cannot open */
	VOUCH_E_USAGE = -7,     /* the caller passed invalid arguments */
	VOUCH_E_UNSAFE = -8,    /* refused for safety: path escape, link escape */
	VOUCH_E_NOTFOUND = -9,  /* a named thing does not exist */
	VOUCH_E_INTERNAL = -10, /* an invariant of vouch itself broke: a bug, please report */
} vouch_err;

/* A static, human-readable name for an error code ("malformed input", ...). Never NULL. */
VOUCH_API const char *vouch_err_str(int err);

#ifdef __cplusplus
}
#endif
#endif
