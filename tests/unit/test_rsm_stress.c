/* SPDX-License-Identifier: MIT */
/* test_rsm_stress.c: threads run random operations on rc_rsm structures; the recorded histories are checked linearizable (or SC for sequential reads), over the shared-memory log, one without a tail, and the Paxos log with reads by its read index. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <replicore/check.h>
#include <replicore/paxos.h>
#include <replicore/recorder.h>
#include <replicore/rsm.h>

#include "examples/rsm_counter.h"
#include "examples/rsm_map.h"
#include "examples/rsm_stack.h"
#include "tests/tap.h"
#include "tests/unit/log_notail.h"

/*
 * Each run: a layout, a structure, a log, a read mode. Threads register
 * on PUs that rc_topo_spread gives (so they alternate between nodes),
 * run random operations recorded with rc_recorder, and the history goes
 * to the checker with the structure's spec:
 *
 *   map      kv (keys 1..4, get and put of values no other put writes;
 *            a key never put holds 0, the history's initial value)
 *   stack    stack (push of fresh values, pop; nil when empty)
 *   counter  counter (add 1, read)
 *
 * at level lin, or at level sc for runs with RC_RSM_READ_SEQ. The logs:
 * the shared-memory one, a log without a tail (reads go through it), and
 * the Paxos log with RC_RSM_READ_INDEX (reads catch up to its read
 * index, confirmed by a majority of its nodes). A verdict
 * "unknown" (the checker's budget ran out) is reported as a skip, never
 * as a pass. After the threads are joined, rc_rsm_sync must leave every
 * replica equal.
 *
 * Layouts: the synthetic "numa:2 core:1 pu:1" (2 nodes x 1 thread: every
 * update crosses the log, no batching) and "numa:2 core:2 pu:1" (2 nodes
 * x 2 threads: combining), both mapped onto the machine's PUs, and the
 * machine itself with as many threads as it has PUs (one node here: the
 * rsm runs without a log). Environment: RC_STRESS_THREADS (default 4,
 * capped at the layout's PUs), RC_STRESS_OPS (per thread, default 1000;
 * a quarter of it for the stack),
 * RC_STRESS_RUNS (default 1; times RC_SCALE), RC_STRESS_TIMEOUT (seconds
 * per check, default 20). Nothing waits without bound: the threads wait
 * only for each other's combiners, which are running.
 */

enum kind { K_MAP, K_STACK, K_COUNTER };
enum logk { L_SHM, L_NOTAIL, L_INDEX };

static const char *log_name[] = { "shm", "no-tail", "paxos read-index" };

static const char *kind_name[] = { "map", "stack", "counter" };

struct run {
	rc_rsm_t *rsm;
	rc_recorder_t *rec;
	enum kind kind;
	unsigned n;
	unsigned *pus;
	uint64_t ops, seed;
	bool seq;
	_Atomic unsigned arrived;
};

struct worker {
	struct run *run;
	unsigned id;
	pthread_t thread;
	bool failed;
};

static rc_hval_t hv(uint64_t v, uint64_t none)
{
	return v == none ? RC_HVAL_NIL : (rc_hval_t)v;
}

static void one_op(struct worker *w, rc_rsm_handle_t *h, uint64_t *rs,
		   uint64_t *seq)
{
	struct run *run = w->run;
	rc_recorder_t *rec = run->rec;
	unsigned id = w->id, fl = run->seq ? RC_RSM_READ_SEQ : 0;
	uint64_t x = tap_rand(rs), key = 1 + (x >> 8) % 4, r = 0;
	uint64_t fresh = ((uint64_t)(id + 1) << 32) | ++*seq;
	bool upd = x % 100 < 50;

	switch (run->kind) {
	case K_MAP:
		if (upd) {
			rc_recorder_begin(rec, id, RC_HOP_PUT, (rc_hval_t)key,
					  (rc_hval_t)fresh, RC_HVAL_NONE);
			w->failed |=
				rc_rsm_execute_flags(h, MAP_OP(MAP_PUT, key),
						     fresh, fl, &r) < 0;
			rc_recorder_end(rec, id, RC_HVAL_OK, RC_HST_OK);
		} else {
			rc_recorder_begin(rec, id, RC_HOP_GET, (rc_hval_t)key,
					  RC_HVAL_NONE, RC_HVAL_NONE);
			w->failed |=
				rc_rsm_execute_flags(h, MAP_OP(MAP_GET, key), 0,
						     fl, &r) < 0;
			rc_recorder_end(rec, id, (rc_hval_t)r, RC_HST_OK);
		}
		break;
	case K_STACK:
		if (upd) {
			rc_recorder_begin(rec, id, RC_HOP_PUSH, RC_HVAL_NONE,
					  (rc_hval_t)fresh, RC_HVAL_NONE);
			w->failed |= rc_rsm_execute_flags(h, STACK_PUSH, fresh,
							  fl, &r) < 0;
			rc_recorder_end(rec, id, RC_HVAL_OK, RC_HST_OK);
		} else {
			rc_recorder_begin(rec, id, RC_HOP_POP, RC_HVAL_NONE,
					  RC_HVAL_NONE, RC_HVAL_NONE);
			w->failed |= rc_rsm_execute_flags(h, STACK_POP, 0, fl,
							  &r) < 0;
			rc_recorder_end(rec, id, hv(r, STACK_EMPTY), RC_HST_OK);
		}
		break;
	case K_COUNTER:
		if (upd) {
			rc_recorder_begin(rec, id, RC_HOP_INC, RC_HVAL_NONE, 1,
					  RC_HVAL_NONE);
			w->failed |= rc_rsm_execute_flags(h, COUNTER_ADD, 1, fl,
							  &r) < 0;
			rc_recorder_end(rec, id, RC_HVAL_OK, RC_HST_OK);
		} else {
			rc_recorder_begin(rec, id, RC_HOP_READ, RC_HVAL_NONE,
					  RC_HVAL_NONE, RC_HVAL_NONE);
			w->failed |= rc_rsm_execute_flags(h, COUNTER_READ, 0,
							  fl, &r) < 0;
			rc_recorder_end(rec, id, (rc_hval_t)r, RC_HST_OK);
		}
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t rs = run->seed * 0x9e3779b97f4a7c15ull + w->id + 1, seq = 0;
	rc_rsm_handle_t *h;

	if (rc_rsm_register(run->rsm, run->pus[w->id], RC_RSM_PIN, &h, &err) <
		    0 &&
	    rc_rsm_register(run->rsm, run->pus[w->id], 0, &h, &err) < 0) {
		diag("register %u: %s", w->id, err.msg);
		w->failed = true;
		atomic_fetch_add(&run->arrived, 1);
		return NULL;
	}
	/* seq_cst: a start line; every thread is started by the caller,
	 * so the wait is bounded by their start */
	atomic_fetch_add(&run->arrived, 1);
	while (atomic_load(&run->arrived) < run->n)
		sched_yield();
	for (uint64_t i = 0; i < run->ops; i++)
		one_op(w, h, &rs, &seq);
	rc_rsm_unregister(h);
	return NULL;
}

static const struct rc_rsm_ops *kind_ops(enum kind k)
{
	return k == K_MAP ? &map_ops : k == K_STACK ? &stack_ops : &counter_ops;
}

static enum rc_spec kind_spec(enum kind k)
{
	return k == K_MAP     ? RC_SPEC_KV
	       : k == K_STACK ? RC_SPEC_STACK
			      : RC_SPEC_COUNTER;
}

/* Whether every replica answers the structure's reads alike. */
static bool replicas_equal(rc_rsm_t *rsm, enum kind k)
{
	const struct rc_rsm_ops *ops = kind_ops(k);
	void *s0 = rc_rsm_replica(rsm, 0);

	for (unsigned i = 1; i < rc_rsm_nnodes(rsm); i++) {
		void *s = rc_rsm_replica(rsm, i);

		if (k == K_MAP) {
			for (uint64_t key = 1; key <= 4; key++)
				if (ops->apply(s, MAP_OP(MAP_GET, key), 0) !=
				    ops->apply(s0, MAP_OP(MAP_GET, key), 0))
					return false;
		} else if (k == K_STACK) {
			const struct stack *a = s0, *b = s;

			if (a->n != b->n ||
			    (a->n && memcmp(a->v, b->v, a->n * 8) != 0))
				return false;
		} else if (ops->apply(s, COUNTER_READ, 0) !=
			   ops->apply(s0, COUNTER_READ, 0)) {
			return false;
		}
	}
	return true;
}

static void one_run(const char *layout, rc_topo_t *topo, enum kind k,
		    enum logk lk, bool seq, uint64_t seed)
{
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	struct rc_check_opts co = RC_CHECK_OPTS_INITIALIZER;
	unsigned npus = rc_topo_npus(topo), n;
	struct run run;
	struct worker *w;
	rc_check_result_t *res = NULL;
	rc_history_t *h = rc_history_new();
	rc_err_t err = RC_ERR_INITIALIZER;
	char what[160];
	bool failed = false;

	n = (unsigned)tap_env_fixed("RC_STRESS_THREADS", 4);
	if (n > npus)
		n = npus;
	if (n < 1)
		n = 1;
	snprintf(what, sizeof(what), "%s, %s, %u threads, %s log, %s reads",
		 layout, kind_name[k], n, log_name[lk],
		 seq ? "sequential" : "linearizable");
	memset(&run, 0, sizeof(run));
	/* a small log, so that its room runs out and helping runs */
	o.log = lk == L_NOTAIL ? notail_create(rc_topo_nnodes(topo), 32) : NULL;
	o.log_capacity = 32;
	o.flags = seq ? RC_RSM_READ_SEQ : 0;
	if (lk == L_INDEX) {
		if (rc_log_paxos_create(&o.log, rc_topo_nnodes(topo), NULL,
					&err) < 0) {
			ok(0, "%s: paxos log: %s", what, err.msg);
			rc_history_free(h);
			return;
		}
		o.flags |= RC_RSM_READ_INDEX;
	}
	if (rc_rsm_create(&run.rsm, kind_ops(k), NULL, topo, &o, &err) < 0) {
		ok(0, "%s: create: %s", what, err.msg);
		rc_history_free(h);
		return;
	}
	rc_recorder_create(&run.rec, n,
			   tap_env_fixed("RC_STRESS_OPS", 1000) + 1, NULL);
	if (k == K_MAP) /* a key never put reads 0 */
		rc_recorder_set_initial(run.rec, 0);
	run.kind = k;
	run.n = n;
	run.ops = tap_env_fixed("RC_STRESS_OPS", 1000);
	/* A stack history has no keys to split the search by: a quarter of
	 * the operations keeps every check within the checker's budget. */
	if (k == K_STACK && run.ops >= 4)
		run.ops /= 4;
	run.seed = seed;
	run.seq = seq;
	run.pus = calloc(n, sizeof(unsigned));
	rc_topo_spread(topo, n, run.pus);
	w = calloc(n, sizeof(*w));
	for (unsigned i = 0; i < n; i++) {
		w[i].run = &run;
		w[i].id = i;
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		failed |= w[i].failed;
	}
	ok(!failed, "%s: every operation completed", what);
	rc_rsm_sync(run.rsm);
	ok(replicas_equal(run.rsm, k), "%s: replicas equal after sync", what);
	co.spec = kind_spec(k);
	co.level = seq ? RC_SC : RC_LIN;
	co.timeout = (double)tap_env_fixed("RC_STRESS_TIMEOUT", 20);
	if (rc_recorder_export(run.rec, h, 0, &err) < 0 ||
	    rc_check(h, &co, &res, &err) < 0) {
		ok(0, "%s: check: %s", what, err.msg);
	} else if (res->verdict == RC_VERDICT_UNKNOWN) {
		skip(1, "checker budget ran out");
	} else {
		ok(res->verdict == RC_VERDICT_OK, "%s: %zu ops %s (%.2f s)",
		   what, res->nops,
		   seq ? "sequentially consistent" : "linearizable",
		   res->seconds);
		if (res->verdict != RC_VERDICT_OK) {
			char path[64];
			FILE *f;

			snprintf(path, sizeof(path), "test_rsm_stress-%s.hist",
				 kind_name[k]);
			f = fopen(path, "w");
			if (f) {
				rc_history_write(h, f, NULL);
				fclose(f);
				diag("history kept in %s", path);
			}
		}
	}
	rc_check_result_free(res);
	rc_history_free(h);
	rc_recorder_destroy(run.rec);
	rc_rsm_destroy(run.rsm);
	rc_log_destroy(o.log);
	free(run.pus);
	free(w);
}

int main(void)
{
	uint64_t runs = tap_env_u64("RC_STRESS_RUNS", 1);
	const char *layouts[3] = { "numa:2 core:1 pu:1", "numa:2 core:2 pu:1",
				   NULL };

	for (unsigned l = 0; l < 3; l++) {
		rc_err_t err = RC_ERR_INITIALIZER;
		const char *name = layouts[l] ? layouts[l] : "machine";
		rc_topo_t *topo;

		if (rc_topo_open(&topo, layouts[l], NULL, &err) < 0) {
			skip(1, "layout unavailable");
			diag("%s: %s", name, err.msg);
			continue;
		}
		for (uint64_t r = 0; r < runs; r++) {
			for (unsigned k = 0; k < 3; k++)
				one_run(name, topo, (enum kind)k, L_SHM, false,
					r * 3 + k + 1);
			/* the Paxos-like interface path: reads via the log */
			one_run(name, topo, K_COUNTER, L_NOTAIL, false,
				r + 100);
			one_run(name, topo, K_MAP, L_NOTAIL, false, r + 200);
			/* sequential reads: checked SC */
			one_run(name, topo, K_COUNTER, L_SHM, true, r + 300);
			/* the Paxos log's read index */
			one_run(name, topo, K_COUNTER, L_INDEX, false, r + 400);
			one_run(name, topo, K_MAP, L_INDEX, false, r + 500);
		}
		rc_topo_close(topo);
	}
	done_testing();
	return exit_status();
}
