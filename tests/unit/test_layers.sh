#!/bin/sh
# SPDX-License-Identifier: MIT
# test_layers.sh: calls run down the floors only (runtime at the bottom; models, checkers, protocols and the command's helpers above it; litmus above those; benchmarks; the command on top), and no two source files call each other in a circle. Read from the built objects' symbol tables.
set -u
echo "1..4"
B=${RC_BUILDDIR:?}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rc-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# The floor of a folder: a file may call into its own floor or lower ones.
floor() {
	case $1 in
	runtime) echo 1 ;;
	memmodel | checker | protocols | cli) echo 2 ;;
	litmus) echo 3 ;;
	bench) echo 4 ;;
	tools) echo 5 ;;
	*) echo 0 ;;
	esac
}

# The sources of the library and of the command, from the Makefile itself
# (an object left behind by a renamed source is not read).
printf 'rc-print-sources:\n\t@echo LIB $(libreplicore_la_SOURCES)\n\t@echo PROG $(replicore_SOURCES)\n' |
	MAKEFLAGS= MFLAGS= ${MAKE:-make} -s -C "$B" -f Makefile -f - rc-print-sources >"$tmp/srcs" 2>"$tmp/make.err"
objs=0
: >"$tmp/objs"
while read -r kind rest; do
	for s in $rest; do
		case $s in *.c) ;; *) continue ;; esac
		d=${s%/*}
		base=${s##*/}
		base=${base%.c}
		if [ "$kind" = LIB ]; then o="$B/$d/$base.o"; else o="$B/$d/replicore-$base.o"; fi
		[ -f "$o" ] || o="$B/$d/.libs/$base.o"
		if [ -f "$o" ]; then
			echo "$s $o" >>"$tmp/objs"
			objs=$((objs + 1))
		fi
	done
done <"$tmp/srcs"
if [ "$objs" -ge 40 ]; then
	echo "ok 1 - the symbol tables of $objs built objects are read"
else
	echo "not ok 1 - the symbol tables of the built objects are read (found $objs)"
	sed 's/^/#   /' "$tmp/make.err" | head -5
	exit 1
fi

# Defined and undefined external symbols, one "FILE KIND SYMBOL" line each.
while read -r s o; do
	nm -P "$o" 2>/dev/null | awk -v f="$s" '
		$2 == "U" { print f, "U", $1; next }
		$2 ~ /^[TDBRGSVW]$/ { print f, "D", $1 }'
done <"$tmp/objs" >"$tmp/syms"
# Edges FILE -> FILE that defines what FILE uses.
awk '$2 == "D" { def[$3] = $1; next }
     { use[NR] = $1; sym[NR] = $3 }
     END { for (i in use) if (sym[i] in def && def[sym[i]] != use[i])
		print use[i], def[sym[i]], sym[i] }' "$tmp/syms" | sort -u >"$tmp/edges"

bad=0
while read -r from to sym; do
	ff=$(floor "${from%%/*}")
	ft=$(floor "${to%%/*}")
	if [ "$ff" -eq 0 ] || [ "$ft" -eq 0 ] || [ "$ft" -gt "$ff" ]; then
		[ "$bad" -eq 0 ] && echo "# calls that run up a floor (or from a folder without one):"
		echo "#   $from (floor $ff) calls $sym in $to (floor $ft)"
		bad=$((bad + 1))
	fi
done <"$tmp/edges"
if [ "$bad" -eq 0 ]; then
	echo "ok 2 - no call runs up a floor ($(wc -l <"$tmp/edges") file-to-file edges)"
else
	echo "not ok 2 - $bad calls run up a floor"
fi

# tsort orders the files and names any loop it finds on standard error.
awk '{ print $1, $2 }' "$tmp/edges" | sort -u | tsort >/dev/null 2>"$tmp/loops"
if [ -s "$tmp/loops" ]; then
	echo "not ok 3 - no two files call each other in a circle"
	sed 's/^/#   /' "$tmp/loops" | head -20
	bad=$((bad + 1))
else
	echo "ok 3 - no two files call each other in a circle"
fi

# Includes of the project's own folders run down too (examples/ holds
# header-only user code the benchmarks build on: floor 0 is below all).
S=${RC_SRCDIR:?}
inc=0
for d in runtime memmodel checker protocols cli litmus bench tools; do
	[ -d "$S/$d" ] || continue
	fd=$(floor "$d")
	for f in $(find "$S/$d" -name '*.[ch]' | sort); do
		for to in $(sed -n 's/^#include "\([a-z]*\)\/.*/\1/p' "$f"); do
			[ "$to" = examples ] && continue
			ft=$(floor "$to")
			if [ "$ft" -eq 0 ] || [ "$ft" -gt "$fd" ]; then
				echo "#   ${f#"$S"/} (floor $fd) includes $to/ (floor $ft)"
				inc=$((inc + 1))
			fi
		done
	done
done
if [ "$inc" -eq 0 ]; then
	echo "ok 4 - no include runs up a floor"
else
	echo "not ok 4 - $inc includes run up a floor"
	bad=$((bad + inc))
fi
[ "$bad" -eq 0 ]
