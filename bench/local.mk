# SPDX-License-Identifier: MIT
# bench/local.mk: the bench module (sources, headers, tests, man pages).

# The memory models on the litmus corpus: per-test and total times as JSON,
# with herd7's figures beside them (reported, never asserted).
EXTRA_DIST += bench/models.sh bench/litmus/IRIW6+rel+acq.litmus \
	bench/litmus/6FAA+rlx.litmus bench/litmus/SB6.litmus
bench-models: replicore$(EXEEXT)
	@$(SHELL) $(srcdir)/bench/models.sh ./replicore$(EXEEXT) \
		'$(RC_SHARED)/corpus/litmus' $${RC_BENCH_REPEAT:-3} \
		$(srcdir)/bench/litmus/*.litmus
# Parametric litmus families (SB-k, alternating stores and loads, rings,
# message passing after k data stores, up to 1000 events): time,
# consistent executions and their rate per second, as JSON lines.
EXTRA_DIST += bench/families.sh
bench-families: replicore$(EXEEXT)
	@$(SHELL) $(srcdir)/bench/families.sh ./replicore$(EXEEXT) \
		$${RC_BENCH_REPEAT:-3}
bench: bench-models bench-families
.PHONY: bench bench-models bench-families

# Generated kv histories of K keys, C clients and N operations, linearizable
# or with one wrong read, for replicore check (bench/gen-kv.sh --help).
EXTRA_DIST += bench/gen-kv.sh

# The NUMA microbenchmarks (c2c, fence, atomic): built into the replicore
# command, not into the library; their machinery is in bench/common.c and
# bench/svg.c, and bench/arch.h holds everything architecture-specific.
replicore_SOURCES += \
	%reldir%/common.c \
	%reldir%/svg.c \
	%reldir%/c2c.c \
	%reldir%/fence.c \
	%reldir%/atomic.c \
	%reldir%/bench_mem.c \
	%reldir%/bench_rsm.c \
	%reldir%/bench_paxos.c \
	%reldir%/bench_lmutex.c \
	%reldir%/bench_consensus.c
# bench rsm's lfht baseline: liburcu's hash table.
replicore_LDADD += $(URCU_CDS_LIBS)
noinst_HEADERS += %reldir%/bench.h %reldir%/arch.h
EXTRA_DIST += %reldir%/schema.json doc/img/bench-c2c.svg \
	doc/img/bench-fence.svg doc/img/bench-atomic.svg doc/img/bench-rsm.svg
dist_man_MANS += doc/replicore-bench.1

# Output shape of every kind (JSON against bench/schema.json, SVG
# well-formed), and the c2c floor beside bench c2c (reported, not asserted).
check_PROGRAMS += tests/unit/test_bench_output tests/unit/test_bench_c2c
tests_unit_test_bench_output_SOURCES = tests/unit/test_bench_output.c \
	tests/unit/bench_json.c tests/unit/bench_json.h
tests_unit_test_bench_output_LDADD = $(RC_TEST_LDADD)
tests_unit_test_bench_c2c_SOURCES = tests/unit/test_bench_c2c.c \
	tests/unit/bench_json.c tests/unit/bench_json.h
tests_unit_test_bench_c2c_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_bench_output tests/unit/test_bench_c2c

# bench c2c's store/load floor as other benchmarks call it: the function
# itself, linked with the bench sources (outside the library).
check_PROGRAMS += tests/unit/test_bench_c2c_floor
tests_unit_test_bench_c2c_floor_SOURCES = tests/unit/test_bench_c2c_floor.c \
	bench/c2c.c bench/common.c bench/svg.c cli/cli.c
tests_unit_test_bench_c2c_floor_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_bench_c2c_floor

# make bench: a short pass of c2c, fence, atomic, mem and rsm into
# bench/results/.
RC_BENCH_NUMA_FLAGS = --duration $${RC_BENCH_DURATION:-0.02} \
	--repeat $${RC_BENCH_REPEAT:-3}
bench-numa: replicore$(EXEEXT)
	@mkdir -p bench/results
	@for k in c2c fence atomic mem rsm; do \
	  echo "bench $$k -> bench/results/$$k.json, bench/results/$$k.svg"; \
	  ./replicore$(EXEEXT) bench $$k $(RC_BENCH_NUMA_FLAGS) --json \
	    --plot bench/results/$$k.svg >bench/results/$$k.json || exit 1; \
	done
bench: bench-numa
CLEANFILES += bench/results/c2c.json bench/results/c2c.svg \
	bench/results/fence.json bench/results/fence.svg \
	bench/results/atomic.json bench/results/atomic.svg \
	bench/results/mem.json bench/results/mem.svg \
	bench/results/rsm.json bench/results/rsm.svg
.PHONY: bench-numa

# replicore bench litmus: the hardware litmus harness on SB beside litmus7.
replicore_SOURCES += %reldir%/litmus_hw.c

# make bench: bench paxos (the Paxos log beside the shared-memory log).
bench-paxos: replicore$(EXEEXT)
	@mkdir -p bench/results
	@echo "bench paxos -> bench/results/paxos.json, bench/results/paxos.svg"
	@./replicore$(EXEEXT) bench paxos --duration $${RC_BENCH_DURATION:-0.1} \
	  --repeat $${RC_BENCH_REPEAT:-3} --json \
	  --plot bench/results/paxos.svg >bench/results/paxos.json
bench: bench-paxos
CLEANFILES += bench/results/paxos.json bench/results/paxos.svg
.PHONY: bench-paxos

# The history checker's hard cases, run by hand (figures are reported, never
# asserted): one key of Porcupine's kv c50-bad history, and single-key
# cas-register histories of growing size (bench/check_scale.sh).
EXTRA_DIST += bench/histories/kv-c50-bad-key7.edn bench/check_scale.sh
