/* SPDX-License-Identifier: MIT */
/* cmd_raft.c: `replicore sim raft`, seeded simulations of Raft with faults, every run's properties checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
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

static void print_props(FILE *out, unsigned v)
{
	const char *sep = "";

	for (unsigned p = 1; p <= RC_RAFT_PROP_LAST; p <<= 1)
		if (v & p) {
			fprintf(out, "%s%s", sep, _rc_raft_prop_name(p));
			sep = ", ";
		}
}

int raft_sim(int argc, char **argv)
{
	const char *cmd = "sim raft";
	struct _rc_raft_sim_opts o;
	struct _rc_raft_sim_result sum, r;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct sim_args a = { 5, 1, 100, 1, "none", false, false, NULL };
	uint64_t prevote = 0, repair = 1, failed = 0, first_fail = 0;
	const struct sim_extra extra[] = { { "prevote", &prevote },
					   { "repair", &repair } };
	char first_why[256] = "";
	unsigned props = 0;
	int rc = sim_args_parse(cmd, raft_help, argc, argv, &a, extra,
				sizeof extra / sizeof extra[0]);
	uint64_t nodes = a.nodes, seed = a.seed, commands = a.commands,
		 runs = a.runs;
	const char *spec = a.faults;
	bool trace = a.trace, json = a.json;

	if (rc >= 0)
		return rc;
	if (nodes < 1 || nodes > RC_SIM_MAX_NODES)
		return cli_usage(cmd, "--nodes must be 1..%d",
				 RC_SIM_MAX_NODES);
	if (runs < 1 || commands < 1 || commands > 100000)
		return cli_usage(cmd, "--runs must be at least 1, --commands "
				      "1..100000");
	if (prevote > 1 || repair > 1)
		return cli_usage(cmd, "--prevote and --repair must be 0 or 1");
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
	if (o.faults.crash > (nodes - 1) / 2)
		return cli_usage(cmd,
				 "--faults: crash=%u leaves no majority of %u "
				 "nodes (at most %u)",
				 o.faults.crash, (unsigned)nodes,
				 (unsigned)(nodes - 1) / 2);
	o.cfg.nodes = (unsigned)nodes;
	o.cfg.prevote = prevote == 1;
	o.cfg.decrement = repair == 0;
	o.commands = (unsigned)commands;
	o.trace = trace ? stdout : NULL;
	memset(&sum, 0, sizeof sum);
	for (uint64_t k = 0; k < runs; k++) {
		o.seed = seed + k;
		if (_rc_raft_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return CLI_EXIT_USAGE;
		}
		sum.committed += r.committed;
		sum.elections += r.elections;
		sum.leaders += r.leaders;
		if (r.terms > sum.terms)
			sum.terms = r.terms;
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
		cli_json_kv_str(&j, "protocol", "raft");
		cli_json_kv_uint(&j, "nodes", nodes);
		cli_json_kv_uint(&j, "seed", seed);
		cli_json_kv_uint(&j, "runs", runs);
		cli_json_kv_str(&j, "faults", spec);
		cli_json_kv_uint(&j, "commands", commands);
		cli_json_kv_uint(&j, "prevote", prevote);
		cli_json_kv_uint(&j, "repair", repair);
		cli_json_kv_uint(&j, "committed", sum.committed);
		cli_json_kv_uint(&j, "elections", sum.elections);
		cli_json_kv_uint(&j, "leaders", sum.leaders);
		cli_json_kv_uint(&j, "max_term", sum.terms);
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
		for (unsigned p = 1; p <= RC_RAFT_PROP_LAST; p <<= 1)
			if (props & p)
				cli_json_str(&j, _rc_raft_prop_name(p));
		cli_json_arr_end(&j);
		if (failed) {
			cli_json_kv_uint(&j, "first_failing_seed", first_fail);
			cli_json_kv_str(&j, "why", first_why);
		}
		cli_json_obj_end(&j);
		cli_json_end(&j);
	} else {
		printf("raft sim: %llu run%s of %llu nodes from seed %llu, "
		       "faults %s%s%s\n",
		       (unsigned long long)runs, runs == 1 ? "" : "s",
		       (unsigned long long)nodes, (unsigned long long)seed,
		       spec, prevote ? ", pre-vote" : "",
		       repair ? "" : ", one-index repair");
		printf("  commands            %llu in the workload, %llu "
		       "applied by "
		       "every live node\n",
		       (unsigned long long)(commands * runs),
		       (unsigned long long)sum.committed);
		printf("  elections           %llu started, %llu leaders, "
		       "highest term %llu\n",
		       (unsigned long long)sum.elections,
		       (unsigned long long)sum.leaders,
		       (unsigned long long)sum.terms);
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
		if (failed) {
			printf("  VIOLATED            ");
			print_props(stdout, props);
			printf(" in %llu run%s; first at seed %llu: %s\n",
			       (unsigned long long)failed,
			       failed == 1 ? "" : "s",
			       (unsigned long long)first_fail, first_why);
		} else {
			printf("  properties          election safety, log "
			       "matching, leader completeness,\n"
			       "                      state-machine safety, "
			       "agreement, validity, integrity,\n"
			       "                      liveness: hold\n");
		}
	}
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
