/* SPDX-License-Identifier: MIT */
/* replicore/history.h: recorded concurrent histories, their text format, reader and writer. */
#ifndef REPLICORE_HISTORY_H
#define REPLICORE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <replicore/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A history is a list of operations, each with the process that ran it, the
 * times of its invocation and of its response, what it did (kind, key,
 * arguments) and what it returned. The checkers (replicore/check.h) decide
 * whether a history is linearizable, sequentially consistent or causally
 * consistent.
 *
 * Values are 64-bit. Integers in (-2^62, 2^62) stand for themselves; the
 * constants below are the special values; strings (kv keys and values) are
 * interned in the history and stand for RC_HVAL_STR(id). Two values are equal
 * exactly when their 64-bit codes are equal.
 *
 * Concurrency: a history is not thread-safe; one thread builds it. Once built
 * it may be read (checked, written) from several threads at once.
 */
typedef int64_t rc_hval_t;

#define RC_HVAL_NIL INT64_MIN		/* nil: absent, initial */
#define RC_HVAL_UNKNOWN (INT64_MIN + 1) /* result not known: any */
#define RC_HVAL_NONE (INT64_MIN + 2)	/* no argument, no key */
#define RC_HVAL_OK (INT64_MIN + 3)	/* a plain "done" result */
#define RC_HVAL_TRUE (INT64_MIN + 4)	/* cas succeeded, found */
#define RC_HVAL_FALSE (INT64_MIN + 5)	/* cas failed, not found */
#define RC_HVAL_STR0 (INT64_MIN + 16)	/* first string code */
#define RC_HVAL_STR(id) (RC_HVAL_STR0 + (int64_t)(id))
#define RC_HVAL_INT_MIN (-(INT64_C(1) << 62) + 1) /* smallest integer */
#define RC_HVAL_INT_MAX ((INT64_C(1) << 62) - 1)  /* largest integer */

static inline bool rc_hval_is_int(rc_hval_t v)
{
	return v >= RC_HVAL_INT_MIN && v <= RC_HVAL_INT_MAX;
}

static inline bool rc_hval_is_str(rc_hval_t v)
{
	return v >= RC_HVAL_STR0 && v < RC_HVAL_INT_MIN;
}

/* The time of a response that never came: later than every other time. */
#define RC_HTIME_INF INT64_MAX

/* What an operation does. The spec given to the checker gives it meaning. */
enum rc_hop_kind {
	RC_HOP_READ = 0, /* register or counter read: result is the value */
	RC_HOP_WRITE,	 /* register write of arg[0] */
	RC_HOP_CAS,	 /* compare arg[0], set arg[1]: result true/false */
	RC_HOP_GET,	 /* kv: result is key's value ("" when absent) */
	RC_HOP_PUT,	 /* kv: set key to arg[0] */
	RC_HOP_APPEND,	 /* kv: append arg[0] to key's string */
	RC_HOP_ENQ,	 /* queue: enqueue arg[0] */
	RC_HOP_DEQ,	 /* queue: result is the head, or nil when empty */
	RC_HOP_PUSH,	 /* stack: push arg[0] */
	RC_HOP_POP,	 /* stack: result is the top, or nil when empty */
	RC_HOP_ADD,	 /* set: add arg[0] */
	RC_HOP_REMOVE,	 /* set: remove arg[0]; result true if it was there */
	RC_HOP_CONTAINS, /* set: result true if arg[0] is there */
	RC_HOP_INC,	 /* counter: add arg[0] */
	RC_HOP_NKINDS
};

/* How an operation ended. */
enum rc_hop_status {
	RC_HST_OK = 0, /* completed with the recorded result */
	RC_HST_FAIL,   /* failed without taking effect (Jepsen's :fail) */
	RC_HST_INDET,  /* never completed, or ended :info: it may or may not
			  have taken effect, at any time after invocation */
};

struct rc_hop {
	int64_t call;	  /* invocation time */
	int64_t ret;	  /* response time; RC_HTIME_INF when none */
	rc_hval_t key;	  /* kv key, RC_HVAL_NONE otherwise */
	rc_hval_t arg[2]; /* arguments, RC_HVAL_NONE when absent */
	rc_hval_t result; /* result, RC_HVAL_UNKNOWN when not known */
	uint32_t proc;	  /* process (thread, client) that ran it */
	uint16_t kind;	  /* enum rc_hop_kind */
	uint8_t status;	  /* enum rc_hop_status */
	uint8_t pad_;
	uint32_t line;	   /* line of its invocation in the source, or 0 */
	uint32_t line_ret; /* line of its response, or 0 */
};

/* The source format of a history read from text. */
enum rc_hformat {
	RC_HFMT_REPLICORE = 0, /* replicore's own, see replicore-check(1) */
	RC_HFMT_JEPSEN_LOG,    /* Jepsen's etcd log lines */
	RC_HFMT_JEPSEN_EDN,    /* Jepsen's EDN op maps, one per line */
};

typedef struct rc_history rc_history_t;

/* A new empty history; NULL when out of memory. */
rc_history_t *rc_history_new(void);
void rc_history_free(rc_history_t *h);

/*
 * Appends an operation (copied). Times need not come in order: the history
 * keeps them as given. Returns 0, or -RC_ENOMEM, or -RC_EINVAL when the
 * operation is malformed (ret < call, unknown kind).
 */
int rc_history_add(rc_history_t *h, const struct rc_hop *op, rc_err_t *err);

/* Interns a string (len bytes, may hold NULs) and returns its value code. */
rc_hval_t rc_history_str(rc_history_t *h, const char *s, size_t len);

/* The bytes of a string value (NUL-terminated) and their length; NULL if not a string. */
const char *rc_history_strval(const rc_history_t *h, rc_hval_t v, size_t *len);

size_t rc_history_len(const rc_history_t *h);
const struct rc_hop *rc_history_op(const rc_history_t *h, size_t i);
enum rc_hformat rc_history_format(const rc_history_t *h);

/*
 * The initial value: what the register, each kv key or the counter holds
 * before its first write, as the checkers take it. RC_HVAL_NIL (a new
 * history's) leaves it to the spec: nil for a register, "" for a kv key,
 * 0 for a counter. Any other value v means the object starts at v, so a
 * read of v before any write is explained by the start: set 0 for the
 * history of an rc_mem object, whose locations start at 0, and record
 * the values as they are. The text format keeps it (an "initial" line);
 * rc_check refuses it for queues, stacks and sets, which start empty, and
 * a counter's that is not an integer. The history's builder only, like
 * rc_history_add; wait-free. Returns 0, or -RC_EINVAL when v is
 * RC_HVAL_UNKNOWN or RC_HVAL_NONE (no value) or a string h does not hold.
 */
int rc_history_set_initial(rc_history_t *h, rc_hval_t v, rc_err_t *err);
rc_hval_t rc_history_initial(const rc_history_t *h);

/* The name of an operation kind ("read", "cas", ...), and back (-1). */
const char *rc_hop_kind_name(unsigned kind);
int rc_hop_kind_parse(const char *name, size_t len);

/*
 * Formats a value as the text format writes it (integer, nil, "string",
 * true, false, ok, ?) into buf; returns buf.
 */
const char *rc_history_fmtval(const rc_history_t *h, rc_hval_t v, char *buf,
			      size_t n);

/*
 * Reads a history from text in any of the three formats, recognised by
 * content. name is used in error messages (FILE:LINE:COL). On bad input
 * returns -RC_EINVAL with err saying where and what was expected. A text
 * with no operation (empty, only comments) is an empty history.
 */
int rc_history_parse(const char *text, size_t len, const char *name,
		     rc_history_t **out, rc_err_t *err);

/* Reads a whole file and parses it; -RC_ENOENT/-RC_ESYS when unreadable. */
int rc_history_load(const char *path, rc_history_t **out, rc_err_t *err);

/*
 * rc_history_load within limits: at most timeout seconds (0: none) and
 * max_bytes of memory for the text and the history (0 or SIZE_MAX: none).
 * Returns -RC_ETIMEDOUT, err saying which limit, when one is reached.
 * Blocking; reentrant like rc_history_load.
 */
int rc_history_load_limited(const char *path, double timeout, size_t max_bytes,
			    rc_history_t **out, rc_err_t *err);

/*
 * Writes h in replicore's text format: a header line, the initial value
 * when it is not RC_HVAL_NIL, then one operation per line in the order
 * they were added. What rc_history_parse reads back gives an equal
 * history. Returns 0 or -RC_ESYS on a write error.
 */
int rc_history_write(const rc_history_t *h, FILE *out, rc_err_t *err);

/*
 * A deterministic generated history: a register with compare-and-set shared
 * by nprocs processes, each running ops operations in random overlapping
 * intervals, values 0..4, from seed. Linearizable by construction; when
 * nindet > 0 that many writes never complete (they may or may not have taken
 * effect). Returns NULL when out of memory.
 */
rc_history_t *rc_history_gen_cas(size_t nops, unsigned nprocs, uint64_t seed,
				 size_t nindet);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_HISTORY_H */
