/* SPDX-License-Identifier: MIT */
/* demo.h: the parts of `replicore demo`, each computed in the run and printed as text, JSON and HTML. */
#ifndef RC_TOOLS_DEMO_H
#define RC_TOOLS_DEMO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/topo.h>

#include "bench/bench.h"
#include "cli/cli.h"

/* The options of one run (cmd_demo.c parses them). */
struct demo_opts {
	const char *synthetic; /* the NUMA layout of the threaded parts */
	const char *suite;     /* the litmus suite's folder */
	const char *html;      /* --html OUT, or NULL */
	bool json;
	bool progress;		 /* stderr is a terminal */
	uint64_t hw_iterations;	 /* litmus instances per test on the machine */
	bool hw;		 /* run the X86 tests on the machine */
	unsigned history_rounds; /* rounds of one history run */
	unsigned history_tries;	 /* runs before the history part gives up */
	uint64_t cost_ops;	 /* operations per thread and sample */
	unsigned cost_repeat;	 /* samples per cost */
};

/* What every part sees: the options and the two topologies. */
struct demo_ctx {
	const struct demo_opts *o;
	const rc_topo_t *real;	 /* the machine */
	const rc_topo_t *layout; /* the synthetic layout, on the machine */
};

/*
 * A part of the demonstration. run computes everything the part shows
 * (nothing is printed from a constant) and returns its result, or NULL
 * after printing why on stderr; *failed is set when a check inside the
 * part failed (exit status 1). The printers only read the result. The
 * parts run one after the other on the calling thread; each may start
 * and join threads of its own.
 */
struct demo_part {
	const char *key;   /* the JSON member holding the part */
	const char *title; /* the heading */
	void *(*run)(const struct demo_ctx *c, bool *failed);
	void (*text)(const void *r, FILE *out);
	void (*json)(const void *r, struct cli_json *j);
	void (*html)(const void *r, FILE *out);
	void (*free)(void *r);
};

/* 1. topology and clocks (cmd_demo.c); 2. litmus (demo_litmus.c); 3. the
 * history check (demo_history.c); 5. cost (demo_cost.c). */
extern const struct demo_part demo_part_topo, demo_part_litmus,
	demo_part_history, demo_part_cost;

/* 5. Coordination (demo_coord.c): Lamport's mutual exclusion, clocks,
 * snapshots and leases in the seeded simulator, properties checked,
 * broken variants caught. */
extern const struct demo_part demo_part_coord;

/* 6. The limits of agreement (demo_limits.c): FLP's adversary against
 * Paxos and the two generals. */
extern const struct demo_part demo_part_limits;

/*
 * 4. Consensus: the replicated hash map over the Paxos log with one node
 * of three stalled, beside the shared-memory log, which blocks; commits
 * per second of both. A file defining demo_part_consensus adds it to the
 * run (between the history check and the cost line) by being linked in;
 * while none is, the part is absent from every output.
 */
extern const struct demo_part demo_part_consensus __attribute__((weak));

/* One line of the cost part: a median and its spread, in ns/op. */
struct demo_cost_row {
	char what[48];	 /* "lin", "rsm (2 nodes)", "ck_spinlock" */
	char detail[96]; /* how it was measured */
	double ns, p10, p90;
};

/*
 * Sets row's median and p10/p90 from the n samples v (sorted in place),
 * or all three to -1 when n is 0 (the row prints as failed). Inline here,
 * so that the cost part's files share it without calling each other.
 */
static inline void demo_cost_row_stats(struct demo_cost_row *row, double *v,
				       unsigned n)
{
	struct rc_bench_stats st;

	if (n == 0) {
		row->ns = row->p10 = row->p90 = -1;
		return;
	}
	_rc_bench_stats(v, n, &st);
	row->ns = st.median;
	row->p10 = st.p10;
	row->p90 = st.p90;
}

/*
 * The replicated state machine against a lock, for the cost part: a
 * file defining demo_cost_rsm is called by demo_cost.c after the object
 * levels are measured, with the same context; it measures and writes at
 * most max rows (the rsm first, then the locks it is compared with) and
 * returns how many, or -1 after printing why on stderr. While no such
 * file is linked in, the cost part says the comparison is not in this
 * build.
 */
int demo_cost_rsm(const struct demo_ctx *c, struct demo_cost_row *rows,
		  unsigned max) __attribute__((weak));

/* Progress on stderr (a "\r" line) when stderr is a terminal; NULL clears. */
void demo_progress(const struct demo_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Writes what text prints for r as one preformatted HTML block. */
void demo_html_pre(FILE *out, void (*text)(const void *r, FILE *f),
		   const void *r);

/*
 * Draws a horizontal bar chart (bench/svg.c) and copies it inline into
 * out, without the XML declaration. Returns 0, or -1 when the scratch
 * file could not be written.
 */
struct rc_svg_bar;
int demo_html_bars(FILE *out, const char *title, const char *subtitle,
		   const char *xlabel, const struct rc_svg_bar *bars,
		   unsigned n, const char *const *legend, unsigned nlegend);

#endif /* RC_TOOLS_DEMO_H */
