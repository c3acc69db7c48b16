/* SPDX-License-Identifier: MIT */
/* mem.c: the memory objects at four levels: one copy, a shared log, store buffers and causal delivery. */

/*
 * Four protocols over one replica structure.
 *
 * LIN keeps one copy of seq_cst atomics: every operation takes effect at
 * one instant between its call and its return (Herlihy and Wing 1990).
 *
 * SC follows the shared-log construction (state machine replication,
 * Lamport 1978; Node Replication, Calciu et al. 2017, without combining):
 * a writer reserves the next log index with one fetch_add on the tail and
 * publishes its entry there; every replica applies entries to its own copy
 * strictly in index order. Invariant: replica r's copy is the result of
 * applying log[0 .. applied_r) to the zero state, and applied_r never
 * decreases. A load first makes applied_r exceed r's own last entry, then
 * reads the copy. Why it is SC: order the writes by log index and put each
 * load right after the prefix it read; each replica's loads see growing
 * prefixes that contain its own earlier writes, and its later writes get
 * indexes beyond the prefix it saw (the tail is past applied_r), so the
 * order respects every replica's program order. It is not linearizable: a
 * load may read a prefix that misses writes already returned elsewhere.
 * RMWs are log entries too: applying one is deterministic, so every
 * replica computes the same result and the issuer reads its own. The
 * log's entries live in segments whose directory is a ring: a segment is
 * freed once every replica has applied it, and its slot then serves the
 * segment a ring's length later; a writer that finds its slot still held
 * waits for the replica furthest behind (RC_MEM_SC_LOG entries back).
 *
 * TSO is x86-TSO's abstract machine (Sewell, Sarkar, Owens, Zappa Nardelli
 * and Myreen, CACM 2010): one shared copy, and per replica a FIFO buffer
 * of stores that only its owner drains. A load returns the newest buffered
 * store to its location, else the shared copy. The shared copy is accessed
 * with seq_cst atomics so that it is one total order even on hardware
 * weaker than x86; all the relaxation comes from the buffer.
 *
 * CAUSAL is causal delivery with vector clocks (Birman, Schiper and
 * Stephenson 1991; Ahamad et al., "Causal memory", 1995) plus last-writer-
 * wins by (Lamport time, replica id) for convergence. A write at r ticks
 * vc_r[r], is applied at r, and is appended to r's log stamped with vc_r
 * and its Lamport time, which exceeds both r's clock and the time of the
 * last write issued to the location (kept per location in one word, which
 * the write replaces by compare-exchange). Every other replica q reads
 * r's log in order, and its position there is vc_q[r]: q applies the
 * entry at its position once e.vc[k] <= vc_q[k] for every k other than r
 * (for r itself e.vc[r] == vc_q[r] + 1 holds by position): the delivery
 * rule. Invariant: vc_q[s] counts the writes of s applied at q, and they
 * are applied in s's order after everything they depend on; so every
 * copy is a causally closed set of writes. A write replaces the copy's
 * value only when its (Lamport, id) stamp is larger. The stamps of one
 * location's writes grow in the order the writes are issued (each
 * exceeds the last: the order of the compare-exchanges), so that order
 * is the coherence order co; and a write that happens after another has
 * a larger Lamport time, so po | rf | co follows the Lamport order and is
 * acyclic: strong release/acquire (Lahav et al., POPL 2016). Two replicas
 * holding the same set of writes hold the same values (convergence).
 *
 * A sender's log is single-writer and append-only: entries of 16 + 8n
 * bytes (the clock without the sender's own component, which is the
 * index + 1), in segments of about 32 KiB. The sender writes an entry
 * once and publishes it with a release store of its count of entries;
 * a reader loads that count with acquire once per batch and applies the
 * entries below it. A reader moves to the next segment when it reaches
 * its first entry (the sender linked it before publishing that entry),
 * and the last of the n - 1 readers to leave a segment hands it back to
 * the sender, which reuses it for its next segment (it keeps one spare
 * and frees the others), so a steady stream of writes allocates
 * nothing. The logs are unbounded: a bounded one would make a writer
 * wait for a replica that may have stopped issuing operations.
 *
 * Causal memory has no atomic read-modify-write of its own. Here an RMW
 * reads the stamp of the last write issued to its location, applies that
 * write with its causal past (already published, or being published by
 * a writer between its compare-exchange and its release store, so this
 * needs no other replica to issue an operation), reads it and issues its
 * write with a compare-exchange from that stamp: if any write to the
 * location was issued in between, the exchange fails and the RMW starts
 * over from the newer write. So its write is co-right-after the write it
 * read, and no write, plain or RMW, comes between. A CAS whose expected
 * value differs from the replica's copy fails on the copy: a read of the
 * copy, which SRA allows.
 *
 * Modes. Threaded: each replica performs its own steps inside its
 * operations (TSO drains stores older than RC_MEM_TSO_LAG operations; SC
 * and CAUSAL apply what the others published at writes, RMWs, fences, at
 * the loads of a replica that wrote recently, and in bounded batches
 * every RC_MEM_READ_LAG operations, so that the loads of a replica that
 * only reads touch nothing shared, except that such a load that finds
 * more than RC_MEM_MAX_BACKLOG writes not taken in (SC: the tail against
 * the applied index; CAUSAL: the senders' published counts against the
 * vector clock) takes in all of them, which bounds the log a reader
 * holds back); no thread of our own. Explore: the same structures in one
 * OS thread, with steps run only when asked (rc_mem_step) or when an
 * operation cannot return without them; the canonical encoding at the
 * end of this file gives the state hash and equality an explorer needs.
 * A CAUSAL step applies the entry at a replica's position in one
 * sender's log; an RMW there applies only the causal past of the write
 * it reads (kept per location in last_vc, in explore mode alone).
 */
#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <replicore/mem.h>

#include "runtime/fault.h"
#include "runtime/wait.h"

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
 * Threaded SC: a replica that is not inside the log and lags the tail by
 * more than this many entries is dropped from it (made stale, see
 * sc_reclaim), so the log behind an idle replica stays this long: 16
 * segments (2 MiB of entries), or half the log when that is shorter.
 */
#define SC_STALE_LAG                                           \
	((uint64_t)(SC_LOG_ENTRIES / 2 < (16u << SC_SEG_SHIFT) \
			    ? SC_LOG_ENTRIES / 2               \
			    : (16u << SC_SEG_SHIFT)))
/*
 * Threaded CAUSAL: bytes of a sender's log segment, and the least lag
 * (in entries) at which a replica outside the logs is dropped; a test
 * build may make them small so that replicas are dropped often.
 */
#ifndef CLOG_SEG_BYTES
#define CLOG_SEG_BYTES 32768u
#endif
#ifndef CLOG_STALE_MIN
#define CLOG_STALE_MIN (4u * RC_MEM_MAX_BACKLOG)
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
	uint32_t unused;
	/* n - 1 components: k < sender at k, k > sender at k - 1 */
	uint64_t vc[];
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
	_Atomic uint64_t tail __attribute__((aligned(RC_CACHELINE)));
	char pad[RC_CACHELINE - sizeof(uint64_t)];
};

static bool explore(const rc_mem_t *m)
{
	return (m->flags & RC_MEM_EXPLORE) != 0;
}

/*
 * Zeroed memory of whole cache lines, so that the arrays of different
 * replicas (copies, clocks, buffers) never share a line. NULL without
 * memory; freed with free().
 */
static void *lines_alloc(size_t n, size_t size)
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

/* ---- CAUSAL: the senders' logs ---- */

/* A new segment whose first entry has index first; NULL without memory. */
static struct clog_seg *c_seg_new(const rc_mem_t *m, uint64_t first)
{
	struct clog_seg *g;

	if (posix_memalign((void **)&g, RC_CACHELINE,
			   sizeof(*g) + m->cseg_n * m->cstride) != 0)
		return NULL;
	g->next = NULL;
	g->first = first;
	atomic_init(&g->passed, 0);
	return g;
}

static struct clog_entry *c_seg_entry(const rc_mem_t *m,
				      const struct clog_seg *g, uint64_t idx)
{
	return (struct clog_entry *)((char *)(g + 1) +
				     (idx - g->first) * m->cstride);
}

/* Component k of the vector clock of entry idx of sender s's log. */
static uint64_t c_entry_vc(const struct clog_entry *e, unsigned s, uint64_t idx,
			   unsigned k)
{
	return k == s ? idx + 1 : e->vc[k - (k > s)];
}

/*
 * The segment holding entry idx, walking on from g (which holds an entry
 * at or before idx). Every segment up to idx's is linked once the sender
 * has published idx.
 */
static const struct clog_seg *c_seg_find(const rc_mem_t *m,
					 const struct clog_seg *g, uint64_t idx)
{
	while (idx - g->first >= m->cseg_n)
		g = g->next;
	return g;
}

/*
 * The oldest segment of s's log some reader still needs, from the
 * readers' positions: no reader runs (explore mode, destroy). NULL when
 * s's log was never made.
 */
static struct clog_seg *c_log_oldest(const rc_mem_t *m, unsigned s)
{
	struct clog_seg *old = m->reps[s].wseg;

	for (unsigned i = 0; i < m->n; i++) {
		struct clog_seg *g =
			m->reps[i].rseg != NULL ? m->reps[i].rseg[s] : NULL;

		if (i != s && g != NULL &&
		    (old == NULL || g->first < old->first))
			old = g;
	}
	return old;
}

/* Frees s's log; no reader or writer runs. */
static void c_log_free(rc_mem_t *m, unsigned s)
{
	/* Threaded, a stale reader's segments may be gone: the reclaimer
	 * knows the oldest one kept. */
	struct clog_seg *g =
		m->chead != NULL ? m->chead[s] : c_log_oldest(m, s);

	while (g != NULL) {
		struct clog_seg *next = g->next;

		free(g);
		g = next;
	}
	m->reps[s].wseg = NULL;
	/* Relaxed: no reader or writer runs. */
	free(atomic_exchange_explicit(&m->reps[s].spare, NULL,
				      memory_order_relaxed));
}

/* Gives every replica an empty log that every other replica reads. */
static int c_logs_init(rc_mem_t *m)
{
	for (unsigned s = 0; s < m->n; s++) {
		m->reps[s].wseg = c_seg_new(m, 0);
		if (m->reps[s].wseg == NULL)
			return -1;
		for (unsigned i = 0; i < m->n; i++)
			if (i != s)
				m->reps[i].rseg[s] = m->reps[s].wseg;
		if (m->ck_rep != NULL) {
			m->ck_rep->rseg[s] = m->reps[s].wseg;
			m->chead[s] = m->reps[s].wseg;
		}
	}
	return 0;
}

/* ---- creation ---- */

static void replica_free(struct rc_mem_replica *r)
{
	free(r->buf);
	free(r->copy);
	free(r->vc);
	free(r->stamp);
	free(r->rseg);
	free((void *)r->pos);
	free(r->nseg);
}

void rc_mem_destroy(rc_mem_t *mem)
{
	if (mem == NULL)
		return;
	if (mem->reps != NULL && mem->level == RC_CAUSAL)
		for (unsigned s = 0; s < mem->n; s++)
			c_log_free(mem, s);
	if (mem->reps != NULL)
		for (unsigned i = 0; i < mem->n; i++)
			replica_free(&mem->reps[i]);
	if (mem->ck_rep != NULL)
		replica_free(mem->ck_rep);
	free(mem->ck_rep);
	free(mem->chead);
	free(mem->reps);
	free(mem->shared);
	if (mem->dir != NULL)
		for (size_t i = 0; i < mem->ndir; i++)
			free(atomic_load_explicit(&mem->dir[i].seg,
						  memory_order_relaxed));
	free(mem->dir);
	free(atomic_load_explicit(&mem->sc_spare, memory_order_relaxed));
	free(mem->ck_copy);
	if (mem->ck_made)
		pthread_mutex_destroy(&mem->ck_lock);
	free(mem->last_stamp);
	free(mem->last_vc);
	free(mem);
}

static int replica_init(rc_mem_t *m, unsigned id)
{
	struct rc_mem_replica *r = &m->reps[id];

	r->mem = m;
	r->level = m->level;
	r->nlocs = m->nlocs;
	r->exploring = explore(m);
	r->id = id;
	switch (m->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		r->buf = lines_alloc(RC_MEM_TSO_DEPTH, sizeof(*r->buf));
		if (r->buf == NULL)
			return -1;
		break;
	case RC_SC:
		r->copy = lines_alloc(m->nlocs, sizeof(*r->copy));
		if (r->copy == NULL)
			return -1;
		break;
	case RC_CAUSAL:
		r->copy = lines_alloc(m->nlocs, sizeof(*r->copy));
		r->stamp = lines_alloc(m->nlocs, sizeof(*r->stamp));
		r->vc = lines_alloc(m->n, sizeof(*r->vc));
		r->rseg = lines_alloc(m->n, sizeof(*r->rseg));
		if (!r->copy || !r->stamp || !r->vc || !r->rseg)
			return -1;
		if (!r->exploring) {
			r->pos = lines_alloc(m->n, sizeof(*r->pos));
			if (r->pos == NULL)
				return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

/* A bare object: everything but the per-level state of the replicas. */
static int mem_alloc(rc_mem_t **out, enum rc_level level, unsigned nlocs,
		     unsigned n, unsigned flags)
{
	rc_mem_t *m;

	if (posix_memalign((void **)&m, RC_CACHELINE, sizeof(*m)) != 0)
		return -1;
	memset(m, 0, sizeof(*m));
	m->level = level;
	m->nlocs = nlocs;
	m->n = n;
	m->flags = flags;
	*out = m;
	if (posix_memalign((void **)&m->reps, RC_CACHELINE,
			   n * sizeof(*m->reps)) != 0) {
		m->reps = NULL;
		return -1;
	}
	memset(m->reps, 0, n * sizeof(*m->reps));
	for (unsigned i = 0; i < n; i++)
		if (replica_init(m, i) < 0)
			return -1;
	if (level == RC_LIN || level == RC_TSO) {
		if (posix_memalign((void **)&m->shared, RC_CACHELINE,
				   nlocs * sizeof(*m->shared)) != 0) {
			m->shared = NULL;
			return -1;
		}
		memset(m->shared, 0, nlocs * sizeof(*m->shared));
		for (unsigned i = 0; i < n; i++)
			m->reps[i].shared = m->shared;
	}
	if (level == RC_SC) {
		/*
		 * Explore mode keeps the directory small, as objects are
		 * cloned often. Both bound the entries not yet applied by
		 * every replica (RC_MEM_SC_LOG_EXPLORE, SC_LOG_ENTRIES).
		 */
		m->seg_shift = (flags & RC_MEM_EXPLORE) ? 6 : SC_SEG_SHIFT;
		m->ndir = (flags & RC_MEM_EXPLORE)
				  ? RC_MEM_SC_LOG_EXPLORE >> 6
				  : SC_LOG_ENTRIES >> SC_SEG_SHIFT;
		m->dir = calloc(m->ndir, sizeof(*m->dir));
		if (m->dir == NULL)
			return -1;
		for (size_t k = 0; k < m->ndir; k++)
			atomic_init(&m->dir[k].serves, k);
		if (!(flags & RC_MEM_EXPLORE)) {
			m->ck_copy = lines_alloc(nlocs, sizeof(*m->ck_copy));
			if (m->ck_copy == NULL ||
			    pthread_mutex_init(&m->ck_lock, NULL) != 0)
				return -1;
			m->ck_made = true;
		}
	}
	if (level == RC_CAUSAL) {
		/*
		 * About 32 KiB per segment in threaded mode; explore mode
		 * keeps them small, as objects are cloned often.
		 */
		m->cstride =
			sizeof(struct clog_entry) + (n - 1) * sizeof(uint64_t);
		m->cseg_n = (flags & RC_MEM_EXPLORE)
				    ? 16
				    : CLOG_SEG_BYTES / m->cstride;
		if (m->cseg_n < 16)
			m->cseg_n = 16;
		m->last_stamp = lines_alloc(nlocs, sizeof(*m->last_stamp));
		if (m->last_stamp == NULL)
			return -1;
		if (!(flags & RC_MEM_EXPLORE)) {
			/* The checkpoint: a replica numbered n, of no log. */
			m->ck_rep = lines_alloc(1, sizeof(*m->ck_rep));
			m->chead = calloc(n, sizeof(*m->chead));
			if (m->ck_rep == NULL || m->chead == NULL)
				return -1;
			m->ck_rep->mem = m;
			m->ck_rep->level = level;
			m->ck_rep->nlocs = nlocs;
			m->ck_rep->id = n;
			m->ck_rep->copy = lines_alloc(nlocs, sizeof(uint64_t));
			m->ck_rep->stamp = lines_alloc(nlocs, sizeof(uint64_t));
			m->ck_rep->vc = lines_alloc(n, sizeof(uint64_t));
			m->ck_rep->rseg = lines_alloc(n, sizeof(void *));
			if (!m->ck_rep->copy || !m->ck_rep->stamp ||
			    !m->ck_rep->vc || !m->ck_rep->rseg ||
			    pthread_mutex_init(&m->ck_lock, NULL) != 0)
				return -1;
			m->ck_made = true;
		}
		if (c_logs_init(m) < 0)
			return -1;
		if (flags & RC_MEM_EXPLORE) {
			m->last_vc =
				calloc((size_t)nlocs * n, sizeof(*m->last_vc));
			if (m->last_vc == NULL)
				return -1;
		}
	}
	return 0;
}

int rc_mem_create(rc_mem_t **out, enum rc_level level, unsigned nlocs,
		  unsigned nreplicas, unsigned flags, rc_err_t *err)
{
	rc_mem_t *m = NULL;

	*out = NULL;
	if ((unsigned)level > RC_CAUSAL)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "unknown memory level %d", (int)level);
	if (nlocs == 0 || nlocs > RC_MEM_MAX_LOCS)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "%u locations is not in 1..%u", nlocs,
				  RC_MEM_MAX_LOCS);
	if (nreplicas == 0 || nreplicas > RC_MEM_MAX_REPLICAS)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "%u replicas is not in 1..%u", nreplicas,
				  RC_MEM_MAX_REPLICAS);
	if (flags & ~RC_MEM_EXPLORE)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "unknown flags %#x", flags);
	if (mem_alloc(&m, level, nlocs, nreplicas, flags) < 0) {
		rc_mem_destroy(m);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	*out = m;
	return 0;
}

enum rc_level rc_mem_get_level(const rc_mem_t *mem)
{
	return mem->level;
}

unsigned rc_mem_nlocs(const rc_mem_t *mem)
{
	return mem->nlocs;
}

unsigned rc_mem_nreplicas(const rc_mem_t *mem)
{
	return mem->n;
}

bool rc_mem_is_explore(const rc_mem_t *mem)
{
	return explore(mem);
}

rc_mem_replica_t *rc_mem_replica(rc_mem_t *mem, unsigned id)
{
	assert(id < mem->n);
	return &mem->reps[id];
}

unsigned rc_mem_replica_id(const rc_mem_replica_t *r)
{
	return r->id;
}

int rc_mem_bind(rc_mem_t *mem, unsigned id, const rc_topo_t *topo, unsigned pu,
		unsigned flags, rc_mem_replica_t **out, rc_err_t *err)
{
	struct rc_mem_replica *r;
	int rc;

	*out = NULL;
	if (id >= mem->n)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "replica %u of %u does not exist", id,
				  mem->n);
	if (flags & ~RC_MEM_PIN)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "unknown bind flags %#x", flags);
	if ((flags & RC_MEM_PIN) && topo == NULL)
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "RC_MEM_PIN without a layout to pin in");
	r = &mem->reps[id];
	/* Acquire: pairs with the release in rc_mem_unbind, so the new
	 * owner sees everything the previous one did. */
	if (atomic_exchange_explicit(&r->bound, true, memory_order_acquire))
		return rc_err_set(err, RC_EINVAL, NULL, 0, 0,
				  "replica %u is already bound", id);
	if (flags & RC_MEM_PIN) {
		rc = rc_topo_pin(topo, pu, err);
		if (rc < 0) {
			/* Release: pairs with the acquire above. */
			atomic_store_explicit(&r->bound, false,
					      memory_order_release);
			return rc;
		}
	}
	rc_mem_online(r);
	*out = r;
	return 0;
}

void rc_mem_unbind(rc_mem_replica_t *r)
{
	rc_mem_offline(r);
	/* Release: pairs with the acquire exchange in rc_mem_bind. */
	atomic_store_explicit(&r->bound, false, memory_order_release);
}

/* ---- TSO ---- */

static void tso_drain_one(struct rc_mem_replica *r)
{
	struct tso_entry *e = &r->buf[r->bhead];

	assert(r->bn > 0);
	/* seq_cst: the drained stores of all replicas form one order;
	 * pairs with the seq_cst loads in tso_load. */
	atomic_store_explicit(&r->mem->shared[e->loc].v, e->val,
			      memory_order_seq_cst);
	r->bhead = (r->bhead + 1) % RC_MEM_TSO_DEPTH;
	r->bn--;
}

static void tso_drain_all(struct rc_mem_replica *r)
{
	while (r->bn > 0)
		tso_drain_one(r);
}

/* Threaded mode: stores older than RC_MEM_TSO_LAG operations drain. */
static void tso_tick(struct rc_mem_replica *r)
{
	r->ops++;
	if (r->exploring)
		return;
	while (r->bn > 0 && r->ops - r->buf[r->bhead].born >= RC_MEM_TSO_LAG)
		tso_drain_one(r);
}

static uint64_t tso_load(struct rc_mem_replica *r, unsigned loc)
{
	for (unsigned i = r->bn; i > 0; i--) {
		struct tso_entry *e =
			&r->buf[(r->bhead + i - 1) % RC_MEM_TSO_DEPTH];

		if (e->loc == loc)
			return e->val;
	}
	/* seq_cst: pairs with the seq_cst store of tso_drain_one. */
	return atomic_load_explicit(&r->mem->shared[loc].v,
				    memory_order_seq_cst);
}

static void tso_store(struct rc_mem_replica *r, unsigned loc, uint64_t v)
{
	struct tso_entry *e;

	if (r->bn == RC_MEM_TSO_DEPTH)
		tso_drain_one(r);
	e = &r->buf[(r->bhead + r->bn) % RC_MEM_TSO_DEPTH];
	e->loc = loc;
	e->val = v;
	e->born = r->ops;
	r->bn++;
}

/* ---- SC: the shared log ---- */

static size_t seg_entries(const rc_mem_t *m)
{
	return (size_t)1 << m->seg_shift;
}

static void sc_apply_published(struct rc_mem_replica *r);
static void sc_reclaim(rc_mem_t *m, uint64_t need, bool wait);

/* A new SC segment; NULL without memory (or with a failure injected). */
static struct sc_seg *sc_seg_new(const rc_mem_t *m)
{
	if (_rc_fault_alloc())
		return NULL;
	return calloc(1, sizeof(struct sc_seg) +
				 seg_entries(m) * sizeof(struct sc_entry));
}

/*
 * A segment for the next one to start: the spare, or a new one; NULL
 * without memory. A reused segment's entries keep their old ready
 * stamps, each below the index its slot will get now, so none reads as
 * published.
 */
static struct sc_seg *sc_seg_take(rc_mem_t *m)
{
	/* Acquire: the reclaimer's (or a writer's) accesses to the spare
	 * happen before ours; pairs with the release in sc_seg_give. */
	struct sc_seg *s = atomic_exchange_explicit(&m->sc_spare, NULL,
						    memory_order_acquire);

	if (s == NULL)
		s = sc_seg_new(m);
	if (s != NULL)
		atomic_store_explicit(&s->passed, 0, memory_order_relaxed);
	return s;
}

/* Keeps s as the spare, freeing the one it replaces. */
static void sc_seg_give(rc_mem_t *m, struct sc_seg *s)
{
	/* Acq_rel: our accesses to s happen before its next taker's (its
	 * acquire exchange in sc_seg_take); acquire, to free the one
	 * replaced. */
	free(atomic_exchange_explicit(&m->sc_spare, s, memory_order_acq_rel));
}

/*
 * Before a writer reserves an index: when the tail's segment has not
 * started and there is no spare, sets one aside, so that the segment the
 * reservation may start needs no allocation after it. -RC_ENOMEM
 * without memory, before anything was reserved.
 */
static int sc_room(rc_mem_t *m)
{
	/* Relaxed: a hint of where the next index falls; a reservation
	 * that overtakes it takes the spare or allocates (sc_seg). */
	uint64_t k = atomic_load_explicit(&m->tail, memory_order_relaxed) >>
		     m->seg_shift;
	struct sc_slot *sl = &m->dir[k & (m->ndir - 1)];
	struct sc_seg *s;

	/* Acquire: as in sc_seg. */
	if (atomic_load_explicit(&sl->serves, memory_order_acquire) == k &&
	    atomic_load_explicit(&sl->seg, memory_order_acquire) != NULL)
		return 0;
	/* Relaxed: a look; taking it is an exchange. */
	if (atomic_load_explicit(&m->sc_spare, memory_order_relaxed) != NULL)
		return 0;
	s = sc_seg_new(m);
	if (s == NULL)
		return -RC_ENOMEM;
	sc_seg_give(m, s);
	return 0;
}

/*
 * The segment holding index idx, allocated by whoever needs it first. A
 * segment is freed only once every replica applied it (explore mode) or
 * once every replica not stale did and the checkpoint took it in
 * (threaded, sc_reclaim), so no caller asks for a freed one. When the
 * segment ndir before it still holds the slot (RC_MEM_SC_LOG entries
 * back), a threaded caller reclaims, dropping every replica behind it
 * that is not inside the log, and otherwise waits for the replicas that
 * are: they are applying entries, so the wait ends without anyone else
 * issuing an operation. A writer (self, which has reserved idx) applies
 * the published log meanwhile, since its own replica may be behind. In
 * explore mode that is a bug (assert).
 */
static struct sc_seg *sc_seg(rc_mem_t *m, uint64_t idx,
			     struct rc_mem_replica *self)
{
	uint64_t k = idx >> m->seg_shift;
	struct sc_slot *sl = &m->dir[k & (m->ndir - 1)];
	struct sc_seg *s, *expect = NULL;

	/* Acquire: pairs with the release store of serves in sc_reclaim
	 * (or sc_apply_reserved), after which the old segment is gone. */
	if (atomic_load_explicit(&sl->serves, memory_order_acquire) != k) {
		struct _rc_wait w;

		assert(!explore(m));
		_rc_wait_init(&w, UINT64_MAX);
		/* Acquire: as above. */
		while (atomic_load_explicit(&sl->serves,
					    memory_order_acquire) != k) {
			if (self != NULL &&
			    self->applied >> m->seg_shift < k - m->ndir + 1)
				sc_apply_published(self);
			sc_reclaim(m, (k - m->ndir + 1) << m->seg_shift, true);
			if (atomic_load_explicit(&sl->serves,
						 memory_order_acquire) == k)
				break;
			_rc_wait_step(&w);
		}
	}
	/* Acquire: pairs with the release CAS below that published it. */
	s = atomic_load_explicit(&sl->seg, memory_order_acquire);
	if (s != NULL)
		return s;
	s = sc_seg_take(m);
	if (s == NULL) {
		/* Out of memory after the index was reserved: the entry must
		 * be written, so wait for a segment the reclaimer frees (the
		 * replicas inside the log free them as they apply; those
		 * outside it are dropped). Explore mode never gets here:
		 * sc_room set a spare aside before the reservation. */
		struct _rc_wait w;

		assert(!explore(m));
		_rc_wait_init(&w, UINT64_MAX);
		while ((s = sc_seg_take(m)) == NULL) {
			if (self != NULL)
				sc_apply_published(self);
			sc_reclaim(m, 0, true);
			_rc_wait_step(&w);
		}
	}
	/* Release: publishes the segment; pairs with the acquire load above
	 * (or the acquire of the failed CAS). */
	if (!atomic_compare_exchange_strong_explicit(&sl->seg, &expect, s,
						     memory_order_acq_rel,
						     memory_order_acquire)) {
		sc_seg_give(m, s);
		s = expect;
	}
	return s;
}

/* The published entry idx, in a segment not freed (threaded mode). */
static const struct sc_entry *sc_at(rc_mem_t *m, uint64_t idx)
{
	uint64_t k = idx >> m->seg_shift;
	/* Acquire: pairs with the release CAS in sc_seg. */
	struct sc_seg *s = atomic_load_explicit(&m->dir[k & (m->ndir - 1)].seg,
						memory_order_acquire);

	return &s->e[idx & (seg_entries(m) - 1)];
}

static uint64_t sc_exec(uint64_t *copy, const struct sc_entry *e);

/*
 * Threaded SC: frees the segments every replica that is not stale has
 * applied, after applying them to the checkpoint. On the way it drops
 * (makes stale) each replica that is not inside the log and lags the
 * tail by more than SC_STALE_LAG entries or, when need is not 0, has
 * applied fewer than need entries: a stale replica holds nothing back,
 * and takes the checkpoint when its owner next enters the log
 * (sc_resync). wait: take the lock even if another thread holds it
 * (else give up at once). Each entry is applied to the checkpoint once,
 * by whichever thread reclaims.
 */
static void sc_reclaim(rc_mem_t *m, uint64_t need, bool wait)
{
	uint64_t tail, min = UINT64_MAX;

	if (wait)
		pthread_mutex_lock(&m->ck_lock);
	else if (pthread_mutex_trylock(&m->ck_lock) != 0)
		return;
	/* Relaxed: a bound for the lag; nothing is read through it. */
	tail = atomic_load_explicit(&m->tail, memory_order_relaxed);
	for (unsigned q = 0; q < m->n; q++) {
		struct rc_mem_replica *r = &m->reps[q];
		/* Acquire: pairs with the release store in sc_leave; the
		 * owner's reads of the log happen before what follows. */
		unsigned st =
			atomic_load_explicit(&r->lstate, memory_order_acquire);
		/* Acquire: pairs with the release in sc_publish_applied:
		 * the owner read every entry below it before. */
		uint64_t a = atomic_load_explicit(&r->published,
						  memory_order_acquire);

		if (st & LOG_STALE)
			continue;
		if (st == 0 && (tail - a > SC_STALE_LAG || a < need)) {
			unsigned expect = 0;

			/* Acq_rel: fails if the owner entered the log (it
			 * keeps its place); on success the owner's next
			 * entry (sc_enter) sees LOG_STALE. */
			if (atomic_compare_exchange_strong_explicit(
				    &r->lstate, &expect, LOG_STALE,
				    memory_order_acq_rel, memory_order_acquire))
				continue;
			/* Acquire: as above, for the owner now inside. */
			a = atomic_load_explicit(&r->published,
						 memory_order_acquire);
		}
		if (a < min)
			min = a;
	}
	if (min != UINT64_MAX && min > m->ck_at) {
		for (uint64_t i = m->ck_at; i < min; i++)
			sc_exec(m->ck_copy, sc_at(m, i));
		m->ck_at = min;
	}
	while ((m->head_seg + 1) << m->seg_shift <= m->ck_at) {
		struct sc_slot *sl = &m->dir[m->head_seg & (m->ndir - 1)];
		struct sc_seg *s =
			atomic_load_explicit(&sl->seg, memory_order_relaxed);

		atomic_store_explicit(&sl->seg, NULL, memory_order_relaxed);
		/* Release: the slot is empty before it serves the next
		 * segment; pairs with the acquire loads of serves in
		 * sc_seg. */
		atomic_store_explicit(&sl->serves, m->head_seg + m->ndir,
				      memory_order_release);
		if (s != NULL)
			sc_seg_give(m, s);
		m->head_seg++;
	}
	pthread_mutex_unlock(&m->ck_lock);
}

/* Threaded SC: r's applied count, for the reclaimer. */
static void sc_publish_applied(struct rc_mem_replica *r)
{
	/* Release: r's reads of the entries below happen before a
	 * reclaimer frees them; pairs with the acquire in sc_reclaim. */
	atomic_store_explicit(&r->published, r->applied, memory_order_release);
}

/*
 * Threaded SC: a stale replica takes the checkpoint when it is ahead of
 * its copy (the entries between were freed; those from the checkpoint
 * on are kept until r applies them, since r counts again from here).
 * Its owner only, inside the log (LOG_IN set).
 */
static void sc_resync(struct rc_mem_replica *r)
{
	rc_mem_t *m = r->mem;

	pthread_mutex_lock(&m->ck_lock);
	m->resyncs++;
	if (m->ck_at > r->applied) {
		memcpy(r->copy, m->ck_copy, m->nlocs * sizeof(*r->copy));
		r->applied = m->ck_at;
	}
	sc_publish_applied(r);
	/* Relaxed: under ck_lock, which every reader of LOG_STALE holds. */
	atomic_store_explicit(&r->lstate, LOG_IN, memory_order_relaxed);
	pthread_mutex_unlock(&m->ck_lock);
}

static void log_enter(struct rc_mem_replica *r);
static void log_leave(struct rc_mem_replica *r);

/* Appends an entry; its index in *idxp. 0, or -RC_ENOMEM (nothing
 * appended). */
static int sc_append(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		     uint64_t a, uint64_t b, uint64_t *idxp)
{
	rc_mem_t *m = r->mem;
	uint64_t idx;
	struct sc_seg *s;
	struct sc_entry *e;

	if (sc_room(m) < 0)
		return -RC_ENOMEM;
	/* Relaxed: the index only has to be unique; the entry is published
	 * by the release store of ready below. */
	idx = atomic_fetch_add_explicit(&m->tail, 1, memory_order_relaxed);
	s = sc_seg(m, idx, r);
	e = &s->e[idx & (seg_entries(m) - 1)];

	e->op = op;
	e->loc = loc;
	e->a = a;
	e->b = b;
	/* Release: the entry's fields before ready; pairs with the acquire
	 * load in sc_apply_one. */
	atomic_store_explicit(&e->ready, idx + 1, memory_order_release);
	r->last_own = idx + 1;
	if (idxp != NULL)
		*idxp = idx;
	return 0;
}

/* Applies entry e to copy; returns the value loc held before. */
static uint64_t sc_exec(uint64_t *copy, const struct sc_entry *e)
{
	uint64_t old = copy[e->loc];

	switch ((enum sc_op)e->op) {
	case SC_STORE:
	case SC_XCHG:
		copy[e->loc] = e->a;
		break;
	case SC_FADD:
		copy[e->loc] = old + e->a;
		break;
	case SC_CAS:
		if (old == e->a)
			copy[e->loc] = e->b;
		break;
	}
	return old;
}

/*
 * Applies the next entry if it is published (or waits for it when wait);
 * returns false when it was not. *old: the value before, for RMWs.
 */
static bool sc_apply_one(struct rc_mem_replica *r, bool wait, uint64_t *old);

/*
 * sc_apply_one for a caller that knows the next entry is reserved (below
 * a tail it has read, or its own): no look at the tail's contended line.
 */
static bool sc_apply_reserved(struct rc_mem_replica *r, bool wait,
			      uint64_t *old)
{
	rc_mem_t *m = r->mem;
	uint64_t idx = r->applied, o;
	struct sc_seg *s;
	struct sc_entry *e;
	struct _rc_wait w;

	s = sc_seg(m, idx, NULL);
	e = &s->e[idx & (seg_entries(m) - 1)];
	_rc_wait_init(&w, UINT64_MAX);
	/* Acquire: pairs with the release store of ready in sc_append. */
	while (atomic_load_explicit(&e->ready, memory_order_acquire) !=
	       idx + 1) {
		if (!wait)
			return false;
		_rc_wait_step(&w);
	}
	o = sc_exec(r->copy, e);
	if (old != NULL)
		*old = o;
	r->applied = idx + 1;
	if ((r->applied & (seg_entries(m) - 1)) == 0 && !r->exploring) {
		/* Threaded: a segment done; free what everyone passed. */
		sc_publish_applied(r);
		sc_reclaim(m, 0, false);
	} else if ((r->applied & (seg_entries(m) - 1)) == 0) {
		/* Acq_rel: each replica's reads of the segment happen before
		 * the last one frees it; the last acquires all of them. */
		if (atomic_fetch_add_explicit(&s->passed, 1,
					      memory_order_acq_rel) +
			    1 ==
		    m->n) {
			uint64_t k = idx >> m->seg_shift;
			struct sc_slot *sl = &m->dir[k & (m->ndir - 1)];

			atomic_store_explicit(&sl->seg, NULL,
					      memory_order_relaxed);
			/* Release: the slot is empty before it serves the
			 * next segment; pairs with the acquire loads of
			 * serves in sc_seg. */
			atomic_store_explicit(&sl->serves, k + m->ndir,
					      memory_order_release);
			free(s);
		}
	}
	return true;
}

static bool sc_apply_one(struct rc_mem_replica *r, bool wait, uint64_t *old)
{
	/* Relaxed: a hint; the entry's ready flag is what synchronises. */
	if (r->applied >=
	    atomic_load_explicit(&r->mem->tail, memory_order_relaxed))
		return false;
	return sc_apply_reserved(r, wait, old);
}

/* Applies up to index `upto` (exclusive), waiting for publication. */
static void sc_apply_upto(struct rc_mem_replica *r, uint64_t upto)
{
	while (r->applied < upto)
		sc_apply_reserved(r, true, NULL);
}

/* Applies the entries published below the tail seen now, without waiting. */
static void sc_apply_published(struct rc_mem_replica *r)
{
	/* Relaxed: a bound; the entries' ready flags synchronise. */
	uint64_t t = atomic_load_explicit(&r->mem->tail, memory_order_relaxed);

	while (r->applied < t && sc_apply_reserved(r, false, NULL))
		;
}

/*
 * Threaded mode: a load that has gone RC_MEM_READ_LAG operations without
 * looking beyond the copy looks now.
 */
static bool read_lag_due(const struct rc_mem_replica *r)
{
	return !r->exploring && r->ops >= r->look;
}

/* After a write or RMW: the next loads take the full path (read_fresh). */
static void wrote(struct rc_mem_replica *r)
{
	r->wrote_at = r->ops;
	r->look = 0;
}

/*
 * After a threaded SC or CAUSAL load took the full path: when the next
 * one must take it too (while r wrote recently, the very next; otherwise
 * RC_MEM_READ_LAG operations on).
 */
static void next_look(struct rc_mem_replica *r)
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
static bool read_fresh(const struct rc_mem_replica *r)
{
	return !r->exploring && r->ops - r->wrote_at <= RC_MEM_READ_LAG;
}

/*
 * Before a load: the copy must hold the replica's own writes; in threaded
 * mode it also takes in the published log when it wrote recently, and
 * otherwise up to RC_MEM_READ_BATCH entries once every RC_MEM_READ_LAG
 * operations, or all the published ones when more than
 * RC_MEM_MAX_BACKLOG are not applied, so that a replica that only reads
 * touches no shared line at its other loads and the log it holds back
 * stays bounded.
 */
static void sc_catch_up(struct rc_mem_replica *r)
{
	bool fresh = read_fresh(r);

	if (r->applied >= r->last_own && !fresh && !read_lag_due(r))
		return;
	log_enter(r);
	if (r->applied < r->last_own)
		sc_apply_upto(r, r->last_own);
	if (fresh) {
		sc_apply_published(r);
	} else if (read_lag_due(r)) {
		/* Relaxed: a bound; the ready flags synchronise. */
		uint64_t t = atomic_load_explicit(&r->mem->tail,
						  memory_order_relaxed);

		/* Over the bound: everything published below t, so the
		 * log it holds back shrinks to what arrives meanwhile. */
		if (t - r->applied <= RC_MEM_MAX_BACKLOG &&
		    t - r->applied > RC_MEM_READ_BATCH)
			t = r->applied + RC_MEM_READ_BATCH;
		while (r->applied < t && sc_apply_reserved(r, false, NULL))
			;
	}
	log_leave(r);
}

static int sc_rmw(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		  uint64_t a, uint64_t b, uint64_t *old)
{
	uint64_t idx;
	int rc;

	log_enter(r);
	rc = sc_append(r, op, loc, a, b, &idx);
	if (rc == 0) {
		sc_apply_upto(r, idx);
		sc_apply_reserved(r, true, old);
	}
	log_leave(r);
	return rc;
}

/* ---- CAUSAL ---- */

/*
 * Before r issues a write: when the write will start a new segment of
 * r's log, sets one aside (the spare a reader handed back, or a new
 * one), so that the write, once issued, needs no allocation. 0, or
 * -RC_ENOMEM with nothing issued.
 */
static int c_room(struct rc_mem_replica *r)
{
	rc_mem_t *m = r->mem;

	if (m->n == 1 || r->nseg != NULL ||
	    r->vc[r->id] - r->wseg->first != m->cseg_n)
		return 0;
	/* Acquire: the readers' reads of a handed-back segment happen
	 * before it is written again; pairs with the release exchange in
	 * c_apply_run or c_reclaim. */
	r->nseg =
		atomic_exchange_explicit(&r->spare, NULL, memory_order_acquire);
	if (r->nseg == NULL && !_rc_fault_alloc())
		r->nseg = c_seg_new(m, r->vc[r->id]);
	return r->nseg != NULL ? 0 : -RC_ENOMEM;
}

/*
 * Appends r's write just issued (vc[id] counts it) to r's log and
 * publishes it. With one replica nobody reads the log and nothing is
 * written.
 */
static void c_append(struct rc_mem_replica *r, unsigned loc, uint64_t v)
{
	rc_mem_t *m = r->mem;
	uint64_t idx = r->vc[r->id] - 1;
	struct clog_seg *g = r->wseg;
	struct clog_entry *e;

	if (m->n == 1)
		return;
	if (idx - g->first == m->cseg_n) {
		/* Set aside by c_room before the write was issued. */
		struct clog_seg *ng = r->nseg;

		assert(ng != NULL);
		r->nseg = NULL;
		r->crossed = true;
		ng->next = NULL;
		ng->first = idx;
		/* Relaxed: no reader sees the segment before the release
		 * below publishes its first entry. */
		atomic_store_explicit(&ng->passed, 0, memory_order_relaxed);
		/* Plain: published with the entry by the release below. */
		g->next = ng;
		r->wseg = g = ng;
	}
	e = c_seg_entry(m, g, idx);
	e->val = v;
	e->stamp = r->stamp[loc];
	e->loc = loc;
	for (unsigned k = 0, j = 0; k < m->n; k++)
		if (k != r->id)
			e->vc[j++] = r->vc[k];
	/* Release: the entry and the link to its segment before the count;
	 * pairs with the acquire load in c_published. */
	atomic_store_explicit(&r->published, idx + 1, memory_order_release);
}

/* How many entries of s's log are published. */
static uint64_t c_published(const rc_mem_t *m, unsigned s)
{
	/* Acquire: the entries below the count; pairs with the release
	 * store in c_append. */
	return atomic_load_explicit(
		&((struct rc_mem_replica *)&m->reps[s])->published,
		memory_order_acquire);
}

/*
 * Issues a write of v to loc if the last write issued to loc is still
 * the one stamped *last (else sets *last to the newer stamp and returns
 * false): its Lamport time exceeds both r's clock and *last's, and the
 * compare-exchange makes it the next write to loc, so the writes to a
 * location are stamped in the order they are issued.
 */
static bool c_issue(struct rc_mem_replica *r, unsigned loc, uint64_t v,
		    uint64_t *last)
{
	rc_mem_t *m = r->mem;
	uint64_t t = *last >> STAMP_BITS, st;

	if (r->lamport > t)
		t = r->lamport;
	st = (t + 1) << STAMP_BITS | r->id;
	/* Relaxed: the word's modification order is the location's
	 * coherence order and needs nothing else; the write's contents
	 * reach the other replicas through r's log (c_append). */
	if (!atomic_compare_exchange_strong_explicit(&m->last_stamp[loc], last,
						     st, memory_order_relaxed,
						     memory_order_relaxed))
		return false;
	r->lamport = t + 1;
	r->vc[r->id]++;
	r->copy[loc] = v;
	r->stamp[loc] = st;
	if (r->exploring)
		memcpy(&m->last_vc[(size_t)loc * m->n], r->vc,
		       m->n * sizeof(uint64_t));
	c_append(r, loc, v);
	return true;
}

/* A plain write: issued after whatever write to loc is the last now. */
static int c_write(struct rc_mem_replica *r, unsigned loc, uint64_t v)
{
	/* Relaxed: see c_issue; a stale value only fails the exchange. */
	uint64_t last = atomic_load_explicit(&r->mem->last_stamp[loc],
					     memory_order_relaxed);

	if (c_room(r) < 0)
		return -RC_ENOMEM;
	while (!c_issue(r, loc, v, &last))
		;
	return 0;
}

/* Entry e of s's log may be applied at r: everything before it is. */
static bool c_ready(const struct rc_mem_replica *r, unsigned s,
		    const struct clog_entry *e)
{
	for (unsigned k = 0, j = 0; k < r->mem->n; k++)
		if (k != s && e->vc[j++] > r->vc[k])
			return false;
	return true;
}

/*
 * Applies the entries of s's log at r from r's position while they are
 * ready, below end (which s has published); returns how many. Applying
 * them moves vc[s] alone, so the other components are checked against a
 * copy taken once. r moves on to a segment when it reaches its first
 * entry, and the last reader to leave a segment hands it back to s.
 */
static uint64_t c_apply_run(struct rc_mem_replica *r, unsigned s, uint64_t end)
{
	const rc_mem_t *m = r->mem;
	uint64_t others[RC_MEM_MAX_REPLICAS], lamport = r->lamport;
	uint64_t idx = r->vc[s], start = idx;
	uint64_t *copy = r->copy, *stamp = r->stamp;
	struct clog_seg *g = r->rseg[s];
	unsigned no = m->n - 1;

	for (unsigned k = 0, j = 0; k < m->n; k++)
		if (k != s)
			others[j++] = r->vc[k];
	for (; idx < end; idx++) {
		const struct clog_entry *e;
		uint64_t t;
		unsigned j;

		if (idx - g->first == m->cseg_n) {
			struct clog_seg *done = g;

			g = g->next;
			r->crossed = true;
			/* Explore mode: the last reader to leave hands the
			 * segment back; threaded, the reclaimer does
			 * (c_reclaim). Acq_rel: every reader's reads of the
			 * segment happen before the last one hands it back;
			 * the last acquires all of them. */
			if (r->exploring &&
			    atomic_fetch_add_explicit(&done->passed, 1,
						      memory_order_acq_rel) +
					    1 ==
				    no)
				/* Acq_rel: release passes those reads on to
				 * the sender's acquire exchange in c_append;
				 * acquire, to free a spare never reused. */
				free(atomic_exchange_explicit(
					&m->reps[s].spare, done,
					memory_order_acq_rel));
		}
		e = c_seg_entry(m, g, idx);
		for (j = 0; j < no && e->vc[j] <= others[j]; j++)
			;
		if (j < no)
			break;
		if (e->stamp > stamp[e->loc]) {
			copy[e->loc] = e->val;
			stamp[e->loc] = e->stamp;
		}
		t = e->stamp >> STAMP_BITS;
		if (t > lamport)
			lamport = t;
	}
	r->rseg[s] = g;
	r->vc[s] = idx;
	r->lamport = lamport;
	return idx - start;
}

/*
 * Applies at most max of the others' entries below the counts avail[],
 * each once everything before it is applied, oldest per sender first;
 * returns how many.
 */
static uint64_t c_apply_some(struct rc_mem_replica *r, const uint64_t *avail,
			     uint64_t max)
{
	uint64_t done = 0;
	bool again = true;

	while (again && done < max) {
		again = false;
		for (unsigned s = 0; s < r->mem->n && done < max; s++) {
			uint64_t k, end = avail[s];

			if (s == r->id || r->vc[s] >= end)
				continue;
			if (end - r->vc[s] > max - done)
				end = r->vc[s] + (max - done);
			k = c_apply_run(r, s, end);
			done += k;
			again |= k > 0;
		}
	}
	return done;
}

/*
 * Reads every other sender's published count into avail[] (the own slot
 * gets 0); returns how many of those entries r has not applied.
 */
static uint64_t c_avail(const struct rc_mem_replica *r, uint64_t *avail)
{
	uint64_t sum = 0;

	for (unsigned s = 0; s < r->mem->n; s++) {
		avail[s] = s == r->id ? 0 : c_published(r->mem, s);
		sum += avail[s] - (s == r->id ? 0 : r->vc[s]);
	}
	return sum;
}

/* Applies what is published and causally ready, at most max; how many. */
static uint64_t c_take(struct rc_mem_replica *r, uint64_t max)
{
	uint64_t avail[RC_MEM_MAX_REPLICAS];

	c_avail(r, avail);
	return c_apply_some(r, avail, max);
}

/*
 * Threaded mode, at writes, RMWs, fences and every RC_MEM_READ_LAG
 * operations: take in what the others have published.
 */
static void c_tick(struct rc_mem_replica *r)
{
	if (!r->exploring)
		c_take(r, UINT64_MAX);
}

/*
 * Threaded mode, a load once every RC_MEM_READ_LAG operations of a
 * replica that has not written recently: up to RC_MEM_READ_BATCH
 * entries, or every published one when more than RC_MEM_MAX_BACKLOG are
 * not applied; one look at each sender's count either way.
 */
static void c_lag_tick(struct rc_mem_replica *r)
{
	uint64_t avail[RC_MEM_MAX_REPLICAS];
	uint64_t backlog = c_avail(r, avail);

	c_apply_some(r, avail,
		     backlog > RC_MEM_MAX_BACKLOG ? UINT64_MAX
						  : RC_MEM_READ_BATCH);
}

/*
 * Threaded CAUSAL: a replica that lags the others' logs by more than
 * this many entries while outside them is dropped (c_reclaim): 16
 * segments, and at least four times RC_MEM_MAX_BACKLOG, which a replica
 * that keeps issuing loads never lags by much more.
 */
static uint64_t c_stale_lag(const rc_mem_t *m)
{
	uint64_t lag = 16 * (uint64_t)m->cseg_n;

	return lag > CLOG_STALE_MIN ? lag : CLOG_STALE_MIN;
}

/* Threaded CAUSAL: r's positions in the others' logs, for c_reclaim. */
static void c_publish_pos(struct rc_mem_replica *r)
{
	for (unsigned s = 0; s < r->mem->n; s++)
		if (s != r->id)
			/* Release: r's reads of s's log below the position
			 * happen before a reclaimer hands those segments
			 * back; pairs with the acquire in c_reclaim. */
			atomic_store_explicit(&r->pos[s], r->vc[s],
					      memory_order_release);
}

/*
 * Threaded CAUSAL, under ck_lock: the checkpoint takes in every
 * published write. Every write a replica applied was published with its
 * causal past, so afterwards the checkpoint holds all that any replica
 * holds.
 */
static void c_checkpoint(rc_mem_t *m)
{
	c_take(m->ck_rep, UINT64_MAX);
}

/*
 * Threaded CAUSAL: hands back (to the sender, as its spare, or frees)
 * the segments of each log that every replica not stale and the
 * checkpoint have left, after the checkpoint takes in what is
 * published. On the way it drops (makes stale) each replica that is
 * outside the logs and lags them by more than c_stale_lag() entries: a
 * stale replica holds nothing back and takes the checkpoint when its
 * owner next enters (c_resync). wait: take the lock even if another
 * thread holds it (else give up at once).
 */
static void c_reclaim(rc_mem_t *m, bool wait)
{
	uint64_t pub[RC_MEM_MAX_REPLICAS], live = 0;

	if (wait)
		pthread_mutex_lock(&m->ck_lock);
	else if (pthread_mutex_trylock(&m->ck_lock) != 0)
		return;
	for (unsigned s = 0; s < m->n; s++)
		pub[s] = c_published(m, s);
	for (unsigned q = 0; q < m->n; q++) {
		struct rc_mem_replica *r = &m->reps[q];
		/* Acquire: pairs with the release store in c_leave; the
		 * owner's reads of the logs happen before what follows. */
		unsigned st =
			atomic_load_explicit(&r->lstate, memory_order_acquire);
		uint64_t lag = 0;

		if (st & LOG_STALE)
			continue;
		for (unsigned s = 0; s < m->n; s++)
			if (s != q)
				/* Acquire: pairs with c_publish_pos. */
				lag += pub[s] - atomic_load_explicit(
							&r->pos[s],
							memory_order_acquire);
		if (st == 0 && lag > c_stale_lag(m)) {
			unsigned expect = 0;

			/* Acq_rel: fails if the owner entered (it keeps
			 * its place); on success its next c_enter sees
			 * LOG_STALE. */
			if (atomic_compare_exchange_strong_explicit(
				    &r->lstate, &expect, LOG_STALE,
				    memory_order_acq_rel, memory_order_acquire))
				continue;
		}
		live |= 1ull << q;
	}
	c_checkpoint(m);
	for (unsigned s = 0; s < m->n; s++) {
		uint64_t min = m->ck_rep->vc[s];
		struct clog_seg *g = m->chead[s];

		for (unsigned q = 0; q < m->n; q++)
			if (q != s && (live >> q & 1)) {
				/* Acquire: pairs with c_publish_pos. */
				uint64_t p = atomic_load_explicit(
					&m->reps[q].pos[s],
					memory_order_acquire);

				if (p < min)
					min = p;
			}
		/* A reader moves to the next segment when it takes that
		 * segment's first entry: only then has it left g, and only
		 * then is g->next sure to be written (the sender links it
		 * before it publishes that entry), so it is read after. */
		while (min > g->first + m->cseg_n && g->next != NULL) {
			struct clog_seg *next = g->next;

			/* Acq_rel: the readers' reads of g happen before
			 * the sender writes it again (its acquire exchange
			 * in c_append); acquire, to free a spare never
			 * reused. */
			free(atomic_exchange_explicit(&m->reps[s].spare, g,
						      memory_order_acq_rel));
			g = next;
		}
		m->chead[s] = g;
	}
	pthread_mutex_unlock(&m->ck_lock);
}

/*
 * Threaded CAUSAL: a stale replica takes the checkpoint, which holds
 * every published write and so everything r holds (its own writes
 * included); r's owner only, inside (LOG_IN set).
 */
static void c_resync(struct rc_mem_replica *r)
{
	rc_mem_t *m = r->mem;
	const struct rc_mem_replica *ck = m->ck_rep;

	pthread_mutex_lock(&m->ck_lock);
	m->resyncs++;
	c_checkpoint(m);
	memcpy(r->copy, ck->copy, m->nlocs * sizeof(*r->copy));
	memcpy(r->stamp, ck->stamp, m->nlocs * sizeof(*r->stamp));
	for (unsigned s = 0; s < m->n; s++)
		if (s != r->id) {
			r->vc[s] = ck->vc[s];
			r->rseg[s] = ck->rseg[s];
		}
	assert(ck->vc[r->id] == r->vc[r->id]);
	if (ck->lamport > r->lamport)
		r->lamport = ck->lamport;
	c_publish_pos(r);
	/* Relaxed: under ck_lock, which every reader of LOG_STALE holds. */
	atomic_store_explicit(&r->lstate, LOG_IN, memory_order_relaxed);
	pthread_mutex_unlock(&m->ck_lock);
}

/*
 * Threaded SC and CAUSAL: r's owner enters the logs it reads before
 * reading (or appending) entries, and leaves after; while inside, no
 * reclaimer drops r or frees what it reads. A dropped replica takes the
 * checkpoint as it enters. A causal replica that moved to a new segment
 * reclaims as it leaves.
 */
static void log_enter(struct rc_mem_replica *r)
{
	unsigned old;

	if (r->exploring)
		return;
	/* Acq_rel: pairs with the reclaimer's compare-exchange: either it
	 * sees LOG_IN and leaves r in, or this sees LOG_STALE. */
	old = atomic_fetch_or_explicit(&r->lstate, LOG_IN,
				       memory_order_acq_rel);
	if (!(old & LOG_STALE))
		return;
	if (r->level == RC_SC)
		sc_resync(r);
	else
		c_resync(r);
}

static void log_leave(struct rc_mem_replica *r)
{
	if (r->exploring)
		return;
	if (r->level == RC_SC)
		sc_publish_applied(r);
	else
		c_publish_pos(r);
	/* Release: r's reads of the logs happen before a reclaimer's
	 * acquire of lstate that then drops r and frees them. */
	atomic_store_explicit(&r->lstate, 0, memory_order_release);
	if (r->crossed) {
		r->crossed = false;
		c_reclaim(r->mem, false);
	}
}

/* Explore mode: the head of s's log at r is published and ready. */
static bool c_head_ready(const struct rc_mem_replica *r, unsigned s)
{
	const rc_mem_t *m = r->mem;

	if (s == r->id || r->vc[s] >= c_published(m, s))
		return false;
	return c_ready(
		r, s,
		c_seg_entry(m, c_seg_find(m, r->rseg[s], r->vc[s]), r->vc[s]));
}

/* Explore mode: applies the head of s's log at r (c_head_ready). */
static void c_deliver(struct rc_mem_replica *r, unsigned s)
{
	c_apply_run(r, s, r->vc[s] + 1);
}

/*
 * Makes r apply the last write issued to loc, stamped last. Threaded:
 * that write and its causal past are published, or being published by a
 * writer between its compare-exchange and its release store (the wait
 * is for that writer's store only, never for a replica to issue an
 * operation); r takes in whatever is ready until it holds that write or
 * a later one. Explore: that write's causal past is in the logs already
 * (last_vc), and only it is applied, so no other write is applied as a
 * side effect.
 */
static void c_catch_up(struct rc_mem_replica *r, unsigned loc, uint64_t last)
{
	rc_mem_t *m = r->mem;
	struct _rc_wait w;

	if (r->exploring) {
		const uint64_t *target = &m->last_vc[(size_t)loc * m->n];
		bool progress = true;

		while (progress) {
			progress = false;
			for (unsigned s = 0; s < m->n; s++)
				while (r->vc[s] < target[s] &&
				       c_head_ready(r, s)) {
					c_deliver(r, s);
					progress = true;
				}
		}
		assert(r->stamp[loc] == last);
		return;
	}
	_rc_wait_init(&w, UINT64_MAX);
	while (r->stamp[loc] < last)
		if (c_take(r, UINT64_MAX) == 0)
			_rc_wait_step(&w);
}

/*
 * An RMW reads the last write issued to loc and issues its own right
 * after it: the compare-exchange in c_issue fails if another write to
 * loc was issued in between, and the RMW starts over from that one. A
 * CAS whose expected value differs from r's copy fails there, as a plain
 * read of the copy.
 */
static int c_rmw(struct rc_mem_replica *r, enum sc_op op, unsigned loc,
		 uint64_t a, uint64_t b, bool *done, uint64_t *oldp)
{
	rc_mem_t *m = r->mem;
	/* Relaxed: a stamp to catch up with; the write it names reaches r
	 * through its sender's log. */
	uint64_t last = atomic_load_explicit(&m->last_stamp[loc],
					     memory_order_relaxed),
		 old, v = 0;

	c_tick(r);
	if (op == SC_CAS && r->copy[loc] != a) {
		*done = false;
		*oldp = r->copy[loc];
		return 0;
	}
	if (c_room(r) < 0)
		return -RC_ENOMEM;
	for (;;) {
		c_catch_up(r, loc, last);
		if (r->stamp[loc] != last) {
			/* took in a write issued since: start from it */
			last = r->stamp[loc];
			continue;
		}
		old = r->copy[loc];
		switch (op) {
		case SC_STORE:
		case SC_XCHG:
			v = a;
			break;
		case SC_FADD:
			v = old + a;
			break;
		case SC_CAS:
			if (old != a) {
				*done = false;
				*oldp = old;
				return 0;
			}
			v = b;
			break;
		}
		if (c_issue(r, loc, v, &last))
			break;
	}
	*done = true;
	*oldp = old;
	return 0;
}

/* ---- operations ---- */

/* The loads of the levels with copies or buffers, out of LIN's way. */
static __attribute__((noinline)) uint64_t load_other(struct rc_mem_replica *r,
						     unsigned loc)
{
	switch (r->level) {
	case RC_LIN: /* rc_mem_load serves it itself */
		break;
	case RC_TSO:
		tso_tick(r);
		return tso_load(r, loc);
	case RC_SC:
		r->ops++;
		sc_catch_up(r);
		next_look(r);
		return r->copy[loc];
	case RC_CAUSAL:
		r->ops++;
		if (read_fresh(r)) {
			log_enter(r);
			c_tick(r);
			log_leave(r);
		} else if (read_lag_due(r)) {
			log_enter(r);
			c_lag_tick(r);
			log_leave(r);
		}
		next_look(r);
		return r->copy[loc];
	default:
		break;
	}
	return 0;
}

uint64_t rc_mem_load(rc_mem_replica_t *r, unsigned loc, rc_order_t order)
{
	(void)order;
	assert(loc < r->nlocs);
	if (__builtin_expect(r->level == RC_LIN, 1))
		/* seq_cst: the linearization point; pairs with the seq_cst
		 * stores and RMWs of every replica on this location. */
		return atomic_load_explicit(&r->shared[loc].v,
					    memory_order_seq_cst);
	/* SC and CAUSAL between two looks beyond the copy (next_look). */
	if (r->ops + 1 < r->look) {
		r->ops++;
		return r->copy[loc];
	}
	return load_other(r, loc);
}

int rc_mem_store(rc_mem_replica_t *r, unsigned loc, uint64_t value,
		 rc_order_t order)
{
	rc_mem_t *m = r->mem;
	int rc = 0;

	assert(loc < m->nlocs);
	switch (m->level) {
	case RC_LIN:
		/* seq_cst: the linearization point; pairs with the seq_cst
		 * loads and RMWs of every replica on this location. */
		atomic_store_explicit(&m->shared[loc].v, value,
				      memory_order_seq_cst);
		break;
	case RC_TSO:
		tso_tick(r);
		tso_store(r, loc, value);
		if (order == RC_SEQ_CST)
			tso_drain_all(r);
		break;
	case RC_SC:
		r->ops++;
		wrote(r);
		log_enter(r);
		rc = sc_append(r, SC_STORE, loc, value, 0, NULL);
		if (rc == 0 && !explore(m))
			sc_apply_published(r);
		log_leave(r);
		break;
	case RC_CAUSAL:
		r->ops++;
		wrote(r);
		log_enter(r);
		c_tick(r);
		rc = c_write(r, loc, value);
		log_leave(r);
		break;
	default:
		break;
	}
	return rc;
}

static int rmw(rc_mem_replica_t *r, enum sc_op op, unsigned loc, uint64_t a,
	       uint64_t b, bool *done, uint64_t *oldp)
{
	rc_mem_t *m = r->mem;
	uint64_t old = 0;
	bool ok = true;
	int rc = 0;

	assert(loc < m->nlocs);
	r->ops++;
	wrote(r);
	switch (m->level) {
	case RC_TSO:
		tso_drain_all(r);
		/* fallthrough */
	case RC_LIN:
		/* seq_cst RMWs: each is one atomic step in the total order
		 * of the shared copy; pair with every other access to it. */
		switch (op) {
		case SC_FADD:
			old = atomic_fetch_add_explicit(&m->shared[loc].v, a,
							memory_order_seq_cst);
			break;
		case SC_XCHG:
		case SC_STORE:
			old = atomic_exchange_explicit(&m->shared[loc].v, a,
						       memory_order_seq_cst);
			break;
		case SC_CAS:
			old = a;
			ok = atomic_compare_exchange_strong_explicit(
				&m->shared[loc].v, &old, b,
				memory_order_seq_cst, memory_order_seq_cst);
			break;
		}
		break;
	case RC_SC:
		rc = sc_rmw(r, op, loc, a, b, &old);
		ok = op != SC_CAS || old == a;
		break;
	case RC_CAUSAL:
		log_enter(r);
		rc = c_rmw(r, op, loc, a, b, &ok, &old);
		log_leave(r);
		break;
	default:
		break;
	}
	if (rc < 0)
		return rc;
	if (done != NULL)
		*done = ok;
	*oldp = old;
	return 0;
}

int rc_mem_cas(rc_mem_replica_t *r, unsigned loc, uint64_t *expected,
	       uint64_t desired, rc_order_t order)
{
	bool done;
	uint64_t old;
	int rc = rmw(r, SC_CAS, loc, *expected, desired, &done, &old);

	(void)order;
	if (rc < 0)
		return rc;
	if (!done)
		*expected = old;
	return done;
}

int rc_mem_fetch_add(rc_mem_replica_t *r, unsigned loc, uint64_t delta,
		     rc_order_t order, uint64_t *old)
{
	(void)order;
	return rmw(r, SC_FADD, loc, delta, 0, NULL, old);
}

int rc_mem_exchange(rc_mem_replica_t *r, unsigned loc, uint64_t value,
		    rc_order_t order, uint64_t *old)
{
	(void)order;
	return rmw(r, SC_XCHG, loc, value, 0, NULL, old);
}

void rc_mem_fence(rc_mem_replica_t *r, rc_order_t order)
{
	rc_mem_t *m = r->mem;

	switch (m->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		r->ops++;
		if (order == RC_SEQ_CST)
			tso_drain_all(r);
		break;
	case RC_SC:
		r->ops++;
		log_enter(r);
		/* Relaxed: the tail bounds how far to apply; the entries'
		 * ready flags synchronise. */
		sc_apply_upto(r, atomic_load_explicit(&m->tail,
						      memory_order_relaxed));
		log_leave(r);
		break;
	case RC_CAUSAL:
		r->ops++;
		log_enter(r);
		c_tick(r);
		log_leave(r);
		break;
	default:
		break;
	}
}

void rc_mem_progress(rc_mem_replica_t *r)
{
	switch (r->mem->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		tso_drain_all(r);
		break;
	case RC_SC:
		log_enter(r);
		sc_apply_published(r);
		log_leave(r);
		break;
	case RC_CAUSAL:
		log_enter(r);
		c_take(r, UINT64_MAX);
		log_leave(r);
		break;
	default:
		break;
	}
}

/* For tests: how many times a dropped replica took the checkpoint. */
uint64_t _rc_mem_resyncs(rc_mem_t *m);
uint64_t _rc_mem_resyncs(rc_mem_t *m)
{
	uint64_t n;

	if (!m->ck_made)
		return 0;
	pthread_mutex_lock(&m->ck_lock);
	n = m->resyncs;
	pthread_mutex_unlock(&m->ck_lock);
	return n;
}

void rc_mem_offline(rc_mem_replica_t *r)
{
	if (r->exploring)
		return;
	switch (r->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		tso_drain_all(r);
		break;
	case RC_SC:
	case RC_CAUSAL:
		/* A causal replica alone has no log: nothing to drop. */
		if (r->level == RC_CAUSAL && r->mem->n == 1)
			break;
		/* Release: the owner's reads of the logs happen before a
		 * reclaimer's acquire of lstate that frees them. */
		atomic_store_explicit(&r->lstate, LOG_STALE,
				      memory_order_release);
		break;
	default:
		break;
	}
}

void rc_mem_online(rc_mem_replica_t *r)
{
	if (r->exploring)
		return;
	/* SC and CAUSAL take the checkpoint if the logs moved on without
	 * r, then what is published; r's next load takes the full path.
	 * TSO's buffer was drained when it went offline. */
	rc_mem_progress(r);
	r->look = 0;
}

/* ---- steps ---- */

unsigned rc_mem_steps(const rc_mem_t *mem, struct rc_mem_step *steps,
		      unsigned max)
{
	unsigned k = 0;
	uint64_t tail;

	assert(explore(mem));
	tail = atomic_load_explicit(&((rc_mem_t *)mem)->tail,
				    memory_order_relaxed);
	for (unsigned i = 0; i < mem->n; i++) {
		const struct rc_mem_replica *r = &mem->reps[i];

		switch (mem->level) {
		case RC_LIN:
			break;
		case RC_TSO:
			if (r->bn > 0 && k++ < max)
				steps[k - 1] =
					(struct rc_mem_step){ RC_MEM_STEP_DRAIN,
							      i, i };
			break;
		case RC_SC:
			if (r->applied < tail && k++ < max)
				steps[k - 1] =
					(struct rc_mem_step){ RC_MEM_STEP_APPLY,
							      i, i };
			break;
		case RC_CAUSAL:
			for (unsigned s = 0; s < mem->n; s++)
				if (c_head_ready(r, s) && k++ < max)
					steps[k - 1] = (struct rc_mem_step){
						RC_MEM_STEP_DELIVER, i, s
					};
			break;
		default:
			break;
		}
	}
	return k;
}

unsigned rc_mem_nsteps(const rc_mem_t *mem)
{
	return rc_mem_steps(mem, NULL, 0);
}

int rc_mem_step(rc_mem_t *mem, const struct rc_mem_step *st)
{
	struct rc_mem_replica *r;

	assert(explore(mem));
	if (st->replica >= mem->n)
		return -RC_EINVAL;
	r = &mem->reps[st->replica];
	switch (mem->level) {
	case RC_LIN:
		return -RC_EINVAL;
	case RC_TSO:
		if (st->kind != RC_MEM_STEP_DRAIN || r->bn == 0)
			return -RC_EINVAL;
		tso_drain_one(r);
		return 0;
	case RC_SC:
		if (st->kind != RC_MEM_STEP_APPLY ||
		    !sc_apply_one(r, false, NULL))
			return -RC_EINVAL;
		return 0;
	case RC_CAUSAL:
		if (st->kind != RC_MEM_STEP_DELIVER || st->from >= mem->n ||
		    !c_head_ready(r, st->from))
			return -RC_EINVAL;
		c_deliver(r, st->from);
		return 0;
	default:
		break;
	}
	return -RC_EINVAL;
}

void rc_mem_quiesce(rc_mem_t *mem)
{
	uint64_t tail;

	switch (mem->level) {
	case RC_LIN:
		break;
	case RC_TSO:
		for (unsigned i = 0; i < mem->n; i++)
			tso_drain_all(&mem->reps[i]);
		break;
	case RC_SC:
		/* Relaxed: no writer runs now; ready flags synchronise. */
		tail = atomic_load_explicit(&mem->tail, memory_order_relaxed);
		for (unsigned i = 0; i < mem->n; i++) {
			/* A stale or offline replica takes the checkpoint
			 * first; the rc_mem_online of its owner, if any,
			 * finds it current. */
			log_enter(&mem->reps[i]);
			sc_apply_upto(&mem->reps[i], tail);
			log_leave(&mem->reps[i]);
		}
		break;
	case RC_CAUSAL:
		for (unsigned i = 0; i < mem->n; i++) {
			struct rc_mem_replica *r = &mem->reps[i];

			/* A stale or offline replica takes the checkpoint
			 * first. */
			log_enter(r);
			c_take(r, UINT64_MAX);
			log_leave(r);
			for (unsigned s = 0; s < mem->n; s++)
				assert(s == i ||
				       r->vc[s] == c_published(mem, s));
		}
		break;
	default:
		break;
	}
}

uint64_t rc_mem_read_replica(const rc_mem_t *mem, unsigned replica,
			     unsigned loc)
{
	const struct rc_mem_replica *r;

	assert(replica < mem->n && loc < mem->nlocs);
	r = &mem->reps[replica];
	switch (mem->level) {
	case RC_LIN:
	case RC_TSO:
		for (unsigned i = r->bn; i > 0; i--) {
			const struct tso_entry *e =
				&r->buf[(r->bhead + i - 1) % RC_MEM_TSO_DEPTH];

			if (e->loc == loc)
				return e->val;
		}
		/* Relaxed: the caller has synchronised with the writers. */
		return atomic_load_explicit(&mem->shared[loc].v,
					    memory_order_relaxed);
	case RC_SC:
	case RC_CAUSAL:
		return r->copy[loc];
	default:
		break;
	}
	return 0;
}

/* ---- state: canonical encoding, hash, equality, clone ---- */

struct words {
	uint64_t *w;
	size_t n, cap;
};

static void put(struct words *b, uint64_t v)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		uint64_t *nw = realloc(b->w, cap * sizeof(*nw));

		assert(nw != NULL);
		b->w = nw;
		b->cap = cap;
	}
	b->w[b->n++] = v;
}

static const struct sc_entry *sc_entry_at(const rc_mem_t *m, uint64_t idx)
{
	uint64_t k = idx >> m->seg_shift;
	struct sc_seg *s = atomic_load_explicit(&m->dir[k & (m->ndir - 1)].seg,
						memory_order_relaxed);

	return &s->e[idx & (seg_entries(m) - 1)];
}

/*
 * Causal stamps are only ever compared with stamps of the same location,
 * and a new write's stamp exceeds every stamp of its location (the last
 * one issued is the largest). So a stamp is encoded as its rank among
 * the stamps its location holds now (copies, log entries, the last write),
 * and the Lamport clocks, which only push stamps up, are left out: states
 * that differ only in clock values behave alike.
 */
struct ranks {
	uint64_t *v; /* per location: sorted distinct stamps */
	size_t *n, cap;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void ranks_add(struct ranks *k, unsigned loc, uint64_t stamp)
{
	k->v[loc * k->cap + k->n[loc]++] = stamp;
}

/* Explore mode: the stamp of the last write issued to loc. */
static uint64_t c_last(const rc_mem_t *m, unsigned loc)
{
	/* Relaxed: one thread drives an explored object. */
	return atomic_load_explicit(&m->last_stamp[loc], memory_order_relaxed);
}

/* Explore mode: the oldest entry of s's log some replica has not applied. */
static uint64_t c_log_base(const rc_mem_t *m, unsigned s)
{
	uint64_t base = c_published(m, s);

	for (unsigned i = 0; i < m->n; i++)
		if (i != s && m->reps[i].vc[s] < base)
			base = m->reps[i].vc[s];
	return base;
}

static void ranks_make(struct ranks *k, const rc_mem_t *m)
{
	size_t msgs = 0;

	for (unsigned s = 0; s < m->n; s++)
		msgs += c_published(m, s) - c_log_base(m, s);
	k->cap = m->n + msgs + 2;
	k->v = malloc(m->nlocs * k->cap * sizeof(*k->v));
	k->n = calloc(m->nlocs, sizeof(*k->n));
	assert(k->v != NULL && k->n != NULL);
	for (unsigned l = 0; l < m->nlocs; l++) {
		ranks_add(k, l, 0);
		ranks_add(k, l, c_last(m, l));
		for (unsigned i = 0; i < m->n; i++)
			ranks_add(k, l, m->reps[i].stamp[l]);
	}
	for (unsigned s = 0; s < m->n; s++) {
		const struct clog_seg *g = c_log_oldest(m, s);
		uint64_t end = c_published(m, s);

		for (uint64_t idx = c_log_base(m, s); idx < end; idx++) {
			const struct clog_entry *e;

			g = c_seg_find(m, g, idx);
			e = c_seg_entry(m, g, idx);
			ranks_add(k, e->loc, e->stamp);
		}
	}
	for (unsigned l = 0; l < m->nlocs; l++) {
		uint64_t *v = &k->v[l * k->cap];
		size_t u = 0;

		qsort(v, k->n[l], sizeof(*v), cmp_u64);
		for (size_t j = 0; j < k->n[l]; j++)
			if (u == 0 || v[u - 1] != v[j])
				v[u++] = v[j];
		k->n[l] = u;
	}
}

static uint64_t rank_of(const struct ranks *k, unsigned loc, uint64_t stamp)
{
	const uint64_t *v = &k->v[loc * k->cap];
	size_t lo = 0, hi = k->n[loc];

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (v[mid] < stamp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Entry idx of s's log, with the whole of its vector clock. */
static void put_msg(struct words *b, const rc_mem_t *m, const struct ranks *k,
		    unsigned s, uint64_t idx, const struct clog_entry *e)
{
	put(b, e->loc);
	put(b, e->val);
	put(b, rank_of(k, e->loc, e->stamp));
	for (unsigned j = 0; j < m->n; j++)
		put(b, c_entry_vc(e, s, idx, j));
}

/*
 * The state as words. Log indexes are relative to the oldest entry some
 * replica still needs, so states that differ only by how long the log
 * has been encode the same. Counters that only pace threaded mode (the
 * TSO drain clock) are left out.
 */
static void encode(const rc_mem_t *m, struct words *b)
{
	uint64_t base = UINT64_MAX, tail;
	struct ranks rk;

	put(b, m->level);
	put(b, m->nlocs);
	put(b, m->n);
	switch (m->level) {
	case RC_LIN:
	case RC_TSO:
		for (unsigned l = 0; l < m->nlocs; l++)
			put(b, atomic_load_explicit(&m->shared[l].v,
						    memory_order_relaxed));
		if (m->level == RC_LIN)
			break;
		for (unsigned i = 0; i < m->n; i++) {
			const struct rc_mem_replica *r = &m->reps[i];

			put(b, r->bn);
			for (unsigned j = 0; j < r->bn; j++) {
				const struct tso_entry *e =
					&r->buf[(r->bhead + j) %
						RC_MEM_TSO_DEPTH];

				put(b, e->loc);
				put(b, e->val);
			}
		}
		break;
	case RC_SC:
		tail = atomic_load_explicit(&((rc_mem_t *)m)->tail,
					    memory_order_relaxed);
		for (unsigned i = 0; i < m->n; i++)
			if (m->reps[i].applied < base)
				base = m->reps[i].applied;
		for (unsigned i = 0; i < m->n; i++) {
			const struct rc_mem_replica *r = &m->reps[i];

			put(b, r->applied - base);
			put(b,
			    r->last_own > r->applied ? r->last_own - base : 0);
			for (unsigned l = 0; l < m->nlocs; l++)
				put(b, r->copy[l]);
		}
		put(b, tail - base);
		for (uint64_t idx = base; idx < tail; idx++) {
			const struct sc_entry *e = sc_entry_at(m, idx);

			put(b, e->op);
			put(b, e->loc);
			put(b, e->a);
			put(b, e->b);
		}
		break;
	case RC_CAUSAL:
		ranks_make(&rk, m);
		for (unsigned i = 0; i < m->n; i++) {
			const struct rc_mem_replica *r = &m->reps[i];

			for (unsigned k = 0; k < m->n; k++)
				put(b, r->vc[k]);
			for (unsigned l = 0; l < m->nlocs; l++) {
				put(b, r->copy[l]);
				put(b, rank_of(&rk, l, r->stamp[l]));
			}
			for (unsigned s = 0; s < m->n; s++) {
				const struct clog_seg *g = r->rseg[s];
				uint64_t end = s == i ? 0 : c_published(m, s);

				put(b, end > r->vc[s] ? end - r->vc[s] : 0);
				for (uint64_t x = r->vc[s]; x < end; x++) {
					g = c_seg_find(m, g, x);
					put_msg(b, m, &rk, s, x,
						c_seg_entry(m, g, x));
				}
			}
		}
		for (unsigned l = 0; l < m->nlocs; l++)
			put(b, rank_of(&rk, l, c_last(m, l)));
		for (size_t j = 0; j < (size_t)m->nlocs * m->n; j++)
			put(b, m->last_vc[j]);
		free(rk.v);
		free(rk.n);
		break;
	default:
		break;
	}
}

uint64_t rc_mem_state_hash(const rc_mem_t *mem)
{
	struct words b = { 0 };
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a over the words' bytes */

	assert(explore(mem));
	encode(mem, &b);
	for (size_t i = 0; i < b.n; i++)
		for (unsigned k = 0; k < 8; k++) {
			h ^= (b.w[i] >> (8 * k)) & 0xff;
			h *= 0x100000001b3ull;
		}
	free(b.w);
	return h;
}

bool rc_mem_state_equal(const rc_mem_t *a, const rc_mem_t *b)
{
	struct words wa = { 0 }, wb = { 0 };
	bool eq;

	assert(explore(a) && explore(b));
	encode(a, &wa);
	encode(b, &wb);
	eq = wa.n == wb.n && memcmp(wa.w, wb.w, wa.n * sizeof(uint64_t)) == 0;
	free(wa.w);
	free(wb.w);
	return eq;
}

/*
 * d's log of sender q becomes a copy of src's, segment by segment from
 * the oldest one a reader needs, with every reader at the same entry.
 * Leaves d's log as it was when out of memory.
 */
static int c_log_clone(rc_mem_t *d, const rc_mem_t *src, unsigned q)
{
	size_t sz = sizeof(struct clog_seg) + src->cseg_n * src->cstride;
	struct clog_seg *head = NULL, **link = &head, *c = NULL;

	for (const struct clog_seg *g = c_log_oldest(src, q); g != NULL;
	     g = g->next) {
		if (posix_memalign((void **)&c, RC_CACHELINE, sz) != 0) {
			while (head != NULL) {
				c = head->next;
				free(head);
				head = c;
			}
			return -1;
		}
		memcpy(c, g, sz);
		c->next = NULL;
		*link = c;
		link = &c->next;
	}
	c_log_free(d, q);
	d->reps[q].wseg = c;
	/* Relaxed: one thread drives both objects. */
	atomic_store_explicit(&d->reps[q].published, c_published(src, q),
			      memory_order_relaxed);
	for (unsigned i = 0; i < d->n; i++) {
		struct clog_seg *g = head;

		if (i == q)
			continue;
		while (g->first != src->reps[i].rseg[q]->first)
			g = g->next;
		d->reps[i].rseg[q] = g;
	}
	return 0;
}

static int clone_into(rc_mem_t *d, const rc_mem_t *s)
{
	uint64_t tail = atomic_load_explicit(&((rc_mem_t *)s)->tail,
					     memory_order_relaxed);

	atomic_store_explicit(&d->tail, tail, memory_order_relaxed);
	if (s->shared != NULL)
		for (unsigned l = 0; l < s->nlocs; l++)
			atomic_store_explicit(
				&d->shared[l].v,
				atomic_load_explicit(&s->shared[l].v,
						     memory_order_relaxed),
				memory_order_relaxed);
	if (s->last_vc != NULL) {
		for (unsigned l = 0; l < s->nlocs; l++)
			/* Relaxed: one thread drives both objects. */
			atomic_store_explicit(&d->last_stamp[l], c_last(s, l),
					      memory_order_relaxed);
		memcpy(d->last_vc, s->last_vc,
		       (size_t)s->nlocs * s->n * sizeof(uint64_t));
	}
	for (size_t k = 0; s->dir != NULL && k < s->ndir; k++) {
		struct sc_seg *src = atomic_load_explicit(&s->dir[k].seg,
							  memory_order_relaxed),
			      *dst;
		size_t sz = sizeof(*src) + seg_entries(s) * sizeof(src->e[0]);

		atomic_store_explicit(
			&d->dir[k].serves,
			atomic_load_explicit(&s->dir[k].serves,
					     memory_order_relaxed),
			memory_order_relaxed);
		if (src == NULL)
			continue;
		dst = malloc(sz);
		if (dst == NULL)
			return -1;
		memcpy(dst, src, sz);
		atomic_store_explicit(&d->dir[k].seg, dst,
				      memory_order_relaxed);
	}
	for (unsigned i = 0; i < s->n; i++) {
		const struct rc_mem_replica *rs = &s->reps[i];
		struct rc_mem_replica *rd = &d->reps[i];

		rd->ops = rs->ops;
		rd->bhead = rs->bhead;
		rd->bn = rs->bn;
		rd->applied = rs->applied;
		rd->last_own = rs->last_own;
		rd->lamport = rs->lamport;
		if (rs->buf != NULL)
			memcpy(rd->buf, rs->buf,
			       RC_MEM_TSO_DEPTH * sizeof(*rs->buf));
		if (rs->copy != NULL)
			memcpy(rd->copy, rs->copy,
			       s->nlocs * sizeof(*rs->copy));
		if (rs->stamp != NULL)
			memcpy(rd->stamp, rs->stamp,
			       s->nlocs * sizeof(*rs->stamp));
		if (rs->vc != NULL)
			memcpy(rd->vc, rs->vc, s->n * sizeof(*rs->vc));
	}
	for (unsigned q = 0; s->level == RC_CAUSAL && q < s->n; q++)
		if (c_log_clone(d, s, q) < 0)
			return -1;
	return 0;
}

int rc_mem_clone(rc_mem_t **out, const rc_mem_t *src, rc_err_t *err)
{
	rc_mem_t *m = NULL;

	*out = NULL;
	assert(explore(src));
	if (mem_alloc(&m, src->level, src->nlocs, src->n, src->flags) < 0 ||
	    clone_into(m, src) < 0) {
		rc_mem_destroy(m);
		return rc_err_set(err, RC_ENOMEM, NULL, 0, 0, "out of memory");
	}
	*out = m;
	return 0;
}
