/* SPDX-License-Identifier: MIT */
/* rsm_counter.h: a plain sequential counter, as an rc_rsm ops table. */
#ifndef RC_EXAMPLE_RSM_COUNTER_H
#define RC_EXAMPLE_RSM_COUNTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/rsm.h>

enum { COUNTER_ADD = 1, COUNTER_READ = 2 };

/* ADD returns the value after; READ the value. */
static uint64_t counter_apply(void *state, uint64_t op, uint64_t arg)
{
	uint64_t *c = state;

	if (op == COUNTER_ADD)
		*c += arg;
	return *c;
}

static bool counter_is_read(uint64_t op)
{
	return op == COUNTER_READ;
}

static void *counter_init(void *arg, unsigned node)
{
	(void)arg;
	(void)node;
	return calloc(1, sizeof(uint64_t));
}

/* The snapshot: the value's 8 bytes. */
static size_t counter_snapshot(const void *state, void *buf, size_t len)
{
	if (buf && len >= sizeof(uint64_t))
		memcpy(buf, state, sizeof(uint64_t));
	return sizeof(uint64_t);
}

static void *counter_restore(void *arg, unsigned node, const void *buf,
			     size_t len)
{
	uint64_t *c = len == sizeof *c ? counter_init(arg, node) : NULL;

	if (c)
		memcpy(c, buf, sizeof *c);
	return c;
}

static const struct rc_rsm_ops counter_ops = {
	counter_init, counter_apply,	counter_is_read,
	free,	      counter_snapshot, counter_restore,
};

#endif /* RC_EXAMPLE_RSM_COUNTER_H */
