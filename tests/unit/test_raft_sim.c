/* SPDX-License-Identifier: MIT */
/* test_raft_sim.c: Raft in the seeded simulator: runs without faults, determinism, recovery from the record, the options, the paper's figure 8 schedule, and seeded runs with random faults, every property checked. */
#include <stdlib.h>
#include <string.h>

#include "protocols/raft/raft.h"
#include "tests/tap.h"
#include "tests/unit/raft_fig8.h"
#include "tests/unit/raft_fuzz.h"

#ifndef RF_DEFAULT_SIMS
#define RF_DEFAULT_SIMS 1000
#endif
/* The regression build runs other seeds than the unit tier's. */
#ifndef RF_FIRST_SEED
#define RF_FIRST_SEED 1
#endif

static int run(unsigned nodes, uint64_t seed, unsigned cmds, const char *faults,
	       bool prevote, bool decrement, struct _rc_raft_sim_result *r,
	       FILE *trace)
{
	struct _rc_raft_sim_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(&o, 0, sizeof o);
	o.cfg.nodes = nodes;
	o.cfg.prevote = prevote;
	o.cfg.decrement = decrement;
	o.seed = seed;
	o.commands = cmds;
	o.trace = trace;
	if (_rc_sim_faults_parse(faults, &o.faults, &err) < 0)
		return -1;
	return _rc_raft_sim_run(&o, r, &err);
}

static void test_clean(void)
{
	struct _rc_raft_sim_result r;

	ok(run(5, 9, 100, "none", false, false, &r, NULL) == 0 &&
		   r.violations == 0,
	   "100 commands on 5 nodes without faults (%s)", r.why);
	is(r.committed, 100, "every command applied by every node");
	ok(r.leaders >= 1 && r.terms >= 1, "%llu leaders, term %llu",
	   (unsigned long long)r.leaders, (unsigned long long)r.terms);
	ok(run(1, 3, 20, "none", false, false, &r, NULL) == 0 &&
		   r.violations == 0 && r.committed == 20 && r.st.messages == 0,
	   "one node alone applies its 20 commands, no message sent");
	ok(run(3, 4, 50, "none", true, false, &r, NULL) == 0 &&
		   r.violations == 0 && r.committed == 50,
	   "with pre-vote, 50 commands on 3 nodes (%s)", r.why);
}

static void test_determinism(void)
{
	const char *f = "drop=0.2,dup=0.1,delay=0.2,crash=1,stall=2,restart=3,"
			"part=2";
	struct _rc_raft_sim_result r1, r2;
	char *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *t1 = open_memstream(&b1, &l1);
	FILE *t2 = open_memstream(&b2, &l2);

	run(5, 77, 40, f, false, false, &r1, t1);
	run(5, 77, 40, f, false, false, &r2, t2);
	fclose(t1);
	fclose(t2);
	ok(l1 > 1000 && l1 == l2 && memcmp(b1, b2, l1) == 0,
	   "one seed, one trace (%zu bytes)", l1);
	ok(strstr(b1, " restart ") && strstr(b1, " leader ") &&
		   strstr(b1, " commit "),
	   "the trace shows restarts, leaders and commits");
	ok(r1.st.restarts >= 1 && r1.st.partitions >= 1 && r1.violations == 0,
	   "%llu restarts, %llu partitions, every property holds (%s)",
	   (unsigned long long)r1.st.restarts,
	   (unsigned long long)r1.st.partitions, r1.why);
	free(b1);
	free(b2);
}

/* The options over the same faulty seeds. */
static void test_options(void)
{
	const char *f = "drop=0.2,dup=0.1,delay=0.2,crash=1,stall=2,restart=2,"
			"part=2";
	uint64_t el[2] = { 0, 0 }, msg[2] = { 0, 0 };
	unsigned bad = 0;

	for (int v = 0; v < 2; v++)
		for (uint64_t s = 1; s <= 100; s++) {
			struct _rc_raft_sim_result r;

			if (run(5, s, 30, f, v == 1, v == 0, &r, NULL) < 0 ||
			    r.violations)
				bad++;
			el[v] += r.elections;
			msg[v] += r.st.messages;
		}
	is(bad, 0,
	   "100 seeds with one-index repair, 100 with pre-vote: "
	   "every property holds");
	diag("elections: %llu with one-index repair, %llu with pre-vote; "
	     "messages %llu, %llu",
	     (unsigned long long)el[0], (unsigned long long)el[1],
	     (unsigned long long)msg[0], (unsigned long long)msg[1]);
}

static void test_fig8(void)
{
	char why[256] = "";
	uint64_t lead1 = 0;
	int v = f8_run(why, sizeof why, &lead1);

	is(v, 0, "figure 8's schedule violates nothing (%s)", why);
	ok(lead1 >= 4,
	   "node 1 leads term %llu and replaces the uncommitted "
	   "entry of term 1",
	   (unsigned long long)lead1);
}

static void test_fuzz(void)
{
	uint64_t n = tap_env_u64("RC_RAFT_SIMS", RF_DEFAULT_SIMS);
	struct rf_fuzz f;

	ok(rf_fuzz_run(RF_FIRST_SEED, n, UINT64_MAX, &f) == 0,
	   "%llu seeded simulations ran from seed %llu", (unsigned long long)n,
	   (unsigned long long)RF_FIRST_SEED);
	diag("%llu commands applied everywhere, %llu leaders, %llu messages; "
	     "%llu crashes, %llu restarts, %llu partitions",
	     (unsigned long long)f.committed, (unsigned long long)f.leaders,
	     (unsigned long long)f.messages, (unsigned long long)f.crashed,
	     (unsigned long long)f.restarts, (unsigned long long)f.partitions);
	ok(f.committed > 10 * n && f.restarts > n && f.partitions > n &&
		   f.crashed > n / 2,
	   "commands applied under crashes, restarts and partitions");
	is(f.failed, 0, "no run violates a property");
	if (f.failed)
		diag("first failing seed %llu: %s (replay: rf_fuzz_opts(seed))",
		     (unsigned long long)f.first_seed, f.first_why);
}

/* The partition storm that catches the broken variant, here held. */
static void test_storm(void)
{
	uint64_t n = tap_env_u64("RC_RAFT_STORMS", RF_DEFAULT_SIMS);
	struct rf_fuzz f;

	ok(rf_fuzz_sweep(rf_storm_opts, RF_FIRST_SEED, n, UINT64_MAX, &f) ==
			   0 &&
		   f.partitions == 20 * n,
	   "%llu partition storms ran from seed %llu", (unsigned long long)n,
	   (unsigned long long)RF_FIRST_SEED);
	diag("storms: %llu commands applied everywhere, %llu leaders, %llu "
	     "restarts",
	     (unsigned long long)f.committed, (unsigned long long)f.leaders,
	     (unsigned long long)f.restarts);
	is(f.failed, 0, "no storm violates a property");
	if (f.failed)
		diag("first failing seed %llu: %s (replay: "
		     "rf_storm_opts(seed))",
		     (unsigned long long)f.first_seed, f.first_why);
}

int main(void)
{
#ifdef RF_FUZZ_ONLY
	const bool fuzz_only = true;
#else
	const bool fuzz_only = false;
#endif

	if (!fuzz_only) {
		test_clean();
		test_determinism();
		test_options();
		test_fig8();
	}
	test_fuzz();
	test_storm();
	done_testing();
	return exit_status();
}
