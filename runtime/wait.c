/* SPDX-License-Identifier: MIT */
/* wait.c: the spin-backoff-yield-nap loop shared by blocking calls. */
#include <sched.h>
#include <time.h>

#include <ck_backoff.h>

#include <replicore/clock.h>

#include "runtime/wait.h"

/*
 * The spin phase is short: 64 + 128 + 256 + 512 pause instructions, a few
 * tens of microseconds, about what a partner on another core needs to
 * answer. Longer spins only steal the CPU from a partner on the same one.
 */
enum {
	SPIN_FIRST = 64,   /* pauses in the first backoff round */
	SPIN_ROUNDS = 4,   /* backoff rounds before yielding */
	YIELD_ROUNDS = 16, /* yields before napping */
	NAP_MAX_NS = 100000,
};

void _rc_wait_init(struct _rc_wait *w, uint64_t timeout_ns)
{
	w->round = 0;
	w->backoff = SPIN_FIRST;
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
