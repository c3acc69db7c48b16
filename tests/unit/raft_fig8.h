/* SPDX-License-Identifier: MIT */
/* raft_fig8.h: the Raft paper's figure 8 as a fixed schedule of three step machines, their messages delivered by hand over chosen links, the property checker fed as the simulation feeds it. */
#ifndef RC_TESTS_RAFT_FIG8_H
#define RC_TESTS_RAFT_FIG8_H

#include <stdlib.h>
#include <string.h>

#include "protocols/raft/raft.h"

/*
 * Nodes 0, 1, 2; only the links named in a phase carry messages, the
 * others lose them. Every election timeout is the shortest (rand gives
 * 0); a node ticks only when the schedule says.
 *
 *  1. links 0-1: node 0 times out and leads term 1; then no link, and
 *     command A arrives at node 0 (its log only).
 *  2. links 1-2: node 1 times out and leads term 2; then no link, and
 *     command B arrives at node 1 (its log only).
 *  3. links 0-2: node 0 hears of term 2, times out and, with node 2's
 *     vote, leads term 3; it brings node 2's log up to its own.
 *  4. links 1-2: node 1 hears of term 3, times out and asks node 2 for
 *     its vote in term 4.
 *
 * Correct Raft: in phase 2 node 1's no-op of term 2 reaches node 2, so
 * node 2 refuses node 0 in term 3 (node 0's last term, 1, is older); A
 * is never committed, and node 1, elected in phase 4, replaces it with
 * B: nothing is violated. The broken build (-DRC_RAFT_BROKEN_COMMIT)
 * appends no no-op: node 2's log stays empty, node 0 leads term 3 with
 * its vote and commits A, of term 1, by counting node 2's copy; node 2's
 * last term is then 1, and it votes node 1 into term 4 though node 1
 * lacks A (leader completeness), and node 1 overwrites A with B
 * (agreement, state-machine safety).
 */

struct f8_msg {
	unsigned from, to;
	struct _rc_raft_msg *m;
};

struct f8 {
	struct _rc_raft_node *n[3];
	struct _rc_raft_check *check;
	struct f8_msg q[4096];
	unsigned head, tail;
	uint64_t recs[3]; /* records written, per node */
	uint64_t leaders[3];
};

static void f8_send(void *ctx, unsigned from, unsigned to,
		    const struct _rc_raft_msg *m)
{
	struct f8 *f = ctx;
	size_t sz = _rc_raft_msg_size(m);

	if (f->tail == sizeof f->q / sizeof f->q[0])
		return;
	f->q[f->tail].from = from;
	f->q[f->tail].to = to;
	f->q[f->tail].m = malloc(sz);
	if (f->q[f->tail].m)
		memcpy(f->q[f->tail++].m, m, sz);
}

static void f8_record(void *ctx, unsigned node, const struct _rc_raft_rec *r)
{
	struct f8 *f = ctx;

	(void)r;
	f->recs[node]++;
}

static uint64_t f8_rand(void *ctx)
{
	(void)ctx;
	return 0;
}

static void f8_elected(void *ctx, unsigned node, uint64_t term)
{
	struct f8 *f = ctx;
	const struct _rc_raft_ent *log, *other;
	uint64_t len, olen;

	f->leaders[node] = term;
	log = _rc_raft_node_log(f->n[node], &len);
	_rc_raft_check_elected(f->check, node, term, log, len);
	for (unsigned j = 0; j < 3; j++)
		if (j != node) {
			other = _rc_raft_node_log(f->n[j], &olen);
			_rc_raft_check_logs(f->check, node, log, len, j, other,
					    olen);
		}
}

static void f8_committed(void *ctx, unsigned node, uint64_t term,
			 uint64_t index, const struct _rc_raft_ent *log)
{
	struct f8 *f = ctx;

	_rc_raft_check_committed(f->check, node, term, index, log);
}

static void f8_apply(void *ctx, unsigned node, uint64_t index,
		     const struct _rc_raft_ent *e)
{
	struct f8 *f = ctx;

	_rc_raft_check_apply(f->check, node, index, e);
}

/* Delivers what is queued over the links in mask (bit a*3+b and b*3+a
 * for link a-b), dropping the rest, until nothing is queued. */
static void f8_pump(struct f8 *f, unsigned links, uint64_t now)
{
	while (f->head < f->tail) {
		struct f8_msg m = f->q[f->head++];

		if (links >> (m.from * 3 + m.to) & 1)
			_rc_raft_node_recv(f->n[m.to], now, m.m);
		free(m.m);
	}
	f->head = f->tail = 0;
}

#define F8_LINK(a, b) ((1u << ((a)*3 + (b))) | (1u << ((b)*3 + (a))))

/*
 * Runs the schedule; returns the violations (enum _rc_raft_prop bits),
 * the first in why, or -1 without memory. *lead1: the last term node 1
 * was elected in (2 if it never won again).
 */
static inline int f8_run(char *why, size_t len, uint64_t *lead1)
{
	const struct _rc_raft_cfg cfg = { 3, false, false, 0, 0, 0, 0 };
	const uint64_t A = RC_RAFT_CMD(0, 1), B = RC_RAFT_CMD(1, 2);
	struct _rc_raft_ent ea, eb;
	struct _rc_raft_io io;
	struct f8 *f = calloc(1, sizeof *f);
	uint64_t t = 0;
	int v = -1;

	if (!f)
		return -1;
	f->check = _rc_raft_check_create(3, 2);
	io.ctx = f;
	io.send = f8_send;
	io.record = f8_record;
	io.rand = f8_rand;
	io.elected = f8_elected;
	io.committed = f8_committed;
	io.apply = f8_apply;
	for (unsigned i = 0; i < 3; i++)
		f->n[i] = _rc_raft_node_create(&cfg, i, &io, 0);
	if (!f->check || !f->n[0] || !f->n[1] || !f->n[2])
		goto out;
	memset(&ea, 0, sizeof ea);
	memset(&eb, 0, sizeof eb);
	ea.cmd = A;
	eb.cmd = B;
	_rc_raft_check_submit(f->check, A);
	_rc_raft_check_submit(f->check, B);
	/* 1. */
	t += 1000;
	_rc_raft_node_tick(f->n[0], t);
	f8_pump(f, F8_LINK(0, 1), t);
	_rc_raft_node_submit(f->n[0], t, &ea);
	f8_pump(f, 0, t);
	/* 2. */
	t += 1000;
	_rc_raft_node_tick(f->n[1], t);
	f8_pump(f, F8_LINK(1, 2), t);
	_rc_raft_node_submit(f->n[1], t, &eb);
	f8_pump(f, 0, t);
	/* 3: node 0's heartbeat draws node 2's term; then its election,
	 * the repair of node 2's log and a heartbeat with the commit. */
	t += 1000;
	_rc_raft_node_tick(f->n[0], t);
	f8_pump(f, F8_LINK(0, 2), t);
	t += 1000;
	_rc_raft_node_tick(f->n[0], t);
	f8_pump(f, F8_LINK(0, 2), t);
	t += 1000;
	_rc_raft_node_tick(f->n[0], t);
	f8_pump(f, F8_LINK(0, 2), t);
	/* 4: node 1's heartbeat draws node 2's term, then its election
	 * and, if it wins, its repair of node 2 and a heartbeat. */
	t += 1000;
	_rc_raft_node_tick(f->n[1], t);
	f8_pump(f, F8_LINK(1, 2), t);
	t += 1000;
	_rc_raft_node_tick(f->n[1], t);
	f8_pump(f, F8_LINK(1, 2), t);
	t += 1000;
	_rc_raft_node_tick(f->n[1], t);
	f8_pump(f, F8_LINK(1, 2), t);
	*lead1 = f->leaders[1];
	v = (int)_rc_raft_check_final(f->check, 7, 0, false, NULL, why, len);
out:
	for (unsigned i = 0; i < 3; i++)
		_rc_raft_node_destroy(f->n[i]);
	_rc_raft_check_destroy(f->check);
	free(f);
	return v;
}

#endif /* RC_TESTS_RAFT_FIG8_H */
