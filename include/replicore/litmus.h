/* SPDX-License-Identifier: MIT */
/* replicore/litmus.h: litmus tests in herd's X86 and C formats: AST, parser and printer. */
#ifndef REPLICORE_LITMUS_H
#define REPLICORE_LITMUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A litmus test is parsed once into an rc_litmus_t and then only read: any
 * number of threads may read one test at the same time (the models do not
 * modify it). Everything the test owns is freed by rc_litmus_free().
 *
 * Locations and registers are interned: a location is an index into
 * locs[], a register an index into its thread's regs[].
 */

enum rc_litmus_arch {
	RC_LITMUS_X86 = 0,
	RC_LITMUS_C = 1,
};

/* The memory orders of C11 and the annotations of x86 events. */
enum rc_mo {
	RC_MO_NA = 0, /* a plain (non-atomic) access */
	RC_MO_RLX,
	RC_MO_CON, /* memory_order_consume: treated as acquire */
	RC_MO_ACQ,
	RC_MO_REL,
	RC_MO_ACQ_REL,
	RC_MO_SC,
};

/* C expressions (and the operands of x86 instructions). */
enum rc_lexpr_kind {
	RC_LE_CONST, /* ival */
	RC_LE_REG,   /* reg */
	RC_LE_DEREF, /* *loc, a non-atomic load */
	RC_LE_LOAD,  /* atomic_load_explicit(loc, mo) */
	RC_LE_STORE, /* atomic_store_explicit(loc, a, mo); value 0 */
	RC_LE_FETCH, /* atomic_fetch_OP_explicit(loc, a, mo); op in op */
	RC_LE_XCHG,  /* atomic_exchange_explicit(loc, a, mo) */
	RC_LE_CAS, /* atomic_compare_exchange_*_explicit(loc, exp, a, mo, mo2) */
	RC_LE_FENCE, /* atomic_thread_fence(mo); value 0 */
	RC_LE_BINOP, /* a op b */
	RC_LE_UNOP,  /* op a: '!', '-', '~' */
};

/* Binary and unary operators, by their C spelling. */
enum rc_lop {
	RC_OP_ADD,
	RC_OP_SUB,
	RC_OP_MUL,
	RC_OP_AND, /* & */
	RC_OP_OR,  /* | */
	RC_OP_XOR,
	RC_OP_LAND, /* && */
	RC_OP_LOR,  /* || */
	RC_OP_EQ,
	RC_OP_NE,
	RC_OP_LT,
	RC_OP_LE,
	RC_OP_GT,
	RC_OP_GE,
	RC_OP_NOT,  /* ! */
	RC_OP_NEG,  /* unary - */
	RC_OP_BNOT, /* ~ */
};

struct rc_lexpr {
	enum rc_lexpr_kind kind;
	enum rc_lop op;
	enum rc_mo mo, mo2;
	int explicit_mo; /* 1 for the _explicit spelling */
	int strong;	 /* CAS: 1 strong, 0 weak */
	int loc;	 /* location, or -1 */
	int exp_loc;	 /* CAS: the location of *expected */
	int reg;	 /* register, or -1 */
	int64_t ival;
	struct rc_lexpr *a, *b;
};

/* Statements of a thread: x86 instructions and C statements. */
enum rc_lstmt_kind {
	RC_LS_X86_LOAD,	  /* MOV reg,[loc] */
	RC_LS_X86_STORE,  /* MOV [loc],src */
	RC_LS_X86_MOVREG, /* MOV reg,src */
	RC_LS_X86_XCHG,	  /* XCHG [loc],reg (mem_first says which way) */
	RC_LS_X86_LOCKOP, /* LOCK ADD|SUB|OR|AND|XOR|INC|DEC|XADD [loc],src */
	RC_LS_X86_MFENCE,
	RC_LS_X86_NOP,	/* an empty cell of the thread table */
	RC_LS_C_ASSIGN, /* [int] reg = e; (decl says if "int" was written) */
	RC_LS_C_DECL,	/* int reg; */
	RC_LS_C_EXPR,	/* e; */
	RC_LS_C_STORE,	/* *loc = e; */
	RC_LS_C_IF,	/* if (e) then [else els] */
	RC_LS_C_BLOCK,	/* { body } */
};

/* x86 locked operations. */
enum rc_x86op {
	RC_X86_ADD,
	RC_X86_SUB,
	RC_X86_OR,
	RC_X86_AND,
	RC_X86_XOR,
	RC_X86_INC,
	RC_X86_DEC,
	RC_X86_XADD,
};

struct rc_lstmt {
	enum rc_lstmt_kind kind;
	unsigned line;
	int loc;
	int reg;
	int decl;
	int mem_first;	 /* XCHG [x],EAX (1) or XCHG EAX,[x] (0) */
	int src_is_reg;	 /* x86: source operand is a register */
	int src_dollar;	 /* x86: immediate written with '$' */
	int src_reg;	 /* x86 source register */
	int64_t src_imm; /* x86 immediate */
	enum rc_x86op x86op;
	struct rc_lexpr *e;    /* C: the expression */
	struct rc_lstmt *body; /* C: if-then or block statements */
	size_t nbody;
	struct rc_lstmt *els; /* C: else statements */
	size_t nels;
	int has_else;
};

/* One thread: its registers, its parameters (C) and its statements. */
struct rc_lthread {
	char **regs;
	size_t nregs;
	int64_t *reg_init;  /* initial register values (0 unless set) */
	int *reg_in_init;   /* 1 when the init block sets the register */
	int *params;	    /* C: the locations named by the parameters */
	char **param_types; /* C: the parameter types as written */
	size_t nparams;
	struct rc_lstmt *code;
	size_t ncode;
};

/* The condition's proposition. */
enum rc_lprop_kind {
	RC_LP_TRUE,
	RC_LP_FALSE,
	RC_LP_EQ, /* var = val */
	RC_LP_NOT,
	RC_LP_AND,
	RC_LP_OR,
	RC_LP_IMPLIES,
};

/* An observed variable: a location (thread -1) or a thread's register. */
struct rc_lvar {
	int thread;
	int idx;
};

struct rc_lprop {
	enum rc_lprop_kind kind;
	struct rc_lvar var;
	int64_t val;
	struct rc_lprop *a, *b;
};

enum rc_lquant {
	RC_LQ_EXISTS,
	RC_LQ_NOT_EXISTS,
	RC_LQ_FORALL,
};

struct rc_litmus {
	enum rc_litmus_arch arch;
	char *name;
	char *comment;	/* the quoted line after the name, or NULL */
	char **keyvals; /* Key=Value lines, verbatim */
	size_t nkeyvals;
	char **locs; /* location names */
	size_t nlocs;
	int64_t *loc_init; /* initial values (0 unless set) */
	int *loc_in_init;  /* 1 when the init block names the location */
	struct rc_lthread *threads;
	size_t nthreads;
	struct rc_lvar *locations; /* the `locations [...]` line */
	size_t nlocations;
	int has_locations;
	enum rc_lquant quant;
	struct rc_lprop *prop;
	struct _rc_arena *_arena; /* owns every allocation of the test */
};

typedef struct rc_litmus rc_litmus_t;

/*
 * Parses the text (len bytes, need not be NUL-terminated) of one litmus
 * test. fname names the input in error messages. On success returns 0 and
 * stores the test in *out; on a syntax error returns -RC_EINVAL and fills
 * err with file, line, column and "expected X, got 'Y'". Reentrant.
 */
int rc_litmus_parse(const char *text, size_t len, const char *fname,
		    rc_litmus_t **out, rc_err_t *err);

/* Reads and parses a file (-RC_ENOENT if it cannot be read). */
int rc_litmus_parse_file(const char *path, rc_litmus_t **out, rc_err_t *err);

/* Frees a test; NULL is fine. */
void rc_litmus_free(rc_litmus_t *t);

/*
 * Prints the test in herd's syntax; parsing the output gives the same
 * AST, and printing that gives the same text (round trip).
 */
void rc_litmus_print(const rc_litmus_t *t, FILE *out);

/* Prints the condition: "exists (0:EAX=0 /\ 1:EAX=0)". */
void rc_litmus_print_prop(const rc_litmus_t *t, FILE *out);

/* Prints a variable the way herd names it: "x", "0:EAX", "1:r0". */
int rc_litmus_var_name(const rc_litmus_t *t, struct rc_lvar v, char *buf,
		       size_t n);

/* The C spelling of a memory order ("memory_order_relaxed"). */
const char *rc_mo_name(enum rc_mo mo);

/*
 * The value of operator op on a and b (b is ignored by the unary ones),
 * as the C tests' expressions compute it: wrapping arithmetic, 0/1 for
 * comparisons and logic. Shared by every interpreter of the AST (models,
 * objects) so they agree. Pure: any thread, wait-free.
 */
int64_t rc_litmus_op_eval(enum rc_lop op, int64_t a, int64_t b);

/* Evaluates the proposition on values given by a lookup function. */
int rc_litmus_prop_eval(const struct rc_lprop *p,
			int64_t (*value)(void *ctx, struct rc_lvar v),
			void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_LITMUS_H */
