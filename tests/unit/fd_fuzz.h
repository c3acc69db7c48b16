/* SPDX-License-Identifier: MIT */
/* fd_fuzz.h: seeded simulations of the failure detectors with random options and faults, the loop the fd tests share. */
#ifndef RC_TESTS_FD_FUZZ_H
#define RC_TESTS_FD_FUZZ_H

#include <stdio.h>
#include <string.h>

#include "protocols/fd/fd.h"

/*
 * Seed s picks the run: 2 to 7 nodes, a fault period of 5 to 60 commands,
 * an interval of 100 to 399 us, a first timeout from the interval + 10 to
 * three intervals, a backoff of 1 to 2, a phi threshold of 1 to 16, a
 * window of 1 to 64 gaps; faults drop < 0.3, dup < 0.2, delay < 0.3, up
 * to 4 stalls, up to 2 restarts, up to 2 partitions and one more in half
 * the runs, and in half the runs 1 to nodes - 1 crashes for good. The
 * simulation's own seed is s.
 */
static inline void fd_fuzz_opts(uint64_t s, struct _rc_fd_sim_opts *o)
{
	uint64_t x = s * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;

#define FD_NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	memset(o, 0, sizeof *o);
	o->seed = s;
	o->nodes = 2 + (unsigned)(FD_NEXT() % 6);
	o->commands = 5 + (unsigned)(FD_NEXT() % 56);
	o->interval = 100 + FD_NEXT() % 300;
	o->timeout = o->interval + 10 + FD_NEXT() % (2 * o->interval - 9);
	o->backoff = 1 + (double)(FD_NEXT() % 101) / 100;
	o->threshold = 1 + (double)(FD_NEXT() % 16);
	o->window = 1 + (unsigned)(FD_NEXT() % 64);
	o->faults.drop = (double)(FD_NEXT() % 300) / 1000;
	o->faults.dup = (double)(FD_NEXT() % 200) / 1000;
	o->faults.delay = (double)(FD_NEXT() % 300) / 1000;
	o->faults.stall = (unsigned)(FD_NEXT() % 5);
	o->faults.restart = (unsigned)(FD_NEXT() % 3);
	o->faults.part = (unsigned)(FD_NEXT() % 3);
	o->faults.partition = 0.5;
	if (FD_NEXT() % 2 == 0)
		o->faults.crash = 1 + (unsigned)(FD_NEXT() % (o->nodes - 1));
#undef FD_NEXT
}

/* Totals of a series of runs. */
struct fd_fuzz {
	uint64_t runs, failed, first_seed, crashes, false_hb, false_phi;
	uint64_t comebacks, restarts, stalls;
	double det_hb, det_phi; /* detection times summed, in intervals */
	double det_hb_max, det_phi_max;
	unsigned props; /* enum _rc_fd_prop bits seen */
	char first_why[256];
};

/* Runs seeds [first, first + n); returns -1 on an error of the setup. */
static inline int fd_fuzz_run(uint64_t first, uint64_t n, uint64_t stop_after,
			      struct fd_fuzz *f)
{
	memset(f, 0, sizeof *f);
	for (uint64_t s = first; s < first + n && f->failed < stop_after; s++) {
		struct _rc_fd_sim_opts o;
		struct _rc_fd_sim_result r;
		rc_err_t err = RC_ERR_INITIALIZER;
		double iv;

		fd_fuzz_opts(s, &o);
		if (_rc_fd_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return -1;
		}
		iv = (double)o.interval * 1000;
		f->runs++;
		f->crashes += r.crashes;
		f->false_hb += r.false_hb;
		f->false_phi += r.false_phi;
		f->comebacks += r.comebacks;
		f->restarts += r.st.restarts;
		f->stalls += r.st.stalls;
		f->det_hb += (double)r.det_hb_sum / iv;
		f->det_phi += (double)r.det_phi_sum / iv;
		if ((double)r.det_hb_max / iv > f->det_hb_max)
			f->det_hb_max = (double)r.det_hb_max / iv;
		if ((double)r.det_phi_max / iv > f->det_phi_max)
			f->det_phi_max = (double)r.det_phi_max / iv;
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

#endif /* RC_TESTS_FD_FUZZ_H */
