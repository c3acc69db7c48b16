/* SPDX-License-Identifier: MIT */
/* lmutex.h: Lamport's mutual exclusion (CACM 1978) as a deterministic step machine per process, the reliable FIFO link the simulator needs under it, its property checks and its seeded simulation. */
#ifndef RC_PROTOCOLS_LMUTEX_LMUTEX_H
#define RC_PROTOCOLS_LMUTEX_LMUTEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/clock.h>
#include <replicore/err.h>

#include "protocols/sim/sim.h"

/* The algorithm's messages; LEAVE is the threaded runtime's own (lmutex.c). */
enum {
	RC_LM_REQUEST = 1,
	RC_LM_ACK = 2,
	RC_LM_RELEASE = 3,
	RC_LM_LEAVE = 4,
};

/* A message of the algorithm: its type, its sender, its Lamport time. */
struct _rc_lmutex_msg {
	uint8_t type;
	uint16_t from;
	uint64_t ts;
};

/* Where a process is. */
enum { RC_LM_IDLE, RC_LM_WAITING, RC_LM_IN };

/* What a process calls: the transport, assumed reliable and FIFO. */
struct _rc_lmutex_io {
	void *ctx;
	void (*send)(void *ctx, unsigned from, unsigned to,
		     const struct _rc_lmutex_msg *m);
};

/*
 * One process of the algorithm. req[j] is process j's request in this
 * process's request queue (its Lamport time; 0: none), last[j] the time
 * of the latest message received from j, gone[j] that j left (LEAVE).
 */
struct _rc_lmutex_proc {
	unsigned n, id, state;
	bool noack; /* the broken variant (proc.c) */
	rc_lamport_t clock;
	uint64_t *req, *last;
	bool *gone;
	struct _rc_lmutex_io io;
};

/* Process id of n (n >= 1); false without memory. */
bool _rc_lmutex_proc_init(struct _rc_lmutex_proc *p, unsigned n, unsigned id,
			  const struct _rc_lmutex_io *io);
void _rc_lmutex_proc_fini(struct _rc_lmutex_proc *p);
/* Rule 1: stamps a request, queues it, sends it to every process. */
uint64_t _rc_lmutex_request(struct _rc_lmutex_proc *p);
/* Rules 2 and 4: a message from another process. */
void _rc_lmutex_recv(struct _rc_lmutex_proc *p, const struct _rc_lmutex_msg *m);
/* Rule 5: enters (state IN) if the request may be granted now. */
bool _rc_lmutex_try_enter(struct _rc_lmutex_proc *p);
/* Rule 3: dequeues the own request and sends a release to every process. */
void _rc_lmutex_release(struct _rc_lmutex_proc *p);
/* The process takes no further part: LEAVE to every process (idle only). */
void _rc_lmutex_leave(struct _rc_lmutex_proc *p);
void _rc_lmutex_msg_describe(const struct _rc_lmutex_msg *m, char *buf,
			     size_t len);

/*
 * The reliable FIFO link under a process in the simulator: per ordered
 * pair, data numbered from 1, cumulative acknowledgements, retransmission
 * with a doubling timeout. A wire message is data (kind 1: seq and the
 * algorithm's message) or an acknowledgement (kind 2: every seq up to seq
 * arrived).
 */
struct _rc_lmutex_wire {
	uint8_t kind;
	uint16_t from;
	uint64_t seq;
	struct _rc_lmutex_msg m;
};

struct _rc_lmutex_link;

/*
 * The link of node id of n: send puts wire messages on the faulty
 * transport, deliver hands the algorithm's messages up in order, once
 * each. NULL without memory.
 */
struct _rc_lmutex_link *
_rc_lmutex_link_create(unsigned n, unsigned id, void *ctx,
		       void (*send)(void *ctx, unsigned from, unsigned to,
				    const struct _rc_lmutex_wire *w),
		       void (*deliver)(void *ctx, unsigned to,
				       const struct _rc_lmutex_msg *m));
void _rc_lmutex_link_destroy(struct _rc_lmutex_link *l);
/* Sends m to node `to`, reliably and in order; false without memory. */
bool _rc_lmutex_link_send(struct _rc_lmutex_link *l, uint64_t now, unsigned to,
			  const struct _rc_lmutex_msg *m);
void _rc_lmutex_link_recv(struct _rc_lmutex_link *l, uint64_t now,
			  const struct _rc_lmutex_wire *w);
/* Retransmits what is due; the next deadline (UINT64_MAX: none). */
void _rc_lmutex_link_tick(struct _rc_lmutex_link *l, uint64_t now);
uint64_t _rc_lmutex_link_deadline(const struct _rc_lmutex_link *l);
/* Data sent and not yet acknowledged, to any node. */
uint64_t _rc_lmutex_link_unacked(const struct _rc_lmutex_link *l);
/* Retransmissions so far. */
uint64_t _rc_lmutex_link_resent(const struct _rc_lmutex_link *l);
void _rc_lmutex_wire_describe(const struct _rc_lmutex_wire *w, char *buf,
			      size_t len);

/* The properties. */
enum _rc_lmutex_prop {
	RC_LMUTEX_EXCLUSION = 1, /* never two in the critical section */
	RC_LMUTEX_ORDER = 2,	 /* granted in (Lamport time, id) order */
	RC_LMUTEX_LIVENESS = 4,	 /* without a crash, every request granted */
};
const char *_rc_lmutex_prop_name(unsigned prop);

/*
 * The online checks: the simulation calls enter and exit as processes
 * enter and leave the critical section at simulated time now; the first
 * violation is described in why. end checks liveness over the
 * requests made and granted (promised: no process crashed).
 */
struct _rc_lmutex_checker {
	int holder;		   /* -1: nobody in */
	uint64_t last_ts, last_id; /* the last grant; ts 0: none */
	uint64_t requested, granted;
	unsigned violations;
	char why[256];
};

void _rc_lmutex_check_init(struct _rc_lmutex_checker *c);
void _rc_lmutex_check_enter(struct _rc_lmutex_checker *c, uint64_t now,
			    unsigned id, uint64_t ts);
void _rc_lmutex_check_exit(struct _rc_lmutex_checker *c, unsigned id);
void _rc_lmutex_check_end(struct _rc_lmutex_checker *c, bool promised,
			  unsigned stuck, uint64_t now);

/* A simulation. */
struct _rc_lmutex_sim_opts {
	unsigned nodes; /* 2..RC_SIM_MAX_NODES */
	uint64_t seed;
	unsigned requests; /* requests for the section, at random nodes */
	struct _rc_sim_faults faults; /* restart: not supported */
	FILE *trace;
	bool noack; /* the broken variant: enter without every ack */
};

struct _rc_lmutex_sim_result {
	uint64_t requested, granted, resent;
	struct _rc_sim_stats st; /* the simulator's counts */
	bool blocked; /* a crash left requests waiting: no violation */
	unsigned violations;
	char why[256];
};

int _rc_lmutex_sim_run(const struct _rc_lmutex_sim_opts *o,
		       struct _rc_lmutex_sim_result *res, rc_err_t *err);

#endif /* RC_PROTOCOLS_LMUTEX_LMUTEX_H */
