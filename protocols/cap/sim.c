/* SPDX-License-Identifier: MIT */
/* sim.c: a register replicated at every node in the seeded simulator, in a consistent mode and an available mode, its history recorded and checked for linearizability. */
#include <stdlib.h>
#include <string.h>

#include "protocols/cap/cap.h"

/*
 * Gilbert and Lynch (2002) proved Brewer's conjecture: in an asynchronous
 * network that may lose messages, no read/write register can be both
 * linearizable and available, every request to a node that is up
 * answered. The proof is a partition: a write on one side completes, a
 * read on the other side after it must either wait for a message that
 * never comes or answer without the write. This file runs both choices
 * over the same schedule (the same seed, so the same partition) and lets
 * the linearizability checker judge the histories.
 *
 * Every node holds a replica, a (timestamp, value) pair; a timestamp is a
 * counter times 2^24 plus the write's number, so that no two writes make
 * the same one, and a replica takes a pair only when its timestamp is
 * larger than its own. The workload's command k is a write of the value
 * k at a node, its read k a read at a node (sim.h), each from a client of
 * its own there.
 *
 * Consistent mode is the multi-writer register of Attiya, Bar-Noy and
 * Dolev (1995): an operation asks every replica for its pair and waits
 * for a majority of answers; a write then stores (the largest timestamp's
 * counter plus one, its value), a read stores back the largest pair it
 * saw, and each waits for a majority to acknowledge. Invariant: once an
 * operation returned, a majority holds its pair or a larger one; any
 * later operation's majority meets that one, so it sees the pair or a
 * larger one and stores at least that. Operations ordered by the pairs
 * they store (reads after the write they return) are then a
 * linearization. An operation that has no majority within --timeout us
 * gives up: a read, or a write still asking, had no effect (failed in the
 * history); a write whose pair was already sent may have taken effect
 * (indeterminate). On the minority side of a partition every operation
 * gives up: the register stays linearizable and stops being available.
 *
 * Available mode runs the same operations, and differs in one thing only:
 * an operation that has no majority within --timeout us answers alone,
 * from the largest pair among the node's replica and the answers it got
 * (a write first stores its own pair there and sends it out). Every node
 * also sends its pair to every other every GOSSIP us, so that the
 * replicas converge once the network heals (last writer wins, by
 * timestamp). While the network is whole and messages arrive in time,
 * every operation has its majority and the register is the consistent
 * one; on the minority side of a partition every operation answers
 * alone, a read there misses a write done on the other side, and the
 * checker finds no linearization.
 */

#define GOSSIP 1000 /* available mode: anti-entropy period, us */
/* clients per node that reuse their numbers; a client is process
 * slot * nodes + node in the history */
#define SLOTS 64

/* a timestamp: a counter, then the write's operation number (below
 * 2 * 100000, the most commands and reads) */
#define CLIENT_MASK ((UINT64_C(1) << 24) - 1)
#define TS(counter, client) ((uint64_t)(counter) << 24 | (client))
#define COUNTER(ts) ((ts) >> 24)

enum { M_QUERY = 1, M_PAIR, M_STORE, M_ACK, M_GOSSIP };

/* QUERY (op), PAIR (op, the replica's ts and val), STORE (op, ts, val),
 * ACK (op), GOSSIP (ts, val). */
struct cmsg {
	uint8_t type;
	uint8_t from;
	uint32_t op;
	uint64_t ts, val;
};

enum { P_ASK = 1, P_STORE, P_DONE };

struct cop {
	int64_t call, ret; /* us; ret: when it was answered or gave up */
	uint64_t ts, val;  /* ask: the largest seen; store: the pair sent */
	uint64_t deadline;
	uint64_t mask;	 /* nodes that answered this phase */
	uint64_t result; /* a read's value, 0 for nil */
	uint64_t epoch;	 /* the partition in force at the call, or 0 */
	unsigned node, proc;
	uint8_t write, phase, status;
	uint8_t side; /* during a partition: node on _rc_sim_side's side */
};

struct replica {
	uint64_t ts, val;
	uint64_t busy; /* client slots with an operation open */
	uint64_t next_gossip;
};

struct ctx {
	const struct _rc_cap_sim_opts *o;
	struct _rc_sim *sim;
	struct replica *rep;
	struct cop *op;
	size_t nop, cap;
	size_t low; /* every operation below it is done */
	unsigned majority;
	uint32_t *wop;	 /* write k's operation (k = 1..commands) */
	int64_t *efirst; /* partition e's first call (e = 1..nsplits) */
	uint64_t nsplits;
};

static void msg(struct ctx *c, unsigned from, unsigned to, uint8_t type,
		uint32_t op, uint64_t ts, uint64_t val)
{
	struct cmsg m = { type, (uint8_t)from, op, ts, val };

	_rc_sim_send(c->sim, from, to, &m);
}

static void take(struct replica *r, uint64_t ts, uint64_t val)
{
	if (ts > r->ts) {
		r->ts = ts;
		r->val = val;
	}
}

static void finish(struct ctx *c, struct cop *p, uint64_t now, uint8_t status)
{
	p->phase = P_DONE;
	p->status = status;
	p->ret = (int64_t)now;
	/* a client whose write is indeterminate never returns: its
	 * number is not used again (each process runs one operation at a
	 * time in the history) */
	if (p->proc / c->o->nodes < SLOTS && status != RC_HST_INDET)
		c->rep[p->node].busy &= ~(1ull << (p->proc / c->o->nodes));
	_rc_sim_trace(c->sim, "%s %zu at %u %s", p->write ? "write" : "read",
		      (size_t)(p - c->op), p->node,
		      status == RC_HST_OK     ? "done"
		      : status == RC_HST_FAIL ? "failed"
					      : "timed out, indeterminate");
}

/* Counts node j's answer; moves the operation on once a majority did. */
static void answered(struct ctx *c, struct cop *p, unsigned j, uint64_t now)
{
	const unsigned n = c->o->nodes;
	uint32_t id = (uint32_t)(p - c->op);

	p->mask |= 1ull << j;
	if ((unsigned)__builtin_popcountll(p->mask) < c->majority)
		return;
	if (p->phase == P_STORE) {
		p->result = p->val;
		finish(c, p, now, RC_HST_OK);
		return;
	}
	/* the ask is over: store the pair at a majority */
	if (p->write) {
		p->ts = TS(COUNTER(p->ts) + 1, id);
		p->val = p->result;
	}
	p->phase = P_STORE;
	p->mask = 0;
	take(&c->rep[p->node], p->ts, p->val);
	for (unsigned i = 0; i < n; i++)
		if (i != p->node)
			msg(c, p->node, i, M_STORE, id, p->ts, p->val);
	answered(c, p, p->node, now);
}

static void begin(struct ctx *c, unsigned node, uint64_t now, bool write,
		  uint64_t k)
{
	struct replica *r = &c->rep[node];
	struct cop *p;
	uint64_t side;
	uint32_t id;

	if (c->nop == c->cap)
		return; /* cannot happen: cap is every command and read */
	id = (uint32_t)c->nop++;
	p = &c->op[id];
	memset(p, 0, sizeof *p);
	p->call = (int64_t)now;
	p->ret = -1;
	p->node = node;
	p->write = write;
	p->result = write ? k : 0;
	if (~r->busy != 0) {
		unsigned s = (unsigned)__builtin_ctzll(~r->busy);

		r->busy |= 1ull << s;
		p->proc = s * c->o->nodes + node;
	} else {
		p->proc = (SLOTS + id) * c->o->nodes + node;
	}
	if (write)
		c->wop[k] = id;
	side = _rc_sim_side(c->sim, &p->epoch);
	if (side == 0 || p->epoch > c->nsplits)
		p->epoch = 0; /* no partition (or past the table) */
	p->side = (uint8_t)(side >> node & 1);
	if (p->epoch && c->efirst[p->epoch] < 0)
		c->efirst[p->epoch] = p->call;
	_rc_sim_trace(c->sim, "%s %u at %u%s", write ? "write" : "read", id,
		      node, write ? "" : " begins");
	p->phase = P_ASK;
	p->deadline = now + c->o->timeout;
	p->ts = r->ts;
	p->val = r->val;
	for (unsigned i = 0; i < c->o->nodes; i++)
		if (i != node)
			msg(c, node, i, M_QUERY, id, 0, 0);
	answered(c, p, node, now);
}

static void submit(void *vc, unsigned node, uint64_t now, uint64_t k)
{
	begin(vc, node, now, true, k);
}

static void read_(void *vc, unsigned node, uint64_t now, uint64_t k)
{
	(void)k;
	begin(vc, node, now, false, 0);
}

static void recv(void *vc, unsigned node, uint64_t now, const void *vm)
{
	struct ctx *c = vc;
	const struct cmsg *m = vm;
	struct replica *r = &c->rep[node];
	struct cop *p = m->op < c->nop ? &c->op[m->op] : NULL;

	switch (m->type) {
	case M_QUERY:
		msg(c, node, m->from, M_PAIR, m->op, r->ts, r->val);
		break;
	case M_STORE:
		take(r, m->ts, m->val);
		msg(c, node, m->from, M_ACK, m->op, 0, 0);
		break;
	case M_GOSSIP:
		take(r, m->ts, m->val);
		break;
	case M_PAIR:
		if (p == NULL || p->phase != P_ASK || (p->mask >> m->from & 1))
			break;
		if (m->ts > p->ts) {
			p->ts = m->ts;
			p->val = m->val;
		}
		answered(c, p, m->from, now);
		break;
	case M_ACK:
		if (p == NULL || p->phase != P_STORE ||
		    (p->mask >> m->from & 1))
			break;
		answered(c, p, m->from, now);
		break;
	}
}

static uint64_t deadline(void *vc, unsigned node)
{
	struct ctx *c = vc;
	uint64_t t = UINT64_MAX;

	if (c->o->mode == RC_CAP_AVAILABLE)
		t = c->rep[node].next_gossip;
	while (c->low < c->nop && c->op[c->low].phase == P_DONE)
		c->low++;
	for (size_t i = c->low; i < c->nop; i++)
		if (c->op[i].node == node && c->op[i].phase != P_DONE &&
		    c->op[i].deadline < t)
			t = c->op[i].deadline;
	return t;
}

/*
 * Available mode, an operation without a majority in time: it answers
 * from what the node has, the largest pair among its replica and the
 * answers so far; a write stores its pair at the node first and sends it
 * to every node (the replicas that miss it get it by gossip).
 */
static void answer_alone(struct ctx *c, struct cop *p, uint64_t now)
{
	struct replica *r = &c->rep[p->node];
	uint32_t id = (uint32_t)(p - c->op);

	if (r->ts > p->ts && !(p->write && p->phase == P_STORE)) {
		p->ts = r->ts;
		p->val = r->val;
	}
	if (p->write && p->phase == P_ASK) {
		p->ts = TS(COUNTER(p->ts) + 1, id);
		p->val = p->result;
		take(r, p->ts, p->val);
		for (unsigned i = 0; i < c->o->nodes; i++)
			if (i != p->node)
				msg(c, p->node, i, M_STORE, id, p->ts, p->val);
	}
	p->result = p->val;
	finish(c, p, now, RC_HST_OK);
}

static void tick(void *vc, unsigned node, uint64_t now)
{
	struct ctx *c = vc;
	struct replica *r = &c->rep[node];

	if (c->o->mode == RC_CAP_AVAILABLE && now >= r->next_gossip) {
		for (unsigned i = 0; i < c->o->nodes; i++)
			if (i != node)
				msg(c, node, i, M_GOSSIP, 0, r->ts, r->val);
		r->next_gossip = now + GOSSIP;
	}
	for (size_t i = c->low; i < c->nop; i++) {
		struct cop *p = &c->op[i];

		if (p->node != node || p->phase == P_DONE || p->deadline > now)
			continue;
		if (c->o->mode == RC_CAP_AVAILABLE)
			answer_alone(c, p, now);
		else /* a write whose pair went out may have taken effect */
			finish(c, p, now,
			       p->write && p->phase == P_STORE ? RC_HST_INDET
							       : RC_HST_FAIL);
	}
}

static bool same_replicas(const struct ctx *c)
{
	const struct replica *first = NULL;

	for (unsigned i = 0; i < c->o->nodes; i++) {
		if (_rc_sim_crashed(c->sim, i))
			continue;
		if (first != NULL && c->rep[i].ts != first->ts)
			return false;
		first = &c->rep[i];
	}
	return true;
}

static bool finished(void *vc, unsigned node, uint64_t expect)
{
	struct ctx *c = vc;

	(void)expect;
	for (size_t i = c->low; i < c->nop; i++)
		if (c->op[i].node == node && c->op[i].phase != P_DONE)
			return false;
	return c->o->mode != RC_CAP_AVAILABLE || same_replicas(c);
}

static size_t msg_size(const void *m)
{
	(void)m;
	return sizeof(struct cmsg);
}

static void msg_describe(const void *vm, char *buf, size_t len)
{
	static const char *const names[] = { "?",     "query", "pair",
					     "store", "ack",   "gossip" };
	const struct cmsg *m = vm;

	snprintf(buf, len, "%s op %u from %u ts %llu.%llu value %llu",
		 names[m->type < 6 ? m->type : 0], m->op, m->from,
		 (unsigned long long)COUNTER(m->ts),
		 (unsigned long long)(m->ts & CLIENT_MASK),
		 (unsigned long long)m->val);
}

static const struct _rc_sim_proto proto = {
	.name = "cap",
	.recv = recv,
	.tick = tick,
	.deadline = deadline,
	.submit = submit,
	.finished = finished,
	.msg_size = msg_size,
	.msg_describe = msg_describe,
	.read = read_,
};

/* The history: times in ns (the simulated us times 1000). */
static int record(struct ctx *c, struct _rc_cap_sim_result *res, rc_err_t *err)
{
	res->history = rc_history_new();
	if (res->history == NULL)
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	for (size_t i = 0; i < c->nop; i++) {
		const struct cop *p = &c->op[i];
		struct rc_hop h;
		int rc;

		memset(&h, 0, sizeof h);
		h.call = p->call * 1000;
		/* a failed operation gave up at ret; an indeterminate one
		 * may take effect at any time after its call */
		h.ret = p->status != RC_HST_INDET ? p->ret * 1000
						  : RC_HTIME_INF;
		h.key = RC_HVAL_NONE;
		h.arg[0] = h.arg[1] = RC_HVAL_NONE;
		h.proc = p->proc;
		h.kind = p->write ? RC_HOP_WRITE : RC_HOP_READ;
		h.status = p->status;
		if (p->write) {
			h.arg[0] = (rc_hval_t)p->result;
			h.result = p->status == RC_HST_OK ? RC_HVAL_OK
							  : RC_HVAL_UNKNOWN;
		} else {
			h.result = p->status != RC_HST_OK ? RC_HVAL_UNKNOWN
				   : p->result == 0	  ? RC_HVAL_NIL
						    : (rc_hval_t)p->result;
		}
		rc = rc_history_add(res->history, &h, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int by_ret(const void *a, const void *b)
{
	const struct cop *x = *(const struct cop *const *)a;
	const struct cop *y = *(const struct cop *const *)b;

	return (x->ret > y->ret) - (x->ret < y->ret);
}

/*
 * Stale reads: a read that returned the value of write w (or nil) when
 * another write w2 began after w returned and returned before the read
 * began. Values are written once, so each is a proof that the history
 * is not linearizable, checker aside. The first (by invocation) goes to
 * res->witness with the write that hid its value.
 */
static void stale_reads(const struct ctx *c, struct _rc_cap_sim_result *res,
			char *text, size_t len)
{
	const struct cop **w = malloc((c->nop + 1) * sizeof *w);
	size_t *best = malloc((c->nop + 1) * sizeof *best);
	size_t nw = 0;
	const struct cop *first = NULL, *hid = NULL, *v;
	bool split = false; /* first is a stale read across the split */

	if (w == NULL || best == NULL) {
		free(w);
		free(best);
		return;
	}
	for (size_t i = 0; i < c->nop; i++)
		if (c->op[i].write && c->op[i].status == RC_HST_OK)
			w[nw++] = &c->op[i];
	qsort(w, nw, sizeof *w, by_ret);
	for (size_t i = 0; i < nw; i++) /* the latest call by w[i]'s ret */
		best[i] = i && w[best[i - 1]]->call > w[i]->call ? best[i - 1]
								 : i;
	for (size_t i = 0; i < c->nop; i++) {
		const struct cop *p = &c->op[i];
		size_t lo = 0, hi = nw;
		int64_t since = INT64_MIN;

		if (p->write || p->status != RC_HST_OK)
			continue;
		if (p->result != 0) {
			v = &c->op[c->wop[p->result]];
			since = v->status == RC_HST_INDET ? INT64_MAX : v->ret;
		}
		while (lo < hi) { /* writes done strictly before p began */
			size_t mid = (lo + hi) / 2;

			if (w[mid]->ret < p->call)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == 0 || w[best[lo - 1]]->call <= since)
			continue;
		res->stale++;
		/* across the split: the write that hid the value ran on the
		 * other side during the partition the read ran in */
		for (size_t j = lo;
		     p->epoch && j-- > 0 && w[j]->ret >= c->efirst[p->epoch];) {
			if (w[j]->epoch != p->epoch || w[j]->side == p->side ||
			    w[j]->call <= since)
				continue;
			res->stale_split++;
			if (!split || p->call < first->call) {
				first = p;
				hid = w[j];
			}
			split = true;
			break;
		}
		if (!split && (first == NULL || p->call < first->call)) {
			first = p;
			hid = w[best[lo - 1]];
		}
	}
	if (first != NULL && first->result != 0) {
		v = &c->op[c->wop[first->result]];
		snprintf(text, len,
			 "read -> %llu at node %u at %lld us, though write "
			 "%llu at node %u [%lld, %lld us] came after write "
			 "%llu [%lld, %lld us]%s",
			 (unsigned long long)first->result, first->node,
			 (long long)first->call,
			 (unsigned long long)hid->result, hid->node,
			 (long long)hid->call, (long long)hid->ret,
			 (unsigned long long)v->result, (long long)v->call,
			 (long long)v->ret, split ? ", across the split" : "");
	} else if (first != NULL) {
		snprintf(text, len,
			 "read -> nil at node %u at %lld us, though write "
			 "%llu at node %u [%lld, %lld us] came before it%s",
			 first->node, (long long)first->call,
			 (unsigned long long)hid->result, hid->node,
			 (long long)hid->call, (long long)hid->ret,
			 split ? ", across the split" : "");
	}
	free(w);
	free(best);
}

/*
 * Consistent mode's own certificate, the invariant of the opening
 * comment: an answered operation invoked after another returned stores
 * a pair at least as large, larger when it writes. Then the pairs order
 * the answered operations (reads after the write whose pair they
 * stored, concurrent reads of one pair as real time has them) into a
 * linearization, and the unanswered writes take effect where their pair
 * falls or never. O(n log n); a check on the protocol apart from the
 * checker's search, which may run out of its budget.
 */
static bool pair_order(const struct ctx *c)
{
	const struct cop **w = malloc((c->nop + 1) * sizeof *w);
	uint64_t *best = malloc((c->nop + 1) * sizeof *best);
	size_t n = 0;
	bool ok = true;

	if (w == NULL || best == NULL) {
		free(w);
		free(best);
		return false;
	}
	for (size_t i = 0; i < c->nop; i++)
		if (c->op[i].status == RC_HST_OK)
			w[n++] = &c->op[i];
	qsort(w, n, sizeof *w, by_ret);
	for (size_t i = 0; i < n; i++) /* the largest pair by w[i]'s ret */
		best[i] = i && best[i - 1] > w[i]->ts ? best[i - 1] : w[i]->ts;
	for (size_t i = 0; i < c->nop && ok; i++) {
		const struct cop *p = &c->op[i];
		size_t lo = 0, hi = n;

		if (p->status != RC_HST_OK)
			continue;
		while (lo < hi) { /* answered strictly before p began */
			size_t mid = (lo + hi) / 2;

			if (w[mid]->ret < p->call)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo > 0 && (best[lo - 1] > p->ts ||
			       (p->write && best[lo - 1] == p->ts)))
			ok = false;
	}
	free(w);
	free(best);
	return ok;
}

/* One operation as the witness names it. */
static void op_short(const rc_history_t *h, unsigned nodes, uint32_t i,
		     char *buf, size_t n)
{
	const struct rc_hop *p = rc_history_op(h, i);
	char v[32], r[32];

	if (p->kind == RC_HOP_WRITE)
		rc_history_fmtval(h, p->arg[0], v, sizeof v);
	else
		rc_history_fmtval(h, p->result, v, sizeof v);
	if (p->ret == RC_HTIME_INF)
		snprintf(r, sizeof r, "never");
	else
		snprintf(r, sizeof r, "%lld", (long long)(p->ret / 1000));
	snprintf(buf, n, "%s %s at node %u [%lld, %s us]",
		 p->kind == RC_HOP_WRITE ? "write" : "read ->", v,
		 p->proc % nodes, (long long)(p->call / 1000), r);
}

static int check(struct _rc_cap_sim_result *res, unsigned nodes,
		 const char *stale, double timeout, rc_err_t *err)
{
	struct rc_check_opts co = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *cr = NULL;
	const struct rc_check_part *pt;
	char a[128];
	int rc;

	co.spec = RC_SPEC_REGISTER;
	co.level = RC_LIN;
	co.timeout = timeout;
	co.threads = 1;
	/* budgets the same on every machine; out of them: unknown */
	co.max_states = (size_t)1 << 18;
	co.max_bytes = (size_t)256 << 20;
	rc = rc_check(res->history, &co, &cr, err);
	if (rc < 0)
		return rc;
	res->verdict = cr->verdict;
	pt = cr->nparts > 0 ? &cr->parts[0] : NULL;
	/* the checker's longest prefix, then the stale read that proves
	 * it, or the first operation that cannot come next */
	if (cr->verdict == RC_VERDICT_VIOLATION && pt != NULL && stale[0]) {
		snprintf(res->witness, sizeof res->witness,
			 "the checker linearizes %zu of %zu ops; a stale "
			 "read: %.180s",
			 pt->norder, cr->nops, stale);
	} else if (cr->verdict == RC_VERDICT_VIOLATION && pt != NULL &&
		   pt->nblocked > 0) {
		op_short(res->history, nodes, pt->blocked[0], a, sizeof a);
		snprintf(res->witness, sizeof res->witness,
			 "the checker linearizes %zu of %zu ops; none can "
			 "come next, e.g. %.120s",
			 pt->norder, cr->nops, a);
	} else if (cr->verdict == RC_VERDICT_UNKNOWN && stale[0]) {
		/* values are written once: a stale read alone proves it */
		res->verdict = RC_VERDICT_VIOLATION;
		snprintf(res->witness, sizeof res->witness,
			 "the checker ran out of its budget; a stale read "
			 "proves it: %.180s",
			 stale);
	}
	rc_check_result_free(cr);
	return 0;
}

int _rc_cap_sim_run(const struct _rc_cap_sim_opts *o,
		    struct _rc_cap_sim_result *res, rc_err_t *err)
{
	struct _rc_sim_opts so;
	struct ctx c;
	char stale[200] = "";
	int rc = 0;

	memset(res, 0, sizeof *res);
	if (o->nodes < 1 || o->nodes > RC_SIM_MAX_NODES)
		return rc_err_set(err, RC_EINVAL, "nodes", 0, 0,
				  "the nodes must be 1..%d", RC_SIM_MAX_NODES);
	if (o->faults.crash >= o->nodes)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "crash=%u leaves no node of %u up",
				  o->faults.crash, o->nodes);
	if (o->faults.restart || o->faults.member)
		return rc_err_set(err, RC_EINVAL, "faults", 0, 0,
				  "restart and member are not faults of cap "
				  "(its replicas keep no record)");
	if (o->commands < 1 || o->commands > 100000)
		return rc_err_set(err, RC_EINVAL, "commands", 0, 0,
				  "the commands must be 1..100000");
	if (o->timeout < 10 || o->timeout > 10000000)
		return rc_err_set(err, RC_EINVAL, "timeout", 0, 0,
				  "the timeout must be 10..10000000 us");
	memset(&c, 0, sizeof c);
	c.o = o;
	c.majority = o->nodes / 2 + 1;
	c.cap = 2 * (size_t)o->commands;
	c.rep = calloc(o->nodes, sizeof *c.rep);
	c.op = calloc(c.cap, sizeof *c.op);
	c.wop = calloc(o->commands + 1, sizeof *c.wop);
	c.nsplits = (uint64_t)o->faults.part + 1;
	c.efirst = malloc((c.nsplits + 1) * sizeof *c.efirst);
	for (uint64_t e = 0; c.efirst != NULL && e <= c.nsplits; e++)
		c.efirst[e] = -1;
	memset(&so, 0, sizeof so);
	so.nodes = o->nodes;
	so.seed = o->seed;
	so.commands = o->commands;
	so.reads = o->commands;
	so.faults = o->faults;
	so.trace = o->trace;
	if (c.rep != NULL && c.op != NULL && c.wop != NULL && c.efirst != NULL)
		c.sim = _rc_sim_create(&proto, &c, &so);
	if (c.sim == NULL) {
		rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	rc = _rc_sim_run(c.sim, &res->st);
	if (rc < 0) {
		rc = rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
		goto out;
	}
	/* what is still open at the end was at a node that crashed */
	for (size_t i = 0; i < c.nop; i++)
		if (c.op[i].phase != P_DONE)
			finish(&c, &c.op[i], res->st.time,
			       c.op[i].write && c.op[i].phase == P_STORE
				       ? RC_HST_INDET
				       : RC_HST_FAIL);
	for (size_t i = 0; i < c.nop; i++) {
		/* a node that crashed for good answers nothing more: what
		 * it left open is not asked of availability */
		if (c.op[i].status != RC_HST_OK &&
		    _rc_sim_crashed(c.sim, c.op[i].node)) {
			res->lost++;
			continue;
		}
		res->ops++;
		res->answered += c.op[i].status == RC_HST_OK;
		res->failed += c.op[i].status == RC_HST_FAIL;
		res->indet += c.op[i].status == RC_HST_INDET;
	}
	stale_reads(&c, res, stale, sizeof stale);
	res->ordered = o->mode == RC_CAP_CONSISTENT && pair_order(&c);
	res->converged = same_replicas(&c);
	rc = record(&c, res, err);
	if (rc == 0)
		rc = check(res, o->nodes, stale, o->check_timeout, err);
	if (rc < 0) {
		rc_history_free(res->history);
		res->history = NULL;
	}
out:
	_rc_sim_destroy(c.sim);
	free(c.rep);
	free(c.op);
	free(c.wop);
	free(c.efirst);
	return rc;
}
