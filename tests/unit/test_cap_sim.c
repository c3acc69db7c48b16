/* SPDX-License-Identifier: MIT */
/* test_cap_sim.c: the replicated register of replicore sim cap: the default run shows both sides of the CAP theorem, one seed gives one trace, no partition keeps the consistent mode available, options refused, and seeded runs with random faults in which each mode keeps its promise. */
#include <stdlib.h>
#include <string.h>

#include "protocols/cap/cap.h"
#include "tests/tap.h"

#ifndef CAP_DEFAULT_SIMS
#define CAP_DEFAULT_SIMS 200
#endif
/* The regression build runs other seeds than the unit tier's. */
#ifndef CAP_FIRST_SEED
#define CAP_FIRST_SEED 1
#endif

static void opts(struct _rc_cap_sim_opts *o, enum _rc_cap_mode mode,
		 unsigned nodes, uint64_t seed, const char *faults)
{
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(o, 0, sizeof *o);
	o->mode = mode;
	o->nodes = nodes;
	o->seed = seed;
	o->commands = 100;
	o->timeout = 200;
	o->check_timeout = 0;
	if (_rc_sim_faults_parse(faults, &o->faults, &err) < 0)
		diag("bad faults %s: %s", faults, err.msg);
}

/* The command's defaults: 5 nodes, seed 1, part=1, 100 writes. */
static void test_default(void)
{
	struct _rc_cap_sim_opts o;
	struct _rc_cap_sim_result c, a;
	rc_err_t err = RC_ERR_INITIALIZER;

	opts(&o, RC_CAP_CONSISTENT, 5, 1, "part=1");
	ok(_rc_cap_sim_run(&o, &c, &err) == 0, "consistent mode runs (%s)",
	   err.msg);
	o.mode = RC_CAP_AVAILABLE;
	ok(_rc_cap_sim_run(&o, &a, &err) == 0, "available mode runs (%s)",
	   err.msg);
	is(c.st.partitions, 1, "one partition");
	is(c.ops, 200, "200 operations in consistent mode");
	is(a.ops, 200, "and in available mode");
	ok(c.verdict == RC_VERDICT_OK && c.stale == 0 && c.ordered,
	   "consistent: linearizable, no stale read, the pairs in order");
	ok(c.answered < c.ops && c.answered + c.failed + c.indet == c.ops,
	   "consistent: %llu of %llu answered (%llu failed, %llu "
	   "indeterminate)",
	   (unsigned long long)c.answered, (unsigned long long)c.ops,
	   (unsigned long long)c.failed, (unsigned long long)c.indet);
	is(a.answered, a.ops, "available: every operation answered");
	ok(a.verdict == RC_VERDICT_VIOLATION, "available: not linearizable");
	ok(a.stale_split > 0 && a.stale >= a.stale_split,
	   "available: %llu stale reads, %llu across the split",
	   (unsigned long long)a.stale, (unsigned long long)a.stale_split);
	ok(strstr(a.witness, "a stale read: read -> ") != NULL &&
		   strstr(a.witness, "across the split") != NULL,
	   "the witness: %s", a.witness);
	ok(a.converged, "available: the replicas converged after the heal");
	ok(c.witness[0] == '\0', "no witness in consistent mode");
	ok(rc_history_len(c.history) == 200 && rc_history_len(a.history) == 200,
	   "both histories hold every operation");
	rc_history_free(c.history);
	rc_history_free(a.history);
}

static void test_determinism(void)
{
	struct _rc_cap_sim_opts o;
	struct _rc_cap_sim_result r1, r2;
	rc_err_t err = RC_ERR_INITIALIZER;
	char *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *t1 = open_memstream(&b1, &l1);
	FILE *t2 = open_memstream(&b2, &l2);

	opts(&o, RC_CAP_CONSISTENT, 4, 9,
	     "drop=0.1,dup=0.1,delay=0.3,stall=2,crash=1,part=2");
	o.commands = 40;
	o.trace = t1;
	_rc_cap_sim_run(&o, &r1, &err);
	o.trace = t2;
	_rc_cap_sim_run(&o, &r2, &err);
	fclose(t1);
	fclose(t2);
	ok(l1 > 1000 && l1 == l2 && memcmp(b1, b2, l1) == 0,
	   "one seed, one trace (%zu bytes)", l1);
	ok(strstr(b1, "split ") && strstr(b1, "query op") &&
		   strstr(b1, "store op"),
	   "the trace shows the split, queries and stores");
	ok(r1.verdict == RC_VERDICT_OK && r1.ops == r2.ops &&
		   r1.answered == r2.answered,
	   "linearizable, %llu of %llu answered both times",
	   (unsigned long long)r1.answered, (unsigned long long)r1.ops);
	rc_history_free(r1.history);
	rc_history_free(r2.history);
	free(b1);
	free(b2);
}

static void test_whole(void)
{
	struct _rc_cap_sim_opts o;
	struct _rc_cap_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;

	opts(&o, RC_CAP_CONSISTENT, 5, 1, "none");
	ok(_rc_cap_sim_run(&o, &r, &err) == 0 && r.answered == r.ops &&
		   r.verdict == RC_VERDICT_OK,
	   "no partition: consistent mode answers all %llu, linearizable",
	   (unsigned long long)r.ops);
	rc_history_free(r.history);
	o.mode = RC_CAP_AVAILABLE;
	ok(_rc_cap_sim_run(&o, &r, &err) == 0 && r.answered == r.ops &&
		   r.verdict == RC_VERDICT_OK && r.stale == 0,
	   "and available mode, the same register then, is linearizable "
	   "too");
	rc_history_free(r.history);
	/* a minority of crashes costs no availability either */
	opts(&o, RC_CAP_CONSISTENT, 5, 1, "crash=2");
	ok(_rc_cap_sim_run(&o, &r, &err) == 0 && r.verdict == RC_VERDICT_OK &&
		   r.failed + r.indet <= 2 * 5,
	   "two crashes of five: %llu of %llu answered",
	   (unsigned long long)r.answered, (unsigned long long)r.ops);
	rc_history_free(r.history);
}

static void test_refused(void)
{
	struct _rc_cap_sim_opts o;
	struct _rc_cap_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;

	opts(&o, RC_CAP_CONSISTENT, 3, 1, "restart=1");
	ok(_rc_cap_sim_run(&o, &r, &err) == -RC_EINVAL &&
		   !strcmp(err.where, "faults"),
	   "restart faults: %s", err.msg);
	opts(&o, RC_CAP_CONSISTENT, 3, 1, "crash=3");
	ok(_rc_cap_sim_run(&o, &r, &err) == -RC_EINVAL, "no node left: %s",
	   err.msg);
	opts(&o, RC_CAP_CONSISTENT, 3, 1, "none");
	o.timeout = 9;
	ok(_rc_cap_sim_run(&o, &r, &err) == -RC_EINVAL &&
		   !strcmp(err.where, "timeout"),
	   "a timeout of 9 us: %s", err.msg);
}

/*
 * Seed s: 1 to 7 nodes, 5 to 154 writes, a timeout of 20 to 519 us,
 * drop < 0.3, dup < 0.2, delay < 0.3, up to 4 stalls, up to 2 partitions
 * and one more in half the runs, and in half the runs 1 to nodes - 1
 * crashes for good.
 */
static void fuzz_opts(uint64_t s, struct _rc_cap_sim_opts *o)
{
	uint64_t x = s * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;

#define NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	memset(o, 0, sizeof *o);
	o->seed = s;
	o->nodes = 1 + (unsigned)(NEXT() % 7);
	o->commands = 5 + (unsigned)(NEXT() % 150);
	o->timeout = 20 + NEXT() % 500;
	o->check_timeout = 0; /* the states budget only: no timing */
	o->faults.drop = (double)(NEXT() % 300) / 1000;
	o->faults.dup = (double)(NEXT() % 200) / 1000;
	o->faults.delay = (double)(NEXT() % 300) / 1000;
	o->faults.stall = (unsigned)(NEXT() % 5);
	o->faults.part = (unsigned)(NEXT() % 3);
	o->faults.partition = 0.5;
	if (o->nodes > 1 && NEXT() % 2 == 0)
		o->faults.crash = 1 + (unsigned)(NEXT() % (o->nodes - 1));
#undef NEXT
}

static void test_fuzz(void)
{
	uint64_t n = tap_env_u64("RC_CAP_SIMS", CAP_DEFAULT_SIMS);
	uint64_t bad_c = 0, bad_a = 0, first = 0, ops = 0, answered = 0;
	uint64_t violations = 0, errors = 0, unknown = 0;

	for (uint64_t s = CAP_FIRST_SEED; s < CAP_FIRST_SEED + n; s++) {
		struct _rc_cap_sim_opts o;
		struct _rc_cap_sim_result c, a;
		rc_err_t err = RC_ERR_INITIALIZER;

		fuzz_opts(s, &o);
		if (_rc_cap_sim_run(&o, &c, &err) < 0) {
			errors++;
			continue;
		}
		o.mode = RC_CAP_AVAILABLE;
		if (_rc_cap_sim_run(&o, &a, &err) < 0) {
			rc_history_free(c.history);
			errors++;
			continue;
		}
		ops += c.ops;
		answered += c.answered;
		violations += a.verdict == RC_VERDICT_VIOLATION;
		unknown += c.verdict == RC_VERDICT_UNKNOWN;
		if ((c.verdict == RC_VERDICT_VIOLATION || !c.ordered ||
		     c.stale) &&
		    bad_c++ == 0 && bad_a == 0)
			first = s;
		if (a.answered != a.ops && bad_a++ == 0 && bad_c == 0)
			first = s;
		rc_history_free(c.history);
		rc_history_free(a.history);
	}
	is(errors, 0, "%llu seeded runs of both modes from seed %llu",
	   (unsigned long long)n, (unsigned long long)CAP_FIRST_SEED);
	diag("consistent mode answered %llu of %llu operations, the check "
	     "out of its budget in %llu runs; available mode not "
	     "linearizable in %llu runs",
	     (unsigned long long)answered, (unsigned long long)ops,
	     (unsigned long long)unknown, (unsigned long long)violations);
	is(bad_c, 0,
	   "consistent mode: the pairs order every history, no stale read, "
	   "no violation found");
	ok(unknown <= n / 20, "the checker decides all but %llu (at most 5%%)",
	   (unsigned long long)unknown);
	is(bad_a, 0, "available mode: every operation answered");
	if (bad_c || bad_a)
		diag("first failing seed %llu (replay: fuzz_opts(seed))",
		     (unsigned long long)first);
	ok(answered < ops && violations >= n / 5,
	   "the faults cost the consistent mode answers and the available "
	   "mode linearizability");
}

int main(void)
{
#ifdef CAP_FUZZ_ONLY
	const bool fuzz_only = true;
#else
	const bool fuzz_only = false;
#endif
	if (fuzz_only && !tap_regtest()) {
		skip_all("the regression tier runs under make regtest");
		return 0;
	}
	if (!fuzz_only) {
		test_default();
		test_determinism();
		test_whole();
		test_refused();
	}
	test_fuzz();
	done_testing();
	return exit_status();
}
