# SPDX-License-Identifier: MIT
# runtime/local.mk: the runtime half of libreplicore.
libreplicore_la_SOURCES += \
	%reldir%/err.c \
	%reldir%/fault.c \
	%reldir%/topo.c \
	%reldir%/chan.c \
	%reldir%/clock.c \
	%reldir%/crdt.c \
	%reldir%/level.c \
	%reldir%/mem.c \
	%reldir%/mem_tso.c \
	%reldir%/mem_sc.c \
	%reldir%/mem_causal.c \
	%reldir%/mem_ev.c \
	%reldir%/mem_mv.c \
	%reldir%/mem_session.c \
	%reldir%/mem_state.c \
	%reldir%/log_shm.c \
	%reldir%/rsm.c \
	%reldir%/tob.c \
	%reldir%/wait.c \
	%reldir%/mring.c

noinst_HEADERS += \
	%reldir%/tsan.h \
	%reldir%/fault.h \
	%reldir%/chan_int.h \
	%reldir%/wait.h \
	%reldir%/mem_int.h \
	%reldir%/mring.h

replicoreinc_HEADERS += \
	include/replicore/replicore.h \
	include/replicore/err.h \
	include/replicore/topo.h \
	include/replicore/chan.h \
	include/replicore/clock.h \
	include/replicore/crdt.h \
	include/replicore/level.h \
	include/replicore/mem.h \
	include/replicore/log.h \
	include/replicore/rsm.h \
	include/replicore/tob.h \
	include/replicore/wait.h
