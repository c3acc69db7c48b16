/* SPDX-License-Identifier: MIT */
/* atomic.c: `replicore bench atomic`, atomic operations from 1..P threads on shared, falsely shared and private lines. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench.h"

/*
 * T threads, pinned by rc_topo_spread (one per node before a second on any
 * node), run one operation in a loop for the sample's duration on:
 * - shared: one variable, all threads;
 * - false_sharing: a variable per thread, packed eight to a cache line, so
 *   the threads fight over lines they never logically share;
 * - padded: a variable per thread on its own line (the fix).
 * Per operation is the mean of each thread's time over its operations;
 * per second is all threads' operations over the sample's wall time.
 */

enum { OP_LOAD, OP_STORE, OP_CAS, OP_FAA, OP_XCHG, NOPS };
static const char *const op_name[] = { "load", "store", "cas", "fetch_add",
				       "exchange" };
static const char *const op_order[] = { "acquire", "release", "seq_cst",
					"seq_cst", "seq_cst" };

enum { MODE_SHARED, MODE_FALSE, MODE_PADDED, NMODES };
static const char *const mode_name[] = { "shared", "false_sharing", "padded" };

#define PER_LINE (RC_BENCH_LINE / sizeof(uint64_t))
#define CHECK_EVERY 256 /* operations between two looks at the stop flag */

struct slot {
	_Alignas(RC_BENCH_LINE) _Atomic uint64_t v[PER_LINE];
};

struct worker {
	_Alignas(RC_BENCH_LINE) const rc_topo_t *topo;
	unsigned pu;
	int op;
	_Atomic uint64_t *var;
	_Atomic bool *stop;
	struct rc_bench_gate *gate;
	unsigned parties;
	/* results */
	uint64_t ops, elapsed_ns, sink;
	bool pin_failed;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	_Atomic uint64_t *p = w->var;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t n = 0, sink = 0, t0;

	if (rc_topo_pin(w->topo, w->pu, &err) < 0)
		w->pin_failed = true;
	_rc_bench_gate_wait(w->gate, w->parties);
	t0 = _rc_bench_now();
	/* at least one batch, so that a thread scheduled late still counts */
	do {
		for (unsigned k = 0; k < CHECK_EVERY; k++, n++) {
			uint64_t e;

			/*
			 * The orders below are the ones measured (op_order[]);
			 * nothing pairs with them: the values are discarded.
			 */
			switch (w->op) {
			case OP_LOAD:
				sink += atomic_load_explicit(
					p, memory_order_acquire);
				break;
			case OP_STORE:
				atomic_store_explicit(p, n,
						      memory_order_release);
				break;
			case OP_CAS:
				e = sink;
				if (!atomic_compare_exchange_strong_explicit(
					    p, &e, e + 1, memory_order_seq_cst,
					    memory_order_seq_cst))
					sink = e;
				else
					sink = e + 1;
				break;
			case OP_FAA:
				sink += atomic_fetch_add_explicit(
					p, 1, memory_order_seq_cst);
				break;
			default:
				sink += atomic_exchange_explicit(
					p, n, memory_order_seq_cst);
				break;
			}
		}
		/* relaxed: the stop flag carries no data; join orders the
		 * results */
	} while (!atomic_load_explicit(w->stop, memory_order_relaxed));
	w->elapsed_ns = _rc_bench_now() - t0;
	w->ops = n;
	w->sink = sink;
	return NULL;
}

struct result {
	struct rc_bench_stats ns, mops;
	double *ns_s, *mops_s;
};

/* One sample: *ns per operation and *mops (millions per second); false on
 * a failure to start threads. */
static bool sample(const rc_topo_t *topo, const unsigned *pus, unsigned t,
		   int op, int mode, double duration, struct slot *slots,
		   struct worker *w, double *ns, double *mops, bool *pin_failed)
{
	static struct {
		_Alignas(RC_BENCH_LINE) _Atomic bool stop;
	} flag;
	struct rc_bench_gate gate;
	double sum_ns = 0, wall = 0, total = 0;

	memset(&gate, 0, sizeof gate);
	atomic_init(&gate.arrived, 0);
	atomic_store_explicit(&flag.stop, false, memory_order_relaxed);
	for (unsigned i = 0; i < t; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].topo = topo;
		w[i].pu = pus[i];
		w[i].op = op;
		w[i].var = mode == MODE_SHARED ? &slots[0].v[0]
			   : mode == MODE_FALSE
				   ? &slots[i / PER_LINE].v[i % PER_LINE]
				   : &slots[i].v[0];
		w[i].stop = &flag.stop;
		w[i].gate = &gate;
		w[i].parties = t + 1;
	}
	if (!_rc_bench_run_workers(t, worker_main, w, sizeof(*w), &gate,
				   &flag.stop, duration))
		return false;
	for (unsigned i = 0; i < t; i++) {
		if (w[i].pin_failed)
			*pin_failed = true;
		sum_ns += w[i].ops ? (double)w[i].elapsed_ns / (double)w[i].ops
				   : NAN;
		total += (double)w[i].ops;
		wall = fmax(wall, (double)w[i].elapsed_ns);
	}
	*ns = sum_ns / t;
	*mops = wall > 0 ? total / wall * 1e3 : NAN;
	return true;
}

static const char atomic_help[] =
	"NAME\n"
	"    replicore bench atomic - atomic operations under contention "
	"and false sharing\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench atomic [--json] [--plot FILE.svg] [--duration "
	"S] [--repeat N]\n"
	"                           [--threads N] [--synthetic SPEC | --xml "
	"FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs load (acquire), store (release), compare-and-swap, "
	"fetch-add and\n"
	"    exchange (seq_cst) in a loop from 1, 2, ... P threads, P the "
	"layout's PUs\n"
	"    (or --threads, capped at them), placed one per NUMA node "
	"before a second\n"
	"    on any node, on three layouts of the data:\n"
	"      shared         one variable for all threads\n"
	"      false_sharing  one variable per thread, eight to a cache "
	"line\n"
	"      padded         one variable per thread, each on its own "
	"line\n"
	"    false_sharing costing like shared and unlike padded is false "
	"sharing made\n"
	"    visible. Reports nanoseconds per operation (each thread's "
	"time over its\n"
	"    operations, averaged over threads) and millions of "
	"operations per second\n"
	"    (all threads). Each measurement is one warm-up sample "
	"(discarded) and N\n"
	"    samples of S seconds; median, p10/p90 (nearest rank) and "
	"min/max are\n"
	"    reported. On a synthetic layout, threads on PUs that share "
	"a real CPU\n"
	"    take turns on it: their numbers show the scheduler.\n"
	"\n"
	"OPTIONS\n" RC_BENCH_HELP_JSON
	"    --plot FILE.svg   write line plots (ns per operation and Mops/s "
	"against\n"
	"                      threads) to FILE.svg\n"
	"    --duration S      seconds per sample (default 0.05; decimals "
	"allowed)\n"
	"    --repeat N        samples per measurement, 1..1000 (default "
	"5)\n"
	"    --threads N       the most threads to run (default and cap: "
	"the PUs)\n"
	"    --synthetic SPEC  an hwloc synthetic layout, e.g. \"numa:2 "
	"core:2 pu:1\"\n" RC_BENCH_HELP_XML "\n"
	"    Progress is written to stderr only when stderr is a "
	"terminal.\n"
	"\n" RC_BENCH_HELP_EXIT_THREADS "\n"
	"EXAMPLE\n"
	"    replicore bench atomic --threads 2 --plot atomic.svg\n";

int bench_atomic(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "atomic",
				   .duration = 0.05,
				   .repeat = 5 };
	struct result *res;
	struct slot *slots;
	struct worker *w;
	unsigned *pus, tmax, nres;
	bool failed = false, pin_failed = false;
	struct cli_json j;
	rc_topo_t *topo;
	int rc;

	rc = _rc_bench_start(&o, argc, argv, atomic_help, &topo);
	if (rc >= 0)
		return rc;
	tmax = rc_topo_npus(topo);
	if (o.threads != 0 && o.threads < tmax)
		tmax = o.threads;
	nres = NOPS * NMODES * tmax;
	pus = calloc(tmax, sizeof *pus);
	slots = aligned_alloc(RC_BENCH_LINE, tmax * sizeof(struct slot));
	w = aligned_alloc(RC_BENCH_LINE, tmax * sizeof(struct worker));
	res = calloc(nres, sizeof *res);
	if (pus == NULL || slots == NULL || w == NULL || res == NULL) {
		fprintf(stderr, "replicore bench atomic: out of memory\n");
		exit(CLI_EXIT_USAGE);
	}
	for (unsigned i = 0; i < tmax; i++)
		for (unsigned k = 0; k < PER_LINE; k++)
			atomic_init(&slots[i].v[k], 0);
	rc_topo_spread(topo, tmax, pus);

#define R(op, mode, t) (&res[((op)*NMODES + (mode)) * tmax + (t)-1])
	for (unsigned t = 1; t <= tmax; t++)
		for (int op = 0; op < NOPS; op++)
			for (int m = 0; m < NMODES; m++) {
				struct result *r = R(op, m, t);
				unsigned got = 0;
				double ns, mops;

				r->ns_s = calloc(o.repeat, sizeof(double));
				r->mops_s = calloc(o.repeat, sizeof(double));
				if (r->ns_s == NULL || r->mops_s == NULL) {
					fprintf(stderr, "replicore bench "
							"atomic: out of "
							"memory\n");
					exit(CLI_EXIT_USAGE);
				}
				_rc_bench_progress(&o, "%u thread%s, %s, %s", t,
						   t == 1 ? "" : "s",
						   op_name[op], mode_name[m]);
				(void)sample(topo, pus, t, op, m, o.duration,
					     slots, w, &ns, &mops, &pin_failed);
				for (unsigned k = 0; k < o.repeat; k++)
					if (sample(topo, pus, t, op, m,
						   o.duration, slots, w, &ns,
						   &mops, &pin_failed) &&
					    isfinite(ns) && isfinite(mops)) {
						r->ns_s[got] = ns;
						r->mops_s[got] = mops;
						got++;
					}
				if (got < o.repeat)
					failed = true;
				if (got > 0) {
					_rc_bench_stats(r->ns_s, got, &r->ns);
					_rc_bench_stats(r->mops_s, got,
							&r->mops);
				}
			}
	_rc_bench_progress(&o, NULL);

	if (o.json) {
		_rc_bench_json_begin(&j, &o, topo, "ns");
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		for (unsigned t = 1; t <= tmax; t++)
			for (int op = 0; op < NOPS; op++)
				for (int m = 0; m < NMODES; m++) {
					struct result *r = R(op, m, t);

					cli_json_obj(&j);
					cli_json_key(&j, "op");
					cli_json_str(&j, op_name[op]);
					cli_json_key(&j, "order");
					cli_json_str(&j, op_order[op]);
					cli_json_key(&j, "mode");
					cli_json_str(&j, mode_name[m]);
					cli_json_key(&j, "threads");
					cli_json_uint(&j, t);
					cli_json_key(&j, "pus");
					cli_json_arr(&j);
					for (unsigned i = 0; i < t; i++)
						cli_json_uint(&j, pus[i]);
					cli_json_arr_end(&j);
					cli_json_key(&j, "ns_per_op");
					if (r->ns.n)
						_rc_bench_json_stats(&j, &r->ns,
								     r->ns_s);
					else
						cli_json_null(&j);
					cli_json_key(&j, "mops_per_s");
					if (r->mops.n)
						_rc_bench_json_stats(&j,
								     &r->mops,
								     r->mops_s);
					else
						cli_json_null(&j);
					cli_json_obj_end(&j);
				}
		cli_json_arr_end(&j);
		_rc_bench_json_end(&j);
	} else {
		printf("atomic operations: ns per operation and Mops/s "
		       "(medians of %u samples of %g s)\n",
		       o.repeat, o.duration);
		_rc_bench_print_machine(pus, tmax);
		printf("\n%-10s %-14s %7s %12s %12s %12s\n", "op", "mode",
		       "threads", "ns/op", "p10-p90", "Mops/s");
		for (int op = 0; op < NOPS; op++)
			for (int m = 0; m < NMODES; m++)
				for (unsigned t = 1; t <= tmax; t++) {
					struct result *r = R(op, m, t);
					char sp[32];

					snprintf(sp, sizeof sp, "%.1f-%.1f",
						 r->ns.p10, r->ns.p90);
					printf("%-10s %-14s %7u %12.2f %12s "
					       "%12.1f\n",
					       op_name[op], mode_name[m], t,
					       r->ns.median, sp,
					       r->mops.median);
				}
	}

	if (o.plot != NULL) {
		struct rc_svg_series ser[2][NOPS * NMODES];
		double *xs = calloc(tmax, sizeof(double));
		double *buf = calloc((size_t)2 * NOPS * NMODES * tmax * 3,
				     sizeof(double));
		char names[NOPS * NMODES][40], sub[512];
		struct rc_svg *s;

		if (xs == NULL || buf == NULL) {
			fprintf(stderr, "replicore bench atomic: out of "
					"memory\n");
			exit(CLI_EXIT_USAGE);
		}
		for (unsigned t = 0; t < tmax; t++)
			xs[t] = t + 1;
		for (int panel = 0; panel < 2; panel++)
			for (int op = 0; op < NOPS; op++)
				for (int m = 0; m < NMODES; m++) {
					unsigned k = op * NMODES + m;
					double *y =
						buf +
						((size_t)panel * NOPS * NMODES +
						 k) * tmax *
							3;

					for (unsigned t = 1; t <= tmax; t++) {
						struct rc_bench_stats *q =
							panel == 0
								? &R(op, m, t)
									   ->ns
								: &R(op, m, t)
									   ->mops;

						y[t - 1] =
							q->n ? q->median : NAN;
						y[tmax + t - 1] =
							q->n ? q->p10 : NAN;
						y[2 * tmax + t - 1] =
							q->n ? q->p90 : NAN;
					}
					snprintf(names[k], sizeof names[k],
						 "%s, %s", op_name[op],
						 mode_name[m]);
					ser[panel][k].name = names[k];
					ser[panel][k].n = tmax;
					ser[panel][k].x = xs;
					ser[panel][k].y = y;
					ser[panel][k].lo = y + tmax;
					ser[panel][k].hi = y + 2 * tmax;
					ser[panel][k].color = (unsigned)op;
					ser[panel][k].dash = (unsigned)m;
				}
		snprintf(sub, sizeof sub,
			 "%s; %s%s; median of %u samples of %g s, bars "
			 "p10-p90; load %.2f",
			 _rc_bench_cpu_model(),
			 rc_topo_kind(topo) == RC_TOPO_REAL ? "this machine"
							    : "layout ",
			 rc_topo_kind(topo) == RC_TOPO_REAL
				 ? ""
				 : rc_topo_source(topo),
			 o.repeat, o.duration, _rc_bench_load());
		s = _rc_svg_open(o.plot, 1240, 480,
				 "Atomic operations: shared line, false "
				 "sharing, private lines",
				 sub);
		if (s == NULL) {
			perror(o.plot);
			failed = true;
		} else {
			_rc_svg_lines(s, 0, 60, 620, 400, "threads",
				      "ns per operation (per thread)", ser[0],
				      NOPS * NMODES);
			_rc_svg_lines(s, 620, 60, 620, 400, "threads",
				      "million operations per second (all "
				      "threads)",
				      ser[1], NOPS * NMODES);
			if (_rc_svg_close(s) < 0) {
				perror(o.plot);
				failed = true;
			}
		}
		free(xs);
		free(buf);
	}
#undef R
	for (unsigned i = 0; i < nres; i++) {
		free(res[i].ns_s);
		free(res[i].mops_s);
	}
	free(res);
	free(pus);
	free(slots);
	free(w);
	rc_topo_close(topo);
	if (pin_failed)
		fprintf(stderr, "replicore bench atomic: a thread could not be "
				"pinned\n");
	return failed || pin_failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
