/* SPDX-License-Identifier: MIT */
/* sim.c: Paxos in the seeded simulator: its step machines behind the simulator's interface, its workload and its properties checked after the run. */
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
 */

struct psim {
	struct _rc_sim *sim;
	rc_paxos_node_t *px[RC_PAXOS_MAX_NODES];
	/* commands delivered at each node that were submitted at a node
	 * that never crashes */
	uint64_t live_cmds[RC_PAXOS_MAX_NODES];
	struct _rc_pxcheck *check;
};

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
	_rc_pxcheck_deliver(ps->check, node, slot, cmds, n);
	for (unsigned i = 0; i < n; i++)
		if (!(doomed >> RC_PAXOS_ID_ORIGIN(cmds[i].id) & 1))
			ps->live_cmds[node]++;
}

static void px_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct psim *ps = ctx;

	rc_paxos_node_recv(ps->px[node], now, msg);
}

static void px_tick(void *ctx, unsigned node, uint64_t now)
{
	struct psim *ps = ctx;

	rc_paxos_node_tick(ps->px[node], now);
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
	_rc_sim_trace(ps->sim, "submit %u id=%llx", node,
		      (unsigned long long)c.id);
}

static bool px_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct psim *ps = ctx;

	return ps->live_cmds[node] >= expect;
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
};

int rc_paxos_faults_parse(const char *spec, struct rc_paxos_faults *f,
			  rc_err_t *err)
{
	struct _rc_sim_faults g;
	int r = _rc_sim_faults_parse(spec, &g, err);

	if (r == 0 && (g.restart || g.part))
		r = rc_err_set(err, RC_EINVAL, "faults", 1,
			       (unsigned)(strstr(spec, g.restart ? "restart"
								 : "part") -
					  spec) +
				       1,
			       "%s: not a fault of paxos (drop, dup, delay, "
			       "crash, stall)",
			       g.restart ? "restart" : "part");
	f->drop = g.drop;
	f->dup = g.dup;
	f->delay = g.delay;
	f->crash = g.crash;
	f->stall = g.stall;
	return r;
}

int rc_paxos_sim_run(const struct rc_paxos_sim_opts *o,
		     struct rc_paxos_sim_result *res, rc_err_t *err)
{
	const unsigned nn = o->cfg.nodes;
	struct _rc_sim_opts so;
	struct _rc_sim_stats st;
	struct rc_paxos_io io;
	struct psim *ps;
	uint64_t live;
	int r = rc_paxos_config_check(&o->cfg, err);

	if (r < 0)
		return r;
	if (o->faults.crash > (nn - 1) / 2)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no majority of %u nodes "
				  "(at most %u)",
				  o->faults.crash, nn, (nn - 1) / 2);
	ps = calloc(1, sizeof *ps);
	if (!ps)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	memset(res, 0, sizeof *res);
	memset(&so, 0, sizeof so);
	so.nodes = nn;
	so.seed = o->cfg.seed;
	so.commands = o->commands;
	so.faults.drop = o->faults.drop;
	so.faults.dup = o->faults.dup;
	so.faults.delay = o->faults.delay;
	so.faults.crash = o->faults.crash;
	so.faults.stall = o->faults.stall;
	so.trace = o->trace;
	ps->sim = _rc_sim_create(&paxos_proto, ps, &so);
	ps->check = _rc_pxcheck_create(nn);
	if (!ps->sim || !ps->check) {
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	io.ctx = ps;
	io.send = io_send;
	io.deliver = io_deliver;
	for (unsigned i = 0; i < nn; i++) {
		r = rc_paxos_node_create(&ps->px[i], &o->cfg, i, &io, 0, err);
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
	{
		char why[256];
		unsigned v = _rc_pxcheck_final(ps->check, live, &res->committed,
					       &res->slots, why, sizeof why);

		if (v && !res->violations)
			snprintf(res->why, sizeof res->why, "%s", why);
		res->violations |= v;
	}
	if (r < 0)
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
out:
	_rc_sim_destroy(ps->sim);
	for (unsigned i = 0; i < nn; i++)
		rc_paxos_node_destroy(ps->px[i]);
	_rc_pxcheck_destroy(ps->check);
	free(ps);
	return r;
}
