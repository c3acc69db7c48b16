/* SPDX-License-Identifier: MIT */
/* lease_fuzz.h: seeded simulations of the lease service and the fenced store with random faults, the loop the lease tests share. */
#ifndef RC_TESTS_LEASE_FUZZ_H
#define RC_TESTS_LEASE_FUZZ_H

#include <stdio.h>
#include <string.h>

#include "protocols/lease/lease.h"

/*
 * Seed s picks the run: 3 to 8 nodes, 5 to 40 rounds, a lease of 50 to
 * 549 us, a drift of 0 to 49,999 ppm, faults drop < 0.3, dup < 0.2,
 * delay < 0.3, up to 4 stalls, up to 2 restarts, up to 2 partitions, and
 * in a quarter of the runs 1 to nodes - 1 crashes for good; the
 * simulation's own seed is s.
 */
static inline void lease_fuzz_opts(uint64_t s, struct _rc_lease_sim_opts *o)
{
	uint64_t x = s * 0x9e3779b97f4a7c15ull + 0x1ea5e5eed5eedull;

#define LF_NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	memset(o, 0, sizeof *o);
	o->seed = s;
	o->nodes = 3 + (unsigned)(LF_NEXT() % 6);
	o->commands = 5 + (unsigned)(LF_NEXT() % 36);
	o->lease = 50 + LF_NEXT() % 500;
	o->drift = LF_NEXT() % 50000;
	o->faults.drop = (double)(LF_NEXT() % 300) / 1000;
	o->faults.dup = (double)(LF_NEXT() % 200) / 1000;
	o->faults.delay = (double)(LF_NEXT() % 300) / 1000;
	o->faults.stall = (unsigned)(LF_NEXT() % 5);
	o->faults.restart = (unsigned)(LF_NEXT() % 3);
	o->faults.part = (unsigned)(LF_NEXT() % 3);
	if (LF_NEXT() % 4 == 0)
		o->faults.crash = 1 + (unsigned)(LF_NEXT() % (o->nodes - 1));
#undef LF_NEXT
}

/* Totals of a series of runs. */
struct lease_fuzz {
	uint64_t runs, failed, first_seed;
	uint64_t granted, accepted, rejected, late, gave_up, done;
	uint64_t stalls, restarts, crashed;
	unsigned props; /* enum _rc_lease_prop bits seen */
	char first_why[256];
};

/*
 * Runs seeds [first, first + n), stopping after stop_after failing ones,
 * the store ignoring tokens when ignore; -1 on an error of the setup.
 */
static inline int lease_fuzz_run(uint64_t first, uint64_t n,
				 uint64_t stop_after, bool ignore,
				 struct lease_fuzz *f)
{
	memset(f, 0, sizeof *f);
	for (uint64_t s = first; s < first + n && f->failed < stop_after; s++) {
		struct _rc_lease_sim_opts o;
		struct _rc_lease_sim_result r;
		rc_err_t err = RC_ERR_INITIALIZER;

		lease_fuzz_opts(s, &o);
		o.ignore_tokens = ignore;
		if (_rc_lease_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return -1;
		}
		f->runs++;
		f->granted += r.granted;
		f->accepted += r.accepted;
		f->rejected += r.rejected;
		f->late += r.late;
		f->gave_up += r.gave_up;
		f->done += r.done;
		f->stalls += r.st.stalls;
		f->restarts += r.st.restarts;
		f->crashed += r.st.crashed;
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

#endif /* RC_TESTS_LEASE_FUZZ_H */
