/* SPDX-License-Identifier: MIT */
/* internal.h: the Paxos wire format, an id set and the property checker shared by the simulation and the threaded cluster. */
#ifndef RC_PROTOCOLS_PAXOS_INTERNAL_H
#define RC_PROTOCOLS_PAXOS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <replicore/paxos.h>

#include "protocols/rand.h"

/* Message types. */
enum {
	PX_PREPARE = 1,	  /* phase 1a: ballot, slot = first slot asked */
	PX_PROMISE = 2,	  /* phase 1b: ballot, entries = accepted values */
	PX_NACK = 3,	  /* ballot = the higher ballot promised */
	PX_ACCEPT = 4,	  /* phase 2a: ballot, one entry */
	PX_ACCEPTED = 5,  /* phase 2b: ballot, slot */
	PX_DECIDE = 6,	  /* entries = chosen values */
	PX_HEARTBEAT = 7, /* ballot, commit = leader's delivered slots */
	PX_CATCHUP = 8,	  /* slot = first slot the sender misses */
	PX_FORWARD = 9,	  /* one entry: client commands for the leader */
	PX_READ = 10,	  /* slot = read id: a read index asked of the leader */
	PX_RDCHECK = 11,  /* ballot, slot = round: still the leader? */
	PX_RDACK = 12,	  /* ballot, slot = round: yes, as far as I know */
	PX_RDINDEX = 13,  /* slot = read id, one entry: slot = the index */
};

/*
 * A message: this header, then nent entries, each a struct px_ent followed
 * by its n commands. Every part is a multiple of 8 bytes.
 */
struct rc_paxos_msg {
	uint32_t type, from, nent;
	uint32_t snapgap; /* commit minus the sender's snapshot point */
	uint64_t ballot, slot, commit;
	uint64_t low;  /* slots every node delivered, as the sender knows */
	uint64_t size; /* bytes of the whole message */
};

struct px_ent {
	uint64_t slot, ballot;
	uint32_t n, pad;
	struct rc_paxos_cmd cmd[];
};

/* The first entry of m, and the entry after e. */
static inline const struct px_ent *px_first(const struct rc_paxos_msg *m)
{
	return (const struct px_ent *)(m + 1);
}
static inline const struct px_ent *px_next(const struct px_ent *e)
{
	return (const struct px_ent *)((const char *)(e + 1) +
				       e->n * sizeof(struct rc_paxos_cmd));
}

/* An open-addressing set of nonzero 64-bit keys, one owner. */
struct _rc_pxset {
	uint64_t *k;
	uint64_t cap, n;
};
/* Adds key; returns 1 if added, 0 if present, -1 without memory. */
int _rc_pxset_add(struct _rc_pxset *s, uint64_t key);
bool _rc_pxset_has(const struct _rc_pxset *s, uint64_t key);
void _rc_pxset_free(struct _rc_pxset *s);

/*
 * The property checker: fed every proposal and every delivery, it checks
 * validity, integrity, no gaps and agreement as they happen and liveness at
 * the end. Not thread-safe: the threaded cluster serialises calls with a
 * lock.
 */
/*
 * A step machine's values that its stats do not carry, for the runners:
 * the slots it learned two values for (0 unless agreement broke) and the
 * node it takes for the leader (the owner of the highest ballot seen).
 * The caller serialises them with the node's steps.
 */
uint64_t _rc_paxos_node_conflicts(const rc_paxos_node_t *n);
unsigned _rc_paxos_node_leader(const rc_paxos_node_t *n);
/* With io.up: forget what n heard of peer's snapshot point (it is 0). */
void _rc_paxos_node_peer_down(rc_paxos_node_t *n, unsigned peer);
/* Whether n delivered command id (or installed a checkpoint that did). */
bool _rc_paxos_node_has(const rc_paxos_node_t *n, uint64_t id);
/* The slots below which n forgot everything. */
uint64_t _rc_paxos_node_base(const rc_paxos_node_t *n);

struct _rc_pxcheck;
struct _rc_pxcheck *_rc_pxcheck_create(unsigned nodes);
void _rc_pxcheck_destroy(struct _rc_pxcheck *c);
void _rc_pxcheck_proposed(struct _rc_pxcheck *c,
			  const struct rc_paxos_cmd *cmd);
void _rc_pxcheck_deliver(struct _rc_pxcheck *c, unsigned node, uint64_t slot,
			 const struct rc_paxos_cmd *cmds, unsigned n);
/*
 * Liveness over the nodes in live (a bit per node): each delivered every
 * command proposed at a live node. Returns all violations found so far
 * (enum rc_paxos_prop bits); the first is described in why. *committed:
 * commands every live node delivered; *slots: slots every live node did.
 */
unsigned _rc_pxcheck_final(struct _rc_pxcheck *c, uint64_t live,
			   uint64_t *committed, uint64_t *slots, char *why,
			   size_t len);
/*
 * Node continues from a checkpoint at slot (a restart, or a snapshot
 * installed): it delivered exactly the commands of slots below it, which
 * other nodes delivered first, and delivers slot next.
 */
void _rc_pxcheck_install(struct _rc_pxcheck *c, unsigned node, uint64_t slot);
/* Violations so far (no liveness). */
unsigned _rc_pxcheck_violations(const struct _rc_pxcheck *c);

/*
 * The group's face to the Paxos log (protocols/paxos/log.c). _rc_paxos_lock holds
 * node's step machine (blocking, for one run of the node at most);
 * _rc_paxos_submit_locked submits k commands under it (filling in their
 * ids; -RC_EAGAIN if the node crashed) and, with the callers runner, lets
 * the leader propose them; deliveries at node happen only under the same
 * lock. _rc_paxos_await waits as rc_paxos_wait does until cond(arg) holds
 * (false: the timeout passed first), calling help(help_arg) after each
 * look. _rc_paxos_progress makes one pass of a reader at node (callers
 * runner only; pass counts the caller's passes): node, then the free
 * nodes no other thread waits at, each if it has a message or a timer
 * due; returns the work done. Called from a help function inside
 * _rc_paxos_await it does nothing (0): the waiter's loop makes the passes.
 */
void _rc_paxos_lock(rc_paxos_t *p, unsigned node);
void _rc_paxos_unlock(rc_paxos_t *p, unsigned node);
int _rc_paxos_submit_locked(rc_paxos_t *p, unsigned node,
			    struct rc_paxos_cmd *c, unsigned k);
bool _rc_paxos_await(rc_paxos_t *p, unsigned node, uint64_t timeout_ns,
		     bool (*cond)(void *), void *arg, void (*help)(void *),
		     void *help_arg);
unsigned _rc_paxos_progress(rc_paxos_t *p, unsigned node, unsigned pass);
/* rc_paxos_read_index, calling help(help_arg) after each look of the
 * wait as _rc_paxos_await does (the Paxos log's rc_log_read_index). */
int _rc_paxos_read_index(rc_paxos_t *p, unsigned node, uint64_t timeout_ns,
			 uint64_t *index, void (*help)(void *), void *help_arg);
/*
 * For the Paxos log: rc_paxos_create with after(arg, node, px) called
 * after each step of node (under its lock, the step machine px settled:
 * the place to take a checkpoint; after may be NULL, and after_arg, the
 * log, is not: it marks the group as a log's, see rc_paxos_reconfigure). _rc_paxos_compact passes a snapshot
 * point to node (takes its lock). _rc_paxos_restart_locked brings
 * crashed node back under its lock, held by the caller: a new step
 * machine that keeps the old one's acceptor state (the threaded group's
 * stable storage is the node's memory) and installs checkpoint ck (NULL:
 * none); 0 or -RC_E*.
 */
typedef void (*_rc_paxos_after_fn)(void *arg, unsigned node,
				   rc_paxos_node_t *px);
int _rc_paxos_create_after(rc_paxos_t **out, const struct rc_paxos_opts *opts,
			   _rc_paxos_after_fn after, void *after_arg,
			   rc_err_t *err);
void _rc_paxos_compact(rc_paxos_t *p, unsigned node, uint64_t slot);
int _rc_paxos_restart_locked(rc_paxos_t *p, unsigned node, const void *ck,
			     size_t len);
bool _rc_paxos_crashed(const rc_paxos_t *p, unsigned node);
/*
 * Crashed node (or one that fell behind) counts as up for the others'
 * forgetting (on) while it is brought back: from then on no node forgets slots it may need (its
 * point as they know it is 0, or what it had before), so a snapshot
 * chosen after this call stays at or above every base.
 */
void _rc_paxos_restarting(rc_paxos_t *p, unsigned node, bool on);
/*
 * A node that runs but fell below the group's snapshots (the Paxos log's
 * recovery, protocols/paxos/log.c), each under node's lock, held by the
 * caller. _rc_paxos_behind_locked: rc_paxos_node_behind of its step
 * machine. _rc_paxos_install_locked: the step machine, which keeps its
 * acceptor state, installs checkpoint ck of a peer (see px_install in
 * group.c): 0, -RC_EINVAL (node crashed, or ck is not above what it
 * delivered) or -RC_ENOMEM. _rc_paxos_has_locked: whether node delivered
 * command id, or a checkpoint it installed did.
 */
uint64_t _rc_paxos_behind_locked(rc_paxos_t *p, unsigned node);
int _rc_paxos_install_locked(rc_paxos_t *p, unsigned node, const void *ck,
			     size_t len);
bool _rc_paxos_has_locked(rc_paxos_t *p, unsigned node, uint64_t id);
/*
 * For tests: the group's failure detector takes node for down (on) though
 * it runs, as a detector that times out does with a node stalled long:
 * the others then forget slots below their own snapshots without it, and
 * node, once it runs again, finds itself behind. Relaxed, any thread.
 */
void _rc_paxos_suspect(rc_paxos_t *p, unsigned node, bool on);
/* Node's counters now, and its base (the slots below which it forgot
 * everything), read under its lock (blocking for one run of the node at
 * most); for tests. */
void _rc_paxos_stats_now(rc_paxos_t *p, unsigned node,
			 struct rc_paxos_node_stats *s);
uint64_t _rc_paxos_base_now(rc_paxos_t *p, unsigned node);
/* The Paxos log's recoveries of node (rc_log_recover), and their time in
 * ns summed in *ns (when not NULL); for tests. */
uint64_t _rc_log_paxos_recoveries(rc_log_t *log, unsigned node, uint64_t *ns);
/* Waiters parked on node's deliveries now (the callers runner: on the
 * group); for tests. */
unsigned _rc_paxos_parked(rc_paxos_t *p, unsigned node);

/*
 * Membership, for the runners: the member set that governs slot (as node n
 * knows it: exact for the slots below its delivered count plus alpha),
 * and its newest known set, *from receiving the slot it governs from.
 * The caller serialises them with the node's steps.
 */
uint64_t _rc_paxos_node_members(const rc_paxos_node_t *n, uint64_t slot);
uint64_t _rc_paxos_node_newest(const rc_paxos_node_t *n, uint64_t *from);
/*
 * The checker's part: node delivers slot under member set mask; every node
 * that delivers the slot must name the same set (agreement otherwise).
 */
void _rc_pxcheck_config(struct _rc_pxcheck *c, unsigned node, uint64_t slot,
			uint64_t mask);

#endif /* RC_PROTOCOLS_PAXOS_INTERNAL_H */
