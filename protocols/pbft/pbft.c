/* SPDX-License-Identifier: MIT */
/* pbft.c: a PBFT replica as a deterministic step machine: pre-prepare, prepare, commit, checkpoints, view change, and the Byzantine behaviours a replica may be given. */
#include <stdlib.h>
#include <string.h>

#include "protocols/pbft/pbft.h"

/*
 * Practical Byzantine fault tolerance, after Castro and Liskov (OSDI
 * 1999), with n = 3f + 1 replicas of which at most f are Byzantine and
 * quorums of 2f + 1. Any two quorums meet in f + 1 replicas, so in at
 * least one correct one; that is the whole of the safety argument.
 *
 * Normal case. A client's request reaches a replica, which multicasts it
 * (requests carry the client's signature: a replica takes only a request
 * the client submitted, io->signed_by_client). The primary of view v,
 * replica v mod n, assigns the next sequence number n within the window
 * (stable checkpoint h < n <= h + RC_PBFT_WINDOW) and multicasts
 * PRE-PREPARE(v, n, d). A backup accepts it if it is in view v, has
 * accepted no other for (v, n), and the window holds n; it multicasts
 * PREPARE(v, n, d). prepared(d, v, n) holds at a replica with the
 * pre-prepare and 2f PREPAREs from distinct backups matching it: then no
 * correct replica can be prepared with another d at (v, n), since the two
 * sets of 2f + 1 (with the primary) would meet in a correct replica that
 * sent two PREPAREs. A prepared replica multicasts COMMIT(v, n, d);
 * committed-local holds with prepared and 2f + 1 matching COMMITs, and
 * then f + 1 correct replicas are prepared, which makes d survive any
 * view change. A replica executes in sequence order, each request once
 * (a request assigned twice executes at the first, the second is a no-op
 * but still names d at its sequence).
 *
 * Checkpoints. After executing a multiple of RC_PBFT_CHECKPOINT a
 * replica multicasts CHECKPOINT(n, digest of its state); with 2f + 1
 * matching ones, from distinct replicas, and n executed itself, the
 * checkpoint is stable: h moves to n, the proof is kept and the log at
 * and below n is collected. There is no state transfer: a replica that
 * fell behind a checkpoint others collected stays behind (liveness, not
 * safety, suffers; the simulation reports it).
 *
 * View change. A backup that waits for a request it has not executed
 * runs a timer; on expiry it moves to v + 1 and multicasts VIEW-CHANGE
 * with its stable checkpoint and its proof, and for each sequence above
 * it the prepared certificate of the highest view (the PRE-PREPARE and
 * 2f PREPAREs). A replica that sees f + 1 view changes for views above
 * its own joins the smallest. The new primary, with 2f + 1 valid ones,
 * computes O: min-s the highest checkpoint among them, max-s the highest
 * prepared sequence, and for each sequence between them the digest of
 * the certificate of the highest view, or the null request; it multicasts
 * PRE-PREPAREs for O and NEW-VIEW naming the view changes and them. Each
 * replica checks the view changes, recomputes O, checks the PRE-PREPAREs
 * against it, and enters the view. A request committed-local anywhere
 * was prepared at f + 1 correct replicas, one of them in any 2f + 1 view
 * changes, so O carries it. The timer doubles with each view change
 * that does not complete.
 *
 * Authentication. Every message is sent through io->send, which sets its
 * true sender and enters it in a registry of sent messages; messages that
 * carry others' (certificates, proofs, view changes) carry references to
 * registry entries, which a replica resolves and checks (type, sender,
 * view, sequence, digest). So a Byzantine replica may send anything under
 * its own name, and resend others' messages unchanged (io->replay), but
 * cannot forge or alter another's. A reference to a message the embedding
 * replica never received is accepted: the adversary is stronger than the
 * paper's, never weaker.
 *
 * Byzantine behaviours: silent (nothing at all); equivocating primary
 * (for each sequence, the request to every other correct backup and to
 * its accomplices, the null request to the rest, and COMMITs for both); conflicting votes
 * (on each PRE-PREPARE or PREPARE, PREPARE and COMMIT for the digest
 * seen and for another one, unseen); replay (every 50-149 us an old
 * registry entry, anyone's, to a random replica). Otherwise they follow
 * the protocol. Two of them together (an equivocating primary and a
 * conflicting voter) among 3f + 1 = 4 break agreement: each half of the
 * correct backups reaches a quorum of three with the two Byzantine ones.
 */

/* A PREPARE or COMMIT a replica holds for a sequence. */
struct vote {
	uint64_t v, d;
	uint32_t rid;
	uint16_t from;
	uint8_t type;
};

/* A sequence number's state at a replica. */
struct slot {
	struct vote *vt;
	uint32_t nvt, cap;
	bool pp, commit_sent, committed, cert, gone;
	uint64_t ppv, ppd; /* the accepted PRE-PREPARE, of view ppv */
	uint32_t pprid;
	uint64_t cd;	  /* the committed digest */
	uint64_t cv, cdg; /* the prepared certificate of the highest view */
	uint32_t cpp;
	uint32_t *cprep; /* quorum - 1 PREPAREs */
	uint64_t byzv;	 /* conflicting voter: voted in view byzv - 1 */
};

struct ckvote {
	uint64_t n, d;
	uint32_t rid;
	uint16_t from;
};

struct vcvote {
	uint64_t v;
	uint32_t rid;
	uint16_t from;
};

struct inbox {
	struct _rc_pbft_msg **m;
	size_t head, len, cap;
};

struct _rc_pbft_node {
	struct _rc_pbft_cfg cfg;
	unsigned id, beh, f;
	const struct _rc_pbft_io *io;
	uint64_t now;
	uint64_t view, next; /* next: the primary's next sequence */
	bool in_vc;
	unsigned tries;
	uint64_t nv_sent;     /* the view whose NEW-VIEW was sent, + 1 */
	uint64_t h, hd;	      /* stable checkpoint, its digest */
	uint32_t *hproof;     /* its quorum of CHECKPOINTs */
	uint64_t last, state; /* last executed sequence, state digest */
	struct slot *s;
	uint64_t ns;
	uint8_t *req; /* per request: SEEN, EXECUTED */
	uint64_t *queue;
	size_t nq, capq;
	uint64_t pending, executed, collected;
	struct ckvote *ck;
	size_t nck, capck;
	struct vcvote *vc;
	size_t nvc, capvc;
	uint64_t timer, replay_at;
	unsigned replays;
	struct inbox in;
};

enum { SEEN = 1, EXECUTED = 2 };

#define MAX_REPLAYS 300

static unsigned primary(const struct _rc_pbft_node *r, uint64_t v)
{
	return (unsigned)(v % r->cfg.nodes);
}

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
	void *q;
	size_t c = *cap ? *cap : 8;

	if (need <= *cap)
		return true;
	while (c < need)
		c *= 2;
	q = realloc(*p, c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

static struct _rc_pbft_msg *msg_new(uint8_t type, uint64_t v, uint64_t n,
				    uint64_t d, uint32_t nref)
{
	struct _rc_pbft_msg *m = calloc(1, sizeof *m + nref * sizeof(uint32_t));

	if (!m)
		return NULL;
	m->type = type;
	m->v = v;
	m->n = n;
	m->d = d;
	m->nref = nref;
	return m;
}

/* Queues a copy of m for the replica itself. */
static void to_self(struct _rc_pbft_node *r, const struct _rc_pbft_msg *m)
{
	size_t sz = _rc_pbft_msg_size(m);
	struct _rc_pbft_msg *c = malloc(sz);

	if (!c)
		return;
	memcpy(c, m, sz);
	if (r->in.head == r->in.len) {
		r->in.head = 0;
		r->in.len = 0;
	}
	if (!grow((void **)&r->in.m, &r->in.cap, r->in.len + 1,
		  sizeof *r->in.m)) {
		free(c);
		return;
	}
	r->in.m[r->in.len++] = c;
}

/* Multicasts m (to every other replica and to itself); frees m. */
static uint32_t bcast(struct _rc_pbft_node *r, struct _rc_pbft_msg *m)
{
	uint32_t rid;

	if (!m)
		return 0;
	rid = r->io->send(r->io->ctx, r->id, r->cfg.nodes, m);
	to_self(r, m);
	free(m);
	return rid;
}

/* Registers m as sent by the replica, for itself only; frees m. */
static void self_only(struct _rc_pbft_node *r, struct _rc_pbft_msg *m)
{
	if (!m)
		return;
	r->io->send(r->io->ctx, r->id, r->id, m);
	to_self(r, m);
	free(m);
}

static struct slot *slot_get(struct _rc_pbft_node *r, uint64_t n)
{
	if (n >= r->ns) {
		uint64_t ns = r->ns ? r->ns : 64;
		struct slot *s;

		while (ns <= n)
			ns *= 2;
		s = realloc(r->s, ns * sizeof *s);
		if (!s)
			return NULL;
		memset(s + r->ns, 0, (ns - r->ns) * sizeof *s);
		r->s = s;
		r->ns = ns;
	}
	return &r->s[n];
}

static bool in_window(const struct _rc_pbft_node *r, uint64_t n)
{
	return n > r->h && n <= r->h + RC_PBFT_WINDOW;
}

static void arm(struct _rc_pbft_node *r)
{
	if (r->in_vc)
		return;
	if (r->pending == 0)
		r->timer = UINT64_MAX;
	else if (r->timer == UINT64_MAX)
		r->timer = r->now + r->cfg.timeout;
}

/* Request d is known to the replica (from a client or a PRE-PREPARE). */
static bool note_request(struct _rc_pbft_node *r, uint64_t d)
{
	if (d == 0 || d > r->cfg.requests ||
	    !r->io->signed_by_client(r->io->ctx, d))
		return false;
	if (r->req[d] & SEEN)
		return true;
	r->req[d] |= SEEN;
	if (grow((void **)&r->queue, &r->capq, r->nq + 1, sizeof *r->queue))
		r->queue[r->nq++] = d;
	r->pending++;
	arm(r);
	return true;
}

static bool assigned(const struct _rc_pbft_node *r, uint64_t d)
{
	for (uint64_t n = r->h + 1; n < r->next && n < r->ns; n++)
		if (r->s[n].pp && r->s[n].ppv == r->view && r->s[n].ppd == d)
			return true;
	return false;
}

/* The primary assigns sequence numbers to the requests waiting. */
static void propose(struct _rc_pbft_node *r)
{
	size_t k = 0;

	if (primary(r, r->view) != r->id || r->in_vc)
		return;
	if (r->next <= r->h)
		r->next = r->h + 1;
	for (size_t i = 0; i < r->nq; i++) {
		uint64_t d = r->queue[i];
		uint64_t n;

		if (r->req[d] & EXECUTED)
			continue;
		r->queue[k++] = d;
		if (r->next > r->h + RC_PBFT_WINDOW || assigned(r, d))
			continue;
		n = r->next++;
		r->io->trace(r->io->ctx, r->id, "assign", n, d);
		if (r->beh != RC_PBFT_EQUIVOCATE) {
			bcast(r, msg_new(RC_PM_PREPREPARE, r->view, n, d, 0));
			continue;
		}
		/* the request to every other correct backup, the null to
		 * the rest; accomplices get the request */
		for (unsigned j = 0, i2 = 0; j < r->cfg.nodes; j++) {
			struct _rc_pbft_msg *m;
			bool acc = r->io->accomplice(r->io->ctx, j);

			if (j == r->id)
				continue;
			m = msg_new(RC_PM_PREPREPARE, r->view, n,
				    !acc && i2++ % 2 ? 0 : d, 0);
			if (m)
				r->io->send(r->io->ctx, r->id, j, m);
			free(m);
		}
		self_only(r, msg_new(RC_PM_PREPREPARE, r->view, n, d, 0));
		bcast(r, msg_new(RC_PM_COMMIT, r->view, n, d, 0));
		bcast(r, msg_new(RC_PM_COMMIT, r->view, n, 0, 0));
	}
	r->nq = k;
}

static unsigned count(const struct slot *s, uint8_t type, uint64_t v,
		      uint64_t d, int exclude, uint32_t *rids, unsigned max)
{
	unsigned c = 0;

	for (uint32_t i = 0; i < s->nvt; i++) {
		const struct vote *x = &s->vt[i];

		if (x->type != type || x->v != v || x->d != d ||
		    (int)x->from == exclude)
			continue;
		if (rids && c < max)
			rids[c] = x->rid;
		c++;
	}
	return c;
}

static void checkpoint_try(struct _rc_pbft_node *r);

/* Executes every committed sequence in order. */
static void execute(struct _rc_pbft_node *r)
{
	while (r->last + 1 < r->ns && r->s[r->last + 1].committed) {
		uint64_t n = ++r->last, d = r->s[n].cd;

		r->state = (r->state ^ (n * 0x9e3779b97f4a7c15ull) ^ d) *
			   0xbf58476d1ce4e5b9ull;
		if (d && !(r->req[d] & EXECUTED)) {
			if (!(r->req[d] & SEEN)) {
				r->req[d] |= SEEN;
				r->pending++;
			}
			r->req[d] |= EXECUTED;
			r->executed++;
			r->pending--;
		}
		r->io->execute(r->io->ctx, r->id, n, d);
		if (!r->in_vc)
			r->timer = UINT64_MAX;
		arm(r);
		if (n % RC_PBFT_CHECKPOINT == 0)
			bcast(r, msg_new(RC_PM_CHECKPOINT, 0, n, r->state, 0));
	}
	checkpoint_try(r);
}

/*
 * Catch-up at sequence n: 2f + 1 matching COMMITs, whatever the replica
 * accepted itself, show f + 1 correct replicas prepared d, so d is the
 * only request any correct replica can commit at n; the replica executes
 * it (the paper's state transfer would bring the same entry).
 */
static void catch_up(struct _rc_pbft_node *r, struct slot *s, uint64_t n)
{
	for (uint32_t i = 0; i < s->nvt && !s->committed; i++) {
		const struct vote *x = &s->vt[i];

		if (x->type == RC_PM_COMMIT &&
		    count(s, RC_PM_COMMIT, x->v, x->d, -1, NULL, 0) >=
			    r->cfg.quorum) {
			s->committed = true;
			s->cd = x->d;
			r->io->trace(r->io->ctx, r->id, "caught-up", n, s->cd);
			execute(r);
		}
	}
}

/* prepared and committed-local at sequence n, in the replica's view. */
static void check(struct _rc_pbft_node *r, uint64_t n)
{
	const unsigned q = r->cfg.quorum;
	struct slot *s;
	uint32_t rids[RC_SIM_MAX_NODES];

	if (n >= r->ns || r->s[n].gone)
		return;
	s = &r->s[n];
	if (!s->pp || s->ppv != r->view || r->in_vc) {
		catch_up(r, s, n);
		return;
	}
	if (count(s, RC_PM_PREPARE, s->ppv, s->ppd, (int)primary(r, s->ppv),
		  rids, RC_SIM_MAX_NODES) < q - 1) {
		catch_up(r, s, n);
		return;
	}
	if (!s->cert || s->cv < s->ppv) {
		if (!s->cprep)
			s->cprep = malloc(RC_SIM_MAX_NODES * sizeof(uint32_t));
		if (s->cprep) {
			s->cert = true;
			s->cv = s->ppv;
			s->cdg = s->ppd;
			s->cpp = s->pprid;
			memcpy(s->cprep, rids, (q - 1) * sizeof(uint32_t));
		}
	}
	if (!s->commit_sent) {
		s->commit_sent = true;
		bcast(r, msg_new(RC_PM_COMMIT, s->ppv, n, s->ppd, 0));
	}
	if (s->committed ||
	    count(s, RC_PM_COMMIT, s->ppv, s->ppd, -1, NULL, 0) < q) {
		catch_up(r, s, n);
		return;
	}
	s->committed = true;
	s->cd = s->ppd;
	r->io->trace(r->io->ctx, r->id, "committed", n, s->cd);
	execute(r);
}

static void on_preprepare(struct _rc_pbft_node *r, const struct _rc_pbft_msg *m)
{
	struct slot *s;

	if (m->from != primary(r, m->v) || m->v != r->view || r->in_vc ||
	    !in_window(r, m->n))
		return;
	if (m->d != 0 && !note_request(r, m->d))
		return;
	s = slot_get(r, m->n);
	if (!s || (s->pp && s->ppv == m->v))
		return;
	s->pp = true;
	s->ppv = m->v;
	s->ppd = m->d;
	s->pprid = m->rid;
	s->commit_sent = false;
	if (r->id != primary(r, m->v))
		bcast(r, msg_new(RC_PM_PREPARE, m->v, m->n, m->d, 0));
	check(r, m->n);
}

static void on_vote(struct _rc_pbft_node *r, const struct _rc_pbft_msg *m)
{
	struct slot *s;
	size_t cap;

	if (!in_window(r, m->n) || !(s = slot_get(r, m->n)))
		return;
	for (uint32_t i = 0; i < s->nvt; i++)
		if (s->vt[i].type == m->type && s->vt[i].v == m->v &&
		    s->vt[i].d == m->d && s->vt[i].from == m->from)
			return;
	cap = s->cap;
	if (!grow((void **)&s->vt, &cap, s->nvt + 1, sizeof *s->vt))
		return;
	s->cap = (uint32_t)cap;
	s->vt[s->nvt++] = (struct vote){ .v = m->v,
					 .d = m->d,
					 .rid = m->rid,
					 .from = m->from,
					 .type = m->type };
	check(r, m->n);
}

/* The checkpoint at n with digest d is stable, proof its quorum. */
static void stabilize(struct _rc_pbft_node *r, uint64_t n, uint64_t d,
		      const uint32_t *proof)
{
	size_t k = 0;

	r->io->trace(r->io->ctx, r->id, "stable", n, d);
	for (uint64_t i = r->h + 1; i <= n && i < r->ns; i++) {
		free(r->s[i].vt);
		free(r->s[i].cprep);
		memset(&r->s[i], 0, sizeof r->s[i]);
		r->s[i].gone = true;
		r->collected++;
	}
	r->h = n;
	r->hd = d;
	memcpy(r->hproof, proof, r->cfg.quorum * sizeof *proof);
	for (size_t i = 0; i < r->nck; i++)
		if (r->ck[i].n > n)
			r->ck[k++] = r->ck[i];
	r->nck = k;
	propose(r);
}

/* The highest checkpoint with a quorum the replica has executed to. */
static void checkpoint_try(struct _rc_pbft_node *r)
{
	const unsigned q = r->cfg.quorum;
	uint32_t proof[RC_SIM_MAX_NODES];
	uint64_t best = 0, bd = 0;

	for (size_t i = 0; i < r->nck; i++) {
		unsigned c = 0;

		if (r->ck[i].n > r->last || r->ck[i].n <= best)
			continue;
		for (size_t j = 0; j < r->nck; j++)
			if (r->ck[j].n == r->ck[i].n &&
			    r->ck[j].d == r->ck[i].d && c < RC_SIM_MAX_NODES)
				proof[c++] = r->ck[j].rid;
		if (c >= q) {
			best = r->ck[i].n;
			bd = r->ck[i].d;
		}
	}
	if (best <= r->h)
		return;
	for (size_t j = 0, c = 0; j < r->nck; j++)
		if (r->ck[j].n == best && r->ck[j].d == bd)
			proof[c++] = r->ck[j].rid;
	stabilize(r, best, bd, proof);
}

static void on_checkpoint(struct _rc_pbft_node *r, const struct _rc_pbft_msg *m)
{
	if (m->n <= r->h || m->n % RC_PBFT_CHECKPOINT)
		return;
	for (size_t i = 0; i < r->nck; i++)
		if (r->ck[i].n == m->n && r->ck[i].from == m->from)
			return;
	if (!grow((void **)&r->ck, &r->capck, r->nck + 1, sizeof *r->ck))
		return;
	r->ck[r->nck++] = (struct ckvote){
		.n = m->n, .d = m->d, .rid = m->rid, .from = m->from
	};
	checkpoint_try(r);
}

static const struct _rc_pbft_msg *lookup(const struct _rc_pbft_node *r,
					 uint32_t rid, uint8_t type)
{
	const struct _rc_pbft_msg *m = r->io->lookup(r->io->ctx, rid);

	return m && m->type == type ? m : NULL;
}

/* Whether a VIEW-CHANGE's proof and certificates check out. */
static bool vc_valid(const struct _rc_pbft_node *r,
		     const struct _rc_pbft_msg *m)
{
	const unsigned q = r->cfg.quorum;
	uint64_t seen = 0;
	uint32_t rest;

	if (m->type != RC_PM_VIEWCHANGE || m->aux > m->nref)
		return false;
	if (m->n == 0 ? m->aux != 0 || m->d != 0 : m->aux != q)
		return false;
	for (uint32_t i = 0; i < m->aux; i++) {
		const struct _rc_pbft_msg *c =
			lookup(r, m->ref[i], RC_PM_CHECKPOINT);

		if (!c || c->n != m->n || c->d != m->d || (seen >> c->from & 1))
			return false;
		seen |= 1ull << c->from;
	}
	rest = m->nref - m->aux;
	if (rest % q)
		return false;
	for (uint32_t i = m->aux; i < m->nref; i += q) {
		const struct _rc_pbft_msg *pp =
			lookup(r, m->ref[i], RC_PM_PREPREPARE);

		if (!pp || pp->from != primary(r, pp->v) || pp->v >= m->v ||
		    pp->n <= m->n || pp->n > m->n + RC_PBFT_WINDOW)
			return false;
		seen = 0;
		for (uint32_t j = 1; j < q; j++) {
			const struct _rc_pbft_msg *p =
				lookup(r, m->ref[i + j], RC_PM_PREPARE);

			if (!p || p->v != pp->v || p->n != pp->n ||
			    p->d != pp->d || p->from == pp->from ||
			    (seen >> p->from & 1))
				return false;
			seen |= 1ull << p->from;
		}
	}
	return true;
}

/*
 * O from view changes vcs[0..nvc): *min_s, *max_s, and d[i] the digest at
 * min_s + 1 + i (the certificate of the highest view, or null). Every
 * view change must be valid.
 */
static void compute_o(const struct _rc_pbft_node *r,
		      const struct _rc_pbft_msg *const *vcs, size_t nvc,
		      uint64_t *min_s, uint64_t *max_s, uint64_t *d, size_t *ck)
{
	const unsigned q = r->cfg.quorum;
	uint64_t bestv[RC_PBFT_WINDOW];

	*min_s = 0;
	*ck = 0;
	for (size_t i = 0; i < nvc; i++)
		if (vcs[i]->n > *min_s) {
			*min_s = vcs[i]->n;
			*ck = i;
		}
	*max_s = *min_s;
	for (size_t i = 0; i < RC_PBFT_WINDOW; i++) {
		d[i] = 0;
		bestv[i] = 0;
	}
	for (size_t i = 0; i < nvc; i++)
		for (uint32_t j = vcs[i]->aux; j < vcs[i]->nref; j += q) {
			const struct _rc_pbft_msg *pp =
				r->io->lookup(r->io->ctx, vcs[i]->ref[j]);
			uint64_t k;

			if (pp->n <= *min_s || pp->n > *min_s + RC_PBFT_WINDOW)
				continue;
			k = pp->n - *min_s - 1;
			if (pp->n > *max_s)
				*max_s = pp->n;
			if (bestv[k] == 0 || pp->v + 1 > bestv[k]) {
				bestv[k] = pp->v + 1;
				d[k] = pp->d;
			}
		}
}

static void start_vc(struct _rc_pbft_node *r, uint64_t v);

static void send_newview(struct _rc_pbft_node *r)
{
	const unsigned q = r->cfg.quorum;
	const struct _rc_pbft_msg *vcs[RC_SIM_MAX_NODES];
	uint32_t rids[RC_SIM_MAX_NODES];
	uint64_t seen = 0, min_s, max_s, d[RC_PBFT_WINDOW];
	size_t nvc = 0, ck;
	struct _rc_pbft_msg *nv;

	for (size_t i = 0; i < r->nvc && nvc < q; i++)
		if (r->vc[i].v == r->view && !(seen >> r->vc[i].from & 1)) {
			seen |= 1ull << r->vc[i].from;
			rids[nvc] = r->vc[i].rid;
			vcs[nvc++] = r->io->lookup(r->io->ctx, r->vc[i].rid);
		}
	if (nvc < q)
		return;
	r->nv_sent = r->view + 1;
	compute_o(r, vcs, nvc, &min_s, &max_s, d, &ck);
	nv = msg_new(RC_PM_NEWVIEW, r->view, 0, 0,
		     (uint32_t)(nvc + (max_s - min_s)));
	if (!nv)
		return;
	nv->aux = (uint32_t)nvc;
	memcpy(nv->ref, rids, nvc * sizeof *rids);
	for (uint64_t n = min_s + 1; n <= max_s; n++)
		nv->ref[nvc + n - min_s - 1] =
			bcast(r, msg_new(RC_PM_PREPREPARE, r->view, n,
					 d[n - min_s - 1], 0));
	r->io->trace(r->io->ctx, r->id, "new-view", r->view, max_s - min_s);
	bcast(r, nv);
}

static void on_viewchange(struct _rc_pbft_node *r, const struct _rc_pbft_msg *m)
{
	uint64_t seen = 0, lowest = UINT64_MAX;

	if (m->v <= r->view && !(m->v == r->view && r->in_vc))
		return;
	for (size_t i = 0; i < r->nvc; i++)
		if (r->vc[i].v == m->v && r->vc[i].from == m->from)
			return;
	if (!vc_valid(r, m) ||
	    !grow((void **)&r->vc, &r->capvc, r->nvc + 1, sizeof *r->vc))
		return;
	r->vc[r->nvc++] =
		(struct vcvote){ .v = m->v, .rid = m->rid, .from = m->from };
	/* f + 1 replicas ask for views above ours: join the smallest */
	for (size_t i = 0; i < r->nvc; i++)
		if (r->vc[i].v > r->view && r->vc[i].from != r->id) {
			seen |= 1ull << r->vc[i].from;
			if (r->vc[i].v < lowest)
				lowest = r->vc[i].v;
		}
	if ((unsigned)__builtin_popcountll(seen) >= r->f + 1) {
		start_vc(r, lowest);
		return;
	}
	if (primary(r, r->view) == r->id && r->in_vc &&
	    r->nv_sent != r->view + 1)
		send_newview(r);
}

static void start_vc(struct _rc_pbft_node *r, uint64_t v)
{
	const unsigned q = r->cfg.quorum;
	uint32_t nref = r->h ? q : 0;
	struct _rc_pbft_msg *m;
	size_t k = 0;

	for (uint64_t n = r->h + 1; n < r->ns; n++)
		nref += r->s[n].cert ? q : 0;
	r->view = v;
	r->in_vc = true;
	if (r->tries < 10)
		r->tries++;
	r->timer = r->now + (r->cfg.timeout << r->tries);
	r->io->trace(r->io->ctx, r->id, "view-change", v, r->h);
	m = msg_new(RC_PM_VIEWCHANGE, v, r->h, r->h ? r->hd : 0, nref);
	if (!m)
		return;
	m->aux = r->h ? q : 0;
	for (; k < m->aux; k++)
		m->ref[k] = r->hproof[k];
	for (uint64_t n = r->h + 1; n < r->ns; n++) {
		if (!r->s[n].cert)
			continue;
		m->ref[k++] = r->s[n].cpp;
		memcpy(&m->ref[k], r->s[n].cprep, (q - 1) * sizeof(uint32_t));
		k += q - 1;
	}
	/* drop view changes for views this one passes */
	k = 0;
	for (size_t i = 0; i < r->nvc; i++)
		if (r->vc[i].v >= v)
			r->vc[k++] = r->vc[i];
	r->nvc = k;
	bcast(r, m);
}

static void on_newview(struct _rc_pbft_node *r, const struct _rc_pbft_msg *m)
{
	const unsigned q = r->cfg.quorum;
	const struct _rc_pbft_msg *vcs[RC_SIM_MAX_NODES];
	uint64_t seen = 0, min_s, max_s, d[RC_PBFT_WINDOW];
	size_t ck;

	if (m->from != primary(r, m->v) || m->v < r->view ||
	    (m->v == r->view && !r->in_vc))
		return;
	if (m->aux < q || m->aux > RC_SIM_MAX_NODES || m->aux > m->nref)
		return;
	for (uint32_t i = 0; i < m->aux; i++) {
		const struct _rc_pbft_msg *vc =
			lookup(r, m->ref[i], RC_PM_VIEWCHANGE);

		if (!vc || vc->v != m->v || (seen >> vc->from & 1) ||
		    !vc_valid(r, vc))
			return;
		seen |= 1ull << vc->from;
		vcs[i] = vc;
	}
	compute_o(r, vcs, m->aux, &min_s, &max_s, d, &ck);
	if (m->nref - m->aux != max_s - min_s)
		return;
	for (uint64_t n = min_s + 1; n <= max_s; n++) {
		const struct _rc_pbft_msg *pp = lookup(
			r, m->ref[m->aux + n - min_s - 1], RC_PM_PREPREPARE);

		if (!pp || pp->from != m->from || pp->v != m->v || pp->n != n ||
		    pp->d != d[n - min_s - 1])
			return;
	}
	r->io->trace(r->io->ctx, r->id, "enter-view", m->v, max_s - min_s);
	r->view = m->v;
	r->in_vc = false;
	r->tries = 0;
	r->timer = UINT64_MAX;
	if (min_s > r->h && r->last >= min_s)
		stabilize(r, min_s, vcs[ck]->d, vcs[ck]->ref);
	r->next = (max_s > r->h ? max_s : r->h) + 1;
	for (uint64_t n = min_s + 1; n <= max_s; n++) {
		uint32_t rid = m->ref[m->aux + n - min_s - 1];
		struct slot *s;

		if (!in_window(r, n) || !(s = slot_get(r, n)))
			continue;
		if (d[n - min_s - 1])
			note_request(r, d[n - min_s - 1]);
		s->pp = true;
		s->ppv = m->v;
		s->ppd = d[n - min_s - 1];
		s->pprid = rid;
		s->commit_sent = false;
		if (r->id != m->from)
			bcast(r, msg_new(RC_PM_PREPARE, m->v, n, s->ppd, 0));
	}
	for (uint64_t n = r->h + 1; n < r->ns; n++)
		check(r, n);
	arm(r);
	propose(r);
}

/* Conflicting votes: for what it sees, and for what it did not. */
static void conflict(struct _rc_pbft_node *r, const struct _rc_pbft_msg *m)
{
	struct slot *s;
	uint64_t alt = m->d ? 0 : 1;

	if (!in_window(r, m->n) || !(s = slot_get(r, m->n)) ||
	    s->byzv == m->v + 1)
		return;
	s->byzv = m->v + 1;
	bcast(r, msg_new(RC_PM_PREPARE, m->v, m->n, m->d, 0));
	bcast(r, msg_new(RC_PM_PREPARE, m->v, m->n, alt, 0));
	bcast(r, msg_new(RC_PM_COMMIT, m->v, m->n, m->d, 0));
	bcast(r, msg_new(RC_PM_COMMIT, m->v, m->n, alt, 0));
}

static void handle(struct _rc_pbft_node *r, const struct _rc_pbft_msg *m)
{
	if (r->beh == RC_PBFT_CONFLICT && m->from != r->id &&
	    (m->type == RC_PM_PREPREPARE || m->type == RC_PM_PREPARE))
		conflict(r, m);
	switch (m->type) {
	case RC_PM_REQUEST:
		if (note_request(r, m->d))
			propose(r);
		break;
	case RC_PM_PREPREPARE:
		on_preprepare(r, m);
		break;
	case RC_PM_PREPARE:
	case RC_PM_COMMIT:
		on_vote(r, m);
		break;
	case RC_PM_CHECKPOINT:
		on_checkpoint(r, m);
		break;
	case RC_PM_VIEWCHANGE:
		on_viewchange(r, m);
		break;
	case RC_PM_NEWVIEW:
		on_newview(r, m);
		break;
	}
}

static void drain(struct _rc_pbft_node *r)
{
	while (r->in.head < r->in.len) {
		struct _rc_pbft_msg *m = r->in.m[r->in.head++];

		handle(r, m);
		free(m);
	}
}

struct _rc_pbft_node *_rc_pbft_node_create(const struct _rc_pbft_cfg *cfg,
					   unsigned id, unsigned behaviour,
					   const struct _rc_pbft_io *io)
{
	struct _rc_pbft_node *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->cfg = *cfg;
	r->id = id;
	r->beh = behaviour;
	r->f = (cfg->nodes - 1) / 3;
	r->io = io;
	r->next = 1;
	r->timer = UINT64_MAX;
	r->replay_at = behaviour == RC_PBFT_REPLAY ? 50 : UINT64_MAX;
	r->req = calloc(cfg->requests + 1, 1);
	r->hproof = calloc(RC_SIM_MAX_NODES, sizeof *r->hproof);
	if (!r->req || !r->hproof) {
		_rc_pbft_node_destroy(r);
		return NULL;
	}
	return r;
}

void _rc_pbft_node_destroy(struct _rc_pbft_node *r)
{
	if (!r)
		return;
	for (uint64_t n = 0; n < r->ns; n++) {
		free(r->s[n].vt);
		free(r->s[n].cprep);
	}
	while (r->in.head < r->in.len)
		free(r->in.m[r->in.head++]);
	free(r->in.m);
	free(r->s);
	free(r->req);
	free(r->hproof);
	free(r->queue);
	free(r->ck);
	free(r->vc);
	free(r);
}

void _rc_pbft_node_request(struct _rc_pbft_node *r, uint64_t now, uint64_t d)
{
	if (r->beh == RC_PBFT_SILENT)
		return;
	r->now = now;
	bcast(r, msg_new(RC_PM_REQUEST, 0, 0, d, 0));
	drain(r);
}

void _rc_pbft_node_recv(struct _rc_pbft_node *r, uint64_t now,
			const struct _rc_pbft_msg *m)
{
	if (r->beh == RC_PBFT_SILENT)
		return;
	r->now = now;
	handle(r, m);
	drain(r);
}

void _rc_pbft_node_tick(struct _rc_pbft_node *r, uint64_t now)
{
	if (r->beh == RC_PBFT_SILENT)
		return;
	r->now = now;
	if (r->replay_at <= now) {
		uint32_t n = r->io->registered(r->io->ctx);
		uint64_t x = r->io->rand(r->io->ctx);

		if (n)
			r->io->replay(r->io->ctx, r->id,
				      (unsigned)(x % r->cfg.nodes),
				      (uint32_t)(1 + (x >> 8) % n));
		r->replay_at = ++r->replays < MAX_REPLAYS
				       ? now + 50 + (x >> 40) % 100
				       : UINT64_MAX;
	}
	if (r->timer <= now)
		start_vc(r, r->view + 1);
	drain(r);
}

uint64_t _rc_pbft_node_deadline(const struct _rc_pbft_node *r)
{
	if (r->beh == RC_PBFT_SILENT)
		return UINT64_MAX;
	return r->timer < r->replay_at ? r->timer : r->replay_at;
}

uint64_t _rc_pbft_node_executed(const struct _rc_pbft_node *r)
{
	return r->executed;
}

bool _rc_pbft_node_has_executed(const struct _rc_pbft_node *r, uint64_t d)
{
	return d <= r->cfg.requests && (r->req[d] & EXECUTED);
}

uint64_t _rc_pbft_node_view(const struct _rc_pbft_node *r)
{
	return r->view;
}

uint64_t _rc_pbft_node_stable(const struct _rc_pbft_node *r)
{
	return r->h;
}

uint64_t _rc_pbft_node_collected(const struct _rc_pbft_node *r)
{
	return r->collected;
}

const char *_rc_pbft_behaviour_name(unsigned b)
{
	static const char *const names[] = { "correct", "silent", "equivocate",
					     "conflict", "replay" };

	return b < RC_PBFT_BEHAVIOURS ? names[b] : "?";
}

void _rc_pbft_msg_describe(const struct _rc_pbft_msg *m, char *buf, size_t len)
{
	static const char *const names[] = { "?",	    "request",
					     "pre-prepare", "prepare",
					     "commit",	    "checkpoint",
					     "view-change", "new-view" };

	snprintf(buf, len, "%s from=%u v=%llu n=%llu d=%llu refs=%u rid=%u",
		 names[m->type <= RC_PM_NEWVIEW ? m->type : 0], m->from,
		 (unsigned long long)m->v, (unsigned long long)m->n,
		 (unsigned long long)m->d, m->nref, m->rid);
}
