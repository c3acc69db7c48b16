/* SPDX-License-Identifier: MIT */
/* test_rsm_recover.c: a node of rc_rsm over the Paxos log that runs but falls below its peers' snapshots recovers from one of them and goes on. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/clock.h>
#include <replicore/paxos.h>
#include <replicore/rsm.h>

#include "tests/tap.h"
#include "examples/rsm_counter.h"
#include "protocols/paxos/internal.h"

#define LAYOUT "numa:3 core:1 pu:1"
#define TIMEOUT_NS 10000000000ull /* a bounded wait: never reached */

/* The slots below which node forgot everything (its base). */
static uint64_t base_of(rc_paxos_t *px, unsigned node)
{
	return _rc_paxos_base_now(px, node);
}

/*
 * Node 2 stalls with the failure detector taking it for down, as a
 * detector that times out would: nodes 0 and 1 add until both forget
 * slots node 2 has not delivered. Then node 2 resumes and is used first
 * by a read (read_first; by the tail, or by the read index with
 * RC_RSM_READ_INDEX in rflags) or by an update, which finds it behind and
 * recovers from a peer's snapshot inside the catch-up or the append's
 * help. Returns the sum added so far.
 */
static uint64_t fall_behind_and_resume(rc_rsm_t *rsm, rc_log_t *log,
				       rc_rsm_handle_t *h[3], uint64_t sum,
				       bool read_first, unsigned rflags)
{
	const char *what = !read_first			? "update first"
			   : rflags & RC_RSM_READ_INDEX ? "read index first"
							: "read first";
	rc_paxos_t *px = rc_log_paxos_group(log);
	struct rc_paxos_node_stats st2;
	uint64_t r0 = 0, r2 = 0, rec0, rec1, rec_ns, rec_ns0, t0, t1;
	uint64_t adds = 0, snap_at;
	unsigned lead;
	unsigned bad = 0;
	int rc;

	_rc_paxos_stats_now(px, 2, &st2);
	rec0 = _rc_log_paxos_recoveries(log, 2, &rec_ns0);
	_rc_paxos_suspect(px, 2, true);
	rc_paxos_stall(px, 2, 3600000000000ull);
	/* Checkpoints come every 4096 entries and snapshots every 1024:
	 * both live nodes pair one above node 2's point within ~10,000
	 * adds; 200,000 bounds the loop. */
	while ((base_of(px, 0) <= st2.delivered ||
		base_of(px, 1) <= st2.delivered) &&
	       adds < 200000) {
		uint64_t r;

		bad += rc_rsm_execute(h[adds & 1], COUNTER_ADD, 1, &r) != 0;
		adds++;
		sum++;
	}
	ok(bad == 0 && base_of(px, 0) > st2.delivered &&
		   base_of(px, 1) > st2.delivered,
	   "%s: with node 2 stalled and suspected, nodes 0 and 1 forget "
	   "slots below %llu and %llu, above node 2's %llu, after %llu adds",
	   what, (unsigned long long)base_of(px, 0),
	   (unsigned long long)base_of(px, 1),
	   (unsigned long long)st2.delivered, (unsigned long long)adds);
	lead = rc_paxos_leader(px, 0);
	_rc_paxos_suspect(px, 2, false);
	rc_paxos_stall(px, 2, 0);
	t0 = rc_clock_now_ns();
	if (read_first) {
		rc = rc_rsm_execute_flags(h[2], COUNTER_READ, 0, rflags, &r2);
	} else {
		rc = rc_rsm_execute(h[2], COUNTER_ADD, 1, &r2);
		sum++;
	}
	t1 = rc_clock_now_ns();
	rec1 = _rc_log_paxos_recoveries(log, 2, &rec_ns);
	snap_at = rc_rsm_applied(rsm, 2);
	ok(rc == 0 && r2 == sum,
	   "%s: node 2's first operation after it resumes answers %llu "
	   "(expected %llu)",
	   what, (unsigned long long)r2, (unsigned long long)sum);
	ok(rec1 == rec0 + 1,
	   "%s: node 2 recovered from a peer's snapshot once (%llu "
	   "recoveries)",
	   what, (unsigned long long)(rec1 - rec0));
	diag("recovery (%s): node 2's first operation took %.3f ms in all, "
	     "%.3f ms of it in the log's recovery (rc_log_recover); node 2 "
	     "then at entry %llu; leader %u before, %u after",
	     what, (double)(t1 - t0) / 1e6, (double)(rec_ns - rec_ns0) / 1e6,
	     (unsigned long long)snap_at, lead, rc_paxos_leader(px, 0));
	rc = rc_rsm_execute(h[0], COUNTER_READ, 0, &r0);
	rc |= rc_rsm_execute(h[2], COUNTER_READ, 0, &r2);
	ok(rc == 0 && r0 == r2 && r0 == sum,
	   "reads at node 2 and node 0 agree: %llu and %llu",
	   (unsigned long long)r2, (unsigned long long)r0);
	return sum;
}

/* ---- an append whose entry the recovery's snapshot holds ---- */

struct appender {
	rc_log_t *log;
	int rc;
	uint64_t recovered, waits;
	char msg[512];
};

/* The help of the append at node 2: reads node 2's copy and, finding
 * nothing, asks the log to recover it, as rc_rsm's does. */
static void help2(void *arg)
{
	struct appender *a = arg;
	struct rc_log_entry e[64];
	uint64_t first, index;
	void *buf = NULL;
	size_t len = 0;

	a->waits++;
	while (rc_log_read(a->log, 2, &first, e, 64) > 0)
		;
	if (rc_log_recover(a->log, 2, &index, &buf, &len, NULL) == 1) {
		a->recovered++;
		free(buf);
	}
}

static void *append2(void *arg)
{
	struct appender *a = arg;
	struct rc_log_entry e = { 7, 7, 0, 0 };
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t idx;

	a->rc = rc_log_append(a->log, 2, &e, 1, &idx, TIMEOUT_NS, help2, a,
			      &err);
	snprintf(a->msg, sizeof a->msg, "%s", err.msg);
	return NULL;
}

/* Reads node's copy to its end; returns its cursor. */
static uint64_t read_out(rc_log_t *log, unsigned node)
{
	struct rc_log_entry e[64];
	uint64_t first;

	while (rc_log_read(log, node, &first, e, 64) > 0)
		;
	return rc_log_cursor(log, node);
}

/*
 * Node 2, stalled and suspected, submits an entry, which nodes 0 and 1
 * order; they then snapshot past it and forget the slots node 2 misses.
 * Once node 2 resumes, its append's help recovers it from a pair whose
 * checkpoint holds the entry: the append cannot learn its index or
 * result, and fails with -RC_EAGAIN.
 */
static void test_overtaken(const rc_topo_t *topo)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct appender a;
	struct rc_paxos_opts po;
	struct rc_paxos_node_stats st2;
	rc_log_t *log = NULL;
	rc_paxos_t *px;
	pthread_t t;
	uint64_t idx, n = 0, d0;
	unsigned bad = 0;

	rc_log_paxos_defaults(&po);
	po.topo = topo;
	po.snapshots = true;
	if (rc_log_paxos_create(&log, 3, &po, &err) < 0) {
		ok(0, "overtaken: a paxos log with snapshots (%s)", err.msg);
		return;
	}
	px = rc_log_paxos_group(log);
	for (unsigned i = 0; i < 30; i++) {
		struct rc_log_entry e = { 1, i, 0, 0 };

		bad += rc_log_append(log, i % 3, &e, 1, &idx, TIMEOUT_NS, NULL,
				     NULL, NULL) != 0;
	}
	for (unsigned i = 0; i < 3; i++)
		read_out(log, i);
	_rc_paxos_stats_now(px, 2, &st2);
	d0 = rc_paxos_delivered(px, 0);
	_rc_paxos_suspect(px, 2, true);
	rc_paxos_stall(px, 2, 3600000000000ull);
	/* 1000 slots fill node 2's inbox (its rings hold a few hundred):
	 * the decision of its entry will not be waiting there. */
	for (unsigned i = 0; i < 1000; i++) {
		struct rc_log_entry e = { 1, i, 0, 0 };

		bad += rc_log_append(log, i & 1, &e, 1, &idx, TIMEOUT_NS, NULL,
				     NULL, NULL) != 0;
	}
	d0 = rc_paxos_delivered(px, 0);
	memset(&a, 0, sizeof a);
	a.log = log;
	pthread_create(&t, NULL, append2, &a);
	/* Its entry is ordered without node 2 (it forwards it to node 0,
	 * the leader, at once). */
	ok(bad == 0 && rc_paxos_wait(px, 0, d0 + 1, TIMEOUT_NS) == 0,
	   "overtaken: node 2's entry, submitted while it is stalled, is "
	   "delivered at node 0");
	while ((_rc_paxos_base_now(px, 0) <= st2.delivered ||
		_rc_paxos_base_now(px, 1) <= st2.delivered) &&
	       n < 200000) {
		struct rc_log_entry e = { 1, n, 0, 0 };

		bad += rc_log_append(log, n & 1, &e, 1, &idx, TIMEOUT_NS, NULL,
				     NULL, NULL) != 0;
		n++;
		if (n % 1024 == 0)
			for (unsigned i = 0; i < 2; i++)
				bad += rc_log_snapshot(log, i, read_out(log, i),
						       "s", 1) != 0;
	}
	ok(bad == 0 && _rc_paxos_base_now(px, 0) > st2.delivered,
	   "overtaken: nodes 0 and 1 snapshot past it and forget slots "
	   "below %llu, above node 2's %llu (%llu appends)",
	   (unsigned long long)_rc_paxos_base_now(px, 0),
	   (unsigned long long)st2.delivered, (unsigned long long)n);
	_rc_paxos_suspect(px, 2, false);
	rc_paxos_stall(px, 2, 0);
	pthread_join(t, NULL);
	ok(a.recovered == 1 && a.rc == -RC_EAGAIN,
	   "overtaken: node 2 recovers inside the append's help (%llu), "
	   "and the append fails with -RC_EAGAIN (%d: %s)",
	   (unsigned long long)a.recovered, a.rc, a.msg);
	{
		struct rc_log_entry e = { 1, 1, 0, 0 };

		ok(rc_log_append(log, 2, &e, 1, &idx, TIMEOUT_NS, help2, &a,
				 &err) == 0,
		   "overtaken: node 2's next append succeeds at %llu (%s)",
		   (unsigned long long)idx, err.msg);
	}
	rc_log_destroy(log);
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	struct rc_paxos_opts po;
	rc_rsm_handle_t *h[3] = { NULL, NULL, NULL };
	rc_topo_t *topo = NULL;
	rc_log_t *log = NULL;
	rc_rsm_t *rsm = NULL;
	rc_paxos_t *px;
	uint64_t sum = 0, r = 0, *c0, *c2;
	unsigned bad = 0;

	if (rc_topo_open(&topo, LAYOUT, NULL, &err) < 0) {
		skip_all("layout %s: %s", LAYOUT, err.msg);
		return 0;
	}
	rc_log_paxos_defaults(&po);
	po.topo = topo;
	po.snapshots = true;
	po.check = true;
	ok(rc_log_paxos_create(&log, 3, &po, &err) == 0,
	   "a paxos log with snapshots (%s)", err.msg);
	o.log = log;
	o.snapshot_every = 1024;
	ok(rc_rsm_create(&rsm, &counter_ops, NULL, topo, &o, &err) == 0,
	   "a counter over it, a snapshot every 1024 entries (%s)", err.msg);
	for (unsigned i = 0; i < 3; i++)
		if (rc_rsm_register(rsm, i, 0, &h[i], &err) < 0)
			bad++;
	ok(bad == 0, "a handle at each node (%s)", err.msg);
	if (bad)
		return exit_status();
	px = rc_log_paxos_group(log);
	for (unsigned i = 0; i < 300; i++, sum++)
		bad += rc_rsm_execute(h[i % 3], COUNTER_ADD, 1, &r) != 0;
	ok(bad == 0, "300 adds at the three nodes");

	sum = fall_behind_and_resume(rsm, log, h, sum, true, 0);
	sum = fall_behind_and_resume(rsm, log, h, sum, false, 0);
	/* a read by the read index: its wait's help recovers the node */
	sum = fall_behind_and_resume(rsm, log, h, sum, true, RC_RSM_READ_INDEX);

	/* Node 2 goes on: its updates succeed and everyone sees them. */
	for (unsigned i = 0; i < 1000; i++, sum++)
		bad += rc_rsm_execute(h[2], COUNTER_ADD, 1, &r) != 0;
	ok(bad == 0 && r == sum, "1000 more adds at node 2 succeed (%llu)",
	   (unsigned long long)r);
	{
		uint64_t r0 = 0, r1 = 0;

		rc_rsm_execute(h[0], COUNTER_READ, 0, &r0);
		rc_rsm_execute(h[1], COUNTER_READ, 0, &r1);
		ok(r0 == sum && r1 == sum,
		   "nodes 0 and 1 read them: %llu, %llu",
		   (unsigned long long)r0, (unsigned long long)r1);
	}
	for (unsigned i = 0; i < 3; i++)
		rc_rsm_unregister(h[i]);
	rc_rsm_sync(rsm);
	c0 = rc_rsm_replica(rsm, 0);
	c2 = rc_rsm_replica(rsm, 2);
	ok(*c0 == *c2 && rc_rsm_applied(rsm, 0) == rc_rsm_applied(rsm, 2),
	   "after a sync replicas 0 and 2 are equal (%llu, %llu entries)",
	   (unsigned long long)*c2, (unsigned long long)rc_rsm_applied(rsm, 2));
	/* The delivered counts name the same point at every node, the
	 * recovered one's included (it counts the checkpoint's commands). */
	ok(rc_paxos_wait(px, 2, rc_paxos_delivered(px, 0), TIMEOUT_NS) == 0 &&
		   rc_paxos_wait(px, 0, rc_paxos_delivered(px, 2),
				 TIMEOUT_NS) == 0 &&
		   rc_paxos_delivered(px, 0) == rc_paxos_delivered(px, 2),
	   "rc_paxos_delivered at node 2 equals node 0's: %llu, %llu",
	   (unsigned long long)rc_paxos_delivered(px, 2),
	   (unsigned long long)rc_paxos_delivered(px, 0));
	{
		char why[256] = "";

		rc_rsm_destroy(rsm);
		ok(rc_paxos_verify(px, why, sizeof why) == 0,
		   "agreement, validity, integrity, no gaps and liveness "
		   "hold (%s)",
		   why);
	}
	rc_log_destroy(log);
	test_overtaken(topo);
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
