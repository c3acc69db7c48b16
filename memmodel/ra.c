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
static bool sc_fences(const struct rc_exec *x, const uint64_t *hb,
		      const uint64_t *eco, struct rc_why *why)
{
	const int nw = RC_NW(x), n = x->n;
	evset_t fsc, e, h;
	int f, m;

	bs_and(nw, fsc, x->F, x->at_mo[RC_MO_SC]);
	BS_EACH(f, nw, x->F)
	{
		if (x->ev[f].flags & EVF_MFENCE)
			bs_clr(fsc, f);
	}
	if (bs_count(nw, fsc) < 2)
		return true;
	{
		REL_LOCAL(x, psc);

		/* psc = hb | hb; eco; hb, from a fence to a fence */
		for (int i = 0; i < n; i++) {
			uint64_t *p = ROW(psc, i, nw);

			bs_zero(nw, p);
			if (!bs_has(fsc, i))
				continue;
			bs_zero(nw, e);
			bs_zero(nw, h);
			BS_EACH(m, nw, ROW(hb, i, nw))
			bs_or(nw, e, ROW(eco, m, nw));
			BS_EACH(m, nw, e)
			bs_or(nw, h, ROW(hb, m, nw));
			bs_or(nw, h, ROW(hb, i, nw));
			bs_and(nw, p, h, fsc);
		}
		if (_rc_rel_acyclic(x, psc))
			return true;
		if (why) {
			const uint64_t *const parts[] = { psc };
			static const char *const names[] = { "psc" };

			_rc_rel_find_cycle(x, psc, "sc-fence", parts, names, 1,
					   why);
		}
	}
	return false;
}

bool _rc_ra_check(const struct rc_exec *x, struct rc_why *why, uint64_t *hb);

bool _rc_ra_check(const struct rc_exec *x, struct rc_why *why, uint64_t *hb)
{
	const int nw = RC_NW(x), n = x->n;
	REL_LOCAL(x, eco);
	int j, w, v, first;

	/* the read of an RMW is before its write, also on X86 */
	_rc_rel_copy(x, hb, x->po);
	_rc_rel_union(x, hb, x->rmw);
	_rc_rel_union(x, hb, x->rf);
	if (!_rc_rel_acyclic(x, hb)) {
		const uint64_t *const parts[] = { x->po, x->rmw, x->rf };
		static const char *const names[] = { "po", "rmw", "rf" };

		if (why)
			_rc_rel_find_cycle(x, hb, "hb-acyclic", parts, names, 3,
					   why);
		return false;
	}
	_rc_rel_closure(x, hb, hb);
	_rc_rel_copy(x, eco, x->rf);
	_rc_rel_union(x, eco, x->co);
	_rc_rel_union(x, eco, x->fr);
	_rc_rel_closure(x, eco, eco);
	/* the least i with i in (hb;eco)(i), then the least j between */
	first = _rc_rel_then_reflexive(x, hb, eco);
	for (int i = first < -1 ? 0 : first; i >= 0 && i < n; i++)
		BS_EACH(j, nw, ROW(hb, i, nw))
		{
			if (bs_has(ROW(eco, j, nw), i))
				return _rc_why_two_cycle(why, "coherence", i,
							 "hb", j, "eco");
		}
	if (!sc_fences(x, hb, eco, why))
		return false;
	for (int r = 0; r < n; r++)
		BS_EACH(w, nw, ROW(x->rmw, r, nw))
		{
			BS_EACH(v, nw, ROW(x->fr, r, nw))
			{
				if (bs_has(ROW(x->co, v, nw), w)) {
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
	REL_LOCAL(x, hb);

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
