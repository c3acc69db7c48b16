/* SPDX-License-Identifier: MIT */
/* test_history_large.c: a text large enough to be read in two halves at once gives the history a single pass gives: every operation, string and line, and errors at their own line in either half. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/history.h>

#include "tests/tap.h"

/* Lines of the text: with about 40 bytes each, well over the 1 MiB from
 * which the reader splits. */
#define NLINES 60000

struct text {
	char *s;
	size_t len, cap;
};

static void add(struct text *t, const char *line)
{
	size_t l = strlen(line);

	if (t->len + l + 1 > t->cap) {
		t->cap = (t->len + l + 1) * 2;
		t->s = realloc(t->s, t->cap);
		if (t->s == NULL)
			abort();
	}
	memcpy(t->s + t->len, line, l + 1);
	t->len += l;
}

/*
 * Line i (from 1): a header, an initial value and comments first, then a
 * put or a get of key k<i % 97>; every 7th value has an escape.
 */
static void make(struct text *t, unsigned bad_line, unsigned initial_line)
{
	char b[160];

	t->len = 0;
	add(t, "# replicore-history 1\n");
	add(t, "initial \"i\\x41\"\n");
	for (unsigned i = 3; i <= NLINES; i++) {
		unsigned k = i % 97;

		if (i == bad_line)
			snprintf(b, sizeof(b), "%u %u %u put \"k%u\" @ -> ok\n",
				 i % 5, 2 * i, 2 * i + 1, k);
		else if (i == initial_line)
			snprintf(b, sizeof(b), "initial 5\n");
		else if (i % 50 == 0)
			snprintf(b, sizeof(b), "# comment %u\n", i);
		else if (i % 2 == 0)
			snprintf(b, sizeof(b),
				 "%u %u %u put \"k%u\" \"v%u%s\" -> ok\n",
				 i % 5, 2 * i, 2 * i + 1, k, i / 2,
				 i % 7 == 0 ? "\\n" : "");
		else
			snprintf(b, sizeof(b),
				 "%u %u %u get \"k%u\" -> \"v%u%s\"\n", i % 5,
				 2 * i, 2 * i + 1, k, (i - 1) / 2,
				 (i - 1) % 7 == 0 ? "\\n" : "");
		add(t, b);
	}
}

static bool str_is(const rc_history_t *h, rc_hval_t v, const char *want)
{
	size_t l;
	const char *s = rc_history_strval(h, v, &l);

	return s != NULL && l == strlen(want) && memcmp(s, want, l) == 0;
}

static void test_whole(struct text *t)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_history_t *h = NULL;
	size_t n, bad = 0;
	char want[64];

	make(t, 0, 0);
	ok(t->len > (2u << 20) / 2, "the text is %zu bytes", t->len);
	is(rc_history_parse(t->s, t->len, "big", &h, &err), 0, "read (%s)",
	   err.msg);
	if (h == NULL) {
		skip(4, "no history");
		return;
	}
	n = rc_history_len(h);
	is(n, (size_t)(NLINES - 2 - NLINES / 50), "every operation");
	ok(str_is(h, rc_history_initial(h), "iA"), "the initial value");
	for (size_t i = 0, line = 3; i < n; i++, line++) {
		const struct rc_hop *o = rc_history_op(h, i);
		unsigned v;

		if (line % 50 == 0)
			line++;
		snprintf(want, sizeof(want), "k%zu", line % 97);
		if (o->line != line || o->call != (int64_t)(2 * line) ||
		    !str_is(h, o->key, want)) {
			bad++;
			continue;
		}
		v = o->kind == RC_HOP_PUT ? (unsigned)line / 2
					  : (unsigned)(line - 1) / 2;
		snprintf(want, sizeof(want), "v%u%s", v,
			 (o->kind == RC_HOP_PUT ? line : line - 1) % 7 == 0
				 ? "\n"
				 : "");
		if (!str_is(h, o->kind == RC_HOP_PUT ? o->arg[0] : o->result,
			    want))
			bad++;
	}
	is(bad, (size_t)0, "each operation's line, time, key and value");
	/* equal strings are one string: a get reads the put's very value */
	bad = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		const struct rc_hop *p = rc_history_op(h, i);
		const struct rc_hop *g = rc_history_op(h, i + 1);

		if (p->kind == RC_HOP_PUT && g->kind == RC_HOP_GET &&
		    g->line == p->line + 1 && g->result != p->arg[0])
			bad++;
	}
	is(bad, (size_t)0, "a string read in both halves has one id");
	rc_history_free(h);
}

static void test_error(struct text *t, unsigned line, unsigned initial)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_history_t *h = NULL;
	int rc;

	make(t, line, initial);
	rc = rc_history_parse(t->s, t->len, "big", &h, &err);
	is(rc, -RC_EINVAL, "line %u: refused", line ? line : initial);
	is(err.line, line ? line : initial, "at its own line (%s)", err.msg);
	if (line) {
		char pre[96];

		snprintf(pre, sizeof(pre), "%u %u %u put \"k%u\" ", line % 5,
			 2 * line, 2 * line + 1, line % 97);
		is(err.col, (unsigned)strlen(pre) + 1, "and column");
	}
	ok(h == NULL, "no history");
}

int main(void)
{
	struct text t = { NULL, 0, 0 };

	test_whole(&t);
	test_error(&t, 1001, 0);	   /* the first half */
	test_error(&t, NLINES - 11, 0);	   /* the second half */
	test_error(&t, 0, NLINES / 2 + 3); /* 'initial' after operations */
	free(t.s);
	done_testing();
	return exit_status();
}
