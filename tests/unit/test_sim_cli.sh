#!/bin/sh
# SPDX-License-Identifier: MIT
# test_sim_cli.sh: replicore sim PROTOCOL from the command line: the protocols listed, errors, and replicore sim paxos printing what replicore paxos sim prints.
TAP_NAME=sim-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "sim --help exits 0" status 0 "$BIN" sim --help
check "it lists paxos" has "paxos    Multi-Paxos" "$T/out"
check "replicore help sim exits 0" status 0 "$BIN" help sim
check "the same help" has "PROTOCOLS" "$T/out"
check "replicore --help lists sim" status 0 "$BIN" --help
check "as a command" has "sim      a protocol simulated" "$T/out"
check "no protocol exits 2" status 2 "$BIN" sim
check "saying so" has "a protocol is needed" "$T/err"
check "unknown protocol exits 2" status 2 "$BIN" sim frob
check "naming it" has "unknown protocol 'frob'" "$T/err"
check "an option before the protocol exits 2" status 2 "$BIN" sim --nodes 3
check "sim paxos --help exits 0" status 0 "$BIN" sim paxos --help
check "the paxos options" has "drop=P, dup=P, delay=P" "$T/out"
check "bad option exits 2" status 2 "$BIN" sim paxos --frob
check "unknown fault exits 2" status 2 "$BIN" sim paxos --faults drop=0.1,frob=1
check "naming the token and its column" has "--faults:1:10: unknown fault 'frob'" "$T/err"
check "crash without a majority exits 2" status 2 "$BIN" sim paxos --nodes 4 --faults crash=2

# The same run through both commands prints the same bytes.
same() { # name, then the options
	name=$1
	shift
	"$BIN" paxos sim "$@" >"$T/a" 2>"$T/ae"
	ra=$?
	"$BIN" sim paxos "$@" >"$T/b" 2>"$T/be"
	rb=$?
	check "$name: same status ($ra)" test "$ra" = "$rb"
	check "$name: same output" cmp -s "$T/a" "$T/b"
	check "$name: same errors" cmp -s "$T/ae" "$T/be"
}
F=drop=0.1,dup=0.05,delay=0.1,crash=2,stall=3
same "summary" --nodes 5 --seed 7 --faults $F --commands 200
check "the summary holds" has "liveness: hold" "$T/b"
same "json" --nodes 5 --seed 7 --faults $F --commands 200 --json
check "the JSON has no failed run" has '"failed_runs":0' "$T/b"
same "trace" --nodes 3 --seed 5 --faults drop=0.2,delay=0.2,stall=2 --commands 20 --trace
check "the trace shows drops" has " drop " "$T/b"
same "runs" --runs 20 --nodes 7 --seed 3 --faults drop=0.05,dup=0.1,crash=3 --commands 60
done_testing
