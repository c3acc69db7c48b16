/* SPDX-License-Identifier: MIT */
/* hw.h: litmus tests on the machine itself: code generation (hw_gen.c) and the run harness (hw_run.c). */
#ifndef RC_LITMUS_HW_H
#define RC_LITMUS_HW_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>
#include <replicore/litmus.h>
#include <replicore/model.h>

/*
 * The contract between the generated shared object and the harness (ABI
 * version RC_HW_ABI). Instance i of a round owns RC_HW_STRIDE(nlocs) ints
 * starting at mem + i * stride; location l of it is the int at offset
 * l * RC_HW_LINE_INTS, alone on its cache line (128 bytes: adjacent-line
 * prefetchers pair 64-byte lines). Thread t of the test is exported as
 * rc_hw_thread[t](mem, out, n): it runs its code once on each of the
 * instances 0..n-1 and writes its registers' final values to
 * out[i * nregs + r].
 */
#define RC_HW_ABI 1
#define RC_HW_LINE_INTS 32
#define RC_HW_STRIDE(nlocs) ((nlocs)*RC_HW_LINE_INTS)

typedef void (*rc_hw_thread_fn)(int *mem, int *out, unsigned long n);

/*
 * Writes the C source of the test's threads to out. x86 tests become one
 * GCC extended-asm block per thread holding the test's own instructions;
 * C tests become C11 atomics with the test's memory orders (plain accesses
 * through volatile). Returns 0, or -RC_ENOTSUP with err filled when the
 * test uses something the generator cannot express.
 */
int _rc_hw_gen(const rc_litmus_t *t, FILE *out, rc_err_t *err);

enum rc_hw_affinity {
	RC_HW_AFF_AUTO = 0, /* rc_topo_spread over the machine */
	RC_HW_AFF_NONE = 1, /* no pinning */
	RC_HW_AFF_LIST = 2, /* the PUs of pus[] in turn */
};

struct rc_hw_opts {
	uint64_t iterations; /* instances run in all (default 1,000,000) */
	unsigned size;	     /* instances side by side per round */
	enum rc_hw_affinity affinity;
	const unsigned *pus; /* with RC_HW_AFF_LIST: logical PUs */
	size_t npus;
	int oversubscribe; /* run even with more threads than PUs */
	const char *keep;  /* keep source and compiler output here, or NULL */
	const char *cc;	   /* the compiler ($CC, else "cc") */
	uint64_t seed;	   /* the start offsets' generator */
};

/* One observed final state. */
struct rc_hw_state {
	int64_t *vals; /* one per outcomes obs[] */
	uint64_t count;
	int sat;     /* the condition's proposition holds */
	int allowed; /* the model allows it */
};

struct rc_hw_result {
	size_t nstates;
	struct rc_hw_state *states; /* sorted as herd sorts states */
	uint64_t iterations, positive, negative;
	size_t forbidden_seen; /* states observed that the model forbids */
	int ok;		       /* the quantifier holds on what was seen */
	double run_s, compile_s;
	int cached;	   /* the shared object came from the cache */
	unsigned nthreads; /* threads of the test */
	unsigned *pus;	   /* the logical PU of each thread, or NULL */
	int oversubscribed;
	char so_path[1024];
};

/*
 * Compiles (or finds in the cache) the test's shared object, runs it with
 * one thread per test thread and fills res with the histogram of final
 * states over o's observed variables, each marked allowed or not by o's
 * model. Blocking; not reentrant with itself (it dlopens a file).
 * Returns 0, -RC_ENOTSUP (x86 test on another host; more threads than
 * PUs without oversubscribe), -RC_ESYS (the compiler or the loader
 * failed: err holds its first message) or -RC_ENOMEM.
 */
int _rc_hw_run(const rc_litmus_t *t, const rc_outcomes_t *o,
	       const struct rc_hw_opts *opts, struct rc_hw_result *res,
	       rc_err_t *err);

void _rc_hw_result_free(struct rc_hw_result *res);

#endif /* RC_LITMUS_HW_H */
