#!/bin/sh
# SPDX-License-Identifier: MIT
# test_litmus_families.sh: parametric litmus families (litmus-families.sh)
# under litmus model, against closed forms and an operational oracle
# (litmus-families-oracle.awk); and a test beyond the limits gets exit 3.
TAP_NAME=litmus-families
. "${RC_SRCDIR:-.}/tests/tap.sh"

U=${RC_SRCDIR:-.}/tests/unit
gen() { sh "$U/litmus-families.sh" "$@"; }
# states MODEL FILE: the final states the model allows, one a line, sorted
states() {
	"$BIN" litmus model --model "$1" "$2" >"$T/model.out" || return 1
	awk '/^States/ { on = 1; next } on && /^(Ok|No)$/ { on = 0 } on' \
		"$T/model.out" | LC_ALL=C sort
}
# oracle MODEL FILE: the final states the operational machine reaches
oracle() { LC_ALL=C awk -v model="$1" -f "$U/litmus-families-oracle.awk" "$2" | LC_ALL=C sort; }
# same MODEL ORACLE FILE: the model allows exactly the oracle's states
same() {
	states "$1" "$3" >"$T/got" && oracle "$2" "$3" >"$T/want" &&
		test -s "$T/want" && cmp -s "$T/got" "$T/want"
}
count() { states "$1" "$2" | wc -l | tr -d ' '; }

# SB with k stores per thread: sc allows 2k+1 final states, TSO all (k+1)^2
# (each load reads any of the other's k+1 values), and so does relaxed RC11
for k in 1 2 3 4 6 10; do
	gen sb "$k" x86 >"$T/sb$k.litmus"
	gen sb "$k" c >"$T/sb$k-c.litmus"
	check "SB-$k X86 under sc: $((2 * k + 1)) states" \
		test "$(count sc "$T/sb$k.litmus")" = $((2 * k + 1))
	check "SB-$k X86 under tso: $(((k + 1) * (k + 1))) states" \
		test "$(count tso "$T/sb$k.litmus")" = $(((k + 1) * (k + 1)))
	check "SB-$k C under sc: $((2 * k + 1)) states" \
		test "$(count sc "$T/sb$k-c.litmus")" = $((2 * k + 1))
	check "SB-$k C under rc11: $(((k + 1) * (k + 1))) states" \
		test "$(count rc11 "$T/sb$k-c.litmus")" = $(((k + 1) * (k + 1)))
done
for k in 1 3 4; do
	check "SB-$k X86 under sc: the oracle's states" same sc sc "$T/sb$k.litmus"
	check "SB-$k X86 under tso: the oracle's states" same tso tso "$T/sb$k.litmus"
done

# two threads alternating k stores to their own location with loads of the
# other's: the exact state sets; relaxed RC11 allows TSO's here (each
# thread's program-order pairs are same-location or read-to-write)
for k in 1 2 3; do
	gen alt "$k" x86 >"$T/alt$k.litmus"
	gen alt "$k" c >"$T/alt$k-c.litmus"
	check "alt-$k X86 under sc: the oracle's states" same sc sc "$T/alt$k.litmus"
	check "alt-$k X86 under tso: the oracle's states" same tso tso "$T/alt$k.litmus"
	check "alt-$k C under sc: the oracle's states" same sc sc "$T/alt$k-c.litmus"
	check "alt-$k C under rc11: the oracle's states" same rc11 tso "$T/alt$k-c.litmus"
done
gen alt 4 x86 >"$T/alt4.litmus"
check "alt-4 X86 under sc: the oracle's states" same sc sc "$T/alt4.litmus"
check "alt-4 X86: every load reading 0 is forbidden under sc" status 0 \
	"$BIN" litmus model --model sc "$T/alt4.litmus"
check "the observation" has "Observation alt4 Never 0 1107" "$T/out"
check "alt-4 X86: allowed under tso, in one execution of 4116" status 0 \
	"$BIN" litmus model --model tso "$T/alt4.litmus"
check "the observation" has "Observation alt4 Sometimes 1 4115" "$T/out"

# a ring of N threads, each storing to its own location then loading the
# next one's: sc forbids only every load reading 0 (that is a cycle of
# po and fr), so it allows 2^N - 1 states; tso, ra, sra (and on C rc11)
# allow all 2^N
for nt in 3 5 8; do
	gen ring "$nt" x86 >"$T/ring$nt.litmus"
	gen ring "$nt" c >"$T/ring$nt-c.litmus"
	all=$((1 << nt))
	check "ring of $nt X86 under sc: $((all - 1)) states" \
		test "$(count sc "$T/ring$nt.litmus")" = $((all - 1))
	check "ring of $nt C under sc: $((all - 1)) states" \
		test "$(count sc "$T/ring$nt-c.litmus")" = $((all - 1))
	for m in tso ra sra; do
		check "ring of $nt X86 under $m: $all states" \
			test "$(count $m "$T/ring$nt.litmus")" = $all
	done
	for m in rc11 ra sra; do
		check "ring of $nt C under $m: $all states" \
			test "$(count $m "$T/ring$nt-c.litmus")" = $all
	done
	check "ring of $nt: sc forbids every load reading 0" status 0 \
		"$BIN" litmus model --model sc "$T/ring$nt.litmus"
	check "the observation" has "Observation ring$nt Never 0 $((all - 1))" "$T/out"
done

# past 64 events (the wide copy of the models): SB-31 has 66
gen sb 31 x86 >"$T/sb31.litmus"
check "SB-31 X86 (66 events) under sc: 63 states" \
	test "$(count sc "$T/sb31.litmus")" = 63
check "SB-31 X86 (66 events) under tso: 1024 states" \
	test "$(count tso "$T/sb31.litmus")" = 1024

# beyond the limits: no verdict (3), not bad input (2); a thread of 4097
# stores is past the 4096 events of an execution
awk 'BEGIN { print "X86 long"; print "{"; print "}"; print " P0 ;";
	for (i = 0; i < 4097; i++) print "MOV [x],$1 ;";
	print "exists (x=1)" }' >"$T/long.litmus"
check "4097 events exits 3" status 3 "$BIN" litmus model "$T/long.litmus"
check "naming the limit" has "more than 4096 events" "$T/err"
check "--max-candidates 10 on SB-3 exits 3" status 3 \
	"$BIN" litmus model --max-candidates 10 "$T/sb3.litmus"

done_testing
