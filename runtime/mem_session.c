/* SPDX-License-Identifier: MIT */
/* mem_session.c: sessions over the EVENTUAL and CAUSAL objects: read your writes, monotonic reads, monotonic writes, writes follow reads, by version vectors. */

/*
 * The session guarantees of Terry, Demers, Petersen, Spreitzer, Theimer
 * and Welch ("Session Guarantees for Weakly Consistent Replicated Data",
 * PDIS 1994), implemented as that paper does. A replica's vector clock
 * vc counts, per sender, the writes it holds, which are a prefix of the
 * sender's log: a version vector. A session carries two: its read vector
 * rv, the join of the version vectors of the replicas at its reads (the
 * writes its reads may have depended on), and its write vector wv, the
 * join of the ids (sender, index + 1) of its writes. An operation is
 * served by a replica only once the replica's vector dominates
 *
 *   read:   wv if read your writes,    rv if monotonic reads;
 *   write:  wv if monotonic writes,    rv if writes follow reads;
 *
 * threaded, the operation takes in the others' published writes until
 * it does (every write a session vector counts was published before
 * the operation that put it there returned, with its causal past at
 * CAUSAL, so this waits for no replica to issue an operation); in
 * explore mode, it is not enabled (-RC_EAGAIN) and the scheduler must
 * deliver first. Then:
 *
 *   RYW: the read's replica holds the session's writes, so the read
 *        returns one of them or a write ordered after it (stamps only
 *        move a copy up).
 *   MR:  the replica holds every write the earlier reads' replicas held.
 *   MW, WFR: the write's replica holds the session's earlier writes
 *        (MW) or what its reads saw (WFR), so its stamp exceeds theirs
 *        and every replica orders it after them; and, since its entry's
 *        clock dominates them, a replica applying it has them already:
 *        at CAUSAL by causal delivery, at EVENTUAL because such a write
 *        is a CLOG_DEP entry, applied only once its replica holds its
 *        whole clock (Terry's condition that a server holding the
 *        later write holds the earlier ones).
 */
#include <assert.h>
#include <stdlib.h>

#include "runtime/mem_int.h"
#include "runtime/wait.h"

struct rc_mem_session {
	rc_mem_t *mem;
	unsigned guarantees;
	uint64_t rv[RC_MEM_MAX_REPLICAS];
	uint64_t wv[RC_MEM_MAX_REPLICAS];
};

#define SESSION_ALL                                                   \
	(RC_MEM_SESSION_RYW | RC_MEM_SESSION_MR | RC_MEM_SESSION_MW | \
	 RC_MEM_SESSION_WFR)

int rc_mem_session_create(rc_mem_session_t **out, rc_mem_t *mem,
			  unsigned guarantees, rc_err_t *err)
{
	rc_mem_session_t *s;

	*out = NULL;
	if (!has_logs(mem->level))
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "sessions are over eventual and causal "
				  "objects, not %s ones",
				  rc_level_name(mem->level));
	if (guarantees & ~SESSION_ALL)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "unknown session guarantees %#x", guarantees);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	s->mem = mem;
	s->guarantees = guarantees;
	*out = s;
	return 0;
}

void rc_mem_session_destroy(rc_mem_session_t *s)
{
	free(s);
}

unsigned rc_mem_session_guarantees(const rc_mem_session_t *s)
{
	return s->guarantees;
}

/* Whether replica r holds what an operation (write or not) needs. */
static bool ready(const rc_mem_session_t *s, const struct rc_mem_replica *r,
		  bool write)
{
	unsigned g = s->guarantees;
	bool need_w =
		write ? (g & RC_MEM_SESSION_MW) : (g & RC_MEM_SESSION_RYW);
	bool need_r =
		write ? (g & RC_MEM_SESSION_WFR) : (g & RC_MEM_SESSION_MR);

	for (unsigned k = 0; k < s->mem->n; k++)
		if ((need_w && r->vc[k] < s->wv[k]) ||
		    (need_r && r->vc[k] < s->rv[k]))
			return false;
	return true;
}

bool rc_mem_session_ready(const rc_mem_session_t *s, const rc_mem_replica_t *r,
			  bool write)
{
	assert(r->mem == s->mem);
	return ready(s, r, write);
}

/*
 * Makes r hold what the operation needs: threaded, by taking in the
 * published writes (those the vectors count are published); in explore
 * mode, -RC_EAGAIN when it does not hold them yet.
 */
static int serve(rc_mem_session_t *s, struct rc_mem_replica *r, bool write)
{
	struct _rc_wait w;

	if (ready(s, r, write))
		return 0;
	if (r->exploring)
		return -RC_EAGAIN;
	_rc_wait_init(&w, UINT64_MAX);
	for (;;) {
		uint64_t took;

		_rc_mem_causal_enter(r);
		took = _rc_mem_causal_take(r, UINT64_MAX);
		_rc_mem_causal_leave(r);
		if (ready(s, r, write))
			return 0;
		/* A write being published right now by its sender (the
		 * CAUSAL past of a write this session saw): its entry is
		 * written, its count not yet stored. */
		if (took == 0)
			_rc_wait_step(&w);
	}
}

int rc_mem_session_load(rc_mem_session_t *s, rc_mem_replica_t *r, unsigned loc,
			uint64_t *val)
{
	int rc;

	assert(r->mem == s->mem && loc < r->nlocs);
	rc = serve(s, r, false);
	if (rc < 0)
		return rc;
	*val = rc_mem_load(r, loc);
	for (unsigned k = 0; k < s->mem->n; k++)
		if (r->vc[k] > s->rv[k])
			s->rv[k] = r->vc[k];
	return 0;
}

int rc_mem_session_store(rc_mem_session_t *s, rc_mem_replica_t *r, unsigned loc,
			 uint64_t value, rc_order_t order)
{
	unsigned flags = 0;
	int rc;

	assert(r->mem == s->mem && loc < r->nlocs);
	rc = serve(s, r, true);
	if (rc < 0)
		return rc;
	if (s->guarantees & (RC_MEM_SESSION_MW | RC_MEM_SESSION_WFR))
		flags = CLOG_DEP;
	rc = _rc_mem_write(r, loc, value, order, flags);
	if (rc < 0)
		return rc;
	s->wv[r->id] = r->vc[r->id];
	return 0;
}

/*
 * An RMW is a read and a write at once: served once r holds what both
 * need, it then joins r's vector into rv (what it read may depend on
 * it) and, when it wrote (a failed CAS writes nothing), counts its write
 * in wv.
 */
static int session_rmw(rc_mem_session_t *s, struct rc_mem_replica *r,
		       enum sc_op op, unsigned loc, uint64_t a, uint64_t b,
		       bool *done, uint64_t *old)
{
	unsigned flags = 0;
	uint64_t mine;
	int rc;

	assert(r->mem == s->mem && loc < r->nlocs);
	if (r->exploring && !(ready(s, r, false) && ready(s, r, true)))
		return -RC_EAGAIN;
	rc = serve(s, r, false);
	if (rc == 0)
		rc = serve(s, r, true);
	if (rc < 0)
		return rc;
	if (s->guarantees & (RC_MEM_SESSION_MW | RC_MEM_SESSION_WFR))
		flags = CLOG_DEP;
	mine = r->vc[r->id];
	rc = _rc_mem_rmw(r, op, loc, a, b, flags, done, old);
	if (rc < 0)
		return rc;
	for (unsigned k = 0; k < s->mem->n; k++)
		if (r->vc[k] > s->rv[k])
			s->rv[k] = r->vc[k];
	if (r->vc[r->id] != mine)
		s->wv[r->id] = r->vc[r->id];
	return 0;
}

int rc_mem_session_cas(rc_mem_session_t *s, rc_mem_replica_t *r, unsigned loc,
		       uint64_t *expected, uint64_t desired)
{
	bool done = false;
	uint64_t old = 0;
	int rc =
		session_rmw(s, r, SC_CAS, loc, *expected, desired, &done, &old);

	if (rc < 0)
		return rc;
	if (!done)
		*expected = old;
	return done;
}

int rc_mem_session_fetch_add(rc_mem_session_t *s, rc_mem_replica_t *r,
			     unsigned loc, uint64_t delta, uint64_t *old)
{
	return session_rmw(s, r, SC_FADD, loc, delta, 0, NULL, old);
}

int rc_mem_session_exchange(rc_mem_session_t *s, rc_mem_replica_t *r,
			    unsigned loc, uint64_t value, uint64_t *old)
{
	return session_rmw(s, r, SC_XCHG, loc, value, 0, NULL, old);
}

void rc_mem_session_vectors(const rc_mem_session_t *s, uint64_t *rv,
			    uint64_t *wv)
{
	for (unsigned k = 0; k < s->mem->n; k++) {
		if (rv != NULL)
			rv[k] = s->rv[k];
		if (wv != NULL)
			wv[k] = s->wv[k];
	}
}
