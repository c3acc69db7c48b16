/* SPDX-License-Identifier: MIT */
/*
 * ra.c: release/acquire consistency (RA), after Lahav, Giannarakis and
 * Vafeiadis, "Taming release-acquire consistency" (POPL 2016).
 *
 * Every access is taken as a release write or an acquire read, whatever
 * the test's memory orders say, so every rf edge synchronises:
 * hb = (po | rf)+. Axioms checked, as in the paper's RA definition:
 * "hb-acyclic": po | rf acyclic (no event happens before itself);
 * "coherence": hb; eco? irreflexive, eco = (rf | co | fr)+ (no write is
 * co-before, and no read reads from a write co-before, one it already
 * knows of: the paper's mo;hb, fr;hb and mo;rf;hb conditions);
 * "atomicity": rmw & (fr; co) empty (an RMW reads its co-predecessor).
 *
 * Fences, as RC11 (Lahav et al., PLDI 2017) defines them. A release or
 * acquire fence synchronises through sw = [F_rel]; po; rs; rf; po;
 * [F_acq] (and its halves with a release write or an acquire read); each
 * such edge is already in (po | rf)+, since here every rf edge
 * synchronises, so these fences change nothing: MP+fencerel+fenceacq is
 * forbidden with or without them (unlike rc11, where relaxed MP is
 * allowed and the fences forbid it). A C seq_cst fence adds RC11's SC
 * axiom for fences, "sc-fence" (below), which forbids SB, R, IRIW and
 * RWC with seq_cst fences, as rc11 does. An X86 MFENCE is not taken as a
 * seq_cst fence: on X86 tests ra and sra keep the paper's RA, which has
 * no fences.
 */
#include "memmodel/exec.h"

/*
 * "sc-fence": RC11's psc_F = [F_sc]; (hb | hb; eco; hb); [F_sc] acyclic
 * (rc11.cat's pscf), over the C seq_cst fences, F_sc. With every access
 * release/acquire there is no SC access, and rc11.cat's pscb adds nothing
 * between two fences that hb and pscf do not hold. X86 MFENCEs are not in
 * F_sc. hb and eco are transitive.
 */
static bool sc_fences(const struct rc_exec *x, const rel_t hb, const rel_t eco,
		      struct rc_why *why)
{
	int n = x->n;
	uint64_t fsc = x->F & x->at_mo[RC_MO_SC];
	rel_t psc;

	for (uint64_t m = fsc; m; m &= m - 1) {
		int f = __builtin_ctzll(m);

		if (x->ev[f].flags & EVF_MFENCE)
			fsc &= ~(UINT64_C(1) << f);
	}
	if (__builtin_popcountll(fsc) < 2)
		return true;
	/* psc = hb | hb; eco; hb, from a fence to a fence */
	for (int i = 0; i < n; i++) {
		uint64_t e = 0, h = 0;

		psc[i] = 0;
		if (!(fsc >> i & 1))
			continue;
		for (uint64_t m = hb[i]; m; m &= m - 1)
			e |= eco[__builtin_ctzll(m)];
		for (uint64_t m = e; m; m &= m - 1)
			h |= hb[__builtin_ctzll(m)];
		psc[i] = (hb[i] | h) & fsc;
	}
	if (_rc_rel_acyclic(psc, n))
		return true;
	if (why) {
		const rel_t *parts[] = { &psc };
		static const char *const names[] = { "psc" };

		_rc_rel_find_cycle(psc, n, "sc-fence", parts, names, 1, why);
	}
	return false;
}

bool _rc_ra_check(const struct rc_exec *x, struct rc_why *why, rel_t hb);

bool _rc_ra_check(const struct rc_exec *x, struct rc_why *why, rel_t hb)
{
	int n = x->n;
	rel_t eco;

	/* the read of an RMW is before its write, also on X86 */
	_rc_rel_copy(hb, x->po, n);
	_rc_rel_union(hb, x->rmw, n);
	_rc_rel_union(hb, x->rf, n);
	if (!_rc_rel_acyclic(hb, n)) {
		const rel_t *parts[] = { &x->po, &x->rmw, &x->rf };
		static const char *const names[] = { "po", "rmw", "rf" };

		if (why)
			_rc_rel_find_cycle(hb, n, "hb-acyclic", parts, names, 3,
					   why);
		return false;
	}
	_rc_rel_closure(hb, hb, n);
	_rc_rel_copy(eco, x->rf, n);
	_rc_rel_union(eco, x->co, n);
	_rc_rel_union(eco, x->fr, n);
	_rc_rel_closure(eco, eco, n);
	for (int i = 0; i < n; i++)
		for (uint64_t m = hb[i]; m; m &= m - 1) {
			int j = __builtin_ctzll(m);

			if (eco[j] >> i & 1)
				return _rc_why_two_cycle(why, "coherence", i,
							 "hb", j, "eco");
		}
	if (!sc_fences(x, hb, eco, why))
		return false;
	for (int r = 0; r < n; r++)
		for (uint64_t m = x->rmw[r]; m; m &= m - 1) {
			int w = __builtin_ctzll(m);

			for (uint64_t k = x->fr[r]; k; k &= k - 1) {
				int v = __builtin_ctzll(k);

				if (x->co[v] >> w & 1) {
					if (why) {
						why->axiom = "atomicity";
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
	return true;
}

static bool ra_check(const struct rc_exec *x, struct rc_why *why)
{
	rel_t hb;

	return _rc_ra_check(x, why, hb);
}

const struct rc_model _rc_model_ra = {
	.name = "ra",
	.herd_name = NULL,
	.summary = "release/acquire (Lahav et al. POPL 2016)",
	.archs = (1u << RC_LITMUS_X86) | (1u << RC_LITMUS_C),
	.prefilter = true,
	.check = ra_check,
	.racy = NULL,
};
