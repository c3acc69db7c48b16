/* SPDX-License-Identifier: MIT */
/* run.c: the threaded runner: a protocol's nodes on real cores, messages inline in per-pair rings, each node's step machine run by the threads that wait on it or by a thread of its own, faults from a seed. */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ck_pr.h>

#include <replicore/clock.h>

#include "runtime/mring.h"
#include "protocols/rand.h"
#include "protocols/run/run.h"
#include "runtime/wait.h"

/*
 * Transport. Node i sends to node j through ring[i][j], a
 * single-producer single-consumer ring (mring.h) whose messages sit
 * inline in cache lines (Paxos: an ACCEPTED or a HEARTBEAT is one line,
 * an ACCEPT or DECIDE of one command two). Nothing is allocated per
 * message, except a message longer than the ring takes (Paxos: a PROMISE
 * or catch-up reply of many slots, a FORWARD of a large batch), which
 * travels as a pointer to a heap copy that the receiver frees. Node i's step machine
 * runs under node i's lock, so whoever holds that lock is the only
 * producer of ring[i][*] and the only consumer of ring[*][i]; the lock's
 * acquire and release hand both sides from one holder to the next. A full
 * ring drops the message, as a lossy network would; the protocol resends.
 *
 * Who runs a node's step machine. With the callers (Paxos:
 * RC_PAXOS_RUN_CALLERS, the default) no thread is created for the nodes:
 * the threads that use the group run them. rc_paxos_propose submits at
 * its node and runs it; a thread that waits (rc_paxos_wait, an append of
 * the Paxos log) runs its own node and
 * then every other node that is free (its lock not held), not stalled and
 * not crashed, until its condition holds. So a commit by one thread on an
 * otherwise idle group is a sequence of function calls with no thread
 * hand-off, and with threads on several nodes each node's messages are
 * handled by whichever of them comes first. With threads
 * (RC_PAXOS_RUN_THREADS) each node has a pinned thread of its own that runs it, as a separate
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
	void *m; /* heap copy */
};

struct pnode {
	_Alignas(64) struct _rc_run *p;
	unsigned id, pu;
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
	/* written by whoever runs the node, read by others */
	_Alignas(64) _Atomic uint64_t delivered; /* _rc_run_delivered's sum */
	_Atomic unsigned hint;			 /* _rc_run_hint */
	_Atomic uint64_t deadline;		 /* the next timer */
	/* the node's thread parks here: woken by messages, submissions and
	 * fault switches */
	_Alignas(64) struct _rc_event inbox;
	/* the callers runner: when a thread that waits at this node last
	 * said so (0: it parks or left), and which thread (its token) */
	_Alignas(64) _Atomic uint64_t active_at;
	_Atomic uintptr_t active_by;
	/* the threads runner's waiters for this node's deliveries */
	_Alignas(64) struct _rc_event ev;
};

/* One crash or stall of the seeded schedule. */
struct fault {
	uint64_t at, ns; /* from the start; a stall's length (0: crash) */
	unsigned node;
};

struct _rc_run {
	const struct _rc_run_proto *proto;
	void *ctx;
	struct _rc_run_opts o;
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
	/* the partition (_rc_run_partition): the side mask (0: none) and
	 * when it heals by itself; relaxed switches, read by every send */
	_Atomic uint64_t cut_side, cut_until;
	bool stopped;
	bool rings_ok; /* every ring initialised */
	/* the callers runner's waiters park here */
	_Alignas(64) struct _rc_event ev;
};

static struct _rc_mring *ring(struct _rc_run *p, unsigned from, unsigned to)
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
	struct _rc_run *p = pn->p;
	uint64_t to = pn->sent_to;
	bool dl = pn->delivered_now;

	pn->sent_to = 0;
	pn->delivered_now = false;
	/* release: pairs with the acquire exchange in node_trylock */
	atomic_store_explicit(&pn->locked, false, memory_order_release);
	if (!p->o.threads)
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
static void put(struct _rc_run *p, unsigned from, unsigned to, const void *m,
		uint64_t due)
{
	struct _rc_mring *r = ring(p, from, to);
	size_t sz = p->proto->msg_size(m);
	/*
	 * A steady stream (msg_stream; Paxos: a leader's ACCEPTs and DECIDEs
	 * of one slot) may not take the ring's last quarter: a follower that
	 * fell that far behind catches up with a CATCHUP, whose answer (and
	 * every other message) must then still find room.
	 */
	unsigned keep = p->proto->msg_stream && p->proto->msg_stream(m)
				? p->ring_keep
				: 0;
	char *d;

	if (due == 0 && (d = _rc_mring_reserve(r, sz, K_MSG, keep)) != NULL) {
		_rc_mring_write(r, d, m, sz);
	} else if (due != 0 && (d = _rc_mring_reserve(r, 8 + sz, K_DELAYED,
						      keep)) != NULL) {
		_rc_mring_write(r, d, &due, 8);
		_rc_mring_write(r, d + 8, m, sz);
	} else if (sz + 8 > _rc_mring_max(r)) {
		void *c = malloc(sz);

		if (!c)
			return;
		d = _rc_mring_reserve(r, 8 + sizeof c, K_REF, keep);
		if (!d) {
			free(c);
			p->node[from].lost++;
			return;
		}
		memcpy(c, m, sz);
		_rc_mring_write(r, d, &due, 8);
		_rc_mring_write(r, d + 8, &c, sizeof c);
	} else {
		p->node[from].lost++;
		return; /* full: lost */
	}
	_rc_mring_publish(r);
	p->node[from].sent_to |= 1ull << to;
}

void _rc_run_send(struct _rc_run *p, unsigned from, unsigned to, const void *m)
{
	struct pnode *pn = &p->node[from];
	const struct _rc_run_opts *f = &p->o;
	int copies = 1;

	if (f->drop > 0 && _rc_rand_unit(&pn->rng) < f->drop)
		return;
	if (_rc_run_cut(p, from, to))
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

void _rc_run_delivered(struct _rc_run *p, unsigned node, uint64_t n)
{
	struct pnode *pn = &p->node[node];

	/*
	 * release: what the protocol did for the delivery (its callback's
	 * effects) happens before a reader that sees the new count; pairs
	 * with the acquire in _rc_run_count. Only the node's lock holder
	 * writes the counter.
	 */
	atomic_store_explicit(
		&pn->delivered,
		atomic_load_explicit(&pn->delivered, memory_order_relaxed) + n,
		memory_order_release);
	pn->delivered_now = true;
}

void _rc_run_set_count(struct _rc_run *p, unsigned node, uint64_t n)
{
	struct pnode *pn = &p->node[node];

	/* release: the node's new state before the count; pairs with the
	 * acquire in _rc_run_count. Only the lock holder writes it. */
	atomic_store_explicit(&pn->delivered, n, memory_order_release);
	pn->delivered_now = true;
}

void _rc_run_signal(struct _rc_run *p, unsigned node)
{
	/* The wake happens at node_release, after the lock's release that
	 * publishes what the waiter looks at. */
	p->node[node].delivered_now = true;
}

uint64_t _rc_run_count(const struct _rc_run *p, unsigned node)
{
	/* acquire: pairs with the release in _rc_run_delivered */
	return atomic_load_explicit(&p->node[node].delivered,
				    memory_order_acquire);
}

void _rc_run_hint(struct _rc_run *p, unsigned node, unsigned v)
{
	struct pnode *pn = &p->node[node];

	/* relaxed: a hint for other threads, no data; stored only when
	 * changed, so a reader's copy of the line stays valid */
	if (atomic_load_explicit(&pn->hint, memory_order_relaxed) != v)
		atomic_store_explicit(&pn->hint, v, memory_order_relaxed);
}

unsigned _rc_run_hint_get(const struct _rc_run *p, unsigned node)
{
	/* relaxed: a hint */
	return atomic_load_explicit(&p->node[node].hint, memory_order_relaxed);
}

/* ---- running a node (under its lock) ---- */

static void hold(struct pnode *pn, uint64_t due, void *m)
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
	const struct _rc_run *p = pn->p;
	const void *m;
	void *c = NULL;
	uint64_t due = 0;

	if (!d)
		return false;
	if (kind == K_MSG) {
		m = d;
	} else {
		memcpy(&due, d, 8);
		if (kind == K_REF) {
			memcpy(&c, d + 8, sizeof c);
			m = c;
		} else {
			m = d + 8;
		}
	}
	if (due > *now) {
		if (!c) {
			size_t sz = p->proto->msg_size(m);

			c = malloc(sz);
			if (c)
				memcpy(c, m, sz);
		}
		if (c)
			hold(pn, due, c);
		_rc_mring_pop(r);
		return true;
	}
	p->proto->recv(p->ctx, pn->id, *now, m);
	_rc_mring_pop(r);
	free(c);
	return true;
}

/* Discards what arrives at a crashed node. */
static void discard(struct pnode *pn)
{
	struct _rc_run *p = pn->p;
	unsigned kind;

	for (unsigned j = 0; j < p->n; j++) {
		struct _rc_mring *r = ring(p, j, pn->id);
		const char *d;

		if (j == pn->id)
			continue;
		while ((d = _rc_mring_peek(r, &kind)) != NULL) {
			if (kind == K_REF) {
				void *c;

				memcpy(&c, d + 8, sizeof c);
				free(c);
			}
			_rc_mring_pop(r);
		}
	}
}

/* Publishes node pn's next timer and the protocol's hints. */
static void note(struct pnode *pn)
{
	const struct _rc_run *p = pn->p;
	uint64_t d = p->proto->deadline(p->ctx, pn->id);

	if (p->proto->note)
		p->proto->note(p->ctx, pn->id);
	for (unsigned i = 0; i < pn->nheld; i++)
		if (pn->held[i].due < d)
			d = pn->held[i].due;
	/* relaxed: a hint for other threads, no data; stored only when
	 * changed, so a reader's copy of the line stays valid */
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
	struct _rc_run *p = pn->p;
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
			void *m = pn->held[i].m;

			pn->held[i] = pn->held[--pn->nheld];
			p->proto->recv(p->ctx, pn->id, now, m);
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
	if (p->proto->deadline(p->ctx, pn->id) <= now) {
		p->proto->tick(p->ctx, pn->id, now);
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
static unsigned try_run(struct _rc_run *p, unsigned i, uint64_t now, bool *wake)
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
static bool has_message(struct _rc_run *p, unsigned i)
{
	for (unsigned j = 0; j < p->n; j++)
		if (j != i && _rc_mring_ready(ring(p, j, i)))
			return true;
	return false;
}

static bool has_work(struct _rc_run *p, unsigned i, uint64_t now)
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

static bool active_other(struct _rc_run *p, unsigned i, uint64_t now)
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
static bool runs(struct _rc_run *p, unsigned node, unsigned i, uint64_t now)
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
static unsigned progress(struct _rc_run *p, unsigned node, unsigned pass,
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
static uint64_t park_bound(struct _rc_run *p, uint64_t now)
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
 * help function makes no pass of its own (_rc_run_progress), since the
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
static bool await(struct _rc_run *p, unsigned node, uint64_t timeout_ns,
		  bool (*cond)(void *), void *arg, void (*help)(void *),
		  void *help_arg)
{
	bool callers = !p->o.threads;
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
	struct _rc_run *p = pn->p;
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
static int plan_faults(struct _rc_run *p, rc_err_t *err)
{
	const struct _rc_run_opts *f = &p->o;
	uint64_t rng = p->o.seed ^ 0xfa017fa017ull, span = p->o.fault_ns;

	if (span == 0 || (f->crash == 0 && f->stall == 0))
		return 0;
	assert(f->crash < p->n);
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
	struct _rc_run *p = arg;
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
			_rc_run_stall(p, x->node, x->ns);
		else
			_rc_run_crash(p, x->node);
	}
	return NULL;
}

/* ---- the runner ---- */

int _rc_run_create(struct _rc_run **out, const struct _rc_run_proto *proto,
		   void *ctx, const struct _rc_run_opts *o, rc_err_t *err)
{
	struct _rc_run *p;
	unsigned *pus, lines;
	int r;

	assert(o->nodes >= 1 && o->nodes <= 64);
	p = calloc(1, sizeof *p);
	if (!p)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	p->proto = proto;
	p->ctx = ctx;
	p->o = *o;
	p->n = o->nodes;
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
	p->rings_ok = true;
	p->topo = o->topo;
	if (!p->topo) {
		r = rc_topo_open(&p->own_topo, NULL, NULL, err);
		if (r < 0) {
			free(pus);
			goto fail;
		}
		p->topo = p->own_topo;
	}
	r = plan_faults(p, err);
	if (r < 0) {
		free(pus);
		goto fail;
	}
	rc_topo_spread(p->topo, p->n, pus);
	for (unsigned i = 0; i < p->n; i++) {
		struct pnode *pn = &p->node[i];

		pn->p = p;
		pn->id = i;
		pn->pu = pus[i];
		pn->rng = o->seed * 0x2545f4914f6cdd1dull + i;
		_rc_event_init(&pn->ev);
		_rc_event_init(&pn->inbox);
	}
	free(pus);
	*out = p;
	return 0;
fail:
	_rc_run_destroy(p);
	return r;
}

int _rc_run_start(struct _rc_run *p, rc_err_t *err)
{
	if (p->o.threads)
		for (unsigned i = 0; i < p->n; i++) {
			if (pthread_create(&p->node[i].th, NULL, node_main,
					   &p->node[i]) != 0)
				return rc_err_set(err, RC_ESYS, NULL, 0, 0,
						  "cannot create node thread "
						  "%u",
						  i);
			p->node[i].started = true;
		}
	p->t0 = rc_clock_now_ns();
	if (p->nfaults > 0) {
		if (pthread_create(&p->fault_th, NULL, fault_main, p) != 0)
			return rc_err_set(err, RC_ESYS, NULL, 0, 0,
					  "cannot create the fault thread");
		p->fault_started = true;
	}
	return 0;
}

void _rc_run_stop(struct _rc_run *p)
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
	p->stopped = true;
}

void _rc_run_destroy(struct _rc_run *p)
{
	if (!p)
		return;
	_rc_run_stop(p);
	for (unsigned i = 0; i < p->n; i++) {
		struct pnode *pn = &p->node[i];

		if (p->rings_ok) {
			node_lock(pn);
			discard(pn);
			node_unlock(pn);
		}
		for (unsigned k = 0; k < pn->nheld; k++)
			free(pn->held[k].m);
		free(pn->held);
	}
	for (unsigned i = 0; p->ring && i < p->n * p->n; i++)
		_rc_mring_fini(&p->ring[i]);
	free(p->faults);
	rc_topo_close(p->own_topo);
	free(p->ring);
	free(p->node);
	free(p);
}

void _rc_run_lock(struct _rc_run *p, unsigned node)
{
	node_lock(&p->node[node]);
}

void _rc_run_unlock(struct _rc_run *p, unsigned node)
{
	node_unlock(&p->node[node]);
}

void _rc_run_submitted(struct _rc_run *p, unsigned node, uint64_t now)
{
	struct pnode *pn = &p->node[node];

	/* The callers runner: the node's timers run at once if due (a
	 * leader proposes), unless the node is stalled (the submission waits
	 * in it like a message). */
	if (!p->o.threads) {
		/* relaxed: a fault switch */
		if (atomic_load_explicit(&pn->stall_until,
					 memory_order_relaxed) <= now &&
		    p->proto->deadline(p->ctx, node) <= now)
			p->proto->tick(p->ctx, node, now);
	} else {
		pn->sent_to |= 1ull << node; /* wakes the node's thread */
	}
	note(pn);
}

void _rc_run_note(struct _rc_run *p, unsigned node)
{
	note(&p->node[node]);
}

bool _rc_run_await(struct _rc_run *p, unsigned node, uint64_t timeout_ns,
		   bool (*cond)(void *), void *arg, void (*help)(void *),
		   void *help_arg)
{
	return await(p, node, timeout_ns, cond, arg, help, help_arg);
}

unsigned _rc_run_progress(struct _rc_run *p, unsigned node, unsigned pass)
{
	if (p->o.threads || awaiting)
		return 0;
	return progress(p, node, pass, false, NULL, NULL, NULL);
}

int _rc_run_poll(struct _rc_run *p, unsigned node)
{
	if (p->o.threads)
		return 0;
	return progress(p, node, SWEEP - 1, false, NULL, NULL, NULL) > 0;
}

unsigned _rc_run_parked(struct _rc_run *p, unsigned node)
{
	return p->o.threads ? _rc_event_waiters(&p->node[node].ev)
			    : _rc_event_waiters(&p->ev);
}

void _rc_run_stall(struct _rc_run *p, unsigned node, uint64_t ns)
{
	/* relaxed: a fault switch, no data */
	atomic_store_explicit(&p->node[node].stall_until,
			      ns ? rc_clock_now_ns() + ns : 0,
			      memory_order_relaxed);
	/* A stall's end is a timer of its own; wake who parks on it. */
	_rc_event_wake(&p->node[node].inbox);
	_rc_event_wake(&p->ev);
}

void _rc_run_crash(struct _rc_run *p, unsigned node)
{
	/* relaxed: a fault switch, no data */
	atomic_store_explicit(&p->node[node].crashed, true,
			      memory_order_relaxed);
	_rc_event_wake(&p->node[node].inbox);
	_rc_event_wake(&p->ev);
}

void _rc_run_restart(struct _rc_run *p, unsigned node)
{
	struct pnode *pn = &p->node[node];

	discard(pn);
	/* relaxed: fault switches; the node's new state is published by
	 * the caller's release of the node's lock */
	atomic_store_explicit(&pn->stall_until, 0, memory_order_relaxed);
	atomic_store_explicit(&pn->crashed, false, memory_order_relaxed);
	_rc_event_wake(&pn->inbox);
	_rc_event_wake(&p->ev);
}

void _rc_run_partition(struct _rc_run *p, uint64_t side, uint64_t ns)
{
	/* relaxed: fault switches, no data; a send that reads the old ones
	 * races with the call as a message in flight would. The deadline
	 * first, so a send that sees the new side sees it too (both
	 * relaxed: at worst one message of the old partition is dropped or
	 * passes). */
	atomic_store_explicit(&p->cut_until,
			      ns ? rc_clock_now_ns() + ns : UINT64_MAX,
			      memory_order_relaxed);
	atomic_store_explicit(&p->cut_side, side, memory_order_relaxed);
}

void _rc_run_heal(struct _rc_run *p)
{
	/* relaxed: a fault switch, no data */
	atomic_store_explicit(&p->cut_side, 0, memory_order_relaxed);
	/* Resends wait for timers: let parked waiters look at them. */
	for (unsigned i = 0; i < p->n; i++)
		_rc_event_wake(&p->node[i].inbox);
	_rc_event_wake(&p->ev);
}

bool _rc_run_cut(struct _rc_run *p, unsigned from, unsigned to)
{
	/* relaxed: fault switches, no data */
	uint64_t side =
		atomic_load_explicit(&p->cut_side, memory_order_relaxed);

	if (side == 0 || (side >> from & 1) == (side >> to & 1))
		return false;
	return rc_clock_now_ns() <
	       atomic_load_explicit(&p->cut_until, memory_order_relaxed);
}

bool _rc_run_crashed(const struct _rc_run *p, unsigned node)
{
	/* relaxed: a fault switch, no data */
	return atomic_load_explicit(&p->node[node].crashed,
				    memory_order_relaxed);
}

uint64_t _rc_run_doomed(const struct _rc_run *p)
{
	return p->doomed;
}

uint64_t _rc_run_lost(const struct _rc_run *p, unsigned node)
{
	return p->node[node].lost;
}
