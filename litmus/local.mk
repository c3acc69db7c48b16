# SPDX-License-Identifier: MIT
# litmus/local.mk: the litmus module (sources, headers, tests, man pages).
libreplicore_la_SOURCES += \
	%reldir%/arena.c \
	%reldir%/parse.c \
	%reldir%/print.c

noinst_HEADERS += %reldir%/arena.h
replicoreinc_HEADERS += include/replicore/litmus.h

replicore_SOURCES += tools/cmd_litmus.c tools/cmd_bench.c
