/* SPDX-License-Identifier: MIT */
/*
 * enum.c: candidate executions of a litmus test, enumerated with early
 * pruning, and the outcome sets of the models that check them; and
 * rc_model_run, the entry that runs the models on a test.
 *
 * As in herd7, a thread is first run on its own for every value its reads
 * may return (the values written to that location by some thread, found
 * by a fixpoint), giving the thread's traces: its events with their
 * values, and its final registers. A candidate execution picks one trace
 * per thread, then for each read a write of the same location and value
 * (rf), then for each location a total order of its writes with the
 * initial write first (co). When every model asked for forbids cyclic
 * po|rf and per-location incoherence (all built-in models do), rf
 * choices that close a po|rf cycle and co orders that break coherence of
 * one location are cut as soon as they are made, before the other
 * locations are ordered; only the survivors reach the models' axioms.
 */
#include <stdlib.h>
#include <string.h>

#include "memmodel/enum.h"

/*
 * _rc_enumerate of the narrow copy returns this when an execution of the
 * test may have more events (or threads) than it handles: rc_model_run
 * then runs the wide copy.
 */
#define RC_EXEC_WIDER 1

/* The error for a test beyond this copy's limits: no verdict (exit 3). */
#if RC_EXEC_WORDS == 1
#define TOO_BIG(err, t, ...) RC_EXEC_WIDER
#else
#define TOO_BIG(err, t, ...) \
	rc_err_set(err, RC_ETIMEDOUT, (t)->name, 0, 0, __VA_ARGS__)
#endif

/* ---- thread traces ---- */

struct dom {
	int64_t *v;
	size_t n, cap;
};

struct trace {
	int nev;
	struct ev *ev;
	int64_t *regs;
};

struct tset {
	struct trace *tr;
	size_t n, cap;
};

struct interp {
	const rc_litmus_t *t;
	int tid;
	int64_t *regs;
	struct ev *ev; /* RC_EXEC_MAX of them */
	int nev;
	int nins;
	int stmt_first; /* first event of the statement being run */
	int overflow;
	int wide_expr; /* unsequenced accesses more than 64 apart */
	struct dom *dom;
	int *choice, *maxc;
	int pos, len, cap;
	int oom;
};

static int dom_add(struct dom *d, int64_t v)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i] == v)
			return 0;
	if (d->n == d->cap) {
		size_t nc = d->cap ? 2 * d->cap : 8;
		int64_t *nv = realloc(d->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		d->v = nv;
		d->cap = nc;
	}
	d->v[d->n++] = v;
	return 1;
}

static struct ev *push_ev(struct interp *in, uint8_t type, int loc, uint8_t mo,
			  uint8_t flags, int64_t val)
{
	struct ev *e;

	if (in->nev >= RC_EXEC_MAX) {
		in->overflow = 1;
		return &in->ev[RC_EXEC_MAX - 1];
	}
	e = &in->ev[in->nev++];
	e->type = type;
	e->loc = (int16_t)loc;
	e->mo = mo;
	e->flags = flags;
	e->thread = (int8_t)in->tid;
	e->val = val;
	e->line = 0;
	e->useq = (int16_t)in->stmt_first;
	e->unseq = 0;
	/*
	 * herd7 orders the events of one X86 instruction (the read and the
	 * write of XCHG or LOCK ADD) by iico, not po; a C statement's
	 * events are in program order.
	 */
	e->ins = (int16_t)(in->t->arch == RC_LITMUS_X86 ? in->nins : in->nev);
	return e;
}

/* One of n choices, the next in the odometer order of the thread's runs. */
static int pick(struct interp *in, int n)
{
	int k = in->pos++;

	if (k >= in->len) {
		if (k >= in->cap) {
			int nc = in->cap ? 2 * in->cap : 16;
			int *c = realloc(in->choice, (size_t)nc * sizeof(int));
			int *m;

			if (!c) {
				in->oom = 1;
				return 0;
			}
			in->choice = c;
			m = realloc(in->maxc, (size_t)nc * sizeof(int));
			if (!m) {
				in->oom = 1;
				return 0;
			}
			in->maxc = m;
			in->cap = nc;
		}
		in->choice[k] = 0;
		in->maxc[k] = n;
		in->len = k + 1;
	}
	return in->choice[k];
}

static int64_t rd(struct interp *in, int loc, uint8_t mo, uint8_t flags)
{
	struct dom *d = &in->dom[loc];
	int64_t v;

	v = d->v[pick(in, (int)d->n)];
	push_ev(in, EV_R, loc, mo, flags, v);
	return v;
}

static void wr(struct interp *in, int loc, uint8_t mo, uint8_t flags, int64_t v)
{
	push_ev(in, EV_W, loc, mo, flags, v);
}

static int64_t eval(struct interp *in, const struct rc_lexpr *e)
{
	int64_t a, old;

	switch (e->kind) {
	case RC_LE_CONST:
		return e->ival;
	case RC_LE_REG:
		return in->regs[e->reg];
	case RC_LE_DEREF:
		return rd(in, e->loc, RC_MO_NA, 0);
	case RC_LE_LOAD:
		return rd(in, e->loc, (uint8_t)e->mo, 0);
	case RC_LE_STORE:
		a = eval(in, e->a);
		wr(in, e->loc, (uint8_t)e->mo, 0, a);
		return 0;
	case RC_LE_FETCH:
		a = eval(in, e->a);
		old = rd(in, e->loc, (uint8_t)e->mo, EVF_RMW);
		wr(in, e->loc, (uint8_t)e->mo, EVF_RMW,
		   rc_litmus_op_eval(e->op, old, a));
		return old;
	case RC_LE_XCHG:
		a = eval(in, e->a);
		old = rd(in, e->loc, (uint8_t)e->mo, EVF_RMW);
		wr(in, e->loc, (uint8_t)e->mo, EVF_RMW, a);
		return old;
	case RC_LE_CAS: {
		int64_t exp;
		int ri;

		a = eval(in, e->a);
		exp = rd(in, e->exp_loc, RC_MO_NA, 0);
		ri = in->nev;
		old = rd(in, e->loc, (uint8_t)e->mo, EVF_RMW);
		/* a weak CAS may fail although old == exp: a read, no write */
		if (old == exp && (e->strong || pick(in, 2) == 0)) {
			wr(in, e->loc, (uint8_t)e->mo, EVF_RMW, a);
			return 1;
		}
		if (ri < RC_EXEC_MAX) {
			in->ev[ri].flags = 0;
			in->ev[ri].mo = (uint8_t)e->mo2;
		}
		wr(in, e->exp_loc, RC_MO_NA, 0, old);
		return 0;
	}
	case RC_LE_FENCE:
		push_ev(in, EV_F, -1, (uint8_t)e->mo, 0, 0);
		return 0;
	case RC_LE_BINOP: {
		int s0 = in->nev, s1, s2;
		int64_t b;

		a = eval(in, e->a);
		if (e->op == RC_OP_LAND)
			return a && eval(in, e->b) ? 1 : 0;
		if (e->op == RC_OP_LOR)
			return a || eval(in, e->b) ? 1 : 0;
		s1 = in->nev;
		b = eval(in, e->b);
		s2 = in->nev;
		/* the operands of + (and the others) are unsequenced */
		for (int i = s0; i < s1 && i < RC_EXEC_MAX; i++)
			for (int j = s1; j < s2 && j < RC_EXEC_MAX; j++) {
				int di = j - in->ev[i].useq;
				int dj = i - in->ev[j].useq;

				if (di < 0 || di > 63 || dj < 0 || dj > 63) {
					in->wide_expr = 1;
					continue;
				}
				in->ev[i].unseq |= UINT64_C(1) << di;
				in->ev[j].unseq |= UINT64_C(1) << dj;
			}
		return rc_litmus_op_eval(e->op, a, b);
	}
	case RC_LE_UNOP:
		a = eval(in, e->a);
		return e->op == RC_OP_NOT   ? !a
		       : e->op == RC_OP_NEG ? (int64_t)(0 - (uint64_t)a)
					    : ~a;
	}
	return 0;
}

static void exec_stmts(struct interp *in, const struct rc_lstmt *s, size_t n);

static void exec_stmt(struct interp *in, const struct rc_lstmt *s)
{
	int64_t src = s->src_is_reg ? in->regs[s->src_reg] : s->src_imm;
	int64_t old, nv = 0;
	int first = in->nev, outer = in->stmt_first;

	in->nins++;
	in->stmt_first = first;
	switch (s->kind) {
	case RC_LS_X86_LOAD:
		in->regs[s->reg] = rd(in, s->loc, RC_MO_NA, 0);
		break;
	case RC_LS_X86_STORE:
		wr(in, s->loc, RC_MO_NA, 0, src);
		break;
	case RC_LS_X86_MOVREG:
		in->regs[s->reg] = src;
		break;
	case RC_LS_X86_XCHG:
		old = rd(in, s->loc, RC_MO_NA, EVF_RMW | EVF_LOCKED);
		wr(in, s->loc, RC_MO_NA, EVF_RMW | EVF_LOCKED,
		   in->regs[s->reg]);
		in->regs[s->reg] = old;
		break;
	case RC_LS_X86_LOCKOP:
		old = rd(in, s->loc, RC_MO_NA, EVF_RMW | EVF_LOCKED);
		switch (s->x86op) {
		case RC_X86_ADD:
		case RC_X86_XADD:
			nv = rc_litmus_op_eval(RC_OP_ADD, old, src);
			break;
		case RC_X86_SUB:
			nv = rc_litmus_op_eval(RC_OP_SUB, old, src);
			break;
		case RC_X86_OR:
			nv = old | src;
			break;
		case RC_X86_AND:
			nv = old & src;
			break;
		case RC_X86_XOR:
			nv = old ^ src;
			break;
		case RC_X86_INC:
			nv = rc_litmus_op_eval(RC_OP_ADD, old, 1);
			break;
		case RC_X86_DEC:
			nv = rc_litmus_op_eval(RC_OP_SUB, old, 1);
			break;
		}
		wr(in, s->loc, RC_MO_NA, EVF_RMW | EVF_LOCKED, nv);
		if (s->x86op == RC_X86_XADD)
			in->regs[s->src_reg] = old;
		break;
	case RC_LS_X86_MFENCE:
		push_ev(in, EV_F, -1, RC_MO_SC, EVF_MFENCE, 0);
		break;
	case RC_LS_X86_NOP:
	case RC_LS_C_DECL:
		break;
	case RC_LS_C_ASSIGN:
		in->regs[s->reg] = eval(in, s->e);
		break;
	case RC_LS_C_EXPR:
		eval(in, s->e);
		break;
	case RC_LS_C_STORE:
		wr(in, s->loc, RC_MO_NA, 0, eval(in, s->e));
		break;
	case RC_LS_C_IF:
		if (eval(in, s->e))
			exec_stmts(in, s->body, s->nbody);
		else
			exec_stmts(in, s->els, s->nels);
		break;
	case RC_LS_C_BLOCK:
		exec_stmts(in, s->body, s->nbody);
		break;
	}
	for (int i = first; i < in->nev && i < RC_EXEC_MAX; i++)
		if (in->ev[i].line == 0)
			in->ev[i].line = (int16_t)s->line;
	in->stmt_first = outer;
}

static void exec_stmts(struct interp *in, const struct rc_lstmt *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		exec_stmt(in, &s[i]);
}

static void tset_clear(struct tset *ts)
{
	for (size_t i = 0; i < ts->n; i++) {
		free(ts->tr[i].ev);
		free(ts->tr[i].regs);
	}
	free(ts->tr);
	memset(ts, 0, sizeof(*ts));
}

/*
 * All traces of thread tid for the current value domains. Returns 0, or
 * -RC_ENOMEM / -RC_ETIMEDOUT (too many events or traces: no verdict).
 */
static int thread_traces(const rc_litmus_t *t, int tid, struct dom *dom,
			 struct tset *ts, rc_err_t *err)
{
	const struct rc_lthread *th = &t->threads[tid];
	struct interp in;
	int rc = 0;

	memset(&in, 0, sizeof in);
	in.t = t;
	in.tid = tid;
	in.dom = dom;
	in.regs = calloc(th->nregs + 1, sizeof(int64_t));
	in.ev = malloc(sizeof(struct ev) * RC_EXEC_MAX);
	if (!in.regs || !in.ev) {
		free(in.regs);
		free(in.ev);
		return rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
				  "out of memory");
	}
	for (;;) {
		struct trace tr;
		int k;

		if (th->nregs)
			memcpy(in.regs, th->reg_init,
			       th->nregs * sizeof(int64_t));
		in.nev = 0;
		in.nins = 0;
		in.pos = 0;
		exec_stmts(&in, th->code, th->ncode);
		if (in.oom) {
			rc = rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
					"out of memory");
			break;
		}
		if (in.overflow) {
			rc = TOO_BIG(err, t,
				     "thread P%d has more than %d events", tid,
				     RC_EXEC_MAX);
			break;
		}
		if (in.wide_expr) {
			rc = rc_err_set(err, RC_ETIMEDOUT, t->name, 0, 0,
					"thread P%d: unsequenced accesses "
					"more than 64 events apart",
					tid);
			break;
		}
		if (ts->n >= 1000000) {
			rc = rc_err_set(err, RC_ETIMEDOUT, t->name, 0, 0,
					"thread P%d has more than 10^6 paths",
					tid);
			break;
		}
		if (ts->n == ts->cap) {
			size_t nc = ts->cap ? 2 * ts->cap : 16;
			struct trace *nt = realloc(ts->tr, nc * sizeof(*nt));

			if (!nt) {
				rc = rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
						"out of memory");
				break;
			}
			ts->tr = nt;
			ts->cap = nc;
		}
		tr.nev = in.nev;
		tr.ev = malloc(sizeof(struct ev) * (size_t)(in.nev + 1));
		tr.regs = malloc(sizeof(int64_t) * (th->nregs + 1));
		if (!tr.ev || !tr.regs) {
			free(tr.ev);
			free(tr.regs);
			rc = rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
					"out of memory");
			break;
		}
		memcpy(tr.ev, in.ev, sizeof(struct ev) * (size_t)in.nev);
		memcpy(tr.regs, in.regs, sizeof(int64_t) * th->nregs);
		ts->tr[ts->n++] = tr;
		/* next choice vector, odometer style, last read first */
		in.len = in.pos;
		for (k = in.len - 1; k >= 0; k--)
			if (in.choice[k] + 1 < in.maxc[k])
				break;
		if (k < 0)
			break;
		in.choice[k]++;
		in.len = k + 1;
	}
	free(in.regs);
	free(in.ev);
	free(in.choice);
	free(in.maxc);
	return rc;
}

/* Whether two traces write the same values to loc, in the same order. */
static bool same_writes(const struct trace *a, const struct trace *b, int loc)
{
	int i = 0, j = 0;

	for (;;) {
		while (i < a->nev &&
		       (a->ev[i].type != EV_W || a->ev[i].loc != loc))
			i++;
		while (j < b->nev &&
		       (b->ev[j].type != EV_W || b->ev[j].loc != loc))
			j++;
		if (i == a->nev || j == b->nev)
			return i == a->nev && j == b->nev;
		if (a->ev[i].val != b->ev[j].val ||
		    a->ev[i].flags != b->ev[j].flags)
			return false;
		i++;
		j++;
	}
}

/*
 * Drops the traces that cannot be coherent whatever the other threads do.
 * When every thread that may write a location writes the same values to
 * it, in the same order, in all its traces, the location's writes are
 * known, and with them what coherence forces
 * between them: the initial write first, then each thread's writes in
 * program order (CoWW). A trace that reads the location twice, first a
 * value all of whose writes are forced after every write of the value it
 * reads second, breaks CoRR in every execution, under every model that
 * prunes (they all keep each location sequentially consistent).
 */
static int prune_traces(const rc_litmus_t *t, struct tset *ts, size_t nth)
{
	struct ev *w = malloc(sizeof(struct ev) * RC_EXEC_MAX);

	if (!w)
		return -RC_ENOMEM;
	for (size_t l = 0; l < t->nlocs; l++) {
		int nw = 0;
		bool fixed = true;

		w[nw].type = EV_W;
		w[nw].thread = -1;
		w[nw].val = t->loc_init[l];
		w[nw++].ins = 0;
		for (size_t i = 0; i < nth && fixed; i++) {
			bool writes = false;

			for (size_t k = 0; k < ts[i].n; k++)
				for (int e = 0; e < ts[i].tr[k].nev; e++)
					if (ts[i].tr[k].ev[e].type == EV_W &&
					    ts[i].tr[k].ev[e].loc == (int)l)
						writes = true;
			if (!writes)
				continue;
			for (size_t k = 1; k < ts[i].n && fixed; k++)
				fixed = same_writes(&ts[i].tr[0], &ts[i].tr[k],
						    (int)l);
			if (!fixed)
				break;
			for (int e = 0; e < ts[i].tr[0].nev; e++) {
				const struct ev *ev = &ts[i].tr[0].ev[e];

				if (ev->type == EV_W && ev->loc == (int)l &&
				    nw < RC_EXEC_MAX) {
					w[nw] = *ev;
					w[nw++].ins = (int16_t)e;
				}
			}
		}
		if (!fixed)
			continue;
		for (size_t i = 0; i < nth; i++) {
			size_t keep = 0;
			bool writer = false;

			for (int p = 0; p < nw; p++)
				writer |= w[p].thread == (int)i;
			if (writer)
				continue;
			for (size_t k = 0; k < ts[i].n; k++) {
				const struct trace *tr = &ts[i].tr[k];
				bool bad = false;

				for (int a = 0; a < tr->nev && !bad; a++) {
					const struct ev *ra = &tr->ev[a];

					if (ra->type != EV_R ||
					    ra->loc != (int)l)
						continue;
					for (int b = a + 1; b < tr->nev && !bad;
					     b++) {
						const struct ev *rb =
							&tr->ev[b];
						bool possible = false;

						if (rb->type != EV_R ||
						    rb->loc != (int)l ||
						    rb->val == ra->val)
							continue;
						/* some source of rb not forced before
						 * some source of ra */
						for (int p = 0;
						     p < nw && !possible; p++) {
							if (w[p].val != rb->val)
								continue;
							for (int q = 0; q < nw;
							     q++) {
								bool forced;

								if (w[q].val !=
								    ra->val)
									continue;
								forced =
									w[p].thread <
										0 ||
									(w[p].thread ==
										 w[q].thread &&
									 w[p].ins <
										 w[q].ins);
								if (!forced) {
									possible =
										true;
									break;
								}
							}
						}
						if (!possible)
							bad = true;
					}
				}
				if (bad) {
					free(tr->ev);
					free(tr->regs);
				} else {
					ts[i].tr[keep++] = ts[i].tr[k];
				}
			}
			ts[i].n = keep;
		}
	}
	free(w);
	return 0;
}

static int seed_expr(const struct rc_lexpr *e, const rc_litmus_t *t,
		     struct dom *dom)
{
	if (!e)
		return 0;
	if (e->kind == RC_LE_CONST)
		for (size_t l = 0; l < t->nlocs; l++)
			if (dom_add(&dom[l], e->ival) < 0)
				return -RC_ENOMEM;
	if (seed_expr(e->a, t, dom) < 0 || seed_expr(e->b, t, dom) < 0)
		return -RC_ENOMEM;
	return 0;
}

static int seed_stmts(const struct rc_lstmt *s, size_t n, const rc_litmus_t *t,
		      struct dom *dom)
{
	for (size_t i = 0; i < n; i++) {
		if (seed_expr(s[i].e, t, dom) < 0 ||
		    seed_stmts(s[i].body, s[i].nbody, t, dom) < 0 ||
		    seed_stmts(s[i].els, s[i].nels, t, dom) < 0)
			return -RC_ENOMEM;
		if (t->arch == RC_LITMUS_X86 && !s[i].src_is_reg)
			for (size_t l = 0; l < t->nlocs; l++)
				if (dom_add(&dom[l], s[i].src_imm) < 0)
					return -RC_ENOMEM;
	}
	return 0;
}

/* Adds every constant of the program to every location's domain. */
static int seed_constants(const rc_litmus_t *t, struct dom *dom)
{
	for (size_t i = 0; i < t->nthreads; i++)
		if (seed_stmts(t->threads[i].code, t->threads[i].ncode, t,
			       dom) < 0)
			return -RC_ENOMEM;
	return 0;
}

/* ---- candidate executions ---- */

struct acc {
	const struct rc_model *m;
	struct statemap allowed, forbidden;
	uint64_t positive, negative;
	int undef;
	char *dot;
	int dot_sat;
};

struct en {
	const rc_litmus_t *t;
	const struct rc_model_opts *opts;
	struct tset *ts;
	size_t nth;
	size_t *pick;
	struct acc *acc;
	size_t nacc;
	bool prefilter;
	bool porf;  /* cut po|rf cycles */
	bool built; /* x holds an execution */
	struct rc_exec x;
	int reads[RC_EXEC_MAX], nreads;
	int first[RC_EXEC_THREADS + 1]; /* first event of thread i */
	int *wl;			/* writes per location, packed */
	int *nwl, *offwl;
	int *locs_used, nlocs_used;
	uint64_t *locmask;	 /* events of each location, a row each */
	uint64_t *pred;		 /* writes that must be co-before, a row each */
	int rmwsrc[RC_EXEC_MAX]; /* RMW write: the write its read reads */
	int rmwsucc[RC_EXEC_MAX]; /* write: the RMW write reading it, or -1 */
	int order[RC_EXEC_MAX];	  /* a location's writes in co order */
	uint64_t candidates;
	size_t nobs;
	struct rc_lvar *obs;
	int64_t *vals;
	int rc;
	rc_err_t *err;
#if RC_EXEC_WORDS > 1
	struct rc_tmp tmp;
#endif
};

/*
 * Whether the picked traces have the events of the last execution built,
 * but for their values: then its relations and sets still hold.
 */
static bool same_shape(const struct en *en)
{
	const struct rc_exec *x = &en->x;
	int pos = (int)en->t->nlocs;

	if (!en->built)
		return false;
	for (size_t i = 0; i < en->nth; i++) {
		const struct trace *tr = &en->ts[i].tr[en->pick[i]];

		if (en->first[i] != pos || pos + tr->nev > x->n)
			return false;
		for (int k = 0; k < tr->nev; k++) {
			const struct ev *a = &x->ev[pos + k], *b = &tr->ev[k];

			if (a->type != b->type || a->mo != b->mo ||
			    a->flags != b->flags || a->thread != b->thread ||
			    a->loc != b->loc || a->ins != b->ins ||
			    a->useq != b->useq || a->unseq != b->unseq)
				return false;
		}
		pos += tr->nev;
	}
	return pos == x->n;
}

static void build_exec(struct en *en)
{
	const rc_litmus_t *t = en->t;
	struct rc_exec *x = &en->x;
	const int nw = RC_NW(x);
	int n = 0;

	if (same_shape(en)) {
		/* rf, co and fr are back to empty or rewritten before use */
		for (size_t i = 0; i < en->nth; i++) {
			const struct trace *tr = &en->ts[i].tr[en->pick[i]];

			memcpy(&x->ev[en->first[i]], tr->ev,
			       sizeof(struct ev) * (size_t)tr->nev);
		}
		return;
	}
	en->built = true;
	x->t = t;
	for (size_t l = 0; l < t->nlocs; l++) {
		struct ev *e = &x->ev[n++];

		e->type = EV_W;
		e->mo = RC_MO_NA;
		e->flags = EVF_INIT;
		e->thread = -1;
		e->loc = (int16_t)l;
		e->line = 0;
		e->ins = 0;
		e->useq = 0;
		e->unseq = 0;
		e->val = t->loc_init[l];
	}
	for (size_t i = 0; i < en->nth; i++) {
		const struct trace *tr = &en->ts[i].tr[en->pick[i]];

		en->first[i] = n;
		memcpy(&x->ev[n], tr->ev, sizeof(struct ev) * (size_t)tr->nev);
		n += tr->nev;
	}
	en->first[en->nth] = n;
	x->n = n;
	bs_upto(nw, x->all, n);
	bs_zero(nw, x->R);
	bs_zero(nw, x->W);
	bs_zero(nw, x->F);
	bs_zero(nw, x->init);
	for (int k = 0; k < 8; k++)
		bs_zero(nw, x->at_mo[k]);
	for (int i = 0; i < n; i++) {
		const struct ev *e = &x->ev[i];

		if (e->type == EV_R)
			bs_set(x->R, i);
		else if (e->type == EV_W)
			bs_set(x->W, i);
		else
			bs_set(x->F, i);
		if (e->flags & EVF_INIT)
			bs_set(x->init, i);
		bs_set(x->at_mo[e->mo & 7], i);
	}
	bs_copy(nw, x->mem, x->R);
	bs_or(nw, x->mem, x->W);
	for (size_t i = 0; i < en->nth; i++) {
		evset_t lo;

		bs_upto(nw, x->thr[i], en->first[i + 1]);
		bs_upto(nw, lo, en->first[i]);
		bs_cut(nw, x->thr[i], lo);
	}
	for (int i = 0; i < n; i++) {
		const struct ev *e = &x->ev[i];
		int th = e->thread;
		uint64_t *po = ROW(x->po, i, nw);

		bs_zero(nw, ROW(x->rmw, i, nw));
		bs_zero(nw, ROW(x->rf, i, nw));
		bs_zero(nw, ROW(x->co, i, nw));
		bs_zero(nw, ROW(x->fr, i, nw));
		bs_zero(nw, ROW(x->loc, i, nw));
		x->rf_of[i] = -1;
		if (th >= 0) {
			evset_t lo;

			/* the later events of its thread */
			bs_upto(nw, lo, i + 1);
			bs_andnot(nw, po, x->thr[th], lo);
			/* but those it is unsequenced with */
			for (uint64_t m = e->unseq; m; m &= m - 1) {
				int j = en->first[th] + e->useq +
					__builtin_ctzll(m);

				if (j < n)
					bs_clr(po, j);
			}
			/* and the other events of its instruction (X86),
			 * which follow it */
			for (int j = i + 1; j < n && x->ev[j].thread == th &&
					    x->ev[j].ins == e->ins;
			     j++)
				bs_clr(po, j);
			bs_andnot(nw, ROW(x->ext, i, nw), x->all, x->thr[th]);
		} else {
			bs_zero(nw, po);
			bs_copy(nw, ROW(x->ext, i, nw), x->all);
			bs_clr(ROW(x->ext, i, nw), i);
		}
		if (e->type == EV_R && (e->flags & EVF_RMW) && i + 1 < n &&
		    x->ev[i + 1].type == EV_W &&
		    (x->ev[i + 1].flags & EVF_RMW) && x->ev[i + 1].thread == th)
			bs_set(ROW(x->rmw, i, nw), i + 1);
	}
	for (int i = 0; i < n; i++)
		if (x->ev[i].type != EV_F)
			bs_zero(nw, ROW(en->locmask, x->ev[i].loc, nw));
	for (int i = 0; i < n; i++)
		if (x->ev[i].type != EV_F)
			bs_set(ROW(en->locmask, x->ev[i].loc, nw), i);
	for (int i = 0; i < n; i++)
		if (x->ev[i].type != EV_F) {
			uint64_t *r = ROW(x->loc, i, nw);

			bs_copy(nw, r, ROW(en->locmask, x->ev[i].loc, nw));
			bs_clr(r, i);
		}
	en->nreads = 0;
	for (int i = 0; i < n; i++)
		if (x->ev[i].type == EV_R)
			en->reads[en->nreads++] = i;
}

/* SC per location for location l: po-loc | rf | co | fr acyclic on l. */
static bool loc_coherent(const struct rc_exec *x, const struct en *en, int l)
{
	const int nw = RC_NW(x);
	const uint64_t *lm = ROW(en->locmask, l, nw);
	REL_LOCAL(x, u);
	bool ok;
	int i;

	/* rows of l's events only, which lead only to l's events */
	BS_EACH(i, nw, lm)
	{
		uint64_t *r = ROW(u, i, nw);

		bs_and(nw, r, ROW(x->po, i, nw), lm);
		bs_or(nw, r, ROW(x->rf, i, nw));
		bs_or(nw, r, ROW(x->co, i, nw));
		if (x->ev[i].type == EV_R && x->rf_of[i] >= 0)
			bs_or(nw, r, ROW(x->co, x->rf_of[i], nw));
	}
	ok = _rc_rel_acyclic_from(x, u, lm);
	REL_DROP(x, 1);
	return ok;
}

static void compute_fr(struct rc_exec *x)
{
	const int nw = RC_NW(x);

	for (int i = 0; i < x->n; i++)
		if (x->ev[i].type == EV_R && x->rf_of[i] >= 0)
			bs_copy(nw, ROW(x->fr, i, nw),
				ROW(x->co, x->rf_of[i], nw));
		else
			bs_zero(nw, ROW(x->fr, i, nw));
}

static int64_t state_value(const struct en *en, struct rc_lvar v)
{
	const struct rc_exec *x = &en->x;
	const int nw = RC_NW(x);

	if (v.thread >= 0) {
		if ((size_t)v.thread >= en->nth)
			return 0;
		return en->ts[v.thread].tr[en->pick[v.thread]].regs[v.idx];
	}
	/* the co-last write of the location */
	for (int i = 0; i < en->nwl[v.idx]; i++) {
		int w = en->wl[en->offwl[v.idx] + i];

		if (!bs_meets(nw, ROW(x->co, w, nw), x->W))
			return x->ev[w].val;
	}
	return en->t->loc_init[v.idx];
}

static int64_t prop_value(void *ctx, struct rc_lvar v)
{
	return state_value(ctx, v);
}

/* A model check starts with every scratch relation free. */
static void tmp_reset(struct en *en)
{
#if RC_EXEC_WORDS > 1
	en->tmp.used = 0;
#else
	(void)en;
#endif
}

static void check_models(struct en *en)
{
	struct rc_exec *x = &en->x;
	int sat = -1;

	compute_fr(x);
	en->candidates++;
	for (size_t i = 0; i < en->nobs; i++)
		en->vals[i] = state_value(en, en->obs[i]);
	for (size_t k = 0; k < en->nacc && en->rc == 0; k++) {
		struct acc *a = &en->acc[k];
		struct rc_why why;
		bool okx;

		why.axiom = NULL;
		why.ncycle = 0;
		tmp_reset(en);
		okx = a->m->check(x, en->opts->why ? &why : NULL);
		tmp_reset(en);
		if (sat < 0)
			sat = rc_litmus_prop_eval(en->t->prop, prop_value, en);
		if (okx) {
			struct rc_state *s;
			int fresh;

			if (sat)
				a->positive++;
			else
				a->negative++;
			if (a->m->racy && !a->undef && a->m->racy(x))
				a->undef = 1;
			tmp_reset(en);
			s = _rc_statemap_get(&a->allowed, en->vals, &fresh);
			if (!s) {
				en->rc = -RC_ENOMEM;
				return;
			}
			s->sat = sat;
			s->count++;
			if (fresh && en->opts->why)
				s->why = _rc_witness_str(x);
			if (en->opts->dot &&
			    (!a->dot || (sat && !a->dot_sat))) {
				free(a->dot);
				a->dot = _rc_dot_str(x, a->m->name);
				a->dot_sat = sat;
			}
		} else if (en->opts->why) {
			struct rc_state *s;
			int fresh;

			s = _rc_statemap_get(&a->forbidden, en->vals, &fresh);
			if (!s) {
				en->rc = -RC_ENOMEM;
				return;
			}
			s->sat = sat;
			if (fresh)
				s->why = _rc_why_str(x, &why);
		}
	}
	if (en->opts->max_candidates &&
	    en->candidates > en->opts->max_candidates && en->rc == 0)
		en->rc = rc_err_set(
			en->err, RC_ETIMEDOUT, en->t->name, 0, 0,
			"more than %llu candidate executions",
			(unsigned long long)en->opts->max_candidates);
}

static void choose_co(struct en *en, int li);

/* Places the writes of location l at positions pos.. of its co order. */
static void perm_co(struct en *en, int li, int l, int *order, int pos, int nw)
{
	struct rc_exec *x = &en->x;
	const int nwd = RC_NW(x);
	evset_t placed;

	if (en->rc)
		return;
	if (pos == nw) {
		/* co rows: every write before all later ones */
		evset_t after;

		bs_zero(nwd, after);
		for (int k = nw - 1; k >= 0; k--) {
			bs_copy(nwd, ROW(x->co, order[k], nwd), after);
			bs_set(after, order[k]);
		}
		if (en->prefilter) {
			/* fr rows for the reads of l are needed here */
			if (!loc_coherent(x, en, l))
				return;
		}
		choose_co(en, li + 1);
		return;
	}
	bs_zero(nwd, placed);
	for (int q = 0; q < pos; q++)
		bs_set(placed, order[q]);
	for (int k = pos; k < nw; k++) {
		int tmp = order[pos], w = order[k];
		bool fits = true;

		if (en->prefilter) {
			int prev = order[pos - 1];

			/* what coherence puts before w is placed */
			fits = bs_within(nwd, ROW(en->pred, w, nwd), placed);
			/* an RMW's write follows the write its read reads */
			if (en->rmwsucc[prev] >= 0 && en->rmwsucc[prev] != w)
				fits = false;
			if (en->rmwsrc[w] >= 0 && en->rmwsrc[w] != prev)
				fits = false;
		}
		if (!fits)
			continue;
		order[pos] = order[k];
		order[k] = tmp;
		perm_co(en, li, l, order, pos + 1, nw);
		tmp = order[pos];
		order[pos] = order[k];
		order[k] = tmp;
	}
}

/*
 * When the co constraints of l leave one order of its nw writes, puts it
 * in order and returns 1; 0 when they leave none; -1 when they may leave
 * several (perm_co tries them). Write w has rank(w) = |pred(w)|. In any
 * order satisfying pred the write at position p has rank at most p; so
 * when the ranks are 0 .. nw-1, one each, the only candidate is the
 * order by rank: a chain such as the writes of one thread (CoWW) costs
 * O(nw) set operations instead of a search.
 */
static int co_forced(struct en *en, int *order, int nw)
{
	struct rc_exec *x = &en->x;
	const int nwd = RC_NW(x);
	int byrank[RC_EXEC_MAX];
	evset_t placed;

	for (int k = 0; k < nw; k++)
		byrank[k] = -1;
	for (int k = 0; k < nw; k++) {
		int r = bs_count(nwd, ROW(en->pred, order[k], nwd));

		if (r >= nw || byrank[r] >= 0)
			return -1;
		byrank[r] = order[k];
	}
	bs_zero(nwd, placed);
	for (int p = 0; p < nw; p++) {
		int w = byrank[p];

		if (!bs_within(nwd, ROW(en->pred, w, nwd), placed))
			return 0;
		if (p > 0) {
			int prev = byrank[p - 1];

			if (en->rmwsucc[prev] >= 0 && en->rmwsucc[prev] != w)
				return 0;
			if (en->rmwsrc[w] >= 0 && en->rmwsrc[w] != prev)
				return 0;
		}
		bs_set(placed, w);
	}
	memcpy(order, byrank, sizeof(int) * (size_t)nw);
	return 1;
}

/*
 * The co constraints that per-location coherence implies, given rf: for
 * writes of l, CoWW (po), CoRW (a read po-before w reads from a write
 * that must precede w), CoWR (a write po-before a read precedes the write
 * the read reads) and CoRR (two reads in po read in co order); and RMW
 * atomicity when the RMW's read is po-before its write (with coherence,
 * every model here then forbids any write between the RMW's source and
 * its write). Returns false when they cannot all hold.
 */
static bool co_constraints(struct en *en, int l)
{
	struct rc_exec *x = &en->x;
	const int nw = RC_NW(x);
	const uint64_t *lm = ROW(en->locmask, l, nw);
	evset_t lw, lr, lwinit;
	int w, r, q;

	bs_and(nw, lw, lm, x->W);
	bs_and(nw, lr, lm, x->R);
	bs_and(nw, lwinit, lw, x->init);
	BS_EACH(w, nw, lw)
	{
		if (x->ev[w].flags & EVF_INIT)
			bs_zero(nw, ROW(en->pred, w, nw));
		else
			bs_copy(nw, ROW(en->pred, w, nw), lwinit);
		en->rmwsrc[w] = -1;
		en->rmwsucc[w] = -1;
	}
	/*
	 * CoWW: the writes of l po-before w. po is transitive and holds, of
	 * an event's thread, the events after it but those unsequenced with
	 * it or of its instruction (build_exec); both exclusions are
	 * symmetric, so the events po-before w are the thread's events
	 * before it but those: one set operation per write.
	 */
	BS_EACH(w, nw, lw)
	{
		const struct ev *e = &x->ev[w];
		uint64_t *p = ROW(en->pred, w, nw);
		evset_t lo;
		int th = e->thread;

		if (th < 0)
			continue;
		bs_upto(nw, lo, w);
		bs_mask(nw, lo, x->thr[th]);
		for (uint64_t m = e->unseq; m; m &= m - 1) {
			int j = en->first[th] + e->useq + __builtin_ctzll(m);

			if (j < w)
				bs_clr(lo, j);
		}
		for (int j = w - 1;
		     j >= 0 && x->ev[j].thread == th && x->ev[j].ins == e->ins;
		     j--)
			bs_clr(lo, j);
		bs_orand(nw, p, lo, lw);
	}
	BS_EACH(r, nw, lr)
	{
		int src = x->rf_of[r], rw;

		if (src < 0)
			continue;
		/* CoRW: r po-before w */
		BS_EACH_AND(q, nw, ROW(x->po, r, nw), lw)
		{
			if (q != src)
				bs_set(ROW(en->pred, q, nw), src);
		}
		/* CoRR: r po-before r2 */
		BS_EACH_AND(q, nw, ROW(x->po, r, nw), lr)
		{
			int src2 = x->rf_of[q];

			if (src2 >= 0 && src2 != src)
				bs_set(ROW(en->pred, src2, nw), src);
		}
		/*
		 * RMW, when its read is po-before its write (C). herd7 does
		 * not order the two events of one X86 instruction, and its
		 * sc and x86tso then allow the write co-before the read's
		 * source: no constraint there.
		 */
		rw = bs_first(nw, ROW(x->rmw, r, nw));
		if (rw >= 0 && bs_has(ROW(x->po, r, nw), rw)) {
			bs_set(ROW(en->pred, rw, nw), src);
			en->rmwsrc[rw] = src;
			if (en->rmwsucc[src] >= 0)
				return false;
			en->rmwsucc[src] = rw;
		}
	}
	/* CoWR: w po-before r, r reads src != w */
	BS_EACH(w, nw, lw)
	{
		BS_EACH_AND(q, nw, ROW(x->po, w, nw), lr)
		{
			int src = x->rf_of[q];

			if (src >= 0 && src != w)
				bs_set(ROW(en->pred, src, nw), w);
		}
	}
	/* a write that must precede itself, directly */
	BS_EACH(w, nw, lw)
	{
		if (bs_has(ROW(en->pred, w, nw), w))
			return false;
	}
	return true;
}

static void choose_co(struct en *en, int li)
{
	struct rc_exec *x = &en->x;
	int *order;
	int l, nw, forced;

	if (en->rc)
		return;
	if (li == en->nlocs_used) {
		check_models(en);
		return;
	}
	l = en->locs_used[li];
	nw = en->nwl[l];
	/* the locations' orders are disjoint slices of en->order */
	order = &en->order[en->offwl[l]];
	for (int i = 0; i < nw; i++)
		order[i] = en->wl[en->offwl[l] + i];
	/* the initial write (first in wl) is first in co */
	if (nw <= 1) {
		if (nw == 1)
			bs_zero(RC_NW(x), ROW(x->co, order[0], RC_NW(x)));
		if (en->prefilter && !loc_coherent(x, en, l))
			return;
		choose_co(en, li + 1);
		return;
	}
	if (en->prefilter && !co_constraints(en, l))
		return;
	forced = en->prefilter ? co_forced(en, order, nw) : -1;
	if (forced == 0)
		return;
	perm_co(en, li, l, order, forced > 0 ? nw : 1, nw);
}

static bool porf_acyclic(struct en *en)
{
	const struct rc_exec *x = &en->x;
	REL_LOCAL(x, u);
	bool ok;

	_rc_rel_copy(x, u, x->po);
	_rc_rel_union(x, u, x->rf);
	ok = _rc_rel_acyclic(x, u);
	REL_DROP(x, 1);
	return ok;
}

static void choose_rf(struct en *en, int k)
{
	struct rc_exec *x = &en->x;
	const int nw = RC_NW(x);
	evset_t cand;
	int r, w;

	if (en->rc)
		return;
	if (k == en->nreads) {
		if (en->porf && !porf_acyclic(en))
			return;
		choose_co(en, 0);
		return;
	}
	r = en->reads[k];
	bs_zero(nw, cand);
	for (int i = 0; i < en->nwl[x->ev[r].loc]; i++) {
		w = en->wl[en->offwl[x->ev[r].loc] + i];

		if (x->ev[w].val == x->ev[r].val)
			bs_set(cand, w);
	}
	/* an RMW never reads its own write (herd7 neither) */
	bs_cut(nw, cand, ROW(x->rmw, r, nw));
	if (en->prefilter && x->ev[r].thread >= 0) {
		/* a read cannot read from its own thread's future */
		evset_t later, lo;

		bs_upto(nw, lo, r);
		bs_andnot(nw, later, x->thr[x->ev[r].thread], lo);
		bs_cut(nw, cand, later);
	}
	BS_EACH(w, nw, cand)
	{
		bs_set(ROW(x->rf, w, nw), r);
		x->rf_of[r] = w;
		choose_rf(en, k + 1);
		bs_clr(ROW(x->rf, w, nw), r);
		x->rf_of[r] = -1;
	}
}

static void run_combination(struct en *en)
{
	const rc_litmus_t *t = en->t;
	struct rc_exec *x = &en->x;
	int off = 0;

	build_exec(en);
	en->nlocs_used = 0;
	for (size_t l = 0; l < t->nlocs; l++)
		en->nwl[l] = 0;
	for (int i = 0; i < x->n; i++)
		if (x->ev[i].type == EV_W)
			en->nwl[x->ev[i].loc]++;
	for (size_t l = 0; l < t->nlocs; l++) {
		en->offwl[l] = off;
		off += en->nwl[l];
		en->nwl[l] = 0;
	}
	for (int i = 0; i < x->n; i++)
		if (x->ev[i].type == EV_W) {
			int l = x->ev[i].loc;

			en->wl[en->offwl[l] + en->nwl[l]++] = i;
		}
	for (size_t l = 0; l < t->nlocs; l++)
		if (en->nwl[l] > 1 || (en->prefilter && en->nwl[l] >= 1))
			en->locs_used[en->nlocs_used++] = (int)l;
	choose_rf(en, 0);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The observed variables: the condition's and the locations line's. */
static int collect_obs(const rc_litmus_t *t, struct rc_lvar **obs,
		       size_t *nobs);

static void prop_vars(const struct rc_lprop *p, struct rc_lvar *v, size_t *n,
		      size_t cap)
{
	if (!p)
		return;
	if (p->kind == RC_LP_EQ) {
		for (size_t i = 0; i < *n; i++)
			if (v[i].thread == p->var.thread &&
			    v[i].idx == p->var.idx)
				return;
		if (*n < cap)
			v[(*n)++] = p->var;
		return;
	}
	prop_vars(p->a, v, n, cap);
	prop_vars(p->b, v, n, cap);
}

static size_t count_eq(const struct rc_lprop *p)
{
	if (!p)
		return 0;
	return (p->kind == RC_LP_EQ) + count_eq(p->a) + count_eq(p->b);
}

static int collect_obs(const rc_litmus_t *t, struct rc_lvar **obs, size_t *nobs)
{
	size_t cap = count_eq(t->prop) + t->nlocations + 1, n = 0;
	struct rc_lvar *v = calloc(cap, sizeof(*v));
	char **names;
	struct rc_lvar *sorted;

	if (!v)
		return -RC_ENOMEM;
	for (size_t i = 0; i < t->nlocations; i++) {
		bool dup = false;

		for (size_t k = 0; k < n; k++)
			if (v[k].thread == t->locations[i].thread &&
			    v[k].idx == t->locations[i].idx)
				dup = true;
		if (!dup)
			v[n++] = t->locations[i];
	}
	prop_vars(t->prop, v, &n, cap);
	/* sort bytewise by herd name */
	names = calloc(n + 1, sizeof(char *));
	sorted = calloc(n + 1, sizeof(*sorted));
	if (!names || !sorted) {
		free(names);
		free(sorted);
		free(v);
		return -RC_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		char buf[300];
		size_t l;

		rc_litmus_var_name(t, v[i], buf, sizeof buf);
		l = strlen(buf);
		names[i] = malloc(l + 1 + sizeof(size_t));
		if (!names[i]) {
			for (size_t k = 0; k < i; k++)
				free(names[k]);
			free(names);
			free(sorted);
			free(v);
			return -RC_ENOMEM;
		}
		memcpy(names[i], buf, l + 1);
		memcpy(names[i] + l + 1, &i, sizeof(size_t));
	}
	qsort(names, n, sizeof(char *), cmp_names);
	for (size_t i = 0; i < n; i++) {
		size_t idx;

		memcpy(&idx, names[i] + strlen(names[i]) + 1, sizeof(size_t));
		sorted[i] = v[idx];
		free(names[i]);
	}
	free(names);
	free(v);
	*obs = sorted;
	*nobs = n;
	return 0;
}

/*
 * The per-location sets and the co constraints for executions of at most
 * nmax events; in the wide copy also the relations, of nmax rows of
 * x->nw words, and the scratch relations the models take.
 */
static int exec_alloc(struct en *en, int nmax)
{
	struct rc_exec *x = &en->x;
	size_t nw, rows = (size_t)nmax + 1;

#if RC_EXEC_WORDS > 1
	uint64_t **rel[] = { &x->po,  &x->rf,  &x->co, &x->fr,
			     &x->rmw, &x->loc, &x->ext };

	x->nw = (nmax + 63) / 64;
	if (x->nw < 1)
		x->nw = 1;
	nw = (size_t)x->nw;
	for (size_t k = 0; k < sizeof(rel) / sizeof(rel[0]); k++) {
		*rel[k] = calloc(rows * nw, sizeof(uint64_t));
		if (!*rel[k])
			return -RC_ENOMEM;
	}
	/* rc11_check takes the most at once, 10 (7, 2 in rc11_hb and 1 in
	 * a composition): 16 leave room */
	en->tmp.cap = 16;
	en->tmp.stride = rows * nw;
	en->tmp.buf =
		calloc((size_t)en->tmp.cap * en->tmp.stride, sizeof(uint64_t));
	if (!en->tmp.buf)
		return -RC_ENOMEM;
	x->tmp = &en->tmp;
#else
	x->nw = 1;
	nw = 1;
#endif
	en->locmask = calloc((en->t->nlocs + 1) * nw, sizeof(uint64_t));
	en->pred = calloc(rows * nw, sizeof(uint64_t));
	if (!en->locmask || !en->pred)
		return -RC_ENOMEM;
	return 0;
}

static void exec_free(struct en *en)
{
#if RC_EXEC_WORDS > 1
	struct rc_exec *x = &en->x;

	free(x->po);
	free(x->rf);
	free(x->co);
	free(x->fr);
	free(x->rmw);
	free(x->loc);
	free(x->ext);
	free(en->tmp.buf);
#endif
	free(en->locmask);
	free(en->pred);
}

int _rc_enumerate(const rc_litmus_t *t, const struct rc_model *const *models,
		  size_t nmodels, const struct rc_model_opts *opts,
		  rc_outcomes_t **out, rc_err_t *err)
{
	struct en *en = calloc(1, sizeof(*en));
	struct dom *dom = NULL;
	size_t nth = t->nthreads;
	int rc = 0;
	size_t maxw = 0, nmax;
	bool none = false;

	if (!en)
		return rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
				  "out of memory");
	en->t = t;
	en->opts = opts;
	en->nth = nth;
	en->err = err;
	en->prefilter = !opts->why;
	en->porf = en->prefilter;
	for (size_t k = 0; k < nmodels; k++) {
		if (!models[k]->prefilter)
			en->prefilter = false;
		if (models[k]->thin_air)
			en->porf = false;
	}
	if (!en->prefilter)
		en->porf = false;
	en->ts = calloc(nth + 1, sizeof(struct tset));
	en->pick = calloc(nth + 1, sizeof(size_t));
	en->acc = calloc(nmodels, sizeof(struct acc));
	dom = calloc(t->nlocs + 1, sizeof(struct dom));
	en->wl = calloc(RC_EXEC_MAX + 1, sizeof(int));
	en->nwl = calloc(t->nlocs + 1, sizeof(int));
	en->offwl = calloc(t->nlocs + 1, sizeof(int));
	en->locs_used = calloc(t->nlocs + 1, sizeof(int));
	if (!en->ts || !en->pick || !en->acc || !dom || !en->wl || !en->nwl ||
	    !en->offwl || !en->locs_used) {
		rc = rc_err_set(err, RC_ENOMEM, t->name, 0, 0, "out of memory");
		goto out;
	}
	if (t->nlocs > RC_EXEC_MAX) {
		rc = TOO_BIG(err, t, "more than %d locations", RC_EXEC_MAX);
		goto out;
	}
	if (nth > RC_EXEC_THREADS) {
		rc = TOO_BIG(err, t, "more than %d threads", RC_EXEC_THREADS);
		goto out;
	}
	en->nacc = nmodels;
	for (size_t k = 0; k < nmodels; k++)
		en->acc[k].m = models[k];
	rc = collect_obs(t, &en->obs, &en->nobs);
	if (rc < 0) {
		rc_err_set(err, RC_ENOMEM, t->name, 0, 0, "out of memory");
		goto out;
	}
	en->vals = calloc(en->nobs + 1, sizeof(int64_t));
	if (!en->vals) {
		rc = rc_err_set(err, RC_ENOMEM, t->name, 0, 0, "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nmodels; k++) {
		if (_rc_statemap_init(&en->acc[k].allowed, en->nobs) < 0 ||
		    _rc_statemap_init(&en->acc[k].forbidden, en->nobs) < 0) {
			rc = rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
					"out of memory");
			goto out;
		}
	}
	/* value domains: a fixpoint over the values threads can write */
	for (size_t l = 0; l < t->nlocs; l++)
		if (dom_add(&dom[l], t->loc_init[l]) < 0) {
			rc = rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
					"out of memory");
			goto out;
		}
	/*
	 * A model that allows po|rf cycles needs the executions whose
	 * values justify themselves (x=1 read because of a write that the
	 * read itself enables): seed the domains with the program's
	 * constants, as herd7's symbolic values find them.
	 */
	for (size_t k = 0; k < nmodels; k++)
		if (models[k]->thin_air) {
			rc = seed_constants(t, dom);
			if (rc < 0) {
				rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
					   "out of memory");
				goto out;
			}
			break;
		}
	for (size_t round = 0;; round++) {
		int grew = 0;

		maxw = 0;
		for (size_t i = 0; i < nth; i++) {
			size_t tw = 0;

			tset_clear(&en->ts[i]);
			rc = thread_traces(t, (int)i, dom, &en->ts[i], err);
			if (rc != 0)
				goto out;
			for (size_t k = 0; k < en->ts[i].n; k++) {
				size_t w = 0;

				for (int e = 0; e < en->ts[i].tr[k].nev; e++)
					if (en->ts[i].tr[k].ev[e].type == EV_W)
						w++;
				if (w > tw)
					tw = w;
			}
			maxw += tw;
		}
		if (round >= maxw + 1)
			break;
		for (size_t i = 0; i < nth; i++)
			for (size_t k = 0; k < en->ts[i].n; k++)
				for (int e = 0; e < en->ts[i].tr[k].nev; e++) {
					const struct ev *ev =
						&en->ts[i].tr[k].ev[e];
					int r;

					if (ev->type != EV_W)
						continue;
					r = dom_add(&dom[ev->loc], ev->val);
					if (r < 0) {
						rc = rc_err_set(
							err, RC_ENOMEM, t->name,
							0, 0, "out of memory");
						goto out;
					}
					grew |= r;
					if (dom[ev->loc].n > 4096) {
						rc = rc_err_set(
							err, RC_ETIMEDOUT,
							t->name, 0, 0,
							"too many values for "
							"location %s",
							t->locs[ev->loc]);
						goto out;
					}
				}
		if (!grew)
			break;
	}
	if (en->prefilter) {
		rc = prune_traces(t, en->ts, nth);
		if (rc < 0) {
			rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
				   "out of memory");
			goto out;
		}
	}
	/* the largest execution: each thread's longest trace */
	nmax = t->nlocs;
	for (size_t i = 0; i < nth; i++) {
		int longest = 0;

		for (size_t k = 0; k < en->ts[i].n; k++)
			if (en->ts[i].tr[k].nev > longest)
				longest = en->ts[i].tr[k].nev;
		nmax += (size_t)longest;
	}
	if (nmax > RC_EXEC_MAX) {
		rc = TOO_BIG(err, t, "an execution has more than %d events",
			     RC_EXEC_MAX);
		goto out;
	}
	rc = exec_alloc(en, (int)nmax);
	if (rc < 0) {
		rc_err_set(err, RC_ENOMEM, t->name, 0, 0, "out of memory");
		goto out;
	}
	/* every combination of traces, odometer style */
	for (size_t i = 0; i < nth; i++)
		if (en->ts[i].n == 0)
			none = true; /* no coherent execution at all */
	while (!none) {
		size_t i;

		run_combination(en);
		if (en->rc) {
			rc = en->rc;
			if (rc == -RC_ENOMEM)
				rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
					   "out of memory");
			goto out;
		}
		for (i = nth; i-- > 0;) {
			if (en->pick[i] + 1 < en->ts[i].n) {
				en->pick[i]++;
				break;
			}
			en->pick[i] = 0;
		}
		if (i == (size_t)-1 || nth == 0)
			break;
	}
	for (size_t k = 0; k < nmodels; k++) {
		rc = _rc_outcomes_make(
			t, en->acc[k].m, en->obs, en->nobs, &en->acc[k].allowed,
			&en->acc[k].forbidden, en->acc[k].positive,
			en->acc[k].negative, en->acc[k].undef, en->candidates,
			en->acc[k].dot, &out[k]);
		en->acc[k].dot = NULL;
		if (rc < 0) {
			for (size_t q = 0; q < k; q++) {
				rc_outcomes_free(out[q]);
				out[q] = NULL;
			}
			rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
				   "out of memory");
			goto out;
		}
	}
out:
	if (en->acc)
		for (size_t k = 0; k < nmodels; k++) {
			_rc_statemap_free(&en->acc[k].allowed);
			_rc_statemap_free(&en->acc[k].forbidden);
			free(en->acc[k].dot);
		}
	if (en->ts)
		for (size_t i = 0; i < nth; i++)
			tset_clear(&en->ts[i]);
	if (dom)
		for (size_t l = 0; l < t->nlocs; l++)
			free(dom[l].v);
	free(dom);
	free(en->ts);
	free(en->pick);
	free(en->acc);
	free(en->wl);
	free(en->nwl);
	free(en->offwl);
	free(en->locs_used);
	free(en->obs);
	free(en->vals);
	exec_free(en);
	free(en);
	return rc;
}

#if RC_EXEC_WORDS == 1
/* The wide copy (exec.h), for tests of more than 64 events. */
extern const struct rc_model _rc_wide_model_sc, _rc_wide_model_tso,
	_rc_wide_model_rc11, _rc_wide_model_c11, _rc_wide_model_ra,
	_rc_wide_model_sra;
int _rc_wide_enumerate(const rc_litmus_t *t,
		       const struct rc_model *const *models, size_t nmodels,
		       const struct rc_model_opts *opts, rc_outcomes_t **out,
		       rc_err_t *err);

/* The wide copy's model for the narrow model m (or its herd variant). */
static const struct rc_model *widen(const struct rc_model *m)
{
	static const struct rc_model *const narrow[] = {
		&_rc_model_sc,	&_rc_model_tso, &_rc_model_rc11,
		&_rc_model_c11, &_rc_model_ra,	&_rc_model_sra,
	};
	static const struct rc_model *const wide[] = {
		&_rc_wide_model_sc,  &_rc_wide_model_tso, &_rc_wide_model_rc11,
		&_rc_wide_model_c11, &_rc_wide_model_ra,  &_rc_wide_model_sra,
	};

	for (size_t i = 0; i < sizeof(narrow) / sizeof(narrow[0]); i++) {
		if (m == narrow[i])
			return wide[i];
		if (narrow[i]->herd && m == narrow[i]->herd)
			return wide[i]->herd;
	}
	return NULL;
}

/* The public entry: checks that each model applies, then enumerates. */
int rc_model_run(const rc_litmus_t *t, const rc_model_t *const *ms, size_t n,
		 const struct rc_model_opts *opts, rc_outcomes_t **out,
		 rc_err_t *err)
{
	struct rc_model_opts dflt = { 0, 0, 0 };
	const struct rc_model **wide;
	int rc;

	for (size_t i = 0; i < n; i++) {
		out[i] = NULL;
		if (!rc_model_applies(ms[i], t))
			return rc_err_set(err, RC_EINVAL, t->name, 0, 0,
					  "model %s does not apply to %s tests",
					  ms[i]->name,
					  t->arch == RC_LITMUS_X86 ? "X86"
								   : "C");
	}
	if (!opts)
		opts = &dflt;
	rc = _rc_enumerate(t, ms, n, opts, out, err);
	if (rc != RC_EXEC_WIDER)
		return rc;
	/* more than 64 events: the wide copy, with its models */
	wide = calloc(n + 1, sizeof(*wide));
	if (!wide)
		return rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
				  "out of memory");
	for (size_t i = 0; i < n; i++) {
		wide[i] = widen(ms[i]);
		if (!wide[i]) {
			free(wide);
			return rc_err_set(err, RC_EINVAL, t->name, 0, 0,
					  "model %s takes at most %d events",
					  ms[i]->name, RC_EXEC_MAX);
		}
	}
	rc = _rc_wide_enumerate(t, wide, n, opts, out, err);
	free(wide);
	return rc;
}
#endif
