/* SPDX-License-Identifier: MIT */
/* log_shm.c: the shared-memory operation log, a circular array with one cursor per node. */
/*
 * The log after Node Replication's shared log (Calciu et al., ASPLOS 2017).
 *
 * State: slots[capacity] (capacity a power of two), a tail (the next index
 * to hand out), one cursor per node (the next index that node reads), and
 * head, a cached lower bound of the cursors. Entry i lives in slot
 * i & (capacity - 1), whose stamp is i + 1 once the entry is in.
 *
 * Invariant: tail - min(cursors) <= capacity. An appender reserves
 * [t, t + n) by a compare-and-swap of the tail from t only when
 * t + n - head <= capacity, and head <= min(cursors) at all times
 * (cursors only grow, and head is only ever set to a minimum read after
 * them). So a slot is handed out again only after every node has read
 * its previous entry: that is the reclamation.
 *
 * Readiness: a reserved slot is written by its appender after the
 * reservation, so an index below the tail may not be readable yet. The
 * stamp says when it is: stamps are unique per index (i + 1), so a stamp
 * left from the slot's previous lap never passes for the current entry.
 * A reader copies entries while the stamp matches and stops at the first
 * that does not (read never waits).
 *
 * Tail: every append that returned had its reservation done, so its
 * indexes are below the tail any later rc_log_tail() sees (the tail only
 * grows); every index below the tail was reserved by an appender that
 * will write it without waiting. That is RC_LOG_CAP_TAIL.
 *
 * Timeouts: an append waits only before its reservation, so a timed-out
 * append left nothing behind (RC_LOG_CAP_NOPARTIAL).
 *
 * What it keeps: the capacity slots, the tail, head and one cursor per
 * node, allocated at creation and never more, however many entries pass:
 * the ring is reused lap after lap, so the log lives forever in constant
 * memory (1,000,000 and 10,000,000 updates of a counter over it leave the
 * process's resident size where it was after warm-up, see
 * tests/unit/test_rsm_memory). It keeps no snapshots (no snapshot or
 * restart operation): nothing to compact, and no node can crash out of a
 * shared memory; a node that stops consuming stops the appenders instead
 * (see log.h).
 *
 * Lines. Each slot has a cache line of its own: entries appended by
 * different nodes never share a line, so an appender writing its entry
 * does not take a line away from another node writing the entry beside
 * it. The tail's line moves between the appending nodes' caches on nearly
 * every append; an appender therefore does not load it before its
 * compare-and-swap (a load would fetch the line shared, and the
 * compare-and-swap would then need it again, exclusive): it expects the
 * tail where its own previous append ended plus as many entries of other
 * nodes as came before that append, and learns the true tail from a
 * failed compare-and-swap, which leaves the line in its cache. While the
 * tail's line travels, prefetches bring the slot it expects to write and
 * the first entry of another node it will read next.
 *
 * Why one tail. A log without it was built and measured: node j owns
 * the indexes j, j + n, ... (or runs of 8 to 32 indexes in turn), claims
 * them on a line of its own, and a reader that meets an index its owner
 * has not claimed claims it itself and stamps a filler there. On two
 * nodes of one core each, hash map at 100% puts (`replicore bench rsm`),
 * it ran 14-24 Mops/s with single indexes (by how long a reader waits
 * before it fills) and 9-15 with runs, against 18-28 for this log in
 * runs in between. Every update still crosses between the cores (the
 * other replica must read it), a reader waiting on an index takes its
 * line from the owner about to write it, and with runs one node waits
 * out the other's run. So the tail stays.
 */
#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/log.h>

#include "runtime/wait.h"

#define RC_CACHELINE 64

/* A slot, a cache line of its own (see Lines). */
struct shm_slot {
	/* index + 1 once the entry is in; 0 empty */
	_Alignas(RC_CACHELINE) _Atomic uint64_t stamp;
	uint64_t op;
	uint64_t arg;
	uint32_t origin;
	uint32_t tag;
};

/* A node's line: its cursor, and its appender's guess of the tail. */
struct shm_cursor {
	_Alignas(RC_CACHELINE) _Atomic uint64_t next;
	uint64_t last_end; /* where the node's last append ended */
	uint64_t gap;	   /* others' entries just before that append */
};

/* The most entries of other nodes an appender expects before its own. */
#define SHM_GAP_MAX 64

struct shm_log {
	struct rc_log base;
	size_t mask;
	struct shm_slot *slots;
	struct shm_cursor *cursors;
	_Alignas(RC_CACHELINE) _Atomic uint64_t tail;
	_Alignas(RC_CACHELINE) _Atomic uint64_t head;
	char pad_[RC_CACHELINE - sizeof(uint64_t)];
};

static struct shm_log *shm(rc_log_t *log)
{
	return (struct shm_log *)log;
}

/*
 * The least cursor, stored into head when it is larger. Acquire loads of
 * the cursors: pair with the release stores in shm_read, so the readers'
 * copies of the slots below a cursor happen before the slots are reused.
 */
static uint64_t shm_refresh_head(struct shm_log *l)
{
	uint64_t min = UINT64_MAX, h;

	for (unsigned i = 0; i < l->base.nnodes; i++) {
		uint64_t c = atomic_load_explicit(&l->cursors[i].next,
						  memory_order_acquire);
		if (c < min)
			min = c;
	}
	/* Release on success: publishes the cursor acquires above to an
	 * appender that reserves on the strength of this head; pairs with
	 * the acquire loads of head in shm_append. */
	h = atomic_load_explicit(&l->head, memory_order_relaxed);
	while (h < min && !atomic_compare_exchange_weak_explicit(
				  &l->head, &h, min, memory_order_release,
				  memory_order_relaxed))
		;
	return min;
}

static int shm_append(rc_log_t *log, unsigned node,
		      const struct rc_log_entry *e, unsigned n, uint64_t *idx,
		      uint64_t timeout_ns, rc_log_help_fn help, void *help_arg,
		      rc_err_t *err)
{
	struct shm_log *l = shm(log);
	struct shm_cursor *me = &l->cursors[node];
	uint64_t cap = l->mask + 1, t, head;
	struct _rc_wait w;
	bool waiting = false, known = false;

	/* A guess (see Lines): the compare-and-swap below decides, and
	 * one that fails gives the tail. */
	t = me->last_end + me->gap;
	__builtin_prefetch(&l->slots[t & l->mask], 1);
	__builtin_prefetch(&l->slots[(t + 2) & l->mask], 1);
	if (me->gap > 0)
		__builtin_prefetch(&l->slots[me->last_end & l->mask], 0);
	for (;;) {
		/* Acquire: pairs with the release in shm_refresh_head, so
		 * the readers' copies of the slots we may reuse happen
		 * before our writes to them. A stale head only makes us
		 * refresh it. */
		head = atomic_load_explicit(&l->head, memory_order_acquire);
		if (t + n - head > cap && head <= t) {
			if (!known) {
				/* Only the true tail may find the log full.
				 * Relaxed: the compare-and-swap decides. */
				t = atomic_load_explicit(&l->tail,
							 memory_order_relaxed);
				known = true;
				continue;
			}
			head = shm_refresh_head(l);
		}
		if (head > t) {
			/* t is stale: the cursors passed it already. */
			t = atomic_load_explicit(&l->tail,
						 memory_order_relaxed);
			known = true;
			continue;
		}
		if (t + n - head <= cap) {
			/* Relaxed: the slots' reuse is ordered by the head
			 * and cursor acquires above; the entries are
			 * published by the stamp releases below. */
			if (atomic_compare_exchange_weak_explicit(
				    &l->tail, &t, t + n, memory_order_relaxed,
				    memory_order_relaxed))
				break;
			known = true;
			continue;
		}
		/*
		 * Full: some cursor holds the room back. The wait spins,
		 * then naps (runtime/wait.h's step), calling help at every
		 * turn; it does not park: what makes room may be this
		 * thread's own help (its node's cursor, an idle node's),
		 * so a parked appender would need a wake from every append
		 * and every combiner's unlock as well as from every read.
		 */
		if (!waiting) {
			_rc_wait_init(&w, timeout_ns);
			waiting = true;
		}
		if (help)
			help(help_arg);
		if (!_rc_wait_step(&w))
			return rc_err_set(err, RC_ETIMEDOUT, "log", 0, 0,
					  "shm log full for %llu ns: a node "
					  "stopped consuming",
					  (unsigned long long)timeout_ns);
		t = atomic_load_explicit(&l->tail, memory_order_relaxed);
		known = true;
	}
	me->gap = t - me->last_end <= SHM_GAP_MAX ? t - me->last_end : 0;
	me->last_end = t + n;
	for (unsigned i = 0; i < n; i++) {
		struct shm_slot *s = &l->slots[(t + i) & l->mask];

		s->op = e[i].op;
		s->arg = e[i].arg;
		s->origin = node;
		s->tag = e[i].tag;
		/* Release: publishes the fields above (and the caller's
		 * earlier writes); pairs with the acquire in shm_read. */
		atomic_store_explicit(&s->stamp, t + i + 1,
				      memory_order_release);
		idx[i] = t + i;
	}
	return 0;
}

static int shm_tail(rc_log_t *log, uint64_t *tail)
{
	/* Acquire: orders the caller's later reads (of the replica, of
	 * the log) after this observation of the tail (conservative: the
	 * entries themselves are published by their stamps). */
	*tail = atomic_load_explicit(&shm(log)->tail, memory_order_acquire);
	return 0;
}

static unsigned shm_read(rc_log_t *log, unsigned node, uint64_t *first,
			 struct rc_log_entry *out, unsigned max)
{
	struct shm_log *l = shm(log);
	/* Relaxed: only this node's reader writes its cursor. */
	uint64_t c = atomic_load_explicit(&l->cursors[node].next,
					  memory_order_relaxed);
	unsigned n = 0;

	*first = c;
	while (n < max) {
		struct shm_slot *s = &l->slots[(c + n) & l->mask];

		/* Acquire: pairs with the appender's release of the stamp,
		 * so the fields read below are the entry's. */
		if (atomic_load_explicit(&s->stamp, memory_order_acquire) !=
		    c + n + 1)
			break;
		out[n].op = s->op;
		out[n].arg = s->arg;
		out[n].origin = s->origin;
		out[n].tag = s->tag;
		n++;
	}
	if (n)
		/* Release: the copies above happen before an appender
		 * reuses these slots; pairs with shm_refresh_head. */
		atomic_store_explicit(&l->cursors[node].next, c + n,
				      memory_order_release);
	return n;
}

static uint64_t shm_cursor(rc_log_t *log, unsigned node)
{
	/* Acquire: a caller comparing cursors with the tail sees entries
	 * at least as new as the cursor (conservative). */
	return atomic_load_explicit(&shm(log)->cursors[node].next,
				    memory_order_acquire);
}

static void shm_destroy(rc_log_t *log)
{
	struct shm_log *l = shm(log);

	free(l->slots);
	free(l->cursors);
	free(l);
}

static const struct rc_log_ops shm_ops = {
	.append = shm_append,
	.tail = shm_tail,
	.read = shm_read,
	.cursor = shm_cursor,
	.destroy = shm_destroy,
};

int rc_log_shm_create(rc_log_t **out, unsigned nnodes, size_t capacity,
		      rc_err_t *err)
{
	struct shm_log *l;

	*out = NULL;
	if (nnodes < 1 || nnodes > RC_LOG_SHM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "shm log: %u nodes, expected 1..%u", nnodes,
				  RC_LOG_SHM_MAX_NODES);
	if (capacity < 2 || capacity > (1u << 24) ||
	    (capacity & (capacity - 1)) != 0)
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "shm log: capacity %zu, expected a power of "
				  "two in 2..%u",
				  capacity, 1u << 24);
	l = aligned_alloc(RC_CACHELINE, sizeof(*l));
	if (!l)
		return rc_err_set(err, RC_ENOMEM, "log", 0, 0, "out of memory");
	memset(l, 0, sizeof(*l));
	l->slots = aligned_alloc(RC_CACHELINE, capacity * sizeof(*l->slots));
	l->cursors =
		aligned_alloc(RC_CACHELINE, nnodes * sizeof(struct shm_cursor));
	if (!l->slots || !l->cursors) {
		free(l->slots);
		free(l->cursors);
		free(l);
		return rc_err_set(err, RC_ENOMEM, "log", 0, 0, "out of memory");
	}
	for (unsigned i = 0; i < nnodes; i++) {
		atomic_init(&l->cursors[i].next, 0);
		l->cursors[i].last_end = 0;
		l->cursors[i].gap = 0;
	}
	for (size_t i = 0; i < capacity; i++)
		atomic_init(&l->slots[i].stamp, 0);
	atomic_init(&l->tail, 0);
	atomic_init(&l->head, 0);
	l->mask = capacity - 1;
	l->base.ops = &shm_ops;
	l->base.name = "shm";
	l->base.nnodes = nnodes;
	l->base.caps = RC_LOG_CAP_TAIL | RC_LOG_CAP_NOPARTIAL;
	l->base.max_batch = (unsigned)(capacity / 2);
	l->base.capacity = capacity;
	*out = &l->base;
	return 0;
}
