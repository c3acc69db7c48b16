/* SPDX-License-Identifier: MIT */
/* lease.h: the lease service and the fenced store in the seeded simulator: the store's broken variant, the property checks and the simulation. */
#ifndef RC_PROTOCOLS_LEASE_LEASE_H
#define RC_PROTOCOLS_LEASE_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>
#include <replicore/lease.h>

#include "protocols/sim/sim.h"

/*
 * rc_fenced_write, and with ignore the broken store that takes every
 * write whatever its token (always so in a copy built with
 * RC_LEASE_BROKEN_FENCING).
 */
bool _rc_fenced_write(struct rc_fenced *s, uint64_t token, uint64_t value,
		      bool ignore);

/* The properties. */
enum _rc_lease_prop {
	RC_LEASE_EXCLUSIVE = 1, /* at most one lease runs, by the service's
				   time */
	RC_LEASE_TOKENS = 2,	/* tokens strictly increase across grants */
	RC_LEASE_FENCING = 4,	/* no write accepted with a token older than
				   one accepted before */
	RC_LEASE_GRANTED = 8,	/* an accepted write carries a token the
				   service granted to its writer */
};
const char *_rc_lease_prop_name(unsigned prop);

/*
 * The online checks: the simulation reports every grant, release and
 * write the service and the store decide, as they decide it; the first
 * violation is described in why. Times of grants and releases are the
 * service's (its own clock), of writes the simulator's.
 */
struct _rc_lease_checker {
	uint64_t token, holder, expiry; /* the last grant; expiry 0:
					   released */
	uint64_t *owner;		/* owner[t]: client granted token t */
	uint64_t nowner, capowner;
	uint64_t accepted_token; /* the largest token of an accepted write */
	uint64_t granted, released;
	uint64_t accepted, rejected, late;
	unsigned violations;
	bool oom;
	char why[256];
};

void _rc_lease_check_init(struct _rc_lease_checker *c);
void _rc_lease_check_fini(struct _rc_lease_checker *c);
void _rc_lease_check_grant(struct _rc_lease_checker *c, uint64_t now,
			   uint64_t client, uint64_t token, uint64_t expiry);
void _rc_lease_check_release(struct _rc_lease_checker *c, uint64_t client,
			     uint64_t token);
void _rc_lease_check_write(struct _rc_lease_checker *c, uint64_t now,
			   uint64_t client, uint64_t token, bool accepted);

/* A simulation. */
struct _rc_lease_sim_opts {
	unsigned nodes; /* 3..RC_SIM_MAX_NODES: the service, the store,
			   then the clients */
	uint64_t seed;
	unsigned commands; /* acquire-write-release rounds, at random
			      clients */
	uint64_t lease;	   /* the duration clients ask for, service us */
	uint64_t drift;	   /* rho: clocks' rates within 1 +- drift/10^6 */
	struct _rc_sim_faults faults;
	FILE *trace;
	bool ignore_tokens; /* the broken variant: the store ignores tokens */
};

struct _rc_lease_sim_result {
	uint64_t granted, refused, gave_up; /* gave_up: the holder's clock
					       said the lease was over */
	uint64_t accepted, rejected, late;  /* late: accepted while a newer
					       token had been granted */
	uint64_t done;			    /* rounds finished */
	bool stopped; /* the service or the store crashed for good */
	struct _rc_sim_stats st;
	unsigned violations;
	char why[256];
};

int _rc_lease_sim_run(const struct _rc_lease_sim_opts *o,
		      struct _rc_lease_sim_result *res, rc_err_t *err);

#endif /* RC_PROTOCOLS_LEASE_LEASE_H */
