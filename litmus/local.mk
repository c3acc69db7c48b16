# SPDX-License-Identifier: MIT
# litmus/local.mk: the litmus module (sources, headers, tests, man pages).
libreplicore_la_SOURCES += \
	%reldir%/arena.c \
	%reldir%/parse.c \
	%reldir%/print.c

noinst_HEADERS += %reldir%/arena.h
replicoreinc_HEADERS += include/replicore/litmus.h

replicore_SOURCES += tools/cmd_litmus.c tools/cmd_bench.c

# Litmus tests on the rc_mem objects (litmus run --target lin|sc|tso|causal).
libreplicore_la_SOURCES += %reldir%/objects.c
replicoreinc_HEADERS += include/replicore/objrun.h
replicore_SOURCES += tools/cmd_litmus_run.c

# The fuzz target: the parser and printer, and small tests through the
# models. make check replays the kept corpus through it;
# make fuzz builds it with libFuzzer and runs it (FUZZ_SECONDS, default 600)
# on that corpus, seeded with the reference litmus corpus.
check_PROGRAMS += tests/fuzz/replay_litmus
tests_fuzz_replay_litmus_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_litmus.c
tests_fuzz_replay_litmus_LDADD = $(RC_TEST_LDADD)
TESTS += tests/fuzz/replay_litmus
EXTRA_DIST += tests/fuzz/corpus-litmus

FUZZ_CC = clang
FUZZ_SECONDS ?= 600
FUZZ_SRCS = $(srcdir)/tests/fuzz/fuzz_litmus.c $(srcdir)/litmus/arena.c \
	$(srcdir)/litmus/parse.c $(srcdir)/litmus/print.c \
	$(srcdir)/runtime/err.c $(srcdir)/memmodel/eval.c $(srcdir)/memmodel/rel.c \
	$(srcdir)/memmodel/enum.c $(srcdir)/memmodel/outcome.c \
	$(srcdir)/memmodel/sc.c $(srcdir)/memmodel/tso.c \
	$(srcdir)/memmodel/rc11.c $(srcdir)/memmodel/c11.c \
	$(srcdir)/memmodel/ra.c $(srcdir)/memmodel/sra.c
tests/fuzz/fuzz-litmus: $(FUZZ_SRCS)
	@mkdir -p tests/fuzz
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -D_GNU_SOURCE -I$(srcdir)/include \
		-I$(builddir)/include -I$(srcdir) -o $@ $(FUZZ_SRCS) -lpthread
fuzz: tests/fuzz/fuzz-litmus
	@mkdir -p tests/fuzz/seed-litmus
	cp $(RC_SHARED)/corpus/litmus/x86/*.litmus \
		$(RC_SHARED)/corpus/litmus/c11/*.litmus tests/fuzz/seed-litmus/
	ASAN_OPTIONS=detect_leaks=1 ./tests/fuzz/fuzz-litmus \
		-max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
		-print_final_stats=1 $(srcdir)/tests/fuzz/corpus-litmus \
		tests/fuzz/seed-litmus
CLEANFILES += tests/fuzz/fuzz-litmus
.PHONY: fuzz

check_PROGRAMS += tests/unit/test_litmus_parse
tests_unit_test_litmus_parse_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_litmus_parse

TESTS += tests/unit/test_litmus_cli.sh
EXTRA_DIST += tests/unit/test_litmus_cli.sh

dist_man_MANS += doc/replicore-litmus.1

# Litmus tests on the machine (litmus run --target hw): the code generator,
# the harness and its command, built into the replicore command (the
# harness dlopens the objects it compiles, hence -ldl from configure).
replicore_SOURCES += %reldir%/hw_gen.c %reldir%/hw_run.c tools/cmd_litmus_hw.c
noinst_HEADERS += %reldir%/hw.h %reldir%/hw_arch.h

# The demonstration suite (replicore demo): the classic shapes, X86 and C,
# each with a comment saying what it shows; installed for the demo.
suitedir = $(pkgdatadir)/litmus
dist_suite_DATA = \
	%reldir%/tests/2+2W.litmus %reldir%/tests/2+2W+mfences.litmus \
	%reldir%/tests/2+2W+rlx.litmus %reldir%/tests/2+2W+sc.litmus \
	%reldir%/tests/IRIW.litmus %reldir%/tests/IRIW+mfences.litmus \
	%reldir%/tests/IRIW+rel+acq.litmus %reldir%/tests/IRIW+sc.litmus \
	%reldir%/tests/LB.litmus %reldir%/tests/LB+mfences.litmus \
	%reldir%/tests/LB+rlx.litmus %reldir%/tests/LB+rel+acq.litmus \
	%reldir%/tests/MP.litmus %reldir%/tests/MP+mfences.litmus \
	%reldir%/tests/MP+rlx.litmus %reldir%/tests/MP+rel+acq.litmus \
	%reldir%/tests/R.litmus %reldir%/tests/R+mfences.litmus \
	%reldir%/tests/R+rlx.litmus %reldir%/tests/R+sc.litmus \
	%reldir%/tests/S.litmus %reldir%/tests/S+mfences.litmus \
	%reldir%/tests/S+rlx.litmus %reldir%/tests/S+rel+acq.litmus \
	%reldir%/tests/SB.litmus %reldir%/tests/SB+mfences.litmus \
	%reldir%/tests/SB+rlx.litmus %reldir%/tests/SB+fencesc.litmus \
	%reldir%/tests/WRC.litmus %reldir%/tests/WRC+mfences.litmus \
	%reldir%/tests/WRC+rlx.litmus %reldir%/tests/WRC+rel+acq.litmus
