/* SPDX-License-Identifier: MIT */
/* mem_state.c: an explored memory object's state: its canonical encoding, hash, equality and clone. */
#include <assert.h>

#include "runtime/mem_int.h"

struct words {
	uint64_t *w;
	size_t n, cap;
};

static void put(struct words *b, uint64_t v)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		uint64_t *nw = realloc(b->w, cap * sizeof(*nw));

		assert(nw != NULL);
		b->w = nw;
		b->cap = cap;
	}
	b->w[b->n++] = v;
}

static const struct sc_entry *sc_entry_at(const rc_mem_t *m, uint64_t idx)
{
	uint64_t k = idx >> m->seg_shift;
	struct sc_seg *s = atomic_load_explicit(&m->dir[k & (m->ndir - 1)].seg,
						memory_order_relaxed);

	return &s->e[idx & (seg_entries(m) - 1)];
}

/*
 * Causal stamps are only ever compared with stamps of the same location,
 * and a new write's stamp exceeds every stamp of its location (the last
 * one issued is the largest). So a stamp is encoded as its rank among
 * the stamps its location holds now (copies, log entries, the last write),
 * and the Lamport clocks, which only push stamps up, are left out: states
 * that differ only in clock values behave alike.
 */
struct ranks {
	uint64_t *v; /* per location: sorted distinct stamps */
	size_t *n, cap;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void ranks_add(struct ranks *k, unsigned loc, uint64_t stamp)
{
	k->v[loc * k->cap + k->n[loc]++] = stamp;
}

/* Explore mode: the stamp of the last write issued to loc. */
static uint64_t c_last(const rc_mem_t *m, unsigned loc)
{
	/* Relaxed: one thread drives an explored object. */
	return atomic_load_explicit(&m->last_stamp[loc], memory_order_relaxed);
}

/* Explore mode: the oldest entry of s's log some replica has not applied. */
static uint64_t c_log_base(const rc_mem_t *m, unsigned s)
{
	uint64_t base = c_published(m, s);

	for (unsigned i = 0; i < m->n; i++)
		if (i != s && m->reps[i].vc[s] < base)
			base = m->reps[i].vc[s];
	return base;
}

static void ranks_make(struct ranks *k, const rc_mem_t *m)
{
	size_t msgs = 0;

	for (unsigned s = 0; s < m->n; s++)
		msgs += c_published(m, s) - c_log_base(m, s);
	k->cap = m->n + msgs + 2;
	k->v = malloc(m->nlocs * k->cap * sizeof(*k->v));
	k->n = calloc(m->nlocs, sizeof(*k->n));
	assert(k->v != NULL && k->n != NULL);
	for (unsigned l = 0; l < m->nlocs; l++) {
		ranks_add(k, l, 0);
		ranks_add(k, l, c_last(m, l));
		for (unsigned i = 0; i < m->n; i++)
			ranks_add(k, l, m->reps[i].stamp[l]);
	}
	for (unsigned s = 0; s < m->n; s++) {
		const struct clog_seg *g = _rc_mem_causal_log_oldest(m, s);
		uint64_t end = c_published(m, s);

		for (uint64_t idx = c_log_base(m, s); idx < end; idx++) {
			const struct clog_entry *e;

			g = c_seg_find(m, g, idx);
			e = c_seg_entry(m, g, idx);
			ranks_add(k, e->loc, e->stamp);
		}
	}
	for (unsigned l = 0; l < m->nlocs; l++) {
		uint64_t *v = &k->v[l * k->cap];
		size_t u = 0;

		qsort(v, k->n[l], sizeof(*v), cmp_u64);
		for (size_t j = 0; j < k->n[l]; j++)
			if (u == 0 || v[u - 1] != v[j])
				v[u++] = v[j];
		k->n[l] = u;
	}
}

static uint64_t rank_of(const struct ranks *k, unsigned loc, uint64_t stamp)
{
	const uint64_t *v = &k->v[loc * k->cap];
	size_t lo = 0, hi = k->n[loc];

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid] < stamp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Entry idx of s's log, with the whole of its vector clock. */
static void put_msg(struct words *b, const rc_mem_t *m, const struct ranks *k,
		    unsigned s, uint64_t idx, const struct clog_entry *e)
{
	put(b, e->loc);
	put(b, e->val);
	put(b, rank_of(k, e->loc, e->stamp));
	for (unsigned j = 0; j < m->n; j++)
		put(b, c_entry_vc(e, s, idx, j));
}

/*
 * EVENTUAL: stamps are kept as they are, with each replica's Lamport
 * clock: a new write's stamp is one above its replica's clock, not above
 * every stamp of its location, so how it compares with the stamps in
 * flight depends on the values, not only on their order.
 */
static void ev_encode(const rc_mem_t *m, struct words *b)
{
	put(b, m->flags & RC_MEM_MVR);
	for (unsigned i = 0; i < m->n; i++) {
		const struct rc_mem_replica *r = &m->reps[i];

		put(b, r->lamport);
		/* Relaxed: explore mode, one thread. */
		put(b,
		    atomic_load_explicit(&((struct rc_mem_replica *)r)->wtime,
					 memory_order_relaxed));
		for (unsigned k = 0; k < m->n; k++)
			put(b, r->vc[k]);
		for (unsigned l = 0; l < m->nlocs; l++) {
			put(b, r->copy[l]);
			put(b, r->stamp[l]);
		}
		for (unsigned l = 0; r->sibs != NULL && l < m->nlocs; l++) {
			const struct mv_set *g = r->sibs[l];
			uint64_t st[RC_MEM_MAX_REPLICAS];
			unsigned n = g != NULL ? g->n : 0;

			/* siblings in stamp order: their order in the set
			 * depends on the order they arrived in */
			put(b, n);
			for (unsigned k = 0; k < n; k++)
				st[k] = g->w[k * mv_words(m) + 1];
			qsort(st, n, sizeof(*st), cmp_u64);
			for (unsigned j = 0; j < n; j++)
				for (unsigned k = 0; k < n; k++) {
					const uint64_t *x =
						&g->w[k * mv_words(m)];

					if (x[1] != st[j])
						continue;
					for (size_t w = 0; w < mv_words(m); w++)
						put(b, x[w]);
				}
		}
		for (unsigned s = 0; s < m->n; s++) {
			const struct clog_seg *g = r->rseg[s];
			uint64_t end = s == i ? 0 : c_published(m, s);

			put(b, end > r->vc[s] ? end - r->vc[s] : 0);
			for (uint64_t x = r->vc[s]; x < end; x++) {
				const struct clog_entry *e;

				g = c_seg_find(m, g, x);
				e = c_seg_entry(m, g, x);
				put(b, e->loc);
				put(b, e->val);
				put(b, e->stamp);
				put(b, e->flags);
				for (unsigned j = 0; j < m->n; j++)
					put(b, c_entry_vc(e, s, x, j));
			}
		}
	}
}

/*
 * The state as words. Log indexes are relative to the oldest entry some
 * replica still needs, so states that differ only by how long the log
 * has been encode the same. Counters that only pace threaded mode (the
 * TSO drain clock) are left out.
 */
static void encode(const rc_mem_t *m, struct words *b)
{
	uint64_t base = UINT64_MAX, tail;
	struct ranks rk;

	put(b, m->level);
	put(b, m->nlocs);
	put(b, m->n);
	switch (m->level) {
	case RC_LIN:
	case RC_TSO:
		for (unsigned l = 0; l < m->nlocs; l++)
			put(b, atomic_load_explicit(&m->shared[l].v,
						    memory_order_relaxed));
		if (m->level == RC_LIN)
			break;
		for (unsigned i = 0; i < m->n; i++) {
			const struct rc_mem_replica *r = &m->reps[i];

			put(b, r->bn);
			for (unsigned j = 0; j < r->bn; j++) {
				const struct tso_entry *e =
					&r->buf[(r->bhead + j) %
						RC_MEM_TSO_DEPTH];

				put(b, e->loc);
				put(b, e->val);
			}
		}
		break;
	case RC_SC:
		tail = atomic_load_explicit(&((rc_mem_t *)m)->tail,
					    memory_order_relaxed);
		for (unsigned i = 0; i < m->n; i++)
			if (m->reps[i].applied < base)
				base = m->reps[i].applied;
		for (unsigned i = 0; i < m->n; i++) {
			const struct rc_mem_replica *r = &m->reps[i];

			put(b, r->applied - base);
			put(b,
			    r->last_own > r->applied ? r->last_own - base : 0);
			for (unsigned l = 0; l < m->nlocs; l++)
				put(b, r->copy[l]);
		}
		put(b, tail - base);
		for (uint64_t idx = base; idx < tail; idx++) {
			const struct sc_entry *e = sc_entry_at(m, idx);

			put(b, e->op);
			put(b, e->loc);
			put(b, e->a);
			put(b, e->b);
		}
		break;
	case RC_CAUSAL:
		ranks_make(&rk, m);
		for (unsigned i = 0; i < m->n; i++) {
			const struct rc_mem_replica *r = &m->reps[i];

			for (unsigned k = 0; k < m->n; k++)
				put(b, r->vc[k]);
			for (unsigned l = 0; l < m->nlocs; l++) {
				put(b, r->copy[l]);
				put(b, rank_of(&rk, l, r->stamp[l]));
			}
			for (unsigned s = 0; s < m->n; s++) {
				const struct clog_seg *g = r->rseg[s];
				uint64_t end = s == i ? 0 : c_published(m, s);

				put(b, end > r->vc[s] ? end - r->vc[s] : 0);
				for (uint64_t x = r->vc[s]; x < end; x++) {
					g = c_seg_find(m, g, x);
					put_msg(b, m, &rk, s, x,
						c_seg_entry(m, g, x));
				}
			}
		}
		for (unsigned l = 0; l < m->nlocs; l++)
			put(b, rank_of(&rk, l, c_last(m, l)));
		for (size_t j = 0; j < (size_t)m->nlocs * m->n; j++)
			put(b, m->last_vc[j]);
		for (unsigned k = 0; k < m->n; k++)
			put(b, m->fence_vc[k]);
		free(rk.v);
		free(rk.n);
		break;
	case RC_EVENTUAL:
		ev_encode(m, b);
		break;
	default:
		break;
	}
}

uint64_t rc_mem_state_hash(const rc_mem_t *mem)
{
	struct words b = { 0 };
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the words' bytes */

	assert(explore(mem));
	encode(mem, &b);
	for (size_t i = 0; i < b.n; i++)
		for (unsigned k = 0; k < 8; k++) {
			h ^= (b.w[i] >> (8 * k)) & 0xff;
			h *= 0x100000001b3ull;
		}
	free(b.w);
	return h;
}

bool rc_mem_state_equal(const rc_mem_t *a, const rc_mem_t *b)
{
	struct words wa = { 0 }, wb = { 0 };
	bool eq;

	assert(explore(a) && explore(b));
	encode(a, &wa);
	encode(b, &wb);
	eq = wa.n == wb.n && memcmp(wa.w, wb.w, wa.n * sizeof(uint64_t)) == 0;
	free(wa.w);
	free(wb.w);
	return eq;
}

/*
 * d's log of sender q becomes a copy of src's, segment by segment from
 * the oldest one a reader needs, with every reader at the same entry.
 * Leaves d's log as it was when out of memory.
 */
static int c_log_clone(rc_mem_t *d, const rc_mem_t *src, unsigned q)
{
	size_t sz = sizeof(struct clog_seg) + src->cseg_n * src->cstride;
	struct clog_seg *head = NULL, **link = &head, *c = NULL;

	for (const struct clog_seg *g = _rc_mem_causal_log_oldest(src, q);
	     g != NULL; g = g->next) {
		if (posix_memalign((void **)&c, RC_CACHELINE, sz) != 0) {
			while (head != NULL) {
				c = head->next;
				free(head);
				head = c;
			}
			return -1;
		}
		memcpy(c, g, sz);
		c->next = NULL;
		*link = c;
		link = &c->next;
	}
	_rc_mem_causal_log_free(d, q);
	d->reps[q].wseg = c;
	/* Relaxed: one thread drives both objects. */
	atomic_store_explicit(&d->reps[q].published, c_published(src, q),
			      memory_order_relaxed);
	for (unsigned i = 0; i < d->n; i++) {
		struct clog_seg *g = head;

		if (i == q)
			continue;
		while (g->first != src->reps[i].rseg[q]->first)
			g = g->next;
		d->reps[i].rseg[q] = g;
	}
	return 0;
}

/*
 * d, made bare by mem.c for src's level and sizes, becomes a copy of s:
 * rc_mem_clone. -1 without memory.
 */
int _rc_mem_state_clone(rc_mem_t *d, const rc_mem_t *s)
{
	uint64_t tail = atomic_load_explicit(&((rc_mem_t *)s)->tail,
					     memory_order_relaxed);

	atomic_store_explicit(&d->tail, tail, memory_order_relaxed);
	if (s->shared != NULL)
		for (unsigned l = 0; l < s->nlocs; l++)
			atomic_store_explicit(
				&d->shared[l].v,
				atomic_load_explicit(&s->shared[l].v,
						     memory_order_relaxed),
				memory_order_relaxed);
	if (s->last_vc != NULL) {
		for (unsigned l = 0; l < s->nlocs; l++)
			/* Relaxed: one thread drives both objects. */
			atomic_store_explicit(&d->last_stamp[l], c_last(s, l),
					      memory_order_relaxed);
		memcpy(d->last_vc, s->last_vc,
		       (size_t)s->nlocs * s->n * sizeof(uint64_t));
		memcpy(d->fence_vc, s->fence_vc, s->n * sizeof(uint64_t));
	}
	for (size_t k = 0; s->dir != NULL && k < s->ndir; k++) {
		struct sc_seg *src = atomic_load_explicit(&s->dir[k].seg,
							  memory_order_relaxed),
			      *dst;
		size_t sz = sizeof(*src) + seg_entries(s) * sizeof(src->e[0]);

		atomic_store_explicit(
			&d->dir[k].serves,
			atomic_load_explicit(&s->dir[k].serves,
					     memory_order_relaxed),
			memory_order_relaxed);
		if (src == NULL)
			continue;
		dst = malloc(sz);
		if (dst == NULL)
			return -1;
		memcpy(dst, src, sz);
		atomic_store_explicit(&d->dir[k].seg, dst,
				      memory_order_relaxed);
	}
	for (unsigned i = 0; i < s->n; i++) {
		const struct rc_mem_replica *rs = &s->reps[i];
		struct rc_mem_replica *rd = &d->reps[i];

		rd->ops = rs->ops;
		rd->bhead = rs->bhead;
		rd->bn = rs->bn;
		rd->applied = rs->applied;
		rd->last_own = rs->last_own;
		rd->lamport = rs->lamport;
		/* Relaxed: one thread drives both objects. */
		atomic_store_explicit(
			&rd->wtime,
			atomic_load_explicit(
				&((struct rc_mem_replica *)rs)->wtime,
				memory_order_relaxed),
			memory_order_relaxed);
		if (rs->buf != NULL)
			memcpy(rd->buf, rs->buf,
			       RC_MEM_TSO_DEPTH * sizeof(*rs->buf));
		if (rs->copy != NULL)
			memcpy(rd->copy, rs->copy,
			       s->nlocs * sizeof(*rs->copy));
		if (rs->stamp != NULL)
			memcpy(rd->stamp, rs->stamp,
			       s->nlocs * sizeof(*rs->stamp));
		if (rs->vc != NULL)
			memcpy(rd->vc, rs->vc, s->n * sizeof(*rs->vc));
		if (rs->sibs != NULL && _rc_mem_mv_copy(rd, rs) < 0)
			return -1;
	}
	for (unsigned q = 0; has_logs(s->level) && q < s->n; q++)
		if (c_log_clone(d, s, q) < 0)
			return -1;
	return 0;
}
