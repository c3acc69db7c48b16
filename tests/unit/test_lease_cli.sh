#!/bin/sh
# SPDX-License-Identifier: MIT
# test_lease_cli.sh: replicore sim lease from the command line: listed by replicore sim, its help, errors, runs with faults whose properties hold, its named seed of the classic pause, determinism of the trace, the broken store caught, and JSON.
TAP_NAME=lease-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "sim --help exits 0" status 0 "$BIN" sim --help
check "it lists lease" has "lease    leases with fencing tokens" "$T/out"
check "sim lease --help exits 0" status 0 "$BIN" sim lease --help
check "the options" has "--lease US     the lease's duration" "$T/out"
check "the named seed" has "THE CLASSIC PAUSE, SHOWN BY A FIXED SEED" "$T/out"
check "bad option exits 2" status 2 "$BIN" sim lease --frob
check "two nodes exit 2" status 2 "$BIN" sim lease --nodes 2
check "saying how many" has "--nodes must be 3..64" "$T/err"
check "a lease of 0 exits 2" status 2 "$BIN" sim lease --lease 0
check "a drift of 500000 ppm exits 2" status 2 "$BIN" sim lease --drift 500000
check "unknown fault exits 2" status 2 "$BIN" sim lease --faults drop=0.1,frob=1
check "naming the token and its column" has "--faults:1:10: unknown fault 'frob'" "$T/err"
check "member exits 2" status 2 "$BIN" sim lease --faults member=1
check "crash of every node exits 2" status 2 "$BIN" sim lease --nodes 3 --faults crash=3
check "50 runs with faults exit 0" status 0 "$BIN" sim lease --runs 50 --nodes 6 --faults drop=0.1,dup=0.1,delay=0.2,stall=2,restart=1,part=1
check "every property holds" has "exclusive, tokens, fencing, granted: hold" "$T/out"
check "stale writes rejected" has "35 rejected as stale" "$T/out"
check "the named seed exits 0" status 0 "$BIN" sim lease --seed 6 --faults stall=4
check "one stale write rejected" has "19 accepted (2 late), 1 rejected as stale" "$T/out"
check "the broken store at the named seed exits 1" status 1 "$BIN" sim lease --seed 6 --faults stall=4 --broken ignore-tokens
check "fencing violated by token 11" has "VIOLATED            fencing in 1 run; first at seed 6: fencing: the store accepts client 2's write with token 11" "$T/out"
check "the seed on stderr" has "replicore sim lease: seed 6 violates fencing" "$T/err"
check "an unknown variant exits 2" status 2 "$BIN" sim lease --broken frob
check "a service crashed for good stops the run, exit 0" status 0 "$BIN" sim lease --faults crash=4
check "counted as stopped" has "1 run lost the service or the store for good" "$T/out"
"$BIN" sim lease --seed 5 --faults drop=0.2,dup=0.1,delay=0.2,stall=2 --commands 10 --trace >"$T/a"
"$BIN" sim lease --seed 5 --faults drop=0.2,dup=0.1,delay=0.2,stall=2 --commands 10 --trace >"$T/b"
check "one seed, one trace" cmp -s "$T/a" "$T/b"
check "the trace shows grants" has " grant token 1 to " "$T/a"
check "and the store's answers" has " store accepts " "$T/a"
check "JSON exits 0" status 0 "$BIN" sim lease --runs 20 --faults delay=0.2,crash=1 --lease 300 --drift 0 --json
check "no failed run" has '"failed_runs":0' "$T/out"
check "the options in it" has '"lease":300,"drift":0' "$T/out"
done_testing
