/* SPDX-License-Identifier: MIT */
/* test_rsm_restart.c: snapshots and crash-recovery of rc_rsm over the Paxos log: a node crashes while updates flow, restarts from a peer's snapshot, and its replica ends equal to the others. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <replicore/clock.h>
#include <replicore/paxos.h>
#include <replicore/rsm.h>

#include "tests/tap.h"
#include "examples/rsm_counter.h"
#include "examples/rsm_map.h"
#include "examples/rsm_pq.h"
#include "examples/rsm_stack.h"

#define LAYOUT "numa:3 core:1 pu:1"
#define KEYS 512u

struct worker {
	rc_rsm_t *rsm;
	unsigned pu;
	uint64_t from, n; /* puts of keys from % KEYS + 1 ... */
	uint64_t ok, eagain, other;
};

/* Puts n values at its node; counts what succeeded and what failed. */
static void *work(void *arg)
{
	struct worker *w = arg;
	rc_rsm_handle_t *h;

	if (rc_rsm_register(w->rsm, w->pu, 0, &h, NULL) < 0) {
		w->other++;
		return NULL;
	}
	for (uint64_t i = 0; i < w->n; i++) {
		uint64_t k = (w->from + i) % KEYS + 1, r;
		int rc = rc_rsm_execute(h, MAP_OP(MAP_PUT, k), w->from + i, &r);

		if (rc == 0)
			w->ok++;
		else if (rc == -RC_EAGAIN)
			w->eagain++;
		else
			w->other++;
		if (rc == -RC_EAGAIN)
			break; /* the node crashed */
	}
	rc_rsm_unregister(h);
	return NULL;
}

static bool maps_equal(const struct map *a, const struct map *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->cap; i++) {
		size_t j;

		if (!a->keys[i])
			continue;
		j = map_slot(b, a->keys[i]);
		if (b->keys[j] != a->keys[i] || b->vals[j] != a->vals[i])
			return false;
	}
	return true;
}

static void test_restart(rc_topo_t *topo)
{
	struct rc_paxos_opts po;
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	struct worker w[3];
	pthread_t t[3];
	rc_log_t *log = NULL;
	rc_rsm_t *rsm = NULL;
	rc_paxos_t *px;
	rc_rsm_handle_t *h;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_paxos_node_stats st;
	uint64_t r = 0;
	int rc;

	(void)r;

	rc_log_paxos_defaults(&po);
	po.topo = topo;
	po.snapshots = true;
	ok(rc_log_paxos_create(&log, 3, &po, &err) == 0,
	   "a paxos log with "
	   "snapshots (%s)",
	   err.msg);
	o.log = log;
	o.snapshot_every = 1024;
	ok(rc_rsm_create(&rsm, &map_ops, NULL, topo, &o, &err) == 0,
	   "a map over it, a snapshot every 1024 entries (%s)", err.msg);
	px = rc_log_paxos_group(log);
	/* Phase 1: all three nodes put; node 2 crashes midway, from the
	 * main thread, after its worker did some. */
	for (unsigned i = 0; i < 3; i++) {
		w[i] = (struct worker){ rsm, i, 100000 * i, 20000, 0, 0, 0 };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	while (rc_rsm_applied(rsm, 2) < 6000) {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL); /* no spinning: 2 CPUs, 3 workers */
	}
	ok(rc_paxos_crash(px, 2) == 0, "node 2 crashes while updates flow");
	for (unsigned i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ok(w[0].ok == 20000 && w[1].ok == 20000 && w[0].other == 0 &&
		   w[1].other == 0,
	   "nodes 0 and 1 did all their puts (%llu, %llu)",
	   (unsigned long long)w[0].ok, (unsigned long long)w[1].ok);
	ok(w[2].eagain == 1 && w[2].other == 0 && w[2].ok < 20000,
	   "node 2's worker stopped with -RC_EAGAIN after %llu puts",
	   (unsigned long long)w[2].ok);
	/* Phase 2: nodes 0 and 1 go on without node 2. */
	for (unsigned i = 0; i < 2; i++) {
		w[i] = (struct worker){ rsm, i, 300000 + 100000 * i, 10000, 0,
					0,   0 };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	rc_paxos_stats(px, 0, &st); /* zeros until stopped; kept below */
	/* Phase 3: node 2 restarts while nodes 0 and 1 put. */
	for (unsigned i = 0; i < 2; i++) {
		w[i] = (struct worker){ rsm, i, 500000 + 100000 * i, 10000, 0,
					0,   0 };
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	rc = rc_rsm_restart(rsm, 2, &err);
	ok(rc == 0, "node 2 restarts (%s)", err.msg);
	ok(rc_rsm_applied(rsm, 2) > 0, "from a peer's snapshot at entry %llu",
	   (unsigned long long)rc_rsm_applied(rsm, 2));
	w[2] = (struct worker){ rsm, 2, 700000, 5000, 0, 0, 0 };
	pthread_create(&t[2], NULL, work, &w[2]);
	for (unsigned i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	ok(w[2].ok == 5000 && w[2].other == 0 && w[2].eagain == 0,
	   "the restarted node's appends succeed (%llu of 5000)",
	   (unsigned long long)w[2].ok);
	ok(w[0].ok == 10000 && w[1].ok == 10000, "and the others' too");
	/* Linearizable reads at nodes 2 and 0 agree, key by key. */
	{
		rc_rsm_handle_t *h0;
		unsigned same = 0;

		rc_rsm_register(rsm, 2, 0, &h, NULL);
		rc_rsm_register(rsm, 0, 0, &h0, NULL);
		for (uint64_t k = 1; k <= KEYS; k++) {
			uint64_t r0 = 1;

			rc_rsm_execute(h, MAP_OP(MAP_GET, k), 0, &r);
			rc_rsm_execute(h0, MAP_OP(MAP_GET, k), 0, &r0);
			same += r == r0 && r != 0;
		}
		rc_rsm_unregister(h);
		rc_rsm_unregister(h0);
		ok(same == KEYS,
		   "reads at node 2 and node 0 agree on %u of %u "
		   "keys",
		   same, KEYS);
	}
	rc_rsm_sync(rsm);
	ok(maps_equal(rc_rsm_replica(rsm, 0), rc_rsm_replica(rsm, 2)) &&
		   maps_equal(rc_rsm_replica(rsm, 1), rc_rsm_replica(rsm, 2)),
	   "after the run the restarted replica equals the others");
	ok(rc_rsm_applied(rsm, 0) == rc_rsm_applied(rsm, 2),
	   "and has applied as many entries (%llu)",
	   (unsigned long long)rc_rsm_applied(rsm, 2));
	/* The restarted node counts the checkpoint's commands and what it
	 * delivered since, not its count before the crash: once both
	 * delivered everything, node 2's count is node 0's. */
	ok(rc_paxos_wait(px, 2, rc_paxos_delivered(px, 0), 10000000000ull) ==
			   0 &&
		   rc_paxos_wait(px, 0, rc_paxos_delivered(px, 2),
				 10000000000ull) == 0 &&
		   rc_paxos_delivered(px, 2) == rc_paxos_delivered(px, 0),
	   "rc_paxos_delivered after the restart: node 2 %llu, node 0 %llu",
	   (unsigned long long)rc_paxos_delivered(px, 2),
	   (unsigned long long)rc_paxos_delivered(px, 0));
	rc_rsm_destroy(rsm);
	rc_paxos_stop(px);
	rc_paxos_stats(px, 0, &st);
	/* Without snapshots it would keep every slot since node 2's crash. */
	ok(st.kept < st.delivered / 4,
	   "node 0 keeps %llu slots of %llu delivered",
	   (unsigned long long)st.kept, (unsigned long long)st.delivered);
	rc_log_destroy(log);
}

/* A get of key k at node, from a thread of its own (see get_within). */
struct getter {
	rc_rsm_t *rsm;
	unsigned node;
	uint64_t k, r;
	_Atomic bool done;
};

static void *get_main(void *arg)
{
	struct getter *g = arg;
	rc_rsm_handle_t *h;

	if (rc_rsm_register(g->rsm, g->node, 0, &h, NULL) == 0) {
		rc_rsm_execute(h, MAP_OP(MAP_GET, g->k), 0, &g->r);
		rc_rsm_unregister(h);
	}
	/* seq_cst: publishes r to get_within */
	atomic_store(&g->done, true);
	return NULL;
}

/*
 * Key k's value read at node by a thread of its own, the only thread
 * using the group; false when the read has not returned within 10 s (a
 * liveness bound, not a speed target: the read is then stuck for good,
 * and its thread is left behind).
 */
static bool get_within(rc_rsm_t *rsm, unsigned node, uint64_t k, uint64_t *r)
{
	static struct getter g; /* outlives a stuck thread */
	pthread_t t;
	uint64_t end = rc_clock_now_ns() + 10000000000ull;

	g = (struct getter){ rsm, node, k, 0, false };
	pthread_create(&t, NULL, get_main, &g);
	/* seq_cst: pairs with the store in get_main */
	while (!atomic_load(&g.done) && rc_clock_now_ns() < end) {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	if (!atomic_load(&g.done)) {
		pthread_detach(t);
		return false;
	}
	pthread_join(t, NULL);
	*r = g.r;
	return true;
}

static bool crash_restart(rc_rsm_t *rsm, rc_paxos_t *px, unsigned node)
{
	rc_err_t err = RC_ERR_INITIALIZER;

	return rc_paxos_crash(px, node) == 0 &&
	       rc_rsm_restart(rsm, node, &err) == 0;
}

/*
 * Restarts back to back, all from the main thread (deterministic). Two
 * nodes: node 0 restarts from a peer's pair, then node 1 at once, which
 * picks the live pair with the lowest point: node 0's must then be the
 * one it restarted from (it once had none, slot 0, and node 1 started
 * from entry 0 below every base and never recovered). One node twice:
 * with snapshots every 1100 entries and checkpoints every 4096 the
 * snapshot lies past the checkpoint, so the restarted node's cursor
 * stands above its count until it delivers the entries between; its
 * read once ran nobody then and, as the group's only user, waited for
 * ever.
 */
static void test_back_to_back(rc_topo_t *topo)
{
	struct rc_paxos_opts po;
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	rc_log_t *log = NULL;
	rc_rsm_t *rsm = NULL;
	rc_paxos_t *px;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct worker w;
	uint64_t r0 = 0, r1 = 0, a;
	bool got;

	rc_log_paxos_defaults(&po);
	po.topo = topo;
	po.snapshots = true;
	if (rc_log_paxos_create(&log, 3, &po, &err) < 0) {
		ok(0, "a paxos log with snapshots (%s)", err.msg);
		return;
	}
	o.log = log;
	o.snapshot_every = 1100;
	if (rc_rsm_create(&rsm, &map_ops, NULL, topo, &o, &err) < 0) {
		ok(0, "a map over it (%s)", err.msg);
		rc_log_destroy(log);
		return;
	}
	px = rc_log_paxos_group(log);
	w = (struct worker){ rsm, 0, 0, 9000, 0, 0, 0 };
	work(&w);
	ok(w.ok == 9000, "9000 puts at node 0 (%llu)",
	   (unsigned long long)w.ok);
	ok(get_within(rsm, 1, 1, &r1) && get_within(rsm, 2, 1, &r1),
	   "reads at nodes 1 and 2 bring them up (their snapshots)");
	ok(crash_restart(rsm, px, 0) && rc_rsm_applied(rsm, 0) > 0,
	   "node 0 crashes and restarts from entry %llu",
	   (unsigned long long)rc_rsm_applied(rsm, 0));
	ok(crash_restart(rsm, px, 1) && rc_rsm_applied(rsm, 1) > 0,
	   "then node 1 at once, from entry %llu (not 0)",
	   (unsigned long long)rc_rsm_applied(rsm, 1));
	got = rc_rsm_applied(rsm, 1) > 0 && get_within(rsm, 1, 1, &r1) &&
	      get_within(rsm, 0, 1, &r0);
	ok(got && r1 == r0 && r0 == 8704 &&
		   rc_rsm_applied(rsm, 1) == rc_rsm_applied(rsm, 0),
	   "a read at node 1 returns, as node 0's (%llu, %llu), applied %llu",
	   (unsigned long long)r1, (unsigned long long)r0,
	   (unsigned long long)rc_rsm_applied(rsm, 1));
	if (!got) {
		/* a read is stuck in rsm: nothing is freed */
		return;
	}
	ok(crash_restart(rsm, px, 1) && crash_restart(rsm, px, 1),
	   "node 1 crashes and restarts twice more, back to back");
	a = rc_rsm_applied(rsm, 1);
	ok(rc_paxos_delivered(px, 1) < a,
	   "from a snapshot (entry %llu) past its checkpoint (%llu)",
	   (unsigned long long)a,
	   (unsigned long long)rc_paxos_delivered(px, 1));
	/* key 1's last put: the 17th after the first, of value 8704 */
	got = get_within(rsm, 1, 1, &r1);
	ok(got && r1 == 8704 &&
		   rc_rsm_applied(rsm, 1) == rc_rsm_applied(rsm, 0),
	   "a read at node 1, the group's only user, returns (%llu), "
	   "applied %llu",
	   (unsigned long long)r1, (unsigned long long)rc_rsm_applied(rsm, 1));
	if (!got)
		return;
	w = (struct worker){ rsm, 1, 9000, 1000, 0, 0, 0 };
	work(&w);
	ok(w.ok == 1000 && w.other == 0,
	   "node 1's appends succeed after (%llu of 1000)",
	   (unsigned long long)w.ok);
	rc_rsm_destroy(rsm);
	rc_log_destroy(log);
}

/*
 * An example's hooks: a replica built by restore from a snapshot taken
 * midway answers the next operations as the original does, and ends with
 * the same snapshot; bytes of the wrong length are refused.
 */
static void check_hooks(const char *name, const struct rc_rsm_ops *ops,
			uint64_t (*op_of)(uint64_t i, uint64_t *arg))
{
	void *a = ops->init(NULL, 0), *b = NULL;
	size_t len, len2;
	char *buf = NULL, *buf2 = NULL;
	bool same = true;
	uint64_t arg;

	for (uint64_t i = 0; i < 300; i++) {
		uint64_t op = op_of(i, &arg);

		ops->apply(a, op, arg);
	}
	len = ops->snapshot(a, NULL, 0);
	buf = malloc(len);
	ops->snapshot(a, buf, len);
	b = ops->restore(NULL, 1, buf, len);
	ok(b != NULL, "%s: restored from a snapshot of %zu bytes", name, len);
	ok(ops->restore(NULL, 1, buf, len - 1) == NULL,
	   "%s: a snapshot cut short is refused", name);
	for (uint64_t i = 300; b && i < 600; i++) {
		uint64_t op = op_of(i, &arg);

		same &= ops->apply(a, op, arg) == ops->apply(b, op, arg);
	}
	len2 = b ? ops->snapshot(b, NULL, 0) : 0;
	free(buf);
	len = ops->snapshot(a, NULL, 0);
	buf = malloc(len);
	buf2 = calloc(1, len2 ? len2 : 1);
	ops->snapshot(a, buf, len);
	if (b)
		ops->snapshot(b, buf2, len2);
	ok(same && len == len2 && memcmp(buf, buf2, len) == 0,
	   "%s: then answers and ends as the original", name);
	free(buf);
	free(buf2);
	ops->fini(a);
	if (b)
		ops->fini(b);
}

static uint64_t counter_op(uint64_t i, uint64_t *arg)
{
	*arg = i * 7 + 1;
	return i % 3 ? COUNTER_ADD : COUNTER_READ;
}

static uint64_t map_op(uint64_t i, uint64_t *arg)
{
	*arg = i * 13;
	return MAP_OP(i % 4 ? MAP_PUT : MAP_GET, (i * 31) % 200 + 1);
}

static uint64_t stack_op(uint64_t i, uint64_t *arg)
{
	*arg = i;
	return i % 3 == 2 ? STACK_POP : STACK_PUSH;
}

static uint64_t pq_op(uint64_t i, uint64_t *arg)
{
	*arg = (i * 0x9e3779b97f4a7c15ull) >> 40;
	return i % 3 == 2 ? PQ_EXTRACT_MIN : PQ_INSERT;
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo = NULL;

	if (rc_topo_open(&topo, LAYOUT, NULL, &err) < 0) {
		skip_all("layout %s: %s", LAYOUT, err.msg);
		return 0;
	}
	check_hooks("counter", &counter_ops, counter_op);
	check_hooks("map", &map_ops, map_op);
	check_hooks("stack", &stack_ops, stack_op);
	check_hooks("pq", &pq_ops, pq_op);
	test_restart(topo);
	test_back_to_back(topo);
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
