/* SPDX-License-Identifier: MIT */
/* history.c: the in-memory history, its string pool, the text writer and the generator. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "checker/internal.h"

#define BIG ((size_t)4 << 20)
#define HUGE_PAGE ((size_t)2 << 20)

static size_t big_round(size_t bytes)
{
	return (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
}

static void *big_map(size_t bytes)
{
	void *m = mmap(NULL, big_round(bytes), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	(void)madvise(m, big_round(bytes), MADV_HUGEPAGE); /* a hint */
	return m;
}

void *_rc_big_realloc(void *p, size_t old_bytes, size_t new_bytes)
{
	void *m;

	if (old_bytes < BIG && new_bytes < BIG)
		return realloc(p, new_bytes);
	if (old_bytes >= BIG) {
		if (big_round(new_bytes) == big_round(old_bytes))
			return p;
		m = mremap(p, big_round(old_bytes), big_round(new_bytes),
			   MREMAP_MAYMOVE);
		if (m == MAP_FAILED)
			return NULL;
		(void)madvise(m, big_round(new_bytes), MADV_HUGEPAGE);
		return m;
	}
	if ((m = big_map(new_bytes)) == NULL)
		return NULL;
	if (p != NULL && old_bytes > 0)
		memcpy(m, p, old_bytes);
	free(p);
	return m;
}

void *_rc_big_calloc(size_t bytes)
{
	return bytes < BIG ? calloc(1, bytes) : big_map(bytes);
}

void _rc_big_free(void *p, size_t bytes)
{
	if (p == NULL)
		return;
	if (bytes >= BIG)
		munmap(p, big_round(bytes));
	else
		free(p);
}

void _rc_strpool_init(struct _rc_strpool *p)
{
	memset(p, 0, sizeof(*p));
}

void _rc_strpool_free(struct _rc_strpool *p)
{
	_rc_big_free(p->buf, p->cap);
	_rc_big_free(p->off, p->ncap * sizeof(*p->off));
	_rc_big_free(p->tab, p->tcap * sizeof(*p->tab));
	memset(p, 0, sizeof(*p));
}

const char *_rc_strpool_get(const struct _rc_strpool *p, size_t id, size_t *len)
{
	assert(id < p->n);
	if (len != NULL)
		*len = p->off[id + 1] - p->off[id] - 1;
	return p->buf + p->off[id];
}

static uint64_t strpool_slot(uint64_t hash, size_t id)
{
	return (hash & ~UINT64_C(0xffffffff)) | ((uint64_t)id + 1);
}

static int strpool_grow_tab(struct _rc_strpool *p)
{
	size_t cap = p->tcap ? p->tcap * 2 : 64;
	uint64_t *t;

	if (!_rc_charge((ptrdiff_t)((cap - p->tcap) * sizeof(*t))))
		return -1;
	t = _rc_big_calloc(cap * sizeof(*t));
	if (t == NULL)
		return -1;
	/* a slot's hash half picks its place in the new table: the
	 * probe start uses the hash's low bits, which only the slot's
	 * position kept, so the start comes from the high half here and
	 * in every lookup alike */
	for (size_t j = 0; j < p->tcap; j++) {
		uint64_t e = p->tab[j];
		size_t i;

		if (e == 0)
			continue;
		i = (size_t)(e >> 32) & (cap - 1);
		while (t[i] != 0)
			i = (i + 1) & (cap - 1);
		t[i] = e;
	}
	_rc_big_free(p->tab, p->tcap * sizeof(*p->tab));
	p->tab = t;
	p->tcap = cap;
	return 0;
}

/* The id of the string, or -1 with *slot the empty slot where it goes. */
static int64_t strpool_probe(const struct _rc_strpool *p, const char *s,
			     size_t len, uint64_t hash, size_t *slot)
{
	size_t i = (size_t)(hash >> 32) & (p->tcap - 1);

	while (p->tab[i] != 0) {
		uint64_t e = p->tab[i];

		if ((e ^ hash) >> 32 == 0) {
			size_t id = (size_t)(uint32_t)e - 1, l;
			const char *t = _rc_strpool_get(p, id, &l);

			if (l == len && memcmp(t, s, len) == 0)
				return (int64_t)id;
		}
		i = (i + 1) & (p->tcap - 1);
	}
	*slot = i;
	return -1;
}

int64_t _rc_strpool_find(const struct _rc_strpool *p, const char *s, size_t len,
			 uint64_t hash)
{
	size_t slot;

	return p->tcap == 0 ? -1 : strpool_probe(p, s, len, hash, &slot);
}

int64_t _rc_strpool_intern(struct _rc_strpool *p, const char *s, size_t len)
{
	return _rc_strpool_intern_hashed(p, s, len, _rc_hash_bytes(s, len));
}

int64_t _rc_strpool_intern_hashed(struct _rc_strpool *p, const char *s,
				  size_t len, uint64_t hash)
{
	size_t i;
	int64_t id;

	if ((p->n + 1) * 2 >= p->tcap && strpool_grow_tab(p) < 0)
		return -1;
	if ((id = strpool_probe(p, s, len, hash, &i)) >= 0)
		return id;
	if (p->n >= UINT32_MAX - 1)
		return -1;
	if (p->n + 2 > p->ncap) {
		size_t nc = p->ncap ? p->ncap * 2 : 64;
		size_t *o;

		if (!_rc_charge((ptrdiff_t)((nc - p->ncap) * sizeof(*o))))
			return -1;
		o = _rc_big_realloc(p->off, p->ncap * sizeof(*o),
				    nc * sizeof(*o));
		if (o == NULL)
			return -1;
		p->off = o;
		p->ncap = nc;
		if (p->n == 0)
			p->off[0] = 0;
	}
	if (p->len + len + 1 > p->cap) {
		size_t nc = p->cap ? p->cap : 256;
		char *b;

		while (nc < p->len + len + 1)
			nc *= 2;
		if (!_rc_charge((ptrdiff_t)(nc - p->cap)))
			return -1;
		b = _rc_big_realloc(p->buf, p->cap, nc);
		if (b == NULL)
			return -1;
		p->buf = b;
		p->cap = nc;
	}
	if (len > 0)
		memcpy(p->buf + p->len, s, len);
	p->len += len;
	p->buf[p->len++] = '\0'; /* each string ends with a NUL */
	p->off[p->n + 1] = p->len;
	p->tab[i] = strpool_slot(hash, p->n);
	return (int64_t)p->n++;
}

int _rc_strpool_intern_many(struct _rc_strpool *p,
			    const struct _rc_strref *refs, size_t n,
			    uint32_t *ids)
{
	/*
	 * Two stages ahead of the string being interned: the table slot
	 * of string i + 2D is fetched; at i + D the slot is read and, when
	 * its hash half matches, the string's offset is fetched. With
	 * D = 8 up to 16 misses are in flight.
	 */
	enum { D = 8 };

	for (size_t i = 0; i < n; i++) {
		int64_t id;

		if (i + 2 * D < n && p->tcap > 0)
			__builtin_prefetch(
				&p->tab[(size_t)refs[i + 2 * D].hash &
					(p->tcap - 1)]);
		if (i + D < n && p->tcap > 0) {
			uint64_t h = (uint64_t)refs[i + D].hash << 32;
			uint64_t e = p->tab[(size_t)(h >> 32) & (p->tcap - 1)];

			if (e != 0 && (e ^ h) >> 32 == 0)
				__builtin_prefetch(&p->off[(uint32_t)e - 1]);
		}
		id = _rc_strpool_intern_hashed(p, refs[i].s, refs[i].len,
					       (uint64_t)refs[i].hash << 32);
		if (id < 0)
			return -1;
		ids[i] = (uint32_t)id;
	}
	return 0;
}

rc_history_t *rc_history_new(void)
{
	rc_history_t *h = calloc(1, sizeof(*h));

	if (h != NULL) {
		_rc_strpool_init(&h->strs);
		h->initial = RC_HVAL_NIL;
	}
	return h;
}

void rc_history_free(rc_history_t *h)
{
	if (h == NULL)
		return;
	_rc_big_free(h->ops, h->cap * sizeof(*h->ops));
	_rc_strpool_free(&h->strs);
	free(h);
}

int rc_history_add(rc_history_t *h, const struct rc_hop *op, rc_err_t *err)
{
	assert(h != NULL && op != NULL);
	if (op->kind >= RC_HOP_NKINDS)
		return rc_err_set(err, RC_EINVAL, NULL, op->line, 0,
				  "unknown operation kind %u", op->kind);
	if (op->ret < op->call)
		return rc_err_set(err, RC_EINVAL, NULL, op->line, 0,
				  "response time %" PRId64
				  " before invocation time %" PRId64,
				  op->ret, op->call);
	if (h->n == h->cap) {
		size_t nc = h->cap ? h->cap * 2 : 64;
		struct rc_hop *o = NULL;

		if (_rc_charge((ptrdiff_t)((nc - h->cap) * sizeof(*o))))
			o = _rc_big_realloc(h->ops, h->cap * sizeof(*o),
					    nc * sizeof(*o));
		if (o == NULL)
			return rc_err_set(err, RC_ENOMEM, NULL, 0, 0,
					  "out of memory");
		h->ops = o;
		h->cap = nc;
	}
	h->ops[h->n++] = *op;
	return 0;
}

rc_hval_t rc_history_str(rc_history_t *h, const char *s, size_t len)
{
	int64_t id = _rc_strpool_intern(&h->strs, s, len);

	return id < 0 ? RC_HVAL_NONE : RC_HVAL_STR(id);
}

const char *rc_history_strval(const rc_history_t *h, rc_hval_t v, size_t *len)
{
	if (!rc_hval_is_str(v) || (size_t)(v - RC_HVAL_STR0) >= h->strs.n)
		return NULL;
	return _rc_strpool_get(&h->strs, (size_t)(v - RC_HVAL_STR0), len);
}

size_t rc_history_len(const rc_history_t *h)
{
	return h->n;
}

const struct rc_hop *rc_history_op(const rc_history_t *h, size_t i)
{
	assert(i < h->n);
	return &h->ops[i];
}

enum rc_hformat rc_history_format(const rc_history_t *h)
{
	return h->format;
}

int rc_history_set_initial(rc_history_t *h, rc_hval_t v, rc_err_t *err)
{
	if (v == RC_HVAL_UNKNOWN || v == RC_HVAL_NONE)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "an initial value must be a value");
	if (rc_hval_is_str(v) && rc_history_strval(h, v, NULL) == NULL)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "the initial value is a string the history "
				  "does not hold");
	h->initial = v;
	return 0;
}

rc_hval_t rc_history_initial(const rc_history_t *h)
{
	return h->initial;
}

static const char *const kind_names[RC_HOP_NKINDS] = {
	"read", "write", "cas", "get", "put",	 "append",   "enq",
	"deq",	"push",	 "pop", "add", "remove", "contains", "inc",
};

const char *rc_hop_kind_name(unsigned kind)
{
	return kind < RC_HOP_NKINDS ? kind_names[kind] : "?";
}

int rc_hop_kind_parse(const char *name, size_t len)
{
	for (int k = 0; k < RC_HOP_NKINDS; k++)
		if (strlen(kind_names[k]) == len &&
		    memcmp(kind_names[k], name, len) == 0)
			return k;
	return -1;
}

const char *rc_history_fmtval(const rc_history_t *h, rc_hval_t v, char *buf,
			      size_t n)
{
	const char *s;
	size_t len, o = 0;

	if (rc_hval_is_int(v)) {
		snprintf(buf, n, "%" PRId64, v);
		return buf;
	}
	switch (v) {
	case RC_HVAL_NIL:
		return snprintf(buf, n, "nil"), buf;
	case RC_HVAL_UNKNOWN:
		return snprintf(buf, n, "?"), buf;
	case RC_HVAL_NONE:
		return snprintf(buf, n, "-"), buf;
	case RC_HVAL_OK:
		return snprintf(buf, n, "ok"), buf;
	case RC_HVAL_TRUE:
		return snprintf(buf, n, "true"), buf;
	case RC_HVAL_FALSE:
		return snprintf(buf, n, "false"), buf;
	}
	s = h != NULL ? rc_history_strval(h, v, &len) : NULL;
	if (s == NULL || n < 8) {
		snprintf(buf, n, "#%" PRId64, v - RC_HVAL_STR0);
		return buf;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < len && o + 6 < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* Writes a value without truncation (strings can be long). */
static void write_val(const rc_history_t *h, rc_hval_t v, FILE *out)
{
	char buf[64];
	const char *s;
	size_t len;

	if (!rc_hval_is_str(v) || (s = rc_history_strval(h, v, &len)) == NULL) {
		fputs(rc_history_fmtval(h, v, buf, sizeof(buf)), out);
		return;
	}
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

int rc_history_write(const rc_history_t *h, FILE *out, rc_err_t *err)
{
	fputs("# replicore-history 1\n"
	      "# process call return operation arguments -> result\n",
	      out);
	if (h->initial != RC_HVAL_NIL) {
		fputs("initial ", out);
		write_val(h, h->initial, out);
		fputc('\n', out);
	}
	for (size_t i = 0; i < h->n; i++) {
		const struct rc_hop *o = &h->ops[i];

		fprintf(out, "%" PRIu32 " %" PRId64 " ", o->proc, o->call);
		if (o->status == RC_HST_INDET)
			fputs("?", out);
		else
			fprintf(out, "%" PRId64, o->ret);
		fprintf(out, " %s", rc_hop_kind_name(o->kind));
		if (o->key != RC_HVAL_NONE) {
			fputc(' ', out);
			write_val(h, o->key, out);
		}
		for (int a = 0; a < 2; a++)
			if (o->arg[a] != RC_HVAL_NONE) {
				fputc(' ', out);
				write_val(h, o->arg[a], out);
			}
		fputs(" -> ", out);
		if (o->status == RC_HST_FAIL)
			fputs("error", out);
		else if (o->status == RC_HST_INDET)
			fputs("?", out);
		else
			write_val(h, o->result, out);
		fputc('\n', out);
	}
	if (fflush(out) != 0 || ferror(out))
		return rc_err_set(err, RC_ESYS, NULL, 0, 0,
				  "writing the history: %s", strerror(errno));
	return 0;
}

/*
 * The generator simulates a register shared by nprocs processes. Time runs in
 * ticks; at each tick one random process moves: an idle process invokes a
 * new operation, a process in flight makes its operation take effect on the
 * simulated register (its linearization point), and then later responds.
 * Each operation's interval therefore contains the moment it took effect, so
 * the history is linearizable; random choices make intervals overlap.
 */
rc_history_t *rc_history_gen_cas(size_t nops, unsigned nprocs, uint64_t seed,
				 size_t nindet)
{
	struct gproc {
		int phase; /* 0 idle, 1 invoked, 2 took effect */
		struct rc_hop op;
		uint32_t id;
	} * ps;
	rc_history_t *h = rc_history_new();
	rc_hval_t reg = RC_HVAL_NIL, prev;
	uint64_t rs = seed * 2 + 1;
	size_t started = 0, done = 0, indet_left = nindet;
	uint32_t next_id;
	int64_t t = 0;

	assert(nprocs > 0);
	ps = calloc(nprocs, sizeof(*ps));
	if (h == NULL || ps == NULL)
		goto fail;
	for (unsigned p = 0; p < nprocs; p++)
		ps[p].id = p;
	next_id = nprocs;
	while (done < nops) {
		struct gproc *g = &ps[_rc_rand(&rs) % nprocs];
		uint64_t r;

		t++;
		switch (g->phase) {
		case 0:
			if (started == nops)
				break;
			started++;
			memset(&g->op, 0, sizeof(g->op));
			g->op.proc = g->id;
			g->op.call = t;
			g->op.key = RC_HVAL_NONE;
			g->op.arg[0] = g->op.arg[1] = RC_HVAL_NONE;
			r = _rc_rand(&rs) % 10;
			if (r < 4) {
				g->op.kind = RC_HOP_READ;
			} else if (r < 7) {
				g->op.kind = RC_HOP_WRITE;
				g->op.arg[0] = (rc_hval_t)(_rc_rand(&rs) % 5);
			} else {
				g->op.kind = RC_HOP_CAS;
				g->op.arg[0] = (rc_hval_t)(_rc_rand(&rs) % 5);
				g->op.arg[1] = (rc_hval_t)(_rc_rand(&rs) % 5);
			}
			g->phase = 1;
			break;
		case 1:
			prev = reg;
			if (g->op.kind == RC_HOP_READ) {
				g->op.result = reg;
			} else if (g->op.kind == RC_HOP_WRITE) {
				g->op.result = RC_HVAL_OK;
				reg = g->op.arg[0];
			} else if (reg == g->op.arg[0]) {
				g->op.result = RC_HVAL_TRUE;
				reg = g->op.arg[1];
			} else {
				g->op.result = RC_HVAL_FALSE;
			}
			g->phase = 2;
			/*
			 * A write chosen to never complete: evenly spread
			 * over the history; it took effect or not at random.
			 */
			if (indet_left > 0 && g->op.kind == RC_HOP_WRITE &&
			    started * (nindet + 1) >
				    (nindet - indet_left + 1) * nops) {
				if (_rc_rand(&rs) % 2 == 0)
					reg = prev; /* it did not take effect */
				g->op.status = RC_HST_INDET;
				g->op.ret = RC_HTIME_INF;
				g->op.result = RC_HVAL_UNKNOWN;
				indet_left--;
				goto respond;
			}
			break;
		case 2:
			g->op.ret = t;
respond:
			if (rc_history_add(h, &g->op, NULL) < 0)
				goto fail;
			done++;
			g->phase = 0;
			if (g->op.status == RC_HST_INDET)
				g->id = next_id++;
			break;
		}
	}
	free(ps);
	return h;
fail:
	free(ps);
	rc_history_free(h);
	return NULL;
}
