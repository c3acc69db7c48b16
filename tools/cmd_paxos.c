/* SPDX-License-Identifier: MIT */
/* cmd_paxos.c: `replicore paxos sim` (also `replicore sim paxos`), seeded Multi-Paxos simulations with faults, checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/paxos.h>

#include "cli/cli.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char paxos_help[] =
	"NAME\n"
	"    replicore paxos - Multi-Paxos between NUMA nodes, simulated "
	"with faults\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore paxos sim [--nodes N] [--seed S] [--faults SPEC] "
	"[--commands C]\n"
	"                        [--runs R] [--batch B] [--window W] "
	"[--reads N] [--alpha A]\n"
	"                        [--trace] [--json]\n"
	"    replicore sim paxos [OPTION]...   (the same)\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs the rc_paxos protocol with N nodes in one thread on "
	"simulated time\n"
	"    (microseconds) over a transport that drops, duplicates, delays "
	"and\n"
	"    reorders messages and stalls and crashes nodes, every choice "
	"drawn from\n"
	"    the seed: the same arguments give the same run and the same "
	"trace. C\n"
	"    commands are submitted at random nodes; faults stop after a "
	"while (a\n"
	"    stalled node resumes and catches up, a crashed one stays down). "
	"After\n"
	"    each run the properties are checked: agreement (no two "
	"learners deliver\n"
	"    different commands in one slot), validity (only proposed "
	"commands),\n"
	"    integrity (each command at most once per learner), no gaps "
	"(slots in\n"
	"    order) and liveness (every command proposed at a live node is "
	"delivered\n"
	"    by every live node). With partitions, also minority: a command "
	"submitted\n"
	"    at a node on a side of fewer than a majority of the nodes is "
	"delivered\n"
	"    nowhere while that partition lasts; liveness then says that "
	"the sides\n"
	"    converge once the network heals.\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N      nodes in the group, 1..32 (default 3)\n"
	"    --seed S       the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC  comma-separated NAME=VALUE: drop=P, dup=P, "
	"delay=P\n"
	"                   (probabilities per message, 0..1), crash=K "
	"(nodes that\n"
	"                   stop for good, at most a minority), stall=K "
	"(pauses of a\n"
	"                   node), restart=K (crashes after which the "
	"node comes\n"
	"                   back from its stable record and a "
	"checkpoint), part=K\n"
	"                   (partitions: two groups of nodes lose the "
	"messages\n"
	"                   between them for a while), partition=P (the "
	"probability\n"
	"                   that a run has one more partition),\n"
	"                   member=K (membership changes: K times a "
	"node submits a\n"
	"                   configuration command that adds a spare node, "
	"removes a\n"
	"                   member or replaces one; the group gets up to K "
	"spares beyond\n"
	"                   its N members, and liveness is asked of the "
	"final members);\n"
	"                   \"none\" for none (default)\n"
	"    --commands C   client commands (default 100)\n"
	"    --runs R       run seeds S..S+R-1 and sum them (default 1)\n"
	"    --batch B      commands per slot at most (default 16)\n"
	"    --window W     undecided slots at once at most (default 32)\n"
	"    --reads N      also N reads at random nodes and times, by the "
	"read index\n"
	"                   (no log round: the leader confirms with a "
	"majority that it\n"
	"                   still leads); checks reads: each returns a state "
	"with every\n"
	"                   command delivered anywhere before it was asked "
	"(default 0)\n"
	"    --alpha A      a configuration chosen in slot s governs the "
	"slots from\n"
	"                   s + A on, 1..64 (default 8 with member=K, else "
	"0: the\n"
	"                   membership is fixed)\n"
	"    --trace        print the message trace (send, drop, dup, "
	"recv,\n"
	"                   deliver, stall, crash) before the summary\n"
	"    --json         print the summary as one JSON object\n"
	"    -h, --help     print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every property holds, 1 when one fails (the seed is "
	"printed),\n"
	"    2 on a bad option or SPEC (the message names the token and its "
	"column).\n"
	"\n"
	"EXAMPLE\n"
	"    replicore paxos sim --nodes 5 --seed 7 --faults "
	"drop=0.1,dup=0.05,crash=2,stall=3 --commands 200\n";

static int usage_err(const rc_err_t *err)
{
	fprintf(stderr, "replicore paxos: --faults:%u:%u: %s\n", err->line,
		err->col, err->msg);
	fprintf(stderr, "Try 'replicore paxos --help' for more "
			"information.\n");
	return CLI_EXIT_USAGE;
}

static void print_props(FILE *out, unsigned v)
{
	const char *sep = "";

	for (unsigned p = 1; p <= RC_PAXOS_READS; p <<= 1)
		if (v & p) {
			fprintf(out, "%s%s", sep,
				rc_paxos_prop_name((enum rc_paxos_prop)p));
			sep = ", ";
		}
}

int paxos_sim(int argc, char **argv)
{
	struct rc_paxos_config cfg = RC_PAXOS_CONFIG_INITIALIZER;
	struct rc_paxos_sim_opts o;
	struct rc_paxos_sim_result sum, r;
	rc_err_t err = RC_ERR_INITIALIZER;
	struct sim_args a = { .nodes = 3,
			      .seed = 1,
			      .commands = 100,
			      .runs = 1,
			      .faults = "none" };
	uint64_t batch = 16, window = 32, reads = 0, failed = 0, first_fail = 0;
	uint64_t alpha = 0, changes = 0, members = 0;
	const struct sim_extra extra[] = { { "batch", &batch },
					   { "window", &window },
					   { "reads", &reads },
					   { "alpha", &alpha } };
	char first_why[256] = "";
	unsigned props = 0;
	int rc = sim_args_parse("paxos sim", paxos_help, argc, argv, &a, extra,
				sizeof extra / sizeof extra[0]);
	uint64_t nodes = a.nodes, seed = a.seed, commands = a.commands,
		 runs = a.runs;
	const char *spec = a.faults;
	bool trace = a.trace, json = a.json, parts;

	if (rc >= 0)
		return rc;
	if (nodes < 1 || nodes > RC_PAXOS_MAX_NODES)
		return cli_usage("paxos sim", "--nodes must be 1..%d",
				 RC_PAXOS_MAX_NODES);
	if (alpha > RC_PAXOS_MAX_ALPHA)
		return cli_usage("paxos sim", "--alpha must be 0..%d",
				 RC_PAXOS_MAX_ALPHA);
	if (runs < 1 || commands > 1000000 || batch < 1 || window < 1 ||
	    batch > 4096 || window > 4096)
		return cli_usage("paxos sim",
				 "--runs, --batch and --window must be at "
				 "least 1 (--batch, --window at most 4096, "
				 "--commands at most 1000000)");
	if (reads > 1000000)
		return cli_usage("paxos sim",
				 "--reads must be at most 1000000");
	memset(&o, 0, sizeof o);
	if (rc_paxos_faults_parse(spec, &o.faults, &err) < 0)
		return usage_err(&err);
	/* what partitions add to the summary only with partitions, so
	 * that the output of every other run stays as it was */
	parts = o.faults.part > 0 || o.faults.partition > 0;
	if (o.faults.crash > (nodes - 1) / 2)
		return cli_usage("paxos sim",
				 "--faults: crash=%u leaves no majority of %u "
				 "nodes (at most %u)",
				 o.faults.crash, (unsigned)nodes,
				 (unsigned)(nodes - 1) / 2);
	cfg.nodes = (unsigned)nodes;
	cfg.batch = (unsigned)batch;
	cfg.window = (unsigned)window;
	cfg.alpha = (unsigned)(alpha		 ? alpha
			       : o.faults.member ? RC_PAXOS_ALPHA
						 : 0);
	o.commands = (unsigned)commands;
	o.reads = (unsigned)reads;
	o.trace = trace ? stdout : NULL;
	memset(&sum, 0, sizeof sum);
	for (uint64_t k = 0; k < runs; k++) {
		cfg.seed = seed + k;
		o.cfg = cfg;
		if (rc_paxos_sim_run(&o, &r, &err) < 0) {
			rc_err_print(&err, stderr);
			return CLI_EXIT_USAGE;
		}
		sum.committed += r.committed;
		sum.at_live += r.at_live;
		sum.slots += r.slots;
		sum.ballots += r.ballots;
		sum.leaderships += r.leaderships;
		sum.messages += r.messages;
		sum.dropped += r.dropped;
		sum.duplicated += r.duplicated;
		sum.delayed += r.delayed;
		sum.crashed += r.crashed;
		sum.restarts += r.restarts;
		sum.stalls += r.stalls;
		sum.time += r.time;
		sum.partitions += r.partitions;
		sum.cut += r.cut;
		sum.isolated += r.isolated;
		sum.reads += r.reads;
		sum.served += r.served;
		sum.waited += r.waited;
		changes += r.changes;
		members = r.members;
		if (r.kept > sum.kept)
			sum.kept = r.kept;
		if (r.violations) {
			if (failed++ == 0) {
				first_fail = cfg.seed;
				snprintf(first_why, sizeof first_why, "%s",
					 r.why);
			}
			props |= r.violations;
			fprintf(stderr, "replicore paxos: seed %llu violates ",
				(unsigned long long)cfg.seed);
			print_props(stderr, r.violations);
			fprintf(stderr, ": %s\n", r.why);
		}
	}
	if (json) {
		struct cli_json j;

		cli_json_init(&j, stdout);
		cli_json_obj(&j);
		cli_json_kv_uint(&j, "nodes", nodes);
		cli_json_kv_uint(&j, "seed", seed);
		cli_json_kv_uint(&j, "runs", runs);
		cli_json_kv_str(&j, "faults", spec);
		cli_json_kv_uint(&j, "commands", commands);
		cli_json_kv_uint(&j, "batch", batch);
		cli_json_kv_uint(&j, "window", window);
		if (reads)
			cli_json_kv_uint(&j, "reads_asked", reads);
		cli_json_kv_uint(&j, "committed", sum.committed);
		cli_json_kv_uint(&j, "submitted_at_live_nodes", sum.at_live);
		cli_json_kv_uint(&j, "slots", sum.slots);
		cli_json_kv_uint(&j, "ballots", sum.ballots);
		cli_json_kv_uint(&j, "leaderships", sum.leaderships);
		cli_json_kv_uint(&j, "messages", sum.messages);
		cli_json_kv_uint(&j, "dropped", sum.dropped);
		cli_json_kv_uint(&j, "duplicated", sum.duplicated);
		cli_json_kv_uint(&j, "delayed", sum.delayed);
		cli_json_kv_uint(&j, "crashed", sum.crashed);
		cli_json_kv_uint(&j, "stalls", sum.stalls);
		cli_json_kv_uint(&j, "restarts", sum.restarts);
		if (parts) {
			cli_json_kv_uint(&j, "partitions", sum.partitions);
			cli_json_kv_uint(&j, "cut", sum.cut);
			cli_json_kv_uint(&j, "isolated_commands", sum.isolated);
		}
		if (reads) {
			cli_json_kv_uint(&j, "reads", sum.reads);
			cli_json_kv_uint(&j, "reads_served", sum.served);
			cli_json_kv_uint(&j, "reads_waited", sum.waited);
		}
		cli_json_kv_uint(&j, "simulated_us", sum.time);
		cli_json_kv_uint(&j, "kept_slots", sum.kept);
		if (cfg.alpha) {
			cli_json_kv_uint(&j, "alpha", cfg.alpha);
			cli_json_kv_uint(&j, "member_changes", changes);
			cli_json_kv_uint(&j, "final_members", members);
		}
		cli_json_kv_uint(&j, "failed_runs", failed);
		cli_json_key(&j, "violations");
		cli_json_arr(&j);
		for (unsigned p = 1; p <= RC_PAXOS_READS; p <<= 1)
			if (props & p)
				cli_json_str(&j, rc_paxos_prop_name((
							 enum rc_paxos_prop)p));
		cli_json_arr_end(&j);
		if (failed) {
			cli_json_kv_uint(&j, "first_failing_seed", first_fail);
			cli_json_kv_str(&j, "why", first_why);
		}
		cli_json_obj_end(&j);
		cli_json_end(&j);
	} else {
		printf("paxos sim: %llu run%s of %llu nodes from seed %llu, "
		       "faults %s\n",
		       (unsigned long long)runs, runs == 1 ? "" : "s",
		       (unsigned long long)nodes, (unsigned long long)seed,
		       spec);
		printf("  commands committed  %llu of %llu by every live node "
		       "(%llu submitted at nodes that never crashed)\n",
		       (unsigned long long)sum.committed,
		       (unsigned long long)(commands * runs),
		       (unsigned long long)sum.at_live);
		printf("  slots               %llu\n",
		       (unsigned long long)sum.slots);
		printf("  ballots             %llu started, %llu won\n",
		       (unsigned long long)sum.ballots,
		       (unsigned long long)sum.leaderships);
		printf("  messages            %llu sent, %llu dropped, %llu "
		       "duplicated, %llu delayed\n",
		       (unsigned long long)sum.messages,
		       (unsigned long long)sum.dropped,
		       (unsigned long long)sum.duplicated,
		       (unsigned long long)sum.delayed);
		printf("  nodes               %llu crashed, %llu stalls, %llu "
		       "restarts\n",
		       (unsigned long long)sum.crashed,
		       (unsigned long long)sum.stalls,
		       (unsigned long long)sum.restarts);
		if (parts)
			printf("  partitions          %llu, %llu messages cut, "
			       "%llu commands submitted on a minority side\n",
			       (unsigned long long)sum.partitions,
			       (unsigned long long)sum.cut,
			       (unsigned long long)sum.isolated);
		if (reads)
			printf("  reads               %llu asked at nodes up, "
			       "%llu served (%llu after catching up to the "
			       "index), %llu lost to restarts and crashes\n",
			       (unsigned long long)sum.reads,
			       (unsigned long long)sum.served,
			       (unsigned long long)sum.waited,
			       (unsigned long long)(sum.reads - sum.served));
		printf("  simulated time      %llu us\n",
		       (unsigned long long)sum.time);
		printf("  slots kept          %llu at most by a live node at "
		       "the end (the others were delivered everywhere and "
		       "freed)\n",
		       (unsigned long long)sum.kept);
		if (cfg.alpha) {
			printf("  membership          %llu change%s submitted, "
			       "alpha %u; final members",
			       (unsigned long long)changes,
			       changes == 1 ? "" : "s", cfg.alpha);
			for (unsigned i = 0; i < RC_PAXOS_MAX_NODES; i++)
				if (members >> i & 1)
					printf(" %u", i);
			printf("%s\n", runs > 1 ? " (the last seed)" : "");
		}
		if (failed) {
			printf("  VIOLATED            ");
			print_props(stdout, props);
			printf(" in %llu run%s; first at seed %llu: %s\n",
			       (unsigned long long)failed,
			       failed == 1 ? "" : "s",
			       (unsigned long long)first_fail, first_why);
		} else {
			printf("  properties          agreement, validity, "
			       "integrity, no gaps, liveness%s%s: hold\n",
			       parts ? ", minority" : "",
			       reads ? ", reads" : "");
		}
	}
	return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
}

int cmd_paxos(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("paxos", "a verb is needed: sim");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(paxos_help, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "sim") == 0)
		return paxos_sim(argc - 1, argv + 1);
	return cli_usage("paxos", "unknown verb '%s' (sim)", argv[1]);
}
