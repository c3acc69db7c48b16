/* SPDX-License-Identifier: MIT */
/* c2c.c: `replicore bench c2c`, core-to-core latency of every pair of PUs by cache-line ping-pong. */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <ck_pr.h>

#include "bench/bench.h"

/*
 * Two threads pinned to PUs a and b pass one cache line back and forth: a
 * counter that the initiator moves from 2r to 2r+1 and the responder from
 * 2r+1 to 2r+2. Each move needs the line in the mover's cache in exclusive
 * state, so each round trip is two cache-line transfers; the one-way
 * latency is the sample's time divided by twice its rounds.
 *
 * - "cas": each side moves the counter with compare-and-swap, retrying
 *   until the other side's move makes its CAS succeed.
 * - "store": each side spins on loads until it sees the other's value,
 *   then stores its own (release/acquire).
 *
 * Each method has a floor, the plainest ping-pong of the same exchange:
 * a round count fixed before it starts and nothing in the loop but a
 * clock read every RC_C2C_CHUNK round trips (below).
 * The two exchanges differ on the wire (a CAS asks for the line for
 * writing at once; a load first shares it, and the store then takes it),
 * so each method is compared with its own. "store" runs the very same
 * exchange() as its floor, and "cas" the same cas_move(): the initiator
 * in batches of RC_C2C_BATCH round trips between two clock reads, which
 * end the sample, the responder until the initiator stops it. So a round
 * trip costs a method what it costs its floor, plus a clock read per
 * batch (the floor reads the clock once in 16 batches). All kinds use one
 * line and one thread set-up, so they share the
 * line's placement too. Each pair is measured in rounds, and each round
 * takes one sample of each kind in turn (the order rotates from round to
 * round), so that a method and the floor it is divided by run on the
 * same PUs moments apart: on a virtual machine the host may move the
 * virtual CPUs between cores that share a cache and cores that do not,
 * and the latency changes several times over with it, for milliseconds
 * to seconds at a time. A method's ratio to its floor is taken per round
 * and summarised over the rounds.
 *
 * Every sample, of a method or a floor, is also timed in chunks of
 * RC_C2C_CHUNK round trips: the initiator's clock read after every 16th
 * batch, or the floor's after every chunk, ends one chunk and starts the
 * next, so timing the chunks adds no clock read to a method and one per
 * chunk to a floor (a clock read cost 32 ns on the machine this was
 * written on, where the shortest chunk took 48 us: 23.6 ns one way). A
 * sample that loses its CPU for a while (preempted, or its virtual CPU
 * descheduled) inflates only the chunk it was in, so the minimum and the
 * median over the chunks of all rounds show the transfer with the
 * interruptions left out. A method's chunk median over its floor's is
 * the chunk ratio.
 *
 * Bounded: the initiator stops after the sample's duration by storing
 * RC_C2C_STOP; each wait yields after a spin budget and gives up at a hard
 * deadline, marking the sample as timed out. The budget is small when the
 * two PUs share a real CPU (a synthetic layout: the ping-pong then goes
 * through the scheduler) and large otherwise, so that a loaded machine does
 * not turn a short wait into a lost time slice.
 *
 * _rc_bench_c2c_floor(), the store/load floor for other benchmarks, runs
 * the same sides without the yields: its waits spin and only look at the
 * clock after the budget, so it refuses two PUs on one real CPU.
 */

#define RC_C2C_STOP UINT64_MAX
#define RC_C2C_BATCH 64		       /* rounds between two clock reads */
#define RC_C2C_SHARED_SPINS (1u << 10) /* spins before a yield, one real CPU */
#define RC_C2C_SPINS (1u << 20)	       /* spins before a yield, two CPUs */
#define RC_C2C_GRACE 2000000000ull /* ns past the duration before giving up */
#define RC_C2C_PROBE 1000u	   /* floor round trips before calibration */
#define RC_C2C_CHUNK (16 * RC_C2C_BATCH) /* round trips per timed chunk */

_Static_assert(RC_C2C_CHUNK % RC_C2C_BATCH == 0,
	       "a chunk ends at the clock read after a batch");

/*
 * The chunk times of a measurement, in ns: a count per bin, bins
 * 1/2^RC_C2C_SUB of a power of two wide (below 2^RC_C2C_SUB ns, one per
 * ns), so that any number of chunks fits in one fixed array and the
 * median comes out within 2^-RC_C2C_SUB of itself; the minimum and the
 * maximum are kept exactly. Written by one initiator at a time, read
 * after the join.
 */
#define RC_C2C_SUB 10
#define RC_C2C_TOP 44 /* chunks of 2^44 ns (4.9 hours) or more: the top bin */
#define RC_C2C_NBINS ((RC_C2C_TOP - RC_C2C_SUB + 1) << RC_C2C_SUB)

struct c2c_chunks {
	uint64_t n, min_ns, max_ns;
	uint64_t bin[RC_C2C_NBINS];
};

/* The bin of a chunk of v ns. */
static inline unsigned chunk_bin(uint64_t v)
{
	unsigned e;

	if (v < (1u << RC_C2C_SUB))
		return (unsigned)v;
	if (v >> RC_C2C_TOP)
		v = (UINT64_C(1) << RC_C2C_TOP) - 1;
	e = 63 - (unsigned)__builtin_clzll(v); /* RC_C2C_SUB .. TOP - 1 */
	return (e - RC_C2C_SUB + 1) << RC_C2C_SUB |
	       (unsigned)(v >> (e - RC_C2C_SUB) & ((1u << RC_C2C_SUB) - 1));
}

/* Counts a chunk of v ns in c; c NULL: a sample whose chunks are not kept. */
static inline void chunk_add(struct c2c_chunks *c, uint64_t v)
{
	if (c == NULL)
		return;
	if (c->n == 0 || v < c->min_ns)
		c->min_ns = v;
	if (c->n == 0 || v > c->max_ns)
		c->max_ns = v;
	c->n++;
	c->bin[chunk_bin(v)]++;
}

/* The k-th shortest chunk of c (from 0; k < c->n): its bin's middle. */
static double chunk_rank(const struct c2c_chunks *c, uint64_t k)
{
	uint64_t seen = 0;
	unsigned i = 0, g, m;
	double v;

	while (seen + c->bin[i] <= k)
		seen += c->bin[i++];
	g = i >> RC_C2C_SUB; /* the bins of 2^(g-1) ns each */
	m = i & ((1u << RC_C2C_SUB) - 1);
	if (g <= 1) /* one ns wide */
		v = g == 0 ? m : (1u << RC_C2C_SUB) + m;
	else
		v = ldexp((1u << RC_C2C_SUB) + m + 0.5, (int)g - 1);
	/* the extremes are exact, and a bin's middle may lie past them */
	return v < (double)c->min_ns   ? (double)c->min_ns
	       : v > (double)c->max_ns ? (double)c->max_ns
				       : v;
}

/* The median chunk of c, ns; NaN when c holds none. */
static double chunk_median(const struct c2c_chunks *c)
{
	if (c->n == 0)
		return NAN;
	if (c->n % 2)
		return chunk_rank(c, c->n / 2);
	return (chunk_rank(c, c->n / 2 - 1) + chunk_rank(c, c->n / 2)) / 2;
}

/*
 * The methods, then their floors: the four kinds of sample of a round;
 * method m's floor is kind FLOOR(m).
 */
enum { M_CAS = 0, M_STORE = 1, NMETHODS = 2, NKINDS = 4 };
#define FLOOR(m) (NMETHODS + (m))
static const char *const method_name[] = { "cas", "store" };
static const char *const method_title[] = { "compare-and-swap ping-pong",
					    "store/load ping-pong" };

struct c2c_line {
	_Alignas(RC_BENCH_LINE) _Atomic uint64_t v;
	char pad[RC_BENCH_LINE - sizeof(uint64_t)];
};

/* The line every sample passes back and forth, one sample at a time. */
static struct c2c_line line;

struct c2c_side {
	_Alignas(RC_BENCH_LINE) const rc_topo_t *topo;
	unsigned pu;
	bool initiator;
	int kind;	       /* a method, or FLOOR(method) */
	uint64_t duration_ns;  /* the methods: the sample's length */
	uint64_t floor_rounds; /* the floor: its round trips */
	uint64_t deadline_ns;
	unsigned budget;
	bool yield; /* false: spin only (each PU has a real CPU of its own) */
	struct c2c_line *line;
	struct rc_bench_gate *gate;
	struct c2c_chunks *chunks; /* the initiator's, or NULL */
	/* results */
	uint64_t rounds, elapsed_ns;
	bool timeout, pin_failed;
};

/*
 * Waits until the line holds want, looking at the clock (after a yield if
 * yield) every budget spins; returns false on RC_C2C_STOP or at the
 * deadline (then *timeout is set).
 */
static inline bool wait_for(struct c2c_line *l, uint64_t want,
			    uint64_t deadline, unsigned budget, bool yield,
			    bool *timeout)
{
	unsigned spins = 0;
	uint64_t v;

	/* acquire: the other side's release store of want happens before
	 * our next move; pairs with the release store in exchange() */
	while ((v = atomic_load_explicit(&l->v, memory_order_acquire)) !=
	       want) {
		if (v == RC_C2C_STOP)
			return false;
		if ((++spins & (budget - 1)) == 0) { /* budget: a power of 2 */
			if (yield)
				sched_yield();
			if (_rc_bench_now() > deadline) {
				*timeout = true;
				return false;
			}
		}
	}
	return true;
}

/*
 * The store/load exchange, the floor's whole loop and "store"'s: round
 * trips r0 .. r0 + n - 1 of one side (the initiator moves the counter
 * from 2r to 2r+1, the responder from 2r+1 to 2r+2); false as in
 * wait_for().
 */
static inline bool exchange(struct c2c_line *l, bool responder, uint64_t r0,
			    uint64_t n, uint64_t deadline, unsigned budget,
			    bool yield, bool *timeout)
{
	for (uint64_t r = r0; r - r0 < n; r++) {
		uint64_t mine = 2 * r + responder;

		if (!wait_for(l, mine, deadline, budget, yield, timeout))
			return false;
		/* release: hands the line over; pairs with the acquire
		 * load in the other side's wait_for() */
		atomic_store_explicit(&l->v, mine + 1, memory_order_release);
		/*
		 * The spin-wait hint (PAUSE on x86) before spinning on the
		 * line just handed over: on the machine this was measured
		 * on, a load issued right behind the store made the next
		 * transfer take about 45 ns instead of 27.
		 */
		ck_pr_stall();
	}
	return true;
}

/* The spin budget of a pair: small when both PUs run on one real CPU. */
static unsigned budget_of(const rc_topo_t *topo, unsigned a, unsigned b)
{
	struct rc_topo_pu x, y;

	rc_topo_pu(topo, a, &x);
	rc_topo_pu(topo, b, &y);
	return x.real_os_index == y.real_os_index ? RC_C2C_SHARED_SPINS
						  : RC_C2C_SPINS;
}

/* Moves the line from want to want + 1 by CAS; false as in wait_for(). */
static bool cas_move(struct c2c_line *l, uint64_t want, uint64_t deadline,
		     unsigned budget, bool yield, bool *timeout)
{
	unsigned spins = 0;
	uint64_t exp = want;

	/* acq_rel: takes the other side's move and publishes ours; pairs
	 * with the other side's CAS on the same line */
	while (!atomic_compare_exchange_weak_explicit(&l->v, &exp, want + 1,
						      memory_order_acq_rel,
						      memory_order_relaxed)) {
		if (exp == RC_C2C_STOP)
			return false;
		exp = want;
		if ((++spins & (budget - 1)) == 0) { /* budget: a power of 2 */
			if (yield)
				sched_yield();
			if (_rc_bench_now() > deadline) {
				*timeout = true;
				return false;
			}
		}
	}
	return true;
}

/* exchange() by compare-and-swap: cas_move() for each round trip. */
static inline bool cas_exchange(struct c2c_line *l, bool responder, uint64_t r0,
				uint64_t n, uint64_t deadline, unsigned budget,
				bool yield, bool *timeout)
{
	for (uint64_t r = r0; r - r0 < n; r++)
		if (!cas_move(l, 2 * r + responder, deadline, budget, yield,
			      timeout))
			return false;
	return true;
}

/*
 * Round trips r0 .. r0 + n - 1 of method m's exchange, for side s (its
 * deadline and waits).
 */
static bool round_trips(int m, const struct c2c_side *s, struct c2c_line *l,
			bool responder, uint64_t r0, uint64_t n, bool *timeout)
{
	if (m == M_CAS)
		return cas_exchange(l, responder, r0, n, s->deadline_ns,
				    s->budget, s->yield, timeout);
	return exchange(l, responder, r0, n, s->deadline_ns, s->budget,
			s->yield, timeout);
}

/*
 * The methods' initiator: round trips in batches of RC_C2C_BATCH between
 * two clock reads, until the sample's duration has passed since t0; the
 * number of round trips in *rounds (the first move, at t0, waits for
 * nothing, as in the floor), false when the sample stopped or timed out.
 * Every RC_C2C_CHUNK round trips, the clock read ends a chunk.
 */
static bool initiate(const struct c2c_side *s, struct c2c_line *l, uint64_t t0,
		     uint64_t *rounds, bool *timeout)
{
	uint64_t r = 0, tc = t0, now;

	*rounds = 0;
	do {
		if (!round_trips(s->kind, s, l, false, r, RC_C2C_BATCH,
				 timeout))
			return false;
		r += RC_C2C_BATCH;
		*rounds = r;
		now = _rc_bench_now();
		if (r % RC_C2C_CHUNK == 0) {
			chunk_add(s->chunks, now - tc);
			tc = now;
		}
	} while (now - t0 < s->duration_ns);
	return true;
}

/*
 * The floor's initiator: its fixed round count, a clock read after each
 * RC_C2C_CHUNK round trips ending a chunk (the rest, shorter than a chunk,
 * is not timed); false as in wait_for().
 */
static bool floor_initiate(const struct c2c_side *s, struct c2c_line *l,
			   uint64_t t0, bool *timeout)
{
	int m = s->kind - NMETHODS;
	uint64_t r = 0, tc = t0, now;

	for (; s->floor_rounds - r >= RC_C2C_CHUNK; r += RC_C2C_CHUNK) {
		if (!round_trips(m, s, l, false, r, RC_C2C_CHUNK, timeout))
			return false;
		now = _rc_bench_now();
		chunk_add(s->chunks, now - tc);
		tc = now;
	}
	return round_trips(m, s, l, false, r, s->floor_rounds - r, timeout);
}

/*
 * _rc_bench_gate_wait() without its yield, for sides that spin only: the
 * wait is bounded by the other side's start, which sample() guarantees.
 */
static void gate_spin(struct rc_bench_gate *g, unsigned n)
{
	/* acq_rel: publishes this side's set-up and takes the other's;
	 * pairs with the acquire load below on the other side */
	atomic_fetch_add_explicit(&g->arrived, 1, memory_order_acq_rel);
	/* acquire: pairs with the other side's acq_rel increment */
	while (atomic_load_explicit(&g->arrived, memory_order_acquire) < n)
		ck_pr_stall();
}

static void *run_side(void *arg)
{
	struct c2c_side *s = arg;
	struct c2c_line *l = s->line;
	bool timeout = false, ok;
	uint64_t t0;

	if (rc_topo_pin(s->topo, s->pu, NULL) < 0)
		s->pin_failed = true;
	if (s->yield)
		_rc_bench_gate_wait(s->gate, 2);
	else
		gate_spin(s->gate, 2);
	t0 = _rc_bench_now();
	if (s->kind >= NMETHODS) { /* a floor: its fixed round count */
		ok = s->initiator ? floor_initiate(s, l, t0, &timeout)
				  : round_trips(s->kind - NMETHODS, s, l, true,
						0, s->floor_rounds, &timeout);
		s->elapsed_ns = _rc_bench_now() - t0;
		s->rounds = ok ? s->floor_rounds : 0;
		s->timeout = timeout;
		if (timeout)
			/* release: lets the other side stop too; pairs
			 * with the acquire load in its wait_for() */
			atomic_store_explicit(&l->v, RC_C2C_STOP,
					      memory_order_release);
		return NULL;
	}
	if (!s->initiator) {
		/* until the initiator's RC_C2C_STOP */
		(void)round_trips(s->kind, s, l, true, 0, UINT64_MAX, &timeout);
		s->timeout = timeout;
		return NULL;
	}
	ok = initiate(s, l, t0, &s->rounds, &timeout);
	s->elapsed_ns = _rc_bench_now() - t0;
	/*
	 * The responder's answer to our last move comes before the stop:
	 * its store would overwrite RC_C2C_STOP, and it would wait on.
	 */
	if (!ok || !wait_for(l, 2 * s->rounds, s->deadline_ns, s->budget,
			     s->yield, &timeout))
		s->rounds = 0;
	s->timeout = timeout;
	/* release: tells the responder to stop; pairs with its acquire
	 * loads and CAS failures, which look for RC_C2C_STOP */
	atomic_store_explicit(&l->v, RC_C2C_STOP, memory_order_release);
	return NULL;
}

/* What the samples of one measurement between PUs a and b share. */
struct c2c_run {
	const rc_topo_t *topo;
	unsigned a, b;
	struct c2c_line *line; /* one sample at a time on it */
	double duration;       /* a method's sample, s */
	bool yield;	       /* false: spin only; each PU has its own CPU */
	/* set by any sample */
	bool pin_failed, start_failed;
};

/*
 * One sample of kind k on run's pair (for the floor, of rounds round
 * trips; for a method, of about run->duration s), its chunks counted in
 * chunks unless NULL: the one-way latency in ns, or NaN when a thread
 * could not start, the sample timed out or no round completed.
 */
static double sample(struct c2c_run *run, int k, uint64_t rounds,
		     struct c2c_chunks *chunks)
{
	struct rc_bench_gate gate;
	struct c2c_side side[2];
	struct c2c_line *l = run->line;
	pthread_t th[2];
	uint64_t now = _rc_bench_now(), dur = (uint64_t)(run->duration * 1e9);

	memset(&gate, 0, sizeof gate);
	atomic_init(&gate.arrived, 0);
	atomic_store_explicit(&l->v, 0, memory_order_relaxed);
	for (unsigned i = 0; i < 2; i++) {
		memset(&side[i], 0, sizeof side[i]);
		side[i].topo = run->topo;
		side[i].pu = i == 0 ? run->a : run->b;
		side[i].initiator = i == 0;
		side[i].kind = k;
		side[i].duration_ns = dur;
		side[i].floor_rounds = rounds;
		side[i].deadline_ns = now + 2 * dur + RC_C2C_GRACE;
		side[i].budget = budget_of(run->topo, run->a, run->b);
		side[i].yield = run->yield;
		side[i].line = l;
		side[i].gate = &gate;
		side[i].chunks = i == 0 ? chunks : NULL;
	}
	for (unsigned i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, run_side, &side[i]) != 0) {
			run->start_failed = true;
			if (i == 1) {
				/* release: stops the lone initiator; pairs
				 * with the acquire load in its wait_for() */
				atomic_store_explicit(&l->v, RC_C2C_STOP,
						      memory_order_release);
				/* opens the gate after the stop signal above
				 * (its acq_rel pairs with the acquire load in
				 * _rc_bench_gate_wait() or gate_spin()) */
				_rc_bench_gate_arrive(&gate);
				pthread_join(th[0], NULL);
			}
			return NAN;
		}
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	if (side[0].pin_failed || side[1].pin_failed)
		run->pin_failed = true;
	if (side[0].timeout || side[1].timeout || side[0].rounds == 0)
		return NAN;
	return (double)side[0].elapsed_ns / (2.0 * (double)side[0].rounds);
}

/* The floor's round count for about duration s at x ns one way. */
static uint64_t floor_rounds(double x, double duration, uint64_t before)
{
	double r;

	if (!isfinite(x) || x <= 0)
		return before;
	r = duration * 1e9 / (2 * x);
	return r < 100 ? 100 : r > 1e12 ? (uint64_t)1e12 : (uint64_t)r;
}

/* What is measured on one pair: samples, statistics and ratios. */
struct c2c_pair {
	double *samp[NKINDS];		  /* o->repeat each */
	double *ratio[NMETHODS];	  /* per round: method / its floor */
	struct rc_bench_stats st[NKINDS]; /* n == 0: none */
	struct rc_bench_stats rst[NMETHODS];
	/* over the chunks of every round, one way, ns; NaN: no chunk */
	double chunk_min[NKINDS], chunk_median[NKINDS];
	uint64_t chunks[NKINDS];
	double chunk_ratio[NMETHODS]; /* method's chunk median / floor's */
};

/* One way, ns, of a chunk of t ns. */
static double chunk_one_way(double t)
{
	return t / (2.0 * RC_C2C_CHUNK);
}

/*
 * Measures pair (a, b): a short probe of each floor to size its samples, a
 * warm-up round (discarded), then o->repeat rounds of one sample of each
 * kind, in an order that rotates from round to round. The ratio of a
 * method to its floor is taken within each round; the chunks of every
 * round but the warm-up are counted in ch[kind] (cleared here). False if
 * any sample failed.
 */
static bool measure_pair(const struct rc_bench_opts *o, const rc_topo_t *topo,
			 unsigned a, unsigned b, struct c2c_pair *pp,
			 struct c2c_chunks *const ch[NKINDS], bool *pin_failed)
{
	struct c2c_run run = { .topo = topo,
			       .a = a,
			       .b = b,
			       .line = &line,
			       .duration = o->duration,
			       .yield = true };
	unsigned n[NKINDS] = { 0 }, nr[NMETHODS] = { 0 };
	uint64_t rounds[NKINDS] = { 0 };
	bool all = true;

	for (int m = 0; m < NKINDS; m++)
		memset(ch[m], 0, sizeof *ch[m]);
	for (int m = 0; m < NMETHODS; m++)
		rounds[FLOOR(m)] =
			floor_rounds(sample(&run, FLOOR(m), RC_C2C_PROBE, NULL),
				     o->duration, RC_C2C_PROBE);
	for (unsigned r = 0; r <= o->repeat; r++) {
		double x[NKINDS];

		for (unsigned k = 0; k < NKINDS; k++) {
			int m = (int)((r + k) % NKINDS);

			/* the warm-up round's chunks are not kept */
			x[m] = sample(&run, m, rounds[m], r ? ch[m] : NULL);
			if (m >= NMETHODS)
				rounds[m] = floor_rounds(x[m], o->duration,
							 rounds[m]);
		}
		if (r == 0) /* the warm-up round */
			continue;
		for (int m = 0; m < NKINDS; m++) {
			if (isfinite(x[m]))
				pp->samp[m][n[m]++] = x[m];
			else
				all = false;
		}
		for (int m = 0; m < NMETHODS; m++)
			if (isfinite(x[m]) && isfinite(x[FLOOR(m)]) &&
			    x[FLOOR(m)] > 0)
				pp->ratio[m][nr[m]++] = x[m] / x[FLOOR(m)];
	}
	if (run.pin_failed)
		*pin_failed = true;
	for (int m = 0; m < NKINDS; m++) {
		memset(&pp->st[m], 0, sizeof pp->st[m]);
		if (n[m] > 0)
			_rc_bench_stats(pp->samp[m], n[m], &pp->st[m]);
		pp->chunks[m] = ch[m]->n;
		pp->chunk_min[m] =
			ch[m]->n ? chunk_one_way((double)ch[m]->min_ns) : NAN;
		pp->chunk_median[m] = chunk_one_way(chunk_median(ch[m]));
	}
	for (int m = 0; m < NMETHODS; m++) {
		memset(&pp->rst[m], 0, sizeof pp->rst[m]);
		if (nr[m] > 0)
			_rc_bench_stats(pp->ratio[m], nr[m], &pp->rst[m]);
		pp->chunk_ratio[m] =
			pp->chunk_median[FLOOR(m)] > 0
				? pp->chunk_median[m] /
					  pp->chunk_median[FLOOR(m)]
				: NAN;
	}
	return all;
}

int _rc_bench_c2c_floor(const rc_topo_t *topo, unsigned pu_a, unsigned pu_b,
			double duration_s, double *chunk_min_ns,
			double *chunk_median_ns)
{
	struct c2c_run run = { .topo = topo,
			       .a = pu_a,
			       .b = pu_b,
			       .duration = duration_s,
			       .yield = false };
	struct rc_topo_pu x, y;
	struct c2c_chunks *c;
	uint64_t rounds;
	double probe, full;
	int rc = 0;

	if (topo == NULL || chunk_min_ns == NULL || chunk_median_ns == NULL ||
	    !(duration_s > 0 && duration_s <= 3600) || pu_a == pu_b ||
	    rc_topo_pu(topo, pu_a, &x) < 0 || rc_topo_pu(topo, pu_b, &y) < 0)
		return -RC_EINVAL;
	if (x.real_os_index == y.real_os_index)
		return -RC_ENOTSUP; /* would spin out the other side's slices */
	run.line = aligned_alloc(RC_BENCH_LINE, sizeof *run.line);
	c = calloc(1, sizeof *c);
	if (run.line == NULL || c == NULL) {
		free(run.line);
		free(c);
		return -RC_ENOMEM;
	}
	/* as bench c2c sizes its floors: a probe, then about duration_s */
	probe = sample(&run, FLOOR(M_STORE), RC_C2C_PROBE, NULL);
	rounds = floor_rounds(probe, duration_s, RC_C2C_PROBE);
	if (rounds < RC_C2C_CHUNK)
		rounds = RC_C2C_CHUNK; /* one chunk at least */
	full = isfinite(probe) ? sample(&run, FLOOR(M_STORE), rounds, c) : NAN;
	if (run.start_failed)
		rc = -RC_ESYS;
	else if (run.pin_failed)
		rc = -RC_ENOTSUP;
	else if (!isfinite(full) || c->n == 0)
		rc = -RC_ETIMEDOUT;
	else {
		*chunk_min_ns = chunk_one_way((double)c->min_ns);
		*chunk_median_ns = chunk_one_way(chunk_median(c));
	}
	free(run.line);
	free(c);
	return rc;
}

static const char c2c_help[] =
	"NAME\n"
	"    replicore bench c2c - core-to-core latency of every pair of "
	"PUs\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench c2c [--json] [--plot FILE.svg] [--duration S] "
	"[--repeat N]\n"
	"                        [--synthetic SPEC | --xml FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    For every pair of PUs (a, b) of the layout, two threads pinned "
	"to a and b\n"
	"    pass one cache line back and forth, a counter each side "
	"advances in turn:\n"
	"      cas    by compare-and-swap (each side retries until its "
	"CAS succeeds)\n"
	"      store  by store/load (each side spins on loads, then "
	"stores)\n"
	"    A round trip moves the line twice; the one-way latency is "
	"the time of\n"
	"    a sample over twice its round trips, in nanoseconds.\n"
	"\n"
	"    Beside each method runs its floor, the plainest ping-pong of "
	"the same\n"
	"    exchange: a fixed number of round trips, nothing else in the "
	"loop but\n"
	"    the clock read that ends a chunk (below).\n"
	"    Each pair is measured in rounds: one sample of S seconds of "
	"cas, of\n"
	"    store and of each floor, in an order that rotates from round "
	"to round,\n"
	"    after one warm-up round (discarded). A method's ratio to its "
	"floor is\n"
	"    taken within each round, so that both ran on the same PUs "
	"moments\n"
	"    apart (on a virtual machine the host may move the virtual "
	"CPUs between\n"
	"    cores that share a cache and cores that do not). The "
	"median, p10/p90\n"
	"    (nearest rank) and min/max of the N rounds are reported, "
	"for the\n"
	"    latencies and for the ratios.\n"
	"\n"
	"    Every sample of the N rounds is also timed in chunks of 1024 "
	"round\n"
	"    trips, one clock read each. A preempted chunk inflates only "
	"itself, so\n"
	"    the minimum and the median one-way latency over the chunks of "
	"all rounds\n"
	"    leave interruptions out; they are reported for each method "
	"and floor,\n"
	"    with each method's chunk median over its floor's.\n"
	"\n"
	"    The pairs are printed as a table, then the ratios, then the "
	"chunks, then\n"
	"    a matrix per method; --plot draws both matrices as heat maps "
	"with the\n"
	"    NUMA node boundaries as thick lines.\n"
	"\n"
	"    A synthetic or XML layout is mapped onto the machine: layout "
	"PU i runs on\n"
	"    real CPU (i mod real CPUs). Its nodes are not real NUMA "
	"nodes, and a pair\n"
	"    of PUs on one real CPU measures the scheduler (each wait "
	"yields after a\n"
	"    spin budget), not a cache; the output says so.\n"
	"\n"
	"OPTIONS\n" RC_BENCH_HELP_JSON
	"    --plot FILE.svg   write the heat maps to FILE.svg\n"
	"    --duration S      seconds per sample (default 0.05; decimals "
	"allowed)\n"
	"    --repeat N        rounds per pair, 1..1000 (default 5)\n"
	"    --synthetic SPEC  an hwloc synthetic layout, e.g. \"numa:2 "
	"core:2 pu:1\"\n" RC_BENCH_HELP_XML "\n"
	"    Progress is written to stderr only when stderr is a "
	"terminal.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 on success, 1 when a sample timed out or a thread could not "
	"be pinned,\n"
	"    2 on a bad option or layout.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore bench c2c --repeat 7 --plot c2c.svg\n"
	"    replicore bench c2c --synthetic \"numa:2 core:2 pu:1\" --json\n";

/*
 * A result's chunk members for method m: its chunks' minimum and median
 * one way and their count, its floor's, and the ratio of the medians.
 */
static void json_chunks(struct cli_json *j, const struct c2c_pair *pp, int m)
{
	_rc_bench_json_num(j, "chunk_min_ns", pp->chunk_min[m]);
	_rc_bench_json_num(j, "chunk_median_ns", pp->chunk_median[m]);
	cli_json_key(j, "chunks");
	cli_json_uint(j, pp->chunks[m]);
	_rc_bench_json_num(j, "floor_chunk_min_ns", pp->chunk_min[FLOOR(m)]);
	_rc_bench_json_num(j, "floor_chunk_median_ns",
			   pp->chunk_median[FLOOR(m)]);
	cli_json_key(j, "floor_chunks");
	cli_json_uint(j, pp->chunks[FLOOR(m)]);
	_rc_bench_json_num(j, "chunk_ratio_to_floor", pp->chunk_ratio[m]);
}

/* "median [p10, p90]" with prec decimals, or "timed out" when s is empty. */
static void stats_cell(char *buf, size_t size, const struct rc_bench_stats *s,
		       int prec)
{
	if (s->n)
		snprintf(buf, size, "%.*f [%.*f, %.*f]", prec, s->median, prec,
			 s->p10, prec, s->p90);
	else
		snprintf(buf, size, "timed out");
}

/* "minimum / median" of kind k's chunks, or "no chunk". */
static void chunk_cell(char *buf, size_t size, const struct c2c_pair *pp, int k)
{
	if (pp->chunks[k])
		snprintf(buf, size, "%.1f / %.1f", pp->chunk_min[k],
			 pp->chunk_median[k]);
	else
		snprintf(buf, size, "no chunk");
}

/* A ratio with three decimals, or "-" when it is missing. */
static void ratio_cell(char *buf, size_t size, double v)
{
	if (isfinite(v))
		snprintf(buf, size, "%.3f", v);
	else
		snprintf(buf, size, "-");
}

int bench_c2c(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "c2c",
				   .duration = 0.05,
				   .repeat = 5,
				   .warmup = "one discarded round (a sample of "
					     "each method and of each floor) "
					     "before the rounds of each pair" };
	struct c2c_pair *pair;
	struct c2c_chunks *ch[NKINDS];
	double *mat[NMETHODS];
	unsigned n, *ord, npairs, p = 0;
	bool pin_failed = false, failed = false, *bounds;
	const char **labels;
	char(*labelbuf)[16];
	struct cli_json j;
	rc_topo_t *topo;
	int rc;

	rc = _rc_bench_start(&o, argc, argv, c2c_help, &topo);
	if (rc >= 0)
		return rc;
	n = rc_topo_npus(topo);
	if (n < 2) {
		fprintf(stderr,
			"replicore bench c2c: the layout has %u PU; "
			"core-to-core latency needs two\n",
			n);
		rc_topo_close(topo);
		return CLI_EXIT_USAGE;
	}
	for (int m = 0; m < NKINDS; m++)
		ch[m] = malloc(sizeof *ch[m]);
	if (!ch[0] || !ch[1] || !ch[2] || !ch[3]) {
		fprintf(stderr, "replicore bench c2c: out of memory\n");
		for (int m = 0; m < NKINDS; m++)
			free(ch[m]);
		rc_topo_close(topo);
		return CLI_EXIT_FOUND;
	}
	npairs = n * (n - 1) / 2;
	ord = calloc(n, sizeof *ord);
	bounds = calloc(n, sizeof *bounds);
	labels = calloc(n, sizeof *labels);
	labelbuf = calloc(n, sizeof *labelbuf);
	pair = calloc(npairs, sizeof *pair);
	for (int m = 0; m < NMETHODS; m++)
		mat[m] = malloc((size_t)n * n * sizeof(double));
	for (unsigned i = 0; pair && i < npairs; i++) {
		for (int m = 0; m < NKINDS; m++)
			pair[i].samp[m] = calloc(o.repeat, sizeof(double));
		for (int m = 0; m < NMETHODS; m++)
			pair[i].ratio[m] = calloc(o.repeat, sizeof(double));
	}
	/* PUs in node order, so each node is one block of the matrix */
	for (unsigned i = 0; i < n; i++)
		ord[i] = i;
	for (unsigned i = 1; i < n; i++)
		for (unsigned k = i; k > 0; k--) {
			struct rc_topo_pu x, y;
			unsigned tmp;

			rc_topo_pu(topo, ord[k - 1], &x);
			rc_topo_pu(topo, ord[k], &y);
			if (x.node <= y.node)
				break;
			tmp = ord[k];
			ord[k] = ord[k - 1];
			ord[k - 1] = tmp;
		}
	for (unsigned i = 0; i < n; i++) {
		struct rc_topo_pu x, y;

		rc_topo_pu(topo, ord[i], &x);
		snprintf(labelbuf[i], sizeof labelbuf[i], "%u", ord[i]);
		labels[i] = labelbuf[i];
		if (i > 0) {
			rc_topo_pu(topo, ord[i - 1], &y);
			bounds[i] = x.node != y.node;
		}
	}

	for (unsigned a = 0; a < n; a++)
		for (unsigned b = a + 1; b < n; b++, p++) {
			_rc_bench_progress(&o, "pair %u/%u (%u,%u)", p + 1,
					   npairs, a, b);
			if (!measure_pair(&o, topo, a, b, &pair[p], ch,
					  &pin_failed))
				failed = true;
		}
	_rc_bench_progress(&o, NULL);

	/* the matrices, in node order; NaN on the diagonal */
	for (int m = 0; m < NMETHODS; m++) {
		for (unsigned i = 0; i < n * n; i++)
			mat[m][i] = NAN;
		p = 0;
		for (unsigned a = 0; a < n; a++)
			for (unsigned b = a + 1; b < n; b++, p++) {
				unsigned ia = 0, ib = 0;

				for (unsigned i = 0; i < n; i++) {
					if (ord[i] == a)
						ia = i;
					if (ord[i] == b)
						ib = i;
				}
				if (pair[p].st[m].n == 0)
					continue;
				mat[m][ia * n + ib] = pair[p].st[m].median;
				mat[m][ib * n + ia] = pair[p].st[m].median;
			}
	}

	if (o.json) {
		_rc_bench_json_begin(&j, &o, topo, "ns");
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		p = 0;
		for (unsigned a = 0; a < n; a++)
			for (unsigned b = a + 1; b < n; b++, p++) {
				struct rc_topo_pu x, y;

				rc_topo_pu(topo, a, &x);
				rc_topo_pu(topo, b, &y);
				for (int m = 0; m < NMETHODS; m++) {
					cli_json_obj(&j);
					cli_json_key(&j, "method");
					cli_json_str(&j, method_name[m]);
					cli_json_key(&j, "a");
					cli_json_uint(&j, a);
					cli_json_key(&j, "b");
					cli_json_uint(&j, b);
					cli_json_key(&j, "node_a");
					cli_json_uint(&j, x.node);
					cli_json_key(&j, "node_b");
					cli_json_uint(&j, y.node);
					cli_json_key(&j, "real_cpu_a");
					cli_json_uint(&j, x.real_os_index);
					cli_json_key(&j, "real_cpu_b");
					cli_json_uint(&j, y.real_os_index);
					cli_json_key(&j, "same_real_cpu");
					cli_json_bool(&j,
						      x.real_os_index ==
							      y.real_os_index);
					_rc_bench_json_stats_or_null(
						&j, "latency_ns",
						&pair[p].st[m],
						pair[p].samp[m]);
					_rc_bench_json_stats_or_null(
						&j, "floor_ns",
						&pair[p].st[FLOOR(m)],
						pair[p].samp[FLOOR(m)]);
					_rc_bench_json_stats_or_null(
						&j, "ratio_to_floor",
						&pair[p].rst[m],
						pair[p].ratio[m]);
					json_chunks(&j, &pair[p], m);
					cli_json_obj_end(&j);
				}
			}
		cli_json_arr_end(&j);
		cli_json_key(&j, "matrix");
		cli_json_obj(&j);
		cli_json_key(&j, "order");
		cli_json_arr(&j);
		for (unsigned i = 0; i < n; i++)
			cli_json_uint(&j, ord[i]);
		cli_json_arr_end(&j);
		for (int m = 0; m < NMETHODS; m++) {
			cli_json_key(&j, method_name[m]);
			cli_json_arr(&j);
			for (unsigned r = 0; r < n; r++) {
				cli_json_arr(&j);
				for (unsigned c = 0; c < n; c++)
					cli_json_double(&j, mat[m][r * n + c]);
				cli_json_arr_end(&j);
			}
			cli_json_arr_end(&j);
		}
		cli_json_obj_end(&j);
		cli_json_key(&j, "floor");
		cli_json_obj(&j);
		cli_json_key(&j, "what");
		cli_json_str(&j, "per method, the plainest ping-pong loop "
				 "of the same exchange (compare-and-swap, "
				 "store/load) for a fixed number of round "
				 "trips, sampled in the same rounds as the "
				 "methods on each pair; a ratio is a "
				 "method's sample over its floor's of the "
				 "same round");
		cli_json_key(&j, "a");
		cli_json_uint(&j, 0);
		cli_json_key(&j, "b");
		cli_json_uint(&j, 1);
		for (int m = 0; m < NMETHODS; m++)
			_rc_bench_json_stats_or_null(&j, method_name[m],
						     &pair[0].st[FLOOR(m)],
						     pair[0].samp[FLOOR(m)]);
		for (int m = 0; m < NMETHODS; m++) {
			char key[32];

			snprintf(key, sizeof key, "ratio_%s", method_name[m]);
			_rc_bench_json_stats_or_null(&j, key, &pair[0].rst[m],
						     pair[0].ratio[m]);
		}
		cli_json_obj_end(&j);
		cli_json_key(&j, "chunks");
		cli_json_obj(&j);
		cli_json_key(&j, "what");
		cli_json_str(&j, "every sample of a method or a floor, but "
				 "the warm-up round's, timed in chunks of "
				 "round_trips round trips (one clock read "
				 "each); a result's chunk_min_ns and "
				 "chunk_median_ns are the minimum and the "
				 "median one way over the chunks of all its "
				 "rounds (the median within 0.1%), and "
				 "chunk_ratio_to_floor is the method's chunk "
				 "median over its floor's");
		cli_json_key(&j, "round_trips");
		cli_json_uint(&j, RC_C2C_CHUNK);
		cli_json_obj_end(&j);
		_rc_bench_json_end(&j);
	} else {
		printf("core-to-core latency, one way, ns (median [p10, p90] "
		       "of %u rounds; a round is one sample of %g s of each "
		       "method and of each floor)\n",
		       o.repeat, o.duration);
		printf("cpu: %s; load %.2f\n", _rc_bench_cpu_model(),
		       _rc_bench_load());
		if (rc_topo_kind(topo) != RC_TOPO_REAL)
			printf("layout \"%s\" mapped onto %u real CPUs: PU i "
			       "runs on CPU (i mod %u); its nodes are not "
			       "real, and pairs on one real CPU measure the "
			       "scheduler\n",
			       rc_topo_source(topo), rc_topo_real_npus(topo),
			       rc_topo_real_npus(topo));
		printf("\n%5s %5s %5s  %-24s %-24s %-24s %-24s\n", "a", "b",
		       "nodes", "cas", "store", "floor cas", "floor store");
		p = 0;
		for (unsigned a = 0; a < n; a++)
			for (unsigned b = a + 1; b < n; b++, p++) {
				struct rc_topo_pu x, y;
				char c[NKINDS][64];

				rc_topo_pu(topo, a, &x);
				rc_topo_pu(topo, b, &y);
				for (int m = 0; m < NKINDS; m++)
					stats_cell(c[m], sizeof c[m],
						   &pair[p].st[m], 1);
				printf("%5u %5u %2u-%-2u  %-24s %-24s %-24s "
				       "%-24s%s\n",
				       a, b, x.node, y.node, c[0], c[1], c[2],
				       c[3],
				       x.real_os_index == y.real_os_index
					       ? "  (same real CPU)"
					       : "");
			}
		printf("\nratio to the floor (a method's sample over its "
		       "floor's in the same round; median [p10, p90])\n");
		printf("%5s %5s  %-24s %-24s\n", "a", "b", "cas/floor cas",
		       "store/floor store");
		p = 0;
		for (unsigned a = 0; a < n; a++)
			for (unsigned b = a + 1; b < n; b++, p++) {
				char c[NMETHODS][64];

				for (int m = 0; m < NMETHODS; m++)
					stats_cell(c[m], sizeof c[m],
						   &pair[p].rst[m], 3);
				printf("%5u %5u  %-24s %-24s\n", a, b, c[0],
				       c[1]);
			}
		printf("\nchunks of %u round trips, one way, ns (minimum / "
		       "median over the chunks of all %u rounds: a preempted "
		       "chunk inflates only itself), and each method's chunk "
		       "median over its floor's\n",
		       RC_C2C_CHUNK, o.repeat);
		printf("%5s %5s  %-17s %-17s %-17s %-17s %-10s %-11s\n", "a",
		       "b", "cas", "store", "floor cas", "floor store",
		       "cas/floor", "store/floor");
		p = 0;
		for (unsigned a = 0; a < n; a++)
			for (unsigned b = a + 1; b < n; b++, p++) {
				char c[NKINDS][64], r[NMETHODS][32];

				for (int m = 0; m < NKINDS; m++)
					chunk_cell(c[m], sizeof c[m], &pair[p],
						   m);
				for (int m = 0; m < NMETHODS; m++)
					ratio_cell(r[m], sizeof r[m],
						   pair[p].chunk_ratio[m]);
				printf("%5u %5u  %-17s %-17s %-17s %-17s %-10s "
				       "%-11s\n",
				       a, b, c[0], c[1], c[2], c[3], r[0],
				       r[1]);
			}
		for (int m = 0; m < NMETHODS; m++) {
			printf("\n%s (median ns; rows and columns are PUs in "
			       "node order)\n     ",
			       method_name[m]);
			for (unsigned c = 0; c < n; c++)
				printf(" %7u", ord[c]);
			printf("\n");
			for (unsigned r = 0; r < n; r++) {
				printf("  %-3u", ord[r]);
				for (unsigned c = 0; c < n; c++)
					if (isfinite(mat[m][r * n + c]))
						printf(" %7.1f",
						       mat[m][r * n + c]);
					else
						printf(" %7s", "-");
				printf("\n");
			}
		}
	}

	if (o.plot != NULL) {
		double cell = 560.0 / n, pw, ph;
		char sub[512];
		struct rc_svg *s;

		if (cell > 90)
			cell = 90;
		if (cell < 14)
			cell = 14;
		pw = n * cell + 170;
		ph = n * cell + 100;
		snprintf(sub, sizeof sub,
			 "%s; %s%s; median of %u samples of %g s; load %.2f",
			 _rc_bench_cpu_model(),
			 rc_topo_kind(topo) == RC_TOPO_REAL ? "this machine"
							    : "layout ",
			 rc_topo_kind(topo) == RC_TOPO_REAL
				 ? ""
				 : rc_topo_source(topo),
			 o.repeat, o.duration, _rc_bench_load());
		s = _rc_svg_open(o.plot, (unsigned)(2 * pw + 20),
				 (unsigned)(ph + 90),
				 "Core-to-core latency (one way)", sub);
		if (s == NULL) {
			perror(o.plot);
			failed = true;
		} else {
			for (int m = 0; m < NMETHODS; m++)
				_rc_svg_heatmap(s, 10 + m * pw, 50, pw, ph,
						method_title[m],
						"PU (thick lines: NUMA node "
						"boundaries)",
						"ns", n, mat[m], labels,
						bounds);
			if (rc_topo_kind(topo) != RC_TOPO_REAL) {
				char note[256];

				snprintf(note, sizeof note,
					 "Layout PU i runs on real CPU (i mod "
					 "%u): nodes are not real, and PUs on "
					 "one real CPU measure the scheduler.",
					 rc_topo_real_npus(topo));
				_rc_svg_text(s, pw + 10, ph + 75, 11, "middle",
					     note);
			}
			if (_rc_svg_close(s) < 0) {
				perror(o.plot);
				failed = true;
			}
		}
	}

	for (unsigned i = 0; pair && i < npairs; i++) {
		for (int m = 0; m < NKINDS; m++)
			free(pair[i].samp[m]);
		for (int m = 0; m < NMETHODS; m++)
			free(pair[i].ratio[m]);
	}
	for (int m = 0; m < NMETHODS; m++)
		free(mat[m]);
	for (int m = 0; m < NKINDS; m++)
		free(ch[m]);
	free(pair);
	free(ord);
	free(bounds);
	free(labels);
	free(labelbuf);
	rc_topo_close(topo);
	if (pin_failed)
		fprintf(stderr, "replicore bench c2c: a thread could not be "
				"pinned\n");
	return failed || pin_failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
