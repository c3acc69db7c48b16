/* SPDX-License-Identifier: MIT */
/* snapshot.h: Chandy-Lamport consistent global snapshots of a bank whose nodes transfer money over reliable FIFO channels, one step machine per node, and its seeded simulation. */
#ifndef RC_PROTOCOLS_SNAPSHOT_SNAPSHOT_H
#define RC_PROTOCOLS_SNAPSHOT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

#include "protocols/sim/sim.h"

/* Snapshots a run may take (each node keeps a bit per snapshot). */
#define RC_SNAP_MAX 64

/* The messages: data on a channel (a transfer or a marker), or its ack. */
enum { RC_SM_TRANSFER = 1, RC_SM_MARKER, RC_SM_ACK };

struct _rc_snap_msg {
	uint8_t type;
	uint8_t snap; /* MARKER: the snapshot */
	uint16_t from, to;
	uint32_t seq; /* TRANSFER, MARKER: the channel's sequence number;
		       * ACK: every number below it arrived */
	int64_t amount;
	/* TRANSFER, for the checks only: the snapshots the sender had
	 * recorded when it sent it (the algorithm never reads it) */
	uint64_t sent_in;
};

/* Which algorithm a node runs. */
enum _rc_snap_variant {
	RC_SNAP_CHANDY_LAMPORT,
	/* broken: records its state at the first marker, as it should, but
	 * records no channel state, so money in flight is lost */
	RC_SNAP_NO_CHANNELS,
	/* broken: sends its markers LATE_US after recording, behind any
	 * transfer it sent meanwhile, which may then reach a node that has
	 * not recorded: an inconsistent cut */
	RC_SNAP_LATE_MARKERS,
};

/* What a node calls: the transport, and the checks' view of a delivery. */
struct _rc_snap_io {
	void *ctx;
	void (*send)(void *ctx, unsigned from, unsigned to,
		     const struct _rc_snap_msg *m);
	/* a transfer applied at node `to`, which had then recorded the
	 * snapshots in the mask `recorded` */
	void (*applied)(void *ctx, unsigned to, const struct _rc_snap_msg *m,
			uint64_t recorded);
	/* optional: node `node` recorded its state in snapshot snap, before
	 * it sends the snapshot's markers (the threaded bank notes its cut) */
	void (*recorded)(void *ctx, unsigned node, unsigned snap);
	/* the transport loses nothing (rc_chan): tick never sends again */
	bool reliable;
};

struct _rc_snap_node;

/* Node id of nodes (2..RC_SIM_MAX_NODES) holding balance, or NULL. */
struct _rc_snap_node *_rc_snap_node_create(unsigned nodes, unsigned id,
					   int64_t balance,
					   enum _rc_snap_variant variant,
					   const struct _rc_snap_io *io);
void _rc_snap_node_destroy(struct _rc_snap_node *n);
/* Sends amount to node `to`; false (nothing sent) when the balance is
 * short. */
bool _rc_snap_node_transfer(struct _rc_snap_node *n, uint64_t now, unsigned to,
			    int64_t amount);
/* Starts snapshot snap (< RC_SNAP_MAX) here; false when it is known. */
bool _rc_snap_node_start(struct _rc_snap_node *n, uint64_t now, unsigned snap);
void _rc_snap_node_recv(struct _rc_snap_node *n, uint64_t now,
			const struct _rc_snap_msg *m);
void _rc_snap_node_tick(struct _rc_snap_node *n, uint64_t now);
uint64_t _rc_snap_node_deadline(const struct _rc_snap_node *n);
/* Nothing unacknowledged on its channels and every snapshot it knows of
 * complete here. */
bool _rc_snap_node_idle(const struct _rc_snap_node *n);
int64_t _rc_snap_node_balance(const struct _rc_snap_node *n);
/* Whether a marker found no memory to be queued (the run is then void). */
bool _rc_snap_node_oom(const struct _rc_snap_node *n);
/*
 * Snapshot snap at the node: false when the node never recorded it;
 * otherwise its recorded state, the sum of the transfers it recorded on
 * its incoming channels, and whether every incoming channel's marker
 * arrived.
 */
bool _rc_snap_node_result(const struct _rc_snap_node *n, unsigned snap,
			  int64_t *state, int64_t *channels, bool *complete);
void _rc_snap_msg_describe(const struct _rc_snap_msg *m, char *buf, size_t len);

/* The properties. */
enum _rc_snap_prop {
	RC_SNAP_CONSERVATION = 1, /* states plus channels hold the total */
	RC_SNAP_CONSISTENT = 2,	  /* no receive in a cut whose send is not */
	RC_SNAP_TERMINATION = 4,  /* every snapshot completes everywhere */
};
const char *_rc_snap_prop_name(unsigned prop);

/* A simulation. */
struct _rc_snap_sim_opts {
	enum _rc_snap_variant variant;
	unsigned nodes; /* 2..RC_SIM_MAX_NODES */
	uint64_t seed;
	unsigned commands; /* every fourth starts a snapshot, the rest are
			    * transfers */
	struct _rc_sim_faults faults; /* no crash, no restart */
	FILE *trace;
};

struct _rc_snap_sim_result {
	uint64_t transfers, snapshots, complete;
	struct _rc_sim_stats st;
	unsigned violations;
	char why[256];
};

int _rc_snap_sim_run(const struct _rc_snap_sim_opts *o,
		     struct _rc_snap_sim_result *res, rc_err_t *err);

#endif /* RC_PROTOCOLS_SNAPSHOT_SNAPSHOT_H */
