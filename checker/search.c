/* SPDX-License-Identifier: MIT */
/* search.c: the linearizability and sequential-consistency search with memoised states. */
/*
 * The search (Wing and Gong, with Lowe's memoisation) builds a sequential
 * order one operation at a time. For linearizability an operation may come
 * next when no other pending operation returned before it was invoked: with
 * the operations sorted by invocation and the determinate ones by response,
 * those are the unlinearized operations invoked no later than the earliest
 * response of an unlinearized one. For sequential consistency it is the next
 * operation of each process. Each visited (set of linearized operations,
 * object state) pair is remembered; reaching it again by another order adds
 * nothing, which makes the search polynomial on most real histories.
 *
 * The set is stored compactly: k, the first determinate operation not yet
 * linearized (all determinate ones before it are), and the exceptions around
 * k. For sequential consistency it is the position reached in each process.
 *
 * Indeterminate operations (no response: Jepsen's :info, a crashed client)
 * may take effect at any time after their invocation, or never. Left free
 * they multiply the states by the subsets of them linearized so far, which is
 * what stalls other checkers. Two rules keep them cheap:
 *
 *  - identical indeterminate operations (same kind and arguments, both
 *    invoked) are interchangeable, so they are used in invocation order;
 *  - for registers and kv keys without append, every operation either reads
 *    (does not change the state) or overwrites (the next state does not
 *    depend on the previous one). Take any valid order and a maximal block of
 *    indeterminate operations in it, followed by a determinate operation d.
 *    If d reads and succeeds in the state before the block, the block can be
 *    moved after d (an indeterminate operation can always take effect later);
 *    if d overwrites and succeeds there, the block can be dropped (it changes
 *    nothing d leaves). Blocks at the end can be dropped, and inside a block
 *    only the last write matters. So an order exists iff one exists in which
 *    each block is a write or cas followed by cas operations, each changing
 *    the state, right before a determinate operation that fails without the
 *    block. The search only builds such blocks ("chains").
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "checker/spec.h"

struct sop {
	int64_t call, ret;
	const struct rc_hop *op;
	uint32_t id;   /* index in the history */
	uint32_t proc; /* dense process number */
	uint32_t need; /* sc, indeterminate: determinate ops of its process
			  that must come before it */
	int32_t twin;  /* previous identical indeterminate op, or -1 */
	uint32_t icls; /* indeterminate: its class of identical ops */
	uint8_t indet;
	uint8_t cls;
};

struct frame {
	uint32_t op;	/* op linearized to enter this node; UINT32_MAX: root */
	uint32_t state; /* object state at this node */
	uint32_t k;	/* lin: first unlinearized determinate op */
	uint32_t rp;	/* lin: first unlinearized op in response order */
	uint32_t cur;	/* next candidate to try */
	uint32_t s0;	/* chain: the state before the chain */
	uint32_t ndet;	/* determinate ops linearized */
	uint16_t chain; /* length of the chain of indeterminate ops */
	uint8_t phase;	/* 0 determinate candidates, 1 indeterminate, 2 done */
	uint8_t pruned; /* a candidate was dropped by the prefix rule */
	uint32_t last;	/* sc: the last candidate tried */
};

struct memo {
	uint32_t *arena;
	size_t len, cap;
	uint64_t *tab; /* hash << 32 | (offset + 1); 0 empty */
	size_t tcap, n;
};

struct search {
	struct sop *ops;
	size_t n;
	uint64_t *lin;
	uint32_t *by_ret; /* determinate ops by response */
	size_t ndet;
	uint32_t *indet; /* indeterminate ops by invocation */
	size_t nindet;
	uint32_t *iheads; /* those with no identical op before them */
	size_t nheads;	  /* (iheads[c] is class c's first op) */
	uint32_t *cmem;	  /* class c's ops: cmem[cstart[c] .. + csize[c]] */
	uint32_t *cstart, *csize;
	bool sc, chains;
	bool relaxed; /* indeterminate ops may take effect more than once */
	/* sc: each process's determinate ops in order, and positions */
	uint32_t nprocs;
	uint32_t *pstart, *plen, *pops, *ppos;
	struct _rc_states st;
	struct memo memo;
	struct frame *fr;
	size_t nfr, cfr;
	uint32_t *key, *ikey;
	/* exact search: linearized indeterminate ops per class, in all */
	uint32_t *icnt, nicls, nilin;
	size_t keycap;
	/* the witness */
	uint32_t best_ndet;
	bool have_best;
	struct frame best; /* the deepest dead end */
	uint32_t *bpath;   /* its path (op numbers) */
	size_t blen, bsame, bcap;
	double deadline;
	size_t max_states;
	/* the prefix rule (kv, one key; see prefix_dead) */
	bool prefix;
	rc_hval_t key1;
	char *text;   /* the texts of gets' results and puts' values */
	size_t *toff; /* op i's text: text + toff[i], ttlen[i] bytes */
	uint32_t *ttlen;
	uint32_t *boff;	   /* get i's bases: base[boff[i] .. boff[i + 1]] */
	uint32_t *base;	   /* puts whose value is a prefix of the result */
	uint32_t culprit;  /* the get prefix_dead found */
	uint32_t bculprit; /* the witness's (pruned == 2) */
};

static bool islin(const struct search *s, uint32_t i)
{
	return (s->lin[i / 64] >> (i % 64)) & 1;
}

static void setlin(struct search *s, uint32_t i, bool v)
{
	if (v)
		s->lin[i / 64] |= UINT64_C(1) << (i % 64);
	else
		s->lin[i / 64] &= ~(UINT64_C(1) << (i % 64));
}

static int cmp_call(const void *a, const void *b)
{
	const struct sop *x = a, *y = b;

	if (x->call != y->call)
		return x->call < y->call ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Orders op numbers by response time (qsort_r: reentrant). */
static int cmp_ret(const void *a, const void *b, void *arg)
{
	const struct search *s = arg;
	const struct sop *x = &s->ops[*(const uint32_t *)a];
	const struct sop *y = &s->ops[*(const uint32_t *)b];

	if (x->ret != y->ret)
		return x->ret < y->ret ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The earliest response among unlinearized determinate ops. */
static int64_t minret(const struct search *s, uint32_t rp)
{
	return rp < s->ndet ? s->ops[s->by_ret[rp]].ret : RC_HTIME_INF;
}

static bool key_reserve(struct search *s, size_t n)
{
	if (n <= s->keycap)
		return true;
	size_t nc = s->keycap ? s->keycap : 64;
	while (nc < n)
		nc *= 2;
	uint32_t *k = realloc(s->key, nc * sizeof(*k));
	if (k == NULL)
		return false;
	s->key = k;
	s->keycap = nc;
	return true;
}

/*
 * The memo key of the current node, in two parts: the determinate part
 * [state, k, linearized determinate ops at or after k] (for sequential
 * consistency [state, 0, position in each process]) in s->key, returned
 * length; and the linearized indeterminate ops in s->ikey (*ni), as
 * (class, count) pairs by class: identical ops are used in invocation order,
 * so how many of a class were used tells which (a list of the ops
 * themselves made the key, and the work per node, grow with the history).
 * Returns 0 when out of memory.
 */
static size_t build_key(struct search *s, uint32_t state, uint32_t k,
			uint32_t rp, size_t *ni)
{
	size_t m = 2;

	if (!key_reserve(s, 2 + s->nprocs + 64))
		return 0;
	*ni = 0;
	for (uint32_t c = 0; c < s->nicls && s->nilin > 0; c++)
		if (s->icnt[c] > 0) {
			s->ikey[(*ni)++] = c;
			s->ikey[(*ni)++] = s->icnt[c];
		}
	s->key[0] = state;
	if (s->sc) {
		s->key[1] = 0;
		for (uint32_t p = 0; p < s->nprocs; p++)
			s->key[m++] = s->ppos[p];
		return m;
	}
	s->key[1] = k;
	int64_t mr = minret(s, rp);
	for (uint32_t i = k; i < s->n && s->ops[i].call <= mr; i++) {
		if (i % 64 == 0 && s->lin[i / 64] == 0 &&
		    (i + 64 > s->n || s->ops[i + 63].call <= mr)) {
			i += 63;
			continue;
		}
		if (islin(s, i) && !s->ops[i].indet) {
			if (!key_reserve(s, m + 1 + 2))
				return 0;
			s->key[m++] = i;
		}
	}
	return m;
}

static uint32_t key_hash(const uint32_t *k, size_t n)
{
	uint64_t h = n;

	for (size_t i = 0; i < n; i++)
		h = _rc_mix64(h ^ k[i]);
	return (uint32_t)h;
}

/*
 * Does the (class, count) list a use no more of any class than b does?
 * Both are sorted by class.
 */
static bool dominated(const uint32_t *a, size_t na, const uint32_t *b,
		      size_t nb)
{
	size_t j = 0;

	if (na > nb)
		return false;
	for (size_t i = 0; i < na; i += 2) {
		while (j < nb && b[j] < a[i])
			j += 2;
		if (j == nb || b[j] != a[i] || b[j + 1] < a[i + 1])
			return false;
		j += 2;
	}
	return true;
}

/*
 * Looks the node up and remembers it: 1 when new, 0 when a node with the
 * same determinate part and no more indeterminate ops of any class was seen (it
 * can do all this one can: unused indeterminate ops are optional, and
 * identical ones interchangeable), -1 when out of memory. Entries are
 * [nd, hash, ni, det..., ind...].
 */
/*
 * Large tables are probed at random: asking for huge pages where the
 * system gives them on request spares most TLB misses and page faults.
 */
static void huge_advise(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	size_t huge = (size_t)2 << 20;
	uintptr_t a = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(uintptr_t)(huge - 1);

	if (p != NULL && len >= 2 * huge && e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
#else
	(void)p;
	(void)len;
#endif
}

static void *big_calloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	huge_advise(p, n * size);
	return p;
}

static int memo_insert(struct memo *m, const uint32_t *k, size_t n,
		       const uint32_t *ind, size_t ni)
{
	uint32_t h = key_hash(k, n);
	size_t i;

	if ((m->n + 1) * 2 >= m->tcap) {
		size_t cap = m->tcap ? m->tcap * 2 : 1024;
		uint64_t *t;

		if (!_rc_charge((ptrdiff_t)((cap - m->tcap) * sizeof(*t))))
			return -1;
		t = big_calloc(cap, sizeof(*t));
		if (t == NULL)
			return -1;
		for (size_t j = 0; j < m->tcap; j++) {
			if (m->tab[j] == 0)
				continue;
			size_t x = (m->tab[j] >> 32) & (cap - 1);

			while (t[x] != 0)
				x = (x + 1) & (cap - 1);
			t[x] = m->tab[j];
		}
		free(m->tab);
		m->tab = t;
		m->tcap = cap;
	}
	/*
	 * The hash sits beside the offset: a probe past other entries reads
	 * the table only, and growing it never reads the arena (on long
	 * histories both are cache misses, and the table is most of the
	 * search's time).
	 */
	i = h & (m->tcap - 1);
	while (m->tab[i] != 0) {
		if ((uint32_t)(m->tab[i] >> 32) == h) {
			const uint32_t *e = m->arena + (uint32_t)m->tab[i] - 1;

			if (e[0] == n &&
			    memcmp(e + 3, k, n * sizeof(*k)) == 0 &&
			    dominated(e + 3 + n, e[2], ind, ni))
				return 0;
		}
		i = (i + 1) & (m->tcap - 1);
	}
	if (m->len + n + ni + 3 >= UINT32_MAX)
		return -1;
	if (m->len + n + ni + 3 > m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 4096;
		uint32_t *a;

		while (nc < m->len + n + ni + 3)
			nc *= 2;
		if (!_rc_charge((ptrdiff_t)((nc - m->cap) * sizeof(*a))))
			return -1;
		a = realloc(m->arena, nc * sizeof(*a));
		if (a == NULL)
			return -1;
		huge_advise(a, nc * sizeof(*a));
		m->arena = a;
		m->cap = nc;
	}
	m->arena[m->len] = (uint32_t)n;
	m->arena[m->len + 1] = h;
	m->arena[m->len + 2] = (uint32_t)ni;
	memcpy(m->arena + m->len + 3, k, n * sizeof(*k));
	if (ni > 0)
		memcpy(m->arena + m->len + 3 + n, ind, ni * sizeof(*ind));
	m->tab[i] = (uint64_t)h << 32 | (uint64_t)(m->len + 1);
	m->len += n + ni + 3;
	m->n++;
	return 1;
}

/*
 * The prefix rule, for one kv key whose ops are gets, puts and appends. The
 * state when a get takes effect is either the state now followed by appends,
 * or the value of a put that takes effect before it followed by appends. So
 * when the value now is not a prefix of the result of a get still to come,
 * and no put still to come has a value that is, this node has no
 * completion. Among values built by appends in different orders, this keeps
 * only those that the coming gets can still see, instead of every
 * interleaving of the concurrent appends. Its bases (the puts whose value is
 * a prefix of a get's result) are found once, by hashing each put's value
 * and each prefix of each result.
 */
#define PREFIX_MAXBASES 64 /* more: the get never prunes */
#define PREFIX_GETS 64	   /* gets looked at per node, by response */

static bool is_get(unsigned k)
{
	return k == RC_HOP_GET || k == RC_HOP_READ;
}

static bool is_put(unsigned k)
{
	return k == RC_HOP_PUT || k == RC_HOP_WRITE;
}

static int add_base(struct search *s, size_t *nb, size_t *cap, uint32_t p)
{
	if (*nb == *cap) {
		size_t nc = *cap ? *cap * 2 : 256;
		uint32_t *b = realloc(s->base, nc * sizeof(*b));

		if (b == NULL)
			return -1;
		s->base = b;
		*cap = nc;
	}
	s->base[(*nb)++] = p;
	return 0;
}

static int prefix_setup(struct search *s, const rc_history_t *h)
{
	size_t tlen = 0, tcap = 0, nput = 0, nb = 0, bcap = 0, hcap = 16;
	uint32_t *tab = NULL;
	uint64_t *pkey = NULL;
	int rc = -1;

	if (s->n == 0)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		unsigned k = s->ops[i].op->kind;

		if (s->ops[i].op->key != s->ops[0].op->key ||
		    !(is_get(k) || is_put(k) || k == RC_HOP_APPEND))
			return 0;
		nput += is_put(k);
	}
	s->key1 = s->ops[0].op->key;
	s->toff = calloc(s->n + 1, sizeof(*s->toff));
	s->ttlen = calloc(s->n + 1, sizeof(*s->ttlen));
	s->boff = calloc(s->n + 2, sizeof(*s->boff));
	pkey = calloc(s->n + 1, sizeof(*pkey));
	while (hcap < 2 * nput + 2)
		hcap *= 2;
	tab = calloc(hcap, sizeof(*tab));
	if (!s->toff || !s->ttlen || !s->boff || !pkey || !tab)
		goto out;
	for (size_t i = 0; i < s->n; i++) {
		const struct rc_hop *o = s->ops[i].op;
		char buf[24];
		size_t len;
		const char *t;

		if (o->kind == RC_HOP_APPEND)
			continue;
		t = _rc_kv_text(h, is_get(o->kind) ? o->result : o->arg[0], buf,
				&len);
		if (len >= UINT32_MAX)
			goto out;
		/* allocated at the first text, even an empty one: the
		 * matching below compares through s->text */
		if (tlen + len > tcap || s->text == NULL) {
			size_t nc = tcap ? tcap * 2 : 4096;
			char *x;

			while (nc < tlen + len)
				nc *= 2;
			if ((x = realloc(s->text, nc)) == NULL)
				goto out;
			s->text = x;
			tcap = nc;
		}
		memcpy(s->text + tlen, t, len);
		s->toff[i] = tlen;
		s->ttlen[i] = (uint32_t)len;
		tlen += len;
		if (is_put(o->kind)) {
			size_t x;

			pkey[i] = _rc_hash_bytes(t, len);
			x = pkey[i] & (hcap - 1);
			while (tab[x] != 0)
				x = (x + 1) & (hcap - 1);
			tab[x] = (uint32_t)i + 1;
		}
	}
	for (size_t i = 0; i < s->n; i++) {
		const char *r = s->text + s->toff[i];
		uint64_t fh = UINT64_C(1469598103934665603);
		size_t len = s->ttlen[i], found = 0;

		s->boff[i] = (uint32_t)nb;
		if (!is_get(s->ops[i].op->kind))
			continue;
		for (size_t l = 0; l <= len && found <= PREFIX_MAXBASES; l++) {
			uint64_t key = _rc_mix64(fh ^ l);

			for (size_t x = key & (hcap - 1); tab[x] != 0;
			     x = (x + 1) & (hcap - 1)) {
				uint32_t p = tab[x] - 1;

				if (pkey[p] != key || s->ttlen[p] != l ||
				    memcmp(s->text + s->toff[p], r, l) != 0)
					continue;
				if (add_base(s, &nb, &bcap, p) < 0)
					goto out;
				found++;
			}
			if (l < len) {
				fh ^= (unsigned char)r[l];
				fh *= UINT64_C(1099511628211);
			}
		}
		if (found > PREFIX_MAXBASES) {
			nb = s->boff[i];
			if (add_base(s, &nb, &bcap, UINT32_MAX) < 0)
				goto out;
		}
	}
	s->boff[s->n] = (uint32_t)nb;
	s->prefix = true;
	rc = 0;
out:
	free(tab);
	free(pkey);
	return rc;
}

/*
 * Whether the prefix rule shows that the node (state, rp) cannot complete;
 * s->culprit is then the get whose result it cannot reach.
 */
static bool prefix_dead(struct search *s, uint32_t rp, uint32_t state)
{
	char buf[24];
	size_t sl;
	const char *t = _rc_state_kv_text(&s->st, state, s->key1, buf, &sl);

	for (size_t j = rp, seen = 0; j < s->ndet && seen < PREFIX_GETS; j++) {
		uint32_t g = s->by_ret[j];
		bool ok = false;

		if (islin(s, g) || !is_get(s->ops[g].op->kind))
			continue;
		seen++;
		if (sl <= s->ttlen[g] &&
		    memcmp(t, s->text + s->toff[g], sl) == 0)
			continue;
		for (uint32_t b = s->boff[g]; b < s->boff[g + 1] && !ok; b++) {
			uint32_t p = s->base[b];

			ok = p == UINT32_MAX ||
			     (s->relaxed && s->ops[p].indet) || !islin(s, p);
		}
		if (!ok) {
			s->culprit = g;
			return true;
		}
	}
	return false;
}

/* The next candidate of frame f (advancing f->cur), or -1 when none. */
static int64_t next_candidate(struct search *s, struct frame *f)
{
	int64_t mr = minret(s, f->rp);

	if (f->phase == 2)
		return -1; /* a greedy child stands for all (see below) */
	if (f->phase == 0) {
		if (s->sc) {
			/*
			 * The heads of the processes in invocation order (the
			 * one after the last tried): a real-time-like order is
			 * tried first, so near-linearizable histories go fast.
			 */
			int64_t best = -1;

			for (uint32_t p = 0; p < s->nprocs; p++) {
				uint32_t i;

				if (s->ppos[p] >= s->plen[p])
					continue;
				i = s->pops[s->pstart[p] + s->ppos[p]];
				if (f->cur > 0 && i <= f->last)
					continue;
				if (best < 0 || i < (uint32_t)best)
					best = i;
			}
			if (best >= 0) {
				f->cur = 1;
				f->last = (uint32_t)best;
				return best;
			}
		} else {
			if (f->cur < f->k)
				f->cur = f->k;
			while (f->cur < s->n && s->ops[f->cur].call <= mr) {
				uint32_t i = f->cur++;

				if (!s->ops[i].indet && !islin(s, i))
					return i;
			}
		}
		f->phase = 1;
		f->cur = 0;
	}
	/*
	 * Reusable ops: the first of identical ones stands for all. Otherwise
	 * identical ones are used in invocation order: the next unused one of
	 * each class (the classes in order of their first op).
	 */
	size_t nl = s->relaxed ? s->nheads : s->nicls;

	while (f->cur < nl) {
		uint32_t c = f->cur++, i;
		const struct sop *o;

		if (!s->relaxed) {
			if (s->icnt[c] == s->csize[c]) {
				if (s->sc || s->ops[s->iheads[c]].call <= mr)
					continue;
				f->cur = (uint32_t)nl;
				break;
			}
			i = s->cmem[s->cstart[c] + s->icnt[c]];
		} else {
			i = s->iheads[c];
		}
		o = &s->ops[i];
		if (!s->relaxed && !s->sc && o->call > mr) {
			if (s->ops[s->iheads[c]].call > mr) {
				f->cur = (uint32_t)nl;
				break;
			}
			continue;
		}

		if (s->sc) {
			if (s->ppos[o->proc] < o->need)
				continue;
		} else if (o->call > mr) {
			f->cur = (uint32_t)nl;
			break;
		}
		return i;
	}
	return -1;
}

static int push(struct search *s, const struct frame *f)
{
	if (s->nfr == s->cfr) {
		size_t nc = s->cfr ? s->cfr * 2 : 256;
		struct frame *n;

		if (!_rc_charge((ptrdiff_t)((nc - s->cfr) * sizeof(*n))))
			return -1;
		n = realloc(s->fr, nc * sizeof(*n));
		if (n == NULL)
			return -1;
		s->fr = n;
		s->cfr = nc;
	}
	s->fr[s->nfr++] = *f;
	return 0;
}

/* Marks op i linearized and fills the child frame's k, rp, ndet. */
static void apply(struct search *s, const struct frame *f, uint32_t i,
		  struct frame *c)
{
	if (!(s->relaxed && s->ops[i].indet))
		setlin(s, i, true);
	if (!s->relaxed && s->ops[i].indet) {
		s->icnt[s->ops[i].icls]++;
		s->nilin++;
	}
	c->op = i;
	c->k = f->k;
	c->rp = f->rp;
	c->ndet = f->ndet;
	if (!s->ops[i].indet) {
		c->ndet++;
		if (s->sc)
			s->ppos[s->ops[i].proc]++;
		while (c->k < s->n && (islin(s, c->k) || s->ops[c->k].indet))
			c->k++;
		while (c->rp < s->ndet && islin(s, s->by_ret[c->rp]))
			c->rp++;
	}
}

static void unapply(struct search *s, uint32_t i)
{
	if (s->relaxed && s->ops[i].indet)
		return;
	setlin(s, i, false);
	if (s->ops[i].indet) {
		s->icnt[s->ops[i].icls]--;
		s->nilin--;
	}
	if (!s->ops[i].indet && s->sc)
		s->ppos[s->ops[i].proc]--;
}

/*
 * Remembers the deepest dead end as the failure witness. Copying the whole
 * path at each new deepest node is quadratic on long histories (a search
 * that goes one op deeper, fails and backtracks a little, again and again),
 * so the path is kept in s->bpath and only the part that changed since the
 * last record is copied: s->bsame ops of it still match the stack (pops
 * lower it). What is blocked is worked out once, at the end (best_finish).
 */
static int record_best(struct search *s, const struct frame *f)
{
	size_t len = s->nfr - 1;

	if (len > s->bcap) {
		size_t nc = s->bcap ? s->bcap : 256;
		uint32_t *b;

		while (nc < len)
			nc *= 2;
		b = realloc(s->bpath, nc * sizeof(*b));
		if (b == NULL)
			return -1;
		s->bpath = b;
		s->bcap = nc;
	}
	for (size_t d = s->bsame; d < len; d++)
		s->bpath[d] = s->fr[d + 1].op;
	s->blen = len;
	s->bsame = len;
	s->best = *f;
	s->best_ndet = f->ndet;
	s->have_best = true;
	return 0;
}

/* Writes the witness recorded by record_best into part (the path, the
 * ops that could come next and none of which is possible, the state). */
static int best_finish(struct search *s, struct rc_check_part *part, bool note)
{
	const struct frame *f = &s->best;
	uint32_t *ord = realloc(part->order, (s->blen + 1) * sizeof(*ord));
	size_t nb = 0;
	char st[96];

	if (ord == NULL)
		return -1;
	part->order = ord;
	part->norder = s->blen;
	memset(s->lin, 0, (s->n / 64 + 2) * sizeof(*s->lin));
	if (s->sc)
		memset(s->ppos, 0, s->nprocs * sizeof(*s->ppos));
	for (size_t d = 0; d < s->blen; d++) {
		const struct sop *o = &s->ops[s->bpath[d]];

		ord[d] = o->id;
		if (!o->indet) {
			setlin(s, s->bpath[d], true);
			if (s->sc)
				s->ppos[o->proc]++;
		}
	}
	free(part->blocked);
	part->blocked = malloc((s->n + 1) * sizeof(*part->blocked));
	if (part->blocked == NULL)
		return -1;
	if (f->pruned == 2) {
		part->blocked[nb++] = s->ops[s->bculprit].id;
	} else if (s->sc) {
		for (uint32_t p = 0; p < s->nprocs; p++)
			if (s->ppos[p] < s->plen[p])
				part->blocked[nb++] =
					s->ops[s->pops[s->pstart[p] +
						       s->ppos[p]]]
						.id;
	} else {
		int64_t mr = minret(s, f->rp);

		for (uint32_t i = f->k; i < s->n && s->ops[i].call <= mr; i++)
			if (!s->ops[i].indet && !islin(s, i))
				part->blocked[nb++] = s->ops[i].id;
	}
	part->nblocked = nb;
	if (note) {
		_rc_state_fmt(&s->st, f->state, st, sizeof(st));
		if (f->pruned == 2)
			snprintf(part->note, sizeof(part->note),
				 "state %s after the longest %s prefix (%zu "
				 "ops) does not begin the result of the get "
				 "below, nor does any put's value to come",
				 st, s->sc ? "sequential" : "linearizable",
				 part->norder);
		else
			snprintf(part->note, sizeof(part->note),
				 "state %s after the longest %s prefix (%zu "
				 "ops); none of the %zu ops that could come "
				 "next is possible",
				 st, s->sc ? "sequential" : "linearizable",
				 part->norder, nb);
		if (f->pruned == 1) {
			size_t l = strlen(part->note);

			snprintf(part->note + l, sizeof(part->note) - l, "%s",
				 " (some would leave a value that a later "
				 "get's result does not start with)");
		}
	}
	return 0;
}

static void search_free(struct search *s)
{
	free(s->ops);
	free(s->lin);
	free(s->by_ret);
	free(s->indet);
	free(s->iheads);
	free(s->cmem);
	free(s->cstart);
	free(s->csize);
	free(s->pstart);
	free(s->plen);
	free(s->pops);
	free(s->ppos);
	free(s->memo.arena);
	free(s->memo.tab);
	free(s->fr);
	free(s->key);
	free(s->ikey);
	free(s->icnt);
	free(s->bpath);
	free(s->text);
	free(s->toff);
	free(s->ttlen);
	free(s->boff);
	free(s->base);
	_rc_states_free(&s->st);
}

static int setup(struct search *s, const rc_history_t *h, enum rc_spec spec,
		 const uint32_t *ids, size_t n)
{
	size_t m = 0;
	uint32_t maxproc = 0;
	bool chains = spec == RC_SPEC_REGISTER ||
		      spec == RC_SPEC_CAS_REGISTER || spec == RC_SPEC_KV;

	s->ops = calloc(n + 1, sizeof(*s->ops));
	if (s->ops == NULL)
		return -1;
	for (size_t j = 0; j < n; j++) {
		const struct rc_hop *o = &h->ops[ids[j]];
		struct sop *x;

		if (_rc_op_vacuous(spec, o))
			continue;
		x = &s->ops[m++];
		x->op = o;
		x->id = ids[j];
		x->call = o->call;
		x->indet = o->status == RC_HST_INDET;
		x->ret = x->indet ? RC_HTIME_INF : o->ret;
		x->cls = (uint8_t)_rc_opclass(spec, o);
		x->proc = o->proc;
		x->twin = -1;
		/* chains need one object: a kv part of one key */
		if (x->cls == RC_OPC_OTHER || o->key != h->ops[ids[0]].key)
			chains = false;
		if (o->proc > maxproc)
			maxproc = o->proc;
	}
	s->n = m;
	s->chains = chains;
	qsort(s->ops, m, sizeof(*s->ops), cmp_call);
	s->lin = calloc(m / 64 + 2, sizeof(*s->lin));
	s->by_ret = malloc((m + 1) * sizeof(*s->by_ret));
	s->indet = malloc((m + 1) * sizeof(*s->indet));
	s->iheads = malloc((m + 1) * sizeof(*s->iheads));
	if (s->lin == NULL || s->by_ret == NULL || s->indet == NULL ||
	    s->iheads == NULL)
		return -1;
	for (uint32_t i = 0; i < m; i++) {
		if (s->ops[i].indet) {
			/* the previous identical indeterminate op */
			for (size_t j = s->nindet; j-- > 0;) {
				const struct rc_hop *a = s->ops[s->indet[j]].op;
				const struct rc_hop *b = s->ops[i].op;

				if (a->kind == b->kind && a->key == b->key &&
				    a->arg[0] == b->arg[0] &&
				    a->arg[1] == b->arg[1]) {
					s->ops[i].twin = (int32_t)s->indet[j];
					s->ops[i].icls =
						s->ops[s->indet[j]].icls;
					break;
				}
			}
			if (s->ops[i].twin < 0) {
				s->ops[i].icls = s->nicls++;
				s->iheads[s->nheads++] = i;
			}
			s->indet[s->nindet++] = i;
		} else {
			s->by_ret[s->ndet++] = i;
		}
	}
	qsort_r(s->by_ret, s->ndet, sizeof(*s->by_ret), cmp_ret, s);
	s->icnt = calloc(s->nicls + 1, sizeof(*s->icnt));
	s->cstart = calloc(s->nicls + 1, sizeof(*s->cstart));
	s->csize = calloc(s->nicls + 1, sizeof(*s->csize));
	s->cmem = malloc((s->nindet + 1) * sizeof(*s->cmem));
	if (!s->icnt || !s->cstart || !s->csize || !s->cmem)
		return -1;
	for (size_t j = 0; j < s->nindet; j++)
		s->csize[s->ops[s->indet[j]].icls]++;
	for (uint32_t c = 1; c < s->nicls; c++)
		s->cstart[c] = s->cstart[c - 1] + s->csize[c - 1];
	for (size_t j = 0; j < s->nindet; j++) {
		uint32_t c = s->ops[s->indet[j]].icls;

		s->cmem[s->cstart[c] + s->icnt[c]++] = s->indet[j];
	}
	memset(s->icnt, 0, (s->nicls + 1) * sizeof(*s->icnt));
	return 0;
}

/* Sequential consistency: processes, their op lists, and needs. */
static int setup_sc(struct search *s)
{
	uint32_t *map = NULL, np = 0;
	uint32_t maxproc = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->ops[i].proc > maxproc)
			maxproc = s->ops[i].proc;
	/* dense process numbers in order of first invocation */
	struct {
		uint32_t proc, dense;
	} *pm = NULL;
	size_t npm = 0;
	(void)map;
	pm = malloc((s->n + 1) * sizeof(*pm));
	if (pm == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		size_t j;

		for (j = 0; j < npm; j++)
			if (pm[j].proc == s->ops[i].proc)
				break;
		if (j == npm) {
			pm[npm].proc = s->ops[i].proc;
			pm[npm].dense = np++;
			npm++;
		}
		s->ops[i].proc = pm[j].dense;
	}
	free(pm);
	s->nprocs = np;
	s->pstart = calloc(np + 1, sizeof(*s->pstart));
	s->plen = calloc(np + 1, sizeof(*s->plen));
	s->ppos = calloc(np + 1, sizeof(*s->ppos));
	s->pops = malloc((s->n + 1) * sizeof(*s->pops));
	if (!s->pstart || !s->plen || !s->ppos || !s->pops)
		return -1;
	for (size_t i = 0; i < s->n; i++)
		if (!s->ops[i].indet)
			s->plen[s->ops[i].proc]++;
	for (uint32_t p = 1; p < np; p++)
		s->pstart[p] = s->pstart[p - 1] + s->plen[p - 1];
	for (size_t i = 0; i < s->n; i++) {
		struct sop *o = &s->ops[i];

		if (o->indet) {
			o->need = s->ppos[o->proc];
			continue;
		}
		s->pops[s->pstart[o->proc] + s->ppos[o->proc]++] = (uint32_t)i;
	}
	/* an indeterminate op follows the ops its process invoked before */
	memset(s->ppos, 0, np * sizeof(*s->ppos));
	return 0;
}

static int search_run(const rc_history_t *h, enum rc_spec spec,
		      enum rc_level level, const uint32_t *ids, size_t n,
		      double deadline, size_t max_states,
		      struct rc_check_part *part, bool relaxed, bool *reused)
{
	struct search s;
	struct frame root;
	unsigned long long iter = 0;
	size_t nback = 0;
	int rc = 0;
	size_t klen, ni;

	memset(&s, 0, sizeof(s));
	s.relaxed = relaxed;
	s.sc = level == RC_SC;
	s.deadline = deadline;
	s.max_states = max_states;
	if (setup(&s, h, spec, ids, n) < 0 || (s.sc && setup_sc(&s) < 0) ||
	    _rc_states_init(&s.st, spec, h) < 0) {
		rc = -RC_ENOMEM;
		goto out;
	}
	memset(&root, 0, sizeof(root));
	root.op = UINT32_MAX;
	root.state = RC_STATE_INIT;
	while (root.k < s.n && s.ops[root.k].indet)
		root.k++;
	s.ikey = malloc((2 * s.nicls + 2) * sizeof(*s.ikey));
	if (s.ikey == NULL ||
	    (klen = build_key(&s, root.state, root.k, root.rp, &ni)) == 0 ||
	    memo_insert(&s.memo, s.key, klen, s.ikey, ni) < 0 ||
	    push(&s, &root) < 0) {
		rc = -RC_ENOMEM;
		goto out;
	}
	part->verdict = RC_VERDICT_VIOLATION;
	while (s.nfr > 0) {
		struct frame *f = &s.fr[s.nfr - 1];
		struct frame c;
		int64_t i, ns;

		if (f->ndet == s.ndet) {
			/* every determinate op is placed: a witness */
			uint32_t *ord = malloc((s.nfr + 1) * sizeof(*ord));

			if (ord == NULL) {
				rc = -RC_ENOMEM;
				goto out;
			}
			free(part->order);
			part->order = ord;
			part->norder = 0;
			for (size_t d = 1; d < s.nfr; d++)
				ord[part->norder++] = s.ops[s.fr[d].op].id;
			free(part->blocked);
			part->blocked = NULL;
			part->nblocked = 0;
			part->note[0] = '\0';
			part->verdict = RC_VERDICT_OK;
			/*
			 * Did an indeterminate op take effect twice? (They are
			 * never marked linearized in this mode: the marks
			 * serve to find the second use in one pass.)
			 */
			for (size_t d = 1; d < s.nfr && relaxed; d++) {
				uint32_t op = s.fr[d].op;

				if (!s.ops[op].indet)
					continue;
				if (islin(&s, op))
					*reused = true;
				setlin(&s, op, true);
			}
			break;
		}
		if ((++iter & 1023) == 0) {
			enum _rc_stop why = _rc_poll();

			if (why == RC_GO && deadline > 0 &&
			    _rc_now() > deadline)
				why = RC_STOP_TIME;
			if (why != RC_GO) {
				part->verdict = RC_VERDICT_UNKNOWN;
				snprintf(part->note, sizeof(part->note),
					 "%s after %llu search steps",
					 _rc_stop_name(why), iter);
				break;
			}
			if (s.memo.n > s.max_states ||
			    s.memo.len > (size_t)1 << 28) {
				part->verdict = RC_VERDICT_UNKNOWN;
				snprintf(part->note, sizeof(part->note),
					 "state budget spent (%zu states)",
					 s.memo.n);
				break;
			}
		}
		i = next_candidate(&s, f);
		if (i < 0) {
			/*
			 * The prefix rule's tables cost about as much as a
			 * search that never backtracks (most keys of a kv
			 * history): they are built once the search has
			 * backtracked as often as the key has ops.
			 */
			if (spec == RC_SPEC_KV && !s.prefix &&
			    ++nback == s.n + 1 && prefix_setup(&s, h) < 0) {
				rc = -RC_ENOMEM;
				goto out;
			}
			/* dead end: remember the deepest, then backtrack */
			if (f->chain == 0 &&
			    (!s.have_best || f->ndet > s.best_ndet) &&
			    record_best(&s, f) < 0) {
				rc = -RC_ENOMEM;
				goto out;
			}
			if (f->op != UINT32_MAX)
				unapply(&s, f->op);
			s.nfr--;
			if (s.bsame > s.nfr - (s.nfr > 0))
				s.bsame = s.nfr - (s.nfr > 0);
			continue;
		}
		const struct sop *o = &s.ops[i];

		if (s.chains) {
			if (!o->indet && f->chain > 0) {
				/* a chain must enable an op it blocked */
				ns = _rc_step(&s.st, f->s0, o->op);
				if (ns == -2) {
					rc = -RC_ENOMEM;
					goto out;
				}
				if (ns >= 0)
					continue;
			}
			if (o->indet && f->chain > 0 &&
			    o->op->kind != RC_HOP_CAS)
				continue; /* only the first write matters */
		}
		ns = _rc_step(&s.st, f->state, o->op);
		if (ns == -2) {
			rc = -RC_ENOMEM;
			goto out;
		}
		if (ns < 0)
			continue;
		if (s.chains && o->indet && (uint32_t)ns == f->state)
			continue; /* changes nothing */
		memset(&c, 0, sizeof(c));
		apply(&s, f, (uint32_t)i, &c);
		c.state = (uint32_t)ns;
		if (s.prefix && !is_get(o->op->kind) &&
		    prefix_dead(&s, c.rp, c.state)) {
			/* the dropped node is a dead end too: the witness */
			if (!s.have_best || c.ndet > s.best_ndet) {
				c.pruned = 2;
				s.bculprit = s.culprit;
				if (push(&s, &c) < 0 ||
				    record_best(&s, &s.fr[s.nfr - 1]) < 0) {
					rc = -RC_ENOMEM;
					goto out;
				}
				s.nfr--;
				s.bsame = s.nfr - 1;
				f = &s.fr[s.nfr - 1];
			}
			unapply(&s, (uint32_t)i);
			f->pruned = 1;
			continue;
		}
		if (s.chains && o->indet) {
			c.chain = (uint16_t)(f->chain + 1);
			c.s0 = f->chain > 0 ? f->s0 : f->state;
		}
		klen = build_key(&s, c.state, c.k, c.rp, &ni);
		if (klen == 0) {
			rc = -RC_ENOMEM;
			goto out;
		}
		/* chains are keyed apart: their continuations differ */
		if (c.chain > 0) {
			if (!key_reserve(&s, klen + 2)) {
				rc = -RC_ENOMEM;
				goto out;
			}
			s.key[klen++] = 0xfffffffeu;
			s.key[klen++] = c.s0;
		}
		int ins = memo_insert(&s.memo, s.key, klen, s.ikey, ni);

		if (ins < 0) {
			rc = -RC_ENOMEM;
			goto out;
		}
		/*
		 * An op that never changes the state (a read, a failed cas)
		 * and succeeds here can go first in any order that completes
		 * this node: moving it to the front changes no state any other
		 * op sees, and breaks no program or real-time order since it
		 * may come next. So when its subtree fails, so does this node:
		 * no other candidate needs trying.
		 */
		unsigned kd = o->op->kind;
		bool greedy =
			f->chain == 0 && !o->indet &&
			(kd == RC_HOP_READ || kd == RC_HOP_GET ||
			 kd == RC_HOP_CONTAINS ||
			 (kd == RC_HOP_CAS && o->op->result == RC_HVAL_FALSE));
		size_t at = s.nfr - 1;

		if (ins == 0 || push(&s, &c) < 0) {
			unapply(&s, (uint32_t)i);
			if (ins != 0) {
				rc = -RC_ENOMEM;
				goto out;
			}
		}
		if (greedy)
			s.fr[at].phase = 2;
	}
	part->states = s.memo.n;
	if (part->verdict != RC_VERDICT_OK && s.have_best &&
	    best_finish(&s, part, part->verdict == RC_VERDICT_VIOLATION) < 0)
		rc = -RC_ENOMEM;
out:
	search_free(&s);
	return rc;
}

/*
 * With indeterminate ops the search first lets them take effect any number
 * of times (not consuming them): that only widens what is accepted, so a
 * violation found this way is a violation, and it keeps the consumed subset
 * out of the states, which is what makes never-completing writes costly.
 * A witness that uses no indeterminate op twice is a real witness; only
 * otherwise does the exact search run.
 */
int _rc_check_search(const rc_history_t *h, enum rc_spec spec,
		     enum rc_level level, const uint32_t *ids, size_t n,
		     double deadline, size_t max_states,
		     struct rc_check_part *part)
{
	bool reused = false, any_indet = false;
	int rc;

	bool finite = true;

	/*
	 * Only for reads, writes and cas: their effects stay among the values
	 * written, so reusing ops cannot build ever new states (an append or
	 * an enqueue could).
	 */
	for (size_t i = 0; i < n; i++) {
		any_indet |= h->ops[ids[i]].status == RC_HST_INDET;
		finite &= _rc_opclass(spec, &h->ops[ids[i]]) != RC_OPC_OTHER;
	}
	if (!any_indet || !finite)
		return search_run(h, spec, level, ids, n, deadline, max_states,
				  part, false, &reused);
	rc = search_run(h, spec, level, ids, n, deadline, max_states, part,
			true, &reused);
	if (rc < 0 || part->verdict == RC_VERDICT_UNKNOWN ||
	    (part->verdict == RC_VERDICT_OK && !reused))
		return rc;
	if (part->verdict == RC_VERDICT_VIOLATION) {
		size_t l = strlen(part->note);

		snprintf(part->note + l, sizeof(part->note) - l, "%s",
			 "; indeterminate ops may take effect at any time "
			 "after their invocation or never, and no choice of "
			 "them makes one possible");
		return 0;
	}
	free(part->order);
	free(part->blocked);
	part->order = part->blocked = NULL;
	part->norder = part->nblocked = 0;
	part->note[0] = '\0';
	return search_run(h, spec, level, ids, n, deadline, max_states, part,
			  false, &reused);
}
