/* SPDX-License-Identifier: MIT */
/* test_err.c: error codes are errno values, and each has a name. */
#include <errno.h>
#include <string.h>

#include <replicore/err.h>

#include "tests/tap.h"

static const struct {
	int code, errno_value;
	const char *name, *errno_name;
} codes[] = {
	{ RC_EINVAL, EINVAL, "RC_EINVAL", "EINVAL" },
	{ RC_ENOMEM, ENOMEM, "RC_ENOMEM", "ENOMEM" },
	{ RC_ESYS, EIO, "RC_ESYS", "EIO" },
	{ RC_ENOTSUP, ENOTSUP, "RC_ENOTSUP", "ENOTSUP" },
	{ RC_ETIMEDOUT, ETIMEDOUT, "RC_ETIMEDOUT", "ETIMEDOUT" },
	{ RC_EAGAIN, EAGAIN, "RC_EAGAIN", "EAGAIN" },
	{ RC_ENOENT, ENOENT, "RC_ENOENT", "ENOENT" },
};
#define NCODES (sizeof codes / sizeof codes[0])

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;

	is(RC_OK, 0, "RC_OK is 0");
	for (size_t i = 0; i < NCODES; i++) {
		const char *s = rc_strerror(codes[i].code);
		bool unique = true;

		is(-codes[i].code, -codes[i].errno_value, "-%s == -%s",
		   codes[i].name, codes[i].errno_name);
		ok(s != NULL && strcmp(s, "unknown error") != 0 &&
			   strcmp(s, rc_strerror(RC_OK)) != 0,
		   "rc_strerror names %s: '%s'", codes[i].name, s ? s : "");
		is_str(rc_strerror(-codes[i].code), s,
		       "rc_strerror(-%s) is the same name", codes[i].name);
		for (size_t j = 0; j < NCODES; j++)
			if (j != i &&
			    (codes[j].code == codes[i].code ||
			     strcmp(rc_strerror(codes[j].code), s) == 0))
				unique = false;
		ok(unique, "%s's value and name are its own", codes[i].name);
		is(rc_err_set(&err, codes[i].code, NULL, 0, 0, "x"),
		   -codes[i].errno_value,
		   "rc_err_set(%s) returns -%s and keeps %s", codes[i].name,
		   codes[i].errno_name, codes[i].name);
		is(err.code, codes[i].code, "err.code is %s", codes[i].name);
	}
	is_str(rc_strerror(RC_OK), "no error", "rc_strerror(RC_OK)");
	/* 1 was RC_EINVAL before the codes were errno values; it is EPERM,
	 * which the library never returns. */
	is_str(rc_strerror(EPERM), "unknown error",
	       "an errno the library does not return is unknown");
	done_testing();
	return exit_status();
}
