/* SPDX-License-Identifier: MIT */
/*
 * sc.c: sequential consistency as herd7's sc.cat states it.
 *
 * Axioms: "atomic": no write comes between the read and the write of an
 * RMW (rmw & fre;coe is empty); "sc": po | rf | co | fr is acyclic. C
 * memory orders and fences play no part, and there is no race check.
 */
#include "memmodel/exec.h"

/* rmw & (fre;coe) must be empty; shared with the other models. */
bool _rc_atomicity(const struct rc_exec *x, bool external, struct rc_why *why);

bool _rc_atomicity(const struct rc_exec *x, bool external, struct rc_why *why)
{
	for (int r = 0; r < x->n; r++) {
		uint64_t m = x->rmw[r];

		while (m) {
			int w = __builtin_ctzll(m);
			uint64_t mid;

			m &= m - 1;
			mid = x->fr[r];
			if (external)
				mid &= x->ext[r];
			for (uint64_t k = mid; k;) {
				int v = __builtin_ctzll(k);

				k &= k - 1;
				if ((x->co[v] >> w & 1) &&
				    (!external || (x->ext[v] >> w & 1))) {
					if (why) {
						why->axiom = "atomic";
						why->ncycle = 3;
						why->cycle[0] = r;
						why->cycle[1] = v;
						why->cycle[2] = w;
						why->cycle[3] = r;
						why->label[0] = "fr";
						why->label[1] = "co";
						why->label[2] = "rmw^-1";
					}
					return false;
				}
			}
		}
	}
	return true;
}

static bool sc_check(const struct rc_exec *x, struct rc_why *why)
{
	static const char *const names[] = { "po", "rf", "co", "fr" };
	const rel_t *parts[] = { &x->po, &x->rf, &x->co, &x->fr };
	rel_t u;

	if (!_rc_atomicity(x, true, why))
		return false;
	_rc_rel_copy(u, x->po, x->n);
	_rc_rel_union(u, x->rf, x->n);
	_rc_rel_union(u, x->co, x->n);
	_rc_rel_union(u, x->fr, x->n);
	if (_rc_rel_acyclic(u, x->n))
		return true;
	if (why)
		_rc_rel_find_cycle(u, x->n, "sc", parts, names, 4, why);
	return false;
}

const struct rc_model _rc_model_sc = {
	.name = "sc",
	.herd_name = "sc",
	.summary = "sequential consistency (herd7 sc.cat)",
	.archs = (1u << RC_LITMUS_X86) | (1u << RC_LITMUS_C),
	.prefilter = true,
	.check = sc_check,
	.racy = NULL,
};
