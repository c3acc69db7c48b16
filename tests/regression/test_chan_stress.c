/* SPDX-License-Identifier: MIT */
/* test_chan_stress.c: numbered messages through every channel kind from pinned threads, with each kind's named calls. */
#include <pthread.h>
#include <stdatomic.h>

#include <replicore/chan.h>
#include <replicore/clock.h>
#include <replicore/topo.h>

#include "tests/tap.h"

/*
 * Each sender sends seq 0..msgs-1 tagged with its id; receivers check that
 * each sender's messages reach them in increasing order (FIFO per sender,
 * as each receiver dequeues in queue order) and mark them in a shared table,
 * which at the end must hold every message exactly once.
 *
 * Environment: RC_STRESS_THREADS (default: the layout's PUs, capped at them),
 * RC_STRESS_MSGS (per sender, default 50000, times RC_SCALE).
 * The test runs on the machine and on a synthetic two-node layout mapped
 * onto it, so the multi-sender kinds run even on a two-core machine. No wait
 * is unbounded: a receiver that hears nothing for 60 s fails the test.
 */

#define SEQ_BITS 40
#define TIMEOUT_NS (60ull * 1000000000ull)

/* Each kind's named calls, as a caller that knows its kind makes them. */
static const struct {
	int (*send_timed)(rc_chan_t *c, void *msg, uint64_t timeout_ns);
	int (*recv_timed)(rc_chan_t *c, void **msg, uint64_t timeout_ns);
} calls[] = {
	[RC_CHAN_SPSC] = { rc_chan_send_timed_spsc, rc_chan_recv_timed_spsc },
	[RC_CHAN_MPSC] = { rc_chan_send_timed_mpsc, rc_chan_recv_timed_mpsc },
	[RC_CHAN_SPMC] = { rc_chan_send_timed_spmc, rc_chan_recv_timed_spmc },
	[RC_CHAN_MPMC] = { rc_chan_send_timed_mpmc, rc_chan_recv_timed_mpmc },
};

struct run {
	const rc_topo_t *topo;
	rc_chan_t *chan;
	enum rc_chan_kind kind;
	unsigned senders, receivers;
	uint64_t msgs;
	unsigned *pus;
	_Atomic uint8_t *seen; /* senders * msgs marks */
	atomic_uint_fast64_t received;
	atomic_uint dups, disorders, timeouts, pin_failures;
};

struct worker {
	struct run *run;
	unsigned id, pu;
	pthread_t thread;
};

static void *sender(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;

	if (rc_topo_pin(r->topo, w->pu, NULL) < 0)
		atomic_fetch_add(&r->pin_failures, 1);
	for (uint64_t s = 0; s < r->msgs; s++) {
		uintptr_t m = ((uintptr_t)w->id << SEQ_BITS) | s;

		if (calls[r->kind].send_timed(r->chan, (void *)m, TIMEOUT_NS) <
		    0) {
			atomic_fetch_add(&r->timeouts, 1);
			break;
		}
	}
	return NULL;
}

static void *receiver(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	uint64_t total = (uint64_t)r->senders * r->msgs;
	int64_t *last = calloc(r->senders, sizeof(*last));

	if (rc_topo_pin(r->topo, w->pu, NULL) < 0)
		atomic_fetch_add(&r->pin_failures, 1);
	for (unsigned i = 0; i < r->senders; i++)
		last[i] = -1;
	for (;;) {
		uint64_t got = atomic_load(&r->received);
		uint64_t deadline = rc_clock_now_ns() + TIMEOUT_NS;
		void *msg;
		unsigned s;
		uint64_t seq;

		if (got >= total)
			break;
		/* Short timed waits so a receiver notices the end. */
		while (calls[r->kind].recv_timed(r->chan, &msg, 1000000) < 0) {
			if (atomic_load(&r->received) >= total)
				goto out;
			if (rc_clock_now_ns() > deadline) {
				atomic_fetch_add(&r->timeouts, 1);
				goto out;
			}
		}
		s = (unsigned)((uintptr_t)msg >> SEQ_BITS);
		seq = (uintptr_t)msg & ((1ull << SEQ_BITS) - 1);
		if (s >= r->senders || seq >= r->msgs) {
			atomic_fetch_add(&r->disorders, 1);
			continue;
		}
		if ((int64_t)seq <= last[s])
			atomic_fetch_add(&r->disorders, 1);
		last[s] = (int64_t)seq;
		if (atomic_exchange(&r->seen[s * r->msgs + seq], 1) != 0)
			atomic_fetch_add(&r->dups, 1);
		atomic_fetch_add(&r->received, 1);
	}
out:
	free(last);
	return NULL;
}

static void run_kind(const rc_topo_t *topo, const char *layout,
		     enum rc_chan_kind kind, unsigned threads, uint64_t msgs)
{
	static const char *names[] = { "spsc", "mpsc", "spmc", "mpmc" };
	static const unsigned need[] = { 2, 3, 3, 4 };
	struct run r = { 0 };
	struct worker *w;
	uint64_t missing = 0;
	unsigned n;

	if (threads < need[kind]) {
		skip(4, "too few PUs for this kind");
		diag("%s on %s: needs %u threads, the layout has %u PUs",
		     names[kind], layout, need[kind], threads);
		return;
	}
	switch (kind) {
	case RC_CHAN_SPSC:
		r.senders = 1, r.receivers = 1;
		break;
	case RC_CHAN_MPSC:
		r.senders = threads - 1, r.receivers = 1;
		break;
	case RC_CHAN_SPMC:
		r.senders = 1, r.receivers = threads - 1;
		break;
	case RC_CHAN_MPMC:
		r.senders = threads / 2, r.receivers = threads - threads / 2;
		break;
	}
	n = r.senders + r.receivers;
	r.topo = topo;
	r.msgs = msgs;
	r.pus = calloc(n, sizeof(*r.pus));
	rc_topo_spread(topo, n, r.pus);
	r.seen = calloc((size_t)(r.senders * msgs), 1);
	rc_chan_create(&r.chan, kind, 64, NULL);
	r.kind = kind;
	w = calloc(n, sizeof(*w));
	/*
	 * Senders and receivers alternate over the spread PUs, so senders land
	 * on different real PUs where there are enough: a multi-sender send
	 * waits for earlier senders to publish (see chan.h), and two senders
	 * sharing one PU would make each other wait a whole time slice.
	 */
	for (unsigned i = 0, si = 0, ri = 0, k = 0; k < n; k++) {
		bool send = ri >= r.receivers || (si < r.senders && k % 2 == 0);

		i = send ? si++ : r.senders + ri++;
		w[i].pu = r.pus[k];
	}
	for (unsigned i = 0; i < n; i++) {
		w[i].run = &r;
		w[i].id = i < r.senders ? i : i - r.senders;
		pthread_create(&w[i].thread, NULL,
			       i < r.senders ? sender : receiver, &w[i]);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
	for (uint64_t i = 0; i < r.senders * msgs; i++)
		missing += r.seen[i] == 0;
	ok(atomic_load(&r.timeouts) == 0 && atomic_load(&r.pin_failures) == 0,
	   "%s on %s (%u senders, %u receivers, %llu messages each): no "
	   "timeout, every thread pinned",
	   names[kind], layout, r.senders, r.receivers,
	   (unsigned long long)msgs);
	is(missing, 0, "%s on %s: nothing lost", names[kind], layout);
	is(atomic_load(&r.dups), 0, "%s on %s: nothing duplicated", names[kind],
	   layout);
	is(atomic_load(&r.disorders), 0, "%s on %s: FIFO per sender",
	   names[kind], layout);
	rc_chan_destroy(r.chan);
	free(w);
	free(r.pus);
	free((void *)r.seen);
}

static void run_layout(const char *synthetic)
{
	const char *layout = synthetic != NULL ? synthetic : "machine";
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo;
	unsigned threads;
	uint64_t msgs = tap_env_u64("RC_STRESS_MSGS", 50000);

	if (rc_topo_open(&topo, synthetic, NULL, &err) < 0) {
		ok(0, "open layout %s: %s", layout, err.msg);
		return;
	}
	threads =
		(unsigned)tap_env_u64("RC_STRESS_THREADS", rc_topo_npus(topo));
	if (threads > rc_topo_npus(topo))
		threads = rc_topo_npus(topo);
	diag("layout %s: %u PUs on %u real, %u threads, %llu messages per "
	     "sender",
	     layout, rc_topo_npus(topo), rc_topo_real_npus(topo), threads,
	     (unsigned long long)msgs);
	for (int k = RC_CHAN_SPSC; k <= RC_CHAN_MPMC; k++)
		run_kind(topo, layout, (enum rc_chan_kind)k, threads, msgs);
	rc_topo_close(topo);
}

int main(void)
{
	run_layout(NULL);
	run_layout("numa:2 core:2 pu:1");
	done_testing();
	return exit_status();
}
