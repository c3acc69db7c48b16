/* SPDX-License-Identifier: MIT */
/* test_mem_fence_stress.c: store buffering with seq_cst fences on every rc_mem level from pinned threads, never the outcome the fences forbid. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <replicore/mem.h>
#include <replicore/topo.h>

#include "tests/tap.h"

/*
 * n threads, each bound and pinned to its replica, run rounds k = 1, 2,
 * ... started together: thread i stores k to location i,
 * fences, and loads location i + 1 (mod n); a thread starts round k
 * once all have reached it (a start line they spin on). With seq_cst fences the
 * fences are totally ordered, so in every round some thread's fence
 * comes after its neighbour's and it reads k: a round where every
 * thread reads less than k is forbidden (SB+fencesc for n = 2, its ring
 * for more), at every level, CAUSAL included. One object serves all the
 * rounds, so the causal logs cross segments and are reclaimed meanwhile.
 * The object has one replica more than there are threads, which the main
 * thread binds, writes and fences with, then unbinds (offline) before the
 * rounds: an offline replica must hold no fence up.
 *
 * With acq_rel fences the outcome is allowed at TSO and CAUSAL: at TSO
 * the store of round k is still buffered during round k (it drains
 * RC_MEM_TSO_LAG operations later, two rounds on), so every round shows
 * it, which is asserted (the harness can see the outcome); at CAUSAL it
 * depends on the machine and the count is only reported. On x86 it does
 * not show (0 of 2000 rounds, measured on this project's 2-core x86
 * machine): a causal load that follows its replica's write enters the
 * logs with a locked read-modify-write (log_mark_in) after the write's
 * publication, which x86 does not reorder with the load of the other
 * sender's count; there the assertion at CAUSAL holds whatever the
 * fence does, and bites on hardware that reorders more.
 *
 * Environment: RC_STRESS_THREADS (default 4, capped at the layout's PUs;
 * the test skips below 2), RC_STRESS_FENCE_ROUNDS (default 2000, times
 * RC_SCALE). Nothing waits but the start line, the final barrier
 * and the fence's own lock.
 */

struct run {
	rc_mem_t *mem;
	const rc_topo_t *topo;
	unsigned pus[RC_MEM_MAX_REPLICAS]; /* rc_topo_spread's */
	unsigned n;
	uint64_t rounds;
	rc_order_t order;
	pthread_barrier_t go;
	uint64_t *got; /* [(k - 1) * n + i]: what thread i read in round k */
	atomic_uint bind_fail;
	_Atomic uint64_t arrived; /* threads that reached each round */
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
	bool bound = true;

	if (rc_mem_bind(run->mem, w->id, run->topo, run->pus[w->id], RC_MEM_PIN,
			&r, &err) < 0) {
		/* go on unpinned: the others wait at the barrier */
		atomic_fetch_add(&run->bind_fail, 1);
		diag("bind %u: %s", w->id, err.msg);
		r = rc_mem_replica(run->mem, w->id);
		bound = false;
	}
	for (uint64_t k = 1; k <= run->rounds; k++) {
		/* the start line: all n leave it within a few cycles when
		 * they run on PUs of their own, which a barrier's wake-up
		 * would spread apart */
		atomic_fetch_add(&run->arrived, 1);
		while (atomic_load(&run->arrived) < k * run->n)
			sched_yield();
		rc_mem_store(r, w->id, k, RC_RELEASE);
		rc_mem_fence(r, run->order);
		run->got[(k - 1) * run->n + w->id] =
			rc_mem_load(r, (w->id + 1) % run->n);
	}
	/* unbinding drains a TSO buffer: not before the last loads */
	pthread_barrier_wait(&run->go);
	if (bound)
		rc_mem_unbind(r);
	return NULL;
}

/* Runs the rounds; returns how many showed the forbidden outcome. */
static uint64_t run_rounds(const rc_topo_t *topo, enum rc_level level,
			   unsigned n, uint64_t rounds, rc_order_t order,
			   unsigned *bind_fail)
{
	struct run run = { 0 };
	struct worker w[RC_MEM_MAX_REPLICAS];
	rc_mem_replica_t *off;
	uint64_t weak = 0;

	run.topo = topo;
	rc_topo_spread(topo, n, run.pus);
	run.n = n;
	run.rounds = rounds;
	run.order = order;
	run.got = calloc(rounds * n, sizeof(*run.got));
	if (run.got == NULL ||
	    rc_mem_create(&run.mem, level, n + 1, n + 1, 0, NULL) < 0)
		abort();
	/* the extra replica writes, fences and goes offline */
	if (rc_mem_bind(run.mem, n, NULL, 0, 0, &off, NULL) < 0)
		abort();
	rc_mem_store(off, n, 1, RC_RELEASE);
	rc_mem_fence(off, RC_SEQ_CST);
	rc_mem_unbind(off);
	pthread_barrier_init(&run.go, NULL, n);
	for (unsigned i = 0; i < n; i++) {
		w[i].run = &run;
		w[i].id = i;
		pthread_create(&w[i].thread, NULL, worker, &w[i]);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
	for (uint64_t k = 1; k <= rounds; k++) {
		bool all_old = true;

		for (unsigned i = 0; i < n && all_old; i++)
			all_old = run.got[(k - 1) * n + i] < k;
		weak += all_old;
	}
	*bind_fail = atomic_load(&run.bind_fail);
	rc_mem_quiesce(run.mem);
	pthread_barrier_destroy(&run.go);
	rc_mem_destroy(run.mem);
	free(run.got);
	return weak;
}

static void run_layout(const char *synthetic)
{
	const char *layout = synthetic != NULL ? synthetic : "machine";
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo;
	unsigned n, fail;
	uint64_t rounds = tap_env_u64("RC_STRESS_FENCE_ROUNDS", 2000), weak;

	if (rc_topo_open(&topo, synthetic, NULL, &err) < 0) {
		ok(0, "open layout %s: %s", layout, err.msg);
		return;
	}
	n = (unsigned)tap_env_fixed("RC_STRESS_THREADS", 4);
	if (n > rc_topo_npus(topo))
		n = rc_topo_npus(topo);
	if (n > RC_MEM_MAX_REPLICAS - 1)
		n = RC_MEM_MAX_REPLICAS - 1;
	if (n < 2 || rounds == 0) {
		skip(5, "needs 2 PUs in the layout and a round");
		rc_topo_close(topo);
		return;
	}
	diag("layout %s: %u PUs on %u real, %u threads, %llu rounds", layout,
	     rc_topo_npus(topo), rc_topo_real_npus(topo), n,
	     (unsigned long long)rounds);
	for (int l = RC_LIN; l <= RC_CAUSAL; l++) {
		enum rc_level level = (enum rc_level)l;

		weak = run_rounds(topo, level, n, rounds, RC_SEQ_CST, &fail);
		ok(weak == 0 && fail == 0,
		   "%s on %s: seq_cst fences, no round where all %u threads "
		   "read old values (%llu of %llu; %u binds failed)",
		   rc_level_name(level), layout, n, (unsigned long long)weak,
		   (unsigned long long)rounds, fail);
	}
	weak = run_rounds(topo, RC_TSO, n, rounds, RC_ACQ_REL, &fail);
	ok(weak == rounds && fail == 0,
	   "tso on %s: acq_rel fences, every round reads old values (%llu "
	   "of %llu)",
	   layout, (unsigned long long)weak, (unsigned long long)rounds);
	weak = run_rounds(topo, RC_CAUSAL, n, rounds, RC_ACQ_REL, &fail);
	diag("causal on %s: acq_rel fences, %llu of %llu rounds read old "
	     "values (allowed)",
	     layout, (unsigned long long)weak, (unsigned long long)rounds);
	rc_topo_close(topo);
}

int main(void)
{
	run_layout(NULL);
	run_layout("numa:2 core:2 pu:1");
	done_testing();
	return exit_status();
}
