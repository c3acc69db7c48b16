#!/bin/sh
# SPDX-License-Identifier: MIT
# test_litmus_cli.sh: replicore litmus and replicore bench models from the command line.
TAP_NAME=litmus-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "litmus --help exits 0" status 0 "$BIN" litmus --help
check "help has a synopsis" has "replicore litmus model FILE" "$T/out"
check "unknown verb exits 2" status 2 "$BIN" litmus frob
check "and says so" has "unknown verb 'frob' (expected model or fmt)" "$T/err"
check "no file exits 2" status 2 "$BIN" litmus model
check "unknown model exits 2" status 2 "$BIN" litmus model --model foo "$C/x86/SB.litmus"
check "and names it" has "unknown model 'foo'" "$T/err"
check "unknown option exits 2" status 2 "$BIN" litmus model --frob "$C/x86/SB.litmus"

printf 'X86 T\n{ }\n P0 | P1 ;\n MOV [x],$1 | MOVE EAX,[y] ;\nexists (0:EAX=0)\n' >"$T/bad.litmus"
check "syntax error exits 2" status 2 "$BIN" litmus model "$T/bad.litmus"
check "FILE:LINE:COL: error: expected X, got 'Y'" has \
	"$T/bad.litmus:4:15: error: expected an instruction (MOV, MFENCE, XCHG or LOCK op), got 'MOVE'" "$T/err"
check "fmt of a bad file exits 2" status 2 "$BIN" litmus fmt "$T/bad.litmus"
check "missing file exits 2" status 2 "$BIN" litmus model "$T/none.litmus"

check "SB under the default model (tso)" status 0 "$BIN" litmus model "$C/x86/SB.litmus"
check "herd's layout: Test line" has "Test SB Allowed" "$T/out"
check "herd's layout: States" has "States 4" "$T/out"
check "herd's layout: Observation" has "Observation SB Sometimes 1 3" "$T/out"
check "herd's layout: Witnesses" has "Positive: 1 Negative: 3" "$T/out"

check "--model all" status 0 "$BIN" litmus model --model all "$C/x86/SB.litmus"
check "a row per model: sc" grep -q "^sc  *No  *Never" "$T/out"
check "a row per model: tso" grep -q "^tso  *Ok  *Sometimes" "$T/out"
check "a row per model: sra" grep -q "^sra " "$T/out"

check "--json" status 0 "$BIN" litmus model --json --model sc,tso "$C/x86/SB.litmus"
check "two objects" test "$(wc -l <"$T/out")" -eq 2
check "json: the sc object" has '"test":"SB"' "$T/out"
check "json: condition and observation" has '"model":"tso","herd_model":"x86tso","condition":"Ok","observation":"Sometimes"' "$T/out"
check "json: states from herd names" has '"states":[{"0:EAX":0,"1:EAX":0},' "$T/out"

check "C test json: locations as x" status 0 "$BIN" litmus model --json "$C/c11/2+2W+rlx.litmus"
check "json: memory location name" has '{"x":1,"y":1}' "$T/out"
check "Undef under rc11" status 0 "$BIN" litmus model --json --model rc11 "$C/c11/mp-c11-race.litmus"
check "json: Undef" has '"condition":"Undef"' "$T/out"

check "--why" status 0 "$BIN" litmus model --why --model sc "$C/x86/SB.litmus"
check "why: the sc cycle of SB" has "sc: a: W x=1 -po-> b: R y=0 -fr-> c: W y=1 -po-> d: R x=0 -fr-> a" "$T/out"
check "why: a witness per allowed state" has "witness: a: W x=1, b: R y=0 | c: W y=1, d: R x=1; rf:" "$T/out"
check "why under rc11: no-thin-air" status 0 "$BIN" litmus model --why "$C/c11/lb.litmus"
check "why: the no-thin-air cycle" has "no-thin-air: a: Rrlx x=1 -po-> b: Wrlx y=1 -rf-> c: Rrlx y=1 -po-> d: Wrlx x=1 -rf-> a" "$T/out"

check "a budget that runs out exits 3" status 3 "$BIN" litmus model --max-candidates 5 "$C/c11/fig6-explicit.litmus"
check "and says so" has "more than 5 candidate executions" "$T/err"
check "--dot" status 0 "$BIN" litmus model --dot "$T/g.dot" "$C/x86/MP.litmus"
check "dot file is Graphviz" grep -q '^digraph "MP"' "$T/g.dot"
check "dot has rf edges" has 'label="rf"' "$T/g.dot"

for f in x86/iwp2.7-amd7 c11/CAS-fail+rlx c11/linearisation; do
	check "fmt $f" status 0 "$BIN" litmus fmt "$C/$f.litmus"
	cp "$T/out" "$T/fmt.litmus"
	check "fmt output gives the same outcomes ($f)" sh -c \
		"'$BIN' litmus model --json --model all '$C/$f.litmus' | sed 's/\"file\":\"[^\"]*\",//' >'$T/a' &&
		 '$BIN' litmus model --json --model all '$T/fmt.litmus' | sed 's/\"file\":\"[^\"]*\",//' >'$T/b' &&
		 cmp -s '$T/a' '$T/b'"
done

mkdir -p "$T/corpus/x86" "$T/corpus/c11"
cp "$C/x86/SB.litmus" "$T/corpus/x86/"
cp "$C/c11/MP+rel+acq.litmus" "$T/corpus/c11/"
check "bench models --json" status 0 "$BIN" bench models --json --corpus "$T/corpus"
check "bench: per-run times" has '"test":"x86/SB.litmus","model":"sc","seconds":' "$T/out"
check "bench: the total" has '"total_seconds":' "$T/out"
check "bench: herd7 comparison" has '"herd7_seconds":0.4' "$T/out"
check "bench: 9 runs (4 X86 models, 5 C models)" has '"runs_count":9' "$T/out"
check "bench: the batch end to end, as processes" grep -Eq '"end_to_end":\{[^}]*"seconds":[0-9]' "$T/out"
# A herd7 on the PATH is run on the same batch and timed beside it: here a
# stand-in that only exits.
mkdir -p "$T/bin"
printf '#!/bin/sh\nexit 0\n' >"$T/bin/herd7"
chmod +x "$T/bin/herd7"
check "bench models runs a herd7 on the PATH" status 0 env PATH="$T/bin:$PATH" "$BIN" bench models --corpus "$T/corpus"
check "and prints its time beside ours" grep -Eq 'herd7 run now: [0-9.]+ s' "$T/out"
check "bench models human output" status 0 "$BIN" bench models --corpus "$T/corpus" --repeat 2
check "bench: summary line" has "9 runs, total" "$T/out"
check "bench models times extra files" status 0 "$BIN" bench models --json --corpus "$T/corpus" "$C/x86/MP.litmus"
check "bench: the extra file is a run" has '"test":"'"$C"'/x86/MP.litmus","model":"tso"' "$T/out"
check "bench: 13 runs" has '"runs_count":13' "$T/out"
check "unknown bench kind exits 2" status 2 "$BIN" bench frob
check "and says so" has "unknown benchmark 'frob'" "$T/err"
check "bench --help exits 0" status 0 "$BIN" bench --help

done_testing
