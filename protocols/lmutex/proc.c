/* SPDX-License-Identifier: MIT */
/* proc.c: Lamport's mutual exclusion as one deterministic step machine per process, the five rules of the paper. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "protocols/lmutex/lmutex.h"

/*
 * Lamport, "Time, Clocks, and the Ordering of Events in a Distributed
 * System", CACM 21(7), 1978, section 3. Every message carries its
 * sender's Lamport time (a send ticks the clock, a receive sets it past
 * the message's time); requests are totally ordered by (time, process id).
 *
 *  1. To request the resource, a process stamps a REQUEST with its time
 *     T, puts it on its own request queue and sends it to every process.
 *  2. A process that receives a REQUEST puts it on its queue and sends a
 *     time-stamped ACK to the requester.
 *  3. To release the resource, a process removes its request from its
 *     queue and sends a time-stamped RELEASE to every process.
 *  4. A process that receives a RELEASE removes the sender's request
 *     from its queue.
 *  5. A process is granted the resource when its request is first in its
 *     queue by (time, id) and it has received from every other process a
 *     message stamped later than T.
 *
 * A process has at most one request outstanding, so its queue is an array
 * with one slot per process (req[j]: j's request time, 0 for none), and
 * "first in the queue" is "least (time, id) among the non-empty slots".
 *
 * Invariant (mutual exclusion): if Pi holds the resource with request
 * (Ti, i) and Pk's request is (Tk, k) > (Ti, i), Pk cannot be granted
 * until Pi released. Why: Pk needs a message from Pi stamped later than
 * Tk > Ti; Pi sent its REQUEST (Ti) before any message it stamped later,
 * and the transport is FIFO, so Pk has Pi's request in its queue ahead of
 * its own until Pi's RELEASE arrives. And Pi cannot have been granted
 * ahead of an earlier (Tk, k) < (Ti, i) for the same reason with the roles
 * swapped. So grants follow the (time, id) order of the requests (the
 * order property checked by check.c), and no two processes hold the
 * resource at once. The argument needs every message delivered once and
 * in order per pair: the paper assumes it; link.c gives it over the
 * simulator's lossy transport, rc_chan gives it between threads. A
 * crashed process never acknowledges, so every later request waits for
 * ever: the algorithm blocks, as the paper says, and liveness is only
 * promised when no process crashes.
 *
 * LEAVE is not in the paper: a process that is idle and will never
 * request again says so, and the others stop waiting for its messages
 * (rule 5 skips it). It never holds a request, so the argument above is
 * unchanged; the threaded runtime uses it so that a thread may stop
 * taking part (include/replicore/lmutex.h).
 *
 * The broken variant (noack: set by the simulation's option, or in every
 * process of a copy built with RC_LMUTEX_BROKEN_NOACK) runs a rule 5 that
 * does not wait for the later message from every process, only for its
 * request to be first in the queue; the property checks must catch it.
 */

bool _rc_lmutex_proc_init(struct _rc_lmutex_proc *p, unsigned n, unsigned id,
			  const struct _rc_lmutex_io *io)
{
	assert(n >= 1 && id < n);
	p->n = n;
	p->id = id;
	p->state = RC_LM_IDLE;
#ifdef RC_LMUTEX_BROKEN_NOACK
	p->noack = true;
#else
	p->noack = false;
#endif
	p->clock = (rc_lamport_t)RC_LAMPORT_INITIALIZER;
	p->io = *io;
	p->req = calloc(n, sizeof *p->req);
	p->last = calloc(n, sizeof *p->last);
	p->gone = calloc(n, sizeof *p->gone);
	if (!p->req || !p->last || !p->gone) {
		_rc_lmutex_proc_fini(p);
		return false;
	}
	return true;
}

void _rc_lmutex_proc_fini(struct _rc_lmutex_proc *p)
{
	free(p->req);
	free(p->last);
	free(p->gone);
	p->req = p->last = NULL;
	p->gone = NULL;
}

static void send(struct _rc_lmutex_proc *p, unsigned to, int type, uint64_t ts)
{
	struct _rc_lmutex_msg m = { 0 };

	m.type = (uint8_t)type;
	m.from = (uint16_t)p->id;
	m.ts = ts;
	p->io.send(p->io.ctx, p->id, to, &m);
}

/* One time for a message to every process: the event of sending it. */
static void send_all(struct _rc_lmutex_proc *p, int type, uint64_t ts)
{
	for (unsigned j = 0; j < p->n; j++)
		if (j != p->id && !p->gone[j])
			send(p, j, type, ts);
}

uint64_t _rc_lmutex_request(struct _rc_lmutex_proc *p)
{
	assert(p->state == RC_LM_IDLE);
	p->req[p->id] = rc_lamport_tick(&p->clock);
	p->state = RC_LM_WAITING;
	send_all(p, RC_LM_REQUEST, p->req[p->id]);
	return p->req[p->id];
}

void _rc_lmutex_recv(struct _rc_lmutex_proc *p, const struct _rc_lmutex_msg *m)
{
	unsigned j = m->from;

	assert(j < p->n && j != p->id);
	rc_lamport_recv(&p->clock, m->ts);
	if (m->ts > p->last[j])
		p->last[j] = m->ts;
	switch (m->type) {
	case RC_LM_REQUEST:
		p->req[j] = m->ts;
		send(p, j, RC_LM_ACK, rc_lamport_tick(&p->clock));
		break;
	case RC_LM_RELEASE:
		p->req[j] = 0;
		break;
	case RC_LM_LEAVE:
		p->req[j] = 0;
		p->gone[j] = true;
		break;
	default: /* RC_LM_ACK: its time is all it brings */
		break;
	}
}

bool _rc_lmutex_try_enter(struct _rc_lmutex_proc *p)
{
	uint64_t t = p->req[p->id];

	if (p->state != RC_LM_WAITING)
		return false;
	for (unsigned j = 0; j < p->n; j++) {
		if (j == p->id || p->gone[j])
			continue;
		/* first in the queue by (time, id) */
		if (p->req[j] != 0 &&
		    rc_lamport_order(p->req[j], j, t, p->id) < 0)
			return false;
		/* a message from j stamped later than the request */
		if (!p->noack && p->last[j] <= t)
			return false;
	}
	p->state = RC_LM_IN;
	return true;
}

void _rc_lmutex_release(struct _rc_lmutex_proc *p)
{
	assert(p->state == RC_LM_IN);
	p->req[p->id] = 0;
	p->state = RC_LM_IDLE;
	send_all(p, RC_LM_RELEASE, rc_lamport_tick(&p->clock));
}

void _rc_lmutex_leave(struct _rc_lmutex_proc *p)
{
	assert(p->state == RC_LM_IDLE);
	send_all(p, RC_LM_LEAVE, rc_lamport_tick(&p->clock));
	p->gone[p->id] = true;
}

void _rc_lmutex_msg_describe(const struct _rc_lmutex_msg *m, char *buf,
			     size_t len)
{
	static const char *const names[] = { "?", "request", "ack", "release",
					     "leave" };

	snprintf(buf, len, "%s from=%u t=%llu",
		 names[m->type <= RC_LM_LEAVE ? m->type : 0], m->from,
		 (unsigned long long)m->ts);
}
