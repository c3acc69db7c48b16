/* SPDX-License-Identifier: MIT */
/* eval.c: what the models evaluate of a litmus test: its operators, its condition and the names of its variables. */
#include <stdio.h>

#include <replicore/litmus.h>

int rc_litmus_var_name(const rc_litmus_t *t, struct rc_lvar v, char *buf,
		       size_t n)
{
	if (v.thread < 0)
		return snprintf(buf, n, "%s", t->locs[v.idx]);
	return snprintf(buf, n, "%d:%s", v.thread,
			t->threads[v.thread].regs[v.idx]);
}

int64_t rc_litmus_op_eval(enum rc_lop op, int64_t a, int64_t b)
{
	uint64_t ua = (uint64_t)a, ub = (uint64_t)b;

	switch (op) {
	case RC_OP_ADD:
		return (int64_t)(ua + ub);
	case RC_OP_SUB:
		return (int64_t)(ua - ub);
	case RC_OP_MUL:
		return (int64_t)(ua * ub);
	case RC_OP_AND:
		return a & b;
	case RC_OP_OR:
		return a | b;
	case RC_OP_XOR:
		return a ^ b;
	case RC_OP_LAND:
		return a && b;
	case RC_OP_LOR:
		return a || b;
	case RC_OP_EQ:
		return a == b;
	case RC_OP_NE:
		return a != b;
	case RC_OP_LT:
		return a < b;
	case RC_OP_LE:
		return a <= b;
	case RC_OP_GT:
		return a > b;
	case RC_OP_GE:
		return a >= b;
	case RC_OP_NOT:
		return !a;
	case RC_OP_NEG:
		return (int64_t)(0 - ua);
	case RC_OP_BNOT:
		return ~a;
	}
	return 0;
}

int rc_litmus_prop_eval(const struct rc_lprop *p,
			int64_t (*value)(void *ctx, struct rc_lvar v),
			void *ctx)
{
	switch (p->kind) {
	case RC_LP_TRUE:
		return 1;
	case RC_LP_FALSE:
		return 0;
	case RC_LP_EQ:
		return value(ctx, p->var) == p->val;
	case RC_LP_NOT:
		return !rc_litmus_prop_eval(p->a, value, ctx);
	case RC_LP_AND:
		return rc_litmus_prop_eval(p->a, value, ctx) &&
		       rc_litmus_prop_eval(p->b, value, ctx);
	case RC_LP_OR:
		return rc_litmus_prop_eval(p->a, value, ctx) ||
		       rc_litmus_prop_eval(p->b, value, ctx);
	case RC_LP_IMPLIES:
		return !rc_litmus_prop_eval(p->a, value, ctx) ||
		       rc_litmus_prop_eval(p->b, value, ctx);
	}
	return 0;
}
