/* SPDX-License-Identifier: MIT */
/* replicore/fd.h: failure detectors fed with arrival times: a heartbeat detector with an adaptive timeout and an accrual (phi) detector. */
#ifndef REPLICORE_FD_H
#define REPLICORE_FD_H

#include <stdbool.h>
#include <stdint.h>

#include <replicore/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A failure detector of one process over npeers peers (0..npeers-1). It
 * reads no clock and sends nothing: the caller tells it when a message
 * from a peer arrived (rc_fd_heard: any message counts, not only
 * heartbeats) and asks it, at a time of its choosing, whether the peer is
 * suspected. Every answer is a function of the arrival times given so far
 * and the time asked about, so a detector driven by simulated time is
 * deterministic. Times are nanoseconds on any clock that does not go back
 * (CLOCK_MONOTONIC, a simulator's), never before the creation time; any
 * other unit works when every time and option is in it (a Paxos node
 * passes its own clock's).
 *
 * Two kinds:
 *
 *   RC_FD_HEARTBEAT  a peer is suspected once timeout ns have passed
 *       since the last arrival from it. Each peer's timeout starts at
 *       opts.timeout_ns; when a message arrives from a peer that was
 *       suspected (a false suspicion, or a peer that came back), the
 *       suspicion is retracted and that peer's timeout is multiplied by
 *       opts.backoff. Under partial synchrony (an unknown bound on delay
 *       that holds after an unknown time) the timeout ends above the
 *       largest gap between arrivals after finitely many mistakes, so the
 *       detector is eventually perfect: a crashed peer is suspected for
 *       good, and from some time on no live peer is (Chandra and Toueg,
 *       "Unreliable failure detectors for reliable distributed systems",
 *       JACM 1996, the detector of section 9.1).
 *
 *   RC_FD_ACCRUAL  a suspicion level, phi, in place of a yes or no
 *       (Hayashibara, Defago, Yared and Katayama, "The phi accrual failure
 *       detector", SRDS 2004): over the last opts.window gaps between
 *       arrivals from the peer, mean mu and standard deviation sigma
 *       (sigma at least opts.min_std_ns), phi(t) = -log10 P(a gap longer
 *       than t - last arrival) under the normal distribution N(mu,
 *       sigma^2). phi 1 means a 10% chance that the next arrival is still
 *       to come, phi 8 one in 10^8. The peer is suspected while phi >=
 *       opts.threshold. The window starts with one gap of
 *       opts.interval_ns (the expected heartbeat interval), which leaves
 *       it as any other gap does, and the last arrival is the creation
 *       time.
 *
 * Both kinds count suspicions: a suspicion begins when the peer's
 * deadline (rc_fd_deadline) passes without an arrival, and is retracted
 * by the next arrival from that peer; rc_fd_stats gives the counts.
 *
 * Who may call: a detector is a single-owner object, one thread at a time
 * (calls on different detectors run concurrently). Ordering: none; it
 * holds no shared state and does no atomic access, and a thread that
 * hands it to another orders the hand-over itself. Progress: every call
 * is wait-free; rc_fd_heard costs O(window), rc_fd_deadline of an
 * accrual detector at most 128 evaluations of phi, rc_fd_stats O(npeers),
 * rc_fd_create and rc_fd_destroy allocate and free, the others O(1).
 */
typedef struct rc_fd rc_fd_t;

enum rc_fd_kind {
	RC_FD_HEARTBEAT = 1,
	RC_FD_ACCRUAL = 2,
};

struct rc_fd_opts {
	enum rc_fd_kind kind;
	uint64_t interval_ns; /* the peers' heartbeat interval, > 0 */
	/* RC_FD_HEARTBEAT */
	uint64_t timeout_ns; /* the first timeout, > 0 */
	double backoff;	     /* >= 1: timeout *= backoff per retraction */
	/* RC_FD_ACCRUAL */
	unsigned window;     /* gaps kept per peer, 1..65536 */
	uint64_t min_std_ns; /* floor of sigma, > 0 */
	double threshold;    /* suspected at phi >= threshold, > 0 */
};

/* Counts since creation (rc_fd_stats). */
struct rc_fd_stats {
	uint64_t heard;	      /* arrivals given to rc_fd_heard */
	uint64_t suspicions;  /* deadlines that passed, retracted or not */
	uint64_t retractions; /* suspicions ended by an arrival */
};

/*
 * Creates a detector over npeers peers (1..65536), each last heard from
 * at now_ns, as opts says (copied). Returns 0, -RC_EINVAL with err naming
 * the bad option (where "fd"), or -RC_ENOMEM.
 * Callers: any thread; the detector belongs to it until it hands it over.
 * Ordering: none. Progress: blocking (allocates npeers * window gaps).
 */
int rc_fd_create(rc_fd_t **out, unsigned npeers, uint64_t now_ns,
		 const struct rc_fd_opts *opts, rc_err_t *err);

/* Frees fd (NULL: nothing). Callers: the owner. Ordering: none.
 * Progress: blocking (frees memory). */
void rc_fd_destroy(rc_fd_t *fd);

/*
 * A message from peer arrived at now_ns (not before the last time given
 * for this peer). Returns true when it retracts a suspicion: the peer's
 * deadline had passed. Heartbeat kind: the peer's timeout is then
 * multiplied by backoff. Accrual kind: the gap since the last arrival
 * joins the window, the oldest leaving a full one.
 * Callers: the owner. Ordering: none. Progress: wait-free, O(window).
 */
bool rc_fd_heard(rc_fd_t *fd, unsigned peer, uint64_t now_ns);

/*
 * Whether peer is suspected at now_ns: nothing arrived from it since its
 * deadline, and now_ns >= that deadline.
 * Callers: the owner. Ordering: none. Progress: wait-free, O(1) for the
 * heartbeat kind; O(1) too for the accrual kind (phi against the
 * threshold, the window's mean and deviation kept by rc_fd_heard).
 */
bool rc_fd_suspects(const rc_fd_t *fd, unsigned peer, uint64_t now_ns);

/*
 * The suspicion level of peer at now_ns: phi for the accrual kind (about 0
 * at the last arrival when gaps vary little, growing without bound with
 * silence); for the heartbeat kind, the time since the last arrival over
 * the peer's timeout (suspected at 1 and above).
 * Callers: the owner. Ordering: none. Progress: wait-free, O(1).
 */
double rc_fd_phi(const rc_fd_t *fd, unsigned peer, uint64_t now_ns);

/*
 * When peer becomes suspected if nothing more arrives from it: the least
 * t with rc_fd_suspects(fd, peer, t), for a timer (the heartbeat kind:
 * the last arrival plus the peer's timeout; the accrual kind: found by
 * bisection to the nanosecond; UINT64_MAX if never).
 * Callers: the owner. Ordering: none. Progress: wait-free, O(1) for the
 * heartbeat kind, at most 128 evaluations of phi for the accrual kind.
 */
uint64_t rc_fd_deadline(const rc_fd_t *fd, unsigned peer);

/*
 * Watches peer afresh from now_ns, as if the detector had just been
 * created then: for when another process takes the peer's place (a new
 * leader behind "the leader") or the owner picks the timeout itself (a
 * random election timeout). Heartbeat kind: the timeout becomes
 * timeout_ns (0: the peer is suspected from now_ns on, until the next
 * reset, and arrivals retract nothing). Accrual kind:
 * timeout_ns is ignored and the window starts over with one gap of
 * interval_ns. The counts are kept.
 * Callers: the owner. Ordering: none. Progress: wait-free, O(1).
 */
void rc_fd_reset(rc_fd_t *fd, unsigned peer, uint64_t now_ns,
		 uint64_t timeout_ns);

/* The time of the peer's last arrival (or of the creation or reset).
 * Callers: the owner. Ordering: none. Progress: wait-free, O(1). */
uint64_t rc_fd_last(const rc_fd_t *fd, unsigned peer);

/* The peer's timeout now (heartbeat kind; 0 for the accrual kind).
 * Callers: the owner. Ordering: none. Progress: wait-free, O(1). */
uint64_t rc_fd_timeout(const rc_fd_t *fd, unsigned peer);

/*
 * The counts at now_ns: suspicions include those in force at now_ns.
 * Callers: the owner. Ordering: none. Progress: wait-free, O(npeers).
 */
void rc_fd_stats(const rc_fd_t *fd, uint64_t now_ns, struct rc_fd_stats *st);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_FD_H */
