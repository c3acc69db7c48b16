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
 * Creates the lock of nprocs processes (1..8192), every process idle and
 * taking part. Blocking (allocates). Returns 0, -RC_EINVAL or -RC_ENOMEM.
 * Before any other call on it.
 */
int rc_lmutex_create(rc_lmutex_t **out, unsigned nprocs, rc_err_t *err);

/*
 * Frees the lock. No process may be inside a call; messages not yet
 * received are dropped. After every other call on it.
 */
void rc_lmutex_destroy(rc_lmutex_t *m);

/*
 * Process proc (idle, not left) takes the lock: it stamps a request and
 * sends it to every process that has not left, then serves its inbox
 * (acknowledging the others' requests, taking in their releases) until
 * its request is first in its queue and every other process has sent it
 * a later message. Blocking, without a bound: the wait lasts until every
 * earlier request was released and every other process has served its
 * inbox since the request (a process that crashed or that never calls in
 * blocks it for ever). It does not spin while it waits for a message: it
 * waits in rc_chan_recv (spin for about 10 us, then park in the kernel
 * until a message arrives). Acquire ordering (above).
 */
void rc_lmutex_lock(rc_lmutex_t *m, unsigned proc);

/*
 * Process proc, holding the lock, releases it: dequeues its request,
 * sends a release to every process that has not left, then serves its
 * inbox without waiting. Release ordering (above). Never waits for
 * another process: bounded by the messages it sends and finds (a send
 * finds room, as the inbox holds more than the most messages the
 * algorithm can have in flight to one process).
 */
void rc_lmutex_unlock(rc_lmutex_t *m, unsigned proc);

/*
 * Process proc, idle or holding the lock, answers what is in its inbox
 * (acknowledgements of requests, releases) without waiting for more.
 * Returns the messages it handled. Never blocks; bounded as unlock.
 */
unsigned rc_lmutex_serve(rc_lmutex_t *m, unsigned proc);

/*
 * Process proc, idle, leaves for good: it serves its inbox and tells every
 * process, which then stops waiting for its messages. It may make no
 * further call with proc. Never blocks; bounded as unlock.
 */
void rc_lmutex_leave(rc_lmutex_t *m, unsigned proc);

/* The processes the lock was created for. Wait-free, any thread. */
unsigned rc_lmutex_nprocs(const rc_lmutex_t *m);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_LMUTEX_H */
