/* SPDX-License-Identifier: MIT */
/* exec.h: candidate executions as bit-matrix relations, and the interface every model implements. */
#ifndef RC_MEMMODEL_EXEC_H
#define RC_MEMMODEL_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include <replicore/litmus.h>
#include <replicore/model.h>

/* At most this many events in one execution: a relation row is one word. */
#define RC_EXEC_MAX 64

typedef uint64_t rel_t[RC_EXEC_MAX];

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
	uint64_t unseq; /* C: events of its thread it is unsequenced with,
			 * by index in the thread's trace */
	int64_t val;
};

/* One candidate execution; models read it, never write it. */
struct rc_exec {
	const rc_litmus_t *t;
	int n;
	struct ev ev[RC_EXEC_MAX];
	uint64_t all, R, W, F, init, mem;
	uint64_t thr[RC_EXEC_MAX + 1]; /* events of thread i; [i]: by event */
	uint64_t at_mo[8];	       /* events by memory order */
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

/* ---- relation algebra on bit matrices (rel.c) ---- */

void _rc_rel_zero(rel_t r, int n);
void _rc_rel_copy(rel_t d, const rel_t s, int n);
void _rc_rel_union(rel_t d, const rel_t a, int n); /* d |= a */
void _rc_rel_compose(rel_t d, const rel_t a, const rel_t b, int n);
void _rc_rel_closure(rel_t d, const rel_t a, int n); /* a+ */
void _rc_rel_inverse(rel_t d, const rel_t a, int n);
/* d = [dom]; a; [rng] */
void _rc_rel_restrict(rel_t d, const rel_t a, uint64_t dom, uint64_t rng,
		      int n);
bool _rc_rel_acyclic(const rel_t a, int n);
bool _rc_rel_irreflexive(const rel_t a, int n);
bool _rc_rel_empty(const rel_t a, int n);

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
bool _rc_rel_find_cycle(const rel_t a, int n, const char *axiom,
			const rel_t *const *parts, const char *const *names,
			int nparts, struct rc_why *why);

/* A reflexive point x of a: why is "x -name-> x". */
void _rc_why_point(struct rc_why *why, const char *axiom, int x,
		   const char *label);

#endif /* RC_MEMMODEL_EXEC_H */
