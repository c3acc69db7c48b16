/* SPDX-License-Identifier: MIT */
/* test_mem_stress.c: random operations on rc_mem at each level from pinned threads, recorded and checked by the history checkers. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <replicore/check.h>
#include <replicore/clock.h>
#include <replicore/history.h>
#include <replicore/mem.h>
#include <replicore/recorder.h>
#include <replicore/topo.h>

#include "tests/tap.h"
#include "tests/unit/mem_ops.h"

/*
 * Threads bound to the replicas of one object run random operations and
 * record each with rc_recorder; the recorded history then goes to the
 * checker, which must find:
 *
 *   lin     linearizable (kv keyed by location for loads and stores; a
 *           cas-register per location when CAS and fetch-add are mixed
 *           in), and also sequentially consistent and CCv;
 *   sc      sequentially consistent (kv; a single cas-register with
 *           RMWs, SC not being compositional), and CCv;
 *   causal  CCv (causal convergence) for loads and stores, which are
 *           what the causal checkers take; with CAS and fetch-add on
 *           one location, sequentially consistent (a cas-register): on
 *           one location SRA is coherence, the writes being totally
 *           ordered and each RMW reading the write just before its own,
 *           so a lost update or an RMW overtaken by a store shows.
 *
 * A verdict "unknown" (the checker's time budget ran out) is reported and
 * never counted as a pass of the property it could not decide, nor as a
 * failure. Location values start at 0, the histories' initial value
 * (rc_recorder_set_initial), and are recorded as they are; every store
 * writes a value no other store writes, so the histories are
 * differentiated.
 *
 * SC is not linearizable: a load may miss a store that returned before
 * it started, when an earlier log slot is reserved but not yet published
 * by a third replica. Up to RC_STRESS_SC_RUNS (default 300) threaded runs
 * of two writers and readers on one location, RC_STRESS_STALE_OPS
 * (default 1000) operations each, look for such a history (giving up
 * after three whose prefix the SC search cannot decide); as that
 * window is narrow, an explore-mode run (one OS thread, a seeded
 * scheduler choosing between replicas' operations and propagation steps)
 * follows when none was found, where a reader that has not applied the
 * log reads stale. Either way the witness is shown, and the history
 * (for a threaded one: its prefix through the stale read, which the SC
 * search decides where the whole may be too long for it) is checked
 * sequentially consistent.
 *
 * Environment: RC_STRESS_THREADS (default 4, capped at the layout's PUs),
 * RC_STRESS_OPS (operations per thread, default 300),
 * RC_STRESS_RUNS (runs per level and workload, default 2; this and
 * RC_STRESS_SC_RUNS are multiplied by RC_SCALE, the sizes are not, so
 * that the checkers still decide),
 * RC_STRESS_TIMEOUT (seconds per check, default 10). Nothing waits
 * without bound: the only waits are an SC load's for log slots that
 * other running replicas publish, and the start line.
 */

enum workload {
	WL_RW,	  /* loads and stores over NLOCS_RW locations */
	WL_RMW,	  /* plus CAS and fetch-add */
	WL_STALE, /* replicas 0 and 1 store to location 0, the others load */
};

#define NLOCS_RW 3

struct run {
	rc_mem_t *mem;
	const rc_topo_t *topo;
	unsigned pus[RC_MEM_MAX_REPLICAS]; /* rc_topo_spread's */
	rc_recorder_t *rec;
	enum workload wl;
	unsigned n, nlocs;
	uint64_t ops, seed;
	_Atomic unsigned arrived;
	atomic_uint bind_fail;
};

struct worker {
	struct run *run;
	unsigned id;
	pthread_t thread;
};

/* A value no other store writes: the writer in the high bits. */
static uint64_t fresh(unsigned id, uint64_t *seq)
{
	return ((uint64_t)(id + 1) << 32) | ++*seq;
}

static void one_op(struct run *run, rc_mem_replica_t *r, unsigned id,
		   uint64_t *rs, uint64_t *seq, uint64_t *seen)
{
	rc_recorder_t *rec = run->rec;
	uint64_t x = tap_rand(rs), v, e;
	unsigned loc = (unsigned)(x >> 8) % run->nlocs, pct = x % 100;
	rc_hval_t key = (rc_hval_t)loc;
	bool rmw = run->wl == WL_RMW;

	if (run->wl == WL_STALE) {
		loc = 0;
		key = 0;
		pct = id < 2 ? 99 : 0;
	}
	if (pct < 55) {
		rc_recorder_begin(rec, id, rmw ? RC_HOP_READ : RC_HOP_GET, key,
				  RC_HVAL_NONE, RC_HVAL_NONE);
		v = rc_mem_load(r, loc);
		rc_recorder_end(rec, id, (rc_hval_t)v, RC_HST_OK);
		seen[loc] = v;
	} else if (!rmw || pct < 75) {
		v = fresh(id, seq);
		rc_recorder_begin(rec, id, rmw ? RC_HOP_WRITE : RC_HOP_PUT, key,
				  (rc_hval_t)v, RC_HVAL_NONE);
		rc_mem_store(r, loc, v, RC_RELEASE);
		rc_recorder_end(rec, id, RC_HVAL_OK, RC_HST_OK);
	} else if (pct < 88) {
		e = seen[loc];
		v = fresh(id, seq);
		rc_recorder_begin(rec, id, RC_HOP_CAS, key, (rc_hval_t)e,
				  (rc_hval_t)v);
		if (rc_mem_cas(r, loc, &e, v)) {
			rc_recorder_end(rec, id, RC_HVAL_TRUE, RC_HST_OK);
			seen[loc] = v;
		} else {
			rc_recorder_end(rec, id, RC_HVAL_FALSE, RC_HST_OK);
			seen[loc] = e;
		}
	} else {
		/*
		 * Recorded as inc 1 -> the value before; key_part rewrites it
		 * as cas(v, v + 1) -> true, which is what it did, for the
		 * register spec, which has no add.
		 */
		rc_recorder_begin(rec, id, RC_HOP_INC, key, 1, RC_HVAL_NONE);
		v = fetch_add(r, loc, 1);
		rc_recorder_end(rec, id, (rc_hval_t)v, RC_HST_OK);
		seen[loc] = v + 1;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct run *run = w->run;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_mem_replica_t *r;
	uint64_t rs = run->seed * 0x9e3779b97f4a7c15ull + w->id + 1, seq = 0;
	uint64_t seen[NLOCS_RW] = { 0 };

	if (rc_mem_bind(run->mem, w->id, run->topo, run->pus[w->id], RC_MEM_PIN,
			&r, &err) < 0) {
		atomic_fetch_add(&run->bind_fail, 1);
		diag("bind %u: %s", w->id, err.msg);
		r = rc_mem_replica(run->mem, w->id);
	}
	/* seq_cst: a start line; every thread is started by the caller,
	 * so the wait is bounded by their start */
	atomic_fetch_add(&run->arrived, 1);
	while (atomic_load(&run->arrived) < run->n)
		sched_yield();
	for (uint64_t i = 0; i < run->ops; i++)
		one_op(run, r, w->id, &rs, &seq, seen);
	rc_mem_unbind(r);
	return NULL;
}

/*
 * The cas-register sub-history of one location, from a keyed one; the
 * fetch-adds (inc 1 -> v) become cas(v, v + 1) -> true.
 */
static rc_history_t *key_part(const rc_history_t *h, rc_hval_t key)
{
	rc_history_t *p = rc_history_new();

	if (p == NULL ||
	    rc_history_set_initial(p, rc_history_initial(h), NULL) < 0) {
		rc_history_free(p);
		return NULL;
	}
	for (size_t i = 0; i < rc_history_len(h); i++) {
		struct rc_hop op = *rc_history_op(h, i);

		if (op.key != key)
			continue;
		op.key = RC_HVAL_NONE;
		if (op.kind == RC_HOP_INC) {
			op.kind = RC_HOP_CAS;
			op.arg[0] = op.result;
			op.arg[1] = op.result + 1;
			op.result = RC_HVAL_TRUE;
		}
		if (rc_history_add(p, &op, NULL) < 0) {
			rc_history_free(p);
			return NULL;
		}
	}
	return p;
}

static void show_op(const rc_history_t *h, uint32_t id)
{
	const struct rc_hop *o = rc_history_op(h, id);
	char a[64], b[64], k[64], res[64];

	diag("    #%u p%u [%lld, %lld] %s %s %s %s -> %s", id, o->proc,
	     (long long)o->call, (long long)o->ret, rc_hop_kind_name(o->kind),
	     o->key == RC_HVAL_NONE ? ""
				    : rc_history_fmtval(h, o->key, k, sizeof k),
	     o->arg[0] == RC_HVAL_NONE
		     ? ""
		     : rc_history_fmtval(h, o->arg[0], a, sizeof a),
	     o->arg[1] == RC_HVAL_NONE
		     ? ""
		     : rc_history_fmtval(h, o->arg[1], b, sizeof b),
	     rc_history_fmtval(h, o->result, res, sizeof res));
}

static void show_witness(const rc_history_t *h, const rc_check_result_t *res)
{
	for (size_t p = 0; p < res->nparts; p++) {
		const struct rc_check_part *part = &res->parts[p];
		size_t from;

		if (part->verdict != RC_VERDICT_VIOLATION)
			continue;
		diag("  %s%s%s", part->pattern,
		     part->pattern[0] != '\0' ? ": " : "", part->note);
		from = part->norder > 3 ? part->norder - 3 : 0;
		if (part->norder > 0)
			diag("  the end of the longest order (%zu ops):",
			     part->norder);
		for (size_t i = from; i < part->norder; i++)
			show_op(h, part->order[i]);
		diag("  %s:", part->pattern[0] != '\0'
				      ? "the bad pattern"
				      : "none of these can come next");
		for (size_t i = 0; i < part->nblocked && i < 8; i++)
			show_op(h, part->blocked[i]);
		return;
	}
}

/* Writes h to a file named after what failed, for replicore check. */
static void keep(const rc_history_t *h, const char *what)
{
	char name[128];
	FILE *f;

	snprintf(name, sizeof name, "test_mem_stress-%s.hist", what);
	for (char *c = name; *c != '\0'; c++)
		if (*c == ' ' || *c == '/' || *c == ':')
			*c = '-';
	f = fopen(name, "w");
	if (f == NULL)
		return;
	if (rc_history_write(h, f, NULL) == 0)
		diag("  history kept in %s", name);
	fclose(f);
}

/* Checks h; returns the verdict, or -1 on an error of the checker. */
static int check_for(const rc_history_t *h, enum rc_spec spec, enum rc_level lv,
		     bool show, rc_check_result_t **out, double seconds)
{
	struct rc_check_opts o = RC_CHECK_OPTS_INITIALIZER;
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_check_result_t *res = NULL;
	int v;

	o.spec = spec;
	o.level = lv;
	o.timeout = seconds;
	if (rc_check(h, &o, &res, &err) < 0) {
		diag("  check: %s", err.msg);
		return -1;
	}
	v = (int)res->verdict;
	if (show && v == RC_VERDICT_VIOLATION)
		show_witness(h, res);
	if (v == RC_VERDICT_UNKNOWN)
		diag("  %s at %s: unknown (%s)", rc_spec_name(spec),
		     rc_level_name(lv), res->note);
	if (out != NULL)
		*out = res;
	else
		rc_check_result_free(res);
	return v;
}

static int check(const rc_history_t *h, enum rc_spec spec, enum rc_level lv,
		 bool show, rc_check_result_t **out)
{
	return check_for(h, spec, lv, show, out,
			 (double)tap_env_fixed("RC_STRESS_TIMEOUT", 10));
}

/* Runs n threads on a fresh object; returns the history or NULL. */
static rc_history_t *record(const rc_topo_t *topo, enum rc_level level,
			    enum workload wl, unsigned n, unsigned nlocs,
			    uint64_t ops, uint64_t seed, bool *bound)
{
	struct run run;
	struct worker *w = calloc(n, sizeof(*w));
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_history_t *h = NULL;

	memset(&run, 0, sizeof run);
	run.topo = topo;
	rc_topo_spread(topo, n, run.pus);
	run.wl = wl;
	run.n = n;
	run.nlocs = nlocs;
	run.ops = ops;
	run.seed = seed;
	atomic_init(&run.arrived, 0);
	atomic_init(&run.bind_fail, 0);
	if (w == NULL ||
	    rc_mem_create(&run.mem, level, nlocs, n, 0, &err) < 0 ||
	    rc_recorder_create(&run.rec, n, ops, &err) < 0) {
		diag("setup: %s", err.msg);
		goto out;
	}
	rc_recorder_set_initial(run.rec, 0); /* where the locations start */
	for (unsigned i = 0; i < n; i++) {
		w[i].run = &run;
		w[i].id = i;
		pthread_create(&w[i].thread, NULL, worker_main, &w[i]);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
	*bound = atomic_load(&run.bind_fail) == 0;
	h = rc_history_new();
	if (h != NULL && rc_recorder_export(run.rec, h, 0, &err) < 0) {
		diag("export: %s", err.msg);
		rc_history_free(h);
		h = NULL;
	}
out:
	rc_recorder_destroy(run.rec);
	if (run.mem != NULL)
		rc_mem_destroy(run.mem);
	free(w);
	return h;
}

struct tally {
	unsigned runs, ok, viol, unknown, err;
};

static void count(struct tally *t, int v)
{
	t->runs++;
	if (v == RC_VERDICT_OK)
		t->ok++;
	else if (v == RC_VERDICT_VIOLATION)
		t->viol++;
	else if (v == RC_VERDICT_UNKNOWN)
		t->unknown++;
	else
		t->err++;
}

static void report(const struct tally *t, const char *what)
{
	/* no violation, and at least one history decided: all unknown would
	 * show nothing */
	ok(t->viol == 0 && t->err == 0 && t->ok > 0,
	   "%s: %u runs, %u ok, %u unknown", what, t->runs, t->ok, t->unknown);
}

static void run_level(const rc_topo_t *topo, const char *layout,
		      enum rc_level level, unsigned n, uint64_t ops,
		      unsigned runs)
{
	const char *ln = rc_level_name(level);
	struct tally own = { 0 }, sc = { 0 }, ccv = { 0 }, rmw = { 0 };
	bool bound = true;
	char what[160];

	for (unsigned k = 0; k < runs; k++) {
		bool b = true;
		rc_history_t *h =
			record(topo, level, WL_RW, n, NLOCS_RW, ops, k + 1, &b);
		int v;

		bound = bound && b;
		if (h == NULL) {
			own.err++;
			continue;
		}
		if (level == RC_LIN || level == RC_SC) {
			/* the same level, for objects and histories */
			v = check(h, RC_SPEC_KV, level, true, NULL);
			count(&own, v);
			if (v == RC_VERDICT_VIOLATION)
				keep(h, ln);
		}
		if (level == RC_LIN) {
			v = check(h, RC_SPEC_KV, RC_SC, true, NULL);
			count(&sc, v);
		}
		v = check(h, RC_SPEC_KV, RC_CCV, true, NULL);
		count(&ccv, v);
		if (v == RC_VERDICT_VIOLATION) {
			snprintf(what, sizeof what, "%s-ccv", ln);
			keep(h, what);
		}
		rc_history_free(h);

		/* RMWs: per location at lin, one location at sc and causal */
		/* causal reads are staler than sc's, which makes the SC
		 * search on one location longer: a tenth of the operations */
		h = record(topo, level, WL_RMW, n, level == RC_LIN ? 2 : 1,
			   level == RC_CAUSAL ? (ops + 9) / 10 : ops, k + 101,
			   &b);
		bound = bound && b;
		if (h == NULL) {
			rmw.err++;
			continue;
		}
		for (unsigned loc = 0; loc < (level == RC_LIN ? 2u : 1u);
		     loc++) {
			rc_history_t *p = key_part(h, (rc_hval_t)loc);

			if (p == NULL) {
				rmw.err++;
				continue;
			}
			v = check(p, RC_SPEC_CAS_REGISTER,
				  level == RC_LIN ? RC_LIN : RC_SC, true, NULL);
			count(&rmw, v);
			if (v == RC_VERDICT_VIOLATION) {
				snprintf(what, sizeof what, "%s-rmw", ln);
				keep(p, what);
			}
			rc_history_free(p);
		}
		rc_history_free(h);
	}
	ok(bound, "%s on %s (%u replicas, %llu ops each): every replica bound",
	   ln, layout, n, (unsigned long long)ops);
	if (level == RC_LIN) {
		snprintf(what, sizeof what,
			 "lin on %s: loads/stores linearizable", layout);
		report(&own, what);
		snprintf(what, sizeof what,
			 "lin on %s: loads/stores sequentially consistent",
			 layout);
		report(&sc, what);
		snprintf(what, sizeof what,
			 "lin on %s: with cas and fetch_add, each location "
			 "linearizable",
			 layout);
		report(&rmw, what);
	} else if (level == RC_SC) {
		snprintf(what, sizeof what,
			 "sc on %s: loads/stores sequentially consistent",
			 layout);
		report(&own, what);
	}
	if (level != RC_LIN) {
		snprintf(what, sizeof what,
			 "%s on %s: with cas and fetch_add (one location) "
			 "sequentially consistent",
			 ln, layout);
		report(&rmw, what);
	}
	snprintf(what, sizeof what,
		 "%s on %s: loads/stores causally convergent "
		 "(ccv)",
		 ln, layout);
	report(&ccv, what);
}

/*
 * The operations invoked up to the end of the stale read (the ops the lin
 * check found blocked), closed under program order and under reads-from
 * (the write of each value read). If the whole history is SC with order
 * S, S restricted to this set is an SC order of it (a read's write stays
 * the last write before it), so a violation here would be one of the
 * whole history; it is also short enough for the SC search to decide.
 */
static rc_history_t *prefix_through(const rc_history_t *h,
				    const rc_check_result_t *res)
{
	size_t n = rc_history_len(h);
	bool *in = calloc(n + 1, sizeof(*in)), changed = true;
	int64_t t = INT64_MIN;
	rc_history_t *p = NULL;

	if (in == NULL)
		return NULL;
	for (size_t q = 0; q < res->nparts; q++)
		for (size_t i = 0; i < res->parts[q].nblocked; i++) {
			const struct rc_hop *o =
				rc_history_op(h, res->parts[q].blocked[i]);

			if (o->ret > t)
				t = o->ret;
		}
	for (size_t i = 0; i < n; i++)
		in[i] = rc_history_op(h, i)->call <= t;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			const struct rc_hop *o = rc_history_op(h, i);

			if (!in[i])
				continue;
			for (size_t j = 0; j < n; j++) {
				const struct rc_hop *x = rc_history_op(h, j);
				bool need = (x->proc == o->proc &&
					     x->call < o->call) ||
					    (o->kind == RC_HOP_GET &&
					     x->kind == RC_HOP_PUT &&
					     x->key == o->key &&
					     x->arg[0] == o->result);

				if (need && !in[j]) {
					in[j] = true;
					changed = true;
				}
			}
		}
	}
	p = rc_history_new();
	if (p != NULL &&
	    rc_history_set_initial(p, rc_history_initial(h), NULL) < 0) {
		rc_history_free(p);
		p = NULL;
	}
	for (size_t i = 0; p != NULL && i < n; i++)
		if (in[i] && rc_history_add(p, rc_history_op(h, i), NULL) < 0) {
			rc_history_free(p);
			p = NULL;
		}
	free(in);
	return p;
}

/*
 * Threaded: two writers, readers. True when a run was not linearizable
 * and its prefix through the stale read was found sequentially
 * consistent; a prefix the SC search cannot decide in time is reported
 * and the search goes on. *sc_bad counts prefixes found not SC.
 */
static bool stale_threaded(const rc_topo_t *topo, unsigned n, uint64_t ops,
			   unsigned runs, unsigned *tried, unsigned *nonlin,
			   unsigned *sc_bad)
{
	for (unsigned k = 0; k < runs; k++) {
		bool b = true;
		rc_history_t *h =
			record(topo, RC_SC, WL_STALE, n, 1, ops, k + 7, &b);
		rc_check_result_t *res = NULL;
		rc_history_t *p;
		int v, ps, pl;

		*tried = k + 1;
		if (h == NULL)
			continue;
		v = check(h, RC_SPEC_KV, RC_LIN, false, &res);
		if (v != RC_VERDICT_VIOLATION) {
			if (res != NULL)
				rc_check_result_free(res);
			rc_history_free(h);
			continue;
		}
		++*nonlin;
		p = prefix_through(h, res);
		pl = p != NULL ? check(p, RC_SPEC_KV, RC_LIN, false, NULL) : -1;
		ps = p != NULL ? check(p, RC_SPEC_KV, RC_SC, true, NULL) : -1;
		diag("threaded sc run %u: not linearizable; its prefix "
		     "through the stale read (%zu of %zu ops): lin %s, sc %s",
		     k + 1, p != NULL ? rc_history_len(p) : 0,
		     rc_history_len(h),
		     pl >= 0 ? rc_verdict_name((enum rc_verdict)pl) : "error",
		     ps >= 0 ? rc_verdict_name((enum rc_verdict)ps) : "error");
		if (ps == RC_VERDICT_VIOLATION) {
			++*sc_bad;
			keep(p, "sc-stale-prefix");
		}
		if (ps == RC_VERDICT_OK && pl == RC_VERDICT_VIOLATION)
			show_witness(h, res);
		rc_check_result_free(res);
		rc_history_free(p);
		rc_history_free(h);
		if (ps == RC_VERDICT_OK && pl == RC_VERDICT_VIOLATION)
			return true;
		/* each undecided prefix costs a whole time budget */
		if (*nonlin >= 3)
			break;
	}
	return false;
}

/*
 * Explore mode: replicas 0 and 1 store, replica 2 loads, and a seeded
 * scheduler picks an operation or an enabled propagation step each turn.
 * One OS thread, so the operations are sequential in real time and a
 * load that misses an applied-elsewhere store is a stale read.
 */
static rc_history_t *stale_explore(uint64_t seed, unsigned turns)
{
	rc_mem_t *mem = NULL;
	rc_recorder_t *rec = NULL;
	rc_history_t *h = NULL;
	uint64_t rs = seed, seq[3] = { 0 };

	if (rc_mem_create(&mem, RC_SC, 1, 3, RC_MEM_EXPLORE, NULL) < 0 ||
	    rc_recorder_create(&rec, 3, turns, NULL) < 0)
		goto out;
	rc_recorder_set_initial(rec, 0);
	for (unsigned t = 0; t < turns; t++) {
		uint64_t x = tap_rand(&rs);
		struct rc_mem_step st[8];
		unsigned ns = rc_mem_steps(mem, st, 8);

		if (x % 3 == 0 && ns > 0) {
			rc_mem_step(mem, &st[(x >> 8) % ns]);
		} else {
			unsigned id = (unsigned)(x >> 8) % 3;
			rc_mem_replica_t *r = rc_mem_replica(mem, id);

			if (id < 2) {
				uint64_t v = fresh(id, &seq[id]);

				rc_recorder_begin(rec, id, RC_HOP_PUT, 0,
						  (rc_hval_t)v, RC_HVAL_NONE);
				rc_mem_store(r, 0, v, RC_RELEASE);
				rc_recorder_end(rec, id, RC_HVAL_OK, RC_HST_OK);
			} else {
				uint64_t v;

				rc_recorder_begin(rec, id, RC_HOP_GET, 0,
						  RC_HVAL_NONE, RC_HVAL_NONE);
				v = rc_mem_load(r, 0);
				rc_recorder_end(rec, id, (rc_hval_t)v,
						RC_HST_OK);
			}
		}
	}
	h = rc_history_new();
	if (h != NULL && rc_recorder_export(rec, h, 0, NULL) < 0) {
		rc_history_free(h);
		h = NULL;
	}
out:
	rc_recorder_destroy(rec);
	if (mem != NULL)
		rc_mem_destroy(mem);
	return h;
}

static void run_stale(const rc_topo_t *topo, const char *layout, unsigned n)
{
	unsigned runs = (unsigned)tap_env_u64("RC_STRESS_SC_RUNS", 300);
	uint64_t stale_ops = tap_env_fixed("RC_STRESS_STALE_OPS", 1000);
	unsigned tried = 0, nonlin = 0, sc_bad = 0;
	rc_check_result_t *res = NULL;
	rc_history_t *h;
	int v, s;
	bool found = n >= 3 && stale_threaded(topo, n, stale_ops, runs, &tried,
					      &nonlin, &sc_bad);

	is(sc_bad, 0,
	   "sc on %s: no threaded history's prefix is found not "
	   "sequentially consistent (%u of %u runs not linearizable)",
	   layout, nonlin, tried);
	if (found) {
		ok(1,
		   "sc on %s: a threaded history is not linearizable, and "
		   "sequentially consistent through the stale read (run %u of "
		   "at most %u)",
		   layout, tried, runs);
		return;
	}
	diag("sc on %s: %s", layout,
	     n < 3 ? "threaded stale reads need 3 replicas (two writers)"
		   : "no threaded history was found non-linearizable with "
		     "a prefix the SC search decides; the stale window is "
		     "narrow");
	diag("  (%u threaded runs); trying explore mode", tried);
	h = stale_explore(42, 200);
	if (h == NULL) {
		ok(0, "sc explore: record");
		return;
	}
	v = check(h, RC_SPEC_KV, RC_LIN, false, &res);
	if (v == RC_VERDICT_VIOLATION) {
		diag("explore-mode sc history, not linearizable:");
		show_witness(h, res);
	}
	ok(v == RC_VERDICT_VIOLATION,
	   "sc (explore mode, seed 42): a history is not linearizable");
	s = check(h, RC_SPEC_KV, RC_SC, true, NULL);
	ok(s == RC_VERDICT_OK,
	   "sc (explore mode): that history is sequentially "
	   "consistent");
	if (res != NULL)
		rc_check_result_free(res);
	rc_history_free(h);
}

static void run_layout(const char *synthetic)
{
	const char *layout = synthetic != NULL ? synthetic : "machine";
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *topo;
	unsigned n;
	uint64_t ops = tap_env_fixed("RC_STRESS_OPS", 300);
	unsigned runs = (unsigned)tap_env_u64("RC_STRESS_RUNS", 2);

	if (rc_topo_open(&topo, synthetic, NULL, &err) < 0) {
		ok(0, "open layout %s: %s", layout, err.msg);
		return;
	}
	n = (unsigned)tap_env_fixed("RC_STRESS_THREADS", 4);
	if (n > rc_topo_npus(topo))
		n = rc_topo_npus(topo);
	if (n > RC_MEM_MAX_REPLICAS)
		n = RC_MEM_MAX_REPLICAS;
	if (n < 2) {
		skip(13, "needs 2 PUs in the layout");
		rc_topo_close(topo);
		return;
	}
	diag("layout %s: %u PUs on %u real, %u threads, %llu ops each, %u "
	     "runs",
	     layout, rc_topo_npus(topo), rc_topo_real_npus(topo), n,
	     (unsigned long long)ops, runs);
	run_level(topo, layout, RC_LIN, n, ops, runs);
	run_level(topo, layout, RC_SC, n, ops, runs);
	run_level(topo, layout, RC_CAUSAL, n, ops, runs);
	run_stale(topo, layout, n);
	rc_topo_close(topo);
}

int main(void)
{
	run_layout(NULL);
	run_layout("numa:2 core:2 pu:1");
	done_testing();
	return exit_status();
}
