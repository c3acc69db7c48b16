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

static uint64_t bit(int i)
{
	return UINT64_C(1) << i;
}

static void c11_hb(const struct rc_exec *x, rel_t hb)
{
	int n = x->n;
	uint64_t at = x->all & ~x->at_mo[RC_MO_NA] & ~x->init;
	uint64_t sc = x->at_mo[RC_MO_SC];
	uint64_t crel = x->at_mo[RC_MO_REL] | (sc & (x->W | x->F)) |
			x->at_mo[RC_MO_ACQ_REL];
	uint64_t cacq = x->at_mo[RC_MO_ACQ] | (sc & (x->R | x->F)) |
			x->at_mo[RC_MO_ACQ_REL] | (x->F & x->at_mo[RC_MO_CON]) |
			(x->R & x->at_mo[RC_MO_CON]);
	uint64_t rmww = 0, haspred = 0, first;
	rel_t sw, t;

	for (int i = 0; i < n; i++) {
		if ((x->W & bit(i)) && (x->ev[i].flags & EVF_RMW))
			rmww |= bit(i);
		if ((x->mem & bit(i)) && !(x->init & bit(i)))
			haspred |= x->po[i];
	}
	first = x->mem & ~x->init & ~haspred;
	for (int a = 0; a < n; a++) {
		uint64_t starts, rss = 0, reads = 0, ends = 0;

		sw[a] = 0;
		if (x->init & bit(a)) {
			sw[a] = first;
			continue;
		}
		if (!(crel & bit(a)))
			continue;
		starts = bit(a) | ((x->F & bit(a)) ? x->po[a] : 0);
		starts &= at & x->W;
		for (uint64_t m = starts; m; m &= m - 1) {
			int w1 = __builtin_ctzll(m);
			int th = x->ev[w1].thread;
			uint64_t ok = x->thr[th] | rmww, seq = bit(w1);

			/* co-successors of w1 up to the first that is neither
			 * in w1's thread nor an RMW */
			for (uint64_t q = x->co[w1]; q; q &= q - 1) {
				int w2 = __builtin_ctzll(q);
				bool broken = false;

				if (!(ok & bit(w2)))
					continue;
				for (uint64_t k = x->co[w1] & ~ok; k;
				     k &= k - 1)
					if (x->co[__builtin_ctzll(k)] & bit(w2))
						broken = true;
				if (!broken)
					seq |= bit(w2);
			}
			rss |= seq;
		}
		for (uint64_t m = rss; m; m &= m - 1)
			reads |= x->rf[__builtin_ctzll(m)];
		reads &= x->R & at;
		for (uint64_t m = reads; m; m &= m - 1) {
			int r = __builtin_ctzll(m);

			ends |= bit(r) | (x->po[r] & x->F);
		}
		sw[a] = ends & cacq & x->ext[a];
	}
	/* ithbr = sw | sw;sb; ithb = (ithbr | sb;ithbr)+; hb = sb | ithb */
	_rc_rel_compose(t, sw, x->po, n);
	_rc_rel_union(t, sw, n);
	_rc_rel_compose(hb, x->po, t, n);
	_rc_rel_union(hb, t, n);
	_rc_rel_closure(hb, hb, n);
	_rc_rel_union(hb, x->po, n);
}

static bool c11_check(const struct rc_exec *x, struct rc_why *why)
{
	int n = x->n;
	uint64_t at = x->all & ~x->at_mo[RC_MO_NA] & ~x->init;
	uint64_t sc = x->at_mo[RC_MO_SC];
	rel_t hb, scp, t;

	c11_hb(x, hb);
	if (!_rc_rel_acyclic(hb, n)) {
		const rel_t *parts[] = { &x->po, &hb };
		static const char *const names[] = { "sb", "hb" };

		if (why)
			_rc_rel_find_cycle(hb, n, "Hb", parts, names, 2, why);
		return false;
	}
	for (int i = 0; i < n; i++) {
		uint64_t from = bit(i), mid = 0, end;

		/* Coh: (rf^-1)?; co; rf?; hb irreflexive */
		if (x->rf_of[i] >= 0)
			from |= bit(x->rf_of[i]);
		for (uint64_t m = from; m; m &= m - 1)
			mid |= x->co[__builtin_ctzll(m)];
		end = mid;
		for (uint64_t m = mid; m; m &= m - 1)
			end |= x->rf[__builtin_ctzll(m)];
		for (uint64_t m = end; m; m &= m - 1) {
			int j = __builtin_ctzll(m);

			if (hb[j] & bit(i))
				return _rc_why_two_cycle(why, "Coh", i, "co", j,
							 "hb");
		}
		/* Rf: rf; hb irreflexive */
		for (uint64_t m = x->rf[i]; m; m &= m - 1) {
			int j = __builtin_ctzll(m);

			if (hb[j] & bit(i))
				return _rc_why_two_cycle(why, "Rf", i, "rf", j,
							 "hb");
		}
	}
	/* NaRf: non-atomic reads read a visible side effect */
	for (int r = 0; r < n; r++) {
		int w = x->rf_of[r];

		if (!(x->R & bit(r)) || (at & bit(r)) || w < 0)
			continue;
		if (!(hb[w] & bit(r)))
			return _rc_why_two_cycle(why, "NaRf", w, "rf", r,
						 "not-hb");
		for (uint64_t m = hb[w] & x->loc[w] & x->W; m; m &= m - 1)
			if (hb[__builtin_ctzll(m)] & bit(r))
				return _rc_why_two_cycle(why, "NaRf", w, "hb",
							 __builtin_ctzll(m),
							 "hb");
	}
	for (int w = 0; w < n; w++) {
		/* a final non-atomic write is not hb-before another write */
		if (!(x->W & bit(w)) || (at & bit(w)) || x->co[w])
			continue;
		if (hb[w] & x->loc[w] & x->W) {
			int j = __builtin_ctzll(hb[w] & x->loc[w] & x->W);

			return _rc_why_two_cycle(why, "NaRf", w, "hb", j, "co");
		}
	}
	/* Rmw */
	for (int r = 0; r < n; r++) {
		int w, src = x->rf_of[r];

		if (!x->rmw[r] || src < 0)
			continue;
		w = __builtin_ctzll(x->rmw[r]);
		if (x->co[w] & bit(src))
			return _rc_why_two_cycle(why, "Rmw", w, "co", src,
						 "rf");
		for (uint64_t m = x->co[src]; m; m &= m - 1)
			if (x->co[__builtin_ctzll(m)] & bit(w))
				return _rc_why_two_cycle(why, "Rmw", src, "co",
							 __builtin_ctzll(m),
							 "co");
	}
	/* Spartial: r1..r7 on SC events */
	for (int i = 0; i < n; i++) {
		uint64_t a = 0, ws = 0;

		scp[i] = hb[i];
		/* r2 = fsb?; co; sbf? */
		ws = (x->W & bit(i)) ? bit(i) : 0;
		if (x->F & bit(i))
			ws |= x->po[i] & x->W;
		for (uint64_t m = ws; m; m &= m - 1)
			a |= x->co[__builtin_ctzll(m)];
		scp[i] |= a;
		for (uint64_t m = a; m; m &= m - 1)
			scp[i] |= x->po[__builtin_ctzll(m)] & x->F;
		if ((x->R & bit(i)) && x->rf_of[i] >= 0) {
			int s = x->rf_of[i];

			/* r3 = rf^-1; [SC]; co */
			if (sc & bit(s))
				scp[i] |= x->co[s];
			/* r4 = rf^-1; hbl; [W] */
			scp[i] |= hb[s] & x->loc[s] & x->W;
		}
	}
	/* r5 = fsb; fr, r6 = fr; sbf, r7 = fsb; fr; sbf */
	for (int i = 0; i < n; i++) {
		uint64_t frs = 0, rd;

		if (x->R & bit(i)) {
			for (uint64_t m = x->fr[i]; m; m &= m - 1)
				scp[i] |= x->po[__builtin_ctzll(m)] & x->F;
		}
		if (!(x->F & bit(i)))
			continue;
		rd = x->po[i] & x->R;
		for (uint64_t m = rd; m; m &= m - 1)
			frs |= x->fr[__builtin_ctzll(m)];
		scp[i] |= frs;
		for (uint64_t m = frs; m; m &= m - 1)
			scp[i] |= x->po[__builtin_ctzll(m)] & x->F;
	}
	for (int i = 0; i < n; i++)
		t[i] = (sc & bit(i)) ? scp[i] & sc & ~bit(i) : 0;
	if (!_rc_rel_acyclic(t, n)) {
		const rel_t *parts[] = { &t };
		static const char *const names[] = { "scp" };

		if (why)
			_rc_rel_find_cycle(t, n, "Spartial", parts, names, 1,
					   why);
		return false;
	}
	return true;
}

static bool c11_racy(const struct rc_exec *x)
{
	uint64_t at = x->all & ~x->at_mo[RC_MO_NA] & ~x->init;
	rel_t hb;

	c11_hb(x, hb);
	for (int i = 0; i < x->n; i++) {
		uint64_t cand;

		if (!(x->mem & ~at & (UINT64_C(1) << i)))
			continue;
		cand = x->loc[i] & x->ext[i] & x->mem;
		if (!(x->W & (UINT64_C(1) << i)))
			cand &= x->W;
		for (uint64_t m = cand; m; m &= m - 1) {
			int j = __builtin_ctzll(m);

			if (!(hb[i] & bit(j)) && !(hb[j] & bit(i)))
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
