/* SPDX-License-Identifier: MIT */
/* test_mem_tso.c: the TSO object in explore mode: store buffers, forwarding, drains and fences. */
#include <replicore/mem.h>

#include "tests/tap.h"
#include "tests/unit/mem_ops.h"

static rc_mem_t *mk(unsigned nlocs, unsigned n)
{
	rc_mem_t *m = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;

	if (rc_mem_create(&m, RC_TSO, nlocs, n, RC_MEM_EXPLORE, &err) < 0) {
		diag("rc_mem_create: %s", err.msg);
		exit(1);
	}
	return m;
}

enum { X = 0, Y = 1 };

static void test_buffer(void)
{
	rc_mem_t *m = mk(2, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);
	struct rc_mem_step st[4];

	rc_mem_store(a, X, 1, RC_RELEASE);
	is(rc_mem_load(b, X), 0,
	   "a buffered store is invisible to another replica");
	is(rc_mem_load(a, X), 1, "its own load forwards from it");
	is(rc_mem_steps(m, st, 4), 1, "one step enabled: drain");
	ok(st[0].kind == RC_MEM_STEP_DRAIN && st[0].replica == 0,
	   "the step drains replica 0");
	is(rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DRAIN, 1, 1 }),
	   -RC_EINVAL, "draining an empty buffer is refused");
	is(rc_mem_step(m, &st[0]), 0, "drain");
	is(rc_mem_load(b, X), 1, "visible once drained");
	is(rc_mem_steps(m, NULL, 0), 0, "nothing left to drain");
	rc_mem_destroy(m);
}

static void test_fifo(void)
{
	rc_mem_t *m = mk(2, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);
	struct rc_mem_step d = { RC_MEM_STEP_DRAIN, 0, 0 };

	rc_mem_store(a, X, 1, RC_RELEASE);
	rc_mem_store(a, Y, 1, RC_RELEASE);
	rc_mem_store(a, X, 2, RC_RELEASE);
	is(rc_mem_load(a, X), 2, "forwarding takes the newest");
	rc_mem_step(m, &d);
	ok(rc_mem_load(b, X) == 1 && rc_mem_load(b, Y) == 0,
	   "first drain: the oldest store (x=1) only");
	rc_mem_step(m, &d);
	ok(rc_mem_load(b, X) == 1 && rc_mem_load(b, Y) == 1,
	   "second drain: y=1");
	rc_mem_step(m, &d);
	is(rc_mem_load(b, X), 2, "third drain: x=2");
	rc_mem_destroy(m);
}

static void test_fences(void)
{
	rc_mem_t *m = mk(2, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);
	uint64_t exp = 0;

	rc_mem_store(a, X, 1, RC_RELEASE);
	rc_mem_fence(a, RC_ACQ_REL);
	is(rc_mem_steps(m, NULL, 0), 1,
	   "an acq_rel fence does not drain (as on x86)");
	rc_mem_fence(a, RC_SEQ_CST);
	is(rc_mem_steps(m, NULL, 0), 0, "a seq_cst fence drains");
	is(rc_mem_load(b, X), 1, "the store is visible after it");
	rc_mem_store(a, Y, 7, RC_SEQ_CST);
	is(rc_mem_load(b, Y), 7, "a seq_cst store drains");
	rc_mem_store(a, X, 5, RC_RELEASE);
	is(fetch_add(a, Y, 1), 7, "fetch_add returns the old value");
	is(rc_mem_load(b, X), 5, "an RMW drains the buffer first");
	rc_mem_store(b, Y, 100, RC_RELEASE);
	ok(!rc_mem_cas(a, Y, &exp, 1) && exp == 8,
	   "cas fails against the shared copy and reports 8");
	ok(rc_mem_cas(b, Y, &(uint64_t){ 100 }, 3),
	   "cas forwards nothing: it drains y=100 first, then succeeds");
	is(exchange(a, Y, 9), 3, "exchange");
	is(rc_mem_read_replica(m, 1, Y), 9, "read_replica sees memory");
	rc_mem_destroy(m);
}

/* x=1; r0=y || y=1; r1=x: both 0 by keeping both stores buffered. */
static void test_sb(void)
{
	rc_mem_t *m = mk(2, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);
	uint64_t r0, r1;

	rc_mem_store(a, X, 1, RC_RELEASE);
	rc_mem_store(b, Y, 1, RC_RELEASE);
	r0 = rc_mem_load(a, Y);
	r1 = rc_mem_load(b, X);
	ok(r0 == 0 && r1 == 0, "store buffering: r0=0, r1=0 happens");
	rc_mem_quiesce(m);
	ok(rc_mem_read_replica(m, 0, X) == 1 &&
		   rc_mem_read_replica(m, 1, Y) == 1 &&
		   rc_mem_steps(m, NULL, 0) == 0,
	   "quiesce drains everything");
	rc_mem_destroy(m);
}

static void test_full(void)
{
	rc_mem_t *m = mk(1, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);

	for (unsigned i = 1; i <= RC_MEM_TSO_DEPTH + 1; i++)
		rc_mem_store(a, X, i, RC_RELEASE);
	is(rc_mem_load(b, X), 1,
	   "a store into a full buffer drains the oldest");
	is(rc_mem_load(a, X), RC_MEM_TSO_DEPTH + 1,
	   "and the owner still reads its newest");
	rc_mem_progress(a);
	is(rc_mem_load(b, X), RC_MEM_TSO_DEPTH + 1,
	   "rc_mem_progress drains the rest");
	rc_mem_destroy(m);
}

int main(void)
{
	test_buffer();
	test_fifo();
	test_fences();
	test_sb();
	test_full();
	done_testing();
	return exit_status();
}
