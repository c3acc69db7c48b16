/* SPDX-License-Identifier: MIT */
/* snapshot.c: a node of the bank: reliable FIFO channels over a lossy transport, transfers, and Chandy-Lamport snapshots (1985). */
#include <stdlib.h>
#include <string.h>

#include "protocols/snapshot/snapshot.h"

/*
 * The algorithm (Chandy and Lamport, "Distributed Snapshots", 1985) needs
 * channels that lose nothing and keep order; the simulated transport
 * drops, duplicates and reorders. Each directed channel is therefore a
 * go-back-N sender and an in-order receiver: data carry a sequence number,
 * the receiver applies only the next one and acknowledges every datum with
 * the number it expects next, and the sender keeps what is unacknowledged
 * and sends again the first WINDOW of it when RTO passes without progress.
 *
 * A snapshot s, at node p:
 *   - p records s when it starts s or when the first marker of s reaches
 *     it: it keeps its balance as its state in s, then sends a marker of s
 *     on every outgoing channel before anything else;
 *   - from then, every transfer arriving on channel q -> p before q's
 *     marker of s belongs to that channel's state in s;
 *   - s is complete at p when the marker of s arrived on every incoming
 *     channel.
 * With FIFO channels a transfer sent before its sender recorded s arrives
 * before the sender's marker: it is in the receiver's state (arrived before
 * the receiver recorded) or in the channel's state (after), never lost nor
 * counted twice; one sent after arrives after the marker, in neither. So
 * the states and channel states of s add up to the bank's total, and form
 * a consistent cut.
 *
 * Over a transport that loses nothing (io.reliable: rc_chan between
 * threads, protocols/snapshot/bank.c) the same node runs unchanged but
 * never resends: the acknowledgements then only move the window.
 */

enum {
	WINDOW = 16,  /* data in flight per channel */
	RTO = 1000,   /* us: above the transport's longest delay, 519 us */
	LATE_US = 50, /* RC_SNAP_LATE_MARKERS: the markers' lateness */
};

struct chan {
	struct _rc_snap_msg *q; /* unacknowledged data, by sequence */
	size_t qn, qcap, sent;	/* sent: how many of q went out once */
	uint32_t next;		/* next sequence number to give */
	uint32_t expect;	/* incoming: next sequence number to apply */
	uint64_t rto;		/* when to send q again */
};

struct _rc_snap_node {
	unsigned nodes, id;
	enum _rc_snap_variant variant;
	struct _rc_snap_io io;
	int64_t balance;
	bool oom;	   /* a datum found no memory: the run is void */
	uint64_t others;   /* a bit per other node */
	uint64_t recorded; /* a bit per snapshot recorded here */
	uint64_t late;	   /* RC_SNAP_LATE_MARKERS: markers not sent yet */
	uint64_t late_at;  /* when to send them */
	int64_t state[RC_SNAP_MAX];
	int64_t chan[RC_SNAP_MAX];
	uint64_t markers[RC_SNAP_MAX]; /* incoming channels whose marker came */
	struct chan ch[RC_SIM_MAX_NODES];
};

static uint64_t bit(unsigned i)
{
	return UINT64_C(1) << i;
}

struct _rc_snap_node *_rc_snap_node_create(unsigned nodes, unsigned id,
					   int64_t balance,
					   enum _rc_snap_variant variant,
					   const struct _rc_snap_io *io)
{
	struct _rc_snap_node *n;

	if (nodes < 2 || nodes > RC_SIM_MAX_NODES || id >= nodes)
		return NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->nodes = nodes;
	n->id = id;
	n->variant = variant;
	n->io = *io;
	n->balance = balance;
	n->others = (nodes == 64 ? ~UINT64_C(0) : bit(nodes) - 1) & ~bit(id);
	return n;
}

void _rc_snap_node_destroy(struct _rc_snap_node *n)
{
	if (n == NULL)
		return;
	for (unsigned j = 0; j < n->nodes; j++)
		free(n->ch[j].q);
	free(n);
}

/* Queues m on the channel to `to` and sends it when the window has room. */
static bool put(struct _rc_snap_node *n, uint64_t now, unsigned to,
		struct _rc_snap_msg *m)
{
	struct chan *c = &n->ch[to];

	if (c->qn == c->qcap) {
		size_t nc = c->qcap ? 2 * c->qcap : 16;
		struct _rc_snap_msg *q = realloc(c->q, nc * sizeof(*q));

		if (q == NULL)
			return false;
		c->q = q;
		c->qcap = nc;
	}
	m->from = (uint16_t)n->id;
	m->to = (uint16_t)to;
	m->seq = c->next++;
	c->q[c->qn++] = *m;
	if (c->qn == 1)
		c->rto = now + RTO;
	if (c->sent < c->qn && c->sent < WINDOW)
		n->io.send(n->io.ctx, n->id, to, &c->q[c->sent++]);
	return true;
}

/* Sends a marker of snapshot s on every outgoing channel. */
static void markers(struct _rc_snap_node *n, uint64_t now, unsigned s)
{
	for (unsigned j = 0; j < n->nodes; j++) {
		struct _rc_snap_msg m;

		if (j == n->id)
			continue;
		memset(&m, 0, sizeof(m));
		m.type = RC_SM_MARKER;
		m.snap = (uint8_t)s;
		if (!put(n, now, j, &m))
			n->oom = true;
	}
}

/* Records snapshot s here: the state, then a marker on every channel. */
static void record(struct _rc_snap_node *n, uint64_t now, unsigned s)
{
	n->recorded |= bit(s);
	n->state[s] = n->balance;
	n->chan[s] = 0;
	n->markers[s] = 0;
	if (n->io.recorded != NULL)
		n->io.recorded(n->io.ctx, n->id, s);
	if (n->variant == RC_SNAP_LATE_MARKERS) {
		if (n->late == 0)
			n->late_at = now + LATE_US;
		n->late |= bit(s);
		return;
	}
	markers(n, now, s);
}

bool _rc_snap_node_transfer(struct _rc_snap_node *n, uint64_t now, unsigned to,
			    int64_t amount)
{
	struct _rc_snap_msg m;

	if (to == n->id || to >= n->nodes || amount <= 0 || amount > n->balance)
		return false;
	memset(&m, 0, sizeof(m));
	m.type = RC_SM_TRANSFER;
	m.amount = amount;
	m.sent_in = n->recorded;
	if (!put(n, now, to, &m))
		return false;
	n->balance -= amount;
	return true;
}

bool _rc_snap_node_start(struct _rc_snap_node *n, uint64_t now, unsigned snap)
{
	if (snap >= RC_SNAP_MAX || (n->recorded & bit(snap)))
		return false;
	record(n, now, snap);
	return true;
}

/* A datum from j, in channel order. */
static void apply(struct _rc_snap_node *n, uint64_t now,
		  const struct _rc_snap_msg *m)
{
	unsigned j = m->from;

	if (m->type == RC_SM_MARKER) {
		if (!(n->recorded & bit(m->snap)))
			record(n, now, m->snap);
		n->markers[m->snap] |= bit(j);
		return;
	}
	n->balance += m->amount;
	if (n->io.applied != NULL)
		n->io.applied(n->io.ctx, n->id, m, n->recorded);
	if (n->variant == RC_SNAP_NO_CHANNELS)
		return;
	for (uint64_t r = n->recorded; r != 0; r &= r - 1) {
		unsigned s = (unsigned)__builtin_ctzll(r);

		if (!(n->markers[s] & bit(j)))
			n->chan[s] += m->amount;
	}
}

void _rc_snap_node_recv(struct _rc_snap_node *n, uint64_t now,
			const struct _rc_snap_msg *m)
{
	struct chan *c;
	struct _rc_snap_msg ack;

	if (m->from >= n->nodes || m->from == n->id)
		return;
	c = &n->ch[m->from];
	if (m->type == RC_SM_ACK) {
		size_t done = 0;

		while (done < c->qn && (int32_t)(c->q[done].seq - m->seq) < 0)
			done++;
		if (done == 0)
			return;
		memmove(c->q, c->q + done, (c->qn - done) * sizeof(*c->q));
		c->qn -= done;
		c->sent = c->sent > done ? c->sent - done : 0;
		c->rto = now + RTO;
		while (c->sent < c->qn && c->sent < WINDOW)
			n->io.send(n->io.ctx, n->id, m->from, &c->q[c->sent++]);
		return;
	}
	if (m->seq == c->expect) {
		c->expect++;
		apply(n, now, m);
	}
	/* every datum is answered: a lost ack is made good by the next */
	memset(&ack, 0, sizeof(ack));
	ack.type = RC_SM_ACK;
	ack.from = (uint16_t)n->id;
	ack.to = m->from;
	ack.seq = c->expect;
	n->io.send(n->io.ctx, n->id, m->from, &ack);
}

void _rc_snap_node_tick(struct _rc_snap_node *n, uint64_t now)
{
	if (n->late != 0 && now >= n->late_at) {
		for (uint64_t r = n->late; r != 0; r &= r - 1)
			markers(n, now, (unsigned)__builtin_ctzll(r));
		n->late = 0;
	}
	for (unsigned j = 0; j < n->nodes; j++) {
		struct chan *c = &n->ch[j];

		if (c->qn == 0 || now < c->rto || n->io.reliable)
			continue;
		for (size_t i = 0; i < c->sent; i++)
			n->io.send(n->io.ctx, n->id, j, &c->q[i]);
		c->rto = now + RTO;
	}
}

uint64_t _rc_snap_node_deadline(const struct _rc_snap_node *n)
{
	uint64_t d = n->late != 0 ? n->late_at : UINT64_MAX;

	if (n->io.reliable)
		return d;
	for (unsigned j = 0; j < n->nodes; j++)
		if (n->ch[j].qn > 0 && n->ch[j].rto < d)
			d = n->ch[j].rto;
	return d;
}

bool _rc_snap_node_idle(const struct _rc_snap_node *n)
{
	if (n->late != 0)
		return false;
	for (unsigned j = 0; j < n->nodes; j++)
		if (n->ch[j].qn > 0)
			return false;
	for (uint64_t r = n->recorded; r != 0; r &= r - 1)
		if (n->markers[__builtin_ctzll(r)] != n->others)
			return false;
	return true;
}

bool _rc_snap_node_oom(const struct _rc_snap_node *n)
{
	return n->oom;
}

int64_t _rc_snap_node_balance(const struct _rc_snap_node *n)
{
	return n->balance;
}

bool _rc_snap_node_result(const struct _rc_snap_node *n, unsigned snap,
			  int64_t *state, int64_t *channels, bool *complete)
{
	if (snap >= RC_SNAP_MAX || !(n->recorded & bit(snap)))
		return false;
	*state = n->state[snap];
	*channels = n->chan[snap];
	*complete = n->markers[snap] == n->others;
	return true;
}

void _rc_snap_msg_describe(const struct _rc_snap_msg *m, char *buf, size_t len)
{
	switch (m->type) {
	case RC_SM_TRANSFER:
		snprintf(buf, len, "transfer %u->%u seq=%u amount=%lld",
			 m->from, m->to, m->seq, (long long)m->amount);
		break;
	case RC_SM_MARKER:
		snprintf(buf, len, "marker %u->%u seq=%u snap=%u", m->from,
			 m->to, m->seq, m->snap);
		break;
	case RC_SM_ACK:
		snprintf(buf, len, "ack %u->%u below=%u", m->from, m->to,
			 m->seq);
		break;
	default:
		snprintf(buf, len, "? type=%u", m->type);
	}
}

const char *_rc_snap_prop_name(unsigned prop)
{
	switch (prop) {
	case RC_SNAP_CONSERVATION:
		return "conservation";
	case RC_SNAP_CONSISTENT:
		return "consistent cut";
	case RC_SNAP_TERMINATION:
		return "termination";
	default:
		return "?";
	}
}
