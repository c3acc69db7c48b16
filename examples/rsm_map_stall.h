/* SPDX-License-Identifier: MIT */
/* rsm_map_stall.h: the hash map of rsm_map.h with a STALL operation that blocks node 1's replica, to show what a stalled node does to each log. */
#ifndef RC_EXAMPLE_RSM_MAP_STALL_H
#define RC_EXAMPLE_RSM_MAP_STALL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include <replicore/paxos.h>

#include "examples/rsm_map.h"

/*
 * MAP_OP(MAP_STALL, k) applied on node 1's replica raises map_stall_in and
 * blocks while map_stall_hold is up: the thread that applies it holds node
 * 1's combiner, so node 1 stops consuming the log. On every other replica
 * it does nothing. The flags are the driver's: raise map_stall_hold, run
 * the operation from a thread of node 1, wait for map_stall_in, and lower
 * map_stall_hold to let node 1 go.
 */
enum { MAP_STALL = 3 };

static _Atomic bool map_stall_hold, map_stall_in;

struct map_stall {
	struct map *m;
	unsigned node;
};

static void *map_stall_init(void *arg, unsigned node)
{
	struct map_stall *s = calloc(1, sizeof(*s));

	if (s) {
		s->m = map_init(arg, node);
		s->node = node;
	}
	if (s && !s->m) {
		free(s);
		s = NULL;
	}
	return s;
}

static uint64_t map_stall_apply(void *state, uint64_t op, uint64_t arg)
{
	struct map_stall *s = state;
	struct timespec nap = { 0, 100000 };

	if ((op & 0xff) != MAP_STALL)
		return map_apply(s->m, op, arg);
	if (s->node == 1) {
		/* seq_cst: a handshake with the driver, nothing to tune */
		atomic_store(&map_stall_in, true);
		while (atomic_load(&map_stall_hold))
			nanosleep(&nap, NULL);
	}
	return 0;
}

static bool map_stall_is_read(uint64_t op)
{
	return map_is_read(op);
}

static void map_stall_fini(void *state)
{
	struct map_stall *s = state;

	map_fini(s->m);
	free(s);
}

static const struct rc_rsm_ops map_stall_ops = { map_stall_init,
						 map_stall_apply,
						 map_stall_is_read,
						 map_stall_fini,
						 NULL,
						 NULL };

/*
 * The driver's side, shared by the tests, bench paxos and the demo: one
 * stall at a time (the flags are global).
 */
struct map_stall_driver {
	pthread_t th;
	bool started;
	rc_paxos_t *px; /* node 1's Paxos group, stalled too; or NULL */
};

/* Node 1's thread: STALL until it went through (an update that ran out of
 * its bound, while a leader is elected, is sent again; the first may
 * still be applied, and then blocks node 1 just the same). */
static inline void *map_stall_thread(void *node1)
{
	uint64_t r;

	/* seq_cst: the handshake above, nothing to tune */
	while (rc_rsm_execute_flags(node1, MAP_OP(MAP_STALL, 1), 0, 0, &r) <
		       0 &&
	       !atomic_load(&map_stall_in))
		;
	return NULL;
}

/*
 * Stalls node 1: raises map_stall_hold, starts a thread that runs STALL
 * through node1 (a handle registered on node 1) and waits at most wait_ns
 * for it to block inside apply; then, when px is not NULL, stalls node
 * 1's Paxos node too (nobody runs its steps). Returns true when node 1
 * is stalled. Blocking; call map_stall_end() after it in any case.
 */
static inline bool map_stall_begin(struct map_stall_driver *d,
				   rc_rsm_handle_t *node1, rc_paxos_t *px,
				   uint64_t wait_ns)
{
	struct timespec nap = { 0, 100000 };
	uint64_t waited = 0;

	d->px = NULL;
	/* seq_cst: the handshake above, set before node 1's thread starts */
	atomic_store(&map_stall_hold, true);
	atomic_store(&map_stall_in, false);
	d->started = pthread_create(&d->th, NULL, map_stall_thread, node1) == 0;
	/* seq_cst: node 1's thread raises map_stall_in inside apply */
	while (d->started && !atomic_load(&map_stall_in) && waited < wait_ns) {
		nanosleep(&nap, NULL);
		waited += 100000;
	}
	if (!d->started || !atomic_load(&map_stall_in))
		return false;
	if (px != NULL && rc_paxos_stall(px, 1, 3600000000000ull) == 0)
		d->px = px;
	return true;
}

/* Lets node 1 go (Paxos first, then apply) and joins its thread. */
static inline void map_stall_end(struct map_stall_driver *d)
{
	if (d->px != NULL)
		rc_paxos_stall(d->px, 1, 0);
	/* seq_cst: lets node 1's apply return; its thread is joined next */
	atomic_store(&map_stall_hold, false);
	if (d->started)
		pthread_join(d->th, NULL);
	d->started = false;
	d->px = NULL;
}

#endif /* RC_EXAMPLE_RSM_MAP_STALL_H */
