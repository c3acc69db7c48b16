/* SPDX-License-Identifier: MIT */
/* link.c: the reliable FIFO link Lamport's algorithm assumes, over the simulator's transport that drops, duplicates and reorders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/lmutex/lmutex.h"

/*
 * Invariant: node `to` hands the algorithm the messages node `from` sent
 * it exactly once each and in the order sent, whatever the transport
 * drops, duplicates or reorders, as long as some copies get through.
 *
 * Per ordered pair the sender numbers its data 1, 2, ... and keeps every
 * datum until it is acknowledged; the receiver keeps `expect`, the next
 * number it may deliver, delivers a datum numbered expect (and then the
 * ones it buffered that follow), buffers one numbered above, drops one
 * below (a duplicate), and answers every datum with the cumulative
 * acknowledgement expect - 1, so a lost acknowledgement is made good by
 * the next. The sender resends everything unacknowledged when the pair's
 * timer runs out; the timeout starts at RTO_MIN, doubles on each
 * expiry up to RTO_MAX, and falls back to RTO_MIN when an acknowledgement
 * brings news. A peer that crashed is resent to every RTO_MAX for ever:
 * the link cannot tell a crash from a long silence (neither can the
 * algorithm, which is why it blocks).
 */

#define RTO_MIN 40   /* us: four times the transport's longest latency */
#define RTO_MAX 5000 /* us */

struct wbuf {
	struct _rc_lmutex_wire *w;
	size_t n, cap;
};

struct peer {
	uint64_t next;	 /* the next number to send */
	uint64_t expect; /* the next number to deliver */
	uint64_t rto, rto_at;
	struct wbuf out; /* sent, unacknowledged, by number */
	struct wbuf ooo; /* received ahead of expect */
};

struct _rc_lmutex_link {
	unsigned n, id;
	void *ctx;
	void (*send)(void *ctx, unsigned from, unsigned to,
		     const struct _rc_lmutex_wire *w);
	void (*deliver)(void *ctx, unsigned to, const struct _rc_lmutex_msg *m);
	uint64_t resent;
	struct peer *peer;
};

struct _rc_lmutex_link *_rc_lmutex_link_create(
	unsigned n, unsigned id, void *ctx,
	void (*send)(void *ctx, unsigned from, unsigned to,
		     const struct _rc_lmutex_wire *w),
	void (*deliver)(void *ctx, unsigned to, const struct _rc_lmutex_msg *m))
{
	struct _rc_lmutex_link *l = calloc(1, sizeof *l);

	if (!l)
		return NULL;
	l->peer = calloc(n, sizeof *l->peer);
	if (!l->peer) {
		free(l);
		return NULL;
	}
	l->n = n;
	l->id = id;
	l->ctx = ctx;
	l->send = send;
	l->deliver = deliver;
	for (unsigned j = 0; j < n; j++) {
		l->peer[j].next = 1;
		l->peer[j].expect = 1;
		l->peer[j].rto = RTO_MIN;
		l->peer[j].rto_at = UINT64_MAX;
	}
	return l;
}

void _rc_lmutex_link_destroy(struct _rc_lmutex_link *l)
{
	if (!l)
		return;
	for (unsigned j = 0; j < l->n; j++) {
		free(l->peer[j].out.w);
		free(l->peer[j].ooo.w);
	}
	free(l->peer);
	free(l);
}

static bool wpush(struct wbuf *b, const struct _rc_lmutex_wire *w)
{
	if (b->n == b->cap) {
		size_t nc = b->cap ? 2 * b->cap : 8;
		struct _rc_lmutex_wire *nw = realloc(b->w, nc * sizeof *nw);

		if (!nw)
			return false;
		b->w = nw;
		b->cap = nc;
	}
	b->w[b->n++] = *w;
	return true;
}

bool _rc_lmutex_link_send(struct _rc_lmutex_link *l, uint64_t now, unsigned to,
			  const struct _rc_lmutex_msg *m)
{
	struct peer *p = &l->peer[to];
	struct _rc_lmutex_wire w = { 0 };

	w.kind = 1;
	w.from = (uint16_t)l->id;
	w.seq = p->next++;
	w.m = *m;
	if (!wpush(&p->out, &w))
		return false;
	if (p->rto_at == UINT64_MAX)
		p->rto_at = now + p->rto;
	l->send(l->ctx, l->id, to, &w);
	return true;
}

static void ack(struct _rc_lmutex_link *l, unsigned to, uint64_t upto)
{
	struct _rc_lmutex_wire a = { 0 };

	a.kind = 2;
	a.from = (uint16_t)l->id;
	a.seq = upto;
	l->send(l->ctx, l->id, to, &a);
}

void _rc_lmutex_link_recv(struct _rc_lmutex_link *l, uint64_t now,
			  const struct _rc_lmutex_wire *w)
{
	struct peer *p = &l->peer[w->from];

	if (w->kind == 2) {
		size_t k = 0;

		while (k < p->out.n && p->out.w[k].seq <= w->seq)
			k++;
		if (k == 0)
			return;
		memmove(p->out.w, p->out.w + k,
			(p->out.n - k) * sizeof *p->out.w);
		p->out.n -= k;
		p->rto = RTO_MIN;
		p->rto_at = p->out.n ? now + p->rto : UINT64_MAX;
		return;
	}
	if (w->seq == p->expect) {
		p->expect++;
		l->deliver(l->ctx, l->id, &w->m);
		/* what was buffered and now follows, in order */
		for (bool more = true; more;) {
			more = false;
			for (size_t k = 0; k < p->ooo.n; k++) {
				if (p->ooo.w[k].seq != p->expect)
					continue;
				struct _rc_lmutex_msg m = p->ooo.w[k].m;

				p->ooo.w[k] = p->ooo.w[--p->ooo.n];
				p->expect++;
				l->deliver(l->ctx, l->id, &m);
				more = true;
				break;
			}
		}
	} else if (w->seq > p->expect) {
		bool dup = false;

		for (size_t k = 0; k < p->ooo.n; k++)
			dup |= p->ooo.w[k].seq == w->seq;
		/* without memory it is lost, and resent */
		if (!dup)
			(void)wpush(&p->ooo, w);
	}
	ack(l, w->from, p->expect - 1);
}

void _rc_lmutex_link_tick(struct _rc_lmutex_link *l, uint64_t now)
{
	for (unsigned j = 0; j < l->n; j++) {
		struct peer *p = &l->peer[j];

		if (p->rto_at > now)
			continue;
		for (size_t k = 0; k < p->out.n; k++) {
			l->send(l->ctx, l->id, j, &p->out.w[k]);
			l->resent++;
		}
		p->rto = p->rto * 2 > RTO_MAX ? RTO_MAX : p->rto * 2;
		p->rto_at = p->out.n ? now + p->rto : UINT64_MAX;
	}
}

uint64_t _rc_lmutex_link_deadline(const struct _rc_lmutex_link *l)
{
	uint64_t d = UINT64_MAX;

	for (unsigned j = 0; j < l->n; j++)
		if (l->peer[j].rto_at < d)
			d = l->peer[j].rto_at;
	return d;
}

uint64_t _rc_lmutex_link_unacked(const struct _rc_lmutex_link *l)
{
	uint64_t u = 0;

	for (unsigned j = 0; j < l->n; j++)
		u += l->peer[j].out.n;
	return u;
}

uint64_t _rc_lmutex_link_resent(const struct _rc_lmutex_link *l)
{
	return l->resent;
}

void _rc_lmutex_wire_describe(const struct _rc_lmutex_wire *w, char *buf,
			      size_t len)
{
	char m[64];

	if (w->kind == 2) {
		snprintf(buf, len, "link-ack from=%u upto=%llu", w->from,
			 (unsigned long long)w->seq);
		return;
	}
	_rc_lmutex_msg_describe(&w->m, m, sizeof m);
	snprintf(buf, len, "seq=%llu %s", (unsigned long long)w->seq, m);
}
