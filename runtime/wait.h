/* SPDX-License-Identifier: MIT */
/* wait.h: how a blocking call waits: a calibrated spin of pauses, then parking on an event that the party making the condition true wakes. */
#ifndef RC_RUNTIME_WAIT_H
#define RC_RUNTIME_WAIT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <replicore/wait.h>

#include "runtime/tsan.h"

/*
 * An event is an eventcount: a waiter reads the key, checks its
 * condition, and parks only if the key has not moved since; a waker makes
 * the condition true, then calls _rc_event_wake, which moves the key and
 * enters the kernel only when a waiter has armed the event.
 *
 * No wake-up is lost. A waiter does not park on its first turn after the
 * spin phase: it arms the event (raises its flag, then a seq_cst fence)
 * and returns, so the caller takes the key and checks its condition once
 * more, now armed. The waker stores its condition, then a seq_cst fence,
 * then loads the flag (Dekker's pattern with two fences; wait.c says why
 * not an asymmetric pair): either the waiter's check sees the condition,
 * or the waker sees the flag, clears it, moves the key and wakes, and the
 * park, with a key taken after the arming, either sees the key moved or
 * is woken. (Checking only the key after arming is not enough: a waker
 * that saw no flag does not move it.) A park disarms the waiter, so it
 * arms again before its next park; so does a key that moved since the
 * arming, since the wake that moved it may have taken the flag (a wake
 * for an older condition, delayed between its load of the flag and its
 * exchange, does that).
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
	_Atomic uint32_t waiters; /* 1: armed by a waiter since the last wake */
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

/* A seq_cst fence, out of line (for ThreadSanitizer, see wait.c). */
void _rc_wait_fence_out(void);
/* _rc_event_wake once the flag was seen raised. */
void _rc_event_wake_armed(struct _rc_event *e);

/* The wake's fence: inline, but out of line under ThreadSanitizer. */
static inline void _rc_event_fence(void)
{
#ifdef RC_TSAN
	_rc_wait_fence_out();
#else
	/* seq_cst fence: see _rc_event_wake */
	atomic_thread_fence(memory_order_seq_cst);
#endif
}

/*
 * Wakes every thread parked on e. Call after making the condition true.
 * Wait-free when the event is not armed: a seq_cst fence and a load of
 * the flag. Otherwise an exchange, an increment and one futex wake
 * system call. A waiter that armed the event and then found its
 * condition true leaves the flag up: the next wake pays the system call
 * once for it. Any thread.
 */
static inline void _rc_event_wake(struct _rc_event *e)
{
	/*
	 * seq_cst fence: orders the caller's store that made the condition
	 * true before the load of the flag; pairs with the fence after the
	 * flag's store in the waiter's arming (Dekker's pattern): either
	 * we see the flag, or the waiter's next check sees the condition.
	 */
	_rc_event_fence();
	/* relaxed: ordered by the fence above */
	if (atomic_load_explicit(&e->waiters, memory_order_relaxed) != 0)
		_rc_event_wake_armed(e);
}

/*
 * 1 while a waiter has armed e and no wake has cleared it since: a
 * waiter is parked or about to park (a hint). Wait-free.
 */
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
	unsigned round;		 /* legacy steps taken */
	uint64_t spun;		 /* pauses spun so far */
	uint64_t deadline;	 /* monotonic ns; 0: no deadline */
	uint64_t parks;		 /* times this waiter parked */
	struct _rc_event *armed; /* the event armed for the next park */
	uint32_t armed_key;	 /* the key the caller held when it armed */
};

/*
 * Starts a wait that gives up timeout_ns from now (UINT64_MAX, or any
 * time past the clock's range: never).
 */
void _rc_wait_start(struct _rc_wait *w, uint64_t timeout_ns,
		    enum rc_wait_policy policy);

/*
 * One step of a wait on event e with the key read before the condition
 * was checked: during the spin phase one pause; after it (or at once
 * with RC_WAIT_PARK) arms e and returns at once, and on the next
 * step parks until e is woken, the
 * deadline passes or max_park_ns passes (UINT64_MAX: no bound but the
 * deadline), whichever is first. Returns false once the deadline has
 * passed. Blocking; one waiter's steps in one thread, any number of
 * waiters on one event.
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

/*
 * What the calling thread's waits have done since the thread started:
 * turns (calls of _rc_wait_event and _rc_wait_step, each made because a
 * condition was found false), parks and naps. For tests and statistics:
 * a thread reads its own counts. Wait-free.
 */
struct _rc_wait_counts {
	uint64_t turns;
	uint64_t parks;
	uint64_t naps;
};
void _rc_wait_thread_counts(struct _rc_wait_counts *out);

/* The pauses the spin phase lasts, calibrated once per process. */
uint64_t _rc_wait_spin_pauses(void);

#endif /* RC_RUNTIME_WAIT_H */
