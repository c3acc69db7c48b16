/* SPDX-License-Identifier: MIT */
/* cmd_raft.c: `replicore sim raft`, seeded simulations of Raft with faults, every run's properties checked. */
#include <stdio.h>
#include <string.h>

#include "protocols/raft/raft.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char raft_help[] =
	"NAME\n"
	"    replicore sim raft - Raft simulated with faults, its properties "
	"checked\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim raft [--nodes N] [--seed S] [--faults SPEC] "
	"[--commands C]\n"
	"                       [--runs R] [--prevote 0|1] [--repair 0|1] "
	"[--trace] [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs Raft (Ongaro and Ousterhout, 2014) with N nodes in one "
	"thread on\n"
	"    simulated time over the faulty transport of replicore sim, "
	"every choice,\n"
	"    election timeouts included, drawn from the seed. C client "
	"commands arrive\n"
	"    at random nodes, which forward them to the leader until they "
	"apply them.\n"
	"    Term, vote, log and accepted commands are recorded before "
	"anything that\n"
	"    depends on them is sent, in a per-node record that survives a "
	"crash; a\n"
	"    node that restarts recovers from it. After each run the "
	"properties are\n"
	"    checked: election safety (one leader per term), log matching, "
	"leader\n"
	"    completeness (a new leader holds every entry committed in an "
	"earlier\n"
	"    term), state-machine safety (no two nodes apply different "
	"entries at one\n"
	"    index), agreement (no two commits differ at one index), "
	"validity (only\n"
	"    submitted commands are applied), integrity (in index order, "
	"none twice)\n"
	"    and liveness (every command submitted at a node that never "
	"crashes for\n"
	"    good is applied by every node up at the end).\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N      nodes, 1..64 (default 5)\n"
	"    --seed S       the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC  comma-separated NAME=VALUE: drop=P, dup=P, "
	"delay=P\n"
	"                   (probabilities per message, 0..1), crash=K "
	"(nodes that\n"
	"                   stop for good, at most a minority), stall=K "
	"(pauses of a\n"
	"                   node), restart=K (crashes the node comes back "
	"from with\n"
	"                   its record), part=K (partitions into two groups "
	"that\n"
	"                   heal); \"none\" for none (default)\n"
	"    --commands C   client commands (default 100)\n"
	"    --runs R       run seeds S..S+R-1 and sum them (default 1)\n"
	"    --prevote 0|1  a pre-vote round before each election (default "
	"0)\n"
	"    --repair 0|1   1: a leader repairs a follower's log by the "
	"conflicting\n"
	"                   term the follower names; 0: one index per round "
	"trip\n"
	"                   (default 1)\n"
	"    --trace        print the trace (send, drop, dup, cut, recv, "
	"submit,\n"
	"                   leader, commit, crash, restart, split, heal) "
	"before the\n"
	"                   summary\n"
	"    --json         print the summary as one JSON object\n"
	"    -h, --help     print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every property holds, 1 when one fails (the seed is "
	"printed),\n"
	"    2 on a bad option or SPEC.\n";

static const char *const counts[] = { "committed", "elections", "leaders",
				      "max_term", NULL };
static const char *const props[] = { "election safety",
				     "log matching",
				     "leader completeness",
				     "state-machine safety",
				     "agreement",
				     "validity",
				     "integrity",
				     "liveness",
				     NULL };
static const char *const extras[] = { "prevote", "repair", NULL };
static const uint64_t extra_defaults[] = { 0, 1 };

static int run(const struct sim_args *a, const struct _rc_sim_faults *f,
	       uint64_t seed, unsigned variant, FILE *trace, struct sim_run *r,
	       rc_err_t *err)
{
	struct _rc_raft_sim_opts o;
	struct _rc_raft_sim_result res;
	int rc;

	(void)variant;
	memset(&o, 0, sizeof o);
	o.cfg.nodes = (unsigned)a->nodes;
	o.cfg.prevote = a->x[0] == 1;
	o.cfg.decrement = a->x[1] == 0;
	o.seed = seed;
	o.commands = (unsigned)a->commands;
	o.faults = *f;
	o.trace = trace;
	rc = _rc_raft_sim_run(&o, &res, err);
	r->count[0] = res.committed;
	r->count[1] = res.elections;
	r->count[2] = res.leaders;
	r->count[3] = res.terms;
	/* the property bits are RC_RAFT_ELECTION << i, as props[] */
	r->st = res.st;
	r->violations = res.violations;
	snprintf(r->why, sizeof r->why, "%s", res.why);
	return rc;
}

static const char *check(const struct sim_args *a,
			 const struct _rc_sim_faults *f, char *buf, size_t len)
{
	if (a->x[0] > 1 || a->x[1] > 1)
		return "--prevote and --repair must be 0 or 1";
	if (f->crash > (a->nodes - 1) / 2) {
		snprintf(buf, len,
			 "--faults: crash=%u leaves no majority of %u nodes "
			 "(at most %u)",
			 f->crash, (unsigned)a->nodes,
			 (unsigned)(a->nodes - 1) / 2);
		return buf;
	}
	return NULL;
}

static const char *title(const struct sim_args *a)
{
	if (a->x[0] && !a->x[1])
		return ", pre-vote, one-index repair";
	return a->x[0] ? ", pre-vote" : a->x[1] ? "" : ", one-index repair";
}

static void head(const struct sim_args *a, const struct sim_run *sum)
{
	printf("  commands            %llu in the workload, %llu applied by "
	       "every live node\n",
	       (unsigned long long)(a->commands * a->runs),
	       (unsigned long long)sum->count[0]);
	printf("  elections           %llu started, %llu leaders, highest "
	       "term %llu\n",
	       (unsigned long long)sum->count[1],
	       (unsigned long long)sum->count[2],
	       (unsigned long long)sum->count[3]);
}

int raft_sim(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "raft",
		.cmd = "sim raft",
		.help = raft_help,
		.nodes = 5,
		.commands = 100,
		.min_nodes = 1,
		.counts = counts,
		.max_counts = 1u << 3,
		.props = props,
		.extras = extras,
		.extra_defaults = extra_defaults,
		.run = run,
		.check = check,
		.title = title,
		.head = head,
	};

	return sim_drive(&d, argc, argv);
}
