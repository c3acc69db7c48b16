/* SPDX-License-Identifier: MIT */
/* test_litmus_parse.c: the litmus parser's AST, its printer's round trip, and its error messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/litmus.h>

#include "tests/tap.h"

static char *print_str(const rc_litmus_t *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	rc_litmus_print(t, f);
	fclose(f);
	return buf;
}

static void test_x86(void)
{
	static const char text[] =
		"X86 iwp2.7-amd7\n"
		"\"Locked instructions have a total order\"\n"
		"Cycle=Fre PodWR\n"
		"{x = 0; y = 0; P0:EAX = 1; 1:EBX=1}\n"
		"  P0            | P1            | P2          ;\n"
		"  xchg [x], EAX | XCHG EBX,[y]  | mov ECX,[x] ;\n"
		"                | LOCK ADD [y],$2 | MFENCE    ;\n"
		"                |               | MOV EDX,[y] ;\n"
		"locations [x;2:ECX;]\n"
		"~exists (P2:ECX = 1 /\\ ~(2:EDX=0 \\/ y=3))\n";
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_litmus_t *t, *t2;
	char *p1, *p2;

	if (!ok(rc_litmus_parse(text, strlen(text), "iwp", &t, &err) == 0,
		"parses an X86 test with locked instructions")) {
		diag("%u:%u: %s", err.line, err.col, err.msg);
		return;
	}
	is(t->arch, RC_LITMUS_X86, "arch X86");
	is_str(t->name, "iwp2.7-amd7", "name kept with its dots and dashes");
	is_str(t->comment, "Locked instructions have a total order",
	       "quoted comment");
	is(t->nkeyvals, 1, "one Key=Value line");
	is(t->nthreads, 3, "three threads");
	is(t->threads[0].ncode, 1, "P0 has one instruction");
	is(t->threads[0].code[0].kind, RC_LS_X86_XCHG, "lower-case xchg");
	is(t->threads[1].code[0].mem_first, 0, "XCHG reg,[mem] order kept");
	is(t->threads[1].code[1].kind, RC_LS_X86_LOCKOP, "LOCK ADD");
	is(t->threads[2].code[1].kind, RC_LS_X86_MFENCE, "MFENCE");
	is(t->threads[0].reg_init[0], 1, "P0:EAX = 1 from the init block");
	is(t->quant, RC_LQ_NOT_EXISTS, "~exists");
	is(t->nlocations, 2, "locations line");
	p1 = print_str(t);
	ok(p1 && rc_litmus_parse(p1, strlen(p1), "printed", &t2, &err) == 0,
	   "the printed test parses");
	p2 = p1 ? print_str(t2) : NULL;
	ok(p1 && p2 && strcmp(p1, p2) == 0, "and prints the same again");
	free(p1);
	free(p2);
	rc_litmus_free(t2);
	rc_litmus_free(t);
}

static void test_c(void)
{
	static const char text[] =
		"C cas\n"
		"(* a comment (* nested *) before the init *)\n"
		"{ [e] = 0; [x] = 0; y = 0; }\n"
		"P0 (atomic_int* e, atomic_int* x, volatile int* y) {\n"
		"  int r0 = atomic_compare_exchange_strong_explicit(x, e, 2,"
		" memory_order_acq_rel, memory_order_acquire);\n"
		"  // a line comment\n"
		"  int t = atomic_load_explicit(x, memory_order_acquire) + "
		"*y;\n"
		"  if (t == 2 && !r0) { *y = 1; } else atomic_thread_fence("
		"memory_order_seq_cst);\n"
		"  r0 = atomic_fetch_add_explicit(x, -1, "
		"memory_order_relaxed);\n"
		"}\n"
		"forall (0:r0=0 \\/ [x]=2 => y=1)\n";
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_litmus_t *t, *t2;
	char *p1, *p2;

	if (!ok(rc_litmus_parse(text, strlen(text), "cas", &t, &err) == 0,
		"parses a C test with CAS, if/else, comments and =>")) {
		diag("%u:%u: %s", err.line, err.col, err.msg);
		return;
	}
	is(t->arch, RC_LITMUS_C, "arch C");
	is(t->nthreads, 1, "one thread");
	is(t->threads[0].nparams, 3, "three parameters");
	is(t->threads[0].ncode, 4, "four statements");
	is(t->threads[0].code[0].e->kind, RC_LE_CAS, "a CAS");
	is(t->threads[0].code[0].e->mo2, RC_MO_ACQ, "its failure order");
	is(t->threads[0].code[2].kind, RC_LS_C_IF, "an if");
	is(t->threads[0].code[2].has_else, 1, "with an else");
	is(t->quant, RC_LQ_FORALL, "forall");
	is(t->prop->kind, RC_LP_IMPLIES, "=> binds loosest");
	p1 = print_str(t);
	ok(p1 && rc_litmus_parse(p1, strlen(p1), "printed", &t2, &err) == 0,
	   "the printed test parses");
	p2 = p1 ? print_str(t2) : NULL;
	ok(p1 && p2 && strcmp(p1, p2) == 0, "and prints the same again");
	free(p1);
	free(p2);
	rc_litmus_free(t2);
	rc_litmus_free(t);
}

static void test_errors(void)
{
	static const struct {
		const char *text;
		unsigned line, col;
		const char *msg;
	} bad[] = {
		{ "", 1, 1,
		  "expected 'X86' or 'C' starting the test, got end of input" },
		{ "ARM T\n", 1, 1,
		  "expected 'X86' or 'C' starting the test, got 'ARM'" },
		{ "X86\n{ }\n", 2, 1,
		  "expected a test name after the architecture, got '{'" },
		{ "C T\nP0 (atomic_int* x) { }\nexists (x=0)\n", 2, 1,
		  "expected '{' starting the initial state, got 'P0'" },
		{ "X86 T\n{ }\n P0 | P1 ;\n MOV [x],$1 | MOVE EAX,[y] ;\n"
		  "exists (0:EAX=0)\n",
		  4, 15,
		  "expected an instruction (MOV, MFENCE, XCHG or LOCK op), got "
		  "'MOVE'" },
		{ "X86 T\n{ }\n P0 | P1 ;\n MOV [x],$1 | MOV EAX,[y] ;\n"
		  "exists (5:EAX=0)\n",
		  5, 9, "expected a thread number below 2, got 5" },
		{ "X86 T\n{ }\n P0 ;\n MOV [x] $1 ;\nexists (x=1)\n", 4, 10,
		  "expected ',', got '$'" },
		{ "C T\n{ }\nP0 (atomic_int* x) {\n"
		  "  int r = atomic_load_explicit(x, memory_order_foo);\n}\n"
		  "exists (0:r=0)\n",
		  4, 35,
		  "expected a memory order (memory_order_relaxed, ...), got "
		  "'memory_order_foo'" },
		{ "C T\n{ }\nP0 (atomic_int* x) {\n  if (r9) { }\n}\n"
		  "exists (x=0)\n",
		  4, 7, "expected a declared register, got 'r9'" },
		{ "C T\n{ }\nP0 (atomic_int* x) {\n  *x = 1;\n}\n"
		  "exists (x=1) junk\n",
		  6, 14,
		  "expected end of input after the condition, got 'junk'" },
		{ "C T\n(* never closed\n{ }\n", 2, 1,
		  "expected '*)' closing this comment, got end of input" },
		{ "C T\n{ [x] = 0 }\nP0 (atomic_int* x) {\n  *x = 1;\n", 5, 1,
		  "expected '}', got end of input" },
		{ "C T\n{ [x] = }\n", 2, 9, "expected an integer, got '}'" },
		{ "C T\n{ }\nP0 (atomic_int x) { }\nexists (x=1)\n", 3, 16,
		  "expected a pointer parameter such as 'atomic_int* x', got "
		  "'x'" },
		{ "X86 T\n{ }\n P0 ;\n MOV [x],$99999999999999999999 ;\n", 4,
		  11,
		  "expected an integer that fits in 62 bits, got "
		  "'9999999999999999999...'" },
	};
	static const char nul[] = "C T\n{ }\0";

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *t = NULL;
		int rc = rc_litmus_parse(bad[i].text, strlen(bad[i].text),
					 "bad.litmus", &t, &err);

		ok(rc == -RC_EINVAL && t == NULL, "bad input %zu rejected", i);
		is_str(err.where, "bad.litmus", "names the file");
		ok(err.line == bad[i].line && err.col == bad[i].col,
		   "at %u:%u (got %u:%u)", bad[i].line, bad[i].col, err.line,
		   err.col);
		is_str(err.msg, bad[i].msg, "message %zu", i);
	}
	{
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *t = NULL;

		ok(rc_litmus_parse(nul, sizeof nul - 1, "nul", &t, &err) ==
			   -RC_EINVAL,
		   "a NUL byte is an error, not the end of the text");
		is(err.line, 2, "on its line");
	}
	{
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *t = NULL;

		ok(rc_litmus_parse_file("/nonexistent/x.litmus", &t, &err) ==
			   -RC_ENOENT,
		   "a missing file is -RC_ENOENT");
	}
}

/* Every corpus test parses and round-trips through the printer. */
static void test_corpus(void)
{
	const char *shared = getenv("RC_SHARED");
	char path[4096];
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	unsigned n = 0, good = 0;

	if (!shared || !*shared)
		shared = "../shared";
	snprintf(path, sizeof path, "%s/corpus/litmus/SOURCES.tsv", shared);
	f = fopen(path, "r");
	if (!ok(f != NULL, "open %s", path))
		return;
	if (getline(&line, &cap, f) < 0) {
		fclose(f);
		free(line);
		return;
	}
	while (getline(&line, &cap, f) >= 0) {
		char tp[8192], *p1 = NULL, *p2 = NULL;
		rc_err_t err = RC_ERR_INITIALIZER;
		rc_litmus_t *t = NULL, *t2 = NULL;

		line[strcspn(line, "\t\n")] = '\0';
		snprintf(tp, sizeof tp, "%s/corpus/litmus/%s", shared, line);
		n++;
		if (rc_litmus_parse_file(tp, &t, &err) == 0) {
			p1 = print_str(t);
			if (p1 && rc_litmus_parse(p1, strlen(p1), "p", &t2,
						  &err) == 0)
				p2 = print_str(t2);
			if (p1 && p2 && strcmp(p1, p2) == 0)
				good++;
			else
				diag("%s does not round-trip", line);
		} else {
			diag("%s:%u:%u: %s", line, err.line, err.col, err.msg);
		}
		free(p1);
		free(p2);
		rc_litmus_free(t);
		rc_litmus_free(t2);
	}
	fclose(f);
	free(line);
	ok(n == 144 && good == n,
	   "all %u corpus tests parse and round-trip "
	   "(%u good)",
	   n, good);
}

int main(void)
{
	test_x86();
	test_c();
	test_errors();
	test_corpus();
	done_testing();
	return exit_status();
}
