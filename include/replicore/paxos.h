/* SPDX-License-Identifier: MIT */
/* replicore/paxos.h: Multi-Paxos between NUMA nodes, as a step machine, a seeded simulation and a threaded cluster. */
#ifndef REPLICORE_PAXOS_H
#define REPLICORE_PAXOS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>
#include <replicore/log.h>
#include <replicore/topo.h>
#include <replicore/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Multi-Paxos (Lamport, "Paxos Made Simple"): every node is an acceptor, a
 * learner and a proposer; one of them, the leader, owns a ballot for which
 * a majority promised (phase 1, once per ballot) and then runs phase 2 for
 * each slot of the log without phase 1 while its ballot stands. Followers
 * suspect the leader after heartbeats stop and take over with a higher
 * ballot. The leader batches client commands into slots; learners deliver
 * the slots in order with no gaps; a node that falls behind catches up from
 * the leader. protocols/paxos/paxos.c opens with the invariant and its
 * proof.
 *
 * The protocol is written once, as a deterministic step machine
 * (rc_paxos_node_*): messages and the time go in, messages, deliveries and
 * the next deadline come out; it never reads a clock, sleeps or locks. Two
 * environments run that same code:
 *
 *   rc_paxos_sim_run()  all nodes in the calling thread, on simulated time,
 *                       over a transport that drops, duplicates, delays and
 *                       reorders messages and stalls and crashes nodes, all
 *                       from one seed: a seed reproduces a run exactly,
 *                       message trace included.
 *   rc_paxos_create()   on real cores: messages inline in a ring per pair
 *                       of nodes, each node's steps run by the threads
 *                       that propose and wait (or by a pinned thread per
 *                       node), the same faults drawn from a seed (the
 *                       interleaving is the machine's); see below.
 *
 * Times are integers in the environment's unit: simulated microseconds in
 * the simulation, nanoseconds of rc_clock_now_ns() on real cores.
 */

/* The most nodes a group may have (ballots and acks are 64-bit masks). */
#define RC_PAXOS_MAX_NODES 32

/*
 * A client command: id is unique per command (origin node and sequence
 * number), op, arg and tag are the payload, carried unchanged. pad is
 * carried unchanged too by the step machine (rc_paxos_node_submit); the
 * threaded group's rc_paxos_propose sets it to 0, and the Paxos log marks
 * in it the entries whose tag it changed (rc_log_paxos_create).
 */
struct rc_paxos_cmd {
	uint64_t id;
	uint64_t op;
	uint64_t arg;
	uint32_t tag;
	uint32_t pad;
};

/* The origin node and sequence number packed in a command id. */
#define RC_PAXOS_ID(origin, seq) ((((uint64_t)(origin) + 1) << 48) | (seq))
#define RC_PAXOS_ID_ORIGIN(id) ((unsigned)((id) >> 48) - 1)

/*
 * A group's settings. heartbeat: the leader's heartbeat period; election:
 * a follower suspects the leader after a random time in [election,
 * 2 election) without hearing from it; retry: a proposer resends its
 * undelivered commands, and the leader its unanswered phase-2 messages,
 * after this long. batch: commands per slot at most; window: slots the
 * leader keeps undecided at once at most. seed: the nodes' random election
 * timeouts (and, in the environments, the faults).
 */
struct rc_paxos_config {
	unsigned nodes;
	unsigned batch;
	unsigned window;
	uint64_t heartbeat;
	uint64_t election;
	uint64_t retry;
	uint64_t seed;
	/*
	 * Membership (paxos.c's essay). members: the initial configuration,
	 * a bit per node id (0: every node 0..nodes-1); the other ids are
	 * spares that answer as acceptors but count in no majority until a
	 * configuration command adds them. alpha: 0 keeps the membership
	 * fixed (a command tagged RC_PAXOS_TAG_CONFIG is then an ordinary
	 * command); 1..RC_PAXOS_MAX_ALPHA lets a configuration command
	 * chosen in slot s govern the slots from s + alpha on, and the
	 * leader then keeps at most min(window, alpha) slots undecided.
	 */
	unsigned alpha;
	uint64_t members;
};

/*
 * A configuration command: a client command with tag RC_PAXOS_TAG_CONFIG
 * and arg the new member set (a bit per node id below cfg.nodes, not 0;
 * another arg changes nothing), submitted like any command. With alpha
 * set, the slot that carries it decides the members of the slots alpha
 * later. RC_PAXOS_ALPHA: the alpha the simulation takes when membership
 * faults are asked for and cfg.alpha is 0.
 */
#define RC_PAXOS_TAG_CONFIG 0xc0f16u
#define RC_PAXOS_MAX_ALPHA 64
#define RC_PAXOS_ALPHA 8

/* Defaults in simulated microseconds; scale the times for nanoseconds. */
#define RC_PAXOS_CONFIG_INITIALIZER              \
	{                                        \
		3, 16, 32, 50, 400, 800, 1, 0, 0 \
	}

/* Checks a configuration; -RC_EINVAL with a message naming the field. */
int rc_paxos_config_check(const struct rc_paxos_config *cfg, rc_err_t *err);

/*
 * The step machine of one node. A node is not thread-safe: one thread at a
 * time calls its functions (the environment's), which never block and never
 * synchronise; they take no locks and issue no fences.
 */
typedef struct rc_paxos_node rc_paxos_node_t;
/* A protocol message; its bytes are rc_paxos_msg_size() long and movable. */
struct rc_paxos_msg;

/*
 * What a node hands to its environment, called from inside the node's
 * functions on the caller's thread. send: a message for node `to` (never
 * the node itself); the environment copies the bytes before returning.
 * deliver: slot `slot`, the next in order, with its commands (already
 * delivered commands, resent by a proposer, are left out; n may be 0).
 *
 * The two optional members (NULL: unused) make a node that can crash and
 * come back:
 *
 * up: the environment's failure detector, asked by node `node` of node
 *   `peer`: false when peer is down (crashed, or as good as). With up
 *   set the node forgets slots by snapshot points rather than by
 *   delivered counts: every node's environment snapshots its state now
 *   and then (rc_paxos_node_checkpoint, rc_paxos_node_compact), and a
 *   node forgets the slots below the lowest snapshot point of the nodes
 *   that are up, so a crashed node holds back nobody. A node that comes
 *   back, or falls below that point, must install a snapshot no older
 *   than the newest one of any node that is up (rc_paxos_node_install).
 *   Without up a node forgets only the slots every node delivered, and a
 *   crashed node keeps every other from forgetting anything after it.
 * record: the acceptor's stable storage. The node hands over a record
 *   (len bytes, to copy before returning) each time its promise rises
 *   and each time it accepts a value, before any message that reveals
 *   it; a node created afresh after a crash is given them back with
 *   rc_paxos_node_replay, so that it keeps its promises (Paxos's safety
 *   needs that of an acceptor that comes back).
 */
struct rc_paxos_io {
	void *ctx;
	void (*send)(void *ctx, unsigned from, unsigned to,
		     const struct rc_paxos_msg *m);
	void (*deliver)(void *ctx, unsigned node, uint64_t slot,
			const struct rc_paxos_cmd *cmds, unsigned n);
	bool (*up)(void *ctx, unsigned node, unsigned peer);
	void (*record)(void *ctx, unsigned node, const void *rec, size_t len);
	/* read `id` (rc_paxos_node_read) may be served now from this
	 * node's state: it delivered at least `index` slots, the read
	 * index. NULL: reads are never answered. */
	void (*read)(void *ctx, unsigned node, uint64_t id, uint64_t index);
};

/* Creates node id (< cfg->nodes) at time now. Returns 0 or -RC_E*. */
int rc_paxos_node_create(rc_paxos_node_t **out,
			 const struct rc_paxos_config *cfg, unsigned id,
			 const struct rc_paxos_io *io, uint64_t now,
			 rc_err_t *err);
void rc_paxos_node_destroy(rc_paxos_node_t *n);

/* Processes message m (from another node) at time now. */
void rc_paxos_node_recv(rc_paxos_node_t *n, uint64_t now,
			const struct rc_paxos_msg *m);

/*
 * A client command c at this node: returns its id (c->id when not 0, which
 * must then be RC_PAXOS_ID(this node, a sequence number never used), else
 * a new one). The node keeps it until it is delivered here, sending it to
 * the leader and again after each retry.
 */
uint64_t rc_paxos_node_submit(rc_paxos_node_t *n, uint64_t now,
			      const struct rc_paxos_cmd *c);

/*
 * k client commands at once, as k calls of rc_paxos_node_submit would
 * submit them (ids[i] receives each id when ids is not NULL), except that
 * a follower forwards them to the leader in one message, so that they can
 * share a slot. Returns k.
 */
unsigned rc_paxos_node_submitv(rc_paxos_node_t *n, uint64_t now,
			       const struct rc_paxos_cmd *c, unsigned k,
			       uint64_t *ids);

/*
 * A read at this node, by the read index (Ongaro's thesis, 6.4), without
 * a log round: the node asks the leader (itself, if it leads) for the
 * read's index, the leader takes its delivered count once it delivered
 * the slots of earlier ballots and answers after a majority confirmed
 * that it still leads, and once this node delivered that many slots it
 * calls io.read(id, index): the environment serves the read from its
 * state then, which includes every command delivered anywhere before
 * this call. id (not 0) names the read, and must not be reused by this
 * node, across restarts too (a leader may answer an old request late).
 * The node asks again after each retry period until it has the index;
 * a read pending at a crash is lost. The step machine's rules apply:
 * one thread at a time per node, never blocks; io.read is called from
 * inside this call or a later step of the node. Returns 0 or
 * -RC_ENOMEM.
 */
int rc_paxos_node_read(rc_paxos_node_t *n, uint64_t now, uint64_t id);

/* Runs the node's timers at time now. Call it at rc_paxos_node_deadline(). */
void rc_paxos_node_tick(rc_paxos_node_t *n, uint64_t now);

/* The earliest time the node wants rc_paxos_node_tick() (<= now: at once). */
uint64_t rc_paxos_node_deadline(const rc_paxos_node_t *n);

/* The size in bytes of message m, and a one-line description for traces. */
size_t rc_paxos_msg_size(const struct rc_paxos_msg *m);
void rc_paxos_msg_describe(const struct rc_paxos_msg *m, char *buf, size_t len);

/* A node's counters, read by its own thread or after it stopped. */
struct rc_paxos_node_stats {
	uint64_t ballot;      /* highest ballot seen */
	bool leader;	      /* holds a ballot a majority promised */
	uint64_t delivered;   /* slots delivered (the next slot to deliver) */
	uint64_t commands;    /* commands delivered */
	uint64_t elections;   /* phase 1 started by this node */
	uint64_t leaderships; /* phase 1 won by this node */
	uint64_t sent;	      /* messages sent */
	uint64_t lost; /* of them lost to a full ring (rc_paxos_stats only) */
	uint64_t kept; /* slots held in memory: those not yet known to be
			* delivered at every node (a crashed node keeps
			* them all), or with io.up those at or above the
			* lowest snapshot point of the nodes up */
};
void rc_paxos_node_stats(const rc_paxos_node_t *n,
			 struct rc_paxos_node_stats *s);

/*
 * Snapshots and recovery; the step machine's rules apply (one thread at a
 * time per node, no blocking, no synchronisation).
 *
 * rc_paxos_node_checkpoint: the learner's state after the slots it
 *   delivered (its delivered count, the slot the checkpoint is at, and
 *   which commands it delivered, to leave out copies chosen again later),
 *   to pair with the environment's snapshot of what those slots did.
 *   Writes it to buf when len is enough; returns the bytes it takes (call
 *   with buf NULL to size it). About 8 + 528 bytes per node of the group.
 * rc_paxos_checkpoint_slot: the slot a checkpoint is at (0 if not one).
 * rc_paxos_node_install: makes the node continue from a checkpoint taken
 *   at another node (or its own, kept): it has delivered the slots below
 *   the checkpoint's and forgets them, and asks the leader for the rest.
 *   A checkpoint at or below its delivered count changes nothing. The
 *   environment installs its own snapshot of the same point with it.
 *   Returns 0, -RC_EINVAL (not a checkpoint of this group) or -RC_ENOMEM.
 * rc_paxos_node_behind: with io.up, a base another node announced above
 *   this node's delivered count (0: none): the slots it misses may be
 *   forgotten everywhere, and it should install a newer checkpoint.
 * rc_paxos_node_compact: the environment holds a snapshot at slot (at
 *   most the delivered count): with io.up, the node forgets slots below
 *   the lowest such point of the nodes up (see rc_paxos_io).
 * rc_paxos_node_replay: gives a node created afresh the acceptor records
 *   (io.record) of its previous life, concatenated in order; call it
 *   before any other step. Returns 0, -RC_EINVAL or -RC_ENOMEM.
 * rc_paxos_node_acceptor: the acceptor's state (its promise and the
 *   values it accepted in slots it keeps) as records for
 *   rc_paxos_node_replay, written to buf when len is enough; returns the
 *   bytes it takes. An environment whose stable storage is the node's
 *   own memory (the threaded group) carries it across a restart so.
 */
size_t rc_paxos_node_checkpoint(const rc_paxos_node_t *n, void *buf,
				size_t len);
uint64_t rc_paxos_checkpoint_slot(const void *buf, size_t len);
int rc_paxos_node_install(rc_paxos_node_t *n, const void *buf, size_t len);
void rc_paxos_node_compact(rc_paxos_node_t *n, uint64_t slot);
uint64_t rc_paxos_node_behind(const rc_paxos_node_t *n);
int rc_paxos_node_replay(rc_paxos_node_t *n, const void *recs, size_t len);
size_t rc_paxos_node_acceptor(const rc_paxos_node_t *n, void *buf, size_t len);

/* Ballots: round and owner packed in one integer, compared as integers. */
#define RC_PAXOS_BALLOT(round, owner) (((uint64_t)(round) << 6) | (owner))
#define RC_PAXOS_BALLOT_ROUND(b) ((b) >> 6)
#define RC_PAXOS_BALLOT_OWNER(b) ((unsigned)((b)&63))

/*
 * Faults: drop, dup and delay are probabilities per message (a delayed
 * message takes up to 50 times the normal latency, so messages overtake
 * each other), crash is the number of nodes that stop for good and stall
 * the number of pauses of a node (it keeps its state and comes back).
 * Faults happen during the run's fault period only; afterwards messages
 * arrive and stalled nodes resume, so a run with a majority alive ends with
 * every command committed.
 */
struct rc_paxos_faults {
	double drop, dup, delay;
	unsigned crash, stall;
	unsigned restart; /* the simulation only: crashes after which the
			     node comes back (see rc_paxos_sim_run) */
	/* the simulation only: partitions (the nodes split in two groups
	 * that lose every message between them for 100-3099 us), and the
	 * probability that a run has one more, drawn from the seed */
	unsigned part;
	double partition;
	unsigned member; /* the simulation only: membership changes (see
			     rc_paxos_sim_run) */
};

/*
 * Parses "drop=P,dup=P,delay=P,crash=K,stall=K,restart=K,part=K,
 * partition=P,member=K" (any subset, any order; "" or "none" for no
 * faults) into f, zeroing what is not named. A bad token
 * fails with -RC_EINVAL, err->where "faults" and err->col the 1-based column
 * of the token. Wait-free, any thread.
 */
int rc_paxos_faults_parse(const char *spec, struct rc_paxos_faults *f,
			  rc_err_t *err);

/* The properties a run is checked for, as bits of a verdict. */
enum rc_paxos_prop {
	RC_PAXOS_AGREEMENT = 1, /* two learners delivered different slots */
	RC_PAXOS_VALIDITY = 2,	/* a command that was never proposed */
	RC_PAXOS_INTEGRITY = 4, /* a command delivered twice by one node */
	RC_PAXOS_NO_GAPS = 8,	/* a slot delivered out of order */
	RC_PAXOS_LIVENESS = 16, /* a command never delivered */
	/* the simulation, with partitions: a command submitted at a node
	 * on a minority side of a partition (fewer than a majority of the
	 * nodes, crashed ones counted) was delivered somewhere while that
	 * same partition lasted */
	RC_PAXOS_MINORITY = 32,
	/* the simulation, with reads: a read returned a state older than
	 * one a node had delivered before the read was asked, or a read
	 * at a live node was never served */
	RC_PAXOS_READS = 64,
};

/* The name of one property ("agreement", ...). */
const char *rc_paxos_prop_name(enum rc_paxos_prop p);

/* A simulation: the group, the faults, the workload. */
struct rc_paxos_sim_opts {
	struct rc_paxos_config cfg; /* cfg.seed seeds everything */
	struct rc_paxos_faults faults;
	unsigned commands; /* client commands, submitted at random nodes */
	unsigned reads;	   /* reads (rc_paxos_node_read) at random nodes */
	FILE *trace;	   /* the message trace, or NULL */
};

/* What a simulation did and found. */
struct rc_paxos_sim_result {
	uint64_t committed;   /* commands delivered by every live node */
	uint64_t at_live;     /* commands submitted at nodes that never crash */
	uint64_t slots;	      /* slots delivered by every live node */
	uint64_t ballots;     /* phase 1 started, all nodes */
	uint64_t leaderships; /* phase 1 won, all nodes */
	uint64_t messages;    /* messages sent */
	uint64_t dropped, duplicated, delayed;
	uint64_t crashed, stalls;
	uint64_t restarts;   /* nodes that came back after a crash */
	uint64_t time;	     /* simulated microseconds at the end */
	uint64_t kept;	     /* most slots a live node held at the end */
	uint64_t partitions; /* partitions that happened */
	uint64_t cut;	     /* messages lost to a partition */
	uint64_t isolated;   /* commands submitted on a minority side */
	uint64_t reads;	     /* reads asked at a node that was up */
	uint64_t served;     /* of them served */
	uint64_t waited;     /* of them served only after the node delivered
			    more than it had when asked: it was behind */
	unsigned violations; /* enum rc_paxos_prop bits; 0: all hold */
	char why[256];	     /* the first violation, in words */
	uint64_t changes;    /* configuration commands chosen (member=K) */
	uint64_t members;    /* the final configuration, a bit per node */
};

/*
 * Runs one simulation in the calling thread and checks agreement,
 * validity, integrity, no gaps and liveness after it, and with partitions
 * (faults.part, faults.partition) that the minority side commits nothing
 * (RC_PAXOS_MINORITY): a partition may outlast the fault period, and the
 * run goes on after the network heals until every live node delivered
 * every command submitted at a live node, so liveness holds across it;
 * with reads (opts.reads), that each read served (rc_paxos_node_read)
 * returns a delivered count at least the highest any node had when it
 * was asked, and that reads at live nodes are served (RC_PAXOS_READS).
 * Its nodes run with
 * snapshots (rc_paxos_io.up, the simulator's exact failure detector): each
 * checkpoints every 4 slots, and slots below the lowest checkpoint of the
 * nodes up are forgotten; a node that restarts (faults.restart) comes back
 * with its stable record (promises, acceptances, submitted commands)
 * replayed and the oldest checkpoint of the nodes up installed. Deterministic: the
 * same opts give the same result and the same trace. Returns 0 (whatever
 * the verdict; see res->violations) or -RC_EINVAL for bad opts (crash must
 * leave a majority) or -RC_ENOMEM. Any thread; runs share nothing.
 *
 * With faults.member = K the group starts with cfg.nodes members and
 * min(K, RC_PAXOS_MAX_NODES - cfg.nodes) spare nodes (ids cfg.nodes and
 * up, which take client commands and may crash like the others), runs
 * with cfg.alpha (RC_PAXOS_ALPHA when 0), and K times during the fault
 * period a random node submits a configuration command that adds the next
 * spare, removes a random member or replaces one by the next spare. A
 * change is skipped when it would
 * leave no member, or leave the nodes that crash for good no minority of
 * the new members: so every configuration keeps a majority up once the
 * faults are over. The checks then also compare the configuration each
 * node takes to govern each slot it delivers, and liveness is asked of
 * the final members that did not crash; every node runs until it
 * delivered every configuration command (a removed node need not
 * deliver the commands after its removal takes effect).
 */
int rc_paxos_sim_run(const struct rc_paxos_sim_opts *opts,
		     struct rc_paxos_sim_result *res, rc_err_t *err);

/*
 * The group on real cores. Messages travel inline in a single-producer
 * ring per pair of nodes, laid out in cache lines (an ACCEPTED is one
 * line, an ACCEPT of one command two); a full ring drops the message,
 * which the protocol tolerates. Who runs each node's step machine is the
 * runner's choice:
 *
 *   RC_PAXOS_RUN_CALLERS  (the default) no thread of its own: the threads
 *                         that use the group run it. A proposal runs its
 *                         node at once (the leader sends its ACCEPTs in
 *                         the proposing thread); a thread that waits
 *                         (rc_paxos_wait, rc_paxos_poll, an append of the
 *                         Paxos log) runs its node, and of the other
 *                         nodes that are free, not stalled and not
 *                         crashed, those at which no other thread waits
 *                         and whose next node with a waiter (in id order,
 *                         cyclically) is its own: each node keeps to one
 *                         cache while the waiters hold still (every 64th
 *                         pass runs every free node). A commit by one
 *                         thread on an idle group thus involves no
 *                         thread hand-off.
 *                         Nothing runs while nobody calls: timers
 *                         (heartbeats, elections, resends) fire at the
 *                         next call.
 *   RC_PAXOS_RUN_THREADS  one thread per node, pinned to the PU that
 *                         rc_topo_spread() picks on the layout, as a
 *                         separate server would run it; an idle node
 *                         thread parks and whoever sends it a message
 *                         wakes it.
 *
 * Either way a node's step machine runs under a lock of its own, so any
 * number of threads may call the functions below at once. A synthetic
 * layout such as "numa:3 core:1 pu:1" places the nodes on NUMA nodes of
 * the layout, mapped onto the machine's PUs. cfg times are nanoseconds.
 */
typedef struct rc_paxos rc_paxos_t;

enum rc_paxos_runner {
	RC_PAXOS_RUN_CALLERS = 0,
	RC_PAXOS_RUN_THREADS = 1,
};

/*
 * Called by whoever runs node `node` for each slot it delivers (see
 * rc_paxos_io), never twice at once for one node, with that node's lock
 * held: it must not call into the group (propose, wait, poll) itself.
 */
typedef void (*rc_paxos_deliver_fn)(void *arg, unsigned node, uint64_t slot,
				    const struct rc_paxos_cmd *cmds,
				    unsigned n);

/*
 * faults: drop, dup and delay apply to every message; crash and stall
 * apply when fault_ns > 0: a fault thread crashes `crash` distinct nodes
 * (a minority at most) and stalls nodes `stall` times (each for up to
 * fault_ns / 4), at times within the first fault_ns nanoseconds, every
 * choice drawn from cfg.seed (rc_paxos_doomed() names the nodes that will
 * crash). Interleavings remain the machine's. wait: how waiting calls and
 * node threads wait (replicore/wait.h).
 */
struct rc_paxos_opts {
	struct rc_paxos_config cfg;
	struct rc_paxos_faults faults;
	uint64_t fault_ns;     /* the fault period; 0: crash/stall unused */
	const rc_topo_t *topo; /* NULL: the machine */
	rc_paxos_deliver_fn deliver; /* may be NULL */
	void *arg;
	bool check; /* record deliveries for rc_paxos_verify() */
	enum rc_paxos_runner runner;
	enum rc_wait_policy wait;
	/*
	 * The nodes forget slots by snapshot points (rc_paxos_io.up, with
	 * crashed nodes down): set for a Paxos log under a state machine
	 * that snapshots (rc_rsm_ops.snapshot), whose nodes can then
	 * restart. Without it slots are forgotten once every node delivered
	 * them, and a crashed node pins them.
	 */
	bool snapshots;
};

/*
 * Creates the group and starts its threads. Blocking (allocates, creates
 * threads). Returns 0, -RC_EINVAL, -RC_ENOMEM or -RC_ESYS.
 */
int rc_paxos_create(rc_paxos_t **out, const struct rc_paxos_opts *opts,
		    rc_err_t *err);

/*
 * Stops the threads and frees the group. No other call may run on p.
 * Blocking (joins).
 */
void rc_paxos_destroy(rc_paxos_t *p);

/*
 * Submits a command with c's payload (op, arg, tag) at node `node`; its id
 * is written to *id when id is not NULL: c->id when not 0 (then the caller
 * alone numbers that node's commands, RC_PAXOS_ID(node, seq) with seqs it
 * never reuses), else a new one. Any thread, any number at once. Blocking
 * only for the node's lock, held by another thread for one run of the
 * node at most (a bounded number of steps); with the callers runner it
 * then runs the node once. The submission is a release that pairs with
 * the acquire of whoever runs the node next (the lock). Returns 0,
 * -RC_EINVAL, -RC_ENOMEM, or -RC_EAGAIN when the node crashed.
 */
int rc_paxos_propose(rc_paxos_t *p, unsigned node, const struct rc_paxos_cmd *c,
		     uint64_t *id);

/*
 * k commands at once, as rc_paxos_propose would submit them one by one
 * (ids[i] receives each id when ids is not NULL), except that they reach
 * the leader together and share slots up to cfg.batch. Same guarantees.
 */
int rc_paxos_proposev(rc_paxos_t *p, unsigned node,
		      const struct rc_paxos_cmd *c, unsigned k, uint64_t *ids);

/*
 * Submits at node `node` a configuration command that makes `members` (a
 * bit per node id below cfg.nodes, not 0) the group's member set for the
 * slots from alpha after the slot it is chosen in (paxos.c's essay): a
 * node added answers as an acceptor from the start and learns the slots
 * before by catching up; a node removed still learns but counts in no
 * majority of those slots. It is delivered as a command, counted by
 * rc_paxos_delivered. Same guarantees as rc_paxos_propose; -RC_EINVAL
 * when cfg.alpha is 0 or members is empty or names a node not in the
 * group, or p is a Paxos log's group (rc_log_paxos_group): the log
 * numbers its nodes' commands itself, and changes its membership with
 * rc_log_paxos_reconfigure.
 */
int rc_paxos_reconfigure(rc_paxos_t *p, unsigned node, uint64_t members,
			 uint64_t *id);

/*
 * Commands node `node` delivered so far. Any thread; an acquire load that
 * pairs with the node's release increment, so the deliveries it counts
 * (their callbacks' effects) happened before. A node that installs a
 * checkpoint (a restart with rc_log_restart, a recovery with
 * rc_log_recover) counts the checkpoint's commands as delivered and
 * nothing of what it delivered before: the count, set in one store when
 * the install is done, is then the one every node has at that point of
 * the delivered order (it may go down at a restart from an older point),
 * so a count reached at one node names the same commands at every node.
 */
uint64_t rc_paxos_delivered(const rc_paxos_t *p, unsigned node);

/*
 * Waits until node `node` delivered at least count commands or timeout_ns
 * passed: 0 or -RC_ETIMEDOUT. Blocking, with opts.wait's policy: with the
 * callers runner the waiter runs the nodes meanwhile and parks only when
 * none has work, for at most 1 ms or until the next timer of a node; with
 * the threads runner it parks until the node's thread delivers. An
 * acquire of the deliveries counted. Any thread.
 */
int rc_paxos_wait(const rc_paxos_t *p, unsigned node, uint64_t count,
		  uint64_t timeout_ns);

/*
 * A linearizable read index at node `node`, without a log round
 * (rc_paxos_node_read: the leader confirms with a majority that it still
 * leads and answers with its delivered count): writes to *index a count
 * of commands at least every count rc_paxos_delivered returned, at any
 * node, before the call, and returns 0 once node `node` delivered that
 * many; a read of the state its deliveries built is then linearizable.
 * Ordering: an acquire of those deliveries (their callbacks' effects),
 * as rc_paxos_wait's. Progress: blocking, for timeout_ns at most
 * (RC_LOG_FOREVER: no bound), with opts.wait's policy as rc_paxos_wait:
 * the callers runner runs the nodes while it waits. Returns
 * -RC_ETIMEDOUT when no leader confirmed by a majority answered in time
 * (node on a minority side of a partition, or no majority up), the read
 * then forgotten by the caller but still asked for by the node until
 * answered (a few bytes each, at node and leader); -RC_EAGAIN when node
 * crashed (before or during the wait); -RC_EINVAL for a bad node or
 * index NULL; -RC_ENOMEM. Concurrency: any thread, any number at once,
 * at any nodes; not concurrent with a restart of node. Cost: a round
 * to a majority; rc_rsm reads by it over the Paxos log took 0.57-0.90 us
 * at the median with the callers runner and 55-80 us with the threads
 * runner, 3 nodes on a shared 2-CPU machine (bench paxos's read section,
 * doc/replicore-paxos.1).
 */
int rc_paxos_read_index(rc_paxos_t *p, unsigned node, uint64_t timeout_ns,
			uint64_t *index);

/*
 * With the callers runner: runs node `node`, then every other node that
 * no thread runs now, once each; returns 1 if any had work, 0 if none,
 * -RC_EINVAL for a bad node. With the threads runner: returns 0 at once.
 * Never waits (it skips a node whose lock is held). Any thread.
 */
int rc_paxos_poll(rc_paxos_t *p, unsigned node);

/*
 * Faults on demand: node stops processing for ns nanoseconds (stall) or for
 * good (crash); its inbox keeps or drops what arrives. Any thread; takes
 * effect at the node's next loop (relaxed stores: no data travels with
 * them). Returns 0 or -RC_EINVAL.
 */
int rc_paxos_stall(rc_paxos_t *p, unsigned node, uint64_t ns);
int rc_paxos_crash(rc_paxos_t *p, unsigned node);

/*
 * A network partition: from the call on, every message between a node
 * whose bit is set in side and a node whose bit is clear is dropped by
 * its sender (what a ring already holds still arrives), until
 * rc_paxos_heal() or for ns nanoseconds (0: until healed). One partition
 * at a time: a new call replaces the last. The side holding a majority
 * goes on (its leader, or one it elects after the election timeout,
 * commits); a proposal on the other side is not delivered anywhere until
 * the partition heals, and is delivered after it (its proposer resends
 * it every cfg.retry), as are the slots its side missed. side must hold
 * at least one node and not all: else -RC_EINVAL; 0 otherwise. Any
 * thread, any number at once: the partition is a pair of relaxed stores
 * that each send reads (a send racing with the call may go either way,
 * as a message in flight), wait-free. rc_paxos_heal: ends the partition
 * (a relaxed store; sends after it pass) and wakes parked waiters and
 * node threads, so that resends and catch-ups start at the next timer.
 */
int rc_paxos_partition(rc_paxos_t *p, uint64_t side, uint64_t ns);
void rc_paxos_heal(rc_paxos_t *p);

/*
 * The nodes (a bit each) that the seeded fault schedule crashes, now or
 * later. Wait-free, any thread.
 */
uint64_t rc_paxos_doomed(const rc_paxos_t *p);

/* The node that currently leads as far as node `node` knows. Any thread. */
unsigned rc_paxos_leader(const rc_paxos_t *p, unsigned node);

/*
 * After rc_paxos_stop(): checks what the nodes delivered (opts.check must
 * have been set) for agreement, validity, integrity and no gaps, and
 * liveness: every command proposed at a node that did not crash was
 * delivered by every node that did not crash. Returns the violated
 * properties (0: none) and writes the first in words to why.
 */
unsigned rc_paxos_verify(rc_paxos_t *p, char *why, size_t len);

/* Stops and joins the node threads; the counters stay readable. */
void rc_paxos_stop(rc_paxos_t *p);

/* Node node's counters (after rc_paxos_stop()). */
void rc_paxos_stats(const rc_paxos_t *p, unsigned node,
		    struct rc_paxos_node_stats *s);

/*
 * The Paxos backend of the operation log (replicore/log.h): node i of the
 * log is node i of a group created from opts (NULL: defaults of 1 ms
 * heartbeats, 20 ms election timeouts, batches of 64, the callers runner
 * and spin-then-park waits; opts->cfg.nodes is set to nnodes;
 * opts->deliver must be NULL). An append submits its entries at its node
 * together (they share a slot, up to cfg.batch) and returns once that
 * node delivered them, running the group while it waits (the callers
 * runner); a read that finds nothing new runs its node and every other
 * free node that has work, as a waiter does; indexes are positions in
 * the delivered order, the same at every node. Each node
 * keeps its own copy of the entries it has not consumed, so a stalled
 * consumer holds back nobody (its copy grows in memory without bound), and
 * consensus goes on while a majority of the Paxos nodes runs. Capabilities:
 * RC_LOG_CAP_TAIL (the largest count delivered at any node, read from
 * shared memory) and RC_LOG_CAP_READ_INDEX (rc_paxos_read_index at the
 * node: the same bound confirmed by a majority, through the protocol); not
 * RC_LOG_CAP_NOPARTIAL: a timed-out append's entries may still be ordered.
 * capacity is 0, max_batch 256. Appends and reads follow log.h's rules;
 * an append at a node that crashes (rc_paxos_crash) fails with
 * -RC_EAGAIN, also while it waits.
 * With opts->snapshots the log keeps snapshots (rc_log_snapshot, which
 * rc_rsm hands it when its ops have snapshot and restore): each node's
 * Paxos node is checkpointed every 4096 delivered entries; a replica
 * snapshot pairs with the newest checkpoint at or below it, and the
 * group then forgets slots below the lowest paired checkpoint of the
 * nodes not crashed, so memory stays bounded with a node crashed (the
 * resident size of 10,000,000 counter updates with node 2 of 3 crashed
 * stayed within 0.6 MiB of its size after 2,000,000 on the machine this
 * was written on; without snapshots it grew by about 210 KiB per 1,000
 * updates). A crashed node comes back with rc_log_restart (rc_rsm_restart):
 * it takes the paired snapshot of the live node with the lowest point,
 * its Paxos node keeps its acceptor state (the group's stable storage is
 * its memory) and installs the checkpoint, and it catches up from there.
 * A node that was not crashed but fell below the others' snapshots (the
 * failure detector took it for down while it stalled or was cut off)
 * recovers the same way without a restart: its reads return nothing
 * once its Paxos node hears of the higher base, and rc_log_recover
 * (which rc_rsm calls when a read finds nothing) installs the live pair
 * with the lowest point in its Paxos node and its copy of the log and
 * hands the snapshot to the consumer to rebuild its replica from; an
 * append waiting at the node meanwhile fails with -RC_EAGAIN only if one
 * of its entries is in that snapshot (its outcome is then unknown).
 * an append blocks (up to its timeout) until its node delivered the
 * batch; a read never waits. Blocking create (allocates; threads with the
 * threads runner). Returns 0 or -RC_E*.
 */
/*
 * Fills o with the defaults rc_log_paxos_create takes for opts NULL, for
 * a caller that changes a few of them (the runner, the layout). Any
 * thread; wait-free.
 */
void rc_log_paxos_defaults(struct rc_paxos_opts *o);

int rc_log_paxos_create(rc_log_t **out, unsigned nnodes,
			const struct rc_paxos_opts *opts, rc_err_t *err);

/*
 * The group under a Paxos log (to stall or crash its nodes), or NULL when
 * log is another backend. Any thread.
 */
rc_paxos_t *rc_log_paxos_group(rc_log_t *log);

/*
 * Membership of a Paxos log. Create the log with opts->cfg.alpha set
 * (1..RC_PAXOS_MAX_ALPHA) and opts->cfg.members the initial member set
 * (0: every node); the other nodes are spares. Every node of the log,
 * member or not, is a replica: it appends (its commands go to the
 * leader, which may itself be a non-member), delivers and consumes every
 * entry. rc_log_paxos_reconfigure submits at `node` a configuration
 * command naming `members` (a bit per node below nnodes, not 0) as the
 * member set of the slots from alpha after the one it is chosen in
 * (paxos.c's essay), and returns 0 once `node` delivered it. The command
 * is ordered in the Paxos log like an entry but is not one: no node's
 * copy of the log holds it and it takes no index (every node leaves it
 * out at the same point of the same delivered order, so indexes agree
 * and a state machine never applies it). An entry whose tag happens to
 * be RC_PAXOS_TAG_CONFIG stays an entry: the log carries such tags in
 * the command's pad word. Any thread, any number at once (they are
 * serialised by a mutex of the log), concurrently with appends and
 * reads at any node: it takes node's Paxos lock to number the command
 * among the node's appends, then waits as an append does, without a
 * help function, up to timeout_ns. Blocking; a 0 return is an acquire
 * of node's delivery of the command (pairs with the release of the
 * log's delivery). Returns 0; -RC_EINVAL (not
 * a Paxos log, cfg.alpha 0, a bad node or member set); -RC_EAGAIN when
 * node crashed; -RC_ETIMEDOUT when node did not deliver it in time: the
 * command may still be chosen later, and then takes effect.
 */
int rc_log_paxos_reconfigure(rc_log_t *log, unsigned node, uint64_t members,
			     uint64_t timeout_ns, rc_err_t *err);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_PAXOS_H */
