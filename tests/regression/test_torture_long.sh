#!/bin/sh
# SPDX-License-Identifier: MIT
# test_torture_long.sh: replicore torture for minutes with every fault (stall, crash, restart, partition, member) over both logs and both objects, then RC_SCALE seeds of each; every history linearizable.
TAP_NAME=torture-long
. "${RC_SRCDIR:-.}/tests/tap.sh"

# One long run per log and object: RC_TORTURE_SECONDS (default 30) of 64
# faults at 1,000 operations per second per client (a client's recorder
# slot holds the run). The Paxos runs have five nodes, so that one node
# may be crashed for good while another restarts again and again: with
# seed 2, node 3 crashes and node 1, which has a client, restarts.
SECS=${RC_TORTURE_SECONDS:-30}
SCALE=${RC_SCALE:-1}
[ -n "$SCALE" ] || SCALE=1

for log in shm paxos; do
	layout="numa:3 core:1 pu:1"
	[ $log = paxos ] && layout="numa:5 core:1 pu:1"
	for obj in register map; do
		what="$log, $obj, $SECS s"
		spec=register
		[ $obj = map ] && spec=kv
		check "$what: linearizable, exit 0" status 0 "$BIN" torture --log $log \
			--object $obj --synthetic "$layout" --duration "$SECS" --faults 64 \
			--rate 1000 --seed 2 --history "$T/h"
		sed -n 's/^  \(ran .*\)/# \1/p; s/^  \(history: .*\)/# \1/p' "$T/out"
		echo "# faults done: $(grep -c '^    at .*: began' "$T/out") of 64, restarts $(grep -c 'restart node .*restarted at' "$T/out"), crashes $(grep -c 'crash node .*: began' "$T/out"), stalls $(grep -c 'stall node .*: began' "$T/out"), partitions $(grep -c 'partition node .*: began' "$T/out")"
		check "$what: the verdict" has "history: linearizable ($spec, " "$T/out"
		check "$what: no client stopped at the recorder's capacity" hasnt "recorder's capacity" "$T/out"
		check "$what: stalls carried out" grep -q "stall node [0-9]* for [0-9]* ms: began" "$T/out"
		if [ $log = paxos ]; then
			check "$what: restarts of node 1, its client out each time" grep -q "restart node 1 after [0-9]* ms: began at [0-9]* ms, 1 client out.*restarted at" "$T/out"
			check "$what: a crash carried out" grep -q "crash node 3: began" "$T/out"
		fi
		check "$what: replicore check agrees" status 0 "$BIN" check --level lin --spec $spec "$T/h"
	done
done

# Every kind, partitions included, over Paxos for a third of the time
# (partitions are drawn only when asked for, so the runs above keep their
# schedules).
for obj in register map; do
	check "paxos, $obj, every kind: linearizable, exit 0" status 0 "$BIN" torture \
		--log paxos --object $obj --synthetic "numa:5 core:1 pu:1" \
		--duration "$((SECS / 3 + 1))" --faults 64 --rate 1000 --seed 3 \
		--fault-kinds stall,crash,restart,partition
	echo "# paxos, $obj, every kind: partitions $(grep -c 'partition node .*: began' "$T/out"), restarts $(grep -c 'restart node .*restarted at' "$T/out"), stalls $(grep -c 'stall node .*: began' "$T/out")"
	check "paxos, $obj, every kind: partitions carried out" grep -q "partition node [0-9]* for [0-9]* ms: began" "$T/out"
done

# Membership changes with every other kind, over Paxos on six nodes
# (members {0,..,4} at the start, node 5 the spare; two nodes down at
# most, so one crash for good leaves room for restarts and partitions:
# an 11 s run of seed 4 here made 14 changes, 9 partitions, 12 restarts,
# 1 crash and 28 stalls), for a third of the time, in runs of their own
# (member is drawn only when asked for, so the runs above keep their
# schedules).
for obj in register map; do
	check "paxos, $obj, member and every kind: linearizable, exit 0" status 0 "$BIN" torture \
		--log paxos --object $obj --synthetic "numa:6 core:1 pu:1" \
		--duration "$((SECS / 3 + 1))" --faults 64 --rate 1000 --seed 4 \
		--fault-kinds stall,crash,restart,partition,member --history "$T/h"
	echo "# paxos, $obj, member and every kind: changes $(grep -c 'member node .*: began' "$T/out"), partitions $(grep -c 'partition node .*: began' "$T/out"), restarts $(grep -c 'restart node .*restarted at' "$T/out"), crashes $(grep -c 'crash node .*: began' "$T/out"), stalls $(grep -c 'stall node .*: began' "$T/out")"
	check "paxos, $obj, member and every kind: changes carried out" grep -q "member node [0-9]* out, node [0-9]* in: began" "$T/out"
	check "paxos, $obj, member and every kind: no change failed" hasnt "failed: " "$T/out"
	check "paxos, $obj, member and every kind: replicore check agrees" status 0 "$BIN" check --level lin --spec "$([ $obj = map ] && echo kv || echo register)" "$T/h"
done

# RC_SCALE seeds of each log and object, 1 s with 8 faults each, on the
# default layout (three nodes: a crash for good or restarts). Seed 19
# over Paxos restarts node 1 four times in 0.4 s; before a fix of the
# Paxos log's restart its client's read could wait for ever there
# (STUCK).
s=1
while [ "$s" -le "$SCALE" ]; do
	for log in shm paxos; do
		for obj in register map; do
			check "$log, $obj, seed $s: linearizable, exit 0" status 0 "$BIN" torture \
				--log $log --object $obj --seed $s --duration 1 --faults 8
			# a violation, or a client stuck: the whole output
			if ! grep -q "^  history: linearizable" "$T/out" ||
				grep -q "STUCK" "$T/out"; then
				sed -n 's/^/# /p' "$T/out"
			fi
		done
	done
	s=$((s + 1))
done
done_testing
