/* SPDX-License-Identifier: MIT */
/* test_raft_broken.c: Raft built with a leader that commits entries of earlier terms by counting (RC_RAFT_BROKEN_COMMIT) fails the property checks: on the paper's figure 8 schedule, and within the seeds the regression tier runs. */
#include <stdbool.h>
#include <stdlib.h>

#include "tests/tap.h"
#include "tests/unit/raft_fig8.h"
#include "tests/unit/raft_fuzz.h"

/*
 * This program is linked with its own copy of protocols/raft/raft.c
 * compiled with -DRC_RAFT_BROKEN_COMMIT. The schedule test_raft_sim runs
 * against correct Raft without a violation must expose it.
 */
int main(void)
{
	char why[256] = "";
	uint64_t lead1 = 0, n = tap_env_u64("RC_RAFT_SIMS", 1000);
	int v = f8_run(why, sizeof why, &lead1);
	struct rf_fuzz f;

	ok(v > 0, "figure 8: the broken variant is caught (%s)", why);
	ok(v & RC_RAFT_COMPLETENESS,
	   "leader completeness: node 1 leads term %llu without the entry "
	   "committed in term 3",
	   (unsigned long long)lead1);
	ok((v & RC_RAFT_SM_SAFETY) && (v & RC_RAFT_AGREEMENT),
	   "and overwrites it: agreement and state-machine safety");
	ok(rf_fuzz_run(1, n, UINT64_MAX, &f) == 0,
	   "%llu seeded simulations ran", (unsigned long long)n);
	diag("random faults catch it in %llu of %llu seeds%s%s",
	     (unsigned long long)f.failed, (unsigned long long)f.runs,
	     f.failed ? "; first: " : "", f.failed ? f.first_why : "");
	done_testing();
	return exit_status();
}
