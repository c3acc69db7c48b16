/* SPDX-License-Identifier: MIT */
/* replicore/log.h: the operation log of the replicated state machine, as an interface that backends implement. */
#ifndef REPLICORE_LOG_H
#define REPLICORE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include <replicore/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An operation log is a totally ordered sequence of entries shared by
 * nnodes nodes (0..nnodes-1), one per replica of a state machine. Entries
 * have indexes 0, 1, 2, ... in log order. A node appends batches of
 * entries; every node consumes every entry, in index order, through its
 * own cursor. The state machine (replicore/rsm.h) applies the entries to
 * its replicas in that order, so replicas that started equal stay equal.
 *
 * The log is an interface: a backend fills a struct rc_log_ops and embeds
 * a struct rc_log as the first member of its own object. Three backends
 * exist: the shared-memory log (rc_log_shm_create, below: fast, blocks
 * when a node stops consuming), a Paxos log (replicore/paxos.h: orders
 * entries by consensus among the nodes) and a Raft log (replicore/raft.h:
 * the same by Raft). Users call the rc_log_* inline
 * wrappers; they check arguments the same way for every backend and
 * dispatch through the table.
 *
 * The contract every backend keeps:
 *
 * Order. Appended entries receive distinct indexes; a batch's entries
 * keep their order (idx[0] < idx[1] < ...) but need not be consecutive.
 * Every node sees the same entry at the same index. An entry is
 * *ordered* once its index is fixed for good (durably: no later failure
 * of a minority of nodes changes it); append returns only then.
 *
 * Tail. rc_log_tail() returns an index T such that every entry of every
 * append that returned before rc_log_tail() was called has an index below
 * T, and every index below T holds, or will hold without any further
 * append, an ordered entry (an entry may be ordered but not yet readable:
 * its appender is still copying it in; a consumer then waits for it).
 * A state machine reads T at a read's invocation and answers the read
 * once its replica has applied every entry below T: that makes reads
 * linearizable. A backend that can compute T cheaply and exactly sets
 * RC_LOG_CAP_TAIL; without it rc_log_tail() may return -RC_ENOTSUP and the
 * state machine sends linearizable reads through the log as entries.
 *
 * Read index. A consensus backend whose tail is read from shared memory
 * (the Paxos log's) steps outside its protocol to get it. With
 * RC_LOG_CAP_READ_INDEX it offers the same bound from the protocol
 * itself: rc_log_read_index(node) returns an index I that keeps the Tail
 * contract (every entry of every append that returned before the call
 * lies below I; every index below I holds an ordered entry), confirmed by
 * a majority of the nodes, once node's own copy holds every entry below
 * I, so that node's consumer can read them without waiting for anyone.
 * It blocks for a round to a majority, and fails (-RC_ETIMEDOUT) when no
 * majority answers in time: a node cut off from the majority cannot
 * read. It calls its help function while it waits, as an append does
 * (see Waiting and helping); the state machine passes one that catches
 * node up, which recovers at once a node that fell behind its peers'
 * snapshots (rc_log_recover).
 *
 * Cursors and reclamation. Each node has one cursor, the index of the
 * next entry it consumes, starting at 0. rc_log_read() copies entries
 * from the cursor on and moves the cursor past them. Once every node's
 * cursor has passed an entry, the backend may reuse its space. A backend
 * whose space is bounded therefore depends on every node consuming.
 *
 * A node that stops consuming. When one node's cursor stops moving (its
 * replica's combiner is stalled, or nobody drives it), a bounded log
 * fills: the space between that cursor and the tail is the whole log.
 * Appends from every node then wait for room; they wait as long as their
 * timeout lets them and fail with -RC_ETIMEDOUT after it, leaving the log
 * as it was (with RC_LOG_CAP_NOPARTIAL). Consumers of other nodes are not
 * affected: they keep reading up to the tail. Once the stalled node
 * consumes again, room appears and waiting appends proceed. The
 * shared-memory backend behaves exactly so (with capacity entries of
 * room); a consensus backend may instead keep going while a minority of
 * nodes is stalled, and bound the entries it keeps for a stalled node
 * differently: its documentation says how.
 *
 * Waiting and helping. An append may block (for room, for consensus).
 * While it waits the backend calls the append's help function, if given,
 * from the appending thread, at least once per wait step: the state
 * machine passes one that consumes and applies entries for the appending
 * node (and for idle nodes), because the appending node's own cursor may
 * be the one holding the room back. help may call rc_log_read() for any
 * node whose consumption it owns, including the appending one, and
 * rc_log_tail(); it must not append. The backend holds none of its locks
 * while it calls help.
 *
 * Timeouts. timeout_ns bounds the time an append waits: RC_LOG_FOREVER
 * never gives up; 0 makes one attempt without waiting. On -RC_ETIMEDOUT
 * no index is returned. With RC_LOG_CAP_NOPARTIAL none of the batch's
 * entries is in the log or ever will be. Without it (a consensus backend
 * whose proposals are already in flight) any of them may still be
 * ordered later and then consumed like any other entry: the appender
 * cannot know its result, so the operation is indeterminate.
 *
 * Concurrency. rc_log_append() and rc_log_read() for one node are called
 * by one thread at a time (the node's combiner; help runs in that same
 * thread); different nodes' calls run concurrently. rc_log_tail(),
 * rc_log_cursor() and the accessors may be called by any thread at any
 * time. Create and destroy are not concurrent with anything on the log.
 *
 * Memory ordering. append is a release: whatever the appending thread
 * wrote before it happens before a consumer's rc_log_read() returning one
 * of its entries (the read is the acquire). rc_log_tail() is an acquire
 * of every append that returned before it. rc_log_read() moving a cursor
 * is a release paired with the acquire by which appenders find room: a
 * slot is reused only after every consumer's copy of it is complete.
 */
typedef struct rc_log rc_log_t;

/* One log entry: an operation with its argument, and who appended it. */
struct rc_log_entry {
	uint64_t op;	 /* the operation (meaning is the state machine's) */
	uint64_t arg;	 /* its argument */
	uint32_t origin; /* the appending node: set by the backend */
	uint32_t tag;	 /* the appender's own word, carried unchanged */
};

/* Capabilities (struct rc_log.caps). */
#define RC_LOG_CAP_TAIL 0x1u	   /* rc_log_tail() is exact and cheap */
#define RC_LOG_CAP_NOPARTIAL 0x2u  /* a failed append left nothing */
#define RC_LOG_CAP_READ_INDEX 0x4u /* rc_log_read_index() (Read index) */

/* A timeout that never runs out. */
#define RC_LOG_FOREVER UINT64_MAX

/* Called by a waiting append; see "Waiting and helping" above. */
typedef void (*rc_log_help_fn)(void *help_arg);

/*
 * The operations a backend provides. The wrappers below have checked the
 * arguments (node < nnodes, 1 <= n <= max_batch, max >= 1, pointers not
 * NULL) before calling them.
 */
struct rc_log_ops {
	/*
	 * Appends entries e[0..n-1] for node (their origin is set to node,
	 * the rest copied), writes their indexes to idx[0..n-1] and returns
	 * 0 once all are ordered; or -RC_ETIMEDOUT (see Timeouts), or
	 * another -RC_E* for a failure of the backend (its text in err).
	 */
	int (*append)(rc_log_t *log, unsigned node,
		      const struct rc_log_entry *e, unsigned n, uint64_t *idx,
		      uint64_t timeout_ns, rc_log_help_fn help, void *help_arg,
		      rc_err_t *err);
	/*
	 * Writes the tail (see Tail) to *tail and returns 0; or
	 * -RC_ENOTSUP when the backend lacks RC_LOG_CAP_TAIL.
	 */
	int (*tail)(rc_log_t *log, uint64_t *tail);
	/*
	 * Copies up to max readable entries, from node's cursor on, to out,
	 * writes the first one's index (the cursor before the call) to
	 * *first, moves the cursor past them and returns how many (0 when
	 * the entry at the cursor is not readable yet). Never waits for an
	 * append (it may take a backend lock briefly).
	 */
	unsigned (*read)(rc_log_t *log, unsigned node, uint64_t *first,
			 struct rc_log_entry *out, unsigned max);
	/* node's cursor: the index of the next entry it will read. */
	uint64_t (*cursor)(rc_log_t *log, unsigned node);
	/* Frees the backend; nothing may be using the log. */
	void (*destroy)(rc_log_t *log);
	/*
	 * Optional (NULL: the backend keeps no snapshots). Takes a copy of
	 * buf[0..len-1], node's replica after the entries below index
	 * (index <= node's cursor), which lets the backend forget entries
	 * below it and hand it to a node that restarts; returns 0 or
	 * -RC_ENOMEM. Called by node's consumer (its reader), with no lock
	 * of the backend held.
	 */
	int (*snapshot)(rc_log_t *log, unsigned node, uint64_t index,
			const void *buf, size_t len);
	/*
	 * Optional (NULL: nodes cannot come back). Brings node, which
	 * crashed, back: it fetches a snapshot and the rest of the log from
	 * its peers and rejoins. Writes the snapshot's index to *index
	 * (node's cursor from now on) and a malloc'd copy of its bytes to
	 * *buf, *len (NULL, 0 when there is none: index is then 0, and the
	 * replica starts empty). Nothing may be using node. Returns 0,
	 * -RC_EINVAL (node did not crash), -RC_ENOMEM.
	 */
	int (*restart)(rc_log_t *log, unsigned node, uint64_t *index,
		       void **buf, size_t *len, rc_err_t *err);
	/*
	 * Optional (NULL: a node's entries stay readable until it reads
	 * them). Called by node's consumer, like read, when a read found
	 * nothing (also from an append's help): if the backend forgot
	 * entries node has not read (it fell below its peers' snapshots
	 * while it ran too slowly or was cut off), rebuilds node's copy
	 * from a peer's snapshot: writes the snapshot's index to *index
	 * (node's cursor from now on) and a malloc'd copy of its bytes to
	 * *buf, *len, and returns 1; the consumer must then replace its
	 * replica by one built from those bytes before it applies the
	 * entries it reads next. Returns 0 when node is not behind (the
	 * common case, cheap), or -RC_ENOMEM (node stays behind; call again
	 * later). Takes backend locks briefly, none held while it returns.
	 */
	int (*recover)(rc_log_t *log, unsigned node, uint64_t *index,
		       void **buf, size_t *len, rc_err_t *err);
	/*
	 * Optional (NULL: no read index; set exactly when caps has
	 * RC_LOG_CAP_READ_INDEX). Writes a read index (see Read index) to
	 * *index and returns 0 once node's copy holds every entry below it;
	 * or -RC_ETIMEDOUT when no majority confirmed one within
	 * timeout_ns, or another -RC_E* (its text in err). Calls
	 * help(help_arg) while it waits, with no backend lock held. Any
	 * thread, concurrently with node's appender and consumer and with
	 * other read_index calls.
	 */
	int (*read_index)(rc_log_t *log, unsigned node, uint64_t timeout_ns,
			  uint64_t *index, rc_log_help_fn help, void *help_arg,
			  rc_err_t *err);
};

/*
 * The common head of every backend's log object. A backend sets every
 * field at creation and never changes them.
 */
struct rc_log {
	const struct rc_log_ops *ops;
	const char *name;   /* "shm", "paxos", ... */
	unsigned nnodes;    /* nodes (replicas) sharing the log, >= 1 */
	unsigned caps;	    /* RC_LOG_CAP_* */
	unsigned max_batch; /* most entries one append may carry, >= 1 */
	size_t capacity;    /* entries the log can hold unconsumed; 0: no
			       fixed bound */
};

/*
 * Appends a batch of n entries for node; see struct rc_log_ops.append and
 * the contract above. The caller is node's only appender and reader at
 * this time. Blocking (up to timeout_ns; then -RC_ETIMEDOUT). A release
 * of the caller's earlier writes to the consumers of the entries.
 * Returns 0 or -RC_E*; -RC_EINVAL for a bad node or n.
 */
static inline int rc_log_append(rc_log_t *log, unsigned node,
				const struct rc_log_entry *e, unsigned n,
				uint64_t *idx, uint64_t timeout_ns,
				rc_log_help_fn help, void *help_arg,
				rc_err_t *err)
{
	if (node >= log->nnodes || n == 0 || n > log->max_batch)
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "append of %u entries for node %u: the %s "
				  "log takes 1..%u entries for nodes 0..%u",
				  n, node, log->name, log->max_batch,
				  log->nnodes - 1);
	return log->ops->append(log, node, e, n, idx, timeout_ns, help,
				help_arg, err);
}

/*
 * The tail (see Tail). Any thread, any time. An acquire of every append
 * that returned before the call. Wait-free or lock-free per backend (the
 * shared-memory log: one acquire load). Returns 0, or -RC_ENOTSUP when
 * the backend lacks RC_LOG_CAP_TAIL.
 */
static inline int rc_log_tail(rc_log_t *log, uint64_t *tail)
{
	return log->ops->tail(log, tail);
}

/*
 * Consumes up to max ready entries for node (see struct rc_log_ops.read).
 * node's only reader at this time. Never waits for an append. The
 * acquire paired with the appends of the entries it returns, and the
 * release that lets their space be reused.
 */
static inline unsigned rc_log_read(rc_log_t *log, unsigned node,
				   uint64_t *first, struct rc_log_entry *out,
				   unsigned max)
{
	if (node >= log->nnodes || max == 0)
		return 0;
	return log->ops->read(log, node, first, out, max);
}

/*
 * Hands the backend node's replica as of index (see struct
 * rc_log_ops.snapshot). node's consumer only, like rc_log_read. Blocking
 * (allocates, takes backend locks briefly). A release of the copy to a
 * node that restarts from it (the backend's lock). Returns 0,
 * -RC_ENOTSUP (the backend keeps none) or -RC_ENOMEM.
 */
static inline int rc_log_snapshot(rc_log_t *log, unsigned node, uint64_t index,
				  const void *buf, size_t len)
{
	if (!log->ops->snapshot || node >= log->nnodes)
		return -RC_ENOTSUP;
	return log->ops->snapshot(log, node, index, buf, len);
}

/*
 * Brings crashed node back (see struct rc_log_ops.restart). Nothing may be
 * using node; other nodes go on meanwhile. Blocking. The acquire of the
 * snapshot it returns (the backend's lock). Returns 0, -RC_ENOTSUP, or the
 * backend's error.
 */
static inline int rc_log_restart(rc_log_t *log, unsigned node, uint64_t *index,
				 void **buf, size_t *len, rc_err_t *err)
{
	if (!log->ops->restart)
		return rc_err_set(err, RC_ENOTSUP, "log", 0, 0,
				  "the %s log cannot restart a node",
				  log->name);
	if (node >= log->nnodes)
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "restart of node %u of %u", node,
				  log->nnodes);
	return log->ops->restart(log, node, index, buf, len, err);
}

/*
 * Rebuilds node's copy of the log from a peer's snapshot if node fell
 * behind (see struct rc_log_ops.recover): 1 (replace the replica by the
 * snapshot in *buf, *len, as of *index), 0 (nothing to do; always so for
 * a backend without recover) or -RC_E*. node's consumer only, like
 * rc_log_read, after a read that found nothing. Blocking only briefly
 * for backend locks; the acquire of the snapshot it returns.
 */
static inline int rc_log_recover(rc_log_t *log, unsigned node, uint64_t *index,
				 void **buf, size_t *len, rc_err_t *err)
{
	if (!log->ops->recover || node >= log->nnodes)
		return 0;
	return log->ops->recover(log, node, index, buf, len, err);
}

/*
 * A read index for node (see Read index and struct
 * rc_log_ops.read_index). Any thread, any number at once, concurrently
 * with node's appender and consumer. Blocking, up to timeout_ns
 * (RC_LOG_FOREVER: no bound), calling help(help_arg) while it waits
 * (NULL: none). An acquire of every append that returned before the call
 * and of node's copy of the entries below *index. Returns 0,
 * -RC_ENOTSUP (the backend lacks RC_LOG_CAP_READ_INDEX), -RC_EINVAL (a
 * bad node), -RC_ETIMEDOUT, or the backend's error.
 */
static inline int rc_log_read_index(rc_log_t *log, unsigned node,
				    uint64_t timeout_ns, uint64_t *index,
				    rc_log_help_fn help, void *help_arg,
				    rc_err_t *err)
{
	if (!log->ops->read_index)
		return rc_err_set(err, RC_ENOTSUP, "log", 0, 0,
				  "the %s log has no read index", log->name);
	if (node >= log->nnodes)
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "read index at node %u of %u", node,
				  log->nnodes);
	return log->ops->read_index(log, node, timeout_ns, index, help,
				    help_arg, err);
}

/* node's cursor. Any thread; a snapshot that may be stale at once. */
static inline uint64_t rc_log_cursor(rc_log_t *log, unsigned node)
{
	return log->ops->cursor(log, node);
}

/* Frees the log. Nothing may be using it. NULL is ignored. */
static inline void rc_log_destroy(rc_log_t *log)
{
	if (log)
		log->ops->destroy(log);
}

static inline unsigned rc_log_nnodes(const rc_log_t *log)
{
	return log->nnodes;
}

static inline unsigned rc_log_caps(const rc_log_t *log)
{
	return log->caps;
}

static inline const char *rc_log_name(const rc_log_t *log)
{
	return log->name;
}

/*
 * The shared-memory backend: a circular array of capacity entries (a
 * power of two, 2..2^24), each on a cache line of its own (64 bytes an
 * entry), in the creating thread's memory, shared by nnodes nodes
 * (1..RC_LOG_SHM_MAX_NODES). Appends reserve consecutive indexes with a
 * compare-and-swap on the tail (which expects the tail where the node's
 * previous append suggests, so it does not read the tail's line first)
 * and then copy the entries in; the tail is exact (RC_LOG_CAP_TAIL) and a
 * timed-out append reserved nothing (RC_LOG_CAP_NOPARTIAL). max_batch is
 * capacity / 2.
 * An append waits while the entries between the slowest cursor and the
 * tail would exceed capacity: one node that stops consuming stops every
 * appender (see "A node that stops consuming"). Appends are lock-free
 * among themselves except for that wait; reads are wait-free. Any
 * thread; blocking (allocates). Returns 0, -RC_EINVAL or -RC_ENOMEM.
 */
#define RC_LOG_SHM_MAX_NODES 256u

int rc_log_shm_create(rc_log_t **out, unsigned nnodes, size_t capacity,
		      rc_err_t *err);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_LOG_H */
