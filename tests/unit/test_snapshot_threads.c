/* SPDX-License-Identifier: MIT */
/* test_snapshot_threads.c: rc_snap between threads: a bank of transfers, many Chandy-Lamport snapshots each checked for conservation and a consistent cut, and the broken variants caught. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <replicore/snapshot.h>
#include <replicore/topo.h>

#include "tests/tap.h"

/*
 * Environment: RC_SNAP_THREADS processes, one thread each (default 2,
 * capped at the PUs hwloc reports; skipped below 2), or RC_SNAP_LAYOUT, a
 * synthetic layout ("numa:4 core:1 pu:1") whose PUs are mapped onto the
 * machine's, one process per layout PU; RC_SNAP_ITERS transfers per
 * thread per bank (default 20000, times RC_SCALE); RC_SNAP_ROUNDS banks
 * (default 3), each taking up to RC_SNAP_MAX_TAKEN snapshots.
 *
 * Every transfer a thread makes is logged by the test (its amount, in
 * the channel's numbering), so a snapshot is checked against what was
 * sent, not against the algorithm's own sums: for every snapshot,
 *  - complete: recorded at every process, every marker in;
 *  - consistent cut: for every pair, the transfers q had applied from p
 *    when q recorded are at most those p had sent to q when p recorded;
 *  - channel state: what q recorded on its incoming channels is the sum
 *    of the transfers numbered (applied from p, sent by p] over every p;
 *  - conservation: recorded balances plus channel states are the total.
 */

#define BALANCE 1000

/* No bank to test: the run stops here. */
#define BAIL_OUT(...)                 \
	do {                          \
		printf("Bail out! "); \
		printf(__VA_ARGS__);  \
		printf("\n");         \
		exit(1);              \
	} while (0)

struct log {
	int32_t *a; /* a[k - 1]: the amount of transfer k on the channel */
	size_t n, cap;
};

struct bank {
	rc_snap_t *b;
	const rc_topo_t *topo;
	unsigned n;
	uint64_t iters, every;
	struct log *log; /* [p * n + q]: channel p -> q, written by p */
};

struct worker {
	struct bank *k;
	unsigned id;
	uint64_t seed;
	pthread_t t;
};

static void log_push(struct log *l, int32_t a)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->a = realloc(l->a, l->cap * sizeof(*l->a));
		if (l->a == NULL)
			abort();
	}
	l->a[l->n++] = a;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct bank *k = w->k;

	(void)rc_topo_pin(k->topo, w->id % rc_topo_npus(k->topo), NULL);
	for (uint64_t i = 1; i <= k->iters; i++) {
		uint64_t h = tap_rand(&w->seed);
		unsigned to = (w->id + 1 + (unsigned)(h % (k->n - 1))) % k->n;
		int32_t amount = 1 + (int32_t)((h >> 32) % 200);

		rc_snap_serve(k->b, w->id);
		if (rc_snap_transfer(k->b, w->id, to, amount))
			log_push(&k->log[w->id * k->n + to], amount);
		if (i % k->every == 0)
			(void)rc_snap_take(k->b, w->id);
	}
	rc_snap_finish(k->b, w->id);
	return NULL;
}

struct verdict {
	unsigned snaps, incomplete, inconsistent, wrong_channels, not_conserved;
	char why[200];
};

static void note(struct verdict *v, unsigned *count, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(struct verdict *v, unsigned *count, const char *fmt, ...)
{
	va_list ap;

	if (v->incomplete + v->inconsistent + v->wrong_channels +
		    v->not_conserved ==
	    0) {
		va_start(ap, fmt);
		vsnprintf(v->why, sizeof(v->why), fmt, ap);
		va_end(ap);
	}
	(*count)++;
}

/* Checks every snapshot of a finished bank against the logs. */
static void judge(rc_snap_t *b, unsigned n, struct log *log, struct verdict *v)
{
	uint32_t *sent = calloc((size_t)n * n, sizeof(*sent));
	uint32_t *applied = calloc((size_t)n * n, sizeof(*applied));
	struct rc_snap_record *r = calloc(n, sizeof(*r));

	memset(v, 0, sizeof(*v));
	if (!sent || !applied || !r)
		abort();
	v->snaps = rc_snap_taken(b);
	for (unsigned s = 0; s < v->snaps; s++) {
		int64_t sum = 0;
		bool whole = true;

		for (unsigned q = 0; q < n; q++) {
			if (rc_snap_result(b, s, q, &r[q], sent + q * n,
					   applied + q * n) < 0 ||
			    !r[q].complete) {
				note(v, &v->incomplete,
				     "snapshot %u incomplete at %u", s, q);
				whole = false;
				break;
			}
			sum += r[q].state + r[q].channels;
		}
		if (!whole)
			continue;
		for (unsigned q = 0; q < n; q++) {
			int64_t chan = 0;

			for (unsigned p = 0; p < n; p++) {
				uint32_t from = applied[q * n + p];
				uint32_t upto = sent[p * n + q];

				if (p == q)
					continue;
				if (from > upto) {
					note(v, &v->inconsistent,
					     "snapshot %u: %u applied %u "
					     "transfers from %u, which had "
					     "sent %u in the cut",
					     s, q, from, p, upto);
					continue;
				}
				for (uint32_t t = from; t < upto; t++)
					chan += log[p * n + q].a[t];
			}
			if (chan != r[q].channels)
				note(v, &v->wrong_channels,
				     "snapshot %u: %u recorded %lld in "
				     "its channels, %lld were in flight",
				     s, q, (long long)r[q].channels,
				     (long long)chan);
		}
		if (sum != (int64_t)n * BALANCE)
			note(v, &v->not_conserved,
			     "snapshot %u adds up to %lld, not %lld", s,
			     (long long)sum, (long long)n * BALANCE);
	}
	free(sent);
	free(applied);
	free(r);
}

/* A thread takes a snapshot every this many transfers: about 60 a bank,
 * spread over every thread's run. */
static uint64_t every_of(uint64_t iters, unsigned n)
{
	uint64_t e = iters / ((60 + n - 1) / n);

	return e ? e : 1;
}

/* One bank on threads; the final balances' sum, and the verdict. */
static int64_t run_bank(const rc_topo_t *topo, unsigned n, uint64_t iters,
			unsigned flags, uint64_t seed, struct verdict *v)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct bank k = { 0 };
	struct worker *w = calloc(n, sizeof(*w));
	int64_t sum = 0;

	k.log = calloc((size_t)n * n, sizeof(*k.log));
	if (!w || !k.log || rc_snap_create(&k.b, n, BALANCE, flags, &err) < 0)
		BAIL_OUT("no bank of %u: %s", n, err.msg);
	k.topo = topo;
	k.n = n;
	k.iters = iters;
	k.every = every_of(iters, n);
	for (unsigned i = 0; i < n; i++) {
		w[i].k = &k;
		w[i].id = i;
		w[i].seed = seed * 1000003 + i + 1;
		pthread_create(&w[i].t, NULL, work, &w[i]);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(w[i].t, NULL);
	for (unsigned i = 0; i < n; i++)
		sum += rc_snap_balance(k.b, i);
	judge(k.b, n, k.log, v);
	rc_snap_destroy(k.b);
	for (unsigned i = 0; i < n * n; i++)
		free(k.log[i].a);
	free(k.log);
	free(w);
	return sum;
}

static void test_threads(const rc_topo_t *topo, unsigned n)
{
	uint64_t iters = tap_env_u64("RC_SNAP_ITERS", 20000);
	unsigned rounds = (unsigned)tap_env_fixed("RC_SNAP_ROUNDS", 3);
	unsigned snaps = 0, bad = 0, lost = 0, caught, want;
	struct verdict v, first = { 0 };

	for (unsigned r = 0; r < rounds; r++) {
		if (run_bank(topo, n, iters, 0, r, &v) != (int64_t)n * BALANCE)
			lost++;
		snaps += v.snaps;
		if (v.incomplete + v.inconsistent + v.wrong_channels +
			    v.not_conserved !=
		    0) {
			if (bad++ == 0)
				first = v;
		}
	}
	diag("%u processes, %u banks x %llu transfers a thread, %u "
	     "snapshots",
	     n, rounds, (unsigned long long)iters, snaps);
	is(lost, 0, "the final balances add up to the total in every bank");
	want = n * (unsigned)(iters / every_of(iters, n));
	want = rounds * (want < RC_SNAP_MAX_TAKEN ? want : RC_SNAP_MAX_TAKEN);
	is(snaps, want, "%u snapshots taken and judged", snaps);
	ok(bad == 0,
	   "every snapshot complete, a consistent cut, its channel states "
	   "the transfers in flight, conserving the total%s%s",
	   bad ? ": " : "", bad ? first.why : "");

	/* the broken variants, on threads: up to 100 banks each until caught
	 * (a bank lasts milliseconds; one caught each in 1-3 banks here) */
	caught = 0;
	for (unsigned r = 0; r < 100 && !caught; r++) {
		run_bank(topo, n, iters, RC_SNAP_BROKEN_NO_CHANNELS, r, &v);
		caught = v.not_conserved;
		if (caught)
			diag("no channel state, bank %u: %s", r, v.why);
	}
	ok(caught, "without channel state a snapshot loses money in flight");
	caught = 0;
	for (unsigned r = 0; r < 100 && !caught; r++) {
		run_bank(topo, n, iters, RC_SNAP_BROKEN_LATE_MARKERS, r, &v);
		caught = v.inconsistent;
		if (caught)
			diag("late markers, bank %u: %s", r, v.why);
	}
	ok(caught, "late markers make an inconsistent cut");
}

/* Serves both processes of a two-process bank until snapshot 0 is whole. */
static void settle(rc_snap_t *b)
{
	struct rc_snap_record r0, r1;
	struct timespec ts = { 0, 20000 };

	for (;;) {
		rc_snap_serve(b, 0);
		rc_snap_serve(b, 1);
		if (rc_snap_result(b, 0, 0, &r0, NULL, NULL) == 0 &&
		    rc_snap_result(b, 0, 1, &r1, NULL, NULL) == 0 &&
		    r0.complete && r1.complete)
			return;
		/* a late marker is due 50 us after its record */
		nanosleep(&ts, NULL);
	}
}

/*
 * Two processes in one thread, in a fixed order. A transfer in flight to
 * the initiator: 1 sends 10 to 0, then 0 takes a snapshot before it
 * serves; the 10 must be in 0's channel state. Then a transfer that
 * overtakes a marker: 0 takes a snapshot and, before its markers leave
 * (late markers), sends 10 to 1, which applies it before it records.
 */
static void test_fixed(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct log log[4] = { 0 };
	struct verdict v;
	rc_snap_t *b;

	ok(rc_snap_create(&b, 1, BALANCE, 0, &err) == -RC_EINVAL,
	   "one process: -RC_EINVAL (%s)", err.msg);
	ok(rc_snap_create(&b, 2, BALANCE, 3, &err) == -RC_EINVAL,
	   "two broken variants at once: -RC_EINVAL");
	for (unsigned flags = 0; flags <= RC_SNAP_BROKEN_NO_CHANNELS; flags++) {
		if (rc_snap_create(&b, 2, BALANCE, flags, &err) < 0)
			BAIL_OUT("no bank: %s", err.msg);
		ok(rc_snap_transfer(b, 1, 0, 10) &&
			   !rc_snap_transfer(b, 1, 0, 2000) &&
			   !rc_snap_transfer(b, 1, 1, 5),
		   "a transfer; none beyond the balance or to oneself");
		log[1 * 2 + 0].n = 1;
		log[1 * 2 + 0].a = (int32_t[]){ 10 };
		is(rc_snap_take(b, 0), 0, "snapshot 0");
		settle(b);
		judge(b, 2, log, &v);
		if (flags == 0)
			ok(v.snaps == 1 && v.not_conserved + v.inconsistent +
							   v.wrong_channels ==
						   0,
			   "the transfer in flight is in the channel state");
		else
			ok(v.not_conserved == 1 && v.wrong_channels == 1,
			   "without channel state it is lost: %s", v.why);
		rc_snap_destroy(b);
	}
	if (rc_snap_create(&b, 2, BALANCE, RC_SNAP_BROKEN_LATE_MARKERS, &err) <
	    0)
		BAIL_OUT("no bank: %s", err.msg);
	log[1 * 2 + 0].n = 0;
	log[0 * 2 + 1].n = 1;
	log[0 * 2 + 1].a = (int32_t[]){ 10 };
	is(rc_snap_take(b, 0), 0, "snapshot 0, its markers late");
	ok(rc_snap_transfer(b, 0, 1, 10), "a transfer behind it");
	settle(b);
	judge(b, 2, log, &v);
	ok(v.inconsistent == 1 && v.not_conserved == 1,
	   "late markers: an inconsistent cut: %s", v.why);
	for (int i = 0; i < RC_SNAP_MAX_TAKEN - 1; i++)
		(void)rc_snap_take(b, 1);
	is(rc_snap_take(b, 1), -RC_ENOMEM, "no room past %d snapshots",
	   RC_SNAP_MAX_TAKEN);
	is(rc_snap_taken(b), RC_SNAP_MAX_TAKEN, "%d taken", RC_SNAP_MAX_TAKEN);
	rc_snap_destroy(b);
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	const char *layout = getenv("RC_SNAP_LAYOUT");
	rc_topo_t *topo;
	unsigned n;

	test_fixed();
	if (rc_topo_open(&topo, layout && *layout ? layout : NULL, NULL, &err) <
	    0) {
		diag("no topology: %s", err.msg);
		skip(5, "no topology");
		done_testing();
		return exit_status();
	}
	n = (unsigned)tap_env_fixed("RC_SNAP_THREADS", 2);
	if (layout && *layout)
		n = rc_topo_npus(topo);
	else if (n > rc_topo_npus(topo))
		n = rc_topo_npus(topo);
	if (n > RC_SNAP_MAX_PROCS)
		n = RC_SNAP_MAX_PROCS;
	if (n < 2) {
		diag("%u PUs", rc_topo_npus(topo));
		skip(5, "needs 2 threads on 2 PUs");
	} else {
		diag("layout %s", layout && *layout ? layout : "machine");
		test_threads(topo, n);
	}
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
