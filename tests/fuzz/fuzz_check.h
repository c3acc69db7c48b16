/* SPDX-License-Identifier: MIT */
/* fuzz_check.h: one fuzz input through the history parsers and the checkers, shared by the fuzz target and its replay test. */
#ifndef RC_TESTS_FUZZ_CHECK_H
#define RC_TESTS_FUZZ_CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <replicore/check.h>
#include <replicore/history.h>

/*
 * Parses data; when it is a history, checks it at every level with a small
 * budget, writes it back and parses that again. Returns 0 when the input was
 * rejected as bad input, 1 when it was a history.
 */
static inline int fuzz_check_one(const uint8_t *data, size_t size)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_history_t *h = NULL, *g = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (rc_history_parse((const char *)data, size, "fuzz", &h, &err) < 0)
		return 0;
	for (unsigned level = 0; level < RC_NLEVELS; level++) {
		struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
		rc_check_result_t *r = NULL;

		if (!rc_level_is_history((enum rc_level)level))
			continue;
		o.level = (enum rc_level)level;
		o.max_states = 2000;
		o.timeout = 0.5;
		if (rc_check(h, &o, &r, &err) == 0) {
			FILE *nul = fopen("/dev/null", "w");

			if (nul != NULL) {
				rc_check_html(h, r, "fuzz", nul, NULL);
				fclose(nul);
			}
			rc_check_result_free(r);
		}
	}
	f = open_memstream(&buf, &len);
	if (f != NULL) {
		rc_history_write(h, f, NULL);
		fclose(f);
		if (rc_history_parse(buf, len, "fuzz-rewritten", &g, &err) < 0)
			abort(); /* what we write we must read */
		rc_history_free(g);
		free(buf);
	}
	rc_history_free(h);
	return 1;
}

#endif /* RC_TESTS_FUZZ_CHECK_H */
