/* SPDX-License-Identifier: MIT */
/* test_lmutex_sim.c: Lamport's mutual exclusion in the seeded simulator: runs without faults, determinism, the block under a crash, and seeded runs with random faults, every promised property checked. */
#include <stdlib.h>
#include <string.h>

#include "protocols/lmutex/lmutex.h"
#include "tests/tap.h"
#include "tests/unit/lmutex_fuzz.h"

#ifndef LM_DEFAULT_SIMS
#define LM_DEFAULT_SIMS 1000
#endif
/* The regression build runs other seeds than the unit tier's. */
#ifndef LM_FIRST_SEED
#define LM_FIRST_SEED 1
#endif

static int run(unsigned nodes, uint64_t seed, unsigned requests,
	       const char *faults, struct _rc_lmutex_sim_result *r, FILE *trace)
{
	struct _rc_lmutex_sim_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(&o, 0, sizeof o);
	o.nodes = nodes;
	o.seed = seed;
	o.requests = requests;
	o.trace = trace;
	if (_rc_sim_faults_parse(faults, &o.faults, &err) < 0)
		return -1;
	return _rc_lmutex_sim_run(&o, r, &err);
}

static void test_clean(void)
{
	struct _rc_lmutex_sim_result r;

	ok(run(5, 9, 100, "none", &r, NULL) == 0 && r.violations == 0,
	   "100 requests of 5 nodes without faults (%s)", r.why);
	ok(r.requested == 100 && r.granted == 100 && r.resent == 0 &&
		   r.st.dropped == 0,
	   "all %llu granted, nothing resent", (unsigned long long)r.granted);
	/* per request: 4 requests, 4 acks, 4 releases, each acknowledged */
	is(r.st.messages, 100 * 12 * 2,
	   "3(N-1) messages per entry, each "
	   "acknowledged by the link");
}

static void test_determinism(void)
{
	const char *f = "drop=0.2,dup=0.1,delay=0.2,stall=2,part=1";
	struct _rc_lmutex_sim_result r1, r2;
	char *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *t1 = open_memstream(&b1, &l1);
	FILE *t2 = open_memstream(&b2, &l2);

	run(4, 77, 30, f, &r1, t1);
	run(4, 77, 30, f, &r2, t2);
	fclose(t1);
	fclose(t2);
	ok(l1 > 1000 && l1 == l2 && memcmp(b1, b2, l1) == 0,
	   "one seed, one trace (%zu bytes)", l1);
	ok(strstr(b1, " enter ") && strstr(b1, " exit ") &&
		   strstr(b1, " drop ") && strstr(b1, "link-ack"),
	   "the trace shows entries, exits, drops and the link");
	ok(r1.violations == 0 && r1.granted == 30 && r1.resent > 0,
	   "30 granted under drops, %llu resent (%s)",
	   (unsigned long long)r1.resent, r1.why);
	free(b1);
	free(b2);
}

static void test_crash(void)
{
	struct _rc_lmutex_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct _rc_lmutex_sim_opts o;

	ok(run(3, 4, 40, "crash=1", &r, NULL) == 0,
	   "seed 4, a crash: the run ends");
	ok(r.st.crashed == 1 && r.violations == 0 && r.blocked &&
		   r.granted < r.requested,
	   "a crashed process blocks the others (%llu of %llu granted), no "
	   "violation",
	   (unsigned long long)r.granted, (unsigned long long)r.requested);
	memset(&o, 0, sizeof o);
	o.nodes = 3;
	o.requests = 1;
	o.faults.restart = 1;
	ok(_rc_lmutex_sim_run(&o, &r, &err) == -RC_EINVAL &&
		   strstr(err.msg, "restart"),
	   "restart faults are refused: %s", err.msg);
}

static void test_fuzz(void)
{
	uint64_t n = tap_env_u64("RC_LMUTEX_SIMS", LM_DEFAULT_SIMS);
	struct lm_fuzz f;

	ok(lm_fuzz_run(LM_FIRST_SEED, n, UINT64_MAX, &f) == 0,
	   "%llu seeded simulations ran from seed %llu", (unsigned long long)n,
	   (unsigned long long)LM_FIRST_SEED);
	diag("%llu requests, %llu granted; %llu runs blocked by a crash; "
	     "%llu dropped, %llu resent",
	     (unsigned long long)f.requested, (unsigned long long)f.granted,
	     (unsigned long long)f.blocked, (unsigned long long)f.dropped,
	     (unsigned long long)f.resent);
	ok(f.blocked > 0 && f.resent > n && f.granted > 10 * n,
	   "crashes that block, retransmissions, grants");
	is(f.failed, 0,
	   "no run violates exclusion, order or promised "
	   "liveness");
	if (f.failed)
		diag("first failing seed %llu: %s (replay: lm_fuzz_opts(seed))",
		     (unsigned long long)f.first_seed, f.first_why);
}

int main(void)
{
#ifdef LM_FUZZ_ONLY
	const bool fuzz_only = true;
#else
	const bool fuzz_only = false;
#endif

	if (fuzz_only && !tap_regtest()) {
		skip_all("the regression tier runs under make regtest");
		return 0;
	}
	if (!fuzz_only) {
		test_clean();
		test_determinism();
		test_crash();
	}
	test_fuzz();
	done_testing();
	return exit_status();
}
