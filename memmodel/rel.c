/* SPDX-License-Identifier: MIT */
/* rel.c: relations over at most 64 events as one 64-bit row per event. */
#include <string.h>

#include "memmodel/exec.h"

void _rc_rel_zero(rel_t r, int n)
{
	memset(r, 0, sizeof(uint64_t) * (size_t)n);
}

void _rc_rel_copy(rel_t d, const rel_t s, int n)
{
	memcpy(d, s, sizeof(uint64_t) * (size_t)n);
}

void _rc_rel_union(rel_t d, const rel_t a, int n)
{
	for (int i = 0; i < n; i++)
		d[i] |= a[i];
}

void _rc_rel_compose(rel_t d, const rel_t a, const rel_t b, int n)
{
	rel_t t;

	for (int i = 0; i < n; i++) {
		uint64_t m = a[i], r = 0;

		while (m) {
			int j = __builtin_ctzll(m);

			m &= m - 1;
			r |= b[j];
		}
		t[i] = r;
	}
	_rc_rel_copy(d, t, n);
}

void _rc_rel_closure(rel_t d, const rel_t a, int n)
{
	if (d != a)
		_rc_rel_copy(d, a, n);
	for (int k = 0; k < n; k++) {
		uint64_t bk = UINT64_C(1) << k;

		for (int i = 0; i < n; i++)
			if (d[i] & bk)
				d[i] |= d[k];
	}
}

void _rc_rel_inverse(rel_t d, const rel_t a, int n)
{
	rel_t t;

	_rc_rel_zero(t, n);
	for (int i = 0; i < n; i++) {
		uint64_t m = a[i];

		while (m) {
			int j = __builtin_ctzll(m);

			m &= m - 1;
			t[j] |= UINT64_C(1) << i;
		}
	}
	_rc_rel_copy(d, t, n);
}

void _rc_rel_restrict(rel_t d, const rel_t a, uint64_t dom, uint64_t rng, int n)
{
	for (int i = 0; i < n; i++)
		d[i] = (dom >> i & 1) ? a[i] & rng : 0;
}

bool _rc_rel_acyclic(const rel_t a, int n)
{
	uint64_t left = n == 64 ? ~UINT64_C(0) : (UINT64_C(1) << n) - 1;
	bool progress = true;

	/* Peel off events with no successor left until none remain. */
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

bool _rc_rel_irreflexive(const rel_t a, int n)
{
	for (int i = 0; i < n && i < RC_EXEC_MAX; i++)
		if (a[i] >> i & 1)
			return false;
	return true;
}

bool _rc_rel_empty(const rel_t a, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

static const char *label_of(int i, int j, const rel_t *const *parts,
			    const char *const *names, int nparts)
{
	for (int k = 0; k < nparts; k++)
		if ((*parts[k])[i] >> j & 1)
			return names[k];
	return "?";
}

bool _rc_rel_find_cycle(const rel_t a, int n, const char *axiom,
			const rel_t *const *parts, const char *const *names,
			int nparts, struct rc_why *why)
{
	rel_t c;
	int best = -1;

	_rc_rel_closure(c, a, n);
	for (int i = 0; i < n; i++)
		if (c[i] >> i & 1) {
			best = i;
			break;
		}
	if (best < 0)
		return false;
	if (!why)
		return true;
	/* Breadth-first search for a shortest path best -> ... -> best. */
	{
		int prev[RC_EXEC_MAX], queue[RC_EXEC_MAX], qh = 0, qt = 0;
		uint64_t seen = 0;
		int last = -1, path[RC_EXEC_MAX + 1], np = 0;

		for (int i = 0; i < n; i++)
			prev[i] = -1;
		queue[qt++] = best;
		while (qh < qt && last < 0) {
			int u = queue[qh++];
			uint64_t m = a[u];

			while (m) {
				int v = __builtin_ctzll(m);

				m &= m - 1;
				if (v == best) {
					last = u;
					break;
				}
				if (!(seen >> v & 1)) {
					seen |= UINT64_C(1) << v;
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
				label_of(why->cycle[k], why->cycle[k + 1],
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
