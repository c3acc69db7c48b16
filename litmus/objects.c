/* SPDX-License-Identifier: MIT */
/*
 * objects.c: litmus tests interpreted over rc_mem replicas, explored
 * exhaustively in explore mode or run on threads.
 *
 * Each thread of the test is compiled to a flat list of operations over
 * slots (its registers, then temporaries): object accesses (load, store,
 * fetch-add, exchange, compare-exchange, fence) and local operations
 * (constants, arithmetic, jumps). A thread's step performs exactly one
 * access and then the local operations up to its next access, so local
 * computation never interleaves with anything (it commutes with every
 * other thread's steps and with propagation).
 *
 * Exploration is a depth-first search over configurations (object state,
 * each thread's pc and slots). From each one, the successors are each
 * unfinished thread's next step and each propagation step the object
 * enables (rc_mem_steps). Since explore-mode operations perform only
 * the steps they need to return, and the scheduler can perform any
 * enabled step first, these successors reach every behaviour of the
 * object. A configuration is terminal when every thread is done and no
 * step is enabled; then every replica holds the coherence-last write of
 * each location, which is what a model calls the final value.
 */
#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/objrun.h>

#include "memmodel/enum.h"

enum op_kind {
	OP_LOAD,  /* dst = load(loc) */
	OP_STORE, /* store(loc, a) */
	OP_FADD,  /* dst = fetch_add(loc, a), or of -a when lop is SUB */
	OP_XCHG,  /* dst = exchange(loc, a) */
	OP_CAS,	  /* dst = cas(loc, &a, b); weak: may fail spuriously */
	OP_FENCE,
	OP_LOCAL,	     /* below: local operations */
	OP_CONST = OP_LOCAL, /* dst = imm */
	OP_BIN,		     /* dst = a lop b */
	OP_UN,		     /* dst = lop a */
	OP_MOV,		     /* dst = a */
	OP_JZ,		     /* if a == 0 goto target */
	OP_JNZ,		     /* if a != 0 goto target */
	OP_JMP,		     /* goto target */
};

struct op {
	enum op_kind kind;
	enum rc_lop lop;
	rc_order_t ord;
	bool weak; /* OP_CAS from compare_exchange_weak */
	int dst, a, b, loc, target;
	int64_t imm;
};

struct prog {
	struct op *ops;
	size_t nops, cap;
	int nslots; /* registers, then temporaries */
	int nregs;
	int oom;
	bool *global_ahead; /* [pc]: a non-local access may still come */
	bool *obs_ahead;    /* [pc]: an access that observes steps may come */
	bool *write_ahead;  /* [pc]: a store or RMW may come */
};

static int emit(struct prog *p, struct op o)
{
	if (p->nops == p->cap) {
		size_t nc = p->cap ? 2 * p->cap : 32;
		struct op *n = realloc(p->ops, nc * sizeof(*n));

		if (!n) {
			p->oom = 1;
			return -1;
		}
		p->ops = n;
		p->cap = nc;
	}
	p->ops[p->nops] = o;
	return (int)p->nops++;
}

static struct op mk(enum op_kind k)
{
	struct op o;

	memset(&o, 0, sizeof o);
	o.kind = k;
	o.dst = o.a = o.b = o.loc = o.target = -1;
	return o;
}

static int temp(struct prog *p)
{
	return p->nslots++;
}

static int konst(struct prog *p, int64_t v)
{
	struct op o = mk(OP_CONST);

	o.dst = temp(p);
	o.imm = v;
	emit(p, o);
	return o.dst;
}

static rc_order_t c_order(enum rc_mo mo)
{
	switch (mo) {
	case RC_MO_NA:
	case RC_MO_RLX:
		return RC_RELAXED;
	case RC_MO_CON:
	case RC_MO_ACQ:
		return RC_ACQUIRE;
	case RC_MO_REL:
		return RC_RELEASE;
	case RC_MO_ACQ_REL:
		return RC_ACQ_REL;
	case RC_MO_SC:
		return RC_SEQ_CST;
	}
	return RC_SEQ_CST;
}

/* dst = loc op src, atomically, for AND/OR/XOR: a compare-exchange loop. */
static void cas_loop(struct prog *p, int dst, int loc, enum rc_lop lop, int src,
		     rc_order_t ord)
{
	struct op o = mk(OP_LOAD);
	int nv = temp(p), flag = temp(p), top;

	o.dst = dst;
	o.loc = loc;
	o.ord = RC_RELAXED;
	emit(p, o);
	o = mk(OP_BIN);
	o.dst = nv;
	o.a = dst;
	o.b = src;
	o.lop = lop;
	top = emit(p, o);
	o = mk(OP_CAS);
	o.dst = flag;
	o.loc = loc;
	o.a = dst;
	o.b = nv;
	o.ord = ord;
	emit(p, o);
	o = mk(OP_JZ);
	o.a = flag;
	o.target = top;
	emit(p, o);
}

static int compile_expr(struct prog *p, const struct rc_lexpr *e)
{
	struct op o;
	int a, b;

	switch (e->kind) {
	case RC_LE_CONST:
		return konst(p, e->ival);
	case RC_LE_REG:
		return e->reg;
	case RC_LE_DEREF:
	case RC_LE_LOAD:
		o = mk(OP_LOAD);
		o.dst = temp(p);
		o.loc = e->loc;
		o.ord = c_order(e->kind == RC_LE_DEREF ? RC_MO_NA : e->mo);
		emit(p, o);
		return o.dst;
	case RC_LE_STORE:
		a = compile_expr(p, e->a);
		o = mk(OP_STORE);
		o.loc = e->loc;
		o.a = a;
		o.ord = c_order(e->mo);
		emit(p, o);
		return konst(p, 0);
	case RC_LE_FETCH:
		a = compile_expr(p, e->a);
		if (e->op == RC_OP_ADD || e->op == RC_OP_SUB) {
			o = mk(OP_FADD);
			o.dst = temp(p);
			o.loc = e->loc;
			o.a = a;
			o.lop = e->op;
			o.ord = c_order(e->mo);
			emit(p, o);
			return o.dst;
		}
		b = temp(p);
		cas_loop(p, b, e->loc, e->op, a, c_order(e->mo));
		return b;
	case RC_LE_XCHG:
		a = compile_expr(p, e->a);
		o = mk(OP_XCHG);
		o.dst = temp(p);
		o.loc = e->loc;
		o.a = a;
		o.ord = c_order(e->mo);
		emit(p, o);
		return o.dst;
	case RC_LE_CAS: {
		int des = compile_expr(p, e->a), exp = temp(p), flag = temp(p);
		int jnz;

		o = mk(OP_LOAD);
		o.dst = exp;
		o.loc = e->exp_loc;
		o.ord = RC_RELAXED;
		emit(p, o);
		o = mk(OP_CAS);
		o.dst = flag;
		o.loc = e->loc;
		o.a = exp;
		o.b = des;
		o.ord = c_order(e->mo);
		o.weak = !e->strong;
		emit(p, o);
		o = mk(OP_JNZ);
		o.a = flag;
		jnz = emit(p, o);
		o = mk(OP_STORE);
		o.loc = e->exp_loc;
		o.a = exp;
		o.ord = RC_RELAXED;
		emit(p, o);
		if (jnz >= 0)
			p->ops[jnz].target = (int)p->nops;
		return flag;
	}
	case RC_LE_FENCE:
		o = mk(OP_FENCE);
		o.ord = c_order(e->mo);
		emit(p, o);
		return konst(p, 0);
	case RC_LE_BINOP:
		if (e->op == RC_OP_LAND || e->op == RC_OP_LOR) {
			/* short circuit: dst = a; if decided, skip b */
			int dst = temp(p), j;

			a = compile_expr(p, e->a);
			o = mk(OP_UN);
			o.lop = RC_OP_NOT;
			o.dst = dst;
			o.a = a;
			emit(p, o);
			o = mk(OP_UN);
			o.lop = RC_OP_NOT;
			o.dst = dst;
			o.a = dst;
			emit(p, o); /* dst = !!a */
			o = mk(e->op == RC_OP_LAND ? OP_JZ : OP_JNZ);
			o.a = dst;
			j = emit(p, o);
			b = compile_expr(p, e->b);
			o = mk(OP_UN);
			o.lop = RC_OP_NOT;
			o.dst = dst;
			o.a = b;
			emit(p, o);
			o = mk(OP_UN);
			o.lop = RC_OP_NOT;
			o.dst = dst;
			o.a = dst;
			emit(p, o);
			if (j >= 0)
				p->ops[j].target = (int)p->nops;
			return dst;
		}
		a = compile_expr(p, e->a);
		b = compile_expr(p, e->b);
		o = mk(OP_BIN);
		o.dst = temp(p);
		o.a = a;
		o.b = b;
		o.lop = e->op;
		emit(p, o);
		return o.dst;
	case RC_LE_UNOP:
		a = compile_expr(p, e->a);
		o = mk(OP_UN);
		o.dst = temp(p);
		o.a = a;
		o.lop = e->op;
		emit(p, o);
		return o.dst;
	}
	return konst(p, 0);
}

static void compile_stmts(struct prog *p, const struct rc_lstmt *s, size_t n);

static int x86_src(struct prog *p, const struct rc_lstmt *s)
{
	return s->src_is_reg ? s->src_reg : konst(p, s->src_imm);
}

static void compile_x86_lockop(struct prog *p, const struct rc_lstmt *s)
{
	struct op o;
	int src, dst;

	if (s->x86op == RC_X86_INC || s->x86op == RC_X86_DEC)
		src = konst(p, 1);
	else
		src = x86_src(p, s);
	dst = s->x86op == RC_X86_XADD ? s->src_reg : temp(p);
	switch (s->x86op) {
	case RC_X86_ADD:
	case RC_X86_XADD:
	case RC_X86_INC:
	case RC_X86_SUB:
	case RC_X86_DEC:
		o = mk(OP_FADD);
		o.dst = dst;
		o.loc = s->loc;
		o.a = src;
		o.lop = s->x86op == RC_X86_SUB || s->x86op == RC_X86_DEC
				? RC_OP_SUB
				: RC_OP_ADD;
		o.ord = RC_SEQ_CST;
		emit(p, o);
		break;
	case RC_X86_OR:
		cas_loop(p, dst, s->loc, RC_OP_OR, src, RC_SEQ_CST);
		break;
	case RC_X86_AND:
		cas_loop(p, dst, s->loc, RC_OP_AND, src, RC_SEQ_CST);
		break;
	case RC_X86_XOR:
		cas_loop(p, dst, s->loc, RC_OP_XOR, src, RC_SEQ_CST);
		break;
	}
}

static void compile_stmt(struct prog *p, const struct rc_lstmt *s)
{
	struct op o;
	int a, j;

	switch (s->kind) {
	case RC_LS_X86_LOAD:
		o = mk(OP_LOAD);
		o.dst = s->reg;
		o.loc = s->loc;
		o.ord = RC_ACQUIRE;
		emit(p, o);
		break;
	case RC_LS_X86_STORE:
		o = mk(OP_STORE);
		o.a = x86_src(p, s);
		o.loc = s->loc;
		o.ord = RC_RELEASE;
		emit(p, o);
		break;
	case RC_LS_X86_MOVREG:
		o = mk(OP_MOV);
		o.a = x86_src(p, s);
		o.dst = s->reg;
		emit(p, o);
		break;
	case RC_LS_X86_XCHG:
		o = mk(OP_XCHG);
		o.dst = s->reg;
		o.a = s->reg;
		o.loc = s->loc;
		o.ord = RC_SEQ_CST;
		emit(p, o);
		break;
	case RC_LS_X86_LOCKOP:
		compile_x86_lockop(p, s);
		break;
	case RC_LS_X86_MFENCE:
		o = mk(OP_FENCE);
		o.ord = RC_SEQ_CST;
		emit(p, o);
		break;
	case RC_LS_X86_NOP:
	case RC_LS_C_DECL:
		break;
	case RC_LS_C_ASSIGN:
		a = compile_expr(p, s->e);
		o = mk(OP_MOV);
		o.dst = s->reg;
		o.a = a;
		emit(p, o);
		break;
	case RC_LS_C_EXPR:
		compile_expr(p, s->e);
		break;
	case RC_LS_C_STORE:
		a = compile_expr(p, s->e);
		o = mk(OP_STORE);
		o.a = a;
		o.loc = s->loc;
		o.ord = RC_RELAXED; /* non-atomic */
		emit(p, o);
		break;
	case RC_LS_C_IF:
		a = compile_expr(p, s->e);
		o = mk(OP_JZ);
		o.a = a;
		j = emit(p, o);
		compile_stmts(p, s->body, s->nbody);
		if (s->nels) {
			int k;

			o = mk(OP_JMP);
			k = emit(p, o);
			if (j >= 0)
				p->ops[j].target = (int)p->nops;
			compile_stmts(p, s->els, s->nels);
			if (k >= 0)
				p->ops[k].target = (int)p->nops;
		} else if (j >= 0) {
			p->ops[j].target = (int)p->nops;
		}
		break;
	case RC_LS_C_BLOCK:
		compile_stmts(p, s->body, s->nbody);
		break;
	}
}

static void compile_stmts(struct prog *p, const struct rc_lstmt *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		compile_stmt(p, &s[i]);
}

/* ---- the test, compiled ---- */

struct run {
	const rc_litmus_t *t;
	enum rc_level level;
	size_t nth;
	struct prog *progs;
	size_t *off; /* offset of thread i's pc in a configuration */
	size_t len;  /* int64s in a configuration */
	int64_t *init;
	struct rc_lvar *obs;
	size_t nobs;
	struct statemap finals;
	uint64_t positive, negative;
};

static void run_free(struct run *r)
{
	if (r->progs)
		for (size_t i = 0; i < r->nth; i++) {
			free(r->progs[i].ops);
			free(r->progs[i].global_ahead);
			free(r->progs[i].obs_ahead);
			free(r->progs[i].write_ahead);
		}
	free(r->progs);
	free(r->off);
	free(r->init);
	free(r->obs);
	_rc_statemap_free(&r->finals);
}

static int obs_cmp_name(const rc_litmus_t *t, struct rc_lvar a,
			struct rc_lvar b)
{
	char x[300], y[300];

	rc_litmus_var_name(t, a, x, sizeof x);
	rc_litmus_var_name(t, b, y, sizeof y);
	return strcmp(x, y);
}

static void add_obs(struct run *r, struct rc_lvar v)
{
	for (size_t i = 0; i < r->nobs; i++)
		if (r->obs[i].thread == v.thread && r->obs[i].idx == v.idx)
			return;
	r->obs[r->nobs++] = v;
}

static size_t count_eq(const struct rc_lprop *p)
{
	if (!p)
		return 0;
	return (p->kind == RC_LP_EQ) + count_eq(p->a) + count_eq(p->b);
}

static void prop_obs(struct run *r, const struct rc_lprop *p)
{
	if (!p)
		return;
	if (p->kind == RC_LP_EQ) {
		add_obs(r, p->var);
		return;
	}
	prop_obs(r, p->a);
	prop_obs(r, p->b);
}

static bool local_kind(enum rc_level level, const struct op *o);

/*
 * Whether an access depends on the propagation steps its replica took
 * before it: at SC only a load (stores and RMWs append to the log and
 * apply up to their own entry, whatever was applied before); at CAUSAL
 * every access but a fence weaker than seq_cst (a write's vector clock
 * is what the replica has applied, and a seq_cst fence passes it on to
 * the later fences); at EVENTUAL every access but a fence (a write's
 * stamp is one above the replica's clock, which its steps move; a fence
 * does nothing in explore mode).
 */
static bool observes(enum rc_level level, const struct op *o)
{
	if (o->kind >= OP_LOCAL)
		return false;
	if (level == RC_SC)
		return o->kind == OP_LOAD;
	if (level == RC_EVENTUAL)
		return o->kind != OP_FENCE;
	return o->kind != OP_FENCE || o->ord == RC_SEQ_CST;
}

/*
 * ahead[pc]: some path from pc reaches an access for which want() holds;
 * a fixpoint over the jumps. NULL without memory.
 */
static bool *reach(const struct prog *p, enum rc_level level,
		   bool (*want)(enum rc_level, const struct op *))
{
	bool *g = calloc(p->nops + 1, sizeof(bool)), changed = true;

	while (g && changed) {
		changed = false;
		for (size_t pc = p->nops; pc-- > 0;) {
			const struct op *o = &p->ops[pc];
			bool v = want(level, o);

			if (o->kind != OP_JMP)
				v = v || g[pc + 1];
			if (o->kind == OP_JMP || o->kind == OP_JZ ||
			    o->kind == OP_JNZ)
				v = v || g[o->target];
			if (v && !g[pc]) {
				g[pc] = true;
				changed = true;
			}
		}
	}
	return g;
}

static bool nonlocal(enum rc_level level, const struct op *o)
{
	return !local_kind(level, o);
}

static bool writes(enum rc_level level, const struct op *o)
{
	(void)level;
	return o->kind == OP_STORE || o->kind == OP_FADD ||
	       o->kind == OP_XCHG || o->kind == OP_CAS;
}

static int ahead(struct prog *p, enum rc_level level)
{
	p->global_ahead = reach(p, level, nonlocal);
	p->obs_ahead = reach(p, level, observes);
	p->write_ahead = reach(p, level, writes);
	return p->global_ahead && p->obs_ahead && p->write_ahead ? 0 : -1;
}

/* Compiles the threads and lays out configurations. */
static int run_init(struct run *r, const rc_litmus_t *t, enum rc_level level,
		    rc_err_t *err)
{
	size_t cap;

	memset(r, 0, sizeof *r);
	r->t = t;
	r->level = level;
	r->nth = t->nthreads;
	if (r->nth == 0 || r->nth > RC_MEM_MAX_REPLICAS)
		return rc_err_set(err, RC_EINVAL, t->name, 0, 0,
				  "%zu threads: the objects take 1 to %u",
				  r->nth, RC_MEM_MAX_REPLICAS);
	r->progs = calloc(r->nth, sizeof(*r->progs));
	r->off = calloc(r->nth + 1, sizeof(*r->off));
	cap = count_eq(t->prop) + t->nlocations + 1;
	r->obs = calloc(cap, sizeof(*r->obs));
	if (!r->progs || !r->off || !r->obs ||
	    _rc_statemap_init(&r->finals, 0) < 0)
		goto oom;
	for (size_t i = 0; i < t->nlocations; i++)
		add_obs(r, t->locations[i]);
	prop_obs(r, t->prop);
	/* herd's order: bytewise by name (insertion sort: few variables) */
	for (size_t i = 1; i < r->nobs; i++)
		for (size_t k = i;
		     k > 0 && obs_cmp_name(t, r->obs[k - 1], r->obs[k]) > 0;
		     k--) {
			struct rc_lvar v = r->obs[k];

			r->obs[k] = r->obs[k - 1];
			r->obs[k - 1] = v;
		}
	r->finals.nobs = r->nobs;
	for (size_t i = 0; i < r->nth; i++) {
		struct prog *p = &r->progs[i];

		p->nregs = (int)t->threads[i].nregs;
		p->nslots = p->nregs;
		compile_stmts(p, t->threads[i].code, t->threads[i].ncode);
		if (p->oom)
			goto oom;
		/* sra, the causal level's model, takes no X86 MFENCE as a
		 * seq_cst fence (the paper's RA has no fences): at CAUSAL an
		 * MFENCE is an acq_rel fence, which changes nothing there. */
		for (size_t k = 0; level == RC_CAUSAL &&
				   t->arch == RC_LITMUS_X86 && k < p->nops;
		     k++)
			if (p->ops[k].kind == OP_FENCE)
				p->ops[k].ord = RC_ACQ_REL;
		r->off[i] = r->len;
		r->len += 1 + (size_t)p->nslots;
		if (ahead(p, level) < 0)
			goto oom;
	}
	r->off[r->nth] = r->len;
	r->init = calloc(r->len + 1, sizeof(int64_t));
	if (!r->init)
		goto oom;
	for (size_t i = 0; i < r->nth; i++)
		for (size_t k = 0; k < t->threads[i].nregs; k++)
			r->init[r->off[i] + 1 + k] = t->threads[i].reg_init[k];
	return 0;
oom:
	run_free(r);
	return rc_err_set(err, RC_ENOMEM, t->name, 0, 0, "out of memory");
}

/* Runs local operations from *pc up to the next access or the end. */
static void run_local(const struct prog *p, int64_t *pc, int64_t *s)
{
	while ((size_t)*pc < p->nops && p->ops[*pc].kind >= OP_LOCAL) {
		const struct op *o = &p->ops[*pc];

		(*pc)++;
		switch (o->kind) {
		case OP_CONST:
			s[o->dst] = o->imm;
			break;
		case OP_BIN:
			s[o->dst] = rc_litmus_op_eval(o->lop, s[o->a], s[o->b]);
			break;
		case OP_UN:
			s[o->dst] = rc_litmus_op_eval(o->lop, s[o->a], 0);
			break;
		case OP_MOV:
			s[o->dst] = s[o->a];
			break;
		case OP_JZ:
			if (s[o->a] == 0)
				*pc = o->target;
			break;
		case OP_JNZ:
			if (s[o->a] != 0)
				*pc = o->target;
			break;
		case OP_JMP:
			*pc = o->target;
			break;
		default:
			break;
		}
	}
}

/*
 * Performs thread's next access on replica rep, then its local code; a
 * weak compare-exchange with spurious set fails whatever it finds: a load
 * and no write, as C11 lets compare_exchange_weak fail. Returns 0, or
 * -RC_ENOMEM when the object had no memory for a write (the access did
 * not happen).
 */
static int step_thread(const struct prog *p, int64_t *pc, int64_t *s,
		       rc_mem_replica_t *rep, bool spurious)
{
	const struct op *o = &p->ops[*pc];
	uint64_t exp, old;
	int rc = 0;

	switch (o->kind) {
	case OP_LOAD:
		s[o->dst] = (int64_t)rc_mem_load(rep, (unsigned)o->loc);
		break;
	case OP_STORE:
		rc = rc_mem_store(rep, (unsigned)o->loc, (uint64_t)s[o->a],
				  o->ord);
		break;
	case OP_FADD:
		rc = rc_mem_fetch_add(rep, (unsigned)o->loc,
				      o->lop == RC_OP_SUB
					      ? 0 - (uint64_t)s[o->a]
					      : (uint64_t)s[o->a],
				      &old);
		if (rc == 0)
			s[o->dst] = (int64_t)old;
		break;
	case OP_XCHG:
		rc = rc_mem_exchange(rep, (unsigned)o->loc, (uint64_t)s[o->a],
				     &old);
		if (rc == 0)
			s[o->dst] = (int64_t)old;
		break;
	case OP_CAS:
		if (spurious) {
			s[o->a] = (int64_t)rc_mem_load(rep, (unsigned)o->loc);
			s[o->dst] = 0;
			break;
		}
		exp = (uint64_t)s[o->a];
		rc = rc_mem_cas(rep, (unsigned)o->loc, &exp, (uint64_t)s[o->b]);
		if (rc >= 0) {
			s[o->dst] = rc;
			s[o->a] = (int64_t)exp;
			rc = 0;
		}
		break;
	case OP_FENCE:
		rc_mem_fence(rep, o->ord);
		break;
	default:
		break;
	}
	if (rc < 0)
		return rc;
	(*pc)++;
	run_local(p, pc, s);
	return 0;
}

static bool all_done(const struct run *r, const int64_t *cfg)
{
	for (size_t i = 0; i < r->nth; i++)
		if ((size_t)cfg[r->off[i]] < r->progs[i].nops)
			return false;
	return true;
}

struct valctx {
	const struct run *r;
	const rc_mem_t *mem;
	const int64_t *cfg;
};

static int64_t var_value(void *ctx, struct rc_lvar v)
{
	const struct valctx *c = ctx;

	if (v.thread < 0)
		return (int64_t)rc_mem_read_replica(c->mem, 0, (unsigned)v.idx);
	return c->cfg[c->r->off[v.thread] + 1 + (size_t)v.idx];
}

/* Records the final state of a terminal configuration, count times. */
static int record(struct run *r, const rc_mem_t *mem, const int64_t *cfg,
		  uint64_t count)
{
	struct valctx c = { r, mem, cfg };
	int64_t vals[r->nobs + 1];
	struct rc_state *s;
	int fresh, sat;

	for (size_t i = 0; i < r->nobs; i++)
		vals[i] = var_value(&c, r->obs[i]);
	sat = r->t->prop ? rc_litmus_prop_eval(r->t->prop, var_value, &c) : 1;
	s = _rc_statemap_get(&r->finals, vals, &fresh);
	if (!s)
		return -RC_ENOMEM;
	s->sat = sat;
	s->count += count;
	if (sat)
		r->positive += count;
	else
		r->negative += count;
	return 0;
}

static int make_object(const struct run *r, unsigned flags, rc_mem_t **out,
		       rc_err_t *err)
{
	unsigned nlocs = r->t->nlocs ? (unsigned)r->t->nlocs : 1;
	int rc = rc_mem_create(out, r->level, nlocs, (unsigned)r->nth, flags,
			       err);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < r->t->nlocs; i++)
		if (r->t->loc_init[i] &&
		    rc_mem_store(rc_mem_replica(*out, 0), (unsigned)i,
				 (uint64_t)r->t->loc_init[i], RC_SEQ_CST) < 0) {
			rc_mem_destroy(*out);
			*out = NULL;
			return rc_err_set(err, RC_ENOMEM, r->t->name, 0, 0,
					  "out of memory");
		}
	rc_mem_quiesce(*out);
	return 0;
}

static int finish(struct run *r, uint64_t candidates, rc_outcomes_t **out,
		  rc_err_t *err)
{
	struct statemap none;
	int rc;

	if (_rc_statemap_init(&none, r->nobs) < 0)
		return rc_err_set(err, RC_ENOMEM, r->t->name, 0, 0,
				  "out of memory");
	rc = _rc_outcomes_make(r->t, NULL, r->obs, r->nobs, &r->finals, &none,
			       r->positive, r->negative, 0, candidates, NULL,
			       out);
	_rc_statemap_free(&none);
	if (rc < 0)
		return rc_err_set(err, RC_ENOMEM, r->t->name, 0, 0,
				  "out of memory");
	return 0;
}

/* ---- explore ---- */

struct seen {
	uint64_t h, mh;
	int64_t *cfg; /* NULL: empty slot */
};

struct explorer {
	struct run *r;
	struct seen *tab;
	size_t n, cap;
	uint64_t max;
	int rc;
	rc_err_t *err;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ULL;
	h ^= h >> 31;
	return h;
}

/* true when (mem, cfg) was seen; otherwise remembers it. */
static bool seen_or_add(struct explorer *x, const rc_mem_t *mem,
			const int64_t *cfg, bool *oom)
{
	uint64_t mh = rc_mem_state_hash(mem),
		 h = mix(0xcbf29ce484222325ULL, mh);
	size_t len = x->r->len + 1, i; /* and the committed replica */

	*oom = false;
	for (size_t k = 0; k < len; k++)
		h = mix(h, (uint64_t)cfg[k]);
	if (2 * (x->n + 1) > x->cap) {
		size_t nc = x->cap ? 2 * x->cap : 1024;
		struct seen *nt = calloc(nc, sizeof(*nt));

		if (!nt) {
			*oom = true;
			return true;
		}
		for (size_t k = 0; k < x->cap; k++)
			if (x->tab[k].cfg) {
				size_t j = x->tab[k].h & (nc - 1);

				while (nt[j].cfg)
					j = (j + 1) & (nc - 1);
				nt[j] = x->tab[k];
			}
		free(x->tab);
		x->tab = nt;
		x->cap = nc;
	}
	for (i = h & (x->cap - 1); x->tab[i].cfg; i = (i + 1) & (x->cap - 1))
		if (x->tab[i].h == h && x->tab[i].mh == mh &&
		    memcmp(x->tab[i].cfg, cfg, len * sizeof(int64_t)) == 0)
			return true;
	x->tab[i].cfg = malloc((len + 1) * sizeof(int64_t));
	if (!x->tab[i].cfg) {
		*oom = true;
		return true;
	}
	memcpy(x->tab[i].cfg, cfg, len * sizeof(int64_t));
	x->tab[i].h = h;
	x->tab[i].mh = mh;
	x->n++;
	return false;
}

/*
 * Whether the object's propagation steps are local: at SC, CAUSAL and
 * EVENTUAL a
 * step changes only its own replica (its copy, log position, clocks,
 * pending queues), so it commutes with every other replica's steps and
 * operations, and only the replica's own next operation can observe it.
 * Then every schedule is equivalent to one where each replica's steps
 * come right before its own next operation, and exploring only those
 * schedules loses no outcome (a partial-order reduction): after a step of
 * replica c, only further steps of c or thread c's operation may follow
 * (c is kept in the configuration's last word, part of its identity).
 * Steps of a replica whose thread has finished only bring its copy to the
 * converged state, which the final state reads anyway (rc_mem_quiesce).
 * TSO's drain writes the shared copy, which every replica reads: no
 * reduction there.
 */
static bool local_steps(const struct run *r)
{
	return r->level == RC_SC || r->level == RC_CAUSAL ||
	       r->level == RC_EVENTUAL;
}

/*
 * Whether the access at pc of thread i reads or changes only its own
 * replica (at SC, CAUSAL and EVENTUAL): a load, served from the replica's
 * copy after its own writes, and a CAUSAL fence weaker than seq_cst or
 * any EVENTUAL fence, which in explore mode perform no step (a CAUSAL
 * seq_cst one reads and changes the object's fence clock). Such an
 * access commutes with other replicas like a local step, so it is
 * delayed the same way: it joins its replica's block.
 */
static bool local_kind(enum rc_level level, const struct op *o)
{
	return o->kind == OP_LOAD ||
	       (o->kind == OP_FENCE && level == RC_CAUSAL &&
		o->ord != RC_SEQ_CST) ||
	       (o->kind == OP_FENCE && level == RC_EVENTUAL) ||
	       o->kind >= OP_LOCAL;
}

static bool local_op(const struct run *r, int i, int64_t pc)
{
	return local_kind(r->level, &r->progs[i].ops[pc]);
}

/* Thread i at pc has only local accesses left on every path. */
static bool tail_only(const struct run *r, size_t i, int64_t pc)
{
	return !r->progs[i].global_ahead[pc];
}

/*
 * A replica whose thread has only local accesses left (a tail) is delayed
 * to the end: its accesses and steps commute with everything others do.
 * Once every unfinished thread is in its tail, the tails run one after
 * another, lowest replica first: returns that replica, or -1 while some
 * thread may still perform a non-local access.
 */
static int64_t tail_turn(const struct run *r, const int64_t *cfg)
{
	int64_t first = -1;

	for (size_t i = 0; i < r->nth; i++) {
		int64_t pc = cfg[r->off[i]];

		if ((size_t)pc >= r->progs[i].nops)
			continue;
		if (!tail_only(r, i, pc))
			return -1;
		if (first < 0)
			first = (int64_t)i;
	}
	return first;
}

/*
 * A successor: thread i's access (step -1; -2: a weak compare-exchange
 * that fails spuriously) or propagation step k.
 */
struct succ {
	int thread, step;
};

static void explore_at(struct explorer *x, rc_mem_t *mem, int64_t *cfg);

/*
 * Explores from (mem, cfg); takes mem. cfg[r->len]: the committed replica
 * of the reduction, or -1. With local steps, a replica whose thread has
 * finished first takes in everything it can: its steps are observable by
 * no access any more (the final state is read after rc_mem_quiesce), so
 * doing them now only merges states that differ by when they happen.
 */
static void explore(struct explorer *x, rc_mem_t *mem, int64_t *cfg)
{
	const struct run *r = x->r;

	if (local_steps(r))
		for (size_t i = 0; i < r->nth; i++)
			if ((size_t)cfg[r->off[i]] >= r->progs[i].nops)
				rc_mem_progress(
					rc_mem_replica(mem, (unsigned)i));
	explore_at(x, mem, cfg);
}

static void explore_at(struct explorer *x, rc_mem_t *mem, int64_t *cfg)
{
	struct run *r = x->r;
	unsigned nsteps = rc_mem_nsteps(mem);
	struct rc_mem_step steps[nsteps + 1];
	struct succ next[2 * r->nth + nsteps + 1];
	int64_t child[r->len + 1];
	int64_t commit = cfg[r->len];
	bool local = local_steps(r), oom;
	size_t nnext = 0;

	if (x->rc)
		goto out;
	if (seen_or_add(x, mem, cfg, &oom)) {
		if (oom)
			x->rc = rc_err_set(x->err, RC_ENOMEM, r->t->name, 0, 0,
					   "out of memory");
		goto out;
	}
	if (x->n > x->max) {
		x->rc = rc_err_set(x->err, RC_ETIMEDOUT, r->t->name, 0, 0,
				   "more than %llu states explored",
				   (unsigned long long)x->max);
		goto out;
	}
	if (rc_mem_steps(mem, steps, nsteps) != nsteps)
		assert(0);
	if (all_done(r, cfg) && (nsteps == 0 || local)) {
		rc_mem_quiesce(mem);
		if (record(r, mem, cfg, 1) < 0)
			x->rc = rc_err_set(x->err, RC_ENOMEM, r->t->name, 0, 0,
					   "out of memory");
		goto out;
	}
	if (local && commit < 0)
		commit = tail_turn(r, cfg);
	for (size_t i = 0; i < r->nth; i++)
		if ((size_t)cfg[r->off[i]] < r->progs[i].nops &&
		    (commit < 0 || (size_t)commit == i) &&
		    (!local || commit >= 0 ||
		     !tail_only(r, i, cfg[r->off[i]]))) {
			const struct op *o = &r->progs[i].ops[cfg[r->off[i]]];

			next[nnext++] = (struct succ){ (int)i, -1 };
			if (o->kind == OP_CAS && o->weak)
				next[nnext++] = (struct succ){ (int)i, -2 };
		}
	for (unsigned k = 0; k < nsteps; k++) {
		unsigned rep = steps[k].replica;

		/* A replica's clock shows only in the stamps of its own
		 * later writes: without one ahead, a clock step changes
		 * nothing any access or the final state can see. */
		if (steps[k].kind == RC_MEM_STEP_CLOCK &&
		    !r->progs[rep].write_ahead[cfg[r->off[rep]]])
			continue;

		if (local &&
		    (!r->progs[rep].obs_ahead[cfg[r->off[rep]]] ||
		     (commit >= 0 && (unsigned)commit != rep) ||
		     (commit < 0 && tail_only(r, rep, cfg[r->off[rep]]))))
			continue;
		next[nnext++] = (struct succ){ (int)rep, (int)k };
	}
	/* the last successor takes mem itself: one clone fewer per state */
	for (size_t j = 0; j < nnext && !x->rc; j++) {
		const struct succ *sc = &next[j];
		rc_mem_t *c;

		if (j + 1 == nnext) {
			c = mem;
			mem = NULL;
		} else if (rc_mem_clone(&c, mem, x->err) < 0) {
			x->rc = -RC_ENOMEM;
			break;
		}
		memcpy(child, cfg, (r->len + 1) * sizeof(int64_t));
		if (sc->step < 0) {
			size_t o = r->off[sc->thread];

			child[r->len] = local && local_op(r, sc->thread, cfg[o])
						? sc->thread
						: -1;
			if (step_thread(&r->progs[sc->thread], &child[o],
					&child[o + 1],
					rc_mem_replica(c, (unsigned)sc->thread),
					sc->step == -2) < 0) {
				rc_mem_destroy(c);
				x->rc = rc_err_set(x->err, RC_ENOMEM,
						   r->t->name, 0, 0,
						   "out of memory");
				break;
			}
			if ((size_t)child[o] >= r->progs[sc->thread].nops)
				child[r->len] = -1;
		} else {
			child[r->len] = local ? sc->thread : -1;
			if (rc_mem_step(c, &steps[sc->step]) < 0) {
				rc_mem_destroy(c);
				x->rc = rc_err_set(
					x->err, RC_EINVAL, r->t->name, 0, 0,
					"an enabled step was refused");
				break;
			}
		}
		explore(x, c, child);
	}
out:
	if (mem)
		rc_mem_destroy(mem);
}

int rc_objrun_explore(const rc_litmus_t *t, enum rc_level level,
		      const struct rc_objrun_opts *opts, rc_outcomes_t **out,
		      rc_err_t *err)
{
	struct run r;
	struct explorer x;
	rc_mem_t *mem;
	int rc;

	*out = NULL;
	rc = run_init(&r, t, level, err);
	if (rc < 0)
		return rc;
	rc = make_object(&r, RC_MEM_EXPLORE, &mem, err);
	if (rc < 0) {
		run_free(&r);
		return rc;
	}
	for (size_t i = 0; i < r.nth; i++)
		run_local(&r.progs[i], &r.init[r.off[i]],
			  &r.init[r.off[i] + 1]);
	memset(&x, 0, sizeof x);
	x.r = &r;
	x.err = err;
	x.max = opts && opts->max_states ? opts->max_states
					 : RC_OBJRUN_MAX_STATES;
	r.init[r.len] = -1;
	explore(&x, mem, r.init);
	rc = x.rc;
	if (rc == 0)
		rc = finish(&r, x.n, out, err);
	for (size_t i = 0; i < x.cap; i++)
		free(x.tab[i].cfg);
	free(x.tab);
	run_free(&r);
	return rc;
}

/* ---- threads ---- */

struct worker {
	const struct prog *p;
	rc_mem_replica_t *rep;
	int64_t *cfg; /* pc, then slots */
	atomic_uint *arrived;
	unsigned n;
	int rc; /* -RC_ENOMEM when an access found no memory */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	/* a spin barrier, so the threads' accesses overlap; acq_rel pairs
	 * the arrivals with each other (nothing is published through it) */
	atomic_fetch_add_explicit(w->arrived, 1, memory_order_acq_rel);
	while (atomic_load_explicit(w->arrived, memory_order_acquire) < w->n)
		sched_yield(); /* more threads than cores must not stall */
	while ((size_t)w->cfg[0] < w->p->nops)
		if ((w->rc = step_thread(w->p, &w->cfg[0], &w->cfg[1], w->rep,
					 false)) < 0)
			break;
	return NULL;
}

int rc_objrun_threads(const rc_litmus_t *t, enum rc_level level,
		      const struct rc_objrun_opts *opts, rc_outcomes_t **out,
		      rc_err_t *err)
{
	uint64_t iters = opts && opts->iterations ? opts->iterations : 1;
	struct run r;
	int rc;

	*out = NULL;
	rc = run_init(&r, t, level, err);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < r.nth; i++)
		run_local(&r.progs[i], &r.init[r.off[i]],
			  &r.init[r.off[i] + 1]);
	for (uint64_t it = 0; it < iters && rc == 0; it++) {
		int64_t cfg[r.len + 1];
		struct worker w[r.nth];
		pthread_t tid[r.nth];
		atomic_uint arrived;
		rc_mem_t *mem;
		size_t started = 0;

		rc = make_object(&r, 0, &mem, err);
		if (rc < 0)
			break;
		memcpy(cfg, r.init, r.len * sizeof(int64_t));
		atomic_init(&arrived, 0);
		for (size_t i = 0; i < r.nth; i++) {
			w[i].p = &r.progs[i];
			w[i].rep = rc_mem_replica(mem, (unsigned)i);
			w[i].cfg = &cfg[r.off[i]];
			w[i].arrived = &arrived;
			w[i].n = (unsigned)r.nth;
			w[i].rc = 0;
		}
		for (; started < r.nth; started++)
			if (pthread_create(&tid[started], NULL, worker_main,
					   &w[started]) != 0)
				break;
		if (started < r.nth) {
			/* release the started ones: they wait for n */
			atomic_store_explicit(&arrived, (unsigned)r.nth + 1,
					      memory_order_release);
			rc = rc_err_set(err, RC_EAGAIN, t->name, 0, 0,
					"cannot create a thread");
		}
		for (size_t i = 0; i < started; i++) {
			pthread_join(tid[i], NULL);
			if (rc == 0 && w[i].rc < 0)
				rc = rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
						"out of memory");
		}
		if (rc == 0) {
			rc_mem_quiesce(mem);
			if (record(&r, mem, cfg, 1) < 0)
				rc = rc_err_set(err, RC_ENOMEM, t->name, 0, 0,
						"out of memory");
		}
		rc_mem_destroy(mem);
	}
	if (rc == 0)
		rc = finish(&r, iters, out, err);
	run_free(&r);
	return rc;
}

const char *rc_objrun_model(enum rc_level level, enum rc_litmus_arch arch)
{
	switch (level) {
	case RC_LIN:
	case RC_SC:
		return "sc";
	case RC_TSO:
		return arch == RC_LITMUS_X86 ? "tso" : NULL;
	case RC_CAUSAL:
		return "sra";
	case RC_EVENTUAL: /* no model of ours is as weak */
	default:
		return NULL;
	}
}
