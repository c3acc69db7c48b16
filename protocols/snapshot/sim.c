/* SPDX-License-Identifier: MIT */
/* sim.c: the bank and its snapshots in the seeded simulator: the workload, and the properties judged online and after the run. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/rand.h"
#include "protocols/snapshot/snapshot.h"

/*
 * Every node starts with BALANCE. Command k, submitted at node p: every
 * fourth (k = 4, 8, ...) starts the next snapshot at p, up to RC_SNAP_MAX;
 * the others transfer 1..200 from p to another node drawn from the seed
 * and k (nothing when p's balance is short). A node has finished when its
 * channels hold nothing unacknowledged and every snapshot it knows of is
 * complete there.
 *
 * The properties: consistent cut, online: a transfer applied before its
 * receiver recorded snapshot s was sent before its sender recorded s;
 * conservation, at the end: for every snapshot, the recorded states and
 * channel states add up to the bank's total, and so do the final
 * balances; termination: every snapshot is recorded and complete at
 * every node. The algorithm assumes that no node fails: crash and
 * restart faults are refused.
 */

#define BALANCE 1000

struct ssim {
	struct _rc_sim *sim;
	const struct _rc_snap_sim_opts *o;
	struct _rc_snap_node *node[RC_SIM_MAX_NODES];
	unsigned snaps; /* started */
	struct _rc_snap_sim_result *res;
};

static void violate(struct ssim *ss, unsigned prop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void violate(struct ssim *ss, unsigned prop, const char *fmt, ...)
{
	va_list ap;

	if (ss->res->violations == 0) {
		va_start(ap, fmt);
		vsnprintf(ss->res->why, sizeof(ss->res->why), fmt, ap);
		va_end(ap);
	}
	ss->res->violations |= prop;
}

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct _rc_snap_msg *m)
{
	struct ssim *ss = ctx;

	_rc_sim_send(ss->sim, from, to, m);
}

static void io_applied(void *ctx, unsigned to, const struct _rc_snap_msg *m,
		       uint64_t recorded)
{
	struct ssim *ss = ctx;
	uint64_t bad = m->sent_in & ~recorded;

	if (bad != 0)
		violate(ss, RC_SNAP_CONSISTENT,
			"snapshot %u: node %u applied a transfer of %lld from "
			"node %u before recording, sent after node %u "
			"recorded",
			(unsigned)__builtin_ctzll(bad), to,
			(long long)m->amount, m->from, m->from);
}

static void s_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct ssim *ss = ctx;

	_rc_snap_node_recv(ss->node[node], now, msg);
}

static void s_tick(void *ctx, unsigned node, uint64_t now)
{
	struct ssim *ss = ctx;

	_rc_snap_node_tick(ss->node[node], now);
}

static uint64_t s_deadline(void *ctx, unsigned node)
{
	struct ssim *ss = ctx;

	return _rc_snap_node_deadline(ss->node[node]);
}

static void s_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct ssim *ss = ctx;
	uint64_t r = ss->o->seed ^ (k * UINT64_C(0x9e3779b97f4a7c15));
	uint64_t h = _rc_rand(&r);
	unsigned to;

	if (k % 4 == 0 && ss->snaps < RC_SNAP_MAX) {
		_rc_sim_trace(ss->sim, "snapshot %u starts at %u", ss->snaps,
			      node);
		(void)_rc_snap_node_start(ss->node[node], now, ss->snaps++);
		return;
	}
	to = (node + 1 + (unsigned)(h % (ss->o->nodes - 1))) % ss->o->nodes;
	if (_rc_snap_node_transfer(ss->node[node], now, to,
				   1 + (int64_t)((h >> 32) % 200)))
		ss->res->transfers++;
}

static bool s_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct ssim *ss = ctx;

	(void)expect;
	return _rc_snap_node_idle(ss->node[node]);
}

static size_t s_msg_size(const void *msg)
{
	(void)msg;
	return sizeof(struct _rc_snap_msg);
}

static void s_msg_describe(const void *msg, char *buf, size_t len)
{
	_rc_snap_msg_describe(msg, buf, len);
}

static const struct _rc_sim_proto snap_proto = {
	.name = "snapshot",
	.recv = s_recv,
	.tick = s_tick,
	.deadline = s_deadline,
	.submit = s_submit,
	.finished = s_finished,
	.msg_size = s_msg_size,
	.msg_describe = s_msg_describe,
};

/* Conservation and termination, after the run. */
static void verdict(struct ssim *ss)
{
	unsigned nodes = ss->o->nodes;
	int64_t total = (int64_t)nodes * BALANCE, sum = 0;

	for (unsigned i = 0; i < nodes; i++)
		sum += _rc_snap_node_balance(ss->node[i]);
	if (sum != total)
		violate(ss, RC_SNAP_CONSERVATION,
			"the final balances add up to %lld, not %lld",
			(long long)sum, (long long)total);
	for (unsigned s = 0; s < ss->snaps; s++) {
		int64_t got = 0;
		bool whole = true;

		for (unsigned i = 0; i < nodes; i++) {
			int64_t st, ch;
			bool done;

			if (!_rc_snap_node_result(ss->node[i], s, &st, &ch,
						  &done)) {
				violate(ss, RC_SNAP_TERMINATION,
					"snapshot %u: node %u never recorded "
					"it",
					s, i);
				whole = false;
				break;
			}
			if (!done) {
				violate(ss, RC_SNAP_TERMINATION,
					"snapshot %u: a marker never reached "
					"node %u",
					s, i);
				whole = false;
			}
			got += st + ch;
		}
		if (!whole)
			continue;
		ss->res->complete++;
		if (got != total)
			violate(ss, RC_SNAP_CONSERVATION,
				"snapshot %u: states and channels add up to "
				"%lld, not %lld",
				s, (long long)got, (long long)total);
	}
}

int _rc_snap_sim_run(const struct _rc_snap_sim_opts *o,
		     struct _rc_snap_sim_result *res, rc_err_t *err)
{
	struct _rc_sim_opts so;
	struct _rc_snap_io io;
	struct ssim *ss;
	int r = 0;

	memset(res, 0, sizeof(*res));
	if (o->nodes < 2 || o->nodes > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "a bank needs 2..%d nodes", RC_SIM_MAX_NODES);
	if (o->faults.crash || o->faults.restart)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "the snapshot algorithm assumes that no "
				  "node fails: no crash or restart faults");
	if ((ss = calloc(1, sizeof(*ss))) == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	ss->o = o;
	ss->res = res;
	memset(&so, 0, sizeof(so));
	so.nodes = o->nodes;
	so.seed = o->seed;
	so.commands = o->commands;
	so.faults = o->faults;
	so.trace = o->trace;
	ss->sim = _rc_sim_create(&snap_proto, ss, &so);
	memset(&io, 0, sizeof(io));
	io.ctx = ss;
	io.send = io_send;
	io.applied = io_applied;
	for (unsigned i = 0; i < o->nodes && ss->sim != NULL; i++)
		if ((ss->node[i] = _rc_snap_node_create(
			     o->nodes, i, BALANCE, o->variant, &io)) == NULL)
			break;
	if (ss->sim == NULL || ss->node[o->nodes - 1] == NULL) {
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	r = _rc_sim_run(ss->sim, &res->st);
	for (unsigned i = 0; i < o->nodes; i++)
		if (_rc_snap_node_oom(ss->node[i]))
			r = -RC_ENOMEM;
	if (r < 0) {
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	res->snapshots = ss->snaps;
	verdict(ss);
out:
	_rc_sim_destroy(ss->sim);
	for (unsigned i = 0; i < o->nodes; i++)
		_rc_snap_node_destroy(ss->node[i]);
	free(ss);
	return r;
}
