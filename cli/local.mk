# SPDX-License-Identifier: MIT
# cli/local.mk: what the command and the benchmarks share (usage errors,
# options, progress, JSON output), below both: tools/ and bench/ include
# it, it includes neither.
replicore_SOURCES += %reldir%/cli.c
noinst_HEADERS += %reldir%/cli.h
