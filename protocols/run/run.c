/* SPDX-License-Identifier: MIT */
/* run.c: a Paxos group on real cores: messages inline in per-pair rings, each node's step machine run by the threads that wait on it or by a thread of its own, faults from a seed. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ck_pr.h>

#include <replicore/clock.h>

#include "runtime/mring.h"
#include "protocols/paxos/internal.h"
#include "runtime/wait.h"

/*
 * Transport. Node i sends to node j through ring[i][j], a
 * single-producer single-consumer ring (mring.h) whose messages sit
 * inline in cache lines: an ACCEPTED or a HEARTBEAT is one line, an
 * ACCEPT or DECIDE of one command two. Nothing is allocated per message,
 * except a message longer than the ring takes (a PROMISE or catch-up
 * reply of many slots, a FORWARD of a large batch), which travels as a
 * pointer to a heap copy that the receiver frees. Node i's step machine
 * runs under node i's lock, so whoever holds that lock is the only
 * producer of ring[i][*] and the only consumer of ring[*][i]; the lock's
 * acquire and release hand both sides from one holder to the next. A full
 * ring drops the message, as a lossy network would; the protocol resends.
 *
 * Who runs a node's step machine. With RC_PAXOS_RUN_CALLERS (the default)
 * no thread is created for the nodes: the threads that use the group run
 * them. rc_paxos_propose submits at its node and runs it; a thread that
 * waits (rc_paxos_wait, an append of the Paxos log) runs its own node and
 * then every other node that is free (its lock not held), not stalled and
 * not crashed, until its condition holds. So a commit by one thread on an
 * otherwise idle group is a sequence of function calls with no thread
 * hand-off, and with threads on several nodes each node's messages are
 * handled by whichever of them comes first. With RC_PAXOS_RUN_THREADS
 * each node has a pinned thread of its own that runs it, as a separate
 * server would; a submission locks the node briefly and wakes its thread.
 *
 * Waiting. A node thread with nothing to do parks on its node's inbox
 * event; whoever sends it a message, submits at it or stalls it wakes it
 * when it is parked (a fence and a load otherwise). A waiter for a node's
 * deliveries in the threads runner parks on the node's delivery event,
 * which only deliveries wake. A waiter in the callers runner parks on
 * the group's event, woken by any node step that sent or delivered
 * something, and never longer than PARK_MAX_NS or the nodes' next timer,
 * because a timer (an election, a resend) is due with nobody to wake it.
 *
 * Faults are drawn by the sender from its node's seeded stream: drop
 * (never sent), duplicate (sent twice), delay (the receiver holds a heap
 * copy until its due time, so later messages overtake it). Stalls and
 * crashes are flags that the runners obey: a stalled or crashed node is
 * not run; a crashed node's incoming messages are discarded.
 */

#define RING_LINES 1024u       /* per pair: 64 KiB, messages to 16 KiB */
#define RING_LINES_BIG 128u    /* per pair in groups over 8 nodes */
#define BURST 64	       /* messages handled per ring per run */
#define NAP_NS 1000000ull      /* a node thread's longest park */
#define PARK_MAX_NS 1000000ull /* a callers-runner waiter's longest park */
#define PARK_MIN_NS 5000ull    /* its shortest, when a timer is due */
#define DELAY_NS 200000ull     /* a delayed message's extra time, at most */

/* Ring message kinds. */
enum {
	K_MSG,	   /* the message itself */
	K_DELAYED, /* uint64_t due, then the message */
	K_REF,	   /* uint64_t due, then a pointer to a heap copy */
};

struct held {
	uint64_t due;
	struct rc_paxos_msg *m; /* heap copy */
};

struct pnode {
	_Alignas(64) struct rc_paxos *p;
	unsigned id, pu;
	rc_paxos_node_t *px;
	pthread_t th;
	bool started;
	/* under the node lock */
	uint64_t rng;
	struct held *held;
	unsigned nheld, held_cap;
	uint64_t sent_to; /* a bit per node sent to during this run */
	uint64_t lost;	  /* messages lost to a full ring */
	bool delivered_now;
	/* the node lock */
	_Alignas(64) _Atomic bool locked;
	/* written by others: relaxed, they carry no data */
	_Alignas(64) _Atomic bool crashed;
	_Atomic uint64_t stall_until;
	_Atomic uint64_t seq; /* command ids handed out by rc_paxos_propose */
	/* written by whoever runs the node, read by others */
	_Alignas(64) _Atomic uint64_t delivered;
	_Atomic unsigned leader;
	_Atomic uint64_t deadline; /* the step machine's next timer */
	/* the node's thread parks here: woken by messages, submissions and
	 * fault switches */
	_Alignas(64) struct _rc_event inbox;
	/* the callers runner: when a thread that waits at this node last
	 * said so (0: it parks or left), and which thread (its token) */
	_Alignas(64) _Atomic uint64_t active_at;
	_Atomic uintptr_t active_by;
	/* the threads runner's waiters for this node's deliveries */
	_Alignas(64) struct _rc_event ev;
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
	struct _rc_mring *ring; /* ring[from * n + to] */
	unsigned ring_keep;	/* lines a leader's stream leaves free */
	/* the seeded crash/stall schedule, run by its own thread */
	struct fault *faults;
	unsigned nfaults;
	uint64_t doomed, t0;
	pthread_t fault_th;
	bool fault_started;
	struct _rc_event fault_ev; /* wakes the fault thread to stop */
	rc_topo_t *own_topo;
	const rc_topo_t *topo;
	struct pnode *node;
	_Alignas(64) _Atomic bool stop;
	bool stopped;
	/* the callers runner's waiters park here */
	_Alignas(64) struct _rc_event ev;
	pthread_mutex_t lock; /* serialises the checker */
	struct _rc_pxcheck *check;
};

static struct _rc_mring *ring(struct rc_paxos *p, unsigned from, unsigned to)
{
	return &p->ring[from * p->n + to];
}

/* ---- the node lock ---- */

static bool node_trylock(struct pnode *pn)
{
	/* relaxed: a look before the exchange, no data */
	if (atomic_load_explicit(&pn->locked, memory_order_relaxed))
		return false;
	/* acquire: pairs with the release in node_unlock; the previous
	 * holder's step machine and ring sides happen before ours */
	return !atomic_exchange_explicit(&pn->locked, true,
					 memory_order_acquire);
}

/* Held for one run of the node at most: a bounded number of steps. */
static void node_lock(struct pnode *pn)
{
	struct _rc_wait w;

	if (node_trylock(pn))
		return;
	_rc_wait_start(&w, UINT64_MAX, RC_WAIT_SPIN_PARK);
	while (!node_trylock(pn))
		_rc_wait_step(&w);
}

/*
 * Unlocks pn after a run and wakes who may now move: with the threads
 * runner the thread of each node sent to (on its inbox event) and pn's
 * waiters when pn delivered (its delivery event). With the callers runner
 * the group's waiters should be woken when anything was sent or
 * delivered: node_release returns that, for a caller that runs several
 * nodes to wake once (a wake costs a seq_cst fence), and node_unlock
 * wakes at once. The holder copies and clears what it did before
 * unlocking.
 */
static bool node_release(struct pnode *pn)
{
	struct rc_paxos *p = pn->p;
	uint64_t to = pn->sent_to;
	bool dl = pn->delivered_now;

	pn->sent_to = 0;
	pn->delivered_now = false;
	/* release: pairs with the acquire exchange in node_trylock */
	atomic_store_explicit(&pn->locked, false, memory_order_release);
	if (p->o.runner != RC_PAXOS_RUN_THREADS)
		return to || dl;
	for (unsigned j = 0; to; j++, to >>= 1)
		if (to & 1)
			_rc_event_wake(&p->node[j].inbox);
	if (dl)
		_rc_event_wake(&pn->ev);
	return false;
}

static void node_unlock(struct pnode *pn)
{
	if (node_release(pn))
		_rc_event_wake(&pn->p->ev);
}

/* ---- sending and delivering (under the sender's / deliverer's lock) ---- */

/* Puts one copy of m on ring from -> to; due 0: at once. */
static void put(struct rc_paxos *p, unsigned from, unsigned to,
		const struct rc_paxos_msg *m, uint64_t due)
{
	struct _rc_mring *r = ring(p, from, to);
	size_t sz = (size_t)m->size;
	/*
	 * The steady stream of a leader (ACCEPT, a DECIDE of one slot) may
	 * not take the ring's last quarter: a follower that fell that far
	 * behind catches up with a CATCHUP, whose answer (and every other
	 * message) must then still find room. HEARTBEATs are not of that
	 * stream: one lost to a full ring makes the follower suspect the
	 * leader and stand for election, and there is one a heartbeat
	 * period.
	 */
	unsigned keep =
		(m->type == PX_ACCEPT || (m->type == PX_DECIDE && m->nent <= 1))
			? p->ring_keep
			: 0;
	char *d;

	if (due == 0 && (d = _rc_mring_reserve(r, sz, K_MSG, keep)) != NULL) {
		memcpy(d, m, sz);
	} else if (due != 0 && (d = _rc_mring_reserve(r, 8 + sz, K_DELAYED,
						      keep)) != NULL) {
		memcpy(d, &due, 8);
		memcpy(d + 8, m, sz);
	} else if (sz + 8 > _rc_mring_max(r)) {
		struct rc_paxos_msg *c = malloc(sz);

		if (!c)
			return;
		d = _rc_mring_reserve(r, 8 + sizeof c, K_REF, keep);
		if (!d) {
			free(c);
			p->node[from].lost++;
			return;
		}
		memcpy(c, m, sz);
		memcpy(d, &due, 8);
		memcpy(d + 8, &c, sizeof c);
	} else {
		p->node[from].lost++;
		return; /* full: lost */
	}
	_rc_mring_publish(r);
	p->node[from].sent_to |= 1ull << to;
}

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct rc_paxos_msg *m)
{
	struct pnode *pn = ctx;
	struct rc_paxos *p = pn->p;
	const struct rc_paxos_faults *f = &p->o.faults;
	int copies = 1;

	if (f->drop > 0 && _rc_rand_unit(&pn->rng) < f->drop)
		return;
	if (f->dup > 0 && _rc_rand_unit(&pn->rng) < f->dup)
		copies = 2;
	while (copies-- > 0) {
		uint64_t due = 0;

		if (f->delay > 0 && _rc_rand_unit(&pn->rng) < f->delay)
			due = rc_clock_now_ns() +
			      _rc_rand(&pn->rng) % DELAY_NS + 1;
		put(p, from, to, m, due);
	}
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
	 * the node's lock holder writes the counter.
	 */
	atomic_store_explicit(
		&pn->delivered,
		atomic_load_explicit(&pn->delivered, memory_order_relaxed) + n,
		memory_order_release);
	pn->delivered_now = true;
}

/* ---- running a node (under its lock) ---- */

static void hold(struct pnode *pn, uint64_t due, struct rc_paxos_msg *m)
{
	if (pn->nheld == pn->held_cap) {
		unsigned nc = pn->held_cap ? 2 * pn->held_cap : 64;
		void *nd = realloc(pn->held, nc * sizeof *pn->held);

		if (!nd) {
			free(m);
			return;
		}
		pn->held = nd;
		pn->held_cap = nc;
	}
	pn->held[pn->nheld].due = due;
	pn->held[pn->nheld].m = m;
	pn->nheld++;
}

/* Handles (or holds) the message at the head of r; returns false if none. */
static bool take(struct pnode *pn, struct _rc_mring *r, uint64_t *now)
{
	unsigned kind;
	const char *d = _rc_mring_peek(r, &kind);
	const struct rc_paxos_msg *m;
	struct rc_paxos_msg *c = NULL;
	uint64_t due = 0;

	if (!d)
		return false;
	if (kind == K_MSG) {
		m = (const struct rc_paxos_msg *)d;
	} else {
		memcpy(&due, d, 8);
		if (kind == K_REF) {
			memcpy(&c, d + 8, sizeof c);
			m = c;
		} else {
			m = (const struct rc_paxos_msg *)(d + 8);
		}
	}
	if (due > *now) {
		if (!c) {
			c = malloc((size_t)m->size);
			if (c)
				memcpy(c, m, (size_t)m->size);
		}
		if (c)
			hold(pn, due, c);
		_rc_mring_pop(r);
		return true;
	}
	rc_paxos_node_recv(pn->px, *now, m);
	_rc_mring_pop(r);
	free(c);
	return true;
}

/* Discards what arrives at a crashed node. */
static void discard(struct pnode *pn)
{
	struct rc_paxos *p = pn->p;
	unsigned kind;

	for (unsigned j = 0; j < p->n; j++) {
		struct _rc_mring *r = ring(p, j, pn->id);
		const char *d;

		if (j == pn->id)
			continue;
		while ((d = _rc_mring_peek(r, &kind)) != NULL) {
			if (kind == K_REF) {
				struct rc_paxos_msg *c;

				memcpy(&c, d + 8, sizeof c);
				free(c);
			}
			_rc_mring_pop(r);
		}
	}
}

/* Publishes node pn's leader and next timer for other threads. */
static void note(struct pnode *pn)
{
	uint64_t d = rc_paxos_node_deadline(pn->px);
	unsigned l = _rc_paxos_node_leader(pn->px);

	for (unsigned i = 0; i < pn->nheld; i++)
		if (pn->held[i].due < d)
			d = pn->held[i].due;
	/* relaxed: hints for other threads, no data; stored only when
	 * changed, so a reader's copy of the line stays valid */
	if (atomic_load_explicit(&pn->leader, memory_order_relaxed) != l)
		atomic_store_explicit(&pn->leader, l, memory_order_relaxed);
	if (atomic_load_explicit(&pn->deadline, memory_order_relaxed) != d)
		atomic_store_explicit(&pn->deadline, d, memory_order_relaxed);
}

/*
 * One run of node pn, under its lock: held messages now due, up to BURST
 * messages from each peer, then the timers if due. Returns the messages
 * handled plus one if the timers ran (0: nothing to do).
 */
static unsigned run_node(struct pnode *pn, uint64_t now)
{
	struct rc_paxos *p = pn->p;
	uint64_t su;
	unsigned k = 0;

	/* relaxed: fault switches, no data travels with them */
	if (atomic_load_explicit(&pn->crashed, memory_order_relaxed)) {
		discard(pn);
		return 0;
	}
	su = atomic_load_explicit(&pn->stall_until, memory_order_relaxed);
	if (now < su)
		return 0;
	for (unsigned i = 0; i < pn->nheld;) {
		if (pn->held[i].due <= now) {
			struct rc_paxos_msg *m = pn->held[i].m;

			pn->held[i] = pn->held[--pn->nheld];
			rc_paxos_node_recv(pn->px, now, m);
			free(m);
			k++;
		} else {
			i++;
		}
	}
	for (unsigned j = 0; j < p->n; j++) {
		struct _rc_mring *r = ring(p, j, pn->id);

		if (j == pn->id)
			continue;
		for (unsigned b = 0; b < BURST && take(pn, r, &now); b++)
			k++;
	}
	if (rc_paxos_node_deadline(pn->px) <= now) {
		rc_paxos_node_tick(pn->px, now);
		k++;
	}
	if (k > 0)
		note(pn);
	return k;
}

/*
 * Runs node i if it is free; returns what run_node did (0 if not run)
 * and raises *wake if the group's waiters are to be woken (node_release).
 */
static unsigned try_run(struct rc_paxos *p, unsigned i, uint64_t now,
			bool *wake)
{
	struct pnode *pn = &p->node[i];
	unsigned k;

	if (!node_trylock(pn))
		return 0;
	k = run_node(pn, now);
	*wake |= node_release(pn);
	return k;
}

/*
 * The callers runner's step of a waiter at node `node`: runs that node,
 * then every other free node. Returns the work done (0: none).
 */
/*
 * Whether node i looks as if it has work: a message at the head of one of
 * its rings or a timer due (hints, read without its lock).
 */
/* Whether a message waits at the head of one of node i's rings (a hint). */
static bool has_message(struct rc_paxos *p, unsigned i)
{
	for (unsigned j = 0; j < p->n; j++)
		if (j != i && _rc_mring_ready(ring(p, j, i)))
			return true;
	return false;
}

static bool has_work(struct rc_paxos *p, unsigned i, uint64_t now)
{
	struct pnode *pn = &p->node[i];

	/* relaxed: fault switches and hints, no data */
	if (atomic_load_explicit(&pn->crashed, memory_order_relaxed) ||
	    atomic_load_explicit(&pn->stall_until, memory_order_relaxed) > now)
		return false;
	if (atomic_load_explicit(&pn->deadline, memory_order_relaxed) <= now)
		return true;
	return has_message(p, i);
}

/*
 * Affinity. A node's steps run fastest where its state and its rings
 * already are: in the cache of the thread that runs it every time. So a
 * waiter leaves alone a node at which another thread waits (that thread
 * runs it), and runs a node nobody waits at only when its own node is
 * the nearest after that one (cyclically) with a waiter: each idle node
 * has one runner while the set of waiting nodes holds still. With three
 * nodes and threads at nodes 0 and 2, node 2's thread runs node 1: the
 * leader's thread does the leader's work and the other thread both
 * followers'. (Node 0's thread running node 1 instead, which makes the
 * majority inside one cache, left the leader's thread with nearly all
 * the work: the hash map over the Paxos log ran at a median of 1.43M
 * against 1.89M ops/s, and 1.96M against 2.28M, in runs interleaved
 * 9 and 5 times.) A waiter says it waits at most once per
 * ACTIVE_REFRESH_NS (a store to its node's line, which every other
 * waiter reads) and its claim lapses after ACTIVE_NS, or at once when it
 * parks; every SWEEP-th pass of a waiter runs every node regardless,
 * which bounds what a stale claim (a thread preempted while it waits)
 * can delay.
 */
#define ACTIVE_NS 50000ull
#define ACTIVE_REFRESH_NS 10000ull

static _Thread_local char thread_token;

static bool active_other(struct rc_paxos *p, unsigned i, uint64_t now)
{
	struct pnode *pn = &p->node[i];
	/* relaxed: hints, no data */
	uint64_t at =
		atomic_load_explicit(&pn->active_at, memory_order_relaxed);

	return at != 0 && at + ACTIVE_NS > now &&
	       atomic_load_explicit(&pn->active_by, memory_order_relaxed) !=
		       (uintptr_t)&thread_token;
}

static void active_say(struct pnode *pn, uint64_t now)
{
	/* relaxed: hints, no data */
	uint64_t at =
		atomic_load_explicit(&pn->active_at, memory_order_relaxed);

	if (at == 0 || now - at >= ACTIVE_REFRESH_NS ||
	    atomic_load_explicit(&pn->active_by, memory_order_relaxed) !=
		    (uintptr_t)&thread_token) {
		atomic_store_explicit(&pn->active_by, (uintptr_t)&thread_token,
				      memory_order_relaxed);
		atomic_store_explicit(&pn->active_at, now,
				      memory_order_relaxed);
	}
}

static void active_leave(struct pnode *pn)
{
	/* relaxed: a hint, no data */
	if (atomic_load_explicit(&pn->active_at, memory_order_relaxed) != 0)
		atomic_store_explicit(&pn->active_at, 0, memory_order_relaxed);
}

/* Whether the waiter at `node` runs node i (another node): i has no
 * waiter of its own and `node` is the nearest node after i that has. */
static bool runs(struct rc_paxos *p, unsigned node, unsigned i, uint64_t now)
{
	if (active_other(p, i, now))
		return false;
	for (unsigned d = 1; d < p->n; d++) {
		unsigned j = (i + d) % p->n;

		if (j == node)
			return true;
		if (active_other(p, j, now))
			return false;
	}
	return true;
}

/*
 * The callers runner's pass for a waiter at node `node`: runs that node,
 * then each other node it runs (above), each if it looks as if it has
 * work; so an idle node's lock line is not touched. Every SWEEP-th pass
 * of a waiter runs them all, which bounds what a stale hint can delay.
 * `waits`: the caller waits at node (an append or a proposal), as
 * opposed to a read that found nothing, which claims no node.
 */
#define SWEEP 64u
static unsigned progress(struct rc_paxos *p, unsigned node, unsigned pass,
			 bool waits, bool (*cond)(void *), void *arg,
			 uint64_t *nowp)
{
	/* One clock read for the pass: a read costs 41 ns here, and the
	 * timers it feeds run on a scale of milliseconds. */
	uint64_t now = rc_clock_now_ns();
	bool all = pass % SWEEP == SWEEP - 1, wake = false;
	unsigned k = 0;

	if (waits)
		active_say(&p->node[node], now);
	for (unsigned d = 0; d < p->n; d++) {
		unsigned i = (node + d) % p->n;

		if (all ||
		    ((d == 0 || runs(p, node, i, now)) && has_work(p, i, now)))
			k += try_run(p, i, now, &wake);
		/* A waiter whose own node just met its condition leaves the
		 * others (the DECIDEs a commit sends) for the next pass of
		 * whoever comes, which takes them with its own messages: a
		 * follower runs once a commit rather than twice. */
		if (d == 0 && cond && cond(arg))
			break;
	}
	/* One wake for the pass, after every node it ran is unlocked. */
	if (wake)
		_rc_event_wake(&p->ev);
	if (nowp)
		*nowp = now;
	return k;
}

/* The earliest timer of the runnable nodes, as a park bound from now. */
static uint64_t park_bound(struct rc_paxos *p, uint64_t now)
{
	uint64_t d = now + PARK_MAX_NS;

	for (unsigned i = 0; i < p->n; i++) {
		/* relaxed: hints; a stale one only shortens a park */
		uint64_t t = atomic_load_explicit(&p->node[i].deadline,
						  memory_order_relaxed);
		uint64_t su = atomic_load_explicit(&p->node[i].stall_until,
						   memory_order_relaxed);

		if (atomic_load_explicit(&p->node[i].crashed,
					 memory_order_relaxed))
			continue;
		if (su > now)
			t = su;
		if (t < d)
			d = t;
	}
	/* A timer already due belongs to a node another thread runs now:
	 * look again soon rather than at once. */
	return d > now + PARK_MIN_NS ? d - now : PARK_MIN_NS;
}

/*
 * The thread's waits in progress (await): a read made from a waiter's
 * help function makes no pass of its own (_rc_paxos_progress), since the
 * waiter's loop makes one each turn; two passes a turn doubled the clock
 * reads and the looks at every ring.
 */
static _Thread_local unsigned awaiting;

/*
 * Waits until cond(arg) holds or timeout_ns passed (false). The callers
 * runner runs the nodes meanwhile, reading the clock once a turn (in
 * progress; the timeout and the park bound use that reading); the threads
 * runner parks on node's event, which the node's deliveries wake.
 */
static bool await(struct rc_paxos *p, unsigned node, uint64_t timeout_ns,
		  bool (*cond)(void *), void *arg, void (*help)(void *),
		  void *help_arg)
{
	bool callers = p->o.runner != RC_PAXOS_RUN_THREADS;
	struct _rc_event *ev = callers ? &p->ev : &p->node[node].ev;
	uint64_t deadline = 0, now = 0;
	unsigned pass = 0;
	struct _rc_wait w;
	bool r;

	_rc_wait_start(&w, callers ? UINT64_MAX : timeout_ns, p->o.wait);
	awaiting++;
	for (;;) {
		uint32_t key = _rc_event_key(ev);
		unsigned k = 0;
		uint64_t bound = UINT64_MAX;

		if (callers) {
			k = progress(p, node, pass++, true, cond, arg, &now);
			if (deadline == 0 && timeout_ns != UINT64_MAX)
				deadline = now + timeout_ns;
		}
		if (cond(arg)) {
			r = true;
			break;
		}
		if (help)
			help(help_arg);
		if (k > 0)
			continue;
		if (callers) {
			if (deadline != 0 && now >= deadline) {
				r = cond(arg);
				break;
			}
			bound = park_bound(p, now);
			if (deadline != 0 && deadline - now < bound)
				bound = deadline - now;
			/* Others run this node while this thread waits. */
			active_leave(&p->node[node]);
		}
		if (!_rc_wait_event(&w, ev, key, bound)) {
			r = cond(arg);
			break;
		}
	}
	awaiting--;
	return r;
}

/* ---- the threads runner ---- */

static void *node_main(void *arg)
{
	struct pnode *pn = arg;
	struct rc_paxos *p = pn->p;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct _rc_wait w;

	(void)rc_topo_pin(p->topo, pn->pu, &err); /* best effort */
	_rc_wait_start(&w, UINT64_MAX, p->o.wait);
	/* relaxed: the flag carries no data; the join orders the results */
	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		uint32_t key = _rc_event_key(&pn->inbox);
		uint64_t now, d, su;
		unsigned k;

		node_lock(pn);
		k = run_node(pn, rc_clock_now_ns());
		node_unlock(pn);
		if (k > 0) {
			_rc_wait_start(&w, UINT64_MAX, p->o.wait);
			continue;
		}
		now = rc_clock_now_ns();
		/* relaxed: hints, as in park_bound */
		d = atomic_load_explicit(&pn->deadline, memory_order_relaxed);
		su = atomic_load_explicit(&pn->stall_until,
					  memory_order_relaxed);
		if (su > now)
			d = su;
		/* relaxed: a fault switch */
		if (atomic_load_explicit(&pn->crashed, memory_order_relaxed))
			d = now + NAP_NS;
		if (d <= now)
			continue;
		_rc_wait_event(&w, &pn->inbox, key,
			       d - now < NAP_NS ? d - now : NAP_NS);
	}
	return NULL;
}

/* ---- the fault schedule ---- */

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
			x->node = (unsigned)(_rc_rand(&rng) % p->n);
		while (p->doomed >> x->node & 1);
		p->doomed |= 1ull << x->node;
		x->at = _rc_rand(&rng) % span;
	}
	for (unsigned k = 0; k < f->stall; k++) {
		struct fault *x = &p->faults[p->nfaults++];

		x->node = (unsigned)(_rc_rand(&rng) % p->n);
		x->at = _rc_rand(&rng) % span;
		x->ns = 1 + _rc_rand(&rng) % (span / 4 + 1);
	}
	qsort(p->faults, p->nfaults, sizeof *p->faults, cmp_fault);
	return 0;
}

/* The fault thread: applies the schedule at its times, parked between. */
static void *fault_main(void *arg)
{
	struct rc_paxos *p = arg;
	struct _rc_wait w;

	_rc_wait_start(&w, UINT64_MAX, RC_WAIT_PARK);
	for (unsigned k = 0; k < p->nfaults; k++) {
		const struct fault *x = &p->faults[k];

		for (;;) {
			uint32_t key = _rc_event_key(&p->fault_ev);
			uint64_t t = rc_clock_now_ns() - p->t0;

			/* relaxed: the flag carries no data */
			if (atomic_load_explicit(&p->stop,
						 memory_order_relaxed))
				return NULL;
			if (t >= x->at)
				break;
			_rc_wait_event(&w, &p->fault_ev, key, x->at - t);
		}
		if (x->ns)
			rc_paxos_stall(p, x->node, x->ns);
		else
			rc_paxos_crash(p, x->node);
	}
	return NULL;
}

/* ---- the group ---- */

int rc_paxos_create(rc_paxos_t **out, const struct rc_paxos_opts *opts,
		    rc_err_t *err)
{
	struct rc_paxos *p;
	unsigned *pus, lines;
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
	p = calloc(1, sizeof *p);
	if (!p)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	p->o = *opts;
	p->n = opts->cfg.nodes;
	pthread_mutex_init(&p->lock, NULL);
	_rc_event_init(&p->ev);
	_rc_event_init(&p->fault_ev);
	p->node = aligned_alloc(64, p->n * sizeof *p->node);
	p->ring = aligned_alloc(64, (size_t)p->n * p->n * sizeof *p->ring);
	pus = calloc(p->n, sizeof *pus);
	if (!p->node || !p->ring || !pus) {
		free(pus);
		free(p->ring);
		free(p->node);
		free(p);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memset(p->node, 0, p->n * sizeof *p->node);
	memset(p->ring, 0, (size_t)p->n * p->n * sizeof *p->ring);
	lines = p->n <= 8 ? RING_LINES : RING_LINES_BIG;
	p->ring_keep = lines / 4;
	for (unsigned i = 0; i < p->n * p->n; i++)
		if (i / p->n != i % p->n &&
		    _rc_mring_init(&p->ring[i], lines) < 0) {
			r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
				       "out of memory");
			free(pus);
			goto fail;
		}
	p->topo = opts->topo;
	if (!p->topo) {
		r = rc_topo_open(&p->own_topo, NULL, NULL, err);
		if (r < 0) {
			free(pus);
			goto fail;
		}
		p->topo = p->own_topo;
	}
	if (opts->check) {
		p->check = _rc_pxcheck_create(p->n);
		if (!p->check) {
			r = rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
				       "out of memory");
			free(pus);
			goto fail;
		}
	}
	r = plan_faults(p, err);
	if (r < 0) {
		free(pus);
		goto fail;
	}
	rc_topo_spread(p->topo, p->n, pus);
	for (unsigned i = 0; i < p->n; i++) {
		struct pnode *pn = &p->node[i];
		struct rc_paxos_io io = { pn, io_send, io_deliver };

		pn->p = p;
		pn->id = i;
		pn->pu = pus[i];
		pn->rng = opts->cfg.seed * 0x2545f4914f6cdd1dull + i;
		_rc_event_init(&pn->ev);
		_rc_event_init(&pn->inbox);
		r = rc_paxos_node_create(&pn->px, &opts->cfg, i, &io,
					 rc_clock_now_ns(), err);
		if (r < 0) {
			free(pus);
			goto fail;
		}
		note(pn);
	}
	free(pus);
	if (opts->runner == RC_PAXOS_RUN_THREADS)
		for (unsigned i = 0; i < p->n; i++) {
			if (pthread_create(&p->node[i].th, NULL, node_main,
					   &p->node[i]) != 0) {
				r = rc_err_set(err, RC_ESYS, NULL, 0, 0,
					       "cannot create node thread %u",
					       i);
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
	/* relaxed: the joins below order everything the threads did; the
	 * wakes end their parks */
	atomic_store_explicit(&p->stop, true, memory_order_relaxed);
	_rc_event_wake(&p->fault_ev);
	if (p->fault_started)
		pthread_join(p->fault_th, NULL);
	for (unsigned i = 0; i < p->n; i++)
		_rc_event_wake(&p->node[i].inbox);
	for (unsigned i = 0; i < p->n; i++)
		if (p->node[i].started)
			pthread_join(p->node[i].th, NULL);
	for (unsigned i = 0; i < p->n; i++)
		if (p->node[i].px) {
			/* No runner is left: the lock orders the last
			 * caller's runs before these reads. */
			node_lock(&p->node[i]);
			rc_paxos_node_stats(p->node[i].px, &p->node[i].stats);
			p->node[i].stats.lost = p->node[i].lost;
			node_unlock(&p->node[i]);
		}
	p->stopped = true;
}

void rc_paxos_destroy(rc_paxos_t *p)
{
	if (!p)
		return;
	rc_paxos_stop(p);
	for (unsigned i = 0; i < p->n; i++) {
		struct pnode *pn = &p->node[i];

		if (pn->px) {
			node_lock(pn);
			discard(pn);
			node_unlock(pn);
		}
		for (unsigned k = 0; k < pn->nheld; k++)
			free(pn->held[k].m);
		free(pn->held);
		rc_paxos_node_destroy(pn->px);
	}
	for (unsigned i = 0; p->ring && i < p->n * p->n; i++)
		_rc_mring_fini(&p->ring[i]);
	_rc_pxcheck_destroy(p->check);
	free(p->faults);
	pthread_mutex_destroy(&p->lock);
	rc_topo_close(p->own_topo);
	free(p->ring);
	free(p->node);
	free(p);
}

/* ---- the interface of the Paxos log (protocols/paxos/internal.h) ---- */

void _rc_paxos_lock(rc_paxos_t *p, unsigned node)
{
	node_lock(&p->node[node]);
}

void _rc_paxos_unlock(rc_paxos_t *p, unsigned node)
{
	node_unlock(&p->node[node]);
}

int _rc_paxos_submit_locked(rc_paxos_t *p, unsigned node,
			    struct rc_paxos_cmd *c, unsigned k)
{
	struct pnode *pn = &p->node[node];
	uint64_t now;

	/* relaxed: a fault switch, no data */
	if (atomic_load_explicit(&pn->crashed, memory_order_relaxed))
		return -RC_EAGAIN;
	for (unsigned i = 0; i < k; i++) {
		c[i].pad = 0;
		/* relaxed: a unique number is all it gives */
		if (!c[i].id)
			c[i].id = RC_PAXOS_ID(
				node,
				atomic_fetch_add_explicit(
					&pn->seq, 1, memory_order_relaxed) +
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
	if (rc_paxos_node_submitv(pn->px, now, c, k, NULL) < k)
		return -RC_ENOMEM;
	/* The callers runner: the leader proposes at once, unless the node
	 * is stalled (the submission waits in it like a message). */
	if (p->o.runner != RC_PAXOS_RUN_THREADS) {
		/* relaxed: a fault switch */
		if (atomic_load_explicit(&pn->stall_until,
					 memory_order_relaxed) <= now &&
		    rc_paxos_node_deadline(pn->px) <= now)
			rc_paxos_node_tick(pn->px, now);
	} else {
		pn->sent_to |= 1ull << node; /* wakes the node's thread */
	}
	note(pn);
	return 0;
}

bool _rc_paxos_await(rc_paxos_t *p, unsigned node, uint64_t timeout_ns,
		     bool (*cond)(void *), void *arg, void (*help)(void *),
		     void *help_arg)
{
	return await(p, node, timeout_ns, cond, arg, help, help_arg);
}

unsigned _rc_paxos_progress(rc_paxos_t *p, unsigned node, unsigned pass)
{
	if (p->o.runner == RC_PAXOS_RUN_THREADS || awaiting)
		return 0;
	return progress(p, node, pass, false, NULL, NULL, NULL);
}

unsigned _rc_paxos_parked(rc_paxos_t *p, unsigned node)
{
	return p->o.runner == RC_PAXOS_RUN_THREADS
		       ? _rc_event_waiters(&p->node[node].ev)
		       : _rc_event_waiters(&p->ev);
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
		node_lock(&p->node[node]);
		r = _rc_paxos_submit_locked(p, node, buf, m);
		node_unlock(&p->node[node]);
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
	/* acquire: pairs with the release in io_deliver */
	return atomic_load_explicit(&p->node[node].delivered,
				    memory_order_acquire);
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

int rc_paxos_poll(rc_paxos_t *p, unsigned node)
{
	if (node >= p->n)
		return -RC_EINVAL;
	if (p->o.runner == RC_PAXOS_RUN_THREADS)
		return 0;
	return progress(p, node, SWEEP - 1, false, NULL, NULL, NULL) > 0;
}

int rc_paxos_stall(rc_paxos_t *p, unsigned node, uint64_t ns)
{
	if (node >= p->n)
		return -RC_EINVAL;
	/* relaxed: a fault switch, no data */
	atomic_store_explicit(&p->node[node].stall_until,
			      ns ? rc_clock_now_ns() + ns : 0,
			      memory_order_relaxed);
	/* A stall's end is a timer of its own; wake who parks on it. */
	_rc_event_wake(&p->node[node].inbox);
	_rc_event_wake(&p->ev);
	return 0;
}

int rc_paxos_crash(rc_paxos_t *p, unsigned node)
{
	if (node >= p->n)
		return -RC_EINVAL;
	/* relaxed: a fault switch, no data */
	atomic_store_explicit(&p->node[node].crashed, true,
			      memory_order_relaxed);
	_rc_event_wake(&p->node[node].inbox);
	_rc_event_wake(&p->ev);
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
