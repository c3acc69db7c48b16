# SPDX-License-Identifier: MIT
# checker/local.mk: the checker module (sources, headers, tests, man pages).
libreplicore_la_SOURCES += \
	%reldir%/history.c \
	%reldir%/parse.c \
	%reldir%/spec.c \
	%reldir%/search.c \
	%reldir%/causal.c \
	%reldir%/check.c \
	%reldir%/html.c

noinst_HEADERS += \
	%reldir%/internal.h \
	%reldir%/spec.h

replicoreinc_HEADERS += \
	include/replicore/history.h \
	include/replicore/check.h

replicore_SOURCES += tools/cmd_check.c tools/bench_check.c
