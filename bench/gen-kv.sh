#!/bin/sh
# SPDX-License-Identifier: MIT
# gen-kv.sh: writes a generated kv history (K keys, C clients, N operations) in replicore's format.
set -eu

usage() {
	cat <<'EOT'
NAME
    gen-kv.sh - write a generated kv history for replicore check

SYNOPSIS
    bench/gen-kv.sh [--ops N] [--keys K] [--clients C] [--seed S]
                    [--violation]

DESCRIPTION
    Simulates C clients sharing a kv store of K keys ("k0" .. "kK-1").
    Time runs in ticks; at each tick one client, chosen at random, moves:
    an idle client invokes an operation on a random key (get 50%, put 40%,
    append 10%, values "cC.I" unique to the client and its I-th operation),
    a client in flight makes its operation take effect on the store, and
    then later responds. Each operation takes effect between its
    invocation and its response, so the history is linearizable.

    With --violation, the first get to respond after half the operations
    returns "never-written", a value no operation writes: the history is
    then not linearizable, at that get's key only.

    The history goes to standard output in replicore's format (see
    replicore-check(1)), one operation per line in order of response.
    The same arguments give the same history (the random numbers are
    Park and Miller's minimal standard generator, seeded with S).

OPTIONS
    --ops N       operations (default 10000)
    --keys K      keys (default 100)
    --clients C   clients (default 10)
    --seed S      seed, 1 to 2147483646 (default 1)
    --violation   plant one wrong read
    -h, --help    print this help

EXAMPLE
    bench/gen-kv.sh --ops 50000 --keys 500 --clients 20 >kv.txt
    replicore check --spec kv kv.txt
EOT
}

ops=10000 keys=100 clients=10 seed=1 viol=0
while [ $# -gt 0 ]; do
	case $1 in
	--ops) ops=${2:?--ops needs N}; shift 2 ;;
	--keys) keys=${2:?--keys needs K}; shift 2 ;;
	--clients) clients=${2:?--clients needs C}; shift 2 ;;
	--seed) seed=${2:?--seed needs S}; shift 2 ;;
	--violation) viol=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "gen-kv.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
	esac
done
for v in "$ops" "$keys" "$clients" "$seed"; do
	case $v in
	'' | *[!0-9]*) echo "gen-kv.sh: expected a positive integer, got '$v'" >&2; exit 2 ;;
	esac
	if [ "$v" -lt 1 ]; then
		echo "gen-kv.sh: expected a positive integer, got '$v'" >&2
		exit 2
	fi
done
if [ "$seed" -ge 2147483647 ]; then
	echo "gen-kv.sh: --seed must be below 2147483647" >&2
	exit 2
fi

exec awk -v nops="$ops" -v nkeys="$keys" -v nclients="$clients" \
	-v seed="$seed" -v viol="$viol" '
function rnd(n) {
	# Park-Miller: products stay below 2^53, exact in awk doubles
	seed = (seed * 16807) % 2147483647
	return seed % n
}
BEGIN {
	print "# replicore-history 1"
	print "# generated: bench/gen-kv.sh --ops " nops " --keys " nkeys \
	    " --clients " nclients " --seed " seed (viol ? " --violation" : "")
	t = 0; started = 0; done = 0; planted = !viol
	while (done < nops) {
		c = rnd(nclients)
		t++
		if (phase[c] == 0) {
			if (started == nops)
				continue
			started++
			call[c] = t
			key[c] = "k" rnd(nkeys)
			r = rnd(10)
			kind[c] = r < 5 ? "get" : r < 9 ? "put" : "append"
			if (kind[c] != "get")
				val[c] = "c" c "." (n[c]++)
			phase[c] = 1
		} else if (phase[c] == 1) {
			k = key[c]
			if (kind[c] == "get")
				res[c] = store[k]
			else if (kind[c] == "put")
				store[k] = val[c]
			else
				store[k] = store[k] val[c]
			phase[c] = 2
		} else {
			k = key[c]
			if (kind[c] == "get") {
				v = res[c]
				if (!planted && done >= nops / 2) {
					v = "never-written"
					planted = 1
				}
				printf "%d %d %d get \"%s\" -> \"%s\"\n", c, call[c], t, k, v
			} else {
				printf "%d %d %d %s \"%s\" \"%s\" -> ok\n", c, call[c], t, kind[c], k, val[c]
			}
			done++
			phase[c] = 0
		}
	}
}'
