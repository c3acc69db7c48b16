/* SPDX-License-Identifier: MIT */
/* test_paxos_broken.c: Paxos built without phase-1 value adoption (RC_PAXOS_BROKEN_PHASE1) fails the property checks within the make-check seeds. */
#include <stdbool.h>
#include <stdlib.h>

#include <replicore/paxos.h>

#include "tests/tap.h"
#include "tests/unit/paxos_fuzz.h"

/*
 * This program is linked with its own copy of protocols/paxos/paxos.c compiled
 * with -DRC_PAXOS_BROKEN_PHASE1: a new leader proposes no-ops in the open
 * slots instead of the values a majority reported. The same seeds that
 * test_paxos_sim runs against the correct protocol must expose it; the
 * test passes when they do, so it shows that the checks can fail.
 */
int main(void)
{
	uint64_t n = tap_env_u64("RC_PAXOS_SIMS", 1000);
	uint64_t s, caught = 0;
	unsigned props = 0;
	struct px_fuzz f;

	bool setup = true;

	/* Seed by seed, stopping at the third failing one. */
	for (s = 1; s <= n && caught < 3 && setup; s++) {
		setup = px_fuzz_run(s, 1, &f) == 0;
		if (f.failed) {
			caught++;
			props |= f.props;
			diag("seed %llu: %s", (unsigned long long)s,
			     f.first_why);
		}
	}
	ok(setup, "the simulations ran");
	ok(caught > 0,
	   "the broken variant is caught within %llu seeds (%llu failing "
	   "of the first %llu)",
	   (unsigned long long)n, (unsigned long long)caught,
	   (unsigned long long)(s - 1));
	ok(props & RC_PAXOS_AGREEMENT, "agreement is what breaks");
	done_testing();
	return exit_status();
}
