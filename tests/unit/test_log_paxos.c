/* SPDX-License-Identifier: MIT */
/* test_log_paxos.c: the Paxos log backend under the log contract, and the hash map over rc_rsm serving with one of three nodes stalled where the shared-memory log blocks; its read index, and rsm reads by it with and without a majority. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <replicore/clock.h>
#include <replicore/log.h>
#include <replicore/paxos.h>
#include <replicore/rsm.h>

#include "examples/rsm_map_stall.h"
#include "runtime/fault.h"
#include "tests/tap.h"

/*
 * Three nodes on "numa:3 core:1 pu:1" (mapped onto the machine's PUs).
 * Every wait is bounded: appends and rsm updates have timeouts, and a
 * stall is ended by the test.
 */

#define LAYOUT "numa:3 core:1 pu:1"
#define BOUND_NS 20000000ull	      /* the shm log's bounded wait: 20 ms */
#define PAXOS_BOUND_NS 30000000000ull /* 30 s: generous on a loaded box */

static void nap_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* Nanosecond timeouts for a loaded machine: 1 ms heartbeats, 40 ms
 * elections, 80 ms retries. */
static void paxos_opts(struct rc_paxos_opts *o, rc_topo_t *topo)
{
	memset(o, 0, sizeof *o);
	o->cfg = (struct rc_paxos_config)RC_PAXOS_CONFIG_INITIALIZER;
	o->cfg.heartbeat = 1000000;
	o->cfg.election = 40000000;
	o->cfg.retry = 80000000;
	o->topo = topo;
}

/* ---- the log contract, directly ---- */

static void test_contract(rc_topo_t *topo)
{
	struct rc_paxos_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_log_t *log = NULL;
	struct rc_log_entry e[8], out[3][64];
	uint64_t idx[3][8], tail = 0, first, ri[3] = { 0, 0, 0 };
	unsigned got[3] = { 0, 0, 0 };
	bool distinct = true, same = true, origins = true, ready = true;
	int rc = 0;

	paxos_opts(&o, topo);
	ok(rc_log_paxos_create(&log, 3, &o, &err) == 0, "a paxos log of 3");
	if (!log)
		return;
	is(strcmp(rc_log_name(log), "paxos"), 0, "named paxos");
	ok(rc_log_caps(log) & RC_LOG_CAP_TAIL, "with an exact tail");
	ok(!(rc_log_caps(log) & RC_LOG_CAP_NOPARTIAL),
	   "a timed-out append may still be ordered (no NOPARTIAL)");
	ok(rc_log_paxos_group(log) != NULL, "its group is reachable");
	for (unsigned nd = 0; nd < 3; nd++) {
		for (unsigned i = 0; i < 8; i++) {
			e[i].op = 100 * nd + i;
			e[i].arg = nd;
			e[i].tag = i;
			e[i].origin = 99;
		}
		ok(rc_log_append(log, nd, e, 8, idx[nd], PAXOS_BOUND_NS, NULL,
				 NULL, &err) == 0,
		   "node %u appends 8 entries", nd);
		for (unsigned i = 1; i < 8; i++)
			distinct &= idx[nd][i] > idx[nd][i - 1];
	}
	ok(distinct, "a batch keeps its order");
	if (rc_log_tail(log, &tail) < 0)
		tail = 0;
	ok(tail >= 24, "the tail (%llu) is past every returned append",
	   (unsigned long long)tail);
	ok(rc_log_caps(log) & RC_LOG_CAP_READ_INDEX, "with a read index");
	for (unsigned nd = 0; nd < 3 && rc == 0; nd++)
		rc = rc_log_read_index(log, nd, PAXOS_BOUND_NS, &ri[nd], NULL,
				       NULL, &err);
	ok(rc == 0 && ri[0] >= 24 && ri[1] >= 24 && ri[2] >= 24,
	   "a read index at each node (%llu, %llu, %llu) is past every "
	   "returned append",
	   (unsigned long long)ri[0], (unsigned long long)ri[1],
	   (unsigned long long)ri[2]);
	for (unsigned nd = 0; nd < 3; nd++) {
		unsigned tries = 0;

		while (got[nd] < 24 && tries++ < 30000) {
			unsigned n =
				rc_log_read(log, nd, &first, out[nd] + got[nd],
					    64 - got[nd]);

			if (n && first != got[nd])
				same = false;
			/* below its read index a node's copy is complete */
			if (!n && got[nd] < ri[nd])
				ready = false;
			got[nd] += n;
			if (!n)
				nap_ms(1);
		}
	}
	ok(ready, "each node reads up to its read index without waiting");
	ok(got[0] == 24 && got[1] == 24 && got[2] == 24,
	   "every node reads the 24 entries (%u, %u, %u)", got[0], got[1],
	   got[2]);
	for (unsigned i = 0; i < 24 && i < got[1] && i < got[2]; i++)
		same &= out[0][i].op == out[1][i].op &&
			out[0][i].op == out[2][i].op &&
			out[0][i].tag == out[2][i].tag;
	ok(same, "in one order at every node");
	for (unsigned nd = 0; nd < 3; nd++)
		for (unsigned i = 0; i < 8 && idx[nd][i] < got[0]; i++) {
			const struct rc_log_entry *x = &out[0][idx[nd][i]];

			origins &= x->op == 100 * nd + i && x->origin == nd &&
				   x->tag == i;
		}
	ok(origins, "each index holds its entry, origin set by the log");
	is(rc_log_cursor(log, 1), 24, "node 1's cursor moved past them");
	rc_log_destroy(log);
}

/* ---- the hash map over rc_rsm with a stalled node ---- */

/*
 * Node 1's combiner blocks inside apply (and, with Paxos, node 1's Paxos
 * thread stalls too); nodes 0 and 2 then put and get 100 keys each.
 * Returns how many of their operations succeeded, and whether the gets
 * read back what was put.
 */
static unsigned serve_stalled(rc_topo_t *topo, rc_log_t *log, uint64_t bound,
			      bool *reads_ok, bool *entered)
{
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	rc_rsm_handle_t *h[3] = { NULL, NULL, NULL };
	rc_paxos_t *px = log ? rc_log_paxos_group(log) : NULL;
	rc_rsm_t *rsm = NULL;
	struct map_stall_driver stall;
	unsigned done = 0;
	rc_err_t err = RC_ERR_INITIALIZER;

	*reads_ok = true;
	*entered = false;
	o.log = log;
	o.log_capacity = 16;
	o.timeout_ns = bound;
	if (rc_rsm_create(&rsm, &map_stall_ops, NULL, topo, &o, &err) < 0) {
		diag("rsm: %s", err.msg);
		return 0;
	}
	for (unsigned i = 0; i < 3; i++)
		rc_rsm_register(rsm, i, 0, &h[i], NULL);
	*entered = map_stall_begin(&stall, h[1], px, 30000000000ull);
	for (uint64_t k = 1; *entered && k <= 100; k++) {
		rc_rsm_handle_t *a = h[k % 2 ? 0 : 2], *b = h[k % 2 ? 2 : 0];
		uint64_t r = 0;

		if (rc_rsm_execute_flags(a, MAP_OP(MAP_PUT, k), 10 * k, 0, &r) <
		    0)
			break;
		done++;
		if (rc_rsm_execute_flags(b, MAP_OP(MAP_GET, k), 0, 0, &r) < 0)
			break;
		done++;
		*reads_ok &= r == 10 * k;
	}
	map_stall_end(&stall);
	for (unsigned i = 0; i < 3; i++)
		rc_rsm_unregister(h[i]);
	rc_rsm_destroy(rsm);
	return done;
}

static void test_stalled_map(rc_topo_t *topo)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_paxos_opts o;
	rc_log_t *log = NULL;
	bool reads_ok, entered;
	unsigned done;

	done = serve_stalled(topo, NULL, BOUND_NS, &reads_ok, &entered);
	ok(entered, "shm log: node 1 stalls inside apply");
	ok(done < 200,
	   "shm log: with node 1 stalled the map stops serving: %u of 200 "
	   "operations, then a bounded wait runs out (no hang)",
	   done);
	paxos_opts(&o, topo);
	if (rc_log_paxos_create(&log, 3, &o, &err) < 0) {
		ok(0, "paxos log: %s", err.msg);
		return;
	}
	done = serve_stalled(topo, log, PAXOS_BOUND_NS, &reads_ok, &entered);
	ok(entered, "paxos log: node 1 stalls inside apply and in Paxos");
	is(done, 200,
	   "paxos log: nodes 0 and 2 keep serving: all 100 puts and 100 "
	   "gets");
	ok(reads_ok, "paxos log: every get reads the value put");
	rc_log_destroy(log);
}

/*
 * A lone reader brings its node up to date. Node 0 appends with one
 * message in five lost, so node 2 misses ACCEPTs and DECIDEs; then, with
 * no other thread using the log, node 2's reader reads until its copy
 * holds everything node 0's does. The entries
 * it misses reach it only through timers and other nodes' steps (a
 * heartbeat naming the commit, a catch-up and the leader's answer), which
 * its reads must run: a read that ran only its own node when a message
 * waited left it short for good.
 */
static void test_lone_reader(rc_topo_t *topo)
{
	struct rc_paxos_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_log_t *log = NULL;
	struct rc_log_entry e = { 1, 2, 0, 3 }, out[64];
	uint64_t idx, tail = 0, first, have = 0, t0;
	unsigned appended = 0;

	paxos_opts(&o, topo);
	o.faults.drop = 0.2;
	ok(rc_log_paxos_create(&log, 3, &o, &err) == 0,
	   "lone reader: a paxos log of 3 with lossy links");
	if (!log)
		return;
	for (unsigned i = 0; i < 100; i++)
		if (rc_log_append(log, 0, &e, 1, &idx, PAXOS_BOUND_NS, NULL,
				  NULL, NULL) == 0)
			appended++;
	is(appended, 100, "lone reader: node 0 appended 100 entries");
	if (rc_log_tail(log, &tail) < 0)
		tail = 0;
	ok(tail >= 100, "lone reader: the tail is past them (%llu)",
	   (unsigned long long)tail);
	t0 = rc_clock_now_ns();
	while (have < tail && rc_clock_now_ns() - t0 < PAXOS_BOUND_NS) {
		unsigned n = rc_log_read(log, 2, &first, out, 64);

		have += n;
		if (n == 0)
			nap_ms(1);
	}
	is(have, tail, "lone reader: node 2 read all %llu entries, alone",
	   (unsigned long long)tail);
	rc_log_destroy(log);
}

/*
 * No majority: nodes 1 and 2 crash, so node 0 can order nothing. An
 * append and an rsm update at node 0 each come back with -RC_ETIMEDOUT
 * once their bound (20 ms) has passed, and not long after (the guard,
 * 10 times the bound plus a second, only catches a hang).
 */
static void test_no_majority(rc_topo_t *topo)
{
	struct rc_rsm_options ro = RC_RSM_OPTIONS_INITIALIZER;
	struct rc_paxos_opts o;
	struct rc_log_entry e = { 0 };
	rc_rsm_handle_t *h = NULL;
	rc_rsm_t *rsm = NULL;
	rc_log_t *log = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t idx, r = 0, t0, spent[2] = { 0, 0 };
	int rc[2] = { 0, 0 };

	paxos_opts(&o, topo);
	if (rc_log_paxos_create(&log, 3, &o, &err) < 0) {
		ok(0, "no majority: %s", err.msg);
		return;
	}
	ro.log = log;
	ro.timeout_ns = BOUND_NS;
	if (rc_rsm_create(&rsm, &map_stall_ops, NULL, topo, &ro, &err) < 0 ||
	    rc_rsm_register(rsm, 0, 0, &h, &err) < 0) {
		ok(0, "no majority: %s", err.msg);
		rc_rsm_destroy(rsm);
		rc_log_destroy(log);
		return;
	}
	ok(rc_rsm_execute(h, MAP_OP(MAP_PUT, 1), 1, &r) == 0,
	   "no majority: first, with all three nodes, a put commits");
	r = 0;
	ok(rc_rsm_execute_flags(h, MAP_OP(MAP_GET, 1), 0, RC_RSM_READ_INDEX,
				&r) == 0 &&
		   r == 1,
	   "no majority: and a read by the read index sees it");
	rc_paxos_crash(rc_log_paxos_group(log), 1);
	rc_paxos_crash(rc_log_paxos_group(log), 2);
	r = 7;
	ok(rc_rsm_execute_flags(h, MAP_OP(MAP_GET, 1), 0, RC_RSM_READ_INDEX,
				&r) == -RC_ETIMEDOUT &&
		   r == 7,
	   "no majority: a read by the read index times out, result "
	   "untouched");
	t0 = rc_clock_now_ns();
	rc[0] = rc_log_append(log, 0, &e, 1, &idx, BOUND_NS, NULL, NULL, &err);
	spent[0] = rc_clock_now_ns() - t0;
	t0 = rc_clock_now_ns();
	rc[1] = rc_rsm_execute(h, MAP_OP(MAP_PUT, 2), 2, &r);
	spent[1] = rc_clock_now_ns() - t0;
	diag("no majority: the append came back after %.1f ms, the update "
	     "after %.1f ms",
	     spent[0] / 1e6, spent[1] / 1e6);
	ok(rc[0] == -RC_ETIMEDOUT && spent[0] >= BOUND_NS &&
		   spent[0] < 10 * BOUND_NS + 1000000000ull,
	   "no majority: an append times out after its bound (%d)", rc[0]);
	ok(rc[1] == -RC_ETIMEDOUT && spent[1] >= BOUND_NS &&
		   spent[1] < 10 * BOUND_NS + 1000000000ull,
	   "no majority: an rsm update times out after its bound (%d)", rc[1]);
	rc_rsm_unregister(h);
	rc_rsm_destroy(rsm);
	rc_log_destroy(log);
}

/*
 * Each allocation an append at node 0 makes (its copy's next chunks, the
 * node's list of its own commands) fails in turn: each failure comes
 * back from exactly one append, as -RC_ENOMEM with nothing submitted,
 * and afterwards every node's copy holds exactly the entries whose
 * appends succeeded, in the same order. Nodes 1 and 2 are read after
 * every append, so nobody's copy waits for memory it does not have.
 */
#define FAULT_APPENDS 10000u
static void test_append_faults(rc_topo_t *topo)
{
	unsigned faults = 0, misreported = 0, wrong = 0, setup = 0;

	for (unsigned n = 1; n <= 32; n++) {
		struct rc_paxos_opts o;
		struct rc_log_entry e = { 0 }, got[64];
		rc_log_t *log = NULL;
		uint64_t before, hit, ok_n = 0, enomem = 0, other = 0, idx;
		uint64_t seen[3] = { 0, 0, 0 };

		paxos_opts(&o, topo);
		if (rc_log_paxos_create(&log, 3, &o, NULL) < 0) {
			setup++;
			break;
		}
		before = _rc_fault_hits();
		_rc_fault_arm(n);
		for (uint64_t i = 1; i <= FAULT_APPENDS; i++) {
			int rc;

			e.op = i;
			rc = rc_log_append(log, 0, &e, 1, &idx, PAXOS_BOUND_NS,
					   NULL, NULL, NULL);
			if (rc == 0)
				ok_n++;
			else if (rc == -RC_ENOMEM)
				enomem++;
			else
				other++;
			for (unsigned nd = 0; nd < 3; nd++) {
				uint64_t first;
				unsigned k;

				while ((k = rc_log_read(log, nd, &first, got,
							64)) > 0)
					for (unsigned j = 0; j < k; j++)
						/* the successful ones, in
						 * order: ops only grow */
						if (got[j].op <= seen[nd])
							wrong++;
						else
							seen[nd] = got[j].op;
			}
		}
		_rc_fault_arm(0);
		hit = _rc_fault_hits() - before;
		if (hit != enomem || other != 0)
			misreported++;
		for (unsigned nd = 0; nd < 3; nd++)
			if (rc_log_cursor(log, nd) != ok_n)
				wrong++;
		rc_log_destroy(log);
		if (hit == 0)
			break;
		faults++;
	}
	diag("append faults: %u allocations failed in turn", faults);
	ok(setup == 0 && faults > 0,
	   "append faults: appends at node 0 made allocations to fail");
	is(misreported, 0,
	   "append faults: each came back from exactly one append, as "
	   "-RC_ENOMEM");
	is(wrong, 0,
	   "append faults: every copy then holds the appends that "
	   "succeeded, in order");
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo = NULL;

	if (rc_topo_open(&topo, LAYOUT, NULL, &err) < 0) {
		skip_all("layout %s: %s", LAYOUT, err.msg);
		return 0;
	}
	test_contract(topo);
	test_stalled_map(topo);
	test_lone_reader(topo);
	test_no_majority(topo);
	test_append_faults(topo);
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
