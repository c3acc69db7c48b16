#!/bin/sh
# SPDX-License-Identifier: MIT
# test_check_limits.sh: --timeout and --max-memory hold while reading, splitting and searching (exit 3).
set -u
n=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rc-limits.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
gen="${RC_SRCDIR:-.}/bench/gen-kv.sh"
# Behaviour bounds, not speed targets: a 0.2 s timeout must end the run
# well within SLACK seconds, and the peak memory stay within the limit and
# MEM_SLACK MiB (the program and its libraries).
slack=${RC_LIMITS_SLACK:-5}
mem_slack=${RC_LIMITS_MEM_SLACK:-32}
timer=
if /usr/bin/time -f %M true >/dev/null 2>&1; then
	timer=/usr/bin/time
fi

now() {
	date +%s.%N
}

# run NAME STDIN ARGS...: replicore check ARGS < STDIN, its exit status in
# $got, seconds in $secs, peak KiB in $kib (empty without /usr/bin/time).
run() {
	name=$1 in=$2
	shift 2
	t0=$(now)
	if [ -n "$timer" ]; then
		$timer -o "$tmp/$name.mem" -f %M "$RC_BIN" check "$@" \
			<"$in" >"$tmp/$name.out" 2>&1
		got=$?
		kib=$(tail -n 1 "$tmp/$name.mem")
	else
		"$RC_BIN" check "$@" <"$in" >"$tmp/$name.out" 2>&1
		got=$?
		kib=
	fi
	secs=$(echo "$(now) $t0" | awk '{ printf "%.2f", $1 - $2 }')
}

# ok_if COND DESC
ok_if() {
	n=$((n + 1))
	if eval "$1"; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		sed 's/^/#   /' "$tmp/$name.out" | cut -c1-200 | head -5
		fail=1
	fi
}

# mem_under MIB DESC: the peak memory of the last run within MIB + slack
mem_under() {
	n=$((n + 1))
	if [ -z "$kib" ]; then
		echo "ok $n # SKIP /usr/bin/time -f %M is not available: $2"
	elif [ -n "${RC_SAN_CFLAGS:-}" ]; then
		# A sanitizer's shadow memory is in the resident size.
		echo "ok $n # SKIP built with $RC_SAN_CFLAGS: $2 ($kib KiB)"
	elif [ "$kib" -le $((($1 + mem_slack) * 1024)) ]; then
		echo "ok $n - $2 ($kib KiB)"
	else
		echo "not ok $n - $2 ($kib KiB, limit $1 MiB + $mem_slack)"
		fail=1
	fi
}

# An endless history on a pipe: only the limits can end the reading.
mkfifo "$tmp/fifo"
yes '0 1 2 write 1 -> ok' >"$tmp/fifo" &
yes_pid=$!
run endless-time "$tmp/fifo" --timeout 0.2 /dev/stdin
kill "$yes_pid" 2>/dev/null
wait "$yes_pid" 2>/dev/null
ok_if '[ "$got" -eq 3 ] && grep -q "timed out after 0.2 s reading" "$tmp/$name.out"' \
	"an endless history with --timeout 0.2: no verdict, exit 3"
ok_if 'awk -v s="$secs" -v m="$slack" "BEGIN { exit !(s < m) }"' \
	"and the run ends within $slack s ($secs s)"

yes '0 1 2 write 1 -> ok' >"$tmp/fifo" &
yes_pid=$!
run endless-mem "$tmp/fifo" --max-memory 16 /dev/stdin
kill "$yes_pid" 2>/dev/null
wait "$yes_pid" 2>/dev/null
ok_if '[ "$got" -eq 3 ] && grep -q "memory limit of 16 MiB reached reading" "$tmp/$name.out"' \
	"an endless history with --max-memory 16: no verdict, exit 3"
mem_under 16 "and the peak memory stays under the limit"

# A large generated kv history (200,000 operations, 2,000 keys, about
# 9 MB): the text alone passes a 4 MiB limit, whatever the machine.
sh "$gen" --ops 200000 --keys 2000 --clients 20 >"$tmp/big.txt"
run big-small /dev/null --timeout 0.2 --max-memory 4 "$tmp/big.txt"
ok_if '[ "$got" -eq 3 ] && grep -q "unknown whether" "$tmp/$name.out"' \
	"a large history with --timeout 0.2 --max-memory 4: exit 3"
ok_if 'awk -v s="$secs" -v m="$slack" "BEGIN { exit !(s < m) }"' \
	"and the run ends within $slack s ($secs s)"
mem_under 4 "and the peak memory stays under the limit"

# With room to read it, a check that cannot finish in time: 26 writes at
# once, then 26 reads at once that return 26 different values. No order
# fits, but the search only learns that after trying the writes' orders
# (unbounded, it ran past 10 s and 200 MB here): the search phase times
# out, and stops at the memory limit.
{
	echo "# replicore-history 1"
	i=1
	while [ $i -le 26 ]; do
		echo "$i 1 100 write $i -> ok"
		i=$((i + 1))
	done
	i=1
	while [ $i -le 26 ]; do
		echo "$i 200 300 read -> $((i % 26 + 1))"
		i=$((i + 1))
	done
} >"$tmp/hard.txt"
run search-time /dev/null --timeout 0.2 --json "$tmp/hard.txt"
ok_if '[ "$got" -eq 3 ] && grep -q "timed out" "$tmp/$name.out"' \
	"a search that cannot finish with --timeout 0.2: no verdict, exit $got"
ok_if 'awk -v s="$secs" -v m="$slack" "BEGIN { exit !(s < m) }"' \
	"and the run ends within $slack s ($secs s)"

# The memory limit covers the whole search phase.
run search-mem /dev/null --max-memory 32 --json "$tmp/hard.txt"
ok_if '[ "$got" -eq 3 ] && grep -q "memory limit reached" "$tmp/$name.out"' \
	"the same search with --max-memory 32 stops at the limit (exit $got)"
mem_under 32 "and the peak memory stays under the limit"

# A history within its limits still gets its verdict.
run within /dev/null --timeout 60 --max-memory 256 "$tmp/big.txt"
ok_if '[ "$got" -eq 0 ]' "the same large history with room enough: linearizable"

echo "1..$n"
exit $fail
