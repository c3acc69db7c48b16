/* SPDX-License-Identifier: MIT */
/* raft.h: Raft, as one deterministic step machine per node, its property checker and its seeded simulation. */
#ifndef RC_PROTOCOLS_RAFT_RAFT_H
#define RC_PROTOCOLS_RAFT_RAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

#include "protocols/sim/sim.h"

/* The most entries one AppendEntries message carries. */
#define RC_RAFT_MAX_ENTRIES 8

/*
 * A log entry: its term and its command. Command 0 is the no-op a leader
 * appends when it takes office; a client command is (origin << 40) | k,
 * k >= 1 numbered by its origin, the node it was submitted at. op, arg
 * and tag are the command's payload, carried unchanged (the operation
 * log's entry; the simulation leaves them 0).
 */
struct _rc_raft_ent {
	uint64_t term, cmd, op, arg;
	uint32_t tag, pad;
};

#define RC_RAFT_CMD(origin, k) (((uint64_t)(origin) << 40) | (k))
#define RC_RAFT_CMD_ORIGIN(c) ((unsigned)((c) >> 40))
#define RC_RAFT_CMD_K(c) ((c) & ((1ull << 40) - 1))

/* The messages. */
enum {
	RC_RM_VOTE = 1, /* RequestVote: index, term = the candidate's last */
	RC_RM_VOTED,	/* its answer: ok */
	RC_RM_APPEND,	/* AppendEntries: index, lterm = prev; n entries */
	RC_RM_APPENDED, /* its answer: ok, index = match or conflict index,
			   lterm = conflict term (0: none) */
	RC_RM_FORWARD,	/* client commands for the leader: n entries */
};

/*
 * A message: this header, then n entries. pre marks the pre-vote round
 * (RequestVote with term = the term the sender would stand in, its answer
 * with that term); commit is the leader's commit index in APPEND and, in
 * APPENDED, the prev index of the APPEND answered (the leader ignores a
 * failure answering an older probe).
 */
struct _rc_raft_msg {
	uint8_t type, ok, pre, pad;
	uint16_t from, n;
	uint64_t term, index, lterm, commit;
	struct _rc_raft_ent e[];
};

static inline size_t _rc_raft_msg_size(const struct _rc_raft_msg *m)
{
	return sizeof *m + m->n * sizeof(struct _rc_raft_ent);
}

/*
 * A line of a node's stable record, written before any message that
 * depends on it is sent: the term and the vote (TERM), an entry at an
 * index (ENTRY: a later ENTRY at a lower or equal index cuts the log
 * there first), a client command accepted at the node (SUBMIT, so that it
 * is forwarded again after a restart).
 */
enum { RC_RR_TERM = 1, RC_RR_ENTRY, RC_RR_SUBMIT };

struct _rc_raft_rec {
	uint32_t kind, vote; /* vote: the node voted for + 1, 0: none */
	uint64_t term, index;
	struct _rc_raft_ent e; /* ENTRY, SUBMIT */
};

/* What a node calls: the transport, the record, the draws, the checker. */
struct _rc_raft_io {
	void *ctx;
	void (*send)(void *ctx, unsigned from, unsigned to,
		     const struct _rc_raft_msg *m);
	void (*record)(void *ctx, unsigned node, const struct _rc_raft_rec *r);
	uint64_t (*rand)(void *ctx);
	/* The node became leader of term. */
	void (*elected)(void *ctx, unsigned node, uint64_t term);
	/* The leader of term moved its commit index to index, over log. */
	void (*committed)(void *ctx, unsigned node, uint64_t term,
			  uint64_t index, const struct _rc_raft_ent *log);
	/* The node applies the entry at index to its state machine. */
	void (*apply)(void *ctx, unsigned node, uint64_t index,
		      const struct _rc_raft_ent *e);
};

/*
 * Options of every node of a run. Times are in the caller's clock (the
 * simulation's microseconds, the threaded runner's nanoseconds); 0 takes
 * the simulation's: heartbeat 30, election timeouts elect_min +
 * [0, elect_range) = 150..299, resend 200.
 */
struct _rc_raft_cfg {
	unsigned nodes;	    /* 1..RC_SIM_MAX_NODES */
	bool prevote;	    /* a pre-vote round before each election */
	bool decrement;	    /* repair a follower's log one index at a time, not
			   by the conflict term */
	uint64_t heartbeat; /* between a leader's rounds */
	uint64_t elect_min, elect_range; /* an election timeout */
	uint64_t resend; /* between forwards of pending commands */
};

/*
 * The step machine of one node. The caller serialises every call on one
 * node (the simulator is one thread; the threaded runner holds the node's
 * lock); calls on different nodes are independent. No call blocks; the io
 * callbacks are made from inside recv, tick, submit and recover.
 */
struct _rc_raft_node;

/* Node `id` of cfg->nodes with io, its timers from time now, or NULL
 * without memory. */
struct _rc_raft_node *_rc_raft_node_create(const struct _rc_raft_cfg *cfg,
					   unsigned id,
					   const struct _rc_raft_io *io,
					   uint64_t now);
void _rc_raft_node_destroy(struct _rc_raft_node *n);
/*
 * Client command e->cmd (nonzero, unique) with its payload arrives at the
 * node at time now; the node forwards it to the leader until it applies
 * it. false without memory (the command is not taken).
 */
bool _rc_raft_node_submit(struct _rc_raft_node *n, uint64_t now,
			  const struct _rc_raft_ent *e);
void _rc_raft_node_recv(struct _rc_raft_node *n, uint64_t now,
			const struct _rc_raft_msg *m);
void _rc_raft_node_tick(struct _rc_raft_node *n, uint64_t now);
uint64_t _rc_raft_node_deadline(const struct _rc_raft_node *n);
/* After a crash: memory lost, rebuilt from the node's record recs. */
void _rc_raft_node_recover(struct _rc_raft_node *n, uint64_t now,
			   const struct _rc_raft_rec *recs, size_t nrecs);
/* The node's log (entries 1..*len at [1..]), term and applied index. */
const struct _rc_raft_ent *_rc_raft_node_log(const struct _rc_raft_node *n,
					     uint64_t *len);
uint64_t _rc_raft_node_term(const struct _rc_raft_node *n);
uint64_t _rc_raft_node_applied(const struct _rc_raft_node *n);
/* The leader the node knows (itself when it leads), cfg->nodes for none. */
unsigned _rc_raft_node_leader(const struct _rc_raft_node *n);
/* Elections the node started (pre-vote rounds not counted). */
uint64_t _rc_raft_node_elections(const struct _rc_raft_node *n);
void _rc_raft_msg_describe(const struct _rc_raft_msg *m, char *buf, size_t len);

/* The properties. */
enum _rc_raft_prop {
	RC_RAFT_ELECTION = 1,	  /* at most one leader per term */
	RC_RAFT_LOG_MATCHING = 2, /* same index and term: same prefix */
	RC_RAFT_COMPLETENESS = 4, /* a leader holds every committed entry */
	RC_RAFT_SM_SAFETY = 8,	  /* no two applies differ at an index */
	RC_RAFT_AGREEMENT = 16,	  /* no two commits differ at an index */
	RC_RAFT_VALIDITY = 32,	  /* only submitted commands are applied */
	RC_RAFT_INTEGRITY = 64,	  /* none twice, in index order */
	RC_RAFT_LIVENESS = 128,	  /* every live command applied everywhere */
};
#define RC_RAFT_PROP_LAST RC_RAFT_LIVENESS
const char *_rc_raft_prop_name(unsigned prop);

/*
 * The checker, fed as the run goes (submissions, elections, commits,
 * applies, restarts) and given every node's log at elections and at the
 * end. Not thread-safe; one run.
 */
struct _rc_raft_check;
struct _rc_raft_check *_rc_raft_check_create(unsigned nodes, uint64_t cmds);
void _rc_raft_check_destroy(struct _rc_raft_check *c);
void _rc_raft_check_submit(struct _rc_raft_check *c, uint64_t cmd);
void _rc_raft_check_elected(struct _rc_raft_check *c, unsigned node,
			    uint64_t term, const struct _rc_raft_ent *log,
			    uint64_t len);
void _rc_raft_check_committed(struct _rc_raft_check *c, unsigned node,
			      uint64_t term, uint64_t index,
			      const struct _rc_raft_ent *log);
void _rc_raft_check_apply(struct _rc_raft_check *c, unsigned node,
			  uint64_t index, const struct _rc_raft_ent *e);
/* The node restarted: its state machine starts again from index 1. */
void _rc_raft_check_restart(struct _rc_raft_check *c, unsigned node);
/* Log matching between two logs (entries [1..len]). */
void _rc_raft_check_logs(struct _rc_raft_check *c, unsigned a,
			 const struct _rc_raft_ent *la, uint64_t na, unsigned b,
			 const struct _rc_raft_ent *lb, uint64_t nb);
/*
 * Liveness over the nodes in live (a bit each): every command submitted
 * at a node outside doomed was applied by each. Returns every violation
 * so far, the first described in why; *committed: client commands every
 * live node applied.
 */
unsigned _rc_raft_check_final(struct _rc_raft_check *c, uint64_t live,
			      uint64_t doomed, bool liveness,
			      uint64_t *committed, char *why, size_t len);

/* A simulation. */
struct _rc_raft_sim_opts {
	struct _rc_raft_cfg cfg;
	uint64_t seed;
	unsigned commands;
	struct _rc_sim_faults faults; /* crash: at most (nodes - 1) / 2 */
	FILE *trace;
};

struct _rc_raft_sim_result {
	uint64_t committed, elections, leaders, terms;
	struct _rc_sim_stats st; /* the simulator's counts */
	unsigned violations;
	char why[256];
};

int _rc_raft_sim_run(const struct _rc_raft_sim_opts *o,
		     struct _rc_raft_sim_result *res, rc_err_t *err);

#endif /* RC_PROTOCOLS_RAFT_RAFT_H */
