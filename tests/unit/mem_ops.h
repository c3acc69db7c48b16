/* SPDX-License-Identifier: MIT */
/* mem_ops.h: rc_mem's fallible read-modify-writes as value-returning calls, for tests whose objects never run out of memory. */
#ifndef RC_TESTS_MEM_OPS_H
#define RC_TESTS_MEM_OPS_H

#include <stdio.h>
#include <stdlib.h>

#include <replicore/mem.h>

/* A test that gets an error here has no point going on. */
static inline uint64_t mem_ops_check(int rc, uint64_t old)
{
	if (rc < 0) {
		printf("Bail out! an rc_mem read-modify-write failed: %s\n",
		       rc_strerror(rc));
		exit(1);
	}
	return old;
}

static inline uint64_t fetch_add(rc_mem_replica_t *r, unsigned loc,
				 uint64_t delta)
{
	uint64_t old = 0;
	int rc = rc_mem_fetch_add(r, loc, delta, &old);

	return mem_ops_check(rc, old);
}

static inline uint64_t exchange(rc_mem_replica_t *r, unsigned loc,
				uint64_t value)
{
	uint64_t old = 0;
	int rc = rc_mem_exchange(r, loc, value, &old);

	return mem_ops_check(rc, old);
}

#endif /* RC_TESTS_MEM_OPS_H */
