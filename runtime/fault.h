/* SPDX-License-Identifier: MIT */
/* fault.h: allocation failures injected on the runtime's store, append and send paths, for tests. */
#ifndef RC_RUNTIME_FAULT_H
#define RC_RUNTIME_FAULT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The allocations a store, an append or a send may make call
 * _rc_fault_alloc() first and fail as if out of memory when it returns
 * true. _rc_fault_arm(n) makes the n-th such call from now (1: the next)
 * return true, once; 0 disarms. Unarmed, a call is one relaxed load of a
 * global that nobody writes. Tests only: one test arms at a time (the
 * countdown is process-wide). Any thread; wait-free.
 */
extern _Atomic uint64_t _rc_fault_countdown;

bool _rc_fault_hit(void);
void _rc_fault_arm(uint64_t n);
/* The armed failures that happened since the process started. */
uint64_t _rc_fault_hits(void);

static inline bool _rc_fault_alloc(void)
{
	/* relaxed: a test's countdown, no data travels with it */
	if (__builtin_expect(atomic_load_explicit(&_rc_fault_countdown,
						  memory_order_relaxed) == 0,
			     1))
		return false;
	return _rc_fault_hit();
}

#endif /* RC_RUNTIME_FAULT_H */
