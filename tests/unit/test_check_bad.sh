#!/bin/sh
# SPDX-License-Identifier: MIT
# test_check_bad.sh: bad histories give FILE:LINE:COL errors and exit 2; verdict exit statuses; JSON and HTML output.
set -u
n=0
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rc-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
out=$tmp/out

# expect STATUS PATTERN DESCRIPTION -- ARGS...
expect() {
	want=$1 pat=$2 desc=$3
	shift 4
	n=$((n + 1))
	"$RC_BIN" check "$@" >"$out" 2>"$out.err"
	got=$?
	if [ "$got" -eq "$want" ] && cat "$out" "$out.err" | grep -Eq -- "$pat"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc (exit $got, want $want; pattern '$pat')"
		sed 's/^/#   /' "$out" "$out.err" | cut -c1-200 | head -10
		fail=1
	fi
}

: >"$tmp/empty.txt"
printf '\n# only a comment\n\n' >"$tmp/blank.txt"
printf '0 1 5 write 1 -> ok\n1 2 6 read -> 1\n0 7 8 wri' >"$tmp/trunc.txt"
printf '0 1 5 write 1 -> ok\n1 2 6 frobnicate 3 -> ok\n' >"$tmp/unknown.txt"
printf 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:write\t3\n' >"$tmp/noinv.log"
printf '{:process 0, :type :ok, :f :get, :key "a", :value "x"}\n' >"$tmp/noinv.edn"
printf '{:process 0, :type :invoke, :f :get, :key "a", :value nil}\n{:process 0, :type :ok, :f :get, :key "a"' >"$tmp/trunc.edn"
printf 'INFO  jepsen.util - 0\t:invoke\t:frob\t1\n' >"$tmp/unknown.log"
printf '0 5 1 write 1 -> ok\n' >"$tmp/backwards.txt"
printf '0 1 5 write 1 -> ok\n1 2 6 read -> 1\n' >"$tmp/ok.txt"
printf '0 1 2 write 1 -> ok\n0 3 4 write 2 -> ok\n1 5 6 read -> 1\n' >"$tmp/bad.txt"
printf '0 1 2 write 1 -> ok\n0 3 4 write 2 -> ok\n1 5 6 read -> 2\n1 7 8 read -> 1\n' >"$tmp/cc.txt"
printf '0 1 ? write 1 -> ?\n1 3 4 read -> 1\n1 5 6 read -> nil\n' >"$tmp/indet.txt"

expect 0 'note: empty history: trivially consistent' \
	"an empty file is a consistent history, with a note" -- "$tmp/empty.txt"
expect 0 'blank.txt: linearizable .*0 ops' \
	"a file of comments is an empty history" -- "$tmp/blank.txt"
expect 0 '"note":"empty history: trivially consistent".*"verdict":"ok"' \
	"--json of an empty history gives the note" -- --json "$tmp/empty.txt"
expect 0 'sequentially consistent' "an empty history at sc" -- --level sc \
	"$tmp/empty.txt"
expect 0 'causally convergent' "an empty history at ccv" -- --level ccv \
	"$tmp/empty.txt"
expect 0 'linearizable' "an empty kv history" -- --spec kv "$tmp/empty.txt"
expect 2 "trunc.txt:3:7: error: expected an operation .*got 'wri'" \
	"a truncated line names line and column" -- "$tmp/trunc.txt"
expect 2 "unknown.txt:2:7: error: expected an operation .*got 'frobnicate'" \
	"an unknown operation names line and column" -- "$tmp/unknown.txt"
expect 2 'noinv.log:2:[0-9]+: error: a response with no invocation' \
	"a Jepsen log response with no invocation" -- "$tmp/noinv.log"
expect 2 'noinv.edn:1:1: error: a response with no invocation' \
	"an EDN response with no invocation" -- "$tmp/noinv.edn"
expect 2 'trunc.edn:2:[0-9]+: error: expected' \
	"a truncated EDN map" -- "$tmp/trunc.edn"
expect 2 "unknown.log:1:[0-9]+: error: expected an operation .*got ':frob'" \
	"an unknown Jepsen operation" -- "$tmp/unknown.log"
expect 2 'backwards.txt:1:5: error: expected a response time not before' \
	"a response before its invocation" -- "$tmp/backwards.txt"
expect 2 'nosuch.txt: error: cannot open' \
	"a missing file" -- "$tmp/nosuch.txt"
expect 2 "unknown spec 'tree'" "an unknown spec" -- --spec tree "$tmp/ok.txt"
expect 2 "unknown level 'strict'" "an unknown level" -- --level strict "$tmp/ok.txt"
expect 2 "not one of the queue spec's" "operations outside the spec" -- \
	--spec queue "$tmp/ok.txt"
expect 2 "max-memory" "--max-memory takes MiB, 1 or more" -- \
	--max-memory 0 "$tmp/ok.txt"
expect 2 "max-memory" "--max-memory takes a number" -- \
	--max-memory lots "$tmp/ok.txt"
expect 0 'linearizable' "a linearizable history exits 0" -- "$tmp/ok.txt"
expect 1 'NOT linearizable' "a violation exits 1" -- "$tmp/bad.txt"
expect 1 'cannot come next' "the failure names what cannot come next" -- "$tmp/bad.txt"
expect 0 'sequentially consistent' "sc of a stale read" -- --level sc "$tmp/bad.txt"
expect 1 'NOT linearizable' "an indeterminate write cannot be undone" -- "$tmp/indet.txt"
expect 0 '"verdict":"ok"' "--json gives the verdict" -- --json "$tmp/ok.txt"
expect 0 '"file":.*"spec":"register".*"level":"lin".*"ops":2.*"seconds"' \
	"--json has file, spec, level, ops, seconds" -- --json "$tmp/ok.txt"
expect 1 '"witness":\{"kind":"prefix"' "--json gives the failure witness" -- \
	--json "$tmp/bad.txt"
expect 0 '"keys":\[' "--json of kv gives one object per key" -- --json \
	"$RC_SHARED/corpus/histories/jepsen-kv-c01-ok.edn"

# "seconds" once per JSON object: the whole check's, and each key's.
n=$((n + 1))
"$RC_BIN" check --json "$tmp/ok.txt" >"$out" 2>&1
s1=$(grep -o '"seconds"' "$out" | wc -l)
"$RC_BIN" check --json "$RC_SHARED/corpus/histories/jepsen-kv-c01-ok.edn" >"$out" 2>&1
s2=$(grep -o '"seconds"' "$out" | wc -l)
# the objects with "seconds": the whole check and each key
k2=$(grep -o '"verdict"' "$out" | wc -l)
if [ "$s1" -eq 1 ] && [ "$s2" -eq "$k2" ]; then
	echo "ok $n - --json has \"seconds\" once per object"
else
	echo "not ok $n - --json has \"seconds\" once per object ($s1 in one part; $s2 for $k2 objects with a verdict)"
	fail=1
fi

# kv: by default the check stops at the first violating key in file order;
# --all-keys checks every key. Two keys, both violating: "b" comes first.
cat >"$tmp/twokeys.txt" <<'EOT'
0 1 2 put "b" 1 -> ok
1 3 4 get "b" -> 2
0 5 6 put "a" 1 -> ok
1 7 8 get "a" -> 2
0 9 10 put "c" 1 -> ok
EOT
expect 1 'stopped at the first violating key in file order, key 1 of 3' \
	"kv: the check stops at the first violating key" -- "$tmp/twokeys.txt"
expect 1 '"keys_total":3,"keys":\[\{"key":"b","verdict":"violation"' \
	"kv: --json reports the first violating key only" -- --json \
	"$tmp/twokeys.txt"
n=$((n + 1))
"$RC_BIN" check --json "$tmp/twokeys.txt" >"$out" 2>&1
if [ "$(grep -o '"verdict"' "$out" | wc -l)" -eq 2 ]; then
	echo "ok $n - kv: keys after the first violating one are not reported"
else
	echo "not ok $n - kv: keys after the first violating one are not reported"
	sed 's/^/#   /' "$out" | cut -c1-200
	fail=1
fi
expect 1 'key "a": violation' "--all-keys checks every key" -- --all-keys \
	"$tmp/twokeys.txt"
n=$((n + 1))
"$RC_BIN" check --all-keys --json "$tmp/twokeys.txt" >"$out" 2>&1
if [ "$(grep -o '"verdict"' "$out" | wc -l)" -eq 4 ] &&
	grep -q '"key":"c","verdict":"ok"' "$out"; then
	echo "ok $n - --all-keys --json gives every key's verdict"
else
	echo "not ok $n - --all-keys --json gives every key's verdict"
	sed 's/^/#   /' "$out" | cut -c1-200
	fail=1
fi
expect 0 'causally consistent' "a stale read is causally consistent" -- \
	--level cc "$tmp/bad.txt"
expect 1 'WriteCORead' "a causal violation names its pattern" -- --level cc \
	"$tmp/cc.txt"
expect 0 'SYNOPSIS' "--help" -- --help

# A budget that runs out: verdict unknown, exit 3.
"$RC_BIN" bench check --write 20000 "$tmp/big.txt" >/dev/null 2>&1
expect 3 'unknown' "--timeout 0.000001 gives unknown, exit 3" -- \
	--timeout 0.000001 --level sc "$tmp/big.txt"

# HTML: produced, self-contained, the operations in it, tags balanced.
n=$((n + 1))
"$RC_BIN" check --html "$tmp/page.html" "$tmp/bad.txt" >/dev/null 2>&1
if [ -s "$tmp/page.html" ] && grep -q 'read' "$tmp/page.html" &&
	grep -q 'Cannot come next' "$tmp/page.html" &&
	! grep -Eq '(src|href)=|<link|<script src|@import' "$tmp/page.html"; then
	echo "ok $n - --html writes a self-contained page with the failure"
else
	echo "not ok $n - --html page"
	fail=1
fi
n=$((n + 1))
balanced=yes
for tag in html head body svg table tr td th g title p h1 h2 style b text; do
	o=$(grep -o "<$tag[ >]" "$tmp/page.html" | wc -l)
	c=$(grep -o "</$tag>" "$tmp/page.html" | wc -l)
	[ "$o" -eq "$c" ] || balanced="no: $tag $o open, $c closed"
done
if [ "$balanced" = yes ]; then
	echo "ok $n - the page's tags are balanced"
else
	echo "not ok $n - the page's tags are balanced ($balanced)"
	fail=1
fi
n=$((n + 1))
"$RC_BIN" check --html "$tmp/ok.html" \
	"$RC_SHARED/corpus/histories/jepsen-etcd/etcd_002.log" >/dev/null 2>&1
if grep -q 'Witness order' "$tmp/ok.html" && grep -q '</html>' "$tmp/ok.html"; then
	echo "ok $n - a passing history's page shows the witness order"
else
	echo "not ok $n - a passing history's page shows the witness order"
	fail=1
fi
echo "1..$n"
exit $fail
