#!/bin/sh
# SPDX-License-Identifier: MIT
# test_litmus_hw_corpus.sh: every X86 test of the corpus on this machine; no state x86-TSO forbids may ever show up.
BIN=${RC_BIN:-./replicore}
C=${RC_SHARED:-../shared}/corpus/litmus
# iterations per test: 100,000 at make regtest's RC_SCALE=20
N=${RC_LITMUS_HW_N:-$((${RC_SCALE:-1} * 5000))}
T=${TMPDIR:-/tmp}/rc-litmus-hw-corpus.$$
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
case $(uname -m) in
x86_64 | amd64) ;;
*)
	echo "1..0 # SKIP X86 tests need an x86-64 host, this is $(uname -m)"
	exit 0
	;;
esac
n=0
fail=0
for f in "$C"/x86/*.litmus; do
	name=$(basename "$f" .litmus)
	n=$((n + 1))
	# exit 1: the machine showed a state tso forbids; 2: could not run
	"$BIN" litmus run --target hw --oversubscribe -n "$N" "$f" \
		>"$T/out" 2>"$T/err"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "ok $n - $name: $(grep '^Observation' "$T/out")"
	else
		echo "not ok $n - $name: exit $rc"
		sed 's/^/# /' "$T/out" "$T/err"
		fail=1
	fi
done
echo "1..$n"
exit $fail
