/* SPDX-License-Identifier: MIT */
/* test_level.c: the one list of levels: names, which levels objects and histories take, what an object's histories are checked at. */
#include <stdio.h>
#include <string.h>

#include <replicore/check.h>
#include <replicore/history.h>
#include <replicore/level.h>
#include <replicore/mem.h>

#include "tests/tap.h"

static const char *const names[RC_NLEVELS] = {
	"lin", "sc",  "tso", "causal", "cc",  "cm",
	"ccv", "ryw", "mr",  "mw",     "wfr", "eventual",
};

static void test_names(void)
{
	enum rc_level back = RC_SC;

	for (unsigned l = 0; l < RC_NLEVELS; l++) {
		is_str(rc_level_name((enum rc_level)l), names[l],
		       "level %u is named %s", l, names[l]);
		ok(rc_level_parse(names[l], &back) == 0 &&
			   back == (enum rc_level)l,
		   "%s parses back", names[l]);
	}
	is_str(rc_level_name((enum rc_level)RC_NLEVELS), "?",
	       "a value that is no level is named ?");
	back = RC_SC;
	ok(rc_level_parse("pram", &back) == -RC_EINVAL && back == RC_SC,
	   "an unknown name is refused and the level left as it was");
	ok(rc_level_parse("LIN", &back) == -RC_EINVAL, "names are lower case");
}

static void test_kinds(void)
{
	/* object, history, checked at */
	static const struct {
		enum rc_level l;
		bool object, history;
		enum rc_level at;
	} want[] = {
		{ RC_LIN, true, true, RC_LIN },
		{ RC_SC, true, true, RC_SC },
		{ RC_TSO, true, false, RC_CCV },
		{ RC_CAUSAL, true, false, RC_CCV },
		{ RC_CC, false, true, RC_CC },
		{ RC_CM, false, true, RC_CM },
		{ RC_CCV, false, true, RC_CCV },
		{ RC_RYW, false, true, RC_RYW },
		{ RC_MR, false, true, RC_MR },
		{ RC_MW, false, true, RC_MW },
		{ RC_WFR, false, true, RC_WFR },
		{ RC_EVENTUAL, true, true, RC_EVENTUAL },
	};

	is(sizeof(want) / sizeof(want[0]), RC_NLEVELS, "every level listed");
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *n = rc_level_name(want[i].l);

		ok(rc_level_is_object(want[i].l) == want[i].object,
		   "%s: %s an object level", n,
		   want[i].object ? "is" : "is not");
		ok(rc_level_is_history(want[i].l) == want[i].history,
		   "%s: %s a history level", n,
		   want[i].history ? "is" : "is not");
		ok(rc_level_is_history(rc_level_checked_at(want[i].l)),
		   "%s: checked at a level the checkers decide", n);
		is(rc_level_checked_at(want[i].l), want[i].at,
		   "%s: checked at %s", n, rc_level_name(want[i].at));
	}
	ok(!rc_level_is_object((enum rc_level)RC_NLEVELS) &&
		   !rc_level_is_history((enum rc_level)RC_NLEVELS),
	   "a value that is no level is neither");
	is(rc_level_checked_at((enum rc_level)RC_NLEVELS), RC_NLEVELS,
	   "and is given back as it is");
}

/* rc_mem_create takes exactly the object levels. */
static void test_objects(void)
{
	for (unsigned l = 0; l < RC_NLEVELS; l++) {
		rc_mem_t *m = NULL;
		rc_err_t err = RC_ERR_INITIALIZER;
		int rc = rc_mem_create(&m, (enum rc_level)l, 1, 1, 0, &err);

		if (rc_level_is_object((enum rc_level)l)) {
			ok(rc == 0 && rc_mem_get_level(m) == (enum rc_level)l,
			   "an object is made at %s", names[l]);
			rc_mem_destroy(m);
		} else {
			ok(rc == -RC_EINVAL && m == NULL,
			   "no object is made at %s: %s", names[l], err.msg);
		}
	}
}

/*
 * rc_check takes exactly the history levels, and an object level's error
 * names the level its histories are checked at.
 */
static void test_histories(void)
{
	rc_history_t *h = rc_history_new();
	struct rc_hop w = { .call = 1,
			    .ret = 2,
			    .key = RC_HVAL_NONE,
			    .arg = { 1, RC_HVAL_NONE },
			    .result = RC_HVAL_OK,
			    .kind = RC_HOP_WRITE };
	struct rc_hop r = w;

	r.call = 3;
	r.ret = 4;
	r.proc = 1;
	r.arg[0] = RC_HVAL_NONE;
	r.result = 1;
	r.kind = RC_HOP_READ;
	if (h == NULL || rc_history_add(h, &w, NULL) < 0 ||
	    rc_history_add(h, &r, NULL) < 0) {
		ok(false, "a history of two operations");
		rc_history_free(h);
		return;
	}
	for (unsigned l = 0; l <= RC_NLEVELS; l++) {
		struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_check_result_t *res = NULL;
		const char *n = rc_level_name((enum rc_level)l);
		int rc;

		o.spec = RC_SPEC_REGISTER;
		o.level = (enum rc_level)l;
		rc = rc_check(h, &o, &res, &err);
		if (rc_level_is_history((enum rc_level)l)) {
			ok(rc == 0 && res->level == (enum rc_level)l &&
				   res->verdict == RC_VERDICT_OK,
			   "a history is checked at %s", n);
		} else if (rc_level_is_object((enum rc_level)l)) {
			char want[32];

			snprintf(want, sizeof want, "checked at %s",
				 rc_level_name(rc_level_checked_at(
					 (enum rc_level)l)));
			ok(rc == -RC_EINVAL && res == NULL &&
				   strstr(err.msg, want) != NULL,
			   "no history is checked at %s: %s", n, err.msg);
		} else {
			ok(rc == -RC_EINVAL && res == NULL,
			   "nor at a value that is no level: %s", err.msg);
		}
		rc_check_result_free(res);
	}
	rc_history_free(h);
}

int main(void)
{
	test_names();
	test_kinds();
	test_objects();
	test_histories();
	done_testing();
	return exit_status();
}
