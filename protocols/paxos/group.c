/* SPDX-License-Identifier: MIT */
/* group.c: a Paxos group on real cores (rc_paxos_create and the calls on it): the step machines over the threaded runner, command ids, delivery counters and the property checker. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/clock.h>

#include "protocols/paxos/internal.h"
#include "protocols/run/run.h"

/*
 * The runner (protocols/run/) moves the messages, runs the nodes and
 * waits; this file gives it rc_paxos_node_* as a struct _rc_run_proto and
 * keeps what is Paxos's: each node's step machine, the ids of the
 * commands proposed at it, the count of commands it delivered (which
 * rc_paxos_wait and the Paxos log wait on), the leader it knows, and the
 * property checker fed every proposal and every delivery.
 */

/*
 * A node: read-mostly, then the proposers' counter on a line of its own.
 * The count of delivered commands and the leader hint live in the
 * runner's node (_rc_run_delivered, _rc_run_hint), on the line that the
 * node's next timer shares, as waiters read them together.
 */
struct gnode {
	_Alignas(64) struct rc_paxos *p;
	unsigned id;
	rc_paxos_node_t *px;
	struct rc_paxos_node_stats stats; /* after rc_paxos_stop() */
	/* under the node's lock: a checkpoint is being installed, whose
	 * deliveries px_install counts at once */
	bool installing;
	/* under the node's lock: the rc_paxos_read_index calls waiting for
	 * their answer here */
	struct rd_waiter *readers;
	/* command ids handed out by rc_paxos_propose, and read ids by
	 * rc_paxos_read_index (both kept across a restart) */
	_Alignas(64) _Atomic uint64_t seq;
	_Atomic uint64_t rseq;
};

/*
 * A caller of rc_paxos_read_index, on its stack, linked at its node
 * while it waits. id names its read to the step machine; count is the
 * node's delivered command count when the step machine served the read
 * (io.read), set under the node's lock before answered's release.
 */
struct rd_waiter {
	struct rd_waiter *next;
	struct rc_paxos *p;
	unsigned node;
	uint64_t id, count;
	_Atomic bool answered;
};

struct rc_paxos {
	struct rc_paxos_opts o;
	unsigned n;
	struct _rc_run *run;
	struct gnode *node;
	bool stopped;
	pthread_mutex_t lock; /* serialises the checker */
	struct _rc_pxcheck *check;
	_rc_paxos_after_fn after; /* the Paxos log's, or NULL */
	/* the group of a Paxos log (after_arg set at creation): the log
	 * numbers its nodes' commands, so rc_paxos_reconfigure refuses it
	 * (rc_log_paxos_reconfigure submits with the log's numbers) */
	bool of_log;
	void *after_arg;
	/* nodes being brought back (a bit each): up for the others */
	_Atomic uint64_t restarting;
	/* nodes the failure detector takes for down though they run (a bit
	 * each; _rc_paxos_suspect) */
	_Atomic uint64_t suspected;
};

/* ---- the step machines, as the runner drives them ---- */

static void px_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct rc_paxos *p = ctx;

	rc_paxos_node_recv(p->node[node].px, now, msg);
	if (p->after)
		p->after(p->after_arg, node, p->node[node].px);
}

static void px_tick(void *ctx, unsigned node, uint64_t now)
{
	struct rc_paxos *p = ctx;

	rc_paxos_node_tick(p->node[node].px, now);
	if (p->after)
		p->after(p->after_arg, node, p->node[node].px);
}

static uint64_t px_deadline(void *ctx, unsigned node)
{
	struct rc_paxos *p = ctx;

	return rc_paxos_node_deadline(p->node[node].px);
}

static size_t px_msg_size(const void *msg)
{
	return rc_paxos_msg_size(msg);
}

/*
 * A leader's steady stream (ACCEPT, a DECIDE of one slot) leaves a ring's
 * last quarter free: a follower that fell that far behind catches up
 * with a CATCHUP, whose answer must then still find room. HEARTBEATs are
 * not of that stream: one lost to a full ring makes the follower suspect
 * the leader and stand for election, and there is one a heartbeat period.
 */
static bool px_msg_stream(const void *msg)
{
	const struct rc_paxos_msg *m = msg;

	return m->type == PX_ACCEPT || (m->type == PX_DECIDE && m->nent <= 1);
}

/* Publishes the leader node knows, for rc_paxos_leader. */
static void px_note(void *ctx, unsigned node)
{
	struct rc_paxos *p = ctx;

	_rc_run_hint(p->run, node, _rc_paxos_node_leader(p->node[node].px));
}

static const struct _rc_run_proto paxos_run = {
	.recv = px_recv,
	.tick = px_tick,
	.deadline = px_deadline,
	.msg_size = px_msg_size,
	.msg_stream = px_msg_stream,
	.note = px_note,
};

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct rc_paxos_msg *m)
{
	struct gnode *gn = ctx;

	_rc_run_send(gn->p->run, from, to, m);
}

/*
 * The failure detector of a group with snapshots: the crash switches, and
 * the suspicions a test raises (_rc_paxos_suspect).
 */
static bool io_up(void *ctx, unsigned node, unsigned peer)
{
	struct gnode *gn = ctx;
	/* relaxed: fault switches; the restart bit is ordered before this
	 * step by the node's lock (_rc_paxos_restarting) */
	uint64_t sus =
		atomic_load_explicit(&gn->p->suspected, memory_order_relaxed);

	(void)node;
	return (!_rc_run_crashed(gn->p->run, peer) && !(sus >> peer & 1)) ||
	       (atomic_load_explicit(&gn->p->restarting,
				     memory_order_relaxed) >>
			peer &
		1);
}

static void io_deliver(void *ctx, unsigned node, uint64_t slot,
		       const struct rc_paxos_cmd *cmds, unsigned n)
{
	struct gnode *gn = ctx;
	struct rc_paxos *p = gn->p;

	if (p->check) {
		pthread_mutex_lock(&p->lock);
		_rc_pxcheck_deliver(p->check, node, slot, cmds, n);
		pthread_mutex_unlock(&p->lock);
	}
	if (p->o.deliver)
		p->o.deliver(p->o.arg, node, slot, cmds, n);
	/* A release of the callback's effects to rc_paxos_delivered; an
	 * install counts its deliveries once it is done (px_install). */
	if (!gn->installing)
		_rc_run_delivered(p->run, node, n);
}

/*
 * Read `id` may be served at node: the step machine delivered the slots
 * up to its index, and its command count now is the read's index in
 * commands, the unit of rc_paxos_delivered (the same at every node for
 * the same point of the order). A read whose waiter gave up is no
 * longer linked: nothing to do.
 */
static void io_read(void *ctx, unsigned node, uint64_t id, uint64_t index)
{
	struct gnode *gn = ctx;
	struct rc_paxos_node_stats st;

	(void)index;
	for (struct rd_waiter **w = &gn->readers; *w; w = &(*w)->next) {
		if ((*w)->id != id)
			continue;
		rc_paxos_node_stats(gn->px, &st);
		(*w)->count = st.commands;
		/* release: count before the flag; pairs with the acquire in
		 * rd_ready */
		atomic_store_explicit(&(*w)->answered, true,
				      memory_order_release);
		*w = (*w)->next;
		/* The waiter may be parked with nothing delivered now. */
		_rc_run_signal(gn->p->run, node);
		return;
	}
}

/* ---- the group ---- */

int rc_paxos_create(rc_paxos_t **out, const struct rc_paxos_opts *opts,
		    rc_err_t *err)
{
	return _rc_paxos_create_after(out, opts, NULL, NULL, err);
}

int _rc_paxos_create_after(rc_paxos_t **out, const struct rc_paxos_opts *opts,
			   _rc_paxos_after_fn after, void *after_arg,
			   rc_err_t *err)
{
	const struct rc_paxos_faults *f = &opts->faults;
	struct _rc_run_opts ro;
	struct rc_paxos *p;
	int r = rc_paxos_config_check(&opts->cfg, err);

	if (r < 0)
		return r;
	if (opts->runner != RC_PAXOS_RUN_CALLERS &&
	    opts->runner != RC_PAXOS_RUN_THREADS)
		return rc_err_set(err, RC_EINVAL, "runner", 0, 0,
				  "unknown runner %d", (int)opts->runner);
	if (!rc_wait_policy_name(opts->wait))
		return rc_err_set(err, RC_EINVAL, "wait", 0, 0,
				  "unknown wait policy %d", (int)opts->wait);
	if (opts->fault_ns != 0 && f->crash > (opts->cfg.nodes - 1) / 2)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no majority of %u nodes",
				  f->crash, opts->cfg.nodes);
	p = calloc(1, sizeof *p);
	if (!p)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	p->o = *opts;
	p->n = opts->cfg.nodes;
	p->after = after;
	p->after_arg = after_arg;
	p->of_log = after_arg != NULL;
	pthread_mutex_init(&p->lock, NULL);
	p->node = aligned_alloc(64, p->n * sizeof *p->node);
	if (!p->node) {
		pthread_mutex_destroy(&p->lock);
		free(p);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memset(p->node, 0, p->n * sizeof *p->node);
	memset(&ro, 0, sizeof ro);
	ro.nodes = p->n;
	ro.seed = opts->cfg.seed;
	ro.drop = f->drop;
	ro.dup = f->dup;
	ro.delay = f->delay;
	ro.crash = f->crash;
	ro.stall = f->stall;
	ro.fault_ns = opts->fault_ns;
	ro.topo = opts->topo;
	ro.threads = opts->runner == RC_PAXOS_RUN_THREADS;
	ro.wait = opts->wait;
	r = _rc_run_create(&p->run, &paxos_run, p, &ro, err);
	if (r < 0)
		goto fail;
	if (opts->check) {
		p->check = _rc_pxcheck_create(p->n);
		if (!p->check) {
			r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
				       "out of memory");
			goto fail;
		}
	}
	for (unsigned i = 0; i < p->n; i++) {
		struct gnode *gn = &p->node[i];
		struct rc_paxos_io io = {
			gn,	    io_send,
			io_deliver, opts->snapshots ? io_up : NULL,
			NULL,	    io_read
		};

		gn->p = p;
		gn->id = i;
		r = rc_paxos_node_create(&gn->px, &opts->cfg, i, &io,
					 rc_clock_now_ns(), err);
		if (r < 0)
			goto fail;
		_rc_run_note(p->run, i);
	}
	r = _rc_run_start(p->run, err);
	if (r < 0)
		goto fail;
	*out = p;
	return 0;
fail:
	rc_paxos_destroy(p);
	return r;
}

void rc_paxos_stop(rc_paxos_t *p)
{
	if (p->stopped)
		return;
	if (p->run) {
		_rc_run_stop(p->run);
		for (unsigned i = 0; i < p->n; i++)
			if (p->node[i].px) {
				/* No runner is left: the lock orders the
				 * last caller's runs before these reads. */
				_rc_run_lock(p->run, i);
				rc_paxos_node_stats(p->node[i].px,
						    &p->node[i].stats);
				p->node[i].stats.lost = _rc_run_lost(p->run, i);
				_rc_run_unlock(p->run, i);
			}
	}
	p->stopped = true;
}

void rc_paxos_destroy(rc_paxos_t *p)
{
	if (!p)
		return;
	rc_paxos_stop(p);
	_rc_run_destroy(p->run);
	for (unsigned i = 0; i < p->n; i++)
		rc_paxos_node_destroy(p->node[i].px);
	_rc_pxcheck_destroy(p->check);
	pthread_mutex_destroy(&p->lock);
	free(p->node);
	free(p);
}

/* ---- the interface of the Paxos log (protocols/paxos/internal.h) ---- */

void _rc_paxos_lock(rc_paxos_t *p, unsigned node)
{
	_rc_run_lock(p->run, node);
}

void _rc_paxos_unlock(rc_paxos_t *p, unsigned node)
{
	_rc_run_unlock(p->run, node);
}

int _rc_paxos_submit_locked(rc_paxos_t *p, unsigned node,
			    struct rc_paxos_cmd *c, unsigned k)
{
	struct gnode *gn = &p->node[node];
	uint64_t now;

	if (_rc_run_crashed(p->run, node))
		return -RC_EAGAIN;
	for (unsigned i = 0; i < k; i++) {
		/* relaxed: a unique number is all it gives */
		if (!c[i].id)
			c[i].id = RC_PAXOS_ID(
				node,
				atomic_fetch_add_explicit(
					&gn->seq, 1, memory_order_relaxed) +
					1);
	}
	if (p->check) {
		pthread_mutex_lock(&p->lock);
		for (unsigned i = 0; i < k; i++)
			_rc_pxcheck_proposed(p->check, &c[i]);
		pthread_mutex_unlock(&p->lock);
	}
	now = rc_clock_now_ns();
	/* Out of memory for the node's own list of commands: none of them
	 * was taken. */
	if (rc_paxos_node_submitv(gn->px, now, c, k, NULL) < k)
		return -RC_ENOMEM;
	if (p->after)
		p->after(p->after_arg, node, gn->px);
	/* The callers runner: the leader proposes at once, unless the node
	 * is stalled. */
	_rc_run_submitted(p->run, node, now);
	return 0;
}

bool _rc_paxos_await(rc_paxos_t *p, unsigned node, uint64_t timeout_ns,
		     bool (*cond)(void *), void *arg, void (*help)(void *),
		     void *help_arg)
{
	return _rc_run_await(p->run, node, timeout_ns, cond, arg, help,
			     help_arg);
}

unsigned _rc_paxos_progress(rc_paxos_t *p, unsigned node, unsigned pass)
{
	return _rc_run_progress(p->run, node, pass);
}

void _rc_paxos_compact(rc_paxos_t *p, unsigned node, uint64_t slot)
{
	_rc_run_lock(p->run, node);
	rc_paxos_node_compact(p->node[node].px, slot);
	_rc_run_unlock(p->run, node);
}

void _rc_paxos_restarting(rc_paxos_t *p, unsigned node, bool on)
{
	if (!on) {
		/* relaxed: node is no longer crashed, which io_up reads
		 * first; the bit only mattered while it was */
		atomic_fetch_and_explicit(&p->restarting, ~(1ull << node),
					  memory_order_relaxed);
		return;
	}
	/* relaxed: published by the node locks taken below */
	atomic_fetch_or_explicit(&p->restarting, 1ull << node,
				 memory_order_relaxed);
	/* Each other node's next step (after its lock, which orders it
	 * after the bit) sees node up, with its point as 0 until it hears
	 * from it: no base rises any more meanwhile. */
	for (unsigned i = 0; i < p->n; i++) {
		if (i == node)
			continue;
		_rc_run_lock(p->run, i);
		_rc_paxos_node_peer_down(p->node[i].px, node);
		_rc_run_unlock(p->run, i);
	}
}

void _rc_paxos_suspect(rc_paxos_t *p, unsigned node, bool on)
{
	/* relaxed: a fault switch, no data (as rc_paxos_crash's) */
	if (on)
		atomic_fetch_or_explicit(&p->suspected, 1ull << node,
					 memory_order_relaxed);
	else
		atomic_fetch_and_explicit(&p->suspected, ~(1ull << node),
					  memory_order_relaxed);
}

void _rc_paxos_stats_now(rc_paxos_t *p, unsigned node,
			 struct rc_paxos_node_stats *s)
{
	_rc_run_lock(p->run, node);
	rc_paxos_node_stats(p->node[node].px, s);
	_rc_run_unlock(p->run, node);
}

uint64_t _rc_paxos_base_now(rc_paxos_t *p, unsigned node)
{
	uint64_t b;

	_rc_run_lock(p->run, node);
	b = _rc_paxos_node_base(p->node[node].px);
	_rc_run_unlock(p->run, node);
	return b;
}

uint64_t _rc_paxos_behind_locked(rc_paxos_t *p, unsigned node)
{
	return rc_paxos_node_behind(p->node[node].px);
}

bool _rc_paxos_has_locked(rc_paxos_t *p, unsigned node, uint64_t id)
{
	return _rc_paxos_node_has(p->node[node].px, id);
}

bool _rc_paxos_crashed(const rc_paxos_t *p, unsigned node)
{
	return _rc_run_crashed(p->run, node);
}

/*
 * Under node's lock: step machine nx of node (the node's own, or a new
 * one replacing it) continues from checkpoint ck (NULL: none, from slot
 * 0), and the node's count of delivered commands (rc_paxos_delivered)
 * becomes what nx has delivered in all: the checkpoint's commands and
 * those the install delivered after it, the count every node has at that
 * point of the log. The checker learns the point first, since the
 * install may deliver the slots after it that the node already knew.
 */
static int px_install(struct rc_paxos *p, unsigned node, rc_paxos_node_t *nx,
		      const void *ck, size_t len)
{
	struct gnode *gn = &p->node[node];
	struct rc_paxos_node_stats st;
	int r = 0;

	if (p->check) {
		pthread_mutex_lock(&p->lock);
		_rc_pxcheck_install(p->check, node,
				    ck ? rc_paxos_checkpoint_slot(ck, len) : 0);
		pthread_mutex_unlock(&p->lock);
	}
	gn->installing = true;
	if (ck)
		r = rc_paxos_node_install(nx, ck, len);
	gn->installing = false;
	if (r < 0)
		return r;
	rc_paxos_node_stats(nx, &st);
	_rc_run_set_count(p->run, node, st.commands);
	return 0;
}

int _rc_paxos_install_locked(rc_paxos_t *p, unsigned node, const void *ck,
			     size_t len)
{
	struct rc_paxos_node_stats st;
	int r;

	rc_paxos_node_stats(p->node[node].px, &st);
	if (_rc_run_crashed(p->run, node) ||
	    rc_paxos_checkpoint_slot(ck, len) <= st.delivered)
		return -RC_EINVAL;
	r = px_install(p, node, p->node[node].px, ck, len);
	if (r == 0)
		_rc_run_note(p->run, node);
	return r;
}

int _rc_paxos_restart_locked(rc_paxos_t *p, unsigned node, const void *ck,
			     size_t len)
{
	struct gnode *gn = &p->node[node];
	struct rc_paxos_io io = { gn,	      io_send,
				  io_deliver, p->o.snapshots ? io_up : NULL,
				  NULL,	      io_read };
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_paxos_node_t *nx;
	size_t alen = rc_paxos_node_acceptor(gn->px, NULL, 0);
	void *acc = malloc(alen);
	int r;

	if (!_rc_run_crashed(p->run, node))
		return -RC_EINVAL;
	if (!acc)
		return -RC_ENOMEM;
	rc_paxos_node_acceptor(gn->px, acc, alen);
	r = rc_paxos_node_create(&nx, &p->o.cfg, node, &io, rc_clock_now_ns(),
				 &err);
	if (r == 0)
		r = rc_paxos_node_replay(nx, acc, alen);
	if (r == 0)
		r = px_install(p, node, nx, ck, len);
	free(acc);
	if (r < 0) {
		rc_paxos_node_destroy(nx);
		return r;
	}
	rc_paxos_node_destroy(gn->px);
	gn->px = nx;
	_rc_run_restart(p->run, node);
	_rc_run_note(p->run, node);
	return 0;
}

unsigned _rc_paxos_parked(rc_paxos_t *p, unsigned node)
{
	return _rc_run_parked(p->run, node);
}

/* ---- the public calls ---- */

int rc_paxos_proposev(rc_paxos_t *p, unsigned node,
		      const struct rc_paxos_cmd *c, unsigned k, uint64_t *ids)
{
	struct rc_paxos_cmd buf[64];
	int r = 0;

	if (node >= p->n || (!c && k))
		return -RC_EINVAL;
	for (unsigned done = 0; done < k && r == 0;) {
		unsigned m = k - done < 64 ? k - done : 64;

		memcpy(buf, c + done, m * sizeof *buf);
		for (unsigned i = 0; i < m; i++)
			buf[i].pad = 0; /* the Paxos log's word (log.c) */
		_rc_run_lock(p->run, node);
		r = _rc_paxos_submit_locked(p, node, buf, m);
		_rc_run_unlock(p->run, node);
		if (r == 0 && ids)
			for (unsigned i = 0; i < m; i++)
				ids[done + i] = buf[i].id;
		done += m;
	}
	return r;
}

int rc_paxos_propose(rc_paxos_t *p, unsigned node, const struct rc_paxos_cmd *c,
		     uint64_t *id)
{
	if (!c)
		return -RC_EINVAL;
	return rc_paxos_proposev(p, node, c, 1, id);
}

uint64_t rc_paxos_delivered(const rc_paxos_t *p, unsigned node)
{
	/* An acquire: pairs with the release in io_deliver. */
	return _rc_run_count(p->run, node);
}

struct count_cond {
	const rc_paxos_t *p;
	unsigned node;
	uint64_t count;
};

static bool count_reached(void *arg)
{
	struct count_cond *c = arg;

	return rc_paxos_delivered(c->p, c->node) >= c->count;
}

int rc_paxos_wait(const rc_paxos_t *p, unsigned node, uint64_t count,
		  uint64_t timeout_ns)
{
	struct count_cond c = { p, node, count };

	if (node >= p->n)
		return -RC_EINVAL;
	/* The group is not changed by waiting on it, only run. */
	return _rc_paxos_await((rc_paxos_t *)p, node, timeout_ns, count_reached,
			       &c, NULL, NULL)
		       ? 0
		       : -RC_ETIMEDOUT;
}

/* A read index's wait: answered and delivered here, or the node crashed. */
static bool rd_ready(void *arg)
{
	struct rd_waiter *w = arg;

	/* acquire: pairs with the release in io_read, so count is set */
	if (atomic_load_explicit(&w->answered, memory_order_acquire))
		return rc_paxos_delivered(w->p, w->node) >= w->count;
	return _rc_run_crashed(w->p->run, w->node);
}

int _rc_paxos_read_index(rc_paxos_t *p, unsigned node, uint64_t timeout_ns,
			 uint64_t *index, void (*help)(void *), void *help_arg)
{
	struct gnode *gn;
	struct rd_waiter w;
	uint64_t now;
	int r;

	if (node >= p->n || !index)
		return -RC_EINVAL;
	gn = &p->node[node];
	memset(&w, 0, sizeof w);
	w.p = p;
	w.node = node;
	/* relaxed: a unique number is all it gives */
	w.id = atomic_fetch_add_explicit(&gn->rseq, 1, memory_order_relaxed) +
	       1;
	_rc_run_lock(p->run, node);
	if (_rc_run_crashed(p->run, node)) {
		_rc_run_unlock(p->run, node);
		return -RC_EAGAIN;
	}
	w.next = gn->readers;
	gn->readers = &w;
	now = rc_clock_now_ns();
	r = rc_paxos_node_read(gn->px, now, w.id);
	if (r < 0) {
		gn->readers = w.next;
		_rc_run_unlock(p->run, node);
		return r;
	}
	if (p->after)
		p->after(p->after_arg, node, gn->px);
	/* The callers runner: the node's timers run if due; a node thread
	 * is woken. */
	_rc_run_submitted(p->run, node, now);
	_rc_run_unlock(p->run, node);
	_rc_paxos_await(p, node, timeout_ns, rd_ready, &w, help, help_arg);
	/* Unlinked by io_read once answered; else by us, under the lock
	 * io_read runs under. The step machine keeps asking for the index
	 * and drops it once served (io_read then finds no waiter). */
	_rc_run_lock(p->run, node);
	/* relaxed: under the lock io_read sets it under */
	if (!atomic_load_explicit(&w.answered, memory_order_relaxed))
		for (struct rd_waiter **q = &gn->readers; *q; q = &(*q)->next)
			if (*q == &w) {
				*q = w.next;
				break;
			}
	_rc_run_unlock(p->run, node);
	/* relaxed: the lock just taken ordered io_read's writes */
	if (atomic_load_explicit(&w.answered, memory_order_relaxed) &&
	    rc_paxos_delivered(p, node) >= w.count) {
		*index = w.count;
		return 0;
	}
	return _rc_run_crashed(p->run, node) ? -RC_EAGAIN : -RC_ETIMEDOUT;
}

int rc_paxos_read_index(rc_paxos_t *p, unsigned node, uint64_t timeout_ns,
			uint64_t *index)
{
	return _rc_paxos_read_index(p, node, timeout_ns, index, NULL, NULL);
}

int rc_paxos_poll(rc_paxos_t *p, unsigned node)
{
	if (node >= p->n)
		return -RC_EINVAL;
	return _rc_run_poll(p->run, node);
}

int rc_paxos_stall(rc_paxos_t *p, unsigned node, uint64_t ns)
{
	if (node >= p->n)
		return -RC_EINVAL;
	_rc_run_stall(p->run, node, ns);
	return 0;
}

int rc_paxos_crash(rc_paxos_t *p, unsigned node)
{
	if (node >= p->n)
		return -RC_EINVAL;
	_rc_run_crash(p->run, node);
	return 0;
}

int rc_paxos_partition(rc_paxos_t *p, uint64_t side, uint64_t ns)
{
	uint64_t all = p->n == 64 ? ~0ull : (1ull << p->n) - 1;

	if ((side & ~all) != 0 || side == 0 || side == all)
		return -RC_EINVAL;
	_rc_run_partition(p->run, side, ns);
	return 0;
}

void rc_paxos_heal(rc_paxos_t *p)
{
	_rc_run_heal(p->run);
}

uint64_t rc_paxos_doomed(const rc_paxos_t *p)
{
	return _rc_run_doomed(p->run);
}

unsigned rc_paxos_leader(const rc_paxos_t *p, unsigned node)
{
	return _rc_run_hint_get(p->run, node);
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
		/* after the joins */
		if (!_rc_run_crashed(p->run, i))
			live |= 1ull << i;
	return _rc_pxcheck_final(p->check, live, NULL, NULL, why, len);
}

void rc_paxos_stats(const rc_paxos_t *p, unsigned node,
		    struct rc_paxos_node_stats *s)
{
	*s = p->node[node].stats;
}

int rc_paxos_reconfigure(rc_paxos_t *p, unsigned node, uint64_t members,
			 uint64_t *id)
{
	struct rc_paxos_cmd c = { 0, 0, members, RC_PAXOS_TAG_CONFIG, 0 };

	if (!p->o.cfg.alpha || members == 0 || (members >> p->n) != 0 ||
	    p->of_log)
		return -RC_EINVAL;
	return rc_paxos_propose(p, node, &c, id);
}
