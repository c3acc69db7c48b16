/* SPDX-License-Identifier: MIT */
/* replicore/clock.h: Lamport clocks, vector clocks and the monotonic time source. */
#ifndef REPLICORE_CLOCK_H
#define REPLICORE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Happened-before machinery (Lamport 1978; vector clocks after Fidge and
 * Mattern). A clock belongs to one replica: its owner alone updates it, and
 * these calls neither synchronise nor take locks (wait-free, no ordering);
 * clocks travel between replicas inside messages, whose channel provides
 * the ordering. Reading a copy from any thread is safe.
 */

/* A Lamport scalar clock. RC_LAMPORT_INITIALIZER starts it at 0. */
typedef struct rc_lamport {
	uint64_t time;
} rc_lamport_t;

#define RC_LAMPORT_INITIALIZER \
	{                      \
		0              \
	}

/* A local event or a send: advances the clock; returns the event's time. */
uint64_t rc_lamport_tick(rc_lamport_t *c);

/* A receive of a message stamped remote: max(own, remote) + 1, returned. */
uint64_t rc_lamport_recv(rc_lamport_t *c, uint64_t remote);

/*
 * The total order Lamport clocks give with replica ids breaking ties:
 * negative when (ta, ida) comes first, 0 when equal, positive otherwise.
 */
int rc_lamport_order(uint64_t ta, unsigned ida, uint64_t tb, unsigned idb);

/* A vector clock over n replicas. */
typedef struct rc_vclock {
	unsigned n;
	uint64_t c[];
} rc_vclock_t;

/* How two vector clocks relate. */
enum rc_vc_order {
	RC_VC_EQUAL = 0,
	RC_VC_BEFORE = 1,     /* a happened before b */
	RC_VC_AFTER = 2,      /* b happened before a */
	RC_VC_CONCURRENT = 3, /* neither */
};

/* A zeroed vector clock over n replicas (n >= 1), or NULL without memory. */
rc_vclock_t *rc_vclock_create(unsigned n);
void rc_vclock_destroy(rc_vclock_t *v);
/* A copy of v, or NULL without memory. */
rc_vclock_t *rc_vclock_dup(const rc_vclock_t *v);
/* dst = src; both over the same n. */
void rc_vclock_copy(rc_vclock_t *dst, const rc_vclock_t *src);

/* A local event or send at replica self: c[self]++. */
void rc_vclock_tick(rc_vclock_t *v, unsigned self);
/* Pointwise maximum of v and other (same n), into v. */
void rc_vclock_merge(rc_vclock_t *v, const rc_vclock_t *other);
/* A receive at replica self of a message stamped other: merge, then tick. */
void rc_vclock_recv(rc_vclock_t *v, unsigned self, const rc_vclock_t *other);
/* How a relates to b (same n). */
enum rc_vc_order rc_vclock_compare(const rc_vclock_t *a, const rc_vclock_t *b);
/* True when a happened before b: a <= b pointwise and a != b. */
bool rc_vclock_before(const rc_vclock_t *a, const rc_vclock_t *b);
/*
 * Writes "[c0,c1,...]" into buf (always NUL-terminated when size > 0);
 * returns the length it needed, as snprintf does.
 */
size_t rc_vclock_format(const rc_vclock_t *v, char *buf, size_t size);

/*
 * Monotonic time in nanoseconds (CLOCK_MONOTONIC), for histories and
 * timeouts. Wait-free in the vDSO, any thread.
 */
uint64_t rc_clock_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_CLOCK_H */
