/* SPDX-License-Identifier: MIT */
/* wait.h: how a blocking call waits: spin, back off, yield, then nap. */
#ifndef RC_RUNTIME_WAIT_H
#define RC_RUNTIME_WAIT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * One waiter's state. A waiter spins with exponential backoff for a few
 * rounds (cheap when the partner is running on another core), then yields
 * the CPU (when the partner shares this core), then sleeps in naps of up
 * to 100 us so a long wait costs almost nothing.
 */
struct _rc_wait {
	unsigned round;
	unsigned backoff;
	uint64_t deadline; /* monotonic ns; 0: no deadline */
};

/* Starts a wait that gives up timeout_ns from now (UINT64_MAX: never). */
void _rc_wait_init(struct _rc_wait *w, uint64_t timeout_ns);

/* Waits one step; returns false once the deadline has passed. */
bool _rc_wait_step(struct _rc_wait *w);

#endif /* RC_RUNTIME_WAIT_H */
