# SPDX-License-Identifier: MIT
# memmodel/local.mk: the memmodel module (sources, headers, tests, man pages).
libreplicore_la_SOURCES += \
	%reldir%/eval.c \
	%reldir%/rel.c \
	%reldir%/enum.c \
	%reldir%/outcome.c \
	%reldir%/text.c \
	%reldir%/sc.c \
	%reldir%/tso.c \
	%reldir%/rc11.c \
	%reldir%/c11.c \
	%reldir%/ra.c \
	%reldir%/sra.c

# The same sources for executions of up to 4096 events (exec.h): 64-word
# event sets, the internal symbols renamed; rc_model_run picks the copy.
noinst_LTLIBRARIES = libmemwide.la
libmemwide_la_SOURCES = \
	%reldir%/rel.c \
	%reldir%/enum.c \
	%reldir%/text.c \
	%reldir%/sc.c \
	%reldir%/tso.c \
	%reldir%/rc11.c \
	%reldir%/c11.c \
	%reldir%/ra.c \
	%reldir%/sra.c
libmemwide_la_CPPFLAGS = $(AM_CPPFLAGS) -DRC_EXEC_WORDS=64
libreplicore_la_LIBADD += libmemwide.la

noinst_HEADERS += %reldir%/exec.h %reldir%/enum.h
replicoreinc_HEADERS += include/replicore/model.h

check_PROGRAMS += tests/unit/test_model_corpus
tests_unit_test_model_corpus_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_model_corpus

check_PROGRAMS += tests/unit/test_model_axioms
tests_unit_test_model_axioms_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_model_axioms
