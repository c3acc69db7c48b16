/* SPDX-License-Identifier: MIT */
/* wait.h: how a blocking call waits: a calibrated spin of pauses, then parking on an event that the party making the condition true wakes. */
#ifndef RC_RUNTIME_WAIT_H
#define RC_RUNTIME_WAIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <replicore/wait.h>

/*
 * An event is an eventcount: a waiter reads the key, checks its
 * condition, and parks only if the key has not moved since; a waker makes
 * the condition true, then calls _rc_event_wake, which moves the key and
 * enters the kernel only when somebody is parked. No wake-up is lost:
 * either the waker sees the waiter's count (and wakes it), or the waiter's
 * check after counting itself sees the condition (both sides order their
 * two accesses with seq_cst, Dekker's pattern).
 *
 * A waiter's loop:
 *
 *	_rc_wait_start(&w, timeout_ns, policy);
 *	for (;;) {
 *		uint32_t key = _rc_event_key(ev);
 *		if (condition())
 *			break;
 *		if (!_rc_wait_event(&w, ev, key, max_park_ns))
 *			return -RC_ETIMEDOUT;
 *	}
 *
 * and a waker's: make the condition true (a release store or stronger),
 * then _rc_event_wake(ev).
 */
struct _rc_event {
	_Atomic uint32_t seq;	  /* the key: moved by every wake that wakes */
	_Atomic uint32_t waiters; /* threads parked or about to park */
};

#define _RC_EVENT_INITIALIZER \
	{                     \
		0, 0          \
	}

void _rc_event_init(struct _rc_event *e);

/* The key to park with. Wait-free, any thread. */
static inline uint32_t _rc_event_key(struct _rc_event *e)
{
	/* acquire: pairs with the seq_cst increment in _rc_event_wake, so
	 * a key taken after a wake sees the condition that wake made. */
	return atomic_load_explicit(&e->seq, memory_order_acquire);
}

/*
 * Wakes every thread parked on e. Call after making the condition true.
 * Wait-free when nobody is parked (a fence and a load of the waiter
 * count); otherwise one futex wake system call. Any thread.
 */
void _rc_event_wake(struct _rc_event *e);

/* Threads parked or about to park on e now (a hint). Wait-free. */
static inline uint32_t _rc_event_waiters(struct _rc_event *e)
{
	/* relaxed: a hint for tests and statistics */
	return atomic_load_explicit(&e->waiters, memory_order_relaxed);
}

/*
 * One waiter's state: its policy, how long it has spun, its deadline.
 */
struct _rc_wait {
	enum rc_wait_policy policy;
	unsigned round;	   /* legacy steps taken */
	uint64_t spun;	   /* pauses spun so far */
	uint64_t deadline; /* monotonic ns; 0: no deadline */
	uint64_t parks;	   /* times this waiter parked */
};

/* Starts a wait that gives up timeout_ns from now (UINT64_MAX: never). */
void _rc_wait_start(struct _rc_wait *w, uint64_t timeout_ns,
		    enum rc_wait_policy policy);

/*
 * One step of a wait on event e with the key read before the condition
 * was checked: during the spin phase one pause; after it (or at once
 * with RC_WAIT_PARK) parks until e is woken, the deadline passes or
 * max_park_ns passes (UINT64_MAX: no bound but the deadline), whichever
 * is first. Returns false once the deadline has passed. Blocking.
 */
bool _rc_wait_event(struct _rc_wait *w, struct _rc_event *e, uint32_t key,
		    uint64_t max_park_ns);

/*
 * For waits that no party wakes (polling a condition nobody signals):
 * spin as above, then nap in growing naps of up to 100 us. Prefer an
 * event. _rc_wait_init is _rc_wait_start with the default policy.
 */
void _rc_wait_init(struct _rc_wait *w, uint64_t timeout_ns);
bool _rc_wait_step(struct _rc_wait *w);

/* The pauses the spin phase lasts, calibrated once per process. */
uint64_t _rc_wait_spin_pauses(void);

#endif /* RC_RUNTIME_WAIT_H */
