/* SPDX-License-Identifier: MIT */
/* replicore/raft.h: the operation log (replicore/log.h) ordered by Raft among the nodes. */
#ifndef REPLICORE_RAFT_H
#define REPLICORE_RAFT_H

#include <stdbool.h>
#include <stdint.h>

#include <replicore/err.h>
#include <replicore/log.h>
#include <replicore/topo.h>
#include <replicore/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A third backend of the operation log, beside the shared-memory log and
 * the Paxos log: node i of the log is node i of a Raft group (Ongaro and
 * Ousterhout, 2014; the step machine of protocols/raft/, the one
 * `replicore sim raft` checks under faults) whose messages travel in
 * rings between the nodes (protocols/run/). An append at node i hands its
 * entries to Raft node i, which passes them to the leader, and returns
 * once node i applied them, that is once they are committed: stored at a
 * majority in the leader's term. The index of an entry is the number of
 * client entries before it in the Raft log (the no-ops leaders append are
 * left out), the same at every node. rc_rsm runs over it unchanged
 * (struct rc_rsm_options.log).
 *
 * Capabilities: RC_LOG_CAP_TAIL (the largest count of entries any node
 * applied). No RC_LOG_CAP_NOPARTIAL: an append that timed out leaves its
 * entries with Raft, which may still commit them later. Each node keeps
 * its own copy of the entries it applied, freed as its own cursor passes
 * them: a node that stops consuming holds back nobody but grows its copy,
 * and a minority of stalled or crashed Raft nodes stops nobody. The Raft
 * logs themselves are kept whole (no snapshots): their memory grows with
 * the entries appended.
 */

/* The options of rc_log_raft_create. */
struct rc_raft_log_opts {
	uint64_t seed;	       /* the election timeouts are drawn from it */
	uint64_t heartbeat_ns; /* between a leader's AppendEntries rounds */
	uint64_t election_ns;  /* a timeout is election_ns .. 2x - 1 */
	uint64_t resend_ns;    /* between forwards of unapplied entries */
	bool prevote;	       /* a pre-vote round before each election */
	bool threads; /* a pinned thread per node; false: the threads that
			 append and read run the nodes */
	enum rc_wait_policy wait; /* how threads wait (replicore/wait.h) */
	const rc_topo_t *topo;	  /* where the nodes run; NULL: the machine */
};

/*
 * Fills o with the defaults rc_log_raft_create takes for opts NULL: seed
 * 1, heartbeats every 1 ms, election timeouts of 20 to 40 ms, a resend
 * every 5 ms, no pre-vote, no thread per node, RC_WAIT_SPIN_PARK. Any
 * thread; wait-free.
 */
void rc_log_raft_defaults(struct rc_raft_log_opts *o);

/*
 * A Raft log of nnodes nodes (1..64) in *out, with opts (NULL: the
 * defaults). Not concurrent with anything on the log it makes; with
 * threads, starts one pinned thread per node. Returns 0, or -RC_EINVAL
 * (bad nnodes or options), -RC_ENOMEM or -RC_ESYS with err set.
 * rc_log_destroy stops the threads and frees it. The calls on the log
 * keep replicore/log.h's concurrency and ordering contract: an append
 * is a release of the appender's writes to every reader of its entries
 * (the node that applies an entry publishes it with a release, its
 * reader acquires); it blocks up to its timeout, running the nodes (and
 * help) meanwhile when no thread per node does.
 */
int rc_log_raft_create(rc_log_t **out, unsigned nnodes,
		       const struct rc_raft_log_opts *opts, rc_err_t *err);

/*
 * Faults on demand, for tests: Raft node `node` of a Raft log stops
 * processing for ns nanoseconds (stall; ns 0 ends a stall) or for good
 * (crash); messages to it wait in its rings or are lost. The node's
 * consumer is not affected. Any thread; takes effect at the node's next
 * run (relaxed stores: no data travels with them). Returns 0, or
 * -RC_EINVAL when log is not a Raft log or node is out of range.
 */
int rc_log_raft_stall(rc_log_t *log, unsigned node, uint64_t ns);
int rc_log_raft_crash(rc_log_t *log, unsigned node);

/*
 * The node that leads as far as Raft node `node` knows (node itself when
 * it leads), or the log's node count when it knows none: a hint that node
 * publishes after each of its runs, so it may lag, and a crashed node's
 * hint stays as it was. Any thread; wait-free (one relaxed load: no data
 * travels with it). Returns -RC_EINVAL when log is not a Raft log or node
 * is out of range.
 */
int rc_log_raft_leader(rc_log_t *log, unsigned node);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_RAFT_H */
