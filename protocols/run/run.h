/* SPDX-License-Identifier: MIT */
/* run.h: the threaded runner: a protocol's step machines on real cores, messages inline in per-pair rings, run by the threads that wait on them or by a thread per node, faults from a seed. */
#ifndef RC_PROTOCOLS_RUN_RUN_H
#define RC_PROTOCOLS_RUN_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <replicore/err.h>
#include <replicore/topo.h>
#include <replicore/wait.h>

/*
 * The runner knows nothing of any protocol: it holds the rings between
 * the nodes, each node's lock, the seeded transport faults, the fault
 * schedule (crashes and stalls on a thread of its own) and who runs each
 * node (the callers that wait, or a pinned thread per node). It reaches
 * the protocol through struct _rc_run_proto; the protocol owns its step
 * machines, hands their messages to _rc_run_send, reports deliveries with
 * _rc_run_delivered and gives its callers the waits (_rc_run_await).
 * run.c tells how the rings, the locks and the waits work.
 */

/*
 * A protocol as the runner drives it; ctx is the protocol's state, node a
 * node id. Every call is made under node's lock (one thread at a time per
 * node), from whichever thread runs the node.
 *
 *   recv      message msg (from another node) at time now (ns).
 *   tick      the node's timers at time now; called at deadline().
 *   deadline  the earliest time the node wants tick (<= now: at once).
 *   msg_size  the bytes of a message.
 *   msg_stream  whether a message belongs to a steady stream (Paxos: a
 *             leader's ACCEPTs and single DECIDEs) that must leave the last
 *             quarter of a ring to the others; may be NULL (none does).
 *   note      after a run that did something: publish hints for other
 *             threads with _rc_run_hint (Paxos: the leader it knows); may
 *             be NULL.
 */
struct _rc_run_proto {
	void (*recv)(void *ctx, unsigned node, uint64_t now, const void *msg);
	void (*tick)(void *ctx, unsigned node, uint64_t now);
	uint64_t (*deadline)(void *ctx, unsigned node);
	size_t (*msg_size)(const void *msg);
	bool (*msg_stream)(const void *msg);
	void (*note)(void *ctx, unsigned node);
};

/*
 * The run. drop, dup and delay apply to every message (a delayed one is
 * held up to 200 us); crash and stall apply when fault_ns > 0: crash
 * distinct nodes (fewer than nodes) stop for good and nodes stall stall
 * times (each for up to fault_ns / 4) within the first fault_ns
 * nanoseconds after _rc_run_start, every choice drawn from seed.
 */
struct _rc_run_opts {
	unsigned nodes; /* 1..64 */
	uint64_t seed;
	double drop, dup, delay;
	unsigned crash, stall;
	uint64_t fault_ns;
	const rc_topo_t *topo; /* NULL: the machine */
	bool threads;	       /* a thread per node, else the callers */
	enum rc_wait_policy wait;
};

struct _rc_run;

/*
 * Creates the runner (rings, locks, the fault schedule), no thread yet:
 * the protocol creates its nodes, then calls _rc_run_start. Returns 0,
 * -RC_ENOMEM or an error of rc_topo_open.
 */
int _rc_run_create(struct _rc_run **out, const struct _rc_run_proto *proto,
		   void *ctx, const struct _rc_run_opts *o, rc_err_t *err);
/* Starts the node threads (threads) and the fault thread. 0 or -RC_ESYS. */
int _rc_run_start(struct _rc_run *r, rc_err_t *err);
/* Stops and joins the threads; idempotent. */
void _rc_run_stop(struct _rc_run *r);
/* Stops, discards what the rings still hold and frees; NULL is fine. */
void _rc_run_destroy(struct _rc_run *r);

/* The node lock: held for one run of the node at most. */
void _rc_run_lock(struct _rc_run *r, unsigned node);
void _rc_run_unlock(struct _rc_run *r, unsigned node);

/*
 * The transport, under from's lock: message m to node `to`, copied into
 * the ring (or dropped, duplicated or delayed as the faults say; lost when
 * the ring is full).
 */
void _rc_run_send(struct _rc_run *r, unsigned from, unsigned to, const void *m);
/*
 * Under node's lock: node delivered n more items (commands, say), after
 * whatever the protocol did for them; wakes its waiters. The sum is
 * _rc_run_count's: an acquire that pairs with this release, any thread.
 */
void _rc_run_delivered(struct _rc_run *r, unsigned node, uint64_t n);
uint64_t _rc_run_count(const struct _rc_run *r, unsigned node);
/*
 * Under node's lock: node's state was replaced (a restart, a snapshot
 * installed) and it has delivered n items in all; the same release and
 * wake as _rc_run_delivered.
 */
void _rc_run_set_count(struct _rc_run *r, unsigned node, uint64_t n);
/*
 * Under node's lock: node's waiters are woken at the unlock as after a
 * delivery, for a wait whose condition changed without one (Paxos: a read
 * index answered at a node that had already delivered up to it).
 */
void _rc_run_signal(struct _rc_run *r, unsigned node);
/*
 * A word the protocol publishes for other threads from node's runs (Paxos:
 * the leader node knows), on the line of the node's counter and timer;
 * relaxed, a hint.
 */
void _rc_run_hint(struct _rc_run *r, unsigned node, unsigned v);
unsigned _rc_run_hint_get(const struct _rc_run *r, unsigned node);
/*
 * Under node's lock, after the protocol took a submission at time now:
 * with the callers the node's timers run at once if due (a leader
 * proposes), unless it is stalled; a node thread is woken.
 */
void _rc_run_submitted(struct _rc_run *r, unsigned node, uint64_t now);
/* Publishes node's next timer and the protocol's hints (under its lock). */
void _rc_run_note(struct _rc_run *r, unsigned node);

/*
 * Waits until cond(arg) holds (true) or timeout_ns passed (false): with
 * the callers the waiter runs the nodes meanwhile, calling help(help_arg)
 * after each look; with threads it parks until node delivers.
 */
bool _rc_run_await(struct _rc_run *r, unsigned node, uint64_t timeout_ns,
		   bool (*cond)(void *), void *arg, void (*help)(void *),
		   void *help_arg);
/*
 * One pass of a reader at node (callers only; pass counts the caller's
 * passes): returns the work done; 0 inside a help function of an await.
 */
unsigned _rc_run_progress(struct _rc_run *r, unsigned node, unsigned pass);
/* rc_paxos_poll's pass: every free node once; 1 if any had work. */
int _rc_run_poll(struct _rc_run *r, unsigned node);
/* Waiters parked on node's deliveries now (callers: on the group). */
unsigned _rc_run_parked(struct _rc_run *r, unsigned node);

/* Faults on demand: relaxed switches, taken at the node's next run. */
void _rc_run_stall(struct _rc_run *r, unsigned node, uint64_t ns);
void _rc_run_crash(struct _rc_run *r, unsigned node);
bool _rc_run_crashed(const struct _rc_run *r, unsigned node);
/*
 * A partition: from now on messages between a node whose bit is set in
 * side and one whose bit is clear are dropped at the sender, until
 * _rc_run_heal or for ns nanoseconds (0: until healed); one partition at a
 * time, a new one replaces the old. Messages already in a ring arrive.
 * Relaxed switches, read by each send; any thread.
 */
void _rc_run_partition(struct _rc_run *r, uint64_t side, uint64_t ns);
void _rc_run_heal(struct _rc_run *r);
/* Whether a message from `from` to `to` would be dropped now. */
bool _rc_run_cut(struct _rc_run *r, unsigned from, unsigned to);
/*
 * Node, crashed, runs again (the caller holds its lock and has replaced
 * its state): what its rings hold is dropped, and it is neither crashed
 * nor stalled any more.
 */
void _rc_run_restart(struct _rc_run *r, unsigned node);
/* The nodes the schedule crashes, a bit each. */
uint64_t _rc_run_doomed(const struct _rc_run *r);
/* Messages node lost to a full ring (read under its lock or stopped). */
uint64_t _rc_run_lost(const struct _rc_run *r, unsigned node);

#endif /* RC_PROTOCOLS_RUN_RUN_H */
