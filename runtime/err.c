/* SPDX-License-Identifier: MIT */
/* err.c: filling and printing rc_err_t. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <replicore/err.h>

int rc_err_set(rc_err_t *err, int code, const char *where, unsigned line,
	       unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		err->code = code;
		err->line = line;
		err->col = col;
		snprintf(err->where, sizeof(err->where), "%s",
			 where != NULL ? where : "");
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

void rc_err_clear(rc_err_t *err)
{
	if (err != NULL)
		memset(err, 0, sizeof(*err));
}

void rc_err_print(const rc_err_t *err, FILE *out)
{
	if (err->where[0] != '\0') {
		fputs(err->where, out);
		if (err->line > 0) {
			fprintf(out, ":%u", err->line);
			if (err->col > 0)
				fprintf(out, ":%u", err->col);
		}
		fputs(": ", out);
	}
	fprintf(out, "error: %s\n",
		err->msg[0] != '\0' ? err->msg : rc_strerror(err->code));
}

const char *rc_strerror(int code)
{
	if (code < 0)
		code = -code;
	switch (code) {
	case RC_OK:
		return "no error";
	case RC_EINVAL:
		return "invalid input";
	case RC_ENOMEM:
		return "out of memory";
	case RC_ESYS:
		return "system call failed";
	case RC_ENOTSUP:
		return "not supported";
	case RC_ETIMEDOUT:
		return "timed out";
	case RC_EAGAIN:
		return "try again";
	case RC_ENOENT:
		return "no such file or object";
	default:
		return "unknown error";
	}
}
