#!/bin/sh
# SPDX-License-Identifier: MIT
# test_clocks_cli.sh: replicore clocks from the command line: listed by replicore, its help, errors naming the option, and one short run per drift setting in text and JSON (its verdict is timing's, not asserted).
TAP_NAME=clocks-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "replicore --help lists clocks" status 0 "$BIN" --help
check "clocks among the commands" has "clocks   physical clocks by Lamport's rules between threads" "$T/out"
check "clocks --help exits 0" status 0 "$BIN" clocks --help
check "the bound in the help" has "d (2 kappa tau + xi)" "$T/out"
check "bad option exits 2" status 2 "$BIN" clocks --frob
check "one thread exits 2" status 2 "$BIN" clocks --threads 1
check "naming the option" has "--threads 1: 2..64" "$T/err"
check "a drift of 50% exits 2" status 2 "$BIN" clocks --drift 100,500000
check "naming the setting" has "--drift 500000: kappa must be 0..499999 ppm" "$T/err"
check "an empty drift list exits 2" status 2 "$BIN" clocks --drift ,
check "a period of 0 exits 2" status 2 "$BIN" clocks --period 0
check "line 2 exits 2" status 2 "$BIN" clocks --line 2
check "a run shorter than 10 periods exits 2" status 2 "$BIN" clocks --period 1000 --duration 9
check "saying why" has "below 10 periods" "$T/err"
check "a bad layout exits 2" status 2 "$BIN" clocks --synthetic "numa:x"
check "an argument exits 2" status 2 "$BIN" clocks 3
# A run: exit 0 (within the bound) or 1 (above it) depends on the
# machine's timing; 2 and 3 would be the command's fault.
"$BIN" clocks --threads 2 --drift 100,1000,10000 --duration 20 >"$T/out" 2>"$T/err"
rc=$?
check "three drift settings run (exit $rc)" test "$rc" -le 1
check "a row per setting" has "10000 ppm" "$T/out"
check "the bound printed" has "bound = d (2 kappa tau + xi)" "$T/out"
"$BIN" clocks --synthetic "numa:4 core:1 pu:1" --drift 1000 --period 500 --line 1 --duration 20 --json >"$T/out" 2>"$T/err"
rc=$?
check "a line of 4 on a synthetic layout, JSON (exit $rc)" test "$rc" -le 1
check "four threads" has '"threads":4' "$T/out"
check "the line's diameter" has '"diameter":3' "$T/out"
check "xi measured" has '"xi_ns":' "$T/out"
check "samples counted" hasnt '"samples":0,' "$T/out"
check "no clock went back" has '"monotonic":true' "$T/out"
done_testing
