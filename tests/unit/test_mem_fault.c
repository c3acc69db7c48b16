/* SPDX-License-Identifier: MIT */
/* test_mem_fault.c: every allocation on the store and read-modify-write paths of SC, CAUSAL and EVENTUAL objects fails in turn; each failure is reported and the object stays right. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <replicore/mem.h>

#include "runtime/fault.h"
#include "tests/tap.h"

/*
 * Three replicas: 0 stores 1..STORES to X and adds 1 to Y every ADD_EVERY
 * stores, 1 issues nothing, 2 is offline; so the run crosses many log
 * segments, and the log space behind 1 and 2 is reclaimed. For n = 1, 2,
 * ... the n-th allocation those paths make fails (runtime/fault.h), until
 * a run makes fewer than n. Each failure must come back from exactly one
 * call, as -RC_ENOMEM, with nothing written; afterwards every replica
 * holds the last X stored and Y counts the adds that succeeded. Under
 * AddressSanitizer (make check with --enable-sanitizers) a leak or a bad
 * access fails the test too.
 *
 * Environment: RC_MEM_FAULT_STORES (default 40,000).
 */

enum { X = 0, Y = 1 };

#define ADD_EVERY 100u
#define MAX_FAULTS 64u

struct tally {
	uint64_t last, adds, enomem, other;
};

static void run(rc_mem_t *m, uint64_t stores, struct tally *t)
{
	rc_mem_replica_t *w = rc_mem_replica(m, 0);

	for (uint64_t i = 1; i <= stores; i++) {
		int rc = rc_mem_store(w, X, i, RC_RELEASE);
		uint64_t old;

		if (rc == 0)
			t->last = i;
		else if (rc == -RC_ENOMEM)
			t->enomem++;
		else
			t->other++;
		if (i % ADD_EVERY != 0)
			continue;
		rc = rc_mem_fetch_add(w, Y, 1, &old);
		if (rc == 0 && old == t->adds)
			t->adds++;
		else if (rc == -RC_ENOMEM)
			t->enomem++;
		else
			t->other++;
	}
}

static void level(enum rc_level lv, unsigned flags, uint64_t stores)
{
	const char *name =
		flags & RC_MEM_MVR ? "eventual mvr" : rc_level_name(lv);
	unsigned faults = 0, misreported = 0, wrong = 0, setup = 0;

	for (unsigned n = 1; n <= MAX_FAULTS; n++) {
		struct tally t = { 0, 0, 0, 0 };
		rc_mem_t *m = NULL;
		uint64_t before, hit;

		if (rc_mem_create(&m, lv, 2, 3, flags, NULL) < 0) {
			setup++;
			break;
		}
		rc_mem_offline(rc_mem_replica(m, 2));
		before = _rc_fault_hits();
		_rc_fault_arm(n);
		run(m, stores, &t);
		_rc_fault_arm(0);
		hit = _rc_fault_hits() - before;
		if (hit != t.enomem || t.other != 0)
			misreported++;
		rc_mem_online(rc_mem_replica(m, 2));
		rc_mem_quiesce(m);
		for (unsigned r = 0; r < 3; r++)
			if (rc_mem_read_replica(m, r, X) != t.last ||
			    rc_mem_read_replica(m, r, Y) != t.adds)
				wrong++;
		rc_mem_destroy(m);
		if (hit == 0)
			break;
		faults++;
	}
	diag("%s: %u allocations on the paths failed in turn", name, faults);
	ok(setup == 0 && faults > 0, "%s: the runs made allocations to fail",
	   name);
	is(misreported, 0,
	   "%s: each failure came back from exactly one call, as "
	   "-RC_ENOMEM",
	   name);
	is(wrong, 0,
	   "%s: after each, every replica holds the last store and the "
	   "adds that succeeded",
	   name);
}

int main(void)
{
	uint64_t stores = tap_env_u64("RC_MEM_FAULT_STORES", 40000);

	plan(12);
	level(RC_SC, 0, stores);
	level(RC_CAUSAL, 0, stores);
	level(RC_EVENTUAL, 0, stores);
	level(RC_EVENTUAL, RC_MEM_MVR, stores);
	return exit_status();
}
