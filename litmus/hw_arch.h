/* SPDX-License-Identifier: MIT */
/* hw_arch.h: the one place the hardware litmus harness learns which machine it is built for, from compiler macros. */
#ifndef RC_LITMUS_HW_ARCH_H
#define RC_LITMUS_HW_ARCH_H

/*
 * Chosen by the compiler's predefined macros, never by running a program
 * at configure time. RC_HW_ARCH_X86 says whether x86 litmus tests (whose
 * threads are generated as inline assembly of their own instructions) can
 * run here; C tests (C11 atomics) run on every architecture.
 */
#if defined(__x86_64__)
#define RC_HW_ARCH_NAME "x86_64"
#define RC_HW_ARCH_X86 1
#elif defined(__aarch64__)
#define RC_HW_ARCH_NAME "aarch64"
#define RC_HW_ARCH_X86 0
#else
#define RC_HW_ARCH_NAME "unknown"
#define RC_HW_ARCH_X86 0
#endif

/*
 * The guard the generated source opens its x86 assembly with, so a kept
 * file compiled by hand on another machine fails with a clear #error.
 */
#define RC_HW_X86_GUARD "defined(__x86_64__)"

#endif /* RC_LITMUS_HW_ARCH_H */
