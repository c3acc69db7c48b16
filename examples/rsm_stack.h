/* SPDX-License-Identifier: MIT */
/* rsm_stack.h: a plain sequential stack (a growing array), as an rc_rsm ops table. */
#ifndef RC_EXAMPLE_RSM_STACK_H
#define RC_EXAMPLE_RSM_STACK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/rsm.h>

enum { STACK_PUSH = 1, STACK_POP = 2, STACK_TOP = 3, STACK_SIZE = 4 };

/* What POP and TOP return on an empty stack (never pushed). */
#define STACK_EMPTY UINT64_MAX

struct stack {
	uint64_t *v;
	size_t n, cap;
};

/* PUSH returns the new size; out of memory it pushes nothing, returns 0. */
static uint64_t stack_apply(void *state, uint64_t op, uint64_t arg)
{
	struct stack *s = state;

	switch (op) {
	case STACK_PUSH:
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 16;
			uint64_t *v = realloc(s->v, cap * sizeof(*v));

			if (!v)
				return 0;
			s->v = v;
			s->cap = cap;
		}
		s->v[s->n++] = arg;
		return s->n;
	case STACK_POP:
		return s->n ? s->v[--s->n] : STACK_EMPTY;
	case STACK_TOP:
		return s->n ? s->v[s->n - 1] : STACK_EMPTY;
	default:
		return s->n;
	}
}

static bool stack_is_read(uint64_t op)
{
	return op == STACK_TOP || op == STACK_SIZE;
}

static void *stack_init(void *arg, unsigned node)
{
	(void)arg;
	(void)node;
	return calloc(1, sizeof(struct stack));
}

static void stack_fini(void *state)
{
	struct stack *s = state;

	free(s->v);
	free(s);
}

/* The snapshot: n, then the n values in the array's order. */
static size_t stack_snapshot(const void *state, void *buf, size_t len)
{
	const struct stack *s = state;
	size_t need = (1 + s->n) * sizeof(uint64_t);
	uint64_t n = s->n;

	if (buf && len >= need) {
		memcpy(buf, &n, sizeof n);
		if (s->n)
			memcpy((char *)buf + sizeof n, s->v,
			       s->n * sizeof(uint64_t));
	}
	return need;
}

static void *stack_restore(void *arg, unsigned node, const void *buf,
			   size_t len)
{
	struct stack *s;
	uint64_t n;

	if (len < sizeof n)
		return NULL;
	memcpy(&n, buf, sizeof n);
	if (len != (1 + n) * sizeof(uint64_t))
		return NULL;
	s = stack_init(arg, node);
	if (!s)
		return NULL;
	s->cap = n < 16 ? 16 : n;
	s->v = malloc(s->cap * sizeof(uint64_t));
	if (!s->v) {
		free(s);
		return NULL;
	}
	s->n = n;
	if (n)
		memcpy(s->v, (const char *)buf + sizeof n,
		       n * sizeof(uint64_t));
	return s;
}

static const struct rc_rsm_ops stack_ops = {
	stack_init, stack_apply,    stack_is_read,
	stack_fini, stack_snapshot, stack_restore,
};

#endif /* RC_EXAMPLE_RSM_STACK_H */
