#!/bin/sh
# SPDX-License-Identifier: MIT
# test_examples_rsm.sh: examples/rsm runs the map, stack, priority queue and counter examples from 4 threads on 2 synthetic nodes and on the machine.
set -u
TAP_NAME=examples-rsm
. "${RC_SRCDIR:-.}/tests/tap.sh"
EX=${RC_BUILDDIR:-.}/examples/rsm

check "examples/rsm on 2 synthetic nodes exits 0" \
	status 0 "$EX" "numa:2 core:2 pu:1"
check "it reports 2 nodes" has "on 2 NUMA node(s)" "$T/out"
check "the map holds every key" has "map: 8000 keys, 0 wrong" "$T/out"
check "the counter counted every add" has "counter: 8000" "$T/out"
check "priority queue minimums increase" \
	has "increasing minimums: yes" "$T/out"
check "examples/rsm on 4 synthetic nodes exits 0" \
	status 0 "$EX" "numa:4 core:1 pu:1"
check "a bad layout exits 2 with the column" \
	status 2 "$EX" "numa:x"
check "and says where" has "synthetic" "$T/err"
done_testing
