/* SPDX-License-Identifier: MIT */
/* test_clocks_threads.c: physical clocks kept by Lamport's rules between threads: the clocks never go back, the skew is measured, and the broken rule is caught. */
#include <math.h>
#include <stdlib.h>

#include <replicore/topo.h>

#include "protocols/clocks/clocks.h"
#include "tests/tap.h"

/*
 * Environment: RC_CLK_THREADS threads (default 2, capped at the PUs
 * hwloc reports; skipped below 2), or RC_CLK_LAYOUT, a synthetic layout
 * mapped onto the machine's PUs, one thread per layout PU; RC_CLK_MS the
 * run in ms (default 50, times RC_SCALE). No assertion on time: the
 * skew's bound is the command's to report (replicore clocks), not a
 * test's to assert on a shared machine.
 */

static void run(const rc_topo_t *topo, unsigned n, uint64_t ms)
{
	struct _rc_clk_thr_opts o = { 0 };
	struct _rc_clk_thr_result res;
	rc_err_t err = RC_ERR_INITIALIZER;
	int rc;

	o.topo = topo;
	o.nodes = n;
	o.seed = 1;
	o.kappa = 1e-3;
	o.period_ns = 1000000;
	o.duration_ns = ms * 1000000;
	o.variant = RC_CLK_LAMPORT;
	rc = _rc_clk_thr_run(&o, &res, &err);
	is(rc, 0, "%u threads, %llu ms, kappa 1000 ppm, tau 1 ms", n,
	   (unsigned long long)ms);
	diag("mu %llu ns, delays %llu..%llu ns, xi %.0f ns, bound %.0f ns, "
	     "skew %.0f ns at most, %.0f mean, %llu samples, %llu given up, "
	     "%llu messages, %llu dropped",
	     (unsigned long long)res.mu_ns, (unsigned long long)res.dmin_ns,
	     (unsigned long long)res.dmax_ns, res.xi_ns, res.bound_ns,
	     res.max_skew_ns, res.mean_skew_ns, (unsigned long long)res.samples,
	     (unsigned long long)res.retried, (unsigned long long)res.messages,
	     (unsigned long long)res.dropped);
	ok(res.samples > 0 && isfinite(res.max_skew_ns) &&
		   res.max_skew_ns >= 0 && isfinite(res.bound_ns),
	   "the skew is measured: %llu samples",
	   (unsigned long long)res.samples);
	ok(res.messages > 0 && res.dmax_ns >= res.dmin_ns && res.xi_ns >= 0,
	   "the delays are measured: %llu messages",
	   (unsigned long long)res.messages);
	ok(!res.went_back, "no clock went back (IR1', IR2')");
	o.variant = RC_CLK_NO_MAX;
	rc = _rc_clk_thr_run(&o, &res, &err);
	ok(rc == 0 && res.went_back,
	   "without the max of IR2' a clock goes back");
	o.nodes = 1;
	is(_rc_clk_thr_run(&o, &res, &err), -RC_EINVAL,
	   "one thread: -RC_EINVAL (%s)", err.msg);
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	const char *layout = getenv("RC_CLK_LAYOUT");
	bool synthetic = layout != NULL && *layout != '\0';
	rc_topo_t *topo;
	unsigned n;

	if (rc_topo_open(&topo, synthetic ? layout : NULL, NULL, &err) < 0) {
		diag("no topology: %s", err.msg);
		skip(6, "no topology");
		done_testing();
		return exit_status();
	}
	n = synthetic ? rc_topo_npus(topo)
		      : (unsigned)tap_env_fixed("RC_CLK_THREADS", 2);
	if (!synthetic && n > rc_topo_npus(topo))
		n = rc_topo_npus(topo);
	if (n > RC_CLK_THR_MAX)
		n = RC_CLK_THR_MAX;
	if (n < 2) {
		diag("%u PUs", rc_topo_npus(topo));
		skip(6, "needs 2 threads on 2 PUs");
	} else {
		diag("layout %s", synthetic ? layout : "machine");
		run(topo, n, tap_env_u64("RC_CLK_MS", 50));
	}
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
