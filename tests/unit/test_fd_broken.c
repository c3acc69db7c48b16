/* SPDX-License-Identifier: MIT */
/* test_fd_broken.c: failure detectors built never to retract a suspicion (RC_FD_BROKEN_STICKY) fail the eventual accuracy check within the make-check seeds. */
#include <stdbool.h>
#include <stdlib.h>

#include "tests/tap.h"
#include "tests/unit/fd_fuzz.h"

/*
 * This program is linked with its own copy of protocols/fd/fd.c compiled
 * with -DRC_FD_BROKEN_STICKY: every detector keeps suspecting a peer once
 * its deadline passed, whatever arrives after. The seeds test_fd_sim runs
 * against the correct detectors must expose it; the test passes when
 * they do, so it shows that the checks can fail.
 */
int main(void)
{
	uint64_t n = tap_env_u64("RC_FD_SIMS", 1000);
	struct fd_fuzz f;

	/* Seed by seed, stopping at the third failing one. */
	ok(fd_fuzz_run(1, n, 3, &f) == 0, "the simulations ran");
	ok(f.failed > 0,
	   "the broken variant is caught within %llu seeds (%llu failing of "
	   "the first %llu, first at seed %llu: %s)",
	   (unsigned long long)n, (unsigned long long)f.failed,
	   (unsigned long long)f.runs, (unsigned long long)f.first_seed,
	   f.first_why);
	ok(f.props & RC_FD_ACCURACY, "eventual accuracy is what breaks");
	done_testing();
	return exit_status();
}
