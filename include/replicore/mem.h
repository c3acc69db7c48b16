/* SPDX-License-Identifier: MIT */
/* replicore/mem.h: shared memory objects at five consistency levels, with explicit propagation steps, and sessions. */
#ifndef REPLICORE_MEM_H
#define REPLICORE_MEM_H

#include <stdbool.h>
#include <stdint.h>

#include <replicore/err.h>
#include <replicore/level.h>
#include <replicore/topo.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An rc_mem is an array of 64-bit locations (all 0 at creation) shared by
 * a domain of replicas, numbered 0..nreplicas-1. Each replica is used by
 * one thread at a time (its owner): calling the operations of one replica
 * from two threads at once is a programmer error. Different replicas may
 * be used by different threads at once.
 *
 * The level (replicore/level.h; an object is made at one of the five
 * below, rc_level_is_object) fixes what a replica's loads can see:
 *
 *   RC_LIN     one copy, every operation a seq_cst atomic: linearizable.
 *   RC_SC      a copy per replica, writes totally ordered by a shared log
 *              and applied by every replica in log order; a load first
 *              applies the log up to the replica's own last write, then
 *              reads the local copy. Sequentially consistent, not
 *              linearizable: a load may be stale, never out of order.
 *   RC_TSO     one shared copy and a FIFO store buffer per replica; a load
 *              forwards from the own buffer, stores drain oldest first,
 *              fences and read-modify-writes drain the buffer first.
 *              x86-TSO (Sewell et al.).
 *   RC_CAUSAL  a copy per replica; a write is stamped with a vector clock
 *              and appended to its replica's log, which every other
 *              replica reads in order, applying an entry once all writes
 *              that happen before it are applied; the writes to one
 *              location are ordered by (Lamport time, replica id), where
 *              a write's time exceeds its replica's clock and the last
 *              write issued to the location, so they are ordered as
 *              issued and copies converge. Strong release/acquire (SRA).
 *   RC_EVENTUAL a copy per replica; every operation is served by the
 *              replica's copy alone and never waits for another replica.
 *              A write is stamped (Lamport time, replica id), its time
 *              one above the replica's clock, applied to the copy and
 *              appended to the replica's log; anti-entropy applies the
 *              others' log entries in each sender's order, with no
 *              regard to causality. Conflicts are resolved per object:
 *              last writer wins by stamp (default), or with RC_MEM_MVR a
 *              multi-value register per location, which keeps the
 *              concurrent writes (vector clocks) until one write
 *              overwrites them (rc_mem_siblings). Per replica the copy
 *              of a location only moves up the stamp order (coherence),
 *              and the copies converge once every write is everywhere.
 *              Store buffering (fenced or not), IRIW and WRC show their
 *              weak outcomes; message passing, 2+2W, R and S do not: a
 *              replica holding a sender's write holds the sender's
 *              earlier ones (the prefix property a version vector
 *              needs), and a write's stamp exceeds every write its
 *              replica holds. RMWs are local to the replica
 *              (below). Sessions (rc_mem_session_create) add the
 *              guarantees of Terry et al. 1994.
 *
 * Propagation is a set of explicit steps (RC_MEM_STEP_*): a TSO replica's
 * oldest buffered store drains, an SC replica applies the next log entry,
 * a causal or eventual replica applies the next entry of one sender's
 * log (at EVENTUAL: an anti-entropy step). In threaded
 * mode (the default) each replica performs its own steps inside its
 * operations, as its level's protocol dictates; the library starts no
 * thread. In explore mode (RC_MEM_EXPLORE) the object is used from one OS
 * thread, nothing ever waits, and a step happens only when an operation
 * needs it to return (an SC load applying up to its own write, a TSO fence
 * or RMW draining, a CAUSAL RMW applying the last write issued to its
 * location and that write's causal past, a CAUSAL seq_cst fence applying
 * the writes the fence clock holds) or when the caller performs it
 * with rc_mem_step(): a scheduler enumerates the enabled steps with
 * rc_mem_steps() and chooses. Since the scheduler may perform those steps
 * one by one before the operation, doing them inside it hides no outcome.
 *
 * Memory: in threaded mode the SC log keeps the entries some replica
 * that is online and inside the 16-segment window (see rc_mem_offline)
 * has not applied, plus a checkpoint copy of the locations; a CAUSAL
 * or EVENTUAL sender's log likewise keeps the entries such a replica, or
 * the checkpoint, has not applied (a segment of about 32 KiB is reused or
 * freed once they all have). So memory stays bounded behind a replica
 * that stops issuing operations or goes offline, and is returned as the
 * others go on. In explore mode nothing is dropped: the SC log holds at
 * most RC_MEM_SC_LOG_EXPLORE entries not applied everywhere (assert),
 * and the causal logs what some replica has not applied.
 */
typedef struct rc_mem rc_mem_t;
typedef struct rc_mem_replica rc_mem_replica_t;

/* The orders an operation may ask for, weakest first. */
typedef enum rc_order {
	RC_RELAXED = 0,
	RC_ACQUIRE = 1,
	RC_RELEASE = 2,
	RC_ACQ_REL = 3,
	RC_SEQ_CST = 4,
} rc_order_t;

/*
 * Memory orders. Stores and fences take an order, because at TSO it
 * changes what they do; loads and read-modify-writes take none, because
 * every level gives them the same whatever the caller asks. The
 * defaults, and what each level gives:
 *
 *   operation   order        LIN      SC       TSO                CAUSAL
 *   load        (none)       seq_cst  SC       TSO load           causal
 *   store       RC_RELEASE   seq_cst  SC       buffered;          causal
 *               (default)                      RC_SEQ_CST: then
 *                                              drains the buffer
 *   cas, fetch_add,
 *   exchange    (none)       seq_cst  SC, in   drains, then one   reads the
 *                                     the log  seq_cst RMW        last write
 *   fence       RC_SEQ_CST   no-op    catches  RC_SEQ_CST drains; applies
 *               (default)             up with  weaker: no-op      what is
 *                                     the log  (as on x86)        published;
 *                                                                 RC_SEQ_CST:
 *                                                                 then an SC
 *                                                                 fence
 *
 *   EVENTUAL, whatever the order: a load reads the replica's copy, a
 *   store writes it and appends to the replica's log, an RMW reads the
 *   copy and writes it (local, not atomic across replicas), a fence
 *   orders nothing (threaded, it is an anti-entropy pass, as
 *   rc_mem_progress; explored, a no-op). What holds is coherence per
 *   location at each replica, each sender's writes applied in the order
 *   issued, and a write's stamp above every write its replica holds;
 *   there is no causality across senders (a load that reads a write
 *   does not make the writes its writer had read visible) and no fence
 *   or seq_cst access restores it. Threaded, a write's entry is
 *   published by a release store and taken in after an acquire load:
 *   what the writer did before the store happens before whatever
 *   follows a load that returns the store's value.
 *
 * The order is the least the caller needs; a level never gives less than
 * its own guarantee. At TSO every load is already an acquire and every
 * store a release (as on x86), so only RC_SEQ_CST stores and fences cost
 * anything. At CAUSAL every access is already release/acquire (SRA has
 * no weaker accesses), and a weaker fence only pulls in the writes the
 * others have published. An RC_SEQ_CST fence there is a seq_cst fence as
 * RC11 (Lahav et al., PLDI 2017) defines it: the object keeps a fence
 * clock, and the fence, as one step, joins its replica's vector clock
 * into it and then applies at the replica every write the fence clock
 * holds (each after its causal past). So the seq_cst fences are totally
 * ordered and a fence's replica holds every write another replica held
 * at an earlier fence: store buffering, R, IRIW and RWC with seq_cst
 * fences between the accesses are forbidden, as in RC11 and in the sra
 * model. It waits for no replica to issue an operation (the writes it
 * applies are published already): only for a lock another seq_cst fence
 * holds while it joins n counters. Cost, measured with a loop of fences
 * on a causal object on this project's 2-core x86 machine (shared with
 * other work, best of 5 runs of 10^6): one thread, 87-99 ns for a
 * seq_cst fence against 44-59 ns for an acq_rel one; two threads
 * fencing at once, 183-206 ns against 74-99 ns (they share the lock's
 * line); two threads each storing then fencing, 370-432 ns against
 * 399-455 ns (the store dominates). The accesses themselves stay SRA:
 * without fences between them, use RC_LIN or RC_SC for sequential
 * consistency.
 */
#define RC_MEM_ORDER_STORE RC_RELEASE
#define RC_MEM_ORDER_FENCE RC_SEQ_CST

/* rc_mem_create flags. */
#define RC_MEM_EXPLORE 0x1u /* one OS thread; steps only on request */
#define RC_MEM_MVR 0x4u	    /* EVENTUAL: multi-value registers */
/* rc_mem_bind flags: RC_RSM_PIN's value and meaning. */
#define RC_MEM_PIN 0x2u /* pin the calling thread to its PU */

#define RC_MEM_MAX_REPLICAS 64u
#define RC_MEM_MAX_LOCS (1u << 20)
/* Stores a TSO buffer holds; a store into a full buffer drains the oldest. */
#define RC_MEM_TSO_DEPTH 32u
/*
 * Threaded TSO: a buffered store drains once its replica has performed
 * this many more operations (or at a fence, an RMW, rc_mem_progress()).
 */
#define RC_MEM_TSO_LAG 8u
/*
 * Threaded SC and CAUSAL: a replica takes in all the others' writes that
 * have been published (the shared log, the senders' logs) at its
 * own writes, RMWs and fences, in rc_mem_progress(), and at its loads
 * while it has written within its last RC_MEM_READ_LAG operations (it
 * would at its next write anyway). A replica that has not written for
 * longer serves its loads from its copy alone, except that once every
 * RC_MEM_READ_LAG operations a load first takes in up to
 * RC_MEM_READ_BATCH of them, or all of them when it finds more than
 * RC_MEM_MAX_BACKLOG not taken in. So a replica that only loads keeps
 * advancing (a load spinning on a location sees a new value once the
 * writes before it are taken in) and usually pays for at most
 * RC_MEM_READ_BATCH / RC_MEM_READ_LAG writes per load; while the others
 * write faster than that it falls behind (its reads are older, never out
 * of order), but never by more than RC_MEM_MAX_BACKLOG writes plus those
 * the others issue during RC_MEM_READ_LAG of its operations: that bounds
 * the SC and CAUSAL log entries it holds back.
 */
#define RC_MEM_READ_LAG 128u
#define RC_MEM_READ_BATCH 4u
#define RC_MEM_MAX_BACKLOG 4096u
/*
 * SC: the log entries some replica has not applied yet, at most, in
 * threaded mode (2^25: 1 GiB of log) and in explore mode.
 */
#define RC_MEM_SC_LOG (1u << 25)
#define RC_MEM_SC_LOG_EXPLORE (1u << 16)

/*
 * Creates an object of nlocs locations (1..RC_MEM_MAX_LOCS) shared by
 * nreplicas replicas (1..RC_MEM_MAX_REPLICAS) at level, all locations 0.
 * Any thread; the new object is published to the replicas' threads by
 * whatever hands them the pointer (pthread_create, a release store).
 * Blocking (allocates). Flags: RC_MEM_EXPLORE, and RC_MEM_MVR at
 * RC_EVENTUAL only (without it, last writer wins). Returns 0,
 * -RC_EINVAL (a count out of range, an unknown flag, RC_MEM_MVR at
 * another level, or a level no object is made at: RC_CC, RC_CM,
 * RC_CCV, the session levels) or -RC_ENOMEM.
 */
int rc_mem_create(rc_mem_t **out, enum rc_level level, unsigned nlocs,
		  unsigned nreplicas, unsigned flags, rc_err_t *err);

/* Frees the object. No thread may be using it or any of its replicas. */
void rc_mem_destroy(rc_mem_t *mem);

enum rc_level rc_mem_get_level(const rc_mem_t *mem);
unsigned rc_mem_nlocs(const rc_mem_t *mem);
unsigned rc_mem_nreplicas(const rc_mem_t *mem);
bool rc_mem_is_explore(const rc_mem_t *mem);

/*
 * Replica id's handle, without binding any thread: the caller takes care
 * that one thread at a time uses it. Wait-free, any thread.
 */
rc_mem_replica_t *rc_mem_replica(rc_mem_t *mem, unsigned id);

/*
 * Binds the calling thread to replica id and brings the replica online.
 * With RC_MEM_PIN in flags, also pins the thread to logical PU pu of the
 * layout topo (rc_topo_pin), as rc_rsm_register does with RC_RSM_PIN:
 * the caller chooses the PU (rc_topo_spread() gives PUs that spread
 * replicas over NUMA nodes first). Without it topo and pu are not used
 * (topo may be NULL), and the caller may pin with rc_topo_pin itself.
 * Any thread, once per replica until rc_mem_unbind; the binding is an
 * acquire that pairs with the release of the previous owner's
 * rc_mem_unbind, so the new owner sees what the previous one did.
 * Blocking: pinning is a system call, and bringing the replica online
 * may wait for a reclaimer's pass (rc_mem_online).
 * Returns 0, -RC_EINVAL (id out of range or already bound, an unknown
 * flag, RC_MEM_PIN without a layout) or the error of rc_topo_pin
 * (-RC_EINVAL: pu not in the layout); on an error nothing is bound.
 */
int rc_mem_bind(rc_mem_t *mem, unsigned id, const rc_topo_t *topo, unsigned pu,
		unsigned flags, rc_mem_replica_t **out, rc_err_t *err);
/*
 * Releases the binding of rc_mem_bind() and takes the replica offline
 * (rc_mem_offline); the owner only. Wait-free.
 */
void rc_mem_unbind(rc_mem_replica_t *r);

/*
 * Offline and online, after liburcu's rcu_thread_offline/online: an owner
 * that stops using its replica for a while takes it offline, and an
 * offline replica holds nobody up and keeps nothing in memory for itself.
 * The owner calls neither operation of the replica in between but
 * rc_mem_online, which brings it back: at SC it takes the writes it
 * missed (from a checkpoint of the log when the entries it lacks were
 * freed), so its next load reads at least every write published before
 * the call. rc_mem_bind brings a replica online, rc_mem_unbind takes it
 * offline; a replica starts online. At SC and CAUSAL the owner may also
 * just stop issuing operations: once its replica lags the log (SC) or
 * the others' logs (CAUSAL) by 16 segments (SC: of 4096 entries; CAUSAL:
 * of about 32 KiB, and at least 16384 entries) it is
 * dropped as if offline, and its next operation takes the checkpoint
 * first. The checkpoint is a copy kept by the replicas that free log
 * segments: each entry is applied to it once more. At TSO offline drains
 * the buffer; at LIN there is nothing to do. r's owner only; offline is
 * wait-free, online blocking (a lock held by a reclaimer for the length
 * of its pass). No-ops in explore mode.
 */
void rc_mem_offline(rc_mem_replica_t *r);
void rc_mem_online(rc_mem_replica_t *r);

unsigned rc_mem_replica_id(const rc_mem_replica_t *r);

/*
 * The operations. All are called by r's owner only, concurrently with the
 * operations of other replicas. loc must be below nlocs (assert).
 * Orders: see the table above. Progress: LIN and TSO operations are
 * lock-free (single atomic instructions, wait-free on x86). SC writes
 * reserve a log slot wait-free and publish it; an SC load or RMW waits
 * for the log entries before its own last write to be published by their
 * writers, so it is blocking (a writer preempted between reserving and
 * publishing delays it). An SC write whose log slot (RC_MEM_SC_LOG
 * entries back) is still held waits for the replicas inside the log that
 * are behind it to apply it (they are applying entries, so it waits for
 * nobody to issue an operation); replicas outside the log that hold it
 * are dropped (rc_mem_offline). In threaded mode, the first SC or
 * CAUSAL operation of a dropped replica that goes beyond its copy takes
 * the checkpoint under a lock, held by a reclaimer for one pass (it
 * applies what the replicas passed to the checkpoint and frees it);
 * apart from that, and from trying that lock after crossing a log
 * segment (and going on when it is taken), CAUSAL loads are wait-free
 * and take no lock: a load reads the senders' published counts (acquire)
 * and applies at most the entries published below them. A CAUSAL store
 * takes no other lock either: one compare-exchange on its location's
 * last-write stamp (it
 * fails only when another write to the location was issued meanwhile,
 * so stores are lock-free), then it writes its entry in its own log and
 * publishes it with a release store of its count. A CAUSAL RMW waits
 * for the last write to its location to be published (already done, or
 * being done by its writer's current store, between that store's
 * compare-exchange and its publication), so it is blocking, and starts
 * over when another write to its location is issued meanwhile. A CAUSAL
 * RC_SEQ_CST fence takes the object's fence lock, which another such
 * fence holds for a join of n counters (no other operation takes it),
 * then applies published writes only: it is blocking on that lock alone,
 * and an offline or dropped replica never holds it up. In explore mode
 * nothing waits. EVENTUAL operations never wait and take no lock but
 * the one a dropped replica's first operation takes to copy the
 * checkpoint, and the one tried (never waited for) after crossing a log
 * segment, both as CAUSAL: a store issues its write locally and appends
 * it to its own log (wait-free but for allocating a log segment), and
 * every RC_MEM_READ_LAG operations one of them performs an anti-entropy
 * pass first (bounded as CAUSAL's loads are, see RC_MEM_READ_LAG).
 */
uint64_t rc_mem_load(rc_mem_replica_t *r, unsigned loc);
/*
 * Returns 0, or -RC_ENOMEM when an SC, CAUSAL or EVENTUAL write needed
 * log space (or, EVENTUAL with RC_MEM_MVR, sibling space)
 * that could not be allocated: then nothing was written, and the object
 * is as before (another store may succeed once memory is back).
 */
int rc_mem_store(rc_mem_replica_t *r, unsigned loc, uint64_t value,
		 rc_order_t order);
/*
 * Read-modify-writes: atomic at every level (no update of another RMW is
 * ever lost). LIN: one seq_cst atomic. TSO: drains, then one seq_cst
 * atomic on the shared copy. SC: one log entry, whose result every replica
 * computes identically when applying it; the caller applies up to it.
 * CAUSAL: the replica first applies the last write issued to loc with
 * its causal past (all of it published already, or being published by a
 * writer's current store: it waits for no replica to issue an
 * operation), then reads it and issues the new value as a causal write
 * ordered right after it, by a compare-exchange on loc's last-write
 * stamp that every write to loc performs; if another write to loc was
 * issued in between, it starts over from that one. So no write, plain or
 * RMW, comes between (SRA's atomicity). A CAUSAL compare-exchange whose
 * expected value differs from the replica's copy fails at once, reading
 * the copy (a stale value, as any CAUSAL load may).
 * EVENTUAL: local to the replica: it reads the copy and issues its
 * write there, atomic at the replica (nothing comes between at it) but
 * not across replicas: two RMWs at two replicas may read the same
 * write, and once the copies converge the later-stamped one wins (two
 * concurrent fetch_adds of 1 leave one increment). Use a counter CRDT
 * (replicore/crdt.h) where increments must add up.
 *
 * Each returns a negative code, -RC_ENOMEM, when an SC, CAUSAL or EVENTUAL RMW
 * needed log space that could not be allocated; then nothing was written
 * and *old (or *expected) is untouched.
 *
 * rc_mem_cas: when loc holds *expected, writes desired and returns 1;
 * otherwise stores the value found into *expected and returns 0 (a
 * failed CAS writes nothing, but still drains at TSO and takes a log slot
 * at SC).
 */
int rc_mem_cas(rc_mem_replica_t *r, unsigned loc, uint64_t *expected,
	       uint64_t desired);
/* Adds delta (modulo 2^64); the value before in *old; returns 0. */
int rc_mem_fetch_add(rc_mem_replica_t *r, unsigned loc, uint64_t delta,
		     uint64_t *old);
/* Writes value; the value before in *old; returns 0. */
int rc_mem_exchange(rc_mem_replica_t *r, unsigned loc, uint64_t value,
		    uint64_t *old);
/* A fence of the given order; what it does per level is in the table. */
void rc_mem_fence(rc_mem_replica_t *r, rc_order_t order);

/*
 * EVENTUAL objects made with RC_MEM_MVR: a load of loc (the same
 * operation, same propagation, as rc_mem_load, whose value is the
 * first one here), then the values of all of loc's siblings at the
 * replica, the writes it holds that no write it holds happens after,
 * largest stamp first, at most max of them into vals. Returns how many
 * siblings there are (at most nreplicas: siblings are concurrent, so
 * at most one per writer; 0 when the replica holds no write to loc,
 * which then reads 0), or -RC_EINVAL when the object keeps no siblings.
 * r's owner only; progress as rc_mem_load.
 */
int rc_mem_siblings(rc_mem_replica_t *r, unsigned loc, uint64_t *vals,
		    unsigned max);

/*
 * Performs the propagation replica r can do by itself now, without
 * waiting: TSO drains its whole buffer, SC applies the published log
 * entries, CAUSAL applies the published entries that are causally ready
 * (those that become ready meanwhile too), EVENTUAL applies every
 * published entry (a store of a session with monotonic writes or writes
 * follow reads once r holds the writes it depends on): an anti-entropy
 * pass. For an
 * owner that stops issuing operations but wants its writes to spread.
 * r's owner only; lock-free at TSO, SC, CAUSAL and EVENTUAL. Allowed in explore
 * mode, where it is a request like rc_mem_step.
 */
void rc_mem_progress(rc_mem_replica_t *r);

/* A propagation step. */
enum rc_mem_step_kind {
	RC_MEM_STEP_DRAIN = 0,	 /* TSO: replica's oldest store drains */
	RC_MEM_STEP_APPLY = 1,	 /* SC: replica applies its next log entry */
	RC_MEM_STEP_DELIVER = 2, /* CAUSAL, EVENTUAL: replica applies the
				    next entry of sender `from`'s log */
	RC_MEM_STEP_CLOCK = 3,	 /* EVENTUAL: replica's Lamport clock
				    takes in the time of sender `from`'s
				    last write (a clock-only message) */
};

struct rc_mem_step {
	enum rc_mem_step_kind kind;
	unsigned replica;
	unsigned from; /* DELIVER: the sender; otherwise equal to replica */
};

/*
 * Explore mode only (assert), like everything down to rc_mem_clone: one
 * thread drives an explored object, nothing synchronises, nothing waits.
 * Writes the enabled propagation steps, in a
 * fixed order (by replica, then sender), into steps (at most max of them;
 * steps may be NULL when max is 0) and returns how many are enabled.
 * Deterministic: equal states give equal lists.
 */
unsigned rc_mem_steps(const rc_mem_t *mem, struct rc_mem_step *steps,
		      unsigned max);

/* Explore mode only: how many steps are enabled (rc_mem_steps(mem, NULL, 0)). */
unsigned rc_mem_nsteps(const rc_mem_t *mem);

/* Explore mode only. Performs step: 0, or -RC_EINVAL if it is not enabled. */
int rc_mem_step(rc_mem_t *mem, const struct rc_mem_step *step);

/*
 * Performs every pending propagation step, so that all replicas hold the
 * same values (TSO buffers empty, SC copies at the log tail, every
 * CAUSAL or EVENTUAL log entry applied everywhere and copies converged). Either
 * mode; in threaded mode no
 * operation may run concurrently (the caller has joined or otherwise
 * synchronised with the replicas' threads). Lock-free; returns when done.
 */
void rc_mem_quiesce(rc_mem_t *mem);

/*
 * What replica would read at loc now, performing no step: LIN the one
 * copy, TSO its buffer's newest store to loc or else the shared copy, SC
 * CAUSAL and EVENTUAL its own copy (at SC, possibly without its own latest
 * writes).
 * For tests and final states: no operation on replica may run
 * concurrently (explore mode, or after rc_mem_quiesce and a join).
 */
uint64_t rc_mem_read_replica(const rc_mem_t *mem, unsigned replica,
			     unsigned loc);

/*
 * Whole-state snapshots for exploration, explore mode only. The state is
 * everything that decides future behaviour (copies, buffers, log suffix
 * not yet applied everywhere, CAUSAL log entries not yet applied
 * everywhere, clocks, the CAUSAL fence clock), encoded
 * canonically: two objects in equivalent states hash and compare equal.
 * rc_mem_state_hash is deterministic across runs and machines of the
 * same endianness. rc_mem_clone makes an independent object in the same
 * state (0, or -RC_ENOMEM). None of these modify their arguments, so
 * several threads may hash, compare and clone one object at once while
 * no thread modifies it (a parallel explorer sharing frozen states).
 * Wait-free apart from allocation.
 */
uint64_t rc_mem_state_hash(const rc_mem_t *mem);
bool rc_mem_state_equal(const rc_mem_t *a, const rc_mem_t *b);
int rc_mem_clone(rc_mem_t **out, const rc_mem_t *src, rc_err_t *err);

/*
 * Sessions (Terry et al., PDIS 1994) over EVENTUAL and CAUSAL objects. A
 * session is a client's handle that it uses at any replicas, one
 * operation at a time: it carries a read vector (the join of the version
 * vectors of the replicas it read at) and a write vector (its writes),
 * and each guarantee asked for at creation makes an operation wait until
 * its replica's version vector (its vector clock: the writes it holds
 * per sender) dominates one of them:
 *
 *   RC_MEM_SESSION_RYW  read your writes     a load:  the write vector
 *   RC_MEM_SESSION_MR   monotonic reads      a load:  the read vector
 *   RC_MEM_SESSION_MW   monotonic writes     a store: the write vector
 *   RC_MEM_SESSION_WFR  writes follow reads  a store: the read vector
 *
 * any combination (0: none, the object's own guarantees alone). The
 * bits are 1u << the level that rc_check decides of a recorded history
 * (RC_RYW, RC_MR, RC_MW, RC_WFR), so a history recorded with sessions as
 * its processes passes rc_check at those levels. A store of a session
 * with MW or WFR is, at EVENTUAL, applied at other replicas only after
 * the writes its replica held (at CAUSAL every write is).
 *
 * rc_mem_session_create: any thread; -RC_EINVAL (another level, an
 * unknown bit) or -RC_ENOMEM. rc_mem_session_destroy: no operation of
 * the session may be running.
 */
typedef struct rc_mem_session rc_mem_session_t;

#define RC_MEM_SESSION_RYW (1u << RC_RYW)
#define RC_MEM_SESSION_MR (1u << RC_MR)
#define RC_MEM_SESSION_MW (1u << RC_MW)
#define RC_MEM_SESSION_WFR (1u << RC_WFR)

int rc_mem_session_create(rc_mem_session_t **out, rc_mem_t *mem,
			  unsigned guarantees, rc_err_t *err);
void rc_mem_session_destroy(rc_mem_session_t *s);
unsigned rc_mem_session_guarantees(const rc_mem_session_t *s);

/*
 * A load or store of session s at replica r: called by r's owner, and by
 * one thread at a time per session (a session moves between threads by
 * whatever hand-off orders the two, a mutex or a barrier). Orders as
 * rc_mem_load and rc_mem_store. Threaded, the operation first takes in
 * the others' published writes until r holds what the guarantees need:
 * those writes are published already, so it waits for no replica to
 * issue an operation (only, at CAUSAL, for a sender between writing an
 * entry and publishing it); blocking in that sense, lock-free otherwise.
 * In explore mode it performs no step: it returns -RC_EAGAIN (nothing
 * done) while r does not hold them, and the scheduler delivers first
 * (rc_mem_session_ready says when). Returns 0, -RC_EAGAIN, or
 * -RC_ENOMEM (store: as rc_mem_store).
 */
int rc_mem_session_load(rc_mem_session_t *s, rc_mem_replica_t *r, unsigned loc,
			uint64_t *val);
int rc_mem_session_store(rc_mem_session_t *s, rc_mem_replica_t *r, unsigned loc,
			 uint64_t value, rc_order_t order);

/*
 * RMWs of session s at replica r, as rc_mem_cas, rc_mem_fetch_add and
 * rc_mem_exchange at r (at EVENTUAL atomic at r only), served once r
 * holds what both a load and a store of s need (the union of the
 * guarantees' vectors): with read your writes, an RMW reads the
 * session's last write or a later one wherever it runs, so one session's
 * fetch_adds at any replicas lose none of its own increments. Who may
 * call, ordering and waiting as rc_mem_session_load and store. Returns
 * as the RMW does (rc_mem_session_cas: 1 or 0), or -RC_EAGAIN (explore
 * mode, nothing done) or -RC_ENOMEM.
 */
int rc_mem_session_cas(rc_mem_session_t *s, rc_mem_replica_t *r, unsigned loc,
		       uint64_t *expected, uint64_t desired);
int rc_mem_session_fetch_add(rc_mem_session_t *s, rc_mem_replica_t *r,
			     unsigned loc, uint64_t delta, uint64_t *old);
int rc_mem_session_exchange(rc_mem_session_t *s, rc_mem_replica_t *r,
			    unsigned loc, uint64_t value, uint64_t *old);

/*
 * Whether a load (write false) or store (true) of s at r would be served
 * now without taking in any write. r's owner, or the explorer's thread.
 */
bool rc_mem_session_ready(const rc_mem_session_t *s, const rc_mem_replica_t *r,
			  bool write);

/* The session's read and write vectors (nreplicas words each; either
 * may be NULL). The session's thread. */
void rc_mem_session_vectors(const rc_mem_session_t *s, uint64_t *rv,
			    uint64_t *wv);

#ifdef __cplusplus
}
#endif

#endif /* REPLICORE_MEM_H */
