/* SPDX-License-Identifier: MIT */
/* test_fd.c: the failure detectors of replicore/fd.h on hand-made arrival times: timeouts, backoff after a false suspicion, phi rising with silence, deadlines that agree with suspicion, the sticky variant, bad options. */
#include <math.h>
#include <string.h>

#include <replicore/fd.h>

#include "protocols/fd/fd.h"
#include "tests/tap.h"

static const struct rc_fd_opts hb_opts = {
	.kind = RC_FD_HEARTBEAT,
	.interval_ns = 1000,
	.timeout_ns = 2000,
	.backoff = 1.5,
};

static const struct rc_fd_opts phi_opts = {
	.kind = RC_FD_ACCRUAL,
	.interval_ns = 1000,
	.window = 10,
	.min_std_ns = 100,
	.threshold = 8,
};

/* deadline(p) is the least t at which p is suspected, at every step. */
static bool deadline_agrees(const rc_fd_t *fd, unsigned p)
{
	uint64_t d = rc_fd_deadline(fd, p);

	return d > 0 && d != UINT64_MAX && rc_fd_suspects(fd, p, d) &&
	       !rc_fd_suspects(fd, p, d - 1);
}

static void test_heartbeat(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_fd_stats st;
	rc_fd_t *fd;

	ok(rc_fd_create(&fd, 3, 0, &hb_opts, &err) == 0, "created");
	ok(!rc_fd_suspects(fd, 0, 1999) && rc_fd_suspects(fd, 0, 2000),
	   "a peer never heard from is suspected at the first timeout");
	is(rc_fd_deadline(fd, 0), 2000, "its deadline is the timeout");
	ok(!rc_fd_heard(fd, 0, 1500), "an arrival in time retracts nothing");
	is(rc_fd_deadline(fd, 0), 3500, "the deadline moves with it");
	ok(!rc_fd_suspects(fd, 0, 3499) && rc_fd_suspects(fd, 0, 3500),
	   "suspected at the last arrival plus the timeout");
	ok(fabs(rc_fd_phi(fd, 0, 2500) - 0.5) < 1e-12,
	   "its level is the silence over the timeout (%g)",
	   rc_fd_phi(fd, 0, 2500));
	ok(rc_fd_heard(fd, 0, 4000), "an arrival past the deadline retracts");
	is(rc_fd_timeout(fd, 0), 3000, "and the timeout backs off by 1.5");
	is(rc_fd_deadline(fd, 0), 7000, "the new deadline uses it");
	ok(rc_fd_heard(fd, 0, 7000), "an arrival at the deadline retracts");
	is(rc_fd_timeout(fd, 0), 4500, "backed off again");
	is(rc_fd_timeout(fd, 1), 2000, "other peers keep their timeout");
	rc_fd_stats(fd, 7000, &st);
	ok(st.heard == 3 && st.retractions == 2 && st.suspicions == 4,
	   "3 heard, 2 retractions, 4 suspicions with the 2 in force "
	   "(%llu, %llu, %llu)",
	   (unsigned long long)st.heard, (unsigned long long)st.retractions,
	   (unsigned long long)st.suspicions);
	ok(deadline_agrees(fd, 0) && deadline_agrees(fd, 1),
	   "deadlines agree with suspicion");
	rc_fd_destroy(fd);
}

/* Arrivals from peer 0 every gap[i % n] ns from t; the last arrival. */
static uint64_t feed(rc_fd_t *fd, uint64_t t, const uint64_t *gap, unsigned n,
		     unsigned count, bool *agree)
{
	for (unsigned i = 0; i < count; i++) {
		t += gap[i % n];
		rc_fd_heard(fd, 0, t);
		*agree = *agree && deadline_agrees(fd, 0);
	}
	return t;
}

static void test_accrual(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	const uint64_t steady[] = { 1000 }, jitter[] = { 500, 1500 };
	struct rc_fd_stats st;
	bool agree = true, rising = true;
	rc_fd_t *fd, *fd2;
	uint64_t last, d, d2;
	double prev = -1;

	ok(rc_fd_create(&fd, 2, 0, &phi_opts, &err) == 0 &&
		   rc_fd_create(&fd2, 2, 0, &phi_opts, &err) == 0,
	   "created");
	d = rc_fd_deadline(fd, 1);
	ok(d > 1000 && deadline_agrees(fd, 1),
	   "before any arrival, one expected gap: deadline %llu",
	   (unsigned long long)d);
	last = feed(fd, 0, steady, 1, 20, &agree);
	ok(fabs(rc_fd_phi(fd, 0, last + 1000) - log10(2.0)) < 1e-9,
	   "phi at the mean gap is log10 2 (%g)",
	   rc_fd_phi(fd, 0, last + 1000));
	for (uint64_t t = last; t < last + 100000; t += 37) {
		double p = rc_fd_phi(fd, 0, t);

		rising = rising && p >= prev && isfinite(p);
		prev = p;
	}
	ok(rising, "phi rises with silence, finite (%g at 100 us)", prev);
	/* x = (t - mu) / (sigma sqrt 2) = 25 is where the series takes
	 * over: phi goes on rising through it */
	d = last + 1000 + (uint64_t)(25 * 100 * 1.4142135623730951);
	{
		double p0 = rc_fd_phi(fd, 0, d - 1), p1 = rc_fd_phi(fd, 0, d);
		double p2 = rc_fd_phi(fd, 0, d + 1),
		       p3 = rc_fd_phi(fd, 0, d + 2);

		/* a step of 1 ns across the switch (between d and d + 1)
		 * rises as much as its neighbours do, to 1% */
		ok(p0 < p1 && p1 < p2 && p2 < p3 &&
			   fabs((p2 - p1) / (p1 - p0) - 1) < 0.01 &&
			   fabs((p2 - p1) / (p3 - p2) - 1) < 0.01,
		   "and continuously where erfc gives way to its series "
		   "(%.6f, %.6f, %.6f, %.6f)",
		   p0, p1, p2, p3);
	}
	d = rc_fd_deadline(fd, 0);
	/* phi = 8: erfc(x) = 2e-8, x = 3.97, t - mu = 562 ns */
	ok(d >= last + 1560 && d <= last + 1564,
	   "steady gaps of 1000 ns (sigma at its floor, 100): suspected "
	   "%llu ns after the last",
	   (unsigned long long)(d - last));
	ok(agree && deadline_agrees(fd, 0),
	   "the deadline agrees with suspicion after every arrival");
	last = feed(fd2, 0, jitter, 2, 20, &agree);
	d2 = rc_fd_deadline(fd2, 0);
	ok(d2 - last > 3800 && d2 - last < 3900,
	   "gaps of 500 and 1500 ns (sigma 500): %llu ns, later",
	   (unsigned long long)(d2 - last));
	ok(!rc_fd_heard(fd2, 0, d2 - 1),
	   "an arrival before it retracts nothing");
	d2 = rc_fd_deadline(fd2, 0);
	ok(rc_fd_heard(fd2, 0, d2), "an arrival at it retracts");
	rc_fd_stats(fd2, d2, &st);
	ok(st.retractions == 1 && st.heard == 22,
	   "1 retraction of 22 arrivals");
	is(rc_fd_timeout(fd2, 0), 0, "no timeout of its own");
	ok(agree, "deadlines agree with suspicion");
	rc_fd_destroy(fd);
	rc_fd_destroy(fd2);
}

static void test_sticky(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_fd_t *hb, *phi;

	ok(rc_fd_create(&hb, 1, 0, &hb_opts, &err) == 0 &&
		   rc_fd_create(&phi, 1, 0, &phi_opts, &err) == 0,
	   "created");
	_rc_fd_make_sticky(hb);
	_rc_fd_make_sticky(phi);
	ok(!rc_fd_heard(hb, 0, 1000) && !rc_fd_suspects(hb, 0, 2999),
	   "sticky: in time, as before");
	ok(!rc_fd_heard(hb, 0, 3000) && rc_fd_suspects(hb, 0, 3001) &&
		   rc_fd_suspects(hb, 0, 1000000),
	   "late: never retracted (heartbeat)");
	ok(!rc_fd_heard(phi, 0, 100000) && rc_fd_suspects(phi, 0, 100001),
	   "late: never retracted (phi)");
	rc_fd_destroy(hb);
	rc_fd_destroy(phi);
}

/* rc_fd_reset: a new process behind a peer, a timeout of the owner's. */
static void test_reset(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_fd_stats st;
	rc_fd_t *hb, *phi;
	bool agree = true;
	const uint64_t gap[] = { 5000 };
	uint64_t d;

	ok(rc_fd_create(&hb, 1, 0, &hb_opts, &err) == 0 &&
		   rc_fd_create(&phi, 1, 0, &phi_opts, &err) == 0,
	   "created");
	ok(rc_fd_heard(hb, 0, 5000), "a retraction first");
	rc_fd_reset(hb, 0, 6000, 700);
	ok(rc_fd_last(hb, 0) == 6000 && rc_fd_timeout(hb, 0) == 700 &&
		   rc_fd_deadline(hb, 0) == 6700,
	   "reset: heard at 6000 with a timeout of 700, deadline 6700");
	rc_fd_reset(hb, 0, 7000, 0);
	ok(rc_fd_suspects(hb, 0, 7000) && !rc_fd_heard(hb, 0, 7100) &&
		   rc_fd_suspects(hb, 0, 7100),
	   "a timeout of 0: suspected at once, arrivals retract nothing");
	rc_fd_stats(hb, 7100, &st);
	ok(st.retractions == 1 && st.heard == 2, "the counts are kept");
	d = rc_fd_deadline(phi, 0);
	feed(phi, 0, gap, 1, 20, &agree);
	rc_fd_reset(phi, 0, 200000, 0);
	ok(rc_fd_deadline(phi, 0) == 200000 + d,
	   "phi: the window starts over from one interval (deadline %llu)",
	   (unsigned long long)(rc_fd_deadline(phi, 0) - 200000));
	rc_fd_destroy(hb);
	rc_fd_destroy(phi);
}

static void test_errors(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_fd_opts o = hb_opts;
	rc_fd_t *fd = (rc_fd_t *)&o;

	ok(rc_fd_create(&fd, 0, 0, &o, &err) == -RC_EINVAL && fd == NULL,
	   "no peers: %s", err.msg);
	o.kind = 0;
	ok(rc_fd_create(&fd, 1, 0, &o, &err) == -RC_EINVAL, "no kind: %s",
	   err.msg);
	o = hb_opts;
	o.backoff = 0.5;
	ok(rc_fd_create(&fd, 1, 0, &o, &err) == -RC_EINVAL,
	   "a backoff below 1: %s", err.msg);
	o = hb_opts;
	o.timeout_ns = 0;
	ok(rc_fd_create(&fd, 1, 0, &o, &err) == -RC_EINVAL, "no timeout: %s",
	   err.msg);
	o = phi_opts;
	o.window = 0;
	ok(rc_fd_create(&fd, 1, 0, &o, &err) == -RC_EINVAL, "no window: %s",
	   err.msg);
	o = phi_opts;
	o.min_std_ns = 0;
	ok(rc_fd_create(&fd, 1, 0, &o, &err) == -RC_EINVAL,
	   "no floor on sigma: %s", err.msg);
	rc_fd_destroy(NULL);
}

int main(void)
{
	test_heartbeat();
	test_accrual();
	test_sticky();
	test_reset();
	test_errors();
	done_testing();
	return exit_status();
}
