/* SPDX-License-Identifier: MIT */
/* sim.c: two-phase and three-phase commit in the seeded simulator: the step machines behind the simulator's interface, recovery from the simulated record, the properties judged after the run. */
#include <stdlib.h>
#include <string.h>

#include "protocols/commit/commit.h"

/*
 * The workload's command k begins transaction k at the node it is
 * submitted to (lost if that node is down). A node has finished when it
 * is undecided in no transaction, or only in transactions nobody up can
 * decide any more (every node that is up is undecided and may not decide
 * alone: in 2PC any participant, in 3PC one that restarted); the run then
 * ends and check.c judges every transaction. Termination is promised in
 * 2PC when the coordinator is up at the end, in 3PC when the run has no
 * restart and no partition.
 */

struct csim {
	struct _rc_sim *sim;
	const struct _rc_commit_sim_opts *o;
	struct _rc_commit_node *node[RC_SIM_MAX_NODES];
	uint32_t *coord; /* [1..txns], UINT32_MAX: not begun */
};

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct _rc_commit_msg *m)
{
	struct csim *cs = ctx;

	_rc_sim_send(cs->sim, from, to, m);
}

static void io_record(void *ctx, unsigned node, const struct _rc_commit_rec *r)
{
	static const char *const kinds[] = { "?", "yes", "precommit", "commit",
					     "abort" };
	struct csim *cs = ctx;

	_rc_sim_trace(cs->sim, "record %u txn=%u %s", node, r->txn,
		      kinds[r->kind < 5 ? r->kind : 0]);
	_rc_sim_record(cs->sim, node, r, sizeof *r);
}

static bool io_reachable(void *ctx, unsigned from, unsigned to)
{
	struct csim *cs = ctx;

	return _rc_sim_reachable(cs->sim, from, to);
}

static void c_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct csim *cs = ctx;

	_rc_commit_node_recv(cs->node[node], now, msg);
}

static void c_tick(void *ctx, unsigned node, uint64_t now)
{
	struct csim *cs = ctx;

	_rc_commit_node_tick(cs->node[node], now);
}

static uint64_t c_deadline(void *ctx, unsigned node)
{
	struct csim *cs = ctx;

	return _rc_commit_node_deadline(cs->node[node]);
}

static void c_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct csim *cs = ctx;

	if (k > cs->o->txns || cs->coord[k] != UINT32_MAX)
		return;
	cs->coord[k] = node;
	_rc_sim_trace(cs->sim, "begin %u txn=%llu", node,
		      (unsigned long long)k);
	_rc_commit_node_begin(cs->node[node], now, (uint32_t)k);
}

/* Whether nobody up can decide txn any more. */
static bool stuck(const struct csim *cs, uint32_t txn)
{
	for (unsigned i = 0; i < cs->o->nodes; i++) {
		bool rec;
		int st;

		if (_rc_sim_crashed(cs->sim, i))
			continue;
		st = _rc_commit_node_state(cs->node[i], txn, &rec);
		if (st != RC_CS_UNCERTAIN && st != RC_CS_COMMITTABLE)
			return false;
		if (cs->o->kind == RC_COMMIT_3PC && !rec)
			return false;
	}
	return true;
}

static bool c_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct csim *cs = ctx;

	(void)expect;
	if (_rc_commit_node_undecided(cs->node[node]) == 0)
		return true;
	for (uint32_t k = 1; k <= cs->o->txns; k++) {
		bool rec;
		int st = _rc_commit_node_state(cs->node[node], k, &rec);

		if ((st == RC_CS_UNCERTAIN || st == RC_CS_COMMITTABLE) &&
		    !stuck(cs, k))
			return false;
	}
	return true;
}

static size_t c_msg_size(const void *msg)
{
	(void)msg;
	return sizeof(struct _rc_commit_msg);
}

static void c_msg_describe(const void *msg, char *buf, size_t len)
{
	_rc_commit_msg_describe(msg, buf, len);
}

static void c_restart(void *ctx, unsigned node, uint64_t now)
{
	struct csim *cs = ctx;
	size_t len;
	const void *recs = _rc_sim_records(cs->sim, node, &len);

	_rc_commit_node_recover(cs->node[node], now, recs,
				len / sizeof(struct _rc_commit_rec));
}

static const struct _rc_sim_proto commit_proto = {
	.name = "commit",
	.recv = c_recv,
	.tick = c_tick,
	.deadline = c_deadline,
	.submit = c_submit,
	.finished = c_finished,
	.msg_size = c_msg_size,
	.msg_describe = c_msg_describe,
	.restart = c_restart,
};

static bool any(const bool *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (b[i])
			return true;
	return false;
}

/* Judges every transaction into res. */
static void verdict(const struct csim *cs, struct _rc_commit_sim_result *res)
{
	const struct _rc_commit_sim_opts *o = cs->o;
	const struct _rc_sim_faults *f = &o->faults;
	struct _rc_commit_view v;
	bool fault_free = f->drop == 0 && f->dup == 0 && f->delay == 0 &&
			  !f->crash && !f->stall && !f->restart && !f->part &&
			  !(f->partition > 0);

	for (uint32_t k = 1; k <= o->txns; k++) {
		char why[256];
		bool blocked;
		unsigned bad;

		memset(&v, 0, sizeof v);
		v.nodes = o->nodes;
		v.coord = cs->coord[k];
		v.txn = k;
		v.seed = o->seed;
		v.fault_free = fault_free;
		if (v.coord == UINT32_MAX)
			continue;
		res->begun++;
		if (o->kind == RC_COMMIT_2PC)
			v.promised = !_rc_sim_crashed(cs->sim, v.coord);
		else
			v.promised =
				!f->restart && !f->part && !(f->partition > 0);
		for (unsigned i = 0; i < o->nodes; i++) {
			size_t len;
			const struct _rc_commit_rec *r =
				_rc_sim_records(cs->sim, i, &len);
			bool rec;

			for (size_t j = 0; j < len / sizeof *r; j++) {
				if (r[j].txn != k)
					continue;
				if (r[j].kind == RC_CR_YES)
					v.yes[i] = true;
				else if (r[j].kind == RC_CR_COMMIT)
					v.commit[i] = true;
				else if (r[j].kind == RC_CR_ABORT)
					v.abort[i] = true;
			}
			v.live[i] = !_rc_sim_crashed(cs->sim, i);
			v.state[i] =
				_rc_commit_node_state(cs->node[i], k, &rec);
		}
		bad = _rc_commit_check(&v, &blocked, why, sizeof why);
		if (bad && !res->violations)
			snprintf(res->why, sizeof res->why, "%s", why);
		res->violations |= bad;
		res->blocked += blocked;
		res->committed += any(v.commit, o->nodes);
		res->aborted +=
			!any(v.commit, o->nodes) && any(v.abort, o->nodes);
	}
}

int _rc_commit_sim_run(const struct _rc_commit_sim_opts *o,
		       struct _rc_commit_sim_result *res, rc_err_t *err)
{
	struct _rc_sim_opts so;
	struct _rc_commit_io io;
	struct csim *cs;
	int r = 0;

	memset(res, 0, sizeof *res);
	if (o->nodes < 2 || o->nodes > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "a transaction needs 2..%d nodes",
				  RC_SIM_MAX_NODES);
	if (o->faults.crash >= o->nodes)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no node of %u up",
				  o->faults.crash, o->nodes);
	cs = calloc(1, sizeof *cs);
	if (!cs)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	cs->o = o;
	cs->coord = malloc(((size_t)o->txns + 1) * sizeof *cs->coord);
	memset(&so, 0, sizeof so);
	so.nodes = o->nodes;
	so.seed = o->seed;
	so.commands = o->txns;
	so.faults = o->faults;
	so.trace = o->trace;
	cs->sim = _rc_sim_create(&commit_proto, cs, &so);
	io.ctx = cs;
	io.send = io_send;
	io.record = io_record;
	io.reachable = io_reachable;
	for (unsigned i = 0; i < o->nodes && cs->sim && cs->coord; i++) {
		cs->node[i] = _rc_commit_node_create(o->kind, o->nodes, i,
						     o->txns, o->seed, &io);
		if (!cs->node[i])
			goto oom;
	}
	if (!cs->sim || !cs->coord)
		goto oom;
	for (uint32_t k = 0; k <= o->txns; k++)
		cs->coord[k] = UINT32_MAX;
	r = _rc_sim_run(cs->sim, &res->st);
	verdict(cs, res);
	if (r < 0)
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	goto out;
oom:
	r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
out:
	_rc_sim_destroy(cs->sim);
	for (unsigned i = 0; i < o->nodes; i++)
		_rc_commit_node_destroy(cs->node[i]);
	free(cs->coord);
	free(cs);
	return r;
}
