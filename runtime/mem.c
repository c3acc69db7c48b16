/* SPDX-License-Identifier: MIT */
/* mem.c: the memory objects at five levels: creation, replicas, and each operation sent to its level. */

/*
 * Five protocols over one replica structure.
 *
 * LIN keeps one copy of seq_cst atomics: every operation takes effect at
 * one instant between its call and its return (Herlihy and Wing 1990).
 *
 * SC (mem_sc.c), TSO (mem_tso.c), CAUSAL (mem_causal.c) and EVENTUAL
 * (mem_ev.c, over CAUSAL's logs; its multi-value registers in mem_mv.c)
 * each open with their protocol and its invariant; mem_int.h holds the
 * replica structure they share. Sessions over CAUSAL and EVENTUAL
 * objects are in mem_session.c.
 *
 * Modes. Threaded: each replica performs its own steps inside its
 * operations (TSO drains stores older than RC_MEM_TSO_LAG operations; SC
 * and CAUSAL apply what the others published at writes, RMWs, fences, at
 * the loads of a replica that wrote recently, and in bounded batches
 * every RC_MEM_READ_LAG operations, so that the loads of a replica that
 * only reads touch nothing shared, except that such a load that finds
 * more than RC_MEM_MAX_BACKLOG writes not taken in (SC: the tail against
 * the applied index; CAUSAL: the senders' published counts against the
 * vector clock) takes in all of them, which bounds the log a reader
 * holds back); no thread of our own. Explore: the same structures in one
 * OS thread, with steps run only when asked (rc_mem_step) or when an
 * operation cannot return without them; the canonical encoding in
 * mem_state.c gives the state hash and equality an explorer needs.
 * A CAUSAL step applies the entry at a replica's position in one
 * sender's log; an RMW there applies only the causal past of the write
 * it reads (kept per location in last_vc, in explore mode alone).
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/mem.h>

#include "runtime/mem_int.h"

/* ---- creation ---- */

static void replica_free(struct rc_mem_replica *r)
{
	free(r->buf);
	free(r->copy);
	free(r->vc);
	free(r->stamp);
	free(r->rseg);
	free((void *)r->pos);
	free(r->nseg);
	_rc_mem_mv_free(r);
}

void rc_mem_destroy(rc_mem_t *mem)
{
	if (mem == NULL)
		return;
	if (mem->reps != NULL && has_logs(mem->level))
		for (unsigned s = 0; s < mem->n; s++)
			_rc_mem_causal_log_free(mem, s);
	if (mem->reps != NULL)
		for (unsigned i = 0; i < mem->n; i++)
			replica_free(&mem->reps[i]);
	if (mem->ck_rep != NULL)
		replica_free(mem->ck_rep);
	free(mem->ck_rep);
	free(mem->chead);
	free(mem->reps);
	free(mem->shared);
	if (mem->dir != NULL)
		for (size_t i = 0; i < mem->ndir; i++)
			free(atomic_load_explicit(&mem->dir[i].seg,
						  memory_order_relaxed));
	free(mem->dir);
	free(atomic_load_explicit(&mem->sc_spare, memory_order_relaxed));
	free(mem->ck_copy);
	if (mem->ck_made)
		pthread_mutex_destroy(&mem->ck_lock);
	free(mem->last_stamp);
	free(mem->last_vc);
	free(mem->fence_vc);
	if (mem->fence_made)
		pthread_mutex_destroy(&mem->fence_lock);
	free(mem);
}

static int replica_init(rc_mem_t *m, unsigned id)
{
	struct rc_mem_replica *r = &m->reps[id];

	r->mem = m;
	r->level = m->level;
	r->nlocs = m->nlocs;
	r->exploring = explore(m);
	r->id = id;
	switch (m->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		r->buf = lines_alloc(RC_MEM_TSO_DEPTH, sizeof(*r->buf));
		if (r->buf == NULL)
			return -1;
		break;
	case RC_SC:
		r->copy = lines_alloc(m->nlocs, sizeof(*r->copy));
		if (r->copy == NULL)
			return -1;
		break;
	case RC_CAUSAL:
	case RC_EVENTUAL:
		if ((m->flags & RC_MEM_MVR) &&
		    (r->sibs = calloc(m->nlocs, sizeof(*r->sibs))) == NULL)
			return -1;
		r->copy = lines_alloc(m->nlocs, sizeof(*r->copy));
		r->stamp = lines_alloc(m->nlocs, sizeof(*r->stamp));
		r->vc = lines_alloc(m->n, sizeof(*r->vc));
		r->rseg = lines_alloc(m->n, sizeof(*r->rseg));
		if (!r->copy || !r->stamp || !r->vc || !r->rseg)
			return -1;
		if (!r->exploring) {
			r->pos = lines_alloc(m->n, sizeof(*r->pos));
			if (r->pos == NULL)
				return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* A bare object: everything but the per-level state of the replicas. */
static int mem_alloc(rc_mem_t **out, enum rc_level level, unsigned nlocs,
		     unsigned n, unsigned flags)
{
	rc_mem_t *m;

	if (posix_memalign((void **)&m, RC_CACHELINE, sizeof(*m)) != 0)
		return -1;
	memset(m, 0, sizeof(*m));
	m->level = level;
	m->nlocs = nlocs;
	m->n = n;
	m->flags = flags;
	*out = m;
	if (posix_memalign((void **)&m->reps, RC_CACHELINE,
			   n * sizeof(*m->reps)) != 0) {
		m->reps = NULL;
		return -1;
	}
	memset(m->reps, 0, n * sizeof(*m->reps));
	for (unsigned i = 0; i < n; i++)
		if (replica_init(m, i) < 0)
			return -1;
	if (level == RC_LIN || level == RC_TSO) {
		if (posix_memalign((void **)&m->shared, RC_CACHELINE,
				   nlocs * sizeof(*m->shared)) != 0) {
			m->shared = NULL;
			return -1;
		}
		memset(m->shared, 0, nlocs * sizeof(*m->shared));
		for (unsigned i = 0; i < n; i++)
			m->reps[i].shared = m->shared;
	}
	if (level == RC_SC) {
		/*
		 * Explore mode keeps the directory small, as objects are
		 * cloned often. Both bound the entries not yet applied by
		 * every replica (RC_MEM_SC_LOG_EXPLORE, SC_LOG_ENTRIES).
		 */
		m->seg_shift = (flags & RC_MEM_EXPLORE) ? 6 : SC_SEG_SHIFT;
		m->ndir = (flags & RC_MEM_EXPLORE)
				  ? RC_MEM_SC_LOG_EXPLORE >> 6
				  : SC_LOG_ENTRIES >> SC_SEG_SHIFT;
		m->dir = calloc(m->ndir, sizeof(*m->dir));
		if (m->dir == NULL)
			return -1;
		for (size_t k = 0; k < m->ndir; k++)
			atomic_init(&m->dir[k].serves, k);
		if (!(flags & RC_MEM_EXPLORE)) {
			m->ck_copy = lines_alloc(nlocs, sizeof(*m->ck_copy));
			if (m->ck_copy == NULL ||
			    pthread_mutex_init(&m->ck_lock, NULL) != 0)
				return -1;
			m->ck_made = true;
		}
	}
	if (has_logs(level)) {
		/*
		 * About 32 KiB per segment in threaded mode; explore mode
		 * keeps them small, as objects are cloned often.
		 */
		m->cstride =
			sizeof(struct clog_entry) + (n - 1) * sizeof(uint64_t);
		m->cseg_n = (flags & RC_MEM_EXPLORE)
				    ? 16
				    : CLOG_SEG_BYTES / m->cstride;
		if (m->cseg_n < 16)
			m->cseg_n = 16;
		m->last_stamp =
			level == RC_CAUSAL
				? lines_alloc(nlocs, sizeof(*m->last_stamp))
				: NULL;
		if (level == RC_CAUSAL && m->last_stamp == NULL)
			return -1;
		if (!(flags & RC_MEM_EXPLORE)) {
			/* The checkpoint: a replica numbered n, of no log. */
			m->ck_rep = lines_alloc(1, sizeof(*m->ck_rep));
			m->chead = calloc(n, sizeof(*m->chead));
			if (m->ck_rep == NULL || m->chead == NULL)
				return -1;
			m->ck_rep->mem = m;
			m->ck_rep->level = level;
			m->ck_rep->nlocs = nlocs;
			m->ck_rep->id = n;
			m->ck_rep->copy = lines_alloc(nlocs, sizeof(uint64_t));
			m->ck_rep->stamp = lines_alloc(nlocs, sizeof(uint64_t));
			m->ck_rep->vc = lines_alloc(n, sizeof(uint64_t));
			m->ck_rep->rseg = lines_alloc(n, sizeof(void *));
			if ((flags & RC_MEM_MVR) &&
			    (m->ck_rep->sibs = calloc(
				     nlocs, sizeof(*m->ck_rep->sibs))) == NULL)
				return -1;
			if (!m->ck_rep->copy || !m->ck_rep->stamp ||
			    !m->ck_rep->vc || !m->ck_rep->rseg ||
			    pthread_mutex_init(&m->ck_lock, NULL) != 0)
				return -1;
			m->ck_made = true;
		}
		if (_rc_mem_causal_logs_init(m) < 0)
			return -1;
		if (level == RC_EVENTUAL)
			return 0;
		m->fence_vc = lines_alloc(n, sizeof(*m->fence_vc));
		if (m->fence_vc == NULL)
			return -1;
		if (!(flags & RC_MEM_EXPLORE)) {
			if (pthread_mutex_init(&m->fence_lock, NULL) != 0)
				return -1;
			m->fence_made = true;
		}
		if (flags & RC_MEM_EXPLORE) {
			m->last_vc =
				calloc((size_t)nlocs * n, sizeof(*m->last_vc));
			if (m->last_vc == NULL)
				return -1;
		}
	}
	return 0;
}

int rc_mem_create(rc_mem_t **out, enum rc_level level, unsigned nlocs,
		  unsigned nreplicas, unsigned flags, rc_err_t *err)
{
	rc_mem_t *m = NULL;

	*out = NULL;
	if (!rc_level_is_object(level))
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "unknown memory level %d", (int)level);
	if (nlocs == 0 || nlocs > RC_MEM_MAX_LOCS)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "%u locations is not in 1..%u", nlocs,
				  RC_MEM_MAX_LOCS);
	if (nreplicas == 0 || nreplicas > RC_MEM_MAX_REPLICAS)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "%u replicas is not in 1..%u", nreplicas,
				  RC_MEM_MAX_REPLICAS);
	if (flags & ~(RC_MEM_EXPLORE | RC_MEM_MVR))
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "unknown flags %#x", flags);
	if ((flags & RC_MEM_MVR) && level != RC_EVENTUAL)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "multi-value registers are an eventual "
				  "object's, not a %s one's",
				  rc_level_name(level));
	if (mem_alloc(&m, level, nlocs, nreplicas, flags) < 0) {
		rc_mem_destroy(m);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	*out = m;
	return 0;
}

enum rc_level rc_mem_get_level(const rc_mem_t *mem)
{
	return mem->level;
}

unsigned rc_mem_nlocs(const rc_mem_t *mem)
{
	return mem->nlocs;
}

unsigned rc_mem_nreplicas(const rc_mem_t *mem)
{
	return mem->n;
}

bool rc_mem_is_explore(const rc_mem_t *mem)
{
	return explore(mem);
}

rc_mem_replica_t *rc_mem_replica(rc_mem_t *mem, unsigned id)
{
	assert(id < mem->n);
	return &mem->reps[id];
}

unsigned rc_mem_replica_id(const rc_mem_replica_t *r)
{
	return r->id;
}

int rc_mem_bind(rc_mem_t *mem, unsigned id, const rc_topo_t *topo, unsigned pu,
		unsigned flags, rc_mem_replica_t **out, rc_err_t *err)
{
	struct rc_mem_replica *r;
	int rc;

	*out = NULL;
	if (id >= mem->n)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "replica %u of %u does not exist", id,
				  mem->n);
	if (flags & ~RC_MEM_PIN)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "unknown bind flags %#x", flags);
	if ((flags & RC_MEM_PIN) && topo == NULL)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "RC_MEM_PIN without a layout to pin in");
	r = &mem->reps[id];
	/* Acquire: pairs with the release in rc_mem_unbind, so the new
	 * owner sees everything the previous one did. */
	if (atomic_exchange_explicit(&r->bound, true, memory_order_acquire))
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "replica %u is already bound", id);
	if (flags & RC_MEM_PIN) {
		rc = rc_topo_pin(topo, pu, err);
		if (rc < 0) {
			/* Release: pairs with the acquire above. */
			atomic_store_explicit(&r->bound, false,
					      memory_order_release);
			return rc;
		}
	}
	rc_mem_online(r);
	*out = r;
	return 0;
}

void rc_mem_unbind(rc_mem_replica_t *r)
{
	rc_mem_offline(r);
	/* Release: pairs with the acquire exchange in rc_mem_bind. */
	atomic_store_explicit(&r->bound, false, memory_order_release);
}

/*
 * Threaded SC and CAUSAL: r's owner enters the logs it reads before
 * reading (or appending) entries, and leaves after; while inside, no
 * reclaimer drops r or frees what it reads. A dropped replica takes the
 * checkpoint as it enters. A causal replica that moved to a new segment
 * reclaims as it leaves. Each level does it its own way.
 */
static void log_enter(struct rc_mem_replica *r)
{
	if (r->level == RC_SC)
		_rc_mem_sc_enter(r);
	else
		_rc_mem_causal_enter(r);
}

static void log_leave(struct rc_mem_replica *r)
{
	if (r->level == RC_SC)
		_rc_mem_sc_leave(r);
	else
		_rc_mem_causal_leave(r);
}

/* ---- operations ---- */

/* The loads of the levels with copies or buffers, out of LIN's way. */
static __attribute__((noinline)) uint64_t load_other(struct rc_mem_replica *r,
						     unsigned loc)
{
	switch (r->level) {
	case RC_LIN: /* rc_mem_load serves it itself */
		break;
	case RC_TSO:
		_rc_mem_tso_tick(r);
		return _rc_mem_tso_load(r, loc);
	case RC_SC:
		r->ops++;
		_rc_mem_sc_catch_up(r);
		next_look(r);
		return r->copy[loc];
	case RC_CAUSAL:
		r->ops++;
		if (read_fresh(r)) {
			log_enter(r);
			_rc_mem_causal_tick(r);
			log_leave(r);
		} else if (read_lag_due(r)) {
			log_enter(r);
			_rc_mem_causal_lag_tick(r);
			log_leave(r);
		}
		next_look(r);
		return r->copy[loc];
	case RC_EVENTUAL:
		r->ops++;
		if (read_lag_due(r)) {
			log_enter(r);
			_rc_mem_ev_tick(r);
			log_leave(r);
		}
		return r->copy[loc];
	default:
		break;
	}
	return 0;
}

uint64_t rc_mem_load(rc_mem_replica_t *r, unsigned loc)
{
	assert(loc < r->nlocs);
	if (__builtin_expect(r->level == RC_LIN, 1))
		/* seq_cst: the linearization point; pairs with the seq_cst
		 * stores and RMWs of every replica on this location. */
		return atomic_load_explicit(&r->shared[loc].v,
					    memory_order_seq_cst);
	/* SC and CAUSAL between two looks beyond the copy (next_look). */
	if (r->ops + 1 < r->look) {
		r->ops++;
		return r->copy[loc];
	}
	return load_other(r, loc);
}

int rc_mem_store(rc_mem_replica_t *r, unsigned loc, uint64_t value,
		 rc_order_t order)
{
	return _rc_mem_write(r, loc, value, order, 0);
}

/* A store; at EVENTUAL its log entry carries cflags (CLOG_DEP). */
int _rc_mem_write(struct rc_mem_replica *r, unsigned loc, uint64_t value,
		  rc_order_t order, unsigned cflags)
{
	rc_mem_t *m = r->mem;
	int rc = 0;

	assert(loc < m->nlocs);
	switch (m->level) {
	case RC_LIN:
		/* seq_cst: the linearization point; pairs with the seq_cst
		 * loads and RMWs of every replica on this location. */
		atomic_store_explicit(&m->shared[loc].v, value,
				      memory_order_seq_cst);
		break;
	case RC_TSO:
		_rc_mem_tso_tick(r);
		_rc_mem_tso_store(r, loc, value);
		if (order == RC_SEQ_CST)
			_rc_mem_tso_drain_all(r);
		break;
	case RC_SC:
		r->ops++;
		wrote(r);
		log_enter(r);
		rc = _rc_mem_sc_append(r, SC_STORE, loc, value, 0, NULL);
		if (rc == 0 && !explore(m))
			_rc_mem_sc_apply_published(r);
		log_leave(r);
		break;
	case RC_CAUSAL:
		r->ops++;
		wrote(r);
		log_enter(r);
		_rc_mem_causal_tick(r);
		rc = _rc_mem_causal_write(r, loc, value);
		log_leave(r);
		break;
	case RC_EVENTUAL:
		r->ops++;
		log_enter(r);
		_rc_mem_ev_tick(r);
		rc = _rc_mem_ev_write(r, loc, value, cflags);
		log_leave(r);
		break;
	default:
		break;
	}
	return rc;
}

int _rc_mem_rmw(rc_mem_replica_t *r, enum sc_op op, unsigned loc, uint64_t a,
		uint64_t b, unsigned cflags, bool *done, uint64_t *oldp)
{
	rc_mem_t *m = r->mem;
	uint64_t old = 0;
	bool ok = true;
	int rc = 0;

	assert(loc < m->nlocs);
	r->ops++;
	wrote(r);
	switch (m->level) {
	case RC_TSO:
		_rc_mem_tso_drain_all(r);
		/* fallthrough */
	case RC_LIN:
		/* seq_cst RMWs: each is one atomic step in the total order
		 * of the shared copy; pair with every other access to it. */
		switch (op) {
		case SC_FADD:
			old = atomic_fetch_add_explicit(&m->shared[loc].v, a,
							memory_order_seq_cst);
			break;
		case SC_XCHG:
		case SC_STORE:
			old = atomic_exchange_explicit(&m->shared[loc].v, a,
						       memory_order_seq_cst);
			break;
		case SC_CAS:
			old = a;
			ok = atomic_compare_exchange_strong_explicit(
				&m->shared[loc].v, &old, b,
				memory_order_seq_cst, memory_order_seq_cst);
			break;
		}
		break;
	case RC_SC:
		rc = _rc_mem_sc_rmw(r, op, loc, a, b, &old);
		ok = op != SC_CAS || old == a;
		break;
	case RC_CAUSAL:
		log_enter(r);
		rc = _rc_mem_causal_rmw(r, op, loc, a, b, &ok, &old);
		log_leave(r);
		break;
	case RC_EVENTUAL:
		log_enter(r);
		_rc_mem_ev_tick(r);
		rc = _rc_mem_ev_rmw(r, op, loc, a, b, cflags, &ok, &old);
		log_leave(r);
		break;
	default:
		break;
	}
	if (rc < 0)
		return rc;
	if (done != NULL)
		*done = ok;
	*oldp = old;
	return 0;
}

int rc_mem_cas(rc_mem_replica_t *r, unsigned loc, uint64_t *expected,
	       uint64_t desired)
{
	bool done;
	uint64_t old;
	int rc =
		_rc_mem_rmw(r, SC_CAS, loc, *expected, desired, 0, &done, &old);

	if (rc < 0)
		return rc;
	if (!done)
		*expected = old;
	return done;
}

int rc_mem_fetch_add(rc_mem_replica_t *r, unsigned loc, uint64_t delta,
		     uint64_t *old)
{
	return _rc_mem_rmw(r, SC_FADD, loc, delta, 0, 0, NULL, old);
}

int rc_mem_exchange(rc_mem_replica_t *r, unsigned loc, uint64_t value,
		    uint64_t *old)
{
	return _rc_mem_rmw(r, SC_XCHG, loc, value, 0, 0, NULL, old);
}

int rc_mem_siblings(rc_mem_replica_t *r, unsigned loc, uint64_t *vals,
		    unsigned max)
{
	assert(loc < r->nlocs);
	if (r->sibs == NULL)
		return -RC_EINVAL;
	(void)rc_mem_load(r, loc);
	return (int)_rc_mem_mv_values(r, loc, vals, max);
}

void rc_mem_fence(rc_mem_replica_t *r, rc_order_t order)
{
	rc_mem_t *m = r->mem;

	switch (m->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		r->ops++;
		if (order == RC_SEQ_CST)
			_rc_mem_tso_drain_all(r);
		break;
	case RC_SC:
		r->ops++;
		log_enter(r);
		/* Relaxed: the tail bounds how far to apply; the entries'
		 * ready flags synchronise. */
		_rc_mem_sc_apply_upto(
			r,
			atomic_load_explicit(&m->tail, memory_order_relaxed));
		log_leave(r);
		break;
	case RC_CAUSAL:
		r->ops++;
		log_enter(r);
		_rc_mem_causal_tick(r);
		if (order == RC_SEQ_CST)
			_rc_mem_causal_fence_sc(r);
		log_leave(r);
		break;
	case RC_EVENTUAL:
		/* No order of its own: threaded, an anti-entropy pass. */
		r->ops++;
		if (!r->exploring)
			rc_mem_progress(r);
		break;
	default:
		break;
	}
}

void rc_mem_progress(rc_mem_replica_t *r)
{
	switch (r->mem->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		_rc_mem_tso_drain_all(r);
		break;
	case RC_SC:
		log_enter(r);
		_rc_mem_sc_apply_published(r);
		log_leave(r);
		break;
	case RC_CAUSAL:
	case RC_EVENTUAL:
		log_enter(r);
		_rc_mem_causal_take(r, UINT64_MAX);
		log_leave(r);
		break;
	default:
		break;
	}
}

/* For tests: how many times a dropped replica took the checkpoint. */
uint64_t _rc_mem_resyncs(rc_mem_t *m)
{
	uint64_t n;

	if (!m->ck_made)
		return 0;
	pthread_mutex_lock(&m->ck_lock);
	n = m->resyncs;
	pthread_mutex_unlock(&m->ck_lock);
	return n;
}

void rc_mem_offline(rc_mem_replica_t *r)
{
	if (r->exploring)
		return;
	switch (r->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		_rc_mem_tso_drain_all(r);
		break;
	case RC_SC:
	case RC_CAUSAL:
	case RC_EVENTUAL:
		/* A causal replica alone has no log: nothing to drop. */
		if (has_logs(r->level) && r->mem->n == 1)
			break;
		/* Release: the owner's reads of the logs happen before a
		 * reclaimer's acquire of lstate that frees them. */
		atomic_store_explicit(&r->lstate, LOG_STALE,
				      memory_order_release);
		break;
	default:
		break;
	}
}

void rc_mem_online(rc_mem_replica_t *r)
{
	if (r->exploring)
		return;
	/* SC and CAUSAL take the checkpoint if the logs moved on without
	 * r, then what is published; r's next load takes the full path.
	 * TSO's buffer was drained when it went offline. */
	rc_mem_progress(r);
	r->look = 0;
}

/* ---- steps ---- */

unsigned rc_mem_steps(const rc_mem_t *mem, struct rc_mem_step *steps,
		      unsigned max)
{
	unsigned k = 0;
	uint64_t tail;

	assert(explore(mem));
	tail = atomic_load_explicit(&((rc_mem_t *)mem)->tail,
				    memory_order_relaxed);
	for (unsigned i = 0; i < mem->n; i++) {
		const struct rc_mem_replica *r = &mem->reps[i];

		switch (mem->level) {
		case RC_LIN:
			break;
		case RC_TSO:
			if (r->bn > 0 && k++ < max)
				steps[k - 1] =
					(struct rc_mem_step){ RC_MEM_STEP_DRAIN,
							      i, i };
			break;
		case RC_SC:
			if (r->applied < tail && k++ < max)
				steps[k - 1] =
					(struct rc_mem_step){ RC_MEM_STEP_APPLY,
							      i, i };
			break;
		case RC_CAUSAL:
		case RC_EVENTUAL:
			for (unsigned s = 0; s < mem->n; s++)
				if (_rc_mem_causal_head_ready(r, s) &&
				    k++ < max)
					steps[k - 1] = (struct rc_mem_step){
						RC_MEM_STEP_DELIVER, i, s
					};
			for (unsigned s = 0;
			     mem->level == RC_EVENTUAL && s < mem->n; s++)
				if (_rc_mem_ev_clock_behind(r, s) && k++ < max)
					steps[k - 1] = (struct rc_mem_step){
						RC_MEM_STEP_CLOCK, i, s
					};
			break;
		default:
			break;
		}
	}
	return k;
}

unsigned rc_mem_nsteps(const rc_mem_t *mem)
{
	return rc_mem_steps(mem, NULL, 0);
}

int rc_mem_step(rc_mem_t *mem, const struct rc_mem_step *st)
{
	struct rc_mem_replica *r;

	assert(explore(mem));
	if (st->replica >= mem->n)
		return -RC_EINVAL;
	r = &mem->reps[st->replica];
	switch (mem->level) {
	case RC_LIN:
		return -RC_EINVAL;
	case RC_TSO:
		if (st->kind != RC_MEM_STEP_DRAIN || r->bn == 0)
			return -RC_EINVAL;
		_rc_mem_tso_drain_one(r);
		return 0;
	case RC_SC:
		if (st->kind != RC_MEM_STEP_APPLY ||
		    !_rc_mem_sc_apply_one(r, false, NULL))
			return -RC_EINVAL;
		return 0;
	case RC_CAUSAL:
	case RC_EVENTUAL:
		if (mem->level == RC_EVENTUAL &&
		    st->kind == RC_MEM_STEP_CLOCK && st->from < mem->n &&
		    _rc_mem_ev_clock_behind(r, st->from)) {
			_rc_mem_ev_clock_adopt(r, st->from);
			return 0;
		}
		if (st->kind != RC_MEM_STEP_DELIVER || st->from >= mem->n ||
		    !_rc_mem_causal_head_ready(r, st->from))
			return -RC_EINVAL;
		_rc_mem_causal_deliver(r, st->from);
		return 0;
	default:
		break;
	}
	return -RC_EINVAL;
}

void rc_mem_quiesce(rc_mem_t *mem)
{
	uint64_t tail;

	switch (mem->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		for (unsigned i = 0; i < mem->n; i++)
			_rc_mem_tso_drain_all(&mem->reps[i]);
		break;
	case RC_SC:
		/* Relaxed: no writer runs now; ready flags synchronise. */
		tail = atomic_load_explicit(&mem->tail, memory_order_relaxed);
		for (unsigned i = 0; i < mem->n; i++) {
			/* A stale or offline replica takes the checkpoint
			 * first; the rc_mem_online of its owner, if any,
			 * finds it current. */
			log_enter(&mem->reps[i]);
			_rc_mem_sc_apply_upto(&mem->reps[i], tail);
			log_leave(&mem->reps[i]);
		}
		break;
	case RC_CAUSAL:
	case RC_EVENTUAL:
		for (unsigned i = 0; i < mem->n; i++) {
			struct rc_mem_replica *r = &mem->reps[i];

			/* A stale or offline replica takes the checkpoint
			 * first. */
			log_enter(r);
			_rc_mem_causal_take(r, UINT64_MAX);
			log_leave(r);
			for (unsigned s = 0; s < mem->n; s++)
				assert(s == i ||
				       r->vc[s] == c_published(mem, s));
		}
		break;
	default:
		break;
	}
}

uint64_t rc_mem_read_replica(const rc_mem_t *mem, unsigned replica,
			     unsigned loc)
{
	const struct rc_mem_replica *r;

	assert(replica < mem->n && loc < mem->nlocs);
	r = &mem->reps[replica];
	switch (mem->level) {
	case RC_LIN:
	case RC_TSO:
		for (unsigned i = r->bn; i > 0; i--) {
			const struct tso_entry *e =
				&r->buf[(r->bhead + i - 1) % RC_MEM_TSO_DEPTH];

			if (e->loc == loc)
				return e->val;
		}
		/* Relaxed: the caller has synchronised with the writers. */
		return atomic_load_explicit(&mem->shared[loc].v,
					    memory_order_relaxed);
	case RC_SC:
	case RC_CAUSAL:
	case RC_EVENTUAL:
		return r->copy[loc];
	default:
		break;
	}
	return 0;
}

int rc_mem_clone(rc_mem_t **out, const rc_mem_t *src, rc_err_t *err)
{
	rc_mem_t *m = NULL;

	*out = NULL;
	assert(explore(src));
	if (mem_alloc(&m, src->level, src->nlocs, src->n, src->flags) < 0 ||
	    _rc_mem_state_clone(m, src) < 0) {
		rc_mem_destroy(m);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	*out = m;
	return 0;
}
