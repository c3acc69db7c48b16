/* SPDX-License-Identifier: MIT */
/* wait.c: the calibrated spin, the futex park and the event that wakes it. */
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <ck_pr.h>

#include <replicore/clock.h>

#include "runtime/wait.h"

/*
 * The spin phase lasts SPIN_NS, counted in pause instructions
 * (ck_pr_stall, PAUSE on x86) whose cost is measured once per process.
 * Measured on this project's 2-vCPU AMD EPYC machines: a pause takes
 * 27-33 ns (so the phase is about 300-370 pauses), a clock read 41 ns
 * (the spin reads it every 256 pauses only). SPIN_NS is set against what
 * parking costs there: the futex wake call alone takes 3.2-3.5 us in the
 * waker, and a parked thread runs again 7-8 us after the wake on an idle
 * host (a two-wake ping-pong between two pinned threads: 15 us median;
 * 43-47 us one way was seen on a busy host). A partner running on another
 * CPU answers within a cache-line transfer (0.03-0.2 us) or a protocol
 * step (about a microsecond), far inside the phase; a partner that is not
 * running (preempted, or waiting for this CPU) will not answer sooner
 * than the scheduler lets it, and spinning longer only holds the CPU it
 * needs. So a waiter spins for about what a park and a wake cost, then
 * parks: it never pays more than twice the best choice made in hindsight.
 */
#define SPIN_NS 10000ull

/*
 * GCC warns that ThreadSanitizer does not model atomic_thread_fence
 * (-Wtsan). The fences below need no modelling: each orders an event's
 * flag against the caller's condition, which carries its own release and
 * acquire, so no data is published through a fence and TSan's race
 * analysis loses nothing; its runtime still executes a full fence.
 */
#if defined(__SANITIZE_THREAD__) && defined(__GNUC__) && \
	!defined(__clang__) && __GNUC__ >= 11
#pragma GCC diagnostic ignored "-Wtsan"
#endif

/*
 * Both halves of Dekker's pattern are seq_cst fences. An asymmetric pair
 * was built and measured here (2 vCPUs, AMD EPYC, Linux 6.18, alternating
 * runs): a compiler barrier in the wake, and in the waiter about to park
 * a membarrier (MEMBARRIER_CMD_PRIVATE_EXPEDITED, as liburcu's urcu-memb
 * does for its readers). Its wake is cheaper: a stream of sends over an
 * SPSC rc_chan to a receiving thread ran at 10-27 million messages a
 * second against 4-22 with the fence (12-18 before channels woke anybody;
 * load average about 3), for the fence drains the store buffer, whose
 * index store waits for the line the receiver keeps reading. But each
 * park then costs a system call that interrupts every CPU running a
 * thread of the process (4-6 us with one running), and threads that park
 * between messages pay it all the time: replicore bench paxos over 5
 * nodes, whose threads share the 2 CPUs, committed 3,900-6,300 single
 * entries a second (p50 155-231 us) with it, against 5,700-6,700 (p50
 * 146-171 us) with the fence and 5,800-6,500 (p50 144-154 us) before
 * channels woke anybody (three runs each, load average 1.1-2.5). The
 * rsm's hash map showed no difference beyond the noise either way.
 */
void _rc_wait_fence_out(void)
{
	/* seq_cst fence: the wake's half (see _rc_event_fence in wait.h); pairs
	 * with the fence in arm */
	atomic_thread_fence(memory_order_seq_cst);
}

#define CALIB_PAUSES 4096u
#define NAP_MAX_NS 100000L

static _Atomic uint64_t spin_pauses; /* 0: not calibrated yet */

/* The thread's counts (wait.h); initial-exec: a spin counts its turns
 * at the cost of an add, without a call to find the variable. */
static _Thread_local struct _rc_wait_counts counts
	__attribute__((tls_model("initial-exec")));

void _rc_wait_thread_counts(struct _rc_wait_counts *out)
{
	*out = counts;
}

static uint64_t calibrate(void)
{
	uint64_t best = UINT64_MAX, n;

	/* The least of three runs: a preempted run only overestimates. */
	for (int r = 0; r < 3; r++) {
		uint64_t t0 = rc_clock_now_ns(), t;

		for (unsigned i = 0; i < CALIB_PAUSES; i++)
			ck_pr_stall();
		t = rc_clock_now_ns() - t0;
		if (t < best)
			best = t;
	}
	if (best == 0)
		best = 1;
	n = SPIN_NS * CALIB_PAUSES / best;
	return n < 64 ? 64 : n;
}

uint64_t _rc_wait_spin_pauses(void)
{
	/* relaxed: a number, no data; racing calibrations agree roughly
	 * and either result is fine */
	uint64_t n = atomic_load_explicit(&spin_pauses, memory_order_relaxed);

	if (n == 0) {
		n = calibrate();
		atomic_store_explicit(&spin_pauses, n, memory_order_relaxed);
	}
	return n;
}

const char *rc_wait_policy_name(enum rc_wait_policy p)
{
	switch (p) {
	case RC_WAIT_SPIN_PARK:
		return "spin-park";
	case RC_WAIT_SPIN:
		return "spin";
	case RC_WAIT_PARK:
		return "park";
	}
	return NULL;
}

int rc_wait_policy_parse(const char *name, enum rc_wait_policy *p)
{
	for (int i = RC_WAIT_SPIN_PARK; i <= RC_WAIT_PARK; i++)
		if (strcmp(name, rc_wait_policy_name((enum rc_wait_policy)i)) ==
		    0) {
			*p = (enum rc_wait_policy)i;
			return 0;
		}
	return -1;
}

void _rc_event_init(struct _rc_event *e)
{
	atomic_init(&e->seq, 0);
	atomic_init(&e->waiters, 0);
}

void _rc_event_wake_armed(struct _rc_event *e)
{
	/* seq_cst: takes the flag before the key moves (a waiter that arms
	 * again after this exchange takes a key after the move, or is
	 * woken); another waker that took it first moves the key itself */
	if (atomic_exchange_explicit(&e->waiters, 0, memory_order_seq_cst) == 0)
		return;
	/* seq_cst: moves the key the armed waiters compare against; pairs
	 * with their acquire key loads (a waiter whose key sees the move
	 * sees our condition) and with the futex's own compare */
	atomic_fetch_add_explicit(&e->seq, 1, memory_order_seq_cst);
	syscall(SYS_futex, &e->seq, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Raises e's flag before the caller checks its condition once more. */
static void arm(struct _rc_event *e)
{
	/* relaxed: ordered by the fence below */
	atomic_store_explicit(&e->waiters, 1, memory_order_relaxed);
	/* seq_cst fence: orders the flag before the caller's next key load
	 * and check of its condition; pairs with the fence in
	 * _rc_event_wake (Dekker's pattern) */
	atomic_thread_fence(memory_order_seq_cst);
}

/* Parks on e while its key is key, for at most ns (UINT64_MAX: no bound). */
static void park(struct _rc_event *e, uint32_t key, uint64_t ns)
{
	struct timespec ts, *tp = NULL;

	if (ns != UINT64_MAX) {
		ts.tv_sec = (time_t)(ns / 1000000000ull);
		ts.tv_nsec = (long)(ns % 1000000000ull);
		tp = &ts;
	}
	/* relaxed: saves the system call when the key moved already; the
	 * futex compares again under its own lock, which decides */
	if (atomic_load_explicit(&e->seq, memory_order_relaxed) == key)
		syscall(SYS_futex, &e->seq, FUTEX_WAIT_PRIVATE, key, tp, NULL,
			0);
}

void _rc_wait_start(struct _rc_wait *w, uint64_t timeout_ns,
		    enum rc_wait_policy policy)
{
	w->policy = policy;
	w->round = 0;
	w->spun = 0;
	w->parks = 0;
	w->armed = NULL;
	w->deadline = 0;
	if (timeout_ns != UINT64_MAX) {
		uint64_t now = rc_clock_now_ns();

		/* A deadline past the clock's range is none: the sum would
		 * wrap to a time already past. (0 means none: 1 for 0.) */
		if (timeout_ns < UINT64_MAX - now)
			w->deadline =
				now + timeout_ns != 0 ? now + timeout_ns : 1;
	}
}

void _rc_wait_init(struct _rc_wait *w, uint64_t timeout_ns)
{
	_rc_wait_start(w, timeout_ns, RC_WAIT_SPIN_PARK);
}

/* True while w is still in its spin phase; counts one more pause. */
static bool spinning(struct _rc_wait *w)
{
	if (w->policy == RC_WAIT_PARK)
		return false;
	if (w->policy == RC_WAIT_SPIN || w->spun < _rc_wait_spin_pauses()) {
		w->spun++;
		return true;
	}
	return false;
}

/*
 * One pause of the spin phase: false once the deadline has passed. The
 * clock is read every 256 pauses, not every pause.
 */
static bool spin_once(struct _rc_wait *w)
{
	ck_pr_stall();
	return !(w->deadline != 0 && (w->spun & 255) == 0 &&
		 rc_clock_now_ns() >= w->deadline);
}

bool _rc_wait_event(struct _rc_wait *w, struct _rc_event *e, uint32_t key,
		    uint64_t max_park_ns)
{
	uint64_t now = 0, ns = max_park_ns;

	counts.turns++;
	if (spinning(w))
		return spin_once(w);
	if (w->deadline != 0) {
		now = rc_clock_now_ns();
		if (now >= w->deadline)
			return false;
		if (w->deadline - now < ns)
			ns = w->deadline - now;
	}
	if (w->armed != e || w->armed_key != key) {
		/* The caller checks its condition again, armed (see wait.h).
		 * A key moved since the arming means a wake may have taken
		 * the flag, perhaps a wake for an older condition: arm
		 * again. */
		arm(e);
		w->armed = e;
		w->armed_key = key;
		return true;
	}
	w->armed = NULL;
	w->parks++;
	counts.parks++;
	park(e, key, ns);
	return true;
}

bool _rc_wait_step(struct _rc_wait *w)
{
	counts.turns++;
	if (spinning(w))
		return spin_once(w);
	if (w->deadline != 0 && rc_clock_now_ns() >= w->deadline)
		return false;
	{
		unsigned k = w->round < 7 ? w->round : 7;
		long ns = 1000L << k;
		struct timespec ts = { 0, ns < NAP_MAX_NS ? ns : NAP_MAX_NS };

		nanosleep(&ts, NULL);
		counts.naps++;
		w->round++;
	}
	return true;
}
