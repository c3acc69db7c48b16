#!/bin/sh
# SPDX-License-Identifier: MIT
# test_demo.sh: the demo's message exchange (its topology part) gives the
# clocks it must; bad options exit 2 naming the option.
set -u
echo "1..12"
json=$("$RC_BIN" demo --json --no-hw --history-rounds 20 --history-runs 1 --cost-ops 1000 --cost-samples 1)
status=$?
[ $status -eq 0 ] && echo "ok 1 - demo --json exits 0" || echo "not ok 1 - demo --json exits $status"
# The scripted exchange fixes every clock, whatever the scheduling.
case $json in
*'"event":"a4","replica":0,"what":"receive from R2","lamport":7,"vclock":[4,3,4]'*)
	echo "ok 2 - R0's receive from R2 is stamped 7 and [4,3,4]" ;;
*) echo "not ok 2 - R0's receive from R2 is stamped 7 and [4,3,4]" ;;
esac
pairs=$(printf '%s' "$json" | sed 's/.*"happened_before":\[\(.*\)\],"concurrent".*/\1/' |
	grep -o '\["[a-c][0-9]","[a-c][0-9]"\]' | wc -l)
conc=$(printf '%s' "$json" | sed 's/.*"concurrent":\[\(.*\)\],"lamport_order".*/\1/' |
	grep -o '\["[a-c][0-9]","[a-c][0-9]"\]' | wc -l)
[ "$pairs" -eq 52 ] && echo "ok 3 - 52 happened-before pairs" || echo "not ok 3 - 52 happened-before pairs (got $pairs)"
# 13 events make 78 pairs: each is ordered or concurrent.
[ "$conc" -eq 26 ] && echo "ok 4 - the other 26 pairs are concurrent" || echo "not ok 4 - 26 concurrent pairs (got $conc)"
case $json in
*'"lamport_order":["a1","b1","c1","a2","c2","a3","b2","b3","b4","c3","c4","a4","a5"]'*)
	echo "ok 5 - Lamport order with replica-id ties" ;;
*) echo "not ok 5 - Lamport order with replica-id ties" ;;
esac
case $json in
*'"lamport_consistent":true,"order_extends_hb":true'*)
	echo "ok 6 - the total order extends happened-before" ;;
*) echo "not ok 6 - the total order extends happened-before" ;;
esac
# Without the machine's runs, the disagreements are the objects' against
# their models only, which explore deterministically: there are none.
case $json in
*'"disagreements":[]'*) echo "ok 7 - no object disagrees with its model" ;;
*) echo "not ok 7 - no object disagrees with its model:" \
	"$(printf '%s' "$json" | grep -o '"disagreements":\[[^]]*\]')" ;;
esac
# Bad options: exit 2 at once, naming the option.
for args in "--suite /nonexistent" "--hw-iterations 0" "--history-runs x" \
	"--html /nonexistent/dir/page.html"; do
	k=$((${k:-7} + 1))
	# shellcheck disable=SC2086
	err=$("$RC_BIN" demo $args 2>&1 >/dev/null)
	st=$?
	opt=${args%% *}
	case "$st:$err" in
	2:*"$opt"*) echo "ok $k - demo $args exits 2 naming $opt" ;;
	*) echo "not ok $k - demo $args exits 2 naming $opt (got $st: $err)" ;;
	esac
done
# The consensus part crashes node 1 and restarts it while clients run,
# and checks what they saw (replicore torture's run).
case $json in
*'"restart":{"node":1,"done":true,'*'"spec":"kv","verdict":"ok"'*)
	echo "ok 12 - the consensus part restarts node 1, the clients' history linearizable" ;;
*) echo "not ok 12 - the consensus part restarts node 1, the clients' history linearizable:" \
	"$(printf '%s' "$json" | grep -o '"restart":{[^}]*}')" ;;
esac
