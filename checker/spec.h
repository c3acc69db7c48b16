/* SPDX-License-Identifier: MIT */
/* spec.h: the sequential specifications as steps over hash-consed states. */
#ifndef RC_CHECKER_SPEC_H
#define RC_CHECKER_SPEC_H

#include "checker/internal.h"

/*
 * A state of a sequential object is a short vector of values (a register's
 * value, a queue's contents). States are hash-consed: each distinct vector
 * gets a small id once, so the search compares and stores ids only.
 */
struct _rc_states {
	enum rc_spec spec;
	int64_t *data;
	size_t len, cap;
	size_t *off; /* off[id] .. off[id + 1] */
	size_t n, ncap;
	uint32_t *tab; /* id + 1; 0 empty */
	size_t tcap;
	/*
	 * kv: the strings appends make that the history does not hold; the
	 * value of local string i is RC_HVAL_STR(base + i), base the number
	 * of the history's own strings, which are only read.
	 */
	struct _rc_strpool strs;
	size_t base;
	const rc_history_t *h;
	int64_t *tmp;
	size_t tmpcap;
};

/* How an operation uses the state (see the search's pruning). */
enum _rc_opclass {
	RC_OPC_READ = 0,  /* never changes the state */
	RC_OPC_OVERWRITE, /* when allowed, the next state does not depend on
			     the previous one */
	RC_OPC_OTHER,
};

int _rc_states_init(struct _rc_states *st, enum rc_spec spec,
		    const rc_history_t *h);
void _rc_states_free(struct _rc_states *st);
/* The initial state's id (0). */
#define RC_STATE_INIT 0u
/*
 * The state after op from state sid: its id, -1 when the op cannot happen in
 * that state (or has no effect: an indeterminate op whose effect is nil),
 * -2 when out of memory.
 */
int64_t _rc_step(struct _rc_states *st, uint32_t sid, const struct rc_hop *op);
enum _rc_opclass _rc_opclass(enum rc_spec spec, const struct rc_hop *op);
/* Whether op constrains nothing and changes nothing: a read of unknown result. */
bool _rc_op_vacuous(enum rc_spec spec, const struct rc_hop *op);
/*
 * kv: the text of value v as the kv spec compares values (a string is its
 * bytes, an integer its decimal digits, anything else ""), and the text
 * of key's value in state sid (valid until the next step). buf holds
 * digits when needed.
 */
const char *_rc_kv_text(const rc_history_t *h, rc_hval_t v, char buf[24],
			size_t *len);
const char *_rc_state_kv_text(struct _rc_states *st, uint32_t sid,
			      rc_hval_t key, char buf[24], size_t *len);
/* A state as text ("3", "[1 2]", "\"x 0 y\""), for witnesses. */
void _rc_state_fmt(const struct _rc_states *st, uint32_t sid, char *buf,
		   size_t n);

#endif /* RC_CHECKER_SPEC_H */
