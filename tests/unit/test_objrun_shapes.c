/* SPDX-License-Identifier: MIT */
/* test_objrun_shapes.c: the litmus interpreter over rc_mem on SB, MP, LB, IRIW and 2+2W, explored and on threads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>
#include <replicore/model.h>
#include <replicore/objrun.h>

#include "tests/tap.h"

static const char sb[] = "X86 SB\n"
			 "{ x=0; y=0; }\n"
			 " P0          | P1          ;\n"
			 " MOV [x],$1  | MOV [y],$1  ;\n"
			 " MOV EAX,[y] | MOV EAX,[x] ;\n"
			 "exists (0:EAX=0 /\\ 1:EAX=0)\n";

static const char mp[] =
	"C MP\n"
	"{ [x] = 0; [y] = 0; }\n"
	"P0 (atomic_int* x, atomic_int* y) {\n"
	"  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	"  atomic_store_explicit(y, 1, memory_order_relaxed);\n"
	"}\n"
	"P1 (atomic_int* x, atomic_int* y) {\n"
	"  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
	"  int r1 = atomic_load_explicit(x, memory_order_relaxed);\n"
	"}\n"
	"exists (1:r0=1 /\\ 1:r1=0)\n";

static const char lb[] =
	"C LB\n"
	"{ [x] = 0; [y] = 0; }\n"
	"P0 (atomic_int* x, atomic_int* y) {\n"
	"  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
	"  atomic_store_explicit(y, 1, memory_order_relaxed);\n"
	"}\n"
	"P1 (atomic_int* x, atomic_int* y) {\n"
	"  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
	"  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	"}\n"
	"exists (0:r0=1 /\\ 1:r0=1)\n";

static const char iriw[] =
	"C IRIW\n"
	"{ [x] = 0; [y] = 0; }\n"
	"P0 (atomic_int* x) {\n"
	"  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	"}\n"
	"P1 (atomic_int* y) {\n"
	"  atomic_store_explicit(y, 1, memory_order_relaxed);\n"
	"}\n"
	"P2 (atomic_int* x, atomic_int* y) {\n"
	"  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
	"  int r1 = atomic_load_explicit(y, memory_order_relaxed);\n"
	"}\n"
	"P3 (atomic_int* x, atomic_int* y) {\n"
	"  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
	"  int r1 = atomic_load_explicit(x, memory_order_relaxed);\n"
	"}\n"
	"exists (2:r0=1 /\\ 2:r1=0 /\\ 3:r0=1 /\\ 3:r1=0)\n";

static const char w22[] =
	"C 2+2W\n"
	"{ [x] = 0; [y] = 0; }\n"
	"P0 (atomic_int* x, atomic_int* y) {\n"
	"  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	"  atomic_store_explicit(y, 2, memory_order_relaxed);\n"
	"}\n"
	"P1 (atomic_int* x, atomic_int* y) {\n"
	"  atomic_store_explicit(y, 1, memory_order_relaxed);\n"
	"  atomic_store_explicit(x, 2, memory_order_relaxed);\n"
	"}\n"
	"exists (x=1 /\\ y=1)\n";

/* A failed compare-exchange writes the value found to *expected; an
 * if on a register; a fetch_add's result. */
static const char cas[] =
	"C CAS\n"
	"{ [x] = 0; [e] = 5; }\n"
	"P0 (atomic_int* x, int* e) {\n"
	"  int r0 = atomic_compare_exchange_strong_explicit(x, e, 7, "
	"memory_order_relaxed, memory_order_relaxed);\n"
	"  int r1 = atomic_fetch_add_explicit(x, 3, memory_order_relaxed);\n"
	"  if (r1 == 3) { atomic_store_explicit(x, 9, "
	"memory_order_relaxed); }\n"
	"}\n"
	"P1 (atomic_int* x) {\n"
	"  atomic_store_explicit(x, 3, memory_order_relaxed);\n"
	"}\n"
	"exists (0:r0=0 /\\ e=3)\n";

static const struct shape {
	const char *name, *text;
	/* whether the condition's state is reachable: lin, sc, tso, causal */
	int allowed[4];
	size_t nstates[4];
} shapes[] = {
	{ "SB", sb, { 0, 0, 1, 1 }, { 3, 3, 4, 4 } },
	{ "MP", mp, { 0, 0, 0, 0 }, { 3, 3, 3, 3 } },
	{ "LB", lb, { 0, 0, 0, 0 }, { 3, 3, 3, 3 } },
	{ "IRIW", iriw, { 0, 0, 0, 1 }, { 15, 15, 15, 16 } },
	{ "2+2W", w22, { 0, 0, 0, 0 }, { 3, 3, 3, 3 } },
	/* CAS: r0=0 iff P1's store came first; then e=3 */
	{ "CAS", cas, { 1, 1, 1, 1 }, { 2, 2, 2, 2 } },
};

static const enum rc_level levels[] = { RC_LIN, RC_SC, RC_TSO, RC_CAUSAL };

static bool has(const rc_outcomes_t *o, const int64_t *vals)
{
	for (size_t i = 0; i < o->nstates; i++)
		if (memcmp(o->states[i].vals, vals,
			   o->nobs * sizeof(int64_t)) == 0)
			return true;
	return false;
}

int main(void)
{
	struct rc_objrun_opts th = { 0, tap_env_u64("RC_OBJRUN_ITERS", 100) };

	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
		const struct shape *sh = &shapes[s];
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *t;

		if (!ok(rc_litmus_parse(sh->text, strlen(sh->text), sh->name,
					&t, &err) == 0,
			"%s parses", sh->name)) {
			diag("%s", err.msg);
			continue;
		}
		for (size_t l = 0; l < 4; l++) {
			const char *ln = rc_level_name(levels[l]);
			rc_outcomes_t *o = NULL, *r = NULL;
			bool sat = false, sub = true;

			if (rc_objrun_explore(t, levels[l], NULL, &o, &err)) {
				ok(0, "%s %s explores: %s", sh->name, ln,
				   err.msg);
				continue;
			}
			for (size_t i = 0; i < o->nstates; i++)
				sat |= o->states[i].sat != 0;
			ok(sat == (sh->allowed[l] != 0),
			   "%s at %s: the condition's state is %s", sh->name,
			   ln, sh->allowed[l] ? "reachable" : "unreachable");
			is(o->nstates, sh->nstates[l], "%s at %s: %zu states",
			   sh->name, ln, sh->nstates[l]);
			/* threads: every state seen was explored */
			if (rc_objrun_threads(t, levels[l], &th, &r, &err)) {
				ok(0, "%s %s on threads: %s", sh->name, ln,
				   err.msg);
				rc_outcomes_free(o);
				continue;
			}
			for (size_t i = 0; i < r->nstates; i++)
				sub &= has(o, r->states[i].vals);
			ok(sub && r->positive + r->negative == th.iterations,
			   "%s at %s: %llu threaded runs, %zu states, all "
			   "explored",
			   sh->name, ln, (unsigned long long)th.iterations,
			   r->nstates);
			rc_outcomes_free(r);
			rc_outcomes_free(o);
		}
		rc_litmus_free(t);
	}
	ok(rc_objrun_model(RC_TSO, RC_LITMUS_C) == NULL &&
		   strcmp(rc_objrun_model(RC_CAUSAL, RC_LITMUS_C), "sra") ==
			   0 &&
		   strcmp(rc_objrun_model(RC_LIN, RC_LITMUS_X86), "sc") == 0 &&
		   strcmp(rc_objrun_model(RC_TSO, RC_LITMUS_X86), "tso") == 0,
	   "the level-to-model map");
	done_testing();
	return exit_status();
}
