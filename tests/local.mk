# SPDX-License-Identifier: MIT
# tests/local.mk: the unit tier (make check) and the regression tier (make regtest).
RC_TEST_LDADD = libreplicore.la $(RC_DEP_LIBS)

check_PROGRAMS += tests/unit/test_topo
tests_unit_test_topo_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_topo
# Placement: memory on a layout node, code run on one, where memory is.
check_PROGRAMS += tests/unit/test_topo_place
tests_unit_test_topo_place_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_topo_place
# The same over a copy of topo.c that never binds memory: the first-touch
# fallback of rc_topo_alloc.
check_PROGRAMS += tests/unit/test_topo_place_ft
tests_unit_test_topo_place_ft_SOURCES = tests/unit/test_topo_place.c \
	runtime/topo.c
tests_unit_test_topo_place_ft_CPPFLAGS = $(AM_CPPFLAGS) -DRC_TOPO_FIRST_TOUCH
tests_unit_test_topo_place_ft_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_topo_place_ft

noinst_HEADERS += tests/tap.h tests/unit/mem_ops.h

# The levels (level.h): names, objects' and histories', the mapping.
check_PROGRAMS += tests/unit/test_level
tests_unit_test_level_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_level

# Error codes (err.h): errno values, named by rc_strerror.
check_PROGRAMS += tests/unit/test_err
tests_unit_test_err_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_err

check_PROGRAMS += tests/unit/test_chan tests/unit/test_clock \
	tests/regression/test_chan_stress
tests_unit_test_chan_LDADD = $(RC_TEST_LDADD)
tests_unit_test_clock_LDADD = $(RC_TEST_LDADD)
tests_regression_test_chan_stress_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_chan tests/unit/test_clock \
	tests/regression/test_chan_stress
REGTESTS += tests/regression/test_chan_stress

# The message ring under the Paxos runner.
check_PROGRAMS += tests/unit/test_mring
tests_unit_test_mring_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_mring

# How blocking calls wait (rc_wait_policy, the event that wakes a park).
check_PROGRAMS += tests/unit/test_wait
tests_unit_test_wait_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_wait
noinst_HEADERS += tests/unit/parked.h

# Command-line, demo, format and install tests (POSIX sh, TAP).
TESTS += tests/unit/test_cli.sh tests/unit/test_demo.sh \
	tests/unit/test_format.sh tests/unit/test_install.sh
EXTRA_DIST += tests/unit/test_cli.sh tests/unit/test_demo.sh \
	tests/unit/test_format.sh tests/unit/test_install.sh

# Convergent replicated data types: meaning, merge law, convergence.
check_PROGRAMS += tests/unit/test_crdt tests/unit/test_crdt_converge
tests_unit_test_crdt_LDADD = $(RC_TEST_LDADD)
tests_unit_test_crdt_converge_LDADD = $(RC_TEST_LDADD) -lpthread
noinst_HEADERS += tests/unit/crdt_ops.h tests/unit/paxos_propose.h
TESTS += tests/unit/test_crdt tests/unit/test_crdt_converge

# The floors: calls run down only and no two files call each other in a
# circle, read from the built objects' symbol tables.
TESTS += tests/unit/test_layers.sh
EXTRA_DIST += tests/unit/test_layers.sh

# Memory objects (rc_mem): per-level explore-mode tests, exhaustive small
# programs, the API, and a threaded run.
check_PROGRAMS += tests/unit/test_mem_api tests/unit/test_mem_tso \
	tests/unit/test_mem_sc tests/unit/test_mem_causal \
	tests/unit/test_mem_explore tests/unit/test_mem_threads \
	tests/unit/test_mem_backlog tests/unit/test_mem_offline \
	tests/unit/test_mem_fault tests/unit/test_mem_eventual \
	tests/unit/test_mem_session tests/unit/test_session_outcomes
tests_unit_test_session_outcomes_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_eventual_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_session_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_api_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_tso_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_sc_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_causal_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_explore_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_threads_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_backlog_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_offline_LDADD = $(RC_TEST_LDADD)
tests_unit_test_mem_fault_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_mem_api tests/unit/test_mem_tso \
	tests/unit/test_mem_sc tests/unit/test_mem_causal \
	tests/unit/test_mem_explore tests/unit/test_mem_threads \
	tests/unit/test_mem_backlog tests/unit/test_mem_offline \
	tests/unit/test_mem_fault tests/unit/test_mem_eventual \
	tests/unit/test_mem_session tests/unit/test_session_outcomes

# SC's and CAUSAL's log space reused, over a copy of the memory objects'
# sources with an SC log of 256 entries and causal segments of 1 KiB.
check_PROGRAMS += tests/unit/test_mem_sclog
tests_unit_test_mem_sclog_SOURCES = tests/unit/test_mem_sclog.c \
	runtime/mem.c runtime/mem_tso.c runtime/mem_sc.c runtime/mem_causal.c \
	runtime/mem_ev.c runtime/mem_mv.c runtime/mem_state.c
tests_unit_test_mem_sclog_CPPFLAGS = $(AM_CPPFLAGS) -DSC_LOG_ENTRIES=256 \
	-DSC_SEG_SHIFT=6 -DCLOG_SEG_BYTES=1024 -DCLOG_STALE_MIN=64
tests_unit_test_mem_sclog_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_mem_sclog

# History stress of rc_mem: recorded with rc_recorder, checked per level.
check_PROGRAMS += tests/regression/test_mem_stress
tests_regression_test_mem_stress_LDADD = $(RC_TEST_LDADD)
TESTS += tests/regression/test_mem_stress
REGTESTS += tests/regression/test_mem_stress
# histories it keeps when a check fails, for replicore check
CLEANFILES += test_mem_stress-*.hist

# Store buffering with seq_cst fences on rc_mem from pinned threads.
check_PROGRAMS += tests/regression/test_mem_fence_stress
tests_regression_test_mem_fence_stress_LDADD = $(RC_TEST_LDADD)
TESTS += tests/regression/test_mem_fence_stress
REGTESTS += tests/regression/test_mem_fence_stress

# The history recorder (rc_recorder).
check_PROGRAMS += tests/unit/test_recorder
tests_unit_test_recorder_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_recorder

# Litmus tests on the rc_mem objects: every corpus test explored on each
# level against its model, the interpreter on the classic shapes, the
# `litmus run` command.
check_PROGRAMS += tests/unit/test_objrun_corpus
tests_unit_test_objrun_corpus_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_objrun_corpus
check_PROGRAMS += tests/unit/test_objrun_shapes
tests_unit_test_objrun_shapes_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_objrun_shapes tests/unit/test_litmus_run.sh
EXTRA_DIST += tests/unit/test_litmus_run.sh
# Every X86 corpus test with an RMW explored and compared with its model,
# and with herd's (--herd-compat); litmus tests with known outcomes under
# litmus model, and models that do not apply.
TESTS += tests/unit/test_litmus_rmw.sh tests/unit/test_litmus_models.sh
# The eventual object's outcome sets, explored, checked exactly.
TESTS += tests/unit/test_litmus_eventual.sh
EXTRA_DIST += tests/unit/test_litmus_eventual.sh tests/unit/litmus-eventual/EXPECT \
	tests/unit/litmus-eventual/2+2W.states \
	tests/unit/litmus-eventual/2FAA+rlx.states \
	tests/unit/litmus-eventual/CoRR+rlx.states \
	tests/unit/litmus-eventual/CoRW2+rlx.states \
	tests/unit/litmus-eventual/CoWR+rlx.states \
	tests/unit/litmus-eventual/IRIW.states \
	tests/unit/litmus-eventual/LB.states \
	tests/unit/litmus-eventual/MP+rel+acq.states \
	tests/unit/litmus-eventual/MP.states \
	tests/unit/litmus-eventual/R.states \
	tests/unit/litmus-eventual/S.states \
	tests/unit/litmus-eventual/SB+mfences.states \
	tests/unit/litmus-eventual/SB.states \
	tests/unit/litmus-eventual/WRC.states
# Parametric families (SB with k stores, alternating stores and loads)
# against closed forms and an operational oracle.
TESTS += tests/unit/test_litmus_families.sh
EXTRA_DIST += tests/unit/test_litmus_families.sh \
	tests/unit/litmus-families.sh tests/unit/litmus-families-oracle.awk
EXTRA_DIST += tests/unit/test_litmus_rmw.sh tests/unit/test_litmus_models.sh \
	tests/unit/litmus-models/EXPECT tests/unit/litmus-models/xchg-atomic.litmus \
	tests/unit/litmus-models/cas-weak.litmus \
	tests/unit/litmus-models/cas-strong.litmus \
	tests/unit/litmus-models/MP+rlx.litmus \
	tests/unit/litmus-models/MP+fences.litmus \
	tests/unit/litmus-models/SB+fencesc+po.litmus \
	tests/unit/litmus-models/SB+fencescs.litmus \
	tests/unit/litmus-models/2+2W+rlx.litmus \
	tests/unit/litmus-models/2+2W+fencescs.litmus

# Litmus tests on the machine (litmus run --target hw): the command in the
# unit tier; every X86 test of the corpus against tso in the regression tier.
TESTS += tests/unit/test_litmus_hw.sh
REGTESTS += tests/regression/test_litmus_hw_corpus.sh
EXTRA_DIST += tests/unit/test_litmus_hw.sh \
	tests/regression/test_litmus_hw_corpus.sh \
	tests/unit/litmus-hw/OPS.litmus tests/unit/litmus-hw/OPS2.litmus \
	tests/unit/litmus-hw/COPS.litmus
EXTRA_DIST += tests/tap.sh

# The demo's JSON, small counts, against litmus model and litmus run
# --explore on the same tests.
check_PROGRAMS += tests/unit/test_demo_json
tests_unit_test_demo_json_SOURCES = tests/unit/test_demo_json.c \
	tests/unit/bench_json.c tests/unit/bench_json.h
tests_unit_test_demo_json_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_demo_json

# The operation log and the replicated state machine (rc_log, rc_rsm).
check_PROGRAMS += tests/unit/test_log_shm
tests_unit_test_log_shm_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_log_shm
check_PROGRAMS += tests/unit/test_rsm
tests_unit_test_rsm_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_rsm
# Where rc_rsm places each node's memory and replica, and runs init.
check_PROGRAMS += tests/unit/test_rsm_place
tests_unit_test_rsm_place_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_rsm_place
noinst_HEADERS += tests/unit/log_notail.h
# Stress of rc_rsm: recorded histories checked per structure; regtest
# scales the runs.
check_PROGRAMS += tests/unit/test_rsm_stress
tests_unit_test_rsm_stress_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_rsm_stress
REGTESTS += tests/unit/test_rsm_stress
CLEANFILES += test_rsm_stress-*.hist
# Multi-Paxos (rc_paxos): the step machine by hand, the simulation's
# determinism and 1,000 seeded runs with random faults (100,000 in the
# regression tier); the same seeds against a copy built without phase-1
# value adoption, one whose restarted acceptors forget and one whose leader
# answers read indexes unconfirmed, and one whose quorum is half an even
# group (minority), which they must catch; the threaded group; the command.
check_PROGRAMS += tests/unit/test_paxos_sim tests/unit/test_paxos_broken \
	tests/unit/test_paxos_broken_recovery tests/unit/test_paxos_broken_reads \
	tests/unit/test_paxos_broken_quorum tests/regression/test_paxos_sims
tests_unit_test_paxos_sim_LDADD = $(RC_TEST_LDADD)
tests_regression_test_paxos_sims_SOURCES = tests/unit/test_paxos_sim.c
tests_regression_test_paxos_sims_CPPFLAGS = $(AM_CPPFLAGS) \
	-DPX_FUZZ_ONLY -DPX_DEFAULT_SIMS=5000 -DPX_FIRST_SEED=1000001
tests_regression_test_paxos_sims_LDADD = $(RC_TEST_LDADD)
tests_unit_test_paxos_broken_SOURCES = tests/unit/test_paxos_broken.c \
	protocols/paxos/paxos.c protocols/paxos/check.c protocols/paxos/sim.c \
	protocols/sim/sim.c
tests_unit_test_paxos_broken_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_PAXOS_BROKEN_PHASE1
tests_unit_test_paxos_broken_LDADD = $(RC_TEST_LDADD)
# The same test over a copy whose restarted acceptors forget their
# promises and acceptances: agreement must break within the seeds.
tests_unit_test_paxos_broken_recovery_SOURCES = \
	$(tests_unit_test_paxos_broken_SOURCES)
tests_unit_test_paxos_broken_recovery_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_PAXOS_BROKEN_RECOVERY
tests_unit_test_paxos_broken_recovery_LDADD = $(RC_TEST_LDADD)
# And over a copy whose leader answers read indexes unconfirmed: reads
# must break within the seeds (partitions cut deposed leaders off).
tests_unit_test_paxos_broken_reads_SOURCES = \
	$(tests_unit_test_paxos_broken_SOURCES)
tests_unit_test_paxos_broken_reads_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_PAXOS_BROKEN_READS
tests_unit_test_paxos_broken_reads_LDADD = $(RC_TEST_LDADD)
# And over a copy that takes half of an even group for a majority: the
# minority property must break (a side of an even split decides).
tests_unit_test_paxos_broken_quorum_SOURCES = \
	$(tests_unit_test_paxos_broken_SOURCES)
tests_unit_test_paxos_broken_quorum_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_PAXOS_BROKEN_QUORUM
tests_unit_test_paxos_broken_quorum_LDADD = $(RC_TEST_LDADD)
noinst_HEADERS += tests/unit/paxos_fuzz.h
TESTS += tests/unit/test_paxos_sim tests/unit/test_paxos_broken \
	tests/unit/test_paxos_broken_recovery tests/unit/test_paxos_broken_reads \
	tests/unit/test_paxos_broken_quorum tests/regression/test_paxos_sims
REGTESTS += tests/regression/test_paxos_sims
check_PROGRAMS += tests/unit/test_paxos_threads
tests_unit_test_paxos_threads_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_paxos_threads
# replicore paxos: the command, and over the broken copy (exit 1, the seed).
check_PROGRAMS += tests/unit/paxos_broken_cli
tests_unit_paxos_broken_cli_SOURCES = tests/unit/paxos_broken_cli.c \
	tools/cmd_paxos.c tools/sim_args.c cli/cli.c protocols/paxos/paxos.c \
	protocols/paxos/check.c protocols/paxos/sim.c protocols/sim/sim.c
tests_unit_paxos_broken_cli_CPPFLAGS = $(AM_CPPFLAGS) -DRC_PAXOS_BROKEN_PHASE1
tests_unit_paxos_broken_cli_LDADD = $(RC_TEST_LDADD)
# and over the copy whose restarted acceptors forget.
check_PROGRAMS += tests/unit/paxos_broken_recovery_cli
tests_unit_paxos_broken_recovery_cli_SOURCES = \
	$(tests_unit_paxos_broken_cli_SOURCES)
tests_unit_paxos_broken_recovery_cli_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_PAXOS_BROKEN_RECOVERY
tests_unit_paxos_broken_recovery_cli_LDADD = $(RC_TEST_LDADD)
# and over the copy whose leader answers read indexes unconfirmed.
check_PROGRAMS += tests/unit/paxos_broken_reads_cli
tests_unit_paxos_broken_reads_cli_SOURCES = \
	$(tests_unit_paxos_broken_cli_SOURCES)
tests_unit_paxos_broken_reads_cli_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_PAXOS_BROKEN_READS
tests_unit_paxos_broken_reads_cli_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_paxos_cli.sh
EXTRA_DIST += tests/unit/test_paxos_cli.sh
# Atomic commitment (2PC, 3PC): runs without faults, determinism, the
# known limits at their named seeds, 1,000 seeded runs of each with random
# faults (100,000 in the regression tier); the same seeds against a copy
# whose participants commit on their own timeout, which they must catch.
check_PROGRAMS += tests/unit/test_commit_sim tests/unit/test_commit_broken \
	tests/regression/test_commit_sims
tests_unit_test_commit_sim_LDADD = $(RC_TEST_LDADD)
tests_regression_test_commit_sims_SOURCES = tests/unit/test_commit_sim.c
tests_regression_test_commit_sims_CPPFLAGS = $(AM_CPPFLAGS) \
	-DCM_FUZZ_ONLY -DCM_DEFAULT_SIMS=5000 -DCM_FIRST_SEED=1000001
tests_regression_test_commit_sims_LDADD = $(RC_TEST_LDADD)
tests_unit_test_commit_broken_SOURCES = tests/unit/test_commit_broken.c \
	protocols/commit/commit.c protocols/commit/check.c \
	protocols/commit/sim.c protocols/sim/sim.c
tests_unit_test_commit_broken_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_COMMIT_BROKEN_TIMEOUT
tests_unit_test_commit_broken_LDADD = $(RC_TEST_LDADD)
noinst_HEADERS += tests/unit/commit_fuzz.h
TESTS += tests/unit/test_commit_sim tests/unit/test_commit_broken \
	tests/regression/test_commit_sims
REGTESTS += tests/regression/test_commit_sims
# Chandy-Lamport snapshots of a bank: runs without faults, determinism,
# both broken variants caught, 1,000 seeded runs with random faults, and
# 5,000 more from another seed (100,000 in the regression tier).
check_PROGRAMS += tests/unit/test_snapshot_sim \
	tests/regression/test_snapshot_sims
tests_unit_test_snapshot_sim_LDADD = $(RC_TEST_LDADD)
tests_regression_test_snapshot_sims_SOURCES = tests/unit/test_snapshot_sim.c
tests_regression_test_snapshot_sims_CPPFLAGS = $(AM_CPPFLAGS) \
	-DSN_FUZZ_ONLY -DSN_DEFAULT_SIMS=5000 -DSN_FIRST_SEED=1000001
tests_regression_test_snapshot_sims_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_snapshot_sim tests/regression/test_snapshot_sims
REGTESTS += tests/regression/test_snapshot_sims
# Raft: runs without faults, determinism, restarts, the options, the
# paper's figure 8 schedule, 1,000 seeded runs with random faults (5,000
# more in test_raft_sims, 100,000 in the regression tier); the figure 8
# schedule against a copy whose leader commits entries of earlier terms
# by counting, which the checks must catch.
check_PROGRAMS += tests/unit/test_raft_sim tests/unit/test_raft_broken \
	tests/regression/test_raft_sims
tests_unit_test_raft_sim_LDADD = $(RC_TEST_LDADD)
tests_regression_test_raft_sims_SOURCES = tests/unit/test_raft_sim.c
tests_regression_test_raft_sims_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRF_FUZZ_ONLY -DRF_DEFAULT_SIMS=5000 -DRF_FIRST_SEED=1000001
tests_regression_test_raft_sims_LDADD = $(RC_TEST_LDADD)
tests_unit_test_raft_broken_SOURCES = tests/unit/test_raft_broken.c \
	protocols/raft/raft.c protocols/raft/check.c protocols/raft/sim.c \
	protocols/sim/sim.c
tests_unit_test_raft_broken_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_RAFT_BROKEN_COMMIT
tests_unit_test_raft_broken_LDADD = $(RC_TEST_LDADD)
noinst_HEADERS += tests/unit/raft_fuzz.h tests/unit/raft_fig8.h
# replicore sim raft over the broken copy, for test_sim_cli.sh (exit 1).
check_PROGRAMS += tests/unit/raft_broken_cli
tests_unit_raft_broken_cli_SOURCES = tests/unit/raft_broken_cli.c \
	tools/cmd_raft.c tools/sim_args.c cli/cli.c protocols/raft/raft.c \
	protocols/raft/check.c protocols/raft/sim.c protocols/sim/sim.c
tests_unit_raft_broken_cli_CPPFLAGS = $(AM_CPPFLAGS) -DRC_RAFT_BROKEN_COMMIT
tests_unit_raft_broken_cli_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_raft_sim tests/unit/test_raft_broken \
	tests/regression/test_raft_sims
REGTESTS += tests/regression/test_raft_sims
# Lamport's mutual exclusion: runs without faults, determinism, the block
# under a crash, 1,000 seeded runs with random faults (100,000 in the
# regression tier); the same seeds against a copy that enters without
# waiting for every process, which they must catch. The regression
# program runs 5,000 other seeds times RC_SCALE (make regtest: 100,000)
# and skips without RC_SCALE, so make check runs the 1,000.
check_PROGRAMS += tests/unit/test_lmutex_sim tests/unit/test_lmutex_broken \
	tests/regression/test_lmutex_sims
tests_unit_test_lmutex_sim_LDADD = $(RC_TEST_LDADD)
tests_regression_test_lmutex_sims_SOURCES = tests/unit/test_lmutex_sim.c
tests_regression_test_lmutex_sims_CPPFLAGS = $(AM_CPPFLAGS) \
	-DLM_FUZZ_ONLY -DLM_DEFAULT_SIMS=5000 -DLM_FIRST_SEED=1000001
tests_regression_test_lmutex_sims_LDADD = $(RC_TEST_LDADD)
tests_unit_test_lmutex_broken_SOURCES = tests/unit/test_lmutex_broken.c \
	protocols/lmutex/proc.c protocols/lmutex/link.c \
	protocols/lmutex/check.c protocols/lmutex/sim.c protocols/sim/sim.c
tests_unit_test_lmutex_broken_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_LMUTEX_BROKEN_NOACK
tests_unit_test_lmutex_broken_LDADD = $(RC_TEST_LDADD)
noinst_HEADERS += tests/unit/lmutex_fuzz.h
TESTS += tests/unit/test_lmutex_sim tests/unit/test_lmutex_broken \
	tests/regression/test_lmutex_sims
REGTESTS += tests/regression/test_lmutex_sims
# PBFT: runs without Byzantine replicas, each Byzantine behaviour alone,
# seed 98 (2 Byzantine of 4) and quorums of 2f breaking agreement, and
# 1,000 seeded runs each with f = 1 (4 nodes) and f = 2 (7 nodes) and up
# to f Byzantine replicas (100,000 in the regression tier: 2 x 2,500
# other seeds times RC_SCALE).
check_PROGRAMS += tests/unit/test_pbft_sim tests/regression/test_pbft_sims
tests_unit_test_pbft_sim_LDADD = $(RC_TEST_LDADD)
tests_regression_test_pbft_sims_SOURCES = tests/unit/test_pbft_sim.c
tests_regression_test_pbft_sims_CPPFLAGS = $(AM_CPPFLAGS) \
	-DPBFT_FUZZ_ONLY -DPBFT_DEFAULT_SIMS=2500 -DPBFT_FIRST_SEED=1000001
tests_regression_test_pbft_sims_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_pbft_sim tests/regression/test_pbft_sims \
	tests/unit/test_pbft_cli.sh
REGTESTS += tests/regression/test_pbft_sims
EXTRA_DIST += tests/unit/test_pbft_cli.sh
# Leases with fencing tokens and the fenced store: the objects, runs
# without faults, the classic pause (seed 6) rejected by the token,
# restarts, 1,000 seeded runs with random faults (100,000 in the
# regression tier: 5,000 other seeds times RC_SCALE); the same seeds
# against a copy of the store that ignores tokens, which they must catch.
check_PROGRAMS += tests/unit/test_lease_sim tests/unit/test_lease_sim_broken \
	tests/regression/test_lease_sims
tests_unit_test_lease_sim_LDADD = $(RC_TEST_LDADD)
tests_regression_test_lease_sims_SOURCES = tests/unit/test_lease_sim.c
tests_regression_test_lease_sims_CPPFLAGS = $(AM_CPPFLAGS) \
	-DLEASE_FUZZ_ONLY -DLEASE_DEFAULT_SIMS=5000 -DLEASE_FIRST_SEED=1000001
tests_regression_test_lease_sims_LDADD = $(RC_TEST_LDADD)
tests_unit_test_lease_sim_broken_SOURCES = \
	tests/unit/test_lease_sim_broken.c protocols/lease/lease.c \
	protocols/lease/check.c protocols/lease/sim.c protocols/sim/sim.c
tests_unit_test_lease_sim_broken_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_LEASE_BROKEN_FENCING
tests_unit_test_lease_sim_broken_LDADD = $(RC_TEST_LDADD)
# Static: the library's copy of lease.c (and its rc_fenced_ops) stays out,
# where a shared one would define the ops tables twice (AddressSanitizer's
# odr-violation) and call its own rc_fenced_write.
tests_unit_test_lease_sim_broken_LDFLAGS = -static
noinst_HEADERS += tests/unit/lease_fuzz.h
TESTS += tests/unit/test_lease_sim tests/unit/test_lease_sim_broken \
	tests/regression/test_lease_sims
REGTESTS += tests/regression/test_lease_sims
# The classic pause over rc_rsm (shared-memory and Paxos logs): a holder
# paused past its lease writes with its old token and is rejected; the
# store's recorded history is linearizable and fenced. The same scene
# with a store built to ignore tokens, which the fencing check catches.
check_PROGRAMS += tests/unit/test_lease tests/unit/test_lease_broken
tests_unit_test_lease_LDADD = $(RC_TEST_LDADD)
tests_unit_test_lease_broken_SOURCES = tests/unit/test_lease.c \
	protocols/lease/lease.c
tests_unit_test_lease_broken_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_LEASE_BROKEN_FENCING
tests_unit_test_lease_broken_LDADD = $(RC_TEST_LDADD)
tests_unit_test_lease_broken_LDFLAGS = -static
TESTS += tests/unit/test_lease tests/unit/test_lease_broken
# replicore sim lease: help, errors, runs with faults, its named seed.
TESTS += tests/unit/test_lease_cli.sh
EXTRA_DIST += tests/unit/test_lease_cli.sh
# Failure detectors (replicore/fd.h): both kinds on hand-made arrival
# times; then in the seeded simulator, 1,000 runs with random options and
# faults (the regression program: 5,000 other seeds times RC_SCALE, make
# regtest 100,000, skipping without RC_SCALE), completeness and eventual
# accuracy checked; the same seeds against a copy whose detectors never
# retract a suspicion, which they must catch; the command line.
check_PROGRAMS += tests/unit/test_fd tests/unit/test_fd_sim \
	tests/unit/test_fd_broken tests/regression/test_fd_sims
tests_unit_test_fd_LDADD = $(RC_TEST_LDADD)
tests_unit_test_fd_sim_LDADD = $(RC_TEST_LDADD)
tests_regression_test_fd_sims_SOURCES = tests/unit/test_fd_sim.c
tests_regression_test_fd_sims_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFD_FUZZ_ONLY -DFD_DEFAULT_SIMS=5000 -DFD_FIRST_SEED=1000001
tests_regression_test_fd_sims_LDADD = $(RC_TEST_LDADD)
tests_unit_test_fd_broken_SOURCES = tests/unit/test_fd_broken.c \
	protocols/fd/fd.c protocols/fd/sim.c protocols/sim/sim.c
tests_unit_test_fd_broken_CPPFLAGS = $(AM_CPPFLAGS) -DRC_FD_BROKEN_STICKY
tests_unit_test_fd_broken_LDADD = $(RC_TEST_LDADD)
noinst_HEADERS += tests/unit/fd_fuzz.h
TESTS += tests/unit/test_fd tests/unit/test_fd_sim tests/unit/test_fd_broken \
	tests/regression/test_fd_sims tests/unit/test_fd_cli.sh
REGTESTS += tests/regression/test_fd_sims
EXTRA_DIST += tests/unit/test_fd_cli.sh
# replicore sim cap: the replicated register in both modes, the default
# run's facts, determinism, 200 runs with random faults (the regression
# program: 25 other seeds times RC_SCALE, 500 under make regtest,
# 23 s here; 2,000 ran past 10 minutes; skipping without RC_SCALE)
# in which the consistent mode stays linearizable and the available mode
# answers everything; the command line.
check_PROGRAMS += tests/unit/test_cap_sim tests/regression/test_cap_sims
tests_unit_test_cap_sim_LDADD = $(RC_TEST_LDADD)
tests_regression_test_cap_sims_SOURCES = tests/unit/test_cap_sim.c
tests_regression_test_cap_sims_CPPFLAGS = $(AM_CPPFLAGS) \
	-DCAP_FUZZ_ONLY -DCAP_DEFAULT_SIMS=25 -DCAP_FIRST_SEED=1000001
tests_regression_test_cap_sims_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_cap_sim tests/regression/test_cap_sims \
	tests/unit/test_cap_cli.sh
REGTESTS += tests/regression/test_cap_sims
EXTRA_DIST += tests/unit/test_cap_cli.sh
# The reliable FIFO link under it, alone, over a transport that drops,
# duplicates and reorders.
check_PROGRAMS += tests/unit/test_lmutex_link
tests_unit_test_lmutex_link_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_lmutex_link
# rc_lmutex between threads: a counter incremented non-atomically inside
# the critical section loses nothing (RC_LMUTEX_THREADS, RC_LMUTEX_ITERS).
check_PROGRAMS += tests/unit/test_lmutex_threads
tests_unit_test_lmutex_threads_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_lmutex_threads
# replicore sim lmutex: help, errors, runs with faults, its named seed.
TESTS += tests/unit/test_lmutex_cli.sh
EXTRA_DIST += tests/unit/test_lmutex_cli.sh
# The seeded simulator through its interface alone: a broadcast protocol
# with acknowledgements, seeded faults, one trace per seed.
check_PROGRAMS += tests/unit/test_sim_proto
tests_unit_test_sim_proto_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_sim_proto
# replicore sim: the protocols listed, errors, replicore sim 2pc and 3pc
# (their named seeds), replicore sim raft and its options, and replicore
# sim paxos printing byte for byte what replicore paxos sim prints.
TESTS += tests/unit/test_sim_cli.sh
EXTRA_DIST += tests/unit/test_sim_cli.sh
# replicore torture: rc_rsm's clients recorded under stalls, crashes and
# restarts over both logs and both objects, checked linearizable, and its
# broken variant caught; the regression tier runs minutes of all faults
# (RC_TORTURE_SECONDS per log and object) and RC_SCALE seeds of each.
TESTS += tests/unit/test_torture.sh
REGTESTS += tests/regression/test_torture_long.sh
EXTRA_DIST += tests/unit/test_torture.sh tests/regression/test_torture_long.sh
# The Paxos log backend: the log contract, and the hash map over rc_rsm
# serving with a stalled node where the shared-memory log blocks.
check_PROGRAMS += tests/unit/test_log_paxos
tests_unit_test_log_paxos_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_log_paxos
# rc_rsm over the Paxos log with snapshots: a node crashes while updates
# flow, restarts from a peer's snapshot and ends equal to the others.
check_PROGRAMS += tests/unit/test_rsm_restart
tests_unit_test_rsm_restart_LDADD = $(RC_TEST_LDADD) -lpthread
TESTS += tests/unit/test_rsm_restart
# rc_rsm over a Paxos log whose membership changes: a member replaced by
# a spare while updates flow, then crashed; the history checked.
check_PROGRAMS += tests/unit/test_rsm_member
tests_unit_test_rsm_member_LDADD = $(RC_TEST_LDADD) -lpthread
TESTS += tests/unit/test_rsm_member
# rc_rsm over the Paxos log: a node that runs but falls below its peers'
# snapshots recovers from one and goes on.
check_PROGRAMS += tests/unit/test_rsm_recover
tests_unit_test_rsm_recover_LDADD = $(RC_TEST_LDADD) -lpthread
TESTS += tests/unit/test_rsm_recover
# rc_paxos_partition: the majority side commits, the minority waits until
# the partition heals, then all converge.
check_PROGRAMS += tests/unit/test_paxos_partition
tests_unit_test_paxos_partition_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_paxos_partition
# rc_paxos_read_index: answered with all up, never below a count delivered
# before the call, refused on a partition's minority side and at a
# crashed node.
check_PROGRAMS += tests/unit/test_paxos_read_index
tests_unit_test_paxos_read_index_LDADD = $(RC_TEST_LDADD) -lpthread
TESTS += tests/unit/test_paxos_read_index
# The same over a copy of the group whose leader answers read indexes
# unconfirmed: the cut-off leader's read must come back stale.
check_PROGRAMS += tests/unit/test_paxos_broken_read_index
tests_unit_test_paxos_broken_read_index_SOURCES = \
	tests/unit/test_paxos_read_index.c protocols/paxos/paxos.c \
	protocols/paxos/check.c protocols/paxos/group.c protocols/run/run.c
tests_unit_test_paxos_broken_read_index_CPPFLAGS = $(AM_CPPFLAGS) \
	-DRC_PAXOS_BROKEN_READS
tests_unit_test_paxos_broken_read_index_LDADD = $(RC_TEST_LDADD) -lpthread
TESTS += tests/unit/test_paxos_broken_read_index
# A replicated counter's resident size stays flat after warm-up, over
# both logs (Paxos: snapshots, one node crashed); 1,000,000 updates here,
# 10,000,000 in the regression tier (or RC_RSM_MEMORY_UPDATES).
check_PROGRAMS += tests/unit/test_rsm_memory
tests_unit_test_rsm_memory_LDADD = $(RC_TEST_LDADD) -lpthread
TESTS += tests/unit/test_rsm_memory
REGTESTS += tests/unit/test_rsm_memory
# The Raft log backend: the log contract, the hash map over rc_rsm on it
# (all up, then node 1 stalled in apply and in Raft), no majority.
check_PROGRAMS += tests/unit/test_log_raft
tests_unit_test_log_raft_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_log_raft
TESTS += tests/unit/test_examples_rsm.sh
EXTRA_DIST += tests/unit/test_examples_rsm.sh

# Total order broadcast over both logs: one order, each message once, a
# broadcast that waits for its own room; the register on it recorded by
# threads (RC_TOB_THREADS, capped at the PUs; RC_TOB_OPS) and checked.
check_PROGRAMS += tests/unit/test_tob
tests_unit_test_tob_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_tob

# replicore check --html of a violating etcd history: every operation
# labelled, no two texts overlapping, the prefix's linearization points.
TESTS += tests/unit/test_check_html.sh
EXTRA_DIST += tests/unit/test_check_html.sh
# rc_check_html_marks: labelled bands in real-time order with the
# operations, the table of marks, and rc_check_html's page without any.
check_PROGRAMS += tests/unit/test_check_html_marks
tests_unit_test_check_html_marks_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_check_html_marks
# rc_snap between threads: a bank of transfers, many snapshots each
# checked (conservation, consistent cut, channel states), and the broken
# variants caught, on threads and in a fixed order.
check_PROGRAMS += tests/unit/test_snapshot_threads
tests_unit_test_snapshot_threads_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_snapshot_threads
# Physical clocks by Lamport's rules between threads: monotonic, the skew
# and the delays measured, the broken rule caught (no timed assertion).
check_PROGRAMS += tests/unit/test_clocks_threads
tests_unit_test_clocks_threads_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_clocks_threads
# replicore clocks: help, errors, short runs in text and JSON.
TESTS += tests/unit/test_clocks_cli.sh
EXTRA_DIST += tests/unit/test_clocks_cli.sh
# The limits of agreement (protocols/flp/): the FLP adversary against
# Paxos's step machines, 100,000 steps undecided with every message
# delivered within its bound, partial synchrony deciding; the two generals
# disagreeing for every protocol of 1 to 8 messages; the command line.
check_PROGRAMS += tests/unit/test_flp_sim
tests_unit_test_flp_sim_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_flp_sim tests/unit/test_flp_cli.sh
EXTRA_DIST += tests/unit/test_flp_cli.sh
