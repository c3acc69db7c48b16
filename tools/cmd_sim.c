/* SPDX-License-Identifier: MIT */
/* cmd_sim.c: `replicore sim PROTOCOL`, a protocol simulated with seeded faults and its properties checked, dispatching to the protocol's simulation. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "tools/commands.h"

/*
 * One row per protocol, in the order `replicore sim --help` lists them.
 * run takes argv from the protocol's name on, as its own verb would.
 */
struct sim_protocol {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static const struct sim_protocol protocols[] = {
	{ "paxos",
	  "Multi-Paxos between NUMA nodes; the options of replicore paxos sim",
	  paxos_sim },
	{ "2pc", "two-phase commit; blocks while the coordinator is down",
	  commit_sim_2pc },
	{ "3pc", "three-phase commit; splits under a partition",
	  commit_sim_3pc },
	{ "snapshot",
	  "Chandy-Lamport snapshots of a bank over reliable FIFO channels",
	  snapshot_sim },
	{ "raft", "Raft: elections, log replication, restarts from the record",
	  raft_sim },
	{ "lmutex", "Lamport's mutual exclusion; blocks on a crash",
	  lmutex_sim },
	{ "clocks",
	  "physical clocks by Lamport's rules, skew against his bound",
	  clocks_sim },
	{ "lease", "leases with fencing tokens and a store that checks them",
	  lease_sim },
	{ "fd", "failure detectors: heartbeat and phi accrual, with faults",
	  fd_sim },
	{ "flp", "an adversary keeps Paxos undecided; partial synchrony wins",
	  flp_sim },
	{ "generals", "two generals: the lost last message that splits them",
	  generals_sim },
	{ "cap", "a register under a partition: consistent or available",
	  cap_sim },
	{ "pbft", "PBFT with Byzantine replicas; agreement up to f of 3f + 1",
	  pbft_sim },
};

#define NPROTOCOLS (sizeof(protocols) / sizeof(protocols[0]))

static void help(FILE *out)
{
	fputs("NAME\n"
	      "    replicore sim - a protocol simulated with seeded faults, "
	      "properties checked\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    replicore sim PROTOCOL [OPTION]...\n"
	      "    replicore sim PROTOCOL --help\n"
	      "\n"
	      "DESCRIPTION\n"
	      "    Runs PROTOCOL's nodes, each a deterministic step machine, "
	      "in one thread on\n"
	      "    simulated time over a transport that drops, duplicates, "
	      "delays and\n"
	      "    reorders messages, and stalls and crashes nodes, every "
	      "choice drawn from\n"
	      "    the seed: the same arguments give the same run and the same "
	      "trace. After\n"
	      "    each run the protocol's properties are checked. 'replicore "
	      "sim PROTOCOL\n"
	      "    --help' gives a protocol's options and properties.\n"
	      "\n"
	      "PROTOCOLS\n",
	      out);
	for (size_t i = 0; i < NPROTOCOLS; i++)
		fprintf(out, "    %-8s %s\n", protocols[i].name,
			protocols[i].summary);
	fputs("\n"
	      "EXIT STATUS\n"
	      "    0 when every property holds, 1 when one fails (the seed is "
	      "printed),\n"
	      "    2 on a bad protocol, option or fault SPEC.\n"
	      "\n"
	      "KNOWN LIMITS (fixed seeds, see replicore-sim(1))\n"
	      "    replicore sim 2pc --nodes 3 --seed 17 --faults "
	      "crash=1,delay=0.3 --commands 10\n"
	      "        2pc blocks while the coordinator is down (exit 0, "
	      "1 blocked)\n"
	      "    replicore sim 3pc --nodes 4 --seed 3 --faults "
	      "part=1,delay=0.3 --commands 20\n"
	      "        3pc decides apart across a partition (exit 1, "
	      "atomicity)\n"
	      "\n"
	      "EXAMPLE\n"
	      "    replicore sim paxos --nodes 5 --seed 7 --faults "
	      "drop=0.1,dup=0.05,crash=2,stall=3 --commands 200\n",
	      out);
}

/* The protocols' names, comma-separated, for the usage errors. */
static const char *names(void)
{
	static char buf[256];

	buf[0] = '\0';
	for (size_t i = 0; i < NPROTOCOLS; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
			 i ? ", " : "", protocols[i].name);
	return buf;
}

int cmd_sim(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage("sim", "a protocol is needed: %s", names());
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help(stdout);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < NPROTOCOLS; i++)
		if (strcmp(protocols[i].name, argv[1]) == 0)
			return protocols[i].run(argc - 1, argv + 1);
	if (argv[1][0] == '-')
		return cli_usage("sim", "a protocol is needed before '%s'",
				 argv[1]);
	return cli_usage("sim", "unknown protocol '%s' (%s)", argv[1], names());
}
