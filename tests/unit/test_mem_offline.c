/* SPDX-License-Identifier: MIT */
/* test_mem_offline.c: millions of stores beside an idle and an offline replica, at SC and CAUSAL: no wait, flat memory, and the offline replica back with the latest values. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <replicore/mem.h>

#include "tests/tap.h"

/*
 * Replica 0 stores to location X from this thread; replica 1 is online
 * and issues nothing; replica 2 stores once to location Y and goes
 * offline. The run would hang (SC: after the log's 2^25 entries) or grow
 * without bound (the log behind replicas 1 and 2) if either held the
 * writer; so: every store returns, resident memory grows by at most
 * FLAT_MIB between the end of the warm-up and the end, and afterwards
 * replica 2 back online, and replica 1 after one rc_mem_progress, read
 * the last store and replica 2's own.
 *
 * Environment: RC_MEM_OFFLINE_STORES (default 10,000,000; the warm-up is
 * a tenth of them).
 */

enum { X = 0, Y = 1 };

/*
 * Under AddressSanitizer freed memory sits in a quarantine (256 MiB by
 * default) before it is reused, which would count as growth here: this
 * build reuses it at once, so the check measures the object's memory.
 */
#if defined(__SANITIZE_ADDRESS__)
#define RC_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RC_TEST_ASAN 1
#endif
#endif
#ifdef RC_TEST_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=0";
}
#endif

#define FLAT_MIB 16

/* Resident memory of the process in bytes, from /proc/self/statm. */
static uint64_t resident(void)
{
	unsigned long size = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu %lu", &size, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (uint64_t)res * 4096;
}

static void run(enum rc_level level, uint64_t stores)
{
	const char *name = rc_level_name(level);
	rc_mem_t *m = NULL;
	rc_mem_replica_t *w, *idle, *off;
	uint64_t warm = stores / 10, at_warm = 0, at_end;

	if (rc_mem_create(&m, level, 2, 3, 0, NULL) < 0) {
		ok(false, "%s: rc_mem_create", name);
		return;
	}
	w = rc_mem_replica(m, 0);
	idle = rc_mem_replica(m, 1);
	off = rc_mem_replica(m, 2);
	rc_mem_store(off, Y, 7, RC_RELEASE);
	rc_mem_offline(off);
	for (uint64_t i = 1; i <= stores; i++) {
		rc_mem_store(w, X, i, RC_RELEASE);
		if (i == warm)
			at_warm = resident();
	}
	at_end = resident();
	diag("%s: resident %.1f MiB after %" PRIu64 " stores, %.1f MiB "
	     "after %" PRIu64,
	     name, at_warm / 1048576.0, warm, at_end / 1048576.0, stores);
	ok(at_end <= at_warm + (uint64_t)FLAT_MIB * 1048576,
	   "%s: %" PRIu64 " stores beside an idle and an offline replica "
	   "returned, and resident memory grew by at most %d MiB after the "
	   "first %" PRIu64,
	   name, stores, FLAT_MIB, warm);
	rc_mem_online(off);
	ok(rc_mem_load(off, X) == stores && rc_mem_load(off, Y) == 7,
	   "%s: the offline replica back online reads the last store and "
	   "its own",
	   name);
	rc_mem_progress(idle);
	ok(rc_mem_load(idle, X) == stores && rc_mem_load(idle, Y) == 7,
	   "%s: the idle replica, after rc_mem_progress, reads both", name);
	rc_mem_store(idle, Y, 8, RC_RELEASE);
	rc_mem_quiesce(m);
	ok(rc_mem_read_replica(m, 0, Y) == 8 &&
		   rc_mem_read_replica(m, 2, Y) == 8 &&
		   rc_mem_read_replica(m, 2, X) == stores,
	   "%s: and writes that reach the others", name);
	rc_mem_destroy(m);
}

/* Offline and back, at every level, alone and beside another replica. */
static void every_level(void)
{
	for (unsigned n = 1; n <= 2; n++) {
		unsigned good = 0;

		for (int l = RC_LIN; l <= RC_CAUSAL; l++) {
			rc_mem_t *m = NULL;
			rc_mem_replica_t *r;

			if (rc_mem_create(&m, (enum rc_level)l, 2, n, 0, NULL) <
			    0)
				continue;
			r = rc_mem_replica(m, 0);
			rc_mem_store(r, X, 5, RC_RELEASE);
			rc_mem_offline(r);
			if (n == 2)
				rc_mem_store(rc_mem_replica(m, 1), Y, 6,
					     RC_RELEASE);
			rc_mem_online(r);
			if (rc_mem_load(r, X) == 5 &&
			    (n == 1 || l == RC_TSO || rc_mem_load(r, Y) == 6))
				good++;
			rc_mem_destroy(m);
		}
		is(good, 4,
		   "%u replica%s: offline and online at every level; the "
		   "replica reads its own write and the other's",
		   n, n == 1 ? "" : "s");
	}
}

int main(void)
{
	uint64_t stores = tap_env_u64("RC_MEM_OFFLINE_STORES", 10000000);

	plan(10);
	every_level();
	run(RC_SC, stores);
	run(RC_CAUSAL, stores);
	return exit_status();
}
