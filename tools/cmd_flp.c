/* SPDX-License-Identifier: MIT */
/* cmd_flp.c: `replicore sim flp` and `replicore sim generals`, the limits of agreement run and printed. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include <replicore/paxos.h>

#include "protocols/flp/flp.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char flp_help[] =
	"NAME\n"
	"    replicore sim flp - an adversarial scheduler keeps Paxos from "
	"deciding\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim flp [--steps N] [--gst N] [--seed N] [--trace] "
	"[--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Three nodes of replicore's Paxos step machine; node 0 proposes "
	"A, node 1 B.\n"
	"    The scheduler chooses each step: deliver one message, or fire "
	"one node's\n"
	"    timer. It delivers the oldest harmless message, holds an ACCEPT "
	"that would\n"
	"    be accepted until the other proposer's PREPARE outbids it, and "
	"when nothing\n"
	"    harmless is left makes the other proposer's failure detector "
	"suspect the\n"
	"    leader. Every message is delivered within 64 steps; no value is "
	"chosen.\n"
	"    With --gst N, from step N on messages arrive within 8 steps "
	"and clocks\n"
	"    advance 10 us a step (partial synchrony): the timeouts and "
	"heartbeats\n"
	"    then let a leader keep its ballot, and the run ends once every "
	"node decided.\n"
	"\n"
	"OPTIONS\n"
	"    --steps N   steps to run (1..100000000; default 1000)\n"
	"    --gst N     the step from which the system is synchronous "
	"(default 0: never)\n"
	"    --seed N    seeds the nodes' random election timeouts (default "
	"1)\n"
	"    --trace     each step, and each ballot won with its bivalence "
	"witness\n"
	"    --json      the result as one JSON object\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when the run shows what it should (asynchronous: undecided, "
	"bivalent and\n"
	"    fair; with --gst: every node decided the same value, fair), 1 "
	"otherwise,\n"
	"    2 on a bad option.\n";

static int flp_print(const struct _rc_flp_opts *o,
		     const struct _rc_flp_result *r, bool json)
{
	bool ok = o->gst ? r->decided && r->agree && r->fair
			 : !r->decided && r->bivalent && r->fair;
	char v[2] = { r->value, '\0' };

	if (json) {
		struct cli_json j;

		cli_json_init(&j, stdout);
		cli_json_obj(&j);
		cli_json_kv_str(&j, "protocol", "flp");
		cli_json_kv_uint(&j, "nodes", 3);
		cli_json_kv_uint(&j, "seed", o->seed);
		cli_json_kv_uint(&j, "gst", o->gst);
		cli_json_kv_uint(&j, "steps", r->steps);
		cli_json_kv_uint(&j, "sent", r->sent);
		cli_json_kv_uint(&j, "delivered", r->delivered);
		cli_json_kv_uint(&j, "in_flight", r->pending);
		cli_json_kv_uint(&j, "elections", r->rounds);
		cli_json_kv_uint(&j, "ballot_round",
				 RC_PAXOS_BALLOT_ROUND(r->ballot));
		cli_json_kv_uint(&j, "max_delay", r->max_delay);
		cli_json_kv_uint(&j, "max_delay_after_gst", r->max_sync);
		cli_json_kv_uint(&j, "oldest_in_flight", r->oldest);
		cli_json_kv_uint(&j, "bound", r->bound);
		cli_json_kv_bool(&j, "fair", r->fair);
		cli_json_kv_bool(&j, "bivalent", r->bivalent);
		cli_json_kv_bool(&j, "decided", r->decided);
		if (r->decided) {
			cli_json_kv_uint(&j, "decided_at", r->decided_at);
			cli_json_kv_str(&j, "value", v);
			cli_json_kv_bool(&j, "agree", r->agree);
		}
		cli_json_kv_bool(&j, "ok", ok);
		cli_json_obj_end(&j);
		cli_json_end(&j);
		return ok ? CLI_EXIT_OK : CLI_EXIT_FOUND;
	}
	if (o->gst)
		printf("flp sim: Paxos, 3 nodes, seed %llu, adversary until "
		       "step %llu, then partial synchrony\n",
		       (unsigned long long)o->seed, (unsigned long long)o->gst);
	else
		printf("flp sim: Paxos, 3 nodes, seed %llu, asynchronous "
		       "adversary throughout\n",
		       (unsigned long long)o->seed);
	printf("  steps               %llu\n", (unsigned long long)r->steps);
	printf("  messages            %llu sent, %llu delivered, %llu in "
	       "flight\n",
	       (unsigned long long)r->sent, (unsigned long long)r->delivered,
	       (unsigned long long)r->pending);
	printf("  elections           %llu fired by the scheduler, highest "
	       "ballot round %llu\n",
	       (unsigned long long)r->rounds,
	       (unsigned long long)RC_PAXOS_BALLOT_ROUND(r->ballot));
	printf("  max delay           %llu steps",
	       (unsigned long long)r->max_delay);
	if (o->gst)
		printf(" before gst, %llu after (bound %u)",
		       (unsigned long long)r->max_sync, RC_FLP_SYNC_BOUND);
	else
		printf(" (bound %u)", RC_FLP_FAIR);
	printf(", oldest in flight %llu\n", (unsigned long long)r->oldest);
	printf("  fairness            every message delivered within %llu "
	       "steps: %s\n",
	       (unsigned long long)r->bound, r->fair ? "holds" : "FAILS");
	printf("  bivalence           %s\n",
	       r->bivalent ? "held at every adversary step (A at node 0, "
			     "B at node 1, node 2 none)"
			   : "FAILS");
	if (r->decided)
		printf("  decided             %s at step %llu, every node "
		       "%s\n",
		       v, (unsigned long long)r->decided_at,
		       r->agree ? "the same" : "NOT the same");
	else
		printf("  decided             no\n");
	if (!ok && r->why[0])
		printf("  first failure       %s\n", r->why);
	return ok ? CLI_EXIT_OK : CLI_EXIT_FOUND;
}

/* Options of the common set that these commands do not take. */
static int reject_common(const char *cmd, const struct sim_args *a,
			 uint64_t nodes)
{
	if (a->nodes != nodes)
		return cli_usage(cmd, "--nodes: this run has %llu nodes",
				 (unsigned long long)nodes);
	if (a->faults)
		return cli_usage(cmd, "--faults: the scheduler is the only "
				      "fault here");
	if (a->commands != 0)
		return cli_usage(cmd, "--commands: the values are fixed");
	if (a->runs != 1)
		return cli_usage(cmd, "--runs: one run is deterministic");
	return -1;
}

int flp_sim(int argc, char **argv)
{
	struct sim_args a = { .nodes = 3, .seed = 1, .runs = 1 };
	uint64_t steps = 1000, gst = 0;
	const struct sim_extra extra[] = { { "steps", &steps },
					   { "gst", &gst } };
	struct _rc_flp_opts o;
	struct _rc_flp_result r;
	rc_err_t err = RC_ERR_INITIALIZER;
	int rc;

	rc = sim_args_parse("sim flp", flp_help, argc, argv, &a, extra, 2);
	if (rc >= 0)
		return rc;
	rc = reject_common("sim flp", &a, 3);
	if (rc >= 0)
		return rc;
	if (steps < 1 || steps > 100000000)
		return cli_usage("sim flp", "--steps: 1..100000000, not %llu",
				 (unsigned long long)steps);
	if (gst > steps)
		return cli_usage(
			"sim flp", "--gst: %llu is after the last step (%llu)",
			(unsigned long long)gst, (unsigned long long)steps);
	o = (struct _rc_flp_opts){ steps, gst, a.seed,
				   a.trace ? stdout : NULL };
	if (_rc_flp_run(&o, &r, &err) < 0) {
		rc_err_print(&err, stderr);
		return CLI_EXIT_FOUND;
	}
	return flp_print(&o, &r, a.json);
}

static const char generals_help[] =
	"NAME\n"
	"    replicore sim generals - no bounded acknowledgement protocol "
	"survives loss\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim generals [--rounds K] [--trace] [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Protocol k: general A sends \"attack at dawn\" (message 1), "
	"each message\n"
	"    received is acknowledged by the next, up to k messages; a "
	"general attacks\n"
	"    when it received every message addressed to it. For k = 1..K "
	"the scheduler\n"
	"    walks the proof's chain of runs from the run without loss, "
	"losing the last\n"
	"    message delivered, until the generals disagree, and plays all "
	"2^k loss\n"
	"    patterns. One row per k: the distinct runs, those that "
	"disagree, and the\n"
	"    run found.\n"
	"\n"
	"OPTIONS\n"
	"    --rounds K  the protocols 1..K (1..16; default 8)\n"
	"    --trace     each run of the chain, message by message\n"
	"    --json      the table as one JSON object\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every protocol agrees without loss and a disagreeing "
	"run is found,\n"
	"    1 otherwise, 2 on a bad option.\n";

int generals_sim(int argc, char **argv)
{
	struct sim_args a = { .nodes = 2, .seed = 1, .runs = 1 };
	uint64_t rounds = 8;
	const struct sim_extra extra[] = { { "rounds", &rounds } };
	struct cli_json j;
	bool ok = true;
	int rc;

	rc = sim_args_parse("sim generals", generals_help, argc, argv, &a,
			    extra, 1);
	if (rc >= 0)
		return rc;
	rc = reject_common("sim generals", &a, 2);
	if (rc >= 0)
		return rc;
	if (a.seed != 1)
		return cli_usage("sim generals",
				 "--seed: the search is exhaustive");
	if (rounds < 1 || rounds > RC_GENERALS_MAX)
		return cli_usage("sim generals", "--rounds: 1..%u, not %llu",
				 RC_GENERALS_MAX, (unsigned long long)rounds);
	if (a.json) {
		cli_json_init(&j, stdout);
		cli_json_obj(&j);
		cli_json_kv_str(&j, "protocol", "generals");
		cli_json_kv_uint(&j, "rounds", rounds);
		cli_json_key(&j, "protocols");
		cli_json_arr(&j);
	} else {
		printf("generals sim: protocols of 1..%llu messages over a "
		       "channel that may lose any\n"
		       "  k  runs  disagree  no loss      found          "
		       "A        B\n",
		       (unsigned long long)rounds);
	}
	for (unsigned k = 1; k <= rounds; k++) {
		struct _rc_generals_run none, r;
		unsigned runs, dis, walked;
		uint32_t lost = 0;
		unsigned which;

		_rc_generals_play(k, 0, &none);
		walked =
			_rc_generals_search(k, &lost, &runs, &dis,
					    a.trace && !a.json ? stdout : NULL);
		_rc_generals_play(k, lost, &r);
		which = lost ? (unsigned)__builtin_ctz(lost) + 1 : 0;
		if (!none.attack_a || !none.attack_b || !walked)
			ok = false;
		if (a.json) {
			cli_json_obj(&j);
			cli_json_kv_uint(&j, "k", k);
			cli_json_kv_uint(&j, "runs", runs);
			cli_json_kv_uint(&j, "disagree", dis);
			cli_json_kv_bool(&j, "no_loss_agree",
					 none.attack_a == none.attack_b);
			cli_json_kv_uint(&j, "chain_run", walked);
			cli_json_kv_uint(&j, "lost_message", which);
			cli_json_kv_bool(&j, "a_attacks", r.attack_a);
			cli_json_kv_bool(&j, "b_attacks", r.attack_b);
			cli_json_obj_end(&j);
			continue;
		}
		printf("  %-2u %-5u %-9u %-12s message %-2u lost  %-8s %s\n", k,
		       runs, dis,
		       none.attack_a && none.attack_b ? "both attack"
						      : "NOT both",
		       which, r.attack_a ? "attacks" : "stays",
		       r.attack_b ? "attacks" : "stays");
	}
	if (a.json) {
		cli_json_arr_end(&j);
		cli_json_kv_bool(&j, "ok", ok);
		cli_json_obj_end(&j);
		cli_json_end(&j);
	} else {
		printf("  %s\n", ok ? "every protocol: agreement without loss, "
				      "a run that disagrees found"
				    : "FAILS: a protocol without a "
				      "disagreeing run");
	}
	return ok ? CLI_EXIT_OK : CLI_EXIT_FOUND;
}
