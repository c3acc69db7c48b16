/* SPDX-License-Identifier: MIT */
/* crdt.c: state-based convergent replicated data types, each state a join semilattice; sorted arrays throughout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/crdt.h>
#include <replicore/err.h>

/*
 * The states, by kind:
 *   gcounter   p[i]: what replica i added (join: max per replica)
 *   pncounter  p[i], m[i]: added and subtracted (max per replica each)
 *   gset       u: the elements (join: union)
 *   2pset      u: added, x: removed (union each; in = u minus x)
 *   orset      pairs: (element, tag) pairs added and not known removed, x:
 *              the removed tags, p[i]: the tags replica i has issued; a
 *              tag is replica << 48 | sequence, so unique (join: union of
 *              the pairs less the union of the removed tags, max of p)
 *   lww        (val, time, id) of the write with the largest (time, id)
 *   mv         mv: (value, version vector) pairs none of which is
 *              dominated by another (join: union, then drop the
 *              dominated)
 *   rga        nodes: every inserted element with its id (time, replica),
 *              the id it was inserted after, its value and a tombstone
 *              flag (join: union by id, tombstones or'ed)
 * clock is the largest Lamport time the state has seen (lww, rga).
 * Arrays are sorted (u, x ascending; pairs by (element, tag); nodes by id).
 */

struct or_ent {
	uint64_t e, tag;
};

struct mv_ent {
	uint64_t v;
	uint64_t *vv; /* n entries */
};

struct rga_node {
	uint64_t t, pt; /* id and parent id: Lamport time ... */
	uint32_t r, pr; /* ... and replica; parent time 0: the head */
	uint64_t v;
	bool del;
};

struct rc_crdt {
	enum rc_crdt_kind kind;
	unsigned n;
	uint64_t *p, *m; /* n each, where used */
	uint64_t clock;
	uint64_t val, time; /* lww */
	unsigned id;
	bool written;
	uint64_t *u, *x;
	size_t nu, nx;
	struct or_ent *pairs;
	size_t npairs;
	struct mv_ent *mv;
	size_t nmv;
	struct rga_node *nodes;
	size_t nnodes;
};

#define TAG(r, s) (((uint64_t)(r) << 48) | (s))

static const char *const kind_names[RC_CRDT_NKINDS] = {
	"gcounter", "pncounter", "gset", "2pset", "orset", "lww", "mv", "rga",
};

const char *rc_crdt_kind_name(enum rc_crdt_kind kind)
{
	return (unsigned)kind < RC_CRDT_NKINDS ? kind_names[kind] : "?";
}

enum rc_crdt_kind rc_crdt_kind(const rc_crdt_t *c)
{
	return c->kind;
}

unsigned rc_crdt_replicas(const rc_crdt_t *c)
{
	return c->n;
}

static bool has_p(enum rc_crdt_kind k)
{
	return k == RC_CRDT_GCOUNTER || k == RC_CRDT_PNCOUNTER ||
	       k == RC_CRDT_ORSET;
}

rc_crdt_t *rc_crdt_create(enum rc_crdt_kind kind, unsigned n)
{
	rc_crdt_t *c;

	if ((unsigned)kind >= RC_CRDT_NKINDS || n < 1 || n > 65535)
		return NULL;
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->kind = kind;
	c->n = n;
	if (has_p(kind) && !(c->p = calloc(n, sizeof *c->p)))
		goto fail;
	if (kind == RC_CRDT_PNCOUNTER && !(c->m = calloc(n, sizeof *c->m)))
		goto fail;
	return c;
fail:
	rc_crdt_destroy(c);
	return NULL;
}

static void mv_free(struct mv_ent *mv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(mv[i].vv);
	free(mv);
}

void rc_crdt_destroy(rc_crdt_t *c)
{
	if (!c)
		return;
	free(c->p);
	free(c->m);
	free(c->u);
	free(c->x);
	free(c->pairs);
	mv_free(c->mv, c->nmv);
	free(c->nodes);
	free(c);
}

/* A copy of n items of size sz (NULL for none, and without memory). */
static void *dup_arr(const void *a, size_t n, size_t sz, bool *ok)
{
	void *d;

	if (n == 0)
		return NULL;
	d = malloc(n * sz);
	if (!d)
		*ok = false;
	else
		memcpy(d, a, n * sz);
	return d;
}

rc_crdt_t *rc_crdt_clone(const rc_crdt_t *c)
{
	rc_crdt_t *d = malloc(sizeof *d);
	bool ok = true;

	if (!d)
		return NULL;
	*d = *c;
	d->p = dup_arr(c->p, has_p(c->kind) ? c->n : 0, sizeof *c->p, &ok);
	d->m = dup_arr(c->m, c->m ? c->n : 0, sizeof *c->m, &ok);
	d->u = dup_arr(c->u, c->nu, sizeof *c->u, &ok);
	d->x = dup_arr(c->x, c->nx, sizeof *c->x, &ok);
	d->pairs = dup_arr(c->pairs, c->npairs, sizeof *c->pairs, &ok);
	d->nodes = dup_arr(c->nodes, c->nnodes, sizeof *c->nodes, &ok);
	d->mv = NULL;
	d->nmv = 0;
	if (ok && c->nmv > 0) {
		d->mv = calloc(c->nmv, sizeof *d->mv);
		ok = d->mv != NULL;
		for (size_t i = 0; ok && i < c->nmv; i++) {
			d->mv[i].v = c->mv[i].v;
			d->mv[i].vv = dup_arr(c->mv[i].vv, c->n,
					      sizeof(uint64_t), &ok);
			d->nmv = i + 1;
		}
	}
	if (!ok) {
		rc_crdt_destroy(d);
		return NULL;
	}
	return d;
}

/* ---- sorted arrays of uint64_t ---- */

static size_t u64_find(const uint64_t *a, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool u64_has(const uint64_t *a, size_t n, uint64_t v)
{
	size_t i = u64_find(a, n, v);

	return i < n && a[i] == v;
}

static int u64_insert(uint64_t **a, size_t *n, uint64_t v)
{
	size_t i = u64_find(*a, *n, v);
	uint64_t *na;

	if (i < *n && (*a)[i] == v)
		return 0;
	na = realloc(*a, (*n + 1) * sizeof *na);
	if (!na)
		return -RC_ENOMEM;
	memmove(na + i + 1, na + i, (*n - i) * sizeof *na);
	na[i] = v;
	*a = na;
	(*n)++;
	return 0;
}

/* *a = *a union b (both sorted, unique). */
static int u64_union(uint64_t **a, size_t *na, const uint64_t *b, size_t nb)
{
	uint64_t *d;
	size_t i = 0, j = 0, k = 0;

	if (nb == 0)
		return 0;
	d = malloc((*na + nb) * sizeof *d);
	if (!d)
		return -RC_ENOMEM;
	while (i < *na || j < nb) {
		if (j == nb || (i < *na && (*a)[i] < b[j]))
			d[k++] = (*a)[i++];
		else if (i == *na || b[j] < (*a)[i])
			d[k++] = b[j++];
		else {
			d[k++] = (*a)[i++];
			j++;
		}
	}
	free(*a);
	*a = d;
	*na = k;
	return 0;
}

/* Whether every element of a is in b. */
static bool u64_subset(const uint64_t *a, size_t na, const uint64_t *b,
		       size_t nb)
{
	size_t j = 0;

	for (size_t i = 0; i < na; i++) {
		while (j < nb && b[j] < a[i])
			j++;
		if (j == nb || b[j] != a[i])
			return false;
	}
	return true;
}

/* ---- the OR-set's pairs ---- */

static int or_cmp(const struct or_ent *a, const struct or_ent *b)
{
	if (a->e != b->e)
		return a->e < b->e ? -1 : 1;
	if (a->tag != b->tag)
		return a->tag < b->tag ? -1 : 1;
	return 0;
}

/*
 * The OR-set's join: the pairs of both less the removed tags of both.
 * Writes the result into a fresh array (*out, *nout).
 */
static int or_join(const struct or_ent *a, size_t na, const struct or_ent *b,
		   size_t nb, const uint64_t *x, size_t nx, struct or_ent **out,
		   size_t *nout)
{
	struct or_ent *d = NULL;
	size_t i = 0, j = 0, k = 0;

	if (na + nb > 0 && !(d = malloc((na + nb) * sizeof *d)))
		return -RC_ENOMEM;
	while (i < na || j < nb) {
		const struct or_ent *e;
		int c = i == na ? 1 : j == nb ? -1 : or_cmp(&a[i], &b[j]);

		if (c < 0) {
			e = &a[i++];
		} else if (c > 0) {
			e = &b[j++];
		} else {
			e = &a[i++];
			j++;
		}
		if (!u64_has(x, nx, e->tag))
			d[k++] = *e;
	}
	*out = d;
	*nout = k;
	return 0;
}

/* ---- the MV register's pairs ---- */

/* Whether version vector a <= b pointwise. */
static bool vv_leq(const uint64_t *a, const uint64_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] > b[i])
			return false;
	return true;
}

/* A canonical order of pairs: by version vector, bytewise. */
static int mv_cmp(const struct mv_ent *a, const struct mv_ent *b, unsigned n)
{
	return memcmp(a->vv, b->vv, n * sizeof *a->vv);
}

/*
 * Keeps of mv[0..*n) the pairs no other pair dominates (a smaller
 * version vector is covered by a write that saw it), one of each (two
 * pairs with one vector are one write), in the canonical order; frees
 * the rest. Quadratic: a register holds one pair per concurrent write.
 * -RC_ENOMEM (nothing changed) without memory for its marks.
 */
static int mv_reduce(struct mv_ent *mv, size_t *n, unsigned nr)
{
	bool *drop = calloc(*n ? *n : 1, sizeof *drop);
	size_t k = 0;

	if (!drop)
		return -RC_ENOMEM;
	for (size_t i = 0; i < *n; i++)
		for (size_t j = 0; j < *n && !drop[i]; j++) {
			if (j == i || !vv_leq(mv[i].vv, mv[j].vv, nr))
				continue;
			/* dominated, or equal to a pair met earlier */
			drop[i] = !vv_leq(mv[j].vv, mv[i].vv, nr) || j < i;
		}
	for (size_t i = 0; i < *n; i++) {
		if (drop[i])
			free(mv[i].vv);
		else
			mv[k++] = mv[i];
	}
	free(drop);
	*n = k;
	for (size_t i = 1; i < k; i++) {
		struct mv_ent e = mv[i];
		size_t j = i;

		for (; j > 0 && mv_cmp(&mv[j - 1], &e, nr) > 0; j--)
			mv[j] = mv[j - 1];
		mv[j] = e;
	}
	return 0;
}

/* ---- the sequence's nodes ---- */

static int id_cmp(uint64_t ta, uint32_t ra, uint64_t tb, uint32_t rb)
{
	if (ta != tb)
		return ta < tb ? -1 : 1;
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return 0;
}

static size_t node_find(const rc_crdt_t *c, uint64_t t, uint32_t r)
{
	size_t lo = 0, hi = c->nnodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (id_cmp(c->nodes[mid].t, c->nodes[mid].r, t, r) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The visible order: a depth-first walk from the head in which the
 * children of a node (the nodes inserted right after it) come largest id
 * first, each followed by its own subtree. Writes the indexes (into
 * c->nodes) of all nodes, deleted ones too, in that order into ord.
 * Returns false without memory.
 */
static bool rga_order(const rc_crdt_t *c, size_t *ord)
{
	size_t n = c->nnodes, *stack, sp = 0, k = 0;
	/* children lists: node i's children are kids[first[i] ..
	 * first[i + 1]), largest id first; the head's are at index n */
	size_t *first = calloc(n + 2, sizeof *first);
	size_t *kids = malloc((n ? n : 1) * sizeof *kids);
	size_t *fill = malloc((n + 1) * sizeof *fill);
	size_t *par = malloc((n ? n : 1) * sizeof *par);
	bool ok = first && kids && fill && par;

	stack = malloc((n + 1) * sizeof *stack);
	ok = ok && stack;
	for (size_t i = 0; ok && i < n; i++) {
		const struct rga_node *nd = &c->nodes[i];
		size_t p = n;

		if (nd->pt != 0) {
			p = node_find(c, nd->pt, nd->pr);
			/* an insert's parent travels in every state that
			 * holds the insert, so it is always here */
			if (p >= n)
				p = n;
		}
		par[i] = p;
		first[p + 1]++;
	}
	for (size_t i = 0; ok && i <= n; i++) {
		first[i + 1] += first[i];
		fill[i] = first[i + 1];
	}
	/* nodes are sorted by id ascending: filling each list from its end
	 * leaves it in descending id order */
	for (size_t i = 0; ok && i < n; i++)
		kids[--fill[par[i]]] = i;
	/* depth-first: push children in reverse so the largest comes out
	 * first */
	if (ok) {
		for (size_t q = first[n + 1]; q > first[n]; q--)
			stack[sp++] = kids[q - 1];
		while (sp > 0) {
			size_t i = stack[--sp];

			ord[k++] = i;
			for (size_t q = first[i + 1]; q > first[i]; q--)
				stack[sp++] = kids[q - 1];
		}
	}
	free(first);
	free(kids);
	free(fill);
	free(par);
	free(stack);
	return ok;
}

/* The index in c->nodes of visible element pos, or c->nnodes. */
static size_t rga_visible(const rc_crdt_t *c, size_t pos, bool *nomem)
{
	size_t *ord = malloc((c->nnodes ? c->nnodes : 1) * sizeof *ord);
	size_t at = c->nnodes, seen = 0;

	*nomem = ord == NULL || !rga_order(c, ord);
	for (size_t k = 0; !*nomem && k < c->nnodes; k++) {
		if (c->nodes[ord[k]].del)
			continue;
		if (seen++ == pos) {
			at = ord[k];
			break;
		}
	}
	free(ord);
	return at;
}

/* ---- the lattice ---- */

static bool same_type(const rc_crdt_t *a, const rc_crdt_t *b)
{
	return a->kind == b->kind && a->n == b->n;
}

int rc_crdt_merge(rc_crdt_t *dst, const rc_crdt_t *src)
{
	int rc = 0;

	if (!same_type(dst, src))
		return -RC_EINVAL;
	if (dst->clock < src->clock)
		dst->clock = src->clock;
	switch (dst->kind) {
	case RC_CRDT_GCOUNTER:
	case RC_CRDT_PNCOUNTER:
		for (unsigned i = 0; i < dst->n; i++) {
			if (dst->p[i] < src->p[i])
				dst->p[i] = src->p[i];
			if (dst->m && dst->m[i] < src->m[i])
				dst->m[i] = src->m[i];
		}
		return 0;
	case RC_CRDT_GSET:
		return u64_union(&dst->u, &dst->nu, src->u, src->nu);
	case RC_CRDT_TWOPSET: {
		/* both unions or neither: work on copies */
		uint64_t *u = NULL, *x = NULL;
		size_t nu = 0, nx = 0;

		if (u64_union(&u, &nu, dst->u, dst->nu) < 0 ||
		    u64_union(&u, &nu, src->u, src->nu) < 0 ||
		    u64_union(&x, &nx, dst->x, dst->nx) < 0 ||
		    u64_union(&x, &nx, src->x, src->nx) < 0) {
			free(u);
			free(x);
			return -RC_ENOMEM;
		}
		free(dst->u);
		free(dst->x);
		dst->u = u;
		dst->nu = nu;
		dst->x = x;
		dst->nx = nx;
		return 0;
	}
	case RC_CRDT_ORSET: {
		uint64_t *x = NULL;
		size_t nx = 0, npairs;
		struct or_ent *np;

		if (u64_union(&x, &nx, dst->x, dst->nx) < 0 ||
		    u64_union(&x, &nx, src->x, src->nx) < 0 ||
		    or_join(dst->pairs, dst->npairs, src->pairs, src->npairs, x,
			    nx, &np, &npairs) < 0) {
			free(x);
			return -RC_ENOMEM;
		}
		free(dst->pairs);
		free(dst->x);
		dst->pairs = np;
		dst->npairs = npairs;
		dst->x = x;
		dst->nx = nx;
		for (unsigned i = 0; i < dst->n; i++)
			if (dst->p[i] < src->p[i])
				dst->p[i] = src->p[i];
		return 0;
	}
	case RC_CRDT_LWW:
		if (src->written &&
		    (!dst->written ||
		     id_cmp(dst->time, dst->id, src->time, src->id) < 0)) {
			dst->val = src->val;
			dst->time = src->time;
			dst->id = src->id;
			dst->written = true;
		}
		return 0;
	case RC_CRDT_MV: {
		size_t n = dst->nmv + src->nmv;
		struct mv_ent *mv;

		if (src->nmv == 0)
			return 0;
		mv = calloc(n, sizeof *mv);
		if (!mv)
			return -RC_ENOMEM;
		for (size_t i = 0; i < n && rc == 0; i++) {
			const struct mv_ent *e =
				i < dst->nmv ? &dst->mv[i]
					     : &src->mv[i - dst->nmv];
			bool ok = true;

			mv[i].v = e->v;
			mv[i].vv = dup_arr(e->vv, dst->n, sizeof *e->vv, &ok);
			if (!ok)
				rc = -RC_ENOMEM;
		}
		if (rc == 0)
			rc = mv_reduce(mv, &n, dst->n);
		if (rc < 0) {
			mv_free(mv, n);
			return rc;
		}
		mv_free(dst->mv, dst->nmv);
		dst->mv = mv;
		dst->nmv = n;
		return 0;
	}
	case RC_CRDT_RGA: {
		size_t i = 0, j = 0, k = 0;
		struct rga_node *d;

		if (src->nnodes == 0)
			return 0;
		d = malloc((dst->nnodes + src->nnodes) * sizeof *d);
		if (!d)
			return -RC_ENOMEM;
		while (i < dst->nnodes || j < src->nnodes) {
			const struct rga_node *a = &dst->nodes[i],
					      *b = &src->nodes[j];
			int c = i == dst->nnodes ? 1
				: j == src->nnodes
					? -1
					: id_cmp(a->t, a->r, b->t, b->r);

			if (c < 0) {
				d[k++] = dst->nodes[i++];
			} else if (c > 0) {
				d[k++] = src->nodes[j++];
			} else {
				d[k] = *a;
				d[k++].del = a->del || b->del;
				i++;
				j++;
			}
		}
		free(dst->nodes);
		dst->nodes = d;
		dst->nnodes = k;
		return 0;
	}
	case RC_CRDT_NKINDS:
		break;
	}
	return -RC_EINVAL;
}

bool rc_crdt_leq(const rc_crdt_t *a, const rc_crdt_t *b)
{
	if (!same_type(a, b))
		return false;
	switch (a->kind) {
	case RC_CRDT_GCOUNTER:
	case RC_CRDT_PNCOUNTER:
		for (unsigned i = 0; i < a->n; i++)
			if (a->p[i] > b->p[i] || (a->m && a->m[i] > b->m[i]))
				return false;
		return true;
	case RC_CRDT_GSET:
		return u64_subset(a->u, a->nu, b->u, b->nu);
	case RC_CRDT_TWOPSET:
		return u64_subset(a->u, a->nu, b->u, b->nu) &&
		       u64_subset(a->x, a->nx, b->x, b->nx);
	case RC_CRDT_ORSET:
		/* every tag a removed, b removed; every pair of a is in b
		 * or removed there; b has issued what a has */
		if (!u64_subset(a->x, a->nx, b->x, b->nx))
			return false;
		for (unsigned i = 0; i < a->n; i++)
			if (a->p[i] > b->p[i])
				return false;
		for (size_t i = 0, j = 0; i < a->npairs; i++) {
			while (j < b->npairs &&
			       or_cmp(&b->pairs[j], &a->pairs[i]) < 0)
				j++;
			if ((j == b->npairs ||
			     or_cmp(&b->pairs[j], &a->pairs[i]) != 0) &&
			    !u64_has(b->x, b->nx, a->pairs[i].tag))
				return false;
		}
		return true;
	case RC_CRDT_LWW:
		return !a->written ||
		       (b->written &&
			id_cmp(a->time, a->id, b->time, b->id) <= 0);
	case RC_CRDT_MV:
		/* each pair of a is covered by one of b */
		for (size_t i = 0; i < a->nmv; i++) {
			bool cov = false;

			for (size_t j = 0; j < b->nmv && !cov; j++)
				cov = vv_leq(a->mv[i].vv, b->mv[j].vv, a->n);
			if (!cov)
				return false;
		}
		return true;
	case RC_CRDT_RGA:
		for (size_t i = 0; i < a->nnodes; i++) {
			const struct rga_node *x = &a->nodes[i];
			size_t j = node_find(b, x->t, x->r);

			if (j == b->nnodes || b->nodes[j].t != x->t ||
			    b->nodes[j].r != x->r ||
			    (x->del && !b->nodes[j].del))
				return false;
		}
		return true;
	case RC_CRDT_NKINDS:
		break;
	}
	return false;
}

bool rc_crdt_equal(const rc_crdt_t *a, const rc_crdt_t *b)
{
	return rc_crdt_leq(a, b) && rc_crdt_leq(b, a);
}

/* ---- updates and queries ---- */

static bool may(const rc_crdt_t *c, unsigned r, enum rc_crdt_kind k1,
		enum rc_crdt_kind k2)
{
	return r < c->n && (c->kind == k1 || c->kind == k2);
}

int rc_crdt_inc(rc_crdt_t *c, unsigned r, uint64_t by)
{
	if (!may(c, r, RC_CRDT_GCOUNTER, RC_CRDT_PNCOUNTER))
		return -RC_EINVAL;
	c->p[r] += by;
	return 0;
}

int rc_crdt_dec(rc_crdt_t *c, unsigned r, uint64_t by)
{
	if (!may(c, r, RC_CRDT_PNCOUNTER, RC_CRDT_PNCOUNTER))
		return -RC_EINVAL;
	c->m[r] += by;
	return 0;
}

uint64_t rc_crdt_value(const rc_crdt_t *c)
{
	uint64_t v = 0;

	if (c->kind != RC_CRDT_GCOUNTER && c->kind != RC_CRDT_PNCOUNTER)
		return 0;
	for (unsigned i = 0; i < c->n; i++)
		v += c->p[i] - (c->m ? c->m[i] : 0);
	return v;
}

int rc_crdt_add(rc_crdt_t *c, unsigned r, uint64_t e)
{
	struct or_ent ne, *npairs;
	size_t i;

	if (r >= c->n)
		return -RC_EINVAL;
	switch (c->kind) {
	case RC_CRDT_GSET:
	case RC_CRDT_TWOPSET:
		return u64_insert(&c->u, &c->nu, e);
	case RC_CRDT_ORSET:
		if (c->p[r] + 1 >= (1ull << 48))
			return -RC_EINVAL; /* tags of this replica spent */
		ne.e = e;
		ne.tag = TAG(r, c->p[r] + 1);
		npairs = realloc(c->pairs, (c->npairs + 1) * sizeof *npairs);
		if (!npairs)
			return -RC_ENOMEM;
		c->pairs = npairs;
		for (i = c->npairs; i > 0 && or_cmp(&npairs[i - 1], &ne) > 0;
		     i--)
			npairs[i] = npairs[i - 1];
		npairs[i] = ne;
		c->npairs++;
		c->p[r]++;
		return 0;
	default:
		return -RC_EINVAL;
	}
}

int rc_crdt_remove(rc_crdt_t *c, unsigned r, uint64_t e)
{
	if (r >= c->n)
		return -RC_EINVAL;
	if (c->kind == RC_CRDT_TWOPSET) {
		if (!u64_has(c->u, c->nu, e))
			return 0;
		return u64_insert(&c->x, &c->nx, e);
	}
	if (c->kind == RC_CRDT_ORSET) {
		uint64_t *x = NULL;
		size_t nx = 0, k = 0, n = 0;

		/* the tags of e seen here, removed all at once */
		for (size_t i = 0; i < c->npairs; i++)
			if (c->pairs[i].e == e)
				n++;
		if (n == 0)
			return 0;
		x = malloc((c->nx + n) * sizeof *x);
		if (!x)
			return -RC_ENOMEM;
		if (c->nx > 0)
			memcpy(x, c->x, c->nx * sizeof *x);
		nx = c->nx;
		for (size_t i = 0; i < c->npairs; i++) {
			size_t at;

			if (c->pairs[i].e != e) {
				c->pairs[k++] = c->pairs[i];
				continue;
			}
			at = u64_find(x, nx, c->pairs[i].tag);
			memmove(x + at + 1, x + at, (nx - at) * sizeof *x);
			x[at] = c->pairs[i].tag;
			nx++;
		}
		c->npairs = k;
		free(c->x);
		c->x = x;
		c->nx = nx;
		return 0;
	}
	return -RC_EINVAL;
}

bool rc_crdt_contains(const rc_crdt_t *c, uint64_t e)
{
	switch (c->kind) {
	case RC_CRDT_GSET:
		return u64_has(c->u, c->nu, e);
	case RC_CRDT_TWOPSET:
		return u64_has(c->u, c->nu, e) && !u64_has(c->x, c->nx, e);
	case RC_CRDT_ORSET:
		for (size_t i = 0; i < c->npairs; i++)
			if (c->pairs[i].e == e)
				return true;
		return false;
	default:
		return false;
	}
}

size_t rc_crdt_elements(const rc_crdt_t *c, uint64_t *out, size_t max)
{
	size_t k = 0;

	switch (c->kind) {
	case RC_CRDT_GSET:
	case RC_CRDT_TWOPSET:
		for (size_t i = 0; i < c->nu; i++) {
			if (c->kind == RC_CRDT_TWOPSET &&
			    u64_has(c->x, c->nx, c->u[i]))
				continue;
			if (k < max)
				out[k] = c->u[i];
			k++;
		}
		return k;
	case RC_CRDT_ORSET:
		/* pairs are sorted by element: one per run */
		for (size_t i = 0; i < c->npairs; i++) {
			if (i > 0 && c->pairs[i].e == c->pairs[i - 1].e)
				continue;
			if (k < max)
				out[k] = c->pairs[i].e;
			k++;
		}
		return k;
	default:
		return 0;
	}
}

int rc_crdt_write(rc_crdt_t *c, unsigned r, uint64_t v)
{
	if (r >= c->n)
		return -RC_EINVAL;
	if (c->kind == RC_CRDT_LWW) {
		c->clock++;
		c->val = v;
		c->time = c->clock;
		c->id = r;
		c->written = true;
		return 0;
	}
	if (c->kind == RC_CRDT_MV) {
		struct mv_ent *mv = calloc(1, sizeof *mv);
		uint64_t *vv = calloc(c->n, sizeof *vv);

		if (!mv || !vv) {
			free(mv);
			free(vv);
			return -RC_ENOMEM;
		}
		/* covers every value held here, and is new */
		for (size_t i = 0; i < c->nmv; i++)
			for (unsigned j = 0; j < c->n; j++)
				if (vv[j] < c->mv[i].vv[j])
					vv[j] = c->mv[i].vv[j];
		vv[r]++;
		mv[0].v = v;
		mv[0].vv = vv;
		mv_free(c->mv, c->nmv);
		c->mv = mv;
		c->nmv = 1;
		return 0;
	}
	return -RC_EINVAL;
}

size_t rc_crdt_read(const rc_crdt_t *c, uint64_t *out, size_t max)
{
	size_t kept = 0;

	if (c->kind == RC_CRDT_LWW) {
		if (c->written && max > 0)
			out[0] = c->val;
		return c->written ? 1 : 0;
	}
	if (c->kind != RC_CRDT_MV)
		return 0;
	/* the max smallest values, ascending, by insertion */
	for (size_t i = 0; i < c->nmv; i++) {
		uint64_t v = c->mv[i].v;
		size_t j;

		if (kept < max)
			j = kept++;
		else if (max > 0 && v < out[max - 1])
			j = max - 1;
		else
			continue;
		for (; j > 0 && out[j - 1] > v; j--)
			out[j] = out[j - 1];
		out[j] = v;
	}
	return c->nmv;
}

int rc_crdt_insert(rc_crdt_t *c, unsigned r, size_t pos, uint64_t v)
{
	struct rga_node nd = { 0, 0, r, 0, v, false }, *nn;
	size_t at;
	bool nomem = false;

	if (c->kind != RC_CRDT_RGA || r >= c->n)
		return -RC_EINVAL;
	if (pos > 0) {
		size_t p = rga_visible(c, pos - 1, &nomem);

		if (nomem)
			return -RC_ENOMEM;
		if (p == c->nnodes)
			return -RC_EINVAL;
		nd.pt = c->nodes[p].t;
		nd.pr = c->nodes[p].r;
	}
	nn = realloc(c->nodes, (c->nnodes + 1) * sizeof *nn);
	if (!nn)
		return -RC_ENOMEM;
	c->nodes = nn;
	/* larger than every id seen: sorts last, and comes right after
	 * its parent, before the parent's older children */
	nd.t = ++c->clock;
	at = node_find(c, nd.t, nd.r);
	memmove(nn + at + 1, nn + at, (c->nnodes - at) * sizeof *nn);
	nn[at] = nd;
	c->nnodes++;
	return 0;
}

int rc_crdt_delete(rc_crdt_t *c, unsigned r, size_t pos)
{
	size_t p;
	bool nomem = false;

	if (c->kind != RC_CRDT_RGA || r >= c->n)
		return -RC_EINVAL;
	p = rga_visible(c, pos, &nomem);
	if (nomem)
		return -RC_ENOMEM;
	if (p == c->nnodes)
		return -RC_EINVAL;
	c->nodes[p].del = true;
	return 0;
}

size_t rc_crdt_list(const rc_crdt_t *c, uint64_t *out, size_t max)
{
	size_t *ord, k = 0;

	if (c->kind != RC_CRDT_RGA || c->nnodes == 0)
		return 0;
	ord = malloc(c->nnodes * sizeof *ord);
	if (!ord || !rga_order(c, ord)) {
		free(ord);
		return SIZE_MAX;
	}
	for (size_t i = 0; i < c->nnodes; i++) {
		if (c->nodes[ord[i]].del)
			continue;
		if (k < max)
			out[k] = c->nodes[ord[i]].v;
		k++;
	}
	free(ord);
	return k;
}
