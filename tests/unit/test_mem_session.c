/* SPDX-License-Identifier: MIT */
/* test_mem_session.c: sessions over eventual and causal objects: each guarantee off shows its violation on a fixed schedule and on holds there, and a threaded run of sessions moving between replicas passes the session checker. */
#include <pthread.h>
#include <stdatomic.h>

#include <replicore/check.h>
#include <replicore/history.h>
#include <replicore/mem.h>

#include "tests/tap.h"

/* ---- a history of sessions ---- */

struct rec {
	rc_history_t *h;
	int64_t t;
};

static void rec_op(struct rec *rc, unsigned proc, bool write, unsigned key,
		   uint64_t v, bool kv)
{
	struct rc_hop o = { 0 };

	o.call = rc->t++;
	o.ret = rc->t++;
	o.key = kv ? (rc_hval_t)key : RC_HVAL_NONE;
	o.arg[0] = write ? (rc_hval_t)v : RC_HVAL_NONE;
	o.arg[1] = RC_HVAL_NONE;
	o.result = write ? RC_HVAL_OK : (rc_hval_t)v;
	o.proc = proc;
	o.kind = kv ? (write ? RC_HOP_PUT : RC_HOP_GET)
		    : (write ? RC_HOP_WRITE : RC_HOP_READ);
	o.status = RC_HST_OK;
	if (rc_history_add(rc->h, &o, NULL) < 0)
		abort();
}

/* The verdict of h at the guarantees g (bits 1u << level). */
static enum rc_verdict verdict(const rc_history_t *h, unsigned g, bool kv)
{
	struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *res = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	enum rc_verdict v;

	o.spec = kv ? RC_SPEC_KV : RC_SPEC_REGISTER;
	o.level = (enum rc_level)__builtin_ctz(g);
	o.also = g & ~(1u << o.level);
	o.threads = 1;
	if (rc_check(h, &o, &res, &err) < 0) {
		diag("rc_check: %s", err.msg);
		return RC_VERDICT_UNKNOWN;
	}
	v = res->verdict;
	if (v == RC_VERDICT_VIOLATION && res->nparts > 0)
		diag("  violation: %s", res->parts[0].pattern);
	rc_check_result_free(res);
	return v;
}

/* ---- fixed schedules in explore mode ---- */

struct sched {
	rc_mem_t *m;
	rc_mem_session_t *s[4];
	struct rec rc;
	bool refused; /* some operation found its replica not ready */
};

static void sched_init(struct sched *x, enum rc_level level, unsigned g,
		       unsigned who)
{
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(x, 0, sizeof *x);
	if (rc_mem_create(&x->m, level, 1, 3, RC_MEM_EXPLORE, &err) < 0)
		abort();
	for (unsigned i = 0; i < 4; i++)
		if (rc_mem_session_create(&x->s[i], x->m, i == who ? g : 0,
					  &err) < 0)
			abort();
	x->rc.h = rc_history_new();
	if (x->rc.h == NULL || rc_history_set_initial(x->rc.h, 0, NULL) < 0)
		abort();
}

static void sched_free(struct sched *x)
{
	for (unsigned i = 0; i < 4; i++)
		rc_mem_session_destroy(x->s[i]);
	rc_mem_destroy(x->m);
	rc_history_free(x->rc.h);
}

/* Replica r takes in every enabled delivery, lowest sender first. */
static void take_all(rc_mem_t *m, unsigned r)
{
	bool again = true;

	while (again) {
		again = false;
		for (unsigned s = 0; s < rc_mem_nreplicas(m); s++) {
			struct rc_mem_step st = { RC_MEM_STEP_DELIVER, r, s };

			if (rc_mem_step(m, &st) == 0)
				again = true;
		}
	}
}

static void deliver(struct sched *x, unsigned to, unsigned from)
{
	struct rc_mem_step st = { RC_MEM_STEP_DELIVER, to, from };

	if (rc_mem_step(x->m, &st) < 0)
		abort();
}

/*
 * Session i's operation at replica r: when the replica is not ready
 * (-RC_EAGAIN), the schedule lets it take in everything enabled first.
 */
static uint64_t rd(struct sched *x, unsigned i, unsigned r)
{
	rc_mem_replica_t *rep = rc_mem_replica(x->m, r);
	uint64_t v = 0;

	if (rc_mem_session_load(x->s[i], rep, 0, &v) == -RC_EAGAIN) {
		x->refused = true;
		ok(!rc_mem_session_ready(x->s[i], rep, false),
		   "  rc_mem_session_ready agrees");
		take_all(x->m, r);
		if (rc_mem_session_load(x->s[i], rep, 0, &v) < 0)
			abort();
	}
	rec_op(&x->rc, i, false, 0, v, false);
	return v;
}

static void wr(struct sched *x, unsigned i, unsigned r, uint64_t v)
{
	rc_mem_replica_t *rep = rc_mem_replica(x->m, r);
	int rc = rc_mem_session_store(x->s[i], rep, 0, v, RC_RELEASE);

	if (rc == -RC_EAGAIN) {
		x->refused = true;
		take_all(x->m, r);
		rc = rc_mem_session_store(x->s[i], rep, 0, v, RC_RELEASE);
	}
	if (rc < 0)
		abort();
	rec_op(&x->rc, i, true, 0, v, false);
}

/*
 * Session 2 reads at r2 twice: after r2 takes in what it can of r1's log,
 * then of r0's.
 */
static void reader(struct sched *x)
{
	static const unsigned from[] = { 1, 0 };

	for (unsigned k = 0; k < 2; k++) {
		struct rc_mem_step st = { RC_MEM_STEP_DELIVER, 2, from[k] };

		while (rc_mem_step(x->m, &st) == 0)
			;
		rd(x, 2, 2);
	}
}

/*
 * Each schedule: session 0 moves between replicas; sessions 1 and 2 are
 * plain writers and readers (no guarantee). Returns the history's
 * verdict at the guarantees checked.
 */
enum { RYW_S, MR_S, MW_S, WFR_S };

static const char *const sname[] = { "ryw", "mr", "mw", "wfr" };
static const unsigned sguar[] = { RC_MEM_SESSION_RYW, RC_MEM_SESSION_MR,
				  RC_MEM_SESSION_MW, RC_MEM_SESSION_WFR };
/* what the checker needs to see the violation: MW and WFR are edges
 * between writes, seen through a reader's monotonic reads */
static const unsigned schecked[] = {
	1u << RC_RYW,
	1u << RC_MR,
	1u << RC_MW | 1u << RC_MR,
	1u << RC_WFR | 1u << RC_MR,
};

static enum rc_verdict run_sched(enum rc_level level, int which, bool on,
				 bool *refused)
{
	struct sched x;
	enum rc_verdict v;

	sched_init(&x, level, on ? sguar[which] : 0, 0);
	switch (which) {
	case RYW_S:
		wr(&x, 0, 0, 1);
		rd(&x, 0, 1); /* r1 has not taken the write in */
		break;
	case MR_S:
		wr(&x, 1, 0, 1);
		deliver(&x, 1, 0);
		rd(&x, 0, 1); /* 1 */
		rd(&x, 0, 2); /* r2 has not */
		break;
	case MW_S:
		/* r0's clock runs ahead of r1's: session 0's second write,
		 * at r1, would get the smaller stamp */
		wr(&x, 1, 0, 7);
		wr(&x, 0, 0, 1);
		wr(&x, 0, 1, 2);
		reader(&x);
		break;
	case WFR_S:
		wr(&x, 1, 0, 7);
		wr(&x, 1, 0, 8);
		rd(&x, 0, 0); /* 8, stamped (2, r0) */
		wr(&x, 0, 1, 1);
		reader(&x);
		break;
	}
	v = verdict(x.rc.h, schecked[which], false);
	*refused = x.refused;
	sched_free(&x);
	return v;
}

static void test_schedules(enum rc_level level)
{
	for (int g = RYW_S; g <= WFR_S; g++) {
		bool refused;

		/* causal delivery alone keeps MW and WFR: no violation to
		 * show at causal with them off */
		if (level == RC_EVENTUAL || g <= MR_S) {
			is(run_sched(level, g, false, &refused),
			   RC_VERDICT_VIOLATION,
			   "%s, %s off: the checker finds the violation",
			   rc_level_name(level), sname[g]);
			ok(!refused, "  no operation waited");
		} else {
			is(run_sched(level, g, false, &refused), RC_VERDICT_OK,
			   "%s, %s off: causal delivery keeps it anyway",
			   rc_level_name(level), sname[g]);
		}
		is(run_sched(level, g, true, &refused), RC_VERDICT_OK,
		   "%s, %s on: the same schedule passes", rc_level_name(level),
		   sname[g]);
		ok(refused, "  an operation was not enabled until delivery");
	}
}

static void test_api(void)
{
	rc_mem_t *m = NULL;
	rc_mem_session_t *s = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t rv[2], wv[2], v = 9;

	rc_mem_create(&m, RC_SC, 1, 2, RC_MEM_EXPLORE, &err);
	is(rc_mem_session_create(&s, m, RC_MEM_SESSION_RYW, &err), -RC_EINVAL,
	   "no session over an sc object: %s", err.msg);
	rc_mem_destroy(m);
	rc_mem_create(&m, RC_EVENTUAL, 1, 2, RC_MEM_EXPLORE, &err);
	is(rc_mem_session_create(&s, m, 1u << RC_CC, &err), -RC_EINVAL,
	   "an unknown guarantee is refused: %s", err.msg);
	ok(rc_mem_session_create(&s, m, RC_MEM_SESSION_RYW | RC_MEM_SESSION_MR,
				 &err) == 0 &&
		   rc_mem_session_guarantees(s) ==
			   (RC_MEM_SESSION_RYW | RC_MEM_SESSION_MR),
	   "a session with two guarantees");
	rc_mem_session_store(s, rc_mem_replica(m, 0), 0, 5, RC_RELEASE);
	rc_mem_session_load(s, rc_mem_replica(m, 0), 0, &v);
	rc_mem_session_vectors(s, rv, wv);
	ok(v == 5 && wv[0] == 1 && wv[1] == 0 && rv[0] == 1 && rv[1] == 0,
	   "the vectors count the write and what the read saw");
	ok(rc_mem_session_ready(s, rc_mem_replica(m, 0), false) &&
		   !rc_mem_session_ready(s, rc_mem_replica(m, 1), false) &&
		   rc_mem_session_ready(s, rc_mem_replica(m, 1), true),
	   "a load is ready only where the write is; a store anywhere");
	rc_mem_session_destroy(s);
	rc_mem_destroy(m);
}

/*
 * RMWs of a session: with read your writes, a fetch_add at another
 * replica waits (explore mode: is not enabled) until that replica holds
 * the session's increment, and then adds to it; without, it adds to the
 * replica's stale copy and the session's first increment is lost once
 * the copies converge.
 */
static void test_rmw(enum rc_level level)
{
	rc_mem_t *m = NULL;
	rc_mem_session_t *s = NULL, *t = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t old = 9, v = 0, e;
	struct rc_mem_step st = { RC_MEM_STEP_DELIVER, 1, 0 };
	const char *name = rc_level_name(level);

	if (rc_mem_create(&m, level, 1, 2, RC_MEM_EXPLORE, &err) < 0 ||
	    rc_mem_session_create(&s, m, RC_MEM_SESSION_RYW, &err) < 0 ||
	    rc_mem_session_create(&t, m, 0, &err) < 0)
		abort();
	ok(rc_mem_session_fetch_add(s, rc_mem_replica(m, 0), 0, 1, &old) == 0 &&
		   old == 0,
	   "%s: a session's fetch_add at replica 0 reads 0", name);
	is(rc_mem_session_fetch_add(s, rc_mem_replica(m, 1), 0, 1, &old),
	   -RC_EAGAIN,
	   "%s: ryw: its fetch_add at replica 1 waits for its increment", name);
	ok(rc_mem_step(m, &st) == 0 &&
		   rc_mem_session_fetch_add(s, rc_mem_replica(m, 1), 0, 1,
					    &old) == 0 &&
		   old == 1,
	   "%s: once delivered, it reads 1 there", name);
	e = 2;
	is(rc_mem_session_cas(s, rc_mem_replica(m, 1), 0, &e, 10), 1,
	   "%s: a CAS of the session's own last value succeeds", name);
	e = 2;
	v = (uint64_t)rc_mem_session_cas(s, rc_mem_replica(m, 1), 0, &e, 11);
	ok(v == 0 && e == 10, "%s: a failed CAS gives the value found (%llu)",
	   name, (unsigned long long)e);
	ok(rc_mem_session_exchange(s, rc_mem_replica(m, 1), 0, 20, &old) == 0 &&
		   old == 10,
	   "%s: an exchange returns the value before", name);
	rc_mem_quiesce(m);
	ok(rc_mem_session_load(s, rc_mem_replica(m, 0), 0, &v) == 0 && v == 20,
	   "%s: the copies converge to the session's last write", name);
	/* without ryw: increments at the two replicas before any delivery */
	rc_mem_session_fetch_add(t, rc_mem_replica(m, 0), 0, 1, &old);
	v = (uint64_t)rc_mem_session_fetch_add(t, rc_mem_replica(m, 1), 0, 1,
					       &old);
	ok(v == 0 && old == (level == RC_EVENTUAL ? 20 : 21),
	   "%s: no guarantee: the second fetch_add reads %llu (%s)", name,
	   (unsigned long long)old,
	   level == RC_EVENTUAL ? "the stale copy: RMWs are local"
				: "the last write: RMWs are atomic");
	rc_mem_quiesce(m);
	v = rc_mem_read_replica(m, 0, 0);
	ok(v == (level == RC_EVENTUAL ? 21u : 22u), "%s: then %llu: %s", name,
	   (unsigned long long)v,
	   level == RC_EVENTUAL ? "one increment lost" : "both counted");
	rc_mem_session_destroy(s);
	rc_mem_session_destroy(t);
	rc_mem_destroy(m);
}

/*
 * Threaded: one session handed between two threads, each bound to its
 * own replica, round by round (a barrier between rounds orders the
 * hand-off); each round's thread adds 1 with the session. With read your
 * writes every fetch_add reads the one before it, so none is lost.
 */
struct hand {
	rc_mem_t *m;
	rc_mem_session_t *s;
	pthread_barrier_t bar;
	unsigned rounds;
	bool bad;
};

struct hand_arg {
	struct hand *h;
	unsigned id;
};

static void *hand_main(void *p)
{
	struct hand_arg *a = p;
	struct hand *h = a->h;
	rc_mem_replica_t *r = NULL;

	if (rc_mem_bind(h->m, a->id, NULL, 0, 0, &r, NULL) < 0)
		r = rc_mem_replica(h->m, a->id);
	for (unsigned k = 0; k < h->rounds; k++) {
		uint64_t old = 0;

		if (k % 2 == a->id &&
		    (rc_mem_session_fetch_add(h->s, r, 0, 1, &old) < 0 ||
		     old != k))
			h->bad = true;
		pthread_barrier_wait(&h->bar);
	}
	rc_mem_progress(r);
	rc_mem_unbind(r);
	return NULL;
}

static void test_rmw_threads(enum rc_level level)
{
	struct hand h = { 0 };
	struct hand_arg a[2];
	pthread_t t[2];
	rc_err_t err = RC_ERR_INITIALIZER;

	h.rounds = (unsigned)tap_env_u64("RC_TEST_SESSION_ROUNDS", 2000);
	if (rc_mem_create(&h.m, level, 1, 2, 0, &err) < 0 ||
	    rc_mem_session_create(&h.s, h.m,
				  RC_MEM_SESSION_RYW | RC_MEM_SESSION_MR,
				  &err) < 0 ||
	    pthread_barrier_init(&h.bar, NULL, 2) != 0)
		abort();
	for (unsigned i = 0; i < 2; i++) {
		a[i] = (struct hand_arg){ &h, i };
		pthread_create(&t[i], NULL, hand_main, &a[i]);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	rc_mem_quiesce(h.m);
	ok(!h.bad && rc_mem_read_replica(h.m, 0, 0) == h.rounds &&
		   rc_mem_read_replica(h.m, 1, 0) == h.rounds,
	   "%s threads: %u fetch_adds of one session alternating between two "
	   "replicas each read the one before; the copies hold %u",
	   rc_level_name(level), h.rounds, h.rounds);
	pthread_barrier_destroy(&h.bar);
	rc_mem_session_destroy(h.s);
	rc_mem_destroy(h.m);
}

/* ---- threads: sessions moving between replicas ---- */

enum { NT = 2, NS = 4, NLOC = 3 };

struct shared {
	rc_mem_t *m;
	rc_mem_session_t *s[NS];
	pthread_barrier_t bar;
	unsigned rounds, per;
	_Atomic int64_t clock;
	/* per session, its operations (written by whichever thread serves
	 * it in a round; the barrier orders the rounds) */
	struct sop {
		int64_t call, ret;
		uint64_t v;
		unsigned loc;
		bool write;
	} * ops[NS];
	size_t nops[NS];
	uint64_t seq[NS];
};

struct th {
	struct shared *sh;
	unsigned id;
	uint64_t rnd;
};

static void *serve(void *arg)
{
	struct th *t = arg;
	struct shared *sh = t->sh;
	rc_mem_replica_t *r = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;

	if (rc_mem_bind(sh->m, t->id, NULL, 0, 0, &r, &err) < 0)
		abort();
	for (unsigned k = 0; k < sh->rounds; k++) {
		unsigned si = (t->id + k) % NS;
		rc_mem_session_t *s = sh->s[si];

		for (unsigned j = 0; j < sh->per; j++) {
			struct sop *o = &sh->ops[si][sh->nops[si]++];

			o->loc = (unsigned)(tap_rand(&t->rnd) % NLOC);
			o->write = tap_rand(&t->rnd) % 3 == 0;
			o->call = atomic_fetch_add(&sh->clock, 1);
			if (o->write) {
				/* differentiated: session, then a count */
				o->v = (uint64_t)(si + 1) << 32 | ++sh->seq[si];
				if (rc_mem_session_store(s, r, o->loc, o->v,
							 RC_RELEASE) < 0)
					abort();
			} else if (rc_mem_session_load(s, r, o->loc, &o->v) <
				   0) {
				abort();
			}
			o->ret = atomic_fetch_add(&sh->clock, 1);
		}
		/* the sessions move: round k + 1 serves each elsewhere */
		pthread_barrier_wait(&sh->bar);
	}
	rc_mem_unbind(r);
	return NULL;
}

static void run_threads(enum rc_level level, unsigned flags, unsigned g)
{
	struct shared sh;
	struct th t[NT];
	pthread_t tid[NT];
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_history_t *h;
	size_t total = 0;

	memset(&sh, 0, sizeof sh);
	sh.rounds = (unsigned)tap_env_u64("RC_TEST_ROUNDS", 200);
	sh.per = 8;
	if (rc_mem_create(&sh.m, level, NLOC, NT, flags, &err) < 0)
		abort();
	for (unsigned i = 0; i < NS; i++) {
		if (rc_mem_session_create(&sh.s[i], sh.m, g, &err) < 0)
			abort();
		sh.ops[i] =
			calloc((size_t)sh.rounds * sh.per, sizeof(*sh.ops[i]));
		if (sh.ops[i] == NULL)
			abort();
	}
	pthread_barrier_init(&sh.bar, NULL, NT);
	for (unsigned i = 0; i < NT; i++) {
		t[i] = (struct th){ &sh, i, 0x5eed + i };
		pthread_create(&tid[i], NULL, serve, &t[i]);
	}
	for (unsigned i = 0; i < NT; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&sh.bar);
	h = rc_history_new();
	if (h == NULL || rc_history_set_initial(h, 0, NULL) < 0)
		abort();
	for (unsigned i = 0; i < NS; i++) {
		for (size_t k = 0; k < sh.nops[i]; k++) {
			const struct sop *o = &sh.ops[i][k];
			struct rc_hop op = { 0 };

			op.call = o->call;
			op.ret = o->ret;
			op.key = o->loc;
			op.arg[0] = o->write ? (rc_hval_t)o->v : RC_HVAL_NONE;
			op.arg[1] = RC_HVAL_NONE;
			op.result = o->write ? RC_HVAL_OK : (rc_hval_t)o->v;
			op.proc = i;
			op.kind = o->write ? RC_HOP_PUT : RC_HOP_GET;
			op.status = RC_HST_OK;
			if (rc_history_add(h, &op, NULL) < 0)
				abort();
		}
		total += sh.nops[i];
		free(sh.ops[i]);
		rc_mem_session_destroy(sh.s[i]);
	}
	is(verdict(h, g, true), RC_VERDICT_OK,
	   "%s%s threads, guarantees %#x: %zu operations of %u sessions "
	   "pass",
	   rc_level_name(level), flags & RC_MEM_MVR ? " mvr" : "", g, total,
	   NS);
	rc_history_free(h);
	rc_mem_destroy(sh.m);
}

int main(void)
{
	const unsigned all = RC_MEM_SESSION_RYW | RC_MEM_SESSION_MR |
			     RC_MEM_SESSION_MW | RC_MEM_SESSION_WFR;

	test_api();
	test_schedules(RC_EVENTUAL);
	test_schedules(RC_CAUSAL);
	test_rmw(RC_EVENTUAL);
	test_rmw(RC_CAUSAL);
	test_rmw_threads(RC_EVENTUAL);
	test_rmw_threads(RC_CAUSAL);
	run_threads(RC_EVENTUAL, 0, all);
	run_threads(RC_EVENTUAL, RC_MEM_MVR, all);
	run_threads(RC_CAUSAL, 0, all);
	for (int g = RYW_S; g <= WFR_S; g++)
		run_threads(RC_EVENTUAL, 0, sguar[g]);
	done_testing();
	return exit_status();
}
