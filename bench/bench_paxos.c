/* SPDX-License-Identifier: MIT */
/* bench_paxos.c: `replicore bench paxos`, commits per second and latency of the Paxos log beside the shared-memory log, by runner, batch size, node count and a stalled minority, and the read latency of a map over it. */
#include <math.h>
#include <pthread.h>
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
 * Both backends through the rc_log interface, driven by one appending
 * thread and no other thread of the benchmark. The appender (node 0's)
 * appends batches of B entries, each append returning once its entries
 * are ordered (the shared-memory log: reserved and written; the Paxos log:
 * chosen by a majority and delivered at node 0). The append's help
 * function, called while it waits, reads node 0's copy, and a drain after
 * each append reads every running node's copy: so the shared-memory log
 * never waits for room that only a reader can free, and on the Paxos log
 * a read that finds nothing runs the group's steps (rc_log_read under the
 * callers runner): idle nodes are driven by whoever waits on them.
 *
 * The Paxos log runs under each runner: callers (RC_PAXOS_RUN_CALLERS, no
 * thread of its own: the appender runs every node) and threads
 * (RC_PAXOS_RUN_THREADS, one pinned thread per node, parked when idle).
 * Its nodes sit on "numa:N core:1 pu:1" (N nodes, mapped onto the
 * machine's PUs) unless --synthetic or --xml names another layout.
 *
 * With a stalled minority, nodes N-1, N-2, ... ((N-1)/2 of them) stop:
 * nobody reads their copies and, for the Paxos log, rc_paxos_stall keeps
 * their steps from running. An append waits at most BOUND_NS; one that
 * runs out counts as a timeout and commits nothing. commits/s is entries
 * appended over the sample's wall time; latency is per append (per
 * batch): p50, p99 and p99.9 of the sample's appends, then the median of
 * each over the samples. lost: the Paxos group's messages dropped at a
 * full ring (rc_paxos_stats after rc_paxos_stop), summed over the samples.
 *
 * Beside them, the floor of a commit whose acceptors run on other cores:
 * an ACCEPT out and an ACCEPTED back, two one-way cache-line transfers,
 * taken as twice the chunk median of the plain store/load ping-pong
 * (_rc_bench_c2c_floor) between the PUs of nodes 0 and 1 of the 3-node
 * layout, for FLOOR_S just before the 3-node batch-1 callers row. And the
 * 1-minute load average at the start and the end of the run.
 *
 * Then the hash map of examples/rsm_map.h over rc_rsm on three NUMA nodes
 * ("numa:3 core:1 pu:1"), over each log: two threads, on nodes 0 and 2,
 * run gets and puts (half each) of random keys, with node 1 running and
 * with node 1 stalled (a thread of node 1 blocks inside apply, holding
 * node 1's combiner; with Paxos, rc_paxos_stall stops node 1's steps
 * too). Operations per second, the updates that ran out of their 20 ms
 * bound, and the ratio of the map over Paxos to the map over shared
 * memory with node 1 running. Reported, never asserted; on a shared
 * 2-core machine the numbers show the load.
 *
 * Last, linearizable reads of the same map over the Paxos log on
 * "numa:3 core:1 pu:1", under each runner: the sampling thread, at node
 * 1, runs gets of random keys back to back, each timed, catching up to
 * the log's tail (read from every node's count in shared memory; the
 * default) or to its read index (RC_RSM_READ_INDEX: rc_log_read_index,
 * a round in which the leader confirms with a majority that it still
 * leads), with no other thread of the benchmark or with a writer, a
 * thread of node 0 running puts back to back. Node 0 leads: it stands
 * first, and each sample puts at node 0 until every node names it (a
 * sample where it does not within 1 s fails). A read waits at most
 * BOUND_NS; one that runs out fails (-RC_ETIMEDOUT) and is counted, not
 * timed. A sample lasts duration seconds or MAXLAT reads, whichever ends
 * first: p50 and p99 of its reads, then the median of each over the
 * samples, with the reads per sample, the writer's puts per second and
 * the elections won by nodes 1 and 2 (a takeover changes what a read
 * costs) and the group's messages lost to a full ring (a lost request of
 * a read index is asked again only after the 50 ms retry, past the
 * read's bound). A timed read includes one reading of the clock. The 1-minute
 * load average before the first read row and after the last.
 */

#define SHM_CAPACITY 1024
#define BOUND_NS 20000000ull /* 20 ms */
#define MAXLAT (1u << 20)
#define FLOOR_S 0.1
#define MAP_TARGET 0.25 /* the map over Paxos against shm, node 1 running */

static const unsigned node_counts[] = { 3, 5 };
static const unsigned batches[] = { 1, 32 };
enum { LOG_SHM, LOG_PAXOS, NLOGS };
static const char *const log_name[] = { "shm", "paxos" };

/* The rows' kinds: a log and, for Paxos, its runner. */
enum { K_SHM, K_CALLERS, K_THREADS, NKINDS };
static const char *const kind_runner[] = { NULL, "callers", "threads" };

#define NN (sizeof node_counts / sizeof node_counts[0])
#define NB (sizeof batches / sizeof batches[0])
#define NCONF (NKINDS * NN * NB * 2)

/*
 * A Paxos log of n nodes on topo, run by runner, with the timers of
 * rc_log_paxos_create's defaults: 1 ms heartbeats, 20 ms election
 * timeouts, 50 ms retries; batches and windows of 64. Each sample's
 * warm-up waits for an election: with 50 ms timeouts the warm-ups took
 * 3.5 s of a 22 s run here.
 */
static int paxos_log(rc_log_t **log, unsigned n, const rc_topo_t *topo,
		     enum rc_paxos_runner runner, rc_err_t *err)
{
	struct rc_paxos_opts o;

	rc_log_paxos_defaults(&o);
	o.topo = topo;
	o.runner = runner;
	return rc_log_paxos_create(log, n, &o, err);
}

struct help_arg {
	rc_log_t *log;
	unsigned readers; /* nodes 0 .. readers-1 run; the rest stall */
};

/*
 * Reads every running node's copy to its end. The last read of each
 * finds nothing; on the Paxos log under the callers runner it then runs
 * that node's steps, and reads on if they delivered something.
 */
static void help_read(void *arg)
{
	struct help_arg *h = arg;
	struct rc_log_entry buf[64];
	uint64_t first;

	for (unsigned i = 0; i < h->readers; i++)
		while (rc_log_read(h->log, i, &first, buf, 64) > 0)
			;
}

/*
 * What an append's wait reads: the appending node's copy only, as rc_rsm
 * does for a log without a fixed capacity (an empty read of the Paxos log
 * under the callers runner runs the group once, so reading every copy on
 * each pass of the wait ran it once per node); the other copies are read
 * after the append, between two appends.
 */
static void help_own(void *arg)
{
	struct help_arg *h = arg;
	struct rc_log_entry buf[64];
	uint64_t first;

	while (rc_log_read(h->log, 0, &first, buf, 64) > 0)
		;
}

struct sample {
	double commits, p50_ns, p99_ns, p999_ns;
	uint64_t timeouts, lost;
};

/* log10 of v, 0 for v <= 1 (nothing measured plots at the axis). */
static double log10_or_0(double v)
{
	return v > 1 ? log10(v) : 0;
}

/*
 * One sample of one row: a fresh log of `nodes` nodes (kind: shm, or
 * Paxos under a runner, on topo), the stalled minority stalled, one
 * warm-up append (it waits for a leader; not measured), then appends of
 * `batch` entries for duration seconds.
 */
static bool run_sample(const rc_topo_t *topo, int kind, unsigned nodes,
		       unsigned batch, bool stalled, double duration,
		       uint64_t *lat, struct sample *out)
{
	struct rc_log_entry e[32];
	struct help_arg ha;
	uint64_t idx[32], t0, t_end, committed = 0, nlat = 0;
	unsigned nstall = stalled ? (nodes - 1) / 2 : 0;
	rc_log_t *log = NULL;
	rc_paxos_t *px = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	int rc;

	memset(out, 0, sizeof *out);
	if (kind == K_SHM)
		rc = rc_log_shm_create(&log, nodes, SHM_CAPACITY, &err);
	else
		rc = paxos_log(&log, nodes, topo,
			       kind == K_THREADS ? RC_PAXOS_RUN_THREADS
						 : RC_PAXOS_RUN_CALLERS,
			       &err);
	if (rc < 0) {
		rc_err_print(&err, stderr);
		return false;
	}
	px = rc_log_paxos_group(log);
	for (unsigned k = 0; px && k < nstall; k++)
		rc_paxos_stall(px, nodes - 1 - k, 3600000000000ull);
	for (unsigned i = 0; i < batch; i++) {
		e[i].op = i;
		e[i].arg = 0;
		e[i].tag = i;
	}
	ha.log = log;
	ha.readers = nodes - nstall;
	(void)rc_log_append(log, 0, e, 1, idx, 1000000000ull, help_read, &ha,
			    NULL);
	help_read(&ha);
	t0 = _rc_bench_now();
	t_end = t0 + (uint64_t)(duration * 1e9);
	for (uint64_t now = t0; now < t_end; now = _rc_bench_now()) {
		uint64_t a0 = now;

		rc = rc_log_append(log, 0, e, batch, idx, BOUND_NS, help_own,
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
	if (px) {
		for (unsigned k = 0; k < nstall; k++)
			rc_paxos_stall(px, nodes - 1 - k, 0);
		/* Stopping before the log's destroy keeps the counters. */
		rc_paxos_stop(px);
		for (unsigned i = 0; i < nodes; i++) {
			struct rc_paxos_node_stats st;

			rc_paxos_stats(px, i, &st);
			out->lost += st.lost;
		}
	}
	rc_log_destroy(log);
	if (nlat > 0) {
		/* Largest rank first: each selection leaves the smaller
		 * values in front for the next. */
		_rc_bench_select_k(lat, nlat, nlat * 999 / 1000);
		_rc_bench_select_k(lat, nlat * 999 / 1000 + 1, nlat * 99 / 100);
		_rc_bench_select_k(lat, nlat * 99 / 100 + 1, nlat / 2);
		out->p50_ns = (double)lat[nlat / 2];
		out->p99_ns = (double)lat[nlat * 99 / 100];
		out->p999_ns = (double)lat[nlat * 999 / 1000];
	} else {
		out->p50_ns = out->p99_ns = out->p999_ns = NAN;
	}
	return true;
}

/* The floor beside the run (see the top comment). */
struct floor_res {
	int rc;		 /* of _rc_bench_c2c_floor; 1: not measured yet */
	unsigned pu[2];	 /* layout PUs of nodes 0 and 1 */
	unsigned cpu[2]; /* their real CPUs */
	double min_ns, median_ns; /* one way, over the chunks */
};

static void measure_floor(const rc_topo_t *topo, struct floor_res *f)
{
	unsigned pus[3];
	struct rc_topo_pu pu;

	rc_topo_spread(topo, 3, pus);
	for (unsigned i = 0; i < 2; i++) {
		f->pu[i] = pus[i];
		f->cpu[i] = rc_topo_pu(topo, pus[i], &pu) == 0
				    ? pu.real_os_index
				    : 0;
	}
	f->rc = _rc_bench_c2c_floor(topo, pus[0], pus[1], FLOOR_S, &f->min_ns,
				    &f->median_ns);
}

/* Why the floor was not measured, in words. */
static void floor_why(const struct floor_res *f, char *buf, size_t len)
{
	if (f->rc == 1)
		snprintf(buf, len, "the 3-node callers row did not run");
	else if (f->pu[0] == f->pu[1])
		snprintf(buf, len, "nodes 0 and 1 share layout PU %u",
			 f->pu[0]);
	else if (f->cpu[0] == f->cpu[1])
		snprintf(buf, len,
			 "nodes 0 and 1 (layout PUs %u and %u) run on one real "
			 "CPU, %u",
			 f->pu[0], f->pu[1], f->cpu[0]);
	else
		snprintf(buf, len, "%s", rc_strerror(-f->rc));
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
	bool puts; /* puts only (the reads' writer); else half gets */
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
		code = w->puts || (w->x & 1) ? MAP_PUT : MAP_GET;
		if (rc_rsm_execute_flags(w->h, MAP_OP(code, key), w->x | 1, 0,
					 &r) < 0)
			w->timeouts++;
		else
			w->ops++;
	}
	return NULL;
}

bool _rc_bench_paxos_map_sample(const rc_topo_t *mt, bool paxos, bool stalled,
				double duration, double *ops,
				uint64_t *timeouts, double *per_slot)
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
		if (paxos_log(&log, 3, mt, RC_PAXOS_RUN_CALLERS, &err) < 0) {
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
			/* A worker still inside rc_rsm runs the group's
			 * steps it waits for itself (rc_log_read). */
			pthread_join(th[i], NULL);
			*ops += (double)w[i].ops;
			*timeouts += w[i].timeouts;
		}
	t1 = _rc_bench_now();
	pthread_cond_destroy(&gate.c);
	pthread_mutex_destroy(&gate.m);
	*ops /= (double)(t1 - t0) / 1e9;
	map_stall_end(&stall);
	if (per_slot)
		*per_slot = NAN;
	if (per_slot && log) {
		/* Commands per slot delivered at node 0 over the sample and
		 * its warm-up: how much the leader could batch. */
		struct rc_paxos_node_stats st;

		rc_paxos_stop(rc_log_paxos_group(log));
		rc_paxos_stats(rc_log_paxos_group(log), 0, &st);
		if (st.delivered > 0)
			*per_slot = (double)st.commands / (double)st.delivered;
	}
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
	double per_slot; /* Paxos: median commands per slot at node 0 */
};

/* ---- linearizable reads of the hash map at node 1 ---- */

#define READ_LEAD_NS 1000000000ull /* 1 s of puts for node 0 to lead */

enum { RM_TAIL, RM_INDEX, NRMODES };
static const char *const rmode_name[] = { "tail", "index" };
#define NREADS (2 * 2 * NRMODES) /* runner x writer x read mode */

struct read_sample {
	double reads, p50_ns, p99_ns, puts_per_s;
	uint64_t failed, takeovers, lost;
};

/* The leader every node of the 3-node group px names, or -1 when they do
 * not all name the same. */
static int common_leader(const rc_paxos_t *px)
{
	unsigned l = rc_paxos_leader(px, 0);

	for (unsigned i = 1; i < 3; i++)
		if (rc_paxos_leader(px, i) != l)
			return -1;
	return (int)l;
}

/*
 * One sample of a read row (see the top comment): the map over a fresh
 * 3-node Paxos log on mt under runner; puts at node 0 until every node
 * names node 0 the leader (at most READ_LEAD_NS); one read at node 1 in
 * the row's mode, not timed; with writer, a thread of node 0 putting back
 * to back; then reads at node 1, each timed, for duration seconds or
 * MAXLAT reads, whichever comes first. Returns false when something
 * could not be made, node 0 did not lead or a read failed otherwise than
 * by running out of its bound. Blocking; one sample at a time (one
 * static stop flag).
 */
static bool read_sample(const rc_topo_t *mt, enum rc_paxos_runner runner,
			bool index, bool writer, double duration, uint64_t *lat,
			struct read_sample *out)
{
	static _Alignas(RC_BENCH_LINE) _Atomic bool stop;
	struct rc_rsm_options ro = RC_RSM_OPTIONS_INITIALIZER;
	unsigned flags = index ? RC_RSM_READ_INDEX : 0;
	rc_rsm_handle_t *h[2] = { NULL, NULL };
	struct park_gate gate;
	struct map_worker w;
	pthread_t th;
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t t0, t_end, now, nlat = 0, x = 0x2545f4914f6cdd1dull, r;
	bool ok = true, started = false;
	rc_log_t *log = NULL;
	rc_rsm_t *rsm = NULL;
	rc_paxos_t *px;
	int leader = -1, rc;

	memset(out, 0, sizeof *out);
	out->p50_ns = out->p99_ns = out->puts_per_s = NAN;
	if (paxos_log(&log, 3, mt, runner, &err) < 0) {
		rc_err_print(&err, stderr);
		return false;
	}
	px = rc_log_paxos_group(log);
	ro.log = log;
	ro.timeout_ns = BOUND_NS;
	if (rc_rsm_create(&rsm, &map_ops, NULL, mt, &ro, &err) < 0) {
		rc_err_print(&err, stderr);
		rc_log_destroy(log);
		return false;
	}
	for (unsigned i = 0; i < 2; i++)
		if (rc_rsm_register(rsm, i, 0, &h[i], &err) < 0) {
			rc_err_print(&err, stderr);
			ok = false;
		}
	/* The first put waits for an election; node 0 stands first. */
	t0 = _rc_bench_now();
	while (ok && leader != 0 && _rc_bench_now() - t0 < READ_LEAD_NS) {
		(void)rc_rsm_execute(h[0], MAP_OP(MAP_PUT, 1), 1, &r);
		leader = common_leader(px);
	}
	if (ok && leader != 0) {
		fprintf(stderr,
			"replicore bench paxos: node 0 did not lead within "
			"1 s (the nodes name %d)\n",
			leader);
		ok = false;
	}
	if (ok)
		(void)rc_rsm_execute_flags(h[1], MAP_OP(MAP_GET, 1), 0, flags,
					   &r);
	memset(&w, 0, sizeof w);
	/* relaxed: the stop flag carries no data; the join orders */
	atomic_store_explicit(&stop, false, memory_order_relaxed);
	pthread_mutex_init(&gate.m, NULL);
	pthread_cond_init(&gate.c, NULL);
	gate.arrived = 0;
	gate.n = 2;
	if (ok && writer) {
		w.h = h[0];
		w.stop = &stop;
		w.gate = &gate;
		w.x = 0x9e3779b97f4a7c15ull;
		w.puts = true;
		/* pthread_create orders this thread's use of h[0] above
		 * before the writer's. */
		started = pthread_create(&th, NULL, map_work, &w) == 0;
		ok = started;
		if (ok)
			park_gate_wait(&gate);
	}
	t0 = _rc_bench_now();
	t_end = t0 + (uint64_t)(duration * 1e9);
	for (now = t0; ok && now < t_end && nlat < MAXLAT;) {
		uint64_t a0 = now;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		rc = rc_rsm_execute_flags(
			h[1], MAP_OP(MAP_GET, 1 + (x >> 20) % MAP_KEYS), 0,
			flags, &r);
		now = _rc_bench_now();
		if (rc == -RC_ETIMEDOUT) {
			out->failed++;
		} else if (rc < 0) {
			fprintf(stderr,
				"replicore bench paxos: a read at node 1: %s\n",
				rc_strerror(-rc));
			ok = false;
		} else {
			lat[nlat++] = now - a0;
		}
	}
	/* relaxed: the join orders the writer's count */
	atomic_store_explicit(&stop, true, memory_order_relaxed);
	if (started) {
		pthread_join(th, NULL);
		out->puts_per_s =
			(double)w.ops / ((double)(_rc_bench_now() - t0) / 1e9);
	}
	pthread_cond_destroy(&gate.c);
	pthread_mutex_destroy(&gate.m);
	out->reads = (double)(nlat + out->failed);
	rc_paxos_stop(px);
	for (unsigned i = 0; i < 3; i++) {
		struct rc_paxos_node_stats st;

		rc_paxos_stats(px, i, &st);
		if (i > 0)
			out->takeovers += st.leaderships;
		out->lost += st.lost;
	}
	for (unsigned i = 0; i < 2; i++)
		if (h[i])
			rc_rsm_unregister(h[i]);
	rc_rsm_destroy(rsm);
	rc_log_destroy(log);
	if (nlat > 0) {
		_rc_bench_select_k(lat, nlat, nlat * 99 / 100);
		_rc_bench_select_k(lat, nlat * 99 / 100 + 1, nlat / 2);
		out->p50_ns = (double)lat[nlat / 2];
		out->p99_ns = (double)lat[nlat * 99 / 100];
	}
	return ok;
}

struct read_conf {
	int kind; /* K_CALLERS, K_THREADS */
	int mode; /* RM_TAIL, RM_INDEX */
	bool writer;
	struct rc_bench_stats reads, p50, p99, puts;
	double *rs, *p50s, *p99s, *ps;
	uint64_t failed, takeovers, lost;
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
	"    One thread appends batches of 1 and 32 entries at node 0 of an "
	"operation\n"
	"    log of 3 and 5 nodes, each append returning once its entries are "
	"ordered,\n"
	"    and reads node 0's copy of the log while it waits and every "
	"running\n"
	"    node's after each append; no other thread of the benchmark runs. "
	"The "
	"logs:\n"
	"    the shared-memory log (1024 entries) and the Paxos log (rc_paxos "
	"on\n"
	"    \"numa:N core:1 pu:1\", mapped onto the machine's PUs) under each "
	"runner:\n"
	"    callers (the appending thread runs every node's steps) and "
	"threads (one\n"
	"    pinned thread per node). Each with every node running and with a "
	"stalled\n"
	"    minority (the last (N-1)/2 nodes are not read and, with Paxos, "
	"take no\n"
	"    part). An append waits at most 20 ms. Reports commits (entries) "
	"per\n"
	"    second, append latency p50, p99 and p99.9 in microseconds, the "
	"appends\n"
	"    that timed out and the Paxos messages lost to a full ring: "
	"medians of N\n"
	"    samples of S seconds. Beside them: the store/load ping-pong floor "
	"between\n"
	"    the PUs of nodes 0 and 1 (two one-way transfers, 0.1 s) with the "
	"3-node\n"
	"    batch-1 callers p50 over it, and the 1-minute load average at the "
	"start\n"
	"    and the end. Then the hash map of examples/rsm_map.h over rc_rsm "
	"on\n"
	"    \"numa:3 core:1 pu:1\", over each log: threads on nodes 0 and 2 "
	"(half puts),\n"
	"    with node 1 up and with node 1 stalled (blocked in apply; with "
	"Paxos its\n"
	"    steps stop too): operations per second, updates that timed out, "
	"the\n"
	"    commands per Paxos slot delivered at node 0 (how much the leader "
	"could\n"
	"    batch), and the map over Paxos against the map over shared "
	"memory with\n"
	"    node 1 up. Last, linearizable reads of that map at node 1 of a "
	"3-node\n"
	"    Paxos log led by node 0, under each runner: gets back to back, "
	"each\n"
	"    catching up to the log's tail (shared memory, the default) or to "
	"its\n"
	"    read index (RC_RSM_READ_INDEX, a round to a majority), with no "
	"other\n"
	"    thread or with a thread of node 0 putting back to back: reads "
	"per\n"
	"    sample (S seconds or 1048576 reads), read latency p50 and p99 "
	"in\n"
	"    microseconds, reads that failed after their 20 ms bound, the "
	"writer's\n"
	"    puts per second, elections won by nodes 1 and 2, Paxos messages "
	"lost,\n"
	"    and the load average before and after the reads.\n"
	"    Measured, never asserted.\n"
	"\n"
	"OPTIONS\n"
	"    --json            one JSON object (schema replicore-bench/1, see\n"
	"                      replicore-bench(1)) instead of the table\n"
	"    --plot FILE.svg   commits/s and p99 latency against batch size, "
	"and the\n"
	"                      map's operations per second\n"
	"    --duration S      seconds per sample (default 0.2)\n"
	"    --repeat N        samples per measurement (default 3)\n"
	"    --synthetic SPEC  the Paxos nodes' layout for both node counts "
	"(default\n"
	"                      \"numa:3 core:1 pu:1\" and \"numa:5 core:1 "
	"pu:1\")\n" RC_BENCH_HELP_XML "\n"
	"EXIT STATUS\n"
	"    0 on success, 1 when a log could not be created, 2 on a bad "
	"option.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore bench paxos --duration 0.1 --json --plot paxos.svg\n";

struct conf {
	int kind; /* K_SHM, K_CALLERS, K_THREADS */
	unsigned nodes, batch;
	bool stalled;
	struct rc_bench_stats commits, p50, p99, p999;
	double *cs, *p50s, *p99s, *p999s;
	uint64_t timeouts, lost;
};

static const char *conf_log(const struct conf *c)
{
	return log_name[c->kind == K_SHM ? LOG_SHM : LOG_PAXOS];
}

/* The median of s, or NAN when it has no sample. */
static double med(const struct rc_bench_stats *s)
{
	return s->n ? s->median : NAN;
}

/* Prints v / 1000 with prec decimals in a column of width w, or "-" when v
 * is not finite. */
static void print_us(double v, int w, int prec)
{
	if (isfinite(v))
		printf(" %*.*f", w, prec, v / 1e3);
	else
		printf(" %*s", w, "-");
}

/* "%.2f" of v, or "-" when v is not finite (a missing load). */
static const char *fmt2(double v, char *buf, size_t len)
{
	if (isfinite(v))
		snprintf(buf, len, "%.2f", v);
	else
		snprintf(buf, len, "-");
	return buf;
}

static double load_or_nan(void)
{
	double l = _rc_bench_load();

	return l >= 0 ? l : NAN;
}

int bench_paxos(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "paxos",
				   .duration = 0.2,
				   .repeat = 3,
				   .warmup = "one append before each sample, "
					     "not measured (it waits for a "
					     "leader)" };
	struct conf c[NCONF];
	struct map_conf mc[4];
	struct read_conf rd[NREADS];
	double *ps = NULL; /* a map configuration's commands per slot */
	struct floor_res fl = { .rc = 1 };
	rc_topo_t *mt = NULL, *own[NN] = { NULL };
	const rc_topo_t *lt[NN];
	rc_err_t err = RC_ERR_INITIALIZER;
	double load_start, load_end, floor_ns = NAN, ratio = NAN, head_p50;
	double map_ratio = NAN, rload_start = NAN, rload_end = NAN;
	uint64_t *lat;
	unsigned nc = 0, head = NCONF;
	bool failed = false;
	char why[160] = "", l0[16], l1[16];
	rc_topo_t *topo;
	int rc;

	rc = _rc_bench_start(&o, argc, argv, paxos_help, &topo);
	if (rc >= 0)
		return rc;
	load_start = load_or_nan();
	for (unsigned n = 0; n < NN; n++) {
		char spec[64];

		lt[n] = topo;
		if (o.synthetic || o.xml)
			continue;
		snprintf(spec, sizeof spec, "numa:%u core:1 pu:1",
			 node_counts[n]);
		if (rc_topo_open(&own[n], spec, NULL, &err) < 0) {
			rc_err_print(&err, stderr);
			for (unsigned k = 0; k < n; k++)
				rc_topo_close(own[k]);
			rc_topo_close(topo);
			return CLI_EXIT_FOUND;
		}
		lt[n] = own[n];
	}
	lat = malloc(MAXLAT * sizeof *lat);
	if (!lat) {
		for (unsigned n = 0; n < NN; n++)
			rc_topo_close(own[n]);
		rc_topo_close(topo);
		return CLI_EXIT_FOUND;
	}
	memset(c, 0, sizeof c);
	for (int kd = 0; kd < NKINDS; kd++)
		for (unsigned s = 0; s < 2; s++)
			for (unsigned n = 0; n < NN; n++)
				for (unsigned b = 0; b < NB; b++) {
					if (kd == K_CALLERS && !s && !n && !b)
						head = nc;
					c[nc].kind = kd;
					c[nc].nodes = node_counts[n];
					c[nc].batch = batches[b];
					c[nc].stalled = s;
					nc++;
				}
	for (unsigned k = 0; k < nc; k++) {
		struct conf *x = &c[k];
		const rc_topo_t *t = lt[x->nodes == node_counts[0] ? 0 : 1];
		unsigned got = 0;
		struct sample sm;

		x->cs = calloc(o.repeat, sizeof(double));
		x->p50s = calloc(o.repeat, sizeof(double));
		x->p99s = calloc(o.repeat, sizeof(double));
		x->p999s = calloc(o.repeat, sizeof(double));
		if (!x->cs || !x->p50s || !x->p99s || !x->p999s) {
			failed = true;
			break;
		}
		if (k == head) {
			_rc_bench_progress(&o, "the store/load floor");
			measure_floor(t, &fl);
		}
		_rc_bench_progress(&o, "%s%s%s, %u nodes, batch %u%s",
				   conf_log(x), x->kind == K_SHM ? "" : " ",
				   x->kind == K_SHM ? "" : kind_runner[x->kind],
				   x->nodes, x->batch,
				   x->stalled ? ", stalled minority" : "");
		for (unsigned s = 0; s < o.repeat; s++) {
			if (!run_sample(t, x->kind, x->nodes, x->batch,
					x->stalled, o.duration, lat, &sm)) {
				failed = true;
				continue;
			}
			x->timeouts += sm.timeouts;
			x->lost += sm.lost;
			x->cs[got] = sm.commits;
			x->p50s[got] = isfinite(sm.p50_ns) ? sm.p50_ns : 0;
			x->p99s[got] = isfinite(sm.p99_ns) ? sm.p99_ns : 0;
			x->p999s[got] = isfinite(sm.p999_ns) ? sm.p999_ns : 0;
			got++;
		}
		if (got) {
			_rc_bench_stats(x->cs, got, &x->commits);
			_rc_bench_stats(x->p50s, got, &x->p50);
			_rc_bench_stats(x->p99s, got, &x->p99);
			_rc_bench_stats(x->p999s, got, &x->p999);
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
		free(ps);
		ps = calloc(o.repeat, sizeof(double));
		if (!x->os || !ps) {
			failed = true;
			break;
		}
		_rc_bench_progress(&o, "hash map over %s%s", log_name[x->log],
				   x->stalled ? ", node 1 stalled" : "");
		x->per_slot = NAN;
		for (unsigned s = 0; s < o.repeat; s++) {
			uint64_t to;

			if (!_rc_bench_paxos_map_sample(
				    mt, x->log == LOG_PAXOS, x->stalled,
				    o.duration, &x->os[got], &to, &ps[got])) {
				failed = true;
				continue;
			}
			x->timeouts += to;
			got++;
		}
		if (got) {
			struct rc_bench_stats st;

			_rc_bench_stats(x->os, got, &x->ops);
			if (x->log == LOG_PAXOS) {
				_rc_bench_stats(ps, got, &st);
				x->per_slot = st.median;
			}
		}
	}
	free(ps);
	memset(rd, 0, sizeof rd);
	rload_start = load_or_nan();
	for (unsigned k = 0; mt && k < NREADS; k++) {
		struct read_conf *x = &rd[k];
		unsigned got = 0, gotl = 0;

		x->kind = k < NREADS / 2 ? K_CALLERS : K_THREADS;
		x->writer = k / NRMODES % 2;
		x->mode = (int)(k % NRMODES);
		x->rs = calloc(o.repeat, sizeof(double));
		x->p50s = calloc(o.repeat, sizeof(double));
		x->p99s = calloc(o.repeat, sizeof(double));
		x->ps = calloc(o.repeat, sizeof(double));
		if (!x->rs || !x->p50s || !x->p99s || !x->ps) {
			failed = true;
			break;
		}
		_rc_bench_progress(&o, "reads by the %s at node 1, paxos %s%s",
				   rmode_name[x->mode], kind_runner[x->kind],
				   x->writer ? ", a writer at node 0" : "");
		for (unsigned s = 0; s < o.repeat; s++) {
			struct read_sample rs;

			if (!read_sample(mt,
					 x->kind == K_THREADS
						 ? RC_PAXOS_RUN_THREADS
						 : RC_PAXOS_RUN_CALLERS,
					 x->mode == RM_INDEX, x->writer,
					 o.duration, lat, &rs)) {
				failed = true;
				continue;
			}
			x->failed += rs.failed;
			x->takeovers += rs.takeovers;
			x->lost += rs.lost;
			x->rs[got] = rs.reads;
			x->ps[got] = rs.puts_per_s;
			got++;
			if (isfinite(rs.p50_ns)) {
				x->p50s[gotl] = rs.p50_ns;
				x->p99s[gotl] = rs.p99_ns;
				gotl++;
			}
		}
		if (got) {
			_rc_bench_stats(x->rs, got, &x->reads);
			if (x->writer)
				_rc_bench_stats(x->ps, got, &x->puts);
		}
		if (gotl) {
			_rc_bench_stats(x->p50s, gotl, &x->p50);
			_rc_bench_stats(x->p99s, gotl, &x->p99);
		}
	}
	rload_end = load_or_nan();
	_rc_bench_progress(&o, NULL);
	load_end = load_or_nan();
	head_p50 = head < nc ? med(&c[head].p50) : NAN;
	if (fl.rc == 0) {
		floor_ns = 2 * fl.median_ns;
		if (isfinite(head_p50) && head_p50 > 0)
			ratio = head_p50 / floor_ns;
	} else {
		floor_why(&fl, why, sizeof why);
	}
	if (mc[0].ops.n && mc[2].ops.n && mc[0].ops.median > 0)
		map_ratio = mc[2].ops.median / mc[0].ops.median;
	if (o.json) {
		struct cli_json j;

		_rc_bench_json_begin(&j, &o, lt[0], "ns");
		_rc_bench_json_num(&j, "load_start", load_start);
		_rc_bench_json_num(&j, "load_end", load_end);
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		for (unsigned k = 0; k < nc; k++) {
			const rc_topo_t *t =
				lt[c[k].nodes == node_counts[0] ? 0 : 1];

			cli_json_obj(&j);
			cli_json_kv_str(&j, "log", conf_log(&c[k]));
			cli_json_key(&j, "runner");
			if (c[k].kind == K_SHM)
				cli_json_null(&j);
			else
				cli_json_str(&j, kind_runner[c[k].kind]);
			cli_json_key(&j, "layout");
			if (c[k].kind == K_SHM)
				cli_json_null(&j);
			else
				cli_json_str(&j, rc_topo_source(t));
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
			_rc_bench_json_stats_or_null(&j, "latency_p999_ns",
						     &c[k].p999, c[k].p999s);
			cli_json_kv_uint(&j, "timeouts", c[k].timeouts);
			cli_json_key(&j, "lost");
			if (c[k].kind == K_SHM)
				cli_json_null(&j);
			else
				cli_json_uint(&j, c[k].lost);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		cli_json_key(&j, "paxos_floor");
		cli_json_obj(&j);
		cli_json_kv_str(&j, "what",
				"the store/load ping-pong between the PUs of "
				"nodes 0 and 1 of the 3-node layout, in chunks "
				"of 1024 round trips, just before the 3-node "
				"batch-1 callers row; floor_ns is two one-way "
				"transfers (twice the chunk median), ratio "
				"that row's p50 over floor_ns");
		cli_json_kv_str(&j, "layout", rc_topo_source(lt[0]));
		cli_json_kv_uint(&j, "pu_a", fl.pu[0]);
		cli_json_kv_uint(&j, "pu_b", fl.pu[1]);
		cli_json_kv_uint(&j, "real_cpu_a", fl.cpu[0]);
		cli_json_kv_uint(&j, "real_cpu_b", fl.cpu[1]);
		cli_json_kv_double(&j, "duration_s", FLOOR_S);
		_rc_bench_json_num(&j, "chunk_min_ns",
				   fl.rc == 0 ? fl.min_ns : NAN);
		_rc_bench_json_num(&j, "chunk_median_ns",
				   fl.rc == 0 ? fl.median_ns : NAN);
		_rc_bench_json_num(&j, "floor_ns", floor_ns);
		_rc_bench_json_num(&j, "p50_ns", head_p50);
		_rc_bench_json_num(&j, "ratio", ratio);
		cli_json_key(&j, "not_measured");
		if (fl.rc == 0)
			cli_json_null(&j);
		else
			cli_json_str(&j, why);
		cli_json_obj_end(&j);
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
			_rc_bench_json_num(&j, "commands_per_slot",
					   mc[k].per_slot);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		cli_json_key(&j, "map_ratio");
		cli_json_obj(&j);
		_rc_bench_json_num(&j, "shm_ops_per_s", med(&mc[0].ops));
		_rc_bench_json_num(&j, "paxos_ops_per_s", med(&mc[2].ops));
		_rc_bench_json_num(&j, "paxos_vs_shm", map_ratio);
		cli_json_kv_double(&j, "paxos_vs_shm_target", MAP_TARGET);
		cli_json_obj_end(&j);
		cli_json_key(&j, "reads");
		cli_json_obj(&j);
		cli_json_kv_str(&j, "what",
				"linearizable gets of random keys of the hash "
				"map over rc_rsm at node 1 of a 3-node Paxos "
				"log led by node 0, back to back, each timed; "
				"catching up to the log's tail or to its read "
				"index; with or without a thread of node 0 "
				"putting back to back");
		cli_json_kv_str(&j, "layout", MAP_LAYOUT);
		cli_json_kv_uint(&j, "reader_node", 1);
		cli_json_kv_uint(&j, "leader_node", 0);
		_rc_bench_json_num(&j, "load_start", rload_start);
		_rc_bench_json_num(&j, "load_end", rload_end);
		cli_json_key(&j, "rows");
		cli_json_arr(&j);
		for (unsigned k = 0; k < NREADS; k++) {
			const struct read_conf *x = &rd[k];

			cli_json_obj(&j);
			cli_json_kv_str(&j, "runner", kind_runner[x->kind]);
			cli_json_kv_str(&j, "read_mode", rmode_name[x->mode]);
			cli_json_kv_bool(&j, "writer", x->writer);
			_rc_bench_json_stats_or_null(&j, "reads_per_sample",
						     &x->reads, x->rs);
			_rc_bench_json_stats_or_null(&j, "latency_p50_ns",
						     &x->p50, x->p50s);
			_rc_bench_json_stats_or_null(&j, "latency_p99_ns",
						     &x->p99, x->p99s);
			cli_json_kv_uint(&j, "failed", x->failed);
			_rc_bench_json_stats_or_null(&j, "writer_puts_per_s",
						     &x->puts, x->ps);
			cli_json_kv_uint(&j, "takeovers", x->takeovers);
			cli_json_kv_uint(&j, "lost", x->lost);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		cli_json_obj_end(&j);
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
		printf("one appending thread at node 0, reading node 0's copy "
		       "while it waits and every running node's after; Paxos "
		       "nodes on %s, %s\n",
		       rc_topo_source(lt[0]), rc_topo_source(lt[1]));
		printf("cpu: %s; load %s -> %s (1-minute average at the start "
		       "and the end)\n",
		       _rc_bench_cpu_model(), fmt2(load_start, l0, sizeof l0),
		       fmt2(load_end, l1, sizeof l1));
		printf("\n%-6s %-8s %5s %5s %7s %12s %8s %8s %9s %8s %6s\n",
		       "log", "runner", "nodes", "batch", "stalled",
		       "commits/s", "p50 us", "p99 us", "p99.9 us", "timeouts",
		       "lost");
		for (unsigned k = 0; k < nc; k++) {
			printf("%-6s %-8s %5u %5u %7u %12.0f", conf_log(&c[k]),
			       c[k].kind == K_SHM ? "-"
						  : kind_runner[c[k].kind],
			       c[k].nodes, c[k].batch,
			       c[k].stalled ? (c[k].nodes - 1) / 2 : 0,
			       c[k].commits.n ? c[k].commits.median : 0);
			print_us(med(&c[k].p50), 8, 1);
			print_us(med(&c[k].p99), 8, 1);
			print_us(med(&c[k].p999), 9, 1);
			printf(" %8llu", (unsigned long long)c[k].timeouts);
			if (c[k].kind == K_SHM)
				printf(" %6s\n", "-");
			else
				printf(" %6llu\n",
				       (unsigned long long)c[k].lost);
		}
		if (fl.rc == 0 && isfinite(ratio))
			printf("\nfloor: two one-way transfers = %.0f ns "
			       "(chunk "
			       "median), p50 / floor = %.2f\n",
			       floor_ns, ratio);
		else if (fl.rc == 0)
			printf("\nfloor: two one-way transfers = %.0f ns "
			       "(chunk "
			       "median); no p50 to compare\n",
			       floor_ns);
		else
			printf("\nfloor: not measured (%s); no ratio\n", why);
		if (fl.rc == 0)
			printf("  (store/load ping-pong between layout PUs %u "
			       "and %u, real CPUs %u and %u, %g s; chunk "
			       "minimum %.0f ns one way; p50: paxos callers, 3 "
			       "nodes, batch 1)\n",
			       fl.pu[0], fl.pu[1], fl.cpu[0], fl.cpu[1],
			       FLOOR_S, fl.min_ns);
		printf("\nhash map over rc_rsm on %s, threads on nodes 0 and "
		       "2, half puts:\n%-6s %8s %14s %9s %10s\n",
		       MAP_LAYOUT, "log", "stalled", "ops/s", "timeouts",
		       "cmds/slot");
		for (unsigned k = 0; k < 4; k++) {
			printf("%-6s %8u %14.0f %9llu", log_name[mc[k].log],
			       mc[k].stalled,
			       mc[k].ops.n ? mc[k].ops.median : 0,
			       (unsigned long long)mc[k].timeouts);
			if (isfinite(mc[k].per_slot))
				printf(" %10.2f\n", mc[k].per_slot);
			else
				printf(" %10s\n", "-");
		}
		if (isfinite(map_ratio))
			printf("paxos / shm with node 1 running: %.2f (target "
			       ">= %.2f)\n",
			       map_ratio, MAP_TARGET);
		else
			printf("paxos / shm with node 1 running: not measured "
			       "(target >= %.2f)\n",
			       MAP_TARGET);
		printf("\nlinearizable reads of the hash map at node 1, "
		       "Paxos on %s led by node 0, gets back to back (medians "
		       "of %u samples of %g s; a read waits at most 20 ms)\n"
		       "load %s -> %s (1-minute average at the start and the "
		       "end of the reads)\n%-8s %-5s %6s %12s %9s %9s %7s "
		       "%10s %9s %8s\n",
		       MAP_LAYOUT, o.repeat, o.duration,
		       fmt2(rload_start, l0, sizeof l0),
		       fmt2(rload_end, l1, sizeof l1), "runner", "read",
		       "writer", "reads/sample", "p50 us", "p99 us", "failed",
		       "puts/s", "takeovers", "lost");
		for (unsigned k = 0; k < NREADS; k++) {
			const struct read_conf *x = &rd[k];

			printf("%-8s %-5s %6s %12.0f", kind_runner[x->kind],
			       rmode_name[x->mode], x->writer ? "yes" : "no",
			       x->reads.n ? x->reads.median : 0);
			print_us(med(&x->p50), 9, 2);
			print_us(med(&x->p99), 9, 2);
			printf(" %7llu", (unsigned long long)x->failed);
			if (x->writer && x->puts.n)
				printf(" %10.0f", x->puts.median);
			else
				printf(" %10s", "-");
			printf(" %9llu %8llu\n",
			       (unsigned long long)x->takeovers,
			       (unsigned long long)x->lost);
		}
		printf("\npublished: 1Paxos under 1 us per message on a "
		       "multicore; Mu 1.3 us per replicated request (RDMA)\n");
	}
	if (o.plot) {
		enum { NSER = NKINDS * NN * 2 };
		struct rc_svg_series ser[NSER], lser[NSER];
		double x[NSER][NB], y[NSER][NB], ly[NSER][NB];
		char names[NSER][48], blabels[4][48];
		static const char *const legend[] = { "shm", "paxos" };
		struct rc_svg_bar bars[4];
		unsigned ns = 0;
		struct rc_svg *s;

		/* Six decades apart: the plots show log10 of the values. */
		for (unsigned k = 0; k < nc; k += NB, ns++) {
			snprintf(names[ns], sizeof names[ns], "%s%s%s %u%s",
				 conf_log(&c[k]), c[k].kind == K_SHM ? "" : "/",
				 c[k].kind == K_SHM ? ""
						    : kind_runner[c[k].kind],
				 c[k].nodes, c[k].stalled ? " stalled" : "");
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
				(unsigned)(c[k].kind * NN + (c[k].nodes != node_counts[0]))
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
		free(c[k].p999s);
	}
	for (unsigned k = 0; k < 4; k++)
		free(mc[k].os);
	for (unsigned k = 0; k < NREADS; k++) {
		free(rd[k].rs);
		free(rd[k].p50s);
		free(rd[k].p99s);
		free(rd[k].ps);
	}
	free(lat);
	rc_topo_close(mt);
	for (unsigned n = 0; n < NN; n++)
		rc_topo_close(own[n]);
	rc_topo_close(topo);
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
