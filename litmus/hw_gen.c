/* SPDX-License-Identifier: MIT */
/* hw_gen.c: a litmus test's threads as C source for the machine: x86 as inline assembly of its own instructions, C as C11 atomics. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "litmus/hw.h"
#include "litmus/hw_arch.h"

/*
 * The generated file is self-contained (no replicore header) so that a
 * kept copy compiles by hand. It must stay warning-free under -Wall
 * -Wextra: every parameter is used, every expression statement is cast
 * to void, every operator parenthesised.
 */

static const char *mo_c(enum rc_mo mo)
{
	/* an atomic operation never carries NA; relaxed is its weakest */
	return mo == RC_MO_NA ? "memory_order_relaxed" : rc_mo_name(mo);
}

/* ---- x86: one asm block per thread, AT&T spelling of each instruction ---- */

static const char *const x86_lockop[] = {
	[RC_X86_ADD] = "addl", [RC_X86_SUB] = "subl",	[RC_X86_OR] = "orl",
	[RC_X86_AND] = "andl", [RC_X86_XOR] = "xorl",	[RC_X86_INC] = "incl",
	[RC_X86_DEC] = "decl", [RC_X86_XADD] = "xaddl",
};

static void x86_src(const struct rc_lstmt *s, FILE *out)
{
	if (s->src_is_reg)
		fprintf(out, "%%[r%d]", s->src_reg);
	else
		fprintf(out, "$%" PRId64, s->src_imm);
}

static int x86_instr(const rc_litmus_t *t, const struct rc_lstmt *s, FILE *out,
		     rc_err_t *err)
{
	switch (s->kind) {
	case RC_LS_X86_LOAD:
		fprintf(out, "\t\t\t\"movl %%[m%d],%%[r%d]\\n\\t\"\n", s->loc,
			s->reg);
		break;
	case RC_LS_X86_STORE:
		fputs("\t\t\t\"movl ", out);
		x86_src(s, out);
		fprintf(out, ",%%[m%d]\\n\\t\"\n", s->loc);
		break;
	case RC_LS_X86_MOVREG:
		fputs("\t\t\t\"movl ", out);
		x86_src(s, out);
		fprintf(out, ",%%[r%d]\\n\\t\"\n", s->reg);
		break;
	case RC_LS_X86_XCHG:
		/* XCHG with a memory operand is locked implicitly */
		fprintf(out, "\t\t\t\"xchgl %%[r%d],%%[m%d]\\n\\t\"\n", s->reg,
			s->loc);
		break;
	case RC_LS_X86_LOCKOP:
		fprintf(out, "\t\t\t\"lock %s ", x86_lockop[s->x86op]);
		if (s->x86op == RC_X86_INC || s->x86op == RC_X86_DEC) {
			fprintf(out, "%%[m%d]\\n\\t\"\n", s->loc);
			break;
		}
		if (s->x86op == RC_X86_XADD && !s->src_is_reg)
			return rc_err_set(err, RC_ENOTSUP, t->name, s->line, 0,
					  "XADD needs a register source");
		x86_src(s, out);
		fprintf(out, ",%%[m%d]\\n\\t\"\n", s->loc);
		break;
	case RC_LS_X86_MFENCE:
		fputs("\t\t\t\"mfence\\n\\t\"\n", out);
		break;
	case RC_LS_X86_NOP:
		break;
	default:
		return rc_err_set(err, RC_ENOTSUP, t->name, s->line, 0,
				  "not an x86 instruction");
	}
	return 0;
}

static int gen_x86_thread(const rc_litmus_t *t, size_t ti, FILE *out,
			  rc_err_t *err)
{
	const struct rc_lthread *th = &t->threads[ti];
	unsigned char used[256];
	int first = 1, rc;

	if (t->nlocs > sizeof used)
		return rc_err_set(err, RC_ENOTSUP, t->name, 0, 0,
				  "more than %zu locations", sizeof used);
	memset(used, 0, sizeof used);
	for (size_t k = 0; k < th->ncode; k++)
		if (th->code[k].kind != RC_LS_X86_MFENCE &&
		    th->code[k].kind != RC_LS_X86_MOVREG &&
		    th->code[k].kind != RC_LS_X86_NOP)
			used[th->code[k].loc] = 1;
	fputs("\t\t__asm__ __volatile__(\n", out);
	for (size_t k = 0; k < th->ncode; k++) {
		rc = x86_instr(t, &th->code[k], out, err);
		if (rc < 0)
			return rc;
	}
	/* outputs: every location the thread touches, every register */
	fputs("\t\t\t:", out);
	for (size_t l = 0; l < t->nlocs; l++)
		if (used[l]) {
			fprintf(out, "%s [m%zu] \"+m\"(m[%zu])",
				first ? "" : ",", l, l * RC_HW_LINE_INTS);
			first = 0;
		}
	for (size_t r = 0; r < th->nregs; r++) {
		fprintf(out, "%s [r%zu] \"+r\"(r_%zu)", first ? "" : ",", r, r);
		first = 0;
	}
	/* "memory": the block is a compiler barrier around the test */
	fputs("\n\t\t\t:\n\t\t\t: \"memory\", \"cc\");\n", out);
	return 0;
}

/* ---- C: C11 atomics with the test's orders ---- */

static void gen_expr(const rc_litmus_t *t, const struct rc_lexpr *e, FILE *out);

static void loc_ref(int loc, FILE *out)
{
	fprintf(out, "(_Atomic int *)&m[%d]", loc * RC_HW_LINE_INTS);
}

static const char *c_op(enum rc_lop op)
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

static void gen_expr(const rc_litmus_t *t, const struct rc_lexpr *e, FILE *out)
{
	static const char *const fetch[] = {
		[RC_OP_ADD] = "add", [RC_OP_SUB] = "sub", [RC_OP_OR] = "or",
		[RC_OP_AND] = "and", [RC_OP_XOR] = "xor",
	};

	switch (e->kind) {
	case RC_LE_CONST:
		fprintf(out, "(%" PRId64 ")", e->ival);
		break;
	case RC_LE_REG:
		fprintf(out, "r_%d", e->reg);
		break;
	case RC_LE_DEREF:
		/* a plain access: volatile so the compiler keeps it */
		fprintf(out, "(*(volatile int *)&m[%d])",
			e->loc * RC_HW_LINE_INTS);
		break;
	case RC_LE_LOAD:
		fputs("atomic_load_explicit(", out);
		loc_ref(e->loc, out);
		fprintf(out, ", %s)", mo_c(e->mo));
		break;
	case RC_LE_STORE:
		fputs("atomic_store_explicit(", out);
		loc_ref(e->loc, out);
		fputs(", ", out);
		gen_expr(t, e->a, out);
		fprintf(out, ", %s)", mo_c(e->mo));
		break;
	case RC_LE_FETCH:
		fprintf(out, "atomic_fetch_%s_explicit(",
			fetch[e->op] ? fetch[e->op] : "add");
		loc_ref(e->loc, out);
		fputs(", ", out);
		gen_expr(t, e->a, out);
		fprintf(out, ", %s)", mo_c(e->mo));
		break;
	case RC_LE_XCHG:
		fputs("atomic_exchange_explicit(", out);
		loc_ref(e->loc, out);
		fputs(", ", out);
		gen_expr(t, e->a, out);
		fprintf(out, ", %s)", mo_c(e->mo));
		break;
	case RC_LE_CAS:
		fprintf(out, "atomic_compare_exchange_%s_explicit(",
			e->strong ? "strong" : "weak");
		loc_ref(e->loc, out);
		fprintf(out, ", &m[%d], ", e->exp_loc * RC_HW_LINE_INTS);
		gen_expr(t, e->a, out);
		fprintf(out, ", %s, %s)", mo_c(e->mo), mo_c(e->mo2));
		break;
	case RC_LE_FENCE:
		fprintf(out, "atomic_thread_fence(%s)", mo_c(e->mo));
		break;
	case RC_LE_BINOP:
		fputc('(', out);
		gen_expr(t, e->a, out);
		fprintf(out, " %s ", c_op(e->op));
		gen_expr(t, e->b, out);
		fputc(')', out);
		break;
	case RC_LE_UNOP:
		fprintf(out, "(%s", c_op(e->op));
		gen_expr(t, e->a, out);
		fputc(')', out);
		break;
	}
}

static void gen_stmts(const rc_litmus_t *t, const struct rc_lstmt *s, size_t n,
		      int ind, FILE *out);

static void gen_stmt(const rc_litmus_t *t, const struct rc_lstmt *s, int ind,
		     FILE *out)
{
	for (int i = 0; i < ind; i++)
		fputc('\t', out);
	switch (s->kind) {
	case RC_LS_C_ASSIGN:
		fprintf(out, "r_%d = ", s->reg);
		gen_expr(t, s->e, out);
		fputs(";\n", out);
		break;
	case RC_LS_C_DECL:
		fputs("/* declaration: registers start at their init value "
		      "*/\n",
		      out);
		break;
	case RC_LS_C_EXPR:
		fputs("(void)", out);
		gen_expr(t, s->e, out);
		fputs(";\n", out);
		break;
	case RC_LS_C_STORE:
		fprintf(out,
			"*(volatile int *)&m[%d] = ", s->loc * RC_HW_LINE_INTS);
		gen_expr(t, s->e, out);
		fputs(";\n", out);
		break;
	case RC_LS_C_IF:
		fputs("if (", out);
		gen_expr(t, s->e, out);
		fputs(") {\n", out);
		gen_stmts(t, s->body, s->nbody, ind + 1, out);
		for (int i = 0; i < ind; i++)
			fputc('\t', out);
		fputs("} else {\n", out);
		gen_stmts(t, s->els, s->has_else ? s->nels : 0, ind + 1, out);
		for (int i = 0; i < ind; i++)
			fputc('\t', out);
		fputs("}\n", out);
		break;
	case RC_LS_C_BLOCK:
		fputs("{\n", out);
		gen_stmts(t, s->body, s->nbody, ind + 1, out);
		for (int i = 0; i < ind; i++)
			fputc('\t', out);
		fputs("}\n", out);
		break;
	default:
		fputs(";\n", out);
		break;
	}
}

static void gen_stmts(const rc_litmus_t *t, const struct rc_lstmt *s, size_t n,
		      int ind, FILE *out)
{
	for (size_t i = 0; i < n; i++)
		gen_stmt(t, &s[i], ind, out);
}

/* ---- the file ---- */

int _rc_hw_gen(const rc_litmus_t *t, FILE *out, rc_err_t *err)
{
	int x86 = t->arch == RC_LITMUS_X86, rc;
	size_t nl = t->nlocs ? t->nlocs : 1; /* as the harness lays it out */

	fprintf(out,
		"/* Generated by replicore litmus run --target hw from the "
		"test %s. */\n"
		"/*\n"
		" * Instance i of a round is the %zu ints at mem + i * %zu; "
		"location l of it\n"
		" * is m[l * %d], alone on a 128-byte line. Thread t runs its "
		"code once on\n"
		" * each of the n instances and writes register r to "
		"out[i * nregs + r].\n"
		" * Built without sanitizers: its data races are the point.\n"
		" */\n",
		t->name, (size_t)RC_HW_STRIDE(nl), (size_t)RC_HW_STRIDE(nl),
		RC_HW_LINE_INTS);
	if (x86)
		fprintf(out,
			"#if !(%s)\n#error \"x86 litmus test: needs an "
			"x86-64 compiler\"\n#endif\n",
			RC_HW_X86_GUARD);
	else
		fputs("#include <stdatomic.h>\n", out);
	fprintf(out, "\n#define RC_STRIDE %zu\n\n", (size_t)RC_HW_STRIDE(nl));
	for (size_t ti = 0; ti < t->nthreads; ti++) {
		const struct rc_lthread *th = &t->threads[ti];

		fprintf(out,
			"void rc_hw_P%zu(int *mem, int *out, unsigned long "
			"n);\n"
			"void rc_hw_P%zu(int *mem, int *out, unsigned long n)\n"
			"{\n"
			"\tfor (unsigned long i = 0; i < n; i++) {\n"
			"\t\tint *m = mem + i * RC_STRIDE;\n",
			ti, ti);
		for (size_t r = 0; r < th->nregs; r++)
			fprintf(out, "\t\tint r_%zu = %" PRId64 "; /* %s */\n",
				r, th->reg_init[r], th->regs[r]);
		fputs("\n\t\t(void)m;\n", out);
		if (x86) {
			rc = gen_x86_thread(t, ti, out, err);
			if (rc < 0)
				return rc;
		} else {
			gen_stmts(t, th->code, th->ncode, 2, out);
		}
		for (size_t r = 0; r < th->nregs; r++)
			fprintf(out, "\t\tout[i * %zu + %zu] = r_%zu;\n",
				th->nregs, r, r);
		fputs("\t}\n\t(void)out;\n}\n\n", out);
	}
	fprintf(out, "const unsigned rc_hw_abi = %d;\n", RC_HW_ABI);
	fprintf(out, "const unsigned rc_hw_nthreads = %zu;\n", t->nthreads);
	fprintf(out,
		"void (*const rc_hw_thread[%zu])(int *, int *, unsigned "
		"long) = {\n",
		t->nthreads ? t->nthreads : 1);
	for (size_t ti = 0; ti < t->nthreads; ti++)
		fprintf(out, "\trc_hw_P%zu,\n", ti);
	fputs("};\n", out);
	return 0;
}
