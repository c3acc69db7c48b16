/* SPDX-License-Identifier: MIT */
/* test_wait.c: the wait policies and the event that wakes a parked waiter: no wake-up is lost, timeouts hold. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <replicore/clock.h>
#include <replicore/wait.h>

#include "runtime/wait.h"
#include "tests/tap.h"
#include "tests/unit/parked.h"

/*
 * A lost wake-up leaves a waiter parked for ever. Every wait here that
 * has no deadline of its own is covered by this watchdog: the test fails
 * with a bail-out instead of hanging. It bounds a hang, it measures
 * nothing.
 */
static void watchdog(int sig)
{
	static const char msg[] = "Bail out! a wait hung: a wake-up was lost\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

/* A park's bound long enough that only a lost wake-up reaches it. */
#define LONG_PARK_NS 10000000000ull

static void test_names(void)
{
	enum rc_wait_policy p;
	bool all = true;

	for (int i = RC_WAIT_SPIN_PARK; i <= RC_WAIT_PARK; i++) {
		const char *name = rc_wait_policy_name((enum rc_wait_policy)i);

		p = (enum rc_wait_policy)99;
		all &= name != NULL && rc_wait_policy_parse(name, &p) == 0 &&
		       p == (enum rc_wait_policy)i;
	}
	ok(all, "each policy's name parses back to it");
	is_str(rc_wait_policy_name(RC_WAIT_SPIN_PARK), "spin-park",
	       "the default, 0, is spin-park");
	is_str(rc_wait_policy_name(RC_WAIT_SPIN), "spin", "spin");
	is_str(rc_wait_policy_name(RC_WAIT_PARK), "park", "park");
	ok(rc_wait_policy_name((enum rc_wait_policy)3) == NULL,
	   "a value out of range has no name");
	p = RC_WAIT_PARK;
	is(rc_wait_policy_parse("sleep", &p), -1, "an unknown name is refused");
	is(p, RC_WAIT_PARK, "and leaves the policy as it was");
	is(rc_wait_policy_parse("", &p), -1, "the empty name is refused");
	is(rc_wait_policy_parse("Spin", &p), -1, "names are case-sensitive");
	is(rc_wait_policy_parse("spin-park ", &p), -1,
	   "a trailing space is refused");
}

static void test_spin_pauses(void)
{
	uint64_t n = _rc_wait_spin_pauses();

	ok(n > 0, "the spin phase lasts %llu pauses", (unsigned long long)n);
	is(_rc_wait_spin_pauses(), n, "calibrated once: the same again");
}

/* One waiter on one condition. */
struct one {
	struct _rc_event ev;
	_Atomic bool cond;
	enum rc_wait_policy policy;
	/* the window test's handshake (see test_window) */
	_Atomic int step;
	_Atomic long tid; /* the waiter's thread id, once it runs */
	/* the waiter's results */
	uint64_t parks, ns;
	bool saw_false;
};

/* acquire: pairs with the release store that made the condition true */
static bool one_cond(struct one *o)
{
	return atomic_load_explicit(&o->cond, memory_order_acquire);
}

static void *one_waiter(void *arg)
{
	struct one *o = arg;
	struct _rc_wait w;
	uint64_t t0 = rc_clock_now_ns();

	/* relaxed: a number the main thread polls, no data with it */
	atomic_store_explicit(&o->tid, syscall(SYS_gettid),
			      memory_order_relaxed);
	_rc_wait_start(&w, UINT64_MAX, o->policy);
	for (;;) {
		uint32_t key = _rc_event_key(&o->ev);

		if (one_cond(o))
			break;
		_rc_wait_event(&w, &o->ev, key, LONG_PARK_NS);
	}
	o->ns = rc_clock_now_ns() - t0;
	o->parks = w.parks;
	return NULL;
}

/* Makes o's condition true and wakes its waiter. */
static void one_wake(struct one *o)
{
	/* release: publishes what the waiter may read after its acquire
	 * of cond (nothing here); the event's wake orders it first */
	atomic_store_explicit(&o->cond, true, memory_order_release);
	_rc_event_wake(&o->ev);
}

/*
 * A waiter with the park policy parks (it armed the event and sleeps in
 * the kernel), and the thread that makes its condition true wakes it:
 * it returns after one park, not at the park's 10 s bound.
 */
static void test_parked_woken(void)
{
	struct one o = { .policy = RC_WAIT_PARK };
	pthread_t th;
	long tid;

	_rc_event_init(&o.ev);
	atomic_init(&o.cond, false);
	atomic_init(&o.tid, 0);
	is(_rc_event_waiters(&o.ev), 0, "a new event is not armed");
	pthread_create(&th, NULL, one_waiter, &o);
	/* Until it has armed the event and sleeps: the watchdog ends this
	 * if it never does. */
	while (_rc_event_waiters(&o.ev) != 1)
		usleep(100);
	/* relaxed: written before the waiter armed the event */
	tid = atomic_load_explicit(&o.tid, memory_order_relaxed);
	while (!thread_parked(tid))
		usleep(100);
	ok(!one_cond(&o), "a park-policy waiter armed the event and sleeps");
	one_wake(&o);
	pthread_join(th, NULL);
	is(o.parks, 1, "it parked once and the wake ended that park");
	ok(o.ns < LONG_PARK_NS, "it did not sleep out the park's bound");
	is(_rc_event_waiters(&o.ev), 0, "the wake disarmed the event");
}

/* The waiter of test_window: each step waits for the main thread. */
static void await_step(struct one *o, int s)
{
	/* acquire: pairs with the release in set_step */
	while (atomic_load_explicit(&o->step, memory_order_acquire) != s)
		usleep(50);
}

static void set_step(struct one *o, int s)
{
	/* release: the steps before happen before the partner's next */
	atomic_store_explicit(&o->step, s, memory_order_release);
}

static void *window_waiter(void *arg)
{
	struct one *o = arg;
	struct _rc_wait w;
	uint64_t t0 = 0;

	_rc_wait_start(&w, UINT64_MAX, RC_WAIT_PARK);
	for (;;) {
		uint32_t key = _rc_event_key(&o->ev);

		if (one_cond(o))
			break;
		if (t0 == 0) {
			/* The first check found the condition false. The
			 * main thread now makes it true and wakes, before
			 * this thread armed the event or parked. */
			o->saw_false = true;
			set_step(o, 1);
			await_step(o, 2);
			t0 = rc_clock_now_ns();
		}
		_rc_wait_event(&w, &o->ev, key, LONG_PARK_NS);
	}
	o->ns = rc_clock_now_ns() - t0;
	o->parks = w.parks;
	return NULL;
}

/*
 * The race an eventcount exists for, made to happen: the waker makes
 * the condition true and wakes between the waiter's check of the
 * condition and its park. The park with the key taken before the check
 * must return at once, not wait for a wake that has already been.
 */
static void test_window(void)
{
	struct one o = { .policy = RC_WAIT_PARK };
	pthread_t th;

	_rc_event_init(&o.ev);
	atomic_init(&o.cond, false);
	atomic_init(&o.step, 0);
	pthread_create(&th, NULL, window_waiter, &o);
	await_step(&o, 1);
	is(_rc_event_waiters(&o.ev), 0,
	   "the waiter checked its condition and is not counted yet");
	one_wake(&o);
	set_step(&o, 2);
	pthread_join(th, NULL);
	ok(o.saw_false, "it had found the condition false");
	ok(o.ns < LONG_PARK_NS,
	   "a wake between the check and the park is not lost: the wait "
	   "ends before the park's bound");
	is(o.parks, 0, "the waiter armed, saw the condition and never parked");
	is(_rc_event_waiters(&o.ev), 1,
	   "it left the event armed (its last check saw the condition)");
	_rc_event_wake(&o.ev);
	is(_rc_event_waiters(&o.ev), 0, "the next wake disarms it");
}

/*
 * Ping-pong: thread i waits until the counter's parity is i, bumps it
 * and wakes the other. Any lost wake-up stops both (the watchdog).
 */
struct pingpong {
	_Atomic uint64_t n;
	struct _rc_event ev[2]; /* ev[i]: the one thread i parks on */
	uint64_t rounds;
	enum rc_wait_policy policy[2];
	uint64_t parks[2];
};

struct pp_arg {
	struct pingpong *pp;
	unsigned me;
};

static void *pp_main(void *arg)
{
	struct pp_arg *a = arg;
	struct pingpong *pp = a->pp;
	unsigned me = a->me;
	struct _rc_wait w;
	uint64_t parks = 0;

	for (uint64_t r = 0; r < pp->rounds; r++) {
		uint64_t v;

		_rc_wait_start(&w, UINT64_MAX, pp->policy[me]);
		for (;;) {
			uint32_t key = _rc_event_key(&pp->ev[me]);

			/* acquire: pairs with the partner's release bump */
			v = atomic_load_explicit(&pp->n, memory_order_acquire);
			if (v % 2 == me)
				break;
			_rc_wait_event(&w, &pp->ev[me], key, UINT64_MAX);
		}
		parks += w.parks;
		/* release: our turn's writes happen before the partner's */
		atomic_store_explicit(&pp->n, v + 1, memory_order_release);
		_rc_event_wake(&pp->ev[1 - me]);
	}
	pp->parks[me] = parks;
	return NULL;
}

static void test_pingpong(enum rc_wait_policy p0, enum rc_wait_policy p1,
			  uint64_t rounds)
{
	struct pingpong pp = { .rounds = rounds, .policy = { p0, p1 } };
	struct pp_arg a[2] = { { &pp, 0 }, { &pp, 1 } };
	pthread_t th[2];

	atomic_init(&pp.n, 0);
	_rc_event_init(&pp.ev[0]);
	_rc_event_init(&pp.ev[1]);
	for (unsigned i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, pp_main, &a[i]);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	is(atomic_load(&pp.n), 2 * rounds,
	   "ping-pong %s/%s: %llu rounds, no wake-up lost",
	   rc_wait_policy_name(p0), rc_wait_policy_name(p1),
	   (unsigned long long)rounds);
	diag("    parks: %llu and %llu", (unsigned long long)pp.parks[0],
	     (unsigned long long)pp.parks[1]);
}

/*
 * A wait whose condition never comes true gives up at its deadline with
 * each policy: _rc_wait_event returns false, and only once the deadline
 * has passed. A park's own bound ends the park but not the wait.
 */
static void test_timeouts(void)
{
	struct _rc_event ev;
	struct _rc_wait w;

	_rc_event_init(&ev);
	for (int i = RC_WAIT_SPIN_PARK; i <= RC_WAIT_PARK; i++) {
		enum rc_wait_policy p = (enum rc_wait_policy)i;
		uint64_t t0 = rc_clock_now_ns(), steps = 0;

		_rc_wait_start(&w, 2000000, p);
		while (_rc_wait_event(&w, &ev, _rc_event_key(&ev), UINT64_MAX))
			steps++;
		ok(rc_clock_now_ns() - t0 >= 2000000,
		   "%s: a 2 ms wait gives up after its deadline (%llu steps, "
		   "%llu parks)",
		   rc_wait_policy_name(p), (unsigned long long)steps,
		   (unsigned long long)w.parks);
		if (p == RC_WAIT_SPIN)
			is(w.parks, 0, "spin: never parks");
		else if (p == RC_WAIT_PARK)
			is(w.spun, 0, "park: never spins");
		else
			ok(w.spun <= _rc_wait_spin_pauses(),
			   "spin-park: spins no longer than the spin phase");
	}
	_rc_wait_start(&w, UINT64_MAX, RC_WAIT_PARK);
	ok(_rc_wait_event(&w, &ev, _rc_event_key(&ev), 1000000) &&
		   w.parks == 0 && _rc_event_waiters(&ev) == 1,
	   "park: the first step arms the event and returns");
	ok(_rc_wait_event(&w, &ev, _rc_event_key(&ev), 1000000) && w.parks == 1,
	   "park without a deadline: a 1 ms park bound ends the park, not "
	   "the wait");
	_rc_wait_start(&w, 0, RC_WAIT_PARK);
	ok(!_rc_wait_event(&w, &ev, _rc_event_key(&ev), UINT64_MAX) &&
		   w.parks == 0,
	   "park with timeout 0 gives up without parking");
	{
		struct _rc_wait_counts c0, c1;

		_rc_wait_thread_counts(&c0);
		_rc_wait_start(&w, UINT64_MAX, RC_WAIT_PARK);
		_rc_wait_event(&w, &ev, _rc_event_key(&ev), 1000000);
		_rc_wait_event(&w, &ev, _rc_event_key(&ev), 1000000);
		_rc_wait_step(&w);
		_rc_wait_thread_counts(&c1);
		ok(c1.turns - c0.turns == 3 && c1.parks - c0.parks == 1 &&
			   c1.naps - c0.naps == 1,
		   "the thread's counts: 3 turns, of them a park and a nap");
	}
	_rc_wait_start(&w, UINT64_MAX - 1, RC_WAIT_PARK);
	ok(_rc_wait_event(&w, &ev, _rc_event_key(&ev), 1000000) &&
		   _rc_wait_event(&w, &ev, _rc_event_key(&ev), 1000000) &&
		   w.parks == 1,
	   "a timeout past the clock's range does not wrap to a deadline "
	   "already past: the wait parks");
	_rc_wait_init(&w, 2000000);
	{
		uint64_t t0 = rc_clock_now_ns();

		while (_rc_wait_step(&w))
			;
		ok(rc_clock_now_ns() - t0 >= 2000000,
		   "the legacy step gives up after its deadline too");
	}
	_rc_event_wake(&ev);
	is(_rc_event_waiters(&ev), 0,
	   "a wake disarms what the timed-out waits armed");
}

int main(void)
{
	uint64_t rounds = tap_env_u64("RC_WAIT_ROUNDS", 20000);

	signal(SIGALRM, watchdog);
	alarm((unsigned)tap_env_fixed("RC_WAIT_WATCHDOG_S", 300));
	test_names();
	test_spin_pauses();
	test_parked_woken();
	test_window();
	test_pingpong(RC_WAIT_PARK, RC_WAIT_PARK, rounds);
	test_pingpong(RC_WAIT_SPIN_PARK, RC_WAIT_SPIN_PARK, rounds);
	test_pingpong(RC_WAIT_PARK, RC_WAIT_SPIN_PARK, rounds);
	test_pingpong(RC_WAIT_SPIN, RC_WAIT_PARK, rounds);
	test_timeouts();
	done_testing();
	return exit_status();
}
