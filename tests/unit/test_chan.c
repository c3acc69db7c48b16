/* SPDX-License-Identifier: MIT */
/* test_chan.c: channels of every kind, deterministically from one thread; a blocked receiver and sender woken by the other side; timed calls come back whatever the other side does. */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <replicore/chan.h>
#include <replicore/clock.h>
#include <replicore/topo.h>

#include "runtime/chan_int.h"
#include "runtime/wait.h"
#include "tests/tap.h"
#include "tests/unit/parked.h"

static const char *kind_name[] = { "spsc", "mpsc", "spmc", "mpmc" };

/*
 * Whether a timed call that started at t0 came back within ten times its
 * timeout and a second: a guard against a hang, not a measurement (a
 * loaded machine may deschedule the caller for a long while).
 */
static bool came_back(uint64_t t0, uint64_t timeout_ns)
{
	return rc_clock_now_ns() - t0 < 10 * timeout_ns + 1000000000ull;
}

/* A channel's calls: those that dispatch on its kind, or its kind's. */
struct calls {
	const char *via; /* for the test's names */
	bool (*trysend)(rc_chan_t *c, void *msg);
	bool (*tryrecv)(rc_chan_t *c, void **msg);
	void (*send)(rc_chan_t *c, void *msg);
	void *(*recv)(rc_chan_t *c);
	int (*send_timed)(rc_chan_t *c, void *msg, uint64_t timeout_ns);
	int (*recv_timed)(rc_chan_t *c, void **msg, uint64_t timeout_ns);
};

#define CALLS(via_, sfx)                                                    \
	{                                                                   \
		.via = via_, .trysend = rc_chan_trysend##sfx,               \
		.tryrecv = rc_chan_tryrecv##sfx, .send = rc_chan_send##sfx, \
		.recv = rc_chan_recv##sfx,                                  \
		.send_timed = rc_chan_send_timed##sfx,                      \
		.recv_timed = rc_chan_recv_timed##sfx,                      \
	}

static const struct calls dispatched = CALLS("", );

/* Indexed by kind. */
static const struct calls named[] = {
	CALLS(" (spsc calls)", _spsc),
	CALLS(" (mpsc calls)", _mpsc),
	CALLS(" (spmc calls)", _spmc),
	CALLS(" (mpmc calls)", _mpmc),
};

static void test_kind(enum rc_chan_kind kind, const struct calls *o)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	char k[32];
	rc_chan_t *c;
	void *m = NULL;
	unsigned cap, i;
	bool all = true;
	uint64_t t0;

	snprintf(k, sizeof(k), "%s%s", kind_name[kind], o->via);

	ok(rc_chan_create(&c, kind, 5, &err) == 0, "%s: created", k);
	cap = rc_chan_capacity(c);
	ok(cap >= 5, "%s: capacity %u holds at least the 5 asked for", k, cap);
	is(rc_chan_kind(c), kind, "%s: kind is kept", k);
	ok(!o->tryrecv(c, &m), "%s: a new channel is empty", k);
	for (i = 0; i < cap; i++)
		all &= o->trysend(c, (void *)(uintptr_t)(i + 100));
	ok(all, "%s: %u sends fit", k, cap);
	is(rc_chan_size(c), cap, "%s: size counts them", k);
	ok(!o->trysend(c, (void *)1), "%s: a send to a full channel fails", k);
	for (i = 0, all = true; i < cap; i++)
		all &= o->tryrecv(c, &m) && (uintptr_t)m == i + 100;
	ok(all, "%s: messages come out in FIFO order", k);
	ok(!o->tryrecv(c, &m), "%s: empty again", k);
	/* Wrap around the ring several times. */
	for (i = 0, all = true; i < 10 * cap; i++) {
		all &= o->trysend(c, (void *)(uintptr_t)i);
		all &= o->tryrecv(c, &m) && (uintptr_t)m == i;
	}
	ok(all, "%s: FIFO holds across wrap-around", k);
	t0 = rc_clock_now_ns();
	is(o->recv_timed(c, &m, 2000000), -RC_ETIMEDOUT,
	   "%s: a timed receive on an empty channel (no sender sends) times "
	   "out",
	   k);
	ok(rc_clock_now_ns() - t0 >= 2000000, "%s: after the timeout", k);
	ok(came_back(t0, 2000000), "%s: and comes back", k);
	for (i = 0; i < cap; i++)
		o->send(c, (void *)(uintptr_t)i);
	t0 = rc_clock_now_ns();
	is(o->send_timed(c, (void *)1, 1000000), -RC_ETIMEDOUT,
	   "%s: a timed send on a full channel (no receiver receives) times "
	   "out",
	   k);
	ok(came_back(t0, 1000000), "%s: and comes back", k);
	is((uintptr_t)o->recv(c), 0, "%s: blocking receive gets the head", k);
	rc_chan_destroy(c);
}

/*
 * A lost wake-up leaves a blocked call waiting for ever, and so does a
 * timed call that waits for something without its bound: fail instead.
 */
static void watchdog(int sig)
{
	static const char msg[] =
		"Bail out! a blocked call hung: not woken, or a timed call "
		"did not give up\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

struct blocked {
	rc_chan_t *c;
	_Atomic long tid; /* the blocked thread's id, once it runs */
	void *msg;	  /* received, or to send */
};

static void *blocked_recv(void *arg)
{
	struct blocked *b = arg;

	/* relaxed: a number the main thread polls, no data with it */
	atomic_store_explicit(&b->tid, syscall(SYS_gettid),
			      memory_order_relaxed);
	b->msg = rc_chan_recv(b->c);
	return NULL;
}

static void *blocked_send(void *arg)
{
	struct blocked *b = arg;

	/* relaxed: as above */
	atomic_store_explicit(&b->tid, syscall(SYS_gettid),
			      memory_order_relaxed);
	rc_chan_send(b->c, b->msg);
	return NULL;
}

/* Until thread b->tid runs and then parks. */
static void await_asleep(struct blocked *b)
{
	long tid;

	/* relaxed: polled; the thread's state is what is waited for */
	while ((tid = atomic_load_explicit(&b->tid, memory_order_relaxed)) == 0)
		usleep(100);
	while (!thread_parked(tid))
		usleep(100);
}

/*
 * A receiver blocked on an empty channel parks (it sleeps in the kernel
 * once its spin phase is over) and the send that brings a message wakes
 * it; a sender blocked on a full channel parks and the receive that makes
 * room wakes it. The watchdog fails the test if either is never woken.
 */
static void test_wakes(enum rc_chan_kind kind)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	const char *k = kind_name[kind];
	struct blocked b = { .msg = NULL };
	pthread_t th;
	void *m = NULL;
	bool all = true;

	rc_chan_create(&b.c, kind, 1, &err);
	atomic_init(&b.tid, 0);
	pthread_create(&th, NULL, blocked_recv, &b);
	await_asleep(&b);
	ok(rc_chan_trysend(b.c, (void *)42),
	   "%s: a receiver of an empty channel sleeps; a send", k);
	pthread_join(th, NULL);
	is((uintptr_t)b.msg, 42, "%s: wakes it with the message", k);

	for (unsigned i = 0; i < rc_chan_capacity(b.c); i++)
		all &= rc_chan_trysend(b.c, (void *)(uintptr_t)(i + 1));
	b.msg = (void *)43;
	atomic_store_explicit(&b.tid, 0, memory_order_relaxed);
	pthread_create(&th, NULL, blocked_send, &b);
	await_asleep(&b);
	ok(all && rc_chan_tryrecv(b.c, &m) && (uintptr_t)m == 1,
	   "%s: a sender to a full channel sleeps; a receive", k);
	pthread_join(th, NULL);
	for (unsigned i = 1; i < rc_chan_capacity(b.c); i++)
		all &= rc_chan_tryrecv(b.c, &m) && (uintptr_t)m == i + 1;
	ok(all && rc_chan_tryrecv(b.c, &m) && (uintptr_t)m == 43,
	   "%s: wakes it, and its message follows in order", k);
	rc_chan_destroy(b.c);
}

#define STALL_TIMEOUT_NS 20000000ull /* 20 ms */

/*
 * A sender stalled between reserving its slot and publishing it (held
 * there through chan_int.h, as a sender preempted in the middle of a
 * send is) holds back the messages sent after it, but not their senders:
 * a timed send behind it comes back at once with its message in the
 * channel (it handed its publication over to the stalled sender) rather
 * than wait for it; a timed receive finds nothing published and times
 * out; a timed send to the channel it fills times out. When the stalled
 * sender publishes, it publishes what was handed over and wakes a
 * receiver parked meanwhile; everything arrives in the order reserved.
 */
static void test_stalled_sender(enum rc_chan_kind kind)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	const char *k = kind_name[kind];
	struct blocked b = { .msg = NULL };
	unsigned t, t2;
	pthread_t th;
	void *m = NULL;
	uint64_t t0;
	bool all = true;

	rc_chan_create(&b.c, kind, 3, &err);
	atomic_init(&b.tid, 0);
	ok(rc_chan_capacity(b.c) == 3 && _rc_chan_reserve(b.c, (void *)1, &t),
	   "%s: a sender reserves a slot and stalls", k);
	t0 = rc_clock_now_ns();
	is(rc_chan_send_timed(b.c, (void *)2, STALL_TIMEOUT_NS), 0,
	   "%s: a timed send behind it succeeds", k);
	ok(came_back(t0, STALL_TIMEOUT_NS),
	   "%s: without waiting for the stalled sender", k);
	ok(rc_chan_trysend(b.c, (void *)3), "%s: so does a try send", k);
	is(rc_chan_size(b.c), 0, "%s: neither is published yet", k);
	ok(!rc_chan_tryrecv(b.c, &m), "%s: a try receive finds nothing", k);
	t0 = rc_clock_now_ns();
	is(rc_chan_recv_timed(b.c, &m, STALL_TIMEOUT_NS), -RC_ETIMEDOUT,
	   "%s: a timed receive behind the stalled sender times out", k);
	ok(came_back(t0, STALL_TIMEOUT_NS), "%s: and comes back", k);
	t0 = rc_clock_now_ns();
	is(rc_chan_send_timed(b.c, (void *)4, STALL_TIMEOUT_NS), -RC_ETIMEDOUT,
	   "%s: a timed send to the channel they fill times out", k);
	ok(came_back(t0, STALL_TIMEOUT_NS), "%s: and comes back", k);
	pthread_create(&th, NULL, blocked_recv, &b);
	await_asleep(&b);
	_rc_chan_commit(b.c, t);
	pthread_join(th, NULL);
	is((uintptr_t)b.msg, 1,
	   "%s: the stalled sender publishes and wakes a parked receiver", k);
	for (uintptr_t i = 2; i <= 3; i++)
		all &= rc_chan_tryrecv(b.c, &m) && (uintptr_t)m == i;
	ok(all && !rc_chan_tryrecv(b.c, &m),
	   "%s: with it, what was handed over, in order", k);

	/* Two stalled senders resume in the opposite order. */
	ok(_rc_chan_reserve(b.c, (void *)5, &t) &&
		   _rc_chan_reserve(b.c, (void *)6, &t2),
	   "%s: two senders reserve and stall", k);
	_rc_chan_commit(b.c, t2);
	ok(!rc_chan_tryrecv(b.c, &m),
	   "%s: the later one resumes first and hands over", k);
	_rc_chan_commit(b.c, t);
	ok(rc_chan_tryrecv(b.c, &m) && (uintptr_t)m == 5 &&
		   rc_chan_tryrecv(b.c, &m) && (uintptr_t)m == 6,
	   "%s: the earlier one publishes both, in order", k);
	rc_chan_destroy(b.c);
}

struct race {
	rc_chan_t *c;
	const rc_topo_t *topo;
	uint64_t msgs;
	_Atomic uint64_t claimed;
	_Atomic uint8_t *seen; /* msgs marks */
	atomic_uint dups;
};

struct racer {
	struct race *r;
	unsigned pu;
	pthread_t th;
	uint64_t got;
	struct _rc_wait_counts waited; /* during the receives */
};

static void *racer_main(void *arg)
{
	struct racer *x = arg;
	struct race *r = x->r;
	struct _rc_wait_counts c0, c1;

	(void)rc_topo_pin(r->topo, x->pu, NULL); /* best effort */
	_rc_wait_thread_counts(&c0);
	/* relaxed: a counter that hands out claims, no data with it */
	while (atomic_fetch_add_explicit(&r->claimed, 1, memory_order_relaxed) <
	       r->msgs) {
		uintptr_t m = (uintptr_t)rc_chan_recv(r->c);

		/* relaxed: marks, read after the joins */
		if (m >= r->msgs ||
		    atomic_exchange_explicit(&r->seen[m], 1,
					     memory_order_relaxed) != 0)
			atomic_fetch_add(&r->dups, 1);
		x->got++;
	}
	_rc_wait_thread_counts(&c1);
	x->waited.turns = c1.turns - c0.turns;
	x->waited.parks = c1.parks - c0.parks;
	x->waited.naps = c1.naps - c0.naps;
	return NULL;
}

/*
 * A receive from a channel that holds a message for it takes one without
 * waiting: no nap, no park, not even a turn of the spin, however often
 * the other receivers win the race for the slot it looked at (a
 * multi-receiver receive retries a lost race at once, as the channel
 * cannot be empty). The channel is filled first and each receiver claims
 * a message before it receives, so every receive starts with a message
 * there for it; the receivers' own wait counts (runtime/wait.h) must
 * stay at zero. Environment: RC_CHAN_RACERS receivers (default and cap:
 * the machine's PUs; skipped below 2), RC_CHAN_RACE_MSGS messages
 * (default 100000, times RC_SCALE).
 */
static void test_race(enum rc_chan_kind kind, const rc_topo_t *topo)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	const char *k = kind_name[kind];
	unsigned pus = rc_topo_npus(topo);
	unsigned n = (unsigned)tap_env_fixed("RC_CHAN_RACERS", pus);
	uint64_t msgs = tap_env_u64("RC_CHAN_RACE_MSGS", 100000), got = 0;
	struct _rc_wait_counts sum = { 0, 0, 0 };
	struct race r;
	struct racer *x;
	bool all = true;

	if (n > pus)
		n = pus;
	if (n < 2 || msgs == 0 || msgs > (1u << 30)) {
		diag("%s race: %u receivers on %u PUs, %llu messages", k, n,
		     pus, (unsigned long long)msgs);
		skip(3, "needs 2 receivers on 2 PUs, and 1..2^30 messages");
		return;
	}
	r.topo = topo;
	r.msgs = msgs;
	atomic_init(&r.claimed, 0);
	atomic_init(&r.dups, 0);
	r.seen = calloc(msgs, sizeof(*r.seen));
	x = calloc(n, sizeof(*x));
	if (rc_chan_create(&r.c, kind, (unsigned)msgs, &err) < 0 || !r.seen ||
	    !x) {
		ok(false, "%s race: out of memory", k);
		skip(2, "out of memory");
		free(r.seen);
		free(x);
		return;
	}
	for (uint64_t i = 0; i < msgs; i++)
		all &= rc_chan_trysend(r.c, (void *)(uintptr_t)i);
	for (unsigned i = 0; i < n; i++) {
		x[i].r = &r;
		x[i].pu = i;
		pthread_create(&x[i].th, NULL, racer_main, &x[i]);
	}
	for (unsigned i = 0; i < n; i++) {
		pthread_join(x[i].th, NULL);
		got += x[i].got;
		sum.turns += x[i].waited.turns;
		sum.parks += x[i].waited.parks;
		sum.naps += x[i].waited.naps;
	}
	ok(all && got == msgs && atomic_load(&r.dups) == 0,
	   "%s: %u receivers race for %llu messages and take each once", k, n,
	   (unsigned long long)msgs);
	is(sum.naps + sum.parks, 0,
	   "%s: with messages waiting, no receiver naps or parks (%llu naps, "
	   "%llu parks)",
	   k, (unsigned long long)sum.naps, (unsigned long long)sum.parks);
	is(sum.turns, 0,
	   "%s: nor takes a single turn of waiting after a lost race", k);
	rc_chan_destroy(r.c);
	free(r.seen);
	free(x);
}

/*
 * A named call on a channel of another kind is a programmer error: it
 * fails its assertion (skipped where assertions are compiled out).
 */
static void test_wrong_kind(void)
{
	pid_t pid;
	int st = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		rc_chan_t *c;

		if (null >= 0)
			dup2(null, 2); /* the assertion's message */
		if (rc_chan_create(&c, RC_CHAN_MPMC, 4, NULL) == 0)
			(void)rc_chan_trysend_spsc(c, NULL);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid) {
		ok(false, "wrong kind: fork and wait");
		return;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		skip(1, "assertions are compiled out");
	else
		ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT,
		   "an spsc call on an mpmc channel fails its assertion");
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo;
	rc_chan_t *c;

	signal(SIGALRM, watchdog);
	alarm((unsigned)tap_env_fixed("RC_CHAN_WATCHDOG_S", 300));
	for (int k = RC_CHAN_SPSC; k <= RC_CHAN_MPMC; k++) {
		test_kind((enum rc_chan_kind)k, &dispatched);
		test_kind((enum rc_chan_kind)k, &named[k]);
	}
	for (int k = RC_CHAN_SPSC; k <= RC_CHAN_MPMC; k++)
		test_wakes((enum rc_chan_kind)k);
	test_stalled_sender(RC_CHAN_MPSC);
	test_stalled_sender(RC_CHAN_MPMC);
	if (rc_topo_open(&topo, NULL, NULL, &err) == 0) {
		test_race(RC_CHAN_SPMC, topo);
		test_race(RC_CHAN_MPMC, topo);
		rc_topo_close(topo);
	} else {
		ok(false, "the machine's layout: %s", err.msg);
	}
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
	test_wrong_kind();
	done_testing();
	return exit_status();
}
