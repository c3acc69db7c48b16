/* SPDX-License-Identifier: MIT */
/* test_paxos_read_index.c: rc_paxos_read_index on the threaded group, under both runners: answered with every node up, at least every count delivered before the call (with commands committing meanwhile), refused on the minority side of a partition (the cut-off leader included) while the majority's reads succeed, and refused at a crashed node. Built with RC_PAXOS_BROKEN_READS (test_paxos_broken_read_index), the cut-off leader's read must come back stale instead. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include <replicore/clock.h>
#include <replicore/paxos.h>
#include <replicore/topo.h>

#include "tests/tap.h"
#include "tests/unit/paxos_propose.h"

#define LAYOUT "numa:3 core:1 pu:1"
#define TIMEOUT_NS 60000000000ull /* a bounded wait: never reached */
#define SHORT_NS 200000000ull	  /* 200 ms: what a cut-off read waits */

static rc_paxos_t *group(const rc_topo_t *topo, bool threads)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_paxos_opts o;
	rc_paxos_t *p = NULL;

	rc_log_paxos_defaults(&o);
	o.cfg.nodes = 3;
	o.topo = topo;
	o.check = true;
	o.runner = threads ? RC_PAXOS_RUN_THREADS : RC_PAXOS_RUN_CALLERS;
	o.wait = threads ? RC_WAIT_PARK : RC_WAIT_SPIN_PARK;
	if (rc_paxos_create(&p, &o, &err) < 0)
		diag("create: %s", err.msg);
	return p;
}

static uint64_t max_delivered(const rc_paxos_t *p)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < 3; i++)
		if (rc_paxos_delivered(p, i) > m)
			m = rc_paxos_delivered(p, i);
	return m;
}

/* A writer at node 0: proposes and waits for each command, n times,
 * after the first 6. */
struct writer {
	rc_paxos_t *p;
	unsigned n;
	_Atomic bool done;
	int rc;
};

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	int rc = 0;

	for (unsigned i = 0; i < w->n && rc == 0; i++) {
		rc = propose_n(w->p, 0, 1, 1000 + i);
		if (rc == 0)
			rc = rc_paxos_wait(w->p, 0, 7 + i, TIMEOUT_NS);
	}
	w->rc = rc;
	/* release: rc before done; pairs with the acquire in the reader */
	atomic_store_explicit(&w->done, true, memory_order_release);
	return NULL;
}

static void test_reads(const rc_topo_t *topo, bool threads, unsigned reads)
{
	const char *rn = threads ? "threads" : "callers";
	rc_paxos_t *p = group(topo, threads);
	uint64_t idx = 0, before, stale = 0, nread = 0;
	unsigned lead, a, b;
	struct writer w;
	pthread_t th;
	char why[256] = "";
	int rc = 0, bad = 0;

	ok(p != NULL, "%s: a group of 3", rn);
	if (!p)
		return;
	is(rc_paxos_read_index(p, 3, TIMEOUT_NS, &idx), -RC_EINVAL,
	   "%s: a read at node 3 of 3 is refused", rn);
	rc = propose_n(p, 1, 5, 0);
	for (unsigned i = 0; i < 3 && rc == 0; i++)
		rc = rc_paxos_wait(p, i, 5, TIMEOUT_NS);
	ok(rc == 0, "%s: 5 commands reach every node", rn);
	for (unsigned i = 0; i < 3 && rc == 0; i++) {
		rc = rc_paxos_read_index(p, i, TIMEOUT_NS, &idx);
		if (rc == 0 && (idx < 5 || rc_paxos_delivered(p, i) < idx))
			rc = -1;
	}
	ok(rc == 0,
	   "%s: a read index at each node is >= 5 and delivered "
	   "there",
	   rn);

	/* Reads at nodes 1 and 2 while node 0 commits. */
	memset(&w, 0, sizeof w);
	w.p = p;
	w.n = reads;
	rc = propose_n(p, 0, 1, 900);
	if (rc == 0)
		rc = rc_paxos_wait(p, 0, 6, TIMEOUT_NS);
	ok(rc == 0, "%s: a sixth command", rn);
	if (pthread_create(&th, NULL, writer_main, &w) != 0) {
		ok(0, "%s: the writer thread", rn);
		rc_paxos_destroy(p);
		return;
	}
	/* At least one read, however fast the writer is (on a loaded
	 * machine it once finished its 200 commits before the first
	 * read). */
	do {
		unsigned node = 1 + (unsigned)(nread % 2);

		before = max_delivered(p);
		rc = rc_paxos_read_index(p, node, TIMEOUT_NS, &idx);
		if (rc != 0) {
			bad++;
			break;
		}
		if (idx < before || rc_paxos_delivered(p, node) < idx)
			stale++;
		nread++;
		/* acquire: pairs with the writer's release */
	} while (!atomic_load_explicit(&w.done, memory_order_acquire));
	pthread_join(th, NULL);
	ok(w.rc == 0 && bad == 0 && nread > 0,
	   "%s: %llu reads at nodes 1 and 2 answered while node 0 committed "
	   "%u commands",
	   rn, (unsigned long long)nread, reads);
	is(stale, 0,
	   "%s: each index >= the largest count delivered before the call, "
	   "and delivered at the reading node",
	   rn);

	/* Cut off the leader: the deposed leader's reads are not answered,
	 * the majority's are, and cover what it commits meanwhile. */
	lead = rc_paxos_leader(p, 0);
	a = (lead + 1) % 3;
	b = (lead + 2) % 3;
	ok(rc_paxos_partition(p, 1ull << lead, 0) == 0,
	   "%s: the leader, node %u, is cut off", rn, lead);
	rc = propose_n(p, a, 3, 2000);
	if (rc == 0)
		rc = rc_paxos_wait(p, a, 6 + reads + 3, TIMEOUT_NS);
	ok(rc == 0, "%s: nodes %u and %u commit 3 more", rn, a, b);
	before = max_delivered(p);
	rc = rc_paxos_read_index(p, lead, SHORT_NS, &idx);
#ifdef RC_PAXOS_BROKEN_READS
	/* The copy whose leader skips the confirmation round: the deposed
	 * leader answers from its own count, below the majority's. */
	ok(rc == 0 && idx < before,
	   "%s: broken: the cut-off node %u answers a stale index %llu < "
	   "%llu",
	   rn, lead, (unsigned long long)(rc == 0 ? idx : 0),
	   (unsigned long long)before);
	/* The rest needs reads that wait for a confirmed index. */
	rc_paxos_destroy(p);
	return;
#else
	is(rc, -RC_ETIMEDOUT,
	   "%s: a read at the cut-off node %u times out (index %llu if "
	   "answered, %llu delivered on the majority side)",
	   rn, lead, (unsigned long long)(rc == 0 ? idx : 0),
	   (unsigned long long)before);
#endif
	rc = rc_paxos_read_index(p, b, TIMEOUT_NS, &idx);
	ok(rc == 0 && idx >= before && rc_paxos_delivered(p, b) >= idx,
	   "%s: a read at node %u succeeds with index %llu >= %llu", rn, b,
	   (unsigned long long)idx, (unsigned long long)before);
	rc_paxos_heal(p);
	before = max_delivered(p);
	rc = rc_paxos_read_index(p, lead, TIMEOUT_NS, &idx);
	ok(rc == 0 && idx >= before && rc_paxos_delivered(p, lead) >= idx,
	   "%s: after the heal node %u reads index %llu >= %llu", rn, lead,
	   (unsigned long long)idx, (unsigned long long)before);

	ok(rc_paxos_crash(p, b) == 0, "%s: node %u crashes", rn, b);
	is(rc_paxos_read_index(p, b, TIMEOUT_NS, &idx), -RC_EAGAIN,
	   "%s: a read at the crashed node fails with -RC_EAGAIN", rn);
	before = max_delivered(p);
	rc = rc_paxos_read_index(p, a, TIMEOUT_NS, &idx);
	ok(rc == 0 && idx >= before,
	   "%s: the two others still read (index %llu >= %llu)", rn,
	   (unsigned long long)idx, (unsigned long long)before);
	ok(rc_paxos_verify(p, why, sizeof why) == 0,
	   "%s: agreement, validity, integrity, no gaps, liveness (%s)", rn,
	   why);
	rc_paxos_destroy(p);
}

int main(void)
{
	unsigned reads = (unsigned)tap_env_u64("RC_PAXOS_CMDS", 200);
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo = NULL;

	/* A lost wake-up hangs a test; fail it instead. */
	alarm(600);
	if (rc_topo_open(&topo, LAYOUT, NULL, &err) < 0) {
		ok(0, "the layout %s (%s)", LAYOUT, err.msg);
		done_testing();
		return exit_status();
	}
	test_reads(topo, false, reads);
	test_reads(topo, true, reads);
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
