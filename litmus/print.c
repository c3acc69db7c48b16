/* SPDX-License-Identifier: MIT */
/* print.c: prints a litmus AST back in herd's syntax. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>

const char *rc_mo_name(enum rc_mo mo)
{
	switch (mo) {
	case RC_MO_NA:
		return "non_atomic";
	case RC_MO_RLX:
		return "memory_order_relaxed";
	case RC_MO_CON:
		return "memory_order_consume";
	case RC_MO_ACQ:
		return "memory_order_acquire";
	case RC_MO_REL:
		return "memory_order_release";
	case RC_MO_ACQ_REL:
		return "memory_order_acq_rel";
	case RC_MO_SC:
		return "memory_order_seq_cst";
	}
	return "?";
}

/* ---- x86 ---- */

static const char *const x86ops[] = { "ADD", "SUB", "OR",  "AND",
				      "XOR", "INC", "DEC", "XADD" };

static void x86_src(const struct rc_lthread *th, const struct rc_lstmt *s,
		    char *buf, size_t n)
{
	if (s->src_is_reg)
		snprintf(buf, n, "%s", th->regs[s->src_reg]);
	else
		snprintf(buf, n, "%s%lld", s->src_dollar ? "$" : "",
			 (long long)s->src_imm);
}

static void x86_instr(const rc_litmus_t *t, const struct rc_lthread *th,
		      const struct rc_lstmt *s, char *buf, size_t n)
{
	char src[96];

	x86_src(th, s, src, sizeof src);
	switch (s->kind) {
	case RC_LS_X86_LOAD:
		snprintf(buf, n, "MOV %s,[%s]", th->regs[s->reg],
			 t->locs[s->loc]);
		break;
	case RC_LS_X86_STORE:
		snprintf(buf, n, "MOV [%s],%s", t->locs[s->loc], src);
		break;
	case RC_LS_X86_MOVREG:
		snprintf(buf, n, "MOV %s,%s", th->regs[s->reg], src);
		break;
	case RC_LS_X86_XCHG:
		if (s->mem_first)
			snprintf(buf, n, "XCHG [%s],%s", t->locs[s->loc],
				 th->regs[s->reg]);
		else
			snprintf(buf, n, "XCHG %s,[%s]", th->regs[s->reg],
				 t->locs[s->loc]);
		break;
	case RC_LS_X86_LOCKOP:
		if (s->x86op == RC_X86_INC || s->x86op == RC_X86_DEC)
			snprintf(buf, n, "LOCK %s [%s]", x86ops[s->x86op],
				 t->locs[s->loc]);
		else
			snprintf(buf, n, "LOCK %s [%s],%s", x86ops[s->x86op],
				 t->locs[s->loc], src);
		break;
	case RC_LS_X86_MFENCE:
		snprintf(buf, n, "MFENCE");
		break;
	default:
		snprintf(buf, n, "%s", "");
		break;
	}
}

static void print_x86_threads(const rc_litmus_t *t, FILE *out)
{
	size_t rows = 0;
	size_t *w = calloc(t->nthreads ? t->nthreads : 1, sizeof(*w));
	char buf[256];

	if (!w)
		return;
	for (size_t i = 0; i < t->nthreads; i++) {
		const struct rc_lthread *th = &t->threads[i];

		if (th->ncode > rows)
			rows = th->ncode;
		snprintf(buf, sizeof buf, "P%zu", i);
		w[i] = strlen(buf);
		for (size_t k = 0; k < th->ncode; k++) {
			x86_instr(t, th, &th->code[k], buf, sizeof buf);
			if (strlen(buf) > w[i])
				w[i] = strlen(buf);
		}
	}
	for (size_t r = 0; r <= rows; r++) {
		for (size_t i = 0; i < t->nthreads; i++) {
			const struct rc_lthread *th = &t->threads[i];

			if (r == 0)
				snprintf(buf, sizeof buf, "P%zu", i);
			else if (r - 1 < th->ncode)
				x86_instr(t, th, &th->code[r - 1], buf,
					  sizeof buf);
			else
				buf[0] = '\0';
			fprintf(out, " %-*s %s", (int)w[i], buf,
				i + 1 < t->nthreads ? "|" : ";\n");
		}
	}
	free(w);
}

/* ---- C ---- */

static const char *binop_s(enum rc_lop op)
{
	static const char *const s[] = {
		[RC_OP_ADD] = "+",   [RC_OP_SUB] = "-",	 [RC_OP_MUL] = "*",
		[RC_OP_AND] = "&",   [RC_OP_OR] = "|",	 [RC_OP_XOR] = "^",
		[RC_OP_LAND] = "&&", [RC_OP_LOR] = "||", [RC_OP_EQ] = "==",
		[RC_OP_NE] = "!=",   [RC_OP_LT] = "<",	 [RC_OP_LE] = "<=",
		[RC_OP_GT] = ">",    [RC_OP_GE] = ">=",	 [RC_OP_NOT] = "!",
		[RC_OP_NEG] = "-",   [RC_OP_BNOT] = "~",
	};

	return s[op];
}

/* The parser's binding strength of a binary operator; 10 for the rest. */
static int binop_prec(enum rc_lop op)
{
	switch (op) {
	case RC_OP_LOR:
		return 1;
	case RC_OP_LAND:
		return 2;
	case RC_OP_OR:
		return 3;
	case RC_OP_XOR:
		return 4;
	case RC_OP_AND:
		return 5;
	case RC_OP_EQ:
	case RC_OP_NE:
		return 6;
	case RC_OP_LT:
	case RC_OP_LE:
	case RC_OP_GT:
	case RC_OP_GE:
		return 7;
	case RC_OP_ADD:
	case RC_OP_SUB:
		return 8;
	case RC_OP_MUL:
		return 9;
	default:
		return 10;
	}
}

static void print_expr(const rc_litmus_t *t, const struct rc_lthread *th,
		       const struct rc_lexpr *e, FILE *out);

/* e where an operand of binding strength at least min is expected. */
static void print_sub(const rc_litmus_t *t, const struct rc_lthread *th,
		      const struct rc_lexpr *e, int min, FILE *out)
{
	if (e->kind == RC_LE_BINOP && binop_prec(e->op) < min) {
		fputc('(', out);
		print_expr(t, th, e, out);
		fputc(')', out);
	} else {
		print_expr(t, th, e, out);
	}
}

static void print_expr(const rc_litmus_t *t, const struct rc_lthread *th,
		       const struct rc_lexpr *e, FILE *out)
{
	static const char *const fetch[] = {
		[RC_OP_ADD] = "add", [RC_OP_SUB] = "sub", [RC_OP_OR] = "or",
		[RC_OP_AND] = "and", [RC_OP_XOR] = "xor",
	};
	const char *sfx = e->explicit_mo ? "_explicit" : "";

	switch (e->kind) {
	case RC_LE_CONST:
		if (e->ival < 0)
			fprintf(out, "(%lld)", (long long)e->ival);
		else
			fprintf(out, "%lld", (long long)e->ival);
		break;
	case RC_LE_REG:
		fputs(th->regs[e->reg], out);
		break;
	case RC_LE_DEREF:
		fprintf(out, "*%s", t->locs[e->loc]);
		break;
	case RC_LE_LOAD:
		fprintf(out, "atomic_load%s(%s", sfx, t->locs[e->loc]);
		break;
	case RC_LE_STORE:
		fprintf(out, "atomic_store%s(%s, ", sfx, t->locs[e->loc]);
		print_expr(t, th, e->a, out);
		break;
	case RC_LE_FETCH:
		fprintf(out, "atomic_fetch_%s%s(%s, ", fetch[e->op], sfx,
			t->locs[e->loc]);
		print_expr(t, th, e->a, out);
		break;
	case RC_LE_XCHG:
		fprintf(out, "atomic_exchange%s(%s, ", sfx, t->locs[e->loc]);
		print_expr(t, th, e->a, out);
		break;
	case RC_LE_CAS:
		fprintf(out, "atomic_compare_exchange_%s%s(%s, %s, ",
			e->strong ? "strong" : "weak", sfx, t->locs[e->loc],
			t->locs[e->exp_loc]);
		print_expr(t, th, e->a, out);
		break;
	case RC_LE_FENCE:
		fprintf(out, "atomic_thread_fence(%s)", rc_mo_name(e->mo));
		return;
	case RC_LE_BINOP:
		/* left-associative: parentheses only where precedence needs */
		print_sub(t, th, e->a, binop_prec(e->op), out);
		fprintf(out, " %s ", binop_s(e->op));
		print_sub(t, th, e->b, binop_prec(e->op) + 1, out);
		return;
	case RC_LE_UNOP:
		fputs(binop_s(e->op), out);
		print_sub(t, th, e->a, 10, out);
		return;
	}
	if (e->kind == RC_LE_CONST || e->kind == RC_LE_REG ||
	    e->kind == RC_LE_DEREF)
		return;
	if (e->explicit_mo) {
		fprintf(out, ", %s", rc_mo_name(e->mo));
		if (e->kind == RC_LE_CAS)
			fprintf(out, ", %s", rc_mo_name(e->mo2));
	}
	fputc(')', out);
}

static void print_stmts(const rc_litmus_t *t, const struct rc_lthread *th,
			const struct rc_lstmt *s, size_t n, int ind, FILE *out);

static void print_stmt(const rc_litmus_t *t, const struct rc_lthread *th,
		       const struct rc_lstmt *s, int ind, FILE *out)
{
	fprintf(out, "%*s", 2 * ind, "");
	switch (s->kind) {
	case RC_LS_C_ASSIGN:
		fprintf(out, "%s%s = ", s->decl ? "int " : "",
			th->regs[s->reg]);
		print_expr(t, th, s->e, out);
		fputs(";\n", out);
		break;
	case RC_LS_C_DECL:
		fprintf(out, "int %s;\n", th->regs[s->reg]);
		break;
	case RC_LS_C_EXPR:
		print_expr(t, th, s->e, out);
		fputs(";\n", out);
		break;
	case RC_LS_C_STORE:
		fprintf(out, "*%s = ", t->locs[s->loc]);
		print_expr(t, th, s->e, out);
		fputs(";\n", out);
		break;
	case RC_LS_C_IF:
		fputs("if (", out);
		print_expr(t, th, s->e, out);
		fputs(") {\n", out);
		print_stmts(t, th, s->body, s->nbody, ind + 1, out);
		fprintf(out, "%*s}", 2 * ind, "");
		if (s->has_else) {
			fputs(" else {\n", out);
			print_stmts(t, th, s->els, s->nels, ind + 1, out);
			fprintf(out, "%*s}", 2 * ind, "");
		}
		fputc('\n', out);
		break;
	case RC_LS_C_BLOCK:
		fputs("{\n", out);
		print_stmts(t, th, s->body, s->nbody, ind + 1, out);
		fprintf(out, "%*s}\n", 2 * ind, "");
		break;
	default:
		fputs(";\n", out);
		break;
	}
}

static void print_stmts(const rc_litmus_t *t, const struct rc_lthread *th,
			const struct rc_lstmt *s, size_t n, int ind, FILE *out)
{
	for (size_t i = 0; i < n; i++)
		print_stmt(t, th, &s[i], ind, out);
}

static void print_c_threads(const rc_litmus_t *t, FILE *out)
{
	for (size_t i = 0; i < t->nthreads; i++) {
		const struct rc_lthread *th = &t->threads[i];

		fprintf(out, "P%zu (", i);
		for (size_t k = 0; k < th->nparams; k++)
			fprintf(out, "%s%s* %s", k ? ", " : "",
				th->param_types[k], t->locs[th->params[k]]);
		fputs(") {\n", out);
		print_stmts(t, th, th->code, th->ncode, 1, out);
		fputs("}\n\n", out);
	}
}

/* ---- condition ---- */

static int prop_prec(const struct rc_lprop *p)
{
	switch (p->kind) {
	case RC_LP_IMPLIES:
		return 0;
	case RC_LP_OR:
		return 1;
	case RC_LP_AND:
		return 2;
	default:
		return 3;
	}
}

static void print_var(const rc_litmus_t *t, struct rc_lvar v, FILE *out)
{
	char buf[256];

	rc_litmus_var_name(t, v, buf, sizeof buf);
	fputs(buf, out);
}

static void print_prop(const rc_litmus_t *t, const struct rc_lprop *p,
		       FILE *out)
{
	static const char *const opn[] = { [RC_LP_AND] = " /\\ ",
					   [RC_LP_OR] = " \\/ ",
					   [RC_LP_IMPLIES] = " => " };
	int pp = prop_prec(p);

	switch (p->kind) {
	case RC_LP_TRUE:
		fputs("true", out);
		return;
	case RC_LP_FALSE:
		fputs("false", out);
		return;
	case RC_LP_EQ:
		print_var(t, p->var, out);
		fprintf(out, "=%lld", (long long)p->val);
		return;
	case RC_LP_NOT:
		fputs("~", out);
		if (prop_prec(p->a) < 3) {
			fputc('(', out);
			print_prop(t, p->a, out);
			fputc(')', out);
		} else {
			print_prop(t, p->a, out);
		}
		return;
	default:
		break;
	}
	/* left-associative /\ and \/, right-associative => */
	if (prop_prec(p->a) < pp ||
	    (p->kind == RC_LP_IMPLIES && prop_prec(p->a) == pp)) {
		fputc('(', out);
		print_prop(t, p->a, out);
		fputc(')', out);
	} else {
		print_prop(t, p->a, out);
	}
	fputs(opn[p->kind], out);
	if (prop_prec(p->b) < pp ||
	    (p->kind != RC_LP_IMPLIES && prop_prec(p->b) == pp)) {
		fputc('(', out);
		print_prop(t, p->b, out);
		fputc(')', out);
	} else {
		print_prop(t, p->b, out);
	}
}

void rc_litmus_print_prop(const rc_litmus_t *t, FILE *out)
{
	static const char *const q[] = { "exists", "~exists", "forall" };

	fprintf(out, "%s (", q[t->quant]);
	print_prop(t, t->prop, out);
	fputc(')', out);
}

void rc_litmus_print(const rc_litmus_t *t, FILE *out)
{
	fprintf(out, "%s %s\n", t->arch == RC_LITMUS_X86 ? "X86" : "C",
		t->name);
	if (t->comment)
		fprintf(out, "\"%s\"\n", t->comment);
	for (size_t i = 0; i < t->nkeyvals; i++)
		fprintf(out, "%s\n", t->keyvals[i]);
	fputs("{", out);
	for (size_t i = 0; i < t->nlocs; i++)
		if (t->loc_in_init[i]) {
			if (t->arch == RC_LITMUS_C)
				fprintf(out, " [%s] = %lld;", t->locs[i],
					(long long)t->loc_init[i]);
			else
				fprintf(out, " %s=%lld;", t->locs[i],
					(long long)t->loc_init[i]);
		}
	for (size_t i = 0; i < t->nthreads; i++)
		for (size_t r = 0; r < t->threads[i].nregs; r++)
			if (t->threads[i].reg_in_init[r])
				fprintf(out, " %zu:%s=%lld;", i,
					t->threads[i].regs[r],
					(long long)t->threads[i].reg_init[r]);
	fputs(" }\n", out);
	if (t->arch == RC_LITMUS_X86) {
		print_x86_threads(t, out);
	} else {
		fputc('\n', out);
		print_c_threads(t, out);
	}
	if (t->has_locations) {
		fputs("locations [", out);
		for (size_t i = 0; i < t->nlocations; i++) {
			print_var(t, t->locations[i], out);
			fputc(';', out);
		}
		fputs("]\n", out);
	}
	rc_litmus_print_prop(t, out);
	fputc('\n', out);
}
