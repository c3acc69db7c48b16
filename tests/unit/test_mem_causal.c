/* SPDX-License-Identifier: MIT */
/* test_mem_causal.c: the causal object in explore mode: causal delivery, convergence, RMWs. */
#include <replicore/mem.h>

#include "tests/tap.h"

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
	is(rc_mem_load(a, X, RC_ACQUIRE), 1, "own write visible at once");
	is(rc_mem_load(b, X, RC_ACQUIRE), 0, "not elsewhere before delivery");
	is(rc_mem_steps(m, NULL, 0), 2, "two deliveries enabled");
	ok(has_step(m, deliver(1, 0)) && has_step(m, deliver(2, 0)),
	   "x=1 to replicas 1 and 2");
	is(rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 0, 1 }),
	   -RC_EINVAL, "nothing from replica 1 to deliver");
	rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 1, 0 });
	is(rc_mem_load(b, X, RC_ACQUIRE), 1, "replica 1 sees x=1");
	rc_mem_store(b, Y, 1, RC_RELEASE);
	ok(!has_step(m, deliver(2, 1)),
	   "y=1 is not deliverable at 2: it depends on x=1");
	is(rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 1 }),
	   -RC_EINVAL, "and rc_mem_step refuses it");
	rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 0 });
	ok(has_step(m, deliver(2, 1)), "once x=1 is applied, it is");
	rc_mem_step(m, &(struct rc_mem_step){ RC_MEM_STEP_DELIVER, 2, 1 });
	ok(rc_mem_load(c, Y, RC_ACQUIRE) == 1 &&
		   rc_mem_load(c, X, RC_ACQUIRE) == 1,
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
	ok(rc_mem_load(b, X, RC_ACQUIRE) == 1 &&
		   rc_mem_load(b, Y, RC_ACQUIRE) == 0,
	   "x=1 first, y still 0");
	rc_mem_destroy(m);
}

static void test_converge(void)
{
	rc_mem_t *m = mk(3, 3), *m2 = NULL;
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);

	rc_mem_store(a, X, 1, RC_RELEASE);
	rc_mem_store(b, X, 2, RC_RELEASE);
	ok(rc_mem_load(a, X, RC_ACQUIRE) == 1 &&
		   rc_mem_load(b, X, RC_ACQUIRE) == 2,
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

	is(rc_mem_fetch_add(a, X, 1, RC_ACQ_REL), 0, "fetch_add at 0");
	is(rc_mem_fetch_add(b, X, 1, RC_ACQ_REL), 1,
	   "without any delivery step, a second fetch_add sees the first");
	is(rc_mem_fetch_add(c, X, 1, RC_ACQ_REL), 2, "and a third");
	ok(!rc_mem_cas(a, X, &exp, 7, RC_ACQ_REL) && exp == 1,
	   "a cas its own copy refutes fails there, with the copy's 1");
	ok(!rc_mem_cas(a, X, &exp, 7, RC_ACQ_REL) && exp == 3,
	   "a cas its copy allows reads the last write and fails with 3");
	ok(rc_mem_cas(a, X, &exp, 7, RC_ACQ_REL), "cas 3 -> 7");
	is(rc_mem_exchange(c, X, 9, RC_ACQ_REL), 7, "exchange");
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
	is(rc_mem_fetch_add(a, X, 1, RC_ACQ_REL), 0, "fetch_add at 0");
	rc_mem_store(b, X, 5, RC_RELEASE);
	is(rc_mem_load(b, X, RC_ACQUIRE), 5, "b reads its own store");
	is(rc_mem_fetch_add(c, X, 1, RC_ACQ_REL), 5,
	   "the next fetch_add reads the store issued last");
	rc_mem_quiesce(m);
	for (unsigned i = 0; i < 3; i++)
		is(rc_mem_read_replica(m, i, X), 6, "replica %u holds 6", i);
	rc_mem_destroy(m);
}

static void test_sb(void)
{
	rc_mem_t *m = mk(2, 2);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);
	uint64_t r0, r1;

	rc_mem_store(a, X, 1, RC_RELEASE);
	rc_mem_fence(a, RC_SEQ_CST);
	rc_mem_store(b, Y, 1, RC_RELEASE);
	rc_mem_fence(b, RC_SEQ_CST);
	r0 = rc_mem_load(a, Y, RC_ACQUIRE);
	r1 = rc_mem_load(b, X, RC_ACQUIRE);
	ok(r0 == 0 && r1 == 0,
	   "store buffering with fences: r0=0, r1=0 still happens");
	rc_mem_destroy(m);
}

int main(void)
{
	test_delivery();
	test_fifo();
	test_converge();
	test_rmw();
	test_sb();
	done_testing();
	return exit_status();
}
