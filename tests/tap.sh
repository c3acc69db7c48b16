# SPDX-License-Identifier: MIT
# tap.sh: TAP helpers for replicore's POSIX sh tests, sourced after setting
# TAP_NAME (names the scratch folder). Provides BIN, C (the litmus corpus),
# T (a scratch folder removed on exit) and the functions below; a test ends
# with done_testing.
BIN=${RC_BIN:-./replicore}
C=${RC_SHARED:-../shared}/corpus/litmus
T=${TMPDIR:-/tmp}/rc-${TAP_NAME:-test}.$$
mkdir -p "$T" || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
n=0
fail=0
check() { # check DESCRIPTION COMMAND...: a test point passing when COMMAND does
	d=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $d"
	else
		echo "not ok $n - $d"
		fail=1
	fi
}
skip() { # skip DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
status() { # status WANT COMMAND...: the command's exit status is WANT
	w=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	test $? -eq "$w"
}
has() { grep -F -q -e "$1" "$2"; }
hasnt() { ! grep -F -q -e "$1" "$2"; }
done_testing() {
	echo "1..$n"
	exit $fail
}
