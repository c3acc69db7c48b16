#!/bin/sh
# SPDX-License-Identifier: MIT
# test_flp_cli.sh: replicore sim flp and replicore sim generals from the command line: listed, help, errors (exit 2), the undecided asynchronous run and its trace, the run that decides after gst, the generals' table and trace, and JSON.
TAP_NAME=flp-cli
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "sim --help lists flp" status 0 "$BIN" sim --help
check "flp's line" has "flp      an adversary keeps Paxos undecided" "$T/out"
check "generals' line" has "generals two generals" "$T/out"
check "sim flp --help exits 0" status 0 "$BIN" sim flp --help
check "its options" has "--gst N" "$T/out"
check "bad option exits 2" status 2 "$BIN" sim flp --frob
check "naming it" has "'--frob'" "$T/err"
check "--nodes 5 exits 2" status 2 "$BIN" sim flp --nodes 5
check "faults exit 2" status 2 "$BIN" sim flp --faults drop=0.1
check "--steps 0 exits 2" status 2 "$BIN" sim flp --steps 0
check "naming the option" has "replicore sim flp: --steps: 1..100000000, not 0" "$T/err"
check "gst after the end exits 2" status 2 "$BIN" sim flp --steps 10 --gst 11
check "a non-number exits 2" status 2 "$BIN" sim flp --steps x
check "100000 steps exit 0" status 0 "$BIN" sim flp --steps 100000
check "all run" has "steps               100000" "$T/out"
check "undecided" has "decided             no" "$T/out"
check "fair" has "every message delivered within 64 steps: holds" "$T/out"
check "bivalent" has "held at every adversary step" "$T/out"
check "the trace exits 0" status 0 "$BIN" sim flp --steps 40 --trace
check "a timer fired by the scheduler" has "step 1       fire node 0's timer" "$T/out"
check "the held ACCEPT outbid" has "deliver 0->2 ACCEPT b=1.0 slot=0" "$T/out"
check "the witness" has "bivalent: its ACCEPT to node 2 would choose B, node 0's next ballot can choose A" "$T/out"
cp "$T/out" "$T/trace1"
check "the trace again" status 0 "$BIN" sim flp --steps 40 --trace
check "the same trace" cmp -s "$T/out" "$T/trace1"
check "partial synchrony exits 0" status 0 "$BIN" sim flp --steps 1000 --gst 500
check "it decides" has "decided             A at step 525, every node the same" "$T/out"
check "within the bound" has "every message delivered within 8 steps: holds" "$T/out"
check "its trace" status 0 "$BIN" sim flp --steps 100 --gst 20 --trace
check "stabilization" has "global stabilization" "$T/out"
check "a decision" has "node 0 decides A" "$T/out"
check "flp json" status 0 "$BIN" sim flp --steps 1000 --json
check "its fields" has '"steps":1000,' "$T/out"
check "undecided in json" has '"decided":false,"ok":true}' "$T/out"
check "generals --help exits 0" status 0 "$BIN" sim generals --help
check "generals bad option exits 2" status 2 "$BIN" sim generals --steps 3
check "--rounds 0 exits 2" status 2 "$BIN" sim generals --rounds 0
check "--rounds 17 exits 2" status 2 "$BIN" sim generals --rounds 17
check "generals 1..8 exit 0" status 0 "$BIN" sim generals --rounds 8 --trace
for k in 1 2 3 4 5 6 7 8; do
	check "k=$k: the run without loss" has "k=$k run 1: nothing lost" "$T/out"
	check "k=$k: the last message lost" has "k=$k run 2: message $k lost" "$T/out"
done
check "k=1: A attacks, B stays" has "  1  2     1         both attack  message 1  lost  attacks  stays" "$T/out"
check "k=8: A stays, B attacks" has "  8  9     1         both attack  message 8  lost  stays    attacks" "$T/out"
check "disagreements printed" test "$(grep -c 'they disagree' "$T/out")" -eq 8
check "the verdict" has "every protocol: agreement without loss, a run that disagrees found" "$T/out"
check "generals json" status 0 "$BIN" sim generals --rounds 3 --json
check "its rows" has '{"k":3,"runs":4,"disagree":1,"no_loss_agree":true,"chain_run":2,"lost_message":3,"a_attacks":true,"b_attacks":false}],"ok":true}' "$T/out"
done_testing
