/* SPDX-License-Identifier: MIT */
/* mem_sc.c: SC memory: a shared log that every replica applies to its own copy in index order. */

/*
 * SC follows the shared-log construction (state machine replication,
 * Lamport 1978; Node Replication, Calciu et al. 2017, without combining):
 * a writer reserves the next log index with one fetch_add on the tail and
 * publishes its entry there; every replica applies entries to its own copy
 * strictly in index order. Invariant: replica r's copy is the result of
 * applying log[0 .. applied_r) to the zero state, and applied_r never
 * decreases. A load first makes applied_r exceed r's own last entry, then
 * reads the copy. Why it is SC: order the writes by log index and put each
 * load right after the prefix it read; each replica's loads see growing
 * prefixes that contain its own earlier writes, and its later writes get
 * indexes beyond the prefix it saw (the tail is past applied_r), so the
 * order respects every replica's program order. It is not linearizable: a
 * load may read a prefix that misses writes already returned elsewhere.
 * RMWs are log entries too: applying one is deterministic, so every
 * replica computes the same result and the issuer reads its own. The
 * log's entries live in segments whose directory is a ring: a segment is
 * freed once every replica has applied it, and its slot then serves the
 * segment a ring's length later; a writer that finds its slot still held
 * waits for the replica furthest behind (RC_MEM_SC_LOG entries back).
 */
#include <assert.h>

#include "runtime/fault.h"
#include "runtime/mem_int.h"
#include "runtime/wait.h"

/*
 * Threaded SC: a replica that is not inside the log and lags the tail by
 * more than this many entries is dropped from it (made stale, see
 * sc_reclaim), so the log behind an idle replica stays this long: 16
 * segments (2 MiB of entries), or half the log when that is shorter.
 */
#define SC_STALE_LAG                                           \
	((uint64_t)(SC_LOG_ENTRIES / 2 < (16u << SC_SEG_SHIFT) \
			    ? SC_LOG_ENTRIES / 2               \
			    : (16u << SC_SEG_SHIFT)))

/* ---- SC: the shared log ---- */

static void sc_reclaim(rc_mem_t *m, uint64_t need, bool wait);

/* A new SC segment; NULL without memory (or with a failure injected). */
static struct sc_seg *sc_seg_new(const rc_mem_t *m)
{
	if (_rc_fault_alloc())
		return NULL;
	return calloc(1, sizeof(struct sc_seg) +
				 seg_entries(m) * sizeof(struct sc_entry));
}

/*
 * A segment for the next one to start: the spare, or a new one; NULL
 * without memory. A reused segment's entries keep their old ready
 * stamps, each below the index its slot will get now, so none reads as
 * published.
 */
static struct sc_seg *sc_seg_take(rc_mem_t *m)
{
	/* Acquire: the reclaimer's (or a writer's) accesses to the spare
	 * happen before ours; pairs with the release in sc_seg_give. */
	struct sc_seg *s = atomic_exchange_explicit(&m->sc_spare, NULL,
						    memory_order_acquire);

	if (s == NULL)
		s = sc_seg_new(m);
	if (s != NULL)
		atomic_store_explicit(&s->passed, 0, memory_order_relaxed);
	return s;
}

/* Keeps s as the spare, freeing the one it replaces. */
static void sc_seg_give(rc_mem_t *m, struct sc_seg *s)
{
	/* Acq_rel: our accesses to s happen before its next taker's (its
	 * acquire exchange in sc_seg_take); acquire, to free the one
	 * replaced. */
	free(atomic_exchange_explicit(&m->sc_spare, s, memory_order_acq_rel));
}

/*
 * Before a writer reserves an index: when the tail's segment has not
 * started and there is no spare, sets one aside, so that the segment the
 * reservation may start needs no allocation after it. -RC_ENOMEM
 * without memory, before anything was reserved.
 */
static int sc_room(rc_mem_t *m)
{
	/* Relaxed: a hint of where the next index falls; a reservation
	 * that overtakes it takes the spare or allocates (sc_seg). */
	uint64_t k = atomic_load_explicit(&m->tail, memory_order_relaxed) >>
		     m->seg_shift;
	struct sc_slot *sl = &m->dir[k & (m->ndir - 1)];
	struct sc_seg *s;

	/* Acquire: as in sc_seg. */
	if (atomic_load_explicit(&sl->serves, memory_order_acquire) == k &&
	    atomic_load_explicit(&sl->seg, memory_order_acquire) != NULL)
		return 0;
	/* Relaxed: a look; taking it is an exchange. */
	if (atomic_load_explicit(&m->sc_spare, memory_order_relaxed) != NULL)
		return 0;
	s = sc_seg_new(m);
	if (s == NULL)
		return -RC_ENOMEM;
	sc_seg_give(m, s);
	return 0;
}

/*
 * The segment holding index idx, allocated by whoever needs it first. A
 * segment is freed only once every replica applied it (explore mode) or
 * once every replica not stale did and the checkpoint took it in
 * (threaded, sc_reclaim), so no caller asks for a freed one. When the
 * segment ndir before it still holds the slot (RC_MEM_SC_LOG entries
 * back), a threaded caller reclaims, dropping every replica behind it
 * that is not inside the log, and otherwise waits for the replicas that
 * are: they are applying entries, so the wait ends without anyone else
 * issuing an operation. A writer (self, which has reserved idx) applies
 * the published log meanwhile, since its own replica may be behind. In
 * explore mode that is a bug (assert).
 */
static struct sc_seg *sc_seg(rc_mem_t *m, uint64_t idx,
			     struct rc_mem_replica *self)
{
	uint64_t k = idx >> m->seg_shift;
	struct sc_slot *sl = &m->dir[k & (m->ndir - 1)];
	struct sc_seg *s, *expect = NULL;

	/* Acquire: pairs with the release store of serves in sc_reclaim
	 * (or sc_apply_reserved), after which the old segment is gone. */
	if (atomic_load_explicit(&sl->serves, memory_order_acquire) != k) {
		struct _rc_wait w;

		assert(!explore(m));
		_rc_wait_init(&w, UINT64_MAX);
		/* Acquire: as above. */
		while (atomic_load_explicit(&sl->serves,
					    memory_order_acquire) != k) {
			if (self != NULL &&
			    self->applied >> m->seg_shift < k - m->ndir + 1)
				_rc_mem_sc_apply_published(self);
			sc_reclaim(m, (k - m->ndir + 1) << m->seg_shift, true);
			if (atomic_load_explicit(&sl->serves,
						 memory_order_acquire) == k)
				break;
			_rc_wait_step(&w);
		}
	}
	/* Acquire: pairs with the release CAS below that published it. */
	s = atomic_load_explicit(&sl->seg, memory_order_acquire);
	if (s != NULL)
		return s;
	s = sc_seg_take(m);
	if (s == NULL) {
		/* Out of memory after the index was reserved: the entry must
		 * be written, so wait for a segment the reclaimer frees (the
		 * replicas inside the log free them as they apply; those
		 * outside it are dropped). Explore mode never gets here:
		 * sc_room set a spare aside before the reservation. */
		struct _rc_wait w;

		assert(!explore(m));
		_rc_wait_init(&w, UINT64_MAX);
		while ((s = sc_seg_take(m)) == NULL) {
			if (self != NULL)
				_rc_mem_sc_apply_published(self);
			sc_reclaim(m, 0, true);
			_rc_wait_step(&w);
		}
	}
	/* Release: publishes the segment; pairs with the acquire load above
	 * (or the acquire of the failed CAS). */
	if (!atomic_compare_exchange_strong_explicit(&sl->seg, &expect, s,
						     memory_order_acq_rel,
						     memory_order_acquire)) {
		sc_seg_give(m, s);
		s = expect;
	}
	return s;
}

/* The published entry idx, in a segment not freed (threaded mode). */
static const struct sc_entry *sc_at(rc_mem_t *m, uint64_t idx)
{
	uint64_t k = idx >> m->seg_shift;
	/* Acquire: pairs with the release CAS in sc_seg. */
	struct sc_seg *s = atomic_load_explicit(&m->dir[k & (m->ndir - 1)].seg,
						memory_order_acquire);

	return &s->e[idx & (seg_entries(m) - 1)];
}

static uint64_t sc_exec(uint64_t *copy, const struct sc_entry *e);

/*
 * Threaded SC: frees the segments every replica that is not stale has
 * applied, after applying them to the checkpoint. On the way it drops
 * (makes stale) each replica that is not inside the log and lags the
 * tail by more than SC_STALE_LAG entries or, when need is not 0, has
 * applied fewer than need entries: a stale replica holds nothing back,
 * and takes the checkpoint when its owner next enters the log
 * (sc_resync). wait: take the lock even if another thread holds it
 * (else give up at once). Each entry is applied to the checkpoint once,
 * by whichever thread reclaims.
 */
static void sc_reclaim(rc_mem_t *m, uint64_t need, bool wait)
{
	uint64_t tail, min = UINT64_MAX;

	if (wait)
		pthread_mutex_lock(&m->ck_lock);
	else if (pthread_mutex_trylock(&m->ck_lock) != 0)
		return;
	/* Relaxed: a bound for the lag; nothing is read through it. */
	tail = atomic_load_explicit(&m->tail, memory_order_relaxed);
	for (unsigned q = 0; q < m->n; q++) {
		struct rc_mem_replica *r = &m->reps[q];
		/* Acquire: pairs with the release store in log_mark_out
		 * (_rc_mem_sc_leave); the owner's reads of the log happen
		 * before what follows. */
		unsigned st =
			atomic_load_explicit(&r->lstate, memory_order_acquire);
		/* Acquire: pairs with the release in sc_publish_applied:
		 * the owner read every entry below it before. */
		uint64_t a = atomic_load_explicit(&r->published,
						  memory_order_acquire);

		if (st & LOG_STALE)
			continue;
		if (st == 0 && (tail - a > SC_STALE_LAG || a < need)) {
			unsigned expect = 0;

			/* Acq_rel: fails if the owner entered the log (it
			 * keeps its place); on success the owner's next
			 * entry (_rc_mem_sc_enter) sees LOG_STALE. */
			if (atomic_compare_exchange_strong_explicit(
				    &r->lstate, &expect, LOG_STALE,
				    memory_order_acq_rel, memory_order_acquire))
				continue;
			/* Acquire: as above, for the owner now inside. */
			a = atomic_load_explicit(&r->published,
						 memory_order_acquire);
		}
		if (a < min)
			min = a;
	}
	if (min != UINT64_MAX && min > m->ck_at) {
		for (uint64_t i = m->ck_at; i < min; i++)
			sc_exec(m->ck_copy, sc_at(m, i));
		m->ck_at = min;
	}
	while ((m->head_seg + 1) << m->seg_shift <= m->ck_at) {
		struct sc_slot *sl = &m->dir[m->head_seg & (m->ndir - 1)];
		struct sc_seg *s =
			atomic_load_explicit(&sl->seg, memory_order_relaxed);

		atomic_store_explicit(&sl->seg, NULL, memory_order_relaxed);
		/* Release: the slot is empty before it serves the next
		 * segment; pairs with the acquire loads of serves in
		 * sc_seg. */
		atomic_store_explicit(&sl->serves, m->head_seg + m->ndir,
				      memory_order_release);
		if (s != NULL)
			sc_seg_give(m, s);
		m->head_seg++;
	}
	pthread_mutex_unlock(&m->ck_lock);
}

/* Threaded SC: r's applied count, for the reclaimer. */
static void sc_publish_applied(struct rc_mem_replica *r)
{
	/* Release: r's reads of the entries below happen before a
	 * reclaimer frees them; pairs with the acquire in sc_reclaim. */
	atomic_store_explicit(&r->published, r->applied, memory_order_release);
}

/*
 * Threaded SC: a stale replica takes the checkpoint when it is ahead of
 * its copy (the entries between were freed; those from the checkpoint
 * on are kept until r applies them, since r counts again from here).
 * Its owner only, inside the log (LOG_IN set).
 */
static void sc_resync(struct rc_mem_replica *r)
{
	rc_mem_t *m = r->mem;

	pthread_mutex_lock(&m->ck_lock);
	m->resyncs++;
	if (m->ck_at > r->applied) {
		memcpy(r->copy, m->ck_copy, m->nlocs * sizeof(*r->copy));
		r->applied = m->ck_at;
	}
	sc_publish_applied(r);
	/* Relaxed: under ck_lock, which every reader of LOG_STALE holds. */
	atomic_store_explicit(&r->lstate, LOG_IN, memory_order_relaxed);
	pthread_mutex_unlock(&m->ck_lock);
}
/*
 * Threaded SC: r's owner enters the log before applying (or appending)
 * entries, and leaves after; while inside, no reclaimer drops r or frees
 * what it reads. A dropped replica takes the checkpoint as it enters.
 */
void _rc_mem_sc_enter(struct rc_mem_replica *r)
{
	if (r->exploring)
		return;
	if (log_mark_in(r))
		sc_resync(r);
}

void _rc_mem_sc_leave(struct rc_mem_replica *r)
{
	if (r->exploring)
		return;
	sc_publish_applied(r);
	log_mark_out(r);
}

/* Appends an entry; its index in *idxp. 0, or -RC_ENOMEM (nothing
 * appended). */
int _rc_mem_sc_append(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		      uint64_t a, uint64_t b, uint64_t *idxp)
{
	rc_mem_t *m = r->mem;
	uint64_t idx;
	struct sc_seg *s;
	struct sc_entry *e;

	if (sc_room(m) < 0)
		return -RC_ENOMEM;
	/* Relaxed: the index only has to be unique; the entry is published
	 * by the release store of ready below. */
	idx = atomic_fetch_add_explicit(&m->tail, 1, memory_order_relaxed);
	s = sc_seg(m, idx, r);
	e = &s->e[idx & (seg_entries(m) - 1)];

	e->op = op;
	e->loc = loc;
	e->a = a;
	e->b = b;
	/* Release: the entry's fields before ready; pairs with the acquire
	 * load in _rc_mem_sc_apply_one. */
	atomic_store_explicit(&e->ready, idx + 1, memory_order_release);
	r->last_own = idx + 1;
	if (idxp != NULL)
		*idxp = idx;
	return 0;
}

/* Applies entry e to copy; returns the value loc held before. */
static uint64_t sc_exec(uint64_t *copy, const struct sc_entry *e)
{
	uint64_t old = copy[e->loc];

	switch ((enum sc_op)e->op) {
	case SC_STORE:
	case SC_XCHG:
		copy[e->loc] = e->a;
		break;
	case SC_FADD:
		copy[e->loc] = old + e->a;
		break;
	case SC_CAS:
		if (old == e->a)
			copy[e->loc] = e->b;
		break;
	}
	return old;
}

/*
 * _rc_mem_sc_apply_one for a caller that knows the next entry is reserved
 * (below a tail it has read, or its own): no look at the tail's contended
 * line.
 */
static bool sc_apply_reserved(struct rc_mem_replica *r, bool wait,
			      uint64_t *old)
{
	rc_mem_t *m = r->mem;
	uint64_t idx = r->applied, o;
	struct sc_seg *s;
	struct sc_entry *e;
	struct _rc_wait w;

	s = sc_seg(m, idx, NULL);
	e = &s->e[idx & (seg_entries(m) - 1)];
	_rc_wait_init(&w, UINT64_MAX);
	/* Acquire: pairs with the release store of ready in
	 * _rc_mem_sc_append. */
	while (atomic_load_explicit(&e->ready, memory_order_acquire) !=
	       idx + 1) {
		if (!wait)
			return false;
		_rc_wait_step(&w);
	}
	o = sc_exec(r->copy, e);
	if (old != NULL)
		*old = o;
	r->applied = idx + 1;
	if ((r->applied & (seg_entries(m) - 1)) == 0 && !r->exploring) {
		/* Threaded: a segment done; free what everyone passed. */
		sc_publish_applied(r);
		sc_reclaim(m, 0, false);
	} else if ((r->applied & (seg_entries(m) - 1)) == 0) {
		/* Acq_rel: each replica's reads of the segment happen before
		 * the last one frees it; the last acquires all of them. */
		if (atomic_fetch_add_explicit(&s->passed, 1,
					      memory_order_acq_rel) +
			    1 ==
		    m->n) {
			uint64_t k = idx >> m->seg_shift;
			struct sc_slot *sl = &m->dir[k & (m->ndir - 1)];

			atomic_store_explicit(&sl->seg, NULL,
					      memory_order_relaxed);
			/* Release: the slot is empty before it serves the
			 * next segment; pairs with the acquire loads of
			 * serves in sc_seg. */
			atomic_store_explicit(&sl->serves, k + m->ndir,
					      memory_order_release);
			free(s);
		}
	}
	return true;
}

/*
 * Applies the next entry if it is published (or waits for it when wait);
 * returns false when it was not. *old: the value before, for RMWs.
 */
bool _rc_mem_sc_apply_one(struct rc_mem_replica *r, bool wait, uint64_t *old)
{
	/* Relaxed: a hint; the entry's ready flag is what synchronises. */
	if (r->applied >=
	    atomic_load_explicit(&r->mem->tail, memory_order_relaxed))
		return false;
	return sc_apply_reserved(r, wait, old);
}

/* Applies up to index `upto` (exclusive), waiting for publication. */
void _rc_mem_sc_apply_upto(struct rc_mem_replica *r, uint64_t upto)
{
	while (r->applied < upto)
		sc_apply_reserved(r, true, NULL);
}

/* Applies the entries published below the tail seen now, without waiting. */
void _rc_mem_sc_apply_published(struct rc_mem_replica *r)
{
	/* Relaxed: a bound; the entries' ready flags synchronise. */
	uint64_t t = atomic_load_explicit(&r->mem->tail, memory_order_relaxed);

	while (r->applied < t && sc_apply_reserved(r, false, NULL))
		;
}

/*
 * Before a load: the copy must hold the replica's own writes; in threaded
 * mode it also takes in the published log when it wrote recently, and
 * otherwise up to RC_MEM_READ_BATCH entries once every RC_MEM_READ_LAG
 * operations, or all the published ones when more than
 * RC_MEM_MAX_BACKLOG are not applied, so that a replica that only reads
 * touches no shared line at its other loads and the log it holds back
 * stays bounded.
 */
void _rc_mem_sc_catch_up(struct rc_mem_replica *r)
{
	bool fresh = read_fresh(r);

	if (r->applied >= r->last_own && !fresh && !read_lag_due(r))
		return;
	_rc_mem_sc_enter(r);
	if (r->applied < r->last_own)
		_rc_mem_sc_apply_upto(r, r->last_own);
	if (fresh) {
		_rc_mem_sc_apply_published(r);
	} else if (read_lag_due(r)) {
		/* Relaxed: a bound; the ready flags synchronise. */
		uint64_t t = atomic_load_explicit(&r->mem->tail,
						  memory_order_relaxed);

		/* Over the bound: everything published below t, so the
		 * log it holds back shrinks to what arrives meanwhile. */
		if (t - r->applied <= RC_MEM_MAX_BACKLOG &&
		    t - r->applied > RC_MEM_READ_BATCH)
			t = r->applied + RC_MEM_READ_BATCH;
		while (r->applied < t && sc_apply_reserved(r, false, NULL))
			;
	}
	_rc_mem_sc_leave(r);
}

int _rc_mem_sc_rmw(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		   uint64_t a, uint64_t b, uint64_t *old)
{
	uint64_t idx;
	int rc;

	_rc_mem_sc_enter(r);
	rc = _rc_mem_sc_append(r, op, loc, a, b, &idx);
	if (rc == 0) {
		_rc_mem_sc_apply_upto(r, idx);
		sc_apply_reserved(r, true, old);
	}
	_rc_mem_sc_leave(r);
	return rc;
}
