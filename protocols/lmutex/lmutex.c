/* SPDX-License-Identifier: MIT */
/* lmutex.c: rc_lmutex, Lamport's mutual exclusion between threads: each process runs its step machine (proc.c) over one rc_chan inbox. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/chan.h>
#include <replicore/lmutex.h>

#include "protocols/lmutex/lmutex.h"

/*
 * The step machine of proc.c, unchanged, with rc_chan as its transport:
 * each process has one multi-sender inbox, which is reliable and FIFO
 * per sender, what the algorithm assumes, so no link layer sits in
 * between (the simulator needs link.c only because its transport loses
 * and reorders). A message is packed into the channel's pointer-sized
 * word: (time << 10) | (sender << 2) | (type - 1), so a time must stay
 * below 2^54 (asserted). A lone process ticks twice per section (request,
 * release), and replicore bench lmutex measured 94-100 ns per section for
 * one thread on a 2-vCPU AMD EPYC: 2^54 ticks at that pace take about 28
 * years; with more processes the sections take longer (3.0-8.9 us for
 * two).
 *
 * Room: to one process, another has at most four messages in flight that
 * it has not taken: the acknowledgement of its last request, the release
 * of the last section it held, its next request (it cannot be granted
 * again before the receiver serves) and a leave. An inbox holds 8 per
 * process, so a send never finds it full; a send that did would wait in
 * rc_chan_send for the receiver (the bound is what makes that
 * impossible, not a rule the code relies on for safety).
 *
 * Only the owner thread touches a process's state; the other threads
 * only send to its inbox (whose pointer is written once, before the
 * threads start). So the state needs no atomics: the channel's release
 * and acquire order everything a message carries.
 */

#define TYPE_BITS 2
#define FROM_BITS 8
#define MAX_PROCS (1u << FROM_BITS)

struct proc {
	struct _rc_lmutex_proc p;
	rc_chan_t *inbox;
	bool left;
} __attribute__((aligned(64))); /* one cache line apart: no false sharing */

struct rc_lmutex {
	unsigned n;
	struct proc *procs;
};

static void *pack(const struct _rc_lmutex_msg *m)
{
	assert(m->ts < (1ull << (64 - TYPE_BITS - FROM_BITS)));
	return (void *)(uintptr_t)(m->ts << (TYPE_BITS + FROM_BITS) |
				   (uint64_t)m->from << TYPE_BITS |
				   (uint64_t)(m->type - 1));
}

static void unpack(void *w, struct _rc_lmutex_msg *m)
{
	uint64_t v = (uintptr_t)w;

	m->type = (uint8_t)((v & ((1u << TYPE_BITS) - 1)) + 1);
	m->from = (uint16_t)(v >> TYPE_BITS & (MAX_PROCS - 1));
	m->ts = v >> (TYPE_BITS + FROM_BITS);
}

static void chan_send(void *ctx, unsigned from, unsigned to,
		      const struct _rc_lmutex_msg *m)
{
	struct rc_lmutex *l = ctx;
	void *w = pack(m);

	(void)from;
	/* release: pairs with the acquire of the receive in handle_all */
	if (!rc_chan_trysend_mpsc(l->procs[to].inbox, w))
		rc_chan_send_mpsc(l->procs[to].inbox, w);
}

static void handle(struct proc *pr, void *w)
{
	struct _rc_lmutex_msg m;

	unpack(w, &m);
	_rc_lmutex_recv(&pr->p, &m);
}

/* Handles every message in the inbox now; how many. */
static unsigned handle_all(struct proc *pr)
{
	unsigned k = 0;
	void *w;

	/* acquire: pairs with the release of the send in chan_send */
	while (rc_chan_tryrecv_mpsc(pr->inbox, &w)) {
		handle(pr, w);
		k++;
	}
	return k;
}

int rc_lmutex_create(rc_lmutex_t **out, unsigned nprocs, rc_err_t *err)
{
	struct rc_lmutex *l;
	struct _rc_lmutex_io io;
	int r;

	*out = NULL;
	if (nprocs < 1 || nprocs > MAX_PROCS)
		return rc_err_set(err, RC_EINVAL, "nprocs", 0, 0,
				  "%u processes: 1..%u", nprocs, MAX_PROCS);
	l = calloc(1, sizeof *l);
	if (!l)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	l->n = nprocs;
	if (posix_memalign((void **)&l->procs, 64, nprocs * sizeof *l->procs)) {
		free(l);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	memset(l->procs, 0, nprocs * sizeof *l->procs);
	io.ctx = l;
	io.send = chan_send;
	for (unsigned i = 0; i < nprocs; i++) {
		r = rc_chan_create(&l->procs[i].inbox, RC_CHAN_MPSC, 8 * nprocs,
				   err);
		if (r < 0) {
			rc_lmutex_destroy(l);
			return r;
		}
		if (!_rc_lmutex_proc_init(&l->procs[i].p, nprocs, i, &io)) {
			rc_lmutex_destroy(l);
			return rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
					  "out of memory");
		}
	}
	*out = l;
	return 0;
}

void rc_lmutex_destroy(rc_lmutex_t *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->n; i++) {
		if (m->procs[i].inbox)
			rc_chan_destroy(m->procs[i].inbox);
		_rc_lmutex_proc_fini(&m->procs[i].p);
	}
	free(m->procs);
	free(m);
}

void rc_lmutex_lock(rc_lmutex_t *m, unsigned proc)
{
	struct proc *pr;

	assert(proc < m->n);
	pr = &m->procs[proc];
	assert(!pr->left && pr->p.state == RC_LM_IDLE);
	handle_all(pr);
	_rc_lmutex_request(&pr->p);
	for (;;) {
		handle_all(pr);
		if (_rc_lmutex_try_enter(&pr->p))
			return;
		/* nothing can change until a message comes: wait for one
		 * (acquire, as in handle_all) */
		handle(pr, rc_chan_recv_mpsc(pr->inbox));
	}
}

void rc_lmutex_unlock(rc_lmutex_t *m, unsigned proc)
{
	struct proc *pr;

	assert(proc < m->n);
	pr = &m->procs[proc];
	assert(pr->p.state == RC_LM_IN);
	_rc_lmutex_release(&pr->p);
	handle_all(pr);
}

unsigned rc_lmutex_serve(rc_lmutex_t *m, unsigned proc)
{
	assert(proc < m->n && !m->procs[proc].left);
	return handle_all(&m->procs[proc]);
}

void rc_lmutex_leave(rc_lmutex_t *m, unsigned proc)
{
	struct proc *pr;

	assert(proc < m->n);
	pr = &m->procs[proc];
	assert(!pr->left && pr->p.state == RC_LM_IDLE);
	handle_all(pr);
	_rc_lmutex_leave(&pr->p);
	pr->left = true;
}

unsigned rc_lmutex_nprocs(const rc_lmutex_t *m)
{
	return m->n;
}
