/* SPDX-License-Identifier: MIT */
/* cmd_clocks.c: `replicore sim clocks`, physical clocks synchronised by Lamport's rules, simulated with drift and delay, their skew against the paper's bound. */
#include <stdio.h>

#include "protocols/clocks/clocks.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char help[] =
	"NAME\n"
	"    replicore sim clocks - physical clocks synchronised by "
	"Lamport's rules,\n"
	"    their skew against the paper's bound\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim clocks [--nodes N] [--seed S] [--faults SPEC] "
	"[--commands C]\n"
	"                         [--runs R] [--drift PPM] [--period US] "
	"[--line 0|1]\n"
	"                         [--broken no-max] [--trace] [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Each of N nodes has a physical clock that starts anywhere in "
	"the first\n"
	"    1000 us and runs at a rate drawn from 1 +- PPM/10^6. Every US "
	"us a node\n"
	"    sends its clock's reading Tm to its neighbours (every node, or "
	"with\n"
	"    --line 1 the nodes beside it in a line); a receiver sets its "
	"clock to\n"
	"    the larger of its reading and Tm + mu, mu = 1 us being the "
	"least time a\n"
	"    message takes (Lamport, 1978, rules IR1' and IR2'). Lamport's "
	"theorem\n"
	"    bounds the skew between any two clocks, once d periods have "
	"passed, by\n"
	"    d (2 kappa tau + xi): d the graph's diameter (1, or N - 1 for a "
	"line),\n"
	"    kappa the drift bound, tau the period and xi the unpredictable "
	"part of a\n"
	"    message's delay (9 us here, 518 us with delay faults). The "
	"skew is\n"
	"    measured at every send after d (tau + mu + xi) and checked "
	"against the\n"
	"    bound (property bound); no clock may run backwards (monotonic). "
	"The run\n"
	"    lasts 50 C + 3000 us past the warm-up. Only delay and dup "
	"faults are\n"
	"    taken: drops, partitions, stalls and crashes break the "
	"theorem's premise.\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N      nodes, 2..64 (default 4)\n"
	"    --seed S       the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC  delay=P, dup=P (probabilities per message); "
	"\"none\"\n"
	"                   (default)\n"
	"    --commands C   the run's length in submission spans (default "
	"100)\n"
	"    --runs R       run seeds S..S+R-1 (default 1): the largest "
	"skew of all\n"
	"    --drift PPM    kappa in parts per million, 0..499999 (default "
	"1000)\n"
	"    --period US    tau, the sending period in us, at least 1 "
	"(default 100)\n"
	"    --line 0|1     1: the nodes in a line (d = N - 1); 0: complete "
	"(d = 1)\n"
	"    --broken no-max\n"
	"                   a receiver sets its clock to Tm + mu even when "
	"that is\n"
	"                   behind it, which the monotonic check catches\n"
	"    --trace        print the trace before the summary\n"
	"    --json         print the summary as one JSON object (skews in "
	"ns)\n"
	"    -h, --help     print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every property holds, 1 when one fails (the seed is "
	"printed),\n"
	"    2 on a bad option or SPEC.\n";

static const char *const counts[] = { "samples", "max_skew_ns", "bound_ns",
				      "start_skew_ns", NULL };
static const char *const props[] = { "bound", "monotonic", NULL };
static const char *const extras[] = { "drift", "period", "line", NULL };
static const uint64_t extra_defaults[] = { 1000, 100, 0 };
static const char *const broken[] = { "no-max", NULL };

static int run(const struct sim_args *a, const struct _rc_sim_faults *f,
	       uint64_t seed, unsigned variant, FILE *trace, struct sim_run *r,
	       rc_err_t *err)
{
	struct _rc_clk_sim_opts o = {
		variant ? RC_CLK_NO_MAX : RC_CLK_LAMPORT,
		(unsigned)a->nodes,
		seed,
		(unsigned)a->commands,
		(double)a->x[0] / 1e6,
		(double)a->x[1],
		a->x[2] == 1,
		*f,
		trace,
	};
	struct _rc_clk_sim_result res;
	int rc = _rc_clk_sim_run(&o, &res, err);

	r->count[0] = res.samples;
	r->count[1] = (uint64_t)(res.max_skew * 1000 + 0.5);
	r->count[2] = (uint64_t)(res.bound * 1000 + 0.5);
	r->count[3] = (uint64_t)(res.start_skew * 1000 + 0.5);
	r->st = res.st;
	r->violations = res.violations;
	snprintf(r->why, sizeof(r->why), "%s", res.why);
	return rc;
}

static const char *check(const struct sim_args *a,
			 const struct _rc_sim_faults *f, char *buf, size_t len)
{
	(void)f;
	(void)buf;
	(void)len;
	if (a->x[0] >= 500000 || a->x[1] < 1 || a->x[2] > 1)
		return "--drift must be 0..499999, --period at least 1, "
		       "--line 0 or 1";
	return NULL;
}

static void head(const struct sim_args *a, const struct sim_run *sum)
{
	printf("  skew                %.3f us at most after the warm-up, "
	       "%llu samples\n",
	       (double)sum->count[1] / 1000, (unsigned long long)sum->count[0]);
	printf("  bound               %.3f us = d (2 kappa tau + xi), "
	       "kappa %llu ppm, tau %llu us, d %llu\n",
	       (double)sum->count[2] / 1000, (unsigned long long)a->x[0],
	       (unsigned long long)a->x[1],
	       (unsigned long long)(a->x[2] ? a->nodes - 1 : 1));
	printf("  at the start        %.3f us apart\n",
	       (double)sum->count[3] / 1000);
}

int clocks_sim(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "clocks",
		.cmd = "sim clocks",
		.help = help,
		.nodes = 4,
		.commands = 100,
		.min_nodes = 2,
		.broken = broken,
		.counts = counts,
		.max_counts = 0xe, /* the skews and the bound */
		.props = props,
		.extras = extras,
		.extra_defaults = extra_defaults,
		.run = run,
		.check = check,
		.head = head,
	};

	return sim_drive(&d, argc, argv);
}
