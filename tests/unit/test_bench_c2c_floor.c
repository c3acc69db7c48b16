/* SPDX-License-Identifier: MIT */
/* test_bench_c2c_floor.c: _rc_bench_c2c_floor(), bench c2c's store/load floor for other benchmarks: what it returns and refuses; its figures are reported, not asserted. */
#include <stdio.h>
#include <stdlib.h>

#include <replicore/topo.h>

#include "bench/bench.h"
#include "tests/tap.h"

/*
 * The helper runs the plain store/load ping-pong between two PUs for about
 * a given time and returns the minimum and the median one-way latency over
 * chunks of 1024 round trips. Timings depend on the machine and its load,
 * so this test asserts only what does not: that a run on two PUs of the
 * machine succeeds with 0 < minimum <= median, that bad arguments and two
 * PUs on one real CPU are refused with the documented errors, and that a
 * refused call leaves the outputs alone. RC_BENCH_FLOOR_MS sets the run's
 * length (default 20 ms).
 */

int main(void)
{
	double seconds = (double)tap_env_u64("RC_BENCH_FLOOR_MS", 20) / 1e3;
	double lo = -1, mid = -1;
	double loads[3] = { -1, -1, -1 };
	rc_topo_t *topo, *wrap;
	char spec[64];
	unsigned n;
	int rc;

	if (seconds <= 0)
		seconds = 0.001;
	if (rc_topo_open(&topo, NULL, NULL, NULL) < 0)
		skip_all("cannot read the machine's topology");
	n = rc_topo_npus(topo);
	if (n < 2) {
		rc_topo_close(topo);
		skip_all("the machine has one PU: no pair to measure");
	}
	plan(7);
	getloadavg(loads, 3);
	diag("load average %.2f %.2f %.2f: other work on this machine "
	     "disturbs the numbers below",
	     loads[0], loads[1], loads[2]);

	rc = _rc_bench_c2c_floor(topo, 0, 1, seconds, &lo, &mid);
	is(rc, 0, "PUs 0 and 1 for %g s: returns 0", seconds);
	if (rc == 0) {
		ok(lo > 0 && lo <= mid, "0 < chunk minimum <= chunk median");
		diag("store/load floor between PUs 0 and 1, one way: chunk "
		     "minimum %.1f ns, median %.1f ns",
		     lo, mid);
	} else {
		skip(1, "no figures");
	}

	lo = mid = -1;
	is(_rc_bench_c2c_floor(topo, 1, 1, seconds, &lo, &mid), -RC_EINVAL,
	   "one PU twice: -RC_EINVAL");
	is(_rc_bench_c2c_floor(topo, 0, n, seconds, &lo, &mid), -RC_EINVAL,
	   "a PU outside the layout: -RC_EINVAL");
	ok(_rc_bench_c2c_floor(topo, 0, 1, 0, &lo, &mid) == -RC_EINVAL &&
		   _rc_bench_c2c_floor(topo, 0, 1, seconds, NULL, &mid) ==
			   -RC_EINVAL,
	   "no duration, or no place for the minimum: -RC_EINVAL");

	/* layout PU i runs on real CPU (i mod real CPUs) */
	snprintf(spec, sizeof spec, "core:%u pu:1",
		 rc_topo_real_npus(topo) + 1);
	if (rc_topo_open(&wrap, spec, NULL, NULL) == 0) {
		is(_rc_bench_c2c_floor(wrap, 0, rc_topo_real_npus(topo),
				       seconds, &lo, &mid),
		   -RC_ENOTSUP,
		   "\"%s\": PU 0 and PU %u on one real CPU: "
		   "-RC_ENOTSUP",
		   spec, rc_topo_real_npus(topo));
		rc_topo_close(wrap);
	} else {
		skip(1, "cannot open a synthetic layout");
	}
	ok(lo == -1 && mid == -1, "a refused call leaves the outputs alone");

	rc_topo_close(topo);
	return exit_status();
}
