/* SPDX-License-Identifier: MIT */
/* replicore/model.h: executable memory models and the outcome sets they give litmus tests. */
#ifndef REPLICORE_MODEL_H
#define REPLICORE_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>
#include <replicore/litmus.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A model decides which candidate executions of a litmus test are
 * consistent. Built in:
 *
 * | name | herd7 cat  | tests  | axioms                                        |
 * | ---- | ---------- | ------ | --------------------------------------------- |
 * | sc   | sc.cat     | X86, C | po|rf|co|fr acyclic; RMW atomicity (*)        |
 * | tso  | x86tso.cat | X86    | uniproc; atomicity (*); ghb acyclic           |
 * | rc11 | rc11.cat   | C      | coherence, atomicity, SC, no-thin-air; races  |
 * | c11  | c11_partialSC.cat | C | C11 (Batty et al. POPL 2016); thin air; races |
 * | ra   | (none)     | X86, C | Lahav et al. POPL 2016: RA; C SC fences (**)  |
 * | sra  | (none)     | X86, C | Lahav et al. POPL 2016: strong RA; (**)       |
 *
 * (*) both ways: no write between an RMW's read and its write, and the
 * write not coherence-before the write read; herd7 checks the first only
 * (rc_model_herd_compat gives that variant).
 * (**) C seq_cst fences by RC11's SC axiom for fences (rc11.cat's pscf);
 * release/acquire fences change nothing where every access is one.
 *
 * Models are immutable; every function here may be called from any number
 * of threads at once, each on its own rc_outcomes_t.
 */
typedef struct rc_model rc_model_t;

size_t rc_model_count(void);
const rc_model_t *rc_model_at(size_t i);
/* By our name ("tso") or herd's ("x86tso"); NULL if unknown. */
const rc_model_t *rc_model_find(const char *name);
const char *rc_model_name(const rc_model_t *m);
/* herd7's name for the model's cat file, or NULL when herd has none. */
const char *rc_model_herd_name(const rc_model_t *m);
const char *rc_model_summary(const rc_model_t *m);
/*
 * The model as herd7 7.57's cat file states it: m itself, except for sc
 * and tso, whose default adds RMW atomicity the other way round (an
 * RMW's write is not coherence-before the write its read reads from;
 * see replicore-litmus(1)), which herd's sc.cat and x86tso.cat lack.
 */
const rc_model_t *rc_model_herd_compat(const rc_model_t *m);
/* 1 when the model is defined for the test's architecture. */
int rc_model_applies(const rc_model_t *m, const rc_litmus_t *t);
/* The names of the models that apply to t, ", "-separated, into buf (n
 * bytes, truncated to fit, always terminated when n > 0). */
void rc_model_names_for(const rc_litmus_t *t, char *buf, size_t n);

enum rc_observation {
	RC_OBS_NEVER,
	RC_OBS_SOMETIMES,
	RC_OBS_ALWAYS,
};

/* One final state: a value per observed variable. */
struct rc_state {
	int64_t *vals;	/* one per rc_outcomes.obs[] */
	int sat;	/* the condition's proposition holds */
	uint64_t count; /* consistent executions ending here */
	char *why;	/* with why: a witness, or the broken axiom and cycle */
};

/* What one model allows for one test. */
typedef struct rc_outcomes {
	const rc_model_t *model;
	const rc_litmus_t *test;
	size_t nobs;
	struct rc_lvar *obs; /* sorted by herd name, bytewise */
	char **obs_names;
	size_t nstates;
	struct rc_state *states; /* allowed, sorted as herd7 lists them */
	size_t nforbidden;
	struct rc_state *forbidden;  /* with why: reachable, not allowed */
	uint64_t positive, negative; /* consistent executions (witnesses) */
	uint64_t candidates;	     /* candidate executions checked */
	int undef;		     /* some consistent execution races */
	int ok;			     /* the test's quantifier holds */
	enum rc_observation observation;
	char *dot; /* with dot: Graphviz of one allowed execution, or NULL */
} rc_outcomes_t;

struct rc_model_opts {
	int why;		 /* explain every state (slower: no pruning) */
	int dot;		 /* keep Graphviz of one execution */
	uint64_t max_candidates; /* 0: no limit; else -RC_ETIMEDOUT beyond */
};

/*
 * Enumerates the candidate executions of t once and checks each against
 * every model in models[0..n): out[i] receives model i's outcomes (free
 * each with rc_outcomes_free). Models that do not apply to t are an
 * error (-RC_EINVAL). Returns 0, -RC_ENOMEM or -RC_ETIMEDOUT (no
 * verdict: a budget ran out, or the test is beyond the limits, such as
 * more than 4096 events in one execution; replicore-litmus(1), LIMITS).
 * Reentrant; t is only read.
 */
int rc_model_run(const rc_litmus_t *t, const rc_model_t *const *models,
		 size_t n, const struct rc_model_opts *opts,
		 rc_outcomes_t **out, rc_err_t *err);

void rc_outcomes_free(rc_outcomes_t *o);

/* "x=1; 0:EAX=0" for state i of the allowed list (forbidden if neg). */
int rc_state_str(const rc_outcomes_t *o, const struct rc_state *s, char *buf,
		 size_t n);

/* "Ok", "No" or "Undef"; and "Always", "Sometimes", "Never". */
const char *rc_outcomes_check(const rc_outcomes_t *o);
const char *rc_observation_name(enum rc_observation ob);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_MODEL_H */
