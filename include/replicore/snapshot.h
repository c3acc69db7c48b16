/* SPDX-License-Identifier: MIT */
/* replicore/snapshot.h: Chandy-Lamport consistent snapshots of a bank whose processes, one thread each, transfer money over channels. */
#ifndef REPLICORE_SNAPSHOT_H
#define REPLICORE_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include <replicore/err.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A bank of nprocs processes, each a thread with its own process id
 * (0..nprocs-1), that share no memory for it: each holds a balance and
 * sends transfers to the others over one rc_chan inbox per process
 * (replicore/chan.h), FIFO per sender. Any process may start a snapshot
 * (Chandy and Lamport, "Distributed Snapshots: Determining Global States
 * of Distributed Systems", ACM TOCS 3(1), 1985): it records its balance
 * and sends a marker on every outgoing channel before anything else; a
 * process records its balance at the first marker of the snapshot it
 * receives and sends its own markers; the transfers that reach it on a
 * channel after it recorded and before that channel's marker are the
 * channel's recorded state. The recorded balances plus the channel
 * states add up to the bank's total, and the cut is consistent: no
 * transfer received in it was sent outside it. The step machine is the
 * one replicore sim snapshot runs (protocols/snapshot/snapshot.c).
 *
 * The cut is also kept as numbers: the transfers rc_snap_transfer
 * accepted from p to q are numbered 1, 2, ... on channel p -> q, and
 * each process notes, when it records a snapshot, how many it had sent
 * on each outgoing channel and applied from each incoming one
 * (rc_snap_result), so a caller can check consistency without trusting
 * the algorithm: applied from p at q <= sent to q at p, for every pair.
 *
 * A process acts only inside the calls below: the markers and transfers
 * sent to it wait in its inbox until it calls rc_snap_serve (or another
 * call that serves), so a snapshot completes only as fast as every
 * process serves.
 *
 * Who may call what: each process id is used by one thread at a time
 * (its own); calls for different ids run concurrently. Calling with one
 * id from two threads at once is a programmer error.
 *
 * Ordering: a transfer is sent with rc_chan's release and received with
 * its acquire, so what the sender wrote before rc_snap_transfer is
 * visible to the receiver's thread after the call that applied it; the
 * bank gives no ordering beyond its messages.
 */
typedef struct rc_snap rc_snap_t;

/* Processes in a bank, snapshots in its life, the largest transfer. */
#define RC_SNAP_MAX_PROCS 64
#define RC_SNAP_MAX_TAKEN 64
#define RC_SNAP_MAX_AMOUNT ((INT64_C(1) << 23) - 1)

/*
 * Deliberately broken variants for tests, as in replicore sim snapshot
 * --broken: NO_CHANNELS records the balances at the markers but no
 * channel state (money in flight is lost); LATE_MARKERS sends a
 * process's markers 50 us after it recorded, at its next serve, behind
 * transfers it sent meanwhile (an inconsistent cut).
 */
enum rc_snap_flags {
	RC_SNAP_BROKEN_NO_CHANNELS = 1,
	RC_SNAP_BROKEN_LATE_MARKERS = 2,
};

/*
 * Creates a bank of nprocs processes (2..RC_SNAP_MAX_PROCS), each holding
 * balance (0..2^40), running Chandy-Lamport or, with flags, one broken
 * variant. Returns 0, -RC_EINVAL or -RC_ENOMEM.
 * Callers: one thread, before any other call on the bank.
 * Ordering: none of its own; the threads that use the bank must get *out
 * through something that orders it (pthread_create, a release store).
 * Progress: blocking (allocates nprocs inboxes of 64 nprocs slots).
 */
int rc_snap_create(rc_snap_t **out, unsigned nprocs, int64_t balance,
		   unsigned flags, rc_err_t *err);

/*
 * Frees the bank. Callers: one thread, after every other call returned
 * and is ordered before this one (pthread_join). Ordering: none.
 * Progress: blocking (frees memory).
 */
void rc_snap_destroy(rc_snap_t *b);

/*
 * Process proc sends amount (1..RC_SNAP_MAX_AMOUNT) to process to: it
 * leaves proc's balance at once and is applied at `to` when `to` serves.
 * Returns false, sending nothing, when to == proc, the amount is out of
 * range or the balance is short. Does not serve proc's inbox.
 * Callers: proc's own thread, before its rc_snap_finish.
 * Ordering: release (the channel's send); pairs with the acquire of the
 * receive in the serve that applies it.
 * Progress: never waits for another process: the transfer joins the
 * channel's queue and goes out at once when fewer than 16 messages on
 * the channel are unacknowledged, else when an acknowledgement comes
 * (each message sent is a multi-sender channel send: lock-free, with
 * rc_chan's spin of about 1 us for an earlier sender's publication).
 */
bool rc_snap_transfer(rc_snap_t *b, unsigned proc, unsigned to, int64_t amount);

/*
 * Process proc starts a new snapshot: records its balance and sends its
 * markers (with RC_SNAP_BROKEN_LATE_MARKERS, at its first serve 50 us
 * later). Returns the snapshot's number (0..RC_SNAP_MAX_TAKEN-1), or
 * -RC_ENOMEM when the bank has no room for another (it already started
 * RC_SNAP_MAX_TAKEN: each process keeps a record per snapshot).
 * Callers: proc's own thread, before its rc_snap_finish.
 * Ordering: the number comes from a relaxed fetch-and-add (numbers are
 * unique, nothing else is published through it); the markers are
 * releases, as transfers.
 * Progress: never waits for another process; bounded as rc_snap_transfer
 * times nprocs - 1.
 */
int rc_snap_take(rc_snap_t *b, unsigned proc);

/*
 * Process proc handles what is in its inbox now (applies transfers,
 * records snapshots at their first marker, acknowledges) and sends late
 * markers that are due, without waiting for more. Returns the messages
 * handled.
 * Callers: proc's own thread. Ordering: acquire per message taken,
 * pairing with its sender's send; what it sends is a release.
 * Progress: never waits for another process. Its work is bounded by
 * what the inbox holds: at most 34 messages per other process (16
 * transfers or markers, 16 acknowledgements, 2 of rc_snap_finish).
 */
unsigned rc_snap_serve(rc_snap_t *b, unsigned proc);

/*
 * Process proc stops transferring and taking snapshots, and serves until
 * every process has called rc_snap_finish, every transfer sent in the
 * bank was applied and every snapshot started in it is complete at every
 * process. Then nothing more is sent to proc.
 * Callers: proc's own thread, once, after its last transfer and take.
 * Ordering: acquire of every message it takes, as rc_snap_serve.
 * Progress: blocking, without a bound: it returns only once every other
 * process called rc_snap_finish. It does not spin while it waits: it
 * waits in rc_chan_recv (a spin of about 10 us, then a park in the
 * kernel until a message arrives), or for a late marker's due time.
 */
void rc_snap_finish(rc_snap_t *b, unsigned proc);

/* What process proc recorded in one snapshot (rc_snap_result). */
struct rc_snap_record {
	int64_t state;	  /* its balance when it recorded */
	int64_t channels; /* the transfers recorded on its incoming channels */
	bool complete;	  /* the marker came on every incoming channel */
};

/*
 * Snapshot snap at process proc: returns 0 and fills *r, and when sent and
 * applied are not NULL, sent[j] and applied[j] for every process j (0 at
 * j == proc): the numbers of the last transfer proc had sent to j and
 * applied from j when it recorded snap. -RC_ENOENT when proc never
 * recorded snap, -RC_EINVAL for a bad proc or snap.
 * Callers: proc's own thread, or any thread once proc's calls are ordered
 * before the call (pthread_join after its rc_snap_finish, say).
 * Ordering: none. Progress: wait-free (reads nprocs numbers).
 */
int rc_snap_result(const rc_snap_t *b, unsigned snap, unsigned proc,
		   struct rc_snap_record *r, uint32_t *sent, uint32_t *applied);

/*
 * Process proc's balance. Callers: proc's own thread, or any thread once
 * every rc_snap_finish returned (ordered before, as rc_snap_result).
 * Ordering: none. Progress: wait-free.
 */
int64_t rc_snap_balance(const rc_snap_t *b, unsigned proc);

/*
 * The snapshots started so far. Callers: any thread; exact once every
 * process called rc_snap_finish. Ordering: a relaxed load (a count only).
 * Progress: wait-free.
 */
unsigned rc_snap_taken(const rc_snap_t *b);

/* The processes the bank was created for (never changes). */
unsigned rc_snap_nprocs(const rc_snap_t *b);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_SNAPSHOT_H */
