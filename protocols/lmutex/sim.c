/* SPDX-License-Identifier: MIT */
/* sim.c: Lamport's mutual exclusion in the seeded simulator: each process's step machine over its reliable FIFO link, a workload of requests, the properties checked as it runs. */
#include <stdlib.h>
#include <string.h>

#include "protocols/lmutex/lmutex.h"
#include "protocols/rand.h"

/*
 * The workload's command k is a request for the critical section at the
 * node it is submitted to (lost if that node is down); a node that is
 * waiting or inside queues it and requests again after its release. A
 * node holds the section for 1 to CS_MAX simulated us (drawn from its own
 * stream of the seed), then releases. The checker sees every entry and
 * exit as it happens (exclusion, order); at the end, when no node
 * crashed, every request must have been granted (liveness). A node has
 * finished when it is idle with nothing queued and nothing unacknowledged
 * on its link; when a node is to crash the others may block for ever
 * (the algorithm's nature), so every node counts as finished and the run
 * ends with the fault period.
 */

#define CS_MAX 20

struct lnode {
	struct _rc_lmutex_proc p;
	struct _rc_lmutex_link *link;
	uint64_t pending, cs_until, rng;
};

struct lsim {
	struct _rc_sim *sim;
	const struct _rc_lmutex_sim_opts *o;
	struct lnode node[RC_SIM_MAX_NODES];
	struct _rc_lmutex_checker check;
	uint64_t now;
	bool oom;
};

static void wire_send(void *ctx, unsigned from, unsigned to,
		      const struct _rc_lmutex_wire *w)
{
	struct lsim *ls = ctx;

	_rc_sim_send(ls->sim, from, to, w);
}

static void deliver(void *ctx, unsigned to, const struct _rc_lmutex_msg *m)
{
	struct lsim *ls = ctx;

	_rc_lmutex_recv(&ls->node[to].p, m);
}

static void proc_send(void *ctx, unsigned from, unsigned to,
		      const struct _rc_lmutex_msg *m)
{
	struct lsim *ls = ctx;

	if (!_rc_lmutex_link_send(ls->node[from].link, ls->now, to, m))
		ls->oom = true;
}

/* The node's next steps at time now: leave, request again, enter. */
static void step(struct lsim *ls, unsigned id, uint64_t now)
{
	struct lnode *n = &ls->node[id];

	ls->now = now;
	if (n->p.state == RC_LM_IN && now >= n->cs_until) {
		_rc_sim_trace(ls->sim, "exit %u", id);
		_rc_lmutex_check_exit(&ls->check, id);
		_rc_lmutex_release(&n->p);
	}
	if (n->p.state == RC_LM_IDLE && n->pending > 0) {
		/* traced before its messages are sent: the clock's next tick */
		_rc_sim_trace(ls->sim, "request %u t=%llu", id,
			      (unsigned long long)n->p.clock.time + 1);
		n->pending--;
		_rc_lmutex_request(&n->p);
	}
	if (_rc_lmutex_try_enter(&n->p)) {
		n->cs_until = now + 1 + _rc_rand(&n->rng) % CS_MAX;
		_rc_sim_trace(ls->sim, "enter %u t=%llu until %llu", id,
			      (unsigned long long)n->p.req[id],
			      (unsigned long long)n->cs_until);
		_rc_lmutex_check_enter(&ls->check, now, id, n->p.req[id]);
	}
}

static void l_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct lsim *ls = ctx;

	ls->now = now;
	_rc_lmutex_link_recv(ls->node[node].link, now, msg);
	step(ls, node, now);
}

static void l_tick(void *ctx, unsigned node, uint64_t now)
{
	struct lsim *ls = ctx;

	ls->now = now;
	_rc_lmutex_link_tick(ls->node[node].link, now);
	step(ls, node, now);
}

static uint64_t l_deadline(void *ctx, unsigned node)
{
	struct lsim *ls = ctx;
	const struct lnode *n = &ls->node[node];
	uint64_t d = _rc_lmutex_link_deadline(n->link);

	if (n->p.state == RC_LM_IN && n->cs_until < d)
		d = n->cs_until;
	if (n->p.state == RC_LM_IDLE && n->pending > 0)
		d = 0;
	return d;
}

static void l_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct lsim *ls = ctx;

	(void)k;
	ls->node[node].pending++;
	ls->check.requested++;
	step(ls, node, now);
}

static bool l_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct lsim *ls = ctx;
	const struct lnode *n = &ls->node[node];

	(void)expect;
	if (_rc_sim_doomed(ls->sim))
		return true;
	return n->p.state == RC_LM_IDLE && n->pending == 0 &&
	       _rc_lmutex_link_unacked(n->link) == 0;
}

static size_t l_msg_size(const void *msg)
{
	(void)msg;
	return sizeof(struct _rc_lmutex_wire);
}

static void l_msg_describe(const void *msg, char *buf, size_t len)
{
	_rc_lmutex_wire_describe(msg, buf, len);
}

static const struct _rc_sim_proto lmutex_proto = {
	.name = "lmutex",
	.recv = l_recv,
	.tick = l_tick,
	.deadline = l_deadline,
	.submit = l_submit,
	.finished = l_finished,
	.msg_size = l_msg_size,
	.msg_describe = l_msg_describe,
	.restart = NULL,
};

int _rc_lmutex_sim_run(const struct _rc_lmutex_sim_opts *o,
		       struct _rc_lmutex_sim_result *res, rc_err_t *err)
{
	struct _rc_sim_opts so;
	struct _rc_lmutex_io io;
	struct lsim *ls;
	unsigned stuck = UINT32_MAX;
	int r = 0;

	memset(res, 0, sizeof *res);
	if (o->nodes < 2 || o->nodes > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "mutual exclusion needs 2..%d nodes",
				  RC_SIM_MAX_NODES);
	if (o->faults.crash >= o->nodes)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no node of %u up",
				  o->faults.crash, o->nodes);
	if (o->faults.restart)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "restart=%u: a process of Lamport's mutual "
				  "exclusion has no stable state to restart "
				  "from",
				  o->faults.restart);
	ls = calloc(1, sizeof *ls);
	if (!ls)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	ls->o = o;
	_rc_lmutex_check_init(&ls->check);
	memset(&so, 0, sizeof so);
	so.nodes = o->nodes;
	so.seed = o->seed;
	so.commands = o->requests;
	so.faults = o->faults;
	so.trace = o->trace;
	ls->sim = _rc_sim_create(&lmutex_proto, ls, &so);
	io.ctx = ls;
	io.send = proc_send;
	for (unsigned i = 0; i < o->nodes && ls->sim; i++) {
		struct lnode *n = &ls->node[i];

		n->rng = o->seed ^ (0x6c6d75746578ull + i * 0x9e3779b9ull);
		n->link = _rc_lmutex_link_create(o->nodes, i, ls, wire_send,
						 deliver);
		if (!n->link || !_rc_lmutex_proc_init(&n->p, o->nodes, i, &io))
			goto oom;
		n->p.noack |= o->noack;
	}
	if (!ls->sim)
		goto oom;
	r = _rc_sim_run(ls->sim, &res->st);
	for (unsigned i = 0; i < o->nodes && stuck == UINT32_MAX; i++)
		if (ls->node[i].p.state != RC_LM_IDLE || ls->node[i].pending)
			stuck = i;
	_rc_lmutex_check_end(&ls->check, _rc_sim_doomed(ls->sim) == 0, stuck,
			     res->st.time);
	res->requested = ls->check.requested;
	res->granted = ls->check.granted;
	res->blocked =
		_rc_sim_doomed(ls->sim) != 0 && res->granted < res->requested;
	for (unsigned i = 0; i < o->nodes; i++)
		res->resent += _rc_lmutex_link_resent(ls->node[i].link);
	res->violations = ls->check.violations;
	snprintf(res->why, sizeof res->why, "%s", ls->check.why);
	if (r < 0 || ls->oom)
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	goto out;
oom:
	r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
out:
	_rc_sim_destroy(ls->sim);
	for (unsigned i = 0; i < o->nodes; i++) {
		_rc_lmutex_link_destroy(ls->node[i].link);
		_rc_lmutex_proc_fini(&ls->node[i].p);
	}
	free(ls);
	return r;
}
