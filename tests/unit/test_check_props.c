/* SPDX-License-Identifier: MIT */
/* test_check_props.c: the checker against a brute-force checker over all orders, on random small histories. */
#include <inttypes.h>
#include <string.h>

#include <replicore/check.h>
#include <replicore/history.h>

#include "tests/tap.h"

/*
 * The reference: its own model of each spec and an enumeration of every
 * order of the operations that the level allows. Nothing is shared with the
 * checker but the history.
 */
#define MAXOPS 8

struct ref {
	int64_t v[MAXOPS + 2];
	int n;
	char kv[2][64];
};

static uint64_t rs;

static uint64_t rnd(void)
{
	uint64_t z = (rs += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static rc_hval_t keyval[2], strval[3];

static int keyidx(rc_hval_t k)
{
	return k == keyval[0] ? 0 : 1;
}

static const char *sv(const rc_history_t *h, rc_hval_t v, size_t *len)
{
	static char buf[24];

	if (rc_hval_is_int(v)) {
		*len = (size_t)snprintf(buf, sizeof(buf), "%" PRId64, v);
		return buf;
	}
	return rc_history_strval(h, v, len);
}

static void ref_init(struct ref *r, enum rc_spec spec)
{
	memset(r, 0, sizeof(*r));
	r->v[0] = spec == RC_SPEC_COUNTER ? 0 : RC_HVAL_NIL;
}

/* Applies op; false when its recorded result is impossible here. */
static bool ref_step(const rc_history_t *h, enum rc_spec spec, struct ref *r,
		     const struct rc_hop *o)
{
	bool any = o->result == RC_HVAL_UNKNOWN || o->status == RC_HST_INDET;
	rc_hval_t res = o->result;
	int64_t a = o->arg[0];

	switch (o->kind) {
	case RC_HOP_READ:
		return any || res == r->v[0];
	case RC_HOP_WRITE:
		r->v[0] = a;
		return true;
	case RC_HOP_CAS:
		if (r->v[0] == a) {
			if (!any && res != RC_HVAL_TRUE)
				return false;
			r->v[0] = o->arg[1];
			return true;
		}
		return any || res == RC_HVAL_FALSE;
	case RC_HOP_INC:
		r->v[0] += a;
		return true;
	case RC_HOP_GET: {
		size_t l;
		const char *s = any ? NULL : sv(h, res, &l);
		const char *cur = r->kv[keyidx(o->key)];

		return any || (strlen(cur) == l && memcmp(cur, s, l) == 0);
	}
	case RC_HOP_PUT:
	case RC_HOP_APPEND: {
		size_t l;
		const char *s = sv(h, a, &l);
		char *cur = r->kv[keyidx(o->key)];

		if (o->kind == RC_HOP_PUT)
			cur[0] = '\0';
		strncat(cur, s, 63 - strlen(cur));
		return true;
	}
	case RC_HOP_ENQ:
	case RC_HOP_PUSH:
		r->v[r->n++] = a;
		return true;
	case RC_HOP_DEQ:
	case RC_HOP_POP: {
		int64_t x;

		if (r->n == 0)
			return any || res == RC_HVAL_NIL;
		if (o->kind == RC_HOP_DEQ) {
			x = r->v[0];
			memmove(r->v, r->v + 1, (size_t)(r->n - 1) * 8);
		} else {
			x = r->v[r->n - 1];
		}
		r->n--;
		return any || res == x;
	}
	case RC_HOP_ADD:
		r->v[1] |= 1 << a;
		return true;
	case RC_HOP_REMOVE: {
		bool had = (r->v[1] >> a) & 1;

		r->v[1] &= ~(1 << a);
		return any || res == (had ? RC_HVAL_TRUE : RC_HVAL_FALSE);
	}
	case RC_HOP_CONTAINS: {
		bool has = (r->v[1] >> a) & 1;

		return any || res == (has ? RC_HVAL_TRUE : RC_HVAL_FALSE);
	}
	}
	return false;
}

struct bf {
	const rc_history_t *h;
	enum rc_spec spec;
	bool sc;
	size_t n;
	bool used[MAXOPS];
};

/* May op i come next, given the ops used so far? */
static bool bf_allowed(const struct bf *b, size_t i)
{
	const struct rc_hop *x = rc_history_op(b->h, i);

	for (size_t j = 0; j < b->n; j++) {
		const struct rc_hop *y = rc_history_op(b->h, j);

		if (j == i || b->used[j] || y->status != RC_HST_OK)
			continue;
		if (!b->sc && y->ret < x->call)
			return false;
		if (b->sc && y->proc == x->proc && y->call < x->call)
			return false;
	}
	return true;
}

static bool bf_search(struct bf *b, const struct ref *st)
{
	bool done = true;

	for (size_t i = 0; i < b->n; i++)
		if (!b->used[i] && rc_history_op(b->h, i)->status == RC_HST_OK)
			done = false;
	if (done)
		return true;
	for (size_t i = 0; i < b->n; i++) {
		const struct rc_hop *o = rc_history_op(b->h, i);
		struct ref nx = *st;

		if (b->used[i] || o->status == RC_HST_FAIL || !bf_allowed(b, i))
			continue;
		if (!ref_step(b->h, b->spec, &nx, o))
			continue;
		b->used[i] = true;
		if (bf_search(b, &nx)) {
			b->used[i] = false;
			return true;
		}
		b->used[i] = false;
	}
	return false;
}

static bool brute_force(const rc_history_t *h, enum rc_spec spec, bool sc)
{
	struct bf b;
	struct ref st;

	memset(&b, 0, sizeof(b));
	b.h = h;
	b.spec = spec;
	b.sc = sc;
	b.n = rc_history_len(h);
	ref_init(&st, spec);
	return bf_search(&b, &st);
}

/* Replays a witness order of one part: allowed by the level and the spec. */
static bool witness_valid(const rc_history_t *h, enum rc_spec spec, bool sc,
			  const struct rc_check_part *p)
{
	struct ref st;
	bool placed[MAXOPS] = { false };

	ref_init(&st, spec);
	for (size_t k = 0; k < p->norder; k++) {
		uint32_t i = p->order[k];
		const struct rc_hop *x = rc_history_op(h, i);

		if (placed[i] || x->status == RC_HST_FAIL)
			return false;
		for (size_t j = 0; j < rc_history_len(h); j++) {
			const struct rc_hop *y = rc_history_op(h, j);

			if (placed[j] || j == i || y->status != RC_HST_OK ||
			    (p->key != RC_HVAL_NONE && y->key != x->key) ||
			    y->result == RC_HVAL_UNKNOWN)
				continue;
			if (!sc && y->ret < x->call)
				return false;
			if (sc && y->proc == x->proc && y->call < x->call)
				return false;
		}
		if (!ref_step(h, spec, &st, x))
			return false;
		placed[i] = true;
	}
	/* every determinate op of the part placed (vacuous reads aside) */
	for (size_t j = 0; j < rc_history_len(h); j++) {
		const struct rc_hop *y = rc_history_op(h, j);

		if (placed[j] || y->status != RC_HST_OK)
			continue;
		if (p->key != RC_HVAL_NONE && y->key != p->key)
			continue;
		if ((y->kind == RC_HOP_READ || y->kind == RC_HOP_GET ||
		     y->kind == RC_HOP_CONTAINS) &&
		    y->result == RC_HVAL_UNKNOWN)
			continue;
		return false;
	}
	return true;
}

static const unsigned spec_kinds[][4] = {
	[RC_SPEC_REGISTER] = { RC_HOP_READ, RC_HOP_WRITE, RC_HOP_READ,
			       RC_HOP_WRITE },
	[RC_SPEC_CAS_REGISTER] = { RC_HOP_READ, RC_HOP_WRITE, RC_HOP_CAS,
				   RC_HOP_CAS },
	[RC_SPEC_KV] = { RC_HOP_GET, RC_HOP_PUT, RC_HOP_APPEND, RC_HOP_GET },
	[RC_SPEC_QUEUE] = { RC_HOP_ENQ, RC_HOP_DEQ, RC_HOP_ENQ, RC_HOP_DEQ },
	[RC_SPEC_STACK] = { RC_HOP_PUSH, RC_HOP_POP, RC_HOP_PUSH, RC_HOP_POP },
	[RC_SPEC_SET] = { RC_HOP_ADD, RC_HOP_REMOVE, RC_HOP_CONTAINS,
			  RC_HOP_ADD },
	[RC_SPEC_COUNTER] = { RC_HOP_INC, RC_HOP_READ, RC_HOP_INC,
			      RC_HOP_READ },
};

/*
 * A random small history: ops with random overlapping intervals on 2 or 3
 * processes, results from a random linearization, then often one result
 * changed, sometimes ops that never complete or fail.
 */
static rc_history_t *random_history(enum rc_spec spec, size_t n)
{
	rc_history_t *h = rc_history_new();
	struct rc_hop ops[MAXOPS];
	int64_t lp[MAXOPS], t[3] = { 0, 0, 0 };
	unsigned np = 2 + (unsigned)(rnd() % 2);
	size_t order[MAXOPS];
	struct ref st;

	keyval[0] = rc_history_str(h, "a", 1);
	keyval[1] = rc_history_str(h, "b", 1);
	strval[0] = rc_history_str(h, "x", 1);
	strval[1] = rc_history_str(h, "y", 1);
	strval[2] = rc_history_str(h, "xy", 2);
	for (size_t i = 0; i < n; i++) {
		struct rc_hop *o = &ops[i];
		unsigned p = (unsigned)(rnd() % np);

		memset(o, 0, sizeof(*o));
		o->proc = p;
		o->call = t[p] + 1 + (int64_t)(rnd() % 4);
		o->ret = o->call + 1 + (int64_t)(rnd() % 8);
		t[p] = o->ret;
		o->kind = (uint16_t)spec_kinds[spec][rnd() % 4];
		o->key = o->arg[0] = o->arg[1] = RC_HVAL_NONE;
		o->line = (uint32_t)i + 1;
		switch (o->kind) {
		case RC_HOP_WRITE:
		case RC_HOP_ENQ:
		case RC_HOP_PUSH:
		case RC_HOP_ADD:
		case RC_HOP_REMOVE:
		case RC_HOP_CONTAINS:
			o->arg[0] = (int64_t)(rnd() % 3);
			break;
		case RC_HOP_INC:
			o->arg[0] = 1 + (int64_t)(rnd() % 2);
			break;
		case RC_HOP_CAS:
			o->arg[0] = rnd() % 4 == 0 ? RC_HVAL_NIL
						   : (int64_t)(rnd() % 3);
			o->arg[1] = (int64_t)(rnd() % 3);
			break;
		case RC_HOP_GET:
			o->key = keyval[rnd() % 2];
			break;
		case RC_HOP_PUT:
		case RC_HOP_APPEND:
			o->key = keyval[rnd() % 2];
			o->arg[0] = strval[rnd() % 2];
			break;
		}
		lp[i] = o->call * 16 +
			(int64_t)(rnd() % (uint64_t)((o->ret - o->call) * 16));
		order[i] = i;
	}
	/* results from the order of the linearization points */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && lp[order[j - 1]] > lp[order[j]];
		     j--) {
			size_t x = order[j];

			order[j] = order[j - 1];
			order[j - 1] = x;
		}
	ref_init(&st, spec);
	for (size_t k = 0; k < n; k++) {
		struct rc_hop *o = &ops[order[k]];
		struct ref before = st;

		o->result = RC_HVAL_UNKNOWN;
		switch (o->kind) {
		case RC_HOP_READ:
			o->result = st.v[0];
			break;
		case RC_HOP_GET: {
			const char *cur = st.kv[keyidx(o->key)];

			o->result = rc_history_str(h, cur, strlen(cur));
			break;
		}
		case RC_HOP_CAS:
			o->result = st.v[0] == o->arg[0] ? RC_HVAL_TRUE
							 : RC_HVAL_FALSE;
			break;
		case RC_HOP_DEQ:
		case RC_HOP_POP:
			if (st.n == 0)
				o->result = RC_HVAL_NIL;
			else
				o->result = o->kind == RC_HOP_DEQ
						    ? st.v[0]
						    : st.v[st.n - 1];
			break;
		case RC_HOP_REMOVE:
		case RC_HOP_CONTAINS:
			o->result = ((st.v[1] >> o->arg[0]) & 1)
					    ? RC_HVAL_TRUE
					    : RC_HVAL_FALSE;
			break;
		default:
			o->result = RC_HVAL_OK;
		}
		ref_step(h, spec, &st, o);
		/* a client that crashed: the op took effect, or not */
		if (rnd() % 12 == 0 && o->kind != RC_HOP_READ &&
		    o->kind != RC_HOP_GET) {
			o->status = RC_HST_INDET;
			o->ret = RC_HTIME_INF;
			o->result = RC_HVAL_UNKNOWN;
			if (rnd() % 2)
				st = before;
		} else if (rnd() % 16 == 0 && o->kind == RC_HOP_CAS) {
			o->status = RC_HST_FAIL;
			o->result = RC_HVAL_UNKNOWN;
			st = before;
		} else if (rnd() % 20 == 0 && o->kind == RC_HOP_READ) {
			o->result = RC_HVAL_UNKNOWN; /* timed out */
		}
	}
	/* often, one result made wrong */
	if (rnd() % 2) {
		struct rc_hop *o = &ops[rnd() % n];

		if (o->status == RC_HST_OK && o->result != RC_HVAL_UNKNOWN &&
		    o->result != RC_HVAL_OK) {
			if (o->kind == RC_HOP_GET)
				o->result = strval[rnd() % 3];
			else if (o->result == RC_HVAL_TRUE)
				o->result = RC_HVAL_FALSE;
			else if (o->result == RC_HVAL_FALSE)
				o->result = RC_HVAL_TRUE;
			else
				o->result = rnd() % 3 == 0
						    ? RC_HVAL_NIL
						    : (int64_t)(rnd() % 4);
		}
	}
	for (size_t i = 0; i < n; i++)
		rc_history_add(h, &ops[i], NULL);
	return h;
}

static void diag_history(const rc_history_t *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	rc_history_write(h, f, NULL);
	fclose(f);
	for (char *l = strtok(buf, "\n"); l != NULL; l = strtok(NULL, "\n"))
		diag("    %s", l);
	free(buf);
}

static void test_random(enum rc_spec spec, enum rc_level level, unsigned count)
{
	unsigned bad = 0, nok = 0, nwit = 0;

	rs = 1000 * (uint64_t)spec + (uint64_t)level;
	for (unsigned it = 0; it < count; it++) {
		size_t n = 1 + (size_t)(rnd() % MAXOPS);
		rc_history_t *h = random_history(spec, n);
		struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
		rc_check_result_t *r;
		bool want = brute_force(h, spec, level == RC_SC);
		bool got;

		o.spec = spec;
		o.level = level;
		if (rc_check(h, &o, &r, NULL) < 0) {
			if (bad++ == 0) {
				diag("%s %s: the checker failed on:",
				     rc_spec_name(spec), rc_level_name(level));
				diag_history(h);
			}
			rc_history_free(h);
			continue;
		}
		got = r->verdict == RC_VERDICT_OK;
		nok += want;
		if (got != want && bad++ == 0) {
			diag("%s %s: checker says %s, brute force %s:",
			     rc_spec_name(spec), rc_level_name(level),
			     rc_verdict_name(r->verdict),
			     want ? "ok" : "violation");
			diag_history(h);
		}
		if (got)
			for (size_t p = 0; p < r->nparts; p++)
				if (!witness_valid(h, spec, level == RC_SC,
						   &r->parts[p]) &&
				    nwit++ == 0) {
					diag("%s %s: invalid witness for:",
					     rc_spec_name(spec),
					     rc_level_name(level));
					diag_history(h);
				}
		rc_check_result_free(r);
		rc_history_free(h);
	}
	ok(bad == 0,
	   "%s, %s: %u random histories agree with brute force "
	   "(%u consistent)",
	   rc_spec_name(spec), rc_level_name(level), count, nok);
	ok(nwit == 0, "%s, %s: every witness order replays", rc_spec_name(spec),
	   rc_level_name(level));
}

static void test_generated(void)
{
	static const size_t sizes[] = { 100, 1000, 5000 };

	for (unsigned s = 0; s < 3; s++) {
		for (uint64_t seed = 1; seed <= 3; seed++) {
			struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
			rc_history_t *h = rc_history_gen_cas(
				sizes[s], 8, seed,
				seed == 3 ? sizes[s] / 100 : 0);
			rc_check_result_t *r;
			size_t n = rc_history_len(h), i;

			o.spec = RC_SPEC_CAS_REGISTER;
			ok(rc_check(h, &o, &r, NULL) == 0 &&
				   r->verdict == RC_VERDICT_OK,
			   "generated %zu ops, seed %" PRIu64
			   "%s: linearizable",
			   sizes[s], seed,
			   seed == 3 ? ", some never complete" : "");
			rc_check_result_free(r);
			o.level = RC_SC;
			if (sizes[s] <= 1000) {
				ok(rc_check(h, &o, &r, NULL) == 0 &&
					   r->verdict == RC_VERDICT_OK,
				   "generated %zu ops, seed %" PRIu64
				   ": sequentially consistent",
				   sizes[s], seed);
				rc_check_result_free(r);
			}
			o.level = RC_LIN;
			/* one read made to return a value never written */
			for (i = (size_t)(rnd() % n); i < n; i++)
				if (rc_history_op(h, i)->kind == RC_HOP_READ)
					break;
			if (i == n)
				i = 0;
			((struct rc_hop *)rc_history_op(h, i))->kind =
				RC_HOP_READ;
			((struct rc_hop *)rc_history_op(h, i))->status =
				RC_HST_OK;
			((struct rc_hop *)rc_history_op(h, i))->result = 7;
			if (rc_history_op(h, i)->ret == RC_HTIME_INF)
				((struct rc_hop *)rc_history_op(h, i))->ret =
					rc_history_op(h, i)->call + 1;
			((struct rc_hop *)rc_history_op(h, i))->arg[0] =
				RC_HVAL_NONE;
			((struct rc_hop *)rc_history_op(h, i))->arg[1] =
				RC_HVAL_NONE;
			ok(rc_check(h, &o, &r, NULL) == 0 &&
				   r->verdict == RC_VERDICT_VIOLATION &&
				   r->parts[0].nblocked > 0,
			   "generated %zu ops, seed %" PRIu64
			   ", op #%zu reads 7: rejected, with a failure point",
			   sizes[s], seed, i);
			rc_check_result_free(r);
			rc_history_free(h);
		}
	}
}

static void test_roundtrip(void)
{
	rc_history_t *h = rc_history_gen_cas(300, 4, 9, 5), *g = NULL;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);
	rc_err_t err = RC_ERR_INITIALIZER;
	int rc;

	rc_history_write(h, f, NULL);
	fclose(f);
	rc = rc_history_parse(buf, len, "roundtrip", &g, &err);
	ok(rc == 0, "the written history reads back (%s)", err.msg);
	if (rc == 0) {
		for (i = 0; i < rc_history_len(h); i++) {
			const struct rc_hop *a = rc_history_op(h, i);
			const struct rc_hop *b = rc_history_op(g, i);

			if (a->proc != b->proc || a->call != b->call ||
			    a->ret != b->ret || a->kind != b->kind ||
			    a->arg[0] != b->arg[0] || a->arg[1] != b->arg[1] ||
			    a->result != b->result || a->status != b->status)
				break;
		}
		is(i, rc_history_len(h), "every operation reads back equal");
	}
	rc_history_free(g);
	rc_history_free(h);
	free(buf);
}

struct shared_check {
	const rc_history_t *h;
	int verdict;
};

static void *check_thread(void *arg)
{
	struct shared_check *sc = arg;
	struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
	rc_check_result_t *r;

	sc->verdict = -1;
	if (rc_check(sc->h, &o, &r, NULL) == 0) {
		sc->verdict = (int)r->verdict;
		rc_check_result_free(r);
	}
	return NULL;
}

/* rc_check is reentrant: threads check one history at once. */
static void test_threads(void)
{
	rc_history_t *h = rc_history_gen_cas(2000, 8, 5, 10);
	struct shared_check sc[4];
	pthread_t t[4];
	bool all = true;

	for (int i = 0; i < 4; i++) {
		sc[i].h = h;
		pthread_create(&t[i], NULL, check_thread, &sc[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		all &= sc[i].verdict == RC_VERDICT_OK;
	}
	ok(all, "4 threads checking one history at once all find it "
		"linearizable");
	rc_history_free(h);
}

/*
 * A kv history of 40 keys, each a put and a get; the gets of keys 7, 21
 * and 33 read a value never put. Whatever the number of threads, the check
 * stops at key 7 (the first violating one in file order) and reports the
 * keys up to it; with all_keys it reports the 40 keys, 3 of them violating.
 */
static void test_first_key(void)
{
	rc_history_t *h = rc_history_new();
	bool same = true, all = true;
	char name[16];

	for (int k = 0; k < 40; k++) {
		struct rc_hop op = { 0 };

		snprintf(name, sizeof(name), "k%d", k);
		op.key = rc_history_str(h, name, strlen(name));
		op.arg[0] = k;
		op.arg[1] = RC_HVAL_NONE;
		op.call = 4 * k;
		op.ret = 4 * k + 1;
		op.kind = RC_HOP_PUT;
		op.result = RC_HVAL_OK;
		rc_history_add(h, &op, NULL);
		op.arg[0] = RC_HVAL_NONE;
		op.call = 4 * k + 2;
		op.ret = 4 * k + 3;
		op.proc = 1;
		op.kind = RC_HOP_GET;
		op.result = k == 7 || k == 21 || k == 33 ? 1000 + k : k;
		rc_history_add(h, &op, NULL);
	}
	for (unsigned t = 1; t <= 8; t *= 2) {
		struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
		rc_check_result_t *r = NULL;
		size_t nbad = 0;

		o.threads = t;
		if (rc_check(h, &o, &r, NULL) < 0 ||
		    r->verdict != RC_VERDICT_VIOLATION || r->nparts != 8 ||
		    r->nkeys != 40 ||
		    r->parts[7].verdict != RC_VERDICT_VIOLATION ||
		    strcmp(rc_history_strval(h, r->parts[7].key, NULL), "k7"))
			same = false;
		for (size_t p = 0; r != NULL && p < 7; p++)
			same &= r->parts[p].verdict == RC_VERDICT_OK;
		rc_check_result_free(r);
		o.all_keys = true;
		if (rc_check(h, &o, &r, NULL) < 0 || r->nparts != 40) {
			all = false;
		} else {
			for (size_t p = 0; p < r->nparts; p++)
				nbad += r->parts[p].verdict ==
					RC_VERDICT_VIOLATION;
			all &= nbad == 3 && r->verdict == RC_VERDICT_VIOLATION;
		}
		rc_check_result_free(r);
	}
	ok(same, "kv on 1, 2, 4, 8 threads: the check stops at the first "
		 "violating key, k7, with the keys before it ok");
	ok(all, "kv with all_keys: every key's verdict, 3 violations");
	rc_history_free(h);
}

/* The verdict of a history given as text, or -1 when it does not read. */
static int verdict_of(const char *text, enum rc_spec spec, enum rc_level level)
{
	struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
	rc_history_t *h = NULL;
	rc_check_result_t *r = NULL;
	int v = -1;

	if (rc_history_parse(text, strlen(text), "text", &h, NULL) != 0)
		return -1;
	o.spec = spec;
	o.level = level;
	if (rc_check(h, &o, &r, NULL) == 0)
		v = (int)r->verdict;
	rc_check_result_free(r);
	rc_history_free(h);
	return v;
}

/*
 * The kv search drops a node whose value is not a prefix of a coming get's
 * result unless a coming put's value is. Here "z" must take effect before
 * the get of "cd" (it returned before the get was invoked), so after "ab"
 * the value "abz" is not a prefix of "cd": only the put of "c", still to
 * come, saves the node. With a put of "e" nothing does.
 */
static void test_prefix_rule(void)
{
	static const char head[] = "# replicore-history 1\n"
				   "0 1 10 append \"k\" \"a\" -> ok\n"
				   "1 2 11 append \"k\" \"b\" -> ok\n"
				   "2 12 13 get \"k\" -> \"ab\"\n"
				   "0 16 20 append \"k\" \"z\" -> ok\n";
	static const char *const tail[] = {
		"1 21 30 put \"k\" \"c\" -> ok\n"
		"2 22 31 append \"k\" \"d\" -> ok\n"
		"0 32 33 get \"k\" -> \"cd\"\n",
		"1 21 30 put \"k\" \"e\" -> ok\n"
		"2 22 31 append \"k\" \"d\" -> ok\n"
		"0 32 33 get \"k\" -> \"cd\"\n",
		"1 21 ? put \"k\" \"c\" -> ?\n"
		"2 22 31 append \"k\" \"d\" -> ok\n"
		"0 32 33 get \"k\" -> \"cd\"\n",
		"2 22 31 append \"k\" \"d\" -> ok\n"
		"0 32 33 get \"k\" -> \"abzd\"\n",
		"2 22 31 append \"k\" \"d\" -> ok\n"
		"0 32 33 get \"k\" -> \"abd\"\n",
	};
	static const int want[] = { RC_VERDICT_OK, RC_VERDICT_VIOLATION,
				    RC_VERDICT_OK, RC_VERDICT_OK,
				    RC_VERDICT_VIOLATION };
	char text[512];

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		snprintf(text, sizeof(text), "%s%s", head, tail[i]);
		for (int level = RC_LIN; level <= RC_SC; level++)
			is(verdict_of(text, RC_SPEC_KV, (enum rc_level)level),
			   want[i], "kv prefix rule, history %zu, %s: %s", i,
			   level == RC_LIN ? "lin" : "sc",
			   want[i] == RC_VERDICT_OK ? "ok" : "violation");
	}
}

int main(void)
{
	unsigned count = (unsigned)tap_env_u64("RC_CHECK_PROPS", 400);

	for (int spec = RC_SPEC_REGISTER; spec <= RC_SPEC_COUNTER; spec++)
		for (int level = RC_LIN; level <= RC_SC; level++)
			test_random((enum rc_spec)spec, (enum rc_level)level,
				    count);
	test_generated();
	test_prefix_rule();
	test_roundtrip();
	test_threads();
	test_first_key();
	done_testing();
	return exit_status();
}
