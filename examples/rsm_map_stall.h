/* SPDX-License-Identifier: MIT */
/* rsm_map_stall.h: the hash map of rsm_map.h with a STALL operation that blocks node 1's replica, to show what a stalled node does to each log. */
#ifndef RC_EXAMPLE_RSM_MAP_STALL_H
#define RC_EXAMPLE_RSM_MAP_STALL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

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

static const struct rc_rsm_ops map_stall_ops = {
	map_stall_init, map_stall_apply, map_stall_is_read, map_stall_fini
};

#endif /* RC_EXAMPLE_RSM_MAP_STALL_H */
