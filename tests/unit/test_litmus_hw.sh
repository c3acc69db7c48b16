#!/bin/sh
# SPDX-License-Identifier: MIT
# test_litmus_hw.sh: replicore litmus run --target hw: histograms, models, --keep, oversubscription and bad options.
HERE=${RC_SRCDIR:-.}/tests/unit/litmus-hw
CC=${CC:-cc}
N=${RC_LITMUS_HW_N:-2000}
TAP_NAME=litmus-hw
. "${RC_SRCDIR:-.}/tests/tap.sh"
# a cache of our own: every object here is compiled by this test
XDG_CACHE_HOME=$T/cache
export XDG_CACHE_HOME
lacks() { ! grep -q -e "$1" "$2"; }
no_warning() { test -f "$1" && ! test -s "$1"; }
# the counts of a --json histogram add up to want
sums_to() { # sums_to WANT FILE
	s=$(grep -o '"count":[0-9]*' "$2" | sed 's/.*://' |
		awk '{ s += $1 } END { print s + 0 }')
	test "$s" -eq "$1"
}
# every state of a --json histogram is one the model lists as allowed
all_allowed_by() { # all_allowed_by MODEL FILE TEST
	"$BIN" litmus model --json --model "$1" "$3" >"$T/model" || return 1
	! grep -q '"allowed":false' "$2" || return 1
	grep -o '"state":{[^}]*}' "$2" | sed 's/^"state"://' >"$T/states"
	test -s "$T/states" || return 1
	while read -r s; do
		grep -F -q -e "$s" "$T/model" || return 1
	done <"$T/states"
}
x86=no
case $(uname -m) in x86_64 | amd64) x86=yes ;; esac
pus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)

check "--target hw --help exits 0" status 0 "$BIN" litmus run --target hw --help
check "help has a synopsis" has "replicore litmus run FILE... --target hw" "$T/out"

if [ "$x86" = yes ]; then
	check "SB: $N iterations" status 0 "$BIN" litmus run --target hw -n "$N" --size 100 --json "$C/x86/SB.litmus"
	check "SB: the histogram sums to $N" sums_to "$N" "$T/out"
	check "SB: only states tso allows" all_allowed_by tso "$T/out" "$C/x86/SB.litmus"
	check "SB: nothing forbidden" has '"forbidden_observed":0' "$T/out"
	check "SB: human output" status 0 "$BIN" litmus run --target hw -n "$N" "$C/x86/SB.litmus"
	check "litmus7's layout: Test line" has "Test SB Allowed" "$T/out"
	check "litmus7's layout: Histogram" grep -q "^Histogram ([1-4] states)" "$T/out"
	check "litmus7's layout: Observation" grep -q "^Observation SB \(Sometimes\|Never\|Always\) " "$T/out"
	check "the model's verdict" has "Model tso: every observed state allowed" "$T/out"
	check "the second run finds the object cached" has "object cached" "$T/out"
	check "SB under sc: the machine shows the forbidden state, exit 1" \
		status 1 "$BIN" litmus run --target hw -n 200000 --model sc "$C/x86/SB.litmus"
	check "and marks it" has "*>0:EAX=0; 1:EAX=0;   <- FORBIDDEN by sc" "$T/out"
	check "and says so" has "the machine and the model disagree" "$T/out"
	check "LOCK ops, XADD, XCHG, MOV reg,reg" status 0 "$BIN" litmus run --target hw -n "$N" --json --keep "$T/keep" "$HERE/OPS.litmus" "$HERE/OPS2.litmus"
	grep '"test":"OPS"' "$T/out" >"$T/ops"
	check "LOCK ops: only states tso allows" all_allowed_by tso "$T/ops" "$HERE/OPS.litmus"
	check "--affinity 0,1" status 0 "$BIN" litmus run --target hw -n "$N" --affinity 0,1 "$C/x86/SB+mfences.litmus"
	check "--affinity none" status 0 "$BIN" litmus run --target hw -n "$N" --affinity none --json "$C/x86/SB+mfences.litmus"
	check "--affinity none: not pinned" has '"pus":null' "$T/out"
	check "--keep keeps the source" test -s "$T/keep/OPS.c"
	check "--keep keeps the compiler's messages" test -f "$T/keep/OPS.err"
	check "generated OPS compiles with -Wall -Wextra -Werror" \
		$CC -std=gnu11 -O2 -fPIC -shared -Wall -Wextra -Werror -o "$T/OPS.so" "$T/keep/OPS.c"
	# the harness compiles with -Wall -Wextra: its messages must be empty
	check "generated OPS2: no warning under -Wall -Wextra" no_warning "$T/keep/OPS2.err"
else
	check "X86 test refused on $(uname -m)" status 2 "$BIN" litmus run --target hw -n 10 "$C/x86/SB.litmus"
	check "with a clear message" has "x86 assembly tests run only on x86-64 hosts" "$T/err"
fi

check "C test: SB+rlx+rlx" status 0 "$BIN" litmus run --target hw -n "$N" --size 50 --json --keep "$T/keep" "$C/c11/SB+rlx+rlx.litmus" "$HERE/COPS.litmus"
check "C test: the histograms sum to 2 x $N" sums_to $((2 * N)) "$T/out"
grep '"test":"SB+rlx+rlx"' "$T/out" >"$T/sb-c"
check "C test: only states rc11 allows" all_allowed_by rc11 "$T/sb-c" "$C/c11/SB+rlx+rlx.litmus"
check "C test: if/else, CAS, fetch ops" has '"test":"COPS"' "$T/out"
check "C test: mixed plain and atomic" status 0 "$BIN" litmus run --target hw -n "$N" --keep "$T/keep" "$C/c11/fig1.litmus" "$C/c11/mp-c11-race.litmus"
check "generated COPS compiles with -Wall -Wextra -Werror" \
	$CC -std=gnu11 -O2 -fPIC -shared -Wall -Wextra -Werror -o "$T/COPS.so" "$T/keep/COPS.c"
for f in SB+rlx+rlx fig1 mp-c11-race; do
	check "generated $f: no warning under -Wall -Wextra" no_warning "$T/keep/$f.err"
done

# more threads than PUs: a store each on a location of its own
big=$((pus + 1))
{
	echo "C BIG"
	echo "{ }"
	i=0
	while [ $i -lt $big ]; do
		echo "P$i (atomic_int* x$i) { atomic_store_explicit(x$i, 1, memory_order_relaxed); }"
		i=$((i + 1))
	done
	echo "exists (x0=1)"
} >"$T/big.litmus"
check "$big threads on $pus PUs: skipped" status 0 "$BIN" litmus run --target hw -n 100 "$T/big.litmus"
check "with a clear message" has "$big threads but $pus PUs: skipped (--oversubscribe runs it anyway)" "$T/err"
check "and no histogram" lacks "^Histogram" "$T/out"
check "--oversubscribe runs it" status 0 "$BIN" litmus run --target hw -n 200 --size 20 --oversubscribe "$T/big.litmus"
check "and reports it" has ", oversubscribed;" "$T/out"
check "every one of 200 runs ends with x0=1" grep -q "^200 *\*>x0=1;" "$T/out"

check "a compiler that fails: exit 2" status 2 env CC=false \
	XDG_CACHE_HOME="$T/cache2" "$BIN" litmus run --target hw -n 10 "$C/c11/SB+rlx+rlx.litmus"
check "and names the compiler" has "the compiler (false) failed" "$T/err"

check "-n 0 exits 2" status 2 "$BIN" litmus run --target hw -n 0 "$C/c11/SB+rlx+rlx.litmus"
check "-n x exits 2" status 2 "$BIN" litmus run --target hw -n x "$C/c11/SB+rlx+rlx.litmus"
check "--size 0 exits 2" status 2 "$BIN" litmus run --target hw --size 0 "$C/c11/SB+rlx+rlx.litmus"
check "--affinity foo exits 2" status 2 "$BIN" litmus run --target hw --affinity foo "$C/c11/SB+rlx+rlx.litmus"
check "and says what it expected" has "expected auto, none or PU numbers" "$T/err"
check "--affinity beyond the machine exits 2" status 2 "$BIN" litmus run --target hw -n 10 --affinity 4096 "$C/c11/SB+rlx+rlx.litmus"
check "--model foo exits 2" status 2 "$BIN" litmus run --target hw --model foo "$C/c11/SB+rlx+rlx.litmus"
check "--model tso on a C test exits 2" status 2 "$BIN" litmus run --target hw --model tso -n 10 "$C/c11/SB+rlx+rlx.litmus"
check "unknown option exits 2" status 2 "$BIN" litmus run --target hw --frob "$C/c11/SB+rlx+rlx.litmus"
check "no file exits 2" status 2 "$BIN" litmus run --target hw
check "missing file exits 2" status 2 "$BIN" litmus run --target hw "$T/none.litmus"

done_testing
