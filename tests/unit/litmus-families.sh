#!/bin/sh
# SPDX-License-Identifier: MIT
# litmus-families.sh: writes a litmus test of a parametric family to stdout.
# Usage: litmus-families.sh FAMILY K ARCH   (ARCH: x86 or c)
#   sb K    SB with K stores per thread: P0 stores 1..K to x then loads y,
#           P1 the same with y and x; exists (0:r=0 /\ 1:r=0).
#   alt K   two threads, each K times: a store to its own location, then a
#           load of the other's; exists (every load reads 0).
#   ring K  K threads, thread i stores 1 to x<i> then loads x<i+1 mod K>;
#           exists (every load reads 0).
#   mp K    message passing after K data: P0 stores 1 to d0 .. d<K-1>,
#           then to flag (release in C); P1 loads flag (acquire in C),
#           then d0; exists (1:flag read 1 /\ 1:d0 read 0). 2K+4 events.
set -e
fam=$1
k=$2
arch=$3
if [ "$fam" = mp ]; then
	if [ "$arch" = x86 ]; then
		printf 'X86 mp%d\n{\n}\n P0 | P1 ;\n' "$k"
		awk -v k="$k" 'BEGIN {
			for (i = 0; i <= k; i++) {
				if (i < k)
					a = sprintf("MOV [d%d],$1", i)
				else
					a = "MOV [flag],$1"
				b = i == 0 ? "MOV EAX,[flag]" : i == 1 ? "MOV EBX,[d0]" : ""
				printf " %s | %s ;\n", a, b
			}
		}'
		printf 'exists (1:EAX=1 /\\ 1:EBX=0)\n'
	else
		printf 'C mp%d\n{ }\n\n' "$k"
		awk -v k="$k" 'BEGIN {
			printf "P0 ("
			for (i = 0; i < k; i++)
				printf "atomic_int* d%d, ", i
			printf "atomic_int* flag) {\n"
			for (i = 0; i < k; i++)
				printf "  atomic_store_explicit(d%d, 1, memory_order_relaxed);\n", i
			printf "  atomic_store_explicit(flag, 1, memory_order_release);\n}\n\n"
			printf "P1 (atomic_int* flag, atomic_int* d0) {\n"
			printf "  int r0 = atomic_load_explicit(flag, memory_order_acquire);\n"
			printf "  int r1 = atomic_load_explicit(d0, memory_order_relaxed);\n}\n\n"
		}'
		printf 'exists (1:r0=1 /\\ 1:r1=0)\n'
	fi
	exit 0
fi
if [ "$fam" = ring ]; then
	if [ "$arch" = x86 ]; then
		printf 'X86 ring%d\n{\n}\n' "$k"
	else
		printf 'C ring%d\n{ }\n\n' "$k"
	fi
	hdr= st= ld= cond= i=0
	while [ "$i" -lt "$k" ]; do
		j=$(((i + 1) % k))
		sep=
		[ "$i" -gt 0 ] && sep='|'
		[ "$i" -gt 0 ] && cond="$cond /\\ "
		if [ "$arch" = x86 ]; then
			hdr="$hdr$sep P$i"
			st="$st$sep MOV [x$i],\$1"
			ld="$ld$sep MOV EAX,[x$j]"
			cond="${cond}$i:EAX=0"
		else
			printf 'P%d (atomic_int* x%d, atomic_int* x%d) {\n' "$i" "$i" "$j"
			printf '  atomic_store_explicit(x%d, 1, memory_order_relaxed);\n' "$i"
			printf '  int r0 = atomic_load_explicit(x%d, memory_order_relaxed);\n}\n\n' "$j"
			cond="${cond}$i:r0=0"
		fi
		i=$((i + 1))
	done
	[ "$arch" = x86 ] && printf '%s ;\n%s ;\n%s ;\n' "$hdr" "$st" "$ld"
	printf 'exists (%s)\n' "$cond"
	exit 0
fi
regs="EAX EBX ECX EDX ESI EDI"
reg() { # reg I: the I-th register (from 1)
	if [ "$arch" = x86 ]; then
		echo "$regs" | cut -d ' ' -f "$1" | tr -d '\n'
	else
		printf 'r%d' "$(($1 - 1))"
	fi
}
# thread P OWN OTHER: the code of one thread
thread() {
	p=$1 own=$2 other=$3
	i=1
	while [ "$i" -le "$k" ]; do
		if [ "$arch" = x86 ]; then
			printf 'MOV [%s],$%d\n' "$own" "$i"
		else
			printf '  atomic_store_explicit(%s, %d, memory_order_relaxed);\n' "$own" "$i"
		fi
		if [ "$fam" = alt ] || [ "$i" -eq "$k" ]; then
			n=$i
			[ "$fam" = sb ] && n=1
			if [ "$arch" = x86 ]; then
				printf 'MOV %s,[%s]\n' "$(reg "$n")" "$other"
			else
				printf '  int %s = atomic_load_explicit(%s, memory_order_relaxed);\n' "$(reg "$n")" "$other"
			fi
		fi
		i=$((i + 1))
	done
}
nloads=$k
[ "$fam" = sb ] && nloads=1
cond=
i=1
while [ "$i" -le "$nloads" ]; do
	for p in 0 1; do
		[ -n "$cond" ] && cond="$cond /\\ "
		cond="$cond$p:$(reg "$i")=0"
	done
	i=$((i + 1))
done
name="$fam$k"
if [ "$arch" = x86 ]; then
	printf 'X86 %s\n{\n}\n' "$name"
	thread 0 x y >"${TMPDIR:-/tmp}/fam.$$.0"
	thread 1 y x >"${TMPDIR:-/tmp}/fam.$$.1"
	printf ' P0 | P1 ;\n'
	paste -d '|' "${TMPDIR:-/tmp}/fam.$$.0" "${TMPDIR:-/tmp}/fam.$$.1" | sed 's/$/ ;/'
	rm -f "${TMPDIR:-/tmp}/fam.$$.0" "${TMPDIR:-/tmp}/fam.$$.1"
else
	printf 'C %s\n{ [x] = 0; [y] = 0; }\n\n' "$name"
	printf 'P0 (atomic_int* x, atomic_int* y) {\n'
	thread 0 x y
	printf '}\n\nP1 (atomic_int* x, atomic_int* y) {\n'
	thread 1 y x
	printf '}\n\n'
fi
printf 'exists (%s)\n' "$cond"
