/* SPDX-License-Identifier: MIT */
/* mem_causal.c: CAUSAL memory: causal delivery of the senders' logs with vector clocks, last writer wins by Lamport stamp. */

/*
 * CAUSAL is causal delivery with vector clocks (Birman, Schiper and
 * Stephenson 1991; Ahamad et al., "Causal memory", 1995) plus last-writer-
 * wins by (Lamport time, replica id) for convergence. A write at r ticks
 * vc_r[r], is applied at r, and is appended to r's log stamped with vc_r
 * and its Lamport time, which exceeds both r's clock and the time of the
 * last write issued to the location (kept per location in one word, which
 * the write replaces by compare-exchange). Every other replica q reads
 * r's log in order, and its position there is vc_q[r]: q applies the
 * entry at its position once e.vc[k] <= vc_q[k] for every k other than r
 * (for r itself e.vc[r] == vc_q[r] + 1 holds by position): the delivery
 * rule. Invariant: vc_q[s] counts the writes of s applied at q, and they
 * are applied in s's order after everything they depend on; so every
 * copy is a causally closed set of writes. A write replaces the copy's
 * value only when its (Lamport, id) stamp is larger. The stamps of one
 * location's writes grow in the order the writes are issued (each
 * exceeds the last: the order of the compare-exchanges), so that order
 * is the coherence order co; and a write that happens after another has
 * a larger Lamport time, so po | rf | co follows the Lamport order and is
 * acyclic: strong release/acquire (Lahav et al., POPL 2016). Two replicas
 * holding the same set of writes hold the same values (convergence).
 *
 * A sender's log is single-writer and append-only: entries of 16 + 8n
 * bytes (the clock without the sender's own component, which is the
 * index + 1), in segments of about 32 KiB. The sender writes an entry
 * once and publishes it with a release store of its count of entries;
 * a reader loads that count with acquire once per batch and applies the
 * entries below it. A reader moves to the next segment when it reaches
 * its first entry (the sender linked it before publishing that entry),
 * and the last of the n - 1 readers to leave a segment hands it back to
 * the sender, which reuses it for its next segment (it keeps one spare
 * and frees the others), so a steady stream of writes allocates
 * nothing. The logs are unbounded: a bounded one would make a writer
 * wait for a replica that may have stopped issuing operations.
 *
 * Causal memory has no atomic read-modify-write of its own. Here an RMW
 * reads the stamp of the last write issued to its location, applies that
 * write with its causal past (already published, or being published by
 * a writer between its compare-exchange and its release store, so this
 * needs no other replica to issue an operation), reads it and issues its
 * write with a compare-exchange from that stamp: if any write to the
 * location was issued in between, the exchange fails and the RMW starts
 * over from the newer write. So its write is co-right-after the write it
 * read, and no write, plain or RMW, comes between. A CAS whose expected
 * value differs from the replica's copy fails on the copy: a read of the
 * copy, which SRA allows.
 *
 * A seq_cst fence (_rc_mem_causal_fence_sc) is such an RMW of a hidden
 * location whose value is a vector clock, the fence clock: it joins its
 * replica's clock in and applies what the clock holds.
 */
#include <assert.h>

#include "runtime/fault.h"
#include "runtime/mem_int.h"
#include "runtime/wait.h"

/*
 * Threaded CAUSAL: the least lag (in entries) at which a replica outside
 * the logs is dropped; a test build may make it small so that replicas
 * are dropped often.
 */
#ifndef CLOG_STALE_MIN
#define CLOG_STALE_MIN (4u * RC_MEM_MAX_BACKLOG)
#endif

/* ---- CAUSAL: the senders' logs ---- */

/* A new segment whose first entry has index first; NULL without memory. */
static struct clog_seg *c_seg_new(const rc_mem_t *m, uint64_t first)
{
	struct clog_seg *g;

	if (posix_memalign((void **)&g, RC_CACHELINE,
			   sizeof(*g) + m->cseg_n * m->cstride) != 0)
		return NULL;
	g->next = NULL;
	g->first = first;
	atomic_init(&g->passed, 0);
	return g;
}

/*
 * The oldest segment of s's log some reader still needs, from the
 * readers' positions: no reader runs (explore mode, destroy). NULL when
 * s's log was never made.
 */
struct clog_seg *_rc_mem_causal_log_oldest(const rc_mem_t *m, unsigned s)
{
	struct clog_seg *old = m->reps[s].wseg;

	for (unsigned i = 0; i < m->n; i++) {
		struct clog_seg *g =
			m->reps[i].rseg != NULL ? m->reps[i].rseg[s] : NULL;

		if (i != s && g != NULL &&
		    (old == NULL || g->first < old->first))
			old = g;
	}
	return old;
}

/* Frees s's log; no reader or writer runs. */
void _rc_mem_causal_log_free(rc_mem_t *m, unsigned s)
{
	/* Threaded, a stale reader's segments may be gone: the reclaimer
	 * knows the oldest one kept. */
	struct clog_seg *g = m->chead != NULL ? m->chead[s]
					      : _rc_mem_causal_log_oldest(m, s);

	while (g != NULL) {
		struct clog_seg *next = g->next;

		free(g);
		g = next;
	}
	m->reps[s].wseg = NULL;
	/* Relaxed: no reader or writer runs. */
	free(atomic_exchange_explicit(&m->reps[s].spare, NULL,
				      memory_order_relaxed));
}

/* Gives every replica an empty log that every other replica reads. */
int _rc_mem_causal_logs_init(rc_mem_t *m)
{
	for (unsigned s = 0; s < m->n; s++) {
		m->reps[s].wseg = c_seg_new(m, 0);
		if (m->reps[s].wseg == NULL)
			return -1;
		for (unsigned i = 0; i < m->n; i++)
			if (i != s)
				m->reps[i].rseg[s] = m->reps[s].wseg;
		if (m->ck_rep != NULL) {
			m->ck_rep->rseg[s] = m->reps[s].wseg;
			m->chead[s] = m->reps[s].wseg;
		}
	}
	return 0;
}

/* ---- CAUSAL ---- */

/*
 * Before r issues a write: when the write will start a new segment of
 * r's log, sets one aside (the spare a reader handed back, or a new
 * one), so that the write, once issued, needs no allocation. 0, or
 * -RC_ENOMEM with nothing issued.
 */
static int c_room(struct rc_mem_replica *r)
{
	rc_mem_t *m = r->mem;

	if (m->n == 1 || r->nseg != NULL ||
	    r->vc[r->id] - r->wseg->first != m->cseg_n)
		return 0;
	/* Acquire: the readers' reads of a handed-back segment happen
	 * before it is written again; pairs with the release exchange in
	 * c_apply_run or c_reclaim. */
	r->nseg =
		atomic_exchange_explicit(&r->spare, NULL, memory_order_acquire);
	if (r->nseg == NULL && !_rc_fault_alloc())
		r->nseg = c_seg_new(m, r->vc[r->id]);
	return r->nseg != NULL ? 0 : -RC_ENOMEM;
}

/*
 * Appends r's write just issued (vc[id] counts it) to r's log and
 * publishes it. With one replica nobody reads the log and nothing is
 * written.
 */
static void c_append(struct rc_mem_replica *r, unsigned loc, uint64_t v,
		     unsigned flags)
{
	rc_mem_t *m = r->mem;
	uint64_t idx = r->vc[r->id] - 1;
	struct clog_seg *g = r->wseg;
	struct clog_entry *e;

	if (m->n == 1)
		return;
	if (idx - g->first == m->cseg_n) {
		/* Set aside by c_room before the write was issued. */
		struct clog_seg *ng = r->nseg;

		assert(ng != NULL);
		r->nseg = NULL;
		r->crossed = true;
		ng->next = NULL;
		ng->first = idx;
		/* Relaxed: no reader sees the segment before the release
		 * below publishes its first entry. */
		atomic_store_explicit(&ng->passed, 0, memory_order_relaxed);
		/* Plain: published with the entry by the release below. */
		g->next = ng;
		r->wseg = g = ng;
	}
	e = c_seg_entry(m, g, idx);
	e->val = v;
	e->stamp = r->stamp[loc];
	e->loc = loc;
	e->flags = flags;
	for (unsigned k = 0, j = 0; k < m->n; k++)
		if (k != r->id)
			e->vc[j++] = r->vc[k];
	/* Release: the entry and the link to its segment before the count;
	 * pairs with the acquire load in c_published. */
	atomic_store_explicit(&r->published, idx + 1, memory_order_release);
}

/*
 * Issues a write of v to loc if the last write issued to loc is still
 * the one stamped *last (else sets *last to the newer stamp and returns
 * false): its Lamport time exceeds both r's clock and *last's, and the
 * compare-exchange makes it the next write to loc, so the writes to a
 * location are stamped in the order they are issued.
 */
static bool c_issue(struct rc_mem_replica *r, unsigned loc, uint64_t v,
		    uint64_t *last)
{
	rc_mem_t *m = r->mem;
	uint64_t t = *last >> STAMP_BITS, st;

	if (r->lamport > t)
		t = r->lamport;
	st = (t + 1) << STAMP_BITS | r->id;
	/* Relaxed: the word's modification order is the location's
	 * coherence order and needs nothing else; the write's contents
	 * reach the other replicas through r's log (c_append). */
	if (!atomic_compare_exchange_strong_explicit(&m->last_stamp[loc], last,
						     st, memory_order_relaxed,
						     memory_order_relaxed))
		return false;
	r->lamport = t + 1;
	r->vc[r->id]++;
	r->copy[loc] = v;
	r->stamp[loc] = st;
	if (r->exploring)
		memcpy(&m->last_vc[(size_t)loc * m->n], r->vc,
		       m->n * sizeof(uint64_t));
	c_append(r, loc, v, 0);
	return true;
}

/* For EVENTUAL (mem_ev.c): c_room and c_append. */
int _rc_mem_causal_room(struct rc_mem_replica *r)
{
	return c_room(r);
}

void _rc_mem_causal_append(struct rc_mem_replica *r, unsigned loc, uint64_t v,
			   unsigned flags)
{
	c_append(r, loc, v, flags);
}

/* A plain write: issued after whatever write to loc is the last now. */
int _rc_mem_causal_write(struct rc_mem_replica *r, unsigned loc, uint64_t v)
{
	/* Relaxed: see c_issue; a stale value only fails the exchange. */
	uint64_t last = atomic_load_explicit(&r->mem->last_stamp[loc],
					     memory_order_relaxed);

	if (c_room(r) < 0)
		return -RC_ENOMEM;
	while (!c_issue(r, loc, v, &last))
		;
	return 0;
}

/*
 * Entry e of s's log may be applied at r: everything before it is
 * (CAUSAL; EVENTUAL, when e is a CLOG_DEP entry), or at once (EVENTUAL).
 */
static bool c_ready(const struct rc_mem_replica *r, unsigned s,
		    const struct clog_entry *e)
{
	if (r->level == RC_EVENTUAL && !(e->flags & CLOG_DEP))
		return true;
	for (unsigned k = 0, j = 0; k < r->mem->n; k++)
		if (k != s && e->vc[j++] > r->vc[k])
			return false;
	return true;
}

/*
 * Applies the entries of s's log at r from r's position while they are
 * ready, below end (which s has published); returns how many. Applying
 * them moves vc[s] alone, so the other components are checked against a
 * copy taken once. r moves on to a segment when it reaches its first
 * entry, and the last reader to leave a segment hands it back to s.
 */
static uint64_t c_apply_run(struct rc_mem_replica *r, unsigned s, uint64_t end)
{
	const rc_mem_t *m = r->mem;
	uint64_t others[RC_MEM_MAX_REPLICAS], lamport = r->lamport;
	uint64_t idx = r->vc[s], start = idx;
	uint64_t *copy = r->copy, *stamp = r->stamp;
	struct clog_seg *g = r->rseg[s];
	unsigned no = m->n - 1;
	bool ev = r->level == RC_EVENTUAL;

	for (unsigned k = 0, j = 0; k < m->n; k++)
		if (k != s)
			others[j++] = r->vc[k];
	for (; idx < end; idx++) {
		const struct clog_entry *e;
		uint64_t t;
		unsigned j;

		if (idx - g->first == m->cseg_n) {
			struct clog_seg *done = g;

			g = g->next;
			r->crossed = true;
			/* Explore mode: the last reader to leave hands the
			 * segment back; threaded, the reclaimer does
			 * (c_reclaim). Acq_rel: every reader's reads of the
			 * segment happen before the last one hands it back;
			 * the last acquires all of them. */
			if (r->exploring &&
			    atomic_fetch_add_explicit(&done->passed, 1,
						      memory_order_acq_rel) +
					    1 ==
				    no)
				/* Acq_rel: release passes those reads on to
				 * the sender's acquire exchange in c_append;
				 * acquire, to free a spare never reused. */
				free(atomic_exchange_explicit(
					&m->reps[s].spare, done,
					memory_order_acq_rel));
		}
		e = c_seg_entry(m, g, idx);
		if (!ev || (e->flags & CLOG_DEP)) {
			for (j = 0; j < no && e->vc[j] <= others[j]; j++)
				;
			if (j < no)
				break;
		}
		/* Multi-value: no memory for a sibling; tried again later
		 * (explore mode has no later: it stops on it). */
		if (r->sibs != NULL && !_rc_mem_mv_apply(r, s, idx, e)) {
			assert(!r->exploring);
			break;
		}
		if (e->stamp > stamp[e->loc]) {
			copy[e->loc] = e->val;
			stamp[e->loc] = e->stamp;
		}
		t = e->stamp >> STAMP_BITS;
		if (t > lamport)
			lamport = t;
	}
	r->rseg[s] = g;
	r->vc[s] = idx;
	r->lamport = lamport;
	return idx - start;
}

/*
 * Applies at most max of the others' entries below the counts avail[],
 * each once everything before it is applied, oldest per sender first;
 * returns how many.
 */
static uint64_t c_apply_some(struct rc_mem_replica *r, const uint64_t *avail,
			     uint64_t max)
{
	uint64_t done = 0;
	bool again = true;

	while (again && done < max) {
		again = false;
		for (unsigned s = 0; s < r->mem->n && done < max; s++) {
			uint64_t k, end = avail[s];

			if (s == r->id || r->vc[s] >= end)
				continue;
			if (end - r->vc[s] > max - done)
				end = r->vc[s] + (max - done);
			k = c_apply_run(r, s, end);
			done += k;
			again |= k > 0;
		}
	}
	return done;
}

/*
 * Reads every other sender's published count into avail[] (the own slot
 * gets 0); returns how many of those entries r has not applied.
 */
static uint64_t c_avail(const struct rc_mem_replica *r, uint64_t *avail)
{
	uint64_t sum = 0;

	for (unsigned s = 0; s < r->mem->n; s++) {
		avail[s] = s == r->id ? 0 : c_published(r->mem, s);
		sum += avail[s] - (s == r->id ? 0 : r->vc[s]);
	}
	return sum;
}

/* Applies what is published and causally ready, at most max; how many. */
uint64_t _rc_mem_causal_take(struct rc_mem_replica *r, uint64_t max)
{
	uint64_t avail[RC_MEM_MAX_REPLICAS];

	c_avail(r, avail);
	return c_apply_some(r, avail, max);
}

/*
 * Threaded mode, at writes, RMWs, fences and every RC_MEM_READ_LAG
 * operations: take in what the others have published.
 */
void _rc_mem_causal_tick(struct rc_mem_replica *r)
{
	if (!r->exploring)
		_rc_mem_causal_take(r, UINT64_MAX);
}

/*
 * Threaded mode, a load once every RC_MEM_READ_LAG operations of a
 * replica that has not written recently: up to RC_MEM_READ_BATCH
 * entries, or every published one when more than RC_MEM_MAX_BACKLOG are
 * not applied; one look at each sender's count either way.
 */
void _rc_mem_causal_lag_tick(struct rc_mem_replica *r)
{
	uint64_t avail[RC_MEM_MAX_REPLICAS];
	uint64_t backlog = c_avail(r, avail);

	c_apply_some(r, avail,
		     backlog > RC_MEM_MAX_BACKLOG ? UINT64_MAX
						  : RC_MEM_READ_BATCH);
}

/*
 * Threaded CAUSAL: a replica that lags the others' logs by more than
 * this many entries while outside them is dropped (c_reclaim): 16
 * segments, and at least four times RC_MEM_MAX_BACKLOG, which a replica
 * that keeps issuing loads never lags by much more.
 */
static uint64_t c_stale_lag(const rc_mem_t *m)
{
	uint64_t lag = 16 * (uint64_t)m->cseg_n;

	return lag > CLOG_STALE_MIN ? lag : CLOG_STALE_MIN;
}

/* Threaded CAUSAL: r's positions in the others' logs, for c_reclaim. */
static void c_publish_pos(struct rc_mem_replica *r)
{
	for (unsigned s = 0; s < r->mem->n; s++)
		if (s != r->id)
			/* Release: r's reads of s's log below the position
			 * happen before a reclaimer hands those segments
			 * back; pairs with the acquire in c_reclaim. */
			atomic_store_explicit(&r->pos[s], r->vc[s],
					      memory_order_release);
}

/*
 * Threaded CAUSAL, under ck_lock: the checkpoint takes in every
 * published write. Every write a replica applied was published with its
 * causal past, so afterwards the checkpoint holds all that any replica
 * holds.
 */
static void c_checkpoint(rc_mem_t *m)
{
	_rc_mem_causal_take(m->ck_rep, UINT64_MAX);
}

/*
 * Threaded CAUSAL: hands back (to the sender, as its spare, or frees)
 * the segments of each log that every replica not stale and the
 * checkpoint have left, after the checkpoint takes in what is
 * published. On the way it drops (makes stale) each replica that is
 * outside the logs and lags them by more than c_stale_lag() entries: a
 * stale replica holds nothing back and takes the checkpoint when its
 * owner next enters (c_resync). wait: take the lock even if another
 * thread holds it (else give up at once).
 */
static void c_reclaim(rc_mem_t *m, bool wait)
{
	uint64_t pub[RC_MEM_MAX_REPLICAS], live = 0;

	if (wait)
		pthread_mutex_lock(&m->ck_lock);
	else if (pthread_mutex_trylock(&m->ck_lock) != 0)
		return;
	for (unsigned s = 0; s < m->n; s++)
		pub[s] = c_published(m, s);
	for (unsigned q = 0; q < m->n; q++) {
		struct rc_mem_replica *r = &m->reps[q];
		/* Acquire: pairs with the release store in log_mark_out
		 * (_rc_mem_causal_leave); the owner's reads of the logs
		 * happen before what follows. */
		unsigned st =
			atomic_load_explicit(&r->lstate, memory_order_acquire);
		uint64_t lag = 0;

		if (st & LOG_STALE)
			continue;
		for (unsigned s = 0; s < m->n; s++)
			if (s != q)
				/* Acquire: pairs with c_publish_pos. */
				lag += pub[s] - atomic_load_explicit(
							&r->pos[s],
							memory_order_acquire);
		if (st == 0 && lag > c_stale_lag(m)) {
			unsigned expect = 0;

			/* Acq_rel: fails if the owner entered (it keeps
			 * its place); on success its next
			 * _rc_mem_causal_enter sees LOG_STALE. */
			if (atomic_compare_exchange_strong_explicit(
				    &r->lstate, &expect, LOG_STALE,
				    memory_order_acq_rel, memory_order_acquire))
				continue;
		}
		live |= 1ull << q;
	}
	c_checkpoint(m);
	for (unsigned s = 0; s < m->n; s++) {
		uint64_t min = m->ck_rep->vc[s];
		struct clog_seg *g = m->chead[s];

		for (unsigned q = 0; q < m->n; q++)
			if (q != s && (live >> q & 1)) {
				/* Acquire: pairs with c_publish_pos. */
				uint64_t p = atomic_load_explicit(
					&m->reps[q].pos[s],
					memory_order_acquire);

				if (p < min)
					min = p;
			}
		/* A reader moves to the next segment when it takes that
		 * segment's first entry: only then has it left g, and only
		 * then is g->next sure to be written (the sender links it
		 * before it publishes that entry), so it is read after. */
		while (min > g->first + m->cseg_n && g->next != NULL) {
			struct clog_seg *next = g->next;

			/* Acq_rel: the readers' reads of g happen before
			 * the sender writes it again (its acquire exchange
			 * in c_append); acquire, to free a spare never
			 * reused. */
			free(atomic_exchange_explicit(&m->reps[s].spare, g,
						      memory_order_acq_rel));
			g = next;
		}
		m->chead[s] = g;
	}
	pthread_mutex_unlock(&m->ck_lock);
}

/*
 * Threaded CAUSAL: a stale replica takes the checkpoint, which holds
 * every published write and so everything r holds (its own writes
 * included); r's owner only, inside (LOG_IN set).
 */
static void c_resync(struct rc_mem_replica *r)
{
	rc_mem_t *m = r->mem;
	const struct rc_mem_replica *ck = m->ck_rep;

	pthread_mutex_lock(&m->ck_lock);
	m->resyncs++;
	c_checkpoint(m);
	memcpy(r->copy, ck->copy, m->nlocs * sizeof(*r->copy));
	memcpy(r->stamp, ck->stamp, m->nlocs * sizeof(*r->stamp));
	/* EVENTUAL multi-value registers: the siblings too. Without
	 * memory for them the replica cannot go on consistently, and
	 * there is no caller to tell: stop loudly. */
	if (r->sibs != NULL && _rc_mem_mv_copy(r, ck) < 0)
		abort();
	for (unsigned s = 0; s < m->n; s++)
		if (s != r->id) {
			r->vc[s] = ck->vc[s];
			r->rseg[s] = ck->rseg[s];
		}
	assert(ck->vc[r->id] == r->vc[r->id]);
	if (ck->lamport > r->lamport)
		r->lamport = ck->lamport;
	c_publish_pos(r);
	/* Relaxed: under ck_lock, which every reader of LOG_STALE holds. */
	atomic_store_explicit(&r->lstate, LOG_IN, memory_order_relaxed);
	pthread_mutex_unlock(&m->ck_lock);
}

/*
 * Threaded CAUSAL: r's owner enters the logs it reads before reading (or
 * appending) entries, and leaves after; while inside, no reclaimer drops
 * r or frees what it reads. A dropped replica takes the checkpoint as it
 * enters; a replica that moved to a new segment reclaims as it leaves.
 */
void _rc_mem_causal_enter(struct rc_mem_replica *r)
{
	if (r->exploring)
		return;
	if (log_mark_in(r))
		c_resync(r);
}

void _rc_mem_causal_leave(struct rc_mem_replica *r)
{
	if (r->exploring)
		return;
	c_publish_pos(r);
	log_mark_out(r);
	if (r->crossed) {
		r->crossed = false;
		c_reclaim(r->mem, false);
	}
}

/* Explore mode: the head of s's log at r is published and ready. */
bool _rc_mem_causal_head_ready(const struct rc_mem_replica *r, unsigned s)
{
	const rc_mem_t *m = r->mem;

	if (s == r->id || r->vc[s] >= c_published(m, s))
		return false;
	return c_ready(
		r, s,
		c_seg_entry(m, c_seg_find(m, r->rseg[s], r->vc[s]), r->vc[s]));
}

/*
 * Explore mode: applies the head of s's log at r
 * (_rc_mem_causal_head_ready).
 */
void _rc_mem_causal_deliver(struct rc_mem_replica *r, unsigned s)
{
	c_apply_run(r, s, r->vc[s] + 1);
}

/*
 * A seq_cst fence at r, one atomic step: the fence clock takes in r's
 * clock (everything r has written or applied), then r applies every
 * write the fence clock holds, each after its causal past. The fence
 * clock is what the fences so far have seen, so the fences are totally
 * ordered (by fence_lock, threaded) and a fence's replica holds every
 * write some replica held at an earlier fence: the fence behaves as a
 * read-modify-write of one hidden location whose value is the fence
 * clock, which SRA orders (hb ; eco ; hb between two fences implies
 * that they are in that order), so RC11's axiom for seq_cst fences
 * holds. Every write the fence clock holds was published before some
 * replica applied it (or, r's own, before r's operation returned), and
 * the set is causally closed (a join of causally closed sets), so r
 * applies all of them without waiting for any sender: the fence waits
 * only for fence_lock, which another fence holds for a join of n
 * counters. An offline or dropped replica holds no fence up: its clock
 * entered the fence clock only while it was fencing, and its writes
 * there are published.
 */
void _rc_mem_causal_fence_sc(struct rc_mem_replica *r)
{
	rc_mem_t *m = r->mem;
	uint64_t want[RC_MEM_MAX_REPLICAS];
	uint64_t *f = m->fence_vc;

	if (!r->exploring)
		pthread_mutex_lock(&m->fence_lock);
	for (unsigned k = 0; k < m->n; k++) {
		if (r->vc[k] > f[k])
			f[k] = r->vc[k];
		want[k] = k == r->id ? 0 : f[k];
	}
	if (!r->exploring)
		pthread_mutex_unlock(&m->fence_lock);
	/* Applying outside the lock: what r applies decides nothing the
	 * other fences see but through r's next fence. The acquire of the
	 * lock pairs with the release of the fences that joined the
	 * writes, which acquired their senders' published counts: the
	 * entries below want[] are visible here. */
	c_apply_some(r, want, UINT64_MAX);
	for (unsigned k = 0; k < m->n; k++)
		assert(k == r->id || r->vc[k] >= want[k]);
}

/*
 * Makes r apply the last write issued to loc, stamped last. Threaded:
 * that write and its causal past are published, or being published by a
 * writer between its compare-exchange and its release store (the wait
 * is for that writer's store only, never for a replica to issue an
 * operation); r takes in whatever is ready until it holds that write or
 * a later one. Explore: that write's causal past is in the logs already
 * (last_vc), and only it is applied, so no other write is applied as a
 * side effect.
 */
static void c_catch_up(struct rc_mem_replica *r, unsigned loc, uint64_t last)
{
	rc_mem_t *m = r->mem;
	struct _rc_wait w;

	if (r->exploring) {
		const uint64_t *target = &m->last_vc[(size_t)loc * m->n];
		bool progress = true;

		while (progress) {
			progress = false;
			for (unsigned s = 0; s < m->n; s++)
				while (r->vc[s] < target[s] &&
				       _rc_mem_causal_head_ready(r, s)) {
					_rc_mem_causal_deliver(r, s);
					progress = true;
				}
		}
		assert(r->stamp[loc] == last);
		return;
	}
	_rc_wait_init(&w, UINT64_MAX);
	while (r->stamp[loc] < last)
		if (_rc_mem_causal_take(r, UINT64_MAX) == 0)
			_rc_wait_step(&w);
}

/*
 * An RMW reads the last write issued to loc and issues its own right
 * after it: the compare-exchange in c_issue fails if another write to
 * loc was issued in between, and the RMW starts over from that one. A
 * CAS whose expected value differs from r's copy fails there, as a plain
 * read of the copy.
 */
int _rc_mem_causal_rmw(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		       uint64_t a, uint64_t b, bool *done, uint64_t *oldp)
{
	rc_mem_t *m = r->mem;
	/* Relaxed: a stamp to catch up with; the write it names reaches r
	 * through its sender's log. */
	uint64_t last = atomic_load_explicit(&m->last_stamp[loc],
					     memory_order_relaxed),
		 old, v = 0;

	_rc_mem_causal_tick(r);
	if (op == SC_CAS && r->copy[loc] != a) {
		*done = false;
		*oldp = r->copy[loc];
		return 0;
	}
	if (c_room(r) < 0)
		return -RC_ENOMEM;
	for (;;) {
		c_catch_up(r, loc, last);
		if (r->stamp[loc] != last) {
			/* took in a write issued since: start from it */
			last = r->stamp[loc];
			continue;
		}
		old = r->copy[loc];
		switch (op) {
		case SC_STORE:
		case SC_XCHG:
			v = a;
			break;
		case SC_FADD:
			v = old + a;
			break;
		case SC_CAS:
			if (old != a) {
				*done = false;
				*oldp = old;
				return 0;
			}
			v = b;
			break;
		}
		if (c_issue(r, loc, v, &last))
			break;
	}
	*done = true;
	*oldp = old;
	return 0;
}
