/* SPDX-License-Identifier: MIT */
/* demo_rsm.c: the cost part's rsm line: ns per operation of the replicated hash map against a global lock, a reader-writer lock and flat combining. */
#include <stdlib.h>
#include <string.h>

#include <replicore/topo.h>

#include "bench/bench.h"
#include "tools/demo.h"

/*
 * bench rsm's samples (_rc_bench_rsm_sample, bench/bench_rsm.c) on the demo's
 * layout: THREADS threads spread one per NUMA node, 10% puts (the cost
 * part's 90% loads) of random keys on a map prefilled with 16384 keys,
 * DURATION seconds per sample, as many samples as the cost part takes.
 * ns per operation is per thread: the sample's wall time over each
 * thread's operations.
 */

#define THREADS 2
#define UPD_PCT 10 /* as the details say */
#define DURATION 0.05

static const struct {
	enum rc_bench_rsm_impl impl;
	const char *what, *detail;
} rsm_rows[] = {
	{ RC_BENCH_RSM, "rsm", "hash map, replica per node, 10% puts" },
	{ RC_BENCH_RSM_SPIN, "ck_spinlock", "the same map, one global lock" },
	{ RC_BENCH_RSM_RW, "ck_rwlock", "the same map, gets share the lock" },
	{ RC_BENCH_RSM_FC, "flat combining", "the same map, one combiner" },
};
#define NROWS (sizeof rsm_rows / sizeof rsm_rows[0])

int demo_cost_rsm(const struct demo_ctx *c, struct demo_cost_row *rows,
		  unsigned max)
{
	unsigned pus[THREADS], nsamples = c->o->cost_repeat, n = 0;
	double *v = calloc(nsamples ? nsamples : 1, sizeof(*v));
	bool pin_failed = false;

	if (v == NULL) {
		fprintf(stderr, "replicore demo: out of memory\n");
		return -1;
	}
	rc_topo_spread(c->layout, THREADS, pus);
	for (unsigned k = 0; k < NROWS && n < max; k++) {
		struct demo_cost_row *row = &rows[n++];
		unsigned got = 0;

		snprintf(row->what, sizeof row->what, "%s", rsm_rows[k].what);
		snprintf(row->detail, sizeof row->detail, "%s",
			 rsm_rows[k].detail);
		for (unsigned s = 0; s < nsamples; s++) {
			double mops = 0;

			demo_progress(c, "cost: %s, sample %u of %u",
				      rsm_rows[k].what, s + 1, nsamples);
			if (_rc_bench_rsm_sample(
				    c->layout, pus, THREADS, rsm_rows[k].impl,
				    UPD_PCT, DURATION, &mops, &pin_failed) &&
			    mops > 0)
				v[got++] = THREADS * 1e3 / mops;
		}
		demo_cost_row_stats(row, v, got);
	}
	free(v);
	if (pin_failed)
		for (unsigned k = 0; k < n; k++)
			snprintf(rows[k].detail + strlen(rows[k].detail),
				 sizeof rows[k].detail - strlen(rows[k].detail),
				 "; pinning failed");
	return (int)n;
}
