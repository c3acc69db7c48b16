/* SPDX-License-Identifier: MIT */
/* test_mem_causal.c: the causal object in explore mode: causal delivery, convergence, RMWs. */
#include <replicore/mem.h>

#include "tests/tap.h"
#include "tests/unit/mem_ops.h"

static rc_mem_t *mk(unsigned nlocs, unsigned n)
{
	rc_mem_t *m = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;

	if (rc_mem_create(&m, RC_CAUSAL, nlocs, n, RC_MEM_EXPLORE, &err) < 0) {
		diag("rc_mem_create: %s", err.msg);
		exit(1);
	}
	return m;
}

static struct rc_mem_step deliver(unsigned to, unsigned from)
{
	return (struct rc_mem_step){ RC_MEM_STEP_DELIVER, to, from };
}

static bool has_step(const rc_mem_t *m, struct rc_mem_step s)
{
	struct rc_mem_step st[64];
	unsigned n = rc_mem_steps(m, st, 64);

	for (unsigned i = 0; i < n && i < 64; i++)
		if (st[i].kind == s.kind && st[i].replica == s.replica &&
		    st[i].from == s.from)
			return true;
	return false;
}

enum { X = 0, Y = 1, Z = 2 };

/* MP through a third replica: r1 writes y after reading r0's x. */
static void test_delivery(void)
{
	rc_mem_t *m = mk(3, 3);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1),
			 *c = rc_mem_replica(m, 2);

	rc_mem_store(a, X, 1, RC_RELEASE);
	is(rc_mem_load(a, X), 1, "own write visible at once");
	is(rc_mem_load(b, X), 0, "not elsewhere before delivery");
	is(rc_mem_steps(m, NULL, 0), 2, "two deliveries enabled");
	ok(has_step(m, deliver(1, 0)) && has_step(m, deliver(2, 0)),
	   "x=1 to replicas 1 and 2");
	is(rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 0, 1 }),
	   -RC_EINVAL, "nothing from replica 1 to deliver");
	rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 1, 0 });
	is(rc_mem_load(b, X), 1, "replica 1 sees x=1");
	rc_mem_store(b, Y, 1, RC_RELEASE);
	ok(!has_step(m, deliver(2, 1)),
	   "y=1 is not deliverable at 2: it depends on x=1");
	is(rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 1 }),
	   -RC_EINVAL, "and rc_mem_step refuses it");
	rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 0 });
	ok(has_step(m, deliver(2, 1)), "once x=1 is applied, it is");
	rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 1 });
	ok(rc_mem_load(c, Y) == 1 && rc_mem_load(c, X) == 1,
	   "replica 2 sees the flag and the data");
	rc_mem_destroy(m);
}

/* The same sender's writes apply in order, even to other locations. */
static void test_fifo(void)
{
	rc_mem_t *m = mk(3, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);

	rc_mem_store(a, X, 1, RC_RELEASE);
	rc_mem_store(a, Y, 1, RC_RELEASE);
	is(rc_mem_steps(m, NULL, 0), 1, "one delivery enabled: the oldest");
	rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 1, 0 });
	ok(rc_mem_load(b, X) == 1 && rc_mem_load(b, Y) == 0,
	   "x=1 first, y still 0");
	rc_mem_destroy(m);
}

static void test_converge(void)
{
	rc_mem_t *m = mk(3, 3), *m2 = NULL;
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);

	rc_mem_store(a, X, 1, RC_RELEASE);
	rc_mem_store(b, X, 2, RC_RELEASE);
	ok(rc_mem_load(a, X) == 1 && rc_mem_load(b, X) == 2,
	   "concurrent writes: each replica sees its own");
	is(rc_mem_clone(&m2, m, NULL), 0, "clone");
	/* Replica 2 gets them in both orders, in m and in m2. */
	rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 0 });
	rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 1 });
	rc_mem_step(m2, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 1 });
	rc_mem_step(m2, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 0 });
	ok(rc_mem_read_replica(m, 2, X) == 2 &&
		   rc_mem_read_replica(m2, 2, X) == 2,
	   "b's write, issued after a's, wins in either delivery order");
	rc_mem_quiesce(m);
	rc_mem_quiesce(m2);
	for (unsigned i = 0; i < 3; i++)
		ok(rc_mem_read_replica(m, i, X) == 2 &&
			   rc_mem_read_replica(m2, i, X) == 2,
		   "replica %u converges to 2", i);
	ok(rc_mem_state_equal(m, m2) &&
		   rc_mem_state_hash(m) == rc_mem_state_hash(m2),
	   "both delivery orders end in the same state");
	rc_mem_destroy(m2);

	/*
	 * The writes to a location are stamped in the order they are
	 * issued: b's x=4 comes after a's x=3 although a's clock is ahead
	 * (its z write) and b has not seen x=3.
	 */
	rc_mem_store(a, Z, 1, RC_RELEASE);
	rc_mem_store(a, X, 3, RC_RELEASE);
	rc_mem_store(b, X, 4, RC_RELEASE);
	rc_mem_quiesce(m);
	for (unsigned i = 0; i < 3; i++)
		is(rc_mem_read_replica(m, i, X), 4,
		   "replica %u: the write issued last (4) wins", i);
	rc_mem_destroy(m);
}

static void test_rmw(void)
{
	rc_mem_t *m = mk(2, 3);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1),
			 *c = rc_mem_replica(m, 2);
	uint64_t exp = 0;

	is(fetch_add(a, X, 1), 0, "fetch_add at 0");
	is(fetch_add(b, X, 1), 1,
	   "without any delivery step, a second fetch_add sees the first");
	is(fetch_add(c, X, 1), 2, "and a third");
	ok(!rc_mem_cas(a, X, &exp, 7) && exp == 1,
	   "a cas its own copy refutes fails there, with the copy's 1");
	ok(!rc_mem_cas(a, X, &exp, 7) && exp == 3,
	   "a cas its copy allows reads the last write and fails with 3");
	ok(rc_mem_cas(a, X, &exp, 7), "cas 3 -> 7");
	is(exchange(c, X, 9), 7, "exchange");
	rc_mem_quiesce(m);
	for (unsigned i = 0; i < 3; i++)
		is(rc_mem_read_replica(m, i, X), 9, "replica %u holds 9", i);
	rc_mem_destroy(m);

	/*
	 * Atomicity against plain stores: b's store, issued after a's
	 * fetch_add without b seeing it, is ordered after the RMW, and the
	 * next RMW reads it; no store lands between an RMW's read and write.
	 */
	m = mk(2, 3);
	a = rc_mem_replica(m, 0);
	b = rc_mem_replica(m, 1);
	c = rc_mem_replica(m, 2);
	is(fetch_add(a, X, 1), 0, "fetch_add at 0");
	rc_mem_store(b, X, 5, RC_RELEASE);
	is(rc_mem_load(b, X), 5, "b reads its own store");
	is(fetch_add(c, X, 1), 5,
	   "the next fetch_add reads the store issued last");
	rc_mem_quiesce(m);
	for (unsigned i = 0; i < 3; i++)
		is(rc_mem_read_replica(m, i, X), 6, "replica %u holds 6", i);
	rc_mem_destroy(m);
}

/*
 * Store buffering, each store followed by a fence and both fences before
 * both loads, with no step taken: acq_rel fences leave r0=0, r1=0; with
 * seq_cst fences the later fence (b's) applies what the earlier one's
 * replica held, a's store, and that fence alone steps.
 */
static void test_sb(void)
{
	for (int sc = 0; sc < 2; sc++) {
		rc_mem_t *m = mk(2, 2);
		rc_mem_replica_t *a = rc_mem_replica(m, 0),
				 *b = rc_mem_replica(m, 1);
		rc_order_t o = sc ? RC_SEQ_CST : RC_ACQ_REL;
		uint64_t r0, r1;

		rc_mem_store(a, X, 1, RC_RELEASE);
		rc_mem_fence(a, o);
		rc_mem_store(b, Y, 1, RC_RELEASE);
		rc_mem_fence(b, o);
		ok(has_step(m, deliver(0, 1)) &&
			   has_step(m, deliver(1, 0)) == !sc,
		   "SB, %s fences: b's fence %s a's store",
		   sc ? "seq_cst" : "acq_rel", sc ? "applied" : "left alone");
		r0 = rc_mem_load(a, Y);
		r1 = rc_mem_load(b, X);
		if (sc)
			ok(r0 == 0 && r1 == 1,
			   "SB, seq_cst fences: r0=0, r1=1 (the fences' "
			   "order)");
		else
			ok(r0 == 0 && r1 == 0,
			   "SB, acq_rel fences: r0=0, r1=0 still happens");
		rc_mem_destroy(m);
	}
}

/*
 * A sender's log is kept in segments (16 entries in explore mode), freed
 * once every other replica has applied them. Replicas at different
 * places of a log three segments long: the steps, a clone, its
 * independence, and convergence.
 */
static void test_long_log(void)
{
	rc_mem_t *m = mk(2, 3), *c = NULL;
	rc_mem_replica_t *a = rc_mem_replica(m, 0);
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_mem_step to1 = deliver(1, 0), to2 = deliver(2, 0);
	bool stepped = true;

	for (uint64_t i = 1; i <= 40; i++)
		rc_mem_store(a, X, i, RC_RELEASE);
	for (unsigned i = 0; i < 20; i++)
		stepped = stepped && rc_mem_step(m, &to1) == 0;
	for (unsigned i = 0; i < 5; i++)
		stepped = stepped && rc_mem_step(m, &to2) == 0;
	ok(stepped, "25 deliveries across a segment boundary");
	is(rc_mem_load(rc_mem_replica(m, 1), X), 20,
	   "replica 1 is at the 20th write");
	is(rc_mem_load(rc_mem_replica(m, 2), X), 5, "replica 2 is at the 5th");
	rc_mem_store(rc_mem_replica(m, 1), Y, 1, RC_RELEASE);
	ok(!has_step(m, deliver(2, 1)),
	   "replica 1's write waits at 2 for the 20 writes it read");
	is(rc_mem_clone(&c, m, &err), 0, "clone");
	ok(rc_mem_state_equal(m, c) &&
		   rc_mem_state_hash(m) == rc_mem_state_hash(c),
	   "the clone is equal and hashes the same");
	rc_mem_progress(rc_mem_replica(c, 2));
	is(rc_mem_read_replica(c, 2, X), 40,
	   "in the clone replica 2 takes in the rest of the log");
	is(rc_mem_read_replica(c, 2, Y), 1, "and then replica 1's write");
	is(rc_mem_read_replica(m, 2, X), 5, "the original is unchanged");
	ok(!rc_mem_state_equal(m, c), "and no longer equal");
	rc_mem_progress(rc_mem_replica(m, 2));
	ok(rc_mem_state_equal(m, c),
	   "the same deliveries make the original equal again");
	rc_mem_quiesce(m);
	rc_mem_quiesce(c);
	for (unsigned r = 0; r < 3; r++)
		ok(rc_mem_read_replica(m, r, X) == 40 &&
			   rc_mem_read_replica(c, r, X) == 40 &&
			   rc_mem_read_replica(m, r, Y) == 1,
		   "replica %u converges in both", r);
	is(rc_mem_nsteps(m), 0, "nothing left to deliver");
	rc_mem_destroy(c);
	rc_mem_destroy(m);
}

/*
 * Threaded mode, driven by one thread: readers at different places of a
 * log of several segments (about 800 entries each with three replicas);
 * destroying the object with the log half read frees it (the sanitizer
 * builds check that nothing leaks or is freed twice).
 */
static void test_threaded_log(void)
{
	rc_mem_t *m = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_mem_replica_t *a, *b, *d;
	bool seen = true;

	if (rc_mem_create(&m, RC_CAUSAL, 2, 3, 0, &err) < 0) {
		diag("rc_mem_create: %s", err.msg);
		exit(1);
	}
	a = rc_mem_replica(m, 0);
	b = rc_mem_replica(m, 1);
	d = rc_mem_replica(m, 2);
	for (uint64_t i = 1; i <= 5000; i++) {
		rc_mem_store(a, X, i, RC_RELEASE);
		if (i % 1000 == 0) {
			rc_mem_progress(b);
			seen = seen && rc_mem_read_replica(m, 1, X) == i;
		}
		if (i == 2500) {
			rc_mem_progress(d);
			seen = seen && rc_mem_read_replica(m, 2, X) == i;
		}
	}
	ok(seen, "threaded: rc_mem_progress takes in the whole log each time");
	rc_mem_store(b, Y, 7, RC_RELEASE);
	(void)fetch_add(d, Y, 1);
	is(rc_mem_read_replica(m, 2, X), 5000,
	   "threaded: an RMW takes in what is published first");
	is(rc_mem_read_replica(m, 2, Y), 8,
	   "threaded: and adds to the last write issued");
	rc_mem_destroy(m);
}

int main(void)
{
	test_delivery();
	test_fifo();
	test_converge();
	test_rmw();
	test_sb();
	test_long_log();
	test_threaded_log();
	done_testing();
	return exit_status();
}
