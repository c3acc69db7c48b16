#!/bin/sh
# SPDX-License-Identifier: MIT
# families.sh: parametric litmus families under litmus model, timed; JSON
# to stdout, one object per run: the test, the model, the wall seconds of
# the best of REPEAT runs, the consistent executions (positive + negative
# witnesses), their rate per second, the candidates and the states.
# Usage: bench/families.sh [REPLICORE [REPEAT [MAXK]]]
#   SB-k (k stores per thread then a load) for k = 1, 2, 4, 8 .. 28 and
#   the alternating family (k store/load pairs per thread) for k = 3 ..
#   MAXK (default 6), X86 under sc and tso, C under sc and rc11; rings of
#   4 to 16 threads (each stores to its own location then loads the
#   next's), X86 under sc, tso, ra, sra, C under sc, rc11, ra, sra. Past
#   64 events: SB-100 (204 events) X86 under sc, tso, ra, sra, C under
#   sc, rc11, ra, sra; message passing after k data stores (mp k, 2k+4
#   events) for k = 98 and 498 (200 and 1000 events), X86 under sc, tso,
#   ra, sra, C under sc, rc11, ra, sra, c11.
BIN=${1:-./replicore}
REPEAT=${2:-${RC_BENCH_REPEAT:-1}}
MAXK=${3:-6}
HERE=$(dirname "$0")
GEN=$HERE/../tests/unit/litmus-families.sh
T=${TMPDIR:-/tmp}/rc-bench-families.$$
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT INT TERM

now() { date +%s.%N; }
run() { # run FILE MODEL
	best=
	r=0
	while [ "$r" -lt "$REPEAT" ]; do
		s=$(now)
		"$BIN" litmus model --json --model "$2" "$1" >"$T/out" 2>"$T/err"
		st=$?
		e=$(now)
		d=$(awk -v e="$e" -v s="$s" 'BEGIN { printf "%.6f", e - s }')
		if [ -z "$best" ] || awk -v d="$d" -v b="$best" 'BEGIN { exit !(d < b) }'; then
			best=$d
		fi
		r=$((r + 1))
	done
	pos=$(grep -o '"positive":[0-9]*' "$T/out" | head -1 | cut -d: -f2)
	neg=$(grep -o '"negative":[0-9]*' "$T/out" | head -1 | cut -d: -f2)
	cand=$(grep -o '"candidates":[0-9]*' "$T/out" | head -1 | cut -d: -f2)
	nst=$(grep -o '"states":\[.*\]' "$T/out" | grep -o '{' | wc -l | tr -d ' ')
	cons=$((${pos:-0} + ${neg:-0}))
	rate=$(awk "BEGIN { printf \"%d\", $cons / ($best + 0.000001) }")
	best=$(awk "BEGIN { printf \"%.6f\", $best }")
	printf '{"test":"%s","model":"%s","status":%d,"seconds":%s,"consistent":%d,"per_second":%s,"candidates":%s,"states":%s}\n' \
		"$(basename "$1" .litmus)" "$2" "$st" "$best" "$cons" "$rate" \
		"${cand:-0}" "$nst"
}
for k in 1 2 4 8 16 28; do
	sh "$GEN" sb "$k" x86 >"$T/sb$k-x86.litmus"
	sh "$GEN" sb "$k" c >"$T/sb$k-c.litmus"
	run "$T/sb$k-x86.litmus" sc
	run "$T/sb$k-x86.litmus" tso
	run "$T/sb$k-c.litmus" sc
	run "$T/sb$k-c.litmus" rc11
done
for k in 4 8 12 16; do
	sh "$GEN" ring "$k" x86 >"$T/ring$k-x86.litmus"
	sh "$GEN" ring "$k" c >"$T/ring$k-c.litmus"
	for m in sc tso ra sra; do
		run "$T/ring$k-x86.litmus" "$m"
	done
	for m in sc rc11 ra sra; do
		run "$T/ring$k-c.litmus" "$m"
	done
done
sh "$GEN" sb 100 x86 >"$T/sb100-x86.litmus"
sh "$GEN" sb 100 c >"$T/sb100-c.litmus"
for m in sc tso ra sra; do
	run "$T/sb100-x86.litmus" "$m"
done
for m in sc rc11 ra sra; do
	run "$T/sb100-c.litmus" "$m"
done
for k in 98 498; do
	sh "$GEN" mp "$k" x86 >"$T/mp$k-x86.litmus"
	sh "$GEN" mp "$k" c >"$T/mp$k-c.litmus"
	for m in sc tso ra sra; do
		run "$T/mp$k-x86.litmus" "$m"
	done
	for m in sc rc11 ra sra c11; do
		run "$T/mp$k-c.litmus" "$m"
	done
done
k=3
while [ "$k" -le "$MAXK" ]; do
	sh "$GEN" alt "$k" x86 >"$T/alt$k-x86.litmus"
	sh "$GEN" alt "$k" c >"$T/alt$k-c.litmus"
	run "$T/alt$k-x86.litmus" sc
	run "$T/alt$k-x86.litmus" tso
	run "$T/alt$k-c.litmus" sc
	run "$T/alt$k-c.litmus" rc11
	k=$((k + 1))
done
