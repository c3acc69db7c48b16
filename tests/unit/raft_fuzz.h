/* SPDX-License-Identifier: MIT */
/* raft_fuzz.h: seeded simulations of Raft with random faults, the loop the Raft tests share. */
#ifndef RC_TESTS_RAFT_FUZZ_H
#define RC_TESTS_RAFT_FUZZ_H

#include <stdio.h>
#include <string.h>

#include "protocols/raft/raft.h"

/*
 * Seed s picks the run: 3 to 7 nodes, 5 to 40 commands, faults drop <
 * 0.3, dup < 0.2, delay < 0.3, up to a minority of crashes for good, up
 * to 4 stalls, 0 to 4 restarts and 0 to 2 partitions, pre-vote in half
 * the runs and the one-index repair in a quarter; the simulation's own
 * seed is s.
 */
static inline void rf_fuzz_opts(uint64_t s, struct _rc_raft_sim_opts *o)
{
	uint64_t x = s * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;

#define RF_NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	memset(o, 0, sizeof *o);
	o->seed = s;
	o->cfg.nodes = 3 + (unsigned)(RF_NEXT() % 5);
	o->commands = 5 + (unsigned)(RF_NEXT() % 36);
	o->faults.drop = (double)(RF_NEXT() % 500) / 1000;
	o->faults.dup = (double)(RF_NEXT() % 200) / 1000;
	o->faults.delay = (double)(RF_NEXT() % 300) / 1000;
	o->faults.crash = (unsigned)(RF_NEXT() % ((o->cfg.nodes - 1) / 2 + 1));
	o->faults.stall = (unsigned)(RF_NEXT() % 5);
	o->faults.restart = (unsigned)(RF_NEXT() % 9);
	o->faults.part = (unsigned)(RF_NEXT() % 9);
	o->cfg.prevote = RF_NEXT() % 2;
	o->cfg.decrement = RF_NEXT() % 4 == 0;
#undef RF_NEXT
}

/*
 * A partition storm, the schedule that exposes a leader committing
 * entries of earlier terms by counting (figure 8 of the paper) most
 * often among those tried: 3 nodes, 40 commands, 20 partitions, 5
 * restarts, drop 0.3, delay 0.2, dup 0.1. Such a leader is caught in 3 of
 * seeds 1..2000, first at seed 297 (test_raft_broken).
 */
static inline void rf_storm_opts(uint64_t s, struct _rc_raft_sim_opts *o)
{
	memset(o, 0, sizeof *o);
	o->seed = s;
	o->cfg.nodes = 3;
	o->commands = 40;
	o->faults.part = 20;
	o->faults.restart = 5;
	o->faults.drop = 0.3;
	o->faults.delay = 0.2;
	o->faults.dup = 0.1;
}

/* Totals of a series of runs. */
struct rf_fuzz {
	uint64_t runs, failed, first_seed, committed, leaders, messages;
	uint64_t restarts, partitions, crashed;
	unsigned props; /* enum _rc_raft_prop bits seen */
	char first_why[256];
};

/* Runs seeds [first, first + n); returns -1 on an error of the setup. */
static inline int rf_fuzz_sweep(void (*opts)(uint64_t,
					     struct _rc_raft_sim_opts *),
				uint64_t first, uint64_t n, uint64_t stop_after,
				struct rf_fuzz *f)
{
	memset(f, 0, sizeof *f);
	for (uint64_t s = first; s < first + n && f->failed < stop_after; s++) {
		struct _rc_raft_sim_opts o;
		struct _rc_raft_sim_result r;
		rc_err_t err = RC_ERR_INITIALIZER;

		opts(s, &o);
		if (_rc_raft_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return -1;
		}
		f->runs++;
		f->committed += r.committed;
		f->leaders += r.leaders;
		f->messages += r.st.messages;
		f->restarts += r.st.restarts;
		f->partitions += r.st.partitions;
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

/* The runs of rf_fuzz_opts. */
static inline int rf_fuzz_run(uint64_t first, uint64_t n, uint64_t stop_after,
			      struct rf_fuzz *f)
{
	return rf_fuzz_sweep(rf_fuzz_opts, first, n, stop_after, f);
}

#endif /* RC_TESTS_RAFT_FUZZ_H */
