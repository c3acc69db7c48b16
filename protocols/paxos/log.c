/* SPDX-License-Identifier: MIT */
/* log.c: the operation log (replicore/log.h) ordered by Multi-Paxos among the nodes. */

/*
 * Node i of the log is node i of an rc_paxos group (its runner and wait
 * policy from the options: by default the threads that append and read
 * run the Paxos nodes themselves, and there is no thread per node). An
 * append at node i submits all its entries at once as commands at Paxos
 * node i, with ids the log numbers itself (RC_PAXOS_ID(i, seq), seq
 * counted per node by the node's only appender), so that they share a
 * slot, and waits, running the group meanwhile, until Paxos node i has
 * delivered them all. Every Paxos node delivers the same commands in the
 * same order (agreement, no gaps, duplicates left out), so "the k-th
 * command node i delivered" is the same entry at every node: that k is
 * the log index. The append's bookkeeping (which ids, their indexes, how
 * many remain) is set and cleared under the Paxos node's lock, the lock
 * under which that node delivers.
 *
 * Each node keeps its own copy of the log: whoever runs its Paxos node
 * appends what it delivers to a chunked array and publishes the count
 * (release); the node's consumer copies from its cursor up to the count
 * (acquire) and frees the chunks its cursor has passed, which nobody else
 * reads; a consumer that finds nothing new makes a waiter's pass over
 * the group (its node and every free node with work). So a consumer that
 * stops holds back nobody: its own copy grows (without bound, in memory)
 * while the others go on, and consensus needs only a majority of Paxos
 * nodes, so a stalled or crashed minority stops nobody.
 *
 * A waiting append calls its help function, which may read the appending
 * node's own copy; that copy then stops at the batch's first delivered
 * entry until the append returns, so the batch is consumed after its
 * indexes are known, as with the shared-memory log.
 *
 * Tail: an append returns once its entries are delivered at its node, so
 * their indexes are below that node's count; every index below any node's
 * count holds a chosen entry. The largest count is therefore a tail in the
 * sense of log.h (RC_LOG_CAP_TAIL). That tail is read from every node's
 * count in shared memory, outside consensus; the read index
 * (RC_LOG_CAP_READ_INDEX, lp_read_index) gets the same bound from the
 * protocol: rc_paxos_read_index at the node gives a count of commands
 * confirmed by a majority, and returns once the node delivered that many,
 * which lp_deliver copied to the node's log before the group's count
 * rose (io_deliver in group.c calls it first); the node's count then is
 * the index in entries (configuration commands, counted by the group,
 * take none). A timed-out append leaves its
 * commands with Paxos, which may still order them (no
 * RC_LOG_CAP_NOPARTIAL): such entries are consumed like any other.
 *
 * The Paxos nodes themselves free the slots every node delivered (see
 * truncate_below in paxos.c); a node that crashed, or a stalled one, keeps
 * the others from freeing any slot it has not delivered, so their memory
 * then grows with the entries until it comes back (or for good).
 *
 * Snapshots (opts.snapshots). After each step of a Paxos node that
 * delivered LP_CK_EVERY entries since its last checkpoint, the log takes
 * one (rc_paxos_node_checkpoint: the slot, which commands were
 * delivered, and the entry count then) and queues it, LP_PEND at most.
 * When the node's replica hands its snapshot at index A (rc_log_snapshot),
 * the newest queued checkpoint at or below A pairs with it: both are kept
 * (the older pair freed) and the Paxos node compacts to the checkpoint's
 * slot, so the group forgets slots below the slowest live node's point
 * and a crashed node pins nothing. A restart (rc_log_restart) takes the
 * pair of the live node with the lowest point (at or above every base,
 * at most every live node's delivered count), brings the Paxos node back
 * with its acceptor state and the checkpoint, and sets the node's copy to
 * count from the checkpoint's entry count, keeping only entries from A
 * on, where the node's cursor then stands (above the count until the
 * node delivers the entries between: its reads run the group then as
 * when they find nothing). The pair it started from becomes its own,
 * since its Paxos node's point is that checkpoint's slot. The pairs live under a mutex
 * per node (snap_lock), taken after the Paxos node's lock, never before.
 *
 * Membership (cfg.alpha set, rc_log_paxos_reconfigure). A configuration
 * command is submitted at a node with the next of the node's numbers,
 * under its Paxos lock as an append's, and ordered with the entries; it
 * governs the Paxos group's majorities and is no entry: lp_deliver leaves
 * it out, at every node at the same place of the same delivered order,
 * so it takes no index and the counts (and the checkpoints' counts) agree
 * everywhere. An entry whose tag is RC_PAXOS_TAG_CONFIG would be taken by
 * the step machine for such a command, so an append sends it with tag 0
 * and LP_PAD_CONFIG_TAG in the pad word (which the step machine carries
 * unchanged), and lp_deliver gives the tag back. A node that is no member
 * still runs its Paxos node: it submits (to the leader), learns and
 * consumes as before, and only counts in no majority.
 *
 * Recovery of a node that runs. A node that is not crashed can still fall
 * below every base: the failure detector took it for down while it was
 * stalled or cut off (a false suspicion, which a detector that times out
 * makes), and the others forgot the slots it misses. Its Paxos node then
 * hears of a base above its delivered count (rc_paxos_node_behind); after
 * that step lp_after raises the node's `behind` flag, and from then on
 * its reads return nothing: entries it has not read will never come. Its
 * consumer, finding nothing to read, calls rc_log_recover (lp_recover),
 * which does what a restart does with the same code (lp_pick, lp_rebase),
 * except that the Paxos node is not replaced, only given the checkpoint
 * (it keeps its acceptor state and the commands it submitted): the
 * node's copy restarts at the pair's entry count, the Paxos node installs
 * the checkpoint under its lock, and the consumer gets the snapshot to
 * rebuild its replica from (rc_rsm does so under its combiner lock and
 * the replica's write lock, before it applies any further entry). An
 * append waiting at the node meanwhile (the recovery runs from its help
 * function) goes on waiting for its entries, which are delivered after
 * the checkpoint as any others, unless one of them is in the snapshot
 * (delivered before the recovery, in the checkpoint, or in the entries
 * between the checkpoint and the snapshot): the append then fails with
 * -RC_EAGAIN, its outcome unknown, as a timed-out one's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/clock.h>
#include <replicore/log.h>
#include <replicore/paxos.h>

#include "runtime/fault.h"
#include "protocols/paxos/internal.h"

#define LP_CHUNK 4096u
#define LP_MAXCHUNKS (1u << 16) /* 2^28 entries per node */
#define LP_MAX_BATCH 256u
#define LP_CK_EVERY 4096u /* entries between two checkpoints */
#define LP_PEND 32u	  /* checkpoints waiting for a snapshot, at most */

/* A checkpoint of a Paxos node, and the entry count at it. */
struct lp_ck {
	void *buf;
	size_t len;
	uint64_t slot, count;
};

struct lp_node {
	_Alignas(64) struct rc_log_entry **chunk; /* LP_MAXCHUNKS pointers */
	/* a chunk the consumer passed, for the next one the node needs
	 * (lp_chunk_take), or NULL */
	_Atomic(struct rc_log_entry *) spare;
	/* entries delivered at this node: whoever runs its Paxos node */
	_Atomic uint64_t count;
	_Atomic bool oom; /* the chunks ran out: appends fail */
	/* its Paxos node fell below a base: set under that node's lock
	 * (lp_after), cleared by the recovery under it too */
	_Atomic bool behind;
	/* the consumer's */
	_Alignas(64) _Atomic uint64_t cursor;
	unsigned pass; /* its passes over the group (see lp_read) */
	/*
	 * The append in progress: set and cleared by the appender under the
	 * Paxos node's lock, read and counted down by deliveries, which
	 * happen under the same lock.
	 */
	_Alignas(64) uint64_t first, last; /* ids of the batch; 0: none */
	uint64_t idx[LP_MAX_BATCH];
	_Atomic unsigned remaining;
	/*
	 * The index of the batch's first delivered entry while the append
	 * waits, else UINT64_MAX: this node's reads stop there, so a help
	 * function does not consume the batch before the append returns.
	 */
	_Atomic uint64_t hold_from;
	/* the append in progress lost an entry to a recovery's snapshot;
	 * under the Paxos node's lock, looked at by lp_done without it */
	_Atomic bool overtaken;
	/* the numbers of this node's commands: the appender's and
	 * rc_log_paxos_reconfigure's, taken under the Paxos node's lock */
	uint64_t seq;
	/* the configuration command a reconfiguration waits for at this
	 * node (0: none), under the Paxos node's lock, and whether the node
	 * delivered it */
	uint64_t conf_id;
	_Atomic bool conf_done;
	struct rc_paxos_cmd cmd[LP_MAX_BATCH];
	/* entries below it are counted, not kept (a restart from a
	 * snapshot); under the Paxos node's lock */
	uint64_t skip_below;
	uint64_t ck_last; /* count at the last checkpoint; under that lock */
	/* snapshots: under snap_lock */
	pthread_mutex_t snap_lock;
	struct lp_ck pend[LP_PEND];
	unsigned npend;
	struct lp_ck ck; /* paired with snap */
	void *snap;
	size_t snap_len;
	size_t snap_cap; /* snap's allocation, reused by the next snapshot */
	uint64_t snap_idx;
	rc_paxos_t *px;
	unsigned id;
	/* recoveries (lp_recover) and their time in ns, for tests; written
	 * by the consumer */
	_Atomic uint64_t recoveries, recover_ns;
};

struct lp_log {
	struct rc_log base;
	rc_paxos_t *px;
	struct lp_node *node;
	unsigned alpha;		   /* the group's cfg.alpha */
	pthread_mutex_t conf_lock; /* one reconfiguration at a time */
};

/* A pad word of a command: its entry's tag is RC_PAXOS_TAG_CONFIG, which
 * the command does not carry (the step machine would take it for a
 * configuration command). */
#define LP_PAD_CONFIG_TAG 1u

static struct lp_log *lp(rc_log_t *log)
{
	return (struct lp_log *)log;
}

/*
 * A chunk for nd's copy: the spare one its consumer passed, else a new
 * one; NULL without memory. Reusing the passed chunk keeps a node that
 * reads as fast as it delivers at two chunks without the allocator: a
 * malloc and a free per chunk, from the threads that run the node and
 * the one that reads it, left bench rsm --memory's resident size growing
 * by up to 17% over 10,000,000 commands while the bytes in use fell.
 */
static struct rc_log_entry *lp_chunk_take(struct lp_node *nd)
{
	/* acquire: pairs with the release in lp_chunk_pass, so the
	 * consumer's reads of the chunk came before our writes */
	struct rc_log_entry *c = atomic_exchange_explicit(&nd->spare, NULL,
							  memory_order_acquire);

	return c ? c : malloc(LP_CHUNK * sizeof(struct rc_log_entry));
}

/* The consumer is done with chunk c: the spare, or freed. */
static void lp_chunk_pass(struct lp_node *nd, struct rc_log_entry *c)
{
	struct rc_log_entry *none = NULL;

	/* release: our reads of c before whoever takes it writes it; pairs
	 * with the acquire in lp_chunk_take */
	if (!atomic_compare_exchange_strong_explicit(&nd->spare, &none, c,
						     memory_order_release,
						     memory_order_relaxed))
		free(c);
}

/* A chunk of a node's copy, for lp_room; NULL without memory (or with a
 * failure injected, runtime/fault.h). */
static struct rc_log_entry *lp_chunk_new(struct lp_node *nd)
{
	if (_rc_fault_alloc())
		return NULL;
	return lp_chunk_take(nd);
}

/*
 * Before an append, under the node's lock: the chunks for the node's
 * next LP_CHUNK entries at least (the one its count falls in and the
 * next), so that the deliveries the append waits for need no allocation.
 * -RC_ENOMEM without memory. A node that nobody appends at allocates its
 * copy's chunks as entries are delivered; out of memory there stops its
 * copy (its appends then fail with -RC_ENOMEM).
 */
static int lp_room(struct lp_node *nd)
{
	/* relaxed: under the lock, which every writer of count holds */
	uint64_t c = atomic_load_explicit(&nd->count, memory_order_relaxed);
	/* entries below skip_below are not kept: no chunk for them */
	uint64_t k = (c > nd->skip_below ? c : nd->skip_below) / LP_CHUNK;

	for (uint64_t j = k; j < k + 2 && j < LP_MAXCHUNKS; j++)
		if (!nd->chunk[j] && !(nd->chunk[j] = lp_chunk_new(nd)))
			return -RC_ENOMEM;
	return 0;
}

/* On Paxos node `node`'s thread: slot delivered, its commands appended. */
static void lp_deliver(void *arg, unsigned node, uint64_t slot,
		       const struct rc_paxos_cmd *cmds, unsigned n)
{
	struct lp_node *nd = &((struct lp_log *)arg)->node[node];
	/* relaxed: only this thread writes count */
	uint64_t c = atomic_load_explicit(&nd->count, memory_order_relaxed);

	(void)slot;
	/* relaxed: only this thread writes oom */
	for (unsigned i = 0;
	     i < n && !atomic_load_explicit(&nd->oom, memory_order_relaxed);
	     i++) {
		struct rc_log_entry *e;
		uint64_t k = c / LP_CHUNK;

		if (cmds[i].tag == RC_PAXOS_TAG_CONFIG && cmds[i].pad == 0) {
			/* A configuration command: every node leaves it out
			 * here, so it takes no index anywhere. */
			if (cmds[i].id == nd->conf_id)
				/* release: pairs with the acquire in
				 * lp_conf_done (the lock orders the rest) */
				atomic_store_explicit(&nd->conf_done, true,
						      memory_order_release);
			continue;
		}
		if (c < nd->skip_below) {
			/* In the snapshot the node restarted from; an entry of
			 * the append in progress has no result here then. */
			if (nd->first != 0 && cmds[i].id >= nd->first &&
			    cmds[i].id <= nd->last)
				/* relaxed: under the lock, as remaining */
				atomic_store_explicit(&nd->overtaken, true,
						      memory_order_relaxed);
			c++;
			continue;
		}
		/* An appender at this node set its chunks aside (lp_room);
		 * other nodes' deliveries allocate here. */
		if (k < LP_MAXCHUNKS && !nd->chunk[k])
			nd->chunk[k] = lp_chunk_take(nd);
		if (k >= LP_MAXCHUNKS || !nd->chunk[k]) {
			/* relaxed: a flag; appenders fail on it */
			atomic_store_explicit(&nd->oom, true,
					      memory_order_relaxed);
			break;
		}
		e = &nd->chunk[k][c % LP_CHUNK];
		e->op = cmds[i].op;
		e->arg = cmds[i].arg;
		e->origin = RC_PAXOS_ID_ORIGIN(cmds[i].id);
		e->tag = cmds[i].pad == LP_PAD_CONFIG_TAG ? RC_PAXOS_TAG_CONFIG
							  : cmds[i].tag;
		if (e->origin == node && nd->first != 0 &&
		    cmds[i].id >= nd->first && cmds[i].id <= nd->last) {
			/* relaxed: only the lock holder writes remaining
			 * and hold_from here; the release below publishes */
			unsigned left = atomic_load_explicit(
				&nd->remaining, memory_order_relaxed);

			nd->idx[cmds[i].id - nd->first] = c;
			if (c < atomic_load_explicit(&nd->hold_from,
						     memory_order_relaxed))
				atomic_store_explicit(&nd->hold_from, c,
						      memory_order_relaxed);
			/* release: the index above before the count the
			 * appender polls; pairs with its acquire load */
			atomic_store_explicit(&nd->remaining, left - 1,
					      memory_order_release);
		}
		c++;
	}
	/*
	 * release: the entries (and the chunk pointers) are written before
	 * the count that makes them readable; pairs with the acquire loads
	 * in lp_read and lp_tail.
	 */
	atomic_store_explicit(&nd->count, c, memory_order_release);
}

static bool lp_done(void *arg)
{
	struct lp_node *nd = arg;

	if (_rc_paxos_crashed(nd->px, nd->id))
		return true;
	/* acquire: pairs with the release in lp_deliver, so the indexes
	 * of the counted entries are written; relaxed for the flags, which
	 * carry no data (the appender reads them again under the lock) */
	return atomic_load_explicit(&nd->remaining, memory_order_acquire) ==
		       0 ||
	       atomic_load_explicit(&nd->oom, memory_order_relaxed) ||
	       atomic_load_explicit(&nd->overtaken, memory_order_relaxed);
}

static int lp_append(rc_log_t *log, unsigned node, const struct rc_log_entry *e,
		     unsigned n, uint64_t *idx, uint64_t timeout_ns,
		     rc_log_help_fn help, void *help_arg, rc_err_t *err)
{
	struct lp_log *l = lp(log);
	struct lp_node *nd = &l->node[node];
	uint64_t first;
	unsigned left;
	bool oom, over;
	int rc;

	/* Numbered under the lock: a reconfiguration takes numbers too. */
	_rc_paxos_lock(l->px, node);
	first = RC_PAXOS_ID(node, nd->seq + 1);
	for (unsigned i = 0; i < n; i++) {
		struct rc_paxos_cmd c = { first + i, e[i].op, e[i].arg,
					  e[i].tag, 0 };

		if (c.tag == RC_PAXOS_TAG_CONFIG) {
			c.tag = 0;
			c.pad = LP_PAD_CONFIG_TAG;
		}
		nd->cmd[i] = c;
	}
	nd->first = first;
	nd->last = first + n - 1;
	/* relaxed: under the Paxos node's lock, which deliveries take */
	atomic_store_explicit(&nd->remaining, n, memory_order_relaxed);
	atomic_store_explicit(&nd->hold_from, UINT64_MAX, memory_order_relaxed);
	atomic_store_explicit(&nd->overtaken, false, memory_order_relaxed);
	for (unsigned i = 0; i < n; i++)
		nd->idx[i] = UINT64_MAX; /* not delivered yet (lp_recover) */
	rc = lp_room(nd);
	if (rc == 0)
		rc = _rc_paxos_submit_locked(l->px, node, nd->cmd, n);
	if (rc < 0) {
		nd->first = nd->last = 0;
		atomic_store_explicit(&nd->remaining, 0, memory_order_relaxed);
	} else {
		/* Numbers are taken only by commands submitted: a number
		 * never delivered would hold back every learner's window of
		 * this node's commands. */
		nd->seq += n;
	}
	_rc_paxos_unlock(l->px, node);
	if (rc < 0)
		return rc_err_set(err, -rc, "log", 0, 0,
				  "paxos node %u takes no command: %s", node,
				  rc_strerror(-rc));
	(void)_rc_paxos_await(l->px, node, timeout_ns, lp_done, nd, help,
			      help_arg);
	_rc_paxos_lock(l->px, node);
	/* relaxed: under the lock, as above */
	left = atomic_load_explicit(&nd->remaining, memory_order_relaxed);
	oom = atomic_load_explicit(&nd->oom, memory_order_relaxed);
	over = atomic_load_explicit(&nd->overtaken, memory_order_relaxed);
	if (over)
		left = left ? left : n;
	if (left == 0)
		memcpy(idx, nd->idx, n * sizeof *idx);
	nd->first = nd->last = 0;
	atomic_store_explicit(&nd->remaining, 0, memory_order_relaxed);
	/* relaxed: the batch is the caller's again; the lock orders it
	 * before later deliveries */
	atomic_store_explicit(&nd->hold_from, UINT64_MAX, memory_order_relaxed);
	atomic_store_explicit(&nd->overtaken, false, memory_order_relaxed);
	_rc_paxos_unlock(l->px, node);
	if (left == 0)
		return 0;
	if (_rc_paxos_crashed(l->px, node))
		return rc_err_set(err, RC_EAGAIN, "log", 0, 0,
				  "paxos node %u crashed", node);
	if (over)
		return rc_err_set(err, RC_EAGAIN, "log", 0, 0,
				  "paxos node %u fell behind and recovered "
				  "from a snapshot holding entries of the "
				  "append: their outcome is unknown",
				  node);
	if (oom)
		return rc_err_set(err, RC_ENOMEM, "log", 0, 0,
				  "paxos log of node %u out of memory", node);
	return rc_err_set(err, RC_ETIMEDOUT, "log", 0, 0,
			  "paxos log: %u of %u entries not ordered within "
			  "%llu ns (no majority reachable?)",
			  left, n, (unsigned long long)timeout_ns);
}

/*
 * The tail is the largest count of any node, read from shared memory, not
 * from the node's own Paxos view: so a linearizable read at a node cut
 * off from the majority (rc_paxos_partition) or stalled still waits for
 * every entry any node delivered, entries its own node cannot deliver
 * until the partition heals. Such a read blocks (rc_rsm catches up
 * without a timeout) rather than answering from a stale replica: reads
 * on the minority side stay linearizable, and are as available as the
 * partition allows. The count is a delivery, which happens only for a
 * chosen slot, so no index below the tail is ever taken back.
 */
static int lp_tail(rc_log_t *log, uint64_t *tail)
{
	struct lp_log *l = lp(log);
	uint64_t t = 0;

	for (unsigned i = 0; i < log->nnodes; i++) {
		/* acquire: pairs with the release in lp_deliver */
		uint64_t c = atomic_load_explicit(&l->node[i].count,
						  memory_order_acquire);

		if (c > t)
			t = c;
	}
	*tail = t;
	return 0;
}

static unsigned lp_read(rc_log_t *log, unsigned node, uint64_t *first,
			struct rc_log_entry *out, unsigned max)
{
	struct lp_node *nd = &lp(log)->node[node];
	/* relaxed: the consumer alone writes its cursor */
	uint64_t c = atomic_load_explicit(&nd->cursor, memory_order_relaxed);
	/* acquire: pairs with the release in lp_deliver */
	uint64_t end = atomic_load_explicit(&nd->count, memory_order_acquire);
	/* relaxed: written before the count release we acquired above */
	uint64_t hold;
	unsigned n = 0;

	/* relaxed: the flag is the consumer's to clear (lp_recover, this
	 * thread); the entries it hides will not come */
	if (atomic_load_explicit(&nd->behind, memory_order_relaxed)) {
		*first = c;
		return 0;
	}

	/* Nothing to read: with the callers runner the group moves only
	 * when its users run it, and this reader may be the only one left
	 * (its missing entries may need a heartbeat, a catch-up and the
	 * leader's answer): one waiter's pass over the nodes. After a
	 * restart whose snapshot lies past its checkpoint the cursor stands
	 * above the count until the node delivers the entries between the
	 * two (counted, not kept): nothing to read then either. */
	if (end <= c && _rc_paxos_progress(lp(log)->px, node, nd->pass++) > 0)
		/* acquire: as above */
		end = atomic_load_explicit(&nd->count, memory_order_acquire);
	/* relaxed: written before the count release we acquired above */
	hold = atomic_load_explicit(&nd->hold_from, memory_order_relaxed);

	if (hold < end)
		end = hold;
	*first = c;
	while (n < max && c + n < end) {
		uint64_t i = c + n;

		out[n++] = nd->chunk[i / LP_CHUNK][i % LP_CHUNK];
		if ((i + 1) % LP_CHUNK == 0) {
			/* Nobody reads this chunk again. */
			lp_chunk_pass(nd, nd->chunk[i / LP_CHUNK]);
			nd->chunk[i / LP_CHUNK] = NULL;
		}
	}
	/* release: a reader of the cursor (rc_log_cursor) sees our copies
	 * done; nothing reuses the space (each node owns its copy) */
	atomic_store_explicit(&nd->cursor, c + n, memory_order_release);
	return n;
}

static uint64_t lp_cursor(rc_log_t *log, unsigned node)
{
	/* acquire: pairs with the release in lp_read */
	return atomic_load_explicit(&lp(log)->node[node].cursor,
				    memory_order_acquire);
}

static void ck_free(struct lp_ck *c)
{
	free(c->buf);
	memset(c, 0, sizeof *c);
}

/* After a step of Paxos node `node`, under its lock: a checkpoint? */
static void lp_after(void *arg, unsigned node, rc_paxos_node_t *px)
{
	struct lp_node *nd = &((struct lp_log *)arg)->node[node];
	/* relaxed: this thread (the lock holder) writes count */
	uint64_t c = atomic_load_explicit(&nd->count, memory_order_relaxed);
	struct lp_ck k;

	/* relaxed: the consumer looks at the flag and clears it under this
	 * node's lock (lp_recover) */
	if (rc_paxos_node_behind(px) &&
	    !atomic_load_explicit(&nd->behind, memory_order_relaxed))
		atomic_store_explicit(&nd->behind, true, memory_order_relaxed);
	if (c < nd->ck_last + LP_CK_EVERY)
		return;
	k.len = rc_paxos_node_checkpoint(px, NULL, 0);
	k.buf = malloc(k.len);
	if (!k.buf)
		return;
	rc_paxos_node_checkpoint(px, k.buf, k.len);
	k.slot = rc_paxos_checkpoint_slot(k.buf, k.len);
	k.count = c;
	pthread_mutex_lock(&nd->snap_lock);
	if (nd->npend < LP_PEND) {
		nd->pend[nd->npend++] = k;
		k.buf = NULL;
		nd->ck_last = c;
	}
	pthread_mutex_unlock(&nd->snap_lock);
	free(k.buf);
}

static int lp_snapshot(rc_log_t *log, unsigned node, uint64_t index,
		       const void *buf, size_t len)
{
	struct lp_log *l = lp(log);
	struct lp_node *nd = &l->node[node];
	void *copy;
	uint64_t slot;
	unsigned i;

	pthread_mutex_lock(&nd->snap_lock);
	for (i = nd->npend; i > 0 && nd->pend[i - 1].count > index; i--)
		;
	if (i == 0) {
		pthread_mutex_unlock(&nd->snap_lock);
		return 0;
	}
	/* One allocation per node, grown when a snapshot is larger: a
	 * new buffer per snapshot left freed blocks the allocator kept (see
	 * bench rsm --memory). */
	if (!nd->snap || len > nd->snap_cap) {
		copy = malloc(len ? len : 1);
		if (!copy) {
			pthread_mutex_unlock(&nd->snap_lock);
			return -RC_ENOMEM;
		}
		free(nd->snap);
		nd->snap = copy;
		nd->snap_cap = len ? len : 1;
	}
	memcpy(nd->snap, buf, len);
	nd->snap_len = len;
	nd->snap_idx = index;
	ck_free(&nd->ck);
	nd->ck = nd->pend[i - 1];
	for (unsigned j = 0; j + 1 < i; j++)
		ck_free(&nd->pend[j]);
	memmove(nd->pend, nd->pend + i, (nd->npend - i) * sizeof *nd->pend);
	nd->npend -= i;
	slot = nd->ck.slot;
	pthread_mutex_unlock(&nd->snap_lock);
	_rc_paxos_compact(l->px, node, slot);
	return 0;
}

/*
 * The pair (checkpoint and snapshot) of the node not crashed, other than
 * `node`, with the lowest point, copied into *ck and *snap (NULL, 0 when
 * none has one). 0 or -RC_ENOMEM.
 */
static int lp_pick(struct lp_log *l, unsigned node, struct lp_ck *ck,
		   void **snap, size_t *snap_len, uint64_t *snap_idx)
{
	unsigned from = node;

	memset(ck, 0, sizeof *ck);
	*snap = NULL;
	*snap_len = 0;
	*snap_idx = 0;
	for (unsigned i = 0; i < l->base.nnodes; i++) {
		struct lp_node *p = &l->node[i];

		if (i == node || _rc_paxos_crashed(l->px, i))
			continue;
		pthread_mutex_lock(&p->snap_lock);
		if (from == node || p->ck.slot < ck->slot) {
			from = i;
			ck->slot = p->ck.slot;
		}
		pthread_mutex_unlock(&p->snap_lock);
	}
	ck->slot = 0;
	if (from == node)
		return 0;
	{
		struct lp_node *p = &l->node[from];

		pthread_mutex_lock(&p->snap_lock);
		if (p->ck.buf) {
			*ck = p->ck;
			ck->buf = malloc(ck->len);
			*snap = malloc(p->snap_len ? p->snap_len : 1);
			if (ck->buf && *snap) {
				memcpy(ck->buf, p->ck.buf, ck->len);
				memcpy(*snap, p->snap, p->snap_len);
				*snap_len = p->snap_len;
				*snap_idx = p->snap_idx;
			}
		}
		pthread_mutex_unlock(&p->snap_lock);
	}
	if (ck->len && (!ck->buf || !*snap)) {
		free(ck->buf);
		free(*snap);
		memset(ck, 0, sizeof *ck);
		*snap = NULL;
		return -RC_ENOMEM;
	}
	return 0;
}

/*
 * Under node's Paxos lock, before its step machine installs the pair's
 * checkpoint (whose install may deliver the slots after it at once): the
 * node's copy counts from ck->count, the checkpoint's, and keeps entries
 * from index on, the snapshot's, where its cursor now stands; its own
 * pairs are dropped and the pair it starts from (ck, and a copy of snap)
 * becomes its own: its Paxos node's point is the checkpoint's slot after
 * the install, and a peer restarting next may pick this pair. Without it
 * a node that just restarted had no pair (slot 0, the lowest), and the
 * next restart picked that and started from entry 0, below every base.
 * ck->buf is then the node's (ck cleared); a node without memory for the
 * copy keeps no pair. The consumer is not reading (it is the caller, or
 * there is none).
 */
static void lp_rebase(struct lp_node *nd, struct lp_ck *ck, const void *snap,
		      size_t snap_len, uint64_t index)
{
	uint64_t count = ck->count;
	void *copy = ck->buf ? malloc(snap_len ? snap_len : 1) : NULL;

	/* relaxed: the caller is the consumer or there is none, and holds
	 * the lock every writer of count holds */
	uint64_t lo = atomic_load_explicit(&nd->cursor, memory_order_relaxed);
	uint64_t hi = atomic_load_explicit(&nd->count, memory_order_relaxed);

	/* The chunks that may be allocated: the reader freed those below
	 * its cursor (at or above skip_below), and deliveries and lp_room
	 * allocate none below skip_below and at most one past the count's.
	 * Walking all LP_MAXCHUNKS pointers instead took 21 ms, in page
	 * faults of the untouched array. */
	if (hi < lo)
		hi = lo;
	for (uint64_t k = lo / LP_CHUNK;
	     k < hi / LP_CHUNK + 2 && k < LP_MAXCHUNKS; k++) {
		free(nd->chunk[k]);
		nd->chunk[k] = NULL;
	}
	nd->skip_below = index;
	nd->ck_last = count;
	/* relaxed: the consumer is the caller or absent; the lock's
	 * release publishes these to whoever runs the node, and the
	 * release below to lp_tail's acquire */
	atomic_store_explicit(&nd->hold_from, UINT64_MAX, memory_order_relaxed);
	atomic_store_explicit(&nd->oom, false, memory_order_relaxed);
	atomic_store_explicit(&nd->cursor, index, memory_order_relaxed);
	/* release: pairs with the acquire loads of count */
	atomic_store_explicit(&nd->count, count, memory_order_release);
	pthread_mutex_lock(&nd->snap_lock);
	for (unsigned j = 0; j < nd->npend; j++)
		ck_free(&nd->pend[j]);
	nd->npend = 0;
	ck_free(&nd->ck);
	free(nd->snap);
	nd->snap = NULL;
	nd->snap_len = 0;
	nd->snap_cap = 0;
	nd->snap_idx = 0;
	if (copy) {
		memcpy(copy, snap, snap_len);
		nd->ck = *ck;
		nd->snap = copy;
		nd->snap_len = snap_len;
		nd->snap_cap = snap_len ? snap_len : 1;
		nd->snap_idx = index;
		memset(ck, 0, sizeof *ck);
	}
	pthread_mutex_unlock(&nd->snap_lock);
}

static int lp_restart(rc_log_t *log, unsigned node, uint64_t *index, void **buf,
		      size_t *len, rc_err_t *err)
{
	struct lp_log *l = lp(log);
	struct lp_node *nd = &l->node[node];
	struct lp_ck ck;
	void *snap, *ckbuf;
	size_t snap_len, cklen;
	uint64_t snap_idx;
	int r;

	if (!_rc_paxos_crashed(l->px, node))
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "paxos node %u did not crash", node);
	_rc_paxos_restarting(l->px, node, true);
	if (lp_pick(l, node, &ck, &snap, &snap_len, &snap_idx) < 0) {
		_rc_paxos_restarting(l->px, node, false);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	_rc_paxos_lock(l->px, node);
	nd->first = nd->last = 0;
	/* relaxed: nothing uses the node (the caller's promise); the lock
	 * publishes it */
	atomic_store_explicit(&nd->remaining, 0, memory_order_relaxed);
	atomic_store_explicit(&nd->behind, false, memory_order_relaxed);
	ckbuf = ck.buf;
	cklen = ck.len;
	lp_rebase(nd, &ck, snap, snap_len, snap_idx);
	r = _rc_paxos_restart_locked(l->px, node, ckbuf, cklen);
	_rc_paxos_unlock(l->px, node);
	_rc_paxos_restarting(l->px, node, false);
	free(ck.buf);
	if (r < 0) {
		free(snap);
		return rc_err_set(err, -r, "log", 0, 0,
				  "paxos node %u does not come back: %s", node,
				  rc_strerror(-r));
	}
	*index = snap_idx;
	*buf = snap;
	*len = snap ? snap_len : 0;
	return 0;
}

static int lp_recover(rc_log_t *log, unsigned node, uint64_t *index, void **buf,
		      size_t *len, rc_err_t *err)
{
	struct lp_log *l = lp(log);
	struct lp_node *nd = &l->node[node];
	uint64_t t0, base, snap_idx;
	struct lp_ck ck;
	void *snap;
	size_t snap_len;
	int r;

	/* relaxed: set under the Paxos node's lock, which is taken below
	 * before anything depends on it */
	if (!atomic_load_explicit(&nd->behind, memory_order_relaxed))
		return 0;
	t0 = rc_clock_now_ns();
	/* As for a restart: from now on no base rises above the node's
	 * point as the others know it, so the pair picked next stays at or
	 * above every base. */
	_rc_paxos_restarting(l->px, node, true);
	r = lp_pick(l, node, &ck, &snap, &snap_len, &snap_idx);
	if (r < 0) {
		_rc_paxos_restarting(l->px, node, false);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	_rc_paxos_lock(l->px, node);
	base = _rc_paxos_behind_locked(l->px, node);
	if (base == 0) {
		/* It caught up after all (a base it heard rose no further
		 * than what peers could still send it). */
		atomic_store_explicit(&nd->behind, false, memory_order_relaxed);
		r = 0;
	} else if (!ck.buf || ck.slot < base ||
		   _rc_paxos_crashed(l->px, node)) {
		r = 0; /* no pair high enough yet: the next call looks again */
	} else {
		/* An entry of the append in progress delivered already has
		 * an index in the part the snapshot replaces. */
		if (nd->first != 0 &&
		    atomic_load_explicit(&nd->remaining, memory_order_relaxed) <
			    nd->last - nd->first + 1)
			atomic_store_explicit(&nd->overtaken, true,
					      memory_order_relaxed);
		void *ckbuf = ck.buf;
		size_t cklen = ck.len;

		lp_rebase(nd, &ck, snap, snap_len, snap_idx);
		r = _rc_paxos_install_locked(l->px, node, ckbuf, cklen);
		if (r == 0) {
			/* Entries of the append that the checkpoint
			 * delivered never come here. */
			for (uint64_t id = nd->first;
			     nd->first && id <= nd->last; id++)
				if (nd->idx[id - nd->first] == UINT64_MAX &&
				    _rc_paxos_has_locked(l->px, node, id))
					atomic_store_explicit(
						&nd->overtaken, true,
						memory_order_relaxed);
			/* relaxed: under the lock lp_after sets it under;
			 * the reader is this thread */
			atomic_store_explicit(&nd->behind, false,
					      memory_order_relaxed);
			r = 1;
		}
	}
	_rc_paxos_unlock(l->px, node);
	_rc_paxos_restarting(l->px, node, false);
	free(ck.buf);
	if (r != 1) {
		free(snap);
		if (r < 0)
			return rc_err_set(err, -r, "log", 0, 0,
					  "paxos node %u cannot install a "
					  "peer's checkpoint: %s",
					  node, rc_strerror(-r));
		return 0;
	}
	*index = snap_idx;
	*buf = snap;
	*len = snap_len;
	/* relaxed: counters for tests, read after the calls */
	atomic_fetch_add_explicit(&nd->recoveries, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&nd->recover_ns, rc_clock_now_ns() - t0,
				  memory_order_relaxed);
	return 1;
}

uint64_t _rc_log_paxos_recoveries(rc_log_t *log, unsigned node, uint64_t *ns)
{
	struct lp_node *nd = &lp(log)->node[node];

	/* relaxed: counters, read after the recoveries they count */
	if (ns)
		*ns = atomic_load_explicit(&nd->recover_ns,
					   memory_order_relaxed);
	return atomic_load_explicit(&nd->recoveries, memory_order_relaxed);
}

static bool lp_conf_done(void *arg)
{
	struct lp_node *nd = arg;

	/* acquire: pairs with the release in lp_deliver */
	return _rc_paxos_crashed(nd->px, nd->id) ||
	       atomic_load_explicit(&nd->conf_done, memory_order_acquire);
}

int rc_log_paxos_reconfigure(rc_log_t *log, unsigned node, uint64_t members,
			     uint64_t timeout_ns, rc_err_t *err)
{
	struct lp_log *l;
	struct lp_node *nd;
	struct rc_paxos_cmd c = { 0, 0, members, RC_PAXOS_TAG_CONFIG, 0 };
	bool done;
	int rc;

	if (!rc_log_paxos_group(log))
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "the %s log has no membership to change",
				  log->name);
	l = lp(log);
	if (l->alpha == 0)
		return rc_err_set(err, RC_EINVAL, "alpha", 0, 0,
				  "the paxos log was created with "
				  "cfg.alpha 0: its membership is fixed");
	if (node >= log->nnodes || members == 0 ||
	    (log->nnodes < 64 && (members >> log->nnodes) != 0))
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "reconfiguration at node %u to members "
				  "0x%llx: the log has nodes 0..%u",
				  node, (unsigned long long)members,
				  log->nnodes - 1);
	nd = &l->node[node];
	pthread_mutex_lock(&l->conf_lock);
	_rc_paxos_lock(l->px, node);
	c.id = RC_PAXOS_ID(node, nd->seq + 1);
	nd->conf_id = c.id;
	/* relaxed: under the lock, which deliveries at node take */
	atomic_store_explicit(&nd->conf_done, false, memory_order_relaxed);
	rc = _rc_paxos_submit_locked(l->px, node, &c, 1);
	if (rc == 0)
		nd->seq++; /* as an append's numbers (lp_append) */
	else
		nd->conf_id = 0;
	_rc_paxos_unlock(l->px, node);
	if (rc == 0)
		(void)_rc_paxos_await(l->px, node, timeout_ns, lp_conf_done, nd,
				      NULL, NULL);
	_rc_paxos_lock(l->px, node);
	/* relaxed: under the lock; a recovery may have installed a
	 * checkpoint that holds the command, which is then never delivered
	 * here one by one */
	done = rc == 0 &&
	       (atomic_load_explicit(&nd->conf_done, memory_order_relaxed) ||
		_rc_paxos_has_locked(l->px, node, c.id));
	nd->conf_id = 0;
	_rc_paxos_unlock(l->px, node);
	pthread_mutex_unlock(&l->conf_lock);
	if (done)
		return 0;
	if (rc == -RC_EAGAIN || _rc_paxos_crashed(l->px, node))
		return rc_err_set(err, RC_EAGAIN, "log", 0, 0,
				  "paxos node %u crashed", node);
	if (rc < 0)
		return rc_err_set(err, -rc, "log", 0, 0,
				  "paxos node %u takes no command: %s", node,
				  rc_strerror(-rc));
	return rc_err_set(err, RC_ETIMEDOUT, "log", 0, 0,
			  "paxos log: the reconfiguration to members 0x%llx "
			  "was not delivered at node %u within %llu ns (no "
			  "majority reachable?)",
			  (unsigned long long)members, node,
			  (unsigned long long)timeout_ns);
}

static void lp_destroy(rc_log_t *log)
{
	struct lp_log *l = lp(log);

	rc_paxos_destroy(l->px);
	for (unsigned i = 0; l->node && i < log->nnodes; i++) {
		struct lp_node *nd = &l->node[i];

		for (unsigned j = 0; j < nd->npend; j++)
			ck_free(&nd->pend[j]);
		ck_free(&nd->ck);
		free(nd->snap);
		pthread_mutex_destroy(&nd->snap_lock);

		for (unsigned k = 0; nd->chunk && k < LP_MAXCHUNKS; k++)
			free(nd->chunk[k]);
		free(nd->chunk);
		/* relaxed: nobody else runs now */
		free(atomic_load_explicit(&nd->spare, memory_order_relaxed));
	}
	free(l->node);
	pthread_mutex_destroy(&l->conf_lock);
	free(l);
}

/* See the essay (Tail) and log.h (Read index). */
static int lp_read_index(rc_log_t *log, unsigned node, uint64_t timeout_ns,
			 uint64_t *index, rc_log_help_fn help, void *help_arg,
			 rc_err_t *err)
{
	int r = _rc_paxos_read_index(lp(log)->px, node, timeout_ns, index, help,
				     help_arg);

	if (r == -RC_ETIMEDOUT)
		return rc_err_set(err, RC_ETIMEDOUT, "log", 0, 0,
				  "paxos log: no read index for node %u "
				  "within %llu ns (no majority reachable?)",
				  node, (unsigned long long)timeout_ns);
	if (r == -RC_EAGAIN)
		return rc_err_set(err, RC_EAGAIN, "log", 0, 0,
				  "paxos node %u crashed", node);
	if (r < 0)
		return rc_err_set(err, -r, "log", 0, 0,
				  "paxos log: read index at node %u: %s", node,
				  rc_strerror(-r));
	/*
	 * The group's index counts commands, configuration commands
	 * included, which take no index here: the node delivered at least
	 * that many, so every entry among them is below its count now, the
	 * index in entries. acquire: pairs with the release in lp_deliver.
	 */
	*index = atomic_load_explicit(&lp(log)->node[node].count,
				      memory_order_acquire);
	return 0;
}

static const struct rc_log_ops lp_ops = {
	lp_append,   lp_tail,	 lp_read,    lp_cursor,	    lp_destroy,
	lp_snapshot, lp_restart, lp_recover, lp_read_index,
};

void rc_log_paxos_defaults(struct rc_paxos_opts *o)
{
	memset(o, 0, sizeof *o);
	o->cfg = (struct rc_paxos_config)RC_PAXOS_CONFIG_INITIALIZER;
	o->cfg.heartbeat = 1000000;
	o->cfg.election = 20000000;
	o->cfg.retry = 50000000;
	o->cfg.batch = 64;
	o->cfg.window = 64;
}

int rc_log_paxos_create(rc_log_t **out, unsigned nnodes,
			const struct rc_paxos_opts *opts, rc_err_t *err)
{
	struct rc_paxos_opts o;
	struct lp_log *l;
	int r;

	if (opts)
		o = *opts;
	else
		rc_log_paxos_defaults(&o);
	o.cfg.nodes = nnodes;
	if (o.deliver)
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "the paxos log delivers itself: "
				  "opts->deliver must be NULL");
	l = calloc(1, sizeof *l);
	if (!l)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	pthread_mutex_init(&l->conf_lock, NULL);
	l->alpha = o.cfg.alpha;
	l->base.ops = &lp_ops;
	l->base.name = "paxos";
	l->base.nnodes = nnodes;
	l->base.caps = RC_LOG_CAP_TAIL | RC_LOG_CAP_READ_INDEX;
	l->base.max_batch = LP_MAX_BATCH;
	l->base.capacity = 0;
	l->node = nnodes ? aligned_alloc(64, nnodes * sizeof *l->node) : NULL;
	if (nnodes == 0 || nnodes > RC_PAXOS_MAX_NODES || !l->node) {
		free(l->node);
		pthread_mutex_destroy(&l->conf_lock);
		free(l);
		return rc_err_set(err, nnodes ? RC_ENOMEM : RC_EINVAL, "log", 0,
				  0, "a paxos log of %u nodes (1..%d)", nnodes,
				  RC_PAXOS_MAX_NODES);
	}
	memset(l->node, 0, nnodes * sizeof *l->node);
	for (unsigned i = 0; i < nnodes; i++) {
		atomic_init(&l->node[i].hold_from, UINT64_MAX);
		pthread_mutex_init(&l->node[i].snap_lock, NULL);
		l->node[i].id = i;
		l->node[i].chunk =
			calloc(LP_MAXCHUNKS, sizeof *l->node[i].chunk);
		if (!l->node[i].chunk) {
			lp_destroy(&l->base);
			return rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
					  "out of memory");
		}
	}
	o.deliver = lp_deliver;
	o.arg = l;
	r = _rc_paxos_create_after(&l->px, &o, o.snapshots ? lp_after : NULL, l,
				   err);
	if (r < 0) {
		lp_destroy(&l->base);
		return r;
	}
	for (unsigned i = 0; i < nnodes; i++)
		l->node[i].px = l->px;
	*out = &l->base;
	return 0;
}

rc_paxos_t *rc_log_paxos_group(rc_log_t *log)
{
	return strcmp(log->name, "paxos") == 0 ? lp(log)->px : NULL;
}
