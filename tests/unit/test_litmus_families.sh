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
for nt in 3 5 8 12; do
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

# SB-100 (204 events): sc allows 2k+1 = 201 states, tso all 101^2
gen sb 100 x86 >"$T/sb100.litmus"
gen sb 100 c >"$T/sb100-c.litmus"
check "SB-100 X86 under sc: 201 states" \
	test "$(count sc "$T/sb100.litmus")" = 201
check "SB-100 X86 under tso: 10201 states" \
	test "$(count tso "$T/sb100.litmus")" = 10201
check "SB-100 C under sc: 201 states" \
	test "$(count sc "$T/sb100-c.litmus")" = 201
for m in ra sra; do
	check "SB-100 X86 under $m: 10201 states" \
		test "$(count $m "$T/sb100.litmus")" = 10201
done
for m in rc11 ra sra; do
	check "SB-100 C under $m: 10201 states" \
		test "$(count $m "$T/sb100-c.litmus")" = 10201
done

# message passing after k data stores (2k+4 events: 200 and 1000): every
# model forbids reading the flag set and d0 not, by hb (ra, sra, rc11 and
# c11 with the release store and acquire load) or by ppo (sc, tso); of
# the 4 candidate executions (each load reads 0 or 1), 3 are consistent
for k in 98 498; do
	gen mp "$k" x86 >"$T/mp$k.litmus"
	gen mp "$k" c >"$T/mp$k-c.litmus"
	for m in sc tso ra sra; do
		check "mp-$k X86 ($((2 * k + 4)) events) under $m" status 0 \
			"$BIN" litmus model --model $m "$T/mp$k.litmus"
		check "the observation" has "Observation mp$k Never 0 3" "$T/out"
	done
	for m in sc rc11 ra sra c11; do
		check "mp-$k C ($((2 * k + 4)) events) under $m" status 0 \
			"$BIN" litmus model --model $m "$T/mp$k-c.litmus"
		check "the observation" has "Observation mp$k Never 0 3" "$T/out"
	done
	check "mp-$k X86 under tso: 3 states" \
		test "$(count tso "$T/mp$k.litmus")" = 3
	check "mp-$k C under rc11: 3 states" \
		test "$(count rc11 "$T/mp$k-c.litmus")" = 3
done
# with the flag relaxed, rc11 allows all 4
sed 's/memory_order_release/memory_order_relaxed/' "$T/mp498-c.litmus" \
	>"$T/mp498-rlx.litmus"
check "mp-498 C, relaxed flag, under rc11" status 0 \
	"$BIN" litmus model --model rc11 "$T/mp498-rlx.litmus"
check "the observation" has "Observation mp498 Sometimes 1 3" "$T/out"

# a C thread of more than 64 events whose last statement reads x and y
# unsequenced: P1 stores y then x, and r0 = x + 2y = 1 (x read 1, y read
# 0) needs the read of y first: 4 states, as with a short thread
awk 'BEGIN { print "C unseq70"; print "{ }";
	print "P0 (atomic_int* x, atomic_int* y, atomic_int* d) {";
	for (i = 1; i <= 70; i++)
		printf "  atomic_store_explicit(d, %d, memory_order_relaxed);\n", i;
	print "  int r0 = atomic_load_explicit(x, memory_order_relaxed) + 2 * atomic_load_explicit(y, memory_order_relaxed);";
	print "}";
	print "P1 (atomic_int* x, atomic_int* y) {";
	print "  atomic_store_explicit(y, 1, memory_order_relaxed);";
	print "  atomic_store_explicit(x, 1, memory_order_relaxed);";
	print "}";
	print "exists (0:r0=1)" }' >"$T/unseq70.litmus"
check "unsequenced reads past event 64 under sc" status 0 \
	"$BIN" litmus model --model sc "$T/unseq70.litmus"
check "the observation" has "Observation unseq70 Sometimes 1 3" "$T/out"

# beyond the limits: no verdict (3), not bad input (2); a thread of 4097
# stores is past the 4096 events of an execution
awk 'BEGIN { print "X86 long"; print "{"; print "}"; print " P0 ;";
	for (i = 0; i < 4097; i++) print "MOV [x],$1 ;";
	print "exists (x=1)" }' >"$T/long.litmus"
check "4097 events exits 3" status 3 "$BIN" litmus model "$T/long.litmus"
check "naming the limit" has "more than 4096 events" "$T/err"
check "--max-candidates 10 on SB-3 exits 3" status 3 \
	"$BIN" litmus model --max-candidates 10 "$T/sb3.litmus"
check "--max-candidates 100 on SB-100 (204 events) exits 3" status 3 \
	"$BIN" litmus model --max-candidates 100 "$T/sb100.litmus"

done_testing
