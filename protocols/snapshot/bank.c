/* SPDX-License-Identifier: MIT */
/* bank.c: rc_snap, the bank and its Chandy-Lamport snapshots between threads: each process runs the step machine of snapshot.c over one rc_chan inbox. */
#include <assert.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/chan.h>
#include <replicore/clock.h>
#include <replicore/snapshot.h>

#include "protocols/snapshot/snapshot.h"

/*
 * The node of snapshot.c, unchanged, with rc_chan as its transport: each
 * process has one multi-sender inbox, reliable and FIFO per sender, which
 * is what the algorithm assumes. The node keeps its own sequence numbers
 * and acknowledgements (the simulator's transport needs them); here the
 * node is told the transport loses nothing (io.reliable), so it never
 * sends again, and the acknowledgements only move its window of 16
 * unacknowledged messages per channel.
 *
 * A message is packed into the channel's pointer-sized word: kind (3
 * bits: the node's transfer, marker and acknowledgement, and the two of
 * rc_snap_finish), sender (6), sequence number (32) and a payload of 23
 * bits (a transfer's amount, a marker's snapshot).
 *
 * Room: to one process, another has at most 16 transfers or markers in
 * flight (the window), 16 acknowledgements (one per message of the
 * receiver's window it took) and the 2 messages of rc_snap_finish; an
 * inbox holds 64 per other process, so a send never finds it full; one
 * that did would wait in rc_chan_send for the receiver.
 *
 * Ending (rc_snap_finish), not in the paper: a process that finishes
 * sends its late markers if any, then STOP to every process. STOP from p
 * follows, on p's FIFO channel, the markers of every snapshot p started,
 * so a process that has STOP from all the others has recorded every
 * snapshot the bank will ever have. It then waits until its node is idle
 * (its transfers and markers acknowledged, each snapshot's marker in on
 * every channel) and sends DONE to every process; it returns once it has
 * DONE from all. A process that sent DONE sends nothing more but
 * acknowledgements of data another process sent it, and that process is
 * not idle until they arrive; so when every DONE is in, nothing is in
 * flight to the returning process.
 *
 * Only the owner thread touches a process's node and counters; the other
 * threads only send to its inbox (created before the threads start). So
 * the state needs no atomics: the channel's release and acquire order
 * what a message carries. The one shared word is the snapshot counter.
 */

enum {
	K_STOP = 4,
	K_DONE = 5,
	KIND_BITS = 3,
	FROM_BITS = 6,
	SEQ_BITS = 32,
	PAY_BITS = 23,
	PER_SENDER = 64, /* inbox slots per other process (above) */
};

_Static_assert(sizeof(void *) == 8, "a message is packed into 64 bits");
_Static_assert(KIND_BITS + FROM_BITS + SEQ_BITS + PAY_BITS == 64, "packing");
_Static_assert((1 << FROM_BITS) >= RC_SNAP_MAX_PROCS, "sender bits");
_Static_assert(RC_SNAP_MAX_TAKEN == RC_SNAP_MAX, "a bit per snapshot");
_Static_assert(RC_SNAP_MAX_PROCS <= RC_SIM_MAX_NODES, "the node's channels");

struct proc {
	struct _rc_snap_node *node;
	rc_chan_t *inbox;
	unsigned stops, dones; /* STOP and DONE taken in */
	bool finished;
	uint32_t *sent;		/* [n]: transfers sent to j */
	uint32_t *applied;	/* [n]: transfers applied from j */
	uint32_t *cut;		/* [RC_SNAP_MAX][2n]: sent, applied at record */
} __attribute__((aligned(64))); /* one cache line apart: no false sharing */

struct rc_snap {
	unsigned n;
	struct proc *procs;
	_Atomic unsigned taken __attribute__((aligned(64)));
};

static uint64_t now_us(void)
{
	return rc_clock_now_ns() / 1000;
}

static void *pack(unsigned kind, unsigned from, uint32_t seq, uint64_t pay)
{
	assert(pay < (UINT64_C(1) << PAY_BITS));
	return (void *)(uintptr_t)(pay << (KIND_BITS + FROM_BITS + SEQ_BITS) |
				   (uint64_t)seq << (KIND_BITS + FROM_BITS) |
				   (uint64_t)from << KIND_BITS | kind);
}

static void post(struct rc_snap *b, unsigned to, void *w)
{
	/* release: pairs with the acquire of the receive in take() or
	 * finish's wait; never full (room, above) */
	if (!rc_chan_trysend_mpsc(b->procs[to].inbox, w))
		rc_chan_send_mpsc(b->procs[to].inbox, w);
}

static void io_send(void *ctx, unsigned from, unsigned to,
		    const struct _rc_snap_msg *m)
{
	uint64_t pay = m->type == RC_SM_TRANSFER ? (uint64_t)m->amount
		       : m->type == RC_SM_MARKER ? m->snap
						 : 0;

	post(ctx, to, pack(m->type, from, m->seq, pay));
}

static void io_applied(void *ctx, unsigned to, const struct _rc_snap_msg *m,
		       uint64_t recorded)
{
	struct rc_snap *b = ctx;

	(void)recorded;
	b->procs[to].applied[m->from]++;
}

static void io_recorded(void *ctx, unsigned node, unsigned snap)
{
	struct rc_snap *b = ctx;
	struct proc *p = &b->procs[node];
	uint32_t *c = p->cut + (size_t)snap * 2 * b->n;

	memcpy(c, p->sent, b->n * sizeof(*c));
	memcpy(c + b->n, p->applied, b->n * sizeof(*c));
}

/* One message taken from the inbox. */
static void handle(struct rc_snap *b, struct proc *p, void *w)
{
	uint64_t v = (uintptr_t)w;
	unsigned kind = (unsigned)(v & ((1u << KIND_BITS) - 1));
	struct _rc_snap_msg m;

	if (kind == K_STOP) {
		p->stops++;
		return;
	}
	if (kind == K_DONE) {
		p->dones++;
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = (uint8_t)kind;
	m.from = (uint16_t)(v >> KIND_BITS & ((1u << FROM_BITS) - 1));
	m.to = (uint16_t)(p - b->procs);
	m.seq = (uint32_t)(v >> (KIND_BITS + FROM_BITS));
	v >>= KIND_BITS + FROM_BITS + SEQ_BITS;
	if (kind == RC_SM_TRANSFER)
		m.amount = (int64_t)v;
	else if (kind == RC_SM_MARKER)
		m.snap = (uint8_t)v;
	_rc_snap_node_recv(p->node, now_us(), &m);
}

/* Serves the inbox as it is now, then sends late markers that are due. */
static unsigned take(struct rc_snap *b, struct proc *p)
{
	unsigned k = 0;
	void *w;

	/* acquire: pairs with the release of the send in post() */
	while (rc_chan_tryrecv_mpsc(p->inbox, &w)) {
		handle(b, p, w);
		k++;
	}
	_rc_snap_node_tick(p->node, now_us());
	return k;
}

int rc_snap_create(rc_snap_t **out, unsigned nprocs, int64_t balance,
		   unsigned flags, rc_err_t *err)
{
	struct rc_snap *b;
	struct _rc_snap_io io;
	enum _rc_snap_variant v = RC_SNAP_CHANDY_LAMPORT;
	int r;

	*out = NULL;
	if (nprocs < 2 || nprocs > RC_SNAP_MAX_PROCS)
		return rc_err_set(err, RC_EINVAL, "nprocs", 0, 0,
				  "%u processes: 2..%u", nprocs,
				  RC_SNAP_MAX_PROCS);
	if (balance < 0 || balance > (INT64_C(1) << 40))
		return rc_err_set(err, RC_EINVAL, "balance", 0, 0,
				  "a balance of %lld: 0..2^40",
				  (long long)balance);
	if (flags == RC_SNAP_BROKEN_NO_CHANNELS)
		v = RC_SNAP_NO_CHANNELS;
	else if (flags == RC_SNAP_BROKEN_LATE_MARKERS)
		v = RC_SNAP_LATE_MARKERS;
	else if (flags != 0)
		return rc_err_set(err, RC_EINVAL, "flags", 0, 0,
				  "flags %#x: none or one broken variant",
				  flags);
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	b->n = nprocs;
	if (posix_memalign((void **)&b->procs, 64,
			   nprocs * sizeof(*b->procs))) {
		free(b);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memset(b->procs, 0, nprocs * sizeof(*b->procs));
	atomic_init(&b->taken, 0);
	memset(&io, 0, sizeof(io));
	io.ctx = b;
	io.send = io_send;
	io.applied = io_applied;
	io.recorded = io_recorded;
	io.reliable = true;
	for (unsigned i = 0; i < nprocs; i++) {
		struct proc *p = &b->procs[i];

		r = rc_chan_create(&p->inbox, RC_CHAN_MPSC, PER_SENDER * nprocs,
				   err);
		if (r < 0) {
			rc_snap_destroy(b);
			return r;
		}
		p->node = _rc_snap_node_create(nprocs, i, balance, v, &io);
		p->sent = calloc(nprocs, sizeof(*p->sent));
		p->applied = calloc(nprocs, sizeof(*p->applied));
		p->cut = calloc((size_t)RC_SNAP_MAX * 2 * nprocs,
				sizeof(*p->cut));
		if (!p->node || !p->sent || !p->applied || !p->cut) {
			rc_snap_destroy(b);
			return rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
					  "out of memory");
		}
	}
	*out = b;
	return 0;
}

void rc_snap_destroy(rc_snap_t *b)
{
	if (b == NULL)
		return;
	for (unsigned i = 0; i < b->n; i++) {
		struct proc *p = &b->procs[i];

		if (p->inbox)
			rc_chan_destroy(p->inbox);
		_rc_snap_node_destroy(p->node);
		free(p->sent);
		free(p->applied);
		free(p->cut);
	}
	free(b->procs);
	free(b);
}

bool rc_snap_transfer(rc_snap_t *b, unsigned proc, unsigned to, int64_t amount)
{
	struct proc *p;

	assert(proc < b->n && !b->procs[proc].finished);
	p = &b->procs[proc];
	if (to >= b->n || amount > RC_SNAP_MAX_AMOUNT ||
	    !_rc_snap_node_transfer(p->node, now_us(), to, amount))
		return false;
	p->sent[to]++;
	return true;
}

int rc_snap_take(rc_snap_t *b, unsigned proc)
{
	unsigned s;

	assert(proc < b->n && !b->procs[proc].finished);
	/* relaxed: the number need only be unique; the snapshot reaches the
	 * others through its markers (release/acquire of the channels) */
	s = atomic_fetch_add_explicit(&b->taken, 1, memory_order_relaxed);
	if (s >= RC_SNAP_MAX_TAKEN)
		return -RC_ENOMEM;
	(void)_rc_snap_node_start(b->procs[proc].node, now_us(), s);
	return (int)s;
}

unsigned rc_snap_serve(rc_snap_t *b, unsigned proc)
{
	assert(proc < b->n);
	return take(b, &b->procs[proc]);
}

static void tell_all(struct rc_snap *b, unsigned proc, unsigned kind)
{
	for (unsigned j = 0; j < b->n; j++)
		if (j != proc)
			post(b, j, pack(kind, proc, 0, 0));
}

/*
 * Waits for one message and handles it, or until the node's deadline (a
 * late marker due) when it has one.
 */
static void wait_one(struct rc_snap *b, struct proc *p)
{
	uint64_t d = _rc_snap_node_deadline(p->node), now;
	void *w;

	if (d == UINT64_MAX) {
		/* acquire, as in take() */
		handle(b, p, rc_chan_recv_mpsc(p->inbox));
		return;
	}
	now = now_us();
	/* acquire, as in take(); a timeout leaves the tick to take() */
	if (d > now &&
	    rc_chan_recv_timed_mpsc(p->inbox, &w, (d - now) * 1000) == 0)
		handle(b, p, w);
}

void rc_snap_finish(rc_snap_t *b, unsigned proc)
{
	struct proc *p;
	bool done = false;

	assert(proc < b->n && !b->procs[proc].finished);
	p = &b->procs[proc];
	p->finished = true;
	/* late markers first: STOP must follow every marker it started */
	while (take(b, p), _rc_snap_node_deadline(p->node) != UINT64_MAX)
		wait_one(b, p);
	tell_all(b, proc, K_STOP);
	for (;;) {
		take(b, p);
		if (!done && p->stops == b->n - 1 &&
		    _rc_snap_node_idle(p->node)) {
			tell_all(b, proc, K_DONE);
			done = true;
		}
		if (done && p->dones == b->n - 1)
			return;
		wait_one(b, p);
	}
}

int rc_snap_result(const rc_snap_t *b, unsigned snap, unsigned proc,
		   struct rc_snap_record *r, uint32_t *sent, uint32_t *applied)
{
	const struct proc *p;
	const uint32_t *c;

	if (proc >= b->n || snap >= RC_SNAP_MAX_TAKEN)
		return -RC_EINVAL;
	p = &b->procs[proc];
	if (!_rc_snap_node_result(p->node, snap, &r->state, &r->channels,
				  &r->complete))
		return -RC_ENOENT;
	c = p->cut + (size_t)snap * 2 * b->n;
	if (sent)
		memcpy(sent, c, b->n * sizeof(*sent));
	if (applied)
		memcpy(applied, c + b->n, b->n * sizeof(*applied));
	return 0;
}

int64_t rc_snap_balance(const rc_snap_t *b, unsigned proc)
{
	assert(proc < b->n);
	return _rc_snap_node_balance(b->procs[proc].node);
}

unsigned rc_snap_taken(const rc_snap_t *b)
{
	/* relaxed: a count; exact once the finishes are joined */
	unsigned t = atomic_load_explicit(&b->taken, memory_order_relaxed);

	return t < RC_SNAP_MAX_TAKEN ? t : RC_SNAP_MAX_TAKEN;
}

unsigned rc_snap_nprocs(const rc_snap_t *b)
{
	return b->n;
}
