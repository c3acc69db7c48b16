/* SPDX-License-Identifier: MIT */
/* replicore/lmutex.h: Lamport's distributed mutual exclusion between threads that talk only through channels. */
#ifndef REPLICORE_LMUTEX_H
#define REPLICORE_LMUTEX_H

#include <replicore/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A lock for nprocs processes, each a thread with its own process id
 * (0..nprocs-1), that share no memory for it: every process keeps its own
 * request queue and Lamport clock, and they exchange requests,
 * acknowledgements and releases over one rc_chan inbox each (replicore/
 * chan.h), as in Lamport, "Time, Clocks, and the Ordering of Events in a
 * Distributed System" (CACM 1978). The lock is granted in the (Lamport
 * time, process id) order of the requests, so it is fair (FIFO by that
 * order). It is a demonstration of the algorithm, not a fast lock: a
 * lock costs 3(nprocs - 1) messages (replicore bench lmutex measures it
 * beside ck's spinlocks).
 *
 * A process answers the others only while it is inside one of the calls
 * below: a request needs a message from every other process, so a
 * process that is busy elsewhere (neither locking, unlocking nor
 * serving) delays every other process's lock until it calls one of them.
 * A process that stays away for long calls rc_lmutex_serve now and then,
 * or rc_lmutex_leave when it is done with the lock for good.
 *
 * Who may call what: each process id is used by one thread at a time
 * (the process's own); calls for different ids run concurrently. Calling
 * with one id from two threads at once is a programmer error.
 *
 * Ordering: rc_lmutex_lock is an acquire and rc_lmutex_unlock a release:
 * everything a process wrote before its unlock is visible to the process
 * whose lock returns next. The pair is the channel's: the unlocking
 * process sends its release with rc_chan's release ordering, and the next
 * holder cannot enter before it has received that release (its request
 * is first in its queue only once the earlier request is dequeued), with
 * rc_chan's acquire ordering.
 */
typedef struct rc_lmutex rc_lmutex_t;

/*
 * Creates the lock of nprocs processes (1..256), every process idle and
 * taking part. Returns 0, -RC_EINVAL or -RC_ENOMEM.
 * Callers: one thread, before any other call on the lock.
 * Ordering: none of its own; the threads that use the lock must get *out
 * through something that orders it (pthread_create, a release store).
 * Progress: blocking (allocates nprocs channels of 8 * nprocs slots).
 */
int rc_lmutex_create(rc_lmutex_t **out, unsigned nprocs, rc_err_t *err);

/*
 * Frees the lock; messages not yet received are dropped.
 * Callers: one thread, after every other call on the lock returned and
 * is ordered before this one (pthread_join, say).
 * Ordering: none. Progress: blocking (frees memory).
 */
void rc_lmutex_destroy(rc_lmutex_t *m);

/*
 * Process proc (idle, not left) takes the lock: it stamps a request and
 * sends it to every process that has not left, then serves its inbox
 * (acknowledging the others' requests, taking in their releases) until
 * its request is first in its queue and every other process has sent it
 * a later message.
 * Callers: proc's own thread; other processes' calls run concurrently.
 * Ordering: acquire; pairs with the rc_lmutex_unlock of the process that
 * held the lock before (above).
 * Progress: blocking, without a bound: the wait lasts until every earlier
 * request was released and every other process has served its inbox
 * since the request; a process that crashed, or that never calls in
 * again without leaving, blocks it for ever. It does not spin while it
 * waits for a message: it waits in rc_chan_recv (a spin of about 10 us,
 * then a park in the kernel until a message arrives).
 */
void rc_lmutex_lock(rc_lmutex_t *m, unsigned proc);

/*
 * Process proc, holding the lock, releases it: dequeues its request,
 * sends a release to every process that has not left, then serves its
 * inbox without waiting for more.
 * Callers: proc's own thread; other processes' calls run concurrently.
 * Ordering: release; pairs with the rc_lmutex_lock of the next holder.
 * Progress: never waits for another process to act. Its work is bounded
 * by nprocs - 1 sends (each a multi-sender channel send: lock-free, with
 * rc_chan's spin of about 1 us for an earlier sender's publication) and
 * the at most 4 (nprocs - 1) messages its inbox can hold for it.
 */
void rc_lmutex_unlock(rc_lmutex_t *m, unsigned proc);

/*
 * Process proc, idle or holding the lock, answers what is in its inbox
 * (acknowledges requests, takes in releases) without waiting for more.
 * Returns the messages it handled.
 * Callers: proc's own thread; other processes' calls run concurrently.
 * Ordering: acquire per message taken, pairing with its sender's send;
 * the acknowledgements it sends are releases.
 * Progress: never waits for another process; bounded as rc_lmutex_unlock.
 */
unsigned rc_lmutex_serve(rc_lmutex_t *m, unsigned proc);

/*
 * Process proc, idle, leaves for good: it serves its inbox and tells every
 * process, which then stops waiting for its messages. proc is not used
 * again.
 * Callers: proc's own thread; other processes' calls run concurrently.
 * Ordering: as rc_lmutex_serve, and the leave message is a release.
 * Progress: never waits for another process; bounded as rc_lmutex_unlock.
 */
void rc_lmutex_leave(rc_lmutex_t *m, unsigned proc);

/*
 * The processes the lock was created for. Callers: any thread, any time
 * between create and destroy. Ordering: none (the count never changes).
 * Progress: wait-free.
 */
unsigned rc_lmutex_nprocs(const rc_lmutex_t *m);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_LMUTEX_H */
