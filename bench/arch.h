/* SPDX-License-Identifier: MIT */
/* arch.h: the one place the benches depend on the architecture, chosen by compiler macros. */
#ifndef RC_BENCH_ARCH_H
#define RC_BENCH_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <ck_pr.h>

/*
 * RC_ARCH_NAME names the target. RC_ARCH_FENCES(X) lists the fences only
 * this architecture has, as X(id, "label", statement); the fence bench
 * expands it into one timed loop each. _rc_arch_cpu_model() fills buf with
 * the processor's own name for itself where the architecture has an
 * instruction for it (cpuid), else returns false and the caller reads
 * /proc/cpuinfo. No inline assembly: intrinsics and Concurrency Kit only.
 */

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#define RC_ARCH_NAME "x86_64"

/*
 * A locked read-modify-write of a private line: on x86 every LOCK-prefixed
 * instruction is a full barrier (it drains the store buffer), which is why
 * compilers and ck use `lock add` as a cheaper MFENCE. ck_pr_add_32 is one
 * `lock addl`.
 */
static inline void _rc_arch_lock_add(uint32_t *cell)
{
	ck_pr_add_32(cell, 0);
}

#define RC_ARCH_FENCES(X)                                             \
	X(x86_mfence, "x86 MFENCE", _mm_mfence())                     \
	X(x86_lock_add, "x86 LOCK ADD", _rc_arch_lock_add(&lockcell)) \
	X(x86_sfence, "x86 SFENCE", _mm_sfence())                     \
	X(x86_lfence, "x86 LFENCE", _mm_lfence())

static inline bool _rc_arch_cpu_model(char *buf, size_t n)
{
	unsigned regs[12];

	if (n < sizeof(regs) + 1 ||
	    __get_cpuid_max(0x80000000, NULL) < 0x80000004)
		return false;
	for (unsigned i = 0; i < 3; i++)
		__get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1],
			    &regs[4 * i + 2], &regs[4 * i + 3]);
	memcpy(buf, regs, sizeof(regs));
	buf[sizeof(regs)] = '\0';
	return buf[0] != '\0';
}

#elif defined(__aarch64__)

#define RC_ARCH_NAME "aarch64"
/* The DMB variants are reached through ck_pr_fence_strict_* instead. */
#define RC_ARCH_FENCES(X)

static inline bool _rc_arch_cpu_model(char *buf, size_t n)
{
	(void)buf;
	(void)n;
	return false;
}

#else

#define RC_ARCH_NAME "unknown"
#define RC_ARCH_FENCES(X)

static inline bool _rc_arch_cpu_model(char *buf, size_t n)
{
	(void)buf;
	(void)n;
	return false;
}

#endif

#endif /* RC_BENCH_ARCH_H */
