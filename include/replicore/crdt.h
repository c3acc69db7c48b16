/* SPDX-License-Identifier: MIT */
/* replicore/crdt.h: convergent replicated data types, state-based: counters, sets, registers and a sequence, each with a join. */
#ifndef REPLICORE_CRDT_H
#define REPLICORE_CRDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Convergent replicated data types (after Shapiro et al., "Conflict-free
 * Replicated Data Types", 2011). Every type here is state-based: a value
 * is one replica's state, updates change it locally, and replicas
 * exchange whole states, which rc_crdt_merge joins. The states of a type
 * form a join semilattice under rc_crdt_leq, and the merge law holds for
 * every type:
 *
 *	merge(a, b) == merge(b, a)			commutative
 *	merge(merge(a, b), c) == merge(a, merge(b, c))	associative
 *	merge(a, a) == a				idempotent
 *	a <= merge(a, b)				inflationary
 *
 * and every update moves a state up (a <= update(a)). So replicas that
 * have received the same updates, in any order, through any number of
 * merges, in any grouping, hold equal states and answer every query
 * alike (tests/unit/test_crdt.c checks all of it over random states).
 *
 * Elements and values are uint64_t. Replicas are numbered 0..n-1; n is
 * fixed when a value is created, and merging values of different types
 * or different n fails with -RC_EINVAL.
 *
 * Concurrency: a value belongs to one replica. None of these calls
 * synchronises or takes a lock; a value may be read (queries, merge's
 * source, clone's source) by any number of threads at once while nobody
 * updates it, and is updated (updates, merge's destination) by one
 * thread at a time. Every call is wait-free except that the ones that
 * grow a state allocate (malloc): they return -RC_ENOMEM without memory
 * and leave the value as it was. Queries allocate nothing, except the
 * sequence's (insert, delete and list lay out the visible order in
 * scratch memory, linear in the elements ever inserted).
 */

enum rc_crdt_kind {
	/* counters */
	RC_CRDT_GCOUNTER,  /* grow-only: rc_crdt_inc */
	RC_CRDT_PNCOUNTER, /* up and down: rc_crdt_inc, rc_crdt_dec */
	/* sets of uint64_t */
	RC_CRDT_GSET,	 /* grow-only: rc_crdt_add */
	RC_CRDT_TWOPSET, /* two-phase: add; remove once, for ever */
	RC_CRDT_ORSET,	 /* observed-remove: a remove takes away the adds
			 * it has seen; a concurrent add survives */
	/* registers */
	RC_CRDT_LWW, /* last writer wins by (Lamport time, replica) */
	RC_CRDT_MV,  /* multi-value: concurrent writes all kept, by
		      * version vector, until a later write covers them */
	/* a sequence */
	RC_CRDT_RGA, /* replicated growable array: insert after a visible
		      * element, delete (a tombstone); concurrent inserts
		      * at one place ordered by (Lamport time, replica) */
	RC_CRDT_NKINDS
};

typedef struct rc_crdt rc_crdt_t;

/* A new value of kind over n replicas (1 <= n <= 65535), empty (counters
 * 0, sets and the sequence empty, registers unwritten), or NULL without
 * memory or for a bad kind or n. */
rc_crdt_t *rc_crdt_create(enum rc_crdt_kind kind, unsigned n);
void rc_crdt_destroy(rc_crdt_t *c);
/* A copy of c, or NULL without memory. */
rc_crdt_t *rc_crdt_clone(const rc_crdt_t *c);

enum rc_crdt_kind rc_crdt_kind(const rc_crdt_t *c);
unsigned rc_crdt_replicas(const rc_crdt_t *c);
/* The kind's name ("gcounter", "pncounter", "gset", "2pset", "orset",
 * "lww", "mv", "rga"), or "?" for a bad kind. */
const char *rc_crdt_kind_name(enum rc_crdt_kind kind);

/* ---- the lattice ---- */

/* dst = the join of dst and src. 0, -RC_EINVAL (kinds or n differ) or
 * -RC_ENOMEM (dst unchanged). */
int rc_crdt_merge(rc_crdt_t *dst, const rc_crdt_t *src);
/* Whether a <= b in the type's order: b has seen every update a has.
 * False when the kinds or n differ. */
bool rc_crdt_leq(const rc_crdt_t *a, const rc_crdt_t *b);
/* Whether a and b are the same state (a <= b and b <= a). */
bool rc_crdt_equal(const rc_crdt_t *a, const rc_crdt_t *b);

/* ---- updates at replica r (r < n), and queries ---- */
/* An update of the wrong kind, or with r >= n, returns -RC_EINVAL. */

/* Counters: add by (gcounter, pncounter), subtract by (pncounter). The
 * value is the sum of every replica's adds less its subtractions, modulo
 * 2^64 (read it as int64_t for a pncounter that went below 0). */
int rc_crdt_inc(rc_crdt_t *c, unsigned r, uint64_t by);
int rc_crdt_dec(rc_crdt_t *c, unsigned r, uint64_t by);
uint64_t rc_crdt_value(const rc_crdt_t *c);

/* Sets: add and remove e. A 2P-set's remove of an element that is not in
 * the set does nothing (its precondition); once removed, an element of a
 * 2P-set never comes back. An OR-set's remove takes away the adds of e
 * this replica has seen; an add it has not seen (concurrent) stays. */
int rc_crdt_add(rc_crdt_t *c, unsigned r, uint64_t e);
int rc_crdt_remove(rc_crdt_t *c, unsigned r, uint64_t e);
bool rc_crdt_contains(const rc_crdt_t *c, uint64_t e);
/* Writes up to max of the set's elements, ascending, to out; returns how
 * many the set has (which may be more than max). */
size_t rc_crdt_elements(const rc_crdt_t *c, uint64_t *out, size_t max);

/* Registers: write v. A LWW register's write is stamped one past the
 * largest Lamport time the replica has seen; an MV register's write
 * covers every value the replica holds. read writes up to max values to
 * out, ascending, and returns how many the register holds: 0 before any
 * write, 1 for LWW after one, and for MV one per concurrent write. */
int rc_crdt_write(rc_crdt_t *c, unsigned r, uint64_t v);
size_t rc_crdt_read(const rc_crdt_t *c, uint64_t *out, size_t max);

/* The sequence: insert v so that it becomes visible element pos (0 <=
 * pos <= length; -RC_EINVAL beyond), or delete visible element pos (pos
 * < length). list writes up to max visible elements in order and returns
 * the length, or SIZE_MAX without memory for its scratch. */
int rc_crdt_insert(rc_crdt_t *c, unsigned r, size_t pos, uint64_t v);
int rc_crdt_delete(rc_crdt_t *c, unsigned r, size_t pos);
size_t rc_crdt_list(const rc_crdt_t *c, uint64_t *out, size_t max);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_CRDT_H */
