/* SPDX-License-Identifier: MIT */
/* c2c.c: `replicore bench c2c`, core-to-core latency of every pair of PUs by cache-line ping-pong. */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

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
 * Bounded: the initiator stops after the sample's duration by storing
 * RC_C2C_STOP; each wait yields after a spin budget and gives up at a hard
 * deadline, marking the sample as timed out. The budget is small when the
 * two PUs share a real CPU (a synthetic layout: the ping-pong then goes
 * through the scheduler) and large otherwise, so that a loaded machine does
 * not turn a short wait into a lost time slice.
 */

#define RC_C2C_STOP UINT64_MAX
#define RC_C2C_BATCH 64		       /* rounds between two clock reads */
#define RC_C2C_SHARED_SPINS (1u << 10) /* spins before a yield, one real CPU */
#define RC_C2C_SPINS (1u << 20)	       /* spins before a yield, two CPUs */
#define RC_C2C_GRACE 2000000000ull /* ns past the duration before giving up */

enum { M_CAS = 0, M_STORE = 1, NMETHODS = 2 };
static const char *const method_name[] = { "cas", "store" };
static const char *const method_title[] = { "compare-and-swap ping-pong",
					    "store/load ping-pong" };

struct c2c_line {
	_Alignas(RC_BENCH_LINE) _Atomic uint64_t v;
	char pad[RC_BENCH_LINE - sizeof(uint64_t)];
};

struct c2c_side {
	_Alignas(RC_BENCH_LINE) const rc_topo_t *topo;
	unsigned pu;
	bool initiator;
	int method;
	uint64_t duration_ns, deadline_ns;
	unsigned budget;
	struct c2c_line *line;
	struct rc_bench_gate *gate;
	/* results */
	uint64_t rounds, elapsed_ns;
	bool timeout, pin_failed;
};

/*
 * Waits until the line holds want; returns false on RC_C2C_STOP or at the
 * deadline (then *timeout is set).
 */
static bool wait_for(struct c2c_line *l, uint64_t want, uint64_t deadline,
		     unsigned budget, bool *timeout)
{
	unsigned spins = 0;
	uint64_t v;

	/* acquire: the other side's release store of want happens before
	 * our next move; pairs with the release stores in run_side() */
	while ((v = atomic_load_explicit(&l->v, memory_order_acquire)) !=
	       want) {
		if (v == RC_C2C_STOP)
			return false;
		if ((++spins & (budget - 1)) == 0) { /* budget: a power of 2 */
			sched_yield();
			if (_rc_bench_now() > deadline) {
				*timeout = true;
				return false;
			}
		}
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
		     unsigned budget, bool *timeout)
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
			sched_yield();
			if (_rc_bench_now() > deadline) {
				*timeout = true;
				return false;
			}
		}
	}
	return true;
}

static void *run_side(void *arg)
{
	struct c2c_side *s = arg;
	struct c2c_line *l = s->line;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t r = 0, t0, t;

	if (rc_topo_pin(s->topo, s->pu, &err) < 0)
		s->pin_failed = true;
	_rc_bench_gate_wait(s->gate, 2);
	if (!s->initiator) {
		for (;; r++) {
			if (s->method == M_CAS) {
				if (!cas_move(l, 2 * r + 1, s->deadline_ns,
					      s->budget, &s->timeout))
					break;
				continue;
			}
			if (!wait_for(l, 2 * r + 1, s->deadline_ns, s->budget,
				      &s->timeout))
				break;
			/* release: our pong after seeing the ping; pairs
			 * with the acquire load in the initiator's wait */
			atomic_store_explicit(&l->v, 2 * r + 2,
					      memory_order_release);
		}
		return NULL;
	}
	t0 = _rc_bench_now();
	for (;;) {
		for (unsigned k = 0; k < RC_C2C_BATCH; k++, r++) {
			if (s->method == M_CAS) {
				if (!cas_move(l, 2 * r, s->deadline_ns,
					      s->budget, &s->timeout))
					goto out;
				continue;
			}
			/* release: the ping; pairs with the acquire load
			 * in the responder's wait */
			atomic_store_explicit(&l->v, 2 * r + 1,
					      memory_order_release);
			if (!wait_for(l, 2 * r + 2, s->deadline_ns, s->budget,
				      &s->timeout))
				goto out;
		}
		t = _rc_bench_now();
		if (t - t0 >= s->duration_ns)
			break;
	}
out:
	s->elapsed_ns = _rc_bench_now() - t0;
	/* In CAS mode the last move was ours when we stop between rounds. */
	s->rounds = s->method == M_CAS && r > 0 ? r - 1 : r;
	/* release: tells the responder to stop; pairs with its acquire
	 * loads and CAS failures, which look for RC_C2C_STOP */
	atomic_store_explicit(&l->v, RC_C2C_STOP, memory_order_release);
	return NULL;
}

/*
 * One sample of method m between PUs a and b: the one-way latency in ns,
 * or NaN when the sample timed out or no round completed.
 */
static double sample(const rc_topo_t *topo, unsigned a, unsigned b, int m,
		     double duration, bool *pin_failed)
{
	static struct c2c_line line;
	struct rc_bench_gate gate;
	struct c2c_side side[2];
	pthread_t th[2];
	uint64_t now = _rc_bench_now(), dur = (uint64_t)(duration * 1e9);

	memset(&gate, 0, sizeof gate);
	atomic_init(&gate.arrived, 0);
	atomic_store_explicit(&line.v, 0, memory_order_relaxed);
	for (unsigned i = 0; i < 2; i++) {
		memset(&side[i], 0, sizeof side[i]);
		side[i].topo = topo;
		side[i].pu = i == 0 ? a : b;
		side[i].initiator = i == 0;
		side[i].method = m;
		side[i].duration_ns = dur;
		side[i].deadline_ns = now + 2 * dur + RC_C2C_GRACE;
		side[i].budget = budget_of(topo, a, b);
		side[i].line = &line;
		side[i].gate = &gate;
	}
	for (unsigned i = 0; i < 2; i++)
		if (pthread_create(&th[i], NULL, run_side, &side[i]) != 0) {
			if (i == 1) {
				/* release: stops the lone initiator */
				atomic_store_explicit(&line.v, RC_C2C_STOP,
						      memory_order_release);
				/* release: opens the gate after the stop signal above;
				 * pairs with the acquire load in _rc_bench_gate_wait() */
				atomic_fetch_add_explicit(&gate.arrived, 1,
							  memory_order_release);
				pthread_join(th[0], NULL);
			}
			return NAN;
		}
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	if (side[0].pin_failed || side[1].pin_failed)
		*pin_failed = true;
	if (side[0].timeout || side[1].timeout || side[0].rounds == 0)
		return NAN;
	return (double)side[0].elapsed_ns / (2.0 * (double)side[0].rounds);
}

/* A measurement: warm-up, then o->repeat samples; false if any failed. */
static bool measure(const struct rc_bench_opts *o, const rc_topo_t *topo,
		    unsigned a, unsigned b, int m, double *v,
		    struct rc_bench_stats *st, bool *pin_failed)
{
	unsigned ok = 0;

	(void)sample(topo, a, b, m, o->duration, pin_failed);
	for (unsigned r = 0; r < o->repeat; r++) {
		double x = sample(topo, a, b, m, o->duration, pin_failed);

		if (isfinite(x))
			v[ok++] = x;
	}
	if (ok == 0) {
		memset(st, 0, sizeof *st);
		return false;
	}
	_rc_bench_stats(v, ok, st);
	return ok == o->repeat;
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
	"    a sample over twice its round trips, in nanoseconds. Each "
	"measurement is\n"
	"    one warm-up sample (discarded) and N samples of S seconds; "
	"the median,\n"
	"    p10/p90 (nearest rank) and min/max of the samples are "
	"reported. The\n"
	"    pairs are printed as a table and as a matrix per method; "
	"--plot draws\n"
	"    both matrices as heat maps with the NUMA node boundaries as "
	"thick lines.\n"
	"    A \"floor\" measurement, the plainest ping-pong loop on the "
	"first pair,\n"
	"    is reported beside them with the ratio of each method to it.\n"
	"\n"
	"    A synthetic or XML layout is mapped onto the machine: layout "
	"PU i runs on\n"
	"    real CPU (i mod real CPUs). Its nodes are not real NUMA "
	"nodes, and a pair\n"
	"    of PUs on one real CPU measures the scheduler (each wait "
	"yields after a\n"
	"    spin budget), not a cache; the output says so.\n"
	"\n"
	"OPTIONS\n"
	"    --json            one JSON object (schema replicore-bench/1, "
	"see\n"
	"                      replicore-bench(1)) on stdout instead of the "
	"table\n"
	"    --plot FILE.svg   write the heat maps to FILE.svg\n"
	"    --duration S      seconds per sample (default 0.05; decimals "
	"allowed)\n"
	"    --repeat N        samples per measurement, 1..1000 (default "
	"5)\n"
	"    --synthetic SPEC  an hwloc synthetic layout, e.g. \"numa:2 "
	"core:2 pu:1\"\n"
	"    --xml FILE        a layout exported by hwloc\n"
	"    -h, --help        print this help\n"
	"\n"
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

/* The plainest ping-pong, as a reference: no batching, no CAS. */
struct floor_arg {
	const rc_topo_t *topo;
	unsigned pu;
	bool initiator;
	uint64_t rounds, elapsed_ns, deadline;
	unsigned budget;
	struct c2c_line *line;
	struct rc_bench_gate *gate;
	bool timeout;
};

static void *floor_side(void *arg)
{
	struct floor_arg *f = arg;
	uint64_t t0;

	(void)rc_topo_pin(f->topo, f->pu, NULL);
	_rc_bench_gate_wait(f->gate, 2);
	t0 = _rc_bench_now();
	for (uint64_t r = 0; r < f->rounds; r++) {
		uint64_t mine = 2 * r + (f->initiator ? 0 : 1);

		if (!wait_for(f->line, mine, f->deadline, f->budget,
			      &f->timeout))
			break;
		/* release: hands the line over; pairs with the acquire
		 * load in the other side's wait_for() */
		atomic_store_explicit(&f->line->v, mine + 1,
				      memory_order_release);
	}
	f->elapsed_ns = _rc_bench_now() - t0;
	if (f->timeout)
		/* release: lets the other side stop too */
		atomic_store_explicit(&f->line->v, RC_C2C_STOP,
				      memory_order_release);
	return NULL;
}

static double floor_sample(const rc_topo_t *topo, unsigned a, unsigned b,
			   uint64_t rounds, double duration)
{
	static struct c2c_line line;
	struct rc_bench_gate gate;
	struct floor_arg f[2];
	pthread_t th[2];
	uint64_t dl =
		_rc_bench_now() + (uint64_t)(2 * duration * 1e9) + RC_C2C_GRACE;

	memset(&gate, 0, sizeof gate);
	atomic_init(&gate.arrived, 0);
	atomic_store_explicit(&line.v, 0, memory_order_relaxed);
	for (unsigned i = 0; i < 2; i++) {
		memset(&f[i], 0, sizeof f[i]);
		f[i].topo = topo;
		f[i].pu = i == 0 ? a : b;
		f[i].initiator = i == 0;
		f[i].rounds = rounds;
		f[i].deadline = dl;
		f[i].budget = budget_of(topo, a, b);
		f[i].line = &line;
		f[i].gate = &gate;
	}
	if (pthread_create(&th[0], NULL, floor_side, &f[0]) != 0)
		return NAN;
	if (pthread_create(&th[1], NULL, floor_side, &f[1]) != 0) {
		/* release: stops the lone first side; pairs with the
		 * acquire load in its wait_for() */
		atomic_store_explicit(&line.v, RC_C2C_STOP,
				      memory_order_release);
		/* release: opens the gate after the stop signal above;
		 * pairs with the acquire load in _rc_bench_gate_wait() */
		atomic_fetch_add_explicit(&gate.arrived, 1,
					  memory_order_release);
		pthread_join(th[0], NULL);
		return NAN;
	}
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);
	if (f[0].timeout || f[1].timeout)
		return NAN;
	return (double)f[0].elapsed_ns / (2.0 * (double)rounds);
}

int bench_c2c(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "c2c",
				   .duration = 0.05,
				   .repeat = 5 };
	struct rc_bench_stats *st[NMETHODS], fst;
	double **samp[NMETHODS], *fsamp, *mat[NMETHODS];
	unsigned n, *ord, npairs, p = 0, ffirst = 0;
	bool pin_failed = false, failed = false, *bounds;
	const char **labels;
	char(*labelbuf)[16];
	struct cli_json j;
	rc_topo_t *topo;
	int rc;

	rc = _rc_bench_parse(&o, argc, argv, c2c_help);
	if (rc >= 0)
		return rc;
	topo = _rc_bench_topo(&o);
	if (topo == NULL)
		return CLI_EXIT_USAGE;
	n = rc_topo_npus(topo);
	if (n < 2) {
		fprintf(stderr,
			"replicore bench c2c: the layout has %u PU; "
			"core-to-core latency needs two\n",
			n);
		rc_topo_close(topo);
		return CLI_EXIT_USAGE;
	}
	npairs = n * (n - 1) / 2;
	ord = calloc(n, sizeof *ord);
	bounds = calloc(n, sizeof *bounds);
	labels = calloc(n, sizeof *labels);
	labelbuf = calloc(n, sizeof *labelbuf);
	fsamp = calloc(o.repeat, sizeof(double));
	for (int m = 0; m < NMETHODS; m++) {
		st[m] = calloc(npairs, sizeof(struct rc_bench_stats));
		samp[m] = calloc(npairs, sizeof(double *));
		mat[m] = malloc((size_t)n * n * sizeof(double));
		for (unsigned i = 0; samp[m] && i < npairs; i++)
			samp[m][i] = calloc(o.repeat, sizeof(double));
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
		for (unsigned b = a + 1; b < n; b++, p++)
			for (int m = 0; m < NMETHODS; m++) {
				_rc_bench_progress(&o, "pair %u/%u (%u,%u) %s",
						   p + 1, npairs, a, b,
						   method_name[m]);
				if (!measure(&o, topo, a, b, m, samp[m][p],
					     &st[m][p], &pin_failed))
					failed = true;
			}
	/* the floor on the first pair, its round count from "store" */
	_rc_bench_progress(&o, "floor (0,1)");
	{
		double per = st[M_STORE][0].n ? st[M_STORE][0].median : NAN;
		uint64_t rounds =
			isfinite(per) && per > 0
				? (uint64_t)(o.duration * 1e9 / (2 * per))
				: 1000;

		if (rounds < 1)
			rounds = 1;
		(void)floor_sample(topo, 0, 1, rounds, o.duration);
		for (unsigned r = 0; r < o.repeat; r++) {
			double x = floor_sample(topo, 0, 1, rounds, o.duration);

			if (isfinite(x))
				fsamp[ffirst++] = x;
		}
		if (ffirst > 0)
			_rc_bench_stats(fsamp, ffirst, &fst);
		else
			memset(&fst, 0, sizeof fst);
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
				if (st[m][p].n == 0)
					continue;
				mat[m][ia * n + ib] = st[m][p].median;
				mat[m][ib * n + ia] = st[m][p].median;
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
					cli_json_key(&j, "latency_ns");
					if (st[m][p].n)
						_rc_bench_json_stats(
							&j, &st[m][p],
							samp[m][p]);
					else
						cli_json_null(&j);
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
		cli_json_str(&j, "the plainest store/load ping-pong loop on "
				 "PUs 0 and 1, a reference for the methods");
		cli_json_key(&j, "latency_ns");
		if (fst.n)
			_rc_bench_json_stats(&j, &fst, fsamp);
		else
			cli_json_null(&j);
		for (int m = 0; m < NMETHODS; m++) {
			char key[32];

			snprintf(key, sizeof key, "ratio_%s", method_name[m]);
			cli_json_key(&j, key);
			if (fst.n && st[m][0].n)
				cli_json_double(&j,
						st[m][0].median / fst.median);
			else
				cli_json_null(&j);
		}
		cli_json_obj_end(&j);
		_rc_bench_json_end(&j);
	} else {
		printf("core-to-core latency, one way, ns (median [p10, p90] "
		       "of %u samples of %g s)\n",
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
		printf("\n%5s %5s %5s  %-30s %-30s\n", "a", "b", "nodes", "cas",
		       "store");
		p = 0;
		for (unsigned a = 0; a < n; a++)
			for (unsigned b = a + 1; b < n; b++, p++) {
				struct rc_topo_pu x, y;
				char cell[NMETHODS][64];

				rc_topo_pu(topo, a, &x);
				rc_topo_pu(topo, b, &y);
				for (int m = 0; m < NMETHODS; m++)
					if (st[m][p].n)
						snprintf(cell[m], 64,
							 "%.1f [%.1f, %.1f]",
							 st[m][p].median,
							 st[m][p].p10,
							 st[m][p].p90);
					else
						snprintf(cell[m], 64,
							 "timed out");
				printf("%5u %5u %2u-%-2u  %-30s %-30s%s\n", a,
				       b, x.node, y.node, cell[0], cell[1],
				       x.real_os_index == y.real_os_index
					       ? "  (same real CPU)"
					       : "");
			}
		if (fst.n)
			printf("\nfloor (plainest ping-pong, PUs 0-1): %.1f ns "
			       "[%.1f, %.1f]; cas/floor %.3f, store/floor "
			       "%.3f\n",
			       fst.median, fst.p10, fst.p90,
			       st[M_CAS][0].median / fst.median,
			       st[M_STORE][0].median / fst.median);
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

	for (int m = 0; m < NMETHODS; m++) {
		for (unsigned i = 0; samp[m] && i < npairs; i++)
			free(samp[m][i]);
		free(samp[m]);
		free(st[m]);
		free(mat[m]);
	}
	free(fsamp);
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
