/* SPDX-License-Identifier: MIT */
/* cmd_lmutex.c: `replicore sim lmutex`, seeded simulations of Lamport's mutual exclusion with faults, checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "protocols/lmutex/lmutex.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char lmutex_help[] =
	"NAME\n"
	"    replicore sim lmutex - Lamport's mutual exclusion simulated "
	"with faults\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim lmutex [--nodes N] [--seed S] [--faults SPEC] "
	"[--commands C]\n"
	"                         [--runs R] [--trace] [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs Lamport's mutual exclusion (CACM 1978) among N processes "
	"in one\n"
	"    thread on simulated time over the faulty transport of "
	"replicore sim,\n"
	"    every choice drawn from the seed. C requests for the critical "
	"section\n"
	"    arrive at random processes; a request is stamped with the "
	"process's\n"
	"    Lamport time, queued and sent to every process, which queues "
	"it and\n"
	"    acknowledges; a process enters when its request is first in its "
	"queue by\n"
	"    (time, id) and it has a later message from every other, holds "
	"the\n"
	"    section 1-20 us and releases it to every process. Under the "
	"algorithm a\n"
	"    reliable FIFO link per pair (sequence numbers, cumulative "
	"acknowledgements,\n"
	"    retransmission with a doubling timeout) makes good what the "
	"transport\n"
	"    drops, duplicates and reorders. Checked as the run goes: "
	"exclusion (no\n"
	"    process enters while another is inside) and order (grants "
	"follow the\n"
	"    (time, id) order of the requests); at the end, when no "
	"process crashed,\n"
	"    liveness (every request granted). A crashed process never "
	"acknowledges\n"
	"    again and the others wait for ever, as the paper says: such a "
	"run is\n"
	"    counted as blocked, not as a violation.\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N      processes, 2..64 (default 4)\n"
	"    --seed S       the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC  comma-separated NAME=VALUE: drop=P, dup=P, "
	"delay=P\n"
	"                   (probabilities per message, 0..1), crash=K "
	"(processes\n"
	"                   that stop for good, fewer than N), stall=K "
	"(pauses of a\n"
	"                   process), part=K (partitions into two groups "
	"that heal);\n"
	"                   \"none\" for none (default); restart=K is "
	"refused (a\n"
	"                   process has no stable state to come back with)\n"
	"    --commands C   requests for the critical section (default 20)\n"
	"    --runs R       run seeds S..S+R-1 and sum them (default 1)\n"
	"    --trace        print the trace (send, drop, dup, cut, recv, "
	"request,\n"
	"                   enter, exit, crash, stall, split, heal) before "
	"the summary\n"
	"    --json         print the summary as one JSON object\n"
	"    -h, --help     print this help\n"
	"\n"
	"KNOWN LIMIT, SHOWN BY A FIXED SEED\n"
	"    replicore sim lmutex --nodes 3 --seed 4 --faults crash=1 "
	"--commands 40\n"
	"        blocks (exit 0): 4 of 29 requests granted, then a process "
	"crashes\n"
	"        and the others wait for its acknowledgement for ever\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every property holds (blocked runs included), 1 when "
	"one fails\n"
	"    (the seed is printed), 2 on a bad option or SPEC.\n";

static void print_props(FILE *out, unsigned v)
{
	const char *sep = "";

	for (unsigned p = 1; p <= RC_LMUTEX_LIVENESS; p <<= 1)
		if (v & p) {
			fprintf(out, "%s%s", sep, _rc_lmutex_prop_name(p));
			sep = ", ";
		}
}

int lmutex_sim(int argc, char **argv)
{
	const char *cmd = "sim lmutex";
	struct _rc_lmutex_sim_opts o;
	struct _rc_lmutex_sim_result sum, r;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct sim_args a = { 4, 1, 20, 1, "none", false, false };
	uint64_t failed = 0, first_fail = 0, blocked = 0;
	char first_why[256] = "";
	unsigned props = 0;
	int rc = sim_args_parse(cmd, lmutex_help, argc, argv, &a, NULL, 0);

	if (rc >= 0)
		return rc;
	if (a.nodes < 2 || a.nodes > RC_SIM_MAX_NODES)
		return cli_usage(cmd, "--nodes must be 2..%d",
				 RC_SIM_MAX_NODES);
	if (a.runs < 1 || a.commands < 1 || a.commands > 100000)
		return cli_usage(cmd, "--runs must be at least 1, --commands "
				      "1..100000");
	memset(&o, 0, sizeof o);
	if (_rc_sim_faults_parse(a.faults, &o.faults, &err) < 0) {
		fprintf(stderr, "replicore %s: --faults:%u:%u: %s\n", cmd,
			err.line, err.col, err.msg);
		fprintf(stderr,
			"Try 'replicore %s --help' for more "
			"information.\n",
			cmd);
		return CLI_EXIT_USAGE;
	}
	if (o.faults.crash >= a.nodes)
		return cli_usage(cmd,
				 "--faults: crash=%u leaves no node of %u up "
				 "(at most %u)",
				 o.faults.crash, (unsigned)a.nodes,
				 (unsigned)a.nodes - 1);
	if (o.faults.restart)
		return cli_usage(cmd,
				 "--faults: restart=%u: a process has no "
				 "stable state to restart from",
				 o.faults.restart);
	o.nodes = (unsigned)a.nodes;
	o.requests = (unsigned)a.commands;
	o.trace = a.trace ? stdout : NULL;
	memset(&sum, 0, sizeof sum);
	for (uint64_t k = 0; k < a.runs; k++) {
		o.seed = a.seed + k;
		if (_rc_lmutex_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return CLI_EXIT_USAGE;
		}
		sum.requested += r.requested;
		sum.granted += r.granted;
		sum.resent += r.resent;
		sum.messages += r.messages;
		sum.dropped += r.dropped;
		sum.duplicated += r.duplicated;
		sum.delayed += r.delayed;
		sum.cut += r.cut;
		sum.crashed += r.crashed;
		sum.partitions += r.partitions;
		sum.stalls += r.stalls;
		sum.time += r.time;
		blocked += r.blocked;
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
	if (a.json) {
		struct cli_json j;

		cli_json_init(&j, stdout);
		cli_json_obj(&j);
		cli_json_kv_str(&j, "protocol", "lmutex");
		cli_json_kv_uint(&j, "nodes", a.nodes);
		cli_json_kv_uint(&j, "seed", a.seed);
		cli_json_kv_uint(&j, "runs", a.runs);
		cli_json_kv_str(&j, "faults", a.faults);
		cli_json_kv_uint(&j, "commands", a.commands);
		cli_json_kv_uint(&j, "requested", sum.requested);
		cli_json_kv_uint(&j, "granted", sum.granted);
		cli_json_kv_uint(&j, "blocked_runs", blocked);
		cli_json_kv_uint(&j, "messages", sum.messages);
		cli_json_kv_uint(&j, "resent", sum.resent);
		cli_json_kv_uint(&j, "dropped", sum.dropped);
		cli_json_kv_uint(&j, "duplicated", sum.duplicated);
		cli_json_kv_uint(&j, "delayed", sum.delayed);
		cli_json_kv_uint(&j, "cut", sum.cut);
		cli_json_kv_uint(&j, "crashed", sum.crashed);
		cli_json_kv_uint(&j, "stalls", sum.stalls);
		cli_json_kv_uint(&j, "partitions", sum.partitions);
		cli_json_kv_uint(&j, "simulated_us", sum.time);
		cli_json_kv_uint(&j, "failed_runs", failed);
		cli_json_key(&j, "violations");
		cli_json_arr(&j);
		for (unsigned p = 1; p <= RC_LMUTEX_LIVENESS; p <<= 1)
			if (props & p)
				cli_json_str(&j, _rc_lmutex_prop_name(p));
		cli_json_arr_end(&j);
		if (failed) {
			cli_json_kv_uint(&j, "first_failing_seed", first_fail);
			cli_json_kv_str(&j, "why", first_why);
		}
		cli_json_obj_end(&j);
		cli_json_end(&j);
	} else {
		printf("lmutex sim: %llu run%s of %llu processes from seed "
		       "%llu, faults %s\n",
		       (unsigned long long)a.runs, a.runs == 1 ? "" : "s",
		       (unsigned long long)a.nodes, (unsigned long long)a.seed,
		       a.faults);
		printf("  requests            %llu made, %llu granted\n",
		       (unsigned long long)sum.requested,
		       (unsigned long long)sum.granted);
		printf("  messages            %llu sent, %llu resent, %llu "
		       "dropped, %llu duplicated, %llu delayed, %llu cut\n",
		       (unsigned long long)sum.messages,
		       (unsigned long long)sum.resent,
		       (unsigned long long)sum.dropped,
		       (unsigned long long)sum.duplicated,
		       (unsigned long long)sum.delayed,
		       (unsigned long long)sum.cut);
		printf("  processes           %llu crashed, %llu stalls, %llu "
		       "partitions\n",
		       (unsigned long long)sum.crashed,
		       (unsigned long long)sum.stalls,
		       (unsigned long long)sum.partitions);
		printf("  simulated time      %llu us\n",
		       (unsigned long long)sum.time);
		if (blocked)
			printf("  blocked             %llu run%s left requests "
			       "waiting on a crashed process\n",
			       (unsigned long long)blocked,
			       blocked == 1 ? "" : "s");
		if (failed) {
			printf("  VIOLATED            ");
			print_props(stdout, props);
			printf(" in %llu run%s; first at seed %llu: %s\n",
			       (unsigned long long)failed,
			       failed == 1 ? "" : "s",
			       (unsigned long long)first_fail, first_why);
		} else {
			printf("  properties          exclusion, order, "
			       "liveness: hold\n");
		}
	}
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}
