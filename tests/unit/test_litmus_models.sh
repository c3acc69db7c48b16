#!/bin/sh
# SPDX-License-Identifier: MIT
# test_litmus_models.sh: litmus tests with known outcomes (tests/unit/litmus-models/EXPECT) under litmus model.
TAP_NAME=litmus-models
. "${RC_SRCDIR:-.}/tests/tap.sh"

D=${RC_SRCDIR:-.}/tests/unit/litmus-models
rows=0
while read -r file model mode want; do
	case $file in '' | '#'*) continue ;; esac
	rows=$((rows + 1))
	opt=
	test "$mode" = herd && opt=--herd-compat
	check "$file under $model ($mode): runs" status 0 \
		"$BIN" litmus model --json --model "$model" $opt "$D/$file"
	check "$file under $model ($mode): $want" has "\"observation\":\"$want\"" "$T/out"
done <"$D/EXPECT"
check "EXPECT has rows ($rows)" test "$rows" -gt 0

# a weak compare-exchange may fail spuriously on the objects too
for lm in lin:sc sc:sc tso:sc causal:sra; do
	level=${lm%%:*}
	model=${lm#*:}
	check "cas-weak explored at $level equals $model" status 0 \
		"$BIN" litmus run --target "$level" --explore --compare "$model" "$D/cas-weak.litmus"
	check "cas-weak at $level: the spurious failure" has "Observation cas-weak Sometimes 1 1" "$T/out"
	check "cas-strong explored at $level equals $model" status 0 \
		"$BIN" litmus run --target "$level" --explore --compare "$model" "$D/cas-strong.litmus"
	check "cas-strong at $level: never fails" has "Observation cas-strong Never 0 1" "$T/out"
done

# a model asked for that does not apply to the test's architecture
check "tso on a C test exits 2" status 2 "$BIN" litmus model --model tso "$C/c11/SB+rlx+rlx.litmus"
check "and prints nothing on stdout" test ! -s "$T/out"
check "the message names the models for C tests" has "the models for C tests are sc, rc11, c11, ra, sra" "$T/err"
check "rc11 on an X86 test exits 2" status 2 "$BIN" litmus model --model rc11,c11 "$C/x86/SB.litmus"
check "the message names the models for X86 tests" has "the models for X86 tests are sc, tso, ra, sra" "$T/err"
check "sc,tso on a C test: tso skipped, exit 0" status 0 "$BIN" litmus model --model sc,tso "$C/c11/SB+rlx+rlx.litmus"
check "with a note" has "skipped tso: not defined for C tests" "$T/err"
check "and sc's outcome" has "Observation SB+rlx+rlx Never" "$T/out"
check "--compare with a model of another arch names the right ones" status 2 \
	"$BIN" litmus run --target sc --explore --compare tso "$C/c11/SB+rlx+rlx.litmus"
check "run: the models for C tests" has "(the models for them: sc, rc11, c11, ra, sra)" "$T/err"
check "--herd-compat is in the help" status 0 "$BIN" litmus model --help
check "help text" has "--herd-compat" "$T/out"
check "--herd-compat is in run's help" status 0 "$BIN" litmus run --help
check "run's help text" has "--herd-compat" "$T/out"

done_testing
