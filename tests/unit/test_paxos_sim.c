/* SPDX-License-Identifier: MIT */
/* test_paxos_sim.c: the Paxos step machine by hand, the simulation's determinism, and seeded runs with random faults, all properties checked. */
#include <stdlib.h>
#include <string.h>

#include <replicore/paxos.h>

#include "protocols/paxos/internal.h"
#include "tests/tap.h"
#include "tests/unit/paxos_fuzz.h"

#ifndef PX_DEFAULT_SIMS
#define PX_DEFAULT_SIMS 1000
#endif
/* The regression build runs other seeds than the unit tier's. */
#ifndef PX_FIRST_SEED
#define PX_FIRST_SEED 1
#endif

/* ---- the step machine driven by hand: three nodes, a mailbox ---- */

struct box {
	unsigned n;
	struct {
		unsigned to;
		struct rc_paxos_msg *m;
	} q[4096];
	unsigned type_count[16];
	uint64_t delivered[3][64];
	unsigned ndelivered[3];
	unsigned nread; /* reads served: the last one's node, id, index */
	unsigned read_node;
	uint64_t read_id, read_index;
};

static void box_read(void *ctx, unsigned node, uint64_t id, uint64_t index)
{
	struct box *b = ctx;

	b->nread++;
	b->read_node = node;
	b->read_id = id;
	b->read_index = index;
}

static void box_send(void *ctx, unsigned from, unsigned to,
		     const struct rc_paxos_msg *m)
{
	struct box *b = ctx;

	(void)from;
	if (b->n == sizeof b->q / sizeof b->q[0])
		return;
	b->q[b->n].to = to;
	b->q[b->n].m = malloc(rc_paxos_msg_size(m));
	memcpy(b->q[b->n].m, m, rc_paxos_msg_size(m));
	b->type_count[m->type]++;
	b->n++;
}

static void box_deliver(void *ctx, unsigned node, uint64_t slot,
			const struct rc_paxos_cmd *cmds, unsigned n)
{
	struct box *b = ctx;

	(void)slot;
	for (unsigned i = 0; i < n && b->ndelivered[node] < 64; i++)
		b->delivered[node][b->ndelivered[node]++] = cmds[i].op;
}

/* Delivers every queued message (FIFO) to nodes not in `down`. */
static void box_run(struct box *b, rc_paxos_node_t **px, uint64_t now,
		    unsigned down)
{
	for (unsigned i = 0; i < b->n; i++) {
		if (!(down >> b->q[i].to & 1))
			rc_paxos_node_recv(px[b->q[i].to], now, b->q[i].m);
		free(b->q[i].m);
		b->q[i].m = NULL;
		if (i + 1 == b->n) {
			b->n = 0;
			break;
		}
	}
	b->n = 0;
}

static void submit(rc_paxos_node_t *n, uint64_t now, uint64_t op)
{
	struct rc_paxos_cmd c = { 0, op, 0, 0, 0 };

	rc_paxos_node_submit(n, now, &c);
}

static void test_by_hand(void)
{
	struct rc_paxos_config cfg = RC_PAXOS_CONFIG_INITIALIZER;
	static struct box b;
	struct rc_paxos_io io = { &b,	box_send, box_deliver,
				  NULL, NULL,	  box_read };
	rc_paxos_node_t *px[3];
	struct rc_paxos_node_stats st;
	rc_err_t err = RC_ERR_INITIALIZER;
	unsigned prepares;
	uint64_t now = 0, slots;
	bool same = true;

	cfg.batch = 4;
	for (unsigned i = 0; i < 3; i++)
		ok(rc_paxos_node_create(&px[i], &cfg, i, &io, 0, &err) == 0,
		   "node %u created", i);
	ok(rc_paxos_node_deadline(px[0]) == 0,
	   "node 0 stands at once; the others wait");
	ok(rc_paxos_node_deadline(px[1]) >= cfg.election,
	   "node 1 waits at least one election timeout");
	rc_paxos_node_tick(px[0], ++now);
	is(b.type_count[PX_PREPARE], 2, "node 0 sends PREPARE to both others");
	box_run(&b, px, ++now, 0);
	is(b.type_count[PX_PROMISE], 2, "both promise");
	box_run(&b, px, ++now, 0);
	rc_paxos_node_stats(px[0], &st);
	ok(st.leader && st.leaderships == 1, "node 0 leads after a majority");
	prepares = b.type_count[PX_PREPARE];
	for (unsigned k = 0; k < 10; k++) {
		submit(px[k % 3], now, 100 + k);
		for (int r = 0; r < 4; r++) {
			rc_paxos_node_tick(px[0], ++now);
			box_run(&b, px, ++now, 0);
		}
	}
	is(b.type_count[PX_PREPARE], prepares,
	   "a stable leader runs no phase 1 for later slots");
	is(b.type_count[PX_FORWARD], 6,
	   "commands at nodes 1 and 2 are forwarded to the leader");
	for (unsigned i = 0; i < 3; i++)
		is(b.ndelivered[i], 10, "node %u delivered all 10", i);
	for (unsigned k = 0; k < 10; k++)
		same &= b.delivered[1][k] == b.delivered[0][k] &&
			b.delivered[2][k] == b.delivered[0][k];
	ok(same, "in one order at every node");
	/* Eight commands at once at the leader: two slots of four. */
	rc_paxos_node_stats(px[0], &st);
	slots = st.delivered;
	for (unsigned k = 0; k < 8; k++)
		submit(px[0], now, 300 + k);
	rc_paxos_node_tick(px[0], ++now);
	box_run(&b, px, ++now, 0);
	box_run(&b, px, ++now, 0);
	rc_paxos_node_stats(px[0], &st);
	is(st.delivered - slots, 2, "8 commands batched into 2 slots of 4");
	is(b.ndelivered[2], 18, "node 2 delivered them too");
	/* Reads by the read index: no slot, one confirmation round. */
	ok(rc_paxos_node_read(px[2], now, 7) == 0, "a read at follower 2");
	is(b.type_count[PX_READ], 1, "asks the leader for its index");
	box_run(&b, px, ++now, 0);
	is(b.type_count[PX_RDCHECK], 2,
	   "the leader asks both others whether it still leads");
	box_run(&b, px, ++now, 0);
	is(b.type_count[PX_RDACK], 2, "both say yes");
	box_run(&b, px, ++now, 0);
	ok(b.nread == 1 && b.read_node == 2 && b.read_id == 7 &&
		   b.read_index == st.delivered,
	   "node 2 serves read 7 at index %llu, the leader's delivered count",
	   (unsigned long long)b.read_index);
	rc_paxos_node_stats(px[0], &st);
	is(st.delivered, slots + 2, "and no slot was spent on it");
	ok(rc_paxos_node_read(px[0], now, 8) == 0, "a read at the leader");
	box_run(&b, px, ++now, 6);
	box_run(&b, px, ++now, 6);
	is(b.nread, 1, "cut off from the others, it does not answer");
	for (int r = 0; r < 40 && b.nread == 1; r++) {
		now += 50;
		rc_paxos_node_tick(px[0], now);
		box_run(&b, px, now, 0);
		box_run(&b, px, now, 0);
	}
	ok(b.nread == 2 && b.read_node == 0 && b.read_id == 8,
	   "once they answer a later round, it serves read 8");
	/* Node 0 goes down: node 1 or 2 takes over with a higher ballot. */
	for (unsigned k = 0; k < 5; k++)
		submit(px[1], now, 200 + k);
	box_run(&b, px, ++now, 1);
	for (int r = 0; r < 400 && b.ndelivered[1] < 23; r++) {
		now += 50;
		rc_paxos_node_tick(px[1], now);
		rc_paxos_node_tick(px[2], now);
		box_run(&b, px, now, 1);
		box_run(&b, px, now, 1);
	}
	is(b.ndelivered[1], 23, "node 1 delivers its 5 after node 0 stops");
	is(b.ndelivered[2], 23, "so does node 2");
	rc_paxos_node_stats(px[1], &st);
	ok(RC_PAXOS_BALLOT_ROUND(st.ballot) >= 2,
	   "under a higher ballot (round %llu)",
	   (unsigned long long)RC_PAXOS_BALLOT_ROUND(st.ballot));
	/* Node 0 comes back and catches up from the new leader. */
	for (int r = 0; r < 100 && b.ndelivered[0] < 23; r++) {
		now += 50;
		for (unsigned i = 0; i < 3; i++)
			rc_paxos_node_tick(px[i], now);
		box_run(&b, px, now, 0);
		box_run(&b, px, now, 0);
	}
	is(b.ndelivered[0], 23, "node 0 catches up after it comes back");
	ok(b.type_count[PX_CATCHUP] > 0 || b.type_count[PX_DECIDE] > 0,
	   "through catch-up or decisions");
	for (unsigned i = 0; i < 3; i++)
		rc_paxos_node_destroy(px[i]);
}

/* ---- the simulation ---- */

static char *run_trace(uint64_t seed, const char *faults, size_t *len,
		       struct rc_paxos_sim_result *r)
{
	struct rc_paxos_sim_opts o;
	rc_err_t err = RC_ERR_INITIALIZER;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	memset(&o, 0, sizeof o);
	o.cfg = (struct rc_paxos_config)RC_PAXOS_CONFIG_INITIALIZER;
	o.cfg.nodes = 5;
	o.cfg.seed = seed;
	o.commands = 60;
	o.trace = f;
	rc_paxos_faults_parse(faults, &o.faults, &err);
	if (rc_paxos_sim_run(&o, r, &err) < 0)
		rc_err_print(&err, stderr);
	fclose(f);
	return buf;
}

static void test_determinism(void)
{
	const char *faults = "drop=0.2,dup=0.1,delay=0.2,crash=1,stall=3";
	struct rc_paxos_sim_result a, b, c;
	size_t la, lb, lc;
	char *ta = run_trace(42, faults, &la, &a);
	char *tb = run_trace(42, faults, &lb, &b);
	char *tc = run_trace(43, faults, &lc, &c);

	ok(la > 1000 && la == lb && memcmp(ta, tb, la) == 0,
	   "one seed, one trace (%zu bytes, identical twice)", la);
	ok(a.messages == b.messages && a.time == b.time &&
		   a.committed == b.committed,
	   "one seed, one summary");
	ok(lc != la || memcmp(ta, tc, la) != 0, "another seed, another trace");
	ok(a.dropped > 0 && a.duplicated > 0 && a.delayed > 0 && a.stalls > 0 &&
		   a.crashed == 1,
	   "the faults happened: %llu dropped, %llu duplicated, %llu delayed, "
	   "%llu stalls, %llu crashed",
	   (unsigned long long)a.dropped, (unsigned long long)a.duplicated,
	   (unsigned long long)a.delayed, (unsigned long long)a.stalls,
	   (unsigned long long)a.crashed);
	is(a.violations, 0, "and every property held (%s)", a.why);
	free(ta);
	free(tb);
	free(tc);
}

static void test_clean(void)
{
	struct rc_paxos_sim_opts o;
	struct rc_paxos_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(&o, 0, sizeof o);
	o.cfg = (struct rc_paxos_config)RC_PAXOS_CONFIG_INITIALIZER;
	o.commands = 200;
	ok(rc_paxos_sim_run(&o, &r, &err) == 0, "a run without faults");
	is(r.committed, 200, "commits every command");
	is(r.ballots, 1, "under one ballot");
	is(r.violations, 0, "with every property");
	o.cfg.nodes = 4;
	o.faults.crash = 2;
	is(rc_paxos_sim_run(&o, &r, &err), -RC_EINVAL,
	   "crash=2 of 4 is refused: no majority would be left");
}

/*
 * Truncation: the simulation's nodes snapshot every 4 slots and forget
 * the slots below the lowest snapshot point of the nodes up, so what a
 * node holds stays near the proposal window however long the run; a node
 * that crashed for good is down and holds back nobody, and one that
 * restarts comes back from a checkpoint.
 */
static void test_truncation(void)
{
	struct rc_paxos_sim_opts o;
	struct rc_paxos_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(&o, 0, sizeof o);
	o.cfg = (struct rc_paxos_config)RC_PAXOS_CONFIG_INITIALIZER;
	o.cfg.batch = 1;
	o.commands = 5000;
	ok(rc_paxos_sim_run(&o, &r, &err) == 0 && r.violations == 0,
	   "5000 commands, no faults (%s)", r.why);
	ok(r.slots >= 5000 && r.kept <= 2 * o.cfg.window,
	   "a node holds %llu of %llu slots (window %u)",
	   (unsigned long long)r.kept, (unsigned long long)r.slots,
	   o.cfg.window);
	o.faults.crash = 1;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		o.cfg.seed = seed;
		ok(rc_paxos_sim_run(&o, &r, &err) == 0 && r.violations == 0,
		   "seed %llu, a node crashes (%s)", (unsigned long long)seed,
		   r.why);
		ok(r.slots >= 3000 && r.kept <= 2 * o.cfg.window,
		   "seed %llu: the others keep %llu of %llu slots",
		   (unsigned long long)seed, (unsigned long long)r.kept,
		   (unsigned long long)r.slots);
	}
	o.faults.crash = 0;
	o.faults.restart = 3;
	o.faults.drop = 0.05;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		int rc;

		o.cfg.seed = seed;
		rc = rc_paxos_sim_run(&o, &r, &err);
		ok(rc == 0 && r.violations == 0 && r.restarts >= 1,
		   "seed %llu, %llu restarts, every property (%s)",
		   (unsigned long long)seed, (unsigned long long)r.restarts,
		   r.why);
		ok(r.kept <= 2 * o.cfg.window,
		   "seed %llu: a node keeps %llu of %llu slots",
		   (unsigned long long)seed, (unsigned long long)r.kept,
		   (unsigned long long)r.slots);
	}
}

/*
 * Membership changes: spares join and members leave while commands flow,
 * every property holds (the configuration each node takes for each slot
 * included), the run is deterministic, and a run of four nodes, a crash
 * and five changes under loss holds.
 */
static void test_member(void)
{
	struct rc_paxos_sim_opts o;
	struct rc_paxos_sim_result r, r2;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t joined = 0, left = 0;

	memset(&o, 0, sizeof o);
	o.cfg = (struct rc_paxos_config)RC_PAXOS_CONFIG_INITIALIZER;
	o.commands = 200;
	o.faults.member = 6;
	for (uint64_t seed = 1; seed <= 20; seed++) {
		o.cfg.seed = seed;
		if (rc_paxos_sim_run(&o, &r, &err) < 0 || r.violations) {
			ok(0, "seed %llu, 6 changes: %s",
			   (unsigned long long)seed, r.why);
			return;
		}
		joined += (r.members & ~7ull) != 0;
		left += (r.members & 7) != 7;
	}
	ok(1, "20 seeds of 3 nodes with 6 membership changes: all hold");
	ok(joined > 0 && left > 0,
	   "spares joined (%llu runs) and members left (%llu runs)",
	   (unsigned long long)joined, (unsigned long long)left);
	o.cfg.seed = 5;
	o.faults.drop = 0.1;
	o.faults.stall = 2;
	o.faults.restart = 1;
	ok(rc_paxos_sim_run(&o, &r, &err) == 0 &&
		   rc_paxos_sim_run(&o, &r2, &err) == 0 &&
		   r.messages == r2.messages && r.time == r2.time &&
		   r.members == r2.members,
	   "with drops, stalls and a restart: one seed, one run");
	is(r.violations, 0, "every property held (%s)", r.why);
	ok(r.committed >= r.at_live && r.at_live > 150,
	   "the final members committed %llu commands (%llu submitted at "
	   "nodes up)",
	   (unsigned long long)r.committed, (unsigned long long)r.at_live);
	memset(&o, 0, sizeof o);
	o.cfg = (struct rc_paxos_config)RC_PAXOS_CONFIG_INITIALIZER;
	o.cfg.nodes = 4;
	o.cfg.batch = 6;
	o.cfg.window = 15;
	o.cfg.alpha = 8;
	o.cfg.seed = 94966;
	o.commands = 23;
	o.faults.drop = 0.292;
	o.faults.dup = 0.097;
	o.faults.delay = 0.034;
	o.faults.crash = 1;
	o.faults.stall = 3;
	o.faults.member = 5;
	ok(rc_paxos_sim_run(&o, &r, &err) == 0 && r.violations == 0,
	   "4 nodes, a crash, 3 stalls, 5 changes under loss (%s)", r.why);
	o.cfg.alpha = RC_PAXOS_MAX_ALPHA + 1;
	is(rc_paxos_sim_run(&o, &r, &err), -RC_EINVAL, "alpha above %d refused",
	   RC_PAXOS_MAX_ALPHA);
}

static void test_faults_parse(void)
{
	struct rc_paxos_faults f;
	rc_err_t err = RC_ERR_INITIALIZER;

	ok(rc_paxos_faults_parse("drop=0.1,dup=0.2,delay=0.3,crash=1,stall=2",
				 &f, &err) == 0 &&
		   f.drop == 0.1 && f.dup == 0.2 && f.delay == 0.3 &&
		   f.crash == 1 && f.stall == 2,
	   "every fault parsed");
	ok(rc_paxos_faults_parse("none", &f, &err) == 0 && f.drop == 0 &&
		   f.crash == 0,
	   "none is no faults");
	is(rc_paxos_faults_parse("drop=0.1,frob=2", &f, &err), -RC_EINVAL,
	   "an unknown fault is refused");
	is(err.col, 10, "at its column");
	is(rc_paxos_faults_parse("drop=2", &f, &err), -RC_EINVAL,
	   "a probability above 1 is refused");
	is(err.col, 6, "the column of the value");
	is(rc_paxos_faults_parse("crash=x", &f, &err), -RC_EINVAL,
	   "a count that is no number is refused");
	is(rc_paxos_faults_parse("drop", &f, &err), -RC_EINVAL,
	   "an item without = is refused");
	is(rc_paxos_faults_parse("drop=0.1,", &f, &err), -RC_EINVAL,
	   "a trailing comma is refused");
	ok(rc_paxos_faults_parse("part=2,partition=0.5,restart=1", &f, &err) ==
			   0 &&
		   f.part == 2 && f.partition == 0.5 && f.restart == 1,
	   "partitions parsed: a count and a probability");
	ok(rc_paxos_faults_parse("member=3,crash=1", &f, &err) == 0 &&
		   f.member == 3 && f.crash == 1,
	   "member=K parsed");
	is(rc_paxos_faults_parse("partition=-0.5", &f, &err), -RC_EINVAL,
	   "a negative partition probability is refused");
}

/*
 * partition=P draws one partition phase for a share P of the seeds;
 * partition=1 gives every run one, partition=0 none.
 */
static void test_partition_draw(void)
{
	struct rc_paxos_sim_opts o;
	struct rc_paxos_sim_result r;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t with = 0, isolated = 0, runs = 40;
	bool ok_all = true, one_each = true;

	memset(&o, 0, sizeof o);
	o.cfg = (struct rc_paxos_config)RC_PAXOS_CONFIG_INITIALIZER;
	o.cfg.nodes = 5;
	o.commands = 40;
	o.faults.partition = 1;
	for (uint64_t seed = 1; seed <= runs; seed++) {
		o.cfg.seed = seed;
		ok_all &= rc_paxos_sim_run(&o, &r, &err) == 0 &&
			  r.violations == 0;
		one_each &= r.partitions == 1;
		isolated += r.isolated;
	}
	ok(ok_all && one_each,
	   "partition=1: one partition in each of %llu runs, every property "
	   "(%llu commands submitted on a minority side)",
	   (unsigned long long)runs, (unsigned long long)isolated);
	o.faults.partition = 0.5;
	for (uint64_t seed = 1; seed <= runs; seed++) {
		o.cfg.seed = seed;
		ok_all &= rc_paxos_sim_run(&o, &r, &err) == 0 &&
			  r.violations == 0;
		with += r.partitions;
	}
	ok(ok_all && with > 0 && with < runs,
	   "partition=0.5: %llu of %llu runs have one",
	   (unsigned long long)with, (unsigned long long)runs);
}

static void test_fuzz(void)
{
	uint64_t n = tap_env_u64("RC_PAXOS_SIMS", PX_DEFAULT_SIMS);
	struct px_fuzz f;

	ok(px_fuzz_run(PX_FIRST_SEED, n, &f) == 0,
	   "%llu seeded simulations ran from seed %llu", (unsigned long long)n,
	   (unsigned long long)PX_FIRST_SEED);
	diag("%llu commands committed, %llu messages, %llu ballots, %llu "
	     "restarts, %llu partitions, %llu commands submitted on a "
	     "minority side",
	     (unsigned long long)f.committed, (unsigned long long)f.messages,
	     (unsigned long long)f.ballots, (unsigned long long)f.restarts,
	     (unsigned long long)f.partitions, (unsigned long long)f.isolated);
	ok(f.committed > n * 10, "they committed commands");
	ok(f.restarts > n / 2, "nodes crashed and came back");
	ok(f.partitions > n / 2 && f.isolated > 0,
	   "the network split, with commands submitted on a minority side");
	diag("%llu reads asked at nodes up, %llu served (%llu after catching "
	     "up to their index)",
	     (unsigned long long)f.reads, (unsigned long long)f.served,
	     (unsigned long long)f.waited);
	ok(f.served > n && f.waited > 0,
	   "reads were served, some after the node caught up");
	diag("%llu membership changes", (unsigned long long)f.changes);
	ok(f.changes > n / 4, "members joined and left");
	is(f.failed, 0,
	   "no run violates agreement, validity, integrity, no gaps, "
	   "liveness, minority or reads");
	if (f.failed)
		diag("first failing seed %llu: %s (replay: replicore paxos "
		     "sim with px_fuzz_opts(seed))",
		     (unsigned long long)f.first_seed, f.first_why);
}

int main(void)
{
#ifdef PX_FUZZ_ONLY
	const bool fuzz_only = true;
#else
	const bool fuzz_only = false;
#endif

	if (!fuzz_only) {
		test_by_hand();
		test_determinism();
		test_clean();
		test_truncation();
		test_member();
		test_faults_parse();
		test_partition_draw();
	}
	test_fuzz();
	done_testing();
	return exit_status();
}
