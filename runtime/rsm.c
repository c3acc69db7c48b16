/* SPDX-License-Identifier: MIT */
/* rsm.c: the replicated state machine: a replica per node, a shared log, flat combining. */
/*
 * After Node Replication (Calciu, Sen, Balakrishnan, Aguilera, ASPLOS 2017).
 *
 * Each node n has a replica (the user's state), a combiner lock, a
 * reader-writer lock over the replica, applied[n] (how many log entries
 * the replica has applied) and one slot per registered thread. The
 * reader-writer lock is distributed, as in NR: each thread's slot has
 * its own reading flag on its own cache line, so readers of one node do
 * not share a written line; the writer (always the node's combiner)
 * raises the node's writer flag and waits for every reading flag to
 * drop. Without a log the combiner lock itself is the writer flag (the
 * combiner writes the replica for nearly all of its hold), which saves
 * an exchange per round.
 *
 * A slot keeps what its owner writes (the request), what the combiner
 * writes (the response) and the reading flag on three lines, so an idle
 * slot is a line nobody writes; and a thread that finds no combiner
 * becomes it at once, applying its own update without posting it. A
 * thread whose last update another combiner answered posts its next one
 * before looking at the combiner lock (and then only every 32 turns of
 * its wait): with a combiner busy on the node, a look at the lock would
 * take the lock's line away from it, while the combiner serves every
 * posted slot in each round; with none, the first look finds the lock
 * free, so the poster's wait stays bounded either way.
 *
 * Invariants.
 *  (1) Replica n is the result of applying log entries 0..applied[n]-1 in
 *      index order to the initial state. Only the holder of n's combiner
 *      lock reads n's log cursor and applies entries, under the write
 *      lock, then raises applied[n]; so every replica goes through the
 *      same sequence of states. A replica rebuilt from a peer's snapshot at
 *      index A (rebuild(): the log forgot entries it had not applied) is
 *      that state for A, built by ops->restore; the holder of the
 *      combiner lock swaps it in under the write lock and sets applied
 *      to A, where the log's cursor for n then stands. Readers load the
 *      replica's pointer under the read lock, so none sees the old one
 *      freed.
 *  (2) An update is linearized at its entry's place in the log: the
 *      entry is ordered after the update's invocation (it is appended
 *      after the owner posted it) and before its response (the owner gets
 *      its result only once the combiner applied the entry), and its
 *      result is the one every replica computes at that place.
 *  (3) A linearizable read reads the log tail T at invocation and runs on
 *      a replica with applied >= T: that state includes every update that
 *      completed before the read began (log.h's tail contract), and only
 *      updates ordered before the read's response. The read is linearized
 *      at the moment of its apply, between the states of entries
 *      applied-1 and applied; each such point is inside its interval.
 *      With RC_RSM_READ_INDEX the read takes T from the log's read
 *      index instead (rc_log_read_index: the consensus backend's
 *      majority-confirmed bound, log.h's Read index), which keeps the
 *      same contract, so the same argument holds; the read fails
 *      (-RC_ETIMEDOUT) rather than run when no majority confirms one.
 *  (4) A sequential read (RC_RSM_READ_SEQ) runs on the replica as it is.
 *      The replica includes the reader's own updates (the combiner applied
 *      them before answering) and applied[n] only grows, so ordering every
 *      operation by its log position (a read at its replica's applied)
 *      respects each thread's program order: sequential consistency. It
 *      need not respect real time across nodes.
 *
 * One node and no log given: the only replica is every replica, so the
 * combiner applies its batch to it directly and the log stays unused
 * (flat combining with a distributed read lock); (2) to (4) hold with
 * "log position" read as "order of application", and a read needs no
 * catch-up since every completed update is in the replica.
 *
 * Results find their operations by tag: the combiner numbers its node's
 * entries with a running counter, and whoever applies the node's log
 * (the combiner itself, or its help callback while an append waits)
 * matches entries of this node whose tag falls in the current batch.
 *
 * A node without active threads would hold the shared log's space
 * forever (and with a log without a fixed capacity, its own copy of the
 * log and everything above its last snapshot); an appender that waits
 * therefore drains idle nodes that lag half a log (or RSM_IDLE_LAG
 * entries) behind, those whose combiner lock it can take, as NR does
 * for dormant replicas. A node whose combiner is stuck inside apply cannot be
 * drained: the log fills and writers wait (rc_rsm_options.timeout_ns).
 *
 * Waiting. A posted update waiting for its answer or the lock, and a
 * linearizable read waiting for the replica to catch up or for the lock,
 * pause RSM_SPINS times, then wait as rc_rsm_options.wait says, on the
 * node's event: the combiner wakes them whenever it drops the write flag
 * or the combiner lock, which costs it a seq_cst fence and a load of a
 * line nobody writes while nobody is parked (runtime/wait.h). The
 * other waits pause, then spin and nap under the same policy, woken by
 * nobody: a reader waiting for the write flag to drop and the writer
 * waiting for a reader to leave (waking them measurably slowed the hash
 * map; the figures are at replica_read_wait and wait_reader), and the
 * combiner waiting for another node's appender to stamp an entry it has
 * reserved (advance: the log has no event for it, and the appender
 * writes the entry right after reserving it).
 */
#include <assert.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include <replicore/rsm.h>

#include "runtime/wait.h"

#define RC_CACHELINE 64
#define RSM_RBUF 64 /* entries one log read takes */
/* A log without a fixed capacity: how far an idle node may lag a waiting
 * appender before the appender drains it (see help()). At 65,536 the
 * Paxos log of bench rsm --memory kept about 2.5 MiB more live data once
 * a node went idle. */
#define RSM_IDLE_LAG 4096u

enum slot_state {
	SLOT_FREE = 0, /* no handle */
	SLOT_TAKEN,    /* a handle owns the slot */
};

/*
 * A thread's slot, three lines each written by one side only, so that a
 * combiner scanning idle slots reads lines nobody writes: the owner's
 * request (an update is posted while req != resp), the combiner's
 * response, and the owner's share of the replica's read lock.
 */
struct rsm_slot {
	/* written by the owner (state also by register/unregister) */
	_Alignas(RC_CACHELINE) _Atomic unsigned state;
	_Atomic uint32_t req; /* operations posted so far */
	uint64_t op;
	uint64_t arg;
	/* written by the node's combiner */
	_Alignas(RC_CACHELINE) _Atomic uint32_t resp; /* answered so far */
	int status;
	uint64_t result;
	/* the owner reads the replica: its share of the read lock */
	_Alignas(RC_CACHELINE) _Atomic bool reading;
};

/* An update the combiner brings itself, without posting it. */
struct rsm_own {
	uint64_t op, arg, result;
	int status;
};

struct rsm_node {
	/* combiner lock; without a log also the replica's write side */
	_Alignas(RC_CACHELINE) _Atomic bool combining;
	/*
	 * Woken by the node's combiner when it gives up the combiner lock
	 * or the replica's write lock (after answering and applying): a
	 * posted update and a catching-up read park on it. A line of its
	 * own: while nobody is parked a wake only reads it, and a waiter's
	 * key loads do not take the lock's line away from the combiner.
	 */
	_Alignas(RC_CACHELINE) struct _rc_event ev;
	/* what a reader checks, on one line */
	_Alignas(RC_CACHELINE) _Atomic uint64_t applied;
	_Atomic bool writer; /* the write side of the replica's lock */
	/* where a reader looks for a writer: &writer, or &combining */
	_Atomic bool *wflag;
	/* read-mostly */
	_Alignas(RC_CACHELINE) void *state;
	unsigned id;
	_Atomic unsigned nslots; /* slots ever claimed (a high-water mark) */
	/* the helper's cursor when help() last drained this node (written
	 * once per RSM_IDLE_LAG entries at most) */
	_Atomic uint64_t help_at;
	struct rsm_slot *slots;
	/* The combiner's own, under the combiner lock: */
	struct rc_log_entry *ebuf; /* the batch */
	uint64_t *idx;		   /* its indexes */
	unsigned *bslot;	   /* batch position -> slot (UINT_MAX: own) */
	uint32_t *breq;		   /* batch position -> the slot's req */
	uint64_t *res;		   /* batch position -> result */
	struct rc_log_entry rbuf[RSM_RBUF];
	uint32_t seq;	  /* tag of the next entry this node appends */
	uint32_t m_base;  /* tag of the batch's first entry */
	unsigned m_n;	  /* batch entries (tags m_base.. match) */
	uint64_t snap_at; /* applied at the last snapshot */
	void *snap_buf;	  /* the snapshots' buffer, reused: snap_cap bytes */
	size_t snap_cap;
	/* a snapshot to rebuild the replica from (rebuild()) that restore
	 * could not build yet (out of memory): no entry is applied before */
	void *rb_buf;
	size_t rb_len;
	uint64_t rb_index;
	/* Where ops->init ran, set at creation (rc_rsm_placement): */
	int init_cpu;	 /* the CPU, -1 unknown */
	bool init_bound; /* on a thread bound to the node's real PUs */
};

struct rc_rsm {
	const struct rc_rsm_ops *ops;
	const rc_topo_t *topo;
	rc_log_t *log;
	bool own_log;
	bool tail_cap;
	bool direct; /* one node, no caller's log: no log at all */
	unsigned flags;
	unsigned nnodes;
	unsigned slots_per_node;
	uint64_t timeout_ns;
	void *init_arg;
	uint64_t snap_every; /* 0: no snapshots (ops or log lack them) */
	enum rc_wait_policy wait;
	/* Node i's struct, slots and batch buffers: one allocation of
	 * node_bytes on layout node i's real node (see rc_rsm_create). */
	struct rsm_node **nodes;
	size_t node_bytes;
};

/* Besides its slot, a handle caches what every operation looks at, so a
 * read follows one pointer (the handle) rather than chains of them. */
struct rc_rsm_handle {
	rc_rsm_t *rsm;
	struct rsm_node *node;
	struct rsm_slot *slot;
	uint64_t (*apply)(void *state, uint64_t op, uint64_t arg);
	bool (*is_read)(uint64_t op);
	_Atomic bool *wflag;   /* the node's wflag */
	_Atomic bool *reading; /* the slot's reading flag */
	unsigned flags;	       /* the rsm's */
	bool direct;	       /* the rsm's */
	bool tail_cap;	       /* the rsm's */
	bool local_reads;      /* every read is read_local: direct or seq */
	bool follow; /* its last update was answered by another combiner */
	enum rc_wait_policy wait; /* the rsm's */
};

/*
 * Waiting for a partner that is running: another node's appender about
 * to stamp its entry, the node's combiner about to answer. Under every
 * policy RSM_SPINS pauses come first, with no clock read: 7-8.5 us at
 * the 27-33 ns a pause takes here (runtime/wait.c), most of the 10 us
 * spin phase of _rc_wait that follows. A partner that is running
 * answers within that; one that is not (preempted) is then waited for
 * by the policy.
 */
#define RSM_SPINS 256
/* A posted update's turns of waiting between two looks at the lock
 * (see exec_posted). */
#define RSM_LOCK_EVERY 32

struct rsm_wait {
	unsigned spins;
	enum rc_wait_policy policy;
	struct _rc_wait w;
};

static void rsm_wait_init(struct rsm_wait *w, enum rc_wait_policy policy)
{
	w->spins = 0;
	w->policy = policy;
}

/* A pause of the first phase; false once it is over (w->w started). */
static inline bool rsm_spin(struct rsm_wait *w)
{
	if (w->spins >= RSM_SPINS)
		return false;
	ck_pr_stall();
	if (++w->spins == RSM_SPINS)
		_rc_wait_start(&w->w, UINT64_MAX, w->policy);
	return true;
}

/*
 * One turn of a wait on the node's event, with the key taken before the
 * condition was checked: the pauses, then the policy's spin and park
 * (woken by the combiner, see struct rsm_node.ev).
 */
static void rsm_wait_event(struct rsm_wait *w, struct _rc_event *e,
			   uint32_t key)
{
	if (!rsm_spin(w))
		_rc_wait_event(&w->w, e, key, UINT64_MAX);
}

/*
 * One turn of a wait that no party here signals (see advance and
 * wait_reader): the pauses, then the policy's spin and naps.
 */
static void rsm_wait_step(struct rsm_wait *w)
{
	if (!rsm_spin(w))
		_rc_wait_step(&w->w);
}

/* The combiner lock. Acquire on success: pairs with combiner_unlock, so
 * the previous combiner's replica and cursor work happens before ours.
 * seq_cst: without a log the lock is the replica's write flag, whose
 * store takes part in Dekker's protocol (see replica_write_lock). */
static bool combiner_trylock(struct rsm_node *nd)
{
	if (atomic_load_explicit(&nd->combining, memory_order_relaxed))
		return false;
	return !atomic_exchange_explicit(&nd->combining, true,
					 memory_order_seq_cst);
}

/* Takes nd's combiner lock, waiting as the policy says for whoever holds
 * it (woken by its combiner_unlock). */
static void combiner_lock_wait(struct rsm_node *nd, enum rc_wait_policy policy)
{
	struct rsm_wait w;

	rsm_wait_init(&w, policy);
	for (;;) {
		uint32_t key = _rc_event_key(&nd->ev);

		if (combiner_trylock(nd))
			return;
		rsm_wait_event(&w, &nd->ev, key);
	}
}

static inline void combiner_unlock(struct rsm_node *nd)
{
	/* Release: pairs with the acquire exchange in combiner_trylock and,
	 * without a log, with a reader's seq_cst load of the flag that sees
	 * it down (the replica writes happen before the reader's reads). */
	atomic_store_explicit(&nd->combining, false, memory_order_release);
	/* After the answers, applied and the lock: the parked wake. */
	_rc_event_wake(&nd->ev);
}

/*
 * The replica's lock. Writer and readers run Dekker's protocol with
 * seq_cst accesses: the writer stores writer = true then loads each
 * reading flag; a reader stores its reading = true then loads writer; in
 * the single order of seq_cst operations one of them sees the other.
 * Only the node's combiner writes, so writers need no lock among
 * themselves. The slots scanned are those claimed when the writer looks
 * (nslots, seq_cst): a slot claimed later has its reader see writer set.
 */
/*
 * The writer's wait for one reader to leave: it pauses, spins and naps,
 * woken by nobody. A reader leaves after one apply unless it is
 * preempted, and a wake would sit in every read's unlock: measured here
 * with a node event woken there, and the wake's cheaper variant then in
 * use (a compiler barrier and a load; see runtime/wait.c), the best CPU
 * time of a read by one thread on one node went from 11.5 ns to 12.6,
 * and two threads on one node at 10% puts ran at a median of 6.7 million
 * operations a second against 8.5 (hash map, 8 alternating runs each,
 * load average 1.5-1.8). A seq_cst fence in every unlock costs more.
 */
static __attribute__((noinline)) void wait_reader(_Atomic bool *reading,
						  enum rc_wait_policy policy)
{
	struct rsm_wait w;

	rsm_wait_init(&w, policy);
	/* seq_cst: as in wait_readers. */
	while (atomic_load_explicit(reading, memory_order_seq_cst))
		rsm_wait_step(&w);
}

static inline void wait_readers_upto(struct rsm_node *nd, unsigned hw,
				     enum rc_wait_policy policy)
{
	for (unsigned i = 0; i < hw; i++) {
		/* seq_cst (an acquire too): pairs with the reader's
		 * release in replica_read_unlock, so its replica reads
		 * happen before our writes. */
		if (atomic_load_explicit(&nd->slots[i].reading,
					 memory_order_seq_cst))
			wait_reader(&nd->slots[i].reading, policy);
	}
}

/* seq_cst load of nslots: after our write flag in the single order, so
 * a slot claimed later has its reader see the flag. */
static inline void wait_readers(struct rsm_node *nd, enum rc_wait_policy policy)
{
	wait_readers_upto(
		nd, atomic_load_explicit(&nd->nslots, memory_order_seq_cst),
		policy);
}

/*
 * Without a log the combiner lock is the write flag: a combiner raised
 * it by its seq_cst exchange and calls wait_readers() alone.
 */
static void replica_write_lock(struct rsm_node *nd, enum rc_wait_policy policy)
{
	/* seq_cst: Dekker; pairs with the reader's seq_cst store and load
	 * in replica_read_lock. */
	atomic_store_explicit(&nd->writer, true, memory_order_seq_cst);
	wait_readers(nd, policy);
}

static void replica_write_unlock(struct rsm_node *nd)
{
	/* Release: the replica writes happen before a reader's seq_cst
	 * load of writer that sees false. */
	atomic_store_explicit(&nd->writer, false, memory_order_release);
	/* After applied and the flag: reads parked in catch_up. */
	_rc_event_wake(&nd->ev);
}

/*
 * replica_read_lock's wait while a writer is in: it pauses, spins and
 * naps. Parked on the node's event instead, woken at each drop of the
 * write flag, it cost half the throughput of two threads on one node at
 * 90% puts: 8.6-20.4 million operations a second against 16.6-37.9 with
 * naps (hash map, 6 alternating runs each; with naps 33.3 against 33.9
 * for the code before events, medians of 10). Without a log the write
 * flag is the combiner lock, which the combiner drops after every update
 * and takes again at once; a reader woken at each drop loses the race
 * again and spins for the next, polling the lines the combiner writes,
 * where a napping reader leaves the combiner to run alone.
 */
static __attribute__((noinline)) void replica_read_wait(rc_rsm_handle_t *h)
{
	struct rsm_wait w;

	rsm_wait_init(&w, h->wait);
	do {
		/* Relaxed: we have read nothing; the writer may go on. */
		atomic_store_explicit(h->reading, false, memory_order_relaxed);
		while (atomic_load_explicit(h->wflag, memory_order_relaxed))
			rsm_wait_step(&w);
		/* seq_cst: Dekker with replica_write_lock (see above). */
		atomic_store_explicit(h->reading, true, memory_order_seq_cst);
		/* seq_cst, an acquire of the last writer's release. */
	} while (atomic_load_explicit(h->wflag, memory_order_seq_cst));
}

static inline void replica_read_lock(rc_rsm_handle_t *h)
{
	/* seq_cst: Dekker with replica_write_lock (see above). */
	atomic_store_explicit(h->reading, true, memory_order_seq_cst);
	/* seq_cst, an acquire of the last writer's release. */
	if (atomic_load_explicit(h->wflag, memory_order_seq_cst))
		replica_read_wait(h);
}

static inline void replica_read_unlock(_Atomic bool *reading)
{
	/* Release: pairs with the writer's load of reading. */
	atomic_store_explicit(reading, false, memory_order_release);
}

/*
 * Hands the log nd's replica as of applied (under the replica's write
 * lock and nd's combiner lock). Out of memory it is skipped: the log
 * then keeps more, and the next one is tried after as many entries.
 */
static void snapshot(rc_rsm_t *rsm, struct rsm_node *nd, uint64_t applied)
{
	size_t len = rsm->ops->snapshot(nd->state, NULL, 0);

	nd->snap_at = applied;
	/* One buffer per node, grown as the replica grows: a new one per
	 * snapshot left freed blocks the allocator kept (bench rsm
	 * --memory). */
	if (len > nd->snap_cap || !nd->snap_buf) {
		void *buf = malloc(len ? len : 1);

		if (!buf)
			return;
		free(nd->snap_buf);
		nd->snap_buf = buf;
		nd->snap_cap = len ? len : 1;
	}
	rsm->ops->snapshot(nd->state, nd->snap_buf, len);
	(void)rc_log_snapshot(rsm->log, nd->id, applied, nd->snap_buf, len);
}

/*
 * Applies n entries read from the log (the first at index first) to nd's
 * replica and raises applied; matches results of nd's current batch.
 * Under nd's combiner lock.
 */
static void apply_entries(rc_rsm_t *rsm, struct rsm_node *nd, uint64_t first,
			  unsigned n)
{
	const struct rc_rsm_ops *ops = rsm->ops;

	replica_write_lock(nd, rsm->wait);
	for (unsigned i = 0; i < n; i++) {
		const struct rc_log_entry *e = &nd->rbuf[i];
		uint32_t k = e->tag - nd->m_base;
		bool mine = e->origin == nd->id && k < nd->m_n;
		uint64_t r;

		/* Reads travel through the log only without a tail; only
		 * their origin needs their result. */
		if (!mine && !rsm->tail_cap && ops->is_read(e->op))
			continue;
		r = ops->apply(nd->state, e->op, e->arg);
		if (mine)
			nd->res[k] = r;
	}
	/* Release: pairs with the acquire loads of applied (readers,
	 * rc_rsm_applied); the replica itself is under the write lock. */
	atomic_store_explicit(&nd->applied, first + n, memory_order_release);
	if (rsm->snap_every && first + n - nd->snap_at >= rsm->snap_every)
		snapshot(rsm, nd, first + n);
	replica_write_unlock(nd);
}

/*
 * After a read of nd's log found nothing: if the log forgot entries nd
 * has not applied (rc_log_recover: nd fell below its peers' snapshots),
 * rebuilds nd's replica from the snapshot the log hands over, under the
 * replica's write lock, and sets applied to the snapshot's index, where
 * the log's cursor for nd now stands; the entries read next follow it.
 * Returns 1 when it rebuilt the replica, 0 when there was nothing to do,
 * -1 while a snapshot waits for restore to succeed (out of memory): nd
 * applies no entry meanwhile (nd->rb_buf set), and the next empty read
 * tries again. Under nd's combiner lock.
 */
static int rebuild(rc_rsm_t *rsm, struct rsm_node *nd)
{
	const struct rc_rsm_ops *ops = rsm->ops;
	void *state, *old;

	if (!nd->rb_buf && rc_log_recover(rsm->log, nd->id, &nd->rb_index,
					  &nd->rb_buf, &nd->rb_len, NULL) <= 0)
		return 0;
	state = ops->restore ? ops->restore(rsm->init_arg, nd->id, nd->rb_buf,
					    nd->rb_len)
			     : NULL;
	if (!state)
		return -1;
	free(nd->rb_buf);
	nd->rb_buf = NULL;
	replica_write_lock(nd, rsm->wait);
	old = nd->state;
	nd->state = state;
	nd->snap_at = nd->rb_index;
	/* Release: pairs with the acquire loads of applied (readers,
	 * rc_rsm_applied). It rises (the log stopped nd's copy below the
	 * checkpoint's count, at most the snapshot's index), so applied
	 * still only grows, as (4) needs. */
	atomic_store_explicit(&nd->applied, nd->rb_index, memory_order_release);
	replica_write_unlock(nd);
	if (ops->fini)
		ops->fini(old);
	return 1;
}

/* Applies what the log has readable for nd now; returns how many. */
static uint64_t drain(rc_rsm_t *rsm, struct rsm_node *nd)
{
	uint64_t first, total = 0;
	unsigned n;

	do {
		while (!nd->rb_buf &&
		       (n = rc_log_read(rsm->log, nd->id, &first, nd->rbuf,
					RSM_RBUF)) > 0) {
			apply_entries(rsm, nd, first, n);
			total += n;
		}
		/* Nothing to read: nd may have fallen behind for good. */
	} while (rebuild(rsm, nd) > 0);
	return total;
}

/*
 * Applies entries until nd's replica has applied every entry below
 * target, waiting for entries that are ordered but not yet readable.
 * The replica's applied count is its log cursor, so each read asks for
 * no more than target - applied entries: the log then need not look at
 * the entry after target, a line another node is about to write.
 */
static void advance(rc_rsm_t *rsm, struct rsm_node *nd, uint64_t target)
{
	struct rsm_wait w;
	uint64_t a, first;
	unsigned n;

	/* Waits for an appender of another node to stamp its entry: the
	 * log has no event for that, so it naps after its spin phase. */
	rsm_wait_init(&w, rsm->wait);
	/* Relaxed: only the combiner (us) writes applied. */
	while ((a = atomic_load_explicit(&nd->applied, memory_order_relaxed)) <
	       target) {
		n = nd->rb_buf ? 0
			       : rc_log_read(rsm->log, nd->id, &first, nd->rbuf,
					     target - a < RSM_RBUF
						     ? (unsigned)(target - a)
						     : RSM_RBUF);
		if (n > 0)
			apply_entries(rsm, nd, first, n);
		else if (rebuild(rsm, nd) <= 0)
			rsm_wait_step(&w);
	}
}

struct help_ctx {
	rc_rsm_t *rsm;
	struct rsm_node *nd;
};

/*
 * Called by a waiting append: applies the own node's readable entries,
 * then those of every node that lags ours by `lag` or more and whose
 * combiner lock is free: a node without active threads. With the
 * shared-memory log the lag is half the ring, which such a node would
 * otherwise hold for ever. A log without a fixed capacity keeps a copy
 * per node until its node reads it, and one that compacts to snapshots
 * keeps everything above the slowest live node's last one: an idle node
 * that nobody drained pinned both, and the Paxos log then grew by about
 * 200 bytes per command for as long as one node of a run had no thread
 * (test_rsm_memory's idle node). There the lag is RSM_IDLE_LAG, and a
 * node is tried again only after the helper's cursor moved that far: a
 * crashed node, whose read finds nothing, costs one try per
 * RSM_IDLE_LAG entries.
 */
static void help(void *arg)
{
	struct help_ctx *h = arg;
	rc_rsm_t *rsm = h->rsm;
	size_t cap = rsm->log->capacity;
	uint64_t lag = cap ? cap / 2 : RSM_IDLE_LAG;
	uint64_t mine;

	drain(rsm, h->nd);
	mine = rc_log_cursor(rsm->log, h->nd->id);
	for (unsigned i = 0; i < rsm->nnodes; i++) {
		struct rsm_node *o = rsm->nodes[i];

		/* relaxed: a hint that spaces out tries; a stale value
		 * costs one more try or one fewer */
		if (o == h->nd || rc_log_cursor(rsm->log, o->id) + lag > mine ||
		    (!cap &&
		     atomic_load_explicit(&o->help_at, memory_order_relaxed) +
				     lag >
			     mine) ||
		    !combiner_trylock(o))
			continue;
		/* relaxed: as above */
		atomic_store_explicit(&o->help_at, mine, memory_order_relaxed);
		drain(rsm, o);
		combiner_unlock(o);
	}
}

/*
 * Whether slot s holds a posted update: its request count is ahead of
 * its response count. Sets *req to the request count. Acquire: pairs
 * with the owner's release of req in exec_update, so op and arg are the
 * posted ones. The response count is the combiners' own (ordered among
 * them by the combiner lock).
 */
static bool slot_posted(struct rsm_slot *s, uint32_t *req)
{
	*req = atomic_load_explicit(&s->req, memory_order_acquire);
	return *req != atomic_load_explicit(&s->resp, memory_order_relaxed);
}

static void slot_answer(struct rsm_slot *s, uint32_t req, uint64_t result,
			int status)
{
	s->result = result;
	s->status = status;
	/* Release: publishes result and status; pairs with the owner's
	 * acquire of resp in exec_update. */
	atomic_store_explicit(&s->resp, req, memory_order_release);
}

/* Raises applied by nb after a round without a log. */
static inline void applied_add(struct rsm_node *nd, unsigned nb)
{
	/* Release: pairs with the acquire loads of applied in
	 * rc_rsm_applied (readers here look at the combiner lock). Only
	 * the combiner (us) writes applied: the load may be relaxed. */
	atomic_store_explicit(
		&nd->applied,
		atomic_load_explicit(&nd->applied, memory_order_relaxed) + nb,
		memory_order_release);
}

/*
 * Without a log: applies each update posted in slots 0..hw-1 straight
 * from its slot and answers it, as flat combining does, touching no line
 * but the slots and the replica; waits for the readers first unless
 * locked (the caller did). Returns how many it applied. Under nd's
 * combiner lock, which is the write flag.
 */
static inline unsigned serve_direct(const rc_rsm_t *rsm, struct rsm_node *nd,
				    unsigned hw, bool locked)
{
	const struct rc_rsm_ops *ops = rsm->ops;
	unsigned nb = 0;
	uint32_t req;

	for (unsigned i = 0; i < hw; i++) {
		struct rsm_slot *s = &nd->slots[i];

		if (!slot_posted(s, &req))
			continue;
		if (!locked) {
			wait_readers_upto(nd, hw, rsm->wait);
			locked = true;
		}
		slot_answer(s, req, ops->apply(nd->state, s->op, s->arg), 0);
		nb++;
	}
	return nb;
}

/*
 * The combiner's round without a log (one node) when it brings no update
 * of its own (a poster that took the lock). Under nd's combiner lock.
 */
static void combine_direct(rc_rsm_t *rsm, struct rsm_node *nd, unsigned hw)
{
	unsigned nb = serve_direct(rsm, nd, hw, false);

	if (nb > 0)
		applied_add(nd, nb);
}

/*
 * An update that made its thread the combiner, without a log: the whole
 * of an update that finds no combiner, so it is kept inline in
 * rc_rsm_execute. Waits for the readers, applies op to the replica,
 * serves what the node's other threads posted meanwhile. Under the
 * node's combiner lock.
 */
static inline uint64_t direct_own(rc_rsm_handle_t *h, uint64_t op, uint64_t arg)
{
	struct rsm_node *nd = h->node;
	/* seq_cst: wait_readers' scan (see there); an acquire too, so the
	 * slots claimed by rc_rsm_register are initialised. */
	unsigned hw = atomic_load_explicit(&nd->nslots, memory_order_seq_cst);
	uint64_t r;

	wait_readers_upto(nd, hw, h->wait);
	r = h->apply(nd->state, op, arg);
	applied_add(nd, 1 + serve_direct(h->rsm, nd, hw, true));
	return r;
}

/*
 * The combiner's round with a log: collects its own update (if any) and nd's posted
 * ones, appends them, applies the log through them and hands back
 * results. Under nd's combiner lock.
 */
static __attribute__((noinline)) void combine_log(rc_rsm_t *rsm,
						  struct rsm_node *nd,
						  unsigned hw,
						  struct rsm_own *own)
{
	unsigned nb = 0, done = 0;
	struct help_ctx hc = { rsm, nd };
	int rc = 0;
	uint32_t req;

	if (own) {
		nd->ebuf[nb].op = own->op;
		nd->ebuf[nb].arg = own->arg;
		nd->ebuf[nb].origin = nd->id;
		nd->ebuf[nb].tag = nd->seq + nb;
		nd->bslot[nb] = UINT_MAX;
		nb++;
	}
	for (unsigned i = 0; i < hw; i++) {
		struct rsm_slot *s = &nd->slots[i];

		if (!slot_posted(s, &req))
			continue;
		nd->ebuf[nb].op = s->op;
		nd->ebuf[nb].arg = s->arg;
		nd->ebuf[nb].origin = nd->id;
		nd->ebuf[nb].tag = nd->seq + nb;
		nd->bslot[nb] = i;
		nd->breq[nb] = req;
		nb++;
	}
	if (nb == 0)
		return;
	nd->m_base = nd->seq;
	nd->m_n = nb;
	nd->seq += nb;
	while (done < nb) {
		unsigned chunk = rsm->log->max_batch;
		unsigned k = nb - done < chunk ? nb - done : chunk;

		rc = rc_log_append(rsm->log, nd->id, nd->ebuf + done, k,
				   nd->idx + done, rsm->timeout_ns, help, &hc,
				   NULL);
		if (rc < 0)
			break;
		done += k;
	}
	/* The batch enters the log in order: its last appended entry
	 * applied means all are (help() may have applied some already). */
	if (done > 0)
		advance(rsm, nd, nd->idx[done - 1] + 1);
	nd->m_n = 0;
	for (unsigned b = 0; b < nb; b++) {
		uint64_t r = b < done ? nd->res[b] : 0;
		int st = b < done ? 0 : rc;

		if (nd->bslot[b] == UINT_MAX) {
			own->result = r;
			own->status = st;
		} else {
			slot_answer(&nd->slots[nd->bslot[b]], nd->breq[b], r,
				    st);
		}
	}
}

/* The combiner's round with a log (own: the combiner's update, or NULL)
 * or without (own is NULL: a direct combiner with an update of its own
 * runs direct_own). Under nd's combiner lock. */
static inline void combine(rc_rsm_t *rsm, struct rsm_node *nd,
			   struct rsm_own *own)
{
	/* Acquire: slots claimed by rc_rsm_register are initialised. */
	unsigned hw = atomic_load_explicit(&nd->nslots, memory_order_acquire);

	if (rsm->direct)
		combine_direct(rsm, nd, hw);
	else
		combine_log(rsm, nd, hw, own);
}

/*
 * Posts the update in h's slot and waits for its answer, or for the
 * combiner's place. Sets h->follow when another thread's round answered
 * it: the node has an active combiner, so the thread's next update is
 * posted first too rather than taking the lock's line away from it.
 */
static __attribute__((noinline)) int
exec_posted(rc_rsm_handle_t *h, uint64_t op, uint64_t arg, uint64_t *result)
{
	struct rsm_node *nd = h->node;
	struct rsm_slot *s = h->slot;
	struct rsm_wait w;
	bool served = true;
	uint32_t req;

	s->op = op;
	s->arg = arg;
	/* Relaxed: only the owner writes req. */
	req = atomic_load_explicit(&s->req, memory_order_relaxed) + 1;
	/* Release: publishes op and arg to the combiner's acquire. */
	atomic_store_explicit(&s->req, req, memory_order_release);
	rsm_wait_init(&w, h->wait);
	/* Acquire: pairs with the combiner's release of resp. The combiner
	 * lock is looked at only every RSM_LOCK_EVERY turns while the
	 * waiter spins. A combiner serves every posted slot each round, so
	 * with one active the wait is about a round, and a look then does
	 * harm twice: it takes the lock's line away from the combiner,
	 * whose next exchange misses; and if it catches the lock free
	 * between two of the combiner's rounds, this thread combines next
	 * and the replica's lines follow it to its cache, where the other
	 * thread's next round misses on them. (Two threads of one node,
	 * hash map, 100% puts, 8 runs each: with a look every 8 turns the
	 * role changed hands 60,000-120,000 times a second and the map ran
	 * at 0.25-0.52 times a global spinlock's speed; every 32 turns,
	 * 110-260 times a second and 0.74-1.10.) With no combiner the
	 * lock is free at the first look, 32 short pauses in; after the
	 * pauses it is looked at every turn, so a lock left free is not
	 * left so for 32 turns of the policy's spin. A parked poster is
	 * woken by combiner_unlock, after its answer or with the lock
	 * free: the key is taken before both are looked at. */
	for (unsigned n = 1;; n++) {
		uint32_t key = _rc_event_key(&nd->ev);

		if (atomic_load_explicit(&s->resp, memory_order_acquire) == req)
			break;
		if ((n % RSM_LOCK_EVERY == 0 || w.spins == RSM_SPINS) &&
		    combiner_trylock(nd)) {
			combine(h->rsm, nd, NULL);
			combiner_unlock(nd);
			served = false;
			continue;
		}
		rsm_wait_event(&w, &nd->ev, key);
	}
	h->follow = served;
	if (s->status == 0)
		*result = s->result;
	return s->status;
}

/*
 * An update with a log: when the node has no combiner the caller becomes
 * it and brings its own update without posting it; otherwise (or while
 * it follows another combiner) it posts the update in its slot and waits.
 */
static int exec_update(rc_rsm_handle_t *h, uint64_t op, uint64_t arg,
		       uint64_t *result)
{
	struct rsm_node *nd = h->node;
	struct rsm_own own = { op, arg, 0, 0 };

	if (h->follow || !combiner_trylock(nd))
		return exec_posted(h, op, arg, result);
	combine(h->rsm, nd, &own);
	combiner_unlock(nd);
	if (own.status == 0)
		*result = own.result;
	return own.status;
}

/*
 * An update that does not become the combiner at once: without a log it
 * is posted (the caller's try failed, or it follows a combiner), with a
 * log it goes through exec_update.
 */
static __attribute__((noinline)) int
update_slow(rc_rsm_handle_t *h, uint64_t op, uint64_t arg, uint64_t *result)
{
	if (h->direct)
		return exec_posted(h, op, arg, result);
	return exec_update(h, op, arg, result);
}

/*
 * A linearizable read's catch-up: until nd's replica has applied every
 * entry below the log tail seen now, applying entries itself when the
 * node has no combiner.
 */
static void catch_up(rc_rsm_t *rsm, struct rsm_node *nd, uint64_t t)
{
	struct rsm_wait w;

	/* Acquire: as below. Caught up already: no event line touched. */
	if (atomic_load_explicit(&nd->applied, memory_order_acquire) >= t)
		return;
	rsm_wait_init(&w, rsm->wait);
	/* Parked, woken by combiner_unlock: applied raised, or the lock
	 * free for this thread to catch up itself. */
	for (;;) {
		uint32_t key = _rc_event_key(&nd->ev);

		/* Acquire: pairs with the release in apply_entries (the
		 * read lock taken next orders the replica reads anyway). */
		if (atomic_load_explicit(&nd->applied, memory_order_acquire) >=
		    t)
			break;
		if (combiner_trylock(nd)) {
			advance(rsm, nd, t);
			combiner_unlock(nd);
			break;
		}
		rsm_wait_event(&w, &nd->ev, key);
	}
}

/*
 * A read index's help: catches nd up if its combiner lock is free, which
 * recovers a node that fell behind its peers' snapshots (rebuild) while
 * the read waits. In test_rsm_recover the first read by the read index
 * at such a node took 0.46 ms with this help and 100 ms without it.
 */
static void index_help(void *arg)
{
	struct help_ctx *h = arg;

	if (!combiner_trylock(h->nd))
		return;
	drain(h->rsm, h->nd);
	combiner_unlock(h->nd);
}

/*
 * The bound a linearizable read catches nd up to: the log's read index
 * (RC_RSM_READ_INDEX) or its tail. 0 or the read index's error.
 */
static int read_target(rc_rsm_t *rsm, struct rsm_node *nd, unsigned flags,
		       uint64_t *t)
{
	struct help_ctx hc = { rsm, nd };
	int rc;

	if (flags & RC_RSM_READ_INDEX)
		return rc_log_read_index(rsm->log, nd->id, rsm->timeout_ns, t,
					 index_help, &hc, NULL);
	rc = rc_log_tail(rsm->log, t);
	assert(rc == 0);
	return rc;
}

/* A read under the read lock, without catch-up. */
static inline uint64_t read_local(rc_rsm_handle_t *h, uint64_t op, uint64_t arg)
{
	uint64_t r;

	replica_read_lock(h);
	/* The replica's pointer under the read lock: a rebuild (rebuild())
	 * replaces it under the write lock. */
	r = h->apply(h->node->state, op, arg);
	replica_read_unlock(h->reading);
	return r;
}

/*
 * A read that needs the log: a linearizable read with a log catches up
 * first, or without the log's tail goes through the log as an update.
 */
static __attribute__((noinline)) int read_slow(rc_rsm_handle_t *h, uint64_t op,
					       uint64_t arg, unsigned flags,
					       uint64_t *result)
{
	flags |= h->flags;
	if (!(flags & RC_RSM_READ_SEQ)) {
		uint64_t t;
		int rc;

		/* Without a tail or a read index a read goes through the
		 * log. */
		if (!h->tail_cap && !(flags & RC_RSM_READ_INDEX))
			return exec_update(h, op, arg, result);
		rc = read_target(h->rsm, h->node, flags, &t);
		if (rc < 0)
			return rc;
		catch_up(h->rsm, h->node, t);
	}
	*result = read_local(h, op, arg);
	return 0;
}

/*
 * An update without a log that finds no combiner (and follows none) is
 * the combiner lock around apply and a look at the node's slots; a read
 * without a log, or a sequential one, is the read lock around apply: one
 * store, to the caller's own line, and one load of a shared line. Both
 * inline here; the rest is out of line.
 */
static inline __attribute__((always_inline)) int
execute(rc_rsm_handle_t *h, uint64_t op, uint64_t arg, unsigned flags,
	uint64_t *result)
{
	if (h->is_read(op)) {
		if (h->local_reads || (flags & RC_RSM_READ_SEQ)) {
			*result = read_local(h, op, arg);
			return 0;
		}
		return read_slow(h, op, arg, flags, result);
	}
	if (h->direct && !h->follow && combiner_trylock(h->node)) {
		*result = direct_own(h, op, arg);
		combiner_unlock(h->node);
		return 0;
	}
	return update_slow(h, op, arg, result);
}

int rc_rsm_execute_flags(rc_rsm_handle_t *h, uint64_t op, uint64_t arg,
			 unsigned flags, uint64_t *result)
{
	return execute(h, op, arg, flags, result);
}

int rc_rsm_execute(rc_rsm_handle_t *h, uint64_t op, uint64_t arg,
		   uint64_t *result)
{
	return execute(h, op, arg, 0, result);
}

/*
 * Placement. Each node's own memory, its struct rsm_node (the combiner
 * lock, the event, applied, the read-mostly line), its thread slots and
 * the combiner's batch buffers, is one allocation on the node's real
 * node (rc_topo_alloc binds it there), each part on its own cache lines.
 * The replica is the user's: ops->init runs on a thread bound to the
 * node's real PUs (rc_topo_run_on_node), so the memory it takes fresh
 * from the system and touches is placed on the node by first touch.
 * Operations reach their node through the handle; help() and
 * rc_rsm_sync() walk the array of node pointers.
 */
#define RSM_ALIGN(x) (((x) + RC_CACHELINE - 1) & ~(size_t)(RC_CACHELINE - 1))

struct node_layout {
	size_t slots, ebuf, idx, bslot, breq, res; /* offsets */
	size_t total;
};

/* Where each part of a node's allocation starts, for m slots. */
static void node_layout(unsigned m, struct node_layout *l)
{
	size_t off = RSM_ALIGN(sizeof(struct rsm_node));

	l->slots = off;
	off += RSM_ALIGN(m * sizeof(struct rsm_slot));
	l->ebuf = off;
	off += RSM_ALIGN(m * sizeof(struct rc_log_entry));
	l->idx = off;
	off += RSM_ALIGN(m * sizeof(uint64_t));
	l->bslot = off;
	off += RSM_ALIGN(m * sizeof(unsigned));
	l->breq = off;
	off += RSM_ALIGN(m * sizeof(uint32_t));
	l->res = off;
	off += RSM_ALIGN(m * sizeof(uint64_t));
	l->total = off;
}

struct init_ctx {
	const struct rc_rsm_ops *ops;
	void *arg;
	unsigned node;
	void *state;
	int cpu;
};

static void run_init(void *arg)
{
	struct init_ctx *c = arg;

	c->cpu = sched_getcpu();
	c->state = c->ops->init(c->arg, c->node);
}

static void free_nodes(rc_rsm_t *rsm)
{
	for (unsigned i = 0; i < rsm->nnodes; i++) {
		struct rsm_node *nd = rsm->nodes[i];

		if (!nd)
			continue;
		if (nd->state && rsm->ops->fini)
			rsm->ops->fini(nd->state);
		free(nd->rb_buf);
		free(nd->snap_buf);
		rc_topo_free(rsm->topo, nd, rsm->node_bytes);
	}
	free(rsm->nodes);
}

int rc_rsm_create(rc_rsm_t **out, const struct rc_rsm_ops *ops, void *init_arg,
		  const rc_topo_t *topo, const struct rc_rsm_options *opts,
		  rc_err_t *err)
{
	struct rc_rsm_options def = RC_RSM_OPTIONS_INITIALIZER;
	struct node_layout lay;
	rc_rsm_t *rsm;
	unsigned nnodes;
	int rc;

	*out = NULL;
	if (!opts)
		opts = &def;
	if (!ops || !ops->init || !ops->apply || !ops->is_read || !topo)
		return rc_err_set(err, RC_EINVAL, "rsm", 0, 0,
				  "an ops table with init, apply and is_read, "
				  "and a topology are required");
	nnodes = rc_topo_nnodes(topo);
	if (nnodes == 0)
		nnodes = 1;
	if (opts->log && rc_log_nnodes(opts->log) != nnodes)
		return rc_err_set(err, RC_EINVAL, "rsm", 0, 0,
				  "the %s log has %u nodes, the layout %u",
				  rc_log_name(opts->log),
				  rc_log_nnodes(opts->log), nnodes);
	if (rc_wait_policy_name(opts->wait) == NULL)
		return rc_err_set(err, RC_EINVAL, "rsm", 0, 0,
				  "wait policy %d, expected spin-park (0), "
				  "spin (1) or park (2)",
				  (int)opts->wait);
	if (opts->max_node_threads > 4096)
		return rc_err_set(err, RC_EINVAL, "rsm", 0, 0,
				  "max_node_threads %u, expected 0..4096",
				  opts->max_node_threads);
	rsm = calloc(1, sizeof(*rsm));
	if (!rsm)
		return rc_err_set(err, RC_ENOMEM, "rsm", 0, 0, "out of memory");
	rsm->ops = ops;
	rsm->topo = topo;
	rsm->flags = opts->flags;
	rsm->nnodes = nnodes;
	rsm->slots_per_node = opts->max_node_threads ? opts->max_node_threads
						     : RC_RSM_MAX_NODE_THREADS;
	rsm->timeout_ns = opts->timeout_ns ? opts->timeout_ns : RC_LOG_FOREVER;
	rsm->wait = opts->wait;
	rsm->init_arg = init_arg;
	if (opts->log) {
		rsm->log = opts->log;
	} else {
		rc = rc_log_shm_create(&rsm->log, nnodes,
				       opts->log_capacity ? opts->log_capacity
							  : RC_RSM_LOG_CAPACITY,
				       err);
		if (rc < 0) {
			free(rsm);
			return rc;
		}
		rsm->own_log = true;
	}
	rsm->tail_cap = (rc_log_caps(rsm->log) & RC_LOG_CAP_TAIL) != 0;
	if ((opts->flags & RC_RSM_READ_INDEX) &&
	    !(rc_log_caps(rsm->log) & RC_LOG_CAP_READ_INDEX)) {
		rc = rc_err_set(err, RC_EINVAL, "rsm", 0, 0,
				"RC_RSM_READ_INDEX over the %s log, which "
				"has no read index",
				rc_log_name(rsm->log));
		if (rsm->own_log)
			rc_log_destroy(rsm->log);
		free(rsm);
		return rc;
	}
	if (ops->snapshot && ops->restore && rsm->log->ops->snapshot)
		rsm->snap_every = opts->snapshot_every ? opts->snapshot_every
						       : RC_RSM_SNAPSHOT_EVERY;
	rsm->direct = nnodes == 1 && rsm->own_log;
	node_layout(rsm->slots_per_node, &lay);
	rsm->node_bytes = lay.total;
	rsm->nodes = calloc(nnodes, sizeof(*rsm->nodes));
	if (!rsm->nodes)
		goto nomem;
	for (unsigned i = 0; i < nnodes; i++) {
		struct init_ctx ic = { ops, init_arg, i, NULL, -1 };
		struct rsm_node *nd;
		char *base;
		unsigned m = rsm->slots_per_node;

		/* Page-aligned, so every part is cache-line aligned. */
		base = rc_topo_alloc(topo, i, lay.total, NULL);
		if (!base)
			goto nomem;
		assert(((uintptr_t)base & (RC_CACHELINE - 1)) == 0);
		memset(base, 0, lay.total);
		nd = (struct rsm_node *)base;
		rsm->nodes[i] = nd;
		nd->slots = (struct rsm_slot *)(base + lay.slots);
		nd->ebuf = (struct rc_log_entry *)(base + lay.ebuf);
		nd->idx = (uint64_t *)(base + lay.idx);
		nd->bslot = (unsigned *)(base + lay.bslot);
		nd->breq = (uint32_t *)(base + lay.breq);
		nd->res = (uint64_t *)(base + lay.res);
		nd->id = i;
		atomic_init(&nd->combining, false);
		atomic_init(&nd->applied, 0);
		atomic_init(&nd->nslots, 0);
		atomic_init(&nd->writer, false);
		_rc_event_init(&nd->ev);
		nd->wflag = rsm->direct ? &nd->combining : &nd->writer;
		for (unsigned k = 0; k < m; k++) {
			atomic_init(&nd->slots[k].state, SLOT_FREE);
			atomic_init(&nd->slots[k].req, 0);
			atomic_init(&nd->slots[k].resp, 0);
			atomic_init(&nd->slots[k].reading, false);
		}
		/* The replica, first touched on the node where the system
		 * can bind threads, else (as before) on this thread. */
		nd->init_bound =
			rc_topo_run_on_node(topo, i, run_init, &ic, NULL) == 0;
		if (!nd->init_bound)
			run_init(&ic);
		nd->init_cpu = ic.cpu;
		nd->state = ic.state;
		if (!nd->state)
			goto nomem;
	}
	*out = rsm;
	return 0;
nomem:
	if (rsm->nodes)
		free_nodes(rsm);
	if (rsm->own_log)
		rc_log_destroy(rsm->log);
	free(rsm);
	return rc_err_set(err, RC_ENOMEM, "rsm", 0, 0, "out of memory");
}

void rc_rsm_destroy(rc_rsm_t *rsm)
{
	if (!rsm)
		return;
	free_nodes(rsm);
	if (rsm->own_log)
		rc_log_destroy(rsm->log);
	free(rsm);
}

int rc_rsm_register(rc_rsm_t *rsm, unsigned pu, unsigned flags,
		    rc_rsm_handle_t **out, rc_err_t *err)
{
	struct rc_topo_pu info;
	struct rsm_node *nd;
	rc_rsm_handle_t *h;
	int rc;

	*out = NULL;
	if (rc_topo_pu(rsm->topo, pu, &info) < 0)
		return rc_err_set(err, RC_EINVAL, "rsm", 0, 0,
				  "PU %u is not in the layout (0..%u)", pu,
				  rc_topo_npus(rsm->topo) - 1);
	nd = rsm->nodes[info.node < rsm->nnodes ? info.node : 0];
	if (flags & RC_RSM_PIN) {
		rc = rc_topo_pin(rsm->topo, pu, err);
		if (rc < 0)
			return rc;
	}
	h = malloc(sizeof(*h));
	if (!h)
		return rc_err_set(err, RC_ENOMEM, "rsm", 0, 0, "out of memory");
	for (unsigned i = 0; i < rsm->slots_per_node; i++) {
		unsigned expect = SLOT_FREE, hw;

		/* Acquire: a slot given back by rc_rsm_unregister is free
		 * of its former owner's accesses; pairs with its release. */
		if (!atomic_compare_exchange_strong_explicit(
			    &nd->slots[i].state, &expect, SLOT_TAKEN,
			    memory_order_acquire, memory_order_relaxed))
			continue;
		/* seq_cst: publishes the claimed slot to combiners (their
		 * acquire) and orders it before this thread's first
		 * reading flag for replica_write_lock's scan. */
		hw = atomic_load_explicit(&nd->nslots, memory_order_relaxed);
		while (hw < i + 1 &&
		       !atomic_compare_exchange_weak_explicit(
			       &nd->nslots, &hw, i + 1, memory_order_seq_cst,
			       memory_order_relaxed))
			;
		h->rsm = rsm;
		h->node = nd;
		h->slot = &nd->slots[i];
		h->apply = rsm->ops->apply;
		h->is_read = rsm->ops->is_read;
		h->wflag = nd->wflag;
		h->reading = &nd->slots[i].reading;
		h->flags = rsm->flags;
		h->direct = rsm->direct;
		h->tail_cap = rsm->tail_cap;
		h->local_reads =
			rsm->direct || (rsm->flags & RC_RSM_READ_SEQ) != 0;
		h->follow = false;
		h->wait = rsm->wait;
		*out = h;
		return 0;
	}
	free(h);
	return rc_err_set(err, RC_EAGAIN, "rsm", 0, 0,
			  "node %u has all its %u thread slots taken", nd->id,
			  rsm->slots_per_node);
}

void rc_rsm_unregister(rc_rsm_handle_t *h)
{
	if (!h)
		return;
	/* Release: the slot's last use happens before its next claim. */
	atomic_store_explicit(&h->slot->state, SLOT_FREE, memory_order_release);
	free(h);
}

unsigned rc_rsm_handle_node(const rc_rsm_handle_t *h)
{
	return h->node->id;
}

int rc_rsm_sync(rc_rsm_t *rsm)
{
	uint64_t target = 0;

	if (rsm->tail_cap) {
		int rc = rc_log_tail(rsm->log, &target);

		assert(rc == 0);
		(void)rc;
	}
	for (unsigned i = 0; i < rsm->nnodes; i++) {
		struct rsm_node *nd = rsm->nodes[i];
		uint64_t a;

		drain(rsm, nd);
		a = atomic_load_explicit(&nd->applied, memory_order_relaxed);
		if (a > target)
			target = a;
	}
	for (unsigned i = 0; i < rsm->nnodes; i++)
		advance(rsm, rsm->nodes[i], target);
	return 0;
}

void *rc_rsm_replica(rc_rsm_t *rsm, unsigned node)
{
	assert(node < rsm->nnodes);
	return rsm->nodes[node]->state;
}

unsigned rc_rsm_nnodes(const rc_rsm_t *rsm)
{
	return rsm->nnodes;
}

rc_log_t *rc_rsm_log(rc_rsm_t *rsm)
{
	return rsm->log;
}

uint64_t rc_rsm_applied(const rc_rsm_t *rsm, unsigned node)
{
	assert(node < rsm->nnodes);
	/* Acquire: pairs with the release in apply_entries. */
	return atomic_load_explicit(&rsm->nodes[node]->applied,
				    memory_order_acquire);
}

/* The real node [p, p + len) is on, or RC_RSM_MEM_UNKNOWN / _SEVERAL. */
static int mem_where(const rc_topo_t *topo, const void *p, size_t len)
{
	unsigned r;
	int n = rc_topo_memnode(topo, p, len, &r, 1, NULL);

	if (n <= 0)
		return RC_RSM_MEM_UNKNOWN;
	return n == 1 ? (int)r : RC_RSM_MEM_SEVERAL;
}

int rc_rsm_placement(const rc_rsm_t *rsm, unsigned node,
		     struct rc_rsm_placement *pl)
{
	const struct rsm_node *nd;

	if (node >= rsm->nnodes)
		return -RC_EINVAL;
	nd = rsm->nodes[node];
	pl->real_node = rc_topo_real_node(rsm->topo, node);
	pl->node_mem = mem_where(rsm->topo, nd, rsm->node_bytes);
	pl->replica_mem = mem_where(rsm->topo, nd->state, 1);
	pl->init_cpu = nd->init_cpu;
	pl->init_bound = nd->init_bound;
	return 0;
}

int rc_rsm_restart(rc_rsm_t *rsm, unsigned node, rc_err_t *err)
{
	const struct rc_rsm_ops *ops = rsm->ops;
	struct rsm_node *nd;
	uint64_t index = 0;
	void *buf = NULL, *state;
	size_t len = 0;
	int rc;

	if (node >= rsm->nnodes)
		return rc_err_set(err, RC_EINVAL, "rsm", 0, 0,
				  "restart of node %u of %u", node,
				  rsm->nnodes);
	if (!ops->restore || rsm->direct)
		return rc_err_set(err, RC_ENOTSUP, "rsm", 0, 0,
				  "restart needs ops->restore and a log");
	nd = rsm->nodes[node];
	/*
	 * No thread of the node runs (the caller's promise), but another
	 * node's waiting appender may be draining this one (help()), as the
	 * node's reader: the combiner lock keeps it out while the log and
	 * the replica are replaced. Its wait is one drain, woken by
	 * combiner_unlock. Before, a torture run under ThreadSanitizer
	 * caught a helper reading rb_buf while the restart wrote it.
	 */
	combiner_lock_wait(nd, rsm->wait);
	rc = rc_log_restart(rsm->log, node, &index, &buf, &len, err);
	if (rc < 0) {
		combiner_unlock(nd);
		return rc;
	}
	state = buf ? ops->restore(rsm->init_arg, node, buf, len)
		    : ops->init(rsm->init_arg, node);
	free(buf);
	if (!state) {
		combiner_unlock(nd);
		return rc_err_set(err, RC_ENOMEM, "rsm", 0, 0,
				  "node %u: no replica from the snapshot",
				  node);
	}
	if (ops->fini)
		ops->fini(nd->state);
	nd->state = state;
	nd->snap_at = index;
	nd->m_n = 0;
	free(nd->rb_buf); /* a rebuild the restart supersedes */
	nd->rb_buf = NULL;
	/* Release: pairs with the acquire loads of applied; nothing else
	 * runs on the node (the caller's promise), the new threads that
	 * register find the replica built. */
	atomic_store_explicit(&nd->applied, index, memory_order_release);
	combiner_unlock(nd);
	return 0;
}
