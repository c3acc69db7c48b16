/* SPDX-License-Identifier: MIT */
/* test_check_causal.c: CC, CM and CCv against their definitions, by brute force on small histories. */
#include <inttypes.h>
#include <string.h>

#include <replicore/check.h>
#include <replicore/history.h>

#include "tests/tap.h"

/*
 * The reference follows the definitions of Bouajjani et al. (POPL 2017)
 * directly: a history is CC (CM, CCv) when some causal order co, a strict
 * partial order containing program order, explains every operation. co is
 * enumerated as (po | X)+ for every set X of edges from a write to an
 * operation of another process (an edge from a read adds nothing a read's
 * hidden output could use). Then:
 *  CC:  each read o, in some serialisation of its causal past ending with
 *       o, reads the last value written to its location;
 *  CM:  the same, with o's own earlier reads also reading right;
 *  CCv: one total order extending co where each read reads the last write
 *       to its location among its causal past.
 */
#define MAXN 6

struct op {
	unsigned proc;
	bool write;
	int loc;
	int val; /* 0 is the initial value */
	int64_t call;
};

static struct op ops[MAXN];
static int n;
static unsigned co[MAXN]; /* co[b]: bitmask of a with a co b */
static uint64_t rs;

static uint64_t rnd(void)
{
	uint64_t z = (rs += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static bool close_co(void)
{
	bool changed = true;

	while (changed) {
		changed = false;
		for (int b = 0; b < n; b++)
			for (int a = 0; a < n; a++)
				if ((co[b] >> a & 1) &&
				    (co[b] | co[a]) != co[b]) {
					co[b] |= co[a];
					changed = true;
				}
	}
	for (int i = 0; i < n; i++)
		if (co[i] >> i & 1)
			return false;
	return true;
}

/* Serialisations of set (co-consistent) with the reads in vis right. */
static bool ser(unsigned set, unsigned vis, unsigned done, int *mem)
{
	if (done == set)
		return true;
	for (int i = 0; i < n; i++) {
		int save;

		if (!(set >> i & 1) || (done >> i & 1) || (co[i] & set & ~done))
			continue;
		if (!ops[i].write && (vis >> i & 1) &&
		    mem[ops[i].loc] != ops[i].val)
			continue;
		save = mem[ops[i].loc];
		if (ops[i].write)
			mem[ops[i].loc] = ops[i].val;
		if (ser(set, vis, done | 1u << i, mem))
			return true;
		mem[ops[i].loc] = save;
	}
	return false;
}

static bool arb(unsigned done, int *order, int len)
{
	if (len == n)
		return true;
	for (int i = 0; i < n; i++) {
		if ((done >> i & 1) || (co[i] & ~done))
			continue;
		if (!ops[i].write) {
			int cur = 0;

			for (int j = 0; j < len; j++)
				if (ops[order[j]].write &&
				    ops[order[j]].loc == ops[i].loc &&
				    (co[i] >> order[j] & 1))
					cur = ops[order[j]].val;
			if (cur != ops[i].val)
				continue;
		}
		order[len] = i;
		if (arb(done | 1u << i, order, len + 1))
			return true;
	}
	return false;
}

static bool explains(enum rc_level level)
{
	if (level == RC_CCV) {
		int order[MAXN];

		return arb(0, order, 0);
	}
	for (int o = 0; o < n; o++) {
		unsigned set = co[o] | 1u << o, vis = 1u << o;
		int mem[2] = { 0, 0 };

		if (ops[o].write)
			continue;
		if (level == RC_CM)
			for (int i = 0; i < n; i++)
				if ((set >> i & 1) &&
				    ops[i].proc == ops[o].proc)
					vis |= 1u << i;
		if (!ser(set, vis, 0, mem))
			return false;
	}
	return true;
}

static bool reference(enum rc_level level)
{
	int cand[MAXN * MAXN][2], nc = 0;
	unsigned po[MAXN] = { 0 };

	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++) {
			if (ops[a].proc == ops[b].proc &&
			    ops[a].call < ops[b].call)
				po[b] |= 1u << a;
			if (ops[a].write && ops[a].proc != ops[b].proc)
				cand[nc][0] = a, cand[nc++][1] = b;
		}
	for (uint64_t x = 0; x < (UINT64_C(1) << nc); x++) {
		memcpy(co, po, sizeof(co));
		for (int e = 0; e < nc; e++)
			if (x >> e & 1)
				co[cand[e][1]] |= 1u << cand[e][0];
		if (close_co() && explains(level))
			return true;
	}
	return false;
}

static int count_cand(void)
{
	int nc = 0;

	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++)
			nc += ops[a].write && ops[a].proc != ops[b].proc;
	return nc;
}

/* A random read/write history; differentiated unless told otherwise. */
static rc_history_t *random_history(bool kv, bool differentiated)
{
	rc_history_t *h = rc_history_new();
	int64_t t[3] = { 0, 0, 0 };
	unsigned np = 2 + (unsigned)(rnd() % 2);
	int nextval = 1;
	rc_hval_t keys[2], empty = rc_history_str(h, "", 0);

	keys[0] = rc_history_str(h, "a", 1);
	keys[1] = rc_history_str(h, "b", 1);
	do {
		n = 2 + (int)(rnd() % (MAXN - 1));
		for (int i = 0; i < n; i++) {
			struct op *o = &ops[i];

			o->proc = (unsigned)(rnd() % np);
			o->write = rnd() % 2;
			o->loc = kv ? (int)(rnd() % 2) : 0;
			o->call = t[o->proc] =
				t[o->proc] + 1 + (int64_t)(rnd() % 3);
			if (o->write)
				o->val = differentiated ? nextval++
							: 1 + (int)(rnd() % 2);
		}
	} while (count_cand() > 12);
	for (int i = 0; i < n; i++) {
		struct op *o = &ops[i];
		int choices[MAXN + 1], nch = 0;

		if (o->write)
			continue;
		choices[nch++] = 0;
		for (int j = 0; j < n; j++)
			if (ops[j].write && ops[j].loc == o->loc)
				choices[nch++] = ops[j].val;
		o->val = choices[rnd() % (uint64_t)nch];
	}
	for (int i = 0; i < n; i++) {
		struct rc_hop x;
		const struct op *o = &ops[i];

		memset(&x, 0, sizeof(x));
		x.proc = o->proc;
		x.call = o->call;
		x.ret = o->call; /* real time does not matter here */
		x.key = kv ? keys[o->loc] : RC_HVAL_NONE;
		x.arg[0] = x.arg[1] = RC_HVAL_NONE;
		x.line = (uint32_t)i + 1;
		if (o->write) {
			x.kind = kv ? RC_HOP_PUT : RC_HOP_WRITE;
			x.arg[0] = o->val;
			x.result = RC_HVAL_OK;
		} else {
			x.kind = kv ? RC_HOP_GET : RC_HOP_READ;
			x.result = o->val ? o->val : (kv ? empty : RC_HVAL_NIL);
		}
		rc_history_add(h, &x, NULL);
	}
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

/*
 * Whether a passing part's witness orders every operation once, after its
 * process's earlier ones and after the write it reads from (the causal
 * order, program order and reads-from, extended).
 */
static bool witness_extends_co(const struct rc_check_part *p)
{
	int pos[MAXN];

	if (p->norder != (size_t)n)
		return false;
	for (int i = 0; i < n; i++)
		pos[i] = -1;
	for (size_t k = 0; k < p->norder; k++) {
		if (p->order[k] >= (uint32_t)n || pos[p->order[k]] >= 0)
			return false;
		pos[p->order[k]] = (int)k;
	}
	for (int a = 0; a < n; a++)
		for (int b = 0; b < n; b++) {
			bool po = ops[a].proc == ops[b].proc &&
				  ops[a].call < ops[b].call;
			bool wr = ops[a].write && !ops[b].write &&
				  ops[a].loc == ops[b].loc &&
				  ops[a].val == ops[b].val;

			if ((po || wr) && pos[a] > pos[b])
				return false;
		}
	return true;
}

static void run(enum rc_level level, bool kv, bool differentiated,
		unsigned count)
{
	unsigned bad = 0, nok = 0, npat = 0, nwit = 0, badwit = 0;

	rs = 77 + (uint64_t)level * 10 + kv * 2 + differentiated;
	for (unsigned it = 0; it < count; it++) {
		rc_history_t *h = random_history(kv, differentiated);
		struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
		rc_check_result_t *r;
		bool want = reference(level), got;

		o.spec = kv ? RC_SPEC_KV : RC_SPEC_REGISTER;
		o.level = level;
		if (rc_check(h, &o, &r, NULL) < 0) {
			bad++;
			rc_history_free(h);
			continue;
		}
		got = r->verdict == RC_VERDICT_OK;
		nok += want;
		/* a bad pattern has operations; the fallback names itself */
		if (!got && r->parts[0].pattern[0] &&
		    (r->parts[0].nblocked > 0 || !differentiated))
			npat++;
		if (got && differentiated && r->nparts == 1) {
			nwit++;
			if (!witness_extends_co(&r->parts[0]) &&
			    badwit++ == 0) {
				diag("%s: a witness that does not extend po "
				     "and wr:",
				     rc_level_name(level));
				diag_history(h);
			}
		}
		if ((got != want || r->verdict == RC_VERDICT_UNKNOWN) &&
		    bad++ == 0) {
			diag("%s: checker says %s (%s), definition %s:",
			     rc_level_name(level), rc_verdict_name(r->verdict),
			     r->parts[0].pattern, want ? "ok" : "violation");
			diag_history(h);
		}
		rc_check_result_free(r);
		rc_history_free(h);
	}
	ok(bad == 0,
	   "%s, %s%s: %u random histories agree with the definition (%u "
	   "consistent)",
	   rc_level_name(level), kv ? "kv" : "register",
	   differentiated ? "" : ", not differentiated", count, nok);
	ok(npat == count - nok,
	   "%s, %s%s: every violation names its pattern and operations",
	   rc_level_name(level), kv ? "kv" : "register",
	   differentiated ? "" : ", not differentiated");
	if (differentiated)
		ok(nwit == nok && badwit == 0,
		   "%s, %s: every pass (%u) has a witness order that extends "
		   "the causal order",
		   rc_level_name(level), kv ? "kv" : "register", nwit);
}

int main(void)
{
	unsigned count = (unsigned)tap_env_u64("RC_CHECK_PROPS", 300);

	for (int level = RC_CC; level <= RC_CCV; level++) {
		run((enum rc_level)level, false, true, count);
		run((enum rc_level)level, true, true, count);
		run((enum rc_level)level, false, false, count / 3);
	}
	done_testing();
	return exit_status();
}
