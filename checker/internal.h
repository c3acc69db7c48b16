/* SPDX-License-Identifier: MIT */
/* internal.h: what the checker's files share: string pools, the history layout, hashing, clocks. */
#ifndef RC_CHECKER_INTERNAL_H
#define RC_CHECKER_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <replicore/check.h>
#include <replicore/history.h>

/*
 * Arrays that grow with the history (its operations, its strings, the
 * reading's string references): from 4 MiB on they are anonymous
 * mappings advised to use huge pages and grown by mremap, so that growing
 * copies nothing and touching them faults once per 2 MiB where the
 * kernel allows it; below, malloc. The caller keeps the byte sizes.
 * _rc_big_realloc returns NULL without memory (p is then untouched);
 * _rc_big_calloc's memory is zeroed.
 */
void *_rc_big_realloc(void *p, size_t old_bytes, size_t new_bytes);
void *_rc_big_calloc(size_t bytes);
void _rc_big_free(void *p, size_t bytes);

/* Interned byte strings: id -> bytes, bytes -> id. */
struct _rc_strpool {
	char *buf;
	size_t len, cap;
	size_t *off; /* off[id], len = off[id+1] - off[id] */
	size_t n, ncap;
	/* open addressing: (hash >> 32) << 32 | (id + 1), 0 empty; the
	 * stored hash half skips other strings without reading them and
	 * lets the table grow without hashing any string again */
	uint64_t *tab;
	size_t tcap;
};

void _rc_strpool_init(struct _rc_strpool *p);
void _rc_strpool_free(struct _rc_strpool *p);
/* Returns the id, or -1 when out of memory. */
int64_t _rc_strpool_intern(struct _rc_strpool *p, const char *s, size_t len);
const char *_rc_strpool_get(const struct _rc_strpool *p, size_t id,
			    size_t *len);
/* Interning with the string's _rc_hash_bytes computed already. */
int64_t _rc_strpool_intern_hashed(struct _rc_strpool *p, const char *s,
				  size_t len, uint64_t hash);
/*
 * The id of a string already interned, or -1; hash is its _rc_hash_bytes.
 * Only reads the pool.
 */
int64_t _rc_strpool_find(const struct _rc_strpool *p, const char *s, size_t len,
			 uint64_t hash);

/* A string to intern: its bytes and the high half of its _rc_hash_bytes,
 * the only half the pool's table uses. */
struct _rc_strref {
	const char *s;
	uint32_t len;
	uint32_t hash;
};

/*
 * Interns n strings in order, as n calls of _rc_strpool_intern_hashed
 * would, and stores their ids in ids. The table lookups of later strings
 * are prefetched while earlier ones are compared, so that their cache
 * misses overlap. Returns 0, or -1 when out of memory (ids partly set).
 */
int _rc_strpool_intern_many(struct _rc_strpool *p,
			    const struct _rc_strref *refs, size_t n,
			    uint32_t *ids);

struct rc_history {
	struct rc_hop *ops;
	size_t n, cap;
	struct _rc_strpool strs;
	enum rc_hformat format;
	rc_hval_t initial; /* RC_HVAL_NIL: the spec's own */
};

static inline uint64_t _rc_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static inline uint64_t _rc_hash_bytes(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= UINT64_C(1099511628211);
	}
	return _rc_mix64(h ^ n);
}

static inline double _rc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* splitmix64: the generators' deterministic random numbers. */
static inline uint64_t _rc_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * The limits of one check (or one read of a history file) and, for a kv
 * history split by key, the first key found violating: shared by the
 * threads that check its keys. A thread doing work for it points _rc_task
 * at its own task; the long loops (reading, splitting, searching) call
 * _rc_poll now and then, and the allocations that grow with the input
 * charge their bytes with _rc_charge. With no task both do nothing.
 */
enum _rc_stop {
	RC_GO = 0,
	RC_STOP_TIME,	 /* the deadline passed */
	RC_STOP_MEMORY,	 /* the memory limit was reached */
	RC_STOP_ABANDON, /* a key before this one is a violation */
};

struct _rc_budget {
	double deadline;	  /* _rc_now() seconds; 0: none */
	size_t max_bytes;	  /* 0: none */
	bool stop_first;	  /* abandon parts after first_bad */
	_Atomic size_t bytes;	  /* charged by all tasks now */
	_Atomic size_t first_bad; /* smallest violating part; SIZE_MAX */
	_Atomic int over; /* enum _rc_stop: RC_STOP_TIME/MEMORY once hit */
};

struct _rc_task {
	struct _rc_budget *b;
	size_t part;	   /* the part this thread checks */
	ptrdiff_t charged; /* bytes this task holds charged */
};

extern _Thread_local struct _rc_task *_rc_task;

void _rc_budget_init(struct _rc_budget *b, double deadline, size_t max_bytes,
		     bool stop_first);
/*
 * Charges delta bytes (negative: gives them back) to the current task's
 * budget. Returns false, charging nothing, when that would pass the limit.
 */
bool _rc_charge(ptrdiff_t delta);
/* Whether the current task should stop, and why (RC_GO: go on). */
enum _rc_stop _rc_poll(void);
/* "timed out", "memory limit reached", "abandoned" */
const char *_rc_stop_name(enum _rc_stop why);

/* A directed graph on nodes 0..n-1 as adjacency lists (graph.c). */
struct _rc_gedge {
	uint32_t to;
	uint32_t next; /* the next edge out of the same node; UINT32_MAX */
};

struct _rc_graph {
	uint32_t *head; /* the last edge added out of each node */
	struct _rc_gedge *e;
	size_t n, ne, cap;
};

/* A graph of n nodes and no edge: 0, or -1 without memory. */
int _rc_graph_init(struct _rc_graph *g, size_t n);
void _rc_graph_free(struct _rc_graph *g);
/* Adds the edge a -> b: its index (edges count from 0), or -1 when out
 * of memory or of the budget (_rc_charge). */
int64_t _rc_graph_add(struct _rc_graph *g, uint32_t a, uint32_t b);
/*
 * Finds a cycle: its length, 0 when g is acyclic (or out of memory).
 * nodes[i] (when nodes is not NULL) is its i-th node and edges[i] (when
 * edges is not NULL) the edge from nodes[i] to the next; each array needs
 * room for g->n entries.
 */
size_t _rc_graph_cycle(const struct _rc_graph *g, uint32_t *nodes,
		       uint32_t *edges);

/* The linearizability / sequential-consistency search over one part. */
int _rc_check_search(const rc_history_t *h, enum rc_spec spec,
		     enum rc_level level, const uint32_t *ids, size_t n,
		     double deadline, size_t max_states,
		     struct rc_check_part *part);

/* The causal checks (CC, CM, CCv) over one part. */
int _rc_check_causal(const rc_history_t *h, enum rc_spec spec,
		     enum rc_level level, const uint32_t *ids, size_t n,
		     double deadline, size_t max_states,
		     struct rc_check_part *part, bool *differentiated);

/*
 * The session guarantees in guarantees (bits 1u << RC_RYW, RC_MR, RC_MW,
 * RC_WFR) of the operations ids[0..n) of h (session.c).
 */
int _rc_check_session(const rc_history_t *h, enum rc_spec spec,
		      unsigned guarantees, const uint32_t *ids, size_t n,
		      struct rc_check_part *part);

/* A spec's initial state value and whether an op kind belongs to it. */
bool _rc_spec_has(enum rc_spec spec, unsigned kind);

#endif /* RC_CHECKER_INTERNAL_H */
