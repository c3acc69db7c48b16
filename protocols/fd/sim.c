/* SPDX-License-Identifier: MIT */
/* sim.c: the failure detectors in the seeded simulator: every node sends heartbeats to every other, runs both detectors over every peer, and the run checks completeness and eventual accuracy. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/fd/fd.h"

/*
 * Every node sends a heartbeat to every other node every `interval` us
 * (at once when it starts or restarts), and feeds every message it
 * receives to two detectors over its peers: the heartbeat kind (first
 * timeout `timeout`, times `backoff` per retraction) and the accrual kind
 * (`window` gaps, sigma at least interval / 4, suspected at phi >=
 * `threshold`). A restarted node starts with fresh detectors.
 *
 * Completeness: at the end every node crashed for good is suspected by
 * every node that never crashed for good, by both detectors. A node
 * answers `finished` only once it suspects every crashed node, so a
 * detector that never suspects keeps the run going to the simulator's
 * limit and fails there.
 *
 * Eventual accuracy, and the margin. The settle time S is the time of the
 * first callback after the first `finished` question asked while no
 * partition is in force: the simulator asks only after the fault period
 * (sim.h), so from S on no fault begins, no message is dropped or
 * duplicated, and none is delayed beyond 10 us. What began before S ends
 * by S + 3100: a stall lasts at most 3099 us, a restart comes at most
 * 2099 us after its crash, a delayed or duplicated message arrives at
 * most 519 us after it was sent (sim.c's STALL_MAX, DOWN_MAX, DELAY_MAX).
 * After that quiet time Q, a live node sends every interval I exactly
 * (its timer) and each message takes 1 to 10 us, so the gaps between
 * arrivals from it are within I +- 9 us, the first of them at most I +
 * 10 us after Q, and
 *   - the heartbeat detector never suspects it again: a timeout starts
 *     at >= I + 10 (the options refuse less) and never shrinks;
 *   - once window + 1 clean gaps have arrived, the accrual detector's
 *     window holds only gaps within I +- 9, so mu >= I - 9, and silence
 *     up to the next arrival is at most I + 9: phi stays below
 *     -log10(erfc(18 / (sigma sqrt 2)) / 2) <= 0.63 with sigma >= I / 4
 *     >= 25 us (I >= 100 us), under any threshold >= 1.
 * So the check starts at S + 3100 + (window + 2)(I + 10) and runs for 10
 * more intervals at least; before it, suspicions of live nodes are what
 * the faults cause, and are counted (false suspicions), not checked.
 *
 * Detection time of a crash: from the crashed node's last heartbeat sent
 * to the moment the last live node came to suspect it (its detector's
 * deadline at the end: a delayed heartbeat that arrived after the crash
 * pushes it later, as it should).
 */

#define QUIET 3100 /* us: stalls, restarts, delayed messages over */
#define OBSERVE 10 /* intervals checked past the margin, at least */

struct fnode {
	rc_fd_t *hb, *phi;
	uint64_t next_send, last_send, seq;
	uint32_t inc;
	uint32_t peer_inc[RC_SIM_MAX_NODES]; /* the newest heard of each */
};

struct fsim {
	struct _rc_sim *sim;
	const struct _rc_fd_sim_opts *o;
	struct _rc_fd_sim_result *res;
	struct fnode node[RC_SIM_MAX_NODES];
	uint64_t now, doomed;
	bool pending, settled, oom;
	uint64_t check_from, end;
	rc_err_t err;
};

static void violate(struct fsim *fs, unsigned prop, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void violate(struct fsim *fs, unsigned prop, const char *fmt, ...)
{
	va_list ap;

	if (fs->res->violations == 0) {
		va_start(ap, fmt);
		vsnprintf(fs->res->why, sizeof(fs->res->why), fmt, ap);
		va_end(ap);
	}
	fs->res->violations |= prop;
}

/* The node's detectors, fresh at now (us). */
static int start(struct fsim *fs, unsigned i, uint64_t now)
{
	const struct _rc_fd_sim_opts *o = fs->o;
	struct fnode *n = &fs->node[i];
	struct rc_fd_opts hb = {
		.kind = RC_FD_HEARTBEAT,
		.interval_ns = o->interval * 1000,
		.timeout_ns = o->timeout * 1000,
		.backoff = o->backoff,
	};
	struct rc_fd_opts phi = {
		.kind = RC_FD_ACCRUAL,
		.interval_ns = o->interval * 1000,
		.window = o->window,
		.min_std_ns = o->interval * 1000 / 4,
		.threshold = o->threshold,
	};
	int r;

	rc_fd_destroy(n->hb);
	rc_fd_destroy(n->phi);
	n->hb = n->phi = NULL;
	if ((r = rc_fd_create(&n->hb, o->nodes, now * 1000, &hb, &fs->err)) <
		    0 ||
	    (r = rc_fd_create(&n->phi, o->nodes, now * 1000, &phi, &fs->err)) <
		    0)
		return r;
	if (o->sticky) {
		_rc_fd_make_sticky(n->hb);
		_rc_fd_make_sticky(n->phi);
	}
	n->next_send = now;
	memset(n->peer_inc, 0, sizeof(n->peer_inc));
	return 0;
}

/* Time has come to now: the settle time, once it is asked for. */
static void at(struct fsim *fs, uint64_t now)
{
	fs->now = now;
	fs->doomed = _rc_sim_doomed(fs->sim);
	if (fs->pending && !fs->settled) {
		uint64_t iv = fs->o->interval;

		fs->settled = true;
		fs->res->settle = now;
		fs->check_from = now + QUIET + (fs->o->window + 2) * (iv + 10);
		fs->end = fs->check_from + OBSERVE * iv;
		fs->res->check_from = fs->check_from;
		_rc_sim_trace(fs->sim, "settle; accuracy checked from %llu",
			      (unsigned long long)fs->check_from);
	}
}

static bool checking(const struct fsim *fs, uint64_t now)
{
	return fs->settled && now >= fs->check_from;
}

static void f_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct fsim *fs = ctx;
	const struct _rc_fd_msg *m = msg;
	struct fnode *n = &fs->node[node];
	bool newer = m->inc > n->peer_inc[m->from];
	rc_fd_t *d[2] = { n->hb, n->phi };
	uint64_t *fal[2] = { &fs->res->false_hb, &fs->res->false_phi };
	static const char *const kind[2] = { "heartbeat", "phi" };

	at(fs, now);
	for (unsigned k = 0; k < 2; k++) {
		if (!rc_fd_heard(d[k], m->from, now * 1000))
			continue;
		_rc_sim_trace(fs->sim, "%u retracts %u (%s)%s", node, m->from,
			      kind[k], newer ? ", restarted" : "");
		if (newer)
			fs->res->comebacks++;
		else
			(*fal[k])++;
		if (checking(fs, now) && !(fs->doomed >> m->from & 1))
			violate(fs, RC_FD_ACCURACY,
				"node %u suspected live node %u until %llu us "
				"(%s), past the margin at %llu us",
				node, m->from, (unsigned long long)now, kind[k],
				(unsigned long long)fs->check_from);
	}
	if (newer)
		n->peer_inc[m->from] = m->inc;
}

/* Whether observer o suspects p by either detector at now, and which. */
static const char *suspected(const struct fsim *fs, unsigned o, unsigned p,
			     uint64_t now)
{
	if (rc_fd_suspects(fs->node[o].hb, p, now * 1000))
		return "heartbeat";
	if (rc_fd_suspects(fs->node[o].phi, p, now * 1000))
		return "phi";
	return NULL;
}

/* Eventual accuracy at now, as node o sees the live nodes. */
static void accuracy(struct fsim *fs, unsigned o, uint64_t now)
{
	const char *k;

	for (unsigned p = 0; p < fs->o->nodes; p++)
		if (p != o && !(fs->doomed >> p & 1) &&
		    (k = suspected(fs, o, p, now)) != NULL)
			violate(fs, RC_FD_ACCURACY,
				"node %u suspects live node %u at %llu us "
				"(%s), past the margin at %llu us",
				o, p, (unsigned long long)now, k,
				(unsigned long long)fs->check_from);
}

static void f_tick(void *ctx, unsigned node, uint64_t now)
{
	struct fsim *fs = ctx;
	struct fnode *n = &fs->node[node];

	at(fs, now);
	if (now >= n->next_send) {
		struct _rc_fd_msg m = { .from = (uint16_t)node,
					.inc = n->inc,
					.seq = ++n->seq };

		for (unsigned p = 0; p < fs->o->nodes; p++) {
			if (p == node)
				continue;
			m.to = (uint16_t)p;
			_rc_sim_send(fs->sim, node, p, &m);
		}
		n->last_send = now;
		n->next_send = now + fs->o->interval;
	}
	if (checking(fs, now) && !(fs->doomed >> node & 1))
		accuracy(fs, node, now);
}

static uint64_t f_deadline(void *ctx, unsigned node)
{
	struct fsim *fs = ctx;

	return fs->node[node].next_send;
}

static void f_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	(void)node;
	(void)k;
	at(ctx, now);
}

static bool f_finished(void *ctx, unsigned node, uint64_t expect)
{
	struct fsim *fs = ctx;

	(void)expect;
	if (!fs->settled) {
		if (_rc_sim_side(fs->sim, NULL) == 0)
			fs->pending = true;
		return false;
	}
	if (fs->now < fs->end)
		return false;
	for (unsigned p = 0; p < fs->o->nodes; p++)
		if ((fs->doomed >> p & 1) && _rc_sim_crashed(fs->sim, p) &&
		    (!rc_fd_suspects(fs->node[node].hb, p, fs->now * 1000) ||
		     !rc_fd_suspects(fs->node[node].phi, p, fs->now * 1000)))
			return false;
	return true;
}

static void f_restart(void *ctx, unsigned node, uint64_t now)
{
	struct fsim *fs = ctx;
	struct fnode *n = &fs->node[node];

	at(fs, now);
	n->inc++;
	if (start(fs, node, now) < 0)
		fs->oom = true;
}

static size_t f_msg_size(const void *msg)
{
	(void)msg;
	return sizeof(struct _rc_fd_msg);
}

static void f_msg_describe(const void *msg, char *buf, size_t len)
{
	const struct _rc_fd_msg *m = msg;

	snprintf(buf, len, "heartbeat %u->%u inc %u #%llu", m->from, m->to,
		 m->inc, (unsigned long long)m->seq);
}

static const struct _rc_sim_proto fd_proto = {
	.name = "fd",
	.recv = f_recv,
	.tick = f_tick,
	.deadline = f_deadline,
	.submit = f_submit,
	.finished = f_finished,
	.msg_size = f_msg_size,
	.msg_describe = f_msg_describe,
	.restart = f_restart,
};

/* At the end: both properties, and the detection times. */
static void conclude(struct fsim *fs)
{
	struct _rc_fd_sim_result *res = fs->res;
	const uint64_t end = res->st.time;

	for (unsigned o = 0; o < fs->o->nodes; o++)
		if (!(fs->doomed >> o & 1))
			accuracy(fs, o, end);
	for (unsigned p = 0; p < fs->o->nodes; p++) {
		uint64_t hb = 0, phi = 0, sent;

		if (!(fs->doomed >> p & 1))
			continue;
		res->crashes++;
		sent = fs->node[p].last_send * 1000;
		for (unsigned o = 0; o < fs->o->nodes; o++) {
			const struct fnode *n = &fs->node[o];
			uint64_t d;

			if (fs->doomed >> o & 1)
				continue;
			if (!rc_fd_suspects(n->hb, p, end * 1000) ||
			    !rc_fd_suspects(n->phi, p, end * 1000)) {
				violate(fs, RC_FD_COMPLETENESS,
					"node %u does not suspect node %u, "
					"crashed for good, at the end (%llu "
					"us; %s)",
					o, p, (unsigned long long)end,
					rc_fd_suspects(n->hb, p, end * 1000)
						? "phi"
						: "heartbeat");
				continue;
			}
			if ((d = rc_fd_deadline(n->hb, p)) > hb)
				hb = d;
			if ((d = rc_fd_deadline(n->phi, p)) > phi)
				phi = d;
		}
		hb = hb > sent ? hb - sent : 0;
		phi = phi > sent ? phi - sent : 0;
		res->det_hb_sum += hb;
		res->det_phi_sum += phi;
		if (hb > res->det_hb_max)
			res->det_hb_max = hb;
		if (phi > res->det_phi_max)
			res->det_phi_max = phi;
	}
}

int _rc_fd_sim_run(const struct _rc_fd_sim_opts *o,
		   struct _rc_fd_sim_result *res, rc_err_t *err)
{
	const struct _rc_sim_faults *f = &o->faults;
	struct _rc_sim_opts so;
	struct fsim *fs;
	int r = 0;

	memset(res, 0, sizeof(*res));
	if (o->nodes < 2 || o->nodes > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "failure detectors need 2..%d nodes",
				  RC_SIM_MAX_NODES);
	if (f->crash >= o->nodes)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no node of %u up (at most "
				  "%u)",
				  f->crash, o->nodes, o->nodes - 1);
	if (f->member)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "member: the detectors have no membership");
	if (o->interval < 100 || o->interval > 1000000)
		return rc_err_set(err, RC_EINVAL, "interval", 0, 0,
				  "the interval must be 100..1000000 us (below "
				  "100 the simulator's 9 us of jitter is too "
				  "much for sigma >= interval / 4)");
	if (o->timeout < o->interval + 10 || o->timeout > 100000000)
		return rc_err_set(err, RC_EINVAL, "timeout", 0, 0,
				  "the timeout must be at least the interval "
				  "plus 10 us (%llu) and at most 100000000 us",
				  (unsigned long long)o->interval + 10);
	if (!(o->backoff >= 1 && o->backoff <= 10))
		return rc_err_set(err, RC_EINVAL, "backoff", 0, 0,
				  "the backoff must be 100..1000 percent");
	if (!(o->threshold >= 1 && o->threshold <= 300))
		return rc_err_set(err, RC_EINVAL, "threshold", 0, 0,
				  "the phi threshold must be 1..300");
	if (o->window < 1 || o->window > 1000)
		return rc_err_set(err, RC_EINVAL, "window", 0, 0,
				  "the window must be 1..1000 gaps");
	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	fs->o = o;
	fs->res = res;
	fs->err = (rc_err_t)RC_ERR_INITIALIZER;
	memset(&so, 0, sizeof(so));
	so.nodes = o->nodes;
	so.seed = o->seed;
	so.commands = o->commands;
	so.faults = *f;
	so.trace = o->trace;
	if ((fs->sim = _rc_sim_create(&fd_proto, fs, &so)) == NULL) {
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < o->nodes; i++)
		if (start(fs, i, 0) < 0) {
			r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
				       "out of memory");
			goto out;
		}
	if (_rc_sim_run(fs->sim, &res->st) < 0 || fs->oom) {
		r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	fs->doomed = _rc_sim_doomed(fs->sim);
	conclude(fs);
out:
	_rc_sim_destroy(fs->sim);
	for (unsigned i = 0; i < o->nodes; i++) {
		rc_fd_destroy(fs->node[i].hb);
		rc_fd_destroy(fs->node[i].phi);
	}
	free(fs);
	return r;
}
