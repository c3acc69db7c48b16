/* SPDX-License-Identifier: MIT */
/* test_fd_sim.c: the failure detectors in the seeded simulator: a run without faults, determinism, a crash detected within a timeout, options refused, and seeded runs with random faults, completeness and eventual accuracy checked. */
#include <stdlib.h>
#include <string.h>

#include "protocols/fd/fd.h"
#include "tests/tap.h"
#include "tests/unit/fd_fuzz.h"

#ifndef FD_DEFAULT_SIMS
#define FD_DEFAULT_SIMS 1000
#endif
/* The regression build runs other seeds than the unit tier's. */
#ifndef FD_FIRST_SEED
#define FD_FIRST_SEED 1
#endif

static void opts(struct _rc_fd_sim_opts *o, unsigned nodes, uint64_t seed,
		 const char *faults)
{
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(o, 0, sizeof *o);
	o->nodes = nodes;
	o->seed = seed;
	o->commands = 100;
	o->interval = 100;
	o->timeout = 200;
	o->backoff = 1.5;
	o->threshold = 8;
	o->window = 100;
	if (_rc_sim_faults_parse(faults, &o->faults, &err) < 0)
		diag("bad faults %s: %s", faults, err.msg);
}

static void test_clean(void)
{
	struct _rc_fd_sim_opts o;
	struct _rc_fd_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;

	opts(&o, 5, 3, "none");
	ok(_rc_fd_sim_run(&o, &r, &err) == 0 && r.violations == 0,
	   "5 nodes without faults (%s)", r.why);
	ok(r.false_hb == 0 && r.false_phi == 0 && r.crashes == 0,
	   "no false suspicion, no crash");
	ok(r.check_from == r.settle + 3100 + 102 * 110,
	   "accuracy checked from the settle time %llu plus 3100 + 102 "
	   "intervals of 110 us",
	   (unsigned long long)r.settle);
	ok(r.st.time >= r.check_from + 1000,
	   "and for 10 intervals at least (to %llu us)",
	   (unsigned long long)r.st.time);
	/* every node sends to 4 others every 100 us from time 0 */
	is(r.st.messages, 20 * (r.st.time / 100 + 1),
	   "20 heartbeats every interval");
}

static void test_determinism(void)
{
	struct _rc_fd_sim_opts o;
	struct _rc_fd_sim_result r1, r2;
	rc_err_t err = RC_ERR_INITIALIZER;
	char *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *t1 = open_memstream(&b1, &l1);
	FILE *t2 = open_memstream(&b2, &l2);

	opts(&o, 4, 77, "drop=0.1,dup=0.1,delay=0.3,stall=2,crash=1,restart=1");
	o.commands = 30;
	o.trace = t1;
	_rc_fd_sim_run(&o, &r1, &err);
	o.trace = t2;
	_rc_fd_sim_run(&o, &r2, &err);
	fclose(t1);
	fclose(t2);
	ok(l1 > 1000 && l1 == l2 && memcmp(b1, b2, l1) == 0,
	   "one seed, one trace (%zu bytes)", l1);
	ok(strstr(b1, " retracts ") && strstr(b1, "settle;") &&
		   strstr(b1, "heartbeat 1->"),
	   "the trace shows heartbeats, retractions and the settle time");
	ok(r1.violations == 0 && r1.false_hb > 0 && r1.crashes == 1,
	   "faults make %llu false suspicions (heartbeat), %llu (phi); "
	   "properties hold (%s)",
	   (unsigned long long)r1.false_hb, (unsigned long long)r1.false_phi,
	   r1.why);
	free(b1);
	free(b2);
}

static void test_crash(void)
{
	struct _rc_fd_sim_opts o;
	struct _rc_fd_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;

	opts(&o, 3, 5, "crash=1");
	ok(_rc_fd_sim_run(&o, &r, &err) == 0 && r.violations == 0 &&
		   r.crashes == 1,
	   "a crash, no other fault: detected (%s)", r.why);
	/* the last heartbeat arrives 1..10 us after it is sent, and the
	 * timeout (200 us) never backed off: no false suspicion */
	ok(r.false_hb == 0 && r.det_hb_max >= 201000 && r.det_hb_max <= 210000,
	   "heartbeat: within the timeout plus the latency (%llu ns)",
	   (unsigned long long)r.det_hb_max);
	ok(r.false_phi == 0 && r.det_phi_max > 201000 && r.det_phi_max < 400000,
	   "phi >= 8 with sigma at 25 us: %llu ns",
	   (unsigned long long)r.det_phi_max);
}

static void test_refused(void)
{
	struct _rc_fd_sim_opts o;
	struct _rc_fd_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;

	opts(&o, 3, 1, "none");
	o.interval = 50;
	ok(_rc_fd_sim_run(&o, &r, &err) == -RC_EINVAL &&
		   !strcmp(err.where, "interval"),
	   "an interval below 100 us: %s", err.msg);
	opts(&o, 3, 1, "none");
	o.timeout = 109;
	ok(_rc_fd_sim_run(&o, &r, &err) == -RC_EINVAL &&
		   !strcmp(err.where, "timeout"),
	   "a timeout below the interval + 10: %s", err.msg);
	opts(&o, 3, 1, "crash=3");
	ok(_rc_fd_sim_run(&o, &r, &err) == -RC_EINVAL, "no node left up: %s",
	   err.msg);
}

static void test_fuzz(void)
{
	uint64_t n = tap_env_u64("RC_FD_SIMS", FD_DEFAULT_SIMS);
	struct fd_fuzz f;

	ok(fd_fuzz_run(FD_FIRST_SEED, n, UINT64_MAX, &f) == 0,
	   "%llu seeded simulations ran from seed %llu", (unsigned long long)n,
	   (unsigned long long)FD_FIRST_SEED);
	diag("%llu crashes detected in %.2f intervals on average by the "
	     "heartbeat detector (%.2f at most), %.2f by phi (%.2f); "
	     "%llu and %llu false suspicions; %llu stalls, %llu restarts, "
	     "%llu comebacks",
	     (unsigned long long)f.crashes,
	     f.crashes ? f.det_hb / (double)f.crashes : 0, f.det_hb_max,
	     f.crashes ? f.det_phi / (double)f.crashes : 0, f.det_phi_max,
	     (unsigned long long)f.false_hb, (unsigned long long)f.false_phi,
	     (unsigned long long)f.stalls, (unsigned long long)f.restarts,
	     (unsigned long long)f.comebacks);
	ok(f.crashes > n / 4 && f.false_hb > n && f.false_phi > n / 10 &&
		   f.comebacks > 0,
	   "crashes, false suspicions of both detectors, comebacks");
	is(f.failed, 0, "no run violates completeness or eventual accuracy");
	if (f.failed)
		diag("first failing seed %llu: %s (replay: fd_fuzz_opts(seed))",
		     (unsigned long long)f.first_seed, f.first_why);
}

int main(void)
{
#ifdef FD_FUZZ_ONLY
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
		test_refused();
	}
	test_fuzz();
	done_testing();
	return exit_status();
}
