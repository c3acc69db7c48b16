/* SPDX-License-Identifier: MIT */
/* paxos.c: `replicore bench paxos`, commits per second and latency of the Paxos log beside the shared-memory log, by batch size, node count and a stalled minority. */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <replicore/log.h>
#include <replicore/paxos.h>
#include <replicore/rsm.h>

#include "bench/bench.h"
#include "examples/rsm_map_stall.h"

/*
 * Both backends through the rc_log interface: one appender (node 0's)
 * appends batches of B entries, each append returning once its entries
 * are ordered (the shared-memory log: reserved and written; the Paxos log:
 * chosen by a majority and delivered at node 0); one consumer thread per
 * other node reads everything. With a stalled minority, nodes N-1, N-2,
 * ... ((N-1)/2 of them) stop: their consumers do not read and, for the
 * Paxos log, their Paxos threads stall too. An append waits at most
 * BOUND_NS; one that runs out counts as a timeout and commits nothing.
 * commits/s is entries appended over the sample's wall time; latency is
 * per append (per batch): p50 and p99 of the sample's appends.
 *
 * Then the hash map of examples/rsm_map.h over rc_rsm on three NUMA nodes
 * ("numa:3 core:1 pu:1"), over each log: two threads, on nodes 0 and 2,
 * run gets and puts (half each) of random keys, with node 1 running and
 * with node 1 stalled (a thread of node 1 blocks inside apply, holding
 * node 1's combiner; with Paxos, node 1's Paxos thread stalls too).
 * Operations per second and the updates that ran out of their 20 ms
 * bound. Reported, never asserted; on a shared 2-core machine the numbers
 * show the load.
 */

#define SHM_CAPACITY 1024
#define BOUND_NS 20000000ull /* 20 ms */
#define MAXLAT (1u << 20)

static const unsigned node_counts[] = { 3, 5 };
static const unsigned batches[] = { 1, 8, 32 };
enum { LOG_SHM, LOG_PAXOS, NLOGS };
static const char *const log_name[] = { "shm", "paxos" };

#define NN (sizeof node_counts / sizeof node_counts[0])
#define NB (sizeof batches / sizeof batches[0])
#define NCONF (NLOGS * NN * NB * 2)

/*
 * A Paxos log of n nodes pinned on topo: 1 ms heartbeats, 50 ms election
 * timeouts, 100 ms retries, batches and windows of 64.
 */
static int paxos_log(rc_log_t **log, unsigned n, const rc_topo_t *topo,
		     rc_err_t *err)
{
	struct rc_paxos_opts o;

	memset(&o, 0, sizeof o);
	o.cfg = (struct rc_paxos_config)RC_PAXOS_CONFIG_INITIALIZER;
	o.cfg.heartbeat = 1000000;
	o.cfg.election = 50000000;
	o.cfg.retry = 100000000;
	o.cfg.batch = 64;
	o.cfg.window = 64;
	o.topo = topo;
	return rc_log_paxos_create(log, n, &o, err);
}

struct consumer {
	_Alignas(RC_BENCH_LINE) rc_log_t *log;
	unsigned node;
	_Atomic bool *stop;
};

static void *consume(void *arg)
{
	struct consumer *c = arg;
	struct rc_log_entry buf[64];
	uint64_t first;

	/* relaxed: the stop flag carries no data; the join orders */
	while (!atomic_load_explicit(c->stop, memory_order_relaxed))
		if (rc_log_read(c->log, c->node, &first, buf, 64) == 0)
			sched_yield();
	return NULL;
}

struct help_arg {
	rc_log_t *log;
};

static void help_read(void *arg)
{
	struct help_arg *h = arg;
	struct rc_log_entry buf[64];
	uint64_t first;

	while (rc_log_read(h->log, 0, &first, buf, 64) > 0)
		;
}

struct sample {
	double commits, p50_ns, p99_ns;
	uint64_t timeouts;
};

/* log10 of v, 0 for v <= 1 (nothing measured plots at the axis). */
static double log10_or_0(double v)
{
	return v > 1 ? log10(v) : 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool run_sample(const rc_topo_t *topo, int which, unsigned nodes,
		       unsigned batch, bool stalled, double duration,
		       uint64_t *lat, struct sample *out)
{
	static _Alignas(RC_BENCH_LINE) _Atomic bool stop;
	struct consumer cons[8];
	pthread_t th[8];
	bool started[8] = { false };
	struct rc_log_entry e[32];
	struct help_arg ha;
	uint64_t idx[32], t0, t_end, committed = 0, nlat = 0;
	unsigned nstall = stalled ? (nodes - 1) / 2 : 0;
	rc_log_t *log = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	int rc;

	memset(out, 0, sizeof *out);
	if (which == LOG_SHM)
		rc = rc_log_shm_create(&log, nodes, SHM_CAPACITY, &err);
	else
		rc = paxos_log(&log, nodes, topo, &err);
	if (rc < 0) {
		rc_err_print(&err, stderr);
		return false;
	}
	if (which == LOG_PAXOS)
		for (unsigned k = 0; k < nstall; k++)
			rc_paxos_stall(rc_log_paxos_group(log), nodes - 1 - k,
				       3600000000000ull);
	atomic_store_explicit(&stop, false, memory_order_relaxed);
	for (unsigned i = 1; i + nstall < nodes; i++) {
		cons[i].log = log;
		cons[i].node = i;
		cons[i].stop = &stop;
		started[i] =
			pthread_create(&th[i], NULL, consume, &cons[i]) == 0;
	}
	for (unsigned i = 0; i < batch; i++) {
		e[i].op = i;
		e[i].arg = 0;
		e[i].tag = i;
	}
	ha.log = log;
	/* Warm-up: the first append waits for a leader; not measured. */
	(void)rc_log_append(log, 0, e, 1, idx, 1000000000ull, help_read, &ha,
			    NULL);
	t0 = _rc_bench_now();
	t_end = t0 + (uint64_t)(duration * 1e9);
	for (uint64_t now = t0; now < t_end; now = _rc_bench_now()) {
		uint64_t a0 = now;

		rc = rc_log_append(log, 0, e, batch, idx, BOUND_NS, help_read,
				   &ha, NULL);
		if (rc < 0) {
			out->timeouts++;
			continue;
		}
		committed += batch;
		if (nlat < MAXLAT)
			lat[nlat++] = _rc_bench_now() - a0;
		help_read(&ha);
	}
	out->commits =
		(double)committed / ((double)(_rc_bench_now() - t0) / 1e9);
	/* relaxed: the joins order the consumers' work */
	atomic_store_explicit(&stop, true, memory_order_relaxed);
	for (unsigned i = 1; i < nodes; i++)
		if (started[i])
			pthread_join(th[i], NULL);
	if (which == LOG_PAXOS)
		for (unsigned k = 0; k < nstall; k++)
			rc_paxos_stall(rc_log_paxos_group(log), nodes - 1 - k,
				       0);
	rc_log_destroy(log);
	if (nlat > 0) {
		qsort(lat, nlat, sizeof *lat, cmp_u64);
		out->p50_ns = (double)lat[nlat / 2];
		out->p99_ns = (double)lat[nlat * 99 / 100];
	} else {
		out->p50_ns = out->p99_ns = NAN;
	}
	return true;
}

/* ---- the hash map over rc_rsm with node 1 stalled ---- */

#define MAP_LAYOUT "numa:3 core:1 pu:1"
#define MAP_KEYS 1024

/*
 * The map sample's start line: the two workers and the sampling thread
 * meet here. A worker's warm-up may last a leader election, so the early
 * arrivals sleep on a condition variable instead of spinning or
 * yielding. open() lets everyone through when a worker never started.
 */
struct park_gate {
	pthread_mutex_t m;
	pthread_cond_t c;
	unsigned arrived, n;
};

static void park_gate_wait(struct park_gate *g)
{
	pthread_mutex_lock(&g->m);
	if (++g->arrived >= g->n)
		pthread_cond_broadcast(&g->c);
	while (g->arrived < g->n)
		pthread_cond_wait(&g->c, &g->m);
	pthread_mutex_unlock(&g->m);
}

static void park_gate_open(struct park_gate *g)
{
	pthread_mutex_lock(&g->m);
	g->arrived = g->n;
	pthread_cond_broadcast(&g->c);
	pthread_mutex_unlock(&g->m);
}

/* Sleeps for s seconds (s >= 0), through interruptions. */
static void sleep_s(double s)
{
	struct timespec ts;

	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
}

struct map_worker {
	_Alignas(RC_BENCH_LINE) rc_rsm_handle_t *h;
	_Atomic bool *stop;
	struct park_gate *gate;
	uint64_t ops, timeouts, x;
	_Atomic bool done; /* the worker returned from its loop */
};

static void *map_work(void *arg)
{
	struct map_worker *w = arg;
	uint64_t r;

	/* Warm-up, not counted: a takeover after the stall settles here. */
	(void)rc_rsm_execute_flags(w->h, MAP_OP(MAP_PUT, 1), 1, 0, &r);
	park_gate_wait(w->gate);

	/* relaxed: the stop flag carries no data; the join orders */
	while (!atomic_load_explicit(w->stop, memory_order_relaxed)) {
		uint64_t key;
		int code;

		w->x ^= w->x << 13;
		w->x ^= w->x >> 7;
		w->x ^= w->x << 17;
		key = 1 + (w->x >> 20) % MAP_KEYS;
		code = w->x & 1 ? MAP_PUT : MAP_GET;
		if (rc_rsm_execute_flags(w->h, MAP_OP(code, key), w->x | 1, 0,
					 &r) < 0)
			w->timeouts++;
		else
			w->ops++;
	}
	/* release: the counts before the flag; pairs with the acquire
	 * load in join_worker (the join orders them anyway) */
	atomic_store_explicit(&w->done, true, memory_order_release);
	return NULL;
}

/*
 * Joins a map worker after the stop flag. Under the callers runner only
 * the workers run the Paxos nodes, and a worker may be waiting inside
 * rc_rsm for entries that its node gets only after another node's steps
 * (a decision it missed, answers to its election): once the other worker
 * has returned, nobody would run those. So until the worker returns, the
 * joining thread runs every free node once a millisecond, asleep between.
 */
static void join_worker(pthread_t th, struct map_worker *w, rc_paxos_t *px)
{
	/* acquire: pairs with the release store in map_work */
	while (px && !atomic_load_explicit(&w->done, memory_order_acquire)) {
		sleep_s(0.001);
		(void)rc_paxos_poll(px, 0);
	}
	pthread_join(th, NULL);
}

bool _rc_bench_paxos_map_sample(const rc_topo_t *mt, bool paxos, bool stalled,
				double duration, double *ops,
				uint64_t *timeouts)
{
	static _Alignas(RC_BENCH_LINE) _Atomic bool stop;
	struct park_gate gate;
	struct rc_rsm_options ro = RC_RSM_OPTIONS_INITIALIZER;
	struct map_worker w[2];
	rc_rsm_handle_t *h[3] = { NULL, NULL, NULL };
	struct map_stall_driver stall;
	pthread_t th[2];
	bool ok = true, started[2] = { false, false };
	rc_log_t *log = NULL;
	rc_rsm_t *rsm = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t t0, t1;

	*ops = 0;
	*timeouts = 0;
	if (paxos) {
		if (paxos_log(&log, 3, mt, &err) < 0) {
			rc_err_print(&err, stderr);
			return false;
		}
	}
	ro.log = log;
	ro.log_capacity = SHM_CAPACITY;
	ro.timeout_ns = BOUND_NS;
	if (rc_rsm_create(&rsm, &map_stall_ops, NULL, mt, &ro, &err) < 0) {
		rc_err_print(&err, stderr);
		rc_log_destroy(log);
		return false;
	}
	for (unsigned i = 0; i < 3; i++)
		if (rc_rsm_register(rsm, i, 0, &h[i], &err) < 0) {
			rc_err_print(&err, stderr);
			ok = false;
		}
	memset(&stall, 0, sizeof stall);
	if (ok && stalled) {
		ok = map_stall_begin(&stall, h[1],
				     log ? rc_log_paxos_group(log) : NULL,
				     10000000000ull);
		if (!ok)
			fprintf(stderr, "replicore bench paxos: node 1 did not "
					"stall within 10 s\n");
	}
	atomic_store_explicit(&stop, false, memory_order_relaxed);
	pthread_mutex_init(&gate.m, NULL);
	pthread_cond_init(&gate.c, NULL);
	gate.arrived = 0;
	gate.n = 3;
	for (unsigned i = 0; ok && i < 2; i++) {
		memset(&w[i], 0, sizeof w[i]);
		atomic_init(&w[i].done, false);
		w[i].h = h[i ? 2 : 0];
		w[i].stop = &stop;
		w[i].gate = &gate;
		w[i].x = 0x9e3779b97f4a7c15ull * (i + 1);
		started[i] = pthread_create(&th[i], NULL, map_work, &w[i]) == 0;
		ok = started[i];
	}
	if (ok)
		park_gate_wait(&gate);
	else
		park_gate_open(&gate);
	t0 = _rc_bench_now();
	if (ok)
		sleep_s(duration);
	/* relaxed: the joins order the workers' counts */
	atomic_store_explicit(&stop, true, memory_order_relaxed);
	for (unsigned i = 0; i < 2; i++)
		if (started[i]) {
			join_worker(th[i], &w[i],
				    log ? rc_log_paxos_group(log) : NULL);
			*ops += (double)w[i].ops;
			*timeouts += w[i].timeouts;
		}
	t1 = _rc_bench_now();
	pthread_cond_destroy(&gate.c);
	pthread_mutex_destroy(&gate.m);
	*ops /= (double)(t1 - t0) / 1e9;
	map_stall_end(&stall);
	for (unsigned i = 0; i < 3; i++)
		if (h[i])
			rc_rsm_unregister(h[i]);
	rc_rsm_destroy(rsm);
	rc_log_destroy(log);
	return ok;
}

struct map_conf {
	int log;
	bool stalled;
	struct rc_bench_stats ops;
	double *os;
	uint64_t timeouts;
};

static const char paxos_help[] =
	"NAME\n"
	"    replicore bench paxos - the Paxos log beside the shared-memory "
	"log\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench paxos [--json] [--plot FILE.svg] [--duration S] "
	"[--repeat N]\n"
	"                          [--synthetic SPEC | --xml FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    Appends batches of 1, 8 and 32 entries from node 0 to an "
	"operation log of\n"
	"    3 and 5 nodes, each append returning once its entries are "
	"ordered, while\n"
	"    a consumer thread per other node reads: the shared-memory log "
	"(1024\n"
	"    entries) and the Paxos log (rc_paxos, one pinned thread per "
	"node), with\n"
	"    every node running and with a stalled minority (the last "
	"(N-1)/2 nodes\n"
	"    stop consuming and, with Paxos, stop taking part). An append "
	"waits at\n"
	"    most 20 ms. Reports commits (entries) per second, append "
	"latency p50\n"
	"    and p99 in microseconds, and the appends that timed out: "
	"medians of N\n"
	"    samples of S seconds. Then the hash map of "
	"examples/rsm_map.h over\n"
	"    rc_rsm on \"numa:3 core:1 pu:1\", over each log: threads on "
	"nodes 0 and 2\n"
	"    (half puts), with node 1 up and with node 1 stalled "
	"(blocked in apply;\n"
	"    with Paxos its Paxos thread stalls too): operations per second "
	"and\n"
	"    updates that timed out. Measured, never asserted.\n"
	"\n"
	"OPTIONS\n"
	"    --json            one JSON object (schema replicore-bench/1, "
	"see\n"
	"                      replicore-bench(1)) instead of the table\n"
	"    --plot FILE.svg   commits/s and p99 latency against batch "
	"size\n"
	"    --duration S      seconds per sample (default 0.2)\n"
	"    --repeat N        samples per measurement (default 3)\n"
	"    --synthetic SPEC  the layout the Paxos threads are pinned "
	"on\n" RC_BENCH_HELP_XML "\n"
	"EXIT STATUS\n"
	"    0 on success, 1 when a log could not be created, 2 on a bad "
	"option.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore bench paxos --duration 0.1 --json --plot paxos.svg\n";

struct conf {
	int log;
	unsigned nodes, batch;
	bool stalled;
	struct rc_bench_stats commits, p50, p99;
	double *cs, *p50s, *p99s;
	uint64_t timeouts;
};

int bench_paxos(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "paxos",
				   .duration = 0.2,
				   .repeat = 3 };
	struct conf c[NCONF];
	struct map_conf mc[4];
	rc_topo_t *mt = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t *lat;
	unsigned nc = 0;
	bool failed = false;
	rc_topo_t *topo;
	int rc;

	rc = _rc_bench_start(&o, argc, argv, paxos_help, &topo);
	if (rc >= 0)
		return rc;
	lat = malloc(MAXLAT * sizeof *lat);
	if (!lat) {
		rc_topo_close(topo);
		return CLI_EXIT_FOUND;
	}
	memset(c, 0, sizeof c);
	for (int l = 0; l < NLOGS; l++)
		for (unsigned s = 0; s < 2; s++)
			for (unsigned n = 0; n < NN; n++)
				for (unsigned b = 0; b < NB; b++) {
					c[nc].log = l;
					c[nc].nodes = node_counts[n];
					c[nc].batch = batches[b];
					c[nc].stalled = s;
					nc++;
				}
	for (unsigned k = 0; k < nc; k++) {
		struct conf *x = &c[k];
		unsigned got = 0;
		struct sample sm;

		x->cs = calloc(o.repeat, sizeof(double));
		x->p50s = calloc(o.repeat, sizeof(double));
		x->p99s = calloc(o.repeat, sizeof(double));
		if (!x->cs || !x->p50s || !x->p99s) {
			failed = true;
			break;
		}
		_rc_bench_progress(&o, "%s, %u nodes, batch %u%s",
				   log_name[x->log], x->nodes, x->batch,
				   x->stalled ? ", stalled minority" : "");
		for (unsigned s = 0; s < o.repeat; s++) {
			if (!run_sample(topo, x->log, x->nodes, x->batch,
					x->stalled, o.duration, lat, &sm)) {
				failed = true;
				continue;
			}
			x->timeouts += sm.timeouts;
			x->cs[got] = sm.commits;
			x->p50s[got] = isfinite(sm.p50_ns) ? sm.p50_ns : 0;
			x->p99s[got] = isfinite(sm.p99_ns) ? sm.p99_ns : 0;
			got++;
		}
		if (got) {
			_rc_bench_stats(x->cs, got, &x->commits);
			_rc_bench_stats(x->p50s, got, &x->p50);
			_rc_bench_stats(x->p99s, got, &x->p99);
		}
	}
	memset(mc, 0, sizeof mc);
	if (rc_topo_open(&mt, MAP_LAYOUT, NULL, &err) < 0) {
		rc_err_print(&err, stderr);
		failed = true;
	}
	for (unsigned k = 0; mt && k < 4; k++) {
		struct map_conf *x = &mc[k];
		unsigned got = 0;

		x->log = (int)(k / 2);
		x->stalled = k % 2;
		x->os = calloc(o.repeat, sizeof(double));
		if (!x->os) {
			failed = true;
			break;
		}
		_rc_bench_progress(&o, "hash map over %s%s", log_name[x->log],
				   x->stalled ? ", node 1 stalled" : "");
		for (unsigned s = 0; s < o.repeat; s++) {
			uint64_t to;

			if (!_rc_bench_paxos_map_sample(mt, x->log == LOG_PAXOS,
							x->stalled, o.duration,
							&x->os[got], &to)) {
				failed = true;
				continue;
			}
			x->timeouts += to;
			got++;
		}
		if (got)
			_rc_bench_stats(x->os, got, &x->ops);
	}
	_rc_bench_progress(&o, NULL);
	if (o.json) {
		struct cli_json j;

		_rc_bench_json_begin(&j, &o, topo, "ns");
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		for (unsigned k = 0; k < nc; k++) {
			cli_json_obj(&j);
			cli_json_kv_str(&j, "log", log_name[c[k].log]);
			cli_json_kv_uint(&j, "nodes", c[k].nodes);
			cli_json_kv_uint(&j, "batch", c[k].batch);
			cli_json_kv_uint(&j, "stalled",
					 c[k].stalled ? (c[k].nodes - 1) / 2
						      : 0);
			_rc_bench_json_stats_or_null(&j, "commits_per_s",
						     &c[k].commits, c[k].cs);
			_rc_bench_json_stats_or_null(&j, "latency_p50_ns",
						     &c[k].p50, c[k].p50s);
			_rc_bench_json_stats_or_null(&j, "latency_p99_ns",
						     &c[k].p99, c[k].p99s);
			cli_json_kv_uint(&j, "timeouts", c[k].timeouts);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		cli_json_key(&j, "map");
		cli_json_arr(&j);
		for (unsigned k = 0; k < 4; k++) {
			cli_json_obj(&j);
			cli_json_kv_str(&j, "log", log_name[mc[k].log]);
			cli_json_kv_uint(&j, "nodes", 3);
			cli_json_kv_uint(&j, "stalled", mc[k].stalled);
			_rc_bench_json_stats_or_null(&j, "ops_per_s",
						     &mc[k].ops, mc[k].os);
			cli_json_kv_uint(&j, "timeouts", mc[k].timeouts);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		cli_json_key(&j, "baseline");
		cli_json_obj(&j);
		cli_json_kv_str(&j, "source",
				"1Paxos (Middleware 2014): under 1 us per "
				"message on a multicore; Mu (OSDI 2020, RDMA): "
				"1.3 us per replicated request");
		cli_json_kv_double(&j, "message_ns", 1000);
		cli_json_kv_double(&j, "mu_request_ns", 1300);
		cli_json_obj_end(&j);
		_rc_bench_json_end(&j);
	} else {
		printf("operation log: commits/s and append latency (medians "
		       "of %u samples of %g s; appends wait at most 20 ms)\n",
		       o.repeat, o.duration);
		printf("cpu: %s; load %.2f\n", _rc_bench_cpu_model(),
		       _rc_bench_load());
		printf("\n%-6s %5s %5s %8s %14s %10s %10s %9s\n", "log",
		       "nodes", "batch", "stalled", "commits/s", "p50 us",
		       "p99 us", "timeouts");
		for (unsigned k = 0; k < nc; k++)
			printf("%-6s %5u %5u %8u %14.0f %10.1f %10.1f %9llu\n",
			       log_name[c[k].log], c[k].nodes, c[k].batch,
			       c[k].stalled ? (c[k].nodes - 1) / 2 : 0,
			       c[k].commits.n ? c[k].commits.median : 0,
			       c[k].p50.n ? c[k].p50.median / 1e3 : 0,
			       c[k].p99.n ? c[k].p99.median / 1e3 : 0,
			       (unsigned long long)c[k].timeouts);
		printf("\nhash map over rc_rsm on %s, threads on nodes 0 and "
		       "2, half puts:\n%-6s %8s %14s %9s\n",
		       MAP_LAYOUT, "log", "stalled", "ops/s", "timeouts");
		for (unsigned k = 0; k < 4; k++)
			printf("%-6s %8u %14.0f %9llu\n", log_name[mc[k].log],
			       mc[k].stalled,
			       mc[k].ops.n ? mc[k].ops.median : 0,
			       (unsigned long long)mc[k].timeouts);
		printf("\npublished: 1Paxos under 1 us per message on a "
		       "multicore; Mu 1.3 us per replicated request (RDMA)\n");
	}
	if (o.plot) {
		struct rc_svg_series ser[NLOGS * NN * 2], lser[NLOGS * NN * 2];
		double x[NLOGS * NN * 2][NB], y[NLOGS * NN * 2][NB],
			ly[NLOGS * NN * 2][NB];
		char names[NLOGS * NN * 2][48], blabels[4][48];
		static const char *const legend[] = { "shm", "paxos" };
		struct rc_svg_bar bars[4];
		unsigned ns = 0;
		struct rc_svg *s;

		/* Six decades apart: the plots show log10 of the values. */
		for (unsigned k = 0; k < nc; k += NB, ns++) {
			snprintf(names[ns], sizeof names[ns], "%s %u%s",
				 log_name[c[k].log], c[k].nodes,
				 c[k].stalled ? " stalled" : "");
			for (unsigned b = 0; b < NB; b++) {
				x[ns][b] = c[k + b].batch;
				y[ns][b] = log10_or_0(
					c[k + b].commits.n
						? c[k + b].commits.median
						: 0);
				ly[ns][b] = log10_or_0(
					c[k + b].p99.n ? c[k + b].p99.median
						       : 0);
			}
			ser[ns] = (struct rc_svg_series){
				names[ns],
				NB,
				x[ns],
				y[ns],
				NULL,
				NULL,
				c[k].stalled,
				(unsigned)(c[k].log * NN + (c[k].nodes == 5))
			};
			lser[ns] = ser[ns];
			lser[ns].y = ly[ns];
		}
		for (unsigned k = 0; k < 4; k++) {
			snprintf(blabels[k], sizeof blabels[k], "%s, %s",
				 log_name[mc[k].log],
				 mc[k].stalled ? "node 1 stalled" : "all up");
			bars[k].label = blabels[k];
			bars[k].v =
				log10_or_0(mc[k].ops.n ? mc[k].ops.median : 0);
			bars[k].lo =
				log10_or_0(mc[k].ops.n ? mc[k].ops.p10 : 0);
			bars[k].hi =
				log10_or_0(mc[k].ops.n ? mc[k].ops.p90 : 0);
			bars[k].color = (unsigned)mc[k].log;
		}
		s = _rc_svg_open(o.plot, 1000, 1100,
				 "Operation log: Paxos beside shared memory",
				 "commits per second and p99 append latency "
				 "against batch size; dashed: a stalled "
				 "minority");
		if (!s) {
			perror(o.plot);
			failed = true;
		} else {
			_rc_svg_lines(
				s, 0, 60, 1000, 400, "batch (entries)",
				"log10 commits per second (6 = 1 million)", ser,
				ns);
			_rc_svg_lines(
				s, 0, 480, 1000, 400, "batch (entries)",
				"log10 p99 append latency in ns (3 = 1 us)",
				lser, ns);
			_rc_svg_bars(s, 0, 900, 1000, 180,
				     "hash map over rc_rsm, 3 nodes: log10 "
				     "operations per second (whiskers p10-p90)",
				     bars, 4, legend, 2);
			if (_rc_svg_close(s) < 0) {
				perror(o.plot);
				failed = true;
			}
		}
	}
	for (unsigned k = 0; k < nc; k++) {
		free(c[k].cs);
		free(c[k].p50s);
		free(c[k].p99s);
	}
	for (unsigned k = 0; k < 4; k++)
		free(mc[k].os);
	free(lat);
	rc_topo_close(mt);
	rc_topo_close(topo);
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
