/* SPDX-License-Identifier: MIT */
/* fd.h: the failure detectors' internals and their seeded simulation: heartbeats between every pair of nodes, both detectors at every node, completeness and eventual accuracy checked. */
#ifndef RC_PROTOCOLS_FD_FD_H
#define RC_PROTOCOLS_FD_FD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>
#include <replicore/fd.h>

#include "protocols/sim/sim.h"

/* The broken variant: fd never retracts a suspicion (fd.c). */
void _rc_fd_make_sticky(rc_fd_t *fd);

/* A heartbeat: its sender's incarnation (restarts so far) and number. */
struct _rc_fd_msg {
	uint16_t from, to;
	uint32_t inc;
	uint64_t seq;
};

/* The properties, a bit each. */
enum _rc_fd_prop {
	/* at the end, every node crashed for good is suspected by every
	 * node that never crashed for good, by both detectors */
	RC_FD_COMPLETENESS = 1,
	/* from the settle time plus the margin (sim.c) on, no node that
	 * never crashed for good suspects another such node: at every
	 * tick, at every arrival (no retraction) and at the end */
	RC_FD_ACCURACY = 2,
};

struct _rc_fd_sim_opts {
	unsigned nodes; /* 2..RC_SIM_MAX_NODES */
	uint64_t seed;
	unsigned commands; /* the fault period's length, as in sim.h */
	uint64_t interval; /* heartbeat interval, us, >= 100 */
	uint64_t timeout;  /* first timeout, us, >= interval + 10 */
	double backoff;	   /* >= 1 */
	double threshold;  /* phi, >= 1 */
	unsigned window;   /* 1..1000 */
	bool sticky;	   /* the broken variant */
	struct _rc_sim_faults faults; /* all but member */
	FILE *trace;
};

struct _rc_fd_sim_result {
	uint64_t crashes; /* nodes crashed for good, each detected */
	/* retractions of suspicions of a peer that had not come back
	 * from a crash (a stall, a delay, a partition, a drop) */
	uint64_t false_hb, false_phi;
	uint64_t comebacks; /* retractions of a restarted peer, both kinds */
	/* detection times, ns: from the crashed node's last heartbeat sent
	 * to its deadline at the last node that suspects it */
	uint64_t det_hb_sum, det_hb_max, det_phi_sum, det_phi_max;
	uint64_t settle, check_from; /* us */
	struct _rc_sim_stats st;
	unsigned violations;
	char why[256];
};

/*
 * One run; -RC_EINVAL (err->where naming the option) on options out of
 * range, -RC_ENOMEM; else 0 with res filled.
 */
int _rc_fd_sim_run(const struct _rc_fd_sim_opts *o,
		   struct _rc_fd_sim_result *res, rc_err_t *err);

#endif /* RC_PROTOCOLS_FD_FD_H */
