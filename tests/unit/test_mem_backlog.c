/* SPDX-License-Identifier: MIT */
/* test_mem_backlog.c: threaded SC and CAUSAL: a replica that only loads stays within RC_MEM_MAX_BACKLOG of the writers. */
#include <replicore/mem.h>

#include "tests/tap.h"

/*
 * One OS thread drives every replica of a threaded object in turn (each
 * replica has one user at a time, as the API asks), so the interleaving
 * is fixed and the test deterministic. The writers store 1, 2, ..., W to
 * X, each write issued after the previous one is taken in by its writer;
 * after every `per` writes the reader, which never writes, loads X. Its
 * load returns its copy, so W - value is how many writes the reader has
 * not taken in. mem.h promises that this never exceeds RC_MEM_MAX_BACKLOG
 * plus the writes issued during one RC_MEM_READ_LAG operations of the
 * reader (here per * RC_MEM_READ_LAG); the values read never go back; and
 * the reader does lag (it does not take in everything at each load).
 * After rc_mem_progress the reader holds W.
 *
 * Environment: RC_MEM_BACKLOG_WRITES (default 8 * RC_MEM_MAX_BACKLOG).
 */

enum { X = 0, Y = 1 };

static void run(enum rc_level level, unsigned nwriters, uint64_t per,
		uint64_t writes)
{
	rc_mem_t *m = NULL;
	rc_err_t err = RC_ERR_INITIALIZER;
	unsigned reader = nwriters;
	uint64_t bound = RC_MEM_MAX_BACKLOG + per * RC_MEM_READ_LAG;
	uint64_t last = 0, max_lag = 0, back = 0, over = 0;

	if (rc_mem_create(&m, level, 2, nwriters + 1, 0, &err) < 0) {
		diag("rc_mem_create: %s", err.msg);
		exit(1);
	}
	for (uint64_t i = 1; i <= writes; i++) {
		rc_mem_replica_t *w =
			rc_mem_replica(m, (unsigned)(i % nwriters));

		rc_mem_store(w, X, i, RC_RELEASE);
		/* the writer takes in its own write at once */
		(void)rc_mem_load(w, Y);
		if (i % per == 0) {
			uint64_t v = rc_mem_load(rc_mem_replica(m, reader), X);

			if (v < last)
				back++;
			last = v;
			if (i - v > max_lag)
				max_lag = i - v;
			if (i - v > bound)
				over++;
		}
	}
	diag("%s, %u writer(s), a load every %" PRIu64
	     " writes: largest lag %" PRIu64 " (bound %" PRIu64 ")",
	     rc_level_name(level), nwriters, per, max_lag, bound);
	is(over, 0,
	   "%s, %u writer(s), 1 load per %" PRIu64
	   " writes: never more than the bound behind",
	   rc_level_name(level), nwriters, per);
	is(back, 0, "%s: the values read never go back", rc_level_name(level));
	ok(max_lag > RC_MEM_READ_LAG,
	   "%s: the reader does lag (its loads read its copy)",
	   rc_level_name(level));
	rc_mem_progress(rc_mem_replica(m, reader));
	is(rc_mem_load(rc_mem_replica(m, reader), X), writes,
	   "%s: after rc_mem_progress the reader holds the last write",
	   rc_level_name(level));
	rc_mem_destroy(m);
}

int main(void)
{
	uint64_t writes = tap_env_u64("RC_MEM_BACKLOG_WRITES",
				      8 * (uint64_t)RC_MEM_MAX_BACKLOG);

	plan(24);
	for (uint64_t per = 1; per <= 4; per *= 4) {
		run(RC_SC, 1, per, writes);
		run(RC_CAUSAL, 1, per, writes);
		run(RC_CAUSAL, 2, per, writes);
	}
	return exit_status();
}
