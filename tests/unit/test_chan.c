/* SPDX-License-Identifier: MIT */
/* test_chan.c: channels of every kind, deterministically from one thread. */
#include <replicore/chan.h>
#include <replicore/clock.h>

#include "tests/tap.h"

static const char *kind_name[] = { "spsc", "mpsc", "spmc", "mpmc" };

static void test_kind(enum rc_chan_kind kind)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	const char *k = kind_name[kind];
	rc_chan_t *c;
	void *m = NULL;
	unsigned cap, i;
	bool all = true;
	uint64_t t0;

	ok(rc_chan_create(&c, kind, 5, &err) == 0, "%s: created", k);
	cap = rc_chan_capacity(c);
	ok(cap >= 5, "%s: capacity %u holds at least the 5 asked for", k, cap);
	is(rc_chan_kind(c), kind, "%s: kind is kept", k);
	ok(!rc_chan_tryrecv(c, &m), "%s: a new channel is empty", k);
	for (i = 0; i < cap; i++)
		all &= rc_chan_trysend(c, (void *)(uintptr_t)(i + 100));
	ok(all, "%s: %u sends fit", k, cap);
	is(rc_chan_size(c), cap, "%s: size counts them", k);
	ok(!rc_chan_trysend(c, (void *)1), "%s: a send to a full channel fails",
	   k);
	for (i = 0, all = true; i < cap; i++)
		all &= rc_chan_tryrecv(c, &m) && (uintptr_t)m == i + 100;
	ok(all, "%s: messages come out in FIFO order", k);
	ok(!rc_chan_tryrecv(c, &m), "%s: empty again", k);
	/* Wrap around the ring several times. */
	for (i = 0, all = true; i < 10 * cap; i++) {
		all &= rc_chan_trysend(c, (void *)(uintptr_t)i);
		all &= rc_chan_tryrecv(c, &m) && (uintptr_t)m == i;
	}
	ok(all, "%s: FIFO holds across wrap-around", k);
	t0 = rc_clock_now_ns();
	is(rc_chan_recv_timed(c, &m, 2000000), -RC_ETIMEDOUT,
	   "%s: a timed receive on an empty channel times out", k);
	ok(rc_clock_now_ns() - t0 >= 2000000, "%s: after the timeout", k);
	for (i = 0; i < cap; i++)
		rc_chan_send(c, (void *)(uintptr_t)i);
	is(rc_chan_send_timed(c, (void *)1, 1000000), -RC_ETIMEDOUT,
	   "%s: a timed send on a full channel times out", k);
	is((uintptr_t)rc_chan_recv(c), 0, "%s: blocking receive gets the head",
	   k);
	rc_chan_destroy(c);
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_chan_t *c;

	for (int k = RC_CHAN_SPSC; k <= RC_CHAN_MPMC; k++)
		test_kind((enum rc_chan_kind)k);
	is(rc_chan_create(&c, RC_CHAN_SPSC, 0, &err), -RC_EINVAL,
	   "capacity 0 is refused");
	ok(c == NULL && err.msg[0] != '\0', "with a message: %s", err.msg);
	is(rc_chan_create(&c, (enum rc_chan_kind)9, 4, &err), -RC_EINVAL,
	   "an unknown kind is refused");
	ok(rc_chan_create(&c, RC_CHAN_SPSC, 1, &err) == 0 &&
		   rc_chan_capacity(c) == 1,
	   "capacity 1 gives a one-slot channel");
	rc_chan_destroy(c);
	rc_chan_destroy(NULL);
	done_testing();
	return exit_status();
}
