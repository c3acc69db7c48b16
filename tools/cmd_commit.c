/* SPDX-License-Identifier: MIT */
/* cmd_commit.c: `replicore sim 2pc` and `replicore sim 3pc`, seeded simulations of atomic commitment with faults, checked. */
#include <stdio.h>

#include "protocols/commit/commit.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char commit_help[] =
	"NAME\n"
	"    replicore sim 2pc, replicore sim 3pc - atomic commitment "
	"simulated with faults\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim 2pc|3pc [--nodes N] [--seed S] [--faults SPEC] "
	"[--commands C]\n"
	"                          [--runs R] [--trace] [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs two-phase (2pc) or three-phase (3pc) commit with N nodes "
	"in one thread\n"
	"    on simulated time over the faulty transport of replicore sim, "
	"every choice\n"
	"    drawn from the seed. C transactions begin at random nodes, "
	"each node\n"
	"    coordinating those begun at it; every other node votes (a "
	"seeded vote,\n"
	"    no with probability 1/8). Votes, pre-commits and decisions are "
	"recorded\n"
	"    before they are sent, in a per-node record that survives a "
	"crash;\n"
	"    a node that restarts recovers from it. A participant that times "
	"out runs\n"
	"    the termination protocol: in 2pc it asks the others, blocking "
	"while the\n"
	"    coordinator is down and nobody knows the decision; in 3pc "
	"(pre-commit\n"
	"    phase) the nodes that are up elect a leader that decides from "
	"their\n"
	"    states. After each run the properties are checked: atomicity "
	"(no node\n"
	"    commits a transaction another aborts), validity (commit only "
	"if every\n"
	"    participant voted yes; without faults, abort only on a no "
	"vote) and\n"
	"    termination where it is promised (2pc: the coordinator is up "
	"at the end;\n"
	"    3pc: no restart and no partition). A live node left undecided "
	"where it\n"
	"    is not promised is counted as blocked, not as a violation.\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N      nodes, 2..64 (default 4)\n"
	"    --seed S       the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC  comma-separated NAME=VALUE: drop=P, dup=P, "
	"delay=P\n"
	"                   (probabilities per message, 0..1), crash=K "
	"(nodes that\n"
	"                   stop for good, fewer than N), stall=K (pauses of "
	"a node),\n"
	"                   restart=K (crashes the node comes back from "
	"with its\n"
	"                   record), part=K (partitions into two groups "
	"that heal);\n"
	"                   \"none\" for none (default)\n"
	"    --commands C   transactions (default 20)\n"
	"    --runs R       run seeds S..S+R-1 and sum them (default 1)\n"
	"    --trace        print the trace (send, drop, dup, cut, recv, "
	"record, crash,\n"
	"                   restart, split, heal) before the summary\n"
	"    --json         print the summary as one JSON object\n"
	"    -h, --help     print this help\n"
	"\n"
	"KNOWN LIMITS, SHOWN BY FIXED SEEDS\n"
	"    replicore sim 2pc --nodes 3 --seed 17 --faults crash=1,delay=0.3 "
	"--commands 10\n"
	"        blocks (exit 0): the coordinator stops for good after a "
	"vote and\n"
	"        the participants stay uncertain\n"
	"    replicore sim 3pc --nodes 4 --seed 3 --faults part=1,delay=0.3 "
	"--commands 20\n"
	"        violates atomicity (exit 1): each side of the partition "
	"decides alone\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every property holds (blocked transactions included), "
	"1 when one\n"
	"    fails (the seed is printed), 2 on a bad option or SPEC.\n";

static const char *const counts[] = { "begun", "committed", "aborted",
				      "blocked", NULL };
static const char *const props[] = { "atomicity", "validity", "termination",
				     NULL };

static int run(enum _rc_commit_kind kind, const struct sim_args *a,
	       const struct _rc_sim_faults *f, uint64_t seed, FILE *trace,
	       struct sim_run *r, rc_err_t *err)
{
	struct _rc_commit_sim_opts o = { kind, (unsigned)a->nodes,
					 seed, (unsigned)a->commands,
					 *f,   trace };
	struct _rc_commit_sim_result res;
	int rc = _rc_commit_sim_run(&o, &res, err);

	r->count[0] = res.begun;
	r->count[1] = res.committed;
	r->count[2] = res.aborted;
	r->count[3] = res.blocked;
	/* the property bits are RC_COMMIT_ATOMICITY << i, as props[] */
	r->st = res.st;
	r->violations = res.violations;
	snprintf(r->why, sizeof(r->why), "%s", res.why);
	return rc;
}

static int run_2pc(const struct sim_args *a, const struct _rc_sim_faults *f,
		   uint64_t seed, unsigned variant, FILE *trace,
		   struct sim_run *r, rc_err_t *err)
{
	(void)variant;
	return run(RC_COMMIT_2PC, a, f, seed, trace, r, err);
}

static int run_3pc(const struct sim_args *a, const struct _rc_sim_faults *f,
		   uint64_t seed, unsigned variant, FILE *trace,
		   struct sim_run *r, rc_err_t *err)
{
	(void)variant;
	return run(RC_COMMIT_3PC, a, f, seed, trace, r, err);
}

static void head(const struct sim_args *a, const struct sim_run *sum)
{
	(void)a;
	printf("  transactions        %llu begun: %llu committed, %llu "
	       "aborted, %llu blocked\n",
	       (unsigned long long)sum->count[0],
	       (unsigned long long)sum->count[1],
	       (unsigned long long)sum->count[2],
	       (unsigned long long)sum->count[3]);
}

static void tail(const struct sim_run *sum, const char *why)
{
	if (sum->count[3])
		printf("  blocked             %llu transaction%s left live "
		       "nodes undecided where termination is not promised "
		       "(%s)\n",
		       (unsigned long long)sum->count[3],
		       sum->count[3] == 1 ? "" : "s", why);
}

static void tail_2pc(const struct sim_run *sum)
{
	tail(sum, "the coordinator is down");
}

static void tail_3pc(const struct sim_run *sum)
{
	tail(sum, "a restart or a partition");
}

int commit_sim_2pc(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "2pc",
		.cmd = "sim 2pc",
		.help = commit_help,
		.nodes = 4,
		.commands = 20,
		.min_nodes = 2,
		.counts = counts,
		.props = props,
		.run = run_2pc,
		.head = head,
		.tail = tail_2pc,
	};

	return sim_drive(&d, argc, argv);
}

int commit_sim_3pc(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "3pc",
		.cmd = "sim 3pc",
		.help = commit_help,
		.nodes = 4,
		.commands = 20,
		.min_nodes = 2,
		.counts = counts,
		.props = props,
		.run = run_3pc,
		.head = head,
		.tail = tail_3pc,
	};

	return sim_drive(&d, argc, argv);
}
