/* SPDX-License-Identifier: MIT */
/* flp.h: the limits of agreement run: an adversary that keeps Paxos undecided (FLP), and the two generals over a lossy channel. */
#ifndef RC_PROTOCOLS_FLP_FLP_H
#define RC_PROTOCOLS_FLP_FLP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

/* Steps within which the asynchronous adversary delivers every message. */
#define RC_FLP_FAIR 64
/* Steps within which every message arrives after gst (partial synchrony). */
#define RC_FLP_SYNC_BOUND 8
/* Simulated microseconds per step after gst. */
#define RC_FLP_SYNC_US 10

/*
 * One run of three Paxos step machines (rc_paxos_node_*) under the
 * adversary of protocols/flp/flp.c. steps: the steps to run (a step
 * delivers one message or fires one timer); gst: 0 for an asynchronous
 * run throughout, else the step from which messages arrive within
 * RC_FLP_SYNC_BOUND steps and the nodes' clocks advance with the steps
 * (the run then ends once every node decided). trace: a line per step and
 * per round, or NULL.
 */
struct _rc_flp_opts {
	uint64_t steps, gst, seed;
	FILE *trace;
};

struct _rc_flp_result {
	uint64_t steps;	     /* steps taken */
	uint64_t sent;	     /* messages sent */
	uint64_t delivered;  /* of them delivered */
	uint64_t pending;    /* still in flight at the end */
	uint64_t max_delay;  /* longest wait of a delivered message, steps,
			     * before gst (all run long when gst is 0) */
	uint64_t max_sync;   /* the same from gst on (waits counted from gst) */
	uint64_t oldest;     /* age of the oldest message in flight, steps */
	uint64_t bound;	     /* the delivery bound checked, steps */
	uint64_t rounds;     /* elections the adversary let start */
	uint64_t ballot;     /* the highest ballot any node saw */
	bool decided;	     /* a node delivered slot 0 */
	uint64_t decided_at; /* the step it did */
	char value;	     /* the value chosen: 'A' or 'B' */
	bool fair;	     /* max_delay and oldest within bound */
	bool bivalent;	     /* the witness held at every step before gst */
	bool agree;	     /* every node that decided decided value */
	char why[160];	     /* the first witness or fairness failure */
};

/* Runs o; 0, or -RC_ENOMEM / -RC_EINVAL with err filled. Any thread. */
int _rc_flp_run(const struct _rc_flp_opts *o, struct _rc_flp_result *r,
		rc_err_t *err);

/* The most messages a two generals protocol exchanges here. */
#define RC_GENERALS_MAX 16

/*
 * The two generals protocol with k messages (1..RC_GENERALS_MAX): A sends
 * "attack at dawn" as message 1; whoever receives message i < k sends
 * message i + 1 (the acknowledgement); a general attacks when it received
 * every message addressed to it (A: the even ones, B: the odd ones).
 * lost: a bit per message (bit i - 1: message i is lost if sent).
 * Wait-free, any thread.
 */
struct _rc_generals_run {
	unsigned sent, received;
	bool attack_a, attack_b;
};
void _rc_generals_play(unsigned k, uint32_t lost, struct _rc_generals_run *r);

/*
 * The scheduler's search for protocol k: from the run without loss it
 * drops the last message delivered, again and again (the proof's chain
 * of runs, each the same to one general as the one before), until the
 * generals disagree; *lost gets that run's losses. Also tries all 2^k
 * loss patterns: *runs the distinct runs, *disagree how many disagree.
 * Returns the runs of the chain walked (at least 1), 0 if none disagreed.
 * trace: each run of the chain, or NULL. Any thread.
 */
unsigned _rc_generals_search(unsigned k, uint32_t *lost, unsigned *runs,
			     unsigned *disagree, FILE *trace);

#endif /* RC_PROTOCOLS_FLP_FLP_H */
