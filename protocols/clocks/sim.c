/* SPDX-License-Identifier: MIT */
/* sim.c: synchronised physical clocks in the seeded simulator: drifting clocks, their skew measured against Lamport's bound. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/clocks/clocks.h"
#include "protocols/rand.h"

/*
 * Lamport's theorem (1978, section 6): with a strongly connected graph of
 * diameter d, clock rates within 1 +- kappa, a message over every arc at
 * least every tau with an unpredictable delay below xi (the delay beyond
 * the least, mu), and mu + xi much smaller than tau, clocks that follow
 * IR1' and IR2' stay within epsilon ~ d (2 kappa tau + xi) of each other
 * from t0 + tau d on, whatever they read at t0.
 *
 * Here: the simulator's messages take 1 to 10 us (mu = 1, xi = 9), a
 * delayed one 10 to 509 us more (xi = 518 under delay faults); the graph
 * is complete (d = 1) or a line (d = n - 1); each clock starts anywhere in
 * the first 1,000 us and runs at a rate drawn in 1 +- kappa. The skew
 * (largest reading minus smallest) is measured at every send of every node
 * from d (tau + mu + xi) on, the warm-up, and must stay within the bound.
 * Drops, partitions, stalls and crashes break the theorem's premise (a
 * message over every arc every tau) and are refused.
 */

#define MU 1.0
#define XI 9.0
#define XI_DELAYED 518.0

struct csim {
	struct _rc_sim *sim;
	const struct _rc_clk_sim_opts *o;
	struct _rc_clk_node *node[RC_SIM_MAX_NODES];
	struct _rc_clk_sim_result *res;
	double warm; /* us */
	uint64_t end;
	uint64_t last;
};

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct _rc_clk_msg *m)
{
	struct csim *cs = ctx;

	_rc_sim_send(cs->sim, from, to, m);
}

static void violate(struct csim *cs, unsigned prop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void violate(struct csim *cs, unsigned prop, const char *fmt, ...)
{
	va_list ap;

	if (cs->res->violations == 0) {
		va_start(ap, fmt);
		vsnprintf(cs->res->why, sizeof(cs->res->why), fmt, ap);
		va_end(ap);
	}
	cs->res->violations |= prop;
}

/* The skew at now, checked against the bound after the warm-up. */
static void sample(struct csim *cs, uint64_t now)
{
	double lo = 0, hi = 0, skew;

	for (unsigned i = 0; i < cs->o->nodes; i++) {
		double c = _rc_clk_node_read(cs->node[i], now);

		if (i == 0 || c < lo)
			lo = c;
		if (i == 0 || c > hi)
			hi = c;
	}
	skew = hi - lo;
	if (now == 0 && skew > cs->res->start_skew)
		cs->res->start_skew = skew;
	if ((double)now < cs->warm)
		return;
	cs->res->samples++;
	if (skew > cs->res->max_skew)
		cs->res->max_skew = skew;
	if (skew > cs->res->bound)
		violate(cs, RC_CLK_BOUND,
			"skew %.3f us at %llu us, above the bound %.3f us",
			skew, (unsigned long long)now, cs->res->bound);
}

static void c_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct csim *cs = ctx;

	_rc_clk_node_recv(cs->node[node], now, msg);
	if (_rc_clk_node_went_back(cs->node[node]))
		violate(cs, RC_CLK_MONOTONIC,
			"node %u's clock went back at %llu us", node,
			(unsigned long long)now);
}

static void c_tick(void *ctx, unsigned node, uint64_t now)
{
	struct csim *cs = ctx;

	_rc_clk_node_tick(cs->node[node], now);
	sample(cs, now);
	cs->last = now;
}

static uint64_t c_deadline(void *ctx, unsigned node)
{
	struct csim *cs = ctx;

	return _rc_clk_node_deadline(cs->node[node]);
}

static void c_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	(void)ctx;
	(void)node;
	(void)now;
	(void)k;
}

static bool c_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct csim *cs = ctx;

	(void)node;
	(void)expect;
	return cs->last >= cs->end;
}

static size_t c_msg_size(const void *msg)
{
	(void)msg;
	return sizeof(struct _rc_clk_msg);
}

static void c_msg_describe(const void *msg, char *buf, size_t len)
{
	const struct _rc_clk_msg *m = msg;

	snprintf(buf, len, "clock %u->%u Tm=%.3f", m->from, m->to, m->tm);
}

static const struct _rc_sim_proto clk_proto = {
	.name = "clocks",
	.recv = c_recv,
	.tick = c_tick,
	.deadline = c_deadline,
	.submit = c_submit,
	.finished = c_finished,
	.msg_size = c_msg_size,
	.msg_describe = c_msg_describe,
};

int _rc_clk_sim_run(const struct _rc_clk_sim_opts *o,
		    struct _rc_clk_sim_result *res, rc_err_t *err)
{
	const struct _rc_sim_faults *f = &o->faults;
	struct _rc_sim_opts so;
	struct _rc_clk_io io;
	struct csim *cs;
	uint64_t rng = o->seed ^ UINT64_C(0x5bd1e995);
	double d, xi;
	int r = 0;

	memset(res, 0, sizeof(*res));
	if (o->nodes < 2 || o->nodes > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "clocks need 2..%d nodes", RC_SIM_MAX_NODES);
	if (f->drop > 0 || f->crash || f->stall || f->restart || f->part ||
	    f->partition > 0)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "the bound assumes a message over every arc "
				  "every period: only delay and dup faults");
	if (!(o->kappa >= 0 && o->kappa < 0.5) || !(o->period >= 1))
		return rc_err_set(err, RC_EINVAL, "drift", 0, 0,
				  "the drift must be below 500000 ppm and the "
				  "period at least 1 us");
	if ((cs = calloc(1, sizeof(*cs))) == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	d = o->line ? o->nodes - 1 : 1;
	xi = f->delay > 0 ? XI_DELAYED : XI;
	res->bound = d * (2 * o->kappa * o->period + xi);
	cs->o = o;
	cs->res = res;
	cs->warm = d * (o->period + MU + xi);
	cs->end = 50 * (uint64_t)o->commands + 3000 + (uint64_t)cs->warm;
	memset(&so, 0, sizeof(so));
	so.nodes = o->nodes;
	so.seed = o->seed;
	so.commands = o->commands;
	so.faults = *f;
	so.trace = o->trace;
	cs->sim = _rc_sim_create(&clk_proto, cs, &so);
	io.ctx = cs;
	io.send = io_send;
	for (unsigned i = 0; i < o->nodes && cs->sim != NULL; i++) {
		double off = _rc_rand_unit(&rng) * 1000;
		double drift = (2 * _rc_rand_unit(&rng) - 1) * o->kappa;

		if ((cs->node[i] = _rc_clk_node_create(
			     o->nodes, i, o->line, off, drift, o->period, MU,
			     o->variant, &io)) == NULL)
			break;
	}
	if (cs->sim == NULL || cs->node[o->nodes - 1] == NULL) {
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	sample(cs, 0);
	if (_rc_sim_run(cs->sim, &res->st) < 0)
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
out:
	_rc_sim_destroy(cs->sim);
	for (unsigned i = 0; i < o->nodes; i++)
		_rc_clk_node_destroy(cs->node[i]);
	free(cs);
	return r;
}
