/* SPDX-License-Identifier: MIT */
/* test_session_outcomes.c: one small test per session guarantee, every schedule explored at eventual and causal, with the guarantee off and on: each removes exactly the outcomes its test is about. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/mem.h>

#include "tests/tap.h"

/*
 * A test is a few actors, each a list of reads and writes at given
 * replicas. The session actor runs its operations through one session
 * (rc_mem_session_*) with the guarantee under test, or none; the other
 * actors are plain replicas' owners. Every interleaving of the actors'
 * operations with the object's delivery steps is explored (a state seen
 * before, by the object's state hash, the actors' positions, the reads
 * so far and the session's vectors, is not explored again); an outcome
 * is the values the reads returned, in the order of the actors'
 * operations. A session operation whose replica does not hold what the
 * guarantee needs is not enabled (rc_mem_session_ready), as the
 * explorer of litmus run treats it.
 *
 *   ryw  S: x=1 at 0; r0=x at 1             bad: r0=0
 *   mr   W: x=1 at 0.  S: r0=x at 1; r1=x at 2        bad: r0=1 r1=0
 *   mw   S: x=1 at 0; y=1 at 1.  O at 2: r0=y; r1=x    bad: r0=1 r1=0
 *   wfr  W: x=1 at 0.  S: r0=x at 1; y=1 at 2.  O at 3: r1=y; r2=x
 *                                                  bad: r0=1 r1=1 r2=0
 *
 * The tables of replicore-litmus(1) are this test's output.
 */

enum { X = 0, Y = 1, MAXOPS = 4, MAXACT = 3, MAXREADS = 4 };

struct op {
	unsigned replica;
	bool write;
	unsigned loc;
	uint64_t v;
};

struct actor {
	bool session;
	unsigned nops;
	struct op ops[MAXOPS];
};

struct test {
	const char *name;
	unsigned guarantee; /* RC_MEM_SESSION_* */
	unsigned nreplicas, nactors, nreads;
	struct actor a[MAXACT];
	unsigned bad; /* the outcome the guarantee is about, as bits */
};

static const struct test tests[] = {
	{ "ryw",
	  RC_MEM_SESSION_RYW,
	  2,
	  1,
	  1,
	  { { true, 2, { { 0, true, X, 1 }, { 1, false, X, 0 } } } },
	  0x0 },
	{ "mr",
	  RC_MEM_SESSION_MR,
	  3,
	  2,
	  2,
	  { { false, 1, { { 0, true, X, 1 } } },
	    { true, 2, { { 1, false, X, 0 }, { 2, false, X, 0 } } } },
	  0x1 },
	{ "mw",
	  RC_MEM_SESSION_MW,
	  3,
	  2,
	  2,
	  { { true, 2, { { 0, true, X, 1 }, { 1, true, Y, 1 } } },
	    { false, 2, { { 2, false, Y, 0 }, { 2, false, X, 0 } } } },
	  0x1 },
	{ "wfr",
	  RC_MEM_SESSION_WFR,
	  4,
	  3,
	  3,
	  { { false, 1, { { 0, true, X, 1 } } },
	    { true, 2, { { 1, false, X, 0 }, { 2, true, Y, 1 } } },
	    { false, 2, { { 3, false, Y, 0 }, { 3, false, X, 0 } } } },
	  0x3 },
};

/* One run's state: rebuilt by replaying the choices from the start. */
struct world {
	rc_mem_t *m;
	rc_mem_session_t *s;
	unsigned pc[MAXACT];
	unsigned nreads;
	uint64_t reads[MAXREADS];
};

struct search {
	const struct test *t;
	enum rc_level level;
	unsigned g;
	uint64_t *seen;
	size_t nseen, cap;
	bool outcome[1u << MAXREADS];
	bool stuck;
};

static void world_init(struct world *w, const struct search *x)
{
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(w, 0, sizeof(*w));
	if (rc_mem_create(&w->m, x->level, 2, x->t->nreplicas, RC_MEM_EXPLORE,
			  &err) < 0 ||
	    rc_mem_session_create(&w->s, w->m, x->g, &err) < 0)
		abort();
}

static void world_free(struct world *w)
{
	rc_mem_session_destroy(w->s);
	rc_mem_destroy(w->m);
}

/* Whether actor i's next operation is enabled. */
static bool op_ready(const struct world *w, const struct test *t, unsigned i)
{
	const struct actor *a = &t->a[i];
	const struct op *o;

	if (w->pc[i] >= a->nops)
		return false;
	o = &a->ops[w->pc[i]];
	return !a->session ||
	       rc_mem_session_ready(w->s, rc_mem_replica(w->m, o->replica),
				    o->write);
}

/* Performs actor i's next operation. */
static void op_do(struct world *w, const struct test *t, unsigned i)
{
	const struct op *o = &t->a[i].ops[w->pc[i]++];
	rc_mem_replica_t *r = rc_mem_replica(w->m, o->replica);
	uint64_t v = 0;
	int rc = 0;

	if (t->a[i].session && o->write)
		rc = rc_mem_session_store(w->s, r, o->loc, o->v, RC_RELEASE);
	else if (t->a[i].session)
		rc = rc_mem_session_load(w->s, r, o->loc, &v);
	else if (o->write)
		rc = rc_mem_store(r, o->loc, o->v, RC_RELEASE);
	else
		v = rc_mem_load(r, o->loc);
	if (rc < 0)
		abort();
	if (!o->write)
		w->reads[w->nreads++] = v;
}

/* The enabled moves: actors' operations (0..nactors-1), then steps. */
static unsigned moves(const struct world *w, const struct test *t,
		      struct rc_mem_step *steps, unsigned *nsteps)
{
	unsigned n = 0;

	for (unsigned i = 0; i < t->nactors; i++)
		n += op_ready(w, t, i);
	*nsteps = rc_mem_steps(w->m, steps, 64);
	return n + *nsteps;
}

/* Performs move k of the enabled ones. */
static void move(struct world *w, const struct test *t, unsigned k)
{
	struct rc_mem_step steps[64];
	unsigned nsteps;

	for (unsigned i = 0; i < t->nactors; i++)
		if (op_ready(w, t, i) && k-- == 0) {
			op_do(w, t, i);
			return;
		}
	(void)moves(w, t, steps, &nsteps);
	if (k >= nsteps || rc_mem_step(w->m, &steps[k]) < 0)
		abort();
}

static uint64_t key(const struct world *w, const struct search *x)
{
	uint64_t rv[8], wv[8], h = rc_mem_state_hash(w->m);
	unsigned n = x->t->nreplicas;

	rc_mem_session_vectors(w->s, rv, wv);
	for (unsigned i = 0; i < x->t->nactors; i++)
		h = (h ^ w->pc[i]) * 0x100000001b3ull;
	for (unsigned i = 0; i < w->nreads; i++)
		h = (h ^ (w->reads[i] + 7)) * 0x100000001b3ull;
	for (unsigned k = 0; k < n; k++)
		h = ((h ^ rv[k]) * 0x100000001b3ull ^ wv[k]) * 0x100000001b3ull;
	return h;
}

/* An open-addressing set of keys (0 stands for empty: keys are made
 * nonzero). */
static bool seen_add(struct search *x, uint64_t k)
{
	k |= 1;
	if (2 * (x->nseen + 1) > x->cap) {
		size_t oc = x->cap, nc = oc ? 2 * oc : 4096;
		uint64_t *old = x->seen;

		x->seen = calloc(nc, sizeof(*x->seen));
		if (x->seen == NULL)
			abort();
		x->cap = nc;
		for (size_t i = 0; i < oc; i++)
			if (old[i] != 0) {
				size_t j = old[i] & (nc - 1);

				while (x->seen[j] != 0)
					j = (j + 1) & (nc - 1);
				x->seen[j] = old[i];
			}
		free(old);
	}
	for (size_t j = k & (x->cap - 1);; j = (j + 1) & (x->cap - 1)) {
		if (x->seen[j] == k)
			return true;
		if (x->seen[j] == 0) {
			x->seen[j] = k;
			x->nseen++;
			return false;
		}
	}
}

static void dfs(struct search *x, unsigned *path, unsigned depth)
{
	struct world w;
	struct rc_mem_step steps[64];
	unsigned nsteps, n;
	bool done = true;

	world_init(&w, x);
	for (unsigned d = 0; d < depth; d++)
		move(&w, x->t, path[d]);
	if (seen_add(x, key(&w, x))) {
		world_free(&w);
		return;
	}
	n = moves(&w, x->t, steps, &nsteps);
	for (unsigned i = 0; i < x->t->nactors; i++)
		done &= w.pc[i] == x->t->a[i].nops;
	if (done) {
		unsigned bits = 0;

		for (unsigned i = 0; i < w.nreads; i++)
			bits |= (unsigned)(w.reads[i] != 0) << i;
		x->outcome[bits] = true;
	} else if (n == 0) {
		x->stuck = true;
	}
	world_free(&w);
	if (done)
		return;
	for (unsigned k = 0; k < n; k++) {
		path[depth] = k;
		dfs(x, path, depth + 1);
	}
}

/* "r0=1 r1=0" */
static void outcome_name(unsigned bits, unsigned nreads, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < nreads && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%sr%u=%u",
				      i ? " " : "", i, (bits >> i) & 1);
}

static void run(const struct test *t, enum rc_level level)
{
	struct search off = { t, level, 0, NULL, 0, 0, { false }, false };
	struct search on = { t, level, t->guarantee, NULL,
			     0, 0,     { false },    false };
	unsigned path[64], nout = 1u << t->nreads;
	bool exact = true;
	char row[256], b[32];
	size_t o = 0;

	dfs(&off, path, 0);
	dfs(&on, path, 0);
	ok(!off.stuck && !on.stuck, "%s at %s: every schedule ends", t->name,
	   rc_level_name(level));
	/* the table row: each outcome, allowed off / on */
	for (unsigned bits = 0; bits < nout; bits++) {
		if (!off.outcome[bits] && !on.outcome[bits])
			continue;
		outcome_name(bits, t->nreads, b, sizeof(b));
		o += (size_t)snprintf(row + o, sizeof(row) - o, "%s[%s %s/%s]",
				      o ? " " : "", b,
				      off.outcome[bits] ? "yes" : "no",
				      on.outcome[bits] ? "yes" : "no");
		if (on.outcome[bits] && !off.outcome[bits])
			exact = false; /* a guarantee adds nothing */
		if (bits != t->bad && on.outcome[bits] != off.outcome[bits])
			exact = false; /* removed something else */
	}
	diag("%s at %s (off/on): %s", t->name, rc_level_name(level), row);
	ok(exact && !on.outcome[t->bad],
	   "%s at %s: the guarantee forbids its outcome and changes no other",
	   t->name, rc_level_name(level));
	/* where the object itself keeps the guarantee, there is nothing
	 * to remove: say which */
	if (level == RC_EVENTUAL)
		ok(off.outcome[t->bad],
		   "%s at eventual: without the guarantee its outcome happens",
		   t->name);
	else
		diag("%s at causal: without the guarantee its outcome %s",
		     t->name,
		     off.outcome[t->bad] ? "happens" : "never happens");
	free(off.seen);
	free(on.seen);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		run(&tests[i], RC_EVENTUAL);
		run(&tests[i], RC_CAUSAL);
	}
	done_testing();
	return exit_status();
}
