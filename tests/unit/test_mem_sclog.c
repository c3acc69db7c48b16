/* SPDX-License-Identifier: MIT */
/* test_mem_sclog.c: threaded SC and CAUSAL reuse their log space and drop a replica that issues nothing from it. */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include <replicore/mem.h>

#include "tests/tap.h"
#include "tests/unit/mem_ops.h"

/*
 * Built over its own copy of runtime/mem*.c with a log of SC_LOG_ENTRIES
 * entries in segments of 2^SC_SEG_SHIFT (see tests/local.mk), so that a
 * few hundred writes reach what RC_MEM_SC_LOG entries reach in the
 * library:
 *   - one replica writes and reads many times the log's size;
 *   - a writer and a loading replica on two threads: every value the
 *     reader sees is one written, in order, and it ends with the last;
 *   - a replica that issues nothing, then one offline: the writer never
 *     waits for it, and it reads the last write when it is back;
 *   - at SC and CAUSAL (with causal log segments of CLOG_SEG_BYTES), a
 *     reader that pauses and is dropped again and again.
 *
 * Environment: RC_MEM_SCLOG_WRITES (default 64 times the log).
 */

#if SC_LOG_ENTRIES >= 65536
#error "test_mem_sclog is built with a small SC log"
#endif

enum { X = 0, Y = 1 };

/* In runtime/mem.c, which this test is built over. */
uint64_t _rc_mem_resyncs(rc_mem_t *m);

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
		sum = fetch_add(r, Y, 1) + 1;
		if (rc_mem_load(r, X) != i)
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

/* What replica 1 saw while replica 0 wrote (read_while_writing). */
struct seen {
	uint64_t last, back, unknown, own_lost, loads, resyncs;
};

/*
 * Replica 0 writes X = 1..writes on a thread of its own while replica 1,
 * on this thread, loads X until it reads the last value; with `pause`,
 * replica 1 also writes and reads back its own Y every 1024 loads and
 * sleeps for a millisecond every 4096 (long enough for the writer to
 * move the log 16 segments on, so it is dropped and takes the checkpoint
 * when it is back). Replicas beyond the second issue nothing.
 */
static void read_while_writing(enum rc_level level, unsigned flags,
			       unsigned replicas, uint64_t writes, bool pause,
			       struct seen *sn)
{
	struct writer w = { .writes = writes };
	rc_mem_replica_t *r;
	pthread_t th;
	uint64_t t0 = now_ns();

	memset(sn, 0, sizeof *sn);
	if (rc_mem_create(&w.m, level, 2, replicas, flags, NULL) < 0)
		BAIL_OUT("rc_mem_create");
	r = rc_mem_replica(w.m, 1);
	if (pthread_create(&th, NULL, write_all, &w) != 0)
		BAIL_OUT("pthread_create");
	while (sn->last < writes) {
		uint64_t v = rc_mem_load(r, X);

		if (v < sn->last)
			sn->back++;
		if (v > writes)
			sn->unknown++;
		sn->last = v;
		if (++sn->loads % 1024 == 0 && pause) {
			rc_mem_store(r, Y, sn->loads, RC_RELEASE);
			if (rc_mem_load(r, Y) != sn->loads)
				sn->own_lost++;
		}
		if (sn->loads % 4096 == 0 && pause)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
		if (sn->loads % (1u << 20) == 0 &&
		    now_ns() - t0 > 60000000000ull)
			BAIL_OUT("the reader saw %" PRIu64 " of %" PRIu64
				 " writes in 60 s",
				 sn->last, writes);
	}
	pthread_join(th, NULL);
	sn->resyncs = _rc_mem_resyncs(w.m);
	rc_mem_destroy(w.m);
}

static void two_threads(uint64_t writes)
{
	struct seen sn;

	read_while_writing(RC_SC, 0, 2, writes, false, &sn);
	diag("the reader loaded %" PRIu64 " times", sn.loads);
	ok(sn.back == 0 && sn.unknown == 0,
	   "two threads: the reader's values are written ones and never go "
	   "back (%" PRIu64 " back, %" PRIu64 " unknown)",
	   sn.back, sn.unknown);
	is(sn.last, writes, "two threads: the reader ends with the last write");
}

/*
 * Replica 1 issues nothing while replica 0 writes 64 times the log
 * (first on its own, then offline): the writer never waits for it, and
 * when it issues an operation again (rc_mem_progress, rc_mem_online) it
 * reads the last write and its own earlier one.
 */
static void idle_replica(void)
{
	struct writer w = { .writes = 64 * SC_LOG_ENTRIES };
	rc_mem_replica_t *r1;
	pthread_t th;
	uint64_t t0;

	if (rc_mem_create(&w.m, RC_SC, 2, 2, 0, NULL) < 0)
		BAIL_OUT("rc_mem_create");
	r1 = rc_mem_replica(w.m, 1);
	rc_mem_store(r1, Y, 7, RC_RELEASE);
	if (pthread_create(&th, NULL, write_all, &w) != 0)
		BAIL_OUT("pthread_create");
	/* A hang guard, not a timing claim: 60 s for 16,384 writes. */
	t0 = now_ns();
	/* Acquire: pairs with the writer's release of its count. */
	while (atomic_load_explicit(&w.done, memory_order_acquire) < w.writes &&
	       now_ns() - t0 < 60000000000ull)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	/* Acquire: as above. */
	is(atomic_load_explicit(&w.done, memory_order_acquire), w.writes,
	   "a replica that issues nothing holds nobody up: the writer "
	   "wrote %u entries through a log of %u",
	   (unsigned)(64 * SC_LOG_ENTRIES), (unsigned)SC_LOG_ENTRIES);
	pthread_join(th, NULL);
	rc_mem_progress(r1);
	ok(rc_mem_load(r1, X) == w.writes && rc_mem_load(r1, Y) == 7,
	   "the idle replica then reads the last write and its own");

	/* Offline, for another 64 logs' worth of writes. */
	rc_mem_offline(r1);
	w.writes *= 2;
	if (pthread_create(&th, NULL, write_all, &w) != 0)
		BAIL_OUT("pthread_create");
	pthread_join(th, NULL);
	rc_mem_online(r1);
	ok(rc_mem_load(r1, X) == w.writes && rc_mem_load(r1, Y) == 7,
	   "an offline replica back online reads the last write and its own");
	rc_mem_destroy(w.m);
}

/* At SC, CAUSAL and EVENTUAL, a reader that pauses and is dropped again
 * and again (read_while_writing with pauses, a third replica idle). */
static void pausing_reader(enum rc_level level, unsigned flags, uint64_t writes)
{
	struct seen sn;

	read_while_writing(level, flags, 3, writes, true, &sn);
	ok(sn.resyncs > 0,
	   "%s%s, a reader that pauses: dropped and back %" PRIu64 " times",
	   rc_level_name(level), flags ? " mvr" : "", sn.resyncs);
	ok(sn.back == 0 && sn.unknown == 0 && sn.own_lost == 0,
	   "%s%s, a reader that pauses: its values are written ones and "
	   "never go back, and it reads its own writes (%" PRIu64
	   " back, %" PRIu64 " unknown, %" PRIu64 " own lost, %" PRIu64
	   " loads)",
	   rc_level_name(level), flags ? " mvr" : "", sn.back, sn.unknown,
	   sn.own_lost, sn.loads);
}

int main(void)
{
	uint64_t writes = tap_env_u64("RC_MEM_SCLOG_WRITES",
				      64 * (uint64_t)SC_LOG_ENTRIES);

	plan(15);
	one_replica(writes);
	two_threads(writes);
	idle_replica();
	pausing_reader(RC_SC, 0, 16 * writes);
	pausing_reader(RC_CAUSAL, 0, 16 * writes);
	pausing_reader(RC_EVENTUAL, 0, 16 * writes);
	pausing_reader(RC_EVENTUAL, RC_MEM_MVR, 16 * writes);
	return exit_status();
}
