/* SPDX-License-Identifier: MIT */
/* commit.h: atomic commitment, two-phase and three-phase commit, as one step machine per node, its property checks and its seeded simulation. */
#ifndef RC_PROTOCOLS_COMMIT_COMMIT_H
#define RC_PROTOCOLS_COMMIT_COMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

#include "protocols/sim/sim.h"

/* Which protocol a node runs. */
enum _rc_commit_kind { RC_COMMIT_2PC, RC_COMMIT_3PC };

/* A node's state in one transaction. */
enum {
	RC_CS_NONE,
	RC_CS_UNCERTAIN,
	RC_CS_COMMITTABLE,
	RC_CS_COMMIT,
	RC_CS_ABORT
};

/* The messages. */
enum {
	RC_CM_PREPARE = 1, /* coordinator: vote on txn */
	RC_CM_VOTE,	   /* val: 1 yes, 0 no */
	RC_CM_PRECOMMIT,   /* 3PC, round */
	RC_CM_ACK,	   /* 3PC, round */
	RC_CM_COMMIT,
	RC_CM_ABORT,
	RC_CM_ASK,	  /* what was decided? */
	RC_CM_STATEREQ,	  /* 3PC termination, round */
	RC_CM_STATE,	  /* 3PC termination, round, val: the state */
	RC_CM_RECOVERING, /* 3PC: the sender restarted undecided */
};

struct _rc_commit_msg {
	uint8_t type, val;
	uint16_t from, coord;
	uint32_t txn, round;
};

/* A line of a node's stable record, written before what it records is sent. */
enum { RC_CR_YES = 1, RC_CR_PRECOMMIT, RC_CR_COMMIT, RC_CR_ABORT };

struct _rc_commit_rec {
	uint32_t txn;
	uint16_t coord;
	uint8_t kind, pad;
};

/* What a node calls: the transport, the record, the failure detector. */
struct _rc_commit_io {
	void *ctx;
	void (*send)(void *ctx, unsigned from, unsigned to,
		     const struct _rc_commit_msg *m);
	void (*record)(void *ctx, unsigned node,
		       const struct _rc_commit_rec *r);
	bool (*reachable)(void *ctx, unsigned from, unsigned to);
};

struct _rc_commit_node;

/*
 * Node `id` of `nodes` for transactions 1..txns, voting as seed says, or
 * NULL without memory.
 */
struct _rc_commit_node *_rc_commit_node_create(enum _rc_commit_kind kind,
					       unsigned nodes, unsigned id,
					       unsigned txns, uint64_t seed,
					       const struct _rc_commit_io *io);
void _rc_commit_node_destroy(struct _rc_commit_node *n);
/* The node coordinates transaction txn from time now. */
void _rc_commit_node_begin(struct _rc_commit_node *n, uint64_t now,
			   uint32_t txn);
void _rc_commit_node_recv(struct _rc_commit_node *n, uint64_t now,
			  const struct _rc_commit_msg *m);
void _rc_commit_node_tick(struct _rc_commit_node *n, uint64_t now);
uint64_t _rc_commit_node_deadline(const struct _rc_commit_node *n);
/* After a crash: memory lost, rebuilt from the node's record recs. */
void _rc_commit_node_recover(struct _rc_commit_node *n, uint64_t now,
			     const struct _rc_commit_rec *recs, size_t nrecs);
/* The node's state in txn, and whether it restarted undecided in it. */
int _rc_commit_node_state(const struct _rc_commit_node *n, uint32_t txn,
			  bool *recovering);
/* Undecided transactions (uncertain or committable) at the node. */
unsigned _rc_commit_node_undecided(const struct _rc_commit_node *n);
/* Participant node's vote on txn under seed: true for yes. */
bool _rc_commit_vote(uint64_t seed, uint32_t txn, unsigned node);
void _rc_commit_msg_describe(const struct _rc_commit_msg *m, char *buf,
			     size_t len);

/* The properties. */
enum _rc_commit_prop {
	RC_COMMIT_ATOMICITY = 1,
	RC_COMMIT_VALIDITY = 2,
	RC_COMMIT_TERMINATION = 4,
};
const char *_rc_commit_prop_name(unsigned prop);

/* Per transaction, from every node's record and end state. */
struct _rc_commit_view {
	unsigned nodes;
	uint32_t coord; /* its coordinator, or UINT32_MAX: never begun */
	bool yes[RC_SIM_MAX_NODES];    /* recorded a yes vote */
	bool commit[RC_SIM_MAX_NODES]; /* recorded commit */
	bool abort[RC_SIM_MAX_NODES];  /* recorded abort */
	bool live[RC_SIM_MAX_NODES];   /* up at the end */
	int state[RC_SIM_MAX_NODES];   /* at the end */
	bool fault_free;	       /* the run had no fault at all */
	bool promised;		       /* termination is promised */
	uint64_t seed;
	uint32_t txn;
};

/*
 * The properties violated by one transaction (a bit each), a line on the
 * first in why; *blocked: a live node ended undecided where termination
 * is not promised.
 */
unsigned _rc_commit_check(const struct _rc_commit_view *v, bool *blocked,
			  char *why, size_t len);

/* A simulation. */
struct _rc_commit_sim_opts {
	enum _rc_commit_kind kind;
	unsigned nodes; /* 2..RC_SIM_MAX_NODES */
	uint64_t seed;
	unsigned txns; /* transactions, begun at random nodes */
	struct _rc_sim_faults faults;
	FILE *trace;
};

struct _rc_commit_sim_result {
	uint64_t begun, committed, aborted, blocked;
	struct _rc_sim_stats st; /* the simulator's counts */
	unsigned violations;
	char why[256];
};

int _rc_commit_sim_run(const struct _rc_commit_sim_opts *o,
		       struct _rc_commit_sim_result *res, rc_err_t *err);

#endif /* RC_PROTOCOLS_COMMIT_COMMIT_H */
