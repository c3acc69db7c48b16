/* SPDX-License-Identifier: MIT */
/* test_commit_sim.c: 2PC and 3PC in the seeded simulator: runs without faults, determinism, each protocol's known limit at its named seed, and seeded runs with random faults, every promised property checked. */
#include <stdlib.h>
#include <string.h>

#include "protocols/commit/commit.h"
#include "tests/tap.h"
#include "tests/unit/commit_fuzz.h"

#ifndef CM_DEFAULT_SIMS
#define CM_DEFAULT_SIMS 1000
#endif
/* The regression build runs other seeds than the unit tier's. */
#ifndef CM_FIRST_SEED
#define CM_FIRST_SEED 1
#endif

static const char *const names[] = { "2pc", "3pc" };

static int run(enum _rc_commit_kind kind, unsigned nodes, uint64_t seed,
	       unsigned txns, const char *faults,
	       struct _rc_commit_sim_result *r, FILE *trace)
{
	struct _rc_commit_sim_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(&o, 0, sizeof o);
	o.kind = kind;
	o.nodes = nodes;
	o.seed = seed;
	o.txns = txns;
	o.trace = trace;
	if (_rc_sim_faults_parse(faults, &o.faults, &err) < 0)
		return -1;
	return _rc_commit_sim_run(&o, r, &err);
}

static void test_clean(void)
{
	for (int k = RC_COMMIT_2PC; k <= RC_COMMIT_3PC; k++) {
		struct _rc_commit_sim_result r;
		uint64_t all_yes = 0;

		for (uint32_t t = 1; t <= 50; t++) {
			bool yes = true;

			for (unsigned i = 0; i < 5; i++)
				yes &= _rc_commit_vote(9, t, i);
			all_yes += yes;
		}
		ok(run(k, 5, 9, 50, "none", &r, NULL) == 0 && r.violations == 0,
		   "%s: 50 transactions of 5 nodes without faults (%s)",
		   names[k], r.why);
		ok(r.begun == 50 && r.committed + r.aborted == 50 &&
			   r.blocked == 0,
		   "%s: all begun and decided: %llu committed, %llu aborted",
		   names[k], (unsigned long long)r.committed,
		   (unsigned long long)r.aborted);
		ok(r.committed > 0 && r.aborted > 0 &&
			   r.committed >= all_yes - all_yes / 5,
		   "%s: the seeded votes give both outcomes", names[k]);
	}
}

static void test_determinism(void)
{
	for (int k = RC_COMMIT_2PC; k <= RC_COMMIT_3PC; k++) {
		const char *f = k == RC_COMMIT_2PC
					? "drop=0.2,dup=0.1,delay=0.2,crash=1,"
					  "stall=2,restart=2,part=1"
					: "drop=0.2,dup=0.1,delay=0.2,crash=1,"
					  "stall=2,restart=2";
		struct _rc_commit_sim_result r1, r2;
		char *b1 = NULL, *b2 = NULL;
		size_t l1 = 0, l2 = 0;
		FILE *t1 = open_memstream(&b1, &l1);
		FILE *t2 = open_memstream(&b2, &l2);

		run(k, 5, 77, 30, f, &r1, t1);
		run(k, 5, 77, 30, f, &r2, t2);
		fclose(t1);
		fclose(t2);
		ok(l1 > 1000 && l1 == l2 && memcmp(b1, b2, l1) == 0,
		   "%s: one seed, one trace (%zu bytes)", names[k], l1);
		ok(strstr(b1, " restart ") && strstr(b1, " record "),
		   "%s: the trace shows restarts and records", names[k]);
		ok(r1.st.restarts >= 1 && r1.violations == 0,
		   "%s: %llu restarts, recovered from the record (%s)",
		   names[k], (unsigned long long)r1.st.restarts, r1.why);
		free(b1);
		free(b2);
	}
}

/* The known limits, at the seeds named in replicore-sim(1). */
static void test_limits(void)
{
	struct _rc_commit_sim_result r;

	ok(run(RC_COMMIT_2PC, 3, 17, 10, "crash=1,delay=0.3", &r, NULL) == 0,
	   "2pc seed 17 ran");
	ok(r.blocked == 1 && r.violations == 0 && r.st.crashed == 1,
	   "2pc seed 17: the coordinator down after the votes blocks %llu "
	   "transaction, no violation",
	   (unsigned long long)r.blocked);
	ok(run(RC_COMMIT_3PC, 3, 17, 10, "crash=1,delay=0.3", &r, NULL) == 0 &&
		   r.blocked == 0 && r.violations == 0,
	   "3pc under the same crash terminates (%s)", r.why);
	ok(run(RC_COMMIT_3PC, 4, 3, 20, "part=1,delay=0.3", &r, NULL) == 0,
	   "3pc seed 3 ran");
	ok(r.violations == RC_COMMIT_ATOMICITY && r.st.partitions == 1 &&
		   r.st.cut > 0,
	   "3pc seed 3: the two sides of a partition decide apart (%s)", r.why);
	ok(run(RC_COMMIT_2PC, 4, 3, 20, "part=1,delay=0.3", &r, NULL) == 0 &&
		   r.violations == 0,
	   "2pc under the same partition stays atomic");
}

static void test_fuzz(void)
{
	uint64_t n = tap_env_u64("RC_COMMIT_SIMS", CM_DEFAULT_SIMS);

	for (int k = RC_COMMIT_2PC; k <= RC_COMMIT_3PC; k++) {
		struct cm_fuzz f;

		ok(cm_fuzz_run(k, CM_FIRST_SEED, n, UINT64_MAX, &f) == 0,
		   "%s: %llu seeded simulations ran from seed %llu", names[k],
		   (unsigned long long)n, (unsigned long long)CM_FIRST_SEED);
		diag("%s: %llu transactions: %llu committed, %llu aborted, "
		     "%llu blocked; %llu restarts, %llu partitions",
		     names[k], (unsigned long long)f.begun,
		     (unsigned long long)f.committed,
		     (unsigned long long)f.aborted,
		     (unsigned long long)f.blocked,
		     (unsigned long long)f.restarts,
		     (unsigned long long)f.partitions);
		ok(f.committed > n && f.aborted > n && f.restarts > n / 2,
		   "%s: both outcomes, and restarts", names[k]);
		is(f.failed, 0,
		   "%s: no run violates atomicity, validity or promised "
		   "termination",
		   names[k]);
		if (f.failed)
			diag("first failing seed %llu: %s (replay: "
			     "cm_fuzz_opts(seed))",
			     (unsigned long long)f.first_seed, f.first_why);
	}
}

int main(void)
{
#ifdef CM_FUZZ_ONLY
	const bool fuzz_only = true;
#else
	const bool fuzz_only = false;
#endif

	if (!fuzz_only) {
		test_clean();
		test_determinism();
		test_limits();
	}
	test_fuzz();
	done_testing();
	return exit_status();
}
