/* SPDX-License-Identifier: MIT */
/* tsan.h: ThreadSanitizer annotations for synchronisation TSan cannot see. */
#ifndef RC_RUNTIME_TSAN_H
#define RC_RUNTIME_TSAN_H

/*
 * Concurrency Kit's atomics on x86-64 are inline assembly, which TSan does
 * not instrument: it sees neither the fences nor the index updates of a
 * ck_ring, only the plain copies into and out of its slots. These macros
 * tell TSan what the assembly guarantees. They compile to nothing outside a
 * TSan build.
 */
#if defined(__SANITIZE_THREAD__)
#define RC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RC_TSAN 1
#endif
#endif

#ifdef RC_TSAN
#include <sanitizer/tsan_interface.h>
/* Exported by the TSan runtime of GCC and clang; not every header declares them. */
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
/* Everything this thread did so far happens before a later RC_TSAN_ACQUIRE. */
#define RC_TSAN_RELEASE(addr) __tsan_release((void *)(addr))
#define RC_TSAN_ACQUIRE(addr) __tsan_acquire((void *)(addr))
/* Accesses between these are not checked (the ring's own slot copies). */
#define RC_TSAN_IGNORE_BEGIN() __tsan_ignore_thread_begin()
#define RC_TSAN_IGNORE_END() __tsan_ignore_thread_end()
#else
#define RC_TSAN_RELEASE(addr) ((void)(addr))
#define RC_TSAN_ACQUIRE(addr) ((void)(addr))
#define RC_TSAN_IGNORE_BEGIN() ((void)0)
#define RC_TSAN_IGNORE_END() ((void)0)
#endif

#endif /* RC_RUNTIME_TSAN_H */
