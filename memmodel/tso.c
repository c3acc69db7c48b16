/* SPDX-License-Identifier: MIT */
/*
 * tso.c: x86-TSO after herd7's x86tso.cat (Owens, Sarkar and Sewell's
 * model in axiomatic form).
 *
 * Axioms: "uniproc": po-loc | rf | co | fr acyclic; "atomic": locked
 * RMWs are atomic (rmw & fre;coe empty); "rmw-order": a locked RMW's
 * write is not coherence-before the write its read reads from (rmw &
 * rf^-1;co^-1 empty; x86tso.cat lacks it, see sc.c; _rc_model_tso.herd
 * is x86tso.cat as herd states it); "tso": ghb acyclic, where
 * ghb = mfence | implied | po_ghb | rfe | fr | co, po_ghb keeps the
 * program order of W->W and R->M pairs (a store may pass a later load
 * only), mfence orders the memory events on either side of an MFENCE,
 * and implied restores W->R order around locked instructions.
 */
#include "memmodel/exec.h"

bool _rc_atomicity(const struct rc_exec *x, bool external, struct rc_why *why);
bool _rc_rmw_order(const struct rc_exec *x, struct rc_why *why);

static bool tso_herd_check(const struct rc_exec *x, struct rc_why *why)
{
	static const char *const unames[] = { "po-loc", "rf", "co", "fr" };
	static const char *const gnames[] = { "po",  "mfence", "implied",
					      "rfe", "fr",     "co" };
	const int nw = RC_NW(x), n = x->n;
	REL_LOCAL(x, poloc);
	REL_LOCAL(x, u);
	REL_LOCAL(x, ppo);
	REL_LOCAL(x, mf);
	REL_LOCAL(x, impl);
	REL_LOCAL(x, rfe);
	REL_LOCAL(x, g);
	int f, j;

	for (int i = 0; i < n; i++)
		bs_and(nw, ROW(poloc, i, nw), ROW(x->po, i, nw),
		       ROW(x->loc, i, nw));
	_rc_rel_copy(x, u, poloc);
	_rc_rel_union(x, u, x->rf);
	_rc_rel_union(x, u, x->co);
	_rc_rel_union(x, u, x->fr);
	if (!_rc_rel_acyclic(x, u)) {
		const uint64_t *const parts[] = { poloc, x->rf, x->co, x->fr };

		if (why)
			_rc_rel_find_cycle(x, u, "uniproc", parts, unames, 4,
					   why);
		return false;
	}
	if (!_rc_atomicity(x, true, why))
		return false;
	for (int i = 0; i < n; i++) {
		const uint64_t *po = ROW(x->po, i, nw);
		uint64_t *pp = ROW(ppo, i, nw), *m = ROW(mf, i, nw);
		uint64_t *im = ROW(impl, i, nw);

		bs_zero(nw, pp);
		bs_zero(nw, m);
		bs_zero(nw, im);
		bs_and(nw, ROW(rfe, i, nw), ROW(x->rf, i, nw),
		       ROW(x->ext, i, nw));
		if (!bs_has(x->mem, i))
			continue;
		if (bs_has(x->W, i))
			bs_and(nw, pp, po, x->W);
		if (bs_has(x->R, i))
			bs_and(nw, pp, po, x->mem);
		BS_EACH_AND(f, nw, po, x->F)
		{
			if (x->ev[f].flags & EVF_MFENCE)
				bs_orand(nw, m, ROW(x->po, f, nw), x->mem);
		}
		if (bs_has(x->W, i)) {
			if (x->ev[i].flags & EVF_LOCKED)
				bs_and(nw, im, po, x->R);
			else
				BS_EACH_AND(j, nw, po, x->R)
				{
					if (x->ev[j].flags & EVF_LOCKED)
						bs_set(im, j);
				}
		}
	}
	_rc_rel_copy(x, g, ppo);
	_rc_rel_union(x, g, mf);
	_rc_rel_union(x, g, impl);
	_rc_rel_union(x, g, rfe);
	_rc_rel_union(x, g, x->fr);
	_rc_rel_union(x, g, x->co);
	if (_rc_rel_acyclic(x, g))
		return true;
	if (why) {
		const uint64_t *const parts[] = { ppo, mf,    impl,
						  rfe, x->fr, x->co };

		_rc_rel_find_cycle(x, g, "tso", parts, gnames, 6, why);
	}
	return false;
}

static bool tso_check(const struct rc_exec *x, struct rc_why *why)
{
	return _rc_rmw_order(x, why) && tso_herd_check(x, why);
}

static const struct rc_model tso_herd = {
	.name = "tso",
	.herd_name = "x86tso",
	.summary = "x86-TSO (herd7 x86tso.cat, as herd states it)",
	.archs = 1u << RC_LITMUS_X86,
	.prefilter = true,
	.check = tso_herd_check,
	.racy = NULL,
	.herd = NULL,
};

const struct rc_model _rc_model_tso = {
	.name = "tso",
	.herd_name = "x86tso",
	.summary = "x86-TSO (herd7 x86tso.cat, RMW atomicity both ways)",
	.archs = 1u << RC_LITMUS_X86,
	.prefilter = true,
	.check = tso_check,
	.racy = NULL,
	.herd = &tso_herd,
};
