/* SPDX-License-Identifier: MIT */
/*
 * rc11.c: RC11, the repaired C11 model of Lahav, Vafeiadis, Kang, Hur and
 * Dreyer (PLDI 2017), as herd7's rc11.cat states it.
 *
 * rs = [W]; (sb & loc)?; [W & atomic]; (rf; rmw)*
 * sw = [REL|ACQ_REL|SC]; ([F]; sb)?; rs; rf; [R & atomic]; (sb; [F])?;
 *      [ACQ|ACQ_REL|SC]
 * hb = (sb | sw)+, eco = (rf | co | fr)+
 * Axioms: "coherence" hb; eco? irreflexive; "coherence-rmw" rmw; eco
 * irreflexive; "atomicity" rmw & (fr; co) empty; "SC" psc acyclic, with
 * psc = psc_base | psc_F built from scb = sb | sb\loc; hb; sb\loc |
 * hb & loc | co | fr; "no-thin-air" sb | rf acyclic. A consistent
 * execution with a data race (conflicting accesses of different threads,
 * not both atomic, unordered by hb) makes the test undefined ("Undef").
 * Initial writes are not in sb, as in herd7.
 */
#include "memmodel/exec.h"

struct rc11 {
	uint64_t *hb, *eco;
};

/*
 * The release sequence of write w into cur: w and the later atomic writes
 * of its location in its thread, then (rf; rmw)* from those (todo: a
 * worklist).
 */
static void rs_row(const struct rc_exec *x, int w, const uint64_t *wat,
		   bool rmws, uint64_t *cur, uint64_t *todo)
{
	const int nw = RC_NW(x);
	int j, r;

	bs_and(nw, cur, ROW(x->po, w, nw), ROW(x->loc, w, nw));
	bs_mask(nw, cur, wat);
	if (bs_has(wat, w))
		bs_set(cur, w);
	if (!rmws)
		return;
	bs_copy(nw, todo, cur);
	while ((j = bs_first(nw, todo)) >= 0) {
		bs_clr(todo, j);
		BS_EACH(r, nw, ROW(x->rf, j, nw))
		{
			const uint64_t *nx = ROW(x->rmw, r, nw);

			for (int k = 0; k < nw; k++) {
				uint64_t add = nx[k] & ~cur[k];

				cur[k] |= add;
				todo[k] |= add;
			}
		}
	}
}

/* hb = (sb | sw)+ and eco = (rf | co | fr)+ into c. */
static void rc11_hb(const struct rc_exec *x, struct rc11 *c)
{
	const int nw = RC_NW(x), n = x->n;
	evset_t at, wat, rel, acq, cur, todo, starts, rss, reads, ends, rsdone;
	REL_LOCAL(x, rs);
	bool rmws = false;
	int j;

	bs_andnot(nw, at, x->all, x->at_mo[RC_MO_NA]);
	bs_and(nw, wat, x->W, at);
	bs_cut(nw, wat, x->init);
	bs_copy(nw, rel, x->at_mo[RC_MO_REL]);
	bs_or(nw, rel, x->at_mo[RC_MO_ACQ_REL]);
	bs_or(nw, rel, x->at_mo[RC_MO_SC]);
	bs_copy(nw, acq, x->at_mo[RC_MO_ACQ]);
	bs_or(nw, acq, x->at_mo[RC_MO_CON]);
	bs_or(nw, acq, x->at_mo[RC_MO_ACQ_REL]);
	bs_or(nw, acq, x->at_mo[RC_MO_SC]);
	for (int i = 0; i < n && !rmws; i++)
		rmws = bs_any(nw, ROW(x->rmw, i, nw));
	/* rs rows, of the writes a release starts from, when first needed */
	bs_zero(nw, rsdone);
	for (int a = 0; a < n; a++) {
		uint64_t *h = ROW(c->hb, a, nw);

		bs_copy(nw, h, ROW(x->po, a, nw));
		if (!bs_has(rel, a))
			continue;
		bs_zero(nw, starts);
		if (bs_has(x->F, a))
			bs_copy(nw, starts, ROW(x->po, a, nw));
		bs_set(starts, a);
		bs_mask(nw, starts, x->W);
		bs_zero(nw, rss);
		BS_EACH(j, nw, starts)
		{
			if (!bs_has(rsdone, j)) {
				rs_row(x, j, wat, rmws, cur, todo);
				bs_copy(nw, ROW(rs, j, nw), cur);
				bs_set(rsdone, j);
			}
			bs_or(nw, rss, ROW(rs, j, nw));
		}
		bs_zero(nw, reads);
		BS_EACH(j, nw, rss)
		bs_or(nw, reads, ROW(x->rf, j, nw));
		bs_mask(nw, reads, x->R);
		bs_mask(nw, reads, at);
		bs_copy(nw, ends, reads);
		BS_EACH(j, nw, reads)
		bs_orand(nw, ends, ROW(x->po, j, nw), x->F);
		bs_orand(nw, h, ends, acq);
	}
	_rc_rel_closure(x, c->hb, c->hb);
	_rc_rel_copy(x, c->eco, x->rf);
	_rc_rel_union(x, c->eco, x->co);
	_rc_rel_union(x, c->eco, x->fr);
	_rc_rel_closure(x, c->eco, c->eco);
	REL_DROP(x, 1);
}

static bool rc11_check(const struct rc_exec *x, struct rc_why *why)
{
	const int nw = RC_NW(x), n = x->n;
	REL_LOCAL(x, hb);
	REL_LOCAL(x, eco);
	REL_LOCAL(x, sbl);
	REL_LOCAL(x, scb);
	REL_LOCAL(x, t);
	REL_LOCAL(x, psc);
	REL_LOCAL(x, u);
	struct rc11 c = { hb, eco };
	const uint64_t *sc = x->at_mo[RC_MO_SC];
	evset_t fsc, left, mid;
	int j, w, v, first;

	bs_and(nw, fsc, sc, x->F);
	rc11_hb(x, &c);
	/* the least i with i in hb(i) or (hb;eco)(i): none when hb is
	 * acyclic and hb;eco irreflexive */
	first = _rc_rel_then_reflexive(x, hb, eco);
	for (int i = first < -1 ? 0 : first; i >= 0 && i < n; i++) {
		if (bs_has(ROW(hb, i, nw), i)) {
			_rc_why_point(why, "coherence", i, "hb");
			return false;
		}
		BS_EACH(j, nw, ROW(hb, i, nw))
		{
			if (bs_has(ROW(eco, j, nw), i))
				return _rc_why_two_cycle(why, "coherence", i,
							 "hb", j, "eco");
		}
	}
	for (int r = 0; r < n; r++)
		BS_EACH(w, nw, ROW(x->rmw, r, nw))
		{
			if (bs_has(ROW(eco, w, nw), r))
				return _rc_why_two_cycle(why, "coherence-rmw",
							 r, "rmw", w, "eco");
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
	/* psc: nothing to order without an SC event */
	if (!bs_any(nw, sc))
		goto thin_air;
	for (int i = 0; i < n; i++)
		bs_andnot(nw, ROW(sbl, i, nw), ROW(x->po, i, nw),
			  ROW(x->loc, i, nw));
	_rc_rel_compose(x, t, sbl, hb);
	_rc_rel_compose(x, t, t, sbl);
	for (int i = 0; i < n; i++) {
		uint64_t *r = ROW(scb, i, nw);

		bs_copy(nw, r, ROW(x->po, i, nw));
		bs_or(nw, r, ROW(t, i, nw));
		bs_orand(nw, r, ROW(hb, i, nw), ROW(x->loc, i, nw));
		bs_or(nw, r, ROW(x->co, i, nw));
		bs_or(nw, r, ROW(x->fr, i, nw));
	}
	for (int i = 0; i < n; i++) {
		uint64_t *p = ROW(psc, i, nw);

		bs_zero(nw, p);
		bs_zero(nw, left);
		bs_zero(nw, mid);
		if (bs_has(sc, i))
			bs_set(left, i);
		if (bs_has(fsc, i)) {
			bs_set(left, i);
			bs_or(nw, left, ROW(hb, i, nw));
		}
		BS_EACH(j, nw, left)
		bs_or(nw, mid, ROW(scb, j, nw));
		BS_EACH(j, nw, mid)
		{
			if (bs_has(sc, j) || bs_has(fsc, j))
				bs_set(p, j);
			bs_orand(nw, p, ROW(hb, j, nw), fsc);
		}
	}
	_rc_rel_compose(x, t, hb, eco);
	_rc_rel_compose(x, t, t, hb);
	for (int i = 0; i < n; i++)
		if (bs_has(fsc, i)) {
			bs_orand(nw, ROW(psc, i, nw), ROW(hb, i, nw), fsc);
			bs_orand(nw, ROW(psc, i, nw), ROW(t, i, nw), fsc);
		}
	if (!_rc_rel_acyclic(x, psc)) {
		const uint64_t *const parts[] = { psc };
		static const char *const names[] = { "psc" };

		if (why)
			_rc_rel_find_cycle(x, psc, "SC", parts, names, 1, why);
		return false;
	}
thin_air:
	_rc_rel_copy(x, u, x->po);
	_rc_rel_union(x, u, x->rf);
	if (!_rc_rel_acyclic(x, u)) {
		const uint64_t *const parts[] = { x->po, x->rf };
		static const char *const names[] = { "po", "rf" };

		if (why)
			_rc_rel_find_cycle(x, u, "no-thin-air", parts, names, 2,
					   why);
		return false;
	}
	return true;
}

static bool rc11_racy(const struct rc_exec *x)
{
	const int nw = RC_NW(x);
	REL_LOCAL(x, hb);
	REL_LOCAL(x, eco);
	struct rc11 c = { hb, eco };
	evset_t at, na, cand;
	int j;

	bs_andnot(nw, at, x->all, x->at_mo[RC_MO_NA]);
	bs_andnot(nw, na, x->mem, at);
	bs_cut(nw, na, x->init);
	if (!bs_any(nw, na))
		return false;
	rc11_hb(x, &c);
	for (int i = 0; i < x->n; i++) {
		if (!bs_has(na, i))
			continue;
		bs_and(nw, cand, ROW(x->loc, i, nw), ROW(x->ext, i, nw));
		bs_mask(nw, cand, x->mem);
		bs_cut(nw, cand, x->init);
		if (!bs_has(x->W, i))
			bs_mask(nw, cand, x->W);
		BS_EACH(j, nw, cand)
		{
			if (!bs_has(ROW(hb, i, nw), j) &&
			    !bs_has(ROW(hb, j, nw), i))
				return true;
		}
	}
	return false;
}

const struct rc_model _rc_model_rc11 = {
	.name = "rc11",
	.herd_name = "rc11",
	.summary = "repaired C11 (herd7 rc11.cat), with data races as Undef",
	.archs = 1u << RC_LITMUS_C,
	.prefilter = true,
	.check = rc11_check,
	.racy = rc11_racy,
};
