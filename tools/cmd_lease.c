/* SPDX-License-Identifier: MIT */
/* cmd_lease.c: `replicore sim lease`, seeded simulations of a lease service with fencing tokens and a fenced store under pauses, drift and faults, checked. */
#include <stdio.h>
#include <string.h>

#include "protocols/lease/lease.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char lease_help[] =
	"NAME\n"
	"    replicore sim lease - leases with fencing tokens and a fenced "
	"store,\n"
	"    simulated with pauses, drifting clocks and faults\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim lease [--nodes N] [--seed S] [--faults SPEC] "
	"[--commands C]\n"
	"                        [--runs R] [--lease US] [--drift PPM]\n"
	"                        [--broken ignore-tokens] [--trace] "
	"[--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Node 0 is a lease service (rc_lease_ops of "
	"replicore/lease.h), node 1 a\n"
	"    store that rejects a write whose fencing token is older than "
	"one it\n"
	"    accepted (rc_fenced_ops), nodes 2..N-1 clients; each node's "
	"clock runs\n"
	"    at a rate drawn from 1 +- PPM/10^6. C rounds arrive at random "
	"clients: a\n"
	"    client asks for a lease of US us (the service judges expiry by "
	"its own\n"
	"    clock and gives each grant a larger token), works 1-50 us, "
	"gives up\n"
	"    if its own clock says the lease is over (US (1 - 2 PPM/10^6) "
	"past its\n"
	"    request), else prepares 1-20 us more, writes (token, value) to "
	"the\n"
	"    store and releases. A stall while it prepares, or a delayed "
	"write, is\n"
	"    the classic pause: the write arrives after another client took "
	"the\n"
	"    lease. Checked as the run goes: exclusive (the service never "
	"grants\n"
	"    while another's lease runs, by its time), tokens (every grant's "
	"token\n"
	"    is above every earlier one), fencing (the store never accepts "
	"a token\n"
	"    older than one it accepted) and granted (an accepted write's "
	"token was\n"
	"    granted to its writer). A write that arrives after a newer "
	"grant but\n"
	"    before the newer holder's first write is accepted, and counted "
	"as late.\n"
	"    A crash of the service or the store for good leaves the "
	"clients asking\n"
	"    for ever: such a run is counted as stopped, not as a "
	"violation.\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N      nodes, 3..64: the service, the store and N-2 "
	"clients\n"
	"                   (default 5)\n"
	"    --seed S       the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC  comma-separated NAME=VALUE: drop=P, dup=P, "
	"delay=P\n"
	"                   (probabilities per message, 0..1), crash=K "
	"(nodes that\n"
	"                   stop for good, fewer than N), stall=K (pauses "
	"of a node),\n"
	"                   restart=K (the service and the store come back "
	"with their\n"
	"                   record, a client without its rounds), part=K "
	"(partitions\n"
	"                   that heal), partition=P; \"none\" for none "
	"(default)\n"
	"    --commands C   rounds of acquire, write, release (default 20)\n"
	"    --runs R       run seeds S..S+R-1 and sum them (default 1)\n"
	"    --lease US     the lease's duration in us of the service's "
	"clock,\n"
	"                   1..4294967295 (default 200)\n"
	"    --drift PPM    rho, the clocks' rate bound in parts per "
	"million,\n"
	"                   0..499999 (default 10000)\n"
	"    --broken ignore-tokens\n"
	"                   the store takes every write whatever its token, "
	"which\n"
	"                   the fencing check catches\n"
	"    --trace        print the trace (send, drop, dup, cut, recv, "
	"asks, grant,\n"
	"                   writes, accepts, rejects, crash, stall, restart) "
	"before\n"
	"                   the summary\n"
	"    --json         print the summary as one JSON object\n"
	"    -h, --help     print this help\n"
	"\n"
	"THE CLASSIC PAUSE, SHOWN BY A FIXED SEED\n"
	"    replicore sim lease --seed 6 --faults stall=4\n"
	"        client 2 holds token 11 and stalls 2312 us while it "
	"prepares its\n"
	"        write; tokens 12-18 go to others; resumed, it writes "
	"with token 11\n"
	"        and the store rejects it (1 rejected as stale, exit 0); "
	"with\n"
	"        --broken ignore-tokens the store takes it (fencing, exit "
	"1)\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every property holds, 1 when one fails (the seed is "
	"printed),\n"
	"    2 on a bad option or SPEC.\n";

static const char *const counts[] = { "granted",  "refused",	  "gave_up",
				      "accepted", "rejected",	  "late",
				      "rounds",	  "stopped_runs", NULL };
/* bit i is RC_LEASE_EXCLUSIVE << i */
static const char *const props[] = { "exclusive", "tokens", "fencing",
				     "granted", NULL };
static const char *const extras[] = { "lease", "drift", NULL };
static const uint64_t extra_defaults[] = { 200, 10000 };
static const char *const broken[] = { "ignore-tokens", NULL };

static int run(const struct sim_args *a, const struct _rc_sim_faults *f,
	       uint64_t seed, unsigned variant, FILE *trace, struct sim_run *r,
	       rc_err_t *err)
{
	struct _rc_lease_sim_opts o;
	struct _rc_lease_sim_result res;
	int rc;

	memset(&o, 0, sizeof o);
	o.nodes = (unsigned)a->nodes;
	o.seed = seed;
	o.commands = (unsigned)a->commands;
	o.lease = a->x[0];
	o.drift = a->x[1];
	o.faults = *f;
	o.trace = trace;
	o.ignore_tokens = variant == 1;
	rc = _rc_lease_sim_run(&o, &res, err);
	r->count[0] = res.granted;
	r->count[1] = res.refused;
	r->count[2] = res.gave_up;
	r->count[3] = res.accepted;
	r->count[4] = res.rejected;
	r->count[5] = res.late;
	r->count[6] = res.done;
	r->count[7] = res.stopped;
	r->st = res.st;
	r->violations = res.violations;
	snprintf(r->why, sizeof(r->why), "%s", res.why);
	return rc;
}

static const char *check(const struct sim_args *a,
			 const struct _rc_sim_faults *f, char *buf, size_t len)
{
	if (a->x[0] < 1 || a->x[0] > 0xffffffffu || a->x[1] >= 500000)
		return "--lease must be 1..4294967295, --drift 0..499999";
	if (f->crash >= a->nodes) {
		snprintf(buf, len,
			 "--faults: crash=%u leaves no node of %u up (at "
			 "most %u)",
			 f->crash, (unsigned)a->nodes, (unsigned)a->nodes - 1);
		return buf;
	}
	return NULL;
}

static const char *title(const struct sim_args *a)
{
	static char buf[96];

	snprintf(buf, sizeof buf, ", lease %llu us, drift %llu ppm",
		 (unsigned long long)a->x[0], (unsigned long long)a->x[1]);
	return buf;
}

static void head(const struct sim_args *a, const struct sim_run *sum)
{
	(void)a;
	printf("  leases              %llu granted, %llu refused, %llu given "
	       "up by the holder's clock\n",
	       (unsigned long long)sum->count[0],
	       (unsigned long long)sum->count[1],
	       (unsigned long long)sum->count[2]);
	printf("  writes              %llu accepted (%llu late), %llu "
	       "rejected as stale\n",
	       (unsigned long long)sum->count[3],
	       (unsigned long long)sum->count[5],
	       (unsigned long long)sum->count[4]);
	printf("  rounds              %llu finished\n",
	       (unsigned long long)sum->count[6]);
}

static void tail(const struct sim_run *sum)
{
	if (sum->count[7])
		printf("  stopped             %llu run%s lost the service or "
		       "the store for good\n",
		       (unsigned long long)sum->count[7],
		       sum->count[7] == 1 ? "" : "s");
}

int lease_sim(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "lease",
		.cmd = "sim lease",
		.help = lease_help,
		.nodes = 5,
		.commands = 20,
		.min_nodes = 3,
		.broken = broken,
		.counts = counts,
		.props = props,
		.extras = extras,
		.extra_defaults = extra_defaults,
		.run = run,
		.check = check,
		.title = title,
		.head = head,
		.tail = tail,
	};

	return sim_drive(&d, argc, argv);
}
