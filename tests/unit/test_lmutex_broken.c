/* SPDX-License-Identifier: MIT */
/* test_lmutex_broken.c: Lamport's mutual exclusion built with a process that enters without waiting for a later message from every other (RC_LMUTEX_BROKEN_NOACK) fails the property checks within the make-check seeds. */
#include <stdbool.h>
#include <stdlib.h>

#include "tests/tap.h"
#include "tests/unit/lmutex_fuzz.h"

/*
 * This program is linked with its own copy of protocols/lmutex/proc.c
 * compiled with -DRC_LMUTEX_BROKEN_NOACK: a process enters as soon as its
 * request is first in its own queue, before the others' requests may have
 * reached it. The seeds test_lmutex_sim runs against the correct
 * algorithm must expose it; the test passes when they do, so it shows
 * that the checks can fail.
 */
int main(void)
{
	uint64_t n = tap_env_u64("RC_LMUTEX_SIMS", 1000);
	struct lm_fuzz f;

	/* Seed by seed, stopping at the third failing one. */
	ok(lm_fuzz_run(1, n, 3, &f) == 0, "the simulations ran");
	ok(f.failed > 0,
	   "the broken variant is caught within %llu seeds (%llu failing of "
	   "the first %llu, first at seed %llu: %s)",
	   (unsigned long long)n, (unsigned long long)f.failed,
	   (unsigned long long)f.runs, (unsigned long long)f.first_seed,
	   f.first_why);
	ok(f.props & RC_LMUTEX_EXCLUSION, "exclusion is what breaks");
	done_testing();
	return exit_status();
}
