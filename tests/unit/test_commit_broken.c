/* SPDX-License-Identifier: MIT */
/* test_commit_broken.c: 2PC and 3PC built with a participant that commits on its own timeout (RC_COMMIT_BROKEN_TIMEOUT) fail the property checks within the make-check seeds. */
#include <stdbool.h>
#include <stdlib.h>

#include "tests/tap.h"
#include "tests/unit/commit_fuzz.h"

/*
 * This program is linked with its own copy of protocols/commit/commit.c
 * compiled with -DRC_COMMIT_BROKEN_TIMEOUT: an uncertain participant that
 * hears nothing commits instead of running the termination protocol. The
 * seeds test_commit_sim runs against the correct protocols must expose it;
 * the test passes when they do, so it shows that the checks can fail.
 */
int main(void)
{
	static const char *const names[] = { "2pc", "3pc" };
	uint64_t n = tap_env_u64("RC_COMMIT_SIMS", 1000);

	for (int k = RC_COMMIT_2PC; k <= RC_COMMIT_3PC; k++) {
		struct cm_fuzz f;

		/* Seed by seed, stopping at the third failing one. */
		ok(cm_fuzz_run(k, 1, n, 3, &f) == 0, "%s: the simulations ran",
		   names[k]);
		ok(f.failed > 0,
		   "%s: the broken variant is caught within %llu seeds (%llu "
		   "failing of the first %llu, first at seed %llu: %s)",
		   names[k], (unsigned long long)n,
		   (unsigned long long)f.failed, (unsigned long long)f.runs,
		   (unsigned long long)f.first_seed, f.first_why);
		ok(f.props & RC_COMMIT_ATOMICITY,
		   "%s: atomicity is what breaks", names[k]);
	}
	done_testing();
	return exit_status();
}
