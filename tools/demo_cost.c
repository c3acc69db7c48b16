/* SPDX-License-Identifier: MIT */
/* demo_cost.c: the demo's cost line: ns per operation of each rc_mem level beside a plain atomic, and the replicated state machine against a lock where it is built in. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/mem.h>

#include "bench/bench.h"
#include "tools/demo.h"

/*
 * Two threads, on two layout PUs of different NUMA nodes that are
 * different real CPUs where the machine has them (place()), each run a fixed number of operations on 16 locations:
 * 90% loads (acquire), 10% stores (release), locations and choices from
 * a per-thread xorshift. A sample is the mean over both threads of their
 * time over their operations; the line shows the median of the samples
 * and their 10th..90th percentiles. "plain" is an array of C11 atomics
 * with seq_cst loads and stores, the floor every level is compared with.
 */

#define NLOCS 16
#define LOAD_PCT 90
#define NTHREADS 2
#define MAX_RSM_ROWS 8

enum {
	IMPL_PLAIN,
	IMPL_LIN,
	IMPL_SC,
	IMPL_TSO,
	IMPL_CAUSAL,
	IMPL_EVENTUAL,
	NIMPLS
};
static const char *const impl_name[NIMPLS] = { "plain", "lin",	  "sc",
					       "tso",	"causal", "eventual" };
static const enum rc_level impl_level[NIMPLS] = {
	RC_LIN, RC_LIN, RC_SC, RC_TSO, RC_CAUSAL, RC_EVENTUAL
};

struct worker {
	_Alignas(RC_BENCH_LINE) const rc_topo_t *layout;
	unsigned id, pu, impl;
	uint64_t ops;
	rc_mem_t *mem;
	_Atomic uint64_t *plain;
	struct rc_bench_gate *gate;
	/* results */
	uint64_t ns, sink;
	bool pin_failed;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	rc_mem_replica_t *r = NULL;
	uint64_t x = 0x9e3779b97f4a7c15ull * (w->id + 1), sink = 0, t0;

	if (w->impl == IMPL_PLAIN) {
		w->pin_failed = rc_topo_pin(w->layout, w->pu, NULL) < 0;
	} else if (rc_mem_bind(w->mem, w->id, w->layout, w->pu, RC_MEM_PIN, &r,
			       NULL) < 0) {
		/* pinned where place() chose, or run unpinned and say so */
		r = rc_mem_replica(w->mem, w->id);
		w->pin_failed = true;
	}
	_rc_bench_gate_wait(w->gate, NTHREADS);
	t0 = _rc_bench_now();
	for (uint64_t i = 0; i < w->ops; i++) {
		unsigned loc;
		bool load;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		loc = (unsigned)(x >> 40) % NLOCS;
		load = x % 100 < LOAD_PCT;
		if (w->impl == IMPL_PLAIN && load)
			/* seq_cst: the floor measured; the value is
			 * discarded, nothing pairs with it */
			sink += atomic_load_explicit(&w->plain[loc],
						     memory_order_seq_cst);
		else if (w->impl == IMPL_PLAIN)
			/* seq_cst: as the load above */
			atomic_store_explicit(&w->plain[loc], i,
					      memory_order_seq_cst);
		else if (load)
			sink += rc_mem_load(r, loc);
		else
			rc_mem_store(r, loc, i + 1, RC_RELEASE);
	}
	w->ns = _rc_bench_now() - t0;
	w->sink = sink;
	if (r != NULL) {
		rc_mem_progress(r);
		rc_mem_unbind(r);
	}
	return NULL;
}

/*
 * The two threads' layout PUs: the first PU of node 0, then the first PU
 * of another node on another real CPU, else of another node, else any
 * other PU.
 */
static void place(const rc_topo_t *layout, unsigned pus[NTHREADS])
{
	unsigned n = rc_topo_npus(layout), best = 0, score = 0;
	struct rc_topo_pu a, b;

	rc_topo_spread(layout, 1, pus);
	rc_topo_pu(layout, pus[0], &a);
	for (unsigned i = 0; i < n; i++) {
		unsigned sc;

		if (i == pus[0] || rc_topo_pu(layout, i, &b) < 0)
			continue;
		sc = 1 + (b.node != a.node) +
		     2 * (b.real_os_index != a.real_os_index);
		if (sc > score) {
			score = sc;
			best = i;
		}
	}
	pus[1] = score > 0 ? best : pus[0];
}

/* One sample: ns per operation, or a negative value on failure. */
static double sample(const struct demo_ctx *c, const unsigned *pus,
		     unsigned impl, uint64_t ops, bool *pin_failed)
{
	static _Alignas(RC_BENCH_LINE) _Atomic uint64_t plain[NLOCS];
	struct worker w[NTHREADS];
	pthread_t th[NTHREADS];
	struct rc_bench_gate gate;
	unsigned started = 0;
	rc_mem_t *mem = NULL;
	double sum = 0;

	if (impl != IMPL_PLAIN &&
	    rc_mem_create(&mem, impl_level[impl], NLOCS, NTHREADS, 0, NULL) < 0)
		return -1;
	for (unsigned i = 0; i < NLOCS; i++)
		atomic_init(&plain[i], 0);
	memset(&gate, 0, sizeof gate);
	atomic_init(&gate.arrived, 0);
	for (unsigned i = 0; i < NTHREADS; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].layout = c->layout;
		w[i].id = i;
		w[i].pu = pus[i];
		w[i].impl = impl;
		w[i].ops = ops;
		w[i].mem = mem;
		w[i].plain = plain;
		w[i].gate = &gate;
		if (pthread_create(&th[i], NULL, worker_main, &w[i]) != 0)
			break;
		started++;
	}
	if (started < NTHREADS) {
		/* let the started ones through the gate, then give up */
		for (unsigned i = started; i < NTHREADS; i++)
			atomic_fetch_add(&gate.arrived, 1);
	}
	for (unsigned i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		*pin_failed |= w[i].pin_failed;
		sum += (double)w[i].ns / (double)ops;
	}
	if (mem != NULL) {
		rc_mem_quiesce(mem);
		rc_mem_destroy(mem);
	}
	return started == NTHREADS ? sum / NTHREADS : -1;
}

struct cost_result {
	uint64_t ops;
	unsigned repeat;
	bool pin_failed;
	unsigned pus[NTHREADS], nodes[NTHREADS], real[NTHREADS];
	struct demo_cost_row level[NIMPLS];
	bool have_rsm;
	int nrsm;
	struct demo_cost_row rsm[MAX_RSM_ROWS];
};

static void *cost_run(const struct demo_ctx *c, bool *failed)
{
	struct cost_result *res = calloc(1, sizeof(*res));
	double *v;

	(void)failed;
	if (res == NULL)
		return NULL;
	res->ops = c->o->cost_ops;
	res->repeat = c->o->cost_repeat;
	v = calloc(res->repeat, sizeof(*v));
	if (v == NULL) {
		free(res);
		return NULL;
	}
	place(c->layout, res->pus);
	for (unsigned i = 0; i < NTHREADS; i++) {
		struct rc_topo_pu pu;

		rc_topo_pu(c->layout, res->pus[i], &pu);
		res->nodes[i] = pu.node;
		res->real[i] = pu.real_os_index;
	}
	for (unsigned k = 0; k < NIMPLS; k++) {
		struct demo_cost_row *row = &res->level[k];
		unsigned n = 0;

		for (unsigned i = 0; i < res->repeat; i++) {
			double ns;

			demo_progress(c, "cost: %s, sample %u of %u",
				      impl_name[k], i + 1, res->repeat);
			ns = sample(c, res->pus, k, res->ops, &res->pin_failed);
			if (ns >= 0)
				v[n++] = ns;
		}
		snprintf(row->what, sizeof row->what, "%s", impl_name[k]);
		snprintf(row->detail, sizeof row->detail, "%s",
			 k == IMPL_PLAIN ? "C11 _Atomic, seq_cst" : "rc_mem");
		demo_cost_row_stats(row, v, n);
	}
	free(v);
	/* the replicated state machine against a lock, when built in */
	res->have_rsm = demo_cost_rsm != NULL;
	if (res->have_rsm) {
		demo_progress(c, "cost: rsm");
		res->nrsm = demo_cost_rsm(c, res->rsm, MAX_RSM_ROWS);
	}
	demo_progress(c, NULL);
	return res;
}

static void row_text(FILE *out, const struct demo_cost_row *r)
{
	if (r->ns < 0)
		fprintf(out, "  %-16s %10s\n", r->what, "failed");
	else
		fprintf(out, "  %-16s %10.1f  (%.1f..%.1f)  %s\n", r->what,
			r->ns, r->p10, r->p90, r->detail);
}

static void cost_text(const void *p, FILE *out)
{
	const struct cost_result *res = p;

	fprintf(out,
		"ns per operation: %u threads on layout PUs %u and %u (NUMA "
		"nodes %u and %u,\n"
		"real CPUs %u and %u%s), %u%% loads and %u%% stores over %u "
		"locations,\n"
		"%llu operations per thread; median of %u samples "
		"(p10..p90).\n",
		NTHREADS, res->pus[0], res->pus[1], res->nodes[0],
		res->nodes[1], res->real[0], res->real[1],
		res->pin_failed ? "; pinning failed" : "", LOAD_PCT,
		100 - LOAD_PCT, NLOCS, (unsigned long long)res->ops,
		res->repeat);
	for (unsigned k = 0; k < NIMPLS; k++)
		row_text(out, &res->level[k]);
	if (!res->have_rsm) {
		fprintf(out, "rsm against a lock: not in this build\n");
		return;
	}
	fprintf(out, "rsm against a lock:\n");
	if (res->nrsm < 0)
		fprintf(out, "  failed\n");
	for (int k = 0; k < res->nrsm; k++)
		row_text(out, &res->rsm[k]);
}

static void row_json(struct cli_json *j, const struct demo_cost_row *r)
{
	cli_json_obj(j);
	cli_json_kv_str(j, "what", r->what);
	cli_json_kv_str(j, "detail", r->detail);
	if (r->ns < 0) {
		cli_json_key(j, "ns");
		cli_json_null(j);
	} else {
		cli_json_kv_double(j, "ns", r->ns);
		cli_json_kv_double(j, "p10", r->p10);
		cli_json_kv_double(j, "p90", r->p90);
	}
	cli_json_obj_end(j);
}

static void cost_json(const void *p, struct cli_json *j)
{
	const struct cost_result *res = p;

	cli_json_obj(j);
	cli_json_kv_str(j, "unit", "ns/op");
	cli_json_kv_uint(j, "threads", NTHREADS);
	cli_json_kv_uint(j, "load_percent", LOAD_PCT);
	cli_json_kv_uint(j, "operations", res->ops);
	cli_json_kv_uint(j, "samples", res->repeat);
	cli_json_kv_bool(j, "pinned", !res->pin_failed);
	cli_json_key(j, "levels");
	cli_json_arr(j);
	for (unsigned k = 0; k < NIMPLS; k++)
		row_json(j, &res->level[k]);
	cli_json_arr_end(j);
	cli_json_key(j, "rsm");
	if (!res->have_rsm || res->nrsm < 0) {
		cli_json_null(j);
	} else {
		cli_json_arr(j);
		for (int k = 0; k < res->nrsm; k++)
			row_json(j, &res->rsm[k]);
		cli_json_arr_end(j);
	}
	cli_json_obj_end(j);
}

/* Appends the measured rows as bars of one colour; the new count. */
static unsigned add_bars(struct rc_svg_bar *bars, unsigned n,
			 const struct demo_cost_row *rows, unsigned nrows,
			 unsigned color)
{
	for (unsigned k = 0; k < nrows; k++) {
		if (rows[k].ns < 0)
			continue;
		bars[n].label = rows[k].what;
		bars[n].v = rows[k].ns;
		bars[n].lo = rows[k].p10;
		bars[n].hi = rows[k].p90;
		bars[n++].color = color;
	}
	return n;
}

static void cost_html(const void *p, FILE *out)
{
	const struct cost_result *res = p;
	struct rc_svg_bar bars[NIMPLS + MAX_RSM_ROWS];
	static const char *const legend[] = { "plain atomic", "rc_mem level",
					      "rsm and locks" };
	unsigned n;
	char sub[160];

	demo_html_pre(out, cost_text, p);
	n = add_bars(bars, 0, res->level, 1, 0);
	n = add_bars(bars, n, res->level + 1, NIMPLS - 1, 1);
	if (res->have_rsm && res->nrsm > 0)
		n = add_bars(bars, n, res->rsm, (unsigned)res->nrsm, 2);
	snprintf(sub, sizeof sub,
		 "%u threads, %u%% loads; median, whiskers p10..p90", NTHREADS,
		 LOAD_PCT);
	demo_html_bars(out, "Cost per operation", sub, "ns per operation", bars,
		       n, legend, res->have_rsm && res->nrsm > 0 ? 3 : 2);
}

static void cost_free(void *p)
{
	free(p);
}

const struct demo_part demo_part_cost = {
	"cost",	   "Cost: ns per operation of each level",
	cost_run,  cost_text,
	cost_json, cost_html,
	cost_free,
};
