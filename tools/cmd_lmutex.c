/* SPDX-License-Identifier: MIT */
/* cmd_lmutex.c: `replicore sim lmutex`, seeded simulations of Lamport's mutual exclusion with faults, checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	"                         [--runs R] [--broken noack] [--trace] "
	"[--json]\n"
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
	"    --broken noack processes enter once their request is first in "
	"their own\n"
	"                   queue, without a later message from every "
	"other, which\n"
	"                   the exclusion check catches\n"
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

static const char *const counts[] = { "requested", "granted", "resent",
				      "blocked_runs", NULL };
/* bit i is RC_LMUTEX_EXCLUSION << i */
static const char *const props[] = { "exclusion", "order", "liveness", NULL };
static const char *const broken[] = { "noack", NULL };

static int run(const struct sim_args *a, const struct _rc_sim_faults *f,
	       uint64_t seed, unsigned variant, FILE *trace, struct sim_run *r,
	       rc_err_t *err)
{
	struct _rc_lmutex_sim_opts o;
	struct _rc_lmutex_sim_result res;
	int rc;

	memset(&o, 0, sizeof o);
	o.nodes = (unsigned)a->nodes;
	o.seed = seed;
	o.requests = (unsigned)a->commands;
	o.faults = *f;
	o.trace = trace;
	o.noack = variant == 1;
	rc = _rc_lmutex_sim_run(&o, &res, err);
	r->count[0] = res.requested;
	r->count[1] = res.granted;
	r->count[2] = res.resent;
	r->count[3] = res.blocked;
	r->st = res.st;
	r->violations = res.violations;
	snprintf(r->why, sizeof(r->why), "%s", res.why);
	return rc;
}

static void head(const struct sim_args *a, const struct sim_run *sum)
{
	(void)a;
	printf("  requests            %llu made, %llu granted, %llu "
	       "messages resent by the link\n",
	       (unsigned long long)sum->count[0],
	       (unsigned long long)sum->count[1],
	       (unsigned long long)sum->count[2]);
}

static void tail(const struct sim_run *sum)
{
	if (sum->count[3])
		printf("  blocked             %llu run%s left requests "
		       "waiting on a crashed process\n",
		       (unsigned long long)sum->count[3],
		       sum->count[3] == 1 ? "" : "s");
}

int lmutex_sim(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "lmutex",
		.cmd = "sim lmutex",
		.help = lmutex_help,
		.nodes = 4,
		.commands = 20,
		.min_nodes = 2,
		.broken = broken,
		.counts = counts,
		.props = props,
		.run = run,
		.head = head,
		.tail = tail,
	};

	return sim_drive(&d, argc, argv);
}
