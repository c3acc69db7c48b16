/* SPDX-License-Identifier: MIT */
/*
 * c11.c: C11 as Batty, Memarian, Nienhuis, Pichon-Pharabod and Sewell
 * (POPL 2016) state it, herd7's default model for C tests, as its
 * c11_partialSC.cat (with c11_base.cat) defines it.
 *
 * hb: sb, with synchronisation from the initial writes to each thread's
 * first accesses, and release/acquire synchronisation through C11's
 * release sequences (the writes co-after a release write that are in its
 * thread or are RMWs, up to the first other write), fences included;
 * consume (dependency-ordered-before) is not modelled (no test uses it).
 * Axioms: "Hb" hb acyclic; "Coh" (rf^-1)?; co; rf?; hb irreflexive; "Rf"
 * rf; hb irreflexive; "NaRf" a non-atomic read reads a visible side effect
 * and a final non-atomic write is hb-last; "Rmw" an RMW reads its
 * co-predecessor; "Spartial" the SC accesses and fences are ordered
 * acyclically by hb, co, and reads-before through SC fences. Unlike RC11
 * there is no no-thin-air axiom: self-justifying executions are allowed.
 * A consistent execution with a data race makes the test undefined.
 * herd7 represents an RMW by one event; here its read and its write are
 * two events in sb, which gives the same cycles.
 */
#include "memmodel/exec.h"

static void c11_hb(const struct rc_exec *x, uint64_t *hb)
{
	const int nw = RC_NW(x), n = x->n;
	const uint64_t *sc = x->at_mo[RC_MO_SC];
	evset_t at, crel, cacq, rmww, haspred, first, tmp;
	evset_t starts, rss, reads, ends, ok, seq;
	REL_LOCAL(x, sw);
	REL_LOCAL(x, t);
	int j, w1, w2, k;

	bs_andnot(nw, at, x->all, x->at_mo[RC_MO_NA]);
	bs_cut(nw, at, x->init);
	/* crel = REL | SC & (W | F) | ACQ_REL */
	bs_copy(nw, tmp, x->W);
	bs_or(nw, tmp, x->F);
	bs_and(nw, crel, sc, tmp);
	bs_or(nw, crel, x->at_mo[RC_MO_REL]);
	bs_or(nw, crel, x->at_mo[RC_MO_ACQ_REL]);
	/* cacq = ACQ | SC & (R | F) | ACQ_REL | CON & (F | R) */
	bs_copy(nw, tmp, x->R);
	bs_or(nw, tmp, x->F);
	bs_and(nw, cacq, sc, tmp);
	bs_orand(nw, cacq, x->at_mo[RC_MO_CON], tmp);
	bs_or(nw, cacq, x->at_mo[RC_MO_ACQ]);
	bs_or(nw, cacq, x->at_mo[RC_MO_ACQ_REL]);
	bs_zero(nw, rmww);
	bs_zero(nw, haspred);
	for (int i = 0; i < n; i++) {
		if (bs_has(x->W, i) && (x->ev[i].flags & EVF_RMW))
			bs_set(rmww, i);
		if (bs_has(x->mem, i) && !bs_has(x->init, i))
			bs_or(nw, haspred, ROW(x->po, i, nw));
	}
	bs_andnot(nw, first, x->mem, x->init);
	bs_cut(nw, first, haspred);
	for (int a = 0; a < n; a++) {
		uint64_t *s = ROW(sw, a, nw);

		bs_zero(nw, s);
		if (bs_has(x->init, a)) {
			bs_copy(nw, s, first);
			continue;
		}
		if (!bs_has(crel, a))
			continue;
		bs_zero(nw, starts);
		if (bs_has(x->F, a))
			bs_copy(nw, starts, ROW(x->po, a, nw));
		bs_set(starts, a);
		bs_mask(nw, starts, at);
		bs_mask(nw, starts, x->W);
		bs_zero(nw, rss);
		BS_EACH(w1, nw, starts)
		{
			const uint64_t *co1 = ROW(x->co, w1, nw);
			int th = x->ev[w1].thread;

			bs_copy(nw, ok, x->thr[th]);
			bs_or(nw, ok, rmww);
			bs_one(nw, seq, w1);
			/* co-successors of w1 up to the first that is neither
			 * in w1's thread nor an RMW */
			BS_EACH_AND(w2, nw, co1, ok)
			{
				bool broken = false;

				BS_EACH_ANDNOT(k, nw, co1, ok)
				{
					if (bs_has(ROW(x->co, k, nw), w2))
						broken = true;
				}
				if (!broken)
					bs_set(seq, w2);
			}
			bs_or(nw, rss, seq);
		}
		bs_zero(nw, reads);
		BS_EACH(j, nw, rss)
		bs_or(nw, reads, ROW(x->rf, j, nw));
		bs_mask(nw, reads, x->R);
		bs_mask(nw, reads, at);
		bs_copy(nw, ends, reads);
		BS_EACH(j, nw, reads)
		bs_orand(nw, ends, ROW(x->po, j, nw), x->F);
		bs_and(nw, s, ends, cacq);
		bs_mask(nw, s, ROW(x->ext, a, nw));
	}
	/* ithbr = sw | sw;sb; ithb = (ithbr | sb;ithbr)+; hb = sb | ithb */
	_rc_rel_compose(x, t, sw, x->po);
	_rc_rel_union(x, t, sw);
	_rc_rel_compose(x, hb, x->po, t);
	_rc_rel_union(x, hb, t);
	_rc_rel_closure(x, hb, hb);
	_rc_rel_union(x, hb, x->po);
	REL_DROP(x, 2);
}

static bool c11_check(const struct rc_exec *x, struct rc_why *why)
{
	const int nw = RC_NW(x), n = x->n;
	const uint64_t *sc = x->at_mo[RC_MO_SC];
	evset_t at, from, mid, end, a, ws, frs, rd, hw;
	REL_LOCAL(x, hb);
	REL_LOCAL(x, scp);
	REL_LOCAL(x, t);
	int j, m;

	bs_andnot(nw, at, x->all, x->at_mo[RC_MO_NA]);
	bs_cut(nw, at, x->init);
	c11_hb(x, hb);
	if (!_rc_rel_acyclic(x, hb)) {
		const uint64_t *const parts[] = { x->po, hb };
		static const char *const names[] = { "sb", "hb" };

		if (why)
			_rc_rel_find_cycle(x, hb, "Hb", parts, names, 2, why);
		return false;
	}
	for (int i = 0; i < n; i++) {
		/* Coh: (rf^-1)?; co; rf?; hb irreflexive */
		bs_one(nw, from, i);
		if (x->rf_of[i] >= 0)
			bs_set(from, x->rf_of[i]);
		bs_zero(nw, mid);
		BS_EACH(m, nw, from)
		bs_or(nw, mid, ROW(x->co, m, nw));
		bs_copy(nw, end, mid);
		BS_EACH(m, nw, mid)
		bs_or(nw, end, ROW(x->rf, m, nw));
		BS_EACH(j, nw, end)
		{
			if (bs_has(ROW(hb, j, nw), i))
				return _rc_why_two_cycle(why, "Coh", i, "co", j,
							 "hb");
		}
		/* Rf: rf; hb irreflexive */
		BS_EACH(j, nw, ROW(x->rf, i, nw))
		{
			if (bs_has(ROW(hb, j, nw), i))
				return _rc_why_two_cycle(why, "Rf", i, "rf", j,
							 "hb");
		}
	}
	/* NaRf: non-atomic reads read a visible side effect */
	for (int r = 0; r < n; r++) {
		int w = x->rf_of[r];

		if (!bs_has(x->R, r) || bs_has(at, r) || w < 0)
			continue;
		if (!bs_has(ROW(hb, w, nw), r))
			return _rc_why_two_cycle(why, "NaRf", w, "rf", r,
						 "not-hb");
		bs_and(nw, hw, ROW(hb, w, nw), ROW(x->loc, w, nw));
		BS_EACH_AND(m, nw, hw, x->W)
		{
			if (bs_has(ROW(hb, m, nw), r))
				return _rc_why_two_cycle(why, "NaRf", w, "hb",
							 m, "hb");
		}
	}
	for (int w = 0; w < n; w++) {
		/* a final non-atomic write is not hb-before another write */
		if (!bs_has(x->W, w) || bs_has(at, w) ||
		    bs_any(nw, ROW(x->co, w, nw)))
			continue;
		bs_and(nw, hw, ROW(hb, w, nw), ROW(x->loc, w, nw));
		bs_mask(nw, hw, x->W);
		if (bs_any(nw, hw))
			return _rc_why_two_cycle(why, "NaRf", w, "hb",
						 bs_first(nw, hw), "co");
	}
	/* Rmw */
	for (int r = 0; r < n; r++) {
		int w, src = x->rf_of[r];

		w = bs_first(nw, ROW(x->rmw, r, nw));
		if (w < 0 || src < 0)
			continue;
		if (bs_has(ROW(x->co, w, nw), src))
			return _rc_why_two_cycle(why, "Rmw", w, "co", src,
						 "rf");
		BS_EACH(m, nw, ROW(x->co, src, nw))
		{
			if (bs_has(ROW(x->co, m, nw), w))
				return _rc_why_two_cycle(why, "Rmw", src, "co",
							 m, "co");
		}
	}
	/* Spartial: r1..r7 on SC events */
	for (int i = 0; i < n; i++) {
		uint64_t *p = ROW(scp, i, nw);

		bs_copy(nw, p, ROW(hb, i, nw));
		/* r2 = fsb?; co; sbf? */
		bs_zero(nw, ws);
		if (bs_has(x->W, i))
			bs_set(ws, i);
		if (bs_has(x->F, i))
			bs_orand(nw, ws, ROW(x->po, i, nw), x->W);
		bs_zero(nw, a);
		BS_EACH(m, nw, ws)
		bs_or(nw, a, ROW(x->co, m, nw));
		bs_or(nw, p, a);
		BS_EACH(m, nw, a)
		bs_orand(nw, p, ROW(x->po, m, nw), x->F);
		if (bs_has(x->R, i) && x->rf_of[i] >= 0) {
			int s = x->rf_of[i];

			/* r3 = rf^-1; [SC]; co */
			if (bs_has(sc, s))
				bs_or(nw, p, ROW(x->co, s, nw));
			/* r4 = rf^-1; hbl; [W] */
			bs_and(nw, hw, ROW(hb, s, nw), ROW(x->loc, s, nw));
			bs_orand(nw, p, hw, x->W);
		}
	}
	/* r5 = fsb; fr, r6 = fr; sbf, r7 = fsb; fr; sbf */
	for (int i = 0; i < n; i++) {
		uint64_t *p = ROW(scp, i, nw);

		if (bs_has(x->R, i)) {
			BS_EACH(m, nw, ROW(x->fr, i, nw))
			bs_orand(nw, p, ROW(x->po, m, nw), x->F);
		}
		if (!bs_has(x->F, i))
			continue;
		bs_and(nw, rd, ROW(x->po, i, nw), x->R);
		bs_zero(nw, frs);
		BS_EACH(m, nw, rd)
		bs_or(nw, frs, ROW(x->fr, m, nw));
		bs_or(nw, p, frs);
		BS_EACH(m, nw, frs)
		bs_orand(nw, p, ROW(x->po, m, nw), x->F);
	}
	for (int i = 0; i < n; i++) {
		uint64_t *r = ROW(t, i, nw);

		bs_zero(nw, r);
		if (bs_has(sc, i)) {
			bs_and(nw, r, ROW(scp, i, nw), sc);
			bs_clr(r, i);
		}
	}
	if (!_rc_rel_acyclic(x, t)) {
		const uint64_t *const parts[] = { t };
		static const char *const names[] = { "scp" };

		if (why)
			_rc_rel_find_cycle(x, t, "Spartial", parts, names, 1,
					   why);
		return false;
	}
	return true;
}

static bool c11_racy(const struct rc_exec *x)
{
	const int nw = RC_NW(x);
	evset_t at, cand;
	REL_LOCAL(x, hb);
	int j;

	bs_andnot(nw, at, x->all, x->at_mo[RC_MO_NA]);
	bs_cut(nw, at, x->init);
	c11_hb(x, hb);
	for (int i = 0; i < x->n; i++) {
		if (!bs_has(x->mem, i) || bs_has(at, i))
			continue;
		bs_and(nw, cand, ROW(x->loc, i, nw), ROW(x->ext, i, nw));
		bs_mask(nw, cand, x->mem);
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

const struct rc_model _rc_model_c11 = {
	.name = "c11",
	.herd_name = "c11_partialSC",
	.summary = "C11 (herd7 c11_partialSC.cat, its default for C)",
	.archs = 1u << RC_LITMUS_C,
	.prefilter = true,
	.thin_air = true,
	.check = c11_check,
	.racy = c11_racy,
};
