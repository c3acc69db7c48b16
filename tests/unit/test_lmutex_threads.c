/* SPDX-License-Identifier: MIT */
/* test_lmutex_threads.c: rc_lmutex between threads: a shared counter incremented non-atomically inside the critical section loses no update, the lock's argument checks, a lone process, and a process that leaves. */
#include <pthread.h>
#include <stdlib.h>

#include <replicore/lmutex.h>
#include <replicore/topo.h>

#include "tests/tap.h"

/*
 * Environment: RC_LMUTEX_THREADS processes, one thread each (default 2,
 * capped at the PUs hwloc reports; skipped below 2), RC_LMUTEX_ITERS
 * critical sections per thread (default 5000, times RC_SCALE). The
 * counter and the holder mark are plain variables: only the lock orders
 * them, so a broken exclusion shows as lost updates, a foreign mark, or a
 * data race under ThreadSanitizer.
 */

struct shared {
	rc_lmutex_t *m;
	const rc_topo_t *topo;
	uint64_t iters;
	uint64_t counter; /* plain: the lock protects it */
	unsigned holder;  /* plain: the id of the process inside */
};

struct worker {
	struct shared *s;
	unsigned id;
	uint64_t foreign; /* times the mark was not its own */
	pthread_t t;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *s = w->s;

	(void)rc_topo_pin(s->topo, w->id % rc_topo_npus(s->topo), NULL);
	for (uint64_t i = 0; i < s->iters; i++) {
		uint64_t c;

		rc_lmutex_lock(s->m, w->id);
		s->holder = w->id;
		c = s->counter;
		/* a compiler barrier: the read and the write stay apart */
		__asm__ __volatile__("" ::: "memory");
		s->counter = c + 1;
		if (s->holder != w->id)
			w->foreign++;
		rc_lmutex_unlock(s->m, w->id);
	}
	rc_lmutex_leave(s->m, w->id);
	return NULL;
}

static void test_counter(const rc_topo_t *topo)
{
	unsigned pus = rc_topo_npus(topo);
	unsigned n = (unsigned)tap_env_fixed("RC_LMUTEX_THREADS", 2);
	uint64_t iters = tap_env_u64("RC_LMUTEX_ITERS", 5000), foreign = 0;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct shared s = { 0 };
	struct worker *w;

	if (n > pus)
		n = pus;
	if (n < 2) {
		diag("%u PUs", pus);
		skip(3, "needs 2 threads on 2 PUs");
		return;
	}
	s.topo = topo;
	s.iters = iters;
	w = calloc(n, sizeof *w);
	ok(w && rc_lmutex_create(&s.m, n, &err) == 0, "a lock of %u processes",
	   n);
	if (!w || !s.m) {
		skip(2, "no lock");
		free(w);
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		w[i].s = &s;
		w[i].id = i;
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		foreign += w[i].foreign;
	}
	is(s.counter, n * iters,
	   "%u threads x %llu sections: no increment lost", n,
	   (unsigned long long)iters);
	is(foreign, 0, "no process saw another's mark inside");
	rc_lmutex_destroy(s.m);
	free(w);
}

/* One process: no message to wait for; argument checks. */
static void test_alone(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_lmutex_t *m;

	ok(rc_lmutex_create(&m, 0, &err) == -RC_EINVAL,
	   "no processes: -RC_EINVAL (%s)", err.msg);
	ok(rc_lmutex_create(&m, 257, &err) == -RC_EINVAL,
	   "257 processes: -RC_EINVAL");
	ok(rc_lmutex_create(&m, 1, &err) == 0 && rc_lmutex_nprocs(m) == 1,
	   "one process");
	for (int i = 0; i < 3; i++) {
		rc_lmutex_lock(m, 0);
		rc_lmutex_unlock(m, 0);
	}
	ok(1, "a lone process locks and unlocks without waiting");
	rc_lmutex_destroy(m);
}

/*
 * Two processes in one thread: nothing to serve at first; once 1 left,
 * 0 locks without waiting for it, twice (its second request would wait
 * for ever for 1 if the leave were lost), and 1's leave was the only
 * message 0 had to take in.
 */
static void test_leave(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_lmutex_t *m;

	if (rc_lmutex_create(&m, 2, &err) < 0) {
		skip(3, "no lock");
		return;
	}
	is(rc_lmutex_serve(m, 1), 0, "nothing to serve at first");
	rc_lmutex_leave(m, 1);
	is(rc_lmutex_serve(m, 0), 1, "0 takes in 1's leave");
	for (int i = 0; i < 2; i++) {
		rc_lmutex_lock(m, 0);
		rc_lmutex_unlock(m, 0);
	}
	is(rc_lmutex_serve(m, 0), 0,
	   "once 1 left, 0 locks alone and nothing comes");
	rc_lmutex_destroy(m);
	/* the most processes: every sender id survives the packing */
	if (rc_lmutex_create(&m, 256, &err) < 0) {
		skip(2, "no lock of 256");
		return;
	}
	for (unsigned i = 255; i >= 1; i--)
		rc_lmutex_leave(m, i);
	is(rc_lmutex_serve(m, 0), 255, "0 takes in 255 leaves");
	rc_lmutex_lock(m, 0);
	rc_lmutex_unlock(m, 0);
	ok(1, "then locks alone among 256");
	rc_lmutex_destroy(m);
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo;

	test_alone();
	test_leave();
	if (rc_topo_open(&topo, NULL, NULL, &err) < 0) {
		diag("no topology: %s", err.msg);
		skip(3, "no topology");
	} else {
		test_counter(topo);
		rc_topo_close(topo);
	}
	done_testing();
	return exit_status();
}
