/* SPDX-License-Identifier: MIT */
/* test_mem_explore.c: every schedule of small programs on each level, through clones and state hashes. */
#include <replicore/mem.h>

#include "tests/tap.h"
#include "tests/unit/mem_ops.h"

/*
 * A depth-first search over all interleavings of the replicas' operations
 * and the enabled propagation steps, from clones of the object, pruning
 * states already seen (object hash plus program counters and registers).
 * At every end the object is quiesced, its replicas must agree on every
 * location, and the registers plus the final values form an outcome.
 * Then: store buffering is reachable at TSO and causal only, and with
 * seq_cst fences nowhere (with acq_rel fences still at TSO and causal);
 * message passing, load buffering, coherence and 2+2W are never
 * violated; IRIW is causal-only, and with seq_cst fences between the
 * readers' loads unreachable everywhere, as R with seq_cst fences; two
 * fetch_adds never lose an update.
 */

#define MAXT 4
#define MAXOPS 4
#define MAXREG 8
#define MAXOUT 256

struct op {
	char kind; /* S store, L load, F fence, f acq_rel fence, A fetch_add */
	unsigned loc;
	uint64_t v;
	int reg;
};

struct prog {
	const char *name;
	unsigned nt, nlocs;
	unsigned len[MAXT];
	struct op ops[MAXT][MAXOPS];
};

struct outcome {
	uint64_t reg[MAXREG];
	uint64_t fin[4];
};

struct search {
	const struct prog *p;
	struct outcome out[MAXOUT];
	unsigned nout;
	uint64_t *seen;
	size_t cap, nseen;
	unsigned states, disagree;
};

struct node {
	unsigned pc[MAXT];
	uint64_t reg[MAXREG];
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

/* Returns true when h is new. */
static bool visit(struct search *s, uint64_t h)
{
	size_t i;

	if (h == 0)
		h = 1;
	if (2 * (s->nseen + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		uint64_t *t = calloc(cap, sizeof(*t));

		for (size_t j = 0; j < s->cap; j++) {
			if (s->seen[j] == 0)
				continue;
			for (i = s->seen[j] % cap; t[i] != 0; i = (i + 1) % cap)
				;
			t[i] = s->seen[j];
		}
		free(s->seen);
		s->seen = t;
		s->cap = cap;
	}
	for (i = h % s->cap; s->seen[i] != 0; i = (i + 1) % s->cap)
		if (s->seen[i] == h)
			return false;
	s->seen[i] = h;
	s->nseen++;
	return true;
}

static void record(struct search *s, rc_mem_t *m, const struct node *n)
{
	struct outcome o = { 0 };

	rc_mem_quiesce(m);
	memcpy(o.reg, n->reg, sizeof(o.reg));
	for (unsigned l = 0; l < s->p->nlocs; l++) {
		o.fin[l] = rc_mem_read_replica(m, 0, l);
		for (unsigned r = 1; r < s->p->nt; r++)
			if (rc_mem_read_replica(m, r, l) != o.fin[l])
				s->disagree++;
	}
	for (unsigned i = 0; i < s->nout; i++)
		if (memcmp(&s->out[i], &o, sizeof(o)) == 0)
			return;
	if (s->nout < MAXOUT)
		s->out[s->nout++] = o;
}

static void dfs(struct search *s, rc_mem_t *m, const struct node *n)
{
	const struct prog *p = s->p;
	struct rc_mem_step st[64];
	unsigned nst;
	uint64_t h = rc_mem_state_hash(m);
	bool done = true;

	for (unsigned t = 0; t < p->nt; t++)
		h = mix(h, n->pc[t]);
	for (unsigned r = 0; r < MAXREG; r++)
		h = mix(h, n->reg[r]);
	if (!visit(s, h))
		return;
	s->states++;
	for (unsigned t = 0; t < p->nt; t++) {
		const struct op *op;
		struct node c = *n;
		rc_mem_t *m2;
		rc_mem_replica_t *r;

		if (n->pc[t] == p->len[t])
			continue;
		done = false;
		op = &p->ops[t][n->pc[t]];
		if (rc_mem_clone(&m2, m, NULL) < 0)
			abort();
		r = rc_mem_replica(m2, t);
		switch (op->kind) {
		case 'S':
			rc_mem_store(r, op->loc, op->v, RC_RELEASE);
			break;
		case 'L':
			c.reg[op->reg] = rc_mem_load(r, op->loc);
			break;
		case 'F':
			rc_mem_fence(r, RC_SEQ_CST);
			break;
		case 'f':
			rc_mem_fence(r, RC_ACQ_REL);
			break;
		case 'A':
			c.reg[op->reg] = fetch_add(r, op->loc, op->v);
			break;
		}
		c.pc[t]++;
		dfs(s, m2, &c);
		rc_mem_destroy(m2);
	}
	nst = rc_mem_steps(m, st, 64);
	for (unsigned i = 0; i < nst && i < 64; i++) {
		rc_mem_t *m2;

		if (rc_mem_clone(&m2, m, NULL) < 0)
			abort();
		if (rc_mem_step(m2, &st[i]) != 0)
			abort();
		dfs(s, m2, n);
		rc_mem_destroy(m2);
	}
	if (done) {
		rc_mem_t *m2;

		if (rc_mem_clone(&m2, m, NULL) < 0)
			abort();
		record(s, m2, n);
		rc_mem_destroy(m2);
	}
}

static void explore(struct search *s, const struct prog *p, enum rc_level level)
{
	rc_mem_t *m;
	struct node n = { { 0 }, { 0 } };

	memset(s, 0, sizeof(*s));
	s->p = p;
	if (rc_mem_create(&m, level, p->nlocs, p->nt, RC_MEM_EXPLORE, NULL) < 0)
		abort();
	dfs(s, m, &n);
	rc_mem_destroy(m);
	free(s->seen);
}

/* Is there an outcome whose registers r[i] == want[i] for i < k? */
static bool exists(const struct search *s, const uint64_t *want, unsigned k)
{
	for (unsigned i = 0; i < s->nout; i++)
		if (memcmp(s->out[i].reg, want, k * sizeof(*want)) == 0)
			return true;
	return false;
}

static bool exists_fin(const struct search *s, uint64_t x, uint64_t y)
{
	for (unsigned i = 0; i < s->nout; i++)
		if (s->out[i].fin[0] == x && s->out[i].fin[1] == y)
			return true;
	return false;
}

#define S(l, val)              \
	{                      \
		'S', l, val, 0 \
	}
#define L(l, r)              \
	{                    \
		'L', l, 0, r \
	}
#define F                    \
	{                    \
		'F', 0, 0, 0 \
	}
#define FW                   \
	{                    \
		'f', 0, 0, 0 \
	}
#define A(l, val, r)           \
	{                      \
		'A', l, val, r \
	}

static const struct prog sb = {
	"SB", 2, 2, { 2, 2 }, { { S(0, 1), L(1, 0) }, { S(1, 1), L(0, 1) } }
};
static const struct prog sbf = { "SB+fences",
				 2,
				 2,
				 { 3, 3 },
				 { { S(0, 1), F, L(1, 0) },
				   { S(1, 1), F, L(0, 1) } } };
static const struct prog sbw = { "SB+acq_rel fences",
				 2,
				 2,
				 { 3, 3 },
				 { { S(0, 1), FW, L(1, 0) },
				   { S(1, 1), FW, L(0, 1) } } };
/* R: x=1; F; y=1 against y=2; F; r0=x: y ends 2 with r0=0 only without
 * the fences' order. */
static const struct prog rf = { "R+fences",
				2,
				2,
				{ 3, 3 },
				{ { S(0, 1), F, S(1, 1) },
				  { S(1, 2), F, L(0, 0) } } };
static const struct prog mp = {
	"MP", 2, 2, { 2, 2 }, { { S(0, 1), S(1, 1) }, { L(1, 0), L(0, 1) } }
};
static const struct prog lb = {
	"LB", 2, 2, { 2, 2 }, { { L(0, 0), S(1, 1) }, { L(1, 1), S(0, 1) } }
};
static const struct prog corr = {
	"CoRR", 2, 1, { 2, 2 }, { { S(0, 1), S(0, 2) }, { L(0, 0), L(0, 1) } }
};
static const struct prog w22 = {
	"2+2W", 2, 2, { 2, 2 }, { { S(0, 1), S(1, 2) }, { S(1, 1), S(0, 2) } }
};
static const struct prog iriw = {
	"IRIW",
	4,
	2,
	{ 1, 1, 2, 2 },
	{ { S(0, 1) }, { S(1, 1) }, { L(0, 0), L(1, 1) }, { L(1, 2), L(0, 3) } }
};
static const struct prog iriwf = { "IRIW+fences",
				   4,
				   2,
				   { 1, 1, 3, 3 },
				   { { S(0, 1) },
				     { S(1, 1) },
				     { L(0, 0), F, L(1, 1) },
				     { L(1, 2), F, L(0, 3) } } };
static const struct prog fadd = {
	"FADD", 2, 1, { 1, 1 }, { { A(0, 1, 0) }, { A(0, 1, 1) } }
};

int main(void)
{
	static struct search s;
	static const uint64_t zero2[2] = { 0, 0 }, mp_bad[2] = { 1, 0 },
			      lb_bad[2] = { 1, 1 }, corr_bad[2] = { 2, 1 },
			      iriw_bad[4] = { 1, 0, 1, 0 },
			      sb_one[2] = { 0, 1 };

	for (int lv = RC_LIN; lv <= RC_CAUSAL; lv++) {
		enum rc_level l = (enum rc_level)lv;
		const char *ln = rc_level_name(l);
		bool weak_sb = l == RC_TSO || l == RC_CAUSAL;
		bool all_two = true, r_bad, r_ok;

		explore(&s, &sb, l);
		ok(exists(&s, zero2, 2) == weak_sb,
		   "%s: SB r0=0,r1=0 %s (%u states, %u outcomes)", ln,
		   weak_sb ? "reachable" : "unreachable", s.states, s.nout);
		is(s.disagree, 0, "%s: SB: replicas agree after quiesce", ln);
		explore(&s, &sbf, l);
		ok(!exists(&s, zero2, 2) && exists(&s, sb_one, 2),
		   "%s: SB+fences r0=0,r1=0 unreachable (%u states, %u "
		   "outcomes)",
		   ln, s.states, s.nout);
		explore(&s, &sbw, l);
		ok(exists(&s, zero2, 2) == weak_sb,
		   "%s: SB+acq_rel fences r0=0,r1=0 %s", ln,
		   weak_sb ? "reachable" : "unreachable");
		explore(&s, &rf, l);
		r_bad = r_ok = false;
		for (unsigned i = 0; i < s.nout; i++) {
			r_bad |= s.out[i].fin[1] == 2 && s.out[i].reg[0] == 0;
			r_ok |= s.out[i].fin[1] == 2 && s.out[i].reg[0] == 1;
		}
		ok(!r_bad && r_ok, "%s: R+fences y=2 with r0=0 never", ln);
		explore(&s, &mp, l);
		ok(!exists(&s, mp_bad, 2) && exists(&s, zero2, 2),
		   "%s: MP flag without data never; both 0 possible", ln);
		explore(&s, &lb, l);
		ok(!exists(&s, lb_bad, 2), "%s: LB r0=1,r1=1 never", ln);
		explore(&s, &corr, l);
		ok(!exists(&s, corr_bad, 2), "%s: CoRR 2 then 1 never", ln);
		explore(&s, &w22, l);
		ok(!exists_fin(&s, 1, 1) && exists_fin(&s, 2, 2),
		   "%s: 2+2W final x=1,y=1 never", ln);
		is(s.disagree, 0, "%s: 2+2W: replicas converge", ln);
		explore(&s, &iriw, l);
		ok(exists(&s, iriw_bad, 4) == (l == RC_CAUSAL),
		   "%s: IRIW disagreeing readers %s (%u states)", ln,
		   l == RC_CAUSAL ? "reachable" : "unreachable", s.states);
		explore(&s, &iriwf, l);
		ok(!exists(&s, iriw_bad, 4) && exists(&s, iriw_bad + 1, 1),
		   "%s: IRIW+fences disagreeing readers unreachable (%u "
		   "states)",
		   ln, s.states);
		explore(&s, &fadd, l);
		for (unsigned i = 0; i < s.nout; i++)
			all_two = all_two && s.out[i].fin[0] == 2 &&
				  s.out[i].reg[0] + s.out[i].reg[1] == 1;
		ok(all_two && s.nout == 2,
		   "%s: two fetch_adds: always 2, returning 0 and 1 (%u "
		   "outcomes)",
		   ln, s.nout);
	}
	done_testing();
	return exit_status();
}
