# SPDX-License-Identifier: MIT
# runtime/local.mk: the runtime half of libreplicore.
libreplicore_la_SOURCES += \
	%reldir%/err.c \
	%reldir%/topo.c

nobase_include_HEADERS += \
	include/replicore/replicore.h \
	include/replicore/err.h \
	include/replicore/topo.h
