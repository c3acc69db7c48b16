/* SPDX-License-Identifier: MIT */
/* log.c: the operation log (replicore/log.h) ordered by Raft among the nodes, over the threaded runner. */

/*
 * Node i of the log is Raft node i (protocols/raft/raft.c) run by the
 * threaded runner (protocols/run/): its steps under the node's lock, by
 * the threads that wait on the log or by a thread of its own. An append
 * at node i submits its entries to Raft node i as client commands
 * numbered by the node's only appender (RC_RAFT_CMD(i, seq)), and waits,
 * running the group meanwhile, until Raft node i applied them all. Every
 * Raft node applies the same entries in the same order (state-machine
 * safety; a leader appends a command only if its log lacks it, so none
 * twice), so "the k-th client entry node i applied" is the same entry at
 * every node: that k is the log index. The append's bookkeeping (which
 * numbers, their indexes, how many remain) is set and cleared under the
 * node's lock, the lock under which that node applies.
 *
 * Each node keeps its own copy of the log: whoever runs its Raft node
 * appends what it applies to a chunked array and publishes the count
 * (release); the node's consumer copies from its cursor up to the count
 * (acquire) and frees the chunks its cursor has passed, which nobody else
 * reads; a consumer that finds nothing new makes a waiter's pass over the
 * group. A consumer that stops holds back nobody, and Raft needs only a
 * majority, so a stalled or crashed minority stops nobody.
 *
 * A waiting append calls its help function, which may read the appending
 * node's own copy; that copy then stops at the batch's first applied
 * entry until the append returns, so the batch is consumed after its
 * indexes are known, as with the other logs.
 *
 * Tail: an append returns once its entries are applied at its node, so
 * their indexes are below that node's count; every index below any
 * node's count holds a committed entry. The largest count is therefore a
 * tail in the sense of log.h (RC_LOG_CAP_TAIL). A timed-out append
 * leaves its commands with Raft node i, which forwards them to the leader
 * until it applies them (no RC_LOG_CAP_NOPARTIAL).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/clock.h>
#include <replicore/log.h>
#include <replicore/raft.h>

#include "protocols/raft/raft.h"
#include "protocols/rand.h"
#include "protocols/run/run.h"

#define LR_CHUNK 4096u
#define LR_MAXCHUNKS (1u << 16) /* 2^28 entries per node */
#define LR_MAX_BATCH 256u

struct lr_log;

struct lr_node {
	_Alignas(64) struct rc_log_entry **chunk; /* LR_MAXCHUNKS pointers */
	struct lr_log *l;
	unsigned id;
	struct _rc_raft_node *rn;
	uint64_t rng; /* the node's draws, under its lock */
	/* entries applied at this node: whoever runs its Raft node */
	_Atomic uint64_t count;
	_Atomic bool oom; /* the chunks ran out: appends fail */
	/* the consumer's */
	_Alignas(64) _Atomic uint64_t cursor;
	unsigned pass; /* its passes over the group (see lr_read) */
	/*
	 * The append in progress: set and cleared by the appender under the
	 * node's lock, read and counted down by applies, which happen under
	 * the same lock.
	 */
	_Alignas(64) uint64_t first, last; /* numbers of the batch; 0: none */
	uint64_t idx[LR_MAX_BATCH];
	_Atomic unsigned remaining;
	/* the index of the batch's first applied entry while the append
	 * waits, else UINT64_MAX: this node's reads stop there */
	_Atomic uint64_t hold_from;
	uint64_t seq; /* the appender's */
};

struct lr_log {
	struct rc_log base;
	struct _rc_run *run;
	struct lr_node *node;
};

static struct lr_log *lr(rc_log_t *log)
{
	return (struct lr_log *)log;
}

/* ---- the step machines, as the runner drives them ---- */

static void r_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct lr_log *l = ctx;

	_rc_raft_node_recv(l->node[node].rn, now, msg);
}

static void r_tick(void *ctx, unsigned node, uint64_t now)
{
	struct lr_log *l = ctx;

	_rc_raft_node_tick(l->node[node].rn, now);
}

static uint64_t r_deadline(void *ctx, unsigned node)
{
	struct lr_log *l = ctx;

	return _rc_raft_node_deadline(l->node[node].rn);
}

static size_t r_msg_size(const void *msg)
{
	return _rc_raft_msg_size(msg);
}

/* Publishes the leader node knows, for rc_log_raft_leader. */
static void r_note(void *ctx, unsigned node)
{
	struct lr_log *l = ctx;

	_rc_run_hint(l->run, node, _rc_raft_node_leader(l->node[node].rn));
}

static const struct _rc_run_proto raft_run = {
	.recv = r_recv,
	.tick = r_tick,
	.deadline = r_deadline,
	.msg_size = r_msg_size,
	.note = r_note,
};

/* ---- what a Raft node calls, under its lock ---- */

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct _rc_raft_msg *m)
{
	struct lr_node *nd = ctx;

	_rc_run_send(nd->l->run, from, to, m);
}

/* Nothing survives a crash here: a crashed node stays down. */
static void io_record(void *ctx, unsigned node, const struct _rc_raft_rec *r)
{
	(void)ctx;
	(void)node;
	(void)r;
}

static uint64_t io_rand(void *ctx)
{
	struct lr_node *nd = ctx;

	return _rc_rand(&nd->rng);
}

static void io_elected(void *ctx, unsigned node, uint64_t term)
{
	(void)ctx;
	(void)node;
	(void)term;
}

static void io_committed(void *ctx, unsigned node, uint64_t term,
			 uint64_t index, const struct _rc_raft_ent *log)
{
	(void)ctx;
	(void)node;
	(void)term;
	(void)index;
	(void)log;
}

/* Raft node `node` applies e: a client entry joins the node's copy. */
static void io_apply(void *ctx, unsigned node, uint64_t index,
		     const struct _rc_raft_ent *e)
{
	struct lr_node *nd = ctx;
	/* relaxed: only the lock holder writes count */
	uint64_t c = atomic_load_explicit(&nd->count, memory_order_relaxed);
	uint64_t k = c / LR_CHUNK, num = RC_RAFT_CMD_K(e->cmd);
	struct rc_log_entry *x;

	(void)index;
	/* relaxed: a flag only the lock holder sets */
	if (!e->cmd || atomic_load_explicit(&nd->oom, memory_order_relaxed))
		return; /* a leader's no-op, or no room left */
	/* An appender at this node set its chunks aside (lr_room); other
	 * nodes' entries allocate here. */
	if (k < LR_MAXCHUNKS && !nd->chunk[k])
		nd->chunk[k] = malloc(LR_CHUNK * sizeof **nd->chunk);
	if (k >= LR_MAXCHUNKS || !nd->chunk[k]) {
		/* relaxed: a flag; appenders fail on it */
		atomic_store_explicit(&nd->oom, true, memory_order_relaxed);
		return;
	}
	x = &nd->chunk[k][c % LR_CHUNK];
	x->op = e->op;
	x->arg = e->arg;
	x->origin = RC_RAFT_CMD_ORIGIN(e->cmd);
	x->tag = e->tag;
	if (x->origin == node && nd->first != 0 && num >= nd->first &&
	    num <= nd->last) {
		/* relaxed: only the lock holder writes remaining and
		 * hold_from here; the release below publishes */
		unsigned left = atomic_load_explicit(&nd->remaining,
						     memory_order_relaxed);

		nd->idx[num - nd->first] = c;
		if (c <
		    atomic_load_explicit(&nd->hold_from, memory_order_relaxed))
			atomic_store_explicit(&nd->hold_from, c,
					      memory_order_relaxed);
		/* release: the index above before the count the appender
		 * polls; pairs with the acquire load in lr_done */
		atomic_store_explicit(&nd->remaining, left - 1,
				      memory_order_release);
	}
	/*
	 * release: the entry (and the chunk pointer) is written before the
	 * count that makes it readable; pairs with the acquire loads in
	 * lr_read and lr_tail.
	 */
	atomic_store_explicit(&nd->count, c + 1, memory_order_release);
	/* wakes a thread parked on this node's applies */
	_rc_run_delivered(nd->l->run, node, 1);
}

/* ---- the log ---- */

/*
 * Before an append, under the node's lock: the chunks for the node's next
 * LR_CHUNK entries at least, so that the applies the append waits for
 * need no allocation. -RC_ENOMEM without memory.
 */
static int lr_room(struct lr_node *nd)
{
	/* relaxed: under the lock, which every writer of count holds */
	uint64_t k = atomic_load_explicit(&nd->count, memory_order_relaxed) /
		     LR_CHUNK;

	for (uint64_t j = k; j < k + 2 && j < LR_MAXCHUNKS; j++)
		if (!nd->chunk[j] &&
		    !(nd->chunk[j] = malloc(LR_CHUNK * sizeof **nd->chunk)))
			return -RC_ENOMEM;
	return 0;
}

static bool lr_done(void *arg)
{
	struct lr_node *nd = arg;

	/* acquire: pairs with the release in io_apply, so the indexes of
	 * the counted entries are written; relaxed for the flag, which
	 * carries no data */
	return atomic_load_explicit(&nd->remaining, memory_order_acquire) ==
		       0 ||
	       atomic_load_explicit(&nd->oom, memory_order_relaxed);
}

static int lr_append(rc_log_t *log, unsigned node, const struct rc_log_entry *e,
		     unsigned n, uint64_t *idx, uint64_t timeout_ns,
		     rc_log_help_fn help, void *help_arg, rc_err_t *err)
{
	struct lr_log *l = lr(log);
	struct lr_node *nd = &l->node[node];
	unsigned left, taken = 0;
	uint64_t now;
	bool oom;
	int rc;

	_rc_run_lock(l->run, node);
	nd->first = nd->seq + 1;
	nd->last = nd->seq + n;
	/* relaxed: under the node's lock, which applies take */
	atomic_store_explicit(&nd->remaining, n, memory_order_relaxed);
	atomic_store_explicit(&nd->hold_from, UINT64_MAX, memory_order_relaxed);
	rc = _rc_run_crashed(l->run, node) ? -RC_EAGAIN : lr_room(nd);
	now = rc_clock_now_ns();
	for (unsigned i = 0; rc == 0 && i < n; i++, taken++) {
		struct _rc_raft_ent c;

		memset(&c, 0, sizeof c);
		c.cmd = RC_RAFT_CMD(node, nd->first + i);
		c.op = e[i].op;
		c.arg = e[i].arg;
		c.tag = e[i].tag;
		if (!_rc_raft_node_submit(nd->rn, now, &c))
			rc = -RC_ENOMEM;
	}
	/* Numbers are taken by the commands submitted only. */
	nd->seq += taken;
	if (rc < 0 && taken == 0) {
		nd->first = nd->last = 0;
		atomic_store_explicit(&nd->remaining, 0, memory_order_relaxed);
	} else {
		/* Out of memory part way: wait for those taken, then fail. */
		if (rc < 0)
			atomic_store_explicit(&nd->remaining, taken,
					      memory_order_relaxed);
		/* The callers runner: a leader sends them at once. */
		_rc_run_submitted(l->run, node, now);
	}
	_rc_run_unlock(l->run, node);
	if (rc < 0 && taken == 0)
		return rc_err_set(err, -rc, "log", 0, 0,
				  "raft node %u takes no command: %s", node,
				  rc_strerror(-rc));
	(void)_rc_run_await(l->run, node, timeout_ns, lr_done, nd, help,
			    help_arg);
	_rc_run_lock(l->run, node);
	/* relaxed: under the lock, as above */
	left = atomic_load_explicit(&nd->remaining, memory_order_relaxed);
	oom = atomic_load_explicit(&nd->oom, memory_order_relaxed) || rc < 0;
	if (left == 0 && rc == 0)
		memcpy(idx, nd->idx, n * sizeof *idx);
	nd->first = nd->last = 0;
	atomic_store_explicit(&nd->remaining, 0, memory_order_relaxed);
	/* relaxed: the batch is the caller's again; the lock orders it
	 * before later applies */
	atomic_store_explicit(&nd->hold_from, UINT64_MAX, memory_order_relaxed);
	_rc_run_unlock(l->run, node);
	if (left == 0 && rc == 0)
		return 0;
	if (oom)
		return rc_err_set(err, RC_ENOMEM, "log", 0, 0,
				  "raft log of node %u out of memory", node);
	return rc_err_set(err, RC_ETIMEDOUT, "log", 0, 0,
			  "raft log: %u of %u entries not committed within "
			  "%llu ns (no majority reachable?)",
			  left, n, (unsigned long long)timeout_ns);
}

static int lr_tail(rc_log_t *log, uint64_t *tail)
{
	struct lr_log *l = lr(log);
	uint64_t t = 0;

	for (unsigned i = 0; i < log->nnodes; i++) {
		/* acquire: pairs with the release in io_apply */
		uint64_t c = atomic_load_explicit(&l->node[i].count,
						  memory_order_acquire);

		if (c > t)
			t = c;
	}
	*tail = t;
	return 0;
}

static unsigned lr_read(rc_log_t *log, unsigned node, uint64_t *first,
			struct rc_log_entry *out, unsigned max)
{
	struct lr_node *nd = &lr(log)->node[node];
	/* relaxed: the consumer alone writes its cursor */
	uint64_t c = atomic_load_explicit(&nd->cursor, memory_order_relaxed);
	/* acquire: pairs with the release in io_apply */
	uint64_t end = atomic_load_explicit(&nd->count, memory_order_acquire);
	uint64_t hold;
	unsigned n = 0;

	/* Nothing to read: with the callers runner the group moves only
	 * when its users run it, and this reader may be the only one left:
	 * one waiter's pass over the nodes. */
	if (end == c && _rc_run_progress(lr(log)->run, node, nd->pass++) > 0)
		/* acquire: as above */
		end = atomic_load_explicit(&nd->count, memory_order_acquire);
	/* relaxed: written before the count release we acquired above */
	hold = atomic_load_explicit(&nd->hold_from, memory_order_relaxed);
	if (hold < end)
		end = hold;
	*first = c;
	while (n < max && c + n < end) {
		uint64_t i = c + n;

		out[n++] = nd->chunk[i / LR_CHUNK][i % LR_CHUNK];
		if ((i + 1) % LR_CHUNK == 0) {
			/* Nobody reads this chunk again. */
			free(nd->chunk[i / LR_CHUNK]);
			nd->chunk[i / LR_CHUNK] = NULL;
		}
	}
	/* release: a reader of the cursor (rc_log_cursor) sees our copies
	 * done; nothing reuses the space (each node owns its copy) */
	atomic_store_explicit(&nd->cursor, c + n, memory_order_release);
	return n;
}

static uint64_t lr_cursor(rc_log_t *log, unsigned node)
{
	/* acquire: pairs with the release in lr_read */
	return atomic_load_explicit(&lr(log)->node[node].cursor,
				    memory_order_acquire);
}

static void lr_destroy(rc_log_t *log)
{
	struct lr_log *l = lr(log);

	_rc_run_destroy(l->run);
	for (unsigned i = 0; l->node && i < log->nnodes; i++) {
		struct lr_node *nd = &l->node[i];

		_rc_raft_node_destroy(nd->rn);
		for (unsigned k = 0; nd->chunk && k < LR_MAXCHUNKS; k++)
			free(nd->chunk[k]);
		free(nd->chunk);
	}
	free(l->node);
	free(l);
}

static const struct rc_log_ops lr_ops = {
	lr_append, lr_tail, lr_read, lr_cursor, lr_destroy,
	NULL,	   NULL,    NULL,    NULL,
};

void rc_log_raft_defaults(struct rc_raft_log_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->heartbeat_ns = 1000000;
	o->election_ns = 20000000;
	o->resend_ns = 5000000;
	o->wait = RC_WAIT_SPIN_PARK;
}

int rc_log_raft_create(rc_log_t **out, unsigned nnodes,
		       const struct rc_raft_log_opts *opts, rc_err_t *err)
{
	struct rc_raft_log_opts o;
	struct _rc_raft_cfg cfg;
	struct _rc_run_opts ro;
	struct lr_log *l;
	int r;

	if (opts)
		o = *opts;
	else
		rc_log_raft_defaults(&o);
	if (nnodes == 0 || nnodes > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "a raft log of %u nodes (1..%d)", nnodes,
				  RC_SIM_MAX_NODES);
	if (!o.heartbeat_ns || !o.election_ns || !o.resend_ns ||
	    o.heartbeat_ns >= o.election_ns)
		return rc_err_set(err, RC_EINVAL, "log", 0, 0,
				  "raft log: heartbeat_ns, election_ns and "
				  "resend_ns must be positive, heartbeats "
				  "shorter than elections");
	if (!rc_wait_policy_name(o.wait))
		return rc_err_set(err, RC_EINVAL, "wait", 0, 0,
				  "unknown wait policy %d", (int)o.wait);
	l = calloc(1, sizeof *l);
	if (!l)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	l->base.ops = &lr_ops;
	l->base.name = "raft";
	l->base.nnodes = nnodes;
	l->base.caps = RC_LOG_CAP_TAIL;
	l->base.max_batch = LR_MAX_BATCH;
	l->base.capacity = 0;
	l->node = aligned_alloc(64, nnodes * sizeof *l->node);
	if (!l->node) {
		free(l);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memset(l->node, 0, nnodes * sizeof *l->node);
	memset(&ro, 0, sizeof ro);
	ro.nodes = nnodes;
	ro.seed = o.seed;
	ro.topo = o.topo;
	ro.threads = o.threads;
	ro.wait = o.wait;
	r = _rc_run_create(&l->run, &raft_run, l, &ro, err);
	if (r < 0) {
		l->run = NULL;
		lr_destroy(&l->base);
		return r;
	}
	memset(&cfg, 0, sizeof cfg);
	cfg.nodes = nnodes;
	cfg.prevote = o.prevote;
	cfg.heartbeat = o.heartbeat_ns;
	cfg.elect_min = o.election_ns;
	cfg.elect_range = o.election_ns;
	cfg.resend = o.resend_ns;
	for (unsigned i = 0; i < nnodes; i++) {
		struct lr_node *nd = &l->node[i];
		struct _rc_raft_io io;

		atomic_init(&nd->hold_from, UINT64_MAX);
		nd->l = l;
		nd->id = i;
		nd->rng = o.seed ^ (0x9e3779b97f4a7c15ull * (i + 1));
		io.ctx = nd;
		io.send = io_send;
		io.record = io_record;
		io.rand = io_rand;
		io.elected = io_elected;
		io.committed = io_committed;
		io.apply = io_apply;
		nd->chunk = calloc(LR_MAXCHUNKS, sizeof *nd->chunk);
		/* Its timers start now: the runner's clock. */
		nd->rn = nd->chunk ? _rc_raft_node_create(&cfg, i, &io,
							  rc_clock_now_ns())
				   : NULL;
		if (!nd->rn) {
			lr_destroy(&l->base);
			return rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
					  "out of memory");
		}
		_rc_run_note(l->run, i);
	}
	r = _rc_run_start(l->run, err);
	if (r < 0) {
		lr_destroy(&l->base);
		return r;
	}
	*out = &l->base;
	return 0;
}

int rc_log_raft_stall(rc_log_t *log, unsigned node, uint64_t ns)
{
	if (strcmp(log->name, "raft") != 0 || node >= log->nnodes)
		return -RC_EINVAL;
	_rc_run_stall(lr(log)->run, node, ns);
	return 0;
}

int rc_log_raft_leader(rc_log_t *log, unsigned node)
{
	if (strcmp(log->name, "raft") != 0 || node >= log->nnodes)
		return -RC_EINVAL;
	return (int)_rc_run_hint_get(lr(log)->run, node);
}

int rc_log_raft_crash(rc_log_t *log, unsigned node)
{
	if (strcmp(log->name, "raft") != 0 || node >= log->nnodes)
		return -RC_EINVAL;
	_rc_run_crash(lr(log)->run, node);
	return 0;
}
