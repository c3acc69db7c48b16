/* SPDX-License-Identifier: MIT */
/* replicore/rsm.h: a replicated state machine that makes a sequential data structure concurrent and NUMA-aware. */
#ifndef REPLICORE_RSM_H
#define REPLICORE_RSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <replicore/err.h>
#include <replicore/log.h>
#include <replicore/topo.h>
#include <replicore/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * rc_rsm follows Node Replication (Calciu, Sen, Balakrishnan, Aguilera,
 * ASPLOS 2017). The user describes a sequential data structure by an ops
 * table; the state machine keeps one replica of it per NUMA node of a
 * layout (rc_topo), an operation log (replicore/log.h) shared by the
 * nodes, and flat combining inside each node:
 *
 *   - An update whose thread finds its node without a combiner makes
 *     that thread the combiner at once; otherwise (and while the
 *     thread's previous update was answered by another combiner, which
 *     is then likely still at work) it is posted in the thread's slot,
 *     and the thread tries the lock only now and then while it waits.
 *     Each combiner round serves every slot posted when it looks, so a
 *     posted update is served by the next round that starts after it,
 *     or its thread takes the combiner's place once the lock is free.
 *     The combiner takes its own update and the node's posted ones,
 *     appends them to the log as one batch, applies the log up to and
 *     including the batch to the node's replica, and hands each posted
 *     operation its result.
 *   - A read (ops->is_read) observes the log tail at its invocation,
 *     waits until the node's replica has applied every entry below it
 *     (becoming the combiner to catch it up if nobody is), and then runs
 *     on the local replica under the replica's read lock, in parallel
 *     with the node's other readers. Reads are linearizable.
 *   - With RC_RSM_READ_INDEX (per rsm or per call; the log must have
 *     RC_LOG_CAP_READ_INDEX, as the Paxos log has) a linearizable read
 *     takes its bound from the log's read index (rc_log_read_index: a
 *     round to a majority of the log's nodes) instead of the tail, which
 *     the Paxos log reads from every node's count in shared memory; a
 *     read at a node that cannot reach a majority then fails with
 *     -RC_ETIMEDOUT after rc_rsm_options.timeout_ns instead of waiting
 *     for entries its node cannot get.
 *   - With RC_RSM_READ_SEQ (per rsm or per call) a read skips the
 *     catch-up and runs on the local replica as it is: it sees the
 *     caller's own earlier updates and never goes back in time, but may
 *     miss updates that completed on other nodes. Such reads are
 *     sequentially consistent, not linearizable.
 *
 * With one NUMA node and no log given there is one replica and nothing to
 * replicate: the combiner applies its batch to the replica directly and
 * the default log, though created, stays unused.
 *
 * Every replica applies the same entries in the same order, so apply must
 * be deterministic: its result and its effect depend only on the state
 * and (op, arg).
 *
 * A node whose replica stops applying (its combiner stalls inside apply,
 * say) stops the shared-memory log from reclaiming space: the log fills
 * and every node's updates wait; with a bounded wait (rc_rsm_options
 * .timeout_ns) they fail with -RC_ETIMEDOUT instead. Nodes that merely
 * have no active thread do not stall anybody: a waiting appender applies
 * the log to idle nodes' replicas itself.
 *
 * Placement: each node's own memory (its combiner lock, its thread
 * slots, the combiner's batch buffers) is allocated on the node's real
 * NUMA node (rc_topo_alloc; see replicore/topo.h for how a synthetic
 * layout's node maps to one), and ops->init for a node runs on a thread
 * bound to the node's real PUs (rc_topo_run_on_node), so the replica it
 * builds is first touched there. rc_rsm_placement() reports where each
 * node's memory and replica are. The log is not placed: the default
 * shared-memory log is one structure shared by every node.
 *
 * Concurrency: create and destroy are not concurrent with anything on
 * the rsm. Any number of threads may register; each uses its own handle
 * only (a handle is not shared). rc_rsm_execute() from different handles
 * runs concurrently.
 */
typedef struct rc_rsm rc_rsm_t;
typedef struct rc_rsm_handle rc_rsm_handle_t;

/*
 * The sequential data structure. Called by the state machine only, never
 * concurrently on the same replica state except that several is_read
 * operations may run apply at once (under the replica's read lock).
 */
struct rc_rsm_ops {
	/*
	 * Creates one replica's state. Called by rc_rsm_create once per
	 * node, in node order, one node at a time, on a short-lived thread
	 * bound to the node's real PUs (rc_topo_run_on_node): not the
	 * creating thread, so init must not rely on that thread's
	 * thread-local state. Where the system cannot bind threads it runs
	 * on the creating thread (rc_rsm_placement says which). Pages that
	 * init takes fresh from the system and touches land on the node;
	 * memory an allocator hands back after another thread touched it
	 * (malloc reuses freed chunks, and arenas of exited threads) stays
	 * where it is. To place the replica whatever the allocator does,
	 * take it from rc_topo_alloc(topo, node, ...) (init_arg can carry
	 * the topology). Everything init did happens before rc_rsm_create
	 * returns. Returns NULL when out of memory.
	 */
	void *(*init)(void *init_arg, unsigned node);
	/*
	 * Performs op with arg on state and returns its result. For ops
	 * where is_read is true, apply must not change state (several
	 * readers may run it at once).
	 */
	uint64_t (*apply)(void *state, uint64_t op, uint64_t arg);
	/* Whether op only reads. Pure: the same answer for the same op. */
	bool (*is_read)(uint64_t op);
	/* Frees one replica's state (may be NULL). */
	void (*fini)(void *state);
	/*
	 * Optional, together (NULL: no snapshots; a node of a Paxos log
	 * then cannot restart). snapshot serialises state into buf when len
	 * is enough and returns the bytes it takes (called with buf NULL to
	 * size it); it runs with the replica's write lock held and must not
	 * change state. restore builds a replica's state from bytes that
	 * snapshot wrote (possibly at another node), as init would for
	 * node; NULL when out of memory or the bytes are bad. Deterministic
	 * as apply is: a restored replica then applies the entries after
	 * the snapshot as the original did.
	 */
	size_t (*snapshot)(const void *state, void *buf, size_t len);
	void *(*restore)(void *init_arg, unsigned node, const void *buf,
			 size_t len);
};

/* Flags of struct rc_rsm_options and of rc_rsm_execute_flags(). */
#define RC_RSM_READ_SEQ 0x1u   /* reads skip the catch-up (not linearizable) */
#define RC_RSM_PIN 0x2u	       /* register: pin the thread to its PU */
#define RC_RSM_READ_INDEX 0x4u /* reads catch up to the log's read index */

/* A default log's capacity, and the most threads one node may register. */
#define RC_RSM_LOG_CAPACITY 4096u
/* Entries a replica applies between two snapshots, by default. */
#define RC_RSM_SNAPSHOT_EVERY 65536u
#define RC_RSM_MAX_NODE_THREADS 64u

struct rc_rsm_options {
	/*
	 * The log. NULL: the rsm creates a shared-memory log of
	 * log_capacity entries (RC_RSM_LOG_CAPACITY when 0) and owns it.
	 * Otherwise the caller's log, for rc_topo_nnodes(topo) nodes; it
	 * must outlive the rsm, and the caller destroys it.
	 */
	rc_log_t *log;
	size_t log_capacity;
	/* Most threads that may register on one node; 0: the default. */
	unsigned max_node_threads;
	/* RC_RSM_READ_SEQ or RC_RSM_READ_INDEX for every read (the
	 * latter: -RC_EINVAL at creation when the log has no read index). */
	unsigned flags;
	/* Bound on an update's wait for the log; 0: RC_LOG_FOREVER. */
	uint64_t timeout_ns;
	/*
	 * How an operation waits for the node's combiner (a posted update
	 * for its answer, a linearizable read for the replica to catch
	 * up): after 256 pause instructions (about 7 us here),
	 * RC_WAIT_SPIN_PARK (0, the default) spins about 10 us more, then
	 * parks until the combiner wakes it as it gives the lock up;
	 * RC_WAIT_SPIN only spins; RC_WAIT_PARK parks at once. The waits
	 * nobody signals (a reader for the writer to leave the replica,
	 * the writer for a reader, the combiner for another node's entry)
	 * spin, then nap in growing naps of up to 100 us under spin-park
	 * and park, and only spin under spin. See replicore/wait.h.
	 */
	enum rc_wait_policy wait;
	/*
	 * With ops->snapshot and a log that keeps snapshots (the Paxos log
	 * made with opts.snapshots): each replica is snapshotted after
	 * every snapshot_every entries it applies (0: RC_RSM_SNAPSHOT_EVERY)
	 * and handed to the log (rc_log_snapshot), which then forgets what
	 * lies below the slowest live node's snapshot. A node that runs but
	 * falls below what the log keeps (its log node was taken for down
	 * while stalled or cut off) is rebuilt on its own: when a read of
	 * its log finds nothing, whoever applies its entries (its combiner,
	 * or a catching-up reader holding the combiner lock) asks the log
	 * (rc_log_recover), and if the log hands over a peer's snapshot it
	 * builds a replica from it (ops->restore), swaps it in under the
	 * replica's write lock, frees the old one (ops->fini) and goes on
	 * from the snapshot's index; threads registered there keep their
	 * handles. An update whose entry the snapshot already holds fails
	 * with -RC_EAGAIN, its outcome unknown (see rc_log_paxos_create).
	 */
	uint64_t snapshot_every;
};

#define RC_RSM_OPTIONS_INITIALIZER                     \
	{                                              \
		NULL, 0, 0, 0, 0, RC_WAIT_SPIN_PARK, 0 \
	}

/*
 * Creates a state machine of ops over the layout topo (one replica per
 * NUMA node of topo; a synthetic layout is mapped onto the machine's PUs,
 * see replicore/topo.h), calling ops->init(init_arg, node) for each node
 * on a thread bound to the node (see struct rc_rsm_ops) and placing each
 * node's own memory on the node. opts may be NULL (defaults). topo must
 * outlive the rsm. Any thread; blocking (allocates, creates and joins a
 * thread per node). Returns 0, -RC_EINVAL (bad options, a log for
 * another number of nodes), -RC_ENOMEM, or the log's creation error.
 */
int rc_rsm_create(rc_rsm_t **out, const struct rc_rsm_ops *ops, void *init_arg,
		  const rc_topo_t *topo, const struct rc_rsm_options *opts,
		  rc_err_t *err);

/*
 * Frees the rsm: calls ops->fini on each replica and destroys the log
 * when the rsm created it. Every handle must have been unregistered and
 * no thread may be using the rsm.
 */
void rc_rsm_destroy(rc_rsm_t *rsm);

/*
 * Registers the calling thread on the node holding logical PU pu of the
 * layout (rc_topo_spread() gives PUs that spread threads over nodes
 * first) and returns its handle. With RC_RSM_PIN in flags, also pins the
 * thread to that PU (rc_topo_pin), as rc_mem_bind does with RC_MEM_PIN;
 * without it the thread runs where it is, and may pin itself with
 * rc_topo_pin. Any thread, concurrently with other registrations and
 * with operations; lock-free (claims a slot with a compare-and-swap)
 * apart from pinning. Returns 0, -RC_EINVAL (pu out of
 * range), -RC_EAGAIN (the node's slots are all taken) or the pinning
 * error.
 */
int rc_rsm_register(rc_rsm_t *rsm, unsigned pu, unsigned flags,
		    rc_rsm_handle_t **out, rc_err_t *err);

/* Gives back h's slot; h's owner, with no operation running. Wait-free. */
void rc_rsm_unregister(rc_rsm_handle_t *h);

/* The node (replica) h is bound to. */
unsigned rc_rsm_handle_node(const rc_rsm_handle_t *h);

/*
 * Executes op with arg, writes its result to *result and returns 0.
 * Concurrency: h's owner only, concurrently with every other handle's
 * operations on any node. Updates are linearizable; reads are too unless
 * the rsm has RC_RSM_READ_SEQ, when they are sequentially consistent.
 * Ordering: the operation takes effect after everything the caller did
 * before the call and before everything it does after. An update handed
 * to the node's combiner is posted with a release that pairs with the
 * combiner's acquire; the combiner publishes it by the log's append, a
 * release that pairs with each node's rc_log_read (without a log, by the
 * combiner lock's release). A read takes the replica's read lock, an
 * acquire that pairs with the release by which the last combiner left
 * the replica.
 * Progress: blocking. The call may wait for the node's combiner (as
 * rc_rsm_options.wait says), for room in the log and for other nodes'
 * entries; without a bounded wait (rc_rsm_options.timeout_ns 0) a node
 * whose replica stops applying may keep it waiting for ever. Errors: an
 * operation that goes through the log (an update; a linearizable read
 * when the log lacks RC_LOG_CAP_TAIL) returns -RC_ETIMEDOUT when the
 * bounded wait runs out, or another failure of the log's append as the
 * log reports it (the Paxos log: -RC_EAGAIN when the node crashed or
 * recovered from a snapshot holding the update's entry, -RC_ENOMEM). A
 * read with RC_RSM_READ_INDEX returns the read index's failure
 * (-RC_ETIMEDOUT when no majority confirmed one within the bounded wait,
 * -RC_EAGAIN when the node crashed; -RC_ENOTSUP per call over a log
 * without one) and has no effect. Then *result is untouched, and the
 * operation did not take
 * effect when the log has RC_LOG_CAP_NOPARTIAL (the shared-memory log
 * has) or is indeterminate (it may still take effect) when it has not.
 * An operation that does not go through a log (a read that need not, any
 * operation of a one-node rsm that made its own log) returns 0. Pairs
 * with rc_rsm_register, which gives h.
 */
int rc_rsm_execute(rc_rsm_handle_t *h, uint64_t op, uint64_t arg,
		   uint64_t *result);

/*
 * rc_rsm_execute with per-call flags (RC_RSM_READ_SEQ: this read only is
 * sequential; RC_RSM_READ_INDEX: this read only catches up to the log's
 * read index): the same concurrency, ordering, waiting and statuses.
 */
int rc_rsm_execute_flags(rc_rsm_handle_t *h, uint64_t op, uint64_t arg,
			 unsigned flags, uint64_t *result);

/*
 * Brings node back after its log node crashed (rc_paxos_crash on the
 * group of a Paxos log): its threads must have unregistered (their
 * updates fail with -RC_EAGAIN meanwhile) and none may use the node. The
 * log fetches a snapshot and the rest of the log from a peer
 * (rc_log_restart); the node's replica is freed (ops->fini) and rebuilt
 * by ops->restore from the snapshot, or by ops->init when the log had
 * none (then from the log's first entry). New threads may then register
 * on the node; their updates go through the log again. Other nodes run
 * meanwhile. Blocking (allocates). Its effects happen before it returns
 * (the log's locks). Returns 0, -RC_ENOTSUP (the log cannot restart a
 * node, or ops lack restore), -RC_EINVAL, -RC_ENOMEM.
 */
int rc_rsm_restart(rc_rsm_t *rsm, unsigned node, rc_err_t *err);

/*
 * Applies every entry the log holds to every replica so all are equal.
 * No operation may run concurrently (after the threads are joined).
 * Blocking until the log's entries are readable. Returns 0.
 */
int rc_rsm_sync(rc_rsm_t *rsm);

/*
 * Replica node's state, for inspection after rc_rsm_sync() (no operation
 * running). Wait-free.
 */
void *rc_rsm_replica(rc_rsm_t *rsm, unsigned node);

unsigned rc_rsm_nnodes(const rc_rsm_t *rsm);
rc_log_t *rc_rsm_log(rc_rsm_t *rsm);

/*
 * How many entries replica node has applied (an index of the log).
 * Any thread; an acquire snapshot that may be stale at once.
 */
uint64_t rc_rsm_applied(const rc_rsm_t *rsm, unsigned node);

/* Values of the memory fields of struct rc_rsm_placement besides a node. */
#define RC_RSM_MEM_UNKNOWN (-1) /* not known: nothing placed, or no answer */
#define RC_RSM_MEM_SEVERAL (-2) /* its pages are on more than one node */

/*
 * Where a node of the rsm lives. Real nodes are numbered as in
 * replicore/topo.h (rc_topo_real_node).
 */
struct rc_rsm_placement {
	int real_node;	 /* the real node the layout node maps to */
	int node_mem;	 /* real node of the node's own memory (its struct,
			    thread slots and batch buffers), or RC_RSM_MEM_* */
	int replica_mem; /* real node of the page holding the replica's
			    first byte, or RC_RSM_MEM_* */
	int init_cpu;	 /* OS number of the CPU ops->init ran on, -1 unknown */
	bool init_bound; /* ops->init ran on a thread bound to the node's
			    real PUs (else on the creating thread) */
};

/*
 * Fills *pl with where node's memory and replica are now (asked of the
 * system with rc_topo_memnode) and where its init ran. Any thread, also
 * while operations run (it only reads page tables); not concurrently
 * with create or destroy. Blocking (system calls). Returns 0 or
 * -RC_EINVAL (node out of range).
 */
int rc_rsm_placement(const rc_rsm_t *rsm, unsigned node,
		     struct rc_rsm_placement *pl);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_RSM_H */
