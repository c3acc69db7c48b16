/* SPDX-License-Identifier: MIT */
/* paxos_fuzz.h: seeded Paxos simulations with random faults, the loop the sim tests share. */
#ifndef RC_TESTS_PAXOS_FUZZ_H
#define RC_TESTS_PAXOS_FUZZ_H

#include <stdio.h>
#include <string.h>

#include <replicore/paxos.h>

/*
 * Seed s picks the run: 3 to 7 nodes, 10 to 40 commands, batch 1 to 8,
 * window 1 to 16, and faults drop < 0.3, dup < 0.2, delay < 0.3, up to a
 * minority of crashes, up to 4 stalls, up to 2 restarts (a node that
 * crashes and comes back from its record and a checkpoint), up to 2
 * partitions, and 0 to 20 reads at random nodes; in a quarter of the
 * seeds also 1 to 6 membership changes under an alpha of 1 to 16
 * (spares join, members leave: rc_paxos_sim_run); the simulation's own
 * seed is s.
 */
static inline void px_fuzz_opts(uint64_t s, struct rc_paxos_sim_opts *o)
{
	uint64_t x = s * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	struct rc_paxos_config cfg = RC_PAXOS_CONFIG_INITIALIZER;

#define PX_NEXT() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
	memset(o, 0, sizeof *o);
	cfg.nodes = 3 + (unsigned)(PX_NEXT() % 5);
	cfg.batch = 1 + (unsigned)(PX_NEXT() % 8);
	cfg.window = 1 + (unsigned)(PX_NEXT() % 16);
	cfg.seed = s;
	o->cfg = cfg;
	o->commands = 10 + (unsigned)(PX_NEXT() % 31);
	o->faults.drop = (double)(PX_NEXT() % 300) / 1000;
	o->faults.dup = (double)(PX_NEXT() % 200) / 1000;
	o->faults.delay = (double)(PX_NEXT() % 300) / 1000;
	o->faults.crash = (unsigned)(PX_NEXT() % ((cfg.nodes - 1) / 2 + 1));
	o->faults.stall = (unsigned)(PX_NEXT() % 5);
	o->faults.restart = (unsigned)(PX_NEXT() % 3);
	o->faults.part = (unsigned)(PX_NEXT() % 3);
	o->reads = (unsigned)(PX_NEXT() % 21);
	if (PX_NEXT() % 4 == 0) {
		o->faults.member = 1 + (unsigned)(PX_NEXT() % 6);
		o->cfg.alpha = 1 + (unsigned)(PX_NEXT() % 16);
	}
#undef PX_NEXT
}

/* Totals of a series of runs. */
struct px_fuzz {
	uint64_t runs, failed, first_seed, committed, messages, ballots;
	uint64_t restarts, partitions, isolated, reads, served, waited;
	unsigned props;	  /* enum rc_paxos_prop bits seen */
	uint64_t changes; /* membership changes submitted */
	char first_why[256];
};

/* Runs seeds [first, first + n); returns -1 on an error of the setup. */
static inline int px_fuzz_run(uint64_t first, uint64_t n, struct px_fuzz *f)
{
	memset(f, 0, sizeof *f);
	for (uint64_t s = first; s < first + n; s++) {
		struct rc_paxos_sim_opts o;
		struct rc_paxos_sim_result r;
		rc_err_t err = RC_ERR_INITIALIZER;

		px_fuzz_opts(s, &o);
		if (rc_paxos_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return -1;
		}
		f->runs++;
		f->committed += r.committed;
		f->messages += r.messages;
		f->ballots += r.ballots;
		f->restarts += r.restarts;
		f->partitions += r.partitions;
		f->isolated += r.isolated;
		f->reads += r.reads;
		f->served += r.served;
		f->waited += r.waited;
		f->changes += r.changes;
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

#endif /* RC_TESTS_PAXOS_FUZZ_H */
