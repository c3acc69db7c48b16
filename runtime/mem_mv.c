/* SPDX-License-Identifier: MIT */
/* mem_mv.c: EVENTUAL multi-value registers: the siblings of a location at a replica, kept by vector clocks. */

/*
 * A location's siblings at a replica are the writes to it the replica
 * holds that no other write it holds happens after (mem_ev.c says why
 * they converge and why the largest stamp among them is the copy's
 * value). Each sibling keeps its writer's clock after the write: w
 * happens before u exactly when u's clock counts w, u.vc[origin(w)] >=
 * seq(w), where origin(w) is the replica in w's stamp and seq(w) w's
 * own clock component. The sets belong to the replica's owner alone
 * (threaded) and are small (at most one sibling per writer).
 */
#include <assert.h>

#include "runtime/fault.h"
#include "runtime/mem_int.h"

static uint64_t *mv_sib(const rc_mem_t *m, struct mv_set *g, uint32_t k)
{
	return &g->w[(size_t)k * mv_words(m)];
}

/* Whether clock vc counts the write whose stamp and clock are w's. */
static bool mv_counts(const uint64_t *vc, const uint64_t *w)
{
	unsigned origin = (unsigned)(w[1] & ((1u << STAMP_BITS) - 1));

	return vc[origin] >= w[2 + origin];
}

/*
 * Makes room for want siblings at loc; false without memory (or, for a
 * write being issued, inject, when a test injects a failure).
 */
static bool reserve(struct rc_mem_replica *r, unsigned loc, uint32_t want,
		    bool inject)
{
	const rc_mem_t *m = r->mem;
	struct mv_set *g = r->sibs[loc], *ng;
	uint32_t cap;

	if (g != NULL && g->cap >= want)
		return true;
	if (inject && _rc_fault_alloc())
		return false;
	cap = want < 2 ? 2 : want;
	ng = realloc(g, sizeof(*g) + (size_t)cap * mv_words(m) * 8);
	if (ng == NULL)
		return false;
	if (g == NULL)
		ng->n = 0;
	ng->cap = cap;
	r->sibs[loc] = ng;
	return true;
}

bool _rc_mem_mv_reserve(struct rc_mem_replica *r, unsigned loc, uint32_t want)
{
	return reserve(r, loc, want, true);
}

/* r's own write just issued: it happens after every sibling. */
void _rc_mem_mv_own(struct rc_mem_replica *r, unsigned loc, uint64_t v,
		    uint64_t st)
{
	const rc_mem_t *m = r->mem;
	struct mv_set *g = r->sibs[loc];
	uint64_t *w = mv_sib(m, g, 0);

	assert(g != NULL && g->cap >= 1);
	w[0] = v;
	w[1] = st;
	memcpy(&w[2], r->vc, m->n * sizeof(uint64_t));
	g->n = 1;
}

/*
 * Entry idx of s's log, e, arrives at r: drops the siblings it
 * overwrites and joins them, unless a sibling overwrote it. false (and
 * nothing changed) when a new sibling finds no memory.
 */
bool _rc_mem_mv_apply(struct rc_mem_replica *r, unsigned s, uint64_t idx,
		      const struct clog_entry *e)
{
	const rc_mem_t *m = r->mem;
	uint64_t w[2 + RC_MEM_MAX_REPLICAS];
	struct mv_set *g = r->sibs[e->loc];
	uint32_t keep = 0;

	w[0] = e->val;
	w[1] = e->stamp;
	for (unsigned k = 0; k < m->n; k++)
		w[2 + k] = c_entry_vc(e, s, idx, k);
	for (uint32_t k = 0; g != NULL && k < g->n; k++)
		if (mv_counts(&mv_sib(m, g, k)[2], w))
			return true;
	if (!reserve(r, e->loc, (g != NULL ? g->n : 0) + 1, false))
		return false;
	g = r->sibs[e->loc];
	for (uint32_t k = 0; k < g->n; k++) {
		uint64_t *x = mv_sib(m, g, k);

		if (mv_counts(&w[2], x))
			continue;
		if (keep != k)
			memcpy(mv_sib(m, g, keep), x, mv_words(m) * 8);
		keep++;
	}
	memcpy(mv_sib(m, g, keep), w, mv_words(m) * 8);
	g->n = keep + 1;
	return true;
}

/* d's siblings become copies of s's; -1 without memory. */
int _rc_mem_mv_copy(struct rc_mem_replica *d, const struct rc_mem_replica *s)
{
	const rc_mem_t *m = s->mem;

	for (unsigned l = 0; l < m->nlocs; l++) {
		const struct mv_set *g = s->sibs[l];

		if (g == NULL) {
			if (d->sibs[l] != NULL)
				d->sibs[l]->n = 0;
			continue;
		}
		if (!reserve(d, l, g->n, false))
			return -1;
		memcpy(d->sibs[l]->w, g->w, (size_t)g->n * mv_words(m) * 8);
		d->sibs[l]->n = g->n;
	}
	return 0;
}

void _rc_mem_mv_free(struct rc_mem_replica *r)
{
	if (r->sibs == NULL)
		return;
	for (unsigned l = 0; l < r->nlocs; l++)
		free(r->sibs[l]);
	free(r->sibs);
	r->sibs = NULL;
}

/*
 * The values of loc's siblings at r, largest stamp first, at most max of
 * them into vals; how many siblings there are.
 */
unsigned _rc_mem_mv_values(const struct rc_mem_replica *r, unsigned loc,
			   uint64_t *vals, unsigned max)
{
	const rc_mem_t *m = r->mem;
	uint64_t st[RC_MEM_MAX_REPLICAS], v[RC_MEM_MAX_REPLICAS];
	const struct mv_set *g;
	unsigned n;

	g = r->sibs[loc];
	n = g != NULL ? g->n : 0;
	assert(n <= m->n); /* pairwise concurrent: one per origin at most */
	/* largest stamp first (insertion sort: at most n siblings) */
	for (unsigned k = 0; k < n; k++) {
		const uint64_t *x = &g->w[(size_t)k * mv_words(m)];
		unsigned j = k;

		for (; j > 0 && st[j - 1] < x[1]; j--) {
			st[j] = st[j - 1];
			v[j] = v[j - 1];
		}
		st[j] = x[1];
		v[j] = x[0];
	}
	for (unsigned k = 0; k < n && k < max; k++)
		vals[k] = v[k];
	return n;
}
