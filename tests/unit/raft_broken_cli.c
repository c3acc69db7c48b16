/* SPDX-License-Identifier: MIT */
/* raft_broken_cli.c: `replicore sim raft` over the Raft copy whose leader commits entries of earlier terms by counting, for test_sim_cli.sh. */
#include "tools/commands.h"

int main(int argc, char **argv)
{
	return raft_sim(argc, argv);
}
