/* SPDX-License-Identifier: MIT */
/* test_log_raft.c: the Raft log backend under the log contract, the hash map over rc_rsm on it (all up, node 1 stalled, a thread per node), and appends that time out without a majority. */
#include <string.h>
#include <time.h>

#include <replicore/clock.h>
#include <replicore/log.h>
#include <replicore/raft.h>
#include <replicore/rsm.h>

#include "examples/rsm_map_stall.h"
#include "tests/tap.h"

/*
 * Three nodes on "numa:3 core:1 pu:1" (mapped onto the machine's PUs).
 * Every wait is bounded: appends and rsm updates have timeouts, and a
 * stall is ended by the test.
 */

#define LAYOUT "numa:3 core:1 pu:1"
#define BOUND_NS 20000000ull	     /* a short bound: 20 ms */
#define RAFT_BOUND_NS 30000000000ull /* 30 s: generous on a loaded box */

static void nap_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* 1 ms heartbeats, 40 to 80 ms elections, for a loaded machine. */
static void raft_opts(struct rc_raft_log_opts *o, rc_topo_t *topo)
{
	rc_log_raft_defaults(o);
	o->election_ns = 40000000;
	o->topo = topo;
}

static void test_contract(rc_topo_t *topo)
{
	struct rc_raft_log_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_log_t *log = NULL;
	struct rc_log_entry e[8], out[3][64];
	uint64_t idx[3][8], tail = 0, first;
	unsigned got[3] = { 0, 0, 0 };
	bool distinct = true, same = true, origins = true;
	int leader;

	raft_opts(&o, topo);
	ok(rc_log_raft_create(&log, 3, &o, &err) == 0, "a raft log of 3 (%s)",
	   err.msg);
	if (!log)
		return;
	is(strcmp(rc_log_name(log), "raft"), 0, "named raft");
	ok(rc_log_caps(log) & RC_LOG_CAP_TAIL, "with an exact tail");
	ok(!(rc_log_caps(log) & RC_LOG_CAP_NOPARTIAL),
	   "a timed-out append may still be ordered (no NOPARTIAL)");
	for (unsigned nd = 0; nd < 3; nd++) {
		for (unsigned i = 0; i < 8; i++) {
			e[i].op = 100 * nd + i;
			e[i].arg = nd;
			e[i].tag = i;
			e[i].origin = 99;
		}
		ok(rc_log_append(log, nd, e, 8, idx[nd], RAFT_BOUND_NS, NULL,
				 NULL, &err) == 0,
		   "node %u appends 8 entries", nd);
		for (unsigned i = 1; i < 8; i++)
			distinct &= idx[nd][i] > idx[nd][i - 1];
	}
	ok(distinct, "a batch keeps its order");
	/* node 2's append returned after the run that applied its entries,
	 * which published the leader node 2 knew (a follower learns it
	 * from the AppendEntries that commit) */
	leader = rc_log_raft_leader(log, 2);
	ok(leader >= 0 && leader < 3,
	   "node 2, which applied its entries, knows a leader (%d)", leader);
	is(rc_log_raft_leader(log, 3), -RC_EINVAL, "no leader hint of node 3");
	if (rc_log_tail(log, &tail) < 0)
		tail = 0;
	is(tail, 24, "the tail is past every returned append, and no further");
	for (unsigned nd = 0; nd < 3; nd++) {
		unsigned tries = 0;

		while (got[nd] < 24 && tries++ < 30000) {
			unsigned n =
				rc_log_read(log, nd, &first, out[nd] + got[nd],
					    64 - got[nd]);

			if (n && first != got[nd])
				same = false;
			got[nd] += n;
			if (!n)
				nap_ms(1);
		}
	}
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
	is(rc_log_raft_stall(log, 3, 1), -RC_EINVAL, "node 3 is not a node");
	rc_log_destroy(log);
}

/*
 * The hash map over rc_rsm: nodes 0 and 2 put and get 100 keys each,
 * first with every node, then with node 1's replica blocked inside apply
 * and its Raft node stalled (and pre-vote), then with a thread per Raft
 * node. Returns how many operations succeeded.
 */
static unsigned serve(rc_topo_t *topo, rc_log_t *log, bool stall,
		      bool *reads_ok, bool *entered)
{
	struct rc_rsm_options o = RC_RSM_OPTIONS_INITIALIZER;
	rc_rsm_handle_t *h[3] = { NULL, NULL, NULL };
	rc_rsm_t *rsm = NULL;
	struct map_stall_driver st;
	unsigned done = 0;
	rc_err_t err = RC_ERR_INITIALIZER;

	*reads_ok = true;
	*entered = !stall;
	o.log = log;
	o.log_capacity = 16;
	o.timeout_ns = RAFT_BOUND_NS;
	if (rc_rsm_create(&rsm, &map_stall_ops, NULL, topo, &o, &err) < 0) {
		diag("rsm: %s", err.msg);
		return 0;
	}
	for (unsigned i = 0; i < 3; i++)
		rc_rsm_register(rsm, i, 0, &h[i], NULL);
	if (stall) {
		*entered = map_stall_begin(&st, h[1], NULL, 30000000000ull);
		if (*entered)
			rc_log_raft_stall(log, 1, 3600000000000ull);
	}
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
	if (stall) {
		rc_log_raft_stall(log, 1, 0);
		map_stall_end(&st);
	}
	for (unsigned i = 0; i < 3; i++)
		rc_rsm_unregister(h[i]);
	rc_rsm_destroy(rsm);
	return done;
}

static void test_map(rc_topo_t *topo)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	struct rc_raft_log_opts o;
	bool reads_ok, entered;
	unsigned done;

	for (int run = 0; run < 3; run++) {
		static const char *const hows[] = { "all up",
						    "with node 1 stalled",
						    "a thread per node" };
		rc_log_t *log = NULL;
		const char *how = hows[run];
		bool stall = run == 1;

		raft_opts(&o, topo);
		o.prevote = stall;
		o.threads = run == 2;
		if (rc_log_raft_create(&log, 3, &o, &err) < 0) {
			ok(0, "raft log: %s", err.msg);
			return;
		}
		done = serve(topo, log, stall, &reads_ok, &entered);
		ok(entered, "map, %s: set up", how);
		is(done, 200, "map, %s: all 100 puts and 100 gets", how);
		ok(reads_ok, "map, %s: every get reads the value put", how);
		rc_log_destroy(log);
	}
}

/*
 * No majority: nodes 1 and 2 crash, so node 0 can commit nothing. An
 * append at node 0 comes back with -RC_ETIMEDOUT once its bound (20 ms)
 * has passed, and not long after (the guard, 10 times the bound plus a
 * second, only catches a hang).
 */
static void test_no_majority(rc_topo_t *topo)
{
	struct rc_raft_log_opts o;
	struct rc_log_entry e = { 1, 2, 0, 3 };
	rc_log_t *log = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t idx, t0, spent;
	int rc;

	raft_opts(&o, topo);
	if (rc_log_raft_create(&log, 3, &o, &err) < 0) {
		ok(0, "no majority: %s", err.msg);
		return;
	}
	ok(rc_log_append(log, 0, &e, 1, &idx, RAFT_BOUND_NS, NULL, NULL,
			 &err) == 0 &&
		   idx == 0,
	   "no majority: first, with all three nodes, an append commits");
	rc_log_raft_crash(log, 1);
	rc_log_raft_crash(log, 2);
	t0 = rc_clock_now_ns();
	rc = rc_log_append(log, 0, &e, 1, &idx, BOUND_NS, NULL, NULL, &err);
	spent = rc_clock_now_ns() - t0;
	diag("no majority: the append came back after %.1f ms", spent / 1e6);
	ok(rc == -RC_ETIMEDOUT && spent >= BOUND_NS &&
		   spent < 10 * BOUND_NS + 1000000000ull,
	   "no majority: an append times out after its bound (%d)", rc);
	rc_log_destroy(log);
}

static void test_bad(void)
{
	struct rc_raft_log_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_log_t *log = NULL;

	is(rc_log_raft_create(&log, 0, NULL, &err), -RC_EINVAL,
	   "no node: -RC_EINVAL (%s)", err.msg);
	rc_log_raft_defaults(&o);
	o.heartbeat_ns = o.election_ns;
	is(rc_log_raft_create(&log, 3, &o, &err), -RC_EINVAL,
	   "heartbeats as long as elections: -RC_EINVAL");
}

int main(void)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo = NULL;

	if (rc_topo_open(&topo, LAYOUT, NULL, &err) < 0) {
		skip_all("layout %s: %s", LAYOUT, err.msg);
		return 0;
	}
	test_bad();
	test_contract(topo);
	test_map(topo);
	test_no_majority(topo);
	rc_topo_close(topo);
	done_testing();
	return exit_status();
}
