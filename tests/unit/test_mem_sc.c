/* SPDX-License-Identifier: MIT */
/* test_mem_sc.c: the sequential object in explore mode: the shared log, stale but ordered reads, RMWs. */
#include <replicore/mem.h>

#include "tests/tap.h"
#include "tests/unit/mem_ops.h"

static rc_mem_t *mk(unsigned nlocs, unsigned n)
{
	rc_mem_t *m = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;

	if (rc_mem_create(&m, RC_SC, nlocs, n, RC_MEM_EXPLORE, &err) < 0) {
		diag("rc_mem_create: %s", err.msg);
		exit(1);
	}
	return m;
}

enum { X = 0, Y = 1, Z = 2 };

static void test_own_and_stale(void)
{
	rc_mem_t *m = mk(3, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);
	struct rc_mem_step st[4];

	rc_mem_store(a, X, 1, RC_RELEASE);
	is(rc_mem_read_replica(m, 0, X), 0, "a store only appends to the log");
	is(rc_mem_load(a, X), 1, "a load applies up to its own write first");
	is(rc_mem_load(b, X), 0, "another replica may read stale");
	is(rc_mem_steps(m, st, 4), 1, "one step: replica 1 applies");
	ok(st[0].kind == RC_MEM_STEP_APPLY && st[0].replica == 1,
	   "the step is an apply at replica 1");
	is(rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_APPLY, 0, 0 }),
	   -RC_EINVAL, "replica 0 has nothing to apply");
	rc_mem_step(m, &st[0]);
	is(rc_mem_load(b, X), 1, "and then reads the write");
	rc_mem_destroy(m);
}

static void test_order(void)
{
	rc_mem_t *m = mk(3, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);
	struct rc_mem_step ap = { RC_MEM_STEP_APPLY, 1, 1 };

	rc_mem_store(a, X, 1, RC_RELEASE);
	rc_mem_store(a, Y, 1, RC_RELEASE);
	rc_mem_step(m, &ap);
	ok(rc_mem_load(b, X) == 1 && rc_mem_load(b, Y) == 0,
	   "after one apply: x=1, y=0 (a prefix)");
	rc_mem_store(b, Z, 1, RC_RELEASE);
	is(rc_mem_load(b, Y), 1,
	   "an own write behind y=1 in the log makes y=1 visible");
	rc_mem_store(a, X, 2, RC_RELEASE);
	is(rc_mem_load(b, Z), 1, "own write read back");
	is(rc_mem_load(b, X), 1,
	   "x=2 is after b's write in the log: still stale");
	rc_mem_fence(b, RC_SEQ_CST);
	is(rc_mem_load(b, X), 2, "a fence catches up to the tail");
	rc_mem_destroy(m);
}

static void test_rmw(void)
{
	rc_mem_t *m = mk(3, 3);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1),
			 *c = rc_mem_replica(m, 2);
	uint64_t exp = 2;

	is(fetch_add(a, X, 1), 0, "fetch_add at 0");
	is(fetch_add(b, X, 1), 1,
	   "a second fetch_add sees the first: no update lost");
	ok(rc_mem_cas(c, X, &exp, 10), "cas 2 -> 10");
	exp = 2;
	ok(!rc_mem_cas(a, X, &exp, 11) && exp == 10,
	   "a stale cas fails and reports 10");
	is(exchange(b, X, 20), 10, "exchange");
	rc_mem_quiesce(m);
	for (unsigned i = 0; i < 3; i++)
		is(rc_mem_read_replica(m, i, X), 20,
		   "replica %u holds 20 after quiesce", i);
	rc_mem_destroy(m);
}

/* More entries than a segment holds: segments are freed once applied. */
static void test_long_log(void)
{
	rc_mem_t *m = mk(1, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);
	bool mono = true;
	uint64_t last = 0;

	for (uint64_t i = 1; i <= 1000; i++) {
		rc_mem_store(a, X, i, RC_RELEASE);
		if (i % 3 == 0) {
			uint64_t v;

			rc_mem_progress(b);
			v = rc_mem_load(b, X);
			mono = mono && v >= last && v == i;
			last = v;
		}
	}
	ok(mono, "a reader applying as it goes reads in order");
	rc_mem_quiesce(m);
	ok(rc_mem_read_replica(m, 0, X) == 1000 &&
		   rc_mem_read_replica(m, 1, X) == 1000,
	   "1000 writes applied everywhere");
	rc_mem_destroy(m);
}

int main(void)
{
	test_own_and_stale();
	test_order();
	test_rmw();
	test_long_log();
	done_testing();
	return exit_status();
}
