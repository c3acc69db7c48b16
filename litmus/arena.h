/* SPDX-License-Identifier: MIT */
/* arena.h: the bump allocator that owns every node of a parsed litmus test. */
#ifndef RC_LITMUS_ARENA_H
#define RC_LITMUS_ARENA_H

#include <stddef.h>

struct _rc_arena;

/* A new, empty arena; NULL when out of memory. */
struct _rc_arena *_rc_arena_new(void);

/* Zeroed memory owned by the arena; NULL when out of memory. */
void *_rc_arena_alloc(struct _rc_arena *a, size_t n);

/* A copy of n bytes of s, NUL-terminated. */
char *_rc_arena_strndup(struct _rc_arena *a, const char *s, size_t n);

/* Frees the arena and everything allocated from it. */
void _rc_arena_free(struct _rc_arena *a);

#endif /* RC_LITMUS_ARENA_H */
