# SPDX-License-Identifier: MIT
# tools/local.mk: the replicore command.
replicore_SOURCES += \
	%reldir%/replicore.c \
	%reldir%/cmd_topo.c \
	%reldir%/cmd_demo.c \
	%reldir%/sim_args.c \
	%reldir%/demo.c \
	%reldir%/demo_litmus.c \
	%reldir%/demo_history.c \
	%reldir%/demo_cost.c \
	%reldir%/demo_consensus.c \
	%reldir%/demo_coord.c \
	%reldir%/demo_limits.c \
	%reldir%/demo_rsm.c \
	%reldir%/cmd_paxos.c \
	%reldir%/cmd_sim.c \
	%reldir%/cmd_commit.c \
	%reldir%/cmd_snapshot.c \
	%reldir%/cmd_clocks.c \
	%reldir%/cmd_clocks_threads.c \
	%reldir%/cmd_raft.c \
	%reldir%/cmd_lmutex.c \
	%reldir%/cmd_lease.c \
	%reldir%/cmd_fd.c \
	%reldir%/cmd_flp.c \
	%reldir%/cmd_cap.c \
	%reldir%/cmd_pbft.c \
	%reldir%/cmd_torture.c \
	%reldir%/torture.c


noinst_HEADERS += \
	%reldir%/commands.h \
	%reldir%/demo.h \
	%reldir%/sim_args.h \
	%reldir%/torture.h
dist_man_MANS += doc/replicore.1 doc/replicore-topo.1 doc/replicore-demo.1 \
	doc/replicore-paxos.1 doc/replicore-sim.1 doc/replicore-torture.1 \
	doc/replicore-clocks.1

# The demo reads the litmus suite from the source tree when it is there,
# else from where make install puts it.
replicore_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_SUITE_SRCDIR='"$(abs_top_srcdir)/litmus/tests"' \
	-DRC_SUITE_DATADIR='"$(pkgdatadir)/litmus"'
