/* SPDX-License-Identifier: MIT */
/* rsm_map.h: a plain sequential hash map (open addressing), as an rc_rsm ops table. */
#ifndef RC_EXAMPLE_RSM_MAP_H
#define RC_EXAMPLE_RSM_MAP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/rsm.h>

/* Keys 1..2^56-1, values nonzero (0 reads as absent); op: key << 8 | code */
enum { MAP_GET = 1, MAP_PUT = 2 };
#define MAP_OP(code, key) (((uint64_t)(key) << 8) | (code))

struct map {
	uint64_t *keys, *vals; /* one allocation: vals = keys + cap */
	size_t cap, n;	       /* cap a power of two; n live keys */
};

static size_t map_slot(const struct map *m, uint64_t key)
{
	size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & (m->cap - 1);

	while (m->keys[i] != 0 && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static bool map_grow(struct map *m, size_t cap)
{
	struct map old = *m;

	m->keys = calloc(2 * cap, sizeof(uint64_t));
	if (!m->keys) {
		*m = old;
		return false;
	}
	m->vals = m->keys + cap;
	m->cap = cap;
	for (size_t i = 0; i < old.cap; i++) {
		size_t j = map_slot(m, old.keys[i]);

		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
	}
	free(old.keys);
	return true;
}

/* GET and PUT return the value before (0: absent). */
static uint64_t map_apply(void *state, uint64_t op, uint64_t arg)
{
	struct map *m = state;
	uint64_t key = op >> 8, old;
	size_t i = map_slot(m, key);

	old = m->keys[i] == key ? m->vals[i] : 0;
	if ((op & 0xff) == MAP_GET)
		return old;
	if (m->keys[i] == 0) { /* a new key */
		if (4 * (m->n + 1) > 3 * m->cap && map_grow(m, 2 * m->cap))
			i = map_slot(m, key);
		m->n++;
	}
	m->keys[i] = key;
	m->vals[i] = arg;
	return old;
}

static bool map_is_read(uint64_t op)
{
	return (op & 0xff) == MAP_GET;
}

static void *map_init(void *arg, unsigned node)
{
	struct map *m = calloc(1, sizeof(*m));

	(void)arg;
	(void)node;
	if (m && map_grow(m, 64))
		return m;
	free(m);
	return NULL;
}

static void map_fini(void *state)
{
	struct map *m = state;

	free(m->keys);
	free(m);
}

/* The snapshot: cap, n, then the cap keys and the cap values. */
static size_t map_snapshot(const void *state, void *buf, size_t len)
{
	const struct map *m = state;
	size_t need = 2 * sizeof(uint64_t) + 2 * m->cap * sizeof(uint64_t);
	uint64_t h[2] = { m->cap, m->n };

	if (buf && len >= need) {
		memcpy(buf, h, sizeof h);
		memcpy((char *)buf + sizeof h, m->keys,
		       2 * m->cap * sizeof(uint64_t));
	}
	return need;
}

static void *map_restore(void *arg, unsigned node, const void *buf, size_t len)
{
	struct map *m;
	uint64_t h[2];

	(void)arg;
	(void)node;
	if (len < sizeof h)
		return NULL;
	memcpy(h, buf, sizeof h);
	if (h[0] < 64 || (h[0] & (h[0] - 1)) ||
	    len != sizeof h + 2 * h[0] * sizeof(uint64_t))
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->keys = malloc(2 * h[0] * sizeof(uint64_t));
	if (!m->keys) {
		free(m);
		return NULL;
	}
	m->cap = h[0];
	m->n = h[1];
	m->vals = m->keys + m->cap;
	memcpy(m->keys, (const char *)buf + sizeof h,
	       2 * m->cap * sizeof(uint64_t));
	return m;
}

static const struct rc_rsm_ops map_ops = {
	map_init, map_apply, map_is_read, map_fini, map_snapshot, map_restore
};

#endif /* RC_EXAMPLE_RSM_MAP_H */
