/* SPDX-License-Identifier: MIT */
/* torture.h: client threads against rc_rsm over a log while nodes stall, crash and restart, recorded and checked linearizable (replicore torture). */
#ifndef RC_TOOLS_TORTURE_H
#define RC_TOOLS_TORTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <replicore/check.h>
#include <replicore/err.h>
#include <replicore/history.h>

enum torture_log { TORTURE_SHM, TORTURE_PAXOS };

/* The replicated object: a register, or a hash map of a few keys. */
enum torture_object { TORTURE_REGISTER, TORTURE_MAP };

enum torture_fault_kind {
	TORTURE_STALL,
	TORTURE_CRASH,
	TORTURE_RESTART,
	TORTURE_PARTITION,
	TORTURE_MEMBER
};

/* A bit of torture_opts.kinds. */
#define TORTURE_KIND(k) (1u << (k))

/* What a run does; see replicore-torture(1). */
struct torture_opts {
	enum torture_log log;
	enum torture_object object;
	const char *synthetic; /* the layout */
	uint64_t duration_ms;  /* run length and fault window; 0: --ops only */
	uint64_t ops;	       /* operations per client; 0: none */
	uint64_t rate;	       /* operations per second per client; 0: any */
	uint64_t seed;
	unsigned clients; /* 0: the machine's PUs */
	unsigned faults;  /* fault events in the schedule */
	unsigned kinds;	  /* TORTURE_KIND bits the schedule draws from; 0: every
			   kind the log allows (shm: stall) */
	uint64_t op_timeout_ms; /* an update's bound; 0: the log's default */
	bool local_reads;	/* broken: reads skip the catch-up */
	bool read_index;	/* reads catch up to the Paxos log's read index
			    (RC_RSM_READ_INDEX), not to its tail */
	double check_timeout;
};

/* One event of the schedule, and what became of it. */
struct torture_fault {
	enum torture_fault_kind kind;
	unsigned node;
	uint64_t at_ms;	 /* planned start, after the clients start */
	uint64_t len_ms; /* stall or partition length; a restart's least
			    outage */
	/* measured */
	bool done;	   /* carried out */
	uint64_t began_ms; /* when it began, after the clients start */
	uint64_t ended_ms; /* when it ended (a crash: never) */
	uint64_t began_ns, ended_ns; /* the same on the recorder's clock */
	unsigned paused;	/* clients on the node paused for the stall */
	uint64_t writes_during; /* writes completed on other nodes while
				   the node was stalled or down */
	/* a restart */
	unsigned out;	 /* clients on the node that left it for the outage */
	unsigned failed; /* of them, those whose operation failed on it
			    (recorded indeterminate) */
	uint64_t restored_at; /* entries the restarted replica started
				 with (from a peer's snapshot) */
	/* a membership change: node leaves the members, node_in (the
	 * spare) joins, at node `at` (the spare, or a node up) */
	unsigned node_in, at;
	uint64_t members; /* the member set it makes, a bit per node */
	char note[96];	  /* why not done, or what went wrong */
};

#define TORTURE_MAX_FAULTS 64
#define RC_TORTURE_MAX_NODES 32 /* RC_PAXOS_MAX_NODES */

struct torture_result {
	unsigned nnodes, nclients, npus_machine;
	unsigned client_node[64];
	uint64_t t0_ns;	  /* the clients' start on the recorder's clock */
	uint64_t members; /* the Paxos members at the start (0: every node;
			     with member faults all but the last) */
	struct torture_fault faults[TORTURE_MAX_FAULTS];
	unsigned nfaults;
	uint64_t reads, writes, failed, indet; /* indet: timed out, unknown */
	uint64_t ops_recorded;
	double run_seconds;
	bool capped;	/* a client stopped at the recorder's capacity */
	bool bad_usage; /* torture_run failed on the options or the layout */
	unsigned stuck; /* clients whose operation never returned (10 s
			   without any operation returning at the end) */
	/* when stuck, per node: entries its replica applied, and with the
	 * Paxos log commands it delivered and the leader it names */
	uint64_t stuck_applied[RC_TORTURE_MAX_NODES];
	uint64_t stuck_delivered[RC_TORTURE_MAX_NODES];
	unsigned stuck_leader[RC_TORTURE_MAX_NODES];
	rc_history_t *history;
	rc_check_result_t *check;
};

/*
 * Runs the clients and the faults, records the history and checks it at
 * lin (spec register, or kv for the map). Returns 0 with *res filled (whatever the verdict),
 * or -RC_E* (err says why) when the run could not be set up or checked:
 * res->bad_usage then tells bad options or a bad layout from the rest.
 */
int torture_run(const struct torture_opts *o, struct torture_result *res,
		rc_err_t *err);
void torture_result_free(struct torture_result *res);

#endif /* RC_TOOLS_TORTURE_H */
