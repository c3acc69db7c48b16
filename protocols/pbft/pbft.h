/* SPDX-License-Identifier: MIT */
/* pbft.h: PBFT, as one deterministic step machine per replica with Byzantine behaviours, and its seeded simulation with the agreement checker. */
#ifndef RC_PROTOCOLS_PBFT_PBFT_H
#define RC_PROTOCOLS_PBFT_PBFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

#include "protocols/sim/sim.h"

/* Checkpoint interval and log window (high water mark = low + WINDOW). */
#define RC_PBFT_CHECKPOINT 8
#define RC_PBFT_WINDOW (4 * RC_PBFT_CHECKPOINT)

/* The messages. */
enum {
	RC_PM_REQUEST = 1, /* d: a client's request */
	RC_PM_PREPREPARE,  /* v, n, d */
	RC_PM_PREPARE,	   /* v, n, d */
	RC_PM_COMMIT,	   /* v, n, d */
	RC_PM_CHECKPOINT,  /* n, d = the state's digest after n */
	RC_PM_VIEWCHANGE,  /* v = the new view, n = stable checkpoint, d =
			      its digest; ref: aux CHECKPOINTs proving it,
			      then prepared certificates (a PREPREPARE and
			      quorum - 1 PREPAREs each) */
	RC_PM_NEWVIEW,	   /* v; ref: aux VIEWCHANGEs, then the
			      PREPREPAREs of the new view's O set */
};

/*
 * A message: this header, then nref references. from and rid are set by
 * the transport when the message is sent (rid: its entry in the registry
 * of sent messages); a replica cannot choose them, so it cannot forge
 * another's message. A reference names a registry entry: a message
 * really sent, by the sender the registry says.
 */
struct _rc_pbft_msg {
	uint8_t type, pad;
	uint16_t from;
	uint32_t nref, aux, rid;
	uint64_t v, n, d;
	uint32_t ref[];
};

static inline size_t _rc_pbft_msg_size(const struct _rc_pbft_msg *m)
{
	return sizeof *m + m->nref * sizeof(uint32_t);
}

/* A Byzantine replica's behaviour (0: a correct replica). */
enum {
	RC_PBFT_CORRECT = 0,
	RC_PBFT_SILENT,	    /* sends nothing at all */
	RC_PBFT_EQUIVOCATE, /* as primary: two PRE-PREPAREs per sequence */
	RC_PBFT_CONFLICT,   /* PREPARE and COMMIT for a digest not seen */
	RC_PBFT_REPLAY,	    /* resends old messages of anyone's */
	RC_PBFT_BEHAVIOURS
};

/* What a replica calls. */
struct _rc_pbft_io {
	void *ctx;
	/* Registers m (from and rid set here) and sends it to `to`, or to
	 * every other replica when to is the replica count; returns rid. */
	uint32_t (*send)(void *ctx, unsigned from, unsigned to,
			 struct _rc_pbft_msg *m);
	/* Replica `by` resends registry entry rid, unchanged, to `to`. */
	void (*replay)(void *ctx, unsigned by, unsigned to, uint32_t rid);
	/* Registry entry rid, or NULL when there is none. */
	const struct _rc_pbft_msg *(*lookup)(void *ctx, uint32_t rid);
	/* The number of registry entries so far. */
	uint32_t (*registered)(void *ctx);
	/* Whether request d was submitted by a client (its signature). */
	bool (*signed_by_client)(void *ctx, uint64_t d);
	uint64_t (*rand)(void *ctx);
	/* Whether replica j is Byzantine: the adversary's replicas know
	 * one another (asked by Byzantine replicas only). */
	bool (*accomplice)(void *ctx, unsigned j);
	/* The replica executes d (0: the null request) at sequence n. */
	void (*execute)(void *ctx, unsigned node, uint64_t n, uint64_t d);
	void (*trace)(void *ctx, unsigned node, const char *what, uint64_t a,
		      uint64_t b);
};

/* Options of every replica of a run. */
struct _rc_pbft_cfg {
	unsigned nodes;	   /* 1..RC_SIM_MAX_NODES */
	unsigned quorum;   /* 2f + 1 with f = (nodes - 1) / 3 */
	uint64_t timeout;  /* a request's timer, doubled per view change */
	uint64_t requests; /* client requests are 1..requests */
};

/*
 * The step machine of one replica. The caller serialises every call on
 * one replica; replicas are independent. No call blocks; io callbacks are
 * made from inside recv, tick and request.
 */
struct _rc_pbft_node;

struct _rc_pbft_node *_rc_pbft_node_create(const struct _rc_pbft_cfg *cfg,
					   unsigned id, unsigned behaviour,
					   const struct _rc_pbft_io *io);
void _rc_pbft_node_destroy(struct _rc_pbft_node *r);
/* A client's request d reaches the replica, which multicasts it. */
void _rc_pbft_node_request(struct _rc_pbft_node *r, uint64_t now, uint64_t d);
void _rc_pbft_node_recv(struct _rc_pbft_node *r, uint64_t now,
			const struct _rc_pbft_msg *m);
void _rc_pbft_node_tick(struct _rc_pbft_node *r, uint64_t now);
uint64_t _rc_pbft_node_deadline(const struct _rc_pbft_node *r);
/* Requests executed (distinct, null ones not counted); the view; the
 * stable checkpoint; log entries collected below it; view changes. */
uint64_t _rc_pbft_node_executed(const struct _rc_pbft_node *r);
bool _rc_pbft_node_has_executed(const struct _rc_pbft_node *r, uint64_t d);
uint64_t _rc_pbft_node_view(const struct _rc_pbft_node *r);
uint64_t _rc_pbft_node_stable(const struct _rc_pbft_node *r);
uint64_t _rc_pbft_node_collected(const struct _rc_pbft_node *r);
void _rc_pbft_msg_describe(const struct _rc_pbft_msg *m, char *buf, size_t len);
const char *_rc_pbft_behaviour_name(unsigned b);

/* The properties. */
enum _rc_pbft_prop {
	RC_PBFT_AGREEMENT = 1, /* no two correct replicas execute different
				  requests at one sequence number */
	RC_PBFT_VALIDITY = 2,  /* every executed request was submitted */
};

/* A simulation. */
struct _rc_pbft_sim_opts {
	unsigned nodes, byz;
	unsigned behaviour; /* 0: each Byzantine replica's drawn from the
			       seed; else every one's */
	unsigned quorum;    /* 0: 2f + 1 */
	uint64_t seed;
	unsigned commands;
	struct _rc_sim_faults faults;
	FILE *trace;
};

struct _rc_pbft_sim_result {
	uint64_t executed;    /* requests every correct live replica executed */
	uint64_t complete;    /* 1: every correct live replica executed every
			       request submitted at a correct replica */
	uint64_t views;	      /* highest view reached */
	uint64_t checkpoints; /* highest stable checkpoint */
	uint64_t collected;   /* log entries collected, summed */
	uint64_t byzantine;   /* the Byzantine replicas (bit per replica) */
	unsigned kinds[RC_PBFT_BEHAVIOURS];
	struct _rc_sim_stats st;
	unsigned violations;
	char why[256];
};

int _rc_pbft_sim_run(const struct _rc_pbft_sim_opts *o,
		     struct _rc_pbft_sim_result *res, rc_err_t *err);

#endif /* RC_PROTOCOLS_PBFT_PBFT_H */
