/* SPDX-License-Identifier: MIT */
/* cmd_fd.c: `replicore sim fd`, a heartbeat and an accrual failure detector simulated with faults, completeness and eventual accuracy checked, false suspicions and detection times reported. */
#include <stdio.h>
#include <string.h>

#include "protocols/fd/fd.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char help[] =
	"NAME\n"
	"    replicore sim fd - failure detectors simulated with faults: "
	"completeness,\n"
	"    eventual accuracy, false suspicions and detection times\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim fd [--nodes N] [--seed S] [--faults SPEC] "
	"[--commands C]\n"
	"                     [--runs R] [--interval US] [--timeout US] "
	"[--backoff PCT]\n"
	"                     [--threshold PHI] [--window W] [--broken "
	"sticky]\n"
	"                     [--trace] [--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    Every node sends a heartbeat to every other node every US us "
	"and runs two\n"
	"    detectors over every peer, fed by every message it receives: "
	"a heartbeat\n"
	"    detector whose timeout starts at --timeout and is multiplied "
	"by --backoff\n"
	"    after each false suspicion (eventually perfect under partial "
	"synchrony),\n"
	"    and an accrual detector that suspects a peer when phi, the "
	"suspicion\n"
	"    level over the last W gaps between its messages, reaches "
	"PHI. A restarted\n"
	"    node starts with fresh detectors. Properties: completeness "
	"(at the end\n"
	"    every node crashed for good is suspected by every live node, "
	"by both\n"
	"    detectors) and accuracy (from the settle time, when the "
	"faults are over\n"
	"    and no partition is in force, plus 3100 + (W + 2)(US + 10) "
	"us, no live\n"
	"    node suspects another live node: checked at every tick and "
	"arrival and at\n"
	"    the end). Reported: false suspicions (suspicions retracted by "
	"a later\n"
	"    message, a restarted node's return aside) per detector, and "
	"the time from\n"
	"    a crashed node's last heartbeat to its suspicion by the last "
	"live node,\n"
	"    in heartbeat intervals. Faults: drop, dup, delay, crash, "
	"stall, restart,\n"
	"    part, partition.\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N        nodes, 2..64 (default 4)\n"
	"    --seed S         the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC    drop=P,dup=P,delay=P,crash=K,stall=K,"
	"restart=K,part=K,\n"
	"                     partition=P (default \"none\")\n"
	"    --commands C     the fault period: 50 C + 3000 us (default "
	"100)\n"
	"    --runs R         run seeds S..S+R-1 (default 1)\n"
	"    --interval US    the heartbeat interval, 100..1000000 us "
	"(default 100)\n"
	"    --timeout US     the first timeout, at least US + 10 (default "
	"0: 2 US)\n"
	"    --backoff PCT    timeout times PCT/100 per false suspicion, "
	"100..1000\n"
	"                     (default 150)\n"
	"    --threshold PHI  the accrual detector suspects at phi >= PHI, "
	"1..300\n"
	"                     (default 8); sigma is at least US / 4\n"
	"    --window W       gaps the accrual detector keeps, 1..1000 "
	"(default 100)\n"
	"    --broken sticky  a suspicion is never retracted, which the "
	"accuracy check\n"
	"                     catches\n"
	"    --trace          print the trace before the summary\n"
	"    --json           print the summary as one JSON object "
	"(times in ns)\n"
	"    -h, --help       print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when both properties hold, 1 when one fails (the seed is "
	"printed),\n"
	"    2 on a bad option or SPEC.\n"
	"\n"
	"EXAMPLE\n"
	"    replicore sim fd --nodes 5 --runs 100 --faults "
	"crash=2,delay=0.2,stall=2\n";

static const char *const counts[] = {
	"crashes",    "false_heartbeat",  "false_phi",
	"comebacks",  "heartbeat_ns_sum", "heartbeat_ns_max",
	"phi_ns_sum", "phi_ns_max",	  NULL,
};
static const char *const props[] = { "completeness", "accuracy", NULL };
static const char *const extras[] = { "interval",  "timeout", "backoff",
				      "threshold", "window",  NULL };
static const uint64_t extra_defaults[] = { 100, 0, 150, 8, 100 };
static const char *const broken[] = { "sticky", NULL };

static uint64_t timeout_of(const struct sim_args *a)
{
	return a->x[1] ? a->x[1] : 2 * a->x[0];
}

static int run(const struct sim_args *a, const struct _rc_sim_faults *f,
	       uint64_t seed, unsigned variant, FILE *trace, struct sim_run *r,
	       rc_err_t *err)
{
	struct _rc_fd_sim_opts o;
	struct _rc_fd_sim_result res;
	int rc;

	memset(&o, 0, sizeof o);
	o.nodes = (unsigned)a->nodes;
	o.seed = seed;
	o.commands = (unsigned)a->commands;
	o.interval = a->x[0];
	o.timeout = timeout_of(a);
	o.backoff = (double)a->x[2] / 100;
	o.threshold = (double)a->x[3];
	o.window = a->x[4] > 1000 ? 0 : (unsigned)a->x[4];
	o.sticky = variant == 1;
	o.faults = *f;
	o.trace = trace;
	rc = _rc_fd_sim_run(&o, &res, err);
	r->count[0] = res.crashes;
	r->count[1] = res.false_hb;
	r->count[2] = res.false_phi;
	r->count[3] = res.comebacks;
	r->count[4] = res.det_hb_sum;
	r->count[5] = res.det_hb_max;
	r->count[6] = res.det_phi_sum;
	r->count[7] = res.det_phi_max;
	r->st = res.st;
	r->violations = res.violations;
	snprintf(r->why, sizeof(r->why), "%s", res.why);
	return rc;
}

static const char *title(const struct sim_args *a)
{
	static char buf[128];

	snprintf(buf, sizeof buf, ", interval %llu us, timeout %llu us",
		 (unsigned long long)a->x[0],
		 (unsigned long long)timeout_of(a));
	return buf;
}

/* One detector's line: false suspicions, detection times in intervals. */
static void line(const char *name, uint64_t iv, uint64_t crashes, uint64_t fals,
		 uint64_t sum, uint64_t max)
{
	double ns = (double)iv * 1000;

	printf("  %-19s %llu false suspicion%s", name, (unsigned long long)fals,
	       fals == 1 ? "" : "s");
	if (crashes)
		printf("; crash detected in %.2f intervals on average, "
		       "%.2f at most",
		       (double)sum / (double)crashes / ns, (double)max / ns);
	putchar('\n');
}

static void head(const struct sim_args *a, const struct sim_run *sum)
{
	char name[32];

	printf("  crashes             %llu for good\n",
	       (unsigned long long)sum->count[0]);
	line("heartbeat", a->x[0], sum->count[0], sum->count[1], sum->count[4],
	     sum->count[5]);
	snprintf(name, sizeof name, "phi >= %llu", (unsigned long long)a->x[3]);
	line(name, a->x[0], sum->count[0], sum->count[2], sum->count[6],
	     sum->count[7]);
	if (sum->count[3])
		printf("  comebacks           %llu suspicions of restarted "
		       "nodes retracted\n",
		       (unsigned long long)sum->count[3]);
}

int fd_sim(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "fd",
		.cmd = "sim fd",
		.help = help,
		.nodes = 4,
		.commands = 100,
		.min_nodes = 2,
		.broken = broken,
		.counts = counts,
		.max_counts = 0xa0, /* the largest detection times */
		.props = props,
		.extras = extras,
		.extra_defaults = extra_defaults,
		.run = run,
		.title = title,
		.head = head,
	};

	return sim_drive(&d, argc, argv);
}
