/* SPDX-License-Identifier: MIT */
/* sim.c: the lease service, the fenced store and their clients in the seeded simulator, with drifting clocks and pauses, the properties checked as it runs. */
#include <stdlib.h>
#include <string.h>

#include "protocols/lease/lease.h"
#include "protocols/rand.h"

/*
 * Node 0 is the lease service, node 1 the fenced store (each stands for
 * an rc_rsm of rc_lease_ops or rc_fenced_ops, one sequential object that
 * applies commands one at a time), the other nodes are clients. Every
 * node has a clock of its own: offset by up to 1 s, running at a rate
 * drawn from 1 +- rho (--drift). The service stamps each acquire with
 * its clock as it applies it, so expiry is judged by the service's time.
 *
 * The workload's command k is a round at a client (a command that
 * arrives at the service or the store goes to client k mod the clients):
 * the client asks for the lease (again every RETRY us of its clock
 * without an answer; after a refusal, 10-109 us later; see ask), works
 * 1-WORK_MAX
 * us, then looks at its clock: if its lease is over by the rule of
 * replicore/lease.h (duration (1 - 2 rho) past its request) it gives up
 * the round; otherwise it prepares its write for 1-PREP_MAX us without
 * looking again, sends write(token, value) to the store, and once the
 * store answers (or WAIT_ACK us passed) sends a release. A stall of the
 * client while it prepares, or a delay of its write on the wire, is the
 * classic pause: the write reaches the store after the lease ended, and
 * only its token can make the store reject it.
 *
 * The service and the store write their state to their record after each
 * change, and a restart takes the last one back; a client that restarts
 * has lost its rounds. A crash of the service or the store for good
 * leaves the clients asking for ever: the run ends with the fault period
 * and counts no violation for it (the properties are all of safety).
 */

#define SERVICE 0
#define STORE 1
#define WORK_MAX 50
#define PREP_MAX 20
#define RETRY 200
#define BACKOFF 100
#define WAIT_ACK 1000

enum { M_ACQ = 1, M_GRANT, M_REFUSE, M_REL, M_WRITE, M_ACK };

/*
 * A message: ACQ (a duration, b request), GRANT (a token, b request, c
 * expiry), REFUSE (b request, c the holder's expiry), REL (a token),
 * WRITE (a token, b value, c write), ACK (a accepted, c write).
 */
struct lmsg {
	uint8_t type;
	uint16_t from;
	uint64_t a, b, c;
};

enum { C_IDLE, C_ASKING, C_WORKING, C_PREPARING, C_WRITING };

struct client {
	int state;
	uint64_t pending, req, token, wseq;
	uint64_t asked, valid_until; /* its clock */
	uint64_t timer;		     /* simulated time of its next step */
	uint64_t rng;
};

struct lsim {
	struct _rc_sim *sim;
	const struct _rc_lease_sim_opts *o;
	double rate[RC_SIM_MAX_NODES];
	uint64_t offset[RC_SIM_MAX_NODES];
	struct client cl[RC_SIM_MAX_NODES];
	struct rc_lease lease;
	struct rc_fenced store;
	struct _rc_lease_checker check;
	uint64_t refused, gave_up, done;
};

/* Node's clock at simulated time now. */
static uint64_t local(const struct lsim *ls, unsigned node, uint64_t now)
{
	return ls->offset[node] + (uint64_t)((double)now * ls->rate[node]);
}

/* The simulated time that d us of node's clock take, rounded up. */
static uint64_t span(const struct lsim *ls, unsigned node, uint64_t d)
{
	return (uint64_t)((double)d / ls->rate[node]) + 1;
}

static void send(struct lsim *ls, unsigned from, unsigned to, uint8_t type,
		 uint64_t a, uint64_t b, uint64_t c)
{
	struct lmsg m = { type, (uint16_t)from, a, b, c };

	_rc_sim_send(ls->sim, from, to, &m);
}

/*
 * Each request gets a number of its own and the client takes only the
 * answer to its latest one, so that it times its lease from the request
 * that was granted (a grant for an earlier one is let expire, or renewed
 * by the next, with a new token).
 */
static void ask(struct lsim *ls, unsigned id, uint64_t now)
{
	struct client *c = &ls->cl[id];

	c->req++;
	c->asked = local(ls, id, now);
	send(ls, id, SERVICE, M_ACQ, ls->o->lease, c->req, 0);
	c->timer = now + span(ls, id, RETRY);
}

/* The client's next steps at time now. */
static void step(struct lsim *ls, unsigned id, uint64_t now)
{
	struct client *c = &ls->cl[id];

	if (c->state != C_IDLE && now < c->timer)
		return;
	switch (c->state) {
	case C_IDLE:
		if (c->pending == 0)
			return;
		c->pending--;
		c->state = C_ASKING;
		_rc_sim_trace(ls->sim, "client %u asks (request %llu)", id,
			      (unsigned long long)c->req + 1);
		ask(ls, id, now);
		break;
	case C_ASKING:
		ask(ls, id, now);
		break;
	case C_WORKING:
		if (local(ls, id, now) >= c->valid_until) {
			_rc_sim_trace(ls->sim,
				      "client %u: token %llu is over by its "
				      "clock, gives up",
				      id, (unsigned long long)c->token);
			ls->gave_up++;
			ls->done++;
			c->state = C_IDLE;
			step(ls, id, now);
			break;
		}
		c->state = C_PREPARING;
		c->timer = now + span(ls, id, 1 + _rc_rand(&c->rng) % PREP_MAX);
		break;
	case C_PREPARING:
		c->wseq++;
		_rc_sim_trace(ls->sim, "client %u writes with token %llu", id,
			      (unsigned long long)c->token);
		send(ls, id, STORE, M_WRITE, c->token,
		     (uint64_t)id << 32 | (c->wseq & 0xffffffffu), c->wseq);
		c->state = C_WRITING;
		c->timer = now + span(ls, id, WAIT_ACK);
		break;
	case C_WRITING: /* no answer: the round ends all the same */
		send(ls, id, SERVICE, M_REL, c->token, 0, 0);
		ls->done++;
		c->state = C_IDLE;
		step(ls, id, now);
		break;
	}
}

static void record(struct lsim *ls, unsigned node)
{
	if (node == SERVICE)
		_rc_sim_record(ls->sim, node, &ls->lease, sizeof ls->lease);
	else
		_rc_sim_record(ls->sim, node, &ls->store, sizeof ls->store);
}

static void service(struct lsim *ls, uint64_t now, const struct lmsg *m)
{
	uint64_t t = local(ls, SERVICE, now), r;

	if (m->type == M_REL) {
		if (rc_lease_release(&ls->lease, m->from, m->a)) {
			_rc_lease_check_release(&ls->check, m->from, m->a);
			record(ls, SERVICE);
		}
		return;
	}
	if (m->type != M_ACQ)
		return;
	r = rc_lease_acquire(&ls->lease, m->from, t, m->a);
	if (r & RC_LEASE_REFUSED) {
		send(ls, SERVICE, m->from, M_REFUSE, 0, m->b,
		     r & ~RC_LEASE_REFUSED);
		return;
	}
	_rc_sim_trace(ls->sim, "grant token %llu to %u at %llu until %llu",
		      (unsigned long long)r, m->from, (unsigned long long)t,
		      (unsigned long long)ls->lease.expiry);
	_rc_lease_check_grant(&ls->check, t, m->from, r, ls->lease.expiry);
	record(ls, SERVICE);
	send(ls, SERVICE, m->from, M_GRANT, r, m->b, ls->lease.expiry);
}

static void store(struct lsim *ls, uint64_t now, const struct lmsg *m)
{
	bool acc;

	if (m->type != M_WRITE)
		return;
	acc = _rc_fenced_write(&ls->store, m->a, m->b, ls->o->ignore_tokens);
	_rc_sim_trace(ls->sim, "store %s %u's write with token %llu",
		      acc ? "accepts" : "rejects", m->from,
		      (unsigned long long)m->a);
	_rc_lease_check_write(&ls->check, now, m->from, m->a, acc);
	if (acc)
		record(ls, STORE);
	send(ls, STORE, m->from, M_ACK, acc, 0, m->c);
}

static void client(struct lsim *ls, unsigned id, uint64_t now,
		   const struct lmsg *m)
{
	struct client *c = &ls->cl[id];

	if (m->type == M_GRANT && c->state == C_ASKING && m->b == c->req) {
		c->token = m->a;
		c->valid_until = c->asked +
				 (uint64_t)((double)ls->o->lease *
					    (1 - 2e-6 * (double)ls->o->drift));
		c->state = C_WORKING;
		c->timer = now + span(ls, id, 1 + _rc_rand(&c->rng) % WORK_MAX);
	} else if (m->type == M_REFUSE && c->state == C_ASKING &&
		   m->b == c->req) {
		ls->refused++;
		c->timer = now + span(ls, id, 10 + _rc_rand(&c->rng) % BACKOFF);
	} else if (m->type == M_ACK && c->state == C_WRITING &&
		   m->c == c->wseq) {
		send(ls, id, SERVICE, M_REL, c->token, 0, 0);
		ls->done++;
		c->state = C_IDLE;
	}
	step(ls, id, now);
}

static void l_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct lsim *ls = ctx;

	if (node == SERVICE)
		service(ls, now, msg);
	else if (node == STORE)
		store(ls, now, msg);
	else
		client(ls, node, now, msg);
}

static void l_tick(void *ctx, unsigned node, uint64_t now)
{
	if (node > STORE)
		step(ctx, node, now);
}

static uint64_t l_deadline(void *ctx, unsigned node)
{
	const struct lsim *ls = ctx;
	const struct client *c = &ls->cl[node];

	if (node <= STORE)
		return UINT64_MAX;
	if (c->state == C_IDLE)
		return c->pending ? 0 : UINT64_MAX;
	return c->timer;
}

static void l_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct lsim *ls = ctx;
	unsigned clients = ls->o->nodes - 2;

	if (node <= STORE) {
		/* held for the client's next step, which may be down now */
		ls->cl[2 + k % clients].pending++;
		return;
	}
	ls->cl[node].pending++;
	step(ls, node, now);
}

static bool l_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct lsim *ls = ctx;
	const struct client *c = &ls->cl[node];

	(void)expect;
	if (_rc_sim_doomed(ls->sim) & 3)
		return true;
	return node <= STORE || (c->state == C_IDLE && c->pending == 0);
}

static void l_restart(void *ctx, unsigned node, uint64_t now)
{
	struct lsim *ls = ctx;
	size_t len;
	const unsigned char *rec = _rc_sim_records(ls->sim, node, &len);
	struct client *c = &ls->cl[node];

	(void)now;
	if (node == SERVICE) {
		memset(&ls->lease, 0, sizeof ls->lease);
		if (len >= sizeof ls->lease)
			memcpy(&ls->lease, rec + len - sizeof ls->lease,
			       sizeof ls->lease);
	} else if (node == STORE) {
		memset(&ls->store, 0, sizeof ls->store);
		if (len >= sizeof ls->store)
			memcpy(&ls->store, rec + len - sizeof ls->store,
			       sizeof ls->store);
	} else {
		/* The record counts the client's lives, so that a request
		 * of this one is never taken for an earlier one's. */
		uint64_t rng = c->rng;
		unsigned char b = 1;

		_rc_sim_record(ls->sim, node, &b, 1);
		memset(c, 0, sizeof *c);
		c->rng = rng;
		c->req = (uint64_t)(len + 1) << 32;
		c->wseq = c->req;
	}
}

static size_t l_msg_size(const void *msg)
{
	(void)msg;
	return sizeof(struct lmsg);
}

static void l_msg_describe(const void *msg, char *buf, size_t len)
{
	static const char *const name[] = { "?",      "acquire", "grant",
					    "refuse", "release", "write",
					    "ack" };
	const struct lmsg *m = msg;

	snprintf(buf, len, "%s a=%llu b=%llu c=%llu",
		 name[m->type <= M_ACK ? m->type : 0], (unsigned long long)m->a,
		 (unsigned long long)m->b, (unsigned long long)m->c);
}

static const struct _rc_sim_proto lease_proto = {
	.name = "lease",
	.recv = l_recv,
	.tick = l_tick,
	.deadline = l_deadline,
	.submit = l_submit,
	.finished = l_finished,
	.msg_size = l_msg_size,
	.msg_describe = l_msg_describe,
	.restart = l_restart,
};

int _rc_lease_sim_run(const struct _rc_lease_sim_opts *o,
		      struct _rc_lease_sim_result *res, rc_err_t *err)
{
	struct _rc_sim_opts so;
	struct lsim *ls;
	uint64_t rng = o->seed ^ 0x1ea5e5eedull;
	int r;

	memset(res, 0, sizeof *res);
	if (o->nodes < 3 || o->nodes > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "leases need 3..%d nodes (the service, the "
				  "store and a client at least)",
				  RC_SIM_MAX_NODES);
	if (o->faults.crash >= o->nodes)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no node of %u up",
				  o->faults.crash, o->nodes);
	if (o->lease < 1 || o->lease > 0xffffffffu || o->drift >= 500000)
		return rc_err_set(err, RC_EINVAL, "lease", 0, 0,
				  "the lease must be 1..%u us and the drift "
				  "below 500000 ppm",
				  0xffffffffu);
	ls = calloc(1, sizeof *ls);
	if (!ls)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	ls->o = o;
	_rc_lease_check_init(&ls->check);
	for (unsigned i = 0; i < o->nodes; i++) {
		ls->rate[i] = 1 + (2 * _rc_rand_unit(&rng) - 1) *
					  (double)o->drift * 1e-6;
		ls->offset[i] = _rc_rand(&rng) % 1000000;
		ls->cl[i].rng = o->seed ^ (0x1ea5eull + i * 0x9e3779b9ull);
	}
	memset(&so, 0, sizeof so);
	so.nodes = o->nodes;
	so.seed = o->seed;
	so.commands = o->commands;
	so.faults = o->faults;
	so.trace = o->trace;
	ls->sim = _rc_sim_create(&lease_proto, ls, &so);
	if (!ls->sim) {
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	r = _rc_sim_run(ls->sim, &res->st);
	res->granted = ls->check.granted;
	res->refused = ls->refused;
	res->gave_up = ls->gave_up;
	res->accepted = ls->check.accepted;
	res->rejected = ls->check.rejected;
	res->late = ls->check.late;
	res->done = ls->done;
	res->stopped = (_rc_sim_doomed(ls->sim) & 3) != 0;
	res->violations = ls->check.violations;
	snprintf(res->why, sizeof res->why, "%s", ls->check.why);
	if (r < 0 || ls->check.oom)
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
out:
	_rc_sim_destroy(ls->sim);
	_rc_lease_check_fini(&ls->check);
	free(ls);
	return r;
}
