#!/bin/sh
# SPDX-License-Identifier: MIT
# test_sim_cli.sh: replicore sim PROTOCOL from the command line: the protocols listed, errors, replicore sim paxos printing what replicore paxos sim prints, and replicore sim 2pc and 3pc with their named seeds.
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

# Atomic commitment: 2pc and 3pc.
check "sim --help again" status 0 "$BIN" sim --help
check "it lists 2pc" has "2pc      two-phase commit" "$T/out"
check "and 3pc" has "3pc      three-phase commit" "$T/out"
check "sim 2pc --help exits 0" status 0 "$BIN" sim 2pc --help
check "the restart and part faults" has "restart=K" "$T/out"
check "sim 3pc --help exits 0" status 0 "$BIN" sim 3pc --help
check "it names the known limits" has "KNOWN LIMITS" "$T/out"
check "2pc without faults exits 0" status 0 "$BIN" sim 2pc --runs 5
check "every property holds" has "atomicity, validity, termination: hold" "$T/out"
check "3pc with crashes and restarts exits 0" status 0 "$BIN" sim 3pc --runs 50 --nodes 5 --faults drop=0.1,dup=0.1,delay=0.2,crash=2,restart=2,stall=2
check "the JSON has no failed run" status 0 "$BIN" sim 3pc --runs 20 --faults drop=0.2,crash=1 --json
check "failed_runs 0" has '"failed_runs":0' "$T/out"
check "2pc's named seed blocks, exit 0" status 0 "$BIN" sim 2pc --nodes 3 --seed 17 --faults crash=1,delay=0.3 --commands 10
check "one transaction blocked" has "aborted, 1 blocked" "$T/out"
check "3pc's named seed under a partition exits 1" status 1 "$BIN" sim 3pc --nodes 4 --seed 3 --faults part=1,delay=0.3 --commands 20
check "atomicity violated" has "VIOLATED            atomicity in 1 run; first at seed 3" "$T/out"
check "the seed on stderr" has "seed 3 violates atomicity" "$T/err"
check "2pc bad option exits 2" status 2 "$BIN" sim 2pc --frob
check "2pc unknown fault exits 2" status 2 "$BIN" sim 2pc --faults drop=0.1,frob=1
check "naming its column" has "--faults:1:10: unknown fault 'frob'" "$T/err"
check "3pc one node exits 2" status 2 "$BIN" sim 3pc --nodes 1
check "3pc all crashing exits 2" status 2 "$BIN" sim 3pc --nodes 3 --faults crash=3
check "paxos takes restart" status 0 "$BIN" sim paxos --faults restart=1
check "paxos refuses part" status 2 "$BIN" sim paxos --faults part=1
"$BIN" sim 3pc --seed 9 --faults drop=0.2,delay=0.2,restart=2,stall=1 --trace >"$T/a"
"$BIN" sim 3pc --seed 9 --faults drop=0.2,delay=0.2,restart=2,stall=1 --trace >"$T/b"
check "3pc: one seed, one trace" cmp -s "$T/a" "$T/b"
check "the trace shows restarts" has " restart " "$T/a"
done_testing
