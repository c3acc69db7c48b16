/* SPDX-License-Identifier: MIT */
/* test_rsm.c: rc_rsm deterministically: the API, the four example structures, sequential against linearizable reads, a stalled node, idle nodes, a log without a tail, waiters parked and woken by the combiner. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <replicore/check.h>
#include <replicore/recorder.h>
#include <replicore/rsm.h>

#include "examples/rsm_counter.h"
#include "examples/rsm_map.h"
#include "examples/rsm_pq.h"
#include "examples/rsm_stack.h"
#include "tests/tap.h"
#include "tests/unit/log_notail.h"
#include "tests/unit/parked.h"

/* Two NUMA nodes of one PU each, mapped onto the machine's PUs. */
#define TWO_NODES "numa:2 core:1 pu:1"

/* A lost wake-up leaves a parked thread asleep for ever: fail instead. */
static void watchdog(int sig)
{
	static const char msg[] = "Bail out! a parked thread was not woken\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

static rc_topo_t *open_topo(const char *synthetic)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *t = NULL;

	if (rc_topo_open(&t, synthetic, NULL, &err) < 0)
		diag("topo %s: %s", synthetic ? synthetic : "machine", err.msg);
	return t;
}

/* An rsm of ops over topo with a handle on node 0 and one on node 1. */
static rc_rsm_t *open2(const struct rc_rsm_ops *ops, rc_topo_t *topo,
		       const struct rc_rsm_options *o, rc_rsm_handle_t **a,
		       rc_rsm_handle_t **b)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_rsm_t *rsm;

	if (rc_rsm_create(&rsm, ops, NULL, topo, o, &err) < 0 ||
	    rc_rsm_register(rsm, 0, 0, a, &err) < 0 ||
	    rc_rsm_register(rsm, 1, 0, b, &err) < 0) {
		diag("Bail out! %s", err.msg);
		exit(1);
	}
	return rsm;
}

static void close2(rc_rsm_t *rsm, rc_rsm_handle_t *a, rc_rsm_handle_t *b)
{
	rc_rsm_unregister(a);
	rc_rsm_unregister(b);
	rc_rsm_destroy(rsm);
}

/*
 * rc_rsm_execute where it must succeed (no bounded wait, or one that
 * cannot run out): its result, or a bail-out naming the error.
 */
static uint64_t run_op(rc_rsm_handle_t *h, uint64_t op, uint64_t arg)
{
	uint64_t r;
	int rc = rc_rsm_execute(h, op, arg, &r);

	if (rc < 0) {
		diag("Bail out! rc_rsm_execute(op %llu, arg %llu): %s",
		     (unsigned long long)op, (unsigned long long)arg,
		     rc_strerror(rc));
		exit(1);
	}
	return r;
}

static void test_create(rc_topo_t *topo)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	struct rc_rsm_ops noinit = counter_ops;
	rc_rsm_handle_t *h, *h2;
	rc_rsm_t *rsm;
	rc_log_t *log;

	noinit.init = NULL;
	ok(rc_rsm_create(&rsm, &noinit, NULL, topo, NULL, &err) == -RC_EINVAL &&
		   rsm == NULL,
	   "an ops table without init is refused");
	rc_log_shm_create(&log, 3, 16, NULL);
	o.log = log;
	ok(rc_rsm_create(&rsm, &counter_ops, NULL, topo, &o, &err) ==
		   -RC_EINVAL,
	   "a log for another number of nodes is refused: %s", err.msg);
	rc_log_destroy(log);
	o.log = NULL;
	o.log_capacity = 100;
	ok(rc_rsm_create(&rsm, &counter_ops, NULL, topo, &o, &err) ==
		   -RC_EINVAL,
	   "a default log's capacity must be a power of two");
	o.log_capacity = 0;
	o.flags = RC_RSM_READ_INDEX;
	ok(rc_rsm_create(&rsm, &counter_ops, NULL, topo, &o, &err) ==
			   -RC_EINVAL &&
		   rsm == NULL,
	   "read-index reads over a log without one are refused: %s", err.msg);
	o.flags = 0;
	o.wait = (enum rc_wait_policy)3;
	ok(rc_rsm_create(&rsm, &counter_ops, NULL, topo, &o, &err) ==
			   -RC_EINVAL &&
		   rsm == NULL,
	   "an unknown wait policy is refused: %s", err.msg);
	o.wait = RC_WAIT_SPIN_PARK;
	o.max_node_threads = 1;
	ok(rc_rsm_create(&rsm, &counter_ops, NULL, topo, &o, &err) == 0,
	   "creates a counter over %s", TWO_NODES);
	is(rc_rsm_nnodes(rsm), 2u, "one replica per node");
	is_str(rc_log_name(rc_rsm_log(rsm)), "shm", "the default log is shm");
	ok(rc_rsm_register(rsm, 2, 0, &h, &err) == -RC_EINVAL && h == NULL,
	   "PU 2 is not in the layout: %s", err.msg);
	ok(rc_rsm_register(rsm, 1, 0, &h, &err) == 0 &&
		   rc_rsm_handle_node(h) == 1,
	   "PU 1 registers on node 1");
	ok(rc_rsm_register(rsm, 1, 0, &h2, &err) == -RC_EAGAIN,
	   "a second thread on node 1 finds no slot (max 1): %s", err.msg);
	rc_rsm_unregister(h);
	ok(rc_rsm_register(rsm, 1, 0, &h2, &err) == 0,
	   "after unregister the slot is free again");
	rc_rsm_unregister(h2);
	rc_rsm_destroy(rsm);
}

static void test_structures(rc_topo_t *topo)
{
	rc_rsm_handle_t *a, *b;
	rc_rsm_t *rsm;
	bool same = true;

	rsm = open2(&counter_ops, topo, NULL, &a, &b);
	is(run_op(a, COUNTER_ADD, 5), 5u, "counter: add 5 -> 5");
	is(run_op(b, COUNTER_ADD, 2), 7u, "add 2 on node 1 -> 7");
	is(run_op(a, COUNTER_READ, 0), 7u, "read on node 0 -> 7");
	close2(rsm, a, b);

	rsm = open2(&map_ops, topo, NULL, &a, &b);
	is(run_op(a, MAP_OP(MAP_GET, 3), 0), 0u, "map: 3 absent");
	is(run_op(a, MAP_OP(MAP_PUT, 3), 30), 0u, "put 3 30 -> 0");
	is(run_op(b, MAP_OP(MAP_PUT, 3), 31), 30u, "put 3 31 on node 1 -> 30");
	is(run_op(a, MAP_OP(MAP_GET, 3), 0), 31u, "get 3 -> 31");
	for (uint64_t k = 1; k <= 200; k++)
		run_op(k & 1 ? a : b, MAP_OP(MAP_PUT, k + 10), k);
	is(run_op(b, MAP_OP(MAP_GET, 150), 0), 140u,
	   "200 more keys (the table grows): get 150 -> 140");
	rc_rsm_sync(rsm);
	for (uint64_t k = 1; k <= 210; k++)
		same &= map_apply(rc_rsm_replica(rsm, 0), MAP_OP(MAP_GET, k),
				  0) == map_apply(rc_rsm_replica(rsm, 1),
						  MAP_OP(MAP_GET, k), 0);
	ok(same, "after sync both replicas hold the same map");
	close2(rsm, a, b);

	rsm = open2(&stack_ops, topo, NULL, &a, &b);
	is(run_op(b, STACK_POP, 0), STACK_EMPTY, "stack: pop empty");
	run_op(a, STACK_PUSH, 1);
	run_op(b, STACK_PUSH, 2);
	is(run_op(a, STACK_TOP, 0), 2u, "push 1, push 2: top 2");
	is(run_op(a, STACK_POP, 0), 2u, "pop 2");
	is(run_op(b, STACK_POP, 0), 1u, "pop 1");
	is(run_op(b, STACK_SIZE, 0), 0u, "size 0");
	close2(rsm, a, b);

	rsm = open2(&pq_ops, topo, NULL, &a, &b);
	run_op(a, PQ_INSERT, 5);
	run_op(b, PQ_INSERT, 1);
	run_op(a, PQ_INSERT, 3);
	is(run_op(b, PQ_MIN, 0), 1u, "pq: insert 5 1 3: min 1");
	ok(run_op(a, PQ_EXTRACT_MIN, 0) == 1 &&
		   run_op(b, PQ_EXTRACT_MIN, 0) == 3 &&
		   run_op(a, PQ_EXTRACT_MIN, 0) == 5,
	   "extracts 1, 3, 5 from both nodes");
	is(run_op(b, PQ_EXTRACT_MIN, 0), PQ_EMPTY, "then empty");
	close2(rsm, a, b);
}

static rc_history_t *export(rc_recorder_t *rec)
{
	rc_history_t *h = rc_history_new();

	if (rc_recorder_export(rec, h, 0, NULL) < 0)
		diag("export failed");
	return h;
}

static enum rc_verdict verdict(const rc_history_t *h, enum rc_level level)
{
	struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *r;
	enum rc_verdict v;

	o.spec = RC_SPEC_COUNTER;
	o.level = level;
	o.timeout = 10;
	if (rc_check(h, &o, &r, NULL) < 0)
		return RC_VERDICT_UNKNOWN;
	v = r->verdict;
	rc_check_result_free(r);
	return v;
}

/*
 * Node 0 adds 1 and returns; then node 1, whose replica nobody has caught
 * up, reads. A sequential read answers 0 from the stale replica: the
 * history is sequentially consistent (the read goes first) but not
 * linearizable (the add completed before the read began). A linearizable
 * read catches up first and answers 1.
 */
static void run_stale(rc_topo_t *topo, bool notail, bool seq)
{
	const char *what = notail ? "no tail" : "shm";
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	rc_recorder_t *rec;
	rc_rsm_handle_t *a, *b;
	rc_history_t *h;
	rc_rsm_t *rsm;
	uint64_t r = 99;

	o.log = notail ? notail_create(2, 16) : NULL;
	rsm = open2(&counter_ops, topo, &o, &a, &b);
	rc_recorder_create(&rec, 2, 8, NULL);
	rc_recorder_begin(rec, 0, RC_HOP_INC, RC_HVAL_NONE, 1, RC_HVAL_NONE);
	run_op(a, COUNTER_ADD, 1);
	rc_recorder_end(rec, 0, RC_HVAL_OK, RC_HST_OK);
	is(rc_rsm_applied(rsm, 1), 0u, "%s: node 1's replica is behind", what);
	rc_recorder_begin(rec, 1, RC_HOP_READ, RC_HVAL_NONE, RC_HVAL_NONE,
			  RC_HVAL_NONE);
	rc_rsm_execute_flags(b, COUNTER_READ, 0, seq ? RC_RSM_READ_SEQ : 0, &r);
	rc_recorder_end(rec, 1, (rc_hval_t)r, RC_HST_OK);
	h = export(rec);
	if (seq) {
		is(r, 0u, "%s: a sequential read on node 1 returns the stale 0",
		   what);
		is(verdict(h, RC_SC), RC_VERDICT_OK,
		   "%s: the checker calls that history sequentially "
		   "consistent",
		   what);
		is(verdict(h, RC_LIN), RC_VERDICT_VIOLATION,
		   "%s: and not linearizable", what);
	} else {
		is(r, 1u, "%s: a linearizable read on node 1 catches up: 1",
		   what);
		is(verdict(h, RC_LIN), RC_VERDICT_OK,
		   "%s: the same shape with a linearizable read is "
		   "linearizable",
		   what);
	}
	rc_history_free(h);
	rc_recorder_destroy(rec);
	close2(rsm, a, b);
	rc_log_destroy(o.log);
}

/*
 * A counter whose STALL operation blocks replica 1 while stall_hold, and
 * whose HOLD operation blocks replica arg while stall_hold.
 */
enum { SC_ADD = 1, SC_READ = 2, SC_STALL = 3, SC_HOLD = 4 };

struct scounter {
	uint64_t v;
	unsigned node;
};

static atomic_bool stall_hold, stall_in;

static void nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

static uint64_t sc_apply(void *state, uint64_t op, uint64_t arg)
{
	struct scounter *c = state;

	if (op == SC_ADD)
		c->v += arg;
	if ((op == SC_STALL && c->node == 1) ||
	    (op == SC_HOLD && c->node == arg)) {
		/* seq_cst: a test's handshake, nothing to tune */
		atomic_store(&stall_in, true);
		while (atomic_load(&stall_hold))
			nap();
	}
	return c->v;
}

static bool sc_is_read(uint64_t op)
{
	return op == SC_READ;
}

static void *sc_init(void *arg, unsigned node)
{
	struct scounter *c = calloc(1, sizeof(*c));

	(void)arg;
	if (c)
		c->node = node;
	return c;
}

static const struct rc_rsm_ops sc_ops = { sc_init, sc_apply, sc_is_read,
					  free,	   NULL,     NULL };

static void *stall_thread(void *arg)
{
	rc_rsm_handle_t *h = arg;

	run_op(h, SC_STALL, 0);
	return NULL;
}

/*
 * A thread of node 1 stalls inside apply, holding node 1's combiner: node
 * 1's replica stops consuming at index 1 (it read the STALL entry). With
 * a log of 16 and a 20 ms bound, node 0 completes exactly 16 adds, then an add times out instead
 * of hanging and has no effect; once node 1 resumes, adds go through.
 */
static void test_stall(rc_topo_t *topo)
{
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	rc_rsm_handle_t *a, *b;
	uint64_t r = 0, t = 0, done = 0;
	unsigned waited = 0;
	pthread_t th;
	rc_rsm_t *rsm;
	int rc = 0;

	o.log_capacity = 16;
	o.timeout_ns = 20000000;
	rsm = open2(&sc_ops, topo, &o, &a, &b);
	atomic_store(&stall_hold, true);
	pthread_create(&th, NULL, stall_thread, b);
	while (!atomic_load(&stall_in) && waited++ < 10000)
		nap();
	if (!atomic_load(&stall_in)) {
		atomic_store(&stall_hold, false);
		pthread_join(th, NULL);
		ok(0, "stall: node 1 never entered apply");
		goto out;
	}
	for (unsigned i = 0; i < 100; i++) {
		rc = rc_rsm_execute_flags(a, SC_ADD, 1, 0, &r);
		if (rc < 0)
			break;
		done++;
	}
	rc_log_tail(rc_rsm_log(rsm), &t);
	ok(rc == -RC_ETIMEDOUT,
	   "stall: with node 1 stalled an add times out (%d), no hang", rc);
	r = UINT64_MAX;
	ok(rc_rsm_execute(a, SC_ADD, 1, &r) == -RC_ETIMEDOUT && r == UINT64_MAX,
	   "stall: rc_rsm_execute says so too, leaving the result alone");
	is(done, 16u, "stall: after exactly 16 adds (log of 16, node 1 at 1)");
	ok(t == 17 && rc_log_cursor(rc_rsm_log(rsm), 1) == 1,
	   "stall: the log is full: tail %llu, node 1's cursor 1",
	   (unsigned long long)t);
	is(run_op(a, SC_READ, 0), 16u,
	   "stall: node 0 still reads (16: the timed-out add had no effect)");
	atomic_store(&stall_hold, false);
	pthread_join(th, NULL);
	ok(rc_rsm_execute_flags(a, SC_ADD, 1, 0, &r) == 0 && r == 17,
	   "stall: once node 1 resumes an add goes through (17)");
	rc_rsm_sync(rsm);
	ok(((struct scounter *)rc_rsm_replica(rsm, 1))->v == 17,
	   "stall: node 1's replica catches up to 17");
out:
	close2(rsm, a, b);
}

struct parker {
	rc_rsm_handle_t *h;
	uint64_t op, arg, result;
	_Atomic long tid; /* once it runs */
	pthread_t th;
};

static void *parker_main(void *arg)
{
	struct parker *p = arg;

	/* relaxed: polled by the main thread, no data with it */
	atomic_store_explicit(&p->tid, syscall(SYS_gettid),
			      memory_order_relaxed);
	p->result = run_op(p->h, p->op, p->arg);
	return NULL;
}

/*
 * Starts p's operation in a thread of its own and waits until it parks
 * (on a futex), or with nap only until it sleeps.
 */
static void park_one(struct parker *p, rc_rsm_handle_t *h, uint64_t op,
		     bool nap)
{
	long tid;

	p->h = h;
	p->op = op;
	p->arg = op == SC_ADD ? 10 : 0;
	atomic_init(&p->tid, 0);
	pthread_create(&p->th, NULL, parker_main, p);
	/* relaxed: as above */
	while ((tid = atomic_load_explicit(&p->tid, memory_order_relaxed)) == 0)
		usleep(100);
	while (nap ? parked_state(tid) != 'S' : !thread_parked(tid))
		usleep(100);
}

/*
 * With the park policy, a thread of node 0 holds the combiner inside
 * apply (HOLD). Another thread's update is posted and parks; with a log
 * a linearizable read parks in its catch-up too, the combiner lock being
 * held (without one a read waits for the write flag, the combiner lock,
 * in naps: see replica_read_wait). Once the combiner's apply returns,
 * its unlock wakes them: the update is answered (by that round without a
 * log, by the woken poster's own round with one) and the read runs. Parked means asleep on a futex (tests/unit/parked.h); a lost wake
 * leaves a thread parked for ever and the watchdog fails the test.
 */
static void test_park(rc_topo_t *topo, bool direct)
{
	const char *what = direct ? "one node, no log" : "two nodes, shm log";
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	struct parker holder, poster, reader;
	rc_rsm_handle_t *h[3];
	unsigned waited = 0;
	rc_rsm_t *rsm;

	if (topo == NULL) {
		skip(4, "no one-node layout");
		return;
	}
	o.wait = RC_WAIT_PARK;
	rc_rsm_create(&rsm, &sc_ops, NULL, topo, &o, NULL);
	for (unsigned i = 0; i < 3; i++)
		rc_rsm_register(rsm, 0, 0, &h[i], NULL);
	atomic_store(&stall_in, false);
	atomic_store(&stall_hold, true);
	holder.h = h[0];
	holder.op = SC_HOLD;
	holder.arg = 0;
	atomic_init(&holder.tid, 0);
	pthread_create(&holder.th, NULL, parker_main, &holder);
	while (!atomic_load(&stall_in) && waited++ < 10000)
		nap();
	ok(atomic_load(&stall_in), "%s: a thread holds the combiner in apply",
	   what);
	park_one(&poster, h[1], SC_ADD, false);
	park_one(&reader, h[2], SC_READ, direct);
	ok(true, "%s: a posted update and %s (park policy)", what,
	   direct ? "a read napping for the write flag"
		  : "a catching-up read park");
	atomic_store(&stall_hold, false);
	pthread_join(holder.th, NULL);
	pthread_join(poster.th, NULL);
	pthread_join(reader.th, NULL);
	is(poster.result, 10u, "%s: the parked update is woken and answered",
	   what);
	/* Without a log the round that answers the update ends before the
	 * write flag drops; with one, the read's catch-up target (the tail
	 * at its invocation) holds HOLD only, and the update, concurrent
	 * with the read, may come after it. */
	if (direct)
		is(reader.result, 10u,
		   "%s: the read, once the write flag drops, sees the update",
		   what);
	else
		ok(reader.result == 0 || reader.result == 10,
		   "%s: the parked read is woken (reads %llu: the concurrent "
		   "update may come before or after it)",
		   what, (unsigned long long)reader.result);
	for (unsigned i = 0; i < 3; i++)
		rc_rsm_unregister(h[i]);
	rc_rsm_destroy(rsm);
}

/* Nobody runs on node 1; a waiting appender drains its replica. */
static void test_idle(rc_topo_t *topo)
{
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	rc_rsm_handle_t *a;
	rc_rsm_t *rsm;
	unsigned fails = 0;
	uint64_t r;

	o.log_capacity = 8;
	o.timeout_ns = 2000000000ull;
	rc_rsm_create(&rsm, &counter_ops, NULL, topo, &o, NULL);
	rc_rsm_register(rsm, 0, 0, &a, NULL);
	for (unsigned i = 0; i < 100; i++)
		fails += rc_rsm_execute_flags(a, COUNTER_ADD, 1, 0, &r) < 0;
	is(fails, 0u, "idle: 100 adds through a log of 8 with node 1 idle");
	ok(rc_rsm_applied(rsm, 1) >= 100 - 8,
	   "idle: appenders drained node 1's replica (applied %llu)",
	   (unsigned long long)rc_rsm_applied(rsm, 1));
	rc_rsm_unregister(a);
	rc_rsm_destroy(rsm);
}

/* One node and no log given: the combiner applies directly. */
static void test_direct(void)
{
	rc_topo_t *one = open_topo("numa:1 core:2 pu:1");
	rc_rsm_handle_t *a, *b;
	rc_rsm_t *rsm;
	uint64_t t = 99;

	if (!one) {
		skip(3, "no one-node layout");
		return;
	}
	rc_rsm_create(&rsm, &counter_ops, NULL, one, NULL, NULL);
	rc_rsm_register(rsm, 0, 0, &a, NULL);
	rc_rsm_register(rsm, 1, 0, &b, NULL);
	run_op(a, COUNTER_ADD, 3);
	ok(run_op(b, COUNTER_ADD, 4) == 7 && run_op(a, COUNTER_READ, 0) == 7,
	   "one node: add 3, add 4 from another thread, read 7");
	rc_log_tail(rc_rsm_log(rsm), &t);
	is(t, 0u, "one node: the log stays empty");
	is(rc_rsm_applied(rsm, 0), 2u, "one node: the replica applied 2");
	close2(rsm, a, b);
	rc_topo_close(one);
}

int main(void)
{
	rc_topo_t *topo = open_topo(TWO_NODES);

	if (!topo) {
		skip_all("no synthetic layout");
		return 0;
	}
	test_create(topo);
	test_structures(topo);
	run_stale(topo, false, true);
	run_stale(topo, false, false);
	run_stale(topo, true, true);
	run_stale(topo, true, false);
	test_stall(topo);
	test_idle(topo);
	test_direct();
	signal(SIGALRM, watchdog);
	alarm((unsigned)tap_env_fixed("RC_RSM_WATCHDOG_S", 300));
	test_park(topo, false);
	{
		rc_topo_t *one = open_topo("numa:1 core:2 pu:1");

		test_park(one, true);
		if (one)
			rc_topo_close(one);
	}
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
