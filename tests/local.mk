# SPDX-License-Identifier: MIT
# tests/local.mk: the unit tier (make check) and the regression tier (make regtest).
RC_TEST_LDADD = libreplicore.la $(RC_DEP_LIBS)

check_PROGRAMS += tests/unit/test_topo
tests_unit_test_topo_LDADD = $(RC_TEST_LDADD)
TESTS += tests/unit/test_topo

noinst_HEADERS += tests/tap.h
