/* SPDX-License-Identifier: MIT */
/* cmd_clocks_threads.c: `replicore clocks`, physical clocks kept by Lamport's rules between threads on the real monotonic clock, their skew against the paper's bound with this machine's delays. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/topo.h>

#include "cli/cli.h"
#include "protocols/clocks/clocks.h"
#include "tools/commands.h"

static const char help[] =
	"NAME\n"
	"    replicore clocks - physical clocks kept by Lamport's rules "
	"between threads,\n"
	"    their skew against the paper's bound\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore clocks [--threads N] [--synthetic SPEC] "
	"[--drift PPM[,PPM]...]\n"
	"                     [--period US] [--line 0|1] [--duration MS] "
	"[--seed S]\n"
	"                     [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    N threads, each pinned on a PU of the layout, each keep a "
	"clock: the\n"
	"    machine's CLOCK_MONOTONIC scaled by 1 + d (d drawn from the "
	"seed,\n"
	"    |d| < kappa) from an offset in the first 1 ms. Every US us a "
	"thread\n"
	"    sends its clock's reading Tm to its neighbours over rc_chan "
	"(every\n"
	"    thread, or with --line 1 the threads beside it); a receiver "
	"sets its\n"
	"    clock to the larger of its reading and Tm + mu (Lamport, 1978, "
	"IR1' and\n"
	"    IR2'; the step machine of replicore sim clocks). mu, the least "
	"delay of\n"
	"    a message, is measured first over 20 periods; xi, the "
	"unpredictable\n"
	"    part, is the run's largest delay minus the least (a delay "
	"includes a\n"
	"    parked receiver's wake-up). The skew, the largest clock minus "
	"the\n"
	"    smallest read at one instant, is sampled at every send after "
	"the\n"
	"    warm-up d (tau + the calibration's largest delay) and set "
	"against\n"
	"    Lamport's bound d (2 kappa tau + xi), d the graph's diameter. "
	"The\n"
	"    theorem assumes mu + xi much smaller than tau: the output says "
	"when it\n"
	"    is not below tau / 10. One run per drift setting.\n"
	"\n"
	"OPTIONS\n"
	"    --threads N       threads, 2..64 (default: the layout's PUs, "
	"at least 2);\n"
	"                      more threads than PUs share them\n"
	"    --synthetic SPEC  an hwloc synthetic layout (\"numa:4 core:1 "
	"pu:1\") whose\n"
	"                      PUs are mapped onto the machine's (default: "
	"the machine)\n"
	"    --drift PPM,...   kappa in parts per million, 0..499999, one "
	"run each\n"
	"                      (default 100,1000,10000)\n"
	"    --period US       tau in us, 1..1000000 (default 1000)\n"
	"    --line 0|1        1: the threads in a line (d = N - 1); 0: "
	"complete (d = 1)\n"
	"    --duration MS     each run in ms, at least 10 periods "
	"(default 200)\n"
	"    --seed S          the drifts and offsets (default 1)\n"
	"    --json            print the runs as one JSON object (times in "
	"ns)\n"
	"    -h, --help        print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every run's skew is within its bound and no clock went "
	"back,\n"
	"    1 otherwise, 2 on a bad option.\n";

#define MAX_DRIFTS 16

struct opts {
	unsigned threads;
	const char *synthetic;
	uint64_t drift[MAX_DRIFTS];
	unsigned ndrift;
	uint64_t period_us, line, duration_ms, seed;
	bool json;
};

static int parse_drifts(const char *s, struct opts *o)
{
	char buf[256], *save = NULL, *tok;

	if (strlen(s) >= sizeof(buf))
		return cli_usage("clocks", "--drift '%s' is too long", s);
	strcpy(buf, s);
	o->ndrift = 0;
	for (tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->ndrift == MAX_DRIFTS)
			return cli_usage("clocks",
					 "--drift takes at most %d settings",
					 MAX_DRIFTS);
		if (!cli_parse_u64("clocks", "--drift", tok,
				   &o->drift[o->ndrift]))
			return CLI_EXIT_USAGE;
		if (o->drift[o->ndrift] >= 500000)
			return cli_usage("clocks",
					 "--drift %s: kappa must be 0..499999 "
					 "ppm",
					 tok);
		o->ndrift++;
	}
	if (o->ndrift == 0)
		return cli_usage("clocks", "--drift '%s' names no setting", s);
	return CLI_EXIT_OK;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "synthetic", required_argument, NULL, 's' },
		{ "drift", required_argument, NULL, 'd' },
		{ "period", required_argument, NULL, 'p' },
		{ "line", required_argument, NULL, 'l' },
		{ "duration", required_argument, NULL, 'D' },
		{ "seed", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t v;
	int c, rc;

	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			if (!cli_parse_u64("clocks", "--threads", optarg, &v))
				return CLI_EXIT_USAGE;
			if (v < 2 || v > RC_CLK_THR_MAX)
				return cli_usage("clocks",
						 "--threads %s: 2..%d", optarg,
						 RC_CLK_THR_MAX);
			o->threads = (unsigned)v;
			break;
		case 's':
			o->synthetic = optarg;
			break;
		case 'd':
			if ((rc = parse_drifts(optarg, o)) != CLI_EXIT_OK)
				return rc;
			break;
		case 'p':
			if (!cli_parse_u64("clocks", "--period", optarg,
					   &o->period_us))
				return CLI_EXIT_USAGE;
			if (o->period_us < 1 || o->period_us > 1000000)
				return cli_usage("clocks",
						 "--period %s: 1..1000000 us",
						 optarg);
			break;
		case 'l':
			if (!cli_parse_u64("clocks", "--line", optarg,
					   &o->line))
				return CLI_EXIT_USAGE;
			if (o->line > 1)
				return cli_usage("clocks", "--line %s: 0 or 1",
						 optarg);
			break;
		case 'D':
			if (!cli_parse_u64("clocks", "--duration", optarg,
					   &o->duration_ms))
				return CLI_EXIT_USAGE;
			if (o->duration_ms > 3600000)
				return cli_usage("clocks",
						 "--duration %s: at most an "
						 "hour",
						 optarg);
			break;
		case 'S':
			if (!cli_parse_u64("clocks", "--seed", optarg,
					   &o->seed))
				return CLI_EXIT_USAGE;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			fputs(help, stdout);
			return -1;
		default:
			return cli_bad_option("clocks", argv, optopt);
		}
	}
	if (optind < argc)
		return cli_usage("clocks", "unexpected argument '%s'",
				 argv[optind]);
	if (o->duration_ms * 1000 < 10 * o->period_us)
		return cli_usage("clocks",
				 "--duration %llu ms is below 10 periods of "
				 "%llu us",
				 (unsigned long long)o->duration_ms,
				 (unsigned long long)o->period_us);
	return CLI_EXIT_OK;
}

static void print_json(const struct opts *o, const rc_topo_t *t, unsigned n,
		       const struct _rc_clk_thr_result *res)
{
	struct cli_json j;

	cli_json_init(&j, stdout);
	cli_json_obj(&j);
	cli_json_kv_str(&j, "command", "clocks");
	cli_json_kv_str(&j, "layout", rc_topo_source(t));
	cli_json_kv_uint(&j, "threads", n);
	cli_json_kv_uint(&j, "pus", rc_topo_npus(t));
	cli_json_kv_uint(&j, "period_ns", o->period_us * 1000);
	cli_json_kv_uint(&j, "diameter", res[0].diameter);
	cli_json_kv_uint(&j, "duration_ns", o->duration_ms * 1000000);
	cli_json_kv_uint(&j, "seed", o->seed);
	cli_json_key(&j, "runs");
	cli_json_arr(&j);
	for (unsigned i = 0; i < o->ndrift; i++) {
		const struct _rc_clk_thr_result *r = &res[i];

		cli_json_obj(&j);
		cli_json_kv_uint(&j, "drift_ppm", o->drift[i]);
		cli_json_kv_uint(&j, "mu_ns", r->mu_ns);
		cli_json_kv_uint(&j, "delay_min_ns", r->dmin_ns);
		cli_json_kv_uint(&j, "delay_max_ns", r->dmax_ns);
		cli_json_kv_double(&j, "xi_ns", r->xi_ns);
		cli_json_kv_double(&j, "bound_ns", r->bound_ns);
		cli_json_kv_double(&j, "max_skew_ns", r->max_skew_ns);
		cli_json_kv_double(&j, "mean_skew_ns", r->mean_skew_ns);
		cli_json_kv_double(&j, "start_skew_ns", r->start_skew_ns);
		cli_json_kv_double(&j, "warm_up_ns", r->warm_ns);
		cli_json_kv_uint(&j, "samples", r->samples);
		cli_json_kv_uint(&j, "samples_given_up", r->retried);
		cli_json_kv_uint(&j, "messages", r->messages);
		cli_json_kv_uint(&j, "dropped", r->dropped);
		cli_json_kv_bool(&j, "monotonic", !r->went_back);
		cli_json_kv_bool(&j, "premise_holds",
				 (double)r->mu_ns + r->xi_ns <
					 (double)o->period_us * 100);
		cli_json_kv_bool(&j, "within_bound",
				 r->max_skew_ns <= r->bound_ns);
		cli_json_obj_end(&j);
	}
	cli_json_arr_end(&j);
	cli_json_obj_end(&j);
	cli_json_end(&j);
}

static void print_text(const struct opts *o, const rc_topo_t *t, unsigned n,
		       const struct _rc_clk_thr_result *res)
{
	printf("replicore clocks: %u threads on %s (%u PUs), tau %llu us, "
	       "d %u (%s), %llu ms a run\n",
	       n, rc_topo_source(t), rc_topo_npus(t),
	       (unsigned long long)o->period_us, res[0].diameter,
	       o->line ? "a line" : "complete",
	       (unsigned long long)o->duration_ms);
	printf("  %-9s %8s %10s %10s %11s %11s %10s %8s  %s\n", "kappa", "mu",
	       "delay max", "xi", "bound", "skew max", "skew mean", "samples",
	       "verdict");
	for (unsigned i = 0; i < o->ndrift; i++) {
		const struct _rc_clk_thr_result *r = &res[i];
		char k[32];

		snprintf(k, sizeof(k), "%llu ppm",
			 (unsigned long long)o->drift[i]);
		printf("  %-9s %5.1f us %7.1f us %7.1f us %8.1f us %8.1f us "
		       "%7.1f us %8llu  %s%s\n",
		       k, (double)r->mu_ns / 1e3, (double)r->dmax_ns / 1e3,
		       r->xi_ns / 1e3, r->bound_ns / 1e3, r->max_skew_ns / 1e3,
		       r->mean_skew_ns / 1e3, (unsigned long long)r->samples,
		       r->max_skew_ns <= r->bound_ns ? "within"
						     : "ABOVE the bound",
		       r->went_back ? ", a clock went BACK" : "");
	}
	printf("  mu: least delay over the calibration; xi: the run's "
	       "largest delay minus\n  the least; bound = d (2 kappa tau + "
	       "xi)\n");
	for (unsigned i = 0; i < o->ndrift; i++)
		if ((double)res[i].mu_ns + res[i].xi_ns >=
		    (double)o->period_us * 100) {
			printf("  the theorem assumes mu + xi much below tau "
			       "(here under tau / 10): not so\n  at %llu "
			       "ppm, mu + xi = %.1f us\n",
			       (unsigned long long)o->drift[i],
			       ((double)res[i].mu_ns + res[i].xi_ns) / 1e3);
		}
}

int cmd_clocks(int argc, char **argv)
{
	struct opts o = { 0 };
	struct _rc_clk_thr_result res[MAX_DRIFTS];
	rc_err_t err = RC_ERR_INITIALIZER;
	rc_topo_t *t;
	unsigned n;
	int rc, status = CLI_EXIT_OK;

	o.drift[0] = 100;
	o.drift[1] = 1000;
	o.drift[2] = 10000;
	o.ndrift = 3;
	o.period_us = 1000;
	o.duration_ms = 200;
	o.seed = 1;
	rc = parse(argc, argv, &o);
	if (rc < 0)
		return CLI_EXIT_OK; /* --help */
	if (rc != CLI_EXIT_OK)
		return rc;
	if (rc_topo_open(&t, o.synthetic, NULL, &err) < 0) {
		fputs("replicore clocks: ", stderr);
		rc_err_print(&err, stderr);
		return CLI_EXIT_USAGE;
	}
	n = o.threads ? o.threads : rc_topo_npus(t);
	if (n < 2)
		n = 2;
	if (n > RC_CLK_THR_MAX)
		n = RC_CLK_THR_MAX;
	for (unsigned i = 0; i < o.ndrift; i++) {
		struct _rc_clk_thr_opts co = { 0 };

		co.topo = t;
		co.nodes = n;
		co.seed = o.seed;
		co.kappa = (double)o.drift[i] / 1e6;
		co.period_ns = o.period_us * 1000;
		co.line = o.line == 1;
		co.duration_ns = o.duration_ms * 1000000;
		co.variant = RC_CLK_LAMPORT;
		if (_rc_clk_thr_run(&co, &res[i], &err) < 0) {
			fputs("replicore clocks: ", stderr);
			rc_err_print(&err, stderr);
			rc_topo_close(t);
			return err.code == RC_EINVAL ? CLI_EXIT_USAGE
						     : CLI_EXIT_UNKNOWN;
		}
		if (res[i].went_back ||
		    !(res[i].max_skew_ns <= res[i].bound_ns))
			status = CLI_EXIT_FOUND;
	}
	if (o.json)
		print_json(&o, t, n, res);
	else
		print_text(&o, t, n, res);
	rc_topo_close(t);
	return status;
}
