/* SPDX-License-Identifier: MIT */
/* mem_tso.c: TSO memory: one shared copy and a FIFO store buffer per replica. */

/*
 * TSO is x86-TSO's abstract machine (Sewell, Sarkar, Owens, Zappa Nardelli
 * and Myreen, CACM 2010): one shared copy, and per replica a FIFO buffer
 * of stores that only its owner drains. A load returns the newest buffered
 * store to its location, else the shared copy. The shared copy is accessed
 * with seq_cst atomics so that it is one total order even on hardware
 * weaker than x86; all the relaxation comes from the buffer.
 */
#include <assert.h>

#include "runtime/mem_int.h"

void _rc_mem_tso_drain_one(struct rc_mem_replica *r)
{
	struct tso_entry *e = &r->buf[r->bhead];

	assert(r->bn > 0);
	/* seq_cst: the drained stores of all replicas form one order;
	 * pairs with the seq_cst loads in _rc_mem_tso_load. */
	atomic_store_explicit(&r->mem->shared[e->loc].v, e->val,
			      memory_order_seq_cst);
	r->bhead = (r->bhead + 1) % RC_MEM_TSO_DEPTH;
	r->bn--;
}

void _rc_mem_tso_drain_all(struct rc_mem_replica *r)
{
	while (r->bn > 0)
		_rc_mem_tso_drain_one(r);
}

/* Threaded mode: stores older than RC_MEM_TSO_LAG operations drain. */
void _rc_mem_tso_tick(struct rc_mem_replica *r)
{
	r->ops++;
	if (r->exploring)
		return;
	while (r->bn > 0 && r->ops - r->buf[r->bhead].born >= RC_MEM_TSO_LAG)
		_rc_mem_tso_drain_one(r);
}

uint64_t _rc_mem_tso_load(struct rc_mem_replica *r, unsigned loc)
{
	for (unsigned i = r->bn; i > 0; i--) {
		struct tso_entry *e =
			&r->buf[(r->bhead + i - 1) % RC_MEM_TSO_DEPTH];

		if (e->loc == loc)
			return e->val;
	}
	/* seq_cst: pairs with the seq_cst store of _rc_mem_tso_drain_one. */
	return atomic_load_explicit(&r->mem->shared[loc].v,
				    memory_order_seq_cst);
}

void _rc_mem_tso_store(struct rc_mem_replica *r, unsigned loc, uint64_t v)
{
	struct tso_entry *e;

	if (r->bn == RC_MEM_TSO_DEPTH)
		_rc_mem_tso_drain_one(r);
	e = &r->buf[(r->bhead + r->bn) % RC_MEM_TSO_DEPTH];
	e->loc = loc;
	e->val = v;
	e->born = r->ops;
	r->bn++;
}
