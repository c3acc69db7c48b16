/* SPDX-License-Identifier: MIT */
/* test_paxos_broken.c: a deliberately broken Paxos (built with RC_PAXOS_BROKEN_PHASE1, _RECOVERY or _READS) fails the property checks within the make-check seeds. */
#include <stdbool.h>
#include <stdlib.h>

#include <replicore/paxos.h>

#include "tests/tap.h"
#include "tests/unit/paxos_fuzz.h"

/*
 * This program is linked with its own copy of protocols/paxos/paxos.c
 * compiled with one of the broken variants:
 *
 *   RC_PAXOS_BROKEN_PHASE1    a new leader proposes no-ops in the open
 *                             slots instead of the values a majority
 *                             reported (test_paxos_broken);
 *   RC_PAXOS_BROKEN_RECOVERY  a restarted acceptor forgets its promise
 *                             and its acceptances
 *                             (test_paxos_broken_recovery);
 *   RC_PAXOS_BROKEN_READS     the leader answers a read index without
 *                             confirming that it still leads, so a
 *                             deposed leader cut off by a partition
 *                             serves stale reads (test_paxos_broken_reads);
 *   RC_PAXOS_BROKEN_QUORUM    half of an even group counts as a majority,
 *                             so a side of an even split decides while cut
 *                             off (test_paxos_broken_quorum, minority).
 *
 * The seeds run until the third failing one that shows the property (at
 * most all of them).
 *
 * The same seeds that test_paxos_sim runs against the correct protocol
 * must expose it, as the property named below; the test passes when they
 * do, so it shows that the checks can fail.
 */
#if defined(RC_PAXOS_BROKEN_RECOVERY)
#define PX_BROKEN_PROP RC_PAXOS_AGREEMENT
#elif defined(RC_PAXOS_BROKEN_READS)
#define PX_BROKEN_PROP RC_PAXOS_READS
#elif defined(RC_PAXOS_BROKEN_QUORUM)
#define PX_BROKEN_PROP RC_PAXOS_MINORITY
#else
#define PX_BROKEN_PROP RC_PAXOS_AGREEMENT
#endif

int main(void)
{
	uint64_t n = tap_env_u64("RC_PAXOS_SIMS", 1000);
	uint64_t s, caught = 0, shown = 0;
	unsigned props = 0;
	struct px_fuzz f;

	bool setup = true;

	/* Seed by seed, stopping at the third that shows the property. */
	for (s = 1; s <= n && shown < 3 && setup; s++) {
		setup = px_fuzz_run(s, 1, &f) == 0;
		if (f.failed) {
			caught++;
			props |= f.props;
		}
		if (f.props & PX_BROKEN_PROP) {
			shown++;
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
	ok(props & PX_BROKEN_PROP, "%s is what breaks",
	   rc_paxos_prop_name(PX_BROKEN_PROP));
	done_testing();
	return exit_status();
}
