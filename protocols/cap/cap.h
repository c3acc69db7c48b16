/* SPDX-License-Identifier: MIT */
/* cap.h: a replicated register in the seeded simulator, consistent (majority quorums) or available (local replicas), its history checked for linearizability. */
#ifndef RC_PROTOCOLS_CAP_CAP_H
#define RC_PROTOCOLS_CAP_CAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/check.h>
#include <replicore/err.h>
#include <replicore/history.h>

#include "protocols/sim/sim.h"

/* How the register answers (sim.c's opening comment). */
enum _rc_cap_mode {
	RC_CAP_CONSISTENT = 0, /* through a majority, or not at all */
	RC_CAP_AVAILABLE,      /* from the local replica, at once */
};

struct _rc_cap_sim_opts {
	enum _rc_cap_mode mode;
	unsigned nodes; /* 1..RC_SIM_MAX_NODES */
	uint64_t seed;
	unsigned commands;    /* writes; as many reads */
	uint64_t timeout;     /* consistent: us an operation may take, 10.. */
	double check_timeout; /* seconds for the linearizability check */
	struct _rc_sim_faults faults; /* all but restart and member */
	FILE *trace;
};

struct _rc_cap_sim_result {
	uint64_t ops;	   /* operations invoked at nodes that were up, but */
	uint64_t lost;	   /* those left unanswered by their node's crash */
	uint64_t answered; /* of them, answered with a result */
	uint64_t failed;   /* timed out with no effect (or a read's) */
	uint64_t indet;	   /* writes timed out after their value left */
	uint64_t stale;	   /* reads that missed a write done before them */
	uint64_t stale_split; /* of them, missed a write on the other side
				 of the partition they ran in */
	bool converged;	      /* at the end, every live replica the same */
	/* consistent: the pairs the operations stored order them as real
	 * time does, a linearization (sim.c's pair_order) */
	bool ordered;
	enum rc_verdict verdict; /* the linearizability check's */
	char witness[320];	 /* its short form, "" when linearizable */
	rc_history_t *history;	 /* the caller frees it */
	struct _rc_sim_stats st;
};

/*
 * One run at o->seed in o->mode: the register's history recorded and
 * checked against the register spec at linearizability. Returns 0;
 * -RC_EINVAL (err->where names the option) for a bad option; -RC_ENOMEM.
 * res->history is set (free it) when 0 is returned. Blocking (checks
 * for up to o->check_timeout s); reentrant.
 */
int _rc_cap_sim_run(const struct _rc_cap_sim_opts *o,
		    struct _rc_cap_sim_result *res, rc_err_t *err);

#endif /* RC_PROTOCOLS_CAP_CAP_H */
