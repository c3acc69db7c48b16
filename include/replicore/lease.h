/* SPDX-License-Identifier: MIT */
/* replicore/lease.h: a lock service that grants leases with fencing tokens, and a storage object that rejects writes with stale tokens, as sequential objects and as rc_rsm ops tables. */
#ifndef REPLICORE_LEASE_H
#define REPLICORE_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include <replicore/rsm.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A lease is a lock that ends by itself: the service grants it to one
 * client for a duration and refuses every other client until it expires
 * or is released. Each grant to a new holder carries a fencing token, a
 * number larger than every token granted before. A holder may be paused
 * (a collector's stop-the-world pause, a page fault, a slow network) for
 * longer than its lease; meanwhile the lease expires and another client
 * takes it, and the first one, resumed, still believes it holds the lock.
 * Its lease cannot stop it from acting, but its token can stop the
 * resource from listening: the fenced store (struct rc_fenced below)
 * remembers the largest token it has accepted and rejects a write that
 * carries a smaller one. The lock alone protects nothing once clients
 * can pause; the token checked by the resource does.
 *
 * Time: the service judges expiry by the time carried in each command
 * (now), never by a clock of its own, so that every replica of an rc_rsm
 * that applies the same command decides the same. Whoever submits the
 * command stamps it: the node that proposes it, from one clock (in
 * replicore sim lease, the service's node). Times are in any unit the
 * callers agree on, and must not go backwards from one command to the
 * next for the lease's end to mean what it says (a command stamped
 * earlier than its predecessor sees their lease as still running).
 *
 * The clock-drift assumption: a client that wants to act only while it
 * holds the lease times its lease by its own clock. If every clock runs
 * at a rate within 1 +- rho of real time (rho < 1/2), a client that
 * counts the lease as its own until its clock has advanced
 * duration (1 - 2 rho) past the moment it sent its request stops before
 * the service's clock has advanced duration past the grant (which came
 * after the request): (1 - 2 rho) / (1 - rho) <= 1 / (1 + rho). That
 * bound holds only while the client is not paused between looking at its
 * clock and acting; the fencing token is what holds when it is.
 *
 * The objects are plain sequential state machines: deterministic, no
 * locks, no atomics. Callers: one thread at a time per object (rc_rsm's
 * combiner, say); different objects are independent. Ordering: none of
 * their own. Progress: every call below is wait-free and runs in
 * constant time.
 */

/* The lease service's state: the last grant. */
struct rc_lease {
	uint64_t token;	 /* the last grant's token; 0: nothing granted yet */
	uint64_t holder; /* its client */
	uint64_t expiry; /* the time it ends; 0 once released */
};

#define RC_LEASE_INITIALIZER \
	{                    \
		0, 0, 0      \
	}

/* An acquire's result with this bit set is a refusal (see below). */
#define RC_LEASE_REFUSED (UINT64_C(1) << 63)

/*
 * Client asks at time now for the lease for duration (> 0). Granted when
 * the lease is free (never granted, released, or expired: now >= its
 * expiry) or held by client itself (a renewal): a new token, one more
 * than the last, and the lease ends at now + duration. Refused while
 * another client's lease runs. Every grant has a token of its own, also
 * a renewal: a release sent for the holder's earlier grant, arriving
 * after the renewal, then names an old token and cannot end the renewed
 * lease. Returns the token (1..2^63-1), or RC_LEASE_REFUSED | the
 * holder's expiry (times below 2^63).
 * Callers: one thread at a time on l (rc_rsm's apply, say).
 * Ordering: none; it reads and writes l only. Progress: wait-free, a
 * handful of instructions.
 */
uint64_t rc_lease_acquire(struct rc_lease *l, uint64_t client, uint64_t now,
			  uint64_t duration);

/*
 * Client gives back the lease of token. Releases and returns true when
 * the last grant is that token and that client's and has not been
 * released (even past its expiry); otherwise changes nothing and returns
 * false (a stale release cannot end a newer holder's lease).
 * Callers: one thread at a time on l. Ordering: none. Progress:
 * wait-free, a handful of instructions.
 */
bool rc_lease_release(struct rc_lease *l, uint64_t client, uint64_t token);

/*
 * The token of the lease running at time now, or 0 when it is free.
 * Callers: any thread not concurrent with a change of l (several readers
 * may call it at once). Ordering: none. Progress: wait-free.
 */
uint64_t rc_lease_holder_token(const struct rc_lease *l, uint64_t now);

/*
 * The fenced store: one value, and the largest token of a write it
 * accepted. rc_fenced_write accepts (stores value, returns true) when
 * token is at least that token, and rejects (changes nothing, returns
 * false) a write whose token is older. A holder may write several times
 * with its token; a token of 0 is older than every granted token.
 * rc_fenced_write's callers: one thread at a time on s (rc_rsm's apply,
 * say). Ordering: none; it reads and writes s only. Progress: wait-free,
 * a handful of instructions.
 */
struct rc_fenced {
	uint64_t token; /* the largest token accepted; 0: none */
	uint64_t value; /* the last value accepted; 0 at first */
};

#define RC_FENCED_INITIALIZER \
	{                     \
		0, 0          \
	}

bool rc_fenced_write(struct rc_fenced *s, uint64_t token, uint64_t value);

/*
 * The two objects as rc_rsm ops tables (replicore/rsm.h), one per rsm.
 * Commands are encoded by the macros below; init_arg is unused; the
 * snapshot of each is its struct's two or three words. Results:
 *
 *   RC_LEASE_OP_ACQUIRE(client, duration), arg now: rc_lease_acquire's.
 *   RC_LEASE_OP_RELEASE(client), arg token: 1 when released, else 0.
 *   RC_LEASE_OP_HOLDER (a read), arg now: rc_lease_holder_token's.
 *   RC_FENCED_OP_WRITE(value), arg token: 1 when accepted, else 0.
 *   RC_FENCED_OP_READ (a read), arg unused: the value.
 *
 * client is 0..2^24-1, duration 1..2^32-1, value 0..2^56-1. The tables
 * are constant: any thread may hand them to rc_rsm_create at any time.
 */
#define RC_LEASE_OP_ACQUIRE(client, duration)               \
	(UINT64_C(1) | ((uint64_t)(client)&0xffffff) << 8 | \
	 (uint64_t)(duration) << 32)
#define RC_LEASE_OP_RELEASE(client) \
	(UINT64_C(2) | ((uint64_t)(client)&0xffffff) << 8)
#define RC_LEASE_OP_HOLDER UINT64_C(3)
#define RC_FENCED_OP_WRITE(value) (UINT64_C(1) | (uint64_t)(value) << 8)
#define RC_FENCED_OP_READ UINT64_C(2)

extern const struct rc_rsm_ops rc_lease_ops;
extern const struct rc_rsm_ops rc_fenced_ops;

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_LEASE_H */
