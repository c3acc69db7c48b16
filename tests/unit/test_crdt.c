/* SPDX-License-Identifier: MIT */
/* test_crdt.c: each convergent type's meaning on scripted runs, its merge law over random reachable states, and convergence in any delivery order. */
#include <stdlib.h>
#include <string.h>

#include <replicore/crdt.h>
#include <replicore/err.h>

#include "tests/tap.h"
#include "tests/unit/crdt_ops.h"

#define N 3		 /* replicas */
#define STEPS 300	 /* random updates and merges per run */
#define TRIPLES 3000	 /* law checks per kind */
#define CONVERGE_RUNS 40 /* convergence runs per kind */

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(uint64_t n)
{
	return crdt_rnd(&rng, n);
}

/* One random update of c at replica r; returns its status. */
static int update(rc_crdt_t *c, unsigned r)
{
	return crdt_update(c, r, &rng);
}

/* ---- scripted meaning ---- */

static void counters(void)
{
	rc_crdt_t *a = rc_crdt_create(RC_CRDT_GCOUNTER, 2);
	rc_crdt_t *b = rc_crdt_create(RC_CRDT_GCOUNTER, 2);
	rc_crdt_t *p = rc_crdt_create(RC_CRDT_PNCOUNTER, 2);
	rc_crdt_t *q = rc_crdt_create(RC_CRDT_PNCOUNTER, 2);

	ok(a && b && p && q, "counters are created");
	is(rc_crdt_inc(a, 0, 3), 0, "gcounter: replica 0 adds 3");
	is(rc_crdt_inc(b, 1, 2), 0, "gcounter: replica 1 adds 2");
	is(rc_crdt_dec(a, 0, 1), -RC_EINVAL, "a gcounter cannot go down");
	is(rc_crdt_merge(a, b), 0, "gcounter: merge");
	is(rc_crdt_value(a), 5, "gcounter: the adds of both count");
	is(rc_crdt_merge(a, b), 0, "gcounter: merge again");
	is(rc_crdt_value(a), 5, "gcounter: a state merged twice counts once");
	is(rc_crdt_inc(a, 2, 1), -RC_EINVAL, "a replica past n is refused");

	rc_crdt_inc(p, 0, 10);
	rc_crdt_dec(q, 1, 4);
	rc_crdt_dec(p, 0, 1);
	rc_crdt_merge(p, q);
	rc_crdt_merge(q, p);
	is(rc_crdt_value(p), 5, "pncounter: 10 - 1 - 4");
	ok(rc_crdt_equal(p, q), "pncounter: both replicas hold one state");
	rc_crdt_dec(q, 1, 10);
	is((int64_t)rc_crdt_value(q), -5,
	   "pncounter: below zero reads as "
	   "int64_t");
	is(rc_crdt_merge(p, a), -RC_EINVAL, "merging two kinds is refused");
	rc_crdt_destroy(a);
	rc_crdt_destroy(b);
	rc_crdt_destroy(p);
	rc_crdt_destroy(q);
}

static void sets(void)
{
	rc_crdt_t *a = rc_crdt_create(RC_CRDT_TWOPSET, 2);
	rc_crdt_t *b, *o0 = rc_crdt_create(RC_CRDT_ORSET, 2), *o1;
	uint64_t out[4];

	rc_crdt_add(a, 0, 7);
	b = rc_crdt_clone(a);
	is(rc_crdt_remove(b, 1, 7), 0, "2pset: replica 1 removes 7");
	is(rc_crdt_add(a, 0, 7), 0, "2pset: replica 0 adds 7 again meanwhile");
	rc_crdt_merge(a, b);
	ok(!rc_crdt_contains(a, 7), "2pset: after the merge 7 is gone");
	rc_crdt_add(a, 0, 7);
	ok(!rc_crdt_contains(a, 7), "2pset: and never comes back");
	is(rc_crdt_remove(a, 0, 9), 0, "2pset: removing an absent element");
	rc_crdt_add(a, 0, 9);
	ok(rc_crdt_contains(a, 9), "2pset: does not stop its later add");
	is(rc_crdt_elements(a, out, 4), 1, "2pset: one element");
	is(out[0], 9, "2pset: 9");

	rc_crdt_add(o0, 0, 7);
	o1 = rc_crdt_clone(o0);
	rc_crdt_add(o1, 1, 7); /* concurrent with the remove below */
	rc_crdt_remove(o0, 0, 7);
	ok(!rc_crdt_contains(o0, 7), "orset: removed where it was seen");
	rc_crdt_merge(o0, o1);
	ok(rc_crdt_contains(o0, 7), "orset: a concurrent add survives "
				    "the remove");
	rc_crdt_remove(o0, 0, 7);
	rc_crdt_merge(o1, o0);
	ok(!rc_crdt_contains(o1, 7), "orset: a remove that saw every add "
				     "takes the element");
	rc_crdt_add(o1, 1, 7);
	ok(rc_crdt_contains(o1, 7), "orset: and it can be added again");
	rc_crdt_destroy(a);
	rc_crdt_destroy(b);
	rc_crdt_destroy(o0);
	rc_crdt_destroy(o1);
}

static void registers(void)
{
	rc_crdt_t *a = rc_crdt_create(RC_CRDT_LWW, 2);
	rc_crdt_t *b = rc_crdt_create(RC_CRDT_LWW, 2);
	rc_crdt_t *m = rc_crdt_create(RC_CRDT_MV, 2), *m1;
	uint64_t out[4];

	is(rc_crdt_read(a, out, 4), 0, "lww: unwritten, no value");
	rc_crdt_write(a, 0, 10);
	rc_crdt_write(b, 1, 20); /* the same time: replica 1 wins */
	rc_crdt_merge(a, b);
	is(rc_crdt_read(a, out, 4), 1, "lww: one value");
	is(out[0], 20,
	   "lww: of two writes at one time the larger replica "
	   "wins");
	rc_crdt_write(a, 0, 30);
	rc_crdt_merge(b, a);
	rc_crdt_read(b, out, 4);
	is(out[0], 30, "lww: a write after the merge wins everywhere");

	rc_crdt_write(m, 0, 5);
	m1 = rc_crdt_clone(m);
	rc_crdt_write(m, 0, 6);
	rc_crdt_write(m1, 1, 4);
	rc_crdt_merge(m, m1);
	is(rc_crdt_read(m, out, 4), 2, "mv: two concurrent writes, two values");
	ok(out[0] == 4 && out[1] == 6, "mv: 4 and 6, ascending");
	is(rc_crdt_read(m, out, 1), 2, "mv: read with room for one says two");
	is(out[0], 4, "mv: and gives the smallest");
	rc_crdt_write(m, 1, 9);
	rc_crdt_merge(m1, m);
	is(rc_crdt_read(m1, out, 4), 1,
	   "mv: a write that saw both covers "
	   "both");
	is(out[0], 9, "mv: 9");
	rc_crdt_destroy(a);
	rc_crdt_destroy(b);
	rc_crdt_destroy(m);
	rc_crdt_destroy(m1);
}

static bool list_is(const rc_crdt_t *c, const char *want)
{
	uint64_t out[32];
	size_t n = rc_crdt_list(c, out, 32);

	if (n != strlen(want))
		return false;
	for (size_t i = 0; i < n; i++)
		if (out[i] != (uint64_t)want[i])
			return false;
	return true;
}

static void sequence(void)
{
	rc_crdt_t *a = rc_crdt_create(RC_CRDT_RGA, 2), *b;

	rc_crdt_insert(a, 0, 0, 'a');
	rc_crdt_insert(a, 0, 1, 'c');
	rc_crdt_insert(a, 0, 1, 'b');
	ok(list_is(a, "abc"), "rga: inserts at positions give abc");
	is(rc_crdt_insert(a, 0, 4, 'x'), -RC_EINVAL,
	   "rga: an insert past the end is refused");
	b = rc_crdt_clone(a);
	rc_crdt_insert(a, 0, 1, 'X'); /* both after 'a', concurrently */
	rc_crdt_insert(b, 1, 1, 'Y');
	rc_crdt_delete(b, 1, 3); /* 'c' */
	rc_crdt_merge(a, b);
	rc_crdt_merge(b, a);
	ok(rc_crdt_equal(a, b), "rga: both replicas hold one state");
	ok(list_is(a, "aYXb") && list_is(b, "aYXb"),
	   "rga: concurrent inserts at one place by (time, replica), the "
	   "delete applied: aYXb");
	is(rc_crdt_delete(a, 0, 4), -RC_EINVAL,
	   "rga: a delete past the end "
	   "is refused");
	rc_crdt_destroy(a);
	rc_crdt_destroy(b);
}

/* ---- random reachable states ---- */

static rc_crdt_t *merged(const rc_crdt_t *a, const rc_crdt_t *b)
{
	rc_crdt_t *m = rc_crdt_clone(a);

	if (m && rc_crdt_merge(m, b) < 0) {
		rc_crdt_destroy(m);
		m = NULL;
	}
	return m;
}

/*
 * One run of kind: N replicas update and merge at random for STEPS steps,
 * each state after a step kept in pool (all reachable states of one
 * object). Returns how many were kept; the update's monotony is checked
 * on the way (*mono counts the failures).
 */
static size_t random_run(enum rc_crdt_kind kind, rc_crdt_t **pool,
			 unsigned *mono, unsigned *errs)
{
	rc_crdt_t *rep[N];
	size_t np = 0;

	for (unsigned i = 0; i < N; i++)
		rep[i] = rc_crdt_create(kind, N);
	for (unsigned s = 0; s < STEPS; s++) {
		unsigned r = (unsigned)rnd(N);

		if (rnd(4) == 0) {
			unsigned from = (unsigned)rnd(N);

			if (rc_crdt_merge(rep[r], rep[from]) < 0)
				(*errs)++;
		} else {
			rc_crdt_t *before = rc_crdt_clone(rep[r]);

			if (update(rep[r], r) < 0)
				(*errs)++;
			if (!before || !rc_crdt_leq(before, rep[r]))
				(*mono)++;
			rc_crdt_destroy(before);
		}
		pool[np++] = rc_crdt_clone(rep[r]);
	}
	for (unsigned i = 0; i < N; i++)
		rc_crdt_destroy(rep[i]);
	return np;
}

static void laws(enum rc_crdt_kind kind)
{
	rc_crdt_t *pool[STEPS];
	unsigned mono = 0, errs = 0, comm = 0, assoc = 0, idem = 0, infl = 0;
	unsigned answers = 0;
	size_t np = random_run(kind, pool, &mono, &errs);
	const char *name = rc_crdt_kind_name(kind);

	for (unsigned t = 0; t < TRIPLES; t++) {
		rc_crdt_t *a = pool[rnd(np)], *b = pool[rnd(np)],
			  *c = pool[rnd(np)];
		rc_crdt_t *ab = merged(a, b), *ba = merged(b, a);
		rc_crdt_t *ab_c = ab ? merged(ab, c) : NULL;
		rc_crdt_t *bc = merged(b, c);
		rc_crdt_t *a_bc = bc ? merged(a, bc) : NULL;
		rc_crdt_t *aa = merged(a, a);

		if (!ab || !ba || !ab_c || !bc || !a_bc || !aa) {
			errs++;
		} else {
			comm += !rc_crdt_equal(ab, ba) ||
				!crdt_same_answers(ab, ba);
			assoc += !rc_crdt_equal(ab_c, a_bc) ||
				 !crdt_same_answers(ab_c, a_bc);
			idem += !rc_crdt_equal(aa, a) ||
				!crdt_same_answers(aa, a);
			infl += !rc_crdt_leq(a, ab) || !rc_crdt_leq(b, ab);
			/* equal states answer alike */
			answers +=
				rc_crdt_equal(a, b) && !crdt_same_answers(a, b);
		}
		rc_crdt_destroy(ab);
		rc_crdt_destroy(ba);
		rc_crdt_destroy(ab_c);
		rc_crdt_destroy(bc);
		rc_crdt_destroy(a_bc);
		rc_crdt_destroy(aa);
	}
	is(errs, 0, "%s: %zu reachable states, no call failed", name, np);
	is(mono, 0, "%s: every update moves the state up", name);
	is(comm, 0, "%s: merge is commutative (%u triples)", name, TRIPLES);
	is(assoc, 0, "%s: merge is associative", name);
	is(idem, 0, "%s: merge is idempotent", name);
	is(infl, 0, "%s: merge is inflationary (an upper bound)", name);
	is(answers, 0, "%s: equal states answer every query alike", name);
	for (size_t i = 0; i < np; i++)
		rc_crdt_destroy(pool[i]);
}

/*
 * Replicas update and merge at random; then every replica receives every
 * other's final state, each in its own random order: all end equal.
 */
static void converge(enum rc_crdt_kind kind)
{
	unsigned bad = 0, errs = 0;

	for (unsigned run = 0; run < CONVERGE_RUNS; run++) {
		rc_crdt_t *rep[N], *fin[N];

		for (unsigned i = 0; i < N; i++)
			rep[i] = rc_crdt_create(kind, N);
		for (unsigned s = 0; s < 60; s++) {
			unsigned r = (unsigned)rnd(N);

			if (rnd(5) == 0)
				errs += rc_crdt_merge(rep[r], rep[rnd(N)]) < 0;
			else
				errs += update(rep[r], r) < 0;
		}
		for (unsigned i = 0; i < N; i++)
			fin[i] = rc_crdt_clone(rep[i]);
		for (unsigned i = 0; i < N; i++) {
			unsigned order[N];

			for (unsigned k = 0; k < N; k++)
				order[k] = k;
			for (unsigned k = N - 1; k > 0; k--) {
				unsigned j = (unsigned)rnd(k + 1), t = order[k];

				order[k] = order[j];
				order[j] = t;
			}
			for (unsigned k = 0; k < N; k++)
				errs += rc_crdt_merge(rep[i], fin[order[k]]) <
					0;
		}
		for (unsigned i = 1; i < N; i++)
			bad += !rc_crdt_equal(rep[0], rep[i]) ||
			       !crdt_same_answers(rep[0], rep[i]);
		for (unsigned i = 0; i < N; i++) {
			rc_crdt_destroy(rep[i]);
			rc_crdt_destroy(fin[i]);
		}
	}
	is(errs, 0, "%s: converge runs, no call failed",
	   rc_crdt_kind_name(kind));
	is(bad, 0,
	   "%s: %u runs: replicas that received every update, in "
	   "any order, are equal",
	   rc_crdt_kind_name(kind), CONVERGE_RUNS);
}

int main(void)
{
	counters();
	sets();
	registers();
	sequence();
	ok(rc_crdt_create(RC_CRDT_NKINDS, 2) == NULL &&
		   rc_crdt_create(RC_CRDT_GSET, 0) == NULL,
	   "a bad kind or no replicas is refused");
	for (unsigned k = 0; k < RC_CRDT_NKINDS; k++) {
		laws((enum rc_crdt_kind)k);
		converge((enum rc_crdt_kind)k);
	}
	done_testing();
	return 0;
}
