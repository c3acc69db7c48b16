/* SPDX-License-Identifier: MIT */
/* spec.c: registers, cas-registers, kv keys, queues, stacks, sets and counters as state steps. */
#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "checker/spec.h"

/* The specs' names, which both the checkers and their reports use. */
static const char *const spec_names[] = {
	"auto",	 "register", "cas-register", "kv",
	"queue", "stack",    "set",	     "counter",
};

const char *rc_spec_name(enum rc_spec s)
{
	return (unsigned)s < 8 ? spec_names[s] : "?";
}

int rc_spec_parse(const char *s)
{
	for (int i = 1; i < 8; i++)
		if (strcmp(s, spec_names[i]) == 0)
			return i;
	return -1;
}

static int64_t intern(struct _rc_states *st, const int64_t *v, size_t n);

int _rc_states_init(struct _rc_states *st, enum rc_spec spec,
		    const rc_history_t *h)
{
	int64_t init[1];
	size_t n = 0;

	memset(st, 0, sizeof(*st));
	st->spec = spec;
	st->h = h;
	st->base = h->strs.n;
	_rc_strpool_init(&st->strs);
	if (!_rc_charge(16 * sizeof(*st->data)))
		return -RC_ENOMEM;
	st->cap = 16;
	st->data = malloc(st->cap * sizeof(*st->data));
	if (st->data == NULL)
		return -RC_ENOMEM;
	switch (spec) {
	case RC_SPEC_REGISTER:
	case RC_SPEC_CAS_REGISTER:
		init[0] = h->initial; /* nil unless the history says */
		n = 1;
		break;
	case RC_SPEC_COUNTER:
		init[0] = h->initial != RC_HVAL_NIL ? h->initial : 0;
		n = 1;
		break;
	default:
		n = 0;
		break;
	}
	if (intern(st, init, n) != RC_STATE_INIT)
		return -RC_ENOMEM;
	return 0;
}

void _rc_states_free(struct _rc_states *st)
{
	free(st->data);
	free(st->off);
	free(st->tab);
	free(st->tmp);
	_rc_strpool_free(&st->strs);
	memset(st, 0, sizeof(*st));
}

static uint64_t vhash(const int64_t *v, size_t n)
{
	uint64_t h = n * UINT64_C(0x9e3779b97f4a7c15);

	for (size_t i = 0; i < n; i++)
		h = _rc_mix64(h ^ (uint64_t)v[i]);
	return h;
}

static const int64_t *sget(const struct _rc_states *st, uint32_t id, size_t *n)
{
	*n = st->off[id + 1] - st->off[id];
	return st->data + st->off[id];
}

static int grow_tab(struct _rc_states *st)
{
	size_t cap = st->tcap ? st->tcap * 2 : 64;
	uint32_t *t;

	if (!_rc_charge((ptrdiff_t)((cap - st->tcap) * sizeof(*t))))
		return -1;
	t = calloc(cap, sizeof(*t));
	if (t == NULL)
		return -1;
	for (size_t id = 0; id < st->n; id++) {
		size_t n;
		const int64_t *v = sget(st, (uint32_t)id, &n);
		size_t i = vhash(v, n) & (cap - 1);

		while (t[i] != 0)
			i = (i + 1) & (cap - 1);
		t[i] = (uint32_t)id + 1;
	}
	free(st->tab);
	st->tab = t;
	st->tcap = cap;
	return 0;
}

static int64_t intern(struct _rc_states *st, const int64_t *v, size_t n)
{
	size_t i;

	if ((st->n + 1) * 2 >= st->tcap && grow_tab(st) < 0)
		return -2;
	i = vhash(v, n) & (st->tcap - 1);
	while (st->tab[i] != 0) {
		uint32_t id = st->tab[i] - 1;
		size_t m;
		const int64_t *w = sget(st, id, &m);

		if (m == n && memcmp(v, w, n * sizeof(*v)) == 0)
			return id;
		i = (i + 1) & (st->tcap - 1);
	}
	if (st->n >= UINT32_MAX - 2)
		return -2;
	if (st->n + 2 > st->ncap) {
		size_t nc = st->ncap ? st->ncap * 2 : 64;
		size_t *o;

		if (!_rc_charge((ptrdiff_t)((nc - st->ncap) * sizeof(*o))))
			return -2;
		o = realloc(st->off, nc * sizeof(*o));
		if (o == NULL)
			return -2;
		st->off = o;
		st->ncap = nc;
		if (st->n == 0)
			st->off[0] = 0;
	}
	if (st->len + n > st->cap) {
		size_t nc = st->cap ? st->cap * 2 : 256;
		int64_t *d;

		while (nc < st->len + n)
			nc *= 2;
		if (!_rc_charge((ptrdiff_t)((nc - st->cap) * sizeof(*d))))
			return -2;
		d = realloc(st->data, nc * sizeof(*d));
		if (d == NULL)
			return -2;
		st->data = d;
		st->cap = nc;
	}
	if (n > 0)
		memcpy(st->data + st->len, v, n * sizeof(*v));
	st->len += n;
	st->off[st->n + 1] = st->len;
	st->tab[i] = (uint32_t)st->n + 1;
	return (int64_t)st->n++;
}

static int64_t *tmpbuf(struct _rc_states *st, size_t n)
{
	if (n > st->tmpcap) {
		size_t nc = st->tmpcap ? st->tmpcap * 2 : 16;
		int64_t *t;

		while (nc < n)
			nc *= 2;
		t = realloc(st->tmp, nc * sizeof(*t));
		if (t == NULL)
			return NULL;
		st->tmp = t;
		st->tmpcap = nc;
	}
	return st->tmp;
}

/* kv values as text: strings are themselves, integers in decimal. */
static const char *kv_text(struct _rc_states *st, rc_hval_t v, char *buf,
			   size_t *len)
{
	if (rc_hval_is_str(v)) {
		size_t id = (size_t)(v - RC_HVAL_STR0);

		if (id < st->base)
			return _rc_strpool_get(&st->h->strs, id, len);
		if (id - st->base < st->strs.n)
			return _rc_strpool_get(&st->strs, id - st->base, len);
	}
	if (rc_hval_is_int(v)) {
		*len = (size_t)snprintf(buf, 24, "%" PRId64, v);
		return buf;
	}
	*len = 0;
	return "";
}

static bool kv_equal(struct _rc_states *st, rc_hval_t a, rc_hval_t b)
{
	char ba[24], bb[24];
	size_t la, lb;
	const char *sa, *sb;

	if (a == b)
		return true;
	/* nil reads as the empty string; 5 and "5" are the same text */
	sa = a == RC_HVAL_NIL ? "" : kv_text(st, a, ba, &la);
	sb = b == RC_HVAL_NIL ? "" : kv_text(st, b, bb, &lb);
	if (a == RC_HVAL_NIL)
		la = 0;
	if (b == RC_HVAL_NIL)
		lb = 0;
	return la == lb && memcmp(sa, sb, la) == 0;
}

const char *_rc_kv_text(const rc_history_t *h, rc_hval_t v, char buf[24],
			size_t *len)
{
	const char *t;

	if (rc_hval_is_str(v) && (t = rc_history_strval(h, v, len)) != NULL)
		return t;
	if (rc_hval_is_int(v)) {
		*len = (size_t)snprintf(buf, 24, "%" PRId64, v);
		return buf;
	}
	*len = 0;
	return "";
}

const char *_rc_state_kv_text(struct _rc_states *st, uint32_t sid,
			      rc_hval_t key, char buf[24], size_t *len)
{
	size_t n, i = 0;
	const int64_t *v = sget(st, sid, &n);
	rc_hval_t cur = st->h->initial;

	while (i < n && v[i] < key)
		i += 2;
	if (i < n && v[i] == key)
		cur = v[i + 1];
	if (cur == RC_HVAL_NIL) {
		*len = 0;
		return "";
	}
	return kv_text(st, cur, buf, len);
}

static int64_t one(struct _rc_states *st, int64_t v)
{
	return intern(st, &v, 1);
}

/*
 * A kv state is the sorted list of (key, value) pairs of the keys written
 * so far; a key not in it holds the history's initial value ("" unless
 * the history says).
 */
static int64_t step_kv(struct _rc_states *st, uint32_t sid,
		       const struct rc_hop *op)
{
	size_t n, i = 0;
	const int64_t *v = sget(st, sid, &n);
	rc_hval_t cur = st->h->initial, nv;
	int64_t *t;

	while (i < n && v[i] < op->key)
		i += 2;
	if (i < n && v[i] == op->key)
		cur = v[i + 1];
	switch (op->kind) {
	case RC_HOP_GET:
	case RC_HOP_READ:
		if (op->result == RC_HVAL_UNKNOWN ||
		    kv_equal(st, cur, op->result))
			return sid;
		return -1;
	case RC_HOP_PUT:
	case RC_HOP_WRITE:
		nv = op->arg[0];
		break;
	case RC_HOP_APPEND: {
		char b1[24], b2[24];
		size_t l1 = 0, l2;
		const char *s1 =
			cur == RC_HVAL_NIL ? "" : kv_text(st, cur, b1, &l1);
		const char *s2 = kv_text(st, op->arg[0], b2, &l2);
		char small[256], *buf = small;
		uint64_t hash;
		int64_t id;

		if (l1 + l2 > sizeof(small) && (buf = malloc(l1 + l2)) == NULL)
			return -2;
		memcpy(buf, s1, l1);
		memcpy(buf + l1, s2, l2);
		/*
		 * A string is in the history's pool or in ours, never both,
		 * so equal strings have equal codes and states stay equal.
		 * Ours first: the search makes the same appends again.
		 */
		hash = _rc_hash_bytes(buf, l1 + l2);
		id = _rc_strpool_find(&st->strs, buf, l1 + l2, hash);
		if (id >= 0) {
			id += (int64_t)st->base;
		} else if ((id = _rc_strpool_find(&st->h->strs, buf, l1 + l2,
						  hash)) < 0) {
			id = _rc_strpool_intern_hashed(&st->strs, buf, l1 + l2,
						       hash);
			if (id >= 0)
				id += (int64_t)st->base;
		}
		if (buf != small)
			free(buf);
		if (id < 0)
			return -2;
		nv = RC_HVAL_STR(id);
		break;
	}
	default:
		return -1;
	}
	v = sget(st, sid,
		 &n); /* the pool may have moved nothing, but be sure */
	if ((t = tmpbuf(st, n + 2)) == NULL)
		return -2;
	memcpy(t, v, i * sizeof(*t));
	t[i] = op->key;
	t[i + 1] = nv;
	if (i < n && v[i] == op->key) {
		memcpy(t + i + 2, v + i + 2, (n - i - 2) * sizeof(*t));
		return intern(st, t, n);
	}
	memcpy(t + i + 2, v + i, (n - i) * sizeof(*t));
	return intern(st, t, n + 2);
}

int64_t _rc_step(struct _rc_states *st, uint32_t sid, const struct rc_hop *op)
{
	size_t n;
	const int64_t *v = sget(st, sid, &n);
	int64_t *t;
	rc_hval_t a = op->arg[0], res = op->result;
	bool unknown = res == RC_HVAL_UNKNOWN;

	switch (st->spec) {
	case RC_SPEC_REGISTER:
	case RC_SPEC_CAS_REGISTER:
		switch (op->kind) {
		case RC_HOP_READ:
			return unknown || res == v[0] ? (int64_t)sid : -1;
		case RC_HOP_WRITE:
			return one(st, a);
		case RC_HOP_CAS:
			if (res == RC_HVAL_FALSE)
				return v[0] != a ? (int64_t)sid : -1;
			/* true, or unknown: only its effect matters */
			return v[0] == a ? one(st, op->arg[1]) : -1;
		}
		return -1;
	case RC_SPEC_KV:
		return step_kv(st, sid, op);
	case RC_SPEC_COUNTER:
		if (op->kind == RC_HOP_INC)
			return one(st, v[0] + a);
		if (op->kind == RC_HOP_READ)
			return unknown || res == v[0] ? (int64_t)sid : -1;
		return -1;
	case RC_SPEC_QUEUE:
	case RC_SPEC_STACK:
		if (op->kind == RC_HOP_ENQ || op->kind == RC_HOP_PUSH) {
			if ((t = tmpbuf(st, n + 1)) == NULL)
				return -2;
			memcpy(t, v, n * sizeof(*t));
			t[n] = a;
			return intern(st, t, n + 1);
		}
		if (op->kind == RC_HOP_DEQ || op->kind == RC_HOP_POP) {
			bool q = st->spec == RC_SPEC_QUEUE;

			if (n == 0)
				return unknown || res == RC_HVAL_NIL
					       ? (int64_t)sid
					       : -1;
			if (!unknown && res != (q ? v[0] : v[n - 1]))
				return -1;
			if ((t = tmpbuf(st, n)) == NULL)
				return -2;
			memcpy(t, q ? v + 1 : v, (n - 1) * sizeof(*t));
			return intern(st, t, n - 1);
		}
		return -1;
	case RC_SPEC_SET: {
		size_t i = 0;
		bool has;

		while (i < n && v[i] < a)
			i++;
		has = i < n && v[i] == a;
		switch (op->kind) {
		case RC_HOP_CONTAINS:
			if (unknown ||
			    res == (has ? RC_HVAL_TRUE : RC_HVAL_FALSE))
				return sid;
			return -1;
		case RC_HOP_ADD:
			if (has)
				return sid;
			if ((t = tmpbuf(st, n + 1)) == NULL)
				return -2;
			memcpy(t, v, i * sizeof(*t));
			t[i] = a;
			memcpy(t + i + 1, v + i, (n - i) * sizeof(*t));
			return intern(st, t, n + 1);
		case RC_HOP_REMOVE:
			if (res == RC_HVAL_TRUE && !has)
				return -1;
			if (res == RC_HVAL_FALSE)
				return has ? -1 : (int64_t)sid;
			if (!has)
				return sid;
			if ((t = tmpbuf(st, n)) == NULL)
				return -2;
			memcpy(t, v, i * sizeof(*t));
			memcpy(t + i, v + i + 1, (n - i - 1) * sizeof(*t));
			return intern(st, t, n - 1);
		}
		return -1;
	}
	default:
		return -1;
	}
}

enum _rc_opclass _rc_opclass(enum rc_spec spec, const struct rc_hop *op)
{
	if (spec != RC_SPEC_REGISTER && spec != RC_SPEC_CAS_REGISTER &&
	    spec != RC_SPEC_KV)
		return RC_OPC_OTHER;
	switch (op->kind) {
	case RC_HOP_READ:
	case RC_HOP_GET:
		return RC_OPC_READ;
	case RC_HOP_WRITE:
	case RC_HOP_PUT:
		return RC_OPC_OVERWRITE;
	case RC_HOP_CAS:
		return op->result == RC_HVAL_FALSE ? RC_OPC_READ
						   : RC_OPC_OVERWRITE;
	default:
		return RC_OPC_OTHER;
	}
}

bool _rc_op_vacuous(enum rc_spec spec, const struct rc_hop *op)
{
	bool readonly = op->kind == RC_HOP_READ || op->kind == RC_HOP_GET ||
			op->kind == RC_HOP_CONTAINS;

	(void)spec;
	if (op->status == RC_HST_FAIL)
		return true;
	return readonly &&
	       (op->result == RC_HVAL_UNKNOWN || op->status == RC_HST_INDET);
}

/* A value as text, its string in the history or among the appends. */
static const char *fmt_val(const struct _rc_states *st, rc_hval_t v, char *buf,
			   size_t n)
{
	rc_history_t tmp;

	if (!rc_hval_is_str(v) || (size_t)(v - RC_HVAL_STR0) < st->base)
		return rc_history_fmtval(st->h, v, buf, n);
	memset(&tmp, 0, sizeof(tmp));
	tmp.strs = st->strs;
	return rc_history_fmtval(&tmp, v - (int64_t)st->base, buf, n);
}

void _rc_state_fmt(const struct _rc_states *st, uint32_t sid, char *buf,
		   size_t n)
{
	size_t m, o = 0;
	const int64_t *v = sget(st, sid, &m);
	char vb[96];
	bool kv = st->spec == RC_SPEC_KV;

	if (m == 1 && !kv && st->spec != RC_SPEC_QUEUE &&
	    st->spec != RC_SPEC_STACK && st->spec != RC_SPEC_SET) {
		fmt_val(st, v[0], buf, n);
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < m; i++) {
		int w = snprintf(buf + o, n - o, "%s%s%s",
				 i == 0 ? (kv ? "{" : "[") : " ",
				 fmt_val(st, v[i], vb, sizeof(vb)),
				 kv && i % 2 == 0 ? ":" : "");

		if (w < 0 || (size_t)w >= n - o) {
			o = n - 1;
			break;
		}
		o += (size_t)w;
	}
	if (m == 0 && n > 3)
		snprintf(buf, n, kv ? "{}" : "[]");
	else if (o + 2 <= n)
		snprintf(buf + o, n - o, "%s", kv ? "}" : "]");
}
