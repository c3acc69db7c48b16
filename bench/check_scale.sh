#!/bin/sh
# SPDX-License-Identifier: MIT
# check_scale.sh: `replicore check` wall time and peak memory on
# histories of growing size, linearizable and with one planted violation:
# single-key cas-register histories, then kv histories of many keys.
# Usage: bench/check_scale.sh REPLICORE [SIZES [PROCS [SEED [KV]]]]
# (default sizes 100000,200000,1000000, 8 processes, seed 1, KV
# 50000:500,200000:2000,1000000:10000 as OPS:KEYS; KV "none" skips them).
# The cas-register histories come from `replicore bench check --write`;
# the bad one has the first read after the middle that returns a value
# made to return the next value (mod 5), or the one after when that stays
# linearizable. The kv ones come from bench/gen-kv.sh with 20 clients,
# the bad one with --violation. The load average is printed first and
# last: figures from a busy machine are not the code's.
set -u
bin=$1
sizes=${2:-100000,200000,1000000}
procs=${3:-8}
seed=${4:-1}
kv=${5:-50000:500,200000:2000,1000000:10000}
here=$(dirname "$0")
echo "load $(cut -d ' ' -f 1-3 /proc/loadavg)"
dir=$(mktemp -d "${TMPDIR:-/tmp}/rc-scale.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
run() { # file -> "seconds maxrss_kb exit"
	/usr/bin/time -f '%e %M' -o "$dir/t" "$bin" check \
		--spec cas-register "$1" >/dev/null 2>&1
	rc=$?
	echo "$(tail -1 "$dir/t") $rc"
}
for n in $(echo "$sizes" | tr , ' '); do
	ok="$dir/ok$n"
	"$bin" bench check --write "$n" "$ok" --procs "$procs" --seed "$seed" ||
		exit 2
	set -- $(run "$ok")
	echo "cas-register n=$n procs=$procs ok: $1 s, $2 KB, exit $3"
	skip=0
	while :; do
		awk -v n="$n" -v skip="$skip" '
			!/^#/ { i++ }
			!/^#/ && i > n / 2 && !done && $4 == "read" &&
			    $6 ~ /^[0-9]+$/ {
				if (skip-- <= 0) {
					$6 = ($6 + 1) % 5
					done = 1
				}
			}
			{ print }' "$ok" >"$dir/bad$n"
		set -- $(run "$dir/bad$n")
		[ "$3" -ne 0 ] && break
		skip=$((skip + 1))
	done
	echo "cas-register n=$n procs=$procs bad: $1 s, $2 KB, exit $3"
done
for spec in $(echo "$kv" | tr , ' '); do
	[ "$spec" = none ] && break
	n=${spec%%:*}
	keys=${spec#*:}
	sh "$here/gen-kv.sh" --ops "$n" --keys "$keys" --clients 20 \
		--seed "$seed" >"$dir/kv" || exit 2
	sh "$here/gen-kv.sh" --ops "$n" --keys "$keys" --clients 20 \
		--seed "$seed" --violation >"$dir/kvbad" || exit 2
	for f in kv kvbad; do
		/usr/bin/time -f '%e %M' -o "$dir/t" "$bin" check --spec kv \
			"$dir/$f" >/dev/null 2>&1
		rc=$?
		set -- $(tail -1 "$dir/t")
		echo "kv n=$n keys=$keys $([ $f = kv ] && echo ok || echo bad):" \
			"$1 s, $2 KB, exit $rc"
	done
done
echo "load $(cut -d ' ' -f 1-3 /proc/loadavg)"
