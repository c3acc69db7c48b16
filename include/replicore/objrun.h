/* SPDX-License-Identifier: MIT */
/* replicore/objrun.h: litmus tests run on the rc_mem objects, exhaustively (explore mode) or on threads. */
#ifndef REPLICORE_OBJRUN_H
#define REPLICORE_OBJRUN_H

#include <stdint.h>

#include <replicore/err.h>
#include <replicore/litmus.h>
#include <replicore/mem.h>
#include <replicore/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A litmus test runs on one rc_mem object: each location of the test is
 * one location of the object (its init value stored and quiesced before
 * any thread starts), each thread of the test drives one replica. Every
 * access becomes one object operation, with the test's memory order
 * (non-atomic accesses as relaxed; X86 loads acquire, stores release,
 * XCHG and LOCK'd instructions seq_cst RMWs, MFENCE a seq_cst fence,
 * except at CAUSAL, where an MFENCE is an acq_rel fence as sra, the
 * level's model, does not take it as seq_cst); the level only ever
 * strengthens it (see mem.h). Local computation
 * (registers, expressions, `if') runs between accesses. A failed C
 * compare-exchange writes the value found to *expected; LOCK OR/AND/XOR
 * are a compare-exchange loop. Final values of locations are read after
 * every propagation step has happened (all replicas agree then): at LIN
 * the one copy, at TSO the shared copy with empty buffers, at SC the
 * last write of the log, at CAUSAL the last write in the arbitration
 * order (Lamport time, replica): in each case the coherence-last write.
 *
 * The outcome sets are rc_outcomes_t as the models give them (same
 * observed variables, same order), with model NULL; candidates holds
 * the number of distinct object states explored (explore) or the runs
 * (threads); positive and negative count the distinct terminal states
 * (explore) or the runs (threads) that satisfy the condition or not.
 */
struct rc_objrun_opts {
	/* explore: give up (-RC_ETIMEDOUT) beyond this many states; 0:
	 * RC_OBJRUN_MAX_STATES */
	uint64_t max_states;
	/* threads: how many runs (0: 1) */
	uint64_t iterations;
};

#define RC_OBJRUN_MAX_STATES 4000000u

/*
 * Explores every interleaving of the threads' accesses and the object's
 * propagation steps (rc_mem_steps) depth first, from an object in
 * explore mode, memoising visited configurations: the object's state
 * hash and the threads' program counters and registers. A 64-bit hash
 * stands for the object's state, so two configurations that differ only
 * in the object's state and collide would be merged (probability about
 * n^2 / 2^65 for n states). level is an object level (RC_LIN, RC_SC,
 * RC_TSO, RC_CAUSAL, RC_EVENTUAL; replicore/level.h). Returns 0 and
 * *out, -RC_ENOMEM, -RC_ETIMEDOUT (the budget) or -RC_EINVAL (too many
 * threads, or a level no object is made at). Reentrant; t is only read.
 * Free *out with rc_outcomes_free.
 */
int rc_objrun_explore(const rc_litmus_t *t, enum rc_level level,
		      const struct rc_objrun_opts *opts, rc_outcomes_t **out,
		      rc_err_t *err);

/*
 * Runs the test opts->iterations times on a fresh threaded object, one
 * POSIX thread per test thread released together by a spin barrier, and
 * counts the final states seen (state count = runs that ended there).
 * Blocking (creates and joins threads). Same returns as above, with
 * -RC_EAGAIN when threads cannot be created.
 */
int rc_objrun_threads(const rc_litmus_t *t, enum rc_level level,
		      const struct rc_objrun_opts *opts, rc_outcomes_t **out,
		      rc_err_t *err);

/*
 * The model whose allowed set a level's explored set equals, for tests
 * of t's architecture: "sc" for RC_LIN and RC_SC, "tso" for RC_TSO on
 * X86 tests, "sra" for RC_CAUSAL. NULL when no model of ours defines
 * the level for that architecture (RC_TSO on C tests: tso is X86 only;
 * RC_EVENTUAL on any test: no model here is as weak).
 */
const char *rc_objrun_model(enum rc_level level, enum rc_litmus_arch arch);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_OBJRUN_H */
