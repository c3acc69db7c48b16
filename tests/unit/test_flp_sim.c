/* SPDX-License-Identifier: MIT */
/* test_flp_sim.c: the FLP adversary keeps replicore's Paxos undecided for 100,000 steps while delivering every message within its bound, loses under partial synchrony, and the two generals disagree after the last message is lost for every protocol of 1 to 8 messages. */
#include <stdlib.h>
#include <string.h>

#include "protocols/flp/flp.h"
#include "tests/tap.h"

static void run(uint64_t steps, uint64_t gst, uint64_t seed,
		struct _rc_flp_result *r)
{
	struct _rc_flp_opts o = { steps, gst, seed, NULL };
	rc_err_t err = RC_ERR_INITIALIZER;

	if (_rc_flp_run(&o, r, &err) < 0) {
		diag("flp run: %s", err.msg);
		memset(r, 0, sizeof *r);
	}
}

static void flp(void)
{
	struct _rc_flp_result r, again;
	unsigned bad = 0;

	/* RC_FLP_STEPS may shrink it; make check runs 100,000 */
	run(tap_env_u64("RC_FLP_STEPS", 100000), 0, 1, &r);
	ok(r.steps == tap_env_u64("RC_FLP_STEPS", 100000),
	   "asynchronous: %llu steps run", (unsigned long long)r.steps);
	ok(!r.decided, "no node decided");
	ok(r.bivalent, "the bivalence witness held at every step (%s)",
	   r.why[0] ? r.why : "A at 0, B at 1, none at 2");
	ok(r.fair && r.max_delay <= RC_FLP_FAIR && r.oldest <= RC_FLP_FAIR,
	   "every message delivered within %u steps (longest wait %llu, "
	   "oldest in flight %llu)",
	   RC_FLP_FAIR, (unsigned long long)r.max_delay,
	   (unsigned long long)r.oldest);
	ok(r.delivered + r.pending == r.sent && r.delivered > r.steps / 2,
	   "%llu sent = %llu delivered + %llu in flight",
	   (unsigned long long)r.sent, (unsigned long long)r.delivered,
	   (unsigned long long)r.pending);
	ok(r.rounds > r.steps / 20, "%llu elections fired",
	   (unsigned long long)r.rounds);
	run(tap_env_u64("RC_FLP_STEPS", 100000), 0, 1, &again);
	ok(memcmp(&r, &again, sizeof r) == 0, "the same run twice");

	for (uint64_t seed = 1; seed <= 50; seed++) {
		run(3000, 0, seed, &r);
		if (r.decided || !r.bivalent || !r.fair)
			bad++;
	}
	ok(bad == 0, "seeds 1..50, 3000 steps: undecided and fair (%u not)",
	   bad);

	bad = 0;
	for (uint64_t gst = 1; gst <= 2000; gst += 37) {
		run(gst + 2000, gst, gst, &r);
		if (!r.decided || !r.agree || !r.fair ||
		    r.max_sync > RC_FLP_SYNC_BOUND || r.decided_at < gst)
			bad++;
	}
	ok(bad == 0,
	   "partial synchrony from steps 1..2000: every run decides after "
	   "gst, one value, within the bound (%u not)",
	   bad);
	run(100000, 50000, 1, &r);
	ok(r.decided && r.agree && r.decided_at >= 50000 &&
		   r.decided_at < 50000 + 200,
	   "gst 50000: decided %c at step %llu", r.value ? r.value : '-',
	   (unsigned long long)r.decided_at);
}

static void generals(void)
{
	for (unsigned k = 1; k <= 8; k++) {
		struct _rc_generals_run none, r;
		unsigned runs, dis, walked;
		uint32_t lost = 0;

		_rc_generals_play(k, 0, &none);
		ok(none.attack_a && none.attack_b && none.received == k,
		   "k=%u: without loss both attack after %u messages", k,
		   none.received);
		walked = _rc_generals_search(k, &lost, &runs, &dis, NULL);
		_rc_generals_play(k, lost, &r);
		ok(walked > 0 && r.attack_a != r.attack_b &&
			   lost == 1u << (k - 1),
		   "k=%u: the run losing message %u disagrees (A %s, B %s)", k,
		   k, r.attack_a ? "attacks" : "stays",
		   r.attack_b ? "attacks" : "stays");
		ok(runs == k + 1 && dis >= 1,
		   "k=%u: %u distinct runs of %u loss patterns, %u disagree", k,
		   runs, 1u << k, dis);
	}
}

int main(void)
{
	flp();
	generals();
	done_testing();
	return exit_status();
}
