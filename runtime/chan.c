/* SPDX-License-Identifier: MIT */
/* chan.c: bounded channels over ck_ring, with try and blocking calls. */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <ck_ring.h>

#include <replicore/chan.h>

#include "runtime/tsan.h"
#include "runtime/wait.h"

#define RC_CACHELINE 64

/*
 * ck_ring keeps its consumer and producer counters on separate cache lines;
 * the slots live in their own cache-aligned array, so neither a sender nor a
 * receiver shares a line with the channel's read-only fields.
 *
 * Blocking calls park on two events (runtime/wait.h): receivers of an
 * empty channel on nonempty, which every successful send wakes; senders
 * of a full one on nonfull, which every successful receive wakes. Each
 * event has a line of its own: while nobody waits, a wake only reads it,
 * so the line stays shared in every cache (runtime/wait.c says what a
 * wake costs).
 */
struct rc_chan {
	struct ck_ring ring;
	struct ck_ring_buffer *slots;
	enum rc_chan_kind kind;
	_Alignas(RC_CACHELINE) struct _rc_event nonempty;
	_Alignas(RC_CACHELINE) struct _rc_event nonfull;
} __attribute__((aligned(RC_CACHELINE)));

int rc_chan_create(rc_chan_t **out, enum rc_chan_kind kind, unsigned capacity,
		   rc_err_t *err)
{
	rc_chan_t *c;
	unsigned size = 2;

	*out = NULL;
	if (capacity == 0 || capacity > (1u << 30))
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "channel capacity %u is not in 1..2^30",
				  capacity);
	if (kind > RC_CHAN_MPMC)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "unknown channel kind %d", (int)kind);
	/* ck_ring holds size - 1 messages. */
	while (size - 1 < capacity)
		size <<= 1;
	if (posix_memalign((void **)&c, RC_CACHELINE, sizeof(*c)) != 0)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	memset(c, 0, sizeof(*c));
	if (posix_memalign((void **)&c->slots, RC_CACHELINE,
			   (size_t)size * sizeof(*c->slots)) != 0) {
		free(c);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memset(c->slots, 0, (size_t)size * sizeof(*c->slots));
	ck_ring_init(&c->ring, size);
	c->kind = kind;
	_rc_event_init(&c->nonempty);
	_rc_event_init(&c->nonfull);
	*out = c;
	return 0;
}

void rc_chan_destroy(rc_chan_t *c)
{
	if (c == NULL)
		return;
	free(c->slots);
	free(c);
}

enum rc_chan_kind rc_chan_kind(const rc_chan_t *c)
{
	return c->kind;
}

unsigned rc_chan_capacity(const rc_chan_t *c)
{
	return ck_ring_capacity(&c->ring) - 1;
}

unsigned rc_chan_size(const rc_chan_t *c)
{
	return ck_ring_size(&c->ring);
}

/*
 * Waits until the senders of the tickets before ticket have published
 * theirs: spinning, then parked on nonempty, which each of them wakes once
 * it has published. Out of line: the try calls stay small.
 */
static __attribute__((noinline)) void wait_turn(rc_chan_t *c, unsigned ticket)
{
	struct _rc_wait w;

	_rc_wait_start(&w, UINT64_MAX, RC_WAIT_SPIN_PARK);
	for (;;) {
		uint32_t key = _rc_event_key(&c->nonempty);

		if (ck_pr_load_uint(&c->ring.p_tail) == ticket)
			return;
		_rc_wait_event(&w, &c->nonempty, key, UINT64_MAX);
	}
}

/*
 * A multi-sender send: reserve a slot (a CAS on the producer head), fill it,
 * then publish in ticket order. ck_ring's commit spins until the earlier
 * tickets are published; waiting for that here first (wait_turn) lets a
 * preempted earlier sender run again instead of burning the rest of the
 * time slice. The commit then finds its turn at once.
 */
static bool send_mp(rc_chan_t *c, void *msg)
{
	unsigned ticket;
	void **slot;

	slot = c->kind == RC_CHAN_MPSC
		       ? ck_ring_enqueue_reserve_mpsc(&c->ring, c->slots,
						      &ticket)
		       : ck_ring_enqueue_reserve_mpmc(&c->ring, c->slots,
						      &ticket);
	if (slot == NULL)
		return false;
	*slot = msg;
	if (ck_pr_load_uint(&c->ring.p_tail) != ticket)
		wait_turn(c, ticket);
	/*
	 * The commit's store fence orders the slot write above before the
	 * p_tail store that publishes it; pairs with the receiver's load
	 * fence after it reads p_tail.
	 */
	if (c->kind == RC_CHAN_MPSC)
		ck_ring_enqueue_commit_mpsc(&c->ring, ticket);
	else
		ck_ring_enqueue_commit_mpmc(&c->ring, ticket);
	return true;
}

bool rc_chan_trysend(rc_chan_t *c, void *msg)
{
	bool r = false;

	/*
	 * ck_ring's enqueue orders the slot write before the index store
	 * (ck_pr_fence_store) and so releases msg's pointee; pairs with the
	 * load fence after the consumer's index load in the dequeue below.
	 * TSan learns it through the release annotation, made before the
	 * enqueue so that a receiver which sees the message has it already.
	 */
	RC_TSAN_RELEASE(c);
	RC_TSAN_IGNORE_BEGIN();
	switch (c->kind) {
	case RC_CHAN_SPSC:
		r = ck_ring_enqueue_spsc(&c->ring, c->slots, msg);
		break;
	case RC_CHAN_SPMC:
		r = ck_ring_enqueue_spmc(&c->ring, c->slots, msg);
		break;
	case RC_CHAN_MPSC:
	case RC_CHAN_MPMC:
		r = send_mp(c, msg);
		break;
	}
	RC_TSAN_IGNORE_END();
	/* After the index store that published msg: a receiver parked on
	 * an empty channel (or a sender waiting for its turn) wakes. */
	if (r)
		_rc_event_wake(&c->nonempty);
	return r;
}

/*
 * Takes the oldest message. With several receivers, retry says whether a
 * lost race for the consumer index is retried (ck_ring's dequeue, which
 * then returns false only for an empty ring) or returned as false (its
 * trydequeue).
 */
static inline __attribute__((always_inline)) bool
recv_one(rc_chan_t *c, void **msg, bool retry)
{
	bool r = false;

	/*
	 * The dequeue loads the producer index, then fences loads
	 * (ck_pr_fence_load) before reading the slot: acquire, pairing with
	 * the store fence of the enqueue that filled the slot.
	 */
	RC_TSAN_IGNORE_BEGIN();
	switch (c->kind) {
	case RC_CHAN_SPSC:
		r = ck_ring_dequeue_spsc(&c->ring, c->slots, msg);
		break;
	case RC_CHAN_MPSC:
		r = ck_ring_dequeue_mpsc(&c->ring, c->slots, msg);
		break;
	case RC_CHAN_SPMC:
		r = retry ? ck_ring_dequeue_spmc(&c->ring, c->slots, msg)
			  : ck_ring_trydequeue_spmc(&c->ring, c->slots, msg);
		break;
	case RC_CHAN_MPMC:
		r = retry ? ck_ring_dequeue_mpmc(&c->ring, c->slots, msg)
			  : ck_ring_trydequeue_mpmc(&c->ring, c->slots, msg);
		break;
	}
	RC_TSAN_IGNORE_END();
	if (r) {
		RC_TSAN_ACQUIRE(c);
		/* After the consumer index moved: a sender parked on a full
		 * channel wakes. */
		_rc_event_wake(&c->nonfull);
	}
	return r;
}

bool rc_chan_tryrecv(rc_chan_t *c, void **msg)
{
	return recv_one(c, msg, false);
}

/*
 * The blocking calls wait on an event with the default policy: spin for
 * about as long as a park costs, then park until the other side's next
 * successful call wakes them. A send finds the channel full (ck_ring's
 * enqueue returns false only then) and a receive with retry finds it
 * empty, after the key was taken: so a park misses no wake.
 */
int rc_chan_send_timed(rc_chan_t *c, void *msg, uint64_t timeout_ns)
{
	struct _rc_wait w;

	if (rc_chan_trysend(c, msg))
		return 0;
	_rc_wait_start(&w, timeout_ns, RC_WAIT_SPIN_PARK);
	for (;;) {
		uint32_t key = _rc_event_key(&c->nonfull);

		if (rc_chan_trysend(c, msg))
			return 0;
		if (!_rc_wait_event(&w, &c->nonfull, key, UINT64_MAX))
			return -RC_ETIMEDOUT;
	}
}

int rc_chan_recv_timed(rc_chan_t *c, void **msg, uint64_t timeout_ns)
{
	struct _rc_wait w;

	if (recv_one(c, msg, true))
		return 0;
	_rc_wait_start(&w, timeout_ns, RC_WAIT_SPIN_PARK);
	for (;;) {
		uint32_t key = _rc_event_key(&c->nonempty);

		if (recv_one(c, msg, true))
			return 0;
		if (!_rc_wait_event(&w, &c->nonempty, key, UINT64_MAX))
			return -RC_ETIMEDOUT;
	}
}

void rc_chan_send(rc_chan_t *c, void *msg)
{
	int r = rc_chan_send_timed(c, msg, UINT64_MAX);

	assert(r == 0);
	(void)r;
}

void *rc_chan_recv(rc_chan_t *c)
{
	void *msg = NULL;
	int r = rc_chan_recv_timed(c, &msg, UINT64_MAX);

	assert(r == 0);
	(void)r;
	return msg;
}
