/* SPDX-License-Identifier: MIT */
/* test_paxos_partition.c: rc_paxos_partition on the threaded group and the Paxos log: the majority side commits, the cut-off node's proposals wait for the heal, then every node converges. */
#include <stdlib.h>
#include <string.h>

#include <replicore/clock.h>
#include <replicore/log.h>
#include <replicore/paxos.h>

#include "tests/tap.h"
#include "tests/unit/paxos_propose.h"

#define LAYOUT "numa:3 core:1 pu:1"
#define TIMEOUT_NS 10000000000ull /* a bounded wait: never reached */
#define SHORT_NS 100000000ull	  /* 100 ms: what a cut-off node waits */

static void test_group(const rc_topo_t *topo, bool threads)
{
	const char *rn = threads ? "threads" : "callers";
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_paxos_opts o;
	rc_paxos_t *p = NULL;
	char why[256] = "";
	int rc;

	rc_log_paxos_defaults(&o);
	o.cfg.nodes = 3;
	o.topo = topo;
	o.check = true;
	o.runner = threads ? RC_PAXOS_RUN_THREADS : RC_PAXOS_RUN_CALLERS;
	if (rc_paxos_create(&p, &o, &err) < 0) {
		ok(0, "%s: a group of 3 (%s)", rn, err.msg);
		return;
	}
	ok(rc_paxos_partition(p, 0, 0) == -RC_EINVAL &&
		   rc_paxos_partition(p, 7, 0) == -RC_EINVAL &&
		   rc_paxos_partition(p, 1u << 3, 0) == -RC_EINVAL,
	   "%s: a side of none, of all or of a node not in the group is "
	   "refused",
	   rn);
	rc = propose_n(p, 0, 1, 0);
	for (unsigned i = 0; i < 3 && rc == 0; i++)
		rc = rc_paxos_wait(p, i, 1, TIMEOUT_NS);
	ok(rc == 0, "%s: a first command reaches every node", rn);

	ok(rc_paxos_partition(p, 1u << 2, 0) == 0, "%s: node 2 is cut off", rn);
	rc = propose_n(p, 0, 10, 100);
	if (rc == 0)
		rc = propose_n(p, 1, 10, 200);
	for (unsigned i = 0; i < 2 && rc == 0; i++)
		rc = rc_paxos_wait(p, i, 21, TIMEOUT_NS);
	ok(rc == 0, "%s: 20 commands at nodes 0 and 1 are delivered there", rn);
	rc = propose_n(p, 2, 1, 300);
	ok(rc == 0 && rc_paxos_wait(p, 2, 22, SHORT_NS) == -RC_ETIMEDOUT &&
		   rc_paxos_wait(p, 0, 22, SHORT_NS) == -RC_ETIMEDOUT,
	   "%s: node 2's command is not delivered while cut off", rn);
	/* The state, not the time: node 2 delivered nothing since the
	 * cut, and its command reached neither side. */
	ok(rc_paxos_delivered(p, 2) == 1 && rc_paxos_delivered(p, 0) == 21 &&
		   rc_paxos_delivered(p, 1) == 21,
	   "%s: delivered before the heal: node 0 %llu, node 1 %llu, "
	   "node 2 %llu",
	   rn, (unsigned long long)rc_paxos_delivered(p, 0),
	   (unsigned long long)rc_paxos_delivered(p, 1),
	   (unsigned long long)rc_paxos_delivered(p, 2));
	rc_paxos_heal(p);
	rc = 0;
	for (unsigned i = 0; i < 3 && rc == 0; i++)
		rc = rc_paxos_wait(p, i, 22, TIMEOUT_NS);
	ok(rc == 0, "%s: after the heal every node delivers all 22", rn);

	/* A partition for a time heals by itself. */
	ok(rc_paxos_partition(p, 1u << 0, 20000000ull) == 0,
	   "%s: node 0 is cut off for 20 ms", rn);
	rc = propose_n(p, 0, 1, 400);
	for (unsigned i = 0; i < 3 && rc == 0; i++)
		rc = rc_paxos_wait(p, i, 23, TIMEOUT_NS);
	ok(rc == 0, "%s: its command is delivered everywhere after that", rn);
	ok(rc_paxos_verify(p, why, sizeof why) == 0,
	   "%s: agreement, validity, integrity, no gaps, liveness (%s)", rn,
	   why);
	rc_paxos_destroy(p);
}

/* Reads node's copy of the log up to entry `upto` (each read makes a
 * pass over the group when nothing is new), hashing what it reads into
 * *sum; returns the entries read, fewer only after TIMEOUT_NS. */
static uint64_t read_upto(rc_log_t *log, unsigned node, uint64_t upto,
			  uint64_t *sum)
{
	struct rc_log_entry e[64];
	uint64_t first, total = 0, t0 = rc_clock_now_ns();
	unsigned n;

	*sum = 0;
	while (total < upto && rc_clock_now_ns() - t0 < TIMEOUT_NS) {
		n = rc_log_read(log, node, &first, e,
				upto - total < 64 ? (unsigned)(upto - total)
						  : 64);
		for (unsigned i = 0; i < n; i++, total++)
			*sum = *sum * 31 + e[i].arg + e[i].origin;
	}
	return total;
}

static void test_log(const rc_topo_t *topo)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_paxos_opts o;
	rc_log_t *log = NULL;
	rc_paxos_t *p;
	uint64_t idx[4], n[3], h[3], tail = 0;
	int bad = 0, rc;

	rc_log_paxos_defaults(&o);
	o.topo = topo;
	if (rc_log_paxos_create(&log, 3, &o, &err) < 0) {
		ok(0, "log: a paxos log of 3 (%s)", err.msg);
		return;
	}
	p = rc_log_paxos_group(log);
	ok(rc_paxos_partition(p, 1u << 2, 0) == 0, "log: node 2 is cut off");
	for (unsigned i = 0; i < 20; i++) {
		struct rc_log_entry e = { 1, i, 0, 0 };

		bad += rc_log_append(log, i % 2, &e, 1, idx, TIMEOUT_NS, NULL,
				     NULL, &err) != 0;
	}
	ok(bad == 0, "log: 20 appends at nodes 0 and 1 succeed (%s)", err.msg);
	{
		struct rc_log_entry e = { 1, 1000, 0, 0 };

		rc = rc_log_append(log, 2, &e, 1, idx, SHORT_NS, NULL, NULL,
				   &err);
	}
	rc_log_tail(log, &tail);
	ok(rc == -RC_ETIMEDOUT && tail == 20,
	   "log: an append at node 2 does not complete while cut off "
	   "(%d, tail %llu)",
	   rc, (unsigned long long)tail);
	rc_paxos_heal(p);
	memset(&err, 0, sizeof err);
	{
		struct rc_log_entry e = { 1, 2000, 0, 0 };

		rc = rc_log_append(log, 2, &e, 1, idx, TIMEOUT_NS, NULL, NULL,
				   &err);
	}
	ok(rc == 0 && idx[0] >= 20,
	   "log: after the heal an append at node 2 succeeds at %llu (%s)",
	   (unsigned long long)idx[0], err.msg);
	/* Every node delivered up to that entry: their copies agree. */
	for (unsigned i = 0; i < 3; i++) {
		struct rc_log_entry e = { 1, 3000 + i, 0, 0 };

		rc |= rc_log_append(log, i, &e, 1, idx, TIMEOUT_NS, NULL, NULL,
				    &err);
	}
	rc_log_tail(log, &tail);
	for (unsigned i = 0; i < 3; i++)
		n[i] = read_upto(log, i, tail, &h[i]);
	ok(rc == 0 && n[0] == tail && n[1] == tail && n[2] == tail &&
		   h[0] == h[1] && h[1] == h[2],
	   "log: the three copies hold the same %llu entries",
	   (unsigned long long)tail);
	rc_log_destroy(log);
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo = NULL;

	if (rc_topo_open(&topo, LAYOUT, NULL, &err) < 0) {
		skip_all("layout %s: %s", LAYOUT, err.msg);
		return 0;
	}
	test_group(topo, false);
	test_group(topo, true);
	test_log(topo);
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
