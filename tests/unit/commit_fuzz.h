/* SPDX-License-Identifier: MIT */
/* commit_fuzz.h: seeded simulations of 2PC and 3PC with random faults, the loop the commit tests share. */
#ifndef RC_TESTS_COMMIT_FUZZ_H
#define RC_TESTS_COMMIT_FUZZ_H

#include <stdio.h>
#include <string.h>

#include "protocols/commit/commit.h"

/*
 * Seed s picks the run: 3 to 6 nodes, 5 to 30 transactions, faults drop
 * < 0.3, dup < 0.2, delay < 0.3, up to nodes - 2 crashes for good, up to
 * 4 stalls, in half the runs 1 to 3 restarts and, for 2PC only, up to 2
 * partitions (3PC is not safe under partitions); the simulation's own
 * seed is s.
 */
static inline void cm_fuzz_opts(enum _rc_commit_kind kind, uint64_t s,
				struct _rc_commit_sim_opts *o)
{
	uint64_t x = s * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	unsigned r;

#define CM_NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	memset(o, 0, sizeof *o);
	o->kind = kind;
	o->seed = s;
	o->nodes = 3 + (unsigned)(CM_NEXT() % 4);
	o->txns = 5 + (unsigned)(CM_NEXT() % 26);
	o->faults.drop = (double)(CM_NEXT() % 300) / 1000;
	o->faults.dup = (double)(CM_NEXT() % 200) / 1000;
	o->faults.delay = (double)(CM_NEXT() % 300) / 1000;
	o->faults.crash = (unsigned)(CM_NEXT() % (o->nodes - 1));
	o->faults.stall = (unsigned)(CM_NEXT() % 5);
	r = (unsigned)(CM_NEXT() % 6);
	o->faults.restart = r < 3 ? 0 : r - 2;
	if (kind == RC_COMMIT_2PC)
		o->faults.part = (unsigned)(CM_NEXT() % 3);
#undef CM_NEXT
}

/* Totals of a series of runs. */
struct cm_fuzz {
	uint64_t runs, failed, first_seed, begun, committed, aborted, blocked;
	uint64_t restarts, partitions;
	unsigned props; /* enum _rc_commit_prop bits seen */
	char first_why[256];
};

/* Runs seeds [first, first + n); returns -1 on an error of the setup. */
static inline int cm_fuzz_run(enum _rc_commit_kind kind, uint64_t first,
			      uint64_t n, uint64_t stop_after,
			      struct cm_fuzz *f)
{
	memset(f, 0, sizeof *f);
	for (uint64_t s = first; s < first + n && f->failed < stop_after; s++) {
		struct _rc_commit_sim_opts o;
		struct _rc_commit_sim_result r;
		rc_err_t err = RC_ERR_INITIALIZER;

		cm_fuzz_opts(kind, s, &o);
		if (_rc_commit_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return -1;
		}
		f->runs++;
		f->begun += r.begun;
		f->committed += r.committed;
		f->aborted += r.aborted;
		f->blocked += r.blocked;
		f->restarts += r.st.restarts;
		f->partitions += r.st.partitions;
		if (r.violations) {
			if (f->failed++ == 0) {
				f->first_seed = s;
				snprintf(f->first_why, sizeof f->first_why,
					 "%s", r.why);
			}
			f->props |= r.violations;
		}
	}
	return 0;
}

#endif /* RC_TESTS_COMMIT_FUZZ_H */
