# SPDX-License-Identifier: MIT
# memmodel/local.mk: the memmodel module (sources, headers, tests, man pages).
libreplicore_la_SOURCES += \
	%reldir%/eval.c \
	%reldir%/rel.c \
	%reldir%/enum.c \
	%reldir%/outcome.c \
	%reldir%/sc.c \
	%reldir%/tso.c \
	%reldir%/rc11.c \
	%reldir%/c11.c \
	%reldir%/ra.c \
	%reldir%/sra.c

noinst_HEADERS += %reldir%/exec.h %reldir%/enum.h
replicoreinc_HEADERS += include/replicore/model.h

check_PROGRAMS += tests/unit/test_model_corpus
tests_unit_test_model_corpus_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_model_corpus

check_PROGRAMS += tests/unit/test_model_axioms
tests_unit_test_model_axioms_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_model_axioms
