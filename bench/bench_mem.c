/* SPDX-License-Identifier: MIT */
/* bench_mem.c: `replicore bench mem`, operations per second of rc_mem at each level against a plain C11 seq_cst atomic. */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <replicore/mem.h>

#include "bench/bench.h"

/*
 * T threads (1 and 2), each bound to a replica of a fresh object of
 * NLOCS locations per sample (rc_mem_bind pins it to the PU
 * rc_topo_spread gives it),
 * run random loads and stores for the sample's duration:
 *   read_mostly     95% loads (acquire), 5% stores (release)
 *   write_heavy     50% loads, 50% stores
 *   read_only       loads only (1 thread): the cost of a load itself
 *   contended_read  2 threads: replica 0 only stores, replica 1 only
 *                   loads; the numbers are replica 1's loads, i.e. a
 *                   read under write contention
 * at each level, and on "plain": an array of C11 _Atomic uint64_t with
 * seq_cst loads and stores, the baseline. Per operation is the mean of
 * each thread's time over its operations; per second is all threads'
 * operations over the sample's wall time. The targets section compares
 * lin loads with plain loads (read_only) and sc and causal reads with
 * lin reads (contended_read); it is reported, never asserted.
 */

#define NLOCS 16
#define CHECK_EVERY 256 /* operations between two looks at the stop flag */

enum {
	IMPL_PLAIN,
	IMPL_LIN,
	IMPL_SC,
	IMPL_TSO,
	IMPL_CAUSAL,
	IMPL_EVENTUAL,
	IMPL_CAUSAL_SESSION,
	IMPL_EVENTUAL_SESSION,
	NIMPLS
};
static const char *const impl_name[] = { "plain",
					 "lin",
					 "sc",
					 "tso",
					 "causal",
					 "eventual",
					 "causal+session",
					 "eventual+session" };
static const enum rc_level impl_level[] = { RC_LIN,    RC_LIN,	   RC_SC,
					    RC_TSO,    RC_CAUSAL,  RC_EVENTUAL,
					    RC_CAUSAL, RC_EVENTUAL };

/* The sessions' guarantees: all four (a session per thread). */
#define ALL_GUARANTEES                                                \
	(RC_MEM_SESSION_RYW | RC_MEM_SESSION_MR | RC_MEM_SESSION_MW | \
	 RC_MEM_SESSION_WFR)

static bool is_session(int impl)
{
	return impl == IMPL_CAUSAL_SESSION || impl == IMPL_EVENTUAL_SESSION;
}

enum { MIX_READ, MIX_WRITE, MIX_LOADS, MIX_CONTENDED, NMIXES };
static const char *const mix_name[] = { "read_mostly", "write_heavy",
					"read_only", "contended_read" };
static const unsigned mix_load_pct[] = { 95, 50, 100, 100 };

struct plain {
	_Alignas(RC_BENCH_LINE) _Atomic uint64_t v[NLOCS];
};

struct worker {
	_Alignas(RC_BENCH_LINE) const rc_topo_t *topo;
	unsigned id, pu, load_pct;
	int impl;
	rc_mem_t *mem;
	struct plain *plain;
	_Atomic bool *stop;
	struct rc_bench_gate *gate;
	unsigned parties;
	/* results */
	uint64_t ops, elapsed_ns, sink;
	bool pin_failed, failed;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_mem_replica_t *r = NULL;
	rc_mem_session_t *ses = NULL;
	uint64_t n = 0, sink = 0, t0, x = 0x9e3779b97f4a7c15ull * (w->id + 1);

	if (w->impl == IMPL_PLAIN) {
		if (rc_topo_pin(w->topo, w->pu, &err) < 0)
			w->pin_failed = true;
	} else if (rc_mem_bind(w->mem, w->id, w->topo, w->pu, RC_MEM_PIN, &r,
			       &err) < 0) {
		w->pin_failed = true;
		r = rc_mem_replica(w->mem, w->id);
	}
	if (is_session(w->impl) &&
	    rc_mem_session_create(&ses, w->mem, ALL_GUARANTEES, &err) < 0)
		w->failed = true;
	_rc_bench_gate_wait(w->gate, w->parties);
	t0 = _rc_bench_now();
	do {
		for (unsigned k = 0; k < CHECK_EVERY; k++, n++) {
			unsigned loc, pct;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			loc = (unsigned)(x >> 32) % NLOCS;
			pct = (unsigned)(x % 100);
			if (w->impl == IMPL_PLAIN) {
				/*
				 * seq_cst: the baseline measured; nothing
				 * pairs with it, the values are discarded.
				 */
				if (pct < w->load_pct)
					sink += atomic_load_explicit(
						&w->plain->v[loc],
						memory_order_seq_cst);
				else
					atomic_store_explicit(
						&w->plain->v[loc], n,
						memory_order_seq_cst);
			} else if (ses != NULL) {
				uint64_t v = 0;

				/* threaded: never -RC_EAGAIN; a store's
				 * -RC_ENOMEM is counted as an operation, as
				 * rc_mem_store's is below */
				if (pct < w->load_pct)
					(void)rc_mem_session_load(ses, r, loc,
								  &v);
				else
					(void)rc_mem_session_store(
						ses, r, loc, n + 1, RC_RELEASE);
				sink += v;
			} else if (pct < w->load_pct) {
				sink += rc_mem_load(r, loc);
			} else {
				rc_mem_store(r, loc, n + 1, RC_RELEASE);
			}
		}
		/* relaxed: the stop flag carries no data; join orders the
		 * results */
	} while (!atomic_load_explicit(w->stop, memory_order_relaxed));
	w->elapsed_ns = _rc_bench_now() - t0;
	w->ops = n;
	w->sink = sink;
	if (r != NULL) {
		/* lets the others' writes reach this replica's copy */
		rc_mem_progress(r);
		rc_mem_unbind(r);
	}
	if (ses != NULL)
		rc_mem_session_destroy(ses);
	return NULL;
}

struct result {
	unsigned threads;
	struct rc_bench_stats ns, mops;
	double *ns_s, *mops_s;
};

/*
 * One sample: *ns per operation and *mops (millions per second), over
 * every thread, or over the reader only for contended_read. False when
 * threads or the object could not be made.
 */
static bool sample(const rc_topo_t *topo, const unsigned *pus, unsigned t,
		   int impl, int mix, double duration, struct worker *w,
		   double *ns, double *mops, bool *pin_failed)
{
	static struct {
		_Alignas(RC_BENCH_LINE) _Atomic bool stop;
	} flag;
	static struct plain plain;
	struct rc_bench_gate gate;
	unsigned first = mix == MIX_CONTENDED ? 1 : 0;
	double sum_ns = 0, wall = 0, total = 0;
	rc_mem_t *mem = NULL;

	if (impl != IMPL_PLAIN &&
	    rc_mem_create(&mem, impl_level[impl], NLOCS, t, 0, NULL) < 0)
		return false;
	for (unsigned i = 0; i < NLOCS; i++)
		atomic_init(&plain.v[i], 0);
	memset(&gate, 0, sizeof gate);
	atomic_init(&gate.arrived, 0);
	atomic_store_explicit(&flag.stop, false, memory_order_relaxed);
	for (unsigned i = 0; i < t; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].topo = topo;
		w[i].id = i;
		w[i].pu = pus[i];
		w[i].impl = impl;
		w[i].mem = mem;
		w[i].plain = &plain;
		w[i].load_pct =
			mix == MIX_CONTENDED && i == 0 ? 0 : mix_load_pct[mix];
		w[i].stop = &flag.stop;
		w[i].gate = &gate;
		w[i].parties = t + 1;
	}
	if (!_rc_bench_run_workers(t, worker_main, w, sizeof(*w), &gate,
				   &flag.stop, duration)) {
		if (mem != NULL)
			rc_mem_destroy(mem);
		return false;
	}
	for (unsigned i = 0; i < t; i++)
		if (w[i].failed) {
			rc_mem_destroy(mem);
			return false;
		}
	for (unsigned i = first; i < t; i++) {
		if (w[i].pin_failed)
			*pin_failed = true;
		sum_ns += w[i].ops ? (double)w[i].elapsed_ns / (double)w[i].ops
				   : NAN;
		total += (double)w[i].ops;
		wall = fmax(wall, (double)w[i].elapsed_ns);
	}
	if (first > 0 && w[0].pin_failed)
		*pin_failed = true;
	if (mem != NULL) {
		rc_mem_quiesce(mem);
		rc_mem_destroy(mem);
	}
	*ns = sum_ns / (t - first);
	*mops = wall > 0 ? total / wall * 1e3 : NAN;
	return true;
}

static const char mem_help[] =
	"NAME\n"
	"    replicore bench mem - rc_mem at each level against a plain "
	"atomic\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench mem [--json] [--plot FILE.svg] [--duration S] "
	"[--repeat N]\n"
	"                        [--synthetic SPEC | --xml FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs random loads and stores over 16 locations of an rc_mem "
	"object at\n"
	"    each level (lin, sc, tso, causal, eventual; causal and "
	"eventual also\n"
	"    through a session per thread with all four guarantees, "
	"ryw, mr, mw and\n"
	"    wfr: the sessions' cost) and of a plain array of C11 "
	"seq_cst atomics,\n"
	"    from 1 and 2 threads, each bound to its own replica and "
	"pinned one per\n"
	"    NUMA node first:\n"
	"      read_mostly     95% loads\n"
	"      write_heavy     50% loads\n"
	"      read_only       loads only, 1 thread\n"
	"      contended_read  2 threads, one storing, one loading: the "
	"loader's numbers\n"
	"    Reports nanoseconds per operation (per thread) and millions of "
	"operations\n"
	"    per second (all threads), and the ratios of the targets: a lin "
	"load\n"
	"    against a plain atomic load (target: at most 1.2), sc and "
	"causal reads\n"
	"    against lin reads under write contention (target: below 1). "
	"Each sample\n"
	"    uses a fresh object; one warm-up sample is discarded; median, "
	"p10/p90\n"
	"    and min/max of N samples of S seconds are reported. Measured, "
	"never\n"
	"    asserted: on a loaded machine the numbers show the load too.\n"
	"\n"
	"OPTIONS\n" RC_BENCH_HELP_JSON
	"    --plot FILE.svg   write a bar chart of Mops/s to FILE.svg\n"
	"    --duration S      seconds per sample (default 0.05; decimals "
	"allowed)\n"
	"    --repeat N        samples per measurement, 1..1000 (default "
	"5)\n"
	"    --synthetic SPEC  an hwloc synthetic layout, e.g. \"numa:2 "
	"core:2 pu:1\"\n" RC_BENCH_HELP_XML "\n" RC_BENCH_HELP_EXIT_THREADS "\n"
	"EXAMPLE\n"
	"    replicore bench mem --json --plot mem.svg\n";

/* A measurement: which implementation, mix and thread count. */
struct meas {
	int impl, mix;
	unsigned threads;
};

static double med(const struct result *r, bool ns)
{
	const struct rc_bench_stats *s = ns ? &r->ns : &r->mops;

	return s->n ? s->median : NAN;
}

/* The median ns per operation of a measurement, NaN when not run. */
static double find(const struct meas *ms, const struct result *res, unsigned nm,
		   int impl, int mix, unsigned t)
{
	for (unsigned q = 0; q < nm; q++)
		if (ms[q].impl == impl && ms[q].mix == mix &&
		    ms[q].threads == t)
			return med(&res[q], true);
	return NAN;
}

int bench_mem(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "mem",
				   .duration = 0.05,
				   .repeat = 5 };
	struct meas ms[NIMPLS * NMIXES * 2];
	struct result res[NIMPLS * NMIXES * 2];
	struct worker *w;
	unsigned pus[2], tmax, nm = 0;
	bool failed = false, pin_failed = false;
	struct cli_json j;
	rc_topo_t *topo;
	int rc;
	double lin_load, plain_load, lin_read, sc_read, causal_read;

	rc = _rc_bench_start(&o, argc, argv, mem_help, &topo);
	if (rc >= 0)
		return rc;
	tmax = rc_topo_npus(topo) >= 2 ? 2 : 1;
	rc_topo_spread(topo, tmax, pus);
	w = aligned_alloc(RC_BENCH_LINE, 2 * sizeof(struct worker));
	if (w == NULL) {
		fprintf(stderr, "replicore bench mem: out of memory\n");
		rc_topo_close(topo);
		return CLI_EXIT_USAGE;
	}
	memset(res, 0, sizeof res);
	for (int mix = 0; mix < NMIXES; mix++)
		for (int impl = 0; impl < NIMPLS; impl++)
			for (unsigned t = 1; t <= tmax; t++) {
				if (mix == MIX_LOADS && t != 1)
					continue;
				if (mix == MIX_CONTENDED && t != 2)
					continue;
				ms[nm].impl = impl;
				ms[nm].mix = mix;
				ms[nm].threads = t;
				nm++;
			}
	for (unsigned k = 0; k < nm; k++) {
		struct result *r = &res[k];
		unsigned got = 0;
		double ns, mops;

		r->threads = ms[k].threads;
		r->ns_s = calloc(o.repeat, sizeof(double));
		r->mops_s = calloc(o.repeat, sizeof(double));
		if (r->ns_s == NULL || r->mops_s == NULL) {
			fprintf(stderr, "replicore bench mem: out of memory\n");
			exit(CLI_EXIT_USAGE);
		}
		_rc_bench_progress(&o, "%s, %s, %u thread%s",
				   impl_name[ms[k].impl], mix_name[ms[k].mix],
				   ms[k].threads,
				   ms[k].threads == 1 ? "" : "s");
		(void)sample(topo, pus, ms[k].threads, ms[k].impl, ms[k].mix,
			     o.duration, w, &ns, &mops, &pin_failed);
		for (unsigned s = 0; s < o.repeat; s++)
			if (sample(topo, pus, ms[k].threads, ms[k].impl,
				   ms[k].mix, o.duration, w, &ns, &mops,
				   &pin_failed) &&
			    isfinite(ns) && isfinite(mops)) {
				r->ns_s[got] = ns;
				r->mops_s[got] = mops;
				got++;
			}
		if (got < o.repeat)
			failed = true;
		if (got > 0) {
			_rc_bench_stats(r->ns_s, got, &r->ns);
			_rc_bench_stats(r->mops_s, got, &r->mops);
		}
	}
	_rc_bench_progress(&o, NULL);

	plain_load = find(ms, res, nm, IMPL_PLAIN, MIX_LOADS, 1);
	lin_load = find(ms, res, nm, IMPL_LIN, MIX_LOADS, 1);
	lin_read = find(ms, res, nm, IMPL_LIN, MIX_CONTENDED, 2);
	sc_read = find(ms, res, nm, IMPL_SC, MIX_CONTENDED, 2);
	causal_read = find(ms, res, nm, IMPL_CAUSAL, MIX_CONTENDED, 2);

	if (o.json) {
		_rc_bench_json_begin(&j, &o, topo, "ns");
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		for (unsigned k = 0; k < nm; k++) {
			struct result *r = &res[k];

			cli_json_obj(&j);
			cli_json_kv_str(&j, "level", impl_name[ms[k].impl]);
			cli_json_kv_str(&j, "mix", mix_name[ms[k].mix]);
			cli_json_kv_uint(&j, "load_pct",
					 mix_load_pct[ms[k].mix]);
			cli_json_kv_uint(&j, "threads", ms[k].threads);
			cli_json_key(&j, "pus");
			cli_json_arr(&j);
			for (unsigned i = 0; i < ms[k].threads; i++)
				cli_json_uint(&j, pus[i]);
			cli_json_arr_end(&j);
			_rc_bench_json_stats_or_null(&j, "ns_per_op", &r->ns,
						     r->ns_s);
			_rc_bench_json_stats_or_null(&j, "mops_per_s", &r->mops,
						     r->mops_s);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		cli_json_key(&j, "targets");
		cli_json_obj(&j);
		_rc_bench_json_num(&j, "plain_load_ns", plain_load);
		_rc_bench_json_num(&j, "lin_load_ns", lin_load);
		_rc_bench_json_num(&j, "lin_load_vs_plain",
				   lin_load / plain_load);
		cli_json_kv_double(&j, "lin_load_vs_plain_target", 1.2);
		_rc_bench_json_num(&j, "lin_read_contended_ns", lin_read);
		_rc_bench_json_num(&j, "sc_read_contended_ns", sc_read);
		_rc_bench_json_num(&j, "causal_read_contended_ns", causal_read);
		_rc_bench_json_num(&j, "sc_read_vs_lin", sc_read / lin_read);
		_rc_bench_json_num(&j, "causal_read_vs_lin",
				   causal_read / lin_read);
		cli_json_kv_double(&j, "read_vs_lin_target", 1.0);
		cli_json_obj_end(&j);
		_rc_bench_json_end(&j);
	} else {
		printf("rc_mem: ns per operation and Mops/s (medians of %u "
		       "samples of %g s)\n",
		       o.repeat, o.duration);
		_rc_bench_print_machine(pus, tmax);
		printf("\n%-16s %-15s %7s %12s %14s %12s\n", "level", "mix",
		       "threads", "ns/op", "p10-p90", "Mops/s");
		for (unsigned k = 0; k < nm; k++) {
			char sp[40];

			snprintf(sp, sizeof sp, "%.1f-%.1f", res[k].ns.p10,
				 res[k].ns.p90);
			printf("%-16s %-15s %7u %12.2f %14s %12.2f\n",
			       impl_name[ms[k].impl], mix_name[ms[k].mix],
			       ms[k].threads, med(&res[k], true), sp,
			       med(&res[k], false));
		}
		printf("\nlin load / plain load: %.2f (target <= 1.2)\n",
		       lin_load / plain_load);
		printf("under write contention, sc read / lin read: %.2f, "
		       "causal read / lin read: %.2f (target < 1)\n",
		       sc_read / lin_read, causal_read / lin_read);
	}

	if (o.plot != NULL) {
		struct rc_svg_bar bars[NIMPLS * NMIXES * 2];
		char labels[NIMPLS * NMIXES * 2][48], sub[512];
		struct rc_svg *s;

		for (unsigned k = 0; k < nm; k++) {
			snprintf(labels[k], sizeof labels[k], "%s, %s, %u t",
				 impl_name[ms[k].impl], mix_name[ms[k].mix],
				 ms[k].threads);
			bars[k].label = labels[k];
			bars[k].v = res[k].mops.n ? res[k].mops.median : 0;
			bars[k].lo = res[k].mops.n ? res[k].mops.p10 : 0;
			bars[k].hi = res[k].mops.n ? res[k].mops.p90 : 0;
			bars[k].color = (unsigned)ms[k].impl;
		}
		snprintf(sub, sizeof sub,
			 "%s; %s%s; median of %u samples of %g s, whiskers "
			 "p10-p90; load %.2f; lin/plain load %.2f, sc/lin "
			 "%.2f, causal/lin %.2f contended read",
			 _rc_bench_cpu_model(),
			 rc_topo_kind(topo) == RC_TOPO_REAL ? "this machine"
							    : "layout ",
			 rc_topo_kind(topo) == RC_TOPO_REAL
				 ? ""
				 : rc_topo_source(topo),
			 o.repeat, o.duration, _rc_bench_load(),
			 lin_load / plain_load, sc_read / lin_read,
			 causal_read / lin_read);
		s = _rc_svg_open(o.plot, 1000, 120 + 22 * nm,
				 "rc_mem: operations per second per level and "
				 "mix",
				 sub);
		if (s == NULL) {
			perror(o.plot);
			failed = true;
		} else {
			_rc_svg_bars(s, 0, 60, 1000, 40 + 22 * nm,
				     "million operations per second (all "
				     "threads; contended_read: the reader)",
				     bars, nm, impl_name, NIMPLS);
			if (_rc_svg_close(s) < 0) {
				perror(o.plot);
				failed = true;
			}
		}
	}
	for (unsigned k = 0; k < nm; k++) {
		free(res[k].ns_s);
		free(res[k].mops_s);
	}
	free(w);
	rc_topo_close(topo);
	if (pin_failed)
		fprintf(stderr, "replicore bench mem: a thread could not be "
				"pinned\n");
	return failed || pin_failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
