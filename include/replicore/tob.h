/* SPDX-License-Identifier: MIT */
/* replicore/tob.h: total order broadcast over an operation log, and a linearizable compare-and-swap register built on it. */
#ifndef REPLICORE_TOB_H
#define REPLICORE_TOB_H

#include <stdbool.h>
#include <stdint.h>

#include <replicore/err.h>
#include <replicore/log.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Total order broadcast: processes 0..n-1 broadcast messages and deliver
 * every broadcast message in one order, the same at every process. It is
 * the operation log (replicore/log.h) seen from the processes: a
 * broadcast is an append, a delivery a read, a process a log node, and a
 * message a struct rc_log_entry (op, arg and tag are the broadcaster's,
 * origin is the broadcasting process). Any backend serves: the
 * shared-memory log (rc_log_shm_create) and the Paxos log
 * (rc_log_paxos_create, replicore/paxos.h).
 *
 * The properties of uniform total order broadcast, as the log's contract
 * gives them, for the processes that are correct (keep running and
 * delivering; for the Paxos log, while a majority of its nodes runs):
 *   validity            a correct process that broadcasts m (the call
 *                       returns 0) delivers m;
 *   uniform agreement   a message delivered by any process is delivered
 *                       by every correct process;
 *   uniform integrity   a process delivers a message at most once, and
 *                       only if some process broadcast it;
 *   uniform total order two processes that deliver m and m' deliver them
 *                       in the same order: message k (its sequence
 *                       number) is the same message at every process.
 * A broadcast that times out may still be delivered later with a Paxos
 * log (its entries may be ordered already); with the shared-memory log it
 * never is.
 *
 * A process's calls come from one thread at a time (the process's
 * thread); different processes run concurrently. While a broadcast waits
 * (for room or for consensus) it keeps delivering to its own process, into
 * a queue that rc_tob_deliver empties first: a process whose broadcast
 * waits never holds the log's room back.
 */
typedef struct rc_tob rc_tob_t;

/*
 * Total order broadcast among the nodes of log, which it uses but does not
 * own (destroy the log after the tob). Nothing else may append to or read
 * from the log. Any thread; blocking (allocates). Returns 0, -RC_EINVAL
 * (log NULL) or -RC_ENOMEM.
 */
int rc_tob_create(rc_tob_t **out, rc_log_t *log, rc_err_t *err);
/* Frees t; no process may be using it. NULL is ignored. */
void rc_tob_destroy(rc_tob_t *t);
unsigned rc_tob_nprocs(const rc_tob_t *t);

/*
 * Broadcasts (op, arg, tag) from process p and returns 0 once the message
 * is ordered, with its sequence number in *seq (may be NULL). Blocking:
 * waits for room or consensus up to timeout_ns (RC_LOG_FOREVER: no bound;
 * then -RC_ETIMEDOUT), delivering to p meanwhile. A release: what p wrote
 * before happens before any process's delivery of the message. Returns 0
 * or -RC_E* (-RC_EINVAL for a bad p, -RC_ENOMEM when p's queue cannot
 * grow, or the log's error).
 */
int rc_tob_broadcast(rc_tob_t *t, unsigned p, uint64_t op, uint64_t arg,
		     uint32_t tag, uint64_t *seq, uint64_t timeout_ns,
		     rc_err_t *err);

/*
 * Delivers to process p up to max messages, the next ones in the total
 * order, into out, with the first one's sequence number in *first;
 * returns how many (0: none is ready). Never waits. The acquire paired
 * with the broadcasts of the messages it returns. The process's thread
 * only.
 */
unsigned rc_tob_deliver(rc_tob_t *t, unsigned p, uint64_t *first,
			struct rc_log_entry *out, unsigned max);

/*
 * A compare-and-swap register of 32-bit values on total order broadcast:
 * every operation, reads included, is broadcast, and each process applies
 * the messages to its own copy of the register in the delivered order; an
 * operation's result is the one its own message has when applied. Since
 * every copy applies the same operations in the same order, and an
 * operation takes effect at its message's place in the order, between its
 * call (the broadcast comes after it) and its return (the message is
 * ordered before the broadcast returns and applied before the operation
 * returns), the register is linearizable.
 */
typedef struct rc_tob_reg rc_tob_reg_t;

/*
 * A register over t, holding initial at first; one per tob (it is the
 * tob's only user). Any thread; blocking (allocates). Returns 0, -RC_EINVAL
 * or -RC_ENOMEM.
 */
int rc_tob_reg_create(rc_tob_reg_t **out, rc_tob_t *t, int32_t initial,
		      rc_err_t *err);
void rc_tob_reg_destroy(rc_tob_reg_t *r);

/*
 * The operations of process p, from p's thread only; each is a broadcast
 * (blocking up to timeout_ns, then -RC_ETIMEDOUT: the operation may still
 * take effect later, with a Paxos log) followed by deliveries up to its
 * own message (blocking: waits for messages that are ordered but not yet
 * readable, parking after a short spin). Linearizable (see above). Return
 * 0 or -RC_E*.
 */
int rc_tob_reg_read(rc_tob_reg_t *r, unsigned p, int32_t *val,
		    uint64_t timeout_ns, rc_err_t *err);
int rc_tob_reg_write(rc_tob_reg_t *r, unsigned p, int32_t val,
		     uint64_t timeout_ns, rc_err_t *err);
/* Sets desired if the register holds expect; *swapped says whether. */
int rc_tob_reg_cas(rc_tob_reg_t *r, unsigned p, int32_t expect, int32_t desired,
		   bool *swapped, uint64_t timeout_ns, rc_err_t *err);

/*
 * Applies at process p every message ready for it, without broadcasting;
 * returns how many. A process with no operation to make calls it now and
 * then: with the shared-memory log a process that stops delivering stops
 * every broadcast once the log is full (replicore/log.h). Never waits;
 * p's thread only.
 */
uint64_t rc_tob_reg_sync(rc_tob_reg_t *r, unsigned p);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_TOB_H */
