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

# The drawing: one record per text (group, class, x, y, width, content) and
# one per operation's rectangle (group, x, y, width, height).
sed -n '/<svg/,/<\/svg>/p' "$page" >"$T/svg"
awk '
function attr(s, a) {
	if (!match(s, " " a "=\"[^\"]*\""))
		return "";
	s = substr(s, RSTART + length(a) + 3, RLENGTH - length(a) - 4);
	return s;
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
}' "$T/svg" >"$T/recs"
tab=$(printf '\t')
grep "^T$tab" "$T/recs" >"$T/texts"
grep "^R$tab" "$T/recs" >"$T/rects"

check "the drawing has one box per operation (83)" \
	test "$(wc -l <"$T/rects")" -eq 83
check "every text carries its position and width" \
	awk -F'\t' '$4 == "" || $5 == "" || $6 == "" || $6 <= 0 { bad = 1 }
		END { exit bad }' "$T/texts"

# Labels as the log gives them: "write 1 -> ok", "cas 2 4 -> fail"
# (Jepsen's :fail), "read -> ?" (a read that failed or never answered).
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
}' "$log" | LC_ALL=C sort >"$T/want"
awk -F'\t' '$3 == "l" { l[$2] = $7 } $3 == "r" { r[$2] = $7 }
	END { for (g in l) print l[g] " " r[g] }' "$T/texts" |
	LC_ALL=C sort >"$T/got"
check "the log has 83 operations" test "$(wc -l <"$T/want")" -eq 83
check "every operation of the log has its label on the page" \
	cmp -s "$T/want" "$T/got"
check "a failed cas is labelled -> fail, nothing reads error" \
	sh -c "grep -q '^cas [0-9]* [0-9]* -> fail\$' '$T/got' &&
		! grep -q error '$T/got'"

# No two texts overlap: boxes [x, x + width] x [y - 9, y + 3].
check "no two texts of the drawing overlap" awk -F'\t' '
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
	}' "$T/texts"
check "each label lies inside its operation's box" awk -F'\t' '
	$1 == "R" { rx[$2] = $3; ry[$2] = $4; rw[$2] = $5; rh[$2] = $6; next }
	$3 == "l" || $3 == "r" {
		g = $2;
		if (!(g in rx) || $4 < rx[g] || $4 + $6 > rx[g] + rw[g] ||
		    $5 - 9 < ry[g] || $5 + 3 > ry[g] + rh[g])
			bad = 1;
	}
	END { exit bad }' "$T/rects" "$T/texts"

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
done_testing
