/* SPDX-License-Identifier: MIT */
/* demo_consensus.c: the demo's consensus part: the replicated hash map keeps committing over the Paxos log with one node of three stalled, and blocks over the shared-memory log; a node crashes and restarts while clients run, and what they saw is checked linearizable. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/topo.h>

#include "bench/bench.h"
#include "tools/demo.h"
#include "tools/torture.h"

/*
 * The measurement is bench paxos's hash-map sample
 * (_rc_bench_paxos_map_sample, bench/bench_paxos.c): three nodes on LAYOUT
 * mapped onto the machine's PUs; threads of nodes 0 and 2 run gets and
 * puts of random keys; node 1 either runs or is stalled (a thread of node
 * 1 blocks inside apply holding node 1's combiner; with Paxos,
 * rc_paxos_stall stops node 1's Paxos steps too). Over the shared-memory
 * log every node must consume the log before it can be reused, so the
 * stalled node blocks the others once the log is full: their updates run
 * out of the 20 ms bound (timeouts). Over the Paxos log a majority of two
 * keeps choosing.
 * Commits per second are measured in the run, never printed from a
 * constant; the part fails when the Paxos log did not keep serving.
 *
 * Then a crash and a restart: replicore torture's run (tools/torture.c)
 * with the same map over the Paxos log on LAYOUT, clients on every PU
 * (up to three), for RESTART_MS, one fault: restart, drawn from seed
 * RESTART_SEED, which takes node 1 (a client's) down at about half the
 * run, when the replicas have snapshots. The clients' history is checked
 * linearizable (kv, key by key); the part fails when the restart was not
 * carried out or the history is not linearizable.
 */

#define LAYOUT "numa:3 core:1 pu:1"
#define DURATION 0.2 /* seconds per sample */
#define SAMPLES 3
#define BOUND_MS 20 /* the updates' bound, bench/bench_paxos.c's BOUND_NS */
#define RESTART_MS 600
#define RESTART_SEED 3

enum { RUN_SHM, RUN_SHM_STALLED, RUN_PAXOS, RUN_PAXOS_STALLED, NRUNS };

struct cons_run {
	const char *log;
	bool stalled;
	unsigned got; /* samples taken */
	double ops, p10, p90;
	uint64_t timeouts;
};

/* The crash and restart run, as torture_run gave it. */
struct cons_restart {
	bool ran; /* torture_run gave a verdict */
	unsigned nclients, client_node[3];
	struct torture_fault f;
	uint64_t reads, writes, indet, ops;
	double run_s, check_s;
	enum rc_verdict verdict;
	unsigned stuck;
};

struct cons_result {
	unsigned real[3];
	struct cons_run run[NRUNS];
	bool paxos_serves, shm_blocks;
	struct cons_restart rs;
};

/* The crash and restart: one torture run; false after saying why. */
static bool restart_run(struct cons_restart *rs)
{
	struct torture_opts o;
	struct torture_result r;
	rc_err_t err = RC_ERR_INITIALIZER;

	memset(&o, 0, sizeof(o));
	o.log = TORTURE_PAXOS;
	o.object = TORTURE_MAP;
	o.synthetic = LAYOUT;
	o.duration_ms = RESTART_MS;
	o.rate = 20000; /* replicore torture's default */
	o.seed = RESTART_SEED;
	o.faults = 1;
	o.kinds = TORTURE_KIND(TORTURE_RESTART);
	o.check_timeout = 60;
	if (torture_run(&o, &r, &err) < 0 || r.check == NULL) {
		fprintf(stderr, "replicore demo: the crash and restart: %s\n",
			err.msg);
		torture_result_free(&r);
		return false;
	}
	rs->ran = true;
	rs->nclients = r.nclients < 3 ? r.nclients : 3;
	memcpy(rs->client_node, r.client_node,
	       rs->nclients * sizeof(rs->client_node[0]));
	rs->f = r.faults[0];
	rs->reads = r.reads;
	rs->writes = r.writes;
	rs->indet = r.indet;
	rs->ops = r.ops_recorded;
	rs->run_s = r.run_seconds;
	rs->check_s = r.check->seconds;
	rs->verdict = r.check->verdict;
	rs->stuck = r.stuck;
	torture_result_free(&r);
	return true;
}

static void *cons_run(const struct demo_ctx *c, bool *failed)
{
	struct cons_result *res = calloc(1, sizeof(*res));
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *mt = NULL;

	if (res == NULL)
		return NULL;
	if (rc_topo_open(&mt, LAYOUT, NULL, &err) < 0) {
		fprintf(stderr, "replicore demo: layout %s: %s\n", LAYOUT,
			err.msg);
		free(res);
		return NULL;
	}
	for (unsigned i = 0; i < 3; i++) {
		struct rc_topo_pu pu;

		if (rc_topo_pu(mt, i, &pu) == 0)
			res->real[i] = pu.real_os_index;
	}
	for (unsigned k = 0; k < NRUNS; k++) {
		struct cons_run *r = &res->run[k];
		double v[SAMPLES];
		struct rc_bench_stats st;

		r->log = k < RUN_PAXOS ? "shm" : "paxos";
		r->stalled = k % 2;
		for (unsigned s = 0; s < SAMPLES; s++) {
			uint64_t to = 0;

			demo_progress(c, "consensus: %s log%s, sample %u of %u",
				      r->log,
				      r->stalled ? ", node 1 stalled" : "",
				      s + 1, SAMPLES);
			if (!_rc_bench_paxos_map_sample(mt, k >= RUN_PAXOS,
							r->stalled, DURATION,
							&v[r->got], &to, NULL))
				continue;
			r->timeouts += to;
			r->got++;
		}
		if (r->got == 0) {
			r->ops = r->p10 = r->p90 = -1;
			continue;
		}
		_rc_bench_stats(v, r->got, &st);
		r->ops = st.median;
		r->p10 = st.p10;
		r->p90 = st.p90;
	}
	demo_progress(c, "consensus: a node crashed and restarted, %.1f s",
		      RESTART_MS / 1000.0);
	if (!restart_run(&res->rs) || !res->rs.f.done ||
	    res->rs.verdict != RC_VERDICT_OK || res->rs.stuck) {
		fprintf(stderr, "replicore demo: the crash and restart: %s\n",
			!res->rs.ran	  ? "no run"
			: !res->rs.f.done ? res->rs.f.note
			: res->rs.stuck	  ? "a client stuck"
					  : "the history is not linearizable");
		*failed = true;
	}
	demo_progress(c, NULL);
	rc_topo_close(mt);
	res->paxos_serves = res->run[RUN_PAXOS_STALLED].got == SAMPLES &&
			    res->run[RUN_PAXOS_STALLED].ops > 0;
	res->shm_blocks = res->run[RUN_SHM_STALLED].got > 0 &&
			  res->run[RUN_SHM_STALLED].timeouts > 0;
	if (!res->paxos_serves) {
		fprintf(stderr, "replicore demo: the Paxos log did not keep "
				"serving with node 1 stalled\n");
		*failed = true;
	}
	return res;
}

/* Prints s word-wrapped at 78 columns. */
static void wrap(FILE *out, const char *s)
{
	size_t col = 0;

	while (*s) {
		size_t n = strcspn(s, " ");

		if (col > 0 && col + 1 + n > 78) {
			fputc('\n', out);
			col = 0;
		} else if (col > 0) {
			fputc(' ', out);
			col++;
		}
		fwrite(s, 1, n, out);
		col += n;
		s += n;
		s += strspn(s, " ");
	}
	fputc('\n', out);
}

static void restart_text(const struct cons_restart *rs, FILE *out)
{
	const struct torture_fault *f = &rs->f;
	char b[1024];
	size_t k = 0;

	if (!rs->ran) {
		fprintf(out, "\nCrash and restart: did not run\n");
		return;
	}
	k += (size_t)snprintf(b + k, sizeof(b) - k,
			      "Crash and restart (replicore torture): the same "
			      "map over the Paxos log, %u client%s (node%s",
			      rs->nclients, rs->nclients == 1 ? "" : "s",
			      rs->nclients == 1 ? "" : "s");
	for (unsigned i = 0; i < rs->nclients; i++)
		k += (size_t)snprintf(b + k, sizeof(b) - k, "%s%u",
				      i == 0 ? " " : ", ", rs->client_node[i]);
	k += (size_t)snprintf(b + k, sizeof(b) - k,
			      ") running gets and puts of keys 1..5 for %.1f "
			      "s, every operation recorded. ",
			      rs->run_s);
	if (!f->done) {
		snprintf(b + k, sizeof(b) - k,
			 "Node %u was to crash and restart: %s.", f->node,
			 f->note);
	} else {
		k += (size_t)snprintf(b + k, sizeof(b) - k,
				      "Node %u crashed at %" PRIu64 " ms",
				      f->node, f->began_ms);
		if (f->out)
			k += (size_t)snprintf(
				b + k, sizeof(b) - k,
				": %u client%s left it, %u with an "
				"operation that failed there (recorded "
				"indeterminate)",
				f->out, f->out == 1 ? "" : "s", f->failed);
		k += (size_t)snprintf(b + k, sizeof(b) - k,
				      ". It restarted at %" PRIu64 " ms ",
				      f->ended_ms);
		if (f->restored_at)
			k += (size_t)snprintf(b + k, sizeof(b) - k,
					      "from a peer's snapshot at "
					      "entry %" PRIu64,
					      f->restored_at);
		else
			k += (size_t)snprintf(b + k, sizeof(b) - k,
					      "replaying the log from its "
					      "first entry (no snapshot yet)");
		snprintf(b + k, sizeof(b) - k, "%s.",
			 f->out ? "; its clients came back, each with a read "
				  "first"
				: "");
	}
	fputc('\n', out);
	wrap(out, b);
	fprintf(out,
		"  %" PRIu64 " operations (%" PRIu64 " reads, %" PRIu64
		" writes, %" PRIu64 " indeterminate):\n  %s (kv, key by key, "
		"checked in %.3f s)\n",
		rs->ops, rs->reads, rs->writes, rs->indet,
		rs->verdict == RC_VERDICT_OK	      ? "linearizable"
		: rs->verdict == RC_VERDICT_VIOLATION ? "NOT LINEARIZABLE"
						      : "no verdict",
		rs->check_s);
}

static void cons_text(const void *p, FILE *out)
{
	const struct cons_result *res = p;
	const struct cons_run *ps = &res->run[RUN_PAXOS_STALLED],
			      *ss = &res->run[RUN_SHM_STALLED];

	fprintf(out,
		"The hash map of examples/rsm_map.h over rc_rsm on three nodes "
		"(layout\n"
		"\"%s\", real CPUs %u, %u and %u): threads of nodes 0 and 2 "
		"run\n"
		"gets and puts of random keys, %.1f s per sample, median of %u "
		"samples\n"
		"(p10..p90). Stalled: a thread of node 1 blocks inside apply, "
		"holding node\n"
		"1's combiner (with Paxos, node 1's Paxos steps stop too). "
		"An "
		"update\n"
		"waits at most %u ms; one that runs out counts as a timeout.\n",
		LAYOUT, res->real[0], res->real[1], res->real[2], DURATION,
		SAMPLES, BOUND_MS);
	fprintf(out, "  %-6s %-8s %12s  %-25s %8s\n", "log", "node 1", "ops/s",
		"(p10..p90)", "timeouts");
	for (unsigned k = 0; k < NRUNS; k++) {
		const struct cons_run *r = &res->run[k];
		char spread[64];

		if (r->got == 0) {
			fprintf(out, "  %-6s %-8s %12s\n", r->log,
				r->stalled ? "stalled" : "running", "failed");
			continue;
		}
		snprintf(spread, sizeof spread, "(%.0f..%.0f)", r->p10, r->p90);
		fprintf(out, "  %-6s %-8s %12.0f  %-25s %8llu\n", r->log,
			r->stalled ? "stalled" : "running", r->ops, spread,
			(unsigned long long)r->timeouts);
	}
	fprintf(out,
		"paxos with node 1 stalled: %s (%.0f ops/s, %llu "
		"timeouts)\n",
		res->paxos_serves ? "keeps serving" : "DID NOT KEEP SERVING",
		ps->ops, (unsigned long long)ps->timeouts);
	fprintf(out,
		"shm with node 1 stalled: %s (%.0f ops/s, %llu "
		"timeouts of %u ms)\n",
		res->shm_blocks ? "blocks" : "did not block in this run",
		ss->ops, (unsigned long long)ss->timeouts, BOUND_MS);
	restart_text(&res->rs, out);
}

static void cons_json(const void *p, struct cli_json *j)
{
	const struct cons_result *res = p;

	cli_json_obj(j);
	cli_json_kv_str(j, "layout", LAYOUT);
	cli_json_kv_double(j, "duration_s", DURATION);
	cli_json_kv_uint(j, "samples", SAMPLES);
	cli_json_kv_uint(j, "bound_ns", BOUND_MS * 1000000ull);
	cli_json_key(j, "runs");
	cli_json_arr(j);
	for (unsigned k = 0; k < NRUNS; k++) {
		const struct cons_run *r = &res->run[k];

		cli_json_obj(j);
		cli_json_kv_str(j, "log", r->log);
		cli_json_kv_bool(j, "stalled", r->stalled);
		cli_json_kv_uint(j, "samples", r->got);
		if (r->got == 0) {
			cli_json_key(j, "ops_per_s");
			cli_json_null(j);
		} else {
			cli_json_kv_double(j, "ops_per_s", r->ops);
			cli_json_kv_double(j, "p10", r->p10);
			cli_json_kv_double(j, "p90", r->p90);
		}
		cli_json_kv_uint(j, "timeouts", r->timeouts);
		cli_json_obj_end(j);
	}
	cli_json_arr_end(j);
	cli_json_kv_bool(j, "paxos_keeps_serving", res->paxos_serves);
	cli_json_kv_bool(j, "shm_blocks", res->shm_blocks);
	cli_json_key(j, "restart");
	if (!res->rs.ran) {
		cli_json_null(j);
	} else {
		const struct cons_restart *rs = &res->rs;

		cli_json_obj(j);
		cli_json_kv_uint(j, "node", rs->f.node);
		cli_json_kv_bool(j, "done", rs->f.done);
		cli_json_kv_uint(j, "crashed_ms", rs->f.began_ms);
		cli_json_kv_uint(j, "restarted_ms", rs->f.ended_ms);
		cli_json_kv_uint(j, "restored_at", rs->f.restored_at);
		cli_json_kv_uint(j, "clients_out", rs->f.out);
		cli_json_kv_uint(j, "failed_on_node", rs->f.failed);
		cli_json_kv_double(j, "run_seconds", rs->run_s);
		cli_json_kv_uint(j, "operations", rs->ops);
		cli_json_kv_uint(j, "reads", rs->reads);
		cli_json_kv_uint(j, "writes", rs->writes);
		cli_json_kv_uint(j, "indeterminate", rs->indet);
		cli_json_kv_str(j, "spec", "kv");
		cli_json_kv_str(j, "verdict", rc_verdict_name(rs->verdict));
		cli_json_kv_double(j, "check_seconds", rs->check_s);
		cli_json_obj_end(j);
	}
	cli_json_obj_end(j);
}

static void cons_html(const void *p, FILE *out)
{
	const struct cons_result *res = p;
	static const char *const legend[] = { "node 1 running",
					      "node 1 stalled" };
	static const char *const label[NRUNS] = { "shm", "shm, stalled",
						  "paxos", "paxos, stalled" };
	struct rc_svg_bar bars[NRUNS];
	unsigned n = 0;
	char sub[160];

	demo_html_pre(out, cons_text, p);
	for (unsigned k = 0; k < NRUNS; k++) {
		const struct cons_run *r = &res->run[k];

		if (r->got == 0)
			continue;
		bars[n].label = label[k];
		bars[n].v = r->ops;
		bars[n].lo = r->p10;
		bars[n].hi = r->p90;
		bars[n++].color = r->stalled;
	}
	snprintf(sub, sizeof sub,
		 "three nodes, node 1 stalled or not; median, whiskers "
		 "p10..p90");
	demo_html_bars(out, "Hash map commits per second by log", sub,
		       "operations per second", bars, n, legend, 2);
}

static void cons_free(void *p)
{
	free(p);
}

const struct demo_part demo_part_consensus = {
	"consensus",
	"Consensus: a stalled node under the Paxos and shm logs, a crashed "
	"node restarted",
	cons_run,
	cons_text,
	cons_json,
	cons_html,
	cons_free,
};
