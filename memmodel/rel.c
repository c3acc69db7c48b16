/* SPDX-License-Identifier: MIT */
/* rel.c: relations over an execution's events as rows of bit sets. */
#include <assert.h>
#include <string.h>

#include "memmodel/exec.h"

#if RC_EXEC_WORDS > 1
uint64_t *_rc_rel_tmp(const struct rc_exec *x)
{
	struct rc_tmp *p = x->tmp;

	/* the models take a bounded number; the pool holds them all */
	assert(p->used < p->cap);
	return p->buf + p->stride * (size_t)p->used++;
}

void _rc_rel_tmp_drop(const struct rc_exec *x, int k)
{
	x->tmp->used -= k;
}
#endif

void _rc_rel_zero(const struct rc_exec *x, uint64_t *r)
{
	memset(r, 0, sizeof(uint64_t) * (size_t)x->n * (size_t)RC_NW(x));
}

void _rc_rel_copy(const struct rc_exec *x, uint64_t *d, const uint64_t *s)
{
	memcpy(d, s, sizeof(uint64_t) * (size_t)x->n * (size_t)RC_NW(x));
}

void _rc_rel_union(const struct rc_exec *x, uint64_t *d, const uint64_t *a)
{
	size_t nn = (size_t)x->n * (size_t)RC_NW(x);

	for (size_t i = 0; i < nn; i++)
		d[i] |= a[i];
}

void _rc_rel_compose(const struct rc_exec *x, uint64_t *d, const uint64_t *a,
		     const uint64_t *b)
{
	const int nw = RC_NW(x);
	REL_LOCAL(x, t);
	int j;

	for (int i = 0; i < x->n; i++) {
		uint64_t *r = ROW(t, i, nw);

		bs_zero(nw, r);
		BS_EACH(j, nw, ROW(a, i, nw))
		bs_or(nw, r, ROW(b, j, nw));
	}
	_rc_rel_copy(x, d, t);
	REL_DROP(x, 1);
}

/* Warshall's algorithm, for a relation with cycles. */
static void closure_warshall(const struct rc_exec *x, uint64_t *d)
{
	const int nw = RC_NW(x), n = x->n;

	for (int k = 0; k < n; k++) {
		const uint64_t *rk = ROW(d, k, nw);

		for (int i = 0; i < n; i++) {
			uint64_t *ri = ROW(d, i, nw);

			if (bs_has(ri, k))
				bs_or(nw, ri, rk);
		}
	}
}

/*
 * An order of the events in which every event follows its successors
 * (the finishing order of a depth-first walk) into post; false when a
 * is cyclic.
 */
static bool post_order(const struct rc_exec *x, const uint64_t *a, int *post)
{
	const int nw = RC_NW(x);
	evset_t done, on, all;
	int stack[RC_EXEC_MAX], s, np = 0;

	bs_upto(nw, all, x->n);
	bs_zero(nw, done);
	bs_zero(nw, on);
	while ((s = bs_first_andnot(nw, all, done)) >= 0) {
		int sp = 1;

		stack[0] = s;
		bs_set(on, s);
		if (bs_meets(nw, ROW(a, s, nw), on))
			return false;
		while (sp) {
			int u = stack[sp - 1], v;

			v = bs_first_andnot(nw, ROW(a, u, nw), done);
			if (v < 0) {
				bs_clr(on, u);
				bs_set(done, u);
				post[np++] = u;
				sp--;
			} else {
				bs_set(on, v);
				stack[sp++] = v;
				if (bs_meets(nw, ROW(a, v, nw), on))
					return false;
			}
		}
	}
	return true;
}

void _rc_rel_closure(const struct rc_exec *x, uint64_t *d, const uint64_t *a)
{
	const int nw = RC_NW(x), n = x->n;
	int post[RC_EXEC_MAX], v;
	evset_t acc;

	if (d != a)
		_rc_rel_copy(x, d, a);
	if (!post_order(x, d, post)) {
		closure_warshall(x, d);
		return;
	}
	/*
	 * Acyclic: each event's closure is its successors' closures, the
	 * successors done first. A successor already reached through an
	 * earlier one adds nothing: on a program order, whose rows hold
	 * every later event of the thread, the first successor brings the
	 * rest, and the walk costs one union per event, not one per edge.
	 */
	for (int k = 0; k < n; k++) {
		int u = post[k];
		uint64_t *du = ROW(d, u, nw);

		bs_zero(nw, acc);
		for (int w = 0; w < nw; w++) {
			uint64_t m;

			/* the successors not yet reached */
			while ((m = du[w] & ~acc[w]) != 0) {
				v = 64 * w + __builtin_ctzll(m);
				bs_or(nw, acc, ROW(d, v, nw));
				bs_set(acc, v);
			}
		}
		bs_copy(nw, du, acc);
	}
}

#if RC_EXEC_WORDS == 1
bool _rc_rel_acyclic_from(const struct rc_exec *x, const uint64_t *a,
			  const uint64_t *from)
{
	uint64_t left = from[0];
	bool progress = true;

	(void)x;
	/*
	 * Peel off events with no successor left until none remain: on one
	 * word this beats the depth-first walk below (c11 on the corpus's
	 * fig6-explicit: 52 ms against 59 ms).
	 */
	while (left && progress) {
		uint64_t m = left;

		progress = false;
		while (m) {
			int i = __builtin_ctzll(m);

			m &= m - 1;
			if ((a[i] & left) == 0) {
				left &= ~(UINT64_C(1) << i);
				progress = true;
			}
		}
	}
	return left == 0;
}
#else
bool _rc_rel_acyclic_from(const struct rc_exec *x, const uint64_t *a,
			  const uint64_t *from)
{
	const int nw = RC_NW(x);
	evset_t done, on;
	int stack[RC_EXEC_MAX], s;

	/*
	 * Depth first: an edge to an event on the stack closes a cycle, and
	 * is seen when the event is pushed. An event is visited once when
	 * pushed and once after each child: the walk costs O(n * nw) word
	 * operations, whatever the edge count.
	 */
	bs_zero(nw, done);
	bs_zero(nw, on);
	while ((s = bs_first_andnot(nw, from, done)) >= 0) {
		int sp = 1;

		stack[0] = s;
		bs_set(on, s);
		if (bs_meets(nw, ROW(a, s, nw), on))
			return false;
		while (sp) {
			int u = stack[sp - 1], v;

			/* back on u after a child, the stack is as it was
			 * when u was pushed: its edges were checked then */
			v = bs_first_andnot(nw, ROW(a, u, nw), done);
			if (v < 0) {
				bs_clr(on, u);
				bs_set(done, u);
				sp--;
			} else {
				bs_set(on, v);
				stack[sp++] = v;
				if (bs_meets(nw, ROW(a, v, nw), on))
					return false;
			}
		}
	}
	return true;
}
#endif

bool _rc_rel_acyclic(const struct rc_exec *x, const uint64_t *a)
{
	evset_t all;

	bs_upto(RC_NW(x), all, x->n);
	return _rc_rel_acyclic_from(x, a, all);
}

int _rc_rel_then_reflexive(const struct rc_exec *x, const uint64_t *a,
			   const uint64_t *b)
{
	const int nw = RC_NW(x);
	int post[RC_EXEC_MAX], best = -1, v;
	evset_t acc, e;

	if (!post_order(x, a, post))
		return -2;
	{
		REL_LOCAL(x, ab); /* row u: (a;b)(u), once u is done */

		/*
		 * (a;b)(u) is b and a;b of u's successors; one already reached
		 * through an earlier successor s adds nothing, a being
		 * transitive (a(s) holds it, and (a;b)(s) its part).
		 */
		for (int k = 0; k < x->n; k++) {
			int u = post[k];
			const uint64_t *au = ROW(a, u, nw);

			bs_zero(nw, acc);
			bs_zero(nw, e);
			for (int w = 0; w < nw; w++) {
				uint64_t m;

				while ((m = au[w] & ~acc[w]) != 0) {
					v = 64 * w + __builtin_ctzll(m);
					bs_or(nw, acc, ROW(a, v, nw));
					bs_set(acc, v);
					bs_or(nw, e, ROW(b, v, nw));
					bs_or(nw, e, ROW(ab, v, nw));
				}
			}
			bs_copy(nw, ROW(ab, u, nw), e);
			if (bs_has(e, u) && (best < 0 || u < best))
				best = u;
		}
		REL_DROP(x, 1);
	}
	return best;
}

static const char *label_of(const struct rc_exec *x, int i, int j,
			    const uint64_t *const *parts,
			    const char *const *names, int nparts)
{
	for (int k = 0; k < nparts; k++)
		if (bs_has(ROW(parts[k], i, RC_NW(x)), j))
			return names[k];
	return "?";
}

bool _rc_rel_find_cycle(const struct rc_exec *x, const uint64_t *a,
			const char *axiom, const uint64_t *const *parts,
			const char *const *names, int nparts,
			struct rc_why *why)
{
	const int nw = RC_NW(x), n = x->n;
	REL_LOCAL(x, c);
	int best = -1;

	_rc_rel_closure(x, c, a);
	for (int i = 0; i < n; i++)
		if (bs_has(ROW(c, i, nw), i)) {
			best = i;
			break;
		}
	REL_DROP(x, 1);
	if (best < 0)
		return false;
	if (!why)
		return true;
	/* Breadth-first search for a shortest path best -> ... -> best. */
	{
		int prev[RC_EXEC_MAX], queue[RC_EXEC_MAX], qh = 0, qt = 0;
		evset_t seen;
		int last = -1, path[RC_EXEC_MAX + 1], np = 0, v;

		bs_zero(nw, seen);
		for (int i = 0; i < n; i++)
			prev[i] = -1;
		queue[qt++] = best;
		while (qh < qt && last < 0) {
			int u = queue[qh++];

			BS_EACH(v, nw, ROW(a, u, nw))
			{
				if (last >= 0)
					continue;
				if (v == best) {
					last = u;
					continue;
				}
				if (!bs_has(seen, v)) {
					bs_set(seen, v);
					prev[v] = u;
					queue[qt++] = v;
				}
			}
		}
		for (int u = last; u != best && u >= 0; u = prev[u])
			path[np++] = u;
		path[np++] = best;
		why->axiom = axiom;
		why->ncycle = 0;
		for (int k = np - 1; k >= 0; k--)
			why->cycle[why->ncycle++] = path[k];
		why->cycle[why->ncycle] = best;
		for (int k = 0; k < why->ncycle; k++)
			why->label[k] =
				label_of(x, why->cycle[k], why->cycle[k + 1],
					 parts, names, nparts);
	}
	return true;
}

void _rc_why_point(struct rc_why *why, const char *axiom, int x,
		   const char *label)
{
	if (!why)
		return;
	why->axiom = axiom;
	why->ncycle = 1;
	why->cycle[0] = x;
	why->cycle[1] = x;
	why->label[0] = label;
}

bool _rc_why_two_cycle(struct rc_why *why, const char *axiom, int a,
		       const char *la, int b, const char *lb)
{
	if (why) {
		why->axiom = axiom;
		why->ncycle = 2;
		why->cycle[0] = a;
		why->cycle[1] = b;
		why->cycle[2] = a;
		why->label[0] = la;
		why->label[1] = lb;
	}
	return false;
}
