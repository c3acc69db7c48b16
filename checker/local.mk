# SPDX-License-Identifier: MIT
# checker/local.mk: the checker module (sources, headers, tests, man pages).
libreplicore_la_SOURCES += \
	%reldir%/budget.c \
	%reldir%/history.c \
	%reldir%/parse.c \
	%reldir%/spec.c \
	%reldir%/search.c \
	%reldir%/graph.c \
	%reldir%/causal.c \
	%reldir%/session.c \
	%reldir%/check.c \
	%reldir%/html.c \
	%reldir%/recorder.c

noinst_HEADERS += \
	%reldir%/internal.h \
	%reldir%/spec.h

replicoreinc_HEADERS += \
	include/replicore/history.h \
	include/replicore/check.h \
	include/replicore/recorder.h

replicore_SOURCES += tools/cmd_check.c tools/bench_check.c

check_PROGRAMS += tests/unit/test_check_props
tests_unit_test_check_props_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_check_props

# The fuzz target of the history parsers and checkers: make fuzz-check
# (clang with libFuzzer) runs it FUZZ_SECONDS (600) over the corpus kept in
# tests/fuzz/corpus-check, which the fuzzer extends.
CHECK_FUZZ_FILES = $(top_srcdir)/tests/fuzz/fuzz_check.c \
	$(top_srcdir)/checker/history.c $(top_srcdir)/checker/parse.c \
	$(top_srcdir)/checker/spec.c $(top_srcdir)/checker/search.c \
	$(top_srcdir)/checker/causal.c $(top_srcdir)/checker/check.c \
	$(top_srcdir)/checker/graph.c $(top_srcdir)/checker/session.c \
	$(top_srcdir)/checker/html.c $(top_srcdir)/runtime/err.c \
	$(top_srcdir)/runtime/level.c $(top_srcdir)/checker/budget.c
EXTRA_DIST += tests/fuzz/fuzz_check.c \
	tests/fuzz/corpus-check
fuzz-check:
	clang -g -O1 -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all -std=gnu11 -D_GNU_SOURCE \
	  -I$(top_srcdir)/include -I$(top_builddir)/include -I$(top_srcdir) \
	  $(CHECK_FUZZ_FILES) -o fuzz_check
	mkdir -p fuzz-check-new
	./fuzz_check -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  -timeout=10 -rss_limit_mb=2048 fuzz-check-new \
	  $(top_srcdir)/tests/fuzz/corpus-check
	./fuzz_check -merge=1 $(top_srcdir)/tests/fuzz/corpus-check \
	  fuzz-check-new
.PHONY: fuzz-check

check_PROGRAMS += tests/unit/test_check_causal
tests_unit_test_check_causal_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_check_causal

# A history's initial value, through the text format and every checker.
# A text read in two halves at once: the history of a single pass.
check_PROGRAMS += tests/unit/test_history_large
tests_unit_test_history_large_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_history_large

check_PROGRAMS += tests/unit/test_check_initial
tests_unit_test_check_initial_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_check_initial

# Command-line tests (POSIX sh, TAP): the corpus verdicts, bad input, output,
# the time and memory limits in every phase.
TESTS += tests/unit/test_check_corpus.sh tests/unit/test_check_bad.sh \
	tests/unit/test_check_limits.sh tests/unit/test_check_corpus_extra.sh
EXTRA_DIST += tests/unit/test_check_corpus.sh tests/unit/test_check_bad.sh \
	tests/unit/test_check_limits.sh tests/unit/test_check_corpus_extra.sh

# make check replays the kept fuzz corpus through the parsers and checkers.
check_PROGRAMS += tests/unit/test_check_fuzz_replay
tests_unit_test_check_fuzz_replay_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_check_fuzz_replay
noinst_HEADERS += tests/fuzz/fuzz_check.h
dist_man_MANS += doc/replicore-check.1

# The session guarantees on hand-made histories with known answers.
TESTS += tests/unit/test_check_session.sh
EXTRA_DIST += tests/unit/test_check_session.sh tests/unit/session \
	doc/img/check-html-etcd040.png
