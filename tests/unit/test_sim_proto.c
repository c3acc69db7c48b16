/* SPDX-License-Identifier: MIT */
/* test_sim_proto.c: the seeded simulator runs a protocol other than Paxos through its interface: a broadcast with acknowledgements and resends reaches every live node under drops, duplicates, delays, stalls and crashes, one trace per seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/sim/sim.h"
#include "tests/tap.h"

/*
 * The protocol: a command submitted at a node is sent to every other
 * node, which keeps it (once) and answers ACK; the origin resends it to
 * whoever has not answered every RETRY simulated us. A node has finished
 * when it holds every command submitted at a node that never crashes.
 * Validity (only submitted commands are kept) and integrity (each at
 * most once) are checked as messages arrive.
 */

#define NODES 5
#define CMDS 60
#define RETRY 40

enum { DATA = 1, ACK = 2 };

struct bmsg {
	uint32_t type, from;
	uint64_t k;
};

struct bnode {
	bool have[CMDS + 1];
	bool unacked[CMDS + 1][NODES];
	unsigned npending;
	uint64_t next;
};

struct bcast {
	struct _rc_sim *sim;
	unsigned nodes;
	int origin[CMDS + 1]; /* -1: not submitted */
	struct bnode node[NODES];
	unsigned invalid, twice;
	unsigned restarts;
};

static void send_msg(struct bcast *b, unsigned from, unsigned to, uint32_t type,
		     uint64_t k)
{
	struct bmsg m = { type, from, k };

	_rc_sim_send(b->sim, from, to, &m);
}

static void b_recv(void *ctx, unsigned node, uint64_t now, const void *msg)
{
	struct bcast *b = ctx;
	struct bnode *n = &b->node[node];
	const struct bmsg *m = msg;

	(void)now;
	if (m->k < 1 || m->k > CMDS || b->origin[m->k] < 0) {
		b->invalid++;
		return;
	}
	if (m->type == DATA) {
		if (!n->have[m->k]) {
			uint64_t rec = m->k;

			n->have[m->k] = true;
			_rc_sim_record(b->sim, node, &rec, sizeof rec);
		}
		send_msg(b, node, m->from, ACK, m->k);
	} else if (n->unacked[m->k][m->from]) {
		n->unacked[m->k][m->from] = false;
		n->npending--;
	}
}

static void b_tick(void *ctx, unsigned node, uint64_t now)
{
	struct bcast *b = ctx;
	struct bnode *n = &b->node[node];

	for (uint64_t k = 1; k <= CMDS; k++)
		for (unsigned j = 0; j < b->nodes; j++)
			if (n->unacked[k][j])
				send_msg(b, node, j, DATA, k);
	n->next = now + RETRY;
}

static uint64_t b_deadline(void *ctx, unsigned node)
{
	struct bcast *b = ctx;

	return b->node[node].npending ? b->node[node].next : UINT64_MAX;
}

static void b_submit(void *ctx, unsigned node, uint64_t now, uint64_t k)
{
	struct bcast *b = ctx;
	struct bnode *n = &b->node[node];

	if (b->origin[k] >= 0)
		b->twice++;
	b->origin[k] = (int)node;
	n->have[k] = true;
	{
		uint64_t rec = k | 1ull << 63; /* submitted here */

		_rc_sim_record(b->sim, node, &rec, sizeof rec);
	}
	for (unsigned j = 0; j < b->nodes; j++)
		if (j != node) {
			send_msg(b, node, j, DATA, k);
			n->unacked[k][j] = true;
			n->npending++;
		}
	n->next = now + RETRY;
	_rc_sim_trace(b->sim, "submit %u k=%llu", node, (unsigned long long)k);
}

/* Commands node holds that were submitted at nodes that never crash. */
static uint64_t live_held(const struct bcast *b, unsigned node)
{
	uint64_t doomed = _rc_sim_doomed(b->sim), c = 0;

	for (unsigned k = 1; k <= CMDS; k++)
		if (b->node[node].have[k] && b->origin[k] >= 0 &&
		    !(doomed >> b->origin[k] & 1))
			c++;
	return c;
}

static bool b_finished(void *ctx, unsigned node, uint64_t expect)
{
	return live_held(ctx, node) >= expect;
}

static size_t b_size(const void *msg)
{
	(void)msg;
	return sizeof(struct bmsg);
}

static void b_describe(const void *msg, char *buf, size_t len)
{
	const struct bmsg *m = msg;

	snprintf(buf, len, "%s k=%llu", m->type == DATA ? "DATA" : "ACK",
		 (unsigned long long)m->k);
}

/*
 * A restart: the node's memory is gone; it holds again what its record
 * says and resends what was submitted at it to everyone.
 */
static void b_restart(void *ctx, unsigned node, uint64_t now)
{
	struct bcast *b = ctx;
	struct bnode *n = &b->node[node];
	size_t len;
	const uint64_t *rec = _rc_sim_records(b->sim, node, &len);

	memset(n, 0, sizeof *n);
	b->restarts++;
	for (size_t i = 0; i < len / sizeof *rec; i++) {
		uint64_t k = rec[i] & ~(1ull << 63);

		n->have[k] = true;
		if (rec[i] >> 63)
			for (unsigned j = 0; j < b->nodes; j++)
				if (j != node && !n->unacked[k][j]) {
					n->unacked[k][j] = true;
					n->npending++;
				}
	}
	n->next = now;
}

static const struct _rc_sim_proto bcast_proto = {
	.name = "broadcast",
	.recv = b_recv,
	.tick = b_tick,
	.deadline = b_deadline,
	.submit = b_submit,
	.finished = b_finished,
	.msg_size = b_size,
	.msg_describe = b_describe,
	.restart = b_restart,
};

struct outcome {
	struct _rc_sim_stats st;
	int r;
	unsigned live_done; /* live nodes holding every live command */
	unsigned live;
	unsigned invalid, twice, restarts;
	uint64_t crashed_mask;
};

/* One run from seed with the faults in spec; the trace into *trace. */
static struct outcome run(uint64_t seed, const char *spec, char **trace,
			  size_t *tlen)
{
	struct _rc_sim_opts o;
	struct bcast *b = calloc(1, sizeof *b);
	rc_err_t err = RC_ERR_INITIALIZER;
	struct outcome out;

	memset(&out, 0, sizeof out);
	memset(&o, 0, sizeof o);
	o.nodes = NODES;
	o.seed = seed;
	o.commands = CMDS;
	if (_rc_sim_faults_parse(spec, &o.faults, &err) < 0)
		abort();
	o.trace = trace ? open_memstream(trace, tlen) : NULL;
	b->nodes = NODES;
	for (unsigned k = 0; k <= CMDS; k++)
		b->origin[k] = -1;
	b->sim = _rc_sim_create(&bcast_proto, b, &o);
	if (!b->sim)
		abort();
	out.r = _rc_sim_run(b->sim, &out.st);
	for (unsigned i = 0; i < NODES; i++) {
		if (_rc_sim_crashed(b->sim, i)) {
			out.crashed_mask |= 1ull << i;
			continue;
		}
		out.live++;
		if (live_held(b, i) >= out.st.at_live)
			out.live_done++;
	}
	out.invalid = b->invalid;
	out.twice = b->twice;
	out.restarts = b->restarts;
	_rc_sim_destroy(b->sim);
	if (o.trace)
		fclose(o.trace);
	free(b);
	return out;
}

int main(void)
{
	const char *spec = "drop=0.2,dup=0.1,delay=0.2,crash=2,stall=3";
	char *t1 = NULL, *t2 = NULL, *t3 = NULL;
	size_t l1 = 0, l2 = 0, l3 = 0;
	struct outcome a = run(11, spec, &t1, &l1);
	struct outcome b = run(11, spec, &t2, &l2);
	struct outcome c = run(12, spec, &t3, &l3);
	unsigned bad = 0;

	ok(a.r == 0, "a run of the broadcast protocol ends");
	ok(a.st.dropped > 0 && a.st.duplicated > 0 && a.st.delayed > 0 &&
		   a.st.stalls > 0 && a.st.crashed == 2,
	   "under the faults: %llu dropped, %llu duplicated, %llu delayed, "
	   "%llu stalls, %llu crashed",
	   (unsigned long long)a.st.dropped,
	   (unsigned long long)a.st.duplicated,
	   (unsigned long long)a.st.delayed, (unsigned long long)a.st.stalls,
	   (unsigned long long)a.st.crashed);
	ok(a.live == 3 && a.live_done == a.live,
	   "every live node holds the %llu commands of live nodes (%u of %u)",
	   (unsigned long long)a.st.at_live, a.live_done, a.live);
	ok(a.invalid == 0 && a.twice == 0,
	   "only submitted commands arrive, each submitted once");
	ok(l1 > 0 && l1 == l2 && memcmp(t1, t2, l1) == 0,
	   "one seed, one trace (%zu bytes twice)", l1);
	ok(a.st.time == b.st.time && a.st.messages == b.st.messages,
	   "and one outcome");
	ok(l1 != l3 || memcmp(t1, t3, l1) != 0, "another seed, another trace");
	ok(strstr(t1, " drop ") && strstr(t1, "recv ") &&
		   strstr(t1, "DATA k=") && strstr(t1, "crash "),
	   "the trace shows drops, receptions, the protocol's messages and "
	   "crashes");
	ok(c.r == 0 && c.live_done == c.live, "seed 12 ends with the same");
	for (uint64_t s = 100; s < 300; s++) {
		struct outcome x = run(s, spec, NULL, NULL);

		if (x.r != 0 || x.live_done != x.live || x.invalid || x.twice)
			bad++;
	}
	ok(bad == 0, "200 more seeds: every live node holds every live "
		     "command");
	/* Restarts (memory lost, record kept) and partitions. */
	{
		const char *rp = "drop=0.2,dup=0.1,delay=0.2,crash=1,stall=2,"
				 "restart=3,part=2";
		char *t4 = NULL;
		size_t l4 = 0;
		struct outcome d = run(21, rp, &t4, &l4);

		ok(d.r == 0 && d.st.restarts > 0 &&
			   d.restarts == d.st.restarts &&
			   d.st.partitions == 2 && d.st.cut > 0,
		   "restarts and partitions: %llu restarts, %llu partitions, "
		   "%llu messages cut",
		   (unsigned long long)d.st.restarts,
		   (unsigned long long)d.st.partitions,
		   (unsigned long long)d.st.cut);
		ok(d.live == 4 && d.live_done == d.live,
		   "every live node, restarted ones from their record, holds "
		   "the %llu commands of live nodes",
		   (unsigned long long)d.st.at_live);
		ok(strstr(t4, " restart ") && strstr(t4, " split ") &&
			   strstr(t4, " heal") && strstr(t4, " cut "),
		   "the trace shows restarts, splits, heals and cuts");
		free(t4);
		bad = 0;
		for (uint64_t s = 300; s < 400; s++) {
			struct outcome x = run(s, rp, NULL, NULL);

			if (x.r != 0 || x.live_done != x.live || x.invalid ||
			    x.twice) {
				bad++;
				diag("seed %llu: %u of %u live nodes hold all",
				     (unsigned long long)s, x.live_done,
				     x.live);
			}
		}
		ok(bad == 0, "100 more seeds with restarts and partitions");
	}
	free(t1);
	free(t2);
	free(t3);
	done_testing();
	return exit_status();
}
