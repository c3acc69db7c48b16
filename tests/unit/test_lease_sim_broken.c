/* SPDX-License-Identifier: MIT */
/* test_lease_sim_broken.c: a fenced store built to ignore fencing tokens (RC_LEASE_BROKEN_FENCING) fails the property checks within the make-check seeds. */
#include <stdbool.h>
#include <stdlib.h>

#include "tests/tap.h"
#include "tests/unit/lease_fuzz.h"

/*
 * This program is linked with its own copy of protocols/lease/lease.c
 * compiled with -DRC_LEASE_BROKEN_FENCING: the store takes every write,
 * whatever its token. The seeds test_lease_sim runs against the correct
 * store must expose it; the test passes when they do, so it shows that
 * the checks can fail.
 */
int main(void)
{
	uint64_t n = tap_env_u64("RC_LEASE_SIMS", 1000);
	struct lease_fuzz f;

	/* Seed by seed, stopping at the third failing one. */
	ok(lease_fuzz_run(1, n, 3, false, &f) == 0, "the simulations ran");
	ok(f.failed > 0,
	   "the broken store is caught within %llu seeds (%llu failing of "
	   "the first %llu, first at seed %llu: %s)",
	   (unsigned long long)n, (unsigned long long)f.failed,
	   (unsigned long long)f.runs, (unsigned long long)f.first_seed,
	   f.first_why);
	ok(f.props == RC_LEASE_FENCING, "fencing is what breaks, alone");
	is(f.rejected, 0, "no write was rejected");
	done_testing();
	return exit_status();
}
