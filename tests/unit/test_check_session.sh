#!/bin/sh
# SPDX-License-Identifier: MIT
# test_check_session.sh: the session guarantees (ryw, mr, mw, wfr) on hand-made histories whose answer is known, each guarantee both ways.
set -u
dir="$RC_SRCDIR/tests/unit/session"
n=0
fail=0
out=$(mktemp "${TMPDIR:-/tmp}/rc-session.XXXXXX")
trap 'rm -f "$out"' EXIT INT TERM
# expect STATUS DESCRIPTION -- ARGS...: exit status of replicore ARGS.
while read -r file levels want pattern; do
	case $file in '#'* | '') continue ;; esac
	n=$((n + 1))
	"$RC_BIN" check --level "$levels" "$dir/$file" >"$out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "not ok $n - $file at $levels: exit $got, want $want"
		sed 's/^/#   /' "$out" | head -8
		fail=1
	elif [ -n "${pattern:-}" ] && ! grep -q "bad pattern .*$pattern" "$out"; then
		echo "not ok $n - $file at $levels: the violation names $pattern"
		sed 's/^/#   /' "$out" | head -8
		fail=1
	else
		echo "ok $n - $file at $levels: exit $want${pattern:+ ($pattern)}"
	fi
done <"$dir/EXPECT"
# Each guarantee fails on some history and passes on another.
for g in RYW MR MW WFR; do
	n=$((n + 1))
	if grep -q "	1	$g\$" "$dir/EXPECT" && grep -Eq "	0\$" "$dir/EXPECT"; then
		echo "ok $n - $g has a history that violates it"
	else
		echo "not ok $n - $g has a history that violates it"
		fail=1
	fi
done
# JSON: the witness of a pass is an order of the writes.
n=$((n + 1))
if "$RC_BIN" check --json --level ryw,mr,mw,wfr "$dir/mw-in-order.txt" | grep -q '"kind":"write_order","note":"","order":\[{"index":0'; then
	echo "ok $n - a pass's JSON witness is the writes' order"
else
	echo "not ok $n - a pass's JSON witness is the writes' order"
	fail=1
fi
# Bad lists are usage errors.
for bad in "ryw,lin" "lin,ryw" "ryw,frob" "tso" ","; do
	n=$((n + 1))
	"$RC_BIN" check --level "$bad" "$dir/ryw-own.txt" >"$out" 2>&1
	if [ $? -eq 2 ]; then
		echo "ok $n - --level '$bad' exits 2"
	else
		echo "not ok $n - --level '$bad' exits 2"
		fail=1
	fi
done
echo "1..$n"
exit $fail
