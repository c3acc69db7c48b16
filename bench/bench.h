/* SPDX-License-Identifier: MIT */
/* bench.h: the machinery the NUMA microbenchmarks share: options, timing, statistics, JSON and SVG. */
#ifndef RC_BENCH_BENCH_H
#define RC_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/topo.h>

#include "runtime/wait.h"
#include "cli/cli.h"

/* A cache line as the benches lay out shared data (64 bytes on x86-64). */
#define RC_BENCH_LINE 64

/* The version of the JSON result envelope (bench/schema.json). */
#define RC_BENCH_SCHEMA "replicore-bench/1"

/* Lines that the benchmarks' --help texts share, word for word. */
#define RC_BENCH_HELP_JSON                                                    \
	"    --json            one JSON object (schema replicore-bench/1, "   \
	"see\n"                                                               \
	"                      replicore-bench(1)) on stdout instead of the " \
	"table\n"
#define RC_BENCH_HELP_XML                                    \
	"    --xml FILE        a layout exported by hwloc\n" \
	"    -h, --help        print this help\n"
#define RC_BENCH_HELP_EXIT_THREADS                                           \
	"EXIT STATUS\n"                                                      \
	"    0 on success, 1 when a thread could not be started or pinned, " \
	"2 on a\n"                                                           \
	"    bad option.\n"

/* The entry points, registered in tools/cmd_bench.c. */
int bench_c2c(int argc, char **argv);
int bench_fence(int argc, char **argv);
int bench_atomic(int argc, char **argv);
int bench_mem(int argc, char **argv);
int bench_rsm(int argc, char **argv);
int bench_paxos(int argc, char **argv);
/* rc_lmutex beside ck spinlocks (bench/bench_lmutex.c). */
int bench_lmutex(int argc, char **argv);
/* The Paxos log beside the Raft log (bench/bench_consensus.c). */
int bench_consensus(int argc, char **argv);
/* replicore bench litmus: the hardware litmus harness (litmus_hw.c). */
int bench_litmus(int argc, char **argv);

/*
 * bench rsm's implementations of one hash map (bench/bench_rsm.c), for other
 * commands: rc_rsm, a global ck_spinlock, a ck_rwlock, liburcu's lfht and
 * flat combining.
 */
enum rc_bench_rsm_impl {
	RC_BENCH_RSM,
	RC_BENCH_RSM_SPIN,
	RC_BENCH_RSM_RW,
	RC_BENCH_RSM_LFHT,
	RC_BENCH_RSM_FC,
	RC_BENCH_RSM_NIMPLS
};

/*
 * One sample of bench rsm: t threads on topo's PUs pus[0..t) run gets and
 * puts (upd_pct% puts) of random keys on a fresh map of implementation
 * impl for duration seconds. *mops: millions of operations per second
 * over all threads; *pin_failed is set when a thread could not be pinned
 * or registered. Returns false when the map or a thread could not be
 * made. Blocking; one sample at a time (it uses one static stop flag).
 */
bool _rc_bench_rsm_sample(const rc_topo_t *topo, const unsigned *pus,
			  unsigned t, enum rc_bench_rsm_impl impl,
			  unsigned upd_pct, double duration, double *mops,
			  bool *pin_failed);

/*
 * One sample of bench paxos's hash map (bench/bench_paxos.c): the map of
 * examples/rsm_map_stall.h over rc_rsm on the three NUMA nodes of mt
 * (a "numa:3 core:1 pu:1" layout), over the shared-memory log or, with
 * paxos, the Paxos log; threads of nodes 0 and 2 run gets and puts of
 * random keys for duration seconds, with node 1 stalled inside apply (and
 * in Paxos) when stalled. *ops: their operations per second; *timeouts:
 * updates that ran out of their 20 ms bound. Returns false when
 * something could not be made or node 1 did not stall. Blocking; one
 * sample at a time (it uses the stall flags of rsm_map_stall.h).
 */
bool _rc_bench_paxos_map_sample(const rc_topo_t *mt, bool paxos, bool stalled,
				double duration, double *ops,
				uint64_t *timeouts, double *per_slot);

/*
 * bench c2c's store/load floor (bench/c2c.c), for other benchmarks: two
 * threads pinned to PUs pu_a and pu_b of topo pass one cache line back
 * and forth, each spinning on loads until its turn and then storing, for
 * about duration_s seconds, timed in chunks of 1024 round trips.
 * *chunk_min_ns and *chunk_median_ns get the minimum and the median
 * one-way latency over the chunks (the median within 0.1%); a chunk that
 * was preempted inflates only itself. Written only on success.
 *
 * Returns 0; -RC_EINVAL for a bad argument (a PU outside the layout,
 * pu_a == pu_b, duration_s outside (0, 3600]); -RC_ENOTSUP when both PUs
 * run on one real CPU (the threads spin and never yield) or a thread
 * could not be pinned; -RC_ENOMEM; -RC_ESYS when a thread could not be
 * started; -RC_ETIMEDOUT when a wait ran past twice duration_s plus 2 s.
 *
 * Blocking: starts and joins its two threads, so what they did happens
 * before the return. Any thread may call it; calls at once use lines of
 * their own, but calls sharing a PU, or running beside bench c2c, measure
 * each other.
 */
int _rc_bench_c2c_floor(const rc_topo_t *topo, unsigned pu_a, unsigned pu_b,
			double duration_s, double *chunk_min_ns,
			double *chunk_median_ns);

/* The options every kind takes, parsed by _rc_bench_parse(). */
struct rc_bench_opts {
	const char *kind;      /* "c2c", "fence", "atomic" */
	bool json;	       /* --json: the result as JSON on stdout */
	const char *plot;      /* --plot FILE.svg, or NULL */
	double duration;       /* --duration S: seconds per sample */
	unsigned repeat;       /* --repeat N: samples per measurement */
	const char *synthetic; /* --synthetic SPEC, or NULL */
	const char *xml;       /* --xml FILE, or NULL */
	unsigned threads;      /* --threads N (atomic, rsm), 0 = every PU */
	bool memory;	       /* --memory (rsm): the resident-size run */
	uint64_t commands;     /* --commands N (rsm --memory), 0 = default */
	bool progress;	       /* stderr is a terminal */
	const char *warmup;    /* how the kind warms up, NULL: the default */
};

/*
 * Parses the common options after the kind (argv[0] is the kind); help is
 * printed for -h/--help. Returns -1 to go on, else the exit status to
 * return (0 after --help, 2 after a bad option, with a message).
 */
int _rc_bench_parse(struct rc_bench_opts *o, int argc, char **argv,
		    const char *help);

/*
 * _rc_bench_parse(), then opens the layout the options name into *topo.
 * Returns -1 to go on, else the exit status to return: that of the parse,
 * or 2 after printing why the layout could not be opened.
 */
int _rc_bench_start(struct rc_bench_opts *o, int argc, char **argv,
		    const char *help, rc_topo_t **topo);

/* Summary statistics of n samples: the median, p10/p90 and min/max. */
struct rc_bench_stats {
	unsigned n;
	double median, p10, p90, min, max;
};

/* Computes the statistics of v[0..n) (sorts v in place); n >= 1. */
void _rc_bench_stats(double *v, unsigned n, struct rc_bench_stats *s);

/*
 * Moves the k-th smallest of v[0..n) (from 0; k < n) to v[k], values no
 * larger before it and no smaller after: a percentile of latencies
 * without sorting them all. Selections from the largest rank down each
 * leave the smaller values in front for the next.
 */
void _rc_bench_select_k(uint64_t *v, size_t n, size_t k);

/* Writes s as the JSON object {"median":..,"p10":..,..,"samples":[..]}. */
void _rc_bench_json_stats(struct cli_json *j, const struct rc_bench_stats *s,
			  const double *samples);

/* Writes "key": v, or "key": null when v is not finite (a ratio of a
 * missing measurement). */
void _rc_bench_json_num(struct cli_json *j, const char *key, double v);

/* Writes "key": the stats object, or "key": null when s has no sample. */
void _rc_bench_json_stats_or_null(struct cli_json *j, const char *key,
				  const struct rc_bench_stats *s,
				  const double *samples);

/*
 * Starts a result: the envelope's common members (schema, benchmark,
 * version, date, host with the CPU model and load, topology with the
 * layout-to-machine mapping, settings). The caller then writes its own
 * members ("results", ...) and calls _rc_bench_json_end().
 */
void _rc_bench_json_begin(struct cli_json *j, const struct rc_bench_opts *o,
			  const rc_topo_t *topo, const char *unit);
void _rc_bench_json_end(struct cli_json *j);

/* The CPU's model name (cpuid brand string or /proc/cpuinfo). */
const char *_rc_bench_cpu_model(void);

/* The 1-minute load average, or -1 when unknown. */
double _rc_bench_load(void);

/* The process's resident size in bytes (/proc/self/statm), 0 unknown. */
uint64_t _rc_bench_rss(void);

/* Progress on stderr ("\r" line) when o->progress; NULL fmt clears it. */
void _rc_bench_progress(const struct rc_bench_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Monotonic time in nanoseconds. */
uint64_t _rc_bench_now(void);

/*
 * A start line for n threads: each calls _rc_bench_gate_wait(), which
 * returns once all n have arrived. Spins, then yields (bounded by the
 * other threads' start, which the caller guarantees).
 */
struct rc_bench_gate {
	_Alignas(RC_BENCH_LINE) _Atomic unsigned arrived;
	char pad[RC_BENCH_LINE - sizeof(unsigned)];
	/* the early arrivals park here (runtime/wait.h), woken by the
	 * arrivals after them; zeroed with the rest */
	_Alignas(RC_BENCH_LINE) struct _rc_event ev;
};
/* Counts one arrival at g and wakes the threads parked there. */
void _rc_bench_gate_arrive(struct rc_bench_gate *g);
/* Arrives at g, then waits for n arrivals: a spin of pauses about as long
 * as a park costs, then a park until the last arrival wakes it. */
void _rc_bench_gate_wait(struct rc_bench_gate *g, unsigned n);

/* Prints "cpu: MODEL; load L; threads on PUs p0 p1 ..." and a newline. */
void _rc_bench_print_machine(const unsigned *pus, unsigned n);

/*
 * Runs t workers for duration seconds: starts fn(base + i * size) on t
 * threads, which each wait at gate with the caller (t + 1 parties), sleeps,
 * raises *stop and joins them all. If a thread cannot be created, raises
 * *stop, opens the gate for the ones started, joins them and returns false.
 * The workers read *stop relaxed: it carries no data, the joins order their
 * results before the caller reads them.
 */
bool _rc_bench_run_workers(unsigned t, void *(*fn)(void *), void *base,
			   size_t size, struct rc_bench_gate *gate,
			   _Atomic bool *stop, double duration);

/*
 * Writes s to f with &, <, >, " and ' escaped for XML text and attribute
 * values (SVG and HTML alike).
 */
void _rc_xml_esc(FILE *f, const char *s);

/* SVG plots (bench/svg.c). */
struct rc_svg;

/* A series of a line plot: n points (x[i], y[i]) with error bars lo..hi. */
struct rc_svg_series {
	const char *name;
	unsigned n;
	const double *x, *y, *lo, *hi; /* lo, hi may be NULL */
	unsigned dash;		       /* 0 solid, 1 dashed, 2 dotted */
	unsigned color;		       /* index into the palette */
};

/* A horizontal bar of a bar chart, with an optional whisker lo..hi. */
struct rc_svg_bar {
	const char *label;
	double v, lo, hi;
	unsigned color;
};

/* Opens an SVG document of width x height pixels; NULL on error (errno). */
struct rc_svg *_rc_svg_open(const char *path, unsigned width, unsigned height,
			    const char *title, const char *subtitle);
/* Closes the document; returns 0 or -1 when writing failed. */
int _rc_svg_close(struct rc_svg *s);

/*
 * A line plot in the box (x, y, w, h): axes with ticks and labels (units
 * in the label text), the series and a legend.
 */
void _rc_svg_lines(struct rc_svg *s, double x, double y, double w, double h,
		   const char *xlabel, const char *ylabel,
		   const struct rc_svg_series *series, unsigned nseries);

/*
 * A heat map of the n x n matrix m (row-major, NaN = no value) in the box:
 * labels[i] names row and column i, a cell shows its value, bounds[i] true
 * draws a boundary line before row/column i (node boundaries), and a colour
 * bar explains the scale (logarithmic when the values span more than 20x).
 */
void _rc_svg_heatmap(struct rc_svg *s, double x, double y, double w, double h,
		     const char *title, const char *axis, const char *unit,
		     unsigned n, const double *m, const char *const *labels,
		     const bool *bounds);

/* A horizontal bar chart in the box, value axis labelled xlabel. */
void _rc_svg_bars(struct rc_svg *s, double x, double y, double w, double h,
		  const char *xlabel, const struct rc_svg_bar *bars,
		  unsigned nbars, const char *const *legend, unsigned nlegend);

/* Free text at (x, y), escaped; anchor "start", "middle" or "end". */
void _rc_svg_text(struct rc_svg *s, double x, double y, unsigned size,
		  const char *anchor, const char *text);

#endif /* RC_BENCH_BENCH_H */
