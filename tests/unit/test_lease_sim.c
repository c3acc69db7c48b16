/* SPDX-License-Identifier: MIT */
/* test_lease_sim.c: the lease service and the fenced store in the seeded simulator: runs without faults, determinism, the classic pause caught by the token, restarts, and seeded runs with random faults, every property checked. */
#include <stdlib.h>
#include <string.h>

#include "protocols/lease/lease.h"
#include "tests/tap.h"
#include "tests/unit/lease_fuzz.h"

#ifndef LEASE_DEFAULT_SIMS
#define LEASE_DEFAULT_SIMS 1000
#endif
/* The regression build runs other seeds than the unit tier's. */
#ifndef LEASE_FIRST_SEED
#define LEASE_FIRST_SEED 1
#endif

static int run(unsigned nodes, uint64_t seed, unsigned commands,
	       const char *faults, struct _rc_lease_sim_result *r, FILE *trace)
{
	struct _rc_lease_sim_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(&o, 0, sizeof o);
	o.nodes = nodes;
	o.seed = seed;
	o.commands = commands;
	o.lease = 200;
	o.drift = 10000;
	o.trace = trace;
	if (_rc_sim_faults_parse(faults, &o.faults, &err) < 0)
		return -1;
	return _rc_lease_sim_run(&o, r, &err);
}

static void test_objects(void)
{
	struct rc_lease l = RC_LEASE_INITIALIZER;
	struct rc_fenced s = RC_FENCED_INITIALIZER;

	is(rc_lease_acquire(&l, 7, 100, 50), 1, "the first grant: token 1");
	is(rc_lease_acquire(&l, 8, 149, 50), RC_LEASE_REFUSED | 150,
	   "refused while it runs, with the holder's expiry");
	is(rc_lease_acquire(&l, 7, 149, 50), 2,
	   "the holder renews with a new token");
	is(rc_lease_holder_token(&l, 198), 2, "token 2 runs until 199");
	is(rc_lease_holder_token(&l, 199), 0, "and has ended at 199");
	is(rc_lease_acquire(&l, 8, 199, 50), 3, "expired: another takes it");
	ok(!rc_lease_release(&l, 7, 2), "a stale release changes nothing");
	is(rc_lease_holder_token(&l, 200), 3, "token 3 still runs");
	ok(rc_lease_release(&l, 8, 3), "its holder releases it");
	is(rc_lease_acquire(&l, 7, 201, 50), 4, "free again at once");
	ok(rc_fenced_write(&s, 3, 30) && rc_fenced_write(&s, 3, 31),
	   "the store takes token 3, twice");
	ok(!rc_fenced_write(&s, 2, 20) && s.value == 31 && s.token == 3,
	   "and rejects token 2 after it, unchanged");
	ok(rc_fenced_write(&s, 4, 40) && s.value == 40,
	   "a newer token is taken");
}

static void test_clean(void)
{
	struct _rc_lease_sim_result r;

	ok(run(6, 3, 40, "none", &r, NULL) == 0 && r.violations == 0,
	   "40 rounds of 4 clients without faults (%s)", r.why);
	ok(r.done == 40 && r.accepted == 40 && r.rejected == 0 && r.late == 0 &&
		   r.gave_up == 0,
	   "every round writes once, in time (%llu granted, %llu refused)",
	   (unsigned long long)r.granted, (unsigned long long)r.refused);
}

static void test_pause(void)
{
	const char *f = "stall=4";
	struct _rc_lease_sim_result r1, r2;
	char *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *t1 = open_memstream(&b1, &l1);
	FILE *t2 = open_memstream(&b2, &l2);

	run(5, 6, 20, f, &r1, t1);
	run(5, 6, 20, f, &r2, t2);
	fclose(t1);
	fclose(t2);
	ok(l1 > 1000 && l1 == l2 && memcmp(b1, b2, l1) == 0,
	   "one seed, one trace (%zu bytes)", l1);
	/* seed 6: client 2 has token 11 and stalls while it prepares its
	 * write, for ten leases; tokens 12..18 go to others meanwhile */
	ok(strstr(b1, " grant token 11 to 2 ") &&
		   strstr(b1, " stall 2 until 4541") &&
		   strstr(b1, " grant token 12 to 3 "),
	   "seed 6: client 2 holds token 11, pauses, client 3 takes token "
	   "12");
	ok(strstr(b1, "4541 client 2 writes with token 11") &&
		   strstr(b1, "store rejects 2's write with token 11"),
	   "resumed, client 2 writes with token 11: rejected");
	ok(r1.violations == 0 && r1.rejected == 1 && r1.st.stalls == 4,
	   "every property holds (%s)", r1.why);
	free(b1);
	free(b2);
}

static void test_restart(void)
{
	struct _rc_lease_sim_result r;
	uint64_t restarts = 0, runs = 0;

	for (uint64_t s = 1; s <= 50; s++) {
		if (run(4, s, 30, "restart=3,drop=0.1", &r, NULL) < 0 ||
		    r.violations)
			break;
		restarts += r.st.restarts;
		runs++;
	}
	ok(runs == 50 && restarts > 50,
	   "50 runs with %llu restarts from the record hold every property",
	   (unsigned long long)restarts);
}

static void test_fuzz(void)
{
	uint64_t n = tap_env_u64("RC_LEASE_SIMS", LEASE_DEFAULT_SIMS);
	struct lease_fuzz f;

	ok(lease_fuzz_run(LEASE_FIRST_SEED, n, UINT64_MAX, false, &f) == 0,
	   "%llu seeded simulations ran from seed %llu", (unsigned long long)n,
	   (unsigned long long)LEASE_FIRST_SEED);
	diag("%llu grants, %llu writes accepted (%llu late), %llu rejected as "
	     "stale, %llu rounds given up; %llu stalls, %llu restarts, %llu "
	     "crashes",
	     (unsigned long long)f.granted, (unsigned long long)f.accepted,
	     (unsigned long long)f.late, (unsigned long long)f.rejected,
	     (unsigned long long)f.gave_up, (unsigned long long)f.stalls,
	     (unsigned long long)f.restarts, (unsigned long long)f.crashed);
	ok(f.rejected > 0 && f.late > 0 && f.restarts > 0 && f.crashed > 0,
	   "stale writes rejected, late ones accepted, restarts, crashes");
	is(f.failed, 0, "no run violates exclusive, tokens, fencing, granted");
	if (f.failed)
		diag("first failing seed %llu: %s (replay: "
		     "lease_fuzz_opts(seed))",
		     (unsigned long long)f.first_seed, f.first_why);
}

int main(void)
{
#ifdef LEASE_FUZZ_ONLY
	const bool fuzz_only = true;
#else
	const bool fuzz_only = false;
#endif

	if (fuzz_only && !tap_regtest()) {
		skip_all("the regression tier runs under make regtest");
		return 0;
	}
	if (!fuzz_only) {
		test_objects();
		test_clean();
		test_pause();
		test_restart();
	}
	test_fuzz();
	done_testing();
	return exit_status();
}
