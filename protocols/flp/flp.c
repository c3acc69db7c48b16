/* SPDX-License-Identifier: MIT */
/* flp.c: an adversarial scheduler that keeps replicore's Paxos from deciding while delivering every message, and loses once partial synchrony holds. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/flp/flp.h"
#include "protocols/paxos/internal.h"

/*
 * Fischer, Lynch and Paterson (1985): no deterministic consensus protocol
 * decides in every fair run of an asynchronous system in which a process
 * may crash. Their proof keeps the configuration bivalent (both values
 * still reachable) forever: from a bivalent configuration, whatever event
 * e is due, some schedule that delays e and then applies it leads to a
 * bivalent configuration again. Paxos is safe in every run; FLP says what
 * it gives up: its liveness rests on the failure detector (the election
 * timeout), which asynchrony lets an adversary fool for ever.
 *
 * This file drives the real step machines of protocols/paxos/paxos.c
 * message by message (not a small Paxos of its own: the step machine
 * takes one message or one timer per call and never reads a clock, so the
 * adversary can hold the schedule in its hand). Three nodes; node 0
 * proposes value A (a client command submitted there), node 1 value B;
 * node 2 is the swing acceptor. The adversary owns the clocks: a node's
 * time advances only when the adversary fires its timer, which is what an
 * asynchronous system allows (no bound on relative speeds). Its rule is
 * the duelling proposers' schedule, the proof's construction in Paxos's
 * terms:
 *
 *   - A step delivers the oldest message that is harmless, or, when none
 *     is, fires the timer of the proposer whose turn it is (the failure
 *     detector suspects the other, which is alive): it starts a ballot
 *     above every ballot seen. The winner of a ballot, if it holds no
 *     value yet, is given one timer step to propose its own.
 *   - Harmful, so held: an ACCEPT to an acceptor whose promise does not
 *     exceed its ballot (delivering it would make a majority with the
 *     leader's own acceptance: the critical event that would make the
 *     configuration univalent); and a PROMISE from the other proposer to
 *     a candidate still collecting promises (it would carry the other's
 *     value and merge the two).
 *
 * Each held ACCEPT becomes harmless as soon as the next proposer's
 * PREPARE reaches its acceptor, within the next round, so every message
 * is delivered, within RC_FLP_FAIR steps of being sent (checked for each
 * delivery, and at the end for each message still in flight).
 * Bivalence witness, checked after every step: no node delivered slot 0,
 * node 2 accepted nothing there, nodes 0 and 1 accepted A and B (or
 * nothing yet). Then delivering the current leader's held ACCEPT to node
 * 2 would choose its value, and the other proposer's next ballot (a
 * majority of itself and node 2, so it adopts its own value) could
 * choose the other: both values stay reachable.
 *
 * Partial synchrony (gst, Dwork, Lynch and Stockmeyer 1988): from step
 * gst on the same adversary must deliver each message within
 * RC_FLP_SYNC_BOUND steps and may no longer fire timers; the nodes'
 * clocks advance RC_FLP_SYNC_US per step and their timers fire at their
 * deadlines (randomized election timeouts of 400-800 us, heartbeats every
 * 50 us). A held ACCEPT must then arrive long before another proposer's
 * timeout, and the leader's heartbeats keep the others from suspecting it:
 * the ballot is chosen and every node decides.
 */

#define FLP_NODES 3
#define FLP_SWING 2

/* The step machine's stable record, as paxos.c lays it out (its px_rec):
 * kind 1 a promise at ballot, kind 2 an acceptance in slot, then n
 * commands. */
struct flp_rec {
	uint32_t kind, n;
	uint64_t slot, ballot;
	struct rc_paxos_cmd cmd[];
};

struct flp_msg {
	struct rc_paxos_msg *m;
	unsigned to;
	uint64_t sent;
};

struct flp {
	rc_paxos_node_t *px[FLP_NODES];
	uint64_t clk[FLP_NODES];
	uint64_t promised[FLP_NODES];
	char acc[FLP_NODES];	   /* value accepted in slot 0, or 0 */
	uint64_t acc_b[FLP_NODES]; /* its ballot */
	char dec[FLP_NODES];	   /* value delivered in slot 0, or 0 */
	struct flp_msg *q;
	size_t nq, cap;
	uint64_t step;
	bool oom;
	const struct _rc_flp_opts *o;
	struct _rc_flp_result *r;
};

static char value_of(const struct rc_paxos_cmd *c, unsigned n)
{
	return n == 0 ? '-' : RC_PAXOS_ID_ORIGIN(c[0].id) == 0 ? 'A' : 'B';
}

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct rc_paxos_msg *m)
{
	struct flp *f = ctx;
	size_t len = rc_paxos_msg_size(m);
	struct rc_paxos_msg *c;

	(void)from;
	if (f->nq == f->cap) {
		size_t nc = f->cap ? 2 * f->cap : 64;
		void *nq = realloc(f->q, nc * sizeof *f->q);

		if (!nq) {
			f->oom = true;
			return;
		}
		f->q = nq;
		f->cap = nc;
	}
	c = malloc(len);
	if (!c) {
		f->oom = true;
		return;
	}
	memcpy(c, m, len);
	f->q[f->nq].m = c;
	f->q[f->nq].to = to;
	f->q[f->nq].sent = f->step;
	f->nq++;
	f->r->sent++;
}

static void io_deliver(void *ctx, unsigned node, uint64_t slot,
		       const struct rc_paxos_cmd *cmds, unsigned n)
{
	struct flp *f = ctx;

	if (slot == 0 && !f->dec[node])
		f->dec[node] = value_of(cmds, n);
}

static void io_record(void *ctx, unsigned node, const void *rec, size_t len)
{
	struct flp *f = ctx;
	const struct flp_rec *r = rec;

	if (len < sizeof *r)
		return;
	if (r->kind == 1 && r->ballot > f->promised[node])
		f->promised[node] = r->ballot;
	if (r->kind == 2 && r->slot == 0) {
		f->acc[node] = value_of(r->cmd, r->n);
		f->acc_b[node] = r->ballot;
		/* an acceptance promises its ballot too */
		if (r->ballot > f->promised[node])
			f->promised[node] = r->ballot;
	}
}

/* Whether delivering message e now would let a value be chosen, or merge
 * the two proposers' values. */
static bool harmful(const struct flp *f, const struct flp_msg *e)
{
	const struct rc_paxos_msg *m = e->m;
	unsigned to = e->to;
	struct rc_paxos_node_stats st;

	if (m->type == PX_ACCEPT)
		return m->ballot >= f->promised[to];
	if (m->type == PX_PROMISE && m->from != FLP_SWING) {
		rc_paxos_node_stats(f->px[to], &st);
		return !st.leader && st.ballot == m->ballot;
	}
	return false;
}

static void trace(const struct flp *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void trace(const struct flp *f, const char *fmt, ...)
{
	va_list ap;

	if (!f->o->trace)
		return;
	fprintf(f->o->trace, "step %-7llu ", (unsigned long long)f->step);
	va_start(ap, fmt);
	vfprintf(f->o->trace, fmt, ap);
	va_end(ap);
	fputc('\n', f->o->trace);
}

static void deliver(struct flp *f, size_t i)
{
	struct flp_msg e = f->q[i];
	unsigned to = e.to;
	uint64_t wait = f->step - e.sent;
	char d[160];

	memmove(f->q + i, f->q + i + 1, (f->nq - i - 1) * sizeof *f->q);
	f->nq--;
	if (f->o->gst && e.sent < f->o->gst && f->step >= f->o->gst)
		wait = f->step - f->o->gst; /* the bound runs from gst */
	if (f->o->gst && f->step >= f->o->gst) {
		if (wait > f->r->max_sync)
			f->r->max_sync = wait;
	} else if (wait > f->r->max_delay) {
		f->r->max_delay = wait;
	}
	if (wait > f->r->bound && f->r->fair) {
		f->r->fair = false;
		snprintf(f->r->why, sizeof f->r->why,
			 "a message waited %llu steps (bound %llu)",
			 (unsigned long long)wait,
			 (unsigned long long)f->r->bound);
	}
	f->r->delivered++;
	if (f->o->trace) {
		rc_paxos_msg_describe(e.m, d, sizeof d);
		trace(f, "deliver %u->%u %s (sent at step %llu)", e.m->from, to,
		      d, (unsigned long long)e.sent);
	}
	rc_paxos_node_recv(f->px[to], f->clk[to], e.m);
	free(e.m);
}

/* The adversary fires p's timer: p's clock jumps to its deadline until p
 * starts a ballot (its failure detector suspects the leader). */
static void fire(struct flp *f, unsigned p)
{
	struct rc_paxos_node_stats st, after;

	rc_paxos_node_stats(f->px[p], &st);
	for (unsigned i = 0; i < 1000; i++) {
		uint64_t d = rc_paxos_node_deadline(f->px[p]);

		f->clk[p] = d > f->clk[p] ? d : f->clk[p] + 1;
		rc_paxos_node_tick(f->px[p], f->clk[p]);
		rc_paxos_node_stats(f->px[p], &after);
		if (after.elections > st.elections)
			break;
	}
	f->r->rounds++;
	trace(f,
	      "fire node %u's timer at %llu us: its failure detector "
	      "suspects the leader, it starts ballot %llu.%u",
	      p, (unsigned long long)f->clk[p],
	      (unsigned long long)RC_PAXOS_BALLOT_ROUND(after.ballot),
	      RC_PAXOS_BALLOT_OWNER(after.ballot));
}

/* After a step: the bivalence witness (false with why filled). */
static bool witness(struct flp *f)
{
	for (unsigned i = 0; i < FLP_NODES; i++)
		if (f->dec[i]) {
			snprintf(f->r->why, sizeof f->r->why,
				 "node %u decided %c at step %llu", i,
				 f->dec[i], (unsigned long long)f->step);
			return false;
		}
	if (f->acc[FLP_SWING] || (f->acc[0] && f->acc[0] != 'A') ||
	    (f->acc[1] && f->acc[1] != 'B')) {
		snprintf(f->r->why, sizeof f->r->why,
			 "step %llu: accepted %c,%c,%c",
			 (unsigned long long)f->step,
			 f->acc[0] ? f->acc[0] : '-',
			 f->acc[1] ? f->acc[1] : '-',
			 f->acc[2] ? f->acc[2] : '-');
		return false;
	}
	return true;
}

/* One asynchronous step: the adversary's rule. */
static void step_async(struct flp *f, unsigned *turn)
{
	struct rc_paxos_node_stats st[FLP_NODES], now;
	size_t i;

	for (i = 0; i < f->nq; i++)
		if (!harmful(f, &f->q[i]))
			break;
	if (i == f->nq) {
		fire(f, *turn);
		*turn = 1 - *turn;
		return;
	}
	for (unsigned n = 0; n < FLP_NODES; n++)
		rc_paxos_node_stats(f->px[n], &st[n]);
	deliver(f, i);
	for (unsigned n = 0; n < FLP_NODES; n++) {
		rc_paxos_node_stats(f->px[n], &now);
		if (now.leader && !st[n].leader) {
			trace(f,
			      "node %u leads ballot %llu.%u (promises of "
			      "itself and node %u); slot 0 accepted: "
			      "%c,%c,%c; bivalent: its ACCEPT to node %u "
			      "would choose %c, node %u's next ballot can "
			      "choose %c",
			      n,
			      (unsigned long long)RC_PAXOS_BALLOT_ROUND(
				      now.ballot),
			      RC_PAXOS_BALLOT_OWNER(now.ballot), FLP_SWING,
			      f->acc[0] ? f->acc[0] : '-',
			      f->acc[1] ? f->acc[1] : '-',
			      f->acc[2] ? f->acc[2] : '-', FLP_SWING,
			      n == 0 ? 'A' : 'B', 1 - n, n == 0 ? 'B' : 'A');
			if (!f->acc[n]) {
				f->step++;
				trace(f,
				      "fire node %u's timer: it proposes "
				      "its value",
				      n);
				rc_paxos_node_tick(f->px[n], f->clk[n]);
			}
		}
	}
}

/*
 * One partially synchronous step: the clocks advance, timers fire at their
 * deadlines, every message that waited the bound is delivered now, and
 * otherwise the adversary still picks the oldest harmless one.
 */
static void step_sync(struct flp *f, uint64_t *t)
{
	bool any = false;
	size_t i;

	*t += RC_FLP_SYNC_US;
	for (unsigned n = 0; n < FLP_NODES; n++) {
		f->clk[n] = *t;
		if (rc_paxos_node_deadline(f->px[n]) <= *t)
			rc_paxos_node_tick(f->px[n], *t);
	}
	for (i = 0; i < f->nq;) {
		uint64_t from =
			f->q[i].sent > f->o->gst ? f->q[i].sent : f->o->gst;

		if (f->step - from >= RC_FLP_SYNC_BOUND) {
			deliver(f, i); /* overdue: the bound forces it */
			any = true;
			i = 0;
		} else {
			i++;
		}
	}
	if (any)
		return;
	for (i = 0; i < f->nq; i++)
		if (!harmful(f, &f->q[i])) {
			deliver(f, i);
			return;
		}
}

int _rc_flp_run(const struct _rc_flp_opts *o, struct _rc_flp_result *r,
		rc_err_t *err)
{
	struct rc_paxos_config cfg = RC_PAXOS_CONFIG_INITIALIZER;
	struct flp f = { .o = o, .r = r };
	struct rc_paxos_io io = { .ctx = &f,
				  .send = io_send,
				  .deliver = io_deliver,
				  .record = io_record };
	struct rc_paxos_cmd a = { .op = 'A' }, b = { .op = 'B' };
	unsigned turn = 0;
	uint64_t t = 0;
	int rc = 0;

	memset(r, 0, sizeof *r);
	r->fair = r->bivalent = r->agree = true;
	r->bound = RC_FLP_FAIR;
	cfg.nodes = FLP_NODES;
	cfg.seed = o->seed;
	for (unsigned n = 0; n < FLP_NODES; n++) {
		rc = rc_paxos_node_create(&f.px[n], &cfg, n, &io, 0, err);
		if (rc < 0)
			goto out;
	}
	rc_paxos_node_submit(f.px[0], 0, &a);
	rc_paxos_node_submit(f.px[1], 0, &b);
	trace(&f, "node 0 proposes A, node 1 proposes B, node 2 accepts; "
		  "no clock moves unless the scheduler fires a timer");
	for (f.step = 1; f.step <= o->steps && !f.oom; f.step++) {
		bool sync = o->gst && f.step >= o->gst;

		if (sync && f.step == o->gst) {
			for (unsigned n = 0; n < FLP_NODES; n++)
				if (f.clk[n] > t)
					t = f.clk[n];
			r->bound = RC_FLP_SYNC_BOUND;
			trace(&f,
			      "global stabilization: messages arrive "
			      "within %u steps, clocks advance %u us a "
			      "step",
			      RC_FLP_SYNC_BOUND, RC_FLP_SYNC_US);
		}
		if (sync)
			step_sync(&f, &t);
		else
			step_async(&f, &turn);
		if (!sync && r->bivalent && !witness(&f))
			r->bivalent = false;
		if (!r->decided)
			for (unsigned n = 0; n < FLP_NODES; n++)
				if (f.dec[n]) {
					r->decided = true;
					r->decided_at = f.step;
					r->value = f.dec[n];
					trace(&f, "node %u decides %c", n,
					      f.dec[n]);
				}
		if (sync && f.dec[0] && f.dec[1] && f.dec[2]) {
			f.step++;
			break;
		}
	}
	r->steps = f.step - 1;
	for (unsigned n = 0; n < FLP_NODES; n++) {
		struct rc_paxos_node_stats st;

		rc_paxos_node_stats(f.px[n], &st);
		if (st.ballot > r->ballot)
			r->ballot = st.ballot;
		if (f.dec[n] && f.dec[n] != r->value)
			r->agree = false;
	}
	r->pending = f.nq;
	for (size_t i = 0; i < f.nq; i++) {
		uint64_t from = f.q[i].sent;

		if (o->gst && from < o->gst && r->steps >= o->gst)
			from = o->gst;
		if (r->steps - from > r->oldest)
			r->oldest = r->steps - from;
	}
	if (r->oldest > r->bound && r->fair) {
		r->fair = false;
		snprintf(r->why, sizeof r->why,
			 "a message in flight for %llu steps (bound %llu)",
			 (unsigned long long)r->oldest,
			 (unsigned long long)r->bound);
	}
	if (f.oom) {
		rc = -RC_ENOMEM;
		rc_err_set(err, RC_ENOMEM, "flp", 0, 0, "out of memory");
	}
out:
	for (size_t i = 0; i < f.nq; i++)
		free(f.q[i].m);
	free(f.q);
	for (unsigned n = 0; n < FLP_NODES; n++)
		if (f.px[n])
			rc_paxos_node_destroy(f.px[n]);
	return rc;
}
