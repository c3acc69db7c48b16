/* SPDX-License-Identifier: MIT */
/* bench_consensus.c: `replicore bench consensus`, Multi-Paxos beside Raft: messages per command in the seeded simulation, commit latency on threads, and the time to fail over after the leader crashes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/log.h>
#include <replicore/paxos.h>
#include <replicore/raft.h>

#include "bench/bench.h"
#include "protocols/raft/raft.h"

/*
 * For 3 and 5 nodes, each consensus log, three measurements:
 *
 * Messages per command: the protocol's seeded simulation without faults
 * (rc_paxos_sim_run, _rc_raft_sim_run; each protocol with its
 * simulation's default timers and batching), SIM_COMMANDS commands
 * submitted at random nodes, seeds 1..N: messages sent over commands
 * committed. Heartbeats count, so the figure depends on the simulated
 * time the run took. Deterministic: the same N gives the same figures.
 *
 * Commit latency: the log (rc_log_paxos_create, rc_log_raft_create) with
 * its "threads" runner, one pinned thread per node on "numa:N core:1
 * pu:1" (or the layout --synthetic/--xml names), and the defaults of each
 * (1 ms heartbeats, 20 ms election timeouts). After one warm-up append
 * (it waits for a leader), one thread at node 0 appends batches of one
 * entry for duration seconds, each append waiting at most BOUND_NS and
 * reading node 0's copy while it waits, every copy after it, as bench
 * paxos does. commits/s: entries over the sample's wall time; p50 and p99
 * of the sample's appends (none when every append ran out, which the
 * timeouts show); then the median of each over the samples.
 *
 * Failover: a fresh log as above, a warm-up append, appends for SETTLE_NS
 * and on until every node names the same leader (rc_paxos_leader,
 * rc_log_raft_leader; at most WARMUP_NS), then that leader crashes (rc_paxos_crash,
 * rc_log_raft_crash); the time from the crash until an append of one
 * entry at a surviving node (node 0, or node 1 when node 0 led) returns
 * committed, waiting at most FAILOVER_NS.
 *
 * And the 1-minute load average at the start and the end. Reported,
 * never asserted: on a shared 2-core machine the numbers show the load.
 */

#define SIM_COMMANDS 1000
#define BOUND_NS 20000000ull	  /* 20 ms */
#define WARMUP_NS 1000000000ull	  /* 1 s for the first append */
#define SETTLE_NS 10000000ull	  /* 10 ms of appends before the crash */
#define FAILOVER_NS 5000000000ull /* 5 s for the append after it */
#define MAXLAT (1u << 20)

static const unsigned node_counts[] = { 3, 5 };
enum { P_PAXOS, P_RAFT, NPROTOS };
static const char *const proto_name[] = { "paxos", "raft" };

#define NN (sizeof node_counts / sizeof node_counts[0])
#define NROWS (NN * NPROTOS)

/* Messages per committed command of one seeded simulation; NAN when it
 * failed or found a violation (then *why says so). */
static double sim_messages(int proto, unsigned nodes, uint64_t seed, char *why,
			   size_t len)
{
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t msgs, committed;
	unsigned viol;

	if (proto == P_PAXOS) {
		struct rc_paxos_sim_opts o;
		struct rc_paxos_sim_result r;
		const struct rc_paxos_config cfg = RC_PAXOS_CONFIG_INITIALIZER;

		memset(&o, 0, sizeof o);
		o.cfg = cfg;
		o.cfg.nodes = nodes;
		o.cfg.seed = seed;
		o.commands = SIM_COMMANDS;
		if (rc_paxos_sim_run(&o, &r, &err) < 0) {
			snprintf(why, len, "%s", err.msg);
			return NAN;
		}
		msgs = r.messages;
		committed = r.committed;
		viol = r.violations;
		if (viol)
			snprintf(why, len, "%s", r.why);
	} else {
		struct _rc_raft_sim_opts o;
		struct _rc_raft_sim_result r;

		memset(&o, 0, sizeof o);
		o.cfg.nodes = nodes;
		o.seed = seed;
		o.commands = SIM_COMMANDS;
		if (_rc_raft_sim_run(&o, &r, &err) < 0) {
			snprintf(why, len, "%s", err.msg);
			return NAN;
		}
		msgs = r.st.messages;
		committed = r.committed;
		viol = r.violations;
		if (viol)
			snprintf(why, len, "%s", r.why);
	}
	if (viol || committed == 0)
		return NAN;
	return (double)msgs / (double)committed;
}

/* A log of proto with n nodes on topo, one pinned thread per node. */
static int make_log(rc_log_t **log, int proto, unsigned n,
		    const rc_topo_t *topo, rc_err_t *err)
{
	if (proto == P_PAXOS) {
		struct rc_paxos_opts o;

		rc_log_paxos_defaults(&o);
		o.topo = topo;
		o.runner = RC_PAXOS_RUN_THREADS;
		return rc_log_paxos_create(log, n, &o, err);
	} else {
		struct rc_raft_log_opts o;

		rc_log_raft_defaults(&o);
		o.topo = topo;
		o.threads = true;
		return rc_log_raft_create(log, n, &o, err);
	}
}

struct help_arg {
	rc_log_t *log;
	unsigned nodes;
	unsigned skip; /* a crashed node, or nodes for none */
	unsigned own;  /* the appending node */
};

/* Reads every copy but skip's to its end. */
static void help_all(void *arg)
{
	struct help_arg *h = arg;
	struct rc_log_entry buf[64];
	uint64_t first;

	for (unsigned i = 0; i < h->nodes; i++)
		if (i != h->skip)
			while (rc_log_read(h->log, i, &first, buf, 64) > 0)
				;
}

/* Reads the appending node's copy, as an append's wait does in bench
 * paxos (see help_own there). */
static void help_own(void *arg)
{
	struct help_arg *h = arg;
	struct rc_log_entry buf[64];
	uint64_t first;

	while (rc_log_read(h->log, h->own, &first, buf, 64) > 0)
		;
}

/* Appends one entry at node h->own, waiting at most timeout_ns. */
static int append1(struct help_arg *h, uint64_t tag, uint64_t timeout_ns)
{
	struct rc_log_entry e = { .op = 1, .arg = 0, .tag = tag };
	uint64_t idx;
	int rc = rc_log_append(h->log, h->own, &e, 1, &idx, timeout_ns,
			       help_own, h, NULL);

	help_all(h);
	return rc;
}

struct sample {
	double commits, p50_ns, p99_ns;
	uint64_t timeouts;
};

/* One latency sample (see the top comment); false when the log could
 * not be made. p50 and p99 are NAN when nothing committed. */
static bool latency_sample(const rc_topo_t *topo, int proto, unsigned n,
			   double duration, uint64_t *lat, struct sample *out)
{
	struct help_arg h = { .nodes = n, .skip = n, .own = 0 };
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t t0, t_end, nlat = 0, tag = 0;

	memset(out, 0, sizeof *out);
	if (make_log(&h.log, proto, n, topo, &err) < 0) {
		rc_err_print(&err, stderr);
		return false;
	}
	(void)append1(&h, ++tag, WARMUP_NS);
	t0 = _rc_bench_now();
	t_end = t0 + (uint64_t)(duration * 1e9);
	for (uint64_t now = t0; now < t_end; now = _rc_bench_now()) {
		if (append1(&h, ++tag, BOUND_NS) < 0) {
			out->timeouts++;
			continue;
		}
		if (nlat < MAXLAT)
			lat[nlat++] = _rc_bench_now() - now;
	}
	out->commits = (double)nlat / ((double)(_rc_bench_now() - t0) / 1e9);
	rc_log_destroy(h.log);
	if (nlat == 0) {
		/* every append ran out of its bound: commits/s 0, no
		 * latency */
		out->p50_ns = out->p99_ns = NAN;
		return true;
	}
	_rc_bench_select_k(lat, nlat, nlat * 99 / 100);
	_rc_bench_select_k(lat, nlat * 99 / 100 + 1, nlat / 2);
	out->p50_ns = (double)lat[nlat / 2];
	out->p99_ns = (double)lat[nlat * 99 / 100];
	return true;
}

/* The leader every node knows, or -1 when they do not all know one and
 * the same. */
static int leader_of(rc_log_t *log, int proto, unsigned n)
{
	int l = -1;

	for (unsigned i = 0; i < n; i++) {
		int k = proto == P_PAXOS ? (int)rc_paxos_leader(
						   rc_log_paxos_group(log), i)
					 : rc_log_raft_leader(log, i);

		if (k < 0 || (unsigned)k >= n || (i > 0 && k != l))
			return -1;
		l = k;
	}
	return l;
}

/* One failover sample (see the top comment) in *ns; false when the log
 * could not be made, no leader was known or no append committed. */
static bool failover_sample(const rc_topo_t *topo, int proto, unsigned n,
			    double *ns)
{
	struct help_arg h = { .nodes = n, .skip = n, .own = 0 };
	rc_err_t err = RC_ERR_INITIALIZER;
	uint64_t t0, tag = 0;
	int leader;
	bool ok;

	if (make_log(&h.log, proto, n, topo, &err) < 0) {
		rc_err_print(&err, stderr);
		return false;
	}
	(void)append1(&h, ++tag, WARMUP_NS);
	t0 = _rc_bench_now();
	do {
		(void)append1(&h, ++tag, BOUND_NS);
		leader = leader_of(h.log, proto, n);
	} while (_rc_bench_now() - t0 < SETTLE_NS ||
		 (leader < 0 && _rc_bench_now() - t0 < WARMUP_NS));
	ok = leader >= 0;
	if (ok) {
		h.skip = (unsigned)leader;
		h.own = leader == 0 ? 1 : 0;
		t0 = _rc_bench_now();
		if (proto == P_PAXOS)
			rc_paxos_crash(rc_log_paxos_group(h.log),
				       (unsigned)leader);
		else
			rc_log_raft_crash(h.log, (unsigned)leader);
		ok = append1(&h, ++tag, FAILOVER_NS) == 0;
		*ns = (double)(_rc_bench_now() - t0);
	}
	rc_log_destroy(h.log);
	return ok;
}

struct row {
	int proto;
	unsigned nodes;
	const rc_topo_t *topo;
	struct rc_bench_stats msgs, commits, p50, p99, failover;
	double *ms, *cs, *p50s, *p99s, *fs;
	uint64_t timeouts;
	unsigned failovers_failed;
};

/* Prints v / scale with prec decimals in a column of width w, or "-"
 * when s has no sample. */
static void print_med(const struct rc_bench_stats *s, double scale, int w,
		      int prec)
{
	if (s->n)
		printf(" %*.*f", w, prec, s->median / scale);
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

static const char consensus_help[] =
	"NAME\n"
	"    replicore bench consensus - Multi-Paxos beside Raft\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore bench consensus [--json] [--duration S] [--repeat N]\n"
	"                              [--synthetic SPEC | --xml FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    The two consensus logs, the Paxos log (rc_log_paxos_create) and "
	"the\n"
	"    Raft log (rc_log_raft_create), for 3 and 5 nodes, one row "
	"each:\n"
	"      msgs/cmd   messages sent per committed command in the "
	"protocol's\n"
	"                 seeded simulation without faults (1000 commands, "
	"seeds\n"
	"                 1..N, each protocol's simulation defaults; "
	"heartbeats\n"
	"                 count); deterministic\n"
	"      commits/s, p50, p99\n"
	"                 the log with one pinned thread per node (its "
	"threads\n"
	"                 runner) on \"numa:N core:1 pu:1\", one thread at "
	"node 0\n"
	"                 appending one entry at a time for S seconds after "
	"a\n"
	"                 warm-up append; commits per second and the "
	"append\n"
	"                 latency's p50 and p99 in microseconds\n"
	"      failover   after a warm-up, once every node names the "
	"same leader, it\n"
	"                 crashes; milliseconds until an append at a "
	"surviving node\n"
	"                 commits (at most 5 s)\n"
	"    Each is the median over N samples. Appends wait at most 20 ms; "
	"those\n"
	"    that ran out count as timeouts. The 1-minute load average at "
	"the\n"
	"    start and the end is printed beside. Measured, never "
	"asserted.\n"
	"\n"
	"OPTIONS\n" RC_BENCH_HELP_JSON
	"    --duration S      seconds per latency sample (default 0.2)\n"
	"    --repeat N        samples per measurement (default 3)\n"
	"    --synthetic SPEC  the nodes on a synthetic layout (hwloc's "
	"syntax)\n" RC_BENCH_HELP_XML "\n"
	"EXIT STATUS\n"
	"    0 on success, 1 when a log could not be made or a sample "
	"failed, 2 on\n"
	"    a bad option.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore bench consensus --repeat 5 --duration 0.5\n";

int bench_consensus(int argc, char **argv)
{
	struct rc_bench_opts o = { .kind = "consensus",
				   .duration = 0.2,
				   .repeat = 3,
				   .warmup = "one append before each threaded "
					     "sample, not measured (it waits "
					     "for a leader)" };
	struct row r[NROWS];
	rc_topo_t *own[NN] = { NULL };
	const rc_topo_t *lt[NN];
	rc_err_t err = RC_ERR_INITIALIZER;
	double load_start, load_end;
	uint64_t *lat;
	bool failed = false, oom = false;
	char l0[16], l1[16], why[600] = "";
	rc_topo_t *topo;
	int rc;

	rc = _rc_bench_start(&o, argc, argv, consensus_help, &topo);
	if (rc >= 0)
		return rc;
	if (o.plot) {
		fprintf(stderr, "replicore bench consensus: --plot: this "
				"benchmark draws no plot\n");
		rc_topo_close(topo);
		return CLI_EXIT_USAGE;
	}
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
	memset(r, 0, sizeof r);
	for (unsigned k = 0; k < NROWS; k++) {
		struct row *x = &r[k];

		x->nodes = node_counts[k / NPROTOS];
		x->proto = (int)(k % NPROTOS);
		x->topo = lt[k / NPROTOS];
		x->ms = calloc(o.repeat, sizeof(double));
		x->cs = calloc(o.repeat, sizeof(double));
		x->p50s = calloc(o.repeat, sizeof(double));
		x->p99s = calloc(o.repeat, sizeof(double));
		x->fs = calloc(o.repeat, sizeof(double));
		if (!lat || !x->ms || !x->cs || !x->p50s || !x->p99s ||
		    !x->fs) {
			fprintf(stderr,
				"replicore bench consensus: out of memory\n");
			failed = oom = true;
			break;
		}
	}
	for (unsigned k = 0; !oom && k < NROWS; k++) {
		struct row *x = &r[k];
		unsigned gm = 0, gl = 0, gf = 0, gp = 0;

		_rc_bench_progress(&o, "%s, %u nodes: simulation",
				   proto_name[x->proto], x->nodes);
		for (unsigned s = 0; s < o.repeat; s++) {
			double m = sim_messages(x->proto, x->nodes, s + 1, why,
						sizeof why);

			if (isfinite(m))
				x->ms[gm++] = m;
			else
				fprintf(stderr,
					"replicore bench consensus: %s "
					"simulation, %u nodes, seed %u: %s\n",
					proto_name[x->proto], x->nodes, s + 1,
					why);
		}
		_rc_bench_progress(&o, "%s, %u nodes: commit latency",
				   proto_name[x->proto], x->nodes);
		for (unsigned s = 0; s < o.repeat; s++) {
			struct sample sm;

			if (latency_sample(x->topo, x->proto, x->nodes,
					   o.duration, lat, &sm)) {
				x->cs[gl++] = sm.commits;
				if (isfinite(sm.p50_ns)) {
					x->p50s[gp] = sm.p50_ns;
					x->p99s[gp++] = sm.p99_ns;
				}
			}
			x->timeouts += sm.timeouts;
		}
		_rc_bench_progress(&o, "%s, %u nodes: failover",
				   proto_name[x->proto], x->nodes);
		for (unsigned s = 0; s < o.repeat; s++)
			if (failover_sample(x->topo, x->proto, x->nodes,
					    &x->fs[gf]))
				gf++;
			else
				x->failovers_failed++;
		if (gm < o.repeat || gl < o.repeat || gf < o.repeat)
			failed = true;
		if (gm)
			_rc_bench_stats(x->ms, gm, &x->msgs);
		if (gl)
			_rc_bench_stats(x->cs, gl, &x->commits);
		if (gp) {
			_rc_bench_stats(x->p50s, gp, &x->p50);
			_rc_bench_stats(x->p99s, gp, &x->p99);
		}
		if (gf)
			_rc_bench_stats(x->fs, gf, &x->failover);
	}
	_rc_bench_progress(&o, NULL);
	load_end = load_or_nan();
	if (o.json) {
		struct cli_json j;

		_rc_bench_json_begin(&j, &o, lt[0], "ns");
		_rc_bench_json_num(&j, "load_start", load_start);
		_rc_bench_json_num(&j, "load_end", load_end);
		cli_json_key(&j, "results");
		cli_json_arr(&j);
		for (unsigned k = 0; k < NROWS; k++) {
			cli_json_obj(&j);
			cli_json_kv_str(&j, "protocol", proto_name[r[k].proto]);
			cli_json_kv_uint(&j, "nodes", r[k].nodes);
			cli_json_kv_str(&j, "layout",
					rc_topo_source(r[k].topo));
			cli_json_kv_uint(&j, "sim_commands", SIM_COMMANDS);
			_rc_bench_json_stats_or_null(&j, "messages_per_command",
						     &r[k].msgs, r[k].ms);
			_rc_bench_json_stats_or_null(&j, "commits_per_s",
						     &r[k].commits, r[k].cs);
			_rc_bench_json_stats_or_null(&j, "latency_p50_ns",
						     &r[k].p50, r[k].p50s);
			_rc_bench_json_stats_or_null(&j, "latency_p99_ns",
						     &r[k].p99, r[k].p99s);
			cli_json_kv_uint(&j, "timeouts", r[k].timeouts);
			_rc_bench_json_stats_or_null(&j, "failover_ns",
						     &r[k].failover, r[k].fs);
			cli_json_kv_uint(&j, "failovers_failed",
					 r[k].failovers_failed);
			cli_json_obj_end(&j);
		}
		cli_json_arr_end(&j);
		_rc_bench_json_end(&j);
	} else {
		printf("consensus logs: Multi-Paxos beside Raft (medians of %u "
		       "samples; threaded samples of %g s)\n",
		       o.repeat, o.duration);
		printf("msgs/cmd: seeded simulation without faults, %u "
		       "commands, seeds 1..%u; threaded: one pinned thread "
		       "per node on %s, %s,\none appending thread at node 0, "
		       "batches of 1, appends waiting at most 20 ms; "
		       "failover: the leader crashed, until an append at a "
		       "survivor commits\n",
		       SIM_COMMANDS, o.repeat, rc_topo_source(lt[0]),
		       rc_topo_source(lt[1]));
		printf("cpu: %s; load %s -> %s (1-minute average at the start "
		       "and the end)\n",
		       _rc_bench_cpu_model(), fmt2(load_start, l0, sizeof l0),
		       fmt2(load_end, l1, sizeof l1));
		printf("\n%-9s %5s %9s %10s %8s %8s %8s %11s\n", "protocol",
		       "nodes", "msgs/cmd", "commits/s", "p50 us", "p99 us",
		       "timeouts", "failover ms");
		for (unsigned k = 0; k < NROWS; k++) {
			printf("%-9s %5u", proto_name[r[k].proto], r[k].nodes);
			print_med(&r[k].msgs, 1, 9, 2);
			print_med(&r[k].commits, 1, 10, 0);
			print_med(&r[k].p50, 1e3, 8, 1);
			print_med(&r[k].p99, 1e3, 8, 1);
			printf(" %8llu", (unsigned long long)r[k].timeouts);
			print_med(&r[k].failover, 1e6, 11, 1);
			printf("\n");
		}
	}
	for (unsigned k = 0; k < NROWS; k++) {
		free(r[k].ms);
		free(r[k].cs);
		free(r[k].p50s);
		free(r[k].p99s);
		free(r[k].fs);
	}
	free(lat);
	for (unsigned n = 0; n < NN; n++)
		rc_topo_close(own[n]);
	rc_topo_close(topo);
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
