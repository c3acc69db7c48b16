/* SPDX-License-Identifier: MIT */
/* raft.c: Raft as one deterministic step machine per node: leader election with randomised timeouts and an optional pre-vote, log replication, commitment, the repair of followers' logs, recovery from the node's record. */
#include <stdlib.h>
#include <string.h>

#include "protocols/raft/raft.h"

/*
 * Raft (Ongaro and Ousterhout, "In Search of an Understandable Consensus
 * Algorithm", USENIX ATC 2014), section 5, with the no-op entry of
 * section 8 and the pre-vote round of Ongaro's thesis (section 9.6).
 *
 * Invariant (state-machine safety): no two nodes apply different entries
 * at one index. It rests on four facts, each checked by check.c:
 *
 *  - Election safety: a node votes at most once per term (the vote is
 *    recorded before it is sent) and a leader needs a majority of votes,
 *    so a term has at most one leader.
 *  - Log matching: a leader creates at most one entry per index in its
 *    term and never moves it; a follower accepts entries only after the
 *    entry before them matches (index and term: the AppendEntries
 *    consistency check), so by induction two logs that agree on the term
 *    at an index agree on everything before it.
 *  - Leader completeness: a leader counts an entry committed only if it
 *    is of its own term and stored at a majority; a vote goes only to a
 *    candidate whose log is at least as up to date (last term, then
 *    length) as the voter's. Every majority of voters meets every
 *    majority that stored a committed entry, so every later leader holds
 *    it. Counting replicas of an entry of an earlier term is not enough
 *    (the paper's figure 8): a leader of a later term that lacks the entry
 *    may still be elected and overwrite it. Built with
 *    -DRC_RAFT_BROKEN_COMMIT, the leader counts them all the same (and so
 *    skips the no-op a new leader appends, which that rule makes
 *    unneeded for progress), so that the checks can be seen to catch it.
 *  - A leader commits only a prefix of its log; followers apply only up
 *    to the leader's commit index and only over entries that passed the
 *    consistency check for it, so whatever they apply is in the leader's
 *    log, hence (completeness) in every later leader's log.
 *
 * Persistent state (term, vote, log) is written to the record before any
 * message that depends on it is sent; a node that restarts rebuilds it
 * from the record and starts as a follower with nothing applied. The
 * client commands accepted at a node are recorded too and forwarded to
 * the leader until the node applies them, so none submitted at a node
 * that lives is lost; the leader appends a command only if its log does
 * not hold it already, so no command is committed twice (a log holding it
 * keeps it in every later leader's log before any later copy, by log
 * matching and the order of terms).
 *
 * A follower whose log does not match the leader's answers with the term
 * of its conflicting entry and the first index of that term; the leader
 * skips to its own last entry of that term, or to that index (the
 * paper's section 5.3 optimisation); cfg->decrement makes it step back one
 * index per round trip instead.
 */

/* The simulation's times (struct _rc_raft_cfg), in its microseconds. */
#define HEARTBEAT 30	/* between a leader's AppendEntries rounds */
#define ELECT_MIN 150	/* an election timeout is ELECT_MIN .. */
#define ELECT_RANGE 150 /* .. ELECT_MIN + ELECT_RANGE - 1 */
#define RESEND 200	/* between forwards of pending commands */

enum { FOLLOWER, PRECANDIDATE, CANDIDATE, LEADER };
#define NONE UINT32_MAX

struct _rc_raft_node {
	struct _rc_raft_cfg cfg;
	unsigned id;
	struct _rc_raft_io io;
	int role;
	uint64_t term;
	uint32_t vote; /* node + 1, 0: none */
	uint32_t leader;
	struct _rc_raft_ent *log; /* [0] is a sentinel of term 0 */
	uint64_t len, cap;
	uint64_t commit, applied;
	uint64_t votes; /* granted, a bit per node */
	uint64_t next[RC_SIM_MAX_NODES], match[RC_SIM_MAX_NODES];
	uint64_t elect_at, beat_at, resend_at, heard_at;
	struct _rc_raft_ent *pending; /* accepted here, not yet applied */
	uint64_t npending, pendcap;
	uint64_t *mkey, *mval, mcap, mn; /* command -> index */
	uint64_t elections;
	bool oom;
};

static uint64_t mix(uint64_t k)
{
	k ^= k >> 31;
	k *= 0x7fb5d329728ea185ull;
	k ^= k >> 27;
	return k;
}

static void map_put(struct _rc_raft_node *n, uint64_t key, uint64_t val)
{
	uint64_t h;

	if ((n->mn + 1) * 2 > n->mcap) {
		uint64_t nc = n->mcap ? 2 * n->mcap : 64;
		uint64_t *nk = calloc(nc, sizeof *nk);
		uint64_t *nv = calloc(nc, sizeof *nv);

		if (!nk || !nv) {
			free(nk);
			free(nv);
			n->oom = true;
			return;
		}
		for (uint64_t i = 0; i < n->mcap; i++) {
			if (!n->mkey[i])
				continue;
			h = mix(n->mkey[i]) & (nc - 1);
			while (nk[h])
				h = (h + 1) & (nc - 1);
			nk[h] = n->mkey[i];
			nv[h] = n->mval[i];
		}
		free(n->mkey);
		free(n->mval);
		n->mkey = nk;
		n->mval = nv;
		n->mcap = nc;
	}
	h = mix(key) & (n->mcap - 1);
	while (n->mkey[h] && n->mkey[h] != key)
		h = (h + 1) & (n->mcap - 1);
	if (!n->mkey[h])
		n->mn++;
	n->mkey[h] = key;
	n->mval[h] = val;
}

/* Whether the log holds command cmd (the map may name a cut index). */
static bool in_log(const struct _rc_raft_node *n, uint64_t cmd)
{
	if (!n->mcap)
		return false;
	for (uint64_t h = mix(cmd) & (n->mcap - 1);;
	     h = (h + 1) & (n->mcap - 1)) {
		if (!n->mkey[h])
			return false;
		if (n->mkey[h] == cmd)
			return n->mval[h] <= n->len &&
			       n->log[n->mval[h]].cmd == cmd;
	}
}

static uint64_t timeout(struct _rc_raft_node *n)
{
	return n->cfg.elect_min + n->io.rand(n->io.ctx) % n->cfg.elect_range;
}

static bool majority(const struct _rc_raft_node *n, uint64_t set)
{
	return 2 * (unsigned)__builtin_popcountll(set) > n->cfg.nodes;
}

static void record(struct _rc_raft_node *n, uint32_t kind, uint64_t index,
		   const struct _rc_raft_ent *e)
{
	struct _rc_raft_rec r;

	memset(&r, 0, sizeof r);
	r.kind = kind;
	r.vote = n->vote;
	r.term = n->term;
	r.index = index;
	if (e)
		r.e = *e;
	n->io.record(n->io.ctx, n->id, &r);
}

/* Puts e at index (at most len + 1), cutting the log there first. */
static bool put(struct _rc_raft_node *n, uint64_t index,
		const struct _rc_raft_ent *e)
{
	if (index >= n->cap) {
		uint64_t nc = n->cap ? 2 * n->cap : 64;
		struct _rc_raft_ent *nl;

		while (nc <= index)
			nc *= 2;
		nl = realloc(n->log, nc * sizeof *nl);
		if (!nl) {
			n->oom = true;
			return false;
		}
		n->log = nl;
		n->cap = nc;
	}
	n->log[index] = *e;
	n->len = index;
	if (e->cmd)
		map_put(n, e->cmd, index);
	return true;
}

/* Appends e durably: the record first. */
static bool append(struct _rc_raft_node *n, uint64_t index,
		   const struct _rc_raft_ent *e)
{
	if (!put(n, index, e))
		return false;
	record(n, RC_RR_ENTRY, index, e);
	return true;
}

static void send(struct _rc_raft_node *n, unsigned to, struct _rc_raft_msg *m)
{
	m->from = (uint16_t)n->id;
	n->io.send(n->io.ctx, n->id, to, m);
}

static void send_append(struct _rc_raft_node *n, unsigned to)
{
	struct {
		struct _rc_raft_msg m;
		struct _rc_raft_ent e[RC_RAFT_MAX_ENTRIES];
	} b;
	uint64_t prev = n->next[to] - 1;

	memset(&b.m, 0, sizeof b.m);
	b.m.type = RC_RM_APPEND;
	b.m.term = n->term;
	b.m.index = prev;
	b.m.lterm = n->log[prev].term;
	b.m.commit = n->commit;
	while (b.m.n < RC_RAFT_MAX_ENTRIES && prev + 1 + b.m.n <= n->len) {
		b.e[b.m.n] = n->log[prev + 1 + b.m.n];
		b.m.n++;
	}
	send(n, to, &b.m);
}

static void broadcast_append(struct _rc_raft_node *n)
{
	for (unsigned j = 0; j < n->cfg.nodes; j++)
		if (j != n->id)
			send_append(n, j);
}

static void drop_pending(struct _rc_raft_node *n, uint64_t cmd)
{
	for (uint64_t i = 0; i < n->npending; i++)
		if (n->pending[i].cmd == cmd) {
			memmove(n->pending + i, n->pending + i + 1,
				(n->npending - i - 1) * sizeof *n->pending);
			n->npending--;
			return;
		}
}

static void apply(struct _rc_raft_node *n)
{
	while (n->applied < n->commit && n->applied < n->len) {
		const struct _rc_raft_ent *e = &n->log[++n->applied];

		n->io.apply(n->io.ctx, n->id, n->applied, e);
		if (e->cmd && RC_RAFT_CMD_ORIGIN(e->cmd) == n->id)
			drop_pending(n, e->cmd);
	}
}

/* The leader's commit rule: the highest index a majority stores. */
static void advance(struct _rc_raft_node *n)
{
	for (uint64_t i = n->len; i > n->commit; i--) {
		uint64_t set = 1ull << n->id;

#ifndef RC_RAFT_BROKEN_COMMIT
		/* Only an entry of the leader's term is committed by
		 * counting; earlier ones with it (figure 8). Terms do not
		 * decrease along a log: nothing lower qualifies either. */
		if (n->log[i].term != n->term)
			break;
#endif
		for (unsigned j = 0; j < n->cfg.nodes; j++)
			if (j != n->id && n->match[j] >= i)
				set |= 1ull << j;
		if (majority(n, set)) {
			n->commit = i;
			n->io.committed(n->io.ctx, n->id, n->term, i, n->log);
			apply(n);
			return;
		}
	}
}

/*
 * The leader takes command cmd, unless its log holds it, and sends it to
 * the followers that had all before it; the caller then calls advance.
 */
static void accept(struct _rc_raft_node *n, const struct _rc_raft_ent *c)
{
	struct _rc_raft_ent e = *c;
	uint64_t at = n->len + 1;

	e.term = n->term;
	if (in_log(n, e.cmd) || !append(n, at, &e))
		return;
	for (unsigned j = 0; j < n->cfg.nodes; j++)
		if (j != n->id && n->next[j] == at)
			send_append(n, j);
}

static void forward(struct _rc_raft_node *n, uint64_t now)
{
	struct {
		struct _rc_raft_msg m;
		struct _rc_raft_ent e[RC_RAFT_MAX_ENTRIES];
	} b;

	n->resend_at = now + n->cfg.resend;
	if (n->role == LEADER) {
		for (uint64_t i = 0; i < n->npending; i++)
			accept(n, &n->pending[i]);
		advance(n);
		return;
	}
	if (n->leader == NONE)
		return;
	memset(&b.m, 0, sizeof b.m);
	b.m.type = RC_RM_FORWARD;
	for (uint64_t i = 0; i < n->npending; i++) {
		b.e[b.m.n++] = n->pending[i];
		if (b.m.n == RC_RAFT_MAX_ENTRIES || i + 1 == n->npending) {
			send(n, n->leader, &b.m);
			b.m.n = 0;
		}
	}
}

static void become_leader(struct _rc_raft_node *n, uint64_t now)
{
	struct _rc_raft_ent noop;

	n->role = LEADER;
	n->leader = n->id;
	for (unsigned j = 0; j < n->cfg.nodes; j++) {
		n->next[j] = n->len + 1;
		n->match[j] = 0;
	}
	memset(&noop, 0, sizeof noop);
	noop.term = n->term;
	n->io.elected(n->io.ctx, n->id, n->term);
#ifndef RC_RAFT_BROKEN_COMMIT
	if (!append(n, n->len + 1, &noop))
		return;
#else
	(void)noop; /* counting commits the earlier entries without it */
#endif
	for (uint64_t i = 0; i < n->npending; i++)
		if (!in_log(n, n->pending[i].cmd)) {
			struct _rc_raft_ent e = n->pending[i];

			e.term = n->term;
			append(n, n->len + 1, &e);
		}
	broadcast_append(n);
	n->beat_at = now + n->cfg.heartbeat;
	advance(n);
}

/* A new term seen: a follower of nobody yet, without a vote. */
static void step_down(struct _rc_raft_node *n, uint64_t now, uint64_t term)
{
	if (n->role == LEADER)
		n->elect_at = now + timeout(n);
	n->term = term;
	n->vote = 0;
	n->role = FOLLOWER;
	n->leader = NONE;
	record(n, RC_RR_TERM, 0, NULL);
}

static void ask_votes(struct _rc_raft_node *n, bool pre)
{
	struct _rc_raft_msg m;

	memset(&m, 0, sizeof m);
	m.type = RC_RM_VOTE;
	m.pre = pre;
	m.term = pre ? n->term + 1 : n->term;
	m.index = n->len;
	m.lterm = n->log[n->len].term;
	for (unsigned j = 0; j < n->cfg.nodes; j++)
		if (j != n->id)
			send(n, j, &m);
}

static void stand(struct _rc_raft_node *n, uint64_t now)
{
	n->term++;
	n->vote = n->id + 1;
	n->role = CANDIDATE;
	n->leader = NONE;
	n->votes = 1ull << n->id;
	n->elections++;
	n->elect_at = now + timeout(n);
	record(n, RC_RR_TERM, 0, NULL);
	ask_votes(n, false);
	if (majority(n, n->votes))
		become_leader(n, now);
}

static void timeout_fired(struct _rc_raft_node *n, uint64_t now)
{
	if (!n->cfg.prevote) {
		stand(n, now);
		return;
	}
	n->role = PRECANDIDATE;
	n->leader = NONE;
	n->votes = 1ull << n->id;
	n->elect_at = now + timeout(n);
	ask_votes(n, true);
	if (majority(n, n->votes))
		stand(n, now);
}

/* Whether a candidate's log (last index, last term) is at least ours. */
static bool up_to_date(const struct _rc_raft_node *n, uint64_t index,
		       uint64_t term)
{
	uint64_t t = n->log[n->len].term;

	return term > t || (term == t && index >= n->len);
}

static void on_vote(struct _rc_raft_node *n, uint64_t now,
		    const struct _rc_raft_msg *m)
{
	struct _rc_raft_msg r;

	memset(&r, 0, sizeof r);
	r.type = RC_RM_VOTED;
	r.pre = m->pre;
	if (m->pre) {
		/* Granted without a change of state: the candidate could
		 * win, and no leader was heard of lately. */
		r.ok = m->term > n->term && up_to_date(n, m->index, m->lterm) &&
		       n->role != LEADER &&
		       (n->leader == NONE ||
			now >= n->heard_at + n->cfg.elect_min);
		r.term = r.ok ? m->term : n->term;
		send(n, m->from, &r);
		return;
	}
	if (m->term > n->term)
		step_down(n, now, m->term);
	if (m->term == n->term &&
	    (n->vote == 0 || n->vote == (uint32_t)m->from + 1) &&
	    up_to_date(n, m->index, m->lterm)) {
		if (n->vote == 0) {
			n->vote = m->from + 1u;
			record(n, RC_RR_TERM, 0, NULL);
		}
		n->elect_at = now + timeout(n);
		r.ok = 1;
	}
	r.term = n->term;
	send(n, m->from, &r);
}

static void on_voted(struct _rc_raft_node *n, uint64_t now,
		     const struct _rc_raft_msg *m)
{
	if (m->term > n->term && !(m->pre && m->ok)) {
		step_down(n, now, m->term);
		return;
	}
	if (!m->ok)
		return;
	if (m->pre && n->role == PRECANDIDATE && m->term == n->term + 1) {
		n->votes |= 1ull << m->from;
		if (majority(n, n->votes))
			stand(n, now);
	} else if (!m->pre && n->role == CANDIDATE && m->term == n->term) {
		n->votes |= 1ull << m->from;
		if (majority(n, n->votes))
			become_leader(n, now);
	}
}

static void on_append(struct _rc_raft_node *n, uint64_t now,
		      const struct _rc_raft_msg *m)
{
	struct _rc_raft_msg r;
	uint64_t last;

	memset(&r, 0, sizeof r);
	r.type = RC_RM_APPENDED;
	r.commit = m->index;
	if (m->term < n->term) {
		r.term = n->term;
		send(n, m->from, &r);
		return;
	}
	if (m->term > n->term)
		step_down(n, now, m->term);
	n->role = FOLLOWER;
	n->leader = m->from;
	n->heard_at = now;
	n->elect_at = now + timeout(n);
	r.term = n->term;
	if (m->index > n->len) {
		r.index = n->len + 1;
		send(n, m->from, &r);
		return;
	}
	if (n->log[m->index].term != m->lterm) {
		uint64_t i = m->index;

		r.lterm = n->log[i].term;
		while (i > 1 && n->log[i - 1].term == r.lterm)
			i--;
		r.index = i;
		send(n, m->from, &r);
		return;
	}
	for (unsigned j = 0; j < m->n; j++) {
		uint64_t at = m->index + 1 + j;

		if (at <= n->len && n->log[at].term == m->e[j].term)
			continue; /* a duplicate or a late message */
		if (!append(n, at, &m->e[j]))
			return;
	}
	last = m->index + m->n;
	if (m->commit > n->commit)
		n->commit = m->commit < last ? m->commit : last;
	r.ok = 1;
	r.index = last;
	send(n, m->from, &r);
	apply(n);
}

static void on_appended(struct _rc_raft_node *n, const struct _rc_raft_msg *m,
			uint64_t now)
{
	unsigned j = m->from;

	if (m->term > n->term) {
		step_down(n, now, m->term);
		return;
	}
	if (n->role != LEADER || m->term != n->term)
		return;
	if (m->ok) {
		if (m->index > n->match[j])
			n->match[j] = m->index;
		if (n->next[j] < m->index + 1)
			n->next[j] = m->index + 1;
		advance(n);
		if (n->role == LEADER && n->next[j] <= n->len)
			send_append(n, j);
		return;
	}
	if (m->commit + 1 != n->next[j])
		return; /* the answer to an older probe */
	{
		uint64_t next = n->next[j] - 1, t = m->lterm;

		if (!n->cfg.decrement) {
			next = m->index;
			if (t) {
				/* After our last entry of that term, if any. */
				for (uint64_t i = n->len; i >= 1; i--)
					if (n->log[i].term == t) {
						next = i + 1;
						break;
					} else if (n->log[i].term < t) {
						break;
					}
			}
			if (next >= n->next[j])
				next = n->next[j] - 1;
		}
		n->next[j] = next < 1 ? 1 : next;
	}
	send_append(n, j);
}

void _rc_raft_node_recv(struct _rc_raft_node *n, uint64_t now,
			const struct _rc_raft_msg *m)
{
	switch (m->type) {
	case RC_RM_VOTE:
		on_vote(n, now, m);
		break;
	case RC_RM_VOTED:
		on_voted(n, now, m);
		break;
	case RC_RM_APPEND:
		on_append(n, now, m);
		break;
	case RC_RM_APPENDED:
		on_appended(n, m, now);
		break;
	case RC_RM_FORWARD:
		if (n->role == LEADER) {
			for (unsigned j = 0; j < m->n; j++)
				accept(n, &m->e[j]);
			advance(n);
		}
		break;
	}
}

static bool add_pending(struct _rc_raft_node *n, const struct _rc_raft_ent *e)
{
	if (n->npending == n->pendcap) {
		uint64_t nc = n->pendcap ? 2 * n->pendcap : 16;
		struct _rc_raft_ent *np = realloc(n->pending, nc * sizeof *np);

		if (!np) {
			n->oom = true;
			return false;
		}
		n->pending = np;
		n->pendcap = nc;
	}
	n->pending[n->npending++] = *e;
	return true;
}

bool _rc_raft_node_submit(struct _rc_raft_node *n, uint64_t now,
			  const struct _rc_raft_ent *e)
{
	if (!add_pending(n, e))
		return false;
	record(n, RC_RR_SUBMIT, 0, e);
	if (n->role == LEADER) {
		accept(n, e);
		advance(n);
	} else if (n->leader != NONE) {
		struct {
			struct _rc_raft_msg m;
			struct _rc_raft_ent e[1];
		} b;

		memset(&b, 0, sizeof b);
		b.m.type = RC_RM_FORWARD;
		b.m.n = 1;
		b.e[0] = *e;
		send(n, n->leader, &b.m);
	}
	if (n->resend_at <= now)
		n->resend_at = now + n->cfg.resend;
	return true;
}

void _rc_raft_node_tick(struct _rc_raft_node *n, uint64_t now)
{
	if (n->role == LEADER && now >= n->beat_at) {
		broadcast_append(n);
		n->beat_at = now + n->cfg.heartbeat;
	}
	if (n->role != LEADER && now >= n->elect_at)
		timeout_fired(n, now);
	if (n->npending && now >= n->resend_at)
		forward(n, now);
}

uint64_t _rc_raft_node_deadline(const struct _rc_raft_node *n)
{
	uint64_t d = n->role == LEADER ? n->beat_at : n->elect_at;

	if (n->npending && n->resend_at < d)
		d = n->resend_at;
	return d;
}

static void reset(struct _rc_raft_node *n, uint64_t now)
{
	static const struct _rc_raft_ent sentinel;

	n->role = FOLLOWER;
	n->term = 0;
	n->vote = 0;
	n->leader = NONE;
	n->len = 0;
	n->commit = 0;
	n->applied = 0;
	n->votes = 0;
	n->npending = 0;
	n->heard_at = 0;
	n->beat_at = 0;
	n->resend_at = now + n->cfg.resend;
	if (n->mcap > 0)
		memset(n->mkey, 0, n->mcap * sizeof *n->mkey);
	n->mn = 0;
	put(n, 0, &sentinel);
	n->elect_at = now + timeout(n);
}

struct _rc_raft_node *_rc_raft_node_create(const struct _rc_raft_cfg *cfg,
					   unsigned id,
					   const struct _rc_raft_io *io,
					   uint64_t now)
{
	struct _rc_raft_node *n = calloc(1, sizeof *n);

	if (!n)
		return NULL;
	n->cfg = *cfg;
	if (!n->cfg.heartbeat)
		n->cfg.heartbeat = HEARTBEAT;
	if (!n->cfg.elect_min)
		n->cfg.elect_min = ELECT_MIN;
	if (!n->cfg.elect_range)
		n->cfg.elect_range = ELECT_RANGE;
	if (!n->cfg.resend)
		n->cfg.resend = RESEND;
	n->id = id;
	n->io = *io;
	reset(n, now);
	if (n->oom) {
		_rc_raft_node_destroy(n);
		return NULL;
	}
	return n;
}

void _rc_raft_node_destroy(struct _rc_raft_node *n)
{
	if (!n)
		return;
	free(n->log);
	free(n->pending);
	free(n->mkey);
	free(n->mval);
	free(n);
}

void _rc_raft_node_recover(struct _rc_raft_node *n, uint64_t now,
			   const struct _rc_raft_rec *recs, size_t nrecs)
{
	reset(n, now);
	for (size_t i = 0; i < nrecs; i++) {
		const struct _rc_raft_rec *r = &recs[i];

		if (r->kind == RC_RR_TERM) {
			n->term = r->term;
			n->vote = r->vote;
		} else if (r->kind == RC_RR_ENTRY) {
			put(n, r->index, &r->e);
		} else if (r->kind == RC_RR_SUBMIT) {
			if (!add_pending(n, &r->e))
				return;
		}
	}
}

const struct _rc_raft_ent *_rc_raft_node_log(const struct _rc_raft_node *n,
					     uint64_t *len)
{
	*len = n->len;
	return n->log;
}

uint64_t _rc_raft_node_term(const struct _rc_raft_node *n)
{
	return n->term;
}

unsigned _rc_raft_node_leader(const struct _rc_raft_node *n)
{
	return n->leader == NONE ? n->cfg.nodes : n->leader;
}

uint64_t _rc_raft_node_applied(const struct _rc_raft_node *n)
{
	return n->applied;
}

uint64_t _rc_raft_node_elections(const struct _rc_raft_node *n)
{
	return n->elections;
}

void _rc_raft_msg_describe(const struct _rc_raft_msg *m, char *buf, size_t len)
{
	switch (m->type) {
	case RC_RM_VOTE:
		snprintf(buf, len, "%svote t=%llu last=%llu/%llu",
			 m->pre ? "pre" : "", (unsigned long long)m->term,
			 (unsigned long long)m->index,
			 (unsigned long long)m->lterm);
		break;
	case RC_RM_VOTED:
		snprintf(buf, len, "%svoted t=%llu %s", m->pre ? "pre" : "",
			 (unsigned long long)m->term, m->ok ? "yes" : "no");
		break;
	case RC_RM_APPEND:
		snprintf(buf, len,
			 "append t=%llu prev=%llu/%llu n=%u commit=%llu",
			 (unsigned long long)m->term,
			 (unsigned long long)m->index,
			 (unsigned long long)m->lterm, m->n,
			 (unsigned long long)m->commit);
		break;
	case RC_RM_APPENDED:
		snprintf(buf, len, "appended t=%llu %s index=%llu/%llu",
			 (unsigned long long)m->term, m->ok ? "ok" : "no",
			 (unsigned long long)m->index,
			 (unsigned long long)m->lterm);
		break;
	case RC_RM_FORWARD:
		snprintf(buf, len, "forward n=%u", m->n);
		break;
	default:
		snprintf(buf, len, "? type=%u", m->type);
	}
}
