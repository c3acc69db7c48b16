/* SPDX-License-Identifier: MIT */
/* sim.c: Paxos in the seeded simulator: its step machines behind the simulator's interface, its workload and its properties checked after the run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/paxos/internal.h"
#include "protocols/sim/sim.h"

/*
 * The simulator (protocols/sim/) runs the nodes; this file gives it
 * rc_paxos_node_* as a struct _rc_sim_proto, turns the workload's command
 * k into a client command with op k at its node, and feeds the property
 * checker every proposal and every delivery. A run may end once every
 * node that never crashes delivered every command submitted at such a
 * node (liveness); the checker then judges the run.
 *
 * Crashes and restarts. The nodes run with snapshots (rc_paxos_io.up is
 * the simulator's failure detector): after each step a node that
 * delivered PSIM_SNAP_EVERY slots since its last checkpoint takes one,
 * with its state (what the simulation counts of its deliveries), and
 * compacts to it. Each node's acceptor records go to the simulator's
 * stable record (_rc_sim_record), and its latest checkpoint is kept with
 * it, as a disk would keep them: a crash loses the step machine. A node
 * that restarts is created afresh, replays its acceptor records (its
 * promises and acceptances survive), and installs the newest checkpoint
 * among its own and those of the nodes up; the checker learns that the
 * node continues from that slot.
 *
 * Partitions. The failure detector (io.up) says that a node on the other
 * side is down, so each side forgets slots by its own points, and a node
 * that finds itself behind the base when the network heals installs a
 * checkpoint as a restarted one does. The minority property: a command
 * submitted at a node while it is on a side of fewer than a majority of
 * the nodes stays on that side while the partition lasts (every message
 * across is lost), and no value is chosen without a majority, so no node
 * may deliver it before that partition ends (the network heals or splits
 * anew). It is checked at each delivery. That the sides converge after
 * healing is liveness: the run ends only once the network is whole and
 * every live node delivered every command submitted at a live node.
 *
 * Reads. The workload's read k is rc_paxos_node_read(id k) at its node;
 * when the node serves it (io.read), it returns the node's delivered
 * count. The reads property: that count is at least the highest count
 * any node had delivered when the read was asked (so the read sees every
 * command delivered anywhere before it), checked as each read is served,
 * across leader changes, partitions and restarts; and a read asked at a
 * node that neither crashed nor restarted since is served by the end (a
 * run ends only once every live node served its reads).
 *
 * Membership (faults.member): the group has spare nodes beyond its
 * initial members, and each member fault submits a configuration command
 * at the node the simulator picks: it adds the next spare, removes a
 * random member, or replaces a random member by the next spare (one of
 * the three drawn from the protocol's stream), computed from the set the
 * previous change submitted. A replacement makes a set none of whose
 * majorities need meet the previous set's: only the alpha rule keeps
 * the slots agreed then. The rule that keeps every
 * configuration live: a change is made only if the nodes that will crash
 * for good stay a strict minority of the new set (and the set is not
 * empty); otherwise the other kinds are tried (add, remove, replace),
 * then none. Stalls
 * and restarts end with the fault period, so each set then has a
 * majority up. Commands carry the whole set, so a lost or reordered
 * change leaves a set that also obeyed the rule. Each delivery also
 * reports the set the node takes to govern the slot, which the checker
 * compares across nodes; liveness is asked of the final members (per the
 * node that delivered most) that did not crash.
 */

/* Slots between two checkpoints of a node in the simulation. */
#define PSIM_SNAP_EVERY 4

struct psim {
	struct _rc_sim *sim;
	rc_paxos_node_t *px[RC_PAXOS_MAX_NODES];
	/* commands delivered at each node that were submitted at a node
	 * that never crashes */
	uint64_t live_cmds[RC_PAXOS_MAX_NODES];
	struct _rc_pxcheck *check;
	struct rc_paxos_config sim_cfg;
	struct rc_paxos_io io;
	/* each node's latest checkpoint, with live_cmds at it (its disk) */
	void *ck[RC_PAXOS_MAX_NODES];
	size_t ck_len[RC_PAXOS_MAX_NODES];
	uint64_t ck_slot[RC_PAXOS_MAX_NODES], ck_cmds[RC_PAXOS_MAX_NODES];
	/* command k: the partition (its epoch) during which it was
	 * submitted on a minority side, or 0 */
	uint64_t *cut_epoch;
	unsigned commands;
	uint64_t isolated;
	/* read k: where and when asked, the highest delivered count of any
	 * node then (hw) and the node's own (had) */
	struct psim_read {
		uint64_t hw, had;
		unsigned node;
		bool asked, done, lost;
	} * rdv;
	unsigned nreads;
	uint64_t hi; /* the highest delivered count of any node so far */
	uint64_t rd_pending[RC_PAXOS_MAX_NODES];
	uint64_t reads, served, waited;
	unsigned viol; /* the simulation's own findings (minority, reads) */
	char why[256];
	bool oom;
	/* membership faults: the set after the changes submitted so far,
	 * the next spare, the changes submitted, configuration commands
	 * submitted at nodes that never crash, those of them each node
	 * delivered, and that count at each node's checkpoint */
	uint64_t members;
	unsigned spare;
	uint64_t changes, cfg_expect, cfg_done[RC_PAXOS_MAX_NODES];
	uint64_t ck_cfg[RC_PAXOS_MAX_NODES];
	/* nodes that delivered a slot they were members of, and of those
	 * the ones that delivered a slot they were no more (removed: no
	 * change adds a node twice) */
	uint64_t were, gone;
};

/*
 * The epoch of the partition that has node on a minority side now, or 0
 * (the network is whole, or node's side holds a majority).
 */
static uint64_t minority_epoch(const struct psim *ps, unsigned node)
{
	uint64_t epoch, side = _rc_sim_side(ps->sim, &epoch);
	const unsigned nn = ps->sim_cfg.nodes;
	unsigned with;

	/* with membership changes a side's share of the nodes says nothing
	 * of its share of the set that governs a slot: not judged then */
	if (!side || ps->sim_cfg.alpha)
		return 0;
	with = (unsigned)__builtin_popcountll(side);
	if (!(side >> node & 1))
		with = nn - with;
	return 2 * with <= nn ? epoch : 0;
}

static void psim_install(struct psim *ps, unsigned node, unsigned from);

/*
 * After a step of node: a checkpoint every PSIM_SNAP_EVERY slots; and a
 * node behind the group's base installs the newest checkpoint of a node
 * up.
 */
static void psim_snapshot(struct psim *ps, unsigned node)
{
	struct rc_paxos_node_stats st;
	size_t len;
	void *b;

	if (rc_paxos_node_behind(ps->px[node])) {
		unsigned best = node;

		for (unsigned i = 0; i < ps->sim_cfg.nodes; i++)
			if (_rc_sim_reachable(ps->sim, node, i) &&
			    ps->ck_slot[i] > ps->ck_slot[best])
				best = i;
		rc_paxos_node_stats(ps->px[node], &st);
		if (ps->ck_slot[best] > st.delivered)
			psim_install(ps, node, best);
	}
	rc_paxos_node_stats(ps->px[node], &st);
	if (st.delivered < ps->ck_slot[node] + PSIM_SNAP_EVERY)
		return;
	len = rc_paxos_node_checkpoint(ps->px[node], NULL, 0);
	b = malloc(len);
	if (!b) {
		ps->oom = true;
		return;
	}
	rc_paxos_node_checkpoint(ps->px[node], b, len);
	free(ps->ck[node]);
	ps->ck[node] = b;
	ps->ck_len[node] = len;
	ps->ck_slot[node] = st.delivered;
	ps->ck_cmds[node] = ps->live_cmds[node];
	ps->ck_cfg[node] = ps->cfg_done[node];
	_rc_sim_trace(ps->sim, "checkpoint %u slot=%llu", node,
		      (unsigned long long)st.delivered);
	rc_paxos_node_compact(ps->px[node], st.delivered);
}

static bool io_up(void *ctx, unsigned node, unsigned peer)
{
	struct psim *ps = ctx;

	return _rc_sim_reachable(ps->sim, node, peer);
}

static void io_record(void *ctx, unsigned node, const void *rec, size_t len)
{
	struct psim *ps = ctx;

	if (!_rc_sim_record(ps->sim, node, rec, len))
		ps->oom = true;
}

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct rc_paxos_msg *m)
{
	struct psim *ps = ctx;

	_rc_sim_send(ps->sim, from, to, m);
}

static void io_deliver(void *ctx, unsigned node, uint64_t slot,
		       const struct rc_paxos_cmd *cmds, unsigned n)
{
	struct psim *ps = ctx;
	uint64_t doomed = _rc_sim_doomed(ps->sim);

	_rc_sim_trace(ps->sim, "deliver %u slot=%llu cmds=%u", node,
		      (unsigned long long)slot, n);
	if (slot + 1 > ps->hi)
		ps->hi = slot + 1;
	_rc_pxcheck_deliver(ps->check, node, slot, cmds, n);
	for (unsigned i = 0; i < n; i++) {
		uint64_t k = cmds[i].op, epoch;
		bool live = !(doomed >> RC_PAXOS_ID_ORIGIN(cmds[i].id) & 1);

		if (ps->sim_cfg.alpha && cmds[i].tag == RC_PAXOS_TAG_CONFIG) {
			ps->cfg_done[node] += live;
			continue;
		}
		if (live)
			ps->live_cmds[node]++;
		if (k < 1 || k > ps->commands || !ps->cut_epoch[k])
			continue;
		if (_rc_sim_side(ps->sim, &epoch) &&
		    epoch == ps->cut_epoch[k] &&
		    !(ps->viol & RC_PAXOS_MINORITY)) {
			ps->viol |= RC_PAXOS_MINORITY;
			snprintf(ps->why, sizeof ps->why,
				 "minority: node %u delivered command %llx "
				 "(slot %llu), submitted at node %u on a "
				 "minority side, before partition %llu ended",
				 node, (unsigned long long)cmds[i].id,
				 (unsigned long long)slot,
				 RC_PAXOS_ID_ORIGIN(cmds[i].id),
				 (unsigned long long)epoch);
		}
	}
	if (ps->sim_cfg.alpha) {
		uint64_t m = _rc_paxos_node_members(ps->px[node], slot);

		_rc_pxcheck_config(ps->check, node, slot, m);
		if (!(m >> node & 1))
			ps->gone |= ps->were & 1ull << node;
		else
			ps->gone &= ~(1ull << node);
		ps->were |= m & 1ull << node;
	}
}

/* The first finding of the simulation's own checks. */
static void psim_fail(struct psim *ps, unsigned prop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void psim_fail(struct psim *ps, unsigned prop, const char *fmt, ...)
{
	va_list ap;

	if (!ps->viol) {
		va_start(ap, fmt);
		vsnprintf(ps->why, sizeof ps->why, fmt, ap);
		va_end(ap);
	}
	ps->viol |= prop;
}

/* Read id is served at node: it returns the node's delivered count. */
static void io_read(void *ctx, unsigned node, uint64_t id, uint64_t index)
{
	struct psim *ps = ctx;
	struct rc_paxos_node_stats st;
	struct psim_read *r;

	if (id < 1 || id > ps->nreads || ps->rdv[id].node != node ||
	    !ps->rdv[id].asked || ps->rdv[id].done || ps->rdv[id].lost) {
		psim_fail(ps, RC_PAXOS_READS,
			  "reads: node %u served read %llu, which it was not "
			  "asked or served already",
			  node, (unsigned long long)id);
		return;
	}
	r = &ps->rdv[id];
	rc_paxos_node_stats(ps->px[node], &st);
	_rc_sim_trace(ps->sim, "read %u k=%llu served: %llu slots (index %llu)",
		      node, (unsigned long long)id,
		      (unsigned long long)st.delivered,
		      (unsigned long long)index);
	r->done = true;
	ps->served++;
	ps->rd_pending[node]--;
	if (index > r->had)
		ps->waited++;
	if (st.delivered < r->hw)
		psim_fail(ps, RC_PAXOS_READS,
			  "reads: read %llu at node %u returned %llu slots, "
			  "but %llu were delivered at a node before it was "
			  "asked",
			  (unsigned long long)id, node,
			  (unsigned long long)st.delivered,
			  (unsigned long long)r->hw);
}

static void px_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct psim *ps = ctx;

	rc_paxos_node_recv(ps->px[node], now, msg);
	psim_snapshot(ps, node);
}

static void px_tick(void *ctx, unsigned node, uint64_t now)
{
	struct psim *ps = ctx;

	rc_paxos_node_tick(ps->px[node], now);
	psim_snapshot(ps, node);
}

static uint64_t px_deadline(void *ctx, unsigned node)
{
	struct psim *ps = ctx;

	return rc_paxos_node_deadline(ps->px[node]);
}

static void px_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct psim *ps = ctx;
	struct rc_paxos_cmd c = { 0, k, 0, 0, 0 };

	c.id = rc_paxos_node_submit(ps->px[node], now, &c);
	_rc_pxcheck_proposed(ps->check, &c);
	if (k >= 1 && k <= ps->commands) {
		ps->cut_epoch[k] = minority_epoch(ps, node);
		if (ps->cut_epoch[k])
			ps->isolated++;
	}
	_rc_sim_trace(ps->sim, "submit %u id=%llx", node,
		      (unsigned long long)c.id);
	psim_snapshot(ps, node);
}

static void px_read(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct psim *ps = ctx;
	struct rc_paxos_node_stats st;
	struct psim_read *r;

	if (k < 1 || k > ps->nreads)
		return;
	r = &ps->rdv[k];
	rc_paxos_node_stats(ps->px[node], &st);
	r->node = node;
	r->hw = ps->hi;
	r->had = st.delivered;
	r->asked = true;
	ps->reads++;
	ps->rd_pending[node]++;
	_rc_sim_trace(ps->sim,
		      "read %u k=%llu asked: %llu slots here, %llu "
		      "at most anywhere",
		      node, (unsigned long long)k,
		      (unsigned long long)st.delivered,
		      (unsigned long long)r->hw);
	if (rc_paxos_node_read(ps->px[node], now, k) < 0)
		ps->oom = true;
	psim_snapshot(ps, node);
}

/*
 * Node installs the checkpoint of node from (its own state becomes the
 * one kept with it) and keeps a copy as its own.
 */
static void psim_install(struct psim *ps, unsigned node, unsigned best)
{
	_rc_sim_trace(ps->sim, "install %u from %u slot=%llu", node, best,
		      (unsigned long long)ps->ck_slot[best]);
	ps->live_cmds[node] = ps->ck_cmds[best];
	ps->cfg_done[node] = ps->ck_cfg[best];
	_rc_pxcheck_install(ps->check, node, ps->ck_slot[best]);
	if (ps->ck[best] && rc_paxos_node_install(ps->px[node], ps->ck[best],
						  ps->ck_len[best]) < 0)
		ps->oom = true;
	if (best != node && ps->ck[best]) {
		void *b = malloc(ps->ck_len[best]);

		if (!b) {
			ps->oom = true;
			return;
		}
		memcpy(b, ps->ck[best], ps->ck_len[best]);
		free(ps->ck[node]);
		ps->ck[node] = b;
		ps->ck_len[node] = ps->ck_len[best];
		ps->ck_slot[node] = ps->ck_slot[best];
		ps->ck_cmds[node] = ps->ck_cmds[best];
		ps->ck_cfg[node] = ps->ck_cfg[best];
	}
}

/*
 * Node comes back with its memory lost: a new step machine, its acceptor
 * records replayed, then the oldest checkpoint of the other nodes up
 * installed: it is at or above every base (each is at most the lowest
 * point of the nodes up) and at most every such node's delivered count,
 * so that the new node, should it lead, still holds what they miss.
 * Without checkpoints yet it starts from slot 0, which every node then
 * still keeps.
 */
static void px_restart(void *ctx, unsigned node, uint64_t now)
{
	struct psim *ps = ctx;
	const void *recs;
	size_t len;
	unsigned best = node;
	rc_err_t err = RC_ERR_INITIALIZER;

	rc_paxos_node_destroy(ps->px[node]);
	ps->px[node] = NULL;
	/* Its reads were lost with its memory. */
	for (unsigned k = 1; k <= ps->nreads; k++) {
		struct psim_read *r = &ps->rdv[k];

		if (r->asked && r->node == node && !r->done && !r->lost) {
			r->lost = true;
			ps->rd_pending[node]--;
		}
	}
	if (rc_paxos_node_create(&ps->px[node], &ps->sim_cfg, node, &ps->io,
				 now, &err) < 0) {
		ps->oom = true;
		return;
	}
	recs = _rc_sim_records(ps->sim, node, &len);
	if (len && rc_paxos_node_replay(ps->px[node], recs, len) < 0)
		ps->oom = true;
	for (unsigned i = 0; i < ps->sim_cfg.nodes; i++)
		if (i != node && _rc_sim_reachable(ps->sim, node, i) &&
		    (best == node || ps->ck_slot[i] < ps->ck_slot[best]))
			best = i;
	/* Its own is its state no more. */
	free(ps->ck[node]);
	ps->ck[node] = NULL;
	ps->ck_len[node] = 0;
	ps->ck_slot[node] = ps->ck_cmds[node] = ps->ck_cfg[node] = 0;
	if (best == node) {
		ps->live_cmds[node] = ps->cfg_done[node] = 0;
		_rc_pxcheck_install(ps->check, node, 0);
		return;
	}
	psim_install(ps, node, best);
}

/*
 * The final members so far: the newest set of the node up that delivered
 * the most slots (the last of equals).
 */
static uint64_t psim_final(const struct psim *ps)
{
	uint64_t most = 0;
	unsigned ref = 0;

	for (unsigned i = 0; i < ps->sim_cfg.nodes; i++) {
		struct rc_paxos_node_stats ns;

		if (_rc_sim_crashed(ps->sim, i))
			continue;
		rc_paxos_node_stats(ps->px[i], &ns);
		if (ns.delivered >= most) {
			most = ns.delivered;
			ref = i;
		}
	}
	return _rc_paxos_node_newest(ps->px[ref], NULL);
}

/*
 * With membership changes a node must also have delivered every
 * configuration command submitted at a node that never crashes; one that
 * was a member and delivered a slot it is no member of (the change that
 * removed it and the alpha slots after) is done if the final members (so
 * far) leave it out: changes submitted at different nodes may be chosen
 * in another order than submitted, and re-add it. A spare must deliver
 * everything: it may have been added by a command it did not deliver
 * yet.
 */
static bool px_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct psim *ps = ctx;

	if (ps->rd_pending[node] != 0)
		return false;
	if (!ps->sim_cfg.alpha)
		return ps->live_cmds[node] >= expect;
	if (ps->cfg_done[node] < ps->cfg_expect)
		return false;
	if (ps->live_cmds[node] >= expect)
		return true;
	return (ps->gone >> node & 1) && !(psim_final(ps) >> node & 1);
}

/* Whether member set m keeps a majority up once the faults are over. */
static bool psim_live_set(uint64_t m, uint64_t doomed)
{
	return m != 0 &&
	       2 * __builtin_popcountll(m & doomed) < __builtin_popcountll(m);
}

/* Membership change k, submitted at node (see the opening comment). */
static void px_member(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct psim *ps = ctx;
	const uint64_t m = ps->members, doomed = _rc_sim_doomed(ps->sim);
	uint64_t cand[4] = { 0 }, next = 0, spare = 0;
	unsigned kind = (unsigned)(_rc_sim_rand(ps->sim) % 3);
	unsigned pick = (unsigned)(_rc_sim_rand(ps->sim) %
				   (uint64_t)__builtin_popcountll(m));
	struct rc_paxos_cmd c = { 0, 0, 0, RC_PAXOS_TAG_CONFIG, 0 };

	/* The drawn kind first, then add, remove, replace. */
	if (ps->spare < ps->sim_cfg.nodes)
		spare = 1ull << ps->spare;
	for (unsigned i = 0; i < ps->sim_cfg.nodes; i++)
		if ((m >> i & 1) && pick-- == 0) {
			cand[2] = m & ~(1ull << i);
			cand[3] = spare ? cand[2] | spare : 0;
		}
	cand[1] = spare ? m | spare : 0;
	cand[0] = cand[1 + kind];
	for (unsigned i = 0; i < 4 && !next; i++)
		if (psim_live_set(cand[i], doomed))
			next = cand[i];
	if (!next) {
		_rc_sim_trace(ps->sim, "member change %llu skipped",
			      (unsigned long long)k);
		return;
	}
	if (next & spare)
		ps->spare++;
	ps->members = next;
	ps->changes++;
	c.arg = next;
	c.id = rc_paxos_node_submit(ps->px[node], now, &c);
	_rc_pxcheck_proposed(ps->check, &c);
	if (!(doomed >> node & 1))
		ps->cfg_expect++;
	_rc_sim_trace(ps->sim, "submit %u id=%llx members=%llx", node,
		      (unsigned long long)c.id, (unsigned long long)next);
	psim_snapshot(ps, node);
}

static size_t px_msg_size(const void *msg)
{
	return rc_paxos_msg_size(msg);
}

static void px_msg_describe(const void *msg, char *buf, size_t len)
{
	rc_paxos_msg_describe(msg, buf, len);
}

static const struct _rc_sim_proto paxos_proto = {
	.name = "paxos",
	.recv = px_recv,
	.tick = px_tick,
	.deadline = px_deadline,
	.submit = px_submit,
	.finished = px_finished,
	.msg_size = px_msg_size,
	.msg_describe = px_msg_describe,
	.restart = px_restart,
	.read = px_read,
	.member = px_member,
};

int rc_paxos_faults_parse(const char *spec, struct rc_paxos_faults *f,
			  rc_err_t *err)
{
	struct _rc_sim_faults g;
	int r = _rc_sim_faults_parse(spec, &g, err);

	f->drop = g.drop;
	f->dup = g.dup;
	f->delay = g.delay;
	f->crash = g.crash;
	f->stall = g.stall;
	f->restart = g.restart;
	f->part = g.part;
	f->partition = g.partition;
	f->member = g.member;
	return r;
}

int rc_paxos_sim_run(const struct rc_paxos_sim_opts *o,
		     struct rc_paxos_sim_result *res, rc_err_t *err)
{
	const unsigned m0 = o->cfg.nodes;
	/* with membership faults, spares after the initial members */
	const unsigned nn = m0 + (o->faults.member < RC_PAXOS_MAX_NODES - m0
					  ? o->faults.member
					  : RC_PAXOS_MAX_NODES - m0);
	struct _rc_sim_opts so;
	struct _rc_sim_stats st;
	struct rc_paxos_io io;
	struct psim *ps;
	uint64_t live;
	int r = rc_paxos_config_check(&o->cfg, err);

	if (r < 0)
		return r;
	if (o->faults.crash > (m0 - 1) / 2)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no majority of %u nodes "
				  "(at most %u)",
				  o->faults.crash, m0, (m0 - 1) / 2);
	ps = calloc(1, sizeof *ps);
	if (!ps)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	memset(res, 0, sizeof *res);
	memset(&so, 0, sizeof so);
	so.nodes = nn;
	so.seed = o->cfg.seed;
	so.commands = o->commands;
	so.reads = o->reads;
	so.faults.drop = o->faults.drop;
	so.faults.dup = o->faults.dup;
	so.faults.delay = o->faults.delay;
	so.faults.crash = o->faults.crash;
	so.faults.stall = o->faults.stall;
	so.faults.restart = o->faults.restart;
	so.faults.part = o->faults.part;
	so.faults.partition = o->faults.partition;
	so.faults.member = o->faults.member;
	so.trace = o->trace;
	ps->sim = _rc_sim_create(&paxos_proto, ps, &so);
	ps->check = _rc_pxcheck_create(nn);
	ps->commands = o->commands;
	ps->cut_epoch = calloc((size_t)o->commands + 1, sizeof *ps->cut_epoch);
	ps->nreads = o->reads;
	ps->rdv = calloc((size_t)o->reads + 1, sizeof *ps->rdv);
	if (!ps->sim || !ps->check || !ps->cut_epoch || !ps->rdv) {
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	memset(&io, 0, sizeof io);
	io.ctx = ps;
	io.send = io_send;
	io.deliver = io_deliver;
	io.up = io_up;
	io.record = io_record;
	io.read = io_read;
	ps->io = io;
	ps->sim_cfg = o->cfg;
	if (o->faults.member) {
		ps->sim_cfg.nodes = nn;
		if (!ps->sim_cfg.members)
			ps->sim_cfg.members = (1ull << m0) - 1;
		if (!ps->sim_cfg.alpha)
			ps->sim_cfg.alpha = RC_PAXOS_ALPHA;
	}
	ps->members =
		ps->sim_cfg.members ? ps->sim_cfg.members : (1ull << nn) - 1;
	ps->spare = m0;
	for (unsigned i = 0; i < nn; i++) {
		r = rc_paxos_node_create(&ps->px[i], &ps->sim_cfg, i, &io, 0,
					 err);
		if (r < 0)
			goto out;
	}
	r = _rc_sim_run(ps->sim, &st);
	res->messages = st.messages;
	res->dropped = st.dropped;
	res->duplicated = st.duplicated;
	res->delayed = st.delayed;
	res->crashed = st.crashed;
	res->stalls = st.stalls;
	res->restarts = st.restarts;
	res->partitions = st.partitions;
	res->cut = st.cut;
	res->isolated = ps->isolated;
	res->reads = ps->reads;
	res->served = ps->served;
	res->waited = ps->waited;
	/* The verdict. */
	live = 0;
	for (unsigned i = 0; i < nn; i++) {
		struct rc_paxos_node_stats ns;

		rc_paxos_node_stats(ps->px[i], &ns);
		res->ballots += ns.elections;
		res->leaderships += ns.leaderships;
		if (!_rc_sim_crashed(ps->sim, i)) {
			live |= 1ull << i;
			if (ns.kept > res->kept)
				res->kept = ns.kept;
		}
		if (_rc_paxos_node_conflicts(ps->px[i]) &&
		    !(res->violations & RC_PAXOS_AGREEMENT)) {
			res->violations |= RC_PAXOS_AGREEMENT;
			snprintf(res->why, sizeof res->why,
				 "agreement: node %u learned two values for "
				 "one slot",
				 i);
		}
	}
	res->time = st.time;
	res->at_live = st.at_live;
	res->changes = ps->changes;
	if (ps->sim_cfg.alpha) {
		/* Liveness is the final members' (psim_final). */
		res->members = psim_final(ps);
		live &= res->members;
	} else {
		res->members = (1ull << nn) - 1;
	}
	{
		char why[256];
		unsigned v = _rc_pxcheck_final(ps->check, live, &res->committed,
					       &res->slots, why, sizeof why);

		if (v && !res->violations)
			snprintf(res->why, sizeof res->why, "%s", why);
		res->violations |= v;
		for (unsigned k = 1; k <= ps->nreads; k++) {
			const struct psim_read *rd = &ps->rdv[k];

			if (rd->asked && !rd->done && !rd->lost &&
			    (live >> rd->node & 1))
				psim_fail(ps, RC_PAXOS_READS,
					  "reads: read %u at live node %u "
					  "never served",
					  k, rd->node);
		}
		if (ps->viol && !res->violations)
			snprintf(res->why, sizeof res->why, "%s", ps->why);
		res->violations |= ps->viol;
	}
	if (r < 0 || ps->oom)
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
out:
	_rc_sim_destroy(ps->sim);
	for (unsigned i = 0; i < nn; i++) {
		rc_paxos_node_destroy(ps->px[i]);
		free(ps->ck[i]);
	}
	_rc_pxcheck_destroy(ps->check);
	free(ps->cut_epoch);
	free(ps->rdv);
	free(ps);
	return r;
}
