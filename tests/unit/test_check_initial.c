/* SPDX-License-Identifier: MIT */
/* test_check_initial.c: a history's initial value: set, written and read back, and honoured by every checker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/check.h>
#include <replicore/history.h>

#include "tests/tap.h"

static rc_history_t *parse(const char *text)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_history_t *h = NULL;

	if (rc_history_parse(text, strlen(text), "t", &h, &err) < 0)
		diag("parse: %s", err.msg);
	return h;
}

/* The verdict at level against spec, or -1 when rc_check fails. */
static int verdict(const rc_history_t *h, enum rc_spec spec,
		   enum rc_level level)
{
	struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *r = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	int v;

	o.spec = spec;
	o.level = level;
	o.timeout = 10;
	if (rc_check(h, &o, &r, &err) < 0) {
		diag("check: %s", err.msg);
		return -1;
	}
	v = (int)r->verdict;
	rc_check_result_free(r);
	return v;
}

static void test_set(void)
{
	rc_history_t *h = rc_history_new();
	rc_err_t err = RC_ERR_INITIALIZER;

	ok(h != NULL && rc_history_initial(h) == RC_HVAL_NIL,
	   "a new history's initial value is nil: the spec's own");
	is(rc_history_set_initial(h, 0, &err), 0, "set 0");
	is(rc_history_initial(h), 0, "read back");
	is(rc_history_set_initial(h, RC_HVAL_UNKNOWN, &err), -RC_EINVAL,
	   "? is no initial value (%s)", err.msg);
	is(rc_history_set_initial(h, RC_HVAL_NONE, NULL), -RC_EINVAL,
	   "nor is no value");
	is(rc_history_set_initial(h, RC_HVAL_STR(3), NULL), -RC_EINVAL,
	   "nor a string the history does not hold");
	is(rc_history_initial(h), 0, "a refused value changes nothing");
	is(rc_history_set_initial(h, rc_history_str(h, "x", 1), NULL), 0,
	   "a string the history holds");
	is(rc_history_set_initial(h, RC_HVAL_NIL, NULL), 0,
	   "nil gives the start back to the spec");
	rc_history_free(h);
}

/* A register read of 0 before any write: explained by initial 0 only. */
static void test_register(void)
{
	static const char ops[] = "0 1 2 read -> 0\n"
				  "1 3 4 write 1 -> ok\n"
				  "0 5 6 read -> 1\n";
	static const enum rc_level levels[] = { RC_LIN, RC_SC, RC_CC, RC_CM,
						RC_CCV };
	rc_history_t *bare = parse(ops), *h;
	char text[256];

	snprintf(text, sizeof text, "initial 0\n%s", ops);
	h = parse(text);
	ok(h != NULL && rc_history_initial(h) == 0,
	   "an 'initial' line sets the initial value");
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		const char *n = rc_level_name(levels[i]);

		is(verdict(bare, RC_SPEC_REGISTER, levels[i]),
		   RC_VERDICT_VIOLATION, "%s: a read of 0 from nil is wrong",
		   n);
		is(verdict(h, RC_SPEC_REGISTER, levels[i]), RC_VERDICT_OK,
		   "%s: a read of 0 from 0 is right", n);
	}
	is(verdict(h, RC_SPEC_CAS_REGISTER, RC_LIN), RC_VERDICT_OK,
	   "the cas-register starts at it too");
	rc_history_free(h);
	/* nil is a value like any other once the start is 0 */
	h = parse("initial 0\n0 1 2 read -> nil\n");
	is(verdict(h, RC_SPEC_REGISTER, RC_LIN), RC_VERDICT_VIOLATION,
	   "lin: with initial 0, a read of nil is wrong");
	is(verdict(h, RC_SPEC_REGISTER, RC_CCV), RC_VERDICT_VIOLATION,
	   "ccv: with initial 0, a read of nil is wrong");
	rc_history_free(h);
	h = parse("initial 7\n0 1 2 cas 7 8 -> true\n1 3 4 read -> 8\n");
	is(verdict(h, RC_SPEC_CAS_REGISTER, RC_LIN), RC_VERDICT_OK,
	   "a cas from the initial value succeeds");
	rc_history_free(h);
	rc_history_free(bare);
}

/* Every kv key starts at the initial value. */
static void test_kv(void)
{
	rc_history_t *h = parse("initial 0\n"
				"0 1 2 get 1 -> 0\n"
				"1 3 4 put 2 5 -> ok\n"
				"0 5 6 get 2 -> 5\n"
				"0 7 8 get 3 -> 0\n");
	rc_history_t *e = parse("initial 0\n0 1 2 get 1 -> \"\"\n");

	is(verdict(h, RC_SPEC_KV, RC_LIN), RC_VERDICT_OK,
	   "lin: every key starts at 0");
	is(verdict(h, RC_SPEC_KV, RC_SC), RC_VERDICT_OK, "sc: the same");
	is(verdict(h, RC_SPEC_KV, RC_CCV), RC_VERDICT_OK, "ccv: the same");
	is(verdict(e, RC_SPEC_KV, RC_LIN), RC_VERDICT_VIOLATION,
	   "lin: with initial 0, a key does not hold \"\"");
	is(verdict(e, RC_SPEC_KV, RC_CC), RC_VERDICT_VIOLATION, "cc: the same");
	rc_history_free(e);
	rc_history_free(h);
}

static void test_specs(void)
{
	rc_history_t *h = parse("initial 5\n"
				"0 1 2 read -> 5\n"
				"0 3 4 inc 1 -> ok\n"
				"1 5 6 read -> 6\n");

	is(verdict(h, RC_SPEC_COUNTER, RC_LIN), RC_VERDICT_OK,
	   "a counter starts at the initial value");
	rc_history_free(h);
	h = parse("initial \"x\"\n0 1 2 read -> 0\n");
	is(verdict(h, RC_SPEC_COUNTER, RC_LIN), -1,
	   "a counter's initial value is an integer");
	rc_history_free(h);
	h = parse("initial 0\n0 1 2 enq 1 -> ok\n");
	is(verdict(h, RC_SPEC_QUEUE, RC_LIN), -1,
	   "a queue starts empty: no initial value");
	rc_history_free(h);
}

static void test_text(void)
{
	rc_history_t *h = parse("# replicore-history 1\n"
				"initial \"a b\"\n"
				"0 1 2 read -> \"a b\"\n"),
		     *back = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	rc_history_write(h, f, NULL);
	fclose(f);
	ok(text != NULL && strstr(text, "\ninitial \"a b\"\n") != NULL,
	   "the writer writes the initial value");
	is(rc_history_parse(text, len, "w", &back, &err), 0, "and reads it");
	ok(back != NULL && rc_history_initial(back) != RC_HVAL_NIL &&
		   rc_history_initial(back) == rc_history_op(back, 0)->result,
	   "back as the same value");
	rc_history_free(back);
	free(text);
	rc_history_free(h);
	/* a history without one writes none */
	h = parse("0 1 2 read -> nil\n");
	text = NULL;
	f = open_memstream(&text, &len);
	rc_history_write(h, f, NULL);
	fclose(f);
	ok(text != NULL && strstr(text, "initial") == NULL,
	   "no initial line for the spec's own start");
	free(text);
	rc_history_free(h);

	/* an initial value and no operation: an empty history */
	back = NULL;
	is(rc_history_parse("initial 0\n", 10, "t", &back, &err), 0,
	   "an initial line alone is an empty history");
	ok(back != NULL && rc_history_len(back) == 0 &&
		   rc_history_initial(back) == 0,
	   "with no operation and the initial value");
	rc_history_free(back);

	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "0 1 2 read -> 0\ninitial 0\n", "t:2:1: " },
		{ "initial 0\ninitial 1\n0 1 2 read -> 0\n", "t:2:1: " },
		{ "initial ?\n0 1 2 read -> 0\n", "t:1:9: " },
		{ "initial\n0 1 2 read -> 0\n", "t:1:8: " },
		{ "initial 0 1\n0 1 2 read -> 0\n", "t:1:11: " },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char buf[1024] = "";
		FILE *m;

		back = NULL;
		rc_err_clear(&err);
		is(rc_history_parse(bad[i].text, strlen(bad[i].text), "t",
				    &back, &err),
		   -RC_EINVAL, "bad initial line %zu refused", i);
		m = fmemopen(buf, sizeof buf - 1, "w");
		rc_err_print(&err, m);
		fclose(m);
		buf[strcspn(buf, "\n")] = '\0';
		ok(back == NULL && strstr(buf, bad[i].msg) != NULL, "where: %s",
		   buf);
	}
}

int main(void)
{
	test_set();
	test_register();
	test_kv();
	test_specs();
	test_text();
	done_testing();
	return exit_status();
}
