/* SPDX-License-Identifier: MIT */
/* test_mem_threads.c: each level under real threads: exact fetch_add totals, ordered reads, convergence. */
#include <pthread.h>
#include <stdatomic.h>

#include <replicore/clock.h>
#include <replicore/mem.h>
#include <replicore/topo.h>

#include "tests/tap.h"
#include "tests/unit/mem_ops.h"

/*
 * Every replica runs on its own thread, bound and pinned through a layout
 * (the machine, and a synthetic 2-node layout mapped onto it). Phase one:
 * every replica does ops fetch_adds on location 0 and marks the value each
 * returned; each value must come back exactly once. Phase two: replica 0
 * writes i to DATA then to FLAG for i = 1..msgs and stores to a shared
 * location OWN; the others read FLAG then DATA: FLAG never goes back and
 * DATA >= FLAG (message passing holds at every level), until FLAG reads
 * msgs; they also store to OWN. After the join and rc_mem_quiesce every
 * replica holds the same values: the fetch_add total, msgs, and one value
 * at OWN. Before that, a store-buffering run (see run_sb).
 *
 * Environment: RC_MEM_THREADS (default 4, capped at the layout's PUs),
 * RC_MEM_OPS (fetch_adds per replica, default 2000), RC_MEM_MSGS (default
 * 2000), RC_MEM_SB_RUNS (default 200). A reader that does not see the
 * last flag within 30 s fails.
 */

enum { COUNT = 0, DATA = 1, FLAG = 2, OWN = 3, NLOCS = 4 };
#define TIMEOUT_NS (30ull * 1000000000ull)

struct run {
	rc_mem_t *mem;
	const rc_topo_t *topo;
	unsigned pus[RC_MEM_MAX_REPLICAS]; /* rc_topo_spread's */
	unsigned n;
	uint64_t ops, msgs;
	_Atomic uint8_t *seen;
	atomic_uint dups, range, bind_fail, backwards, stale_data, timeouts;
};

struct worker {
	struct run *run;
	unsigned id;
	pthread_t thread;
};

static void *worker(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;
	rc_mem_replica_t *r;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t total = run->ops * run->n;

	if (rc_mem_bind(run->mem, w->id, run->topo, run->pus[w->id], RC_MEM_PIN,
			&r, &err) < 0) {
		atomic_fetch_add(&run->bind_fail, 1);
		diag("bind %u: %s", w->id, err.msg);
		return NULL;
	}
	for (uint64_t i = 0; i < run->ops; i++) {
		uint64_t v = fetch_add(r, COUNT, 1);

		if (v >= total)
			atomic_fetch_add(&run->range, 1);
		else if (atomic_exchange(&run->seen[v], 1) != 0)
			atomic_fetch_add(&run->dups, 1);
	}
	if (w->id == 0) {
		for (uint64_t i = 1; i <= run->msgs; i++) {
			rc_mem_store(r, DATA, i, RC_RELEASE);
			rc_mem_store(r, FLAG, i, RC_RELEASE);
			if (i % 64 == 0)
				rc_mem_store(r, OWN, i, RC_RELEASE);
		}
		rc_mem_fence(r, RC_SEQ_CST);
		rc_mem_progress(r);
	} else {
		uint64_t last = 0, deadline = rc_clock_now_ns() + TIMEOUT_NS;

		while (last < run->msgs) {
			uint64_t f = rc_mem_load(r, FLAG);
			uint64_t d = rc_mem_load(r, DATA);

			if (f < last)
				atomic_fetch_add(&run->backwards, 1);
			if (d < f)
				atomic_fetch_add(&run->stale_data, 1);
			if (f != last && f % 128 == 0)
				rc_mem_store(r, OWN, 1000000 + w->id,
					     RC_RELEASE);
			last = f;
			if (rc_clock_now_ns() > deadline) {
				atomic_fetch_add(&run->timeouts, 1);
				break;
			}
		}
		rc_mem_store(r, OWN, 2000000 + w->id, RC_RELEASE);
	}
	rc_mem_unbind(r);
	return NULL;
}

static void run_level(const rc_topo_t *topo, const char *layout,
		      enum rc_level level, unsigned n, uint64_t ops,
		      uint64_t msgs)
{
	const char *ln = rc_level_name(level);
	struct run run = { 0 };
	struct worker *w = calloc(n, sizeof(*w));
	uint64_t missing = 0;
	bool agree = true;

	run.topo = topo;
	rc_topo_spread(topo, n, run.pus);
	run.n = n;
	run.ops = ops;
	run.msgs = msgs;
	run.seen = calloc(ops * n, 1);
	if (rc_mem_create(&run.mem, level, NLOCS, n, 0, NULL) < 0) {
		ok(0, "%s on %s: create", ln, layout);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		w[i].run = &run;
		w[i].id = i;
		pthread_create(&w[i].thread, NULL, worker, &w[i]);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
	rc_mem_quiesce(run.mem);
	for (uint64_t v = 0; v < ops * n; v++)
		missing += run.seen[v] == 0;
	is(atomic_load(&run.bind_fail) + atomic_load(&run.timeouts), 0,
	   "%s on %s (%u replicas): every replica bound, no timeout", ln,
	   layout, n);
	ok(missing == 0 && atomic_load(&run.dups) == 0 &&
		   atomic_load(&run.range) == 0,
	   "%s on %s: %llu fetch_adds returned every value once", ln, layout,
	   (unsigned long long)(ops * n));
	ok(atomic_load(&run.backwards) == 0 &&
		   atomic_load(&run.stale_data) == 0,
	   "%s on %s: the flag never goes back, the data is never older", ln,
	   layout);
	for (unsigned i = 0; i < n; i++)
		for (unsigned l = 0; l < NLOCS; l++)
			agree = agree &&
				rc_mem_read_replica(run.mem, i, l) ==
					rc_mem_read_replica(run.mem, 0, l);
	ok(agree && rc_mem_read_replica(run.mem, 0, COUNT) == ops * n &&
		   rc_mem_read_replica(run.mem, 0, FLAG) == msgs &&
		   rc_mem_read_replica(run.mem, 0, DATA) == msgs,
	   "%s on %s: after quiesce every replica holds the same values", ln,
	   layout);
	rc_mem_destroy(run.mem);
	free((void *)run.seen);
	free(w);
}

/*
 * Store buffering on real threads: each of two replicas stores to its own
 * location and loads the other's, started together by a barrier. LIN and
 * SC must never return 0 to both; TSO must, every time, since a buffered
 * store drains only at its owner's later operations and there are none;
 * CAUSAL may, and the count is only reported (it depends on timing).
 */
struct sb {
	rc_mem_t *mem;
	pthread_barrier_t go;
	uint64_t got[2];
};

struct sb_arg {
	struct sb *sb;
	unsigned id;
};

static void *sb_thread(void *arg)
{
	struct sb_arg *a = arg;
	rc_mem_replica_t *r = rc_mem_replica(a->sb->mem, a->id);

	pthread_barrier_wait(&a->sb->go);
	rc_mem_store(r, a->id, 1, RC_RELEASE);
	a->sb->got[a->id] = rc_mem_load(r, 1 - a->id);
	return NULL;
}

static void run_sb(enum rc_level level, unsigned trials)
{
	unsigned both = 0;

	for (unsigned t = 0; t < trials; t++) {
		struct sb sb = { 0 };
		struct sb_arg args[2] = { { &sb, 0 }, { &sb, 1 } };
		pthread_t th[2];

		rc_mem_create(&sb.mem, level, 2, 2, 0, NULL);
		pthread_barrier_init(&sb.go, NULL, 2);
		for (unsigned i = 0; i < 2; i++)
			pthread_create(&th[i], NULL, sb_thread, &args[i]);
		for (unsigned i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		both += sb.got[0] == 0 && sb.got[1] == 0;
		pthread_barrier_destroy(&sb.go);
		rc_mem_destroy(sb.mem);
	}
	switch (level) {
	case RC_LIN:
	case RC_SC:
		is(both, 0, "%s: store buffering never in %u runs",
		   rc_level_name(level), trials);
		break;
	case RC_TSO:
		is(both, trials, "tso: store buffering in every one of %u runs",
		   trials);
		break;
	case RC_CAUSAL:
		diag("causal: store buffering in %u of %u runs (allowed)", both,
		     trials);
		break;
	default:
		break;
	}
}

static void run_layout(const char *synthetic)
{
	const char *layout = synthetic != NULL ? synthetic : "machine";
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo;
	unsigned n;
	uint64_t ops = tap_env_u64("RC_MEM_OPS", 2000);
	uint64_t msgs = tap_env_u64("RC_MEM_MSGS", 2000);

	if (rc_topo_open(&topo, synthetic, NULL, &err) < 0) {
		ok(0, "open layout %s: %s", layout, err.msg);
		return;
	}
	n = (unsigned)tap_env_u64("RC_MEM_THREADS", 4);
	if (n > rc_topo_npus(topo))
		n = rc_topo_npus(topo);
	if (n > RC_MEM_MAX_REPLICAS)
		n = RC_MEM_MAX_REPLICAS;
	if (n < 2) {
		skip(16, "needs 2 PUs in the layout");
		rc_topo_close(topo);
		return;
	}
	diag("layout %s: %u PUs on %u real, %u replicas", layout,
	     rc_topo_npus(topo), rc_topo_real_npus(topo), n);
	for (int l = RC_LIN; l <= RC_CAUSAL; l++)
		run_level(topo, layout, (enum rc_level)l, n, ops, msgs);
	rc_topo_close(topo);
}

int main(void)
{
	unsigned trials = (unsigned)tap_env_u64("RC_MEM_SB_RUNS", 200);

	for (int l = RC_LIN; l <= RC_CAUSAL; l++)
		run_sb((enum rc_level)l, trials);
	run_layout(NULL);
	run_layout("numa:2 core:2 pu:1");
	done_testing();
	return exit_status();
}
