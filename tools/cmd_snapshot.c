/* SPDX-License-Identifier: MIT */
/* cmd_snapshot.c: `replicore sim snapshot`, Chandy-Lamport snapshots of a bank simulated with faults, checked. */
#include <stdio.h>

#include "protocols/snapshot/snapshot.h"
#include "tools/commands.h"
#include "tools/sim_args.h"

static const char help[] =
	"NAME\n"
	"    replicore sim snapshot - Chandy-Lamport snapshots of a bank, "
	"simulated with\n"
	"    faults\n"
	"\n"
	"SYNOPSIS\n"
	"    replicore sim snapshot [--nodes N] [--seed S] [--faults SPEC] "
	"[--commands C]\n"
	"                           [--runs R] [--broken] [--trace] "
	"[--json]\n"
	"\n"
	"DESCRIPTION\n"
	"    N nodes hold 1000 each and transfer money to each other over "
	"channels made\n"
	"    reliable and FIFO (sequence numbers, acknowledgements, "
	"retransmission)\n"
	"    on top of the faulty transport of replicore sim. Of the C "
	"commands, every\n"
	"    fourth starts a snapshot at the node it reaches (at most 64), "
	"the others\n"
	"    are transfers of 1..200. A node records its balance when it "
	"starts a\n"
	"    snapshot or meets the snapshot's first marker, sends a marker "
	"on every\n"
	"    channel, and records as a channel's state the transfers that "
	"arrive on it\n"
	"    until that channel's marker. Checked: the consistent cut (no "
	"transfer\n"
	"    applied before its receiver recorded a snapshot was sent after "
	"its\n"
	"    sender recorded it, checked at every transfer), conservation "
	"(each\n"
	"    snapshot's states and channel states add up to N x 1000, and "
	"so do the\n"
	"    final balances) and termination (every snapshot is complete "
	"at every\n"
	"    node). The algorithm assumes that no node fails: crash and "
	"restart\n"
	"    faults are refused.\n"
	"\n"
	"OPTIONS\n"
	"    --nodes N      nodes, 2..64 (default 4)\n"
	"    --seed S       the seed (default 1); with --runs, the first "
	"seed\n"
	"    --faults SPEC  comma-separated NAME=VALUE: drop=P, dup=P, "
	"delay=P\n"
	"                   (probabilities per message, 0..1), stall=K "
	"(pauses of a\n"
	"                   node), part=K (partitions into two groups that "
	"heal);\n"
	"                   \"none\" for none (default)\n"
	"    --commands C   commands (default 40)\n"
	"    --runs R       run seeds S..S+R-1 and sum them (default 1)\n"
	"    --broken no-channels\n"
	"                   nodes record no channel state (a snapshot "
	"without the\n"
	"                   channels' part), which conservation catches\n"
	"    --broken late-markers\n"
	"                   nodes send their markers 50 us after recording, "
	"behind\n"
	"                   transfers sent meanwhile, which the consistent "
	"cut check\n"
	"                   catches\n"
	"    --trace        print the trace before the summary\n"
	"    --json         print the summary as one JSON object\n"
	"    -h, --help     print this help\n"
	"\n"
	"EXIT STATUS\n"
	"    0 when every property holds, 1 when one fails (the seed is "
	"printed),\n"
	"    2 on a bad option or SPEC.\n";

static const char *const counts[] = { "transfers", "snapshots", "complete",
				      NULL };
static const char *const props[] = { "conservation", "consistent cut",
				     "termination", NULL };

static const char *const broken[] = { "no-channels", "late-markers", NULL };

static int run(const struct sim_args *a, const struct _rc_sim_faults *f,
	       uint64_t seed, unsigned variant, FILE *trace, struct sim_run *r,
	       rc_err_t *err)
{
	/* variant: 0, or 1 + the index in broken[] */
	static const enum _rc_snap_variant v[] = { RC_SNAP_CHANDY_LAMPORT,
						   RC_SNAP_NO_CHANNELS,
						   RC_SNAP_LATE_MARKERS };
	struct _rc_snap_sim_opts o = {
		v[variant], (unsigned)a->nodes, seed, (unsigned)a->commands, *f,
		trace,
	};
	struct _rc_snap_sim_result res;
	int rc = _rc_snap_sim_run(&o, &res, err);

	r->count[0] = res.transfers;
	r->count[1] = res.snapshots;
	r->count[2] = res.complete;
	r->st = res.st;
	r->violations = res.violations;
	snprintf(r->why, sizeof(r->why), "%s", res.why);
	return rc;
}

int snapshot_sim(int argc, char **argv)
{
	static const struct sim_driver d = {
		.name = "snapshot",
		.cmd = "sim snapshot",
		.help = help,
		.nodes = 4,
		.commands = 40,
		.min_nodes = 2,
		.broken = broken,
		.counts = counts,
		.props = props,
		.run = run,
	};

	return sim_drive(&d, argc, argv);
}
