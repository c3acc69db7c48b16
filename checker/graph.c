/* SPDX-License-Identifier: MIT */
/* graph.c: directed graphs as adjacency lists, and a cycle in one: the order the causal and session checks build and test. */
#include <stdlib.h>
#include <string.h>

#include "checker/internal.h"

int _rc_graph_init(struct _rc_graph *g, size_t n)
{
	memset(g, 0, sizeof(*g));
	g->n = n;
	g->head = malloc((n + 1) * sizeof(*g->head));
	if (g->head == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		g->head[i] = UINT32_MAX;
	return 0;
}

void _rc_graph_free(struct _rc_graph *g)
{
	free(g->head);
	free(g->e);
	_rc_charge(-(ptrdiff_t)(g->cap * sizeof(*g->e)));
	memset(g, 0, sizeof(*g));
}

int64_t _rc_graph_add(struct _rc_graph *g, uint32_t a, uint32_t b)
{
	if (g->ne == g->cap) {
		size_t nc = g->cap ? 2 * g->cap : 256;
		struct _rc_gedge *ne;

		if (nc > UINT32_MAX ||
		    !_rc_charge((ptrdiff_t)((nc - g->cap) * sizeof(*ne))))
			return -1;
		if ((ne = realloc(g->e, nc * sizeof(*ne))) == NULL) {
			_rc_charge(-(ptrdiff_t)((nc - g->cap) * sizeof(*ne)));
			return -1;
		}
		g->e = ne;
		g->cap = nc;
	}
	g->e[g->ne] = (struct _rc_gedge){ b, g->head[a] };
	g->head[a] = (uint32_t)g->ne;
	return (int64_t)g->ne++;
}

size_t _rc_graph_cycle(const struct _rc_graph *g, uint32_t *nodes,
		       uint32_t *edges)
{
	size_t nn = g->n, len = 0;
	uint8_t *col = calloc(nn + 1, 1); /* 0 new, 1 on the path, 2 done */
	uint32_t *stack = malloc((nn + 1) * sizeof(*stack));
	uint32_t *via = malloc((nn + 1) * sizeof(*via)); /* the edge in */
	uint32_t *it = malloc((nn + 1) * sizeof(*it));	 /* next edge out */

	if (col == NULL || stack == NULL || via == NULL || it == NULL)
		goto out;
	/* iterative depth-first search; an edge to a node on the path
	 * closes a cycle */
	for (size_t s = 0; s < nn && len == 0; s++) {
		size_t sp = 0;

		if (col[s])
			continue;
		stack[sp++] = (uint32_t)s;
		it[s] = g->head[s];
		col[s] = 1;
		while (sp > 0 && len == 0) {
			uint32_t v = stack[sp - 1], e = it[v], w;

			if (e == UINT32_MAX) {
				col[v] = 2;
				sp--;
				continue;
			}
			it[v] = g->e[e].next;
			w = g->e[e].to;
			if (col[w] == 1) {
				/* w is stack[k - 1]: w .. v, then e back */
				size_t k = sp;

				while (k > 0 && stack[k - 1] != w)
					k--;
				for (size_t i = k - 1; i < sp; i++, len++) {
					if (nodes != NULL)
						nodes[len] = stack[i];
					if (edges != NULL)
						edges[len] =
							i + 1 < sp
								? via[stack[i +
									    1]]
								: e;
				}
			} else if (col[w] == 0) {
				col[w] = 1;
				via[w] = e;
				it[w] = g->head[w];
				stack[sp++] = w;
			}
		}
	}
out:
	free(col);
	free(stack);
	free(via);
	free(it);
	return len;
}
