/* SPDX-License-Identifier: MIT */
/* mem_ev.c: EVENTUAL memory: local writes stamped by Lamport time, anti-entropy over the senders' logs, last writer wins or multi-value registers. */

/*
 * EVENTUAL is the weakest level: a replica serves every operation from
 * its own copy and never waits for another replica; writes reach the
 * others by anti-entropy, each replica taking in the entries of the
 * others' logs (the logs, their segments, reclamation and checkpoint
 * are CAUSAL's, mem_causal.c) in each sender's order but with no regard
 * to causality: a write may be applied before the writes it depends on.
 *
 * Invariant: vc_q[s] counts the writes of s applied at q, and they are
 * a prefix of s's log (each sender's log is read in order), so vc_q is a
 * version vector in the sense of Terry et al. (PDIS 1994): it names the
 * set of writes q holds, and two replicas with equal vectors hold equal
 * sets. A write at r is stamped (Lamport time, r) with a time one above
 * r's clock, which is at least the time of every write r holds; a write
 * replaces a copy's value only when its stamp is larger. So each
 * location's writes are totally ordered by stamp, every replica's copy
 * of a location moves up that order only (per-replica coherence: CoRR,
 * CoWR, CoRW and CoWW hold), a write is ordered after every write its
 * replica held when issuing it, and two replicas holding the same writes
 * hold the same values: once writes stop and every replica has taken in
 * every log, the copies are equal (convergence).
 *
 * Conflicts, chosen per object at creation: last writer wins (the stamp
 * order, the default), or with RC_MEM_MVR a multi-value register per
 * location that keeps the siblings, the writes no held write happens
 * after (vector clocks: w happens before u when u's clock counts w, that
 * is u.vc[origin(w)] >= seq(w)). A new local write happens after every
 * write its replica holds, so it replaces all the siblings; a remote one
 * replaces the siblings whose writes its clock counts, and is dropped
 * when a sibling's clock counts it (it was overwritten already). The
 * siblings of two replicas holding the same writes are the same set, the
 * maximal writes. The sibling of largest stamp is the copy's value (a
 * write that happens after another has a larger Lamport time, so the
 * largest stamp is maximal): a load returns the same value as under last
 * writer wins, and rc_mem_siblings reads the whole set (mem_mv.c).
 *
 * Clock gossip. A replica also takes in the Lamport time of another's
 * last write without its write (a clock-only message): its clock jumps
 * forward, which Lamport's rule IR1 allows (a clock must advance between
 * events, by any amount). Without it a write's rank among the concurrent
 * writes to its location was decided by how many writes its replica had
 * taken in, and that left out states the level allows and the causal
 * object reaches: in R (x=1; y=1 at one replica, y=2 then a read of x at
 * another) y=2 can win while the read still returns 0 only if its
 * replica's clock has moved past y=1's time though y=1 has not arrived.
 * Threaded, a replica adopts the others' times at its anti-entropy ticks
 * (n loads of lines the owners write at their writes); in explore mode
 * RC_MEM_STEP_CLOCK does it, one sender at a time, whenever the sender's
 * time is ahead. A clock only grows, so everything above still holds.
 *
 * An RMW is local: it reads the replica's copy and issues a write from
 * it. It is not atomic across replicas (two fetch_adds at two replicas
 * may read the same value, and one increment is lost once the copies
 * converge); it is atomic at its replica, where no write comes between
 * its read and its write.
 */
#include <assert.h>

#include "runtime/fault.h"
#include "runtime/mem_int.h"

/* ---- clock gossip ---- */

/* Whether r's clock is below the time of s's last write. */
bool _rc_mem_ev_clock_behind(const struct rc_mem_replica *r, unsigned s)
{
	const struct rc_mem_replica *q = &r->mem->reps[s];

	/* Relaxed: a clock value, no data (see the essay) */
	return q != r &&
	       atomic_load_explicit(&((struct rc_mem_replica *)q)->wtime,
				    memory_order_relaxed) > r->lamport;
}

/* r's clock takes in the time of s's last write. */
void _rc_mem_ev_clock_adopt(struct rc_mem_replica *r, unsigned s)
{
	/* Relaxed: as above */
	uint64_t t = atomic_load_explicit(&r->mem->reps[s].wtime,
					  memory_order_relaxed);

	if (t > r->lamport)
		r->lamport = t;
}

/* ---- writes ---- */

/*
 * Issues r's write of v to loc: its time is one above r's clock, which
 * is at least every stamp r holds, so it replaces r's copy and is
 * ordered after every write r holds. 0, or -RC_ENOMEM with nothing
 * issued.
 */
int _rc_mem_ev_write(struct rc_mem_replica *r, unsigned loc, uint64_t v,
		     unsigned flags)
{
	uint64_t st;

	if (_rc_mem_causal_room(r) < 0)
		return -RC_ENOMEM;
	if (r->sibs != NULL && !_rc_mem_mv_reserve(r, loc, 1))
		return -RC_ENOMEM;
	assert(r->lamport >= r->stamp[loc] >> STAMP_BITS);
	r->lamport++;
	/* Relaxed: a clock value, no data; the others adopt it whenever
	 * they read it (see _rc_mem_ev_clock_adopt) */
	atomic_store_explicit(&r->wtime, r->lamport, memory_order_relaxed);
	st = r->lamport << STAMP_BITS | r->id;
	r->vc[r->id]++;
	r->copy[loc] = v;
	r->stamp[loc] = st;
	if (r->sibs != NULL)
		_rc_mem_mv_own(r, loc, v, st);
	_rc_mem_causal_append(r, loc, v, flags);
	return 0;
}

/* A local RMW: reads r's copy, then issues its write there (with the
 * log entry's flags, CLOG_DEP for a session's). */
int _rc_mem_ev_rmw(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		   uint64_t a, uint64_t b, unsigned flags, bool *done,
		   uint64_t *oldp)
{
	uint64_t old = r->copy[loc], v = a;
	int rc;

	if (op == SC_FADD)
		v = old + a;
	if (op == SC_CAS) {
		if (old != a) {
			*done = false;
			*oldp = old;
			return 0;
		}
		v = b;
	}
	rc = _rc_mem_ev_write(r, loc, v, flags);
	if (rc < 0)
		return rc;
	*done = true;
	*oldp = old;
	return 0;
}

/*
 * Threaded mode: anti-entropy inside r's own operations, once every
 * RC_MEM_READ_LAG of them: up to RC_MEM_READ_BATCH entries, or all the
 * published ones when more than RC_MEM_MAX_BACKLOG are not applied
 * (which bounds the log r holds back). Never waits.
 */
void _rc_mem_ev_tick(struct rc_mem_replica *r)
{
	if (!read_lag_due(r))
		return;
	_rc_mem_causal_lag_tick(r);
	for (unsigned s = 0; s < r->mem->n; s++)
		if (_rc_mem_ev_clock_behind(r, s))
			_rc_mem_ev_clock_adopt(r, s);
	r->look = r->ops + RC_MEM_READ_LAG;
}
