/* SPDX-License-Identifier: MIT */
/*
 * sc.c: sequential consistency, after herd7's sc.cat.
 *
 * Axioms: "atomic": no write comes between the read and the write of an
 * RMW (rmw & fre;coe is empty); "rmw-order": the write of an RMW is not
 * coherence-before the write its read reads from (rmw & rf^-1;co^-1 is
 * empty); "sc": po | rf | co | fr is acyclic. C memory orders and fences
 * play no part, and there is no race check.
 *
 * herd7 7.57's sc.cat has "atomic" only. On C tests the read of an RMW
 * is po-before its write and "sc" already forbids what rmw-order does;
 * on X86 tests the read and the write of one XCHG or LOCK'd instruction
 * are not in po, and sc.cat then allows
 *
 *	{ x=0; 1:EBX=2; } P0: MOV [x],$1 | P1: XCHG [x],EBX
 *	exists (1:EBX=1 /\ x=1)
 *
 * (the XCHG reads 1 and its write of 2 is coherence-before the 1), which
 * no atomic exchange does. _rc_model_sc.herd is sc.cat as herd states it.
 */
#include "memmodel/exec.h"

/* rmw & (fre;coe) must be empty; shared with the other models. */
bool _rc_atomicity(const struct rc_exec *x, bool external, struct rc_why *why);

bool _rc_atomicity(const struct rc_exec *x, bool external, struct rc_why *why)
{
	const int nw = RC_NW(x);
	evset_t mid;
	int w, v;

	for (int r = 0; r < x->n; r++) {
		BS_EACH(w, nw, ROW(x->rmw, r, nw))
		{
			bs_copy(nw, mid, ROW(x->fr, r, nw));
			if (external)
				bs_mask(nw, mid, ROW(x->ext, r, nw));
			BS_EACH(v, nw, mid)
			{
				if (bs_has(ROW(x->co, v, nw), w) &&
				    (!external ||
				     bs_has(ROW(x->ext, v, nw), w))) {
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

/* rmw & (rf^-1;co^-1) must be empty; shared with tso.c. */
bool _rc_rmw_order(const struct rc_exec *x, struct rc_why *why);

bool _rc_rmw_order(const struct rc_exec *x, struct rc_why *why)
{
	const int nw = RC_NW(x);
	int w;

	for (int r = 0; r < x->n; r++) {
		int src = x->rf_of[r];

		if (src < 0)
			continue;
		BS_EACH(w, nw, ROW(x->rmw, r, nw))
		{
			if (!bs_has(ROW(x->co, w, nw), src))
				continue;
			if (why) {
				why->axiom = "rmw-order";
				why->ncycle = 3;
				why->cycle[0] = r;
				why->cycle[1] = w;
				why->cycle[2] = src;
				why->cycle[3] = r;
				why->label[0] = "rmw";
				why->label[1] = "co";
				why->label[2] = "rf";
			}
			return false;
		}
	}
	return true;
}

static bool sc_herd_check(const struct rc_exec *x, struct rc_why *why)
{
	static const char *const names[] = { "po", "rf", "co", "fr" };
	const uint64_t *const parts[] = { x->po, x->rf, x->co, x->fr };
	REL_LOCAL(x, u);

	if (!_rc_atomicity(x, true, why))
		return false;
	_rc_rel_copy(x, u, x->po);
	_rc_rel_union(x, u, x->rf);
	_rc_rel_union(x, u, x->co);
	_rc_rel_union(x, u, x->fr);
	if (_rc_rel_acyclic(x, u))
		return true;
	if (why)
		_rc_rel_find_cycle(x, u, "sc", parts, names, 4, why);
	return false;
}

static bool sc_check(const struct rc_exec *x, struct rc_why *why)
{
	return _rc_rmw_order(x, why) && sc_herd_check(x, why);
}

static const struct rc_model sc_herd = {
	.name = "sc",
	.herd_name = "sc",
	.summary = "sequential consistency (herd7 sc.cat, as herd states it)",
	.archs = (1u << RC_LITMUS_X86) | (1u << RC_LITMUS_C),
	.prefilter = true,
	.check = sc_herd_check,
	.racy = NULL,
	.herd = NULL,
};

const struct rc_model _rc_model_sc = {
	.name = "sc",
	.herd_name = "sc",
	.summary = "sequential consistency (herd7 sc.cat, RMW atomicity both "
		   "ways)",
	.archs = (1u << RC_LITMUS_X86) | (1u << RC_LITMUS_C),
	.prefilter = true,
	.check = sc_check,
	.racy = NULL,
	.herd = &sc_herd,
};
