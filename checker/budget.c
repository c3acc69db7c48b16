/* SPDX-License-Identifier: MIT */
/* budget.c: one check's limits, shared by the threads that check its keys: the deadline, the memory charged against the limit, and the first violating key. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "checker/internal.h"

_Thread_local struct _rc_task *_rc_task;

void _rc_budget_init(struct _rc_budget *b, double deadline, size_t max_bytes,
		     bool stop_first)
{
	b->deadline = deadline;
	b->max_bytes = max_bytes;
	b->stop_first = stop_first;
	atomic_init(&b->bytes, 0);
	atomic_init(&b->first_bad, SIZE_MAX);
	atomic_init(&b->over, RC_GO);
}

bool _rc_charge(ptrdiff_t delta)
{
	struct _rc_task *t = _rc_task;
	size_t now;

	if (t == NULL)
		return true;
	if (delta <= 0) {
		atomic_fetch_sub_explicit(&t->b->bytes, (size_t)-delta,
					  memory_order_relaxed);
		t->charged += delta;
		return true;
	}
	/* a counter only: no other memory is ordered by it */
	now = atomic_fetch_add_explicit(&t->b->bytes, (size_t)delta,
					memory_order_relaxed) +
	      (size_t)delta;
	if (t->b->max_bytes > 0 && now > t->b->max_bytes) {
		atomic_fetch_sub_explicit(&t->b->bytes, (size_t)delta,
					  memory_order_relaxed);
		atomic_store_explicit(&t->b->over, RC_STOP_MEMORY,
				      memory_order_relaxed);
		return false;
	}
	t->charged += delta;
	return true;
}

enum _rc_stop _rc_poll(void)
{
	struct _rc_task *t = _rc_task;
	int over;

	if (t == NULL)
		return RC_GO;
	/* flags only: a stale read delays the stop by one poll */
	over = atomic_load_explicit(&t->b->over, memory_order_relaxed);
	if (over != RC_GO)
		return (enum _rc_stop)over;
	if (t->b->deadline > 0 && _rc_now() > t->b->deadline) {
		atomic_store_explicit(&t->b->over, RC_STOP_TIME,
				      memory_order_relaxed);
		return RC_STOP_TIME;
	}
	if (t->b->stop_first &&
	    atomic_load_explicit(&t->b->first_bad, memory_order_relaxed) <
		    t->part)
		return RC_STOP_ABANDON;
	return RC_GO;
}

const char *_rc_stop_name(enum _rc_stop why)
{
	switch (why) {
	case RC_STOP_TIME:
		return "timed out";
	case RC_STOP_MEMORY:
		return "memory limit reached";
	case RC_STOP_ABANDON:
		return "abandoned";
	default:
		return "running";
	}
}
