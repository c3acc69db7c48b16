/* SPDX-License-Identifier: MIT */
/* fuzz_litmus.c: libFuzzer target: parse, print, reparse and reprint a litmus test, and run small ones under every model. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>
#include <replicore/model.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints t into a malloc'd string. */
static char *print_str(const rc_litmus_t *t, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		abort();
	rc_litmus_print(t, f);
	fclose(f);
	return buf;
}

static size_t count_stmts(const struct rc_lstmt *s, size_t n)
{
	size_t c = n;

	for (size_t i = 0; i < n; i++)
		c += count_stmts(s[i].body, s[i].nbody) +
		     count_stmts(s[i].els, s[i].nels);
	return c;
}

/* Small tests go through every model that applies, under a budget. */
static void run_models(const rc_litmus_t *t)
{
	const rc_model_t *ms[8];
	rc_outcomes_t *out[8];
	struct rc_model_opts o = { 0, 1, 20000 };
	rc_err_t err = RC_ERR_INITIALIZER;
	size_t n = 0, stmts = 0;

	for (size_t i = 0; i < t->nthreads; i++)
		stmts += count_stmts(t->threads[i].code, t->threads[i].ncode);
	if (t->nthreads > 4 || stmts > 10 || t->nlocs > 6)
		return;
	for (size_t i = 0; i < rc_model_count() && n < 8; i++)
		if (rc_model_applies(rc_model_at(i), t))
			ms[n++] = rc_model_at(i);
	if (rc_model_run(t, ms, n, &o, out, &err) < 0) {
		if (err.msg[0] == '\0')
			abort();
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char buf[4096];

		/* the outcome sets are well formed */
		if (out[i]->positive + out[i]->negative > 0 &&
		    out[i]->nstates == 0)
			abort();
		for (size_t k = 0; k < out[i]->nstates; k++)
			rc_state_str(out[i], &out[i]->states[k], buf,
				     sizeof buf);
		rc_outcomes_free(out[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_litmus_t *t, *t2;
	char *p1, *p2;
	size_t l1, l2;

	if (rc_litmus_parse((const char *)data, size, "fuzz", &t, &err) < 0) {
		/* every error names a place in the input */
		if (err.line == 0 || err.msg[0] == '\0')
			abort();
		return 0;
	}
	/* what the printer writes parses, and prints the same again */
	p1 = print_str(t, &l1);
	if (rc_litmus_parse(p1, l1, "fuzz-printed", &t2, &err) < 0) {
		fprintf(stderr, "printed test does not parse: %u:%u: %s\n%s",
			err.line, err.col, err.msg, p1);
		abort();
	}
	p2 = print_str(t2, &l2);
	if (l1 != l2 || memcmp(p1, p2, l1) != 0) {
		fprintf(stderr, "round trip differs:\n%s---\n%s", p1, p2);
		abort();
	}
	free(p1);
	free(p2);
	rc_litmus_free(t2);
	run_models(t);
	rc_litmus_free(t);
	return 0;
}
