/* SPDX-License-Identifier: MIT */
/* sim.h: the seeded simulator: a protocol's step machines in one thread on simulated time, over a faulty transport. */
#ifndef RC_PROTOCOLS_SIM_SIM_H
#define RC_PROTOCOLS_SIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

/*
 * The simulator knows nothing of any protocol. It holds the nodes' clock,
 * the schedule (client commands, crashes and stalls, all drawn from the
 * seed before the run), the transport (latency, drop, duplicate, delay
 * and so reorder, each drawn from the seed per message) and the trace; it
 * reaches the protocol only through struct _rc_sim_proto. The protocol
 * owns its step machines, hands their messages to _rc_sim_send, and checks
 * its properties itself: online as its nodes deliver, at the end over the
 * nodes that did not crash (_rc_sim_crashed).
 *
 * Determinism: every choice comes from splitmix64 streams seeded by the
 * seed; events are ordered by (time, sequence number) and nodes whose
 * timers are due tick in id order. Nothing reads a clock or depends on an
 * address, so one seed gives one run and one trace, provided the
 * protocol's step machines are deterministic too.
 */

/* The most nodes a simulation may have (node sets are 64-bit masks). */
#define RC_SIM_MAX_NODES 64

/*
 * A protocol as the simulator drives it; ctx is the protocol's state for
 * one run, node a node id below the run's node count. Every call is made
 * from _rc_sim_run, for a node that is up (neither stalled nor crashed).
 *
 *   recv      message msg (from another node, as _rc_sim_send gave it) at
 *             time now.
 *   tick      the node's timers at time now; called at deadline().
 *   deadline  the earliest time the node wants tick (<= now: at once).
 *   submit    the workload: client command number k (1, 2, ...) arrives
 *             at the node at time now.
 *   finished  the run may end as far as this node goes, expect being the
 *             commands submitted at nodes that never crash for good,
 *             while they were up (say, it delivered all of them). Asked of nodes that never crash,
 *             once faults are over.
 *   msg_size  the bytes of a message, which the simulator copies.
 *   msg_describe  one line on a message, for the trace.
 *   read      the workload's read number k (1, 2, ...) arrives at the
 *             node at time now (opts.reads; NULL: the protocol takes no
 *             reads). Lost at a node that is down, as a submission is.
 *   restart   the node comes back at time now after a crash that lost its
 *             memory: it starts afresh from what it wrote with
 *             _rc_sim_record before the crash. NULL: the protocol has no
 *             recovery, and restart faults are not for it.
 *   member    membership change number k (1, 2, ...) is asked of the
 *             node at time now (a random node, up; lost if it is down,
 *             held while it is stalled): the protocol picks the change
 *             and submits it there. NULL: member faults are not for it.
 */
struct _rc_sim_proto {
	const char *name;
	void (*recv)(void *ctx, unsigned node, uint64_t now, const void *msg);
	void (*tick)(void *ctx, unsigned node, uint64_t now);
	uint64_t (*deadline)(void *ctx, unsigned node);
	void (*submit)(void *ctx, unsigned node, uint64_t now, uint64_t k);
	bool (*finished)(void *ctx, unsigned node, uint64_t expect);
	size_t (*msg_size)(const void *msg);
	void (*msg_describe)(const void *msg, char *buf, size_t len);
	void (*restart)(void *ctx, unsigned node, uint64_t now);
	void (*read)(void *ctx, unsigned node, uint64_t now, uint64_t k);
	void (*member)(void *ctx, unsigned node, uint64_t now, uint64_t k);
};

/*
 * The fault menu: drop, dup and delay are probabilities per message (a
 * message takes 1-10 simulated us, a delayed one 10-509 us more), crash
 * the number of distinct nodes that stop for good and stall the number of
 * pauses of a node (it keeps its state and resumes). restart is the
 * number of crashes after which the node comes back (100-2099 us later)
 * with its memory lost but its record kept (_rc_sim_record), part the
 * number of partitions: the nodes split into two groups, a message between
 * the groups is lost, for 100-3099 us, then the network heals.
 * partition is the probability that a run has one more such partition
 * phase, drawn from the seed (so that a series of seeds mixes runs with
 * and without one). member is the number of membership changes (struct
 * _rc_sim_proto's member). Faults happen during the fault period only
 * (the submission span plus a margin); a partition may outlast it.
 */
struct _rc_sim_faults {
	double drop, dup, delay;
	unsigned crash, stall, restart, part;
	double partition;
	unsigned member;
};

/*
 * Parses "drop=P,dup=P,delay=P,crash=K,stall=K,restart=K,part=K,
 * partition=P,member=K" (any subset, any order; "" or "none" for no
 * faults) into f, zeroing what is not named. A bad token
 * fails with -RC_EINVAL, err->where "faults" and err->col the 1-based
 * column of the token. Wait-free, any thread.
 */
int _rc_sim_faults_parse(const char *spec, struct _rc_sim_faults *f,
			 rc_err_t *err);

/* A run: the nodes, the seed, the workload, the faults, the trace. */
struct _rc_sim_opts {
	unsigned nodes;	   /* 1..RC_SIM_MAX_NODES */
	uint64_t seed;	   /* seeds the schedule and the transport */
	unsigned commands; /* client commands, submitted at random nodes */
	/* client reads, at random nodes and times in the fault period
	 * (proto->read); 0 draws nothing, leaving other runs as they were */
	unsigned reads;
	struct _rc_sim_faults faults; /* crash: fewer than nodes */
	FILE *trace;		      /* the trace, or NULL */
};

/* What the simulator counted. */
struct _rc_sim_stats {
	uint64_t messages; /* handed to _rc_sim_send */
	uint64_t dropped, duplicated, delayed;
	uint64_t crashed, stalls;
	uint64_t restarts, partitions, cut; /* cut: lost to a partition */
	uint64_t time;	  /* simulated microseconds at the end */
	uint64_t at_live; /* commands submitted at nodes that never crash
			     for good, while they were up */
};

struct _rc_sim;

/*
 * A simulation of proto with state ctx, as o says (o must outlive it), or
 * NULL without memory. Nothing is drawn from the seed before _rc_sim_run.
 */
struct _rc_sim *_rc_sim_create(const struct _rc_sim_proto *proto, void *ctx,
			       const struct _rc_sim_opts *o);
void _rc_sim_destroy(struct _rc_sim *s);

/*
 * Draws the schedule, then runs until every node that never crashes is up
 * and finished after the last submission and the fault period, or nothing
 * is left to happen, or 2 simulated seconds past the fault period. Fills
 * st. Returns 0, or -RC_ENOMEM when a message or an event found no memory
 * (st is filled all the same). Once per simulation.
 */
int _rc_sim_run(struct _rc_sim *s, struct _rc_sim_stats *st);

/*
 * The transport: message m from node `from` to node `to`, copied before
 * the call returns, then dropped, delayed or duplicated as the faults and
 * the seed say. The protocol calls it from inside recv, tick and submit.
 */
void _rc_sim_send(struct _rc_sim *s, unsigned from, unsigned to, const void *m);

/*
 * A draw for the protocol's own random choices (say, election timeouts),
 * from a stream of its own seeded by the seed, so that drawing from it
 * changes none of the simulator's choices. From inside recv, tick, submit
 * and restart.
 */
uint64_t _rc_sim_rand(struct _rc_sim *s);

/* A line of the trace, after the simulated time (nothing without one). */
void _rc_sim_trace(struct _rc_sim *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The nodes the schedule crashes (a bit each), once the run started. */
uint64_t _rc_sim_doomed(const struct _rc_sim *s);

/*
 * The partition in force: the nodes of one side (a bit each; 0 while the
 * network is whole), and in *epoch (when not NULL) the number of splits
 * so far, which names this one.
 */
uint64_t _rc_sim_side(const struct _rc_sim *s, uint64_t *epoch);

/* Whether node crashed (by the end of the run: for good). */
bool _rc_sim_crashed(const struct _rc_sim *s, unsigned node);

/*
 * The failure detector a protocol may consult from node `from`: whether
 * node `to` is up (not crashed; a stalled node counts as up) and on the
 * same side of a partition. Exact without partitions; a partition makes
 * each side see the other as down.
 */
bool _rc_sim_reachable(const struct _rc_sim *s, unsigned from, unsigned to);

/*
 * The node's stable record, as a disk would keep it: _rc_sim_record
 * appends len bytes (copied; false without memory), _rc_sim_records gives
 * all that node appended so far, in order, and its length in *len. A
 * crash loses the node's memory, never its record.
 */
bool _rc_sim_record(struct _rc_sim *s, unsigned node, const void *rec,
		    size_t len);
const void *_rc_sim_records(const struct _rc_sim *s, unsigned node,
			    size_t *len);

#endif /* RC_PROTOCOLS_SIM_SIM_H */
