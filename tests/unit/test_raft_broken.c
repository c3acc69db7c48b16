/* SPDX-License-Identifier: MIT */
/* test_raft_broken.c: Raft built with a leader that commits entries of earlier terms by counting (RC_RAFT_BROKEN_COMMIT) fails the property checks: on the paper's figure 8 schedule, and within the partition storms make check runs. */
#include <stdbool.h>
#include <stdlib.h>

#include "tests/tap.h"
#include "tests/unit/raft_fig8.h"
#include "tests/unit/raft_fuzz.h"

/*
 * This program is linked with its own copy of protocols/raft/raft.c
 * compiled with -DRC_RAFT_BROKEN_COMMIT. The figure 8 schedule and the
 * seeded partition storms test_raft_sim runs against correct Raft without
 * a violation must expose it; random faults of rf_fuzz_opts do so rarely
 * (figure 8 needs a leader whose entry reaches only a minority, then
 * another leader of an earlier log), which is why the storms are used.
 */
int main(void)
{
	char why[256] = "";
	uint64_t lead1 = 0, n = tap_env_u64("RC_RAFT_STORMS", 1000);
	int v = f8_run(why, sizeof why, &lead1);
	struct rf_fuzz f;

	ok(v > 0, "figure 8: the broken variant is caught (%s)", why);
	ok(v & RC_RAFT_COMPLETENESS,
	   "leader completeness: node 1 leads term %llu without the entry "
	   "committed in term 3",
	   (unsigned long long)lead1);
	ok((v & RC_RAFT_SM_SAFETY) && (v & RC_RAFT_AGREEMENT),
	   "and overwrites it: agreement and state-machine safety");
	/* Seed by seed, stopping at the first failing one. */
	ok(rf_fuzz_sweep(rf_storm_opts, 1, n, 1, &f) == 0,
	   "the partition storms ran");
	ok(f.failed > 0,
	   "the broken variant is caught within the %llu storms "
	   "test_raft_sim holds (first at seed %llu: %s)",
	   (unsigned long long)n, (unsigned long long)f.first_seed,
	   f.first_why);
	ok(f.props & (RC_RAFT_COMPLETENESS | RC_RAFT_AGREEMENT |
		      RC_RAFT_SM_SAFETY),
	   "by leader completeness, agreement or state-machine safety");
	done_testing();
	return exit_status();
}
