/* SPDX-License-Identifier: MIT */
/* replicore.c: the replicore command, dispatching to its subcommands. */
#include <stdio.h>
#include <string.h>

#include <replicore/config.h>

#include "cli/cli.h"
#include "tools/commands.h"

/* One row per subcommand, in the order `replicore --help` lists them. */
static const struct cli_cmd commands[] = {
	{ "bench",
	  "benchmarks: c2c, fence, atomic, mem, rsm, paxos, models, check, "
	  "litmus",
	  cmd_bench },
	{ "clocks",
	  "physical clocks by Lamport's rules between threads, skew "
	  "against his bound",
	  cmd_clocks },
	{ "check", "check a history: linearizable, sequential, causal",
	  cmd_check },
	{ "demo", "run the demonstration on this machine", cmd_demo },
	{ "litmus", "litmus tests under memory models", cmd_litmus },
	{ "paxos", "Multi-Paxos simulated with faults, properties checked",
	  cmd_paxos },
	{ "sim", "a protocol simulated with seeded faults, properties checked",
	  cmd_sim },
	{ "torture",
	  "clients of the replicated state machine under stalls, "
	  "crashes and restarts, checked",
	  cmd_torture },
	{ "topo", "show the machine's or a synthetic layout's topology",
	  cmd_topo },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    replicore - consistency levels, replication and memory "
	      "models for multicore\n"
	      "    and NUMA machines\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    replicore COMMAND [OPTION]... [ARG]...\n"
	      "    replicore --help | --version\n"
	      "\n"
	      "COMMANDS\n",
	      out);
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "    %-8s %s\n", commands[i].name,
			commands[i].summary);
	fputs("\n"
	      "    'replicore COMMAND --help' describes a command's options.\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0  success\n"
	      "    1  the command found what it looks for: a violation, or a "
	      "disagreement\n"
	      "       between a model and an observation\n"
	      "    2  bad arguments or bad input (the message names file, line "
	      "and column)\n"
	      "    3  no verdict: a time or memory budget ran out\n"
	      "\n"
	      "EXAMPLE\n"
	      "    replicore topo --synthetic \"numa:2 core:2 pu:1\"\n"
	      "\n"
	      "SEE ALSO\n"
	      "    replicore(1)\n",
	      out);
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
	    strcmp(name, "help") == 0) {
		if (strcmp(name, "help") == 0 && argc > 2) {
			char *sub[] = { argv[2], (char *)"--help", NULL };

			for (size_t i = 0; i < NCOMMANDS; i++)
				if (strcmp(commands[i].name, argv[2]) == 0)
					return commands[i].run(2, sub);
			return cli_usage(NULL, "unknown command '%s'", argv[2]);
		}
		usage(stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
		printf("replicore %s\n", RC_CONFIG_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	if (name[0] == '-')
		return cli_usage(NULL, "unrecognized option '%s'", name);
	return cli_usage(NULL, "unknown command '%s'", name);
}
