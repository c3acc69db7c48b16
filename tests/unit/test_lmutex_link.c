/* SPDX-License-Identifier: MIT */
/* test_lmutex_link.c: the reliable FIFO link under Lamport's mutual exclusion, over a transport of its own that drops, duplicates and reorders: every message delivered once, in order, both ways. */
#include <stdlib.h>
#include <string.h>

#include "protocols/lmutex/lmutex.h"
#include "protocols/rand.h"
#include "tests/tap.h"

/*
 * Two links, 0 and 1, exchange N messages each way (the message's time
 * field carries its number, 1..N). The transport holds the wire messages
 * in flight in a bag; each step either delivers a random one (dropping it
 * with probability DROP, keeping a copy with probability DUP) or advances
 * the time by 10 us and ticks both links, which resend what is
 * unacknowledged. Messages are sent in bursts, so many are in flight and
 * out of order at once. RC_LMUTEX_LINK_SEEDS seeds (default 50).
 */

#define N 500
#define DROP 0.3
#define DUP 0.2

struct net {
	struct _rc_lmutex_wire *bag;
	size_t n, cap;
	uint64_t got[2][N + 1], ngot[2];
	bool bad;
};

static void wsend(void *ctx, unsigned from, unsigned to,
		  const struct _rc_lmutex_wire *w)
{
	struct net *net = ctx;

	(void)from;
	(void)to;
	if (net->n == net->cap) {
		net->cap = net->cap ? 2 * net->cap : 64;
		net->bag = realloc(net->bag, net->cap * sizeof *net->bag);
	}
	net->bag[net->n++] = *w;
}

static void deliver(void *ctx, unsigned to, const struct _rc_lmutex_msg *m)
{
	struct net *net = ctx;

	if (net->ngot[to] >= N)
		net->bad = true;
	else
		net->got[to][net->ngot[to]++] = m->ts;
}

/* Runs one seed; true when both sides got 1..N in order, once each. */
static bool run(uint64_t seed, uint64_t *resent)
{
	struct net net;
	struct _rc_lmutex_link *l[2];
	uint64_t rng = seed, now = 0, sent[2] = { 0, 0 };
	bool good = true;

	memset(&net, 0, sizeof net);
	for (unsigned i = 0; i < 2; i++)
		l[i] = _rc_lmutex_link_create(2, i, &net, wsend, deliver);
	for (unsigned step = 0; step < 2000000; step++) {
		unsigned r = (unsigned)(_rc_rand(&rng) % 100);

		if (r < 10) { /* a burst of sends */
			for (unsigned i = 0; i < 2; i++)
				for (unsigned k = 0; k < 5 && sent[i] < N;
				     k++) {
					struct _rc_lmutex_msg m = { 0 };

					m.type = RC_LM_REQUEST;
					m.from = (uint16_t)i;
					m.ts = ++sent[i];
					_rc_lmutex_link_send(l[i], now, 1 - i,
							     &m);
				}
		} else if (r < 20 || net.n == 0) {
			now += 10;
			for (unsigned i = 0; i < 2; i++)
				_rc_lmutex_link_tick(l[i], now);
		} else {
			size_t k = (size_t)(_rc_rand(&rng) % net.n);
			struct _rc_lmutex_wire w = net.bag[k];

			if (_rc_rand_unit(&rng) >= DUP)
				net.bag[k] = net.bag[--net.n];
			if (_rc_rand_unit(&rng) >= DROP)
				_rc_lmutex_link_recv(l[1 - w.from], now, &w);
		}
		if (sent[0] == N && sent[1] == N &&
		    _rc_lmutex_link_unacked(l[0]) == 0 &&
		    _rc_lmutex_link_unacked(l[1]) == 0)
			break;
	}
	for (unsigned i = 0; i < 2; i++) {
		good &= net.ngot[i] == N;
		for (uint64_t k = 0; k < net.ngot[i]; k++)
			good &= net.got[i][k] == k + 1;
		*resent += _rc_lmutex_link_resent(l[i]);
		_rc_lmutex_link_destroy(l[i]);
	}
	free(net.bag);
	return good && !net.bad;
}

int main(void)
{
	uint64_t seeds = tap_env_u64("RC_LMUTEX_LINK_SEEDS", 50), failed = 0,
		 first = 0, resent = 0;

	for (uint64_t s = 1; s <= seeds; s++)
		if (!run(s, &resent) && failed++ == 0)
			first = s;
	is(failed, 0,
	   "%llu seeds: %d messages each way delivered once each and in "
	   "order under 30%% drops, 20%% duplicates and reordering (first "
	   "failing seed %llu)",
	   (unsigned long long)seeds, N, (unsigned long long)first);
	ok(resent > seeds * N / 10,
	   "the losses were made good by %llu "
	   "retransmissions",
	   (unsigned long long)resent);
	done_testing();
	return exit_status();
}
