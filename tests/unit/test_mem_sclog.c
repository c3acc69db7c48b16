/* SPDX-License-Identifier: MIT */
/* test_mem_sclog.c: threaded SC reuses its log space, and waits for a replica that lags by the whole log. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <replicore/mem.h>

#include "tests/tap.h"

/*
 * Built over its own copy of runtime/mem.c with a log of SC_LOG_ENTRIES
 * entries in segments of 2^SC_SEG_SHIFT (see tests/local.mk), so that a
 * few hundred writes reach what RC_MEM_SC_LOG entries reach in the
 * library:
 *   - one replica writes and reads many times the log's size;
 *   - a writer and a loading replica on two threads: every value the
 *     reader sees is one written, in order, and it ends with the last;
 *   - a replica that issues nothing: the writer stops at exactly
 *     SC_LOG_ENTRIES writes and waits, and finishes once that replica
 *     calls rc_mem_progress().
 *
 * Environment: RC_MEM_SCLOG_WRITES (default 64 times the log).
 */

#if SC_LOG_ENTRIES >= 65536
#error "test_mem_sclog is built with a small SC log"
#endif

enum { X = 0, Y = 1 };

/* A setup failure: no point in going on. */
#define BAIL_OUT(...)                             \
	do {                                      \
		printf("Bail out! " __VA_ARGS__); \
		printf("\n");                     \
		exit(1);                          \
	} while (0)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void one_replica(uint64_t writes)
{
	rc_mem_t *m = NULL;
	rc_mem_replica_t *r;
	uint64_t bad = 0, sum = 0;

	if (rc_mem_create(&m, RC_SC, 2, 1, 0, NULL) < 0)
		BAIL_OUT("rc_mem_create");
	r = rc_mem_replica(m, 0);
	for (uint64_t i = 1; i <= writes; i++) {
		rc_mem_store(r, X, i, RC_RELEASE);
		sum = rc_mem_fetch_add(r, Y, 1, RC_ACQ_REL) + 1;
		if (rc_mem_load(r, X, RC_ACQUIRE) != i)
			bad++;
	}
	is(bad, 0,
	   "one replica: each of %" PRIu64 " loads reads the store "
	   "before it (%" PRIu64 " entries through a log of %u)",
	   writes, 2 * writes, (unsigned)SC_LOG_ENTRIES);
	is(sum, writes, "one replica: the fetch-adds count to %" PRIu64,
	   writes);
	rc_mem_destroy(m);
}

struct writer {
	rc_mem_t *m;
	uint64_t writes;
	_Atomic uint64_t done;
};

static void *write_all(void *arg)
{
	struct writer *w = arg;
	rc_mem_replica_t *r = rc_mem_replica(w->m, 0);

	for (uint64_t i = 1; i <= w->writes; i++) {
		rc_mem_store(r, X, i, RC_RELEASE);
		/* Release: the count after the store; read by the main
		 * thread as a count only. */
		atomic_store_explicit(&w->done, i, memory_order_release);
	}
	return NULL;
}

static void two_threads(uint64_t writes)
{
	struct writer w = { .writes = writes };
	rc_mem_replica_t *r;
	pthread_t th;
	uint64_t last = 0, back = 0, unknown = 0, loads = 0, t0 = now_ns();

	if (rc_mem_create(&w.m, RC_SC, 2, 2, 0, NULL) < 0)
		BAIL_OUT("rc_mem_create");
	r = rc_mem_replica(w.m, 1);
	if (pthread_create(&th, NULL, write_all, &w) != 0)
		BAIL_OUT("pthread_create");
	while (last < writes) {
		uint64_t v = rc_mem_load(r, X, RC_ACQUIRE);

		loads++;
		if (v < last)
			back++;
		if (v > writes)
			unknown++;
		last = v;
		if (loads % (1u << 20) == 0 && now_ns() - t0 > 60000000000ull)
			BAIL_OUT("the reader saw %" PRIu64 " of %" PRIu64
				 " writes in 60 s",
				 last, writes);
	}
	pthread_join(th, NULL);
	diag("the reader loaded %" PRIu64 " times", loads);
	ok(back == 0 && unknown == 0,
	   "two threads: the reader's values are written ones and never go "
	   "back (%" PRIu64 " back, %" PRIu64 " unknown)",
	   back, unknown);
	is(last, writes, "two threads: the reader ends with the last write");
	rc_mem_destroy(w.m);
}

static void idle_replica(void)
{
	struct writer w = { .writes = 4 * SC_LOG_ENTRIES };
	pthread_t th;
	uint64_t t0, seen;

	if (rc_mem_create(&w.m, RC_SC, 2, 2, 0, NULL) < 0)
		BAIL_OUT("rc_mem_create");
	if (pthread_create(&th, NULL, write_all, &w) != 0)
		BAIL_OUT("pthread_create");
	/* Until the writer reaches the bound, or 10 s: a bounded wait. */
	t0 = now_ns();
	/* Acquire: pairs with the writer's release of its count. */
	while ((seen = atomic_load_explicit(&w.done, memory_order_acquire)) <
		       SC_LOG_ENTRIES &&
	       now_ns() - t0 < 10000000000ull)
		sched_yield();
	/* Some time for a writer that does not wait to pass the bound. */
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	/* Acquire: as above. */
	seen = atomic_load_explicit(&w.done, memory_order_acquire);
	is(seen, SC_LOG_ENTRIES,
	   "a replica that issues nothing: the writer stops after exactly "
	   "the log's %u entries",
	   (unsigned)SC_LOG_ENTRIES);
	/* The idle replica's owner lets the writes reach it, now and then,
	 * until the writer is through. */
	/* Acquire: as above. */
	while (atomic_load_explicit(&w.done, memory_order_acquire) < w.writes) {
		rc_mem_progress(rc_mem_replica(w.m, 1));
		sched_yield();
	}
	pthread_join(th, NULL);
	rc_mem_progress(rc_mem_replica(w.m, 1));
	is(rc_mem_load(rc_mem_replica(w.m, 1), X, RC_ACQUIRE), w.writes,
	   "rc_mem_progress lets the writer finish; the idle replica then "
	   "holds the last write");
	rc_mem_destroy(w.m);
}

int main(void)
{
	uint64_t writes = tap_env_u64("RC_MEM_SCLOG_WRITES",
				      64 * (uint64_t)SC_LOG_ENTRIES);

	plan(6);
	one_replica(writes);
	two_threads(writes);
	idle_replica();
	return exit_status();
}
