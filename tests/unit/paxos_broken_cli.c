/* SPDX-License-Identifier: MIT */
/* paxos_broken_cli.c: `replicore paxos` over the Paxos copy built without phase-1 value adoption, for test_paxos_cli.sh. */
#include "tools/commands.h"

int main(int argc, char **argv)
{
	return cmd_paxos(argc, argv);
}
