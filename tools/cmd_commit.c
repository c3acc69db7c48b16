/* SPDX-License-Identifier: MIT */
/* cmd_commit.c: `replicore sim 2pc` and `replicore sim 3pc`, seeded simulations of atomic commitment with faults, checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
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

static void print_props(FILE *out, unsigned v)
{
	const char *sep = "";

	for (unsigned p = 1; p <= RC_COMMIT_TERMINATION; p <<= 1)
		if (v & p) {
			fprintf(out, "%s%s", sep, _rc_commit_prop_name(p));
			sep = ", ";
		}
}

static int commit_sim(enum _rc_commit_kind kind, int argc, char **argv)
{
	const char *name = kind == RC_COMMIT_2PC ? "2pc" : "3pc";
	const char *cmd = kind == RC_COMMIT_2PC ? "sim 2pc" : "sim 3pc";
	struct _rc_commit_sim_opts o;
	struct _rc_commit_sim_result sum, r;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct sim_args a = { 4, 1, 20, 1, "none", false, false, NULL };
	uint64_t failed = 0, first_fail = 0;
	char first_why[256] = "";
	unsigned props = 0;
	int rc = sim_args_parse(cmd, commit_help, argc, argv, &a, NULL, 0);
	uint64_t nodes = a.nodes, seed = a.seed, commands = a.commands,
		 runs = a.runs;
	const char *spec = a.faults;
	bool trace = a.trace, json = a.json;

	if (rc >= 0)
		return rc;
	if (nodes < 2 || nodes > RC_SIM_MAX_NODES)
		return cli_usage(cmd, "--nodes must be 2..%d",
				 RC_SIM_MAX_NODES);
	if (runs < 1 || commands < 1 || commands > 100000)
		return cli_usage(cmd, "--runs must be at least 1, --commands "
				      "1..100000");
	memset(&o, 0, sizeof o);
	if (_rc_sim_faults_parse(spec, &o.faults, &err) < 0) {
		fprintf(stderr, "replicore %s: --faults:%u:%u: %s\n", cmd,
			err.line, err.col, err.msg);
		fprintf(stderr,
			"Try 'replicore %s --help' for more "
			"information.\n",
			cmd);
		return CLI_EXIT_USAGE;
	}
	if (o.faults.crash >= nodes)
		return cli_usage(cmd,
				 "--faults: crash=%u leaves no node of %u up "
				 "(at most %u)",
				 o.faults.crash, (unsigned)nodes,
				 (unsigned)nodes - 1);
	o.kind = kind;
	o.nodes = (unsigned)nodes;
	o.txns = (unsigned)commands;
	o.trace = trace ? stdout : NULL;
	memset(&sum, 0, sizeof sum);
	for (uint64_t k = 0; k < runs; k++) {
		o.seed = seed + k;
		if (_rc_commit_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return CLI_EXIT_USAGE;
		}
		sum.begun += r.begun;
		sum.committed += r.committed;
		sum.aborted += r.aborted;
		sum.blocked += r.blocked;
		sum.messages += r.messages;
		sum.dropped += r.dropped;
		sum.duplicated += r.duplicated;
		sum.delayed += r.delayed;
		sum.cut += r.cut;
		sum.crashed += r.crashed;
		sum.restarts += r.restarts;
		sum.partitions += r.partitions;
		sum.stalls += r.stalls;
		sum.time += r.time;
		if (r.violations) {
			if (failed++ == 0) {
				first_fail = o.seed;
				snprintf(first_why, sizeof first_why, "%s",
					 r.why);
			}
			props |= r.violations;
			fprintf(stderr, "replicore %s: seed %llu violates %s\n",
				cmd, (unsigned long long)o.seed, r.why);
		}
	}
	if (json) {
		struct cli_json j;

		cli_json_init(&j, stdout);
		cli_json_obj(&j);
		cli_json_kv_str(&j, "protocol", name);
		cli_json_kv_uint(&j, "nodes", nodes);
		cli_json_kv_uint(&j, "seed", seed);
		cli_json_kv_uint(&j, "runs", runs);
		cli_json_kv_str(&j, "faults", spec);
		cli_json_kv_uint(&j, "commands", commands);
		cli_json_kv_uint(&j, "begun", sum.begun);
		cli_json_kv_uint(&j, "committed", sum.committed);
		cli_json_kv_uint(&j, "aborted", sum.aborted);
		cli_json_kv_uint(&j, "blocked", sum.blocked);
		cli_json_kv_uint(&j, "messages", sum.messages);
		cli_json_kv_uint(&j, "dropped", sum.dropped);
		cli_json_kv_uint(&j, "duplicated", sum.duplicated);
		cli_json_kv_uint(&j, "delayed", sum.delayed);
		cli_json_kv_uint(&j, "cut", sum.cut);
		cli_json_kv_uint(&j, "crashed", sum.crashed);
		cli_json_kv_uint(&j, "restarts", sum.restarts);
		cli_json_kv_uint(&j, "stalls", sum.stalls);
		cli_json_kv_uint(&j, "partitions", sum.partitions);
		cli_json_kv_uint(&j, "simulated_us", sum.time);
		cli_json_kv_uint(&j, "failed_runs", failed);
		cli_json_key(&j, "violations");
		cli_json_arr(&j);
		for (unsigned p = 1; p <= RC_COMMIT_TERMINATION; p <<= 1)
			if (props & p)
				cli_json_str(&j, _rc_commit_prop_name(p));
		cli_json_arr_end(&j);
		if (failed) {
			cli_json_kv_uint(&j, "first_failing_seed", first_fail);
			cli_json_kv_str(&j, "why", first_why);
		}
		cli_json_obj_end(&j);
		cli_json_end(&j);
	} else {
		printf("%s sim: %llu run%s of %llu nodes from seed %llu, "
		       "faults %s\n",
		       name, (unsigned long long)runs, runs == 1 ? "" : "s",
		       (unsigned long long)nodes, (unsigned long long)seed,
		       spec);
		printf("  transactions        %llu begun: %llu committed, %llu "
		       "aborted, %llu blocked\n",
		       (unsigned long long)sum.begun,
		       (unsigned long long)sum.committed,
		       (unsigned long long)sum.aborted,
		       (unsigned long long)sum.blocked);
		printf("  messages            %llu sent, %llu dropped, %llu "
		       "duplicated, %llu delayed, %llu cut\n",
		       (unsigned long long)sum.messages,
		       (unsigned long long)sum.dropped,
		       (unsigned long long)sum.duplicated,
		       (unsigned long long)sum.delayed,
		       (unsigned long long)sum.cut);
		printf("  nodes               %llu crashed, %llu restarts, "
		       "%llu stalls, %llu partitions\n",
		       (unsigned long long)sum.crashed,
		       (unsigned long long)sum.restarts,
		       (unsigned long long)sum.stalls,
		       (unsigned long long)sum.partitions);
		printf("  simulated time      %llu us\n",
		       (unsigned long long)sum.time);
		if (sum.blocked)
			printf("  blocked             %llu transaction%s left "
			       "live nodes undecided where termination is "
			       "not promised (%s)\n",
			       (unsigned long long)sum.blocked,
			       sum.blocked == 1 ? "" : "s",
			       kind == RC_COMMIT_2PC
				       ? "the coordinator is down"
				       : "a restart or a partition");
		if (failed) {
			printf("  VIOLATED            ");
			print_props(stdout, props);
			printf(" in %llu run%s; first at seed %llu: %s\n",
			       (unsigned long long)failed,
			       failed == 1 ? "" : "s",
			       (unsigned long long)first_fail, first_why);
		} else {
			printf("  properties          atomicity, validity, "
			       "termination: hold\n");
		}
	}
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

int commit_sim_2pc(int argc, char **argv)
{
	return commit_sim(RC_COMMIT_2PC, argc, argv);
}

int commit_sim_3pc(int argc, char **argv)
{
	return commit_sim(RC_COMMIT_3PC, argc, argv);
}
