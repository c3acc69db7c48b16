/* SPDX-License-Identifier: MIT */
/* sim.c: Raft in the seeded simulator: the step machines behind the simulator's interface, recovery from the simulated record, the properties checked as the run goes and after it. */
#include <stdlib.h>
#include <string.h>

#include "protocols/raft/raft.h"

/*
 * The workload's command k becomes client command RC_RAFT_CMD(node, k)
 * at the node it is submitted to. The checker sees every submission,
 * election, leader's commit and apply; at each election it compares the
 * new leader's log with every node's (log matching, leader completeness),
 * at the end every two logs. A node has finished once it applied, since
 * its last restart, every command submitted at a node that never crashes
 * for good; the run then ends. At most a minority crashes for good, so
 * liveness is promised: a run that hits the simulator's time limit with a
 * command not applied everywhere violates it.
 */

struct rsim {
	struct _rc_sim *sim;
	const struct _rc_raft_sim_opts *o;
	struct _rc_raft_node *node[RC_SIM_MAX_NODES];
	struct _rc_raft_check *check;
	uint64_t live_cmds[RC_SIM_MAX_NODES]; /* applied since the restart,
						 from a node never doomed */
	uint64_t leaders;
};

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct _rc_raft_msg *m)
{
	struct rsim *rs = ctx;

	_rc_sim_send(rs->sim, from, to, m);
}

static void io_record(void *ctx, unsigned node, const struct _rc_raft_rec *r)
{
	struct rsim *rs = ctx;

	_rc_sim_record(rs->sim, node, r, sizeof *r);
}

static uint64_t io_rand(void *ctx)
{
	struct rsim *rs = ctx;

	return _rc_sim_rand(rs->sim);
}

static void io_elected(void *ctx, unsigned node, uint64_t term)
{
	struct rsim *rs = ctx;
	const struct _rc_raft_ent *log, *other;
	uint64_t len, olen;

	_rc_sim_trace(rs->sim, "leader %u term=%llu", node,
		      (unsigned long long)term);
	rs->leaders++;
	log = _rc_raft_node_log(rs->node[node], &len);
	_rc_raft_check_elected(rs->check, node, term, log, len);
	for (unsigned j = 0; j < rs->o->cfg.nodes; j++) {
		if (j == node)
			continue;
		other = _rc_raft_node_log(rs->node[j], &olen);
		_rc_raft_check_logs(rs->check, node, log, len, j, other, olen);
	}
}

static void io_committed(void *ctx, unsigned node, uint64_t term,
			 uint64_t index, const struct _rc_raft_ent *log)
{
	struct rsim *rs = ctx;

	_rc_sim_trace(rs->sim, "commit %u index=%llu", node,
		      (unsigned long long)index);
	_rc_raft_check_committed(rs->check, node, term, index, log);
}

static void io_apply(void *ctx, unsigned node, uint64_t index,
		     const struct _rc_raft_ent *e)
{
	struct rsim *rs = ctx;

	_rc_raft_check_apply(rs->check, node, index, e);
	if (e->cmd &&
	    !(_rc_sim_doomed(rs->sim) >> RC_RAFT_CMD_ORIGIN(e->cmd) & 1))
		rs->live_cmds[node]++;
}

static void r_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct rsim *rs = ctx;

	_rc_raft_node_recv(rs->node[node], now, msg);
}

static void r_tick(void *ctx, unsigned node, uint64_t now)
{
	struct rsim *rs = ctx;

	_rc_raft_node_tick(rs->node[node], now);
}

static uint64_t r_deadline(void *ctx, unsigned node)
{
	struct rsim *rs = ctx;

	return _rc_raft_node_deadline(rs->node[node]);
}

static void r_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct rsim *rs = ctx;
	struct _rc_raft_ent e;

	memset(&e, 0, sizeof e);
	e.cmd = RC_RAFT_CMD(node, k);
	_rc_sim_trace(rs->sim, "submit %u cmd=%llx", node,
		      (unsigned long long)e.cmd);
	_rc_raft_check_submit(rs->check, e.cmd);
	_rc_raft_node_submit(rs->node[node], now, &e);
}

static bool r_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct rsim *rs = ctx;

	return rs->live_cmds[node] >= expect;
}

static size_t r_msg_size(const void *msg)
{
	return _rc_raft_msg_size(msg);
}

static void r_msg_describe(const void *msg, char *buf, size_t len)
{
	_rc_raft_msg_describe(msg, buf, len);
}

static void r_restart(void *ctx, unsigned node, uint64_t now)
{
	struct rsim *rs = ctx;
	size_t len;
	const void *recs = _rc_sim_records(rs->sim, node, &len);

	rs->live_cmds[node] = 0;
	_rc_raft_check_restart(rs->check, node);
	_rc_raft_node_recover(rs->node[node], now, recs,
			      len / sizeof(struct _rc_raft_rec));
}

static const struct _rc_sim_proto raft_proto = {
	.name = "raft",
	.recv = r_recv,
	.tick = r_tick,
	.deadline = r_deadline,
	.submit = r_submit,
	.finished = r_finished,
	.msg_size = r_msg_size,
	.msg_describe = r_msg_describe,
	.restart = r_restart,
};

int _rc_raft_sim_run(const struct _rc_raft_sim_opts *o,
		     struct _rc_raft_sim_result *res, rc_err_t *err)
{
	const unsigned nn = o->cfg.nodes;
	struct _rc_sim_opts so;
	struct _rc_raft_io io;
	struct rsim *rs;
	uint64_t live = 0;
	int r = 0;

	memset(res, 0, sizeof *res);
	if (nn < 1 || nn > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "raft needs 1..%d nodes", RC_SIM_MAX_NODES);
	if (o->faults.crash > (nn - 1) / 2)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no majority of %u nodes "
				  "(at most %u)",
				  o->faults.crash, nn, (nn - 1) / 2);
	rs = calloc(1, sizeof *rs);
	if (!rs)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	rs->o = o;
	memset(&so, 0, sizeof so);
	so.nodes = nn;
	so.seed = o->seed;
	so.commands = o->commands;
	so.faults = o->faults;
	so.trace = o->trace;
	rs->sim = _rc_sim_create(&raft_proto, rs, &so);
	rs->check = _rc_raft_check_create(nn, o->commands);
	io.ctx = rs;
	io.send = io_send;
	io.record = io_record;
	io.rand = io_rand;
	io.elected = io_elected;
	io.committed = io_committed;
	io.apply = io_apply;
	for (unsigned i = 0; i < nn && rs->sim && rs->check; i++) {
		rs->node[i] = _rc_raft_node_create(&o->cfg, i, &io, 0);
		if (!rs->node[i])
			goto oom;
	}
	if (!rs->sim || !rs->check)
		goto oom;
	r = _rc_sim_run(rs->sim, &res->st);
	res->leaders = rs->leaders;
	for (unsigned i = 0; i < nn; i++) {
		const struct _rc_raft_ent *la, *lb;
		uint64_t na, nb;

		res->elections += _rc_raft_node_elections(rs->node[i]);
		if (_rc_raft_node_term(rs->node[i]) > res->terms)
			res->terms = _rc_raft_node_term(rs->node[i]);
		if (!_rc_sim_crashed(rs->sim, i))
			live |= 1ull << i;
		la = _rc_raft_node_log(rs->node[i], &na);
		for (unsigned j = i + 1; j < nn; j++) {
			lb = _rc_raft_node_log(rs->node[j], &nb);
			_rc_raft_check_logs(rs->check, i, la, na, j, lb, nb);
		}
	}
	res->violations = _rc_raft_check_final(
		rs->check, live, _rc_sim_doomed(rs->sim), true, &res->committed,
		res->why, sizeof res->why);
	if (r < 0)
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	goto out;
oom:
	r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
out:
	_rc_sim_destroy(rs->sim);
	for (unsigned i = 0; i < nn; i++)
		_rc_raft_node_destroy(rs->node[i]);
	_rc_raft_check_destroy(rs->check);
	free(rs);
	return r;
}
