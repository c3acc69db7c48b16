#!/bin/sh
# SPDX-License-Identifier: MIT
# test_cli.sh: the replicore command's usage, errors and exit statuses.
set -u
n=0
fail=0
out=$(mktemp "${TMPDIR:-/tmp}/rc-cli.XXXXXX")
trap 'rm -f "$out" "$out.err"' EXIT INT TERM

# expect STATUS PATTERN DESCRIPTION -- ARGS...: runs replicore ARGS, checks
# the exit status and that stdout+stderr contain PATTERN (grep -E).
expect() {
	want=$1 pat=$2 desc=$3
	shift 4
	n=$((n + 1))
	"$RC_BIN" "$@" >"$out" 2>"$out.err"
	got=$?
	if [ "$got" -eq "$want" ] && cat "$out" "$out.err" | grep -Eq -- "$pat"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (exit $got, want $want; pattern '$pat')"
		sed 's/^/#   /' "$out" "$out.err" | head -20
		fail=1
	fi
}

expect 2 'SYNOPSIS' "no arguments print usage and exit 2" --
expect 0 'COMMANDS' "--help lists the commands" -- --help
expect 0 '^replicore [0-9]+\.[0-9]+' "--version prints the version" -- --version
expect 2 "unknown command 'frobnicate'" "an unknown command exits 2" -- frobnicate

# The command in the build folder is the program itself (an ELF file), not
# a script that sets up the library path first.
n=$((n + 1))
if [ "$(head -c 4 "$RC_BIN" | od -An -c | tr -d ' ')" = '177ELF' ]; then
	echo "ok $n - $RC_BIN is the program, not a wrapper script"
else
	echo "not ok $n - $RC_BIN is the program, not a wrapper script"
	fail=1
fi
expect 2 "unrecognized option '--frob'" "an unknown global option exits 2" -- --frob
expect 0 'EXIT STATUS' "help COMMAND shows the command's help" -- help topo
for cmd in topo demo; do
	expect 0 'SYNOPSIS' "$cmd --help has a synopsis" -- "$cmd" --help
	expect 0 'EXAMPLE' "$cmd --help has an example" -- "$cmd" --help
	expect 2 "--bogus" "$cmd rejects an unknown option with exit 2" -- "$cmd" --bogus
	expect 2 "unexpected argument" "$cmd rejects a stray argument" -- "$cmd" stray
done
expect 2 'synthetic:1:13: error: count' "a bad synthetic count names line and column" -- \
	topo --synthetic "numa:2 core:x pu:1"
expect 2 "unknown object type 'nodes'" "an unknown synthetic type is named" -- \
	topo --synthetic "nodes:2 pu:1"
expect 2 'nonexistent.xml' "a missing XML file is named" -- topo --xml /nonexistent.xml
expect 2 'exclude' "--synthetic and --xml exclude each other" -- \
	topo --synthetic pu:2 --xml x.xml
expect 2 'missing argument' "--synthetic needs an argument" -- topo --synthetic
expect 0 '"nodes":4' "topo --json describes a synthetic layout" -- \
	topo --synthetic "package:2 numa:2 core:2 pu:1" --json
expect 0 'NUMA node 3' "topo prints every node of the layout" -- \
	topo --synthetic "package:2 numa:2 core:2 pu:1"
expect 0 'wraps' "topo says when a layout wraps onto fewer PUs" -- \
	topo --synthetic "numa:64 core:2 pu:2"
expect 0 'PUs' "topo prints the machine" -- topo
expect 0 '^  1 +[0-9]+ \(OS [0-9]+\) +real node [0-9]+$' \
	"topo --placement finds each node's page on the node's real node" -- \
	topo --synthetic "numa:2 core:2 pu:1" --placement
expect 0 '"placement":\[\{"node":0,"real_node":[0-9]+,"real_node_os":[0-9]+,"page_nodes":\[[0-9]+\]' \
	"topo --placement --json lists where each node's page is" -- \
	topo --synthetic "numa:2 core:2 pu:1" --placement --json
expect 2 'synthetic:1:1' "demo rejects a bad layout" -- demo --synthetic "x"
echo "1..$n"
exit $fail
