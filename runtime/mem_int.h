/* SPDX-License-Identifier: MIT */
/* mem_int.h: the memory objects' structures, the helpers every level shares, and the calls from mem.c into the levels. */
#ifndef RC_RUNTIME_MEM_INT_H
#define RC_RUNTIME_MEM_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/mem.h>

#define RC_CACHELINE 64
#define STAMP_BITS 6 /* replica id in a causal stamp; 2^6 == max replicas */
/*
 * Threaded SC: the log's entries not yet applied by every replica, at
 * most, and per segment (log2). A test build may make them small to
 * reach the bound quickly (powers of 2, at least two segments).
 */
#ifndef SC_LOG_ENTRIES
#define SC_LOG_ENTRIES RC_MEM_SC_LOG
#endif
#ifndef SC_SEG_SHIFT
#define SC_SEG_SHIFT 12
#endif
_Static_assert((SC_LOG_ENTRIES & (SC_LOG_ENTRIES - 1)) == 0 &&
		       SC_LOG_ENTRIES >> SC_SEG_SHIFT >= 2,
	       "the SC log is a power of 2 and holds two segments");
/*
 * Threaded CAUSAL: bytes of a sender's log segment; a test build may make
 * it small so that replicas are dropped often (and CLOG_STALE_MIN, in
 * mem_causal.c).
 */
#ifndef CLOG_SEG_BYTES
#define CLOG_SEG_BYTES 32768u
#endif
/*
 * Threaded SC and CAUSAL: a replica's place in the logs it reads
 * (rc_mem_replica.lstate).
 */
#define LOG_IN 1u    /* its owner is inside: reads entries */
#define LOG_STALE 2u /* dropped: its copy is not kept up by the logs */

/* A location of the one copy (LIN, TSO), alone on its cache line. */
struct slot {
	_Atomic uint64_t v;
	char pad[RC_CACHELINE - sizeof(uint64_t)];
};

/* TSO: a buffered store; born is the owner's operation count then. */
struct tso_entry {
	unsigned loc;
	uint64_t val;
	uint64_t born;
};

/* SC: log entries. */
enum sc_op { SC_STORE = 0, SC_FADD = 1, SC_XCHG = 2, SC_CAS = 3 };

/*
 * Two entries share a cache line: writers of neighbouring entries contend
 * for it once, while every replica reads the log sequentially, which the
 * packing helps (Node Replication packs its log the same way).
 */
struct sc_entry {
	_Atomic uint64_t ready; /* index + 1 once published */
	uint32_t op;
	uint32_t loc;
	uint64_t a, b;
};

struct sc_seg {
	_Atomic unsigned passed; /* replicas that applied all of it */
	struct sc_entry e[];
};

/*
 * The log's directory is a ring of ndir slots: segment k lives in slot
 * k % ndir. A slot serves one segment at a time: serves is the number of
 * the segment it holds or will hold next, and moves on by ndir when that
 * segment is freed; a writer that needs a later segment waits for it.
 */
struct sc_slot {
	_Atomic(struct sc_seg *) seg;
	_Atomic uint64_t serves;
};

/*
 * CAUSAL: one write in its sender's log. vc is the sender's vector clock
 * after the write without the sender's own component, which is the
 * entry's index + 1; so an entry takes 16 + 8n bytes, and two share a
 * cache line when there are two replicas.
 */
struct clog_entry {
	uint64_t val;
	uint64_t stamp; /* Lamport time << STAMP_BITS | sender */
	uint32_t loc;
	uint32_t flags; /* CLOG_DEP */
	/* n - 1 components: k < sender at k, k > sender at k - 1 */
	uint64_t vc[];
};

/*
 * EVENTUAL: an entry a replica applies only once it holds the entry's
 * whole clock (a write of a session with monotonic writes or writes
 * follow reads, see mem_session.c); without it, as soon as it is
 * published.
 */
#define CLOG_DEP 1u

/*
 * EVENTUAL multi-value registers: the writes to one location that a
 * replica holds and that no other write it holds happens after (the
 * siblings), each as 2 + n words: value, stamp, vector clock (the
 * writer's clock after the write). NULL: no write to the location yet.
 */
struct mv_set {
	uint32_t n, cap;
	uint64_t w[];
};

/*
 * A segment of a sender's log: a header line, then cseg_n entries of
 * cstride bytes. The sender links the next segment before it publishes
 * the next segment's first entry; a reader moves on when it reaches that
 * entry, and the last of the n - 1 readers to move on hands the segment
 * back to the sender (spare).
 */
struct clog_seg {
	struct clog_seg *next;
	uint64_t first;		 /* index of the first entry */
	_Atomic unsigned passed; /* readers that moved past it */
} __attribute__((aligned(RC_CACHELINE)));

struct rc_mem_replica {
	rc_mem_t *mem;
	enum rc_level level; /* the object's, beside the handle: */
	struct slot *shared; /* a LIN load reads one line of r first */
	unsigned nlocs;
	bool exploring; /* the object's RC_MEM_EXPLORE, on r's own line */
	unsigned id;
	_Atomic bool bound;
	/*
	 * Threaded SC: LOG_IN while the owner reads the log, LOG_STALE once
	 * the replica was dropped from it (offline, or idle and too far
	 * behind); the owner sets and clears LOG_IN, a reclaimer sets
	 * LOG_STALE only while LOG_IN is clear, the owner clears it when it
	 * takes the checkpoint (sc_resync).
	 */
	_Atomic unsigned lstate;
	uint64_t ops;	   /* operations issued: the TSO drain clock */
	uint64_t wrote_at; /* ops at the replica's last write or RMW */
	/*
	 * Threaded SC and CAUSAL: a load whose operation count is below
	 * look reads the copy and nothing else; 0 (TSO, explore mode, and
	 * after a write) sends every load through the full path.
	 */
	uint64_t look;
	/* TSO */
	struct tso_entry *buf;
	unsigned bhead, bn;
	/* SC and CAUSAL: the replica's copy */
	uint64_t *copy;
	/* SC */
	uint64_t applied;  /* entries applied to copy */
	uint64_t last_own; /* index + 1 of the own last entry, 0: none */
	/* CAUSAL */
	uint64_t *vc;		/* writes applied per replica: vc[s] is
				   also r's position in s's log */
	uint64_t lamport;	/* largest Lamport time applied */
	uint64_t *stamp;	/* per location, of the value held */
	struct clog_seg **rseg; /* per sender, the segment r reads */
	struct clog_seg *wseg;	/* the segment of its own log it appends to */
	struct clog_seg *nseg;	/* set aside for the next one, or NULL */
	struct mv_set **sibs;	/* EVENTUAL with RC_MEM_MVR: per location */
	/*
	 * Threaded CAUSAL: r's positions (vc) as of its last exit from the
	 * logs, for the reclaimer; and whether r moved to a new segment
	 * (read or written) since it last reclaimed.
	 */
	_Atomic uint64_t *pos;
	bool crossed;
	/*
	 * CAUSAL: the entries of the replica's own log that the others may
	 * read (vc[id] once the write's entry is written), stored by the
	 * owner alone and read by the others when they take writes in; on a
	 * line of its own so the owner's other fields stay private.
	 * Threaded SC: the entries the replica has applied, as of its last
	 * exit from the log, for the reclaimer.
	 */
	_Atomic uint64_t published __attribute__((aligned(RC_CACHELINE)));
	/*
	 * EVENTUAL: the Lamport time of the replica's last own write, stored
	 * by the owner alone at each write; the others adopt it into their
	 * clocks (clock gossip, mem_ev.c), in threaded mode at their
	 * anti-entropy ticks and in explore mode by RC_MEM_STEP_CLOCK.
	 */
	_Atomic uint64_t wtime;
	/*
	 * CAUSAL: a segment of the replica's log that every other replica
	 * has left, handed back by the last of them for the owner to reuse
	 * (NULL: none), so that a steady stream of writes allocates nothing.
	 */
	_Atomic(struct clog_seg *) spare;
} __attribute__((aligned(RC_CACHELINE)));

struct rc_mem {
	enum rc_level level;
	unsigned nlocs, n, flags;
	struct rc_mem_replica *reps;
	struct slot *shared; /* LIN, TSO */
	/* SC: the log */
	unsigned seg_shift;
	size_t ndir; /* a power of 2 */
	struct sc_slot *dir;
	/*
	 * Threaded SC, under ck_lock: the checkpoint, a copy at log index
	 * ck_at that a stale replica takes instead of the entries freed
	 * before it, and the oldest segment not freed (head_seg).
	 */
	/*
	 * SC: a segment freed by the reclaimer (threaded) or set aside by a
	 * writer before reserving an index, for the next segment to start;
	 * so a writer rarely allocates, and never after its reservation
	 * unless writers raced past the one spare.
	 */
	_Atomic(struct sc_seg *) sc_spare;
	pthread_mutex_t ck_lock;
	bool ck_made;
	uint64_t resyncs; /* stale replicas that took the checkpoint */
	uint64_t *ck_copy;
	uint64_t ck_at, head_seg;
	/*
	 * CAUSAL: the logs' geometry; per location, the stamp of the last
	 * write issued to it (a write's compare-exchange there is its place
	 * in the location's coherence order), and in explore mode that
	 * write's vector clock.
	 */
	size_t cstride;	 /* bytes per log entry */
	unsigned cseg_n; /* entries per log segment */
	/*
	 * Threaded CAUSAL, under ck_lock: the checkpoint, a replica of no
	 * log of its own that takes in every published write, whose state a
	 * stale replica takes (c_resync); and per sender the oldest segment
	 * not handed back.
	 */
	struct rc_mem_replica *ck_rep;
	struct clog_seg **chead;
	_Atomic uint64_t *last_stamp;
	uint64_t *last_vc; /* explore mode: nlocs rows of n */
	/*
	 * CAUSAL: the fence clock, the join of the clocks of the replicas
	 * at every seq_cst fence so far (n counters); threaded, under
	 * fence_lock.
	 */
	uint64_t *fence_vc;
	pthread_mutex_t fence_lock;
	bool fence_made;
	_Atomic uint64_t tail __attribute__((aligned(RC_CACHELINE)));
	char pad[RC_CACHELINE - sizeof(uint64_t)];
};

static inline bool explore(const rc_mem_t *m)
{
	return (m->flags & RC_MEM_EXPLORE) != 0;
}

/* The levels whose replicas read each other's logs: CAUSAL, EVENTUAL. */
static inline bool has_logs(enum rc_level level)
{
	return level == RC_CAUSAL || level == RC_EVENTUAL;
}

/*
 * Zeroed memory of whole cache lines, so that the arrays of different
 * replicas (copies, clocks, buffers) never share a line. NULL without
 * memory; freed with free().
 */
static inline void *lines_alloc(size_t n, size_t size)
{
	size_t bytes =
		(n * size + RC_CACHELINE - 1) & ~(size_t)(RC_CACHELINE - 1);
	void *p;

	if (bytes == 0)
		bytes = RC_CACHELINE;
	if (posix_memalign(&p, RC_CACHELINE, bytes) != 0)
		return NULL;
	memset(p, 0, bytes);
	return p;
}

/* ---- read lag: when a threaded SC or CAUSAL load looks past the copy ---- */

/*
 * Threaded mode: a load that has gone RC_MEM_READ_LAG operations without
 * looking beyond the copy looks now.
 */
static inline bool read_lag_due(const struct rc_mem_replica *r)
{
	return !r->exploring && r->ops >= r->look;
}

/* After a write or RMW: the next loads take the full path (read_fresh). */
static inline void wrote(struct rc_mem_replica *r)
{
	r->wrote_at = r->ops;
	r->look = 0;
}

/*
 * After a threaded SC or CAUSAL load took the full path: when the next
 * one must take it too (while r wrote recently, the very next; otherwise
 * RC_MEM_READ_LAG operations on).
 */
static inline void next_look(struct rc_mem_replica *r)
{
	if (r->exploring)
		return;
	r->look =
		r->ops +
		(r->ops - r->wrote_at < RC_MEM_READ_LAG ? 1 : RC_MEM_READ_LAG);
}

/*
 * Threaded mode: r wrote within its last RC_MEM_READ_LAG operations, so it
 * takes in everything at its loads too (it would at its next write
 * anyway, and it touches the shared structures at its writes already).
 */
static inline bool read_fresh(const struct rc_mem_replica *r)
{
	return !r->exploring && r->ops - r->wrote_at <= RC_MEM_READ_LAG;
}

/*
 * Threaded SC and CAUSAL: r's owner marks itself inside the logs it
 * reads (each level's enter, _rc_mem_sc_enter and _rc_mem_causal_enter);
 * true when a reclaimer had dropped r, which must then take the
 * checkpoint.
 */
static inline bool log_mark_in(struct rc_mem_replica *r)
{
	/* Acq_rel: pairs with the reclaimer's compare-exchange: either it
	 * sees LOG_IN and leaves r in, or this sees LOG_STALE. */
	return (atomic_fetch_or_explicit(&r->lstate, LOG_IN,
					 memory_order_acq_rel) &
		LOG_STALE) != 0;
}

/* Threaded SC and CAUSAL: r's owner has left the logs it reads. */
static inline void log_mark_out(struct rc_mem_replica *r)
{
	/* Release: r's reads of the logs happen before a reclaimer's
	 * acquire of lstate that then drops r and frees them. */
	atomic_store_explicit(&r->lstate, 0, memory_order_release);
}

/* ---- SC: the log's geometry ---- */

static inline size_t seg_entries(const rc_mem_t *m)
{
	return (size_t)1 << m->seg_shift;
}

/* ---- CAUSAL: reading the senders' logs ---- */

static inline struct clog_entry *
c_seg_entry(const rc_mem_t *m, const struct clog_seg *g, uint64_t idx)
{
	return (struct clog_entry *)((char *)(g + 1) +
				     (idx - g->first) * m->cstride);
}

/* Component k of the vector clock of entry idx of sender s's log. */
static inline uint64_t c_entry_vc(const struct clog_entry *e, unsigned s,
				  uint64_t idx, unsigned k)
{
	return k == s ? idx + 1 : e->vc[k - (k > s)];
}

/*
 * The segment holding entry idx, walking on from g (which holds an entry
 * at or before idx). Every segment up to idx's is linked once the sender
 * has published idx.
 */
static inline const struct clog_seg *
c_seg_find(const rc_mem_t *m, const struct clog_seg *g, uint64_t idx)
{
	while (idx - g->first >= m->cseg_n)
		g = g->next;
	return g;
}

/* How many entries of s's log are published. */
static inline uint64_t c_published(const rc_mem_t *m, unsigned s)
{
	/* Acquire: the entries below the count; pairs with the release
	 * store in c_append. */
	return atomic_load_explicit(
		&((struct rc_mem_replica *)&m->reps[s])->published,
		memory_order_acquire);
}

/* ---- TSO (mem_tso.c) ---- */

void _rc_mem_tso_drain_one(struct rc_mem_replica *r);
void _rc_mem_tso_drain_all(struct rc_mem_replica *r);
void _rc_mem_tso_tick(struct rc_mem_replica *r);
uint64_t _rc_mem_tso_load(struct rc_mem_replica *r, unsigned loc);
void _rc_mem_tso_store(struct rc_mem_replica *r, unsigned loc, uint64_t v);

/* ---- SC (mem_sc.c) ---- */

void _rc_mem_sc_enter(struct rc_mem_replica *r);
void _rc_mem_sc_leave(struct rc_mem_replica *r);
int _rc_mem_sc_append(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		      uint64_t a, uint64_t b, uint64_t *idxp);
bool _rc_mem_sc_apply_one(struct rc_mem_replica *r, bool wait, uint64_t *old);
void _rc_mem_sc_apply_upto(struct rc_mem_replica *r, uint64_t upto);
void _rc_mem_sc_apply_published(struct rc_mem_replica *r);
void _rc_mem_sc_catch_up(struct rc_mem_replica *r);
int _rc_mem_sc_rmw(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		   uint64_t a, uint64_t b, uint64_t *old);

/* ---- CAUSAL (mem_causal.c) ---- */

struct clog_seg *_rc_mem_causal_log_oldest(const rc_mem_t *m, unsigned s);
void _rc_mem_causal_log_free(rc_mem_t *m, unsigned s);
int _rc_mem_causal_logs_init(rc_mem_t *m);
void _rc_mem_causal_enter(struct rc_mem_replica *r);
void _rc_mem_causal_leave(struct rc_mem_replica *r);
int _rc_mem_causal_write(struct rc_mem_replica *r, unsigned loc, uint64_t v);
int _rc_mem_causal_rmw(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		       uint64_t a, uint64_t b, bool *done, uint64_t *oldp);
uint64_t _rc_mem_causal_take(struct rc_mem_replica *r, uint64_t max);
void _rc_mem_causal_tick(struct rc_mem_replica *r);
void _rc_mem_causal_lag_tick(struct rc_mem_replica *r);
bool _rc_mem_causal_head_ready(const struct rc_mem_replica *r, unsigned s);
void _rc_mem_causal_deliver(struct rc_mem_replica *r, unsigned s);
void _rc_mem_causal_fence_sc(struct rc_mem_replica *r);
int _rc_mem_causal_room(struct rc_mem_replica *r);
void _rc_mem_causal_append(struct rc_mem_replica *r, unsigned loc, uint64_t v,
			   unsigned flags);

/* ---- EVENTUAL (mem_ev.c) ---- */
bool _rc_mem_ev_clock_behind(const struct rc_mem_replica *r, unsigned s);
void _rc_mem_ev_clock_adopt(struct rc_mem_replica *r, unsigned s);

int _rc_mem_ev_write(struct rc_mem_replica *r, unsigned loc, uint64_t v,
		     unsigned flags);
int _rc_mem_ev_rmw(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		   uint64_t a, uint64_t b, unsigned flags, bool *done,
		   uint64_t *oldp);
void _rc_mem_ev_tick(struct rc_mem_replica *r);

/* ---- EVENTUAL multi-value registers (mem_mv.c) ---- */

bool _rc_mem_mv_reserve(struct rc_mem_replica *r, unsigned loc, uint32_t want);
void _rc_mem_mv_own(struct rc_mem_replica *r, unsigned loc, uint64_t v,
		    uint64_t st);
bool _rc_mem_mv_apply(struct rc_mem_replica *r, unsigned s, uint64_t idx,
		      const struct clog_entry *e);
int _rc_mem_mv_copy(struct rc_mem_replica *d, const struct rc_mem_replica *s);
void _rc_mem_mv_free(struct rc_mem_replica *r);
unsigned _rc_mem_mv_values(const struct rc_mem_replica *r, unsigned loc,
			   uint64_t *vals, unsigned max);
static inline size_t mv_words(const rc_mem_t *m)
{
	return 2 + (size_t)m->n;
}

/* ---- writes and RMWs with entry flags (mem.c), for the sessions ---- */

int _rc_mem_write(struct rc_mem_replica *r, unsigned loc, uint64_t v,
		  rc_order_t order, unsigned cflags);
/* An RMW (rc_mem_cas, rc_mem_fetch_add, rc_mem_exchange) whose write, at
 * EVENTUAL, carries cflags; *done: whether a CAS wrote (may be NULL). */
int _rc_mem_rmw(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		uint64_t a, uint64_t b, unsigned cflags, bool *done,
		uint64_t *oldp);

/* ---- state (mem_state.c) ---- */

int _rc_mem_state_clone(rc_mem_t *d, const rc_mem_t *s);

/* For tests: how many times a dropped replica took the checkpoint. */
uint64_t _rc_mem_resyncs(rc_mem_t *m);

#endif /* RC_RUNTIME_MEM_INT_H */
