#!/bin/sh
# SPDX-License-Identifier: MIT
# test_check_html.sh: the HTML page of a violating Jepsen etcd history labels every operation, no two texts overlapping.
#
# The page is read with sed and awk only. Every text of the drawing carries
# its width (textLength); its height is taken as the 11px font's: from 9px
# above the baseline to 3px below. The labels expected are derived from the
# Jepsen log itself, independently of the checker's parser.
set -u
TAP_NAME=check-html
. "${RC_SRCDIR:-.}/tests/tap.sh"
H=${RC_SHARED:-../shared}/corpus/histories
name=jepsen-etcd/etcd_040.log
log=$H/$name
page=$T/page.html

# The history is the violating one the reference says it is.
check "VERDICTS.tsv has $name not linearizable" \
	grep -q "^$name	cas-register	false\$" "$H/VERDICTS.tsv"
check "check --html exits 1 (violation) and writes the page" \
	status 1 "$BIN" check "$log" --html "$page"
"$BIN" check "$log" >"$T/text" 2>&1

# recs PAGE DIR: the drawing of PAGE as DIR/svg, with one record per text
# (svg line, class, x, y, width, content) in DIR/texts and one per
# operation's rectangle (svg line, x, y, width, height) in DIR/rects.
recs() {
	sed -n '/<svg/,/<\/svg>/p' "$1" >"$2/svg"
	awk '
	function attr(s, a) {
		if (!match(s, " " a "=\"[^\"]*\""))
			return "";
		return substr(s, RSTART + length(a) + 3, RLENGTH - length(a) - 4);
	}
	{
		s = $0;
		while (match(s, /<text [^>]*>[^<]*<\/text>/)) {
			t = substr(s, RSTART, RLENGTH);
			s = substr(s, RSTART + RLENGTH);
			body = t;
			sub(/^<text [^>]*>/, "", body);
			sub(/<\/text>$/, "", body);
			gsub(/&lt;/, "<", body);
			gsub(/&gt;/, ">", body);
			gsub(/&quot;/, "\"", body);
			gsub(/&amp;/, "\\&", body);
			printf "T\t%d\t%s\t%s\t%s\t%s\t%s\n", NR, attr(t, "class"),
				attr(t, "x"), attr(t, "y"), attr(t, "textLength"), body;
		}
		if ($0 ~ /^<g class="op/ && match($0, /<rect [^>]*>/)) {
			t = substr($0, RSTART, RLENGTH);
			printf "R\t%d\t%s\t%s\t%s\t%s\n", NR, attr(t, "x"),
				attr(t, "y"), attr(t, "width"), attr(t, "height");
		}
	}' "$2/svg" >"$2/recs"
	grep "^T	" "$2/recs" >"$2/texts"
	grep "^R	" "$2/recs" >"$2/rects"
}

# want LOG: the labels of a Jepsen log's operations as the log gives them,
# sorted: "write 1 -> ok", "cas 2 4 -> fail" (Jepsen's :fail), "read -> ?"
# (a read that failed or never answered).
want() {
	awk -F'\t' '
	function args(f, v) {
		if (f == "read")
			return "";
		gsub(/[][]/, "", v);
		return " " v;
	}
	{
		np = split($1, a, " ");
		p = a[np];
		f = substr($3, 2);
		if ($2 == ":invoke") {
			pf[p] = f;
			pv[p] = $4;
			next;
		}
		if ($2 == ":ok")
			res = f == "read" ? $4 : f == "cas" ? "true" : "ok";
		else if ($2 == ":fail")
			res = f == "read" ? "?" : "fail";
		else
			res = "?";
		print pf[p] args(pf[p], pv[p]) " -> " res;
		delete pf[p];
	}
	END {
		for (p in pf)
			print pf[p] args(pf[p], pv[p]) " -> ?";
	}' "$1" | LC_ALL=C sort
}

# got DIR: the labels on the page, two lines joined, sorted.
got() {
	awk -F'\t' '$3 == "l" { l[$2] = $7 } $3 == "r" { r[$2] = $7 }
		END { for (g in l) print l[g] " " r[g] }' "$1/texts" |
		LC_ALL=C sort
}

# disjoint TEXTS: no two texts overlap, boxes [x, x + width] x [y - 9, y + 3].
disjoint() {
	awk -F'\t' '
	{ x0[NR] = $4; x1[NR] = $4 + $6; y0[NR] = $5 - 9; y1[NR] = $5 + 3;
	  s[NR] = $7 }
	END {
		for (i = 1; i <= NR; i++)
			for (j = i + 1; j <= NR; j++)
				if (x0[i] < x1[j] && x0[j] < x1[i] &&
				    y0[i] < y1[j] && y0[j] < y1[i]) {
					print "overlap: " s[i] " / " s[j] >"/dev/stderr";
					bad = 1;
				}
		exit bad;
	}' "$1"
}

# inside DIR: each label lies inside its operation's box.
inside() {
	awk -F'\t' '
	$1 == "R" { rx[$2] = $3; ry[$2] = $4; rw[$2] = $5; rh[$2] = $6; next }
	$3 == "l" || $3 == "r" {
		g = $2;
		if (!(g in rx) || $4 < rx[g] || $4 + $6 > rx[g] + rw[g] ||
		    $5 - 9 < ry[g] || $5 + 3 > ry[g] + rh[g])
			bad = 1;
	}
	END { exit bad }' "$1/rects" "$1/texts"
}

recs "$page" "$T"
check "the drawing has one box per operation (83)" \
	test "$(wc -l <"$T/rects")" -eq 83
check "every text carries its position and width" \
	awk -F'\t' '$4 == "" || $5 == "" || $6 == "" || $6 <= 0 { bad = 1 }
		END { exit bad }' "$T/texts"

want "$log" >"$T/want"
got "$T" >"$T/got"
check "the log has 83 operations" test "$(wc -l <"$T/want")" -eq 83
check "every operation of the log has its label on the page" \
	cmp -s "$T/want" "$T/got"
check "a failed cas is labelled -> fail, nothing reads error" \
	sh -c "grep -q '^cas [0-9]* [0-9]* -> fail\$' '$T/got' &&
		! grep -q error '$T/got'"

check "no two texts of the drawing overlap" disjoint "$T/texts"
check "each label lies inside its operation's box" inside "$T"

# The operation that cannot come next: labelled, marked, the first error.
blocked=$(sed -n '/cannot come next:/{n;p;}' "$T/text" | sed 's/^.*] //')
check "the text report names the operation that cannot come next" \
	test "$blocked" = "read -> 4"
gline=$(grep -n '<g class="op b" id="err"' "$T/svg" | cut -d: -f1)
check "it is drawn marked as the first error, labelled, tagged" awk -F'\t' \
	-v g="${gline:-0}" -v want="$blocked" '
	$2 == g && $3 == "l" { l = $7 } $2 == g && $3 == "r" { r = $7 }
	$2 == g && $3 == "t" && $7 == "cannot come next" { t = 1 }
	END { exit !(t && l " " r == want) }' "$T/texts"

# Linearization points: one per operation of the longest prefix.
plen=$(sed -n 's/.*longest linearizable prefix: \([0-9]*\) ops.*/\1/p' "$T/text")
check "one linearization point per operation of the prefix (${plen:-?})" \
	test "$(grep -o '<circle' "$T/svg" | wc -l)" -eq "${plen:-0}"
check "each point carries the state after it" \
	test "$(grep -c 'state after it: ' "$T/svg")" -eq "${plen:-0}"
check "the page has the jump to the first error" \
	has 'id="jump"' "$page"
check "the page is self-contained" \
	sh -c "! grep -Eq '(src|href)=|<link|@import|url\\(' '$page'"

# The same for every etcd history of the corpus: all labels, no overlap.
mkdir "$T/all"
bad=
for f in "$H"/jepsen-etcd/*.log; do
	"$BIN" check "$f" --html "$T/all/page.html" >/dev/null 2>&1
	recs "$T/all/page.html" "$T/all"
	want "$f" >"$T/all/want"
	got "$T/all" >"$T/all/got"
	if ! cmp -s "$T/all/want" "$T/all/got" ||
		! disjoint "$T/all/texts" || ! inside "$T/all"; then
		bad="$bad ${f##*/}"
	fi
done
check "every etcd history's page labels all its operations, none overlapping${bad:+ (not:$bad)}" \
	test -z "$bad"
done_testing
