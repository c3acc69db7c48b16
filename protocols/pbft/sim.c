/* SPDX-License-Identifier: MIT */
/* sim.c: PBFT in the seeded simulator: the registry of sent messages that models authentication, the Byzantine replicas drawn from the seed, and the agreement and validity checker. */
#include <stdlib.h>
#include <string.h>

#include "protocols/pbft/pbft.h"
#include "protocols/rand.h"

/*
 * The workload's command k is client request k, submitted at a replica
 * (which multicasts it; a silent one drops it). The Byzantine replicas,
 * opts.byz of them, and each one's behaviour are drawn from the seed
 * before the run, from a stream of their own, so that the simulator's
 * choices are those of the same seed without Byzantine replicas.
 *
 * Every message goes through pb_send, which writes its true sender and
 * its registry id into it and keeps a copy: the registry is append-only,
 * and a reference in a message is an index into it. That is the
 * authentication the protocol relies on.
 *
 * The checker watches every execution of a correct replica: agreement (no
 * two correct replicas execute different requests, the null request
 * included, at one sequence number) and validity (every request executed
 * was submitted by a client). A replica has finished once it executed
 * every request submitted at a correct replica that never crashes; a run
 * where every correct replica up at the end has is complete (liveness is
 * reported, never judged: drops are not retransmitted, and there is no
 * state transfer). The first violation ends the run: the replicas take
 * no more messages or timers, so that the run stops once the messages in
 * flight are delivered.
 */

struct psim {
	struct _rc_sim *sim;
	const struct _rc_pbft_sim_opts *o;
	struct _rc_pbft_node *node[RC_SIM_MAX_NODES];
	unsigned beh[RC_SIM_MAX_NODES];
	struct _rc_pbft_msg **reg;
	size_t nreg, capreg;
	uint8_t *submitted; /* [1..commands]: 1 + the submitting replica */
	uint8_t *done[RC_SIM_MAX_NODES];  /* per request, executed */
	uint64_t count[RC_SIM_MAX_NODES]; /* of the requests expected */
	uint64_t expect;
	uint64_t *agreed; /* per sequence: 1 + the digest, 0: none yet */
	unsigned *agreed_by;
	size_t nagreed;
	unsigned violations;
	char why[256];
};

static uint32_t pb_send(void *ctx, unsigned from, unsigned to,
			struct _rc_pbft_msg *m)
{
	struct psim *ps = ctx;
	size_t sz = _rc_pbft_msg_size(m);
	struct _rc_pbft_msg *c;

	if (ps->nreg == ps->capreg) {
		size_t cap = ps->capreg ? 2 * ps->capreg : 1024;
		struct _rc_pbft_msg **r = realloc(ps->reg, cap * sizeof *r);

		if (!r)
			return 0;
		ps->reg = r;
		ps->capreg = cap;
	}
	m->from = (uint16_t)from;
	m->rid = (uint32_t)ps->nreg + 1;
	c = malloc(sz);
	if (!c)
		return 0;
	memcpy(c, m, sz);
	ps->reg[ps->nreg++] = c;
	if (to == from)
		return m->rid;
	for (unsigned j = 0; j < ps->o->nodes; j++)
		if (j != from && (to == ps->o->nodes || to == j))
			_rc_sim_send(ps->sim, from, j, m);
	return m->rid;
}

static void pb_replay(void *ctx, unsigned by, unsigned to, uint32_t rid)
{
	struct psim *ps = ctx;

	/* the transport's sender is the replaying replica; the message
	 * keeps its author */
	if (rid >= 1 && rid <= ps->nreg && to != by)
		_rc_sim_send(ps->sim, by, to, ps->reg[rid - 1]);
}

static const struct _rc_pbft_msg *pb_lookup(void *ctx, uint32_t rid)
{
	struct psim *ps = ctx;

	return rid && rid <= ps->nreg ? ps->reg[rid - 1] : NULL;
}

static uint32_t pb_registered(void *ctx)
{
	struct psim *ps = ctx;

	return (uint32_t)ps->nreg;
}

static bool pb_signed(void *ctx, uint64_t d)
{
	struct psim *ps = ctx;

	return d >= 1 && d <= ps->o->commands && ps->submitted[d];
}

static uint64_t pb_rand(void *ctx)
{
	struct psim *ps = ctx;

	return _rc_sim_rand(ps->sim);
}

static void pb_execute(void *ctx, unsigned node, uint64_t n, uint64_t d)
{
	struct psim *ps = ctx;

	_rc_sim_trace(ps->sim, "execute %u n=%llu d=%llu", node,
		      (unsigned long long)n, (unsigned long long)d);
	if (ps->beh[node] != RC_PBFT_CORRECT)
		return;
	if (d && !pb_signed(ps, d)) {
		if (!ps->violations)
			snprintf(ps->why, sizeof ps->why,
				 "validity: replica %u executes request %llu "
				 "at sequence %llu, which no client submitted",
				 node, (unsigned long long)d,
				 (unsigned long long)n);
		ps->violations |= RC_PBFT_VALIDITY;
	}
	if (n >= ps->nagreed) {
		size_t na = ps->nagreed ? ps->nagreed : 256;
		uint64_t *a;
		unsigned *b;

		while (na <= n)
			na *= 2;
		a = realloc(ps->agreed, na * sizeof *a);
		if (a)
			ps->agreed = a;
		b = realloc(ps->agreed_by, na * sizeof *b);
		if (b)
			ps->agreed_by = b;
		if (!a || !b)
			return;
		memset(a + ps->nagreed, 0, (na - ps->nagreed) * sizeof *a);
		ps->nagreed = na;
	}
	if (ps->agreed[n] == 0) {
		ps->agreed[n] = d + 1;
		ps->agreed_by[n] = node;
	} else if (ps->agreed[n] != d + 1) {
		if (!ps->violations)
			snprintf(ps->why, sizeof ps->why,
				 "agreement: at sequence %llu replica %u "
				 "executes request %llu, replica %u request "
				 "%llu (0: null)",
				 (unsigned long long)n, ps->agreed_by[n],
				 (unsigned long long)(ps->agreed[n] - 1), node,
				 (unsigned long long)d);
		ps->violations |= RC_PBFT_AGREEMENT;
	}
	if (d && !ps->done[node][d]) {
		unsigned at = ps->submitted[d] - 1u;

		ps->done[node][d] = 1;
		if (ps->beh[at] == RC_PBFT_CORRECT &&
		    !(_rc_sim_doomed(ps->sim) >> at & 1))
			ps->count[node]++;
	}
}

static bool pb_accomplice(void *ctx, unsigned j)
{
	struct psim *ps = ctx;

	return ps->beh[j] != RC_PBFT_CORRECT;
}

static void pb_trace(void *ctx, unsigned node, const char *what, uint64_t a,
		     uint64_t b)
{
	struct psim *ps = ctx;

	_rc_sim_trace(ps->sim, "%s %u %llu %llu", what, node,
		      (unsigned long long)a, (unsigned long long)b);
}

static void p_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct psim *ps = ctx;

	if (!ps->violations)
		_rc_pbft_node_recv(ps->node[node], now, msg);
}

static void p_tick(void *ctx, unsigned node, uint64_t now)
{
	struct psim *ps = ctx;

	if (!ps->violations)
		_rc_pbft_node_tick(ps->node[node], now);
}

static uint64_t p_deadline(void *ctx, unsigned node)
{
	struct psim *ps = ctx;

	return ps->violations ? UINT64_MAX
			      : _rc_pbft_node_deadline(ps->node[node]);
}

static void p_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct psim *ps = ctx;

	if (k > ps->o->commands || ps->submitted[k] || ps->violations)
		return;
	ps->submitted[k] = (uint8_t)(node + 1);
	if (ps->beh[node] == RC_PBFT_CORRECT &&
	    !(_rc_sim_doomed(ps->sim) >> node & 1))
		ps->expect++;
	_rc_sim_trace(ps->sim, "submit %u d=%llu", node, (unsigned long long)k);
	_rc_pbft_node_request(ps->node[node], now, k);
}

static bool p_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct psim *ps = ctx;

	(void)expect;
	return ps->violations || ps->beh[node] != RC_PBFT_CORRECT ||
	       ps->count[node] >= ps->expect;
}

static size_t p_msg_size(const void *msg)
{
	return _rc_pbft_msg_size(msg);
}

static void p_msg_describe(const void *msg, char *buf, size_t len)
{
	_rc_pbft_msg_describe(msg, buf, len);
}

static const struct _rc_sim_proto pbft_proto = {
	.name = "pbft",
	.recv = p_recv,
	.tick = p_tick,
	.deadline = p_deadline,
	.submit = p_submit,
	.finished = p_finished,
	.msg_size = p_msg_size,
	.msg_describe = p_msg_describe,
};

/* The Byzantine replicas and their behaviours, from the seed. */
static void draw_byzantine(struct psim *ps, struct _rc_pbft_sim_result *res)
{
	const struct _rc_pbft_sim_opts *o = ps->o;
	uint64_t x = o->seed ^ 0xb12a471e5eedull;
	unsigned ids[RC_SIM_MAX_NODES];

	for (unsigned i = 0; i < o->nodes; i++)
		ids[i] = i;
	for (unsigned i = 0; i < o->byz; i++) {
		unsigned j = i + (unsigned)(_rc_rand(&x) % (o->nodes - i));
		unsigned t = ids[i];
		unsigned b = o->behaviour
				     ? o->behaviour
				     : 1 + (unsigned)(_rc_rand(&x) %
						      (RC_PBFT_BEHAVIOURS - 1));

		ids[i] = ids[j];
		ids[j] = t;
		ps->beh[ids[i]] = b;
		res->byzantine |= 1ull << ids[i];
		res->kinds[b]++;
	}
}

int _rc_pbft_sim_run(const struct _rc_pbft_sim_opts *o,
		     struct _rc_pbft_sim_result *res, rc_err_t *err)
{
	const unsigned nn = o->nodes;
	struct _rc_sim_opts so;
	struct _rc_pbft_io io;
	struct _rc_pbft_cfg cfg;
	struct psim *ps;
	int r = 0;

	memset(res, 0, sizeof *res);
	if (nn < 4 || nn > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "pbft needs 4..%d nodes", RC_SIM_MAX_NODES);
	if (o->byz + o->faults.crash >= nn)
		return rc_err_set(err, RC_EINVAL, "byz", 0, 0,
				  "%u Byzantine and %u crashed leave no "
				  "correct replica of %u",
				  o->byz, o->faults.crash, nn);
	if (o->faults.restart || o->faults.member)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "restart and member are not faults of pbft "
				  "(replicas keep no record)");
	ps = calloc(1, sizeof *ps);
	if (!ps)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	ps->o = o;
	memset(&so, 0, sizeof so);
	so.nodes = nn;
	so.seed = o->seed;
	so.commands = o->commands;
	so.faults = o->faults;
	so.trace = o->trace;
	ps->sim = _rc_sim_create(&pbft_proto, ps, &so);
	ps->submitted = calloc((size_t)o->commands + 1, 1);
	memset(&cfg, 0, sizeof cfg);
	cfg.nodes = nn;
	cfg.quorum = o->quorum ? o->quorum : 2 * ((nn - 1) / 3) + 1;
	cfg.timeout = 1000;
	cfg.requests = o->commands;
	io = (struct _rc_pbft_io){ .ctx = ps,
				   .send = pb_send,
				   .replay = pb_replay,
				   .lookup = pb_lookup,
				   .registered = pb_registered,
				   .signed_by_client = pb_signed,
				   .rand = pb_rand,
				   .accomplice = pb_accomplice,
				   .execute = pb_execute,
				   .trace = pb_trace };
	draw_byzantine(ps, res);
	for (unsigned i = 0; i < nn && ps->sim && ps->submitted; i++) {
		if (ps->beh[i])
			_rc_sim_trace(ps->sim, "byzantine %u %s", i,
				      _rc_pbft_behaviour_name(ps->beh[i]));
		ps->node[i] = _rc_pbft_node_create(&cfg, i, ps->beh[i], &io);
		ps->done[i] = calloc((size_t)o->commands + 1, 1);
		if (!ps->node[i] || !ps->done[i])
			goto oom;
	}
	if (!ps->sim || !ps->submitted)
		goto oom;
	r = _rc_sim_run(ps->sim, &res->st);
	res->complete = !ps->violations;
	for (unsigned i = 0; i < nn; i++) {
		if (ps->beh[i] || _rc_sim_crashed(ps->sim, i))
			continue;
		if (_rc_pbft_node_view(ps->node[i]) > res->views)
			res->views = _rc_pbft_node_view(ps->node[i]);
		if (_rc_pbft_node_stable(ps->node[i]) > res->checkpoints)
			res->checkpoints = _rc_pbft_node_stable(ps->node[i]);
		res->collected += _rc_pbft_node_collected(ps->node[i]);
		if (ps->count[i] < ps->expect)
			res->complete = 0;
	}
	for (uint64_t d = 1; d <= o->commands; d++) {
		bool all = ps->submitted[d] != 0;

		for (unsigned i = 0; i < nn && all; i++)
			if (!ps->beh[i] && !_rc_sim_crashed(ps->sim, i) &&
			    !ps->done[i][d])
				all = false;
		res->executed += all;
	}
	res->violations = ps->violations;
	snprintf(res->why, sizeof res->why, "%s", ps->why);
	if (r < 0)
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	goto out;
oom:
	r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
out:
	_rc_sim_destroy(ps->sim);
	for (unsigned i = 0; i < nn; i++) {
		_rc_pbft_node_destroy(ps->node[i]);
		free(ps->done[i]);
	}
	for (size_t i = 0; i < ps->nreg; i++)
		free(ps->reg[i]);
	free(ps->reg);
	free(ps->submitted);
	free(ps->agreed);
	free(ps->agreed_by);
	free(ps);
	return r;
}
