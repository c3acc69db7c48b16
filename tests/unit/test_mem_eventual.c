/* SPDX-License-Identifier: MIT */
/* test_mem_eventual.c: the eventual object: local operations, anti-entropy steps, last writer wins, multi-value registers, local RMWs, convergence, threads. */
#include <pthread.h>
#include <stdatomic.h>

#include <replicore/check.h>
#include <replicore/history.h>
#include <replicore/mem.h>

#include "tests/tap.h"

static rc_mem_t *mk(unsigned nlocs, unsigned n, unsigned flags)
{
	rc_mem_t *m = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;

	if (rc_mem_create(&m, RC_EVENTUAL, nlocs, n, flags, &err) < 0) {
		diag("rc_mem_create: %s", err.msg);
		exit(1);
	}
	return m;
}

static int deliver(rc_mem_t *m, unsigned to, unsigned from)
{
	struct rc_mem_step s = { RC_MEM_STEP_DELIVER, to, from };

	return rc_mem_step(m, &s);
}

enum { X = 0, Y = 1 };

/* Operations are local; only steps move writes; no causal order. */
static void test_local(void)
{
	rc_mem_t *m = mk(2, 3, RC_MEM_EXPLORE);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1),
			 *c = rc_mem_replica(m, 2);

	ok(rc_mem_store(a, X, 1, RC_SEQ_CST) == 0, "a store");
	is(rc_mem_load(a, X), 1, "own write visible at once");
	is(rc_mem_load(b, X), 0, "not elsewhere before an anti-entropy step");
	rc_mem_fence(b, RC_SEQ_CST);
	is(rc_mem_load(b, X), 0, "a fence takes nothing in (explore mode)");
	is(rc_mem_nsteps(m), 4,
	   "two deliveries and two clock steps (to b and c) enabled");
	is(deliver(m, 0, 1), -RC_EINVAL, "nothing from replica 1 yet");
	ok(deliver(m, 1, 0) == 0, "x=1 reaches replica 1");
	rc_mem_store(b, Y, 1, RC_RELEASE);
	ok(deliver(m, 2, 1) == 0,
	   "y=1 is deliverable at 2 before x=1, which it depends on");
	ok(rc_mem_load(c, Y) == 1 && rc_mem_load(c, X) == 0,
	   "replica 2 sees y=1 and x=0: no causality");
	rc_mem_quiesce(m);
	ok(rc_mem_read_replica(m, 2, X) == 1 && rc_mem_nsteps(m) == 0,
	   "quiesce delivers everything");
	rc_mem_destroy(m);
}

/* Concurrent writes: the larger (Lamport time, replica) wins everywhere. */
static void test_lww(void)
{
	rc_mem_t *m = mk(1, 3, RC_MEM_EXPLORE);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1),
			 *c = rc_mem_replica(m, 2);
	uint64_t v[4];

	rc_mem_store(a, X, 10, RC_RELEASE); /* (1, 0) */
	rc_mem_store(b, X, 20, RC_RELEASE); /* (1, 1): wins */
	deliver(m, 2, 1);
	is(rc_mem_load(c, X), 20, "replica 2 takes (1,1)");
	deliver(m, 2, 0);
	is(rc_mem_load(c, X), 20, "and keeps it when (1,0) arrives: CoRR");
	deliver(m, 0, 1);
	is(rc_mem_load(a, X), 20, "replica 0's own write loses to (1,1)");
	rc_mem_store(a, X, 30, RC_RELEASE); /* (2, 0): after 20 */
	rc_mem_quiesce(m);
	for (unsigned i = 0; i < 3; i++)
		is(rc_mem_read_replica(m, i, X), 30,
		   "replica %u converged to the last write", i);
	is(rc_mem_siblings(a, X, v, 4), -RC_EINVAL,
	   "a last-writer-wins object keeps no siblings");
	rc_mem_destroy(m);
}

/*
 * Clock gossip: a replica that took in another's time, but not its
 * write, stamps its next write above it, so that write wins (R's weak
 * state); without the step the other's write wins.
 */
static void test_clock(void)
{
	for (int gossip = 0; gossip < 2; gossip++) {
		rc_mem_t *m = mk(2, 2, RC_MEM_EXPLORE);
		rc_mem_replica_t *a = rc_mem_replica(m, 0),
				 *b = rc_mem_replica(m, 1);
		struct rc_mem_step st = { RC_MEM_STEP_CLOCK, 1, 0 };

		rc_mem_store(a, X, 1, RC_RELEASE); /* (1, 0) */
		rc_mem_store(a, Y, 1, RC_RELEASE); /* (2, 0) */
		if (gossip)
			ok(rc_mem_step(m, &st) == 0,
			   "replica 1's clock takes in replica 0's time 2");
		rc_mem_store(b, Y, 2, RC_RELEASE); /* (1, 1) or (3, 1) */
		is(rc_mem_load(b, X), 0, "%s: x=1 has not reached replica 1",
		   gossip ? "gossip" : "none");
		rc_mem_quiesce(m);
		is(rc_mem_read_replica(m, 0, Y), gossip ? 2 : 1,
		   "%s: y converges to %d", gossip ? "gossip" : "none",
		   gossip ? 2 : 1);
		if (gossip)
			is(rc_mem_step(m, &st), -RC_EINVAL,
			   "the step is not enabled once the clock is ahead");
		rc_mem_destroy(m);
	}
}

/* Local RMWs: atomic at their replica, not across replicas. */
static void test_rmw(void)
{
	rc_mem_t *m = mk(1, 2, RC_MEM_EXPLORE);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1);
	uint64_t old = 7, exp = 0;

	ok(rc_mem_fetch_add(a, X, 1, &old) == 0 && old == 0, "a: 0 -> 1");
	ok(rc_mem_fetch_add(b, X, 1, &old) == 0 && old == 0,
	   "b reads 0 too: the RMW is local");
	is(rc_mem_nsteps(m), 2, "each RMW's write is in its log");
	rc_mem_quiesce(m);
	is(rc_mem_read_replica(m, 0, X), 1, "one increment is lost");
	ok(rc_mem_fetch_add(a, X, 1, &old) == 0 && old == 1, "then 1 -> 2");
	is(rc_mem_cas(b, X, &exp, 5), 0, "a CAS on b's stale copy fails");
	is(exp, 1, "reading b's copy");
	rc_mem_destroy(m);
}

static unsigned sibs(rc_mem_replica_t *r, uint64_t *v)
{
	int n = rc_mem_siblings(r, X, v, 4);

	return n < 0 ? 99 : (unsigned)n;
}

/* Multi-value registers keep concurrent writes until one overwrites. */
static void test_mvr(void)
{
	rc_mem_t *m = mk(1, 3, RC_MEM_EXPLORE | RC_MEM_MVR);
	rc_mem_replica_t *a = rc_mem_replica(m, 0), *b = rc_mem_replica(m, 1),
			 *c = rc_mem_replica(m, 2);
	uint64_t v[4] = { 0 };

	is(sibs(a, v), 0, "no write yet: no sibling");
	rc_mem_store(a, X, 10, RC_RELEASE);
	rc_mem_store(b, X, 20, RC_RELEASE);
	deliver(m, 2, 0);
	deliver(m, 2, 1);
	ok(sibs(c, v) == 2 && v[0] == 20 && v[1] == 10,
	   "concurrent writes are siblings, largest stamp first");
	is(rc_mem_load(c, X), 20, "a load returns the last writer's value");
	rc_mem_store(c, X, 30, RC_RELEASE);
	ok(sibs(c, v) == 1 && v[0] == 30, "a write overwrites both");
	deliver(m, 0, 2); /* 30 before 20 at replica 0 */
	ok(sibs(a, v) == 1 && v[0] == 30, "30 overwrites 10 at replica 0");
	deliver(m, 0, 1);
	ok(sibs(a, v) == 1 && v[0] == 30,
	   "and 20, arriving after what overwrote it, is dropped");
	deliver(m, 1, 2);
	deliver(m, 1, 0);
	ok(sibs(b, v) == 1 && v[0] == 30, "replica 1 agrees");
	rc_mem_store(a, X, 40, RC_RELEASE);
	rc_mem_store(b, X, 50, RC_RELEASE);
	rc_mem_quiesce(m);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t w[4] = { 0 };

		ok(sibs(rc_mem_replica(m, i), w) == 2 && w[0] == 50 &&
			   w[1] == 40,
		   "replica %u converged to the siblings {50, 40}", i);
	}
	rc_mem_destroy(m);
}

/* State hash, equality and clone cover the siblings and the clocks. */
static void test_state(void)
{
	rc_mem_t *m = mk(1, 2, RC_MEM_EXPLORE | RC_MEM_MVR), *k = NULL,
		 *p = mk(1, 2, RC_MEM_EXPLORE | RC_MEM_MVR);
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t v[4];

	rc_mem_store(rc_mem_replica(m, 0), X, 1, RC_RELEASE);
	rc_mem_store(rc_mem_replica(m, 1), X, 2, RC_RELEASE);
	deliver(m, 1, 0);
	ok(rc_mem_clone(&k, m, &err) == 0 && rc_mem_state_equal(m, k) &&
		   rc_mem_state_hash(m) == rc_mem_state_hash(k),
	   "a clone is in the same state");
	ok(sibs(rc_mem_replica(k, 1), v) == 2, "with the siblings");
	rc_mem_store(rc_mem_replica(p, 1), X, 2, RC_RELEASE);
	rc_mem_store(rc_mem_replica(p, 0), X, 1, RC_RELEASE);
	deliver(p, 1, 0);
	ok(rc_mem_state_equal(m, p),
	   "the same writes issued in another order: the same state");
	deliver(k, 0, 1);
	ok(!rc_mem_state_equal(m, k), "a step changes the state");
	rc_mem_destroy(k);
	rc_mem_destroy(p);
	rc_mem_destroy(m);
}

static void test_create(void)
{
	rc_mem_t *m = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;

	is(rc_mem_create(&m, RC_CAUSAL, 1, 2, RC_MEM_MVR, &err), -RC_EINVAL,
	   "multi-value registers at causal are refused: %s", err.msg);
	ok(rc_mem_create(&m, RC_EVENTUAL, 1, 1, RC_MEM_MVR, &err) == 0,
	   "an eventual object of one replica");
	ok(rc_mem_store(rc_mem_replica(m, 0), X, 3, RC_RELEASE) == 0 &&
		   rc_mem_load(rc_mem_replica(m, 0), X) == 3,
	   "reads its writes");
	rc_mem_destroy(m);
}

/* Threads: every write reaches every replica; copies converge. */
struct worker {
	rc_mem_t *m;
	unsigned id, ops;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	rc_mem_replica_t *r = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;

	if (rc_mem_bind(w->m, w->id, NULL, 0, 0, &r, &err) < 0)
		return NULL;
	for (unsigned i = 1; i <= w->ops; i++) {
		(void)rc_mem_load(r, X);
		rc_mem_store(r, (i & 1) ? X : Y, (uint64_t)i * 4 + w->id,
			     RC_RELEASE);
	}
	rc_mem_progress(r);
	rc_mem_unbind(r);
	return NULL;
}

static void test_threads(unsigned flags)
{
	enum { N = 2 };
	unsigned ops = (unsigned)tap_env_u64("RC_TEST_OPS", 20000);
	rc_mem_t *m = mk(2, N, flags);
	struct worker w[N];
	pthread_t t[N];
	uint64_t v[4];
	bool same = true;

	for (unsigned i = 0; i < N; i++) {
		w[i] = (struct worker){ m, i, ops };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (unsigned i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	rc_mem_quiesce(m);
	for (unsigned i = 1; i < N; i++)
		for (unsigned l = 0; l < 2; l++)
			same &= rc_mem_read_replica(m, i, l) ==
				rc_mem_read_replica(m, 0, l);
	ok(same, "%s: threaded replicas converge after quiesce",
	   flags ? "mvr" : "lww");
	if (flags & RC_MEM_MVR) {
		int n = rc_mem_siblings(rc_mem_replica(m, 0), X, v, 4);

		ok(n >= 1 && n <= N && v[0] == rc_mem_read_replica(m, 0, X),
		   "mvr: 1..%d siblings, the first the value read (%d)", N, n);
	}
	rc_mem_destroy(m);
}

/*
 * One thread per replica, its history (with a final read of every
 * location at every replica once quiesced) checked at the level
 * rc_level_checked_at gives (eventual: the final reads agree), and at
 * the four session guarantees too: the stamp order is one order of the
 * writes that every thread's reads and writes follow.
 */
struct hthread {
	rc_mem_t *m;
	unsigned id, ops;
	_Atomic int64_t *clock;
	struct rc_hop *h;
};

static void *hwork(void *arg)
{
	struct hthread *w = arg;
	rc_mem_replica_t *r = NULL;
	uint64_t rnd = 0xe7e + w->id;

	if (rc_mem_bind(w->m, w->id, NULL, 0, 0, &r, NULL) < 0)
		return NULL;
	for (unsigned i = 0; i < w->ops; i++) {
		struct rc_hop *o = &w->h[i];
		unsigned loc = (unsigned)(tap_rand(&rnd) % 3);
		bool write = tap_rand(&rnd) % 2 == 0;
		uint64_t v = (uint64_t)(w->id + 1) << 32 | (i + 1);

		o->call = atomic_fetch_add(w->clock, 1);
		if (write)
			rc_mem_store(r, loc, v, RC_RELEASE);
		else
			v = rc_mem_load(r, loc);
		o->ret = atomic_fetch_add(w->clock, 1);
		o->key = loc;
		o->arg[0] = write ? (rc_hval_t)v : RC_HVAL_NONE;
		o->arg[1] = RC_HVAL_NONE;
		o->result = write ? RC_HVAL_OK : (rc_hval_t)v;
		o->proc = w->id;
		o->kind = write ? RC_HOP_PUT : RC_HOP_GET;
		o->status = RC_HST_OK;
	}
	rc_mem_unbind(r);
	return NULL;
}

static void test_history(void)
{
	enum { N = 2 };
	unsigned ops = (unsigned)tap_env_u64("RC_TEST_HIST_OPS", 3000);
	rc_mem_t *m = mk(3, N, 0);
	struct hthread w[N];
	pthread_t t[N];
	_Atomic int64_t clock = 0;
	struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *res = NULL;
	rc_history_t *h = rc_history_new();
	struct rc_hop fin[N][3];
	rc_hval_t other = RC_HVAL_NONE;
	unsigned oloc = 0;
	int rc;

	for (unsigned i = 0; i < N; i++) {
		w[i] = (struct hthread){ m, i, ops, &clock,
					 calloc(ops, sizeof(struct rc_hop)) };
		if (w[i].h == NULL)
			abort();
		pthread_create(&t[i], NULL, hwork, &w[i]);
	}
	for (unsigned i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	if (h == NULL || rc_history_set_initial(h, 0, NULL) < 0)
		abort();
	for (unsigned i = 0; i < N; i++)
		for (unsigned k = 0; k < ops; k++)
			if (rc_history_add(h, &w[i].h[k], NULL) < 0)
				abort();
	/* the final reads: every replica, every location, once quiesced */
	rc_mem_quiesce(m);
	for (unsigned i = 0; i < N; i++)
		for (unsigned loc = 0; loc < 3; loc++) {
			struct rc_hop f = {
				.call = atomic_fetch_add(&clock, 1),
				.key = loc,
				.arg = { RC_HVAL_NONE, RC_HVAL_NONE },
				.result = (rc_hval_t)rc_mem_read_replica(m, i,
									 loc),
				.proc = i,
				.kind = RC_HOP_GET,
				.status = RC_HST_OK,
			};

			f.ret = atomic_fetch_add(&clock, 1);
			if (rc_history_add(h, &f, NULL) < 0)
				abort();
			fin[i][loc] = f;
		}
	o.spec = RC_SPEC_KV;
	o.level = rc_level_checked_at(RC_EVENTUAL);
	o.also = 1u << RC_MR | 1u << RC_RYW | 1u << RC_MW | 1u << RC_WFR;
	o.threads = 1;
	rc = rc_check(h, &o, &res, NULL);
	ok(rc == 0 && o.level == RC_EVENTUAL && res->verdict == RC_VERDICT_OK,
	   "threads bound to replicas: %u operations and the final reads "
	   "are eventually consistent, with mr, ryw, mw and wfr",
	   N * ops);
	rc_check_result_free(res);
	rc_history_free(h);

	/*
	 * The same history with one replica's final read of a location
	 * changed to another value written there: the replicas no longer
	 * converge, and the check must say so.
	 */
	h = rc_history_new();
	if (h == NULL || rc_history_set_initial(h, 0, NULL) < 0)
		abort();
	for (unsigned i = 0; i < N; i++)
		for (unsigned k = 0; k < ops; k++) {
			const struct rc_hop *op = &w[i].h[k];

			if (op->kind == RC_HOP_PUT && other == RC_HVAL_NONE &&
			    op->arg[0] != fin[1][op->key].result)
				other = op->arg[0], oloc = (unsigned)op->key;
			if (rc_history_add(h, op, NULL) < 0)
				abort();
		}
	if (other == RC_HVAL_NONE)
		abort(); /* every write's value read at the end: impossible */
	fin[1][oloc].result = other;
	for (unsigned i = 0; i < N; i++)
		for (unsigned loc = 0; loc < 3; loc++)
			if (rc_history_add(h, &fin[i][loc], NULL) < 0)
				abort();
	o.also = 0;
	rc = rc_check(h, &o, &res, NULL);
	ok(rc == 0 && res->verdict == RC_VERDICT_VIOLATION &&
		   strcmp(res->parts[0].pattern, "Convergence") == 0,
	   "a final read changed to an older write is caught: %s",
	   rc == 0 ? res->parts[0].pattern : "error");
	rc_check_result_free(res);
	rc_history_free(h);
	for (unsigned i = 0; i < N; i++)
		free(w[i].h);
	rc_mem_destroy(m);
}

int main(void)
{
	test_local();
	test_lww();
	test_clock();
	test_rmw();
	test_mvr();
	test_state();
	test_create();
	test_threads(0);
	test_threads(RC_MEM_MVR);
	test_history();
	done_testing();
	return exit_status();
}
