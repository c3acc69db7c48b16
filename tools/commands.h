/* SPDX-License-Identifier: MIT */
/* commands.h: the entry point of each replicore subcommand. */
#ifndef RC_TOOLS_COMMANDS_H
#define RC_TOOLS_COMMANDS_H

/* replicore bench check: the checker's benchmark (tools/bench_check.c). */
int bench_check(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_litmus(int argc, char **argv);
/* replicore litmus run --target hw (tools/cmd_litmus_hw.c). */
int litmus_run_hw(int argc, char **argv);
int cmd_paxos(int argc, char **argv);
/*
 * A Paxos simulation from argv (argv[0] names the verb, options follow):
 * replicore paxos sim and replicore sim paxos (tools/cmd_paxos.c).
 */
int paxos_sim(int argc, char **argv);
int cmd_sim(int argc, char **argv);
/* replicore sim 2pc and replicore sim 3pc (tools/cmd_commit.c). */
int commit_sim_2pc(int argc, char **argv);
int commit_sim_3pc(int argc, char **argv);
/* replicore clocks: the clocks between threads (tools/cmd_clocks_threads.c). */
int cmd_clocks(int argc, char **argv);
/* replicore sim clocks (tools/cmd_clocks.c). */
int clocks_sim(int argc, char **argv);
/* replicore sim snapshot (tools/cmd_snapshot.c). */
int snapshot_sim(int argc, char **argv);
/* replicore sim raft (tools/cmd_raft.c). */
int raft_sim(int argc, char **argv);
/* replicore sim fd (tools/cmd_fd.c). */
int fd_sim(int argc, char **argv);
/* replicore sim flp and replicore sim generals (tools/cmd_flp.c). */
int flp_sim(int argc, char **argv);
int generals_sim(int argc, char **argv);
/* replicore sim cap (tools/cmd_cap.c). */
int cap_sim(int argc, char **argv);
/* replicore sim lmutex (tools/cmd_lmutex.c). */
int lmutex_sim(int argc, char **argv);
/* replicore sim lease (tools/cmd_lease.c). */
int lease_sim(int argc, char **argv);
/* replicore sim pbft (tools/cmd_pbft.c). */
int pbft_sim(int argc, char **argv);
int cmd_topo(int argc, char **argv);
int cmd_torture(int argc, char **argv);

#endif /* RC_TOOLS_COMMANDS_H */
