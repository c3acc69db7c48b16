#!/bin/sh
# SPDX-License-Identifier: MIT
# test_paxos_cli.sh: replicore paxos sim from the command line: summary, JSON, trace, errors, and failing runs of the broken variants.
TAP_NAME=paxos-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"
BROKEN=${RC_BUILDDIR:-.}/tests/unit/paxos_broken_cli

check "paxos --help exits 0" status 0 "$BIN" paxos --help
check "help names the faults" has "drop=P, dup=P, delay=P" "$T/out"
check "paxos sim --help exits 0" status 0 "$BIN" paxos sim --help
check "replicore --help lists paxos" status 0 "$BIN" --help
check "as a command" has "paxos" "$T/out"
check "no verb exits 2" status 2 "$BIN" paxos
check "unknown verb exits 2" status 2 "$BIN" paxos frob
check "bad option exits 2" status 2 "$BIN" paxos sim --frob
check "bad --nodes exits 2" status 2 "$BIN" paxos sim --nodes x
check "--nodes 0 exits 2" status 2 "$BIN" paxos sim --nodes 0
check "unknown fault exits 2" status 2 "$BIN" paxos sim --faults drop=0.1,frob=1
check "naming the token and its column" has "--faults:1:10: unknown fault 'frob'" "$T/err"
check "bad probability exits 2" status 2 "$BIN" paxos sim --faults dup=1.5
check "naming the value's column" has "--faults:1:5:" "$T/err"
check "crash without a majority exits 2" status 2 "$BIN" paxos sim --nodes 4 --faults crash=2
check "saying why" has "no majority" "$T/err"

check "a faulty run exits 0" status 0 "$BIN" paxos sim --nodes 5 --seed 7 --faults drop=0.1,dup=0.05,delay=0.1,crash=2,stall=3 --commands 200
check "summary: commands committed" has "commands committed" "$T/out"
check "summary: ballots" has "ballots" "$T/out"
check "summary: messages" has "messages" "$T/out"
check "summary: simulated time" has "simulated time" "$T/out"
check "summary: properties hold" has "liveness: hold" "$T/out"
check "100 runs exit 0" status 0 "$BIN" paxos sim --runs 100 --faults drop=0.2,dup=0.1,delay=0.2,crash=1,stall=3 --commands 30 --json
check "JSON: no failed run" has '"failed_runs":0' "$T/out"
check "JSON: empty violations" has '"violations":[]' "$T/out"
check "the summary has no membership line without an alpha" hasnt "membership" "$T/out"

check "membership changes exit 0" status 0 "$BIN" paxos sim --nodes 3 --seed 2 --faults member=6,drop=0.1,stall=2 --commands 100
check "and hold" has "liveness: hold" "$T/out"
check "with a membership line" has "membership          6 changes submitted, alpha 8; final members" "$T/out"
check "as replicore sim paxos" status 0 "$BIN" sim paxos --nodes 3 --seed 2 --faults member=6,drop=0.1,stall=2 --commands 100
check "JSON names the changes" status 0 "$BIN" paxos sim --nodes 5 --runs 20 --alpha 3 --faults member=4,drop=0.1,restart=1 --json
check "member_changes and alpha" has '"alpha":3,"member_changes":' "$T/out"
check "JSON: no failed run with changes" has '"failed_runs":0' "$T/out"
check "--alpha 65 exits 2" status 2 "$BIN" paxos sim --alpha 65 --faults member=1
check "member=K is paxos's alone" status 2 "$BIN" sim raft --faults member=1
check "saying so" has "member: not a fault of raft" "$T/err"

"$BIN" paxos sim --nodes 3 --seed 5 --faults drop=0.2,delay=0.2,stall=2 --commands 20 --trace >"$T/t1"
"$BIN" paxos sim --nodes 3 --seed 5 --faults drop=0.2,delay=0.2,stall=2 --commands 20 --trace >"$T/t2"
"$BIN" paxos sim --nodes 3 --seed 6 --faults drop=0.2,delay=0.2,stall=2 --commands 20 --trace >"$T/t3"
check "--trace shows messages" has "ACCEPT b=" "$T/t1"
check "and drops" has " drop " "$T/t1"
check "and deliveries" has "deliver " "$T/t1"
check "one seed, one trace" cmp -s "$T/t1" "$T/t2"
check "another seed, another trace" sh -c "! cmp -s '$T/t1' '$T/t3'"
check "restart faults: every property" status 0 "$BIN" paxos sim --nodes 5 --seed 3 --faults drop=0.1,restart=3 --commands 60 --runs 20
check "and nodes came back" sh -c "grep -Eq 'stalls, [1-9][0-9]* restarts' '$T/out'"
check "partitions: every property" status 0 "$BIN" paxos sim --nodes 5 --seed 3 --faults drop=0.1,part=2,restart=1 --commands 60 --runs 20
check "the minority property among them" has "liveness, minority: hold" "$T/out"
check "and the partitions counted" sh -c "grep -Eq 'partitions +[1-9][0-9]*, [0-9]+ messages cut' '$T/out'"
check "without partitions the summary is as it was" status 0 "$BIN" paxos sim --seed 3 --faults drop=0.1
check "no minority there" sh -c "grep -q 'no gaps, liveness: hold' '$T/out' && ! grep -q partitions '$T/out'"

if [ -x "$BROKEN" ]; then
	check "broken phase 1: exits 1" status 1 "$BROKEN" sim --runs 50 --faults drop=0.2,dup=0.1,delay=0.2,stall=3 --commands 30
	check "naming a failing seed" has "violates agreement" "$T/err"
	check "and the first failing seed in the summary" has "first at seed" "$T/out"
	check "broken phase 1, JSON: the seed" status 1 "$BROKEN" sim --runs 50 --faults drop=0.2,dup=0.1,delay=0.2,stall=3 --commands 30 --json
	check "JSON: first_failing_seed" has '"first_failing_seed":' "$T/out"
else
	skip "broken phase 1 exits 1" "no $BROKEN"
fi
RECOVERY=${RC_BUILDDIR:-.}/tests/unit/paxos_broken_recovery_cli
if [ -x "$RECOVERY" ]; then
	check "correct recovery: 200 runs with restarts exit 0" status 0 "$BIN" paxos sim --runs 200 --nodes 3 --faults drop=0.1,delay=0.2,restart=3 --commands 30
	check "forgetful recovery: exits 1" status 1 "$RECOVERY" sim --runs 200 --nodes 3 --faults drop=0.1,delay=0.2,restart=3 --commands 30
	check "agreement breaks" has "violates agreement" "$T/err"
else
	skip "forgetful recovery exits 1" "no $RECOVERY"
fi

# Reads by the read index (--reads N).
check "reads: every property" status 0 "$BIN" paxos sim --nodes 5 --runs 100 --reads 20 --faults drop=0.1,delay=0.1,part=2,restart=1 --commands 40
check "reads among the properties" has "liveness, minority, reads: hold" "$T/out"
check "the reads counted" sh -c "grep -Eq 'reads +[1-9][0-9]* asked at nodes up, [1-9][0-9]* served' '$T/out'"
check "reads, JSON" status 0 "$BIN" paxos sim --seed 4 --reads 10 --json
check "JSON: reads served" sh -c "grep -q '\"reads_asked\":10' '$T/out' && grep -Eq '\"reads_served\":[1-9]' '$T/out'"
check "without --reads no reads line" status 0 "$BIN" paxos sim --seed 4
check "and no reads property" sh -c "! grep -q reads '$T/out'"
check "--reads x exits 2" status 2 "$BIN" paxos sim --reads x
READS=${RC_BUILDDIR:-.}/tests/unit/paxos_broken_reads_cli
if [ -x "$READS" ]; then
	check "unconfirmed read index: exits 1" status 1 "$READS" sim --runs 200 --nodes 5 --reads 20 --faults part=2,drop=0.05 --commands 40
	check "stale reads caught" has "violates reads: reads: read" "$T/err"
else
	skip "unconfirmed read index exits 1" "no $READS"
fi
done_testing
