/* SPDX-License-Identifier: MIT */
/* threads.c: physical clocks kept by Lamport's rules between threads: each runs the step machine of clocks.c on the real monotonic clock, scaled by an artificial drift, over an rc_chan inbox; the skew measured against the bound. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/chan.h>
#include <replicore/clock.h>
#include <replicore/topo.h>

#include "protocols/clocks/clocks.h"
#include "protocols/rand.h"

/*
 * Time. Every thread reads CLOCK_MONOTONIC (rc_clock_now_ns), one clock
 * for the whole machine, and counts from t0, the run's start: that is
 * the "physical time" t of the paper. Node i's clock is the step machine
 * of clocks.c driven with now = t in ns: it runs at 1 + d_i (|d_i| <
 * kappa, drawn from the seed, the simulator's draws) from an offset in
 * [0, 1 ms), and jumps forward when IR2' says so. Between jumps it is
 * C_i(t) = (1 + d_i) t + b_i, so the node publishes b_i, one double in
 * an atomic word, after each change; the rate never changes. Any thread
 * can then compute every clock at one instant t.
 *
 * A consistent reading (sample): load every b_j, read t, load every b_j
 * again; when no b_j changed, each held its value over an interval that
 * contains t, so C_j(t) = (1 + d_j) t + b_j is every clock's reading at
 * the one instant t. When one changed (a jump in between), try again, up
 * to 8 times, then give up the sample (counted as retried). A node
 * samples after each of its sends, as the simulator does; the skew is
 * the largest reading minus the smallest.
 *
 * Messages: a send carries Tm (the sender's clock) and the raw send time
 * t; the receiver notes the delay (its t minus the send's), which
 * includes the time a parked receiver takes to wake. mu, the least delay
 * that IR2' adds, is measured first: for 20 periods the threads exchange
 * messages without touching their clocks and take the least delay seen.
 * xi, the unpredictable part, is measured over the run itself: the
 * largest delay minus the least (of the calibration's and the run's).
 * The bound is d (2 kappa tau + xi), d the graph's diameter.
 *
 * Waiting: a thread waits in rc_chan_recv_timed until its next send is
 * due (a spin of about 10 us, then a park in the kernel), never in a
 * busy loop. A full inbox (1024 messages per sender: a receiver away for
 * 1024 periods) drops the message and counts it; the premise of the
 * theorem (a message over every arc every tau) then fails, and the
 * result says so.
 */

#define RETRIES 8
#define CALIBRATE 20 /* periods */
#define PER_SENDER 1024

struct tmsg {
	unsigned from;
	double tm;	  /* the sender's clock, ns */
	uint64_t sent_ns; /* raw, since t0 */
};

struct node {
	struct _rc_clk_node *clk, *cal; /* the run's, the calibration's */
	rc_chan_t *inbox;
	double rate;
	/* b: C(t) = rate t + b; written by the owner, read by samplers */
	_Atomic uint64_t b;
	/* the owner's: */
	uint64_t dmin, dmax, msgs, dropped, samples, retried;
	double max_skew, start_skew, sum_skew;
	bool back, sampled_back;
	double *seen; /* [n]: the last reading of each clock it sampled */
	pthread_t t;
	struct run *run;
	unsigned id;
} __attribute__((aligned(64))); /* one cache line apart: no false sharing */

struct run {
	const struct _rc_clk_thr_opts *o;
	unsigned n;
	uint64_t t0;
	double warm_ns;
	bool calibrating;
	pthread_barrier_t bar;
	pthread_mutex_t lock; /* the start gate: */
	pthread_cond_t cond;
	int gate; /* 0: wait, 1: go, 2: quit (a thread could not start) */
	struct node *nodes;
};

static uint64_t since(const struct run *r)
{
	return rc_clock_now_ns() - r->t0;
}

static double load_b(const struct node *nd)
{
	/* acquire: pairs with the release in publish(); the value is the
	 * clock's only state others read */
	uint64_t v = atomic_load_explicit(&nd->b, memory_order_acquire);
	double d;

	memcpy(&d, &v, sizeof(d));
	return d;
}

static void set_b(struct node *nd, double b)
{
	uint64_t v;

	memcpy(&v, &b, sizeof(v));
	/* release: pairs with the acquire in load_b (samplers) */
	atomic_store_explicit(&nd->b, v, memory_order_release);
}

static void publish(struct node *nd, uint64_t now)
{
	/* the step machine tells whether IR2' moved the clock back; b may
	 * differ from the last by rounding (1e-7 ns) when it did not move */
	set_b(nd, _rc_clk_node_read(nd->clk, now) - nd->rate * (double)now);
}

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct _rc_clk_msg *m)
{
	struct run *r = ctx;
	struct tmsg *t = malloc(sizeof(*t));

	if (t == NULL) {
		r->nodes[from].dropped++;
		return;
	}
	t->from = from;
	t->tm = m->tm;
	t->sent_ns = since(r);
	/* release: pairs with the acquire of the receive in serve() */
	if (!rc_chan_trysend_mpsc(r->nodes[to].inbox, t)) {
		free(t);
		r->nodes[from].dropped++;
	}
}

/* A consistent reading of every clock (above); false when given up. */
static bool sample(struct run *r, struct node *me, uint64_t *at, double *skew)
{
	double b[RC_CLK_THR_MAX];

	for (int k = 0; k < RETRIES; k++) {
		bool same = true;
		uint64_t t;
		double lo = 0, hi = 0;

		for (unsigned j = 0; j < r->n; j++)
			b[j] = load_b(&r->nodes[j]);
		/* seq_cst fences: the time read stays between the two
		 * rounds of loads (pairs with nothing else) */
		atomic_thread_fence(memory_order_seq_cst);
		t = since(r);
		atomic_thread_fence(memory_order_seq_cst);
		for (unsigned j = 0; j < r->n && same; j++)
			same = load_b(&r->nodes[j]) == b[j];
		if (!same)
			continue;
		for (unsigned j = 0; j < r->n; j++) {
			double c = r->nodes[j].rate * (double)t + b[j];

			/* back by more than rounding (b is recomputed at
			 * each message, to about 1e-7 ns) */
			if (c < me->seen[j] - 1)
				me->sampled_back = true;
			me->seen[j] = c;
			if (j == 0 || c < lo)
				lo = c;
			if (j == 0 || c > hi)
				hi = c;
		}
		*at = t;
		*skew = hi - lo;
		return true;
	}
	me->retried++;
	return false;
}

/* One message taken: its delay, and IR2' unless calibrating. */
static void take(struct run *r, struct node *me, struct tmsg *t)
{
	uint64_t now = since(r), d = now - t->sent_ns;
	struct _rc_clk_msg m;

	if (d < me->dmin)
		me->dmin = d;
	if (d > me->dmax)
		me->dmax = d;
	me->msgs++;
	if (!r->calibrating) {
		m.from = (uint16_t)t->from;
		m.to = (uint16_t)me->id;
		m.tm = t->tm;
		_rc_clk_node_recv(me->clk, now, &m);
		if (_rc_clk_node_went_back(me->clk))
			me->back = true;
		publish(me, now);
	}
	free(t);
}

/* Runs the node until raw time end: sends when due, takes messages. */
static void serve(struct run *r, struct node *me, struct _rc_clk_node *clk,
		  uint64_t end)
{
	for (;;) {
		uint64_t now = since(r), due;
		void *w;

		if (now >= end)
			return;
		if (now >= _rc_clk_node_deadline(clk)) {
			uint64_t at;
			double skew;

			_rc_clk_node_tick(clk, now);
			if (!r->calibrating && sample(r, me, &at, &skew)) {
				if (at < 2 * r->o->period_ns &&
				    skew > me->start_skew)
					me->start_skew = skew;
				if ((double)at >= r->warm_ns) {
					me->samples++;
					me->sum_skew += skew;
					if (skew > me->max_skew)
						me->max_skew = skew;
				}
			}
			continue;
		}
		due = _rc_clk_node_deadline(clk);
		if (due > end)
			due = end;
		/* acquire: pairs with the release of the send in io_send */
		if (rc_chan_recv_timed_mpsc(me->inbox, &w, due - now) == 0)
			take(r, me, w);
	}
}

static void *thread(void *arg)
{
	struct node *me = arg;
	struct run *r = me->run;
	const struct _rc_clk_thr_opts *o = r->o;
	void *w;
	int gate;

	pthread_mutex_lock(&r->lock);
	while ((gate = r->gate) == 0)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
	if (gate == 2)
		return NULL;
	if (o->topo != NULL)
		(void)rc_topo_pin(o->topo, me->id % rc_topo_npus(o->topo),
				  NULL);
	/* the pthread barriers order everything before them: the main
	 * thread's writes of t0, mu and the initial clocks, the threads'
	 * delay counts */
	pthread_barrier_wait(&r->bar); /* 1: the calibration starts */
	serve(r, me, me->cal, CALIBRATE * o->period_ns);
	pthread_barrier_wait(&r->bar); /* 2: the main thread takes mu */
	pthread_barrier_wait(&r->bar); /* 3: it took it */
	/* calibration messages left over (acquire, as in serve) */
	while (rc_chan_tryrecv_mpsc(me->inbox, &w))
		free(w);
	me->dmin = UINT64_MAX;
	me->dmax = 0;
	me->msgs = 0;
	pthread_barrier_wait(&r->bar); /* 4: the run starts at t0 */
	serve(r, me, me->clk, o->duration_ns);
	return NULL;
}

/* The delays' extremes over every node, and the sums of the run. */
static void gather(struct run *r, struct _rc_clk_thr_result *res)
{
	res->dmin_ns = UINT64_MAX;
	res->dmax_ns = 0;
	for (unsigned i = 0; i < r->n; i++) {
		struct node *nd = &r->nodes[i];

		if (nd->dmin < res->dmin_ns)
			res->dmin_ns = nd->dmin;
		if (nd->dmax > res->dmax_ns)
			res->dmax_ns = nd->dmax;
		if (nd->max_skew > res->max_skew_ns)
			res->max_skew_ns = nd->max_skew;
		if (nd->start_skew > res->start_skew_ns)
			res->start_skew_ns = nd->start_skew;
		res->messages += nd->msgs;
		res->dropped += nd->dropped;
		res->samples += nd->samples;
		res->retried += nd->retried;
		res->mean_skew_ns += nd->sum_skew;
		res->went_back |= nd->back || nd->sampled_back;
	}
	if (res->dmin_ns == UINT64_MAX)
		res->dmin_ns = 0;
}

int _rc_clk_thr_run(const struct _rc_clk_thr_opts *o,
		    struct _rc_clk_thr_result *res, rc_err_t *err)
{
	struct run r;
	struct _rc_clk_thr_result cal;
	uint64_t rng = o->seed ^ UINT64_C(0x5bd1e995);
	double d;
	int rc = 0;
	unsigned made = 0;

	memset(res, 0, sizeof(*res));
	memset(&r, 0, sizeof(r));
	if (o->nodes < 2 || o->nodes > RC_CLK_THR_MAX)
		return rc_err_set(err, RC_EINVAL, "threads", 0, 0,
				  "clocks need 2..%d threads", RC_CLK_THR_MAX);
	if (!(o->kappa >= 0 && o->kappa < 0.5) || o->period_ns < 1000 ||
	    o->duration_ns < 10 * o->period_ns)
		return rc_err_set(err, RC_EINVAL, "drift", 0, 0,
				  "the drift must be below 500000 ppm, the "
				  "period at least 1 us and the run at least "
				  "10 periods");
	r.o = o;
	r.n = o->nodes;
	if (posix_memalign((void **)&r.nodes, 64, r.n * sizeof(*r.nodes)))
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	memset(r.nodes, 0, r.n * sizeof(*r.nodes));
	pthread_barrier_init(&r.bar, NULL, r.n + 1);
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.cond, NULL);
	for (unsigned i = 0; i < r.n; i++) {
		struct node *nd = &r.nodes[i];
		struct _rc_clk_io io = { &r, io_send };
		double off = _rc_rand_unit(&rng) * 1e6;
		double drift = (2 * _rc_rand_unit(&rng) - 1) * o->kappa;

		nd->run = &r;
		nd->id = i;
		nd->rate = 1 + drift;
		nd->dmin = UINT64_MAX;
		nd->seen = calloc(r.n, sizeof(*nd->seen));
		/* the calibration's clock: only its sends are used */
		nd->cal = _rc_clk_node_create(r.n, i, o->line, 0, 0,
					      (double)o->period_ns, 0,
					      RC_CLK_LAMPORT, &io);
		nd->clk = _rc_clk_node_create(r.n, i, o->line, off, drift,
					      (double)o->period_ns, 0,
					      o->variant, &io);
		if (nd->seen == NULL || nd->clk == NULL || nd->cal == NULL) {
			rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
					"out of memory");
			goto out;
		}
		rc = rc_chan_create(&nd->inbox, RC_CHAN_MPSC, PER_SENDER * r.n,
				    err);
		if (rc < 0)
			goto out;
		for (unsigned j = 0; j < r.n; j++)
			nd->seen[j] = -INFINITY;
		res->drift[i] = drift;
	}
	for (; made < r.n; made++)
		if (pthread_create(&r.nodes[made].t, NULL, thread,
				   &r.nodes[made]) != 0)
			break;
	pthread_mutex_lock(&r.lock);
	r.gate = made < r.n ? 2 : 1;
	pthread_cond_broadcast(&r.cond);
	pthread_mutex_unlock(&r.lock);
	if (made < r.n) {
		rc = rc_err_set(err, RC_ESYS, "pthread_create", 0, 0,
				"could not start thread %u of %u", made, r.n);
		goto out;
	}
	r.calibrating = true;
	r.t0 = rc_clock_now_ns();
	pthread_barrier_wait(&r.bar); /* 1 */
	pthread_barrier_wait(&r.bar); /* 2 */
	memset(&cal, 0, sizeof(cal));
	gather(&r, &cal);
	res->mu_ns = cal.dmin_ns;
	res->cal_spread_ns = cal.dmax_ns - cal.dmin_ns;
	/* IR2' adds mu: the clocks are made again with it */
	for (unsigned i = 0; i < r.n; i++)
		_rc_clk_node_set_mu(r.nodes[i].clk, (double)res->mu_ns);
	d = o->line ? r.n - 1 : 1;
	/* the warm-up: d (tau + mu + xi), xi as the calibration saw it */
	r.warm_ns = d * (double)(o->period_ns + cal.dmax_ns);
	r.calibrating = false;
	pthread_barrier_wait(&r.bar); /* 3 */
	r.t0 = rc_clock_now_ns();
	for (unsigned i = 0; i < r.n; i++)
		set_b(&r.nodes[i], _rc_clk_node_read(r.nodes[i].clk, 0));
	pthread_barrier_wait(&r.bar); /* 4 */
	for (unsigned i = 0; i < r.n; i++)
		pthread_join(r.nodes[i].t, NULL);
	made = 0;
	gather(&r, res);
	if (res->samples)
		res->mean_skew_ns /= (double)res->samples;
	res->xi_ns =
		(double)res->dmax_ns -
		(double)(res->dmin_ns < res->mu_ns ? res->dmin_ns : res->mu_ns);
	res->diameter = (unsigned)d;
	res->bound_ns = d * (2 * o->kappa * (double)o->period_ns + res->xi_ns);
	res->warm_ns = r.warm_ns;
out:
	for (unsigned i = 0; i < made; i++)
		pthread_join(r.nodes[i].t, NULL);
	pthread_barrier_destroy(&r.bar);
	pthread_mutex_destroy(&r.lock);
	pthread_cond_destroy(&r.cond);
	for (unsigned i = 0; i < r.n; i++) {
		void *w;

		if (r.nodes[i].inbox) {
			while (rc_chan_tryrecv_mpsc(r.nodes[i].inbox, &w))
				free(w);
			rc_chan_destroy(r.nodes[i].inbox);
		}
		_rc_clk_node_destroy(r.nodes[i].clk);
		_rc_clk_node_destroy(r.nodes[i].cal);
		free(r.nodes[i].seen);
	}
	free(r.nodes);
	return rc;
}
