/* SPDX-License-Identifier: MIT */
/* replicore/chan.h: bounded channels between replicas, on Concurrency Kit's ck_ring. */
#ifndef REPLICORE_CHAN_H
#define REPLICORE_CHAN_H

#include <stdbool.h>
#include <stdint.h>

#include <replicore/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A channel carries pointer-sized messages (a pointer, or an integer cast to
 * one) from senders to receivers in FIFO order. Its kind fixes how many
 * threads may send and receive at once:
 *
 *   kind           senders at once   receivers at once
 *   RC_CHAN_SPSC   1                 1
 *   RC_CHAN_MPSC   any               1
 *   RC_CHAN_SPMC   1                 any
 *   RC_CHAN_MPMC   any               any
 *
 * Progress: single-sender sends and single-receiver receives are wait-free;
 * multi-receiver receives are lock-free (a CAS on the consumer index).
 * Multi-sender sends are lock-free too: a send reserves a slot (a CAS on
 * the producer index) and slots are published in the order reserved
 * (ck_ring's commit rule). A sender whose earlier concurrent senders have
 * not published yet spins for about a microsecond, then hands its
 * publication over to them and returns: the earlier sender publishes it
 * with its own. So a sender never waits for another sender beyond that
 * spin; but a sender preempted in the middle of a send holds back the
 * messages sent after it (receivers find the channel empty) for as long
 * as it stays off the CPU.
 *
 * Waits, and their bounds:
 *
 *   call                waits for                bound
 *   rc_chan_trysend     its turn (MPSC, MPMC)    a spin of about 1 us
 *   rc_chan_tryrecv     nothing                  -
 *   rc_chan_send        room, then its turn      none: the receivers' pace
 *   rc_chan_recv        a message                none: the senders' pace
 *   rc_chan_send_timed  room, then its turn      timeout_ns, plus slack
 *   rc_chan_recv_timed  a message                timeout_ns, plus slack
 *
 * A timed call's slack is what it takes to notice the deadline, and a
 * send's spin for its turn: the wait's spin reads the clock every 256
 * pauses (about 8 us on the machines runtime/wait.c was measured on), its
 * park ends at the deadline (plus the kernel's timer slack, 50 us by
 * default), and the thread then needs a CPU. On top of any wait, a call
 * on a multi side retries a CAS it lost, without a bound on the retries,
 * but each one lost is another thread's call that succeeded (lock-free).
 * The channel has no other wait.
 *
 * Calling a single-sender or single-receiver side from two threads at once
 * is a programmer error (undefined behaviour, as in ck_ring).
 *
 * Ordering: a successful send is a release and the receive that takes the
 * message is an acquire: everything the sender wrote before sending (the
 * message's pointee included) is visible to the receiver after receiving.
 * FIFO holds per sender: messages of one sender are received in the order
 * sent. With several senders, their messages interleave in the order their
 * sends reserved their slots. A send that returned has its message in
 * the channel, visible to receivers at once, or, if it handed its
 * publication over, once the earlier senders' messages are.
 */
typedef struct rc_chan rc_chan_t;

enum rc_chan_kind {
	RC_CHAN_SPSC = 0,
	RC_CHAN_MPSC = 1,
	RC_CHAN_SPMC = 2,
	RC_CHAN_MPMC = 3,
};

/*
 * Creates a channel holding at least capacity messages (rounded up so the
 * ring is a power of two; rc_chan_capacity() tells). Blocking (allocates).
 * Returns 0, -RC_EINVAL (capacity 0 or above 2^30) or -RC_ENOMEM.
 */
int rc_chan_create(rc_chan_t **out, enum rc_chan_kind kind, unsigned capacity,
		   rc_err_t *err);

/* Frees the channel. No thread may be using it; queued messages are dropped. */
void rc_chan_destroy(rc_chan_t *c);

enum rc_chan_kind rc_chan_kind(const rc_chan_t *c);
/* Messages the channel can hold. */
unsigned rc_chan_capacity(const rc_chan_t *c);
/*
 * Messages queued now, published ones only (a handed-over one counts once
 * published). Exact when no send or receive runs concurrently; otherwise
 * a value that was true at some instant during the call. Wait-free, any
 * thread.
 */
unsigned rc_chan_size(const rc_chan_t *c);

/*
 * Sends msg if there is room; never waits for a receiver. Returns false
 * when full. Release: pairs with the acquire of the receive that takes msg.
 * Wait-free (SPSC, SPMC); lock-free (MPSC, MPMC), with the spin of about
 * a microsecond for an earlier sender described above. A send that
 * publishes wakes the receivers parked in rc_chan_recv (a seq_cst fence
 * and a load when none is, a futex system call when one is).
 */
bool rc_chan_trysend(rc_chan_t *c, void *msg);

/*
 * Takes the oldest message if there is one; never blocks. Returns false when
 * empty (MPMC and SPMC may also return false under contention, as ck_ring's
 * trydequeue does; rc_chan_recv retries). Acquire: pairs with the release of
 * the send that put the message. A receive that succeeds wakes the senders
 * parked in rc_chan_send on a full channel (as for rc_chan_trysend).
 */
bool rc_chan_tryrecv(rc_chan_t *c, void **msg);

/*
 * Blocking send and receive, with the channel's side rules above (any
 * number of threads on a multi side). Same ordering as the try calls. A
 * send to a full channel waits for a receive to make room; a receive from
 * an empty one waits for a send (a multi-receiver receive does not give
 * up on a lost race for a message, it retries). They wait as
 * replicore/wait.h's default policy does: spin with pause instructions
 * for about 10 us, then park in the kernel until the other side's next
 * successful call wakes them, so a long wait does not burn a core and
 * ends within a wake's latency of the call that makes room or brings a
 * message. There is no bound on the wait but the other side's progress:
 * a receive on a channel nobody sends to waits for ever, and so does a
 * send to a full channel nobody receives from.
 */
void rc_chan_send(rc_chan_t *c, void *msg);
void *rc_chan_recv(rc_chan_t *c);

/*
 * As above, but give up after timeout_ns nanoseconds (UINT64_MAX: never),
 * whatever the other side does, within the slack above: 0, or
 * -RC_ETIMEDOUT with nothing sent or received.
 */
int rc_chan_send_timed(rc_chan_t *c, void *msg, uint64_t timeout_ns);
int rc_chan_recv_timed(rc_chan_t *c, void **msg, uint64_t timeout_ns);

/*
 * The same calls named per kind, as ck_ring's are, for a caller that
 * knows its channel's kind: the name states at the call the contract of
 * the kind (the tables above), and the call does not dispatch on the
 * kind. Calling one on a channel of another kind is a programmer error
 * (an assertion). The calls above, without a kind in their name, dispatch
 * on the channel's kind: for code that chooses the kind at run time.
 */
bool rc_chan_trysend_spsc(rc_chan_t *c, void *msg);
bool rc_chan_tryrecv_spsc(rc_chan_t *c, void **msg);
void rc_chan_send_spsc(rc_chan_t *c, void *msg);
void *rc_chan_recv_spsc(rc_chan_t *c);
int rc_chan_send_timed_spsc(rc_chan_t *c, void *msg, uint64_t timeout_ns);
int rc_chan_recv_timed_spsc(rc_chan_t *c, void **msg, uint64_t timeout_ns);

bool rc_chan_trysend_mpsc(rc_chan_t *c, void *msg);
bool rc_chan_tryrecv_mpsc(rc_chan_t *c, void **msg);
void rc_chan_send_mpsc(rc_chan_t *c, void *msg);
void *rc_chan_recv_mpsc(rc_chan_t *c);
int rc_chan_send_timed_mpsc(rc_chan_t *c, void *msg, uint64_t timeout_ns);
int rc_chan_recv_timed_mpsc(rc_chan_t *c, void **msg, uint64_t timeout_ns);

bool rc_chan_trysend_spmc(rc_chan_t *c, void *msg);
bool rc_chan_tryrecv_spmc(rc_chan_t *c, void **msg);
void rc_chan_send_spmc(rc_chan_t *c, void *msg);
void *rc_chan_recv_spmc(rc_chan_t *c);
int rc_chan_send_timed_spmc(rc_chan_t *c, void *msg, uint64_t timeout_ns);
int rc_chan_recv_timed_spmc(rc_chan_t *c, void **msg, uint64_t timeout_ns);

bool rc_chan_trysend_mpmc(rc_chan_t *c, void *msg);
bool rc_chan_tryrecv_mpmc(rc_chan_t *c, void **msg);
void rc_chan_send_mpmc(rc_chan_t *c, void *msg);
void *rc_chan_recv_mpmc(rc_chan_t *c);
int rc_chan_send_timed_mpmc(rc_chan_t *c, void *msg, uint64_t timeout_ns);
int rc_chan_recv_timed_mpmc(rc_chan_t *c, void **msg, uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_CHAN_H */
