/* SPDX-License-Identifier: MIT */
/* test_model_axioms.c: each model's axioms on the classic shapes, with and without fences and orders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>
#include <replicore/model.h>

#include "tests/tap.h"

/*
 * One shape: the test, then for each model whether the condition's state
 * is allowed (1), forbidden (0) or the model does not apply (-1), and for
 * a forbidden state the axiom --why must name.
 */
struct shape {
	const char *name;
	const char *text;
	int sc, tso, rc11, ra, sra;
	const char *why_sc, *why_tso, *why_rc11, *why_ra, *why_sra;
};

#define X86(n, init, body, cond) "X86 " n "\n{ " init " }\n" body cond "\n"

static const struct shape shapes[] = {
	{ "SB",
	  X86("SB", "x=0; y=0;",
	      " P0          | P1          ;\n"
	      " MOV [x],$1  | MOV [y],$1  ;\n"
	      " MOV EAX,[y] | MOV EAX,[x] ;\n",
	      "exists (0:EAX=0 /\\ 1:EAX=0)"),
	  0, 1, -1, 1, 1, "sc", NULL, NULL, NULL, NULL },
	{ "SB+mfences",
	  X86("SB+mfences", "",
	      " P0          | P1          ;\n"
	      " MOV [x],$1  | MOV [y],$1  ;\n"
	      " MFENCE      | MFENCE      ;\n"
	      " MOV EAX,[y] | MOV EAX,[x] ;\n",
	      "exists (0:EAX=0 /\\ 1:EAX=0)"),
	  0, 0, -1, 1, 1, "sc", "tso", NULL, NULL, NULL },
	{ "SB+xchgs",
	  X86("SB+xchgs", "0:EAX=1; 1:EAX=1;",
	      " P0           | P1           ;\n"
	      " XCHG [x],EAX | XCHG [y],EAX ;\n"
	      " MOV EBX,[y]  | MOV EBX,[x]  ;\n",
	      "exists (0:EBX=0 /\\ 1:EBX=0)"),
	  0, 0, -1, 1, 1, "sc", "tso", NULL, NULL, NULL },
	{ "MP",
	  X86("MP", "",
	      " P0         | P1          ;\n"
	      " MOV [x],$1 | MOV EAX,[y] ;\n"
	      " MOV [y],$1 | MOV EBX,[x] ;\n",
	      "exists (1:EAX=1 /\\ 1:EBX=0)"),
	  0, 0, -1, 0, 0, "sc", "tso", NULL, "coherence", "coherence" },
	{ "LB",
	  X86("LB", "",
	      " P0          | P1          ;\n"
	      " MOV EAX,[x] | MOV EAX,[y] ;\n"
	      " MOV [y],$1  | MOV [x],$1  ;\n",
	      "exists (0:EAX=1 /\\ 1:EAX=1)"),
	  0, 0, -1, 0, 0, "sc", "tso", NULL, "hb-acyclic", "hb-acyclic" },
	{ "IRIW",
	  X86("IRIW", "",
	      " P0         | P1          | P2         | P3          ;\n"
	      " MOV [x],$1 | MOV EAX,[x] | MOV [y],$1 | MOV EAX,[y] ;\n"
	      "            | MOV EBX,[y] |            | MOV EBX,[x] ;\n",
	      "exists (1:EAX=1 /\\ 1:EBX=0 /\\ 3:EAX=1 /\\ 3:EBX=0)"),
	  0, 0, -1, 1, 1, "sc", "tso", NULL, NULL, NULL },
	{ "WRC",
	  X86("WRC", "",
	      " P0         | P1          | P2          ;\n"
	      " MOV [x],$1 | MOV EAX,[x] | MOV EAX,[y] ;\n"
	      "            | MOV [y],$1  | MOV EBX,[x] ;\n",
	      "exists (1:EAX=1 /\\ 2:EAX=1 /\\ 2:EBX=0)"),
	  0, 0, -1, 0, 0, "sc", "tso", NULL, "coherence", "coherence" },
	{ "2+2W",
	  X86("2+2W", "",
	      " P0         | P1         ;\n"
	      " MOV [x],$2 | MOV [y],$2 ;\n"
	      " MOV [y],$1 | MOV [x],$1 ;\n",
	      "exists (x=2 /\\ y=2)"),
	  0, 0, -1, 1, 0, "sc", "tso", NULL, NULL, "sra" },
	{ "R",
	  X86("R", "",
	      " P0         | P1          ;\n"
	      " MOV [x],$1 | MOV [y],$2  ;\n"
	      " MOV [y],$1 | MOV EAX,[x] ;\n",
	      "exists (y=2 /\\ 1:EAX=0)"),
	  0, 1, -1, 1, 1, "sc", NULL, NULL, NULL, NULL },
	{ "R+mfences",
	  X86("R+mfences", "",
	      " P0         | P1          ;\n"
	      " MOV [x],$1 | MOV [y],$2  ;\n"
	      " MFENCE     | MFENCE      ;\n"
	      " MOV [y],$1 | MOV EAX,[x] ;\n",
	      "exists (y=2 /\\ 1:EAX=0)"),
	  0, 0, -1, 1, 1, "sc", "tso", NULL, NULL, NULL },
	{ "S",
	  X86("S", "",
	      " P0         | P1          ;\n"
	      " MOV [x],$2 | MOV EAX,[y] ;\n"
	      " MOV [y],$1 | MOV [x],$1  ;\n",
	      "exists (x=2 /\\ 1:EAX=1)"),
	  0, 0, -1, 0, 0, "sc", "tso", NULL, "coherence", "coherence" },
	{ "CoRR",
	  X86("CoRR", "",
	      " P0         | P1          ;\n"
	      " MOV [x],$1 | MOV EAX,[x] ;\n"
	      "            | MOV EBX,[x] ;\n",
	      "exists (1:EAX=1 /\\ 1:EBX=0)"),
	  0, 0, -1, 0, 0, "sc", "uniproc", NULL, "coherence", "coherence" },
	{ "2XCHG",
	  X86("2XCHG", "0:EAX=1; 1:EAX=2;",
	      " P0           | P1           ;\n"
	      " XCHG [x],EAX | XCHG [x],EAX ;\n",
	      "exists (0:EAX=0 /\\ 1:EAX=0)"),
	  0, 0, -1, 0, 0, "atomic", "atomic", NULL, "atomicity", "atomicity" },

	/* C11: memory orders and fences */
	{ "SB+rlx",
	  "C SB+rlx\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(y, 1, memory_order_relaxed);\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n}\n"
	  "exists (0:r0=0 /\\ 1:r0=0)\n",
	  0, -1, 1, 1, 1, "sc", NULL, NULL, NULL, NULL },
	{ "SB+sc",
	  "C SB+sc\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_seq_cst);\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_seq_cst);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(y, 1, memory_order_seq_cst);\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_seq_cst);\n}\n"
	  "exists (0:r0=0 /\\ 1:r0=0)\n",
	  0, -1, 0, 1, 1, "sc", NULL, "SC", NULL, NULL },
	{ "SB+fencesc",
	  "C SB+fencesc\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	  "  atomic_thread_fence(memory_order_seq_cst);\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(y, 1, memory_order_relaxed);\n"
	  "  atomic_thread_fence(memory_order_seq_cst);\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n}\n"
	  "exists (0:r0=0 /\\ 1:r0=0)\n",
	  0, -1, 0, 0, 0, "sc", NULL, "SC", "sc-fence", "sc-fence" },
	{ "MP+rlx",
	  "C MP+rlx\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	  "  atomic_store_explicit(y, 1, memory_order_relaxed);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
	  "  int r1 = atomic_load_explicit(x, memory_order_relaxed);\n}\n"
	  "exists (1:r0=1 /\\ 1:r1=0)\n",
	  0, -1, 1, 0, 0, "sc", NULL, NULL, "coherence", "coherence" },
	{ "MP+rel+acq",
	  "C MP+rel+acq\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	  "  atomic_store_explicit(y, 1, memory_order_release);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_acquire);\n"
	  "  int r1 = atomic_load_explicit(x, memory_order_relaxed);\n}\n"
	  "exists (1:r0=1 /\\ 1:r1=0)\n",
	  0, -1, 0, 0, 0, "sc", NULL, "coherence", "coherence", "coherence" },
	{ "MP+fences",
	  "C MP+fences\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
	  "  atomic_thread_fence(memory_order_release);\n"
	  "  atomic_store_explicit(y, 1, memory_order_relaxed);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
	  "  atomic_thread_fence(memory_order_acquire);\n"
	  "  int r1 = atomic_load_explicit(x, memory_order_relaxed);\n}\n"
	  "exists (1:r0=1 /\\ 1:r1=0)\n",
	  0, -1, 0, 0, 0, "sc", NULL, "coherence", "coherence", "coherence" },
	{ "LB+rlx",
	  "C LB+rlx\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
	  "  atomic_store_explicit(y, 1, memory_order_relaxed);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n}\n"
	  "exists (0:r0=1 /\\ 1:r0=1)\n",
	  0, -1, 0, 0, 0, "sc", NULL, "no-thin-air", "hb-acyclic",
	  "hb-acyclic" },
	{ "IRIW+rel+acq",
	  "C IRIW+rel+acq\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_release);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_acquire);\n"
	  "  int r1 = atomic_load_explicit(y, memory_order_acquire);\n}\n"
	  "P2 (atomic_int* y) {\n"
	  "  atomic_store_explicit(y, 1, memory_order_release);\n}\n"
	  "P3 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_acquire);\n"
	  "  int r1 = atomic_load_explicit(x, memory_order_acquire);\n}\n"
	  "exists (1:r0=1 /\\ 1:r1=0 /\\ 3:r0=1 /\\ 3:r1=0)\n",
	  0, -1, 1, 1, 1, "sc", NULL, NULL, NULL, NULL },
	{ "IRIW+sc",
	  "C IRIW+sc\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_seq_cst);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_seq_cst);\n"
	  "  int r1 = atomic_load_explicit(y, memory_order_seq_cst);\n}\n"
	  "P2 (atomic_int* y) {\n"
	  "  atomic_store_explicit(y, 1, memory_order_seq_cst);\n}\n"
	  "P3 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_seq_cst);\n"
	  "  int r1 = atomic_load_explicit(x, memory_order_seq_cst);\n}\n"
	  "exists (1:r0=1 /\\ 1:r1=0 /\\ 3:r0=1 /\\ 3:r1=0)\n",
	  0, -1, 0, 1, 1, "sc", NULL, "SC", NULL, NULL },
	{ "WRC+rel+acq",
	  "C WRC+rel+acq\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_release);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_acquire);\n"
	  "  atomic_store_explicit(y, 1, memory_order_release);\n}\n"
	  "P2 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_acquire);\n"
	  "  int r1 = atomic_load_explicit(x, memory_order_relaxed);\n}\n"
	  "exists (1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0)\n",
	  0, -1, 0, 0, 0, "sc", NULL, "coherence", "coherence", "coherence" },
	{ "WRC+rlx",
	  "C WRC+rlx\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
	  "  atomic_store_explicit(y, 1, memory_order_relaxed);\n}\n"
	  "P2 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
	  "  int r1 = atomic_load_explicit(x, memory_order_relaxed);\n}\n"
	  "exists (1:r0=1 /\\ 2:r0=1 /\\ 2:r1=0)\n",
	  0, -1, 1, 0, 0, "sc", NULL, NULL, "coherence", "coherence" },
	{ "2+2W+rlx",
	  "C 2+2W+rlx\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 2, memory_order_relaxed);\n"
	  "  atomic_store_explicit(y, 1, memory_order_relaxed);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(y, 2, memory_order_relaxed);\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n}\n"
	  "exists (x=2 /\\ y=2)\n",
	  0, -1, 1, 1, 0, "sc", NULL, NULL, NULL, "sra" },
	{ "2+2W+sc",
	  "C 2+2W+sc\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 2, memory_order_seq_cst);\n"
	  "  atomic_store_explicit(y, 1, memory_order_seq_cst);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(y, 2, memory_order_seq_cst);\n"
	  "  atomic_store_explicit(x, 1, memory_order_seq_cst);\n}\n"
	  "exists (x=2 /\\ y=2)\n",
	  0, -1, 0, 1, 0, "sc", NULL, "SC", NULL, "sra" },
	{ "R+sc",
	  "C R+sc\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_seq_cst);\n"
	  "  atomic_store_explicit(y, 1, memory_order_seq_cst);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(y, 2, memory_order_seq_cst);\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_seq_cst);\n}\n"
	  "exists (y=2 /\\ 1:r0=0)\n",
	  0, -1, 0, 1, 1, "sc", NULL, "SC", NULL, NULL },
	{ "S+rel+acq",
	  "C S+rel+acq\n{ [x] = 0; [y] = 0; }\n"
	  "P0 (atomic_int* x, atomic_int* y) {\n"
	  "  atomic_store_explicit(x, 2, memory_order_relaxed);\n"
	  "  atomic_store_explicit(y, 1, memory_order_release);\n}\n"
	  "P1 (atomic_int* x, atomic_int* y) {\n"
	  "  int r0 = atomic_load_explicit(y, memory_order_acquire);\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n}\n"
	  "exists (x=2 /\\ 1:r0=1)\n",
	  0, -1, 0, 0, 0, "sc", NULL, "coherence", "coherence", "coherence" },
	{ "CoRR+rlx",
	  "C CoRR+rlx\n{ [x] = 0; }\n"
	  "P0 (atomic_int* x) {\n"
	  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n}\n"
	  "P1 (atomic_int* x) {\n"
	  "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
	  "  int r1 = atomic_load_explicit(x, memory_order_relaxed);\n}\n"
	  "exists (1:r0=1 /\\ 1:r1=0)\n",
	  0, -1, 0, 0, 0, "sc", NULL, "coherence", "coherence", "coherence" },
	{ "2FAA+rlx",
	  "C 2FAA+rlx\n{ [x] = 0; }\n"
	  "P0 (atomic_int* x) {\n"
	  "  int r0 = atomic_fetch_add_explicit(x, 1, "
	  "memory_order_relaxed);\n}\n"
	  "P1 (atomic_int* x) {\n"
	  "  int r0 = atomic_fetch_add_explicit(x, 1, "
	  "memory_order_relaxed);\n}\n"
	  "exists (0:r0=0 /\\ 1:r0=0)\n",
	  0, -1, 0, 0, 0, "atomic", NULL, "atomicity", "atomicity",
	  "atomicity" },
};

static rc_outcomes_t *run(const rc_litmus_t *t, const char *model, int why)
{
	const rc_model_t *m = rc_model_find(model);
	struct rc_model_opts o = { why, 0, 0 };
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_outcomes_t *out = NULL;

	if (!m || rc_model_run(t, &m, 1, &o, &out, &err) < 0)
		return NULL;
	return out;
}

/* The axiom --why names for the first forbidden state that satisfies the condition. */
static const char *why_axiom(const rc_outcomes_t *o, char *buf, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < o->nforbidden; i++)
		if (o->forbidden[i].sat && o->forbidden[i].why) {
			size_t l = strcspn(o->forbidden[i].why, ":");

			snprintf(buf, n, "%.*s", (int)l, o->forbidden[i].why);
			return buf;
		}
	return "";
}

static void check_shape(const struct shape *s)
{
	static const char *const names[] = { "sc", "tso", "rc11", "ra", "sra" };
	int want[5] = { s->sc, s->tso, s->rc11, s->ra, s->sra };
	const char *whys[5] = { s->why_sc, s->why_tso, s->why_rc11, s->why_ra,
				s->why_sra };
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_litmus_t *t;

	if (!ok(rc_litmus_parse(s->text, strlen(s->text), s->name, &t, &err) ==
			0,
		"%s parses", s->name)) {
		diag("%s:%u:%u: %s", s->name, err.line, err.col, err.msg);
		return;
	}
	for (int k = 0; k < 5; k++) {
		rc_outcomes_t *o, *ow;
		char buf[64];

		if (want[k] < 0) {
			ok(!rc_model_applies(rc_model_find(names[k]), t),
			   "%s: %s does not apply", s->name, names[k]);
			continue;
		}
		o = run(t, names[k], 0);
		if (!ok(o != NULL, "%s under %s runs", s->name, names[k]))
			continue;
		ok((o->positive > 0) == (want[k] == 1), "%s: %s %s it", s->name,
		   names[k], want[k] ? "allows" : "forbids");
		/* with --why (no pruning) the verdict is the same */
		ow = run(t, names[k], 1);
		if (ow) {
			ok(ow->positive == o->positive &&
				   ow->negative == o->negative &&
				   ow->nstates == o->nstates,
			   "%s: %s gives the same outcomes without pruning",
			   s->name, names[k]);
			if (!want[k] && whys[k]) {
				const char *w = whys[k] ? whys[k] : "";

				ok(strcmp(why_axiom(ow, buf, sizeof buf), w) ==
					   0,
				   "%s: %s names axiom %s (got %s)", s->name,
				   names[k], w, buf);
			}
			if (want[k]) {
				bool has = false;

				for (size_t i = 0; i < ow->nstates; i++)
					if (ow->states[i].sat &&
					    ow->states[i].why &&
					    strncmp(ow->states[i].why,
						    "witness:", 8) == 0)
						has = true;
				ok(has, "%s: %s gives a witness", s->name,
				   names[k]);
			}
			rc_outcomes_free(ow);
		}
		rc_outcomes_free(o);
	}
	rc_litmus_free(t);
}

/* Undef: a data race on a non-atomic location under rc11, not under sc. */
static void check_race(void)
{
	static const char text[] =
		"C MP+na\n{ [x] = 0; [y] = 0; }\n"
		"P0 (int* x, atomic_int* y) {\n"
		"  *x = 1;\n"
		"  atomic_store_explicit(y, 1, memory_order_relaxed);\n}\n"
		"P1 (int* x, atomic_int* y) {\n"
		"  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
		"  int r1 = *x;\n}\n"
		"exists (1:r0=1 /\\ 1:r1=0)\n";
	static const char text_ok[] =
		"C MP+na+rel+acq\n{ [x] = 0; [y] = 0; }\n"
		"P0 (int* x, atomic_int* y) {\n"
		"  *x = 1;\n"
		"  atomic_store_explicit(y, 1, memory_order_release);\n}\n"
		"P1 (int* x, atomic_int* y) {\n"
		"  int r0 = atomic_load_explicit(y, memory_order_acquire);\n"
		"  if (r0) {\n    int r1 = *x;\n  }\n}\n"
		"exists (1:r0=1 /\\ 1:r1=0)\n";
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_litmus_t *t;
	rc_outcomes_t *o;

	ok(rc_litmus_parse(text, strlen(text), "race", &t, &err) == 0,
	   "racy MP parses");
	o = run(t, "rc11", 0);
	ok(o && o->undef, "rc11: a race on a non-atomic is Undef");
	is_str(o ? rc_outcomes_check(o) : "", "Undef", "check word is Undef");
	rc_outcomes_free(o);
	o = run(t, "sc", 0);
	ok(o && !o->undef, "sc: no race check, as herd7's sc.cat");
	rc_outcomes_free(o);
	rc_litmus_free(t);
	ok(rc_litmus_parse(text_ok, strlen(text_ok), "norace", &t, &err) == 0,
	   "synchronised MP parses");
	o = run(t, "rc11", 0);
	ok(o && !o->undef && o->positive == 0,
	   "rc11: release/acquire orders the non-atomics: no race, forbidden");
	rc_outcomes_free(o);
	rc_litmus_free(t);
}

/* c11 (herd7's c11_partialSC): thin air allowed, C11 release sequences. */
static void check_c11(void)
{
	static const struct {
		const char *name, *text;
		int c11, rc11;
		const char *check_c11, *why;
	} t[] = {
		{ "LB+ctrl",
		  "C LB+ctrl\n{ [x] = 0; [y] = 0; }\n"
		  "P0 (atomic_int* x, atomic_int* y) {\n"
		  "  int r0 = atomic_load_explicit(x, memory_order_relaxed);\n"
		  "  if (r0) { atomic_store_explicit(y, 1, "
		  "memory_order_relaxed); }\n}\n"
		  "P1 (atomic_int* x, atomic_int* y) {\n"
		  "  int r0 = atomic_load_explicit(y, memory_order_relaxed);\n"
		  "  if (r0) { atomic_store_explicit(x, 1, "
		  "memory_order_relaxed); }\n}\n"
		  "exists (0:r0=1 /\\ 1:r0=1)\n",
		  1, 0, "Ok", NULL },
		{ "MP+rel+acq",
		  "C MP+rel+acq\n{ [x] = 0; [y] = 0; }\n"
		  "P0 (atomic_int* x, atomic_int* y) {\n"
		  "  atomic_store_explicit(x, 1, memory_order_relaxed);\n"
		  "  atomic_store_explicit(y, 1, memory_order_release);\n}\n"
		  "P1 (atomic_int* x, atomic_int* y) {\n"
		  "  int r0 = atomic_load_explicit(y, memory_order_acquire);\n"
		  "  int r1 = atomic_load_explicit(x, "
		  "memory_order_relaxed);\n}\n"
		  "exists (1:r0=1 /\\ 1:r1=0)\n",
		  0, 0, "No", "Coh" },
		{ "SB+sc",
		  "C SB+sc\n{ [x] = 0; [y] = 0; }\n"
		  "P0 (atomic_int* x, atomic_int* y) {\n"
		  "  atomic_store_explicit(x, 1, memory_order_seq_cst);\n"
		  "  int r0 = atomic_load_explicit(y, "
		  "memory_order_seq_cst);\n}\n"
		  "P1 (atomic_int* x, atomic_int* y) {\n"
		  "  atomic_store_explicit(y, 1, memory_order_seq_cst);\n"
		  "  int r0 = atomic_load_explicit(x, "
		  "memory_order_seq_cst);\n}\n"
		  "exists (0:r0=0 /\\ 1:r0=0)\n",
		  0, 0, "No", "Spartial" },
		{ "rseq",
		  "C rseq\n{ [x] = 0; [y] = 0; }\n"
		  "P0 (atomic_int* x) {\n"
		  "  atomic_store_explicit(x, 2, memory_order_relaxed);\n}\n"
		  "P1 (atomic_int* x, int* y) {\n"
		  "  *y = 1;\n"
		  "  atomic_store_explicit(x, 1, memory_order_release);\n"
		  "  atomic_store_explicit(x, 3, memory_order_relaxed);\n}\n"
		  "P2 (atomic_int* x, int* y) {\n"
		  "  int r0 = atomic_load_explicit(x, memory_order_acquire);\n"
		  "  if (r0 == 3) { int r1 = *y; }\n}\n"
		  "exists (2:r0=3 /\\ 2:r1=0)\n",
		  1, 0, "Undef", NULL },
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *lt;
		rc_outcomes_t *o, *r, *w;
		char buf[64];

		if (!ok(rc_litmus_parse(t[i].text, strlen(t[i].text), t[i].name,
					&lt, &err) == 0,
			"c11: %s parses", t[i].name)) {
			diag("%u:%u: %s", err.line, err.col, err.msg);
			continue;
		}
		o = run(lt, "c11", 0);
		r = run(lt, "rc11", 0);
		w = run(lt, "c11_partialSC", 1);
		ok(o && (o->positive > 0) == t[i].c11, "c11 %s %s",
		   t[i].c11 ? "allows" : "forbids", t[i].name);
		ok(r && (r->positive > 0) == t[i].rc11, "rc11 %s %s",
		   t[i].rc11 ? "allows" : "forbids", t[i].name);
		is_str(o ? rc_outcomes_check(o) : "", t[i].check_c11,
		       "c11: %s is %s", t[i].name, t[i].check_c11);
		if (t[i].why) {
			const char *want = t[i].why;

			ok(w && strcmp(why_axiom(w, buf, sizeof buf), want) ==
					   0,
			   "c11: %s breaks %s (got %s)", t[i].name, want, buf);
		}
		rc_outcomes_free(o);
		rc_outcomes_free(r);
		rc_outcomes_free(w);
		rc_litmus_free(lt);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++)
		check_shape(&shapes[i]);
	check_race();
	check_c11();
	done_testing();
	return exit_status();
}
