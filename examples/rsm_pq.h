/* SPDX-License-Identifier: MIT */
/* rsm_pq.h: a plain sequential priority queue (a binary min-heap), as an rc_rsm ops table. */
#ifndef RC_EXAMPLE_RSM_PQ_H
#define RC_EXAMPLE_RSM_PQ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/rsm.h>

enum { PQ_INSERT = 1, PQ_EXTRACT_MIN = 2, PQ_MIN = 3, PQ_SIZE = 4 };

/* What EXTRACT_MIN and MIN return on an empty queue. */
#define PQ_EMPTY UINT64_MAX

struct pq {
	uint64_t *h; /* h[0] is the least; h[i] <= h[2i+1], h[2i+2] */
	size_t n, cap;
};

static uint64_t pq_insert(struct pq *q, uint64_t v)
{
	size_t i;

	if (q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 16;
		uint64_t *h = realloc(q->h, cap * sizeof(*h));

		if (!h)
			return 0;
		q->h = h;
		q->cap = cap;
	}
	/* sift up: parents greater than v move down into the hole */
	for (i = q->n++; i > 0 && q->h[(i - 1) / 2] > v; i = (i - 1) / 2)
		q->h[i] = q->h[(i - 1) / 2];
	q->h[i] = v;
	return q->n;
}

static uint64_t pq_extract(struct pq *q)
{
	uint64_t min = q->h[0], last = q->h[--q->n];
	size_t i = 0, c;

	/* sift down: the lesser child moves up while it is below last */
	while ((c = 2 * i + 1) < q->n) {
		if (c + 1 < q->n && q->h[c + 1] < q->h[c])
			c++;
		if (q->h[c] >= last)
			break;
		q->h[i] = q->h[c];
		i = c;
	}
	q->h[i] = last;
	return min;
}

/* INSERT returns the new size (0 when out of memory, nothing inserted). */
static uint64_t pq_apply(void *state, uint64_t op, uint64_t arg)
{
	struct pq *q = state;

	if (op == PQ_INSERT)
		return pq_insert(q, arg);
	if (op == PQ_SIZE)
		return q->n;
	if (q->n == 0)
		return PQ_EMPTY;
	return op == PQ_MIN ? q->h[0] : pq_extract(q);
}

static bool pq_is_read(uint64_t op)
{
	return op == PQ_MIN || op == PQ_SIZE;
}

static void *pq_init(void *arg, unsigned node)
{
	(void)arg;
	(void)node;
	return calloc(1, sizeof(struct pq));
}

static void pq_fini(void *state)
{
	struct pq *q = state;

	free(q->h);
	free(q);
}

/* The snapshot: n, then the n values in the array's order. */
static size_t pq_snapshot(const void *state, void *buf, size_t len)
{
	const struct pq *s = state;
	size_t need = (1 + s->n) * sizeof(uint64_t);
	uint64_t n = s->n;

	if (buf && len >= need) {
		memcpy(buf, &n, sizeof n);
		if (s->n)
			memcpy((char *)buf + sizeof n, s->h,
			       s->n * sizeof(uint64_t));
	}
	return need;
}

static void *pq_restore(void *arg, unsigned node, const void *buf, size_t len)
{
	struct pq *s;
	uint64_t n;

	if (len < sizeof n)
		return NULL;
	memcpy(&n, buf, sizeof n);
	if (len != (1 + n) * sizeof(uint64_t))
		return NULL;
	s = pq_init(arg, node);
	if (!s)
		return NULL;
	s->cap = n < 16 ? 16 : n;
	s->h = malloc(s->cap * sizeof(uint64_t));
	if (!s->h) {
		free(s);
		return NULL;
	}
	s->n = n;
	if (n)
		memcpy(s->h, (const char *)buf + sizeof n,
		       n * sizeof(uint64_t));
	return s;
}

static const struct rc_rsm_ops pq_ops = {
	pq_init, pq_apply, pq_is_read, pq_fini, pq_snapshot, pq_restore,
};

#endif /* RC_EXAMPLE_RSM_PQ_H */
