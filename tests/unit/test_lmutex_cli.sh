#!/bin/sh
# SPDX-License-Identifier: MIT
# test_lmutex_cli.sh: replicore sim lmutex from the command line: listed by replicore sim, its help, errors, runs with faults whose properties hold, its named seed that blocks on a crash, determinism of the trace, the broken variant caught, and JSON.
TAP_NAME=lmutex-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "sim --help exits 0" status 0 "$BIN" sim --help
check "it lists lmutex" has "lmutex   Lamport's mutual exclusion" "$T/out"
check "sim lmutex --help exits 0" status 0 "$BIN" sim lmutex --help
check "the options" has "--commands C   requests for the critical section" "$T/out"
check "the known limit" has "KNOWN LIMIT" "$T/out"
check "bad option exits 2" status 2 "$BIN" sim lmutex --frob
check "one node exits 2" status 2 "$BIN" sim lmutex --nodes 1
check "unknown fault exits 2" status 2 "$BIN" sim lmutex --faults drop=0.1,frob=1
check "naming the token and its column" has "--faults:1:10: unknown fault 'frob'" "$T/err"
check "restart exits 2" status 2 "$BIN" sim lmutex --faults restart=1
check "saying why" has "no stable state" "$T/err"
check "crash of every node exits 2" status 2 "$BIN" sim lmutex --nodes 3 --faults crash=3
check "50 runs with faults exit 0" status 0 "$BIN" sim lmutex --runs 50 --nodes 5 --faults drop=0.1,dup=0.1,delay=0.2,stall=2,part=1
check "every property holds" has "exclusion, order, liveness: hold" "$T/out"
check "everything granted" has "1000 made, 1000 granted" "$T/out"
check "the named seed blocks, exit 0" status 0 "$BIN" sim lmutex --nodes 3 --seed 4 --faults crash=1 --commands 40
check "4 of 29 granted" has "29 made, 4 granted" "$T/out"
check "one run blocked" has "1 run left requests waiting" "$T/out"
"$BIN" sim lmutex --nodes 3 --seed 5 --faults drop=0.2,dup=0.1,delay=0.2 --commands 10 --trace >"$T/a"
"$BIN" sim lmutex --nodes 3 --seed 5 --faults drop=0.2,dup=0.1,delay=0.2 --commands 10 --trace >"$T/b"
check "one seed, one trace" cmp -s "$T/a" "$T/b"
check "the trace shows entries" has " enter " "$T/a"
check "and the link's acknowledgements" has "link-ack" "$T/a"
check "the broken variant exits 1" status 1 "$BIN" sim lmutex --broken noack --runs 20
check "exclusion violated" has "VIOLATED            exclusion" "$T/out"
check "the seed on stderr" has "replicore sim lmutex: seed " "$T/err"
check "an unknown variant exits 2" status 2 "$BIN" sim lmutex --broken frob
check "JSON exits 0" status 0 "$BIN" sim lmutex --runs 20 --faults drop=0.2,crash=1 --json
check "no failed run" has '"failed_runs":0' "$T/out"
done_testing
