/* SPDX-License-Identifier: MIT */
/* chan.c: bounded channels over ck_ring, with try and blocking calls. */
#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <ck_ring.h>

#include <replicore/chan.h>

#include "runtime/chan_int.h"
#include "runtime/tsan.h"
#include "runtime/wait.h"

#define RC_CACHELINE 64

/*
 * ck_ring keeps its consumer and producer counters on separate cache lines;
 * the slots live in their own cache-aligned array, so neither a sender nor a
 * receiver shares a line with the channel's read-only fields.
 *
 * Blocking calls park on two events (runtime/wait.h): receivers of an
 * empty channel on nonempty, which every send wakes as it publishes;
 * senders of a full one on nonfull, which every successful receive
 * wakes. Each
 * event has a line of its own: while nobody waits, a wake only reads it,
 * so the line stays shared in every cache (runtime/wait.c says what a
 * wake costs). The multi-sender kinds keep a flag per slot, handed,
 * for senders that hand their publication over (see publish_mp).
 */
struct rc_chan {
	struct ck_ring ring;
	struct ck_ring_buffer *slots;
	_Atomic unsigned *handed;
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
	if (kind == RC_CHAN_MPSC || kind == RC_CHAN_MPMC) {
		if (posix_memalign((void **)&c->handed, RC_CACHELINE,
				   (size_t)size * sizeof(*c->handed)) != 0) {
			free(c->slots);
			free(c);
			return rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
					  "out of memory");
		}
		/* i + 1 is no ticket of slot i: nothing handed over. */
		for (unsigned i = 0; i < size; i++)
			atomic_init(&c->handed[i], i + 1);
	}
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
	free(c->handed);
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
 * A multi-sender send reserves a slot (ck_ring's CAS on the producer
 * head, which hands out tickets in order), fills it, and publishes it by
 * moving the producer tail past it; the tail moves in ticket order
 * (ck_ring's commit rule), so a slot is published only once every
 * earlier one is. A sender whose turn has not come (an earlier sender
 * has reserved but not yet published) does not wait for it beyond a
 * short spin: it hands its publication over and returns. Whoever moves
 * the tail to a ticket (its own sender, or a sender that took it over)
 * then publishes that ticket too if it was handed over, and so on down
 * the line. So no sender waits for another sender beyond the spin, and
 * a sender stalled between reserving and publishing holds back the
 * messages behind it only, not their senders.
 *
 * The handover is a flag per slot: handed[t & mask] == t while ticket t
 * is handed over and not yet taken; any other value (t + 1 after it was
 * taken, i + 1 for slot i at first) says no. A flag of ticket t is
 * raised only while t is reserved and unpublished, and taken down before
 * the tail passes t, so ticket t + size (the slot's next ticket, which
 * the ring grants only once t is received) finds it down: the CAS that
 * takes it down precedes the commit's store fence and tail store, the
 * receive that frees the slot follows its load of the tail, and the
 * sender of t + size loads the consumer index before its release store
 * of the flag.
 *
 * Raising and looking are Dekker's pattern: the sender raises the flag,
 * then a seq_cst fence, then loads the tail; the publisher of t - 1
 * moves the tail to t, then a seq_cst fence (its wake's), then loads the
 * flag. Either the sender sees its turn, or the publisher sees the flag;
 * when both do, a CAS on the flag decides who publishes t.
 */

/* Publishes ticket t, whose turn it is (the tail is at t), then each
 * later ticket handed over to it. */
static void publish_mp(rc_chan_t *c, unsigned t)
{
	const unsigned mask = c->ring.mask;
	unsigned v;

	for (;;) {
		/*
		 * The commit's store fence orders the slot's write (ours,
		 * or, for a ticket taken over, its sender's, which the
		 * acquire CAS below made ours) before the tail store that
		 * publishes it; pairs with the load fence after the
		 * receiver's tail load. The commit does not spin: the
		 * tail is at t.
		 */
		if (c->kind == RC_CHAN_MPSC)
			ck_ring_enqueue_commit_mpsc(&c->ring, t);
		else
			ck_ring_enqueue_commit_mpmc(&c->ring, t);
		/*
		 * Wakes the receivers parked on an empty channel. Its
		 * seq_cst fence also orders the tail store above before
		 * the flag's load below (Dekker's pattern, see above);
		 * pairs with the fence in hand_over.
		 */
		_rc_event_wake(&c->nonempty);
		t++;
		/* relaxed: ordered by the wake's fence; the CAS decides */
		v = atomic_load_explicit(&c->handed[t & mask],
					 memory_order_relaxed);
		/*
		 * acquire: the slot's write by t's sender (before its
		 * release store of the flag) happens before our commit of
		 * it; pairs with the release store in hand_over.
		 */
		if (v != t ||
		    !atomic_compare_exchange_strong_explicit(
			    &c->handed[t & mask], &v, t + 1,
			    memory_order_acquire, memory_order_relaxed))
			return;
	}
}

/* Hands ticket t's publication over to the publisher of t - 1. */
static __attribute__((noinline)) void hand_over(rc_chan_t *c, unsigned t)
{
	_Atomic unsigned *flag = &c->handed[c->ring.mask & t];
	unsigned v = t;

	/* release: orders the slot's write before the flag; pairs with the
	 * acquire CAS in publish_mp */
	atomic_store_explicit(flag, t, memory_order_release);
	/* seq_cst fence: orders the flag before the tail's load below
	 * (Dekker's pattern, see above); pairs with the wake's fence in
	 * publish_mp */
	_rc_event_fence();
	if (ck_pr_load_uint(&c->ring.p_tail) != t)
		return; /* the publisher of t - 1 will see the flag */
	/* Our turn came meanwhile: take it back, unless that publisher
	 * took it already. relaxed: the slot's write is our own. */
	if (atomic_compare_exchange_strong_explicit(flag, &v, t + 1,
						    memory_order_relaxed,
						    memory_order_relaxed))
		publish_mp(c, t);
}

/* Reserves a slot of a multi-sender channel and fills it: false if full. */
static inline bool reserve_mp(rc_chan_t *c, void *msg, unsigned *ticket)
{
	void **slot = c->kind == RC_CHAN_MPSC
			      ? ck_ring_enqueue_reserve_mpsc(&c->ring, c->slots,
							     ticket)
			      : ck_ring_enqueue_reserve_mpmc(&c->ring, c->slots,
							     ticket);

	if (slot == NULL)
		return false;
	*slot = msg;
	return true;
}

/*
 * Publishes a reserved ticket when its turn comes within the spin (about
 * an eighth of the wait's spin phase: an earlier sender that is running
 * publishes within a few cache-line transfers), or hands it over.
 */
static inline void commit_mp(rc_chan_t *c, unsigned ticket)
{
	uint64_t n = 0, spin = 0;

	while (ck_pr_load_uint(&c->ring.p_tail) != ticket) {
		if (spin == 0)
			spin = _rc_wait_spin_pauses() / 8 + 1;
		if (n++ == spin) {
			hand_over(c, ticket);
			return;
		}
		ck_pr_stall();
	}
	publish_mp(c, ticket);
}

static bool send_mp(rc_chan_t *c, void *msg)
{
	unsigned ticket;

	if (!reserve_mp(c, msg, &ticket))
		return false;
	commit_mp(c, ticket);
	return true;
}

bool _rc_chan_reserve(rc_chan_t *c, void *msg, unsigned *ticket)
{
	bool r;

	assert(c->kind == RC_CHAN_MPSC || c->kind == RC_CHAN_MPMC);
	RC_TSAN_RELEASE(c);
	RC_TSAN_IGNORE_BEGIN();
	r = reserve_mp(c, msg, ticket);
	RC_TSAN_IGNORE_END();
	return r;
}

void _rc_chan_commit(rc_chan_t *c, unsigned ticket)
{
	RC_TSAN_IGNORE_BEGIN();
	commit_mp(c, ticket);
	RC_TSAN_IGNORE_END();
}

/*
 * The calls for a channel of kind k. Each kind's named calls (at the end)
 * inline them with k a constant, so that the switches on k fold away; the
 * calls without a kind in their name pass the channel's kind and switch.
 */
static inline __attribute__((always_inline)) bool
trysend_k(rc_chan_t *c, void *msg, enum rc_chan_kind k)
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
	switch (k) {
	case RC_CHAN_SPSC:
		r = ck_ring_enqueue_spsc(&c->ring, c->slots, msg);
		break;
	case RC_CHAN_SPMC:
		r = ck_ring_enqueue_spmc(&c->ring, c->slots, msg);
		break;
	case RC_CHAN_MPSC:
	case RC_CHAN_MPMC:
		/* publish_mp wakes the receivers as it publishes */
		r = send_mp(c, msg);
		RC_TSAN_IGNORE_END();
		return r;
	}
	RC_TSAN_IGNORE_END();
	/* After the index store that published msg: a receiver parked on
	 * an empty channel wakes. */
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
recv_k(rc_chan_t *c, void **msg, bool retry, enum rc_chan_kind k)
{
	bool r = false;

	/*
	 * The dequeue loads the producer index, then fences loads
	 * (ck_pr_fence_load) before reading the slot: acquire, pairing with
	 * the store fence of the enqueue that filled the slot.
	 */
	RC_TSAN_IGNORE_BEGIN();
	switch (k) {
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

/*
 * The blocking calls wait on an event with the default policy: spin for
 * about as long as a park costs, then park until the other side's next
 * successful call wakes them. A send finds the channel full (ck_ring's
 * enqueue returns false only then) and a receive with retry finds it
 * empty, after the key was taken: so a park misses no wake.
 */
static inline __attribute__((always_inline)) int
send_timed_k(rc_chan_t *c, void *msg, uint64_t timeout_ns, enum rc_chan_kind k)
{
	struct _rc_wait w;

	if (trysend_k(c, msg, k))
		return 0;
	_rc_wait_start(&w, timeout_ns, RC_WAIT_SPIN_PARK);
	for (;;) {
		uint32_t key = _rc_event_key(&c->nonfull);

		if (trysend_k(c, msg, k))
			return 0;
		if (!_rc_wait_event(&w, &c->nonfull, key, UINT64_MAX))
			return -RC_ETIMEDOUT;
	}
}

static inline __attribute__((always_inline)) int
recv_timed_k(rc_chan_t *c, void **msg, uint64_t timeout_ns, enum rc_chan_kind k)
{
	struct _rc_wait w;

	if (recv_k(c, msg, true, k))
		return 0;
	_rc_wait_start(&w, timeout_ns, RC_WAIT_SPIN_PARK);
	for (;;) {
		uint32_t key = _rc_event_key(&c->nonempty);

		if (recv_k(c, msg, true, k))
			return 0;
		if (!_rc_wait_event(&w, &c->nonempty, key, UINT64_MAX))
			return -RC_ETIMEDOUT;
	}
}

static inline __attribute__((always_inline)) void
send_k(rc_chan_t *c, void *msg, enum rc_chan_kind k)
{
	int r = send_timed_k(c, msg, UINT64_MAX, k);

	assert(r == 0);
	(void)r;
}

static inline __attribute__((always_inline)) void *
recv_block_k(rc_chan_t *c, enum rc_chan_kind k)
{
	void *msg = NULL;
	int r = recv_timed_k(c, &msg, UINT64_MAX, k);

	assert(r == 0);
	(void)r;
	return msg;
}

/* ---- the calls that dispatch on the channel's kind ---- */

bool rc_chan_trysend(rc_chan_t *c, void *msg)
{
	return trysend_k(c, msg, c->kind);
}

bool rc_chan_tryrecv(rc_chan_t *c, void **msg)
{
	return recv_k(c, msg, false, c->kind);
}

int rc_chan_send_timed(rc_chan_t *c, void *msg, uint64_t timeout_ns)
{
	return send_timed_k(c, msg, timeout_ns, c->kind);
}

int rc_chan_recv_timed(rc_chan_t *c, void **msg, uint64_t timeout_ns)
{
	return recv_timed_k(c, msg, timeout_ns, c->kind);
}

void rc_chan_send(rc_chan_t *c, void *msg)
{
	send_k(c, msg, c->kind);
}

void *rc_chan_recv(rc_chan_t *c)
{
	return recv_block_k(c, c->kind);
}

/* ---- the calls named per kind: a call of another kind's asserts ---- */

#define NAMED_CALLS(name, K)                                    \
	bool rc_chan_trysend_##name(rc_chan_t *c, void *msg)    \
	{                                                       \
		assert(c->kind == K);                           \
		return trysend_k(c, msg, K);                    \
	}                                                       \
	bool rc_chan_tryrecv_##name(rc_chan_t *c, void **msg)   \
	{                                                       \
		assert(c->kind == K);                           \
		return recv_k(c, msg, false, K);                \
	}                                                       \
	int rc_chan_send_timed_##name(rc_chan_t *c, void *msg,  \
				      uint64_t timeout_ns)      \
	{                                                       \
		assert(c->kind == K);                           \
		return send_timed_k(c, msg, timeout_ns, K);     \
	}                                                       \
	int rc_chan_recv_timed_##name(rc_chan_t *c, void **msg, \
				      uint64_t timeout_ns)      \
	{                                                       \
		assert(c->kind == K);                           \
		return recv_timed_k(c, msg, timeout_ns, K);     \
	}                                                       \
	void rc_chan_send_##name(rc_chan_t *c, void *msg)       \
	{                                                       \
		assert(c->kind == K);                           \
		send_k(c, msg, K);                              \
	}                                                       \
	void *rc_chan_recv_##name(rc_chan_t *c)                 \
	{                                                       \
		assert(c->kind == K);                           \
		return recv_block_k(c, K);                      \
	}

NAMED_CALLS(spsc, RC_CHAN_SPSC)
NAMED_CALLS(mpsc, RC_CHAN_MPSC)
NAMED_CALLS(spmc, RC_CHAN_SPMC)
NAMED_CALLS(mpmc, RC_CHAN_MPMC)
