#!/bin/sh
# SPDX-License-Identifier: MIT
# test_pbft_cli.sh: replicore sim pbft from the command line: listed by replicore sim, its help, errors, runs with Byzantine replicas whose properties hold, the named seed where f + 1 Byzantine replicas break agreement, quorums of 2f caught, determinism of the trace, and JSON.
TAP_NAME=pbft-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "sim --help exits 0" status 0 "$BIN" sim --help
check "it lists pbft" has "pbft     PBFT with Byzantine replicas" "$T/out"
check "sim pbft --help exits 0" status 0 "$BIN" sim pbft --help
check "the named seed in the help" has "THE BOUND IS TIGHT, SHOWN BY A FIXED SEED" "$T/out"
check "three nodes exit 2" status 2 "$BIN" sim pbft --nodes 3
check "saying how many" has "--nodes must be 4..64" "$T/err"
check "a bad behaviour exits 2" status 2 "$BIN" sim pbft --behaviour 5
check "every node Byzantine exits 2" status 2 "$BIN" sim pbft --byz 4
check "naming the problem" has "--byz 4 and crash=0 leave no correct replica of 4" "$T/err"
check "restart exits 2" status 2 "$BIN" sim pbft --faults restart=1
check "an unknown variant exits 2" status 2 "$BIN" sim pbft --broken frob
check "f = 1, 1 Byzantine, 200 runs exit 0" status 0 "$BIN" sim pbft --byz 1 --runs 200 --faults dup=0.1,delay=0.2,stall=1
check "agreement and validity hold" has "agreement, validity: hold" "$T/out"
check "f = 2, 2 silent, 50 runs exit 0" status 0 "$BIN" sim pbft --nodes 7 --byz 2 --behaviour 1 --runs 50
check "views change" has "complete runs       50 of 50" "$T/out"
check "the named seed exits 1" status 1 "$BIN" sim pbft --nodes 4 --byz 2 --seed 98
check "agreement violated at sequence 1" has "VIOLATED            agreement in 1 run; first at seed 98: agreement: at sequence 1 replica 3 executes request 0, replica 1 request 19 (0: null)" "$T/out"
check "more than f said" has "f = 1, 2 Byzantine (more than f)" "$T/out"
check "the seed on stderr" has "replicore sim pbft: seed 98 violates agreement" "$T/err"
check "quorums of 2f at seed 33 exit 1" status 1 "$BIN" sim pbft --byz 1 --seed 33 --broken quorum-2f
check "agreement violated" has "VIOLATED            agreement in 1 run; first at seed 33" "$T/out"
"$BIN" sim pbft --seed 5 --byz 1 --faults dup=0.1,delay=0.2,stall=2 --commands 10 --trace >"$T/a"
"$BIN" sim pbft --seed 5 --byz 1 --faults dup=0.1,delay=0.2,stall=2 --commands 10 --trace >"$T/b"
check "one seed, one trace" cmp -s "$T/a" "$T/b"
check "the trace shows executions" has " execute " "$T/a"
check "JSON exits 0" status 0 "$BIN" sim pbft --runs 20 --byz 1 --json
check "no failed run" has '"failed_runs":0' "$T/out"
check "the options in it" has '"byz":1,"behaviour":0' "$T/out"
done_testing
