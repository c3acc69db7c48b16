/* SPDX-License-Identifier: MIT */
/* test_paxos_threads.c: the Paxos group on real cores keeps committing with a stalled node and with a crashed minority, under both runners; deliveries checked; proposals come back when a node's rings are full; a parked waiter is woken by its commit; a membership change lets the new members commit without the old majority. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <replicore/clock.h>
#include <replicore/paxos.h>
#include <replicore/topo.h>

#include "protocols/paxos/internal.h"
#include "tests/tap.h"

static enum rc_paxos_runner runner;
static enum rc_wait_policy policy;
static const char *rname;

/*
 * Each test runs twice: with the callers runner (the threads that propose
 * and wait run the nodes; spin-then-park waits) and with a thread per
 * node (park waits), on a synthetic layout with one PU per NUMA node,
 * mapped onto the machine's PUs. Commands (RC_PAXOS_CMDS, default 200,
 * times RC_SCALE) go to live nodes; every wait is bounded (WAIT_NS) and a
 * run that does not finish fails instead of hanging. After the run the
 * deliveries are checked for agreement, validity, integrity, no gaps and
 * liveness.
 */

#define WAIT_NS 120000000000ull /* 120 s */

static struct rc_paxos_config ns_config(unsigned nodes, uint64_t seed)
{
	struct rc_paxos_config cfg = RC_PAXOS_CONFIG_INITIALIZER;

	cfg.nodes = nodes;
	cfg.heartbeat = 2000000; /* 2 ms */
	cfg.election = 40000000; /* 40 ms */
	cfg.retry = 80000000;	 /* 80 ms */
	cfg.seed = seed;
	return cfg;
}

static rc_paxos_t *start_f(unsigned nodes, const char *layout,
			   const char *faults, uint64_t fault_ns,
			   rc_topo_t **topo)
{
	struct rc_paxos_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_paxos_t *p = NULL;

	memset(&o, 0, sizeof o);
	if (rc_topo_open(topo, layout, NULL, &err) < 0) {
		rc_err_print(&err, stderr);
		return NULL;
	}
	o.cfg = ns_config(nodes, 7);
	o.runner = runner;
	o.wait = policy;
	o.fault_ns = fault_ns;
	o.topo = *topo;
	o.check = true;
	rc_paxos_faults_parse(faults, &o.faults, &err);
	if (rc_paxos_create(&p, &o, &err) < 0) {
		rc_err_print(&err, stderr);
		return NULL;
	}
	return p;
}

static rc_paxos_t *start(unsigned nodes, const char *layout, const char *faults,
			 rc_topo_t **topo)
{
	return start_f(nodes, layout, faults, 0, topo);
}

static void propose(rc_paxos_t *p, unsigned node, uint64_t op)
{
	struct rc_paxos_cmd c = { 0, op, op * 3, (uint32_t)node, 0 };

	rc_paxos_propose(p, node, &c, NULL);
}

static bool wait_all(rc_paxos_t *p, const unsigned *nodes, unsigned n,
		     uint64_t count)
{
	for (unsigned i = 0; i < n; i++)
		if (rc_paxos_wait(p, nodes[i], count, WAIT_NS) < 0) {
			diag("node %u delivered %llu of %llu", nodes[i],
			     (unsigned long long)rc_paxos_delivered(p,
								    nodes[i]),
			     (unsigned long long)count);
			return false;
		}
	return true;
}

static void verify(rc_paxos_t *p, const char *what)
{
	char why[256];
	unsigned v = rc_paxos_verify(p, why, sizeof why);

	is(v, 0, "%s: agreement, validity, integrity, no gaps, liveness%s%s",
	   what, v ? ": " : "", v ? why : "");
}

/* Three nodes; the leader stalls; the other two keep committing. */
static void test_stall(uint64_t cmds)
{
	rc_topo_t *topo = NULL;
	rc_paxos_t *p = start(3, "numa:3 core:1 pu:1", "none", &topo);
	const unsigned live[] = { 1, 2 }, all[] = { 0, 1, 2 };
	struct rc_paxos_node_stats st;
	uint64_t ballots = 0;

	ok(p != NULL, "%s: 3 nodes started on numa:3 core:1 pu:1", rname);
	if (!p) {
		rc_topo_close(topo);
		return;
	}
	for (uint64_t k = 0; k < 20; k++)
		propose(p, 0, k);
	ok(wait_all(p, all, 3, 20), "20 commands at node 0 commit everywhere");
	rc_paxos_stall(p, 0, WAIT_NS);
	for (uint64_t k = 0; k < cmds; k++)
		propose(p, 1 + (unsigned)(k % 2), 1000 + k);
	ok(wait_all(p, live, 2, 20 + cmds),
	   "with node 0 stalled, nodes 1 and 2 commit %llu more",
	   (unsigned long long)cmds);
	rc_paxos_stall(p, 0, 0);
	ok(wait_all(p, all, 1, 20 + cmds), "node 0 resumes and catches up");
	rc_paxos_stop(p);
	for (unsigned i = 0; i < 3; i++) {
		rc_paxos_stats(p, i, &st);
		ballots += st.elections;
	}
	ok(ballots >= 2, "a new leader took over (%llu ballots started)",
	   (unsigned long long)ballots);
	verify(p, "3 nodes, one stalled");
	rc_paxos_destroy(p);
	rc_topo_close(topo);
}

/* Five nodes, two of them crash (the first leader among them), with
 * lossy messages: the other three keep committing. */
static void test_crash(uint64_t cmds)
{
	rc_topo_t *topo = NULL;
	rc_paxos_t *p = start(5, "numa:5 core:1 pu:1",
			      "drop=0.02,dup=0.02,delay=0.02", &topo);
	const unsigned live[] = { 2, 3, 4 }, all[] = { 0, 1, 2, 3, 4 };

	ok(p != NULL, "%s: 5 nodes started on numa:5 core:1 pu:1, lossy links",
	   rname);
	if (!p) {
		rc_topo_close(topo);
		return;
	}
	for (uint64_t k = 0; k < 20; k++)
		propose(p, (unsigned)(k % 5), k);
	ok(wait_all(p, all, 5, 20), "20 commands commit everywhere");
	rc_paxos_crash(p, 0);
	rc_paxos_crash(p, 1);
	is(rc_paxos_propose(p, 0, &(struct rc_paxos_cmd){ 0, 1, 1, 0, 0 },
			    NULL),
	   -RC_EAGAIN, "a crashed node takes no command");
	for (uint64_t k = 0; k < cmds; k++)
		propose(p, 2 + (unsigned)(k % 3), 1000 + k);
	ok(wait_all(p, live, 3, 20 + cmds),
	   "with nodes 0 and 1 crashed, nodes 2, 3, 4 commit %llu more",
	   (unsigned long long)cmds);
	verify(p, "5 nodes, two crashed");
	rc_paxos_destroy(p);
	rc_topo_close(topo);
}

/*
 * Five nodes with every fault from the seed: lossy links, two crashes and
 * three stalls within the first 300 ms. Commands go to the nodes the
 * schedule spares, during and after the faults; every one of them must be
 * delivered by every node the schedule spares.
 */
static void test_seeded(uint64_t cmds)
{
	rc_topo_t *topo = NULL;
	rc_paxos_t *p = start_f(5, "numa:5 core:1 pu:1",
				"drop=0.02,dup=0.02,delay=0.02,crash=2,stall=3",
				300000000, &topo);
	unsigned live[5], nlive = 0;
	struct timespec ts = { 0, 1000000 };
	uint64_t doomed;

	ok(p != NULL,
	   "%s: 5 nodes with seeded drops, duplicates, delays, two "
	   "crashes and three stalls",
	   rname);
	if (!p) {
		rc_topo_close(topo);
		return;
	}
	doomed = rc_paxos_doomed(p);
	for (unsigned i = 0; i < 5; i++)
		if (!(doomed >> i & 1))
			live[nlive++] = i;
	is(nlive, 3, "the schedule crashes two nodes (mask %llx)",
	   (unsigned long long)doomed);
	for (uint64_t k = 0; k < cmds; k++) {
		propose(p, live[k % nlive], 1000 + k);
		if (k % 4 == 0)
			nanosleep(&ts, NULL); /* spread over the faults */
	}
	/* Past the fault period and the longest stall. */
	ts.tv_nsec = 500000000;
	nanosleep(&ts, NULL);
	for (unsigned i = 0; i < 5; i++)
		if (doomed >> i & 1)
			is(rc_paxos_propose(
				   p, i,
				   &(struct rc_paxos_cmd){ 0, 1, 1, 0, 0 },
				   NULL),
			   -RC_EAGAIN, "node %u crashed as scheduled", i);
	for (uint64_t k = 0; k < 20; k++)
		propose(p, live[k % nlive], 5000 + k);
	ok(wait_all(p, live, nlive, cmds + 20),
	   "the other three deliver all %llu commands, during and after "
	   "the faults",
	   (unsigned long long)cmds + 20);
	verify(p, "5 nodes, seeded faults");
	rc_paxos_destroy(p);
	rc_topo_close(topo);
}

/*
 * A node that does not take its messages fills the rings to it, and a
 * proposal does not wait for room there: what does not fit is dropped
 * (lost, in the stats), as a lossy network would, and the protocol
 * resends or catches up. Node 2 stalls; nodes 0 and 1 commit `fill`
 * commands one at a time (RC_PAXOS_FILL, default 1000: every commit
 * sends node 2 an ACCEPT and a DECIDE, three lines or more of its
 * 1024-line ring, so the ring fills after about 340); then `burst`
 * proposals at node 0 while the ring is full must all come back (the
 * alarm in main fails a hang). Node 2 resumes and catches up with all of
 * them.
 */
static void test_full_inbox(uint64_t burst)
{
	rc_topo_t *topo = NULL;
	rc_paxos_t *p = start(3, "numa:3 core:1 pu:1", "none", &topo);
	const unsigned live[] = { 0, 1 }, all[] = { 0, 1, 2 };
	uint64_t fill = tap_env_u64("RC_PAXOS_FILL", 1000), lost = 0, n = 20;
	struct rc_paxos_node_stats st;
	bool filled = true, back = true;

	ok(p != NULL, "%s: full inbox: 3 nodes", rname);
	if (!p) {
		rc_topo_close(topo);
		return;
	}
	for (uint64_t k = 0; k < n; k++)
		propose(p, 0, k);
	ok(wait_all(p, all, 3, n), "%s: full inbox: 20 commands commit", rname);
	rc_paxos_stall(p, 2, WAIT_NS);
	for (uint64_t k = 0; k < fill && filled; k++) {
		propose(p, 0, 1000 + k);
		filled = wait_all(p, live, 2, ++n);
	}
	ok(filled,
	   "%s: full inbox: with node 2 stalled, nodes 0 and 1 commit %llu "
	   "one at a time",
	   rname, (unsigned long long)fill);
	for (uint64_t k = 0; k < burst; k++)
		back &= rc_paxos_propose(p, 0,
					 &(struct rc_paxos_cmd){ 0, 100000 + k,
								 k, 0, 0 },
					 NULL) == 0;
	n += burst;
	ok(back, "%s: full inbox: %llu more proposals at node 0 come back",
	   rname, (unsigned long long)burst);
	ok(wait_all(p, live, 2, n), "%s: full inbox: and commit at nodes 0, 1",
	   rname);
	rc_paxos_stall(p, 2, 0);
	ok(wait_all(p, all + 2, 1, n),
	   "%s: full inbox: node 2 resumes and catches up", rname);
	rc_paxos_stop(p);
	for (unsigned i = 0; i < 3; i++) {
		rc_paxos_stats(p, i, &st);
		lost += st.lost;
	}
	ok(lost > 0, "%s: full inbox: %llu messages to a full ring dropped",
	   rname, (unsigned long long)lost);
	verify(p, "full inbox");
	rc_paxos_destroy(p);
	rc_topo_close(topo);
}

static _Atomic uint64_t slots_at[3];

static void count_slot(void *arg, unsigned node, uint64_t slot,
		       const struct rc_paxos_cmd *cmds, unsigned n)
{
	(void)arg;
	(void)slot;
	(void)cmds;
	/* relaxed: a count read after rc_paxos_wait's acquire */
	if (n > 0)
		atomic_fetch_add_explicit(&slots_at[node], 1,
					  memory_order_relaxed);
}

/*
 * Commands proposed together share a slot: eight at the leader, then
 * eight at a follower (forwarded in one message), each add one slot with
 * commands at every node. RC_TEST_BATCH sets cfg.batch (default 64): 1
 * shows the test failing.
 */
static void test_batch(void)
{
	struct rc_paxos_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo = NULL;
	rc_paxos_t *p = NULL;
	struct rc_paxos_cmd c[8];
	const unsigned all[] = { 0, 1, 2 };

	memset(&o, 0, sizeof o);
	if (rc_topo_open(&topo, "numa:3 core:1 pu:1", NULL, &err) < 0) {
		rc_err_print(&err, stderr);
		ok(false, "%s: batch: layout", rname);
		return;
	}
	o.cfg = ns_config(3, 11);
	o.cfg.batch = (unsigned)tap_env_u64("RC_TEST_BATCH", 64);
	o.runner = runner;
	o.wait = policy;
	o.topo = topo;
	o.deliver = count_slot;
	for (unsigned i = 0; i < 3; i++)
		atomic_store(&slots_at[i], 0);
	ok(rc_paxos_create(&p, &o, &err) == 0, "%s: batch: 3 nodes", rname);
	if (!p) {
		rc_topo_close(topo);
		return;
	}
	propose(p, 0, 1);
	ok(wait_all(p, all, 3, 1), "%s: batch: a first command commits", rname);
	for (unsigned round = 0; round < 2; round++) {
		unsigned at = round ? 1 : 0;
		uint64_t before[3];
		bool one = true;

		for (unsigned i = 0; i < 3; i++)
			before[i] = atomic_load(&slots_at[i]);
		for (unsigned i = 0; i < 8; i++)
			c[i] = (struct rc_paxos_cmd){ 0, 100 + i, i, at, 0 };
		is(rc_paxos_proposev(p, at, c, 8, NULL), 0,
		   "%s: batch: 8 commands proposed at node %u", rname, at);
		ok(wait_all(p, all, 3, 9 + 8 * round),
		   "%s: batch: they commit everywhere", rname);
		for (unsigned i = 0; i < 3; i++)
			one &= atomic_load(&slots_at[i]) == before[i] + 1;
		ok(one, "%s: batch: in one slot at every node (%s)", rname,
		   at ? "forwarded by a follower" : "at the leader");
	}
	rc_paxos_destroy(p);
	rc_topo_close(topo);
}

struct waiter {
	rc_paxos_t *p;
	unsigned node;
	uint64_t count;
	int rc;
};

static void *wait_main(void *arg)
{
	struct waiter *w = arg;

	w->rc = rc_paxos_wait(w->p, w->node, w->count, UINT64_MAX);
	return NULL;
}

/*
 * No lost wake-up: with a thread per node and the park policy, a waiter
 * for node 2's second delivery parks with no time bound while node 2 is
 * stalled; the command commits at nodes 0 and 1; node 2 resumes,
 * delivers, and its delivery must wake the waiter. Only a delivery wakes
 * a waiter's event, so a lost wake-up leaves the waiter parked for good
 * and the alarm fails the test.
 */
static void test_park(void)
{
	rc_topo_t *topo = NULL;
	rc_paxos_t *p;
	const unsigned all[] = { 0, 1, 2 }, two[] = { 0, 1 };
	struct waiter w;
	struct timespec ts = { 0, 100000 };
	pthread_t th;
	unsigned spins = 0;

	runner = RC_PAXOS_RUN_THREADS;
	policy = RC_WAIT_PARK;
	rname = "park";
	p = start(3, "numa:3 core:1 pu:1", "none", &topo);
	ok(p != NULL, "park: 3 nodes, a thread each, park waits");
	if (!p) {
		rc_topo_close(topo);
		return;
	}
	propose(p, 0, 1);
	ok(wait_all(p, all, 3, 1),
	   "park: the first command commits everywhere");
	rc_paxos_stall(p, 2, WAIT_NS);
	w = (struct waiter){ p, 2, 2, 1 };
	if (pthread_create(&th, NULL, wait_main, &w) != 0) {
		ok(false, "park: waiter thread");
		rc_paxos_destroy(p);
		rc_topo_close(topo);
		return;
	}
	while (_rc_paxos_parked(p, 2) == 0 && spins++ < 600000)
		nanosleep(&ts, NULL);
	is(_rc_paxos_parked(p, 2), 1, "park: the waiter for node 2 parked");
	propose(p, 0, 2);
	ok(wait_all(p, two, 2, 2), "park: nodes 0 and 1 commit the second");
	is(rc_paxos_delivered(p, 2), 1,
	   "park: node 2, stalled, has not delivered it");
	is(_rc_paxos_parked(p, 2), 1, "park: the waiter is still parked");
	rc_paxos_stall(p, 2, 0);
	pthread_join(th, NULL);
	is(w.rc, 0, "park: node 2's delivery woke the waiter");
	is(_rc_paxos_parked(p, 2), 0, "park: nobody is left parked");
	rc_paxos_destroy(p);
	rc_topo_close(topo);
}

/*
 * Membership: four nodes, members 0, 1 and 2 (node 3 a spare), alpha 8,
 * a command per slot. After 20 commands the group becomes 1, 2 and 3; 10
 * commands after the change has been delivered fill 10 slots past it, so
 * the new set governs; then nodes 0 and 1 crash, which leaves no
 * majority of the first set but one of the new set, and nodes 2 and 3
 * commit the rest.
 */
static void test_member(uint64_t cmds)
{
	struct rc_paxos_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo = NULL;
	rc_paxos_t *p = NULL;
	const unsigned all[] = { 0, 1, 2, 3 }, live[] = { 2, 3 };

	memset(&o, 0, sizeof o);
	if (rc_topo_open(&topo, "numa:4 core:1 pu:1", NULL, &err) < 0) {
		rc_err_print(&err, stderr);
		ok(0, "%s: the layout", rname);
		return;
	}
	o.cfg = ns_config(4, 11);
	o.cfg.members = 0x7;
	o.cfg.alpha = 8;
	o.cfg.batch = 1;
	o.runner = runner;
	o.wait = policy;
	o.topo = topo;
	o.check = true;
	ok(rc_paxos_create(&p, &o, &err) == 0,
	   "%s: 4 nodes, members 0 1 2, alpha 8", rname);
	if (!p) {
		rc_topo_close(topo);
		return;
	}
	for (uint64_t k = 0; k < 20; k++)
		propose(p, (unsigned)(k % 4), k);
	ok(wait_all(p, all, 4, 20), "20 commands commit everywhere");
	is(rc_paxos_reconfigure(p, 1, 0x10, NULL), -RC_EINVAL,
	   "a set naming node 4 of 4 is refused");
	ok(rc_paxos_reconfigure(p, 1, 0xe, NULL) == 0,
	   "members 1 2 3 submitted");
	for (uint64_t k = 0; k < 20; k++)
		propose(p, (unsigned)(k % 4), 100 + k);
	ok(wait_all(p, all, 4, 41), "the change and 20 more commit");
	for (uint64_t k = 0; k < 10; k++)
		propose(p, (unsigned)(k % 4), 200 + k);
	ok(wait_all(p, all, 4, 51), "then 10 more");
	rc_paxos_crash(p, 0);
	rc_paxos_crash(p, 1);
	for (uint64_t k = 0; k < cmds; k++)
		propose(p, 2 + (unsigned)(k % 2), 1000 + k);
	ok(wait_all(p, live, 2, 51 + cmds),
	   "with nodes 0 and 1 crashed, nodes 2 and 3 commit %llu more",
	   (unsigned long long)cmds);
	verify(p, "a membership change");
	rc_paxos_destroy(p);
	rc_topo_close(topo);
}

int main(void)
{
	uint64_t cmds = tap_env_u64("RC_PAXOS_CMDS", 200);

	/* A lost wake-up hangs a test; fail it instead. */
	alarm(600);
	for (unsigned r = 0; r < 2; r++) {
		runner = r ? RC_PAXOS_RUN_THREADS : RC_PAXOS_RUN_CALLERS;
		policy = r ? RC_WAIT_PARK : RC_WAIT_SPIN_PARK;
		rname = r ? "threads" : "callers";
		test_stall(cmds);
		test_crash(cmds);
		test_seeded(cmds);
		test_full_inbox(cmds);
		test_batch();
		test_member(cmds);
	}
	test_park();
	done_testing();
	return exit_status();
}
