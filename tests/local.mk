# SPDX-License-Identifier: MIT
# tests/local.mk: the unit tier (make check) and the regression tier (make regtest).
RC_TEST_LDADD = libreplicore.la $(RC_DEP_LIBS)

check_PROGRAMS += tests/unit/test_topo
tests_unit_test_topo_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_topo

noinst_HEADERS += tests/tap.h

check_PROGRAMS += tests/unit/test_chan tests/unit/test_clock \
	tests/regression/test_chan_stress
tests_unit_test_chan_LDADD = $(RC_TEST_LDADD)
tests_unit_test_clock_LDADD = $(RC_TEST_LDADD)
tests_regression_test_chan_stress_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_chan tests/unit/test_clock \
	tests/regression/test_chan_stress
REGTESTS += tests/regression/test_chan_stress

# Command-line, demo, format and install tests (POSIX sh, TAP).
TESTS += tests/unit/test_cli.sh tests/unit/test_demo.sh \
	tests/unit/test_format.sh tests/unit/test_install.sh
EXTRA_DIST += tests/unit/test_cli.sh tests/unit/test_demo.sh \
	tests/unit/test_format.sh tests/unit/test_install.sh
