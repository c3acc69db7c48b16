#!/bin/sh
# SPDX-License-Identifier: MIT
# test_sim_cli.sh: replicore sim PROTOCOL from the command line: the protocols listed, errors, replicore sim paxos printing what replicore paxos sim prints, replicore sim 2pc and 3pc with their named seeds, and replicore sim raft.
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
check "paxos takes part" status 0 "$BIN" sim paxos --nodes 5 --runs 20 --faults part=2,restart=1
check "and checks minority" has "liveness, minority: hold" "$T/out"
same "partitions" --runs 20 --nodes 5 --seed 3 --faults drop=0.05,partition=0.5 --commands 60 --json
check "the JSON counts partitions" sh -c "grep -Eq '\"partitions\":[1-9]' '$T/b'"
check "paxos refuses a partition probability above 1" status 2 "$BIN" sim paxos --faults partition=1.5
check "naming the value's column" has "--faults:1:11:" "$T/err"
"$BIN" sim 3pc --seed 9 --faults drop=0.2,delay=0.2,restart=2,stall=1 --trace >"$T/a"
"$BIN" sim 3pc --seed 9 --faults drop=0.2,delay=0.2,restart=2,stall=1 --trace >"$T/b"
check "3pc: one seed, one trace" cmp -s "$T/a" "$T/b"
check "the trace shows restarts" has " restart " "$T/a"
# Chandy-Lamport snapshots: the properties hold, the broken variants fail.
check "it lists snapshot" status 0 "$BIN" sim --help
check "with its summary" has "snapshot Chandy-Lamport snapshots" "$T/out"
check "sim snapshot --help exits 0" status 0 "$BIN" sim snapshot --help
check "naming the variants" has "--broken late-markers" "$T/out"
check "snapshots with faults exit 0" status 0 "$BIN" sim snapshot --runs 50 --nodes 5 --faults drop=0.1,dup=0.1,delay=0.2,stall=2,part=1
check "every property holds" has "conservation, consistent cut, termination: hold" "$T/out"
check "every snapshot completes" has "snapshots           500" "$T/out"
check "and the JSON says so" status 0 "$BIN" sim snapshot --runs 5 --json
check "failed_runs 0" has '"failed_runs":0' "$T/out"
check "no channel state exits 1" status 1 "$BIN" sim snapshot --runs 5 --broken no-channels
check "conservation fails" has "VIOLATED            conservation" "$T/out"
check "late markers exit 1" status 1 "$BIN" sim snapshot --runs 5 --broken late-markers --json
check "the cut is inconsistent" has '"consistent cut"' "$T/out"
check "an unknown variant exits 2" status 2 "$BIN" sim snapshot --broken frob
check "naming the variants" has "(no-channels, late-markers)" "$T/err"
check "crash faults exit 2" status 2 "$BIN" sim snapshot --faults crash=1
check "saying why" has "assumes that no node fails" "$T/err"
check "other protocols take no --broken" status 2 "$BIN" sim 2pc --broken no-channels

# Raft.
check "sim --help lists raft" status 0 "$BIN" sim --help
check "raft listed" has "raft     Raft" "$T/out"
check "sim raft --help exits 0" status 0 "$BIN" sim raft --help
check "the raft options" has "--prevote 0|1" "$T/out"
check "and the repair" has "--repair 0|1" "$T/out"
check "raft with every fault exits 0" status 0 "$BIN" sim raft --runs 20 --nodes 5 --faults drop=0.1,dup=0.05,delay=0.1,crash=2,stall=3,restart=3,part=2 --commands 50
check "every raft property holds" has "liveness: hold" "$T/out"
check "raft with pre-vote and one-index repair exits 0" status 0 "$BIN" sim raft --runs 20 --prevote 1 --repair 0 --faults drop=0.2,restart=2,part=2 --json
check "its JSON has no failed run" has '"failed_runs":0' "$T/out"
check "and names the options" has '"prevote":1,"repair":0' "$T/out"
check "raft crash without a majority exits 2" status 2 "$BIN" sim raft --nodes 4 --faults crash=2
check "saying so" has "crash=2 leaves no majority of 4 nodes" "$T/err"
check "raft --prevote 2 exits 2" status 2 "$BIN" sim raft --prevote 2
check "raft unknown fault exits 2" status 2 "$BIN" sim raft --faults part=1,frob=1
check "naming its column" has "--faults:1:8: unknown fault 'frob'" "$T/err"
"$BIN" sim raft --seed 9 --faults drop=0.2,delay=0.2,restart=2,part=1 --commands 20 --trace >"$T/a"
"$BIN" sim raft --seed 9 --faults drop=0.2,delay=0.2,restart=2,part=1 --commands 20 --trace >"$T/b"
check "raft: one seed, one trace" cmp -s "$T/a" "$T/b"
check "the trace shows leaders" has " leader " "$T/a"
# Figure 8: a partition storm at its named seed holds with Raft and
# catches the copy whose leader commits earlier terms' entries by counting.
STORM="--nodes 3 --commands 40 --faults part=20,restart=5,drop=0.3,delay=0.2,dup=0.1 --seed 297"
check "raft's storm at seed 297 exits 0" status 0 "$BIN" sim raft $STORM
BROKEN=${RC_BUILDDIR:-.}/tests/unit/raft_broken_cli
if [ -x "$BROKEN" ]; then
	check "the broken copy exits 1 there" status 1 "$BROKEN" $STORM
	check "naming leader completeness" has "VIOLATED            leader completeness" "$T/out"
	check "and the seed" has "seed 297 violates leader completeness" "$T/err"
else
	skip "the broken raft copy exits 1" "no $BROKEN"
fi
# Physical clocks by Lamport's rules: the measured skew within his bound
# at three drift bounds, and under delays; the broken receiver caught.
for ppm in 100 10000 100000; do
	check "clocks at $ppm ppm, a line of 5, 1000 runs: exit 0" status 0 "$BIN" sim clocks --nodes 5 --line 1 --drift $ppm --runs 1000
	check "the skew stays within the bound" has "bound, monotonic: hold" "$T/out"
done
check "clocks under delays and duplicates, tau 2000 us: exit 0" status 0 "$BIN" sim clocks --nodes 5 --line 1 --faults delay=0.2,dup=0.1 --period 2000 --runs 1000
check "within the bound" has "bound, monotonic: hold" "$T/out"
check "clocks' JSON gives skew and bound" status 0 "$BIN" sim clocks --runs 3 --json
check "in ns" has '"bound_ns":' "$T/out"
check "a receiver that takes Tm + mu as it is: exit 1" status 1 "$BIN" sim clocks --runs 5 --broken no-max
check "its clock goes back" has "VIOLATED            monotonic" "$T/out"
check "drops break the premise: exit 2" status 2 "$BIN" sim clocks --faults drop=0.1
check "saying so" has "only delay and dup faults" "$T/err"
check "a drift of 50% exits 2" status 2 "$BIN" sim clocks --drift 500000

done_testing
