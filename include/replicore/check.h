/* SPDX-License-Identifier: MIT */
/* replicore/check.h: history checkers (linearizable, sequential, causal) with witnesses. */
#ifndef REPLICORE_CHECK_H
#define REPLICORE_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>
#include <replicore/history.h>
#include <replicore/level.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The sequential object the history is checked against. The initial
 * values are the specs' own; a history may give another to the register,
 * kv and counter specs (rc_history_set_initial).
 */
enum rc_spec {
	RC_SPEC_AUTO = 0,     /* guess from the operations and the format */
	RC_SPEC_REGISTER,     /* read, write; initial nil */
	RC_SPEC_CAS_REGISTER, /* read, write, cas; initial nil */
	RC_SPEC_KV,	      /* get, put, append per key; initial "" */
	RC_SPEC_QUEUE,	      /* enq, deq (nil when empty) */
	RC_SPEC_STACK,	      /* push, pop (nil when empty) */
	RC_SPEC_SET,	      /* add, remove, contains */
	RC_SPEC_COUNTER,      /* inc, read; initial 0 */
};

enum rc_verdict {
	RC_VERDICT_OK = 0,
	RC_VERDICT_VIOLATION,
	RC_VERDICT_UNKNOWN, /* time or state budget ran out */
};

struct rc_check_opts {
	enum rc_spec spec;
	enum rc_level level;
	double timeout;	   /* seconds for the whole history; 0: none */
	size_t max_states; /* memoised search states; 0: a default (2^25) */
	bool all_keys;	   /* kv at lin: check every key (false: stop at the
			      first violating key in file order) */
	size_t max_bytes;  /* memory the whole check may use, the history
			      included; 0: RC_CHECK_MAX_BYTES; SIZE_MAX: none */
	unsigned threads;  /* threads checking keys; 0: the usable CPUs */
	unsigned also;	   /* with a session level or RC_EVENTUAL, more
			      session guarantees to check at once: bits
			      1u << RC_RYW, RC_MR, RC_MW, RC_WFR */
};

/* The default memory limit of a check: 1 GiB. */
#define RC_CHECK_MAX_BYTES ((size_t)1 << 30)

#define RC_CHECK_OPTS_INITIALIZER                          \
	{                                                  \
		RC_SPEC_AUTO, RC_LIN, 0, 0, false, 0, 0, 0 \
	}

/*
 * One independent part of the history: the whole history, or one key of a
 * kv history (P-compositionality: a kv history is linearizable exactly when
 * each key's sub-history is). Op numbers index rc_history_op().
 *
 * When the verdict is OK, order is a witness: a linearization (lin, sc; the
 * indeterminate operations it contains took effect, the others did not), or
 * for the causal levels empty. When it is VIOLATION, for lin and sc, order is
 * the longest prefix the search could linearize and blocked are the
 * operations that could come next, none of which can; for the causal levels,
 * pattern names the bad pattern found and blocked holds its operations.
 */
struct rc_check_part {
	rc_hval_t key; /* RC_HVAL_NONE when the part is the whole history */
	enum rc_verdict verdict;
	size_t nops;	 /* operations of this part */
	uint32_t *order; /* witness order or longest prefix */
	size_t norder;
	uint32_t *blocked; /* operations that cannot come next */
	size_t nblocked;
	char pattern[32]; /* causal bad pattern, or "" */
	char note[256];	  /* why: state after the prefix, timeout, ... */
	double seconds;
	uint64_t states; /* search states visited */
};

typedef struct rc_check_result {
	enum rc_verdict
		verdict;   /* violation if any part; else unknown if any */
	enum rc_spec spec; /* the spec used (resolved from AUTO) */
	enum rc_level level;
	size_t nops;
	size_t nparts;
	struct rc_check_part *parts;
	bool differentiated; /* causal levels: each value written once */
	char note[256];	     /* empty history, stopped at the first violation */
	double seconds;
	size_t nkeys;	     /* kv at lin: keys in the history (nparts may stop
			 short of it at the first violating key); else 0 */
	unsigned guarantees; /* session levels and eventual: those
				checked, bits 1u << level; else 0 */
} rc_check_result_t;

/*
 * Checks h at opts->level against opts->spec. A kv history at RC_LIN is
 * checked key by key on opts->threads threads; unless opts->all_keys, the
 * keys after the first violating one in file order are not checked (or
 * are abandoned) and the result's parts stop at that key, the same one
 * whatever the threads' timing. The time and memory limits hold in every
 * phase, splitting included; when one is reached the verdict is unknown
 * (or a violation already found). The level is one a history
 * can be checked at (rc_level_is_history: RC_LIN, RC_SC, RC_CC, RC_CM,
 * RC_CCV, the session guarantees, RC_EVENTUAL); for the history of an
 * object, rc_level_checked_at() of the object's level. RC_EVENTUAL asks
 * that every read return the initial value or the value of a write of
 * its key that began before the read returned, and that the replicas
 * converge: the reads of a key invoked after its last write returned
 * (its final reads) all return one write, the last in an order of the
 * key's writes; a key with an indeterminate write is not judged on
 * convergence (part->note says how many). Its histories must be
 * differentiated (each value written once per key). Returns 0 and a result (free it with
 * rc_check_result_free) whatever the verdict; -RC_EINVAL when the level
 * is not one a history is checked at (RC_TSO, RC_CAUSAL: err names the
 * level to use), the history holds operations the spec does not have
 * (err says which line) or an initial value the spec does not take
 * (rc_history_set_initial), or -RC_ENOMEM. Reentrant: different threads may
 * check different histories, or the same one, at once; h is only read.
 * Blocking (allocates; searches for up to opts->timeout).
 */
int rc_check(const rc_history_t *h, const struct rc_check_opts *opts,
	     rc_check_result_t **out, rc_err_t *err);
void rc_check_result_free(rc_check_result_t *r);

/*
 * Writes one self-contained HTML page (inline CSS and SVG, no network) that
 * draws h as one timeline per process and highlights the witness or the
 * failure point. title is shown at the top. Returns 0, -RC_ENOMEM or
 * -RC_ESYS. Reentrant; h and r are only read. Blocking (writes out).
 */
int rc_check_html(const rc_history_t *h, const rc_check_result_t *r,
		  const char *title, FILE *out, rc_err_t *err);

/*
 * A span of time to mark on the page: what happened to the system under
 * test meanwhile (a fault, say). Times are on the history's clock (the
 * operations' call and ret); t_end == t_begin marks an instant,
 * RC_HTIME_INF a span that never ended.
 */
struct rc_check_mark {
	const char *label;
	int64_t t_begin, t_end;
};

/*
 * rc_check_html with marks: each is drawn as a band across every row
 * from t_begin to t_end, with its label above the drawing, and listed in
 * a table at the end. The drawing is not to scale: a mark's times are
 * columns among the operations' times, so an operation that returned
 * before t_begin ends left of the band and one invoked after t_end
 * begins right of it (a time outside the operations' clips to the edge). A mark outside
 * the operations drawn is left out of the drawing (but not of the
 * table). marks may be NULL when nmarks is 0: then the page is
 * rc_check_html's. Same callers and returns as rc_check_html; -RC_EINVAL
 * when a mark has no label or ends before it begins.
 */
int rc_check_html_marks(const rc_history_t *h, const rc_check_result_t *r,
			const char *title, const struct rc_check_mark *marks,
			size_t nmarks, FILE *out, rc_err_t *err);

/*
 * Names: "cas-register", "violation"; and parsing a spec back (-1). The
 * levels' names are rc_level_name and rc_level_parse (replicore/level.h).
 */
const char *rc_spec_name(enum rc_spec s);
const char *rc_verdict_name(enum rc_verdict v);
int rc_spec_parse(const char *s);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_CHECK_H */
