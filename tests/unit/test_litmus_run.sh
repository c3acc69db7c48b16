#!/bin/sh
# SPDX-License-Identifier: MIT
# test_litmus_run.sh: replicore litmus run on the rc_mem objects from the command line.
TAP_NAME=litmus-run
. "${RC_SRCDIR:-.}/tests/tap.sh"

SB=$C/x86/SB.litmus
check "run --help exits 0" status 0 "$BIN" litmus run --help
check "help names the levels" has "--target lin|sc|tso|causal" "$T/out"
check "no target exits 2" status 2 "$BIN" litmus run "$SB"
check "bad target exits 2" status 2 "$BIN" litmus run --target foo "$SB"
check "and names it" has "unknown target 'foo'" "$T/err"
check "bad compare model exits 2" status 2 "$BIN" litmus run --target sc --explore --compare foo "$SB"
check "no file exits 2" status 2 "$BIN" litmus run --target sc --explore
check "bad option exits 2" status 2 "$BIN" litmus run --target sc --frob "$SB"
check "-n 0 exits 2" status 2 "$BIN" litmus run --target sc -n 0 "$SB"
check "compare with a model of another arch exits 2" status 2 "$BIN" litmus run --target tso --explore --compare tso "$C/c11/SB+rlx+rlx.litmus"

check "explore sc exits 0" status 0 "$BIN" litmus run --target sc --explore "$SB"
check "herd layout: test line" has "Test SB Allowed" "$T/out"
check "herd layout: 3 states" has "States 3" "$T/out"
check "SB's relaxed state is not reachable at sc" hasnt "0:EAX=0; 1:EAX=0;" "$T/out"
check "herd layout: observation" has "Observation SB Never 0 3" "$T/out"
check "explore tso exits 0" status 0 "$BIN" litmus run --target tso --explore "$SB"
check "tso reaches SB's relaxed state" has "0:EAX=0; 1:EAX=0;" "$T/out"

check "compare tso with tso: equal, exit 0" status 0 "$BIN" litmus run --target tso --explore --compare tso "$SB"
check "and says Equal" has "Equal" "$T/out"
check "compare tso with sc: different, exit 1" status 1 "$BIN" litmus run --target tso --explore --compare sc "$SB"
check "marks the object-only state" has "<- object only" "$T/out"
check "says Different" has "Different" "$T/out"
check "compare sc with tso: model-only marked" status 1 "$BIN" litmus run --target sc --explore --compare tso "$SB"
check "marks the model-only state" has "<- model only" "$T/out"

check "--json exits 0" status 0 "$BIN" litmus run --target causal --explore --json "$SB"
for k in '"test":"SB"' '"target":"causal"' '"mode":"explore"' '"model":"sra"' \
	'"condition":"Ok"' '"observation":"Sometimes"' '"states":[' '"0:EAX":0'; do
	check "json has $k" has "$k" "$T/out"
done
check "json: one line" test "$(wc -l <"$T/out")" -eq 1
check "--json --compare different exits 1" status 1 "$BIN" litmus run --target tso --explore --json --compare sc "$SB"
check "json compare lists the object-only state" has '"only_object":[{"0:EAX":0,"1:EAX":0}]' "$T/out"
check "json compare says not equal" has '"equal":false' "$T/out"

check "threads exit 0" status 0 "$BIN" litmus run --target lin -n 50 "$SB"
check "threads print a histogram" has "Histogram (" "$T/out"
check "threads count the runs" has "Target lin (rc_mem, threads: 50 runs); model sc" "$T/out"
check "threads --json has a histogram" status 0 "$BIN" litmus run --target causal -n 20 --json "$C/c11/MP+rel+acq.litmus"
check "with counts" has '"histogram":[{"count":' "$T/out"
check "threads at sc never see a state sc forbids" status 0 "$BIN" litmus run --target sc -n 50 --compare sc "$SB"

check "max-states budget exits 3" status 3 "$BIN" litmus run --target sc --explore --max-states 10 "$SB"

# --target hw goes to the hardware runner (or says it is not built)
"$BIN" litmus run --target hw --help >"$T/out" 2>"$T/err"
s=$?
check "--target hw is dispatched" test $s -eq 0 -o \( $s -eq 2 -a -n "$(grep -F 'not available in this build' "$T/err")" \)

done_testing
