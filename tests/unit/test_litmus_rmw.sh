#!/bin/sh
# SPDX-License-Identifier: MIT
# test_litmus_rmw.sh: litmus run --explore --compare on every X86 corpus test with an RMW: the objects equal the models, and herd's sc/x86tso where herd's allow no RMW written co-before its source.
TAP_NAME=litmus-rmw
. "${RC_SRCDIR:-.}/tests/tap.sh"

# The four tests where herd's sc.cat and x86tso.cat allow an RMW whose
# write is coherence-before the write its read reads from.
herd_only="2+2W+po-rmws MP+po+rmw-po R+po-rmw+po S+po-rmws"

files=$(grep -l -i -E '^[^"]*(xchg|lock)' "$C"/x86/*.litmus)
nfiles=0
for f in $files; do
	nfiles=$((nfiles + 1))
	name=$(basename "$f" .litmus)
	for lm in lin:sc sc:sc tso:tso causal:sra; do
		level=${lm%%:*}
		model=${lm#*:}
		check "$name: $level explored equals $model" status 0 \
			"$BIN" litmus run --target "$level" --explore --compare "$model" "$f"
		want=0
		case " $herd_only " in
		*" $name "*) test "$level" = causal || want=1 ;;
		esac
		check "$name: $level explored vs herd's $model: exit $want" status $want \
			"$BIN" litmus run --target "$level" --explore --compare "$model" --herd-compat "$f"
		if [ $want -eq 1 ]; then
			check "$name: $level: herd's $model alone allows a state" has "<- model only" "$T/out"
			check "$name: $level: and the object none of its own" hasnt "<- object only" "$T/out"
		fi
	done
done
# 17 X86 corpus tests have an XCHG or a LOCK'd instruction
check "the corpus has X86 RMW tests ($nfiles)" test "$nfiles" -ge 17
check "all four of herd's differences are among them" test \
	"$(for h in $herd_only; do test -f "$C/x86/$h.litmus" && echo "$h"; done | wc -l)" -eq 4

X=${RC_SRCDIR:-.}/tests/unit/litmus-models/xchg-atomic.litmus
check "xchg-atomic: tso explored equals tso" status 0 "$BIN" litmus run --target tso --explore --compare tso "$X"
check "xchg-atomic: herd's tso allows 1:EBX=1; x=1, no object does" status 1 \
	"$BIN" litmus run --target tso --explore --compare tso --herd-compat "$X"
check "the state herd's tso alone allows" has "1:EBX=1; x=1  -       yes      <- model only" "$T/out"

done_testing
