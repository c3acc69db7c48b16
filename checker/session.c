/* SPDX-License-Identifier: MIT */
/* session.c: the session guarantees (read your writes, monotonic reads, monotonic writes, writes follow reads) and eventual convergence of read/write histories, as an order of the writes that must exist. */
/*
 * Terry et al., "Session Guarantees for Weakly Consistent Replicated Data"
 * (PDIS 1994), state four guarantees of a session (here: a process of the
 * history) against the order in which the writes to an item are applied.
 * For a differentiated history (each value written at most once per key,
 * never the initial one) a read names the write it returns, ret(r), or
 * the initial value, below every write. The guarantees then ask for one
 * order < of the writes of each key, with the initial value first, such
 * that for operations a before b in one session, on one key:
 *
 *   RYW  a write w, then a read r:   w <= ret(r)
 *   MR   a read r1, then a read r2:  ret(r1) <= ret(r2)
 *   MW   a write w1, then a write w2: w1 < w2
 *   WFR  a read r, then a write w:   ret(r) < w
 *
 * Each is an edge between two writes (none when both sides are one
 * write, except WFR, where that is a read of a write its own session
 * issues only later). The chosen guarantees hold exactly when the edges,
 * with the initial value before every write of its key, are acyclic; a
 * cycle is the violation and its edges' operations the witness, and on
 * success a topological order of the writes is the witness order.
 * Reads of a value no write wrote (ThinAirRead) violate every guarantee.
 * Keys are independent: edges join writes of one key only.
 *
 * Eventual consistency (RC_EVENTUAL, alone or with any of the four) asks
 * less of the sessions and more of the end: every read returns the
 * initial value or a value some write of its key wrote, a write that
 * began before the read returned (FutureRead otherwise), and the replicas
 * converge: the final reads of a key (each process's last, after the
 * key's last write returned) all return its last write in the order
 * (see converge()). That is the "same updates, same
 * state" of Terry et al. and Burckhardt's convergence, judged on a
 * finite history at its end, as Jepsen's final reads are.
 */
#include <stdlib.h>
#include <string.h>

#include "checker/internal.h"

struct sop {
	uint32_t id; /* history index */
	uint32_t proc;
	int64_t call, ret;
	bool write, indet; /* indet: a write that may not have happened */
	rc_hval_t key, val;
	uint32_t node; /* write: its node; read: the node it returns */
	uint32_t kslot;
};

/* What an edge of the order stands for, by edge index. */
struct edge {
	uint32_t a, b; /* the session's two operations (history ids) */
	uint8_t why;   /* RC_RYW, RC_MR, RC_MW or RC_WFR; 0: initial */
};

struct sgraph {
	struct _rc_graph g;
	struct edge *e; /* by edge index */
	size_t ecap;
};

static int sadd(struct sgraph *g, uint32_t from, uint32_t to, uint32_t a,
		uint32_t b, uint8_t why)
{
	int64_t e = _rc_graph_add(&g->g, from, to);

	if (e < 0)
		return -1;
	if ((size_t)e == g->ecap) {
		size_t nc = g->g.cap;
		struct edge *ne;

		if (!_rc_charge((ptrdiff_t)((nc - g->ecap) * sizeof(*ne))))
			return -1;
		if ((ne = realloc(g->e, nc * sizeof(*ne))) == NULL) {
			_rc_charge(-(ptrdiff_t)((nc - g->ecap) * sizeof(*ne)));
			return -1;
		}
		g->e = ne;
		g->ecap = nc;
	}
	g->e[e] = (struct edge){ a, b, why };
	return 0;
}

static int cmp_key_val(const void *pa, const void *pb)
{
	const struct sop *a = *(const struct sop *const *)pa;
	const struct sop *b = *(const struct sop *const *)pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->val != b->val)
		return a->val < b->val ? -1 : 1;
	return 0;
}

static int cmp_session(const void *pa, const void *pb)
{
	const struct sop *a = pa, *b = pb;

	if (a->proc != b->proc)
		return a->proc < b->proc ? -1 : 1;
	if (a->call != b->call)
		return a->call < b->call ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int cmp_u64(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;

	return a < b ? -1 : a > b;
}

static const char *why_name(uint8_t why)
{
	switch (why) {
	case RC_RYW:
		return "RYW";
	case RC_MR:
		return "MR";
	case RC_MW:
		return "MW";
	case RC_WFR:
		return "WFR";
	case RC_EVENTUAL:
		return "Convergence";
	default:
		return "init";
	}
}

static void report(struct rc_check_part *part, const char *pattern,
		   const char *what, const uint32_t *ops, size_t n)
{
	part->verdict = RC_VERDICT_VIOLATION;
	snprintf(part->pattern, sizeof(part->pattern), "%s", pattern);
	snprintf(part->note, sizeof(part->note), "%s", what);
	free(part->blocked);
	part->blocked = malloc((n + 1) * sizeof(*part->blocked));
	part->nblocked = 0;
	for (size_t i = 0; part->blocked != NULL && i < n; i++) {
		bool dup = false;

		for (size_t j = 0; j < part->nblocked && !dup; j++)
			dup = part->blocked[j] == ops[i];
		if (!dup)
			part->blocked[part->nblocked++] = ops[i];
	}
}

/* The witness: the writes in a topological order of g (Kahn), the
 * smallest node first among the ready. */
static int witness(const struct sgraph *g, size_t nn, const struct sop *w,
		   size_t nw, struct rc_check_part *part)
{
	uint32_t *indeg = calloc(nn + 1, sizeof(*indeg));
	uint32_t *q = malloc((nn + 1) * sizeof(*q));
	uint32_t *order = malloc((nw + 1) * sizeof(*order));
	size_t qh = 0, qt = 0, k = 0;

	if (indeg == NULL || q == NULL || order == NULL) {
		free(indeg);
		free(q);
		free(order);
		return -1;
	}
	for (size_t e = 0; e < g->g.ne; e++)
		indeg[g->g.e[e].to]++;
	for (size_t v = 0; v < nn; v++)
		if (indeg[v] == 0)
			q[qt++] = (uint32_t)v;
	while (qh < qt) {
		uint32_t v = q[qh++];

		if (v < nw)
			order[k++] = w[v].id;
		for (uint32_t e = g->g.head[v]; e != UINT32_MAX;
		     e = g->g.e[e].next)
			if (--indeg[g->g.e[e].to] == 0)
				q[qt++] = g->g.e[e].to;
	}
	free(indeg);
	free(q);
	free(part->order);
	part->order = order;
	part->norder = k;
	return 0;
}

static int cmp_final(const void *pa, const void *pb)
{
	const struct sop *a = *(const struct sop *const *)pa;
	const struct sop *b = *(const struct sop *const *)pb;

	if (a->kslot != b->kslot)
		return a->kslot < b->kslot ? -1 : 1;
	if (a->proc != b->proc)
		return a->proc < b->proc ? -1 : 1;
	if (a->call != b->call)
		return a->call < b->call ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * Convergence (RC_EVENTUAL): replicas that received the same writes show
 * the same value, the last of the writes' order. A finite history says
 * when every replica has every write only as Jepsen's final reads do:
 * each process's last read of a key, when it began after every write of
 * the key returned, is taken to come after the run quiesced (its
 * recorder reads once more at every replica at the end). Those final
 * reads name one write, and every other write of the key comes before
 * it: an
 * edge from each write to what each final read returned (two distinct
 * returns suffice for the cycle that shows two final reads disagree).
 * A final read of the initial value, when the key was written, closes a
 * cycle with the initial value's edges: a write was lost. A key with an
 * indeterminate write has no final reads (that write may land at any
 * time); *unjudged counts those keys. Returns 0, or -1 without memory.
 */
static int converge(struct sgraph *g, const struct sop *ops, size_t m,
		    size_t nk, size_t *unjudged)
{
	int64_t *last = malloc((nk + 1) * sizeof(*last));
	uint32_t(*fin)[2] = malloc((nk + 1) * sizeof(*fin));
	uint32_t(*fop)[2] = malloc((nk + 1) * sizeof(*fop));
	bool *indet = calloc(nk + 1, sizeof(*indet));
	const struct sop **cand = malloc((m + 1) * sizeof(*cand));
	size_t nc = 0;
	int rc = -1;

	if (last == NULL || fin == NULL || fop == NULL || indet == NULL ||
	    cand == NULL)
		goto out;
	for (size_t k = 0; k < nk; k++) {
		last[k] = INT64_MIN;
		fin[k][0] = fin[k][1] = UINT32_MAX;
	}
	for (size_t i = 0; i < m; i++)
		if (ops[i].write) {
			uint32_t k = ops[i].kslot;

			indet[k] |= ops[i].indet;
			if (ops[i].ret > last[k])
				last[k] = ops[i].ret;
		}
	/* the candidates, by key, process and invocation: the last of
	 * each (key, process) is a final read */
	for (size_t i = 0; i < m; i++) {
		uint32_t k = ops[i].kslot;

		if (!ops[i].write && !indet[k] && ops[i].call > last[k])
			cand[nc++] = &ops[i];
	}
	qsort(cand, nc, sizeof(*cand), cmp_final);
	for (size_t c = 0; c < nc; c++) {
		const struct sop *r = cand[c];
		uint32_t k = r->kslot;

		if (c + 1 < nc && cand[c + 1]->kslot == k &&
		    cand[c + 1]->proc == r->proc)
			continue; /* not the process's last */
		if (fin[k][0] == UINT32_MAX) {
			fin[k][0] = r->node;
			fop[k][0] = r->id;
		} else if (fin[k][0] != r->node && fin[k][1] == UINT32_MAX) {
			fin[k][1] = r->node;
			fop[k][1] = r->id;
		}
	}
	for (size_t k = 0; k < nk; k++)
		*unjudged += indet[k];
	for (size_t i = 0; i < m; i++) {
		uint32_t k = ops[i].kslot;

		if (!ops[i].write || indet[k])
			continue;
		for (unsigned f = 0; f < 2 && fin[k][f] != UINT32_MAX; f++)
			if (fin[k][f] != ops[i].node &&
			    sadd(g, ops[i].node, fin[k][f], ops[i].id,
				 fop[k][f], RC_EVENTUAL) < 0)
				goto out;
	}
	rc = 0;
out:
	free(last);
	free(fin);
	free(fop);
	free(indet);
	free(cand);
	return rc;
}

int _rc_check_session(const rc_history_t *h, enum rc_spec spec,
		      unsigned guarantees, const uint32_t *ids, size_t n,
		      struct rc_check_part *part)
{
	struct sop *ops = NULL, **byval = NULL, *w = NULL;
	uint64_t *keys = NULL;
	uint32_t *cyc = NULL, *cops = NULL, *bad = NULL;
	uint32_t *last_w = NULL, *last_r = NULL, *touched = NULL;
	struct sgraph g;
	size_t m = 0, nw = 0, nk = 0, nn, nt = 0, unjudged = 0;
	rc_hval_t nil_as = RC_HVAL_NIL, init;
	int rc = -RC_ENOMEM;

	memset(&g, 0, sizeof(g));
	part->verdict = RC_VERDICT_UNKNOWN;
	if (spec != RC_SPEC_REGISTER && spec != RC_SPEC_KV) {
		snprintf(part->note, sizeof(part->note),
			 "the session guarantees are checked on register and "
			 "kv histories, not %s",
			 rc_spec_name(spec));
		return 0;
	}
	if (spec == RC_SPEC_KV) {
		/* "" as the history spells it, if it does */
		for (size_t i = 0; i < h->strs.n; i++) {
			size_t l;

			_rc_strpool_get(&h->strs, i, &l);
			if (l == 0) {
				nil_as = RC_HVAL_STR(i);
				break;
			}
		}
	}
	init = h->initial != RC_HVAL_NIL ? h->initial : nil_as;
	ops = calloc(n + 1, sizeof(*ops));
	if (ops == NULL)
		goto out;
	for (size_t j = 0; j < n; j++) {
		const struct rc_hop *o = &h->ops[ids[j]];
		struct sop *x;

		if (o->status == RC_HST_FAIL)
			continue;
		if (o->kind != RC_HOP_READ && o->kind != RC_HOP_GET &&
		    o->kind != RC_HOP_WRITE && o->kind != RC_HOP_PUT) {
			snprintf(part->note, sizeof(part->note),
				 "the session guarantees are checked on reads "
				 "and writes; %s operations (line %u) are not",
				 rc_hop_kind_name(o->kind), o->line);
			rc = 0;
			goto out;
		}
		x = &ops[m];
		x->write = o->kind == RC_HOP_WRITE || o->kind == RC_HOP_PUT;
		if (!x->write &&
		    (o->result == RC_HVAL_UNKNOWN || o->status == RC_HST_INDET))
			continue; /* a read that returned nothing known */
		x->id = ids[j];
		x->proc = o->proc;
		x->call = o->call;
		x->ret = o->ret;
		x->indet = o->status == RC_HST_INDET;
		x->key = o->key;
		x->val = x->write ? o->arg[0] : o->result;
		if (x->val == RC_HVAL_NIL)
			x->val = nil_as;
		m++;
	}
	/* the keys, dense */
	keys = malloc((m + 1) * sizeof(*keys));
	byval = malloc((m + 1) * sizeof(*byval));
	if (keys == NULL || byval == NULL)
		goto out;
	for (size_t i = 0; i < m; i++)
		keys[i] = (uint64_t)ops[i].key;
	qsort(keys, m, sizeof(*keys), cmp_u64);
	for (size_t i = 0; i < m; i++)
		if (nk == 0 || keys[nk - 1] != keys[i])
			keys[nk++] = keys[i];
	for (size_t i = 0; i < m; i++) {
		uint64_t *k = bsearch(&(uint64_t){ (uint64_t)ops[i].key }, keys,
				      nk, sizeof(*keys), cmp_u64);

		ops[i].kslot = (uint32_t)(k - keys);
	}
	/* the writes by (key, value): a read names its write */
	for (size_t i = 0; i < m; i++)
		if (ops[i].write)
			byval[nw++] = &ops[i];
	qsort(byval, nw, sizeof(*byval), cmp_key_val);
	for (size_t i = 0; i < nw; i++) {
		if (byval[i]->val == init ||
		    (i > 0 && cmp_key_val(&byval[i - 1], &byval[i]) == 0)) {
			snprintf(part->note, sizeof(part->note),
				 "the history is not differentiated (a value "
				 "written twice to one key, or the initial "
				 "value written): no read names its write");
			rc = 0;
			goto out;
		}
		byval[i]->node = (uint32_t)i;
	}
	/* an indeterminate write is its session's last operation: only
	 * edges into it come from its session, and one leaves it only
	 * through a read that returned it, which proves it took effect; one
	 * that no read returned is on no cycle, as if it never happened */
	w = malloc((nw + 1) * sizeof(*w));
	if (w == NULL)
		goto out;
	for (size_t i = 0; i < nw; i++)
		w[i] = *byval[i];
	nn = nw + nk; /* node nw + k: key k's initial value */
	for (size_t i = 0; i < m; i++) {
		struct sop key;
		struct sop *kp = &key, **f;
		uint32_t o = ops[i].id;

		if (ops[i].write)
			continue;
		if (ops[i].val == init) {
			ops[i].node = (uint32_t)(nw + ops[i].kslot);
			continue;
		}
		key.key = ops[i].key;
		key.val = ops[i].val;
		f = bsearch(&kp, byval, nw, sizeof(*byval), cmp_key_val);
		if (f == NULL) {
			report(part, "ThinAirRead",
			       "a read of a value that no write wrote", &o, 1);
			rc = 0;
			goto out;
		}
		ops[i].node = (*f)->node;
		if ((guarantees & (1u << RC_EVENTUAL)) &&
		    (*f)->call > ops[i].ret) {
			uint32_t pair[2] = { o, (*f)->id };

			report(part, "FutureRead",
			       "a read of a value whose write began only after "
			       "the read returned",
			       pair, 2);
			rc = 0;
			goto out;
		}
	}
	if (_rc_graph_init(&g.g, nn) < 0)
		goto out;
	/* the initial value before every write of its key */
	for (size_t i = 0; i < nw; i++)
		if (sadd(&g, (uint32_t)(nw + w[i].kslot), (uint32_t)i, w[i].id,
			 w[i].id, 0) < 0)
			goto out;
	if ((guarantees & (1u << RC_EVENTUAL)) &&
	    converge(&g, ops, m, nk, &unjudged) < 0)
		goto out;
	/* each session in order: per key, the last write and read seen,
	 * and (RYW, WFR) the chains of all earlier ones */
	qsort(ops, m, sizeof(*ops), cmp_session);
	last_w = malloc((nk + 1) * sizeof(*last_w));
	last_r = malloc((nk + 1) * sizeof(*last_r));
	touched = malloc((m + 1) * sizeof(*touched));
	cops = malloc((m + 1) * sizeof(*cops)); /* op -> previous of its kind
						 * and key in its session */
	if (last_w == NULL || last_r == NULL || touched == NULL || cops == NULL)
		goto out;
	for (size_t k = 0; k < nk; k++)
		last_w[k] = last_r[k] = UINT32_MAX;
	for (size_t i = 0; i < m; i++) {
		struct sop *x = &ops[i];
		uint32_t k = x->kslot;

		if (i > 0 && ops[i - 1].proc != x->proc) {
			/* a new session */
			for (size_t t = 0; t < nt; t++)
				last_w[touched[t]] = last_r[touched[t]] =
					UINT32_MAX;
			nt = 0;
		}
		if (last_w[k] == UINT32_MAX && last_r[k] == UINT32_MAX)
			touched[nt++] = k;
		if (x->write) {
			/* MW: the session's previous write, then this */
			if ((guarantees & (1u << RC_MW)) &&
			    last_w[k] != UINT32_MAX &&
			    sadd(&g, ops[last_w[k]].node, x->node,
				 ops[last_w[k]].id, x->id, RC_MW) < 0)
				goto out;
			/* WFR: every earlier read's write, then this */
			for (uint32_t r = last_r[k];
			     (guarantees & (1u << RC_WFR)) && r != UINT32_MAX;
			     r = cops[r])
				if (sadd(&g, ops[r].node, x->node, ops[r].id,
					 x->id, RC_WFR) < 0)
					goto out;
			cops[i] = last_w[k];
			last_w[k] = (uint32_t)i;
		} else {
			/* MR: the previous read's write, then this one's */
			if ((guarantees & (1u << RC_MR)) &&
			    last_r[k] != UINT32_MAX &&
			    ops[last_r[k]].node != x->node &&
			    sadd(&g, ops[last_r[k]].node, x->node,
				 ops[last_r[k]].id, x->id, RC_MR) < 0)
				goto out;
			/* RYW: every earlier write, then this one's */
			for (uint32_t p = last_w[k];
			     (guarantees & (1u << RC_RYW)) && p != UINT32_MAX;
			     p = cops[p])
				if (ops[p].node != x->node &&
				    sadd(&g, ops[p].node, x->node, ops[p].id,
					 x->id, RC_RYW) < 0)
					goto out;
			cops[i] = last_r[k];
			last_r[k] = (uint32_t)i;
		}
		if ((i & 4095) == 4095) {
			enum _rc_stop why = _rc_poll();

			if (why != RC_GO) {
				snprintf(part->note, sizeof(part->note), "%s",
					 _rc_stop_name(why));
				rc = 0;
				goto out;
			}
		}
	}
	cyc = malloc((nn + 2) * sizeof(*cyc));
	bad = malloc((2 * nn + 4) * sizeof(*bad));
	if (cyc == NULL || bad == NULL)
		goto out;
	{
		size_t len = _rc_graph_cycle(&g.g, NULL, cyc), nops = 0;
		char pat[32] = "", what[256];
		unsigned seen = 0;

		if (len == 0) {
			if (witness(&g, nn, w, nw, part) < 0)
				goto out;
			part->verdict = RC_VERDICT_OK;
			if (unjudged > 0)
				snprintf(part->note, sizeof(part->note),
					 "convergence not judged on %zu "
					 "key%s with an indeterminate write",
					 unjudged, unjudged == 1 ? "" : "s");
			rc = 0;
			goto out;
		}
		/* the guarantees on the cycle, and its operations */
		for (size_t i = 0; i < len; i++) {
			const struct edge *e = &g.e[cyc[i]];

			if (e->why != 0 && !(seen & (1u << e->why))) {
				seen |= 1u << e->why;
				snprintf(pat + strlen(pat),
					 sizeof(pat) - strlen(pat), "%s%s",
					 pat[0] ? "+" : "", why_name(e->why));
			}
			bad[nops++] = e->a;
			if (e->b != e->a)
				bad[nops++] = e->b;
		}
		snprintf(what, sizeof(what),
			 "no order of the writes of the key keeps %s: the "
			 "sessions' operations below ask for a cycle%s",
			 pat[0] ? pat : "them",
			 len == 1 ? " (a read of a write its session issues "
				    "only later)"
				  : "");
		report(part, pat[0] ? pat : "init", what, bad, nops);
		rc = 0;
	}
out:
	free(ops);
	free(byval);
	free(w);
	free(keys);
	free(cyc);
	free(bad);
	free(cops);
	free(last_w);
	free(last_r);
	free(touched);
	_rc_charge(-(ptrdiff_t)(g.ecap * sizeof(*g.e)));
	_rc_graph_free(&g.g);
	free(g.e);
	return rc;
}
