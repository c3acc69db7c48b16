/* SPDX-License-Identifier: MIT */
/* cmd_pbft.c: `replicore sim pbft`, seeded simulations of PBFT with Byzantine replicas and faults, agreement and validity checked. */
#include <stdio.h>
#include <string.h>

#include "protocols/pbft/pbft.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char pbft_help[] =
	"NAME\n"
	"    replicore sim pbft - PBFT simulated with Byzantine replicas, "
	"agreement checked\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim pbft [--nodes N] [--byz K] [--behaviour B] "
	"[--seed S]\n"
	"                       [--faults SPEC] [--commands C] [--runs R]\n"
	"                       [--broken quorum-2f] [--trace] [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs PBFT (Castro and Liskov, 1999) with N = 3f + 1 or more "
	"replicas\n"
	"    (f = (N - 1) / 3, quorums of 2f + 1) in one thread on simulated "
	"time over\n"
	"    the faulty transport of replicore sim: pre-prepare, prepare, "
	"commit,\n"
	"    checkpoints every 8 sequence numbers with the log collected "
	"below the\n"
	"    stable one, view change with prepared certificates. Messages "
	"are\n"
	"    authenticated: each carries its true sender, and messages "
	"embedded in\n"
	"    others are references to a registry of messages really sent. K "
	"replicas,\n"
	"    drawn from the seed, are Byzantine, each with a behaviour "
	"drawn from the\n"
	"    seed (or B for all): 1 silent, 2 equivocating primary (the "
	"request to\n"
	"    half of the backups, the null request to the others), 3 "
	"conflicting\n"
	"    votes (PREPARE and COMMIT for a digest not seen as well), 4 "
	"replay of old\n"
	"    messages. C client requests arrive at random replicas. After "
	"each run:\n"
	"    agreement (no two correct replicas execute different requests "
	"at one\n"
	"    sequence number) and validity (every request executed was "
	"submitted).\n"
	"    Runs in which every correct replica executed every request "
	"submitted at\n"
	"    a correct one are counted as complete (reported, not "
	"judged).\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N      replicas, 4..64 (default 4)\n"
	"    --byz K        Byzantine replicas (default 0); agreement is "
	"promised for\n"
	"                   K <= f only\n"
	"    --behaviour B  0: drawn per replica from the seed (default), "
	"1..4 as above\n"
	"    --seed S       the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC  drop=P, dup=P, delay=P, crash=K, stall=K, part=K "
	"(see\n"
	"                   replicore sim --help); \"none\" (default)\n"
	"    --commands C   client requests (default 50)\n"
	"    --runs R       run seeds S..S+R-1 and sum them (default 1)\n"
	"    --broken quorum-2f\n"
	"                   quorums of 2f instead of 2f + 1, which a "
	"single\n"
	"                   equivocating primary defeats\n"
	"    --trace        print the trace before the summary\n"
	"    --json         print the summary as one JSON object\n"
	"    -h, --help     print this help\n"
	"\n"
	"THE BOUND IS TIGHT, SHOWN BY A FIXED SEED\n"
	"    replicore sim pbft --nodes 4 --byz 2 --seed 98\n"
	"        f + 1 = 2 Byzantine replicas of 4 break agreement (exit 1)\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when agreement and validity hold, 1 when one fails (the seed "
	"is\n"
	"    printed), 2 on a bad option or SPEC.\n";

static const char *const counts[] = { "executed",    "complete",  "views",
				      "checkpoints", "collected", NULL };
static const char *const props[] = { "agreement", "validity", NULL };
static const char *const extras[] = { "byz", "behaviour", NULL };
static const uint64_t extra_defaults[] = { 0, 0 };
static const char *const broken[] = { "quorum-2f", NULL };

static int run(const struct sim_args *a, const struct _rc_sim_faults *f,
	       uint64_t seed, unsigned variant, FILE *trace, struct sim_run *r,
	       rc_err_t *err)
{
	struct _rc_pbft_sim_opts o;
	struct _rc_pbft_sim_result res;
	int rc;

	memset(&o, 0, sizeof o);
	o.nodes = (unsigned)a->nodes;
	o.byz = (unsigned)a->x[0];
	o.behaviour = (unsigned)a->x[1];
	o.quorum = variant == 1 ? 2 * (o.nodes - 1) / 3 : 0;
	o.seed = seed;
	o.commands = (unsigned)a->commands;
	o.faults = *f;
	o.trace = trace;
	rc = _rc_pbft_sim_run(&o, &res, err);
	r->count[0] = res.executed;
	r->count[1] = res.complete;
	r->count[2] = res.views;
	r->count[3] = res.checkpoints;
	r->count[4] = res.collected;
	r->st = res.st;
	r->violations = res.violations;
	snprintf(r->why, sizeof r->why, "%s", res.why);
	return rc;
}

static const char *check(const struct sim_args *a,
			 const struct _rc_sim_faults *f, char *buf, size_t len)
{
	if (a->x[1] > 4)
		return "--behaviour must be 0..4";
	if (a->x[0] + f->crash >= a->nodes) {
		snprintf(buf, len,
			 "--byz %llu and crash=%u leave no correct replica of "
			 "%llu",
			 (unsigned long long)a->x[0], f->crash,
			 (unsigned long long)a->nodes);
		return buf;
	}
	if (f->restart)
		return "--faults: restart: not a fault of pbft (replicas keep "
		       "no record)";
	return NULL;
}

static const char *title(const struct sim_args *a)
{
	static char buf[96];
	unsigned f = (unsigned)(a->nodes - 1) / 3;

	snprintf(buf, sizeof buf, ", f = %u, %llu Byzantine%s", f,
		 (unsigned long long)a->x[0],
		 a->x[0] > f ? " (more than f)" : "");
	return buf;
}

static void head(const struct sim_args *a, const struct sim_run *sum)
{
	printf("  requests            %llu submitted, %llu executed by every "
	       "correct live replica\n",
	       (unsigned long long)(a->commands * a->runs),
	       (unsigned long long)sum->count[0]);
	printf("  complete runs       %llu of %llu\n",
	       (unsigned long long)sum->count[1], (unsigned long long)a->runs);
	printf("  views               highest %llu\n",
	       (unsigned long long)sum->count[2]);
	printf("  checkpoints         highest stable %llu, %llu log entries "
	       "collected\n",
	       (unsigned long long)sum->count[3],
	       (unsigned long long)sum->count[4]);
}

int pbft_sim(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "pbft",
		.cmd = "sim pbft",
		.help = pbft_help,
		.nodes = 4,
		.commands = 50,
		.min_nodes = 4,
		.broken = broken,
		.counts = counts,
		.max_counts = (1u << 2) | (1u << 3),
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
