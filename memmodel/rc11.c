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
	rel_t hb, eco;
};

static uint64_t bit(int i)
{
	return UINT64_C(1) << i;
}

static void rc11_hb(const struct rc_exec *x, struct rc11 *c)
{
	int n = x->n;
	uint64_t at = x->all & ~x->at_mo[RC_MO_NA];
	uint64_t wat = x->W & at & ~x->init;
	uint64_t rel = x->at_mo[RC_MO_REL] | x->at_mo[RC_MO_ACQ_REL] |
		       x->at_mo[RC_MO_SC];
	uint64_t acq = x->at_mo[RC_MO_ACQ] | x->at_mo[RC_MO_CON] |
		       x->at_mo[RC_MO_ACQ_REL] | x->at_mo[RC_MO_SC];
	rel_t rs, rfrmw;

	for (int i = 0; i < n; i++) {
		uint64_t m = x->rf[i], r = 0;

		while (m) {
			int j = __builtin_ctzll(m);

			m &= m - 1;
			r |= x->rmw[j];
		}
		rfrmw[i] = r;
	}
	for (int i = 0; i < n; i++) {
		uint64_t cur = 0, todo;

		if (x->W & bit(i)) {
			cur = (x->po[i] & x->loc[i] & wat) | (wat & bit(i));
		}
		todo = cur;
		while (todo) {
			int j = __builtin_ctzll(todo);
			uint64_t nw;

			todo &= todo - 1;
			nw = rfrmw[j] & ~cur;
			cur |= nw;
			todo |= nw;
		}
		rs[i] = cur;
	}
	for (int a = 0; a < n; a++) {
		uint64_t starts, rss = 0, reads = 0, ends;

		c->hb[a] = x->po[a];
		if (!(rel & bit(a)))
			continue;
		starts = bit(a) | ((x->F & bit(a)) ? x->po[a] : 0);
		starts &= x->W;
		for (uint64_t m = starts; m; m &= m - 1)
			rss |= rs[__builtin_ctzll(m)];
		for (uint64_t m = rss; m; m &= m - 1)
			reads |= x->rf[__builtin_ctzll(m)];
		reads &= x->R & at;
		ends = reads;
		for (uint64_t m = reads; m; m &= m - 1)
			ends |= x->po[__builtin_ctzll(m)] & x->F;
		c->hb[a] |= ends & acq;
	}
	_rc_rel_closure(c->hb, c->hb, n);
	_rc_rel_copy(c->eco, x->rf, n);
	_rc_rel_union(c->eco, x->co, n);
	_rc_rel_union(c->eco, x->fr, n);
	_rc_rel_closure(c->eco, c->eco, n);
}

static bool rc11_check(const struct rc_exec *x, struct rc_why *why)
{
	int n = x->n;
	struct rc11 c;
	uint64_t sc = x->at_mo[RC_MO_SC], fsc = sc & x->F;
	rel_t sbl, scb, t, psc, u;

	rc11_hb(x, &c);
	for (int i = 0; i < n; i++) {
		if (c.hb[i] & bit(i)) {
			_rc_why_point(why, "coherence", i, "hb");
			return false;
		}
		for (uint64_t m = c.hb[i]; m; m &= m - 1) {
			int j = __builtin_ctzll(m);

			if (c.eco[j] & bit(i))
				return _rc_why_two_cycle(why, "coherence", i,
							 "hb", j, "eco");
		}
	}
	for (int r = 0; r < n; r++)
		for (uint64_t m = x->rmw[r]; m; m &= m - 1) {
			int w = __builtin_ctzll(m);

			if (c.eco[w] & bit(r))
				return _rc_why_two_cycle(why, "coherence-rmw",
							 r, "rmw", w, "eco");
			for (uint64_t k = x->fr[r]; k; k &= k - 1) {
				int v = __builtin_ctzll(k);

				if (x->co[v] & bit(w)) {
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
	/* psc */
	for (int i = 0; i < n; i++)
		sbl[i] = x->po[i] & ~x->loc[i];
	_rc_rel_compose(t, sbl, c.hb, n);
	_rc_rel_compose(t, t, sbl, n);
	for (int i = 0; i < n; i++)
		scb[i] = x->po[i] | t[i] | (c.hb[i] & x->loc[i]) | x->co[i] |
			 x->fr[i];
	for (int i = 0; i < n; i++) {
		uint64_t left = 0, mid = 0;

		psc[i] = 0;
		if (sc & bit(i))
			left |= bit(i);
		if (fsc & bit(i))
			left |= bit(i) | c.hb[i];
		for (uint64_t m = left; m; m &= m - 1)
			mid |= scb[__builtin_ctzll(m)];
		for (uint64_t m = mid; m; m &= m - 1) {
			int j = __builtin_ctzll(m);

			psc[i] |= (sc & bit(j)) | (c.hb[j] & fsc) |
				  (fsc & bit(j));
		}
	}
	_rc_rel_compose(t, c.hb, c.eco, n);
	_rc_rel_compose(t, t, c.hb, n);
	for (int i = 0; i < n; i++)
		if (fsc & bit(i))
			psc[i] |= (c.hb[i] | t[i]) & fsc;
	if (!_rc_rel_acyclic(psc, n)) {
		const rel_t *parts[] = { &psc };
		static const char *const names[] = { "psc" };

		if (why)
			_rc_rel_find_cycle(psc, n, "SC", parts, names, 1, why);
		return false;
	}
	_rc_rel_copy(u, x->po, n);
	_rc_rel_union(u, x->rf, n);
	if (!_rc_rel_acyclic(u, n)) {
		const rel_t *parts[] = { &x->po, &x->rf };
		static const char *const names[] = { "po", "rf" };

		if (why)
			_rc_rel_find_cycle(u, n, "no-thin-air", parts, names, 2,
					   why);
		return false;
	}
	return true;
}

static bool rc11_racy(const struct rc_exec *x)
{
	struct rc11 c;
	uint64_t at = x->all & ~x->at_mo[RC_MO_NA];
	uint64_t na = x->mem & ~at & ~x->init;

	if (!na)
		return false;
	rc11_hb(x, &c);
	for (int i = 0; i < x->n; i++) {
		uint64_t cand;

		if (!(na & bit(i)))
			continue;
		cand = x->loc[i] & x->ext[i] & x->mem & ~x->init;
		if (!(x->W & bit(i)))
			cand &= x->W;
		for (uint64_t m = cand; m; m &= m - 1) {
			int j = __builtin_ctzll(m);

			if (!(c.hb[i] & bit(j)) && !(c.hb[j] & bit(i)))
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
