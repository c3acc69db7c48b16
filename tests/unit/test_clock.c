/* SPDX-License-Identifier: MIT */
/* test_clock.c: Lamport and vector clocks on a scripted exchange. */
#include <replicore/clock.h>

#include "tests/tap.h"

int main(void)
{
	rc_lamport_t a = RC_LAMPORT_INITIALIZER, b = RC_LAMPORT_INITIALIZER;
	rc_vclock_t *va = rc_vclock_create(3), *vb = rc_vclock_create(3);
	rc_vclock_t *vc = rc_vclock_create(3), *m, *e1, *e2;
	char buf[64];
	uint64_t t0, t1;

	/* Lamport: a sends at 1, b receives it after two local events. */
	is(rc_lamport_tick(&a), 1, "a's first event is at 1");
	is(rc_lamport_tick(&b), 1, "b's first event is at 1");
	is(rc_lamport_tick(&b), 2, "b's second event is at 2");
	is(rc_lamport_recv(&b, 1), 3,
	   "receiving an older stamp ticks past own");
	is(rc_lamport_recv(&a, 9), 10, "receiving a newer stamp jumps past it");
	ok(rc_lamport_order(3, 1, 3, 0) > 0, "ties are broken by replica id");
	ok(rc_lamport_order(2, 9, 3, 0) < 0, "time comes before id");
	is(rc_lamport_order(4, 2, 4, 2), 0, "the same event is equal");

	/* Vector clocks: a -> b message; c independent. */
	is(rc_vclock_compare(va, vb), RC_VC_EQUAL, "fresh clocks are equal");
	rc_vclock_tick(va, 0); /* a: send */
	m = rc_vclock_dup(va);
	rc_vclock_tick(vc, 2); /* c: local */
	rc_vclock_recv(vb, 1, m);
	rc_vclock_format(vb, buf, sizeof(buf));
	is_str(buf, "[1,1,0]", "receive merges then ticks");
	is(rc_vclock_compare(m, vb), RC_VC_BEFORE,
	   "the send happens before "
	   "the receive");
	is(rc_vclock_compare(vb, m), RC_VC_AFTER, "and the receive after it");
	is(rc_vclock_compare(vb, vc), RC_VC_CONCURRENT,
	   "b's receive and c's local event are concurrent");
	ok(rc_vclock_before(m, vb) && !rc_vclock_before(vb, m) &&
		   !rc_vclock_before(vb, vc),
	   "before agrees with compare");
	e1 = rc_vclock_dup(vb);
	rc_vclock_tick(vb, 1);
	e2 = rc_vclock_dup(vb);
	ok(rc_vclock_before(e1, e2), "program order is happened-before");
	rc_vclock_merge(vc, e2);
	rc_vclock_format(vc, buf, sizeof(buf));
	is_str(buf, "[1,2,1]", "merge is a pointwise maximum");
	is(rc_vclock_format(vc, buf, 4), 7, "format reports the length needed");
	is_str(buf, "[1,", "and truncates safely");
	rc_vclock_copy(va, vc);
	is(rc_vclock_compare(va, vc), RC_VC_EQUAL, "copy makes equal clocks");

	t0 = rc_clock_now_ns();
	t1 = rc_clock_now_ns();
	ok(t1 >= t0 && t0 > 0, "monotonic time does not go back");

	rc_vclock_destroy(va);
	rc_vclock_destroy(vb);
	rc_vclock_destroy(vc);
	rc_vclock_destroy(m);
	rc_vclock_destroy(e1);
	rc_vclock_destroy(e2);
	done_testing();
	return exit_status();
}
