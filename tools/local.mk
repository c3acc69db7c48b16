# SPDX-License-Identifier: MIT
# tools/local.mk: the replicore command.
replicore_SOURCES += \
	%reldir%/replicore.c \
	%reldir%/cli.c \
	%reldir%/cmd_topo.c \
	%reldir%/cmd_demo.c \
	%reldir%/cmd_paxos.c


noinst_HEADERS += \
	%reldir%/cli.h \
	%reldir%/commands.h
dist_man_MANS += doc/replicore.1 doc/replicore-paxos.1
