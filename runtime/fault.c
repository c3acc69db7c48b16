/* SPDX-License-Identifier: MIT */
/* fault.c: the countdown of injected allocation failures (fault.h). */
#include "runtime/fault.h"

_Atomic uint64_t _rc_fault_countdown;
static _Atomic uint64_t hits;

bool _rc_fault_hit(void)
{
	/* relaxed: a count; the allocation that fails carries nothing */
	uint64_t c = atomic_load_explicit(&_rc_fault_countdown,
					  memory_order_relaxed);

	while (c != 0) {
		/* relaxed: as above; the exchange makes one call the n-th */
		if (atomic_compare_exchange_weak_explicit(
			    &_rc_fault_countdown, &c, c - 1,
			    memory_order_relaxed, memory_order_relaxed)) {
			if (c != 1)
				return false;
			/* relaxed: a count read by the test after a join */
			atomic_fetch_add_explicit(&hits, 1,
						  memory_order_relaxed);
			return true;
		}
	}
	return false;
}

void _rc_fault_arm(uint64_t n)
{
	/* relaxed: armed before the calls it counts, in the same thread
	 * or before the threads are started */
	atomic_store_explicit(&_rc_fault_countdown, n, memory_order_relaxed);
}

uint64_t _rc_fault_hits(void)
{
	/* relaxed: read after the calls it counts were joined */
	return atomic_load_explicit(&hits, memory_order_relaxed);
}
