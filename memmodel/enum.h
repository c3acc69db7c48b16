/* SPDX-License-Identifier: MIT */
/* enum.h: the enumerator's internal interface to the outcome sets and their explanations. */
#ifndef RC_MEMMODEL_ENUM_H
#define RC_MEMMODEL_ENUM_H

#include <stddef.h>

#include "memmodel/exec.h"

/* A set of final states, hashed on their values. */
struct statemap {
	size_t nobs;
	struct rc_state *st;
	size_t n, cap;
	size_t *tab; /* index + 1, 0 when empty */
	size_t tabcap;
};

int _rc_statemap_init(struct statemap *m, size_t nobs);
void _rc_statemap_free(struct statemap *m);
/* The state with these values, added when new (*fresh = 1); NULL: OOM. */
struct rc_state *_rc_statemap_get(struct statemap *m, const int64_t *vals,
				  int *fresh);

/* Text of a witness execution; of a broken axiom; Graphviz. malloc'd. */
char *_rc_witness_str(const struct rc_exec *x);
char *_rc_why_str(const struct rc_exec *x, const struct rc_why *why);
char *_rc_dot_str(const struct rc_exec *x, const char *model);

/* Builds the public outcomes, taking the states out of the maps. */
int _rc_outcomes_make(const rc_litmus_t *t, const struct rc_model *m,
		      const struct rc_lvar *obs, size_t nobs,
		      struct statemap *allowed, struct statemap *forbidden,
		      uint64_t positive, uint64_t negative, int undef,
		      uint64_t candidates, char *dot, rc_outcomes_t **out);

int _rc_enumerate(const rc_litmus_t *t, const struct rc_model *const *models,
		  size_t nmodels, const struct rc_model_opts *opts,
		  rc_outcomes_t **out, rc_err_t *err);

#endif /* RC_MEMMODEL_ENUM_H */
