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
	int n = x->n;
	rel_t poloc, u, ppo, mf, impl, rfe, g;

	for (int i = 0; i < n; i++)
		poloc[i] = x->po[i] & x->loc[i];
	_rc_rel_copy(u, poloc, n);
	_rc_rel_union(u, x->rf, n);
	_rc_rel_union(u, x->co, n);
	_rc_rel_union(u, x->fr, n);
	if (!_rc_rel_acyclic(u, n)) {
		const rel_t *parts[] = { &poloc, &x->rf, &x->co, &x->fr };

		if (why)
			_rc_rel_find_cycle(u, n, "uniproc", parts, unames, 4,
					   why);
		return false;
	}
	if (!_rc_atomicity(x, true, why))
		return false;
	for (int i = 0; i < n; i++) {
		uint64_t bi = UINT64_C(1) << i;
		uint64_t fences = x->po[i] & x->F;

		ppo[i] = 0;
		mf[i] = 0;
		impl[i] = 0;
		rfe[i] = x->rf[i] & x->ext[i];
		if (!(x->mem & bi))
			continue;
		if (x->W & bi)
			ppo[i] = x->po[i] & x->W;
		if (x->R & bi)
			ppo[i] = x->po[i] & x->mem;
		while (fences) {
			int f = __builtin_ctzll(fences);

			fences &= fences - 1;
			if (x->ev[f].flags & EVF_MFENCE)
				mf[i] |= x->po[f] & x->mem;
		}
		if (x->W & bi) {
			uint64_t wr = x->po[i] & x->R;

			if (x->ev[i].flags & EVF_LOCKED)
				impl[i] = wr;
			else
				for (uint64_t m = wr; m; m &= m - 1) {
					int j = __builtin_ctzll(m);

					if (x->ev[j].flags & EVF_LOCKED)
						impl[i] |= UINT64_C(1) << j;
				}
		}
	}
	_rc_rel_copy(g, ppo, n);
	_rc_rel_union(g, mf, n);
	_rc_rel_union(g, impl, n);
	_rc_rel_union(g, rfe, n);
	_rc_rel_union(g, x->fr, n);
	_rc_rel_union(g, x->co, n);
	if (_rc_rel_acyclic(g, n))
		return true;
	if (why) {
		const rel_t *parts[] = {
			&ppo, &mf, &impl, &rfe, &x->fr, &x->co
		};

		_rc_rel_find_cycle(g, n, "tso", parts, gnames, 6, why);
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
