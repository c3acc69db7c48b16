#!/bin/sh
# SPDX-License-Identifier: MIT
# test_fd_cli.sh: replicore sim fd from the command line: listed by replicore sim, its help, errors (exit 2), runs with faults whose properties hold, its summary, determinism of the trace, the broken variant caught, and JSON.
TAP_NAME=fd-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "sim --help exits 0" status 0 "$BIN" sim --help
check "it lists fd" has "fd       failure detectors" "$T/out"
check "sim fd --help exits 0" status 0 "$BIN" sim fd --help
check "the options" has "--threshold PHI" "$T/out"
check "bad option exits 2" status 2 "$BIN" sim fd --frob
check "one node exits 2" status 2 "$BIN" sim fd --nodes 1
check "unknown fault exits 2" status 2 "$BIN" sim fd --faults drop=0.1,frob=1
check "naming the token and its column" has "--faults:1:10: unknown fault 'frob'" "$T/err"
check "member faults exit 2" status 2 "$BIN" sim fd --faults member=1
check "crash of every node exits 2" status 2 "$BIN" sim fd --nodes 3 --faults crash=3
check "an interval below 100 us exits 2" status 2 "$BIN" sim fd --interval 50
check "naming the option" has "replicore sim fd: --interval: the interval must be 100..1000000 us" "$T/err"
check "a short timeout exits 2" status 2 "$BIN" sim fd --interval 200 --timeout 209
check "saying the least" has "at least the interval plus 10 us (210)" "$T/err"
check "a backoff below 100% exits 2" status 2 "$BIN" sim fd --backoff 99
check "a threshold of 0 exits 2" status 2 "$BIN" sim fd --threshold 0
check "a window of 0 exits 2" status 2 "$BIN" sim fd --window 0
check "a non-number exits 2" status 2 "$BIN" sim fd --interval x
check "30 runs with every fault exit 0" status 0 "$BIN" sim fd --runs 30 --nodes 5 --faults crash=2,delay=0.2,drop=0.1,dup=0.1,stall=2,restart=1,part=1
check "both properties hold" has "completeness, accuracy: hold" "$T/out"
check "60 crashes" has "crashes             60 for good" "$T/out"
check "heartbeat detection in intervals" has "heartbeat           " "$T/out"
check "phi's line" has "phi >= 8            " "$T/out"
check "the named run exits 0" status 0 "$BIN" sim fd --nodes 5 --seed 1 --faults crash=1,delay=0.2
check "its summary" has "heartbeat           27 false suspicions; crash detected in 8.13 intervals on average, 8.13 at most" "$T/out"
"$BIN" sim fd --nodes 3 --seed 5 --faults drop=0.2,dup=0.1,delay=0.2,stall=1 --commands 10 --trace >"$T/a"
"$BIN" sim fd --nodes 3 --seed 5 --faults drop=0.2,dup=0.1,delay=0.2,stall=1 --commands 10 --trace >"$T/b"
check "one seed, one trace" cmp -s "$T/a" "$T/b"
check "the trace shows retractions" has " retracts " "$T/a"
check "the broken variant exits 1" status 1 "$BIN" sim fd --broken sticky --runs 10 --faults delay=0.2,stall=1
check "accuracy violated" has "VIOLATED            accuracy" "$T/out"
check "the seed on stderr" has "replicore sim fd: seed " "$T/err"
check "an unknown variant exits 2" status 2 "$BIN" sim fd --broken frob
check "JSON exits 0" status 0 "$BIN" sim fd --runs 10 --faults crash=1,delay=0.2 --json
check "no failed run" has '"failed_runs":0' "$T/out"
check "the options in it" has '"interval":100,"timeout":0,"backoff":150,"threshold":8,"window":100' "$T/out"
done_testing
