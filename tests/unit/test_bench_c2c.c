/* SPDX-License-Identifier: MIT */
/* test_bench_c2c.c: the floor of core-to-core latency, the plainest ping-pong loop, beside `replicore bench c2c` (reported, not asserted). */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <replicore/clock.h>
#include <replicore/topo.h>

#include "tests/tap.h"
#include "tests/unit/bench_json.h"

/*
 * The floor: two threads on PUs 0 and 1 hand one counter back and forth,
 * each spinning until it sees its turn and then storing the next value.
 * Nothing else happens in the loop but a rarely taken escape (a yield
 * and a deadline check every 2^20 spins), so the loop never hangs on a
 * loaded machine. One way = time / (2 * rounds).
 */
static struct {
	_Alignas(64) _Atomic uint64_t turn;
	char pad[64 - sizeof(uint64_t)];
} line;

struct side {
	rc_topo_t *topo;
	unsigned pu, first;
	uint64_t rounds, deadline, ns;
	bool late;
};

static void *pingpong(void *arg)
{
	struct side *s = arg;
	uint64_t t0;

	(void)rc_topo_pin(s->topo, s->pu, NULL);
	t0 = rc_clock_now_ns();
	for (uint64_t r = 0; r < s->rounds && !s->late; r++) {
		uint64_t mine = 2 * r + s->first;
		unsigned long spins = 0;

		/* acquire: the other side's store of our turn; pairs with the
		 * release store below in the other thread */
		while (atomic_load_explicit(&line.turn, memory_order_acquire) !=
		       mine)
			if (++spins % (1ul << 20) == 0) {
				sched_yield();
				if (rc_clock_now_ns() > s->deadline) {
					s->late = true;
					break;
				}
			}
		/* release: hands the turn over; pairs with the acquire load */
		atomic_store_explicit(&line.turn, mine + 1,
				      memory_order_release);
	}
	s->ns = rc_clock_now_ns() - t0;
	return NULL;
}

/* One floor sample: one-way ns over rounds round trips, NaN if late. */
static double floor_once(rc_topo_t *topo, uint64_t rounds)
{
	struct side s[2];
	pthread_t th[2];
	uint64_t dl = rc_clock_now_ns() + 10ull * 1000000000ull;

	atomic_store(&line.turn, 0);
	for (unsigned i = 0; i < 2; i++) {
		s[i] = (struct side){ topo, i, i, rounds, dl, 0, false };
		if (pthread_create(&th[i], NULL, pingpong, &s[i]) != 0)
			return NAN;
	}
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	if (s[0].late || s[1].late)
		return NAN;
	return (double)s[0].ns / (2.0 * (double)rounds);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof *v, cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double min_of(const double *v, unsigned n)
{
	double m = v[0];

	for (unsigned i = 1; i < n; i++)
		m = fmin(m, v[i]);
	return m;
}

/* The median of method on pair (0, 1) in a bench c2c result, or NaN. */
static double pair_median(const struct bj *v, const char *method)
{
	const struct bj *r = bj_get(v, "results");

	for (size_t i = 0; r != NULL && i < r->n; i++) {
		const struct bj *e = r->v[i], *m = bj_get(e, "method");
		const struct bj *a = bj_get(e, "a"), *b = bj_get(e, "b");
		const struct bj *lat = bj_get(e, "latency_ns");

		if (m && strcmp(m->s, method) == 0 && a && a->num == 0 && b &&
		    b->num == 1 && bj_get(lat, "median"))
			return bj_get(lat, "median")->num;
	}
	return NAN;
}

int main(void)
{
	const char *bin = getenv("RC_BIN");
	double seconds = (double)tap_env_u64("RC_BENCH_FLOOR_MS", 50) / 1e3;
	unsigned reps = (unsigned)tap_env_u64("RC_BENCH_FLOOR_REPEAT", 5);
	double fl[1000], bs[1000], bc[1000], bo[1000], probe;
	double loads[3] = { -1, -1, -1 };
	char cmd[2048], path[512], err[256];
	unsigned nf = 0, nb = 0, no = 0;
	uint64_t rounds;
	rc_topo_t *topo;
	int st, bad_status = 0;

	if (reps < 1)
		reps = 1;
	if (reps > 1000)
		reps = 1000;
	if (rc_topo_open(&topo, NULL, NULL, NULL) < 0)
		skip_all("cannot read the machine's topology");
	if (rc_topo_npus(topo) < 2) {
		rc_topo_close(topo);
		skip_all("the machine has one PU: no pair to measure");
	}
	plan(4);
	getloadavg(loads, 3);
	diag("load average %.2f %.2f %.2f on %u PUs (numbers are noisy "
	     "under load)",
	     loads[0], loads[1], loads[2], rc_topo_npus(topo));

	/* calibrate the floor's round count to about `seconds` per sample */
	probe = floor_once(topo, 2000);
	rounds = isfinite(probe) && probe > 0
			 ? (uint64_t)(seconds * 1e9 / (2 * probe))
			 : 2000;
	if (rounds < 100)
		rounds = 100;
	/*
	 * Interleaved: a floor sample, then one bench c2c run (warm-up and
	 * one sample per method), reps times, so that both see much the
	 * same load; the medians of each are compared.
	 */
	snprintf(path, sizeof path, "%s/rc-bench-c2c.%d.json",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	snprintf(cmd, sizeof cmd,
		 "'%s' bench c2c --json --duration %g --repeat 1 >'%s'",
		 bin && *bin ? bin : "./replicore", seconds, path);
	for (unsigned i = 0; i < reps; i++) {
		double x = floor_once(topo, rounds);
		char *text;
		struct bj *v;

		if (isfinite(x))
			fl[nf++] = x;
		st = system(cmd);
		st = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
		if (st != 0)
			bad_status = st;
		text = bj_read_file(path);
		v = text != NULL ? bj_parse(text, err, sizeof err) : NULL;
		free(text);
		if (v != NULL && isfinite(pair_median(v, "store")) &&
		    isfinite(pair_median(v, "cas"))) {
			const struct bj *own =
				bj_get(bj_get(v, "floor"), "ratio_store");

			bs[nb] = pair_median(v, "store");
			bc[nb++] = pair_median(v, "cas");
			if (own != NULL && own->t == BJ_NUM)
				bo[no++] = own->num;
		}
		bj_free(v);
	}
	remove(path);
	rc_topo_close(topo);

	ok(nf > 0, "the floor loop ran (%u samples of %llu round trips)", nf,
	   (unsigned long long)rounds);
	is(bad_status, 0, "replicore bench c2c --json exits 0 (%u runs)", reps);
	ok(nb == reps, "bench c2c reports the pair (0, 1) in every run");
	if (nf > 0 && nb > 0) {
		double f = median(fl, nf), s = median(bs, nb),
		       c = median(bc, nb);

		diag("floor (this test's plainest ping-pong): median %.1f ns "
		     "one way, min %.1f, max %.1f",
		     f, fl[0], fl[nf - 1]);
		diag("bench c2c store/load: median %.1f ns, ratio to the "
		     "floor %.3f (%s 10%%)",
		     s, s / f,
		     fabs(s / f - 1) <= 0.10 ? "within" : "NOT within");
		diag("bench c2c compare-and-swap: median %.1f ns, ratio to the "
		     "floor %.3f",
		     c, c / f);
		diag("least of the samples (less sensitive to load): floor "
		     "%.1f ns, store/load %.1f, compare-and-swap %.1f; ratios "
		     "%.3f and %.3f",
		     fl[0], min_of(bs, nb), min_of(bc, nb),
		     min_of(bs, nb) / fl[0], min_of(bc, nb) / fl[0]);
		if (no > 0)
			diag("bench c2c's own floor ratio (store), median of "
			     "%u runs: %.3f",
			     no, median(bo, no));
		ok(isfinite(s / f) && s / f > 0,
		   "the ratio to the floor is reported (not asserted): %.3f",
		   s / f);
	} else {
		ok(false, "the ratio to the floor is reported");
	}
	return exit_status();
}
