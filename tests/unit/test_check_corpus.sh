#!/bin/sh
# SPDX-License-Identifier: MIT
# test_check_corpus.sh: every history of the reference corpus gets the verdict VERDICTS.tsv gives it.
# RC_CORPUS names the folder of $RC_SHARED/corpus (histories), RC_CORPUS_FILES
# how many histories it holds (54).
set -u
dir="$RC_SHARED/corpus/${RC_CORPUS:-histories}"
want_files=${RC_CORPUS_FILES:-54}
if [ ! -f "$dir/VERDICTS.tsv" ]; then
	# The corpus is part of the project: its absence is a failure.
	echo "1..1"
	echo "not ok 1 - the reference corpus is at $dir (configure --with-shared=DIR)"
	exit 1
fi
n=0
fail=0
files=0
out=$(mktemp "${TMPDIR:-/tmp}/rc-corpus.XXXXXX")
trap 'rm -f "$out"' EXIT INT TERM
# Every file of the folder must have a verdict: none is skipped.
for f in "$dir"/*.edn "$dir"/*/*.log; do
	[ -e "$f" ] || continue
	files=$((files + 1))
	rel=${f#"$dir"/}
	if ! grep -q "^$rel	" "$dir/VERDICTS.tsv"; then
		n=$((n + 1))
		echo "not ok $n - $rel has no verdict in VERDICTS.tsv"
		fail=1
	fi
done
tab=$(printf '\t')
while IFS="$tab" read -r file spec lin; do
	[ "$file" = file ] && continue
	n=$((n + 1))
	case $lin in
	true) want=0 ;;
	*) want=1 ;;
	esac
	"$RC_BIN" check --spec "$spec" --json --timeout 60 "$dir/$file" >"$out" 2>&1
	got=$?
	if [ "$got" -eq "$want" ]; then
		echo "ok $n - $file: linearizable $lin"
	else
		echo "not ok $n - $file: exit $got, want $want (linearizable $lin)"
		sed 's/^/#   /' "$out" | cut -c1-300 | head -5
		fail=1
	fi
done <"$dir/VERDICTS.tsv"
n=$((n + 1))
if [ "$files" -eq "$want_files" ]; then
	echo "ok $n - all $want_files files of the corpus checked"
else
	echo "not ok $n - found $files files, want $want_files"
	fail=1
fi
echo "1..$n"
exit $fail
