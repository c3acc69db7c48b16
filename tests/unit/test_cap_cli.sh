#!/bin/sh
# SPDX-License-Identifier: MIT
# test_cap_cli.sh: replicore sim cap from the command line: listed by replicore sim, its help, errors (exit 2), the default run's table with the four facts of the CAP theorem, determinism, JSON, and --history files that replicore check judges alike.
TAP_NAME=cap-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "sim --help exits 0" status 0 "$BIN" sim --help
check "it lists cap" has "cap      a register under a partition" "$T/out"
check "sim cap --help exits 0" status 0 "$BIN" sim cap --help
check "the options" has "--history PREFIX" "$T/out"
check "bad option exits 2" status 2 "$BIN" sim cap --frob
check "no nodes exits 2" status 2 "$BIN" sim cap --nodes 0
check "unknown fault exits 2" status 2 "$BIN" sim cap --faults part=1,frob=1
check "naming the token and its column" has "--faults:1:8: unknown fault 'frob'" "$T/err"
check "restart faults exit 2" status 2 "$BIN" sim cap --faults restart=1
check "saying why" has "restart: not a fault of cap" "$T/err"
check "crash of every node exits 2" status 2 "$BIN" sim cap --nodes 3 --faults crash=3
check "a timeout of 9 us exits 2" status 2 "$BIN" sim cap --timeout 9
check "naming the option" has "replicore sim cap: --timeout: must be 10..10000000 us" "$T/err"
check "a non-number exits 2" status 2 "$BIN" sim cap --timeout x
check "--history without a prefix exits 2" status 2 "$BIN" sim cap --history
check "an unwritable --history exits 2" status 2 "$BIN" sim cap --history "$T/no/such"
check "naming the file" has "--history: cannot write $T/no/such.consistent" "$T/err"

# The default run: 5 nodes, seed 1, one partition.
check "the default run exits 0" status 0 "$BIN" sim cap
cp "$T/out" "$T/table"
check "its title" has "cap sim: 1 run of 5 nodes from seed 1, faults part=1, timeout 200 us" "$T/table"
check "the table's head" grep -E -q '^  mode +ops answered available +all +split +verdict$' "$T/table"
check "a consistent row" grep -E -q '^  consistent +[0-9]+ +[0-9]+ +[0-9.]+% +[0-9]+ +[0-9]+  ' "$T/table"
check "an available row" grep -E -q '^  available +[0-9]+ +[0-9]+ +[0-9.]+% +[0-9]+ +[0-9]+  ' "$T/table"
# the four facts, read from the rows
row() { awk -v m="$1" '$1 == m' "$T/table"; }
check "consistent: linearizable" sh -c "echo '$(row consistent)' | grep -q '  linearizable$'"
check "consistent: availability below 100%" sh -c "echo '$(row consistent)' | awk '{ exit !(\$4 + 0 < 100) }'"
check "available: availability 100%" sh -c "echo '$(row available)' | awk '{ exit !(\$4 == \"100.0%\" && \$2 == \$3) }'"
check "available: NOT linearizable" sh -c "echo '$(row available)' | grep -q '  NOT linearizable$'"
check "the witness, a stale read across the split" grep -E -q '^  available witness \(seed 1\): the checker linearizes [0-9]+ of 200 ops; a stale read: read -> [0-9]+ at node [0-9] at [0-9]+ us, though write .* across the split$' "$T/table"
check "the theorem shown" has "CAP                 shown: consistent gave up availability, available gave up linearizability" "$T/table"
check "one partition" has "1 partitions" "$T/table"
check "the promises hold" has "consistent_linearizable, available_always: hold" "$T/table"
check "the same run again" status 0 "$BIN" sim cap
check "prints the same" cmp -s "$T/out" "$T/table"
"$BIN" sim cap --nodes 3 --seed 4 --commands 20 --faults part=1,delay=0.2 --trace >"$T/a"
"$BIN" sim cap --nodes 3 --seed 4 --commands 20 --faults part=1,delay=0.2 --trace >"$T/b"
check "one seed, one trace" cmp -s "$T/a" "$T/b"
check "the trace has both modes" sh -c "grep -q '^# consistent mode' '$T/a' && grep -q '^# available mode' '$T/a'"

check "no partition: exits 0" status 0 "$BIN" sim cap --faults none
check "consistent mode answers all" grep -E -q '^  consistent +200 +200 +100.0% ' "$T/out"

check "JSON exits 0" status 0 "$BIN" sim cap --json
check "its counts" has '"consistent_ops":200,"consistent_answered":' "$T/out"
check "consistent linearizable" has '"consistent_linearizable":1,' "$T/out"
check "available all answered, not linearizable" has '"available_ops":200,"available_answered":200,"available_linearizable":0,' "$T/out"
check "no failed run" has '"failed_runs":0,"violations":[]' "$T/out"

check "--history exits 0" status 0 "$BIN" sim cap --history "$T/h"
check "replicore check: the consistent history is linearizable" status 0 "$BIN" check "$T/h.consistent"
check "of 200 ops" has "linearizable (register, 200 ops" "$T/out"
check "replicore check: the available one is not" status 1 "$BIN" check "$T/h.available"
check "saying so" has "NOT linearizable (register, 200 ops" "$T/out"
done_testing
