/* SPDX-License-Identifier: MIT */
/* commit.c: two-phase and three-phase commit as one deterministic step machine per node, with the termination protocols and recovery from the node's record. */
#include <stdlib.h>
#include <string.h>

#include "protocols/commit/commit.h"
#include "protocols/rand.h"

/*
 * Invariant: a node records (io->record) every vote, pre-commit and
 * decision before it sends it, and never changes a decision; so no node
 * ever decides one way while another decides the other (atomicity), and
 * commit is decided only after every participant recorded a yes vote
 * (validity).
 *
 * Transaction txn is begun at one node, its coordinator; every other node
 * is a participant. The coordinator sends PREPARE; a participant votes
 * (_rc_commit_vote, from the seed), recording the vote first; a no vote
 * aborts it at once. The coordinator aborts on a no vote or when the
 * votes are not all in within VOTE_TIMEOUT.
 *
 * 2PC: with every yes the coordinator records commit and sends it. A
 * participant that voted yes and hears nothing within TIMEOUT asks every
 * node (ASK, again with a doubling backoff): a decided node answers with
 * its decision, a node that has not voted aborts and answers abort, an
 * uncertain one cannot answer. While the coordinator is down after the
 * votes and no participant knows the decision, the participants block.
 *
 * 3PC (Skeen 1981): with every yes the coordinator records pre-commit,
 * sends PRECOMMIT and waits for ACK from every node that is up (the
 * failure detector, io->reachable), then records and sends commit. A
 * participant whose leader is down runs the termination protocol: it
 * leads round r (rounds are (count << 6) | node, above any it saw) and
 * asks every node's state (STATEREQ); a node answers once it promised r
 * (it then ignores lower rounds), a node that has not voted aborts. With
 * every node that is up answered: a decision is adopted; if any is
 * committable the leader records pre-commit, sends PRECOMMIT(r), waits
 * for every ACK(r) and commits; if all are uncertain it aborts. A node
 * that restarted undecided (recovering) takes no part (it answers
 * RECOVERING and the leader leaves it out) and only asks for the
 * decision. The rule is safe only with an exact failure detector: across
 * a partition each side sees the other as down and may decide otherwise.
 */

#define RETRY 100	  /* us between resends */
#define TIMEOUT 500	  /* us a participant waits for its leader */
#define VOTE_TIMEOUT 1500 /* us the coordinator waits for the votes */
#define ASK_MAX 32768	  /* us between asks at most */

struct txn {
	uint8_t known, st, rec, lead; /* lead: 1 collecting, 2 pre-commit */
	uint8_t seen_pre;	      /* a node answered committable */
	uint16_t coord;
	uint32_t promised, lround;
	uint64_t got, excl; /* answered, left out (recovering) */
	uint64_t timer, backoff, vote_by;
};

struct _rc_commit_node {
	enum _rc_commit_kind kind;
	unsigned nodes, id, ntxn;
	uint64_t seed;
	struct _rc_commit_io io;
	struct txn *t; /* [1..ntxn] */
};

bool _rc_commit_vote(uint64_t seed, uint32_t txn, unsigned node)
{
	uint64_t x = seed ^ ((uint64_t)txn << 20) ^ ((uint64_t)node << 8);

	return _rc_rand(&x) % 8 != 0;
}

static void send(struct _rc_commit_node *n, unsigned to, int type, uint32_t txn,
		 uint32_t round, int val)
{
	struct _rc_commit_msg m = { 0 };

	m.type = (uint8_t)type;
	m.val = (uint8_t)val;
	m.from = (uint16_t)n->id;
	m.coord = n->t[txn].coord;
	m.txn = txn;
	m.round = round;
	n->io.send(n->io.ctx, n->id, to, &m);
}

static void send_all(struct _rc_commit_node *n, int type, uint32_t txn,
		     uint32_t round, uint64_t skip)
{
	for (unsigned j = 0; j < n->nodes; j++)
		if (j != n->id && !(skip >> j & 1))
			send(n, j, type, txn, round, 0);
}

static void record(struct _rc_commit_node *n, uint32_t txn, int kind)
{
	struct _rc_commit_rec r = { 0 };

	r.txn = txn;
	r.coord = n->t[txn].coord;
	r.kind = (uint8_t)kind;
	n->io.record(n->io.ctx, n->id, &r);
}

static bool decided(const struct txn *t)
{
	return t->st == RC_CS_COMMIT || t->st == RC_CS_ABORT;
}

/* Records decision st (commit or abort); a leader tells every other node. */
static void decide(struct _rc_commit_node *n, uint32_t txn, int st)
{
	bool tell = n->t[txn].lead != 0;

	struct txn *t = &n->t[txn];

	if (decided(t))
		return;
	t->known = 1;
	record(n, txn, st == RC_CS_COMMIT ? RC_CR_COMMIT : RC_CR_ABORT);
	t->st = (uint8_t)st;
	t->lead = 0;
	t->rec = 0;
	t->timer = 0;
	if (tell)
		send_all(n, st == RC_CS_COMMIT ? RC_CM_COMMIT : RC_CM_ABORT,
			 txn, 0, 0);
}

static void answer_decision(struct _rc_commit_node *n, unsigned to,
			    uint32_t txn)
{
	send(n, to, n->t[txn].st == RC_CS_COMMIT ? RC_CM_COMMIT : RC_CM_ABORT,
	     txn, 0, 0);
}

/* Whether every other node answered, was left out or is down. */
static bool all_in(const struct _rc_commit_node *n, const struct txn *t)
{
	for (unsigned j = 0; j < n->nodes; j++)
		if (j != n->id && !((t->got | t->excl) >> j & 1) &&
		    n->io.reachable(n->io.ctx, n->id, j))
			return false;
	return true;
}

static void start_precommit(struct _rc_commit_node *n, uint32_t txn,
			    uint64_t now)
{
	struct txn *t = &n->t[txn];

	if (t->st != RC_CS_COMMITTABLE) {
		record(n, txn, RC_CR_PRECOMMIT);
		t->st = RC_CS_COMMITTABLE;
	}
	t->lead = 2;
	t->got = 0;
	send_all(n, RC_CM_PRECOMMIT, txn, t->lround, t->excl);
	t->timer = now + RETRY;
}

/* A leader's next step, once what it waits for may be in. */
static void progress(struct _rc_commit_node *n, uint32_t txn, uint64_t now)
{
	struct txn *t = &n->t[txn];

	if (!t->lead || decided(t))
		return;
	if (t->lead == 1 && t->lround == 0) { /* the votes */
		uint64_t all =
			(n->nodes == 64 ? ~0ull : (1ull << n->nodes) - 1) &
			~(1ull << n->id);

		if (t->got != all) {
			if (now >= t->vote_by)
				decide(n, txn, RC_CS_ABORT);
			return;
		}
		if (n->kind == RC_COMMIT_2PC)
			decide(n, txn, RC_CS_COMMIT);
		else
			start_precommit(n, txn, now);
		return;
	}
	if (!all_in(n, t))
		return;
	/* A decided node answered with its decision, adopted on receipt. */
	if (t->lead == 2) {
		decide(n, txn, RC_CS_COMMIT);
	} else if (t->seen_pre || t->st == RC_CS_COMMITTABLE) {
		start_precommit(n, txn, now);
	} else {
		decide(n, txn, RC_CS_ABORT);
	}
}

void _rc_commit_node_begin(struct _rc_commit_node *n, uint64_t now,
			   uint32_t txn)
{
	struct txn *t = &n->t[txn];

	if (txn < 1 || txn > n->ntxn || t->known)
		return;
	t->known = 1;
	t->coord = (uint16_t)n->id;
	t->lead = 1;
	t->lround = 0;
	t->got = 0;
	t->vote_by = now + VOTE_TIMEOUT;
	t->timer = now + RETRY;
	send_all(n, RC_CM_PREPARE, txn, 0, 0);
	progress(n, txn, now); /* one node: nobody to ask */
}

/* A participant that voted yes waits for its leader from now. */
static void wait_leader(struct txn *t, uint64_t now)
{
	t->timer = now + TIMEOUT;
	t->backoff = RETRY;
}

/* Aborts a transaction the node has not voted on (it may, alone). */
static void abort_unvoted(struct _rc_commit_node *n, uint32_t txn,
			  unsigned coord)
{
	struct txn *t = &n->t[txn];

	if (!t->known) {
		t->known = 1;
		t->coord = (uint16_t)coord;
	}
	decide(n, txn, RC_CS_ABORT);
}

void _rc_commit_node_recv(struct _rc_commit_node *n, uint64_t now,
			  const struct _rc_commit_msg *m)
{
	uint32_t txn = m->txn;
	struct txn *t;

	if (txn < 1 || txn > n->ntxn || m->from >= n->nodes)
		return;
	t = &n->t[txn];
	switch (m->type) {
	case RC_CM_PREPARE:
		if (!t->known) {
			t->known = 1;
			t->coord = m->coord;
			if (_rc_commit_vote(n->seed, txn, n->id)) {
				record(n, txn, RC_CR_YES);
				t->st = RC_CS_UNCERTAIN;
				wait_leader(t, now);
			} else {
				record(n, txn, RC_CR_ABORT);
				t->st = RC_CS_ABORT;
			}
		}
		send(n, m->from, RC_CM_VOTE, txn, 0, t->st != RC_CS_ABORT);
		break;
	case RC_CM_VOTE:
		if (t->lead != 1 || t->lround != 0 || decided(t))
			break;
		if (!m->val)
			decide(n, txn, RC_CS_ABORT);
		else
			t->got |= 1ull << m->from;
		progress(n, txn, now);
		break;
	case RC_CM_PRECOMMIT:
		if (decided(t)) {
			answer_decision(n, m->from, txn);
			break;
		}
		if (t->rec) {
			send(n, m->from, RC_CM_RECOVERING, txn, m->round, 0);
			break;
		}
		if (t->st == RC_CS_NONE || m->round < t->promised)
			break;
		if (t->lead && t->lround < m->round)
			t->lead = 0;
		t->promised = m->round;
		if (t->st == RC_CS_UNCERTAIN) {
			record(n, txn, RC_CR_PRECOMMIT);
			t->st = RC_CS_COMMITTABLE;
		}
		if (!t->lead)
			wait_leader(t, now);
		send(n, m->from, RC_CM_ACK, txn, m->round, 0);
		break;
	case RC_CM_ACK:
		if (t->lead == 2 && t->lround == m->round) {
			t->got |= 1ull << m->from;
			progress(n, txn, now);
		}
		break;
	case RC_CM_RECOVERING:
		if (t->lead && t->lround == m->round) {
			t->excl |= 1ull << m->from;
			progress(n, txn, now);
		}
		break;
	case RC_CM_COMMIT:
	case RC_CM_ABORT:
		if (!t->known) {
			t->known = 1;
			t->coord = m->coord;
		}
		decide(n, txn,
		       m->type == RC_CM_COMMIT ? RC_CS_COMMIT : RC_CS_ABORT);
		break;
	case RC_CM_ASK:
		if (decided(t))
			answer_decision(n, m->from, txn);
		else if (t->st == RC_CS_NONE && !t->lead) {
			abort_unvoted(n, txn, m->coord);
			answer_decision(n, m->from, txn);
		}
		break;
	case RC_CM_STATEREQ:
		if (decided(t)) {
			answer_decision(n, m->from, txn);
			break;
		}
		if (t->rec) {
			send(n, m->from, RC_CM_RECOVERING, txn, m->round, 0);
			break;
		}
		if (t->st == RC_CS_NONE) {
			/* Not voted, or the coordinator before pre-commit. */
			abort_unvoted(n, txn, m->coord);
			answer_decision(n, m->from, txn);
			break;
		}
		if (m->round < t->promised)
			break;
		if (t->lead && t->lround < m->round)
			t->lead = 0;
		t->promised = m->round;
		if (!t->lead)
			wait_leader(t, now);
		send(n, m->from, RC_CM_STATE, txn, m->round, t->st);
		break;
	case RC_CM_STATE:
		if (t->lead != 1 || t->lround != m->round || !m->round)
			break;
		t->got |= 1ull << m->from;
		if (m->val == RC_CS_COMMITTABLE)
			t->seen_pre = 1;
		progress(n, txn, now);
		break;
	}
}

/* A 3PC participant whose leader is down leads a new round. */
static void terminate(struct _rc_commit_node *n, uint32_t txn, uint64_t now)
{
	struct txn *t = &n->t[txn];

	t->lround = ((t->promised >> 6) + 1) << 6 | n->id;
	t->promised = t->lround;
	t->lead = 1;
	t->got = t->excl = 0;
	t->seen_pre = 0;
	send_all(n, RC_CM_STATEREQ, txn, t->lround, 0);
	t->timer = now + RETRY;
	progress(n, txn, now); /* nobody else up: decide alone */
}

static void tick_txn(struct _rc_commit_node *n, uint32_t txn, uint64_t now)
{
	struct txn *t = &n->t[txn];
	unsigned leader;

	if (decided(t)) {
		t->timer = 0;
		return;
	}
	if (t->lead) { /* resend to whoever has not answered */
		int type = t->lead == 2 ? RC_CM_PRECOMMIT
			   : t->lround	? RC_CM_STATEREQ
					: RC_CM_PREPARE;

		send_all(n, type, txn, t->lround, t->got | t->excl);
		t->timer = now + RETRY;
		progress(n, txn, now);
		return;
	}
	if (t->st != RC_CS_UNCERTAIN && t->st != RC_CS_COMMITTABLE) {
		t->timer = 0;
		return;
	}
#ifdef RC_COMMIT_BROKEN_TIMEOUT
	/* Broken on purpose: a participant commits on its own timeout. */
	decide(n, txn, RC_CS_COMMIT);
	return;
#endif
	if (n->kind == RC_COMMIT_3PC && !t->rec) {
		leader = t->promised ? (t->promised & 63) : t->coord;
		if (leader != n->id &&
		    n->io.reachable(n->io.ctx, n->id, leader)) {
			/* Up: it may have decided and the news been lost. */
			send(n, leader, RC_CM_ASK, txn, 0, 0);
			t->timer = now + TIMEOUT;
			return;
		}
		terminate(n, txn, now);
		return;
	}
	/* 2PC, or a recovering node: ask everyone. */
	send_all(n, RC_CM_ASK, txn, 0, 0);
	t->timer = now + t->backoff;
	if (t->backoff < ASK_MAX)
		t->backoff *= 2;
}

void _rc_commit_node_tick(struct _rc_commit_node *n, uint64_t now)
{
	for (uint32_t k = 1; k <= n->ntxn; k++)
		if (n->t[k].timer && n->t[k].timer <= now)
			tick_txn(n, k, now);
}

uint64_t _rc_commit_node_deadline(const struct _rc_commit_node *n)
{
	uint64_t d = UINT64_MAX;

	for (uint32_t k = 1; k <= n->ntxn; k++)
		if (n->t[k].timer && n->t[k].timer < d)
			d = n->t[k].timer;
	return d;
}

void _rc_commit_node_recover(struct _rc_commit_node *n, uint64_t now,
			     const struct _rc_commit_rec *recs, size_t nrecs)
{
	memset(n->t, 0, (n->ntxn + 1) * sizeof *n->t);
	for (size_t i = 0; i < nrecs; i++) {
		struct txn *t;

		if (recs[i].txn < 1 || recs[i].txn > n->ntxn)
			continue;
		t = &n->t[recs[i].txn];
		t->known = 1;
		t->coord = recs[i].coord;
		switch (recs[i].kind) {
		case RC_CR_YES:
			t->st = RC_CS_UNCERTAIN;
			break;
		case RC_CR_PRECOMMIT:
			t->st = RC_CS_COMMITTABLE;
			break;
		case RC_CR_COMMIT:
			t->st = RC_CS_COMMIT;
			break;
		case RC_CR_ABORT:
			t->st = RC_CS_ABORT;
			break;
		}
	}
	for (uint32_t k = 1; k <= n->ntxn; k++) {
		struct txn *t = &n->t[k];

		if (t->st == RC_CS_UNCERTAIN || t->st == RC_CS_COMMITTABLE) {
			/* Undecided: ask, take no part in termination. */
			t->rec = 1;
			t->timer = now;
			t->backoff = RETRY;
		}
	}
}

int _rc_commit_node_state(const struct _rc_commit_node *n, uint32_t txn,
			  bool *recovering)
{
	*recovering = n->t[txn].rec;
	return n->t[txn].known ? n->t[txn].st : RC_CS_NONE;
}

unsigned _rc_commit_node_undecided(const struct _rc_commit_node *n)
{
	unsigned u = 0;

	for (uint32_t k = 1; k <= n->ntxn; k++)
		if (n->t[k].st == RC_CS_UNCERTAIN ||
		    n->t[k].st == RC_CS_COMMITTABLE)
			u++;
	return u;
}

struct _rc_commit_node *_rc_commit_node_create(enum _rc_commit_kind kind,
					       unsigned nodes, unsigned id,
					       unsigned txns, uint64_t seed,
					       const struct _rc_commit_io *io)
{
	struct _rc_commit_node *n = calloc(1, sizeof *n);

	if (!n)
		return NULL;
	n->t = calloc((size_t)txns + 1, sizeof *n->t);
	if (!n->t) {
		free(n);
		return NULL;
	}
	n->kind = kind;
	n->nodes = nodes;
	n->id = id;
	n->ntxn = txns;
	n->seed = seed;
	n->io = *io;
	return n;
}

void _rc_commit_node_destroy(struct _rc_commit_node *n)
{
	if (!n)
		return;
	free(n->t);
	free(n);
}

void _rc_commit_msg_describe(const struct _rc_commit_msg *m, char *buf,
			     size_t len)
{
	static const char *const names[] = {
		"?",	    "PREPARE", "VOTE",	     "PRECOMMIT",
		"ACK",	    "COMMIT",  "ABORT",	     "ASK",
		"STATEREQ", "STATE",   "RECOVERING",
	};
	const char *name =
		m->type < sizeof names / sizeof names[0] ? names[m->type] : "?";

	if (m->type == RC_CM_VOTE)
		snprintf(buf, len, "VOTE txn=%u %s", m->txn,
			 m->val ? "yes" : "no");
	else if (m->type == RC_CM_STATE)
		snprintf(buf, len, "STATE txn=%u r=%u st=%u", m->txn, m->round,
			 m->val);
	else if (m->round)
		snprintf(buf, len, "%s txn=%u r=%u", name, m->txn, m->round);
	else
		snprintf(buf, len, "%s txn=%u", name, m->txn);
}
