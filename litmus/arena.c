/* SPDX-License-Identifier: MIT */
/* arena.c: a chunked bump allocator, so a parse error frees everything at once. */
#include <stdlib.h>
#include <string.h>

#include "litmus/arena.h"

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct _rc_arena {
	struct chunk *head;
};

struct _rc_arena *_rc_arena_new(void)
{
	return calloc(1, sizeof(struct _rc_arena));
}

void *_rc_arena_alloc(struct _rc_arena *a, size_t n)
{
	struct chunk *c = a->head;
	size_t al = sizeof(max_align_t);
	void *p;

	n = (n + al - 1) / al * al;
	if (n == 0)
		n = al;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 16384 ? n : 16384;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->used = 0;
		c->cap = cap;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *_rc_arena_strndup(struct _rc_arena *a, const char *s, size_t n)
{
	char *p = _rc_arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void _rc_arena_free(struct _rc_arena *a)
{
	struct chunk *c, *next;

	if (!a)
		return;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}
