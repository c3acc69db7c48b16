/* SPDX-License-Identifier: MIT */
/* paxos.c: the Multi-Paxos step machine of one node: acceptor, learner, proposer and leader. */

/*
 * The invariant. A value v is *chosen* for slot s when a majority of
 * acceptors accepted (b, s, v) for one ballot b. Safety of a slot is
 * Lamport's P2c: for any ballot b and value v, if (b, s, v) is proposed
 * then there is a majority Q such that either no acceptor of Q accepted a
 * value for s below b, or v is the value of the highest-ballot acceptance
 * for s among Q below b. P2c implies P2b (once v is chosen at ballot b0,
 * every proposal at a ballot above b0 carries v, by induction on the
 * ballot: Q meets the majority that chose v, and every acceptance in
 * between carries v), hence at most one value is ever chosen per slot.
 *
 * Why each rule keeps it:
 *
 *  - Ballots are unique and totally ordered: round * 64 + owner, and a
 *    node only ever proposes with its own ballots. So "the proposal of
 *    ballot b for slot s" is one value.
 *  - Phase 1 (PREPARE b from slot f, PROMISE): an acceptor promises b only
 *    if b is at least its promise, and from then on refuses every ACCEPT
 *    below b; its PROMISE reports, for every slot >= f, the value it
 *    accepted with the highest ballot. The candidate waits for a majority
 *    Q of promises. Slots below f are ones the candidate already knows
 *    chosen; it never proposes there.
 *  - Adoption: for each slot >= f, the new leader proposes the value of the
 *    highest-ballot acceptance reported by Q, and a no-op only where Q
 *    reported none. This is exactly P2c's choice; because Q's members
 *    refuse lower ballots after promising, no acceptance below b can appear
 *    in Q later and make the choice stale. (Building with
 *    RC_PAXOS_BROKEN_PHASE1 skips this adoption; the property checks of
 *    tests/unit/test_paxos_broken show the agreement that breaks.)
 *  - Phase 1 covers every slot at once (a slot with no acceptance in Q at
 *    the time of the promise can only receive acceptances at b or above),
 *    so the leader runs phase 2 for new slots without phase 1 while its
 *    ballot stands: the distinguished-leader optimisation of Multi-Paxos.
 *  - Phase 2 (ACCEPT, ACCEPTED): an acceptor accepts (b, s, v) iff b is at
 *    least its promise; the leader declares v chosen after a majority of
 *    ACCEPTED for (b, s) and tells the learners (DECIDE). A learner also
 *    takes DECIDE entries from any node that knows them (catch-up); those
 *    come from a node that learned them the same way, so they are chosen.
 *  - An acceptor's promise and acceptances outlive a crash: it records
 *    them (io.record) before any message reveals them, and a node that
 *    comes back replays them (rc_paxos_node_replay) before it takes a
 *    step. An acceptor that forgot would break the majority
 *    intersection both phases lean on: it could promise a ballot below
 *    the one it promised, or report no acceptance for a slot whose value
 *    it helped choose, and a new leader would then propose another value
 *    there. (RC_PAXOS_BROKEN_RECOVERY forgets them; the agreement check
 *    of tests/unit/test_paxos_broken_recovery catches it.)
 *  - Reads without a log round, by the read index (Ongaro's thesis,
 *    section 6.4). A node that is asked a read sends it to the leader
 *    (PX_READ). The leader waits until it delivered the slots below
 *    lead_start (the top of the slots it proposed when it took over:
 *    every slot chosen at a lower ballot lies below it, since a value
 *    chosen before its phase 1 was reported by a member of its majority,
 *    and none can be chosen at a lower ballot after it), takes its
 *    delivered count as the read's index, and sends a confirmation
 *    round (PX_RDCHECK) that an acceptor acknowledges (PX_RDACK) only
 *    while it has seen no higher ballot than the leader's. Once a
 *    majority acknowledged a round sent after the index was taken, the
 *    leader answers it (PX_RDINDEX). Why the index is fresh: a value
 *    chosen at a higher ballot needs a majority that promised it, which
 *    meets the acknowledging majority in an acceptor that acknowledged
 *    first and promised later; so everything chosen when the read was
 *    asked was chosen at the leader's ballot or below, and the leader
 *    knows it (below lead_start it delivered it, at its ballot it
 *    counted the acceptances). The asking node serves the read once it
 *    delivered up to the index (io.read). (RC_PAXOS_BROKEN_READS skips
 *    the round; a deposed leader cut off by a partition then answers
 *    stale indexes, which the reads property of
 *    tests/unit/test_paxos_broken_reads catches.)
 *  - Liveness is not safety's business: heartbeats, random election
 *    timeouts (a follower's heartbeat failure detector over its leader,
 *    replicore/fd.h, reset with a random timeout at each step-down), NACKs that name the higher ballot, resending of undelivered
 *    commands and of unanswered ACCEPTs, and catch-up only make progress
 *    likely once messages flow; none of them changes a chosen value.
 *
 * Learners deliver slots strictly in order (the next slot is delivered
 * only when chosen), so no learner skips a slot, and they leave out a
 * command they already delivered: a proposer that resends a command after
 * a lost message may get it chosen in two slots, and every learner drops
 * the same later copy because they deliver the same slots in the same
 * order. *
 * Membership (cfg.alpha > 0). We follow the alpha window of Lamport
 * ("Paxos Made Simple", end of section 3; Lamport, Malkhi and Zhou,
 * "Reconfiguring a State Machine"): the configuration is part of the
 * state, a configuration command (tag RC_PAXOS_TAG_CONFIG, arg the member
 * set, a bit per node id) chosen in slot s governs the slots from
 * s + alpha on, and "majority" above means, for slot t, a majority of the
 * set that governs t. The initial set is cfg.members (every node when 0);
 * the other ids are spares. Why each rule keeps P2c:
 *
 *  - Every node computes the set of slot t from the chosen slots up to
 *    t - alpha only, so once those are chosen every node that looks
 *    agrees on it, and a node looks only then: the leader proposes at t
 *    only when it delivered t - alpha, which is also why it keeps at most
 *    min(window, alpha) slots undecided. (The property checker compares
 *    the set each node takes for each slot it delivers.)
 *  - A leader proposes at t only if a majority of t's set promised its
 *    ballot (may_propose); the ACCEPTED it counts for t are those of t's
 *    members. Phase 1 stays one PREPARE for every slot from f, sent to
 *    every node id: a candidate wins with a majority of the set of f, and
 *    where a later slot's set lacks a majority of its promises the leader
 *    stops there and asks that set's members again for the same ballot
 *    from its delivered count (ask_promises). We chose this over a new
 *    ballot at each change because the ballot stands: the promises it
 *    already has stay valid for every slot, the leader only needs more of
 *    them, and no proposal in flight is disturbed. A promise that comes
 *    after the leader won is adopted like the first ones for the slots it
 *    did not propose at yet (late_promise); for the slots it did, a
 *    majority of their members had promised already. The slots its
 *    promises reported values for but whose set it does not know yet (the
 *    previous leader was ahead) keep the adopted values until it may
 *    propose there (propose_adopted), so no adopted value is skipped.
 *  - Adoption takes the highest acceptance among all promises, members or
 *    not: every acceptance comes from a proposal that satisfied P2c, so
 *    any of them at or above the ballot that chose a value carries that
 *    value, and the promises of t's majority include one such.
 *  - Acceptors need no configuration: every node accepts and promises as
 *    before (a node outside t's set may hold an old acceptance; it is
 *    reported and harmless), and only the leader's counting changes.
 *    A removed node's acceptances stop counting from the first slot its
 *    removal governs; it still learns, and may still lead (a proposer
 *    need not be an acceptor; letting any node stand keeps the group live
 *    when the new members have not yet learned that they are members). A
 *    spare starts empty, acts as an acceptor as soon as a set names it,
 *    and catches up by CATCHUP or a checkpoint (which carries the sets,
 *    rc_paxos_node_checkpoint).
 *
 * With alpha 0 the set never changes and every rule above reduces to the
 * fixed-group one (the simulation's runs without membership faults are
 * the same, message for message). The rules are subtle to break
 * observably: one change at a time (add or remove a node) keeps every
 * majority of the old set meeting every majority of the new one, and
 * every node accepts every ballot's values, so a leader that counted a
 * slot over the set of its phase-1 slot was caught (agreement) at 1 of
 * the first 100,000 fuzz seeds of an earlier add/remove menu and at none
 * of the first 680,000 (some 170,000 with changes) of the
 * add/remove/replace one, so no broken copy is kept for it.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/config.h>
#include <replicore/fd.h>

#include "runtime/fault.h"
#include "protocols/paxos/internal.h"

#if defined(RC_PAXOS_BROKEN_PHASE1) || RC_CONFIG_PAXOS_BROKEN_PHASE1
#define PX_ADOPT 0
#else
#define PX_ADOPT 1
#endif
/* Broken on purpose: a restarted acceptor forgets its promise and its
 * acceptances (rc_paxos_node_replay), for tests/unit/test_paxos_broken. */
#ifdef RC_PAXOS_BROKEN_RECOVERY
#define PX_RECOVER 0
#else
#define PX_RECOVER 1
#endif
/* Broken on purpose: the leader answers a read index without first
 * confirming with a majority that it still leads, for
 * tests/unit/test_paxos_broken_reads. */
#ifdef RC_PAXOS_BROKEN_READS
#define PX_READ_CONFIRM 0
#else
#define PX_READ_CONFIRM 1
#endif
/* Broken on purpose: half of an even group counts as a majority, so the
 * two sides of an even split both decide, for the minority property of
 * tests/unit/test_paxos_broken_quorum. */
#ifdef RC_PAXOS_BROKEN_QUORUM
#define PX_QUORUM(nodes) (((nodes) + 1) / 2)
#else
#define PX_QUORUM(nodes) ((nodes) / 2 + 1)
#endif

/* Slots a catch-up reply carries at most. */
#define PX_CATCHUP_SLOTS 64

enum { FOLLOWER, CANDIDATE, LEADER };

/* A value: a batch of commands, shared by the slot fields that hold it. */
struct px_val {
	uint32_t refs, n;
	struct rc_paxos_cmd cmd[];
};

/*
 * Values are a node's own (their references are counted under its
 * lock), made when the node accepts, learns or proposes a slot's value
 * and freed when it forgets the slot. A freed value of up to
 * 1 << (PX_VCLASSES - 1) commands goes to the node's free list of its
 * size class (room for 1, 2, 4, 8 or 16 commands), up to PX_VPOOL values
 * in all, and the node's next values come from there before malloc. With
 * malloc and free alone, the values of a node moved between the
 * allocator's per-thread arenas as different threads ran the node, and
 * each arena kept its high-water mark: bench rsm --memory's resident size
 * rose 7 to 17% over 10,000,000 commands while the bytes in use fell (with
 * glibc limited to one arena, 1.3%).
 */
#define PX_VCLASSES 5
#define PX_VPOOL 131072u

struct px_slot {
	uint64_t acc_ballot; /* acceptor: ballot of the accepted value */
	struct px_val *acc;
	struct px_val *dec; /* learner: the chosen value, once known */
	uint64_t ad_ballot; /* candidate: highest acceptance promised */
	struct px_val *ad;
	uint64_t p2_ballot; /* leader: the ballot prop was proposed at */
	struct px_val *prop;
	uint64_t acks; /* nodes that accepted prop at p2_ballot */
	uint64_t sent_at;
};

/*
 * The ids a learner delivered from one origin: every sequence number up
 * to base, those in (base, base + PX_WINDOW] whose bit is set, and, in
 * the node's seen_far set, those farther ahead (and ids of origins
 * outside the group). A proposer numbers its commands in order, so
 * deliveries run nearly in order and base follows them: the memory kept
 * is constant, where a set of every id grew with the log (and its
 * inserts, missing the cache, were a sixth of a commit's time).
 */
#define PX_WINDOW 4096u
struct px_seen {
	uint64_t base;
	uint64_t far; /* ids of this origin in seen_far above base */
	uint64_t bits[PX_WINDOW / 64]; /* bit q % PX_WINDOW for seq q */
};

/* A read asked at this node: waiting for its index, then for it to be
 * delivered here. */
struct px_read {
	uint64_t id, index, sent_at;
	bool have;
};

/* A read at the leader: from its node, indexed once lead_start is
 * delivered, answered once a round at or after `round` is confirmed. */
struct px_lread {
	uint64_t id, index, round;
	unsigned from;
	bool indexed;
};

/* A command submitted at this node and not yet delivered here. */
struct px_mine {
	struct rc_paxos_cmd c;
	uint64_t sent_at;
};

struct rc_paxos_node {
	struct rc_paxos_config cfg;
	struct rc_paxos_io io;
	unsigned id;
	uint64_t rng, now, seq;
	/* acceptor */
	uint64_t promised;
	/* slots base..top-1, slot s at slot[s & (cap - 1)]; cap a power of
	 * two; those below base are delivered at every node and forgotten */
	struct px_slot *slot;
	uint64_t cap, base, top; /* top: 1 + the highest slot touched */
	/* values this node freed, by size class, for its next ones (see
	 * val_new); vfree_n counts them all */
	struct px_val *vfree[PX_VCLASSES];
	unsigned vfree_n;
	/* truncation: each node's delivered count as this node last heard
	 * it, and low, a count every node is known to have delivered */
	uint64_t done[RC_PAXOS_MAX_NODES], low;
	/* with io.up (snapshots): this node's snapshot point (the
	 * environment holds its state after the slots below it) and each
	 * node's as last heard */
	uint64_t snap, snapd[RC_PAXOS_MAX_NODES], behind;
	/* learner */
	uint64_t delivered, commands, leader_commit, catchup_at;
	struct px_seen seen[RC_PAXOS_MAX_NODES]; /* per origin */
	struct _rc_pxset seen_far; /* the rest of the delivered ids */
	struct rc_paxos_cmd *scratch;
	uint64_t scratch_cap;
	/* proposer and leader */
	int role;
	/* the follower's failure detector over one peer, the leader it
	 * knows (replicore/fd.h, heartbeat kind, backoff 1): fed by every
	 * message of the leader's ballot from its owner, reset with a
	 * random timeout at each step-down; "the leader is suspected" is
	 * what starts an election. timeout: the candidate's, to retry. */
	rc_fd_t *fd;
	uint64_t ballot, max_seen, timeout, p1_at, p1_from, promises;
	uint64_t next_slot, hb_at, rt_at;
	struct rc_paxos_cmd *pend;
	uint64_t pend_head, pend_n, pend_cap;
	struct px_mine *mine;
	uint64_t nmine, mine_cap, retry_at;
	/* messages to this node itself, handled after the current step */
	/* two byte queues: one filling while the other is handled */
	char *selfb[2];
	uint64_t self_len[2], self_cap[2];
	unsigned self_cur;
	/* the message being built */
	char *buf;
	uint64_t buf_len, buf_cap;
	bool oom, buf_bad;
	/* counters */
	uint64_t elections, leaderships, sent, conflicts;
	/* reads asked here (rc_paxos_node_read) */
	struct px_read *rd;
	uint64_t nrd, rd_cap, rd_retry_at;
	/* leader: reads to confirm; the first slot of its ballot; the
	 * confirmation rounds sent and confirmed, and the last round each
	 * node acknowledged */
	struct px_lread *lr;
	uint64_t nlr, lr_cap, lead_start;
	uint64_t rd_sent, rd_ok, rd_sent_at, rd_acked[RC_PAXOS_MAX_NODES];
	/* membership: conf[0..nconf-1] by ascending from, conf[i].mask
	 * governing the slots from conf[i].from up to the next one's; with
	 * alpha 0 conf[0] alone. adopt_top: 1 + the highest slot a leader
	 * still has an adopted value for; ask_at: when it last asked for
	 * promises it lacks. */
	struct px_conf {
		uint64_t from, mask;
	} conf[RC_PAXOS_MAX_ALPHA + 1];
	unsigned nconf;
	uint64_t adopt_top, ask_at;
};

static void rd_serve(struct rc_paxos_node *n);
static void rd_pump(struct rc_paxos_node *n);

static unsigned popcount64(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

/* ---- membership ---- */

/* The member set that governs slot t, as far as this node knows. */
static uint64_t members_at(const struct rc_paxos_node *n, uint64_t t)
{
	unsigned i = n->nconf - 1;

	while (i > 0 && n->conf[i].from > t)
		i--;
	return n->conf[i].mask;
}

/* Whether set holds a majority of mask (PX_QUORUM of its size). */
static bool quorum(uint64_t mask, uint64_t set)
{
	return popcount64(set & mask) >= PX_QUORUM(popcount64(mask));
}

/*
 * Whether set holds a majority of every member set that governs a slot
 * from t up to t + alpha - 1 as far as this node knows (with a fixed
 * membership, of the one set). A leader whose read-index confirmation
 * round is acknowledged so meets every majority that a higher ballot
 * needed to choose any slot from t on: the first such slot is governed
 * by one of these sets, since a set chosen at t or later governs only
 * slots from t + alpha on.
 */
static bool quorum_from(const struct rc_paxos_node *n, uint64_t t, uint64_t set)
{
	uint64_t span = n->cfg.alpha ? n->cfg.alpha : 1;

	for (unsigned i = 0; i < n->nconf; i++) {
		uint64_t end =
			i + 1 < n->nconf ? n->conf[i + 1].from : UINT64_MAX;

		if (end > t && n->conf[i].from < t + span &&
		    !quorum(n->conf[i].mask, set))
			return false;
	}
	return true;
}

/*
 * Whether the leader may propose at slot t: it knows the members of t
 * (slot t - alpha is delivered; always with a fixed membership) and a
 * majority of them promised its ballot.
 */
static bool may_propose(const struct rc_paxos_node *n, uint64_t t)
{
	if (n->cfg.alpha && t >= n->delivered + n->cfg.alpha)
		return false;
	return quorum(members_at(n, t), n->promises);
}

/* The slots a leader keeps undecided at once at most. */
static uint64_t span(const struct rc_paxos_node *n)
{
	return n->cfg.alpha && n->cfg.alpha < n->cfg.window ? n->cfg.alpha
							    : n->cfg.window;
}

/* ---- the id set ---- */

static uint64_t set_hash(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return k;
}

int _rc_pxset_add(struct _rc_pxset *s, uint64_t key)
{
	assert(key != 0);
	if ((s->n + 1) * 2 > s->cap) {
		uint64_t nc = s->cap ? 2 * s->cap : 64;
		uint64_t *nk = calloc(nc, sizeof *nk);

		if (!nk)
			return -1;
		for (uint64_t i = 0; i < s->cap; i++) {
			uint64_t h;

			if (!s->k[i])
				continue;
			h = set_hash(s->k[i]) & (nc - 1);
			while (nk[h])
				h = (h + 1) & (nc - 1);
			nk[h] = s->k[i];
		}
		free(s->k);
		s->k = nk;
		s->cap = nc;
	}
	for (uint64_t h = set_hash(key) & (s->cap - 1);;
	     h = (h + 1) & (s->cap - 1)) {
		if (s->k[h] == key)
			return 0;
		if (!s->k[h]) {
			s->k[h] = key;
			s->n++;
			return 1;
		}
	}
}

bool _rc_pxset_has(const struct _rc_pxset *s, uint64_t key)
{
	if (!s->cap)
		return false;
	for (uint64_t h = set_hash(key) & (s->cap - 1);;
	     h = (h + 1) & (s->cap - 1)) {
		if (s->k[h] == key)
			return true;
		if (!s->k[h])
			return false;
	}
}

void _rc_pxset_free(struct _rc_pxset *s)
{
	free(s->k);
	s->k = NULL;
	s->cap = s->n = 0;
}

/* ---- values, slots, messages ---- */

/* The size class of a value of k commands, PX_VCLASSES when too big. */
static unsigned val_class(unsigned k)
{
	unsigned c = 0;

	while (c < PX_VCLASSES && (1u << c) < k)
		c++;
	return c;
}

static struct px_val *val_new(struct rc_paxos_node *n, const void *cmds,
			      unsigned k)
{
	unsigned c = val_class(k);
	struct px_val *v = c < PX_VCLASSES ? n->vfree[c] : NULL;

	if (v) {
		/* a free value's first command holds the list's link */
		memcpy(&n->vfree[c], v->cmd, sizeof n->vfree[c]);
		n->vfree_n--;
	} else {
		v = malloc(sizeof *v + (c < PX_VCLASSES ? 1u << c : k) *
					       sizeof(struct rc_paxos_cmd));
		if (!v)
			return NULL;
	}
	v->refs = 1;
	v->n = k;
	if (k)
		memcpy(v->cmd, cmds, k * sizeof(struct rc_paxos_cmd));
	return v;
}

static struct px_val *val_get(struct px_val *v)
{
	if (v)
		v->refs++;
	return v;
}

static void val_put(struct rc_paxos_node *n, struct px_val *v)
{
	unsigned c;

	if (!v || --v->refs != 0)
		return;
	c = val_class(v->n);
	if (c == PX_VCLASSES || n->vfree_n >= PX_VPOOL) {
		free(v);
		return;
	}
	memcpy(v->cmd, &n->vfree[c], sizeof n->vfree[c]);
	n->vfree[c] = v;
	n->vfree_n++;
}

static bool val_is(const struct px_val *a, const struct rc_paxos_cmd *cmd,
		   unsigned n)
{
	return a->n == n &&
	       memcmp(a->cmd, cmd, n * sizeof(struct rc_paxos_cmd)) == 0;
}

static bool val_same(const struct px_val *a, const struct px_val *b)
{
	return val_is(a, b->cmd, b->n);
}

/* The record of slot s, which must be in base..top-1. */
static inline struct px_slot *slot_of(struct rc_paxos_node *n, uint64_t s)
{
	return &n->slot[s & (n->cap - 1)];
}

/*
 * The record of slot s, the window grown as needed; NULL below base (the
 * slot is delivered everywhere) or without memory (n->oom set).
 */
static struct px_slot *slot_at(struct rc_paxos_node *n, uint64_t s)
{
	if (s < n->base)
		return NULL;
	if (s - n->base >= n->cap) {
		uint64_t nc = n->cap ? n->cap : 256;
		struct px_slot *ns;

		while (nc <= s - n->base)
			nc *= 2;
		ns = calloc(nc, sizeof *ns);
		if (!ns) {
			n->oom = true;
			return NULL;
		}
		for (uint64_t i = n->base; i < n->top; i++)
			ns[i & (nc - 1)] = *slot_of(n, i);
		free(n->slot);
		n->slot = ns;
		n->cap = nc;
	}
	if (s >= n->top)
		n->top = s + 1;
	return slot_of(n, s);
}

static void slot_clear(struct rc_paxos_node *n, struct px_slot *sl)
{
	val_put(n, sl->acc);
	val_put(n, sl->dec);
	val_put(n, sl->ad);
	val_put(n, sl->prop);
	memset(sl, 0, sizeof *sl);
}

/*
 * The node's stable record (io.record): a promise (kind PX_REC_PROMISE,
 * ballot) or an acceptance (PX_REC_ACCEPT, slot, ballot and the value's
 * commands) of the acceptor, or client commands submitted here
 * (PX_REC_SUBMIT, the commands with their ids), handed to the
 * environment as it happens, before any message that reveals it is sent.
 * rc_paxos_node_replay reads them back: the promises hold, and the
 * submitted commands are sent again until delivered, under the ids they
 * had (the node numbers its next commands after them).
 */
enum { PX_REC_PROMISE = 1, PX_REC_ACCEPT = 2, PX_REC_SUBMIT = 3 };
struct px_rec {
	uint32_t kind, n;
	uint64_t slot, ballot;
	struct rc_paxos_cmd cmd[];
};

static void record_cmds(struct rc_paxos_node *n, uint32_t kind, uint64_t slot,
			uint64_t ballot, const struct rc_paxos_cmd *cmd,
			unsigned k)
{
	size_t len = sizeof(struct px_rec) + k * sizeof(struct rc_paxos_cmd);
	struct px_rec *r;

	if (!n->io.record)
		return;
	r = malloc(len);
	if (!r) {
		n->oom = true;
		return;
	}
	r->kind = kind;
	r->n = k;
	r->slot = slot;
	r->ballot = ballot;
	if (k)
		memcpy(r->cmd, cmd, k * sizeof(struct rc_paxos_cmd));
	n->io.record(n->io.ctx, n->id, r, len);
	free(r);
}

static void record(struct rc_paxos_node *n, uint32_t kind, uint64_t slot,
		   uint64_t ballot, const struct px_val *v)
{
	record_cmds(n, kind, slot, ballot, v ? v->cmd : NULL, v ? v->n : 0);
}

/* The acceptor's promise rises to b (recorded first). */
static void promise(struct rc_paxos_node *n, uint64_t b)
{
	if (b > n->promised)
		record(n, PX_REC_PROMISE, 0, b, NULL);
	n->promised = b;
}

/*
 * Forgets the slots below low. Every node delivered them, so no message
 * asks for them again: a PREPARE asks from its candidate's delivered
 * count, a CATCHUP from its sender's, and an ACCEPT, ACCEPTED or DECIDE
 * below base is stale and left out. Without it a group's memory grew
 * with its log, and the allocation, zeroing and page faults of the
 * growth were a fifth of a commit's time (perf, hash map over the log).
 */
static void truncate_below(struct rc_paxos_node *n, uint64_t low)
{
	uint64_t end = low < n->top ? low : n->top;

	for (uint64_t s = n->base; s < end; s++)
		slot_clear(n, slot_of(n, s));
	if (low > n->base)
		n->base = low;
	if (n->top < n->base)
		n->top = n->base;
}

/*
 * With snapshots (io.up set): takes m's snapshot point (commit - snapgap: a
 * sender whose point lies more than 2^32 - 1 slots behind reports a lower
 * one, which only keeps more) and forgets the slots below the lowest
 * point of the nodes the environment reports up, this node's own
 * included, or below the sender's base (m->low) when that is higher and
 * at most the own point: followers hear few of each other and learn the
 * group's lowest point from the leader so. A node that is down does not count: when it comes back it
 * installs a snapshot at least as recent as every up node's point (the
 * environment's part, see rc_paxos_node_install), hence at or above
 * every base. An up node keeps what it needs: each base is at most its
 * point, which is at most its delivered count. Slots below a base are
 * chosen (each point is at most a delivered count), and on_prepare
 * refuses a candidate that asks for them. A node that hears of a base
 * above its delivered count notes it (rc_paxos_node_behind): whoever
 * holds that base cannot help it catch up, a snapshot can.
 */
static void note_snap(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	uint64_t point = m->commit - m->snapgap, low = n->snap;
	uint64_t told = m->low < n->snap ? m->low : n->snap;

	if (point > n->snapd[m->from])
		n->snapd[m->from] = point;
	if (m->low > n->delivered && m->low > n->behind)
		n->behind = m->low;
	for (unsigned i = 0; i < n->cfg.nodes; i++) {
		if (i == n->id)
			continue;
		if (!n->io.up(n->io.ctx, n->id, i))
			n->snapd[i] = 0; /* it comes back from a snapshot */
		else if (n->snapd[i] < low)
			low = n->snapd[i];
	}
	if (told > low)
		low = told;
	if (low > n->base)
		truncate_below(n, low);
}

/*
 * Takes what m says of its sender's delivered count and of the group's
 * (m->low), and truncates. A node's delivered count only grows, so each
 * done[] is at most what its node delivered, and so is low, their
 * minimum: every low passed on is one too.
 */
static void note_done(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	uint64_t low = m->low > n->low ? m->low : n->low;
	uint64_t min = n->delivered;

	if (m->commit > n->done[m->from])
		n->done[m->from] = m->commit;
	for (unsigned i = 0; i < n->cfg.nodes; i++)
		if (i != n->id && n->done[i] < min)
			min = n->done[i];
	if (min > low)
		low = min;
	n->low = low;
	if (n->io.up) {
		note_snap(n, m);
		return;
	}
	if (low > n->base)
		truncate_below(n, low);
}

/*
 * Room for more bytes in the message being built; false without memory,
 * and the message is then not sent (a loss the protocol tolerates).
 */
static bool buf_reserve(struct rc_paxos_node *n, uint64_t more)
{
	if (n->buf_len + more > n->buf_cap) {
		uint64_t nc = n->buf_cap ? n->buf_cap : 1024;
		char *nb;

		while (nc < n->buf_len + more)
			nc *= 2;
		nb = realloc(n->buf, nc);
		if (!nb) {
			n->oom = true;
			n->buf_bad = true;
			return false;
		}
		n->buf = nb;
		n->buf_cap = nc;
	}
	return true;
}

static struct rc_paxos_msg *mb_begin(struct rc_paxos_node *n, uint32_t type,
				     uint64_t ballot, uint64_t slot)
{
	struct rc_paxos_msg *m;

	n->buf_len = 0;
	n->buf_bad = false;
	if (!buf_reserve(n, sizeof *m))
		return NULL;
	m = (struct rc_paxos_msg *)n->buf;
	memset(m, 0, sizeof *m);
	m->type = type;
	m->from = n->id;
	m->ballot = ballot;
	m->slot = slot;
	m->commit = n->delivered;
	/* with snapshots, low carries the base (see note_snap) */
	m->low = n->io.up ? n->base : n->low;
	/* the snapshot point, as a distance below commit (see note_snap) */
	m->snapgap = n->delivered - n->snap > UINT32_MAX
			     ? UINT32_MAX
			     : (uint32_t)(n->delivered - n->snap);
	n->buf_len = sizeof *m;
	return m;
}

static void mb_ent(struct rc_paxos_node *n, uint64_t slot, uint64_t ballot,
		   const struct rc_paxos_cmd *cmds, unsigned k)
{
	uint64_t sz = sizeof(struct px_ent) + k * sizeof(struct rc_paxos_cmd);
	struct px_ent *e;

	if (n->buf_bad || !buf_reserve(n, sz))
		return;
	e = (struct px_ent *)(n->buf + n->buf_len);
	e->slot = slot;
	e->ballot = ballot;
	e->n = k;
	e->pad = 0;
	if (k)
		memcpy(e->cmd, cmds, k * sizeof(struct rc_paxos_cmd));
	n->buf_len += sz;
	((struct rc_paxos_msg *)n->buf)->nent++;
}

static struct rc_paxos_msg *mb_msg(struct rc_paxos_node *n)
{
	struct rc_paxos_msg *m = (struct rc_paxos_msg *)n->buf;

	m->size = n->buf_len;
	return m;
}

static void send_to(struct rc_paxos_node *n, unsigned to)
{
	struct rc_paxos_msg *m;

	if (n->buf_bad)
		return;
	m = mb_msg(n);

	if (to == n->id) {
		unsigned b = n->self_cur;

		if (n->self_len[b] + m->size > n->self_cap[b]) {
			uint64_t nc =
				n->self_cap[b] ? 2 * n->self_cap[b] : 1024;
			char *nb;

			while (nc < n->self_len[b] + m->size)
				nc *= 2;
			nb = realloc(n->selfb[b], nc);
			if (!nb) {
				n->oom = true;
				return;
			}
			n->selfb[b] = nb;
			n->self_cap[b] = nc;
		}
		memcpy(n->selfb[b] + n->self_len[b], m, m->size);
		n->self_len[b] += m->size;
		return;
	}
	n->sent++;
	n->io.send(n->io.ctx, n->id, to, m);
}

static void send_all(struct rc_paxos_node *n)
{
	for (unsigned i = 0; i < n->cfg.nodes; i++)
		send_to(n, i);
}

static void send_others(struct rc_paxos_node *n)
{
	for (unsigned i = 0; i < n->cfg.nodes; i++)
		if (i != n->id)
			send_to(n, i);
}

/* ---- proposer ---- */

static uint64_t random_timeout(struct rc_paxos_node *n)
{
	return n->cfg.election + _rc_rand(&n->rng) % n->cfg.election;
}

static void pend_push(struct rc_paxos_node *n, const struct rc_paxos_cmd *c)
{
	if (n->pend_head + n->pend_n == n->pend_cap) {
		if (n->pend_head > 0) {
			memmove(n->pend, n->pend + n->pend_head,
				n->pend_n * sizeof *n->pend);
			n->pend_head = 0;
		} else {
			uint64_t nc = n->pend_cap ? 2 * n->pend_cap : 64;
			void *np = realloc(n->pend, nc * sizeof *n->pend);

			if (!np) {
				n->oom = true;
				return;
			}
			n->pend = np;
			n->pend_cap = nc;
		}
	}
	n->pend[n->pend_head + n->pend_n] = *c;
	n->pend_n++;
}

static void step_down(struct rc_paxos_node *n)
{
	/* With alpha a leader too may hold adopted values it did not
	 * propose yet (become_leader). */
	if (n->role == CANDIDATE || (n->role == LEADER && n->cfg.alpha))
		for (uint64_t s = n->p1_from > n->base ? n->p1_from : n->base;
		     s < n->top; s++) {
			struct px_slot *sl = slot_of(n, s);

			val_put(n, sl->ad);
			sl->ad = NULL;
			sl->ad_ballot = 0;
		}
	n->role = FOLLOWER;
	n->timeout = random_timeout(n);
	rc_fd_reset(n->fd, 0, n->now, n->timeout);
	/* Other nodes' commands: their proposers resend them. */
	n->pend_head = n->pend_n = 0;
	/* And their reads: they ask the next leader. */
	n->nlr = 0;
}

/* A ballot seen in a message: the newest one names the leader. */
static void note_ballot(struct rc_paxos_node *n, uint64_t b)
{
	if (b <= n->max_seen)
		return;
	n->max_seen = b;
	if (n->role != FOLLOWER && b > n->ballot)
		step_down(n);
}

/* Routes a client command: into the batch queue, or to the leader. */
static void route(struct rc_paxos_node *n, const struct rc_paxos_cmd *c)
{
	unsigned owner = RC_PAXOS_BALLOT_OWNER(n->max_seen);

	if (n->role != FOLLOWER) {
		pend_push(n, c);
	} else if (n->max_seen != 0 && owner != n->id) {
		mb_begin(n, PX_FORWARD, n->max_seen, 0);
		mb_ent(n, 0, 0, c, 1);
		send_to(n, owner);
	}
}

static void start_election(struct rc_paxos_node *n)
{
	uint64_t r = RC_PAXOS_BALLOT_ROUND(n->max_seen);

	if (RC_PAXOS_BALLOT_ROUND(n->promised) > r)
		r = RC_PAXOS_BALLOT_ROUND(n->promised);
	if (n->role == CANDIDATE)
		step_down(n);
	n->role = CANDIDATE;
	n->ballot = RC_PAXOS_BALLOT(r + 1, n->id);
	n->max_seen = n->ballot;
	n->promises = 0;
	n->p1_from = n->delivered;
	n->p1_at = n->now;
	n->timeout = random_timeout(n);
	n->elections++;
	mb_begin(n, PX_PREPARE, n->ballot, n->p1_from);
	send_all(n);
}

/* Proposes v for slot s at the own ballot (phase 2a). */
static void propose(struct rc_paxos_node *n, uint64_t s, struct px_val *v)
{
	struct px_slot *sl = slot_at(n, s);

	if (!sl)
		return;
	val_put(n, sl->prop);
	sl->prop = val_get(v);
	sl->p2_ballot = n->ballot;
	sl->acks = 0;
	sl->sent_at = n->now;
	mb_begin(n, PX_ACCEPT, n->ballot, s);
	mb_ent(n, s, n->ballot, v->cmd, v->n);
	if (popcount64(members_at(n, s)) == 1 || n->ballot < n->promised) {
		/* Through the self queue: a group of one decides in
		 * on_accepted, and a ballot below the promise is refused. */
		send_all(n);
		return;
	}
	/* The leader accepts its own proposal here, as its ACCEPT and
	 * ACCEPTED through the self queue would after this step (nothing
	 * else is handled in between), without building and copying the
	 * two messages; one acceptance is not a majority of several. */
	promise(n, n->ballot);
	record(n, PX_REC_ACCEPT, s, n->ballot, v);
	val_put(n, sl->acc);
	sl->acc = val_get(v);
	sl->acc_ballot = n->ballot;
	sl->acks = 1ull << n->id;
	send_others(n);
}

static void become_leader(struct rc_paxos_node *n)
{
	uint64_t hi = n->top;

	n->role = LEADER;
	n->leaderships++;
	for (uint64_t s = n->p1_from > n->base ? n->p1_from : n->base; s < hi;
	     s++) {
		struct px_slot *sl = slot_of(n, s);
		struct px_val *v;

		if (sl->dec) {
			val_put(n, sl->ad);
		} else if (!may_propose(n, s)) {
			/* Its members unknown yet, or too few of them
			 * promised: from here on the adopted values wait
			 * (propose_adopted). */
			hi = s;
			break;
		} else {
			v = sl->ad ? sl->ad : val_new(n, NULL, 0);
			if (!v) {
				n->oom = true;
				continue;
			}
			propose(n, s, v);
			val_put(n, v);
		}
		sl = slot_of(n, s);
		sl->ad = NULL;
		sl->ad_ballot = 0;
	}
	n->adopt_top = n->top;
	n->next_slot = hi;
	/* Reads wait until the slots of earlier ballots are delivered:
	 * those it proposed now and those whose adopted values wait for
	 * their members (up to adopt_top). */
	n->lead_start = n->adopt_top > hi ? n->adopt_top : hi;
	n->nlr = 0;
	n->rd_sent = n->rd_ok = 0;
	memset(n->rd_acked, 0, sizeof n->rd_acked);
	n->hb_at = n->now;
	n->rt_at = n->now + n->cfg.retry;
	/* Its own commands not delivered yet (submitted while no leader was
	 * known, or forwarded to a leader that fell) are proposed now rather
	 * than at the next resend; a copy chosen twice is left out by the
	 * learners. */
	for (uint64_t i = 0; i < n->nmine; i++) {
		pend_push(n, &n->mine[i].c);
		n->mine[i].sent_at = n->now;
	}
}

/*
 * With alpha: a leader proposes the values it adopted, or no-ops, in the
 * slots from next_slot below adopt_top that it may propose at now, in
 * order; a slot chosen meanwhile (learned from an older ballot's leader)
 * needs none. Returns whether the leader may go on to new commands.
 */
static bool propose_adopted(struct rc_paxos_node *n)
{
	if (n->next_slot < n->delivered) {
		for (uint64_t s = n->next_slot > n->base ? n->next_slot
							 : n->base;
		     s < n->delivered && s < n->top; s++) {
			val_put(n, slot_of(n, s)->ad);
			slot_of(n, s)->ad = NULL;
			slot_of(n, s)->ad_ballot = 0;
		}
		n->next_slot = n->delivered;
	}
	while (n->next_slot < n->adopt_top) {
		uint64_t s = n->next_slot;
		struct px_slot *sl;
		struct px_val *v;

		if (s - n->delivered >= span(n) || !may_propose(n, s))
			return false;
		sl = slot_at(n, s);
		if (!sl)
			return false;
		if (!sl->dec) {
			v = sl->ad ? val_get(sl->ad) : val_new(n, NULL, 0);
			if (!v) {
				n->oom = true;
				return false;
			}
			propose(n, s, v);
			val_put(n, v);
			sl = slot_of(n, s);
		}
		val_put(n, sl->ad);
		sl->ad = NULL;
		sl->ad_ballot = 0;
		n->next_slot++;
		if (n->role != LEADER)
			return false;
	}
	return true;
}

/*
 * With alpha: a leader that may not propose at next_slot because too few
 * members of that slot promised its ballot asks them again, at most once
 * per retry/4, from its delivered count (below it nothing is open).
 */
static void ask_promises(struct rc_paxos_node *n)
{
	uint64_t s = n->next_slot, mask;

	if (s >= n->delivered + n->cfg.alpha || may_propose(n, s) ||
	    (n->ask_at && n->now - n->ask_at < n->cfg.retry / 4 + 1))
		return;
	n->ask_at = n->now;
	mask = members_at(n, s) & ~n->promises;
	mb_begin(n, PX_PREPARE, n->ballot, n->delivered);
	for (unsigned i = 0; i < n->cfg.nodes; i++)
		if (mask >> i & 1)
			send_to(n, i);
}

/*
 * Adopts the acceptances a PROMISE reports for slots from `from` on (and
 * above the base): for each, the highest-ballot value seen so far, and
 * adopt_top past it. false when a slot or a value found no memory.
 */
static bool adopt(struct rc_paxos_node *n, const struct rc_paxos_msg *m,
		  uint64_t from)
{
	const struct px_ent *e = px_first(m);

	for (uint32_t i = 0; i < m->nent; i++, e = px_next(e)) {
		struct px_slot *sl;
		struct px_val *v;

		if (e->slot < from || e->slot < n->base)
			continue;
		sl = slot_at(n, e->slot);
		if (!sl)
			return false;
		if (!PX_ADOPT || e->ballot <= sl->ad_ballot)
			continue;
		v = val_new(n, e->cmd, e->n);
		if (!v) {
			n->oom = true;
			return false;
		}
		val_put(n, sl->ad);
		sl->ad = v;
		sl->ad_ballot = e->ballot;
		if (e->slot >= n->adopt_top)
			n->adopt_top = e->slot + 1;
	}
	return true;
}

/*
 * A promise for a leader's ballot after it became leader (asked for by
 * ask_promises, or late): its sender counts from now on, and what it
 * accepted in the slots the leader did not propose at yet is adopted as
 * a candidate's promises are. Slots already proposed at this ballot had
 * a majority of their members promise without it.
 */
static void late_promise(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	if (!adopt(n, m, n->next_slot))
		return;
	n->promises |= 1ull << m->from;
}

/* ---- learner ---- */

static void mine_done(struct rc_paxos_node *n, uint64_t id)
{
	for (uint64_t i = 0; i < n->nmine; i++)
		if (n->mine[i].c.id == id) {
			n->mine[i] = n->mine[--n->nmine];
			return;
		}
}

static bool seen_bit(const struct px_seen *w, uint64_t q)
{
	return w->bits[(q % PX_WINDOW) / 64] >> (q % 64) & 1;
}

/*
 * Marks command id delivered: 1 if it was not before, 0 if it was, -1
 * without memory.
 */
static int seen_add(struct rc_paxos_node *n, uint64_t id)
{
	unsigned o = RC_PAXOS_ID_ORIGIN(id);
	uint64_t q = id & ((1ull << 48) - 1);
	struct px_seen *w;
	int r;

	if (o >= n->cfg.nodes || q == 0)
		return _rc_pxset_add(&n->seen_far, id);
	w = &n->seen[o];
	if (q <= w->base)
		return 0;
	if (q > w->base + PX_WINDOW) {
		r = _rc_pxset_add(&n->seen_far, id);
		if (r > 0)
			w->far++;
		return r;
	}
	if (seen_bit(w, q) || (w->far > 0 && _rc_pxset_has(&n->seen_far, id)))
		return 0;
	w->bits[(q % PX_WINDOW) / 64] |= 1ull << (q % 64);
	/* Slide: base + 1 delivered (in the window, or far when it was
	 * delivered before the window reached it) moves base. */
	for (;;) {
		uint64_t b = w->base + 1;

		if (seen_bit(w, b)) {
			w->bits[(b % PX_WINDOW) / 64] &= ~(1ull << (b % 64));
		} else if (w->far > 0 &&
			   _rc_pxset_has(&n->seen_far, id - q + b)) {
			w->far--;
		} else {
			break;
		}
		w->base = b;
	}
	return 1;
}

/*
 * Slot s, delivered now, carries the k commands cmds: each configuration
 * command among them makes its member set govern the slots from s + alpha
 * on (a later one in the slot overrides an earlier). Sets that govern
 * only slots below s are forgotten.
 */
static void note_config(struct rc_paxos_node *n, uint64_t s,
			const struct rc_paxos_cmd *cmds, unsigned k)
{
	const uint64_t all =
		n->cfg.nodes == 64 ? ~0ull : (1ull << n->cfg.nodes) - 1;
	unsigned drop = 0;

	while (drop + 1 < n->nconf && n->conf[drop + 1].from <= s)
		drop++;
	if (drop) {
		memmove(n->conf, n->conf + drop,
			(n->nconf - drop) * sizeof n->conf[0]);
		n->nconf -= drop;
	}
	for (unsigned i = 0; i < k; i++) {
		uint64_t mask = cmds[i].arg;

		if (cmds[i].tag != RC_PAXOS_TAG_CONFIG || mask == 0 ||
		    (mask & ~all))
			continue;
		if (n->conf[n->nconf - 1].from == s + n->cfg.alpha) {
			n->conf[n->nconf - 1].mask = mask;
		} else {
			/* Sets from s - alpha + 1 .. s + alpha and the one
			 * governing s: at most alpha + 1. */
			assert(n->nconf < RC_PAXOS_MAX_ALPHA + 1);
			n->conf[n->nconf].from = s + n->cfg.alpha;
			n->conf[n->nconf].mask = mask;
			n->nconf++;
		}
	}
}

static void deliver_ready(struct rc_paxos_node *n)
{
	while (n->delivered < n->top && slot_of(n, n->delivered)->dec) {
		struct px_val *v = slot_of(n, n->delivered)->dec;
		unsigned k = 0;

		if (v->n > n->scratch_cap) {
			void *ns =
				realloc(n->scratch, v->n * sizeof *n->scratch);

			if (!ns) {
				n->oom = true;
				return;
			}
			n->scratch = ns;
			n->scratch_cap = v->n;
		}
		for (unsigned i = 0; i < v->n; i++) {
			int r = seen_add(n, v->cmd[i].id);

			if (r < 0) {
				n->oom = true;
				return;
			}
			if (r == 0)
				continue;
			n->scratch[k++] = v->cmd[i];
			if (RC_PAXOS_ID_ORIGIN(v->cmd[i].id) == n->id)
				mine_done(n, v->cmd[i].id);
		}
		n->commands += k;
		n->io.deliver(n->io.ctx, n->id, n->delivered, n->scratch, k);
		if (n->cfg.alpha)
			note_config(n, n->delivered, n->scratch, k);
		n->delivered++;
	}
	rd_serve(n);
	if (n->role == LEADER)
		rd_pump(n);
}

static void decide(struct rc_paxos_node *n, uint64_t s, struct px_val *v)
{
	struct px_slot *sl = slot_at(n, s);

	if (!sl) /* delivered everywhere, or no memory */
		return;
	if (sl->dec) {
		if (!val_same(sl->dec, v))
			n->conflicts++;
		return;
	}
	sl->dec = val_get(v);
	deliver_ready(n);
}

static void maybe_catchup(struct rc_paxos_node *n)
{
	unsigned owner = RC_PAXOS_BALLOT_OWNER(n->max_seen);

	if (n->role == LEADER || n->delivered >= n->leader_commit ||
	    owner == n->id)
		return;
	if (n->catchup_at != 0 && n->now - n->catchup_at < n->cfg.retry)
		return;
	n->catchup_at = n->now;
	mb_begin(n, PX_CATCHUP, n->max_seen, n->delivered);
	send_to(n, owner);
}

/* ---- message handlers ---- */

static void heard_from(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	if (m->ballot == n->max_seen &&
	    m->from == RC_PAXOS_BALLOT_OWNER(n->max_seen)) {
		rc_fd_heard(n->fd, 0, n->now);
		if (m->commit > n->leader_commit)
			n->leader_commit = m->commit;
	}
}

static void nack(struct rc_paxos_node *n, unsigned to)
{
	mb_begin(n, PX_NACK,
		 n->promised > n->max_seen ? n->promised : n->max_seen, 0);
	send_to(n, to);
}

/*
 * The acceptor's rule for PREPARE and ACCEPT: a ballot below the promise
 * is refused (NACK naming the higher one); any other becomes the promise.
 */
static bool admit(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	note_ballot(n, m->ballot);
	if (m->ballot < n->promised) {
		nack(n, m->from);
		return false;
	}
	promise(n, m->ballot);
	heard_from(n, m);
	return true;
}

static void on_prepare(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	/* Slots below base are forgotten here: a candidate that has not
	 * delivered them cannot learn their values from this promise, so it
	 * gets none (it catches up first, from the leader or a snapshot). */
	if (m->slot < n->base)
		return;
	if (!admit(n, m))
		return;
	mb_begin(n, PX_PROMISE, m->ballot, m->slot);
	/* Below base every node delivered, the candidate too by now. */
	for (uint64_t s = m->slot > n->base ? m->slot : n->base; s < n->top;
	     s++) {
		struct px_slot *sl = slot_of(n, s);

		if (sl->acc)
			mb_ent(n, s, sl->acc_ballot, sl->acc->cmd, sl->acc->n);
	}
	send_to(n, m->from);
}

static void on_promise(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	if (n->role == LEADER && n->cfg.alpha && m->ballot == n->ballot &&
	    !(n->promises & (1ull << m->from))) {
		late_promise(n, m);
		return;
	}
	if (n->role != CANDIDATE || m->ballot != n->ballot ||
	    (n->promises & (1ull << m->from)))
		return;
	n->promises |= 1ull << m->from;
	if (!adopt(n, m, n->p1_from))
		return;
	if (quorum(members_at(n, n->p1_from), n->promises))
		become_leader(n);
}

static void on_accept(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	const struct px_ent *e = px_first(m);
	struct px_slot *sl;
	struct px_val *v;

	if (!admit(n, m))
		return;
	if (e->slot < n->base) {
		/* Chosen and forgotten here: the proposer is behind the
		 * group's base. A NACK tells it our base (every message
		 * carries it), so it notes that a snapshot must bring it
		 * up (rc_paxos_node_behind); silence would leave a leader
		 * that restarted from an older snapshot proposing there
		 * for ever. */
		nack(n, m->from);
		return;
	}
	sl = slot_at(n, e->slot);
	/* A ballot proposes one value per slot: the leader's own ACCEPT
	 * carries its proposal, shared rather than copied. */
	if (sl && sl->prop && sl->p2_ballot == m->ballot)
		v = val_get(sl->prop);
	else
		v = val_new(n, e->cmd, e->n);
	if (!sl || !v) {
		val_put(n, v);
		n->oom = true;
		return;
	}
	record(n, PX_REC_ACCEPT, e->slot, m->ballot, v);
	val_put(n, sl->acc);
	sl->acc = v;
	sl->acc_ballot = m->ballot;
	mb_begin(n, PX_ACCEPTED, m->ballot, e->slot);
	send_to(n, m->from);
}

static void on_accepted(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	struct px_slot *sl;

	if (n->role != LEADER || m->ballot != n->ballot || m->slot >= n->top ||
	    m->slot < n->base)
		return;
	sl = slot_of(n, m->slot);
	if (sl->dec || sl->p2_ballot != n->ballot || !sl->prop)
		return;
	sl->acks |= 1ull << m->from;
	if (quorum(members_at(n, m->slot), sl->acks)) {
		struct px_val *v = val_get(sl->prop);

		mb_begin(n, PX_DECIDE, n->ballot, m->slot);
		mb_ent(n, m->slot, n->ballot, v->cmd, v->n);
		send_others(n);
		decide(n, m->slot, v);
		val_put(n, v);
	}
}

static void on_decide(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	const struct px_ent *e = px_first(m);
	uint64_t before = n->delivered;

	note_ballot(n, m->ballot);
	heard_from(n, m);
	for (uint32_t i = 0; i < m->nent; i++, e = px_next(e)) {
		struct px_slot *sl = slot_at(n, e->slot);
		struct px_val *v;

		if (!sl || (sl->dec && val_is(sl->dec, e->cmd, e->n)))
			continue;
		/* The value this acceptor accepted is usually the one
		 * chosen: shared rather than copied. */
		if (sl->acc && val_is(sl->acc, e->cmd, e->n))
			v = val_get(sl->acc);
		else
			v = val_new(n, e->cmd, e->n);
		if (!v) {
			n->oom = true;
			return;
		}
		decide(n, e->slot, v);
		val_put(n, v);
	}
	if (n->delivered > before)
		n->catchup_at = 0;
	maybe_catchup(n);
}

static void on_heartbeat(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	note_ballot(n, m->ballot);
	if (m->ballot < n->max_seen) {
		nack(n, m->from);
		return;
	}
	heard_from(n, m);
	maybe_catchup(n);
}

static void on_catchup(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	uint64_t from = m->slot > n->base ? m->slot : n->base;
	uint64_t end = from + PX_CATCHUP_SLOTS;

	if (end > n->delivered)
		end = n->delivered;
	if (from >= end)
		return;
	/* Not from the leader's ballot unless this node leads. */
	if (!mb_begin(n, PX_DECIDE, n->role == LEADER ? n->max_seen : 0, from))
		return;
	for (uint64_t s = from; s < end; s++)
		mb_ent(n, s, 0, slot_of(n, s)->dec->cmd, slot_of(n, s)->dec->n);
	send_to(n, m->from);
}

static void on_nack(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	note_ballot(n, m->ballot);
}

static void on_forward(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	const struct px_ent *e = px_first(m);

	if (n->role == FOLLOWER || m->nent == 0)
		return;
	for (uint32_t i = 0; i < e->n; i++)
		pend_push(n, &e->cmd[i]);
}

/* ---- reads (the read index) ---- */

/* Serves the reads whose index this node delivered (io.read). */
static void rd_serve(struct rc_paxos_node *n)
{
	for (uint64_t i = 0; i < n->nrd;) {
		struct px_read r = n->rd[i];

		if (!r.have || r.index > n->delivered) {
			i++;
			continue;
		}
		n->rd[i] = n->rd[--n->nrd];
		if (n->io.read)
			n->io.read(n->io.ctx, n->id, r.id, r.index);
	}
}

/* The read index of read id arrived (from the leader, or from itself). */
static void rd_got(struct rc_paxos_node *n, uint64_t id, uint64_t index)
{
	for (uint64_t i = 0; i < n->nrd; i++)
		if (n->rd[i].id == id && !n->rd[i].have) {
			n->rd[i].have = true;
			n->rd[i].index = index;
			rd_serve(n);
			return;
		}
}

/*
 * The highest round a majority acknowledged, the leader counting itself
 * for the last round it sent.
 */
static uint64_t rd_majority_round(const struct rc_paxos_node *n)
{
	uint64_t best = n->rd_ok;

	for (unsigned i = 0; i < n->cfg.nodes; i++) {
		uint64_t r = i == n->id ? n->rd_sent : n->rd_acked[i];
		uint64_t set = 0;

		if (r <= best)
			continue;
		for (unsigned j = 0; j < n->cfg.nodes; j++)
			if ((j == n->id ? n->rd_sent : n->rd_acked[j]) >= r)
				set |= 1ull << j;
		if (quorum_from(n, n->delivered, set))
			best = r;
	}
	return best;
}

/*
 * The leader's reads: indexes taken once lead_start is delivered,
 * answered once a round sent after them is confirmed, and a new round
 * sent when one is wanted and none is out (or the last is older than a
 * retry period).
 */
static void rd_pump(struct rc_paxos_node *n)
{
	bool want = false;

	if (n->role != LEADER)
		return;
	for (uint64_t i = 0; i < n->nlr; i++) {
		struct px_lread *l = &n->lr[i];

		if (!l->indexed && n->delivered >= n->lead_start) {
			l->indexed = true;
			l->index = n->delivered;
			l->round = PX_READ_CONFIRM ? n->rd_sent + 1 : 0;
		}
	}
	n->rd_ok = rd_majority_round(n);
	for (uint64_t i = 0; i < n->nlr;) {
		struct px_lread l = n->lr[i];

		if (!l.indexed || l.round > n->rd_ok) {
			want |= l.indexed;
			i++;
			continue;
		}
		n->lr[i] = n->lr[--n->nlr];
		if (l.from == n->id) {
			rd_got(n, l.id, l.index);
			continue;
		}
		mb_begin(n, PX_RDINDEX, n->ballot, l.id);
		mb_ent(n, l.index, 0, NULL, 0);
		send_to(n, l.from);
	}
	if (want && (n->rd_sent == n->rd_ok ||
		     n->now - n->rd_sent_at >= n->cfg.retry)) {
		n->rd_sent++;
		n->rd_sent_at = n->now;
		mb_begin(n, PX_RDCHECK, n->ballot, n->rd_sent);
		send_others(n);
		if (quorum_from(n, n->delivered, 1ull << n->id))
			rd_pump(n);
	}
}

/* Read id of node `from` at the leader (once per id while it waits). */
static void lread_add(struct rc_paxos_node *n, unsigned from, uint64_t id)
{
	for (uint64_t i = 0; i < n->nlr; i++)
		if (n->lr[i].from == from && n->lr[i].id == id)
			return;
	if (n->nlr == n->lr_cap) {
		uint64_t nc = n->lr_cap ? 2 * n->lr_cap : 16;
		void *nl = realloc(n->lr, nc * sizeof *n->lr);

		if (!nl) {
			n->oom = true;
			return;
		}
		n->lr = nl;
		n->lr_cap = nc;
	}
	n->lr[n->nlr++] = (struct px_lread){ id, 0, 0, from, false };
	rd_pump(n);
}

/* Sends read r to the leader as this node knows it (itself included). */
static void rd_route(struct rc_paxos_node *n, struct px_read *r)
{
	unsigned owner = RC_PAXOS_BALLOT_OWNER(n->max_seen);

	r->sent_at = n->now;
	if (n->role == LEADER) {
		lread_add(n, n->id, r->id);
	} else if (n->max_seen != 0 && owner != n->id) {
		mb_begin(n, PX_READ, n->max_seen, r->id);
		send_to(n, owner);
	}
}

static void on_read(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	if (n->role == LEADER)
		lread_add(n, m->from, m->slot);
}

/*
 * A confirmation round: acknowledged while this node knows no ballot
 * above the leader's, neither seen nor promised.
 */
static void on_rdcheck(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	note_ballot(n, m->ballot);
	if (m->ballot < n->max_seen || m->ballot < n->promised) {
		nack(n, m->from);
		return;
	}
	heard_from(n, m);
	mb_begin(n, PX_RDACK, m->ballot, m->slot);
	send_to(n, m->from);
	maybe_catchup(n);
}

static void on_rdack(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	if (n->role != LEADER || m->ballot != n->ballot ||
	    m->slot > n->rd_sent || m->slot <= n->rd_acked[m->from])
		return;
	n->rd_acked[m->from] = m->slot;
	rd_pump(n);
}

static void on_rdindex(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	note_ballot(n, m->ballot);
	heard_from(n, m);
	if (m->nent == 1)
		rd_got(n, m->slot, px_first(m)->slot);
	maybe_catchup(n);
}

typedef void (*px_handler)(struct rc_paxos_node *, const struct rc_paxos_msg *);

/* The handler of each message type, indexed by PX_*. */
static const px_handler handlers[] = {
	[PX_PREPARE] = on_prepare,     [PX_PROMISE] = on_promise,
	[PX_NACK] = on_nack,	       [PX_ACCEPT] = on_accept,
	[PX_ACCEPTED] = on_accepted,   [PX_DECIDE] = on_decide,
	[PX_HEARTBEAT] = on_heartbeat, [PX_CATCHUP] = on_catchup,
	[PX_FORWARD] = on_forward,     [PX_READ] = on_read,
	[PX_RDCHECK] = on_rdcheck,     [PX_RDACK] = on_rdack,
	[PX_RDINDEX] = on_rdindex,
};

static void dispatch(struct rc_paxos_node *n, const struct rc_paxos_msg *m)
{
	if (m->from != n->id)
		note_done(n, m);
	if (m->type < sizeof handlers / sizeof handlers[0] && handlers[m->type])
		handlers[m->type](n, m);
}

/*
 * Handles the messages this node sent itself, in the order sent, without
 * a heap copy each: the queue being handled is set aside while handling
 * fills the other, and the two swap until both are empty.
 */
static void drain_self(struct rc_paxos_node *n)
{
	while (n->self_len[n->self_cur] > 0) {
		unsigned b = n->self_cur;

		n->self_cur ^= 1;
		for (uint64_t off = 0; off < n->self_len[b];) {
			const struct rc_paxos_msg *m =
				(const struct rc_paxos_msg *)(n->selfb[b] +
							      off);

			off += m->size;
			dispatch(n, m);
		}
		n->self_len[b] = 0;
	}
}

/* ---- the public step machine ---- */

int rc_paxos_config_check(const struct rc_paxos_config *cfg, rc_err_t *err)
{
	if (cfg->nodes < 1 || cfg->nodes > RC_PAXOS_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "nodes must be 1..%d, not %u",
				  RC_PAXOS_MAX_NODES, cfg->nodes);
	if (cfg->batch < 1)
		return rc_err_set(err, RC_EINVAL, "batch", 0, 0,
				  "batch must be at least 1");
	if (cfg->window < 1)
		return rc_err_set(err, RC_EINVAL, "window", 0, 0,
				  "window must be at least 1");
	if (cfg->heartbeat < 1 || cfg->election <= cfg->heartbeat ||
	    cfg->retry < 1)
		return rc_err_set(err, RC_EINVAL, "timeouts", 0, 0,
				  "heartbeat and retry must be positive and "
				  "election longer than heartbeat");
	if (cfg->alpha > RC_PAXOS_MAX_ALPHA)
		return rc_err_set(err, RC_EINVAL, "alpha", 0, 0,
				  "alpha must be 0..%d, not %u",
				  RC_PAXOS_MAX_ALPHA, cfg->alpha);
	if (cfg->nodes < 64 && (cfg->members >> cfg->nodes) != 0)
		return rc_err_set(err, RC_EINVAL, "members", 0, 0,
				  "members names a node above %u",
				  cfg->nodes - 1);
	return 0;
}

int rc_paxos_node_create(rc_paxos_node_t **out,
			 const struct rc_paxos_config *cfg, unsigned id,
			 const struct rc_paxos_io *io, uint64_t now,
			 rc_err_t *err)
{
	struct rc_paxos_node *n;
	struct rc_fd_opts fo = { .kind = RC_FD_HEARTBEAT, .backoff = 1 };
	int r = rc_paxos_config_check(cfg, err);

	if (r < 0)
		return r;
	if (id >= cfg->nodes)
		return rc_err_set(err, RC_EINVAL, "node", 0, 0,
				  "node %u of a group of %u", id, cfg->nodes);
	n = calloc(1, sizeof *n);
	if (!n)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	n->cfg = *cfg;
	n->io = *io;
	n->id = id;
	n->conf[0].mask =
		cfg->members ? cfg->members : (1ull << cfg->nodes) - 1;
	n->nconf = 1;
	n->rng = cfg->seed * 0x9e3779b97f4a7c15ull + id + 1;
	n->now = now;
	n->role = FOLLOWER;
	fo.interval_ns = cfg->heartbeat;
	fo.timeout_ns = cfg->election;
	if ((r = rc_fd_create(&n->fd, 1, now, &fo, err)) < 0) {
		free(n);
		return r;
	}
	/* Node 0 stands first; the others wait for a leader. */
	n->timeout = id == 0 ? 0 : random_timeout(n);
	rc_fd_reset(n->fd, 0, now, n->timeout);
	*out = n;
	return 0;
}

void rc_paxos_node_destroy(rc_paxos_node_t *n)
{
	if (!n)
		return;
	for (uint64_t s = n->base; s < n->top; s++)
		slot_clear(n, slot_of(n, s));
	for (unsigned c = 0; c < PX_VCLASSES; c++)
		while (n->vfree[c]) {
			struct px_val *v = n->vfree[c];

			memcpy(&n->vfree[c], v->cmd, sizeof n->vfree[c]);
			free(v);
		}
	free(n->selfb[0]);
	free(n->selfb[1]);
	free(n->slot);
	free(n->scratch);
	free(n->pend);
	free(n->mine);
	free(n->rd);
	free(n->lr);
	free(n->buf);
	_rc_pxset_free(&n->seen_far);
	rc_fd_destroy(n->fd);
	free(n);
}

void rc_paxos_node_recv(rc_paxos_node_t *n, uint64_t now,
			const struct rc_paxos_msg *m)
{
	n->now = now;
	if (m->from >= n->cfg.nodes || m->from == n->id)
		return;
	dispatch(n, m);
	drain_self(n);
}

/* Sends k client commands to the leader in one FORWARD (a follower's). */
static void forward_batch(struct rc_paxos_node *n, const struct rc_paxos_cmd *c,
			  unsigned k)
{
	unsigned owner = RC_PAXOS_BALLOT_OWNER(n->max_seen);

	if (n->max_seen != 0 && owner != n->id) {
		mb_begin(n, PX_FORWARD, n->max_seen, 0);
		mb_ent(n, 0, 0, c, k);
		send_to(n, owner);
	}
}

unsigned rc_paxos_node_submitv(rc_paxos_node_t *n, uint64_t now,
			       const struct rc_paxos_cmd *c, unsigned k,
			       uint64_t *ids)
{
	uint64_t first;
	unsigned i;

	n->now = now;
	if (n->nmine + k > n->mine_cap) {
		uint64_t nc = n->mine_cap ? 2 * n->mine_cap : 64;
		void *nm;

		while (nc < n->nmine + k)
			nc *= 2;
		nm = _rc_fault_alloc() ? NULL
				       : realloc(n->mine, nc * sizeof *n->mine);
		if (!nm) {
			n->oom = true;
			return 0;
		}
		n->mine = nm;
		n->mine_cap = nc;
	}
	if (n->nmine == 0)
		n->retry_at = now + n->cfg.retry;
	first = n->nmine;
	for (i = 0; i < k; i++) {
		struct px_mine *m = &n->mine[n->nmine++];

		m->c = c[i];
		m->c.id = c[i].id ? c[i].id : RC_PAXOS_ID(n->id, ++n->seq);
		m->sent_at = now;
		if (ids)
			ids[i] = m->c.id;
	}
	if (n->io.record)
		for (i = 0; i < k; i++)
			record_cmds(n, PX_REC_SUBMIT, 0, 0,
				    &n->mine[first + i].c, 1);
	if (n->role != FOLLOWER) {
		for (i = 0; i < k; i++)
			pend_push(n, &n->mine[first + i].c);
	} else {
		struct rc_paxos_cmd *tmp = n->scratch;

		if (k > n->scratch_cap) {
			tmp = realloc(n->scratch, k * sizeof *tmp);
			if (!tmp) {
				n->oom = true;
				drain_self(n);
				return k;
			}
			n->scratch = tmp;
			n->scratch_cap = k;
		}
		for (i = 0; i < k; i++)
			tmp[i] = n->mine[first + i].c;
		forward_batch(n, tmp, k);
	}
	drain_self(n);
	return k;
}

uint64_t rc_paxos_node_submit(rc_paxos_node_t *n, uint64_t now,
			      const struct rc_paxos_cmd *c)
{
	uint64_t id = 0;

	rc_paxos_node_submitv(n, now, c, 1, &id);
	return id;
}

int rc_paxos_node_read(rc_paxos_node_t *n, uint64_t now, uint64_t id)
{
	n->now = now;
	assert(id != 0);
	if (n->nrd == n->rd_cap) {
		uint64_t nc = n->rd_cap ? 2 * n->rd_cap : 16;
		void *nr = realloc(n->rd, nc * sizeof *n->rd);

		if (!nr)
			return -RC_ENOMEM;
		n->rd = nr;
		n->rd_cap = nc;
	}
	if (n->nrd == 0 || n->rd_retry_at < now)
		n->rd_retry_at = now + n->cfg.retry;
	n->rd[n->nrd] = (struct px_read){ id, 0, now, false };
	rd_route(n, &n->rd[n->nrd++]);
	drain_self(n);
	return 0;
}

/* Whether a read asked here waits for its index. */
static bool rd_waiting(const struct rc_paxos_node *n)
{
	for (uint64_t i = 0; i < n->nrd; i++)
		if (!n->rd[i].have)
			return true;
	return false;
}

/* Whether the leader holds indexed reads to confirm. */
static bool lr_waiting(const struct rc_paxos_node *n)
{
	for (uint64_t i = 0; i < n->nlr; i++)
		if (n->lr[i].indexed)
			return true;
	return false;
}

void rc_paxos_node_tick(rc_paxos_node_t *n, uint64_t now)
{
	n->now = now;
	if (n->role == FOLLOWER && rc_fd_suspects(n->fd, 0, now))
		start_election(n);
	else if (n->role == CANDIDATE && now - n->p1_at >= n->timeout)
		start_election(n);
	if (n->role == LEADER && (!n->cfg.alpha || propose_adopted(n))) {
		while (n->pend_n > 0 && n->next_slot - n->delivered < span(n) &&
		       may_propose(n, n->next_slot)) {
			unsigned k = n->pend_n < n->cfg.batch
					     ? (unsigned)n->pend_n
					     : n->cfg.batch;
			struct px_val *v =
				val_new(n, n->pend + n->pend_head, k);

			if (!v) {
				n->oom = true;
				break;
			}
			n->pend_head += k;
			n->pend_n -= k;
			if (n->pend_n == 0)
				n->pend_head = 0;
			propose(n, n->next_slot++, v);
			val_put(n, v);
			if (n->role != LEADER)
				break;
		}
	}
	if (n->role == LEADER && n->cfg.alpha)
		ask_promises(n);
	if (n->role == LEADER && now >= n->hb_at) {
		mb_begin(n, PX_HEARTBEAT, n->ballot, 0);
		send_others(n);
		n->hb_at = now + n->cfg.heartbeat;
	}
	if (n->role == LEADER && now >= n->rt_at) {
		for (uint64_t s = n->delivered; s < n->next_slot; s++) {
			struct px_slot *sl = slot_of(n, s);

			if (sl->dec || !sl->prop ||
			    sl->p2_ballot != n->ballot ||
			    now - sl->sent_at < n->cfg.retry)
				continue;
			sl->sent_at = now;
			mb_begin(n, PX_ACCEPT, n->ballot, s);
			mb_ent(n, s, n->ballot, sl->prop->cmd, sl->prop->n);
			for (unsigned i = 0; i < n->cfg.nodes; i++)
				if (!(sl->acks & (1ull << i)))
					send_to(n, i);
		}
		n->rt_at = now + n->cfg.retry / 4 + 1;
	}
	if (n->nmine > 0 && now >= n->retry_at) {
		for (uint64_t i = 0; i < n->nmine; i++) {
			struct px_mine *c = &n->mine[i];

			if (now - c->sent_at < n->cfg.retry)
				continue;
			c->sent_at = now;
			route(n, &c->c);
		}
		n->retry_at = now + n->cfg.retry / 4 + 1;
	}
	if (n->nrd > 0 && now >= n->rd_retry_at) {
		for (uint64_t i = 0; i < n->nrd; i++)
			if (!n->rd[i].have &&
			    now - n->rd[i].sent_at >= n->cfg.retry)
				rd_route(n, &n->rd[i]);
		n->rd_retry_at = now + n->cfg.retry / 4 + 1;
	}
	rd_pump(n);
	maybe_catchup(n);
	drain_self(n);
}

uint64_t rc_paxos_node_deadline(const rc_paxos_node_t *n)
{
	uint64_t d;

	if (n->role == FOLLOWER)
		d = rc_fd_deadline(n->fd, 0);
	else if (n->role == CANDIDATE)
		d = n->p1_at + n->timeout;
	else {
		d = n->hb_at;
		if ((n->pend_n > 0 || n->next_slot < n->adopt_top) &&
		    ((n->cfg.alpha && n->next_slot < n->delivered) ||
		     (n->next_slot - n->delivered < span(n) &&
		      may_propose(n, n->next_slot))))
			d = n->now;
		if (n->next_slot > n->delivered && n->rt_at < d)
			d = n->rt_at;
	}
	if (n->nmine > 0 && n->retry_at < d)
		d = n->retry_at;
	if (n->rd_retry_at < d && rd_waiting(n))
		d = n->rd_retry_at;
	if (n->role == LEADER && n->rd_sent_at + n->cfg.retry < d &&
	    lr_waiting(n))
		d = n->rd_sent_at + n->cfg.retry;
	if (n->role != LEADER && n->delivered < n->leader_commit &&
	    RC_PAXOS_BALLOT_OWNER(n->max_seen) != n->id &&
	    n->catchup_at + n->cfg.retry < d)
		d = n->catchup_at + n->cfg.retry;
	return d;
}

size_t rc_paxos_msg_size(const struct rc_paxos_msg *m)
{
	return (size_t)m->size;
}

void rc_paxos_msg_describe(const struct rc_paxos_msg *m, char *buf, size_t len)
{
	static const char *const names[] = {
		"?",	    "PREPARE", "PROMISE",   "NACK",    "ACCEPT",
		"ACCEPTED", "DECIDE",  "HEARTBEAT", "CATCHUP", "FORWARD",
		"READ",	    "RDCHECK", "RDACK",	    "RDINDEX",
	};
	const char *name =
		m->type < sizeof names / sizeof names[0] ? names[m->type] : "?";
	const struct px_ent *e = px_first(m);
	uint64_t cmds = 0;

	for (uint32_t i = 0; i < m->nent; i++, e = px_next(e))
		cmds += e->n;
	snprintf(buf, len,
		 "%s b=%llu.%u slot=%llu commit=%llu entries=%u cmds=%llu",
		 name, (unsigned long long)RC_PAXOS_BALLOT_ROUND(m->ballot),
		 RC_PAXOS_BALLOT_OWNER(m->ballot), (unsigned long long)m->slot,
		 (unsigned long long)m->commit, m->nent,
		 (unsigned long long)cmds);
}

void rc_paxos_node_stats(const rc_paxos_node_t *n,
			 struct rc_paxos_node_stats *s)
{
	s->ballot = n->max_seen;
	s->leader = n->role == LEADER;
	s->delivered = n->delivered;
	s->commands = n->commands;
	s->elections = n->elections;
	s->leaderships = n->leaderships;
	s->sent = n->sent;
	s->lost = 0;
	s->kept = n->top - n->base;
}

/* Decisions that disagreed with one this node already knew. */
uint64_t _rc_paxos_node_conflicts(const rc_paxos_node_t *n)
{
	return n->conflicts;
}

void _rc_paxos_node_peer_down(rc_paxos_node_t *n, unsigned peer)
{
	n->snapd[peer] = 0;
}

unsigned _rc_paxos_node_leader(const rc_paxos_node_t *n)
{
	return RC_PAXOS_BALLOT_OWNER(n->max_seen);
}

uint64_t _rc_paxos_node_members(const rc_paxos_node_t *n, uint64_t slot)
{
	return members_at(n, slot);
}

uint64_t _rc_paxos_node_newest(const rc_paxos_node_t *n, uint64_t *from)
{
	if (from)
		*from = n->conf[n->nconf - 1].from;
	return n->conf[n->nconf - 1].mask;
}

/* ---- snapshots and recovery ---- */

/* Adds c to the commands of this node to send until delivered. */
static int mine_add(struct rc_paxos_node *n, const struct rc_paxos_cmd *c)
{
	if (n->nmine == n->mine_cap) {
		uint64_t nc = n->mine_cap ? 2 * n->mine_cap : 64;
		void *nm = realloc(n->mine, nc * sizeof *n->mine);

		if (!nm)
			return -RC_ENOMEM;
		n->mine = nm;
		n->mine_cap = nc;
	}
	if (n->nmine == 0)
		n->retry_at = n->now + n->cfg.retry;
	n->mine[n->nmine].c = *c;
	n->mine[n->nmine].sent_at = n->now;
	n->nmine++;
	return 0;
}

/* Whether command id was delivered here (seen_add without adding). */
static bool seen_has(const struct rc_paxos_node *n, uint64_t id)
{
	unsigned o = RC_PAXOS_ID_ORIGIN(id);
	uint64_t q = id & ((1ull << 48) - 1);
	const struct px_seen *w;

	if (o >= n->cfg.nodes || q == 0)
		return _rc_pxset_has(&n->seen_far, id);
	w = &n->seen[o];
	if (q <= w->base)
		return true;
	if (q <= w->base + PX_WINDOW && seen_bit(w, q))
		return true;
	return _rc_pxset_has(&n->seen_far, id);
}

/*
 * A checkpoint's bytes: this head, seen[nodes], then nfar ids; with alpha
 * then the count of member sets and the sets (from, mask), those that
 * govern the slots from the checkpoint's on.
 */
#define PX_CK_MAGIC 0x50584b50u
struct px_ck {
	uint32_t magic, nodes;
	uint64_t slot, commands, nfar;
};

size_t rc_paxos_node_checkpoint(const rc_paxos_node_t *n, void *buf, size_t len)
{
	size_t conf = n->cfg.alpha ? sizeof(uint64_t) +
					     n->nconf * sizeof(struct px_conf)
				   : 0;
	size_t need = sizeof(struct px_ck) +
		      n->cfg.nodes * sizeof(struct px_seen) +
		      n->seen_far.n * sizeof(uint64_t) + conf;
	struct px_ck h;
	char *p = buf;

	if (!buf || len < need)
		return need;
	h.magic = PX_CK_MAGIC;
	h.nodes = n->cfg.nodes;
	h.slot = n->delivered;
	h.commands = n->commands;
	h.nfar = n->seen_far.n;
	memcpy(p, &h, sizeof h);
	p += sizeof h;
	memcpy(p, n->seen, n->cfg.nodes * sizeof(struct px_seen));
	p += n->cfg.nodes * sizeof(struct px_seen);
	for (uint64_t i = 0; i < n->seen_far.cap; i++)
		if (n->seen_far.k[i]) {
			memcpy(p, &n->seen_far.k[i], sizeof(uint64_t));
			p += sizeof(uint64_t);
		}
	if (conf) {
		uint64_t k = n->nconf;

		memcpy(p, &k, sizeof k);
		memcpy(p + sizeof k, n->conf,
		       n->nconf * sizeof(struct px_conf));
	}
	return need;
}

uint64_t rc_paxos_checkpoint_slot(const void *buf, size_t len)
{
	struct px_ck h;

	if (len < sizeof h)
		return 0;
	memcpy(&h, buf, sizeof h);
	return h.magic == PX_CK_MAGIC ? h.slot : 0;
}

int rc_paxos_node_install(rc_paxos_node_t *n, const void *buf, size_t len)
{
	const char *p = buf;
	struct px_ck h;
	struct _rc_pxset far = { NULL, 0, 0 };
	uint64_t k, nconf = 0;
	size_t body;

	if (len < sizeof h)
		return -RC_EINVAL;
	memcpy(&h, p, sizeof h);
	body = sizeof h + h.nodes * sizeof(struct px_seen) +
	       h.nfar * sizeof(uint64_t);
	if (n->cfg.alpha && h.magic == PX_CK_MAGIC && len >= body + sizeof k)
		memcpy(&nconf, p + body, sizeof nconf);
	if (h.magic != PX_CK_MAGIC || h.nodes != n->cfg.nodes ||
	    (n->cfg.alpha && (nconf < 1 || nconf > RC_PAXOS_MAX_ALPHA + 1)) ||
	    len != body + (n->cfg.alpha
				   ? sizeof k + nconf * sizeof(struct px_conf)
				   : 0))
		return -RC_EINVAL;
	if (h.slot <= n->delivered)
		return 0;
	p += sizeof h + h.nodes * sizeof(struct px_seen);
	for (uint64_t i = 0; i < h.nfar; i++) {
		memcpy(&k, p + i * sizeof k, sizeof k);
		if (_rc_pxset_add(&far, k) < 0) {
			_rc_pxset_free(&far);
			return -RC_ENOMEM;
		}
	}
	_rc_pxset_free(&n->seen_far);
	n->seen_far = far;
	memcpy(n->seen, (const char *)buf + sizeof h,
	       h.nodes * sizeof(struct px_seen));
	n->delivered = h.slot;
	n->commands = h.commands;
	if (n->cfg.alpha) {
		memcpy(n->conf, p + h.nfar * sizeof(uint64_t) + sizeof k,
		       nconf * sizeof(struct px_conf));
		n->nconf = (unsigned)nconf;
	}
	if (h.slot > n->snap)
		n->snap = h.slot;
	truncate_below(n, h.slot);
	if (n->next_slot < h.slot)
		n->next_slot = h.slot;
	/* Own commands the checkpoint delivered are done. */
	for (uint64_t i = 0; i < n->nmine;)
		if (seen_has(n, n->mine[i].c.id))
			n->mine[i] = n->mine[--n->nmine];
		else
			i++;
	n->catchup_at = 0;
	deliver_ready(n);
	drain_self(n);
	return 0;
}

uint64_t rc_paxos_node_behind(const rc_paxos_node_t *n)
{
	return n->behind > n->delivered ? n->behind : 0;
}

void rc_paxos_node_compact(rc_paxos_node_t *n, uint64_t slot)
{
	if (slot <= n->delivered && slot > n->snap)
		n->snap = slot;
}

int rc_paxos_node_replay(rc_paxos_node_t *n, const void *recs, size_t len)
{
	const char *p = recs;
	size_t off = 0;

	while (off + sizeof(struct px_rec) <= len) {
		struct px_rec r;
		size_t sz;

		memcpy(&r, p + off, sizeof r);
		sz = sizeof r + (size_t)r.n * sizeof(struct rc_paxos_cmd);
		if (off + sz > len ||
		    (r.kind != PX_REC_PROMISE && r.kind != PX_REC_ACCEPT &&
		     r.kind != PX_REC_SUBMIT))
			return -RC_EINVAL;
		if (r.kind == PX_REC_SUBMIT) {
			for (uint32_t i = 0; i < r.n; i++) {
				struct rc_paxos_cmd c;
				uint64_t q;

				memcpy(&c, p + off + sizeof r + i * sizeof c,
				       sizeof c);
				q = c.id & ((1ull << 48) - 1);
				if (RC_PAXOS_ID_ORIGIN(c.id) == n->id &&
				    q > n->seq)
					n->seq = q;
				if (mine_add(n, &c) < 0)
					return -RC_ENOMEM;
			}
			off += sz;
			continue;
		}
		if (!PX_RECOVER) {
			off += sz;
			continue;
		}
		if (r.ballot > n->promised)
			n->promised = r.ballot;
		if (r.kind == PX_REC_ACCEPT && r.slot >= n->base) {
			struct px_slot *sl = slot_at(n, r.slot);
			struct px_val *v;

			if (!sl)
				return -RC_ENOMEM;
			if (r.ballot >= sl->acc_ballot) {
				v = val_new(n, p + off + sizeof r, r.n);
				if (!v)
					return -RC_ENOMEM;
				val_put(n, sl->acc);
				sl->acc = v;
				sl->acc_ballot = r.ballot;
			}
		}
		off += sz;
	}
	if (off != len)
		return -RC_EINVAL;
	/* A node that comes back does not stand at once (node 0's first
	 * timeout is 0): it waits for the leader's heartbeat first. */
	n->timeout = random_timeout(n);
	rc_fd_reset(n->fd, 0, rc_fd_last(n->fd, 0), n->timeout);
	return 0;
}

size_t rc_paxos_node_acceptor(const rc_paxos_node_t *n, void *buf, size_t len)
{
	size_t need = sizeof(struct px_rec);
	char *p = buf;

	for (uint64_t s = n->base; s < n->top; s++) {
		const struct px_slot *sl = &n->slot[s & (n->cap - 1)];

		if (sl->acc)
			need += sizeof(struct px_rec) +
				sl->acc->n * sizeof(struct rc_paxos_cmd);
	}
	if (!buf || len < need)
		return need;
	{
		struct px_rec r = { PX_REC_PROMISE, 0, 0, n->promised };

		memcpy(p, &r, sizeof r);
		p += sizeof r;
	}
	for (uint64_t s = n->base; s < n->top; s++) {
		const struct px_slot *sl = &n->slot[s & (n->cap - 1)];
		struct px_rec r;

		if (!sl->acc)
			continue;
		r.kind = PX_REC_ACCEPT;
		r.n = sl->acc->n;
		r.slot = s;
		r.ballot = sl->acc_ballot;
		memcpy(p, &r, sizeof r);
		p += sizeof r;
		memcpy(p, sl->acc->cmd, r.n * sizeof(struct rc_paxos_cmd));
		p += r.n * sizeof(struct rc_paxos_cmd);
	}
	return need;
}

bool _rc_paxos_node_has(const rc_paxos_node_t *n, uint64_t id)
{
	return seen_has(n, id);
}

uint64_t _rc_paxos_node_base(const rc_paxos_node_t *n)
{
	return n->base;
}
