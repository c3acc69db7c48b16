/* SPDX-License-Identifier: MIT */
/* tap.h: a small Test Anything Protocol producer for replicore's C tests. */
#ifndef RC_TESTS_TAP_H
#define RC_TESTS_TAP_H

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Usage: plan(N) or no plan and done_testing() at the end; ok(), is(),
 * is_str(), diag(), skip(); main returns exit_status(). Test points may be
 * emitted from several threads: each line is written under one lock.
 */

static unsigned tap_run, tap_failed, tap_planned;
static pthread_mutex_t tap_lock = PTHREAD_MUTEX_INITIALIZER;

static inline void plan(unsigned n)
{
	tap_planned = n;
	printf("1..%u\n", n);
	fflush(stdout);
}

/* Skips the whole file: prints the plan 1..0 with the reason, exits 0. */
static inline void skip_all(const char *fmt, ...)
{
	va_list ap;

	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(0);
}

static inline void diag(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&tap_lock);
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&tap_lock);
}

static inline bool tap_vok(bool cond, const char *fmt, va_list ap)
{
	pthread_mutex_lock(&tap_lock);
	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%s %u - ", cond ? "ok" : "not ok", tap_run);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
	pthread_mutex_unlock(&tap_lock);
	return cond;
}

__attribute__((format(printf, 2, 3))) static inline bool
ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_vok(cond, fmt, ap);
	va_end(ap);
	return r;
}

/* Integer equality: on failure shows both values. */
#define is(got, want, ...)                                               \
	do {                                                             \
		long long tap_g_ = (long long)(got);                     \
		long long tap_w_ = (long long)(want);                    \
		if (!ok(tap_g_ == tap_w_, __VA_ARGS__))                  \
			diag("    got %lld, want %lld", tap_g_, tap_w_); \
	} while (0)

/* String equality: on failure shows both strings. */
#define is_str(got, want, ...)                                    \
	do {                                                      \
		const char *tap_g_ = (got), *tap_w_ = (want);     \
		bool tap_e_ = tap_g_ != NULL && tap_w_ != NULL && \
			      strcmp(tap_g_, tap_w_) == 0;        \
		if (!ok(tap_e_, __VA_ARGS__))                     \
			diag("    got '%s', want '%s'",           \
			     tap_g_ ? tap_g_ : "(null)",          \
			     tap_w_ ? tap_w_ : "(null)");         \
	} while (0)

/* Records n skipped test points with a reason. */
static inline void skip(unsigned n, const char *why)
{
	pthread_mutex_lock(&tap_lock);
	for (unsigned i = 0; i < n; i++)
		printf("ok %u # SKIP %s\n", ++tap_run, why);
	fflush(stdout);
	pthread_mutex_unlock(&tap_lock);
}

static inline void done_testing(void)
{
	if (tap_planned == 0)
		printf("1..%u\n", tap_run);
	fflush(stdout);
}

static inline int exit_status(void)
{
	if (tap_planned != 0 && tap_run != tap_planned) {
		diag("planned %u tests but ran %u", tap_planned, tap_run);
		return 1;
	}
	return tap_failed == 0 ? 0 : 1;
}

/*
 * A count from the environment (thread or iteration counts of stress tests),
 * multiplied by RC_SCALE when that is set (make regtest sets it).
 */
static inline uint64_t tap_env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name), *scale = getenv("RC_SCALE");
	uint64_t v = dflt;

	if (s != NULL && *s != '\0')
		v = strtoull(s, NULL, 10);
	else if (scale != NULL && *scale != '\0' && strtoull(scale, NULL, 10))
		v *= strtoull(scale, NULL, 10);
	return v;
}

/*
 * A setting from the environment that RC_SCALE does not multiply: sizes a
 * checker must still decide in time, thread counts, time budgets.
 */
static inline uint64_t tap_env_fixed(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	return s != NULL && *s != '\0' ? strtoull(s, NULL, 10) : dflt;
}

/*
 * Whether the regression tier runs: make regtest sets RC_SCALE to a
 * number, make check exports it empty. A regression program skips all
 * when this is false.
 */
static inline bool tap_regtest(void)
{
	const char *scale = getenv("RC_SCALE");

	return scale != NULL && *scale != '\0';
}

/* A xorshift step of the seeded generator *s (nonzero): its next value. */
static inline uint64_t tap_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

#endif /* RC_TESTS_TAP_H */
