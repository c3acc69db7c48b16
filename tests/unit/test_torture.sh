#!/bin/sh
# SPDX-License-Identifier: MIT
# test_torture.sh: replicore torture over both logs with stalls, crashes and restarts checks linearizable, and its broken variant (reads that skip the catch-up) is caught.
TAP_NAME=torture
. "${RC_SRCDIR:-.}/tests/tap.sh"

check "torture --help exits 0" status 0 "$BIN" torture --help
check "it describes the restart fault" has "restart N after L ms" "$T/out"
check "replicore --help lists torture" status 0 "$BIN" --help
check "as a command" has "torture  clients of the replicated state machine" "$T/out"
check "an unknown log exits 2" status 2 "$BIN" torture --log frob
check "naming it" has "--log: 'frob' is not a log" "$T/err"
check "an unknown breakage exits 2" status 2 "$BIN" torture --broken frob
check "an unknown object exits 2" status 2 "$BIN" torture --object frob
check "naming it" has "--object: 'frob' is not an object (register, map)" "$T/err"
check "65 clients exit 2" status 2 "$BIN" torture --clients 65
check "a one-node layout exits 2" status 2 "$BIN" torture --synthetic "numa:1 core:2 pu:1"
check "saying why" has "the layout has 1 NUMA nodes" "$T/err"
check "a bad layout names its column" status 2 "$BIN" torture --synthetic "numa:x"
check "synthetic:1:6" has "synthetic:1:6:" "$T/err"
check "a stray argument exits 2" status 2 "$BIN" torture frob
check "an unknown fault kind exits 2" status 2 "$BIN" torture --fault-kinds stall,frob
check "naming it and its column" has "--fault-kinds: column 7: 'frob' is not a fault" "$T/err"
check "a restart over the shm log exits 2" status 2 "$BIN" torture --log shm --fault-kinds restart
check "saying it needs paxos" has "crash, restart, partition and member need --log paxos" "$T/err"

# The schedule is drawn from the seed: the same plan twice.
plan() { sed -n 's/^    at *\([0-9]*\) ms  \([a-z]* node [0-9]*\( [a-z]* [0-9]* ms\)\{0,1\}\).*/\1 \2/p' "$1"; }
"$BIN" torture --log paxos --seed 2 --duration 0.3 >"$T/p1" 2>&1
"$BIN" torture --log paxos --seed 2 --duration 0.3 >"$T/p2" 2>&1
plan "$T/p1" >"$T/plan1"
plan "$T/p2" >"$T/plan2"
check "the seed's schedule has 4 events" test "$(wc -l <"$T/plan1")" -eq 4
check "the same seed, the same schedule" cmp -s "$T/plan1" "$T/plan2"
check "seed 2 restarts node 0 twice (the Paxos log)" test "$(grep -c "restart node 0 after [0-9]* ms: began.*restarted at" "$T/p1")" -eq 2
check "and crashes node 2" grep -q "crash node 2: began" "$T/p1"
check "seed 2: linearizable" grep -q "history: linearizable (register" "$T/p1"

# Restarts only: node 0, which has a client, goes down four times; the
# client's operation that fails there is recorded indeterminate, and it
# comes back as a new process.
check "paxos, restarts: linearizable, exit 0" status 0 "$BIN" torture --log paxos \
	--fault-kinds restart --seed 9 --duration 0.5 --history "$T/hr"
check "paxos, restarts: four restarts carried out" test "$(grep -c "restart node 0 after [0-9]* ms: began at [0-9]* ms, 1 client out ([01] with an operation failed, indeterminate), [0-9]* writes completed elsewhere, restarted at [0-9]* ms from entry" "$T/out")" -eq 4
# (0 when the client had not come back yet from the restart before)
check "paxos, restarts: the client's operation failed on the down node" grep -q "1 client out (1 with an operation failed" "$T/out"
check "paxos, restarts: the client's failed operations indeterminate" grep -q "[1-9][0-9]* indeterminate" "$T/out"
check "paxos, restarts: replicore check agrees" status 0 "$BIN" check --level lin --spec register "$T/hr"
check "paxos, restarts, json: exit 0" status 0 "$BIN" torture --log paxos \
	--fault-kinds restart --seed 9 --duration 0.5 --json
check "paxos, restarts, json: the verdict" has '"verdict":"ok"' "$T/out"
check "paxos, restarts, json: a restart with its outage" grep -q '"kind":"restart","node":0,"at_ms":[0-9]*,"len_ms":[0-9]*,"done":true,"began_ms":[0-9]*,"ended_ms":[0-9]*,"clients_out":1,"failed_on_node":1,"restored_at":[0-9]*,"writes_during":[0-9]*' "$T/out"

# Partitions only: a node at a time is cut off from the others for 10-50
# ms while its clients go on; both objects stay linearizable, and the
# map's history passes replicore check too.
for obj in register map; do
	check "paxos, $obj, partitions: linearizable, exit 0" status 0 "$BIN" torture \
		--log paxos --object $obj --fault-kinds partition --seed 4 \
		--duration 0.5 --faults 4 --history "$T/hp"
	check "paxos, $obj, partitions: four carried out" test \
		"$(grep -c "partition node [0-9] for [0-9]* ms: began at [0-9]* ms, cut off from the others" "$T/out")" -eq 4
done
check "paxos, partitions: replicore check agrees" status 0 "$BIN" check --level lin --spec kv "$T/hp"
check "a partition over the shm log exits 2" status 2 "$BIN" torture --log shm --fault-kinds partition

# Reads by the read index (rc_log_read_index) under every fault kind; a
# read on a cut-off node fails after the 5 ms bound (recorded failed).
check "paxos, reads by the read index: linearizable, exit 0" status 0 "$BIN" torture \
	--log paxos --reads index --fault-kinds stall,crash,restart,partition \
	--seed 4 --duration 0.5 --faults 6 --op-timeout 5 --history "$T/hx"
check "paxos, reads by the read index: said so" has ", reads by the read index" "$T/out"
check "paxos, reads by the read index: the verdict" has "history: linearizable (register, " "$T/out"
check "paxos, reads by the read index: replicore check agrees" status 0 "$BIN" check --level lin --spec register "$T/hx"
check "paxos, map, reads by the read index, json: exit 0" status 0 "$BIN" torture \
	--log paxos --object map --reads index --fault-kinds partition --seed 5 \
	--duration 0.3 --json
check "paxos, map, reads by the read index, json: the mode" has '"read_mode":"index"' "$T/out"
check "paxos, map, reads by the read index, json: the verdict" has '"verdict":"ok"' "$T/out"
check "reads by the read index over the shm log exit 2" status 2 "$BIN" torture --log shm --reads index
check "saying they need paxos" has "reads by the read index need --log paxos" "$T/err"
check "an unknown read mode exits 2" status 2 "$BIN" torture --reads frob
check "naming it" has "--reads: 'frob' is not a read mode (tail, index)" "$T/err"

# Membership changes: on 4 NUMA nodes the Paxos members start as
# {0,1,2} with node 3 the spare, and each fault swaps a member for the
# spare (rc_log_paxos_reconfigure) while the clients go on; both objects
# stay linearizable, the schedule is the seed's, and every change is in
# the HTML page's marks.
check "torture --help, again" status 0 "$BIN" torture --help
check "it describes the member fault" has "member N out, S in" "$T/out"
check "member over the shm log exits 2" status 2 "$BIN" torture --log shm --fault-kinds member
check "member on 2 nodes exits 2" status 2 "$BIN" torture --log paxos --fault-kinds member --synthetic "numa:2 core:1 pu:1"
check "saying why" has "member needs a layout of 3 NUMA nodes or more" "$T/err"
mplan() { sed -n 's/^    at *\([0-9]*\) ms  \(member node [0-9]* out, node [0-9]* in\).*/\1 \2/p' "$1"; }
for obj in register map; do
	spec=register
	[ $obj = map ] && spec=kv
	check "paxos, $obj, member: linearizable, exit 0" status 0 "$BIN" torture \
		--log paxos --object $obj --fault-kinds member --synthetic "numa:4 core:1 pu:1" \
		--seed 5 --faults 4 --duration 0.5 --history "$T/hm" --html "$T/m.html"
	cp "$T/out" "$T/m-$obj"
	check "paxos, $obj, member: the members at the start" has "paxos members {0,1,2} at the start, node 3 the spare" "$T/out"
	check "paxos, $obj, member: four changes carried out" test \
		"$(grep -c "member node [0-9] out, node [0-9] in: began at [0-9]* ms at node [0-9], members {[0-9,]*}, delivered there at [0-9]* ms" "$T/out")" -eq 4
	check "paxos, $obj, member: the last set" has "member node 0 out, node 2 in: began at" "$T/out"
	check "paxos, $obj, member: in the HTML page's marks" test "$(grep -c '^<tr><td>member node [0-9] out, [0-9] in</td>' "$T/m.html")" -eq 4
	check "paxos, $obj, member: replicore check agrees" status 0 "$BIN" check --level lin --spec $spec "$T/hm"
done
mplan "$T/m-register" >"$T/mplan1"
mplan "$T/m-map" >"$T/mplan2"
check "member: the seed's schedule, 4 changes" test "$(wc -l <"$T/mplan1")" -eq 4
check "member: the same seed, the same changes" cmp -s "$T/mplan1" "$T/mplan2"
check "member, json: the sets" status 0 "$BIN" torture --log paxos --fault-kinds member \
	--synthetic "numa:4 core:1 pu:1" --seed 5 --faults 1 --duration 0.3 --json
check "member, json: the change" grep -q '"kind":"member","node":1,.*"done":true,.*"node_in":3,"at_node":3,"members":\[0,2,3\]' "$T/out"
# With the other kinds on 5 nodes: members {0,1,2,3}, node 4 the spare,
# at most one node down at once.
check "paxos, member with every kind, 5 nodes: linearizable, exit 0" status 0 "$BIN" torture \
	--log paxos --object map --fault-kinds member,stall,crash,restart,partition \
	--synthetic "numa:5 core:1 pu:1" --seed 3 --faults 10 --duration 1
check "paxos, member with every kind: changes carried out" grep -q "member node [0-9] out, node [0-9] in: began" "$T/out"
check "paxos, member with every kind: a restart too" grep -q "restart node [0-9] after [0-9]* ms: began.*restarted at" "$T/out"

# Both logs, both objects, 1 s each, seed 2: with shm four stalls, two
# of nodes with a client; with paxos all three kinds: node 0 (a client's)
# restarts twice, node 2 crashes, node 1 stalls. The long runs and more
# seeds are in tests/regression/test_torture_long.sh (make regtest).
for log in shm paxos; do
	for obj in register map; do
		what="$log, $obj, seed 2"
		spec=register
		[ $obj = map ] && spec=kv
		check "$what: linearizable, exit 0" status 0 "$BIN" torture --log $log \
			--object $obj --seed 2 --duration 1 --history "$T/h"
		check "$what: the verdict" has "history: linearizable ($spec, " "$T/out"
		if [ $obj = map ]; then # gets and puts of five keys, checked key by key
			check "$what: a witness per key" has "witnesses: one per key (5 keys)" "$T/out"
			check "$what: 5 keys in the history" test "$(awk '$4 == "put" { print $5 }' "$T/h" | sort -u | wc -l)" -eq 5
		fi
		check "$what: a client paused for a stall" grep -q "stall node [0-9]* for [0-9]* ms: began at [0-9]* ms, 1 client paused" "$T/out"
		if [ $log = paxos ]; then
			check "$what: node 0 restarted twice" test "$(grep -c "restart node 0 after [0-9]* ms: began at [0-9]* ms, 1 client out (.*), [0-9]* writes completed elsewhere, restarted at [0-9]* ms from entry [0-9]*" "$T/out")" -eq 2
			check "$what: node 2 crashed" grep -q "crash node 2: began" "$T/out"
		fi
		check "$what: the run recorded operations" grep -q "ran [0-9.]* s: [1-9][0-9]* reads, [1-9][0-9]* writes" "$T/out"
		check "$what: replicore check agrees on the history" status 0 "$BIN" check --level lin --spec $spec "$T/h"
	done
done

# A bound shorter than a stall, an election or a commit under load (a run
# here gave 6-16 indeterminate writes, 8-16 under ThreadSanitizer, where a
# 20 ms bound once gave none): with the Paxos log some
# writes time out, are recorded indeterminate, and their clients go on as
# new processes; the history stays linearizable.
check "paxos, 1 ms bound: linearizable, exit 0" status 0 "$BIN" torture --log paxos \
	--seed 1 --faults 8 --op-timeout 1 --history "$T/hi"
check "paxos, 1 ms bound: some writes indeterminate" grep -q "[1-9][0-9]* indeterminate" "$T/out"
check "paxos, 1 ms bound: replicore check agrees" status 0 "$BIN" check --level lin --spec register "$T/hi"
check "a bad --op-timeout exits 2" status 2 "$BIN" torture --op-timeout 0


# The broken variant: reads skip the catch-up, so the first read on a node
# after its stall misses the writes other nodes completed meanwhile.
for log in shm paxos; do
	check "$log, broken local reads: exit 1" status 1 "$BIN" torture --log $log \
		--broken local-reads --seed 1 --duration 0.5 --rate 1000 --json \
		--html "$T/b.html"
	check "$log, broken: the verdict" has '"verdict":"violation"' "$T/out"
	check "$log, broken: the operations that cannot come next" has '"blocked":["#' "$T/out"
	check "$log, broken: the HTML page" grep -q "<svg" "$T/b.html"
	# (the page draws 1,500 operations around the violation; at 1,000
	# operations a second per client the whole history fits, so every
	# fault carried out is on the time line, whatever the machine's speed)
	check "$log, broken: a fault marked on its time line" grep -q '<rect class="mk" .*<title>[a-z]* node [0-9]*: from [0-9]* to [0-9a-z ]*</title>' "$T/b.html"
	check "$log, broken: and labelled" grep -q '<text class="m" [^>]*>[a-z]* node [0-9]*</text>' "$T/b.html"
	check "$log, broken: every fault done in the table of marks" test "$(grep -c '^<tr><td>[a-z]* node [0-9]*</td>' "$T/b.html")" -eq "$(grep -o '"done":true' "$T/out" | wc -l)"
done
for log in shm paxos; do
	check "$log, map, broken local reads: exit 1" status 1 "$BIN" torture --log $log \
		--object map --broken local-reads --seed 1 --duration 0.5 --json
	check "$log, map, broken: the verdict" has '"verdict":"violation"' "$T/out"
	check "$log, map, broken: the key" grep -q '"key":"[1-5]","prefix_tail"' "$T/out"
done
check "broken, text: a violation printed" status 1 "$BIN" torture --broken local-reads --seed 2 --duration 0.3
check "NOT linearizable" has "history: NOT linearizable (register" "$T/out"
check "with the prefix's end" has "longest linearizable prefix" "$T/out"
check "and the read that cannot come next" grep -A1 -F "cannot come next:" "$T/out"
check "the schedule is printed too" grep -q "stall node [0-9]* for" "$T/out"
done_testing
