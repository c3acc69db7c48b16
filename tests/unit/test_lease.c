/* SPDX-License-Identifier: MIT */
/* test_lease.c: the classic pause over rc_rsm: a lease holder paused past its lease, another client takes the lock and writes, the first resumes and writes with its old token, rejected by the fenced store; the store's recorded history is linearizable and fenced. */
#include <pthread.h>
#include <semaphore.h>
#include <string.h>

#include <replicore/check.h>
#include <replicore/lease.h>
#include <replicore/log.h>
#include <replicore/paxos.h>
#include <replicore/recorder.h>
#include <replicore/rsm.h>
#include <replicore/topo.h>

#include "tests/tap.h"

/*
 * Two rsms over a layout of two nodes: the lease service (rc_lease_ops)
 * and the fenced store (rc_fenced_ops), once over the shared-memory log
 * and once over the Paxos log. Client A (slot 0) runs on node 0, client
 * B (slot 1) on node 1, each a thread with a handle on both rsms. Time
 * is the test's own clock, a counter the main thread advances between
 * the steps it lets the clients take (the semaphores order each advance
 * before the step that reads it), so the pause is a wait on a semaphore,
 * not a sleep, and nothing depends on how fast anything runs:
 *
 *   t=0    A acquires a lease of 100: token 1; writes with it.
 *   t=50   B asks: refused, with A's expiry 100.
 *   t=90   A looks: its lease runs (token 1). A pauses here.
 *   t=150  B acquires: token 2; writes with it.
 *   t=200  A resumes and writes with token 1 without looking again:
 *          the store rejects it (built with RC_LEASE_BROKEN_FENCING, the
 *          store accepts it, and the fencing check below catches it).
 *          A's release of token 1 changes nothing; B reads B's value.
 *
 * The store's operations are recorded (rc_recorder): a write as a
 * register write of its value (token << 8 | client), :fail when the
 * store rejected it (it took no effect), a read as a read. rc_check
 * finds the history linearizable as a register; then the fencing check
 * walks the checker's witness and asks that no accepted write's token be
 * below an earlier accepted write's.
 */

#ifdef RC_LEASE_BROKEN_FENCING
static const bool broken = true;
#else
static const bool broken = false;
#endif

#define VALUE(token, client) ((token) << 8 | (client))

struct scene {
	rc_rsm_t *lease, *store;
	rc_recorder_t *rec;
	uint64_t now; /* the test's clock; written by main between steps */
	sem_t go[2], done[2];
	/* what the clients saw */
	uint64_t a_token, a_look, a_late, a_release;
	uint64_t b_refused, b_token, b_read;
	bool failed[2]; /* each client's own */
};

struct client {
	struct scene *sc;
	unsigned id;
	unsigned pu;
};

static void wait_go(struct scene *sc, unsigned id)
{
	while (sem_wait(&sc->go[id]) != 0)
		;
}

static uint64_t run(struct scene *sc, rc_rsm_handle_t *h, unsigned id,
		    uint64_t op, uint64_t arg)
{
	uint64_t r = 0;

	if (rc_rsm_execute(h, op, arg, &r) != 0)
		sc->failed[id] = true;
	return r;
}

/* A write to the store, recorded; whether it was accepted. */
static bool store_write(struct scene *sc, rc_rsm_handle_t *h, unsigned id,
			uint64_t token)
{
	uint64_t v = VALUE(token, id);
	bool acc;

	rc_recorder_begin(sc->rec, id, RC_HOP_WRITE, RC_HVAL_NONE, (rc_hval_t)v,
			  RC_HVAL_NONE);
	acc = run(sc, h, id, RC_FENCED_OP_WRITE(v), token) == 1;
	rc_recorder_end(sc->rec, id, RC_HVAL_OK, acc ? RC_HST_OK : RC_HST_FAIL);
	return acc;
}

static uint64_t store_read(struct scene *sc, rc_rsm_handle_t *h, unsigned id)
{
	uint64_t v;

	rc_recorder_begin(sc->rec, id, RC_HOP_READ, RC_HVAL_NONE, RC_HVAL_NONE,
			  RC_HVAL_NONE);
	v = run(sc, h, id, RC_FENCED_OP_READ, 0);
	rc_recorder_end(sc->rec, id, (rc_hval_t)v, RC_HST_OK);
	return v;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct scene *sc = c->sc;
	rc_rsm_handle_t *hl = NULL, *hs = NULL;
	const unsigned me = c->id;

	if (rc_rsm_register(sc->lease, c->pu, 0, &hl, NULL) < 0 ||
	    rc_rsm_register(sc->store, c->pu, 0, &hs, NULL) < 0) {
		sc->failed[me] = true;
		for (int k = 0; k < 3; k++) {
			wait_go(sc, me);
			sem_post(&sc->done[me]);
		}
		return NULL;
	}
	if (me == 0) {
		wait_go(sc, 0); /* t=0 */
		sc->a_token =
			run(sc, hl, me, RC_LEASE_OP_ACQUIRE(0, 100), sc->now);
		if (!store_write(sc, hs, 0, sc->a_token))
			sc->failed[me] = true;
		sem_post(&sc->done[0]);
		wait_go(sc, 0); /* t=90: looks, then pauses */
		sc->a_look = run(sc, hl, me, RC_LEASE_OP_HOLDER, sc->now);
		sem_post(&sc->done[0]);
		wait_go(sc, 0); /* t=200: resumes */
		sc->a_late = store_write(sc, hs, 0, sc->a_token);
		sc->a_release =
			run(sc, hl, me, RC_LEASE_OP_RELEASE(0), sc->a_token);
		sem_post(&sc->done[0]);
	} else {
		wait_go(sc, 1); /* t=50 */
		sc->b_refused =
			run(sc, hl, me, RC_LEASE_OP_ACQUIRE(1, 100), sc->now);
		sem_post(&sc->done[1]);
		wait_go(sc, 1); /* t=150 */
		sc->b_token =
			run(sc, hl, me, RC_LEASE_OP_ACQUIRE(1, 100), sc->now);
		if (!store_write(sc, hs, 1, sc->b_token))
			sc->failed[me] = true;
		sem_post(&sc->done[1]);
		wait_go(sc, 1); /* t=200, after A */
		sc->b_read = store_read(sc, hs, 1);
		sem_post(&sc->done[1]);
	}
	rc_rsm_unregister(hl);
	rc_rsm_unregister(hs);
	return NULL;
}

/* Main lets client id take its next step at time t and waits for it. */
static void step(struct scene *sc, unsigned id, uint64_t t)
{
	sc->now = t;
	sem_post(&sc->go[id]);
	while (sem_wait(&sc->done[id]) != 0)
		;
}

/*
 * The fencing check: along the order the checker found, the tokens of
 * the accepted writes never go down. Returns true when they do not.
 */
static bool fenced(const rc_history_t *h, const struct rc_check_part *p,
		   char *why, size_t len)
{
	uint64_t top = 0;

	for (size_t i = 0; i < p->norder; i++) {
		const struct rc_hop *op = rc_history_op(h, p->order[i]);
		uint64_t token;

		if (op->kind != RC_HOP_WRITE || op->status != RC_HST_OK)
			continue;
		token = (uint64_t)op->arg[0] >> 8;
		if (token < top) {
			snprintf(why, len,
				 "client %u's write with token %llu accepted "
				 "after one with token %llu",
				 op->proc, (unsigned long long)token,
				 (unsigned long long)top);
			return false;
		}
		top = token;
	}
	return true;
}

static void scene(const char *name, rc_topo_t *topo, bool paxos)
{
	struct rc_rsm_options o[2] = { RC_RSM_OPTIONS_INITIALIZER,
				       RC_RSM_OPTIONS_INITIALIZER };
	struct rc_check_opts co = RC_CHECK_OPTS_INITIALIZER;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_check_result_t *res = NULL;
	rc_history_t *h = rc_history_new();
	struct scene sc;
	struct client cl[2];
	pthread_t th[2];
	unsigned pus[2];
	char why[160] = "";

	memset(&sc, 0, sizeof sc);
	for (int i = 0; i < 2 && paxos; i++)
		if (rc_log_paxos_create(&o[i].log, 2, NULL, &err) < 0) {
			ok(0, "%s: the Paxos log: %s", name, err.msg);
			return;
		}
	if (rc_rsm_create(&sc.lease, &rc_lease_ops, NULL, topo, &o[0], &err) <
		    0 ||
	    rc_rsm_create(&sc.store, &rc_fenced_ops, NULL, topo, &o[1], &err) <
		    0 ||
	    rc_recorder_create(&sc.rec, 2, 16, &err) < 0) {
		ok(0, "%s: setup: %s", name, err.msg);
		return;
	}
	rc_recorder_set_initial(sc.rec, 0); /* the store holds 0 at first */
	rc_topo_spread(topo, 2, pus);
	for (unsigned i = 0; i < 2; i++) {
		sem_init(&sc.go[i], 0, 0);
		sem_init(&sc.done[i], 0, 0);
		cl[i] = (struct client){ &sc, i, pus[i] };
		pthread_create(&th[i], NULL, client_main, &cl[i]);
	}
	step(&sc, 0, 0);   /* A acquires, writes */
	step(&sc, 1, 50);  /* B is refused */
	step(&sc, 0, 90);  /* A looks, pauses */
	step(&sc, 1, 150); /* B acquires, writes */
	step(&sc, 0, 200); /* A resumes, writes, releases */
	step(&sc, 1, 200); /* B reads */
	for (unsigned i = 0; i < 2; i++)
		pthread_join(th[i], NULL);

	ok(!sc.failed[0] && !sc.failed[1] && sc.a_token == 1,
	   "%s: every operation ran; A's lease: token 1", name);
	is(sc.b_refused, RC_LEASE_REFUSED | 100,
	   "%s: B is refused at t=50, told A's lease ends at 100", name);
	is(sc.a_look, 1, "%s: at t=90 A sees its lease running, and pauses",
	   name);
	is(sc.b_token, 2, "%s: at t=150 B takes the lease: token 2", name);
	if (!broken) {
		ok(!sc.a_late,
		   "%s: A resumes at t=200: its write with token 1 "
		   "is rejected",
		   name);
		is(sc.b_read, VALUE(2, 1), "%s: the store holds B's value",
		   name);
	} else {
		ok(sc.a_late, "%s: the broken store accepts A's stale write",
		   name);
		is(sc.b_read, VALUE(1, 0),
		   "%s: and B reads A's stale value over its own", name);
	}
	is(sc.a_release, 0, "%s: A's release of token 1 changes nothing", name);
	co.spec = RC_SPEC_REGISTER;
	if (rc_recorder_export(sc.rec, h, 0, &err) < 0 ||
	    rc_check(h, &co, &res, &err) < 0) {
		ok(0, "%s: check: %s", name, err.msg);
	} else {
		ok(res->verdict == RC_VERDICT_OK && res->nparts == 1,
		   "%s: the store's %zu operations are linearizable", name,
		   res->nops);
		if (res->verdict == RC_VERDICT_OK && res->nparts == 1) {
			bool f = fenced(h, &res->parts[0], why, sizeof why);

			if (!broken)
				ok(f, "%s: and fenced along the witness", name);
			else
				ok(!f, "%s: the fencing check catches it: %s",
				   name, why);
		} else {
			ok(0, "%s: no witness to check fencing along", name);
		}
	}
	rc_check_result_free(res);
	rc_history_free(h);
	rc_recorder_destroy(sc.rec);
	rc_rsm_destroy(sc.lease);
	rc_rsm_destroy(sc.store);
	for (int i = 0; i < 2; i++) {
		rc_log_destroy(o[i].log);
		sem_destroy(&sc.go[i]);
		sem_destroy(&sc.done[i]);
	}
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo;

	if (rc_topo_open(&topo, "numa:2 core:1 pu:1", NULL, &err) < 0) {
		skip_all("layout unavailable: %s", err.msg);
		return 0;
	}
	scene("shm log", topo, false);
	scene("paxos log", topo, true);
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
