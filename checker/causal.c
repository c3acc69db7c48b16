/* SPDX-License-Identifier: MIT */
/* causal.c: causal consistency (CC, CM, CCv) of read/write histories by bad patterns. */
/*
 * Bouajjani, Enea, Guerraoui and Hamza, "On verifying causal consistency"
 * (POPL 2017), show that for a differentiated history (each value written
 * at most once per location, never the initial value) the three variants of
 * causal consistency are each characterised by the absence of a few bad
 * patterns, all checkable in polynomial time. With po the program order,
 * wr the write-read relation (a read reads from the one write of its value)
 * and co = (po | wr)+:
 *
 *   CyclicCO         co is cyclic;
 *   ThinAirRead      a read of a value no write wrote;
 *   WriteCOInitRead  a read of the initial value of x has a write to x
 *                    causally before it;
 *   WriteCORead      w1 co w2 co r with r reading x from w1, w2 writing x;
 *   WriteHBInitRead  for some op o and read r of x's initial value that is
 *                    po-before (or is) o: a write to x hb_o-before r;
 *   CyclicHB         hb_o is cyclic for some o;
 *   CyclicCF         cf | co is cyclic, where w1 cf w2 when both write x
 *                    and some read r of w2's value has w1 co r.
 *
 * hb_o is the smallest transitive relation that contains co on o's causal
 * past and, whenever w1 hb_o r for a read r po-before (or equal to) o that
 * reads x from w2, w1 writing x too, orders w1 hb_o w2. hb_o only grows
 * along a process, so only the last operation of each process is needed.
 *
 * CC forbids the first four, CM adds WriteHBInitRead and CyclicHB, CCv adds
 * CyclicCF. A history that is not differentiated is checked instead by a
 * bounded search straight from the definitions: every causal order
 * co = (po | X)+ with X a set of write-to-other-process edges, and for each
 * operation a serialisation of its causal past.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "checker/internal.h"

struct cop {
	const struct rc_hop *op;
	uint32_t id;   /* history index */
	uint32_t proc; /* dense */
	bool write;
	rc_hval_t loc, val;
	int32_t from; /* read: the write it reads from, -1 initial, -2 none */
};

struct causal {
	struct cop *ops;
	size_t n, words;
	uint32_t nprocs;
	uint32_t *po_next; /* next op of the same process, or UINT32_MAX */
	uint32_t *last;	   /* last op of each process */
	uint64_t *co;	   /* co[b]: bitset of a with a co b */
	rc_hval_t init;	   /* what every location holds first */
	rc_hval_t nil_as;  /* what a value nil equals: kv's "" */
};

static bool bit(const uint64_t *s, size_t i)
{
	return (s[i / 64] >> (i % 64)) & 1;
}

static void setbit(uint64_t *s, size_t i)
{
	s[i / 64] |= UINT64_C(1) << (i % 64);
}

static uint64_t *row(const struct causal *c, uint64_t *m, size_t i)
{
	return m + i * c->words;
}

static bool same_val(rc_hval_t a, rc_hval_t b, rc_hval_t nil_as)
{
	if (a == b)
		return true;
	/* a kv get of nil is a get of "" */
	return (a == RC_HVAL_NIL && b == nil_as) ||
	       (b == RC_HVAL_NIL && a == nil_as);
}

static int cmp_call(const void *a, const void *b)
{
	const struct cop *x = a, *y = b;

	if (x->op->call != y->op->call)
		return x->op->call < y->op->call ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void report(struct rc_check_part *part, const char *pattern,
		   const struct causal *c, const uint32_t *ops, size_t n,
		   const char *what)
{
	part->verdict = RC_VERDICT_VIOLATION;
	snprintf(part->pattern, sizeof(part->pattern), "%s", pattern);
	snprintf(part->note, sizeof(part->note), "%s", what);
	free(part->blocked);
	part->blocked = malloc((n + 1) * sizeof(*part->blocked));
	part->nblocked = 0;
	if (part->blocked != NULL)
		for (size_t i = 0; i < n; i++)
			part->blocked[part->nblocked++] = c->ops[ops[i]].id;
}

/* po | wr edges. */
static int base_edges(const struct causal *c, struct _rc_graph *g)
{
	for (size_t i = 0; i < c->n; i++) {
		if (c->po_next[i] != UINT32_MAX &&
		    _rc_graph_add(g, (uint32_t)i, c->po_next[i]) < 0)
			return -1;
		if (!c->ops[i].write && c->ops[i].from >= 0 &&
		    _rc_graph_add(g, (uint32_t)c->ops[i].from, (uint32_t)i) < 0)
			return -1;
	}
	return 0;
}

/* co[b] = all a with a (po|wr)+ b, given acyclicity, in topological order. */
static int closure(struct causal *c)
{
	uint32_t *indeg = calloc(c->n + 1, sizeof(*indeg));
	uint32_t *q = malloc((c->n + 1) * sizeof(*q));
	size_t qh = 0, qt = 0;
	struct _rc_graph g;

	if (indeg == NULL || q == NULL || _rc_graph_init(&g, c->n) < 0 ||
	    base_edges(c, &g) < 0) {
		free(indeg);
		free(q);
		return -1;
	}
	for (size_t e = 0; e < g.ne; e++)
		indeg[g.e[e].to]++;
	for (size_t i = 0; i < c->n; i++)
		if (indeg[i] == 0)
			q[qt++] = (uint32_t)i;
	while (qh < qt) {
		uint32_t v = q[qh++];

		for (uint32_t e = g.head[v]; e != UINT32_MAX; e = g.e[e].next) {
			uint32_t w = g.e[e].to;
			uint64_t *rw = row(c, c->co, w), *rv = row(c, c->co, v);

			for (size_t k = 0; k < c->words; k++)
				rw[k] |= rv[k];
			setbit(rw, v);
			if (--indeg[w] == 0)
				q[qt++] = w;
		}
	}
	free(indeg);
	free(q);
	_rc_graph_free(&g);
	return 0;
}

/* Adds a -> b to the transitively closed relation m. */
static void add_edge(const struct causal *c, uint64_t *m, uint32_t a,
		     uint32_t b)
{
	const uint64_t *ra = row(c, m, a);

	for (size_t x = 0; x < c->n; x++) {
		uint64_t *rx = row(c, m, x);

		if (x != b && !bit(rx, b))
			continue;
		for (size_t k = 0; k < c->words; k++)
			rx[k] |= ra[k];
		setbit(rx, a);
	}
}

/* The polynomial checks on a differentiated history. */
/*
 * A passing history's witness: a linear extension of g (acyclic: the
 * causal order po | wr, with the conflict order cf for CCv), the smallest
 * operation first among those ready (Kahn's algorithm), as history
 * indexes in part->order. -1 without memory.
 */
static int witness_order(const struct causal *c, const struct _rc_graph *g,
			 struct rc_check_part *part)
{
	uint32_t *indeg = calloc(c->n + 1, sizeof(*indeg));
	uint32_t *order = malloc((c->n + 1) * sizeof(*order));
	uint8_t *done = calloc(c->n + 1, 1);
	size_t k = 0, next = 0;

	if (indeg == NULL || order == NULL || done == NULL) {
		free(indeg);
		free(order);
		free(done);
		return -1;
	}
	for (size_t e = 0; e < g->ne; e++)
		indeg[g->e[e].to]++;
	/* the smallest ready op: ops are sorted by invocation, so the
	 * witness follows real time where the orders allow */
	while (k < c->n) {
		size_t v = next;

		while (v < c->n && (done[v] || indeg[v] != 0))
			v++;
		if (v == c->n)
			break; /* cyclic: cannot happen after the checks */
		done[v] = 1;
		order[k++] = c->ops[v].id;
		for (uint32_t e = g->head[v]; e != UINT32_MAX; e = g->e[e].next)
			if (--indeg[g->e[e].to] == 0 && g->e[e].to < next)
				next = g->e[e].to;
		while (next < c->n && done[next])
			next++;
	}
	free(indeg);
	free(done);
	free(part->order);
	part->order = order;
	part->norder = k;
	return 0;
}

static int check_patterns(struct causal *c, enum rc_level level,
			  struct rc_check_part *part)
{
	struct _rc_graph g;
	uint32_t *cyc = malloc((c->n + 1) * sizeof(*cyc));
	uint64_t *hb = NULL;
	size_t len;
	int rc = -1;

	if (cyc == NULL || _rc_graph_init(&g, c->n) < 0) {
		free(cyc);
		return -1;
	}
	/* ThinAirRead */
	for (size_t i = 0; i < c->n; i++)
		if (!c->ops[i].write && c->ops[i].from == -2) {
			uint32_t o = (uint32_t)i;

			report(part, "ThinAirRead", c, &o, 1,
			       "a read of a value that no write wrote");
			rc = 0;
			goto out;
		}
	/* CyclicCO */
	if (base_edges(c, &g) < 0)
		goto out;
	if ((len = _rc_graph_cycle(&g, cyc, NULL)) > 0) {
		report(part, "CyclicCO", c, cyc, len,
		       "program order and reads-from form a cycle: the "
		       "causal order is cyclic");
		rc = 0;
		goto out;
	}
	if (closure(c) < 0)
		goto out;
	for (size_t r = 0; r < c->n; r++) {
		const struct cop *ro = &c->ops[r];
		const uint64_t *cr = row(c, c->co, r);

		if (ro->write)
			continue;
		for (size_t w = 0; w < c->n; w++) {
			const struct cop *wo = &c->ops[w];
			uint32_t ops[3];

			if (!wo->write || wo->loc != ro->loc || !bit(cr, w) ||
			    (int32_t)w == ro->from)
				continue;
			if (ro->from == -1) {
				ops[0] = (uint32_t)w;
				ops[1] = (uint32_t)r;
				report(part, "WriteCOInitRead", c, ops, 2,
				       "a read of the initial value has a "
				       "write of its location causally "
				       "before it");
				rc = 0;
				goto out;
			}
			if (bit(row(c, c->co, w), (size_t)ro->from)) {
				ops[0] = (uint32_t)ro->from;
				ops[1] = (uint32_t)w;
				ops[2] = (uint32_t)r;
				report(part, "WriteCORead", c, ops, 3,
				       "a read reads from a write that "
				       "another causally later write to the "
				       "same location overwrote before it");
				rc = 0;
				goto out;
			}
		}
	}
	if (level == RC_CCV) {
		/* CyclicCF: po | wr | cf */
		for (size_t r = 0; r < c->n; r++) {
			const struct cop *ro = &c->ops[r];

			if (ro->write || ro->from < 0)
				continue;
			for (size_t w = 0; w < c->n; w++)
				if (c->ops[w].write &&
				    c->ops[w].loc == ro->loc &&
				    (int32_t)w != ro->from &&
				    bit(row(c, c->co, r), w) &&
				    _rc_graph_add(&g, (uint32_t)w,
						  (uint32_t)ro->from) < 0)
					goto out;
		}
		if ((len = _rc_graph_cycle(&g, cyc, NULL)) > 0) {
			report(part, "CyclicCF", c, cyc, len,
			       "the conflict order (a write causally before "
			       "a read of another write to its location "
			       "goes first) and the causal order form a "
			       "cycle: replicas cannot converge");
			rc = 0;
			goto out;
		}
	}
	if (level == RC_CM) {
		hb = malloc(c->n * c->words * sizeof(*hb) + 8);
		if (hb == NULL)
			goto out;
		for (uint32_t p = 0; p < c->nprocs; p++) {
			uint32_t o = c->last[p];
			const uint64_t *past = row(c, c->co, o);
			bool changed = true;

			if (o == UINT32_MAX)
				continue;
			/* co restricted to o's causal past (and o) */
			for (size_t b = 0; b < c->n; b++) {
				uint64_t *hr = row(c, hb, b);
				const uint64_t *cb = row(c, c->co, b);

				for (size_t k = 0; k < c->words; k++)
					hr[k] = (b == o || bit(past, b))
							? cb[k] & past[k]
							: 0;
			}
			while (changed) {
				changed = false;
				for (size_t r = 0; r < c->n; r++) {
					const struct cop *ro = &c->ops[r];

					if (ro->write || ro->proc != p ||
					    ro->from < 0)
						continue;
					for (size_t w = 0; w < c->n; w++) {
						uint32_t w2 =
							(uint32_t)ro->from;

						if (!c->ops[w].write ||
						    c->ops[w].loc != ro->loc ||
						    w == w2 ||
						    !bit(row(c, hb, r), w) ||
						    bit(row(c, hb, w2), w))
							continue;
						add_edge(c, hb, (uint32_t)w,
							 w2);
						changed = true;
					}
				}
			}
			for (size_t x = 0; x < c->n; x++) {
				uint32_t ops[2];

				if (bit(row(c, hb, x), x)) {
					ops[0] = (uint32_t)x;
					ops[1] = o;
					report(part, "CyclicHB", c, ops, 2,
					       "the happens-before order seen "
					       "by a process is cyclic: its "
					       "reads force a write both "
					       "before "
					       "and after another");
					rc = 0;
					goto out;
				}
				if (c->ops[x].write || c->ops[x].proc != p ||
				    c->ops[x].from != -1)
					continue;
				for (size_t w = 0; w < c->n; w++)
					if (c->ops[w].write &&
					    c->ops[w].loc == c->ops[x].loc &&
					    bit(row(c, hb, x), w)) {
						ops[0] = (uint32_t)w;
						ops[1] = (uint32_t)x;
						report(part, "WriteHBInitRead",
						       c, ops, 2,
						       "a read of the initial "
						       "value has a write of "
						       "its "
						       "location happen before "
						       "it, as its process "
						       "sees them");
						rc = 0;
						goto out;
					}
			}
		}
	}
	if (witness_order(c, &g, part) < 0)
		goto out;
	part->verdict = RC_VERDICT_OK;
	rc = 0;
out:
	free(cyc);
	free(hb);
	_rc_graph_free(&g);
	return rc;
}

/*
 * The bounded search from the definitions, for histories that are not
 * differentiated: co = (po | X)+ for each set X of edges from a write to an
 * op of another process; for each op, a serialisation of its causal past
 * in which the ops that must be right read what they read.
 */
struct bsearch {
	struct causal *c;
	enum rc_level level;
	uint64_t *m; /* closed co */
	uint32_t *order;
	bool *used;
	double deadline;
	unsigned long long steps;
	bool out_of_time;
};

/* Is r's value right after the serialisation order[0..len)? */
static bool reads_right(const struct bsearch *b, const uint32_t *order,
			size_t len, uint32_t r)
{
	rc_hval_t cur = b->c->init;
	const struct cop *ro = &b->c->ops[r];

	for (size_t i = 0; i < len; i++) {
		const struct cop *o = &b->c->ops[order[i]];

		if (o->write && o->loc == ro->loc)
			cur = o->val;
	}
	return same_val(cur, ro->val, b->c->nil_as);
}

/*
 * Extends a serialisation of the ops in set (respecting co) where every op
 * of vis that is a read reads right; with arb non-NULL the order must follow
 * arb (CCv).
 */
static bool serialise(struct bsearch *b, const uint64_t *set,
		      const uint64_t *vis, size_t len, size_t total)
{
	struct causal *c = b->c;

	if ((++b->steps & 4095) == 0 && b->deadline > 0 &&
	    _rc_now() > b->deadline)
		b->out_of_time = true;
	if (b->out_of_time)
		return false;
	if (len == total)
		return true;
	for (size_t i = 0; i < c->n; i++) {
		bool ready = true;

		if (!bit(set, i) || b->used[i])
			continue;
		for (size_t k = 0; k < c->n && ready; k++)
			if (bit(row(c, b->m, i), k) && bit(set, k) &&
			    !b->used[k])
				ready = false;
		if (!ready)
			continue;
		if (!c->ops[i].write && bit(vis, i) &&
		    !reads_right(b, b->order, len, (uint32_t)i))
			continue;
		b->used[i] = true;
		b->order[len] = (uint32_t)i;
		if (serialise(b, set, vis, len + 1, total)) {
			b->used[i] = false;
			return true;
		}
		b->used[i] = false;
	}
	return false;
}

/*
 * CCv: extends an arbitration order (a linear extension of co) of all ops;
 * each read, when placed, must read what the arbitration-last write of its
 * location in its causal past wrote.
 */
static bool serialise_ccv(struct bsearch *b, const uint64_t *all, size_t len)
{
	struct causal *c = b->c;

	(void)all;
	if ((++b->steps & 4095) == 0 && b->deadline > 0 &&
	    _rc_now() > b->deadline)
		b->out_of_time = true;
	if (b->out_of_time)
		return false;
	if (len == c->n)
		return true;
	for (size_t i = 0; i < c->n; i++) {
		bool ready = true;

		if (b->used[i])
			continue;
		for (size_t k = 0; k < c->n && ready; k++)
			if (bit(row(c, b->m, i), k) && !b->used[k])
				ready = false;
		if (!ready)
			continue;
		if (!c->ops[i].write) {
			rc_hval_t cur = c->init;

			for (size_t j = 0; j < len; j++) {
				const struct cop *w = &c->ops[b->order[j]];

				if (w->write && w->loc == c->ops[i].loc &&
				    bit(row(c, b->m, i), b->order[j]))
					cur = w->val;
			}
			if (!same_val(cur, c->ops[i].val, c->nil_as))
				continue;
		}
		b->used[i] = true;
		b->order[len] = (uint32_t)i;
		if (serialise_ccv(b, all, len + 1)) {
			b->used[i] = false;
			return true;
		}
		b->used[i] = false;
	}
	return false;
}

static bool co_explains(struct bsearch *b)
{
	struct causal *c = b->c;
	uint64_t *set = calloc(c->words * 2 + 2, sizeof(*set));
	uint64_t *vis = set + c->words + 1;
	bool good = set != NULL;

	if (b->level == RC_CCV && good) {
		/* one arbitration order of everything, checked per op */
		uint64_t *all = calloc(c->words + 1, sizeof(*all));

		good = false;
		if (all != NULL) {
			for (size_t i = 0; i < c->n; i++)
				setbit(all, i);
			memset(b->used, 0, c->n * sizeof(*b->used));
			good = serialise_ccv(b, all, 0);
			free(all);
		}
		free(set);
		return good;
	}
	for (size_t o = 0; good && o < c->n; o++) {
		const uint64_t *past = row(c, b->m, o);
		size_t total = 0;

		memset(set, 0, (c->words * 2 + 2) * sizeof(*set));
		for (size_t i = 0; i < c->n; i++) {
			bool in = bit(past, i) || i == o;

			if (!in)
				continue;
			setbit(set, i);
			total++;
			if (i == o || (b->level == RC_CM &&
				       c->ops[i].proc == c->ops[o].proc))
				setbit(vis, i);
		}
		memset(b->used, 0, c->n * sizeof(*b->used));
		good = serialise(b, set, vis, 0, total);
	}
	free(set);
	return good;
}

/* Every co = (po | X)+, X a set of write-to-other-process edges. */
static int bounded_search(struct causal *c, enum rc_level level,
			  double deadline, struct rc_check_part *part)
{
	struct bsearch b;
	uint32_t(*cand)[2] = NULL;
	size_t nc = 0;
	uint64_t *base = NULL;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	b.c = c;
	b.level = level;
	b.deadline = deadline;
	cand = malloc((c->n * c->n + 1) * sizeof(*cand));
	b.m = malloc((c->n * c->words + 1) * sizeof(*b.m));
	base = malloc((c->n * c->words + 1) * sizeof(*base));
	b.order = malloc((c->n + 1) * sizeof(*b.order));
	b.used = calloc(c->n + 1, sizeof(*b.used));
	if (!cand || !b.m || !base || !b.order || !b.used)
		goto out;
	/* po alone, closed */
	memset(base, 0, c->n * c->words * sizeof(*base));
	for (size_t i = 0; i < c->n; i++)
		for (size_t j = 0; j < c->n; j++)
			if (c->ops[i].proc == c->ops[j].proc &&
			    cmp_call(&c->ops[i], &c->ops[j]) < 0)
				setbit(row(c, base, j), i);
	for (size_t w = 0; w < c->n; w++)
		for (size_t o = 0; o < c->n; o++)
			if (c->ops[w].write && c->ops[o].proc != c->ops[w].proc)
				cand[nc][0] = (uint32_t)w,
				cand[nc++][1] = (uint32_t)o;
	if (nc > 16) {
		part->verdict = RC_VERDICT_UNKNOWN;
		snprintf(part->note, sizeof(part->note),
			 "the history is not differentiated (a value is "
			 "written twice) and too large for the bounded "
			 "search (%zu ops)",
			 c->n);
		rc = 0;
		goto out;
	}
	part->verdict = RC_VERDICT_VIOLATION;
	for (uint64_t x = 0; x < (UINT64_C(1) << nc); x++) {
		bool cyclic = false;

		if ((x & 255) == 255 && deadline > 0 && _rc_now() > deadline) {
			b.out_of_time = true;
			break;
		}
		memcpy(b.m, base, c->n * c->words * sizeof(*b.m));
		for (size_t e = 0; e < nc; e++)
			if ((x >> e) & 1)
				add_edge(c, b.m, cand[e][0], cand[e][1]);
		for (size_t i = 0; i < c->n; i++)
			cyclic |= bit(row(c, b.m, i), i);
		if (cyclic)
			continue;
		if (co_explains(&b)) {
			part->verdict = RC_VERDICT_OK;
			break;
		}
		if (b.out_of_time)
			break;
	}
	if (b.out_of_time) {
		part->verdict = RC_VERDICT_UNKNOWN;
		snprintf(part->note, sizeof(part->note),
			 "the history is not differentiated; the bounded "
			 "search timed out");
	} else {
		snprintf(part->note, sizeof(part->note),
			 "the history is not differentiated (a value is "
			 "written twice): checked by bounded search over "
			 "causal orders, not by bad patterns");
	}
	if (part->verdict == RC_VERDICT_VIOLATION)
		snprintf(part->pattern, sizeof(part->pattern), "%s",
			 "NoCausalOrder");
	rc = 0;
out:
	free(cand);
	free(b.m);
	free(base);
	free(b.order);
	free(b.used);
	return rc;
}

int _rc_check_causal(const rc_history_t *h, enum rc_spec spec,
		     enum rc_level level, const uint32_t *ids, size_t n,
		     double deadline, size_t max_states,
		     struct rc_check_part *part, bool *differentiated)
{
	struct causal c;
	struct _rc_strpool *sp = NULL;
	size_t m = 0;
	int rc = -RC_ENOMEM;
	uint32_t np = 0;

	(void)max_states;
	(void)sp;
	memset(&c, 0, sizeof(c));
	if (spec != RC_SPEC_REGISTER && spec != RC_SPEC_CAS_REGISTER &&
	    spec != RC_SPEC_KV) {
		part->verdict = RC_VERDICT_UNKNOWN;
		snprintf(part->note, sizeof(part->note),
			 "the causal levels check register and kv histories, "
			 "not %s",
			 rc_spec_name(spec));
		return 0;
	}
	c.nil_as = RC_HVAL_NIL;
	if (spec == RC_SPEC_KV) {
		/* "" as the history spells it, if it does */
		int64_t id = -1;

		for (size_t i = 0; i < h->strs.n && id < 0; i++) {
			size_t l;

			_rc_strpool_get(&h->strs, i, &l);
			if (l == 0)
				id = (int64_t)i;
		}
		c.nil_as = id >= 0 ? RC_HVAL_STR(id) : RC_HVAL_NIL;
	}
	/* the history's initial value, or the spec's: nil, kv's "" */
	c.init = h->initial != RC_HVAL_NIL ? h->initial : c.nil_as;
	c.ops = calloc(n + 1, sizeof(*c.ops));
	if (c.ops == NULL)
		goto out;
	for (size_t j = 0; j < n; j++) {
		const struct rc_hop *o = &h->ops[ids[j]];
		struct cop *x;

		if (o->status == RC_HST_FAIL)
			continue;
		if (o->kind == RC_HOP_CAS || o->kind == RC_HOP_APPEND) {
			part->verdict = RC_VERDICT_UNKNOWN;
			snprintf(part->note, sizeof(part->note),
				 "the causal levels check reads and writes; "
				 "%s operations (line %u) are not supported",
				 rc_hop_kind_name(o->kind), o->line);
			rc = 0;
			goto out;
		}
		if ((o->kind == RC_HOP_READ || o->kind == RC_HOP_GET) &&
		    (o->result == RC_HVAL_UNKNOWN || o->status == RC_HST_INDET))
			continue;
		x = &c.ops[m++];
		x->op = o;
		x->id = ids[j];
		x->proc = o->proc;
		x->write = o->kind == RC_HOP_WRITE || o->kind == RC_HOP_PUT;
		x->loc = o->key;
		x->val = x->write ? o->arg[0] : o->result;
	}
	/* indeterminate writes count only when some read saw their value */
	for (size_t i = 0; i < m; i++) {
		bool seen = false;

		if (c.ops[i].op->status != RC_HST_INDET)
			continue;
		for (size_t j = 0; j < m && !seen; j++)
			seen = !c.ops[j].write &&
			       c.ops[j].loc == c.ops[i].loc &&
			       same_val(c.ops[j].val, c.ops[i].val, c.nil_as);
		if (!seen)
			c.ops[i].op = NULL;
	}
	{
		size_t k = 0;

		for (size_t i = 0; i < m; i++)
			if (c.ops[i].op != NULL)
				c.ops[k++] = c.ops[i];
		m = k;
	}
	c.n = m;
	c.words = m / 64 + 1;
	qsort(c.ops, m, sizeof(*c.ops), cmp_call);
	/* dense processes, program order */
	{
		uint32_t *pid = malloc((m + 1) * sizeof(*pid));

		c.po_next = malloc((m + 1) * sizeof(*c.po_next));
		c.last = malloc((m + 1) * sizeof(*c.last));
		if (pid == NULL || c.po_next == NULL || c.last == NULL) {
			free(pid);
			goto out;
		}
		for (size_t i = 0; i < m; i++) {
			uint32_t p;

			for (p = 0; p < np && pid[p] != c.ops[i].proc; p++)
				;
			if (p == np) {
				pid[np] = c.ops[i].proc;
				c.last[np++] = UINT32_MAX;
			}
			c.ops[i].proc = p;
			c.po_next[i] = UINT32_MAX;
			if (c.last[p] != UINT32_MAX)
				c.po_next[c.last[p]] = (uint32_t)i;
			c.last[p] = (uint32_t)i;
		}
		free(pid);
		c.nprocs = np;
	}
	/* differentiated? and the reads-from relation */
	*differentiated = true;
	for (size_t i = 0; i < m && *differentiated; i++) {
		if (!c.ops[i].write)
			continue;
		if (same_val(c.ops[i].val, c.init, c.nil_as))
			*differentiated = false;
		for (size_t j = i + 1; j < m; j++)
			if (c.ops[j].write && c.ops[j].loc == c.ops[i].loc &&
			    same_val(c.ops[j].val, c.ops[i].val, c.nil_as))
				*differentiated = false;
	}
	for (size_t r = 0; r < m; r++) {
		if (c.ops[r].write)
			continue;
		c.ops[r].from = -2;
		if (same_val(c.ops[r].val, c.init, c.nil_as))
			c.ops[r].from = -1;
		for (size_t w = 0; w < m && c.ops[r].from == -2; w++)
			if (c.ops[w].write && c.ops[w].loc == c.ops[r].loc &&
			    same_val(c.ops[w].val, c.ops[r].val, c.nil_as))
				c.ops[r].from = (int32_t)w;
	}
	c.co = calloc(m * c.words + 1, sizeof(*c.co));
	if (c.co == NULL)
		goto out;
	part->verdict = RC_VERDICT_UNKNOWN;
	if (*differentiated) {
		if (check_patterns(&c, level, part) < 0)
			goto out;
	} else {
		snprintf(part->note, sizeof(part->note),
			 "the history is not differentiated");
		if (bounded_search(&c, level, deadline, part) < 0)
			goto out;
	}
	rc = 0;
out:
	free(c.ops);
	free(c.po_next);
	free(c.last);
	free(c.co);
	return rc;
}
