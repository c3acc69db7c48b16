/* SPDX-License-Identifier: MIT */
/* paxos_thread.c: a Paxos group with one pinned thread per node, messages over rc_chan inboxes, faults from a seed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <replicore/chan.h>
#include <replicore/clock.h>

#include "runtime/paxos_int.h"
#include "runtime/wait.h"

/*
 * Each node's thread owns its rc_paxos_node and is the only one to call
 * it; everything reaches it through its MPSC inbox, whose send (release)
 * and receive (acquire) order the message bytes. A message in flight is a
 * heap copy (struct env, then the message) handed over by pointer; the
 * receiver frees it. The sender draws the faults from its own seeded
 * stream: drop (never sent), duplicate (sent twice), delay (the receiver
 * holds it until its due time, so later messages overtake it). A full
 * inbox drops the message, as a lossy network would.
 */

#define INBOX 4096
#define BURST 64	   /* messages handled between two ticks */
#define NAP_NS 1000000ull  /* longest idle wait */
#define DELAY_NS 200000ull /* a delayed message's extra time, at most */

enum { ENV_MSG, ENV_SUBMIT };

struct env {
	uint32_t kind, pad;
	uint64_t due;
	struct rc_paxos_cmd cmd; /* ENV_SUBMIT */
				 /* ENV_MSG: the message follows */
};

struct pnode {
	_Alignas(64) struct rc_paxos *p;
	unsigned id, pu;
	rc_paxos_node_t *px;
	rc_chan_t *inbox;
	pthread_t th;
	bool started;
	uint64_t rng;
	struct env **delayed;
	unsigned ndelayed, delayed_cap;
	/* written by others: relaxed, they carry no data */
	_Alignas(64) _Atomic bool crashed;
	_Atomic uint64_t stall_until;
	_Atomic uint64_t seq; /* command ids handed out by rc_paxos_propose */
	/* written by the node's thread, read by others */
	_Alignas(64) _Atomic uint64_t delivered;
	_Atomic unsigned leader;
	struct rc_paxos_node_stats stats; /* after rc_paxos_stop() */
};

/* One crash or stall of the seeded schedule. */
struct fault {
	uint64_t at, ns; /* from the start; a stall's length (0: crash) */
	unsigned node;
};

struct rc_paxos {
	struct rc_paxos_opts o;
	unsigned n;
	/* the seeded crash/stall schedule, run by its own thread */
	struct fault *faults;
	unsigned nfaults;
	uint64_t doomed, t0;
	pthread_t fault_th;
	bool fault_started;
	rc_topo_t *own_topo;
	const rc_topo_t *topo;
	struct pnode *node;
	_Alignas(64) _Atomic bool stop;
	bool stopped;
	pthread_mutex_t lock; /* serialises the checker */
	struct _rc_pxcheck *check;
};

static void put(struct pnode *to, struct env *e)
{
	if (!rc_chan_trysend(to->inbox, e))
		free(e);
}

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct rc_paxos_msg *m)
{
	struct pnode *pn = ctx;
	struct rc_paxos *p = pn->p;
	const struct rc_paxos_faults *f = &p->o.faults;
	struct env *e;
	int copies = 1;

	if (f->drop > 0 && _rc_px_unit(&pn->rng) < f->drop)
		return;
	if (f->dup > 0 && _rc_px_unit(&pn->rng) < f->dup)
		copies = 2;
	while (copies-- > 0) {
		e = malloc(sizeof *e + m->size);
		if (!e)
			return;
		memset(e, 0, sizeof *e);
		e->kind = ENV_MSG;
		if (f->delay > 0 && _rc_px_unit(&pn->rng) < f->delay)
			e->due = rc_clock_now_ns() +
				 _rc_px_rand(&pn->rng) % DELAY_NS;
		memcpy(e + 1, m, m->size);
		put(&p->node[to], e);
	}
	(void)from;
}

static void io_deliver(void *ctx, unsigned node, uint64_t slot,
		       const struct rc_paxos_cmd *cmds, unsigned n)
{
	struct pnode *pn = ctx;
	struct rc_paxos *p = pn->p;

	if (p->check) {
		pthread_mutex_lock(&p->lock);
		_rc_pxcheck_deliver(p->check, node, slot, cmds, n);
		pthread_mutex_unlock(&p->lock);
	}
	if (p->o.deliver)
		p->o.deliver(p->o.arg, node, slot, cmds, n);
	/*
	 * release: the callback's effects happen before a reader that sees
	 * the new count; pairs with the acquire in rc_paxos_delivered. Only
	 * this thread writes the counter.
	 */
	atomic_store_explicit(
		&pn->delivered,
		atomic_load_explicit(&pn->delivered, memory_order_relaxed) + n,
		memory_order_release);
}

static void handle(struct pnode *pn, struct env *e, uint64_t now)
{
	if (e->kind == ENV_MSG) {
		rc_paxos_node_recv(pn->px, now,
				   (const struct rc_paxos_msg *)(e + 1));
	} else {
		rc_paxos_node_submit(pn->px, now, &e->cmd);
	}
	free(e);
}

static void hold(struct pnode *pn, struct env *e)
{
	if (pn->ndelayed == pn->delayed_cap) {
		unsigned nc = pn->delayed_cap ? 2 * pn->delayed_cap : 64;
		void *nd = realloc(pn->delayed, nc * sizeof *pn->delayed);

		if (!nd) {
			free(e);
			return;
		}
		pn->delayed = nd;
		pn->delayed_cap = nc;
	}
	pn->delayed[pn->ndelayed++] = e;
}

static void nap(uint64_t ns)
{
	struct timespec ts = { 0, (long)ns };

	nanosleep(&ts, NULL);
}

static void *node_main(void *arg)
{
	struct pnode *pn = arg;
	struct rc_paxos *p = pn->p;
	rc_err_t err = RC_ERR_INITIALIZER;
	void *m;

	(void)rc_topo_pin(p->topo, pn->pu, &err); /* best effort */
	/* relaxed: the flag carries no data; the join orders the results */
	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		uint64_t now = rc_clock_now_ns(), d, su;
		unsigned k = 0;
		struct rc_paxos_node_stats st;

		/* relaxed: fault switches, no data travels with them */
		if (atomic_load_explicit(&pn->crashed, memory_order_relaxed)) {
			while (rc_chan_tryrecv(pn->inbox, &m))
				free(m);
			nap(NAP_NS);
			continue;
		}
		su = atomic_load_explicit(&pn->stall_until,
					  memory_order_relaxed);
		if (now < su) {
			nap(su - now < NAP_NS ? su - now : NAP_NS);
			continue;
		}
		for (unsigned i = 0; i < pn->ndelayed;) {
			if (pn->delayed[i]->due <= now) {
				struct env *e = pn->delayed[i];

				pn->delayed[i] = pn->delayed[--pn->ndelayed];
				handle(pn, e, now);
			} else {
				i++;
			}
		}
		while (k < BURST && rc_chan_tryrecv(pn->inbox, &m)) {
			struct env *e = m;

			k++;
			if (e->due > now)
				hold(pn, e);
			else
				handle(pn, e, now);
		}
		now = rc_clock_now_ns();
		if (rc_paxos_node_deadline(pn->px) <= now)
			rc_paxos_node_tick(pn->px, now);
		rc_paxos_node_stats(pn->px, &st);
		/* relaxed: a hint for readers, no data */
		atomic_store_explicit(&pn->leader,
				      RC_PAXOS_BALLOT_OWNER(st.ballot),
				      memory_order_relaxed);
		if (k > 0)
			continue;
		d = rc_paxos_node_deadline(pn->px);
		for (unsigned i = 0; i < pn->ndelayed; i++)
			if (pn->delayed[i]->due < d)
				d = pn->delayed[i]->due;
		if (d <= now)
			continue;
		if (rc_chan_recv_timed(pn->inbox, &m,
				       d - now < NAP_NS ? d - now : NAP_NS) ==
		    0) {
			struct env *e = m;

			now = rc_clock_now_ns();
			if (e->due > now)
				hold(pn, e);
			else
				handle(pn, e, now);
		}
	}
	return NULL;
}

static int cmp_fault(const void *a, const void *b)
{
	const struct fault *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* Draws the crash/stall schedule from the seed. */
static int plan_faults(struct rc_paxos *p, rc_err_t *err)
{
	const struct rc_paxos_faults *f = &p->o.faults;
	uint64_t rng = p->o.cfg.seed ^ 0xfa017fa017ull, span = p->o.fault_ns;

	if (span == 0 || (f->crash == 0 && f->stall == 0))
		return 0;
	if (f->crash > (p->n - 1) / 2)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no majority of %u nodes",
				  f->crash, p->n);
	p->faults = calloc(f->crash + f->stall, sizeof *p->faults);
	if (!p->faults)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	for (unsigned k = 0; k < f->crash; k++) {
		struct fault *x = &p->faults[p->nfaults++];

		do
			x->node = (unsigned)(_rc_px_rand(&rng) % p->n);
		while (p->doomed >> x->node & 1);
		p->doomed |= 1ull << x->node;
		x->at = _rc_px_rand(&rng) % span;
	}
	for (unsigned k = 0; k < f->stall; k++) {
		struct fault *x = &p->faults[p->nfaults++];

		x->node = (unsigned)(_rc_px_rand(&rng) % p->n);
		x->at = _rc_px_rand(&rng) % span;
		x->ns = 1 + _rc_px_rand(&rng) % (span / 4 + 1);
	}
	qsort(p->faults, p->nfaults, sizeof *p->faults, cmp_fault);
	return 0;
}

/* The fault thread: applies the schedule at its times. */
static void *fault_main(void *arg)
{
	struct rc_paxos *p = arg;

	for (unsigned k = 0; k < p->nfaults; k++) {
		const struct fault *x = &p->faults[k];

		/* relaxed: the flag carries no data */
		while (rc_clock_now_ns() - p->t0 < x->at)
			if (atomic_load_explicit(&p->stop,
						 memory_order_relaxed))
				return NULL;
			else
				nap(NAP_NS);
		if (x->ns)
			rc_paxos_stall(p, x->node, x->ns);
		else
			rc_paxos_crash(p, x->node);
	}
	return NULL;
}

int rc_paxos_create(rc_paxos_t **out, const struct rc_paxos_opts *opts,
		    rc_err_t *err)
{
	struct rc_paxos *p;
	unsigned *pus;
	int r = rc_paxos_config_check(&opts->cfg, err);

	if (r < 0)
		return r;
	p = calloc(1, sizeof *p);
	if (!p)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	p->o = *opts;
	p->n = opts->cfg.nodes;
	pthread_mutex_init(&p->lock, NULL);
	p->node = aligned_alloc(64, p->n * sizeof *p->node);
	pus = calloc(p->n, sizeof *pus);
	if (!p->node || !pus) {
		free(pus);
		free(p->node);
		free(p);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memset(p->node, 0, p->n * sizeof *p->node);
	p->topo = opts->topo;
	if (!p->topo) {
		r = rc_topo_open(&p->own_topo, NULL, NULL, err);
		if (r < 0)
			goto fail;
		p->topo = p->own_topo;
	}
	if (opts->check) {
		p->check = _rc_pxcheck_create(p->n);
		if (!p->check) {
			r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
				       "out of memory");
			goto fail;
		}
	}
	r = plan_faults(p, err);
	if (r < 0)
		goto fail;
	rc_topo_spread(p->topo, p->n, pus);
	for (unsigned i = 0; i < p->n; i++) {
		struct pnode *pn = &p->node[i];
		struct rc_paxos_io io = { pn, io_send, io_deliver };

		pn->p = p;
		pn->id = i;
		pn->pu = pus[i];
		pn->rng = opts->cfg.seed * 0x2545f4914f6cdd1dull + i;
		r = rc_chan_create(&pn->inbox, RC_CHAN_MPSC, INBOX, err);
		if (r < 0)
			goto fail;
		r = rc_paxos_node_create(&pn->px, &opts->cfg, i, &io,
					 rc_clock_now_ns(), err);
		if (r < 0)
			goto fail;
	}
	for (unsigned i = 0; i < p->n; i++) {
		if (pthread_create(&p->node[i].th, NULL, node_main,
				   &p->node[i]) != 0) {
			r = rc_err_set(err, RC_ESYS, NULL, 0, 0,
				       "cannot create node thread %u", i);
			goto fail;
		}
		p->node[i].started = true;
	}
	p->t0 = rc_clock_now_ns();
	if (p->nfaults > 0) {
		if (pthread_create(&p->fault_th, NULL, fault_main, p) != 0) {
			r = rc_err_set(err, RC_ESYS, NULL, 0, 0,
				       "cannot create the fault thread");
			goto fail;
		}
		p->fault_started = true;
	}
	free(pus);
	*out = p;
	return 0;
fail:
	free(pus);
	rc_paxos_destroy(p);
	return r;
}

void rc_paxos_stop(rc_paxos_t *p)
{
	if (p->stopped)
		return;
	/* relaxed: the joins below order everything the threads did */
	atomic_store_explicit(&p->stop, true, memory_order_relaxed);
	if (p->fault_started)
		pthread_join(p->fault_th, NULL);
	for (unsigned i = 0; i < p->n; i++)
		if (p->node[i].started)
			pthread_join(p->node[i].th, NULL);
	for (unsigned i = 0; i < p->n; i++)
		if (p->node[i].px)
			rc_paxos_node_stats(p->node[i].px, &p->node[i].stats);
	p->stopped = true;
}

void rc_paxos_destroy(rc_paxos_t *p)
{
	void *m;

	if (!p)
		return;
	rc_paxos_stop(p);
	for (unsigned i = 0; i < p->n; i++) {
		struct pnode *pn = &p->node[i];

		if (pn->inbox) {
			while (rc_chan_tryrecv(pn->inbox, &m))
				free(m);
			rc_chan_destroy(pn->inbox);
		}
		for (unsigned k = 0; k < pn->ndelayed; k++)
			free(pn->delayed[k]);
		free(pn->delayed);
		rc_paxos_node_destroy(pn->px);
	}
	_rc_pxcheck_destroy(p->check);
	free(p->faults);
	pthread_mutex_destroy(&p->lock);
	rc_topo_close(p->own_topo);
	free(p->node);
	free(p);
}

int rc_paxos_propose(rc_paxos_t *p, unsigned node, const struct rc_paxos_cmd *c,
		     uint64_t *id)
{
	struct env *e;

	if (node >= p->n || !c)
		return -RC_EINVAL;
	/* relaxed: a fault switch, no data */
	if (atomic_load_explicit(&p->node[node].crashed, memory_order_relaxed))
		return -RC_EAGAIN;
	e = malloc(sizeof *e);
	if (!e)
		return -RC_ENOMEM;
	memset(e, 0, sizeof *e);
	e->kind = ENV_SUBMIT;
	e->cmd = *c;
	e->cmd.pad = 0;
	/* relaxed: a unique number is all it gives; the send publishes it */
	if (!c->id)
		e->cmd.id = RC_PAXOS_ID(
			node, atomic_fetch_add_explicit(&p->node[node].seq, 1,
							memory_order_relaxed) +
				      1);
	if (id)
		*id = e->cmd.id;
	if (p->check) {
		pthread_mutex_lock(&p->lock);
		_rc_pxcheck_proposed(p->check, &e->cmd);
		pthread_mutex_unlock(&p->lock);
	}
	rc_chan_send(p->node[node].inbox, e);
	return 0;
}

uint64_t rc_paxos_delivered(const rc_paxos_t *p, unsigned node)
{
	/* acquire: pairs with the release in io_deliver */
	return atomic_load_explicit(&p->node[node].delivered,
				    memory_order_acquire);
}

int rc_paxos_wait(const rc_paxos_t *p, unsigned node, uint64_t count,
		  uint64_t timeout_ns)
{
	struct _rc_wait w;

	_rc_wait_init(&w, timeout_ns);
	while (rc_paxos_delivered(p, node) < count)
		if (!_rc_wait_step(&w))
			return -RC_ETIMEDOUT;
	return 0;
}

int rc_paxos_stall(rc_paxos_t *p, unsigned node, uint64_t ns)
{
	if (node >= p->n)
		return -RC_EINVAL;
	/* relaxed: a fault switch, no data */
	atomic_store_explicit(&p->node[node].stall_until,
			      rc_clock_now_ns() + ns, memory_order_relaxed);
	return 0;
}

int rc_paxos_crash(rc_paxos_t *p, unsigned node)
{
	if (node >= p->n)
		return -RC_EINVAL;
	/* relaxed: a fault switch, no data */
	atomic_store_explicit(&p->node[node].crashed, true,
			      memory_order_relaxed);
	return 0;
}

uint64_t rc_paxos_doomed(const rc_paxos_t *p)
{
	return p->doomed;
}

unsigned rc_paxos_leader(const rc_paxos_t *p, unsigned node)
{
	/* relaxed: a hint */
	return atomic_load_explicit(&p->node[node].leader,
				    memory_order_relaxed);
}

unsigned rc_paxos_verify(rc_paxos_t *p, char *why, size_t len)
{
	uint64_t live = 0;

	if (!p->check) {
		if (why && len)
			snprintf(why, len,
				 "the group was created without "
				 "check");
		return RC_PAXOS_LIVENESS;
	}
	rc_paxos_stop(p);
	for (unsigned i = 0; i < p->n; i++)
		/* relaxed: after the joins */
		if (!atomic_load_explicit(&p->node[i].crashed,
					  memory_order_relaxed))
			live |= 1ull << i;
	return _rc_pxcheck_final(p->check, live, NULL, NULL, why, len);
}

void rc_paxos_stats(const rc_paxos_t *p, unsigned node,
		    struct rc_paxos_node_stats *s)
{
	*s = p->node[node].stats;
}
