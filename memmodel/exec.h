/* SPDX-License-Identifier: MIT */
/*
 * exec.h: candidate executions as bit-matrix relations, and the interface
 * every model implements.
 *
 * The memmodel sources are compiled twice. The narrow copy (RC_EXEC_WORDS
 * 1, the default) handles executions of at most 64 events: an event set
 * and a relation row are one 64-bit word, relations are arrays of 64 rows.
 * The wide copy (compiled with RC_EXEC_WORDS 64, its internal symbols
 * renamed below) handles executions of up to RC_EXEC_MAX = 4096 events:
 * an event set is up to 64 words, of which the first x->nw are used, and
 * a relation is x->n rows of x->nw words each, on the heap. The models
 * and the enumerator are written once, against the bit-set operations
 * below, which take the word count: with the constant 1 of the narrow
 * copy they compile to the one-word code. rc_model_run enters the narrow
 * copy, which hands a test whose executions may exceed 64 events (or 64
 * locations) to the wide one.
 */
#ifndef RC_MEMMODEL_EXEC_H
#define RC_MEMMODEL_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <replicore/litmus.h>
#include <replicore/model.h>

#ifndef RC_EXEC_WORDS
#define RC_EXEC_WORDS 1
#endif

/* At most this many events in one execution. */
#define RC_EXEC_MAX (64 * RC_EXEC_WORDS)

#if RC_EXEC_WORDS == 1
/* Threads: by event count, at most one a non-initial event. */
#define RC_EXEC_THREADS RC_EXEC_MAX
/* A relation: one word per row. */
typedef uint64_t rel_t[RC_EXEC_MAX];
/* Words of an event set or a relation row. */
#define RC_NW(x) ((void)(x), 1)
/* A scratch relation of x's size, for the duration of one check. */
#define REL_LOCAL(x, name) rel_t name
#else
/* struct ev holds the thread in an int8_t. */
#define RC_EXEC_THREADS 127
typedef uint64_t *rel_t;
#define RC_NW(x) ((x)->nw)
#define REL_LOCAL(x, name) uint64_t *const name = _rc_rel_tmp(x)
/* the wide copy's internal symbols */
#define _rc_rel_zero _rc_wide_rel_zero
#define _rc_rel_copy _rc_wide_rel_copy
#define _rc_rel_union _rc_wide_rel_union
#define _rc_rel_compose _rc_wide_rel_compose
#define _rc_rel_closure _rc_wide_rel_closure
#define _rc_rel_acyclic _rc_wide_rel_acyclic
#define _rc_rel_find_cycle _rc_wide_rel_find_cycle
#define _rc_rel_tmp _rc_wide_rel_tmp
#define _rc_rel_tmp_drop _rc_wide_rel_tmp_drop
#define _rc_rel_acyclic_from _rc_wide_rel_acyclic_from
#define _rc_rel_then_reflexive _rc_wide_rel_then_reflexive
#define _rc_why_two_cycle _rc_wide_why_two_cycle
#define _rc_why_point _rc_wide_why_point
#define _rc_atomicity _rc_wide_atomicity
#define _rc_rmw_order _rc_wide_rmw_order
#define _rc_ra_check _rc_wide_ra_check
#define _rc_model_sc _rc_wide_model_sc
#define _rc_model_tso _rc_wide_model_tso
#define _rc_model_rc11 _rc_wide_model_rc11
#define _rc_model_c11 _rc_wide_model_c11
#define _rc_model_ra _rc_wide_model_ra
#define _rc_model_sra _rc_wide_model_sra
#define _rc_witness_str _rc_wide_witness_str
#define _rc_why_str _rc_wide_why_str
#define _rc_dot_str _rc_wide_dot_str
#define _rc_enumerate _rc_wide_enumerate
#endif

/* An event set: bit i is event i. */
typedef uint64_t evset_t[RC_EXEC_WORDS];

/* Row i of relation r, of nw words a row. */
#define ROW(r, i, nw) ((r) + (size_t)(i) * (size_t)(nw))

/* ---- bit sets of nw words ---- */

static inline bool bs_has(const uint64_t *a, int i)
{
	return a[i >> 6] >> (i & 63) & 1;
}

static inline void bs_set(uint64_t *a, int i)
{
	a[i >> 6] |= UINT64_C(1) << (i & 63);
}

static inline void bs_clr(uint64_t *a, int i)
{
	a[i >> 6] &= ~(UINT64_C(1) << (i & 63));
}

static inline void bs_zero(int nw, uint64_t *d)
{
	for (int k = 0; k < nw; k++)
		d[k] = 0;
}

static inline void bs_copy(int nw, uint64_t *d, const uint64_t *a)
{
	for (int k = 0; k < nw; k++)
		d[k] = a[k];
}

/* d = {i}. */
static inline void bs_one(int nw, uint64_t *d, int i)
{
	bs_zero(nw, d);
	bs_set(d, i);
}

/* d = events 0 .. n-1. */
static inline void bs_upto(int nw, uint64_t *d, int n)
{
	for (int k = 0; k < nw; k++)
		d[k] = n >= 64 * (k + 1) ? ~UINT64_C(0)
		       : n <= 64 * k	 ? 0
					 : (UINT64_C(1) << (n - 64 * k)) - 1;
}

/* d |= a */
static inline void bs_or(int nw, uint64_t *d, const uint64_t *a)
{
	for (int k = 0; k < nw; k++)
		d[k] |= a[k];
}

/* d = a & b */
static inline void bs_and(int nw, uint64_t *d, const uint64_t *a,
			  const uint64_t *b)
{
	for (int k = 0; k < nw; k++)
		d[k] = a[k] & b[k];
}

/* d = a & ~b */
static inline void bs_andnot(int nw, uint64_t *d, const uint64_t *a,
			     const uint64_t *b)
{
	for (int k = 0; k < nw; k++)
		d[k] = a[k] & ~b[k];
}

/* d |= a & b */
static inline void bs_orand(int nw, uint64_t *d, const uint64_t *a,
			    const uint64_t *b)
{
	for (int k = 0; k < nw; k++)
		d[k] |= a[k] & b[k];
}

/* d &= a */
static inline void bs_mask(int nw, uint64_t *d, const uint64_t *a)
{
	for (int k = 0; k < nw; k++)
		d[k] &= a[k];
}

/* d &= ~a */
static inline void bs_cut(int nw, uint64_t *d, const uint64_t *a)
{
	for (int k = 0; k < nw; k++)
		d[k] &= ~a[k];
}

static inline bool bs_any(int nw, const uint64_t *a)
{
	uint64_t r = 0;

	for (int k = 0; k < nw; k++)
		r |= a[k];
	return r != 0;
}

/* a & b is not empty */
static inline bool bs_meets(int nw, const uint64_t *a, const uint64_t *b)
{
	for (int k = 0; k < nw; k++)
		if (a[k] & b[k])
			return true;
	return false;
}

/* a is a subset of b */
static inline bool bs_within(int nw, const uint64_t *a, const uint64_t *b)
{
	for (int k = 0; k < nw; k++)
		if (a[k] & ~b[k])
			return false;
	return true;
}

static inline bool bs_equal(int nw, const uint64_t *a, const uint64_t *b)
{
	for (int k = 0; k < nw; k++)
		if (a[k] != b[k])
			return false;
	return true;
}

/* Set bits of a word, inline (the builtin is a libgcc call without
 * -mpopcnt). */
static inline int bs_popcount(uint64_t v)
{
	v = v - ((v >> 1) & UINT64_C(0x5555555555555555));
	v = (v & UINT64_C(0x3333333333333333)) +
	    ((v >> 2) & UINT64_C(0x3333333333333333));
	v = (v + (v >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (int)((v * UINT64_C(0x0101010101010101)) >> 56);
}

static inline int bs_count(int nw, const uint64_t *a)
{
	int c = 0;

	for (int k = 0; k < nw; k++)
		c += bs_popcount(a[k]);
	return c;
}

/* The lowest event of a, or -1. */
static inline int bs_first(int nw, const uint64_t *a)
{
	for (int k = 0; k < nw; k++)
		if (a[k])
			return 64 * k + __builtin_ctzll(a[k]);
	return -1;
}

/* The lowest event of a & ~b, or -1. */
static inline int bs_first_andnot(int nw, const uint64_t *a, const uint64_t *b)
{
	for (int k = 0; k < nw; k++)
		if (a[k] & ~b[k])
			return 64 * k + __builtin_ctzll(a[k] & ~b[k]);
	return -1;
}

/*
 * Runs the statement that follows for each event i of a, in increasing
 * order (i: an int declared by the caller). Each word is read when the
 * walk reaches it: the body must not change the set walked. A break in
 * the body leaves only the current word: use a flag or goto.
 */
#define BS_EACH(i, nw, a)                                                     \
	for (int i##_k = 0; i##_k < (nw); i##_k++)                            \
		for (uint64_t i##_m = (a)[i##_k];                             \
		     i##_m && ((i) = 64 * i##_k + __builtin_ctzll(i##_m), 1); \
		     i##_m &= i##_m - 1)

/* The same over a & b. */
#define BS_EACH_AND(i, nw, a, b)                                              \
	for (int i##_k = 0; i##_k < (nw); i##_k++)                            \
		for (uint64_t i##_m = (a)[i##_k] & (b)[i##_k];                \
		     i##_m && ((i) = 64 * i##_k + __builtin_ctzll(i##_m), 1); \
		     i##_m &= i##_m - 1)

/* The same over a & ~b. */
#define BS_EACH_ANDNOT(i, nw, a, b)                                           \
	for (int i##_k = 0; i##_k < (nw); i##_k++)                            \
		for (uint64_t i##_m = (a)[i##_k] & ~(b)[i##_k];               \
		     i##_m && ((i) = 64 * i##_k + __builtin_ctzll(i##_m), 1); \
		     i##_m &= i##_m - 1)

enum ev_type {
	EV_R,
	EV_W,
	EV_F,
};

enum ev_flag {
	EVF_INIT = 1,	/* an initial write */
	EVF_LOCKED = 2, /* x86 locked instruction (herd's A set) */
	EVF_MFENCE = 4, /* x86 MFENCE */
	EVF_RMW = 8,	/* part of a read-modify-write */
};

struct ev {
	uint8_t type;
	uint8_t mo; /* enum rc_mo */
	uint8_t flags;
	int8_t thread;	/* -1 for initial writes */
	int16_t loc;	/* -1 for fences */
	int16_t line;	/* source line of the statement */
	int16_t ins;	/* instruction instance within the thread */
	int16_t useq;	/* index in the thread's trace of unseq's bit 0 */
	uint64_t unseq; /* C: events of its thread it is unsequenced with,
			 * bit k: index useq + k in the thread's trace */
	int64_t val;
};

/* Scratch relations of the wide copy: cap of them, stride words each. */
struct rc_tmp {
	uint64_t *buf;
	size_t stride;
	int used, cap;
};

/*
 * One candidate execution; models read it, never write it. Relations
 * are x->n rows of RC_NW(x) words.
 */
struct rc_exec {
	const rc_litmus_t *t;
	int n;
	int nw; /* words of a set or a row (the wide copy; 1 in the narrow) */
	struct rc_tmp *tmp;
	struct ev ev[RC_EXEC_MAX];
	evset_t all, R, W, F, init, mem;
	evset_t thr[RC_EXEC_THREADS + 1]; /* events of thread i */
	evset_t at_mo[8];		  /* events by memory order */
	rel_t po;  /* program order, transitive, init excluded */
	rel_t rf;  /* write -> reads of it */
	rel_t co;  /* coherence, transitive, per location */
	rel_t fr;  /* from-read: rf^-1;co */
	rel_t rmw; /* read -> write of one RMW */
	rel_t loc; /* same location, memory events, irreflexive */
	rel_t ext; /* different threads (init writes external to all) */
	int rf_of[RC_EXEC_MAX];
};

/* Why an execution is inconsistent: the axiom and a cycle. */
struct rc_why {
	const char *axiom;
	int ncycle;
	int cycle[RC_EXEC_MAX + 1];
	const char *label[RC_EXEC_MAX + 1]; /* label[i]: edge cycle[i]->[i+1] */
};

/*
 * A model: one file defines one of these. check() returns true when the
 * execution is consistent; when not and why is non-NULL it fills why.
 * racy() (may be NULL) says whether a consistent execution has a data
 * race that makes the program undefined. prefilter: the model forbids
 * every execution where a location is not sequentially consistent on its
 * own (and, for C RMWs, one whose RMW is not atomic), so enumeration may
 * prune those; and, unless thin_air is set, every execution where po|rf
 * is cyclic.
 */
struct rc_model {
	const char *name;
	const char *herd_name;
	const char *summary;
	unsigned archs; /* bit (1 << enum rc_litmus_arch) */
	bool prefilter;
	bool thin_air; /* allows po|rf cycles: do not cut them */
	bool (*check)(const struct rc_exec *x, struct rc_why *why);
	bool (*racy)(const struct rc_exec *x);
	/* herd7's axioms as its cat file states them, where ours differ */
	const struct rc_model *herd;
};

extern const struct rc_model _rc_model_sc, _rc_model_tso, _rc_model_rc11,
	_rc_model_c11, _rc_model_ra, _rc_model_sra;

/* ---- relation algebra on x's relations (rel.c) ---- */

void _rc_rel_zero(const struct rc_exec *x, uint64_t *r);
void _rc_rel_copy(const struct rc_exec *x, uint64_t *d, const uint64_t *s);
void _rc_rel_union(const struct rc_exec *x, uint64_t *d,
		   const uint64_t *a); /* d |= a */
void _rc_rel_compose(const struct rc_exec *x, uint64_t *d, const uint64_t *a,
		     const uint64_t *b);
void _rc_rel_closure(const struct rc_exec *x, uint64_t *d,
		     const uint64_t *a); /* a+ */
bool _rc_rel_acyclic(const struct rc_exec *x, const uint64_t *a);
/* Acyclic on the events of from, whose rows lead only into from. */
bool _rc_rel_acyclic_from(const struct rc_exec *x, const uint64_t *a,
			  const uint64_t *from);

/*
 * The least event u with u in (a;b)(u), a transitive: -1 when a;b is
 * irreflexive, -2 when a is cyclic (nothing computed).
 */
int _rc_rel_then_reflexive(const struct rc_exec *x, const uint64_t *a,
			   const uint64_t *b);

#if RC_EXEC_WORDS > 1
/*
 * A scratch relation of x->n rows, valid until the enumerator starts the
 * next check (it resets the pool); _rc_rel_tmp_drop(x, k) gives back the
 * last k taken.
 */
uint64_t *_rc_rel_tmp(const struct rc_exec *x);
void _rc_rel_tmp_drop(const struct rc_exec *x, int k);
#define REL_DROP(x, k) _rc_rel_tmp_drop(x, k)
#else
#define REL_DROP(x, k) ((void)(x), (void)(k))
#endif

/*
 * Records in why (when not NULL) that axiom fails on the two-edge cycle
 * a -la-> b -lb-> a; returns false, so a check can `return` it.
 */
bool _rc_why_two_cycle(struct rc_why *why, const char *axiom, int a,
		       const char *la, int b, const char *lb);

/*
 * Finds a cycle of a (when there is one) and writes it into why with
 * axiom name; each edge is labelled with the name of the first of the
 * nparts relations that holds it (or "?" when none).
 */
bool _rc_rel_find_cycle(const struct rc_exec *x, const uint64_t *a,
			const char *axiom, const uint64_t *const *parts,
			const char *const *names, int nparts,
			struct rc_why *why);

/* A reflexive point x of a: why is "x -name-> x". */
void _rc_why_point(struct rc_why *why, const char *axiom, int x,
		   const char *label);

#endif /* RC_MEMMODEL_EXEC_H */
