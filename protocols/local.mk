# SPDX-License-Identifier: MIT
# protocols/local.mk: consensus and coordination protocols, above the
# runtime. A protocol is a deterministic step machine (protocols/NAME/,
# its invariant at the top of its file, its properties beside it); the
# seeded simulator with faults (protocols/sim/) and the threaded runner
# (protocols/run/) run it, each through a table of functions the protocol
# gives (protocols/NAME/sim.c, group.c). Nothing in runtime/ includes or
# calls these.
libreplicore_la_SOURCES += \
	%reldir%/paxos/paxos.c \
	%reldir%/paxos/check.c \
	%reldir%/paxos/log.c \
	%reldir%/paxos/sim.c \
	%reldir%/paxos/group.c \
	%reldir%/commit/commit.c \
	%reldir%/commit/check.c \
	%reldir%/commit/sim.c \
	%reldir%/snapshot/snapshot.c \
	%reldir%/snapshot/sim.c \
	%reldir%/clocks/clocks.c \
	%reldir%/clocks/sim.c \
	%reldir%/clocks/threads.c \
	%reldir%/raft/raft.c \
	%reldir%/raft/check.c \
	%reldir%/raft/sim.c \
	%reldir%/raft/log.c \
	%reldir%/lmutex/proc.c \
	%reldir%/lmutex/link.c \
	%reldir%/lmutex/check.c \
	%reldir%/lmutex/sim.c \
	%reldir%/lmutex/lmutex.c \
	%reldir%/lease/lease.c \
	%reldir%/lease/check.c \
	%reldir%/lease/sim.c \
	%reldir%/snapshot/bank.c \
	%reldir%/fd/fd.c \
	%reldir%/fd/sim.c \
	%reldir%/flp/flp.c \
	%reldir%/flp/generals.c \
	%reldir%/cap/sim.c \
	%reldir%/pbft/pbft.c \
	%reldir%/pbft/sim.c \
	%reldir%/sim/sim.c \
	%reldir%/run/run.c

noinst_HEADERS += \
	%reldir%/paxos/internal.h \
	%reldir%/commit/commit.h \
	%reldir%/snapshot/snapshot.h \
	%reldir%/clocks/clocks.h \
	%reldir%/raft/raft.h \
	%reldir%/lmutex/lmutex.h \
	%reldir%/lease/lease.h \
	%reldir%/fd/fd.h \
	%reldir%/flp/flp.h \
	%reldir%/cap/cap.h \
	%reldir%/pbft/pbft.h \
	%reldir%/sim/sim.h \
	%reldir%/run/run.h \
	%reldir%/rand.h

replicoreinc_HEADERS += \
	include/replicore/paxos.h \
	include/replicore/raft.h \
	include/replicore/lmutex.h \
	include/replicore/lease.h \
	include/replicore/snapshot.h \
	include/replicore/fd.h
