/* SPDX-License-Identifier: MIT */
/* replicore/err.h: how the library reports errors a user can cause. */
#ifndef REPLICORE_ERR_H
#define REPLICORE_ERR_H

#include <errno.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Error codes. Library calls that can fail because of their input or the
 * system return 0 on success or a negative code (-RC_EINVAL, ...), and fill
 * an rc_err_t when the caller passed one. Programmer errors (a NULL object,
 * a thread calling a single-producer channel from two threads) are caught by
 * assert() instead. The library never exits the process.
 *
 * Each code is the errno value of the same meaning, so a status reads as
 * the C library's and the kernel's do: -RC_EINVAL == -EINVAL, and a caller
 * may compare with either name, hand -rc to strerror(), or pass the status
 * on as its own -errno. Where the system gives one value two names (EAGAIN
 * and EWOULDBLOCK; ENOTSUP and EOPNOTSUPP on Linux), both compare equal.
 * RC_ESYS has no errno of its own and is EIO; its rc_err_t says which
 * call failed and why.
 */
enum rc_errcode {
	RC_OK = 0,
	RC_EINVAL = EINVAL,	  /* a malformed argument or input text */
	RC_ENOMEM = ENOMEM,	  /* out of memory */
	RC_ESYS = EIO,		  /* a system or hwloc call failed; see msg */
	RC_ENOTSUP = ENOTSUP,	  /* not supported on this machine or build */
	RC_ETIMEDOUT = ETIMEDOUT, /* a bounded wait ran out */
	RC_EAGAIN = EAGAIN,	  /* a try operation could not complete now */
	RC_ENOENT = ENOENT,	  /* a file or a named thing does not exist */
};

/*
 * A filled error: what went wrong, and where in the user's input when the
 * input was a text (file, line and column are 1-based; 0 when not known).
 * Not shared between threads: each caller owns the one it passes.
 */
typedef struct rc_err {
	int code; /* an enum rc_errcode, positive (RC_EINVAL, not -RC_EINVAL) */
	unsigned line;
	unsigned col;
	char where[256];
	char msg[512];
} rc_err_t;

#define RC_ERR_INITIALIZER      \
	{                       \
		0, 0, 0, "", "" \
	}

/*
 * Fills err (when not NULL) and returns -code, so a caller can write
 * `return rc_err_set(err, RC_EINVAL, ...);`. where may be NULL.
 */
int rc_err_set(rc_err_t *err, int code, const char *where, unsigned line,
	       unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Empties err. */
void rc_err_clear(rc_err_t *err);

/*
 * Prints err as "where:line:col: error: msg" (the parts that are known)
 * followed by a newline.
 */
void rc_err_print(const rc_err_t *err, FILE *out);

/*
 * A short English name for an error code ("invalid input", ...): code may
 * be an rc_errcode or its negation (a returned status). Any other value
 * (an errno that is not an rc_errcode, say) gives "unknown error". The
 * names are constant strings; any thread.
 */
const char *rc_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_ERR_H */
