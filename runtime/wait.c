/* SPDX-License-Identifier: MIT */
/* wait.c: the spin-backoff-yield-nap loop shared by blocking calls. */
#include <sched.h>
#include <time.h>

#include <ck_backoff.h>

#include <replicore/clock.h>

#include "runtime/wait.h"

enum {
	SPIN_ROUNDS = 16,  /* backoff spins before yielding */
	YIELD_ROUNDS = 64, /* yields before napping */
	NAP_MAX_NS = 100000,
};

void _rc_wait_init(struct _rc_wait *w, uint64_t timeout_ns)
{
	w->round = 0;
	w->backoff = CK_BACKOFF_INITIALIZER;
	if (timeout_ns == UINT64_MAX)
		w->deadline = 0;
	else
		w->deadline = rc_clock_now_ns() + timeout_ns;
	if (w->deadline == 0 && timeout_ns != UINT64_MAX)
		w->deadline = 1;
}

bool _rc_wait_step(struct _rc_wait *w)
{
	if (w->deadline != 0 && rc_clock_now_ns() >= w->deadline)
		return false;
	if (w->round < SPIN_ROUNDS) {
		ck_backoff_eb(&w->backoff);
	} else if (w->round < SPIN_ROUNDS + YIELD_ROUNDS) {
		sched_yield();
	} else {
		unsigned k = w->round - SPIN_ROUNDS - YIELD_ROUNDS;
		long ns = 1000L << (k < 7 ? k : 7);
		struct timespec ts = { 0, ns < NAP_MAX_NS ? ns : NAP_MAX_NS };

		nanosleep(&ts, NULL);
	}
	if (w->round < UINT32_MAX)
		w->round++;
	return true;
}
