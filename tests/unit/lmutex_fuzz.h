/* SPDX-License-Identifier: MIT */
/* lmutex_fuzz.h: seeded simulations of Lamport's mutual exclusion with random faults, the loop the lmutex tests share. */
#ifndef RC_TESTS_LMUTEX_FUZZ_H
#define RC_TESTS_LMUTEX_FUZZ_H

#include <stdio.h>
#include <string.h>

#include "protocols/lmutex/lmutex.h"

/*
 * Seed s picks the run: 2 to 6 nodes, 5 to 40 requests, faults drop <
 * 0.3, dup < 0.2, delay < 0.3, up to 4 stalls, up to 2 partitions, and in
 * a quarter of the runs 1 to nodes - 1 crashes for good (liveness is then
 * not promised); the simulation's own seed is s.
 */
static inline void lm_fuzz_opts(uint64_t s, struct _rc_lmutex_sim_opts *o)
{
	uint64_t x = s * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;

#define LM_NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	memset(o, 0, sizeof *o);
	o->seed = s;
	o->nodes = 2 + (unsigned)(LM_NEXT() % 5);
	o->requests = 5 + (unsigned)(LM_NEXT() % 36);
	o->faults.drop = (double)(LM_NEXT() % 300) / 1000;
	o->faults.dup = (double)(LM_NEXT() % 200) / 1000;
	o->faults.delay = (double)(LM_NEXT() % 300) / 1000;
	o->faults.stall = (unsigned)(LM_NEXT() % 5);
	o->faults.part = (unsigned)(LM_NEXT() % 3);
	if (LM_NEXT() % 4 == 0)
		o->faults.crash = 1 + (unsigned)(LM_NEXT() % (o->nodes - 1));
#undef LM_NEXT
}

/* Totals of a series of runs. */
struct lm_fuzz {
	uint64_t runs, failed, first_seed, requested, granted, blocked;
	uint64_t crashed, dropped, resent;
	unsigned props; /* enum _rc_lmutex_prop bits seen */
	char first_why[256];
};

/* Runs seeds [first, first + n); returns -1 on an error of the setup. */
static inline int lm_fuzz_run(uint64_t first, uint64_t n, uint64_t stop_after,
			      struct lm_fuzz *f)
{
	memset(f, 0, sizeof *f);
	for (uint64_t s = first; s < first + n && f->failed < stop_after; s++) {
		struct _rc_lmutex_sim_opts o;
		struct _rc_lmutex_sim_result r;
		rc_err_t err = RC_ERR_INITIALIZER;

		lm_fuzz_opts(s, &o);
		if (_rc_lmutex_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return -1;
		}
		f->runs++;
		f->requested += r.requested;
		f->granted += r.granted;
		f->blocked += r.blocked;
		f->crashed += r.st.crashed;
		f->dropped += r.st.dropped;
		f->resent += r.resent;
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

#endif /* RC_TESTS_LMUTEX_FUZZ_H */
